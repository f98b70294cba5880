//! End-to-end test support: real hub processes, a real external broker,
//! and a protocol-level kiosk. The tests themselves are in `tests/tests/`.

pub mod harness;
pub mod test_kiosk;
