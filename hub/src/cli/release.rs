//! `hub release sign|add|publish|promote|versions`: kiosk software, signed
//! with the county's release key and rolled out like catalogs.

use super::catalog::DataArg;
use anyhow::Context;
use clap::Subcommand;
use hub::catalog::publish::Target;
use hub::releases::{self, key};
use hub::store::{self, DataDir, writer::Writer};
use protocol::release::ReleaseVersion;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Sign a release file with the private release key (where that key is
    /// kept); writes `<file>.sig` beside it.
    Sign {
        file: PathBuf,
        #[arg(long)]
        version: ReleaseVersion,
        /// The private half made by `hub fleet release-key`.
        #[arg(long)]
        key: PathBuf,
    },
    /// Add a signed release (refused unless `<file>.sig` verifies with the
    /// hub's release key).
    Add {
        file: PathBuf,
        #[arg(long)]
        version: ReleaseVersion,
        #[arg(long, default_value = "")]
        notes: String,
        /// The signed manifest (default `<file>.sig`).
        #[arg(long)]
        sig: Option<PathBuf>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Roll a release out to one group first (or to everyone without --group).
    Publish {
        version: ReleaseVersion,
        #[arg(long)]
        group: Option<String>,
        /// County hours in which kiosks may install it, e.g. 2-5 (default:
        /// whenever no one is using the kiosk).
        #[arg(long, value_parser = parse_hours)]
        hours: Option<[u8; 2]>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Roll a release out to every kiosk.
    Promote {
        version: ReleaseVersion,
        #[arg(long, value_parser = parse_hours)]
        hours: Option<[u8; 2]>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Releases, where they are rolled out, and each kiosk's running,
    /// desired and job state.
    Versions {
        #[command(flatten)]
        data: DataArg,
        #[arg(long)]
        json: bool,
    },
}

fn parse_hours(s: &str) -> Result<[u8; 2], String> {
    let (a, b) = s.split_once('-').ok_or("hours as FROM-TO, e.g. 2-5")?;
    let h = |t: &str| {
        t.trim().parse::<u8>().ok().filter(|h| *h <= 24).ok_or(format!("{t:?} is not an hour 0–24"))
    };
    Ok([h(a)?, h(b)?])
}

/// Who did it, for the record: the login running the command.
fn by() -> String {
    std::env::var("USER").unwrap_or_else(|_| "cli".into())
}

pub fn run(cmd: ReleaseCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ReleaseCommand::Sign { file, version, key } => {
            let manifest = key::sign(&file, version, &key)?;
            let sig = releases::sig_path(&file);
            std::fs::write(&sig, serde_json::to_vec_pretty(&manifest)?)
                .with_context(|| format!("writing {}", sig.display()))?;
            outln!(
                "signed {} as {version} ({} bytes, sha256 {}): {}",
                file.display(),
                manifest.size,
                manifest.sha256,
                sig.display()
            );
        }
        ReleaseCommand::Add { file, version, notes, sig, data } => {
            let data = DataDir::new(&data.data)?;
            let public = key::public_key(data.root())?;
            let sig = sig.unwrap_or_else(|| releases::sig_path(&file));
            let checked = releases::check(&file, &sig, version, &public)?;
            let size = checked.manifest.size;
            let blobs = hub::blobs::BlobDir::new(data.blobs());
            let who = by();
            let added = Writer::start(&data)?
                .exec_blocking(move |c| Ok(releases::add(c, &blobs, &checked, &notes, &who)))??;
            if added {
                outln!(
                    "release {version} added ({size} bytes); roll it out with `hub release publish {version} --group <g>`"
                );
            } else {
                outln!("release {version} was already added");
            }
        }
        ReleaseCommand::Publish { version, group, hours, data } => {
            let target = group.map_or(Target::All, Target::Group);
            set(&data.data, target, version, hours)?;
        }
        ReleaseCommand::Promote { version, hours, data } => set(&data.data, Target::All, version, hours)?,
        ReleaseCommand::Versions { data, json } => {
            let conn = store::open_read(&DataDir::new(&data.data)?)?;
            let (list, kiosks) = (releases::releases(&conn)?, releases::kiosks(&conn)?);
            if json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "releases": list, "kiosks": kiosks }))?
                );
                return Ok(ExitCode::SUCCESS);
            }
            if list.is_empty() {
                outln!("no release added yet; see `hub release add`");
            }
            for r in &list {
                outln!(
                    "{:<10} {:<19} {:>9} KiB  {:<24} {}",
                    r.version,
                    protocol::county_time::second_text(r.added_at),
                    r.size.div_ceil(1024),
                    if r.targets.is_empty() { "-".to_owned() } else { r.targets.join(", ") },
                    r.notes
                );
            }
            outln!();
            outln!(
                "{:<16} {:<10} {:<9} {:<9} {:<9} {:<24} {}",
                "kiosk",
                "group",
                "running",
                "previous",
                "desired",
                "job",
                "error"
            );
            for k in kiosks {
                let dash = |o: &Option<String>| o.clone().unwrap_or_else(|| "-".into());
                let job = match k.job.as_deref() {
                    Some("downloading") => {
                        format!("downloading {}/{} KiB", k.bytes_done / 1024, k.bytes_total.div_ceil(1024))
                    }
                    Some(j) => j.to_owned(),
                    None => "-".into(),
                };
                outln!(
                    "{:<16} {:<10} {:<9} {:<9} {:<9} {:<24} {}",
                    k.kiosk,
                    k.group,
                    dash(&k.running),
                    dash(&k.previous),
                    dash(&k.desired),
                    job,
                    k.error.unwrap_or_default()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn set(
    data: &std::path::Path,
    target: Target,
    version: ReleaseVersion,
    hours: Option<[u8; 2]>,
) -> anyhow::Result<()> {
    let data = DataDir::new(data)?;
    let t = target.clone();
    Writer::start(&data)?.exec_blocking(move |c| Ok(releases::set_target(c, &t, version, hours)))??;
    let when = hours.map_or_else(
        || "whenever no one is using them".to_owned(),
        |[a, b]| format!("between {a}:00 and {b}:00"),
    );
    outln!("{} now points at release {version}; kiosks install it {when}", target.key());
    Ok(())
}
