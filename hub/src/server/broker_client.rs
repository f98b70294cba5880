//! The hub's own MQTT client (`kh-hub`) and the signed publishes it makes.

use crate::broker::BrokerAddr;
use crate::store::now_ms;
use protocol::messages::HubState;
use protocol::{Message, Topic, encode};
use rumqttc::{AsyncClient, EventLoop, LastWill, MqttOptions, QoS, Transport};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

pub(crate) struct BrokerClient {
    pub client: AsyncClient,
    hub_key: Vec<u8>,
    /// The payload last published with retain on each topic: what the
    /// broker must hold there. Anything else seen on one of these topics
    /// (another client's retained message, an empty one that clears it) is
    /// replaced by this again.
    retained: Mutex<HashMap<String, Vec<u8>>>,
}

/// The hub's retained topics, as the filters it watches them with.
pub const RETAINED_FILTERS: [&str; 4] =
    ["kh/v1/_hub/state", "kh/v1/+/catalog/desired", "kh/v1/+/release/desired", "kh/v1/_dc/+"];

pub const HUB_ID: &str = protocol::credentials::HUB_USER;

impl BrokerClient {
    /// `transport`: TLS for an `mqtts://` broker; plain TCP without it.
    pub fn new(
        broker: &BrokerAddr,
        hub_key: Vec<u8>,
        transport: Option<Transport>,
    ) -> (BrokerClient, EventLoop) {
        let mut opts = MqttOptions::new(HUB_ID, &broker.host, broker.port);
        if let Some(t) = transport {
            opts.set_transport(t);
        }
        opts.set_keep_alive(Duration::from_secs(10));
        opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
        opts.set_clean_session(true);
        opts.set_inflight(1000);
        opts.set_request_channel_capacity(4096);
        opts.set_credentials(protocol::credentials::HUB_USER, protocol::credentials::mqtt_password(&hub_key));
        let will = hub_state_payload(&hub_key, false);
        opts.set_last_will(LastWill::new(Topic::HubState.to_string(), will, QoS::AtLeastOnce, true));
        let (client, mut eventloop) = AsyncClient::new(opts, 4096);
        // Acks and pointers are small: Nagle's algorithm would hold each
        // back until the previous segment is acknowledged.
        let mut net = rumqttc::NetworkOptions::new();
        net.set_tcp_nodelay(true);
        eventloop.set_network_options(net);
        (BrokerClient { client, hub_key, retained: Mutex::default() }, eventloop)
    }

    /// Sign and publish `msg` on `topic` with `key` (QoS 1).
    pub async fn send<M: Message>(&self, topic: &Topic, msg: &M, key: &[u8], retain: bool) {
        match encode(topic, msg, key) {
            Ok(payload) => {
                if retain {
                    self.remember(topic.to_string(), &payload);
                }
                if let Err(e) =
                    self.client.publish(topic.to_string(), QoS::AtLeastOnce, retain, payload).await
                {
                    tracing::warn!(%topic, error = %e, "publish failed");
                }
            }
            Err(e) => tracing::error!(%topic, error = %e, "cannot encode message"),
        }
    }

    /// Publish a hub-wide message (`_hub`, `_dc`), signed with the hub key.
    pub async fn send_hub<M: Message>(&self, topic: &Topic, msg: &M, retain: bool) {
        self.send(topic, msg, &self.hub_key, retain).await;
    }

    pub async fn raw(&self, topic: &Topic, bytes: Vec<u8>) {
        if let Err(e) = self.client.publish(topic.to_string(), QoS::AtLeastOnce, false, bytes).await {
            tracing::warn!(%topic, error = %e, "publish failed");
        }
    }

    pub async fn hub_state(&self, online: bool) {
        let payload = hub_state_payload(&self.hub_key, online);
        self.remember(Topic::HubState.to_string(), &payload);
        if let Err(e) =
            self.client.publish(Topic::HubState.to_string(), QoS::AtLeastOnce, true, payload).await
        {
            tracing::warn!(error = %e, "cannot publish hub state");
        }
    }
}

impl BrokerClient {
    fn remember(&self, topic: String, payload: &[u8]) {
        self.retained.lock().expect("retained lock").insert(topic, payload.to_vec());
    }

    /// Whether `topic` is one of the hub's own retained topics (messages
    /// there are the hub's echo or someone else's tampering, never a
    /// kiosk's message for the hub).
    pub fn is_retained_topic(topic: &str) -> bool {
        RETAINED_FILTERS.iter().any(|f| crate::fleet::acl::matches(f, topic))
    }

    /// A message seen on one of the hub's retained topics: if it is not what
    /// the hub last put there, put that back. Returns whether it did.
    pub fn restore_if_changed(&self, topic: &str, payload: &[u8]) -> bool {
        let ours = match self.retained.lock().expect("retained lock").get(topic) {
            Some(ours) if ours.as_slice() != payload => ours.clone(),
            _ => return false,
        };
        tracing::warn!(%topic, bytes = payload.len(), "a retained message of the hub was changed by another client; restoring it");
        // try_publish: called from the loop that drives the client.
        if let Err(e) = self.client.try_publish(topic, QoS::AtLeastOnce, true, ours) {
            tracing::warn!(%topic, error = %e, "cannot restore a retained message");
        }
        true
    }
}

fn hub_state_payload(key: &[u8], online: bool) -> Vec<u8> {
    let msg = HubState {
        online,
        ts: now_ms().max(0) as u64,
        hub_id: HUB_ID.into(),
        features: vec![HubState::RELEASES.into(), HubState::TRAINING.into()],
    };
    encode(&Topic::HubState, &msg, key).expect("hub state fits its limit")
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::KioskId;

    #[test]
    fn the_retained_filters_are_the_hubs_retained_topics_and_no_kiosks() {
        let kid = KioskId::new("station-a").unwrap();
        for t in [Topic::HubState, Topic::CatalogDesired(kid.clone()), Topic::DataCentre("minute".into())] {
            assert!(BrokerClient::is_retained_topic(&t.to_string()), "{t}");
        }
        for t in Topic::kiosk_publishes(&kid) {
            assert!(!BrokerClient::is_retained_topic(&t), "{t} is the kiosks', for the dispatcher");
        }
    }
}
