//! `kiosk`: the touchscreen application.
//!
//! - `kiosk --config <file>`: the appliance, as configured.
//! - `kiosk --demo`: a hub, its broker and two kiosks in one process.
//! - `kiosk snapshot --out <dir>`: render every screen headless to PNG.

use clap::{Parser, Subcommand};
use kiosk::ui::adapter::KioskUi;
use kiosk::ui::browse::Lang;
use kiosk::ui::snapshot;
use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

#[derive(Parser)]
#[command(name = "kiosk", version, about = "County e-commerce kiosk")]
struct Args {
    /// Run as the appliance described by this kiosk.toml.
    #[arg(long, conflicts_with = "demo")]
    config: Option<PathBuf>,
    /// Start a hub with the embedded broker and the sample catalog, and a
    /// showroom and a village-station kiosk; the window shows the showroom
    /// and switches role from its footer.
    #[arg(long)]
    demo: bool,
    /// With --demo: the catalog folder to serve (default the sample).
    #[arg(long, requires = "demo")]
    catalog: Option<PathBuf>,
    /// With --demo: no window; a scripted visitor tours both kiosks and
    /// each screen is written as a PNG (the default without a display).
    #[arg(long, requires = "demo")]
    headless: bool,
    /// With --demo --headless: where the tour's PNGs go.
    #[arg(long, requires = "demo", default_value = "kiosk-demo-tour")]
    out: PathBuf,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Render every screen headless to PNG files (software renderer).
    Snapshot {
        #[arg(long)]
        out: PathBuf,
        /// Sizes as WIDTHxHEIGHT (repeat); default portrait and landscape.
        #[arg(long, value_parser = parse_size)]
        size: Vec<(u32, u32)>,
        /// zh or en (repeat); default both.
        #[arg(long)]
        lang: Vec<String>,
        /// showroom or station (repeat); default both.
        #[arg(long)]
        role: Vec<String>,
        /// A catalog folder; default the sample Tongcheng catalog.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s.split_once('x').ok_or_else(|| format!("{s:?} is not WIDTHxHEIGHT"))?;
    let (w, h) = (
        w.parse().map_err(|_| format!("bad width in {s:?}"))?,
        h.parse().map_err(|_| format!("bad height in {s:?}"))?,
    );
    if !(320..=7680).contains(&w) || !(320..=7680).contains(&h) {
        return Err(format!("{s:?} is outside 320–7680 pixels"));
    }
    Ok((w, h))
}

fn main() -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            // The demo's embedded broker logs every disconnect as an error;
            // its logs are off unless asked for, as in `hub serve`.
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "warn,rumqttd=off".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let args = Args::parse();
    let result = match args.command {
        Some(Command::Snapshot { out, size, lang, role, catalog }) => {
            snapshots(out, size, lang, role, catalog)
        }
        None if args.demo => {
            let no_display =
                std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
            if args.headless || no_display {
                if !args.headless {
                    println!("no display found: touring the demo headless (see --help)");
                }
                headless_demo(args.catalog, &args.out)
            } else {
                demo(args.catalog)
            }
        }
        None => match args.config {
            Some(path) => appliance(&path),
            None => Err(anyhow::anyhow!(
                "nothing to do: `kiosk --demo`, `kiosk --config <file>` or see `kiosk --help`"
            )),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn appliance(path: &std::path::Path) -> anyhow::Result<()> {
    let config = firmware_config::DeviceConfig::load(path)?;
    let (reports_tx, reports) = std::sync::mpsc::channel();
    let devices =
        kiosk::peripherals::Peripherals::start(&config.serial, reports_tx).map_err(anyhow::Error::msg)?;
    let runtime = kiosk::runtime::Runtime::start(config)?;
    let ui = Rc::new(kiosk::app::window_for(&runtime.handle())?);
    ui.set_printer(devices.printer.clone());
    let link = kiosk::app::Link::new(runtime.handle()).with_devices(devices, reports);
    #[cfg(unix)]
    let link = link.with_watchdog(kiosk::watchdog::Watchdog::from_env());
    let link = Rc::new(RefCell::new(link));
    let _feed = kiosk::app::feed(ui.clone(), link);
    ui.run()?;
    Ok(())
}

/// The demo's hub and its two kiosks, running; dropping it stops them and
/// removes their files.
struct Demo {
    /// The showroom, then the station.
    kiosks: Vec<kiosk::runtime::Runtime>,
    hub: Option<kiosk::demo::DemoHub>,
    dir: PathBuf,
}

impl Demo {
    fn start(catalog: Option<PathBuf>) -> anyhow::Result<Demo> {
        use firmware_config::Role;
        let dir = tempfile_dir("kiosk-demo")?;
        let catalog = catalog.unwrap_or_else(kiosk::sample::default_catalog);
        let (hub, configs) = kiosk::demo::start(
            &dir,
            &catalog,
            &[(kiosk::demo::SHOWROOM, Role::Showroom), (kiosk::demo::STATION, Role::Station)],
        )?;
        println!(
            "demo hub on mqtt://127.0.0.1:{} (data {}); staff PIN {}",
            hub.port,
            hub.data.display(),
            kiosk::demo::DEMO_PIN
        );
        let kiosks =
            configs.into_iter().map(kiosk::runtime::Runtime::start).collect::<Result<Vec<_>, _>>()?;
        Ok(Demo { kiosks, hub: Some(hub), dir })
    }

    /// The window on the showroom, with the role switch to the station.
    fn window(&self) -> anyhow::Result<(Rc<KioskUi>, Rc<RefCell<kiosk::app::Link>>)> {
        let (showroom, station) = (self.kiosks[0].handle(), self.kiosks[1].handle());
        let ui = Rc::new(kiosk::app::window_for(&showroom)?);
        let link = Rc::new(RefCell::new(kiosk::app::Link::new(showroom)));
        kiosk::app::offer_switch(&ui, link.clone(), kiosk::app::Link::new(station));
        Ok((ui, link))
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        // Kiosks first (they say goodbye to the hub), then the hub.
        self.kiosks.clear();
        drop(self.hub.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn demo(catalog: Option<PathBuf>) -> anyhow::Result<()> {
    let demo = Demo::start(catalog)?;
    let (ui, link) = demo.window()?;
    let _feed = kiosk::app::feed(ui.clone(), link);
    ui.run()?;
    Ok(())
}

fn headless_demo(catalog: Option<PathBuf>, out: &std::path::Path) -> anyhow::Result<()> {
    let window = snapshot::install()?;
    let demo = Demo::start(catalog)?;
    let (ui, link) = demo.window()?;
    let report = kiosk::tour::Tour::new(&ui, &window, link, out).run()?;
    println!("tour: {} screens written to {}", report.screens.len(), out.display());
    for (kiosk, recorded, acked) in &report.kiosks {
        println!("{kiosk}: {recorded} events recorded, {acked} acknowledged by the hub");
    }
    let (ticket, status) = &report.ticket;
    println!("service request: ticket {ticket}, hub status {status}");
    Ok(())
}

fn snapshots(
    out: PathBuf,
    sizes: Vec<(u32, u32)>,
    langs: Vec<String>,
    roles: Vec<String>,
    catalog: Option<PathBuf>,
) -> anyhow::Result<()> {
    let roles = if roles.is_empty() { vec!["showroom".to_owned(), "station".to_owned()] } else { roles };
    if let Some(r) = roles.iter().find(|r| !matches!(r.as_str(), "showroom" | "station")) {
        anyhow::bail!("--role {r:?}: showroom or station");
    }
    let sizes = if sizes.is_empty() { vec![(1080, 1920), (1920, 1080)] } else { sizes };
    let langs: Vec<Lang> = if langs.is_empty() {
        vec![Lang::Zh, Lang::En]
    } else {
        langs
            .iter()
            .map(|l| match l.as_str() {
                "zh" => Ok(Lang::Zh),
                "en" => Ok(Lang::En),
                other => Err(anyhow::anyhow!("--lang {other:?}: zh or en")),
            })
            .collect::<Result<_, _>>()?
    };
    std::fs::create_dir_all(&out)?;
    let work = tempfile_dir("kiosk-snapshot")?;
    let (snap, blobs) = kiosk::sample::load(&catalog.unwrap_or_else(kiosk::sample::default_catalog), &work)?;
    let window = snapshot::install()?;
    let images = Rc::new(move |sha: &str| kiosk::sample::hub_blob_path(&blobs, sha));
    // A kiosk whose hub is out of reach records the screens' requests, so
    // "my requests" and the staff page show real rows.
    let runtime = kiosk::runtime::Runtime::start(offline_config(&work)?)?;
    let ui = KioskUi::new(images, Some(runtime.handle()), today(), std::time::Duration::from_secs(90), None)?;
    ui.set_catalog(snap.clone());
    // Show the featured product with the most to show: certificates, shops, a trace.
    let richness = |id: &str| {
        snap.items
            .iter()
            .filter(|i| match &i.item {
                protocol::catalog::CatalogItem::ShopLink(s) => s.product_id.as_deref() == Some(id),
                protocol::catalog::CatalogItem::Batch(b) => b.product_id == id,
                _ => false,
            })
            .count()
    };
    let product = snap
        .items
        .iter()
        .filter_map(|i| match &i.item {
            protocol::catalog::CatalogItem::Product(p) if p.featured => {
                Some((richness(&p.id) + p.certification_ids.len(), p.id.clone()))
            }
            _ => None,
        })
        .max_by_key(|(n, _)| *n)
        .map(|(_, id)| id)
        .ok_or_else(|| anyhow::anyhow!("the catalog has no featured product"))?;
    let mut written = 0;
    let type_on = |f: &dyn Fn(&str), keys: &str| keys.chars().for_each(|k| f(&k.to_string()));
    let staff = || {
        ui.staff();
        type_on(&|k| ui.pin_key(k), kiosk::demo::DEMO_PIN);
        ui.pin_key("ok");
    };
    let showroom: [(&str, &dyn Fn()); 8] = [
        ("attract", &|| ui.attract()),
        ("home", &|| ui.home()),
        ("category", &|| ui.open_category("farm_produce")),
        ("product", &|| ui.open_product(&product)),
        ("trace", &|| ui.open_trace()),
        ("directory", &|| ui.directory()),
        ("search", &|| {
            ui.search();
            type_on(&|k| ui.search_key(k), "yc");
        }),
        ("staff", &staff),
    ];
    let station: [(&str, &dyn Fn()); 7] = [
        ("services", &|| ui.services()),
        ("request", &|| {
            ui.choose_service("shop-setup");
            ui.choose_village("石南镇");
            "1381234".chars().for_each(|k| ui.key(&k.to_string()));
        }),
        ("receipt", &|| {
            "5678".chars().for_each(|k| ui.key(&k.to_string()));
            ui.submit();
        }),
        ("mine", &|| {
            ui.my_requests();
            ui.lookup_mode("phone");
            type_on(&|k| ui.lookup_key(k), "5678");
        }),
        ("pin", &|| {
            ui.staff();
            type_on(&|k| ui.pin_key(k), "12");
        }),
        ("staff", &staff),
        ("desk", &|| {
            use kiosk::peripherals::{Report, serial::DeviceEvent};
            ui.open_desk();
            ui.desk_direction("out");
            let device = |kind, path: &str, event| Report { kind, path: path.into(), event };
            ui.peripheral(device(
                firmware_config::SerialKind::Scale,
                "usb-scale",
                DeviceEvent::Weight(kiosk::peripherals::scale_driver::Weight::Settled(1_235)),
            ));
            ui.peripheral(device(
                firmware_config::SerialKind::Printer,
                "usb-printer",
                DeviceEvent::Connected,
            ));
            // A number only a low-confidence rule fits: the keeper is asked.
            let scan =
                kiosk::peripherals::scanner::ScanText { text: "462598779470531".into(), symbology: None };
            ui.peripheral(device(
                firmware_config::SerialKind::Scanner,
                "usb-scanner",
                DeviceEvent::Scan(scan),
            ));
        }),
    ];
    for role in &roles {
        let steps: &[(&str, &dyn Fn())] = if role == "station" { &station } else { &showroom };
        ui.set_station((role == "station").then_some(12));
        for lang in &langs {
            ui.set_language(*lang);
            for &(w, h) in &sizes {
                for (i, (name, step)) in steps.iter().enumerate() {
                    step();
                    let rgb = snapshot::frame(&window, w, h);
                    let path = out.join(format!("{role}-{}-{w}x{h}-{}-{name}.png", lang.code(), i + 1));
                    snapshot::write_png(&path, w, h, &rgb)?;
                    written += 1;
                }
            }
        }
    }
    drop(ui);
    drop(runtime);
    let _ = std::fs::remove_dir_all(&work);
    println!("{written} screens written to {}", out.display());
    Ok(())
}

/// A station kiosk whose hub is out of reach (port 9, discard), with the
/// demo's staff PIN.
fn offline_config(work: &std::path::Path) -> anyhow::Result<firmware_config::DeviceConfig> {
    let text = format!(
        "id = \"screens\"\nrole = \"station\"\ngroup = \"screens\"\nstation_no = 12\ndata_dir = \"kiosk\"\n\n\
         [hub]\naddress = \"mqtt://127.0.0.1:9\"\nsecret = \"{}\"\nhub_key = \"{}\"\n\n[staff]\npin_hash = \"{}\"\n",
        "11".repeat(32),
        "22".repeat(32),
        firmware_config::pin::hash(kiosk::demo::DEMO_PIN, b"screens"),
    );
    Ok(firmware_config::DeviceConfig::parse(&text, &work.join("kiosk.toml"))?)
}

fn tempfile_dir(prefix: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn today() -> String {
    hub::catalog::fields::iso(hub::catalog::today_in_county())
}
