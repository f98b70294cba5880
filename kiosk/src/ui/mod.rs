//! The kiosk's Slint UI: the generated components, the controllers they
//! show (plain Rust, tested without a window) and the adapter that is the
//! only code touching Slint types.

pub mod adapter;
pub mod browse;
pub mod qr;
pub mod service_form;
pub mod snapshot;

// Slint's generated code: not ours to lint.
#[allow(clippy::all, clippy::todo)]
mod generated {
    slint::include_modules!();
}
pub use generated::*;
