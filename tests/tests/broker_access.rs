//! Who gets onto the broker. With `hub fleet`'s files on a real
//! Mosquitto: each kiosk connects only as itself, cannot publish or read
//! under another kiosk's id, a revoked kiosk and a wrong password are
//! refused, and a hub process plus a kiosk set up from the written
//! `kiosk.toml` work through that broker. With the hub's embedded broker:
//! only the hub, the data centre and registered, unrevoked kiosks with the
//! right password get in. In both, a message a kiosk signs with another
//! kiosk's secret is refused by the hub.

use e2e::fleet::{wait_catalog, wait_status};
use e2e::harness::*;
use e2e::logins::{connect, fleet, secret_of};
use protocol::credentials::{HUB_USER, mqtt_password};
use protocol::{KioskId, Topic, encode};
use rumqttc::{AsyncClient, ConnectReturnCode, Event, EventLoop, MqttOptions, Packet, QoS};
use std::path::Path;
use std::time::Duration;

/// `kid` publishes its own birth signed with `key`; the hub must count it
/// refused as "bad signature".
async fn forged_birth_is_refused(client: &AsyncClient, data: &Path, kid: &str, key: &[u8]) {
    let topic = Topic::Status(KioskId::new(kid).unwrap());
    client
        .publish(topic.to_string(), QoS::AtLeastOnce, false, encode(&topic, &test_birth(1), key).unwrap())
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let conn = hub::store::open_read(&hub::store::DataDir::new(data).unwrap()).unwrap();
        let totals = hub::fleet::rejects::totals(&conn).unwrap();
        if totals.iter().any(|r| r.0 == kid && r.2 == "bad signature") {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "not refused: {totals:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Publishes seen by this event loop within `for_`.
async fn received(ev: &mut EventLoop, for_: Duration) -> Vec<String> {
    let mut seen = Vec::new();
    let _ = tokio::time::timeout(for_, async {
        loop {
            if let Ok(Event::Incoming(Packet::Publish(p))) = ev.poll().await {
                seen.push(p.topic.clone());
            }
        }
    })
    .await;
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    kh_no_mosquitto,
    ignore = "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
)]
async fn kiosks_are_confined_to_their_own_topics_on_mosquitto() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let out = tmp.path().join("kiosks");
    let o = out.to_str().unwrap();
    let port = free_port();
    let address = format!("mqtt://127.0.0.1:{port}");
    for kid in ["station-a", "station-b", "station-c"] {
        let (ok, text) = fleet(
            &data,
            &[
                "new",
                kid,
                "--role",
                "station",
                "--group",
                "shinan",
                "--hub",
                &address,
                "--data-dir",
                "data",
                "--out",
                o,
            ],
        );
        assert!(ok, "{text}");
        assert!(text.contains("staff PIN (shown once"), "{text}");
    }
    let (ok, text) = fleet(
        &data,
        &["new", "station-a", "--role", "station", "--group", "shinan", "--hub", &address, "--out", o],
    );
    assert!(!ok && text.contains("set up before"), "{text}");
    let (ok, text) = fleet(&data, &["check", out.join("station-a/kiosk.toml").to_str().unwrap()]);
    assert!(ok && text.contains("kiosk station-a"), "{text}");
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "id = \"x\"\nrole = \"kiosk\"\n").unwrap();
    let (ok, text) = fleet(&data, &["check", bad.to_str().unwrap()]);
    assert!(!ok && text.contains("bad.toml:2") && text.contains("role"), "{text}");
    let (ok, text) = fleet(&data, &["revoke", "station-c"]);
    assert!(ok, "{text}");
    let (ok, text) = fleet(&data, &["list"]);
    assert!(ok && text.lines().any(|l| l.starts_with("station-c") && l.ends_with("revoked")), "{text}");
    let broker_files = tmp.path().join("mosquitto");
    let (ok, text) = fleet(&data, &["mosquitto", "--out", broker_files.to_str().unwrap()]);
    assert!(ok && text.contains("2 kiosk(s)"), "{text}");

    // `user root`: the files are in a root-only temporary folder (Mosquitto
    // started as root would otherwise drop to its own user first).
    let settings = format!(
        "allow_anonymous false\nuser root\npassword_file {}\nacl_file {}\n",
        broker_files.join("passwd").display(),
        broker_files.join("acl").display()
    );
    let broker = Mosquitto::start_with(&settings, port);
    let hub_key = hub_key(&data);
    let (a, b, c) =
        (secret_of(&out, "station-a"), secret_of(&out, "station-b"), secret_of(&out, "station-c"));

    // Who may connect.
    assert!(
        connect(broker.port, "x1", "station-a", &mqtt_password(&b), None).await.is_err(),
        "A with B's password"
    );
    assert!(connect(broker.port, "x2", "station-c", &mqtt_password(&c), None).await.is_err(), "revoked C");
    assert!(connect(broker.port, "x3", "nobody", "nothing", None).await.is_err(), "unknown user");
    let (hub_client, mut hub_ev) =
        connect(broker.port, "hub-test", HUB_USER, &mqtt_password(&hub_key), None).await.unwrap();
    let (a_client, mut a_ev) =
        connect(broker.port, "station-a", "station-a", &mqtt_password(&a), None).await.unwrap();

    // The hub hears A on A's topics only; A hears the hub on A's topics only.
    hub_client.subscribe("kh/v1/#", QoS::AtLeastOnce).await.unwrap();
    a_client.subscribe("kh/v1/station-a/cmd/+", QoS::AtLeastOnce).await.unwrap();
    a_client.subscribe("kh/v1/station-b/cmd/+", QoS::AtLeastOnce).await.unwrap();
    a_client.subscribe("kh/v1/station-b/#", QoS::AtLeastOnce).await.unwrap();
    let _ = received(&mut hub_ev, Duration::from_millis(300)).await;
    let _ = received(&mut a_ev, Duration::from_millis(300)).await;
    for t in [
        "kh/v1/station-b/evt",
        "kh/v1/station-b/status",
        "kh/v1/station-a/evt/ack",
        "kh/v1/_hub/state",
        "kh/v1/station-a/evt",
    ] {
        a_client.publish(t, QoS::AtLeastOnce, false, b"x".to_vec()).await.unwrap();
    }
    for t in ["kh/v1/station-b/cmd/screenshot", "kh/v1/station-a/cmd/screenshot"] {
        hub_client.publish(t, QoS::AtLeastOnce, false, b"y".to_vec()).await.unwrap();
    }
    let (hub_seen, a_seen) = tokio::join!(
        received(&mut hub_ev, Duration::from_secs(2)),
        received(&mut a_ev, Duration::from_secs(2))
    );
    let from_a: Vec<&String> = hub_seen.iter().filter(|t| !t.contains("/cmd/")).collect();
    assert_eq!(from_a, ["kh/v1/station-a/evt"], "only A's own upstream topic gets through");
    assert_eq!(a_seen, ["kh/v1/station-a/cmd/screenshot"], "A reads its own commands, not B's");
    drop((hub_client, a_client));

    // The real hub and a kiosk made from the written files, through this broker.
    let _hub = HubProcess::start(&data, BrokerMode::External(broker.port)).await;
    let config = firmware_config::DeviceConfig::load(&out.join("station-a/kiosk.toml")).unwrap();
    assert!(config.data_dir.starts_with(out.join("station-a")));
    let rt = kiosk::runtime::Runtime::start(config).unwrap();
    let k = rt.handle();
    wait_catalog(&k, Duration::from_secs(60), 1).await;
    k.record(protocol::messages::EventKind::AttractExit).unwrap();
    wait_status(&k, Duration::from_secs(30), "the event acknowledged", |s| {
        s.hub_online && s.outbox_depth == 0
    })
    .await;

    // B, on its own topic (the ACL allows it), signs with A's secret.
    let (b_client, mut b_ev) =
        connect(broker.port, "station-b", "station-b", &mqtt_password(&b), None).await.unwrap();
    tokio::spawn(async move { while b_ev.poll().await.is_ok() {} });
    forged_birth_is_refused(&b_client, &data, "station-b", &a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_broker_admits_only_whom_the_registry_knows() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let k1 = register_kiosk(&data, "k1", "g");
    let k2 = register_kiosk(&data, "k2", "g");
    let mode = BrokerMode::Embedded(free_port());
    let _hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);
    let port = mode.port();

    let (c1, mut ev1) =
        connect(port, "k1", "k1", &mqtt_password(&k1), None).await.expect("a registered kiosk");
    tokio::spawn(async move { while ev1.poll().await.is_ok() {} });
    assert!(connect(port, "x", HUB_USER, &mqtt_password(&key), None).await.is_ok(), "the hub's user");
    let dc = protocol::credentials::dc_password(&key);
    assert!(connect(port, "dc", protocol::credentials::DC_USER, &dc, None).await.is_ok(), "the data centre");
    assert!(connect(port, "k1b", "k1", &mqtt_password(&k2), None).await.is_err(), "k1 with k2's password");
    assert!(connect(port, "ghost", "ghost", &mqtt_password(&k1), None).await.is_err(), "an unknown kiosk");
    assert!(
        connect(port, "x2", HUB_USER, &mqtt_password(&k1), None).await.is_err(),
        "the hub's user, wrong password"
    );
    let mut anonymous = MqttOptions::new("anon", "127.0.0.1", port);
    anonymous.set_keep_alive(Duration::from_secs(5));
    let (_c, mut ev) = AsyncClient::new(anonymous, 8);
    let r = tokio::time::timeout(Duration::from_secs(10), ev.poll()).await.expect("an answer");
    assert!(
        !matches!(r, Ok(Event::Incoming(Packet::ConnAck(ref a))) if a.code == ConnectReturnCode::Success),
        "{r:?}"
    );

    // Revoked: out at the next connect, without restarting the hub.
    assert!(connect(port, "k2", "k2", &mqtt_password(&k2), None).await.is_ok());
    let (ok, text) = fleet(&data, &["revoke", "k2"]);
    assert!(ok, "{text}");
    assert!(connect(port, "k2-again", "k2", &mqtt_password(&k2), None).await.is_err(), "revoked");

    // A rotated secret: the old password stops working at once, the new one works.
    let out = tmp.path().join("kiosks");
    let (ok, text) = fleet(&data, &["rotate-secret", "k1", "--out", out.to_str().unwrap()]);
    assert!(ok, "{text}");
    let rotated = secret_of(&out, "k1");
    assert!(connect(port, "k1-old", "k1", &mqtt_password(&k1), None).await.is_err(), "the old secret");
    assert!(connect(port, "k1-new", "k1", &mqtt_password(&rotated), None).await.is_ok(), "the new secret");
    let (ok, text) = fleet(&data, &["rotate-secret", "k2", "--out", out.to_str().unwrap()]);
    assert!(!ok && text.contains("revoked"), "{text}");

    // `new` refuses before registering anything: an id in use, a bad PIN, TLS without the CA.
    let o = out.to_str().unwrap();
    let new = |id: &str, extra: &[&str]| {
        let mut args = vec![
            "new",
            id,
            "--role",
            "station",
            "--group",
            "g",
            "--hub",
            "mqtt://127.0.0.1:1883",
            "--out",
            o,
        ];
        args.extend_from_slice(extra);
        fleet(&data, &args)
    };
    let (ok, text) = new("k1", &[]);
    assert!(!ok && text.contains("registered already"), "{text}");
    let (ok, text) = new("k3", &["--pin", "12"]);
    assert!(!ok && text.contains("4 to 8 digits"), "{text}");
    let (ok, text) = fleet(
        &data,
        &["new", "k3", "--role", "station", "--group", "g", "--hub", "mqtts://hub:8883", "--out", o],
    );
    assert!(!ok && text.contains("--ca"), "{text}");
    let (_, listed) = fleet(&data, &["list"]);
    assert!(!listed.contains("k3"), "nothing registered by a refused `new`: {listed}");

    // An insider signing for itself with another kiosk's secret.
    forged_birth_is_refused(&c1, &data, "k1", &k2).await;
}

