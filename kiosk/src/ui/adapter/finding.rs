//! The enterprise directory and search with the on-screen keyboard.

use super::{State, go, model};
use crate::ui::browse::DIRECTORY;
use crate::ui::{AppWindow, CatalogAdapter, ProducerEntry, SearchResult};
use protocol::messages::EventKind;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::rc::Rc;

/// Results shown for one query.
const RESULTS: usize = 30;
/// Longer queries are not a search (a stuck key, a child).
const MAX_QUERY: usize = 24;

pub(super) fn open_directory(w: &AppWindow, s: &Rc<RefCell<State>>) {
    s.borrow().record(EventKind::CategoryOpen { category: DIRECTORY.to_owned() });
    show_directory(w, s);
    go(w, s, "directory", true);
}

pub(super) fn show_directory(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let mut st = s.borrow_mut();
    let Some(entries) = st.browse.as_ref().map(|b| b.directory()) else { return };
    let rows: Vec<ProducerEntry> = entries
        .into_iter()
        .map(|e| ProducerEntry {
            logo: st.image(e.logo.as_ref()),
            id: e.id.into(),
            name: e.name.into(),
            about: e.about.into(),
            contact: e.contact.into(),
            intro: e.intro.into(),
            products: e.products as i32,
        })
        .collect();
    drop(st);
    w.global::<CatalogAdapter>().set_directory(model(rows));
}

/// A producer's products, on the category page.
pub(super) fn open_producer(w: &AppWindow, s: &Rc<RefCell<State>>, id: &str) {
    super::listing::show(w, s, super::listing::Source::Producer(id.to_owned()), 0);
    go(w, s, "category", true);
}

pub(super) fn open_search(w: &AppWindow, s: &Rc<RefCell<State>>) {
    {
        let mut st = s.borrow_mut();
        st.query.clear();
        st.query_recorded = false;
    }
    show_results(w, s);
    go(w, s, "search", true);
}

/// A key of the on-screen keyboard: a letter or digit, `back` or `clear`.
pub(super) fn key(w: &AppWindow, s: &Rc<RefCell<State>>, k: &str) {
    {
        let mut st = s.borrow_mut();
        match k {
            "back" => {
                st.query.pop();
            }
            "clear" => st.query.clear(),
            k if k.len() == 1 && k.as_bytes()[0].is_ascii_alphanumeric() && st.query.len() < MAX_QUERY => {
                st.query.push_str(&k.to_ascii_lowercase())
            }
            _ => return,
        }
        st.query_recorded = false;
    }
    show_results(w, s);
}

fn show_results(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let mut st = s.borrow_mut();
    let query = st.query.clone();
    let found = match (&st.browse, &st.index) {
        (Some(b), Some(ix)) => b.search(ix, &query, RESULTS),
        _ => Vec::new(),
    };
    let rows: Vec<SearchResult> = found
        .into_iter()
        .map(|r| SearchResult {
            image: st.image(r.image.as_ref()),
            producer: r.producer,
            id: r.id.into(),
            title: r.title.into(),
            subtitle: r.subtitle.into(),
        })
        .collect();
    st.results = rows.len();
    drop(st);
    let catalog = w.global::<CatalogAdapter>();
    catalog.set_query(query.to_uppercase().into());
    catalog.set_results(model(rows));
}

/// Leaving the search page: the query is recorded once, with how many
/// results it found (what visitors look for and do not find is a figure
/// the county wants).
pub(super) fn leave_search(st: &mut State) {
    if st.query.is_empty() || st.query_recorded {
        return;
    }
    st.query_recorded = true;
    st.record(EventKind::Search { query: st.query.clone(), results: st.results as u32 });
}
