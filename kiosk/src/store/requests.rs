//! Service requests taken at this kiosk: submitted through the outbox (so an
//! offline station still takes them) with a ticket number made here, and
//! kept for "my requests" with the status updates the hub sends.

use super::StoreError;
use super::outbox::Outbox;
use protocol::messages::{EventKind, ServiceAck, ServiceRequest};
use protocol::privacy::{check_phone, mask_phone, phone_tail};
use protocol::{TicketNo, TicketStatus};
use rusqlite::{Row, params};
use serde::Serialize;

/// What the villager filled in on the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestForm {
    pub service_id: String,
    pub village: String,
    pub phone: String,
    pub name: Option<String>,
    pub note: Option<String>,
    pub is_complaint: bool,
    /// "I am interested" in this job opening: a call-back about it.
    pub job_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    #[error("{0}")]
    Phone(String),
    #[error("choose a service")]
    NoService,
    #[error("choose a village")]
    NoVillage,
    #[error("the note is {0} characters; at most 500")]
    NoteTooLong(usize),
}

/// A request as "my requests" shows it: never the full phone number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MyRequest {
    pub request_id: String,
    pub ticket_no: String,
    pub submitted_at: u64,
    pub service_id: String,
    pub village: String,
    pub phone_masked: String,
    pub is_complaint: bool,
    pub status: TicketStatus,
    /// 0 until the hub's first update arrives.
    pub rev: u64,
    pub responsible: Option<String>,
    pub handler: Option<String>,
    pub reply: Option<String>,
    pub response_due: Option<u64>,
    pub resolution_due: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Form(#[from] FormError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl MyRequest {
    /// A request just taken, before the hub has said anything of it.
    pub fn submitted(request_id: String, ticket_no: String, t: u64, form: &RequestForm) -> MyRequest {
        MyRequest {
            request_id,
            ticket_no,
            submitted_at: t,
            service_id: form.service_id.clone(),
            village: form.village.clone(),
            phone_masked: mask_phone(&form.phone),
            is_complaint: form.is_complaint,
            status: TicketStatus::Submitted,
            rev: 0,
            responsible: None,
            handler: None,
            reply: None,
            response_due: None,
            resolution_due: None,
        }
    }
}

impl RequestForm {
    pub fn check(&self) -> Result<(), FormError> {
        if self.service_id.trim().is_empty() {
            return Err(FormError::NoService);
        }
        if self.village.trim().is_empty() {
            return Err(FormError::NoVillage);
        }
        check_phone(&self.phone).map_err(FormError::Phone)?;
        if let Some(n) = &self.note
            && n.chars().count() > 500
        {
            return Err(FormError::NoteTooLong(n.chars().count()));
        }
        Ok(())
    }
}

fn row(r: &Row) -> rusqlite::Result<MyRequest> {
    let status: String = r.get(8)?;
    Ok(MyRequest {
        request_id: r.get(0)?,
        ticket_no: r.get(1)?,
        submitted_at: r.get::<_, i64>(2)?.max(0) as u64,
        service_id: r.get(3)?,
        village: r.get(4)?,
        phone_masked: r.get(5)?,
        is_complaint: r.get(7)?,
        status: TicketStatus::from_name(&status).unwrap_or(TicketStatus::Submitted),
        rev: r.get::<_, i64>(9)?.max(0) as u64,
        responsible: r.get(10)?,
        handler: r.get(11)?,
        reply: r.get(12)?,
        response_due: r.get::<_, Option<i64>>(13)?.map(|v| v.max(0) as u64),
        resolution_due: r.get::<_, Option<i64>>(14)?.map(|v| v.max(0) as u64),
    })
}

const COLUMNS: &str = "request_id, ticket_no, submitted_at, service_id, village, phone_masked, phone_tail,
     is_complaint, status, rev, responsible, handler, reply, response_due, resolution_due";

/// How a villager finds their requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// The ticket number, typed with or without spaces.
    Ticket(String),
    /// The last four digits of the phone number.
    PhoneTail(String),
    All,
}

/// The next number of this station's county day, shared by tickets and
/// training sign-ups (one count, so a receipt's number finds one thing).
/// Past 999 in a day the hub assigns the number (see protocol::ticket).
pub(super) fn next_number(
    tx: &rusqlite::Transaction,
    station_no: u16,
    yymmdd: &str,
) -> Result<String, StoreError> {
    let n: i64 = tx
        .prepare_cached(
            "INSERT INTO ticket_counts(day, n) VALUES (?1, 1) ON CONFLICT(day) DO UPDATE SET n = n + 1
             RETURNING n",
        )?
        .query_row([yymmdd], |r| r.get(0))?;
    Ok(TicketNo::new(yymmdd, station_no, n.clamp(1, 999) as u16)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| "-".into()))
}

impl Outbox {
    /// Take a request: a ticket number from this station's count of the
    /// county day, the event in the outbox and the "my requests" row, in one
    /// transaction.
    pub fn submit_request(
        &self,
        form: &RequestForm,
        station_no: u16,
        yymmdd: &str,
        t: u64,
        clock_trusted: bool,
    ) -> Result<MyRequest, SubmitError> {
        form.check()?;
        let request_id = hex::encode(rand::random::<[u8; 16]>());
        let mut mine: Option<MyRequest> = None;
        self.record_with(t, clock_trusted, |tx, _seq| {
            let ticket = next_number(tx, station_no, yymmdd)?;
            let r = MyRequest::submitted(request_id.clone(), ticket.clone(), t, form);
            tx.prepare_cached(&format!(
                "INSERT INTO my_requests({COLUMNS}, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, NULL, NULL, NULL, NULL, NULL, ?3)"
            ))?
            .execute(params![
                r.request_id,
                r.ticket_no,
                t as i64,
                r.service_id,
                r.village,
                r.phone_masked,
                phone_tail(&form.phone),
                r.is_complaint,
                r.status.name()
            ])?;
            mine = Some(r);
            Ok(EventKind::ServiceRequest(ServiceRequest {
                request_id: request_id.clone(),
                ticket_no: ticket,
                service_id: form.service_id.clone(),
                village: form.village.clone(),
                phone: form.phone.clone(),
                name: form.name.clone().filter(|n| !n.trim().is_empty()),
                note: form.note.clone().filter(|n| !n.trim().is_empty()),
                is_complaint: form.is_complaint,
                job_id: form.job_id.clone(),
            }))
        })?;
        Ok(mine.expect("set in the transaction"))
    }

