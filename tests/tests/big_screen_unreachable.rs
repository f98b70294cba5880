//! The big screen when the hub goes away: the figures stay, greyed, with
//! their time; a screen restarted meanwhile shows them again from its own
//! store; when the hub is back the wall is live again with new figures.
//! Read from the window's own model, never from its pixels.

use e2e::harness::*;
use e2e::wall::{Wall, config};
use std::time::Duration;

#[test]
fn the_wall_greys_while_the_hub_is_away_and_comes_back_live() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let sales = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sales/tongcheng");
    hub_cli(&["data", "import", sales.to_str().unwrap(), "--data", d]);
    let secret = register_as(&data, "hall-screen", "hall", "bigscreen");
    let key = hub_key(&data);
    let mode = BrokerMode::Embedded(free_port());
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let hub = tokio.block_on(HubProcess::start(&data, mode));
    let wall_data = tmp.path().join("wall");
    let _headless = kiosk::ui::snapshot::install().unwrap();

    let mut wall = Wall::start(config("hall-screen", &secret, &key, mode.port(), &wall_data));
    let live = wall.until(Duration::from_secs(30), "live figures", |s| s.has_figures && s.live);
    assert_eq!(live.sales.len(), 12, "the SAMPLE sales' last 12 months");
    assert!(!live.as_of.is_empty());

    // The hub is gone: the same figures, greyed, with the same time.
    hub.kill();
    let away = wall.until(Duration::from_secs(30), "the hub away", |s| !s.live);
    assert_eq!(Wall::figures_only(&away), Wall::figures_only(&live), "the last figures stay");
    assert_eq!(away.as_of, live.as_of, "with their time");

    // The screen restarts while the hub is away: its own store has them.
    drop(wall);
    let mut wall = Wall::start(config("hall-screen", &secret, &key, mode.port(), &wall_data));
    let kept = wall.shown();
    assert!(kept.has_figures && !kept.live, "kept figures, greyed: {kept:#?}");
    assert_eq!(Wall::figures_only(&kept), Wall::figures_only(&live));
    assert_eq!(kept.as_of, live.as_of);

    // The hub is back: live again, with figures the hub read after it came
    // back (a later "as of").
    let _hub = tokio.block_on(HubProcess::start(&data, mode));
    let back = wall.until(Duration::from_secs(60), "live again", |s| s.live && s.as_of != live.as_of);
    assert_eq!(Wall::figures_only(&back).sales, live.sales);
}
