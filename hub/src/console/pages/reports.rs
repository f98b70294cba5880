//! Reports: every `hub report --by …` over a range of county days, as a
//! table and a bar chart of one of its figures, and as a CSV download that
//! is byte for byte what `hub report --format csv` writes.

use super::{Nav, render};
use crate::catalog::fields;
use crate::console::auth::Staff;
use crate::console::errors::PageError;
use crate::console::i18n::Tr;
use crate::console::state::Console;
use crate::fleet::status;
use crate::reports::{self, By, Format, Options, Period, Report};
use crate::staff::accounts;
use crate::staff::roles::Permission;
use crate::store::now_ms;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use clap::ValueEnum;
use protocol::county_time;
use serde::Deserialize;
use std::sync::Arc;
use time::Date;

/// A page shows at most a year: longer spans are for the CLI's JSON.
const MAX_DAYS: i64 = 366;
/// Days shown when no range is chosen: the last thirty.
const DEFAULT_DAYS: i64 = 30;

/// Each report's name in the page (messages, translated there).
pub const REPORT_NAMES: [(&str, &str); 16] = [
    ("day", "按日"),
    ("station", "按站点"),
    ("product", "按产品"),
    ("category", "按类别"),
    ("carrier", "按快递公司"),
    ("service", "按服务"),
    ("search", "按搜索词"),
    ("month", "网络交易·按月"),
    ("platform", "网络交易·按平台"),
    ("enterprise", "网络交易·按企业"),
    ("course", "培训·按课程"),
    ("course-kind", "培训·按类别"),
    ("audience", "培训·按专场人群"),
    ("signup-town", "培训·按乡镇"),
    ("job-interest", "招聘·按企业"),
    ("content", "故事、培训与招聘的浏览"),
];

/// Column headings of the reports (messages); unknown columns show as named.
pub const COLUMN_LABELS: &[(&str, &str)] = &[
    ("day", "日期"),
    ("product_views", "产品浏览"),
    ("dwell_s", "停留（秒）"),
    ("trace_opens", "溯源查看"),
    ("category_opens", "类别打开"),
    ("searches", "搜索"),
    ("searches_no_result", "无结果搜索"),
    ("parcels_in", "到件"),
    ("parcels_out", "寄件"),
    ("parcels_picked_up", "取件"),
    ("weight_in_kg", "到件重量（千克）"),
    ("weight_out_kg", "寄件重量（千克）"),
    ("service_requests", "服务申请"),
    ("complaints", "投诉"),
    ("active_kiosks", "活跃设备"),
    ("uptime_pct", "在线率（%）"),
    ("large_text_on", "长辈模式次数"),
    ("station", "站点设备"),
    ("group", "分组"),
    ("station_no", "站点号"),
    ("events", "事件"),
    ("online_hours", "在线小时"),
    ("product", "产品编号"),
    ("name", "名称"),
    ("category", "类别"),
    ("views", "浏览"),
    ("avg_dwell_s", "平均停留（秒）"),
    ("carrier", "快递公司"),
    ("service", "服务编号"),
    ("requests", "申请"),
    ("open", "未办结"),
    ("resolved", "已解决"),
    ("referred", "已转办"),
    ("response_met", "按时响应"),
    ("response_late", "超时响应"),
    ("response_overdue", "响应逾期"),
    ("response_pending", "待响应"),
    ("resolution_met", "按时办结"),
    ("resolution_late", "超时办结"),
    ("resolution_overdue", "办结逾期"),
    ("resolution_pending", "待办结"),
    ("query", "搜索词"),
    ("no_result", "无结果"),
    ("month", "月份"),
    ("enterprises_online", "网络经营主体"),
    ("orders", "订单"),
    ("sales_yuan", "网络零售额（元）"),
    ("farm_sales_yuan", "农产品网络零售额（元）"),
    ("farm_share_pct", "农产品占比（%）"),
    ("parcels_sent", "企业发件"),
    ("station_parcels_out", "站点寄件"),
    ("station_parcels_in", "站点到件"),
    ("platform", "平台编号"),
    ("enterprises", "企业数"),
    ("enterprise", "企业代码"),
    ("platforms", "平台数"),
    ("months", "月数"),
    ("course", "课程"),
    ("kind", "课程类别"),
    ("audience", "面向人群"),
    ("dedicated", "专场"),
    ("town", "乡镇"),
    ("signups", "报名"),
    ("confirmed", "已确认"),
    ("waitlisted", "候补"),
    ("attended", "已参加"),
    ("cancelled", "已取消"),
    ("refused", "未受理"),
    ("jobs", "岗位数"),
    ("interests", "意向"),
    ("item", "内容类型"),
    ("session", "场次"),
    ("starts", "开始时间"),
    ("place", "地点"),
    ("signup", "报名方式"),
    ("seats", "名额"),
    ("id", "编号"),
];

