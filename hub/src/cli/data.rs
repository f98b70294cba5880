//! `hub data`: the county's online transaction data. `import` checks a
//! folder (or file) of monthly CSVs and imports all of it or nothing;
//! `months` lists what is in; `target` sets the county's target for
//! enterprises selling online.

use clap::{Args, Subcommand};
use hub::sales::{self, import::Enterprises, import::fen_text};
use hub::store::{self, DataDir, now_ms, writer::Writer};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct DataArgs {
    #[command(subcommand)]
    command: DataCommand,
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
}

#[derive(Subcommand)]
enum DataCommand {
    /// Check and import monthly sales CSVs (a folder, or one file): all of it or nothing.
    Import {
        /// A `.csv` file, or a folder whose `.csv` files are all imported.
        path: PathBuf,
        /// Who imports (recorded with the import); default: the login name.
        #[arg(long = "as")]
        by: Option<String>,
        /// Only check; import nothing.
        #[arg(long)]
        check: bool,
    },
    /// The months held: enterprises selling online, orders, sales, parcels.
    Months {
        #[arg(long)]
        json: bool,
    },
    /// The county's target for enterprises selling online, shown on the big
    /// screen beside the month's count; without an option, the target now.
    Target {
        /// Enterprises selling online in a month (the plan: at least 100).
        #[arg(long, conflicts_with = "clear")]
        enterprises: Option<u64>,
        /// Show no target.
        #[arg(long)]
        clear: bool,
        /// Who sets it (recorded); default: the login name.
        #[arg(long = "as")]
        by: Option<String>,
    },
}

pub fn run(a: DataArgs) -> anyhow::Result<ExitCode> {
    let data = DataDir::new(&a.data)?;
    match a.command {
        DataCommand::Import { path, by, check } => {
            let known = Enterprises::from_catalog(&store::open_read(&data)?)?;
            let today = protocol::county_time::today();
            let checked = sales::check(&path, &known, (today.year(), today.month() as u8));
            let mut items = checked.diags.items.clone();
            items.sort_by(|a, b| (&a.file, a.line, a.severity).cmp(&(&b.file, b.line, b.severity)));
            for d in &items {
                eprintln!("{d}");
            }
            if checked.diags.has_errors() {
                eprintln!(
                    "{} error(s), {} warning(s): nothing imported",
                    checked.diags.errors(),
                    checked.diags.warnings()
                );
                return Ok(ExitCode::FAILURE);
            }
            if check {
                outln!("{} rows in {} file(s) are fine", checked.rows.len(), checked.files.len());
                return Ok(ExitCode::SUCCESS);
            }
            let by = by.unwrap_or_else(login_name);
            let writer = Writer::start(&data)?;
            let (rows, files, sha) = (checked.rows, checked.files, checked.sha256);
            let done =
                writer.exec_blocking(move |c| sales::store::apply(c, &rows, &by, &files, &sha, now_ms()))?;
            outln!(
                "import {}: {} rows ({} replacing earlier figures) from {}",
                done.id,
                done.rows,
                done.replaced,
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        DataCommand::Target { enterprises, clear, by } => {
            use sales::targets::{ENTERPRISES_ONLINE, get, set};
            if enterprises.is_some() || clear {
                let by = by.unwrap_or_else(login_name);
                let writer = Writer::start(&data)?;
                writer.exec_blocking(move |c| set(c, ENTERPRISES_ONLINE, enterprises, &by, now_ms()))?;
            }
            match get(&store::open_read(&data)?, ENTERPRISES_ONLINE)? {
                Some(n) => outln!("target: {n} enterprises selling online a month"),
                None => outln!("no target for enterprises selling online"),
            }
            Ok(ExitCode::SUCCESS)
        }
        DataCommand::Months { json } => {
            let months = sales::store::months(&store::open_read(&data)?)?;
            if json {
                let rows: Vec<serde_json::Value> = months
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "month": m.month, "enterprises": m.enterprises, "rows": m.rows,
                            "orders": m.orders, "sales_yuan": fen_text(m.sales_fen),
                            "farm_sales_yuan": fen_text(m.farm_sales_fen), "parcels": m.parcels,
                            "last_import_at": m.last_import.0, "last_import_by": m.last_import.1,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(ExitCode::SUCCESS);
            }
            if months.is_empty() {
                outln!("no sales figures yet: hub data import <folder>");
                return Ok(ExitCode::SUCCESS);
            }
            outln!(
                "{:<8} {:>11} {:>5} {:>9} {:>15} {:>15} {:>9}  last import",
                "month",
                "enterprises",
                "rows",
                "orders",
                "sales_yuan",
                "farm_yuan",
                "parcels"
            );
            for m in months {
                outln!(
                    "{:<8} {:>11} {:>5} {:>9} {:>15} {:>15} {:>9}  {} {}",
                    m.month,
                    m.enterprises,
                    m.rows,
                    m.orders,
                    fen_text(m.sales_fen),
                    fen_text(m.farm_sales_fen),
                    m.parcels,
                    protocol::county_time::second_text(m.last_import.0),
                    m.last_import.1
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The person at the terminal, as the system knows them.
fn login_name() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .map_or_else(|| "cli".to_owned(), |u| format!("cli:{u}"))
}
