//! Checking a folder (or one file) of monthly sales spreadsheets. Columns
//! are documented in `docs/catalog-format.md` ("Online sales"). Every
//! problem is a diagnostic at file:line:column; the caller imports nothing
//! when there is any error.

use super::platforms;
use crate::catalog::codes::check_uscc;
use crate::catalog::diagnostics::{Diagnostics, Severity};
use crate::catalog::fields::yuan_to_fen;
use crate::catalog::publish;
use crate::catalog::table::{self, Row, opt, req};
use crate::store::StoreError;
use protocol::catalog::CatalogItem;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

const COLUMNS: [table::Column; 8] = [
    req("enterprise"),
    opt("enterprise_name"),
    req("platform"),
    req("month"),
    req("orders"),
    req("sales_yuan"),
    req("farm_sales_yuan"),
    req("parcels"),
];

/// Largest count or amount in fen a cell may hold (a typo guard: 10^12).
const MAX: u64 = 1_000_000_000_000;

/// One checked row: an enterprise's month on one platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalesRow {
    /// The enterprise's 统一社会信用代码, or its catalog producer id when it
    /// has none (a family farm, an individual).
    pub enterprise: String,
    /// For reports: the catalog's name, else the row's `enterprise_name`.
    pub name: String,
    /// A platform id (`assets/sales/platforms.csv`).
    pub platform: String,
    /// `YYYY-MM`.
    pub month: String,
    pub orders: u64,
    pub sales_fen: u64,
    pub farm_sales_fen: u64,
    pub parcels: u64,
}

/// The result of a check: rows (complete only without errors), findings,
/// and what the import record keeps.
#[derive(Debug, Default)]
pub struct Checked {
    pub rows: Vec<SalesRow>,
    pub diags: Diagnostics,
    /// The files read, in order.
    pub files: Vec<String>,
    /// SHA-256 over the files' names and bytes, in order.
    pub sha256: String,
}

/// The enterprises the newest published catalog knows.
#[derive(Debug, Default)]
pub struct Enterprises {
    /// producer id → (USCC, name)
    by_id: HashMap<String, (Option<String>, String)>,
    /// USCC → name
    by_uscc: HashMap<String, String>,
}

impl Enterprises {
    pub fn from_catalog(conn: &Connection) -> Result<Enterprises, StoreError> {
        let mut e = Enterprises::default();
        if let Some(snap) = publish::latest_snapshot(conn)? {
            for v in snap.items {
                if let CatalogItem::Producer(p) = v.item {
                    if let Some(u) = &p.uscc {
                        e.by_uscc.insert(u.clone(), p.name_zh.clone());
                    }
                    e.by_id.insert(p.id, (p.uscc, p.name_zh));
                }
            }
        }
        Ok(e)
    }

    /// For tests and tools: enterprises given directly.
    pub fn of(list: &[(&str, Option<&str>, &str)]) -> Enterprises {
        let mut e = Enterprises::default();
        for (id, uscc, name) in list {
            if let Some(u) = uscc {
                e.by_uscc.insert((*u).to_owned(), (*name).to_owned());
            }
            e.by_id.insert((*id).to_owned(), (uscc.map(str::to_owned), (*name).to_owned()));
        }
        e
    }
}

/// Check `path` (a `.csv` file, or a folder whose `.csv` files are all
/// read) against the known enterprises; `this_month` is the county's
/// current `(year, month)`: figures for later months are refused.
pub fn check(path: &Path, known: &Enterprises, this_month: (i32, u8)) -> Checked {
    let mut out = Checked::default();
    let (dir, names) = match files_of(path) {
        Ok(x) => x,
        Err(message) => {
            out.diags.file_error(&path.display().to_string(), message);
            return out;
        }
    };
    let mut hash = Sha256::new();
    // The first row seen for each enterprise × platform × month.
    let mut seen: HashMap<(String, String, String), (String, u64)> = HashMap::new();
    for name in &names {
        if let Ok(bytes) = std::fs::read(dir.join(name)) {
            hash.update(name.as_bytes());
            hash.update([0]);
            hash.update(&bytes);
        }
        let Some(t) = table::read(&dir, name, &COLUMNS, true, &mut out.diags) else { continue };
        if t.is_empty() {
            out.diags.file_error(name, "the file has a header but no rows");
        }
        for row in t.rows() {
            let Some(r) = check_row(&row, known, this_month, &mut out.diags) else { continue };
            let key = (r.enterprise.clone(), r.platform.clone(), r.month.clone());
            if let Some((file, line)) = seen.get(&key) {
                row.report(
                    &mut out.diags,
                    Severity::Error,
                    "month",
                    format!(
                        "{} on {} for {} is already at {file}:{line}; one row per enterprise, platform and month",
                        r.name, r.platform, r.month
                    ),
                );
                continue;
            }
            seen.insert(key, (name.clone(), row.line));
            out.rows.push(r);
        }
    }
    out.files = names;
    out.sha256 = hex::encode(hash.finalize());
    out
}

