//! The county's online transaction data (网络交易数据): monthly figures per
//! enterprise and platform that enterprises and the operator send as
//! spreadsheets, checked like the catalog ([`import`]), kept per
//! enterprise × platform × month ([`store`]) and reported beside the
//! kiosks' own counts (`hub report --by month|platform|enterprise`).

pub mod import;
pub mod platforms;
pub mod store;
pub mod targets;

pub use import::{SalesRow, check};
