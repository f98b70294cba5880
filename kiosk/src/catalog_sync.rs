//! The catalog sync client, as a state machine with no I/O of its own
//! besides the blob folder: the backend feeds it what arrives (pointer,
//! document description, blob chunks, clock ticks) and carries out the
//! actions it returns (messages to send, a verified version to apply).
//!
//! pointer → `catalog/get` → `catalog/doc` → the document blob → every
//! image the new version lacks (several at once, within one window of
//! bytes) → verify all → apply in one transaction → report. Anything broken, partial, empty or unsigned leaves the version on
//! screen as it is.

use crate::blobs::{BlobError, BlobStore};
use protocol::catalog::{Document, Snapshot};
use protocol::limits;
use protocol::messages::{
    BlobGet, CatalogDoc, CatalogGet, CatalogPointer, CatalogReported, DocKind, SyncState,
};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// No answer for this long: ask again from where we got to.
pub const STALL: Duration = Duration::from_secs(10);
/// After a failed version, wait this long before trying it again.
pub const RETRY_FAILED: Duration = Duration::from_secs(300);
/// A blob that fails verification this often fails the version.
const MAX_BLOB_FAILURES: u32 = 3;
/// Images asked for at once. One at a time, a village line (150–400 ms
/// round trips) stood idle between images: the sample catalog's 567 KB
/// took 30 s over a 2 Mbit/s line (docs/benchmarks.md).
const PARALLEL_BLOBS: usize = 8;
/// What the fetches under way may have asked for together: one window,
/// the burst the broker holds for a kiosk's blob filter
/// (hub/src/broker/mod.rs). A larger image is fetched alone.
const WINDOW_BYTES: u64 = limits::BLOB_WINDOW_CHUNKS * limits::BLOB_CHUNK as u64;

/// What the backend must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Get(CatalogGet),
    BlobGet(BlobGet),
    Report(CatalogReported),
    /// Every blob is here and verified: store this version, then call
    /// [`SyncClient::applied`].
    Apply(Snapshot),
}

/// Progress for the UI's bar.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub version: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Set when the last attempt failed (the old version stays on screen).
    pub error: Option<String>,
    pub active: bool,
}

struct Fetch {
    sha256: String,
    size: u64,
    /// Where the last requested window started.
    asked_at: u64,
    last_progress: Instant,
    failures: u32,
}

impl Fetch {
    /// The bytes its last request asked the hub for.
    fn asked_for(&self) -> u64 {
        self.size.saturating_sub(self.asked_at).min(WINDOW_BYTES)
    }
}

enum Stage {
    Idle,
    /// `from_scratch`: a snapshot was asked for (`have: 0`), after a delta
    /// did not lead to the announced version.
    WaitingDoc {
        want: u64,
        since: Instant,
        from_scratch: bool,
    },
    FetchingDoc {
        doc: CatalogDoc,
    },
    /// `queue`: every image not yet here, those under way included.
    FetchingImages {
        next: Snapshot,
        queue: VecDeque<(String, u64)>,
        total: u64,
    },
    Applying {
        version: u64,
    },
    Failed {
        version: u64,
        retry_at: Instant,
    },
}

pub struct SyncClient {
    blobs: BlobStore,
    applied: Option<Snapshot>,
    /// The manifest of `applied`, kept to compare with each pointer.
    applied_manifest: String,
    /// A view of the wanted version that a newer pointer replaced: answers
    /// still on their way for it are dropped.
    superseded_manifest: Option<String>,
    pointer: Option<CatalogPointer>,
    stage: Stage,
    /// The blobs under way: the document, or up to [`PARALLEL_BLOBS`] images.
    fetches: Vec<Fetch>,
    progress: Progress,
}

impl SyncClient {
    pub fn new(blobs: BlobStore, applied: Option<Snapshot>) -> SyncClient {
        SyncClient {
            blobs,
            applied_manifest: applied.as_ref().map(Snapshot::manifest_sha256).unwrap_or_default(),
            applied,
            superseded_manifest: None,
            pointer: None,
            stage: Stage::Idle,
            fetches: Vec::new(),
            progress: Progress::default(),
        }
    }

    pub fn applied(&self) -> Option<&Snapshot> {
        self.applied.as_ref()
    }

