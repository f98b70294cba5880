//! TLS with the county's own CA (rustls, ring provider), for both ends of
//! the MQTT links: the client side every kiosk and the hub use towards a
//! `mqtts://` broker, and the server side of the hub's TLS listener.
//!
//! Clients trust only the CA file they are given, never the system's roots:
//! a certificate from any public CA is no proof of being the county hub.
//! Certificates are checked as of [`protocol::county_time::CLOCK_FLOOR`] at
//! the earliest, so a kiosk whose clock has not been set yet can still reach
//! the hub to learn the time.
//!
//! This crate sits beside `protocol` so that the kiosk can use it without
//! linking the hub, and the hub without linking the kiosk.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{}: no certificate in it (a PEM file with -----BEGIN CERTIFICATE----- is expected)", path.display())]
    NoCertificate { path: PathBuf },
    #[error("{}: no private key in it (a PEM file with a PRIVATE KEY block is expected)", path.display())]
    NoKey { path: PathBuf },
    #[error("{}: {detail}", path.display())]
    BadFile { path: PathBuf, detail: String },
    #[error("TLS set-up: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The crypto provider of every TLS end here: ring (Apache-2.0/ISC).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read { path: path.to_owned(), source })
}

/// Every certificate in a PEM file.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(path)?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::BadFile { path: path.to_owned(), detail: e.to_string() })?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate { path: path.to_owned() });
    }
    Ok(certs)
}

/// The first private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let bytes = read(path)?;
    PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
        rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoKey { path: path.to_owned() },
        e => TlsError::BadFile { path: path.to_owned(), detail: e.to_string() },
    })
}

/// A client that trusts only the CA certificate(s) in `ca_file`.
pub fn client_config(ca_file: &Path) -> Result<Arc<ClientConfig>, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in load_certs(ca_file)? {
        roots.add(cert).map_err(|e| TlsError::BadFile {
            path: ca_file.to_owned(),
            detail: format!("not a CA certificate: {e}"),
        })?;
    }
    let provider = provider();
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| TlsError::BadFile { path: ca_file.to_owned(), detail: e.to_string() })?;
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(FlooredClock(webpki)))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The MQTT transport for an `mqtts://` broker signed by the CA in `ca_file`.
pub fn mqtt_transport(ca_file: &Path) -> Result<rumqttc::Transport, TlsError> {
    Ok(rumqttc::Transport::tls_with_config(rumqttc::TlsConfiguration::Rustls(client_config(ca_file)?)))
}

/// A server presenting the certificate chain in `cert` with the key in `key`.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(load_certs(cert)?, load_key(key)?)
        .map_err(|e| TlsError::BadFile {
            path: key.to_owned(),
            detail: format!("does not fit {}: {e}", cert.display()),
        })?;
    Ok(Arc::new(config))
}

/// The broker's certificate as the TLS listener uses it: re-read when its
/// files change, so a certificate re-issued by `hub fleet tls` (a new
/// name, a renewal) is presented from the next connection on, without a
/// restart. Files that do not load keep the previous certificate in use.
#[derive(Debug)]
pub struct ServerCertificate {
    cert: PathBuf,
    key: PathBuf,
    stamp: Option<FileStamp>,
    config: Arc<ServerConfig>,
}

/// Modification times and sizes of the certificate and key files.
type FileStamp = [(std::time::SystemTime, u64); 2];

fn file_stamp(cert: &Path, key: &Path) -> Option<FileStamp> {
    let one = |p: &Path| std::fs::metadata(p).and_then(|m| Ok((m.modified()?, m.len()))).ok();
    Some([one(cert)?, one(key)?])
}

impl ServerCertificate {
    pub fn load(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let stamp = file_stamp(cert, key);
        let config = server_config(cert, key)?;
        Ok(Self { cert: cert.to_owned(), key: key.to_owned(), stamp, config })
    }

    /// The configuration for the next handshake (one `stat` per file when
    /// nothing changed).
    pub fn current(&mut self) -> Arc<ServerConfig> {
        let stamp = file_stamp(&self.cert, &self.key);
        if stamp != self.stamp {
            // Remembered even on failure: a half-written pair is retried
            // when the second file lands, not on every connection.
            self.stamp = stamp;
            match server_config(&self.cert, &self.key) {
                Ok(config) => {
                    tracing::info!(cert = %self.cert.display(), "broker certificate re-read");
                    self.config = config;
                }
                Err(e) => {
                    tracing::error!(error = %e, "new broker certificate not usable; keeping the old one")
                }
            }
        }
        self.config.clone()
    }
}

