//! A runtime carried onto the window, on the UI thread: its catalog (or,
//! on the big screen, the hub's figures), link status and the hub's
//! commands, the serial devices' reports, and systemd's watchdog.
//!
//! The runtime's watches are polled by a Slint timer a few times a second
//! rather than pushed with `invoke_from_event_loop`: a timer also runs
//! under the testing backend's mock time, and a burst of sync progress
//! costs one repaint per tick instead of one per chunk.

use crate::peripherals::{Peripherals, Report};
use crate::runtime::hub_commands::UiCommand;
use crate::runtime::{Handle, KioskStatus, Received};
use crate::ui::KioskUi;
use crate::ui::big_screen::BigScreenUi;
use firmware_config::{Language, Role};
use protocol::catalog::Snapshot;
use protocol::messages::SeatsLeft;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How often the window looks at the runtime.
pub const TICK: Duration = Duration::from_millis(200);

/// A window a runtime feeds: a kiosk's screens or the big screen.
pub trait Shows {
    fn set_catalog(&self, snap: Arc<Snapshot>);
    fn set_figures(&self, figures: Option<Received>);
    /// The hub's count of seats left at each session (stations).
    fn set_seats(&self, _seats: Option<SeatsLeft>) {}
    fn set_status(&self, status: &KioskStatus);
    /// Every tick: the county date, the clock.
    fn tick(&self);
    fn set_language(&self, lang: Language);
    fn screenshot_png(&self) -> Result<Vec<u8>, String>;
    fn peripheral(&self, r: Report);
    /// Someone is using it (off the attract loop): no update may start.
    fn in_use(&self) -> bool {
        false
    }
}

impl Shows for KioskUi {
    fn set_catalog(&self, snap: Arc<Snapshot>) {
        KioskUi::set_catalog(self, snap);
    }

    fn set_figures(&self, _: Option<Received>) {}

    fn set_seats(&self, seats: Option<SeatsLeft>) {
        KioskUi::set_seats(self, seats);
    }

    fn set_status(&self, s: &KioskStatus) {
        let progress =
            if s.sync.bytes_total > 0 { s.sync.bytes_done as f32 / s.sync.bytes_total as f32 } else { 0.0 };
        KioskUi::set_status(self, s.connected && s.hub_online, s.sync.active, progress);
    }

    fn tick(&self) {
        self.set_clock(crate::store::now_ms());
    }

    fn set_language(&self, lang: Language) {
        KioskUi::set_language(self, lang);
    }

    fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        KioskUi::screenshot_png(self)
    }

    fn peripheral(&self, r: Report) {
        KioskUi::peripheral(self, r);
    }

    fn in_use(&self) -> bool {
        self.page() != crate::controllers::navigation::Page::Attract
    }
}

impl Shows for BigScreenUi {
    // The wall shows figures, not the catalog.
    fn set_catalog(&self, _: Arc<Snapshot>) {}

    fn set_figures(&self, figures: Option<Received>) {
        BigScreenUi::set_figures(self, figures);
    }

    fn set_status(&self, s: &KioskStatus) {
        BigScreenUi::set_status(self, s);
    }

    fn tick(&self) {
        BigScreenUi::tick(self);
    }

    fn set_language(&self, lang: Language) {
        BigScreenUi::set_language(self, lang);
    }

    fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        BigScreenUi::screenshot_png(self)
    }

    // No serial devices on the wall.
    fn peripheral(&self, _: Report) {}
}

/// One runtime's feeds into the window.
pub struct WindowFeed {
    handle: Handle,
    catalog: watch::Receiver<Option<Arc<Snapshot>>>,
    figures: watch::Receiver<Option<Received>>,
    seats: watch::Receiver<Option<SeatsLeft>>,
    status: watch::Receiver<KioskStatus>,
    commands: mpsc::UnboundedReceiver<UiCommand>,
    /// The serial devices (a station's scanner, scale, printer) and what
    /// they report; kept here so they stop with the window.
    devices: Option<(Peripherals, std::sync::mpsc::Receiver<Report>)>,
    /// systemd's watchdog, pinged from this (the UI thread's) timer.
    #[cfg(unix)]
    watchdog: Option<crate::watchdog::Watchdog>,
    first: bool,
}

