//! The staff console in a real browser: Debian's chromium, driven over
//! WebDriver (chromedriver), against a real `hub serve` and a real kiosk
//! runtime over MQTT. A catalog editor uploads a zip with three mistakes
//! and sees each located, corrects and publishes it, and watches the kiosk
//! apply it; the front desk sees a villager's request arrive without
//! reloading and works it through accept, transfer, reply and resolve while
//! the kiosk receives each step; the data centre downloads a report that
//! is byte for byte the CLI's.
//!
//! `KH_CONSOLE_SCREENS=docs/screens` saves the main pages as PNGs (the
//! README's pictures). Without chromium and chromedriver the test is
//! ignored (and counted so); with `KH_REQUIRE_BROWSER=1` (CI) their absence
//! fails it.

use e2e::fleet::{config, wait_catalog};
use e2e::harness::*;
use e2e::logins::add_staff;
use fantoccini::{Client, ClientBuilder, Locator};
use kiosk::runtime::Handle;
use kiosk::store::requests::{Lookup, MyRequest, RequestForm};
use protocol::TicketStatus;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NEW_PASSWORD: &str = "青山绿水就是金山银山-2026";

/// chromedriver on a free port, stopped with the test.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver and a headless chromium session.
async fn browser() -> (Driver, Client) {
    let (chromium, chromedriver) = (e2e::tools::require("chromium"), e2e::tools::require("chromedriver"));
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver { child, port };
    wait_for_port(driver.port);
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=zh-CN", "--force-device-scale-factor=1"],
        }
    });
    let serde_json::Value::Object(caps) = caps else { unreachable!() };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a chromium session");
    (driver, client)
}

/// One staff member at the browser.
struct Desk<'a> {
    c: &'a Client,
    base: String,
    screens: Option<PathBuf>,
}

