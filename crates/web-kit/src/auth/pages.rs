//! The account pages: sign-in, sign-out, registration with e-mail confirmation, password reset,
//! and the own account (data, export, name, password, deletion).

use askama::Template;
use axum::extract::{OriginalUri, Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sozialatlas_accounts::demo::DEMO_ACCOUNTS;
use sozialatlas_accounts::{
    AccountError, Limit, LoginOutcome, Registration, Role, TokenPurpose, tokens,
};
use sozialatlas_core::Locale;
use tower_sessions::Session;

use super::text::{self, AuthMsgs, auth_msgs, role_label};
use super::{
    ClientIp, CsrfToken, CurrentUser, FormFields, SESSION_AUTH_AT, SESSION_CSRF, SESSION_USER,
    random_token, safe_next,
};
use crate::AppState;
use crate::error::AppError;
use crate::form::{Ctx, FieldErrors, FormPage, form_page, see_other};
use crate::i18n::prefix;
use crate::layout::{Layout, personal_page};

fn layout(state: &AppState, locale: Locale, title: &str, uri: &OriginalUri) -> Layout {
    Layout::new(state, locale, title, uri.0.path(), uri.0.query())
}

/// The site's name for mail.
pub fn site_name(state: &AppState, locale: Locale) -> String {
    state.snapshot().meta.name.get(locale).to_string()
}

/// An absolute link for mail: the configured public address, or the path alone.
pub fn mail_link(state: &AppState, locale: Locale, path: &str) -> String {
    let base = state
        .auth()
        .config
        .public_url
        .as_deref()
        .unwrap_or("")
        .trim_end_matches('/');
    format!("{base}{}{path}", prefix(locale))
}

/// Notices shown after a redirect (`?notice=…`): fixed keys only.
#[derive(Debug, Default, Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    next: String,
}

fn notice_text(t: &'static AuthMsgs, key: &str) -> &'static str {
    match key {
        "confirmed" => t.confirmed_notice,
        "reset" => t.reset_notice,
        "name" => t.name_changed,
        "notify-on" => t.notify_on,
        "notify-off" => t.notify_off,
        "password" => t.password_changed,
        "role-added" => t.role_added,
        "role-removed" => t.role_removed,
        "blocked" => t.blocked_notice,
        "unblocked" => t.unblocked_notice,
        _ => "",
    }
}

// ------------------------------------------------------------------------------- sign-in

pub struct DemoRow {
    pub email: &'static str,
    pub password: &'static str,
    pub role: &'static str,
}

#[derive(Template)]
#[template(path = "account/login.html")]
struct LoginPage {
    l: Layout,
    t: &'static AuthMsgs,
    p: &'static str,
    csrf: String,
    next: String,
    email: String,
    errors: FieldErrors,
    notice: &'static str,
    demo: Vec<DemoRow>,
}

impl FormPage for LoginPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

#[allow(clippy::too_many_arguments)]
fn login_page(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    csrf: String,
    next: String,
    email: String,
    errors: FieldErrors,
    notice: &'static str,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let demo = if state.auth().config.demo_accounts {
        DEMO_ACCOUNTS
            .iter()
            .map(|a| DemoRow {
                email: a.email,
                password: a.password,
                role: role_label(a.role, locale),
            })
            .collect()
    } else {
        Vec::new()
    };
    form_page(&LoginPage {
        l: layout(state, locale, t.login_title, uri),
        t,
        p: prefix(locale),
        csrf,
        next,
        email,
        errors,
        notice,
        demo,
    })
}

/// `GET /login`.
pub async fn login_form(
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
    CsrfToken(csrf): CsrfToken,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(&q.next).unwrap_or("").to_string();
    if user.is_some() {
        let to = if next.is_empty() {
            format!("{}/account", prefix(locale))
        } else {
            next
        };
        return Ok(see_other(&to));
    }
    let t = auth_msgs(locale);
    login_page(
        &state,
        locale,
        &uri,
        csrf,
        next,
        String::new(),
        FieldErrors::new(),
        notice_text(t, &q.notice),
    )
}

