//! The kiosk's screens as one controller: each method is something a
//! visitor, a villager or a keeper did (a tap, a key, a scan) or something
//! the runtime brought (a catalog, a language, a new day). It moves the
//! page controllers, records the interaction before the screen changes,
//! and notes which parts of the screen changed ([`Dirty`]) for the adapters
//! to show. Nothing here touches Slint.

use super::backend::KioskBackend;
use super::catalog_view::{CatalogView, DIRECTORY, STORIES};
use super::content_view::{ContentView, Span, StoryCard};
use super::content_visit::ContentVisit;
use super::jobs_board::JobsBoard;
use super::my_requests::{LookupMode, MyRequests};
use super::navigation::{Idle, Navigation, Page};
use super::parcel_desk::{ParcelDesk, ScanResult};
use super::pin::PinPad;
use super::search::Search;
use super::service_request::{Receipt, ServiceRequest};
use super::showroom::{Showroom, Source};
use super::training::{SignupOffer, Training};
use crate::peripherals::Report;
use crate::peripherals::escpos::Profile;
use crate::peripherals::printer::PrintQueue;
use crate::peripherals::receipts::{RequestSlip, SignupSlip, parcel_slip, request_receipt, signup_receipt};
use crate::search::SearchIndex;
use firmware_config::Language;
use protocol::catalog::{CourseKind, Snapshot};
use protocol::messages::{EventKind, ParcelDirection, SeatsLeft};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

/// Which parts of the screen changed since the adapters last looked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dirty {
    pub page: bool,
    /// Everything made from the catalog and the language: home tiles,
    /// featured products, services, and the pages open.
    pub catalog: bool,
    pub listing: bool,
    pub product: bool,
    pub trace: bool,
    pub directory: bool,
    pub search: bool,
    pub form: bool,
    pub receipt: bool,
    pub mine: bool,
    /// The stories, the open story, the attract loop's slides.
    pub stories: bool,
    /// The training calendar and the open session (with its seats).
    pub training: bool,
    pub jobs: bool,
    pub pin: bool,
    pub staff: bool,
    pub desk: bool,
}

impl Dirty {
    fn all() -> Dirty {
        Dirty {
            page: true,
            catalog: true,
            listing: true,
            product: true,
            trace: true,
            directory: true,
            search: true,
            form: true,
            receipt: true,
            mine: true,
            stories: true,
            training: true,
            jobs: true,
            pin: true,
            staff: true,
            desk: true,
        }
    }
}

/// The kiosk this window speaks for.
pub struct Identity {
    pub kiosk_id: String,
    /// A village station's number; `None` for a showroom.
    pub station: Option<u16>,
    pub staff_pin_hash: Option<String>,
}

pub struct Screens {
    backend: Rc<dyn KioskBackend>,
    identity: Identity,
    lang: Language,
    /// 长辈模式: larger text until the visit ends.
    large_text: bool,
    /// `YYYY-MM-DD`, for certificates in force and jobs still open.
    today: String,
    /// The clock (Unix ms), for the training calendar.
    now_ms: u64,
    snap: Option<Arc<Snapshot>>,
    view: Option<CatalogView>,
    content: Option<ContentView>,
    index: Option<Rc<SearchIndex>>,
    pub nav: Navigation,
    pub showroom: Showroom,
    pub search: Search,
    pub request: ServiceRequest,
    pub receipt: Option<Receipt>,
    pub mine: MyRequests,
    /// The story on screen.
    pub story: Option<StoryCard>,
    pub training: Training,
    pub jobs: JobsBoard,
    visit: ContentVisit,
    pub pin: PinPad,
    pub desk: ParcelDesk,
    printer: Option<PrintQueue>,
    dirty: Dirty,
}

impl Screens {
    pub fn new(backend: Rc<dyn KioskBackend>, identity: Identity, today: String) -> Screens {
        Screens {
            nav: Navigation::new(identity.station.is_some()),
            backend,
            identity,
            lang: Language::Zh,
            large_text: false,
            today,
            now_ms: crate::store::now_ms(),
            snap: None,
            view: None,
            content: None,
            index: None,
            showroom: Showroom::default(),
            search: Search::default(),
            request: ServiceRequest::default(),
            receipt: None,
            mine: MyRequests::default(),
            story: None,
            training: Training::default(),
            jobs: JobsBoard::default(),
            visit: ContentVisit::default(),
            pin: PinPad::default(),
            desk: ParcelDesk::default(),
            printer: None,
            dirty: Dirty::all(),
        }
    }

