//! The embedded broker's door. rumqttd checks logins but has no topic ACL,
//! so one kiosk's credentials could publish a retained `kh/v1/_hub/state`
//! or clear another kiosk's catalog pointer. Every connection from the
//! network (plain, and TLS once decrypted) passes through here: packets
//! from the client are framed and checked against [`crate::fleet::acl`]
//! (the same rules as the Mosquitto ACL file), then relayed to rumqttd on
//! loopback; what the broker sends back is relayed untouched.
//!
//! A refused PUBLISH, SUBSCRIBE or will ends the connection (a kiosk
//! running our software never sends one), and the refusal is reported
//! under the login that sent it, not the kiosk whose topic it named.

use crate::fleet::acl::{Client, Grants};
use bytes::BytesMut;
use rumqttc::mqttbytes::{self, v4::Packet};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A packet the gate did not let through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The login that sent it.
    pub user: String,
    /// The topic or filter it named.
    pub topic: String,
    /// "publish not allowed", "subscribe not allowed", "will not allowed".
    pub reason: &'static str,
}

/// Told of every refusal (the hub counts them in its rejects table).
pub type RefusalSink = Arc<dyn Fn(Refusal) + Send + Sync>;

pub struct Gate {
    /// rumqttd's own listener, on loopback.
    broker: SocketAddr,
    refused: RefusalSink,
}

/// What the gate makes of one packet from the client.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Pass,
    Refuse(Refusal),
    /// Not MQTT 3.1.1 as a client speaks it: the connection ends.
    Drop(String),
}

impl Gate {
    pub fn new(broker: SocketAddr, refused: RefusalSink) -> Arc<Gate> {
        Arc::new(Gate { broker, refused })
    }

