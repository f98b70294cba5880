//! The ticket queue and a ticket's page. The queue puts what is due first
//! at the top, overdue in red and complaints marked, and refreshes its rows
//! every few seconds while open (a new request appears without reloading;
//! without JavaScript, a reload does the same). Every action is the same
//! state machine the CLI uses, with the logged-in person as the actor: the
//! name in a ticket's history is never typed.

use super::{Nav, render};
use crate::console::auth::Staff;
use crate::console::errors::{PageError, see_other};
use crate::console::i18n::Tr;
use crate::console::state::Console;
use crate::staff::roles::Permission;
use crate::store::{StoreError, now_ms};
use crate::tickets::deadlines::DueState;
use crate::tickets::machine::Action;
use crate::tickets::records::{self, LogEntry, QueueFilter, TicketError, TicketView};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use protocol::TicketStatus;
use serde::Deserialize;
use std::sync::Arc;

/// Tickets on one page of the queue.
const QUEUE_ROWS: usize = 200;

/// The queue's filters, as the form sends them (empty means any).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub service: String,
    #[serde(default)]
    pub kiosk: String,
    #[serde(default)]
    pub village: String,
    #[serde(default)]
    pub phone: String,
}

impl Filters {
    fn to_filter(&self) -> QueueFilter {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        QueueFilter {
            status: TicketStatus::from_name(self.status.trim()),
            service: some(&self.service),
            kiosk: some(&self.kiosk),
            village: some(&self.village),
            phone_tail: some(&self.phone).filter(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit())),
        }
    }

    /// The same filters as a query string (for the live rows).
    pub fn query(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("status", &self.status)
            .append_pair("service", &self.service)
            .append_pair("kiosk", &self.kiosk)
            .append_pair("village", &self.village)
            .append_pair("phone", &self.phone)
            .finish()
    }
}

/// A ticket's status in the page's words.
pub fn status_name(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::Submitted => "已提交",
        TicketStatus::Accepted => "已受理",
        TicketStatus::InProgress => "办理中",
        TicketStatus::WaitingUser => "待补充",
        TicketStatus::Resolved => "已办结",
        TicketStatus::Closed => "已关闭",
        TicketStatus::Referred => "已转其他部门",
    }
}

/// A step of a ticket's history in the page's words (its stored name when unknown).
pub fn action_name(a: &str) -> &str {
    ACTION_NAMES.iter().find(|(n, _)| *n == a).map_or(a, |(_, m)| m)
}

pub const ACTION_NAMES: [(&str, &str); 9] = [
    ("submit", "提交"),
    ("accept", "受理"),
    ("transfer", "转办"),
    ("reply", "答复"),
    ("resolve", "办结"),
    ("close", "回访关闭"),
    ("reopen", "重新办理"),
    ("refer", "转其他部门"),
    ("reveal_contact", "查看完整号码"),
];

/// A status as stored (`accepted`) in the page's words.
pub fn status_text(name: &str) -> &str {
    match TicketStatus::from_name(name) {
        Some(s) => status_name(s),
        None => name,
    }
}

/// A deadline's state in the page's words.
pub fn due_name(d: DueState) -> &'static str {
    match d {
        DueState::Met => "按时",
        DueState::Late => "逾期完成",
        DueState::Overdue => "已超期",
        DueState::Pending => "期限内",
        DueState::NotApplicable => "—",
        DueState::NoCalendar => "缺少工作日历",
    }
}

/// The deadline that matters next for a ticket, if any.
pub fn next_due(v: &TicketView) -> Option<i64> {
    if v.responded_at.is_none() {
        Some(v.response_due)
    } else if v.is_complaint && v.resolved_at.is_none() {
        v.resolution_due
    } else {
        None
    }
}

/// A ticket as a row of the queue.
pub struct Row {
    pub v: TicketView,
    /// Its status, a message of the page.
    pub status: &'static str,
    pub due: Option<i64>,
}

impl Row {
    fn of(v: TicketView) -> Row {
        Row { status: status_name(v.status), due: next_due(&v), v }
    }
}

#[derive(Template)]
#[template(path = "tickets.html")]
struct QueuePage {
    t: Tr,
    nav: Option<Nav>,
    f: Filters,
    rows: Vec<Row>,
    statuses: Vec<(&'static str, &'static str)>,
    live: String,
}

#[derive(Template)]
#[template(path = "ticket_rows.html")]
struct QueueRows {
    t: Tr,
    rows: Vec<Row>,
}

async fn rows(console: &Arc<Console>, f: &Filters) -> Result<Vec<Row>, StoreError> {
    let filter = f.to_filter();
    let now = now_ms();
    let found = console.read(move |c| records::queue(c, &filter, now, QUEUE_ROWS)).await?;
    Ok(found.into_iter().map(Row::of).collect())
}

