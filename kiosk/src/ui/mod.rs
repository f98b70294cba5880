//! The kiosk's Slint UI: the generated components (`kiosk/ui/*.slint`), the
//! window ([`KioskUi`]) and the adapters (`adapters/`, one per exported
//! global), which are the only code that knows both Slint and the
//! controllers. The screens' logic is in [`crate::controllers`].
//!
//! Every callback goes the same way: the adapter hands the action to
//! [`Screens`](crate::controllers::screens::Screens), then [`Glue::show`]
//! lets each adapter show what the controllers marked as changed.

pub mod adapters;
#[cfg(feature = "demo")]
pub mod audit;
pub mod big_screen;
pub mod charts;
pub mod images;
pub mod qr;
pub mod snapshot;

// Slint's generated code: not ours to lint.
#[allow(clippy::all, clippy::todo)]
mod generated {
    slint::include_modules!();
}
pub use generated::*;

use crate::controllers::screens::{Identity, Screens};
use crate::peripherals::Report;
use crate::peripherals::printer::PrintQueue;
use crate::runtime::Handle;
use firmware_config::{Language, Role};
use images::{ImageCache, ImagePath};
use protocol::catalog::Snapshot;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Show the UI's own words in `lang` (both windows share the catalogs in
/// `kiosk/lang/`). The .slint sources are Chinese: Chinese is "no
/// translation".
pub fn select_translation(lang: Language) {
    let bundle = if lang == Language::Zh { "" } else { lang.code() };
    if let Err(e) = slint::select_bundled_translation(bundle) {
        tracing::warn!(error = %e, language = lang.code(), "cannot switch the language");
    }
}

/// How long "还在吗？" waits for a touch before a half-filled form is cleared.
pub const STILL_THERE: Duration = Duration::from_secs(20);

/// The demo's role switch, set once it is offered.
type RoleSwitch = Rc<RefCell<Option<Rc<dyn Fn()>>>>;

/// What every adapter's callbacks share: the window, the screens' logic,
/// the images, and the runtime (for the staff page's figures).
#[derive(Clone)]
pub struct Glue {
    pub(crate) window: slint::Weak<AppWindow>,
    pub(crate) screens: Rc<RefCell<Screens>>,
    pub(crate) images: Rc<RefCell<ImageCache>>,
    pub(crate) runtime: Rc<RefCell<Handle>>,
    /// `kiosk --demo` swaps roles through this.
    pub(crate) switch_role: RoleSwitch,
    /// Back to the attract loop after this long without a touch.
    pub(crate) idle: Rc<slint::Timer>,
    pub(crate) inactivity: Duration,
}

impl Glue {
    /// Do `f` to the screens, then show what changed.
    pub fn act(&self, f: impl FnOnce(&mut Screens, Instant)) {
        f(&mut self.screens.borrow_mut(), Instant::now());
        self.show();
    }

    /// Let each adapter show what changed.
    pub fn show(&self) {
        let Some(window) = self.window.upgrade() else { return };
        let dirty = self.screens.borrow_mut().take_dirty();
        let screens = self.screens.borrow();
        let mut images = self.images.borrow_mut();
        adapters::nav::show(&window, &screens, &dirty);
        adapters::catalog::show(&window, &screens, &mut images, &dirty);
        adapters::stories::show(&window, &screens, &mut images, &dirty);
        adapters::service::show(&window, &screens, &dirty);
        adapters::training::show(&window, &screens, &dirty);
        adapters::staff::show(&window, &screens, &self.runtime.borrow(), &dirty);
        adapters::desk::show(&window, &screens, &self.runtime.borrow(), &dirty);
    }
}

/// The kiosk's window with its screens.
pub struct KioskUi {
    pub window: AppWindow,
    glue: Glue,
}

fn identity(handle: &Handle) -> Identity {
    let config = handle.config();
    Identity {
        kiosk_id: config.id.to_string(),
        station: (config.role == Role::Station).then_some(config.station_no),
        staff_pin_hash: config.staff_pin_hash.clone(),
    }
}

