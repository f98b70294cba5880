//! The outbox: every interaction gets the next sequence number and is
//! committed (fsynced) before the caller goes on, so the screen changes only
//! after the count is safe. Rows leave only when the hub acknowledged them,
//! and then only after [`KEEP_ACKED`]: a hub restored from a backup asks for
//! what it lost by acknowledging less than before (see [`Outbox::hub_behind`]).

use super::{StoreError, counter, set_counter};
use protocol::messages::{Event, EventKind};
use rusqlite::{Connection, Transaction, params};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

/// Longest search text recorded (a runaway on-screen keyboard cannot make
/// a batch too large).
pub const MAX_QUERY_CHARS: usize = 64;

/// How long acknowledged events are kept. The hub is backed up nightly, so a
/// restore loses at most a day; a week also covers backups that failed over a
/// long holiday. A busy showroom kiosk records about 5,000 events a day of
/// about 200 bytes: 7 MB for the week.
pub const KEEP_ACKED: std::time::Duration = std::time::Duration::from_secs(7 * 24 * 3600);

pub struct Outbox {
    conn: Mutex<Connection>,
}

/// What the birth message reports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutboxState {
    /// Events ever recorded, by kind.
    pub totals: BTreeMap<String, u64>,
    /// Recorded but not yet acknowledged.
    pub depth: u64,
    pub last_seq: u64,
    pub acked_upto: u64,
    /// The oldest event still held (acknowledged or not); `last_seq + 1`
    /// when none is. The hub writes off what it lacks below it.
    pub held_from: u64,
}

impl Outbox {
    pub fn open(path: &Path) -> Result<Outbox, StoreError> {
        Ok(Outbox { conn: Mutex::new(super::open(path)?) })
    }

    pub(crate) fn with<R>(
        &self,
        f: impl FnOnce(&Connection) -> Result<R, StoreError>,
    ) -> Result<R, StoreError> {
        f(&self.conn.lock().expect("outbox lock"))
    }

    /// Record one interaction at `t` (Unix ms); returns its sequence number
    /// once it is durable.
    pub fn record(&self, kind: EventKind, t: u64, clock_trusted: bool) -> Result<u64, StoreError> {
        self.record_with(t, clock_trusted, |_, _| Ok(kind))
    }

    /// The same, with the event made by `build` inside the transaction (a
    /// service request takes its ticket count and stores its "my requests"
    /// row with its event, or none of them).
    pub(crate) fn record_with(
        &self,
        t: u64,
        clock_trusted: bool,
        build: impl FnOnce(&Transaction, u64) -> Result<EventKind, StoreError>,
    ) -> Result<u64, StoreError> {
        let seq = self.record_if(t, clock_trusted, |tx, seq| build(tx, seq).map(Some))?;
        Ok(seq.expect("an event was built"))
    }

    /// The same, where `build` may decide there is no event (a parcel
    /// scanned again): its other writes are kept, no sequence number used.
    pub(crate) fn record_if(
        &self,
        t: u64,
        clock_trusted: bool,
        build: impl FnOnce(&Transaction, u64) -> Result<Option<EventKind>, StoreError>,
    ) -> Result<Option<u64>, StoreError> {
        let mut conn = self.conn.lock().expect("outbox lock");
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seq = counter(&tx, "last_seq")? + 1;
        let Some(kind) = build(&tx, seq)? else {
            tx.commit()?;
            return Ok(None);
        };
        let kind = match kind {
            EventKind::Search { query, results } => {
                EventKind::Search { query: query.chars().take(MAX_QUERY_CHARS).collect(), results }
            }
            k => k,
        };
        let name = kind.name().to_owned();
        let event = Event { seq, t, clock_trusted, kind };
        tx.prepare_cached("INSERT INTO outbox(seq, body) VALUES (?1, ?2)")?
            .execute(params![seq as i64, serde_json::to_string(&event).expect("events serialise")])?;
        set_counter(&tx, "last_seq", seq)?;
        tx.prepare_cached(
            "INSERT INTO totals(kind, count) VALUES (?1, 1) ON CONFLICT(kind) DO UPDATE SET count = count + 1",
        )?
        .execute([name])?;
        tx.commit()?;
        Ok(Some(seq))
    }

