//! Turn a catalog folder into typed catalog items, or a list of everything
//! wrong with it. Nothing here writes anywhere.
//!
//! The folder holds `catalog.toml`, the tables `producers.csv`,
//! `products.csv`, `certifications.csv`, `batches.csv`, `trace_records.csv`,
//! `services.csv`, `shops.csv`, `towns.csv`, the content tables of
//! [`content`] (`stories.csv`, `courses.csv`, `sessions.csv`, `jobs.csv`,
//! `news.csv`), and an `images/` folder (see `docs/catalog-format.md`).

mod content;

use super::charset;
use super::codes;
use super::diagnostics::{Diagnostics, Severity};
use super::fields;
use super::images::{self, ImageFile};
use super::table::{self, Column, Row, Table, opt, req};
use protocol::catalog::*;
use protocol::county_time;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use time::Date;

/// `catalog.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogMeta {
    pub name: String,
    /// GB/T 2260 county code, e.g. 421222 for 通城县.
    pub county_code: String,
    /// Resolver root for trace QR codes, e.g. https://trace.example.gov.cn
    pub trace_base: String,
    #[serde(default)]
    pub sample: bool,
}

/// A catalog folder read without errors (warnings may remain).
#[derive(Debug)]
pub struct Authored {
    pub meta: CatalogMeta,
    pub items: Vec<CatalogItem>,
    /// Every image, by content hash.
    pub images: BTreeMap<String, ImageFile>,
}

/// Subcategories for which a 承诺达标合格证 is mandatory (MARA order 2025 No. 4).
const COMMITMENT_CERT_REQUIRED: &[&str] = &["蔬菜", "水果", "食用菌", "鲜茶叶", "畜禽", "禽蛋", "水产"];

const PRODUCERS: &[Column] = &[
    req("id"),
    req("kind"),
    req("name_zh"),
    opt("name_en"),
    opt("uscc"),
    req("town"),
    req("address"),
    opt("contact_phone"),
    opt("intro_zh"),
    opt("intro_en"),
    opt("logo"),
];
const PRODUCTS: &[Column] = &[
    req("id"),
    req("category"),
    req("subcategory_zh"),
    req("name_zh"),
    opt("name_en"),
    req("spec_zh"),
    opt("price_yuan"),
    opt("price_unit_zh"),
    req("producer_id"),
    opt("gtin"),
    opt("intro_zh"),
    opt("intro_en"),
    opt("featured"),
    opt("keywords"),
    opt("certification_ids"),
    req("images"),
];
const CERTIFICATIONS: &[Column] = &[
    req("id"),
    req("kind"),
    req("number"),
    req("issuer"),
    req("holder_id"),
    opt("scope_zh"),
    req("valid_from"),
    req("valid_until"),
];
const BATCHES: &[Column] = &[
    req("id"),
    req("product_id"),
    req("lot"),
    req("production_date"),
    opt("packaging_date"),
    opt("best_before"),
    opt("expiry"),
    req("quantity"),
    req("origin_zh"),
    opt("commitment_cert"),
    opt("trace_code"),
];
const TRACE_RECORDS: &[Column] =
    &[req("batch_id"), req("date"), req("stage"), req("actor_zh"), req("detail_zh")];
const SERVICES: &[Column] = &[
    req("id"),
    req("kind"),
    req("name_zh"),
    opt("name_en"),
    opt("description_zh"),
    opt("price_yuan"),
    opt("price_unit_zh"),
    opt("is_complaint"),
];
const SHOPS: &[Column] =
    &[req("id"), req("producer_id"), opt("product_id"), req("platform"), req("label_zh"), req("url")];
const TOWNS: &[Column] = &[req("id"), req("name_zh"), opt("name_en"), req("x"), req("y")];

const TRACE_STAGES: &[&str] =
    &["produce", "input", "inspection", "process", "store", "transport", "sell", "certificate"];
const PLATFORMS: &[&str] = &["taobao", "tmall", "pinduoduo", "jd", "douyin", "wechat", "other"];

