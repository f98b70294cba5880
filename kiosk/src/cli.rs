//! The `kiosk` command line.
//!
//! - `kiosk --config <file>`: the appliance, as its `kiosk.toml` says.
//! - `kiosk --demo` (desktop build): a hub, its broker and two kiosks in
//!   one process.
//! - `kiosk snapshot --out <dir>` (desktop build): every screen rendered
//!   headless to PNG.

use crate::window_feed::{self, WindowFeed};
use clap::Parser;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::rc::Rc;

#[derive(Parser)]
#[command(name = "kiosk", version, about = "County e-commerce kiosk")]
struct Args {
    /// Run as the appliance described by this kiosk.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// With --config: check the file and exit (the first problem, with its
    /// file, line and field; exit 1).
    #[arg(long, requires = "config")]
    check: bool,
    /// With --config: before each start (the unit's ExecStartPre, run from
    /// the `good` release), count a new release's starts and bring the
    /// previous one back when it has not confirmed itself healthy.
    #[arg(long, requires = "config", conflicts_with = "check")]
    boot_check: bool,
    /// With --config: set up the A/B layout of a new appliance with this
    /// signed release (its `<file>.sig` beside it, checked with the
    /// release key in kiosk.toml) as both `current` and `good`.
    #[arg(long, requires = "config", conflicts_with_all = ["check", "boot_check"], value_name = "FILE")]
    install_first: Option<PathBuf>,
    #[cfg(feature = "demo")]
    #[command(flatten)]
    demo: crate::demo::DemoArgs,
    #[cfg(feature = "demo")]
    #[command(subcommand)]
    command: Option<crate::demo::gallery::GalleryCommand>,
}

/// Parse the command line, run, and turn an error into one line on stderr.
pub fn main() -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            // The demo's embedded broker logs every disconnect as an error;
            // its logs are off unless asked for, as in `hub serve`.
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,rumqttd=off".into()),
        )
        .with_writer(std::io::stderr)
        // A log that cannot be written (its disk is full) must not stop the
        // program: by default a failed write is reported with `eprintln!`,
        // which panics the task that logged.
        .log_internal_errors(false)
        .try_init();
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    #[cfg(feature = "demo")]
    {
        if let Some(command) = args.command {
            return crate::demo::gallery::run(command);
        }
        if args.demo.demo {
            anyhow::ensure!(args.config.is_none(), "--demo and --config: choose one");
            return crate::demo::run(args.demo);
        }
    }
    match args.config {
        Some(path) if args.check => check(&path),
        Some(path) if args.boot_check => boot_check(&path),
        Some(path) if args.install_first.is_some() => {
            install_first(&path, args.install_first.as_deref().expect("checked"))
        }
        Some(path) => appliance(&path),
        None if cfg!(feature = "demo") => Err(anyhow::anyhow!(
            "nothing to do: `kiosk --demo`, `kiosk --config <file>` or see `kiosk --help`"
        )),
        None => Err(anyhow::anyhow!("nothing to do: `kiosk --config <file>` or see `kiosk --help`")),
    }
}

fn check(path: &Path) -> anyhow::Result<()> {
    let c = firmware_config::DeviceConfig::load(path)?;
    println!("{}: {}", path.display(), c.summary());
    Ok(())
}

fn boot_check(path: &Path) -> anyhow::Result<()> {
    use crate::update::layout::BootCheck;
    let config = firmware_config::DeviceConfig::load(path)?;
    match crate::update::boot_check(&config)? {
        None => println!("{}: no [update] section; nothing to check", path.display()),
        Some(BootCheck::Normal) => {}
        Some(BootCheck::Trying { version, start }) => {
            eprintln!("kiosk: release {version} on trial, start {start}")
        }
        Some(BootCheck::RolledBack { version, to }) => {
            let to = to.map_or_else(|| "-".to_owned(), |t| t.to_string());
            eprintln!("kiosk: release {version} given up; back on {to}");
        }
    }
    Ok(())
}

fn install_first(path: &Path, release: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let config = firmware_config::DeviceConfig::load(path)?;
    let update = config.update.as_ref().context("kiosk.toml has no [update] section")?;
    let mut sig = release.as_os_str().to_owned();
    sig.push(".sig");
    let text = std::fs::read(&sig).with_context(|| format!("reading {}", Path::new(&sig).display()))?;
    let manifest: protocol::release::ReleaseManifest = serde_json::from_slice(&text)?;
    let bytes = std::fs::read(release).with_context(|| format!("reading {}", release.display()))?;
    anyhow::ensure!(
        protocol::sha256_hex(&bytes) == manifest.sha256 && bytes.len() as u64 == manifest.size,
        "{} is not the file that was signed",
        release.display()
    );
    manifest.verify(&update.release_key)?;
    crate::update::layout::Layout::new(&update.root).install_first(&manifest, release)?;
    println!("release {} installed in {} as current and good", manifest.version, update.root.display());
    Ok(())
}

fn appliance(path: &Path) -> anyhow::Result<()> {
    let config = firmware_config::DeviceConfig::load(path)?;
    let runtime = crate::runtime::Runtime::start(config.clone())?;
    let feed = WindowFeed::new(runtime.handle());
    #[cfg(unix)]
    let feed = feed.with_watchdog(crate::watchdog::Watchdog::from_env());
    if window_feed::is_big_screen(&runtime.handle()) {
        // The wall's own size decides the scale (1 at 1920×1080, 2 at
        // 3840×2160): see BigScreenUi::tick.
        let ui = Rc::new(window_feed::big_screen_for(&runtime.handle())?);
        let _timer = window_feed::feed(ui.clone(), Rc::new(RefCell::new(feed)));
        ui.run()?;
        return Ok(());
    }
    // The serial devices: a station's scanner, scale and printer.
    let (reports_tx, reports) = std::sync::mpsc::channel();
    let devices =
        crate::peripherals::Peripherals::start(&config.serial, reports_tx).map_err(anyhow::Error::msg)?;
    let ui = Rc::new(window_feed::window_for(&runtime.handle())?);
    ui.set_printer(devices.printer.clone());
    let feed = Rc::new(RefCell::new(feed.with_devices(devices, reports)));
    let _timer = window_feed::feed(ui.clone(), feed);
    ui.run()?;
    Ok(())
}
