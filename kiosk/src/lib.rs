//! The kiosk: device runtime (local cache, catalog sync, outbox, search,
//! presence), its Slint UI, and the serial peripherals of a village station.
//!
//! The runtime is a library with no display: [`runtime::Runtime`] starts the
//! backend (MQTT, sync, flusher) on its own thread and hands the UI (or a
//! simulator, or a test) a handle to record interactions, take service
//! requests, search and watch the catalog. [`window_feed`] carries it onto
//! the window. With the `demo` feature (the desktop build), [`demo`] runs a
//! hub in-process for `kiosk --demo` and `kiosk snapshot`; the appliance
//! build has neither and never links the hub.

pub mod blobs;
pub mod catalog_sync;
pub mod cli;
pub mod controllers;
#[cfg(feature = "demo")]
pub mod demo;
pub mod peripherals;
pub mod runtime;
pub mod search;
pub mod store;
pub mod ui;
pub mod update;
#[cfg(unix)]
pub mod watchdog;
pub mod window_feed;
