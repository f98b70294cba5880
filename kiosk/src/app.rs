//! The kiosk as an appliance: a runtime's catalog, link status and hub
//! commands carried onto the window, on the UI thread.
//!
//! The runtime's watches are polled by a Slint timer a few times a second
//! rather than pushed with `invoke_from_event_loop`: a timer also runs
//! under the testing backend's mock time, and a burst of sync progress
//! costs one repaint per tick instead of one per chunk.

use crate::peripherals::{Peripherals, Report};
use crate::runtime::commands::UiCommand;
use crate::runtime::{Handle, KioskStatus};
use crate::ui::adapter::KioskUi;
use crate::ui::browse::Lang;
use firmware_config::{DeviceConfig, Language, Role};
use protocol::catalog::Snapshot;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How often the window looks at the runtime.
pub const TICK: Duration = Duration::from_millis(200);

/// One runtime's feeds into the window.
pub struct Link {
    handle: Handle,
    catalog: watch::Receiver<Option<Arc<Snapshot>>>,
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

impl Link {
    pub fn new(handle: Handle) -> Link {
        Link {
            catalog: handle.catalog(),
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
    pub fn with_watchdog(mut self, w: Option<crate::watchdog::Watchdog>) -> Link {
        if let Some(w) = &w {
            w.ready();
        }
        self.watchdog = w;
        self
    }

    /// Carry these devices' reports to the window too.
    pub fn with_devices(mut self, devices: Peripherals, reports: std::sync::mpsc::Receiver<Report>) -> Link {
        self.devices = Some((devices, reports));
        self
    }

    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Show what changed since the last call and carry out the hub's
    /// commands. Returns false when the hub asked for a restart.
    pub fn pump(&mut self, ui: &KioskUi) -> bool {
        if (self.first || self.catalog.has_changed().unwrap_or(false))
            && let Some(snap) = self.catalog.borrow_and_update().clone()
        {
            ui.set_catalog(snap);
        }
        if self.first || self.status.has_changed().unwrap_or(false) {
            let s = self.status.borrow_and_update().clone();
            let progress = if s.sync.bytes_total > 0 {
                s.sync.bytes_done as f32 / s.sync.bytes_total as f32
            } else {
                0.0
            };
            ui.set_status(s.connected && s.hub_online, s.sync.active, progress);
            if s.restart_requested {
                return false;
            }
        }
        ui.set_today(&crate::ui::browse::county_date(crate::store::now_ms()));
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
                UiCommand::SetLanguage(l) => ui.set_language(if l == "en" { Lang::En } else { Lang::Zh }),
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

/// A window for this runtime's configuration: role, language, inactivity.
pub fn window_for(handle: &Handle) -> Result<KioskUi, slint::PlatformError> {
    let config = handle.config().clone();
    let h = handle.clone();
    let ui = KioskUi::new(
        Rc::new(move |sha: &str| h.blob_path(sha)),
        Some(handle.clone()),
        crate::ui::browse::county_date(crate::store::now_ms()),
        Duration::from_secs(u64::from(config.display.inactivity_s)),
        station_of(&config),
    )?;
    ui.set_language(match config.language {
        Language::Zh => Lang::Zh,
        Language::En => Lang::En,
    });
    ui.attract();
    Ok(ui)
}

pub fn station_of(config: &DeviceConfig) -> Option<u16> {
    (config.role == Role::Station).then_some(config.station_no)
}

/// Keep the window fed from `link` until the event loop ends; a restart
/// asked by the hub ends it.
pub fn feed(ui: Rc<KioskUi>, link: Rc<std::cell::RefCell<Link>>) -> slint::Timer {
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, TICK, move || {
        if !link.borrow_mut().pump(&ui) {
            tracing::info!("restart asked by the hub");
            let _ = slint::quit_event_loop();
        }
    });
    timer
}

/// The demo's role switch: the window records into the other kiosk's
/// runtime and shows its catalog and home page.
pub fn offer_switch(ui: &Rc<KioskUi>, current: Rc<std::cell::RefCell<Link>>, other: Link) {
    let other = Rc::new(std::cell::RefCell::new(other));
    use slint::ComponentHandle;
    ui.window.global::<crate::ui::StaffAdapter>().set_demo_pin(crate::demo::DEMO_PIN.into());
    let weak = Rc::downgrade(ui);
    ui.offer_role_switch(Rc::new(move || {
        let Some(ui) = weak.upgrade() else { return };
        std::mem::swap(&mut *current.borrow_mut(), &mut *other.borrow_mut());
        let mut link = current.borrow_mut();
        let h = link.handle.clone();
        ui.attach(Some(h.clone()), Rc::new(move |sha: &str| h.blob_path(sha)));
        ui.set_station(station_of(link.handle.config()));
        link.first = true;
        link.pump(&ui);
        ui.home();
    }));
}