/// The CSV files of a catalog folder, in the order `import` reads them
/// (besides `catalog.toml`).
pub const TABLE_FILES: [&str; 13] = [
    "producers.csv",
    "products.csv",
    "certifications.csv",
    "batches.csv",
    "trace_records.csv",
    "services.csv",
    "shops.csv",
    "towns.csv",
    "stories.csv",
    "courses.csv",
    "sessions.csv",
    "jobs.csv",
    "news.csv",
];

/// Read and check a catalog folder. `today` bounds production dates.
pub fn import(dir: &Path, today: Date, diags: &mut Diagnostics) -> Option<Authored> {
    if !dir.is_dir() {
        diags.file_error(&dir.display().to_string(), "catalog folder does not exist");
        return None;
    }
    let meta = read_meta(dir, diags);
    let t = |f: &str, cols: &[Column], must: bool, d: &mut Diagnostics| table::read(dir, f, cols, must, d);
    let producers_t = t("producers.csv", PRODUCERS, true, diags);
    let products_t = t("products.csv", PRODUCTS, true, diags);
    let certs_t = t("certifications.csv", CERTIFICATIONS, false, diags);
    let batches_t = t("batches.csv", BATCHES, false, diags);
    let records_t = t("trace_records.csv", TRACE_RECORDS, false, diags);
    let services_t = t("services.csv", SERVICES, false, diags);
    let shops_t = t("shops.csv", SHOPS, false, diags);
    let towns_t = t("towns.csv", TOWNS, false, diags);
    let stories_t = t("stories.csv", content::STORIES, false, diags);
    let courses_t = t("courses.csv", content::COURSES, false, diags);
    let sessions_t = t("sessions.csv", content::SESSIONS, false, diags);
    let jobs_t = t("jobs.csv", content::JOBS, false, diags);
    let news_t = t("news.csv", content::NEWS, false, diags);
    let tables = [
        &producers_t,
        &products_t,
        &certs_t,
        &batches_t,
        &records_t,
        &services_t,
        &shops_t,
        &towns_t,
        &stories_t,
        &courses_t,
        &sessions_t,
        &jobs_t,
        &news_t,
    ];
    for tb in tables.iter().copied().flatten() {
        font_warnings(tb, diags);
    }
    // A table that could not be read is reported once, alone: references
    // into it are not checked (each would be a false "not in …").
    let unreadable: Vec<&'static str> =
        TABLE_FILES.iter().zip(tables.iter()).filter(|(_, t)| t.is_none()).map(|(f, _)| *f).collect();
    let mut b = Builder {
        dir,
        today,
        diags,
        images: BTreeMap::new(),
        ids: HashMap::new(),
        products: HashMap::new(),
        unreadable,
        unchecked: BTreeMap::new(),
    };
    let producers = producers_t.as_ref().map(|t| b.producers(t)).unwrap_or_default();
    let certs = certs_t.as_ref().map(|t| b.certifications(t)).unwrap_or_default();
    let products = products_t.as_ref().map(|t| b.products(t)).unwrap_or_default();
    let services = services_t.as_ref().map(|t| b.services(t)).unwrap_or_default();
    let shops = shops_t.as_ref().map(|t| b.shops(t)).unwrap_or_default();
    let towns = towns_t.as_ref().map(|t| b.towns(t)).unwrap_or_default();
    // Content refers to producers, products and towns, sessions to courses.
    let stories = stories_t.as_ref().map(|t| b.stories(t)).unwrap_or_default();
    let courses = courses_t.as_ref().map(|t| b.courses(t)).unwrap_or_default();
    let sessions = sessions_t.as_ref().map(|t| b.sessions(t)).unwrap_or_default();
    let jobs = jobs_t.as_ref().map(|t| b.jobs(t)).unwrap_or_default();
    let news = news_t.as_ref().map(|t| b.news(t)).unwrap_or_default();
    let mut batches = match (&batches_t, &meta) {
        (Some(t), Some(m)) => b.batches(t, m),
        _ => Vec::new(),
    };
    if let Some(t) = &records_t {
        b.trace_records(t, &mut batches);
    }
    b.cross_check(&products, &certs, &batches);
    b.report_unchecked();
    let images = std::mem::take(&mut b.images);
    if products_t.as_ref().is_some_and(Table::is_empty) {
        diags.file_error("products.csv", "the catalog has no products");
    }
    if diags.has_errors() || tables.iter().any(|t| t.is_none()) {
        return None;
    }
    let meta = meta?;
    let mut items = Vec::new();
    items.extend(producers.into_iter().map(|(_, p)| CatalogItem::Producer(p)));
    items.extend(products.into_iter().map(|(_, p)| CatalogItem::Product(p)));
    items.extend(certs.into_iter().map(|(_, c)| CatalogItem::Certification(c)));
    items.extend(batches.into_iter().map(|(_, b)| CatalogItem::Batch(b)));
    items.extend(services.into_iter().map(CatalogItem::Service));
    items.extend(shops.into_iter().map(|(_, s)| CatalogItem::ShopLink(s)));
    items.extend(towns.into_iter().map(CatalogItem::Town));
    items.extend(stories.into_iter().map(CatalogItem::Story));
    items.extend(courses.into_iter().map(CatalogItem::Course));
    items.extend(sessions.into_iter().map(CatalogItem::Session));
    items.extend(jobs.into_iter().map(CatalogItem::Job));
    items.extend(news.into_iter().map(CatalogItem::News));
    Some(Authored { meta, items, images })
}

