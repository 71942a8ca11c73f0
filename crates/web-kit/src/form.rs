//! The one way to write a form of the personal pages (accounts, participation, offices).
//!
//! - A handler takes [`Ctx`] (the state, the page's language, its address and the signed-in
//!   user, or `Ctx<Option<CurrentUser>>` on pages anyone may see) and, for a POST, the
//!   [`FormFields`](crate::auth::FormFields) last, so that sign-in (303 to the sign-in page) and
//!   roles (403) are checked before the fields; the CSRF token is checked for every POST by the
//!   global layer. Steps that differ only in the call they make share one handler that picks the
//!   call by the route's last segment ([`step_of`]).
//! - A form page is a template that implements [`FormPage`]: it holds the user's input and a
//!   [`FieldErrors`] (field name → message in the page's language), shows them with
//!   `{{ errors.summary(l) }}` at the top (the GOV.UK error summary: `role="alert"`, a heading
//!   it is labelled by, focusable, each error a link to its field `#field`) and, at each field,
//!   the message `id="field-error"` (`{{ errors.message("field") }}`) with the field marked
//!   `aria-invalid="true"` and `aria-describedby` naming the message
//!   (`{{ errors.aria("field", "field-hint") }}` in the control's tag).
//! - Every form page is rendered by [`form_page`], for the GET and for a POST with errors; its
//!   status follows its errors: 200 without, **422** with, and never cached. A POST ends with
//!   [`end_form`]: valid → [`see_other`] (303, so that reloading does not post again), invalid →
//!   the form page again; or with the page it answers with.

use askama::Template;
use axum::extract::{FromRequestParts, MatchedPath, OriginalUri};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use sozialatlas_core::Locale;

use crate::AppState;
use crate::auth::{CurrentUser, no_store, original_uri};
use crate::error::{AppError, locale_of_path};
use crate::i18n::Msgs;
use crate::layout::{Layout, personal_page};

/// What a handler of a personal page is given, in this order: the state, the page's language,
/// the address it was asked at (for the frame) and the user — [`CurrentUser`] (signed-in only:
/// anonymous requests get a 303 to the sign-in page), `Option<CurrentUser>`, or `()` on the
/// forms of anonymous users. Handlers take it apart in their signature:
/// `Ctx(state, locale, uri, user): Ctx`.
pub struct Ctx<U = CurrentUser>(pub AppState, pub Locale, pub OriginalUri, pub U);

impl<U> FromRequestParts<AppState> for Ctx<U>
where
    U: FromRequestParts<AppState> + Send,
    U::Rejection: IntoResponse,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let user = U::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let uri = original_uri(parts);
        let locale = parts
            .extensions
            .get::<Locale>()
            .copied()
            .unwrap_or_else(|| locale_of_path(uri.path()));
        Ok(Ctx(state.clone(), locale, OriginalUri(uri), user))
    }
}

/// The errors of a form: field name → message in the page's language, in form order, at most
/// one message a field (the first).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    /// No errors.
    pub fn new() -> Self {
        Self::default()
    }

    /// One error.
    pub fn one(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    /// Adds an error for a field, unless the field has one already.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        let field = field.into();
        if self.get(&field).is_empty() {
            self.0.push((field, message.into()));
        }
    }

    /// The message for a field, or `""`.
    pub fn get(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map_or("", |(_, m)| m.as_str())
    }

    /// Whether there is any error.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors as (field, message), in form order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_str(), m.as_str()))
    }

    /// A field's message, for under its label: `<p class="error-message" id="{field}-error">`,
    /// or nothing when the field has no error.
    pub fn message<'a>(&'a self, field: &'a str) -> FieldMessage<'a> {
        FieldMessage {
            field,
            message: self.get(field),
        }
    }

    /// The attributes of a field's control: `aria-describedby` naming its hint (`""` for none)
    /// and its message, and `aria-invalid="true"` when it has an error.
    pub fn aria<'a>(&'a self, field: &'a str, hint: &'a str) -> FieldAria<'a> {
        FieldAria {
            field,
            hint,
            message: self.get(field),
        }
    }

    /// The error summary for the top of the form (empty without errors), in the language of
    /// the page's frame.
    pub fn summary<'a>(&'a self, l: &Layout) -> ErrorSummary<'a> {
        ErrorSummary {
            m: l.m,
            errors: self,
        }
    }
}

impl<F: Into<String>, M: Into<String>> FromIterator<(F, M)> for FieldErrors {
    fn from_iter<I: IntoIterator<Item = (F, M)>>(iter: I) -> Self {
        let mut e = Self::new();
        for (f, m) in iter {
            e.add(f, m);
        }
        e
    }
}

/// The error summary (GOV.UK pattern): a box with `role="alert"`, labelled by its heading,
/// focusable, each error a link to its field. Embedded in a form page with
/// `{{ errors.summary(l) }}`; it renders nothing when there is no error.
#[derive(Template)]
#[template(path = "form/summary.html")]
pub struct ErrorSummary<'a> {
    m: &'static Msgs,
    errors: &'a FieldErrors,
}

/// The summary is rendered by its own (escaping) template, so its output is HTML to embed
/// as it is.
impl askama::filters::HtmlSafe for ErrorSummary<'_> {}

/// A field's message (see [`FieldErrors::message`]).
#[derive(Template)]
#[template(
    source = r#"{% if !message.is_empty() %}<p class="error-message" id="{{ field }}-error">{{ message }}</p>{% endif %}"#,
    ext = "html"
)]
pub struct FieldMessage<'a> {
    field: &'a str,
    message: &'a str,
}

impl askama::filters::HtmlSafe for FieldMessage<'_> {}

