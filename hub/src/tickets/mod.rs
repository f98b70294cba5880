//! Service-request tickets (domain memo §6). So far: the official
//! working-day calendar the complaint deadline is counted in.

pub mod calendar;
