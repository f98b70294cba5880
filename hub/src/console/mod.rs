//! The staff console: the centre's web app, served by `hub serve` on its own
//! address (default `127.0.0.1:8080`). HTML is rendered on the server
//! (askama templates in `hub/console/templates/`, checked at compile time),
//! every page works without JavaScript, and nothing is loaded from outside
//! the hub. Handlers are thin: they call the same library functions as the
//! `hub` command line, through the store's single writer.
//!
//! Security: staff log in ([`crate::staff`]); sessions live in HttpOnly,
//! SameSite=Strict cookies (Secure on HTTPS and on this machine); every
//! POST carries its session's CSRF token ([`auth::require_csrf`]); every
//! page and action checks the account's role; refusals are logged.

pub mod auth;
pub mod errors;
pub mod i18n;
pub mod pages;
pub mod state;
#[cfg(test)]
mod tests;

use crate::fleet::county_ca::TlsFiles;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use state::Console;
use std::net::SocketAddr;
use std::sync::Arc;

/// The largest URL-encoded form accepted.
pub const MAX_FORM_BYTES: usize = 1 << 20;

/// How the console is served.
#[derive(Clone, Debug)]
pub struct ConsoleOptions {
    pub listen: SocketAddr,
    /// HTTPS with the broker certificate `hub fleet tls` made (`<data>/tls/`).
    pub tls: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(
        "the console on {0} would send passwords across the network in clear: add --web-tls (the certificate `hub fleet tls --host <this machine's name>` makes), or keep it on 127.0.0.1"
    )]
    PlainOnNetwork(SocketAddr),
    #[error("the console cannot listen on {addr}: {source} (choose another with --web, or --no-web)")]
    Listen { addr: SocketAddr, source: std::io::Error },
    #[error(
        "--web-tls needs the broker certificate {}; make it with `hub fleet tls --host <the name staff type>`",
        .0.display()
    )]
    NoCertificate(std::path::PathBuf),
    #[error(transparent)]
    Tls(#[from] county_tls::TlsError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Every page and action of the console.
pub fn router(console: Arc<Console>) -> Router {
    Router::new()
        .route("/", get(pages::home::show))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/password", get(pages::login::password_form).post(pages::login::change_password))
        .route("/lang/:code", get(pages::login::set_language))
        .route("/tickets", get(pages::tickets::queue))
        .route("/tickets/rows", get(pages::tickets::live_rows))
        .route("/tickets/:no", get(pages::tickets::show))
        .route("/tickets/:no/reveal", post(pages::tickets::reveal))
        .route("/tickets/:no/:action", post(pages::tickets::act))
        .route("/training", get(pages::training::sessions_page))
        .route("/training/:session", get(pages::training::roster))
        .route("/training/:session/reveal", post(pages::training::reveal))
        .route("/training/:session/attend", post(pages::training::attend))
        .route("/training/:session/cancel/:signup", post(pages::training::cancel))
        .route("/fleet", get(pages::fleet::show))
        .route("/fleet/new", post(pages::fleet::new_kiosk))
        .route("/fleet/:kid/command", post(pages::fleet::command))
        .route("/fleet/:kid/screenshot", get(pages::fleet::screenshot))
        .route("/fleet/:kid/rotate", post(pages::fleet::rotate))
        .route("/fleet/:kid/revoke", post(pages::fleet::revoke))
        .route("/catalog", get(pages::catalog::show))
        .route(
            "/catalog/upload",
            post(pages::catalog::upload)
                .layer(axum::extract::DefaultBodyLimit::max(pages::catalog::MAX_UPLOAD_BYTES)),
        )
        .route("/catalog/drafts/:id", get(pages::catalog::draft))
        .route("/catalog/drafts/:id/publish", post(pages::catalog::publish))
        .route("/catalog/promote", post(pages::catalog::promote))
        .route("/catalog/versions/:v", get(pages::catalog::version))
        .route("/catalog/diff", get(pages::catalog::diff))
        .route("/reports", get(pages::reports::show))
        .route("/reports/download", get(pages::reports::download))
        .route("/calendar", get(pages::calendar::show))
        .route("/calendar/preview", post(pages::calendar::preview))
        .route("/calendar/save", post(pages::calendar::save))
        .route("/health", get(health))
        .route("/static/console.css", get(stylesheet))
        .route("/static/live.js", get(live_script))
        .layer(axum::middleware::from_fn_with_state(console.clone(), auth::require_csrf))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(console)
}

/// For monitoring, without a login: 200 while the store writes, 503 with
/// the reason while the disk is full.
async fn health(State(console): State<Arc<Console>>) -> Response {
    match console.health.disk_full_since() {
        None => (StatusCode::OK, "ok\n").into_response(),
        Some(since) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "disk full since {}: nothing new is acknowledged, kiosks keep their events; free space under {}\n",
                protocol::county_time::second_text(since),
                console.data.root().display()
            ),
        )
            .into_response(),
    }
}

