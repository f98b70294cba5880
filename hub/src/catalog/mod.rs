//! Catalog authoring: a folder of CSV/TOML files and images, checked with
//! file:line:column diagnostics, published as numbered versions.

pub mod charset;
pub mod codes;
pub mod diagnostics;
pub mod fields;
pub mod images;
pub mod import;
pub mod publish;
pub mod table;
pub mod versions;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use import::{Authored, import};

/// Today's date in the county (Asia/Shanghai, UTC+8, no daylight saving).
pub fn today_in_county() -> time::Date {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date()
}
