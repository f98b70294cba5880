//! The kiosk: device runtime (local cache, sync client, outbox, search,
//! peripherals) and its Slint UI. Built under issues #4–#6; until then the
//! end-to-end tests drive the hub with the protocol-level test kiosk in
//! `tests/src/test_kiosk.rs`.
