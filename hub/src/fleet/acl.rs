//! Who may publish and subscribe where: the one rule set behind the
//! Mosquitto ACL file (`hub fleet mosquitto`) and the embedded broker's gate.
//! Each kiosk writes only its own upstream topics and reads only its own
//! downstream topics and the hub's state; the data centre reads its feed
//! and the hub's state; the hub reads and writes everything under `kh/v1/`.

use protocol::credentials::{DC_USER, HUB_USER};
use protocol::{KioskId, Topic};

/// Who a broker login is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Client {
    Hub,
    DataCentre,
    Kiosk(KioskId),
    /// Not a name the fleet gives out (the broker's login refuses it).
    Unknown(String),
}

impl Client {
    pub fn from_user(user: &str) -> Client {
        match user {
            HUB_USER => Client::Hub,
            DC_USER => Client::DataCentre,
            _ => KioskId::new(user).map_or_else(|_| Client::Unknown(user.to_owned()), Client::Kiosk),
        }
    }

    /// The name refusals are recorded under.
    pub fn name(&self) -> &str {
        match self {
            Client::Hub => HUB_USER,
            Client::DataCentre => DC_USER,
            Client::Kiosk(k) => k.as_str(),
            Client::Unknown(u) => u,
        }
    }

    /// What this client may publish on and subscribe to, as MQTT filters
    /// (the lines of its Mosquitto ACL entry).
    pub fn grants(&self) -> Grants {
        let prefix = protocol::topic::PREFIX;
        match self {
            Client::Hub => Grants { write: vec![format!("{prefix}/#")], read: vec![format!("{prefix}/#")] },
            Client::DataCentre => Grants {
                write: vec![],
                read: vec![format!("{prefix}/_dc/#"), format!("{prefix}/_hub/state")],
            },
            Client::Kiosk(kid) => {
                // Any kiosk login may read the big screen's figures: they are
                // what the hall shows the public (aggregates only); a big
                // screen is provisioned like a kiosk and subscribes to them.
                let mut read = Topic::kiosk_filters(kid);
                read.push(protocol::screen::topic().to_string());
                // Seats left at training sessions: public figures too.
                read.push(protocol::messages::SeatsLeft::topic().to_string());
                Grants { write: Topic::kiosk_publishes(kid), read }
            }
            Client::Unknown(_) => Grants::default(),
        }
    }

    /// Whether this client may publish on `topic` (a will's topic included).
    pub fn may_publish(&self, topic: &str) -> bool {
        self.grants().may_publish(topic)
    }

    /// Whether this client may subscribe to `filter`.
    pub fn may_subscribe(&self, filter: &str) -> bool {
        self.grants().may_subscribe(filter)
    }
}

/// A client's publish and subscribe filters (worked out once per
/// connection by the gate, not per packet).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    pub write: Vec<String>,
    pub read: Vec<String>,
}

impl Grants {
    pub fn may_publish(&self, topic: &str) -> bool {
        !has_wildcard(topic) && self.write.iter().any(|f| matches(f, topic))
    }

    /// The filter is one granted, or names only topics inside one
    /// (Mosquitto's rule).
    pub fn may_subscribe(&self, filter: &str) -> bool {
        self.read.iter().any(|granted| covers(granted, filter))
    }
}

fn has_wildcard(topic: &str) -> bool {
    topic.contains(['+', '#'])
}

/// MQTT matching of a topic name against a filter (`+` one level, `#` the
/// rest, including none).
pub fn matches(filter: &str, topic: &str) -> bool {
    let mut f = filter.split('/');
    let mut t = topic.split('/');
    loop {
        match (f.next(), t.next()) {
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Whether every topic `filter` can match is matched by `granted`.
fn covers(granted: &str, filter: &str) -> bool {
    let mut g = granted.split('/');
    let mut f = filter.split('/');
    loop {
        match (g.next(), f.next()) {
            (Some("#"), _) => return true,
            // `+` in the grant covers any one level, but not a `#` asked for.
            (Some("+"), Some(level)) if level != "#" => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kiosk(id: &str) -> Client {
        Client::from_user(id)
    }

    #[test]
    fn a_kiosk_writes_its_own_upstream_topics_only() {
        let a = kiosk("station-a");
        assert!(a.may_publish("kh/v1/station-a/evt"));
        assert!(a.may_publish("kh/v1/station-a/status"));
        for t in [
            "kh/v1/station-b/evt",
            "kh/v1/_hub/state",
            "kh/v1/station-a/evt/ack",
            "kh/v1/station-a/catalog/desired",
            "kh/v1/station-a/cmd/restart",
            "kh/v1/_dc/live",
            "kh/v1/station-a/+",
            "kh/v1/station-a/#",
            "elsewhere",
        ] {
            assert!(!a.may_publish(t), "{t}");
        }
    }

    #[test]
    fn a_kiosk_reads_its_own_downstream_topics_and_the_hub_state() {
        let a = kiosk("station-a");
        for f in [
            "kh/v1/_hub/state",
            "kh/v1/station-a/catalog/desired",
            "kh/v1/station-a/blob/+/+",
            "kh/v1/station-a/blob/abc/0",
            "kh/v1/station-a/cmd/+",
            "kh/v1/station-a/cmd/screenshot",
            "kh/v1/_dc/screen",
        ] {
            assert!(a.may_subscribe(f), "{f}");
        }
        for f in [
            "kh/v1/station-b/catalog/desired",
            "kh/v1/station-b/#",
            "kh/v1/+/catalog/desired",
            "kh/v1/#",
            "#",
            "kh/v1/station-a/#",
            "kh/v1/station-a/cmd/#",
            "kh/v1/station-a/evt",
            "kh/v1/_dc/minute",
            "kh/v1/_dc/#",
        ] {
            assert!(!a.may_subscribe(f), "{f}");
        }
        assert!(!a.may_publish("kh/v1/_dc/screen"), "only the hub publishes the screen's figures");
    }

    #[test]
    fn the_hub_owns_the_prefix_and_the_data_centre_only_reads() {
        assert!(Client::from_user(HUB_USER).may_publish("kh/v1/_hub/state"));
        assert!(Client::from_user(HUB_USER).may_subscribe("kh/v1/+/evt"));
        assert!(!Client::from_user(HUB_USER).may_publish("other/x"));
        let dc = Client::from_user(DC_USER);
        assert!(dc.may_subscribe("kh/v1/_dc/#") && dc.may_subscribe("kh/v1/_hub/state"));
        assert!(!dc.may_publish("kh/v1/_dc/live") && !dc.may_subscribe("kh/v1/#"));
        let nobody = Client::from_user("Not A Kiosk");
        assert!(!nobody.may_publish("kh/v1/x/evt") && !nobody.may_subscribe("#"));
    }

    #[test]
    fn mqtt_matching() {
        assert!(matches("a/+/c", "a/b/c") && matches("a/#", "a") && matches("a/#", "a/b/c"));
        assert!(!matches("a/+", "a/b/c") && !matches("a/b", "a/b/c") && !matches("a/b/c", "a/b"));
    }
}
