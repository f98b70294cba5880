//! Event acks on their way out. The writer thread puts each committed
//! batch's ack here; one task publishes them. A kiosk whose batches
//! committed together gets one ack, the newest, which covers the others:
//! with small batches this halves the broker's traffic and the hub's
//! signing work.

use super::Ctx;
use protocol::messages::EventsAck;
use protocol::{KioskId, Topic};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

#[derive(Default)]
pub(crate) struct AckQueue {
    /// Per kiosk, the ack of its latest-queued committed batch, with that
    /// batch's queueing order.
    pending: Mutex<HashMap<KioskId, (u64, EventsAck)>>,
    order: AtomicU64,
    ready: Notify,
}

impl AckQueue {
    /// Taken when a batch is queued: later batches of a kiosk commit later
    /// and carry the more complete ack.
    pub fn next_order(&self) -> u64 {
        self.order.fetch_add(1, Ordering::Relaxed)
    }

    pub fn put(&self, kid: KioskId, order: u64, ack: EventsAck) {
        let mut p = self.pending.lock().expect("ack queue lock");
        match p.get(&kid) {
            Some((o, _)) if *o > order => {}
            _ => {
                p.insert(kid, (order, ack));
            }
        }
        drop(p);
        self.ready.notify_one();
    }

    fn take(&self) -> Vec<(KioskId, EventsAck)> {
        let mut p = self.pending.lock().expect("ack queue lock");
        p.drain().map(|(k, (_, a))| (k, a)).collect()
    }
}

/// Publish acks as they become ready, until the hub stops.
pub(crate) async fn run(ctx: Arc<Ctx>) {
    loop {
        ctx.acks.ready.notified().await;
        for (kid, ack) in ctx.acks.take() {
            let Some(entry) = ctx.kiosk(&kid) else { continue };
            ctx.broker.send(&Topic::EventsAck(kid), &ack, &entry.secret, false).await;
        }
        // Committed events change the big screen's figures.
        ctx.screen_changed.notify_one();
    }
}
