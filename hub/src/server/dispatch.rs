//! Everything kiosks send the hub arrives here: the topic is parsed, the
//! kiosk looked up, the signature checked, and only then is the body acted
//! on. Anything refused is logged with kiosk and topic and counted.

use super::Ctx;
use crate::catalog::{rollout, views};
use crate::fleet::{presence, rejects};
use crate::ingest;
use crate::tickets;
use protocol::messages::{
    BlobGet, CatalogGet, CatalogReported, CommandResult, ReleaseReported, ServiceSeen, SignupSeen, Status,
};
use protocol::{DecodeError, KioskId, Topic, TopicKind, decode, limits};
use rumqttc::Publish;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Messages taken from the inbox in one go; event batches among them are
/// grouped per kiosk into one store operation.
const CHUNK: usize = 512;
/// A kiosk's group is submitted once it holds this many events.
const GROUP_EVENTS: usize = 4096;

pub(crate) async fn run(ctx: Arc<Ctx>, mut inbox: mpsc::Receiver<Publish>) {
    let mut events = EventGroups::default();
    while let Some(first) = inbox.recv().await {
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(p) = next {
            handle(&ctx, p, &mut events).await;
            taken += 1;
            next = if taken < CHUNK { inbox.try_recv().ok() } else { None };
        }
        events.submit(&ctx);
    }
}

/// Checked event batches waiting to be queued for the writer, per kiosk in
/// arrival order. With small batches, one store operation (and one ack) per
/// kiosk per chunk instead of per message is what keeps ingest ahead.
#[derive(Default)]
struct EventGroups {
    groups: Vec<(KioskId, Vec<protocol::messages::EventBatch>, usize)>,
}

impl EventGroups {
    fn push(&mut self, ctx: &Arc<Ctx>, kid: &KioskId, batch: protocol::messages::EventBatch) {
        let i = match self.groups.iter().position(|g| g.0 == *kid) {
            Some(i) => i,
            None => {
                self.groups.push((kid.clone(), Vec::new(), 0));
                self.groups.len() - 1
            }
        };
        let g = &mut self.groups[i];
        g.2 += batch.events.len();
        g.1.push(batch);
        if g.2 >= GROUP_EVENTS {
            let (kid, batches, _) = self.groups.swap_remove(i);
            submit_events(ctx, kid, batches);
        }
    }

    /// Queue everything held, in arrival order per kiosk.
    fn submit(&mut self, ctx: &Arc<Ctx>) {
        for (kid, batches, _) in self.groups.drain(..) {
            submit_events(ctx, kid, batches);
        }
    }
}

async fn reject(ctx: &Ctx, kid: &str, topic: &str, reason: &str) {
    tracing::warn!(kiosk = %kid, %topic, %reason, "message refused");
    let (k, t, r) = (kid.to_owned(), topic.chars().take(200).collect::<String>(), reason.to_owned());
    if let Err(e) = ctx.writer.exec(move |c| rejects::count(c, &k, &t, &r)).await {
        tracing::error!(error = %e, "cannot count a refused message");
    }
}

/// Short, stable reason names for the rejects table.
fn reason(e: &DecodeError) -> String {
    match e {
        DecodeError::WrongTopic { .. } => "wrong topic".into(),
        DecodeError::WrongKiosk { .. } => "wrong kiosk".into(),
        DecodeError::Oversize { .. } => "oversize".into(),
        DecodeError::Truncated => "truncated".into(),
        DecodeError::Unsigned(_) => "unsigned".into(),
        DecodeError::BadSignature => "bad signature".into(),
        DecodeError::Malformed(_) => "malformed".into(),
    }
}

