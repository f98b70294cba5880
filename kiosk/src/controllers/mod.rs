//! The kiosk's screens as plain Rust (the "controllers" of Slint's
//! todo-mvc): what each page does with a touch, a key or a scan, and what
//! it shows, tested without a window. They reach the runtime only through
//! the small traits of [`backend`], and never touch a Slint type: the
//! adapters in `ui/adapters/` are the only code that knows both sides.
//!
//! [`screens::Screens`] is the whole kiosk's screen logic; it moves the page
//! controllers ([`navigation`], [`showroom`], [`search`],
//! [`service_request`], [`my_requests`], [`training`], [`jobs_board`],
//! [`pin`], [`parcel_desk`]) and records each interaction before the screen
//! changes ([`content_visit`] times stories, sessions and jobs).
//! [`catalog_view`] computes what the catalog shows, [`content_view`] the
//! stories, training and jobs, [`staff`] the staff page's lines.

pub mod backend;
pub mod big_screen;
pub mod catalog_view;
pub mod content_view;
pub mod content_visit;
pub mod jobs_board;
pub mod keypad;
pub mod my_requests;
pub mod navigation;
pub mod parcel_desk;
pub mod pin;
pub mod screens;
pub mod search;
pub mod service_request;
pub mod showroom;
pub mod staff;
pub mod training;
