//! A protocol-level kiosk for end-to-end tests: it speaks `kh/v1` over a
//! real MQTT connection exactly as a kiosk must (birth and will, signed
//! requests, delta or snapshot, blobs resumable by offset, every hash
//! verified before anything is applied) and records what happened so tests
//! can assert on it. The production kiosk runtime (issue #4) keeps its
//! state in SQLite; this one keeps it in a folder.

use protocol::catalog::{Document, Snapshot};
use protocol::messages::*;
use protocol::{KioskId, Topic, TopicKind, decode, encode, limits};
use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Packet, QoS};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a test can observe.
#[derive(Default, Debug, Clone)]
pub struct Observed {
    pub hub_online: bool,
    pub pointer: Option<CatalogPointer>,
    pub applied: Option<Snapshot>,
    pub docs: Vec<CatalogDoc>,
    /// Every chunk received: (sha256, offset, len).
    pub chunks: Vec<(String, u64, usize)>,
    /// Blobs fetched to completion and verified, in order.
    pub completed_blobs: Vec<String>,
    pub errors: Vec<String>,
    pub connects: u64,
}

impl Observed {
    pub fn chunk_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| c.2 as u64).sum()
    }
    pub fn applied_version(&self) -> u64 {
        self.applied.as_ref().map_or(0, |s| s.version)
    }
}

#[derive(Clone)]
pub struct KioskConfig {
    pub kid: KioskId,
    pub secret: Vec<u8>,
    pub hub_key: Vec<u8>,
    pub host: String,
    pub port: u16,
    /// The kiosk's local folder: blobs, partial downloads, applied catalog.
    pub dir: PathBuf,
}

/// A running test kiosk; dropping it stops it (without a clean offline).
pub struct TestKiosk {
    pub observed: Arc<Mutex<Observed>>,
    task: tokio::task::JoinHandle<()>,
    dir: PathBuf,
}

impl Drop for TestKiosk {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestKiosk {
    pub fn start(cfg: KioskConfig) -> TestKiosk {
        for sub in ["blobs", "partial"] {
            std::fs::create_dir_all(cfg.dir.join(sub)).expect("kiosk folder");
        }
        let observed =
            Arc::new(Mutex::new(Observed { applied: load_applied(&cfg.dir), ..Default::default() }));
        let dir = cfg.dir.clone();
        let task = tokio::spawn(run(cfg, observed.clone()));
        TestKiosk { observed, task, dir }
    }

    pub fn snapshot(&self) -> Observed {
        self.observed.lock().unwrap().clone()
    }

    pub fn has_blob(&self, sha: &str) -> bool {
        self.dir.join("blobs").join(sha).exists()
    }

