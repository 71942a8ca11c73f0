//! Accounts on the web: sessions, the signed-in user ([`CurrentUser`]), CSRF protection for
//! every state-changing request ([`csrf_layer`]), rate limits, and the account and
//! administration pages ([`routes`]).
//!
//! How other modules use it:
//! - `user: CurrentUser` in a handler: signed-in only (anonymous pages get a redirect to
//!   `/login?next=…`, the API a 401); `Option<CurrentUser>` for pages anyone may see;
//!   `user.require(Role::Moderator)?` answers 403 in the user's language.
//! - Every form: `<input type="hidden" name="_csrf" value="{{ csrf }}">` with the token from
//!   `CurrentUser::csrf`, or from the [`CsrfToken`] extractor on anonymous forms. Scripts send it
//!   as the `X-CSRF-Token` header. Without it, POST/PUT/PATCH/DELETE get 403.
//! - [`FormFields`]: a urlencoded form that never rejects, so that a handler checks roles first
//!   (403) and then the fields (form errors on the page, status 422).
//! - `state.rate_limit(key, Limit::REGISTER_IP).await?` answers 429 when over the limit (the
//!   events are counted in the database, shared by every instance).
//! - Audit: `sozialatlas_accounts::audit(state.pool(), Some(user.id), "idea.hide", "idea:4", "")`.

mod admin;
mod csrf;
mod pages;
pub mod session;
pub mod text;

use std::net::{IpAddr, SocketAddr};

use axum::extract::{
    ConnectInfo, FromRequest, FromRequestParts, OptionalFromRequestParts, Request,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use sozialatlas_accounts::{Limit, Role, Status};
use sozialatlas_core::Locale;
use tower_sessions::Session;

pub use csrf::{CSRF_FIELD, CSRF_HEADER, csrf_layer};
pub use pages::{mail_link, site_name};
pub use session::session_layer;
pub use text::{AuthMsgs, auth_msgs, role_label};

use crate::AppState;
use crate::error::{AppError, locale_of_path};
use crate::routes::Routes;

/// Settings of accounts and sessions.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Mark the session cookie `Secure` (served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// A session ends after this long without a request.
    pub session_idle: time::Duration,
    /// A session ends this long after sign-in, active or not.
    pub session_max: time::Duration,
    /// The address of the site as users reach it (`https://atlas.example.org`), for links in
    /// mail. Without it, links are made from the request's `Host`.
    pub public_url: Option<String>,
    /// Take the client address for rate limits from `X-Forwarded-For` (set only behind a
    /// reverse proxy that overwrites that header).
    pub trust_proxy: bool,
    /// Show the demo accounts on the sign-in page (the embedded demo only).
    pub demo_accounts: bool,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            secure_cookies: false,
            session_idle: time::Duration::hours(2),
            session_max: time::Duration::hours(12),
            public_url: None,
            trust_proxy: false,
            demo_accounts: false,
        }
    }
}

/// Accounts state held by the application.
#[derive(Debug)]
pub struct AuthState {
    pub config: AuthConfig,
}

impl AuthState {
    pub fn new(config: AuthConfig) -> Self {
        AuthState { config }
    }
}

/// `Err(429)` when `over` says the limit is reached (`Some(wait)`).
/// How long a sign-in refused for being over a limit waits before its 429 answer.
pub const TARPIT: std::time::Duration = std::time::Duration::from_secs(1);

/// How long a sign-in waits for its turn while the places left under a limit are held by
/// sign-ins being checked.
pub const IN_FLIGHT_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// The 429 answer: try again after `wait` (at least a second).
fn too_many(wait: std::time::Duration) -> AppError {
    AppError::TooManyRequests(wait.as_secs().max(1))
}

pub(crate) fn limited(over: Option<std::time::Duration>) -> Result<(), AppError> {
    match over {
        Some(wait) => Err(too_many(wait)),
        None => Ok(()),
    }
}

impl AppState {
    /// Counts an event for `key` against `limit`; `Err` is a 429 page when over it. Keys are
    /// namespaced by what they limit: `format!("register-ip:{ip}")`.
    pub async fn rate_limit(&self, key: &str, limit: Limit) -> Result<(), AppError> {
        limited(sozialatlas_accounts::ratelimit::hit(self.pool(), key, limit).await?)
    }