/// `POST /login`: 303 to `next` (or the account page) on success; the form with its error
/// (422; a failed sign-in is an error of the e-mail field) on failure; 429 after too many
/// failures from one address, or on one account from browsers it has never signed in from
/// (a browser it has signed in from has its own limit: see `sozialatlas_accounts::devices`).
pub async fn login(
    Ctx(state, locale, uri, _): Ctx<()>,
    ClientIp(ip): ClientIp,
    session: Session,
    headers: HeaderMap,
    form: FormFields,
) -> Result<Response, AppError> {
    use sozialatlas_accounts::{devices, ratelimit};
    let t = auth_msgs(locale);
    let email = form.get("email").trim().to_string();
    let password = form.get("password");
    let next = safe_next(form.get("next")).unwrap_or("").to_string();
    let csrf = super::session_csrf(&session).await?;
    let mut errors = FieldErrors::new();
    if email.is_empty() {
        errors.add("email", t.required);
    }
    if password.is_empty() {
        errors.add("password", t.required);
    }
    if errors.any() {
        return login_page(&state, locale, &uri, csrf, next, email, errors, "");
    }
    let pool = state.pool();
    let device = device_cookie(&headers);
    let known = match device {
        Some(token) => devices::knows(pool, token, &email).await?,
        None => false,
    };
    let ip_key = format!("login-ip:{ip}");
    // Failures from a browser the account knows count against that browser; others against
    // the account.
    let (limit_key, limit) = match device {
        Some(token) if known => (devices::device_key(token), Limit::LOGIN_DEVICE),
        _ => (
            format!("login-account:{}", email.to_lowercase()),
            Limit::LOGIN_ACCOUNT,
        ),
    };
    // The attempt counts as a failure before the password is checked, so that concurrent
    // guesses cannot all pass a limit's last free place; it is taken back unless it failed.
    let keys = [
        (ip_key.as_str(), Limit::LOGIN_IP),
        (limit_key.as_str(), limit),
    ];
    let attempt = state.reserve_attempt(&keys).await?;
    let outcome = sozialatlas_accounts::authenticate(pool, &email, password).await?;
    if matches!(outcome, LoginOutcome::BadCredentials) {
        ratelimit::settle(pool, attempt).await?;
    } else {
        ratelimit::release(pool, attempt).await?;
    }
    let message = match outcome {
        LoginOutcome::Success(u) => {
            if known {
                ratelimit::clear(pool, &limit_key).await?;
            }
            let token = devices::remember_device(pool, u.id, device).await?;
            // A new session id at sign-in (no fixation), and a new CSRF token.
            session.cycle_id().await?;
            session.insert(SESSION_USER, u.id).await?;
            session
                .insert(SESSION_AUTH_AT, sozialatlas_accounts::now_millis())
                .await?;
            session.insert(SESSION_CSRF, random_token()).await?;
            let to = if next.is_empty() {
                format!("{}/account", prefix(locale))
            } else {
                next
            };
            let mut r = see_other(&to);
            r.headers_mut().append(
                header::SET_COOKIE,
                device_set_cookie(&token, state.auth().config.secure_cookies),
            );
            return Ok(r);
        }
        LoginOutcome::BadCredentials => t.login_failed,
        LoginOutcome::Unconfirmed(_) => t.login_unconfirmed,
        LoginOutcome::Blocked => t.login_blocked,
    };
    login_page(
        &state,
        locale,
        &uri,
        csrf,
        next,
        email,
        FieldErrors::one("email", message),
        "",
    )
}

/// The cookie that marks a browser an account has signed in from.
pub const DEVICE_COOKIE: &str = "sa_device";

