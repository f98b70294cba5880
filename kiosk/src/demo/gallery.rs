//! `kiosk snapshot`: every screen of both kiosk roles, in both languages
//! and orientations, and the big screen's panels at 1920×1080 and
//! 3840×2160, rendered headless with the software renderer from a catalog
//! folder (the sample by default) into PNG files: the README's pictures,
//! and what the accessibility checks measure.

use super::visitor::Visitor;
use super::{DEMO_PIN, sample};
use crate::controllers::big_screen::PANELS;
use crate::ui::KioskUi;
use crate::ui::big_screen::BigScreenUi;
use crate::ui::snapshot;
use firmware_config::Language;
use firmware_config::{DeviceConfig, HubLink, Role};
use protocol::{BrokerUrl, KioskId};
use std::path::{Path, PathBuf};
use std::rc::Rc;

#[derive(clap::Subcommand, Debug)]
pub enum GalleryCommand {
    /// Render every screen headless to PNG files (software renderer).
    Snapshot {
        #[arg(long)]
        out: PathBuf,
        /// Sizes as WIDTHxHEIGHT (repeat); default portrait and landscape
        /// for kiosks, 1920x1080 and 3840x2160 for the big screen.
        #[arg(long, value_parser = parse_size)]
        size: Vec<(u32, u32)>,
        /// zh or en (repeat); default both.
        #[arg(long)]
        lang: Vec<String>,
        /// showroom, station or bigscreen (repeat); default all three.
        #[arg(long)]
        role: Vec<String>,
        /// A catalog folder; default the sample Tongcheng catalog.
        #[arg(long)]
        catalog: Option<PathBuf>,
    },
}

