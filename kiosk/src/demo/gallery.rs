//! `kiosk snapshot`: every screen of both kiosk roles, in both languages
//! and orientations, and the big screen's panels at 1920×1080 and
//! 3840×2160, rendered headless with the software renderer from a catalog
//! folder (the sample by default) into PNG files: the README's pictures.
//! Every screen drawn is also measured for accessibility
//! (`crate::ui::audit`): `accessibility.csv` beside the pictures, and with
//! `--check` a failure for any screen that breaks a limit.

use super::visitor::Visitor;
use super::{DEMO_PIN, sample};
use crate::controllers::big_screen::PANELS;
use crate::ui::KioskUi;
use crate::ui::big_screen::BigScreenUi;
use crate::ui::{audit, snapshot};
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
        /// normal or large (长辈模式) text (repeat); default both.
        #[arg(long)]
        text: Vec<String>,
        /// A catalog folder; default the sample Tongcheng catalog.
        #[arg(long)]
        catalog: Option<PathBuf>,
        /// Fail when a screen breaks an accessibility limit (touch target,
        /// contrast, cut off, scroll cue, Chinese in English).
        #[arg(long)]
        check: bool,
    },
}

/// What the snapshots are made of.
struct Choice {
    sizes: Vec<(u32, u32)>,
    langs: Vec<Language>,
    roles: Vec<String>,
    large_text: Vec<bool>,
    catalog: Option<PathBuf>,
}