/// The standard WebPKI check (chain to the CA, host name, validity), with
/// the clock raised to [`protocol::county_time::CLOCK_FLOOR`] when it is behind it. Only the time
/// is changed; a wrong name or another CA still fails.
#[derive(Debug)]
struct FlooredClock(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for FlooredClock {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let now = now.max(UnixTime::since_unix_epoch(protocol::county_time::CLOCK_FLOOR));
        self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Why a server's certificate was refused, in the terms a person can act
/// on (the staff page names each; the log keeps rustls' own words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertificateProblem {
    /// Not signed by the county CA this end trusts (a wrong `ca.pem`, or
    /// another county's broker).
    UnknownIssuer,
    /// Signed by the county CA, but not for the name or address dialled.
    WrongName,
    Expired,
    /// Not valid yet: usually this machine's clock is wrong.
    NotValidYet,
    /// Anything else rustls refused.
    Other,
}

/// The certificate problem somewhere in an error's chain of causes, if a
/// certificate was the trouble.
///
/// rustls' errors reach us wrapped in `std::io::Error` (tokio-rustls) inside
/// the MQTT client's own errors; `io::Error::source` skips the error it
/// wraps, so each `io::Error` is also looked into.
pub fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<CertificateProblem> {
    use rustls::CertificateError as C;
    let mut cause = Some(error);
    while let Some(e) = cause {
        let wrapped = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref());
        let found = e
            .downcast_ref::<rustls::Error>()
            .or_else(|| wrapped.and_then(|w| w.downcast_ref::<rustls::Error>()));
        if let Some(rustls::Error::InvalidCertificate(c)) = found {
            return Some(match c {
                C::UnknownIssuer | C::BadSignature => CertificateProblem::UnknownIssuer,
                C::NotValidForName | C::NotValidForNameContext { .. } => CertificateProblem::WrongName,
                C::Expired | C::ExpiredContext { .. } => CertificateProblem::Expired,
                C::NotValidYet | C::NotValidYetContext { .. } => CertificateProblem::NotValidYet,
                _ => CertificateProblem::Other,
            });
        }
        cause = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    use std::time::Duration;

    /// A CA and a certificate it signs for `host`, valid `from`..`to` (years).
    fn chain(host: &str, from: i32, to: i32) -> (CertificateDer<'static>, CertificateDer<'static>) {
        let mut ca = CertificateParams::default();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.not_before = rcgen::date_time_ymd(2020, 1, 1);
        ca.not_after = rcgen::date_time_ymd(2060, 1, 1);
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let mut leaf = CertificateParams::new(vec![host.to_owned()]).unwrap();
        leaf.not_before = rcgen::date_time_ymd(from, 1, 1);
        leaf.not_after = rcgen::date_time_ymd(to, 1, 1);
        let leaf_cert = leaf.signed_by(&KeyPair::generate().unwrap(), &Issuer::new(ca, ca_key)).unwrap();
        (ca_cert.der().clone(), leaf_cert.der().clone())
    }

    fn verifier(ca: CertificateDer<'static>) -> (FlooredClock, Arc<WebPkiServerVerifier>) {
        let mut roots = RootCertStore::empty();
        roots.add(ca).unwrap();
        let webpki =
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build().unwrap();
        (FlooredClock(webpki.clone()), webpki)
    }

    #[test]
    fn a_kiosk_whose_clock_is_not_set_still_checks_the_certificate() {
        let (ca, leaf) = chain("hub.local", 2025, 2036);
        let (floored, plain) = verifier(ca);
        let name = ServerName::try_from("hub.local").unwrap();
        let in_1970 = UnixTime::since_unix_epoch(Duration::from_secs(1000));
        // Without the floor a 1970 clock rejects every certificate ...
        assert!(plain.verify_server_cert(&leaf, &[], &name, &[], in_1970).is_err());
        // ... with it the chain is checked as of 2026-01-01.
        assert!(floored.verify_server_cert(&leaf, &[], &name, &[], in_1970).is_ok());
        // Only the time moves: another name, another CA or an expired
        // certificate still fail.
        let other = ServerName::try_from("evil.local").unwrap();
        assert!(floored.verify_server_cert(&leaf, &[], &other, &[], in_1970).is_err());
        let (other_ca, _) = chain("hub.local", 2025, 2036);
        let (stranger, _) = verifier(other_ca);
        assert!(stranger.verify_server_cert(&leaf, &[], &name, &[], in_1970).is_err());
        let (ca2, expired) = chain("hub.local", 2020, 2025);
        let (floored2, _) = verifier(ca2);
        assert!(floored2.verify_server_cert(&expired, &[], &name, &[], in_1970).is_err());
        // A correct clock is used as it is.
        let in_2030 = UnixTime::since_unix_epoch(Duration::from_secs(1_893_456_000));
        assert!(floored.verify_server_cert(&leaf, &[], &name, &[], in_2030).is_ok());
    }

    #[test]
    fn unreadable_files_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("ca.pem");
        assert!(client_config(&missing).unwrap_err().to_string().contains("ca.pem"));
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = client_config(&empty).unwrap_err().to_string();
        assert!(e.contains("empty.pem") && e.contains("no certificate"), "{e}");
        let e = load_key(&empty).unwrap_err().to_string();
        assert!(e.contains("no private key"), "{e}");
    }

    #[test]
    fn certificate_problems_are_found_inside_the_wrapping_errors() {
        use rustls::CertificateError as C;
        let wrap = |c: C| {
            // As the MQTT client reports it: rustls' error in an io::Error
            // in an error of its own.
            let io =
                std::io::Error::new(std::io::ErrorKind::InvalidData, rustls::Error::InvalidCertificate(c));
            rumqttc::ConnectionError::Tls(rumqttc::TlsError::Io(io))
        };
        assert_eq!(certificate_problem(&wrap(C::UnknownIssuer)), Some(CertificateProblem::UnknownIssuer));
        assert_eq!(certificate_problem(&wrap(C::BadSignature)), Some(CertificateProblem::UnknownIssuer));
        assert_eq!(certificate_problem(&wrap(C::NotValidForName)), Some(CertificateProblem::WrongName));
        assert_eq!(certificate_problem(&wrap(C::Expired)), Some(CertificateProblem::Expired));
        assert_eq!(certificate_problem(&wrap(C::NotValidYet)), Some(CertificateProblem::NotValidYet));
        assert_eq!(certificate_problem(&wrap(C::Revoked)), Some(CertificateProblem::Other));
        let refused =
            rumqttc::ConnectionError::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(certificate_problem(&refused), None);
    }
}
