//! 我的申请: a villager looks up their requests by ticket number or by the
//! last four digits of the phone number they gave.

use super::{State, go, model};
use crate::store::requests::{Lookup, MyRequest};
use crate::ui::browse::{Lang, county_time};
use crate::ui::{AppWindow, MyRequestRow, ServiceAdapter};
use protocol::{TicketNo, TicketStatus};
use slint::ComponentHandle;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LookupMode {
    #[default]
    Ticket,
    PhoneTail,
}

impl LookupMode {
    fn digits(self) -> usize {
        match self {
            LookupMode::Ticket => 14,
            LookupMode::PhoneTail => 4,
        }
    }
}

/// What is typed on the lookup keypad.
#[derive(Clone, Debug, Default)]
pub struct LookupForm {
    pub mode: LookupMode,
    pub digits: String,
}

pub fn status_name(s: TicketStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (TicketStatus::Submitted, Lang::Zh) => "已提交",
        (TicketStatus::Accepted, Lang::Zh) => "已受理",
        (TicketStatus::InProgress, Lang::Zh) => "办理中",
        (TicketStatus::WaitingUser, Lang::Zh) => "待您补充",
        (TicketStatus::Resolved, Lang::Zh) => "已办结",
        (TicketStatus::Closed, Lang::Zh) => "已关闭",
        (TicketStatus::Referred, Lang::Zh) => "已转其他部门",
        (TicketStatus::Submitted, Lang::En) => "Submitted",
        (TicketStatus::Accepted, Lang::En) => "Accepted",
        (TicketStatus::InProgress, Lang::En) => "In progress",
        (TicketStatus::WaitingUser, Lang::En) => "Needs your reply",
        (TicketStatus::Resolved, Lang::En) => "Resolved",
        (TicketStatus::Closed, Lang::En) => "Closed",
        (TicketStatus::Referred, Lang::En) => "Referred",
    }
}

pub(super) fn open(w: &AppWindow, s: &Rc<RefCell<State>>) {
    s.borrow_mut().lookup = LookupForm::default();
    show(w, s, None);
    go(w, s, "mine", true);
}

pub(super) fn set_mode(w: &AppWindow, s: &Rc<RefCell<State>>, mode: &str) {
    let mode = if mode == "phone" { LookupMode::PhoneTail } else { LookupMode::Ticket };
    s.borrow_mut().lookup = LookupForm { mode, digits: String::new() };
    show(w, s, None);
}

/// A keypad press; the lookup runs as soon as the number is complete.
pub(super) fn key(w: &AppWindow, s: &Rc<RefCell<State>>, k: &str) {
    let complete = {
        let mut st = s.borrow_mut();
        let want = st.lookup.mode.digits();
        let digits = &mut st.lookup.digits;
        match k {
            "back" => {
                digits.pop();
            }
            "clear" => digits.clear(),
            d if d.len() == 1 && d.as_bytes()[0].is_ascii_digit() && digits.len() < want => {
                digits.push_str(d)
            }
            _ => return,
        }
        (digits.len() == want).then(|| match st.lookup.mode {
            LookupMode::Ticket => Lookup::Ticket(st.lookup.digits.clone()),
            LookupMode::PhoneTail => Lookup::PhoneTail(st.lookup.digits.clone()),
        })
    };
    show(w, s, complete);
}

fn show(w: &AppWindow, s: &Rc<RefCell<State>>, lookup: Option<Lookup>) {
    let st = s.borrow();
    let service = w.global::<ServiceAdapter>();
    let shown = match st.lookup.mode {
        LookupMode::Ticket => group_ticket(&st.lookup.digits),
        LookupMode::PhoneTail => st.lookup.digits.clone(),
    };
    service.set_lookup_mode(if st.lookup.mode == LookupMode::Ticket { "ticket" } else { "phone" }.into());
    service.set_lookup_shown(shown.into());
    let found = match (&lookup, &st.recorder) {
        (Some(l), Some(r)) => r.my_requests(l).unwrap_or_else(|e| {
            tracing::error!(error = %e, "my requests not read");
            Vec::new()
        }),
        _ => Vec::new(),
    };
    let rows: Vec<MyRequestRow> = found.iter().map(|r| row(&st, r)).collect();
    service.set_looked_up(lookup.is_some());
    service.set_mine(model(rows));
}

/// Grouped as the receipt prints it while it is typed: `261129 0012 0037`.
fn group_ticket(d: &str) -> String {
    let mut out = String::new();
    for (i, c) in d.chars().enumerate() {
        if matches!(i, 6 | 10) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn row(st: &State, r: &MyRequest) -> MyRequestRow {
    let service = st.service_name(&r.service_id).unwrap_or_else(|| r.service_id.clone());
    MyRequestRow {
        ticket: TicketNo::parse(&r.ticket_no)
            .map(|t| t.grouped())
            .unwrap_or_else(|_| r.ticket_no.clone())
            .into(),
        service: service.into(),
        village: crate::ui::service_form::village_label(&r.village, st.lang == Lang::En).into(),
        submitted: county_time(r.submitted_at).into(),
        status: status_name(r.status, st.lang).into(),
        open: r.status.is_open(),
        handler: r.responsible.clone().unwrap_or_default().into(),
        reply: r.reply.clone().unwrap_or_default().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::group_ticket;

    #[test]
    fn a_ticket_is_grouped_as_it_is_typed() {
        assert_eq!(group_ticket("2611"), "2611");
        assert_eq!(group_ticket("26112900"), "261129 00");
        assert_eq!(group_ticket("26112900120037"), "261129 0012 0037");
    }
}
