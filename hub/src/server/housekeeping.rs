//! Periodic work: on every (re)connect, subscribe and republish everything
//! retained (a broker may have forgotten it); twice a second, notice new
//! publications and registry changes and send staff commands; every half
//! minute, time out stalled jobs.

use super::{Ctx, live};
use crate::catalog::{rollout, views};
use crate::fleet::{presence, registry};
use crate::releases;
use crate::store::now_ms;
use crate::tickets::{self, calendar::Calendar};
use protocol::{KioskId, Topic};
use rumqttc::QoS;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

pub(crate) async fn run(ctx: Arc<Ctx>, mut connected: watch::Receiver<u64>) {
    // What was last seen of the rollout targets and of the registry; a
    // change of either reloads the kiosk table and sends new pointers.
    let mut seen: Option<(String, String, i64)> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut last_timeout_sweep = now_ms();
    let mut live_minute = 0;
    loop {
        tokio::select! {
            changed = connected.changed() => {
                if changed.is_err() { return; }
                on_connect(&ctx).await;
            }
            _ = tick.tick() => {
                let now_seen = ctx.read(|c| {
                    Ok((rollout::targets_stamp(c)?, releases::targets_stamp(c)?, registry::revision(c)?))
                });
                match now_seen {
                    Ok(now_seen) if seen.as_ref() != Some(&now_seen) => {
                        let first = seen.is_none();
                        seen = Some(now_seen);
                        if !first {
                            reload_kiosks(&ctx);
                            send_all_pointers(&ctx, false).await;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "cannot read rollout targets or the registry"),
                }
                flush_last_seen(&ctx).await;
                send_ticket_updates(&ctx, None).await;
                send_signup_states(&ctx, None).await;
                super::command_relay::send_due(&ctx).await;
                live::publish_if_due(&ctx, &mut live_minute).await;
                if now_ms() - last_timeout_sweep > 30_000 {
                    last_timeout_sweep = now_ms();
                    refresh_calendar(&ctx).await;
                    match ctx.writer.exec(|c| rollout::time_out_jobs(c, now_ms())).await {
                        Ok(n) if n > 0 => tracing::warn!(jobs = n, "sync jobs timed out"),
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "cannot time out jobs"),
                    }
                }
            }
        }
    }
}

/// Reload the calendar (staff may have added a year) and give complaints
/// that were waiting for it their deadline.
async fn refresh_calendar(ctx: &Arc<Ctx>) {
    let cal = match Calendar::load(Some(&ctx.data.calendar())) {
        Ok(c) => Arc::new(c),
        Err(e) => return tracing::error!(error = %e, "calendar not reloaded; keeping the one loaded"),
    };
    *ctx.calendar.lock().expect("calendar lock") = cal.clone();
    match ctx.writer.exec(move |c| tickets::records::fill_missing_deadlines(c, &cal)).await {
        Ok(n) if n > 0 => tracing::info!(tickets = n, "complaint deadlines set from a new calendar year"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "cannot set complaint deadlines"),
    }
}

/// Send every ticket update not yet confirmed by its kiosk, once per
/// revision (all kiosks, or one).
async fn send_ticket_updates(ctx: &Arc<Ctx>, only: Option<&KioskId>) {
    let pending = match ctx.read(tickets::notices::pending) {
        Ok(p) => p,
        Err(e) => return tracing::error!(error = %e, "cannot read pending ticket updates"),
    };
    for (kid, ack) in pending {
        let Ok(kid) = KioskId::new(kid) else { continue };
        if only.is_some_and(|o| *o != kid) {
            continue;
        }
        {
            let mut sent = ctx.sent_tickets.lock().expect("sent-ticket lock");
            if sent.get(&ack.ticket_no).is_some_and(|r| *r >= ack.rev) {
                continue;
            }
            sent.insert(ack.ticket_no.clone(), ack.rev);
        }
        let Some(entry) = ctx.kiosk(&kid) else { continue };
        ctx.broker.send(&Topic::ServiceAck(kid), &ack, &entry.secret, false).await;
    }
}

/// After a kiosk's birth: everything it has not confirmed goes out again.
pub(crate) async fn resend_ticket_updates(ctx: &Arc<Ctx>, kid: &KioskId) {
    if let Ok(pending) = ctx.read(tickets::notices::pending) {
        let mut sent = ctx.sent_tickets.lock().expect("sent-ticket lock");
        for (k, ack) in pending {
            if k == kid.as_str() {
                sent.remove(&ack.ticket_no);
            }
        }
    }
    send_ticket_updates(ctx, Some(kid)).await;
}

