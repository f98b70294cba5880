//! The appliance as it runs: `kiosk --config kiosk.toml` in a real window
//! (winit with the software renderer, on Xvfb) against a real hub process.
//! It syncs the catalog and comes online; the centre's screenshot command
//! returns the PNG of that window; the restart command ends the process
//! (its service manager starts it again). Ignored (and counted so) where
//! `xvfb-run` is not installed, unless KH_REQUIRE_XVFB=1 (CI), where its
//! absence is a failure.

use e2e::fleet::write_config_file;
use e2e::harness::*;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The kiosk under xvfb-run, in its own process group (xvfb-run starts an
/// X server too); dropping it kills the group.
struct Windowed(Child);

impl Drop for Windowed {
    fn drop(&mut self) {
        // Only while it runs: once reaped, its number may belong to others.
        if let Ok(None) = self.0.try_wait() {
            let _ = Command::new("kill").args(["-9", &format!("-{}", self.0.id())]).status();
            let _ = self.0.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(kh_no_xvfb, ignore = "xvfb-run is not installed (apt-get install xvfb xauth)")]
async fn the_appliance_window_answers_screenshot_and_restart() {
    let xvfb = e2e::tools::require("xvfb-run");
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap().to_owned();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", &d]);
    let (secret, station) = register_kiosk_station(&data, "window-1", "shinan");
    let mode = BrokerMode::Embedded(free_port());
    let hub = HubProcess::start(&data, mode).await;
    let config = write_config_file(
        &tmp.path().join("kiosk"),
        "window-1",
        &secret,
        &hub_key(&data),
        mode.port(),
        station,
    );

    let mut cmd = Command::new(xvfb);
    cmd.args(["-a", "-s", "-screen 0 1280x2048x24"])
        .arg(kiosk_bin())
        .arg("--config")
        .arg(&config)
        .env("RUST_LOG", "warn")
        // Not the test runner's terminal: a process group of its own must
        // not read from (or be stopped by) a terminal it does not own.
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut kiosk = Windowed(cmd.spawn().expect("xvfb-run"));

    // Online, with the catalog applied.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows: serde_json::Value = hub_json(&["kiosks", "--json", "--data", &d]);
        if rows[0]["state"] == "online" && rows[0]["catalog_version"].as_u64().is_some() {
            break;
        }
        if let Some(status) = kiosk.0.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(kiosk.0.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("the kiosk exited ({status}): {err}");
        }
        assert!(Instant::now() < deadline, "the kiosk never came online with a catalog: {rows}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // The window's own pixels, from the centre.
    let shot = tmp.path().join("window.png");
    let (ok, out) = tokio::task::spawn_blocking({
        let (d, shot) = (d.clone(), shot.clone());
        move || {
            hub_cli_status(&[
                "kiosks",
                "command",
                "window-1",
                "screenshot",
                "--out",
                shot.to_str().unwrap(),
                "--data",
                &d,
            ])
        }
    })
    .await
    .unwrap();
    assert!(ok, "{out}");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert!(info.width >= 320 && info.height >= 320, "{}x{}", info.width, info.height);
    let colours: std::collections::BTreeSet<&[u8]> = buf.chunks(4).collect();
    assert!(colours.len() > 50, "the window looks blank ({} colours)", colours.len());

    // Restart: the process ends by itself.
    let (ok, out) = tokio::task::spawn_blocking({
        let d = d.clone();
        move || hub_cli_status(&["kiosks", "command", "window-1", "restart", "--data", &d])
    })
    .await
    .unwrap();
    assert!(ok, "{out}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = kiosk.0.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the kiosk did not exit after the restart command");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status}");
    drop(hub);
}
