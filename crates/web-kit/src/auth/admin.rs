//! Administration: users (roles, blocking), the audit log and the mail outbox. Admins only;
//! every change is audit-logged by `sozialatlas-accounts`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use sozialatlas_accounts::audit::AuditFilter;
use sozialatlas_accounts::{AccountError, Role, Status, User};
use sozialatlas_core::Locale;

use super::pages::status_label;
use super::text::{AuthMsgs, auth_msgs, role_label};
use super::{CurrentUser, FormFields};
use crate::AppState;
use crate::error::AppError;
use crate::form::{Ctx, FieldErrors, FormPage, form_page, see_other};
use crate::i18n::prefix;
use crate::layout::{Layout, personal_page};

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<String>,
}

fn page_number(q: &ListQuery) -> Result<i64, AppError> {
    match q.page.as_deref() {
        None | Some("") => Ok(1),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|&n| (1..=1_000_000).contains(&n))
            .ok_or_else(|| AppError::BadParam {
                param: "page".into(),
                value: s.into(),
                expected: "a page number from 1".into(),
            }),
    }
}

pub struct RoleChip {
    pub id: &'static str,
    pub label: &'static str,
}

pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: &'static str,
    pub blocked: bool,
    pub deleted: bool,
    pub roles: Vec<RoleChip>,
    pub created: String,
    pub last_login: String,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    l: Layout,
    t: &'static AuthMsgs,
    p: &'static str,
    csrf: String,
    rows: Vec<UserRow>,
    all_roles: Vec<RoleChip>,
    q: String,
    total: usize,
    notice: &'static str,
    errors: FieldErrors,
}

impl FormPage for UsersPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// A stored UTC stamp (`2026-12-07T09:14:00Z`) as the admin tables show it.
fn stamp(s: &str) -> String {
    s.replace('T', " ").replace('Z', "")
}

fn chips(roles: &[Role], locale: Locale) -> Vec<RoleChip> {
    roles
        .iter()
        .map(|r| RoleChip {
            id: r.as_str(),
            label: role_label(*r, locale),
        })
        .collect()
}

fn user_row(u: &User, t: &AuthMsgs, locale: Locale) -> UserRow {
    UserRow {
        id: u.id,
        name: if u.status == Status::Deleted {
            t.deleted_participant.to_string()
        } else {
            u.display_name.clone()
        },
        email: u.email.clone().unwrap_or_default(),
        status: status_label(t, u.status),
        blocked: u.status == Status::Blocked,
        deleted: u.status == Status::Deleted,
        roles: chips(&u.roles, locale),
        created: stamp(&u.created_at),
        last_login: u.last_login_at.as_deref().map_or_else(String::new, stamp),
    }
}

async fn users_page(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    user: &CurrentUser,
    q: &str,
    notice: &'static str,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let users = sozialatlas_accounts::list_users(state.pool()).await?;
    let needle = q.trim().to_lowercase();
    let rows: Vec<UserRow> = users
        .iter()
        .filter(|u| {
            needle.is_empty()
                || u.display_name.to_lowercase().contains(&needle)
                || u.email
                    .as_deref()
                    .is_some_and(|e| e.to_lowercase().contains(&needle))
        })
        .map(|u| user_row(u, t, locale))
        .collect();
    form_page(&UsersPage {
        l: Layout::new(
            state,
            locale,
            t.admin_users_title,
            uri.0.path(),
            uri.0.query(),
        ),
        t,
        p: prefix(locale),
        csrf: user.csrf.clone(),
        total: users.len(),
        rows,
        all_roles: chips(&Role::ALL, locale),
        q: q.to_string(),
        notice,
        errors,
    })
}

fn notice(t: &'static AuthMsgs, key: &str) -> &'static str {
    match key {
        "role-added" => t.role_added,
        "role-removed" => t.role_removed,
        "blocked" => t.blocked_notice,
        "unblocked" => t.unblocked_notice,
        _ => "",
    }
}

/// `GET /admin/users`.
pub async fn users(
    Ctx(state, locale, uri, user): Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    user.require(Role::Admin)?;
    users_page(
        &state,
        locale,
        &uri,
        &user,
        &q.q,
        notice(auth_msgs(locale), &q.notice),
        FieldErrors::new(),
    )
    .await
}

fn user_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| AppError::NotFound(String::new()))
}

/// The end of a change to a user: 303 back to the user's row with a notice; an unknown user
/// is a 404; a refused change (the last administrator) or a choice the form does not offer is
/// the user list again with the error at the user's row (422). `None`: the form asked for a
/// choice it does not offer.
async fn after_change(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: i64,
    change: Option<Result<&'static str, AccountError>>,
) -> Result<Response, AppError> {
    let t = auth_msgs(locale);
    let message = match change {
        None => t.bad_choice,
        Some(Ok(notice)) => {
            return Ok(see_other(&format!(
                "{}/admin/users?notice={notice}#user-{id}",
                prefix(locale)
            )));
        }
        Some(Err(AccountError::NoSuchUser(_))) => return Err(AppError::NotFound(String::new())),
        Some(Err(AccountError::Invalid { .. })) => t.last_admin,
        Some(Err(e)) => return Err(e.into()),
    };
    let users_uri = OriginalUri(format!("{}/admin/users", prefix(locale)).parse()?);
    let errors = FieldErrors::one(format!("user-{id}"), message);
    users_page(state, locale, &users_uri, user, "", "", errors).await
}

