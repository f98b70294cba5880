//! The release download, as a state machine with no I/O of its own besides
//! the blob folder: the same content-addressed, resumable fetch as the
//! catalog's, in small windows (two chunks) asked for no faster than the
//! configured rate and only while nothing else waits for the link (events
//! in flight, a catalog on its way). A cut link costs at most the window
//! that was under way: the next request starts where the partial file ends.

use crate::blobs::{BlobError, BlobStore};
use protocol::limits;
use protocol::messages::{BlobGet, ReleasePointer, ReleaseState};
use protocol::release::ReleaseVersion;
use std::time::{Duration, Instant};

/// No chunk for this long: ask again from where the file ends.
pub const STALL: Duration = Duration::from_secs(10);
/// Progress goes to the hub (retained) about once per this many bytes.
const REPORT_EVERY: u64 = 1024 * 1024;
/// A download whose bytes hash wrong this often fails the release.
const MAX_FAILURES: u32 = 3;

/// What the caller must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    BlobGet(BlobGet),
    Report(ReleaseState, u64, u64),
    /// The whole artifact is in the blob folder with the announced hash:
    /// check its signature and install it.
    Downloaded(ReleasePointer),
    /// Given up (the bytes kept hashing wrong).
    Failed(ReleasePointer, String),
}

struct Fetch {
    pointer: ReleasePointer,
    /// Where the window under way ends; `None` while the next one waits.
    window_end: Option<u64>,
    /// When the last window was asked for (pacing counts from here).
    asked_when: Instant,
    last_progress: Instant,
    failures: u32,
}

pub struct ReleaseClient {
    blobs: BlobStore,
    bytes_per_s: u64,
    fetch: Option<Fetch>,
}

impl ReleaseClient {
    pub fn new(blobs: BlobStore, rate_kbit: u32) -> ReleaseClient {
        ReleaseClient { blobs, bytes_per_s: u64::from(rate_kbit.max(1)) * 1000 / 8, fetch: None }
    }

    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// The release being fetched, if any.
    pub fn fetching(&self) -> Option<ReleaseVersion> {
        self.fetch.as_ref().map(|f| f.pointer.manifest.version)
    }

    /// Whether chunks of `sha` are this client's.
    pub fn wants(&self, sha: &str) -> bool {
        self.fetch.as_ref().is_some_and(|f| f.pointer.manifest.sha256 == sha)
    }

    /// Bytes of the release held so far, and its size.
    pub fn progress(&self) -> Option<(u64, u64)> {
        let f = self.fetch.as_ref()?;
        Some((self.blobs.partial_len(&f.pointer.manifest.sha256), f.pointer.manifest.size))
    }

    /// Fetch this release (its pointer already checked as the hub's, and as
    /// one worth fetching).
    pub fn start(&mut self, pointer: ReleasePointer, now: Instant, busy: bool) -> Vec<Action> {
        let sha = pointer.manifest.sha256.clone();
        if self.blobs.has(&sha) {
            self.fetch = None;
            return vec![Action::Downloaded(pointer)];
        }
        let (done, total) = (self.blobs.partial_len(&sha), pointer.manifest.size);
        self.fetch = Some(Fetch {
            pointer,
            window_end: None,
            asked_when: now - Duration::from_secs(3600),
            last_progress: now,
            failures: 0,
        });
        let mut out = vec![Action::Report(ReleaseState::Downloading, done, total)];
        out.extend(self.ask_if_due(now, busy));
        out
    }

    /// Stop fetching (the hub points elsewhere); the partial file stays for later.
    pub fn stop(&mut self) {
        self.fetch = None;
    }

    /// When the next window may be asked for, if one is waiting for its
    /// turn (the caller wakes then rather than at its next tick).
    pub fn next_due(&self) -> Option<Instant> {
        let f = self.fetch.as_ref().filter(|f| f.window_end.is_none())?;
        Some(f.asked_when + self.spacing())
    }

    fn spacing(&self) -> Duration {
        let window = u64::from(limits::RELEASE_WINDOW_CHUNKS) * limits::BLOB_CHUNK as u64;
        Duration::from_secs_f64(window as f64 / self.bytes_per_s as f64)
    }

