//! What the plan counts of training and the other content: sign-ups and
//! attendance (people trained, the dedicated groups among them) by course,
//! kind, group and town; job interests by enterprise; which stories,
//! courses, sessions, jobs and news people open, and for how long.
//! Sign-ups count in the period they were taken; attendance as it stands.

use super::{Cell, Period, Report, sums};
use crate::catalog::publish::newest_items;
use crate::store::StoreError;
use protocol::catalog::{CatalogItem, Course, ItemKind, TrainingSession};
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// How sign-ups are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignupKey {
    Course,
    Kind,
    /// The course's audience: everyone, or a dedicated group.
    Audience,
    /// The town the villager said they come from.
    Town,
}

#[derive(Default)]
struct Counts {
    signups: i64,
    confirmed: i64,
    waitlisted: i64,
    attended: i64,
    cancelled: i64,
    refused: i64,
}

pub fn signups_by(conn: &Connection, p: Period, key: SignupKey) -> Result<Report, StoreError> {
    let (mut sessions, mut courses) = (BTreeMap::new(), BTreeMap::new());
    for item in newest_items(conn, &[ItemKind::Session, ItemKind::Course])? {
        match item {
            CatalogItem::Session(s) => {
                sessions.insert(s.id.clone(), s);
            }
            CatalogItem::Course(c) => {
                courses.insert(c.id.clone(), c);
            }
            _ => {}
        }
    }
    let course_of = |session: &str| -> Option<&Course> {
        let s: &TrainingSession = sessions.get(session)?;
        courses.get(&s.course_id)
    };
    let (from, to) = p.span();
    let mut st = conn.prepare_cached(
        "SELECT session_id, town, status, count(*) FROM signups WHERE taken_at >= ?1 AND taken_at < ?2 GROUP BY 1, 2, 3",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
    })?;
    // key → (label columns, counts)
    let mut per: BTreeMap<String, (Vec<String>, Counts)> = BTreeMap::new();
    for row in rows {
        let (session, town, status, n) = row?;
        let course = course_of(&session);
        let (k, labels) = match key {
            SignupKey::Course => {
                let id = course.map_or_else(|| format!("(session {session})"), |c| c.id.clone());
                let labels = match course {
                    Some(c) => vec![c.title_zh.clone(), c.kind.as_str().into(), c.audience.as_str().into()],
                    None => vec!["(not in catalog)".into(), String::new(), String::new()],
                };
                (id, labels)
            }
            SignupKey::Kind => (course.map_or("(unknown)", |c| c.kind.as_str()).to_owned(), vec![]),
            SignupKey::Audience => {
                let a = course.map(|c| c.audience);
                let dedicated = a.is_some_and(|a| a.is_dedicated());
                (
                    a.map_or("(unknown)", |a| a.as_str()).to_owned(),
                    vec![if dedicated { "yes" } else { "no" }.into()],
                )
            }
            SignupKey::Town => (town, vec![]),
        };
        let e = per.entry(k).or_insert_with(|| (labels, Counts::default()));
        let c = &mut e.1;
        c.signups += n;
        match status.as_str() {
            "confirmed" => c.confirmed += n,
            "waitlisted" => c.waitlisted += n,
            "attended" => c.attended += n,
            "cancelled" => c.cancelled += n,
            _ => c.refused += n,
        }
    }
    let mut columns: Vec<&'static str> = match key {
        SignupKey::Course => vec!["course", "name", "kind", "audience"],
        SignupKey::Kind => vec!["kind"],
        SignupKey::Audience => vec!["audience", "dedicated"],
        SignupKey::Town => vec!["town"],
    };
    columns.extend(["signups", "confirmed", "waitlisted", "attended", "cancelled", "refused"]);
    let mut r = Report::new(&columns);
    for (k, (labels, c)) in per {
        let mut row: Vec<Cell> = vec![k.into()];
        row.extend(labels.into_iter().map(Cell::from));
        row.extend([c.signups, c.confirmed, c.waitlisted, c.attended, c.cancelled, c.refused].map(Cell::Int));
        r.push(row);
    }
    Ok(r)
}

/// Job interests (call-back requests naming a job) per enterprise.
pub fn job_interests(conn: &Connection, p: Period) -> Result<Report, StoreError> {
    let mut jobs = BTreeMap::new();
    let mut names = BTreeMap::new();
    for item in newest_items(conn, &[ItemKind::Job, ItemKind::Producer])? {
        match item {
            CatalogItem::Job(j) => {
                jobs.insert(j.id.clone(), j.producer_id.clone());
            }
            CatalogItem::Producer(pr) => {
                names.insert(pr.id.clone(), pr.name_zh.clone());
            }
            _ => {}
        }
    }
    let (from, to) = p.span();
    let mut st = conn.prepare_cached(
        "SELECT s.job_id, t.status, count(*) FROM service_requests s JOIN tickets t ON t.request_id = s.request_id
         WHERE s.job_id IS NOT NULL AND s.submitted_at >= ?1 AND s.submitted_at < ?2 GROUP BY 1, 2",
    )?;
    let rows = st.query_map(params![from, to], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })?;
    let mut per: BTreeMap<String, (i64, i64, BTreeMap<String, ()>)> = BTreeMap::new();
    for row in rows {
        let (job, status, n) = row?;
        let enterprise = jobs.get(&job).cloned().unwrap_or_else(|| "(not in catalog)".into());
        let e = per.entry(enterprise).or_default();
        e.0 += n;
        let open = protocol::TicketStatus::from_name(&status).is_some_and(|s| s.is_open());
        e.1 += if open { n } else { 0 };
        e.2.insert(job, ());
    }
    let mut r = Report::new(&["enterprise", "name", "jobs", "interests", "open"]);
    for (id, (n, open, jobs)) in per {
        let name = names.get(&id).cloned().unwrap_or_default();
        r.push(vec![id.into(), name.into(), Cell::Int(jobs.len() as i64), n.into(), open.into()]);
    }
    Ok(r)
}

