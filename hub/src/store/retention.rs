//! What the hub forgets, and when. The reports read the daily aggregates,
//! which are small and kept for ever; the rows that grow with every
//! interaction (raw events, parcel rows, presence changes, per-minute
//! counts, finished staff commands and their screenshots) are dropped once
//! they are older than the county keeps them. `hub serve --keep-raw-days`
//! and `--keep-commands-days` set the periods.
//!
//! Raw events are also the hub's duplicate check, so an event is only
//! forgotten when its number is at or below the kiosk's high-water mark:
//! ingest refuses those numbers before it looks at the table (see
//! `ingest::ingest`), and a kiosk resending a forgotten event counts it
//! nowhere.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

const DAY_MS: i64 = 86_400_000;

/// Rows deleted per statement: a pass never holds the writer for long.
const CHUNK: i64 = 5_000;

/// How long the hub keeps what grows without bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// Raw events, parcel rows and presence changes (the audit trail under
    /// the reports; a year and a month by default, so last year's month
    /// can be checked against this year's).
    pub raw_days: u32,
    /// Finished staff commands and the screenshots they brought back.
    pub commands_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Retention { raw_days: 400, commands_days: 90 }
    }
}

/// The per-minute counts only feed the live minute of the big screen.
const MINUTES_KEPT_MS: i64 = 2 * DAY_MS;

/// What one pass deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Forgotten {
    pub events: u64,
    pub parcels: u64,
    pub presence: u64,
    pub minutes: u64,
    pub commands: u64,
}

impl std::ops::AddAssign for Forgotten {
    fn add_assign(&mut self, o: Forgotten) {
        self.events += o.events;
        self.parcels += o.parcels;
        self.presence += o.presence;
        self.minutes += o.minutes;
        self.commands += o.commands;
    }
}

impl Forgotten {
    pub fn total(&self) -> u64 {
        self.events + self.parcels + self.presence + self.minutes + self.commands
    }
}

/// One step of a pass: a bounded amount of work, so the writer can
/// interleave ingest between steps. [`forget_step`] returns `None` when the
/// pass is over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Minutes,
    Commands,
    /// Raw events and presence changes of the kiosks (registered or heard
    /// from) from this index on, in `kid` order.
    Kiosk(usize),
    Parcels,
}

/// Do one step of forgetting what is older than `retention` allows at
/// `now`; screenshots are files under `data_root`. Returns the next step.
pub fn forget_step(
    conn: &Connection,
    data_root: &Path,
    now: i64,
    retention: &Retention,
    step: &Step,
    done: &mut Forgotten,
) -> Result<Option<Step>, StoreError> {
    let raw_before = now - i64::from(retention.raw_days) * DAY_MS;
    Ok(match step {
        Step::Minutes => {
            let minute_before = now - MINUTES_KEPT_MS;
            done.minutes += conn.execute("DELETE FROM agg_minute WHERE minute < ?1", [minute_before])? as u64;
            Some(Step::Commands)
        }
        Step::Commands => {
            let before = now - i64::from(retention.commands_days) * DAY_MS;
            done.commands += forget_commands(conn, data_root, before)?;
            Some(Step::Kiosk(0))
        }
        Step::Kiosk(ix) => {
            let kid: Option<String> = conn
                .query_row(
                    "SELECT kid FROM (SELECT kid FROM kiosks UNION SELECT kid FROM kiosk_seq)
                     ORDER BY kid LIMIT 1 OFFSET ?1",
                    [*ix as i64],
                    |r| r.get(0),
                )
                .optional()?;
            match kid {
                None => Some(Step::Parcels),
                Some(kid) => {
                    let (events, more) = forget_events(conn, &kid, raw_before)?;
                    done.events += events;
                    if more {
                        Some(Step::Kiosk(*ix))
                    } else {
                        done.presence += forget_presence(conn, &kid, raw_before)?;
                        Some(Step::Kiosk(ix + 1))
                    }
                }
            }
        }
        Step::Parcels => {
            let n = conn.execute(
                "DELETE FROM parcels WHERE (waybill, direction) IN
                   (SELECT waybill, direction FROM parcels WHERE t < ?1 LIMIT ?2)",
                params![raw_before, CHUNK],
            )?;
            done.parcels += n as u64;
            (n as i64 == CHUNK).then_some(Step::Parcels)
        }
    })
}

/// A whole pass in one go (tests, and a hub that is not serving).
pub fn forget_past(
    conn: &Connection,
    data_root: &Path,
    now: i64,
    retention: &Retention,
) -> Result<Forgotten, StoreError> {
    let mut done = Forgotten::default();
    let mut step = Some(Step::Minutes);
    while let Some(s) = step {
        step = forget_step(conn, data_root, now, retention, &s, &mut done)?;
    }
    Ok(done)
}

