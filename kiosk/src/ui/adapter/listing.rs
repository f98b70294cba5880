//! A category's or a producer's products, a page at a time. Twelve cards
//! a page keeps the decoded images of one page in memory (a category of
//! 500 products would hold hundreds of megabytes of pictures), and big
//! "previous / next" buttons are easier for elderly visitors than a long
//! fling.

use super::{State, model};
use crate::ui::{AppWindow, CatalogAdapter, ProductCard};
use slint::ComponentHandle;
use std::cell::RefCell;
use std::rc::Rc;

pub const PAGE: usize = 12;

/// What the category page lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Category(String),
    Producer(String),
}

/// Show `source` from page `page` (kept within range), in the current
/// language: also used to redraw after a language or catalog change.
pub(super) fn show(w: &AppWindow, s: &Rc<RefCell<State>>, source: Source, page: usize) {
    let mut st = s.borrow_mut();
    let Some((title, cards)) = st.browse.as_ref().map(|b| match &source {
        Source::Category(id) => b.in_category(id),
        Source::Producer(id) => b.by_producer(id),
    }) else {
        return;
    };
    let pages = cards.len().div_ceil(PAGE).max(1);
    let page = page.min(pages - 1);
    let shown: Vec<ProductCard> = cards.iter().skip(page * PAGE).take(PAGE).map(|c| st.card(c)).collect();
    st.listing = Some((source, page));
    drop(st);
    let catalog = w.global::<CatalogAdapter>();
    catalog.set_category_title(title.into());
    catalog.set_products(model(shown));
    catalog.set_page(page as i32 + 1);
    catalog.set_pages(pages as i32);
}

/// The previous (`-1`) or next (`1`) page.
pub(super) fn turn(w: &AppWindow, s: &Rc<RefCell<State>>, by: i32) {
    let Some((source, page)) = s.borrow().listing.clone() else { return };
    let to = (page as i64 + i64::from(by)).max(0) as usize;
    if to != page {
        show(w, s, source, to);
    }
}
