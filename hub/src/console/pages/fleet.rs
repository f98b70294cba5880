//! The fleet: each kiosk with its role, group, station number, state,
//! software release (and the update under way), catalog and sync progress,
//! last word and drift; its latest screenshot on
//! request; language, restart and rebirth; and, for administrators, setting
//! a kiosk up (its files as one zip to carry to it), rotating its secret
//! and revoking it — the same provisioning as `hub fleet`.

use super::{Nav, render};
use crate::console::auth::Staff;
use crate::console::errors::{PageError, see_other};
use crate::console::i18n::Tr;
use crate::console::state::Console;
use crate::fleet::provision::{self, NewKiosk, ProvisionError};
use crate::fleet::status::{self, KioskRow};
use crate::fleet::{kiosk_commands, registry};
use crate::staff::roles::Permission;
use crate::store::now_ms;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use protocol::{BrokerUrl, KioskId};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

/// A command from the console waits this long for its kiosk to come online.
const COMMAND_WAIT_MS: i64 = 60_000;

/// A kiosk as a row of the page.
pub struct FleetRow {
    pub k: KioskRow,
    /// When its newest screenshot arrived, if it sent one.
    pub screenshot_at: Option<i64>,
    /// Download progress of the version it should run, in percent.
    pub sync_percent: Option<u64>,
    /// Its software: running, and the release it should run with that
    /// job's state when the two differ.
    pub software: Option<crate::releases::KioskSoftware>,
}

#[derive(Template)]
#[template(path = "fleet.html")]
struct FleetPage {
    t: Tr,
    nav: Option<Nav>,
    rows: Vec<FleetRow>,
    csrf: String,
    can_command: bool,
    can_manage: bool,
    problem: Option<String>,
}

async fn fleet_page(
    console: &Arc<Console>,
    staff: &Staff,
    problem: Option<String>,
) -> Result<Response, PageError> {
    let rows = console
        .read(|c| {
            let mut out = Vec::new();
            let mut software: BTreeMap<String, crate::releases::KioskSoftware> =
                crate::releases::kiosks(c)?.into_iter().map(|s| (s.kiosk.clone(), s)).collect();
            for k in status::list(c)? {
                let screenshot_at = kiosk_commands::latest_screenshot(c, &k.kiosk)?.map(|(_, _, at)| at);
                let sync_percent =
                    k.sync_bytes.filter(|(_, total)| *total > 0).map(|(done, total)| done * 100 / total);
                let software = software.remove(&k.kiosk);
                out.push(FleetRow { k, screenshot_at, sync_percent, software });
            }
            Ok(out)
        })
        .await?;
    let status = if problem.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = FleetPage {
        t: staff.tr,
        nav: Nav::of(staff, "fleet"),
        rows,
        csrf: staff.session.csrf.clone(),
        can_command: staff.may(Permission::CommandKiosks),
        can_manage: staff.may(Permission::ManageFleet),
        problem,
    };
    Ok((status, render(&page)).into_response())
}

pub async fn show(State(console): State<Arc<Console>>, staff: Staff) -> Result<Response, PageError> {
    fleet_page(&console, &staff, None).await
}

#[derive(Deserialize)]
pub struct CommandForm {
    name: String,
    #[serde(default)]
    lang: String,
}

/// Queue a command for the serving hub to send (as `hub kiosks command`).
pub async fn command(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(kid): Path<String>,
    Form(form): Form<CommandForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::CommandKiosks).await?;
    let mut args = BTreeMap::new();
    // The page's buttons say `set-language:zh`; `name` + `lang` works too.
    let (name, lang) = match form.name.split_once(':') {
        Some((n, l)) => (n.to_owned(), l.to_owned()),
        None => (form.name.clone(), form.lang.clone()),
    };
    match name.as_str() {
        "screenshot" | "restart" | "rebirth" => {}
        "set-language" if matches!(lang.as_str(), "zh" | "en") => {
            args.insert("lang".to_owned(), lang);
        }
        _ => return Err(PageError::BadRequest(staff.tr.lang, staff.tr.s("没有这个命令").to_owned())),
    }
    let (k, command, now) = (kid.clone(), name.clone(), now_ms());
    let queued = console
        .write(move |c| {
            if !registry::all(c)?.keys().any(|id| id.as_str() == k) {
                return Ok(None);
            }
            kiosk_commands::queue(c, &k, &command, &args, now, now + COMMAND_WAIT_MS).map(Some)
        })
        .await?;
    let Some(cid) = queued else { return Err(PageError::NotFound(staff.tr.lang)) };
    tracing::info!(account = staff.name(), kiosk = kid, command = name, cid, "console: kiosk command queued");
    Ok(see_other("/fleet"))
}

/// The newest screenshot a kiosk sent.
pub async fn screenshot(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(kid): Path<String>,
) -> Result<Response, PageError> {
    let found = console.read(move |c| kiosk_commands::latest_screenshot(c, &kid)).await?;
    let Some((_, file, _)) = found else { return Err(PageError::NotFound(staff.tr.lang)) };
    let bytes =
        std::fs::read(console.data.root().join(&file)).map_err(|_| PageError::NotFound(staff.tr.lang))?;
    Ok(([(header::CONTENT_TYPE, "image/png"), (header::CACHE_CONTROL, "no-store")], bytes).into_response())
}

#[derive(Deserialize)]
pub struct NewKioskForm {
    id: String,
    role: String,
    group: String,
    hub: String,
    #[serde(default)]
    pin: String,
}

