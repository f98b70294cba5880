//! Which page is on screen, where "back" goes, and the visit: it starts with
//! a touch on the attract loop and ends when the kiosk has been left alone
//! (a half-filled request form asks "还在吗？" first).

use std::time::{Duration, Instant};

/// Every page of the kiosk. The Slint side has the same list as
/// `export enum Page` (`ui/globals.slint`); the navigation adapter maps one
/// to the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    Attract,
    Home,
    Category,
    Product,
    Trace,
    Directory,
    Search,
    Services,
    Request,
    Receipt,
    Mine,
    /// Stories of local people and enterprises, and one story.
    Stories,
    Story,
    /// The station's training calendar, a session, the jobs board.
    Training,
    Session,
    Jobs,
    Pin,
    Staff,
    Desk,
}

impl Page {
    /// The page's name in logs and tests.
    pub fn name(self) -> &'static str {
        match self {
            Page::Attract => "attract",
            Page::Home => "home",
            Page::Category => "category",
            Page::Product => "product",
            Page::Trace => "trace",
            Page::Directory => "directory",
            Page::Search => "search",
            Page::Services => "services",
            Page::Request => "request",
            Page::Receipt => "receipt",
            Page::Mine => "mine",
            Page::Stories => "stories",
            Page::Story => "story",
            Page::Training => "training",
            Page::Session => "session",
            Page::Jobs => "jobs",
            Page::Pin => "pin",
            Page::Staff => "staff",
            Page::Desk => "desk",
        }
    }
}

impl std::fmt::Display for Page {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the inactivity timer does when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idle {
    /// A form is half filled: ask "还在吗？" and wait a little longer.
    AskStillThere,
    /// The visitor has gone.
    EndVisit,
}

#[derive(Debug)]
pub struct Navigation {
    page: Page,
    /// Pages to go back to.
    history: Vec<Page>,
    /// A village station: its home page is the service catalogue.
    station: bool,
    /// When the visitor left the attract loop.
    visit_started: Option<Instant>,
}

impl Navigation {
    pub fn new(station: bool) -> Navigation {
        Navigation { page: Page::Attract, history: Vec::new(), station, visit_started: None }
    }

    pub fn page(&self) -> Page {
        self.page
    }

    pub fn is_station(&self) -> bool {
        self.station
    }

    pub fn set_station(&mut self, station: bool) {
        self.station = station;
    }

    /// The first page of a visit: the categories, or a station's services.
    pub fn home_page(&self) -> Page {
        if self.station { Page::Services } else { Page::Home }
    }

    /// Show `to` (`Home` means this kiosk's home page); with `remember`,
    /// "back" returns to the page left. Returns the page left.
    pub fn go(&mut self, to: Page, remember: bool) -> Page {
        let to = if to == Page::Home { self.home_page() } else { to };
        let from = self.page;
        if remember && from != to && from != Page::Attract {
            self.history.push(from);
        }
        if to == self.home_page() || to == Page::Attract {
            self.history.clear();
        }
        self.page = to;
        from
    }

    /// Back to the page before, or home. Returns the page left.
    pub fn back(&mut self) -> Page {
        let to = self.history.pop().unwrap_or(Page::Home);
        let from = self.page;
        self.page = if to == Page::Home { self.home_page() } else { to };
        from
    }

    /// A touch on the attract loop: the visit starts on the home page.
    pub fn wake(&mut self, now: Instant) -> Page {
        self.visit_started = Some(now);
        self.go(Page::Home, false)
    }

    /// The inactivity timer fired.
    pub fn on_idle(&self) -> Idle {
        if self.page == Page::Request { Idle::AskStillThere } else { Idle::EndVisit }
    }

    /// The visitor has gone: back to the attract loop. Returns how long the
    /// visit lasted (none when there was no visit), and the page left.
    pub fn end_visit(&mut self, now: Instant) -> (Option<Duration>, Page) {
        if self.page == Page::Attract {
            return (None, Page::Attract);
        }
        let from = self.go(Page::Attract, false);
        (self.visit_started.take().map(|t| now.saturating_duration_since(t)), from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_retraces_the_visit_and_home_depends_on_the_kiosk() {
        let t0 = Instant::now();
        let mut nav = Navigation::new(false);
        assert_eq!(nav.wake(t0), Page::Attract);
        assert_eq!(nav.page(), Page::Home);
        nav.go(Page::Category, true);
        nav.go(Page::Product, true);
        nav.go(Page::Trace, true);
        assert_eq!(nav.back(), Page::Trace);
        assert_eq!(nav.page(), Page::Product);
        nav.back();
        nav.back();
        assert_eq!(nav.page(), Page::Home);
        nav.back();
        assert_eq!(nav.page(), Page::Home, "nothing left: home");

        let mut station = Navigation::new(true);
        station.wake(t0);
        assert_eq!(station.page(), Page::Services);
        station.go(Page::Request, true);
        assert_eq!(station.on_idle(), Idle::AskStillThere);
        station.go(Page::Home, false);
        assert_eq!(station.page(), Page::Services, "a station's home is its services");
        assert_eq!(station.on_idle(), Idle::EndVisit);
    }

    #[test]
    fn a_visit_is_timed_once() {
        let t0 = Instant::now();
        let mut nav = Navigation::new(false);
        assert_eq!(nav.end_visit(t0).0, None, "no visit on the attract loop");
        nav.wake(t0);
        nav.go(Page::Search, true);
        let (lasted, left) = nav.end_visit(t0 + Duration::from_secs(95));
        assert_eq!((lasted, left), (Some(Duration::from_secs(95)), Page::Search));
        assert_eq!(nav.page(), Page::Attract);
        assert_eq!(nav.end_visit(t0 + Duration::from_secs(200)).0, None);
        nav.go(Page::Category, true);
        assert_eq!(nav.back(), Page::Category);
        assert_eq!(nav.page(), Page::Home, "the history went with the visit");
    }
}
