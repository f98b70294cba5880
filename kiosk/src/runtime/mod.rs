//! The kiosk runtime: the backend thread (MQTT, sync, flusher, presence,
//! commands) and the handle the UI, the simulator and the tests use.
//!
//! Recording goes straight to the outbox on the caller's thread and is
//! durable when `record` returns; the backend is only woken to send it.

mod backend;
pub mod flusher;
pub mod hub_commands;
pub mod link_failure;
pub mod mqtt_pump;
pub mod presence;

use crate::blobs::BlobStore;
use crate::catalog_sync::Progress;
use crate::store::catalog_cache::CatalogCache;
use crate::store::outbox::Outbox;
use crate::store::requests::{Lookup, MyRequest, RequestForm, SubmitError};
pub use crate::store::screen_figures::Received;
use crate::store::signups::{MySignup, SignupError, SignupForm};
use crate::store::{StoreError, now_ms};
use firmware_config::DeviceConfig;
use hub_commands::UiCommand;
pub use link_failure::{LinkDown, LinkFailure};
use protocol::catalog::Snapshot;
use protocol::county_time;
use protocol::messages::EventKind;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{Notify, mpsc, watch};

/// What the UI shows about the kiosk's link and state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KioskStatus {
    /// Connected to the broker.
    pub connected: bool,
    /// The hub says it is online (events flow only then).
    pub hub_online: bool,
    pub outbox_depth: u64,
    pub sync: Progress,
    /// The last recording failure (a full disk), shown on the staff page.
    pub store_error: Option<String>,
    pub session: u64,
    /// Why the last connection attempt failed (refused login, untrusted
    /// certificate, no route), until the next one succeeds.
    pub link_down: Option<LinkDown>,
    /// Connection attempts that failed since start (each retry counts).
    pub link_failures: u64,
    /// Messages refused since start: a bad signature, a malformed body,
    /// another kiosk's address, an unknown topic. What a tamperer leaves.
    pub refused: u64,
    /// The hub asked for a restart, or a new release is ready to start;
    /// the appliance exits and its service manager starts it again.
    pub restart_requested: bool,
    /// The software running, the one before, the last update's result.
    pub software: crate::update::VersionInfo,
}

