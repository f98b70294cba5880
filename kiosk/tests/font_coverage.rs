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

/// The text of every .slint file of the UI.
fn slint_sources() -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("ui")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "slint") {
                found.push(std::fs::read_to_string(p).unwrap());
            }
        }
    }
    found
}

/// Every translation catalog: `lang/<language>/LC_MESSAGES/kiosk.po`.
fn po_files() -> Vec<std::path::PathBuf> {
    let lang = Path::new(env!("CARGO_MANIFEST_DIR")).join("lang");
    std::fs::read_dir(lang).unwrap().flatten().map(|e| e.path().join("LC_MESSAGES/kiosk.po")).collect()
}

/// The characters of the UI: the Chinese source strings in the .slint files
/// and every translation.
fn ui_text() -> String {
    let mut text = slint_sources().concat();
    for po in po_files() {
        text.push_str(&std::fs::read_to_string(po).unwrap());
    }
    text
}

#[test]
fn the_font_covers_the_ui_and_the_sample_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    let (snap, _) = kiosk::demo::sample::load(&kiosk::demo::sample::default_catalog(), tmp.path()).unwrap();
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

/// The UI's messages: `(context, Chinese source)` of every `@tr` in the
/// .slint files.
fn ui_messages() -> BTreeSet<(String, String)> {
    let re = regex::Regex::new(r#"@tr\(\s*"((?:[^"\\]|\\.)*)"\s*(?:=>\s*"((?:[^"\\]|\\.)*)")?"#).unwrap();
    let mut found = BTreeSet::new();
    for text in slint_sources() {
        for c in re.captures_iter(&text) {
            found.insert(match c.get(2) {
                Some(msg) => (c[1].to_owned(), msg.as_str().to_owned()),
                None => (String::new(), c[1].to_owned()),
            });
        }
    }
    found
}

/// A gettext catalog's entries: `(context, id) -> translation`.
fn po_entries(text: &str) -> std::collections::BTreeMap<(String, String), String> {
    let re = regex::Regex::new(
        r#"(?:msgctxt "((?:[^"\\]|\\.)*)"\n)?msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)""#,
    )
    .unwrap();
    re.captures_iter(text)
        .filter(|c| !c[2].is_empty())
        .map(|c| {
            let context = c.get(1).map(|m| m.as_str().to_owned()).unwrap_or_default();
            ((context, c[2].to_owned()), c[3].to_owned())
        })
        .collect()
}

/// Every message of the UI is in every language (the sources are Chinese;
/// each folder under `lang/` is another language), and no translation is
/// left over from a message that is gone. A third language is one more
/// folder, checked the same way.
#[test]
fn every_message_has_every_language() {
    let messages = ui_messages();
    assert!(messages.len() > 100, "the UI's messages were not found: {}", messages.len());
    let mut languages = 0;
    for po in po_files() {
        let entries = po_entries(&std::fs::read_to_string(&po).unwrap());
        let missing: Vec<_> =
            messages.iter().filter(|m| entries.get(*m).is_none_or(|t| t.is_empty())).collect();
        assert!(missing.is_empty(), "{} has no translation for {missing:?}", po.display());
        let stale: Vec<_> = entries.keys().filter(|k| !messages.contains(*k)).collect();
        assert!(stale.is_empty(), "{} translates messages the UI no longer has: {stale:?}", po.display());
        languages += 1;
    }
    assert!(languages >= 1, "no translations under lang/");
}