impl KioskUi {
    /// A window for this runtime, as its configuration says (role, staff
    /// PIN, inactivity time), showing the images `images` finds; `today` is
    /// the county date, `YYYY-MM-DD`.
    pub fn new(handle: &Handle, images: ImagePath, today: String) -> Result<KioskUi, slint::PlatformError> {
        let window = AppWindow::new()?;
        let screens = Screens::new(Rc::new(handle.clone()), identity(handle), today);
        let glue = Glue {
            window: window.as_weak(),
            screens: Rc::new(RefCell::new(screens)),
            images: Rc::new(RefCell::new(ImageCache::new(images))),
            runtime: Rc::new(RefCell::new(handle.clone())),
            switch_role: Rc::new(RefCell::new(None)),
            idle: Rc::new(slint::Timer::default()),
            inactivity: Duration::from_secs(u64::from(handle.config().display.inactivity_s)),
        };
        adapters::connect(&window, &glue);
        glue.show();
        Ok(KioskUi { window, glue })
    }

    /// Show a catalog version (the first, or a new one from sync).
    pub fn set_catalog(&self, snap: Arc<Snapshot>) {
        self.glue.images.borrow_mut().clear();
        self.glue.act(|s, _| s.set_catalog(snap));
    }

    /// A new county day: certificates are shown in force or expired by it.
    pub fn set_today(&self, today: &str) {
        self.glue.act(|s, _| s.set_today(today));
    }

    /// The clock (Unix ms): the county date, and the training calendar's now.
    pub fn set_clock(&self, now_ms: u64) {
        let today = protocol::county_time::iso_date_of(now_ms as i64);
        self.glue.act(|s, _| {
            s.set_now(now_ms);
            s.set_today(&today);
        });
    }

    /// The hub's last count of seats left at each session.
    pub fn set_seats(&self, seats: Option<protocol::messages::SeatsLeft>) {
        self.glue.act(|s, _| s.set_seats(seats));
    }

    pub fn set_language(&self, lang: Language) {
        adapters::nav::set_language(&self.glue, lang);
    }

    pub fn language(&self) -> Language {
        self.glue.screens.borrow().language()
    }

    pub fn page(&self) -> crate::controllers::navigation::Page {
        self.glue.screens.borrow().page()
    }

    /// The link's state in the top bar.
    pub fn set_status(&self, online: bool, syncing: bool, progress: f32) {
        adapters::status::show(&self.window, online, syncing, progress);
    }

    /// A serial device's report (scans, weights, paper, presence).
    pub fn peripheral(&self, r: Report) {
        let mut keeper_at_work = false;
        self.glue.act(|s, now| keeper_at_work = s.peripheral(r, now));
        if keeper_at_work {
            // Scanning is the keeper at work: the page stays open.
            adapters::nav::restart_idle(&self.glue);
        }
    }

    /// Where receipts and slips are printed (`None`: no printer).
    pub fn set_printer(&self, printer: Option<PrintQueue>) {
        self.glue.act(|s, _| s.set_printer(printer));
    }

    /// Back to the attract loop (start-up, and screenshots).
    pub fn attract(&self) {
        self.glue.act(|s, now| s.attract(now));
    }

    /// The screen as it is now, as PNG bytes (the hub's `screenshot`).
    pub fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        let shot = self.window.window().take_snapshot().map_err(|e| e.to_string())?;
        Ok(snapshot::png_rgba(shot.width(), shot.height(), shot.as_bytes()))
    }

    /// Show the window and run the event loop until it closes (or the hub
    /// asks for a restart).
    pub fn run(&self) -> Result<(), slint::PlatformError> {
        self.window.run()
    }

    /// Speak for another kiosk's runtime (the demo's role switch): its
    /// identity, records and images; its catalog comes next through
    /// [`KioskUi::set_catalog`].
    pub fn attach(&self, handle: &Handle, images: ImagePath) {
        *self.glue.runtime.borrow_mut() = handle.clone();
        self.glue.images.borrow_mut().set_path(images);
        self.glue.act(|s, _| s.attach(Rc::new(handle.clone()), identity(handle)));
    }

    /// Show this window as a village station (`Some(station number)`) or a
    /// showroom, whatever the runtime's role (the gallery of screens).
    pub fn set_station(&self, station: Option<u16>) {
        let handle = self.glue.runtime.borrow().clone();
        let identity = Identity { station, ..identity(&handle) };
        self.glue.act(|s, _| s.attach(Rc::new(handle), identity));
    }

    /// `kiosk --demo`: show the role switch, which calls `switch`.
    pub fn offer_role_switch(&self, pin: &str, switch: Rc<dyn Fn()>) {
        *self.glue.switch_role.borrow_mut() = Some(switch);
        let staff = self.window.global::<StaffAdapter>();
        staff.set_demo(true);
        staff.set_demo_pin(pin.into());
    }
}
