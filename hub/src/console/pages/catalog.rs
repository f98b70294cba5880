//! The catalog: upload a folder as a zip (or single corrected files), see
//! the check's findings cell by cell, publish to every kiosk or one group,
//! promote an earlier version, follow each version's rollout per kiosk, and
//! compare two versions item by item — the same library functions as
//! `hub catalog check|publish|promote|versions|diff`.

use super::{Nav, render};
use crate::blobs::BlobDir;
use crate::catalog::drafts::Drafts;
use crate::catalog::publish::{self, Target};
use crate::catalog::upload::{self, UploadError};
use crate::catalog::versions::{self, ItemChange, VersionInfo};
use crate::catalog::{self, Diagnostics, Severity, table};
use crate::console::auth::Staff;
use crate::console::errors::{PageError, see_other};
use crate::console::i18n::Tr;
use crate::console::state::Console;
use crate::fleet::status::{self, KioskRow};
use crate::staff::accounts;
use crate::staff::roles::Permission;
use crate::store::{StoreError, now_ms};
use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest upload the console accepts (the zip as sent).
pub const MAX_UPLOAD_BYTES: usize = 256 << 20;

/// One group and the version it is told to run.
pub struct GroupRow {
    pub group: String,
    pub desired: Option<u64>,
    pub kiosks: usize,
    /// Kiosks of the group already running `desired`.
    pub done: usize,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    t: Tr,
    nav: Option<Nav>,
    csrf: String,
    can_edit: bool,
    versions: Vec<VersionInfo>,
    groups: Vec<GroupRow>,
    /// Single files are laid over this upload (the one published last).
    base: Option<String>,
    problem: Option<String>,
}

fn groups_of(kiosks: &[KioskRow]) -> Vec<GroupRow> {
    let mut by: BTreeMap<&str, GroupRow> = BTreeMap::new();
    for k in kiosks {
        let g = by.entry(&k.group).or_insert_with(|| GroupRow {
            group: k.group.clone(),
            desired: k.desired_version,
            kiosks: 0,
            done: 0,
        });
        g.kiosks += 1;
        if k.desired_version.is_some() && k.catalog_version == k.desired_version {
            g.done += 1;
        }
    }
    by.into_values().collect()
}

async fn catalog_page(
    console: &Arc<Console>,
    staff: &Staff,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let (mut versions, kiosks) = console.read(|c| Ok((versions::list(c)?, status::list(c)?))).await?;
    versions.reverse();
    let page = CatalogPage {
        t: staff.tr,
        nav: Nav::of(staff, "catalog"),
        csrf: staff.session.csrf.clone(),
        can_edit: staff.may(Permission::EditCatalog),
        versions,
        groups: groups_of(&kiosks),
        base: Drafts::new(&console.data).last_published(),
        problem: problem.clone(),
    };
    let status = if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    Ok((status, render(&page)).into_response())
}

pub async fn show(State(console): State<Arc<Console>>, staff: Staff) -> Result<Response, PageError> {
    catalog_page(&console, &staff, None).await
}

/// Record a line in the staff history (who did what to the catalog).
async fn log(console: &Console, staff: &Staff, event: &'static str, detail: String) -> Result<(), PageError> {
    let name = staff.name().to_owned();
    console.write(move |c| accounts::log(c, &name, event, &detail, now_ms())).await?;
    Ok(())
}

