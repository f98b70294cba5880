//! The county hub: embedded or external MQTT broker, catalog authoring and
//! sync, the kiosk fleet, telemetry ingest, service tickets and reports.
//!
//! `hub` (the binary) is a thin clap layer over this library; the kiosk's
//! `--demo` mode and the end-to-end tests start the same [`server`] in-process.
//!
//! Where things are: `server/` holds the network tasks of `hub serve` and
//! nothing else; the store work they call on lives with its subject
//! (`catalog/`, `fleet/`, `ingest/`, `tickets/`, `reports/`), over the
//! single writer in `store/`.

pub mod backup;
pub mod blobs;
pub mod broker;
pub mod catalog;
pub mod console;
pub mod fleet;
pub mod ingest;
pub mod releases;
pub mod reports;
pub mod sales;
pub mod server;
pub mod staff;
pub mod store;
pub mod tickets;
pub mod training;
