//! The reports page: a report as table and chart over chosen days, its CSV
//! download only for those allowed (and logged), bad dates told plainly.

use super::{Browser, logged_in, request};
use crate::console::pages::reports::REPORT_NAMES;
use crate::reports::{self, By, Format, Options, Period};
use crate::staff::roles::Role;
use crate::store::{self, now_ms};
use axum::http::StatusCode;
use protocol::county_time;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_as_table_chart_and_the_clis_csv() {
    let mut b = Browser::new();
    let now = now_ms();
    request(&b, 1, "13800000001", false, now);
    request(&b, 2, "13800000002", true, now);
    request(&b, 3, "13800000003", true, now);
    let today = county_time::iso_date_of(now);
    logged_in(&mut b, "周强", Role::Data).await;

    let page = b.get(&format!("/reports?by=service&from={today}&to={today}&measure=complaints")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<th>投诉</th>"), "headings are translated");
    assert!(page.body.contains("<td>complaint</td>") && page.body.contains("<td>shop-setup</td>"));
    // The chart shows complaints: 2 for one service (the longest bar), 0 for the other.
    assert!(page.body.contains("width=\"100.0%\""), "{}", page.body);
    assert!(page.body.contains("width=\"0.0%\""), "{}", page.body);
    assert!(!page.body.contains("13800000001"), "no phone number in a report");

    let link = format!("/reports/download?by=service&from={today}&to={today}");
    assert!(page.body.contains(&link.replace('&', "&#38;")), "a download link");
    let (status, bytes) = b.get_bytes(&link).await;
    assert_eq!(status, StatusCode::OK);
    let day = crate::catalog::fields::date(&today).unwrap();
    let conn = store::open_read(&b.console.data).unwrap();
    let expected =
        reports::build(&conn, By::Service, Period::new(day, day).unwrap(), &Options::default(), now_ms())
            .unwrap()
            .file_text(Format::Csv);
    assert_eq!(String::from_utf8(bytes).unwrap(), expected);
    assert!(expected.starts_with("\u{feff}service,name,requests,complaints"));
    assert!(b.log("周强").iter().any(|(e, d)| e == "report download" && d.contains("by=service")));

    // Every report the CLI has is on the page, and each renders with the
    // default range: a page that fell back to another report would have
    // that one selected.
    let cli: Vec<String> = <By as clap::ValueEnum>::value_variants()
        .iter()
        .map(|v| clap::ValueEnum::to_possible_value(v).expect("named").get_name().to_owned())
        .collect();
    let page_names: Vec<&str> = REPORT_NAMES.iter().map(|(n, _)| *n).collect();
    assert_eq!(cli, page_names, "the console offers every `hub report --by`");
    for (by, _) in REPORT_NAMES {
        let p = b.get(&format!("/reports?by={by}")).await;
        assert_eq!(p.status, StatusCode::OK, "{by}: {}", p.body);
        assert!(p.body.contains(&format!("<option value=\"{by}\" selected>")), "{by} is the one shown");
    }
    for bad in
        ["by=nothing", "from=2026-02-30", "from=2026-11-30&to=2026-11-01", "from=2024-01-01&to=2026-01-01"]
    {
        let p = b.get(&format!("/reports?{bad}")).await;
        assert_eq!(p.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(p.body.contains("class=\"problem\""), "{bad}: the reason is shown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_reads_reports_but_downloads_nothing() {
    let mut b = Browser::new();
    logged_in(&mut b, "赵敏", Role::Viewer).await;
    let page = b.get("/reports?by=day").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/reports/download"));
    let (status, _) = b.get_bytes("/reports/download?by=day").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
