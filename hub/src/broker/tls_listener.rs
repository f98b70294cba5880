//! The embedded broker's TLS listener: accepts TLS and hands each
//! connection, decrypted, to the gate in front of the broker.
//!
//! rumqttd can terminate TLS itself, but it does the handshake inside its
//! accept loop with no time limit: one client that opens a connection and
//! says nothing holds back every other kiosk's connect. Here each handshake
//! runs in its own task with a deadline. (The broker then sees loopback
//! peers; it never judged clients by address, only by their login.)

use super::{BrokerError, Gate};
use county_tls::ServerCertificate;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// Listen for TLS on `listen` (port 0 picks a free one) and relay through
/// `gate`; a client must finish its handshake within `handshake_deadline`.
/// Each connection is accepted on a task of its own, so one that stalls
/// holds no one back. Returns the address bound.
pub async fn start_tls_listener(
    listen: SocketAddr,
    gate: Arc<Gate>,
    mut certificate: ServerCertificate,
    handshake_deadline: Duration,
) -> Result<SocketAddr, BrokerError> {
    let listener = TcpListener::bind(listen).await.map_err(|source| super::bind_error(listen, source))?;
    let addr = listener.local_addr().map_err(|source| BrokerError::Listen { addr: listen, source })?;
    let failures = Arc::new(FailureLog::default());
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    let acceptor = TlsAcceptor::from(certificate.current());
                    let failures = failures.clone();
                    tokio::spawn(relay(acceptor, stream, peer, gate.clone(), failures, handshake_deadline));
                }
                Err(e) => {
                    // Out of file descriptors, typically: pause rather than spin.
                    tracing::warn!(error = %e, "TLS listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    });
    tracing::info!(%addr, "embedded broker listening for TLS");
    Ok(addr)
}

/// Handshake failures are logged once a minute per address: a kiosk with
/// the wrong CA retries every few hundred milliseconds, and its line should
/// stand out in the log, not fill it.
#[derive(Default)]
struct FailureLog {
    /// When each address was last logged, and failures since then.
    last: Mutex<HashMap<IpAddr, (Instant, u64)>>,
}

const FAILURE_LOG_EVERY: Duration = Duration::from_secs(60);

impl FailureLog {
    fn record(&self, peer: SocketAddr, why: &str) {
        if let Some(repeats) = self.due(peer.ip(), Instant::now()) {
            tracing::warn!(%peer, error = why, repeats_since_last_logged = repeats, "TLS handshake failed");
        }
    }

    /// Whether a failure from `ip` at `now` is to be logged, with the number
    /// of failures not logged since the last line.
    fn due(&self, ip: IpAddr, now: Instant) -> Option<u64> {
        let mut last = self.last.lock().expect("failure log lock");
        let due = match last.get_mut(&ip) {
            Some((at, repeats)) if now.duration_since(*at) < FAILURE_LOG_EVERY => {
                *repeats += 1;
                None
            }
            previous => Some(previous.map_or(0, |(_, r)| *r)),
        };
        if due.is_some() {
            last.insert(ip, (now, 0));
        }
        // Addresses not heard from in a while are forgotten.
        if last.len() > 10_000 {
            last.retain(|_, (at, _)| now.duration_since(*at) < FAILURE_LOG_EVERY);
        }
        due
    }
}

async fn relay(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    gate: Arc<Gate>,
    failures: Arc<FailureLog>,
    handshake_deadline: Duration,
) {
    let _ = stream.set_nodelay(true);
    let tls = match tokio::time::timeout(handshake_deadline, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => return failures.record(peer, &e.to_string()),
        Err(_) => return failures.record(peer, "handshake not finished in time; connection closed"),
    };
    gate.relay(tls, peer).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retrying_client_is_logged_once_a_minute_with_its_count() {
        let log = FailureLog::default();
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        assert_eq!(log.due(a, t0), Some(0));
        for i in 1..=5 {
            assert_eq!(log.due(a, t0 + Duration::from_millis(200 * i)), None);
        }
        assert_eq!(log.due(b, t0 + Duration::from_secs(1)), Some(0), "another address is its own");
        assert_eq!(log.due(a, t0 + FAILURE_LOG_EVERY), Some(5));
        assert_eq!(log.due(a, t0 + FAILURE_LOG_EVERY + Duration::from_secs(1)), None);
    }
}
