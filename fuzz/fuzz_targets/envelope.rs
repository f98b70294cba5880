//! The signed envelope every MQTT payload travels in: any bytes are refused
//! or opened, never a panic; what is sealed opens to exactly its body, and
//! only under its own topic and key.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::envelope::{open, seal};

const KEY: &[u8] = b"a kiosk's 32-byte shared secret!";
const TOPIC: &str = "kh/v1/tc-st-001/evt";

fuzz_target!(|data: &[u8]| {
    // As received off the broker.
    let _ = open(KEY, TOPIC, data);

    // As a peer would seal it.
    let sealed = seal(KEY, TOPIC, data);
    if let Ok(body) = open(KEY, TOPIC, &sealed) {
        assert_eq!(body, data, "an envelope opened to a body it was not sealed with");
        assert!(open(KEY, "kh/v1/tc-st-002/evt", &sealed).is_err(), "replayed onto another kiosk's topic");
        assert!(open(b"another key", TOPIC, &sealed).is_err(), "opened with the wrong key");
    }
});
