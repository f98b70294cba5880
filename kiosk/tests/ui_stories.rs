//! The showroom's stories with Slint's testing backend: the attract loop
//! puts a story between featured products, the stories' home tile lists
//! them, a story's page shows the producer's shop and leads to their
//! products, and an enterprise's page shows its latest news and open jobs.
//! Reading a story is counted (read from the kiosk's own database file).

mod common;

use common::{labels, press, sample_kiosk_ui};
use kiosk::controllers::navigation::Page;
use kiosk::store::outbox::Outbox;
use protocol::catalog::CatalogItem;
use protocol::messages::EventKind;
use slint::{ComponentHandle, Model};

#[test]
fn stories_in_the_attract_loop_and_on_their_own_page_and_an_enterprises_news() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let tmp = tempfile::tempdir().unwrap();
    // Tall enough for an enterprise's products and, below them, its news.
    let (_rt, ui, snap) = sample_kiosk_ui(tmp.path(), "showroom-1", "showroom", 1, 6000);
    ui.set_clock(1_796_090_400_000);
    let stories: Vec<_> = snap
        .items
        .iter()
        .filter_map(|i| match &i.item {
            CatalogItem::Story(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(stories.len() >= 5);

    // The attract loop: product, story, product, story, …
    let slides = ui.window.global::<kiosk::ui::StoryAdapter>().get_slides();
    let kinds: Vec<bool> = slides.iter().map(|s| s.story).collect();
    assert_eq!(kinds.iter().filter(|s| **s).count(), stories.len(), "every story is shown");
    assert_eq!(&kinds[..4], [false, true, false, true], "a story between featured products");

    press(&ui, "轻触屏幕 开始浏览");
    press(&ui, "电商故事");
    assert_eq!(ui.page(), Page::Stories);
    for s in &stories {
        assert!(labels(&ui).contains(&s.title_zh), "{} listed: {:?}", s.title_zh, labels(&ui));
    }
    let oil = stories.iter().find(|s| s.id == "story-oil-sister").unwrap();
    press(&ui, &oil.title_zh);
    assert_eq!(ui.page(), Page::Story);
    let shown = labels(&ui);
    assert!(shown.iter().any(|l| l == "扫码进店"), "the producer's shop: {shown:?}");
    assert!(shown.iter().any(|l| l.starts_with(&oil.text_zh[..12])), "its text: {shown:?}");
    press(&ui, "看看他们的产品");
    assert_eq!(ui.page(), Page::Category);

    // The enterprise's page: its products, then its news and open jobs.
    let producer = oil.producer_id.as_deref().unwrap();
    let shown = labels(&ui);
    for i in &snap.items {
        match &i.item {
            CatalogItem::News(n) if n.producer_id == producer => {
                assert!(shown.iter().any(|l| l.ends_with(&n.title_zh)), "news {}: {shown:?}", n.title_zh)
            }
            CatalogItem::Job(j) if j.producer_id == producer => {
                assert!(shown.contains(&j.title_zh), "job {}: {shown:?}", j.title_zh)
            }
            CatalogItem::News(n) => {
                assert!(!shown.iter().any(|l| l.ends_with(&n.title_zh)), "another's news")
            }
            _ => {}
        }
    }
    assert!(shown.iter().any(|l| l == "最新动态") && shown.iter().any(|l| l == "招聘信息"));

    let outbox = Outbox::open(&tmp.path().join("kiosk/kiosk-data/kiosk.db")).unwrap();
    let events: Vec<EventKind> = outbox.pending(1, 100).unwrap().into_iter().map(|e| e.kind).collect();
    // Its dwell is timed by the real clock (the controllers' own tests
    // check the arithmetic); here, that leaving the story recorded it once.
    let read: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            EventKind::ContentView { item, id, .. } if item == "story" => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(read, [&oil.id], "{events:?}");
    assert!(
        events.iter().any(|e| matches!(e, EventKind::CategoryOpen { category } if category == "stories"))
    );
}