pub fn column_label(column: &'static str) -> &'static str {
    COLUMN_LABELS.iter().find(|(c, _)| *c == column).map_or(column, |(_, l)| l)
}

/// Codes the training reports carry (the CLI's CSV keeps them as codes),
/// as staff read them: (column, code, words).
pub const CODE_LABELS: &[(&str, &str, &str)] = &[
    ("kind", "basics", "电商基础"),
    ("kind", "operations", "运营推广"),
    ("kind", "design", "美工设计"),
    ("kind", "live_streaming", "直播带货"),
    ("kind", "cross_border", "跨境电商"),
    ("kind", "partner", "校企合作"),
    ("kind", "third_party", "第三方服务商"),
    ("audience", "everyone", "面向所有人"),
    ("audience", "women", "妇女专场"),
    ("audience", "disabled", "残疾人专场"),
    ("audience", "low_income", "低收入户专场"),
    ("signup", "kiosk", "站点报名"),
    ("signup", "phone", "电话报名"),
    ("signup", "walk_in", "无需报名"),
];

/// A table cell as the page shows it: one of [`CODE_LABELS`]' codes in
/// words in the page's language, anything else as it is.
pub fn cell_text(t: &crate::console::i18n::Tr, column: &str, cell: &crate::reports::table::Cell) -> String {
    let value = cell.text();
    match CODE_LABELS.iter().find(|(c, code, _)| *c == column && *code == value) {
        Some((_, _, words)) => t.s(words).to_owned(),
        None => value,
    }
}

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    by: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    station: String,
    /// The column the chart shows.
    #[serde(default)]
    measure: String,
}

/// A request made sense of: the report, its days and its filter.
struct Chosen {
    by: By,
    by_name: &'static str,
    period: Period,
    station: Option<String>,
}

