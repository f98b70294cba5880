//! The backend loop: one MQTT connection, the sync client, the outbox
//! flusher, presence and commands, all on one task; a tick drives timeouts.

use super::flusher::{AckOutcome, Flusher};
use super::hub_commands::{KNOWN, UiCommand};
use super::{LinkDown, Shared, presence};
use crate::catalog_sync::{Action, SyncClient};
use crate::store::now_ms;
use crate::update::{self, Updater};
use protocol::messages::*;
use protocol::{Topic, TopicKind, codec::check_addressee, decode, encode, limits};
use rumqttc::{AsyncClient, Event as MqttEvent, MqttOptions, Packet, QoS};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

struct Backend {
    shared: Arc<Shared>,
    client: AsyncClient,
    sync: SyncClient,
    updater: Updater,
    /// The window's readiness has been passed to the updater.
    told_ui_ready: bool,
    /// Subscribed to `release/desired` on this connection (once the hub
    /// said it serves releases).
    release_subscribed: bool,
    signup_subscribed: bool,
    flusher: Flusher,
    session: u64,
    connected: bool,
    hub_online: bool,
    link_down: Option<LinkDown>,
    /// When acknowledged events past their keeping time are deleted next.
    next_forget: Instant,
}

pub(super) async fn run(shared: Arc<Shared>) {
    let cfg = &shared.config;
    let mut opts = MqttOptions::new(cfg.id.to_string(), &cfg.hub.url.host, cfg.hub.url.port);
    if let Some(t) = &shared.transport {
        opts.set_transport(t.clone());
    }
    opts.set_keep_alive(Duration::from_secs(10));
    opts.set_max_packet_size(limits::MAX_PACKET, limits::MAX_PACKET);
    opts.set_clean_session(true);
    opts.set_inflight(64);
    // A broker with a password file (`hub fleet mosquitto`) knows the
    // kiosk by its id and a password derived from its secret.
    opts.set_credentials(cfg.id.to_string(), protocol::credentials::mqtt_password(&cfg.hub.secret));
    let stored_session = peek_session(&shared).unwrap_or(0);
    opts.set_last_will(presence::will(&cfg.id, &cfg.hub.secret, stored_session + 1));
    let (client, mut eventloop) = AsyncClient::new(opts, 256);
    super::mqtt_pump::no_delay(&mut eventloop);
    let (next_will, mut events) = super::mqtt_pump::pump_with_will(eventloop);
    let applied = shared.catalog.borrow().as_deref().cloned();
    let acked = shared.outbox.state().map(|s| s.acked_upto).unwrap_or(0);
    let mut b = Backend {
        sync: SyncClient::new(shared.blobs.clone(), applied),
        updater: Updater::new(cfg, shared.blobs.clone(), Instant::now()),
        told_ui_ready: false,
        release_subscribed: false,
        signup_subscribed: false,
        flusher: Flusher::new(acked, Instant::now()),
        shared: shared.clone(),
        client,
        session: stored_session,
        connected: false,
        hub_online: false,
        link_down: None,
        next_forget: Instant::now(),
    };
    b.publish_status();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        // A release window waiting for its turn wakes the loop on time (a
        // window that falls due while the link is busy waits for a tick).
        let release_due = b.updater.next_due().filter(|d| *d > Instant::now());
        tokio::select! {
            _ = shared.stop.notified() => break,
            Some(ev) = events.recv() => match ev {
                Ok(MqttEvent::Incoming(Packet::ConnAck(_))) => {
                    b.on_connect().await;
                    let _ = next_will.send(presence::will(&cfg.id, &cfg.hub.secret, b.session + 1));
                }
                Ok(MqttEvent::Incoming(Packet::Publish(p))) => b.on_publish(&p.topic, &p.payload).await,
                Ok(_) => {}
                Err(e) => {
                    if b.connected {
                        tracing::warn!(error = %e, "hub link lost; retrying");
                    } else if b.link_down.as_ref() != Some(&e) {
                        // Once per kind of failure, not every retry.
                        tracing::warn!(error = %e, reason = ?e.reason, "cannot connect to the hub's broker; retrying");
                    }
                    b.link_down = Some(e);
                    b.shared.status.send_modify(|s| s.link_failures += 1);
                    b.connected = false;
                    b.hub_online = false;
                    b.publish_status();
                }
            },
            _ = until(release_due) => {
                let now = Instant::now();
                let idle = !shared.in_use.load(Ordering::Relaxed);
                let actions = b.updater.on_tick(now, b.link_busy(), idle, update::county_hour(now_ms()));
                b.update(actions).await;
            }
            _ = shared.wake.notified() => {
                b.check_ui_ready().await;
                b.flush().await;
            }
            _ = tick.tick() => {
                let now = Instant::now();
                let actions = b.sync.on_tick(now);
                b.act(actions).await;
                let idle = !shared.in_use.load(Ordering::Relaxed);
                let actions = b.updater.on_tick(now, b.link_busy(), idle, update::county_hour(now_ms()));
                b.update(actions).await;
                b.flusher.on_tick(now);
                b.flush().await;
                if now >= b.next_forget {
                    b.forget_old_acked();
                    b.forget_past();
                    b.next_forget = now + Duration::from_secs(3600);
                }
            }
        }
    }
    // A clean stop says so (the will is for crashes).
    if b.connected {
        let death = Status::Offline(Death { session: b.session, reason: Some("shutdown".into()) });
        b.send(Topic::Status(cfg.id.clone()), &death, true).await;
        let _ = b.client.disconnect().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Sleep until `due`, or for ever without one.
async fn until(due: Option<Instant>) {
    match due {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

/// The session counter as stored (the next connect uses one more).
fn peek_session(shared: &Shared) -> Result<u64, crate::store::StoreError> {
    shared.outbox.with(|c| super::super::store::counter_value(c, "session"))
}

impl Backend {
    async fn send<M: protocol::Message>(&self, topic: Topic, msg: &M, retain: bool) {
        match encode(&topic, msg, &self.shared.config.hub.secret) {
            Ok(payload) => {
                if let Err(e) =
                    self.client.publish(topic.to_string(), QoS::AtLeastOnce, retain, payload).await
                {
                    tracing::warn!(%topic, error = %e, "publish failed");
                }
            }
            Err(e) => tracing::error!(%topic, error = %e, "cannot encode"),
        }
    }

    fn publish_status(&self) {
        let depth = self.shared.outbox.state().map(|s| s.depth).ok();
        let (connected, hub_online, session, progress) =
            (self.connected, self.hub_online, self.session, self.sync.progress());
        let link_down = self.link_down.clone();
        let software = self.updater.version_info();
        self.shared.status.send_modify(|s| {
            s.connected = connected;
            s.link_down = link_down;
            s.hub_online = hub_online;
            s.session = session;
            s.sync = progress;
            s.software = software;
            if let Some(d) = depth {
                s.outbox_depth = d;
            }
        });
    }

    fn count_refused(&self) {
        self.shared.status.send_modify(|s| s.refused += 1);
    }

    async fn on_connect(&mut self) {
        let kid = self.shared.config.id.clone();
        self.session = match self.shared.outbox.next_session() {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot store the session counter");
                self.session + 1
            }
        };
        self.connected = true;
        self.link_down = None;
        self.release_subscribed = false;
        self.signup_subscribed = false;
        let mut filters = Topic::kiosk_connect_filters(&kid);
        if self.shared.config.role == firmware_config::Role::Bigscreen {
            filters.push(protocol::screen::topic().to_string());
        }
        let subs = filters.into_iter().map(|f| rumqttc::SubscribeFilter::new(f, QoS::AtLeastOnce));
        if let Err(e) = self.client.subscribe_many(subs).await {
            tracing::warn!(error = %e, "cannot subscribe");
        }
        self.send_birth().await;
        let now = Instant::now();
        self.flusher.rewind(now);
        let actions = self.sync.on_connect(now);
        self.act(actions).await;
        let actions = self.updater.on_connect(now, self.link_busy());
        self.update(actions).await;
        let actions = self.updater.birth_sent();
        self.update(actions).await;
        self.publish_status();
        tracing::info!(kiosk = %kid, session = self.session, "connected to the hub's broker");
    }

    async fn send_birth(&self) {
        let state = self.shared.outbox.state().unwrap_or_default();
        let birth = presence::birth(
            self.session,
            &self.shared.boot_id,
            &self.updater.running_version(),
            self.sync.applied_version(),
            &state,
            now_ms(),
            &self.shared.reads,
        );
        self.send(Topic::Status(self.shared.config.id.clone()), &birth, true).await;
    }

    async fn on_publish(&mut self, topic: &str, payload: &[u8]) {
        let kid = &self.shared.config.id;
        let topic = match Topic::parse(topic) {
            Ok(t) => t,
            Err(e) => {
                self.count_refused();
                return tracing::warn!(error = %e, "message on an unknown topic ignored");
            }
        };
        if let Err(e) = check_addressee(&topic, kid) {
            self.count_refused();
            return tracing::warn!(error = %e, "message for another kiosk ignored");
        }
        let key = self.shared.config.hub.secret.clone();
        let now = Instant::now();
        macro_rules! body {
            ($t:ty, $key:expr) => {
                match decode::<$t>(&topic, payload, $key) {
                    Ok(m) => m,
                    Err(e) => {
                        self.count_refused();
                        return tracing::warn!(%topic, error = %e, "message refused");
                    }
                }
            };
        }
        match topic.kind() {
            TopicKind::HubState => {
                let s = body!(HubState, &self.shared.config.hub.hub_key);
                // A clock well behind the hub's last word is not to be trusted.
                if s.ts > now_ms() + 60_000 {
                    self.shared.clock_trusted.store(false, Ordering::Relaxed);
                }
                if s.has(HubState::RELEASES) && !self.release_subscribed {
                    // Only now: an older hub's broker would refuse the
                    // subscription and close the connection.
                    self.release_subscribed = true;
                    let filter = Topic::release_filter(kid);
                    if let Err(e) = self.client.subscribe(filter, QoS::AtLeastOnce).await {
                        tracing::warn!(error = %e, "cannot subscribe to releases");
                    }
                }
                if s.has(HubState::TRAINING) && !self.signup_subscribed {
                    self.signup_subscribed = true;
                    let filters = [Topic::signup_filter(kid), SeatsLeft::topic().to_string()];
                    for filter in filters {
                        if let Err(e) = self.client.subscribe(filter, QoS::AtLeastOnce).await {
                            tracing::warn!(error = %e, "cannot subscribe to sign-up states and seats");
                        }
                    }
                }
                let was = self.hub_online;
                self.hub_online = s.online;
                if s.online && !was {
                    self.flusher.rewind(now);
                    self.flush().await;
                }
                self.publish_status();
            }
            TopicKind::CatalogDesired => {
                let p = body!(CatalogPointer, &key);
                let actions = self.sync.on_pointer(p, now);
                self.act(actions).await;
            }
            TopicKind::CatalogDoc => {
                let d = body!(CatalogDoc, &key);
                let actions = self.sync.on_doc(d, now);
                self.act(actions).await;
            }
            TopicKind::BlobChunk => {
                if let Topic::BlobChunk { sha256, offset, .. } = &topic {
                    if self.updater.wants(sha256) {
                        let busy = self.link_busy();
                        let actions = self.updater.on_chunk(sha256, *offset, payload, now, busy);
                        self.update(actions).await;
                    } else {
                        let actions = self.sync.on_chunk(sha256, *offset, payload, now);
                        self.act(actions).await;
                    }
                }
            }
            TopicKind::ReleaseDesired => {
                let p = body!(ReleasePointer, &key);
                let actions = self.updater.on_pointer(p, now, self.link_busy());
                self.update(actions).await;
            }
            TopicKind::EventsAck => {
                let ack = body!(EventsAck, &key);
                match self.flusher.on_ack(&ack, now) {
                    AckOutcome::Nothing => {}
                    AckOutcome::Moved(upto) => {
                        if let Err(e) = self.shared.outbox.acked(upto, now_ms()) {
                            tracing::error!(error = %e, "cannot mark events acknowledged");
                        }
                        self.publish_status();
                    }
                    AckOutcome::HubBehind(upto) => match self.shared.outbox.hub_behind(upto) {
                        Ok(mark) if mark < self.flusher.acked => {
                            tracing::warn!(
                                hub_upto = upto,
                                had = self.flusher.acked,
                                sending_from = mark + 1,
                                "the hub lost acknowledged events (restored from a backup?): sending them again"
                            );
                            self.flusher.hub_behind(mark, now);
                            self.publish_status();
                        }
                        // Nothing held to send again; the hub writes off the rest.
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "cannot take back acknowledged events"),
                    },
                }
                self.flush().await;
            }
            TopicKind::ServiceAck => {
                let ack = body!(ServiceAck, &key);
                match self.shared.outbox.apply_service_ack(&ack) {
                    Ok(_) => {
                        let seen = ServiceSeen { request_id: ack.request_id.clone(), rev: ack.rev };
                        self.send(Topic::ServiceSeen(kid.clone()), &seen, false).await;
                    }
                    Err(e) => tracing::error!(error = %e, "cannot store a ticket update"),
                }
            }
            TopicKind::SignupState => {
                let state = body!(SignupState, &key);
                match self.shared.outbox.apply_signup_state(&state) {
                    Ok(_) => {
                        let seen = SignupSeen { signup_id: state.signup_id.clone(), rev: state.rev };
                        self.send(Topic::SignupSeen(kid.clone()), &seen, false).await;
                    }
                    Err(e) => tracing::error!(error = %e, "cannot store a sign-up state"),
                }
            }
            TopicKind::DataCentre if topic == SeatsLeft::topic() => {
                let seats = body!(SeatsLeft, &self.shared.config.hub.hub_key);
                let held = self.shared.seats.borrow().clone();
                if held.as_ref().is_none_or(|h| h.ts < seats.ts) {
                    // Written only when a count changed, sparing the flash
                    // the hub's heartbeat.
                    if held.is_none_or(|h| h.sessions != seats.sessions)
                        && let Err(e) = self.shared.outbox.save_seats(&seats)
                    {
                        tracing::warn!(error = %e, "cannot keep the seats left");
                    }
                    self.shared.seats.send_replace(Some(seats));
                }
            }
            TopicKind::DataCentre if topic == protocol::screen::topic() => {
                let figures = body!(protocol::screen::ScreenFigures, &self.shared.config.hub.hub_key);
                self.on_figures(figures);
            }
            TopicKind::Command => {
                let Topic::Command { name, .. } = &topic else { return };
                let cmd = body!(Command, &key);
                self.on_command(name, cmd).await;
            }
            _ => {}
        }
    }

    /// The big screen's figures: kept, then shown. Their freshness (what
    /// greys the wall) moves only with figures the hub read later than the
    /// ones held: the broker hands the same retained message again on every
    /// reconnect, and a hub whose feed is stuck must not look live for it.
    /// They are written to the store only when a figure changed (not for
    /// each heartbeat), sparing the flash; one that cannot be kept (a full
    /// disk) is still shown.
    fn on_figures(&self, figures: protocol::screen::ScreenFigures) {
        let held = self.shared.figures.borrow().clone();
        let now = now_ms();
        let r = match held {
            Some(h) if figures.ts <= h.figures.ts => super::Received { figures, received_ms: h.received_ms },
            _ => super::Received { figures, received_ms: now },
        };
        let changed = self.shared.figures.borrow().as_ref().is_none_or(|h| {
            protocol::screen::ScreenFigures { ts: 0, ..h.figures.clone() }
                != protocol::screen::ScreenFigures { ts: 0, ..r.figures.clone() }
        });
        if changed && let Err(e) = self.shared.outbox.with(|c| crate::store::screen_figures::save(c, &r)) {
            tracing::error!(error = %e, "cannot keep the big screen's figures");
        }
        self.shared.figures.send_replace(Some(r));
    }

    /// Delete acknowledged events older than the outbox keeps them.
    fn forget_old_acked(&self) {
        let cutoff = now_ms().saturating_sub(crate::store::outbox::KEEP_ACKED.as_millis() as u64);
        match self.shared.outbox.forget_acked(cutoff) {
            Ok(0) => {}
            Ok(n) => tracing::info!(events = n, "acknowledged events past their keeping time deleted"),
            Err(e) => tracing::error!(error = %e, "cannot delete old acknowledged events"),
        }
    }

    /// Delete parcels, requests and sign-ups past their keeping time
    /// (`[retention]` in kiosk.toml).
    fn forget_past(&self) {
        match self.shared.outbox.forget_past(now_ms(), &self.shared.config.retention) {
            Ok(f) if f.any() => tracing::info!(
                parcels = f.parcels,
                requests = f.requests,
                signups = f.signups,
                "records past their keeping time deleted"
            ),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot delete records past their keeping time"),
        }
    }

    /// Send what the window allows, while the hub is online.
    async fn flush(&mut self) {
        if !(self.connected && self.hub_online) {
            return;
        }
        let topic = Topic::Events(self.shared.config.id.clone());
        loop {
            let last_seq = match self.shared.outbox.state() {
                Ok(s) => s.last_seq,
                Err(e) => return tracing::error!(error = %e, "cannot read the outbox"),
            };
            let room = self.flusher.room(last_seq);
            if room == 0 {
                return;
            }
            let events = match self.shared.outbox.pending(self.flusher.cursor, room) {
                Ok(e) if !e.is_empty() => e,
                Ok(_) => return,
                Err(e) => return tracing::error!(error = %e, "cannot read the outbox"),
            };
            let last = events[events.len() - 1].seq;
            let batch = EventBatch { session: self.session, events };
            self.send(topic.clone(), &batch, false).await;
            self.flusher.sent(last);
        }
    }

    /// Something else waits for the link: events in flight, or a catalog on
    /// its way. A release download holds back its next window meanwhile.
    fn link_busy(&self) -> bool {
        self.sync.progress().active || self.flusher.cursor > self.flusher.acked + 1
    }

    /// Pass the window's readiness to the updater, once.
    async fn check_ui_ready(&mut self) {
        if !self.told_ui_ready && self.shared.ui_ready.load(Ordering::Relaxed) {
            self.told_ui_ready = true;
            let actions = self.updater.ui_ready();
            self.update(actions).await;
        }
    }

    /// Carry out what the updater asks for.
    async fn update(&mut self, actions: Vec<update::Action>) {
        if actions.is_empty() {
            return;
        }
        let kid = self.shared.config.id.clone();
        for a in actions {
            match a {
                update::Action::BlobGet(g) => self.send(Topic::BlobGet(kid.clone()), &g, false).await,
                update::Action::Report(r) => {
                    if self.connected {
                        self.send(Topic::ReleaseReported(kid.clone()), &r, true).await;
                    }
                }
                update::Action::Restart(why) => {
                    tracing::info!(reason = %why, "restarting");
                    self.shared.status.send_modify(|s| s.restart_requested = true);
                }
            }
        }
        self.publish_status();
    }

    /// Carry out what the sync client asks for.
    async fn act(&mut self, mut actions: Vec<Action>) {
        let kid = self.shared.config.id.clone();
        while !actions.is_empty() {
            let mut more = Vec::new();
            for a in actions {
                match a {
                    Action::Get(g) => self.send(Topic::CatalogGet(kid.clone()), &g, false).await,
                    Action::BlobGet(g) => self.send(Topic::BlobGet(kid.clone()), &g, false).await,
                    Action::Report(r) => self.send(Topic::CatalogReported(kid.clone()), &r, true).await,
                    Action::Apply(snap) => {
                        let result = self.shared.catalog_cache.apply(&snap).map_err(|e| e.to_string());
                        if result.is_ok() {
                            tracing::info!(
                                version = snap.version,
                                items = snap.items.len(),
                                "catalog version applied"
                            );
                            self.shared.catalog.send_replace(Some(Arc::new(snap.clone())));
                        }
                        more.extend(self.sync.stored(snap, result, Instant::now()));
                        // The hub learns the new version at once.
                        self.send_birth().await;
                    }
                }
            }
            actions = more;
        }
        self.publish_status();
    }

    async fn on_command(&mut self, name: &str, cmd: Command) {
        let kid = self.shared.config.id.clone();
        let answer =
            |ok: bool, detail: String| CommandResult { cid: cmd.cid.clone(), ok, detail, part: None };
        if cmd.expires < now_ms() {
            tracing::info!(command = name, cid = cmd.cid, "expired command ignored");
            return;
        }
        if let Some(unknown) =
            cmd.args.keys().find(|k| !super::hub_commands::options(name).contains(&k.as_str()))
        {
            let result = answer(false, format!("unknown option {unknown:?} for {name}: not run"));
            self.send(Topic::CommandResult(kid), &result, false).await;
            return;
        }
        let ui = self.shared.ui.lock().expect("ui lock").clone();
        let result = match name {
            "rebirth" => {
                self.send_birth().await;
                answer(true, "birth sent".into())
            }
            "reload" => match self.shared.catalog_cache.load() {
                Ok(snap) => {
                    self.shared.catalog.send_replace(snap.map(Arc::new));
                    if let Some(ui) = &ui {
                        let _ = ui.send(UiCommand::Reload);
                    }
                    answer(true, "catalog reloaded".into())
                }
                Err(e) => answer(false, e.to_string()),
            },
            "set-language" => {
                match cmd.args.get("lang").and_then(|l| firmware_config::Language::from_code(l)) {
                    Some(lang) => match &ui {
                        Some(ui) if ui.send(UiCommand::SetLanguage(lang)).is_ok() => {
                            answer(true, format!("language {}", lang.code()))
                        }
                        _ => answer(false, "no display attached".into()),
                    },
                    None => {
                        let known: Vec<&str> =
                            firmware_config::Language::ALL.iter().map(|l| l.code()).collect();
                        answer(
                            false,
                            format!("lang must be one of {known:?}, not {:?}", cmd.args.get("lang")),
                        )
                    }
                }
            }
            "screenshot" => match &ui {
                Some(ui) => {
                    let (tx, rx) = tokio::sync::oneshot::channel();
                    if ui.send(UiCommand::Screenshot(tx)).is_err() {
                        answer(false, "no display attached".into())
                    } else {
                        match tokio::time::timeout(Duration::from_secs(10), rx).await {
                            Ok(Ok(Ok(png))) => {
                                // The picture first, in parts; the result names it.
                                for part in ResultPart::split(&png) {
                                    let piece = CommandResult {
                                        cid: cmd.cid.clone(),
                                        ok: true,
                                        detail: String::new(),
                                        part: Some(part),
                                    };
                                    self.send(Topic::CommandResult(kid.clone()), &piece, false).await;
                                }
                                answer(
                                    true,
                                    format!("png {} bytes sha256 {}", png.len(), protocol::sha256_hex(&png)),
                                )
                            }
                            Ok(Ok(Err(e))) => answer(false, e),
                            _ => answer(false, "the display did not answer".into()),
                        }
                    }
                }
                None => answer(false, "no display attached".into()),
            },
            "restart" => {
                // The appliance's main loop sees the flag and exits; its
                // service manager starts it again.
                self.shared.status.send_modify(|s| s.restart_requested = true);
                answer(true, "restarting".into())
            }
            other => answer(false, format!("unknown command {other:?}; known: {}", KNOWN.join(", "))),
        };
        self.send(Topic::CommandResult(kid), &result, false).await;
    }
}
