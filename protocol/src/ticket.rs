//! Service-request ticket numbers and statuses.
//!
//! The kiosk that takes a request makes its ticket number, so an offline
//! village station can print it on the receipt at once. A number is 14
//! digits, readable and typeable on a numeric keypad:
//!
//! `yyMMdd` (county date) · `SSSS` station number the hub assigned at
//! registration · `NNN` that station's count of the day · `C` Luhn check
//! digit (catches any single mistyped digit and most swaps).
//!
//! The hub keeps a kiosk's number when it is well formed, carries the
//! kiosk's station number and is not taken; otherwise it assigns one from
//! its own range (station `0000`, then unassigned stations from `9999`
//! downwards) and tells the kiosk
//! in `svc/ack`. Nothing is refused for a bad number.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A request gets a substantive answer within this many clock hours of its
/// submission (the centre's rule; the hub tracks it, the kiosk's receipt
/// promises it).
pub const RESPONSE_HOURS: i64 = 48;

/// When the answer to a request submitted at `submitted_ms` is due.
pub fn response_due(submitted_ms: i64) -> i64 {
    submitted_ms + RESPONSE_HOURS * 3_600_000
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketNo(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketNoError {
    #[error("ticket number {0:?} must have 14 digits")]
    Length(String),
    #[error("ticket number {0:?} has a wrong check digit")]
    Check(String),
    #[error("ticket number {0:?} does not start with a date (yyMMdd)")]
    Date(String),
    #[error("ticket count {0} is outside 1..=999")]
    Count(u16),
    #[error("station number {0} is outside 0..=9999")]
    Station(u16),
}

/// The Luhn check digit for `digits` (ASCII digits only).
fn luhn(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl TicketNo {
    pub const DIGITS: usize = 14;

    /// `yymmdd` is the county date as six digits.
    pub fn new(yymmdd: &str, station: u16, count: u16) -> Result<TicketNo, TicketNoError> {
        if station > 9999 {
            return Err(TicketNoError::Station(station));
        }
        if !(1..=999).contains(&count) {
            return Err(TicketNoError::Count(count));
        }
        if !is_yymmdd(yymmdd) {
            return Err(TicketNoError::Date(yymmdd.to_owned()));
        }
        let body = format!("{yymmdd}{station:04}{count:03}");
        Ok(TicketNo(format!("{body}{}", luhn(&body))))
    }

    /// Accepts the printed form with spaces or dashes.
    pub fn parse(s: &str) -> Result<TicketNo, TicketNoError> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != Self::DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TicketNoError::Length(s.to_owned()));
        }
        if luhn(&digits[..13]) != digits.as_bytes()[13] - b'0' {
            return Err(TicketNoError::Check(s.to_owned()));
        }
        if !is_yymmdd(&digits[..6]) {
            return Err(TicketNoError::Date(s.to_owned()));
        }
        Ok(TicketNo(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn yymmdd(&self) -> &str {
        &self.0[..6]
    }
    pub fn station(&self) -> u16 {
        self.0[6..10].parse().expect("digits")
    }
    pub fn count(&self) -> u16 {
        self.0[10..13].parse().expect("digits")
    }
    /// For receipts and screens: `261129 0012 0037`.
    pub fn grouped(&self) -> String {
        format!("{} {} {}", &self.0[..6], &self.0[6..10], &self.0[10..])
    }
}

fn is_yymmdd(s: &str) -> bool {
    if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (m, d): (u8, u8) = (s[2..4].parse().unwrap_or(0), s[4..6].parse().unwrap_or(0));
    (1..=12).contains(&m) && (1..=31).contains(&d)
}

impl TryFrom<String> for TicketNo {
    type Error = TicketNoError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        TicketNo::parse(&s)
    }
}

impl From<TicketNo> for String {
    fn from(t: TicketNo) -> String {
        t.0
    }
}

impl fmt::Display for TicketNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a ticket stands (`docs/service-tickets.md`). Overdue, escalated and
/// extended are flags computed from deadlines, not statuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// 已提交: waiting for a staff member to accept it.
    Submitted,
    /// 已受理: a staff member took it and is its first-responsible person.
    Accepted,
    /// 办理中.
    InProgress,
    /// 待补充: waiting for the requester.
    WaitingUser,
    /// 已办结.
    Resolved,
    /// 已回访/关闭: terminal.
    Closed,
    /// 不予受理/转他部门: out of scope, referred elsewhere; terminal.
    Referred,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 7] = [
        TicketStatus::Submitted,
        TicketStatus::Accepted,
        TicketStatus::InProgress,
        TicketStatus::WaitingUser,
        TicketStatus::Resolved,
        TicketStatus::Closed,
        TicketStatus::Referred,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TicketStatus::Submitted => "submitted",
            TicketStatus::Accepted => "accepted",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::WaitingUser => "waiting_user",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
            TicketStatus::Referred => "referred",
        }
    }

    pub fn from_name(s: &str) -> Option<TicketStatus> {
        Self::ALL.into_iter().find(|t| t.name() == s)
    }

    /// Still needs work from staff.
    pub fn is_open(self) -> bool {
        !matches!(self, TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::Referred)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_catch_typos() {
        let t = TicketNo::new("261129", 12, 3).unwrap();
        assert_eq!(t.as_str().len(), 14);
        assert_eq!((t.yymmdd(), t.station(), t.count()), ("261129", 12, 3));
        assert_eq!(TicketNo::parse(&t.grouped()).unwrap(), t);
        assert_eq!(TicketNo::parse(&t.grouped().replace(' ', "-")).unwrap(), t);
        // Every single-digit change is caught by the check digit.
        for i in 0..14 {
            for d in b'0'..=b'9' {
                let mut b = t.as_str().as_bytes().to_vec();
                if b[i] == d {
                    continue;
                }
                b[i] = d;
                let s = String::from_utf8(b).unwrap();
                assert!(TicketNo::parse(&s).is_err(), "{s} accepted");
            }
        }
        assert!(TicketNo::new("261329", 1, 1).is_err());
        assert!(TicketNo::new("261129", 1, 0).is_err());
        assert!(TicketNo::new("261129", 10_000, 1).is_err());
        assert!(TicketNo::parse("2611290012").is_err());
    }

    #[test]
    fn statuses_have_stable_names() {
        for s in TicketStatus::ALL {
            assert_eq!(TicketStatus::from_name(s.name()), Some(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.name()));
        }
    }
}
