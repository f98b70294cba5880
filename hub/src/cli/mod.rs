//! One module per `hub` subcommand.

#[macro_use]
pub mod output;
pub mod backup;
pub mod catalog;
pub mod data;
pub mod fleet;
pub mod kiosks;
pub mod release;
pub mod report;
pub mod serve;
pub mod staff;
pub mod tickets;
pub mod training;

/// Logs go to stderr; `RUST_LOG` overrides the default `info` (the embedded
/// broker's own logs are off unless asked for: `RUST_LOG=info,rumqttd=info`).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rumqttd=off"));
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // A log that cannot be written (its disk is full) must not stop the
        // program: by default a failed write is reported with `eprintln!`,
        // which panics the task that logged.
        .log_internal_errors(false)
        .try_init();
}