/// A zip of the catalog folder, or single files over the last upload:
/// unpacked into a new draft, then on to its check.
pub async fn upload(
    State(console): State<Arc<Console>>,
    staff: Staff,
    mut form: Multipart,
) -> Result<Response, PageError> {
    staff.require(Permission::EditCatalog).await?;
    let t = staff.tr;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut base: Option<String> = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let why = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    t.f("上传超过 {} MiB，未接收。", &[&(MAX_UPLOAD_BYTES >> 20)])
                } else {
                    t.f("上传没有收全：{}", &[&e.body_text()])
                };
                return catalog_page(&console, &staff, Some(why)).await;
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                let why = t.f("上传没有收全：{}", &[&e.body_text()]);
                return catalog_page(&console, &staff, Some(why)).await;
            }
        };
        match (name.as_str(), file_name) {
            ("base", _) => {
                base = Some(String::from_utf8_lossy(&bytes).trim().to_owned()).filter(|b| !b.is_empty())
            }
            ("files", Some(f)) if !f.is_empty() => files.push((f, bytes.to_vec())),
            _ => {}
        }
    }
    if files.is_empty() {
        return catalog_page(&console, &staff, Some(t.s("请先选择要上传的文件。").to_owned())).await;
    }
    let is_zip = |n: &str| n.to_ascii_lowercase().ends_with(".zip");
    let zips = files.iter().filter(|(n, _)| is_zip(n)).count();
    if zips > 0 && files.len() > 1 {
        let why = t.s("请只上传一个 zip，或者只上传单个文件，不要混在一起。").to_owned();
        return catalog_page(&console, &staff, Some(why)).await;
    }
    let drafts = Drafts::new(&console.data);
    let base = if zips > 0 { None } else { base.or_else(|| drafts.last_published()) };
    let limits = console.upload_limits;
    let count = files.len();
    let unpacked = tokio::task::spawn_blocking(move || -> Result<String, UploadError> {
        drafts.sweep();
        let (id, dir) = drafts.create(base.as_deref())?;
        let done = if zips > 0 {
            upload::unpack_zip(&files[0].1, &dir, &limits).map(|_| ())
        } else {
            files.iter().try_for_each(|(name, bytes)| upload::put_file(&dir, name, bytes).map(|_| ()))
        };
        match done {
            Ok(()) => Ok(id),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                Err(e)
            }
        }
    })
    .await
    .map_err(|_| PageError::Store(StoreError::WriterGone))?;
    match unpacked {
        Ok(id) => {
            tracing::info!(account = staff.name(), draft = id, files = count, "console: catalog uploaded");
            log(&console, &staff, "catalog upload", format!("draft {id}: {count} file(s)")).await?;
            Ok(see_other(&format!("/catalog/drafts/{id}")))
        }
        Err(e) => {
            tracing::warn!(account = staff.name(), error = %e, "console: catalog upload refused");
            log(&console, &staff, "upload refused", e.to_string()).await?;
            catalog_page(&console, &staff, Some(e.to_string())).await
        }
    }
}

/// One finding of the check, with the cell it names.
pub struct FindingRow {
    pub error: bool,
    pub file: String,
    pub line: Option<u64>,
    pub column: Option<(usize, String)>,
    pub message: String,
    pub cell: Option<String>,
}

/// What the check found in a draft.
struct Checked {
    findings: Vec<FindingRow>,
    errors: usize,
    warnings: usize,
    /// The catalog's name, items and images, when it could be read.
    summary: Option<(String, usize, usize)>,
    authored: Option<catalog::Authored>,
}

fn check(dir: &std::path::Path) -> Checked {
    let mut diags = Diagnostics::default();
    let authored = catalog::import(dir, protocol::county_time::today(), &mut diags);
    let mut items = diags.items.clone();
    items.sort_by(|a, b| (a.severity, &a.file, a.line).cmp(&(b.severity, &b.file, b.line)));
    let findings = items
        .into_iter()
        .map(|d| {
            let cell = match (&d.line, &d.column) {
                (Some(line), Some((col, _))) => table::cell_at(dir, &d.file, *line, *col),
                _ => None,
            };
            FindingRow {
                error: d.severity == Severity::Error,
                file: d.file,
                line: d.line,
                column: d.column,
                message: d.message,
                cell,
            }
        })
        .collect();
    let errors = diags.errors();
    let summary = authored.as_ref().map(|a| (a.meta.name.clone(), a.items.len(), a.images.len()));
    let authored = authored.filter(|_| errors == 0);
    Checked { findings, errors, warnings: diags.warnings(), summary, authored }
}

#[derive(Template)]
#[template(path = "catalog_draft.html")]
struct DraftPage {
    t: Tr,
    nav: Option<Nav>,
    csrf: String,
    can_edit: bool,
    id: String,
    files: Vec<String>,
    findings: Vec<FindingRow>,
    errors: usize,
    warnings: usize,
    summary: Option<(String, usize, usize)>,
    groups: Vec<String>,
}

/// The files of a draft, for the page (tables first, then images).
fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    let images = std::fs::read_dir(dir.join("images")).map(|d| d.count()).unwrap_or(0);
    if images > 0 {
        out.push(format!("images/ ({images})"));
    }
    out
}

async fn draft_page(console: &Arc<Console>, staff: &Staff, id: String) -> Result<Response, PageError> {
    let Some(dir) = Drafts::new(&console.data).folder(&id) else {
        return Err(PageError::NotFound(staff.tr.lang));
    };
    let d = dir.clone();
    let (checked, files) = tokio::task::spawn_blocking(move || (check(&d), listing(&d)))
        .await
        .map_err(|_| PageError::Store(StoreError::WriterGone))?;
    let kiosks = console.read(status::list).await?;
    let status = if checked.errors > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = DraftPage {
        t: staff.tr,
        nav: Nav::of(staff, "catalog"),
        csrf: staff.session.csrf.clone(),
        can_edit: staff.may(Permission::EditCatalog),
        id,
        files,
        findings: checked.findings,
        errors: checked.errors,
        warnings: checked.warnings,
        summary: checked.summary,
        groups: groups_of(&kiosks).into_iter().map(|g| g.group).collect(),
    };
    Ok((status, render(&page)).into_response())
}

