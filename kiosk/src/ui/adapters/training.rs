//! `TrainingAdapter`: the station's training calendar, a session's page
//! with the seats the hub last counted, and the jobs board.

use super::model;
use crate::controllers::content_view::{JobCard, SessionCard, Span};
use crate::controllers::screens::{Dirty, Screens};
use crate::controllers::training::{SignupOffer, Training};
use crate::ui::{AppWindow, CalendarSpan, Glue, JobRow, SessionRow, TownChoice, TrainingAdapter};
use protocol::catalog::CourseKind;
use protocol::county_time;
use slint::{ComponentHandle, SharedString};

pub fn connect(window: &AppWindow, glue: &Glue) {
    let a = window.global::<TrainingAdapter>();
    let g = glue.clone();
    a.on_open_training(move || g.act(|s, now| s.open_training(now)));
    let g = glue.clone();
    a.on_set_span(move |span| {
        let span = match span {
            CalendarSpan::Week => Span::Week,
            CalendarSpan::Month => Span::Month,
        };
        g.act(|s, _| s.calendar_span(span))
    });
    let g = glue.clone();
    a.on_set_kind(move |code| {
        let kind = CourseKind::ALL.into_iter().find(|k| k.as_str() == code.as_str());
        g.act(|s, _| s.calendar_kind(kind))
    });
    let g = glue.clone();
    a.on_set_dedicated(move |on| g.act(|s, _| s.calendar_dedicated(on)));
    let g = glue.clone();
    a.on_open_session(move |id| g.act(|s, now| s.open_session(&id, now)));
    let g = glue.clone();
    a.on_sign_up(move || g.act(|s, now| s.start_signup(now)));
    let g = glue.clone();
    a.on_open_jobs(move || g.act(|s, now| s.open_jobs(now)));
    let g = glue.clone();
    a.on_choose_job_town(move |id| {
        let town = (!id.is_empty()).then(|| id.to_string());
        g.act(|s, _| s.jobs_town(town))
    });
    let g = glue.clone();
    a.on_interested(move |id| g.act(|s, now| s.job_interest(&id, now)));
}

pub fn show(window: &AppWindow, screens: &Screens, dirty: &Dirty) {
    let a = window.global::<TrainingAdapter>();
    if dirty.training {
        let t = &screens.training;
        a.set_span(match t.filter.span {
            Span::Week => CalendarSpan::Week,
            Span::Month => CalendarSpan::Month,
        });
        a.set_kind(t.filter.kind.map_or("", |k| k.as_str()).into());
        a.set_dedicated_only(t.filter.dedicated_only);
        let kinds = std::iter::once("").chain(CourseKind::ALL.iter().map(|k| k.as_str()));
        a.set_kinds(model(kinds.map(SharedString::from).collect()));
        a.set_sessions(model(t.sessions.iter().map(|s| session_row(s, t)).collect()));
        if let Some(open) = &t.open {
            a.set_session(session_row(open, t));
        }
    }
    if dirty.jobs {
        let j = &screens.jobs;
        let all = TownChoice { id: "".into(), name: "".into() };
        let towns = std::iter::once(all)
            .chain(j.towns.iter().map(|(id, name)| TownChoice { id: id.into(), name: name.into() }));
        a.set_job_towns(model(towns.collect()));
        a.set_job_town(j.town.clone().unwrap_or_default().into());
        a.set_jobs(model(j.jobs.iter().map(job_row).collect()));
    }
}

fn session_row(s: &SessionCard, t: &Training) -> SessionRow {
    let counted = t.seats_of(&s.id);
    SessionRow {
        id: s.id.clone().into(),
        title: s.title.clone().into(),
        kind: s.kind.as_str().into(),
        audience: s.audience.as_str().into(),
        when: s.when().into(),
        place: s.place_line().into(),
        organiser: s.organiser.clone().into(),
        intro: s.intro.clone().into(),
        price: s.price_yuan.clone().into(),
        seats: s.seats as i32,
        counted: counted.is_some(),
        left: counted.map_or(0, |(n, _)| n.left as i32),
        waiting: counted.map_or(0, |(n, _)| n.waiting as i32),
        // "12-01 10:05": when the hub counted.
        as_of: counted
            .map(|(_, ts)| {
                let t = county_time::minute_text(ts as i64);
                t.get(5..).unwrap_or(&t).to_owned()
            })
            .unwrap_or_default()
            .into(),
        offer: match Training::offer(s) {
            SignupOffer::Kiosk => crate::ui::SignupOffer::Kiosk,
            SignupOffer::Phone => crate::ui::SignupOffer::Phone,
            SignupOffer::WalkIn => crate::ui::SignupOffer::WalkIn,
            SignupOffer::Closed => crate::ui::SignupOffer::Closed,
        },
        note: s.signup_note.clone().into(),
        closes: s.closes.clone().into(),
    }
}

pub(crate) fn job_row(j: &JobCard) -> JobRow {
    JobRow {
        id: j.id.clone().into(),
        title: j.title.clone().into(),
        enterprise: j.enterprise.clone().into(),
        town: j.town.clone().into(),
        pay: crate::ui::Price { yuan: j.pay.clone().into(), unit: j.pay_unit.clone().into() },
        requirements: j.requirements.clone().into(),
        openings: j.openings as i32,
        valid_until: j.valid_until.clone().into(),
    }
}
