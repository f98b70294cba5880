//! The big screen's figures (`kh/v1/_dc/screen`), read from the same
//! aggregates, tickets and sales as `hub report`: today, the last 30 days of
//! parcels, the stations, this month's service deadlines and the last 12
//! months of online sales.

use super::{Period, mask_digits, tickets_in};
use crate::catalog::publish;
use crate::fleet::status;
use crate::sales::{platforms, targets};
use crate::store::StoreError;
use crate::tickets::deadlines::DueState;
use crate::tickets::records;
use protocol::catalog::CatalogItem;
use protocol::county_time;
use protocol::screen::*;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// How many products and search words a ranking shows.
const TOP: usize = 5;
/// Days of the parcel chart.
const PARCEL_DAYS: i64 = 30;
/// Months of the sales chart.
const SALES_MONTHS: u32 = 12;

pub fn figures(conn: &Connection, now: i64) -> Result<ScreenFigures, StoreError> {
    figures_with(conn, now, &mut NameCache::default())
}

/// The catalog's names and towns as of one published version, read again
/// only when another version is published: the feed is read up to once a
/// second, and a catalog is thousands of rows.
#[derive(Default)]
pub struct NameCache {
    version: Option<u64>,
    names: Option<Names>,
}

impl NameCache {
    fn get(&mut self, conn: &Connection) -> Result<&Names, StoreError> {
        let v: Option<u64> = conn.query_row("SELECT max(version) FROM catalog_versions", [], |r| r.get(0))?;
        if self.names.is_none() || self.version != v {
            self.names = Some(product_names(conn)?);
            self.version = v;
        }
        Ok(self.names.get_or_insert_with(Names::default))
    }
}

/// [`figures`] with the names kept in `cache` between calls.
pub fn figures_with(conn: &Connection, now: i64, cache: &mut NameCache) -> Result<ScreenFigures, StoreError> {
    let today = county_time::date_of(now);
    let day = county_time::iso_date(today);
    let names = cache.get(conn)?;
    let sales = sales(conn)?;
    let platforms = platforms::all()
        .iter()
        .filter(|p| sales.iter().any(|m| m.by_platform.contains_key(&p.id)))
        .map(|p| Named { id: p.id.clone(), name_zh: p.name_zh.clone(), name_en: p.name_en.clone() })
        .collect();
    Ok(ScreenFigures {
        ts: now.max(0) as u64,
        today: keyed(conn, "SELECT kind, sum(count) FROM agg_kiosk_day WHERE day = ?1 GROUP BY kind", &day)?,
        top_viewed: top_viewed(conn, &day, names)?,
        top_traced: top_traced(conn, &day, names)?,
        not_found: not_found(conn, &day)?,
        parcels_30d: parcels_30d(conn, today)?,
        carriers_today: carriers(conn, &day)?,
        stations: stations(conn, today, now, &names.towns)?,
        tickets: tickets(conn, today, now)?,
        sales,
        enterprises_target: targets::get(conn, targets::ENTERPRISES_ONLINE)?,
        platforms,
        towns: names.towns.clone(),
        training: super::training::screen_figures(conn, now)?,
        day,
    })
}

