//! Software updates on the kiosk: fetch the release the hub points at
//! ([`download`]), check the county's signature with the key in
//! `kiosk.toml` (whatever the hub says), install it beside the running one
//! ([`layout`]), switch at an idle moment, and confirm the new release
//! healthy or let the boot counter bring the old one back.
//!
//! The backend owns one [`Updater`] and carries out what it returns.

pub mod download;
pub mod layout;

use crate::blobs::BlobStore;
use firmware_config::DeviceConfig;
use layout::{BootState, Layout, UpdateResult};
use protocol::messages::{BlobGet, ReleasePointer, ReleaseReported, ReleaseState};
use protocol::release::ReleaseVersion;
use std::time::{Duration, Instant};

/// Room kept free beyond the new release itself, so that the store and
/// the logs never run out because of an update.
pub const SPARE_BYTES: u64 = 64 * 1024 * 1024;

/// What the backend must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    BlobGet(BlobGet),
    Report(ReleaseReported),
    /// Exit so that the service manager starts `current` (a new release,
    /// or this one again after it missed its health deadline).
    Restart(String),
}

/// What this kiosk runs and how its last update went (the staff page).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionInfo {
    pub running: String,
    pub previous: Option<String>,
    /// The last update: version, result (`running`, `rolled_back`,
    /// `failed`) and why, if it did not work.
    pub last: Option<(String, &'static str, Option<String>)>,
}

impl Default for VersionInfo {
    /// This build, never updated (before the backend says more).
    fn default() -> Self {
        VersionInfo { running: BUILD_VERSION.to_owned(), previous: None, last: None }
    }
}

/// The version this build reports when it does not run from the A/B
/// layout (the desktop build, tests).
pub const BUILD_VERSION: &str = env!("CARGO_PKG_VERSION");

pub struct Updater {
    layout: Option<Layout>,
    release_key: Option<[u8; protocol::release::PUBLIC_KEY_LEN]>,
    client: download::ReleaseClient,
    running: Option<ReleaseVersion>,
    /// This process is a release on trial, started at this moment.
    trial: Option<(ReleaseVersion, Instant)>,
    deadline: Duration,
    ui_ready: bool,
    birth_sent: bool,
    /// The hub's latest pointer.
    pointer: Option<ReleasePointer>,
    /// Installed, waiting for an idle moment within its hours.
    installed: Option<ReleasePointer>,
    /// `boot.json` as last read or written: while the kiosk runs, only
    /// this updater changes it, so the status it feeds never reads the disk.
    boot: BootState,
    /// The last report, repeated on each connect (it is retained, and the
    /// broker may have lost it).
    last_report: Option<ReleaseReported>,
    /// Versions refused or given up in this process's life without a
    /// layout to note them in.
    refused: Vec<ReleaseVersion>,
}

impl Updater {
    pub fn new(config: &DeviceConfig, blobs: BlobStore, now: Instant) -> Updater {
        let layout = config.update.as_ref().map(|u| Layout::new(&u.root));
        let running = layout.as_ref().and_then(Layout::current);
        let state = layout.as_ref().and_then(|l| l.state().ok()).unwrap_or_default();
        let trial = state.trying.filter(|t| Some(*t) == running).map(|t| (t, now));
        let mut u = Updater {
            release_key: config.update.as_ref().map(|u| u.release_key),
            client: download::ReleaseClient::new(blobs, config.update.as_ref().map_or(512, |u| u.rate_kbit)),
            deadline: Duration::from_secs(config.update.as_ref().map_or(180, |u| u.health_deadline_s).into()),
            layout,
            running,
            trial,
            ui_ready: false,
            birth_sent: false,
            pointer: None,
            installed: None,
            last_report: None,
            refused: Vec::new(),
            boot: state.clone(),
        };
        // The result of the last update, to tell the hub once connected.
        if let Some(last) = &state.last {
            let state = match last.result {
                UpdateResult::Running => ReleaseState::Running,
                UpdateResult::RolledBack => ReleaseState::RolledBack,
                UpdateResult::Failed => ReleaseState::Failed,
            };
            u.last_report = Some(u.report(last.version, state, 0, 0, last.reason.clone()));
        }
        if let Some((v, _)) = u.trial {
            tracing::info!(version = %v, "running a new release on trial");
        }
        u
    }

