//! CSRF protection: every POST, PUT, PATCH and DELETE must carry the session's token, as the
//! form field `_csrf` (urlencoded or multipart forms) or the `X-CSRF-Token` header; otherwise
//! the answer is 403 and the handler never runs. Tokens are compared in constant time.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tower_sessions::Session;

use super::{Denied, SESSION_CSRF};
use crate::error::AppError;
use crate::limits::{BodyLimit, FORM_LIMIT};

/// The form field that carries the token.
pub const CSRF_FIELD: &str = "_csrf";
/// The header that carries the token (for scripts).
pub const CSRF_HEADER: &str = "x-csrf-token";

fn state_changing(m: &Method) -> bool {
    !matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The value of the multipart part named `_csrf`, if any.
fn multipart_field<'a>(body: &'a [u8], content_type: &str) -> Option<&'a [u8]> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}");
    let mut rest = body;
    while let Some(pos) = find(rest, delim.as_bytes()) {
        rest = &rest[pos + delim.len()..];
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..head_end]).ok()?;
        let content = &rest[head_end + 4..];
        let is_csrf = head.lines().any(|l| {
            l.to_ascii_lowercase().starts_with("content-disposition:")
                && (l.contains("name=\"_csrf\"") || l.ends_with("name=_csrf"))
        });
        if is_csrf {
            let end = find(content, format!("\r\n{delim}").as_bytes())?;
            return Some(&content[..end]);
        }
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn tokens_match(given: &[u8], expected: &str) -> bool {
    !expected.is_empty()
        && given.len() == expected.len()
        && bool::from(given.ct_eq(expected.as_bytes()))
}

/// Middleware: refuses a state-changing request without the session's CSRF token (403).
pub async fn csrf_layer(req: Request, next: Next) -> Response {
    if !state_changing(req.method()) {
        return next.run(req).await;
    }
    let refuse = || AppError::Forbidden(Denied::Csrf).into_response();
    let expected = match req.extensions().get::<Session>() {
        Some(s) => s.get::<String>(SESSION_CSRF).await.ok().flatten(),
        None => None,
    };
    let Some(expected) = expected else {
        return refuse();
    };
    if let Some(h) = req.headers().get(CSRF_HEADER) {
        return if tokens_match(h.as_bytes(), &expected) {
            next.run(req).await
        } else {
            refuse()
        };
    }
    let ctype = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let urlencoded = ctype.starts_with("application/x-www-form-urlencoded");
    let multipart = ctype.starts_with("multipart/form-data");
    if !urlencoded && !multipart {
        return refuse();
    }
    // The route's limit, checked before reading (crate::limits); a body that streams past it
    // fails to read.
    let limit = req
        .extensions()
        .get::<BodyLimit>()
        .map_or(FORM_LIMIT, |l| l.0);
    let (parts, body) = req.into_parts();
    let Ok(bytes): Result<Bytes, _> = axum::body::to_bytes(body, limit).await else {
        return AppError::PayloadTooLarge(limit).into_response();
    };
    let ok = if urlencoded {
        form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == CSRF_FIELD)
            .is_some_and(|(_, v)| tokens_match(v.as_bytes(), &expected))
    } else {
        multipart_field(&bytes, &ctype).is_some_and(|v| tokens_match(v, &expected))
    };
    if !ok {
        return refuse();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_token_in_multipart() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHallo\r\n--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nabc123\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field(body, "multipart/form-data; boundary=XyZ"),
            Some(&b"abc123"[..])
        );
        assert_eq!(
            multipart_field(b"--XyZ\r\n\r\n", "multipart/form-data; boundary=XyZ"),
            None
        );
        assert!(tokens_match(b"abc", "abc"));
        assert!(!tokens_match(b"abd", "abc"));
        assert!(!tokens_match(b"", ""));
    }
}
