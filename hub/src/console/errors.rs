//! How a console page says no: to the login page, to the password page,
//! "not allowed", "not found", "bad request", or a store failure (logged,
//! and shown without its details).

use super::i18n::{Lang, Tr};
use super::pages::render;
use crate::store::StoreError;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub enum PageError {
    /// No live session: log in, then come back to this page.
    Login(String),
    /// The one-time password must be changed first.
    ChangePassword,
    Forbidden(Lang),
    NotFound(Lang),
    BadRequest(Lang, String),
    Store(StoreError),
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        PageError::Store(e)
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    t: Tr,
    nav: Option<super::pages::Nav>,
    title: &'a str,
    text: String,
}

/// A redirect after a form or to another page (303: GET the target).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response()
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let lang = match &self {
            PageError::Forbidden(l) | PageError::NotFound(l) | PageError::BadRequest(l, _) => *l,
            _ => Lang::Zh,
        };
        let t = Tr { lang };
        let (status, title, text) = match self {
            PageError::Login(next) => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                return see_other(&format!("/login?next={next}"));
            }
            PageError::ChangePassword => return see_other("/password"),
            PageError::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                t.s("不允许"),
                t.s("您的账号没有这项权限，或表单已过期；请返回重试。").to_owned(),
            ),
            PageError::NotFound(_) => {
                (StatusCode::NOT_FOUND, t.s("找不到"), t.s("没有这个页面或记录。").to_owned())
            }
            PageError::BadRequest(_, why) => (StatusCode::BAD_REQUEST, t.s("请求有误"), why),
            PageError::Store(e) => {
                tracing::error!(error = %e, "console: store failure");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    t.s("出错了"),
                    t.s("数据暂时无法读写，请稍后重试。").to_owned(),
                )
            }
        };
        (status, render(&MessagePage { t, nav: None, title, text })).into_response()
    }
}