    pub fn applied_version(&self) -> u64 {
        self.applied.as_ref().map_or(0, |s| s.version)
    }

    pub fn progress(&self) -> Progress {
        self.progress.clone()
    }

    fn report(&self, version: u64, state: SyncState, done: u64, total: u64, error: Option<String>) -> Action {
        Action::Report(CatalogReported { version, state, bytes_done: done, bytes_total: total, error })
    }

    /// The hub's retained pointer (already signature-checked). The same
    /// version with another manifest is another view of it (this kiosk's
    /// software now reads more kinds of item): it is fetched whole again.
    pub fn on_pointer(&mut self, p: CatalogPointer, now: Instant) -> Vec<Action> {
        let superseded = self
            .pointer
            .replace(p.clone())
            .filter(|old| old.version == p.version && old.manifest_sha256 != p.manifest_sha256);
        let view_changed = superseded.is_some();
        if let Some(old) = superseded {
            self.superseded_manifest = Some(old.manifest_sha256);
        }
        let current = self.applied_version() == p.version && self.applied_manifest == p.manifest_sha256;
        if current {
            self.progress.active = false;
            return Vec::new();
        }
        if view_changed && !matches!(self.stage, Stage::Applying { .. }) {
            return self.ask_doc(p.version, now);
        }
        match &self.stage {
            Stage::WaitingDoc { want, .. } | Stage::Applying { version: want } if *want == p.version => {
                Vec::new()
            }
            Stage::FetchingDoc { doc } if doc.want == p.version => Vec::new(),
            Stage::FetchingImages { next, .. } if next.version == p.version => Vec::new(),
            Stage::Failed { version, retry_at } if *version == p.version && now < *retry_at => Vec::new(),
            _ => self.ask_doc(p.version, now),
        }
    }

    fn ask_doc(&mut self, want: u64, now: Instant) -> Vec<Action> {
        self.ask(want, now, false)
    }

    /// Ask for the document to `want`: a delta from the applied version,
    /// or a whole snapshot `from_scratch`.
    fn ask(&mut self, want: u64, now: Instant, from_scratch: bool) -> Vec<Action> {
        self.fetches.clear();
        self.stage = Stage::WaitingDoc { want, since: now, from_scratch };
        self.progress = Progress { version: want, active: true, ..Progress::default() };
        let have = if from_scratch { 0 } else { self.applied_version() };
        vec![Action::Get(CatalogGet { have, want }), self.report(want, SyncState::Downloading, 0, 0, None)]
    }

    fn fail(&mut self, version: u64, error: String, now: Instant) -> Vec<Action> {
        tracing::warn!(version, %error, "catalog update refused; the current version stays");
        self.fetches.clear();
        self.stage = Stage::Failed { version, retry_at: now + RETRY_FAILED };
        self.progress =
            Progress { version, error: Some(error.clone()), active: false, ..Progress::default() };
        vec![self.report(version, SyncState::Failed, 0, 0, Some(error))]
    }

    /// The hub describes the document for the version we asked for.
    pub fn on_doc(&mut self, doc: CatalogDoc, now: Instant) -> Vec<Action> {
        if !matches!(&self.stage, Stage::WaitingDoc { want, .. } if *want == doc.want) {
            return Vec::new();
        }
        // An answer to an earlier question, for another view of the version.
        if self.superseded_manifest.as_ref() == Some(&doc.manifest_sha256) {
            return Vec::new();
        }
        if let Some(e) = &doc.error {
            return self.fail(doc.want, format!("the hub cannot serve version {}: {e}", doc.want), now);
        }
        let (sha, size) = (doc.doc_sha256.clone(), doc.doc_size);
        self.progress.bytes_total = size;
        self.stage = Stage::FetchingDoc { doc };
        self.start_fetch(sha, size, now)
    }

    /// Ask for a blob from where its partial file ends (again, if under
    /// way); `None` when it is here already.
    fn ask_blob(&mut self, sha256: String, size: u64, now: Instant) -> Option<Action> {
        if self.blobs.has(&sha256) {
            return None;
        }
        let have = self.blobs.partial_len(&sha256);
        let failures = self.fetches.iter().find(|f| f.sha256 == sha256).map_or(0, |f| f.failures);
        self.fetches.retain(|f| f.sha256 != sha256);
        self.fetches.push(Fetch {
            sha256: sha256.clone(),
            size,
            asked_at: have,
            last_progress: now,
            failures,
        });
        Some(Action::BlobGet(BlobGet { sha256, offset: have, chunks: None }))
    }

