//! Logging in and out, the first-login password change, and the language
//! switch.

use super::{Nav, render};
use crate::console::auth::{
    self, LANG_COOKIE, LOGIN_COOKIE, SESSION_COOKIE, Staff, cookie, lang_of, set_cookie,
};
use crate::console::errors::{PageError, see_other};
use crate::console::i18n::{Lang, Tr};
use crate::console::state::Console;
use crate::staff::accounts::{self, Refusal};
use crate::staff::sessions;
use crate::store::now_ms;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    nav: Option<Nav>,
    csrf: String,
    next: String,
    name: String,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a page of this console: a path, never another site.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_page(
    console: &Console,
    lang: Lang,
    next: &str,
    name: &str,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = sessions::new_token();
    let page = LoginPage {
        t: Tr { lang },
        nav: None,
        csrf: csrf.clone(),
        next: next.to_owned(),
        name: name.to_owned(),
        problem,
    };
    (status, [(header::SET_COOKIE, set_cookie(console, LOGIN_COOKIE, &csrf, None))], render(&page))
        .into_response()
}

pub async fn show(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if auth::session_of(&console, &headers).await.is_some() {
        return see_other(&next);
    }
    login_page(&console, lang_of(&headers), &next, "", None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(console): State<Arc<Console>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let t = Tr { lang };
    let next = safe_next(form.next.as_deref());
    let name = form.name.trim().to_owned();
    let n = name.clone();
    let hash = console.read(move |c| accounts::password_hash(c, &n)).await?;
    let password = form.password;
    // Slow on purpose: off the async threads, and for an unknown name too,
    // so the answer's timing does not tell which names exist.
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => accounts::verify_password(&h, &password),
        None => {
            let _ = accounts::verify_password(&accounts::hash_password("unknown"), &password);
            false
        }
    })
    .await
    .unwrap_or(false);
    let now = now_ms();
    let n = name.clone();
    let outcome = console
        .write(move |c| {
            Ok(match accounts::record_login(c, &n, ok, now)? {
                Ok(account) => Ok((account.clone(), sessions::create(c, &account.name, now)?)),
                Err(r) => Err(r),
            })
        })
        .await?;
    match outcome {
        Ok((account, token)) => {
            tracing::info!(account = account.name, "console: logged in");
            let to = if account.must_change { "/password".to_owned() } else { next };
            let cookie = set_cookie(&console, SESSION_COOKIE, &token, Some(sessions::MAX_AGE_MS / 1000));
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)], [(header::SET_COOKIE, cookie)])
                .into_response())
        }
        Err(r) => {
            let why = match r {
                Refusal::WrongNameOrPassword => t.s("账号或密码不对").to_owned(),
                Refusal::Locked(until) => {
                    t.f("密码错误次数过多，账号已锁定到 {}", &[&protocol::county_time::minute_text(until)])
                }
                Refusal::Disabled => t.s("这个账号已停用，请联系管理员").to_owned(),
            };
            Ok(login_page(&console, lang, &next, &name, Some(why), StatusCode::UNAUTHORIZED))
        }
    }
}

pub async fn logout(State(console): State<Arc<Console>>, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE).map(str::to_owned) {
        console.write(move |c| sessions::end(c, &token)).await?;
    }
    let gone = set_cookie(&console, SESSION_COOKIE, "", Some(0));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/login".to_owned())], [(header::SET_COOKIE, gone)])
        .into_response())
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    t: Tr,
    nav: Option<Nav>,
    csrf: String,
    must_change: bool,
    problem: Option<String>,
}

pub async fn password_form(staff: Staff) -> Response {
    let page = PasswordPage {
        t: staff.tr,
        nav: Nav::of(&staff, ""),
        csrf: staff.session.csrf.clone(),
        must_change: staff.session.account.must_change,
        problem: None,
    };
    render(&page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

pub async fn change_password(
    State(console): State<Arc<Console>>,
    staff: Staff,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let t = staff.tr;
    let name = staff.name().to_owned();
    let again = |problem: &str| {
        let page = PasswordPage {
            t,
            nav: Nav::of(&staff, ""),
            csrf: staff.session.csrf.clone(),
            must_change: staff.session.account.must_change,
            problem: Some(problem.to_owned()),
        };
        Ok((StatusCode::BAD_REQUEST, render(&page)).into_response())
    };
    if form.new != form.repeat {
        return again(t.s("两次输入的新密码不一样"));
    }
    if accounts::check_new_password(&name, &form.new).is_err() {
        return again(t.s("新密码至少 10 个字符，且不能与账号名相同"));
    }
    let n = name.clone();
    let hash = console.read(move |c| accounts::password_hash(c, &n)).await?;
    let (current, new) = (form.current, form.new);
    let checked = tokio::task::spawn_blocking(move || {
        hash.filter(|h| accounts::verify_password(h, &current)).map(|_| accounts::hash_password(&new))
    })
    .await
    .ok()
    .flatten();
    let Some(new_hash) = checked else {
        tracing::warn!(account = name, "console: password change with a wrong current password");
        return again(t.s("当前密码不对"));
    };
    let now = now_ms();
    // Every other session of the account ends; this one starts afresh.
    let token = console
        .write(move |c| {
            accounts::set_password(c, &name, &new_hash, now).map_err(|e| match e {
                accounts::AccountError::Store(s) => s,
                other => crate::store::StoreError::Corrupt(other.to_string()),
            })?;
            sessions::end_all(c, &name)?;
            sessions::create(c, &name, now)
        })
        .await?;
    let cookie = set_cookie(&console, SESSION_COOKIE, &token, Some(sessions::MAX_AGE_MS / 1000));
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/".to_owned())], [(header::SET_COOKIE, cookie)])
        .into_response())
}

/// The language switch: remembered in a cookie, back to the page it was on.
pub async fn set_language(
    State(console): State<Arc<Console>>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::from_code(&code).unwrap_or_default();
    let back = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| r.split_once("://").map(|(_, rest)| rest))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()));
    let to = safe_next(back.as_deref());
    let cookie = set_cookie(&console, LANG_COOKIE, lang.code(), Some(365 * 24 * 3600));
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)], [(header::SET_COOKIE, cookie)]).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn after_login_only_a_page_of_this_console() {
        assert_eq!(super::safe_next(Some("/tickets?status=open")), "/tickets?status=open");
        for bad in ["//evil.example/", "https://evil.example/", "/\\evil", "tickets"] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(super::safe_next(None), "/");
    }
}
