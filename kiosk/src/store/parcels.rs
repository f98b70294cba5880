//! The parcel desk's log: a parcel counts once per (waybill, direction),
//! however often it is scanned, and its event enters the outbox in the same
//! transaction as its row, or neither does (design: domain.md §7).
//!
//! Full waybill numbers stay in this kiosk's database, where the keeper
//! needs them to spot a re-scan; what leaves the kiosk is decided by the
//! caller's privacy setting (a keyed hash by default).

use super::StoreError;
use super::outbox::Outbox;
use protocol::messages::{EventKind, ParcelDirection, ParcelScan};
use rusqlite::{OptionalExtension, params};

/// One scan at the desk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParcelEntry {
    pub waybill: String,
    pub direction: ParcelDirection,
    pub carrier: String,
    pub weight_g: Option<u32>,
    pub scale_id: Option<String>,
}

/// What recording a scan did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Logged {
    /// Counted: its event has this sequence number.
    New(u64),
    /// Already counted in this direction (at `first_t`); nothing sent.
    Again { first_t: u64, scans: u32 },
}

/// Today's figures at this desk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayCounts {
    /// (direction, carrier, parcels), ordered.
    pub rows: Vec<(ParcelDirection, String, u32)>,
}

impl DayCounts {
    pub fn total(&self, d: ParcelDirection) -> u32 {
        self.rows.iter().filter(|(dir, _, _)| *dir == d).map(|(_, _, n)| n).sum()
    }
}

/// The shape of a number the keeper's carrier answer is remembered by:
/// its length and first two characters (`15:46`).
pub fn shape(number: &str) -> String {
    format!("{}:{}", number.len(), number.chars().take(2).collect::<String>())
}

impl Outbox {
    /// Record a scan on county day `day` at `t`. `sent_waybill` is the
    /// waybill as it goes to the hub and whether it is hashed.
    pub fn record_parcel(
        &self,
        e: &ParcelEntry,
        day: &str,
        t: u64,
        clock_trusted: bool,
        sent_waybill: (String, bool),
    ) -> Result<Logged, StoreError> {
        let mut again = None;
        let seq = self.record_if(t, clock_trusted, |tx, _| {
            let dir = e.direction.wire_name();
            let before: Option<(i64, u32)> = tx
                .prepare_cached("SELECT t, scans FROM parcels WHERE waybill = ?1 AND direction = ?2")?
                .query_row(params![e.waybill, dir], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((first_t, scans)) = before {
                // A weight taken on the re-scan is kept here (not sent again).
                tx.prepare_cached(
                    "UPDATE parcels SET scans = scans + 1, weight_g = coalesce(weight_g, ?3)
                     WHERE waybill = ?1 AND direction = ?2",
                )?
                .execute(params![e.waybill, dir, e.weight_g])?;
                again = Some(Logged::Again { first_t: first_t.max(0) as u64, scans: scans + 1 });
                return Ok(None);
            }
            tx.prepare_cached(
                "INSERT INTO parcels(waybill, direction, carrier, weight_g, day, t) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![e.waybill, dir, e.carrier, e.weight_g, day, t as i64])?;
            let (waybill, waybill_hashed) = sent_waybill;
            Ok(Some(EventKind::Parcel(ParcelScan {
                direction: e.direction,
                waybill,
                waybill_hashed,
                carrier: e.carrier.clone(),
                weight_g: e.weight_g,
                scale_id: e.scale_id.clone(),
            })))
        })?;
        Ok(match seq {
            Some(seq) => Logged::New(seq),
            None => again.expect("set when no event"),
        })
    }

    /// Parcels counted on county day `day`, by direction and carrier.
    pub fn parcel_counts(&self, day: &str) -> Result<DayCounts, StoreError> {
        self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT direction, carrier, count(*) FROM parcels WHERE day = ?1
                 GROUP BY direction, carrier ORDER BY direction, count(*) DESC, carrier",
            )?;
            let rows = st
                .query_map([day], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?))
                })?
                .filter_map(|r| match r {
                    Ok((d, c, n)) => ParcelDirection::from_wire_name(&d).map(|d| Ok((d, c, n))),
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<_, _>>()?;
            Ok(DayCounts { rows })
        })
    }

    /// The carrier the keeper chose last for numbers of this shape.
    pub fn remembered_carrier(&self, number: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            Ok(c.prepare_cached("SELECT carrier FROM carrier_memory WHERE shape = ?1")?
                .query_row([shape(number)], |r| r.get(0))
                .optional()?)
        })
    }

    pub fn remember_carrier(&self, number: &str, carrier: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO carrier_memory(shape, carrier) VALUES (?1, ?2)
                 ON CONFLICT(shape) DO UPDATE SET carrier = excluded.carrier",
            )?
            .execute(params![shape(number), carrier])?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(waybill: &str, d: ParcelDirection) -> ParcelEntry {
        ParcelEntry {
            waybill: waybill.into(),
            direction: d,
            carrier: "中通".into(),
            weight_g: None,
            scale_id: None,
        }
    }

    #[test]
    fn once_per_waybill_and_direction() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("k.db")).unwrap();
        let sent = |w: &str| (w.to_owned(), false);
        let a = entry("73123456789012", ParcelDirection::In);
        assert_eq!(o.record_parcel(&a, "261129", 1_000, true, sent(&a.waybill)).unwrap(), Logged::New(1));
        assert_eq!(
            o.record_parcel(&a, "261129", 2_000, true, sent(&a.waybill)).unwrap(),
            Logged::Again { first_t: 1_000, scans: 2 }
        );
        // Collected later: its own event.
        let p = entry("73123456789012", ParcelDirection::PickUp);
        assert_eq!(o.record_parcel(&p, "261129", 3_000, true, sent(&p.waybill)).unwrap(), Logged::New(2));
        let s = o.state().unwrap();
        assert_eq!((s.last_seq, s.depth, s.totals["parcel"]), (2, 2, 2));
        let counts = o.parcel_counts("261129").unwrap();
        assert_eq!(counts.total(ParcelDirection::In), 1);
        assert_eq!(counts.total(ParcelDirection::PickUp), 1);
        assert_eq!(counts.total(ParcelDirection::Out), 0);
    }

    #[test]
    fn the_keepers_carrier_is_remembered_by_shape() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("k.db")).unwrap();
        assert_eq!(o.remembered_carrier("462598779470531").unwrap(), None);
        o.remember_carrier("462598779470531", "韵达").unwrap();
        assert_eq!(o.remembered_carrier("469999999999999").unwrap().as_deref(), Some("韵达"));
        assert_eq!(o.remembered_carrier("4625987794705").unwrap(), None);
    }
}