/// Issue #13: rotating the secret of a kiosk (a stolen one, say) takes
/// effect in the running hub, not at its next restart. The kiosk restarted
/// with its new files gets its events acknowledged, and a message signed
/// with the old secret is refused, by the same hub process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_secret_takes_effect_in_the_running_hub() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let mode = BrokerMode::Embedded(free_port());
    let out = tmp.path().join("kiosks");
    let address = format!("mqtt://127.0.0.1:{}", mode.port());
    let o = out.to_str().unwrap();
    let args = [
        "new",
        "station-a",
        "--role",
        "station",
        "--group",
        "shinan",
        "--hub",
        &address,
        "--data-dir",
        "data",
        "--out",
        o,
    ];
    let (ok, text) = fleet(&data, &args);
    assert!(ok, "{text}");
    let old = secret_of(&out, "station-a");
    let _hub = HubProcess::start(&data, mode).await;
    let config_file = out.join("station-a/kiosk.toml");
    let acked =
        |n: u64| move |s: &kiosk::runtime::KioskStatus| s.hub_online && s.outbox_depth == 0 && s.session >= n;

    let rt =
        kiosk::runtime::Runtime::start(firmware_config::DeviceConfig::load(&config_file).unwrap()).unwrap();
    let k = rt.handle();
    wait_catalog(&k, Duration::from_secs(60), 1).await;
    k.record(protocol::messages::EventKind::AttractExit).unwrap();
    wait_status(&k, Duration::from_secs(30), "the first event acknowledged", acked(1)).await;

    // Online, the kiosk's secret is rotated; the kiosk is restarted with its
    // folder, which now holds the new secret. The hub is not restarted.
    let (ok, text) = fleet(&data, &["rotate-secret", "station-a", "--out", out.to_str().unwrap()]);
    assert!(ok, "{text}");
    let new = secret_of(&out, "station-a");
    assert_ne!(new, old);
    drop(rt);
    let rt =
        kiosk::runtime::Runtime::start(firmware_config::DeviceConfig::load(&config_file).unwrap()).unwrap();
    let k = rt.handle();
    k.record(protocol::messages::EventKind::AttractExit).unwrap();
    wait_status(&k, Duration::from_secs(30), "the event signed with the new secret acknowledged", acked(2))
        .await;
    let totals = k.outbox_state().unwrap();
    assert_eq!((totals.last_seq, totals.acked_upto), (2, 2), "{totals:?}");

    // Logged in with the new password (the broker knows no other), a
    // message signed with the old secret is refused by the hub.
    let (client, mut ev) =
        connect(mode.port(), "station-a-old", "station-a", &mqtt_password(&new), None).await.unwrap();
    tokio::spawn(async move { while ev.poll().await.is_ok() {} });
    forged_birth_is_refused(&client, &data, "station-a", &old).await;
}