pub(crate) struct Shared {
    pub config: DeviceConfig,
    /// TLS to the hub's broker (`mqtts://`); plain TCP when `None`.
    pub transport: Option<rumqttc::Transport>,
    pub outbox: Outbox,
    pub catalog_cache: CatalogCache,
    pub blobs: BlobStore,
    pub catalog: watch::Sender<Option<Arc<Snapshot>>>,
    /// The big screen's figures: the last kept, then each the hub sends.
    pub figures: watch::Sender<Option<Received>>,
    pub status: watch::Sender<KioskStatus>,
    /// Commands for the UI (set-language, reload, screenshot); none without a UI.
    pub ui: Mutex<Option<mpsc::UnboundedSender<UiCommand>>>,
    pub clock_trusted: AtomicBool,
    pub wake: Notify,
    pub stop: Notify,
    pub boot_id: String,
    /// Someone is using the kiosk (off the attract loop): no update starts.
    pub in_use: AtomicBool,
    /// The window is up (headless runtimes say so at once): part of a new
    /// release's health.
    pub ui_ready: AtomicBool,
    /// The features announced in each birth: which catalog items the hub sends.
    pub reads: Vec<String>,
    /// Seats left at training sessions, as the hub last counted them.
    pub seats: watch::Sender<Option<protocol::messages::SeatsLeft>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Blobs(#[from] crate::blobs::BlobError),
    #[error("hub TLS: {0}")]
    Tls(#[from] county_tls::TlsError),
    #[error("hub address {0} is TLS but no `ca_file` is configured")]
    NoCa(String),
}

/// A running kiosk backend. Dropping it stops the backend thread.
pub struct Runtime {
    handle: Handle,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Cheap to clone; usable from any thread.
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

impl Runtime {
    /// Open the kiosk's store under `config.data_dir` and start the backend.
    pub fn start(config: DeviceConfig) -> Result<Runtime, StartError> {
        let reads = protocol::catalog::features::READ_BY_THIS_BUILD.map(String::from).to_vec();
        Self::start_reading(config, reads)
    }

    /// [`Runtime::start`] for a kiosk that announces only `reads`: the
    /// catalog items an older build would be sent (compatibility tests).
    pub fn start_reading(config: DeviceConfig, reads: Vec<String>) -> Result<Runtime, StartError> {
        // A CA file that cannot be read is a set-up error, reported now,
        // not a connection that fails quietly forever.
        let transport = match (&config.hub.url.tls, &config.hub.ca_file) {
            (false, _) => None,
            (true, Some(ca)) => Some(county_tls::mqtt_transport(ca)?),
            (true, None) => return Err(StartError::NoCa(config.hub.url.to_string())),
        };
        let db = config.data_dir.join("kiosk.db");
        let outbox = Outbox::open(&db)?;
        let catalog_cache = CatalogCache::open(&db)?;
        let blobs = BlobStore::new(&config.data_dir)?;
        let applied = catalog_cache.load()?;
        let depth = outbox.state()?.depth;
        let seats = outbox.load_seats()?;
        let figures = match config.role {
            firmware_config::Role::Bigscreen => outbox.with(crate::store::screen_figures::load)?,
            _ => None,
        };
        let shared = Arc::new(Shared {
            config,
            transport,
            outbox,
            catalog_cache,
            blobs,
            catalog: watch::Sender::new(applied.map(Arc::new)),
            figures: watch::Sender::new(figures),
            status: watch::Sender::new(KioskStatus { outbox_depth: depth, ..KioskStatus::default() }),
            ui: Mutex::new(None),
            // Before any word from the hub, a clock past the floor is believed: a
            // board whose real-time clock was reset reads 1970 or 2000.
            clock_trusted: AtomicBool::new(now_ms() > county_time::CLOCK_FLOOR_MS),
            wake: Notify::new(),
            stop: Notify::new(),
            boot_id: hex::encode(rand::random::<[u8; 8]>()),
            in_use: AtomicBool::new(false),
            ui_ready: AtomicBool::new(false),
            reads,
            seats: watch::Sender::new(seats),
        });
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kiosk-backend".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("tokio runtime");
                rt.block_on(backend::run(s));
            })
            .expect("spawning the backend thread");
        Ok(Runtime { handle: Handle { shared }, thread: Some(thread) })
    }

    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.handle.shared.stop.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Handle {
    pub fn config(&self) -> &DeviceConfig {
        &self.shared.config
    }

    fn clock(&self) -> (u64, bool) {
        (now_ms(), self.shared.clock_trusted.load(Ordering::Relaxed))
    }

    fn recorded<T>(&self, r: Result<T, StoreError>) -> Result<T, StoreError> {
        let error = r.as_ref().err().map(|e| e.to_string());
        if let Some(e) = &error {
            tracing::error!(error = %e, "interaction not recorded");
        }
        let depth = self.shared.outbox.state().map(|s| s.depth).ok();
        self.shared.status.send_modify(|s| {
            s.store_error = error;
            if let Some(d) = depth {
                s.outbox_depth = d;
            }
        });
        self.shared.wake.notify_one();
        r
    }

    /// Record an interaction; durable when this returns. Call it before the
    /// screen changes.
    pub fn record(&self, kind: EventKind) -> Result<u64, StoreError> {
        let (t, trusted) = self.clock();
        self.recorded(self.shared.outbox.record(kind, t, trusted))
    }

    /// Record an interaction that happened at `t` (Unix ms): for the fleet
    /// simulator and replays; the UI uses [`Handle::record`].
    pub fn record_at(&self, kind: EventKind, t: u64) -> Result<u64, StoreError> {
        self.recorded(self.shared.outbox.record(kind, t, true))
    }

    /// Take a service request: checked, numbered and recorded.
    pub fn submit_request(&self, form: &RequestForm) -> Result<MyRequest, SubmitError> {
        let (t, trusted) = self.clock();
        let yymmdd = county_time::yymmdd_of(t as i64);
        let station = self.shared.config.station_no;
        match self.shared.outbox.submit_request(form, station, &yymmdd, t, trusted) {
            Err(SubmitError::Store(e)) => {
                Err(SubmitError::Store(self.recorded(Err::<(), _>(e)).unwrap_err()))
            }
            other => {
                let _ = self.recorded(Ok(()));
                other
            }
        }
    }

    /// Count a parcel scanned at the desk (once per waybill and
    /// direction); the waybill leaves the kiosk as `kiosk.toml` says.
    pub fn record_parcel(
        &self,
        entry: &crate::store::parcels::ParcelEntry,
    ) -> Result<crate::store::parcels::Logged, StoreError> {
        let (t, trusted) = self.clock();
        let config = &self.shared.config;
        let sent = match config.waybills {
            firmware_config::WaybillPolicy::Full => (entry.waybill.clone(), false),
            firmware_config::WaybillPolicy::Hashed => {
                (protocol::privacy::hash_waybill(&config.hub.hub_key, &entry.waybill), true)
            }
        };
        self.recorded(self.shared.outbox.record_parcel(
            entry,
            &county_time::yymmdd_of(t as i64),
            t,
            trusted,
            sent,
        ))
    }

    /// Today's parcels at this desk, by direction and carrier.
    pub fn parcels_today(&self) -> Result<crate::store::parcels::DayCounts, StoreError> {
        self.shared.outbox.parcel_counts(&county_time::yymmdd_of(now_ms() as i64))
    }

    pub fn remembered_carrier(&self, number: &str) -> Result<Option<String>, StoreError> {
        self.shared.outbox.remembered_carrier(number)
    }

    pub fn remember_carrier(&self, number: &str, carrier: &str) -> Result<(), StoreError> {
        self.shared.outbox.remember_carrier(number, carrier)
    }

    pub fn my_requests(&self, lookup: &Lookup) -> Result<Vec<MyRequest>, StoreError> {
        self.shared.outbox.my_requests(lookup)
    }

    /// Take a training sign-up: durable (and pending) when this returns.
    pub fn submit_signup(&self, form: &SignupForm) -> Result<MySignup, SignupError> {
        let (t, trusted) = self.clock();
        let yymmdd = county_time::yymmdd_of(t as i64);
        let station = self.shared.config.station_no;
        let key = protocol::privacy::phone_key(&self.shared.config.hub.secret, &form.phone);
        match self.shared.outbox.submit_signup(form, &key, station, &yymmdd, t, trusted) {
            Err(SignupError::Store(e)) => {
                Err(SignupError::Store(self.recorded(Err::<(), _>(e)).unwrap_err()))
            }
            other => {
                let _ = self.recorded(Ok(()));
                other
            }
        }
    }

    /// Cancel a sign-up taken here; false when there is nothing to cancel.
    pub fn cancel_signup(&self, signup_id: &str) -> Result<bool, StoreError> {
        let (t, trusted) = self.clock();
        self.recorded(self.shared.outbox.cancel_signup(signup_id, t, trusted))
    }

    /// Seats left at training sessions, as the hub last counted them
    /// (`ts` says when); `None` until a hub that takes sign-ups has said.
    pub fn seats_left(&self) -> watch::Receiver<Option<protocol::messages::SeatsLeft>> {
        self.shared.seats.subscribe()
    }

    pub fn my_signups(&self, lookup: &Lookup) -> Result<Vec<MySignup>, StoreError> {
        self.shared.outbox.my_signups(lookup)
    }

    /// The catalog version on screen; changes when a new one is applied.
    pub fn catalog(&self) -> watch::Receiver<Option<Arc<Snapshot>>> {
        self.shared.catalog.subscribe()
    }

    /// The big screen's figures (always `None` on other roles).
    pub fn figures(&self) -> watch::Receiver<Option<Received>> {
        self.shared.figures.subscribe()
    }

    pub fn status(&self) -> watch::Receiver<KioskStatus> {
        self.shared.status.subscribe()
    }

    /// Where an image of the catalog is stored.
    pub fn blob_path(&self, sha256: &str) -> PathBuf {
        self.shared.blobs.path(sha256)
    }

    /// Receive the hub's commands meant for the UI.
    pub fn ui_commands(&self) -> mpsc::UnboundedReceiver<UiCommand> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.shared.ui.lock().expect("ui lock") = Some(tx);
        rx
    }

    /// The window is up (a headless runtime calls this once it runs): with
    /// the store open and the birth sent, a new release is healthy.
    pub fn ui_ready(&self) {
        self.shared.ui_ready.store(true, Ordering::Relaxed);
        self.shared.wake.notify_one();
    }

    /// Whether someone is using the kiosk now (a visit, a parcel at the
    /// desk): an update waits until no one is.
    pub fn set_in_use(&self, in_use: bool) {
        self.shared.in_use.store(in_use, Ordering::Relaxed);
    }

    /// Outbox figures (for the staff page and tests).
    pub fn outbox_state(&self) -> Result<crate::store::outbox::OutboxState, StoreError> {
        self.shared.outbox.state()
    }
}
