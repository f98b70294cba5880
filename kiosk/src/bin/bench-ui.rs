//! `bench-ui`: the kiosk UI's start-up, render time and memory with a
//! catalog of 1,000 products, each with its own image (issue #5 targets:
//! cold start to first frame < 300 ms, a product page < 16 ms, resident
//! memory < 80 MB). Results and the command go to docs/benchmarks.md.
//!
//! It prepares a kiosk data folder (the sample Tongcheng catalog grown to
//! 1,000 products, stored as a synced kiosk stores it), then runs itself as
//! a child `--first-frame` several times: each is a new process that opens
//! the kiosk's store, builds the window and draws the first frame; the
//! parent times spawn → "drawn". Then another child, a kiosk as fresh as
//! one after boot, renders product pages full-screen and reports its
//! peak resident memory (VmHWM) after browsing (the parent's memory holds
//! the catalog generation, which a kiosk never does).
//!
//! `--window` also times the appliance as it starts in a real window: the
//! `kiosk` binary built beside this one, `--config` on the same folder,
//! under Xvfb with the software renderer, timed from spawn until Xvfb's
//! own framebuffer (`-fbdir`, read from outside the kiosk) shows the drawn
//! attract loop.

use clap::Parser;
use kiosk::demo::visitor::Visitor;
use kiosk::runtime::Runtime;
use kiosk::ui::snapshot;
use protocol::catalog::{BlobRef, CatalogItem, Snapshot};
use slint::ComponentHandle;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "Kiosk UI start-up, render time and memory")]
struct Args {
    /// Products in the catalog.
    #[arg(long, default_value_t = 1000)]
    products: usize,
    /// Cold starts to time.
    #[arg(long, default_value_t = 10)]
    starts: usize,
    /// Product pages to render.
    #[arg(long, default_value_t = 200)]
    pages: usize,
    /// Also time cold starts of the `kiosk` binary in a real window on Xvfb.
    #[arg(long)]
    window: bool,
    /// Internal: be the child that draws one first frame from this folder.
    #[arg(long, hide = true)]
    first_frame: Option<PathBuf>,
    /// Internal: be the child that renders pages and reports its memory.
    #[arg(long, hide = true)]
    browse: Option<PathBuf>,
}

const SIZE: (u32, u32) = (1080, 1920);

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(dir) = args.first_frame {
        return first_frame(&dir);
    }
    if let Some(dir) = &args.browse {
        return browse(&args, dir);
    }
    let work = std::env::temp_dir().join(format!("bench-ui-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let result = run(&args, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn config(dir: &Path) -> anyhow::Result<firmware_config::DeviceConfig> {
    use firmware_config::{DeviceConfig, HubLink, KeyStorage, Role};
    // A hub out of reach: start-up must not wait for the network.
    let hub = HubLink {
        url: protocol::BrokerUrl { host: "127.0.0.1".into(), port: 9, tls: false },
        secret: vec![0x11; 32],
        hub_key: vec![0x22; 32],
        ca_file: None,
    };
    let id = protocol::KioskId::new("bench")?;
    let c = DeviceConfig::new(id, Role::Showroom, "bench", 1, hub, "kiosk".into());
    // Read back as the appliance reads its kiosk.toml, which start-up includes.
    Ok(DeviceConfig::parse(&c.to_toml(KeyStorage::Inline), &dir.join("kiosk.toml"))?)
}

/// The child: from process start to the first frame drawn.
fn first_frame(dir: &Path) -> anyhow::Result<()> {
    let window = snapshot::install()?;
    let rt = Runtime::start(config(dir)?)?;
    let ui = kiosk::window_feed::window_for(&rt.handle())?;
    let mut link = kiosk::window_feed::WindowFeed::new(rt.handle());
    link.pump(&ui);
    let rgb = snapshot::frame(&window, SIZE.0, SIZE.1);
    anyhow::ensure!(rgb.chunks(3).any(|p| p != [0, 0, 0]), "the first frame is blank");
    println!("drawn");
    Ok(())
}

/// A distinct 480×360 picture per product, as a real catalog has.
fn picture(n: usize) -> Vec<u8> {
    let (w, h) = (480u32, 360u32);
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let v = (x / 24 + y / 24 + n as u32) as u8;
            rgb.extend_from_slice(&[v.wrapping_mul(37), (n as u8).wrapping_mul(59), v.wrapping_mul(11)]);
        }
    }
    snapshot::png_bytes(w, h, &rgb)
}

fn store_blob(blobs: &kiosk::blobs::BlobStore, sha: &str, bytes: &[u8]) -> std::io::Result<()> {
    let to = blobs.path(sha);
    std::fs::create_dir_all(to.parent().expect("blobs are nested"))?;
    std::fs::write(to, bytes)
}

