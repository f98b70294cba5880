//! Kiosk uptime per county day, from the presence history (every birth and
//! will the hub recorded, with times).
//!
//! A day counts from midnight, or from the kiosk's registration if later,
//! to the next midnight or now; time before a kiosk's first birth is
//! offline.

use crate::store::StoreError;
use protocol::county_time::{self, end_of_day, start_of_day};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;
use time::Date;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uptime {
    pub online_ms: i64,
    /// The part of the day the kiosk could have been online.
    pub possible_ms: i64,
}

impl Uptime {
    pub fn percent(&self) -> f64 {
        if self.possible_ms == 0 { 0.0 } else { 100.0 * self.online_ms as f64 / self.possible_ms as f64 }
    }
    pub fn add(&mut self, o: Uptime) {
        self.online_ms += o.online_ms;
        self.possible_ms += o.possible_ms;
    }
}

/// Uptime of each registered kiosk on each day `from..=to`, keyed by
/// (kiosk, `YYYY-MM-DD`).
pub fn by_kiosk_day(
    conn: &Connection,
    from: Date,
    to: Date,
    now: i64,
) -> Result<BTreeMap<(String, String), Uptime>, StoreError> {
    let (start, end) = (start_of_day(from), end_of_day(to) + 1);
    let kiosks: Vec<(String, i64)> = conn
        .prepare("SELECT kid, created_at FROM kiosks WHERE revoked_at IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut out = BTreeMap::new();
    let mut before = conn.prepare_cached(
        "SELECT online FROM presence_log WHERE kid = ?1 AND at < ?2 ORDER BY at DESC, rowid DESC LIMIT 1",
    )?;
    let mut during = conn.prepare_cached(
        "SELECT at, online FROM presence_log WHERE kid = ?1 AND at >= ?2 AND at < ?3 ORDER BY at, rowid",
    )?;
    for (kid, created) in kiosks {
        let mut online: bool = before.query_row(params![kid, start], |r| r.get(0)).unwrap_or(false);
        let changes: Vec<(i64, bool)> = during
            .query_map(params![kid, start, end], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        // Online intervals within [start, min(end, now)).
        let stop = end.min(now);
        let mut intervals = Vec::new();
        let mut since = start;
        for (at, on) in changes {
            if online && !on {
                intervals.push((since, at));
            }
            if !online && on {
                since = at;
            }
            online = on;
        }
        if online {
            intervals.push((since, stop));
        }
        let mut day = from;
        loop {
            let (a, b) = (start_of_day(day), end_of_day(day) + 1);
            let possible = (b.min(now) - a.max(created)).max(0);
            let on: i64 =
                intervals.iter().map(|(x, y)| ((*y).min(b).min(now) - (*x).max(a).max(created)).max(0)).sum();
            out.insert(
                (kid.clone(), county_time::iso_date(day)),
                Uptime { online_ms: on.min(possible), possible_ms: possible },
            );
            if day >= to {
                break;
            }
            day = day.next_day().expect("dates in range");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DataDir, open_write};
    use time::macros::{date, datetime};

    fn ms(t: time::OffsetDateTime) -> i64 {
        (t.unix_timestamp_nanos() / 1_000_000) as i64
    }

    #[test]
    fn splits_online_time_at_county_midnight() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&DataDir::new(dir.path()).unwrap()).unwrap();
        let created = ms(datetime!(2026-11-01 00:00 +8));
        conn.execute(
            "INSERT INTO kiosks(kid, group_name, secret, created_at, station_no) VALUES ('k', 'g', x'00', ?1, 1)",
            [created],
        )
        .unwrap();
        let log = |t: time::OffsetDateTime, on: bool| {
            conn.execute(
                "INSERT INTO presence_log(kid, at, online, session) VALUES ('k', ?1, ?2, 1)",
                params![ms(t), on],
            )
            .unwrap();
        };
        // Online from 10:00 on the 2nd to 06:00 on the 3rd, then from 18:00 on the 3rd on.
        log(datetime!(2026-11-02 10:00 +8), true);
        log(datetime!(2026-11-03 06:00 +8), false);
        log(datetime!(2026-11-03 18:00 +8), true);
        let now = ms(datetime!(2026-11-04 12:00 +8));
        let u = by_kiosk_day(&conn, date!(2026 - 11 - 01), date!(2026 - 11 - 05), now).unwrap();
        let h = |d: &str| {
            let x = u[&("k".to_owned(), d.to_owned())];
            (x.online_ms / 3_600_000, x.possible_ms / 3_600_000)
        };
        assert_eq!(h("2026-11-01"), (0, 24));
        assert_eq!(h("2026-11-02"), (14, 24));
        assert_eq!(h("2026-11-03"), (12, 24));
        assert_eq!(h("2026-11-04"), (12, 12), "today counts up to now");
        assert_eq!(h("2026-11-05"), (0, 0), "the future is not downtime");
    }
}
