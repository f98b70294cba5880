//! Why the kiosk cannot reach the hub's broker, as a typed reason: the staff
//! page names each one in the keeper's words (the UI translates the code),
//! and the log keeps the library's own text. Classified from the MQTT
//! client's error values, never from their wording, so a dependency that
//! rewords its messages changes nothing here.

use rumqttc::{ConnectReturnCode, ConnectionError};

/// What went wrong, as far as the keeper can act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkFailure {
    /// The broker's certificate is not from the county CA (check `ca.pem`).
    CertificateUnknownIssuer,
    /// From the county CA, but not for the address dialled.
    CertificateWrongName,
    CertificateExpired,
    /// Not valid yet: this kiosk's clock is probably wrong.
    CertificateNotYetValid,
    /// Another TLS problem.
    Tls,
    /// The broker refused the login: the secret was rotated or the kiosk
    /// revoked.
    LoginRefused,
    /// Nothing listens at the address (connection refused).
    NoAnswer,
    /// No route, a timeout, a reset: the network.
    Network,
    Other,
}

/// A failed connection: the reason, and the error as the library put it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkDown {
    pub reason: LinkFailure,
    pub detail: String,
}

impl std::fmt::Display for LinkDown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl LinkFailure {
    pub fn of(e: &ConnectionError) -> LinkFailure {
        use county_tls::CertificateProblem as P;
        if let Some(p) = county_tls::certificate_problem(e) {
            return match p {
                P::UnknownIssuer => LinkFailure::CertificateUnknownIssuer,
                P::WrongName => LinkFailure::CertificateWrongName,
                P::Expired => LinkFailure::CertificateExpired,
                P::NotValidYet => LinkFailure::CertificateNotYetValid,
                P::Other => LinkFailure::Tls,
            };
        }
        match e {
            ConnectionError::ConnectionRefused(
                ConnectReturnCode::BadUserNamePassword | ConnectReturnCode::NotAuthorized,
            ) => LinkFailure::LoginRefused,
            ConnectionError::Io(io) => match io.kind() {
                std::io::ErrorKind::ConnectionRefused => LinkFailure::NoAnswer,
                _ => LinkFailure::Network,
            },
            ConnectionError::NetworkTimeout => LinkFailure::Network,
            ConnectionError::Tls(_) => LinkFailure::Tls,
            _ => LinkFailure::Other,
        }
    }
}

impl From<&ConnectionError> for LinkDown {
    fn from(e: &ConnectionError) -> Self {
        LinkDown { reason: LinkFailure::of(e), detail: e.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error, ErrorKind};

    #[test]
    fn each_failure_is_named_from_the_error_value() {
        let refused = |c| ConnectionError::ConnectionRefused(c);
        assert_eq!(
            LinkFailure::of(&refused(ConnectReturnCode::BadUserNamePassword)),
            LinkFailure::LoginRefused
        );
        assert_eq!(LinkFailure::of(&refused(ConnectReturnCode::NotAuthorized)), LinkFailure::LoginRefused);
        assert_eq!(LinkFailure::of(&refused(ConnectReturnCode::ServiceUnavailable)), LinkFailure::Other);
        let io = |k: ErrorKind| ConnectionError::Io(Error::from(k));
        assert_eq!(LinkFailure::of(&io(ErrorKind::ConnectionRefused)), LinkFailure::NoAnswer);
        assert_eq!(LinkFailure::of(&io(ErrorKind::HostUnreachable)), LinkFailure::Network);
        let tls = |c: rustls::CertificateError| {
            let io = Error::new(ErrorKind::InvalidData, rustls::Error::InvalidCertificate(c));
            ConnectionError::Tls(rumqttc::TlsError::Io(io))
        };
        use rustls::CertificateError as C;
        assert_eq!(LinkFailure::of(&tls(C::UnknownIssuer)), LinkFailure::CertificateUnknownIssuer);
        assert_eq!(LinkFailure::of(&tls(C::NotValidForName)), LinkFailure::CertificateWrongName);
        assert_eq!(LinkFailure::of(&tls(C::Expired)), LinkFailure::CertificateExpired);
        assert_eq!(LinkFailure::of(&tls(C::NotValidYet)), LinkFailure::CertificateNotYetValid);
        let down = LinkDown::from(&tls(C::UnknownIssuer));
        assert!(down.detail.contains("UnknownIssuer"), "the log keeps the library's words: {down}");
    }
}
