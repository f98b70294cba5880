//! `hub report monthly --month 2026-10 --out oct/`: the month's analysis
//! for the county, as files that open anywhere without a network:
//! `index.html` (prints on A4), its charts as SVG beside it, and every table
//! as the CSV `hub report` writes for the same month (the same bytes: the
//! same code builds them). Month-on-month change of parcels per carrier and
//! station compares with the month before, each figure again a `hub report`
//! one.

use super::{By, Cell, Format, Options, Period, Report, build};
use crate::store::StoreError;
use askama::Template;
use protocol::county_time;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use time::{Date, Month};

#[derive(Debug, thiserror::Error)]
pub enum MonthlyError {
    #[error("--month {0:?}: a month as 2026-10 (or 2026/10)")]
    BadMonth(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
    #[error("a chart could not be drawn: {0}")]
    Chart(String),
}

/// A county month: its first and last day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountyMonth {
    pub year: i32,
    pub month: Month,
}

impl CountyMonth {
    /// `2026-10`, or Excel's `2026/10`.
    pub fn parse(s: &str) -> Result<CountyMonth, MonthlyError> {
        let bad = || MonthlyError::BadMonth(s.to_owned());
        let (y, m) = s.trim().split_once(['-', '/']).ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(CountyMonth { year, month: Month::try_from(month).map_err(|_| bad())? })
    }

    pub fn text(self) -> String {
        format!("{:04}-{:02}", self.year, u8::from(self.month))
    }

    pub fn period(self) -> Period {
        let from = Date::from_calendar_date(self.year, self.month, 1).expect("day 1 exists");
        let to = Date::from_calendar_date(self.year, self.month, self.month.length(self.year))
            .expect("the month's last day exists");
        Period { from, to }
    }

    pub fn previous(self) -> CountyMonth {
        match self.month {
            Month::January => CountyMonth { year: self.year - 1, month: Month::December },
            m => CountyMonth { year: self.year, month: m.previous() },
        }
    }
}

/// The tables of the analysis: file stem, the report, its heading.
pub const TABLES: [(&str, By, &str); 8] = [
    ("day", By::Day, "每日概况"),
    ("category", By::Category, "按类别的互动"),
    ("product", By::Product, "按产品的互动"),
    ("carrier", By::Carrier, "按快递公司的包裹"),
    ("station", By::Station, "按站点：互动、包裹、服务请求与在线率"),
    ("service", By::Service, "服务请求与办理时限"),
    ("platform", By::Platform, "网络交易：按平台"),
    ("enterprise", By::Enterprise, "网络交易：按经营主体"),
];

