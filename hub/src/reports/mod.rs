//! `hub report`: the figures the county data centre asks for, over a
//! period of county days, grouped one way per report. Everything is read
//! from the aggregates ingest keeps (each event counted once) and from the
//! tickets; no personal data appears in any report.

pub mod live;
pub mod monthly;
pub mod monthly_charts;
pub mod sales;
pub mod screen;
pub mod table;
pub mod training;
pub mod uptime;

use crate::catalog::publish;
use crate::store::StoreError;
use crate::tickets::deadlines::DueState;
use crate::tickets::records::{self, ListFilter};
use protocol::catalog::CatalogItem;
use protocol::county_time;
use rusqlite::{Connection, params};
use std::collections::{BTreeMap, BTreeSet};
pub use table::{Cell, Format, Report};
use time::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    /// Totals per county day, with average kiosk uptime.
    Day,
    /// Per kiosk (station or showroom), with uptime.
    Station,
    /// Views, dwell and trace-QR opens per product.
    Product,
    /// Per catalog category.
    Category,
    /// Parcels per carrier and direction, with weights.
    Carrier,
    /// Service requests per service: statuses and deadlines met.
    Service,
    /// What villagers searched for, and how often they found nothing.
    Search,
    /// Online sales per month: enterprises selling online, orders, sales,
    /// farm products' share, beside the stations' parcels.
    Month,
    /// Online sales per platform.
    Platform,
    /// Online sales per enterprise.
    Enterprise,
    /// Training sign-ups and attendance per course.
    Course,
    /// Training sign-ups and attendance per kind of course.
    CourseKind,
    /// Training sign-ups and attendance per audience (the dedicated groups).
    Audience,
    /// Training sign-ups and attendance per town the villagers came from.
    SignupTown,
    /// "I am interested" call-backs per enterprise.
    JobInterest,
    /// Stories, courses, sessions, jobs and news opened, and for how long.
    Content,
}

/// County days `from..=to`.
#[derive(Clone, Copy, Debug)]
pub struct Period {
    pub from: Date,
    pub to: Date,
}

