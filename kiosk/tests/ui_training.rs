//! Training sign-up and the jobs board at a village station, with Slint's
//! testing backend: a villager finds a dedicated session, signs up with a
//! town chip and the phone keypad, gets a number that is "pending" until
//! the hub decides, looks it up and cancels it; another says "I am
//! interested" in a job, which becomes a call-back request. What was
//! recorded is read from the kiosk's own database file.

mod common;

use common::{labels, press, sample_kiosk_ui};
use kiosk::controllers::navigation::Page;
use kiosk::store::outbox::Outbox;
use kiosk::store::requests::Lookup;
use protocol::messages::{EventKind, SeatsLeft, SessionSeats, SignupStatus};

/// 2026-12-01 10:00 in the county, before every sample session.
const NOW: u64 = 1_796_090_400_000;

fn type_digits(ui: &kiosk::ui::KioskUi, digits: &str) {
    digits.chars().for_each(|k| press(ui, &k.to_string()));
}

/// Every event the kiosk has recorded, as its outbox holds them.
fn recorded(dir: &std::path::Path) -> Vec<EventKind> {
    let outbox = Outbox::open(&dir.join("kiosk/kiosk-data/kiosk.db")).unwrap();
    outbox.pending(1, 1000).unwrap().into_iter().map(|e| e.kind).collect()
}

fn shows(ui: &kiosk::ui::KioskUi, text: &str) -> bool {
    labels(ui).iter().any(|l| l == text)
}

// One test: Slint's testing platform is set once per process.
#[test]
fn training_and_jobs_at_a_village_station() {
    i_slint_backend_testing::init_integration_test_with_mock_time();
    a_villager_signs_up_for_a_dedicated_session_once_and_cancels_it();
    i_am_interested_in_a_job_becomes_a_call_back_request_to_the_centre();
}

fn a_villager_signs_up_for_a_dedicated_session_once_and_cancels_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (rt, ui, _) = sample_kiosk_ui(tmp.path(), "shinan-01", "station", 7, 3200);
    ui.set_clock(NOW);
    let handle = rt.handle();
    press(&ui, "轻触屏幕 开始浏览");
    press(&ui, "培训报名");
    assert_eq!(ui.page(), Page::Training);
    assert!(shows(&ui, "电商入门：从开店到第一单"), "{:?}", labels(&ui));
    press(&ui, "专场（妇女、残疾人、低收入户）");
    assert!(!shows(&ui, "电商入门：从开店到第一单"), "only the dedicated sessions");
    press(&ui, "巾帼直播专场");
    assert_eq!(ui.page(), Page::Session);
    assert!(shows(&ui, "名额 15 · 剩余名额待县中心统计"), "no count, no promise: {:?}", labels(&ui));
    // The hub's count arrives (retained on kh/v1/_dc/seats).
    let mut seats = SeatsLeft { ts: NOW + 5 * 60_000, ..SeatsLeft::default() };
    seats.sessions.insert("women-live-1215".into(), SessionSeats { left: 6, waiting: 0 });
    ui.set_seats(Some(seats));
    assert!(shows(&ui, "剩余 6 座（共 15 座，县中心 12-01 10:05 统计）"), "{:?}", labels(&ui));

    press(&ui, "我要报名");
    assert_eq!(ui.page(), Page::Request);
    press(&ui, "③ 提交申请");
    assert!(shows(&ui, "请先选择乡镇"), "{:?}", labels(&ui));
    press(&ui, "石南镇");
    type_digits(&ui, "13812345678");
    press(&ui, "③ 提交申请");
    assert_eq!(ui.page(), Page::Receipt);
    let mine = handle.my_signups(&Lookup::PhoneTail("5678".into())).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].session_id.as_str(), mine[0].status), ("women-live-1215", SignupStatus::Pending));
    let number = protocol::TicketNo::parse(&mine[0].number).unwrap();
    assert_eq!(number.station(), 7, "the station's own daily count");
    let shown = labels(&ui);
    assert!(shown.iter().any(|l| l == &number.grouped()), "{shown:?}");
    assert!(shown.iter().any(|l| l.starts_with("待确认")), "the seat is not promised: {shown:?}");
    assert!(
        shown.iter().any(|l| l.contains("138****5678")) && !shown.iter().any(|l| l.contains("13812345678"))
    );

    // The same phone again: told the number it already holds.
    press(&ui, "完成");
    press(&ui, "培训报名");
    press(&ui, "巾帼直播专场");
    press(&ui, "我要报名");
    press(&ui, "麦市镇");
    type_digits(&ui, "13812345678");
    press(&ui, "③ 提交申请");
    assert_eq!(ui.page(), Page::Request);
    let already = format!("这个号码已报名这一场，报名号 {}", number.grouped());
    assert!(shows(&ui, &already), "{:?}", labels(&ui));

    // My requests: pending, then cancelled here.
    press(&ui, "首页");
    press(&ui, "查询我的申请");
    press(&ui, "按手机尾号");
    type_digits(&ui, "5678");
    assert!(shows(&ui, &number.grouped()) && shows(&ui, "待确认"), "{:?}", labels(&ui));
    press(&ui, "不能参加，取消报名");
    assert!(shows(&ui, "取消中"), "{:?}", labels(&ui));
    assert!(!shows(&ui, "不能参加，取消报名"), "once");

    let events = recorded(tmp.path());
    let signups: Vec<_> = events.iter().filter(|e| matches!(e, EventKind::Signup(_))).collect();
    assert_eq!(signups.len(), 1, "one sign-up recorded: {events:?}");
    let EventKind::Signup(s) = signups[0] else { unreachable!() };
    assert_eq!(
        (s.session_id.as_str(), s.town.as_str(), s.number.as_str()),
        ("women-live-1215", "石南镇", number.as_str())
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventKind::SignupCancel { signup_id } if *signup_id == s.signup_id))
    );
    // Each time the session's page was left, its view was counted.
    let views = events
        .iter()
        .filter(|e| matches!(e, EventKind::ContentView { item, id, .. } if item == "session" && id == "women-live-1215"))
        .count();
    assert_eq!(views, 2, "{events:?}");
}

