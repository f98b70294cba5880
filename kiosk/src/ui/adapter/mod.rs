//! Fills the Slint globals from the browse controller and answers their
//! callbacks: the only code that touches Slint types. Each interaction is
//! recorded in the outbox before the screen changes. Showroom pages are
//! here; [`finding`] has the directory and search, [`mine`] "my requests",
//! [`staff`] the PIN and diagnostics, [`desk`] the parcel desk and the
//! serial devices' reports.

pub mod desk;
mod finding;
mod listing;
pub use listing::PAGE;
pub mod mine;
pub mod staff;

use super::browse::{Browse, CardView, Lang};
use super::service_form::{ServiceForm, VILLAGES};
use super::{
    AppWindow, CatalogAdapter, CategoryTile, Certificate, Nav, ProductCard, ProductDetail, ShopCode,
};
use super::{Choice, DeskAdapter, StaffAdapter};
use super::{RequestReceipt, ServiceAdapter, ServiceItem, StatusAdapter, TraceRow, TraceView};
use crate::runtime::Handle;
use crate::search::SearchIndex;
use crate::store::requests::RequestForm;
use protocol::catalog::Snapshot;
use protocol::catalog::{CatalogItem, ServiceKind};
use protocol::messages::EventKind;
use slint::{ComponentHandle, Image, ModelRc, SharedString, VecModel};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

/// Where an image of the catalog is, by its SHA-256.
pub type ImagePath = Rc<dyn Fn(&str) -> PathBuf>;

struct State {
    browse: Option<Browse>,
    snap: Option<Arc<Snapshot>>,
    lang: Lang,
    today: String,
    /// Pages to go back to.
    history: Vec<String>,
    /// The category page's list and the page shown.
    listing: Option<(listing::Source, usize)>,
    /// The product on screen and since when (its dwell time is recorded on leaving).
    product: Option<(String, Instant)>,
    batch: Option<String>,
    images: ImagePath,
    cache: HashMap<String, Image>,
    recorder: Option<Handle>,
    /// When the visitor left the attract loop (for `session_end`).
    session: Option<Instant>,
    /// A village station: its home page is the service catalogue.
    station: bool,
    station_no: u16,
    form: ServiceForm,
    index: Option<Rc<SearchIndex>>,
    /// What is typed on the search page, whether it was recorded, and how
    /// many results it found.
    query: String,
    query_recorded: bool,
    results: usize,
    lookup: mine::LookupForm,
    pin: staff::PinEntry,
    desk: desk::DeskState,
    /// `kiosk --demo` swaps roles through this.
    switch_role: Option<Rc<dyn Fn()>>,
}

/// Decoded images kept for pages to come back to: three pages of cards
/// (a 480×360 picture is 0.7 MB decoded).
const IMAGE_CACHE: usize = 36;

/// How long "还在吗？" waits for a touch before a half-filled form is cleared.
pub const STILL_THERE: std::time::Duration = std::time::Duration::from_secs(20);

/// The kiosk's window with its state.
pub struct KioskUi {
    pub window: AppWindow,
    state: Rc<RefCell<State>>,
    /// Back to the attract loop after this long without a touch.
    idle: Rc<slint::Timer>,
    inactivity: std::time::Duration,
}

fn model<T: Clone + 'static>(items: Vec<T>) -> ModelRc<T> {
    ModelRc::from(Rc::new(VecModel::from(items)))
}

/// Decode a stored image (PNG or JPEG, told apart by content); an image
/// that cannot be read shows as empty rather than stopping the page.
fn load_image(path: &std::path::Path) -> Image {
    let decoded = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| image::load_from_memory(&bytes).map_err(|e| e.to_string()));
    match decoded {
        Ok(img) => {
            let rgba = img.to_rgba8();
            let buf = slint::SharedPixelBuffer::<slint::Rgba8Pixel>::clone_from_slice(
                rgba.as_raw(),
                rgba.width(),
                rgba.height(),
            );
            Image::from_rgba8(buf)
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "image not shown");
            Image::default()
        }
    }
}

