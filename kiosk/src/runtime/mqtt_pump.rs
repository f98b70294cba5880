//! The MQTT event loop, polled in a task of its own.
//!
//! rumqttc's `EventLoop::poll` must not be cancelled: dropping it while it
//! connects aborts the connection, so a client that `select!`s it against a
//! timer never connects once connecting takes longer than the timer. The
//! pump polls it in a task of its own and hands over only what clients act
//! on: connects, incoming publishes and errors (each with its reason,
//! [`LinkDown`]). (Forwarding every outgoing
//! packet and PUBACK as well once deadlocked a fast sender: it waited for
//! room to publish while the pump waited for room to hand over acks.)

use super::link_failure::LinkDown;
use rumqttc::{ConnectionError, Event, EventLoop, LastWill, NetworkOptions, Packet};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

pub type Events = mpsc::Receiver<Result<Event, LinkDown>>;

/// Poll `ev` forever in its own task (reconnecting after errors).
pub fn pump(ev: EventLoop) -> Events {
    pump_with_will(ev).1
}

/// The same, with a way to change the will used by the next connect.
pub fn pump_with_will(mut ev: EventLoop) -> (watch::Sender<LastWill>, Events) {
    let initial = ev
        .mqtt_options
        .last_will()
        .unwrap_or_else(|| LastWill::new("unused", Vec::<u8>::new(), rumqttc::QoS::AtMostOnce, false));
    let (will_tx, mut will_rx) = watch::channel(initial);
    let (tx, rx) = mpsc::channel(1024);
    tokio::spawn(async move {
        let mut backoff = Backoff::default();
        loop {
            if will_rx.has_changed().unwrap_or(false) {
                ev.mqtt_options.set_last_will(will_rx.borrow_and_update().clone());
            }
            // Ends (dropping the connection, so the broker fires the will)
            // as soon as the client that reads the events is gone.
            let r: Result<Event, ConnectionError> = tokio::select! {
                r = ev.poll() => r,
                _ = tx.closed() => return,
            };
            let failed = r.is_err();
            if matches!(r, Ok(Event::Incoming(Packet::ConnAck(_)))) {
                backoff.reset();
            }
            let wanted = matches!(
                &r,
                Err(_) | Ok(Event::Incoming(Packet::ConnAck(_) | Packet::Publish(_) | Packet::SubAck(_)))
            );
            if wanted && tx.send(r.map_err(|e| LinkDown::from(&e))).await.is_err() {
                return;
            }
            if failed {
                tokio::time::sleep(backoff.next_delay()).await;
            }
        }
    });
    (will_tx, rx)
}

/// The pause before the next connection attempt: 200 ms after the first
/// failure, doubling to at most 3 s, each with ±25 % jitter, back to the
/// start once connected. A hub that comes back after an outage is then
/// met by the fleet spread over seconds, not all at once, and a kiosk with
/// a wrong password or CA knocks a few times a second at most.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(200);
    const MAX: Duration = Duration::from_secs(3);

    pub fn next_delay(&mut self) -> Duration {
        let base = Self::FIRST.saturating_mul(1 << self.failures.min(8)).min(Self::MAX);
        self.failures = self.failures.saturating_add(1);
        base.mul_f64(rand::random_range(0.75..1.25))
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Our messages are small and answered (acks, one-event batches, blob
/// requests): without TCP_NODELAY each waits for the previous segment's
/// acknowledgement, tens of milliseconds.
pub fn no_delay(ev: &mut EventLoop) {
    let mut net = NetworkOptions::new();
    net.set_tcp_nodelay(true);
    ev.set_network_options(net);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_slow_down_to_a_ceiling_and_start_over_once_connected() {
        let mut b = Backoff::default();
        let delays: Vec<Duration> = (0..10).map(|_| b.next_delay()).collect();
        assert!(delays[0] >= Duration::from_millis(150) && delays[0] <= Duration::from_millis(250));
        assert!(delays[2] >= Duration::from_millis(600), "{delays:?}");
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(3750)), "{delays:?}");
        assert!(delays[9] >= Duration::from_millis(2250), "{delays:?}");
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(250));
    }
}
