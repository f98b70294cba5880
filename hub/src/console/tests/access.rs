//! Every route of the console, found in the router's source so that a new
//! one cannot be missed: nothing is served without a session but the login
//! page, the language switch and the static files; and every action above
//! a viewer's role is refused and recorded in the staff history.

use super::{Browser, logged_in};
use crate::staff::roles::Role;
use axum::http::StatusCode;

/// The paths `router` serves, with sample values for their parameters.
fn routes() -> Vec<String> {
    let source = include_str!("../mod.rs");
    let mut out = Vec::new();
    for piece in source.split(".route(\"").skip(1) {
        let path = piece.split('"').next().unwrap();
        let sample: Vec<String> = path
            .split('/')
            .map(|seg| match seg.strip_prefix(':') {
                Some("code") => "en".to_owned(),
                Some("v") => "1".to_owned(),
                Some(_) => "260101-0001-0001".to_owned(),
                None => seg.to_owned(),
            })
            .collect();
        out.push(sample.join("/"));
    }
    out
}

/// Served without a session: the login page and what it needs, and `/health`
/// for monitoring (it says only "ok" or that the disk is full).
const PUBLIC: [&str; 5] = ["/login", "/lang/en", "/static/console.css", "/static/live.js", "/health"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_served_or_done_without_a_session() {
    let mut b = Browser::new();
    let routes = routes();
    assert!(routes.len() > 25, "the routes were not found: {routes:?}");
    for path in routes.iter().filter(|p| !PUBLIC.contains(&p.as_str())) {
        let mut to_login = 0;
        for method in ["GET", "POST"] {
            let p = b.send(method, path, None).await;
            match p.status {
                StatusCode::SEE_OTHER => {
                    assert!(p.location.as_deref().unwrap().starts_with("/login"), "{method} {path}");
                    to_login += 1;
                }
                StatusCode::METHOD_NOT_ALLOWED => {}
                other => panic!("{method} {path} without a session: {other}\n{}", p.body),
            }
        }
        // A POST meets the CSRF check first: no session, to the login page.
        assert!(to_login >= 1, "{path}: served only after a login");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_action_above_a_viewers_role_is_refused_and_recorded() {
    let mut b = Browser::new();
    super::request(&b, 1, "13800000001", false, crate::store::now_ms());
    let no = super::ticket_of(&b, 1);
    logged_in(&mut b, "赵敏", Role::Viewer).await;
    let csrf = b.get("/").await.csrf();
    let c = csrf.as_str();
    let actions: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("/tickets/{no}/reveal"), vec![]),
        (format!("/tickets/{no}/accept"), vec![]),
        (format!("/tickets/{no}/transfer"), vec![("to", "李强")]),
        (format!("/tickets/{no}/resolve"), vec![("text", "done")]),
        (
            "/fleet/new".into(),
            vec![("id", "x-01"), ("role", "station"), ("group", "g"), ("hub", "mqtt://h:1883")],
        ),
        ("/fleet/x-01/command".into(), vec![("name", "restart")]),
        ("/fleet/x-01/rotate".into(), vec![]),
        ("/fleet/x-01/revoke".into(), vec![]),
        ("/catalog/drafts/0123456789abcdef/publish".into(), vec![]),
        ("/catalog/promote".into(), vec![("version", "1")]),
        ("/calendar/preview".into(), vec![("year", "2027")]),
        ("/calendar/save".into(), vec![("year", "2027")]),
    ];
    for (path, fields) in &actions {
        let mut form = vec![("csrf", c)];
        form.extend(fields.iter().copied());
        let p = b.post(path, &form).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "a viewer posting {path}");
    }
    let (status, _) = b.get_bytes("/reports/download?by=day").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let refused: Vec<String> =
        b.log("赵敏").into_iter().filter(|(e, _)| e == "refused").map(|(_, d)| d).collect();
    assert_eq!(refused.len(), actions.len() + 1, "{refused:#?}");
    assert!(refused.iter().any(|d| d.starts_with("/fleet/new: needs ManageFleet")), "{refused:#?}");
}
