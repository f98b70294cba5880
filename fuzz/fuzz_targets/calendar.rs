//! A year of the working-day calendar as staff add it from the State
//! Council's notice: refused with a message or added, and a year that was
//! added answers every date in it and every deadline counted from it.
#![no_main]

use hub::tickets::calendar::Calendar;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn shipped() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| Calendar::load(None).expect("the shipped calendar loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(cal) = shipped().with_year("fuzzed.toml", text) else { return };
    for year in cal.years() {
        let Ok(first) = time::Date::from_ordinal_date(year, 1) else { continue };
        let summary = cal.summary(year).expect("a listed year has a summary");
        assert_eq!(summary.year, year);
        for day in [first, first.replace_month(time::Month::July).unwrap()] {
            cal.is_working_day(day).expect("a covered day is known");
            // A complaint's deadline: five working days on, possibly into a
            // year the calendar does not know, which is an error, not a panic.
            let _ = cal.add_working_days(day, 5);
        }
    }
});