    fn start_fetch(&mut self, sha256: String, size: u64, now: Instant) -> Vec<Action> {
        match self.ask_blob(sha256.clone(), size, now) {
            Some(ask) => vec![ask],
            None => self.blob_done(&sha256, now),
        }
    }

    /// Whether another blob of `size` may be asked for beside those under way.
    fn room_for(&self, size: u64) -> bool {
        let asked: u64 = self.fetches.iter().map(Fetch::asked_for).sum();
        self.fetches.is_empty()
            || (self.fetches.len() < PARALLEL_BLOBS && asked + size.min(WINDOW_BYTES) <= WINDOW_BYTES)
    }

    /// Raw bytes of a blob from `offset`.
    pub fn on_chunk(&mut self, sha: &str, offset: u64, bytes: &[u8], now: Instant) -> Vec<Action> {
        let Some(at) = self.fetches.iter().position(|f| f.sha256 == sha) else { return Vec::new() };
        let len = match self.blobs.append(sha, offset, bytes) {
            Ok(Some(len)) => len,
            Ok(None) => return Vec::new(), // a duplicate or stale chunk
            Err(e) => {
                let v = self.progress.version;
                return self.fail(v, e.to_string(), now);
            }
        };
        let f = &mut self.fetches[at];
        f.last_progress = now;
        self.progress.bytes_done += bytes.len() as u64;
        if len > f.size {
            self.blobs.discard_partial(sha);
            let v = self.progress.version;
            return self.fail(v, format!("blob {sha} is longer than announced"), now);
        }
        if len == f.size {
            let (sha, size) = (f.sha256.clone(), f.size);
            return match self.blobs.finish(&sha) {
                Ok(()) => self.blob_done(&sha, now),
                Err(e @ BlobError::Mismatch { .. }) => {
                    let f = &mut self.fetches[at];
                    f.failures += 1;
                    self.progress.bytes_done = self.progress.bytes_done.saturating_sub(size);
                    if f.failures >= MAX_BLOB_FAILURES {
                        let v = self.progress.version;
                        return self.fail(v, e.to_string(), now);
                    }
                    tracing::warn!(error = %e, "fetching the blob again");
                    self.start_fetch(sha, size, now)
                }
                Err(e) => {
                    let v = self.progress.version;
                    self.fail(v, e.to_string(), now)
                }
            };
        }
        let window_end = f.asked_at + limits::BLOB_WINDOW_CHUNKS * limits::BLOB_CHUNK as u64;
        if len >= window_end {
            f.asked_at = len;
            return vec![Action::BlobGet(BlobGet { sha256: sha.to_owned(), offset: len, chunks: None })];
        }
        Vec::new()
    }

    fn blob_done(&mut self, sha: &str, now: Instant) -> Vec<Action> {
        self.fetches.retain(|f| f.sha256 != sha);
        match std::mem::replace(&mut self.stage, Stage::Idle) {
            Stage::FetchingDoc { doc } if doc.doc_sha256 == sha => self.doc_ready(doc, now),
            Stage::FetchingImages { next, mut queue, total } => {
                queue.retain(|(s, _)| s != sha);
                self.next_images(next, queue, total, now)
            }
            other => {
                self.stage = other;
                Vec::new()
            }
        }
    }

