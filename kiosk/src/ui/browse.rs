//! What the showroom shows, computed from the catalog on screen as plain
//! data (no Slint types), so it is tested without a window.

use crate::search::{HitKind, SearchIndex};
use protocol::catalog::{
    Batch, CatalogItem, Category, Certification, Producer, ProducerKind, Product, Snapshot,
};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

/// A Unix-ms time as county local time, `2026-11-29 14:30`.
pub fn county_time(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp((ms / 1000) as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(time::UtcOffset::from_hms(8, 0, 0).expect("valid offset"));
    format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
}

/// The county date of a Unix-ms time, `2026-11-29`.
pub fn county_date(ms: u64) -> String {
    county_time(ms)[..10].to_owned()
}

/// Chinese, or English where the catalog has it.
fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    if lang == Lang::En && !en.trim().is_empty() { en } else { zh }
}

pub const CATEGORIES: [Category; 4] =
    [Category::FarmProduce, Category::Tourism, Category::Cultural, Category::Industrial];

pub fn category_name(c: Category, lang: Lang) -> &'static str {
    match (c, lang) {
        (Category::FarmProduce, Lang::Zh) => "农特产品",
        (Category::Tourism, Lang::Zh) => "乡村旅游",
        (Category::Cultural, Lang::Zh) => "文创产品",
        (Category::Industrial, Lang::Zh) => "工业产品",
        (Category::FarmProduce, Lang::En) => "Farm produce",
        (Category::Tourism, Lang::En) => "Rural tourism",
        (Category::Cultural, Lang::En) => "Crafts and culture",
        (Category::Industrial, Lang::En) => "Local industry",
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CategoryView {
    pub id: String,
    pub name: String,
    pub count: usize,
    pub image: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CardView {
    pub id: String,
    pub name: String,
    pub price: String,
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
    pub price: String,
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
    /// (date, stage, actor, detail)
    pub rows: Vec<(String, String, String, String)>,
}

/// An entry of the enterprise directory.
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerView {
    pub id: String,
    pub name: String,
    /// Kind and town: "合作社 · 石南镇".
    pub about: String,
    /// Already masked in the catalog (138****5678).
    pub contact: String,
    pub intro: String,
    pub products: usize,
    pub logo: Option<String>,
}

/// A search result: a product or an enterprise.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultView {
    pub producer: bool,
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub image: Option<String>,
}

/// The id of the home tile that opens the enterprise directory.
pub const DIRECTORY: &str = "directory";

fn kind_name(k: ProducerKind, lang: Lang) -> &'static str {
    match (k, lang) {
        (ProducerKind::Enterprise, Lang::Zh) => "企业",
        (ProducerKind::Cooperative, Lang::Zh) => "合作社",
        (ProducerKind::FamilyFarm, Lang::Zh) => "家庭农场",
        (ProducerKind::Individual, Lang::Zh) => "个体户",
        (ProducerKind::Enterprise, Lang::En) => "Company",
        (ProducerKind::Cooperative, Lang::En) => "Cooperative",
        (ProducerKind::FamilyFarm, Lang::En) => "Family farm",
        (ProducerKind::Individual, Lang::En) => "Sole trader",
    }
}

pub struct Browse {
    snap: Arc<Snapshot>,
    lang: Lang,
    /// `YYYY-MM-DD`, for certificate validity.
    today: String,
    producers: HashMap<String, Producer>,
    certs: HashMap<String, Certification>,
}

fn price(p: &Product, lang: Lang) -> String {
    match p.price_fen {
        Some(fen) => {
            let yuan = if fen % 100 == 0 {
                format!("{}", fen / 100)
            } else {
                format!("{}.{:02}", fen / 100, fen % 100)
            };
            let unit = p.price_unit_zh.trim();
            match lang {
                Lang::Zh if unit.is_empty() => format!("{yuan} 元"),
                Lang::Zh => format!("{yuan} {unit}"),
                Lang::En => format!("¥{yuan}{}", unit_en(unit)),
            }
        }
        None => match lang {
            Lang::Zh => "价格请咨询".into(),
            Lang::En => "Price on request".into(),
        },
    }
}

/// A price unit in English: `元/瓶` → ` a bottle`; an unknown one as written.
pub fn unit_en(unit: &str) -> String {
    let per = unit.trim_start_matches('元').trim_start_matches('/').trim();
    let en = match per {
        "" => return String::new(),
        "人" => "person",
        "瓶" => "bottle",
        "盒" => "box",
        "袋" => "bag",
        "罐" => "jar",
        "件" => "piece",
        "个" => "piece",
        "只" => "piece",
        "斤" => "jin (500 g)",
        "公斤" | "千克" => "kg",
        "次" => "visit",
        "晚" => "night",
        "套" => "set",
        "包" => "pack",
        "箱" => "case",
        "桶" => "tin",
        "条" => "piece",
        "张" => "ticket",
        "册" => "book",
        "双" => "pair",
        "块" => "piece",
        "桌" => "table",
        "天" => "day",
        "小时" => "hour",
        _ => return format!(" /{per}"),
    };
    format!(" per {en}")
}

