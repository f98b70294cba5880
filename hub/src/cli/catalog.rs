//! `hub catalog check|publish|promote|versions|diff`.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use hub::catalog::publish::{self, Target};
use hub::catalog::{self, Diagnostics, versions};
use hub::store::{self, DataDir, writer::Writer};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum CatalogCommand {
    /// Check a catalog folder; print every problem as file:line:column. Exit 1 on errors.
    Check { dir: PathBuf },
    /// Check and publish a catalog folder as a new version (nothing is applied on any error).
    Publish {
        dir: PathBuf,
        #[command(flatten)]
        data: DataArg,
        /// Roll out to this kiosk group only (staged rollout); default: every kiosk.
        #[arg(long)]
        group: Option<String>,
        /// A note kept with the version.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Point every kiosk (or one group) at an already published version.
    Promote {
        version: u64,
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        group: Option<String>,
    },
    /// List published versions and where they are rolled out.
    Versions {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        json: bool,
    },
    /// What changed between two versions.
    Diff {
        a: u64,
        b: u64,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(Args)]
pub struct DataArg {
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data")]
    pub data: PathBuf,
}

pub fn run(cmd: CatalogCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        CatalogCommand::Check { dir } => {
            let (diags, authored) = check(&dir);
            if let Some(a) = authored {
                outln!("{}: {} items, {} images — ok", a.meta.name, a.items.len(), a.images.len());
            }
            Ok(if diags.has_errors() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        CatalogCommand::Publish { dir, data, group, note } => {
            let (diags, authored) = check(&dir);
            let Some(authored) = authored.filter(|_| !diags.has_errors()) else {
                eprintln!("nothing was published");
                return Ok(ExitCode::FAILURE);
            };
            let data = DataDir::new(&data.data)?;
            let writer = Writer::start(&data)?;
            let target = group.map_or(Target::All, Target::Group);
            let source = dir.display().to_string();
            let blobs = hub::blobs::BlobDir::new(data.blobs());
            let t = target.clone();
            let p = writer
                .exec_blocking(move |c| publish::publish(c, &blobs, &authored, &source, &t, &note))
                .context("publishing")?;
            let to = match &target {
                Target::All => "every kiosk".to_owned(),
                Target::Group(g) => format!("group {g}"),
            };
            if p.new_version {
                outln!(
                    "published version {} to {to}: {} items changed, {} new images, {} KiB of images in all",
                    p.version,
                    p.changed_items,
                    p.new_blobs,
                    p.blob_bytes / 1024
                );
            } else {
                outln!("no change since version {}; {to} now points at it", p.version);
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Promote { version, data, group } => {
            let data = DataDir::new(&data.data)?;
            let writer = Writer::start(&data)?;
            let target = group.map_or(Target::All, Target::Group);
            let t = target.clone();
            let exists = writer.exec_blocking(move |c| {
                let ok = publish::version_exists(c, version)?;
                if ok {
                    publish::set_target(c, &t, version)?;
                }
                Ok(ok)
            })?;
            if !exists {
                bail!("there is no catalog version {version}; see `hub catalog versions`");
            }
            outln!("{} now points at version {version}", target.key());
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Versions { data, json } => {
            let conn = store::open_read(&DataDir::new(&data.data)?)?;
            let list = versions::list(&conn)?;
            if json {
                outln!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                outln!("no catalog published yet; run `hub catalog publish <dir>`");
            } else {
                outln!(
                    "{:>7}  {:<19}  {:>5}  {:>8}  {:<12}  {:>7}  targets",
                    "version",
                    "published",
                    "items",
                    "images",
                    "manifest",
                    "applied"
                );
                for v in list {
                    outln!(
                        "{:>7}  {:<19}  {:>5}  {:>6}Ki  {:<12}  {:>7}  {}",
                        v.version,
                        protocol::county_time::second_text(v.created_at),
                        v.items,
                        v.blob_bytes / 1024,
                        &v.manifest_sha256[..12],
                        v.kiosks_applied,
                        v.targets.join(" ")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CatalogCommand::Diff { a, b, data } => {
            let conn = store::open_read(&DataDir::new(&data.data)?)?;
            let changes = versions::diff(&conn, a, b)?;
            if changes.is_empty() {
                outln!("versions {a} and {b} have the same content");
            }
            for c in changes {
                let what = match c.change {
                    versions::Change::Added => "added".to_owned(),
                    versions::Change::Removed => "removed".to_owned(),
                    versions::Change::Changed(f) => {
                        let names: Vec<&str> = f.iter().map(|f| f.field.as_str()).collect();
                        format!("changed: {}", names.join(", "))
                    }
                };
                outln!("{:<13} {:<32} {what}", c.key.kind.as_str(), c.key.id);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Run the checker and print its findings, errors first.
fn check(dir: &Path) -> (Diagnostics, Option<catalog::Authored>) {
    let mut diags = Diagnostics::default();
    let authored = catalog::import(dir, protocol::county_time::today(), &mut diags);
    let mut items = diags.items.clone();
    items.sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
    for d in &items {
        eprintln!("{d}");
    }
    if !items.is_empty() {
        eprintln!("{} error(s), {} warning(s)", diags.errors(), diags.warnings());
    }
    (diags, authored)
}
