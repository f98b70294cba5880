//! How long a fleet takes to converge on a newly published catalog version:
//! N real kiosk runtimes (no display) in this process against a real hub
//! process. First the sample catalog from nothing (every image), then a
//! one-product edit (price and one image) as a delta.
//!
//!   cargo run --release -p e2e --bin bench-converge -- --kiosks 200
//!   cargo run --release -p e2e --bin bench-converge -- --kiosks 20 --village
//!
//! `--village` puts each kiosk behind a village line of its own
//! (`e2e::village_link::Shape::village`: 512 kbit/s up, 2 Mbit/s down,
//! 150–400 ms round trip, 3% loss) and reports the bytes each kiosk's line
//! carried, measured on the link.

use clap::Parser;
use e2e::fleet::config;
use e2e::harness::*;
use e2e::village_link::{Shape, VillageLink};
use kiosk::runtime::Runtime;
use protocol::KioskId;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, default_value_t = 200)]
    kiosks: usize,
    /// Use Mosquitto (when installed) instead of the embedded broker.
    #[arg(long)]
    mosquitto: bool,
    /// Each kiosk behind its own shaped village line.
    #[arg(long)]
    village: bool,
}

/// Bytes each line carried down since `before`: (median, largest).
fn line_bytes(links: &[VillageLink], before: &[u64]) -> (u64, u64) {
    let mut b: Vec<u64> = links.iter().zip(before).map(|(l, b0)| l.bytes_down() - b0).collect();
    b.sort_unstable();
    (b[b.len() / 2], b[b.len() - 1])
}

/// Wait until every kiosk shows `version`; returns the seconds since `since`
/// when the last one got there, and the median.
async fn converge(handles: &[kiosk::runtime::Handle], version: u64, since: Instant) -> (f64, f64) {
    let mut done: Vec<Option<f64>> = vec![None; handles.len()];
    let deadline = since + Duration::from_secs(900);
    while done.iter().any(Option::is_none) {
        for (i, h) in handles.iter().enumerate() {
            if done[i].is_none() && h.catalog().borrow().as_ref().is_some_and(|s| s.version == version) {
                done[i] = Some(since.elapsed().as_secs_f64());
            }
        }
        assert!(
            Instant::now() < deadline,
            "{} kiosks never converged",
            done.iter().filter(|d| d.is_none()).count()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut t: Vec<f64> = done.into_iter().flatten().collect();
    t.sort_by(f64::total_cmp);
    (t[t.len() - 1], t[t.len() / 2])
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = Args::parse();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let catalog = tmp.path().join("catalog");
    copy_dir(&sample_catalog(), &catalog);
    let mosquitto = args.mosquitto.then(Mosquitto::start);
    let mode = match &mosquitto {
        Some(m) => BrokerMode::External(m.port),
        None => BrokerMode::Embedded(free_port()),
    };
    let mut regs = Vec::new();
    {
        let writer = hub::store::writer::Writer::start(&hub::store::DataDir::new(&data).unwrap()).unwrap();
        for i in 0..args.kiosks {
            let kid = KioskId::new(format!("k{i:03}")).unwrap();
            regs.push(
                writer
                    .exec(move |c| Ok(hub::fleet::registry::register_new(c, &kid, "fleet")))
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
    }
    let _hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);
    let mut links = Vec::new();
    if args.village {
        for _ in 0..args.kiosks {
            links.push(VillageLink::start(mode.port(), Shape::village()).await);
        }
    }
    let port_of = |i: usize| links.get(i).map_or(mode.port(), |l| l.port);
    let runtimes: Vec<Runtime> = regs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let dir = tmp.path().join(format!("k{i:03}"));
            Runtime::start(config(&format!("k{i:03}"), &r.secret, &key, port_of(i), r.station_no, &dir))
                .unwrap()
        })
        .collect();
    let handles: Vec<_> = runtimes.iter().map(Runtime::handle).collect();
    tokio::time::sleep(Duration::from_secs(2)).await;

    let d = data.to_str().unwrap();
    let blob_bytes: u64 = std::fs::read_dir(catalog.join("images"))
        .unwrap()
        .flatten()
        .map(|e| e.metadata().unwrap().len())
        .sum();
    let counted = |links: &[VillageLink]| links.iter().map(VillageLink::bytes_down).collect::<Vec<_>>();
    let on_line = |links: &[VillageLink], before: &[u64]| {
        if links.is_empty() {
            String::new()
        } else {
            let (median, most) = line_bytes(links, before);
            format!("; on each line {median} (most {most})")
        }
    };
    let before = counted(&links);
    let t = Instant::now();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", d]);
    let (last, median) = converge(&handles, 1, t).await;
    let broker = if mosquitto.is_some() { "mosquitto" } else { "embedded rumqttd" };
    let broker = if args.village { format!("{broker}, village lines") } else { broker.to_owned() };
    println!("| change | broker | kiosks | bytes per kiosk | median s | all converged s |");
    println!("|---|---|---|---|---|---|");
    println!(
        "| sample catalog from nothing | {broker} | {} | {blob_bytes} of images + document{} | {median:.2} | {last:.2} |",
        args.kiosks,
        on_line(&links, &before)
    );

    let products = std::fs::read_to_string(catalog.join("products.csv")).unwrap();
    std::fs::write(catalog.join("products.csv"), products.replacen(",68,元/瓶,", ",72,元/瓶,", 1)).unwrap();
    make_png(&catalog.join("images/camellia-oil-500-1.png"), 320, 240, [200, 150, 40], None);
    let image = std::fs::metadata(catalog.join("images/camellia-oil-500-1.png")).unwrap().len();
    let before = counted(&links);
    let t = Instant::now();
    hub_cli(&["catalog", "publish", catalog.to_str().unwrap(), "--data", d]);
    let (last, median) = converge(&handles, 2, t).await;
    println!(
        "| one product: price and one image (delta) | {broker} | {} | {image} + delta{} | {median:.2} | {last:.2} |",
        args.kiosks,
        on_line(&links, &before)
    );
    drop(runtimes);
}
