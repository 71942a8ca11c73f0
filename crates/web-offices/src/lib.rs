//! The action offices on the web: the public office pages, the staff pages of the contact and
//! referral log (case list, due list, case page, new case, closing, referrals, access export,
//! erasure), the supervisors' statistics, the partner list, and the administration of offices.
//!
//! No access rule lives here: every handler passes the signed-in user to the
//! `sozialatlas-offices` domain functions, which check role and office membership themselves
//! (so no route can forget them). Handlers only require sign-in, translate domain errors into
//! pages (a case of another office is a 404 like a case that does not exist), and mark every
//! response `no-store`.

mod admin;
mod case;
mod public;
mod staff;
mod stats;
pub mod text;

use axum::http::{HeaderValue, header};
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_offices::{Actor, OfficeError};

use std::sync::Arc;

use sozialatlas_web_kit::{AppState, auth, error, i18n, layout, routes};

use crate::auth::{CurrentUser, Denied};
use crate::error::AppError;
use crate::routes::Routes;
use sozialatlas_web_kit::FieldErrors;
pub use text::{OfficeMsgs, office_msgs};

/// The key that encrypts the identifying details of the action offices, kept in the state.
#[derive(Default)]
struct OfficeKeyPart(Option<Arc<sozialatlas_offices::OfficeKey>>);

/// What the offices keep in the kit's [`AppState`].
pub trait StateExt {
    /// Sets the key that encrypts the identifying details of the action offices.
    fn with_office_key(self, key: Option<sozialatlas_offices::OfficeKey>) -> Self;
    /// The office key, if configured.
    fn office_key(&self) -> Option<Arc<sozialatlas_offices::OfficeKey>>;
}

impl StateExt for AppState {
    fn with_office_key(self, key: Option<sozialatlas_offices::OfficeKey>) -> Self {
        self.set_part(OfficeKeyPart(key.map(Arc::new)));
        self
    }

    fn office_key(&self) -> Option<Arc<sozialatlas_offices::OfficeKey>> {
        self.part::<OfficeKeyPart>().0.clone()
    }
}

/// The office routes (relative to the language prefix).
pub fn routes() -> Routes {
    Routes::new()
        .get("/offices", public::list)
        .get("/offices/{slug}", public::office)
        .get("/office", staff::home)
        .get("/office/statistics", stats::page)
        .form("/office/partners", stats::partners, stats::add_partner)
        .post("/office/partners/{id}/active", stats::partner_active)
        .get("/office/{slug}", staff::cases)
        .get("/office/{slug}/due", staff::due)
        .form("/office/{slug}/new", staff::new_form, staff::create)
        .get("/office/cases/{id}", case::page)
        .steps(
            "/office/cases/{id}",
            &[
                "topics",
                "owner",
                "specialists",
                "contacts",
                "notes",
                "followups",
                "identity",
                "reopen",
            ],
            case::case_step,
        )
        .post(
            "/office/cases/{id}/specialists/{user}/remove",
            case::case_item_step,
        )
        .post(
            "/office/cases/{id}/followups/{fid}/done",
            case::followup_done,
        )
        .form(
            "/office/cases/{id}/referral",
            case::referral_form,
            case::referral,
        )
        .steps(
            "/office/cases/{id}/referrals/{rid}",
            &["state", "revoke"],
            case::case_item_step,
        )
        .form("/office/cases/{id}/close", case::close_form, case::close)
        .post("/office/cases/{id}/export", case::export)
        .form("/office/cases/{id}/erase", case::erase_form, case::erase)
        .form("/admin/offices", admin::list, admin::create)
        .post("/admin/offices/retention", admin::retention)
        .form("/admin/offices/{id}", admin::edit, admin::update)
        .post("/admin/offices/{id}/staff", admin::assign)
        .post("/admin/offices/{id}/staff/{user}/remove", admin::unassign)
        .map_router(|r| r.layer(axum::middleware::map_response(no_store)))
}

/// Office pages are personal or live: never cached, by us or by browsers.
async fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The acting user as the domain sees it.
pub(crate) fn actor(u: &CurrentUser) -> Actor {
    Actor::with_roles(u.id, u.roles.iter().map(|r| r.as_str()))
}

/// A domain error as a page error; `Invalid` is for forms ([`field_errors`]) and handled before
/// this.
pub(crate) fn page_error(e: OfficeError, locale: Locale) -> AppError {
    let t = office_msgs(locale);
    match invalid(e, locale) {
        Ok((field, message)) => AppError::BadParam {
            param: field.into(),
            value: String::new(),
            expected: message,
        },
        Err(OfficeError::NotFound(_)) => AppError::NotFound(t.not_found.into()),
        Err(OfficeError::Forbidden(_)) => AppError::Forbidden(Denied::Role),
        Err(other) => AppError::Internal(other.to_string()),
    }
}

/// A domain `Invalid` as its field and message in the page's language; any other error is
/// returned.
fn invalid(e: OfficeError, locale: Locale) -> Result<(&'static str, String), OfficeError> {
    match e {
        OfficeError::Invalid {
            field,
            message,
            message_de,
        } => Ok((
            field,
            match locale {
                Locale::De => message_de,
                Locale::En => message,
            },
        )),
        other => Err(other),
    }
}

/// A domain `Invalid` as the form's error, in the page's language; other errors are page
/// errors ([`page_error`]).
pub(crate) fn field_errors(e: OfficeError, locale: Locale) -> Result<FieldErrors, AppError> {
    field_errors_at(e, locale, None)
}

/// Like [`field_errors`], the error shown at `field` when the form names the domain's field
/// otherwise.
pub(crate) fn field_errors_at(
    e: OfficeError,
    locale: Locale,
    field: Option<&str>,
) -> Result<FieldErrors, AppError> {
    match invalid(e, locale) {
        Ok((domain_field, message)) => Ok(FieldErrors::one(field.unwrap_or(domain_field), message)),
        Err(other) => Err(page_error(other, locale)),
    }
}

/// A German or English date from `YYYY-MM-DD`.
pub(crate) fn show_date(d: sozialatlas_offices::Date, locale: Locale) -> String {
    match locale {
        Locale::De => d.de(),
        Locale::En => d.to_string(),
    }
}

/// A German or English count (thousands separated).
pub(crate) fn show_count(n: u64, locale: Locale) -> String {
    sozialatlas_core::locale::format_decimal(n as f64, 0, locale)
}
