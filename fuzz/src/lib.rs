//! What the fuzz targets share: cutting one input into the pieces a
//! streaming parser is fed, and a scratch copy of the sample catalog.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Splits `data` into chunks whose lengths come from the input itself: the
/// first byte of each chunk is its length (0–63) and its low bits also give
/// the pause before it in milliseconds (0–255 in steps of 4), so the fuzzer
/// explores how a serial stream is cut up and timed as well as its bytes.
pub fn chunks(data: &[u8]) -> Vec<(u64, &[u8])> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some((&head, tail)) = rest.split_first() {
        let len = usize::from(head & 0x3F).min(tail.len());
        let pause_ms = u64::from(head >> 6) * 64 + u64::from(head & 0x0F) * 4;
        out.push((pause_ms, &tail[..len]));
        rest = &tail[len..];
    }
    out
}

/// The number of lines a text has, counted the way a person opening the
/// file would: a line ends at LF, CRLF or a lone CR.
pub fn line_count(text: &[u8]) -> u64 {
    let mut lines = 1;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\n' => lines += 1,
            b'\r' if text.get(i + 1) != Some(&b'\n') => lines += 1,
            _ => {}
        }
        i += 1;
    }
    lines
}

/// The repository's sample catalog folder.
pub fn sample_catalog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/catalog/tongcheng")
}

/// A private copy of the sample catalog that a target may change one file
/// of at a time (it puts the file back after each input).
pub fn scratch_catalog() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_folder(&sample_catalog(), dir.path());
        dir
    })
    .path()
}

fn copy_folder(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("the sample catalog is readable") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("its type").is_dir() {
            std::fs::create_dir_all(&target).expect("a folder");
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("a copied file");
        }
    }
}
