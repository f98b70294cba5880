//! Catalog authoring and rollout: a folder of CSV/TOML files and images,
//! checked with file:line:column diagnostics, published as numbered
//! versions, and rolled out to kiosks by group ([`rollout`]).

pub mod charset;
pub mod codes;
pub mod diagnostics;
pub mod drafts;
pub mod fields;
pub mod images;
pub mod import;
pub mod publish;
pub mod rollout;
pub mod table;
pub mod upload;
pub mod versions;
pub mod views;

pub use diagnostics::{Diagnostic, Diagnostics, Severity};
pub use import::{Authored, import};
