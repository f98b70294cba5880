//! Births and deaths with the session counter (Sparkplug-style): a death
//! older than the latest birth is stale and ignored, so a will delivered
//! late never marks a live kiosk offline.

use crate::store::StoreError;
use protocol::KioskId;
use protocol::messages::Status;
use rusqlite::{Connection, OptionalExtension, params};

#[derive(Debug, PartialEq, Eq)]
pub enum Transition {
    CameOnline,
    Rebirth,
    WentOffline,
    Stale,
}

/// Apply one status message at time `now` (Unix ms).
pub fn record(conn: &Connection, kid: &KioskId, status: &Status, now: i64) -> Result<Transition, StoreError> {
    let current: Option<(u64, bool)> = conn
        .query_row("SELECT session, online FROM presence WHERE kid = ?1", [kid.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let log = |online: bool, session: u64, reason: &str| {
        conn.execute(
            "INSERT INTO presence_log(kid, at, online, session, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kid.as_str(), now, online, session, reason],
        )
    };
    match status {
        Status::Online(b) => {
            if current.is_some_and(|(s, _)| s > b.session) {
                return Ok(Transition::Stale);
            }
            let was_online_same_session = current == Some((b.session, true));
            let totals = serde_json::to_string(&b.lifetime_totals).expect("maps serialise");
            conn.execute(
                "INSERT INTO presence(kid, online, session, since, last_seen, boot_id, app_version, catalog_version, outbox_depth, lifetime_totals, features)
                 VALUES (?1, 1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(kid) DO UPDATE SET
                   online = 1, session = excluded.session,
                   since = CASE WHEN presence.online = 1 AND presence.session = excluded.session THEN presence.since ELSE excluded.since END,
                   last_seen = excluded.last_seen, boot_id = excluded.boot_id, app_version = excluded.app_version,
                   catalog_version = excluded.catalog_version, outbox_depth = excluded.outbox_depth,
                   lifetime_totals = excluded.lifetime_totals, features = excluded.features",
                params![kid.as_str(), b.session, now, b.boot_id, b.app_version, b.catalog_version, b.outbox_depth, totals, b.features.join(",")],
            )?;
            let upto = crate::ingest::current_ack(conn, kid)?.upto;
            let recorded: u64 = b.lifetime_totals.values().sum();
            let drift = drift(recorded, b.outbox_depth, upto);
            conn.execute("UPDATE presence SET drift = ?2 WHERE kid = ?1", params![kid.as_str(), drift])?;
            if drift != 0 {
                tracing::warn!(kiosk = %kid, drift, recorded, outbox = b.outbox_depth, hub_upto = upto, "event counts drift");
            }
            if let Some(from) = b.held_from {
                let lost = crate::ingest::write_off(conn, kid, from)?;
                if lost > 0 {
                    tracing::error!(kiosk = %kid, lost, held_from = from, "events lost for good: the hub lacks them and the kiosk no longer holds them");
                }
            }
            if was_online_same_session {
                return Ok(Transition::Rebirth);
            }
            log(true, b.session, "birth")?;
            Ok(Transition::CameOnline)
        }
        Status::Offline(d) => {
            match current {
                Some((s, _)) if s > d.session => return Ok(Transition::Stale),
                Some((_, false)) => return Ok(Transition::Stale),
                _ => {}
            }
            conn.execute(
                "INSERT INTO presence(kid, online, session, since, last_seen) VALUES (?1, 0, ?2, ?3, ?3)
                 ON CONFLICT(kid) DO UPDATE SET online = 0, session = excluded.session, since = excluded.since",
                params![kid.as_str(), d.session, now],
            )?;
            log(false, d.session, d.reason.as_deref().unwrap_or("will"))?;
            Ok(Transition::WentOffline)
        }
    }
}

/// Event-count drift at a birth. A kiosk numbers its events 1, 2, …, so it
/// has recorded `recorded` events, and believes the hub holds
/// `recorded - outbox` of them; the hub holds `1..=upto` contiguously.
/// - negative: the kiosk recorded fewer events than the hub already holds —
///   it lost its database and restarted its numbering;
/// - positive: the kiosk holds acks for events the hub does not have — they
///   were lost after an ack;
/// - zero otherwise (an ack still on its way is not drift).
pub fn drift(recorded: u64, outbox: u64, upto: u64) -> i64 {
    let acked = recorded.saturating_sub(outbox);
    if recorded < upto {
        recorded as i64 - upto as i64
    } else if acked > upto {
        (acked - upto) as i64
    } else {
        0
    }
}

/// Note that a kiosk was heard from.
pub fn seen(conn: &Connection, kid: &KioskId, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE presence SET last_seen = max(last_seen, ?2) WHERE kid = ?1",
        params![kid.as_str(), now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::messages::{Birth, Death};

    fn birth(session: u64) -> Status {
        Status::Online(Birth {
            session,
            boot_id: "b".into(),
            app_version: "1".into(),
            catalog_version: 0,
            outbox_depth: 0,
            lifetime_totals: Default::default(),
            ts: 0,
            held_from: None,
            features: Vec::new(),
        })
    }

    #[test]
    fn drift_flags_lost_databases_and_lost_events_only() {
        assert_eq!(drift(100, 10, 90), 0, "healthy");
        assert_eq!(drift(100, 10, 95), 0, "hub ahead of the kiosk's acks: an ack in flight");
        assert_eq!(drift(20, 0, 90), -70, "kiosk restarted its numbering");
        assert_eq!(drift(100, 0, 90), 10, "acked but not held by the hub");
    }

    #[test]
    fn a_stale_death_after_a_newer_birth_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open_write(&crate::store::DataDir::new(dir.path()).unwrap()).unwrap();
        let k = KioskId::new("k1").unwrap();
        assert_eq!(record(&conn, &k, &birth(1), 10).unwrap(), Transition::CameOnline);
        assert_eq!(record(&conn, &k, &birth(2), 20).unwrap(), Transition::CameOnline);
        // The will of session 1 arrives late.
        let late = Status::Offline(Death { session: 1, reason: None });
        assert_eq!(record(&conn, &k, &late, 30).unwrap(), Transition::Stale);
        let online: bool =
            conn.query_row("SELECT online FROM presence WHERE kid='k1'", [], |r| r.get(0)).unwrap();
        assert!(online);
        // The current session's will counts.
        let now = Status::Offline(Death { session: 2, reason: None });
        assert_eq!(record(&conn, &k, &now, 40).unwrap(), Transition::WentOffline);
        // A replayed old birth does not resurrect it.
        assert_eq!(record(&conn, &k, &birth(1), 50).unwrap(), Transition::Stale);
        let log: i64 =
            conn.query_row("SELECT count(*) FROM presence_log WHERE kid='k1'", [], |r| r.get(0)).unwrap();
        assert_eq!(log, 3);
    }

    #[test]
    fn a_birth_writes_off_what_neither_side_holds_any_more() {
        let dir = tempfile::tempdir().unwrap();
        let conn = crate::store::open_write(&crate::store::DataDir::new(dir.path()).unwrap()).unwrap();
        let k = KioskId::new("k1").unwrap();
        // The hub holds 1..=10 and 21..=25; the kiosk holds from 31 on.
        conn.execute("INSERT INTO kiosk_seq(kid, upto, above) VALUES ('k1', 10, '[[21,25]]')", []).unwrap();
        let Status::Online(mut b) = birth(1) else { unreachable!() };
        b.held_from = Some(31);
        record(&conn, &k, &Status::Online(b.clone()), 10).unwrap();
        let ack = crate::ingest::current_ack(&conn, &k).unwrap();
        assert_eq!((ack.upto, ack.missing.len()), (30, 0));
        let lost: u64 =
            conn.query_row("SELECT lost FROM kiosk_seq WHERE kid='k1'", [], |r| r.get(0)).unwrap();
        assert_eq!(lost, 15, "11..=20 and 26..=30");
        // Said again, it changes nothing; a kiosk that holds everything loses nothing.
        b.session = 2;
        record(&conn, &k, &Status::Online(b), 20).unwrap();
        let k2 = KioskId::new("k2").unwrap();
        let Status::Online(mut fresh) = birth(1) else { unreachable!() };
        fresh.held_from = Some(1);
        record(&conn, &k2, &Status::Online(fresh), 30).unwrap();
        let lost: u64 = conn.query_row("SELECT sum(lost) FROM kiosk_seq", [], |r| r.get(0)).unwrap();
        assert_eq!(lost, 15);
    }
}
