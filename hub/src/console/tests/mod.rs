//! The console as a browser meets it, without a network: requests through
//! the router (`tower::ServiceExt::oneshot`) against a real store, with the
//! cookies a browser would keep. Every refusal is checked for its status
//! and for its line in `staff_log`.

use super::state::Console;
use crate::staff::accounts;
use crate::staff::roles::Role;
use crate::store::{self, DataDir, writer::Writer};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

mod access;
mod calendar;
mod catalog;
mod home;
mod reports;
mod training;

/// A browser: its cookies, and the last page's CSRF field.
struct Browser {
    console: Arc<Console>,
    cookies: BTreeMap<String, String>,
    _dir: tempfile::TempDir,
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
    set_cookies: Vec<String>,
}

impl Page {
    /// The value of the first hidden `csrf` field.
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a form with a CSRF field") + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

impl Browser {
    fn new() -> Browser {
        Browser::with(|_| {})
    }

    /// A browser on a console set up by `adjust` first.
    fn with(adjust: impl FnOnce(&mut Console)) -> Browser {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path()).unwrap();
        let writer = Writer::start(&data).unwrap();
        let mut console = Console::new(data, writer, true).unwrap();
        adjust(&mut console);
        Browser { console: Arc::new(console), cookies: BTreeMap::new(), _dir: dir }
    }

    fn account(&self, name: &str, role: Role, password: &str) {
        let conn = store::open_write(&self.console.data).unwrap();
        accounts::add(&conn, name, role, &accounts::hash_password(password), 0).unwrap();
    }

