//! Request body limits per route, checked before a byte of the body is read: a request that
//! declares a larger body (`Content-Length`) is answered 413 at once; one that streams without
//! a length is cut off at the limit. Every route takes [`FORM_LIMIT`] unless it was registered
//! with a larger one ([`crate::Routes::upload`]), so that nobody can make the server buffer
//! megabytes on a route that expects a form (the CSRF check reads form bodies to find the token).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::routes::RouteSpec;

/// The body limit of a route without one of its own: 256 KiB, far more than the longest form.
pub const FORM_LIMIT: usize = 256 * 1024;

/// The limit that applies to a request, as a request extension (set by [`body_limit`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyLimit(pub usize);

/// The body limit of every route, looked up by method and path.
#[derive(Debug)]
pub struct BodyLimits {
    routes: matchit::Router<Vec<(Method, usize)>>,
}

impl BodyLimits {
    /// The limits of the routes in `table` (routes without a larger one get [`FORM_LIMIT`]).
    pub fn new(table: &[RouteSpec]) -> Arc<Self> {
        let mut by_path: Vec<(String, Vec<(Method, usize)>)> = Vec::new();
        for r in table.iter().filter(|r| r.body_limit > FORM_LIMIT) {
            match by_path.iter_mut().find(|(p, _)| *p == r.path) {
                Some((_, v)) => v.push((r.method.clone(), r.body_limit)),
                None => by_path.push((r.path.clone(), vec![(r.method.clone(), r.body_limit)])),
            }
        }
        let mut routes = matchit::Router::new();
        for (path, limits) in by_path {
            // The paths are axum's, which uses the same router: they insert.
            if let Err(e) = routes.insert(path.clone(), limits) {
                tracing::error!("body limit of {path}: {e}");
            }
        }
        Arc::new(BodyLimits { routes })
    }

    /// The limit for `method` on `path`.
    pub fn limit(&self, method: &Method, path: &str) -> usize {
        self.routes
            .at(path)
            .ok()
            .and_then(|m| m.value.iter().find(|(mm, _)| mm == method))
            .map_or(FORM_LIMIT, |(_, l)| *l)
    }
}

/// Middleware: 413 for a request whose declared body is over its route's limit; otherwise the
/// body is cut off at the limit and the limit is left as a [`BodyLimit`] extension.
pub async fn body_limit(
    State(limits): State<Arc<BodyLimits>>,
    req: Request,
    next: Next,
) -> Response {
    let limit = limits.limit(req.method(), req.uri().path());
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return AppError::PayloadTooLarge(limit).into_response();
    }
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(BodyLimit(limit));
    let body = Body::new(http_body_util::Limited::new(body, limit));
    next.run(Request::from_parts(parts, body)).await
}

/// A size for people: "256 KB", "6 MB".
pub fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_by_route() {
        let table = vec![
            RouteSpec {
                method: Method::POST,
                path: "/ideas/{id}".into(),
                body_limit: FORM_LIMIT,
            },
            RouteSpec {
                method: Method::POST,
                path: "/p/{id}/upload".into(),
                body_limit: 6 << 20,
            },
            RouteSpec {
                method: Method::GET,
                path: "/p/{id}/upload".into(),
                body_limit: FORM_LIMIT,
            },
        ];
        let l = BodyLimits::new(&table);
        assert_eq!(l.limit(&Method::POST, "/p/7/upload"), 6 << 20);
        assert_eq!(l.limit(&Method::GET, "/p/7/upload"), FORM_LIMIT);
        assert_eq!(l.limit(&Method::POST, "/ideas/3"), FORM_LIMIT);
        assert_eq!(l.limit(&Method::POST, "/nowhere"), FORM_LIMIT);
        assert_eq!(human_size(FORM_LIMIT), "256 KB");
        assert_eq!(human_size(6 << 20), "6 MB");
    }
}
