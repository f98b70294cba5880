//! Periodic work: on every (re)connect, subscribe and republish everything
//! retained (a broker may have forgotten it); twice a second, notice new
//! publications and kiosks; every half minute, time out stalled jobs.

use super::{Ctx, sync};
use crate::registry;
use crate::store::now_ms;
use protocol::{KioskId, Topic};
use rumqttc::QoS;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub(crate) async fn run(ctx: Arc<Ctx>, mut connected: watch::Receiver<u64>) {
    let mut fingerprint = String::new();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut last_timeout_sweep = now_ms();
    loop {
        tokio::select! {
            changed = connected.changed() => {
                if changed.is_err() { return; }
                on_connect(&ctx).await;
            }
            _ = tick.tick() => {
                let fp = ctx.read(|c| {
                    Ok(c.query_row(
                        "SELECT (SELECT coalesce(group_concat(target || '=' || version || '@' || updated_at), '') FROM catalog_targets)
                              || '|' || (SELECT count(*) || ':' || coalesce(max(created_at), 0) || ':' || count(revoked_at) FROM kiosks)",
                        [],
                        |r| r.get::<_, String>(0),
                    )?)
                });
                match fp {
                    Ok(fp) if fp != fingerprint => {
                        let first = fingerprint.is_empty();
                        fingerprint = fp;
                        if !first {
                            reload_kiosks(&ctx);
                            send_all_pointers(&ctx, false).await;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "cannot read rollout targets"),
                }
                flush_last_seen(&ctx).await;
                if now_ms() - last_timeout_sweep > 30_000 {
                    last_timeout_sweep = now_ms();
                    match ctx.writer.exec(|c| sync::time_out_jobs(c, now_ms())).await {
                        Ok(n) if n > 0 => tracing::warn!(jobs = n, "sync jobs timed out"),
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "cannot time out jobs"),
                    }
                }
            }
        }
    }
}

async fn flush_last_seen(ctx: &Arc<Ctx>) {
    let seen: Vec<(KioskId, i64)> = ctx.last_seen.lock().expect("last-seen lock").drain().collect();
    if seen.is_empty() {
        return;
    }
    let result = ctx
        .writer
        .exec(move |c| {
            for (kid, at) in &seen {
                super::presence::seen(c, kid, *at)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "cannot record last-seen times");
    }
}

async fn on_connect(ctx: &Arc<Ctx>) {
    let filters =
        Topic::hub_filters().into_iter().map(|f| rumqttc::SubscribeFilter::new(f, QoS::AtLeastOnce));
    if let Err(e) = ctx.link.client.subscribe_many(filters).await {
        tracing::error!(error = %e, "cannot subscribe");
    }
    ctx.link.hub_state(true).await;
    reload_kiosks(ctx);
    send_all_pointers(ctx, true).await;
}

fn reload_kiosks(ctx: &Ctx) {
    match ctx.read(registry::all) {
        Ok(map) => *ctx.kiosks.lock().expect("kiosk map lock") = map,
        Err(e) => tracing::error!(error = %e, "cannot reload the kiosk registry"),
    }
}

async fn send_all_pointers(ctx: &Arc<Ctx>, force: bool) {
    let kids: Vec<KioskId> = ctx.kiosks.lock().expect("kiosk map lock").keys().cloned().collect();
    for kid in kids {
        send_pointer(ctx, &kid, force).await;
    }
}

/// Publish a kiosk's retained `catalog/desired` pointer (signed with its
/// secret) when it changed, or always with `force`.
pub(crate) async fn send_pointer(ctx: &Arc<Ctx>, kid: &KioskId, force: bool) {
    let Some(entry) = ctx.kiosk(kid) else { return };
    let pointer = match ctx.read(|c| sync::pointer_for(c, &entry.group)) {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => return tracing::error!(kiosk = %kid, error = %e, "cannot compute a pointer"),
    };
    {
        let mut sent = ctx.sent_pointers.lock().expect("sent-pointer lock");
        if !force && sent.get(kid) == Some(&pointer.version) {
            return;
        }
        sent.insert(kid.clone(), pointer.version);
    }
    let (k, v) = (kid.to_string(), pointer.version);
    if let Err(e) = ctx.writer.exec(move |c| sync::job_queued(c, &k, v)).await {
        tracing::error!(kiosk = %kid, error = %e, "cannot queue a sync job");
    }
    ctx.link.send(&Topic::CatalogDesired(kid.clone()), &pointer, &entry.secret, true).await;
}
