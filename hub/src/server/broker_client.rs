//! The hub's own MQTT client (`kh-hub`) and the signed publishes it makes.

use crate::broker::BrokerAddr;
use crate::store::now_ms;
use protocol::messages::HubState;
use protocol::{Message, Topic, encode};
use rumqttc::{AsyncClient, EventLoop, LastWill, MqttOptions, QoS, Transport};
use std::time::Duration;

pub(crate) struct BrokerClient {
    pub client: AsyncClient,
    hub_key: Vec<u8>,
}

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
        (BrokerClient { client, hub_key }, eventloop)
    }

    /// Sign and publish `msg` on `topic` with `key` (QoS 1).
    pub async fn send<M: Message>(&self, topic: &Topic, msg: &M, key: &[u8], retain: bool) {
        match encode(topic, msg, key) {
            Ok(payload) => {
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
        if let Err(e) =
            self.client.publish(Topic::HubState.to_string(), QoS::AtLeastOnce, true, payload).await
        {
            tracing::warn!(error = %e, "cannot publish hub state");
        }
    }
}

fn hub_state_payload(key: &[u8], online: bool) -> Vec<u8> {
    let msg = HubState { online, ts: now_ms().max(0) as u64, hub_id: HUB_ID.into() };
    encode(&Topic::HubState, &msg, key).expect("hub state fits its limit")
}
