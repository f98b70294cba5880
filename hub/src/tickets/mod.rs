//! Service-request tickets (`docs/service-tickets.md`): the state machine, deadlines
//! counted with the official working-day calendar, the stored tickets with
//! their history, and the updates kiosks receive.

pub mod calendar;
pub mod calendar_entry;
pub mod deadlines;
pub mod machine;
pub mod notices;
pub mod records;
