//! The data centre's live feed: once a minute, the last complete minute of
//! ingest and the county day so far, retained on `kh/v1/_dc/minute`.
//!
//! Everything comes from the store ([`crate::reports::live`]; per-minute
//! counts are written in the ingest transaction), so a hub restart neither
//! loses nor repeats a minute's figures; the feed just resumes with the
//! next minute.

use super::Ctx;
use crate::reports::live::minute_figures;
use crate::store::now_ms;
use protocol::Topic;
use std::sync::Arc;

/// Commits of batches received just before a minute ends land a moment
/// after it; wait this long before reading the minute.
const SETTLE_MS: i64 = 2_000;

pub const TOPIC: &str = "minute";

/// Publish the last complete minute once it has settled and was not sent yet.
pub(crate) async fn publish_if_due(ctx: &Arc<Ctx>, last_sent: &mut i64) {
    let now = now_ms();
    let minute = (now - SETTLE_MS).div_euclid(60_000) * 60_000 - 60_000;
    if minute <= *last_sent {
        return;
    }
    match ctx.read(|c| minute_figures(c, minute, now)) {
        Ok(figures) => {
            ctx.broker.send_hub(&Topic::DataCentre(TOPIC.into()), &figures, true).await;
            *last_sent = minute;
        }
        Err(e) => tracing::error!(error = %e, "cannot compute the live feed"),
    }
}
