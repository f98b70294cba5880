//! MQTT over TLS with the county CA `hub fleet tls` makes. On a real
//! Mosquitto with the generated certificate, and on the hub's embedded
//! broker (`--tls-listen`): a kiosk set up by `hub fleet new --hub
//! mqtts://…` syncs its catalog and gets its events acknowledged over TLS;
//! a kiosk trusting another CA never connects and says why; logins are
//! still checked behind TLS; a client that opens a connection and stalls
//! its handshake does not hold back anyone else; a re-issued broker
//! certificate is used by the running hub.

use e2e::fleet::{wait_catalog, wait_status};
use e2e::harness::*;
use e2e::logins::{connect, fleet, secret_of};
use firmware_config::DeviceConfig;
use kiosk::runtime::{Handle, Runtime};
use protocol::credentials::mqtt_password;
use std::path::Path;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(60);

/// A hub data folder with the sample catalog published, a county CA and
/// a broker certificate for 127.0.0.1, and kiosk `good` set up for
/// `mqtts://127.0.0.1:<tls_port>` with that CA. Kiosk `stranger` is set up
/// the same way but given the CA of another county.
fn provision(root: &Path, tls_port: u16) -> (std::path::PathBuf, std::path::PathBuf) {
    let data = root.join("hub");
    std::fs::create_dir_all(&data).unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", data.to_str().unwrap()]);
    let (ok, text) = fleet(&data, &["tls", "--host", "127.0.0.1", "--host", "localhost"]);
    assert!(ok && text.contains("county CA made") && text.contains("fingerprint"), "{text}");
    // A second run re-issues the broker certificate under the same CA.
    let ca_before = std::fs::read(data.join("tls/ca.pem")).unwrap();
    let (ok, text) = fleet(&data, &["tls", "--host", "127.0.0.1", "--host", "localhost"]);
    assert!(ok && !text.contains("county CA made"), "{text}");
    assert_eq!(std::fs::read(data.join("tls/ca.pem")).unwrap(), ca_before, "the CA is never replaced");
    let (ok, text) = fleet(&data, &["tls", "--host", "not a host"]);
    assert!(!ok && text.contains("not a host"), "{text}");

    let other = root.join("other-county");
    let (ok, text) = fleet(&other, &["tls", "--host", "127.0.0.1"]);
    assert!(ok, "{text}");

    let out = root.join("kiosks");
    let address = format!("mqtts://127.0.0.1:{tls_port}");
    let common = ["--role", "station", "--group", "shinan", "--hub", &address, "--data-dir", "data"];
    let o = out.to_str().unwrap();
    let (ok, text) = fleet(&data, &[&["new", "good"][..], &common, &["--out", o]].concat());
    assert!(ok, "{text}");
    let other_ca = other.join("tls/ca.pem");
    let stranger_args =
        [&["new", "stranger"][..], &common, &["--out", o, "--ca", other_ca.to_str().unwrap()]];
    let (ok, text) = fleet(&data, &stranger_args.concat());
    assert!(ok, "{text}");
    assert_eq!(
        std::fs::read(out.join("good/ca.pem")).unwrap(),
        ca_before,
        "the county CA goes with the kiosk"
    );
    (data, out)
}

fn kiosk(out: &Path, kid: &str) -> Runtime {
    let config = DeviceConfig::load(&out.join(kid).join("kiosk.toml")).unwrap();
    assert!(config.hub.url.tls);
    Runtime::start(config).unwrap()
}

/// The kiosk set up with the county CA works over TLS end to end.
async fn works_over_tls(k: &Handle) {
    wait_catalog(k, WAIT, 1).await;
    k.record(protocol::messages::EventKind::AttractExit).unwrap();
    wait_status(k, Duration::from_secs(30), "the event acknowledged over TLS", |s| {
        s.hub_online && s.outbox_depth == 0 && s.link_down.is_none()
    })
    .await;
}

