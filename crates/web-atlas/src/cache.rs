//! The response cache: the atlas is read-only after start, so a successful GET response is a
//! function of its URL. The first request renders; later ones copy bytes out of memory, with an
//! ETag (and `304 Not Modified` for a matching `If-None-Match`).
//!
//! Bounded by the number of entries and their total size; when full, the oldest entries go
//! first (FIFO: cheap, and good enough when the hot set fits, which it does for an atlas).
//!
//! Only anonymous GETs of the atlas pages, the atlas API and static files are cached: the cache
//! is a layer of the atlas's router ([`crate::routes`]), so the other parts' routes (accounts,
//! participation, offices, …) never reach it; a request with a session cookie and any response
//! that sets a cookie or says `no-store`/`private` bypass it.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// One cached response.
#[derive(Debug)]
struct Entry {
    body: Bytes,
    headers: HeaderMap,
    etag: HeaderValue,
}

#[derive(Debug, Default)]
struct Store {
    map: HashMap<String, Arc<Entry>>,
    order: VecDeque<String>,
    bytes: usize,
}

/// A bounded map from URL to rendered response.
#[derive(Debug)]
pub struct ResponseCache {
    store: RwLock<Store>,
    max_entries: usize,
    max_bytes: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What the cache did since the start (for `/metrics`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Requests answered from the cache (also with `304 Not Modified`).
    pub hits: u64,
    /// Cacheable requests (anonymous GET or HEAD) that were not in the cache and were rendered.
    pub misses: u64,
    /// Responses held now.
    pub entries: usize,
    /// Bytes of the bodies (and keys) held now.
    pub bytes: usize,
}

/// The smallest per-entry limit: responses up to this size are always cacheable (within the
/// cache's byte budget).
const MIN_ENTRY_LIMIT: usize = 8 * 1024 * 1024;

/// The atlas's cache: 4096 responses, 128 MiB of bodies.
impl Default for ResponseCache {
    fn default() -> Self {
        ResponseCache::new(4096, 128 * 1024 * 1024)
    }
}

impl ResponseCache {
    /// A cache of at most `max_entries` responses and `max_bytes` bytes of bodies.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        ResponseCache {
            store: RwLock::new(Store::default()),
            max_entries,
            max_bytes,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Hits and misses since the start, and what is held now.
    pub fn stats(&self) -> CacheStats {
        let (entries, bytes) = self.store.read().map_or((0, 0), |s| (s.map.len(), s.bytes));
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries,
            bytes,
        }
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        self.store.read().ok()?.map.get(key).cloned()
    }

    /// Responses larger than this are not cached: an eighth of the byte budget (so that one
    /// response pushes out at most an eighth of the pages), at least [`MIN_ENTRY_LIMIT`], at most
    /// the whole budget. With the server's 128 MiB that is 16 MiB: the indicator page of a
    /// 5,000-area atlas (about 10 MB) is cached.
    fn entry_limit(&self) -> usize {
        (self.max_bytes / 8)
            .max(MIN_ENTRY_LIMIT)
            .min(self.max_bytes)
    }

    fn insert(&self, key: String, entry: Entry) -> Arc<Entry> {
        let entry = Arc::new(entry);
        let size = entry.body.len() + key.len();
        if size > self.entry_limit() {
            return entry;
        }
        let Ok(mut s) = self.store.write() else {
            return entry;
        };
        if s.map.contains_key(&key) {
            return entry;
        }
        while !s.order.is_empty()
            && (s.map.len() >= self.max_entries || s.bytes + size > self.max_bytes)
        {
            if let Some(old) = s.order.pop_front()
                && let Some(e) = s.map.remove(&old)
            {
                s.bytes -= e.body.len() + old.len();
            }
        }
        s.bytes += size;
        s.order.push_back(key.clone());
        s.map.insert(key, entry.clone());
        entry
    }

    /// Number of cached responses.
    pub fn len(&self) -> usize {
        self.store.read().map_or(0, |s| s.map.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A strong ETag from the body's hash (per encoding, as the bytes differ).
fn etag_of(body: &[u8]) -> HeaderValue {
    let mut h = DefaultHasher::new();
    body.hash(&mut h);
    HeaderValue::from_str(&format!("\"{:016x}-{:x}\"", h.finish(), body.len()))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

fn respond(entry: &Entry, if_none_match: Option<&HeaderValue>, head: bool) -> Response {
    let not_modified = if_none_match.is_some_and(|v| {
        v.to_str().is_ok_and(|s| {
            s.split(',')
                .any(|t| t.trim() == entry.etag || t.trim() == "*")
        })
    });
    let mut r = if not_modified || head {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(entry.body.clone()))
    };
    if not_modified {
        *r.status_mut() = StatusCode::NOT_MODIFIED;
    }
    let h = r.headers_mut();
    for (k, v) in &entry.headers {
        h.insert(k.clone(), v.clone());
    }
    h.insert(header::ETAG, entry.etag.clone());
    if head && !not_modified {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(entry.body.len()));
    }
    r
}

/// Which responses may be cached, and for how long browsers may keep them.
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("/static/") {
        "public, max-age=86400"
    } else {
        "public, max-age=300"
    }
}

/// Whether the request carries the session cookie (a signed-in or form-using visitor).
fn has_session(req: &Request) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| {
            c.trim()
                .split_once('=')
                .is_some_and(|(k, _)| k == sozialatlas_web_kit::auth::session::COOKIE_NAME)
        })
}

