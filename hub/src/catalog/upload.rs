//! A catalog arriving over the network, as the console receives it: a zip
//! of the whole folder, or single files laid over an earlier upload. Every
//! entry is checked before anything is written (no path may leave the
//! folder, no links, a bounded number of files), and bytes are counted as
//! they are unpacked, whatever sizes the zip claims.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// How much one upload may hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_files: usize,
    /// Bytes once unpacked, all files together.
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // A county catalog is a few hundred products and their photos
        // (each photo at most 2 MiB, see `images`).
        Limits { max_files: 10_000, max_bytes: 512 << 20 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("this is not a zip file that can be read ({0}); save the catalog folder as a .zip and try again")]
    NotZip(String),
    #[error("{0:?} points outside the catalog folder (`..` or a path from the root); nothing was unpacked")]
    Escapes(String),
    #[error("{0:?} is a link, not a file; a catalog holds only files and folders; nothing was unpacked")]
    Link(String),
    #[error("the upload holds {found} files, more than the {limit} a catalog may have; nothing was unpacked")]
    TooManyFiles { found: usize, limit: usize },
    #[error("the upload unpacks to more than {} MiB; nothing was unpacked", .0 >> 20)]
    TooLarge(u64),
    #[error(
        "{0:?} is not part of a catalog: send .csv, .toml or .md files, .png or .jpg images, or the whole folder as a .zip"
    )]
    UnknownFile(String),
    #[error("{0:?} is damaged inside the zip: {1}")]
    Damaged(String, String),
    #[error("writing the upload: {0}")]
    Io(#[from] std::io::Error),
}

/// Unpack a zip of a catalog folder into `into` (which should be empty).
/// A zip made by right-clicking the folder holds one top folder: its
/// content becomes the catalog. Returns the number of files written.
pub fn unpack_zip(bytes: &[u8], into: &Path, limits: &Limits) -> Result<usize, UploadError> {
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| UploadError::NotZip(e.to_string()))?;
    if zip.len() > limits.max_files {
        return Err(UploadError::TooManyFiles { found: zip.len(), limit: limits.max_files });
    }
    // Every entry is judged before one byte is written.
    let mut files = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| UploadError::NotZip(e.to_string()))?;
        let name = entry.name().to_owned();
        if entry.is_symlink() {
            return Err(UploadError::Link(name));
        }
        let Some(path) = entry.enclosed_name().filter(|p| is_plain_relative(p)) else {
            return Err(UploadError::Escapes(name));
        };
        if entry.is_dir() || is_system_litter(&path) {
            continue;
        }
        files.push((i, path));
    }
    let top = single_top_folder(files.iter().map(|(_, p)| p.as_path()));
    let mut written = 0u64;
    for (i, path) in &files {
        let relative = match &top {
            Some(top) => path.strip_prefix(top).unwrap_or(path),
            None => path.as_path(),
        };
        let target = into.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut entry =
            zip.by_index(*i).map_err(|e| UploadError::Damaged(path.display().to_string(), e.to_string()))?;
        let left = limits.max_bytes - written;
        let mut out = std::fs::File::create(&target)?;
        // At most one byte more than allowed is read: that byte is the proof.
        let copied = std::io::copy(&mut (&mut entry).take(left + 1), &mut out)
            .map_err(|e| UploadError::Damaged(path.display().to_string(), e.to_string()))?;
        if copied > left {
            return Err(UploadError::TooLarge(limits.max_bytes));
        }
        written += copied;
    }
    Ok(files.len())
}

/// Lay one file over a catalog folder: tables and notes at the top,
/// images into `images/` (a browser sends a file's name, not its folder).
pub fn put_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, UploadError> {
    let base = Path::new(name);
    let plain =
        base.components().count() == 1 && matches!(base.components().next(), Some(Component::Normal(_)));
    if !plain {
        return Err(UploadError::Escapes(name.to_owned()));
    }
    let ext = base.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let relative = match ext.as_str() {
        "csv" | "toml" | "md" => PathBuf::from(name),
        "png" | "jpg" | "jpeg" => Path::new("images").join(name),
        _ => return Err(UploadError::UnknownFile(name.to_owned())),
    };
    let target = dir.join(&relative);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::File::create(&target)?.write_all(bytes)?;
    Ok(relative)
}

/// Copy a catalog folder (files and subfolders; links are not followed).
pub fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let kind = e.file_type()?;
        if kind.is_dir() {
            copy_folder(&e.path(), &to.join(e.file_name()))?;
        } else if kind.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name()))?;
        }
    }
    Ok(())
}

