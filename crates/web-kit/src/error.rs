//! One error type for every handler, and the middleware that turns it into a page in the
//! user's language (or JSON for the API). Handlers only say what was wrong; the middleware
//! knows the language from the path, so an error page can never come out in the wrong one.
//!
//! Every error of a library (the store's, sqlx's, askama's, participation's, the offices', I/O)
//! becomes [`AppError::Internal`] through `?`; what a user did wrong is said with the other
//! variants. A panicking handler is caught by [`panic_guard`] and answered like an internal
//! error: the error page with status 500, the panic logged.

use std::any::Any;

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sozialatlas_core::Locale;
use tower_http::catch_panic::CatchPanicLayer;

use crate::AppState;
use crate::i18n::Msgs;
use crate::layout::Layout;

/// What went wrong with a request.
#[derive(Clone, Debug)]
pub enum AppError {
    /// Unknown indicator, level, area, year or page (404).
    NotFound(String),
    /// A malformed parameter (400).
    BadParam {
        /// The parameter's name.
        param: String,
        /// What was given.
        value: String,
        /// What is expected.
        expected: String,
    },
    /// A request that cannot be answered as asked (400), with its message already in the
    /// page's language (e.g. an analysis whose settings leave too few areas).
    BadRequest(String),
    /// A bug or a failed render (500); the message is logged, not shown.
    Internal(String),
    /// Signed in, but not allowed (403): a missing role or CSRF token.
    Forbidden(crate::auth::Denied),
    /// Not signed in (401; pages redirect to the sign-in page instead).
    Unauthorized,
    /// Over a rate limit (429); the number is the seconds to wait.
    TooManyRequests(u64),
    /// A request body over its route's limit (413); the number is the limit in bytes.
    PayloadTooLarge(usize),
    /// The database was busy with other writers for longer than it waits (503 with
    /// `Retry-After`): nothing was written, the request can be sent again.
    Busy,
}

/// Seconds a client is asked to wait after [`AppError::Busy`].
pub const BUSY_RETRY_AFTER: u64 = 2;

/// Any library error is an internal one (500; its message is logged, not shown) — except a
/// database that stayed busy ([`sozialatlas_store::is_busy`], anywhere in the error's chain of
/// sources), which is [`AppError::Busy`]. `AppError` itself is no `std::error::Error`, so this
/// covers every other error type.
impl<E: std::error::Error + Send + Sync + 'static> From<E> for AppError {
    fn from(e: E) -> Self {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(c) = cause {
            if c.downcast_ref::<sqlx::Error>()
                .is_some_and(sozialatlas_store::is_busy)
            {
                tracing::warn!("database busy: {e}");
                return AppError::Busy;
            }
            cause = c.source();
        }
        AppError::Internal(e.to_string())
    }
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadParam { .. } | AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The parameter a [`AppError::BadParam`] names.
    pub fn param(&self) -> Option<&str> {
        match self {
            AppError::BadParam { param, .. } => Some(param),
            _ => None,
        }
    }

    /// A [`AppError::BadParam`] said by its form field: what was given and what is expected,
    /// in the page's language.
    pub fn field_message(&self, locale: Locale) -> Option<String> {
        let AppError::BadParam {
            value, expected, ..
        } = self
        else {
            return None;
        };
        Some(match (locale, value.is_empty()) {
            (Locale::De, true) => format!("Hier fehlt eine Angabe: {}.", expected_de(expected)),
            (Locale::De, false) => format!(
                "„{value}“ kann nicht gelesen werden; erwartet werden: {}.",
                expected_de(expected)
            ),
            (Locale::En, true) => format!("Nothing given here: expected {expected}."),
            (Locale::En, false) => format!("“{value}” cannot be read; expected {expected}."),
        })
    }

    /// The message for the reader, in English (the API) or German.
    fn message(&self, locale: Locale) -> String {
        match (self, locale) {
            (AppError::NotFound(m) | AppError::BadRequest(m), _) => m.clone(),
            (
                AppError::BadParam {
                    param,
                    value,
                    expected,
                },
                Locale::De,
            ) => format!(
                "Der Parameter „{param}“ hat den Wert „{value}“; erwartet wird: {}.",
                expected_de(expected)
            ),
            (
                AppError::BadParam {
                    param,
                    value,
                    expected,
                },
                Locale::En,
            ) => format!("The parameter `{param}` is `{value}`; expected {expected}."),
            (AppError::Internal(_), Locale::De) => {
                "Die Seite konnte nicht erstellt werden. Bitte versuchen Sie es später erneut."
                    .into()
            }
            (AppError::Internal(_), Locale::En) => {
                "The page could not be made. Please try again later.".into()
            }
            (AppError::Busy, Locale::De) => format!(
                "Gerade schreiben sehr viele gleichzeitig; Ihre Eingabe wurde nicht gespeichert. Bitte senden Sie sie in {BUSY_RETRY_AFTER} Sekunden erneut."
            ),
            (AppError::Busy, Locale::En) => format!(
                "Very many are writing at this moment; your input was not saved. Please send it again in {BUSY_RETRY_AFTER} seconds."
            ),
            (AppError::Forbidden(d), l) => d.message(l).into(),
            (AppError::Unauthorized, l) => crate::auth::auth_msgs(l).unauthorized.into(),
            (AppError::TooManyRequests(s), l) => crate::auth::auth_msgs(l)
                .too_many
                .replace("{wait}", &s.to_string()),
            (AppError::PayloadTooLarge(n), Locale::De) => format!(
                "Es wurde mehr gesendet, als hier angenommen wird (höchstens {}).",
                crate::limits::human_size(*n)
            ),
            (AppError::PayloadTooLarge(n), Locale::En) => format!(
                "More was sent than this page accepts (at most {}).",
                crate::limits::human_size(*n)
            ),
        }
    }
}

