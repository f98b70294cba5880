//! An insider holding one kiosk's credentials (station-a's), attacking with
//! the Mosquitto command-line clients as issue #16 did: against the hub's
//! embedded broker on its plain and its TLS listener, and against Mosquitto
//! with the ACL `hub fleet mosquitto` writes. Whatever the broker, the hub's
//! state and every kiosk's catalog pointer stay as the hub retained them,
//! nothing reaches the hub on another kiosk's topic, and A cannot read B's
//! topics. The embedded broker also records each refusal under A, the
//! sender, never under the kiosk whose topic A named. And a retained value
//! of the hub's changed by a client that may write there (the hub's own
//! login, here) is put back by the hub.

use e2e::harness::*;
use e2e::logins::fleet;
use protocol::credentials::{HUB_USER, mqtt_password};
use protocol::messages::{CatalogPointer, HubState};
use protocol::{KioskId, Topic, decode};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Where the attacker connects.
struct Target {
    port: u16,
    /// The county CA, for the TLS listener.
    ca: Option<PathBuf>,
}

struct Login<'a> {
    user: &'a str,
    password: String,
}

/// Run `mosquitto_pub` or `mosquitto_sub` as `login`, bounded by `timeout`
/// (a client refused mid-connection may retry): stdout, and whether it
/// succeeded.
fn tool(tool: &str, target: &Target, login: &Login, args: &[&str]) -> (bool, String) {
    let port = target.port.to_string();
    let mut cmd = Command::new("timeout");
    cmd.arg("20").arg(e2e::tools::require(tool)).args([
        "-h",
        "127.0.0.1",
        "-p",
        &port,
        "-u",
        login.user,
        "-P",
        &login.password,
    ]);
    if let Some(ca) = &target.ca {
        cmd.arg("--cafile").arg(ca);
    }
    let out = cmd.args(args).output().expect("run the mosquitto clients");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The retained message on `topic` as `login` reads it (none: `None`).
fn retained(target: &Target, login: &Login, topic: &str) -> Option<Vec<u8>> {
    // -F %x: the payload in hex; -W: no retained message means no answer.
    let (_, out) = tool("mosquitto_sub", target, login, &["-t", topic, "-C", "1", "-W", "3", "-F", "%x"]);
    let hex = out.lines().next()?.trim().to_owned();
    Some(hex::decode(hex).expect("hex payload"))
}

/// Wait until `topic` holds a retained message that `valid` accepts.
fn retained_becomes(target: &Target, login: &Login, topic: &str, what: &str, valid: impl Fn(&[u8]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let held = retained(target, login, topic);
        if held.as_deref().is_some_and(&valid) {
            return;
        }
        assert!(Instant::now() < deadline, "{topic}: not {what}; holds {held:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn rejects(data: &Path) -> Vec<(String, String, String, u64)> {
    let conn = hub::store::open_read(&hub::store::DataDir::new(data).unwrap()).unwrap();
    hub::fleet::rejects::totals(&conn).unwrap()
}

/// Wait until the hub has counted a refusal of `kid` on `topic`.
fn refused(data: &Path, kid: &str, topic: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let all = rejects(data);
        if let Some(r) = all.iter().find(|r| r.0 == kid && r.1 == topic) {
            return r.2.clone();
        }
        assert!(Instant::now() < deadline, "no refusal of {kid} on {topic}: {all:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Fleet {
    tmp: tempfile::TempDir,
    a: Vec<u8>,
    b: Vec<u8>,
}

impl Fleet {
    fn data(&self) -> PathBuf {
        self.tmp.path().join("hub")
    }
}

/// A published catalog and two kiosks in one group.
fn fleet_of_two(tls: bool) -> Fleet {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    if tls {
        let (ok, text) = fleet(&data, &["tls", "--host", "127.0.0.1"]);
        assert!(ok, "{text}");
    }
    let a = register_kiosk(&data, "station-a", "shinan");
    let b = register_kiosk(&data, "station-b", "shinan");
    Fleet { tmp, a, b }
}

/// Everything an insider tries, and what must hold after it.
fn attack(f: &Fleet, target: &Target, embedded: bool) {
    let data = f.data();
    let hub_key = hub_key(&data);
    let (ka, kb) = (KioskId::new("station-a").unwrap(), KioskId::new("station-b").unwrap());
    let a = Login { user: "station-a", password: mqtt_password(&f.a) };
    let b = Login { user: "station-b", password: mqtt_password(&f.b) };
    let (state, a_pointer, b_pointer, b_events) = (
        Topic::HubState.to_string(),
        Topic::CatalogDesired(ka.clone()).to_string(),
        Topic::CatalogDesired(kb.clone()).to_string(),
        Topic::Events(kb.clone()).to_string(),
    );
    let hub_online = |p: &[u8]| decode::<HubState>(&Topic::HubState, p, &hub_key).is_ok_and(|s| s.online);
    let pointer_of = |kid: &KioskId, secret: &[u8], p: &[u8]| {
        decode::<CatalogPointer>(&Topic::CatalogDesired(kid.clone()), p, secret).is_ok()
    };
    // Before: the hub is online and both pointers are retained.
    retained_becomes(target, &b, &state, "the hub online", hub_online);
    retained_becomes(target, &b, &b_pointer, "B's pointer", |p| pointer_of(&kb, &f.b, p));
    retained_becomes(target, &a, &a_pointer, "A's pointer", |p| pointer_of(&ka, &f.a, p));

    // QoS 1: Mosquitto acknowledges a publish its ACL drops, so each attack
    // has been dealt with when its client returns; the gate closes the
    // connection instead.
    tool("mosquitto_pub", target, &a, &["-q", "1", "-r", "-t", &state, "-m", "offline, says A"]);
    tool("mosquitto_pub", target, &a, &["-q", "1", "-r", "-n", "-t", &b_pointer]);
    tool("mosquitto_pub", target, &a, &["-q", "1", "-r", "-n", "-t", &a_pointer]);
    tool("mosquitto_pub", target, &a, &["-q", "1", "-t", &b_events, "-m", "forged for B"]);
    // A reads B's topics: asked together with A's own retained pointer, B's
    // would arrive first if the broker let it.
    let (_, seen) = tool(
        "mosquitto_sub",
        target,
        &a,
        &["-t", &b_pointer, "-t", &a_pointer, "-C", "1", "-W", "4", "-F", "%t"],
    );
    assert!(!seen.contains(&b_pointer), "A read B's pointer: {seen}");
    // Barrier: A's malformed message on its own topic, refused by the hub
    // itself, arrives after anything A sent before.
    let a_events = Topic::Events(ka.clone()).to_string();
    tool("mosquitto_pub", target, &a, &["-q", "1", "-t", &a_events, "-m", "garbage"]);
    refused(&data, "station-a", &a_events);

    let all = rejects(&data);
    assert!(!all.iter().any(|r| r.0 == "station-b"), "nothing counted against B: {all:?}");
    if embedded {
        for (topic, reason) in [
            (&state, "publish not allowed"),
            (&b_pointer, "publish not allowed"),
            (&a_pointer, "publish not allowed"),
            (&b_events, "publish not allowed"),
            (&b_pointer, "subscribe not allowed"),
        ] {
            assert!(
                all.iter().any(|r| r.0 == "station-a" && r.1 == *topic && r.2 == reason),
                "the gate's refusal of A on {topic} ({reason}) is recorded under A: {all:?}"
            );
        }
    }
    // After: what the hub retained is still there.
    assert!(retained(target, &b, &state).is_some_and(|p| hub_online(&p)), "hub state");
    assert!(retained(target, &b, &b_pointer).is_some_and(|p| pointer_of(&kb, &f.b, &p)), "B's pointer");
    assert!(retained(target, &a, &a_pointer).is_some_and(|p| pointer_of(&ka, &f.a, &p)), "A's pointer");

    // A client allowed to write there (the hub's login) clears B's pointer
    // and marks the hub offline: the hub puts both back.
    let hub = Login { user: HUB_USER, password: mqtt_password(&hub_key) };
    tool("mosquitto_pub", target, &hub, &["-q", "1", "-r", "-n", "-t", &b_pointer]);
    tool("mosquitto_pub", target, &hub, &["-q", "1", "-r", "-t", &state, "-m", "offline"]);
    retained_becomes(target, &b, &b_pointer, "B's pointer restored", |p| pointer_of(&kb, &f.b, p));
    retained_becomes(target, &b, &state, "the hub online again", hub_online);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    kh_no_mosquitto,
    ignore = "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
)]
async fn an_insider_cannot_touch_the_hub_or_another_kiosk_on_the_embedded_broker() {
    let f = fleet_of_two(false);
    let port = free_port();
    let _hub = HubProcess::start(&f.data(), BrokerMode::Embedded(port)).await;
    tokio::task::block_in_place(|| attack(&f, &Target { port, ca: None }, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    kh_no_mosquitto,
    ignore = "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
)]
async fn an_insider_cannot_touch_the_hub_or_another_kiosk_over_tls() {
    let f = fleet_of_two(true);
    let tls_port = free_port();
    let _hub = HubProcess::start_tls(&f.data(), BrokerMode::Embedded(free_port()), tls_port).await;
    let ca = f.data().join("tls/ca.pem");
    tokio::task::block_in_place(|| attack(&f, &Target { port: tls_port, ca: Some(ca) }, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    kh_no_mosquitto,
    ignore = "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
)]
async fn an_insider_cannot_touch_the_hub_or_another_kiosk_on_mosquitto() {
    let f = fleet_of_two(false);
    let files = f.tmp.path().join("mosquitto");
    let (ok, text) = fleet(&f.data(), &["mosquitto", "--out", files.to_str().unwrap()]);
    assert!(ok, "{text}");
    let settings = format!(
        "allow_anonymous false\nuser root\npassword_file {}\nacl_file {}\n",
        files.join("passwd").display(),
        files.join("acl").display()
    );
    let broker = Mosquitto::start_with(&settings, free_port());
    let _hub = HubProcess::start(&f.data(), BrokerMode::External(broker.port)).await;
    tokio::task::block_in_place(|| attack(&f, &Target { port: broker.port, ca: None }, false));
}