fn is_plain_relative(p: &Path) -> bool {
    p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// What macOS and Windows add to a zip: not part of the catalog.
fn is_system_litter(p: &Path) -> bool {
    p.components().any(|c| c.as_os_str() == "__MACOSX")
        || p.file_name().is_some_and(|n| n == ".DS_Store" || n == "Thumbs.db")
}

/// The one folder every file is inside, when the catalog's files are not
/// at the top of the zip.
fn single_top_folder<'a>(paths: impl Iterator<Item = &'a Path>) -> Option<PathBuf> {
    let mut top: Option<&std::ffi::OsStr> = None;
    let mut at_root_has_catalog = false;
    for p in paths {
        let mut parts = p.components();
        let first = parts.next()?.as_os_str();
        if parts.next().is_none() {
            // A file at the top: the zip is the folder's content itself.
            at_root_has_catalog = true;
            break;
        }
        match top {
            None => top = Some(first),
            Some(t) if t == first => {}
            Some(_) => return None,
        }
    }
    if at_root_has_catalog { None } else { top.map(PathBuf::from) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            z.start_file(*name, SimpleFileOptions::default()).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for e in walk(dir) {
            out.push(e.strip_prefix(dir).unwrap().display().to_string());
        }
        out.sort();
        out
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                out.extend(walk(&e.path()));
            } else {
                out.push(e.path());
            }
        }
        out
    }

    #[test]
    fn a_zipped_folder_unpacks_to_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let zip = zip_of(&[
            ("tongcheng/products.csv", b"id\n"),
            ("tongcheng/images/a.png", b"png"),
            ("__MACOSX/tongcheng/._products.csv", b"junk"),
        ]);
        assert_eq!(unpack_zip(&zip, dir.path(), &Limits::default()).unwrap(), 2);
        assert_eq!(files_in(dir.path()), ["images/a.png", "products.csv"]);
    }

    #[test]
    fn files_at_the_top_stay_there() {
        let dir = tempfile::tempdir().unwrap();
        let zip = zip_of(&[("products.csv", b"id\n"), ("images/a.png", b"png")]);
        unpack_zip(&zip, dir.path(), &Limits::default()).unwrap();
        assert_eq!(files_in(dir.path()), ["images/a.png", "products.csv"]);
    }

    #[test]
    fn paths_that_leave_the_folder_are_refused_before_anything_is_written() {
        for evil in ["../escape.csv", "/etc/cron.d/evil", "a/../../escape.csv"] {
            let dir = tempfile::tempdir().unwrap();
            let zip = zip_of(&[("products.csv", b"id\n"), (evil, b"x")]);
            let e = unpack_zip(&zip, dir.path(), &Limits::default()).unwrap_err();
            assert!(matches!(e, UploadError::Escapes(ref n) if n == evil), "{evil}: {e}");
            assert!(files_in(dir.path()).is_empty(), "{evil}: something was written");
        }
    }

    #[test]
    fn links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        z.add_symlink("products.csv", "/etc/passwd", SimpleFileOptions::default()).unwrap();
        let zip = z.finish().unwrap().into_inner();
        let e = unpack_zip(&zip, dir.path(), &Limits::default()).unwrap_err();
        assert!(matches!(e, UploadError::Link(_)), "{e}");
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn too_many_files_are_refused_by_count() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..=10_000).map(|i| format!("images/{i}.png")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        let e = unpack_zip(&zip_of(&entries), dir.path(), &Limits::default()).unwrap_err();
        assert!(matches!(e, UploadError::TooManyFiles { found: 10_001, limit: 10_000 }), "{e}");
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn bytes_are_counted_as_they_unpack() {
        let dir = tempfile::tempdir().unwrap();
        let zeros = vec![0u8; 300_000];
        let zip = zip_of(&[("a.csv", &zeros), ("b.csv", &zeros)]);
        assert!(zip.len() < 10_000, "the zip is small; what it expands to is not");
        let limits = Limits { max_files: 10, max_bytes: 500_000 };
        let e = unpack_zip(&zip, dir.path(), &limits).unwrap_err();
        assert!(matches!(e, UploadError::TooLarge(500_000)), "{e}");
        let exact = Limits { max_files: 10, max_bytes: 600_000 };
        let dir2 = tempfile::tempdir().unwrap();
        assert_eq!(unpack_zip(&zip, dir2.path(), &exact).unwrap(), 2);
    }

    #[test]
    fn garbage_is_not_a_zip() {
        let dir = tempfile::tempdir().unwrap();
        let e = unpack_zip(b"id,name\n", dir.path(), &Limits::default()).unwrap_err();
        assert!(matches!(e, UploadError::NotZip(_)), "{e}");
    }

    #[test]
    fn single_files_go_where_the_catalog_wants_them() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(put_file(dir.path(), "products.csv", b"id\n").unwrap(), Path::new("products.csv"));
        assert_eq!(put_file(dir.path(), "Tea.JPG", b"jpg").unwrap(), Path::new("images/Tea.JPG"));
        assert!(matches!(put_file(dir.path(), "../x.csv", b"").unwrap_err(), UploadError::Escapes(_)));
        assert!(matches!(put_file(dir.path(), "/x.csv", b"").unwrap_err(), UploadError::Escapes(_)));
        assert!(matches!(put_file(dir.path(), "run.sh", b"").unwrap_err(), UploadError::UnknownFile(_)));
        assert_eq!(files_in(dir.path()), ["images/Tea.JPG", "products.csv"]);
    }
}