impl State {
    fn image(&mut self, sha: Option<&String>) -> Image {
        let Some(sha) = sha else { return Image::default() };
        if let Some(i) = self.cache.get(sha) {
            return i.clone();
        }
        // Decoded pictures are large; the pages on screen keep their own
        // alive, so a full cache is simply started again.
        if self.cache.len() >= IMAGE_CACHE {
            self.cache.clear();
        }
        let img = load_image(&(self.images)(sha));
        self.cache.insert(sha.clone(), img.clone());
        img
    }

    fn card(&mut self, c: &CardView) -> ProductCard {
        ProductCard {
            id: c.id.clone().into(),
            name: c.name.clone().into(),
            price: c.price.clone().into(),
            producer: c.producer.clone().into(),
            image: self.image(c.image.as_ref()),
        }
    }

    fn pin_hash(&self) -> Option<String> {
        self.recorder.as_ref().and_then(|r| r.config().staff_pin_hash.clone())
    }

    /// A service's name in the language on screen.
    fn service_name(&self, id: &str) -> Option<String> {
        self.snap.as_ref()?.items.iter().find_map(|i| match &i.item {
            CatalogItem::Service(v) if v.id == id => {
                Some(if self.lang == Lang::En && !v.name_en.is_empty() {
                    v.name_en.clone()
                } else {
                    v.name_zh.clone()
                })
            }
            _ => None,
        })
    }

    fn record(&self, kind: EventKind) {
        if let Some(r) = &self.recorder
            && let Err(e) = r.record(kind)
        {
            tracing::error!(error = %e, "interaction not recorded");
        }
    }

    /// Leaving the product page: its view is recorded with the time spent.
    fn leave_product(&mut self) {
        if let Some((id, since)) = self.product.take() {
            let dwell_ms = since.elapsed().as_millis() as u64;
            self.record(EventKind::ProductView { product_id: id, dwell_ms });
        }
    }
}

impl KioskUi {
    /// `images` finds an image by hash; `recorder` records interactions
    /// (none for screenshots).
    pub fn new(
        images: ImagePath,
        recorder: Option<Handle>,
        today: String,
        inactivity: std::time::Duration,
        station: Option<u16>,
    ) -> Result<KioskUi, slint::PlatformError> {
        let window = AppWindow::new()?;
        let state = Rc::new(RefCell::new(State {
            browse: None,
            snap: None,
            lang: Lang::Zh,
            today,
            history: Vec::new(),
            listing: None,
            product: None,
            batch: None,
            images,
            cache: HashMap::new(),
            recorder,
            session: None,
            station: station.is_some(),
            station_no: station.unwrap_or(0),
            form: ServiceForm::default(),
            index: None,
            query: String::new(),
            query_recorded: false,
            results: 0,
            lookup: mine::LookupForm::default(),
            pin: staff::PinEntry::default(),
            desk: desk::DeskState::default(),
            switch_role: None,
        }));
        window.global::<StaffAdapter>().set_station(station.is_some());
        let ui = KioskUi { window, state, idle: Rc::new(slint::Timer::default()), inactivity };
        ui.wire();
        Ok(ui)
    }