/// Files as a zip download; secrets keep their owner-only mode inside.
fn zip_download(name: &str, files: &[(String, Vec<u8>, u32)]) -> Result<Response, std::io::Error> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, bytes, mode) in files {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
        zip.start_file(path.as_str(), options).map_err(std::io::Error::other)?;
        zip.write_all(bytes)?;
    }
    let bytes = zip.finish().map_err(std::io::Error::other)?.into_inner();
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok((
        [(header::CONTENT_TYPE, "application/zip".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        bytes,
    )
        .into_response())
}

/// The files of a kiosk's folder, relative to the folder's parent.
fn folder_files(dir: &std::path::Path, prefix: &str) -> std::io::Result<Vec<(String, Vec<u8>, u32)>> {
    let mut files = Vec::new();
    for e in std::fs::read_dir(dir)?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let private = matches!(name.as_str(), provision::SECRET_FILE | provision::HUB_KEY_FILE);
        files.push((
            format!("{prefix}/{name}"),
            std::fs::read(e.path())?,
            if private { 0o600 } else { 0o644 },
        ));
    }
    files.sort();
    Ok(files)
}

/// Set a kiosk up (as `hub fleet new`) and hand its folder over as a zip.
pub async fn new_kiosk(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Form(form): Form<NewKioskForm>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageFleet).await?;
    let t = staff.tr;
    let id = match KioskId::new(form.id.trim()) {
        Ok(id) => id,
        Err(e) => return fleet_page(&console, &staff, Some(e.to_string())).await,
    };
    let hub = match BrokerUrl::parse(form.hub.trim()) {
        Ok(url) => url,
        Err(e) => {
            let why = t.f("服务器地址：{}", &[&e]);
            return fleet_page(&console, &staff, Some(why)).await;
        }
    };
    let role = match form.role.as_str() {
        "station" => firmware_config::Role::Station,
        "bigscreen" => firmware_config::Role::Bigscreen,
        _ => firmware_config::Role::Showroom,
    };
    let out = tempfile::tempdir().map_err(|e| PageError::BadRequest(t.lang, e.to_string()))?;
    let request = NewKiosk {
        id: id.clone(),
        role,
        group: form.group.trim().to_owned(),
        town: None,
        hub,
        ca: None,
        pin: Some(form.pin.trim().to_owned()).filter(|p| !p.is_empty()),
        language: firmware_config::Language::Zh,
        data_dir: "/var/lib/kiosk".into(),
        out: out.path().to_owned(),
    };
    let (data, writer) = (console.data.clone(), console.writer.clone());
    let done = tokio::task::spawn_blocking(move || provision::new_kiosk(&data, &writer, &request))
        .await
        .map_err(|_| PageError::Store(crate::store::StoreError::WriterGone))?;
    let provisioned = match done {
        Ok(p) => p,
        Err(ProvisionError::Store(e)) => return Err(PageError::Store(e)),
        Err(e) => return fleet_page(&console, &staff, Some(e.to_string())).await,
    };
    tracing::info!(account = staff.name(), kiosk = %id, "console: kiosk set up");
    let mut files = folder_files(&provisioned.dir, id.as_str())
        .map_err(|e| PageError::BadRequest(t.lang, e.to_string()))?;
    if let Some(pin) = provisioned.made_pin {
        let note = format!("{}\n{pin}\n", t.s("工作人员密码（只显示这一次，请交给站点负责人）："));
        files.push((format!("{}/staff-pin.txt", id.as_str()), note.into_bytes(), 0o600));
    }
    zip_download(&format!("kiosk-{}.zip", id.as_str()), &files)
        .map_err(|e| PageError::BadRequest(t.lang, e.to_string()))
}

/// A new secret for a kiosk; the new `secret` file as a download.
pub async fn rotate(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(kid): Path<String>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageFleet).await?;
    let t = staff.tr;
    let Ok(id) = KioskId::new(kid) else { return Err(PageError::NotFound(t.lang)) };
    let out = tempfile::tempdir().map_err(|e| PageError::BadRequest(t.lang, e.to_string()))?;
    let (writer, i, o) = (console.writer.clone(), id.clone(), out.path().to_owned());
    let done = tokio::task::spawn_blocking(move || provision::rotate_secret(&writer, &i, &o))
        .await
        .map_err(|_| PageError::Store(crate::store::StoreError::WriterGone))?;
    let file = match done {
        Ok(f) => f,
        Err(ProvisionError::Store(e)) => return Err(PageError::Store(e)),
        Err(e) => return fleet_page(&console, &staff, Some(e.to_string())).await,
    };
    tracing::info!(account = staff.name(), kiosk = %id, "console: kiosk secret rotated");
    let bytes = std::fs::read(file).map_err(|e| PageError::BadRequest(t.lang, e.to_string()))?;
    zip_download(
        &format!("kiosk-{}-secret.zip", id.as_str()),
        &[(format!("{}/secret", id.as_str()), bytes, 0o600)],
    )
    .map_err(|e| PageError::BadRequest(t.lang, e.to_string()))
}

/// Refuse a kiosk from now on (stolen, retired).
pub async fn revoke(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Path(kid): Path<String>,
) -> Result<Response, PageError> {
    staff.require(Permission::ManageFleet).await?;
    let Ok(id) = KioskId::new(kid) else { return Err(PageError::NotFound(staff.tr.lang)) };
    let i = id.clone();
    if !console.write(move |c| registry::revoke(c, &i)).await? {
        return Err(PageError::NotFound(staff.tr.lang));
    }
    tracing::info!(account = staff.name(), kiosk = %id, "console: kiosk revoked");
    Ok(see_other("/fleet"))
}
