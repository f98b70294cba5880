//! `hub`: the county hub's command line. One subcommand per staff task; each
//! lives in its own module under `cli/`.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "hub", version, about = "County e-commerce hub: broker, catalog sync, presence, reports")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub: embedded broker (default) or an external one.
    Serve(cli::serve::ServeArgs),
    /// Check, publish and compare catalog versions.
    #[command(subcommand)]
    Catalog(cli::catalog::CatalogCommand),
    /// Kiosk software: sign, add, publish to a group, promote, versions.
    #[command(subcommand)]
    Release(cli::release::ReleaseCommand),
    /// The fleet at a glance (presence, catalog version, outbox), or send a kiosk a command.
    Kiosks(cli::kiosks::KiosksArgs),
    /// Set kiosks up: new, list, rotate-secret, revoke, check, mosquitto, tls, release-key.
    Fleet(cli::fleet::FleetArgs),
    /// Staff accounts for the console: add, list, disable, reset.
    Staff(cli::staff::StaffArgs),
    /// The county's online transaction data: import monthly CSVs, list the months held.
    Data(cli::data::DataArgs),
    /// Figures for the county data centre: --by day|station|product|category|carrier|service|search|month|platform|enterprise.
    Report(cli::report::ReportArgs),
    /// Service-request tickets: list, show, accept, transfer, reply, resolve, close, reopen, refer.
    Tickets(cli::tickets::TicketsArgs),
    /// Training sessions and sign-ups: sessions, roster, attend, cancel.
    Training(cli::training::TrainingArgs),
    /// Job openings: the villagers interested, for the call-back.
    Jobs(cli::training::JobsArgs),
    /// Write the data folder to one file (safe while the hub runs).
    Backup(cli::backup::BackupArgs),
    /// Restore a backup into a new, empty data folder.
    Restore(cli::backup::RestoreArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    cli::init_logging();
    let result = match args.command {
        Command::Serve(a) => cli::serve::run(a),
        Command::Catalog(c) => cli::catalog::run(c),
        Command::Kiosks(a) => cli::kiosks::run(a),
        Command::Release(c) => cli::release::run(c),
        Command::Fleet(a) => cli::fleet::run(a),
        Command::Staff(a) => cli::staff::run(a),
        Command::Tickets(a) => cli::tickets::run(a),
        Command::Training(a) => cli::training::run(a),
        Command::Jobs(a) => cli::training::run_jobs(a),
        Command::Data(a) => cli::data::run(a),
        Command::Report(a) => cli::report::run(a),
        Command::Backup(a) => cli::backup::run_backup(a),
        Command::Restore(a) => cli::backup::run_restore(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}
