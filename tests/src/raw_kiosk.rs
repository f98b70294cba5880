//! A minimal kiosk on a raw MQTT connection for end-to-end tests: it sends
//! a birth, event batches and `svc/seen`, and collects `svc/ack` ticket
//! updates and `evt/ack` high-water marks.

use protocol::messages::*;
use protocol::{KioskId, Topic, decode, encode};
use rumqttc::{AsyncClient, MqttOptions, QoS};
use std::collections::BTreeMap;
use std::time::Duration;

pub struct RawKiosk {
    pub kid: KioskId,
    secret: Vec<u8>,
    client: AsyncClient,
    acks: tokio::sync::mpsc::UnboundedReceiver<ServiceAck>,
    /// Everything received so far, in order.
    got: Vec<ServiceAck>,
    /// The newest `evt/ack` (`upto`).
    pub acked: tokio::sync::watch::Receiver<u64>,
}

/// Wait for a connection with both subscriptions acknowledged. A
/// connection that drops on the way is subscribed again on the next one: the
/// embedded broker has been seen to close a fresh connection when another
/// client's disconnect races with it, and a subscription sent on the closed
/// one is never acknowledged.
async fn subscribed(client: &AsyncClient, ev: &mut crate::mqtt_pump::Events, kid: &KioskId) {
    use rumqttc::{Event::Incoming, Packet};
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut next = async || match tokio::time::timeout_at(deadline, ev.recv()).await {
        Ok(Some(e)) => e,
        _ => panic!("{kid}: no connection with its subscriptions within 30 s"),
    };
    while !matches!(next().await, Ok(Incoming(Packet::ConnAck(_)))) {}
    'connection: loop {
        for t in [Topic::ServiceAck(kid.clone()), Topic::EventsAck(kid.clone())] {
            client.subscribe(t.to_string(), QoS::AtLeastOnce).await.unwrap();
            loop {
                match next().await {
                    Ok(Incoming(Packet::SubAck(_))) => break,
                    Ok(Incoming(Packet::ConnAck(_))) => continue 'connection,
                    _ => {}
                }
            }
        }
        return;
    }
}

impl RawKiosk {
    pub async fn connect(kid: &str, secret: &[u8], port: u16, session: u64) -> RawKiosk {
        let kid = KioskId::new(kid).unwrap();
        let mut opts = MqttOptions::new(format!("{kid}-s{session}"), "127.0.0.1", port);
        opts.set_credentials(kid.as_str(), protocol::credentials::mqtt_password(secret));
        opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
        let (client, ev) = AsyncClient::new(opts, 64);
        let mut ev = crate::mqtt_pump::pump(ev);
        subscribed(&client, &mut ev, &kid).await;
        let (tx, acks) = tokio::sync::mpsc::unbounded_channel();
        let (acked_tx, acked) = tokio::sync::watch::channel(0);
        let (svc, evt, key) =
            (Topic::ServiceAck(kid.clone()), Topic::EventsAck(kid.clone()), secret.to_vec());
        tokio::spawn(async move {
            while let Some(e) = ev.recv().await {
                let Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) = e else { continue };
                if p.topic == evt.to_string() {
                    let ack = decode::<EventsAck>(&evt, &p.payload, &key).expect("a signed events ack");
                    acked_tx.send_modify(|u| *u = (*u).max(ack.upto));
                } else {
                    let ack = decode::<ServiceAck>(&svc, &p.payload, &key).expect("a signed ticket update");
                    if tx.send(ack).is_err() {
                        return;
                    }
                }
            }
        });
        let k = RawKiosk { kid, secret: secret.to_vec(), client, acks, got: Vec::new(), acked };
        let birth = Status::Online(Birth {
            session,
            boot_id: "b".into(),
            app_version: "test".into(),
            catalog_version: 0,
            outbox_depth: 0,
            lifetime_totals: BTreeMap::new(),
            ts: 0,
            held_from: None,
            features: Vec::new(),
        });
        k.publish(&Topic::Status(k.kid.clone()), &birth).await;
        k
    }

    pub async fn publish<M: protocol::Message>(&self, topic: &Topic, msg: &M) {
        let payload = encode(topic, msg, &self.secret).unwrap();
        self.client.publish(topic.to_string(), QoS::AtLeastOnce, false, payload).await.unwrap();
    }

    /// Wait until the hub has committed every event up to `seq`.
    pub async fn wait_acked(&mut self, seq: u64) {
        let waited =
            tokio::time::timeout(Duration::from_secs(20), self.acked.wait_for(|u| *u >= seq)).await.is_ok();
        assert!(waited, "events up to {seq} not acked (acked {})", *self.acked.borrow());
    }

    /// Updates received within `wait`, latest revision per ticket.
    pub async fn updates(&mut self, wait: Duration) -> BTreeMap<String, ServiceAck> {
        let mut out = BTreeMap::new();
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some(a)) = tokio::time::timeout_at(deadline, self.acks.recv()).await {
            let keep = out.get(&a.request_id).is_none_or(|b: &ServiceAck| b.rev < a.rev);
            if keep {
                out.insert(a.request_id.clone(), a);
            }
        }
        out
    }

    /// Wait for an update of `request_id` with at least revision `rev`.
    pub async fn update_of(&mut self, request_id: &str, rev: u64) -> ServiceAck {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(a) = self.got.iter().find(|a| a.request_id == request_id && a.rev >= rev) {
                return a.clone();
            }
            match tokio::time::timeout_at(deadline, self.acks.recv()).await {
                Ok(Some(a)) => self.got.push(a),
                _ => panic!("no update of {request_id} with rev >= {rev}; got {:?}", self.got),
            }
        }
    }
}