/// The sample catalog grown to `products` products, each with its own
/// image, stored in a kiosk data folder as sync would leave it.
fn prepare(dir: &Path, products: usize) -> anyhow::Result<Snapshot> {
    let (sample, hub_blobs) =
        kiosk::demo::sample::load(&kiosk::demo::sample::default_catalog(), &dir.join("hub"))?;
    let mut snap = (*sample).clone();
    let kiosk_dir = dir.join("kiosk");
    let blobs = kiosk::blobs::BlobStore::new(&kiosk_dir)?;
    let mut originals = Vec::new();
    for i in &snap.items {
        if let CatalogItem::Product(p) = &i.item {
            originals.push(i.clone());
            for b in &p.images {
                store_blob(
                    &blobs,
                    &b.sha256,
                    &std::fs::read(kiosk::demo::sample::hub_blob_path(&hub_blobs, &b.sha256))?,
                )?;
            }
        }
    }
    for n in 0..products.saturating_sub(originals.len()) {
        let mut item = originals[n % originals.len()].clone();
        if let CatalogItem::Product(p) = &mut item.item {
            p.id = format!("{}-{n}", p.id);
            p.name_zh = format!("{}（{n}号）", p.name_zh);
            p.featured = false;
            let png = picture(n);
            let sha = protocol::sha256_hex(&png);
            store_blob(&blobs, &sha, &png)?;
            p.images = vec![BlobRef {
                sha256: sha,
                size: png.len() as u64,
                media_type: "image/png".into(),
                width: 480,
                height: 360,
            }];
        }
        snap.items.push(item);
    }
    let cache = kiosk::store::catalog_cache::CatalogCache::open(&kiosk_dir.join("kiosk.db"))?;
    cache.apply(&snap)?;
    Ok(snap)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// A `/proc/<pid>/status` memory line (`VmRSS`, `VmHWM`) in MB.
fn memory_mb(pid: &str, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn memory_line(when: &str) -> String {
    format!(
        "memory {when}: {:.1} MB resident, peak (VmHWM) {:.1} MB",
        memory_mb("self", "VmRSS"),
        memory_mb("self", "VmHWM")
    )
}

fn run(args: &Args, work: &Path) -> anyhow::Result<()> {
    let snap = prepare(work, args.products)?;
    let products = snap.items.iter().filter(|i| matches!(i.item, CatalogItem::Product(_))).count();
    println!("catalog: {products} products, {} items", snap.items.len());

    // Cold start: a new process each time.
    let me = std::env::current_exe()?;
    let mut starts = Vec::new();
    for _ in 0..args.starts {
        let t = Instant::now();
        let mut child = Command::new(&me).arg("--first-frame").arg(work).stdout(Stdio::piped()).spawn()?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped")).read_line(&mut line)?;
        let took = t.elapsed();
        anyhow::ensure!(line.trim() == "drawn", "the child did not draw: {line:?}");
        child.wait()?;
        starts.push(took);
    }
    starts.sort();
    println!(
        "cold start to first frame ({} runs): median {}, worst {}",
        starts.len(),
        ms(percentile(&starts, 0.5)),
        ms(*starts.last().expect("runs"))
    );

    if args.window {
        window_starts(args, work)?;
    }

    let child = Command::new(&me)
        .args(["--browse", &work.display().to_string(), "--pages", &args.pages.to_string()])
        .output()?;
    anyhow::ensure!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));
    print!("{}", String::from_utf8_lossy(&child.stdout));
    Ok(())
}

