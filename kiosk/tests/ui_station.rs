//! The village-station UI with Slint's testing backend: a villager picks a
//! service, taps their town, types a phone number on the keypad and
//! submits; the receipt shows the ticket number made at this station, and
//! the request is in the outbox (so an offline station still takes it).

mod common;

use common::{labels, press, sample_kiosk_ui};
use kiosk::controllers::navigation::Page;
use kiosk::store::requests::Lookup;
use std::time::Duration;

#[test]
fn a_villager_submits_a_request_without_typing_chinese() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    let tmp = tempfile::tempdir().unwrap();
    let (rt, ui, snap) = sample_kiosk_ui(tmp.path(), "shinan-01", "station", 7, 2600);
    // A price with fen: the sample has none, so one service gets ¥12.50.
    let mut priced = (*snap).clone();
    let service = priced
        .items
        .iter_mut()
        .find_map(|i| match &mut i.item {
            protocol::catalog::CatalogItem::Service(s)
                if s.kind == protocol::catalog::ServiceKind::ValueAdded =>
            {
                Some(s)
            }
            _ => None,
        })
        .expect("a value-added service");
    service.price_fen = Some(1250);
    service.price_unit_zh = "元/次".into();
    ui.set_catalog(std::sync::Arc::new(priced));
    let handle = rt.handle();
    ui.set_language(firmware_config::Language::Zh);
    // The station's receipt printer (its driver, without a port).
    let (mut printer, queue) = kiosk::peripherals::printer::PrinterDriver::new();
    ui.set_printer(Some(queue));

    press(&ui, "轻触屏幕 开始浏览");
    assert_eq!(ui.page(), Page::Services, "a station's home is its service catalogue");
    assert!(labels(&ui).iter().any(|l| l == "直播带货"), "value-added services are listed");
    assert!(labels(&ui).iter().any(|l| l == "12.50 元/次"), "fen are shown: {:?}", labels(&ui));
    press(&ui, "English");
    assert!(labels(&ui).iter().any(|l| l == "¥12.50 per visit"), "{:?}", labels(&ui));
    press(&ui, "中文");
    press(&ui, "开店指导");
    assert_eq!(ui.page(), Page::Request);

    // Submitting too early says what is missing and records nothing.
    press(&ui, "③ 提交申请");
    assert_eq!(ui.page(), Page::Request);
    assert!(labels(&ui).iter().any(|l| l == "请先选择乡镇"), "{:?}", labels(&ui));
    press(&ui, "石南镇");
    for k in "1381234567".chars() {
        press(&ui, &k.to_string());
    }
    press(&ui, "③ 提交申请");
    assert_eq!(ui.page(), Page::Request, "ten digits are not a phone number");
    assert_eq!(handle.outbox_state().unwrap().last_seq, 1, "only the attract exit so far");
    press(&ui, "删除一位");
    press(&ui, "7");
    press(&ui, "8");
    assert!(labels(&ui).iter().any(|l| l == "138 1234 5678"), "{:?}", labels(&ui));
    press(&ui, "③ 提交申请");
    assert_eq!(ui.page(), Page::Receipt);

    // The receipt shows the number made here; the request is in the outbox.
    let mine = handle.my_requests(&Lookup::PhoneTail("5678".into())).unwrap();
    assert_eq!(mine.len(), 1);
    let ticket = protocol::TicketNo::parse(&mine[0].ticket_no).unwrap();
    assert_eq!(ticket.station(), 7);
    let shown = labels(&ui);
    assert!(shown.iter().any(|l| l == &ticket.grouped()), "{shown:?}");
    assert!(shown.iter().any(|l| l.contains("138****5678")), "the phone is masked: {shown:?}");
    assert!(!shown.iter().any(|l| l.contains("13812345678")));
    assert_eq!(handle.outbox_state().unwrap().totals.get("service_request"), Some(&1));

    // The paper receipt: its number, the masked phone, the number in the QR.
    use kiosk::peripherals::serial::Driver;
    let now = std::time::Instant::now();
    assert_eq!(printer.to_write(now), Some(kiosk::peripherals::escpos::PAPER_STATUS_QUERY.to_vec()));
    printer.read(&[0x12], now, &mut Vec::new());
    let bytes = printer.to_write(now).expect("the receipt goes to the printer");
    let cmds = kiosk::peripherals::escpos_decode::decode(&bytes).unwrap();
    let lines = kiosk::peripherals::escpos_decode::text_lines(&cmds);
    assert!(lines.iter().any(|l| l.starts_with("受理编号") && l.ends_with(&ticket.grouped())), "{lines:?}");
    assert!(lines.iter().any(|l| l.ends_with("138****5678")), "{lines:?}");
    assert_eq!(kiosk::peripherals::escpos_decode::qr_codes(&cmds), [ticket.as_str()]);
    assert!(!String::from_utf8_lossy(&bytes).contains("13812345678"));
    press(&ui, "完成");
    assert_eq!(ui.page(), Page::Services);

    // "My requests": by the phone's last four digits, then by a ticket
    // number that is not this station's.
    press(&ui, "查询我的申请");
    assert_eq!(ui.page(), Page::Mine);
    press(&ui, "按手机尾号");
    for k in "5678".chars() {
        press(&ui, &k.to_string());
    }
    let shown = labels(&ui);
    assert!(shown.iter().any(|l| l == &ticket.grouped()), "found by the phone tail: {shown:?}");
    assert!(shown.iter().any(|l| l == "已提交"), "its status: {shown:?}");
    press(&ui, "按受理号");
    for k in "26112900070019".chars() {
        press(&ui, &k.to_string());
    }
    assert!(labels(&ui).iter().any(|l| l == "没有找到这个号码的申请"), "{:?}", labels(&ui));
    press(&ui, "清空号码");
    for k in ticket.as_str().chars() {
        press(&ui, &k.to_string());
    }
    assert!(labels(&ui).iter().any(|l| l == &ticket.grouped()), "found by its number: {:?}", labels(&ui));
    press(&ui, "首页");
    assert_eq!(ui.page(), Page::Services);

    // A half-filled form left alone: "还在吗？" first, then cleared.
    press(&ui, "政策咨询");
    press(&ui, "1");
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(91));
    assert!(labels(&ui).iter().any(|l| l == "还在吗？"), "{:?}", labels(&ui));
    assert_eq!(ui.page(), Page::Request, "the form is still there while it asks");
    press(&ui, "我还在");
    assert!(!labels(&ui).iter().any(|l| l == "还在吗？"));
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(91));
    i_slint_backend_testing::mock_elapsed_time(kiosk::ui::STILL_THERE + Duration::from_secs(1));
    assert_eq!(ui.page(), Page::Attract, "nobody answered: the form is cleared");
    assert_eq!(handle.outbox_state().unwrap().totals.get("service_request"), Some(&1));
}
