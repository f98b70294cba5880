//! The home page: the fleet at a glance, each group's catalog version
//! running against the one it should run, outboxes, tickets, and the
//! warnings that need someone today.

use super::{Nav, render};
use crate::console::auth::Staff;
use crate::console::errors::PageError;
use crate::console::i18n::Tr;
use crate::console::state::Console;
use crate::fleet::county_ca::TlsFiles;
use crate::fleet::status::{self, KioskRow};
use crate::store::now_ms;
use crate::tickets::calendar::Calendar;
use crate::tickets::records;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A kiosk offline longer than this is a warning.
const OFFLINE_WARNING_MS: i64 = 24 * 3600 * 1000;
/// A broker certificate expiring within this is a warning.
const CERTIFICATE_WARNING_DAYS: i64 = 30;

/// One group's catalog: the version it should run and what its kiosks run.
pub struct GroupCatalog {
    pub group: String,
    pub desired: Option<u64>,
    /// (version, kiosks running it); `None` for kiosks with no catalog yet.
    pub running: Vec<(Option<u64>, usize)>,
    pub behind: usize,
}

/// Something that needs a person.
pub struct Warning {
    pub text: String,
    /// The console's page about it, where there is one.
    pub link: Option<&'static str>,
}

pub struct Figures {
    pub kiosks: Vec<KioskRow>,
    pub online: usize,
    pub offline: usize,
    pub groups: Vec<GroupCatalog>,
    pub outbox_total: u64,
    pub tickets_open: u64,
    pub tickets_overdue: u64,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    t: Tr,
    nav: Option<Nav>,
    f: Figures,
    warnings: Vec<Warning>,
}

/// Everything the home page shows, from the store.
pub fn figures(conn: &rusqlite::Connection, now: i64) -> Result<Figures, crate::store::StoreError> {
    let kiosks = status::list(conn)?;
    let online = kiosks.iter().filter(|k| k.state == "online").count();
    // group → (the version it should run, kiosks by the version they run)
    type Running = BTreeMap<Option<u64>, usize>;
    let mut by_group: BTreeMap<String, (Option<u64>, Running)> = BTreeMap::new();
    for k in &kiosks {
        let g = by_group.entry(k.group.clone()).or_default();
        g.0 = k.desired_version;
        *g.1.entry(k.catalog_version).or_default() += 1;
    }
    let groups = by_group
        .into_iter()
        .map(|(group, (desired, running))| GroupCatalog {
            behind: running.iter().filter(|(v, _)| **v != desired).map(|(_, n)| n).sum(),
            group,
            desired,
            running: running.into_iter().collect(),
        })
        .collect();
    let (tickets_open, tickets_overdue) = records::open_and_overdue(conn, now)?;
    Ok(Figures {
        online,
        offline: kiosks.len() - online,
        outbox_total: kiosks.iter().filter_map(|k| k.outbox_depth).sum(),
        groups,
        kiosks,
        tickets_open,
        tickets_overdue,
    })
}

/// The warnings: kiosks offline over a day, failed syncs, next year's
/// working-day calendar missing in December, a broker certificate near its
/// end, a full disk.
pub fn warnings(t: Tr, f: &Figures, console: &Console, now: i64) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(since) = console.health.disk_full_since() {
        out.push(Warning {
            text: t.f(
                "存储磁盘已满（自 {}）：新记录不再确认，各终端保留待传数据；腾出空间后自动恢复，不会丢失或重复",
                &[&t.opt_time(&Some(since))],
            ),
            link: None,
        });
    } else if let Some(free) = crate::store::writer::free_space(console.data.root()) {
        if free < crate::store::writer::LOW_SPACE {
            out.push(Warning {
                text: t.f("存储磁盘只剩 {} MB：磁盘写满后新记录将暂停确认", &[&(free >> 20)]),
                link: None,
            });
        }
    }
    for k in &f.kiosks {
        if k.state == "offline" && k.since.is_some_and(|s| now - s > OFFLINE_WARNING_MS) {
            out.push(Warning {
                text: t.f("{} 已离线超过一天（自 {}）", &[&k.kiosk, &t.opt_time(&k.since)]),
                link: Some("/fleet"),
            });
        }
        if matches!(k.sync_state.as_deref(), Some("failed" | "timed_out")) {
            out.push(Warning { text: t.f("{} 的目录同步失败", &[&k.kiosk]), link: Some("/fleet") });
        }
    }
    let today = protocol::county_time::date_of(now);
    if today.month() == time::Month::December {
        let next = today.year() + 1;
        match Calendar::load(Some(&console.data.calendar())) {
            Ok(cal) if !cal.covers(next) => out.push(Warning {
                text: t.f("还没有 {} 年的工作日历：跨年的投诉办结期限无法计算", &[&next]),
                link: Some("/calendar"),
            }),
            Ok(_) => {}
            Err(e) => out.push(Warning { text: e.to_string(), link: None }),
        }
    }
    let cert = TlsFiles::in_data_dir(console.data.root()).server_cert();
    if let Some(days) = certificate_days_left(&cert, now) {
        if days < 0 {
            out.push(Warning {
                text: t.s("服务器证书已过期：请用 hub fleet tls 重新签发").to_owned(),
                link: None,
            });
        } else if days < CERTIFICATE_WARNING_DAYS {
            out.push(Warning {
                text: t.f("服务器证书 {} 天后过期：请用 hub fleet tls 重新签发", &[&days]),
                link: None,
            });
        }
    }
    out
}

/// Days until the certificate in `path` expires (negative: expired), if
/// there is one.
fn certificate_days_left(path: &std::path::Path, now: i64) -> Option<i64> {
    let der = county_tls::load_certs(path).ok()?.into_iter().next()?;
    let (_, cert) = x509_parser::parse_x509_certificate(der.as_ref()).ok()?;
    let not_after = cert.validity().not_after.timestamp();
    Some((not_after - now / 1000).div_euclid(86_400))
}

pub async fn show(State(console): State<Arc<Console>>, staff: Staff) -> Result<Response, PageError> {
    let now = now_ms();
    let f = console.read(move |c| figures(c, now)).await?;
    let warnings = warnings(staff.tr, &f, &console, now);
    Ok(render(&HomePage { t: staff.tr, nav: Nav::of(&staff, "home"), f, warnings }))
}