    fn doc_ready(&mut self, doc: CatalogDoc, now: Instant) -> Vec<Action> {
        let bytes = match self.blobs.read(&doc.doc_sha256) {
            Ok(b) => b,
            Err(e) => return self.fail(doc.want, e.to_string(), now),
        };
        // Read whole: the version lives on in the store, not in this file
        // (a version every week would otherwise fill the disk with them).
        self.forget_blobs([doc.doc_sha256.as_str()]);
        let empty = Snapshot { version: 0, items: Vec::new() };
        let current = self.applied.as_ref().unwrap_or(&empty);
        let next = match Document::from_bytes(&bytes) {
            Ok(Document::Snapshot(s)) => Ok(s),
            Ok(Document::Delta(d)) => current.apply(&d).map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        // A delta from a version this kiosk holds in another view (its
        // software changed since) cannot give the manifest: start over
        // with a snapshot, which a hub always sends for `have: 0`.
        let fits =
            matches!(&next, Ok(n) if n.version == doc.want && n.manifest_sha256() == doc.manifest_sha256);
        if doc.kind == DocKind::Delta && !fits {
            tracing::info!(
                version = doc.want,
                "the delta does not fit the catalog here; asking for a snapshot"
            );
            return self.ask(doc.want, now, true);
        }
        let next = match next {
            Ok(n) if n.items.is_empty() => {
                return self.fail(doc.want, "an empty catalog is never put on screen".into(), now);
            }
            Ok(n) if n.version == doc.want && n.manifest_sha256() == doc.manifest_sha256 => n,
            Ok(_) => {
                return self.fail(doc.want, "the document does not give the announced version".into(), now);
            }
            Err(e) => return self.fail(doc.want, e, now),
        };
        if self
            .pointer
            .as_ref()
            .is_some_and(|p| p.manifest_sha256 != doc.manifest_sha256 && p.version == doc.want)
        {
            return self.fail(doc.want, "the document and the signed pointer disagree".into(), now);
        }
        let queue: VecDeque<(String, u64)> = next
            .blobs()
            .iter()
            .filter(|b| !self.blobs.has(&b.sha256))
            .map(|b| (b.sha256.clone(), b.size))
            .collect();
        let total = queue.iter().map(|q| q.1).sum::<u64>();
        self.progress.bytes_total = self.progress.bytes_done + total;
        self.next_images(next, queue, total, now)
    }

    /// Ask for as many of the images still wanted as there is room for;
    /// apply the version once none is left.
    fn next_images(
        &mut self,
        next: Snapshot,
        mut queue: VecDeque<(String, u64)>,
        total: u64,
        now: Instant,
    ) -> Vec<Action> {
        let waiting: Vec<(String, u64)> =
            queue.iter().filter(|(s, _)| !self.fetches.iter().any(|f| f.sha256 == *s)).cloned().collect();
        let mut asks = Vec::new();
        for (sha, size) in waiting {
            if !self.room_for(size) {
                break;
            }
            match self.ask_blob(sha.clone(), size, now) {
                Some(ask) => asks.push(ask),
                // Stored since the queue was made (an image twice in it).
                None => queue.retain(|(s, _)| *s != sha),
            }
        }
        if queue.is_empty() {
            self.stage = Stage::Applying { version: next.version };
            return vec![Action::Apply(next)];
        }
        let done = total - queue.iter().map(|q| q.1).sum::<u64>();
        let mut out = vec![self.report(next.version, SyncState::Downloading, done, total, None)];
        out.extend(asks);
        self.stage = Stage::FetchingImages { next, queue, total };
        out
    }

    /// The backend stored `snap` (or failed to: `Err`).
    pub fn stored(&mut self, snap: Snapshot, result: Result<(), String>, now: Instant) -> Vec<Action> {
        let version = snap.version;
        if let Err(e) = result {
            return self.fail(version, format!("cannot store the new version: {e}"), now);
        }
        let total = self.progress.bytes_total;
        self.applied_manifest = snap.manifest_sha256();
        // Images only the replaced version showed are not needed again (a
        // rollback fetches them anew, like any other version).
        if let Some(old) = self.applied.take() {
            let kept: std::collections::HashSet<&str> =
                snap.blobs().iter().map(|b| b.sha256.as_str()).collect();
            self.forget_blobs(old.blobs().iter().map(|b| b.sha256.as_str()).filter(|s| !kept.contains(s)));
        }
        self.applied = Some(snap);
        self.stage = Stage::Idle;
        self.progress =
            Progress { version, bytes_done: total, bytes_total: total, error: None, active: false };
        let mut out = vec![self.report(version, SyncState::Applied, total, total, None)];
        // The pointer may have moved on while we worked.
        if let Some(p) = self.pointer.clone() {
            out.extend(self.on_pointer(p, now));
        }
        out
    }

    /// Delete blobs no version needs; a failure costs only disk space.
    fn forget_blobs<'a>(&self, shas: impl IntoIterator<Item = &'a str>) {
        for sha in shas {
            if let Err(e) = self.blobs.remove(sha) {
                tracing::warn!(error = %e, "cannot delete a blob no longer needed");
            }
        }
    }

