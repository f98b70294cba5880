//! Content-addressed files: `blobs/ab/cdef…` named by their SHA-256, and
//! `partial/<sha256>` while a download is under way. A blob enters `blobs/`
//! only after its bytes hash to its name, so a file there is always right.

use protocol::{is_sha256_hex, sha256_hex};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct BlobStore {
    root: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("{0:?} is not a SHA-256 content address")]
    BadName(String),
    #[error("blob {sha256}: the bytes received hash to {got}; dropped, to be fetched again")]
    Mismatch { sha256: String, got: String },
    #[error("blob store {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BlobError + '_ {
    move |source| BlobError::Io { path: path.to_owned(), source }
}

impl BlobStore {
    pub fn new(root: impl Into<PathBuf>) -> Result<BlobStore, BlobError> {
        let root = root.into();
        for sub in ["blobs", "partial"] {
            let p = root.join(sub);
            std::fs::create_dir_all(&p).map_err(io(&p))?;
        }
        Ok(BlobStore { root })
    }

    fn check(sha: &str) -> Result<(), BlobError> {
        if is_sha256_hex(sha) { Ok(()) } else { Err(BlobError::BadName(sha.to_owned())) }
    }

    /// Where a verified blob lives (whether or not it is there yet).
    pub fn path(&self, sha: &str) -> PathBuf {
        self.root.join("blobs").join(&sha[..2.min(sha.len())]).join(sha.get(2..).unwrap_or(""))
    }

    fn partial(&self, sha: &str) -> PathBuf {
        self.root.join("partial").join(sha)
    }

    pub fn has(&self, sha: &str) -> bool {
        is_sha256_hex(sha) && self.path(sha).is_file()
    }

    /// Bytes of `sha` received so far (where a download resumes).
    pub fn partial_len(&self, sha: &str) -> u64 {
        std::fs::metadata(self.partial(sha)).map(|m| m.len()).unwrap_or(0)
    }

    /// Append a chunk if it starts where the partial file ends; returns the
    /// new length, or `None` for a chunk out of order (a duplicate, or from
    /// an older request).
    pub fn append(&self, sha: &str, offset: u64, bytes: &[u8]) -> Result<Option<u64>, BlobError> {
        Self::check(sha)?;
        let path = self.partial(sha);
        let len = self.partial_len(sha);
        if offset != len {
            return Ok(None);
        }
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(io(&path))?;
        f.write_all(bytes).map_err(io(&path))?;
        f.sync_data().map_err(io(&path))?;
        Ok(Some(len + bytes.len() as u64))
    }

    /// The download is complete: verify and move it into place. A mismatch
    /// deletes the partial file so the next request starts from zero.
    pub fn finish(&self, sha: &str) -> Result<(), BlobError> {
        Self::check(sha)?;
        let path = self.partial(sha);
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        let got = sha256_hex(&bytes);
        if got != sha {
            let _ = std::fs::remove_file(&path);
            return Err(BlobError::Mismatch { sha256: sha.to_owned(), got });
        }
        let dest = self.path(sha);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(io(dir))?;
        }
        std::fs::rename(&path, &dest).map_err(io(&dest))?;
        Ok(())
    }

    pub fn read(&self, sha: &str) -> Result<Vec<u8>, BlobError> {
        Self::check(sha)?;
        let p = self.path(sha);
        std::fs::read(&p).map_err(io(&p))
    }

    /// Delete a verified blob nothing needs any more; true when it was here.
    pub fn remove(&self, sha: &str) -> Result<bool, BlobError> {
        Self::check(sha)?;
        let p = self.path(sha);
        match std::fs::remove_file(&p) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io(&p)(e)),
        }
    }

    /// Drop a partial download (after repeated failures).
    pub fn discard_partial(&self, sha: &str) {
        if is_sha256_hex(sha) {
            let _ = std::fs::remove_file(self.partial(sha));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_verified_bytes_become_a_blob() {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::new(dir.path()).unwrap();
        let data = b"hello, Tongcheng".to_vec();
        let sha = sha256_hex(&data);
        assert_eq!(s.append(&sha, 0, &data[..5]).unwrap(), Some(5));
        assert_eq!(s.append(&sha, 0, &data[..5]).unwrap(), None, "a duplicate chunk");
        assert_eq!(s.append(&sha, 9, &data[9..]).unwrap(), None, "a chunk from the future");
        assert_eq!(s.partial_len(&sha), 5);
        assert_eq!(s.append(&sha, 5, &data[5..]).unwrap(), Some(data.len() as u64));
        s.finish(&sha).unwrap();
        assert!(s.has(&sha));
        assert_eq!(s.read(&sha).unwrap(), data);

        let other = sha256_hex(b"other");
        s.append(&other, 0, b"not the other").unwrap();
        assert!(matches!(s.finish(&other), Err(BlobError::Mismatch { .. })));
        assert!(!s.has(&other));
        assert_eq!(s.partial_len(&other), 0, "a corrupted download starts again from zero");
        assert!(matches!(s.append("../etc", 0, b""), Err(BlobError::BadName(_))));
    }
}