async fn handle(ctx: &Arc<Ctx>, p: Publish, events: &mut EventGroups) {
    let topic = match Topic::parse(&p.topic) {
        Ok(t) => t,
        Err(e) => return reject(ctx, "?", &p.topic, &e.to_string()).await,
    };
    let Some(kid) = topic.kiosk().cloned() else {
        return reject(ctx, "?", &p.topic, "not a kiosk topic").await;
    };
    let entry = match ctx.kiosk(&kid) {
        Some(e) => e,
        None => return reject(ctx, kid.as_str(), &p.topic, "unknown kiosk").await,
    };
    let key = entry.secret.as_slice();
    // Anything else a kiosk says goes to the store after its earlier events.
    if topic.kind() != TopicKind::Events {
        events.submit(ctx);
    }
    macro_rules! body {
        ($t:ty) => {
            match decode::<$t>(&topic, &p.payload, key) {
                Ok(m) => {
                    ctx.last_seen.lock().expect("last-seen lock").insert(kid.clone(), crate::store::now_ms());
                    m
                }
                Err(e) => {
                    tracing::debug!(detail = %e, "decode failed");
                    return reject(ctx, kid.as_str(), &p.topic, &reason(&e)).await;
                }
            }
        };
    }
    match topic.kind() {
        TopicKind::Status => {
            let status = body!(Status);
            on_status(ctx, &kid, status).await;
        }
        TopicKind::CatalogGet => {
            let get = body!(CatalogGet);
            on_catalog_get(ctx, &kid, key, get).await;
        }
        TopicKind::BlobGet => {
            let get = body!(BlobGet);
            on_blob_get(ctx, &kid, &p.topic, get).await;
        }
        TopicKind::CatalogReported => {
            let r = body!(CatalogReported);
            let k = kid.to_string();
            if let Err(e) = ctx.writer.exec(move |c| rollout::job_reported(c, &k, &r)).await {
                tracing::error!(kiosk = %kid, error = %e, "cannot record a sync report");
            }
        }
        TopicKind::ReleaseReported => {
            let r = body!(ReleaseReported);
            tracing::info!(kiosk = %kid, release = %r.version, state = r.state.as_str(), error = r.error.as_deref().unwrap_or(""), "release report");
            let k = kid.to_string();
            if let Err(e) = ctx.writer.exec(move |c| crate::releases::job_reported(c, &k, &r)).await {
                tracing::error!(kiosk = %kid, error = %e, "cannot record a release report");
            }
        }
        TopicKind::ServiceSeen => {
            let seen = body!(ServiceSeen);
            let k = kid.to_string();
            if let Err(e) = ctx.writer.exec(move |c| tickets::notices::seen(c, &k, &seen)).await {
                tracing::error!(kiosk = %kid, error = %e, "cannot record a ticket update as seen");
            }
        }
        TopicKind::SignupSeen => {
            let seen = body!(SignupSeen);
            let k = kid.to_string();
            if let Err(e) = ctx.writer.exec(move |c| crate::training::notices::seen(c, &k, &seen)).await {
                tracing::error!(kiosk = %kid, error = %e, "cannot record a sign-up state as seen");
            }
        }
        TopicKind::CommandResult => {
            let r = body!(CommandResult);
            if let Err(why) = super::command_relay::on_result(ctx, &kid, r).await {
                return reject(ctx, kid.as_str(), &p.topic, why).await;
            }
        }
        TopicKind::Events => {
            let batch = body!(protocol::messages::EventBatch);
            if let Err(e) = ingest::check(&batch) {
                // A constant reason keeps the rejects table one row per kind of fault.
                tracing::debug!(kiosk = %kid, detail = %e, "bad batch");
                return reject(ctx, kid.as_str(), &p.topic, "bad batch").await;
            }
            events.push(ctx, &kid, batch);
        }
        other => {
            reject(ctx, kid.as_str(), &p.topic, &format!("the hub does not accept {other:?} messages")).await
        }
    }
}

/// Queue a kiosk's batches for the writer; the ack is published after
/// commit by the ack sender (coalesced per kiosk), so the dispatcher never
/// waits on a disk flush.
fn submit_events(ctx: &Arc<Ctx>, kid: KioskId, batches: Vec<protocol::messages::EventBatch>) {
    if ctx.ingest == super::IngestMode::AckOnly {
        let ack = {
            let mut all = ctx.received.lock().expect("received lock");
            let r = all.entry(kid.clone()).or_default();
            for b in batches.iter().filter(|b| !b.events.is_empty()) {
                r.add(b.events[0].seq, b.events[b.events.len() - 1].seq);
            }
            protocol::messages::EventsAck { upto: r.upto, missing: r.missing() }
        };
        let order = ctx.acks.next_order();
        ctx.acks.put(kid, order, ack);
        return;
    }
    let now = crate::store::now_ms();
    let cal = ctx.calendar();
    let acks = ctx.acks.clone();
    let order = acks.next_order();
    let k = kid.clone();
    let queued = ctx.writer.submit_then(
        move |c| ingest::ingest(c, &k, &batches, now, &cal).map(|done| (k, done)),
        move |result| match result {
            Ok((kid, done)) => {
                if done.duplicates > 0 {
                    tracing::debug!(kiosk = %kid, duplicates = done.duplicates, "duplicate events ignored");
                }
                acks.put(kid, order, done.ack);
            }
            // Not acked: the kiosk keeps the events and sends them again.
            // A full disk is said once, by the writer.
            Err(e) if e.is_disk_full() => tracing::debug!(error = %e, "event batches not committed"),
            Err(e) => tracing::error!(error = %e, "event batches not committed"),
        },
    );
    if let Err(e) = queued {
        tracing::error!(kiosk = %kid, error = %e, "cannot queue event batches");
    }
}

