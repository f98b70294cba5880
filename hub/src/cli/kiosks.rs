//! `hub kiosks`: the fleet at a glance, and registering a kiosk.

use clap::{Args, Subcommand};
use hub::kiosks::{self, KioskRow};
use hub::registry;
use hub::store::{self, DataDir, writer::Writer};
use protocol::KioskId;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct KiosksArgs {
    #[command(subcommand)]
    command: Option<KiosksCommand>,
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum KiosksCommand {
    /// Register a kiosk (or give it a new secret) and print its secret.
    Add {
        kid: KioskId,
        /// Rollout group (a village, `showroom`, …).
        #[arg(long, default_value = "default")]
        group: String,
        /// Write the secret (hex) to this file instead of printing it.
        #[arg(long)]
        secret_out: Option<PathBuf>,
    },
}

pub fn run(a: KiosksArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::new(&a.data)?;
    match a.command {
        Some(KiosksCommand::Add { kid, group, secret_out }) => {
            registry::check_group(&group).map_err(anyhow::Error::msg)?;
            let writer = Writer::start(&data)?;
            let k = kid.clone();
            let reg = writer.exec_blocking(move |c| registry::register(c, &k, &group))?;
            let station = format!("station number {:04}", reg.station_no);
            match secret_out {
                Some(path) => {
                    std::fs::write(&path, hex::encode(&reg.secret))?;
                    println!("registered {kid} ({station}); secret written to {}", path.display());
                }
                None => println!("registered {kid} ({station}); secret {}", hex::encode(&reg.secret)),
            }
        }
        None => {
            let conn = store::open_read(&data)?;
            let rows = kiosks::list(&conn)?;
            if a.json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print_table(&rows);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(rows: &[KioskRow]) {
    if rows.is_empty() {
        println!("no kiosks registered; add one with `hub kiosks add <id> --group <group>`");
        return;
    }
    println!(
        "{:<16} {:<10} {:<8} {:<19} {:>7} {:>7} {:<11} {:>6} {:>9} {:>5} {:<19} {:>7}",
        "kiosk",
        "group",
        "state",
        "since",
        "catalog",
        "desired",
        "sync",
        "outbox",
        "events",
        "drift",
        "last seen",
        "refused"
    );
    for r in rows {
        let t = |ms: Option<i64>| ms.map(super::local_time).unwrap_or_else(|| "-".into());
        println!(
            "{:<16} {:<10} {:<8} {:<19} {:>7} {:>7} {:<11} {:>6} {:>9} {:>5} {:<19} {:>7}",
            r.kiosk,
            r.group,
            r.state,
            t(r.since),
            r.catalog_version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            r.desired_version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            r.sync_state.as_deref().unwrap_or("-"),
            r.outbox_depth.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            r.events,
            r.drift,
            t(r.last_seen),
            r.refused
        );
    }
}
