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

/// The options (`args`) a command takes. An option this kiosk does not know
/// is refused, not ignored: run without it, the command would do something
/// else than the hub meant (docs/protocol.md, "Mixed versions").
pub fn options(command: &str) -> &'static [&'static str] {
    match command {
        "set-language" => &["lang"],
        _ => &[],
    }
}
