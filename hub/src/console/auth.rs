//! Who is asking, and may they: the session cookie, the role's permissions
//! and the CSRF token every form carries. Each refusal is logged with the
//! account (when known), the page and the reason.

use super::errors::PageError;
use super::i18n::{Lang, Tr};
use super::state::Console;
use crate::staff::roles::Permission;
use crate::staff::sessions::{self, Session};
use crate::store::now_ms;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "kh_session";
pub const LANG_COOKIE: &str = "kh_lang";
/// Before a session exists, the login form's CSRF token is this cookie's
/// value, sent back in the form (double submit).
pub const LOGIN_COOKIE: &str = "kh_login";

/// A session used within this much of its last use is not touched again.
const TOUCH_MS: i64 = 60_000;

/// A cookie's value from the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Strict always, Secure on
/// HTTPS and on this machine; `max_age` in seconds (0 forgets it).
pub fn set_cookie(console: &Console, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if console.secure_cookies { "; Secure" } else { "" };
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}{age}"))
        .expect("cookie values are hex or a language code")
}

/// The page's language, from its cookie.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE).and_then(Lang::from_code).unwrap_or_default()
}

/// Equal without telling by its timing where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A logged-in member of staff. As an extractor it sends anyone without a
/// live session to the login page, and anyone with a one-time password to
/// the password page first.
pub struct Staff {
    pub session: Session,
    pub tr: Tr,
    /// The page asked for (for the log).
    pub path: String,
    /// For the staff history's record of a refusal.
    writer: crate::store::writer::Writer,
}

impl Staff {
    pub fn name(&self) -> &str {
        &self.session.account.name
    }

    pub fn may(&self, p: Permission) -> bool {
        self.session.account.role.may(p)
    }

    /// Refuse an action above the account's role, and record the refusal
    /// in the staff history (as a refused form is).
    pub async fn require(&self, p: Permission) -> Result<(), PageError> {
        if self.may(p) {
            return Ok(());
        }
        tracing::warn!(
            account = self.name(),
            role = self.session.account.role.name(),
            page = self.path,
            needs = ?p,
            "console: refused, above the account's role"
        );
        let (name, detail) = (self.name().to_owned(), format!("{}: needs {p:?}", self.path));
        let logged = self
            .writer
            .exec(move |c| crate::staff::accounts::log(c, &name, "refused", &detail, now_ms()))
            .await;
        if let Err(e) = logged {
            tracing::error!(error = %e, "console: refusal not logged");
        }
        Err(PageError::Forbidden(self.tr.lang))
    }
}

/// The session behind this request's cookie, if it is alive.
pub async fn session_of(console: &Arc<Console>, headers: &HeaderMap) -> Option<(String, Session)> {
    let token = cookie(headers, SESSION_COOKIE)?.to_owned();
    let t = token.clone();
    let now = now_ms();
    let found = console.read(move |c| sessions::find(c, &t, now)).await;
    match found {
        Ok(Some(s)) => {
            if now - s.last_seen > TOUCH_MS {
                let t = token.clone();
                if let Err(e) = console.write(move |c| sessions::touch(c, &t, now)).await {
                    tracing::error!(error = %e, "console: session not kept alive");
                }
            }
            Some((token, s))
        }
        Ok(None) => None,
        Err(e) => {
            tracing::error!(error = %e, "console: sessions not readable");
            None
        }
    }
}

#[axum::async_trait]
impl FromRequestParts<Arc<Console>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Arc<Console>) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers);
        let path = parts.uri.path().to_owned();
        let Some((_, session)) = session_of(console, &parts.headers).await else {
            if cookie(&parts.headers, SESSION_COOKIE).is_some() || path != "/" {
                tracing::info!(page = path, "console: no live session; to the login page");
            }
            return Err(PageError::Login(path_and_query(parts)).into_response());
        };
        if session.account.must_change && path != "/password" {
            return Err(PageError::ChangePassword.into_response());
        }
        Ok(Staff { session, tr: Tr { lang }, path, writer: console.writer.clone() })
    }
}

fn path_and_query(parts: &Parts) -> String {
    parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into())
}

/// Every POST must carry the CSRF token of its session (or, on the login
/// page, of its login cookie): in the form, or in the query string of a
/// file upload. Anything else is refused and logged before any handler
/// sees it.
pub async fn require_csrf(State(console): State<Arc<Console>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let lang = lang_of(&parts.headers);
    let path = parts.uri.path().to_owned();
    let (expected, who) = match session_of(&console, &parts.headers).await {
        Some((_, s)) => (Some(s.csrf), s.account.name),
        None if path == "/login" => (cookie(&parts.headers, LOGIN_COOKIE).map(str::to_owned), String::new()),
        None => (None, String::new()),
    };
    let from_query = parts.uri.query().and_then(|q| field(q.as_bytes(), "csrf"));
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (body, from_form) = if is_form {
        match axum::body::to_bytes(body, super::MAX_FORM_BYTES).await {
            Ok(bytes) => {
                let token = field(&bytes, "csrf");
                (axum::body::Body::from(bytes), token)
            }
            Err(_) => return PageError::BadRequest(lang, "form too large".into()).into_response(),
        }
    } else {
        (body, None)
    };
    let given = from_form.or(from_query);
    let ok = matches!((&expected, &given), (Some(e), Some(g)) if same(e, g));
    if !ok {
        let why = match (&expected, &given) {
            (None, _) => "no session",
            (_, None) => "no CSRF token",
            _ => "wrong CSRF token",
        };
        tracing::warn!(account = who, page = path, why, "console: form refused");
        if !who.is_empty() {
            let (w, p) = (who.clone(), path.clone());
            let logged = console
                .write(move |c| {
                    crate::staff::accounts::log(c, &w, "form refused", &format!("{p}: {why}"), now_ms())
                })
                .await;
            if let Err(e) = logged {
                tracing::error!(error = %e, "console: refusal not logged");
            }
        }
        return match expected {
            None if path != "/login" => PageError::Login(path).into_response(),
            _ => PageError::Forbidden(lang).into_response(),
        };
    }
    next.run(Request::from_parts(parts, body)).await
}

/// One field of a URL-encoded form or query string.
fn field(encoded: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(encoded).find_map(|(k, v)| (k == name).then(|| v.into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_fields_are_read_exactly() {
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, HeaderValue::from_static("a=1; kh_session=abc; kh_lang=en"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(cookie(&h, "kh"), None);
        assert_eq!(field(b"x=1&csrf=ab%20c", "csrf").as_deref(), Some("ab c"));
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
