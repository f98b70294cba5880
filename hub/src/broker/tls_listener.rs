//! The embedded broker's TLS listener: accepts TLS and relays each
//! connection, decrypted, to the broker's own listener on loopback.
//!
//! rumqttd can terminate TLS itself, but it does the handshake inside its
//! accept loop with no time limit: one client that opens a connection and
//! says nothing holds back every other kiosk's connect. Here each handshake
//! runs in its own task with a deadline. (The broker then sees loopback
//! peers; it never judged clients by address, only by their login.)

use super::BrokerError;
use rustls::ServerConfig;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// A client must finish its TLS handshake within this.
pub const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);

/// Listen for TLS on `listen` (port 0 picks a free one) and relay to the
/// plain broker listener at `broker`. Returns the address bound.
pub async fn start_tls_listener(
    listen: SocketAddr,
    broker: SocketAddr,
    config: Arc<ServerConfig>,
) -> Result<SocketAddr, BrokerError> {
    let listener = TcpListener::bind(listen).await.map_err(|source| super::bind_error(listen, source))?;
    let addr = listener.local_addr().map_err(|source| BrokerError::Listen { addr: listen, source })?;
    let acceptor = TlsAcceptor::from(config);
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    tokio::spawn(relay(acceptor.clone(), stream, peer, broker));
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

async fn relay(acceptor: TlsAcceptor, stream: TcpStream, peer: SocketAddr, broker: SocketAddr) {
    let _ = stream.set_nodelay(true);
    let mut tls = match tokio::time::timeout(HANDSHAKE_DEADLINE, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::warn!(%peer, error = %e, "TLS handshake failed");
            return;
        }
        Err(_) => {
            tracing::warn!(%peer, "TLS handshake not finished in time; connection closed");
            return;
        }
    };
    let mut plain = match TcpStream::connect(broker).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(%peer, %broker, error = %e, "TLS listener cannot reach the broker");
            return;
        }
    };
    let _ = plain.set_nodelay(true);
    if let Err(e) = tokio::io::copy_bidirectional(&mut tls, &mut plain).await {
        tracing::debug!(%peer, error = %e, "TLS connection ended");
    }
}