impl WindowFeed {
    pub fn new(handle: Handle) -> WindowFeed {
        WindowFeed {
            catalog: handle.catalog(),
            figures: handle.figures(),
            seats: handle.seats_left(),
            status: handle.status(),
            commands: handle.ui_commands(),
            handle,
            devices: None,
            #[cfg(unix)]
            watchdog: None,
            first: true,
        }
    }

    /// Tell systemd the kiosk is up, and keep its watchdog fed.
    #[cfg(unix)]
    pub fn with_watchdog(mut self, w: Option<crate::watchdog::Watchdog>) -> WindowFeed {
        if let Some(w) = &w {
            w.ready();
        }
        self.watchdog = w;
        self
    }

    /// Carry these devices' reports to the window too.
    pub fn with_devices(
        mut self,
        devices: Peripherals,
        reports: std::sync::mpsc::Receiver<Report>,
    ) -> WindowFeed {
        self.devices = Some((devices, reports));
        self
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Show everything again at the next pump, changed or not (the window
    /// now shows another runtime).
    pub fn show_all_again(&mut self) {
        self.first = true;
    }

    /// Show what changed since the last call and carry out the hub's
    /// commands. Returns false when the hub asked for a restart.
    pub fn pump(&mut self, ui: &impl Shows) -> bool {
        if (self.first || self.catalog.has_changed().unwrap_or(false))
            && let Some(snap) = self.catalog.borrow_and_update().clone()
        {
            ui.set_catalog(snap);
        }
        if self.first || self.figures.has_changed().unwrap_or(false) {
            ui.set_figures(self.figures.borrow_and_update().clone());
        }
        if self.first || self.seats.has_changed().unwrap_or(false) {
            ui.set_seats(self.seats.borrow_and_update().clone());
        }
        if self.first || self.status.has_changed().unwrap_or(false) {
            let s = self.status.borrow_and_update().clone();
            ui.set_status(&s);
            if s.restart_requested {
                return false;
            }
        }
        ui.tick();
        if self.first {
            // The window is up: part of a new release's health.
            self.handle.ui_ready();
        }
        self.handle.set_in_use(ui.in_use());
        self.first = false;
        #[cfg(unix)]
        if let Some(w) = &mut self.watchdog {
            w.ping();
        }
        if let Some((_, reports)) = &self.devices {
            for r in crate::peripherals::drain(reports) {
                ui.peripheral(r);
            }
        }
        while let Ok(cmd) = self.commands.try_recv() {
            match cmd {
                UiCommand::SetLanguage(lang) => ui.set_language(lang),
                UiCommand::Reload => {
                    if let Some(snap) = self.catalog.borrow_and_update().clone() {
                        ui.set_catalog(snap);
                    }
                }
                UiCommand::Screenshot(answer) => {
                    let _ = answer.send(ui.screenshot_png());
                }
            }
        }
        true
    }
}

/// A window for this runtime, on its attract loop in its configured
/// language, showing the catalog images it holds.
pub fn window_for(handle: &Handle) -> Result<KioskUi, slint::PlatformError> {
    let h = handle.clone();
    let ui = KioskUi::new(
        handle,
        Rc::new(move |sha: &str| h.blob_path(sha)),
        protocol::county_time::iso_date(protocol::county_time::today()),
    )?;
    ui.set_language(handle.config().language);
    ui.attract();
    Ok(ui)
}

/// The big screen's window for this runtime, in its configured language,
/// showing the figures it kept from before.
pub fn big_screen_for(handle: &Handle) -> Result<BigScreenUi, slint::PlatformError> {
    let ui = BigScreenUi::new(handle.config().language)?;
    ui.set_figures(handle.figures().borrow().clone());
    Ok(ui)
}

/// Whether this runtime drives the big screen rather than a kiosk.
pub fn is_big_screen(handle: &Handle) -> bool {
    handle.config().role == Role::Bigscreen
}

/// Keep the window fed from `link` until the event loop ends; a restart
/// asked by the hub ends it.
pub fn feed(ui: Rc<impl Shows + 'static>, link: Rc<std::cell::RefCell<WindowFeed>>) -> slint::Timer {
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, TICK, move || {
        if !link.borrow_mut().pump(&*ui) {
            tracing::info!("restart asked by the hub");
            let _ = slint::quit_event_loop();
        }
    });
    timer
}
