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
