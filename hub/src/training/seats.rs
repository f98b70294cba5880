//! Seats: a sign-up is confirmed while the session has a seat left, else
//! waitlisted; a cancellation gives its seat to the first on the waiting
//! list. Every change bumps the sign-up's `rev`, which is what its kiosk is
//! told (see `notices`).

use super::sessions;
use crate::store::StoreError;
use protocol::catalog::SignupWay;
use protocol::messages::{Signup, SignupStatus};
use protocol::privacy::phone_tail;
use rusqlite::{Connection, OptionalExtension, params};

/// Why a sign-up was refused or cancelled: codes a kiosk shows in its own
/// words (`kiosk/ui/texts.slint`).
pub mod reason {
    /// The newest catalog does not offer the session.
    pub const UNKNOWN_SESSION: &str = "unknown_session";
    /// The session takes sign-ups by phone or at the door, not at kiosks.
    pub const NOT_ON_KIOSK: &str = "not_on_kiosk";
    /// Taken after sign-up closed.
    pub const CLOSED: &str = "closed";
    /// The same phone already has a place (or a waiting place) at the session.
    pub const DUPLICATE: &str = "duplicate";
    /// Cancelled at the kiosk by the villager.
    pub const BY_VILLAGER: &str = "by_villager";
    /// Cancelled by the centre.
    pub const BY_CENTRE: &str = "by_centre";
}

/// Statuses that hold a seat.
const SEATED: &str = "('confirmed', 'attended')";

fn log(
    conn: &Connection,
    at: i64,
    actor: &str,
    action: &str,
    session_id: &str,
    signup_id: Option<&str>,
    detail: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO signup_log(at, actor, action, session_id, signup_id, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![at, actor, action, session_id, signup_id, detail])?;
    Ok(())
}

fn seated(conn: &Connection, session_id: &str) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT count(*) FROM signups WHERE session_id = ?1 AND status IN {SEATED}"
        ))?
        .query_row([session_id], |r| r.get(0))?)
}

fn set_status(
    conn: &Connection,
    signup_id: &str,
    status: SignupStatus,
    reason: Option<&str>,
    now: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE signups SET status = ?2, reason = ?3, rev = rev + 1, updated_at = ?4 WHERE signup_id = ?1",
    )?
    .execute(params![signup_id, status.name(), reason, now])?;
    Ok(())
}

/// A sign-up from kiosk `kid`, taken at `taken_at` (inside the ingest
/// transaction). A sign-up the hub already has (the same id, under any
/// sequence number) changes nothing: `None`. Otherwise its status.
pub fn take(
    conn: &Connection,
    kid: &str,
    seq: u64,
    taken_at: i64,
    s: &Signup,
    now: i64,
) -> Result<Option<SignupStatus>, StoreError> {
    let known = conn
        .prepare_cached("SELECT 1 FROM signups WHERE signup_id = ?1")?
        .query_row([&s.signup_id], |_| Ok(()))
        .optional()?
        .is_some();
    if known {
        return Ok(None);
    }
    let (number, replaced) = crate::tickets::records::choose_number(conn, kid, taken_at, &s.number)?;
    let (status, reason) = match sessions::find(conn, &s.session_id)? {
        None => (SignupStatus::Refused, Some(reason::UNKNOWN_SESSION)),
        Some(f) if f.session.signup != SignupWay::Kiosk => {
            (SignupStatus::Refused, Some(reason::NOT_ON_KIOSK))
        }
        Some(f) if taken_at as u64 > f.session.signup_closes_at => {
            (SignupStatus::Refused, Some(reason::CLOSED))
        }
        Some(f) => {
            let duplicate = conn
                .prepare_cached(
                    "SELECT 1 FROM signups WHERE session_id = ?1 AND phone = ?2
                       AND status IN ('confirmed', 'attended', 'waitlisted')",
                )?
                .query_row(params![s.session_id, s.phone], |_| Ok(()))
                .optional()?
                .is_some();
            if duplicate {
                (SignupStatus::Refused, Some(reason::DUPLICATE))
            } else if seated(conn, &s.session_id)? < f.session.seats {
                (SignupStatus::Confirmed, None)
            } else {
                (SignupStatus::Waitlisted, None)
            }
        }
    };
    conn.prepare_cached(
        "INSERT INTO signups(signup_id, arrival, number, kid, seq, taken_at, session_id, town, phone, phone_tail,
                             status, reason, rev, received_at, updated_at)
         VALUES (?1, (SELECT coalesce(max(arrival), 0) + 1 FROM signups), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12, ?12)",
    )?
    .execute(params![
        s.signup_id,
        number.as_str(),
        kid,
        seq,
        taken_at,
        s.session_id,
        s.town,
        s.phone,
        phone_tail(&s.phone),
        status.name(),
        reason,
        now
    ])?;
    let detail = replaced.map(|why| format!("number assigned by the hub: {why}")).unwrap_or_default();
    log(conn, now, &format!("kiosk {kid}"), status.name(), &s.session_id, Some(&s.signup_id), &detail)?;
    Ok(Some(status))
}

