//! Due dates and whether they were met (`docs/service-tickets.md`).
//!
//! - Response: 48 clock hours after submission; met by accepting or referring.
//! - Resolution, complaints only: the end (23:59:59.999, Asia/Shanghai) of
//!   the 5th working day after the county date of submission, counted with
//!   the official calendar. Submission, not acceptance, starts the clock:
//!   the conservative choice.

use super::calendar::{Calendar, CalendarError};
use protocol::county_time;
use serde::Serialize;

pub use protocol::ticket::{RESPONSE_HOURS, response_due};
pub const COMPLAINT_WORKING_DAYS: u32 = 5;

pub fn resolution_due(cal: &Calendar, submitted_at: i64) -> Result<i64, CalendarError> {
    let day = cal.add_working_days(county_time::date_of(submitted_at), COMPLAINT_WORKING_DAYS)?;
    Ok(county_time::end_of_day(day))
}

/// How a deadline stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueState {
    /// Done in time.
    Met,
    /// Done, but after the deadline.
    Late,
    /// Not done and the deadline has passed: flagged, and reported.
    Overdue,
    /// Not done, still in time.
    Pending,
    /// No deadline applies (a request that is not a complaint).
    NotApplicable,
    /// A complaint whose deadline falls in a year without a calendar file.
    NoCalendar,
}

impl DueState {
    pub fn of(due: Option<i64>, done_at: Option<i64>, now: i64) -> DueState {
        match (due, done_at) {
            (None, _) => DueState::NotApplicable,
            (Some(due), Some(at)) if at <= due => DueState::Met,
            (Some(_), Some(_)) => DueState::Late,
            (Some(due), None) if now > due => DueState::Overdue,
            (Some(_), None) => DueState::Pending,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DueState::Met => "met",
            DueState::Late => "late",
            DueState::Overdue => "overdue",
            DueState::Pending => "pending",
            DueState::NotApplicable => "-",
            DueState::NoCalendar => "no calendar",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn ms(t: time::OffsetDateTime) -> i64 {
        (t.unix_timestamp_nanos() / 1_000_000) as i64
    }

    #[test]
    fn complaint_deadlines_follow_the_official_calendar() {
        let cal = Calendar::load(None).unwrap();
        // Submitted Tuesday 29 September 2026, 21:30 in Tongcheng: five working
        // days skip the National Day week and count Saturday 10 October.
        let at = ms(datetime!(2026-09-29 21:30 +8));
        let due = resolution_due(&cal, at).unwrap();
        assert_eq!(due, ms(datetime!(2026-10-12 23:59:59.999 +8)));
        // 23:30 UTC on the 29th is already the 30th in the county.
        assert_eq!(county_time::date_of(ms(datetime!(2026-09-29 23:30 UTC))), date!(2026 - 09 - 30));
        assert_eq!(response_due(at), ms(datetime!(2026-10-01 21:30 +8)));
        // Late December: the deadline is in 2027, which has no calendar yet.
        assert!(resolution_due(&cal, ms(datetime!(2026-12-28 10:00 +8))).is_err());
    }

    #[test]
    fn due_states() {
        assert_eq!(DueState::of(Some(10), Some(10), 99), DueState::Met);
        assert_eq!(DueState::of(Some(10), Some(11), 99), DueState::Late);
        assert_eq!(DueState::of(Some(10), None, 11), DueState::Overdue);
        assert_eq!(DueState::of(Some(10), None, 10), DueState::Pending);
        assert_eq!(DueState::of(None, None, 10), DueState::NotApplicable);
    }
}
