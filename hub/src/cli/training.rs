//! `hub training`: sessions and their sign-ups, rosters, attendance and
//! cancellation; `hub jobs`: the "I am interested" call-backs. Every change
//! records who (`--as`), and a sign-up's new state reaches its kiosk.

use clap::{Args, Subcommand};
use hub::reports::table::{Format, Report};
use hub::store::{self, DataDir, now_ms, writer::Writer};
use hub::training::{roster, seats};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct TrainingArgs {
    #[command(subcommand)]
    command: TrainingCommand,
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
}

#[derive(Subcommand)]
enum TrainingCommand {
    /// Every session of the newest catalog with its seats and sign-ups.
    Sessions {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// A session's sign-ups in the order they arrived. Phones are masked
    /// unless `--reveal --as NAME` (the look is logged).
    Roster {
        session: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[arg(long, requires = "name")]
        reveal: bool,
        #[arg(long = "as", value_name = "NAME")]
        name: Option<String>,
    },
    /// Mark people present: sign-up numbers (as printed) or ids.
    Attend {
        session: String,
        #[arg(required = true)]
        who: Vec<String>,
        #[arg(long = "as", value_name = "NAME")]
        name: String,
    },
    /// Cancel a sign-up (number or id); the first on the waiting list moves up.
    Cancel {
        signup: String,
        #[arg(long = "as", value_name = "NAME")]
        name: String,
    },
}

pub fn run(a: TrainingArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::new(&a.data)?;
    match a.command {
        TrainingCommand::Sessions { format } => {
            let conn = store::open_read(&data)?;
            print(&roster::sessions(&conn)?, format);
        }
        TrainingCommand::Roster { session, format, reveal, name } => {
            let writer = Writer::start(&data)?;
            let s = session.clone();
            let found = writer.exec_blocking(move |c| {
                let r = roster::roster(c, &s, reveal)?;
                if let (Some(_), Some(who)) = (&r, name.as_deref().filter(|_| reveal)) {
                    roster::log_reveal(c, &s, who, now_ms())?;
                }
                Ok(r)
            })?;
            let Some(r) = found else {
                eprintln!("hub: there is no session {session:?} with sign-ups or in the newest catalog");
                return Ok(ExitCode::FAILURE);
            };
            print(&r, format);
        }
        TrainingCommand::Attend { session, who, name } => {
            let writer = Writer::start(&data)?;
            let (s, w) = (session.clone(), who.clone());
            let unknown = writer.exec_blocking(move |c| seats::attend(c, &s, &w, &name, now_ms()))?;
            outln!("{} of {} marked present at {session}", who.len() - unknown.len(), who.len());
            if !unknown.is_empty() {
                eprintln!("hub: not sign-ups of {session}: {}", unknown.join(", "));
                return Ok(ExitCode::FAILURE);
            }
        }
        TrainingCommand::Cancel { signup, name } => {
            let writer = Writer::start(&data)?;
            let s = signup.clone();
            let done = writer.exec_blocking(move |c| {
                let Some(id) = seats::find(c, &s)? else { return Ok(None) };
                seats::cancel(c, &id, seats::Canceller::Staff(&name), now_ms()).map(Some)
            })?;
            match done {
                None => {
                    eprintln!("hub: there is no sign-up {signup:?}");
                    return Ok(ExitCode::FAILURE);
                }
                Some(false) => {
                    eprintln!("hub: sign-up {signup} is neither confirmed nor waiting; nothing changed");
                    return Ok(ExitCode::FAILURE);
                }
                Some(true) => outln!("sign-up {signup} cancelled"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print(r: &Report, format: Format) {
    out!("{}", r.file_text(format));
}

#[derive(Args)]
pub struct JobsArgs {
    #[command(subcommand)]
    command: JobsCommand,
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Villagers interested in a job opening, for the centre to call back
    /// (their tickets), newest first; phones masked.
    Interests {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub fn run_jobs(a: JobsArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::new(&a.data)?;
    match a.command {
        JobsCommand::Interests { format } => {
            let conn = store::open_read(&data)?;
            print(&hub::training::jobs::interests(&conn)?, format);
        }
    }
    Ok(ExitCode::SUCCESS)
}
