//! `hub backup` and `hub restore`: the data folder in one file (safe while
//! the hub runs), and back into a new folder on a replacement machine.

use clap::Args;
use hub::backup;
use hub::store::{DataDir, now_ms};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct BackupArgs {
    /// The hub's data folder.
    #[arg(long, default_value = "hub-data")]
    data: PathBuf,
    /// The backup file to write (written whole or not at all).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A file `hub backup` wrote.
    file: PathBuf,
    /// A new, empty data folder to restore into.
    #[arg(long, default_value = "hub-data")]
    data: PathBuf,
}

pub fn run_backup(a: BackupArgs) -> anyhow::Result<ExitCode> {
    let manifest = backup::backup(&DataDir::new(&a.data)?, &a.out, now_ms())?;
    let bytes: u64 = manifest.files.iter().map(|f| f.bytes).sum();
    outln!(
        "{} files ({:.1} MiB before compression) written to {}",
        manifest.files.len(),
        bytes as f64 / 1_048_576.0,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn run_restore(a: RestoreArgs) -> anyhow::Result<ExitCode> {
    let manifest = backup::restore(&a.file, &a.data)?;
    outln!(
        "restored {} files taken at {} into {}; start the hub with --data {}",
        manifest.files.len(),
        protocol::county_time::second_text(manifest.taken_at),
        a.data.display(),
        a.data.display()
    );
    Ok(ExitCode::SUCCESS)
}
