//! `kiosk --demo` without a display: the in-process hub, its embedded
//! broker and two kiosks run for real; a scripted visitor tours both roles,
//! every screen is drawn, and the tour ends only when the hub has
//! acknowledged every event and answered the service request.
//! Also: `kiosk --config` refuses a bad file with the file, line and field.

use std::process::Command;

#[test]
fn the_headless_demo_tours_both_kiosks_against_the_in_process_hub() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["--demo", "--headless", "--out", out.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let mut pngs: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into())
        .collect();
    pngs.sort();
    assert_eq!(pngs.len(), 10, "{pngs:?}");
    assert_eq!(pngs[0], "01-showroom-attract.png");
    assert_eq!(pngs[9], "10-station-my-requests.png");
    // attract exit, category, trace, product view (on leaving), search.
    assert!(stdout.contains("demo-showroom: 5 events recorded, 5 acknowledged by the hub"), "{stdout}");
    assert!(stdout.contains("demo-station: 1 events recorded, 1 acknowledged by the hub"), "{stdout}");
    assert!(stdout.contains("hub status submitted"), "{stdout}");
}

#[test]
fn a_bad_config_file_is_refused_with_where_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, "id = \"shinan-01\"\nrole = \"kiosk\"\n").unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["--config", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!run.status.success());
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(err.contains("kiosk.toml:2"), "{err}");
    assert!(err.contains("role"), "{err}");
}