    /// The version this process runs, as the hub and the staff page show it.
    pub fn running_version(&self) -> String {
        self.running.map_or_else(|| BUILD_VERSION.to_owned(), |v| v.to_string())
    }

    /// Read `boot.json` again after this updater wrote it.
    fn reload(&mut self) {
        self.boot = self.layout.as_ref().and_then(|l| l.state().ok()).unwrap_or_default();
    }

    pub fn version_info(&self) -> VersionInfo {
        let state = self.boot.clone();
        VersionInfo {
            running: self.running_version(),
            previous: state.previous.map(|v| v.to_string()),
            last: state.last.map(|l| {
                let result = match l.result {
                    UpdateResult::Running => "running",
                    UpdateResult::RolledBack => "rolled_back",
                    UpdateResult::Failed => "failed",
                };
                (l.version.to_string(), result, l.reason)
            }),
        }
    }

    fn report(
        &self,
        version: ReleaseVersion,
        state: ReleaseState,
        done: u64,
        total: u64,
        error: Option<String>,
    ) -> ReleaseReported {
        ReleaseReported {
            version,
            state,
            bytes_done: done,
            bytes_total: total,
            error,
            running: self.running_version(),
            previous: self.boot.previous.map(|v| v.to_string()),
        }
    }

    fn say(&mut self, r: ReleaseReported) -> Action {
        self.last_report = Some(r.clone());
        Action::Report(r)
    }

    /// When the download's next window is due (see [`download::ReleaseClient::next_due`]).
    pub fn next_due(&self) -> Option<Instant> {
        self.client.next_due()
    }

    /// Chunks of `sha` belong to the release download.
    pub fn wants(&self, sha: &str) -> bool {
        self.client.wants(sha)
    }

    fn given_up(&self, v: ReleaseVersion) -> bool {
        self.refused.contains(&v) || self.boot.given_up.contains(&v)
    }

    /// The hub's retained pointer (its HMAC already checked).
    pub fn on_pointer(&mut self, p: ReleasePointer, now: Instant, busy: bool) -> Vec<Action> {
        let v = p.manifest.version;
        self.pointer = Some(p.clone());
        if Some(v) == self.running || self.given_up(v) {
            self.client.stop();
            return Vec::new();
        }
        if self.installed.as_ref().is_some_and(|i| i.manifest == p.manifest)
            || self.client.fetching() == Some(v)
        {
            // Already on its way; the hours may have changed.
            if let Some(i) = &mut self.installed {
                i.install_hours = p.install_hours;
            }
            return Vec::new();
        }
        self.installed = None;
        let Some(layout) = &self.layout else {
            return self
                .refuse(&p, "this kiosk is not set up for updates (no [update] in kiosk.toml)".into());
        };
        if layout.is_installed(v) && layout.manifest(v).as_ref() == Some(&p.manifest) {
            self.installed = Some(p.clone());
            let size = p.manifest.size;
            return vec![self.say(self.report(v, ReleaseState::Installed, size, size, None))];
        }
        // Room for the download and the installed copy beside the running
        // release, checked before a byte is fetched.
        let m = &p.manifest;
        let held = self.client.blobs().partial_len(&m.sha256);
        if let Some(free) = layout.free_bytes()
            && free + held < 2 * m.size + SPARE_BYTES
        {
            let need = (2 * m.size + SPARE_BYTES).saturating_sub(held);
            return self.no_room(&p, free, need);
        }
        let out = self.client.start(p, now, busy);
        self.carry(out)
    }

    /// Not enough disk: said, but not given up.
    fn no_room(&mut self, p: &ReleasePointer, free: u64, need: u64) -> Vec<Action> {
        let why = format!(
            "not installed: {} MiB free, {} MiB needed to keep both releases",
            free / (1 << 20),
            need.div_ceil(1 << 20)
        );
        self.not_now(p, why)
    }

