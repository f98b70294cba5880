//! Which outbox events to send next. The window keeps a bounded number of
//! batches in flight ahead of the hub's ack; an ack that reports holes sends
//! them again; silence sends everything unacked again. Nothing is dropped:
//! events leave the outbox only through an ack. An ack below the last one
//! means the hub lost events (restored from a backup): everything held
//! above it goes again.

use protocol::messages::EventsAck;
use std::time::{Duration, Instant};

/// Events per batch (the protocol allows 512; small batches keep a slow
/// link responsive and a lost batch cheap).
pub const BATCH: usize = 64;
/// Batches in flight ahead of the last ack.
pub const WINDOW_BATCHES: u64 = 8;
/// No ack progress for this long while events are in flight: resend.
pub const ACK_TIMEOUT: Duration = Duration::from_secs(5);

/// What an ack changed.
#[derive(Debug, PartialEq, Eq)]
pub enum AckOutcome {
    Nothing,
    /// Acknowledged up to here now.
    Moved(u64),
    /// The hub holds only up to here, less than it had acknowledged: call
    /// [`Flusher::hub_behind`] with the mark the outbox can go back to.
    HubBehind(u64),
}

#[derive(Debug)]
pub struct Flusher {
    /// Everything up to here is acknowledged.
    pub acked: u64,
    /// The next sequence number to send.
    pub cursor: u64,
    last_progress: Instant,
}

impl Flusher {
    pub fn new(acked: u64, now: Instant) -> Flusher {
        Flusher { acked, cursor: acked + 1, last_progress: now }
    }

    /// A (re)connect: everything unacked goes again.
    pub fn rewind(&mut self, now: Instant) {
        self.cursor = self.acked + 1;
        self.last_progress = now;
    }

    /// How many events may be sent now, starting at `cursor`.
    pub fn room(&self, last_seq: u64) -> usize {
        let limit = self.acked + WINDOW_BATCHES * BATCH as u64;
        if self.cursor > last_seq || self.cursor > limit {
            return 0;
        }
        ((last_seq.min(limit) - self.cursor + 1) as usize).min(BATCH)
    }

    /// A batch ending at `last` was published.
    pub fn sent(&mut self, last: u64) {
        self.cursor = self.cursor.max(last + 1);
    }

    /// The hub's ack.
    pub fn on_ack(&mut self, ack: &EventsAck, now: Instant) -> AckOutcome {
        if ack.upto < self.acked {
            return AckOutcome::HubBehind(ack.upto);
        }
        let moved = ack.upto > self.acked;
        if moved {
            self.acked = ack.upto;
            self.last_progress = now;
        }
        // Holes go again, from the first one this kiosk can still fill.
        if let Some(&(first, _)) = ack.missing.iter().find(|(_, last)| *last > self.acked) {
            self.cursor = self.cursor.min(first.max(self.acked + 1));
        }
        self.cursor = self.cursor.max(self.acked + 1);
        if moved { AckOutcome::Moved(self.acked) } else { AckOutcome::Nothing }
    }

    /// The outbox went back to `mark` for a hub that lost events: send
    /// everything from there again.
    pub fn hub_behind(&mut self, mark: u64, now: Instant) {
        self.acked = mark;
        self.rewind(now);
    }

    /// Periodically: resend from the ack when the hub went quiet.
    pub fn on_tick(&mut self, now: Instant) {
        let in_flight = self.cursor > self.acked + 1;
        if in_flight && now.duration_since(self.last_progress) > ACK_TIMEOUT {
            self.rewind(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_acks_holes_and_silence() {
        let t0 = Instant::now();
        let mut f = Flusher::new(0, t0);
        assert_eq!(f.room(0), 0);
        assert_eq!(f.room(10), 10);
        let mut sent = 0;
        while f.room(10_000) > 0 {
            let n = f.room(10_000) as u64;
            f.sent(f.cursor + n - 1);
            sent += n;
        }
        assert_eq!(sent, WINDOW_BATCHES * BATCH as u64, "the window bounds what is in flight");
        assert_eq!(f.on_ack(&EventsAck { upto: 100, missing: vec![(130, 140)] }, t0), AckOutcome::Moved(100));
        assert_eq!(f.cursor, 130, "holes go again");
        f.sent(512);
        f.on_tick(t0 + ACK_TIMEOUT + Duration::from_millis(1));
        assert_eq!(f.cursor, 101, "silence resends from the ack");
    }

    #[test]
    fn a_hub_behind_its_own_acks_gets_everything_again() {
        let t0 = Instant::now();
        let mut f = Flusher::new(100, t0);
        f.sent(150);
        assert_eq!(f.on_ack(&EventsAck { upto: 90, missing: vec![] }, t0), AckOutcome::HubBehind(90));
        assert_eq!((f.acked, f.cursor), (100, 151), "nothing moves until the outbox went back");
        f.hub_behind(95, t0);
        assert_eq!((f.acked, f.cursor), (95, 96));
        f.sent(150);
        // A hole the kiosk no longer holds (written off at the hub) sends nothing again.
        assert_eq!(f.on_ack(&EventsAck { upto: 95, missing: vec![(40, 60)] }, t0), AckOutcome::Nothing);
        assert_eq!(f.cursor, 151);
    }
}
