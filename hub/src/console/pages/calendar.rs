//! The working-day calendar: the years the hub knows, and adding next
//! year's from the State Council's notice — typed into a form, previewed
//! with the complaint deadlines it sets or moves, then saved as the year
//! file the hub reads (`tickets::calendar_entry`).

use super::{Nav, render};
use crate::console::auth::Staff;
use crate::console::errors::{PageError, see_other};
use crate::console::i18n::Tr;
use crate::console::state::Console;
use crate::staff::accounts;
use crate::staff::roles::Permission;
use crate::store::now_ms;
use crate::tickets::calendar::{Calendar, YearSummary};
use crate::tickets::calendar_entry::{self, DeadlineChange, YearEntry};
use crate::tickets::deadlines;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use protocol::county_time;
use serde::Deserialize;
use std::sync::Arc;

/// What a year's holidays mean for a complaint made just before each.
pub struct Example {
    pub holiday: String,
    pub submitted: String,
    pub due: String,
}

/// A checked entry, before it is saved.
pub struct Preview {
    pub summary: YearSummary,
    pub changes: Vec<DeadlineChange>,
    pub examples: Vec<Example>,
    /// The year was already known: saving replaces it.
    pub replaces: bool,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    t: Tr,
    nav: Option<Nav>,
    csrf: String,
    can_edit: bool,
    years: Vec<YearSummary>,
    /// Next year, when the calendar lacks it.
    missing: Option<i32>,
    form: YearForm,
    preview: Option<Preview>,
    problem: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
pub struct YearForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub holidays: String,
    #[serde(default)]
    pub workdays: String,
}

impl YearForm {
    fn entry(&self, t: Tr) -> Result<YearEntry, String> {
        let year = self.year.trim().parse().map_err(|_| t.s("年份要写成四位数字，例如 2027。").to_owned())?;
        Ok(YearEntry {
            year,
            source: self.source.clone(),
            holidays: self.holidays.clone(),
            workdays: self.workdays.clone(),
        })
    }
}

fn load(console: &Console) -> Result<Calendar, String> {
    Calendar::load(Some(&console.data.calendar())).map_err(|e| e.to_string())
}

fn day(d: time::Date) -> String {
    county_time::iso_date(d)
}

/// A run of holidays as the page writes it.
pub fn span(first: &time::Date, last: &time::Date) -> String {
    if first == last { day(*first) } else { format!("{} – {}", day(*first), day(*last)) }
}

async fn page(
    console: &Arc<Console>,
    staff: &Staff,
    form: YearForm,
    preview: Option<Preview>,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let t = staff.tr;
    let (years, missing, problem) = match load(console) {
        Ok(cal) => {
            let next = county_time::today().year() + 1;
            let years = cal.years().into_iter().filter_map(|y| cal.summary(y)).collect();
            (years, (!cal.covers(next)).then_some(next), problem)
        }
        Err(e) => (Vec::new(), None, Some(e)),
    };
    let mut form = form;
    if form.year.is_empty() {
        form.year = missing.unwrap_or(county_time::today().year() + 1).to_string();
    }
    let status = if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = CalendarPage {
        t,
        nav: Nav::of(staff, "calendar"),
        csrf: staff.session.csrf.clone(),
        can_edit: staff.may(Permission::EditCalendar),
        years,
        missing,
        form,
        preview,
        problem,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show(State(console): State<Arc<Console>>, staff: Staff) -> Result<Response, PageError> {
    page(&console, &staff, YearForm::default(), None, None).await
}

/// Check the entry against the calendar and the tickets in the store.
async fn checked(
    console: &Arc<Console>,
    staff: &Staff,
    form: &YearForm,
) -> Result<Result<(YearEntry, Preview), String>, PageError> {
    let t = staff.tr;
    let entry = match form.entry(t) {
        Ok(e) => e,
        Err(why) => return Ok(Err(why)),
    };
    let base = match load(console) {
        Ok(c) => c,
        Err(why) => return Ok(Err(why)),
    };
    let calendar = match entry.check(&base) {
        Ok(c) => c,
        Err(e) => return Ok(Err(e.to_string())),
    };
    let cal = calendar.clone();
    let changes = console.read(move |c| calendar_entry::deadline_changes(c, &cal)).await?;
    let summary = calendar.summary(entry.year).expect("the year just added");
    let examples = summary
        .holidays
        .iter()
        .filter_map(|(first, last)| {
            let before = first.previous_day()?;
            let due = calendar.add_working_days(before, deadlines::COMPLAINT_WORKING_DAYS).ok()?;
            Some(Example { holiday: span(first, last), submitted: day(before), due: day(due) })
        })
        .collect();
    let preview = Preview { summary, changes, examples, replaces: base.covers(entry.year) };
    Ok(Ok((entry, preview)))
}

pub async fn preview(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Form(form): Form<YearForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::EditCalendar).await?;
    match checked(&console, &staff, &form).await? {
        Ok((_, preview)) => page(&console, &staff, form, Some(preview), None).await,
        Err(why) => page(&console, &staff, form, None, Some(why)).await,
    }
}

/// Check again, save the year file, and give the complaints their new
/// deadlines at once (the serving hub reloads the file within a minute).
pub async fn save(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Form(form): Form<YearForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::EditCalendar).await?;
    let (entry, preview) = match checked(&console, &staff, &form).await? {
        Ok(ok) => ok,
        Err(why) => return page(&console, &staff, form, None, Some(why)).await,
    };
    let dir = console.data.calendar();
    let e = entry.clone();
    let saved = tokio::task::spawn_blocking(move || calendar_entry::save(&dir, &e))
        .await
        .map_err(|_| PageError::Store(crate::store::StoreError::WriterGone))?;
    if let Err(e) = saved {
        let why = staff.tr.f1("日历没有保存：{}", e);
        return page(&console, &staff, form, None, Some(why)).await;
    }
    // Deadlines are computed again inside the write: a complaint that
    // arrived after the preview gets its deadline too.
    let calendar = load(&console).map_err(|why| PageError::BadRequest(staff.tr.lang, why))?;
    let (name, year) = (staff.name().to_owned(), entry.year);
    let (runs, makeup) = (preview.summary.holidays.len(), preview.summary.workdays.len());
    console
        .write(move |c| {
            let changes = calendar_entry::deadline_changes(c, &calendar)?;
            calendar_entry::apply(c, &changes)?;
            let detail = format!(
                "{year}: {runs} holiday runs, {makeup} make-up days, {} deadlines set or moved",
                changes.len()
            );
            accounts::log(c, &name, "calendar year", &detail, now_ms())
        })
        .await?;
    tracing::info!(account = staff.name(), year = entry.year, "console: calendar year saved");
    Ok(see_other("/calendar"))
}