    /// What changed since the last call.
    pub fn take_dirty(&mut self) -> Dirty {
        std::mem::take(&mut self.dirty)
    }

    pub fn page(&self) -> Page {
        self.nav.page()
    }

    pub fn language(&self) -> Language {
        self.lang
    }

    /// Whether the larger text (长辈模式) is on.
    pub fn large_text(&self) -> bool {
        self.large_text
    }

    /// The visitor switched 长辈模式 on or off: recorded, so that the centre
    /// learns how often it is wanted; it lasts until the visit ends.
    pub fn toggle_large_text(&mut self) {
        self.large_text = !self.large_text;
        self.record(if self.large_text { EventKind::LargeTextOn } else { EventKind::LargeTextOff });
        self.dirty.page = true;
    }

    pub fn view(&self) -> Option<&CatalogView> {
        self.view.as_ref()
    }

    /// Stories, training and jobs in the language on screen.
    pub fn content(&self) -> Option<&ContentView> {
        self.content.as_ref()
    }

    pub fn snapshot(&self) -> Option<&Arc<Snapshot>> {
        self.snap.as_ref()
    }

    pub fn index(&self) -> Option<&Rc<SearchIndex>> {
        self.index.as_ref()
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    pub fn has_printer(&self) -> bool {
        self.printer.is_some()
    }

    fn record(&self, kind: EventKind) {
        if let Err(e) = self.backend.record(kind) {
            tracing::error!(error = %e, "interaction not recorded");
        }
    }

    fn record_left(&self, left: Option<EventKind>) {
        if let Some(kind) = left {
            self.record(kind);
        }
    }

    /// Show `to`; what the page left leaves behind is recorded first (a
    /// product's view with its dwell, a search query).
    fn go(&mut self, to: Page, remember: bool, now: Instant) {
        let from = self.nav.go(to, remember);
        self.left(from, now);
    }

    fn left(&mut self, from: Page, now: Instant) {
        let to = self.nav.page();
        if !matches!(to, Page::Product | Page::Trace) {
            let left = self.showroom.leave_product(now);
            self.record_left(left);
        }
        if from == Page::Search && to != Page::Search {
            let left = self.search.leave();
            self.record_left(left);
        }
        let left = self.visit.on_page(to, now);
        self.record_left(left);
        self.dirty.page = true;
    }

    // --- the runtime's side --------------------------------------------

    /// Show a catalog version (the first, or a new one from sync).
    pub fn set_catalog(&mut self, snap: Arc<Snapshot>) {
        self.index = Some(Rc::new(SearchIndex::build(&snap)));
        self.snap = Some(snap);
        self.rebuild_view();
    }

    pub fn set_language(&mut self, lang: Language) {
        self.lang = lang;
        self.rebuild_view();
        // Every page shows the UI's own words in the new language.
        self.dirty = Dirty::all();
    }

    /// A new county day: certificates are shown in force or expired by it.
    pub fn set_today(&mut self, today: &str) {
        if self.today != today {
            self.today = today.to_owned();
            self.rebuild_view();
        }
    }

    /// The clock, for the training calendar (it is read again when the
    /// calendar or a session is opened, and each new day).
    pub fn set_now(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
    }

    /// The hub's last count of seats left (kept by the runtime while the
    /// line is down).
    pub fn set_seats(&mut self, seats: Option<SeatsLeft>) {
        self.training.set_seats(seats);
        self.dirty.training = true;
        // A new count follows the hub's decisions: a sign-up on screen in
        // "my requests" may have been confirmed or waitlisted meanwhile.
        self.signups_changed();
    }

    fn rebuild_view(&mut self) {
        if let Some(snap) = &self.snap {
            self.view = Some(CatalogView::new(snap.clone(), self.lang, self.today.clone()));
            self.content = Some(ContentView::new(snap.clone(), self.lang));
            self.refresh_content();
            let page = self.dirty.page;
            self.refresh_search();
            self.dirty = Dirty::all();
            self.dirty.page = page;
        }
    }

    /// Act for another kiosk's runtime (the demo's role switch).
    pub fn attach(&mut self, backend: Rc<dyn KioskBackend>, identity: Identity) {
        self.nav.set_station(identity.station.is_some());
        self.backend = backend;
        self.identity = identity;
        self.desk = ParcelDesk::default();
        self.dirty = Dirty::all();
    }

    /// Where receipts and slips are printed (`None`: no printer).
    pub fn set_printer(&mut self, printer: Option<PrintQueue>) {
        self.printer = printer;
        self.dirty.desk = true;
    }

    // --- a visit ---------------------------------------------------------

    /// A touch on the attract loop: the visit starts.
    pub fn wake(&mut self, now: Instant) {
        self.record(EventKind::AttractExit);
        let from = self.nav.wake(now);
        self.left(from, now);
    }

    pub fn home(&mut self, now: Instant) {
        self.go(Page::Home, false, now);
    }

    pub fn back(&mut self, now: Instant) {
        let from = self.nav.back();
        self.left(from, now);
    }

    /// The inactivity timer fired.
    pub fn on_idle(&self) -> Idle {
        self.nav.on_idle()
    }

    /// The visitor has gone (nobody touched the screen, nobody answered
    /// "还在吗？"): a half-filled form is dropped, the visit is recorded.
    pub fn end_visit(&mut self, now: Instant) {
        self.request = ServiceRequest::default();
        self.dirty.form = true;
        // What the last villager looked up is not left on the screen.
        self.mine.open();
        self.dirty.mine = true;
        // The next visitor starts with the standard text size.
        self.large_text = false;
        let (lasted, from) = self.nav.end_visit(now);
        self.left(from, now);
        if let Some(d) = lasted {
            self.record(EventKind::SessionEnd { duration_ms: d.as_millis() as u64 });
        }
    }

    /// Back to the attract loop without ending a visit (start-up, screenshots).
    pub fn attract(&mut self, now: Instant) {
        self.go(Page::Attract, false, now);
    }

    // --- the showroom ----------------------------------------------------

    /// A home tile: a category, or the enterprise directory.
    pub fn open_category(&mut self, id: &str, now: Instant) {
        self.record(EventKind::CategoryOpen { category: id.to_owned() });
        if id == DIRECTORY {
            self.dirty.directory = true;
            self.go(Page::Directory, true, now);
        } else if id == STORIES {
            self.dirty.stories = true;
            self.go(Page::Stories, true, now);
        } else {
            self.showroom.open_listing(Source::Category(id.to_owned()));
            self.dirty.listing = true;
            self.go(Page::Category, true, now);
        }
    }

    /// A producer's products, on the category page.
    pub fn open_producer(&mut self, id: &str, now: Instant) {
        self.showroom.open_listing(Source::Producer(id.to_owned()));
        self.dirty.listing = true;
        self.go(Page::Category, true, now);
    }

    /// A story from the stories page (or the attract loop's tile).
    pub fn open_story(&mut self, id: &str, now: Instant) {
        let Some(story) = self.content.as_ref().and_then(|c| c.stories().into_iter().find(|s| s.id == id))
        else {
            return;
        };
        let left = self.visit.open("story", id, Page::Story, now);
        self.record_left(left);
        self.story = Some(story);
        self.dirty.stories = true;
        self.go(Page::Story, true, now);
    }

    /// "Their products" on a story: the producer's page.
    pub fn open_story_producer(&mut self, now: Instant) {
        if let Some(id) = self.story.as_ref().and_then(|s| s.producer_id.clone()) {
            self.open_producer(&id, now);
        }
    }

    pub fn turn_page(&mut self, by: i32) {
        if let Some(view) = &self.view
            && self.showroom.turn_page(view, by)
        {
            self.dirty.listing = true;
        }
    }

    pub fn open_product(&mut self, id: &str, now: Instant) {
        let Some(view) = &self.view else { return };
        let left = self.showroom.open_product(view, id, now);
        self.record_left(left);
        self.dirty.product = true;
        self.go(Page::Product, true, now);
    }

    /// The product's trace page.
    pub fn open_trace(&mut self, now: Instant) {
        let Some(batch) = self.showroom.batch().map(str::to_owned) else { return };
        self.record(EventKind::TraceOpen { batch_id: batch });
        self.dirty.trace = true;
        self.go(Page::Trace, true, now);
    }

    pub fn open_search(&mut self, now: Instant) {
        self.search.open();
        self.refresh_search();
        self.go(Page::Search, true, now);
    }

    pub fn search_key(&mut self, k: &str) {
        if self.search.key(k) {
            self.refresh_search();
        }
    }

    fn refresh_search(&mut self) {
        if let (Some(view), Some(index)) = (&self.view, &self.index) {
            self.search.refresh(view, index);
        }
        self.dirty.search = true;
    }

    // --- the station's services ------------------------------------------

    pub fn choose_service(&mut self, id: &str, now: Instant) {
        let Some(service) = self.view.as_ref().and_then(|v| v.service(id)) else { return };
        self.request = ServiceRequest::start(&service.id, &service.name, service.is_complaint);
        self.dirty.form = true;
        self.go(Page::Request, true, now);
    }

    pub fn request_key(&mut self, k: &str) {
        self.request.key(k);
        self.dirty.form = true;
    }

    pub fn choose_town(&mut self, town: &str) {
        self.request.choose_town(town);
        self.dirty.form = true;
    }

    /// Take the request or sign-up: recorded (with its number) before the
    /// receipt shows, and printed when the station has a printer.
    pub fn submit(&mut self, now: Instant) {
        self.dirty.form = true;
        let Some(receipt) = self.request.submit(self.backend.as_ref()) else { return };
        if let Some(printer) = &self.printer {
            let station = self.identity.kiosk_id.clone();
            let bytes = match &receipt.signup {
                Some((when, place)) => signup_receipt(
                    Profile::STATION_58MM,
                    &SignupSlip {
                        station,
                        number: receipt.ticket.clone(),
                        course: receipt.service.clone(),
                        when: when.clone(),
                        place: place.clone(),
                        village: receipt.town.clone(),
                        phone_masked: receipt.phone_masked.clone(),
                        taken: receipt.submitted.clone(),
                    },
                ),
                None => request_receipt(
                    Profile::STATION_58MM,
                    &RequestSlip {
                        station,
                        ticket_no: receipt.ticket.clone(),
                        service: receipt.service.clone(),
                        village: receipt.town.clone(),
                        phone_masked: receipt.phone_masked.clone(),
                        submitted: receipt.submitted.clone(),
                        due: receipt.due.clone(),
                    },
                ),
            };
            printer.print(bytes);
        }
        self.receipt = Some(receipt);
        self.request = ServiceRequest::default();
        self.dirty.receipt = true;
        self.go(Page::Receipt, false, now);
    }

    pub fn open_mine(&mut self, now: Instant) {
        self.mine.open();
        self.dirty.mine = true;
        self.go(Page::Mine, true, now);
    }

    pub fn lookup_mode(&mut self, mode: LookupMode) {
        self.mine.set_mode(mode);
        self.dirty.mine = true;
    }

    pub fn lookup_key(&mut self, k: &str) {
        self.mine.key(k, self.backend.as_ref());
        self.dirty.mine = true;
    }

    /// "Cancel" on a sign-up in "my requests": the event goes to the hub,
    /// which frees the seat; the card shows the cancellation at once.
    pub fn cancel_signup(&mut self, signup_id: &str) {
        if let Err(e) = self.backend.cancel_signup(signup_id) {
            tracing::error!(error = %e, "cancellation not recorded");
        }
        self.mine.look_up(self.backend.as_ref());
        self.dirty.mine = true;
    }

    /// "My requests", if open, reads its sign-ups again.
    fn signups_changed(&mut self) {
        if self.mine.found.is_some() {
            self.mine.look_up(self.backend.as_ref());
            self.dirty.mine = true;
        }
    }

    // --- training and jobs (stations) ------------------------------------

    fn refresh_content(&mut self) {
        if let Some(content) = &self.content {
            self.training.refresh(content, self.now_ms);
            self.jobs.refresh(content, &self.today);
            if let Some(open) = &self.story {
                self.story = content.stories().into_iter().find(|s| s.id == open.id);
            }
        }
        // Not the stories: a calendar or jobs tap must not redraw the
        // attract pictures (a new catalog marks everything dirty anyway).
        self.dirty.training = true;
        self.dirty.jobs = true;
    }

    /// The county date, `YYYY-MM-DD`.
    pub fn today(&self) -> &str {
        &self.today
    }

    pub fn open_training(&mut self, now: Instant) {
        self.training.open();
        self.refresh_content();
        self.go(Page::Training, true, now);
    }

    pub fn calendar_span(&mut self, span: Span) {
        self.training.set_span(span);
        self.refresh_content();
    }

    /// A kind chip (`None`: all kinds).
    pub fn calendar_kind(&mut self, kind: Option<CourseKind>) {
        self.training.set_kind(kind);
        self.refresh_content();
    }

    pub fn calendar_dedicated(&mut self, on: bool) {
        self.training.set_dedicated_only(on);
        self.refresh_content();
    }

    pub fn open_session(&mut self, id: &str, now: Instant) {
        let Some(content) = &self.content else { return };
        if !self.training.open_session(content, id, self.now_ms) {
            return;
        }
        let left = self.visit.open("session", id, Page::Session, now);
        self.record_left(left);
        self.dirty.training = true;
        self.go(Page::Session, true, now);
    }

    /// "Sign up" on a session's page: the form, for this session.
    pub fn start_signup(&mut self, now: Instant) {
        let Some(s) = &self.training.open else { return };
        if Training::offer(s) != SignupOffer::Kiosk {
            return;
        }
        self.request = ServiceRequest::signup(&s.id, &s.title, &s.when(), &s.place_line());
        self.dirty.form = true;
        self.go(Page::Request, true, now);
    }

    pub fn open_jobs(&mut self, now: Instant) {
        self.jobs.open();
        self.refresh_content();
        self.go(Page::Jobs, true, now);
    }

    /// A town chip on the jobs board (`None`: every town).
    pub fn jobs_town(&mut self, town: Option<String>) {
        self.jobs.choose_town(town);
        self.refresh_content();
    }

    /// "I am interested": the call-back form for this job.
    pub fn job_interest(&mut self, id: &str, now: Instant) {
        let Some(job) = self.jobs.job(id) else { return };
        let title = format!("{} · {}", job.title, job.enterprise);
        self.request = ServiceRequest::job_interest(id, &title);
        let left = self.visit.open("job", id, Page::Request, now);
        self.record_left(left);
        self.dirty.form = true;
        self.go(Page::Request, true, now);
    }

    /// A session's course title and start, for "my requests".
    pub fn session_title(&self, id: &str) -> Option<(String, String)> {
        let s = self.content.as_ref()?.session_ever(id)?;
        Some((s.title, s.starts))
    }

    /// A service's name in the language on screen.
    pub fn service_name(&self, id: &str) -> Option<String> {
        self.view.as_ref()?.service_name(id)
    }

    // --- staff -------------------------------------------------------------

    pub fn open_staff(&mut self, now: Instant) {
        self.pin.open();
        self.dirty.pin = true;
        self.go(Page::Pin, true, now);
    }

    pub fn pin_key(&mut self, k: &str, now: Instant) {
        self.dirty.pin = true;
        if self.pin.key(k, self.identity.staff_pin_hash.as_deref(), now) {
            self.dirty.staff = true;
            self.go(Page::Staff, false, now);
        }
    }

    /// The staff page's "refresh".
    pub fn refresh_staff(&mut self) {
        self.dirty.staff = true;
    }

    /// The parcel desk (stations only), from the staff page.
    pub fn open_desk(&mut self, now: Instant) {
        if self.identity.station.is_none() {
            return;
        }
        self.dirty.desk = true;
        self.go(Page::Desk, true, now);
    }

    pub fn desk_direction(&mut self, d: ParcelDirection) {
        self.desk.set_direction(d);
        self.dirty.desk = true;
    }

    pub fn desk_choose(&mut self, carrier: &str) {
        self.desk.choose_carrier(self.backend.as_ref(), carrier);
        self.dirty.desk = true;
    }

    pub fn print_slip(&mut self) {
        self.dirty.desk = true;
        if let Some(slip) = self.desk.slip(&self.identity.kiosk_id, self.printer.is_some())
            && let Some(printer) = &self.printer
        {
            printer.print(parcel_slip(Profile::STATION_58MM, &slip));
        }
    }

    /// A serial device's report. A scan on the desk page is a parcel;
    /// anywhere, a product's trace code opens its trace page. Returns true
    /// for a scan at the desk: the keeper is at work and the page stays.
    pub fn peripheral(&mut self, r: Report, now: Instant) -> bool {
        self.dirty.desk = true;
        let Some(scan) = self.desk.report(r) else { return false };
        let on_desk = self.nav.page() == Page::Desk;
        let code = if on_desk {
            match self.desk.scan(self.backend.as_ref(), &scan) {
                ScanResult::Done => return true,
                ScanResult::TraceCode(code) => code,
            }
        } else {
            scan.text.trim().to_owned()
        };
        match self.view.as_ref().and_then(|v| v.batch_of_trace_code(&code)) {
            Some(batch) => {
                self.showroom.set_batch(&batch);
                self.open_trace(now);
            }
            None if on_desk => self.desk.not_a_trace_code(),
            None => tracing::info!("scan outside the parcel desk ignored"),
        }
        on_desk
    }
}

/// The screens without a window: the sample catalog, a fake runtime.
#[cfg(all(test, feature = "demo"))]
mod tests {
    use super::*;
    use crate::controllers::backend::fake::FakeBackend;
    use std::time::Duration;

