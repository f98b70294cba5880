//! Where a broker is: `mqtt://host:port` (plain TCP) or `mqtts://host:port`
//! (TLS). Hub and kiosks parse the same form.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerUrl {
    pub host: String,
    pub port: u16,
    pub tls: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("broker address {0:?} must look like mqtt://host:1883 or mqtts://host:8883")]
pub struct BrokerUrlError(pub String);

impl BrokerUrl {
    /// The port defaults to 1883 (`mqtt`) or 8883 (`mqtts`).
    pub fn parse(url: &str) -> Result<BrokerUrl, BrokerUrlError> {
        let bad = || BrokerUrlError(url.to_owned());
        let (rest, tls) = match (url.strip_prefix("mqtt://"), url.strip_prefix("mqtts://")) {
            (Some(r), _) => (r, false),
            (_, Some(r)) => (r, true),
            _ => return Err(bad()),
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(':') => (h, p.parse().map_err(|_| bad())?),
            _ => (rest, if tls { 8883 } else { 1883 }),
        };
        let host = host.trim_matches(['[', ']']);
        if host.is_empty() || host.contains(['/', ' ', '@']) || port == 0 {
            return Err(bad());
        }
        Ok(BrokerUrl { host: host.to_owned(), port, tls })
    }
}

impl fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = if self.tls { "mqtts" } else { "mqtt" };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        let u = BrokerUrl::parse("mqtt://192.168.1.10:1884").unwrap();
        assert_eq!((u.host.as_str(), u.port, u.tls), ("192.168.1.10", 1884, false));
        assert_eq!(BrokerUrl::parse("mqtt://hub.local").unwrap().port, 1883);
        assert_eq!(BrokerUrl::parse("mqtts://hub.local/").unwrap().port, 8883);
        assert_eq!(BrokerUrl::parse("mqtt://[::1]:1883").unwrap().host, "::1");
        assert_eq!(BrokerUrl::parse("mqtt://[::1]:1883").unwrap().to_string(), "mqtt://[::1]:1883");
        for bad in ["hub:1883", "http://hub", "mqtt://", "mqtt://hub:x", "mqtt://hub:0", "mqtt://a b"] {
            assert!(BrokerUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
