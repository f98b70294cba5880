//! A county CA for sites that have none: a self-signed CA certificate (its
//! key stays on the hub machine, `0600`) and the broker certificate it signs
//! for the names kiosks dial, kept in `<data>/tls/` ([`TlsFiles`]). Kiosks
//! trust only this CA (`ca_file`), so re-issuing the broker's certificate
//! never touches a kiosk.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SerialNumber,
};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use time::{Duration, OffsetDateTime};

/// The files of a county CA and the broker certificate it issued, in the
/// hub's data folder (`<data>/tls/`), as `hub fleet tls` writes them.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub dir: PathBuf,
}

impl TlsFiles {
    pub fn in_data_dir(data: &Path) -> Self {
        Self { dir: data.join("tls") }
    }
    /// The CA certificate: copied to every kiosk as its `ca_file`.
    pub fn ca_cert(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    /// The CA's private key (0600): only `hub fleet tls` reads it.
    pub fn ca_key(&self) -> PathBuf {
        self.dir.join("ca.key")
    }
    /// The broker's certificate, naming the hosts kiosks dial.
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("certificate: {0}")]
    Rcgen(#[from] rcgen::Error),
    #[error("{0:?} is neither a host name nor an IP address")]
    BadHost(String),
    #[error("name at least one host (the name or address in the kiosks' mqtts:// address)")]
    NoHost,
}

/// A certificate and its private key, both PEM.
#[derive(Debug)]
pub struct Issued {
    pub cert_pem: String,
    pub key_pem: String,
}

/// Certificates start being valid here, before kiosks' clock floor
/// (`protocol::county_time::CLOCK_FLOOR`, 2026-01-01): a kiosk whose clock is not yet
/// set checks them at the floor, so they must already be valid then.
fn valid_from() -> OffsetDateTime {
    rcgen::date_time_ymd(2025, 1, 1)
}

fn random_serial() -> SerialNumber {
    // Positive (top bit clear), 16 bytes: unique without a counter to keep.
    let mut bytes = rand::random::<[u8; 16]>();
    bytes[0] &= 0x7f;
    SerialNumber::from_slice(&bytes)
}

/// A new CA, valid for 30 years, allowed to sign end certificates only.
pub fn new_ca(county: &str) -> Result<Issued, CaError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::OrganizationName, format!("{county} rural e-commerce kiosks"));
    // A random tag in the name: two CAs never share a subject, so a kiosk
    // holding the wrong one is told "unknown issuer", not "bad signature".
    let tag = hex::encode(rand::random::<[u8; 3]>());
    params.distinguished_name.push(DnType::CommonName, format!("{county} kiosk CA {tag}"));
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = valid_from();
    params.not_after = OffsetDateTime::now_utc() + Duration::days(30 * 365);
    params.serial_number = Some(random_serial());
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok(Issued { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// A broker certificate for `hosts` (names or IP addresses), signed by the
/// CA, valid for `days`.
pub fn server_cert(ca: &Issued, hosts: &[String], days: u32) -> Result<Issued, CaError> {
    let first = hosts.first().ok_or(CaError::NoHost)?;
    if let Some(bad) = hosts.iter().find(|h| !valid_host(h)) {
        return Err(CaError::BadHost(bad.clone()));
    }
    let mut params =
        CertificateParams::new(hosts.to_vec()).map_err(|_| CaError::BadHost(hosts.join(", ")))?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, first.clone());
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = valid_from();
    params.not_after = OffsetDateTime::now_utc() + Duration::days(i64::from(days));
    params.serial_number = Some(random_serial());
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, KeyPair::from_pem(&ca.key_pem)?)?;
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &issuer)?;
    Ok(Issued { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// An IP address, or a DNS name: dot-separated labels of letters, digits
/// and inner hyphens (what a TLS client will compare the certificate with).
fn valid_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    host.len() <= 253
        && host.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// SHA-256 of a certificate's DER bytes, `AB:CD:…`, for comparing a
/// kiosk's `ca.pem` with the hub's by eye (or with `openssl x509 -fingerprint`).
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_broker_certificate_is_signed_by_the_ca_for_its_hosts() {
        let ca = new_ca("Tongcheng").unwrap();
        assert!(ca.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(ca.key_pem.contains("PRIVATE KEY"));
        let server = server_cert(&ca, &["hub.local".to_owned(), "192.168.1.10".to_owned()], 3650).unwrap();
        let (_, ca_x509) = x509_parser::pem::parse_x509_pem(ca.cert_pem.as_bytes()).unwrap();
        let ca_cert = ca_x509.parse_x509().unwrap();
        let (_, s_x509) = x509_parser::pem::parse_x509_pem(server.cert_pem.as_bytes()).unwrap();
        let s = s_x509.parse_x509().unwrap();
        assert!(ca_cert.is_ca());
        assert!(!s.is_ca());
        assert_eq!(s.issuer(), ca_cert.subject());
        let sans = format!("{:?}", s.subject_alternative_name().unwrap().unwrap().value.general_names);
        assert!(sans.contains("\"hub.local\"") && sans.contains("[192, 168, 1, 10]"), "{sans}");
        // Valid from before the kiosks' clock floor (2026-01-01).
        assert!(s.validity().not_before.timestamp() < protocol::county_time::CLOCK_FLOOR.as_secs() as i64);
        let fp = fingerprint(&ca_x509.contents);
        assert_eq!(fp.len(), 32 * 3 - 1);
    }

    #[test]
    fn hosts_are_required_and_checked() {
        let ca = new_ca("T").unwrap();
        assert!(matches!(server_cert(&ca, &[], 10), Err(CaError::NoHost)));
        for bad in ["bad host!", "hub..local", "-hub.local", "mqtts://hub.local"] {
            assert!(matches!(server_cert(&ca, &[bad.to_owned()], 10), Err(CaError::BadHost(_))), "{bad}");
        }
        assert!(server_cert(&ca, &["localhost".to_owned(), "::1".to_owned()], 10).is_ok());
    }
}
