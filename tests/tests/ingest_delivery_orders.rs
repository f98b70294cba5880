//! Effectively-once ingest under any delivery: batches split anywhere,
//! delivered in any order, duplicated, replayed, and lost to "crashes"
//! (transactions rolled back, then delivered again). Afterwards every
//! aggregate equals the truth computed from the generated events.

use e2e::figures::{event_kind, measured, truth};
use hub::ingest;
use hub::store::{DataDir, open_write};
use hub::tickets::calendar::Calendar;
use proptest::prelude::*;
use protocol::KioskId;
use protocol::messages::*;

const DAY0: u64 = 1_790_812_800_000; // 2026-10-01 00:00 in Tongcheng

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn any_delivery_gives_exact_counts(
        codes in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..120), 1..4),
        cuts in proptest::collection::vec(1usize..20, 40),
        schedule_seed in any::<u64>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&DataDir::new(dir.path()).unwrap()).unwrap();
        let calendar = Calendar::load(None).unwrap();
        let mut all = Vec::new();
        let mut batches: Vec<(KioskId, EventBatch)> = Vec::new();
        for (k, kcodes) in codes.iter().enumerate() {
            let kid = format!("k{k}");
            let events: Vec<Event> = kcodes.iter().enumerate().map(|(i, c)| {
                let seq = i as u64 + 1;
                Event { seq, t: DAY0 + seq * 3_600_000, clock_trusted: true, kind: event_kind(*c, seq * 7 + k as u64) }
            }).collect();
            // Split into batches at the generated cut sizes.
            let mut i = 0;
            let mut c = 0;
            while i < events.len() {
                let n = cuts[c % cuts.len()].min(events.len() - i);
                batches.push((KioskId::new(&kid).unwrap(), EventBatch { session: 1, events: events[i..i + n].to_vec() }));
                i += n;
                c += 1;
            }
            all.push((kid, events));
        }
        // Delivery: a shuffled stream where every batch appears one to three
        // times, and some transactions "crash" (roll back) before commit.
        let mut rng = schedule_seed | 1;
        let mut next = || { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; rng };
        let mut pending: Vec<usize> = (0..batches.len()).flat_map(|i| std::iter::repeat_n(i, 1 + (i % 3))).collect();
        let mut delivered = vec![false; batches.len()];
        while !pending.is_empty() || delivered.iter().any(|d| !d) {
            if pending.is_empty() {
                pending = (0..batches.len()).filter(|i| !delivered[*i]).collect();
            }
            let take = (next() % 5 + 1) as usize;
            let crash = next() % 4 == 0;
            let tx = conn.unchecked_transaction().unwrap();
            let mut in_tx = Vec::new();
            for _ in 0..take.min(pending.len()) {
                in_tx.push(pending.swap_remove((next() as usize) % pending.len()));
            }
            // Alone, or grouped per kiosk as the hub's dispatcher does.
            if next() % 2 == 0 {
                for ix in &in_tx {
                    let (kid, b) = &batches[*ix];
                    ingest::check(b).unwrap();
                    ingest::ingest(&tx, kid, std::slice::from_ref(b), DAY0 as i64, &calendar).unwrap();
                }
            } else {
                let mut groups: Vec<(&KioskId, Vec<EventBatch>)> = Vec::new();
                for ix in &in_tx {
                    let (kid, b) = &batches[*ix];
                    match groups.iter_mut().find(|g| g.0 == kid) {
                        Some(g) => g.1.push(b.clone()),
                        None => groups.push((kid, vec![b.clone()])),
                    }
                }
                for (kid, group) in &groups {
                    ingest::ingest(&tx, kid, group, DAY0 as i64, &calendar).unwrap();
                }
            }
            if crash {
                drop(tx); // rolled back: as if the hub died before COMMIT
                pending.extend(in_tx);
            } else {
                tx.commit().unwrap();
                for ix in in_tx { delivered[ix] = true; }
            }
        }
        prop_assert_eq!(measured(&conn), truth(&all));
        for (kid, events) in &all {
            let ack = ingest::current_ack(&conn, &KioskId::new(kid).unwrap()).unwrap();
            prop_assert_eq!(ack.upto, events.len() as u64);
            prop_assert!(ack.missing.is_empty());
        }
    }
}

#[test]
fn bad_batches_are_refused_whole() {
    let e = |seq| Event { seq, t: DAY0, clock_trusted: true, kind: EventKind::AttractExit };
    assert!(ingest::check(&EventBatch { session: 1, events: vec![] }).is_err());
    assert!(ingest::check(&EventBatch { session: 1, events: vec![e(1), e(3)] }).is_err());
    assert!(ingest::check(&EventBatch { session: 1, events: vec![e(2), e(1)] }).is_err());
    assert!(ingest::check(&EventBatch { session: 1, events: vec![e(0)] }).is_err());
    assert!(ingest::check(&EventBatch { session: 1, events: (1..=600).map(e).collect() }).is_err());
    assert!(ingest::check(&EventBatch { session: 1, events: vec![e(5), e(6)] }).is_ok());
}