/// The expectations in German (the few phrases the parameter checks use).
fn expected_de(e: &str) -> String {
    let table: [(&str, &str); 11] = [
        (
            "equal, quantiles, natural, stddev, box or manual",
            "equal, quantiles, natural, stddev, box oder manual",
        ),
        ("a whole number from 2 to 9", "eine ganze Zahl von 2 bis 9"),
        ("left or right", "left oder right"),
        (
            "a ColorBrewer scheme name such as YlOrRd, Blues or RdBu",
            "der Name eines ColorBrewer-Farbschemas wie YlOrRd, Blues oder RdBu",
        ),
        ("fixed or year", "fixed oder year"),
        ("a year such as 2011", "eine Jahreszahl wie 2011"),
        ("an area key", "ein Gebietsschlüssel"),
        (
            "numbers separated by semicolons, e.g. 10; 15; 20",
            "Zahlen, durch Semikolon getrennt, z. B. 10; 15; 20",
        ),
        (
            "1 to 8 ascending numbers separated by semicolons, e.g. 10; 15; 20",
            "1 bis 8 aufsteigende Zahlen, durch Semikolon getrennt, z. B. 10; 15; 20",
        ),
        (
            "class breaks for the manual scheme, e.g. 10; 15; 20",
            "Klassengrenzen für die manuelle Klassenbildung, z. B. 10; 15; 20",
        ),
        ("a year with data", "ein Jahr mit Daten"),
    ];
    table
        .iter()
        .find(|(en, _)| *en == e)
        .map_or_else(|| e.to_string(), |(_, de)| (*de).to_string())
}

/// Marks an error response; [`render_errors`] gives it its body.
#[derive(Clone, Debug)]
struct ErrorInfo(AppError);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(m) = &self {
            tracing::error!("internal error: {m}");
        }
        let mut r = self.status().into_response();
        r.extensions_mut().insert(ErrorInfo(self));
        r
    }
}

