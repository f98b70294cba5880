//! Every message body, sealed correctly so the fuzzer reaches the body's
//! parser behind the signature check: refused with an error or accepted,
//! and what is accepted encodes and decodes again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::messages::*;
use protocol::{Message, Topic, decode, encode, envelope};

const KEY: &[u8] = b"a kiosk's 32-byte shared secret!";

fn check<M: Message>(topic: &str, body: &[u8]) {
    let topic = Topic::parse(topic).expect("the target's topics are valid");
    let payload = envelope::seal(KEY, &topic.to_string(), body);
    let Ok(msg) = decode::<M>(&topic, &payload, KEY) else { return };
    // What one side accepted, the other can send back (a hub re-publishing
    // a retained state, a kiosk echoing a command id).
    if let Ok(again) = encode(&topic, &msg, KEY) {
        decode::<M>(&topic, &again, KEY).expect("a re-encoded message decodes");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, body)) = data.split_first() else { return };
    let k = "kh/v1/tc-st-001";
    match which % 19 {
        0 => check::<HubState>("kh/v1/_hub/state", body),
        1 => check::<Status>(&format!("{k}/status"), body),
        2 => check::<EventBatch>(&format!("{k}/evt"), body),
        3 => check::<EventsAck>(&format!("{k}/evt/ack"), body),
        4 => check::<CatalogPointer>(&format!("{k}/catalog/desired"), body),
        5 => check::<CatalogGet>(&format!("{k}/catalog/get"), body),
        6 => check::<CatalogDoc>(&format!("{k}/catalog/doc"), body),
        7 => check::<CatalogReported>(&format!("{k}/catalog/reported"), body),
        8 => check::<BlobGet>(&format!("{k}/blob/get"), body),
        9 => check::<ReleasePointer>(&format!("{k}/release/desired"), body),
        10 => check::<ReleaseReported>(&format!("{k}/release/reported"), body),
        11 => check::<ServiceAck>(&format!("{k}/svc/ack"), body),
        12 => check::<ServiceSeen>(&format!("{k}/svc/seen"), body),
        13 => check::<SignupState>(&format!("{k}/signup/state"), body),
        14 => check::<SignupSeen>(&format!("{k}/signup/seen"), body),
        15 => check::<Command>(&format!("{k}/cmd/screenshot"), body),
        16 => check::<CommandResult>(&format!("{k}/cmd/res"), body),
        17 => check::<LiveMinute>("kh/v1/_dc/live", body),
        _ => {
            check::<SeatsLeft>("kh/v1/_dc/live", body);
            check::<protocol::screen::ScreenFigures>("kh/v1/_dc/screen", body);
        }
    }
});
