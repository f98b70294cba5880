//! The ingest benchmark's ceiling: the hub's own server — broker, gate,
//! dispatcher, envelope checks, ack coalescing and signed acks — with the
//! store taken out (`IngestMode::AckOnly`: batches are acknowledged as
//! received and kept nowhere). `bench-ingest` runs it beside the real hub,
//! same kiosks and windows, so the ratio says what storing costs.
//!
//! It takes `hub serve`'s arguments that the test harness passes, so
//! `HubProcess::start_binary` starts it like a hub. Never a hub for kiosks:
//! it loses every event.

use clap::{Parser, Subcommand};
use hub::broker::BrokerAddr;
use hub::server::{IngestMode, ServeOptions, serve};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Serve {
        #[arg(long)]
        data: PathBuf,
        #[arg(long, default_value = "127.0.0.1:1883")]
        listen: SocketAddr,
        #[arg(long)]
        broker: Option<String>,
        /// Accepted and ignored: the stand-in has no console.
        #[arg(long)]
        web: Option<SocketAddr>,
    },
}

fn main() -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rumqttd=off"));
    // As `hub serve` logs: plain text into a file (bench-ingest reads it).
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let Command::Serve { data, listen, broker, web: _ } = Cli::parse().command;
    let opts = ServeOptions {
        data,
        listen,
        broker: broker.as_deref().map(BrokerAddr::parse).transpose()?,
        tls_listen: None,
        tls_handshake_timeout: std::time::Duration::from_secs(10),
        ca_file: None,
        seed_catalog: None,
        console: None,
        retention: Default::default(),
        ingest: IngestMode::AckOnly,
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(serve(opts, async {
        let _ = tokio::signal::ctrl_c().await;
    }))?;
    Ok(())
}