/// A field control's attributes (see [`FieldErrors::aria`]).
#[derive(Template)]
#[template(
    source = r#"{% if !hint.is_empty() || !message.is_empty() %} aria-describedby="{{ hint }}{% if !hint.is_empty() && !message.is_empty() %} {% endif %}{% if !message.is_empty() %}{{ field }}-error{% endif %}"{% endif %}{% if !message.is_empty() %} aria-invalid="true"{% endif %}"#,
    ext = "html"
)]
pub struct FieldAria<'a> {
    field: &'a str,
    hint: &'a str,
    message: &'a str,
}

impl askama::filters::HtmlSafe for FieldAria<'_> {}

/// A template of a form page: it knows its errors, so that [`form_page`] can choose its status.
pub trait FormPage: Template {
    /// The page's field errors (none on a fresh form).
    fn errors(&self) -> &FieldErrors;
}

/// Renders a form page, fresh or with its errors: 200 without errors, 422 with them; never
/// cached.
pub fn form_page<F: FormPage>(page: &F) -> Result<Response, AppError> {
    let status = if page.errors().any() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    personal_page(page, status)
}

/// The one end of a form's POST: saved → 303 to the page `saved` names ([`see_other`]);
/// invalid (`errors_of` gives its field errors) → the form page again, rendered by `form` with
/// the user's input and the errors (422 by [`form_page`]); any other refusal → the answer
/// `errors_of` gives for it (a page error, a notice).
pub async fn end_form<E, R: IntoResponse>(
    saved: Result<String, E>,
    errors_of: impl FnOnce(E) -> Result<FieldErrors, R>,
    form: impl AsyncFnOnce(FieldErrors) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    match saved.map_err(errors_of) {
        Ok(to) => Ok(see_other(&to)),
        Err(Ok(errors)) => form(errors).await,
        Err(Err(refused)) => Ok(refused.into_response()),
    }
}

/// The step a handler that serves several routes takes: the last segment of the route it was
/// called for (`/participation/moderation/{kind}/{id}/hide` → `hide`).
pub fn step_of(route: &MatchedPath) -> &str {
    route.as_str().rsplit('/').next().unwrap_or("")
}

/// The end of a POST that did what it was asked: 303 to `to` (reloading does not post again),
/// never cached.
pub fn see_other(to: &str) -> Response {
    no_store(Redirect::to(to).into_response())
}

/// An option of a form's `<select>`: its value, its label, whether it is selected.
pub struct Opt {
    /// The submitted value.
    pub value: String,
    /// What the user reads.
    pub label: String,
    /// Preselected.
    pub selected: bool,
}

/// An option of a `<select>`.
pub fn opt(value: impl Into<String>, label: impl Into<String>, selected: bool) -> Opt {
    Opt {
        value: value.into(),
        label: label.into(),
        selected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Template)]
    #[template(
        source = "<main>{{ errors.summary(l) }}</main>",
        ext = "html",
        print = "none"
    )]
    struct Page<'a> {
        l: &'a Layout,
        errors: FieldErrors,
    }

    impl FormPage for Page<'_> {
        fn errors(&self) -> &FieldErrors {
            &self.errors
        }
    }

    #[tokio::test]
    async fn the_summary_links_each_error_to_its_field_and_the_status_follows_the_errors() {
        let (snap, pool) = sozialatlas_test_support::example_store("flensburg").await;
        let state = AppState::new(snap, pool);
        let l = Layout::new(&state, Locale::De, "Formular", "/form", None);
        let fresh = Page {
            l: &l,
            errors: FieldErrors::new(),
        };
        assert_eq!(fresh.render().unwrap(), "<main></main>");
        assert_eq!(form_page(&fresh).unwrap().status(), StatusCode::OK);

        let mut errors = FieldErrors::one("title", "Bitte <Titel> angeben.");
        errors.add("title", "a second message for the same field is dropped");
        errors.add("area", "Bitte ein Gebiet wählen.");
        let page = Page { l: &l, errors };
        let html = page.render().unwrap();
        assert!(
            html.contains(
                "<div class=\"error-summary\" role=\"alert\" aria-labelledby=\"error-summary-title\" tabindex=\"-1\" id=\"error-summary\">"
            ),
            "{html}"
        );
        assert!(html.contains(
            "<h2 id=\"error-summary-title\">Bitte korrigieren Sie die markierten Angaben.</h2>"
        ));
        assert!(html.contains("<li><a href=\"#title\">Bitte &#60;Titel&#62; angeben.</a></li>"));
        assert!(html.contains("<li><a href=\"#area\">Bitte ein Gebiet wählen.</a></li>"));
        assert!(!html.contains("second message"));
        assert!(
            !html.contains("&lt;div"),
            "the summary is not escaped twice"
        );
        assert_eq!(
            page.errors.message("title").to_string(),
            "<p class=\"error-message\" id=\"title-error\">Bitte &#60;Titel&#62; angeben.</p>"
        );
        assert_eq!(page.errors.message("lat").to_string(), "");
        assert_eq!(
            page.errors.aria("title", "title-hint").to_string(),
            " aria-describedby=\"title-hint title-error\" aria-invalid=\"true\""
        );
        assert_eq!(
            page.errors.aria("area", "").to_string(),
            " aria-describedby=\"area-error\" aria-invalid=\"true\""
        );
        assert_eq!(
            page.errors.aria("lat", "lat-hint").to_string(),
            " aria-describedby=\"lat-hint\""
        );
        assert_eq!(page.errors.aria("lat", "").to_string(), "");
        let r = form_page(&page).unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.headers().get(axum::http::header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
        let to = see_other("/account");
        assert_eq!(to.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            to.headers().get(axum::http::header::CACHE_CONTROL).unwrap(),
            "no-store"
        );
    }
}