/// The device token the browser shows, if any (64 hex digits; anything else is ignored).
fn device_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == DEVICE_COOKIE)
        .map(|(_, v)| v)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` for the device token: a year, this site only, never read by scripts.
fn device_set_cookie(token: &str, secure: bool) -> HeaderValue {
    let days = sozialatlas_accounts::devices::KNOWN_FOR_DAYS;
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{DEVICE_COOKIE}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        days * 24 * 3600
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// `POST /logout`: ends the session; 303 to the start page.
pub async fn logout(Ctx(_, locale, _, _): Ctx<()>, session: Session) -> Result<Response, AppError> {
    session.flush().await?;
    Ok(see_other(&format!("{}/", prefix(locale))))
}

// --------------------------------------------------------------------------- registration

#[derive(Template)]
#[template(path = "account/register.html")]
struct RegisterPage {
    l: Layout,
    t: &'static AuthMsgs,
    p: &'static str,
    csrf: String,
    email: String,
    display_name: String,
    errors: FieldErrors,
}

impl FormPage for RegisterPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// A page with a heading, a text and an optional link.
#[derive(Template)]
#[template(path = "account/notice.html")]
pub(crate) struct NoticePage {
    pub l: Layout,
    pub heading: &'static str,
    pub text: &'static str,
    pub link: String,
    pub link_text: &'static str,
}

/// `GET /register`.
pub async fn register_form(
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, AppError> {
    if user.is_some() {
        return Ok(see_other(&format!("{}/account", prefix(locale))));
    }
    let t = auth_msgs(locale);
    form_page(&RegisterPage {
        l: layout(&state, locale, t.register_title, &uri),
        t,
        p: prefix(locale),
        csrf,
        email: String::new(),
        display_name: String::new(),
        errors: FieldErrors::new(),
    })
}

/// The honeypot field: hidden from people, filled in by form-filling robots.
pub const HONEYPOT: &str = "website";

/// `POST /register`: the same answer whether or not the address has an account (the owner of
/// an existing one gets a mail instead); a filled honeypot gets that answer too, and nothing
/// happens.
pub async fn register(
    Ctx(state, locale, uri, _): Ctx<()>,
    ClientIp(ip): ClientIp,
    session: Session,
    form: FormFields,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let done = || {
        personal_page(
            &NoticePage {
                l: layout(&state, locale, t.register_done_title, &uri),
                heading: t.register_done_title,
                text: t.register_done_text,
                link: format!("{}/login", prefix(locale)),
                link_text: t.login_title,
            },
            StatusCode::OK,
        )
    };
    if !form.get(HONEYPOT).is_empty() {
        tracing::info!(ip, "registration with a filled honeypot ignored");
        return done();
    }
    state
        .rate_limit(&format!("register-ip:{ip}"), Limit::REGISTER_IP)
        .await?;
    let email = form.get("email").trim().to_string();
    let name = form.get("display_name").trim().to_string();
    let password = form.get("password");
    let mut errors = FieldErrors::new();
    if sozialatlas_accounts::check_email(&email).is_err() {
        errors.add("email", t.email_invalid);
    }
    if sozialatlas_accounts::check_display_name(&name).is_err() {
        errors.add("display_name", t.display_name_invalid);
    }
    if sozialatlas_accounts::password::check_new_password(password, &email).is_err() {
        errors.add("password", t.password_invalid);
    } else if password != form.get("password2") {
        errors.add("password2", t.passwords_differ);
    }
    if errors.any() {
        return form_page(&RegisterPage {
            l: layout(&state, locale, t.register_title, &uri),
            t,
            p: prefix(locale),
            csrf: super::session_csrf(&session).await?,
            email,
            display_name: name,
            errors,
        });
    }
    let pool = state.pool();
    let site = site_name(&state, locale);
    match sozialatlas_accounts::register(pool, &email, &name, password, locale.code()).await {
        Ok(Registration::Created(id)) => {
            let token = tokens::issue_token(pool, id, TokenPurpose::Confirm).await?;
            let link = mail_link(&state, locale, &format!("/confirm/{token}"));
            let (subject, body) = text::confirm_mail(locale, &name, &link, &site);
            sozialatlas_accounts::queue_mail(pool, Some(id), &email, &subject, &body).await?;
        }
        Ok(Registration::Exists(id)) => {
            let link = mail_link(&state, locale, "/password/forgot");
            let (subject, body) = text::exists_mail(locale, &link, &site);
            sozialatlas_accounts::queue_mail(pool, Some(id), &email, &subject, &body).await?;
        }
        Err(AccountError::Invalid { .. }) => {
            return Err(AppError::BadParam {
                param: "form".into(),
                value: String::new(),
                expected: "valid registration data".into(),
            });
        }
        Err(e) => return Err(e.into()),
    }
    done()
}

// --------------------------------------------------------------------------- confirmation

#[derive(Template)]
#[template(path = "account/confirm.html")]
struct ConfirmPage {
    l: Layout,
    t: &'static AuthMsgs,
    csrf: String,
    action: String,
}

fn invalid_link(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    again: &str,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    personal_page(
        &NoticePage {
            l: layout(state, locale, t.link_invalid_title, uri),
            heading: t.link_invalid_title,
            text: t.link_invalid_text,
            link: format!("{}{again}", prefix(locale)),
            link_text: if again.starts_with("/password") {
                t.forgot_title
            } else {
                t.register_title
            },
        },
        StatusCode::NOT_FOUND,
    )
}

/// `GET /confirm/{token}`: a button that confirms (a GET never changes anything, so mail
/// scanners that open links confirm nothing).
pub async fn confirm_form(
    Ctx(state, locale, uri, _): Ctx<()>,
    Path(token): Path<String>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, AppError> {
    let valid = tokens::peek_token(state.pool(), &token, TokenPurpose::Confirm).await?;
    if valid.is_none() {
        return invalid_link(&state, locale, &uri, "/register");
    }
    let t = auth_msgs(locale);
    personal_page(
        &ConfirmPage {
            l: layout(&state, locale, t.confirm_title, &uri),
            t,
            csrf,
            action: uri.0.path().to_string(),
        },
        StatusCode::OK,
    )
}

/// `POST /confirm/{token}`: activates the account; 303 to the sign-in page.
pub async fn confirm(
    Ctx(state, locale, uri, _): Ctx<()>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let pool = state.pool();
    match tokens::consume_token(pool, &token, TokenPurpose::Confirm).await? {
        Some(uid) => {
            sozialatlas_accounts::confirm_user(pool, uid).await?;
            Ok(see_other(&format!(
                "{}/login?notice=confirmed",
                prefix(locale)
            )))
        }
        None => invalid_link(&state, locale, &uri, "/register"),
    }
}

// ------------------------------------------------------------------------- password reset

#[derive(Template)]
#[template(path = "account/forgot.html")]
struct ForgotPage {
    l: Layout,
    t: &'static AuthMsgs,
    p: &'static str,
    csrf: String,
    email: String,
    errors: FieldErrors,
}

impl FormPage for ForgotPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// `GET /password/forgot`.
pub async fn forgot_form(
    Ctx(state, locale, uri, _): Ctx<()>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    form_page(&ForgotPage {
        l: layout(&state, locale, t.forgot_title, &uri),
        t,
        p: prefix(locale),
        csrf,
        email: String::new(),
        errors: FieldErrors::new(),
    })
}

/// `POST /password/forgot`: the same answer, at once, whether or not the address has an
/// account; the lookup and the mail happen after the answer (no enumeration by content or
/// timing).
pub async fn forgot(
    Ctx(state, locale, uri, _): Ctx<()>,
    ClientIp(ip): ClientIp,
    session: Session,
    form: FormFields,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    state
        .rate_limit(&format!("reset-ip:{ip}"), Limit::RESET_IP)
        .await?;
    let email = form.get("email").trim().to_string();
    if sozialatlas_accounts::check_email(&email).is_err() {
        return form_page(&ForgotPage {
            l: layout(&state, locale, t.forgot_title, &uri),
            t,
            p: prefix(locale),
            csrf: super::session_csrf(&session).await?,
            email,
            errors: FieldErrors::one("email", t.email_invalid),
        });
    }
    let st = state.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset(&st, locale, &email).await {
            tracing::error!("password reset mail: {e}");
        }
    });
    personal_page(
        &NoticePage {
            l: layout(&state, locale, t.forgot_done_title, &uri),
            heading: t.forgot_done_title,
            text: t.forgot_done_text,
            link: format!("{}/login", prefix(locale)),
            link_text: t.login_title,
        },
        StatusCode::OK,
    )
}

async fn send_reset(state: &AppState, locale: Locale, email: &str) -> Result<(), AccountError> {
    let pool = state.pool();
    let Some(u) = sozialatlas_accounts::find_user_by_email(pool, email).await? else {
        return Ok(());
    };
    if !matches!(
        u.status,
        sozialatlas_accounts::Status::Active | sozialatlas_accounts::Status::Unconfirmed
    ) {
        return Ok(());
    }
    let token = tokens::issue_token(pool, u.id, TokenPurpose::Reset).await?;
    let link = mail_link(state, locale, &format!("/password/reset/{token}"));
    let (subject, body) = text::reset_mail(locale, &link, &site_name(state, locale));
    sozialatlas_accounts::queue_mail(
        pool,
        Some(u.id),
        u.email.as_deref().unwrap_or(email),
        &subject,
        &body,
    )
    .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "account/reset.html")]
struct ResetPage {
    l: Layout,
    t: &'static AuthMsgs,
    csrf: String,
    action: String,
    errors: FieldErrors,
}

impl FormPage for ResetPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// `GET /password/reset/{token}`.
pub async fn reset_form(
    Ctx(state, locale, uri, _): Ctx<()>,
    Path(token): Path<String>,
    CsrfToken(csrf): CsrfToken,
) -> Result<Response, AppError> {
    if tokens::peek_token(state.pool(), &token, TokenPurpose::Reset)
        .await?
        .is_none()
    {
        return invalid_link(&state, locale, &uri, "/password/forgot");
    }
    reset_page(&state, locale, &uri, csrf, FieldErrors::new())
}

fn reset_page(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    csrf: String,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    form_page(&ResetPage {
        l: layout(state, locale, t.reset_title, uri),
        t,
        csrf,
        action: uri.0.path().to_string(),
        errors,
    })
}

/// `POST /password/reset/{token}`: sets the password (ending every other session), confirms
/// the address, 303 to the sign-in page.
pub async fn reset(
    Ctx(state, locale, uri, _): Ctx<()>,
    Path(token): Path<String>,
    session: Session,
    form: FormFields,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let pool = state.pool();
    let Some(uid) = tokens::peek_token(pool, &token, TokenPurpose::Reset).await? else {
        return invalid_link(&state, locale, &uri, "/password/forgot");
    };
    let email = sozialatlas_accounts::get_user(pool, uid)
        .await?
        .and_then(|u| u.email)
        .unwrap_or_default();
    let password = form.get("password");
    let mut errors = FieldErrors::new();
    if sozialatlas_accounts::password::check_new_password(password, &email).is_err() {
        errors.add("password", t.password_invalid);
    } else if password != form.get("password2") {
        errors.add("password2", t.passwords_differ);
    }
    if errors.any() {
        let csrf = super::session_csrf(&session).await?;
        return reset_page(&state, locale, &uri, csrf, errors);
    }
    if tokens::consume_token(pool, &token, TokenPurpose::Reset)
        .await?
        .is_none()
    {
        return invalid_link(&state, locale, &uri, "/password/forgot");
    }
    sozialatlas_accounts::set_password(pool, uid, password).await?;
    sozialatlas_accounts::confirm_user(pool, uid).await?;
    sozialatlas_accounts::audit(
        pool,
        Some(uid),
        "user.password.reset",
        &format!("user:{uid}"),
        "",
    )
    .await?;
    session.flush().await?;
    Ok(see_other(&format!("{}/login?notice=reset", prefix(locale))))
}

// -------------------------------------------------------------------------------- account

#[derive(Template)]
#[template(path = "account/account.html")]
struct AccountPage {
    l: Layout,
    t: &'static AuthMsgs,
    p: &'static str,
    csrf: String,
    name: String,
    email: String,
    status: &'static str,
    roles: Vec<&'static str>,
    created: String,
    last_login: String,
    is_admin: bool,
    notify_by_mail: bool,
    notice: &'static str,
    errors: FieldErrors,
}

impl FormPage for AccountPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

pub(crate) fn status_label(t: &AuthMsgs, s: sozialatlas_accounts::Status) -> &'static str {
    use sozialatlas_accounts::Status;
    match s {
        Status::Unconfirmed => t.status_unconfirmed,
        Status::Active => t.status_active,
        Status::Blocked => t.status_blocked,
        Status::Deleted => t.status_deleted,
    }
}

async fn account_page(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    user: &CurrentUser,
    notice: &'static str,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let u = sozialatlas_accounts::get_user(state.pool(), user.id)
        .await?
        .ok_or_else(|| AppError::Internal("signed-in user vanished".into()))?;
    form_page(&AccountPage {
        l: layout(state, locale, t.account_title, uri),
        t,
        p: prefix(locale),
        csrf: user.csrf.clone(),
        name: u.display_name.clone(),
        email: u.email.clone().unwrap_or_default(),
        status: status_label(t, u.status),
        roles: u.roles.iter().map(|r| role_label(*r, locale)).collect(),
        created: u.created_at.replace('T', " ").replace('Z', " UTC"),
        last_login: u.last_login_at.clone().map_or_else(
            || t.never.to_string(),
            |s| s.replace('T', " ").replace('Z', " UTC"),
        ),
        is_admin: u.has(Role::Admin),
        notify_by_mail: u.notify_by_mail,
        notice,
        errors,
    })
}

/// `GET /account`.
pub async fn account(
    Ctx(state, locale, uri, user): Ctx,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let notice = notice_text(auth_msgs(locale), &q.notice);
    account_page(&state, locale, &uri, &user, notice, FieldErrors::new()).await
}

/// `GET /account/export`: everything stored about the user, as a JSON download.
pub async fn export(Ctx(state, _, _, user): Ctx) -> Result<Response, AppError> {
    let pool = state.pool();
    let mut doc = serde_json::json!({
        "format": "sozialatlas-account-export/1",
        "exported_at": sozialatlas_accounts::now(),
    });
    let accounts = sozialatlas_accounts::export_user(pool, user.id).await?;
    if let (Some(d), serde_json::Value::Object(a)) = (doc.as_object_mut(), accounts) {
        d.extend(a);
        for (name, section) in super::EXPORT_SECTIONS {
            let v = section(pool, user.id).await.map_err(AppError::Internal)?;
            d.insert((*name).to_string(), v);
        }
    }
    let body = serde_json::to_string_pretty(&doc)?;
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"sozialatlas-account.json\""),
    );
    Ok(r)
}

/// `POST /account/name`.
pub async fn change_name(
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    match sozialatlas_accounts::set_display_name(state.pool(), user.id, form.get("display_name"))
        .await
    {
        Ok(()) => Ok(see_other(&format!(
            "{}/account?notice=name",
            prefix(locale)
        ))),
        Err(AccountError::Invalid { .. }) => {
            let e = FieldErrors::one("display_name", t.display_name_invalid);
            account_page(&state, locale, &uri, &user, "", e).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /account/notify`: e-mails about one's ideas on (`notify=on`) or off (no `notify`,
