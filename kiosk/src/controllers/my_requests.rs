//! 我的申请: a villager looks up their requests and training sign-ups by
//! number or by the last four digits of the phone number they gave; only
//! masked numbers are ever shown.

use super::backend::KioskBackend;
use crate::store::requests::{Lookup, MyRequest};
use crate::store::signups::MySignup;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LookupMode {
    #[default]
    Ticket,
    PhoneTail,
}

impl LookupMode {
    fn digits(self) -> usize {
        match self {
            LookupMode::Ticket => protocol::TicketNo::DIGITS,
            LookupMode::PhoneTail => 4,
        }
    }
}

/// What is typed on the lookup keypad, and what it found.
#[derive(Clone, Debug, Default)]
pub struct MyRequests {
    pub mode: LookupMode,
    digits: String,
    /// Set once the number is complete and looked up.
    pub found: Option<Vec<MyRequest>>,
    /// The training sign-ups found the same way, newest first.
    pub signups: Vec<MySignup>,
}

impl MyRequests {
    pub fn open(&mut self) {
        *self = MyRequests::default();
    }

    pub fn set_mode(&mut self, mode: LookupMode) {
        *self = MyRequests { mode, ..MyRequests::default() };
    }

    /// A keypad press; the lookup runs as soon as the number is complete.
    pub fn key(&mut self, k: &str, backend: &dyn KioskBackend) {
        let want = self.mode.digits();
        if !super::keypad::press(&mut self.digits, k, want, super::keypad::digit) {
            return;
        }
        self.look_up(backend);
    }

    /// Read again what the number finds (after a cancellation, or when the
    /// hub's word on a sign-up arrives).
    pub fn look_up(&mut self, backend: &dyn KioskBackend) {
        let complete = self.digits.len() == self.mode.digits();
        let lookup = match self.mode {
            LookupMode::Ticket => Lookup::Ticket(self.digits.clone()),
            LookupMode::PhoneTail => Lookup::PhoneTail(self.digits.clone()),
        };
        self.found = complete.then(|| {
            backend.my_requests(&lookup).unwrap_or_else(|e| {
                tracing::error!(error = %e, "my requests not read");
                Vec::new()
            })
        });
        self.signups = if complete {
            backend.my_signups(&lookup).unwrap_or_else(|e| {
                tracing::error!(error = %e, "my sign-ups not read");
                Vec::new()
            })
        } else {
            Vec::new()
        };
    }

    /// Nothing found for a complete number.
    pub fn nothing_found(&self) -> bool {
        self.found.as_ref().is_some_and(|f| f.is_empty()) && self.signups.is_empty()
    }

    /// As typed; a ticket number grouped as the receipt prints it.
    pub fn shown(&self) -> String {
        match self.mode {
            LookupMode::Ticket => group_ticket(&self.digits),
            LookupMode::PhoneTail => self.digits.clone(),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::backend::fake::FakeBackend;

    #[test]
    fn a_ticket_is_grouped_as_it_is_typed_and_looked_up_when_complete() {
        assert_eq!(group_ticket("2611"), "2611");
        assert_eq!(group_ticket("26112900"), "261129 00");
        assert_eq!(group_ticket("26112900120037"), "261129 0012 0037");
        let backend = FakeBackend::default();
        let mut m = MyRequests::default();
        m.set_mode(LookupMode::PhoneTail);
        "567".chars().for_each(|k| m.key(&k.to_string(), &backend));
        assert!(m.found.is_none(), "not complete yet");
        m.key("8", &backend);
        assert_eq!(m.found, Some(Vec::new()));
        m.key("9", &backend);
        assert_eq!(m.shown(), "5678", "four digits at most");
        m.key("back", &backend);
        assert!(m.found.is_none());
    }
}