async fn on_status(ctx: &Arc<Ctx>, kid: &KioskId, status: Status) {
    let k = kid.clone();
    let now = crate::store::now_ms();
    match ctx.writer.exec(move |c| presence::record(c, &k, &status, now)).await {
        Ok(t) => {
            tracing::info!(kiosk = %kid, transition = ?t, "presence");
            ctx.screen_changed.notify_one();
            if t == presence::Transition::CameOnline {
                // Its retained pointer may be gone (broker restart): send it again.
                super::housekeeping::send_pointer(ctx, kid, true).await;
                super::housekeeping::send_release_pointer(ctx, kid, true).await;
                // Ticket updates it has not confirmed: send them all again.
                super::housekeeping::resend_ticket_updates(ctx, kid).await;
                super::housekeeping::resend_signup_states(ctx, kid).await;
                // An ack lost in a crash between commit and publish: repeat it,
                // so the kiosk can clear what is already counted.
                // A hub restored from a backup acks less than the kiosk had:
                // the kiosk sends again what it still holds.
                if let (Ok(ack), Some(entry)) = (ctx.read(|c| ingest::current_ack(c, kid)), ctx.kiosk(kid)) {
                    ctx.broker.send(&Topic::EventsAck(kid.clone()), &ack, &entry.secret, false).await;
                }
            }
        }
        Err(e) => tracing::error!(kiosk = %kid, error = %e, "cannot record presence"),
    }
}

async fn on_catalog_get(ctx: &Arc<Ctx>, kid: &KioskId, key: &[u8], get: CatalogGet) {
    let built = ctx.read(|c| {
        let view = views::of_kiosk(c, kid.as_str())?;
        rollout::document(c, &ctx.blobs, get.have, get.want, &view)
    });
    let (doc, new) = match built {
        Ok(x) => x,
        Err(e) => {
            tracing::error!(kiosk = %kid, error = %e, "cannot build a catalog document");
            return;
        }
    };
    let (k, want, ok) = (kid.to_string(), get.want, doc.error.is_none());
    let stored = ctx
        .writer
        .exec(move |c| {
            if let Some(n) = &new {
                rollout::remember_doc(c, n)?;
            }
            if ok {
                rollout::job_started(c, &k, want)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = stored {
        tracing::error!(kiosk = %kid, error = %e, "cannot record a catalog document");
        return;
    }
    tracing::info!(kiosk = %kid, have = get.have, want = get.want, kind = ?doc.kind, bytes = doc.doc_size, "catalog document");
    ctx.broker.send(&Topic::CatalogDoc(kid.clone()), &doc, key, false).await;
}

async fn on_blob_get(ctx: &Arc<Ctx>, kid: &KioskId, topic: &str, get: BlobGet) {
    if !protocol::is_sha256_hex(&get.sha256) {
        return reject(ctx, kid.as_str(), topic, "malformed").await;
    }
    let size = match ctx.read(|c| rollout::fetchable_blob(c, &get.sha256)) {
        Ok(Some(s)) => s,
        Ok(None) => return reject(ctx, kid.as_str(), topic, "unknown blob").await,
        Err(e) => return tracing::error!(error = %e, "blob lookup failed"),
    };
    if get.offset > size {
        return reject(ctx, kid.as_str(), topic, "offset beyond blob").await;
    }
    tracing::debug!(kiosk = %kid, sha256 = %get.sha256, offset = get.offset, "blob window requested");
    // Send one window of chunks in the background; the kiosk asks for the
    // next window from wherever it got to (flow control and resumption).
    let ctx = ctx.clone();
    let kid = kid.clone();
    tokio::spawn(async move {
        let chunk = limits::BLOB_CHUNK as u64;
        // A kiosk may ask for a smaller window (a release on a slow link).
        let window = get
            .chunks
            .map_or(limits::BLOB_WINDOW_CHUNKS, |n| u64::from(n).clamp(1, limits::BLOB_WINDOW_CHUNKS));
        for i in 0..window {
            let offset = get.offset + i * chunk;
            if offset >= size {
                break;
            }
            let bytes = match ctx.blobs.read_at(&get.sha256, offset, limits::BLOB_CHUNK) {
                Ok(b) => b,
                Err(e) => return tracing::error!(sha256 = get.sha256, error = %e, "cannot read blob"),
            };
            let topic = Topic::BlobChunk { kid: kid.clone(), sha256: get.sha256.clone(), offset };
            ctx.broker.raw(&topic, bytes).await;
        }
    });
}
