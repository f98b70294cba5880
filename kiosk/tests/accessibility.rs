//! Every screen `kiosk snapshot` draws (both kiosk roles, both languages,
//! both orientations, both text sizes, and the big screen) passes the
//! accessibility audit: touch targets of 96 px, text contrast of 4.5:1
//! (3:1 when large), nothing cut off, a cue where a scroll area hides
//! more, no text running into another, no Chinese of the UI's own on an
//! English screen. And the audit
//! can fail: a screen planted with one fault of each kind is caught, each
//! fault named with its element and figure.

#![cfg(feature = "demo")]

use kiosk::ui::audit::{self, Check, Limits};
use std::process::Command;

slint::slint! {
    import "ui/fonts/NotoSansSC-Regular-subset.otf";

    // The faults sit in a page of their own, as the kiosk's pages do.
    component PlantedPage inherits Rectangle {
        background: #ffffff;
        Rectangle {
            x: 10px; y: 10px; width: 80px; height: 120px;
            background: #2f6b3a;
            accessible-role: button;
            accessible-label: "narrow";
            TouchArea { }
        }
        Rectangle {
            x: 100px; y: 10px; width: 120px; height: 120px;
            background: #2f6b3a;
            accessible-role: button;
            accessible-label: "wide enough";
            TouchArea { }
        }
        Text { x: 10px; y: 150px; text: "faint words"; font-size: 28px; color: #aaaaaa; }
        Text { x: 10px; y: 200px; text: "dark words"; font-size: 28px; color: #1d261d; }
        Text { x: 250px; y: 150px; text: "Open 开门"; font-size: 28px; color: #000000; }
        Text { x: 250px; y: 200px; text: "From 通城县马港镇"; font-size: 28px; color: #000000; }
        Text { x: 480px; y: 10px; text: "past the edge"; font-size: 28px; color: #000000; }
        Text { x: 10px; y: 250px; text: "written under"; font-size: 28px; color: #000000; }
        Text { x: 100px; y: 250px; text: "written over"; font-size: 28px; color: #000000; }
        Flickable {
            x: 300px; y: 250px; width: 250px; height: 100px;
            content-height: 400px;
            VerticalLayout {
                alignment: start;
                Text { text: "first line"; font-size: 28px; color: #000000; }
                Rectangle { height: 40px; }
                // Half in sight at the scroll area's foot.
                Text { text: "cut by the fold"; font-size: 28px; color: #000000; }
            }
        }
    }

    export component Planted inherits Window {
        width: 600px;
        height: 400px;
        default-font-family: "Noto Sans CJK SC";
        PlantedPage { }
    }
}

#[test]
fn a_planted_fault_of_each_kind_is_found_and_named() {
    use slint::ComponentHandle;
    let window = kiosk::ui::snapshot::install().unwrap();
    let planted = Planted::new().unwrap();
    planted.show().unwrap();
    let rgb = kiosk::ui::snapshot::frame(&window, 600, 400);
    let frame = audit::pixels::Frame { rgb: &rgb, width: 600, height: 400 };
    let data = audit::chinese_data(&serde_json::json!({"origin_zh": "通城县马港镇"}));
    let language = audit::Language { english: true, data: &data };
    let found = audit::screen("planted", &planted, &frame, &language, &Limits::default());
    let named = |check: Check, words: &str| {
        found.failures.iter().filter(|f| f.check == check && f.element.contains(words)).count()
    };
    let report = format!("{:#?}", found.failures);
    assert_eq!(named(Check::Target, "narrow"), 1, "{report}");
    assert_eq!(named(Check::Target, "wide enough"), 0, "{report}");
    assert_eq!(named(Check::Contrast, "faint words"), 1, "{report}");
    assert_eq!(named(Check::Contrast, "dark words"), 0, "{report}");
    assert_eq!(named(Check::Chinese, "Open 开门"), 1, "{report}");
    assert_eq!(named(Check::Chinese, "From 通城县马港镇"), 0, "catalog data may stay Chinese: {report}");
    assert_eq!(named(Check::CutOff, "past the edge"), 1, "{report}");
    assert_eq!(named(Check::ScrollCue, "Flickable"), 1, "{report}");
    assert_eq!(named(Check::Overlap, "written under"), 1, "{report}");
    // #aaaaaa on white, drawn in RGB565 as #a5a6a5: 2.44:1.
    let faint = found.failures.iter().find(|f| f.element.contains("faint words")).unwrap();
    assert!(faint.figure.starts_with("2.4"), "{faint:?}");
    let (side, smallest) = found.smallest_target.clone().unwrap();
    assert!(side == 80.0 && smallest.contains("narrow"), "{side} {smallest}");
    // Exactly the planted faults: nothing else is blamed.
    assert_eq!(found.failures.len(), 6, "{report}");
    // Texts not wholly in sight (past the edge, scrolled away) are not
    // measured for contrast.
    assert_eq!(found.texts_hidden, 2, "{report}");
}

/// The whole gallery under `--check`; the written summary lists every
/// picture, each within the limits.
#[test]
fn every_screen_of_the_gallery_passes_the_audit() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["snapshot", "--check", "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let mut pictures: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".png").map(str::to_owned))
        .collect();
    pictures.sort();
    let mut rows: Vec<csv::StringRecord> =
        csv::Reader::from_path(out.path().join("accessibility.csv")).unwrap().records().flatten().collect();
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    let screens: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(screens, pictures, "one row per picture");
    // 23 kiosk screens (11 showroom, 12 station) × 2 languages × 2
    // orientations × 2 text sizes, and 5 big-screen pictures × 2 languages
    // × 2 sizes.
    assert_eq!(pictures.len(), 23 * 8 + 20);
    for kind in [
        "showroom-zh-large-1920x1080",
        "station-en-large-1080x1920",
        "station-en-large-1080x1920-11-mine-signup",
        "showroom-en-large-1920x1080-10-story",
        "bigscreen-en-3840x2160",
    ] {
        assert!(pictures.iter().any(|p| p.starts_with(kind)), "no {kind} screens");
    }
    for r in &rows {
        let side: f32 = r[2].parse().unwrap();
        let contrast: f64 = r[6].parse().unwrap();
        let targets: usize = r[1].parse().unwrap();
        let texts: usize = r[4].parse().unwrap();
        assert!(texts > 0, "{}: no text measured", &r[0]);
        if targets > 0 {
            assert!(side >= 96.0, "{}: {side} px ({})", &r[0], &r[3]);
        }
        assert!(contrast >= 3.0, "{}: {contrast}:1 ({})", &r[0], &r[7]);
        assert_eq!(&r[8], "0", "{}", &r[0]);
    }
    assert!(stdout.contains("0 failures"), "{stdout}");
}
