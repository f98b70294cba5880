//! The staff page behind the PIN: what a keeper reads to the county over
//! the phone when something is wrong.

use super::{State, go, model};
use crate::runtime::KioskStatus;
use crate::store::outbox::OutboxState;
use crate::ui::browse::Lang;
use crate::ui::{AppWindow, DiagRow, StaffAdapter};
use firmware_config::DeviceConfig;
use slint::ComponentHandle;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Wrong PINs allowed before the keypad rests.
const TRIES: u32 = 5;
const REST: Duration = Duration::from_secs(60);
const PIN_MAX: usize = 8;

#[derive(Default)]
pub struct PinEntry {
    digits: String,
    failures: u32,
    resting_until: Option<Instant>,
}

pub(super) fn open(w: &AppWindow, s: &Rc<RefCell<State>>) {
    s.borrow_mut().pin.digits.clear();
    show_pin(w, s, "");
    go(w, s, "pin", true);
}

fn show_pin(w: &AppWindow, s: &Rc<RefCell<State>>, error: &str) {
    let dots = "●".repeat(s.borrow().pin.digits.len());
    let staff = w.global::<StaffAdapter>();
    staff.set_pin_shown(dots.into());
    staff.set_pin_error(error.into());
}

/// A keypad press on the PIN page; `ok` checks the PIN.
pub(super) fn key(w: &AppWindow, s: &Rc<RefCell<State>>, k: &str) {
    let zh = s.borrow().lang == Lang::Zh;
    let resting = s.borrow().pin.resting_until.is_some_and(|t| Instant::now() < t);
    if resting {
        s.borrow_mut().pin.digits.clear();
        return show_pin(
            w,
            s,
            if zh {
                "密码错误次数过多，请一分钟后再试"
            } else {
                "Too many wrong PINs; wait a minute"
            },
        );
    }
    {
        let mut st = s.borrow_mut();
        let d = &mut st.pin.digits;
        match k {
            "back" => {
                d.pop();
            }
            "clear" => d.clear(),
            "ok" => {}
            k if k.len() == 1 && k.as_bytes()[0].is_ascii_digit() && d.len() < PIN_MAX => d.push_str(k),
            _ => return,
        }
    }
    if k != "ok" {
        return show_pin(w, s, "");
    }
    let (typed, hash) = {
        let mut st = s.borrow_mut();
        (std::mem::take(&mut st.pin.digits), st.pin_hash())
    };
    let Some(hash) = hash else {
        let msg = if zh {
            "本机未设置工作人员密码（kiosk.toml）"
        } else {
            "No staff PIN is set (kiosk.toml)"
        };
        return show_pin(w, s, msg);
    };
    if firmware_config::pin::verify(&hash, &typed) {
        s.borrow_mut().pin = PinEntry::default();
        tracing::info!("staff page opened");
        refresh(w, s);
        go(w, s, "staff", false);
        return;
    }
    {
        let mut st = s.borrow_mut();
        st.pin.failures += 1;
        tracing::warn!(failures = st.pin.failures, "wrong staff PIN");
        if st.pin.failures >= TRIES {
            st.pin.failures = 0;
            st.pin.resting_until = Some(Instant::now() + REST);
        }
    }
    show_pin(w, s, if zh { "密码不对，请重新输入" } else { "Wrong PIN; please try again" });
}

pub(super) fn refresh(w: &AppWindow, s: &Rc<RefCell<State>>) {
    let st = s.borrow();
    let rows = match &st.recorder {
        Some(r) => {
            let status = r.status().borrow().clone();
            let version = st.snap.as_ref().map(|c| (c.version, c.items.len()));
            diagnostics(r.config(), &status, r.outbox_state().ok().as_ref(), version, st.lang)
        }
        None => vec![(
            label(st.lang, "设备", "Device"),
            label(st.lang, "预览，无后台", "preview, no backend"),
            false,
        )],
    };
    drop(st);
    let rows: Vec<DiagRow> = rows
        .into_iter()
        .map(|(name, value, ok)| DiagRow { name: name.into(), value: value.into(), ok })
        .collect();
    w.global::<StaffAdapter>().set_rows(model(rows));
}

fn label(lang: Lang, zh: &str, en: &str) -> String {
    if lang == Lang::Zh { zh } else { en }.to_owned()
}

