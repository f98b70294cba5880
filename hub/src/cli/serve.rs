//! `hub serve`.

use clap::Args;
use hub::broker::BrokerAddr;
use hub::console::ConsoleOptions;
use hub::server::{ServeOptions, serve};
use hub::store::retention::Retention;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ServeArgs {
    /// The hub's data folder (SQLite store, blobs, hub key).
    #[arg(long, default_value = "hub-data")]
    data: PathBuf,
    /// Where the embedded broker listens for plain MQTT [default:
    /// 0.0.0.0:1883, or 127.0.0.1:1883 (this machine only) with --tls-listen].
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// The embedded broker also listens for MQTT over TLS here (e.g.
    /// 0.0.0.0:8883), with the certificate `hub fleet tls` made.
    #[arg(long)]
    tls_listen: Option<SocketAddr>,
    /// Seconds a kiosk has to finish its TLS handshake on --tls-listen
    /// before the connection is closed (a slow village link needs a few).
    #[arg(long, default_value_t = 10, requires = "tls_listen", value_parser = clap::value_parser!(u64).range(1..))]
    tls_handshake_timeout: u64,
    /// Use this external broker (mqtt://host:port or mqtts://host:port)
    /// instead of the embedded one.
    #[arg(long, conflicts_with = "tls_listen")]
    broker: Option<String>,
    /// The CA certificate an mqtts:// broker's certificate must chain to
    /// [default: <data>/tls/ca.pem].
    #[arg(long, requires = "broker")]
    ca: Option<PathBuf>,
    /// Publish this catalog folder first if nothing has been published yet.
    #[arg(long)]
    seed_catalog: Option<PathBuf>,
    /// Where the staff console listens (a browser on that address); plain
    /// HTTP only on this machine (127.0.0.1), otherwise with --web-tls.
    #[arg(long, default_value = "127.0.0.1:8080")]
    web: SocketAddr,
    /// Serve the console over HTTPS with the certificate `hub fleet tls`
    /// made (name this machine with --host there).
    #[arg(long)]
    web_tls: bool,
    /// No staff console.
    #[arg(long, conflicts_with_all = ["web_tls"])]
    no_web: bool,
    /// Days raw events, parcel rows and presence changes are kept (the
    /// reports' daily figures are kept for ever).
    #[arg(long, default_value_t = Retention::default().raw_days, value_parser = clap::value_parser!(u32).range(31..=3650))]
    keep_raw_days: u32,
    /// Days finished kiosk commands and their screenshots are kept.
    #[arg(long, default_value_t = Retention::default().commands_days, value_parser = clap::value_parser!(u32).range(1..=3650))]
    keep_commands_days: u32,
}

pub fn run(a: ServeArgs) -> anyhow::Result<ExitCode> {
    let broker = a.broker.as_deref().map(BrokerAddr::parse).transpose()?;
    // With TLS for the kiosks, plain MQTT is only for the hub's own client.
    let default_ip = if a.tls_listen.is_some() { Ipv4Addr::LOCALHOST } else { Ipv4Addr::UNSPECIFIED };
    let opts = ServeOptions {
        data: a.data,
        listen: a.listen.unwrap_or(SocketAddr::from((default_ip, 1883))),
        broker,
        tls_listen: a.tls_listen,
        tls_handshake_timeout: std::time::Duration::from_secs(a.tls_handshake_timeout),
        ca_file: a.ca,
        seed_catalog: a.seed_catalog,
        console: (!a.no_web).then_some(ConsoleOptions { listen: a.web, tls: a.web_tls }),
        retention: Retention { raw_days: a.keep_raw_days, commands_days: a.keep_commands_days },
        ingest: Default::default(),
    };
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
