//! The security headers every response carries, pages, downloads and error pages alike.
//!
//! - `Content-Security-Policy`: scripts, styles, images, fonts and requests only from this
//!   site, no inline script (style attributes are allowed: the maps' SVG uses them), no plugins,
//!   forms only to this site, and no framing (`frame-ancestors 'none'`);
//! - `X-Frame-Options: DENY` for browsers that do not know `frame-ancestors`;
//! - `X-Content-Type-Options: nosniff`;
//! - `Referrer-Policy: same-origin` (addresses such as an office's case pages never leave
//!   the site);
//! - `Strict-Transport-Security` when the site runs behind HTTPS (`--secure-cookies`).

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// The content security policy of every response.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Adds the security headers to the response (a layer of the whole router).
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if state.auth().config.secure_cookies {
        h.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}