fn read_meta(dir: &Path, diags: &mut Diagnostics) -> Option<CatalogMeta> {
    let file = "catalog.toml";
    let text = match std::fs::read_to_string(dir.join(file)) {
        Ok(t) => t,
        Err(e) => {
            diags.file_error(file, format!("cannot read: {e}"));
            return None;
        }
    };
    let meta: CatalogMeta = match toml::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            let line = e.span().map(|s| 1 + text[..s.start].matches('\n').count() as u64);
            diags.push(Severity::Error, file, line, None, e.message().to_owned());
            return None;
        }
    };
    let mut ok = true;
    if meta.county_code.len() != 6 || !meta.county_code.bytes().all(|b| b.is_ascii_digit()) {
        diags.file_error(
            file,
            format!("county_code {:?} must be the 6-digit GB/T 2260 code", meta.county_code),
        );
        ok = false;
    }
    if let Err(m) = fields::https_url(&meta.trace_base) {
        diags.file_error(file, format!("trace_base: {m}"));
        ok = false;
    }
    ok.then_some(meta)
}

fn font_warnings(t: &Table, diags: &mut Diagnostics) {
    for row in t.rows() {
        for (col, text) in row.cells() {
            let missing = charset::missing_in_font(text);
            if !missing.is_empty() {
                let list: Vec<String> =
                    missing.iter().map(|c| format!("'{c}' (U+{:04X})", *c as u32)).collect();
                row.report(diags, Severity::Warning, col, format!(
                    "{} not in the kiosk font and will show as a box; add to assets/fonts/extra-chars.txt and cut the font again",
                    list.join(", ")
                ));
            }
        }
    }
}

/// The table items of `kind` come from.
fn file_of(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Producer => "producers.csv",
        ItemKind::Product => "products.csv",
        ItemKind::Certification => "certifications.csv",
        ItemKind::Batch => "batches.csv",
        ItemKind::Service => "services.csv",
        ItemKind::ShopLink => "shops.csv",
        ItemKind::Town => "towns.csv",
        ItemKind::Story => "stories.csv",
        ItemKind::Course => "courses.csv",
        ItemKind::Session => "sessions.csv",
        ItemKind::Job => "jobs.csv",
        ItemKind::News => "news.csv",
    }
}

/// What batch checks need to know of a product, kept even when the product's
/// own row has errors, so that one mistake does not hide others.
#[derive(Clone)]
struct ProductFacts {
    name_zh: String,
    subcategory_zh: String,
    gtin: Option<String>,
}

