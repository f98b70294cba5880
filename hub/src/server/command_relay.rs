//! Sending staff commands to kiosks and taking their answers; a
//! screenshot's PNG arrives in parts and is kept under `screenshots/`.

use super::Ctx;
use crate::fleet::kiosk_commands;
use crate::store::now_ms;
use protocol::messages::{Command, CommandResult, ResultPart};
use protocol::{KioskId, Topic};
use std::sync::Arc;

/// A file arriving in parts, per (kiosk, command).
pub(crate) struct Upload {
    parts: Vec<Option<Vec<u8>>>,
    started: std::time::Instant,
}

/// A file not finished within this long is dropped.
const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// Send what is queued for kiosks that are online; answer the expired.
pub(crate) async fn send_due(ctx: &Arc<Ctx>) {
    let now = now_ms();
    let due = match ctx.read(|c| kiosk_commands::to_send(c, now)) {
        Ok(d) => d,
        Err(e) => return tracing::error!(error = %e, "cannot read queued commands"),
    };
    for cmd in due {
        let Ok(kid) = KioskId::new(cmd.kid.clone()) else { continue };
        // Signed with the kiosk's own secret, like everything addressed to it.
        let Some(entry) = ctx.kiosk(&kid) else { continue };
        let msg = Command { cid: cmd.cid.clone(), args: cmd.args.clone(), expires: cmd.expires as u64 };
        ctx.broker.send(&Topic::Command { kid, name: cmd.name.clone() }, &msg, &entry.secret, false).await;
        let cid = cmd.cid.clone();
        if let Err(e) = ctx.writer.exec(move |c| kiosk_commands::mark_sent(c, &cid, now)).await {
            tracing::error!(error = %e, "cannot mark a command sent");
        }
        tracing::info!(kiosk = %cmd.kid, command = cmd.name, cid = cmd.cid, "command sent");
    }
    ctx.uploads.lock().expect("uploads lock").retain(|_, up| up.started.elapsed() < UPLOAD_TIMEOUT);
    match ctx.writer.exec(move |c| kiosk_commands::expire(c, now)).await {
        Ok(n) if n > 0 => tracing::warn!(commands = n, "commands expired"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "cannot expire commands"),
    }
}

/// A kiosk's answer, or a part of the file it carries; `Err` names why a
/// part was refused.
pub(crate) async fn on_result(ctx: &Arc<Ctx>, kid: &KioskId, r: CommandResult) -> Result<(), &'static str> {
    let key = (kid.clone(), r.cid.clone());
    if let Some(part) = r.part {
        return take_part(ctx, key, part);
    }
    let upload = ctx.uploads.lock().expect("uploads lock").remove(&key);
    let mut detail = r.detail.clone();
    let mut ok = r.ok;
    let mut file = None;
    if let Some(up) = upload {
        match assemble(up) {
            Some(bytes)
                if !r.detail.contains("sha256 ") || r.detail.contains(&protocol::sha256_hex(&bytes)) =>
            {
                let rel = format!("screenshots/{}-{}.png", kid.as_str(), r.cid);
                let path = ctx.data.root().join(&rel);
                let written = std::fs::create_dir_all(path.parent().expect("has a parent"))
                    .and_then(|_| std::fs::write(&path, &bytes));
                match written {
                    Ok(()) => file = Some(rel),
                    Err(e) => {
                        ok = false;
                        detail = format!("{detail}; not saved: {e}");
                    }
                }
            }
            _ => {
                ok = false;
                detail = format!("{detail}; the file arrived incomplete or damaged");
            }
        }
    }
    tracing::info!(kiosk = %kid, cid = r.cid, ok, detail, "command answered");
    let (k, cid) = (kid.to_string(), r.cid);
    let res = ctx
        .writer
        .exec(move |c| kiosk_commands::answered(c, &k, &cid, ok, &detail, file.as_deref(), now_ms()))
        .await;
    match res {
        Ok(true) => {}
        Ok(false) => tracing::warn!(kiosk = %kid, "an answer to no open command of this kiosk"),
        Err(e) => tracing::error!(error = %e, "cannot record a command's answer"),
    }
    Ok(())
}

fn take_part(ctx: &Ctx, key: (KioskId, String), part: ResultPart) -> Result<(), &'static str> {
    if part.count == 0 || part.count > ResultPart::MAX_PARTS || part.index >= part.count {
        return Err("bad file part");
    }
    let bytes = hex::decode(&part.hex).map_err(|_| "bad file part")?;
    let open = ctx.uploads.lock().expect("uploads lock").contains_key(&key);
    if !open {
        // A file only for a command this kiosk was sent and has not answered.
        let row = ctx.read(|c| kiosk_commands::get(c, &key.1)).ok().flatten();
        let expected =
            row.is_some_and(|r| r.kid == key.0.as_str() && r.sent_at.is_some() && r.done_at.is_none());
        if !expected {
            return Err("file part for no open command");
        }
    }
    let mut uploads = ctx.uploads.lock().expect("uploads lock");
    let up = uploads
        .entry(key)
        .or_insert_with(|| Upload { parts: Vec::new(), started: std::time::Instant::now() });
    if up.parts.len() != part.count as usize {
        up.parts = vec![None; part.count as usize];
    }
    up.parts[part.index as usize] = Some(bytes);
    Ok(())
}

fn assemble(up: Upload) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for p in up.parts {
        out.extend_from_slice(&p?);
    }
    Some(out)
}
