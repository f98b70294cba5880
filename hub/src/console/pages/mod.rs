//! The console's pages, one module per area; each handler reads or writes
//! through the same library functions as the `hub` command line.

pub mod calendar;
pub mod catalog;
pub mod fleet;
pub mod home;
pub mod login;
pub mod reports;
pub mod tickets;
pub mod training;

use super::auth::Staff;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The header's navigation for a logged-in member of staff.
pub struct Nav {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    /// Which tab is lit.
    pub active: &'static str,
}

impl Nav {
    pub fn of(staff: &Staff, active: &'static str) -> Option<Nav> {
        Some(Nav {
            name: staff.name().to_owned(),
            role: role_name(staff.session.account.role),
            csrf: staff.session.csrf.clone(),
            active,
        })
    }
}

/// A role as the header shows it (a message: translated in the page).
pub fn role_name(r: crate::staff::roles::Role) -> &'static str {
    use crate::staff::roles::Role;
    match r {
        Role::Admin => "管理员",
        Role::Catalog => "目录编辑",
        Role::Tickets => "工单处理",
        Role::Data => "数据中心",
        Role::Viewer => "只读",
    }
}

/// A catalog download's state (as `sync_jobs` stores it) in the page's words.
pub fn sync_name(state: &str) -> &str {
    SYNC_NAMES.iter().find(|(n, _)| *n == state).map_or(state, |(_, m)| m)
}

pub const SYNC_NAMES: [(&str, &str); 5] = [
    ("queued", "排队中"),
    ("downloading", "下载中"),
    ("applied", "已应用"),
    ("failed", "失败"),
    ("timed_out", "超时"),
];

/// A software release job's state as staff read it.
pub fn release_job_name(state: &str) -> &str {
    RELEASE_JOB_NAMES.iter().find(|(n, _)| *n == state).map_or(state, |(_, m)| m)
}

pub const RELEASE_JOB_NAMES: [(&str, &str); 7] = [
    ("queued", "排队中"),
    ("downloading", "下载中"),
    ("verifying", "校验中"),
    ("installed", "已安装，待空闲时启动"),
    ("running", "运行中"),
    ("rolled_back", "已自动退回"),
    ("failed", "失败"),
];

/// A rendered page, or a logged error page if the template fails.
pub fn render(page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "console: a page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "page not rendered").into_response()
        }
    }
}
