//! Training sign-ups taken at this kiosk: recorded through the outbox (an
//! offline station still takes them) with a receipt number from the
//! station's daily count, and kept for "my requests" with the state the hub
//! decides. Until the hub's word arrives a sign-up is pending: seats are
//! never promised here.

use super::StoreError;
use super::outbox::Outbox;
use super::requests::{Lookup, next_number};
use protocol::TicketNo;
use protocol::messages::{EventKind, SeatsLeft, Signup, SignupState, SignupStatus};
use protocol::privacy::{check_phone, mask_phone, phone_tail};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

/// What the villager chose on the screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignupForm {
    pub session_id: String,
    pub town: String,
    pub phone: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SignupError {
    #[error("{0}")]
    Phone(String),
    #[error("choose a session")]
    NoSession,
    #[error("choose your town")]
    NoTown,
    /// The same phone already has a sign-up for this session here.
    #[error("this phone already has sign-up {0} for the session")]
    Already(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A sign-up as "my requests" shows it: never the full phone number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MySignup {
    pub signup_id: String,
    pub number: String,
    pub taken_at: u64,
    pub session_id: String,
    pub town: String,
    pub phone_masked: String,
    pub status: SignupStatus,
    /// 0 until the hub's first word.
    pub rev: u64,
    pub waitlist_place: Option<u32>,
    /// The hub's reason code (see the hub's `training::seats::reason`).
    pub reason: Option<String>,
    /// Cancelled here; the hub has not said so yet.
    pub cancel_requested: bool,
}

impl MySignup {
    /// Whether "cancel" may be offered: the villager still holds, or waits
    /// for, a place.
    pub fn cancellable(&self) -> bool {
        !self.cancel_requested
            && matches!(
                self.status,
                SignupStatus::Pending | SignupStatus::Confirmed | SignupStatus::Waitlisted
            )
    }
}

const COLUMNS: &str = "signup_id, number, taken_at, session_id, town, phone_masked, status, rev,
     waitlist_place, reason, cancel_requested";

fn row(r: &Row) -> rusqlite::Result<MySignup> {
    let status: String = r.get(6)?;
    Ok(MySignup {
        signup_id: r.get(0)?,
        number: r.get(1)?,
        taken_at: r.get::<_, i64>(2)?.max(0) as u64,
        session_id: r.get(3)?,
        town: r.get(4)?,
        phone_masked: r.get(5)?,
        status: SignupStatus::from_name(&status).unwrap_or(SignupStatus::Pending),
        rev: r.get::<_, i64>(7)?.max(0) as u64,
        waitlist_place: r.get(8)?,
        reason: r.get(9)?,
        cancel_requested: r.get(10)?,
    })
}

impl Outbox {
    /// Keep the hub's latest count of seats left.
    pub fn save_seats(&self, seats: &SeatsLeft) -> Result<(), StoreError> {
        let body = serde_json::to_string(seats).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.with(|c| {
            c.prepare_cached(
                "INSERT INTO seats_left(id, body) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            )?
            .execute([body])?;
            Ok(())
        })
    }

    /// The last count kept; one this version cannot read counts as none.
    pub fn load_seats(&self) -> Result<Option<SeatsLeft>, StoreError> {
        let body: Option<String> = self.with(|c| {
            Ok(c.query_row("SELECT body FROM seats_left WHERE id = 1", [], |r| r.get(0)).optional()?)
        })?;
        Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
    }

    /// Take a sign-up: its number, the event in the outbox and the "my
    /// requests" row, in one transaction. A phone that already holds a
    /// sign-up for the session here is told its number instead.
    pub fn submit_signup(
        &self,
        form: &SignupForm,
        phone_key: &str,
        station_no: u16,
        yymmdd: &str,
        t: u64,
        clock_trusted: bool,
    ) -> Result<MySignup, SignupError> {
        if form.session_id.trim().is_empty() {
            return Err(SignupError::NoSession);
        }
        if form.town.trim().is_empty() {
            return Err(SignupError::NoTown);
        }
        check_phone(&form.phone).map_err(SignupError::Phone)?;
        let (masked, tail) = (mask_phone(&form.phone), phone_tail(&form.phone));
        let existing: Option<String> = self.with(|c| {
            Ok(c.query_row(
                "SELECT number FROM my_signups WHERE session_id = ?1 AND phone_key = ?2
                   AND cancel_requested = 0 AND status IN ('pending', 'confirmed', 'waitlisted')",
                params![form.session_id, phone_key],
                |r| r.get(0),
            )
            .optional()?)
        })?;
        if let Some(n) = existing {
            return Err(SignupError::Already(n));
        }
        let signup_id = hex::encode(rand::random::<[u8; 16]>());
        let mut mine: Option<MySignup> = None;
        self.record_with(t, clock_trusted, |tx, _seq| {
            let number = next_number(tx, station_no, yymmdd)?;
            tx.prepare_cached(&format!(
                "INSERT INTO my_signups({COLUMNS}, phone_tail, phone_key, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, NULL, NULL, 0, ?7, ?8, ?3)"
            ))?
            .execute(params![
                signup_id,
                number,
                t as i64,
                form.session_id,
                form.town,
                masked,
                tail,
                phone_key
            ])?;
            mine = Some(MySignup {
                signup_id: signup_id.clone(),
                number: number.clone(),
                taken_at: t,
                session_id: form.session_id.clone(),
                town: form.town.clone(),
                phone_masked: masked.clone(),
                status: SignupStatus::Pending,
                rev: 0,
                waitlist_place: None,
                reason: None,
                cancel_requested: false,
            });
            Ok(EventKind::Signup(Signup {
                signup_id: signup_id.clone(),
                number,
                session_id: form.session_id.clone(),
                town: form.town.clone(),
                phone: form.phone.clone(),
            }))
        })?;
        Ok(mine.expect("set in the transaction"))
    }

    /// The villager cancels: the event goes to the hub, which frees the seat
    /// for the first on the waiting list. Returns false when there is
    /// nothing to cancel.
    pub fn cancel_signup(&self, signup_id: &str, t: u64, clock_trusted: bool) -> Result<bool, StoreError> {
        let seq = self.record_if(t, clock_trusted, |tx, _seq| {
            let n = tx
                .prepare_cached(
                    "UPDATE my_signups SET cancel_requested = 1, updated_at = ?2
                     WHERE signup_id = ?1 AND cancel_requested = 0 AND status IN ('pending', 'confirmed', 'waitlisted')",
                )?
                .execute(params![signup_id, t as i64])?;
            Ok((n == 1).then(|| EventKind::SignupCancel { signup_id: signup_id.to_owned() }))
        })?;
        Ok(seq.is_some())
    }

    /// The hub's word on a sign-up; older revisions change nothing.
    /// Returns whether it was new.
    pub fn apply_signup_state(&self, s: &SignupState) -> Result<bool, StoreError> {
        self.with(|c| {
            let n = c
                .prepare_cached(
                    "UPDATE my_signups SET number = ?2, rev = ?3, status = ?4, waitlist_place = ?5, reason = ?6,
                       updated_at = ?7
                     WHERE signup_id = ?1 AND rev < ?3",
                )?
                .execute(params![
                    s.signup_id,
                    s.number,
                    s.rev as i64,
                    s.status.name(),
                    s.waitlist_position,
                    s.reason,
                    s.ts as i64
                ])?;
            Ok(n > 0)
        })
    }

    /// Sign-ups taken here, newest first.
    pub fn my_signups(&self, lookup: &Lookup) -> Result<Vec<MySignup>, StoreError> {
        let (clause, arg) = match lookup {
            Lookup::Ticket(t) => {
                let t = TicketNo::parse(t).map(|t| t.to_string()).unwrap_or_else(|_| t.clone());
                ("WHERE number = ?1", t)
            }
            Lookup::PhoneTail(tail) => ("WHERE phone_tail = ?1", tail.clone()),
            Lookup::All => ("WHERE ?1 = ?1", String::new()),
        };
        self.with(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM my_signups {clause} ORDER BY taken_at DESC, signup_id"
            ))?;
            let rows = st.query_map([arg], row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(phone: &str) -> SignupForm {
        SignupForm { session_id: "women-live-1215".into(), town: "shinan".into(), phone: phone.into() }
    }

    #[test]
    fn signups_are_pending_until_the_hub_decides_and_share_the_daily_count() {
        let dir = tempfile::tempdir().unwrap();
        let o = Outbox::open(&dir.path().join("kiosk.db")).unwrap();
        assert!(matches!(
            o.submit_signup(&form("123"), "k0", 7, "261201", 1, true),
            Err(SignupError::Phone(_))
        ));
        assert_eq!(o.state().unwrap().last_seq, 0, "a refused form records nothing");
        let key = |p: &str| protocol::privacy::phone_key(b"kiosk-secret", p);
        let a = o.submit_signup(&form("13812345678"), &key("13812345678"), 7, "261201", 10, true).unwrap();
        assert_eq!(a.status, SignupStatus::Pending);
        assert_eq!(TicketNo::parse(&a.number).unwrap(), TicketNo::new("261201", 7, 1).unwrap());
        let again = o.submit_signup(&form("13812345678"), &key("138 1234 5678"), 7, "261201", 11, true);
        assert!(matches!(again, Err(SignupError::Already(n)) if n == a.number), "one place per phone");
        // Another phone that masks alike (same first three, same last four).
        let twin = o.submit_signup(&form("13899995678"), &key("13899995678"), 7, "261201", 12, true).unwrap();
        assert_ne!(twin.number, a.number, "a phone that only looks the same is another villager");
        let b = o.submit_signup(&form("13900005678"), &key("13900005678"), 7, "261201", 20, true).unwrap();
        assert_eq!(TicketNo::parse(&b.number).unwrap().count(), 3);
        let events = o.pending(1, 10).unwrap();
        let EventKind::Signup(s) = &events[0].kind else { panic!() };
        assert_eq!((s.phone.as_str(), s.number.as_str()), ("13812345678", a.number.as_str()));

        let state = |rev, status, place| SignupState {
            signup_id: a.signup_id.clone(),
            number: a.number.clone(),
            session_id: a.session_id.clone(),
            rev,
            status,
            waitlist_position: place,
            reason: None,
            ts: 5,
        };
        assert!(o.apply_signup_state(&state(2, SignupStatus::Waitlisted, Some(1))).unwrap());
        assert!(!o.apply_signup_state(&state(1, SignupStatus::Confirmed, None)).unwrap(), "older revision");
        let mine = &o.my_signups(&Lookup::PhoneTail("5678".into())).unwrap();
        assert_eq!(mine.len(), 3);
        let a_now = mine.iter().find(|m| m.signup_id == a.signup_id).unwrap();
        assert_eq!((a_now.status, a_now.waitlist_place), (SignupStatus::Waitlisted, Some(1)));
        assert!(a_now.cancellable());

        assert!(o.cancel_signup(&a.signup_id, 30, true).unwrap());
        assert!(!o.cancel_signup(&a.signup_id, 31, true).unwrap(), "once");
        let events = o.pending(1, 10).unwrap();
        assert!(
            matches!(&events[3].kind, EventKind::SignupCancel { signup_id } if *signup_id == a.signup_id)
        );
        let a_now = &o.my_signups(&Lookup::Ticket(a.number.clone())).unwrap()[0];
        assert!(a_now.cancel_requested && !a_now.cancellable());
        let stored: String = o
            .with(|c| {
                Ok(c.query_row("SELECT group_concat(phone_masked || phone_tail) FROM my_signups", [], |r| {
                    r.get(0)
                })?)
            })
            .unwrap();
        assert!(!stored.contains("13812345678"), "no full phone in my_signups");
    }
}
