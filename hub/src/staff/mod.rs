//! The centre's staff as the hub knows them: accounts with a role
//! ([`roles`]), their passwords and lockouts ([`accounts`]), and console
//! sessions ([`sessions`]). `hub staff` manages the accounts from the
//! command line; the console (`console/`) lets them in.

pub mod accounts;
pub mod roles;
pub mod sessions;
