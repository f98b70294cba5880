//! Names that arrive from outside: MQTT topics, kiosk ids, ticket numbers,
//! release versions, broker addresses. Each is refused or read, and what is
//! read prints back as the very text it was read from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::release::ReleaseVersion;
use protocol::{BrokerUrl, KioskId, TicketNo, Topic};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(topic) = Topic::parse(text) {
        assert_eq!(topic.to_string(), text, "a topic must print as it was read");
        if let Some(kid) = topic.kiosk() {
            KioskId::new(kid.as_str()).expect("a parsed topic's kiosk id is valid");
        }
    }
    if let Ok(kid) = KioskId::new(text) {
        assert_eq!(kid.as_str(), text);
    }
    if let Ok(v) = text.parse::<ReleaseVersion>() {
        assert_eq!(v.to_string(), text, "one spelling per release version");
    }
    if let Ok(t) = TicketNo::parse(text) {
        assert_eq!(TicketNo::parse(&t.to_string()), Ok(t));
    }
    if let Ok(url) = BrokerUrl::parse(text) {
        let again = BrokerUrl::parse(&url.to_string()).expect("a broker address prints as a valid one");
        assert_eq!(again.to_string(), url.to_string());
    }
});
