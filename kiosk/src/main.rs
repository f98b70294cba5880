//! `kiosk`: the touchscreen application.
//!
//! - `kiosk snapshot --out <dir>`: render every screen headless to PNG.

use clap::{Parser, Subcommand};
use kiosk::ui::adapter::KioskUi;
use kiosk::ui::browse::Lang;
use kiosk::ui::snapshot;
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;

#[derive(Parser)]
#[command(name = "kiosk", version, about = "County e-commerce kiosk")]
struct Args {
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
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .try_init();
    let args = Args::parse();
    let result = match args.command {
        Some(Command::Snapshot { out, size, lang, role, catalog }) => {
            snapshots(out, size, lang, role, catalog)
        }
        None => Err(anyhow::anyhow!("nothing to do; see `kiosk --help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kiosk: {e:#}");
            ExitCode::FAILURE
        }
    }
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
    let work = tempfile_dir()?;
    let (snap, blobs) = kiosk::sample::load(&catalog.unwrap_or_else(kiosk::sample::default_catalog), &work)?;
    let window = snapshot::install()?;
    let images = Rc::new(move |sha: &str| kiosk::sample::hub_blob_path(&blobs, sha));
    let ui = KioskUi::new(images, None, today(), std::time::Duration::from_secs(90), None)?;
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
    let showroom: [(&str, &dyn Fn()); 5] = [
        ("attract", &|| ui.attract()),
        ("home", &|| ui.home()),
        ("category", &|| ui.open_category("farm_produce")),
        ("product", &|| ui.open_product(&product)),
        ("trace", &|| ui.open_trace()),
    ];
    let station: [(&str, &dyn Fn()); 3] = [
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
    let _ = std::fs::remove_dir_all(&work);
    println!("{written} screens written to {}", out.display());
    Ok(())
}

fn tempfile_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("kiosk-snapshot-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn today() -> String {
    hub::catalog::fields::iso(hub::catalog::today_in_county())
}
