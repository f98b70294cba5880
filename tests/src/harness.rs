//! Real components for end-to-end tests: the hub as a child process (so it
//! can be killed with SIGKILL), Mosquitto on a free port with a generated
//! config, and a kiosk registered through the hub's own CLI.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `hub` binary built from `hub/src/main.rs` for this crate. Integration
/// tests run from `target/<profile>/deps/` and cargo builds the crate's
/// binaries one level up; this crate's own binaries sit beside it.
pub fn hub_bin() -> PathBuf {
    bin("hub-e2e")
}

/// The ingest benchmark's ceiling: the hub's server acknowledging without
/// storing (`tests/src/bin/hub-stand-in.rs`).
pub fn hub_stand_in_bin() -> PathBuf {
    bin("hub-stand-in")
}

/// The production kiosk binary (`kiosk`, built here as `kiosk-e2e`).
pub fn kiosk_bin() -> PathBuf {
    bin("kiosk-e2e")
}

/// The fleet simulator binary (`kiosk-sim`), found the same way.
pub fn kiosk_sim_bin() -> PathBuf {
    bin("kiosk-sim")
}

fn bin(base: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("executable path");
    let name = format!("{base}{}", std::env::consts::EXE_SUFFIX);
    let dir = exe.parent().expect("executable folder");
    let candidates = [dir.join(&name), dir.parent().expect("target folder").join(&name)];
    let found = candidates.iter().find(|p| p.exists()).cloned();
    found.unwrap_or_else(|| {
        panic!("{name} is missing beside {}; build with `cargo build -p e2e`", exe.display())
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Run a `hub` CLI command to completion; panics with its output on failure.
pub fn hub_cli(args: &[&str]) -> String {
    hub_cli_of(&hub_bin(), args)
}

/// Wait until `hub kiosks --json` shows the first kiosk as `cond` wants.
/// The hub learns a kiosk's state from its reports, after the kiosk itself
/// knows it, so a test reads the hub's view by waiting, never at once.
pub async fn wait_kiosk_row(
    data: &Path,
    what: &str,
    cond: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    wait_kiosk_row_within(data, Duration::from_secs(30), what, cond).await
}

/// The same, waiting up to `within` (a keep-alive running out takes longer).
pub async fn wait_kiosk_row_within(
    data: &Path,
    within: Duration,
    what: &str,
    cond: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + within;
    loop {
        let rows = hub_json(&["kiosks", "--json", "--data", data.to_str().unwrap()]);
        if cond(&rows[0]) {
            return rows[0].clone();
        }
        assert!(Instant::now() < deadline, "hub never showed {what}: {rows:#}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The same with another `hub` binary (a previous release's).
pub fn hub_cli_of(bin: &Path, args: &[&str]) -> String {
    let out = Command::new(bin).args(args).output().expect("run hub");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "hub {args:?} failed:\n{text}");
    text
}

/// A `hub` command's standard output parsed as JSON (warnings on stderr,
/// such as a nearly full disk, stay out of it); panics on failure.
pub fn hub_json(args: &[&str]) -> serde_json::Value {
    hub_json_of(&hub_bin(), args)
}

/// The same with another `hub` binary (a previous release's).
pub fn hub_json_of(bin: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(bin).args(args).output().expect("run hub");
    assert!(out.status.success(), "hub {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("hub {args:?} did not print JSON ({e}):\n{}", String::from_utf8_lossy(&out.stdout))
    })
}

/// A `hub` command's standard output alone (its log and warnings go to
/// stderr); panics on failure.
pub fn hub_stdout(args: &[&str]) -> String {
    let out = Command::new(hub_bin()).args(args).output().expect("run hub");
    assert!(out.status.success(), "hub {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("hub prints UTF-8")
}

/// `hub report --by <by> --from --to --format json` rows for a store.
pub fn hub_report(data: &Path, by: &str, from: &str, to: &str) -> Vec<serde_json::Value> {
    let d = data.to_str().expect("a UTF-8 path");
    match hub_json(&["report", "--by", by, "--from", from, "--to", to, "--format", "json", "--data", d]) {
        serde_json::Value::Array(rows) => rows,
        other => panic!("hub report --by {by} is not a list: {other}"),
    }
}

/// Run a `hub` CLI command that may fail: (success, stdout + stderr).
pub fn hub_cli_status(args: &[&str]) -> (bool, String) {
    let out = Command::new(hub_bin()).args(args).output().expect("run hub");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Which broker a hub process uses.
#[derive(Clone, Copy, Debug)]
pub enum BrokerMode {
    /// The hub's embedded broker on this port.
    Embedded(u16),
    /// An external broker on this port.
    External(u16),
}

impl BrokerMode {
    pub fn port(self) -> u16 {
        match self {
            BrokerMode::Embedded(p) | BrokerMode::External(p) => p,
        }
    }
}

/// A `hub serve` child process; killed (SIGKILL) on drop.
pub struct HubProcess {
    child: Child,
    pub data: PathBuf,
    pub mode: BrokerMode,
    /// The staff console's port (plain HTTP on 127.0.0.1).
    pub web_port: u16,
    /// Its stderr, `<data>/hub.log` unless the test put it elsewhere.
    log: PathBuf,
}

impl HubProcess {
    /// Start `hub serve` and wait until it says it is online (its retained
    /// `_hub/state`, newer than this start), as a kiosk would before sending.
    pub async fn start(data: &Path, mode: BrokerMode) -> HubProcess {
        Self::start_logging(data, mode, "info").await
    }

    /// The same with a log filter (`RUST_LOG` syntax) for tests that read the log.
    pub async fn start_logging(data: &Path, mode: BrokerMode, filter: &str) -> HubProcess {
        Self::start_inner(data, mode, None, filter, &[]).await
    }

    /// With TLS on `tls_port` as well: the embedded broker also listens for
    /// TLS there (`--tls-listen`), or the hub reaches the external broker
    /// through its TLS listener there (`--broker mqtts://`). Either way with
    /// the certificates in `<data>/tls/`; readiness is still probed on the
    /// plain port.
    pub async fn start_tls(data: &Path, mode: BrokerMode, tls_port: u16) -> HubProcess {
        Self::start_inner(data, mode, Some(tls_port), "info", &[]).await
    }

    /// `start_tls` with more `hub serve` arguments.
    pub async fn start_tls_with(data: &Path, mode: BrokerMode, tls_port: u16, extra: &[&str]) -> HubProcess {
        Self::start_inner(data, mode, Some(tls_port), "info", extra).await
    }

    /// With more `hub serve` arguments (`--web-tls`, …).
    pub async fn start_with(data: &Path, mode: BrokerMode, extra: &[&str]) -> HubProcess {
        Self::start_inner(data, mode, None, "info", extra).await
    }

    /// Another `hub` binary (a previous release's), as `start`.
    pub async fn start_binary(bin: &Path, data: &Path, mode: BrokerMode) -> HubProcess {
        let since =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
        let hub = Self::spawn_bin(bin, data, mode, None, "info", &[], &data.join("hub.log"));
        hub.wait_online(since).await;
        hub
    }

    async fn start_inner(
        data: &Path,
        mode: BrokerMode,
        tls_port: Option<u16>,
        filter: &str,
        extra: &[&str],
    ) -> HubProcess {
        let since =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
        let hub = Self::spawn(data, mode, tls_port, filter, extra);
        hub.wait_online(since).await;
        hub
    }

    async fn wait_online(&self, since: u64) {
        let key = hub_key(&self.data);
        let deadline = Instant::now() + Duration::from_secs(20);
        while !hub_online_since(self.mode.port(), &key, since).await {
            assert!(Instant::now() < deadline, "hub never came online; log:\n{}", self.log());
        }
    }

    fn spawn(
        data: &Path,
        mode: BrokerMode,
        tls_port: Option<u16>,
        filter: &str,
        extra: &[&str],
    ) -> HubProcess {
        Self::spawn_logging_to(data, mode, tls_port, filter, extra, &data.join("hub.log"))
    }

    fn spawn_logging_to(
        data: &Path,
        mode: BrokerMode,
        tls_port: Option<u16>,
        filter: &str,
        extra: &[&str],
        log_path: &Path,
    ) -> HubProcess {
        Self::spawn_bin(&hub_bin(), data, mode, tls_port, filter, extra, log_path)
    }

    fn spawn_bin(
        bin: &Path,
        data: &Path,
        mode: BrokerMode,
        tls_port: Option<u16>,
        filter: &str,
        extra: &[&str],
        log_path: &Path,
    ) -> HubProcess {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(log_path).expect("hub log");
        let mut cmd = Command::new(bin);
        // Every hub of a test run has a console of its own on a free port.
        let web_port = free_port();
        cmd.arg("serve")
            .arg("--data")
            .arg(data)
            .args(["--web", &format!("127.0.0.1:{web_port}")])
            .args(extra);
        match (mode, tls_port) {
            (BrokerMode::Embedded(port), None) => cmd.args(["--listen", &format!("127.0.0.1:{port}")]),
            (BrokerMode::Embedded(port), Some(tls)) => cmd.args([
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--tls-listen",
                &format!("127.0.0.1:{tls}"),
            ]),
            (BrokerMode::External(port), None) => cmd.args(["--broker", &format!("mqtt://127.0.0.1:{port}")]),
            (BrokerMode::External(_), Some(tls)) => {
                cmd.args(["--broker", &format!("mqtts://127.0.0.1:{tls}")])
            }
        };
        let child = cmd.env("RUST_LOG", filter).stdout(Stdio::null()).stderr(log).spawn().expect("start hub");
        let mut hub = HubProcess { child, data: data.to_owned(), mode, web_port, log: log_path.to_owned() };
        // Started means listening with its key written. A hub that exits
        // instead (a port taken since `free_port` chose it) says so at once,
        // with its log; a slow machine gets a minute.
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", mode.port())).is_err()
            || !data.join("hub.key").exists()
        {
            if let Ok(Some(status)) = hub.child.try_wait() {
                panic!("hub exited at start ({status}); log:\n{}", hub.log());
            }
            assert!(Instant::now() < deadline, "hub did not start within a minute; log:\n{}", hub.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        hub
    }

    /// SIGKILL: no clean shutdown, no last words.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The `hub serve` process's id (for /proc readings).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Whether the process is still running (it must never die on input).
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One try: does a fresh subscriber see the hub online, stated at or after `since`?
async fn hub_online_since(port: u16, hub_key: &[u8], since: u64) -> bool {
    let mut opts = rumqttc::MqttOptions::new(format!("ready-{}", free_port()), "127.0.0.1", port);
    opts.set_max_packet_size(protocol::limits::MAX_PACKET, protocol::limits::MAX_PACKET);
    // As the hub's user: a broker with an ACL lets only the hub read everything.
    opts.set_credentials(protocol::credentials::HUB_USER, protocol::credentials::mqtt_password(hub_key));
    let (client, ev) = rumqttc::AsyncClient::new(opts, 16);
    let mut ev = crate::mqtt_pump::pump(ev);
    let _ = client.subscribe(protocol::Topic::HubState.to_string(), rumqttc::QoS::AtLeastOnce).await;
    let seen = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(e) = ev.recv().await {
            if let Ok(rumqttc::Event::Incoming(rumqttc::Packet::Publish(p))) = e
                && let Ok(s) = protocol::decode::<protocol::messages::HubState>(
                    &protocol::Topic::HubState,
                    &p.payload,
                    hub_key,
                )
                && s.online
                && s.ts + 1000 >= since
            {
                return true;
            }
        }
        false
    })
    .await;
    let _ = client.disconnect().await;
    seen.unwrap_or(false)
}

pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A Mosquitto broker on a free loopback port; killed on drop.
pub struct Mosquitto {
    child: Child,
    pub port: u16,
    settings: String,
    _dir: tempfile::TempDir,
}

impl Mosquitto {
    /// Start Mosquitto. A test that calls this carries
    /// `#[cfg_attr(kh_no_mosquitto, ignore = …)]`: where Mosquitto is not
    /// installed it is ignored (and counted so), so here absence fails.
    pub fn start() -> Mosquitto {
        Self::start_with("allow_anonymous true\n", free_port())
    }

    /// The same on `port`, with these lines instead of `allow_anonymous
    /// true` (a password file, an ACL).
    pub fn start_with(settings: &str, port: u16) -> Mosquitto {
        Self::start_on(&crate::tools::require("mosquitto"), port, settings)
    }

    /// For the bench binaries, which measure Mosquitto when it is there.
    pub fn installed() -> bool {
        crate::tools::find("mosquitto").is_some()
    }

    fn start_on(bin: &Path, port: u16, settings: &str) -> Mosquitto {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("mosquitto.conf");
        // max_packet_size matches what the hub and kiosks accept, plus
        // headers. Without set_tcp_nodelay, small acks wait for Nagle's
        // algorithm (tens of milliseconds each). Mosquitto's defaults (20 messages in flight and 1,000
        // queued per client, QoS 1 messages beyond that dropped) throttle
        // the hub's one subscription that carries every kiosk's traffic.
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\nset_tcp_nodelay true\n{settings}persistence false\nmax_packet_size {}\n\
                 max_inflight_messages 1000\nmax_queued_messages 100000\nlog_dest stderr\n",
                protocol::limits::MAX_PACKET + 1024
            ),
        )
        .unwrap();
        let child = Command::new(bin)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mosquitto");
        wait_for_port(port);
        Mosquitto { child, port, settings: settings.to_owned(), _dir: dir }
    }

    /// Stop and start again on the same port: a broker that forgot everything.
    pub fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let bin = crate::tools::require("mosquitto");
        // The port may take a moment to be free again.
        std::thread::sleep(Duration::from_millis(200));
        let fresh = Self::start_on(&bin, self.port, &self.settings);
        *self = fresh;
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Register a kiosk with the hub's CLI: its secret and station number.
pub fn register_kiosk_station(data: &Path, kid: &str, group: &str) -> (Vec<u8>, u16) {
    let secret = register_kiosk(data, kid, group);
    let rows: serde_json::Value = hub_json(&["kiosks", "--json", "--data", data.to_str().unwrap()]);
    let row = rows.as_array().unwrap().iter().find(|r| r["kiosk"] == kid).expect("registered kiosk listed");
    (secret, row["station_no"].as_u64().unwrap() as u16)
}

/// Set a station kiosk up with the hub's CLI (`hub fleet new`, its folder
/// under `<data>/provisioned/`) and return its secret.
pub fn register_kiosk(data: &Path, kid: &str, group: &str) -> Vec<u8> {
    register_as(data, kid, group, "station")
}

/// The same for any role (`showroom`, `station`, `bigscreen`).
pub fn register_as(data: &Path, kid: &str, group: &str, role: &str) -> Vec<u8> {
    register_with(&hub_bin(), data, kid, group, role)
}

/// The same with another `hub` binary (a previous release's).
pub fn register_with(bin: &Path, data: &Path, kid: &str, group: &str, role: &str) -> Vec<u8> {
    let out = data.join("provisioned");
    hub_cli_of(
        bin,
        &[
            "fleet",
            "--data",
            data.to_str().unwrap(),
            "new",
            kid,
            "--role",
            role,
            "--group",
            group,
            "--hub",
            "mqtt://127.0.0.1:1883",
            "--pin",
            "2468",
            "--data-dir",
            "data",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    hex::decode(std::fs::read_to_string(out.join(kid).join("secret")).unwrap().trim()).unwrap()
}

pub fn hub_key(data: &Path) -> Vec<u8> {
    hex::decode(std::fs::read_to_string(data.join("hub.key")).unwrap().trim()).unwrap()
}

/// Copy a catalog folder (to edit it in a test).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

pub fn sample_catalog() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/catalog/tongcheng")
}

/// Bytes of every file under `dir`, all the way down.
pub fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| match e.metadata().unwrap() {
            m if m.is_dir() => folder_bytes(&e.path()),
            m => m.len(),
        })
        .sum()
}

/// Change a copy of the sample catalog into its next version `n + 1`
/// (from 1): the camellia oil's price moves up a yuan and one of its images
/// changes, so a kiosk syncs a small delta and one new image.
pub fn edit_sample_catalog(catalog: &Path, n: u64) {
    let products = std::fs::read_to_string(catalog.join("products.csv")).unwrap();
    let (from, to) = (format!("500毫升/瓶,{},", 67 + n), format!("500毫升/瓶,{},", 68 + n));
    let changed = products.replacen(&from, &to, 1);
    assert_ne!(changed, products, "the oil's price {from} is in the sample catalog");
    std::fs::write(catalog.join("products.csv"), changed).unwrap();
    make_png(&catalog.join("images/camellia-oil-500-1.png"), 320, 240, [200, 150, 40], Some(n));
}

/// A PNG of `w`×`h`: solid `rgb`, or noise (incompressible) when `noise_seed` is set.
pub fn make_png(path: &Path, w: u32, h: u32, rgb: [u8; 3], noise_seed: Option<u64>) {
    let file = std::fs::File::create(path).unwrap();
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().unwrap();
    let mut data = Vec::with_capacity((w * h * 3) as usize);
    let mut x = noise_seed.unwrap_or(0).wrapping_mul(6364136223846793005).wrapping_add(1);
    for _ in 0..w * h {
        match noise_seed {
            Some(_) => {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                data.extend_from_slice(&(x >> 40).to_le_bytes()[..3]);
            }
            None => data.extend_from_slice(&rgb),
        }
    }
    writer.write_image_data(&data).unwrap();
}

/// A kiosk's birth with placeholder fields, for tests that forge or replay
/// one (signing it is up to the test).
pub fn test_birth(session: u64) -> protocol::messages::Status {
    protocol::messages::Status::Online(protocol::messages::Birth {
        session,
        boot_id: "x".into(),
        app_version: "x".into(),
        catalog_version: 0,
        outbox_depth: 0,
        lifetime_totals: std::collections::BTreeMap::new(),
        ts: 0,
        held_from: None,
        features: Vec::new(),
    })
}
