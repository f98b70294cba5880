//! The home page's warnings: each made to appear by the state it names and
//! gone when that state is put right, and the page showing them.

use super::{Browser, logged_in};
use crate::console::i18n::Tr;
use crate::console::pages::home::{Figures, GroupCatalog, warnings};
use crate::fleet::county_ca::{TlsFiles, new_ca, server_cert};
use crate::fleet::status::KioskRow;
use crate::staff::roles::Role;
use crate::store::now_ms;
use protocol::county_time;
use time::macros::date;

const HOUR_MS: i64 = 3600 * 1000;

fn kiosk(name: &str, state: &str, since: Option<i64>, sync_state: Option<&str>) -> KioskRow {
    KioskRow {
        kiosk: name.into(),
        group: "showroom".into(),
        role: None,
        station_no: None,
        town: None,
        state: state.into(),
        since,
        last_seen: since,
        catalog_version: Some(1),
        desired_version: Some(2),
        sync_state: sync_state.map(Into::into),
        sync_bytes: None,
        outbox_depth: Some(0),
        app_version: None,
        refused: 0,
        events: 0,
        drift: 0,
        lost: 0,
    }
}

fn figures(kiosks: Vec<KioskRow>) -> Figures {
    Figures {
        online: kiosks.iter().filter(|k| k.state == "online").count(),
        offline: kiosks.iter().filter(|k| k.state != "online").count(),
        groups: vec![GroupCatalog { group: "showroom".into(), desired: Some(2), running: vec![], behind: 0 }],
        kiosks,
        outbox_total: 0,
        tickets_open: 0,
        tickets_overdue: 0,
    }
}

fn texts(b: &Browser, f: &Figures, now: i64) -> Vec<String> {
    warnings(Tr::default(), f, &b.console, now).into_iter().map(|w| w.text).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosks_offline_over_a_day_and_failed_syncs_are_named() {
    let b = Browser::new();
    let now = county_time::start_of_day(date!(2026 - 11 - 16)) + 10 * HOUR_MS;
    let f = figures(vec![
        kiosk("hall-1", "online", Some(now - 30 * HOUR_MS), None),
        kiosk("village-2", "offline", Some(now - 25 * HOUR_MS), None),
        kiosk("village-3", "offline", Some(now - 23 * HOUR_MS), Some("failed")),
        kiosk("village-4", "online", Some(now - HOUR_MS), Some("timed_out")),
        kiosk("village-5", "online", Some(now - HOUR_MS), Some("applied")),
    ]);
    assert_eq!(
        texts(&b, &f, now),
        [
            "village-2 已离线超过一天（自 2026-11-15 09:00）",
            "village-3 的目录同步失败",
            "village-4 的目录同步失败",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_december_next_years_calendar_is_asked_for_until_it_is_added() {
    let b = Browser::new();
    let f = figures(vec![]);
    let november = county_time::start_of_day(date!(2026 - 11 - 30)) + 23 * HOUR_MS;
    let december = county_time::start_of_day(date!(2026 - 12 - 01)) + HOUR_MS;
    assert_eq!(texts(&b, &f, november), Vec::<String>::new());
    assert_eq!(texts(&b, &f, december), ["还没有 2027 年的工作日历：跨年的投诉办结期限无法计算"]);
    let dir = b.console.data.calendar();
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cn-2027.toml"), "year = 2027\nholidays = [\"2027-01-01\"]\nworkdays = []\n")
        .unwrap();
    assert_eq!(texts(&b, &f, december), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_certificate_near_its_end_is_a_warning_then_an_alarm() {
    let mut b = Browser::new();
    let f = figures(vec![]);
    // Outside December, so that only the certificate speaks.
    let now = now_ms().min(county_time::start_of_day(date!(2026 - 11 - 30)));
    let ca = new_ca("Tongcheng").unwrap();
    let files = TlsFiles::in_data_dir(b.console.data.root());
    std::fs::create_dir_all(files.server_cert().parent().unwrap()).unwrap();
    // Valid for 20 days from the real clock: `now` is no later than that.
    let issued = server_cert(&ca, &["hub.example".into()], 20).unwrap();
    std::fs::write(files.server_cert(), &issued.cert_pem).unwrap();
    let soon = texts(&b, &f, now);
    assert_eq!(soon.len(), 1, "{soon:?}");
    assert!(
        soon[0].starts_with("服务器证书 ") && soon[0].ends_with(" 天后过期：请用 hub fleet tls 重新签发"),
        "{soon:?}"
    );
    let in_a_month = now_ms() + 30 * 24 * HOUR_MS;
    assert_eq!(texts(&b, &f, in_a_month), ["服务器证书已过期：请用 hub fleet tls 重新签发"]);

    // A year's certificate says nothing; the page itself shows what it warns of.
    let issued = server_cert(&ca, &["hub.example".into()], 365).unwrap();
    std::fs::write(files.server_cert(), &issued.cert_pem).unwrap();
    assert_eq!(texts(&b, &f, now), Vec::<String>::new());
    std::fs::write(files.server_cert(), &server_cert(&ca, &["hub.example".into()], 20).unwrap().cert_pem)
        .unwrap();
    logged_in(&mut b, "王芳", Role::Viewer).await;
    let page = b.get("/").await;
    assert!(page.body.contains("天后过期：请用 hub fleet tls 重新签发"), "{}", page.body);
}
