//! A catalog folder (the sample Tongcheng catalog by default) turned into
//! what a kiosk holds after sync, through the hub's own importer: for
//! `kiosk snapshot`, `kiosk --demo` and the UI tests.

use protocol::catalog::Snapshot;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The sample catalog shipped in the repository.
pub fn default_catalog() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/catalog/tongcheng")
}

/// Import and publish `dir` into a hub store under `work`; returns the
/// version and where each image is.
pub fn load(dir: &Path, work: &Path) -> anyhow::Result<(Arc<Snapshot>, PathBuf)> {
    let data = hub::store::DataDir::new(work)?;
    let conn = hub::store::open_write(&data)?;
    let blobs = hub::blobs::BlobDir::new(data.blobs());
    if hub::catalog::publish::latest_snapshot(&conn)?.is_none() {
        let mut diags = hub::catalog::Diagnostics::default();
        let authored = hub::catalog::import(dir, protocol::county_time::today(), &mut diags);
        let Some(authored) = authored.filter(|_| !diags.has_errors()) else {
            let first = diags.items.first().map(|d| d.to_string()).unwrap_or_default();
            anyhow::bail!("catalog {} has {} error(s); first: {first}", dir.display(), diags.errors());
        };
        hub::catalog::publish::publish(
            &conn,
            &blobs,
            &authored,
            &dir.display().to_string(),
            &hub::catalog::publish::Target::All,
            "sample",
        )?;
    }
    let snap =
        hub::catalog::publish::latest_snapshot(&conn)?.ok_or_else(|| anyhow::anyhow!("nothing published"))?;
    Ok((Arc::new(snap), data.blobs()))
}

/// Where an image lives in a hub's blob folder.
pub fn hub_blob_path(blobs: &Path, sha: &str) -> PathBuf {
    hub::blobs::BlobDir::new(blobs).path(sha)
}