async fn stylesheet() -> Response {
    static CSS: &str = include_str!("../../console/static/console.css");
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], CSS)
        .into_response()
}

async fn live_script() -> Response {
    static JS: &str = include_str!("../../console/static/live.js");
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "max-age=3600")], JS)
        .into_response()
}

/// Pages load only from the hub, cannot be framed, and are never cached.
async fn security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// A 404 in the console's own words.
pub async fn not_found(headers: axum::http::HeaderMap) -> Response {
    errors::PageError::NotFound(auth::lang_of(&headers)).into_response()
}

/// Bind the console (checked before the hub starts anything else): plain
/// HTTP only on a loopback address.
pub fn bind(opts: &ConsoleOptions, data: &std::path::Path) -> Result<Bound, ConsoleError> {
    if !opts.tls && !opts.listen.ip().is_loopback() {
        return Err(ConsoleError::PlainOnNetwork(opts.listen));
    }
    let certificate = if opts.tls {
        let files = TlsFiles::in_data_dir(data);
        if !files.server_cert().exists() {
            return Err(ConsoleError::NoCertificate(files.server_cert()));
        }
        Some(county_tls::ServerCertificate::load(&files.server_cert(), &files.server_key())?)
    } else {
        None
    };
    let listener = std::net::TcpListener::bind(opts.listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| ConsoleError::Listen { addr: opts.listen, source })?;
    Ok(Bound { listener, certificate })
}

/// A bound console listener, ready to serve.
pub struct Bound {
    listener: std::net::TcpListener,
    certificate: Option<county_tls::ServerCertificate>,
}

impl Bound {
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn is_tls(&self) -> bool {
        self.certificate.is_some()
    }

    /// Serve until the task is dropped.
    pub async fn serve(self, console: Arc<Console>) -> std::io::Result<()> {
        let app = router(console).fallback(not_found);
        let listener = tokio::net::TcpListener::from_std(self.listener)?;
        match self.certificate {
            None => axum::serve(listener, app).await,
            Some(certificate) => serve_tls(listener, app, certificate).await,
        }
    }
}

/// HTTPS: each connection's handshake in a task of its own with a deadline
/// (a client that never speaks holds no one back), then HTTP/1.1 or 2.
async fn serve_tls(
    listener: tokio::net::TcpListener,
    app: Router,
    mut certificate: county_tls::ServerCertificate,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::service::TowerToHyperService;
    loop {
        let (tcp, peer) = listener.accept().await?;
        let acceptor = tokio_rustls::TlsAcceptor::from(certificate.current());
        let app = app.clone();
        tokio::spawn(async move {
            let tls =
                match tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(e)) => return tracing::debug!(%peer, error = %e, "console: TLS handshake failed"),
                    Err(_) => return tracing::debug!(%peer, "console: TLS handshake timed out"),
                };
            let served = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), TowerToHyperService::new(app))
                .await;
            if let Err(e) = served {
                tracing::debug!(%peer, error = %e, "console: connection ended");
            }
        });
    }
}