    /// A status update from the hub; older revisions change nothing.
    /// Returns whether it was new.
    pub fn apply_service_ack(&self, ack: &ServiceAck) -> Result<bool, StoreError> {
        self.with(|c| {
            let n = c
                .prepare_cached(
                    "UPDATE my_requests SET ticket_no = ?2, rev = ?3, status = ?4, responsible = ?5, handler = ?6,
                       reply = ?7, response_due = ?8, resolution_due = ?9, updated_at = ?10
                     WHERE request_id = ?1 AND rev < ?3",
                )?
                .execute(params![
                    ack.request_id,
                    ack.ticket_no,
                    ack.rev as i64,
                    ack.status.name(),
                    ack.responsible,
                    ack.handler,
                    ack.reply,
                    ack.response_due as i64,
                    ack.resolution_due.map(|v| v as i64),
                    ack.ts as i64
                ])?;
            Ok(n > 0)
        })
    }

    /// Requests taken here, newest first.
    pub fn my_requests(&self, lookup: &Lookup) -> Result<Vec<MyRequest>, StoreError> {
        let (clause, arg) = match lookup {
            Lookup::Ticket(t) => {
                let t = TicketNo::parse(t).map(|t| t.to_string()).unwrap_or_else(|_| t.clone());
                ("WHERE ticket_no = ?1", t)
            }
            Lookup::PhoneTail(tail) => ("WHERE phone_tail = ?1", tail.clone()),
            Lookup::All => ("WHERE ?1 = ?1", String::new()),
        };
        self.with(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM my_requests {clause} ORDER BY submitted_at DESC, request_id"
            ))?;
            let rows = st.query_map([arg], row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(phone: &str) -> RequestForm {
        RequestForm {
            service_id: "shop-setup".into(),
            village: "黄袍山村".into(),
            phone: phone.into(),
            name: Some("张秀英".into()),
            note: None,
            is_complaint: false,
            job_id: None,
        }
    }

    #[test]
    fn requests_get_numbers_and_follow_hub_updates() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("kiosk.db")).unwrap();
        assert!(matches!(o.submit_request(&form("123"), 7, "261129", 1, true), Err(SubmitError::Form(_))));
        assert_eq!(o.state().unwrap().last_seq, 0, "a refused form records nothing");
        let a = o.submit_request(&form("13812345678"), 7, "261129", 10, true).unwrap();
        let b = o.submit_request(&form("13900005678"), 7, "261129", 20, true).unwrap();
        let c = o.submit_request(&form("13900001111"), 7, "261130", 30, true).unwrap();
        assert_eq!(TicketNo::parse(&a.ticket_no).unwrap(), TicketNo::new("261129", 7, 1).unwrap());
        assert_eq!(TicketNo::parse(&b.ticket_no).unwrap().count(), 2);
        assert_eq!(TicketNo::parse(&c.ticket_no).unwrap().count(), 1, "a new day counts from 1");
        assert_eq!(a.phone_masked, "138****5678");
        let events = o.pending(1, 10).unwrap();
        let EventKind::ServiceRequest(r) = &events[0].kind else { panic!() };
        assert_eq!((r.phone.as_str(), r.ticket_no.as_str()), ("13812345678", a.ticket_no.as_str()));

        let tail = o.my_requests(&Lookup::PhoneTail("5678".into())).unwrap();
        assert_eq!(tail.iter().map(|r| &r.request_id).collect::<Vec<_>>(), [&b.request_id, &a.request_id]);
        let grouped = TicketNo::parse(&a.ticket_no).unwrap().grouped();
        assert_eq!(o.my_requests(&Lookup::Ticket(grouped)).unwrap()[0].request_id, a.request_id);

        let ack = |rev, status| ServiceAck {
            request_id: a.request_id.clone(),
            ticket_no: a.ticket_no.clone(),
            rev,
            status,
            responsible: Some("王芳".into()),
            handler: Some("王芳".into()),
            reply: None,
            response_due: 99,
            resolution_due: None,
            ts: 5,
        };
        assert!(o.apply_service_ack(&ack(2, TicketStatus::Accepted)).unwrap());
        assert!(!o.apply_service_ack(&ack(1, TicketStatus::Submitted)).unwrap(), "older revision");
        let now = &o.my_requests(&Lookup::Ticket(a.ticket_no.clone())).unwrap()[0];
        assert_eq!(
            (now.status, now.rev, now.responsible.as_deref()),
            (TicketStatus::Accepted, 2, Some("王芳"))
        );
        let all = o.my_requests(&Lookup::All).unwrap();
        assert_eq!(all.len(), 3);
        let stored: String = o
            .with(|c| {
                Ok(c.query_row(
                    "SELECT group_concat(phone_masked || phone_tail) FROM my_requests",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert!(!stored.contains("13812345678"), "no full phone in my_requests");
    }
}
