//! Training: every session with its seats and sign-ups, and a session's
//! roster, where the front desk marks who came, cancels a place (the first
//! waiting moves up, and their kiosk is told) and, when calling people,
//! shows the full numbers (the look is logged with who looked).

use super::{Nav, render};
use crate::console::auth::Staff;
use crate::console::errors::{PageError, see_other};
use crate::console::i18n::Tr;
use crate::console::state::Console;
use crate::reports::table::Report;
use crate::staff::roles::Permission;
use crate::store::now_ms;
use crate::training::roster::{self, RosterRow};
use crate::training::{seats, sessions};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A sign-up's status in the page's words (messages).
pub fn status_name(status: &str) -> &str {
    STATUS_NAMES.iter().find(|(n, _)| *n == status).map_or(status, |(_, m)| m)
}

pub const STATUS_NAMES: [(&str, &str); 5] = [
    ("confirmed", "已确认"),
    ("waitlisted", "候补"),
    ("cancelled", "已取消"),
    ("refused", "未受理"),
    ("attended", "已参加"),
];

#[derive(Template)]
#[template(path = "training.html")]
struct SessionsPage {
    t: Tr,
    nav: Option<Nav>,
    report: Report,
}

pub async fn sessions_page(State(console): State<Arc<Console>>, staff: Staff) -> Result<Response, PageError> {
    let report = console.read(roster::sessions).await?;
    Ok(render(&SessionsPage { t: staff.tr, nav: Nav::of(&staff, "training"), report }))
}

#[derive(Template)]
#[template(path = "training_roster.html")]
struct RosterPage {
    t: Tr,
    nav: Option<Nav>,
    csrf: String,
    session: String,
    /// The course's title and the session's time and place.
    heading: String,
    seats: u32,
    rows: Vec<RosterRow>,
    revealed: bool,
    can_work: bool,
    can_reveal: bool,
}

async fn roster_page(
    console: &Arc<Console>,
    staff: &Staff,
    session: String,
    revealed: bool,
) -> Result<Response, PageError> {
    let s = session.clone();
    let found = console
        .read(move |c| Ok(roster::roster_rows(c, &s, revealed)?.map(|rows| (rows, sessions::find(c, &s)))))
        .await?;
    let Some((rows, facts)) = found else { return Err(PageError::NotFound(staff.tr.lang)) };
    let facts = facts?;
    let (heading, seats) = match &facts {
        Some(f) => {
            let title = f.course.as_ref().map_or(f.session.course_id.as_str(), |c| c.title_zh.as_str());
            let when = protocol::county_time::minute_text(f.session.starts_at as i64);
            (format!("{title} · {when} · {}", f.session.place_zh), f.session.seats)
        }
        None => (session.clone(), 0),
    };
    Ok(render(&RosterPage {
        t: staff.tr,
        nav: Nav::of(staff, "training"),
        csrf: staff.session.csrf.clone(),
        session,
        heading,
        seats,
        rows,
        revealed,
        can_work: staff.may(Permission::WorkTickets),
        can_reveal: staff.may(Permission::RevealContact),
    }))
}

pub async fn roster(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(session): Path<String>,
) -> Result<Response, PageError> {
    roster_page(&console, &staff, session, false).await
}

/// The full numbers, for calling people; the look is logged.
pub async fn reveal(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(session): Path<String>,
) -> Result<Response, PageError> {
    staff.require(Permission::RevealContact).await?;
    let (actor, s, now) = (staff.name().to_owned(), session.clone(), now_ms());
    console.write(move |c| roster::log_reveal(c, &s, &actor, now)).await?;
    tracing::info!(account = staff.name(), session = session, "console: roster contacts revealed");
    roster_page(&console, &staff, session, true).await
}

/// A ticked box is named `present-<signup id>`.
const PRESENT: &str = "present-";

pub async fn attend(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(session): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    staff.require(Permission::WorkTickets).await?;
    let who: Vec<String> = form.keys().filter_map(|k| k.strip_prefix(PRESENT)).map(str::to_owned).collect();
    let (actor, s, now) = (staff.name().to_owned(), session.clone(), now_ms());
    console.write(move |c| seats::attend(c, &s, &who, &actor, now)).await?;
    tracing::info!(account = staff.name(), session = session, "console: attendance marked");
    Ok(see_other(&format!("/training/{session}")))
}

pub async fn cancel(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path((session, signup)): Path<(String, String)>,
) -> Result<Response, PageError> {
    staff.require(Permission::WorkTickets).await?;
    let (actor, now) = (staff.name().to_owned(), now_ms());
    let id = signup.clone();
    console.write(move |c| seats::cancel(c, &id, seats::Canceller::Staff(&actor), now)).await?;
    tracing::info!(account = staff.name(), signup = signup, "console: sign-up cancelled");
    Ok(see_other(&format!("/training/{session}")))
}
