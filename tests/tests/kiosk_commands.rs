//! Staff commands through a real hub process to a kiosk with its UI on
//! the software renderer: `hub kiosks command … screenshot` comes back as
//! the PNG of the screen the kiosk shows (sent in parts, checked, saved);
//! `set-language` changes the screen; a command to a kiosk that is gone
//! expires with an answer that says so; a file part for no command is
//! refused.

use e2e::fleet::config;
use e2e::harness::*;
use kiosk::runtime::Runtime;
use kiosk::ui::snapshot;
use kiosk::window_feed::WindowFeed as Link;
use std::time::{Duration, Instant};

/// Run a `hub` CLI command on another thread while the UI keeps answering,
/// as the kiosk's event loop would.
fn command_while_serving(ui: &kiosk::ui::KioskUi, link: &mut Link, args: &[&str]) -> (bool, String) {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let job =
        std::thread::spawn(move || hub_cli_status(&args.iter().map(String::as_str).collect::<Vec<_>>()));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !job.is_finished() {
        assert!(Instant::now() < deadline, "the command did not finish");
        link.pump(ui);
        std::thread::sleep(Duration::from_millis(20));
    }
    job.join().unwrap()
}

#[test]
fn screenshot_and_language_commands_reach_the_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap().to_owned();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", &d]);
    let (secret, station) = register_kiosk_station(&data, "station-shot", "shinan");
    let mode = BrokerMode::Embedded(free_port());
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let hub = tokio.block_on(HubProcess::start(&data, mode));
    let key = hub_key(&data);

    let window = snapshot::install().unwrap();
    let rt =
        Runtime::start(config("station-shot", &secret, &key, mode.port(), station, &tmp.path().join("k")))
            .unwrap();
    let ui = kiosk::window_feed::window_for(&rt.handle()).unwrap();
    let mut link = Link::new(rt.handle());
    // The size of the panel, as the appliance's display would set it.
    snapshot::frame(&window, 1080, 1920);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        link.pump(&ui);
        let online = rt.handle().status().borrow().hub_online;
        if online && rt.handle().catalog().borrow().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "the kiosk never got the catalog");
        std::thread::sleep(Duration::from_millis(20));
    }
    kiosk::demo::visitor::Visitor(&ui).home();

    // A screenshot: rendered by the kiosk, carried in parts, saved by the CLI.
    let shot = tmp.path().join("shot.png");
    let (ok, out) = command_while_serving(
        &ui,
        &mut link,
        &["kiosks", "command", "station-shot", "screenshot", "--out", shot.to_str().unwrap(), "--data", &d],
    );
    assert!(ok, "{out}");
    assert!(out.contains("station-shot screenshot: ok — png "), "{out}");
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1080, 1920));
    let colours: std::collections::BTreeSet<&[u8]> = buf.chunks(4).collect();
    assert!(colours.len() > 50, "the screenshot looks blank ({} colours)", colours.len());
    assert!(std::fs::metadata(&shot).unwrap().len() > 24 * 1024, "more than one part was needed");

    // The language, switched from the centre.
    assert_eq!(ui.language(), firmware_config::Language::Zh);
    let (ok, out) = command_while_serving(
        &ui,
        &mut link,
        &["kiosks", "command", "station-shot", "set-language", "--arg", "lang=en", "--data", &d],
    );
    assert!(ok, "{out}");
    link.pump(&ui);
    assert_eq!(ui.language(), firmware_config::Language::En);
    // An option this kiosk does not know (a newer hub's): refused, not run.
    let (ok, out) = command_while_serving(
        &ui,
        &mut link,
        &[
            "kiosks",
            "command",
            "station-shot",
            "set-language",
            "--arg",
            "lang=zh",
            "--arg",
            "fade=slow",
            "--data",
            &d,
        ],
    );
    assert!(!ok && out.contains("unknown option \"fade\""), "{out}");
    link.pump(&ui);
    assert_eq!(ui.language(), firmware_config::Language::En, "not run");

    // A kiosk that is gone: the command expires, and the CLI says why.
    drop(link);
    drop(ui);
    drop(rt);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let rows: serde_json::Value = hub_json(&["kiosks", "--json", "--data", &d]);
        if rows[0]["state"] == "offline" {
            break;
        }
        assert!(Instant::now() < deadline, "the kiosk still shows online: {rows}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (ok, out) =
        hub_cli_status(&["kiosks", "command", "station-shot", "rebirth", "--wait", "2", "--data", &d]);
    assert!(!ok);
    assert!(out.contains("expired: the kiosk was not online"), "{out}");

    // A kiosk may only send a file for a command it was sent: anything
    // else is refused and counted, and holds no memory at the hub.
    let refused = |d: &str| -> u64 {
        let rows: serde_json::Value = hub_json(&["kiosks", "--json", "--data", d]);
        rows[0]["refused"].as_u64().unwrap()
    };
    let before = refused(&d);
    tokio.block_on(async {
        let k = e2e::raw_kiosk::RawKiosk::connect("station-shot", &secret, mode.port(), 99).await;
        let part = protocol::messages::ResultPart { index: 0, count: 1, hex: "89504e47".into() };
        let forged = protocol::messages::CommandResult {
            cid: "feedfeedfeedfeed".into(),
            ok: true,
            detail: String::new(),
            part: Some(part),
        };
        k.publish(&protocol::Topic::CommandResult(protocol::KioskId::new("station-shot").unwrap()), &forged)
            .await;
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    while refused(&d) == before {
        assert!(Instant::now() < deadline, "a file part for no command was not refused");
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(hub);
}
