//! The online transaction data in `hub report`: per month (with the count
//! of enterprises selling online, the plan's headline figure, and the
//! kiosks' own parcel counts beside it), per platform and per enterprise.
//! A period of days covers the months it touches.

use super::{Cell, Period, Report, get, sums};
use crate::sales::platforms;
use crate::store::StoreError;
use protocol::county_time;
use rusqlite::{Connection, params};
use std::collections::BTreeMap;

/// The months `from..=to` touch, as `YYYY-MM`.
fn months(p: Period) -> (String, String) {
    let m = |d: time::Date| county_time::iso_date(d)[..7].to_owned();
    (m(p.from), m(p.to))
}

fn yuan(fen: i64) -> Cell {
    Cell::Fixed(fen as f64 / 100.0, 2)
}

fn share(part: i64, whole: i64) -> Cell {
    Cell::Fixed(if whole == 0 { 0.0 } else { part as f64 * 100.0 / whole as f64 }, 1)
}

/// Grouped sums of `sales_monthly` over the period's months: key → [orders,
/// sales, farm sales, parcels, enterprises selling].
fn sales_sums(conn: &Connection, key: &str, p: Period) -> Result<BTreeMap<String, Vec<i64>>, StoreError> {
    let (a, b) = months(p);
    let mut st = conn.prepare(&format!(
        "SELECT {key}, sum(orders), sum(sales_fen), sum(farm_sales_fen), sum(parcels),
                count(DISTINCT enterprise) FILTER (WHERE orders > 0 OR sales_fen > 0)
         FROM sales_monthly WHERE month BETWEEN ?1 AND ?2 GROUP BY {key}"
    ))?;
    let rows = st.query_map(params![a, b], |r| {
        Ok((r.get::<_, String>(0)?, (1..6).map(|i| r.get::<_, i64>(i)).collect::<Result<Vec<_>, _>>()?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn by_month(conn: &Connection, p: Period) -> Result<Report, StoreError> {
    let s = sales_sums(conn, "month", p)?;
    let kiosk = sums(
        conn,
        "SELECT substr(day, 1, 7), sum(parcels) FILTER (WHERE direction = 'out'),
                sum(parcels) FILTER (WHERE direction = 'in')
         FROM agg_parcel_day WHERE substr(day, 1, 7) BETWEEN substr(?1, 1, 7) AND substr(?2, 1, 7) GROUP BY 1",
        p,
    )?;
    let mut r = Report::new(&[
        "month",
        "enterprises_online",
        "orders",
        "sales_yuan",
        "farm_sales_yuan",
        "farm_share_pct",
        "parcels_sent",
        "station_parcels_out",
        "station_parcels_in",
    ]);
    let (first, last) = months(p);
    let (mut y, mut m): (i32, u32) = (first[..4].parse().unwrap_or(2000), first[5..].parse().unwrap_or(1));
    loop {
        let k = format!("{y}-{m:02}");
        if k > last {
            break;
        }
        r.push(vec![
            k.clone().into(),
            get(&s, &k, 4).into(),
            get(&s, &k, 0).into(),
            yuan(get(&s, &k, 1)),
            yuan(get(&s, &k, 2)),
            share(get(&s, &k, 2), get(&s, &k, 1)),
            get(&s, &k, 3).into(),
            get(&kiosk, &k, 0).into(),
            get(&kiosk, &k, 1).into(),
        ]);
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    Ok(r)
}

pub fn by_platform(conn: &Connection, p: Period) -> Result<Report, StoreError> {
    let s = sales_sums(conn, "platform", p)?;
    let mut r = Report::new(&[
        "platform",
        "name",
        "enterprises",
        "orders",
        "sales_yuan",
        "farm_sales_yuan",
        "farm_share_pct",
        "parcels_sent",
    ]);
    // Every platform of the list, in its order, then any other held.
    let mut ids: Vec<String> = platforms::all().iter().map(|p| p.id.clone()).collect();
    ids.extend(s.keys().filter(|k| !ids.contains(k)).cloned().collect::<Vec<_>>());
    for id in ids {
        r.push(vec![
            id.clone().into(),
            platforms::name_zh(&id).to_owned().into(),
            get(&s, &id, 4).into(),
            get(&s, &id, 0).into(),
            yuan(get(&s, &id, 1)),
            yuan(get(&s, &id, 2)),
            share(get(&s, &id, 2), get(&s, &id, 1)),
            get(&s, &id, 3).into(),
        ]);
    }
    Ok(r)
}

pub fn by_enterprise(conn: &Connection, p: Period) -> Result<Report, StoreError> {
    let (a, b) = months(p);
    let mut st = conn.prepare(
        "SELECT enterprise, max(name), count(DISTINCT platform), count(DISTINCT month),
                sum(orders), sum(sales_fen), sum(farm_sales_fen), sum(parcels)
         FROM sales_monthly WHERE month BETWEEN ?1 AND ?2
         GROUP BY enterprise ORDER BY sum(sales_fen) DESC, enterprise",
    )?;
    let mut r = Report::new(&[
        "enterprise",
        "name",
        "platforms",
        "months",
        "orders",
        "sales_yuan",
        "farm_sales_yuan",
        "parcels_sent",
    ]);
    let rows = st.query_map(params![a, b], |x| {
        Ok(vec![
            Cell::Text(x.get(0)?),
            Cell::Text(x.get(1)?),
            Cell::Int(x.get(2)?),
            Cell::Int(x.get(3)?),
            Cell::Int(x.get(4)?),
            yuan(x.get(5)?),
            yuan(x.get(6)?),
            Cell::Int(x.get(7)?),
        ])
    })?;
    for row in rows {
        r.push(row?);
    }
    Ok(r)
}
