//! `hub report monthly`: a hub store with the sample catalog, the SAMPLE
//! online sales and a month of activity at six stations (the big screen's
//! sample, built by the hub's own ingest). The month's analysis is written
//! for a month of parcels and for a month of sales; every CSV beside the
//! page is byte for byte what `hub report` writes for that month, the
//! month-on-month table adds up from both months' reports, the page loads
//! nothing from elsewhere, and a real browser (Debian's chromium, headless)
//! draws it and prints it on A4 (ignored, and counted so, where chromium is
//! not installed).

use e2e::harness::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn month_days(month: &str) -> (String, String) {
    let m = hub::reports::monthly::CountyMonth::parse(month).unwrap();
    let p = m.period();
    (protocol::county_time::iso_date(p.from), protocol::county_time::iso_date(p.to))
}

fn parcels_per_key(data: &Path, by: &str, month: &str) -> BTreeMap<String, i64> {
    let (from, to) = month_days(month);
    let key = if by == "carrier" { "carrier" } else { "station" };
    hub_report(data, by, &from, &to)
        .iter()
        .map(|r: &Value| {
            let n = |c: &str| r[c].as_i64().unwrap();
            (r[key].as_str().unwrap().to_owned(), n("parcels_in") + n("parcels_out"))
        })
        .collect()
}

fn check_month(data: &Path, month: &str, out: &Path) {
    let d = data.to_str().unwrap();
    hub_cli(&["report", "monthly", "--month", month, "--out", out.to_str().unwrap(), "--data", d]);
    let (from, to) = month_days(month);
    // Each table's file is named as the report it is (`--by <stem>`).
    for (stem, _, _) in hub::reports::monthly::TABLES {
        let wanted = hub_stdout(&[
            "report", "--by", stem, "--from", &from, "--to", &to, "--format", "csv", "--data", d,
        ]);
        let written = std::fs::read_to_string(out.join(format!("{stem}.csv"))).unwrap();
        assert_eq!(written, wanted, "{month} {stem}.csv differs from hub report --by {stem}");
    }
    // Month on month, from both months' reports.
    let before = hub::reports::monthly::CountyMonth::parse(month).unwrap().previous().text();
    for by in ["carrier", "station"] {
        let (now, then) = (parcels_per_key(data, by, month), parcels_per_key(data, by, &before));
        let mut r = csv::Reader::from_path(out.join(format!("{by}-change.csv"))).unwrap();
        let mut rows = 0;
        for rec in r.records() {
            let rec = rec.unwrap();
            let key = rec[0].trim_start_matches('\u{feff}').to_owned();
            let (a, b) = (now.get(&key).copied().unwrap_or(0), then.get(&key).copied().unwrap_or(0));
            assert_eq!(
                (rec[1].parse::<i64>().unwrap(), rec[2].parse::<i64>().unwrap()),
                (a, b),
                "{by} {key}"
            );
            if b > 0 {
                let pct: f64 = rec[3].parse().unwrap();
                assert!((pct - (a - b) as f64 * 100.0 / b as f64).abs() < 0.05, "{by} {key}: {pct}");
            }
            rows += 1;
        }
        assert_eq!(rows, now.keys().chain(then.keys()).collect::<std::collections::BTreeSet<_>>().len());
    }
    // The page: its charts and tables beside it, nothing from elsewhere.
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    for svg in ["parcels-per-day.svg", "interactions-by-category.svg", "sales-by-platform.svg"] {
        assert!(html.contains(&format!("src=\"{svg}\"")), "{svg} on the page");
        let text = std::fs::read_to_string(out.join(svg)).unwrap();
        assert!(text.starts_with("<svg") && text.contains("<rect"), "{svg} is a chart");
    }
    for (stem, _, _) in hub::reports::monthly::TABLES {
        assert!(html.contains(&format!("href=\"{stem}.csv\"")), "{stem}.csv linked");
    }
    for outside in ["http://", "https://", "<script", "<link", "@import", "url("] {
        assert!(!html.contains(outside), "the page refers outside itself: {outside}");
    }
}

/// The sample store, and the month of its stations' parcels (the last 30
/// days).
fn sample_store(tmp: &Path) -> (std::path::PathBuf, String) {
    let data = tmp.join("hub");
    let now = hub::store::now_ms();
    kiosk::demo::wall::sample_figures(&data, now).unwrap();
    let last_month = hub::reports::monthly::CountyMonth::parse(
        &protocol::county_time::iso_date(protocol::county_time::date_of(now))[..7],
    )
    .unwrap()
    .previous()
    .text();
    (data, last_month)
}

#[test]
fn the_monthly_analysis_equals_hub_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, last_month) = sample_store(tmp.path());
    check_month(&data, &last_month, &tmp.path().join("parcels-month"));
    // A month of the SAMPLE sales.
    let sales_out = tmp.path().join("sales-month");
    check_month(&data, "2026-10", &sales_out);
    let platform = std::fs::read_to_string(sales_out.join("platform.csv")).unwrap();
    assert!(platform.lines().count() > 3, "the SAMPLE sales are in October: {platform}");
}

/// A real browser draws the page and prints it on A4.
#[test]
#[cfg_attr(kh_no_browser, ignore = "chromium is not installed (apt-get install chromium chromium-driver)")]
fn the_monthly_page_draws_and_prints_on_a4() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, last_month) = sample_store(tmp.path());
    let parcels_out = tmp.path().join("parcels-month");
    let d = data.to_str().unwrap();
    hub_cli(&[
        "report",
        "monthly",
        "--month",
        &last_month,
        "--out",
        parcels_out.to_str().unwrap(),
        "--data",
        d,
    ]);
    let chromium_bin = e2e::tools::require("chromium");
    let page = format!("file://{}", parcels_out.join("index.html").display());
    let (png, pdf) = (tmp.path().join("page.png"), tmp.path().join("page.pdf"));
    let chromium = |args: &[String]| {
        let out = Command::new(&chromium_bin)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars"])
            .args(args)
            .arg(&page)
            .output()
            .unwrap();
        assert!(out.status.success(), "chromium: {}", String::from_utf8_lossy(&out.stderr));
    };
    chromium(&[format!("--screenshot={}", png.display()), "--window-size=794,1123".into()]);
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let colours: std::collections::BTreeSet<&[u8]> = buf.chunks(step).collect();
    assert!(colours.len() > 50, "the page looks blank ({} colours)", colours.len());
    chromium(&[format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer".into()]);
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(pages >= 2, "{pages} pages printed");
    // A4 is 595 × 842 points.
    let boxes: Vec<(f64, f64)> = text
        .split("/MediaBox [")
        .skip(1)
        .filter_map(|rest| {
            let n: Vec<f64> =
                rest.split(']').next()?.split_whitespace().filter_map(|x| x.parse().ok()).collect();
            (n.len() == 4).then(|| (n[2] - n[0], n[3] - n[1]))
        })
        .collect();
    assert!(!boxes.is_empty(), "no page sizes in the PDF");
    for (w, h) in boxes {
        assert!((w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0, "a page of {w} × {h} pt is not A4");
    }
    if let Ok(dir) = std::env::var("KH_MONTHLY_PNG") {
        std::fs::copy(&png, dir).unwrap();
    }
}
