//! `hub staff`: the centre's staff accounts for the console. `add` and
//! `reset` print a one-time password, to be changed at first login.

use clap::{Args, Subcommand, ValueEnum};
use hub::staff::accounts;
use hub::staff::roles::Role;
use hub::store::{self, DataDir, now_ms, writer::Writer};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct StaffArgs {
    #[command(subcommand)]
    command: StaffCommand,
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
}

#[derive(Clone, Copy, ValueEnum)]
enum RoleArg {
    Admin,
    Catalog,
    Tickets,
    Data,
    Viewer,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Admin => Role::Admin,
            RoleArg::Catalog => Role::Catalog,
            RoleArg::Tickets => Role::Tickets,
            RoleArg::Data => Role::Data,
            RoleArg::Viewer => Role::Viewer,
        }
    }
}

#[derive(Subcommand)]
enum StaffCommand {
    /// A new account; prints its one-time password.
    Add {
        /// The person's name, as colleagues and villagers know them (王芳).
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
    },
    /// Every account, with its role and state.
    List,
    /// No more logins for this account; its sessions end at once.
    Disable { name: String },
    /// A new one-time password (also unlocks and re-enables the account).
    Reset { name: String },
}

pub fn run(a: StaffArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::new(&a.data)?;
    match a.command {
        StaffCommand::Add { name, role } => {
            let password = accounts::one_time_password();
            let hash = accounts::hash_password(&password);
            let role = Role::from(role);
            let writer = Writer::start(&data)?;
            let n = name.clone();
            writer.exec_blocking(move |c| Ok(accounts::add(c, &n, role, &hash, now_ms())))??;
            outln!("{name} ({role}): one-time password {password}");
            outln!("it must be changed at the first login to the console");
        }
        StaffCommand::List => {
            let conn = store::open_read(&data)?;
            let now = now_ms();
            for a in accounts::list(&conn)? {
                let state = if a.disabled {
                    "disabled".to_owned()
                } else if a.locked_until.is_some_and(|t| t > now) {
                    format!(
                        "locked until {}",
                        protocol::county_time::second_text(a.locked_until.unwrap_or(0))
                    )
                } else if a.must_change {
                    "one-time password not yet changed".to_owned()
                } else {
                    "active".to_owned()
                };
                outln!("{:<16} {:<8} {state}", a.name, a.role.name());
            }
        }
        StaffCommand::Disable { name } => {
            let writer = Writer::start(&data)?;
            let n = name.clone();
            writer.exec_blocking(move |c| Ok(accounts::disable(c, &n, now_ms())))??;
            outln!("{name} disabled; their sessions have ended");
        }
        StaffCommand::Reset { name } => {
            let password = accounts::one_time_password();
            let hash = accounts::hash_password(&password);
            let writer = Writer::start(&data)?;
            let n = name.clone();
            writer.exec_blocking(move |c| Ok(accounts::reset(c, &n, &hash, now_ms())))??;
            outln!("{name}: one-time password {password}");
            outln!("it must be changed at the next login to the console");
        }
    }
    Ok(ExitCode::SUCCESS)
}