    /// Counts an attempt against every `(key, limit)` before the work it limits (checking a
    /// password), so that concurrent attempts cannot all pass a limit's last free place
    /// (attempts whose places are held by others in flight wait up to [`IN_FLIGHT_PATIENCE`]
    /// for their turn). Over a limit, the answer is a 429 page, sent after [`TARPIT`]: a
    /// client guessing passwords gets one answer a second, not thousands. Release the attempt
    /// when it does not count, settle it when it does.
    pub async fn reserve_attempt(
        &self,
        keys: &[(&str, Limit)],
    ) -> Result<sozialatlas_accounts::ratelimit::Reservation, AppError> {
        use sozialatlas_accounts::ratelimit;
        match ratelimit::reserve_within(self.pool(), keys, IN_FLIGHT_PATIENCE).await? {
            Ok(attempt) => Ok(attempt),
            Err(wait) => {
                tokio::time::sleep(TARPIT).await;
                Err(too_many(wait))
            }
        }
    }
}

/// Session keys.
pub(crate) const SESSION_USER: &str = "uid";
pub(crate) const SESSION_CSRF: &str = "_csrf";
/// Sign-in time, Unix milliseconds.
pub(crate) const SESSION_AUTH_AT: &str = "auth_at";

/// The signed-in user. As an extractor: a redirect to the sign-in page for anonymous page
/// requests, 401 for the API. Use `Option<CurrentUser>` where anonymous visitors are welcome.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub roles: Vec<Role>,
    /// The CSRF token for this user's forms (`_csrf` field or `X-CSRF-Token` header).
    pub csrf: String,
}

impl CurrentUser {
    /// Whether the user holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// `Ok` if the user holds `role`, else a 403 page in the user's language.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.has(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Denied::Role))
        }
    }

    /// `Ok` if the user holds any of `roles`, else 403.
    pub fn require_any(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.iter().any(|r| self.has(*r)) {
            Ok(())
        } else {
            Err(AppError::Forbidden(Denied::Role))
        }
    }
}

/// Why a request was refused with 403.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// The user lacks the role.
    Role,
    /// The CSRF token is missing or wrong.
    Csrf,
}

impl Denied {
    /// The message in a language.
    pub fn message(self, locale: Locale) -> &'static str {
        let t = auth_msgs(locale);
        match self {
            Denied::Role => t.forbidden_role,
            Denied::Csrf => t.forbidden_csrf,
        }
    }
}

/// The original path of a request (with `/en`, which nesting strips from `parts.uri`).
pub(crate) fn original_uri(parts: &Parts) -> axum::http::Uri {
    parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.clone(), |o| o.0.clone())
}

/// A local path that is safe to redirect to after sign-in (no other host).
pub(crate) fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next.len() < 2000
        && !next.chars().any(char::is_control))
    .then_some(next)
}

/// The random token of a form: 32 bytes as hex.
pub(crate) fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The session's CSRF token, created if missing.
pub(crate) async fn session_csrf(session: &Session) -> Result<String, AppError> {
    match session.get::<String>(SESSION_CSRF).await {
        Ok(Some(t)) => Ok(t),
        _ => {
            let t = random_token();
            session.insert(SESSION_CSRF, &t).await?;
            Ok(t)
        }
    }
}

async fn load_user(parts: &mut Parts, state: &AppState) -> Result<Option<CurrentUser>, AppError> {
    if let Some(u) = parts.extensions.get::<Option<CurrentUser>>() {
        return Ok(u.clone());
    }
    let Some(session) = parts.extensions.get::<Session>().cloned() else {
        return Ok(None);
    };
    let uid = session.get::<i64>(SESSION_USER).await.ok().flatten();
    let user = match uid {
        None => None,
        Some(uid) => {
            let auth_at = session
                .get::<i64>(SESSION_AUTH_AT)
                .await
                .ok()
                .flatten()
                .unwrap_or(0);
            let fresh = sozialatlas_accounts::now_millis() - auth_at
                <= state.auth().config.session_max.whole_milliseconds() as i64;
            let u = sozialatlas_accounts::get_user(state.pool(), uid).await?;
            match u {
                Some(u)
                    if fresh
                        && u.status == Status::Active
                        && u.credentials_changed_at.is_none_or(|c| auth_at >= c) =>
                {
                    Some(CurrentUser {
                        id: u.id,
                        display_name: u.display_name,
                        email: u.email.unwrap_or_default(),
                        roles: u.roles,
                        csrf: session_csrf(&session).await?,
                    })
                }
                _ => {
                    // Blocked, deleted or expired: the session ends here.
                    let _ = session.flush().await;
                    None
                }
            }
        }
    };
    parts.extensions.insert(user.clone());
    Ok(user)
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        load_user(parts, state).await
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match load_user(parts, state).await {
            Ok(Some(u)) => Ok(u),
            Ok(None) => {
                let uri = original_uri(parts);
                let path = uri.path();
                if path.starts_with("/api/") {
                    return Err(AppError::Unauthorized.into_response());
                }
                let locale = locale_of_path(path);
                let next = uri.path_and_query().map_or(path, |p| p.as_str());
                let login = format!(
                    "{}/login?next={}",
                    crate::i18n::prefix(locale),
                    form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
                );
                Err(Redirect::to(&login).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// The CSRF token for an anonymous form (sign-in, registration): creates a session if needed.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        let session = parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::Internal("no session layer".into()))?;
        Ok(CsrfToken(session_csrf(&session).await?))
    }
}

/// The client's address, for rate limits: the connection's, or with `trust_proxy` the last
/// address in `X-Forwarded-For` (the one the proxy added).
pub fn client_ip(
    parts_ext: &axum::http::Extensions,
    headers: &HeaderMap,
    state: &AppState,
) -> String {
    if state.auth().config.trust_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return ip.to_string();
    }
    parts_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string())
}

