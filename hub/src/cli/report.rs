//! `hub report`: figures for the county data centre over a period.

use clap::Args;
use hub::catalog::fields;
use hub::reports::{self, By, Format, Options, Period};
use hub::store::{self, DataDir, now_ms};
use protocol::county_time;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReportArgs {
    #[command(subcommand)]
    command: Option<ReportCommand>,
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data")]
    data: PathBuf,
    /// First county day (YYYY-MM-DD); default: today.
    #[arg(long, value_parser = parse_day)]
    from: Option<time::Date>,
    /// Last county day, inclusive; default: --from.
    #[arg(long, value_parser = parse_day)]
    to: Option<time::Date>,
    /// How to group the figures.
    #[arg(long, value_enum, default_value = "day")]
    by: By,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Only this kiosk (for --by carrier and --by search).
    #[arg(long)]
    station: Option<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum ReportCommand {
    /// The month's analysis for the county: index.html (prints on A4),
    /// charts as SVG and every table as CSV, into a folder.
    Monthly {
        /// The month: 2026-10 (or 2026/10).
        #[arg(long)]
        month: String,
        /// The folder to write (made if missing).
        #[arg(long)]
        out: PathBuf,
        /// The hub's data folder.
        #[arg(long, default_value = "hub-data")]
        data: PathBuf,
    },
}

fn parse_day(s: &str) -> Result<time::Date, String> {
    fields::date(s)
}

pub fn run(a: ReportArgs) -> anyhow::Result<ExitCode> {
    if let Some(ReportCommand::Monthly { month, out, data }) = a.command {
        let month = reports::monthly::CountyMonth::parse(&month)?;
        let conn = store::open_read(&DataDir::new(&data)?)?;
        let written = reports::monthly::write_month(&conn, month, &out, now_ms())?;
        outln!("{} files for {} written to {}", written.files.len(), month.text(), out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let from = a.from.unwrap_or_else(county_time::today);
    let period = Period::new(from, a.to.unwrap_or(from)).map_err(anyhow::Error::msg)?;
    let conn = store::open_read(&DataDir::new(&a.data)?)?;
    let report = reports::build(&conn, a.by, period, &Options { station: a.station }, now_ms())?;
    // The same bytes as the console's download.
    let text = report.file_text(a.format);
    match a.out {
        Some(path) => {
            std::fs::write(&path, text)?;
            eprintln!("{} rows written to {}", report.rows.len(), path.display());
        }
        None => out!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
