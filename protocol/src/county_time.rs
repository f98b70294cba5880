//! County time: the one place that knows Tongcheng keeps Beijing time.
//!
//! Times are stored and sent as Unix milliseconds (UTC). People read them as
//! county time, UTC+8 with no daylight saving: a report's day, a ticket
//! number's date, a complaint's deadline and the parcel desk's "today" all
//! turn over at midnight in the county, never at midnight UTC.
//!
//! Both sides use this module, so a kiosk and the hub always agree on which
//! day an event belongs to.

use std::time::Duration;
use time::{Date, OffsetDateTime, UtcOffset};

/// The county's offset from UTC, in seconds (China Standard Time).
const OFFSET_SECONDS: i32 = 8 * 3600;

/// The county's offset from UTC.
pub fn offset() -> UtcOffset {
    UtcOffset::from_whole_seconds(OFFSET_SECONDS).expect("UTC+8 is a valid offset")
}

/// Clocks read earlier than this (2026-01-01 00:00 UTC) are not believed.
///
/// A station box without a clock battery boots in 1970 (or 2000) until it
/// hears the hub. Certificates are checked as of this time at the least, so
/// the kiosk can still reach the hub to learn the time, and events recorded
/// before the clock is plausible are marked untrusted.
pub const CLOCK_FLOOR: Duration = Duration::from_secs(1_767_225_600);

/// [`CLOCK_FLOOR`] in Unix milliseconds.
pub const CLOCK_FLOOR_MS: u64 = 1_767_225_600_000;

/// A Unix-ms time in county time.
pub fn local(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset())
}

/// The county date of a Unix-ms time.
pub fn date_of(ms: i64) -> Date {
    local(ms).date()
}

/// The county hour (0–23) of a Unix-ms time.
pub fn hour_of(ms: i64) -> u8 {
    local(ms).hour()
}

/// The county date now.
pub fn today() -> Date {
    OffsetDateTime::now_utc().to_offset(offset()).date()
}

/// The first millisecond of a county date.
pub fn start_of_day(d: Date) -> i64 {
    (d.midnight().assume_utc().unix_timestamp() - i64::from(OFFSET_SECONDS)) * 1000
}

/// The last millisecond of a county date.
pub fn end_of_day(d: Date) -> i64 {
    start_of_day(d) + 86_400_000 - 1
}

/// `2026-11-29`.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The county date of a Unix-ms time as `2026-11-29`.
pub fn iso_date_of(ms: i64) -> String {
    iso_date(date_of(ms))
}

/// `261129`: the date in ticket numbers and GS1 date fields.
pub fn yymmdd(d: Date) -> String {
    format!("{:02}{:02}{:02}", d.year().rem_euclid(100), u8::from(d.month()), d.day())
}

/// The county date of a Unix-ms time as `yyMMdd`.
pub fn yymmdd_of(ms: i64) -> String {
    yymmdd(date_of(ms))
}

/// `2026-11-29 14:30`: what screens and receipts show.
pub fn minute_text(ms: i64) -> String {
    let t = local(ms);
    format!("{} {:02}:{:02}", iso_date(t.date()), t.hour(), t.minute())
}

/// `2026-11-29 14:30:05`: what the staff tools show.
pub fn second_text(ms: i64) -> String {
    let t = local(ms);
    format!("{} {:02}:{:02}:{:02}", iso_date(t.date()), t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// 2026-09-30 23:59:59 in the county is 15:59:59 UTC.
    const LAST_SECOND_OF_SEPTEMBER: i64 = 1_790_783_999_000;

    #[test]
    fn the_day_turns_at_midnight_in_the_county() {
        assert_eq!(iso_date_of(LAST_SECOND_OF_SEPTEMBER), "2026-09-30");
        assert_eq!(iso_date_of(LAST_SECOND_OF_SEPTEMBER + 1000), "2026-10-01");
        assert_eq!(yymmdd_of(LAST_SECOND_OF_SEPTEMBER + 1000), "261001");
        assert_eq!(second_text(LAST_SECOND_OF_SEPTEMBER), "2026-09-30 23:59:59");
        assert_eq!(minute_text(LAST_SECOND_OF_SEPTEMBER + 60_000), "2026-10-01 00:00");
        assert_eq!(hour_of(LAST_SECOND_OF_SEPTEMBER), 23);
        assert_eq!(hour_of(LAST_SECOND_OF_SEPTEMBER + 1000), 0);
        assert_eq!(hour_of(0), 8);
    }

    #[test]
    fn a_day_spans_its_milliseconds_exactly() {
        let d = date!(2026 - 10 - 01);
        assert_eq!(start_of_day(d), LAST_SECOND_OF_SEPTEMBER + 1000);
        assert_eq!(end_of_day(d) - start_of_day(d), 86_400_000 - 1);
        assert_eq!(date_of(start_of_day(d)), d);
        assert_eq!(date_of(end_of_day(d)), d);
        assert_eq!(date_of(end_of_day(d) + 1), date!(2026 - 10 - 02));
    }

    #[test]
    fn times_before_1970_and_the_floor_read_sensibly() {
        assert_eq!(iso_date_of(-1), "1970-01-01", "08:00 minus 1 ms is still 1 January in the county");
        assert_eq!(CLOCK_FLOOR_MS, CLOCK_FLOOR.as_millis() as u64);
        assert_eq!(second_text(CLOCK_FLOOR_MS as i64), "2026-01-01 08:00:00");
        assert_eq!(yymmdd(date!(2000 - 01 - 02)), "000102");
    }
}
