//! Ticket updates for kiosks (`svc/ack`): every revision a kiosk has not
//! confirmed with `svc/seen` is pending, and is sent on change and again
//! after the kiosk's next birth.

use crate::store::StoreError;
use protocol::TicketStatus;
use protocol::messages::{ServiceAck, ServiceSeen};
use rusqlite::{Connection, params};

/// Every pending update, with the kiosk it is for.
pub fn pending(conn: &Connection) -> Result<Vec<(String, ServiceAck)>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT kid, request_id, ticket_no, rev, status, first_responder, handler, reply, response_due,
                resolution_due, updated_at
         FROM tickets WHERE seen_rev < rev",
    )?;
    let rows = st.query_map([], |r| {
        let status: String = r.get(4)?;
        Ok((
            r.get::<_, String>(0)?,
            ServiceAck {
                request_id: r.get(1)?,
                ticket_no: r.get(2)?,
                rev: r.get(3)?,
                status: TicketStatus::from_name(&status).unwrap_or(TicketStatus::Submitted),
                responsible: r.get(5)?,
                handler: r.get(6)?,
                reply: r.get(7)?,
                response_due: r.get::<_, i64>(8)?.max(0) as u64,
                resolution_due: r.get::<_, Option<i64>>(9)?.map(|v| v.max(0) as u64),
                ts: r.get::<_, i64>(10)?.max(0) as u64,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The kiosk stored revision `rev`: stop sending it (and anything older).
/// Only the kiosk that took the request can confirm it. Returns whether
/// anything changed.
pub fn seen(conn: &Connection, kid: &str, s: &ServiceSeen) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE tickets SET seen_rev = min(?3, rev) WHERE request_id = ?1 AND kid = ?2 AND seen_rev < min(?3, rev)",
        params![s.request_id, kid, s.rev.min(i64::MAX as u64) as i64],
    )?;
    Ok(n > 0)
}
