//! Commands from the hub (`cmd/{name}`): the backend answers what it can
//! itself and passes the rest to the UI.

use tokio::sync::oneshot;

/// A command the UI carries out.
#[derive(Debug)]
pub enum UiCommand {
    /// Switch the display language.
    SetLanguage(firmware_config::Language),
    /// Show the catalog again from the store.
    Reload,
    /// Render the current screen; answer with PNG bytes or an error.
    Screenshot(oneshot::Sender<Result<Vec<u8>, String>>),
}

/// Commands this kiosk knows.
pub const KNOWN: &[&str] = &["rebirth", "reload", "set-language", "screenshot", "restart"];
