//! A simulated kiosk's outbox flusher for ingest tests: it sends its events
//! in signed batches while the hub says it is online, keeps everything until
//! acked, resends what the hub reports missing or leaves unacked, and can be
//! told to misbehave (duplicate, reorder and replay batches).

use protocol::messages::*;
use protocol::{KioskId, Topic, TopicKind, decode, encode, limits};
use rumqttc::{AsyncClient, Event as MqttEvent, MqttOptions, Packet, QoS};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Misbehaviour, in percent of batches sent.
#[derive(Clone, Copy, Debug, Default)]
pub struct Faults {
    pub duplicate: u64,
    pub reorder: u64,
    pub replay: u64,
}

#[derive(Clone)]
pub struct SenderConfig {
    pub kid: KioskId,
    pub secret: Vec<u8>,
    pub hub_key: Vec<u8>,
    pub host: String,
    pub port: u16,
    pub events: Arc<Vec<Event>>,
    pub batch: usize,
    /// Batches sent ahead of the last ack.
    pub window_batches: usize,
    pub faults: Faults,
    pub seed: u64,
}

/// Progress a test can watch.
#[derive(Default)]
pub struct Progress {
    pub acked: AtomicU64,
    pub batches_sent: AtomicU64,
    pub connects: AtomicU64,
    pub last_error: std::sync::Mutex<Option<String>>,
}

pub struct EventSender {
    pub progress: Arc<Progress>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for EventSender {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl EventSender {
    pub fn start(cfg: SenderConfig) -> EventSender {
        let progress = Arc::new(Progress::default());
        let task = tokio::spawn(run(cfg, progress.clone()));
        EventSender { progress, task }
    }
    pub fn acked(&self) -> u64 {
        self.progress.acked.load(Ordering::Relaxed)
    }
}

async fn run(cfg: SenderConfig, progress: Arc<Progress>) {
    let n = cfg.events.len() as u64;
    let mut opts = MqttOptions::new(cfg.kid.to_string(), &cfg.host, cfg.port);
    opts.set_credentials(cfg.kid.as_str(), protocol::credentials::mqtt_password(&cfg.secret));
    opts.set_keep_alive(Duration::from_secs(5));
    opts.set_max_packet_size(limits::MAX_PACKET, limits::MAX_PACKET);
    opts.set_inflight(cfg.window_batches.clamp(8, 1000) as u16);
    let (client, mut ev) = AsyncClient::new(opts, cfg.window_batches.max(64) * 2);
    let mut net = rumqttc::NetworkOptions::new();
    net.set_tcp_nodelay(true);
    ev.set_network_options(net);
    let mut ev = crate::mqtt_pump::pump(ev);
    let mut rng = cfg.seed | 1;
    let mut roll = move |pct: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % 100 < pct
    };
    let (mut acked, mut next, mut hub_online, mut connected) = (0u64, 1u64, false, false);
    let mut session = 0u64;
    let mut held: Option<EventBatch> = None;
    let mut last_progress = Instant::now();
    let window = (cfg.window_batches * cfg.batch) as u64;
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let batch_of = |from: u64, size: usize| -> EventBatch {
        let a = (from - 1) as usize;
        let b = (a + size).min(cfg.events.len());
        EventBatch { session: 0, events: cfg.events[a..b].to_vec() }
    };
    loop {
        // Refill the window after every ack (and on each tick, for resends).
        let mut fill = false;
        tokio::select! {
            Some(e) = ev.recv() => match e {
                Ok(MqttEvent::Incoming(Packet::ConnAck(_))) => {
                    connected = true;
                    progress.connects.fetch_add(1, Ordering::Relaxed);
                    session += 1;
                    let _ = client.subscribe(Topic::HubState.to_string(), QoS::AtLeastOnce).await;
                    let _ = client.subscribe(Topic::EventsAck(cfg.kid.clone()).to_string(), QoS::AtLeastOnce).await;
                    let totals = BTreeMap::from([("all".to_owned(), n)]);
                    let birth = Status::Online(Birth { session, boot_id: "sim".into(), app_version: "sim".into(), catalog_version: 0, outbox_depth: n - acked, lifetime_totals: totals, ts: 0, held_from: None, features: Vec::new() });
                    let topic = Topic::Status(cfg.kid.clone());
                    let _ = client.publish(topic.to_string(), QoS::AtLeastOnce, true, encode(&topic, &birth, &cfg.secret).unwrap()).await;
                    next = acked + 1; // everything unacked goes again
                }
                Ok(MqttEvent::Incoming(Packet::Publish(p))) => {
                    let Ok(topic) = Topic::parse(&p.topic) else { continue };
                    match topic.kind() {
                        TopicKind::HubState => {
                            if let Ok(s) = decode::<HubState>(&topic, &p.payload, &cfg.hub_key) {
                                if s.online && !hub_online { next = acked + 1; }
                                hub_online = s.online;
                            }
                        }
                        TopicKind::EventsAck => {
                            if let Ok(a) = decode::<EventsAck>(&topic, &p.payload, &cfg.secret) {
                                if a.upto > acked {
                                    acked = a.upto.min(n);
                                    last_progress = Instant::now();
                                    progress.acked.store(acked, Ordering::Relaxed);
                                }
                                if let Some(&(first, _)) = a.missing.first() {
                                    next = next.min(first.max(acked + 1));
                                }
                                next = next.max(acked + 1);
                                fill = true;
                            }
                        }
                        _ => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    *progress.last_error.lock().unwrap() = Some(e.to_string());
                    connected = false;
                    hub_online = false;
                }
            },
            _ = tick.tick() => {
                if last_progress.elapsed() > Duration::from_millis(1500) {
                    next = acked + 1;
                    last_progress = Instant::now();
                }
                fill = true;
            }
        }
        if fill && acked < n && connected && hub_online {
            while next <= n && next <= acked + window {
                let b = batch_of(next, cfg.batch);
                next += b.events.len() as u64;
                let mut out = Vec::new();
                if roll(cfg.faults.reorder) && held.is_none() {
                    held = Some(b);
                } else {
                    out.push(b.clone());
                    if let Some(h) = held.take() {
                        out.push(h);
                    }
                    if roll(cfg.faults.duplicate) {
                        out.push(b);
                    }
                }
                if roll(cfg.faults.replay) && acked > 1 {
                    let from = 1 + (next * 7919) % acked;
                    out.push(batch_of(from, cfg.batch));
                }
                let topic = Topic::Events(cfg.kid.clone());
                for mut b in out {
                    b.session = session;
                    let payload = encode(&topic, &b, &cfg.secret).unwrap();
                    let _ = client.publish(topic.to_string(), QoS::AtLeastOnce, false, payload).await;
                    progress.batches_sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            if let Some(h) = held.take() {
                let topic = Topic::Events(cfg.kid.clone());
                let _ = client
                    .publish(
                        topic.to_string(),
                        QoS::AtLeastOnce,
                        false,
                        encode(&topic, &h, &cfg.secret).unwrap(),
                    )
                    .await;
            }
        }
    }
}