/// The folder and the `.csv` file names to read, sorted.
fn files_of(path: &Path) -> Result<(std::path::PathBuf, Vec<String>), String> {
    if path.is_dir() {
        let mut names: Vec<String> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read the folder: {e}"))?
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err("the folder has no .csv files".into());
        }
        return Ok((path.to_owned(), names));
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).ok_or("not a file")?;
    if !path.exists() {
        return Err("no such file or folder".into());
    }
    Ok((path.parent().unwrap_or(Path::new(".")).to_owned(), vec![name]))
}

fn check_row(
    row: &Row<'_>,
    known: &Enterprises,
    this_month: (i32, u8),
    d: &mut Diagnostics,
) -> Option<SalesRow> {
    let enterprise = row.required(d, "enterprise").and_then(|e| enterprise(row, e, known, d));
    let platform = row.parse(d, "platform", |s| {
        platforms::find(s).map(|p| p.id.clone()).ok_or_else(|| {
            let names: Vec<&str> = platforms::all().iter().map(|p| p.name_zh.as_str()).collect();
            format!("unknown platform {s:?}; platforms are {}", names.join("、"))
        })
    });
    let month = row.parse(d, "month", |s| month(s, this_month));
    let orders = row.parse(d, "orders", |s| count("orders", s));
    let sales = row.parse(d, "sales_yuan", |s| yuan("sales_yuan", s));
    let farm = row.parse(d, "farm_sales_yuan", |s| yuan("farm_sales_yuan", s));
    let parcels = row.parse(d, "parcels", |s| count("parcels", s));
    if let (Some(s), Some(f)) = (sales, farm) {
        if f > s {
            row.report(
                d,
                Severity::Error,
                "farm_sales_yuan",
                format!("farm products' sales {} exceed the total sales {}", fen_text(f), fen_text(s)),
            );
            return None;
        }
    }
    if let (Some(0), Some(s)) = (orders, sales) {
        if s > 0 {
            row.report(
                d,
                Severity::Warning,
                "orders",
                "sales without any order: is the orders column right?",
            );
        }
    }
    let ((enterprise, name), platform, month) = (enterprise?, platform?, month?);
    Some(SalesRow {
        enterprise,
        name,
        platform,
        month,
        orders: orders?,
        sales_fen: sales?,
        farm_sales_fen: farm?,
        parcels: parcels?,
    })
}

/// The enterprise's key and name: a catalog producer id, or a USCC.
fn enterprise(
    row: &Row<'_>,
    cell: &str,
    known: &Enterprises,
    d: &mut Diagnostics,
) -> Option<(String, String)> {
    let given_name = row.optional("enterprise_name");
    if let Some((uscc, name)) = known.by_id.get(cell) {
        return Some((uscc.clone().unwrap_or_else(|| cell.to_owned()), name.clone()));
    }
    let looks_like_uscc =
        cell.len() == 18 && cell.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !looks_like_uscc {
        row.report(
            d,
            Severity::Error,
            "enterprise",
            format!("unknown enterprise {cell:?}: neither a producer id of the published catalog nor a 统一社会信用代码"),
        );
        return None;
    }
    if let Err(m) = check_uscc(cell) {
        row.report(d, Severity::Error, "enterprise", m);
        return None;
    }
    match known.by_uscc.get(cell) {
        Some(name) => Some((cell.to_owned(), name.clone())),
        None => {
            row.report(
                d,
                Severity::Warning,
                "enterprise",
                format!("{cell} is not a producer in the catalog; it is counted by its code"),
            );
            Some((cell.to_owned(), given_name.unwrap_or(cell).to_owned()))
        }
    }
}

