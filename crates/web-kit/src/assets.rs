//! The two static assets, compiled into the binary: one stylesheet and one small script.

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The stylesheet.
pub const CSS: &str = include_str!("../static/atlas.css");
/// The script: tooltips, linked highlighting, keyboard shortcuts, auto-submit.
pub const JS: &str = include_str!("../static/atlas.js");

/// `GET /static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Result<Response, AppError> {
    let (body, ctype) = match file.as_str() {
        "atlas.css" => (CSS, "text/css; charset=utf-8"),
        "atlas.js" => (JS, "text/javascript; charset=utf-8"),
        _ => return Err(AppError::NotFound(String::new())),
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    Ok(r)
}
