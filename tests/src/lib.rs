//! End-to-end test support: real hub processes, a real external broker,
//! and a protocol-level kiosk. The tests themselves are in `tests/tests/`.

pub mod event_sender;
pub mod figures;
pub mod fleet;
pub mod harness;
pub mod link;
pub mod logins;
/// The kiosk's own event-loop pump, used by every test client.
pub use kiosk::runtime::mqtt_pump;
pub mod raw_kiosk;
pub mod soak;
pub mod spy;
pub mod supervisor;
pub mod tools;
pub mod village_link;
pub mod wall;
