//! `StatusAdapter`: the link's state in the top bar (online, syncing).

use crate::ui::{AppWindow, StatusAdapter};
use slint::ComponentHandle;

pub fn show(window: &AppWindow, online: bool, syncing: bool, progress: f32) {
    let s = window.global::<StatusAdapter>();
    s.set_online(online);
    s.set_syncing(syncing);
    s.set_sync_progress(progress);
}