pub fn run(command: GalleryCommand) -> anyhow::Result<()> {
    match command {
        GalleryCommand::Snapshot { out, size, lang, role, catalog } => {
            snapshots(out, size, lang, role, catalog)
        }
    }
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

fn snapshots(
    out: PathBuf,
    sizes: Vec<(u32, u32)>,
    langs: Vec<String>,
    roles: Vec<String>,
    catalog: Option<PathBuf>,
) -> anyhow::Result<()> {
    let roles: Vec<String> = if roles.is_empty() {
        ["showroom", "station", "bigscreen"].map(String::from).to_vec()
    } else {
        roles
    };
    if let Some(r) = roles.iter().find(|r| !matches!(r.as_str(), "showroom" | "station" | "bigscreen")) {
        anyhow::bail!("--role {r:?}: showroom, station or bigscreen");
    }
    let wall_sizes = if sizes.is_empty() { vec![(1920, 1080), (3840, 2160)] } else { sizes.clone() };
    let sizes = if sizes.is_empty() { vec![(1080, 1920), (1920, 1080)] } else { sizes };
    let langs: Vec<Language> = if langs.is_empty() {
        vec![Language::Zh, Language::En]
    } else {
        langs
            .iter()
            .map(|l| match l.as_str() {
                "zh" => Ok(Language::Zh),
                "en" => Ok(Language::En),
                other => Err(anyhow::anyhow!("--lang {other:?}: zh or en")),
            })
            .collect::<Result<_, _>>()?
    };
    std::fs::create_dir_all(&out)?;
    let work = scratch_dir("kiosk-snapshot")?;
    let (snap, blobs) = sample::load(&catalog.unwrap_or_else(sample::default_catalog), &work)?;
    let window = snapshot::install()?;
    let images = Rc::new(move |sha: &str| sample::hub_blob_path(&blobs, sha));
    // A kiosk whose hub is out of reach records the screens' requests, so
    // "my requests" and the staff page show real rows.
    let runtime = crate::runtime::Runtime::start(offline_config(&work))?;
    let ui = KioskUi::new(
        &runtime.handle(),
        images,
        protocol::county_time::iso_date(protocol::county_time::today()),
    )?;
    let visitor = Visitor(&ui);
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
    let staff = || visitor.staff_pin(DEMO_PIN, true);
    let showroom: [(&str, &dyn Fn()); 8] = [
        ("attract", &|| ui.attract()),
        ("home", &|| visitor.home()),
        ("category", &|| visitor.category("farm_produce")),
        ("product", &|| visitor.product(&product)),
        ("trace", &|| visitor.trace()),
        ("directory", &|| visitor.directory()),
        ("search", &|| visitor.search("yc")),
        ("staff", &staff),
    ];
    let station: [(&str, &dyn Fn()); 7] = [
        ("services", &|| visitor.home()),
        ("request", &|| {
            visitor.service_form("shop-setup");
            visitor.town("石南镇");
            visitor.keypad("1381234");
        }),
        ("receipt", &|| {
            visitor.keypad("5678");
            visitor.submit();
        }),
        ("mine", &|| visitor.my_requests_by_phone("5678")),
        ("pin", &|| visitor.staff_pin("12", false)),
        ("staff", &staff),
        ("desk", &|| {
            use crate::peripherals::{Report, serial::DeviceEvent};
            visitor.parcel_desk(crate::ui::Direction::Sent);
            let device = |kind, path: &str, event| Report { kind, path: path.into(), event };
            ui.peripheral(device(
                firmware_config::SerialKind::Scale,
                "usb-scale",
                DeviceEvent::Weight(crate::peripherals::scale_driver::Weight::Settled(1_235)),
            ));
            ui.peripheral(device(
                firmware_config::SerialKind::Printer,
                "usb-printer",
                DeviceEvent::Connected,
            ));
            // A number only a low-confidence rule fits: the keeper is asked.
            let scan =
                crate::peripherals::scanner::ScanText { text: "462598779470531".into(), symbology: None };
            ui.peripheral(device(
                firmware_config::SerialKind::Scanner,
                "usb-scanner",
                DeviceEvent::Scan(scan),
            ));
        }),
    ];
    for role in roles.iter().filter(|r| *r != "bigscreen") {
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
    if roles.iter().any(|r| r == "bigscreen") {
        written += big_screen(&window, &work, &out, &langs, &wall_sizes)?;
    }
    let _ = std::fs::remove_dir_all(&work);
    println!("{written} screens written to {}", out.display());
    Ok(())
}

/// The big screen's panels with the sample wall's figures, live, then one
/// with the hub out of reach (greyed, with the figures' time).
fn big_screen(
    window: &slint::platform::software_renderer::MinimalSoftwareWindow,
    work: &Path,
    out: &Path,
    langs: &[Language],
    sizes: &[(u32, u32)],
) -> anyhow::Result<usize> {
    use crate::runtime::{KioskStatus, Received};
    let now = crate::store::now_ms();
    let figures = super::wall::sample_figures(&work.join("wall-hub"), now as i64)?;
    let wall = BigScreenUi::new(Language::Zh)?;
    let received = Received { figures, received_ms: now };
    wall.set_figures(Some(received));
    let live = KioskStatus { connected: true, hub_online: true, ..KioskStatus::default() };
    let away = KioskStatus::default();
    let mut written = 0;
    for lang in langs {
        wall.set_language(*lang);
        for &(w, h) in sizes {
            window.set_size(slint::PhysicalSize::new(w, h));
            wall.fit(w, h);
            let shots = (0..PANELS).map(|p| (Some(p), true)).chain([(Some(0), false)]);
            for (i, (panel, up)) in shots.enumerate() {
                wall.hold_panel(panel);
                wall.set_status(if up { &live } else { &away });
                // Let the fades (500 ms) and counters (800 ms) finish: a
                // picture of the panel, not of a turn.
                std::thread::sleep(std::time::Duration::from_millis(900));
                let rgb = snapshot::frame(window, w, h);
                let name = if up { crate::ui::big_screen::PANEL_NAMES[i] } else { "unreachable" };
                let path = out.join(format!("bigscreen-{}-{w}x{h}-{}-{name}.png", lang.code(), i + 1));
                snapshot::write_png(&path, w, h, &rgb)?;
                written += 1;
            }
        }
    }
    Ok(written)
}

/// A station kiosk whose hub is out of reach (port 9, discard), with the
/// demo's staff PIN.
fn offline_config(work: &Path) -> DeviceConfig {
    let hub = HubLink {
        url: BrokerUrl { host: "127.0.0.1".into(), port: 9, tls: false },
        secret: vec![0x11; 32],
        hub_key: vec![0x22; 32],
        ca_file: None,
    };
    let id = KioskId::new("screens").expect("a valid id");
    let mut config = DeviceConfig::new(id, Role::Station, "screens", 12, hub, work.join("kiosk"));
    config.staff_pin_hash = Some(firmware_config::pin::hash(DEMO_PIN, b"screens"));
    config
}

/// A folder of this process's own under the system's temporary folder.
pub fn scratch_dir(prefix: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
