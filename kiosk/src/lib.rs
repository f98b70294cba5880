//! The kiosk: device runtime (local cache, sync client, outbox, search,
//! presence) and, under issues #5–#6, its Slint UI and peripherals.
//!
//! The runtime is a library with no display: [`runtime::Runtime`] starts the
//! backend (MQTT, sync, flusher) on its own thread and hands the UI (or a
//! simulator, or a test) a handle to record interactions, take service
//! requests, search and watch the catalog.

pub mod app;
pub mod blobs;
pub mod demo;
pub mod mqtt;
pub mod parcel_desk;
pub mod peripherals;
pub mod runtime;
pub mod sample;
pub mod search;
pub mod store;
pub mod sync;
pub mod tour;
pub mod ui;
#[cfg(unix)]
pub mod watchdog;
