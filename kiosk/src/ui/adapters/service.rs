//! `ServiceAdapter`: the village station's service catalogue, the request
//! form (also for sign-ups and job interests) and its receipt, and "my
//! requests" with the sign-ups.

use super::catalog::price;
use super::model;
use crate::controllers::catalog_view::ServiceView;
use crate::controllers::my_requests::LookupMode;
use crate::controllers::screens::{Dirty, Screens};
use crate::controllers::service_request::{FormProblem, TOWNS};
use crate::store::requests::MyRequest;
use crate::store::signups::MySignup;
use crate::ui::{
    AppWindow, Glue, MyRequestRow, MySignupRow, RequestReceipt, ServiceAdapter, ServiceItem, qr,
};
use protocol::messages::SignupStatus;
use protocol::{TicketNo, TicketStatus, county_time};
use slint::{ComponentHandle, SharedString};

pub fn connect(window: &AppWindow, glue: &Glue) {
    let a = window.global::<ServiceAdapter>();
    let g = glue.clone();
    a.on_choose_service(move |id| g.act(|s, now| s.choose_service(&id, now)));
    let g = glue.clone();
    a.on_choose_town(move |town| g.act(|s, _| s.choose_town(&town)));
    let g = glue.clone();
    a.on_key(move |k| g.act(|s, _| s.request_key(&k)));
    let g = glue.clone();
    a.on_submit(move || g.act(|s, now| s.submit(now)));
    let g = glue.clone();
    a.on_open_mine(move || g.act(|s, now| s.open_mine(now)));
    let g = glue.clone();
    a.on_lookup_mode_changed(move |m| {
        let mode = match m {
            crate::ui::LookupMode::Phone => LookupMode::PhoneTail,
            crate::ui::LookupMode::Ticket => LookupMode::Ticket,
        };
        g.act(|s, _| s.lookup_mode(mode))
    });
    let g = glue.clone();
    a.on_lookup_key(move |k| g.act(|s, _| s.lookup_key(&k)));
    let g = glue.clone();
    a.on_cancel_signup(move |id| g.act(|s, _| s.cancel_signup(&id)));
}

pub fn show(window: &AppWindow, screens: &Screens, dirty: &Dirty) {
    let a = window.global::<ServiceAdapter>();
    if dirty.catalog
        && let Some(view) = screens.view()
    {
        let (free, paid) = view.services();
        a.set_free(model(free.iter().map(|v| service_item(v, false)).collect()));
        a.set_paid(model(paid.iter().map(|v| service_item(v, true)).collect()));
        a.set_towns(model(TOWNS.iter().map(|t| SharedString::from(*t)).collect()));
    }
    if dirty.form {
        let form = &screens.request;
        a.set_service_name(form.service_name.clone().into());
        a.set_town(form.town.clone().into());
        a.set_phone_shown(form.phone_shown().into());
        a.set_phone_ok(form.phone_ok());
        a.set_problem(match form.problem {
            None => crate::ui::FormProblem::None,
            Some(FormProblem::ChooseTown) => crate::ui::FormProblem::ChooseTown,
            Some(FormProblem::Phone) => crate::ui::FormProblem::Phone,
            Some(FormProblem::NotRecorded) => crate::ui::FormProblem::NotRecorded,
            Some(FormProblem::AlreadySignedUp) => crate::ui::FormProblem::AlreadySignedUp,
        });
        a.set_already(form.already.clone().into());
    }
    if dirty.receipt
        && let Some(r) = &screens.receipt
    {
        a.set_receipt(RequestReceipt {
            ticket: r.ticket_grouped.clone().into(),
            service: r.service.clone().into(),
            town: r.town.clone().into(),
            phone: r.phone_masked.clone().into(),
            due: r.due.clone().into(),
            // The number only: never the phone.
            qr: qr::image(&r.ticket),
            signup: r.signup.is_some(),
            when: r.signup.as_ref().map(|s| s.0.clone()).unwrap_or_default().into(),
            place: r.signup.as_ref().map(|s| s.1.clone()).unwrap_or_default().into(),
        });
    }
    if dirty.mine {
        let mine = &screens.mine;
        a.set_lookup_mode(match mine.mode {
            LookupMode::Ticket => crate::ui::LookupMode::Ticket,
            LookupMode::PhoneTail => crate::ui::LookupMode::Phone,
        });
        a.set_lookup_shown(mine.shown().into());
        a.set_looked_up(mine.found.is_some());
        let rows = mine.found.iter().flatten().map(|r| my_request(r, screens)).collect();
        a.set_mine(model(rows));
        a.set_signups(model(mine.signups.iter().map(|s| my_signup(s, screens)).collect()));
    }
}

fn service_item(v: &ServiceView, paid: bool) -> ServiceItem {
    ServiceItem {
        id: v.id.clone().into(),
        name: v.name.clone().into(),
        description: v.description.clone().into(),
        price: price(&v.price),
        paid,
    }
}

fn my_request(r: &MyRequest, screens: &Screens) -> MyRequestRow {
    MyRequestRow {
        ticket: TicketNo::parse(&r.ticket_no)
            .map(|t| t.grouped())
            .unwrap_or_else(|_| r.ticket_no.clone())
            .into(),
        service: screens.service_name(&r.service_id).unwrap_or_else(|| r.service_id.clone()).into(),
        town: r.village.clone().into(),
        submitted: county_time::minute_text(r.submitted_at as i64).into(),
        status: ticket_state(r.status),
        open: r.status.is_open(),
        handler: r.responsible.clone().unwrap_or_default().into(),
        reply: r.reply.clone().unwrap_or_default().into(),
    }
}

fn my_signup(s: &MySignup, screens: &Screens) -> MySignupRow {
    let (course, starts) =
        screens.session_title(&s.session_id).unwrap_or_else(|| (s.session_id.clone(), String::new()));
    MySignupRow {
        id: s.signup_id.clone().into(),
        number: TicketNo::parse(&s.number).map(|t| t.grouped()).unwrap_or_else(|_| s.number.clone()).into(),
        course: course.into(),
        starts: starts.into(),
        town: s.town.clone().into(),
        status: signup_state(s.status),
        place: s.waitlist_place.unwrap_or(0) as i32,
        reason: s.reason.clone().unwrap_or_default().into(),
        cancel_requested: s.cancel_requested,
        cancellable: s.cancellable(),
    }
}

fn signup_state(s: SignupStatus) -> crate::ui::SignupState {
    use crate::ui::SignupState as S;
    match s {
        SignupStatus::Pending => S::Pending,
        SignupStatus::Confirmed => S::Confirmed,
        SignupStatus::Waitlisted => S::Waitlisted,
        SignupStatus::Cancelled => S::Cancelled,
        SignupStatus::Refused => S::Refused,
        SignupStatus::Attended => S::Attended,
    }
}

fn ticket_state(s: TicketStatus) -> crate::ui::TicketState {
    use crate::ui::TicketState as T;
    match s {
        TicketStatus::Submitted => T::Submitted,
        TicketStatus::Accepted => T::Accepted,
        TicketStatus::InProgress => T::InProgress,
        TicketStatus::WaitingUser => T::WaitingUser,
        TicketStatus::Resolved => T::Resolved,
        TicketStatus::Closed => T::Closed,
        TicketStatus::Referred => T::Referred,
    }
}