pub fn run(command: GalleryCommand) -> anyhow::Result<()> {
    match command {
        GalleryCommand::Snapshot { out, size, lang, role, text, catalog, check } => {
            let choice = choose(size, lang, role, text, catalog)?;
            let audits = snapshots(&out, choice)?;
            audit_summary(&out, &audits, check)
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

fn choose(
    sizes: Vec<(u32, u32)>,
    langs: Vec<String>,
    roles: Vec<String>,
    text: Vec<String>,
    catalog: Option<PathBuf>,
) -> anyhow::Result<Choice> {
    let roles: Vec<String> = if roles.is_empty() {
        ["showroom", "station", "bigscreen"].map(String::from).to_vec()
    } else {
        roles
    };
    if let Some(r) = roles.iter().find(|r| !matches!(r.as_str(), "showroom" | "station" | "bigscreen")) {
        anyhow::bail!("--role {r:?}: showroom, station or bigscreen");
    }
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
    let large_text: Vec<bool> = if text.is_empty() {
        vec![false, true]
    } else {
        text.iter()
            .map(|t| match t.as_str() {
                "normal" => Ok(false),
                "large" => Ok(true),
                other => Err(anyhow::anyhow!("--text {other:?}: normal or large")),
            })
            .collect::<Result<_, _>>()?
    };
    Ok(Choice { sizes, langs, roles, large_text, catalog })
}

/// Draw one screen to `out` and measure it.
struct Shots<'a> {
    window: &'a slint::platform::software_renderer::MinimalSoftwareWindow,
    out: &'a Path,
    /// The data's own text: what an English screen may show in Chinese.
    data: Vec<String>,
    audits: Vec<audit::ScreenAudit>,
}

impl Shots<'_> {
    fn take(
        &mut self,
        name: &str,
        root: &impl slint::ComponentHandle,
        (w, h): (u32, u32),
        lang: Language,
        scrolls: Option<&crate::ui::AppWindow>,
    ) -> anyhow::Result<()> {
        if let Some(kiosk) = scrolls {
            kiosk.set_landscape(w > h);
        }
        let rgb = snapshot::frame(self.window, w, h);
        let path = self.out.join(format!("{name}.png"));
        snapshot::write_png(&path, w, h, &rgb)?;
        let language = audit::Language { english: lang == Language::En, data: &self.data };
        let limits = audit::Limits::default();
        let frame = audit::pixels::Frame { rgb: &rgb, width: w, height: h };
        let mut seen = audit::screen(name, root, &frame, &language, &limits);
        if scrolls.is_some() {
            // What lies below the fold is not in the element tree until it
            // is scrolled into the window: measure it in a window three
            // screens tall as well, in the same orientation (the picture is
            // not kept; content longer than that is not measured).
            let tall = (h * 3).min(7680);
            let rgb = snapshot::frame(self.window, w, tall);
            let frame = audit::pixels::Frame { rgb: &rgb, width: w, height: tall };
            seen.add_unrolled(audit::screen(name, root, &frame, &language, &limits));
        }
        self.audits.push(seen);
        Ok(())
    }
}

fn snapshots(out: &Path, choice: Choice) -> anyhow::Result<Vec<audit::ScreenAudit>> {
    let Choice { sizes, langs, roles, large_text, catalog } = choice;
    let wall_sizes = if sizes.is_empty() { vec![(1920, 1080), (3840, 2160)] } else { sizes.clone() };
    let sizes = if sizes.is_empty() { vec![(1080, 1920), (1920, 1080)] } else { sizes };
    std::fs::create_dir_all(out)?;
    let work = scratch_dir("kiosk-snapshot")?;
    let (snap, blobs) = sample::load(&catalog.unwrap_or_else(sample::default_catalog), &work)?;
    let window = snapshot::install()?;
    let data = audit::chinese_data(&serde_json::to_value(&*snap)?);
    let mut shots = Shots { window: &window, out, data, audits: Vec::new() };
    let images = Rc::new(move |sha: &str| sample::hub_blob_path(&blobs, sha));
    // A kiosk whose hub is out of reach records the screens' requests, so
    // "my requests" and the staff page show real rows.
    let runtime = crate::runtime::Runtime::start(offline_config(&work)?)?;
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
    let staff = || visitor.staff_pin(DEMO_PIN, true);
    let showroom: [(&str, &dyn Fn()); 11] = [
        ("attract", &|| ui.attract()),
        ("home", &|| visitor.home()),
        ("category", &|| visitor.category("farm_produce")),
        ("product", &|| visitor.product(&product)),
        ("trace", &|| visitor.trace()),
        ("directory", &|| visitor.directory()),
        ("search", &|| visitor.search("yc")),
        ("staff", &staff),
        ("stories", &|| {
            visitor.home();
            visitor.stories();
        }),
        ("story", &|| visitor.story("story-oil-sister")),
        ("enterprise", &|| visitor.producer("paoshan-oil")),
    ];
    // The training calendar as of the sample county's first of December,
    // with seats as the hub would have counted them at 10:05.
    ui.set_clock(SAMPLE_NOW);
    ui.set_seats(Some(sample_seats()));
    let station: [(&str, &dyn Fn()); 12] = [
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
        ("training", &|| {
            visitor.home();
            visitor.training_calendar();
        }),
        ("session", &|| visitor.session("women-live-1215")),
        ("signup", &|| {
            visitor.sign_up();
            visitor.town("石南镇");
            visitor.keypad("13812345678");
            visitor.submit();
        }),
        ("mine-signup", &|| visitor.my_requests_by_phone("5678")),
        ("jobs", &|| {
            visitor.home();
            visitor.jobs_board("");
        }),
    ];
    for role in roles.iter().filter(|r| *r != "bigscreen") {
        let steps: &[(&str, &dyn Fn())] = if role == "station" { &station } else { &showroom };
        ui.set_station((role == "station").then_some(12));
        for &large in &large_text {
            visitor.large_text(large);
            let text = if large { "-large" } else { "" };
            for lang in &langs {
                ui.set_language(*lang);
                for &(w, h) in &sizes {
                    for (i, (name, step)) in steps.iter().enumerate() {
                        step();
                        let name = format!("{role}-{}{text}-{w}x{h}-{}-{name}", lang.code(), i + 1);
                        shots.take(&name, &ui.window, (w, h), *lang, Some(&ui.window))?;
                    }
                }
            }
        }
    }
    drop(ui);
    drop(runtime);
    if roles.iter().any(|r| r == "bigscreen") {
        big_screen(&mut shots, &work, &langs, &wall_sizes)?;
    }
    let _ = std::fs::remove_dir_all(&work);
    println!("{} screens written to {}", shots.audits.len(), out.display());
    Ok(shots.audits)
}

/// `accessibility.csv` (one row per screen: its smallest target, its
/// faintest text, its failures) and `accessibility-failures.csv`; with
/// `check`, an error naming every failure.
fn audit_summary(out: &Path, audits: &[audit::ScreenAudit], check: bool) -> anyhow::Result<()> {
    let mut screens = csv::Writer::from_path(out.join("accessibility.csv"))?;
    screens.write_record([
        "screen",
        "targets",
        "smallest_target_px",
        "smallest_target",
        "texts",
        "texts_not_measured",
        "lowest_contrast",
        "lowest_contrast_text",
        "failures",
    ])?;
    let mut failed = csv::Writer::from_path(out.join("accessibility-failures.csv"))?;
    failed.write_record(["screen", "check", "element", "figure"])?;
    let mut lines = Vec::new();
    for a in audits {
        let (side, target) = a.smallest_target.clone().unwrap_or((0.0, String::new()));
        let (contrast, text) = a.lowest_contrast.clone().unwrap_or((0.0, String::new()));
        screens.write_record([
            a.screen.clone(),
            a.targets.to_string(),
            format!("{side:.0}"),
            target,
            a.texts.to_string(),
            a.texts_hidden.to_string(),
            format!("{contrast:.2}"),
            text,
            a.failures.len().to_string(),
        ])?;
        for f in &a.failures {
            failed.write_record([a.screen.as_str(), f.check.name(), &f.element, &f.figure])?;
            lines.push(format!("{}: {}: {}: {}", a.screen, f.check.name(), f.element, f.figure));
        }
    }
    screens.flush()?;
    failed.flush()?;
    let smallest = audits
        .iter()
        .filter_map(|a| a.smallest_target.as_ref().map(|t| (t.0, &a.screen)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let faintest = audits
        .iter()
        .filter_map(|a| a.lowest_contrast.as_ref().map(|t| (t.0, &a.screen)))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    println!(
        "accessibility: {} screens; smallest target {}; lowest text contrast {}; {} failures (accessibility.csv)",
        audits.len(),
        smallest.map_or("none".into(), |(v, s)| format!("{v:.0} px ({s})")),
        faintest.map_or("none".into(), |(v, s)| format!("{v:.2}:1 ({s})")),
        lines.len()
    );
    if check && !lines.is_empty() {
        anyhow::bail!("{} accessibility failures:\n{}", lines.len(), lines.join("\n"));
    }
    Ok(())
}

/// The big screen's panels with the sample wall's figures, live, then one
/// with the hub out of reach (greyed, with the figures' time).
fn big_screen(
    shots: &mut Shots,
    work: &Path,
    langs: &[Language],
    sizes: &[(u32, u32)],
) -> anyhow::Result<()> {
    use crate::runtime::{KioskStatus, Received};
    let now = crate::store::now_ms();
    let figures = super::wall::sample_figures(&work.join("wall-hub"), now as i64)?;
    let wall = BigScreenUi::new(Language::Zh)?;
    // The figures' own words (stations, searches) are data, like the catalog's.
    shots.data.extend(audit::chinese_data(&serde_json::to_value(&figures)?));
    let received = Received { figures, received_ms: now };
    wall.set_figures(Some(received));
    let live = KioskStatus { connected: true, hub_online: true, ..KioskStatus::default() };
    let away = KioskStatus::default();
    for lang in langs {
        wall.set_language(*lang);
        for &(w, h) in sizes {
            shots.window.set_size(slint::PhysicalSize::new(w, h));
            wall.fit(w, h);
            let panels = (0..PANELS).map(|p| (Some(p), true)).chain([(Some(0), false)]);
            for (i, (panel, up)) in panels.enumerate() {
                wall.hold_panel(panel);
                wall.set_status(if up { &live } else { &away });
                // Let the fades (500 ms) and counters (800 ms) finish: a
                // picture of the panel, not of a turn.
                std::thread::sleep(std::time::Duration::from_millis(900));
                let name = if up { crate::ui::big_screen::PANEL_NAMES[i] } else { "unreachable" };
                let name = format!("bigscreen-{}-{w}x{h}-{}-{name}", lang.code(), i + 1);
                shots.take(&name, &wall.window, (w, h), *lang, None)?;
            }
        }
    }
    Ok(())
}

/// A station kiosk whose hub is out of reach (port 9, discard), with the
/// demo's staff PIN, updated once from 1.3.2 to 1.4.0 (what its staff
/// page shows).
/// 2026-12-01 10:00 in the county: the sample county's training calendar
/// and jobs are dated from then.
const SAMPLE_NOW: u64 = 1_796_090_400_000;

/// Seats left as the hub counts them (`kh/v1/_dc/seats`), for the pictures.
fn sample_seats() -> protocol::messages::SeatsLeft {
    use protocol::messages::{SeatsLeft, SessionSeats};
    let mut seats = SeatsLeft { ts: SAMPLE_NOW + 5 * 60_000, ..SeatsLeft::default() };
    for (id, left, waiting) in [
        ("basics-101-1208", 12, 0),
        ("live-101-1210", 0, 3),
        ("women-live-1215", 6, 0),
        ("design-photo-1217", 9, 0),
        ("disabled-service-1222", 10, 0),
        ("lowincome-upstream-1229", 14, 0),
    ] {
        seats.sessions.insert(id.into(), SessionSeats { left, waiting });
    }
    seats
}

fn offline_config(work: &Path) -> anyhow::Result<DeviceConfig> {
    let hub = HubLink {
        url: BrokerUrl { host: "127.0.0.1".into(), port: 9, tls: false },
        secret: vec![0x11; 32],
        hub_key: vec![0x22; 32],
        ca_file: None,
    };
    let id = KioskId::new("screens").expect("a valid id");
    let mut config = DeviceConfig::new(id, Role::Station, "screens", 12, hub, work.join("kiosk"));
    config.staff_pin_hash = Some(firmware_config::pin::hash(DEMO_PIN, b"screens"));
    let root = work.join("software");
    let release = work.join("kiosk-1.4.0");
    std::fs::write(&release, b"#!/bin/sh\n")?;
    let v = |s: &str| s.parse::<protocol::release::ReleaseVersion>();
    let manifest = protocol::release::ReleaseManifest {
        version: v("1.4.0")?,
        sha256: protocol::sha256_hex(b"#!/bin/sh\n"),
        size: 10,
        signature: String::new(),
    };
    let layout = crate::update::layout::Layout::new(&root);
    layout.install_first(&manifest, &release)?;
    layout.save(&crate::update::layout::BootState {
        previous: Some(v("1.3.2")?),
        last: Some(crate::update::layout::LastUpdate {
            version: v("1.4.0")?,
            result: crate::update::layout::UpdateResult::Running,
            reason: None,
            at: 0,
        }),
        ..Default::default()
    })?;
    config.update = Some(firmware_config::UpdateConfig {
        release_key: [0x33; 32],
        root,
        rate_kbit: 512,
        health_deadline_s: 180,
    });
    Ok(config)
}

/// A folder of this process's own under the system's temporary folder.
pub fn scratch_dir(prefix: &str) -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
