//! The carrier rules file (`carriers.toml`) as staff edit it: refused with a
//! message or read, and rules that were read classify anything.
#![no_main]

use libfuzzer_sys::fuzz_target;
use station_formats::waybill::Carriers;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(rules) = Carriers::parse(text) else { return };
    let _ = rules.names();
    for sample in ["SF1234567890123", "YT1234567890123", "73123456789012", "", "桐城"] {
        let _ = rules.classify(sample);
    }
});