/// The client address as an extractor.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(
            &parts.extensions,
            &parts.headers,
            state,
        )))
    }
}

/// The fields of a urlencoded form. Never rejects: a missing or malformed body is an empty
/// form, so the handler decides (roles first, then form errors on the page).
#[derive(Clone, Debug, Default)]
pub struct FormFields(pub Vec<(String, String)>);

impl FormFields {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Parses a urlencoded body.
    pub fn parse(body: &[u8]) -> Self {
        FormFields(form_urlencoded::parse(body).into_owned().collect())
    }
}

/// Forms on these pages are small.
const FORM_LIMIT: usize = 256 * 1024;

impl<S: Send + Sync> FromRequest<S> for FormFields {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> Result<Self, AppError> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let body = axum::body::to_bytes(req.into_body(), FORM_LIMIT)
            .await
            .map_err(|_| AppError::BadParam {
                param: "form".into(),
                value: "too large".into(),
                expected: format!("at most {FORM_LIMIT} bytes"),
            })?;
        Ok(if is_form {
            FormFields::parse(&body)
        } else {
            FormFields::default()
        })
    }
}

/// One section of the account data export contributed by another module: it returns
/// everything that module stores about the user (`fn(pool, user_id)`).
pub type ExportSection = for<'a> fn(
    &'a sozialatlas_store::Pool,
    i64,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<serde_json::Value, String>> + Send + 'a>,
>;

/// The sections of `/account/export` beside the account's own, as (name, function). A module
/// that stores personal data (participation, offices) adds its line here.
pub(crate) const EXPORT_SECTIONS: &[(&str, ExportSection)] = &[];

/// Marks a response as personal: never stored by the response cache or by browsers' caches.
pub fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn no_store_layer(r: Response) -> Response {
    no_store(r)
}

/// The account and administration pages (relative to the locale prefix).
pub fn routes() -> Routes {
    Routes::new()
        .get("/login", pages::login_form)
        .post("/login", pages::login)
        .post("/logout", pages::logout)
        .get("/register", pages::register_form)
        .post("/register", pages::register)
        .get("/confirm/{token}", pages::confirm_form)
        .post("/confirm/{token}", pages::confirm)
        .get("/password/forgot", pages::forgot_form)
        .post("/password/forgot", pages::forgot)
        .get("/password/reset/{token}", pages::reset_form)
        .post("/password/reset/{token}", pages::reset)
        .get("/account", pages::account)
        .get("/account/export", pages::export)
        .post("/account/name", pages::change_name)
        .post("/account/notify", pages::change_notify)
        .post("/account/password", pages::change_password)
        .post("/account/delete", pages::delete_account)
        .get("/admin/users", admin::users)
        .post("/admin/users/{id}/roles", admin::user_roles)
        .post("/admin/users/{id}/status", admin::user_status)
        .get("/admin/audit", admin::audit)
        .get("/admin/outbox", admin::outbox)
        .map_router(|r| r.layer(axum::middleware::map_response(no_store_layer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--trust-proxy`: the client is the last `X-Forwarded-For` entry (the one the proxy
    /// added, not one the client sent along); without it, or without a valid entry, the
    /// connection's address.
    #[tokio::test]
    async fn client_ip_behind_a_proxy() {
        let (snap, pool) = sozialatlas_test_support::example_store("flensburg").await;
        let mut ext = axum::http::Extensions::new();
        ext.insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 5000))));
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.9, 203.0.113.7"),
        );
        let direct = AppState::new(snap.clone(), pool.clone());
        assert_eq!(client_ip(&ext, &headers, &direct), "127.0.0.1");
        let proxied = AppState::with_auth(
            snap,
            pool,
            AuthConfig {
                trust_proxy: true,
                ..Default::default()
            },
        );
        assert_eq!(client_ip(&ext, &headers, &proxied), "203.0.113.7");
        headers.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(client_ip(&ext, &headers, &proxied), "127.0.0.1");
        assert_eq!(client_ip(&ext, &HeaderMap::new(), &proxied), "127.0.0.1");
    }
}