    /// Ask for the next window when the pace allows and the link is free.
    fn ask_if_due(&mut self, now: Instant, busy: bool) -> Vec<Action> {
        let spacing = self.spacing();
        let window = u64::from(limits::RELEASE_WINDOW_CHUNKS) * limits::BLOB_CHUNK as u64;
        let Some(f) = &mut self.fetch else { return Vec::new() };
        if f.window_end.is_some() || busy {
            return Vec::new();
        }
        if now < f.asked_when + spacing {
            return Vec::new();
        }
        let sha = f.pointer.manifest.sha256.clone();
        let offset = self.blobs.partial_len(&sha);
        f.window_end = Some(offset + window);
        f.asked_when = now;
        f.last_progress = now;
        vec![Action::BlobGet(BlobGet { sha256: sha, offset, chunks: Some(limits::RELEASE_WINDOW_CHUNKS) })]
    }

    /// The link came back: the window under way is lost; ask again at once.
    pub fn on_connect(&mut self, now: Instant, busy: bool) -> Vec<Action> {
        if let Some(f) = &mut self.fetch {
            f.window_end = None;
            f.asked_when = now - Duration::from_secs(3600);
        }
        self.ask_if_due(now, busy)
    }

    /// Raw bytes of the release's blob from `offset`.
    pub fn on_chunk(
        &mut self,
        sha: &str,
        offset: u64,
        bytes: &[u8],
        now: Instant,
        busy: bool,
    ) -> Vec<Action> {
        if !self.wants(sha) {
            return Vec::new();
        }
        let len = match self.blobs.append(sha, offset, bytes) {
            Ok(Some(len)) => len,
            Ok(None) => return Vec::new(), // a duplicate or a stale window's chunk
            Err(e) => return self.give_up(e.to_string()),
        };
        let f = self.fetch.as_mut().expect("checked by wants");
        f.last_progress = now;
        let size = f.pointer.manifest.size;
        let mut out = Vec::new();
        if len > size {
            self.blobs.discard_partial(sha);
            return self.give_up(format!("the release is longer than its signed size {size}"));
        }
        if len == size {
            return match self.blobs.finish(sha) {
                Ok(()) => {
                    let f = self.fetch.take().expect("fetching");
                    vec![Action::Report(ReleaseState::Verifying, size, size), Action::Downloaded(f.pointer)]
                }
                Err(e @ BlobError::Mismatch { .. }) => {
                    f.failures += 1;
                    f.window_end = None;
                    if f.failures >= MAX_FAILURES {
                        return self.give_up(e.to_string());
                    }
                    tracing::warn!(error = %e, "fetching the release again");
                    self.ask_if_due(now, busy)
                }
                Err(e) => self.give_up(e.to_string()),
            };
        }
        if (len - bytes.len() as u64) / REPORT_EVERY != len / REPORT_EVERY {
            out.push(Action::Report(ReleaseState::Downloading, len, size));
        }
        if f.window_end.is_some_and(|end| len >= end) {
            f.window_end = None;
            out.extend(self.ask_if_due(now, busy));
        }
        out
    }

    fn give_up(&mut self, why: String) -> Vec<Action> {
        match self.fetch.take() {
            Some(f) => vec![Action::Failed(f.pointer, why)],
            None => Vec::new(),
        }
    }