/// Stories, courses, sessions, jobs and news opened, and for how long.
pub fn content(conn: &Connection, p: Period) -> Result<Report, StoreError> {
    let mut titles: BTreeMap<(String, String), String> = BTreeMap::new();
    for item in newest_items(
        conn,
        &[ItemKind::Story, ItemKind::Course, ItemKind::Session, ItemKind::Job, ItemKind::News],
    )? {
        let key = item.key();
        let title = match &item {
            CatalogItem::Story(s) => s.title_zh.clone(),
            CatalogItem::Course(c) => c.title_zh.clone(),
            CatalogItem::Session(s) => s.place_zh.clone(),
            CatalogItem::Job(j) => j.title_zh.clone(),
            CatalogItem::News(n) => n.title_zh.clone(),
            _ => continue,
        };
        titles.insert((key.kind.as_str().to_owned(), key.id), title);
    }
    let views = sums(
        conn,
        "SELECT item || '/' || id, sum(views), sum(dwell_ms) FROM agg_content_day WHERE day BETWEEN ?1 AND ?2 GROUP BY 1",
        p,
    )?;
    let mut r = Report::new(&["item", "id", "name", "views", "avg_dwell_s"]);
    let mut rows: Vec<(String, String, i64, i64)> = views
        .into_iter()
        .map(|(k, v)| {
            let (item, id) =
                k.split_once('/').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap_or((k, String::new()));
            (item, id, v[0], v[1])
        })
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1))));
    for (item, id, n, dwell) in rows {
        let name = titles.get(&(item.clone(), id.clone())).cloned().unwrap_or_default();
        let avg = if n > 0 { dwell as f64 / n as f64 / 1000.0 } else { 0.0 };
        r.push(vec![item.into(), id.into(), name.into(), n.into(), Cell::Fixed(avg, 1)]);
    }
    Ok(r)
}

/// The big screen's training figures at `now`.
pub fn screen_figures(conn: &Connection, now: i64) -> Result<protocol::screen::Training, StoreError> {
    use protocol::county_time;
    let today = county_time::date_of(now);
    let year_start =
        county_time::start_of_day(time::Date::from_ordinal_date(today.year(), 1).expect("1 January"));
    let month_start = county_time::start_of_day(today.replace_day(1).expect("the 1st"));
    let mut dedicated_sessions = std::collections::BTreeSet::new();
    let mut courses = BTreeMap::new();
    let mut sessions = Vec::new();
    for item in newest_items(conn, &[ItemKind::Session, ItemKind::Course])? {
        match item {
            CatalogItem::Course(c) => {
                courses.insert(c.id.clone(), c);
            }
            CatalogItem::Session(s) => sessions.push(s),
            _ => {}
        }
    }
    for s in &sessions {
        if courses.get(&s.course_id).is_some_and(|c| c.audience.is_dedicated()) {
            dedicated_sessions.insert(s.id.clone());
        }
    }
    let mut trained = 0;
    let mut dedicated = 0;
    let mut st = conn.prepare_cached(
        "SELECT session_id, count(*) FROM signups WHERE status = 'attended' AND updated_at >= ?1 GROUP BY 1",
    )?;
    for row in st.query_map([year_start], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))? {
        let (session, n) = row?;
        trained += n;
        if dedicated_sessions.contains(&session) {
            dedicated += n;
        }
    }
    let signups_month: u64 = conn.query_row(
        "SELECT count(*) FROM signups WHERE taken_at >= ?1 AND status IN ('confirmed', 'waitlisted', 'attended')",
        [month_start],
        |r| r.get(0),
    )?;
    let mut seated = conn.prepare_cached(
        "SELECT count(*) FROM signups WHERE session_id = ?1 AND status IN ('confirmed', 'attended')",
    )?;
    let mut open = 0;
    for s in sessions
        .iter()
        .filter(|s| s.signup == protocol::catalog::SignupWay::Kiosk && s.signup_closes_at as i64 > now)
    {
        let taken: u32 = seated.query_row([&s.id], |r| r.get(0))?;
        open += u64::from(taken < s.seats);
    }
    Ok(protocol::screen::Training {
        trained_year: trained,
        trained_dedicated_year: dedicated,
        signups_month,
        sessions_open: open,
    })
}
