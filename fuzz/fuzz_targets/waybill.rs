//! What a scanner reads at the parcel desk, classified against the shipped
//! carrier rules: a carrier's waybill, something else, or unreadable;
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use station_formats::waybill::Carriers;
use std::sync::OnceLock;

fuzz_target!(|data: &[u8]| {
    static RULES: OnceLock<Carriers> = OnceLock::new();
    let rules = RULES.get_or_init(Carriers::shipped);
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = rules.classify(text);
});
