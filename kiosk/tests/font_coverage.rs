//! Every character the kiosk can show is in its embedded font: the UI's
//! own text in both languages and all text of the sample catalog. A missing
//! glyph would show as an empty box.

use skrifa::{FontRef, MetadataProvider};
use std::collections::BTreeSet;
use std::path::Path;

fn font_chars(file: &str) -> BTreeSet<char> {
    let bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/fonts").join(file)).unwrap();
    let font = FontRef::new(&bytes).unwrap();
    font.charmap().mappings().filter_map(|(c, _)| char::from_u32(c)).collect()
}

/// The characters of the UI: the Chinese source strings in the .slint files
/// and the English translations.
fn ui_text() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut text = String::new();
    let mut dirs = vec![root.join("ui")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "slint") {
                text.push_str(&std::fs::read_to_string(p).unwrap());
            }
        }
    }
    text.push_str(&std::fs::read_to_string(root.join("lang/en/LC_MESSAGES/kiosk.po")).unwrap());
    text
}

#[test]
fn the_font_covers_the_ui_and_the_sample_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    let (snap, _) = kiosk::sample::load(&kiosk::sample::default_catalog(), tmp.path()).unwrap();
    let catalog = serde_json::to_string(&*snap).unwrap();
    // JSON escapes nothing above ASCII; skip the escapes' own letters only.
    let wanted: BTreeSet<char> =
        ui_text().chars().chain(catalog.chars()).filter(|c| !c.is_control()).collect();
    for face in ["NotoSansSC-Regular-subset.otf", "NotoSansSC-Bold-subset.otf"] {
        let have = font_chars(face);
        let missing: String = wanted.iter().filter(|c| !have.contains(c)).collect();
        assert!(missing.is_empty(), "{face} lacks {missing:?}");
    }
}