struct Builder<'a> {
    dir: &'a Path,
    today: Date,
    diags: &'a mut Diagnostics,
    images: BTreeMap<String, ImageFile>,
    /// (kind, id) → line, to report duplicates.
    ids: HashMap<(ItemKind, String), u64>,
    products: HashMap<String, ProductFacts>,
    /// Tables that could not be read at all.
    unreadable: Vec<&'static str>,
    /// An unreadable table → the files whose references to it were not checked.
    unchecked: BTreeMap<&'static str, BTreeSet<String>>,
}

impl Builder<'_> {
    fn id(&mut self, row: &Row, kind: ItemKind) -> Option<String> {
        let id = row.parse(self.diags, "id", fields::id)?;
        if let Some(first) = self.ids.insert((kind, id.clone()), row.line) {
            row.report(
                self.diags,
                Severity::Error,
                "id",
                format!("id {id:?} is used twice (first on line {first})"),
            );
            return None;
        }
        Some(id)
    }

    /// A reference to an item of an earlier table (tables are read in
    /// dependency order, so the target's id is already known).
    fn refers(&mut self, row: &Row, col: &str, kind: ItemKind, id: &str) {
        let file = file_of(kind);
        if self.unreadable.contains(&file) {
            self.unchecked.entry(file).or_default().insert(row.file().to_owned());
            return;
        }
        if !self.ids.contains_key(&(kind, id.to_owned())) {
            row.report(
                self.diags,
                Severity::Error,
                col,
                format!("{} {id:?} is not in {file}", kind.as_str()),
            );
        }
    }

    fn choice<T: Copy>(&mut self, row: &Row, col: &str, options: &[(&str, T)]) -> Option<T> {
        let v = row.required(self.diags, col)?;
        match options.iter().find(|(n, _)| *n == v) {
            Some((_, t)) => Some(*t),
            None => {
                let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                row.report(
                    self.diags,
                    Severity::Error,
                    col,
                    format!("{v:?} is not one of {}", names.join(", ")),
                );
                None
            }
        }
    }

    fn image(&mut self, row: &Row, col: &str, name: &str) -> Option<BlobRef> {
        match images::load(self.dir, name) {
            Ok(img) => {
                let blob = img.blob.clone();
                self.images.insert(blob.sha256.clone(), img);
                Some(blob)
            }
            Err(m) => {
                row.report(self.diags, Severity::Error, col, m);
                None
            }
        }
    }

    fn producers(&mut self, t: &Table) -> Vec<(u64, Producer)> {
        let kinds = [
            ("enterprise", ProducerKind::Enterprise),
            ("cooperative", ProducerKind::Cooperative),
            ("family_farm", ProducerKind::FamilyFarm),
            ("individual", ProducerKind::Individual),
        ];
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Producer);
            let kind = self.choice(&row, "kind", &kinds);
            let name_zh = row.required(self.diags, "name_zh");
            let town = row.required(self.diags, "town");
            let address = row.required(self.diags, "address");
            let uscc = row.parse_opt(self.diags, "uscc", |s| codes::check_uscc(s).map(|_| s.to_owned()));
            if uscc == Some(None)
                && matches!(kind, Some(ProducerKind::Enterprise | ProducerKind::Cooperative))
            {
                row.report(
                    self.diags,
                    Severity::Warning,
                    "uscc",
                    "enterprises and cooperatives usually have a 统一社会信用代码",
                );
            }
            let phone = row.parse_opt(self.diags, "contact_phone", |s| {
                protocol::privacy::check_phone(s).map(|_| protocol::privacy::mask_phone(s))
            });
            let logo = match row.optional("logo") {
                Some(name) => self.image(&row, "logo", name).map(Some),
                None => Some(None),
            };
            if let (
                Some(id),
                Some(kind),
                Some(name_zh),
                Some(town),
                Some(address),
                Some(uscc),
                Some(contact_masked),
                Some(logo),
            ) = (id, kind, name_zh, town, address, uscc, phone, logo)
            {
                out.push((
                    row.line,
                    Producer {
                        id,
                        kind,
                        name_zh: name_zh.into(),
                        name_en: row.raw("name_en").into(),
                        uscc,
                        town: town.into(),
                        address: address.into(),
                        contact_masked,
                        intro_zh: row.raw("intro_zh").into(),
                        intro_en: row.raw("intro_en").into(),
                        logo,
                    },
                ));
            }
        }
        out
    }

    fn certifications(&mut self, t: &Table) -> Vec<(u64, Certification)> {
        let kinds = [
            ("green_food", CertificationKind::GreenFood),
            ("organic", CertificationKind::Organic),
            ("geo_indication", CertificationKind::GeoIndication),
            ("non_pollution_legacy", CertificationKind::NonPollutionLegacy),
            ("other", CertificationKind::Other),
        ];
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Certification);
            let kind = self.choice(&row, "kind", &kinds);
            let number = row.required(self.diags, "number");
            let issuer = row.required(self.diags, "issuer");
            let holder = row.parse(self.diags, "holder_id", fields::id);
            if let Some(h) = &holder {
                self.refers(&row, "holder_id", ItemKind::Producer, h);
            }
            let from = row.parse(self.diags, "valid_from", fields::date);
            let until = row.parse(self.diags, "valid_until", fields::date);
            if let (Some(f), Some(u)) = (from, until)
                && u < f
            {
                row.report(
                    self.diags,
                    Severity::Error,
                    "valid_until",
                    format!(
                        "valid_until {} is before valid_from {}",
                        county_time::iso_date(u),
                        county_time::iso_date(f)
                    ),
                );
                continue;
            }
            if let (Some(id), Some(kind), Some(number), Some(issuer), Some(holder_id), Some(f), Some(u)) =
                (id, kind, number, issuer, holder, from, until)
            {
                out.push((
                    row.line,
                    Certification {
                        id,
                        kind,
                        number: number.into(),
                        issuer: issuer.into(),
                        holder_id,
                        scope_zh: row.raw("scope_zh").into(),
                        valid_from: county_time::iso_date(f),
                        valid_until: county_time::iso_date(u),
                    },
                ));
            }
        }
        out
    }

    fn products(&mut self, t: &Table) -> Vec<(u64, Product)> {
        let cats = [
            ("farm_produce", Category::FarmProduce),
            ("tourism", Category::Tourism),
            ("cultural", Category::Cultural),
            ("industrial", Category::Industrial),
        ];
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Product);
            let category = self.choice(&row, "category", &cats);
            let sub = row.required(self.diags, "subcategory_zh");
            let name_zh = row.required(self.diags, "name_zh");
            let spec = row.required(self.diags, "spec_zh");
            let price = row.parse_opt(self.diags, "price_yuan", fields::yuan_to_fen);
            if price.is_some_and(|p| p.is_some()) && row.optional("price_unit_zh").is_none() {
                row.report(
                    self.diags,
                    Severity::Error,
                    "price_unit_zh",
                    "a price needs its unit (元/瓶, 元/斤, …)",
                );
            }
            let producer = row.parse(self.diags, "producer_id", fields::id);
            if let Some(p) = &producer {
                self.refers(&row, "producer_id", ItemKind::Producer, p);
            }
            for c in fields::list(row.raw("certification_ids")) {
                self.refers(&row, "certification_ids", ItemKind::Certification, &c);
            }
            let gtin = row.parse_opt(self.diags, "gtin", codes::normalize_gtin);
            let featured = row.parse_opt(self.diags, "featured", fields::boolean);
            let images: Vec<Option<BlobRef>> = match row.required(self.diags, "images") {
                Some(cell) => fields::list(cell).iter().map(|n| self.image(&row, "images", n)).collect(),
                None => vec![None],
            };
            let images: Option<Vec<BlobRef>> = images.into_iter().collect();
            if let Some(id) = &id {
                let facts = ProductFacts {
                    name_zh: row.raw("name_zh").into(),
                    subcategory_zh: row.raw("subcategory_zh").into(),
                    gtin: gtin.clone().flatten(),
                };
                self.products.insert(id.clone(), facts);
            }
            if let (
                Some(id),
                Some(category),
                Some(sub),
                Some(name_zh),
                Some(spec),
                Some(price_fen),
                Some(producer_id),
                Some(gtin),
                Some(featured),
                Some(images),
            ) = (id, category, sub, name_zh, spec, price, producer, gtin, featured, images)
            {
                out.push((
                    row.line,
                    Product {
                        id,
                        category,
                        subcategory_zh: sub.into(),
                        name_zh: name_zh.into(),
                        name_en: row.raw("name_en").into(),
                        spec_zh: spec.into(),
                        price_fen,
                        price_unit_zh: row.raw("price_unit_zh").into(),
                        producer_id,
                        gtin,
                        intro_zh: row.raw("intro_zh").into(),
                        intro_en: row.raw("intro_en").into(),
                        featured: featured.unwrap_or(false),
                        keywords: row.raw("keywords").into(),
                        certification_ids: fields::list(row.raw("certification_ids")),
                        images,
                    },
                ));
            }
        }
        out
    }

    fn batches(&mut self, t: &Table, meta: &CatalogMeta) -> Vec<(u64, Batch)> {
        let mut lots: HashMap<(String, String), u64> = HashMap::new();
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Batch);
            let product_id = row.parse(self.diags, "product_id", fields::id);
            let lot = row.parse(self.diags, "lot", |s| codes::check_lot(s).map(|_| s.to_owned()));
            let prod = row.parse(self.diags, "production_date", fields::date);
            let pack = row.parse_opt(self.diags, "packaging_date", fields::date);
            let best = row.parse_opt(self.diags, "best_before", fields::date);
            let exp = row.parse_opt(self.diags, "expiry", fields::date);
            let quantity = row.required(self.diags, "quantity");
            let origin = row.required(self.diags, "origin_zh");
            if let Some(p) = prod
                && p > self.today
            {
                row.report(
                    self.diags,
                    Severity::Error,
                    "production_date",
                    format!("production date {} is in the future", county_time::iso_date(p)),
                );
            }
            // prod ≤ pack ≤ best_before ≤ expiry, over the dates present.
            let order = [
                ("production_date", prod),
                ("packaging_date", pack.flatten()),
                ("best_before", best.flatten()),
                ("expiry", exp.flatten()),
            ];
            let present: Vec<(&str, Date)> = order.iter().filter_map(|(n, d)| d.map(|d| (*n, d))).collect();
            for w in present.windows(2) {
                if w[1].1 < w[0].1 {
                    row.report(self.diags, Severity::Error, w[1].0, format!(
                        "{} {} is before {} {}; dates must run production ≤ packaging ≤ best before ≤ expiry",
                        w[1].0, county_time::iso_date(w[1].1), w[0].0, county_time::iso_date(w[0].1)
                    ));
                }
            }
            // Cloned so the diagnostics below can borrow the builder.
            let product = product_id
                .as_deref()
                .and_then(|p| self.products.get(p))
                .map(|p| (p.name_zh.clone(), p.subcategory_zh.clone(), p.gtin.clone()));
            if let Some(pid) = &product_id {
                self.refers(&row, "product_id", ItemKind::Product, pid);
            }
            if let (Some(p), Some(l)) = (&product_id, &lot)
                && let Some(first) = lots.insert((p.clone(), l.clone()), row.line)
            {
                row.report(
                    self.diags,
                    Severity::Error,
                    "lot",
                    format!("lot {l:?} of product {p:?} is already on line {first}"),
                );
            }
            let commitment = row.optional("commitment_cert");
            if let Some((name, sub, _)) = &product
                && COMMITMENT_CERT_REQUIRED.contains(&sub.as_str())
                && commitment.is_none()
            {
                let msg = format!("{name} ({sub}) needs a 承诺达标合格证 number for every batch");
                row.report(self.diags, Severity::Error, "commitment_cert", msg);
            }
            let gtin = product.map(|p| p.2);
            // The QR: a GS1 Digital Link when the product has a GTIN, else the county trace code.
            let trace_uri = match (gtin, lot.as_deref(), prod) {
                (Some(gtin), Some(lot), Some(d)) => match gtin {
                    Some(gtin) => {
                        if row.optional("trace_code").is_some() {
                            row.report(
                                self.diags,
                                Severity::Warning,
                                "trace_code",
                                "ignored: the product has a GTIN, so the QR is a GS1 Digital Link",
                            );
                        }
                        Some(format!("{}/01/{gtin}/10/{lot}?11={}", meta.trace_base, county_time::yymmdd(d)))
                    }
                    None => row
                        .parse(self.diags, "trace_code", |c| {
                            codes::check_trace_code(c, &meta.county_code, &county_time::yymmdd(d))
                        })
                        .map(|_| format!("{}/t/{}", meta.trace_base, row.raw("trace_code"))),
                },
                _ => None,
            };
            if let (
                Some(id),
                Some(product_id),
                Some(lot),
                Some(d),
                Some(pack),
                Some(best),
                Some(exp),
                Some(q),
                Some(o),
                Some(uri),
            ) = (id, product_id, lot, prod, pack, best, exp, quantity, origin, trace_uri)
            {
                out.push((
                    row.line,
                    Batch {
                        id,
                        product_id,
                        lot,
                        production_date: county_time::iso_date(d),
                        packaging_date: pack.map(county_time::iso_date),
                        best_before: best.map(county_time::iso_date),
                        expiry: exp.map(county_time::iso_date),
                        quantity: q.into(),
                        origin_zh: o.into(),
                        commitment_cert: commitment.map(str::to_owned),
                        trace_uri: uri,
                        records: Vec::new(),
                    },
                ));
            }
        }
        out
    }

    fn trace_records(&mut self, t: &Table, batches: &mut [(u64, Batch)]) {
        let index: HashMap<String, usize> =
            batches.iter().enumerate().map(|(i, (_, b))| (b.id.clone(), i)).collect();
        for row in t.rows() {
            let batch = row.parse(self.diags, "batch_id", fields::id);
            let date = row.parse(self.diags, "date", fields::date);
            let stage = row.parse(self.diags, "stage", |s| {
                TRACE_STAGES
                    .contains(&s)
                    .then(|| s.to_owned())
                    .ok_or_else(|| format!("stage {s:?} is not one of {}", TRACE_STAGES.join(", ")))
            });
            let actor = row.required(self.diags, "actor_zh");
            let detail = row.required(self.diags, "detail_zh");
            let Some(bid) = batch else { continue };
            self.refers(&row, "batch_id", ItemKind::Batch, &bid);
            let Some(&ix) = index.get(&bid) else { continue };
            if let Some(d) = date
                && d > self.today
            {
                row.report(
                    self.diags,
                    Severity::Error,
                    "date",
                    format!("date {} is in the future", county_time::iso_date(d)),
                );
            }
            if let (Some(d), Some(stage), Some(a), Some(x)) = (date, stage, actor, detail) {
                batches[ix].1.records.push(TraceRecord {
                    date: county_time::iso_date(d),
                    stage,
                    actor_zh: a.into(),
                    detail_zh: x.into(),
                });
            }
        }
        for (_, b) in batches.iter_mut() {
            b.records.sort_by(|a, b| a.date.cmp(&b.date));
        }
    }

    fn services(&mut self, t: &Table) -> Vec<Service> {
        let kinds = [("free", ServiceKind::Free), ("value_added", ServiceKind::ValueAdded)];
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Service);
            let kind = self.choice(&row, "kind", &kinds);
            let name = row.required(self.diags, "name_zh");
            let price = row.parse_opt(self.diags, "price_yuan", fields::yuan_to_fen);
            let complaint = row.parse_opt(self.diags, "is_complaint", fields::boolean);
            match (kind, &price) {
                (Some(ServiceKind::ValueAdded), Some(None)) => {
                    row.report(
                        self.diags,
                        Severity::Error,
                        "price_yuan",
                        "a value-added service must publish its price",
                    );
                    continue;
                }
                (Some(ServiceKind::Free), Some(Some(_))) => {
                    row.report(
                        self.diags,
                        Severity::Error,
                        "price_yuan",
                        "a free service cannot have a price",
                    );
                    continue;
                }
                _ => {}
            }
            if let (Some(id), Some(kind), Some(name), Some(price_fen), Some(c)) =
                (id, kind, name, price, complaint)
            {
                out.push(Service {
                    id,
                    kind,
                    name_zh: name.into(),
                    name_en: row.raw("name_en").into(),
                    description_zh: row.raw("description_zh").into(),
                    price_fen,
                    price_unit_zh: row.raw("price_unit_zh").into(),
                    is_complaint: c.unwrap_or(false),
                });
            }
        }
        out
    }

    /// The towns on the big screen's schematic map: positions 0–100.
    fn towns(&mut self, t: &Table) -> Vec<Town> {
        let percent = |s: &str| match s.trim().parse::<u8>() {
            Ok(v) if v <= 100 => Ok(v),
            _ => Err(format!("{s:?} is not a whole number from 0 to 100")),
        };
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::Town);
            let name = row.required(self.diags, "name_zh");
            let (x, y) = (row.parse(self.diags, "x", percent), row.parse(self.diags, "y", percent));
            if let (Some(id), Some(name), Some(x), Some(y)) = (id, name, x, y) {
                out.push(Town { id, name_zh: name.into(), name_en: row.raw("name_en").into(), x, y });
            }
        }
        out
    }

    fn shops(&mut self, t: &Table) -> Vec<(u64, ShopLink)> {
        let mut out = Vec::new();
        for row in t.rows() {
            let id = self.id(&row, ItemKind::ShopLink);
            let producer = row.parse(self.diags, "producer_id", fields::id);
            let product = row.parse_opt(self.diags, "product_id", fields::id);
            if let Some(p) = &producer {
                self.refers(&row, "producer_id", ItemKind::Producer, p);
            }
            if let Some(Some(p)) = &product {
                self.refers(&row, "product_id", ItemKind::Product, p);
            }
            let platform = row.parse(self.diags, "platform", |s| {
                PLATFORMS
                    .contains(&s)
                    .then(|| s.to_owned())
                    .ok_or_else(|| format!("platform {s:?} is not one of {}", PLATFORMS.join(", ")))
            });
            let label = row.required(self.diags, "label_zh");
            let url = row.parse(self.diags, "url", fields::https_url);
            if let (Some(id), Some(producer_id), Some(product_id), Some(platform), Some(label), Some(url)) =
                (id, producer, product, platform, label, url)
            {
                out.push((
                    row.line,
                    ShopLink { id, producer_id, product_id, platform, label_zh: label.into(), url },
                ));
            }
        }
        out
    }

    /// Certificates shown with a batch must be valid on its production date.
    /// One line per unreadable table, naming the files not checked against it.
    fn report_unchecked(&mut self) {
        for (target, files) in std::mem::take(&mut self.unchecked) {
            let list: Vec<&str> = files.iter().map(String::as_str).collect();
            let names = match list.split_last() {
                Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
                _ => list.join(""),
            };
            let message = format!("{names} not checked against {target}, which could not be read");
            self.diags.push(Severity::Warning, target, None, None, message);
        }
    }

    fn cross_check(
        &mut self,
        products: &[(u64, Product)],
        certs: &[(u64, Certification)],
        batches: &[(u64, Batch)],
    ) {
        let cert_by_id: HashMap<&str, &Certification> =
            certs.iter().map(|(_, c)| (c.id.as_str(), c)).collect();
        let product_by_id: HashMap<&str, &Product> =
            products.iter().map(|(_, p)| (p.id.as_str(), p)).collect();
        for (line, b) in batches {
            let Some(p) = product_by_id.get(b.product_id.as_str()) else { continue };
            for cid in &p.certification_ids {
                if let Some(c) = cert_by_id.get(cid.as_str())
                    && (b.production_date < c.valid_from || b.production_date > c.valid_until)
                {
                    self.diags.push(Severity::Warning, "batches.csv", Some(*line), None, format!(
                        "certificate {} ({}) was not valid on production date {}; kiosks will show it as expired for this batch",
                        c.number, c.id, b.production_date
                    ));
                }
            }
        }
    }
}
