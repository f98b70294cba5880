//! `kiosk snapshot` renders every showroom screen with the software
//! renderer into PNG files of the asked size, in each language, and the big
//! screen's panels at 1920×1080 and 3840×2160.

use std::process::Command;

#[test]
fn snapshot_writes_every_screen() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args([
            "snapshot",
            "--out",
            out.path().to_str().unwrap(),
            "--size",
            "1920x1080",
            "--lang",
            "en",
            "--role",
            "showroom",
            "--text",
            "normal",
        ])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into())
        .collect();
    names.retain(|n| n.ends_with(".png"));
    let mut want = [
        "1-attract",
        "2-home",
        "3-category",
        "4-product",
        "5-trace",
        "6-directory",
        "7-search",
        "8-staff",
        "9-stories",
        "10-story",
        "11-enterprise",
    ]
    .map(|p| format!("showroom-en-1920x1080-{p}.png"));
    names.sort();
    want.sort();
    assert_eq!(names, want);
    for n in names {
        let (width, height, colours) = read_png(&out.path().join(&n));
        assert_eq!((width, height), (1920, 1080), "{n}");
        assert!(colours > 50, "{n} looks blank ({colours} colours)");
    }
}

/// A written PNG's size and how many colours it holds (RGB).
fn read_png(path: &std::path::Path) -> (u32, u32, usize) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let colours: std::collections::BTreeSet<&[u8]> = buf.chunks(3).collect();
    (info.width, info.height, colours.len())
}

#[test]
fn snapshot_renders_the_big_screen_panels() {
    let out = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["snapshot", "--out", out.path().to_str().unwrap(), "--lang", "zh", "--role", "bigscreen"])
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let mut names: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into())
        .collect();
    names.retain(|n| n.ends_with(".png"));
    names.sort();
    let panels = ["1-today", "2-parcels", "3-stations", "4-sales", "5-unreachable"];
    let wanted: Vec<String> = ["1920x1080", "3840x2160"]
        .iter()
        .flat_map(|size| panels.iter().map(move |p| format!("bigscreen-zh-{size}-{p}.png")))
        .collect();
    assert_eq!(names, wanted);
    for n in names {
        let (width, height, colours) = read_png(&out.path().join(&n));
        assert!(colours > 50, "{n} ({width}x{height}) looks blank ({colours} colours)");
    }
}