/// `POST /admin/users/{id}/roles`: fields `role` and `op` (`add` or `remove`).
pub async fn user_roles(
    Ctx(state, locale, _, user): Ctx,
    Path(id): Path<String>,
    form: FormFields,
) -> Result<Response, AppError> {
    user.require(Role::Admin)?;
    let id = user_id(&id)?;
    let (pool, by) = (state.pool(), Some(user.id));
    let change = match (Role::parse(form.get("role")), form.get("op")) {
        (Some(role), "add") => Some(
            sozialatlas_accounts::add_role(pool, by, id, role)
                .await
                .map(|_| "role-added"),
        ),
        (Some(role), "remove") => Some(
            sozialatlas_accounts::remove_role(pool, by, id, role)
                .await
                .map(|_| "role-removed"),
        ),
        _ => None,
    };
    after_change(&state, locale, &user, id, change).await
}

/// `POST /admin/users/{id}/status`: field `op` (`block` or `unblock`).
pub async fn user_status(
    Ctx(state, locale, _, user): Ctx,
    Path(id): Path<String>,
    form: FormFields,
) -> Result<Response, AppError> {
    user.require(Role::Admin)?;
    let id = user_id(&id)?;
    let block = match form.get("op") {
        "block" => true,
        "unblock" => false,
        _ => return after_change(&state, locale, &user, id, None).await,
    };
    let change = sozialatlas_accounts::set_blocked(state.pool(), Some(user.id), id, block).await;
    let notice = if block { "blocked" } else { "unblocked" };
    after_change(&state, locale, &user, id, Some(change.map(|()| notice))).await
}

pub struct AuditRow {
    pub at: String,
    pub who: String,
    pub action: String,
    pub object: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    l: Layout,
    t: &'static AuthMsgs,
    p: &'static str,
    rows: Vec<AuditRow>,
    pager: Pager,
}

/// Links to newer and older pages.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub prev: String,
    pub next: String,
}

fn pager(base: &str, page: i64, total: i64) -> Pager {
    let pages = ((total + PAGE - 1) / PAGE).max(1);
    Pager {
        page,
        pages,
        total,
        prev: if page > 1 {
            format!("{base}?page={}", page - 1)
        } else {
            String::new()
        },
        next: if page < pages {
            format!("{base}?page={}", page + 1)
        } else {
            String::new()
        },
    }
}

fn names(users: &[User], t: &AuthMsgs) -> HashMap<i64, String> {
    users
        .iter()
        .map(|u| {
            let n = if u.status == Status::Deleted {
                t.deleted_participant.to_string()
            } else {
                u.display_name.clone()
            };
            (u.id, format!("{n} (#{})", u.id))
        })
        .collect()
}

/// `GET /admin/audit`.
pub async fn audit(
    Ctx(state, locale, uri, user): Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    user.require(Role::Admin)?;
    let page = page_number(&q)?;
    let t = auth_msgs(locale);
    let pool = state.pool();
    let (entries, total) =
        sozialatlas_accounts::list_audit(pool, &AuditFilter::default(), PAGE, (page - 1) * PAGE)
            .await?;
    let users = sozialatlas_accounts::list_users(pool).await?;
    let names = names(&users, t);
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            at: stamp(&e.at),
            who: e.actor_id.map_or_else(
                || t.system.to_string(),
                |id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
            ),
            action: e.action,
            object: e.object,
            detail: e.detail,
        })
        .collect();
    personal_page(
        &AuditPage {
            l: Layout::new(
                &state,
                locale,
                t.admin_audit_title,
                uri.0.path(),
                uri.0.query(),
            ),
            t,
            p: prefix(locale),
            rows,
            pager: pager(uri.0.path(), page, total),
        },
        StatusCode::OK,
    )
}

pub struct MailRow {
    pub created: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub sent: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    l: Layout,
    t: &'static AuthMsgs,
    p: &'static str,
    rows: Vec<MailRow>,
    pager: Pager,
}

/// `GET /admin/outbox`.
pub async fn outbox(
    Ctx(state, locale, uri, user): Ctx,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    user.require(Role::Admin)?;
    let page = page_number(&q)?;
    let t = auth_msgs(locale);
    let (mails, total) =
        sozialatlas_accounts::mail::list_outbox(state.pool(), PAGE, (page - 1) * PAGE).await?;
    let rows = mails
        .into_iter()
        .map(|m| MailRow {
            created: stamp(&m.created_at),
            to: m.to,
            subject: m.subject,
            body: m.body,
            sent: m
                .sent_at
                .map_or_else(|| t.not_sent.to_string(), |s| stamp(&s)),
            error: m.last_error.unwrap_or_default(),
        })
        .collect();
    personal_page(
        &OutboxPage {
            l: Layout::new(
                &state,
                locale,
                t.admin_outbox_title,
                uri.0.path(),
                uri.0.query(),
            ),
            t,
            p: prefix(locale),
            rows,
            pager: pager(uri.0.path(), page, total),
        },
        StatusCode::OK,
    )
}