    /// A failure of this kiosk, not of the release (a full disk, an I/O
    /// error): reported, not given up; the next pointer (at the next
    /// birth) tries again, as the keeper may have freed space by then.
    fn not_now(&mut self, p: &ReleasePointer, why: String) -> Vec<Action> {
        tracing::warn!(version = %p.manifest.version, reason = %why, "release not installed for now");
        self.installed = None;
        vec![self.say(self.report(p.manifest.version, ReleaseState::Failed, 0, p.manifest.size, Some(why)))]
    }

    /// Turn the download's actions into ours (checking and installing what
    /// it finished).
    fn carry(&mut self, actions: Vec<download::Action>) -> Vec<Action> {
        let mut out = Vec::new();
        for a in actions {
            match a {
                download::Action::BlobGet(g) => out.push(Action::BlobGet(g)),
                download::Action::Report(state, done, total) => {
                    if let Some(v) =
                        self.client.fetching().or(self.pointer.as_ref().map(|p| p.manifest.version))
                    {
                        out.push(self.say(self.report(v, state, done, total, None)));
                    }
                }
                download::Action::Downloaded(p) => out.extend(self.install(p)),
                download::Action::Failed(p, why) => out.extend(self.not_now(&p, why)),
            }
        }
        out
    }

    /// Check the downloaded release and put it beside the running one.
    fn install(&mut self, p: ReleasePointer) -> Vec<Action> {
        let (Some(layout), Some(key)) = (&self.layout, &self.release_key) else { return Vec::new() };
        let m = &p.manifest;
        if let Err(e) = m.verify(key) {
            return self.refuse(&p, format!("refused: {e} (this kiosk's key in kiosk.toml)"));
        }
        let path = self.client.blobs().path(&m.sha256);
        let need = m.size + SPARE_BYTES;
        if !layout.is_installed(m.version)
            && let Some(free) = layout.free_bytes()
            && free < need
        {
            return self.no_room(&p, free, need);
        }
        if let Err(e) = layout.install(m, &path) {
            return self.not_now(&p, format!("cannot install: {e}"));
        }
        // The installed copy is the release now; the download's bytes go.
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!(error = %e, "cannot remove the downloaded release");
        }
        tracing::info!(version = %m.version, "release installed beside the running one");
        self.installed = Some(p.clone());
        vec![self.say(self.report(m.version, ReleaseState::Installed, m.size, m.size, None))]
    }

    fn refuse(&mut self, p: &ReleasePointer, why: String) -> Vec<Action> {
        let v = p.manifest.version;
        tracing::warn!(version = %v, reason = %why, "release not installed");
        let noted = self.layout.as_ref().map(|l| l.refuse(v, &why, crate::store::now_ms()));
        if let Some(Err(e)) = noted {
            tracing::error!(error = %e, "cannot note the refused release");
        }
        self.refused.push(v);
        self.reload();
        vec![self.say(self.report(v, ReleaseState::Failed, 0, p.manifest.size, Some(why)))]
    }

    pub fn on_chunk(
        &mut self,
        sha: &str,
        offset: u64,
        bytes: &[u8],
        now: Instant,
        busy: bool,
    ) -> Vec<Action> {
        let out = self.client.on_chunk(sha, offset, bytes, now, busy);
        self.carry(out)
    }

    /// Connected (again): the download resumes and the hub hears where
    /// this kiosk is.
    pub fn on_connect(&mut self, now: Instant, busy: bool) -> Vec<Action> {
        let mut out: Vec<Action> = self.last_report.clone().map(Action::Report).into_iter().collect();
        let resumed = self.client.on_connect(now, busy);
        out.extend(self.carry(resumed));
        out
    }

    /// The window is up (or, headless, whatever stands for it).
    pub fn ui_ready(&mut self) -> Vec<Action> {
        self.ui_ready = true;
        self.confirm_if_healthy()
    }

    /// The birth went out on a live connection.
    pub fn birth_sent(&mut self) -> Vec<Action> {
        self.birth_sent = true;
        self.confirm_if_healthy()
    }

    fn confirm_if_healthy(&mut self) -> Vec<Action> {
        let Some((v, _)) = self.trial else { return Vec::new() };
        if !(self.ui_ready && self.birth_sent) {
            return Vec::new();
        }
        let Some(layout) = &self.layout else { return Vec::new() };
        if let Err(e) = layout.confirm(v, crate::store::now_ms()) {
            tracing::error!(error = %e, "cannot confirm the new release");
            return Vec::new();
        }
        self.trial = None;
        self.reload();
        tracing::info!(version = %v, "new release confirmed healthy");
        vec![self.say(self.report(v, ReleaseState::Running, 0, 0, None))]
    }

    /// A few times a second. `busy`: events in flight or a catalog on its
    /// way (the download waits); `idle`: no one at the kiosk (an install may
    /// start).
    pub fn on_tick(&mut self, now: Instant, busy: bool, idle: bool, county_hour: u8) -> Vec<Action> {
        if let Some((v, started)) = self.trial
            && now.duration_since(started) > self.deadline
        {
            tracing::error!(version = %v, "the new release is not healthy by its deadline; restarting");
            self.trial = None;
            return vec![Action::Restart(format!("{v} missed its health deadline"))];
        }
        let out = self.client.on_tick(now, busy);
        let mut out = self.carry(out);
        if let Some(p) = &self.installed
            && idle
            && within(p.install_hours, county_hour)
            && let Some(layout) = &self.layout
        {
            let v = p.manifest.version;
            match layout.switch_to(v) {
                Ok(()) => {
                    tracing::info!(version = %v, "switching to the new release");
                    self.installed = None;
                    self.reload();
                    out.push(Action::Restart(format!("switching to {v}")));
                }
                Err(e) => {
                    let p = p.clone();
                    out.extend(self.refuse(&p, format!("cannot switch: {e}")));
                    self.installed = None;
                }
            }
        }
        out
    }
}