/// A column's heading on the page: the console's Chinese label.
fn heading(column: &'static str) -> &'static str {
    crate::console::pages::reports::COLUMN_LABELS
        .iter()
        .find(|(c, _)| *c == column)
        .map_or(column, |(_, label)| label)
}

fn table(file: String, heading_text: &'static str, r: &Report) -> Table {
    Table {
        file,
        heading: heading_text,
        columns: r.columns.iter().map(|c| heading(c)).collect(),
        rows: r.rows.iter().map(|row| row.iter().map(Cell::text).collect()).collect(),
    }
}

/// One table as the page shows it.
pub struct Table {
    pub file: String,
    pub heading: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// A headline figure at the top of the page.
pub struct Headline {
    pub label: &'static str,
    pub value: String,
}

#[derive(Template)]
#[template(path = "monthly.html")]
struct Page {
    month: String,
    from: String,
    to: String,
    made: String,
    headlines: Vec<Headline>,
    charts: Vec<(String, &'static str)>,
    tables: Vec<Table>,
}

/// What was written.
#[derive(Debug)]
pub struct Written {
    pub files: Vec<PathBuf>,
}

fn sum(r: &Report, column: &str) -> i64 {
    let Some(i) = r.columns.iter().position(|c| *c == column) else { return 0 };
    r.rows.iter().filter_map(|row| row[i].number()).map(|v| v.round() as i64).sum()
}

fn cell<'a>(r: &'a Report, key: &str, column: &str) -> Option<&'a Cell> {
    let i = r.columns.iter().position(|c| *c == column)?;
    r.rows.iter().find(|row| row[0].text() == key).map(|row| &row[i])
}

/// Parcels (in + out) per key this month and the month before, and the
/// change in percent (empty when the month before had none).
pub fn change(this: &Report, before: &Report, key: &'static str) -> Report {
    let total = |r: &Report, k: &str| {
        let n = |c| cell(r, k, c).and_then(Cell::number).unwrap_or(0.0) as i64;
        n("parcels_in") + n("parcels_out")
    };
    let mut keys: Vec<String> = this.rows.iter().chain(&before.rows).map(|row| row[0].text()).collect();
    keys.sort();
    keys.dedup();
    let mut r = Report::new(&[key, "parcels", "parcels_month_before", "change_pct"]);
    for k in keys {
        let (now, then) = (total(this, &k), total(before, &k));
        let pct =
            if then > 0 { Cell::Fixed((now - then) as f64 * 100.0 / then as f64, 1) } else { Cell::from("") };
        r.push(vec![k.into(), now.into(), then.into(), pct]);
    }
    r
}

fn write(path: PathBuf, bytes: &[u8], files: &mut Vec<PathBuf>) -> Result<(), MonthlyError> {
    std::fs::write(&path, bytes).map_err(|source| MonthlyError::Write { path: path.clone(), source })?;
    files.push(path);
    Ok(())
}

/// Write the analysis of `month` into `out` (made if missing).
pub fn write_month(
    conn: &Connection,
    month: CountyMonth,
    out: &Path,
    now: i64,
) -> Result<Written, MonthlyError> {
    std::fs::create_dir_all(out).map_err(|source| MonthlyError::Write { path: out.to_owned(), source })?;
    let (p, before) = (month.period(), month.previous().period());
    let o = Options::default();
    let mut files = Vec::new();
    let mut tables = Vec::new();
    let mut built = std::collections::BTreeMap::new();
    for (stem, by, heading) in TABLES {
        let r = build(conn, by, p, &o, now)?;
        write(out.join(format!("{stem}.csv")), r.file_text(Format::Csv).as_bytes(), &mut files)?;
        tables.push(table(format!("{stem}.csv"), heading, &r));
        built.insert(stem, r);
    }
    // Month on month: parcels per carrier and per station.
    for (stem, by, key, heading) in [
        ("carrier-change", By::Carrier, "carrier", "包裹环比：按快递公司"),
        ("station-change", By::Station, "station", "包裹环比：按站点"),
    ] {
        // This month's table of the same name, built above.
        let this = &built[key];
        let r = change(this, &build(conn, by, before, &o, now)?, key);
        write(out.join(format!("{stem}.csv")), r.file_text(Format::Csv).as_bytes(), &mut files)?;
        tables.push(table(format!("{stem}.csv"), heading, &r));
    }

    let day = &built["day"];
    let service = &built["service"];
    let sales = build(conn, By::Month, p, &o, now)?;
    let sales_cell = |c: &str| cell(&sales, &month.text(), c).map(Cell::text).unwrap_or_else(|| "—".into());
    let answered = sum(service, "response_met");
    let answer_due = answered + sum(service, "response_late") + sum(service, "response_overdue");
    let headlines = vec![
        Headline {
            label: "产品浏览 · 溯源查看",
            value: format!("{} · {}", sum(day, "product_views"), sum(day, "trace_opens")),
        },
        Headline {
            label: "包裹 上行 · 下行",
            value: format!("{} · {}", sum(day, "parcels_out"), sum(day, "parcels_in")),
        },
        Headline {
            label: "服务请求 · 48小时内答复",
            value: format!(
                "{} · {}",
                sum(day, "service_requests"),
                if answer_due > 0 { format!("{answered}/{answer_due}") } else { "—".into() }
            ),
        },
        Headline { label: "网络零售额（元）", value: sales_cell("sales_yuan") },
        Headline { label: "农产品网络零售额（元）", value: sales_cell("farm_sales_yuan") },
        Headline { label: "网络经营主体", value: sales_cell("enterprises_online") },
    ];

    let charts = vec![
        ("parcels-per-day.svg".to_owned(), "每日包裹：上行（橙色）与下行（青色）"),
        ("interactions-by-category.svg".to_owned(), "按类别的产品浏览"),
        ("sales-by-platform.svg".to_owned(), "按平台的网络零售额（元）"),
    ];
    let svgs = [
        super::monthly_charts::parcels_per_day(day),
        super::monthly_charts::bars(&built["category"], "category", "product_views"),
        super::monthly_charts::bars(&built["platform"], "name", "sales_yuan"),
    ];
    for ((file, _), svg) in charts.iter().zip(svgs) {
        write(out.join(file), svg.map_err(MonthlyError::Chart)?.as_bytes(), &mut files)?;
    }

    let page = Page {
        month: month.text(),
        from: county_time::iso_date(p.from),
        to: county_time::iso_date(p.to),
        made: county_time::minute_text(now),
        headlines,
        charts,
        tables,
    };
    let html = page.render().map_err(|e| MonthlyError::Chart(e.to_string()))?;
    write(out.join("index.html"), html.as_bytes(), &mut files)?;
    Ok(Written { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_both_ways_and_know_their_days() {
        let m = CountyMonth::parse("2026/2").unwrap();
        assert_eq!(m, CountyMonth::parse("2026-02").unwrap());
        let p = m.period();
        assert_eq!(
            (county_time::iso_date(p.from), county_time::iso_date(p.to)),
            ("2026-02-01".into(), "2026-02-28".into())
        );
        assert_eq!(CountyMonth::parse("2026-01").unwrap().previous().text(), "2025-12");
        for bad in ["2026", "2026-13", "26-10", "October"] {
            assert!(CountyMonth::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn change_is_against_the_month_before() {
        let mut this = Report::new(&["carrier", "parcels_in", "parcels_out"]);
        this.push(vec!["中通".into(), 10.into(), 5.into()]);
        this.push(vec!["顺丰".into(), 1.into(), 0.into()]);
        let mut before = Report::new(&["carrier", "parcels_in", "parcels_out"]);
        before.push(vec!["中通".into(), 6.into(), 4.into()]);
        let r = change(&this, &before, "carrier");
        let text: Vec<Vec<String>> = r.rows.iter().map(|row| row.iter().map(Cell::text).collect()).collect();
        assert_eq!(text, [["中通", "15", "10", "50.0"], ["顺丰", "1", "0", ""]]);
    }
}
