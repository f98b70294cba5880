//! `hub serve`.

use clap::Args;
use hub::broker::BrokerAddr;
use hub::server::{ServeOptions, serve};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// The hub's data folder (SQLite store, blobs, hub key).
    #[arg(long, default_value = "hub-data")]
    data: PathBuf,
    /// Where the embedded broker listens.
    #[arg(long, default_value = "0.0.0.0:1883")]
    listen: SocketAddr,
    /// Use this external broker (mqtt://host:port) instead of the embedded one.
    #[arg(long)]
    broker: Option<String>,
    /// Publish this catalog folder first if nothing has been published yet.
    #[arg(long)]
    seed_catalog: Option<PathBuf>,
}

pub fn run(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let broker = a.broker.as_deref().map(BrokerAddr::parse).transpose()?;
    let opts = ServeOptions { data: a.data, listen: a.listen, broker, seed_catalog: a.seed_catalog };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(serve(opts, shutdown_signal()))?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
