//! Adding a year to the working-day calendar as staff do it: copying the
//! holidays and make-up days from the State Council's notice into a form,
//! seeing which complaint deadlines that changes, then saving it as
//! `<data>/calendar/cn-<year>.toml` — the file `Calendar::load` reads.

use super::calendar::{Calendar, CalendarError};
use super::deadlines;
use crate::store::{StoreError, now_ms};
use rusqlite::{Connection, params};
use std::path::{Path, PathBuf};

/// What staff typed: one holiday (a day, or `first..last`) or make-up day
/// per line or separated by commas; `#` starts a note kept in the file.
#[derive(Clone, Debug, Default)]
pub struct YearEntry {
    pub year: i32,
    pub source: String,
    pub holidays: String,
    pub workdays: String,
}

impl YearEntry {
    /// The year file's text (checked by [`YearEntry::check`], not here).
    pub fn to_toml(&self) -> String {
        let mut out = format!(
            "# Working-day calendar for {}, entered in the staff console.\n\nyear = {}\nsource = {}\nholidays = [\n",
            self.year,
            self.year,
            toml::Value::String(self.source.trim().to_owned())
        );
        for (entry, note) in entries(&self.holidays, true) {
            out.push_str(&format!("  {},{}\n", toml::Value::String(entry), note_of(&note)));
        }
        out.push_str("]\nworkdays = [\n");
        for (entry, note) in entries(&self.workdays, false) {
            out.push_str(&format!("  {},{}\n", toml::Value::String(entry), note_of(&note)));
        }
        out.push_str("]\n");
        out
    }

    /// `calendar` with this year added (or replacing the year it had).
    pub fn check(&self, calendar: &Calendar) -> Result<Calendar, CalendarError> {
        let bad = |message: &str| CalendarError::Bad { file: self.file_name(), message: message.to_owned() };
        if !(2000..=2100).contains(&self.year) {
            return Err(bad("the year must be between 2000 and 2100"));
        }
        if entries(&self.holidays, true).is_empty() {
            return Err(bad("no holidays: copy them from the notice, one per line"));
        }
        calendar.with_year(&self.file_name(), &self.to_toml())
    }

    pub fn file_name(&self) -> String {
        format!("cn-{}.toml", self.year)
    }
}

fn note_of(note: &str) -> String {
    if note.is_empty() { String::new() } else { format!(" # {note}") }
}

/// The entries of a text box with their notes. Ranges may be written
/// `a..b`, `a~b` or `a至b`; dates may be separated by commas or spaces.
fn entries(text: &str, ranges: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let (body, note) = line.split_once('#').unwrap_or((line, ""));
        let note: String = note.trim().chars().filter(|c| !c.is_control()).collect();
        let body = body.replace(['，', '、', ';', '；'], ",");
        let body = if ranges { body.replace(['~', '～', '至'], "..") } else { body };
        let items: Vec<String> = body
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let n = items.len();
        for (i, item) in items.into_iter().enumerate() {
            // The note belongs to the line: kept on its last entry.
            out.push((item, if i + 1 == n { note.clone() } else { String::new() }));
        }
    }
    out
}

/// Save a checked year as `<dir>/cn-<year>.toml`, whole or not at all.
pub fn save(dir: &Path, entry: &YearEntry) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(entry.file_name());
    let tmp = dir.join(format!(".{}.tmp", entry.file_name()));
    std::fs::write(&tmp, entry.to_toml())?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// A complaint whose resolution deadline a calendar change sets or moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineChange {
    pub ticket_no: String,
    pub submitted_at: i64,
    /// None: it had no deadline (its fifth working day was in a year the
    /// calendar did not know).
    pub before: Option<i64>,
    pub after: i64,
}

/// Complaints not yet resolved or closed (or still without a deadline) whose
/// deadline under `calendar` differs from the one they have.
pub fn deadline_changes(conn: &Connection, calendar: &Calendar) -> Result<Vec<DeadlineChange>, StoreError> {
    let mut st = conn.prepare(
        "SELECT ticket_no, submitted_at, resolution_due FROM tickets
         WHERE is_complaint AND (resolution_due IS NULL OR (resolved_at IS NULL AND closed_at IS NULL))
         ORDER BY submitted_at",
    )?;
    let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (ticket_no, submitted_at, before): (String, i64, Option<i64>) = row?;
        if let Ok(after) = deadlines::resolution_due(calendar, submitted_at)
            && before != Some(after)
        {
            out.push(DeadlineChange { ticket_no, submitted_at, before, after });
        }
    }
    Ok(out)
}

/// Give each complaint its new deadline; each is a new revision, so its
/// kiosk hears of it.
pub fn apply(conn: &Connection, changes: &[DeadlineChange]) -> Result<(), StoreError> {
    let mut st = conn.prepare(
        "UPDATE tickets SET resolution_due = ?2, rev = rev + 1, updated_at = ?3 WHERE ticket_no = ?1",
    )?;
    for c in changes {
        st.execute(params![c.ticket_no, c.after, now_ms()])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn entry_2027() -> YearEntry {
        YearEntry {
            year: 2027,
            source: "国务院办公厅关于2027年部分节假日安排的通知 \"测试\"".into(),
            holidays: "2027-01-01 # 元旦\n2027-02-06至2027-02-13 # 春节\n\n2027-10-01~2027-10-07，2027-05-01..2027-05-05"
                .into(),
            workdays: "2027-02-20, 2027-09-26  2027-10-09".into(),
        }
    }

    #[test]
    fn what_staff_type_becomes_a_year_file_the_calendar_reads() {
        let base = Calendar::load(None).unwrap();
        let cal = entry_2027().check(&base).unwrap();
        assert_eq!(cal.years(), [2026, 2027]);
        assert!(!cal.is_working_day(date!(2027 - 02 - 10)).unwrap(), "Spring Festival");
        assert!(cal.is_working_day(date!(2027 - 02 - 20)).unwrap(), "a make-up Saturday");
        let s = cal.summary(2027).unwrap();
        assert_eq!(s.holidays.len(), 4);
        assert_eq!(s.holidays[1], (date!(2027 - 02 - 06), date!(2027 - 02 - 13)));
        assert!(s.source.contains("\"测试\""));
        let text = entry_2027().to_toml();
        assert!(text.contains("\"2027-02-06..2027-02-13\", # 春节"), "{text}");
        // Saved and loaded from the data folder, as the hub loads it.
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &entry_2027()).unwrap();
        let loaded = Calendar::load(Some(dir.path())).unwrap();
        assert_eq!(loaded.summary(2027).unwrap().workdays, s.workdays);
    }

    #[test]
    fn mistakes_are_named() {
        let base = Calendar::load(None).unwrap();
        let mut e = entry_2027();
        e.workdays = "2027-02-22".into(); // a Monday
        let err = e.check(&base).unwrap_err().to_string();
        assert!(err.contains("2027-02-22 is not a weekend day"), "{err}");
        let mut e = entry_2027();
        e.holidays = "2028-01-01".into();
        assert!(e.check(&base).unwrap_err().to_string().contains("not in year 2027"));
        let mut e = entry_2027();
        e.holidays = "2027-02-30".into();
        assert!(e.check(&base).is_err());
        let mut e = entry_2027();
        e.holidays = "# only a note".into();
        assert!(e.check(&base).unwrap_err().to_string().contains("no holidays"));
        e.year = 1999;
        assert!(e.check(&base).is_err());
    }
}
