//! The broker the hub talks through: rumqttd embedded in the hub process, or
//! an external one (Mosquitto, EMQX) named by URL. Either way the hub itself
//! connects as an ordinary MQTT client, so both paths run the same code.

pub mod gate;
mod tls_listener;

pub use gate::{Gate, Refusal, RefusalSink};
pub use tls_listener::start_tls_listener;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

/// Decides a CONNECT's user name and password (never the client id: a
/// kiosk is who its credentials say).
pub type Authenticator = Arc<dyn Fn(&str, &str) -> bool + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error(
        "port {port} on {ip} is already taken (another broker or hub?); choose a free one with --listen {ip}:<port>, or use that broker with --broker mqtt://127.0.0.1:{port}"
    )]
    PortTaken { ip: std::net::IpAddr, port: u16 },
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error("broker URL {0:?} must look like mqtt://host:1883 or mqtts://host:8883")]
    BadUrl(String),
}

/// A failed bind, with the fix for the common case (the port is taken).
fn bind_error(addr: SocketAddr, source: std::io::Error) -> BrokerError {
    match source.kind() {
        std::io::ErrorKind::AddrInUse => BrokerError::PortTaken { ip: addr.ip(), port: addr.port() },
        _ => BrokerError::Listen { addr, source },
    }
}

/// Where the hub's MQTT client connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerAddr {
    pub host: String,
    pub port: u16,
    /// `mqtts://`: the broker's certificate must chain to the county CA.
    pub tls: bool,
}

impl BrokerAddr {
    /// Parse `mqtt://host:port` or `mqtts://host:port` (ports default to
    /// 1883 and 8883).
    pub fn parse(url: &str) -> Result<Self, BrokerError> {
        let u = protocol::BrokerUrl::parse(url).map_err(|_| BrokerError::BadUrl(url.to_owned()))?;
        Ok(Self { host: u.host, port: u.port, tls: u.tls })
    }
}

/// A running embedded broker. rumqttd has no shutdown: it lives as long as
/// the process (stopping the hub process stops it).
pub struct EmbeddedBroker {
    /// Where clients from the network connect: the gate.
    pub addr: SocketAddr,
    /// rumqttd itself, on loopback, behind the gate.
    inner: SocketAddr,
    /// The door every connection from the network goes through.
    pub gate: std::sync::Arc<Gate>,
}

impl EmbeddedBroker {
    /// Where the hub's own client connects: straight to rumqttd, on
    /// loopback (the hub may publish and read everything anyway).
    pub fn client_addr(&self) -> BrokerAddr {
        BrokerAddr { host: self.inner.ip().to_string(), port: self.inner.port(), tls: false }
    }
}

/// rumqttd keeps every message in a log per subscription filter until the
/// log's segments are full, whether delivered or not, so the segments are
/// the broker's memory. A log drops its oldest segment whole when it needs
/// another, and what a subscriber had not been handed yet is lost with it
/// (QoS 1 or not): a log must hold the largest burst its filter takes, and
/// many small segments hold it for the least memory. A kiosk's filters
/// (acks, pointers, ticket updates) hold 1 MiB in 64 KiB segments; its blob
/// filter a window of chunks (1 MiB) and more; the hub's own filters carry
/// every kiosk's traffic and keep the large log the ingest rate needs. With
/// 16 MiB × 4 everywhere, 200 kiosks grew the hub by 500 MB over a
/// simulated month (docs/reliability.md, "Long runs").
const KIOSK_SEGMENT: rumqttd::SegmentConfig =
    rumqttd::SegmentConfig { max_segment_size: 64 * 1024, max_segment_count: 16 };
const BLOB_SEGMENT: rumqttd::SegmentConfig =
    rumqttd::SegmentConfig { max_segment_size: 128 * 1024, max_segment_count: 12 };
const HUB_SEGMENT: rumqttd::SegmentConfig =
    rumqttd::SegmentConfig { max_segment_size: 16 * 1024 * 1024, max_segment_count: 4 };