    /// Up to `max` unacknowledged events from `from` on, contiguous.
    pub fn pending(&self, from: u64, max: usize) -> Result<Vec<Event>, StoreError> {
        self.with(|c| {
            let mut st =
                c.prepare_cached("SELECT seq, body FROM outbox WHERE seq >= ?1 ORDER BY seq LIMIT ?2")?;
            let rows = st.query_map(params![from as i64, max as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })?;
            let mut out: Vec<Event> = Vec::new();
            for row in rows {
                let (seq, body) = row?;
                if out.last().is_some_and(|e| e.seq + 1 != seq as u64) {
                    break;
                }
                let e: Event = serde_json::from_str(&body)
                    .map_err(|e| StoreError::Corrupt(format!("outbox row {seq}: {e}")))?;
                out.push(e);
            }
            Ok(out)
        })
    }

    /// The hub committed everything up to `upto`: those events are no longer
    /// pending (they are kept until [`Outbox::forget_acked`]). Returns how
    /// many became acknowledged.
    pub fn acked(&self, upto: u64, now_ms: u64) -> Result<usize, StoreError> {
        let mut conn = self.conn.lock().expect("outbox lock");
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before = counter(&tx, "acked_upto")?;
        if upto <= before {
            return Ok(0);
        }
        // An ack beyond what was ever recorded comes from a hub that kept
        // another life of this kiosk: keep our events (drift is the hub's
        // report to make).
        let last = counter(&tx, "last_seq")?;
        let upto = upto.min(last);
        let n = tx
            .prepare_cached("UPDATE outbox SET acked_at = ?2 WHERE seq > ?1 AND seq <= ?3")?
            .execute(params![before as i64, now_ms as i64, upto as i64])?;
        set_counter(&tx, "acked_upto", upto)?;
        tx.commit()?;
        Ok(n)
    }

    /// The hub acknowledged only `upto`, less than it had: it lost events
    /// (restored from a backup). Everything held above `upto` is pending
    /// again; returns the new acknowledged mark, which never goes below the
    /// oldest event held (the hub writes off the rest, told by the birth).
    pub fn hub_behind(&self, upto: u64) -> Result<u64, StoreError> {
        let mut conn = self.conn.lock().expect("outbox lock");
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let before = counter(&tx, "acked_upto")?;
        let held_from = held_from(&tx)?;
        let mark = upto.max(held_from.saturating_sub(1)).min(before);
        if mark < before {
            tx.prepare_cached("UPDATE outbox SET acked_at = NULL WHERE seq > ?1")?.execute([mark as i64])?;
            set_counter(&tx, "acked_upto", mark)?;
        }
        tx.commit()?;
        Ok(mark)
    }

    /// Delete events acknowledged before `cutoff_ms`; returns how many went.
    pub fn forget_acked(&self, cutoff_ms: u64) -> Result<usize, StoreError> {
        self.with(|c| {
            Ok(c.prepare_cached("DELETE FROM outbox WHERE acked_at IS NOT NULL AND acked_at < ?1")?
                .execute([cutoff_ms as i64])?)
        })
    }

    pub fn state(&self) -> Result<OutboxState, StoreError> {
        self.with(|c| {
            let totals = c
                .prepare_cached("SELECT kind, count FROM totals")?
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?
                .collect::<Result<_, _>>()?;
            let acked_upto = counter(c, "acked_upto")?;
            let depth: i64 =
                c.query_row("SELECT count(*) FROM outbox WHERE seq > ?1", [acked_upto as i64], |r| r.get(0))?;
            Ok(OutboxState {
                totals,
                depth: depth.max(0) as u64,
                last_seq: counter(c, "last_seq")?,
                acked_upto,
                held_from: held_from(c)?,
            })
        })
    }

    /// A new connection session: the counter goes up and stays up.
    pub fn next_session(&self) -> Result<u64, StoreError> {
        self.with(|c| {
            let s = counter(c, "session")? + 1;
            set_counter(c, "session", s)?;
            Ok(s)
        })
    }
}

