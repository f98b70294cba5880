//! What the showroom shows, computed from the catalog on screen as plain
//! data (no Slint types), so it is tested without a window.
//!
//! Catalog text comes in the language on screen where the catalog has it
//! (`name_en`, …). The UI's own words are not made here: categories,
//! producer kinds, trace stages and price units leave as codes, and the
//! Slint side translates them with the rest of the UI (`ui/texts.slint`).

use crate::search::{HitKind, SearchIndex};
use firmware_config::Language;
use protocol::catalog::{
    Batch, CatalogItem, Category, Certification, Producer, ProducerKind, Product, ServiceKind, Snapshot,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Chinese, or English where the catalog has it.
pub(crate) fn pick<'a>(lang: Language, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Language::En && !en.trim().is_empty() { en } else { zh }
}

/// The id of the home tile that opens the enterprise directory.
/// The home tile of the stories (典型人物 and 经典案例).
pub const STORIES: &str = "stories";

pub const DIRECTORY: &str = "directory";

/// A home tile: a category (its code, `farm_produce`) or the directory.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryView {
    pub id: String,
    pub count: usize,
    pub image: Option<String>,
}

/// A price as the catalog has it: yuan (`68`, `12.50`; empty when it is
/// "on request") and the unit in Chinese (`元/瓶`), which the UI shows as
/// its translation where it knows one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Price {
    pub yuan: String,
    pub unit: String,
}

