//! The training pages: sessions, a roster with phones masked until a
//! logged reveal, attendance and cancellation by the front desk (the first
//! waiting moves up), and nothing of it for a viewer.

use super::{Browser, logged_in};
use crate::staff::roles::Role;
use crate::store;
use axum::http::StatusCode;
use protocol::catalog::{Audience, CatalogItem, Course, CourseKind, SignupWay, TrainingSession};

/// A catalog offering session `s1` with two seats, and three sign-ups for it.
fn two_seats_three_sign_ups(b: &Browser) {
    let conn = store::open_write(&b.console.data).unwrap();
    let now = store::now_ms();
    conn.execute(
        "INSERT INTO catalog_versions(version, created_at, source, manifest_sha256, items, blob_bytes) VALUES (1, 0, 't', 'x', 2, 0)",
        [],
    )
    .unwrap();
    let course = CatalogItem::Course(Course {
        id: "c1".into(),
        kind: CourseKind::LiveStreaming,
        audience: Audience::Women,
        title_zh: "巾帼直播专场".into(),
        title_en: String::new(),
        intro_zh: String::new(),
        intro_en: String::new(),
        organiser_zh: "县妇联".into(),
    });
    let session = CatalogItem::Session(TrainingSession {
        id: "s1".into(),
        course_id: "c1".into(),
        place_zh: "石南镇村级服务站".into(),
        town: Some("shinan".into()),
        starts_at: (now + 7 * 86_400_000) as u64,
        ends_at: (now + 7 * 86_400_000 + 7_200_000) as u64,
        seats: 2,
        price_fen: None,
        signup: SignupWay::Kiosk,
        signup_note_zh: String::new(),
        signup_closes_at: (now + 6 * 86_400_000) as u64,
    });
    for item in [course, session] {
        let key = item.key();
        conn.execute(
            "INSERT INTO catalog_items(version, kind, id, rev, body) VALUES (1, ?1, ?2, 1, ?3)",
            rusqlite::params![key.kind.as_str(), key.id, serde_json::to_string(&item).unwrap()],
        )
        .unwrap();
    }
    use protocol::messages::{Event, EventBatch, EventKind, Signup};
    let events = (1..=3)
        .map(|seq| Event {
            seq,
            t: now as u64,
            clock_trusted: true,
            kind: EventKind::Signup(Signup {
                signup_id: format!("su{seq}"),
                number: String::new(),
                session_id: "s1".into(),
                town: "shinan".into(),
                phone: format!("1380000000{seq}"),
            }),
        })
        .collect();
    let kid = protocol::KioskId::new("shinan-01").unwrap();
    let cal = crate::tickets::calendar::Calendar::load(None).unwrap();
    crate::ingest::ingest(&conn, &kid, &[EventBatch { session: 1, events }], now, &cal).unwrap();
}

fn status(b: &Browser, id: &str) -> String {
    let conn = store::open_read(&b.console.data).unwrap();
    conn.query_row("SELECT status FROM signups WHERE signup_id = ?1", [id], |r| r.get(0)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_desk_marks_who_came_and_a_cancellation_moves_the_list_up() {
    let mut b = Browser::new();
    two_seats_three_sign_ups(&b);
    logged_in(&mut b, "王芳", Role::Tickets).await;
    let list = b.get("/training").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("href=\"/training/s1\"") && list.body.contains("巾帼直播专场"),
        "{}",
        list.body
    );

    let roster = b.get("/training/s1").await;
    assert!(roster.body.contains("138****0001") && !roster.body.contains("13800000001"), "masked");
    assert!(roster.body.contains("候补"), "the third is waiting: {}", roster.body);
    let csrf = roster.csrf();
    let shown = b.post("/training/s1/reveal", &[("csrf", &csrf)]).await;
    assert!(shown.body.contains("13800000001"), "revealed");
    let conn = store::open_read(&b.console.data).unwrap();
    let who: String = conn
        .query_row("SELECT actor FROM signup_log WHERE action = 'reveal_contacts'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(who, "王芳", "the look is logged with the name logged in");

    let done = b.post("/training/s1/attend", &[("csrf", &csrf), ("present-su1", "1")]).await;
    assert_eq!(done.location.as_deref(), Some("/training/s1"));
    assert_eq!(status(&b, "su1"), "attended");
    assert_eq!(status(&b, "su2"), "confirmed", "only the ticked one");
    b.post("/training/s1/cancel/su2", &[("csrf", &csrf)]).await;
    assert_eq!((status(&b, "su2").as_str(), status(&b, "su3").as_str()), ("cancelled", "confirmed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_reads_rosters_but_cannot_change_or_reveal_them() {
    let mut b = Browser::new();
    two_seats_three_sign_ups(&b);
    logged_in(&mut b, "李强", Role::Viewer).await;
    let page = b.get("/training/s1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/cancel/") && !page.body.contains("/reveal"), "no buttons for a viewer");
    let csrf = page.csrf();
    for action in ["/training/s1/cancel/su1", "/training/s1/reveal", "/training/s1/attend"] {
        assert_eq!(
            b.post(action, &[("csrf", &csrf), ("present-su1", "1")]).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(status(&b, "su1"), "confirmed", "nothing changed");
}
