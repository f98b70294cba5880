//! Finding things without typing Chinese, and the staff page: the
//! enterprise directory, category pages turned a page at a time, search on the on-screen keyboard (pinyin initials)
//! with the query recorded once on leaving, and the diagnostics behind the
//! staff PIN (a wrong PIN is refused).

mod common;

use common::{STAFF_PIN, labels, press, sample_kiosk_ui};
use kiosk::controllers::navigation::Page;

#[test]
fn directory_search_and_staff_page() {
    i_slint_backend_testing::init_no_event_loop();
    let tmp = tempfile::tempdir().unwrap();
    let (rt, ui, _) = sample_kiosk_ui(tmp.path(), "showroom-2", "showroom", 2, 4000);
    let handle = rt.handle();
    ui.set_language(firmware_config::Language::Zh);
    press(&ui, "轻触屏幕 开始浏览");

    // The directory is the fifth home tile; a producer shows its products.
    press(&ui, "企业名录");
    assert_eq!(ui.page(), Page::Directory);
    press(&ui, "袍山油茶科技有限公司");
    assert_eq!(ui.page(), Page::Category);
    assert!(labels(&ui).iter().any(|l| l == "黄袍山压榨山茶油"), "{:?}", labels(&ui));
    press(&ui, "首页");

    // A long category comes a page of twelve at a time.
    press(&ui, "农特产品");
    let first_page = labels(&ui);
    assert!(first_page.iter().any(|l| l == "第 1 / 2 页"), "{first_page:?}");
    press(&ui, "下一页");
    let second_page = labels(&ui);
    assert!(second_page.iter().any(|l| l == "第 2 / 2 页"), "{second_page:?}");
    let cards = |shown: &[String]| {
        shown.iter().filter(|l| l.contains("山") || l.contains("茶")).cloned().collect::<Vec<_>>()
    };
    assert_ne!(cards(&first_page), cards(&second_page), "another twelve products");
    press(&ui, "下一页");
    assert!(labels(&ui).iter().any(|l| l == "第 2 / 2 页"), "the last page stays");
    press(&ui, "上一页");
    assert!(labels(&ui).iter().any(|l| l == "第 1 / 2 页"));
    press(&ui, "首页");

    // Search: Y, C finds 油茶 by its initials, products and producers.
    press(&ui, "搜索产品或企业");
    assert_eq!(ui.page(), Page::Search);
    press(&ui, "Y");
    press(&ui, "C");
    let shown = labels(&ui);
    assert!(shown.iter().any(|l| l == "YC"), "the query is shown: {shown:?}");
    assert!(shown.iter().any(|l| l == "黄袍山油茶公园与油茶博物馆"), "{shown:?}");
    assert!(shown.iter().any(|l| l == "袍山油茶科技有限公司"), "{shown:?}");
    let before = handle.outbox_state().unwrap().totals.get("search").copied();
    assert_eq!(before, None, "typing is not yet a search");
    press(&ui, "黄袍山油茶公园与油茶博物馆");
    assert_eq!(ui.page(), Page::Product);
    assert_eq!(handle.outbox_state().unwrap().totals.get("search"), Some(&1), "recorded on leaving");
    press(&ui, "← 返回");
    assert_eq!(ui.page(), Page::Search);
    press(&ui, "首页");
    assert_eq!(handle.outbox_state().unwrap().totals.get("search"), Some(&1), "the same query, once");

    // Nothing found says so.
    press(&ui, "搜索产品或企业");
    for k in ["Q", "Q", "Q", "X"] {
        press(&ui, k);
    }
    assert!(labels(&ui).iter().any(|l| l == "没有找到，请换个写法试试"), "{:?}", labels(&ui));
    press(&ui, "首页");
    assert_eq!(handle.outbox_state().unwrap().totals.get("search"), Some(&2));

    // The staff page: a wrong PIN is refused, the right one shows the kiosk.
    press(&ui, "工作人员");
    assert_eq!(ui.page(), Page::Pin);
    for k in "9999".chars() {
        press(&ui, &k.to_string());
    }
    assert!(labels(&ui).iter().any(|l| l == "●●●●"), "digits show as dots: {:?}", labels(&ui));
    press(&ui, "确定");
    assert!(labels(&ui).iter().any(|l| l == "密码不对，请重新输入"), "{:?}", labels(&ui));
    assert_eq!(ui.page(), Page::Pin);
    for k in STAFF_PIN.chars() {
        press(&ui, &k.to_string());
    }
    press(&ui, "确定");
    assert_eq!(ui.page(), Page::Staff);
    let shown = labels(&ui);
    let depth = handle.outbox_state().unwrap().depth;
    for want in ["软件版本", "目录版本", "网络", "待上传记录", "外设"] {
        assert!(shown.iter().any(|l| l == want), "{want} missing: {shown:?}");
    }
    assert!(shown.iter().any(|l| l.starts_with("未连接 · mqtt://127.0.0.1:9")), "{shown:?}");
    assert!(shown.iter().any(|l| l.starts_with(&format!("{depth} · "))), "outbox depth {depth}: {shown:?}");
    press(&ui, "退出");
    assert_eq!(ui.page(), Page::Home);
}
