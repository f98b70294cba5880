//! The county's online transaction data through the `hub` command line: the
//! SAMPLE months import and `hub report --by month|platform|enterprise`
//! equals sums made here straight from the CSV files; a correction replaces
//! a month; a folder with many mistakes reports each at file:line:column and
//! imports nothing.

use e2e::harness::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sample_sales() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/sales/tongcheng")
}

/// Fen from a CSV cell written by the sample generator (`1234.50`).
fn fen(s: &str) -> u64 {
    let (y, f) = s.split_once('.').unwrap();
    y.parse::<u64>().unwrap() * 100 + f.parse::<u64>().unwrap()
}

fn text(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Per month from the files themselves: (enterprises, orders, sales, farm, parcels).
fn truth(dir: &Path) -> BTreeMap<String, (usize, u64, u64, u64, u64)> {
    let mut per: BTreeMap<String, (BTreeSet<String>, u64, u64, u64, u64)> = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let mut r = csv::Reader::from_path(entry.path()).unwrap();
        for rec in r.records() {
            let rec = rec.unwrap();
            let month = rec[3].replace('/', "-");
            let month = if month.len() == 6 { format!("{}-0{}", &month[..4], &month[5..]) } else { month };
            let e = per.entry(month).or_default();
            e.0.insert(rec[0].to_owned());
            e.1 += rec[4].parse::<u64>().unwrap();
            e.2 += fen(&rec[5]);
            e.3 += fen(&rec[6]);
            e.4 += rec[7].parse::<u64>().unwrap();
        }
    }
    per.into_iter().map(|(m, (e, o, s, f, p))| (m, (e.len(), o, s, f, p))).collect()
}

/// `hub report` as CSV rows keyed by their first cell.
fn report(data: &Path, by: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let out = hub_stdout(&[
        "report",
        "--by",
        by,
        "--from",
        "2025-11-01",
        "--to",
        "2026-10-31",
        "--format",
        "csv",
        "--data",
        data.to_str().unwrap(),
    ]);
    let mut r = csv::Reader::from_reader(out.trim_start_matches('\u{feff}').as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row: BTreeMap<String, String> =
                headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect();
            (rec[0].to_owned(), row)
        })
        .collect()
}

#[test]
fn the_sample_months_import_and_report_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let out = hub_cli(&["data", "import", sample_sales().to_str().unwrap(), "--as", "王芳", "--data", d]);
    assert!(out.contains("import 1:"), "{out}");

    let want = truth(&sample_sales());
    assert_eq!(want.len(), 12);
    let by_month = report(&data, "month");
    assert_eq!(by_month.len(), 12, "one row per month of the period");
    for (month, (enterprises, orders, sales, farm, parcels)) in &want {
        let row = &by_month[month];
        assert_eq!(row["enterprises_online"], enterprises.to_string(), "{month}");
        assert_eq!(row["orders"], orders.to_string(), "{month}");
        assert_eq!(row["sales_yuan"], text(*sales), "{month}");
        assert_eq!(row["farm_sales_yuan"], text(*farm), "{month}");
        assert_eq!(row["parcels_sent"], parcels.to_string(), "{month}");
    }
    // Per platform and per enterprise, the same totals.
    let total_sales: u64 = want.values().map(|v| v.2).sum();
    let sum = |r: &BTreeMap<String, BTreeMap<String, String>>| -> u64 {
        r.values().map(|row| fen(&row["sales_yuan"])).sum()
    };
    let by_platform = report(&data, "platform");
    assert_eq!(by_platform["taobao"]["name"], "淘宝");
    assert_eq!(sum(&by_platform), total_sales);
    let by_enterprise = report(&data, "enterprise");
    assert_eq!(by_enterprise.len(), 10);
    assert_eq!(sum(&by_enterprise), total_sales);
    // A producer id and its 统一社会信用代码 are one enterprise, named from the catalog.
    assert_eq!(by_enterprise["91421222MA4TC00018"]["name"], "袍山油茶科技有限公司");
    assert_eq!(by_enterprise["guandao-farm"]["months"], "12");

    // A correction: October again, with one figure changed, replaces it.
    let fix = tmp.path().join("fix");
    std::fs::create_dir_all(&fix).unwrap();
    let october = std::fs::read_to_string(sample_sales().join("2026-10.csv")).unwrap();
    let first_row = october.lines().nth(1).unwrap();
    let cells: Vec<&str> = first_row.split(',').collect();
    let corrected =
        format!("{},{},{},{},{},{},{},{}", cells[0], cells[1], cells[2], cells[3], 1, "10.00", "10.00", 1);
    let header = october.lines().next().unwrap();
    std::fs::write(fix.join("october-fix.csv"), format!("{header}\r\n{corrected}\r\n")).unwrap();
    let out = hub_cli(&["data", "import", fix.join("october-fix.csv").to_str().unwrap(), "--data", d]);
    assert!(out.contains("1 rows (1 replacing earlier figures)"), "{out}");
    let months: serde_json::Value =
        serde_json::from_str(&hub_stdout(&["data", "months", "--json", "--data", d])).unwrap();
    let oct = months.as_array().unwrap().iter().find(|m| m["month"] == "2026-10").unwrap();
    let (_, orders, sales, ..) = want["2026-10"];
    let old_orders: u64 = cells[4].parse().unwrap();
    assert_eq!(oct["orders"], orders - old_orders + 1);
    assert_eq!(oct["sales_yuan"], text(sales - fen(cells[5]) + 1000));
    assert_eq!(months.as_array().unwrap().len(), 12);
}