impl Price {
    pub fn of(fen: Option<u64>, unit: &str) -> Price {
        let yuan = match fen {
            Some(f) if f % 100 == 0 => (f / 100).to_string(),
            Some(f) => format!("{}.{:02}", f / 100, f % 100),
            None => String::new(),
        };
        Price { yuan, unit: unit.trim().to_owned() }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardView {
    pub id: String,
    pub name: String,
    pub price: Price,
    pub producer: String,
    pub image: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CertView {
    pub name: String,
    pub number: String,
    pub valid: String,
    pub in_force: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DetailView {
    pub id: String,
    pub name: String,
    pub spec: String,
    pub price: Price,
    pub producer: String,
    pub origin: String,
    pub intro: String,
    pub images: Vec<String>,
    pub certificates: Vec<CertView>,
    /// (label, URL) of each shop.
    pub shops: Vec<(String, String)>,
    /// The newest batch, whose trace page and QR the product shows.
    pub batch: Option<(String, String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceData {
    pub product: String,
    pub lot: String,
    pub origin: String,
    pub produced: String,
    pub best_before: String,
    pub certificate: String,
    pub producer: String,
    pub uri: String,
    /// (date, stage code as in `docs/catalog-format.md`, actor, detail)
    pub rows: Vec<(String, String, String, String)>,
}

/// A service of the station's catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub price: Price,
    pub is_complaint: bool,
}

/// An entry of the enterprise directory.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerView {
    pub id: String,
    pub name: String,
    pub kind: ProducerKind,
    /// As the catalog names it (`石南镇`).
    pub town: String,
    /// Already masked in the catalog (138****5678).
    pub contact: String,
    pub intro: String,
    pub products: usize,
    pub logo: Option<String>,
}

/// A search result: a product or an enterprise.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultView {
    Product(CardView),
    Producer { id: String, name: String, kind: ProducerKind, town: String, logo: Option<String> },
}

pub struct CatalogView {
    snap: Arc<Snapshot>,
    lang: Language,
    /// `YYYY-MM-DD`, for certificate validity.
    today: String,
    producers: HashMap<String, Producer>,
    certs: HashMap<String, Certification>,
}

impl CatalogView {
    pub fn new(snap: Arc<Snapshot>, lang: Language, today: String) -> CatalogView {
        let mut producers = HashMap::new();
        let mut certs = HashMap::new();
        for i in &snap.items {
            match &i.item {
                CatalogItem::Producer(p) => {
                    producers.insert(p.id.clone(), p.clone());
                }
                CatalogItem::Certification(c) => {
                    certs.insert(c.id.clone(), c.clone());
                }
                _ => {}
            }
        }
        CatalogView { snap, lang, today, producers, certs }
    }

    pub fn lang(&self) -> Language {
        self.lang
    }

    fn products(&self) -> impl Iterator<Item = &Product> {
        self.snap.items.iter().filter_map(|i| match &i.item {
            CatalogItem::Product(p) => Some(p),
            _ => None,
        })
    }

    fn producer_name(&self, id: &str) -> String {
        self.producers.get(id).map(|p| pick(self.lang, &p.name_zh, &p.name_en).to_owned()).unwrap_or_default()
    }

    fn card(&self, p: &Product) -> CardView {
        CardView {
            id: p.id.clone(),
            name: pick(self.lang, &p.name_zh, &p.name_en).to_owned(),
            price: Price::of(p.price_fen, &p.price_unit_zh),
            producer: self.producer_name(&p.producer_id),
            image: p.images.first().map(|b| b.sha256.clone()),
        }
    }

    pub fn categories(&self) -> Vec<CategoryView> {
        Category::ALL
            .iter()
            .map(|c| {
                let items: Vec<&Product> = self.products().filter(|p| p.category == *c).collect();
                let image =
                    items.iter().find(|p| p.featured).or(items.first()).and_then(|p| p.images.first());
                CategoryView {
                    id: c.as_str().to_owned(),
                    count: items.len(),
                    image: image.map(|b| b.sha256.clone()),
                }
            })
            .collect()
    }

    /// The home tiles: the four categories, then the enterprise directory.
    pub fn home_tiles(&self) -> Vec<CategoryView> {
        let mut tiles = self.categories();
        let logo = self.producers_in_order().find_map(|p| p.logo.as_ref()).map(|b| b.sha256.clone());
        tiles.push(CategoryView { id: DIRECTORY.to_owned(), count: self.producers.len(), image: logo });
        tiles
    }

    fn producers_in_order(&self) -> impl Iterator<Item = &Producer> {
        self.snap.items.iter().filter_map(|i| match &i.item {
            CatalogItem::Producer(p) => Some(p),
            _ => None,
        })
    }

    /// Every producer with how many products it shows, those with the most
    /// first (then by name).
    pub fn directory(&self) -> Vec<ProducerView> {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for p in self.products() {
            *counts.entry(p.producer_id.as_str()).or_default() += 1;
        }
        let mut rows = self
            .producers_in_order()
            .map(|p| ProducerView {
                id: p.id.clone(),
                name: pick(self.lang, &p.name_zh, &p.name_en).to_owned(),
                kind: p.kind,
                town: p.town.clone(),
                contact: p.contact_masked.clone().unwrap_or_default(),
                intro: pick(self.lang, &p.intro_zh, &p.intro_en).to_owned(),
                products: counts.get(p.id.as_str()).copied().unwrap_or(0),
                logo: p.logo.as_ref().map(|b| b.sha256.clone()),
            })
            .collect::<Vec<_>>();
        rows.sort_by(|a, b| b.products.cmp(&a.products).then_with(|| a.name.cmp(&b.name)));
        rows
    }

    /// A producer's name and products.
    pub fn by_producer(&self, id: &str) -> (String, Vec<CardView>) {
        let cards = self.products().filter(|p| p.producer_id == id).map(|p| self.card(p)).collect();
        (self.producer_name(id), cards)
    }

    /// A service's name in the language on screen.
    pub fn service_name(&self, id: &str) -> Option<String> {
        self.snap.items.iter().find_map(|i| match &i.item {
            CatalogItem::Service(v) if v.id == id => Some(pick(self.lang, &v.name_zh, &v.name_en).to_owned()),
            _ => None,
        })
    }

    /// The station's services: (free, value-added), in catalog order.
    pub fn services(&self) -> (Vec<ServiceView>, Vec<ServiceView>) {
        let mut free = Vec::new();
        let mut paid = Vec::new();
        for i in &self.snap.items {
            if let CatalogItem::Service(v) = &i.item {
                let view = ServiceView {
                    id: v.id.clone(),
                    name: pick(self.lang, &v.name_zh, &v.name_en).to_owned(),
                    description: v.description_zh.clone(),
                    price: Price::of(v.price_fen, &v.price_unit_zh),
                    is_complaint: v.is_complaint,
                };
                if v.kind == ServiceKind::ValueAdded { paid.push(view) } else { free.push(view) }
            }
        }
        (free, paid)
    }

    pub fn service(&self, id: &str) -> Option<ServiceView> {
        let (free, paid) = self.services();
        free.into_iter().chain(paid).find(|s| s.id == id)
    }

    /// The batch whose trace code (the URL printed on its label) this is.
    pub fn batch_of_trace_code(&self, code: &str) -> Option<String> {
        self.snap.items.iter().find_map(|i| match &i.item {
            CatalogItem::Batch(b) if b.trace_uri.trim_end_matches('/') == code.trim_end_matches('/') => {
                Some(b.id.clone())
            }
            _ => None,
        })
    }

    /// The best `limit` results for what the visitor typed.
    pub fn search(&self, index: &SearchIndex, query: &str, limit: usize) -> Vec<ResultView> {
        index
            .search(query, limit)
            .into_iter()
            .filter_map(|hit| match hit.kind {
                HitKind::Product => {
                    self.products().find(|p| p.id == hit.id).map(|p| ResultView::Product(self.card(p)))
                }
                HitKind::Producer => self.producers.get(&hit.id).map(|p| ResultView::Producer {
                    id: p.id.clone(),
                    name: pick(self.lang, &p.name_zh, &p.name_en).to_owned(),
                    kind: p.kind,
                    town: p.town.clone(),
                    logo: p.logo.as_ref().map(|b| b.sha256.clone()),
                }),
            })
            .collect()
    }

    pub fn featured(&self) -> Vec<CardView> {
        self.products().filter(|p| p.featured).map(|p| self.card(p)).collect()
    }

    pub fn in_category(&self, id: &str) -> Vec<CardView> {
        self.products().filter(|p| p.category.as_str() == id).map(|p| self.card(p)).collect()
    }

    fn newest_batch(&self, product: &str) -> Option<&Batch> {
        self.snap
            .items
            .iter()
            .filter_map(|i| match &i.item {
                CatalogItem::Batch(b) if b.product_id == product => Some(b),
                _ => None,
            })
            .max_by(|a, b| a.production_date.cmp(&b.production_date))
    }

    pub fn detail(&self, id: &str) -> Option<DetailView> {
        let p = self.products().find(|p| p.id == id)?;
        let certificates = p
            .certification_ids
            .iter()
            .filter_map(|c| self.certs.get(c))
            .map(|c| CertView {
                name: c.issuer.clone(),
                number: c.number.clone(),
                valid: format!("{} – {}", c.valid_from, c.valid_until),
                in_force: c.valid_from <= self.today && self.today <= c.valid_until,
            })
            .collect();
        let shops = self
            .snap
            .items
            .iter()
            .filter_map(|i| match &i.item {
                CatalogItem::ShopLink(s) if s.product_id.as_deref() == Some(id) => {
                    Some((s.label_zh.clone(), s.url.clone()))
                }
                _ => None,
            })
            .collect();
        let batch = self.newest_batch(id);
        Some(DetailView {
            id: p.id.clone(),
            name: pick(self.lang, &p.name_zh, &p.name_en).to_owned(),
            spec: p.spec_zh.clone(),
            price: Price::of(p.price_fen, &p.price_unit_zh),
            producer: self.producer_name(&p.producer_id),
            origin: batch.map(|b| b.origin_zh.clone()).unwrap_or_default(),
            intro: pick(self.lang, &p.intro_zh, &p.intro_en).to_owned(),
            images: p.images.iter().map(|b| b.sha256.clone()).collect(),
            certificates,
            shops,
            batch: batch.map(|b| (b.id.clone(), b.lot.clone(), b.trace_uri.clone())),
        })
    }

    pub fn trace(&self, batch_id: &str) -> Option<TraceData> {
        let b = self.snap.items.iter().find_map(|i| match &i.item {
            CatalogItem::Batch(b) if b.id == batch_id => Some(b),
            _ => None,
        })?;
        let p = self.products().find(|p| p.id == b.product_id)?;
        Some(TraceData {
            product: pick(self.lang, &p.name_zh, &p.name_en).to_owned(),
            lot: b.lot.clone(),
            origin: b.origin_zh.clone(),
            produced: b.production_date.clone(),
            best_before: b.best_before.clone().or_else(|| b.expiry.clone()).unwrap_or_else(|| "-".into()),
            certificate: b.commitment_cert.clone().unwrap_or_else(|| "-".into()),
            producer: self.producer_name(&p.producer_id),
            uri: b.trace_uri.clone(),
            rows: b
                .records
                .iter()
                .map(|r| (r.date.clone(), r.stage.clone(), r.actor_zh.clone(), r.detail_zh.clone()))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Price;

    #[test]
    fn prices_keep_their_fen() {
        assert_eq!(Price::of(Some(1250), " 元/次 "), Price { yuan: "12.50".into(), unit: "元/次".into() });
        assert_eq!(Price::of(Some(6800), "").yuan, "68");
        assert_eq!(Price::of(Some(5), "").yuan, "0.05");
        assert_eq!(Price::of(None, "元/瓶").yuan, "", "on request");
    }
}
