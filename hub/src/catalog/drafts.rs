//! Catalog folders uploaded through the console, each kept under
//! `<data>/catalog-drafts/<id>/` until it is published or a week old. A
//! correction is a new draft made from the one it corrects, so two editors
//! never write into the same folder, and what was checked is what is
//! published.

use crate::store::DataDir;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Drafts older than this are swept, except the last published one.
const KEEP: Duration = Duration::from_secs(7 * 24 * 3600);
/// Names the draft that was published last: the base for single files.
const PUBLISHED_MARK: &str = "published";

pub struct Drafts {
    root: PathBuf,
}

impl Drafts {
    pub fn new(data: &DataDir) -> Drafts {
        Drafts { root: data.root().join("catalog-drafts") }
    }

    /// A new, empty draft folder, or a copy of `base`.
    pub fn create(&self, base: Option<&str>) -> std::io::Result<(String, PathBuf)> {
        std::fs::create_dir_all(&self.root)?;
        let id = crate::staff::sessions::new_token()[..16].to_owned();
        let dir = self.root.join(&id);
        match base.and_then(|b| self.folder(b)) {
            Some(from) => super::upload::copy_folder(&from, &dir)?,
            None => std::fs::create_dir(&dir)?,
        }
        Ok((id, dir))
    }

    /// The folder of draft `id`, if it exists (ids are checked, not joined blindly).
    pub fn folder(&self, id: &str) -> Option<PathBuf> {
        let ok = id.len() == 16 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let dir = self.root.join(id);
        (ok && dir.is_dir()).then_some(dir)
    }

    pub fn mark_published(&self, id: &str) -> std::io::Result<()> {
        std::fs::write(self.root.join(PUBLISHED_MARK), id)
    }

    /// The draft published last, while it is kept.
    pub fn last_published(&self) -> Option<String> {
        let id = std::fs::read_to_string(self.root.join(PUBLISHED_MARK)).ok()?;
        self.folder(id.trim()).map(|_| id.trim().to_owned())
    }

    /// Remove week-old drafts (but not the last published one).
    pub fn sweep(&self) {
        let keep = self.last_published();
        let Ok(entries) = std::fs::read_dir(&self.root) else { return };
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > KEEP);
            let name = e.file_name().to_string_lossy().into_owned();
            if old && e.path().is_dir() && keep.as_deref() != Some(name.as_str()) {
                if let Err(err) = std::fs::remove_dir_all(e.path()) {
                    tracing::warn!(draft = name, error = %err, "catalog draft not removed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correction_starts_from_a_copy_and_ids_are_not_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let drafts = Drafts::new(&DataDir::new(tmp.path()).unwrap());
        let (a, dir_a) = drafts.create(None).unwrap();
        std::fs::create_dir(dir_a.join("images")).unwrap();
        std::fs::write(dir_a.join("images/x.png"), b"png").unwrap();
        let (b, dir_b) = drafts.create(Some(&a)).unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read(dir_b.join("images/x.png")).unwrap(), b"png");
        assert!(drafts.folder("../../etc").is_none());
        assert!(drafts.folder("0123456789abcdef").is_none(), "no such draft");
        assert_eq!(drafts.last_published(), None);
        drafts.mark_published(&b).unwrap();
        assert_eq!(drafts.last_published(), Some(b));
    }
}