impl Desk<'_> {
    async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_owned()
    }

    async fn body(&self) -> String {
        self.c.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
    }

    async fn fill(&self, css: &str, value: &str) {
        let field = self.c.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Click the submit button of the form posting to `action` and wait
    /// for the next page.
    async fn submit(&self, action: &str) {
        let before = self.c.find(Locator::Css("html")).await.unwrap();
        let css = format!("form[action^=\"{action}\"] button[type=submit]");
        self.c.find(Locator::Css(&css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
        // The old page's root goes stale once the next one has loaded.
        let deadline = Instant::now() + Duration::from_secs(20);
        while before.tag_name().await.is_ok() {
            assert!(Instant::now() < deadline, "no page after submitting {action}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.c.wait().for_element(Locator::Css("body")).await.unwrap();
    }

    /// Log in with a one-time password and set a new one, as at a first login.
    async fn first_login(&self, name: &str, one_time: &str) {
        self.goto("/login").await;
        self.fill("input[name=name]", name).await;
        self.fill("input[name=password]", one_time).await;
        self.submit("/login").await;
        assert_eq!(self.path().await, "/password", "a one-time password must be changed first");
        self.fill("input[name=current]", one_time).await;
        self.fill("input[name=new]", NEW_PASSWORD).await;
        self.fill("input[name=repeat]", NEW_PASSWORD).await;
        self.submit("/password").await;
        assert_eq!(self.path().await, "/");
        assert!(self.body().await.contains(name), "{name} is shown as logged in");
    }

    async fn logout(&self) {
        self.submit("/logout").await;
        assert_eq!(self.path().await, "/login");
    }

    async fn screenshot(&self, name: &str) {
        if let Some(dir) = &self.screens {
            let png = self.c.screenshot().await.unwrap();
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(dir.join(format!("console-{name}.png")), png).unwrap();
        }
    }

    /// The texts of the rows of the first table matching `css`.
    async fn rows(&self, css: &str) -> Vec<String> {
        let mut out = Vec::new();
        for row in self.c.find_all(Locator::Css(&format!("{css} tbody tr"))).await.unwrap() {
            out.push(row.text().await.unwrap());
        }
        out
    }

    /// Bytes of a same-origin URL, fetched by the page with its session.
    async fn fetch(&self, url: &str) -> Vec<u8> {
        let script = r#"
            const [url, done] = arguments;
            fetch(url, { credentials: "same-origin" })
              .then(r => r.arrayBuffer())
              .then(b => { let s = ""; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); done(btoa(s)); })
              .catch(e => done("ERROR " + e));
        "#;
        let v = self.c.execute_async(script, vec![serde_json::json!(url)]).await.unwrap();
        let text = v.as_str().unwrap();
        assert!(!text.starts_with("ERROR"), "{text}");
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(text).unwrap()
    }
}

/// The sample catalog's files, relative path and bytes.
fn sample_files() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for sub in ["", "images"] {
        for e in std::fs::read_dir(sample_catalog().join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                out.push((
                    Path::new(sub).join(e.file_name()).display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
    }
    out
}

/// A CSV file with one cell replaced, saved with CRLF endings as Excel does.
fn with_cell(text: &[u8], line: usize, column: &str, value: &str) -> Vec<u8> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(text);
    let mut rows: Vec<Vec<String>> =
        r.records().map(|x| x.unwrap().iter().map(str::to_owned).collect()).collect();
    let col = rows[0].iter().position(|h| h.trim_start_matches('\u{feff}') == column).unwrap();
    rows[line - 1][col] = value.to_owned();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    rows.into_iter().for_each(|row| w.write_record(row).unwrap());
    w.into_inner().unwrap()
}

fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        z.start_file(format!("tongcheng/{name}"), zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

/// Wait until the kiosk's copy of its request satisfies `cond`.
async fn kiosk_sees(k: &Handle, what: &str, cond: impl Fn(&MyRequest) -> bool) -> MyRequest {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mine = k.my_requests(&Lookup::PhoneTail("5678".into())).unwrap();
        if let Some(r) = mine.into_iter().find(|r| cond(r)) {
            return r;
        }
        assert!(Instant::now() < deadline, "the kiosk never saw {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(kh_no_browser, ignore = "chromium is not installed (apt-get install chromium chromium-driver)")]
async fn staff_work_the_console_in_a_real_browser() {
    let (_driver, client) = browser().await;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    std::fs::create_dir_all(&data).unwrap();
    let d = data.to_str().unwrap();
    let (secret, station) = register_kiosk_station(&data, "station-shinan", "shinan");
    let editor = add_staff(&data, "刘洋", "catalog");
    let desk_pw = add_staff(&data, "王芳", "tickets");
    let analyst = add_staff(&data, "周强", "data");
    let admin = add_staff(&data, "陈静", "admin");
    let mode = BrokerMode::Embedded(free_port());
    let hub = HubProcess::start(&data, mode).await;
    let key = hub_key(&data);
    let rt = kiosk::runtime::Runtime::start(config(
        "station-shinan",
        &secret,
        &key,
        mode.port(),
        station,
        &tmp.path().join("kiosk"),
    ))
    .unwrap();
    let k = rt.handle();
    let desk = Desk {
        c: &client,
        base: format!("http://127.0.0.1:{}", hub.web_port),
        screens: std::env::var_os("KH_CONSOLE_SCREENS").map(PathBuf::from),
    };

    // The catalog editor: a zip with three mistakes, each located.
    desk.first_login("刘洋", &editor).await;
    let mut files = sample_files();
    let at =
        |files: &mut Vec<(String, Vec<u8>)>, name: &str| files.iter().position(|(n, _)| n == name).unwrap();
    let (p, b) = (at(&mut files, "products.csv"), at(&mut files, "batches.csv"));
    let (products, batches) = (files[p].1.clone(), files[b].1.clone());
    files[p].1 = with_cell(&with_cell(&products, 3, "price_yuan", "十二元"), 5, "producer_id", "nobody");
    files[b].1 = with_cell(&batches, 3, "production_date", "2026-13-45");
    let up = tmp.path().join("upload");
    std::fs::create_dir_all(&up).unwrap();
    write_zip(&up.join("tongcheng.zip"), &files);
    std::fs::write(up.join("products.csv"), &products).unwrap();
    std::fs::write(up.join("batches.csv"), &batches).unwrap();

    desk.goto("/catalog").await;
    let file_input = client.find(Locator::Css("input[type=file][name=files]")).await.unwrap();
    file_input.send_keys(up.join("tongcheng.zip").to_str().unwrap()).await.unwrap();
    desk.submit("/catalog/upload").await;
    assert!(desk.path().await.starts_with("/catalog/drafts/"));
    let findings = desk.rows("table.findings").await;
    assert_eq!(findings.len(), 3, "{findings:#?}");
    let has = |parts: &[&str]| findings.iter().any(|row| parts.iter().all(|p| row.contains(p)));
    assert!(has(&["products.csv", "3", "7 (price_yuan)", "十二元"]), "{findings:#?}");
    assert!(has(&["products.csv", "5", "9 (producer_id)", "nobody"]), "{findings:#?}");
    assert!(has(&["batches.csv", "3", "(production_date)", "2026-13-45"]), "{findings:#?}");
    desk.screenshot("catalog-check").await;

    // The two corrected files, laid over that upload, then published to the pilot group.
    let correct = client.find(Locator::Css("form:has(input[name=base]) input[type=file]")).await.unwrap();
    let both = format!("{}\n{}", up.join("products.csv").display(), up.join("batches.csv").display());
    correct.send_keys(&both).await.unwrap();
    let base_form =
        client.find(Locator::Css("form:has(input[name=base]) button[type=submit]")).await.unwrap();
    let old = desk.path().await;
    base_form.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while desk.path().await == old {
        assert!(Instant::now() < deadline, "the corrected files were not taken");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(desk.body().await.contains("检查通过"), "{}", desk.body().await);
    client.find(Locator::Css("select[name=group]")).await.unwrap().select_by_value("shinan").await.unwrap();
    desk.fill("input[name=note]", "首批，试点石南").await;
    desk.submit("/catalog/drafts/").await;
    assert_eq!(desk.path().await, "/catalog/versions/1");
    wait_catalog(&k, Duration::from_secs(60), 1).await;
    // The version page shows the kiosk running it once its status says so.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        desk.goto("/catalog/versions/1").await;
        let rows = desk.rows("table:not(.facts)").await;
        if rows.iter().any(|r| r.contains("station-shinan") && r.contains("已应用")) {
            break;
        }
        assert!(Instant::now() < deadline, "the console never showed the kiosk on v1: {rows:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    desk.screenshot("catalog-version").await;
    desk.logout().await;

    // The front desk: a request appears in the open queue without a reload.
    desk.first_login("王芳", &desk_pw).await;
    desk.goto("/tickets").await;
    let req = k
        .submit_request(&RequestForm {
            service_id: "shop-setup".into(),
            village: "黄袍山村".into(),
            phone: "13812345678".into(),
            name: Some("张秀英".into()),
            note: Some("想在网上卖山茶油".into()),
            is_complaint: false,
            job_id: None,
        })
        .unwrap();
    let link = format!("a[href=\"/tickets/{}\"]", req.ticket_no);
    let deadline = Instant::now() + Duration::from_secs(30);
    let row = loop {
        if let Ok(a) = client.find(Locator::Css(&link)).await {
            break a;
        }
        assert!(Instant::now() < deadline, "the request never appeared in the open queue");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let queue = desk.body().await;
    assert!(queue.contains("138****5678") && !queue.contains("13812345678"), "the phone is masked");
    desk.screenshot("tickets").await;
    row.click().await.unwrap();
    client.wait().for_element(Locator::Css("form[action$=\"/accept\"]")).await.unwrap();

    let ticket = format!("/tickets/{}", req.ticket_no);
    desk.submit(&format!("{ticket}/accept")).await;
    let seen = kiosk_sees(&k, "accepted", |r| r.status == TicketStatus::Accepted).await;
    assert_eq!(seen.responsible.as_deref(), Some("王芳"), "the logged-in person is responsible");
    desk.fill(&format!("form[action=\"{ticket}/transfer\"] input[name=to]"), "李强").await;
    desk.submit(&format!("{ticket}/transfer")).await;
    let seen = kiosk_sees(&k, "the transfer", |r| r.handler.as_deref() == Some("李强")).await;
    assert_eq!(seen.status, TicketStatus::InProgress);
    desk.fill(&format!("form[action=\"{ticket}/reply\"] textarea"), "请带身份证和营业执照到站点拍照。").await;
    client.find(Locator::Css("input[name=wait]")).await.unwrap().click().await.unwrap();
    desk.submit(&format!("{ticket}/reply")).await;
    let seen = kiosk_sees(&k, "the reply", |r| r.status == TicketStatus::WaitingUser).await;
    assert_eq!(seen.reply.as_deref(), Some("请带身份证和营业执照到站点拍照。"));
    desk.fill(&format!("form[action=\"{ticket}/resolve\"] textarea"), "网店已开通。").await;
    desk.submit(&format!("{ticket}/resolve")).await;
    let seen = kiosk_sees(&k, "the resolution", |r| r.status == TicketStatus::Resolved).await;
    assert_eq!(seen.reply.as_deref(), Some("网店已开通。"));
    let page = desk.body().await;
    for step in ["受理", "转办", "答复", "办结"] {
        assert!(page.contains(step), "{step} is in the history:\n{page}");
    }
    desk.screenshot("ticket").await;
    desk.logout().await;

    // The data centre: the CSV download is the CLI's file, byte for byte.
    desk.first_login("周强", &analyst).await;
    let today = protocol::county_time::iso_date(protocol::county_time::today());
    desk.goto(&format!("/reports?by=service&from={today}&to={today}&measure=requests")).await;
    assert!(desk.rows("table.report").await.iter().any(|r| r.contains("shop-setup")));
    desk.screenshot("reports").await;
    let href = client
        .find(Locator::Css("a[href^=\"/reports/download\"]"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    let downloaded = desk.fetch(&href.unwrap()).await;
    let cli_file = tmp.path().join("cli.csv");
    hub_cli(&[
        "report",
        "--data",
        d,
        "--by",
        "service",
        "--from",
        &today,
        "--to",
        &today,
        "--format",
        "csv",
        "--out",
        cli_file.to_str().unwrap(),
    ]);
    let cli = std::fs::read(&cli_file).unwrap();
    assert!(cli.starts_with("\u{feff}service,".as_bytes()));
    assert_eq!(downloaded, cli, "the console's CSV is the CLI's");
    desk.goto("/calendar").await;
    desk.screenshot("calendar").await;
    desk.logout().await;

    // The administrator's view of it all.
    desk.first_login("陈静", &admin).await;
    desk.screenshot("home").await;
    desk.goto("/fleet").await;
    assert!(desk.body().await.contains("station-shinan"));
    desk.screenshot("fleet").await;
    // Training: every session of the published catalog with its seats.
    desk.goto("/training").await;
    assert!(desk.body().await.contains("women-live-1215"), "the sample's sessions are listed");
    desk.screenshot("training").await;
    client.close().await.unwrap();
    drop(rt);
}
