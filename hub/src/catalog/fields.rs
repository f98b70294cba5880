//! Parsers for the cell formats staff type in spreadsheets. Each returns a
//! message that says what was expected, for the diagnostic.

use time::{Date, Month};

/// Ids: `[a-z0-9][a-z0-9-]{0,63}`; stable keys that kiosks, QR codes and
/// reports refer to.
pub fn id(s: &str) -> Result<String, String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && (s.as_bytes()[0].is_ascii_lowercase() || s.as_bytes()[0].is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok { Ok(s.to_owned()) } else { Err(format!("id {s:?} must be 1–64 characters of a-z, 0-9 and '-'")) }
}

/// Dates as `2024-09-15`, or as Excel writes them in a Chinese locale
/// (`2024/9/15`). Returned as ISO `YYYY-MM-DD`.
pub fn date(s: &str) -> Result<Date, String> {
    let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
    let bad = || format!("date {s:?} must look like 2024-09-15");
    let [y, m, d] = parts.as_slice() else { return Err(bad()) };
    if y.len() != 4 {
        return Err(bad());
    }
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let d: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(m).map_err(|_| format!("date {s:?}: there is no month {m}"))?;
    Date::from_calendar_date(y, month, d).map_err(|_| format!("date {s:?}: {month} {y} has no day {d}"))
}

/// A county time as `2026-12-08 09:00` (or Excel's `2026/12/8 9:00`), to
/// Unix ms.
pub fn county_datetime(s: &str) -> Result<u64, String> {
    let bad = || format!("time {s:?} must look like 2026-12-08 09:00 (county time)");
    let (day, clock) = s.trim().split_once([' ', 'T']).ok_or_else(bad)?;
    let day = date(day.trim())?;
    let (h, m) = clock.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u8, u8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let at = time::Time::from_hms(h, m, 0).map_err(|_| format!("time {s:?}: there is no {h}:{m:02}"))?;
    let local = time::PrimitiveDateTime::new(day, at).assume_offset(protocol::county_time::offset());
    u64::try_from(local.unix_timestamp() * 1000).map_err(|_| bad())
}

/// A whole number from `min` up, e.g. seats or openings.
pub fn count(s: &str, min: u32) -> Result<u32, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if n >= i64::from(min) && n <= i64::from(u32::MAX) => Ok(n as u32),
        Ok(n) => Err(format!("{n} is too small; at least {min}")),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// Money in yuan (`68`, `68.5`, `68.50`, `¥68.00`) to fen.
pub fn yuan_to_fen(s: &str) -> Result<u64, String> {
    let t = s.trim_start_matches(['¥', '￥']).replace(',', "");
    let bad = || format!("price {s:?} must be yuan with at most 2 decimals, like 68.50");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty() || frac.len() > 2 || !whole.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: u64 = whole.parse().map_err(|_| bad())?;
    let frac: u64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    whole.checked_mul(100).and_then(|w| w.checked_add(frac)).ok_or_else(bad)
}

pub fn boolean(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "是" => Ok(true),
        "no" | "n" | "false" | "0" | "否" => Ok(false),
        _ => Err(format!("{s:?} must be yes or no (是/否)")),
    }
}

/// Only https links go on a kiosk as QR codes.
pub fn https_url(s: &str) -> Result<String, String> {
    let rest = s.strip_prefix("https://").ok_or_else(|| format!("link {s:?} must start with https://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || !host.contains('.') || s.chars().any(|c| c.is_whitespace()) || s.len() > 300 {
        return Err(format!("link {s:?} is not a usable https address"));
    }
    Ok(s.to_owned())
}

/// `a;b;c` lists inside one cell (also accepts the Chinese ；).
pub fn list(s: &str) -> Vec<String> {
    s.split([';', '；']).map(str::trim).filter(|x| !x.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_dates_and_iso_dates_agree() {
        assert_eq!(date("2024/9/5").unwrap(), date("2024-09-05").unwrap());
        assert!(date("2024-02-30").unwrap_err().contains("no day 30"));
        assert!(date("24-02-03").is_err());
    }

    #[test]
    fn county_times_are_utc_plus_eight_in_both_spellings() {
        // 2026-12-08 09:00 in the county is 01:00 UTC.
        assert_eq!(county_datetime("2026-12-08 09:00"), Ok(1_796_691_600_000));
        assert_eq!(county_datetime("2026/12/8 9:00"), county_datetime("2026-12-08 09:00"));
        assert!(county_datetime("2026-12-08").unwrap_err().contains("09:00"));
        assert!(county_datetime("2026-12-08 25:00").unwrap_err().contains("no 25:00"));
        assert_eq!(count("10", 1), Ok(10));
        assert!(count("-3", 1).unwrap_err().contains("at least 1"));
        assert!(count("ten", 1).unwrap_err().contains("not a whole number"));
    }

    #[test]
    fn prices() {
        assert_eq!(yuan_to_fen("68.5"), Ok(6850));
        assert_eq!(yuan_to_fen("¥1,280.00"), Ok(128000));
        assert!(yuan_to_fen("12.345").is_err());
        assert!(yuan_to_fen("-3").is_err());
        assert!(yuan_to_fen("abc").is_err());
    }
}
