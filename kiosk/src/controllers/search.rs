//! Search with the on-screen keyboard: what is typed, and the query
//! recorded once when the visitor leaves the page, with how many results it
//! found (what visitors look for and do not find is a figure the county
//! wants).

use super::catalog_view::{CatalogView, ResultView};
use crate::search::SearchIndex;
use protocol::messages::EventKind;

/// Results shown for one query.
pub const RESULTS: usize = 30;
/// Longer queries are not a search (a stuck key, a child).
const MAX_QUERY: usize = 24;

#[derive(Debug, Default)]
pub struct Search {
    query: String,
    recorded: bool,
    found: Vec<ResultView>,
}

impl Search {
    /// The search page opens empty.
    pub fn open(&mut self) {
        *self = Search::default();
    }

    /// A key of the on-screen keyboard: a letter or digit, `back` or
    /// `clear`. Returns false for a key that changes nothing.
    pub fn key(&mut self, k: &str) -> bool {
        let k = k.to_ascii_lowercase();
        if !super::keypad::press(&mut self.query, &k, MAX_QUERY, |c| c.is_ascii_alphanumeric()) {
            return false;
        }
        self.recorded = false;
        true
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    /// Look the query up again (it changed, or the catalog or language did).
    pub fn refresh(&mut self, view: &CatalogView, index: &SearchIndex) {
        self.found = view.search(index, &self.query, RESULTS);
    }

    /// The best results for the query as typed.
    pub fn results(&self) -> &[ResultView] {
        &self.found
    }

    /// Leaving the page: the query to record, once.
    pub fn leave(&mut self) -> Option<EventKind> {
        if self.query.is_empty() || self.recorded {
            return None;
        }
        self.recorded = true;
        Some(EventKind::Search { query: self.query.clone(), results: self.found.len() as u32 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_typed_and_recorded_once_on_leaving() {
        let mut s = Search::default();
        assert!(s.key("Y") && s.key("c") && !s.key("、"));
        assert_eq!(s.query(), "yc");
        assert_eq!(s.leave(), Some(EventKind::Search { query: "yc".into(), results: 0 }));
        assert_eq!(s.leave(), None);
        s.key("back");
        assert_eq!(
            s.leave(),
            Some(EventKind::Search { query: "y".into(), results: 0 }),
            "a changed query again"
        );
        s.open();
        assert_eq!(s.leave(), None, "nothing typed, nothing recorded");
    }
}
