//! Keeping imported sales: a re-imported enterprise × platform × month
//! replaces the old figures (corrections happen), and every import is
//! recorded with who, when, the files' hash and its row count.

use super::SalesRow;
use crate::store::StoreError;
use rusqlite::{Connection, params};

/// What one import did.
#[derive(Debug, PartialEq, Eq)]
pub struct Imported {
    pub id: i64,
    pub rows: usize,
    /// Rows that replaced figures already held.
    pub replaced: usize,
}

/// Apply checked rows as one import by `by` at `now` (run it in one
/// writer operation: all rows or none).
pub fn apply(
    conn: &Connection,
    rows: &[SalesRow],
    by: &str,
    files: &[String],
    sha256: &str,
    now: i64,
) -> Result<Imported, StoreError> {
    conn.execute(
        "INSERT INTO sales_imports(at, by_name, files, sha256, rows) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now, by, files.join(", "), sha256, rows.len()],
    )?;
    let id = conn.last_insert_rowid();
    let mut exists = conn.prepare_cached(
        "SELECT count(*) FROM sales_monthly WHERE enterprise = ?1 AND platform = ?2 AND month = ?3",
    )?;
    let mut put = conn.prepare_cached(
        "INSERT OR REPLACE INTO sales_monthly
           (enterprise, platform, month, name, orders, sales_fen, farm_sales_fen, parcels, import_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut replaced = 0;
    for r in rows {
        let n: i64 = exists.query_row(params![r.enterprise, r.platform, r.month], |x| x.get(0))?;
        replaced += n as usize;
        put.execute(params![
            r.enterprise,
            r.platform,
            r.month,
            r.name,
            r.orders as i64,
            r.sales_fen as i64,
            r.farm_sales_fen as i64,
            r.parcels as i64,
            id
        ])?;
    }
    Ok(Imported { id, rows: rows.len(), replaced })
}

/// One month as `hub data months` lists it.
#[derive(Debug, PartialEq, Eq)]
pub struct MonthSummary {
    pub month: String,
    /// Enterprises with any order or sale that month (网络经营主体).
    pub enterprises: u64,
    pub rows: u64,
    pub orders: u64,
    pub sales_fen: u64,
    pub farm_sales_fen: u64,
    pub parcels: u64,
    /// When the newest import that holds figures of it ran (Unix ms), and by whom.
    pub last_import: (i64, String),
}

pub fn months(conn: &Connection) -> Result<Vec<MonthSummary>, StoreError> {
    let mut st = conn.prepare(
        "SELECT m.month, m.enterprises, m.n, m.orders, m.sales, m.farm, m.parcels, i.at, i.by_name
         FROM (SELECT month,
                      count(DISTINCT enterprise) FILTER (WHERE orders > 0 OR sales_fen > 0) AS enterprises,
                      count(*) AS n, sum(orders) AS orders, sum(sales_fen) AS sales,
                      sum(farm_sales_fen) AS farm, sum(parcels) AS parcels, max(import_id) AS newest
               FROM sales_monthly GROUP BY month) m
         JOIN sales_imports i ON i.id = m.newest
         ORDER BY m.month",
    )?;
    let rows = st.query_map([], |r| {
        Ok(MonthSummary {
            month: r.get(0)?,
            enterprises: r.get(1)?,
            rows: r.get(2)?,
            orders: r.get(3)?,
            sales_fen: r.get(4)?,
            farm_sales_fen: r.get(5)?,
            parcels: r.get(6)?,
            last_import: (r.get(7)?, r.get(8)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