    /// A few times a second: the next window when due, or the window again
    /// when it stalled (a lost chunk, a hub restart).
    pub fn on_tick(&mut self, now: Instant, busy: bool) -> Vec<Action> {
        let Some(f) = &mut self.fetch else { return Vec::new() };
        if f.window_end.is_some() && now.duration_since(f.last_progress) > STALL {
            f.window_end = None;
            f.asked_when = now - Duration::from_secs(3600);
        }
        self.ask_if_due(now, busy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::release::ReleaseManifest;

    const CHUNK: usize = limits::BLOB_CHUNK;

    fn pointer(data: &[u8]) -> ReleasePointer {
        ReleasePointer {
            manifest: ReleaseManifest {
                version: "2.0.0".parse().unwrap(),
                sha256: protocol::sha256_hex(data),
                size: data.len() as u64,
                signature: String::new(),
            },
            notes: String::new(),
            install_hours: None,
        }
    }

    fn asked(out: &[Action]) -> Vec<u64> {
        out.iter()
            .filter_map(|a| match a {
                Action::BlobGet(g) => Some(g.offset),
                _ => None,
            })
            .collect()
    }

    /// Every window is asked for at its offset, paced by the rate, held back
    /// while the link is busy, and a cut costs only the window under way.
    #[test]
    fn windows_are_paced_held_back_when_busy_and_resume_after_a_cut() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..(CHUNK * 5 + 100)).map(|i| (i % 251) as u8).collect();
        let p = pointer(&data);
        let sha = p.manifest.sha256.clone();
        // 1 Mbit/s: a 128 KiB window every ~1.05 s.
        let mut c = ReleaseClient::new(BlobStore::new(dir.path()).unwrap(), 1000);
        let t0 = Instant::now();
        assert!(asked(&c.start(p.clone(), t0, true)).is_empty(), "busy: nothing asked");
        assert_eq!(asked(&c.on_tick(t0, false)), vec![0]);
        c.on_chunk(&sha, 0, &data[..CHUNK], t0, false);
        let out = c.on_chunk(&sha, CHUNK as u64, &data[CHUNK..2 * CHUNK], t0, false);
        assert!(asked(&out).is_empty(), "too soon for the next window");
        assert!(asked(&c.on_tick(t0 + Duration::from_millis(900), false)).is_empty());
        assert!(asked(&c.on_tick(t0 + Duration::from_millis(1100), true)).is_empty(), "busy");
        let t1 = t0 + Duration::from_millis(1100);
        assert_eq!(asked(&c.on_tick(t1, false)), vec![2 * CHUNK as u64]);
        // One chunk of the window arrives, then the link is cut.
        c.on_chunk(&sha, 2 * CHUNK as u64, &data[2 * CHUNK..3 * CHUNK], t1, false);
        let t2 = t1 + Duration::from_secs(30);
        assert_eq!(asked(&c.on_connect(t2, false)), vec![3 * CHUNK as u64], "resumes where the file ends");
        // A stale chunk from before the cut changes nothing.
        assert!(c.on_chunk(&sha, 2 * CHUNK as u64, &data[2 * CHUNK..3 * CHUNK], t2, false).is_empty());
        c.on_chunk(&sha, 3 * CHUNK as u64, &data[3 * CHUNK..4 * CHUNK], t2, false);
        c.on_chunk(&sha, 4 * CHUNK as u64, &data[4 * CHUNK..5 * CHUNK], t2, false);
        let t3 = t2 + Duration::from_secs(2);
        assert_eq!(asked(&c.on_tick(t3, false)), vec![5 * CHUNK as u64]);
        let out = c.on_chunk(&sha, 5 * CHUNK as u64, &data[5 * CHUNK..], t3, false);
        assert!(matches!(out.last(), Some(Action::Downloaded(d)) if *d == p), "{out:?}");
        assert_eq!(c.fetching(), None);
    }

    #[test]
    fn a_stalled_window_is_asked_again_and_bad_bytes_give_up() {
        let dir = tempfile::tempdir().unwrap();
        let data = vec![7u8; 100];
        let mut p = pointer(&data);
        let mut c = ReleaseClient::new(BlobStore::new(dir.path()).unwrap(), 100_000);
        let t0 = Instant::now();
        assert_eq!(asked(&c.start(p.clone(), t0, false)), vec![0]);
        assert!(asked(&c.on_tick(t0 + STALL, false)).is_empty());
        assert_eq!(asked(&c.on_tick(t0 + STALL + Duration::from_secs(1), false)), vec![0]);
        // The hub serves other bytes under the announced hash, three times.
        p.manifest.sha256 = protocol::sha256_hex(b"something else");
        let sha = p.manifest.sha256.clone();
        p.manifest.size = data.len() as u64;
        c.start(p.clone(), t0, false);
        let mut out = Vec::new();
        for _ in 0..MAX_FAILURES {
            out = c.on_chunk(&sha, 0, &data, t0, false);
        }
        assert!(matches!(out.as_slice(), [Action::Failed(..)]), "{out:?}");
    }
}