    fn wire(&self) {
        let nav = self.window.global::<Nav>();
        let catalog = self.window.global::<CatalogAdapter>();
        let (w, s) = (self.window.as_weak(), self.state.clone());
        nav.on_wake(move || {
            s.borrow().record(EventKind::AttractExit);
            s.borrow_mut().session = Some(Instant::now());
            if let Some(w) = w.upgrade() {
                go(&w, &s, "home", false);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        nav.on_home(move || {
            if let Some(w) = w.upgrade() {
                s.borrow_mut().history.clear();
                go(&w, &s, "home", false);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        nav.on_back(move || {
            if let Some(w) = w.upgrade() {
                let to = s.borrow_mut().history.pop().unwrap_or_else(|| "home".into());
                go(&w, &s, &to, false);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        nav.on_toggle_language(move || {
            if let Some(w) = w.upgrade() {
                let lang = if s.borrow().lang == Lang::Zh { Lang::En } else { Lang::Zh };
                set_language(&w, &s, lang);
            }
        });
        // Every touch restarts the inactivity timer; when it fires, the
        // visit is over: recorded, and back to the attract loop.
        let (w, s, idle, after) =
            (self.window.as_weak(), self.state.clone(), self.idle.clone(), self.inactivity);
        nav.on_poke(move || {
            if let Some(w) = w.upgrade() {
                w.global::<Nav>().set_asking(false);
            }
            let (w, s, again) = (w.clone(), s.clone(), idle.clone());
            idle.start(slint::TimerMode::SingleShot, after, move || {
                let Some(win) = w.upgrade() else { return };
                // A form in progress asks first; the visit ends only if
                // nobody answers.
                if win.global::<Nav>().get_page() == "request" {
                    win.global::<Nav>().set_asking(true);
                    let (w, s) = (w.clone(), s.clone());
                    again.start(slint::TimerMode::SingleShot, STILL_THERE, move || {
                        if let Some(win) = w.upgrade() {
                            win.global::<Nav>().set_asking(false);
                            s.borrow_mut().form = ServiceForm::default();
                            end_visit(&win, &s);
                        }
                    });
                } else {
                    end_visit(&win, &s);
                }
            });
        });
        self.wire_finding();
        self.wire_station();
        self.wire_staff();
        let service = self.window.global::<ServiceAdapter>();
        let (w, s) = (self.window.as_weak(), self.state.clone());
        service.on_choose_service(move |id| {
            if let Some(w) = w.upgrade() {
                choose_service(&w, &s, &id);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        service.on_key(move |k| {
            if let Some(w) = w.upgrade() {
                s.borrow_mut().form.key(&k);
                show_form(&w, &s, "");
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        service.on_submit(move || {
            if let Some(w) = w.upgrade() {
                submit(&w, &s);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        catalog.on_open_category(move |id| {
            if let Some(w) = w.upgrade() {
                if id == super::browse::DIRECTORY {
                    finding::open_directory(&w, &s);
                } else {
                    open_category(&w, &s, &id);
                }
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        catalog.on_turn_page(move |by| {
            if let Some(w) = w.upgrade() {
                listing::turn(&w, &s, by);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        catalog.on_open_product(move |id| {
            if let Some(w) = w.upgrade() {
                open_product(&w, &s, &id);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        catalog.on_open_trace(move || {
            if let Some(w) = w.upgrade() {
                open_trace(&w, &s);
            }
        });
    }

    fn wire_finding(&self) {
        let catalog = self.window.global::<CatalogAdapter>();
        let (w, s) = (self.window.as_weak(), self.state.clone());
        catalog.on_open_search(move || {
            if let Some(w) = w.upgrade() {
                finding::open_search(&w, &s);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        catalog.on_search_key(move |k| {
            if let Some(w) = w.upgrade() {
                finding::key(&w, &s, &k);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        catalog.on_open_producer(move |id| {
            if let Some(w) = w.upgrade() {
                finding::open_producer(&w, &s, &id);
            }
        });
    }

    fn wire_station(&self) {
        let service = self.window.global::<ServiceAdapter>();
        let (w, s) = (self.window.as_weak(), self.state.clone());
        service.on_open_mine(move || {
            if let Some(w) = w.upgrade() {
                mine::open(&w, &s);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        service.on_lookup_mode_changed(move |m| {
            if let Some(w) = w.upgrade() {
                mine::set_mode(&w, &s, &m);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        service.on_lookup_key(move |k| {
            if let Some(w) = w.upgrade() {
                mine::key(&w, &s, &k);
            }
        });
    }

    fn wire_staff(&self) {
        let staff = self.window.global::<StaffAdapter>();
        let (w, s) = (self.window.as_weak(), self.state.clone());
        staff.on_open_staff(move || {
            if let Some(w) = w.upgrade() {
                staff::open(&w, &s);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        staff.on_pin_key(move |k| {
            if let Some(w) = w.upgrade() {
                staff::key(&w, &s, &k);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        staff.on_refresh(move || {
            if let Some(w) = w.upgrade() {
                staff::refresh(&w, &s);
            }
        });
        let s = self.state.clone();
        staff.on_switch_role(move || {
            let f = s.borrow().switch_role.clone();
            if let Some(f) = f {
                f();
            }
        });
        self.wire_desk();
    }

    fn wire_desk(&self) {
        let desk = self.window.global::<DeskAdapter>();
        let (w, s) = (self.window.as_weak(), self.state.clone());
        desk.on_open_desk(move || {
            if let Some(w) = w.upgrade() {
                desk::open(&w, &s);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        desk.on_set_direction(move |d| {
            if let Some(w) = w.upgrade() {
                desk::set_direction(&w, &s, &d);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        desk.on_choose(move |c| {
            if let Some(w) = w.upgrade() {
                desk::choose(&w, &s, &c);
            }
        });
        let (w, s) = (self.window.as_weak(), self.state.clone());
        desk.on_print_slip(move || {
            if let Some(w) = w.upgrade() {
                desk::print_slip(&w, &s);
            }
        });
    }

    /// The parcel desk, as the staff page's button opens it.
    pub fn open_desk(&self) {
        desk::open(&self.window, &self.state);
    }

    /// The desk's direction: `in`, `out` or `pick_up`.
    pub fn desk_direction(&self, d: &str) {
        desk::set_direction(&self.window, &self.state, d);
    }

    /// The keeper's tap on a carrier.
    pub fn desk_choose(&self, carrier: &str) {
        desk::choose(&self.window, &self.state, carrier);
    }

    /// A serial device's report (scans, weights, paper, presence).
    pub fn peripheral(&self, r: crate::peripherals::Report) {
        desk::report(&self.window, &self.state, r);
    }

    /// Where receipts and slips are printed (`None`: no printer).
    pub fn set_printer(&self, q: Option<crate::peripherals::printer::PrintQueue>) {
        self.state.borrow_mut().desk.set_printer(q);
    }

    /// Show a catalog version (the first, or a new one from sync).
    pub fn set_catalog(&self, snap: Arc<Snapshot>) {
        {
            let mut st = self.state.borrow_mut();
            st.snap = Some(snap.clone());
            st.cache.clear();
            st.index = Some(Rc::new(SearchIndex::build(&snap)));
        }
        fill(&self.window, &self.state);
        self.window.global::<CatalogAdapter>().set_version_label(format!("v{}", snap.version).into());
    }

    /// A new county day: certificates are shown in force or expired by it.
    pub fn set_today(&self, today: &str) {
        if self.state.borrow().today == today {
            return;
        }
        self.state.borrow_mut().today = today.to_owned();
        fill(&self.window, &self.state);
    }

    /// The screen as it is now, as PNG bytes (the hub's `screenshot`).
    pub fn screenshot_png(&self) -> Result<Vec<u8>, String> {
        let shot = self.window.window().take_snapshot().map_err(|e| e.to_string())?;
        Ok(super::snapshot::png_rgba(shot.width(), shot.height(), shot.as_bytes()))
    }

    pub fn set_language(&self, lang: Lang) {
        set_language(&self.window, &self.state, lang);
    }

    pub fn set_status(&self, online: bool, syncing: bool, progress: f32) {
        let s = self.window.global::<StatusAdapter>();
        s.set_online(online);
        s.set_syncing(syncing);
        s.set_sync_progress(progress);
    }

    /// A touch on the attract loop: the visit starts.
    pub fn wake(&self) {
        self.window.global::<Nav>().invoke_wake();
    }

    /// The demo's role switch, as its footer button does.
    pub fn switch_role(&self) {
        self.window.global::<StaffAdapter>().invoke_switch_role();
    }

    /// Back to the attract loop (the inactivity timer, and screenshots).
    pub fn attract(&self) {
        self.state.borrow_mut().history.clear();
        go(&self.window, &self.state, "attract", false);
    }

    pub fn open_category(&self, id: &str) {
        open_category(&self.window, &self.state, id);
    }

    /// The category page's previous (`-1`) or next (`1`) page.
    pub fn turn_page(&self, by: i32) {
        listing::turn(&self.window, &self.state, by);
    }

    pub fn open_product(&self, id: &str) {
        open_product(&self.window, &self.state, id);
    }

    pub fn open_trace(&self) {
        open_trace(&self.window, &self.state);
    }

    /// The home page, as the Home button does.
    pub fn home(&self) {
        self.state.borrow_mut().history.clear();
        go(&self.window, &self.state, "home", false);
    }

    /// Act as a village station (`Some(station number)`) or a showroom.
    pub fn set_station(&self, station: Option<u16>) {
        let mut st = self.state.borrow_mut();
        st.station = station.is_some();
        st.station_no = station.unwrap_or(0);
        self.window.global::<StaffAdapter>().set_station(st.station);
    }

    /// Record into another kiosk's runtime, with its images (the demo's
    /// role switch). The catalog comes next through [`KioskUi::set_catalog`].
    pub fn attach(&self, recorder: Option<Handle>, images: ImagePath) {
        let mut st = self.state.borrow_mut();
        st.recorder = recorder;
        st.images = images;
        st.cache.clear();
    }

    /// `kiosk --demo`: show the role switch, which calls `switch`.
    pub fn offer_role_switch(&self, switch: Rc<dyn Fn()>) {
        self.state.borrow_mut().switch_role = Some(switch);
        self.window.global::<StaffAdapter>().set_demo(true);
    }

    /// The enterprise directory, the search page and a key on its keyboard,
    /// "my requests", the staff PIN page (tests and screenshots).
    pub fn directory(&self) {
        finding::open_directory(&self.window, &self.state);
    }

    pub fn search(&self) {
        finding::open_search(&self.window, &self.state);
    }

    pub fn search_key(&self, k: &str) {
        finding::key(&self.window, &self.state, k);
    }

    pub fn my_requests(&self) {
        mine::open(&self.window, &self.state);
    }

    pub fn lookup_mode(&self, mode: &str) {
        mine::set_mode(&self.window, &self.state, mode);
    }

    pub fn lookup_key(&self, k: &str) {
        mine::key(&self.window, &self.state, k);
    }

    pub fn staff(&self) {
        staff::open(&self.window, &self.state);
    }

    pub fn pin_key(&self, k: &str) {
        staff::key(&self.window, &self.state, k);
    }

    /// The station's service catalogue, and a service's request form.
    pub fn services(&self) {
        go(&self.window, &self.state, "services", false);
    }

    pub fn choose_service(&self, id: &str) {
        choose_service(&self.window, &self.state, id);
    }

    /// Type on the keypad (tests and screenshots).
    pub fn key(&self, k: &str) {
        self.state.borrow_mut().form.key(k);
        show_form(&self.window, &self.state, "");
    }

    pub fn choose_village(&self, v: &str) {
        self.window.global::<ServiceAdapter>().set_village(v.into());
    }

    pub fn submit(&self) {
        submit(&self.window, &self.state);
    }

    /// Show the window and run the event loop until it closes (or the hub
    /// asks for a restart).
    pub fn run(&self) -> Result<(), slint::PlatformError> {
        self.window.run()
    }

    /// `zh` or `en`.
    pub fn language(&self) -> String {
        self.window.global::<Nav>().get_language().to_string()
    }

    pub fn page(&self) -> String {
        self.window.global::<Nav>().get_page().to_string()
    }
}

/// The visitor has gone: record the visit and show the attract loop.
fn end_visit(w: &AppWindow, s: &Rc<RefCell<State>>) {
    if w.global::<Nav>().get_page() == "attract" {
        return;
    }
    s.borrow_mut().history.clear();
    go(w, s, "attract", false);
    let started = s.borrow_mut().session.take();
    if let Some(t) = started {
        s.borrow().record(EventKind::SessionEnd { duration_ms: t.elapsed().as_millis() as u64 });
    }
}

/// Rebuild everything shown from the snapshot in the current language.
fn fill(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let mut st = s.borrow_mut();
    let Some(snap) = st.snap.clone() else { return };
    let browse = Browse::new(snap, st.lang, st.today.clone());
    let featured: Vec<ProductCard> = browse.featured().iter().map(|c| st.card(c)).collect();
    let tiles: Vec<CategoryTile> = browse
        .home_tiles()
        .into_iter()
        .map(|c| CategoryTile {
            id: c.id.into(),
            name: c.name.into(),
            count: c.count as i32,
            image: st.image(c.image.as_ref()),
        })
        .collect();
    let lang = st.lang;
    let mut free = Vec::new();
    let mut paid = Vec::new();
    for i in &st.snap.as_ref().expect("checked above").items {
        if let CatalogItem::Service(v) = &i.item {
            let name = if lang == Lang::En && !v.name_en.is_empty() { &v.name_en } else { &v.name_zh };
            let price = v
                .price_fen
                .map(|f| match lang {
                    Lang::Zh => format!("{} {}", f / 100, v.price_unit_zh),
                    Lang::En => format!("¥{}{}", f / 100, super::browse::unit_en(&v.price_unit_zh)),
                })
                .unwrap_or_default();
            let item = ServiceItem {
                id: v.id.clone().into(),
                name: name.clone().into(),
                description: v.description_zh.clone().into(),
                price: price.into(),
                paid: v.kind == ServiceKind::ValueAdded,
            };
            if item.paid { paid.push(item) } else { free.push(item) }
        }
    }
    st.browse = Some(browse);
    drop(st);
    let service = w.global::<ServiceAdapter>();
    service.set_villages(model(
        VILLAGES
            .iter()
            .map(|(zh, en)| Choice {
                value: (*zh).into(),
                label: if lang == Lang::En { *en } else { *zh }.into(),
            })
            .collect(),
    ));
    service.set_free(model(free));
    service.set_paid(model(paid));
    let catalog = w.global::<CatalogAdapter>();
    catalog.set_featured(model(featured));
    catalog.set_categories(model(tiles));
    // Pages already open show the new language or version too.
    let (listed, product, batch) = {
        let st = s.borrow();
        (st.listing.clone(), st.product.as_ref().map(|p| p.0.clone()), st.batch.clone())
    };
    if let Some((source, page)) = listed {
        listing::show(w, s, source, page);
    }
    if let Some(p) = product {
        show_product(w, s, &p);
    }
    if let Some(b) = batch {
        show_trace(w, s, &b);
    }
    match w.global::<Nav>().get_page().as_str() {
        "directory" => finding::show_directory(w, s),
        "staff" => staff::refresh(w, s),
        _ => {}
    }
}

fn set_language(w: &AppWindow, s: &Rc<RefCell<State>>, lang: Lang) {
    let code = if lang == Lang::En { "en" } else { "" };
    if let Err(e) = slint::select_bundled_translation(code) {
        tracing::warn!(error = %e, "cannot switch the language");
    }
    s.borrow_mut().lang = lang;
    w.global::<Nav>().set_language(lang.code().into());
    fill(w, s);
}

fn go(w: &AppWindow, s: &Rc<RefCell<State>>, page: &str, remember: bool) {
    let page = if page == "home" && s.borrow().station { "services" } else { page };
    let nav = w.global::<Nav>();
    let from = nav.get_page().to_string();
    // A product's view ends when the visitor leaves it and its trace page.
    if page != "product" && page != "trace" {
        s.borrow_mut().leave_product();
    }
    if from == "search" && page != "search" {
        finding::leave_search(&mut s.borrow_mut());
    }
    if remember && from != page && from != "attract" {
        s.borrow_mut().history.push(from);
    }
    nav.set_page(SharedString::from(page));
}

fn open_category(w: &AppWindow, s: &Rc<RefCell<State>>, id: &str) {
    s.borrow().record(EventKind::CategoryOpen { category: id.to_owned() });
    listing::show(w, s, listing::Source::Category(id.to_owned()), 0);
    go(w, s, "category", true);
}

fn show_product(w: &AppWindow, s: &Rc<RefCell<State>>, id: &str) {
    let mut st = s.borrow_mut();
    let Some(d) = st.browse.as_ref().and_then(|b| b.detail(id)) else { return };
    let images: Vec<Image> = d.images.iter().map(|sha| st.image(Some(sha))).collect();
    st.batch = d.batch.as_ref().map(|b| b.0.clone());
    drop(st);
    let detail = ProductDetail {
        id: d.id.into(),
        name: d.name.into(),
        spec: d.spec.into(),
        price: d.price.into(),
        producer: d.producer.into(),
        origin: d.origin.into(),
        intro: d.intro.into(),
        images: model(images),
        certificates: model(
            d.certificates
                .into_iter()
                .map(|c| Certificate {
                    name: c.name.into(),
                    number: c.number.into(),
                    valid: c.valid.into(),
                    in_force: c.in_force,
                })
                .collect(),
        ),
        shops: model(
            d.shops
                .iter()
                .map(|(label, url)| ShopCode { label: label.into(), qr: super::qr::image(url) })
                .collect(),
        ),
        has_trace: d.batch.is_some(),
        batch: d.batch.as_ref().map(|b| b.1.clone()).unwrap_or_default().into(),
        trace_qr: d.batch.as_ref().map(|b| super::qr::image(&b.2)).unwrap_or_default(),
    };
    w.global::<CatalogAdapter>().set_product(detail);
}

fn open_product(w: &AppWindow, s: &Rc<RefCell<State>>, id: &str) {
    {
        let mut st = s.borrow_mut();
        st.leave_product();
        st.product = Some((id.to_owned(), Instant::now()));
    }
    show_product(w, s, id);
    go(w, s, "product", true);
}

fn show_trace(w: &AppWindow, s: &Rc<RefCell<State>>, batch: &str) {
    let st = s.borrow();
    let Some(t) = st.browse.as_ref().and_then(|b| b.trace(batch)) else { return };
    drop(st);
    let view = TraceView {
        product: t.product.into(),
        lot: t.lot.into(),
        origin: t.origin.into(),
        produced: t.produced.into(),
        best_before: t.best_before.into(),
        certificate: t.certificate.into(),
        producer: t.producer.into(),
        qr: super::qr::image(&t.uri),
        rows: model(
            t.rows
                .into_iter()
                .map(|(date, stage, actor, detail)| TraceRow {
                    date: date.into(),
                    stage: stage.into(),
                    actor: actor.into(),
                    detail: detail.into(),
                })
                .collect(),
        ),
    };
    w.global::<CatalogAdapter>().set_trace(view);
}

fn open_trace(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let Some(batch) = s.borrow().batch.clone() else { return };
    s.borrow().record(EventKind::TraceOpen { batch_id: batch.clone() });
    show_trace(w, s, &batch);
    go(w, s, "trace", true);
}

/// Show a batch's trace page (its code was scanned).
fn open_batch(w: &AppWindow, s: &Rc<RefCell<State>>, batch: &str) {
    s.borrow_mut().batch = Some(batch.to_owned());
    open_trace(w, s);
}

fn choose_service(w: &AppWindow, s: &Rc<RefCell<State>>, id: &str) {
    let found = s.borrow().snap.as_ref().and_then(|snap| {
        snap.items.iter().find_map(|i| match &i.item {
            CatalogItem::Service(v) if v.id == id => {
                Some((v.name_zh.clone(), v.name_en.clone(), v.is_complaint))
            }
            _ => None,
        })
    });
    let Some((zh, en, complaint)) = found else { return };
    let name = if s.borrow().lang == Lang::En && !en.is_empty() { en } else { zh };
    s.borrow_mut().form = ServiceForm::start(id, &name, complaint);
    let service = w.global::<ServiceAdapter>();
    service.set_service_name(name.into());
    service.set_village(SharedString::default());
    show_form(w, s, "");
    go(w, s, "request", true);
}

fn show_form(w: &AppWindow, s: &Rc<RefCell<State>>, error: &str) {
    let st = s.borrow();
    let service = w.global::<ServiceAdapter>();
    service.set_phone_shown(st.form.phone_shown().into());
    service.set_phone_ok(st.form.phone_ok());
    service.set_error(error.into());
}

/// Take the request: recorded (with its ticket number) before the receipt shows.
fn submit(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let service = w.global::<ServiceAdapter>();
    let village = service.get_village().to_string();
    let (form, lang) = {
        let st = s.borrow();
        (st.form.clone(), st.lang)
    };
    let zh = lang == Lang::Zh;
    if village.is_empty() {
        return show_form(w, s, if zh { "请先选择乡镇" } else { "Please choose your town first" });
    }
    if !form.phone_ok() {
        let msg = if zh {
            "请输入 11 位手机号码或带区号的座机号码"
        } else {
            "Please enter an 11-digit mobile number or a landline with area code"
        };
        return show_form(w, s, msg);
    }
    let request = RequestForm {
        service_id: form.service_id.clone(),
        village: village.clone(),
        phone: form.phone().to_owned(),
        name: None,
        note: None,
        is_complaint: form.is_complaint,
    };
    let recorder = s.borrow().recorder.clone();
    let (ticket, at) = match recorder {
        Some(r) => match r.submit_request(&request) {
            Ok(mine) => (mine.ticket_no, mine.submitted_at),
            Err(e) => {
                tracing::error!(error = %e, "request not recorded");
                let msg = if zh {
                    "暂时无法提交，请联系站点工作人员"
                } else {
                    "Cannot submit now; please ask the station keeper"
                };
                return show_form(w, s, msg);
            }
        },
        // Screenshots: a sample number of this station.
        None => {
            let t = crate::store::now_ms();
            let no =
                protocol::TicketNo::new(&crate::runtime::county_yymmdd(t), s.borrow().station_no.max(1), 1)
                    .map(|t| t.to_string())
                    .unwrap_or_default();
            (no, t)
        }
    };
    let grouped = protocol::TicketNo::parse(&ticket).map(|t| t.grouped()).unwrap_or_else(|_| ticket.clone());
    let due = crate::ui::browse::county_time(at + 48 * 3_600_000);
    service.set_receipt(RequestReceipt {
        ticket: grouped.into(),
        service: form.service_name.clone().into(),
        village: super::service_form::village_label(&village, !zh).into(),
        phone: protocol::privacy::mask_phone(form.phone()).into(),
        due: due.into(),
        qr: super::qr::image(&ticket),
    });
    print_request(s, &form, &village, &ticket, at, zh);
    s.borrow_mut().form = ServiceForm::default();
    show_form(w, s, "");
    go(w, s, "receipt", false);
}

/// The villager's paper receipt, when the station has a printer.
fn print_request(s: &Rc<RefCell<State>>, form: &ServiceForm, village: &str, ticket: &str, at: u64, zh: bool) {
    let st = s.borrow();
    let Some(printer) = st.desk.printer().cloned() else { return };
    let station = st.recorder.as_ref().map(|r| r.config().id.to_string()).unwrap_or_default();
    drop(st);
    let slip = crate::peripherals::receipts::RequestSlip {
        station,
        ticket_no: ticket.to_owned(),
        service: form.service_name.clone(),
        village: super::service_form::village_label(village, !zh).to_owned(),
        phone_masked: protocol::privacy::mask_phone(form.phone()),
        submitted: crate::ui::browse::county_time(at),
        due: crate::ui::browse::county_time(at + 48 * 3_600_000),
    };
    printer.print(crate::peripherals::receipts::request_receipt(
        crate::peripherals::escpos::Profile::STATION_58MM,
        &slip,
    ));
}
