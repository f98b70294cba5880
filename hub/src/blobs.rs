//! The content-addressed blob folder: `blobs/ab/cdef…` (images, catalog
//! documents). Files are written to a temporary name and renamed, so a crash
//! never leaves a partial file under a content address.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct BlobDir {
    root: PathBuf,
}

impl BlobDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn path(&self, sha256: &str) -> PathBuf {
        self.root.join(&sha256[..2]).join(&sha256[2..])
    }

    /// Store `bytes` under their hash (a no-op when already present).
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<String> {
        let sha = protocol::sha256_hex(bytes);
        let path = self.path(&sha);
        if path.exists() {
            return Ok(sha);
        }
        let dir = path.parent().expect("blob paths have a parent");
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile_in(dir)?;
        tmp.1.write_all(bytes)?;
        tmp.1.sync_all()?;
        std::fs::rename(&tmp.0, &path)?;
        Ok(sha)
    }

    pub fn size(&self, sha256: &str) -> Option<u64> {
        std::fs::metadata(self.path(sha256)).ok().map(|m| m.len())
    }

    /// Read up to `len` bytes from `offset`.
    pub fn read_at(&self, sha256: &str, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
        let mut f = std::fs::File::open(self.path(sha256))?;
        f.seek(SeekFrom::Start(offset))?;
        let mut buf = Vec::with_capacity(len);
        f.take(len as u64).read_to_end(&mut buf)?;
        Ok(buf)
    }
}

fn tempfile_in(dir: &Path) -> std::io::Result<(PathBuf, std::fs::File)> {
    for _ in 0..16 {
        let name = dir.join(format!(".tmp-{}-{:016x}", std::process::id(), rand::random::<u64>()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&name) {
            Ok(f) => return Ok((name, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("cannot create a temporary blob file"))
}