/// `key → count` rows of a query over one day.
fn keyed(conn: &Connection, sql: &str, day: &str) -> Result<BTreeMap<String, u64>, StoreError> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map([day], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Product id → (Chinese, English name), batch id → product id, and the
/// towns of the map.
#[derive(Default)]
struct Names {
    products: BTreeMap<String, (String, String)>,
    batches: BTreeMap<String, String>,
    towns: Vec<TownPoint>,
}

fn product_names(conn: &Connection) -> Result<Names, StoreError> {
    let mut n = Names { products: BTreeMap::new(), batches: BTreeMap::new(), towns: Vec::new() };
    if let Some(snap) = publish::latest_snapshot(conn)? {
        for v in snap.items {
            match v.item {
                CatalogItem::Product(p) => {
                    n.products.insert(p.id, (p.name_zh, p.name_en));
                }
                CatalogItem::Batch(b) => {
                    n.batches.insert(b.id, b.product_id);
                }
                CatalogItem::Town(t) => n.towns.push(TownPoint {
                    id: t.id,
                    name_zh: t.name_zh,
                    name_en: t.name_en,
                    x: t.x,
                    y: t.y,
                }),
                _ => {}
            }
        }
    }
    Ok(n)
}

/// The first `TOP` of `counts`, most first (ties by id).
fn ranked(counts: BTreeMap<String, u64>, names: &Names) -> Vec<Ranked> {
    let mut v: Vec<(String, u64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter()
        .take(TOP)
        .map(|(id, count)| {
            let (name_zh, name_en) =
                names.products.get(&id).cloned().unwrap_or_else(|| (id.clone(), id.clone()));
            Ranked { id, name_zh, name_en, count }
        })
        .collect()
}

fn top_viewed(conn: &Connection, day: &str, names: &Names) -> Result<Vec<Ranked>, StoreError> {
    let views =
        keyed(conn, "SELECT product_id, sum(views) FROM agg_product_day WHERE day = ?1 GROUP BY 1", day)?;
    Ok(ranked(views, names))
}

fn top_traced(conn: &Connection, day: &str, names: &Names) -> Result<Vec<Ranked>, StoreError> {
    let by_batch =
        keyed(conn, "SELECT batch_id, sum(opens) FROM agg_trace_day WHERE day = ?1 GROUP BY 1", day)?;
    let mut by_product: BTreeMap<String, u64> = BTreeMap::new();
    for (batch, n) in by_batch {
        // The same attribution as `hub report --by product`.
        let product = names.batches.get(&batch).cloned().unwrap_or_else(|| format!("(batch {batch})"));
        *by_product.entry(product).or_default() += n;
    }
    Ok(ranked(by_product, names))
}

fn not_found(conn: &Connection, day: &str) -> Result<Vec<Ranked>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT query, sum(no_result) FROM agg_search_day WHERE day = ?1
         GROUP BY query HAVING sum(no_result) > 0 ORDER BY 2 DESC, sum(searches) DESC, 1 LIMIT ?2",
    )?;
    let rows = st.query_map(params![day, TOP as i64], |r| {
        let q = mask_digits(&r.get::<_, String>(0)?);
        Ok(Ranked { id: q.clone(), name_zh: q.clone(), name_en: q, count: r.get::<_, i64>(1)?.max(0) as u64 })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn parcels_30d(conn: &Connection, today: time::Date) -> Result<Vec<DayParcels>, StoreError> {
    let first = today - time::Duration::days(PARCEL_DAYS - 1);
    let mut st = conn.prepare_cached(
        "SELECT day, sum(parcels) FILTER (WHERE direction = 'in'), sum(parcels) FILTER (WHERE direction = 'out')
         FROM agg_parcel_day WHERE day BETWEEN ?1 AND ?2 GROUP BY day",
    )?;
    let held: BTreeMap<String, (u64, u64)> = st
        .query_map(params![county_time::iso_date(first), county_time::iso_date(today)], |r| {
            let n = |i| r.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0).max(0) as u64);
            Ok((r.get::<_, String>(0)?, (n(1)?, n(2)?)))
        })?
        .collect::<Result<_, _>>()?;
    Ok((0..PARCEL_DAYS)
        .map(|i| {
            let day = county_time::iso_date(first + time::Duration::days(i));
            let (parcels_in, parcels_out) = held.get(&day).copied().unwrap_or_default();
            DayParcels { day, parcels_in, parcels_out }
        })
        .collect())
}

/// In and out per `key` (carrier or kiosk) on one day.
fn parcels_by(conn: &Connection, key: &str, day: &str) -> Result<BTreeMap<String, (u64, u64)>, StoreError> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {key}, sum(parcels) FILTER (WHERE direction = 'in'), sum(parcels) FILTER (WHERE direction = 'out')
         FROM agg_parcel_day WHERE day = ?1 GROUP BY {key}"
    ))?;
    let rows = st.query_map([day], |r| {
        let n = |i| r.get::<_, Option<i64>>(i).map(|v| v.unwrap_or(0).max(0) as u64);
        Ok((r.get::<_, String>(0)?, (n(1)?, n(2)?)))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn carriers(conn: &Connection, day: &str) -> Result<Vec<Parcels>, StoreError> {
    Ok(parcels_by(conn, "carrier", day)?
        .into_iter()
        .map(|(key, (parcels_in, parcels_out))| Parcels { key, parcels_in, parcels_out })
        .collect())
}

fn stations(
    conn: &Connection,
    today: time::Date,
    now: i64,
    towns: &[TownPoint],
) -> Result<Vec<Station>, StoreError> {
    let day = county_time::iso_date(today);
    let parcels = parcels_by(conn, "kid", &day)?;
    let mut requests: BTreeMap<String, u64> = BTreeMap::new();
    for t in tickets_in(conn, Period { from: today, to: today }, now)? {
        *requests.entry(t.kiosk).or_default() += 1;
    }
    Ok(status::list(conn)?
        .into_iter()
        .filter(|k| k.role.as_deref() != Some("bigscreen"))
        .map(|k| {
            let (parcels_in_today, parcels_out_today) = parcels.get(&k.kiosk).copied().unwrap_or_default();
            Station {
                online: k.state == "online",
                since: k.since.map(|s| s.max(0) as u64),
                requests_today: requests.get(&k.kiosk).copied().unwrap_or(0),
                // Registered by id or Chinese name: sent as the map's id.
                town: k
                    .town
                    .map(|t| towns.iter().find(|p| p.id == t || p.name_zh == t).map_or(t, |p| p.id.clone())),
                parcels_in_today,
                parcels_out_today,
                group: k.group,
                kiosk: k.kiosk,
            }
        })
        .collect())
}

fn tickets(conn: &Connection, today: time::Date, now: i64) -> Result<Tickets, StoreError> {
    let (open, overdue) = records::open_and_overdue(conn, now)?;
    let first = today.replace_day(1).expect("day 1 exists");
    let mut t =
        Tickets { open, overdue, month: county_time::iso_date(today)[..7].to_owned(), ..Tickets::default() };
    for x in tickets_in(conn, Period { from: first, to: today }, now)? {
        t.submitted += 1;
        // Due or done: what the share is of (a pending deadline is neither).
        if matches!(x.response, DueState::Met | DueState::Late | DueState::Overdue) {
            t.answer_due += 1;
            t.answered_in_time += u64::from(x.response == DueState::Met);
        }
        if matches!(x.resolution, DueState::Met | DueState::Late | DueState::Overdue) {
            t.resolution_due += 1;
            t.resolved_in_time += u64::from(x.resolution == DueState::Met);
        }
    }
    Ok(t)
}

fn sales(conn: &Connection) -> Result<Vec<MonthSales>, StoreError> {
    let mut st = conn.prepare_cached(
        "SELECT month, count(DISTINCT enterprise) FILTER (WHERE orders > 0 OR sales_fen > 0),
                sum(orders), sum(sales_fen), sum(farm_sales_fen)
         FROM sales_monthly GROUP BY month ORDER BY month DESC LIMIT ?1",
    )?;
    let mut months: Vec<MonthSales> = st
        .query_map([SALES_MONTHS], |r| {
            Ok(MonthSales {
                month: r.get(0)?,
                enterprises: r.get(1)?,
                orders: r.get(2)?,
                sales_fen: r.get(3)?,
                farm_sales_fen: r.get(4)?,
                by_platform: BTreeMap::new(),
            })
        })?
        .collect::<Result<_, _>>()?;
    months.reverse();
    let mut per = conn
        .prepare_cached("SELECT platform, sum(sales_fen) FROM sales_monthly WHERE month = ?1 GROUP BY 1")?;
    for m in &mut months {
        m.by_platform = per
            .query_map([&m.month], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?
            .collect::<Result<_, _>>()?;
    }
    Ok(months)
}
