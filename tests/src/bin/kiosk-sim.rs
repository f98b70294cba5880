//! The fleet simulator: real kiosk runtimes (no display) started from
//! device configuration files, recording scripted interactions against a
//! hub. Used by the crash tests and the convergence benchmark.
//!
//!   kiosk-sim --config a.toml [--config b.toml …] --events 20000 [--rate 500] [--until-acked]
//!
//! Each kiosk records events up to number `--events` with the content
//! `fleet::scripted_event` gives each number, resuming after the last one
//! its store holds. `--run N` moves each event N milliseconds later (within
//! its minute, so every count stays the same), so that a run's events can
//! be told from another's; `--report-durable` prints `durable <kiosk> <seq>
//! <t>` as each event is durably recorded. A crash test reads those lines:
//! what the kiosk was told was kept is the truth, whatever its store says
//! after a kill. With `--until-acked` it waits until the hub acknowledged
//! everything, then prints one JSON line per kiosk and exits.
//!
//!   kiosk-sim --config a.toml --serve --events 1500 --rate 25
//!   kiosk-sim --config a.toml --boot-check
//!
//! `--serve` runs one kiosk as the appliance runs under its service
//! manager (READY=1 and watchdog pings when `NOTIFY_SOCKET` is set), with
//! no window: it records at the given rate, keeps running after the last
//! event, and exits when a restart is due (the hub's command, or a new
//! release to start), for the service manager to start it again.
//! `--boot-check` is the unit's `ExecStartPre`, as `kiosk --boot-check`.

use clap::Parser;
use e2e::fleet::scripted_event;
use firmware_config::DeviceConfig;
use kiosk::runtime::Runtime;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// A kiosk's device configuration (repeat for more kiosks).
    #[arg(long, required = true)]
    config: Vec<PathBuf>,
    /// Record events up to this sequence number.
    #[arg(long, default_value_t = 1000)]
    events: u64,
    /// Events per second per kiosk (0: as fast as the disk allows).
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// After recording, wait until the hub acknowledged everything.
    #[arg(long)]
    until_acked: bool,
    /// This run's number: each event is moved this many milliseconds later
    /// (under a minute, so the hub's counts are the same).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..60_000))]
    run: u64,
    /// Print `durable <kiosk> <seq> <t>` once each event is durably recorded.
    #[arg(long)]
    report_durable: bool,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout_s: u64,
    /// Run one kiosk as the appliance runs, until a restart is due.
    #[arg(long, conflicts_with = "until_acked")]
    serve: bool,
    /// The update boot check (the unit's ExecStartPre), then exit.
    #[arg(long, conflicts_with = "serve")]
    boot_check: bool,
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if args.boot_check {
        for path in &args.config {
            let cfg = DeviceConfig::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
            let outcome = kiosk::update::boot_check(&cfg)?;
            eprintln!("boot check {}: {outcome:?}", cfg.id);
        }
        return Ok(());
    }
    if args.serve {
        return serve(&args);
    }
    let started = Instant::now();
    let mut kiosks = Vec::new();
    for path in &args.config {
        let cfg = DeviceConfig::load(path).map_err(|e| anyhow::anyhow!("{e}"))?;
        kiosks.push(Runtime::start(cfg)?);
    }
    let handles: Vec<_> = kiosks.iter().map(Runtime::handle).collect();
    // Record, round-robin over the kiosks, paced per kiosk.
    let mut next: Vec<u64> =
        handles.iter().map(|h| h.outbox_state().map(|s| s.last_seq + 1)).collect::<Result<_, _>>()?;
    let pace = (args.rate > 0).then(|| Duration::from_secs_f64(1.0 / args.rate as f64));
    while next.iter().any(|n| *n <= args.events) {
        let round = Instant::now();
        for (i, h) in handles.iter().enumerate() {
            if next[i] <= args.events {
                let e = scripted_event(i as u64, next[i]);
                let t = e.t + args.run;
                let seq = h.record_at(e.kind, t)?;
                anyhow::ensure!(seq == next[i], "kiosk {i} recorded {seq}, expected {}", next[i]);
                if args.report_durable {
                    // record_at returns once the event is committed.
                    println!("durable {} {seq} {t}", h.config().id);
                }
                next[i] += 1;
            }
        }
        if let Some(p) = pace {
            std::thread::sleep(p.saturating_sub(round.elapsed()));
        }
    }
    eprintln!("recorded up to {} in {:.1} s", args.events, started.elapsed().as_secs_f64());
    if args.until_acked {
        let deadline = started + Duration::from_secs(args.timeout_s);
        for h in &handles {
            while h.outbox_state()?.depth > 0 {
                anyhow::ensure!(Instant::now() < deadline, "not everything was acknowledged in time");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        for h in &handles {
            let s = h.outbox_state()?;
            println!(
                "{}",
                serde_json::json!({ "kiosk": h.config().id.as_str(), "last_seq": s.last_seq, "acked_upto": s.acked_upto })
            );
        }
    }
    Ok(())
}

/// One kiosk as the appliance runs it, without a window.
fn serve(args: &Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.config.len() == 1, "--serve runs one kiosk");
    let cfg = DeviceConfig::load(&args.config[0]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let runtime = Runtime::start(cfg)?;
    let h = runtime.handle();
    // No window: the scripted visitor is this kiosk's UI, up at once.
    h.ui_ready();
    let mut watchdog = kiosk::watchdog::Watchdog::from_env();
    if let Some(w) = &watchdog {
        w.ready();
    }
    let status = h.status();
    let pace = Duration::from_secs_f64(1.0 / args.rate.max(1) as f64);
    let mut next = h.outbox_state()?.last_seq + 1;
    let mut due = Instant::now();
    loop {
        if let Some(w) = &mut watchdog {
            w.ping();
        }
        if status.borrow().restart_requested {
            eprintln!("restart due; exiting at event {}", next - 1);
            return Ok(());
        }
        if next <= args.events && Instant::now() >= due {
            let e = scripted_event(0, next);
            let seq = h.record_at(e.kind, e.t)?;
            anyhow::ensure!(seq == next, "recorded {seq}, expected {next}");
            next += 1;
            due += pace;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
