//! Sign-up states for kiosks (`signup/state`): every revision a kiosk has
//! not confirmed with `signup/seen` is pending, and is sent on change and
//! again after the kiosk's next birth, like ticket updates.

use crate::store::StoreError;
use protocol::messages::{SignupSeen, SignupState, SignupStatus};
use rusqlite::{Connection, params};

/// Every pending state, with the kiosk it is for.
pub fn pending(conn: &Connection) -> Result<Vec<(String, SignupState)>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT s.kid, s.signup_id, s.number, s.session_id, s.rev, s.status, s.reason, s.updated_at,
                (SELECT count(*) FROM signups w WHERE w.session_id = s.session_id
                   AND w.status = 'waitlisted' AND w.arrival <= s.arrival)
         FROM signups s WHERE s.seen_rev < s.rev",
    )?;
    let rows = st.query_map([], |r| {
        let status = SignupStatus::from_name(&r.get::<_, String>(5)?).unwrap_or(SignupStatus::Pending);
        let place: u32 = r.get(8)?;
        Ok((
            r.get::<_, String>(0)?,
            SignupState {
                signup_id: r.get(1)?,
                number: r.get(2)?,
                session_id: r.get(3)?,
                rev: r.get(4)?,
                status,
                waitlist_position: (status == SignupStatus::Waitlisted).then_some(place),
                reason: r.get(6)?,
                ts: r.get::<_, i64>(7)?.max(0) as u64,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The kiosk stored revision `rev`: stop sending it (and anything older).
/// Only the kiosk that took the sign-up can confirm it.
pub fn seen(conn: &Connection, kid: &str, s: &SignupSeen) -> Result<bool, StoreError> {
    let n = conn.execute(
        "UPDATE signups SET seen_rev = min(?3, rev) WHERE signup_id = ?1 AND kid = ?2 AND seen_rev < min(?3, rev)",
        params![s.signup_id, kid, s.rev.min(i64::MAX as u64) as i64],
    )?;
    Ok(n > 0)
}
