//! The county hub: embedded or external MQTT broker, catalog authoring and
//! sync, presence, telemetry ingest, service tickets and reports.
//!
//! `hub` (the binary) is a thin clap layer over this library; the kiosk's
//! `--demo` mode and the end-to-end tests start the same [`server`] in-process.

pub mod blobs;
pub mod broker;
pub mod catalog;
pub mod commands;
pub mod ingest;
pub mod kiosks;
pub mod registry;
pub mod reports;
pub mod server;
pub mod store;
pub mod tickets;
pub mod tls;