/// as an unticked checkbox sends).
pub async fn change_notify(
    Ctx(state, locale, _uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let on = match form.get("notify") {
        "on" => true,
        "" => false,
        other => {
            return Err(AppError::BadParam {
                param: "notify".into(),
                value: other.to_string(),
                expected: "on, or nothing".into(),
            });
        }
    };
    sozialatlas_accounts::set_notify_by_mail(state.pool(), user.id, on).await?;
    let notice = if on { "notify-on" } else { "notify-off" };
    Ok(see_other(&format!(
        "{}/account?notice={notice}",
        prefix(locale)
    )))
}

/// Whether `password` is the signed-in user's, under the sign-in limit of the address `ip`
/// (429 when over it; a wrong password counts against it).
async fn password_holds(
    state: &AppState,
    ip: &str,
    user: &CurrentUser,
    password: &str,
) -> Result<bool, AppError> {
    use sozialatlas_accounts::ratelimit;
    let ip_key = format!("login-ip:{ip}");
    let pool = state.pool();
    // Counted before the check and taken back when it holds, so that concurrent guesses
    // cannot all pass the last free place (as at sign-in).
    let attempt = state
        .reserve_attempt(&[(ip_key.as_str(), Limit::LOGIN_IP)])
        .await?;
    let holds = sozialatlas_accounts::check_password(pool, user.id, password).await?;
    if holds {
        ratelimit::release(pool, attempt).await?;
    } else {
        ratelimit::settle(pool, attempt).await?;
    }
    Ok(holds)
}

/// `POST /account/password`: needs the current password; other sessions end.
pub async fn change_password(
    ClientIp(ip): ClientIp,
    Ctx(state, locale, uri, user): Ctx,
    session: Session,
    form: FormFields,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let pool = state.pool();
    let mut e = FieldErrors::new();
    let new = form.get("new_password");
    if !password_holds(&state, &ip, &user, form.get("current_password")).await? {
        e.add("current_password", t.wrong_password);
    } else if sozialatlas_accounts::password::check_new_password(new, &user.email).is_err() {
        e.add("new_password", t.password_invalid);
    } else if new != form.get("new_password2") {
        e.add("new_password2", t.passwords_differ);
    }
    if e.any() {
        return account_page(&state, locale, &uri, &user, "", e).await;
    }
    sozialatlas_accounts::set_password(pool, user.id, new).await?;
    // This session stays signed in (it proved the password); others end.
    session.cycle_id().await?;
    session
        .insert(SESSION_AUTH_AT, sozialatlas_accounts::now_millis())
        .await?;
    Ok(see_other(&format!(
        "{}/account?notice=password",
        prefix(locale)
    )))
}

/// `POST /account/delete`: needs the password; erases the personal data, keeps the row.
pub async fn delete_account(
    ClientIp(ip): ClientIp,
    Ctx(state, locale, uri, user): Ctx,
    session: Session,
    form: FormFields,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let pool = state.pool();
    if !password_holds(&state, &ip, &user, form.get("password")).await? {
        let e = FieldErrors::one("delete_password", t.wrong_password);
        return account_page(&state, locale, &uri, &user, "", e).await;
    }
    match sozialatlas_accounts::delete_user(pool, Some(user.id), user.id).await {
        Ok(()) => {}
        Err(AccountError::Invalid { .. }) => {
            let e = FieldErrors::one("delete_password", t.last_admin);
            return account_page(&state, locale, &uri, &user, "", e).await;
        }
        Err(err) => return Err(err.into()),
    }
    session.flush().await?;
    personal_page(
        &NoticePage {
            l: layout(&state, locale, t.delete_done_title, &uri),
            heading: t.delete_done_title,
            text: t.delete_done_text,
            link: format!("{}/", prefix(locale)),
            link_text: crate::i18n::msgs(locale).nav_start,
        },
        StatusCode::OK,
    )
}
