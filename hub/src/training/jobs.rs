//! "I am interested" in a job opening: a service request naming the job,
//! so it is a ticket with the 48-hour rule like any call-back. This is the
//! centre's list of them, with the job and enterprise from the catalog.

use crate::catalog::publish::newest_items;
use crate::reports::table::Report;
use crate::store::StoreError;
use protocol::catalog::{CatalogItem, ItemKind, Job, Producer};
use protocol::county_time::minute_text;
use protocol::privacy::mask_phone;
use rusqlite::Connection;
use std::collections::BTreeMap;

/// Every job interest, newest first; phones masked.
pub fn interests(conn: &Connection) -> Result<Report, StoreError> {
    let (mut jobs, mut producers): (BTreeMap<String, Job>, BTreeMap<String, Producer>) = Default::default();
    for item in newest_items(conn, &[ItemKind::Job, ItemKind::Producer])? {
        match item {
            CatalogItem::Job(j) => {
                jobs.insert(j.id.clone(), j);
            }
            CatalogItem::Producer(p) => {
                producers.insert(p.id.clone(), p);
            }
            _ => {}
        }
    }
    let mut r = Report::new(&["ticket", "job", "enterprise", "village", "phone", "status", "submitted"]);
    let mut st = conn.prepare_cached(
        "SELECT t.ticket_no, s.job_id, s.village, s.phone, t.status, s.submitted_at
         FROM service_requests s JOIN tickets t ON t.request_id = s.request_id
         WHERE s.job_id IS NOT NULL ORDER BY s.submitted_at DESC, t.ticket_no",
    )?;
    let rows = st.query_map([], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, String>(4)?,
            row.get::<_, i64>(5)?,
        ))
    })?;
    for row in rows {
        let (ticket, job_id, village, phone, status, at) = row?;
        let job = jobs.get(&job_id);
        let enterprise = job.and_then(|j| producers.get(&j.producer_id)).map(|p| p.name_zh.clone());
        let ticket = protocol::TicketNo::parse(&ticket).map(|t| t.grouped()).unwrap_or(ticket);
        r.push(vec![
            ticket.into(),
            job.map(|j| j.title_zh.clone()).unwrap_or(job_id).into(),
            enterprise.unwrap_or_default().into(),
            village.into(),
            mask_phone(&phone).into(),
            status.into(),
            minute_text(at).into(),
        ]);
    }
    Ok(r)
}
