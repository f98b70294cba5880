//! `CatalogAdapter`: the showroom's pages — home tiles (the attract loop's
//! featured products are `StoryAdapter.slides`),
//! a listing a page at a time, a product, its trace page, the enterprise
//! directory and search.

use super::model;
use crate::controllers::catalog_view::{self, CardView, ResultView};
use crate::controllers::screens::{Dirty, Screens};
use crate::ui::images::ImageCache;
use crate::ui::{
    AppWindow, CatalogAdapter, CategoryTile, Certificate, Glue, ProducerEntry, ProductCard, ProductDetail,
    SearchResult, ShopCode, TraceRow, TraceView, qr,
};
use slint::{ComponentHandle, Image};

pub fn connect(window: &AppWindow, glue: &Glue) {
    let c = window.global::<CatalogAdapter>();
    let g = glue.clone();
    c.on_open_category(move |id| g.act(|s, now| s.open_category(&id, now)));
    let g = glue.clone();
    c.on_turn_page(move |by| g.act(|s, _| s.turn_page(by)));
    let g = glue.clone();
    c.on_open_product(move |id| g.act(|s, now| s.open_product(&id, now)));
    let g = glue.clone();
    c.on_open_trace(move || g.act(|s, now| s.open_trace(now)));
    let g = glue.clone();
    c.on_open_producer(move |id| g.act(|s, now| s.open_producer(&id, now)));
    let g = glue.clone();
    c.on_open_search(move || g.act(|s, now| s.open_search(now)));
    let g = glue.clone();
    c.on_search_key(move |k| g.act(|s, _| s.search_key(&k)));
}

pub fn show(window: &AppWindow, screens: &Screens, images: &mut ImageCache, dirty: &Dirty) {
    let c = window.global::<CatalogAdapter>();
    let Some(view) = screens.view() else { return };
    if dirty.catalog {
        let mut tiles: Vec<CategoryTile> = view
            .home_tiles()
            .into_iter()
            .map(|t| CategoryTile {
                id: t.id.into(),
                count: t.count as i32,
                image: images.get(t.image.as_ref()),
            })
            .collect();
        // The stories' own tile, when the catalog has any.
        let stories = screens.content().map(|c| c.stories()).unwrap_or_default();
        if let Some(first) = stories.first() {
            tiles.push(CategoryTile {
                id: crate::controllers::catalog_view::STORIES.into(),
                count: stories.len() as i32,
                image: images.get(first.photos.first()),
            });
        }
        c.set_categories(model(tiles));
        if let Some(snap) = screens.snapshot() {
            c.set_version_label(format!("v{}", snap.version).into());
        }
    }
    if dirty.listing
        && let Some(listing) = screens.showroom.listing_page(view)
    {
        c.set_listing_category(listing.category.unwrap_or_default().into());
        c.set_listing_producer(listing.producer.unwrap_or_default().into());
        c.set_products(model(listing.cards.iter().map(|card| product_card(card, images)).collect()));
        c.set_page(listing.page as i32);
        c.set_pages(listing.pages as i32);
    }
    if dirty.product
        && let Some(detail) = screens.showroom.product().and_then(|id| view.detail(id))
    {
        c.set_product(product_detail(detail, images));
    }
    if dirty.trace
        && let Some(trace) = screens.showroom.batch().and_then(|b| view.trace(b))
    {
        c.set_trace(trace_view(trace));
    }
    if dirty.directory {
        let rows = view
            .directory()
            .into_iter()
            .map(|e| ProducerEntry {
                logo: images.get(e.logo.as_ref()),
                id: e.id.into(),
                name: e.name.into(),
                kind: producer_kind(e.kind),
                town: e.town.into(),
                contact: e.contact.into(),
                intro: e.intro.into(),
                products: e.products as i32,
            })
            .collect();
        c.set_directory(model(rows));
    }
    if dirty.search {
        let rows = screens.search.results().iter().map(|r| search_result(r, images)).collect();
        c.set_query(screens.search.query().to_uppercase().into());
        c.set_results(model(rows));
    }
}

pub(crate) fn price(p: &catalog_view::Price) -> crate::ui::Price {
    crate::ui::Price { yuan: p.yuan.clone().into(), unit: p.unit.clone().into() }
}

pub(crate) fn producer_kind(k: protocol::catalog::ProducerKind) -> crate::ui::ProducerKind {
    use crate::ui::ProducerKind as K;
    use protocol::catalog::ProducerKind as P;
    match k {
        P::Enterprise => K::Enterprise,
        P::Cooperative => K::Cooperative,
        P::FamilyFarm => K::FamilyFarm,
        P::Individual => K::Individual,
    }
}

fn product_card(c: &CardView, images: &mut ImageCache) -> ProductCard {
    ProductCard {
        id: c.id.clone().into(),
        name: c.name.clone().into(),
        price: price(&c.price),
        producer: c.producer.clone().into(),
        image: images.get(c.image.as_ref()),
    }
}

fn search_result(r: &ResultView, images: &mut ImageCache) -> SearchResult {
    match r {
        ResultView::Product(card) => SearchResult {
            producer: false,
            id: card.id.clone().into(),
            title: card.name.clone().into(),
            price: price(&card.price),
            maker: card.producer.clone().into(),
            image: images.get(card.image.as_ref()),
            ..SearchResult::default()
        },
        ResultView::Producer { id, name, kind, town, logo } => SearchResult {
            producer: true,
            id: id.clone().into(),
            title: name.clone().into(),
            kind: producer_kind(*kind),
            town: town.clone().into(),
            image: images.get(logo.as_ref()),
            ..SearchResult::default()
        },
    }
}

fn product_detail(d: catalog_view::DetailView, images: &mut ImageCache) -> ProductDetail {
    let pictures: Vec<Image> = d.images.iter().map(|sha| images.get(Some(sha))).collect();
    ProductDetail {
        id: d.id.into(),
        name: d.name.into(),
        spec: d.spec.into(),
        price: price(&d.price),
        producer: d.producer.into(),
        origin: d.origin.into(),
        intro: d.intro.into(),
        images: model(pictures),
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
            d.shops.iter().map(|(label, url)| ShopCode { label: label.into(), qr: qr::image(url) }).collect(),
        ),
        has_trace: d.batch.is_some(),
        batch: d.batch.as_ref().map(|b| b.1.clone()).unwrap_or_default().into(),
        trace_qr: d.batch.as_ref().map(|b| qr::image(&b.2)).unwrap_or_default(),
    }
}

fn trace_view(t: catalog_view::TraceData) -> TraceView {
    TraceView {
        product: t.product.into(),
        lot: t.lot.into(),
        origin: t.origin.into(),
        produced: t.produced.into(),
        best_before: t.best_before.into(),
        certificate: t.certificate.into(),
        producer: t.producer.into(),
        qr: qr::image(&t.uri),
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
    }
}
