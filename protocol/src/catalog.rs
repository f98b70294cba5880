//! The catalog as it travels: typed items, whole-version snapshots, deltas.
//!
//! A version's identity is the SHA-256 of its canonical snapshot: items sorted
//! by key, serialised by serde with fixed field order (no maps with unordered
//! keys anywhere). A kiosk that applies a delta recomputes that hash and
//! refuses the result unless it equals the pointer's `manifest_sha256`, so a
//! wrong or partial delta can never become what is on screen.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// An image (or other blob) named by content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRef {
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 农特产品
    FarmProduce,
    /// 旅游产品
    Tourism,
    /// 文化产品
    Cultural,
    /// 工业品
    Industrial,
}

impl Category {
    pub const ALL: [Category; 4] = [Self::FarmProduce, Self::Tourism, Self::Cultural, Self::Industrial];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FarmProduce => "farm_produce",
            Self::Tourism => "tourism",
            Self::Cultural => "cultural",
            Self::Industrial => "industrial",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProducerKind {
    Enterprise,
    Cooperative,
    FamilyFarm,
    Individual,
}

/// 生产经营主体: an entry of the enterprise directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Producer {
    pub id: String,
    pub kind: ProducerKind,
    pub name_zh: String,
    pub name_en: String,
    /// 18-character 统一社会信用代码, for legal persons.
    pub uscc: Option<String>,
    pub town: String,
    pub address: String,
    /// Already masked (138****5678); the full number never leaves the hub.
    pub contact_masked: Option<String>,
    pub intro_zh: String,
    pub intro_en: String,
    pub logo: Option<BlobRef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub category: Category,
    pub subcategory_zh: String,
    pub name_zh: String,
    pub name_en: String,
    /// 规格, e.g. "500 ml/瓶".
    pub spec_zh: String,
    /// Price in fen (0.01 yuan); `None` when not sold at a fixed price.
    pub price_fen: Option<u64>,
    pub price_unit_zh: String,
    pub producer_id: String,
    /// A validated GTIN-14, when the producer has a GS1 prefix.
    pub gtin: Option<String>,
    pub intro_zh: String,
    pub intro_en: String,
    pub featured: bool,
    /// Pinyin initials and other search words, e.g. "yc youcha".
    pub keywords: String,
    pub certification_ids: Vec<String>,
    pub images: Vec<BlobRef>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificationKind {
    /// 绿色食品
    GreenFood,
    /// 有机产品
    Organic,
    /// 地理标志
    GeoIndication,
    /// 无公害农产品 (legacy data only)
    NonPollutionLegacy,
    Other,
}

/// 三品一标 and similar certificates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Certification {
    pub id: String,
    pub kind: CertificationKind,
    pub number: String,
    pub issuer: String,
    pub holder_id: String,
    pub scope_zh: String,
    /// ISO dates, `YYYY-MM-DD`.
    pub valid_from: String,
    pub valid_until: String,
}

/// One record of a batch's trace (投入品, inspection, stage of the chain).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceRecord {
    pub date: String,
    /// produce, input, inspection, process, store, transport, sell, certificate
    pub stage: String,
    pub actor_zh: String,
    pub detail_zh: String,
}

/// 批次: what a traceability QR points at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    pub id: String,
    pub product_id: String,
    /// `[0-9A-Z-]{1,20}`: never needs percent-encoding in a Digital Link.
    pub lot: String,
    pub production_date: String,
    pub packaging_date: Option<String>,
    pub best_before: Option<String>,
    pub expiry: Option<String>,
    pub quantity: String,
    pub origin_zh: String,
    /// 承诺达标合格证 number, where the category needs one.
    pub commitment_cert: Option<String>,
    /// The URI the QR encodes (GS1 Digital Link or county trace code).
    pub trace_uri: String,
    pub records: Vec<TraceRecord>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    /// 免费服务
    Free,
    /// 增值服务, with a published price
    ValueAdded,
}

/// An entry of the centre's service catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub kind: ServiceKind,
    pub name_zh: String,
    pub name_en: String,
    pub description_zh: String,
    pub price_fen: Option<u64>,
    pub price_unit_zh: String,
    /// True for the complaint channel (5-working-day resolution rule).
    pub is_complaint: bool,
}

/// Where to buy online: shown as a QR code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopLink {
    pub id: String,
    pub producer_id: String,
    pub product_id: Option<String>,
    /// taobao, tmall, pinduoduo, jd, douyin, wechat, other
    pub platform: String,
    pub label_zh: String,
    pub url: String,
}

/// A town or township of the county, placed on the big screen's schematic
/// map (not a survey: positions are 0–100 across and down a box around
/// the county).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Town {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// 0 (west) to 100 (east).
    pub x: u8,
    /// 0 (north) to 100 (south).
    pub y: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Producer,
    Product,
    Certification,
    Batch,
    Service,
    ShopLink,
    Town,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Producer => "producer",
            Self::Product => "product",
            Self::Certification => "certification",
            Self::Batch => "batch",
            Self::Service => "service",
            Self::ShopLink => "shop_link",
            Self::Town => "town",
        }
    }
}

/// Items are addressed by kind and id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ItemKey {
    pub kind: ItemKind,
    pub id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CatalogItem {
    Producer(Producer),
    Product(Product),
    Certification(Certification),
    Batch(Batch),
    Service(Service),
    ShopLink(ShopLink),
    Town(Town),
}

