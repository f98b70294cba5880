//! Durable ingest throughput: events committed per second by a real hub
//! process, through its embedded broker or through Mosquitto, with batches
//! of 1 and of 64 events. In the same run, the ceiling like for like: the
//! same kiosks and windows against the hub stand-in (`hub-stand-in`: the
//! hub's server acknowledging without storing), and what the broker alone
//! delivers to one subscriber (QoS 1).
//!
//! Run in release mode (see docs/benchmarks.md):
//!   cargo run --release -p e2e --bin bench-ingest -- --kiosks 16 --events 20000

use clap::Parser;
use e2e::event_sender::{EventSender, Faults, SenderConfig};
use e2e::figures::event_kind;
use e2e::harness::*;
use protocol::KioskId;
use protocol::messages::Event;
use rumqttc::{AsyncClient, MqttOptions, QoS};
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
    /// Messages for the broker-only measurement.
    #[arg(long, default_value_t = 50_000)]
    broker_messages: u64,
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
    let mut broker_rows = Vec::new();
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
        if !*past_gate {
            broker_rows.push((name, broker_only(mode, args.broker_messages).await));
        }
    }
    println!();
    println!(
        "| broker | broker alone, 1 publisher → 1 subscriber, QoS 1 | messages | seconds | messages/s |"
    );
    println!("|---|---|---|---|---|");
    for (name, b) in broker_rows {
        println!("| {name} | 220-byte payloads | {} | {:.2} | {:.0} |", b.0, b.2, b.1);
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
    let port = if past_gate { rumqttd_port(&hub.log()) } else { mode.port() };
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
/// `embedded broker listening … rumqttd=127.0.0.1:PORT`.
fn rumqttd_port(log: &str) -> u16 {
    let line = log.lines().find(|l| l.contains("embedded broker listening")).expect("the broker's log line");
    let field = line.split_whitespace().find_map(|w| w.strip_prefix("rumqttd=")).expect("rumqttd=");
    field.rsplit(':').next().unwrap().parse().expect("a port")
}

/// One publisher, one subscriber, QoS 1, the payload size of a 1-event
/// batch. Returns (messages delivered, messages/s, seconds); stops after 120 s.
async fn broker_only(mode: BrokerMode, n: u64) -> (u64, f64, f64) {
    let tmp = tempfile::tempdir().unwrap();
    // The embedded broker needs a hub process to live in; the hub is idle here.
    let _hub = match mode {
        BrokerMode::Embedded(_) => Some(HubProcess::start(tmp.path(), mode).await),
        BrokerMode::External(_) => None,
    };
    // A topic no hub filter matches, so the idle hub does not receive these
    // too; under kh/v1, where the hub's login may write.
    let topic = "kh/v1/_bench/baseline".to_owned();
    let payload = vec![b'x'; 220];
    // The embedded broker admits the hub's user (the key exists once the hub ran).
    let login = |o: &mut MqttOptions| {
        if let BrokerMode::Embedded(_) = mode {
            let key = hub_key(tmp.path());
            o.set_credentials(protocol::credentials::HUB_USER, protocol::credentials::mqtt_password(&key));
        }
    };
    let mut sub_opts = MqttOptions::new("baseline-sub", "127.0.0.1", mode.port());
    login(&mut sub_opts);
    sub_opts.set_max_packet_size(1 << 20, 1 << 20);
    sub_opts.set_inflight(1000);
    let (sub, mut sub_ev) = AsyncClient::new(sub_opts, 10_000);
    sub.subscribe("kh/v1/_bench/#", QoS::AtLeastOnce).await.unwrap();
    // Wait for the SUBACK before publishing.
    loop {
        if let Ok(rumqttc::Event::Incoming(rumqttc::Packet::SubAck(_))) = sub_ev.poll().await {
            break;
        }
    }
    let mut pub_opts = MqttOptions::new("baseline-pub", "127.0.0.1", mode.port());
    login(&mut pub_opts);
    pub_opts.set_inflight(1000);
    let (publ, mut pub_ev) = AsyncClient::new(pub_opts, 10_000);
    tokio::spawn(async move { while pub_ev.poll().await.is_ok() {} });
    let started = Instant::now();
    tokio::spawn(async move {
        for _ in 0..n {
            publ.publish(topic.as_str(), QoS::AtLeastOnce, false, payload.clone()).await.unwrap();
        }
    });
    let mut got = 0;
    let limit = Duration::from_secs(120);
    while got < n && started.elapsed() < limit {
        if let Ok(Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(_)))) =
            tokio::time::timeout(limit, sub_ev.poll()).await
        {
            got += 1;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    (got, got as f64 / secs, secs)
}