    fn log(&self, name: &str) -> Vec<(String, String)> {
        let conn = store::open_read(&self.console.data).unwrap();
        let mut st =
            conn.prepare("SELECT event, detail FROM staff_log WHERE name = ?1 ORDER BY rowid").unwrap();
        st.query_map([name], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap()
    }

    async fn send(&mut self, method: &str, uri: &str, form: Option<&[(&str, &str)]>) -> Page {
        match form {
            Some(fields) => {
                let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
                self.send_body(method, uri, Some("application/x-www-form-urlencoded"), body.into_bytes())
                    .await
            }
            None => self.send_body(method, uri, None, Vec::new()).await,
        }
    }

    async fn send_body(
        &mut self,
        method: &str,
        uri: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Page {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let mut req = Request::builder().method(method).uri(uri).header(header::COOKIE, cookie);
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let resp =
            super::router(self.console.clone()).oneshot(req.body(Body::from(body)).unwrap()).await.unwrap();
        let set_cookies: Vec<String> = resp
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookies {
            let (kv, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if attrs.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let status = resp.status();
        let location = resp.headers().get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24).await.unwrap();
        Page { status, location, body: String::from_utf8_lossy(&bytes).into_owned(), set_cookies }
    }

    async fn get(&mut self, uri: &str) -> Page {
        self.send("GET", uri, None).await
    }

    async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Page {
        self.send("POST", uri, Some(form)).await
    }

    /// Log in through the form; the page it lands on.
    async fn login(&mut self, name: &str, password: &str) -> Page {
        let csrf = self.get("/login").await.csrf();
        self.post("/login", &[("csrf", &csrf), ("name", name), ("password", password), ("next", "/")]).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_without_a_session_and_a_first_password_change() {
    let mut b = Browser::new();
    for page in ["/", "/password"] {
        let p = b.get(page).await;
        assert_eq!(p.status, StatusCode::SEE_OTHER, "{page}");
        assert!(p.location.unwrap().starts_with("/login?next="), "{page}");
    }
    b.account("王芳", Role::Tickets, "one-time-pw");
    let p = b.login("王芳", "one-time-pw").await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/password")));
    let session = p.set_cookies.iter().find(|c| c.starts_with("kh_session=")).unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Max-Age="] {
        assert!(session.contains(attr), "{session}");
    }
    // The one-time password must go before anything else.
    assert_eq!(b.get("/").await.location.as_deref(), Some("/password"));
    let page = b.get("/password").await;
    let csrf = page.csrf();
    let weak = b
        .post(
            "/password",
            &[("csrf", &csrf), ("current", "one-time-pw"), ("new", "short"), ("repeat", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
    let new = "绿水青山就是金山银山";
    let p = b
        .post("/password", &[("csrf", &csrf), ("current", "one-time-pw"), ("new", new), ("repeat", new)])
        .await;
    assert_eq!((p.status, p.location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
    let home = b.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("今日概况") && home.body.contains("王芳"), "{}", home.body);
    // The new password works and the old one no longer does.
    let mut other =
        Browser { console: b.console.clone(), cookies: BTreeMap::new(), _dir: tempfile::tempdir().unwrap() };
    assert_eq!(other.login("王芳", "one-time-pw").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(other.login("王芳", new).await.location.as_deref(), Some("/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_their_session_token_are_refused_and_logged() {
    let mut b = Browser::new();
    b.account("李强", Role::Viewer, "one-time-pw");
    let mut other =
        Browser { console: b.console.clone(), cookies: BTreeMap::new(), _dir: tempfile::tempdir().unwrap() };
    other.account("张伟", Role::Viewer, "one-time-pw");
    b.login("李强", "one-time-pw").await;
    other.login("张伟", "one-time-pw").await;
    let theirs = other.get("/password").await.csrf();
    let form = [("current", "one-time-pw"), ("new", "abcdefghijk"), ("repeat", "abcdefghijk")];
    let none = b.post("/password", &form).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let mut with_theirs = form.to_vec();
    with_theirs.push(("csrf", &theirs));
    assert_eq!(b.post("/password", &with_theirs).await.status, StatusCode::FORBIDDEN);
    assert_eq!(b.post("/logout", &[]).await.status, StatusCode::FORBIDDEN, "even logging out");
    let refused: Vec<_> = b.log("李强").into_iter().filter(|(e, _)| e == "form refused").collect();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(
        refused[0].1.contains("no CSRF token") && refused[1].1.contains("wrong CSRF token"),
        "{refused:?}"
    );
    // The login form needs the token of its own page too.
    let mut stranger =
        Browser { console: b.console.clone(), cookies: BTreeMap::new(), _dir: tempfile::tempdir().unwrap() };
    let p = stranger.post("/login", &[("name", "李强"), ("password", "one-time-pw")]).await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sixth_wrong_password_meets_a_locked_account() {
    let mut b = Browser::new();
    b.account("赵敏", Role::Data, "one-time-pw");
    for i in 0..5 {
        let p = b.login("赵敏", "guess").await;
        assert_eq!(p.status, StatusCode::UNAUTHORIZED, "try {i}");
    }
    let p = b.login("赵敏", "one-time-pw").await;
    assert_eq!(p.status, StatusCode::UNAUTHORIZED, "locked, even with the right password");
    assert!(p.body.contains("锁定"), "{}", p.body);
    let log = b.log("赵敏");
    assert!(log.iter().any(|(e, _)| e == "locked"), "{log:?}");
    // An unknown name reads the same as a wrong password.
    let p = b.login("nobody", "guess").await;
    assert!(p.body.contains("账号或密码不对"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_with_logout_and_with_its_account() {
    let mut b = Browser::new();
    b.account("陈静", Role::Admin, "one-time-pw");
    b.login("陈静", "one-time-pw").await;
    let csrf = b.get("/password").await.csrf();
    let kept = b.cookies.clone();
    assert_eq!(b.post("/logout", &[("csrf", &csrf)]).await.location.as_deref(), Some("/login"));
    assert!(!b.cookies.contains_key("kh_session"), "the browser forgot it");
    b.cookies = kept;
    assert_eq!(b.get("/password").await.status, StatusCode::SEE_OTHER, "the old cookie opens nothing");

    b.cookies.clear();
    b.login("陈静", "one-time-pw").await;
    assert_eq!(b.get("/password").await.status, StatusCode::OK);
    let conn = store::open_write(&b.console.data).unwrap();
    accounts::disable(&conn, "陈静", crate::store::now_ms()).unwrap();
    assert_eq!(b.get("/password").await.status, StatusCode::SEE_OTHER, "disabled: out at once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_shown_as_text_and_pages_carry_their_guards() {
    let mut b = Browser::new();
    let name = "<script>alert(1)</script>";
    b.account(name, Role::Viewer, "one-time-pw");
    b.login(name, "one-time-pw").await;
    let page = b.get("/password").await;
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"), "{}", page.body);
    let resp = super::router(b.console.clone())
        .oneshot(Request::builder().uri("/login").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let h = resp.headers();
    assert!(h[header::CONTENT_SECURITY_POLICY].to_str().unwrap().contains("default-src 'self'"));
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
}

#[test]
fn every_console_message_has_its_english() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let en = super::i18n::parse_po(&std::fs::read_to_string(root.join("console/lang/en.po")).unwrap());
    let mut missing = Vec::new();
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in [root.join("console/templates"), root.join("src/console"), root.join("src/console/pages")] {
        files.extend(std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_file()));
    }
    let mut seen = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for msg in messages_in(&text) {
            seen += 1;
            if !en.contains_key(&msg) {
                missing.push(format!("{}: {msg}", f.display()));
            }
        }
    }
    let mut named: Vec<&str> = Role::ALL.iter().map(|r| super::pages::role_name(*r)).collect();
    named.extend(protocol::TicketStatus::ALL.iter().map(|s| super::pages::tickets::status_name(*s)));
    use crate::tickets::deadlines::DueState;
    for d in [DueState::Met, DueState::Late, DueState::Overdue, DueState::Pending, DueState::NoCalendar] {
        named.push(super::pages::tickets::due_name(d));
    }
    named.extend(super::pages::tickets::ACTION_NAMES.iter().map(|(_, n)| *n));
    named.extend(super::pages::SYNC_NAMES.iter().map(|(_, n)| *n));
    named.extend(super::pages::RELEASE_JOB_NAMES.iter().map(|(_, n)| *n));
    named.extend(super::pages::reports::REPORT_NAMES.iter().map(|(_, n)| *n));
    named.extend(super::pages::reports::COLUMN_LABELS.iter().map(|(_, l)| *l));
    named.extend(super::pages::reports::CODE_LABELS.iter().map(|(_, _, l)| *l));
    named.extend(super::pages::training::STATUS_NAMES.iter().map(|(_, n)| *n));
    missing.extend(named.into_iter().filter(|n| !en.contains_key(*n)).map(|n| format!("named: {n}")));
    assert!(seen > 40, "the console's messages were not found ({seen})");
    assert!(missing.is_empty(), "no English for {missing:#?}");
}

/// The messages of `t.s("…")` and `t.f("…", …)` (and `f1`–`f3`) calls in a template or a
/// source file.
fn messages_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["t.s(\"", "t.f(\"", "t.f1(\"", "t.f2(\"", "t.f3(\""] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            let mut literal = String::new();
            let mut chars = rest.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => literal.extend(chars.next()),
                    '"' => break,
                    c => literal.push(c),
                }
            }
            out.push(literal);
        }
    }
    out
}

/// A villager's request as a station sends it, ingested as the hub does.
fn request(b: &Browser, seq: u64, phone: &str, complaint: bool, submitted_at: i64) {
    use protocol::messages::{Event, EventBatch, EventKind, ServiceRequest};
    let conn = store::open_write(&b.console.data).unwrap();
    let req = ServiceRequest {
        request_id: format!("r{seq}"),
        ticket_no: String::new(),
        service_id: if complaint { "complaint".into() } else { "shop-setup".into() },
        village: "石南镇".into(),
        phone: phone.into(),
        name: None,
        note: Some("<script>alert('note')</script>".into()),
        is_complaint: complaint,
        job_id: None,
    };
    let event =
        Event { seq, t: submitted_at as u64, clock_trusted: true, kind: EventKind::ServiceRequest(req) };
    let kid = protocol::KioskId::new("shinan-01").unwrap();
    let cal = crate::tickets::calendar::Calendar::load(None).unwrap();
    crate::ingest::ingest(&conn, &kid, &[EventBatch { session: 1, events: vec![event] }], submitted_at, &cal)
        .unwrap();
}

/// The ticket number of request `seq`.
fn ticket_of(b: &Browser, seq: u64) -> String {
    let conn = store::open_read(&b.console.data).unwrap();
    conn.query_row("SELECT ticket_no FROM tickets WHERE request_id = ?1", [format!("r{seq}")], |r| r.get(0))
        .unwrap()
}

fn history(b: &Browser, no: &str) -> Vec<(String, String)> {
    let conn = store::open_read(&b.console.data).unwrap();
    crate::tickets::records::history(&conn, no).unwrap().into_iter().map(|h| (h.actor, h.action)).collect()
}

/// Log in with a changed password (the one-time one goes first).
async fn logged_in(b: &mut Browser, name: &str, role: Role) {
    b.account(name, role, "one-time-pw");
    b.login(name, "one-time-pw").await;
    let csrf = b.get("/password").await.csrf();
    let new = "一二三四五六七八九十";
    let p = b
        .post("/password", &[("csrf", &csrf), ("current", "one-time-pw"), ("new", new), ("repeat", new)])
        .await;
    assert_eq!(p.location.as_deref(), Some("/"), "{name} set a password");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_puts_what_is_due_first_and_the_actor_is_the_one_logged_in() {
    let mut b = Browser::new();
    let now = crate::store::now_ms();
    let day = 24 * 3600 * 1000;
    request(&b, 1, "13800000001", false, now - day);
    request(&b, 2, "13800000002", false, now - 3 * day); // its 48 hours are past
    request(&b, 3, "13800000003", true, now - 2 * 3600 * 1000);
    let (fresh, overdue, complaint) = (ticket_of(&b, 1), ticket_of(&b, 2), ticket_of(&b, 3));
    logged_in(&mut b, "王芳", Role::Tickets).await;

    let queue = b.get("/tickets").await;
    assert_eq!(queue.status, StatusCode::OK);
    let at = |no: &str| queue.body.find(no).unwrap_or_else(|| panic!("{no} not in the queue"));
    assert!(at(&overdue) < at(&fresh) && at(&fresh) < at(&complaint), "due first");
    assert!(queue.body.contains("class=\"overdue\""), "overdue in red");
    assert!(queue.body.contains("138****0002") && !queue.body.contains("13800000002"), "phones masked");
    let only = b.get("/tickets?phone=0003").await;
    assert!(only.body.contains(&complaint) && !only.body.contains(&fresh));

    // Live: a new request appears in the rows the page refreshes itself with.
    request(&b, 4, "13800000004", false, now);
    let rows = b.get("/tickets/rows?status=").await;
    assert!(rows.body.contains(&ticket_of(&b, 4)), "{}", rows.body);

    // Accept, reply, resolve: the history names the person logged in.
    let page = b.get(&format!("/tickets/{fresh}")).await;
    assert!(!page.body.contains("<script>alert"), "a note is shown as text");
    let csrf = page.csrf();
    let done = b.post(&format!("/tickets/{fresh}/accept"), &[("csrf", &csrf)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let reply = "请带身份证来站点<script>alert('reply')</script>";
    b.post(&format!("/tickets/{fresh}/reply"), &[("csrf", &csrf), ("text", reply)]).await;
    let page = b.get(&format!("/tickets/{fresh}")).await;
    assert!(page.body.contains("请带身份证来站点&#60;script&#62;"), "a reply is shown as text");
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    b.post(&format!("/tickets/{fresh}/resolve"), &[("csrf", &csrf), ("text", "已办好")]).await;
    let h = history(&b, &fresh);
    let actions: Vec<&str> = h.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(actions, ["submit", "accept", "reply", "resolve"]);
    assert!(h[1..].iter().all(|(who, _)| who == "王芳"), "{h:?}");
    // A move the state machine refuses says so and changes nothing.
    let again = b.post(&format!("/tickets/{fresh}/accept"), &[("csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("problem"), "{}", again.body);
    assert_eq!(history(&b, &fresh).len(), 4);

    // Revealing the contact is logged with who looked.
    let shown = b.post(&format!("/tickets/{overdue}/reveal"), &[("csrf", &csrf)]).await;
    assert!(shown.body.contains("13800000002"));
    assert_eq!(history(&b, &overdue).last().unwrap(), &("王芳".to_owned(), "reveal_contact".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_reads_tickets_but_cannot_act_or_reveal() {
    let mut b = Browser::new();
    request(&b, 1, "13800000001", false, crate::store::now_ms());
    let no = ticket_of(&b, 1);
    logged_in(&mut b, "李强", Role::Viewer).await;
    let page = b.get(&format!("/tickets/{no}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/accept") && !page.body.contains("/reveal"), "no buttons for a viewer");
    let csrf = page.csrf();
    assert_eq!(
        b.post(&format!("/tickets/{no}/accept"), &[("csrf", &csrf)]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        b.post(&format!("/tickets/{no}/reveal"), &[("csrf", &csrf)]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(history(&b, &no).len(), 1, "nothing happened to the ticket");
}

/// The files of a zip download: name → bytes.
fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        out.insert(f.name().to_owned(), data);
    }
    out
}

impl Browser {
    /// A POST whose answer is bytes (a download).
    async fn get_bytes(&mut self, uri: &str) -> (StatusCode, Vec<u8>) {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let req = Request::builder().uri(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
        let resp = super::router(self.console.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        (status, axum::body::to_bytes(resp.into_body(), 1 << 24).await.unwrap().to_vec())
    }

    async fn post_bytes(&mut self, uri: &str, form: &[(&str, &str)]) -> (StatusCode, Vec<u8>) {
        let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let resp = super::router(self.console.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        (status, axum::body::to_bytes(resp.into_body(), 1 << 24).await.unwrap().to_vec())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_sets_a_kiosk_up_and_downloads_its_files() {
    let mut b = Browser::new();
    logged_in(&mut b, "陈静", Role::Admin).await;
    let csrf = b.get("/fleet").await.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("id", "shinan-huangpao-01"),
        ("role", "station"),
        ("group", "shinan"),
        ("hub", "mqtt://192.168.10.2:1883"),
        ("pin", ""),
    ];
    let (status, bytes) = b.post_bytes("/fleet/new", &form).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&bytes));
    let files = unzip(&bytes);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "shinan-huangpao-01/hub.key",
            "shinan-huangpao-01/kiosk.toml",
            "shinan-huangpao-01/secret",
            "shinan-huangpao-01/staff-pin.txt"
        ]
    );
    // The files load as the kiosk will load them.
    let dir = tempfile::tempdir().unwrap();
    for (name, data) in &files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
    let config =
        firmware_config::DeviceConfig::load(&dir.path().join("shinan-huangpao-01/kiosk.toml")).unwrap();
    assert_eq!((config.station_no, config.group.as_str()), (1, "shinan"));
    let page = b.get("/fleet").await;
    assert!(page.body.contains("shinan-huangpao-01") && page.body.contains("村级站点"), "{}", page.body);
    // The same id again is refused, and said so.
    let (status, again) = b.post_bytes("/fleet/new", &form).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&again).contains("registered already"));

    // A screenshot asked for is queued for the serving hub to send.
    let p = b.post("/fleet/shinan-huangpao-01/command", &[("csrf", &csrf), ("name", "screenshot")]).await;
    assert_eq!(p.location.as_deref(), Some("/fleet"));
    let conn = store::open_read(&b.console.data).unwrap();
    let queued: String = conn
        .query_row("SELECT name FROM commands WHERE kid = 'shinan-huangpao-01'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(queued, "screenshot");
    // The language buttons post `set-language:<lang>` from the row's one form.
    b.post("/fleet/shinan-huangpao-01/command", &[("csrf", &csrf), ("name", "set-language:en")]).await;
    let args: String = conn
        .query_row(
            "SELECT args FROM commands WHERE kid = 'shinan-huangpao-01' AND name = 'set-language'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(args.contains(r#""lang":"en""#), "{args}");
    let unknown =
        b.post("/fleet/shinan-huangpao-01/command", &[("csrf", &csrf), ("name", "set-language:fr")]).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    // Rotation hands over a new secret; revocation retires the kiosk.
    let (status, rotated) = b.post_bytes("/fleet/shinan-huangpao-01/rotate", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::OK);
    let secret = unzip(&rotated).remove("shinan-huangpao-01/secret").unwrap();
    assert_ne!(secret, files["shinan-huangpao-01/secret"]);
    b.post("/fleet/shinan-huangpao-01/revoke", &[("csrf", &csrf)]).await;
    assert!(crate::fleet::registry::all(&conn).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_administrators_register_kiosks() {
    let mut b = Browser::new();
    logged_in(&mut b, "王芳", Role::Tickets).await;
    let page = b.get("/fleet").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/fleet/new"), "no form for a tickets account");
    let csrf = page.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("id", "x-01"),
        ("role", "station"),
        ("group", "g"),
        ("hub", "mqtt://h:1883"),
    ];
    let (status, _) = b.post_bytes("/fleet/new", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        b.post("/fleet/x-01/command", &[("csrf", &csrf), ("name", "restart")]).await.status,
        StatusCode::FORBIDDEN
    );
    let conn = store::open_read(&b.console.data).unwrap();
    assert!(crate::fleet::registry::list(&conn).unwrap().is_empty(), "nothing registered");
}
