//! A catalog uploaded through the console as a zip: refused or unpacked,
//! and never a file outside the folder it is unpacked into, never more
//! files or bytes than the limits allow.
#![no_main]

use hub::catalog::upload::{Limits, unpack_zip};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fn walk(dir: &Path, files: &mut u64, bytes: &mut u64) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let ty = e.file_type().unwrap();
        assert!(!ty.is_symlink(), "a symlink was unpacked: {}", e.path().display());
        if ty.is_dir() {
            walk(&e.path(), files, bytes);
        } else {
            *files += 1;
            *bytes += e.metadata().unwrap().len();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let outer = tempfile::tempdir().unwrap();
    let into = outer.path().join("upload");
    std::fs::create_dir(&into).unwrap();
    let limits = Limits { max_files: 20, max_bytes: 64 << 10 };
    let result = unpack_zip(data, &into, &limits);

    let outside: Vec<_> = std::fs::read_dir(outer.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(outside, ["upload"], "something was written beside the upload folder");
    let (mut files, mut bytes) = (0, 0);
    walk(&into, &mut files, &mut bytes);
    assert!(files <= 20 && bytes <= 64 << 10, "limits passed: {files} files, {bytes} bytes");
    if let Ok(n) = result {
        assert_eq!(n as u64, files, "the count reported is the count written");
    }
});