    fn screens(station: Option<u16>) -> (tempfile::TempDir, Rc<FakeBackend>, Screens) {
        let tmp = tempfile::tempdir().unwrap();
        let (snap, _) =
            crate::demo::sample::load(&crate::demo::sample::default_catalog(), tmp.path()).unwrap();
        let backend = Rc::new(FakeBackend::default());
        let identity = Identity {
            kiosk_id: "k1".into(),
            station,
            staff_pin_hash: Some(firmware_config::pin::hash("2468", b"salt")),
        };
        let mut s = Screens::new(backend.clone(), identity, "2026-11-29".into());
        s.set_catalog(snap);
        (tmp, backend, s)
    }

    fn events(b: &FakeBackend) -> Vec<String> {
        b.events.borrow().iter().map(|e| e.name().to_owned()).collect()
    }

    #[test]
    fn a_showroom_visit_is_recorded_before_the_screen_changes() {
        let (_tmp, backend, mut s) = screens(None);
        let t0 = Instant::now();
        s.take_dirty();
        s.wake(t0);
        assert_eq!(s.page(), Page::Home);
        assert!(s.take_dirty().page);
        s.open_category("farm_produce", t0);
        let listing = s.showroom.listing_page(s.view().unwrap()).unwrap();
        let product = listing.cards[0].id.clone();
        s.open_product(&product, t0 + Duration::from_secs(1));
        s.open_trace(t0 + Duration::from_secs(2));
        assert_eq!(s.page(), Page::Trace);
        assert_eq!(
            events(&backend),
            ["attract_exit", "category_open", "trace_open"],
            "the view waits for its dwell"
        );
        s.back(t0 + Duration::from_secs(3));
        s.back(t0 + Duration::from_secs(5));
        assert_eq!(s.page(), Page::Category);
        let last = backend.events.borrow().last().cloned();
        assert_eq!(last, Some(EventKind::ProductView { product_id: product, dwell_ms: 4000 }));
        s.open_search(t0);
        s.search_key("y");
        s.search_key("c");
        assert!(!s.search.results().is_empty(), "yc finds 油茶");
        s.end_visit(t0 + Duration::from_secs(60));
        assert_eq!(s.page(), Page::Attract);
        assert_eq!(&events(&backend)[4..], ["search", "session_end"]);
    }

