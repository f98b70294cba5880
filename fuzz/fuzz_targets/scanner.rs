//! A serial barcode scanner's byte stream, cut and timed by the fuzzer:
//! every scan is non-empty text within the size limit, and noise is a
//! fault, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use station_formats::scanner::{Framer, MAX_SCAN, decode};
use std::time::{Duration, Instant};
use tongcheng_fuzz::chunks;

fuzz_target!(|data: &[u8]| {
    let _ = decode(data);
    let mut framer = Framer::new();
    let mut now = Instant::now();
    let mut scans = Vec::new();
    for (pause_ms, bytes) in chunks(data) {
        now += Duration::from_millis(pause_ms);
        scans.extend(framer.tick(now));
        scans.extend(framer.push(bytes, now));
    }
    scans.extend(framer.tick(now + Duration::from_secs(1)));
    for scan in scans.into_iter().flatten() {
        assert!(!scan.text.is_empty(), "an empty scan");
        assert!(scan.text.len() <= MAX_SCAN * 3, "a scan longer than any frame");
        assert!(
            !scan.text.chars().any(|c| c.is_control() && c != '\u{1d}'),
            "a control character kept: {scan:?}"
        );
    }
});
