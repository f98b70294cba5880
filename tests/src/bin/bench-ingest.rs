//! Durable ingest throughput: events committed per second by a real hub
//! process, through its embedded broker or through Mosquitto, with batches
//! of 1 and of 64 events. In the same run, the ceiling like for like: the
//! same kiosks and windows against the hub stand-in (`hub-stand-in`: the
//! hub's server acknowledging without storing).
//!
//! Run in release mode (see docs/benchmarks.md):
//!   cargo build --release -p e2e --bins   # hub-e2e and hub-stand-in too
//!   ./target/release/bench-ingest --kiosks 16 --events 20000

use clap::Parser;
use e2e::event_sender::{EventSender, Faults, SenderConfig};
use e2e::figures::event_kind;
use e2e::harness::*;
use protocol::KioskId;
use protocol::messages::Event;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Simulated kiosks sending at once.
    #[arg(long, default_value_t = 16)]
    kiosks: u64,
    /// Events per kiosk (for batches of 64; batches of 1 send a tenth).
    #[arg(long, default_value_t = 20_000)]
    events: u64,
    /// Batch sizes to measure.
    #[arg(long, value_delimiter = ',', default_values_t = [64usize, 1])]
    batches: Vec<usize>,
    /// Batches each kiosk keeps in flight beyond its last ack (default: 512
    /// for batches of 1, 32 otherwise).
    #[arg(long)]
    window: Option<usize>,
    /// Skip Mosquitto even when installed.
    #[arg(long)]
    no_mosquitto: bool,
    /// Also run the embedded broker's kiosks straight to rumqttd, past the
    /// gate that enforces the ACL (the gate's cost, in the same run).
    #[arg(long)]
    gate_cost: bool,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    // (name, Mosquitto, kiosks straight to rumqttd's loopback port: the
    // gate's cost, measured beside it)
    let mut modes = vec![("embedded rumqttd", None, false)];
    if args.gate_cost {
        modes.push(("embedded rumqttd, no gate", None, true));
    }
    if !args.no_mosquitto && Mosquitto::installed() {
        modes.push(("mosquitto", Some(Mosquitto::start()), false));
    }
    println!(
        "| broker | batch | kiosks | events | hub s | hub events/s committed | stand-in events/s acked | hub / stand-in |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, mosq, past_gate) in &modes {
        let port = mosq.as_ref().map_or_else(free_port, |m| m.port);
        let mode = if mosq.is_some() { BrokerMode::External(port) } else { BrokerMode::Embedded(port) };
        for &batch in &args.batches {
            let per_kiosk = if batch == 1 { args.events / 10 } else { args.events };
            let window = args.window.unwrap_or(if batch == 1 { 512 } else { 32 });
            let run = |bin| run_ingest(bin, mode, *past_gate, args.kiosks, per_kiosk, batch, window);
            // The ceiling first, then the hub, in the same run.
            let ceiling = run(hub_stand_in_bin()).await;
            let hub = run(hub_bin()).await;
            println!(
                "| {name} | {batch} | {} | {} | {:.2} | {:.0} | {:.0} | {:.0}% |",
                args.kiosks,
                args.kiosks * per_kiosk,
                hub.1,
                hub.0,
                ceiling.0,
                100.0 * hub.0 / ceiling.0
            );
        }
    }
}

/// Returns (events/s, seconds).
async fn run_ingest(
    hub_bin: std::path::PathBuf,
    mode: BrokerMode,
    past_gate: bool,
    kiosks: u64,
    per_kiosk: u64,
    batch: usize,
    window: usize,
) -> (f64, f64) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().to_owned();
    let mut secrets = Vec::new();
    {
        let writer = hub::store::writer::Writer::start(&hub::store::DataDir::new(&data).unwrap()).unwrap();
        for i in 0..kiosks {
            let kid = KioskId::new(format!("bench-{i}")).unwrap();
            secrets.push(
                writer
                    .exec(move |c| Ok(hub::fleet::registry::register_new(c, &kid, "bench")))
                    .await
                    .unwrap()
                    .unwrap()
                    .secret,
            );
        }
    }
    let hub = HubProcess::start_binary(&hub_bin, &data, mode).await;
    let hub_key = hub_key(&data);
    let port = if past_gate { rumqttd_port(&hub) } else { mode.port() };
    let started = Instant::now();
    let senders: Vec<EventSender> = (0..kiosks)
        .map(|i| {
            let events: Vec<Event> = (1..=per_kiosk)
                .map(|seq| Event {
                    seq,
                    t: 1_790_812_800_000 + seq * 1000,
                    clock_trusted: true,
                    kind: event_kind((seq % 251) as u8, seq),
                })
                .collect();
            EventSender::start(SenderConfig {
                kid: KioskId::new(format!("bench-{i}")).unwrap(),
                secret: secrets[i as usize].clone(),
                hub_key: hub_key.clone(),
                host: "127.0.0.1".into(),
                port,
                events: Arc::new(events),
                batch,
                window_batches: window,
                faults: Faults::default(),
                seed: i,
            })
        })
        .collect();
    let total = kiosks * per_kiosk;
    while senders.iter().map(EventSender::acked).sum::<u64>() < total {
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert!(started.elapsed() < Duration::from_secs(600), "benchmark stalled; hub log:\n{}", hub.log());
    }
    let secs = started.elapsed().as_secs_f64();
    drop(senders);
    drop(hub);
    (total as f64 / secs, secs)
}

/// rumqttd's own loopback port, from the hub's log line
/// `embedded broker listening … rumqttd=127.0.0.1:PORT`. The gate accepts
/// a moment before that line is written: wait for it whole.
fn rumqttd_port(hub: &HubProcess) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = hub.log();
        let port = log
            .lines()
            .filter(|l| l.contains("embedded broker listening"))
            .flat_map(str::split_whitespace)
            .find_map(|w| w.strip_prefix("rumqttd=")?.rsplit(':').next()?.parse().ok());
        if let Some(port) = port {
            return port;
        }
        assert!(Instant::now() < deadline, "no rumqttd port in the hub's log:\n{log}");
        std::thread::sleep(Duration::from_millis(20));
    }
}
