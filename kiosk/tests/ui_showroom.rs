//! The showroom UI with Slint's testing backend and mock time: browse →
//! product → trace page, each step recorded in the outbox before the screen
//! changes; the language switch changes what is shown; the inactivity timer
//! returns to the attract loop and every touch postpones it; larger text
//! (长辈模式) is switched on and off, recorded, and ends with the visit.

mod common;

use common::{labels, press, sample_kiosk_ui};
use kiosk::controllers::navigation::Page;
use slint::ComponentHandle;
use std::time::Duration;

#[test]
fn browse_record_translate_and_time_out() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let tmp = tempfile::tempdir().unwrap();
    // A tall window, so that the whole product page is on screen at once.
    let (rt, ui, _) = sample_kiosk_ui(tmp.path(), "showroom-1", "showroom", 1, 3200);
    let handle = rt.handle();
    ui.set_language(firmware_config::Language::Zh);
    assert_eq!(ui.page(), Page::Attract);

    // Touch to start, farm produce, a product, its trace page.
    press(&ui, "轻触屏幕 开始浏览");
    assert_eq!(ui.page(), Page::Home);
    press(&ui, "农特产品");
    assert_eq!(ui.page(), Page::Category);
    press(&ui, "黄袍山压榨山茶油");
    assert_eq!(ui.page(), Page::Product);
    let shown = labels(&ui);
    let trace = shown
        .iter()
        .find(|l| l.starts_with("查看溯源信息"))
        .unwrap_or_else(|| panic!("no trace button: {shown:?}"))
        .clone();
    press(&ui, &trace);
    assert_eq!(ui.page(), Page::Trace);
    assert!(labels(&ui).iter().any(|l| l == "生产记录"), "{:?}", labels(&ui));

    // Each step is in the outbox; the product view once its dwell is known.
    let events = {
        let state = handle.outbox_state().unwrap();
        assert_eq!(state.last_seq, 3, "the product view waits for its dwell time: {state:?}");
        state.totals
    };
    assert_eq!(events.get("attract_exit"), Some(&1));
    assert_eq!(events.get("category_open"), Some(&1));
    assert_eq!(events.get("trace_open"), Some(&1));
    press(&ui, "← 返回");
    press(&ui, "← 返回");
    assert_eq!(ui.page(), Page::Category);
    assert_eq!(handle.outbox_state().unwrap().totals.get("product_view"), Some(&1), "recorded on leaving");

    // The language switch changes what is shown, catalog text included.
    press(&ui, "English");
    let shown = labels(&ui);
    assert!(shown.iter().any(|l| l == "Home") && shown.iter().any(|l| l == "中文"), "{shown:?}");
    assert!(shown.iter().any(|l| l == "Huangpao camellia oil"), "{shown:?}");
    press(&ui, "中文");
    assert!(labels(&ui).iter().any(|l| l == "首页"));

    // 长辈模式 from the page on screen: the smallest text grows to 36 px,
    // the button shows it is on, and every switch is recorded.
    let theme = ui.window.global::<kiosk::ui::Theme>();
    assert!(!theme.get_large_text());
    assert_eq!(theme.get_font_small(), 28.0);
    press(&ui, "大字");
    assert!(theme.get_large_text() && theme.get_font_small() >= 36.0, "{}", theme.get_font_small());
    assert!(labels(&ui).iter().any(|l| l == "✓ 大字"), "{:?}", labels(&ui));
    press(&ui, "大字");
    assert!(!theme.get_large_text());
    press(&ui, "大字");
    assert!(theme.get_large_text());
    let totals = handle.outbox_state().unwrap().totals;
    assert_eq!((totals.get("large_text_on"), totals.get("large_text_off")), (Some(&2), Some(&1)));

    // Untouched for 89 s: still here. A touch, then 89 s more: still here.
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(89));
    assert_eq!(ui.page(), Page::Category);
    press(&ui, "首页");
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(89));
    assert_eq!(ui.page(), Page::Home, "the touch restarted the timer");
    // Then 90 s without a touch: back to the attract loop, visit recorded.
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(2));
    assert_eq!(ui.page(), Page::Attract);
    assert!(!theme.get_large_text(), "the next visitor starts with the standard text");
    assert_eq!(theme.get_font_small(), 28.0);
    let totals = handle.outbox_state().unwrap().totals;
    assert_eq!(totals.get("session_end"), Some(&1));
    let pending = handle.outbox_state().unwrap();
    assert_eq!(pending.depth, pending.last_seq, "offline: everything waits in the outbox");
}
