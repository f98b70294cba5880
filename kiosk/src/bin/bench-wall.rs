//! `bench-wall`: the big screen's cost on this machine (issue #15 targets:
//! under 20% of one core live at 1920×1080 with one update a second, peak
//! resident memory under 120 MB, and the time to draw a full frame at
//! 1920×1080 and 3840×2160). Results and the command go to
//! docs/benchmarks.md.
//!
//! The parent makes the sample wall's figures (a hub store, as `kiosk
//! snapshot` does) and writes them to a file; each measurement is a child
//! process that has only the wall, as the appliance has:
//! - `--frames`: the software renderer draws every pixel of the wall, again
//!   and again (`NewBuffer`), at both sizes; the median and worst time.
//! - `--live`: the wall as its event loop runs it (60 frames a second when
//!   something moves; only what changed is drawn, `ReusedBuffer`), fed new
//!   figures every second and its clock and panels turning, for
//!   `--seconds`; the CPU time it used over the wall-clock time, and VmHWM.

use clap::Parser;
use kiosk::runtime::{KioskStatus, Received};
use kiosk::ui::big_screen::BigScreenUi;
use kiosk::ui::snapshot;
use protocol::screen::ScreenFigures;
use slint::platform::WindowAdapter;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType, Rgb565Pixel};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(about = "The big screen's frame time, CPU use and memory")]
struct Args {
    /// Seconds of live running per measurement.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Full frames drawn per size.
    #[arg(long, default_value_t = 30)]
    frames: usize,
    /// Runs of each measurement (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Internal: be the child that times full frames from these figures.
    #[arg(long, hide = true)]
    frames_of: Option<PathBuf>,
    /// Internal: be the child that runs the wall live from these figures.
    #[arg(long, hide = true)]
    live_of: Option<PathBuf>,
}

const SIZES: [(u32, u32); 2] = [(1920, 1080), (3840, 2160)];
/// Frames a second the event loop draws at most (a 60 Hz panel).
const FPS: u32 = 60;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(f) = &args.frames_of {
        return frames(&args, f);
    }
    if let Some(f) = &args.live_of {
        return live(&args, f);
    }
    let work = std::env::temp_dir().join(format!("bench-wall-{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let figures = kiosk::demo::wall::sample_figures(&work.join("hub"), kiosk::store::now_ms() as i64)?;
    let file = work.join("figures.json");
    std::fs::write(&file, serde_json::to_vec(&figures)?)?;
    let me = std::env::current_exe()?;
    for run in 1..=args.runs {
        println!("run {run}:");
        for (flag, seconds) in [("--frames-of", None), ("--live-of", Some(args.seconds))] {
            let mut cmd = Command::new(&me);
            cmd.arg(flag).arg(&file).arg("--frames").arg(args.frames.to_string());
            if let Some(s) = seconds {
                cmd.arg("--seconds").arg(s.to_string());
            }
            let out = cmd.output()?;
            anyhow::ensure!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            print!("{}", String::from_utf8(out.stdout)?);
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}

fn load(file: &Path) -> anyhow::Result<ScreenFigures> {
    Ok(serde_json::from_slice(&std::fs::read(file)?)?)
}

fn render(window: &MinimalSoftwareWindow, buf: &mut [Rgb565Pixel], width: u32) -> bool {
    window.draw_if_needed(|r| {
        r.render(buf, width as usize);
    })
}

fn frames(args: &Args, file: &Path) -> anyhow::Result<()> {
    let window = snapshot::install_with(RepaintBufferType::NewBuffer)?;
    let wall = BigScreenUi::new(firmware_config::Language::Zh)?;
    wall.set_figures(Some(Received { figures: load(file)?, received_ms: kiosk::store::now_ms() }));
    wall.set_status(&KioskStatus { connected: true, hub_online: true, ..KioskStatus::default() });
    for (w, h) in SIZES {
        window.set_size(slint::PhysicalSize::new(w, h));
        wall.fit(w, h);
        let mut buf = vec![Rgb565Pixel::default(); (w * h) as usize];
        for panel in 0..kiosk::controllers::big_screen::PANELS {
            wall.hold_panel(Some(panel));
            // Past the panel's fade: a frame of the panel alone.
            std::thread::sleep(Duration::from_millis(600));
            slint::platform::update_timers_and_animations();
            let mut times = Vec::new();
            for _ in 0..args.frames {
                window.request_redraw();
                let t = Instant::now();
                render(&window, &mut buf, w);
                times.push(t.elapsed());
            }
            times.sort();
            println!(
                "full frame {w}x{h} panel {panel}: median {:.1} ms, worst {:.1} ms",
                ms(times[times.len() / 2]),
                ms(times[times.len() - 1])
            );
        }
    }
    Ok(())
}

fn live(args: &Args, file: &Path) -> anyhow::Result<()> {
    let (w, h) = SIZES[0];
    let window = snapshot::install_with(RepaintBufferType::ReusedBuffer)?;
    window.set_size(slint::PhysicalSize::new(w, h));
    let wall = BigScreenUi::new(firmware_config::Language::Zh)?;
    wall.fit(w, h);
    wall.set_status(&KioskStatus { connected: true, hub_online: true, ..KioskStatus::default() });
    let mut figures = load(file)?;
    let mut buf = vec![Rgb565Pixel::default(); (w * h) as usize];
    let frame = Duration::from_secs(1) / FPS;
    let (start, cpu_start) = (Instant::now(), cpu_time()?);
    let (mut next_update, mut next_tick, mut drawn) = (start, start, 0u64);
    while start.elapsed() < Duration::from_secs(args.seconds) {
        let now = Instant::now();
        if now >= next_update {
            // One update a second, as a busy hall's hub sends: a view, a
            // parcel, a search; the numbers count up and the chart redraws.
            *figures.today.entry("product_view".into()).or_default() += 1;
            if let Some(d) = figures.parcels_30d.last_mut() {
                d.parcels_out += 1;
            }
            figures.ts = kiosk::store::now_ms();
            wall.set_figures(Some(Received { figures: figures.clone(), received_ms: figures.ts }));
            next_update += Duration::from_secs(1);
        }
        if now >= next_tick {
            wall.tick();
            next_tick += kiosk::window_feed::TICK;
        }
        slint::platform::update_timers_and_animations();
        drawn += u64::from(render(&window, &mut buf, w));
        // Like the event loop: the next frame while something moves, else
        // sleep until the next update or tick.
        let wake =
            if window.window().has_active_animations() { now + frame } else { next_update.min(next_tick) };
        std::thread::sleep(wake.saturating_duration_since(Instant::now()));
    }
    let (wall_s, cpu_s) = (start.elapsed().as_secs_f64(), cpu_time()? - cpu_start);
    println!(
        "live {w}x{h}, one update a second, {}s: CPU {:.1}% of one core, {drawn} frames drawn, VmHWM {:.1} MB",
        args.seconds,
        100.0 * cpu_s / wall_s,
        vm_hwm_mb()?
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// This process's user + system CPU seconds (/proc/self/stat).
fn cpu_time() -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    let ticks: f64 = f[11].parse::<f64>()? + f[12].parse::<f64>()?;
    Ok(ticks / clock_ticks())
}

/// Clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// Peak resident memory (VmHWM), in MB.
fn vm_hwm_mb() -> anyhow::Result<f64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/self/status"))?;
    Ok(kb / 1024.0)
}
