//! The big screen's feed: `kh/v1/_dc/screen`, retained, signed with the hub
//! key. Published within a second of a commit that may change a figure (an
//! ack sent, a presence change), at most once a second, and every
//! [`REFRESH`] in case something changed elsewhere (a ticket handled from
//! the command line, the day turning); only when the figures changed.
//!
//! The figures read the month's tickets: with tens of thousands in the
//! store that is a large share of a second. They are read on a blocking
//! thread with a connection of their own (the shared read connection and
//! the async workers stay free for ingest), and never more often than
//! [`COST_SHARE`] of the time allows.

use super::Ctx;
use crate::reports::screen::{NameCache, figures_with};
use crate::store::now_ms;
use protocol::screen::ScreenFigures;
use std::sync::Arc;
use std::time::Duration;

/// Figures are read again at least this often.
const REFRESH: Duration = Duration::from_secs(10);
/// At most one publication per this long (a busy hour's acks).
const MIN_GAP: Duration = Duration::from_secs(1);
/// The same figures are sent again this often anyway: the screen's "as of"
/// time moves, so it can tell a quiet county from a lost hub.
const HEARTBEAT: Duration = Duration::from_secs(30);
/// Reading the figures may take at most one part in this many of the
/// time: a read that takes 300 ms is made at most every 3 s.
const COST_SHARE: u32 = 10;

pub(crate) async fn run(ctx: Arc<Ctx>) {
    let mut conn = match crate::store::open_read(&ctx.data) {
        Ok(c) => c,
        Err(e) => return tracing::error!(error = %e, "the big screen's feed cannot read the store"),
    };
    let mut last: Option<ScreenFigures> = None;
    let mut seats = Seats::default();
    let mut names = NameCache::default();
    let mut sent_at = tokio::time::Instant::now() - HEARTBEAT;
    let mut read_at = tokio::time::Instant::now() - HEARTBEAT;
    let mut cost = Duration::ZERO;
    loop {
        tokio::select! {
            _ = ctx.screen_changed.notified() => {}
            _ = tokio::time::sleep(REFRESH) => {}
        }
        let gap = MIN_GAP.max(cost * COST_SHARE);
        tokio::time::sleep(gap.saturating_sub(read_at.elapsed())).await;
        seats.publish_if_changed(&ctx).await;
        read_at = tokio::time::Instant::now();
        // The connection and the name cache go to the blocking thread and back.
        let read;
        (conn, names, read) = tokio::task::spawn_blocking(move || {
            let read = figures_with(&conn, now_ms(), &mut names);
            (conn, names, read)
        })
        .await
        .expect("the figures' read does not panic");
        cost = read_at.elapsed();
        let f = match read {
            Ok(f) => f,
            Err(e) => {
                tracing::error!(error = %e, "cannot compute the big screen's figures");
                continue;
            }
        };
        let same = last.as_ref().is_some_and(|l| ScreenFigures { ts: f.ts, ..l.clone() } == f);
        if same && sent_at.elapsed() < HEARTBEAT {
            continue;
        }
        ctx.broker.send_hub(&protocol::screen::topic(), &f, true).await;
        sent_at = tokio::time::Instant::now();
        last = Some(f);
    }
}

/// Seats left at training sessions (`kh/v1/_dc/seats`): read with the big
/// screen's figures, sent when they changed and with the same heartbeat (a
/// broker that restarted has lost the retained copy).
#[derive(Default)]
struct Seats {
    last: Option<protocol::messages::SeatsLeft>,
    sent_at: Option<tokio::time::Instant>,
}

impl Seats {
    async fn publish_if_changed(&mut self, ctx: &Arc<Ctx>) {
        let now = now_ms();
        let seats = match ctx.read(|c| crate::training::roster::seats_left(c, now)) {
            Ok(s) => s,
            Err(e) => return tracing::error!(error = %e, "cannot count the seats left"),
        };
        let same = self.last.as_ref().is_some_and(|l| l.sessions == seats.sessions);
        if same && self.sent_at.is_some_and(|t| t.elapsed() < HEARTBEAT) {
            return;
        }
        ctx.broker.send_hub(&protocol::messages::SeatsLeft::topic(), &seats, true).await;
        self.sent_at = Some(tokio::time::Instant::now());
        self.last = Some(seats);
    }
}
