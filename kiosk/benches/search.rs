//! Search latency over a 10,000-product catalog (issue #4: p99 under 2 ms).
//!
//!   cargo bench -p kiosk --bench search
//!
//! Names are made of real product words and place names, so pinyin and
//! initials collide the way they do in a county catalog.

use kiosk::search::SearchIndex;
use protocol::catalog::*;
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
    "黄袍山",
    "山茶油",
    "油茶",
    "通城",
    "猪",
    "腊肉",
    "绿茶",
    "红茶",
    "蜂蜜",
    "香菇",
    "木耳",
    "葛粉",
    "竹笋",
    "板栗",
    "米酒",
    "豆腐乳",
    "辣椒酱",
    "苎麻",
    "布鞋",
    "剪纸",
    "拍打舞",
    "隽水",
    "石南",
    "马港",
    "麦市",
    "塘湖",
    "关刀",
    "沙堆",
    "五里",
    "四庄",
    "大坪",
    "北港",
    "礼盒",
    "精装",
    "散装",
    "有机",
    "农家",
    "土",
];
const EN: &[&str] =
    &["camellia", "oil", "tea", "pork", "honey", "mushroom", "chestnut", "wine", "gift", "box"];

fn catalog(n: usize) -> Snapshot {
    let mut items = Vec::new();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for p in 0..n / 50 {
        items.push(VersionedItem {
            rev: 1,
            item: CatalogItem::Producer(Producer {
                id: format!("producer-{p}"),
                kind: ProducerKind::Enterprise,
                name_zh: format!("{}{}专业合作社", WORDS[p % WORDS.len()], WORDS[(p * 7) % WORDS.len()]),
                name_en: String::new(),
                uscc: None,
                town: WORDS[(p * 3) % WORDS.len()].into(),
                address: String::new(),
                contact_masked: None,
                intro_zh: "县级龙头企业，带动周边农户增收。".into(),
                intro_en: String::new(),
                logo: None,
            }),
        });
    }
    for i in 0..n {
        let mut w = |k: u64| WORDS[(next() % WORDS.len() as u64 + k) as usize % WORDS.len()];
        let name = format!("{}{}{}", w(0), w(1), w(2));
        items.push(VersionedItem {
            rev: 1,
            item: CatalogItem::Product(Product {
                id: format!("product-{i:05}"),
                category: Category::FarmProduce,
                subcategory_zh: w(3).into(),
                name_zh: name,
                name_en: format!("{} {}", EN[i % EN.len()], EN[(i / 3) % EN.len()]),
                spec_zh: "500克".into(),
                price_fen: Some(6800),
                price_unit_zh: "元/盒".into(),
                producer_id: format!("producer-{}", i % (n / 50)),
                gtin: Some(format!("242122200{i:04}")),
                intro_zh: "高山种植，传统工艺，全程可追溯。".into(),
                intro_en: String::new(),
                featured: i % 97 == 0,
                keywords: String::new(),
                certification_ids: Vec::new(),
                images: Vec::new(),
            }),
        });
    }
    Snapshot::new(1, items).unwrap()
}

fn main() {
    let snap = catalog(10_000);
    let t = Instant::now();
    let index = SearchIndex::build(&snap);
    let build = t.elapsed();
    let queries = [
        "yc",
        "y",
        "茶油",
        "黄袍山",
        "shanchayou",
        "hps",
        "tc",
        "2421222001",
        "camellia oil",
        "合作社",
        "xyz",
        "lr",
    ];
    let rounds = 200;
    let mut all: Vec<Duration> = Vec::new();
    println!("index: {} entries built in {:.1} ms", index.len(), build.as_secs_f64() * 1e3);
    println!("| query | hits (limit 50) | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    for q in queries {
        let mut times: Vec<Duration> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(index.search(std::hint::black_box(q), 50));
                t.elapsed()
            })
            .collect();
        let hits = index.search(q, 50).len();
        all.extend(&times);
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "| `{q}` | {hits} | {:.3} | {:.3} | {:.3} |",
            ms(times[times.len() / 2]),
            ms(times[times.len() * 99 / 100]),
            ms(times[times.len() - 1])
        );
    }
    all.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "all {} searches: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        all.len(),
        ms(all[all.len() / 2]),
        ms(all[all.len() * 99 / 100]),
        ms(all[all.len() - 1])
    );
}