/// Middleware: answers GET and HEAD from the cache, or renders and caches a 200 response.
pub async fn layer(State(cache): State<Arc<ResponseCache>>, req: Request, next: Next) -> Response {
    let head = req.method() == Method::HEAD;
    if req.method() != Method::GET && !head {
        return next.run(req).await;
    }
    if has_session(&req) {
        return next.run(req).await;
    }
    // Compression runs inside this layer, so the cache holds each URL once per encoding and a
    // hit costs no compression. The request's Accept-Encoding is reduced to the one encoding
    // chosen, so that what is rendered matches the key.
    let accepted = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let enc = if accepted.contains("br") {
        "br"
    } else if accepted.contains("gzip") {
        "gzip"
    } else {
        "identity"
    };
    let mut req = req;
    req.headers_mut()
        .insert(header::ACCEPT_ENCODING, HeaderValue::from_static(enc));
    // The URL as requested: inside `/en` the router sees the path without it.
    let uri = req
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().clone(), |o| o.0.clone());
    let key = format!(
        "{enc} {}",
        uri.path_and_query()
            .map_or_else(|| uri.path(), |pq| pq.as_str())
    );
    let inm = req.headers().get(header::IF_NONE_MATCH).cloned();
    if let Some(e) = cache.get(&key) {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        return respond(&e, inm.as_ref(), head);
    }
    cache.misses.fetch_add(1, Ordering::Relaxed);
    let path = uri.path().to_string();
    let resp = next.run(req).await;
    let personal = resp.headers().contains_key(header::SET_COOKIE)
        || resp
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store") || v.contains("private"));
    if resp.status() != StatusCode::OK || personal {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // Too large to cache: passed through as it is (buffering it could only fail).
    let limit = cache.entry_limit();
    if usize::try_from(axum::body::HttpBody::size_hint(&body).lower()).unwrap_or(usize::MAX) > limit
    {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, limit * 4).await else {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        return r;
    };
    let mut headers = HeaderMap::new();
    for name in [
        header::CONTENT_TYPE,
        header::CONTENT_ENCODING,
        header::CONTENT_DISPOSITION,
        header::CONTENT_LANGUAGE,
        header::VARY,
    ] {
        if let Some(v) = parts.headers.get(&name) {
            headers.insert(name, v.clone());
        }
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control(&path)),
    );
    let entry = Entry {
        etag: etag_of(&bytes),
        body: bytes,
        headers,
    };
    let entry = cache.insert(key, entry);
    respond(&entry, inm.as_ref(), head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize) -> Entry {
        Entry {
            body: Bytes::from(vec![b'x'; n]),
            headers: HeaderMap::new(),
            etag: HeaderValue::from_static("\"e\""),
        }
    }

    #[test]
    fn bounded_by_entries_and_bytes() {
        let c = ResponseCache::new(3, 1000);
        for i in 0..5 {
            c.insert(format!("/{i}"), entry(10));
        }
        assert_eq!(c.len(), 3);
        assert!(c.get("/0").is_none() && c.get("/4").is_some());
        c.insert("/big".into(), entry(900));
        assert!(c.store.read().unwrap().bytes <= 1000);
        assert!(c.get("/big").is_some());
    }

    #[tokio::test]
    async fn counts_hits_and_misses() {
        use axum::{Router, middleware, routing::get};
        use tower::ServiceExt as _;
        let cache = Arc::new(ResponseCache::new(10, 10_000));
        let app = Router::new()
            .route("/a", get(|| async { "a" }))
            .layer(middleware::from_fn_with_state(cache.clone(), layer));
        let get = |path: &str, cookie: bool| {
            let mut b = Request::builder().uri(path);
            if cookie {
                b = b.header(
                    header::COOKIE,
                    format!("{}=x", sozialatlas_web_kit::auth::session::COOKIE_NAME),
                );
            }
            app.clone().oneshot(b.body(Body::empty()).unwrap())
        };
        assert_eq!(get("/a", false).await.unwrap().status(), StatusCode::OK);
        assert_eq!(get("/a", false).await.unwrap().status(), StatusCode::OK);
        assert_eq!(get("/a", false).await.unwrap().status(), StatusCode::OK);
        // With a session the cache is bypassed: neither a hit nor a miss.
        assert_eq!(get("/a", true).await.unwrap().status(), StatusCode::OK);
        let s = cache.stats();
        assert_eq!((s.hits, s.misses, s.entries), (2, 1, 1));
        assert_eq!(s.bytes, "a".len() + "identity /a".len());
    }

    #[test]
    fn entry_limit_follows_the_budget() {
        // The server's cache: a 10 MB page (5,000 areas) is cached, a 20 MB one is not.
        let c = ResponseCache::new(4096, 128 * 1024 * 1024);
        assert_eq!(c.entry_limit(), 16 * 1024 * 1024);
        c.insert("/page".into(), entry(10 * 1024 * 1024));
        assert!(c.get("/page").is_some());
        c.insert("/huge".into(), entry(20 * 1024 * 1024));
        assert!(c.get("/huge").is_none());
        // Small budgets: 8 MiB at least, but never more than the whole budget.
        assert_eq!(ResponseCache::new(3, 1000).entry_limit(), 1000);
        assert_eq!(
            ResponseCache::new(10, 32 * 1024 * 1024).entry_limit(),
            MIN_ENTRY_LIMIT
        );
    }
}
