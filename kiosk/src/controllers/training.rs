//! The station's training calendar and a session's page: what is on this
//! week or this month (by kind, or only the sessions for women, people with
//! disabilities and low-income households), and for one session the seats
//! the hub last counted. Seats are never promised here: the hub decides.

use super::content_view::{CalendarFilter, ContentView, SessionCard, Span};
use protocol::catalog::{CourseKind, SignupWay};
use protocol::messages::{SeatsLeft, SessionSeats};

#[derive(Clone, Debug, PartialEq)]
pub struct Training {
    pub filter: CalendarFilter,
    /// The calendar as filtered, soonest first.
    pub sessions: Vec<SessionCard>,
    /// The session whose page is open.
    pub open: Option<SessionCard>,
    /// The hub's last count, kept while the line is down.
    seats: Option<SeatsLeft>,
}

impl Default for Training {
    fn default() -> Training {
        Training {
            // A month shows most villagers something to come to.
            filter: CalendarFilter { span: Span::Month, kind: None, dedicated_only: false },
            sessions: Vec::new(),
            open: None,
            seats: None,
        }
    }
}

/// What a session's page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignupOffer {
    /// Sign up here.
    Kiosk,
    /// Telephone the organiser (the note says where).
    Phone,
    /// No sign-up: come along.
    WalkIn,
    /// Sign-up has closed.
    Closed,
}

impl Training {
    /// A new calendar: the filter as it was last time in this visit is not
    /// kept, so every villager starts from the same page.
    pub fn open(&mut self) {
        let seats = self.seats.take();
        *self = Training { seats, ..Training::default() };
    }

    pub fn set_span(&mut self, span: Span) {
        self.filter.span = span;
    }

    /// A kind chip; `None` is "all kinds".
    pub fn set_kind(&mut self, kind: Option<CourseKind>) {
        self.filter.kind = kind;
    }

    pub fn set_dedicated_only(&mut self, on: bool) {
        self.filter.dedicated_only = on;
    }

    /// Compute the calendar and the open session again (a new filter, a
    /// new catalog, a new language, time passing).
    pub fn refresh(&mut self, content: &ContentView, now_ms: u64) {
        self.sessions = content.calendar(self.filter, now_ms);
        if let Some(open) = &self.open {
            self.open = content.session(&open.id, now_ms);
        }
    }

    /// Open a session's page; false when it is over or unknown.
    pub fn open_session(&mut self, content: &ContentView, id: &str, now_ms: u64) -> bool {
        self.open = content.session(id, now_ms);
        self.open.is_some()
    }

    pub fn set_seats(&mut self, seats: Option<SeatsLeft>) {
        self.seats = seats;
    }

    /// The hub's count for a session, and when it counted (Unix ms); none
    /// until the hub has said (or when it does not take kiosk sign-ups).
    pub fn seats_of(&self, session_id: &str) -> Option<(SessionSeats, u64)> {
        let s = self.seats.as_ref()?;
        s.sessions.get(session_id).map(|n| (*n, s.ts))
    }

    pub fn offer(card: &SessionCard) -> SignupOffer {
        match card.signup {
            _ if card.closed => SignupOffer::Closed,
            SignupWay::Kiosk => SignupOffer::Kiosk,
            SignupWay::Phone => SignupOffer::Phone,
            SignupWay::WalkIn => SignupOffer::WalkIn,
        }
    }
}

#[cfg(all(test, feature = "demo"))]
mod tests {
    use super::*;
    use firmware_config::Language;

    /// 2026-12-01 08:00 in the county.
    const NOW: u64 = 1_796_083_200_000;

    fn content() -> ContentView {
        let work = tempfile::tempdir().unwrap();
        let (snap, _) =
            crate::demo::sample::load(&crate::demo::sample::default_catalog(), work.path()).unwrap();
        ContentView::new(snap, Language::Zh)
    }

    #[test]
    fn filters_narrow_the_calendar_and_seats_come_from_the_hub() {
        let c = content();
        let mut t = Training::default();
        t.refresh(&c, NOW);
        let month = t.sessions.len();
        t.set_span(Span::Week);
        t.refresh(&c, NOW);
        assert!(t.sessions.len() < month);
        t.set_span(Span::Month);
        t.set_dedicated_only(true);
        t.refresh(&c, NOW);
        assert!(!t.sessions.is_empty() && t.sessions.iter().all(|s| s.audience.is_dedicated()));
        assert!(t.open_session(&c, "women-live-1215", NOW));
        assert_eq!(Training::offer(t.open.as_ref().unwrap()), SignupOffer::Kiosk);
        assert_eq!(t.seats_of("women-live-1215"), None, "nothing promised before the hub counts");
        let mut seats = SeatsLeft { ts: NOW - 60_000, ..SeatsLeft::default() };
        seats.sessions.insert("women-live-1215".into(), SessionSeats { left: 3, waiting: 0 });
        t.set_seats(Some(seats));
        assert_eq!(t.seats_of("women-live-1215").map(|(s, ts)| (s.left, ts)), Some((3, NOW - 60_000)));
        t.open();
        assert!(t.seats_of("women-live-1215").is_some(), "the count outlives the page");
        assert!(!t.filter.dedicated_only, "each villager starts from the whole month");
        t.refresh(&c, NOW + 14 * 86_400_000);
        assert!(!t.open_session(&c, "women-live-1215", NOW + 30 * 86_400_000), "over");
    }
}
