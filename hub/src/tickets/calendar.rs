//! Working days as the State Council's annual notice defines them: weekends
//! and holidays are days off, except the 调休 make-up working days. A year
//! without a calendar file is an error, never a guess: deadlines computed
//! from weekends alone would be wrong around every holiday.

use crate::catalog::fields;
use protocol::county_time;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use time::{Date, Weekday};

const SHIPPED: &[(&str, &str)] = &[("cn-2026.toml", include_str!("../../../assets/calendar/cn-2026.toml"))];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "no working-day calendar for {0}; add <data>/calendar/cn-{0}.toml from the State Council's notice"
    )]
    YearNotCovered(i32),
    #[error("calendar {file}: {message}")]
    Bad { file: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    year: i32,
    #[serde(default)]
    source: String,
    holidays: Vec<String>,
    workdays: Vec<String>,
}

#[derive(Clone, Debug, Default)]
struct Year {
    source: String,
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

/// One year of the calendar, as a page shows it.
#[derive(Clone, Debug)]
pub struct YearSummary {
    pub year: i32,
    /// The notice it was copied from.
    pub source: String,
    /// Runs of consecutive holidays, first and last day.
    pub holidays: Vec<(Date, Date)>,
    pub workdays: Vec<Date>,
}

#[derive(Clone, Debug, Default)]
pub struct Calendar {
    years: BTreeMap<i32, Year>,
}

impl Calendar {
    /// The shipped years plus any `*.toml` in `extra_dir` (staff's additions
    /// replace a shipped year of the same number).
    pub fn load(extra_dir: Option<&Path>) -> Result<Calendar, CalendarError> {
        let mut cal = Calendar::default();
        for (name, text) in SHIPPED {
            cal.add_file(name, text)?;
        }
        if let Some(dir) = extra_dir
            && let Ok(entries) = std::fs::read_dir(dir)
        {
            let mut files: Vec<_> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            files.sort();
            for path in files {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| CalendarError::Bad { file: name.clone(), message: e.to_string() })?;
                cal.add_file(&name, &text)?;
            }
        }
        Ok(cal)
    }

    fn add_file(&mut self, file: &str, text: &str) -> Result<(), CalendarError> {
        let bad = |message: String| CalendarError::Bad { file: file.to_owned(), message };
        let f: YearFile = toml::from_str(text).map_err(|e| bad(e.message().to_owned()))?;
        let mut year = Year { source: f.source, ..Year::default() };
        for entry in &f.holidays {
            let (a, b) = entry.split_once("..").unwrap_or((entry, entry));
            let (a, b) = (fields::date(a.trim()).map_err(&bad)?, fields::date(b.trim()).map_err(&bad)?);
            if b < a {
                return Err(bad(format!("holiday range {entry} runs backwards")));
            }
            let mut d = a;
            while d <= b {
                year.holidays.insert(d);
                d = d.next_day().expect("dates in range");
            }
        }
        for entry in &f.workdays {
            let d = fields::date(entry.trim()).map_err(&bad)?;
            if !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
                return Err(bad(format!("make-up working day {entry} is not a weekend day")));
            }
            year.workdays.insert(d);
        }
        if let Some(d) = year.holidays.iter().chain(year.workdays.iter()).find(|d| d.year() != f.year) {
            return Err(bad(format!("{} is not in year {}", county_time::iso_date(*d), f.year)));
        }
        self.years.insert(f.year, year);
        Ok(())
    }

    /// This calendar with one more year file (`text`), which replaces a
    /// year of the same number; an error names what is wrong in it.
    pub fn with_year(&self, file: &str, text: &str) -> Result<Calendar, CalendarError> {
        let mut c = self.clone();
        c.add_file(file, text)?;
        Ok(c)
    }

    pub fn summary(&self, year: i32) -> Option<YearSummary> {
        let y = self.years.get(&year)?;
        let mut holidays: Vec<(Date, Date)> = Vec::new();
        for d in &y.holidays {
            match holidays.last_mut() {
                Some((_, last)) if last.next_day() == Some(*d) => *last = *d,
                _ => holidays.push((*d, *d)),
            }
        }
        Some(YearSummary {
            year,
            source: y.source.clone(),
            holidays,
            workdays: y.workdays.iter().copied().collect(),
        })
    }

    /// The years this calendar knows, oldest first.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        let y = self.years.get(&d.year()).ok_or(CalendarError::YearNotCovered(d.year()))?;
        if y.workdays.contains(&d) {
            return Ok(true);
        }
        if y.holidays.contains(&d) {
            return Ok(false);
        }
        Ok(!matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday))
    }

    /// The `n`-th working day after `start` (`start` itself not counted).
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.next_day().expect("dates in range");
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_real_2026_calendar() {
        let c = Calendar::load(None).unwrap();
        assert!(c.is_working_day(date!(2026 - 09 - 20)).unwrap(), "Sunday 9-20 is a make-up working day");
        assert!(c.is_working_day(date!(2026 - 10 - 10)).unwrap(), "Saturday 10-10 is a make-up working day");
        for day in 1..=7 {
            assert!(
                !c.is_working_day(Date::from_calendar_date(2026, time::Month::October, day).unwrap())
                    .unwrap()
            );
        }
        assert!(!c.is_working_day(date!(2026 - 10 - 11)).unwrap(), "an ordinary Sunday");
        assert!(c.is_working_day(date!(2026 - 10 - 12)).unwrap());
        // Five working days from Tuesday 29 September: 30 Sep, then the
        // holiday week, then Thu 8, Fri 9, Sat 10 (make-up), Mon 12.
        assert_eq!(c.add_working_days(date!(2026 - 09 - 29), 5).unwrap(), date!(2026 - 10 - 12));
        // From Friday 18 September, the make-up Sunday counts: 20, 21, 22, 23, 24.
        assert_eq!(c.add_working_days(date!(2026 - 09 - 18), 5).unwrap(), date!(2026 - 09 - 24));
        // Spring Festival: from Friday 13 February, Sat 14 is a working day.
        assert_eq!(c.add_working_days(date!(2026 - 02 - 13), 2).unwrap(), date!(2026 - 02 - 24));
    }

    #[test]
    fn a_missing_year_is_an_error_not_a_guess() {
        let c = Calendar::load(None).unwrap();
        assert_eq!(c.is_working_day(date!(2027 - 03 - 01)), Err(CalendarError::YearNotCovered(2027)));
        assert_eq!(c.add_working_days(date!(2026 - 12 - 28), 5), Err(CalendarError::YearNotCovered(2027)));
    }

    #[test]
    fn staff_can_add_a_year() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("cn-2027.toml"),
            "year = 2027\nholidays = [\"2027-01-01\"]\nworkdays = []\n",
        )
        .unwrap();
        let c = Calendar::load(Some(dir.path())).unwrap();
        assert!(!c.is_working_day(date!(2027 - 01 - 01)).unwrap());
        assert!(c.is_working_day(date!(2027 - 01 - 04)).unwrap());
        std::fs::write(
            dir.path().join("bad.toml"),
            "year = 2028\nholidays = []\nworkdays = [\"2028-01-05\"]\n",
        )
        .unwrap();
        assert!(matches!(Calendar::load(Some(dir.path())), Err(CalendarError::Bad { .. })));
    }
}
