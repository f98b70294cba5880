//! A kiosk's received sequence numbers: everything up to `upto`, plus
//! disjoint ranges above it (batches that arrived ahead of a gap).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Received {
    pub upto: u64,
    /// Sorted, disjoint, non-adjacent inclusive ranges, all above `upto + 1`.
    pub above: Vec<(u64, u64)>,
}

/// Ranges reported as missing in one ack, at most (keeps the ack small).
pub const MAX_MISSING_RANGES: usize = 256;

impl Received {
    /// Record `[a, b]` as received.
    pub fn add(&mut self, a: u64, b: u64) {
        debug_assert!(a <= b);
        if b <= self.upto {
            return;
        }
        let a = a.max(self.upto + 1);
        self.above.push((a, b));
        self.above.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(self.above.len());
        for (x, y) in self.above.drain(..) {
            match merged.last_mut() {
                Some(last) if x <= last.1.saturating_add(1) => last.1 = last.1.max(y),
                _ => merged.push((x, y)),
            }
        }
        self.above = merged;
        while let Some(&(x, y)) = self.above.first() {
            if x > self.upto + 1 {
                break;
            }
            self.upto = self.upto.max(y);
            self.above.remove(0);
        }
    }

    /// Whether `seq` was received already.
    pub fn contains(&self, seq: u64) -> bool {
        seq <= self.upto || self.above.iter().any(|&(a, b)| a <= seq && seq <= b)
    }

    /// The gaps between `upto` and the highest received number.
    pub fn missing(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut next = self.upto + 1;
        for &(x, y) in &self.above {
            if x > next {
                out.push((next, x - 1));
            }
            next = y + 1;
            if out.len() >= MAX_MISSING_RANGES {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn gaps_close_as_batches_arrive() {
        let mut r = Received::default();
        r.add(1, 64);
        assert_eq!((r.upto, r.missing()), (64, vec![]));
        r.add(129, 192);
        assert_eq!((r.upto, r.missing()), (64, vec![(65, 128)]));
        r.add(65, 128);
        assert_eq!((r.upto, r.missing()), (192, vec![]));
        r.add(10, 20); // a replay changes nothing
        assert_eq!(r.upto, 192);
    }

    proptest! {
        #[test]
        fn any_arrival_order_ends_complete(order in Just((0u64..40).collect::<Vec<_>>()).prop_shuffle(), dup in proptest::collection::vec(0u64..40, 0..20)) {
            let mut r = Received::default();
            for i in order.iter().chain(dup.iter()) {
                r.add(i * 10 + 1, i * 10 + 10);
                // The invariant: nothing reported missing was received.
                for (a, b) in r.missing() {
                    prop_assert!(a > r.upto && a <= b);
                }
            }
            prop_assert_eq!(r.upto, 400);
            prop_assert!(r.above.is_empty());
        }
    }
}
