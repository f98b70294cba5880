//! One adapter per exported Slint global: each wires its global's callbacks
//! to the controllers ([`Glue::act`]) and shows what they changed. They are
//! the only code that knows both the generated Slint types and the
//! controllers; each maps plain controller data to Slint structs and enums
//! in small functions of its own.

pub mod catalog;
pub mod desk;
pub mod nav;
pub mod service;
pub mod staff;
pub mod status;
pub mod stories;
pub mod training;

use super::{AppWindow, Glue};
use slint::{ModelRc, VecModel};
use std::rc::Rc;

/// Wire every global's callbacks.
pub fn connect(window: &AppWindow, glue: &Glue) {
    nav::connect(window, glue);
    catalog::connect(window, glue);
    service::connect(window, glue);
    training::connect(window, glue);
    stories::connect(window, glue);
    staff::connect(window, glue);
    desk::connect(window, glue);
}

/// A Slint model of these rows.
pub(crate) fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(items)))
}
