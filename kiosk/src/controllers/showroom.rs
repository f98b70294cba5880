//! Browsing the showroom: a category's or a producer's products a page at a
//! time, a product (whose view is recorded with the time spent on it when
//! the visitor leaves it and its trace page), and a batch's trace page.
//!
//! Twelve cards a page keeps the decoded images of one page in memory (a
//! category of 500 products would hold hundreds of megabytes of pictures),
//! and big "previous / next" buttons are easier for elderly visitors than
//! a long fling.

use super::catalog_view::{CardView, CatalogView};
use protocol::messages::EventKind;
use std::time::Instant;

/// Cards on one page of a listing.
pub const PAGE: usize = 12;

/// What the listing page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Category(String),
    Producer(String),
}

/// One page of a listing, ready to show.
#[derive(Clone, Debug, PartialEq)]
pub struct ListingPage {
    /// The category's code, when it lists a category.
    pub category: Option<String>,
    /// The producer's name, when it lists a producer's products.
    pub producer: Option<String>,
    /// Its id (the enterprise page also shows its news and open jobs).
    pub producer_id: Option<String>,
    pub cards: Vec<CardView>,
    /// 1-based.
    pub page: usize,
    pub pages: usize,
}

#[derive(Debug, Default)]
pub struct Showroom {
    listing: Option<(Source, usize)>,
    /// The product on screen and since when.
    product: Option<(String, Instant)>,
    /// The batch whose trace the product page offers (or a scan opened).
    batch: Option<String>,
}

impl Showroom {
    /// List `source` from its first page.
    pub fn open_listing(&mut self, source: Source) {
        self.listing = Some((source, 0));
    }

    /// The previous (`-1`) or next (`1`) page; false when there is none.
    pub fn turn_page(&mut self, view: &CatalogView, by: i32) -> bool {
        let Some(shown) = self.listing_page(view) else { return false };
        let Some((_, page)) = &mut self.listing else { return false };
        let to = (*page as i64 + i64::from(by)).clamp(0, shown.pages as i64 - 1) as usize;
        let turned = to != *page;
        *page = to;
        turned
    }

    /// The listing's current page (kept within range as the catalog changes).
    pub fn listing_page(&self, view: &CatalogView) -> Option<ListingPage> {
        let (source, page) = self.listing.as_ref()?;
        let (category, producer, cards) = match source {
            Source::Category(id) => (Some(id.clone()), None, view.in_category(id)),
            Source::Producer(id) => {
                let (name, cards) = view.by_producer(id);
                (None, Some((name, id.clone())), cards)
            }
        };
        let (producer, producer_id) = producer.unzip();
        let pages = cards.len().div_ceil(PAGE).max(1);
        let page = (*page).min(pages - 1);
        let cards = cards.into_iter().skip(page * PAGE).take(PAGE).collect();
        Some(ListingPage { category, producer, producer_id, cards, page: page + 1, pages })
    }

    /// A product is opened; the one before (if any) is left.
    pub fn open_product(&mut self, view: &CatalogView, id: &str, now: Instant) -> Option<EventKind> {
        let left = self.leave_product(now);
        self.product = Some((id.to_owned(), now));
        self.batch = view.detail(id).and_then(|d| d.batch.map(|b| b.0));
        left
    }

    pub fn product(&self) -> Option<&str> {
        self.product.as_ref().map(|p| p.0.as_str())
    }

    /// The batch the trace page shows.
    pub fn batch(&self) -> Option<&str> {
        self.batch.as_deref()
    }

    /// Show this batch's trace (its code was scanned).
    pub fn set_batch(&mut self, batch: &str) {
        self.batch = Some(batch.to_owned());
    }

    /// Leaving the product (and its trace page): its view, with the time
    /// spent, to record.
    pub fn leave_product(&mut self, now: Instant) -> Option<EventKind> {
        let (id, since) = self.product.take()?;
        let dwell_ms = now.saturating_duration_since(since).as_millis() as u64;
        Some(EventKind::ProductView { product_id: id, dwell_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn view(products: usize) -> CatalogView {
        use protocol::catalog::*;
        let mut items = Vec::new();
        for i in 0..products {
            items.push(VersionedItem {
                rev: 1,
                item: CatalogItem::Product(Product {
                    id: format!("p{i:03}"),
                    category: Category::FarmProduce,
                    subcategory_zh: String::new(),
                    name_zh: format!("产品{i}"),
                    name_en: String::new(),
                    spec_zh: String::new(),
                    price_fen: Some(1250),
                    price_unit_zh: "元/瓶".into(),
                    producer_id: "maker".into(),
                    gtin: None,
                    intro_zh: String::new(),
                    intro_en: String::new(),
                    featured: false,
                    keywords: String::new(),
                    certification_ids: Vec::new(),
                    images: Vec::new(),
                }),
            });
        }
        let snap = Snapshot { version: 1, items };
        CatalogView::new(std::sync::Arc::new(snap), firmware_config::Language::Zh, "2026-11-29".into())
    }

    #[test]
    fn a_listing_turns_a_page_at_a_time_within_range() {
        let v = view(30);
        let mut s = Showroom::default();
        s.open_listing(Source::Category("farm_produce".into()));
        let p = s.listing_page(&v).unwrap();
        assert_eq!((p.page, p.pages, p.cards.len()), (1, 3, PAGE));
        assert_eq!(p.cards[0].price.yuan, "12.50", "fen are shown, not dropped");
        assert!(!s.turn_page(&v, -1), "no page before the first");
        assert!(s.turn_page(&v, 1) && s.turn_page(&v, 1));
        assert!(!s.turn_page(&v, 1), "no page after the last");
        let p = s.listing_page(&v).unwrap();
        assert_eq!((p.page, p.cards.len()), (3, 6));
        // A smaller catalog arrives: the page shown is kept within range.
        assert_eq!(s.listing_page(&view(5)).unwrap().page, 1);
    }

    #[test]
    fn a_product_view_is_recorded_once_with_its_dwell() {
        let v = view(2);
        let mut s = Showroom::default();
        let t0 = Instant::now();
        assert_eq!(s.open_product(&v, "p000", t0), None);
        let left = s.open_product(&v, "p001", t0 + Duration::from_secs(7));
        assert_eq!(left, Some(EventKind::ProductView { product_id: "p000".into(), dwell_ms: 7000 }));
        assert!(s.leave_product(t0 + Duration::from_secs(9)).is_some());
        assert_eq!(s.leave_product(t0 + Duration::from_secs(10)), None, "once");
    }
}