fn i_am_interested_in_a_job_becomes_a_call_back_request_to_the_centre() {
    let tmp = tempfile::tempdir().unwrap();
    let (rt, ui, snap) = sample_kiosk_ui(tmp.path(), "shinan-01", "station", 7, 3200);
    ui.set_clock(NOW);
    let handle = rt.handle();
    press(&ui, "轻触屏幕 开始浏览");
    press(&ui, "招聘信息");
    assert_eq!(ui.page(), Page::Jobs);
    press(&ui, "石南镇");
    // The Shinan jobs of the catalog, and no other town's.
    let jobs: Vec<&protocol::catalog::Job> = snap
        .items
        .iter()
        .filter_map(|i| match &i.item {
            protocol::catalog::CatalogItem::Job(j) => Some(j),
            _ => None,
        })
        .collect();
    let shinan: Vec<_> = jobs.iter().filter(|j| j.town == "shinan").collect();
    assert!(!shinan.is_empty());
    for j in &jobs {
        assert_eq!(
            shows(&ui, &j.title_zh),
            j.town == "shinan",
            "{} in {}: {:?}",
            j.title_zh,
            j.town,
            labels(&ui)
        );
    }
    press(&ui, "我有意向，请中心回电");
    assert_eq!(ui.page(), Page::Request);
    press(&ui, "石南镇");
    type_digits(&ui, "13912345678");
    press(&ui, "③ 提交申请");
    assert_eq!(ui.page(), Page::Receipt);
    assert!(
        labels(&ui).iter().any(|l| l.starts_with("工作人员将在")),
        "the 48-hour promise: {:?}",
        labels(&ui)
    );
    let mine = handle.my_requests(&Lookup::PhoneTail("5678".into())).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].service_id, "jobs");

    let events = recorded(tmp.path());
    let job_id = events
        .iter()
        .find_map(|e| match e {
            EventKind::ServiceRequest(r) => r.job_id.clone(),
            _ => None,
        })
        .expect("the request names the job");
    assert!(shinan.iter().any(|j| j.id == job_id), "{job_id}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EventKind::ContentView { item, id, .. } if item == "job" && *id == job_id)),
        "{events:?}"
    );
}