/// The oldest event held, or the next number when the outbox is empty.
fn held_from(c: &Connection) -> Result<u64, StoreError> {
    let oldest: Option<i64> = c.query_row("SELECT min(seq) FROM outbox", [], |r| r.get(0))?;
    Ok(match oldest {
        Some(s) => s as u64,
        None => counter(c, "last_seq")? + 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_numbers_and_forgets_only_what_was_acked() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("kiosk.db")).unwrap();
        for i in 0..10 {
            let seq = o.record(EventKind::AttractExit, 1000 + i, true).unwrap();
            assert_eq!(seq, i + 1);
        }
        o.record(EventKind::Search { query: "x".repeat(500), results: 0 }, 2000, true).unwrap();
        let p = o.pending(1, 100).unwrap();
        assert_eq!(p.len(), 11);
        let EventKind::Search { query, .. } = &p[10].kind else { panic!() };
        assert_eq!(query.chars().count(), MAX_QUERY_CHARS);
        assert_eq!(o.acked(4, 100).unwrap(), 4);
        assert_eq!(o.acked(3, 100).unwrap(), 0, "an older ack changes nothing");
        assert_eq!(o.pending(5, 3).unwrap().iter().map(|e| e.seq).collect::<Vec<_>>(), [5, 6, 7]);
        assert_eq!(o.acked(99, 200).unwrap(), 7, "an ack beyond the last event stops at it");
        let s = o.state().unwrap();
        assert_eq!((s.depth, s.last_seq, s.acked_upto, s.held_from), (0, 11, 11, 1));
        assert_eq!(o.forget_acked(150).unwrap(), 4, "kept until their time is up");
        assert_eq!(o.state().unwrap().held_from, 5);
        assert_eq!(s.totals["attract_exit"], 10);
        // Numbers never go back, even after everything was acked and reopened.
        drop(o);
        let o = Outbox::open(&dir.path().join("kiosk.db")).unwrap();
        assert_eq!(o.record(EventKind::AttractExit, 3000, true).unwrap(), 12);
        assert_eq!((o.next_session().unwrap(), o.next_session().unwrap()), (1, 2));
    }

    #[test]
    fn a_hub_that_lost_events_gets_back_what_is_still_held() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("kiosk.db")).unwrap();
        for i in 0..20 {
            o.record(EventKind::AttractExit, i, true).unwrap();
        }
        o.acked(10, 100).unwrap();
        o.acked(20, 200).unwrap();
        assert_eq!(o.hub_behind(25).unwrap(), 20, "an ack beyond ours takes nothing back");
        // The hub came back from a backup holding 1..=12.
        assert_eq!(o.hub_behind(12).unwrap(), 12);
        let s = o.state().unwrap();
        assert_eq!((s.acked_upto, s.depth), (12, 8));
        assert_eq!(o.pending(13, 100).unwrap().len(), 8);
        assert_eq!(o.forget_acked(1_000).unwrap(), 12, "pending again means kept again");
        // A hub that lost more than is still held: back to the oldest held.
        assert_eq!(o.hub_behind(3).unwrap(), 12);
        assert_eq!(o.state().unwrap().held_from, 13);
    }

    #[test]
    fn a_full_disk_is_an_error_and_loses_nothing_recorded() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("kiosk.db")).unwrap();
        o.record(EventKind::AttractExit, 1, true).unwrap();
        // Let the file grow no further: as good as a full disk to SQLite.
        o.with(|c| {
            let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0))?;
            c.pragma_update(None, "max_page_count", pages)?;
            Ok(())
        })
        .unwrap();
        let mut refused = 0;
        for i in 0..2000 {
            match o.record(
                EventKind::Search { query: format!("query {i} {}", "x".repeat(60)), results: 0 },
                2,
                true,
            ) {
                Ok(_) => {}
                Err(StoreError::DiskFull) => refused += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert!(refused > 0, "the disk never filled");
        let s = o.state().unwrap();
        assert_eq!(s.depth, s.last_seq, "every event that was recorded is still there");
        assert_eq!(o.pending(1, 10_000).unwrap().len() as u64, s.last_seq);
    }
}
