//! Search over the catalog on screen, for people typing on a touchscreen:
//! hanzi substrings (茶油), full pinyin (`youcha`), pinyin initials (`yc`
//! finds 油茶), English words, the staff's keywords, producers' names, and
//! digits of a barcode. Results are ranked: where the query matches (the
//! name before the producer before the description) and how (whole, start,
//! inside), then featured products, then the catalog order.

use pinyin::ToPinyin;
use protocol::catalog::{CatalogItem, Snapshot};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HitKind {
    Product,
    Producer,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub kind: HitKind,
    pub id: String,
    pub score: u32,
}

/// The three forms a field is searched in.
const FORMS: usize = 3;
/// Separates fields in a form's haystack; never in normalized text.
const SEP: char = '\u{1}';

/// Every field of every entry in one form, joined into one haystack, so a
/// query is one SIMD substring scan instead of tens of thousands of small
/// ones.
#[derive(Default)]
struct Form {
    hay: String,
    /// Byte range of each field in `hay`, in order.
    fields: Vec<(u32, u32)>,
    /// For each field: its entry and weight.
    owner: Vec<(u32, u32)>,
}

impl Form {
    fn push(&mut self, entry: usize, weight: u32, text: &str) {
        if text.is_empty() {
            return;
        }
        let start = self.hay.len() as u32;
        self.hay.push_str(text);
        self.fields.push((start, self.hay.len() as u32));
        self.owner.push((entry as u32, weight));
        self.hay.push(SEP);
    }
}

struct Entry {
    kind: HitKind,
    id: String,
    featured: bool,
}

pub struct SearchIndex {
    entries: Vec<Entry>,
    /// Names and the like: text as written, full pinyin, pinyin initials.
    forms: [Form; FORMS],
    /// Descriptions, as written only, searched for queries of two or more
    /// characters (a single letter would match nearly every description).
    long_text: Form,
}

