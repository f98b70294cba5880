//! Training sign-ups taken at kiosks: seats are decided here, never at a
//! kiosk, so a session is never oversold however many stations took
//! sign-ups offline. First received, first served: the ingest transaction
//! (one writer) gives each new sign-up its place in `arrival` order.
//!
//! - [`seats`]: take, cancel, attend, and the waiting list moving up.
//! - [`notices`]: each sign-up's state for its kiosk (`signup/state`) until
//!   the kiosk confirms it (`signup/seen`).
//! - [`roster`]: the sessions with their figures, and a session's roster
//!   (masked unless revealed, and a reveal is logged).
//! - [`sessions`]: what the catalog says of sessions and courses.
//! - [`jobs`]: "I am interested" in a job opening, which is a call-back
//!   request (a ticket) naming the job.

pub mod jobs;
pub mod notices;
pub mod roster;
pub mod seats;
pub mod sessions;