impl CatalogItem {
    pub fn key(&self) -> ItemKey {
        let (kind, id) = match self {
            Self::Producer(x) => (ItemKind::Producer, &x.id),
            Self::Product(x) => (ItemKind::Product, &x.id),
            Self::Certification(x) => (ItemKind::Certification, &x.id),
            Self::Batch(x) => (ItemKind::Batch, &x.id),
            Self::Service(x) => (ItemKind::Service, &x.id),
            Self::ShopLink(x) => (ItemKind::ShopLink, &x.id),
            Self::Town(x) => (ItemKind::Town, &x.id),
        };
        ItemKey { kind, id: id.clone() }
    }

    /// The blobs this item needs on the kiosk.
    pub fn blobs(&self) -> Vec<&BlobRef> {
        match self {
            Self::Producer(p) => p.logo.iter().collect(),
            Self::Product(p) => p.images.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// An item as of the version that last changed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionedItem {
    pub rev: u64,
    pub item: CatalogItem,
}

/// A whole version, items sorted by key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u64,
    pub items: Vec<VersionedItem>,
}

/// What turns version `base` into version `version`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub base: u64,
    pub version: u64,
    pub upserts: Vec<VersionedItem>,
    pub deletes: Vec<ItemKey>,
}

/// A catalog document, as moved by `catalog/doc` + blob transfer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "doc", rename_all = "snake_case")]
pub enum Document {
    Snapshot(Snapshot),
    Delta(Delta),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogDocError {
    #[error("delta applies to version {delta_base}, but this catalog is version {have}")]
    WrongBase { have: u64, delta_base: u64 },
    #[error("delta deletes {0:?}, which is not in the catalog")]
    DeleteUnknown(ItemKey),
    #[error("item {0:?} appears twice")]
    Duplicate(ItemKey),
    #[error("catalog document is corrupt: {0}")]
    Corrupt(String),
    #[error("catalog document inflates beyond {0} bytes")]
    TooLarge(usize),
}

impl Snapshot {
    /// Build a snapshot, sorting items by key; duplicate keys are an error.
    pub fn new(version: u64, mut items: Vec<VersionedItem>) -> Result<Self, CatalogDocError> {
        items.sort_by_key(|i| i.item.key());
        if let Some(w) = items.windows(2).find(|w| w[0].item.key() == w[1].item.key()) {
            return Err(CatalogDocError::Duplicate(w[0].item.key()));
        }
        Ok(Self { version, items })
    }

    /// The SHA-256 of the canonical serialisation: the version's identity.
    pub fn manifest_sha256(&self) -> String {
        crate::sha256_hex(&serde_json::to_vec(self).expect("snapshots serialise"))
    }

    /// Every distinct blob the version needs, sorted by hash.
    pub fn blobs(&self) -> Vec<&BlobRef> {
        let mut map: BTreeMap<&str, &BlobRef> = BTreeMap::new();
        for i in &self.items {
            for b in i.item.blobs() {
                map.insert(&b.sha256, b);
            }
        }
        map.into_values().collect()
    }

    pub fn get(&self, key: &ItemKey) -> Option<&VersionedItem> {
        self.items.binary_search_by(|i| i.item.key().cmp(key)).ok().map(|ix| &self.items[ix])
    }

    /// The delta from `self` to `newer`: items whose content changed, and
    /// keys that are gone.
    pub fn delta_to(&self, newer: &Snapshot) -> Delta {
        let old: BTreeMap<ItemKey, &VersionedItem> = self.items.iter().map(|i| (i.item.key(), i)).collect();
        let new: BTreeMap<ItemKey, &VersionedItem> = newer.items.iter().map(|i| (i.item.key(), i)).collect();
        let upserts = new
            .iter()
            .filter(|(k, v)| old.get(*k).is_none_or(|o| o.item != v.item || o.rev != v.rev))
            .map(|(_, v)| (*v).clone())
            .collect();
        let deletes = old.keys().filter(|k| !new.contains_key(*k)).cloned().collect();
        Delta { base: self.version, version: newer.version, upserts, deletes }
    }

    /// Apply a delta, giving the next version. `self` is not changed.
    pub fn apply(&self, delta: &Delta) -> Result<Snapshot, CatalogDocError> {
        if delta.base != self.version {
            return Err(CatalogDocError::WrongBase { have: self.version, delta_base: delta.base });
        }
        let mut map: BTreeMap<ItemKey, VersionedItem> =
            self.items.iter().map(|i| (i.item.key(), i.clone())).collect();
        for k in &delta.deletes {
            map.remove(k).ok_or_else(|| CatalogDocError::DeleteUnknown(k.clone()))?;
        }
        for u in &delta.upserts {
            map.insert(u.item.key(), u.clone());
        }
        Ok(Snapshot { version: delta.version, items: map.into_values().collect() })
    }
}

impl Document {
    /// gzip-compressed JSON, the bytes stored and sent as a blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        let json = serde_json::to_vec(self).expect("documents serialise");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&json).expect("writing to a Vec cannot fail");
        gz.finish().expect("writing to a Vec cannot fail")
    }

    /// Inflate and parse, refusing anything larger than `limits::MAX_DOC_INFLATED`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Document, CatalogDocError> {
        let limit = crate::limits::MAX_DOC_INFLATED;
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(limit as u64 + 1)
            .read_to_end(&mut json)
            .map_err(|e| CatalogDocError::Corrupt(e.to_string()))?;
        if json.len() > limit {
            return Err(CatalogDocError::TooLarge(limit));
        }
        serde_json::from_slice(&json).map_err(|e| CatalogDocError::Corrupt(e.to_string()))
    }
}
