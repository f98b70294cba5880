//! The sales platforms a row may name, kept as data in
//! `assets/sales/platforms.csv` (id, Chinese and English name): a new
//! platform is a line there, not a code change.

use std::sync::OnceLock;

const PLATFORMS_CSV: &str = include_str!("../../../assets/sales/platforms.csv");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// Every platform, in the file's order.
pub fn all() -> &'static [Platform] {
    static LIST: OnceLock<Vec<Platform>> = OnceLock::new();
    LIST.get_or_init(|| {
        let mut r = csv::Reader::from_reader(PLATFORMS_CSV.as_bytes());
        r.records()
            .map(|rec| {
                let rec = rec.expect("assets/sales/platforms.csv is valid CSV");
                Platform { id: rec[0].to_owned(), name_zh: rec[1].to_owned(), name_en: rec[2].to_owned() }
            })
            .collect()
    })
}

/// The platform a cell names: its id, Chinese or English name (any case).
pub fn find(cell: &str) -> Option<&'static Platform> {
    let c = cell.trim();
    all().iter().find(|p| p.id.eq_ignore_ascii_case(c) || p.name_zh == c || p.name_en.eq_ignore_ascii_case(c))
}

/// The platform's Chinese name for reports, or the id itself.
pub fn name_zh(id: &str) -> &str {
    all().iter().find(|p| p.id == id).map_or(id, |p| p.name_zh.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plans_platforms_are_found_by_any_of_their_names() {
        assert_eq!(all().len(), 8);
        assert_eq!(find("淘宝").unwrap().id, "taobao");
        assert_eq!(find(" JD.com ").unwrap().id, "jd");
        assert_eq!(find("DOUYIN").unwrap().name_zh, "抖音");
        assert_eq!(find("微信小店").unwrap().id, "weixin");
        assert!(find("亚马逊").is_none());
    }
}
