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

/// Whether a story is about a person (典型人物) or an enterprise (经典案例).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StorySubject {
    Person,
    Enterprise,
}

/// 典型人物 / 经典案例: a local success story shown in the showroom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Story {
    pub id: String,
    pub subject: StorySubject,
    /// The person or enterprise the story is about. For a person, published
    /// only with their written consent (checked at import).
    pub name_zh: String,
    /// A town of `towns.csv`.
    pub town: String,
    pub title_zh: String,
    pub title_en: String,
    pub text_zh: String,
    pub text_en: String,
    /// ISO date, `YYYY-MM-DD`.
    pub date: String,
    pub photos: Vec<BlobRef>,
    /// The producer whose shop the story's QR leads to, where there is one.
    pub producer_id: Option<String>,
    pub product_ids: Vec<String>,
}

/// What a course teaches, as the county plan lists its training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourseKind {
    /// 电商基础
    Basics,
    /// 运营推广
    Operations,
    /// 美工设计
    Design,
    /// 直播带货
    LiveStreaming,
    /// 跨境电商
    CrossBorder,
    /// 校企合作: run with schools and companies.
    Partner,
    /// 第三方服务商
    ThirdParty,
}

impl CourseKind {
    pub const ALL: [CourseKind; 7] = [
        Self::Basics,
        Self::Operations,
        Self::Design,
        Self::LiveStreaming,
        Self::CrossBorder,
        Self::Partner,
        Self::ThirdParty,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Basics => "basics",
            Self::Operations => "operations",
            Self::Design => "design",
            Self::LiveStreaming => "live_streaming",
            Self::CrossBorder => "cross_border",
            Self::Partner => "partner",
            Self::ThirdParty => "third_party",
        }
    }
}

/// Who a course is for: everyone, or one of the plan's dedicated groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Everyone,
    /// 妇女专场
    Women,
    /// 残疾人专场
    Disabled,
    /// 低收入户专场
    LowIncome,
}

impl Audience {
    pub const ALL: [Audience; 4] = [Self::Everyone, Self::Women, Self::Disabled, Self::LowIncome];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Everyone => "everyone",
            Self::Women => "women",
            Self::Disabled => "disabled",
            Self::LowIncome => "low_income",
        }
    }
    /// True for the plan's dedicated groups.
    pub fn is_dedicated(self) -> bool {
        self != Self::Everyone
    }
}

/// A training course; it runs as one or more [`TrainingSession`]s.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Course {
    pub id: String,
    pub kind: CourseKind,
    pub audience: Audience,
    pub title_zh: String,
    pub title_en: String,
    pub intro_zh: String,
    pub intro_en: String,
    /// The centre, a school, a company or a third-party provider.
    pub organiser_zh: String,
}

/// How people get a place at a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupWay {
    /// On a station kiosk; the hub allocates the seats.
    Kiosk,
    /// By telephoning the organiser (the note says where).
    Phone,
    /// No sign-up: come along.
    WalkIn,
}

/// One run of a course at a place and time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingSession {
    pub id: String,
    pub course_id: String,
    /// The centre's classroom, a station, a school's hall.
    pub place_zh: String,
    /// A town of `towns.csv`, when the session is held in one.
    pub town: Option<String>,
    /// Unix ms.
    pub starts_at: u64,
    pub ends_at: u64,
    pub seats: u32,
    /// Per person, in fen; `None` when free.
    pub price_fen: Option<u64>,
    pub signup: SignupWay,
    pub signup_note_zh: String,
    /// Sign-up closes then (Unix ms), at the latest when the session starts.
    pub signup_closes_at: u64,
}

/// 招聘信息: a job opening at an enterprise of the directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub producer_id: String,
    pub title_zh: String,
    pub title_en: String,
    /// A town of `towns.csv`: where the work is.
    pub town: String,
    /// Pay range in yuan per `pay_unit_zh`; either end may be open.
    pub pay_min_yuan: Option<u32>,
    pub pay_max_yuan: Option<u32>,
    pub pay_unit_zh: String,
    pub requirements_zh: String,
    pub openings: u32,
    /// ISO date: the last day the opening is shown.
    pub valid_until: String,
}

/// 最新动态: an enterprise's news item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct News {
    pub id: String,
    pub producer_id: String,
    /// ISO date.
    pub date: String,
    pub title_zh: String,
    pub text_zh: String,
    pub photo: Option<BlobRef>,
}