/// A folder of monthly files with one mistake per row, as staff make them.
fn mistakes(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let header = "enterprise,enterprise_name,platform,month,orders,sales_yuan,farm_sales_yuan,parcels";
    let rows = [
        "nobody-here,,taobao,2026-10,1,1.00,1.00,1", // 2 unknown enterprise
        "91421222MA4TC00019,,taobao,2026-10,1,1.00,1.00,1", // 3 wrong check character
        "paoshan-oil,,亚马逊,2026-10,1,1.00,1.00,1", // 4 unknown platform
        "paoshan-oil,,taobao,十月,1,1.00,1.00,1",    // 5 month as words
        "paoshan-oil,,taobao,2026-13,1,1.00,1.00,1", // 6 no month 13
        "paoshan-oil,,taobao,2099-01,1,1.00,1.00,1", // 7 a month to come
        "paoshan-oil,,jd,2026-09,1,-5.00,0.00,1",    // 8 negative sales
        "paoshan-oil,,tmall,2026-09,1,5.00,6.00,1",  // 9 farm above total
        "paoshan-oil,,douyin,2026-09,三百,5.00,5.00,1", // 10 text in a number column
        "paoshan-oil,,kuaishou,2026-09,3.5,5.00,5.00,1", // 11 half an order
        "paoshan-oil,,weixin,2026-09,3,5.005,5.00,1", // 12 a third decimal
        "huanglong-tea,,taobao,2026-09,3,5.00,5.00,3", // 13 fine
        "huanglong-tea,,淘宝,2026/9,3,5.00,5.00,3",  // 14 the same row again
        "huanglong-tea,,jd,2026-09,3,5.00,5.00,",    // 15 parcels missing
        "huanglong-tea,,tmall,2026-09,3,5.00",       // 16 cells missing
        "huanglong-tea,,douyin,2026-09,3,5.00,5.00,-2", // 17 negative parcels
        "huanglong-tea,,kuaishou,2026-09,3,99999999999999,5.00,3", // 18 a typo's size
        "huanglong-tea,,weixin,2026/10/15,3,5.00,5.00,3", // 19 a date, not a month
    ];
    std::fs::write(dir.join("a.csv"), format!("\u{feff}{header}\r\n{}\r\n", rows.join("\r\n"))).unwrap();
    // Saved as plain "CSV" on Chinese Windows: GBK.
    let text = format!("{header}\r\npaoshan-oil,袍山,taobao,2026-10,1,1.00,1.00,1\r\n");
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(dir.join("b-gbk.csv"), gbk).unwrap();
    std::fs::write(dir.join("c.csv"), "enterprise,platform,month,orders,sales,farm_sales_yuan,parcels\r\n")
        .unwrap();
    std::fs::write(dir.join("d.csv"), format!("{header}\r\n")).unwrap();
}

#[test]
fn a_folder_with_many_mistakes_reports_each_where_it_is_and_imports_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("hub");
    let d = data.to_str().unwrap();
    hub_cli(&["catalog", "publish", sample_catalog().to_str().unwrap(), "--data", d]);
    let dir = tmp.path().join("october");
    mistakes(&dir);
    let (ok, out) = hub_cli_status(&["data", "import", dir.to_str().unwrap(), "--data", d]);
    assert!(!ok, "{out}");
    let expected = [
        "a.csv:2:1 (enterprise): error: unknown enterprise \"nobody-here\"",
        "a.csv:3:1 (enterprise): error: 统一社会信用代码 \"91421222MA4TC00019\" has check character 9",
        "a.csv:4:3 (platform): error: unknown platform \"亚马逊\"",
        "a.csv:5:4 (month): error: month \"十月\" must look like 2026-10",
        "a.csv:6:4 (month): error: month \"2026-13\": there is no month 13",
        "a.csv:7:4 (month): error: month \"2099-01\" has not ended yet",
        "a.csv:8:6 (sales_yuan): error: sales_yuan \"-5.00\" must not be negative",
        "a.csv:9:7 (farm_sales_yuan): error: farm products' sales 6.00 exceed the total sales 5.00",
        "a.csv:10:5 (orders): error: orders \"三百\" is not a number",
        "a.csv:11:5 (orders): error: orders \"3.5\" must be a whole number",
        "a.csv:12:6 (sales_yuan): error: sales_yuan \"5.005\" has more than 2 decimals",
        "a.csv:14:4 (month): error: 黄龙山云雾茶业有限公司 on taobao for 2026-09 is already at a.csv:13",
        "a.csv:15:8 (parcels): error: parcels is required",
        "a.csv:16: error: row has 6 cells, the header has 8",
        "a.csv:17:8 (parcels): error: parcels \"-2\" must not be negative",
        "a.csv:18:6 (sales_yuan): error: sales_yuan \"99999999999999\" is too large",
        "a.csv:19:4 (month): error: month \"2026/10/15\" is a date",
        "b-gbk.csv:2: error: the file is not UTF-8: it looks like GBK/GB18030",
        "c.csv:1:5 (sales): error: unknown column \"sales\"",
        "c.csv:1: error: required column \"sales_yuan\" is missing",
        "d.csv: error: the file has a header but no rows",
    ];
    let missing: Vec<&&str> = expected.iter().filter(|e| !out.contains(**e)).collect();
    assert!(missing.is_empty(), "not reported: {missing:#?}\n--- output:\n{out}");
    assert!(out.contains("nothing imported"), "{out}");
    let months = hub_cli(&["data", "months", "--data", d]);
    assert!(months.contains("no sales figures yet"), "{months}");
    // The good row of a.csv was not imported either.
    let months: serde_json::Value =
        serde_json::from_str(&hub_stdout(&["data", "months", "--json", "--data", d])).unwrap();
    assert_eq!(months, serde_json::json!([]));
}