impl Period {
    pub fn new(from: Date, to: Date) -> Result<Period, String> {
        if to < from {
            return Err(format!(
                "--to {} is before --from {}",
                county_time::iso_date(to),
                county_time::iso_date(from)
            ));
        }
        Ok(Period { from, to })
    }
    fn days(&self) -> (String, String) {
        (county_time::iso_date(self.from), county_time::iso_date(self.to))
    }
    /// [start, end) in Unix ms.
    fn span(&self) -> (i64, i64) {
        (county_time::start_of_day(self.from), county_time::end_of_day(self.to) + 1)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Only this kiosk (carrier and search reports).
    pub station: Option<String>,
}

pub fn build(conn: &Connection, by: By, p: Period, o: &Options, now: i64) -> Result<Report, StoreError> {
    match by {
        By::Day => by_day(conn, p, now),
        By::Station => by_station(conn, p, now),
        By::Product => by_product(conn, p),
        By::Category => by_category(conn, p),
        By::Carrier => by_carrier(conn, p, o),
        By::Service => by_service(conn, p, now),
        By::Search => by_search(conn, p, o),
        By::Month => sales::by_month(conn, p),
        By::Platform => sales::by_platform(conn, p),
        By::Enterprise => sales::by_enterprise(conn, p),
        By::Course => training::signups_by(conn, p, training::SignupKey::Course),
        By::CourseKind => training::signups_by(conn, p, training::SignupKey::Kind),
        By::Audience => training::signups_by(conn, p, training::SignupKey::Audience),
        By::SignupTown => training::signups_by(conn, p, training::SignupKey::Town),
        By::JobInterest => training::job_interests(conn, p),
        By::Content => training::content(conn, p),
    }
}

/// Sums of a grouped query over the period's days, keyed by the first column.
fn sums(conn: &Connection, sql: &str, p: Period) -> Result<BTreeMap<String, Vec<i64>>, StoreError> {
    let (a, b) = p.days();
    let mut st = conn.prepare(sql)?;
    let n = st.column_count();
    let rows = st.query_map(params![a, b], |r| {
        let key: String = r.get(0)?;
        let vals =
            (1..n).map(|i| r.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0))).collect::<Result<_, _>>()?;
        Ok((key, vals))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Parcels in, out and picked up, and the weight sent out, per `key` (a
/// column of `agg_parcel_day`: `day` or `kid`).
fn parcel_sums(conn: &Connection, key: &str, p: Period) -> Result<BTreeMap<String, Vec<i64>>, StoreError> {
    let sql = format!(
        "SELECT {key}, sum(parcels) FILTER (WHERE direction = 'in'), sum(parcels) FILTER (WHERE direction = 'out'),
                sum(parcels) FILTER (WHERE direction = 'pick_up'), sum(weight_g) FILTER (WHERE direction = 'out')
         FROM agg_parcel_day WHERE day BETWEEN ?1 AND ?2 GROUP BY {key}"
    );
    sums(conn, &sql, p)
}

fn get(m: &BTreeMap<String, Vec<i64>>, k: &str, i: usize) -> i64 {
    m.get(k).map_or(0, |v| v[i])
}

fn kg(grams: i64) -> Cell {
    Cell::Fixed(grams as f64 / 1000.0, 3)
}

/// Tickets submitted in the period, with their deadline states as of `now`.
fn tickets_in(conn: &Connection, p: Period, now: i64) -> Result<Vec<records::TicketView>, StoreError> {
    let (a, b) = p.span();
    let all = records::list(conn, &ListFilter::default(), now)?;
    Ok(all.into_iter().filter(|t| (a..b).contains(&t.submitted_at)).collect())
}

fn by_day(conn: &Connection, p: Period, now: i64) -> Result<Report, StoreError> {
    let w = "WHERE day BETWEEN ?1 AND ?2 GROUP BY day";
    let views = sums(conn, &format!("SELECT day, sum(views), sum(dwell_ms) FROM agg_product_day {w}"), p)?;
    let trace = sums(conn, &format!("SELECT day, sum(opens) FROM agg_trace_day {w}"), p)?;
    let cats = sums(conn, &format!("SELECT day, sum(opens) FROM agg_category_day {w}"), p)?;
    let search =
        sums(conn, &format!("SELECT day, sum(searches), sum(no_result) FROM agg_search_day {w}"), p)?;
    let parcels = parcel_sums(conn, "day", p)?;
    let active = sums(conn, &format!("SELECT day, count(DISTINCT kid) FROM agg_kiosk_day {w}"), p)?;
    // How often visitors switched on 长辈模式 (larger text).
    let large_text = sums(
        conn,
        "SELECT day, sum(count) FROM agg_kiosk_day
         WHERE kind = 'large_text_on' AND day BETWEEN ?1 AND ?2 GROUP BY day",
        p,
    )?;
    let mut requests: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for t in tickets_in(conn, p, now)? {
        let e = requests.entry(county_time::iso_date_of(t.submitted_at)).or_default();
        e.0 += 1;
        e.1 += i64::from(t.is_complaint);
    }
    let mut up: BTreeMap<String, uptime::Uptime> = BTreeMap::new();
    for ((_, day), u) in uptime::by_kiosk_day(conn, p.from, p.to, now)? {
        up.entry(day).or_default().add(u);
    }
    let mut r = Report::new(&[
        "day",
        "product_views",
        "dwell_s",
        "trace_opens",
        "category_opens",
        "searches",
        "searches_no_result",
        "parcels_in",
        "parcels_out",
        "parcels_picked_up",
        "weight_out_kg",
        "service_requests",
        "complaints",
        "active_kiosks",
        "uptime_pct",
        "large_text_on",
    ]);
    let mut day = p.from;
    loop {
        let d = county_time::iso_date(day);
        let (req, compl) = requests.get(&d).copied().unwrap_or_default();
        r.push(vec![
            d.clone().into(),
            get(&views, &d, 0).into(),
            (get(&views, &d, 1) / 1000).into(),
            get(&trace, &d, 0).into(),
            get(&cats, &d, 0).into(),
            get(&search, &d, 0).into(),
            get(&search, &d, 1).into(),
            get(&parcels, &d, 0).into(),
            get(&parcels, &d, 1).into(),
            get(&parcels, &d, 2).into(),
            kg(get(&parcels, &d, 3)),
            req.into(),
            compl.into(),
            get(&active, &d, 0).into(),
            Cell::Fixed(up.get(&d).map_or(0.0, |u| u.percent()), 1),
            get(&large_text, &d, 0).into(),
        ]);
        if day >= p.to {
            break;
        }
        day = day.next_day().expect("dates in range");
    }
    Ok(r)
}

fn by_station(conn: &Connection, p: Period, now: i64) -> Result<Report, StoreError> {
    let w = "WHERE day BETWEEN ?1 AND ?2 GROUP BY kid";
    let events = sums(conn, &format!("SELECT kid, sum(count) FROM agg_kiosk_day {w}"), p)?;
    let views = sums(conn, &format!("SELECT kid, sum(views) FROM agg_product_day {w}"), p)?;
    let trace = sums(conn, &format!("SELECT kid, sum(opens) FROM agg_trace_day {w}"), p)?;
    let search =
        sums(conn, &format!("SELECT kid, sum(searches), sum(no_result) FROM agg_search_day {w}"), p)?;
    let parcels = parcel_sums(conn, "kid", p)?;
    let mut requests: BTreeMap<String, i64> = BTreeMap::new();
    for t in tickets_in(conn, p, now)? {
        *requests.entry(t.kiosk).or_default() += 1;
    }
    let mut up: BTreeMap<String, uptime::Uptime> = BTreeMap::new();
    for ((kid, _), u) in uptime::by_kiosk_day(conn, p.from, p.to, now)? {
        up.entry(kid).or_default().add(u);
    }
    let registered: BTreeMap<String, (String, Option<i64>)> = conn
        .prepare("SELECT kid, group_name, station_no FROM kiosks")?
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
        .collect::<Result<_, _>>()?;
    let kids: BTreeSet<&String> = registered.keys().chain(events.keys()).collect();
    let mut r = Report::new(&[
        "station",
        "group",
        "station_no",
        "events",
        "product_views",
        "trace_opens",
        "searches",
        "searches_no_result",
        "parcels_in",
        "parcels_out",
        "parcels_picked_up",
        "weight_out_kg",
        "service_requests",
        "online_hours",
        "uptime_pct",
    ]);
    for k in kids {
        let (group, no) = registered.get(k).cloned().unwrap_or_default();
        let u = up.get(k).copied().unwrap_or_default();
        r.push(vec![
            k.clone().into(),
            group.into(),
            no.map_or_else(|| "-".to_owned(), |n| format!("{n:04}")).into(),
            get(&events, k, 0).into(),
            get(&views, k, 0).into(),
            get(&trace, k, 0).into(),
            get(&search, k, 0).into(),
            get(&search, k, 1).into(),
            get(&parcels, k, 0).into(),
            get(&parcels, k, 1).into(),
            get(&parcels, k, 2).into(),
            kg(get(&parcels, k, 3)),
            requests.get(k).copied().unwrap_or(0).into(),
            Cell::Fixed(u.online_ms as f64 / 3_600_000.0, 1),
            Cell::Fixed(u.percent(), 1),
        ]);
    }
    Ok(r)
}

/// Names and categories from the newest published catalog.
struct CatalogNames {
    /// product id → (name, category)
    products: BTreeMap<String, (String, String)>,
    /// batch id → product id
    batches: BTreeMap<String, String>,
    /// service id → name
    services: BTreeMap<String, String>,
}

fn catalog_names(conn: &Connection) -> Result<CatalogNames, StoreError> {
    let mut n =
        CatalogNames { products: BTreeMap::new(), batches: BTreeMap::new(), services: BTreeMap::new() };
    if let Some(snap) = publish::latest_snapshot(conn)? {
        for v in snap.items {
            match v.item {
                CatalogItem::Product(p) => {
                    n.products.insert(p.id, (p.name_zh, p.category.as_str().to_owned()));
                }
                CatalogItem::Batch(b) => {
                    n.batches.insert(b.id, b.product_id);
                }
                CatalogItem::Service(s) => {
                    n.services.insert(s.id, s.name_zh);
                }
                _ => {}
            }
        }
    }
    Ok(n)
}

fn by_product(conn: &Connection, p: Period) -> Result<Report, StoreError> {
    let names = catalog_names(conn)?;
    let w = "WHERE day BETWEEN ?1 AND ?2";
    let views = sums(
        conn,
        &format!("SELECT product_id, sum(views), sum(dwell_ms) FROM agg_product_day {w} GROUP BY 1"),
        p,
    )?;
    let by_batch = sums(conn, &format!("SELECT batch_id, sum(opens) FROM agg_trace_day {w} GROUP BY 1"), p)?;
    let mut trace: BTreeMap<String, i64> = BTreeMap::new();
    for (batch, v) in &by_batch {
        let product = names.batches.get(batch).cloned().unwrap_or_else(|| format!("(batch {batch})"));
        *trace.entry(product).or_default() += v[0];
    }
    let ids: BTreeSet<&String> = names.products.keys().chain(views.keys()).chain(trace.keys()).collect();
    let mut rows: Vec<(i64, Vec<Cell>)> = ids
        .into_iter()
        .map(|id| {
            let (name, cat) =
                names.products.get(id).cloned().unwrap_or_else(|| ("(not in catalog)".into(), "-".into()));
            let (v, dwell) = (get(&views, id, 0), get(&views, id, 1));
            let avg = if v == 0 { 0.0 } else { dwell as f64 / v as f64 / 1000.0 };
            let t = trace.get(id).copied().unwrap_or(0);
            (v, vec![id.clone().into(), name.into(), cat.into(), v.into(), Cell::Fixed(avg, 1), t.into()])
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut r = Report::new(&["product", "name", "category", "views", "avg_dwell_s", "trace_opens"]);
    rows.into_iter().for_each(|(_, row)| r.push(row));
    Ok(r)
}

fn by_category(conn: &Connection, p: Period) -> Result<Report, StoreError> {
    let names = catalog_names(conn)?;
    let w = "WHERE day BETWEEN ?1 AND ?2";
    let opens = sums(conn, &format!("SELECT category, sum(opens) FROM agg_category_day {w} GROUP BY 1"), p)?;
    let views = sums(conn, &format!("SELECT product_id, sum(views) FROM agg_product_day {w} GROUP BY 1"), p)?;
    let trace = sums(conn, &format!("SELECT batch_id, sum(opens) FROM agg_trace_day {w} GROUP BY 1"), p)?;
    let category_of =
        |product: &str| names.products.get(product).map_or("(not in catalog)".to_owned(), |x| x.1.clone());
    let mut per: BTreeMap<String, [i64; 3]> = BTreeMap::new();
    for c in names.products.values().map(|x| x.1.clone()) {
        per.entry(c).or_default();
    }
    for (c, v) in &opens {
        per.entry(c.clone()).or_default()[0] += v[0];
    }
    for (prod, v) in &views {
        per.entry(category_of(prod)).or_default()[1] += v[0];
    }
    for (batch, v) in &trace {
        let c = names.batches.get(batch).map_or("(not in catalog)".to_owned(), |p| category_of(p));
        per.entry(c).or_default()[2] += v[0];
    }
    let mut r = Report::new(&["category", "category_opens", "product_views", "trace_opens"]);
    for (c, [o, v, t]) in per {
        r.push(vec![c.into(), o.into(), v.into(), t.into()]);
    }
    Ok(r)
}

fn by_carrier(conn: &Connection, p: Period, o: &Options) -> Result<Report, StoreError> {
    let (a, b) = p.days();
    let mut st = conn.prepare(
        "SELECT carrier,
                sum(parcels) FILTER (WHERE direction = 'in'), sum(parcels) FILTER (WHERE direction = 'out'),
                sum(parcels) FILTER (WHERE direction = 'pick_up'),
                sum(weight_g) FILTER (WHERE direction = 'in'), sum(weight_g) FILTER (WHERE direction = 'out')
         FROM agg_parcel_day WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR kid = ?3)
         GROUP BY carrier ORDER BY carrier",
    )?;
    let mut r = Report::new(&[
        "carrier",
        "parcels_in",
        "parcels_out",
        "parcels_picked_up",
        "weight_in_kg",
        "weight_out_kg",
    ]);
    let rows = st.query_map(params![a, b, o.station], |row| {
        let n = |i| row.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0));
        Ok(vec![Cell::Text(row.get(0)?), n(1)?.into(), n(2)?.into(), n(3)?.into(), kg(n(4)?), kg(n(5)?)])
    })?;
    for row in rows {
        r.push(row?);
    }
    Ok(r)
}

fn by_service(conn: &Connection, p: Period, now: i64) -> Result<Report, StoreError> {
    let names = catalog_names(conn)?;
    #[derive(Default)]
    struct Row {
        requests: i64,
        complaints: i64,
        open: i64,
        resolved: i64,
        referred: i64,
        response: BTreeMap<&'static str, i64>,
        resolution: BTreeMap<&'static str, i64>,
    }
    let mut per: BTreeMap<String, Row> = BTreeMap::new();
    for t in tickets_in(conn, p, now)? {
        let r = per.entry(t.service_id.clone()).or_default();
        r.requests += 1;
        r.complaints += i64::from(t.is_complaint);
        match t.status {
            s if s.is_open() => r.open += 1,
            protocol::TicketStatus::Referred => r.referred += 1,
            _ => r.resolved += 1,
        }
        *r.response.entry(t.response.name()).or_default() += 1;
        if t.resolution != DueState::NotApplicable {
            *r.resolution.entry(t.resolution.name()).or_default() += 1;
        }
    }
    let mut r = Report::new(&[
        "service",
        "name",
        "requests",
        "complaints",
        "open",
        "resolved",
        "referred",
        "response_met",
        "response_late",
        "response_overdue",
        "response_pending",
        "resolution_met",
        "resolution_late",
        "resolution_overdue",
        "resolution_pending",
    ]);
    for (id, x) in per {
        let name = names.services.get(&id).cloned().unwrap_or_else(|| "(not in catalog)".into());
        let c = |m: &BTreeMap<&str, i64>, k: &str| Cell::Int(m.get(k).copied().unwrap_or(0));
        r.push(vec![
            id.into(),
            name.into(),
            x.requests.into(),
            x.complaints.into(),
            x.open.into(),
            x.resolved.into(),
            x.referred.into(),
            c(&x.response, "met"),
            c(&x.response, "late"),
            c(&x.response, "overdue"),
            c(&x.response, "pending"),
            c(&x.resolution, "met"),
            c(&x.resolution, "late"),
            c(&x.resolution, "overdue"),
            c(&x.resolution, "pending"),
        ]);
    }
    Ok(r)
}

/// A search box can receive a phone number; never export one.
fn mask_digits(q: &str) -> String {
    let digits = q.chars().filter(char::is_ascii_digit).count();
    if digits >= 7 { protocol::privacy::mask_phone(q) } else { q.to_owned() }
}

fn by_search(conn: &Connection, p: Period, o: &Options) -> Result<Report, StoreError> {
    let (a, b) = p.days();
    let mut st = conn.prepare(
        "SELECT query, sum(searches), sum(no_result) FROM agg_search_day
         WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR kid = ?3)
         GROUP BY query ORDER BY sum(no_result) DESC, sum(searches) DESC, query",
    )?;
    let mut r = Report::new(&["query", "searches", "no_result"]);
    let rows = st.query_map(params![a, b, o.station], |row| {
        Ok(vec![
            Cell::Text(mask_digits(&row.get::<_, String>(0)?)),
            Cell::Int(row.get(1)?),
            Cell::Int(row.get(2)?),
        ])
    })?;
    for row in rows {
        r.push(row?);
    }
    Ok(r)
}