/// Up to [`CHUNK`] of `kid`'s oldest events received before `before` and
/// at or below its high-water mark; true when there may be more.
fn forget_events(conn: &Connection, kid: &str, before: i64) -> Result<(u64, bool), StoreError> {
    let upto: Option<i64> =
        conn.query_row("SELECT upto FROM kiosk_seq WHERE kid = ?1", [kid], |r| r.get(0)).optional()?;
    let Some(upto) = upto else { return Ok((0, false)) };
    // Numbers follow time: walk up from the oldest and stop at the first
    // event still kept, so a pass reads little more than what goes.
    let oldest: Vec<(i64, i64)> = conn
        .prepare_cached(
            "SELECT seq, received_at FROM events WHERE kid = ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3",
        )?
        .query_map(params![kid, upto, CHUNK], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let old = oldest.iter().take_while(|(_, at)| *at < before).count();
    if old == 0 {
        return Ok((0, false));
    }
    let cut = oldest[old - 1].0;
    let n = conn.execute("DELETE FROM events WHERE kid = ?1 AND seq <= ?2", params![kid, cut])? as u64;
    Ok((n, old as i64 == CHUNK))
}

/// `kid`'s presence changes before `before`, except the last of them: the
/// uptime report starts from the state a kiosk was in when a day began.
fn forget_presence(conn: &Connection, kid: &str, before: i64) -> Result<u64, StoreError> {
    let last: Option<i64> = conn
        .query_row(
            "SELECT rowid FROM presence_log WHERE kid = ?1 AND at < ?2 ORDER BY at DESC, rowid DESC LIMIT 1",
            params![kid, before],
            |r| r.get(0),
        )
        .optional()?;
    let Some(last) = last else { return Ok(0) };
    Ok(conn.execute(
        "DELETE FROM presence_log WHERE kid = ?1 AND at < ?2 AND rowid <> ?3",
        params![kid, before, last],
    )? as u64)
}

/// Finished commands created before `before`, with their screenshot files.
fn forget_commands(conn: &Connection, data_root: &Path, before: i64) -> Result<u64, StoreError> {
    let mut st = conn.prepare(
        "SELECT cid, file FROM commands WHERE created_at < ?1 AND (done_at IS NOT NULL OR expires < ?1)",
    )?;
    let old: Vec<(String, Option<String>)> =
        st.query_map([before], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    for (cid, file) in &old {
        if let Some(file) = file {
            // A file already gone is what we want; anything else is logged
            // and the row goes anyway (the file is no longer listed).
            match std::fs::remove_file(data_root.join(file)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => tracing::warn!(file, error = %e, "cannot delete an old screenshot"),
            }
        }
        conn.execute("DELETE FROM commands WHERE cid = ?1", [cid])?;
    }
    Ok(old.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ingest;
    use crate::store::{DataDir, open_write};
    use crate::tickets::calendar::Calendar;
    use protocol::KioskId;
    use protocol::messages::{Event, EventBatch, EventKind};

    const NOW: i64 = 1_800_000_000_000;

    fn events(seqs: std::ops::RangeInclusive<u64>) -> EventBatch {
        let t = (NOW - 500 * DAY_MS) as u64;
        let events =
            seqs.map(|seq| Event { seq, t, clock_trusted: true, kind: EventKind::AttractExit }).collect();
        EventBatch { session: 1, events }
    }

    fn count(conn: &Connection, sql: &str) -> i64 {
        conn.query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Old events below the high-water mark go; a kiosk sending them again
    /// counts nothing twice; events kept above a gap and recent ones stay.
    #[test]
    fn old_events_go_and_coming_back_count_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&DataDir::new(dir.path()).unwrap()).unwrap();
        let cal = Calendar::load(None).unwrap();
        let (a, b) = (KioskId::new("shinan-01").unwrap(), KioskId::new("shinan-02").unwrap());
        let long_ago = NOW - 401 * DAY_MS;
        ingest(&conn, &a, &[events(1..=5)], long_ago, &cal).unwrap();
        ingest(&conn, &a, &[events(6..=8)], NOW - DAY_MS, &cal).unwrap();
        // b: 1..=3 received, 4 missing, 5..=6 held above the gap.
        ingest(&conn, &b, &[events(1..=3), events(5..=6)], long_ago, &cal).unwrap();
        let counted = "SELECT sum(count) FROM agg_kiosk_day";
        assert_eq!(count(&conn, counted), 13);

        let done = forget_past(&conn, dir.path(), NOW, &Retention::default()).unwrap();
        assert_eq!(done.events, 8, "{done:?}");
        let left = |kid: &str| -> Vec<i64> {
            let mut st = conn.prepare("SELECT seq FROM events WHERE kid = ?1 ORDER BY seq").unwrap();
            st.query_map([kid], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
        };
        assert_eq!(left("shinan-01"), [6, 7, 8]);
        assert_eq!(left("shinan-02"), [5, 6], "events above a gap are the duplicate check's only record");

        let again = ingest(&conn, &a, &[events(1..=8)], NOW, &cal).unwrap();
        assert_eq!((again.inserted, again.duplicates, again.ack.upto), (0, 8, 8));
        let again = ingest(&conn, &b, &[events(1..=6)], NOW, &cal).unwrap();
        assert_eq!(
            (again.inserted, again.duplicates, again.ack.upto),
            (1, 5, 6),
            "only the missing 4 is new"
        );
        assert_eq!(count(&conn, counted), 14);
        // 4 arrived late and is kept, so 5 and 6 behind it wait too (a pass
        // stops at the first event kept); they go with it later.
        assert_eq!(forget_past(&conn, dir.path(), NOW, &Retention::default()).unwrap().events, 0);
        let later = NOW + 401 * DAY_MS;
        assert_eq!(forget_past(&conn, dir.path(), later, &Retention::default()).unwrap().events, 6);
    }

    /// Presence keeps the last change before the cut (the uptime report
    /// starts from it); per-minute counts keep two days; finished commands
    /// go with their screenshots, waiting ones stay; old parcel rows go.
    #[test]
    fn the_rest_of_what_grows_is_cut_and_what_reports_need_stays() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&DataDir::new(dir.path()).unwrap()).unwrap();
        let old = NOW - 401 * DAY_MS;
        for (i, online) in [true, false, true].into_iter().enumerate() {
            conn.execute(
                "INSERT INTO presence_log(kid, at, online, session) VALUES ('k1', ?1, ?2, 1)",
                params![old + i as i64, online],
            )
            .unwrap();
        }
        conn.execute(
            "INSERT INTO presence_log(kid, at, online, session) VALUES ('k1', ?1, 0, 1)",
            [NOW - DAY_MS],
        )
        .unwrap();
        // A registered kiosk that has sent no events yet.
        crate::fleet::registry::register_new(&conn, &KioskId::new("k1").unwrap(), "g").unwrap();
        for minute in [NOW - 3 * DAY_MS, NOW - DAY_MS] {
            conn.execute(
                "INSERT INTO agg_minute(minute, kind, count) VALUES (?1, 'attract_exit', 1)",
                [minute],
            )
            .unwrap();
        }
        std::fs::create_dir_all(dir.path().join("screenshots")).unwrap();
        std::fs::write(dir.path().join("screenshots/k1-c1.png"), b"png").unwrap();
        for (cid, created, done, file) in [
            ("c1", NOW - 91 * DAY_MS, Some(NOW - 91 * DAY_MS), Some("screenshots/k1-c1.png")),
            ("c2", NOW - 91 * DAY_MS, None, None),
            ("c3", NOW - DAY_MS, Some(NOW - DAY_MS), None),
        ] {
            conn.execute(
                "INSERT INTO commands(cid, kid, name, args, created_at, expires, done_at, ok, file)
                 VALUES (?1, 'k1', 'screenshot', '{}', ?2, ?3, ?4, 1, ?5)",
                params![cid, created, NOW + DAY_MS, done, file],
            )
            .unwrap();
        }
        for (waybill, t) in [("YT1", old), ("YT2", NOW - DAY_MS)] {
            conn.execute(
                "INSERT INTO parcels(waybill, direction, kid, carrier, t, day) VALUES (?1, 'in', 'k1', 'yto', ?2, '')",
                params![waybill, t],
            )
            .unwrap();
        }

        let done = forget_past(&conn, dir.path(), NOW, &Retention::default()).unwrap();
        assert_eq!(done, Forgotten { events: 0, parcels: 1, presence: 2, minutes: 1, commands: 1 });
        assert_eq!(count(&conn, "SELECT count(*) FROM presence_log WHERE online AND at < 1800000000000"), 1);
        assert_eq!(count(&conn, "SELECT count(*) FROM commands WHERE cid IN ('c2', 'c3')"), 2);
        assert!(!dir.path().join("screenshots/k1-c1.png").exists());
        assert_eq!(count(&conn, "SELECT count(*) FROM parcels WHERE waybill = 'YT2'"), 1);
        assert_eq!(forget_past(&conn, dir.path(), NOW, &Retention::default()).unwrap().total(), 0);
    }
}
