//! How long a story, a session or a job was open, counted like a product's
//! view: the event is recorded when the visitor leaves its page.

use super::navigation::Page;
use protocol::messages::EventKind;
use std::time::Instant;

#[derive(Debug, Default)]
pub struct ContentVisit {
    /// (item kind as the catalog names it, id, its page, since)
    open: Option<(&'static str, String, Page, Instant)>,
}

impl ContentVisit {
    /// `item` `id` is now open on `page`; what was open before is over.
    pub fn open(&mut self, item: &'static str, id: &str, page: Page, now: Instant) -> Option<EventKind> {
        let left = self.close(now);
        self.open = Some((item, id.to_owned(), page, now));
        left
    }

    /// The screen shows `page`: if the item's page is gone, its view ends.
    pub fn on_page(&mut self, page: Page, now: Instant) -> Option<EventKind> {
        match &self.open {
            Some((_, _, p, _)) if *p != page => self.close(now),
            _ => None,
        }
    }

    fn close(&mut self, now: Instant) -> Option<EventKind> {
        let (item, id, _, since) = self.open.take()?;
        let dwell_ms = now.saturating_duration_since(since).as_millis() as u64;
        Some(EventKind::ContentView { item: item.to_owned(), id, dwell_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_view_ends_when_its_page_goes_and_is_counted_once() {
        let t0 = Instant::now();
        let mut v = ContentVisit::default();
        assert_eq!(v.open("session", "s1", Page::Session, t0), None);
        assert_eq!(v.on_page(Page::Session, t0 + Duration::from_secs(3)), None, "still open");
        let left = v.on_page(Page::Request, t0 + Duration::from_secs(8));
        assert_eq!(
            left,
            Some(EventKind::ContentView { item: "session".into(), id: "s1".into(), dwell_ms: 8000 })
        );
        assert_eq!(v.on_page(Page::Services, t0 + Duration::from_secs(9)), None, "once");
        v.open("job", "j1", Page::Request, t0);
        let next = v.open("job", "j2", Page::Request, t0 + Duration::from_secs(2));
        assert!(matches!(next, Some(EventKind::ContentView { id, dwell_ms: 2000, .. }) if id == "j1"));
    }
}