    /// Twice a second or so: ask again where an answer is overdue.
    pub fn on_tick(&mut self, now: Instant) -> Vec<Action> {
        match &self.stage {
            Stage::WaitingDoc { want, since, from_scratch } if now.duration_since(*since) > STALL => {
                let (want, from_scratch) = (*want, *from_scratch);
                self.ask(want, now, from_scratch)
            }
            Stage::FetchingDoc { .. } | Stage::FetchingImages { .. } => {
                let stalled: Vec<(String, u64)> = self
                    .fetches
                    .iter()
                    .filter(|f| now.duration_since(f.last_progress) > STALL)
                    .map(|f| (f.sha256.clone(), f.size))
                    .collect();
                stalled.into_iter().flat_map(|(sha, size)| self.start_fetch(sha, size, now)).collect()
            }
            Stage::Failed { version, retry_at } if now >= *retry_at => {
                let v = *version;
                match &self.pointer {
                    Some(p) if p.version == v => self.ask_doc(v, now),
                    _ => {
                        self.stage = Stage::Idle;
                        Vec::new()
                    }
                }
            }
            _ => Vec::new(),
        }
    }

    /// After a reconnect: whatever was under way resumes at once.
    pub fn on_connect(&mut self, now: Instant) -> Vec<Action> {
        match &self.stage {
            Stage::WaitingDoc { want, from_scratch, .. } => {
                let (want, from_scratch) = (*want, *from_scratch);
                self.ask(want, now, from_scratch)
            }
            Stage::FetchingDoc { .. } | Stage::FetchingImages { .. } => {
                let under_way: Vec<(String, u64)> =
                    self.fetches.iter().map(|f| (f.sha256.clone(), f.size)).collect();
                under_way.into_iter().flat_map(|(sha, size)| self.start_fetch(sha, size, now)).collect()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::catalog::*;

    fn service(id: &str, name: &str) -> VersionedItem {
        VersionedItem {
            rev: 1,
            item: CatalogItem::Service(Service {
                id: id.into(),
                kind: ServiceKind::Free,
                name_zh: name.into(),
                name_en: String::new(),
                description_zh: String::new(),
                price_fen: None,
                price_unit_zh: String::new(),
                is_complaint: false,
            }),
        }
    }

    /// What a hub would hold: a version, its document as bytes.
    fn publish(version: u64, items: Vec<VersionedItem>) -> (Snapshot, Vec<u8>) {
        let snap = Snapshot::new(version, items).unwrap();
        let bytes = Document::Snapshot(snap.clone()).to_bytes();
        (snap, bytes)
    }

    fn pointer(s: &Snapshot) -> CatalogPointer {
        CatalogPointer {
            version: s.version,
            manifest_sha256: s.manifest_sha256(),
            size: 0,
            items: s.items.len() as u64,
        }
    }

    fn doc(s: &Snapshot, bytes: &[u8], manifest: String) -> CatalogDoc {
        CatalogDoc {
            want: s.version,
            base: 0,
            kind: DocKind::Snapshot,
            doc_sha256: protocol::sha256_hex(bytes),
            doc_size: bytes.len() as u64,
            manifest_sha256: manifest,
            error: None,
        }
    }

    fn client() -> (tempfile::TempDir, SyncClient) {
        let dir = tempfile::tempdir().unwrap();
        let c = SyncClient::new(BlobStore::new(dir.path()).unwrap(), None);
        (dir, c)
    }

    #[test]
    fn a_version_arrives_in_chunks_and_is_applied_whole() {
        let (_d, mut c) = client();
        let t = Instant::now();
        let (v1, bytes) = publish(1, vec![service("a", "政策咨询"), service("b", "开店指导")]);
        let out = c.on_pointer(pointer(&v1), t);
        assert!(matches!(out[0], Action::Get(CatalogGet { have: 0, want: 1 })));
        let out = c.on_doc(doc(&v1, &bytes, v1.manifest_sha256()), t);
        let Action::BlobGet(g) = &out[0] else { panic!("{out:?}") };
        assert_eq!(g.offset, 0);
        let sha = g.sha256.clone();
        // Out-of-order and duplicate chunks change nothing.
        assert!(c.on_chunk(&sha, 5, &bytes[5..], t).is_empty());
        assert!(c.on_chunk(&sha, 0, &bytes[..5], t).is_empty());
        assert!(c.on_chunk(&sha, 0, &bytes[..5], t).is_empty());
        // Silence: asked again from where it got to.
        let out = c.on_tick(t + STALL + Duration::from_millis(1));
        assert_eq!(out, vec![Action::BlobGet(BlobGet { sha256: sha.clone(), offset: 5, chunks: None })]);
        let out = c.on_chunk(&sha, 5, &bytes[5..], t);
        let Some(Action::Apply(next)) = out.last() else { panic!("{out:?}") };
        assert_eq!(next, &v1);
        assert_eq!(c.applied_version(), 0, "not applied until stored");
        let out = c.stored(next.clone(), Ok(()), t);
        assert!(matches!(&out[0], Action::Report(r) if r.state == SyncState::Applied));
        assert_eq!(c.applied_version(), 1);
    }

    /// A product showing one image of `size` bytes, all of them `n`.
    fn pictured(n: u8, size: usize) -> (VersionedItem, Vec<u8>) {
        let bytes = vec![n; size];
        let image = BlobRef {
            sha256: protocol::sha256_hex(&bytes),
            size: size as u64,
            media_type: "image/png".into(),
            width: 480,
            height: 360,
        };
        let item = VersionedItem {
            rev: 1,
            item: CatalogItem::Product(Product {
                id: format!("p{n:03}"),
                category: Category::FarmProduce,
                subcategory_zh: String::new(),
                name_zh: format!("产品{n}"),
                name_en: String::new(),
                spec_zh: String::new(),
                price_fen: None,
                price_unit_zh: String::new(),
                producer_id: "maker".into(),
                gtin: None,
                intro_zh: String::new(),
                intro_en: String::new(),
                featured: false,
                keywords: String::new(),
                certification_ids: Vec::new(),
                images: vec![image],
            }),
        };
        (item, bytes)
    }

    fn asked(out: &[Action]) -> Vec<String> {
        out.iter()
            .filter_map(|a| match a {
                Action::BlobGet(g) => Some(g.sha256.clone()),
                _ => None,
            })
            .collect()
    }

    /// Sync `count` images of `size` bytes: how many were under way at
    /// most, and the version applied at the end.
    fn most_at_once(count: u8, size: usize) -> usize {
        let (_d, mut c) = client();
        let t = Instant::now();
        let (items, pictures): (Vec<_>, Vec<_>) = (1..=count).map(|n| pictured(n, size)).unzip();
        let by_sha: std::collections::HashMap<String, Vec<u8>> =
            pictures.into_iter().map(|b| (protocol::sha256_hex(&b), b)).collect();
        let (v1, doc_bytes) = publish(1, items);
        c.on_pointer(pointer(&v1), t);
        c.on_doc(doc(&v1, &doc_bytes, v1.manifest_sha256()), t);
        let mut under_way = asked(&c.on_chunk(&protocol::sha256_hex(&doc_bytes), 0, &doc_bytes, t));
        let (mut most, mut fetched) = (0, 0);
        while let Some(sha) = under_way.first().cloned() {
            most = most.max(under_way.len());
            // The hub answers one window; a blob larger than that is asked on.
            let bytes = &by_sha[&sha];
            let mut offset = 0;
            let out = loop {
                let end = (offset + WINDOW_BYTES as usize).min(bytes.len());
                let out = c.on_chunk(&sha, offset as u64, &bytes[offset..end], t);
                offset = end;
                match out.as_slice() {
                    [Action::BlobGet(g)] if g.sha256 == sha && g.offset == offset as u64 => continue,
                    _ => break out,
                }
            };
            fetched += 1;
            under_way.remove(0);
            if let Some(Action::Apply(next)) = out.last() {
                assert_eq!(next, &v1);
                assert!(under_way.is_empty(), "applied while {under_way:?} were under way");
                assert_eq!(fetched, usize::from(count), "every image fetched once");
                return most;
            }
            for new in asked(&out) {
                assert!(!under_way.contains(&new), "{new} asked for twice");
                under_way.push(new);
            }
        }
        panic!("never applied; {fetched} fetched");
    }

    #[test]
    fn small_images_are_asked_for_together_and_large_ones_alone() {
        assert_eq!(most_at_once(20, 9_000), PARALLEL_BLOBS, "many small pictures: the cap");
        assert_eq!(most_at_once(6, 300_000), 3, "three fit in one window");
        assert_eq!(most_at_once(3, 1_500_000), 1, "each larger than a window comes alone");
    }

    #[test]
    fn every_image_under_way_is_asked_again_after_a_stall_or_a_reconnect() {
        let (_d, mut c) = client();
        let t = Instant::now();
        let (items, _): (Vec<_>, Vec<_>) = (1..=3).map(|n| pictured(n, 1_000)).unzip();
        let (v1, doc_bytes) = publish(1, items);
        c.on_pointer(pointer(&v1), t);
        c.on_doc(doc(&v1, &doc_bytes, v1.manifest_sha256()), t);
        let mut first = asked(&c.on_chunk(&protocol::sha256_hex(&doc_bytes), 0, &doc_bytes, t));
        assert_eq!(first.len(), 3);
        let mut again = asked(&c.on_tick(t + STALL + Duration::from_millis(1)));
        let mut reconnected = asked(&c.on_connect(t));
        first.sort();
        again.sort();
        reconnected.sort();
        assert_eq!(again, first);
        assert_eq!(reconnected, first);
    }

    #[test]
    fn wrong_empty_or_unannounced_versions_never_replace_what_is_shown() {
        let (_d, mut c) = client();
        let t = Instant::now();
        let (v1, bytes) = publish(1, vec![service("a", "政策咨询")]);
        // A document whose content does not give the announced manifest.
        c.on_pointer(pointer(&v1), t);
        let out = c.on_doc(doc(&v1, &bytes, "00".repeat(32)), t);
        let Action::BlobGet(g) = &out[0] else { panic!() };
        let sha = g.sha256.clone();
        let out = c.on_chunk(&sha, 0, &bytes, t);
        assert!(matches!(&out[0], Action::Report(r) if r.state == SyncState::Failed), "{out:?}");
        assert_eq!(c.applied_version(), 0);
        assert!(c.progress().error.unwrap().contains("announced"));
        // Not retried at once; retried after the back-off.
        assert!(c.on_pointer(pointer(&v1), t).is_empty());
        assert!(!c.on_tick(t + RETRY_FAILED).is_empty());

        // An empty catalog is refused too.
        let (_d, mut c) = client();
        let (empty, bytes) = publish(2, vec![]);
        c.on_pointer(pointer(&empty), t);
        c.on_doc(doc(&empty, &bytes, empty.manifest_sha256()), t);
        let out = c.on_chunk(&protocol::sha256_hex(&bytes), 0, &bytes, t);
        assert!(c.progress().error.unwrap().contains("empty"), "{out:?}");

        // A document for a version nobody asked for is ignored.
        let (_d, mut c) = client();
        let (v3, bytes) = publish(3, vec![service("a", "x")]);
        assert!(c.on_doc(doc(&v3, &bytes, v3.manifest_sha256()), t).is_empty());
    }

    #[test]
    fn a_corrupted_blob_is_fetched_again_then_the_version_fails() {
        let (_d, mut c) = client();
        let t = Instant::now();
        let (v1, bytes) = publish(1, vec![service("a", "政策咨询")]);
        c.on_pointer(pointer(&v1), t);
        c.on_doc(doc(&v1, &bytes, v1.manifest_sha256()), t);
        let sha = protocol::sha256_hex(&bytes);
        let mut garbage = bytes.clone();
        garbage[0] ^= 1;
        for attempt in 1..=3 {
            let out = c.on_chunk(&sha, 0, &garbage, t);
            if attempt < 3 {
                assert_eq!(
                    out,
                    vec![Action::BlobGet(BlobGet { sha256: sha.clone(), offset: 0, chunks: None })],
                    "from zero again"
                );
            } else {
                assert!(matches!(&out[0], Action::Report(r) if r.state == SyncState::Failed));
            }
        }
        assert_eq!(c.applied_version(), 0);
    }

    /// A delta document from `from` to `to`, as a hub would describe it.
    fn delta_doc(from: &Snapshot, to: &Snapshot) -> (CatalogDoc, Vec<u8>) {
        let bytes = Document::Delta(from.delta_to(to)).to_bytes();
        let d =
            CatalogDoc { base: from.version, kind: DocKind::Delta, ..doc(to, &bytes, to.manifest_sha256()) };
        (d, bytes)
    }

    fn course(id: &str) -> VersionedItem {
        VersionedItem {
            rev: 1,
            item: CatalogItem::Course(Course {
                id: id.into(),
                kind: CourseKind::Basics,
                audience: Audience::Everyone,
                title_zh: "电商入门".into(),
                title_en: String::new(),
                intro_zh: String::new(),
                intro_en: String::new(),
                organiser_zh: "中心".into(),
            }),
        }
    }

    /// Apply `snap` through the client as the hub would send it whole.
    fn receive_whole(c: &mut SyncClient, snap: &Snapshot, t: Instant) -> Vec<Action> {
        let bytes = Document::Snapshot(snap.clone()).to_bytes();
        let out = c.on_doc(doc(snap, &bytes, snap.manifest_sha256()), t);
        assert!(matches!(out.first(), Some(Action::BlobGet(_))), "{out:?}");
        let out = c.on_chunk(&protocol::sha256_hex(&bytes), 0, &bytes, t);
        let Some(Action::Apply(next)) = out.last() else { panic!("{out:?}") };
        assert_eq!(next, snap);
        c.stored(next.clone(), Ok(()), t)
    }

    #[test]
    fn after_a_software_update_the_same_version_in_a_wider_view_is_fetched_whole() {
        let t = Instant::now();
        // Version 1 as an older build of this kiosk got it: no courses.
        let whole = Snapshot::new(1, vec![course("c1"), service("a", "政策咨询")]).unwrap();
        let narrow = whole.view(&[]);
        let dir = tempfile::tempdir().unwrap();
        let mut c = SyncClient::new(BlobStore::new(dir.path()).unwrap(), Some(narrow.clone()));
        assert!(c.on_pointer(pointer(&narrow), t).is_empty(), "the narrow pointer is current");
        // The hub hears this build's birth and points at the whole version.
        let out = c.on_pointer(pointer(&whole), t);
        assert!(matches!(out[0], Action::Get(CatalogGet { have: 1, want: 1 })), "{out:?}");
        // The retained narrow answer to an earlier question is not taken.
        let stale = Document::Snapshot(narrow.clone()).to_bytes();
        assert!(c.on_doc(doc(&narrow, &stale, narrow.manifest_sha256()), t).is_empty());
        receive_whole(&mut c, &whole, t);
        assert_eq!(c.applied(), Some(&whole));
        assert!(c.on_pointer(pointer(&whole), t).is_empty());
    }

    #[test]
    fn a_delta_that_does_not_fit_the_catalog_here_is_followed_by_a_snapshot() {
        let t = Instant::now();
        let v1 = Snapshot::new(1, vec![course("c1"), service("a", "政策咨询")]).unwrap();
        let v2 =
            Snapshot::new(2, vec![course("c1"), service("a", "政策咨询"), service("b", "开店指导")]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // This kiosk holds version 1 without its course (an older build's view).
        let mut c = SyncClient::new(BlobStore::new(dir.path()).unwrap(), Some(v1.view(&[])));
        let out = c.on_pointer(pointer(&v2), t);
        assert!(matches!(out[0], Action::Get(CatalogGet { have: 1, want: 2 })));
        let (d, bytes) = delta_doc(&v1, &v2);
        c.on_doc(d, t);
        let out = c.on_chunk(&protocol::sha256_hex(&bytes), 0, &bytes, t);
        assert!(matches!(out[0], Action::Get(CatalogGet { have: 0, want: 2 })), "a snapshot: {out:?}");
        assert!(c.progress().error.is_none(), "not a failure");
        // Asked again on a stall, still from scratch.
        let out = c.on_tick(t + STALL + Duration::from_millis(1));
        assert!(matches!(out[0], Action::Get(CatalogGet { have: 0, want: 2 })), "{out:?}");
        receive_whole(&mut c, &v2, t);
        assert_eq!(c.applied(), Some(&v2));
    }
}