pub async fn draft(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    draft_page(&console, &staff, id).await
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    group: String,
    #[serde(default)]
    note: String,
}

/// Check the draft again (what is published is what was checked) and
/// publish it as the next version, for every kiosk or one group.
pub async fn publish(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<PublishForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::EditCatalog).await?;
    let drafts = Drafts::new(&console.data);
    let Some(dir) = drafts.folder(&id) else { return Err(PageError::NotFound(staff.tr.lang)) };
    let checked = tokio::task::spawn_blocking(move || check(&dir))
        .await
        .map_err(|_| PageError::Store(StoreError::WriterGone))?;
    let Some(authored) = checked.authored else { return draft_page(&console, &staff, id).await };
    let target = match form.group.trim() {
        "" => Target::All,
        g => Target::Group(g.to_owned()),
    };
    let blobs = BlobDir::new(console.data.blobs());
    let (name, source, note) =
        (staff.name().to_owned(), format!("console upload {id}"), form.note.trim().to_owned());
    let t = target.clone();
    let published = console
        .write(move |c| {
            let p = publish::publish(c, &blobs, &authored, &source, &t, &note)?;
            let detail = format!("version {} to {} ({source})", p.version, t.key());
            accounts::log(c, &name, "catalog publish", &detail, now_ms())?;
            Ok(p)
        })
        .await?;
    if let Err(e) = drafts.mark_published(&id) {
        tracing::warn!(error = %e, "console: the published draft was not marked");
    }
    tracing::info!(
        account = staff.name(),
        version = published.version,
        target = target.key(),
        new = published.new_version,
        "console: catalog published"
    );
    Ok(see_other(&format!("/catalog/versions/{}", published.version)))
}

#[derive(Deserialize)]
pub struct PromoteForm {
    version: u64,
    #[serde(default)]
    group: String,
}

/// Point every kiosk (or one group) at an already published version.
pub async fn promote(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Form(form): Form<PromoteForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::EditCatalog).await?;
    let target = match form.group.trim() {
        "" => Target::All,
        g => Target::Group(g.to_owned()),
    };
    let (v, t, name) = (form.version, target.clone(), staff.name().to_owned());
    let exists = console
        .write(move |c| {
            if !publish::version_exists(c, v)? {
                return Ok(false);
            }
            publish::set_target(c, &t, v)?;
            accounts::log(c, &name, "catalog promote", &format!("version {v} to {}", t.key()), now_ms())?;
            Ok(true)
        })
        .await?;
    if !exists {
        let why = staff.tr.f("没有第 {} 版目录。", &[&v]);
        return catalog_page(&console, &staff, Some(why)).await;
    }
    tracing::info!(account = staff.name(), version = v, target = target.key(), "console: catalog promoted");
    Ok(see_other(&format!("/catalog/versions/{v}")))
}

#[derive(Template)]
#[template(path = "catalog_version.html")]
struct VersionPage {
    t: Tr,
    nav: Option<Nav>,
    v: VersionInfo,
    previous: Option<u64>,
    /// Kiosks told to run this version, or running it.
    kiosks: Vec<KioskRow>,
}

/// One version: where it is rolled out, and each kiosk's progress to it.
pub async fn version(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(v): Path<u64>,
) -> Result<Response, PageError> {
    let (list, kiosks) = console.read(|c| Ok((versions::list(c)?, status::list(c)?))).await?;
    let previous = list.iter().map(|i| i.version).filter(|x| *x < v).max();
    let Some(info) = list.into_iter().find(|i| i.version == v) else {
        return Err(PageError::NotFound(staff.tr.lang));
    };
    let kiosks =
        kiosks.into_iter().filter(|k| k.desired_version == Some(v) || k.catalog_version == Some(v)).collect();
    let page = VersionPage { t: staff.tr, nav: Nav::of(&staff, "catalog"), v: info, previous, kiosks };
    Ok(render(&page))
}

#[derive(Deserialize)]
pub struct DiffQuery {
    a: u64,
    b: u64,
}

#[derive(Template)]
#[template(path = "catalog_diff.html")]
struct DiffPage {
    t: Tr,
    nav: Option<Nav>,
    a: u64,
    b: u64,
    changes: Vec<ItemChange>,
}

/// What changed between two versions: items added, removed, and changed
/// with each field before and after.
pub async fn diff(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Query(q): Query<DiffQuery>,
) -> Result<Response, PageError> {
    let (a, b) = (q.a, q.b);
    let found = console
        .read(move |c| {
            if !publish::version_exists(c, a)? || !publish::version_exists(c, b)? {
                return Ok(None);
            }
            versions::diff(c, a, b).map(Some)
        })
        .await?;
    let Some(changes) = found else { return Err(PageError::NotFound(staff.tr.lang)) };
    Ok(render(&DiffPage { t: staff.tr, nav: Nav::of(&staff, "catalog"), a, b, changes }))
}