    /// Wait until `cond` holds or `timeout` passes; returns the last observation.
    pub async fn wait_for(
        &self,
        timeout: Duration,
        what: &str,
        cond: impl Fn(&Observed) -> bool,
    ) -> Observed {
        let deadline = Instant::now() + timeout;
        loop {
            let o = self.snapshot();
            if cond(&o) {
                return o;
            }
            if Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; observed: pointer={:?} applied={} docs={} chunks={} errors={:?}",
                    o.pointer,
                    o.applied_version(),
                    o.docs.len(),
                    o.chunks.len(),
                    o.errors
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn load_applied(dir: &Path) -> Option<Snapshot> {
    let bytes = std::fs::read(dir.join("applied.json")).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// One blob being fetched.
struct Fetch {
    sha256: String,
    size: u64,
    /// Offset of the window last asked for, and when.
    asked_at: u64,
    last_progress: Instant,
}

enum Stage {
    Idle,
    /// Asked for a document, waiting for `catalog/doc`.
    WaitingDoc {
        want: u64,
        since: Instant,
    },
    /// Fetching the document blob.
    FetchingDoc {
        doc: CatalogDoc,
    },
    /// Fetching images; `next` holds the new snapshot until they are all here.
    FetchingImages {
        next: Snapshot,
        queue: VecDeque<(String, u64)>,
        total: u64,
    },
}

struct Kiosk {
    cfg: KioskConfig,
    client: AsyncClient,
    obs: Arc<Mutex<Observed>>,
    session: u64,
    stage: Stage,
    fetch: Option<Fetch>,
}

async fn run(cfg: KioskConfig, obs: Arc<Mutex<Observed>>) {
    let session_file = cfg.dir.join("session");
    let mut session: u64 =
        std::fs::read_to_string(&session_file).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(0);
    let mut opts = MqttOptions::new(cfg.kid.to_string(), &cfg.host, cfg.port);
    opts.set_keep_alive(Duration::from_secs(5));
    opts.set_max_packet_size(limits::MAX_PACKET, limits::MAX_PACKET);
    opts.set_clean_session(true);
    // The will names the session it ends: set it for the connect to come.
    let will_for = |session: u64| {
        let will = encode(
            &Topic::Status(cfg.kid.clone()),
            &Status::Offline(Death { session, reason: None }),
            &cfg.secret,
        )
        .unwrap();
        LastWill::new(Topic::Status(cfg.kid.clone()).to_string(), will, QoS::AtLeastOnce, true)
    };
    opts.set_last_will(will_for(session + 1));
    let (client, eventloop) = AsyncClient::new(opts, 256);
    let (next_will, mut events) = crate::mqtt_pump::pump_with_will(eventloop);
    let mut k = Kiosk { cfg: cfg.clone(), client, obs, session, stage: Stage::Idle, fetch: None };
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tokio::select! {
            Some(ev) = events.recv() => match ev {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    // A new session on every connect.
                    session += 1;
                    let _ = std::fs::write(&session_file, session.to_string());
                    k.session = session;
                    let _ = next_will.send(will_for(session + 1));
                    k.obs.lock().unwrap().connects += 1;
                    k.on_connect().await;
                }
                Ok(Event::Incoming(Packet::Publish(p))) => k.on_publish(&p.topic, &p.payload).await,
                Ok(_) => {}
                Err(_) => {}
            },
            _ = tick.tick() => k.on_tick().await,
        }
    }
}

impl Kiosk {
    fn error(&self, e: impl Into<String>) {
        self.obs.lock().unwrap().errors.push(e.into());
    }

    async fn send<M: protocol::Message>(&self, topic: Topic, msg: &M, retain: bool) {
        let payload = encode(&topic, msg, &self.cfg.secret).expect("encodes");
        let _ = self.client.publish(topic.to_string(), QoS::AtLeastOnce, retain, payload).await;
    }

    async fn on_connect(&mut self) {
        let subs = Topic::kiosk_filters(&self.cfg.kid)
            .into_iter()
            .map(|f| rumqttc::SubscribeFilter::new(f, QoS::AtLeastOnce));
        let _ = self.client.subscribe_many(subs).await;
        let applied = self.obs.lock().unwrap().applied_version();
        let birth = Birth {
            session: self.session,
            boot_id: "test".into(),
            app_version: "test-kiosk".into(),
            catalog_version: applied,
            outbox_depth: 0,
            lifetime_totals: BTreeMap::new(),
            ts: 0,
        };
        self.send(Topic::Status(self.cfg.kid.clone()), &Status::Online(birth), true).await;
        // Whatever was under way resumes from where it got to.
        if let Some(f) = &mut self.fetch {
            f.last_progress = Instant::now() - Duration::from_secs(60);
        }
    }

    async fn on_publish(&mut self, topic: &str, payload: &[u8]) {
        let topic = match Topic::parse(topic) {
            Ok(t) => t,
            Err(e) => return self.error(format!("bad topic: {e}")),
        };
        if let Err(e) = protocol::codec::check_addressee(&topic, &self.cfg.kid) {
            return self.error(e.to_string());
        }
        let key = self.cfg.secret.clone();
        match topic.kind() {
            TopicKind::HubState => match decode::<HubState>(&topic, payload, &self.cfg.hub_key) {
                Ok(s) => self.obs.lock().unwrap().hub_online = s.online,
                Err(e) => self.error(format!("hub state refused: {e}")),
            },
            TopicKind::CatalogDesired => match decode::<CatalogPointer>(&topic, payload, &key) {
                Ok(p) => self.on_pointer(p).await,
                Err(e) => self.error(format!("pointer refused: {e}")),
            },
            TopicKind::CatalogDoc => match decode::<CatalogDoc>(&topic, payload, &key) {
                Ok(d) => self.on_doc(d).await,
                Err(e) => self.error(format!("doc refused: {e}")),
            },
            TopicKind::BlobChunk => {
                if let Topic::BlobChunk { sha256, offset, .. } = &topic {
                    self.on_chunk(sha256, *offset, payload).await;
                }
            }
            _ => {}
        }
    }

    async fn on_pointer(&mut self, p: CatalogPointer) {
        let applied = self.obs.lock().unwrap().applied_version();
        self.obs.lock().unwrap().pointer = Some(p.clone());
        if p.version == applied || matches!(&self.stage, Stage::WaitingDoc { want, .. } if *want == p.version)
        {
            return;
        }
        self.fetch = None;
        self.ask_doc(p.version).await;
    }

    async fn ask_doc(&mut self, want: u64) {
        let have = self.obs.lock().unwrap().applied_version();
        self.stage = Stage::WaitingDoc { want, since: Instant::now() };
        self.send(Topic::CatalogGet(self.cfg.kid.clone()), &CatalogGet { have, want }, false).await;
        self.report(want, SyncState::Downloading, 0, 0, None).await;
    }

    async fn report(&self, version: u64, state: SyncState, done: u64, total: u64, error: Option<String>) {
        let r = CatalogReported { version, state, bytes_done: done, bytes_total: total, error };
        self.send(Topic::CatalogReported(self.cfg.kid.clone()), &r, true).await;
    }

    async fn on_doc(&mut self, doc: CatalogDoc) {
        if !matches!(&self.stage, Stage::WaitingDoc { want, .. } if *want == doc.want) {
            return;
        }
        self.obs.lock().unwrap().docs.push(doc.clone());
        if let Some(e) = &doc.error {
            self.stage = Stage::Idle;
            return self.error(format!("hub cannot serve version {}: {e}", doc.want));
        }
        let (sha, size) = (doc.doc_sha256.clone(), doc.doc_size);
        self.stage = Stage::FetchingDoc { doc };
        self.start_fetch(sha, size).await;
    }

    fn blob_path(&self, sha: &str) -> PathBuf {
        self.cfg.dir.join("blobs").join(sha)
    }
    fn partial_path(&self, sha: &str) -> PathBuf {
        self.cfg.dir.join("partial").join(sha)
    }

    /// Boxed: fetching one blob can finish at once and start the next.
    fn start_fetch(
        &mut self,
        sha256: String,
        size: u64,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        Box::pin(self.start_fetch_inner(sha256, size))
    }

    async fn start_fetch_inner(&mut self, sha256: String, size: u64) {
        if self.blob_path(&sha256).exists() {
            return self.blob_done(&sha256).await;
        }
        // Resume a partial download from its length.
        let have = std::fs::metadata(self.partial_path(&sha256)).map(|m| m.len()).unwrap_or(0);
        self.fetch =
            Some(Fetch { sha256: sha256.clone(), size, asked_at: have, last_progress: Instant::now() });
        self.send(Topic::BlobGet(self.cfg.kid.clone()), &BlobGet { sha256, offset: have }, false).await;
    }

    async fn on_chunk(&mut self, sha: &str, offset: u64, bytes: &[u8]) {
        self.obs.lock().unwrap().chunks.push((sha.to_owned(), offset, bytes.len()));
        let Some(f) = &mut self.fetch else { return };
        if f.sha256 != sha {
            return;
        }
        let path = self.cfg.dir.join("partial").join(sha);
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if offset != len {
            return; // a duplicate or out-of-window chunk: the length decides
        }
        use std::io::Write;
        let mut file =
            std::fs::OpenOptions::new().create(true).append(true).open(&path).expect("partial file");
        file.write_all(bytes).expect("write partial");
        file.sync_data().expect("sync partial");
        f.last_progress = Instant::now();
        let now = len + bytes.len() as u64;
        let (sha, size, window_end) =
            (f.sha256.clone(), f.size, f.asked_at + limits::BLOB_WINDOW_CHUNKS * limits::BLOB_CHUNK as u64);
        if now >= size {
            let data = std::fs::read(&path).expect("read partial");
            if protocol::sha256_hex(&data) != sha {
                // A corrupted blob is dropped and fetched again.
                let _ = std::fs::remove_file(&path);
                self.error(format!("blob {sha} failed verification; fetching again"));
                return self.start_fetch(sha, size).await;
            }
            std::fs::rename(&path, self.blob_path(&sha)).expect("store blob");
            self.fetch = None;
            self.obs.lock().unwrap().completed_blobs.push(sha.clone());
            return self.blob_done(&sha).await;
        }
        if now >= window_end {
            if let Some(f) = &mut self.fetch {
                f.asked_at = now;
            }
            self.send(Topic::BlobGet(self.cfg.kid.clone()), &BlobGet { sha256: sha, offset: now }, false)
                .await;
        }
    }

    async fn blob_done(&mut self, sha: &str) {
        match std::mem::replace(&mut self.stage, Stage::Idle) {
            Stage::FetchingDoc { doc } if doc.doc_sha256 == sha => self.doc_ready(doc).await,
            Stage::FetchingImages { next, mut queue, total } => {
                queue.retain(|(s, _)| s != sha);
                self.next_image(next, queue, total).await;
            }
            other => self.stage = other,
        }
    }

    async fn doc_ready(&mut self, doc: CatalogDoc) {
        let bytes = std::fs::read(self.blob_path(&doc.doc_sha256)).expect("doc blob");
        let current =
            self.obs.lock().unwrap().applied.clone().unwrap_or(Snapshot { version: 0, items: vec![] });
        let next = match Document::from_bytes(&bytes) {
            Ok(Document::Snapshot(s)) => Ok(s),
            Ok(Document::Delta(d)) => current.apply(&d).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        let next = match next {
            Ok(n) if n.manifest_sha256() == doc.manifest_sha256 && n.version == doc.want => n,
            Ok(_) => {
                return self
                    .fail(doc.want, "the document does not produce the announced manifest".into())
                    .await;
            }
            Err(e) => return self.fail(doc.want, e).await,
        };
        let queue: VecDeque<(String, u64)> = next
            .blobs()
            .iter()
            .filter(|b| !self.blob_path(&b.sha256).exists())
            .map(|b| (b.sha256.clone(), b.size))
            .collect();
        let total = queue.iter().map(|q| q.1).sum();
        self.next_image(next, queue, total).await;
    }

    async fn next_image(&mut self, next: Snapshot, queue: VecDeque<(String, u64)>, total: u64) {
        match queue.front().cloned() {
            Some((sha, size)) => {
                let done = total - queue.iter().map(|q| q.1).sum::<u64>();
                self.report(next.version, SyncState::Downloading, done, total, None).await;
                self.stage = Stage::FetchingImages { next, queue, total };
                self.start_fetch(sha, size).await;
            }
            None => self.apply(next, total).await,
        }
    }

    /// Every blob is here and verified: switch to the new version at once.
    async fn apply(&mut self, next: Snapshot, total: u64) {
        let tmp = self.cfg.dir.join("applied.json.tmp");
        std::fs::write(&tmp, serde_json::to_vec(&next).unwrap()).expect("write catalog");
        std::fs::rename(&tmp, self.cfg.dir.join("applied.json")).expect("apply catalog");
        let v = next.version;
        self.obs.lock().unwrap().applied = Some(next);
        self.stage = Stage::Idle;
        self.report(v, SyncState::Applied, total, total, None).await;
    }

    async fn fail(&mut self, version: u64, e: String) {
        self.error(format!("version {version} refused: {e}"));
        self.stage = Stage::Idle;
        self.report(version, SyncState::Failed, 0, 0, Some(e)).await;
    }

    /// Retries: a lost request or a dead window is asked again.
    async fn on_tick(&mut self) {
        if let Stage::WaitingDoc { want, since } = &self.stage
            && since.elapsed() > Duration::from_secs(2)
        {
            let want = *want;
            return self.ask_doc(want).await;
        }
        if let Some(f) = &mut self.fetch
            && f.last_progress.elapsed() > Duration::from_secs(2)
        {
            let have =
                std::fs::metadata(self.cfg.dir.join("partial").join(&f.sha256)).map(|m| m.len()).unwrap_or(0);
            f.asked_at = have;
            f.last_progress = Instant::now();
            let get = BlobGet { sha256: f.sha256.clone(), offset: have };
            self.send(Topic::BlobGet(self.cfg.kid.clone()), &get, false).await;
        }
    }
}