pub async fn queue(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Query(f): Query<Filters>,
) -> Result<Response, PageError> {
    let rows = rows(&console, &f).await?;
    let statuses = TicketStatus::ALL.iter().map(|s| (s.name(), status_name(*s))).collect();
    let live = format!("/tickets/rows?{}", f.query());
    Ok(render(&QueuePage { t: staff.tr, nav: Nav::of(&staff, "tickets"), f, rows, statuses, live }))
}

/// The queue's rows alone, for the page to refresh itself.
pub async fn live_rows(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Query(f): Query<Filters>,
) -> Result<Response, PageError> {
    let rows = rows(&console, &f).await?;
    Ok(render(&QueueRows { t: staff.tr, rows }))
}

#[derive(Template)]
#[template(path = "ticket.html")]
struct TicketPage {
    t: Tr,
    nav: Option<Nav>,
    v: TicketView,
    status: &'static str,
    response: &'static str,
    response_overdue: bool,
    resolution: &'static str,
    resolution_overdue: bool,
    history: Vec<LogEntry>,
    /// The full contact, after the (logged) reveal.
    contact: Option<(Option<String>, String)>,
    csrf: String,
    can_work: bool,
    can_reveal: bool,
    problem: Option<String>,
}

async fn ticket_page(
    console: &Arc<Console>,
    staff: &Staff,
    no: String,
    contact: Option<(Option<String>, String)>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let now = now_ms();
    let found = console
        .read(move |c| {
            Ok(match records::get(c, &no, now)? {
                Some(v) => {
                    let history = records::history(c, &v.ticket_no)?;
                    Some((v, history))
                }
                None => None,
            })
        })
        .await?;
    let Some((v, history)) = found else { return Err(PageError::NotFound(staff.tr.lang)) };
    Ok(render(&TicketPage {
        t: staff.tr,
        nav: Nav::of(staff, "tickets"),
        status: status_name(v.status),
        response: due_name(v.response),
        response_overdue: v.response == DueState::Overdue,
        resolution: due_name(v.resolution),
        resolution_overdue: v.resolution == DueState::Overdue,
        v,
        history,
        contact,
        csrf: staff.session.csrf.clone(),
        can_work: staff.may(Permission::WorkTickets),
        can_reveal: staff.may(Permission::RevealContact),
        problem,
    }))
}

pub async fn show(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(no): Path<String>,
) -> Result<Response, PageError> {
    ticket_page(&console, &staff, no, None, None).await
}

/// The fields of every ticket action's form (each uses its own).
#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    wait: Option<String>,
}

pub async fn act(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path((no, action)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::WorkTickets).await?;
    let text = form.text.trim().to_owned();
    let action = match action.as_str() {
        "accept" => Action::Accept,
        "transfer" => Action::Transfer { to: form.to.trim().to_owned() },
        "reply" => Action::Reply { text, wait: form.wait.is_some() },
        "resolve" => Action::Resolve { result: text },
        "close" => Action::Close { note: text },
        "reopen" => Action::Reopen { reason: text },
        "refer" => Action::Refer { reason: text },
        _ => return Err(PageError::NotFound(staff.tr.lang)),
    };
    let (actor, n, now) = (staff.name().to_owned(), no.clone(), now_ms());
    let done = console.write(move |c| Ok(records::act(c, &n, &actor, &action, now))).await?;
    match done {
        Ok(_) => {
            tracing::info!(account = staff.name(), ticket = no, "console: ticket action");
            Ok(see_other(&format!("/tickets/{no}")))
        }
        Err(TicketError::NotFound(_)) => Err(PageError::NotFound(staff.tr.lang)),
        Err(TicketError::Transition { source, .. }) => {
            let why = staff.tr.f("不能这样处理：{}", &[&source]);
            ticket_page(&console, &staff, no, None, Some(why)).await
        }
        Err(TicketError::Store(e)) => Err(PageError::Store(e)),
    }
}

/// The requester's full contact, for the call-back; the look goes into the
/// ticket's history with who looked.
pub async fn reveal(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(no): Path<String>,
) -> Result<Response, PageError> {
    staff.require(Permission::RevealContact).await?;
    let (actor, n, now) = (staff.name().to_owned(), no.clone(), now_ms());
    match console.write(move |c| Ok(records::reveal_contact(c, &n, &actor, now))).await? {
        Ok(contact) => {
            tracing::info!(account = staff.name(), ticket = no, "console: contact revealed");
            ticket_page(&console, &staff, no, Some(contact), None).await
        }
        Err(TicketError::Store(e)) => Err(PageError::Store(e)),
        Err(_) => Err(PageError::NotFound(staff.tr.lang)),
    }
}