/// A connection failure in words a station keeper can act on (or pass on
/// by phone); anything not recognised is shown as it is.
pub fn link_problem(error: &str, lang: Lang) -> String {
    let l = |zh: &str, en: &str| label(lang, zh, en);
    let has = |s: &str| error.contains(s);
    if has("UnknownIssuer") || has("BadSignature") {
        l(
            "服务器证书不是本县CA签发（检查 ca.pem）",
            "server certificate not from the county CA (check ca.pem)",
        )
    } else if has("NotValidForName") || has("not valid for name") {
        l("服务器证书不含此地址（请中心重新签发）", "server certificate does not name this address")
    } else if has("Expired") || has("certificate expired") {
        l("服务器证书已过期（请中心重新签发）", "server certificate expired")
    } else if has("not valid yet") {
        l("服务器证书尚未生效（检查本机时钟）", "server certificate not valid yet (check this kiosk's clock)")
    } else if has("BadUserNamePassword") || has("NotAuthorized") {
        l("登录被拒（密钥已更换或已注销）", "login refused (secret rotated or kiosk revoked)")
    } else if has("Connection refused") {
        l("服务器无应答", "nothing answers at that address")
    } else {
        error.to_owned()
    }
}

/// The staff page's lines: (name, value, fine?).
pub fn diagnostics(
    config: &DeviceConfig,
    status: &KioskStatus,
    outbox: Option<&OutboxState>,
    catalog: Option<(u64, usize)>,
    lang: Lang,
) -> Vec<(String, String, bool)> {
    let l = |zh: &str, en: &str| label(lang, zh, en);
    let mut rows = vec![
        (l("软件版本", "Software"), env!("CARGO_PKG_VERSION").to_owned(), true),
        (
            l("设备", "Device"),
            format!(
                "{} · {:?} · {} {:04}",
                config.id.as_str(),
                config.role,
                l("站点", "station"),
                config.station_no
            ),
            true,
        ),
        match catalog {
            Some((v, n)) => (l("目录版本", "Catalog"), format!("v{v} · {n} {}", l("条", "items")), true),
            None => (l("目录版本", "Catalog"), l("尚无目录", "none yet"), false),
        },
    ];
    let sync = &status.sync;
    rows.push(match (&sync.error, sync.active) {
        (Some(e), _) => (l("目录同步", "Sync"), format!("v{}: {e}", sync.version), false),
        (None, true) => (
            l("目录同步", "Sync"),
            format!("v{} {}/{} B", sync.version, sync.bytes_done, sync.bytes_total),
            true,
        ),
        (None, false) => (l("目录同步", "Sync"), l("已是最新", "up to date"), true),
    });
    let link = match (status.connected, status.hub_online) {
        (true, true) => (l("已连接，服务器在线", "connected, hub online"), true),
        (true, false) => (l("已连接，服务器离线", "connected, hub offline"), false),
        (false, _) => (l("未连接", "not connected"), false),
    };
    let why = match (status.connected, &status.link_error) {
        (false, Some(e)) => format!(" · {}", link_problem(e, lang)),
        _ => String::new(),
    };
    rows.push((l("网络", "Network"), format!("{} · {}{why}", link.0, config.hub.url), link.1));
    if let Some(o) = outbox {
        rows.push((
            l("待上传记录", "Outbox"),
            format!(
                "{} · {} {} · {} {}",
                o.depth,
                l("已记录", "recorded"),
                o.last_seq,
                l("已确认", "acked"),
                o.acked_upto
            ),
            o.depth < 10_000,
        ));
    }
    rows.push(match &status.store_error {
        Some(e) => (l("存储", "Storage"), e.clone(), false),
        None => (l("存储", "Storage"), l("正常", "fine"), true),
    });
    if config.serial.is_empty() {
        rows.push((l("外设", "Peripherals"), l("未配置", "none configured"), true));
    }
    for d in &config.serial {
        let here = d.path.exists();
        let state = if here { l("已连接", "present") } else { l("未找到", "missing") };
        rows.push((
            format!("{} {:?}", l("外设", "Peripheral"), d.kind),
            format!("{} · {state}", d.path.display()),
            here,
        ));
    }
    rows.push((l("会话", "Session"), status.session.to_string(), true));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_named_for_the_keeper() {
        for (raw, zh) in [
            ("TLS: I/O: invalid peer certificate: UnknownIssuer", "不是本县CA"),
            ("TLS: I/O: invalid peer certificate: BadSignature", "不是本县CA"),
            (
                "TLS: I/O: invalid peer certificate: certificate not valid for name \"127.0.0.1\"; certificate is only valid for DnsName(\"localhost\")",
                "不含此地址",
            ),
            ("TLS: I/O: invalid peer certificate: certificate expired: verification time 1", "已过期"),
            (
                "TLS: I/O: invalid peer certificate: certificate not valid yet: verification time 1",
                "尚未生效",
            ),
            ("Connection refused, return code: `BadUserNamePassword`", "登录被拒"),
            ("Connection refused, return code: `NotAuthorized`", "登录被拒"),
            ("I/O: Connection refused (os error 111)", "无应答"),
        ] {
            assert!(link_problem(raw, Lang::Zh).contains(zh), "{raw}");
            assert!(link_problem(raw, Lang::En).is_ascii(), "{raw}");
        }
        assert_eq!(link_problem("I/O: Network unreachable", Lang::Zh), "I/O: Network unreachable");
    }
}
