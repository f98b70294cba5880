//! A catalog document as a kiosk receives it (gzip-compressed JSON): refused
//! or read, never a panic or a runaway inflation; a document that was read
//! keeps its identity through a write and read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use protocol::catalog::Document;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let Some((&how, rest)) = data.split_first() else { return };
    let bytes = if how & 1 == 0 {
        rest.to_vec()
    } else {
        // Compressed here, so the fuzzer's bytes reach the JSON parser.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(rest).unwrap();
        gz.finish().unwrap()
    };
    let Ok(doc) = Document::from_bytes(&bytes) else { return };
    let again = Document::from_bytes(&doc.to_bytes()).expect("a written document reads back");
    assert_eq!(again, doc);
    if let Document::Snapshot(s) = &doc {
        let _ = s.blobs();
        let _ = s.manifest_sha256();
        let _ = s.delta_to(s);
    }
});