    #[test]
    fn a_station_takes_a_request_and_opens_the_desk_from_the_staff_page() {
        let (_tmp, backend, mut s) = screens(Some(12));
        let t0 = Instant::now();
        s.wake(t0);
        assert_eq!(s.page(), Page::Services);
        let (_, paid) = s.view().unwrap().services();
        s.choose_service(&paid[0].id, t0);
        s.submit(t0);
        assert_eq!(s.page(), Page::Request);
        assert_eq!(s.request.problem, Some(super::super::service_request::FormProblem::ChooseTown));
        s.choose_town("石南镇");
        "13812345678".chars().for_each(|k| s.request_key(&k.to_string()));
        s.submit(t0);
        assert_eq!(s.page(), Page::Receipt);
        assert_eq!(backend.submitted.borrow().len(), 1);
        assert_eq!(s.receipt.as_ref().unwrap().phone_masked, "138****5678");
        s.open_staff(t0);
        "2468".chars().for_each(|k| s.pin_key(&k.to_string(), t0));
        s.pin_key("ok", t0);
        assert_eq!(s.page(), Page::Staff);
        s.open_desk(t0);
        assert_eq!(s.page(), Page::Desk);
    }

    #[test]
    fn a_new_language_redraws_everything() {
        let (_tmp, _backend, mut s) = screens(None);
        s.take_dirty();
        s.set_language(Language::En);
        let d = s.take_dirty();
        assert!(d.catalog && d.listing && d.product && d.staff && d.desk && d.form);
        assert_eq!(s.view().unwrap().lang(), Language::En);
        assert_eq!(s.take_dirty(), Dirty::default());
    }
}
