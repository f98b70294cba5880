//! Effectively-once telemetry ingest.
//!
//! One event batch is applied in one store operation: each event whose
//! number the kiosk's received ranges do not hold yet is inserted with
//! `(kid, seq)` as primary key (a duplicate changes nothing), aggregates
//! move only for rows really inserted, and the kiosk's high-water mark
//! advances. The caller publishes the ack only after the writer has
//! committed, so a crash anywhere leads to a resend, never to a double count.

pub mod aggregates;
pub mod ranges;

use crate::store::StoreError;
use crate::tickets::calendar::Calendar;
use aggregates::Deltas;
use protocol::messages::{EventBatch, EventsAck};
use protocol::{KioskId, county_time};
use ranges::Received;
use rusqlite::{Connection, OptionalExtension, params};

/// Why a batch was refused as a whole (nothing of it is applied).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BatchError {
    #[error("batch is empty")]
    Empty,
    #[error("batch has {0} events; the limit is {max}", max = protocol::limits::MAX_EVENTS_PER_BATCH)]
    TooLarge(usize),
    #[error("sequence numbers must start at 1 and be contiguous and increasing (found {prev} then {next})")]
    NotContiguous { prev: u64, next: u64 },
}

/// Checked before anything is written.
pub fn check(batch: &EventBatch) -> Result<(), BatchError> {
    let n = batch.events.len();
    if n == 0 {
        return Err(BatchError::Empty);
    }
    if n > protocol::limits::MAX_EVENTS_PER_BATCH {
        return Err(BatchError::TooLarge(n));
    }
    if batch.events[0].seq == 0 {
        return Err(BatchError::NotContiguous { prev: 0, next: 0 });
    }
    for w in batch.events.windows(2) {
        if w[1].seq != w[0].seq + 1 {
            return Err(BatchError::NotContiguous { prev: w[0].seq, next: w[1].seq });
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub inserted: usize,
    pub duplicates: usize,
    pub ack: EventsAck,
}

/// Apply checked batches from `kid`, received at `now`, in one operation
/// (the dispatcher groups a kiosk's batches that arrive together). Complaint
/// deadlines of new tickets are counted with `cal`.
pub fn ingest(
    conn: &Connection,
    kid: &KioskId,
    batches: &[EventBatch],
    now: i64,
    cal: &Calendar,
) -> Result<Ingested, StoreError> {
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO events(kid, seq, t, clock_trusted, day, kind, body, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let mut deltas = Deltas::default();
    let mut inserted = 0;
    let mut received = received(conn, kid)?;
    // A number received before is a duplicate even when retention has
    // deleted its row (store::retention); the table's key catches the rest.
    let already = received.clone();
    for e in batches.iter().flat_map(|b| &b.events).filter(|e| !already.contains(e.seq)) {
        // A kiosk without a trusted clock is counted on the day it reports.
        let at = if e.clock_trusted { e.t as i64 } else { now };
        let day = county_time::iso_date_of(at);
        let body = serde_json::to_string(&e.kind).expect("events serialise");
        let n = insert.execute(params![
            kid.as_str(),
            e.seq,
            e.t,
            e.clock_trusted,
            day,
            e.kind.name(),
            body,
            now
        ])?;
        if n == 1 {
            inserted += 1;
            deltas.add(kid.as_str(), &day, at, e.seq, &e.kind);
        }
    }
    deltas.apply(conn, kid.as_str(), now, cal)?;

    for b in batches.iter().filter(|b| !b.events.is_empty()) {
        received.add(b.events[0].seq, b.events[b.events.len() - 1].seq);
    }
    let duplicates = batches.iter().map(|b| b.events.len()).sum::<usize>() - inserted;
    conn.prepare_cached(
        "INSERT INTO kiosk_seq(kid, upto, above, events, duplicates) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(kid) DO UPDATE SET upto = excluded.upto, above = excluded.above,
           events = events + excluded.events, duplicates = duplicates + excluded.duplicates",
    )?
    .execute(params![
        kid.as_str(),
        received.upto,
        serde_json::to_string(&received.above).expect("ranges serialise"),
        inserted,
        duplicates
    ])?;
    Ok(Ingested { inserted, duplicates, ack: EventsAck { upto: received.upto, missing: received.missing() } })
}

/// The ack for a kiosk as things stand (sent again after its birth); `upto`
/// 0 for a kiosk the hub holds nothing from.
pub fn current_ack(conn: &Connection, kid: &KioskId) -> Result<EventsAck, StoreError> {
    let r = received(conn, kid)?;
    Ok(EventsAck { upto: r.upto, missing: r.missing() })
}

fn received(conn: &Connection, kid: &KioskId) -> Result<Received, StoreError> {
    Ok(conn
        .prepare_cached("SELECT upto, above FROM kiosk_seq WHERE kid = ?1")?
        .query_row([kid.as_str()], |r| Ok((r.get::<_, u64>(0)?, r.get::<_, String>(1)?)))
        .optional()?
        .map(|(upto, above)| Received { upto, above: serde_json::from_str(&above).unwrap_or_default() })
        .unwrap_or_default())
}

/// A kiosk holds nothing below `held_from` any more (it keeps acknowledged
/// events for a week): whatever the hub lacks below it is lost for good.
/// Mark it received so that the ack moves past the gap, count it in
/// `kiosk_seq.lost`, and return how many events that was.
pub fn write_off(conn: &Connection, kid: &KioskId, held_from: u64) -> Result<u64, StoreError> {
    let mut r = received(conn, kid)?;
    if held_from <= r.upto + 1 {
        return Ok(0);
    }
    let gap_end = held_from - 1;
    let already: u64 =
        r.above.iter().filter(|(a, _)| *a <= gap_end).map(|&(a, b)| b.min(gap_end) - a + 1).sum();
    let lost = gap_end - r.upto - already;
    r.add(r.upto + 1, gap_end);
    conn.prepare_cached(
        "INSERT INTO kiosk_seq(kid, upto, above, lost) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(kid) DO UPDATE SET upto = excluded.upto, above = excluded.above, lost = lost + excluded.lost",
    )?
    .execute(params![kid.as_str(), r.upto, serde_json::to_string(&r.above).expect("ranges serialise"), lost])?;
    Ok(lost)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DataDir, open_write};
    use protocol::messages::{Event, EventKind};

    /// A newer kiosk's event kind is kept whole, counted under its name and
    /// acknowledged: an older hub never stalls a newer kiosk's outbox.
    #[test]
    fn an_unknown_event_kind_is_kept_counted_and_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&DataDir::new(dir.path()).unwrap()).unwrap();
        let cal = Calendar::load(None).unwrap();
        let kid = KioskId::new("shinan-01").unwrap();
        let body = serde_json::json!({"kind": "story_open", "story_id": "s-3"});
        let story = EventKind::Other(body.as_object().unwrap().clone());
        let t = 1_764_547_200_000;
        let events = vec![
            Event { seq: 1, t, clock_trusted: true, kind: EventKind::AttractExit },
            Event { seq: 2, t, clock_trusted: true, kind: story },
        ];
        let done = ingest(&conn, &kid, &[EventBatch { session: 1, events }], t as i64, &cal).unwrap();
        assert_eq!(done.ack.upto, 2, "{:?}", done.ack);
        let (kind, kept): (String, String) = conn
            .query_row("SELECT kind, body FROM events WHERE seq = 2", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(kind, "story_open");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&kept).unwrap(), body);
        let counted: i64 = conn
            .query_row("SELECT count FROM agg_kiosk_day WHERE kind = 'story_open'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(counted, 1);
    }
}