/// Fold text and queries alike: lower case, letters and digits only.
fn normalize(q: &str) -> String {
    q.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The field in its three forms.
fn forms_of(text: &str) -> [String; FORMS] {
    let text = normalize(text);
    let mut pinyin = String::with_capacity(text.len() * 2);
    let mut initials = String::with_capacity(text.len());
    for (c, p) in text.chars().zip(text.as_str().to_pinyin()) {
        match p {
            Some(p) => {
                pinyin.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None => {
                pinyin.push(c);
                initials.push(c);
            }
        }
    }
    [text, pinyin, initials]
}

/// What a match is worth per form: the text as written counts most.
const FORM_WEIGHT: [u32; FORMS] = [4, 3, 3];

impl SearchIndex {
    pub fn build(snap: &Snapshot) -> SearchIndex {
        let mut producers = std::collections::HashMap::new();
        for i in &snap.items {
            if let CatalogItem::Producer(p) = &i.item {
                producers.insert(p.id.as_str(), p.name_zh.as_str());
            }
        }
        let mut ix =
            SearchIndex { entries: Vec::new(), forms: Default::default(), long_text: Form::default() };
        for i in &snap.items {
            let (kind, id, featured, fields, intro): (HitKind, &str, bool, Vec<(&str, u32)>, &str) =
                match &i.item {
                    CatalogItem::Product(p) => (
                        HitKind::Product,
                        &p.id,
                        p.featured,
                        vec![
                            (&p.name_zh, 10),
                            (&p.name_en, 8),
                            (&p.keywords, 7),
                            (&p.subcategory_zh, 5),
                            (producers.get(p.producer_id.as_str()).copied().unwrap_or(""), 4),
                            (p.gtin.as_deref().unwrap_or(""), 9),
                        ],
                        &p.intro_zh,
                    ),
                    CatalogItem::Producer(p) => (
                        HitKind::Producer,
                        &p.id,
                        false,
                        vec![(&p.name_zh, 9), (&p.name_en, 7), (&p.town, 3)],
                        &p.intro_zh,
                    ),
                    _ => continue,
                };
            let e = ix.entries.len();
            ix.entries.push(Entry { kind, id: id.to_owned(), featured });
            for (text, weight) in fields {
                for (form, t) in ix.forms.iter_mut().zip(forms_of(text)) {
                    form.push(e, weight, &t);
                }
            }
            ix.long_text.push(e, 1, &normalize(intro));
        }
        ix
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` hits for `query` (empty for an empty query).
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q = normalize(query);
        if q.is_empty() {
            return Vec::new();
        }
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        let mut best = vec![0u32; self.entries.len()];
        // Hanzi, English and digits match the text as written; letters also
        // match full pinyin and initials.
        let forms = if q.is_ascii() { FORMS } else { 1 };
        let long = (q.chars().count() >= 2).then_some((FORM_WEIGHT[0], &self.long_text));
        let scans =
            self.forms.iter().enumerate().take(forms).map(|(f, form)| (FORM_WEIGHT[f], form)).chain(long);
        for (form_weight, form) in scans {
            let mut field = 0usize;
            for pos in finder.find_iter(form.hay.as_bytes()) {
                let pos = pos as u32;
                // Matches come in order: walk the fields along with them.
                while form.fields[field].1 <= pos {
                    field += 1;
                }
                let (start, end) = form.fields[field];
                let closeness = if pos == start && pos + q.len() as u32 == end {
                    3
                } else if pos == start {
                    2
                } else {
                    1
                };
                let (entry, weight) = form.owner[field];
                let score = closeness * form_weight * weight;
                let b = &mut best[entry as usize];
                *b = (*b).max(score);
            }
        }
        let mut hits: Vec<(u32, bool, usize)> = best
            .iter()
            .enumerate()
            .filter(|(_, s)| **s > 0)
            .map(|(ix, s)| (*s, self.entries[ix].featured, ix))
            .collect();
        hits.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        hits.truncate(limit);
        hits.into_iter()
            .map(|(score, _, ix)| Hit { kind: self.entries[ix].kind, id: self.entries[ix].id.clone(), score })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::catalog::*;

    pub(crate) fn product(
        id: &str,
        name: &str,
        en: &str,
        keywords: &str,
        producer: &str,
        featured: bool,
    ) -> VersionedItem {
        VersionedItem {
            rev: 1,
            item: CatalogItem::Product(Product {
                id: id.into(),
                category: Category::FarmProduce,
                subcategory_zh: "食用油".into(),
                name_zh: name.into(),
                name_en: en.into(),
                spec_zh: String::new(),
                price_fen: None,
                price_unit_zh: String::new(),
                producer_id: producer.into(),
                gtin: Some("2421222001008".into()),
                intro_zh: String::new(),
                intro_en: String::new(),
                featured,
                keywords: keywords.into(),
                certification_ids: Vec::new(),
                images: Vec::new(),
            }),
        }
    }

    fn producer(id: &str, name: &str) -> VersionedItem {
        VersionedItem {
            rev: 1,
            item: CatalogItem::Producer(Producer {
                id: id.into(),
                kind: ProducerKind::Enterprise,
                name_zh: name.into(),
                name_en: String::new(),
                uscc: None,
                town: "石南镇".into(),
                address: String::new(),
                contact_masked: None,
                intro_zh: String::new(),
                intro_en: String::new(),
                logo: None,
            }),
        }
    }

    fn index() -> SearchIndex {
        let snap = Snapshot::new(
            1,
            vec![
                product("oil", "黄袍山压榨山茶油", "Huangpao camellia oil", "", "paoshan", false),
                product("tea", "油茶籽", "Camellia seeds", "", "paoshan", true),
                product("pig", "通城猪腊肉", "Tongcheng cured pork", "larou", "pigs", false),
                producer("paoshan", "袍山油茶科技有限公司"),
                producer("pigs", "通城县山猪原种养殖专业合作社"),
            ],
        )
        .unwrap();
        SearchIndex::build(&snap)
    }

    fn ids(hits: &[Hit]) -> Vec<&str> {
        hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn hanzi_pinyin_initials_english_and_digits() {
        let ix = index();
        assert_eq!(ids(&ix.search("yc", 10))[0], "tea", "yc finds 油茶, at the start of its name");
        assert!(ids(&ix.search("yc", 10)).contains(&"paoshan"), "and the enterprise named 油茶");
        assert_eq!(ids(&ix.search("茶油", 10))[0], "oil");
        assert_eq!(ids(&ix.search("shanchayou", 10))[0], "oil");
        assert_eq!(ids(&ix.search("Cured Pork", 10)), ["pig"]);
        assert_eq!(ids(&ix.search("camellia oil", 10)), ["oil"], "spaces do not matter");
        assert_eq!(ids(&ix.search("larou", 10)), ["pig"]);
        assert_eq!(ids(&ix.search("合作社", 10)), ["pigs", "pig"], "the enterprise, then its products");
        assert_eq!(ids(&ix.search("2421222", 10)).len(), 3, "barcode digits");
        assert!(ix.search("  ", 10).is_empty());
        assert!(ix.search("xyzxyz", 10).is_empty());
    }
}