fn choose(q: &ReportQuery, t: Tr) -> Result<Chosen, String> {
    let by_name = if q.by.is_empty() { "day" } else { q.by.as_str() };
    let by = By::from_str(by_name, false).map_err(|_| t.f1("没有“{}”这种报表。", by_name))?;
    let by_name = REPORT_NAMES.iter().find(|(n, _)| *n == by_name).map_or("day", |(n, _)| n);
    let day = |s: &str, default: Date| -> Result<Date, String> {
        if s.trim().is_empty() { Ok(default) } else { fields::date(s.trim()) }
    };
    let today = county_time::today();
    let to = day(&q.to, today)?;
    let from = day(&q.from, to - time::Duration::days(DEFAULT_DAYS - 1))?;
    if to < from {
        return Err(t.s("结束日期早于开始日期。").to_owned());
    }
    if (to - from).whole_days() >= MAX_DAYS {
        return Err(t.f1("一次最多查看 {} 天；更长的时段请用 hub report --format json。", MAX_DAYS));
    }
    let period = Period::new(from, to)?;
    let station = Some(q.station.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(Chosen { by, by_name, period, station })
}

/// One bar of the chart.
pub struct Bar {
    pub label: String,
    pub value: String,
    /// Its length against the longest bar, in percent.
    pub percent: f64,
}

/// Bars of column `measure` (or the first numeric column), one per row.
fn chart(r: &Report, measure: &str) -> (Vec<&'static str>, Option<&'static str>, Vec<Bar>) {
    let numeric: Vec<&'static str> = (0..r.columns.len())
        .filter(|i| !r.rows.is_empty() && r.rows.iter().all(|row| row[*i].number().is_some()))
        .map(|i| r.columns[i])
        .collect();
    let Some(chosen) = numeric.iter().find(|c| **c == measure).or(numeric.first()).copied() else {
        return (numeric, None, Vec::new());
    };
    let i = r.columns.iter().position(|c| *c == chosen).expect("a column of the report");
    let max = r.rows.iter().filter_map(|row| row[i].number()).fold(0.0, f64::max);
    let bars = r
        .rows
        .iter()
        .map(|row| {
            let v = row[i].number().unwrap_or(0.0);
            Bar {
                label: row[0].text(),
                value: row[i].text(),
                percent: if max > 0.0 { (v / max * 100.0).max(0.0) } else { 0.0 },
            }
        })
        .collect();
    (numeric, Some(chosen), bars)
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    t: Tr,
    nav: Option<Nav>,
    by: &'static str,
    from: String,
    to: String,
    station: String,
    stations: Vec<String>,
    measures: Vec<&'static str>,
    measure: Option<&'static str>,
    report: Report,
    /// The report's column headings (messages).
    headings: Vec<&'static str>,
    names: &'static [(&'static str, &'static str)],
    bars: Vec<Bar>,
    /// The query string of the download link.
    download: Option<String>,
    problem: Option<String>,
}

fn query_string(c: &Chosen) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("by", c.by_name)
        .append_pair("from", &county_time::iso_date(c.period.from))
        .append_pair("to", &county_time::iso_date(c.period.to));
    if let Some(s) = &c.station {
        q.append_pair("station", s);
    }
    q.finish()
}

pub async fn show(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let t = staff.tr;
    let stations: Vec<String> = console.read(status::list).await?.into_iter().map(|k| k.kiosk).collect();
    let chosen = choose(&q, t);
    let mut page = ReportsPage {
        t,
        nav: Nav::of(&staff, "reports"),
        by: "day",
        from: q.from.clone(),
        to: q.to.clone(),
        station: q.station.clone(),
        stations,
        measures: Vec::new(),
        measure: None,
        report: Report::default(),
        headings: Vec::new(),
        names: &REPORT_NAMES,
        bars: Vec::new(),
        download: None,
        problem: None,
    };
    let c = match chosen {
        Ok(c) => c,
        Err(why) => {
            page.problem = Some(why);
            return Ok((StatusCode::BAD_REQUEST, render(&page)).into_response());
        }
    };
    let (by, period, options) = (c.by, c.period, Options { station: c.station.clone() });
    let report = console.read(move |conn| reports::build(conn, by, period, &options, now_ms())).await?;
    let (measures, measure, bars) = chart(&report, &q.measure);
    page.by = c.by_name;
    page.from = county_time::iso_date(c.period.from);
    page.to = county_time::iso_date(c.period.to);
    page.measures = measures;
    page.measure = measure;
    page.bars = bars;
    page.headings = report.columns.iter().map(|c| column_label(c)).collect();
    page.report = report;
    page.download = staff.may(Permission::DownloadReports).then(|| query_string(&c));
    Ok(render(&page))
}

/// The report as CSV (UTF-8 with BOM), the bytes `hub report --format csv` writes.
pub async fn download(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    staff.require(Permission::DownloadReports).await?;
    let c = choose(&q, staff.tr).map_err(|why| PageError::BadRequest(staff.tr.lang, why))?;
    let (by, period, options) = (c.by, c.period, Options { station: c.station.clone() });
    let (name, detail) = (staff.name().to_owned(), query_string(&c));
    console.write(move |conn| accounts::log(conn, &name, "report download", &detail, now_ms())).await?;
    // Built on a read connection: a long report never holds up ingest.
    let report = console.read(move |conn| reports::build(conn, by, period, &options, now_ms())).await?;
    let file = format!(
        "report-{}-{}-{}.csv",
        c.by_name,
        county_time::iso_date(c.period.from),
        county_time::iso_date(c.period.to)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        report.file_text(Format::Csv),
    )
        .into_response())
}