/// The filters whose segments differ from a kiosk filter's.
fn segments() -> HashMap<String, rumqttd::SegmentConfig> {
    let mut m: HashMap<String, rumqttd::SegmentConfig> =
        protocol::Topic::hub_filters().into_iter().map(|f| (f, HUB_SEGMENT)).collect();
    m.insert(format!("{}/+/blob/+/+", protocol::topic::PREFIX), BLOB_SEGMENT);
    m
}

/// Start the embedded broker: rumqttd on a free loopback port, admitting
/// only whom `auth` accepts, behind the gate listening on `listen` (port 0
/// picks a free port), which holds every client to the fleet's ACL and
/// tells `refused` of each refusal. rumqttd binds from its own thread a
/// moment later; clients retry until it accepts.
pub async fn start_embedded(
    listen: SocketAddr,
    auth: Authenticator,
    refused: RefusalSink,
) -> Result<EmbeddedBroker, BrokerError> {
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|source| bind_error(listen, source))?;
    let public = listener.local_addr().map_err(|source| BrokerError::Listen { addr: listen, source })?;
    // rumqttd only logs a failed bind from its own thread; take a free port
    // here so a failure is an error here.
    let loopback = SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
    let probe = TcpListener::bind(loopback).map_err(|source| bind_error(loopback, source))?;
    let addr = probe.local_addr().map_err(|source| BrokerError::Listen { addr: loopback, source })?;
    drop(probe);

    let mut connections = rumqttd::ConnectionSettings {
        connection_timeout_ms: 10_000,
        max_payload_size: protocol::limits::MAX_PACKET,
        max_inflight_count: 1000,
        auth: None,
        external_auth: None,
        dynamic_filters: true,
    };
    connections.set_auth_handler(move |client_id: String, user: String, password: String| {
        let ok = auth(&user, &password);
        if !ok {
            tracing::warn!(%client_id, %user, "broker refused a connection: unknown user or wrong password");
        }
        std::future::ready(ok)
    });
    let server = rumqttd::ServerSettings {
        name: "v4".into(),
        listen: addr,
        tls: None,
        next_connection_delay_ms: 1,
        connections,
    };
    let config = rumqttd::Config {
        id: 0,
        router: rumqttd::RouterConfig {
            max_connections: 20_000,
            max_outgoing_packet_count: 2000,
            max_segment_size: KIOSK_SEGMENT.max_segment_size,
            max_segment_count: KIOSK_SEGMENT.max_segment_count,
            custom_segment: Some(segments()),
            ..Default::default()
        },
        v4: Some(HashMap::from([("1".to_owned(), server)])),
        ..Default::default()
    };
    std::thread::Builder::new()
        .name("broker".into())
        .spawn(move || {
            let mut broker = rumqttd::Broker::new(config);
            if let Err(e) = broker.start() {
                tracing::error!(error = %e, "embedded broker stopped");
            }
        })
        .expect("spawning a thread");

    let gate = Gate::new(addr, refused);
    gate.serve_plain(listener);
    tracing::info!(addr = %public, rumqttd = %addr, "embedded broker listening (rumqttd behind the gate)");
    Ok(EmbeddedBroker { addr: public, inner: addr, gate })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls() {
        assert_eq!(
            BrokerAddr::parse("mqtt://10.0.0.5:1884").unwrap(),
            BrokerAddr { host: "10.0.0.5".into(), port: 1884, tls: false }
        );
        assert_eq!(BrokerAddr::parse("mqtt://broker").unwrap().port, 1883);
        assert_eq!(
            BrokerAddr::parse("mqtts://hub.local").unwrap(),
            BrokerAddr { host: "hub.local".into(), port: 8883, tls: true }
        );
        assert!(BrokerAddr::parse("http://x:1").is_err());
        assert!(BrokerAddr::parse("mqtt://:1").is_err());
    }

    #[tokio::test]
    async fn a_taken_port_names_the_port_and_the_flag() {
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let started =
            start_embedded(busy.local_addr().unwrap(), Arc::new(|_: &str, _: &str| true), Arc::new(|_| {}))
                .await;
        let Err(err) = started else { panic!("started on a taken port") };
        let err = err.to_string();
        let port = busy.local_addr().unwrap().port().to_string();
        assert!(err.contains(&port) && err.contains("--listen"), "{err}");
    }
}