/// `2026-10`, `2026/10`, `2026-9`, or a first of the month as Excel turns
/// `2026/10` into a date (`2026/10/1`, `2026-10-01`).
pub fn month(s: &str, this_month: (i32, u8)) -> Result<String, String> {
    let bad = || format!("month {s:?} must look like 2026-10 (or 2026/10)");
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let (y, m) = match parts.as_slice() {
        [y, m] => (y, m),
        [y, m, d] if d.parse::<u8>() == Ok(1) => (y, m),
        [_, _, _] => return Err(format!("month {s:?} is a date; give the month, like 2026-10")),
        _ => return Err(bad()),
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 {
        return Err(bad());
    }
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) {
        return Err(format!("month {s:?}: there is no month {m}"));
    }
    if y < 2000 {
        return Err(format!("month {s:?} is before 2000"));
    }
    if (y, m) > this_month {
        return Err(format!("month {s:?} has not ended yet (this is {}-{:02})", this_month.0, this_month.1));
    }
    Ok(format!("{y}-{m:02}"))
}

/// A count: a whole number, not negative.
fn count(name: &str, s: &str) -> Result<u64, String> {
    let t = s.replace(',', "");
    if t.starts_with('-') {
        return Err(format!("{name} {s:?} must not be negative"));
    }
    if t.contains('.') && t.parse::<f64>().is_ok() {
        return Err(format!("{name} {s:?} must be a whole number"));
    }
    let n: u64 = t.parse().map_err(|_| format!("{name} {s:?} is not a number"))?;
    if n > MAX {
        return Err(format!("{name} {s:?} is too large; check the cell"));
    }
    Ok(n)
}

/// Yuan to the fen, not negative.
fn yuan(name: &str, s: &str) -> Result<u64, String> {
    if s.trim_start_matches(['¥', '￥']).starts_with('-') {
        return Err(format!("{name} {s:?} must not be negative"));
    }
    let fen = yuan_to_fen(s).map_err(|_| {
        let t = s.trim_start_matches(['¥', '￥']).replace(',', "");
        if t.parse::<f64>().is_ok() {
            format!("{name} {s:?} has more than 2 decimals; give yuan to the fen, like 12800.50")
        } else {
            format!("{name} {s:?} is not an amount in yuan, like 12800.50")
        }
    })?;
    if fen > MAX {
        return Err(format!("{name} {s:?} is too large; check the cell"));
    }
    Ok(fen)
}

/// Fen as yuan text: 1280050 → "12800.50".
pub fn fen_text(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_as_people_and_excel_write_them() {
        let now = (2026, 11);
        assert_eq!(month("2026-10", now).unwrap(), "2026-10");
        assert_eq!(month("2026/9", now).unwrap(), "2026-09");
        assert_eq!(month("2026/10/1", now).unwrap(), "2026-10");
        assert_eq!(month("2026-11", now).unwrap(), "2026-11");
        assert!(month("2026-12", now).unwrap_err().contains("has not ended"));
        assert!(month("2026-13", now).unwrap_err().contains("no month 13"));
        assert!(month("2026/10/15", now).unwrap_err().contains("is a date"));
        assert!(month("十月", now).is_err());
        assert!(month("26-10", now).is_err());
    }

    #[test]
    fn counts_and_amounts_say_what_is_wrong() {
        assert_eq!(count("orders", "1,204").unwrap(), 1204);
        assert!(count("orders", "-3").unwrap_err().contains("negative"));
        assert!(count("orders", "3.5").unwrap_err().contains("whole number"));
        assert!(count("orders", "三百").unwrap_err().contains("not a number"));
        assert_eq!(yuan("sales_yuan", "¥12,800.5").unwrap(), 1_280_050);
        assert!(yuan("sales_yuan", "-1").unwrap_err().contains("negative"));
        assert!(yuan("sales_yuan", "1.005").unwrap_err().contains("2 decimals"));
        assert!(yuan("sales_yuan", "n/a").unwrap_err().contains("not an amount"));
        assert!(yuan("sales_yuan", "99999999999999").unwrap_err().contains("too large"));
        assert_eq!(fen_text(1_280_050), "12800.50");
    }
}
