//! `hub kiosks`: the fleet at a glance, and sending one kiosk a command (a
//! screenshot, a language, a restart). Kiosks are set up with `hub fleet`.

use clap::{Args, Subcommand};
use hub::fleet::registry;
use hub::fleet::status::{self, KioskRow};
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
    /// Send a kiosk a command through the running hub and wait for its
    /// answer: rebirth, reload, set-language (--arg lang=en), screenshot
    /// (--out shot.png), restart.
    Command {
        kid: KioskId,
        name: String,
        /// key=value (repeat).
        #[arg(long = "arg", value_parser = parse_arg)]
        args: Vec<(String, String)>,
        /// Give up (and let the hub expire the command) after this many seconds.
        #[arg(long, default_value_t = 30)]
        wait: u64,
        /// Where to copy a file the answer carries (a screenshot's PNG).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn parse_arg(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{s:?} is not key=value"))
}

/// Queue the command, then watch its row until the hub records the answer.
fn command(
    data: &DataDir,
    kid: &KioskId,
    name: &str,
    args: std::collections::BTreeMap<String, String>,
    wait: u64,
    out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    if !protocol::topic::is_command_name(name) {
        anyhow::bail!("{name:?} is not a command name");
    }
    if !registry::all(&store::open_read(data)?)?.contains_key(kid) {
        anyhow::bail!("no kiosk {kid} is registered (`hub kiosks` lists them)");
    }
    let now = store::now_ms();
    let expires = now + wait as i64 * 1000;
    let writer = Writer::start(data)?;
    let (k, n) = (kid.to_string(), name.to_owned());
    let cid =
        writer.exec_blocking(move |c| hub::fleet::kiosk_commands::queue(c, &k, &n, &args, now, expires))?;
    drop(writer);
    let conn = store::open_read(data)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait + 2);
    let done = loop {
        let row = hub::fleet::kiosk_commands::get(&conn, &cid)?
            .ok_or_else(|| anyhow::anyhow!("command {cid} vanished"))?;
        if row.done_at.is_some() {
            break row;
        }
        if std::time::Instant::now() > deadline {
            let how = if row.sent_at.is_some() {
                "sent, not answered"
            } else {
                "not sent: is `hub serve` running and the kiosk online?"
            };
            eprintln!("command {cid} to {kid}: no answer within {wait} s ({how})");
            return Ok(ExitCode::FAILURE);
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let ok = done.ok == Some(true);
    outln!("{kid} {name}: {} — {}", if ok { "ok" } else { "failed" }, done.detail.unwrap_or_default());
    if let (Some(file), Some(out)) = (&done.file, &out) {
        std::fs::copy(data.root().join(file), out)?;
        outln!("saved {}", out.display());
    } else if let Some(file) = &done.file {
        outln!("kept {}", data.root().join(file).display());
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

pub fn run(a: KiosksArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::new(&a.data)?;
    match a.command {
        Some(KiosksCommand::Command { kid, name, args, wait, out }) => {
            return command(&data, &kid, &name, args.into_iter().collect(), wait, out);
        }
        None => {
            // What the console's home page warns about, said here too.
            if let Some(free) = hub::store::writer::free_space(data.root()) {
                if free < hub::store::writer::LOW_SPACE {
                    eprintln!(
                        "warning: {} MB free on the disk holding {}: when it is full the hub acknowledges nothing (kiosks keep their events); free some space",
                        free >> 20,
                        data.root().display()
                    );
                }
            }
            let conn = store::open_read(&data)?;
            let rows = status::list(&conn)?;
            if a.json {
                outln!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                print_table(&rows);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(rows: &[KioskRow]) {
    if rows.is_empty() {
        outln!("no kiosks registered; set one up with `hub fleet new <id> --role … --group … --hub …`");
        return;
    }
    outln!(
        "{:<16} {:<10} {:<8} {:<19} {:<9} {:>7} {:>7} {:<11} {:>6} {:>9} {:>5} {:>5} {:<19} {:>7}",
        "kiosk",
        "group",
        "state",
        "since",
        "software",
        "catalog",
        "desired",
        "sync",
        "outbox",
        "events",
        "drift",
        "lost",
        "last seen",
        "refused"
    );
    for r in rows {
        let t = |ms: Option<i64>| ms.map(protocol::county_time::second_text).unwrap_or_else(|| "-".into());
        outln!(
            "{:<16} {:<10} {:<8} {:<19} {:<9} {:>7} {:>7} {:<11} {:>6} {:>9} {:>5} {:>5} {:<19} {:>7}",
            r.kiosk,
            r.group,
            r.state,
            t(r.since),
            r.app_version.as_deref().filter(|v| !v.is_empty()).unwrap_or("-"),
            r.catalog_version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            r.desired_version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            r.sync_state.as_deref().unwrap_or("-"),
            r.outbox_depth.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            r.events,
            r.drift,
            r.lost,
            t(r.last_seen),
            r.refused
        );
    }
}
