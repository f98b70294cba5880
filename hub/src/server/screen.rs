//! The big screen's feed: `kh/v1/_dc/screen`, retained, signed with the hub
//! key. Published within a second of a commit that may change a figure (an
//! ack sent, a presence change), at most once a second, and every
//! [`REFRESH`] in case something changed elsewhere (a ticket handled from
//! the command line, the day turning); only when the figures changed.

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

pub(crate) async fn run(ctx: Arc<Ctx>) {
    let mut last: Option<ScreenFigures> = None;
    let mut seats = Seats::default();
    let mut names = NameCache::default();
    let mut sent_at = tokio::time::Instant::now() - HEARTBEAT;
    loop {
        tokio::select! {
            _ = ctx.screen_changed.notified() => {}
            _ = tokio::time::sleep(REFRESH) => {}
        }
        let gap = sent_at.elapsed();
        if gap < MIN_GAP {
            tokio::time::sleep(MIN_GAP - gap).await;
        }
        seats.publish_if_changed(&ctx).await;
        let f = match ctx.read(|c| figures_with(c, now_ms(), &mut names)) {
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