    /// Accept plain MQTT on `listener`, each connection through the gate.
    pub fn serve_plain(self: &Arc<Self>, listener: TcpListener) {
        let gate = self.clone();
        tokio::spawn(async move {
            loop {
                match listener.accept().await {
                    Ok((stream, peer)) => {
                        let _ = stream.set_nodelay(true);
                        let gate = gate.clone();
                        tokio::spawn(async move { gate.relay(stream, peer).await });
                    }
                    Err(e) => {
                        // Out of file descriptors, typically: pause rather than spin.
                        tracing::warn!(error = %e, "broker listener: accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                }
            }
        });
    }

    /// Relay one client connection to the broker, checking what it sends.
    pub async fn relay<S: AsyncRead + AsyncWrite + Unpin>(&self, client: S, peer: SocketAddr) {
        let upstream = match TcpStream::connect(self.broker).await {
            Ok(s) => s,
            Err(e) => {
                return tracing::error!(%peer, broker = %self.broker, error = %e, "cannot reach the broker");
            }
        };
        let _ = upstream.set_nodelay(true);
        let (mut from_client, mut to_client) = tokio::io::split(client);
        let (mut from_broker, mut to_broker) = upstream.into_split();
        let down = tokio::io::copy(&mut from_broker, &mut to_client);
        let up = self.check_and_forward(&mut from_client, &mut to_broker, peer);
        // Either side ending ends both.
        tokio::select! {
            _ = down => {}
            _ = up => {}
        }
    }

    async fn check_and_forward<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
        &self,
        from_client: &mut R,
        to_broker: &mut W,
        peer: SocketAddr,
    ) {
        let mut buf = BytesMut::with_capacity(4096);
        // What passed from one read, written to the broker in one go (one
        // write per packet cost a quarter of the one-event-batch rate).
        let mut passed = BytesMut::with_capacity(4096);
        let mut login: Option<Login> = None;
        loop {
            loop {
                let frame = match mqttbytes::check(buf.iter(), protocol::limits::MAX_PACKET) {
                    Ok(header) => buf.split_to(header.frame_length()),
                    Err(mqttbytes::Error::InsufficientBytes(_)) => break,
                    Err(e) => return tracing::info!(%peer, error = %e, "broker: not MQTT; connection closed"),
                };
                match inspect(&frame, &mut login) {
                    Verdict::Pass => passed.extend_from_slice(&frame),
                    Verdict::Refuse(r) => {
                        tracing::warn!(%peer, user = %r.user, topic = %r.topic, reason = r.reason, "broker: refused; connection closed");
                        (self.refused)(r);
                        // What came before it still goes, in order.
                        let _ = to_broker.write_all(&passed).await;
                        return;
                    }
                    Verdict::Drop(why) => {
                        tracing::info!(%peer, why, "broker: connection closed");
                        let _ = to_broker.write_all(&passed).await;
                        return;
                    }
                }
            }
            if !passed.is_empty() {
                if to_broker.write_all(&passed).await.is_err() {
                    return;
                }
                passed.clear();
            }
            match from_client.read_buf(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    }
}

/// A connection's login and what it may do, from its CONNECT.
type Login = (Client, Grants);

/// Check one whole packet from the client; `login` is set by its CONNECT.
fn inspect(frame: &[u8], login: &mut Option<Login>) -> Verdict {
    const CONNECT: u8 = 1;
    const PUBLISH: u8 = 3;
    const SUBSCRIBE: u8 = 8;
    let kind = frame[0] >> 4;
    if !matches!(kind, CONNECT | PUBLISH | SUBSCRIBE) {
        // Acks, pings, unsubscribe, disconnect: nothing to authorise. Before
        // a CONNECT the broker refuses them itself.
        return Verdict::Pass;
    }
    let refuse = |who: &Client, topic: &str, reason| {
        Verdict::Refuse(Refusal {
            user: who.name().to_owned(),
            topic: topic.chars().take(200).collect(),
            reason,
        })
    };
    if kind == CONNECT {
        if login.is_some() {
            return Verdict::Drop("a second CONNECT".into());
        }
        let c = match Packet::read(&mut BytesMut::from(frame), protocol::limits::MAX_PACKET) {
            Ok(Packet::Connect(c)) => c,
            other => return Verdict::Drop(format!("malformed CONNECT: {other:?}")),
        };
        let who = Client::from_user(c.login.as_ref().map_or("", |l| l.username.as_str()));
        let grants = who.grants();
        if let Some(will) = &c.last_will
            && !grants.may_publish(&will.topic)
        {
            return refuse(&who, &will.topic, "will not allowed");
        }
        *login = Some((who, grants));
        return Verdict::Pass;
    }
    let Some((who, grants)) = login.as_ref() else {
        return Verdict::Drop("a packet before CONNECT".into());
    };
    if kind == PUBLISH {
        // The hot path (every event batch): read the topic in place rather
        // than copy the payload into a parsed packet.
        return match publish_topic(frame) {
            None => Verdict::Drop("a PUBLISH without a readable topic".into()),
            Some(topic) if !grants.may_publish(topic) => refuse(who, topic, "publish not allowed"),
            Some(_) => Verdict::Pass,
        };
    }
    match Packet::read(&mut BytesMut::from(frame), protocol::limits::MAX_PACKET) {
        Ok(Packet::Subscribe(s)) => match s.filters.iter().find(|f| !grants.may_subscribe(&f.path)) {
            Some(f) => refuse(who, &f.path, "subscribe not allowed"),
            None => Verdict::Pass,
        },
        other => Verdict::Drop(format!("malformed SUBSCRIBE: {other:?}")),
    }
}

/// The topic of a whole PUBLISH frame: after the fixed header (one byte
/// and a remaining length of one to four bytes), a two-byte length and the
/// name in UTF-8.
fn publish_topic(frame: &[u8]) -> Option<&str> {
    let length_bytes = frame.iter().skip(1).take(4).position(|b| b & 0x80 == 0)? + 1;
    let start = 1 + length_bytes;
    let len = u16::from_be_bytes([*frame.get(start)?, *frame.get(start + 1)?]) as usize;
    std::str::from_utf8(frame.get(start + 2..start + 2 + len)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rumqttc::mqttbytes::QoS;
    use rumqttc::mqttbytes::v4::{Connect, LastWill, Login, Publish, Subscribe};

    fn bytes(p: Packet) -> Vec<u8> {
        let mut b = BytesMut::new();
        p.write(&mut b, 8 << 20).unwrap();
        b.to_vec()
    }

    fn connect(user: &str, will: Option<&str>) -> Vec<u8> {
        let mut c = Connect::new(user);
        c.login = Some(Login::new(user, "pw"));
        c.last_will = will.map(|t| LastWill::new(t, "gone", QoS::AtLeastOnce, true));
        bytes(Packet::Connect(c))
    }

    fn publish_of(topic: &str, payload: usize) -> Vec<u8> {
        let mut p = Publish::new(topic, QoS::AtLeastOnce, vec![7u8; payload]);
        p.pkid = 1;
        bytes(Packet::Publish(p))
    }

    fn publish(topic: &str) -> Vec<u8> {
        publish_of(topic, 1)
    }

    fn subscribe(filter: &str) -> Vec<u8> {
        let mut s = Subscribe::new(filter, QoS::AtLeastOnce);
        s.pkid = 1;
        bytes(Packet::Subscribe(s))
    }

    fn refused(v: Verdict) -> (String, String, &'static str) {
        match v {
            Verdict::Refuse(r) => (r.user, r.topic, r.reason),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn a_kiosk_is_held_to_its_own_topics() {
        let mut who = None;
        assert_eq!(inspect(&connect("station-a", None), &mut who), Verdict::Pass);
        assert_eq!(inspect(&publish("kh/v1/station-a/evt"), &mut who), Verdict::Pass);
        assert_eq!(inspect(&subscribe("kh/v1/station-a/cmd/+"), &mut who), Verdict::Pass);
        assert_eq!(
            refused(inspect(&publish("kh/v1/_hub/state"), &mut who)),
            ("station-a".into(), "kh/v1/_hub/state".into(), "publish not allowed"),
            "the sender is named, not the topic's kiosk"
        );
        assert_eq!(refused(inspect(&publish("kh/v1/station-b/catalog/desired"), &mut who)).0, "station-a");
        assert_eq!(refused(inspect(&subscribe("kh/v1/station-b/#"), &mut who)).2, "subscribe not allowed");
    }

    #[test]
    fn a_will_on_anothers_topic_refuses_the_connect() {
        let mut who = None;
        let r = refused(inspect(&connect("station-a", Some("kh/v1/_hub/state")), &mut who));
        assert_eq!(r, ("station-a".into(), "kh/v1/_hub/state".into(), "will not allowed"));
        assert_eq!(who, None);
        assert_eq!(inspect(&connect("station-a", Some("kh/v1/station-a/status")), &mut who), Verdict::Pass);
    }

    #[test]
    fn a_publish_topic_is_read_in_place_whatever_its_length() {
        for payload in [0usize, 100, 20_000, 3_000_000] {
            let frame = publish_of("kh/v1/station-a/evt", payload);
            assert_eq!(publish_topic(&frame), Some("kh/v1/station-a/evt"), "{payload}");
        }
        assert_eq!(publish_topic(&[0x30]), None);
        assert_eq!(publish_topic(&[0x30, 0x04, 0x00, 0x05, b'a']), None);
    }

    #[test]
    fn out_of_order_packets_end_the_connection() {
        let mut who = None;
        assert!(matches!(inspect(&publish("kh/v1/station-a/evt"), &mut who), Verdict::Drop(_)));
        assert_eq!(inspect(&connect("station-a", None), &mut who), Verdict::Pass);
        assert!(matches!(inspect(&connect("kh-hub", None), &mut who), Verdict::Drop(_)), "no second login");
        // A PUBLISH whose topic length runs past the packet.
        assert!(matches!(inspect(&[0x32, 0x03, 0x00, 0x09, b'k'], &mut who), Verdict::Drop(_)));
    }
}