/// What a kiosk announces in its birth to receive items beyond the first
/// version of the protocol: a kiosk built before a kind existed rejects a
/// catalog document that holds one, so the hub sends each kiosk the view of
/// a version that its software reads (see [`Snapshot::view`]).
pub mod features {
    /// Stories, courses and sessions, jobs, enterprise news.
    pub const CONTENT: &str = "content";
    /// Every feature this build reads, as it announces them.
    pub const READ_BY_THIS_BUILD: [&str; 1] = [CONTENT];
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
    Story,
    Course,
    Session,
    Job,
    News,
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
            Self::Story => "story",
            Self::Course => "course",
            Self::Session => "session",
            Self::Job => "job",
            Self::News => "news",
        }
    }

    /// The feature a kiosk must announce to be sent items of this kind;
    /// `None` for the kinds of the first version of the protocol.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            Self::Story | Self::Course | Self::Session | Self::Job | Self::News => Some(features::CONTENT),
            _ => None,
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
    Story(Story),
    Course(Course),
    Session(TrainingSession),
    Job(Job),
    News(News),
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
            Self::Story(x) => (ItemKind::Story, &x.id),
            Self::Course(x) => (ItemKind::Course, &x.id),
            Self::Session(x) => (ItemKind::Session, &x.id),
            Self::Job(x) => (ItemKind::Job, &x.id),
            Self::News(x) => (ItemKind::News, &x.id),
        };
        ItemKey { kind, id: id.clone() }
    }

    /// The blobs this item needs on the kiosk.
    pub fn blobs(&self) -> Vec<&BlobRef> {
        match self {
            Self::Producer(p) => p.logo.iter().collect(),
            Self::Product(p) => p.images.iter().collect(),
            Self::Story(s) => s.photos.iter().collect(),
            Self::News(n) => n.photo.iter().collect(),
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

    /// This version as a kiosk sees it that reads only `features`: items of
    /// kinds it does not know are left out. The view has its own manifest,
    /// so a kiosk verifies what it was sent, not the whole.
    pub fn view(&self, features: &[&str]) -> Snapshot {
        let readable = |k: ItemKind| k.feature().is_none_or(|f| features.contains(&f));
        Snapshot {
            version: self.version,
            items: self.items.iter().filter(|i| readable(i.item.key().kind)).cloned().collect(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn town(id: &str) -> VersionedItem {
        VersionedItem {
            rev: 1,
            item: CatalogItem::Town(Town {
                id: id.into(),
                name_zh: "镇".into(),
                name_en: String::new(),
                x: 1,
                y: 2,
            }),
        }
    }

    fn course(id: &str) -> VersionedItem {
        VersionedItem {
            rev: 2,
            item: CatalogItem::Course(Course {
                id: id.into(),
                kind: CourseKind::LiveStreaming,
                audience: Audience::Women,
                title_zh: "直播带货".into(),
                title_en: String::new(),
                intro_zh: String::new(),
                intro_en: String::new(),
                organiser_zh: "中心".into(),
            }),
        }
    }

    #[test]
    fn a_kiosk_that_does_not_read_content_gets_a_view_without_it_and_a_manifest_of_its_own() {
        let whole = Snapshot::new(3, vec![course("c1"), town("t1")]).unwrap();
        let old = whole.view(&[]);
        assert_eq!(old.items, vec![town("t1")]);
        assert_eq!(old.version, 3);
        assert_ne!(old.manifest_sha256(), whole.manifest_sha256());
        assert_eq!(whole.view(&features::READ_BY_THIS_BUILD), whole);
        // A view of a version without content is the version itself, so an
        // older kiosk verifies the same manifest as before content existed.
        let plain = Snapshot::new(4, vec![town("t1")]).unwrap();
        assert_eq!(plain.view(&[]).manifest_sha256(), plain.manifest_sha256());
    }

    #[test]
    fn views_of_two_versions_differ_by_the_delta_of_the_views() {
        let v1 = Snapshot::new(1, vec![town("t1")]).unwrap();
        let v2 = Snapshot::new(2, vec![course("c1"), town("t1"), town("t2")]).unwrap();
        let delta = v1.view(&[]).delta_to(&v2.view(&[]));
        assert!(delta.upserts.iter().all(|u| u.item.key().kind == ItemKind::Town));
        assert_eq!(v1.view(&[]).apply(&delta).unwrap(), v2.view(&[]));
    }
}