/// The kiosk trusting another CA never connects, and its status says the
/// certificate is why (the staff page shows it).
async fn refuses_the_stranger(k: &Handle) {
    wait_status(k, Duration::from_secs(20), "a certificate error", |s| {
        s.link_down.as_ref().is_some_and(|d| {
            d.reason == kiosk::runtime::LinkFailure::CertificateUnknownIssuer
                && d.detail.contains("invalid peer certificate: UnknownIssuer")
        })
    })
    .await;
    // It keeps trying and keeps failing: two more refusals after the first,
    // and never a session (a connection, however brief, would count one).
    let (failures, session) = {
        let s = k.status().borrow().clone();
        (s.link_failures, s.session)
    };
    wait_status(k, Duration::from_secs(60), "two more refused attempts", |s| s.link_failures >= failures + 2)
        .await;
    let s = k.status().borrow().clone();
    assert!(!s.connected && s.session == session && k.catalog().borrow().is_none(), "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    kh_no_mosquitto,
    ignore = "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)"
)]
async fn mosquitto_with_the_county_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let tls_port = free_port();
    let (data, out) = provision(tmp.path(), tls_port);
    let broker_files = tmp.path().join("mosquitto");
    let (ok, text) = fleet(&data, &["mosquitto", "--out", broker_files.to_str().unwrap()]);
    assert!(ok && text.contains("certfile"), "{text}");
    // The plain listener (the harness's) is for the readiness probe only.
    let settings = format!(
        "allow_anonymous false\nuser root\npassword_file {}\nacl_file {}\n\
         listener {tls_port} 127.0.0.1\ncertfile {}\nkeyfile {}\n",
        broker_files.join("passwd").display(),
        broker_files.join("acl").display(),
        broker_files.join("server.pem").display(),
        broker_files.join("server.key").display(),
    );
    let broker = Mosquitto::start_with(&settings, free_port());
    wait_for_port(tls_port);

    // The hub itself reaches Mosquitto over TLS (mqtts://, CA from <data>/tls).
    let _hub = HubProcess::start_tls(&data, BrokerMode::External(broker.port), tls_port).await;
    let good = kiosk(&out, "good");
    let stranger = kiosk(&out, "stranger");
    works_over_tls(&good.handle()).await;
    refuses_the_stranger(&stranger.handle()).await;

    // Behind TLS the login still counts; plain MQTT on the TLS port gets nowhere.
    let tls = || Some(county_tls::mqtt_transport(&data.join("tls/ca.pem")).unwrap());
    let good_secret = secret_of(&out, "good");
    let stranger_secret = secret_of(&out, "stranger");
    assert!(connect(tls_port, "x1", "good", &mqtt_password(&stranger_secret), tls()).await.is_err());
    assert!(connect(tls_port, "x2", "good", &mqtt_password(&good_secret), None).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_broker_over_tls() {
    let tmp = tempfile::tempdir().unwrap();
    let tls_port = free_port();
    let (data, out) = provision(tmp.path(), tls_port);
    let tls = || Some(county_tls::mqtt_transport(&data.join("tls/ca.pem")).unwrap());
    let good_secret = secret_of(&out, "good");

    // The hub starts with a certificate that does not name 127.0.0.1; a
    // re-issued one that does is used from the next connection, no restart.
    let (ok, text) = fleet(&data, &["tls", "--host", "localhost"]);
    assert!(ok, "{text}");
    // The handshake deadline is an hour here: with a serial accept loop the
    // stalled connection below would hold every kiosk back for that long.
    let _hub = HubProcess::start_tls_with(
        &data,
        BrokerMode::Embedded(free_port()),
        tls_port,
        &["--tls-handshake-timeout", "3600"],
    )
    .await;
    let refused = connect(tls_port, "x0", "good", &mqtt_password(&good_secret), tls()).await.err();
    assert!(refused.as_deref().is_some_and(|e| e.contains("not valid for name")), "{refused:?}");
    let (ok, text) = fleet(&data, &["tls", "--host", "127.0.0.1", "--host", "localhost"]);
    assert!(ok, "{text}");

    // Someone opens a connection to the TLS port and says nothing: every
    // other client's handshake goes on regardless.
    let stalled = std::net::TcpStream::connect(("127.0.0.1", tls_port)).unwrap();
    let good = kiosk(&out, "good");
    let stranger = kiosk(&out, "stranger");
    works_over_tls(&good.handle()).await;
    refuses_the_stranger(&stranger.handle()).await;
    // And the stalled one is still open (not closed to let the others in).
    stalled.set_nonblocking(true).unwrap();
    let open = stalled.peek(&mut [0u8; 1]).is_err_and(|e| e.kind() == std::io::ErrorKind::WouldBlock);
    assert!(open, "the stalled connection was closed");

    let stranger_secret = secret_of(&out, "stranger");
    assert!(connect(tls_port, "x1", "good", &mqtt_password(&good_secret), tls()).await.is_ok());
    assert!(
        connect(tls_port, "x2", "good", &mqtt_password(&stranger_secret), tls()).await.is_err(),
        "the wrong password over TLS"
    );
    assert!(
        connect(tls_port, "x3", "good", &mqtt_password(&good_secret), None).await.is_err(),
        "plain MQTT on the TLS port"
    );
    let (ok, text) = fleet(&data, &["check", out.join("good/kiosk.toml").to_str().unwrap()]);
    assert!(ok && text.contains(&format!("mqtts://127.0.0.1:{tls_port}")), "{text}");
    // Without a certificate, `--tls-listen` stops at once and says how to make one.
    let bare = tmp.path().join("bare");
    let (ok, text) = hub_cli_status(&[
        "serve",
        "--data",
        bare.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
        "--tls-listen",
        "127.0.0.1:0",
    ]);
    assert!(!ok && text.contains("server.pem") && text.contains("tls --host"), "{text}");

    let (_, revoked) = fleet(&data, &["revoke", "good"]);
    assert!(revoked.contains("revoked"), "{revoked}");
    assert!(
        connect(tls_port, "x4", "good", &mqtt_password(&good_secret), tls()).await.is_err(),
        "a revoked kiosk over TLS"
    );
}
