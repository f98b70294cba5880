//! Birth and will: what the kiosk says about itself when it (dis)connects.

use crate::store::outbox::OutboxState;
use protocol::messages::{Birth, Death, Status};
use protocol::{KioskId, Topic, encode};
use rumqttc::{LastWill, QoS};

pub fn birth(
    session: u64,
    boot_id: &str,
    app_version: &str,
    catalog_version: u64,
    outbox: &OutboxState,
    ts: u64,
    reads: &[String],
) -> Status {
    Status::Online(Birth {
        session,
        boot_id: boot_id.to_owned(),
        app_version: app_version.to_owned(),
        catalog_version,
        outbox_depth: outbox.depth,
        lifetime_totals: outbox.totals.clone(),
        ts,
        held_from: Some(outbox.held_from),
        features: reads.to_vec(),
    })
}

/// The will the broker publishes if session `session` ends without a word.
pub fn will(kid: &KioskId, secret: &[u8], session: u64) -> LastWill {
    let topic = Topic::Status(kid.clone());
    let payload = encode(&topic, &Status::Offline(Death { session, reason: None }), secret)
        .expect("a death fits its limit");
    LastWill::new(topic.to_string(), payload, QoS::AtLeastOnce, true)
}