/// The panic guard: a layer that answers a panicking handler like an internal error (the
/// error page in the user's language with status 500, by [`render_errors`] outside it) and
/// logs the panic; the server keeps serving. Apply it inside [`render_errors`].
pub fn panic_guard() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(panic_response as fn(Box<dyn Any + Send + 'static>) -> Response)
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    AppError::Internal(format!("a handler panicked: {what}")).into_response()
}

/// The fallback for unknown paths: 404.
pub async fn fallback() -> AppError {
    AppError::NotFound(String::new())
}

/// The locale of a path: English under `/en`.
pub fn locale_of_path(path: &str) -> Locale {
    if path == "/en" || path.starts_with("/en/") {
        Locale::En
    } else {
        Locale::De
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    heading: &'static str,
    message: String,
    home: String,
    reset: String,
    m: &'static Msgs,
}

/// The seconds of a `Retry-After` header, for the errors that have one.
fn retry_after(err: &AppError) -> Option<u64> {
    match err {
        AppError::TooManyRequests(s) => Some(*s),
        AppError::Busy => Some(BUSY_RETRY_AFTER),
        _ => None,
    }
}

/// Middleware: gives every error response (ours, axum's rejections, 404s) a body in the
/// user's language: an HTML page, or JSON under `/api/`.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    // A page that renders its own error (a form with its errors, status 422) stays as it is.
    if resp.extensions().get::<ErrorInfo>().is_none()
        && resp
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
    {
        return resp;
    }
    let err = match resp.extensions().get::<ErrorInfo>() {
        Some(ErrorInfo(e)) => e.clone(),
        None if status == StatusCode::NOT_FOUND => AppError::NotFound(String::new()),
        None if status == StatusCode::METHOD_NOT_ALLOWED => return resp,
        None if status.is_client_error() => AppError::BadParam {
            param: "URL".into(),
            value: path.clone(),
            expected: "a well-formed address".into(),
        },
        None => AppError::Internal(format!("{status} on {path}")),
    };
    let locale = locale_of_path(&path);
    let status = err.status();
    if path.starts_with("/api/") {
        let msg = match &err {
            AppError::NotFound(m) if m.is_empty() => "not found".to_string(),
            e => e.message(Locale::En),
        };
        let body = serde_json::json!({ "error": { "status": status.as_u16(), "message": msg } });
        let mut r = (status, axum::Json(body)).into_response();
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(s) = retry_after(&err) {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        return r;
    }
    let m = crate::i18n::msgs(locale);
    let heading = match status {
        StatusCode::NOT_FOUND => m.not_found_title,
        StatusCode::BAD_REQUEST => m.bad_request_title,
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => {
            crate::auth::auth_msgs(locale).forbidden_title
        }
        StatusCode::TOO_MANY_REQUESTS => crate::auth::auth_msgs(locale).too_many_title,
        _ => m.error_title,
    };
    let message = match &err {
        AppError::NotFound(s) if s.is_empty() => match locale {
            Locale::De => "Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse oder beginnen Sie auf der Startseite.".to_string(),
            Locale::En => "There is no page at this address. Check the address or start from the start page.".to_string(),
        },
        e => e.message(locale),
    };
    let page = ErrorPage {
        l: Layout::new(&state, locale, heading, &path, query.as_deref()),
        heading,
        message,
        home: format!("{}/", crate::i18n::prefix(locale)),
        // A bad option: offer the same page without options.
        reset: match (&err, &query) {
            (AppError::BadParam { .. } | AppError::BadRequest(_), Some(q)) if !q.is_empty() => {
                path.clone()
            }
            _ => String::new(),
        },
        m,
    };
    let html = page.render().unwrap_or_else(|_| heading.to_string());
    let mut r = Response::new(Body::from(html));
    *r.status_mut() = status;
    if let Some(s) = retry_after(&err) {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn panics() -> &'static str {
        panic!("a bug in a handler")
    }

    async fn get_page(app: &Router, path: &str) -> (StatusCode, String, String) {
        let req = Request::builder().uri(path).body(Body::empty()).unwrap();
        let resp = app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let ctype = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, ctype, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn a_panicking_handler_gets_the_error_page_and_the_server_keeps_serving() {
        let (snap, pool) = sozialatlas_test_support::example_store("flensburg").await;
        let state = AppState::new(snap, pool);
        let app = Router::new()
            .route("/broken", get(panics))
            .route("/en/broken", get(panics))
            .route("/fine", get(|| async { "fine" }))
            .layer(panic_guard())
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                render_errors,
            ))
            .with_state(state);

        let (status, ctype, body) = get_page(&app, "/broken").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(ctype.starts_with("text/html"), "{ctype}");
        assert!(
            body.contains("<h1 id=\"error-title\">Fehler</h1>"),
            "{body}"
        );
        assert!(
            body.contains("Die Seite konnte nicht erstellt werden."),
            "{body}"
        );
        assert!(
            !body.contains("a bug in a handler"),
            "the panic is logged, not shown"
        );

        let (status, _, body) = get_page(&app, "/en/broken").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("The page could not be made."), "{body}");

        let (status, _, body) = get_page(&app, "/fine").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "fine"));
        let (status, _, _) = get_page(&app, "/broken").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn library_errors_are_internal() {
        let e: AppError = std::io::Error::other("disk").into();
        assert!(matches!(e, AppError::Internal(m) if m == "disk"));
    }

    #[tokio::test]
    async fn a_busy_database_is_503_with_retry_after_also_inside_another_error() {
        // A real "database is locked": a second writer on a file store whose write lock a first
        // transaction holds, with no busy timeout to wait.
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("busy.db");
        let pool = sozialatlas_store::open(target.to_str().unwrap())
            .await
            .unwrap();
        let _writer = sozialatlas_store::begin_write(&pool).await.unwrap();
        let mut other = pool.acquire().await.unwrap();
        sqlx::query("PRAGMA busy_timeout = 0")
            .execute(&mut *other)
            .await
            .unwrap();
        let busy = sqlx::query("INSERT INTO session (id, data, expiry_date) VALUES ('x', '{}', 0)")
            .execute(&mut *other)
            .await
            .unwrap_err();
        assert!(sozialatlas_store::is_busy(&busy), "{busy}");
        let wrapped: AppError = sozialatlas_store::StoreError::from(busy).into();
        assert!(matches!(wrapped, AppError::Busy), "{wrapped:?}");
        assert_eq!(wrapped.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&wrapped), Some(BUSY_RETRY_AFTER));
    }
}