/// The child: product pages rendered full-screen, then memory after a visit.
fn browse(args: &Args, work: &Path) -> anyhow::Result<()> {
    let window = snapshot::install()?;
    let rt = Runtime::start(config(work)?)?;
    let ui = kiosk::window_feed::window_for(&rt.handle())?;
    let visitor = Visitor(&ui);
    let mut link = kiosk::window_feed::WindowFeed::new(rt.handle());
    link.pump(&ui);
    snapshot::frame(&window, SIZE.0, SIZE.1);
    visitor.home();
    snapshot::frame(&window, SIZE.0, SIZE.1);
    let mut renders = Vec::new();
    let mut opens = Vec::new();
    let products: Vec<String> = rt
        .handle()
        .catalog()
        .borrow()
        .as_ref()
        .map(|snap| {
            snap.items
                .iter()
                .filter_map(|i| match &i.item {
                    CatalogItem::Product(p) => Some(p.id.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    anyhow::ensure!(!products.is_empty(), "the kiosk has no catalog");
    println!("{}", memory_line("after the first frame"));
    for id in products.iter().step_by((products.len() / args.pages).max(1)).take(args.pages) {
        let t = Instant::now();
        visitor.product(id);
        opens.push(t.elapsed());
        let t = Instant::now();
        snapshot::frame(&window, SIZE.0, SIZE.1);
        renders.push(t.elapsed());
        visitor.home();
    }
    renders.sort();
    opens.sort();
    println!(
        "product page ({} pages): render median {}, p99 {}; opening it (data, images, QR codes) median {}, p99 {}",
        renders.len(),
        ms(percentile(&renders, 0.5)),
        ms(percentile(&renders, 0.99)),
        ms(percentile(&opens, 0.5)),
        ms(percentile(&opens, 0.99)),
    );

    // Memory after a visit through every page of every category, the
    // product pages above and a search.
    for c in ["farm_produce", "tourism", "cultural", "industrial"] {
        visitor.category(c);
        snapshot::frame(&window, SIZE.0, SIZE.1);
        for _ in 0..products.len() / kiosk::controllers::showroom::PAGE + 1 {
            ui.window.global::<kiosk::ui::CatalogAdapter>().invoke_turn_page(1);
            snapshot::frame(&window, SIZE.0, SIZE.1);
        }
    }
    visitor.search("yc");
    snapshot::frame(&window, SIZE.0, SIZE.1);
    println!("{}", memory_line("after browsing"));
    Ok(())
}

/// Xvfb on a display of its own, its framebuffer mapped to a file; killed
/// when dropped.
struct Xvfb {
    child: std::process::Child,
    display: String,
    framebuffer: PathBuf,
}

impl Xvfb {
    fn start(dir: &Path) -> anyhow::Result<Xvfb> {
        std::fs::create_dir_all(dir)?;
        // The first display number nobody holds (X's own lock files).
        let n = (90..200)
            .find(|n| !Path::new(&format!("/tmp/.X{n}-lock")).exists())
            .ok_or_else(|| anyhow::anyhow!("no free X display between :90 and :199"))?;
        let child = Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", &format!("{}x{}x24", SIZE.0, SIZE.1), "-br", "-nolisten", "tcp"])
            .arg("-fbdir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("Xvfb: {e} (apt-get install xvfb)"))?;
        let xvfb = Xvfb { child, display: format!(":{n}"), framebuffer: dir.join("Xvfb_screen0") };
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !(socket.exists() && xvfb.framebuffer.exists()) {
            anyhow::ensure!(Instant::now() < deadline, "Xvfb {} did not start", xvfb.display);
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(xvfb)
    }

    /// How many distinct colours a sample of the screen shows: a black
    /// root (`-br`) has one, the drawn attract loop hundreds. The file is
    /// an XWD dump: a big-endian header (its size first, the colour map's
    /// length at word 19), the colour map, then 32-bit pixels.
    fn colours(&self) -> usize {
        let Ok(bytes) = std::fs::read(&self.framebuffer) else { return 0 };
        let word = |i: usize| {
            bytes.get(i * 4..i * 4 + 4).map_or(0, |w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]) as usize)
        };
        let start = word(0) + word(19) * 12;
        let pixels = bytes.get(start..).unwrap_or_default();
        pixels.chunks_exact(4).step_by(61).collect::<std::collections::HashSet<_>>().len()
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The appliance's cold start in a real window: `kiosk --config` under
/// Xvfb, from spawn to its first frame on the X screen.
fn window_starts(args: &Args, work: &Path) -> anyhow::Result<()> {
    let kiosk = std::env::current_exe()?.with_file_name("kiosk");
    anyhow::ensure!(kiosk.exists(), "{} is missing: cargo build --release -p kiosk --bins", kiosk.display());
    let toml = work.join("kiosk.toml");
    std::fs::write(&toml, config(work)?.to_toml(firmware_config::KeyStorage::Inline))?;
    let x = Xvfb::start(&work.join("xvfb"))?;
    let blank = x.colours();
    anyhow::ensure!(blank <= 2, "the empty X screen already shows {blank} colours");
    let mut starts = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..args.starts {
        let t = Instant::now();
        let mut child = Command::new(&kiosk)
            .arg("--config")
            .arg(&toml)
            .env("DISPLAY", &x.display)
            .env("SLINT_BACKEND", "winit-software")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let deadline = t + Duration::from_secs(30);
        let drawn = loop {
            if x.colours() > 50 {
                break Some(t.elapsed());
            }
            if Instant::now() > deadline || child.try_wait()?.is_some() {
                break None;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        peaks.push(memory_mb(&child.id().to_string(), "VmHWM"));
        let _ = child.kill();
        child.wait()?;
        starts.push(drawn.ok_or_else(|| anyhow::anyhow!("the kiosk window never showed its first frame"))?);
        // The next start begins from a black screen again.
        let deadline = Instant::now() + Duration::from_secs(10);
        while x.colours() > 2 {
            anyhow::ensure!(Instant::now() < deadline, "the closed window stayed on the X screen");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    starts.sort();
    peaks.sort_by(f64::total_cmp);
    println!(
        "cold start in a window on Xvfb ({} runs, spawn to the frame on the X screen): median {}, worst {}; peak memory (VmHWM) at the first frame, median {:.1} MB",
        starts.len(),
        ms(percentile(&starts, 0.5)),
        ms(*starts.last().expect("runs")),
        peaks[peaks.len() / 2]
    );
    Ok(())
}