/// Send every sign-up state not yet confirmed by its kiosk, once per
/// revision (all kiosks, or one).
async fn send_signup_states(ctx: &Arc<Ctx>, only: Option<&KioskId>) {
    let pending = match ctx.read(crate::training::notices::pending) {
        Ok(p) => p,
        Err(e) => return tracing::error!(error = %e, "cannot read pending sign-up states"),
    };
    for (kid, state) in pending {
        let Ok(kid) = KioskId::new(kid) else { continue };
        if only.is_some_and(|o| *o != kid) {
            continue;
        }
        {
            let mut sent = ctx.sent_signups.lock().expect("sent-signup lock");
            if sent.get(&state.signup_id).is_some_and(|r| *r >= state.rev) {
                continue;
            }
            sent.insert(state.signup_id.clone(), state.rev);
        }
        let Some(entry) = ctx.kiosk(&kid) else { continue };
        ctx.broker.send(&Topic::SignupState(kid), &state, &entry.secret, false).await;
    }
}

/// After a kiosk's birth: every sign-up state it has not confirmed goes out again.
pub(crate) async fn resend_signup_states(ctx: &Arc<Ctx>, kid: &KioskId) {
    if let Ok(pending) = ctx.read(crate::training::notices::pending) {
        let mut sent = ctx.sent_signups.lock().expect("sent-signup lock");
        for (k, state) in pending {
            if k == kid.as_str() {
                sent.remove(&state.signup_id);
            }
        }
    }
    send_signup_states(ctx, Some(kid)).await;
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
                presence::seen(c, kid, *at)?;
            }
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "cannot record last-seen times");
    }
}

async fn on_connect(ctx: &Arc<Ctx>) {
    // What kiosks send, and the hub's own retained topics (to put back
    // what someone else changes there).
    let retained = super::broker_client::RETAINED_FILTERS.iter().map(|f| f.to_string());
    let filters = Topic::hub_filters()
        .into_iter()
        .chain(retained)
        .map(|f| rumqttc::SubscribeFilter::new(f, QoS::AtLeastOnce));
    if let Err(e) = ctx.broker.client.subscribe_many(filters).await {
        tracing::error!(error = %e, "cannot subscribe");
    }
    ctx.broker.hub_state(true).await;
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
        send_release_pointer(ctx, &kid, force).await;
    }
}

/// Publish a kiosk's retained `release/desired` pointer when it changed
/// (or always with `force`). Nothing is sent while no release targets the
/// kiosk: an older kiosk never hears of releases it cannot take.
pub(crate) async fn send_release_pointer(ctx: &Arc<Ctx>, kid: &KioskId, force: bool) {
    let Some(entry) = ctx.kiosk(kid) else { return };
    let pointer = match ctx.read(|c| releases::pointer_for(c, &entry.group)) {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => return tracing::error!(kiosk = %kid, error = %e, "cannot compute a release pointer"),
    };
    {
        let mut sent = ctx.sent_releases.lock().expect("sent-release lock");
        if !force && sent.get(kid) == Some(&pointer) {
            return;
        }
        sent.insert(kid.clone(), pointer.clone());
    }
    let (k, v) = (kid.to_string(), pointer.manifest.version);
    if let Err(e) = ctx.writer.exec(move |c| releases::job_queued(c, &k, v)).await {
        tracing::error!(kiosk = %kid, error = %e, "cannot queue a release job");
    }
    tracing::info!(kiosk = %kid, release = %v, "release pointer");
    ctx.broker.send(&Topic::ReleaseDesired(kid.clone()), &pointer, &entry.secret, true).await;
}

/// Publish a kiosk's retained `catalog/desired` pointer (signed with its
/// secret) when it changed, or always with `force`.
pub(crate) async fn send_pointer(ctx: &Arc<Ctx>, kid: &KioskId, force: bool) {
    let Some(entry) = ctx.kiosk(kid) else { return };
    let pointer = ctx.read(|c| {
        let view = views::of_kiosk(c, kid.as_str())?;
        rollout::pointer_for(c, &entry.group, &view)
    });
    let pointer = match pointer {
        Ok(Some(p)) => p,
        Ok(None) => return,
        Err(e) => return tracing::error!(kiosk = %kid, error = %e, "cannot compute a pointer"),
    };
    {
        // Compared whole: the same version in another view (the kiosk's
        // software changed) is a new pointer.
        let mut sent = ctx.sent_pointers.lock().expect("sent-pointer lock");
        if !force && sent.get(kid) == Some(&pointer) {
            return;
        }
        sent.insert(kid.clone(), pointer.clone());
    }
    let (k, v) = (kid.to_string(), pointer.version);
    if let Err(e) = ctx.writer.exec(move |c| rollout::job_queued(c, &k, v)).await {
        tracing::error!(kiosk = %kid, error = %e, "cannot queue a sync job");
    }
    ctx.broker.send(&Topic::CatalogDesired(kid.clone()), &pointer, &entry.secret, true).await;
}
