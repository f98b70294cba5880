//! The platforms' monthly sales figures as staff upload them: refused with
//! findings or read into rows; rows that pass hold figures that add up and
//! months that have ended, and every finding's line lies inside the file.
#![no_main]

use hub::sales::import::{Enterprises, check};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tongcheng_fuzz::line_count;

fn known() -> &'static Enterprises {
    static KNOWN: OnceLock<Enterprises> = OnceLock::new();
    KNOWN.get_or_init(|| {
        Enterprises::of(&[
            ("p-tea", Some("91340881MA2N0X1234"), "桐城小花茶业"),
            ("p-oil", None, "龙眠山油茶合作社"),
        ])
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sales.csv");
    std::fs::write(&path, data).unwrap();
    let checked = check(&path, known(), (2026, 12));
    if !checked.diags.has_errors() {
        for r in &checked.rows {
            assert!(r.farm_sales_fen <= r.sales_fen, "farm sales above total sales passed: {r:?}");
            assert!(r.month.as_str() <= "2026-12", "a month still to come passed: {r:?}");
        }
    }
    let lines = line_count(data);
    for d in &checked.diags.items {
        if let Some(line) = d.line {
            assert!(
                line >= 1 && line <= lines,
                "the file has {lines} lines, a finding names line {line}: {d}"
            );
        }
    }
});
