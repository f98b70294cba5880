//! The kiosk fleet as the hub keeps it: who the kiosks are ([`registry`]),
//! how one is set up and its files written ([`provision`]), the county CA
//! and the broker's certificate ([`county_ca`]), the files an external
//! Mosquitto needs ([`mosquitto`]), what each kiosk last said of itself
//! ([`presence`]), the messages refused from it ([`rejects`]), the staff's
//! commands to it ([`kiosk_commands`]) and the fleet at a glance
//! ([`status`]).
//!
//! Everything here is store or file work with no network; `server/` sends
//! and receives on its behalf, and `hub fleet` / `hub kiosks` are its
//! command lines.

pub mod acl;
pub mod county_ca;
pub mod kiosk_commands;
pub mod mosquitto;
pub mod presence;
pub mod provision;
pub mod registry;
pub mod rejects;
pub mod status;
