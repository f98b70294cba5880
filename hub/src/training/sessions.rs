//! Sessions and courses as the newest catalog version has them: sign-ups
//! are decided against the newest word of the centre, whichever version a
//! kiosk still shows.

use crate::store::StoreError;
use protocol::catalog::{CatalogItem, Course, TrainingSession};
use rusqlite::{Connection, OptionalExtension};
use std::collections::BTreeMap;

/// A session and its course.
#[derive(Clone, Debug)]
pub struct SessionFacts {
    pub session: TrainingSession,
    pub course: Option<Course>,
}

fn item(body: &str) -> Result<CatalogItem, StoreError> {
    serde_json::from_str(body).map_err(|e| StoreError::Corrupt(format!("catalog item: {e}")))
}

fn in_newest_version(conn: &Connection, kind: &str) -> Result<Vec<CatalogItem>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT body FROM catalog_items WHERE kind = ?1 AND version = (SELECT max(version) FROM catalog_versions)",
    )?;
    let bodies = st.query_map([kind], |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    bodies.iter().map(|b| item(b)).collect()
}

/// One session of the newest version, with its course; `None` when the
/// newest version does not offer it.
pub fn find(conn: &Connection, session_id: &str) -> Result<Option<SessionFacts>, StoreError> {
    let body: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM catalog_items WHERE kind = 'session' AND id = ?1
               AND version = (SELECT max(version) FROM catalog_versions)",
        )?
        .query_row([session_id], |r| r.get(0))
        .optional()?;
    let Some(CatalogItem::Session(session)) = body.as_deref().map(item).transpose()? else { return Ok(None) };
    let course: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM catalog_items WHERE kind = 'course' AND id = ?1
               AND version = (SELECT max(version) FROM catalog_versions)",
        )?
        .query_row([&session.course_id], |r| r.get(0))
        .optional()?;
    let course = match course.as_deref().map(item).transpose()? {
        Some(CatalogItem::Course(c)) => Some(c),
        _ => None,
    };
    Ok(Some(SessionFacts { session, course }))
}

/// Every session of the newest version, by start time.
pub fn all(conn: &Connection) -> Result<Vec<SessionFacts>, StoreError> {
    let courses: BTreeMap<String, Course> = in_newest_version(conn, "course")?
        .into_iter()
        .filter_map(|i| match i {
            CatalogItem::Course(c) => Some((c.id.clone(), c)),
            _ => None,
        })
        .collect();
    let mut out: Vec<SessionFacts> = in_newest_version(conn, "session")?
        .into_iter()
        .filter_map(|i| match i {
            CatalogItem::Session(s) => {
                Some(SessionFacts { course: courses.get(&s.course_id).cloned(), session: s })
            }
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| (a.session.starts_at, &a.session.id).cmp(&(b.session.starts_at, &b.session.id)));
    Ok(out)
}
