//! The serving hub forgets what it keeps no longer (`store::retention`):
//! a pass a minute after start and then every six hours, one bounded step
//! per writer operation so ingest is never held back for long.

use super::Ctx;
use crate::store::now_ms;
use crate::store::retention::{Forgotten, Retention, Step, forget_step};
use std::sync::Arc;
use std::time::Duration;

const FIRST_PASS: Duration = Duration::from_secs(60);
const EVERY: Duration = Duration::from_secs(6 * 3600);

pub(crate) async fn run(ctx: Arc<Ctx>, retention: Retention) {
    tokio::time::sleep(FIRST_PASS).await;
    loop {
        match pass(&ctx, retention).await {
            Ok(done) if done.total() > 0 => tracing::info!(?done, "old rows forgotten"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "retention pass stopped; it runs again later"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

async fn pass(ctx: &Arc<Ctx>, retention: Retention) -> Result<Forgotten, crate::store::StoreError> {
    let now = now_ms();
    let mut done = Forgotten::default();
    let mut step = Some(Step::Minutes);
    while let Some(s) = step {
        let root = ctx.data.root().to_owned();
        let (next, d) = ctx
            .writer
            .exec(move |c| {
                let mut d = Forgotten::default();
                Ok((forget_step(c, &root, now, &retention, &s, &mut d)?, d))
            })
            .await?;
        done += d;
        step = next;
    }
    Ok(done)
}
