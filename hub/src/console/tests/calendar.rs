//! The calendar page: next year typed from the notice, previewed with the
//! complaint deadlines it sets, saved as the year file, and the deadlines
//! given at once; mistakes named; only the data centre (and admins) edit.

use super::{Browser, logged_in, request};
use crate::staff::roles::Role;
use crate::store;
use axum::http::StatusCode;
use protocol::county_time;
use time::macros::date;

const HOLIDAYS: &str = "2027-01-01 # 元旦\n2027-02-06..2027-02-13 # 春节\n2027-10-01..2027-10-07 # 国庆节";

fn resolution_due(b: &Browser, no: &str) -> (Option<i64>, u64) {
    let conn = store::open_read(&b.console.data).unwrap();
    conn.query_row("SELECT resolution_due, rev FROM tickets WHERE ticket_no = ?1", [no], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_year_is_previewed_with_the_deadlines_it_sets_then_saved() {
    let mut b = Browser::new();
    // A complaint on Monday 28 December 2026: its fifth working day is in 2027.
    let submitted = county_time::start_of_day(date!(2026 - 12 - 28)) + 10 * 3600 * 1000;
    request(&b, 1, "13800000001", true, submitted);
    let no = super::ticket_of(&b, 1);
    let (before, rev) = resolution_due(&b, &no);
    assert_eq!(before, None, "no deadline without the 2027 calendar");

    logged_in(&mut b, "周强", Role::Data).await;
    let page = b.get("/calendar").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("<b>2026</b>") && page.body.contains("2026-10-01 – 2026-10-07"),
        "{}",
        page.body
    );
    let csrf = page.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("year", "2027"),
        ("source", "国务院办公厅关于2027年部分节假日安排的通知"),
        ("holidays", HOLIDAYS),
        ("workdays", "2027-02-20"),
    ];
    let preview = b.post("/calendar/preview", &form).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    // Mon 28 Dec + 5 working days: 29, 30, 31, (1 Jan holiday, weekend) 4, 5 January.
    let row = preview.body.find(&no).map(|at| &preview.body[at..at + 400]).expect("the ticket is listed");
    assert!(row.contains("2027-01-05 23:59"), "{row}");
    assert!(preview.body.contains("2027-02-06 – 2027-02-13"));
    assert!(!b.console.data.calendar().join("cn-2027.toml").exists(), "a preview saves nothing");

    let saved = b.post("/calendar/save", &form).await;
    assert_eq!((saved.status, saved.location.as_deref()), (StatusCode::SEE_OTHER, Some("/calendar")));
    let file = std::fs::read_to_string(b.console.data.calendar().join("cn-2027.toml")).unwrap();
    assert!(file.contains("\"2027-02-06..2027-02-13\", # 春节"), "{file}");
    let (after, new_rev) = resolution_due(&b, &no);
    assert_eq!(after, Some(county_time::end_of_day(date!(2027 - 01 - 05))));
    assert!(new_rev > rev, "a new revision, so the villager's kiosk hears of it");
    assert!(b.log("周强").iter().any(|(e, d)| e == "calendar year" && d.contains("1 deadlines")));
    assert!(b.get("/calendar").await.body.contains("<b>2027</b>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mistake_is_named_and_nothing_is_saved() {
    let mut b = Browser::new();
    logged_in(&mut b, "周强", Role::Data).await;
    let csrf = b.get("/calendar").await.csrf();
    for (holidays, workdays, says) in [
        (HOLIDAYS, "2027-02-22", "2027-02-22 is not a weekend day"),
        ("2028-01-01", "", "not in year 2027"),
        ("", "", "no holidays"),
    ] {
        let form =
            [("csrf", csrf.as_str()), ("year", "2027"), ("holidays", holidays), ("workdays", workdays)];
        for action in ["/calendar/preview", "/calendar/save"] {
            let p = b.post(action, &form).await;
            assert_eq!(p.status, StatusCode::BAD_REQUEST, "{action} {holidays}");
            assert!(p.body.contains(says), "{says} not in {}", p.body);
        }
    }
    assert!(!b.console.data.calendar().join("cn-2027.toml").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_data_centre_edits_the_calendar() {
    let mut b = Browser::new();
    for (name, role) in [("赵敏", Role::Viewer), ("孙丽", Role::Tickets), ("刘洋", Role::Catalog)] {
        logged_in(&mut b, name, role).await;
        let page = b.get("/calendar").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("/calendar/save") && !page.body.contains("/calendar/preview"));
        let csrf = page.csrf();
        let form = [("csrf", csrf.as_str()), ("year", "2027"), ("holidays", HOLIDAYS)];
        assert_eq!(b.post("/calendar/save", &form).await.status, StatusCode::FORBIDDEN, "{name}");
        b.cookies.clear();
    }
    assert!(!b.console.data.calendar().join("cn-2027.toml").exists());
}