/// The trace record stages of `docs/catalog-format.md`.
fn stage_name(stage: &str, lang: Lang) -> String {
    let (zh, en) = match stage {
        "produce" => ("生产/采收", "Produced"),
        "input" => ("投入品", "Inputs"),
        "inspection" => ("检测", "Inspection"),
        "process" => ("加工", "Processing"),
        "store" => ("仓储", "Storage"),
        "transport" => ("运输", "Transport"),
        "sell" => ("销售", "Sale"),
        "certificate" => ("合格证", "Certificate"),
        other => return other.to_owned(),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

impl Browse {
    pub fn new(snap: Arc<Snapshot>, lang: Lang, today: String) -> Browse {
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
        Browse { snap, lang, today, producers, certs }
    }

    pub fn lang(&self) -> Lang {
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
            price: price(p, self.lang),
            producer: self.producer_name(&p.producer_id),
            image: p.images.first().map(|b| b.sha256.clone()),
        }
    }

    pub fn categories(&self) -> Vec<CategoryView> {
        CATEGORIES
            .iter()
            .map(|c| {
                let items: Vec<&Product> = self.products().filter(|p| p.category == *c).collect();
                let image =
                    items.iter().find(|p| p.featured).or(items.first()).and_then(|p| p.images.first());
                CategoryView {
                    id: c.as_str().to_owned(),
                    name: category_name(*c, self.lang).to_owned(),
                    count: items.len(),
                    image: image.map(|b| b.sha256.clone()),
                }
            })
            .collect()
    }

    fn town<'t>(&self, town: &'t str) -> &'t str {
        super::service_form::village_label(town, self.lang == Lang::En)
    }

    /// The home tiles: the four categories, then the enterprise directory.
    pub fn home_tiles(&self) -> Vec<CategoryView> {
        let mut tiles = self.categories();
        let logo = self.producers_in_order().find_map(|p| p.logo.as_ref()).map(|b| b.sha256.clone());
        tiles.push(CategoryView {
            id: DIRECTORY.to_owned(),
            name: match self.lang {
                Lang::Zh => "企业名录",
                Lang::En => "Enterprise directory",
            }
            .to_owned(),
            count: self.producers.len(),
            image: logo,
        });
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
                about: format!("{} · {}", kind_name(p.kind, self.lang), self.town(&p.town)),
                contact: p.contact_masked.clone().unwrap_or_default(),
                intro: pick(self.lang, &p.intro_zh, &p.intro_en).to_owned(),
                products: counts.get(p.id.as_str()).copied().unwrap_or(0),
                logo: p.logo.as_ref().map(|b| b.sha256.clone()),
            })
            .collect::<Vec<_>>();
        rows.sort_by(|a, b| b.products.cmp(&a.products).then_with(|| a.name.cmp(&b.name)));
        rows
    }

    /// A producer's products, titled with its name.
    pub fn by_producer(&self, id: &str) -> (String, Vec<CardView>) {
        let cards = self.products().filter(|p| p.producer_id == id).map(|p| self.card(p)).collect();
        (self.producer_name(id), cards)
    }

    /// The best `limit` results for what the visitor typed.
    pub fn search(&self, index: &SearchIndex, query: &str, limit: usize) -> Vec<ResultView> {
        index
            .search(query, limit)
            .into_iter()
            .filter_map(|hit| match hit.kind {
                HitKind::Product => self.products().find(|p| p.id == hit.id).map(|p| {
                    let card = self.card(p);
                    ResultView {
                        producer: false,
                        id: card.id,
                        title: card.name,
                        subtitle: format!("{} · {}", card.price, card.producer),
                        image: card.image,
                    }
                }),
                HitKind::Producer => self.producers.get(&hit.id).map(|p| ResultView {
                    producer: true,
                    id: p.id.clone(),
                    title: pick(self.lang, &p.name_zh, &p.name_en).to_owned(),
                    subtitle: format!("{} · {}", kind_name(p.kind, self.lang), self.town(&p.town)),
                    image: p.logo.as_ref().map(|b| b.sha256.clone()),
                }),
            })
            .collect()
    }

    pub fn featured(&self) -> Vec<CardView> {
        self.products().filter(|p| p.featured).map(|p| self.card(p)).collect()
    }

    pub fn in_category(&self, id: &str) -> (String, Vec<CardView>) {
        let cat = CATEGORIES.iter().find(|c| c.as_str() == id);
        let title = cat.map(|c| category_name(*c, self.lang).to_owned()).unwrap_or_default();
        let cards = self.products().filter(|p| p.category.as_str() == id).map(|p| self.card(p)).collect();
        (title, cards)
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
            price: price(p, self.lang),
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
                .map(|r| {
                    (r.date.clone(), stage_name(&r.stage, self.lang), r.actor_zh.clone(), r.detail_zh.clone())
                })
                .collect(),
        })
    }
}