/// Who cancels: the kiosk that took the sign-up (for the villager), or
/// someone at the centre.
pub enum Canceller<'a> {
    Kiosk(&'a str),
    Staff(&'a str),
}

/// Cancel a confirmed or waitlisted sign-up; its seat goes to the first on
/// the waiting list. A kiosk may cancel only the sign-ups it took. Returns
/// whether anything changed.
pub fn cancel(conn: &Connection, signup_id: &str, by: Canceller, now: i64) -> Result<bool, StoreError> {
    let row: Option<(String, String, String)> = conn
        .prepare_cached("SELECT session_id, status, kid FROM signups WHERE signup_id = ?1")?
        .query_row([signup_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((session_id, status, taken_by)) = row else { return Ok(false) };
    let (actor, why) = match by {
        Canceller::Kiosk(kid) if kid != taken_by => {
            tracing::warn!(
                kiosk = kid,
                signup = signup_id,
                "a kiosk tried to cancel another kiosk's sign-up"
            );
            return Ok(false);
        }
        Canceller::Kiosk(kid) => (format!("kiosk {kid}"), reason::BY_VILLAGER),
        Canceller::Staff(name) => (name.to_owned(), reason::BY_CENTRE),
    };
    if !matches!(SignupStatus::from_name(&status), Some(SignupStatus::Confirmed | SignupStatus::Waitlisted)) {
        return Ok(false);
    }
    set_status(conn, signup_id, SignupStatus::Cancelled, Some(why), now)?;
    log(conn, now, &actor, "cancel", &session_id, Some(signup_id), "")?;
    move_up(conn, &session_id, now)?;
    // Everyone still waiting has a new place in the queue: tell their kiosks.
    conn.prepare_cached(
        "UPDATE signups SET rev = rev + 1, updated_at = ?2 WHERE session_id = ?1 AND status = 'waitlisted'",
    )?
    .execute(params![session_id, now])?;
    Ok(true)
}

/// Give free seats to the waiting list, first received first.
fn move_up(conn: &Connection, session_id: &str, now: i64) -> Result<(), StoreError> {
    let Some(f) = sessions::find(conn, session_id)? else { return Ok(()) };
    while seated(conn, session_id)? < f.session.seats {
        let next: Option<String> = conn
            .prepare_cached(
                "SELECT signup_id FROM signups WHERE session_id = ?1 AND status = 'waitlisted' ORDER BY arrival LIMIT 1",
            )?
            .query_row([session_id], |r| r.get(0))
            .optional()?;
        let Some(next) = next else { break };
        set_status(conn, &next, SignupStatus::Confirmed, None, now)?;
        log(conn, now, "hub", "move_up", session_id, Some(&next), "")?;
    }
    Ok(())
}

/// The sign-up a receipt number (grouped or not) or an id names.
pub fn find(conn: &Connection, number_or_id: &str) -> Result<Option<String>, StoreError> {
    let number = protocol::TicketNo::parse(number_or_id)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| number_or_id.to_owned());
    Ok(conn
        .prepare_cached("SELECT signup_id FROM signups WHERE signup_id = ?1 OR number = ?2")?
        .query_row(params![number_or_id, number], |r| r.get(0))
        .optional()?)
}

/// Mark those present at a session. `who` are sign-up ids or receipt
/// numbers; returns those that were not sign-ups of the session.
pub fn attend(
    conn: &Connection,
    session_id: &str,
    who: &[String],
    actor: &str,
    now: i64,
) -> Result<Vec<String>, StoreError> {
    let mut unknown = Vec::new();
    for w in who {
        let number = protocol::TicketNo::parse(w).map(|t| t.to_string()).unwrap_or_else(|_| w.clone());
        let found: Option<(String, String)> = conn
            .prepare_cached(
                "SELECT signup_id, status FROM signups WHERE session_id = ?1 AND (signup_id = ?2 OR number = ?3)",
            )?
            .query_row(params![session_id, w, number], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match found {
            Some((id, status)) if matches!(status.as_str(), "confirmed" | "waitlisted") => {
                set_status(conn, &id, SignupStatus::Attended, None, now)?;
                log(conn, now, actor, "attend", session_id, Some(&id), "")?;
            }
            Some(_) => {}
            None => unknown.push(w.clone()),
        }
    }
    Ok(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{DataDir, open_write};
    use protocol::catalog::{CatalogItem, TrainingSession};

    const T: i64 = 1_796_000_000_000;

    /// A store whose newest catalog offers `seats` seats at session `s1`,
    /// sign-up closing at `T`.
    fn store(seats: u32, way: SignupWay) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_write(&DataDir::new(dir.path()).unwrap()).unwrap();
        conn.execute(
            "INSERT INTO catalog_versions(version, created_at, source, manifest_sha256, items, blob_bytes) VALUES (1, 0, 't', 'x', 1, 0)",
            [],
        )
        .unwrap();
        let session = CatalogItem::Session(TrainingSession {
            id: "s1".into(),
            course_id: "c1".into(),
            place_zh: "中心".into(),
            town: None,
            starts_at: T as u64 + 86_400_000,
            ends_at: T as u64 + 90_000_000,
            seats,
            price_fen: None,
            signup: way,
            signup_note_zh: String::new(),
            signup_closes_at: T as u64,
        });
        conn.execute(
            "INSERT INTO catalog_items(version, kind, id, rev, body) VALUES (1, 'session', 's1', 1, ?1)",
            [serde_json::to_string(&session).unwrap()],
        )
        .unwrap();
        (dir, conn)
    }

    fn signup(id: &str, phone: &str, session: &str) -> Signup {
        Signup {
            signup_id: id.into(),
            number: "bad".into(),
            session_id: session.into(),
            town: "shinan".into(),
            phone: phone.into(),
        }
    }

    fn status(c: &Connection, id: &str) -> (String, Option<String>, i64) {
        c.query_row("SELECT status, reason, rev FROM signups WHERE signup_id = ?1", [id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap()
    }

    #[test]
    fn seats_go_first_received_first_served_and_a_cancellation_moves_the_list_up() {
        let (_d, c) = store(2, SignupWay::Kiosk);
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            let phone = format!("1380000000{i}");
            take(&c, "k1", i as u64 + 1, T - 1000, &signup(id, &phone, "s1"), T).unwrap();
        }
        assert_eq!(take(&c, "k1", 9, T - 1000, &signup("a", "13800000000", "s1"), T).unwrap(), None, "once");
        let st = |id| status(&c, id).0;
        assert_eq!(
            [st("a"), st("b"), st("c"), st("d")],
            ["confirmed", "confirmed", "waitlisted", "waitlisted"]
        );
        // Another kiosk cannot cancel k1's sign-up.
        assert!(!cancel(&c, "a", Canceller::Kiosk("k2"), T).unwrap());
        assert!(cancel(&c, "a", Canceller::Kiosk("k1"), T).unwrap());
        assert_eq!(
            [st("a"), st("b"), st("c"), st("d")],
            ["cancelled", "confirmed", "confirmed", "waitlisted"]
        );
        assert_eq!(status(&c, "a").1.as_deref(), Some(reason::BY_VILLAGER));
        assert!(status(&c, "d").2 > 1, "the one still waiting is told their new place");
        assert!(!cancel(&c, "a", Canceller::Staff("王芳"), T).unwrap(), "a cancelled sign-up stays so");
        assert_eq!(attend(&c, "s1", &["b".into(), "zzz".into()], "王芳", T).unwrap(), ["zzz"]);
        assert_eq!(st("b"), "attended");
        // Numbers the kiosk could not give are assigned by the hub, all distinct.
        let numbers: std::collections::BTreeSet<String> = c
            .prepare("SELECT number FROM signups")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(numbers.len(), 4);
    }

    #[test]
    fn sign_ups_the_session_cannot_take_are_refused_with_a_reason() {
        let (_d, c) = store(5, SignupWay::Kiosk);
        take(&c, "k1", 1, T - 1, &signup("late", "13800000001", "s1"), T).unwrap();
        take(&c, "k1", 2, T + 1, &signup("later", "13800000002", "s1"), T).unwrap();
        take(&c, "k1", 3, T - 1, &signup("again", "13800000001", "s1"), T).unwrap();
        take(&c, "k1", 4, T - 1, &signup("where", "13800000003", "nope"), T).unwrap();
        assert_eq!(status(&c, "late").0, "confirmed", "taken before sign-up closed, however late it arrives");
        assert_eq!(status(&c, "later"), ("refused".into(), Some(reason::CLOSED.into()), 1));
        assert_eq!(status(&c, "again").1.as_deref(), Some(reason::DUPLICATE));
        assert_eq!(status(&c, "where").1.as_deref(), Some(reason::UNKNOWN_SESSION));
        let (_d, c) = store(5, SignupWay::Phone);
        take(&c, "k1", 1, T - 1, &signup("x", "13800000001", "s1"), T).unwrap();
        assert_eq!(status(&c, "x").1.as_deref(), Some(reason::NOT_ON_KIOSK));
    }
}