/// The boot check for this kiosk (`kiosk --config … --boot-check`, the
/// unit's `ExecStartPre`); `None` without an `[update]` section.
pub fn boot_check(config: &DeviceConfig) -> Result<Option<layout::BootCheck>, layout::LayoutError> {
    let Some(update) = &config.update else { return Ok(None) };
    Layout::new(&update.root).boot_check(crate::store::now_ms()).map(Some)
}

/// Whether `hour` is in `[from, to)` (wrapping past midnight when `to < from`).
pub fn within(hours: Option<[u8; 2]>, hour: u8) -> bool {
    match hours {
        None => true,
        Some([from, to]) if from <= to => (from..to).contains(&hour),
        Some([from, to]) => hour >= from || hour < to,
    }
}

/// The county hour (Asia/Shanghai, UTC+8) of a Unix-ms moment.
pub fn county_hour(now_ms: u64) -> u8 {
    protocol::county_time::hour_of(i64::try_from(now_ms).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::release::ReleaseManifest;
    use ring::signature::{Ed25519KeyPair, KeyPair};

    fn key() -> Ed25519KeyPair {
        let rng = ring::rand::SystemRandom::new();
        Ed25519KeyPair::from_pkcs8(Ed25519KeyPair::generate_pkcs8(&rng).unwrap().as_ref()).unwrap()
    }

    fn signed(k: &Ed25519KeyPair, version: &str, body: &[u8]) -> ReleaseManifest {
        let version = version.parse().unwrap();
        let (sha256, size) = (protocol::sha256_hex(body), body.len() as u64);
        let signature = hex::encode(k.sign(&protocol::release::signed_bytes(version, &sha256, size)));
        ReleaseManifest { version, sha256, size, signature }
    }

    /// A kiosk on 1.0.0 with its layout, and an updater for it.
    fn kiosk(county: &Ed25519KeyPair) -> (tempfile::TempDir, Updater, Layout) {
        let dir = tempfile::tempdir().unwrap();
        let hub = firmware_config::HubLink {
            url: protocol::BrokerUrl { host: "127.0.0.1".into(), port: 1, tls: false },
            secret: vec![1; 32],
            hub_key: vec![2; 32],
            ca_file: None,
        };
        let id = protocol::KioskId::new("k1").unwrap();
        let mut config =
            DeviceConfig::new(id, firmware_config::Role::Station, "g", 1, hub, dir.path().join("data"));
        let root = dir.path().join("root");
        config.update = Some(firmware_config::UpdateConfig {
            release_key: county.public_key().as_ref().try_into().unwrap(),
            root: root.clone(),
            rate_kbit: 1_000_000,
            health_deadline_s: 60,
        });
        let first = dir.path().join("kiosk-1");
        std::fs::write(&first, b"one").unwrap();
        let layout = Layout::new(&root);
        layout.install_first(&signed(county, "1.0.0", b"one"), &first).unwrap();
        let blobs = BlobStore::new(&config.data_dir).unwrap();
        (dir, Updater::new(&config, blobs, Instant::now()), layout)
    }

    fn feed(u: &mut Updater, p: ReleasePointer, body: &[u8], now: Instant) -> Vec<Action> {
        let mut out = u.on_pointer(p.clone(), now, false);
        for (i, chunk) in body.chunks(protocol::limits::BLOB_CHUNK).enumerate() {
            let offset = (i * protocol::limits::BLOB_CHUNK) as u64;
            out.extend(u.on_chunk(&p.manifest.sha256, offset, chunk, now, false));
        }
        out
    }

    fn states(out: &[Action]) -> Vec<ReleaseState> {
        out.iter()
            .filter_map(|a| match a {
                Action::Report(r) => Some(r.state),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_signed_release_is_installed_and_started_only_when_idle_within_its_hours() {
        let county = key();
        let (_d, mut u, layout) = kiosk(&county);
        assert_eq!(u.running_version(), "1.0.0");
        let body = b"two".repeat(30_000);
        let p = ReleasePointer {
            manifest: signed(&county, "2.0.0", &body),
            notes: String::new(),
            install_hours: Some([2, 5]),
        };
        let t = Instant::now();
        let out = feed(&mut u, p, &body, t);
        assert_eq!(
            states(&out),
            vec![ReleaseState::Downloading, ReleaseState::Verifying, ReleaseState::Installed],
            "{out:?}"
        );
        assert!(layout.is_installed("2.0.0".parse().unwrap()));
        assert!(u.on_tick(t, false, false, 3).is_empty(), "someone is using the kiosk");
        assert!(u.on_tick(t, false, true, 12).is_empty(), "outside its hours");
        let out = u.on_tick(t, false, true, 3);
        assert!(matches!(out.as_slice(), [Action::Restart(_)]), "{out:?}");
        assert_eq!(layout.current().map(|v| v.to_string()).as_deref(), Some("2.0.0"));
        assert_eq!(layout.state().unwrap().trying.map(|v| v.to_string()).as_deref(), Some("2.0.0"));
    }

    #[test]
    fn a_release_signed_with_another_key_is_refused_whatever_the_hub_says() {
        let (county, stranger) = (key(), key());
        let (_d, mut u, layout) = kiosk(&county);
        let body = b"evil".to_vec();
        let p = ReleasePointer {
            manifest: signed(&stranger, "9.0.0", &body),
            notes: String::new(),
            install_hours: None,
        };
        let t = Instant::now();
        let out = feed(&mut u, p.clone(), &body, t);
        assert_eq!(states(&out).last(), Some(&ReleaseState::Failed), "{out:?}");
        assert!(!layout.is_installed("9.0.0".parse().unwrap()));
        assert!(u.on_tick(t, false, true, 3).is_empty(), "nothing to start");
        assert!(u.on_pointer(p, t, false).is_empty(), "not fetched again");
        let info = u.version_info();
        assert_eq!(info.last.map(|l| l.1), Some("failed"));
    }

    #[test]
    fn install_hours_wrap_past_midnight() {
        assert!(within(None, 13));
        assert!(within(Some([2, 5]), 2) && within(Some([2, 5]), 4) && !within(Some([2, 5]), 5));
        assert!(within(Some([22, 3]), 23) && within(Some([22, 3]), 0) && !within(Some([22, 3]), 12));
        assert_eq!(county_hour(0), 8);
        assert_eq!(county_hour(16 * 3600 * 1000), 0);
    }
}
