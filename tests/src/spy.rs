//! A spy on the broker: what the hub sends one kiosk for its catalog (the
//! documents, every chunk) and what the kiosk asks for, decoded with the
//! kiosk's secret. Tests observe a real kiosk runtime through it. It logs
//! in as the hub's user: a kiosk's own login may not read what the kiosk
//! sends (the broker's ACL).

use protocol::messages::{BlobGet, CatalogDoc};
use protocol::{KioskId, Topic, decode};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, QoS};
use std::sync::{Arc, Mutex};

#[derive(Default, Debug, Clone)]
pub struct Seen {
    pub gets: Vec<BlobGet>,
    pub docs: Vec<CatalogDoc>,
    /// Every chunk: (sha256, offset, length).
    pub chunks: Vec<(String, u64, usize)>,
}

impl Seen {
    pub fn chunk_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| c.2 as u64).sum()
    }
}

pub struct Spy {
    pub seen: Arc<Mutex<Seen>>,
    _client: AsyncClient,
}

impl Spy {
    /// Connect and subscribe (again after every reconnect: a broker may forget).
    pub async fn start(port: u16, kid: &KioskId, secret: &[u8], hub_key: &[u8]) -> Spy {
        let mut opts = MqttOptions::new(format!("spy-{kid}"), "127.0.0.1", port);
        opts.set_credentials(protocol::credentials::HUB_USER, protocol::credentials::mqtt_password(hub_key));
        opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
        let (client, ev) = AsyncClient::new(opts, 64);
        let mut ev = crate::mqtt_pump::pump(ev);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (s, c, secret) = (seen.clone(), client.clone(), secret.to_vec());
        let (get, doc) = (Topic::BlobGet(kid.clone()), Topic::CatalogDoc(kid.clone()));
        let chunks = format!("kh/v1/{kid}/blob/+/+");
        let (subscribed_tx, subscribed_rx) = tokio::sync::oneshot::channel();
        let mut subscribed_tx = Some(subscribed_tx);
        tokio::spawn(async move {
            while let Some(e) = ev.recv().await {
                match e {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        for t in [get.to_string(), doc.to_string(), chunks.clone()] {
                            let _ = c.subscribe(t, QoS::AtLeastOnce).await;
                        }
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        if let Some(tx) = subscribed_tx.take() {
                            let _ = tx.send(());
                        }
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        let Ok(topic) = Topic::parse(&p.topic) else { continue };
                        let mut s = s.lock().unwrap();
                        match topic {
                            Topic::BlobGet(_) => {
                                s.gets.extend(decode::<BlobGet>(&topic, &p.payload, &secret))
                            }
                            Topic::CatalogDoc(_) => {
                                s.docs.extend(decode::<CatalogDoc>(&topic, &p.payload, &secret))
                            }
                            Topic::BlobChunk { sha256, offset, .. } => {
                                s.chunks.push((sha256, offset, p.payload.len()))
                            }
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
        });
        let _ = tokio::time::timeout(std::time::Duration::from_secs(10), subscribed_rx).await;
        Spy { seen, _client: client }
    }

    pub fn snapshot(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }
}
