//! What a load balancer, systemd, a container platform or the city's monitoring asks a running
//! instance: `/healthz` (the process answers) and `/readyz` (the database answers and an atlas
//! is loaded) on the main listener; `/metrics` (Prometheus text) on the metrics listener only
//! ([`metrics_routes`]); and one log line per request ([`track`]). Plain text, never cached,
//! the same in every language.
//!
//! Nothing here names a person: requests are counted and logged by their route template
//! (`/areas/{level}/{key}`), never by the path as requested, its query, a cookie or an address.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sozialatlas_web_atlas::ResponseCache;

use crate::{AppState, Routes};

/// `/healthz` and `/readyz`.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/healthz", healthz)
        .get("/readyz", readyz)
}

/// `/metrics`: served on the metrics listener (`--metrics-listen`), not on the main one.
pub(crate) fn metrics_routes() -> Routes {
    Routes::new().get("/metrics", metrics)
}

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Alive: the process answers requests.
async fn healthz() -> Response {
    plain(StatusCode::OK, "ok\n".into())
}

/// Ready for traffic: the database answers a query (the atlas is in memory from the start);
/// otherwise 503 with the reason.
async fn readyz(State(state): State<AppState>) -> Response {
    if let Err(e) = sozialatlas_store::ping(state.pool()).await {
        tracing::warn!("readyz: the database does not answer: {e}");
        return plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "not ready: the database does not answer\n".into(),
        );
    }
    // The server starts only with an atlas in memory: say which load.
    plain(
        StatusCode::OK,
        format!("ready: load {}\n", state.snapshot().load.id),
    )
}

/// The labels of a request: method, route template and status code.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

/// The labels of a request's duration: method and route template.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

/// The version of the program (`sozialatlas_build_info`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

/// The seconds a request took, in Prometheus's default buckets (5 ms to 10 s).
fn duration_histogram() -> Histogram {
    Histogram::new([
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
    ])
}

/// The metrics of one server (kept in the state as a part): the request counters and their
/// durations; the rest is read at each scrape.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("sozialatlas");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status code",
            requests.clone(),
        );
        let durations = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            duration_histogram,
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from receiving a request to its response headers, by method and route template",
            durations.clone(),
        );
        let info = Family::<BuildLabels, Gauge>::default();
        info.get_or_create(&BuildLabels {
            version: env!("CARGO_PKG_VERSION"),
        })
        .set(1);
        registry.register("build_info", "The program's version (always 1)", info);
        Metrics {
            registry,
            requests,
            durations,
        }
    }
}

impl Metrics {
    /// Counts a request and its duration.
    fn observe(&self, method: &'static str, route: &str, status: StatusCode, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route: route.to_string(),
                status: status.as_u16(),
            })
            .inc();
        self.durations
            .get_or_create(&RouteLabels {
                method,
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// The text exposition of every metric: the requests, then the response cache, the
    /// database pool, the slots for heavy computation and the atlas as they are now.
    fn encode(&self, state: &AppState) -> Result<String, std::fmt::Error> {
        let mut now = Registry::with_prefix("sozialatlas");
        let cache = state.part::<ResponseCache>().stats();
        now.register(
            "response_cache_hits",
            "Atlas requests answered from the response cache",
            ConstCounter::new(cache.hits),
        );
        now.register(
            "response_cache_misses",
            "Cacheable atlas requests that were not in the response cache (rendered)",
            ConstCounter::new(cache.misses),
        );
        now.register(
            "response_cache_entries",
            "Responses held in the response cache",
            ConstGauge::new(gauge(cache.entries)),
        );
        now.register(
            "response_cache_bytes",
            "Bytes held in the response cache",
            ConstGauge::new(gauge(cache.bytes)),
        );
        let pool = state.pool();
        now.register(
            "db_pool_connections",
            "Open connections of the database pool",
            ConstGauge::new(i64::from(pool.size())),
        );
        now.register(
            "db_pool_idle_connections",
            "Idle connections of the database pool",
            ConstGauge::new(gauge(pool.num_idle())),
        );
        now.register(
            "cpu_slots",
            "Heavy computations (typology, Moran's permutations, PNG, the report) that may run at once",
            ConstGauge::new(gauge(sozialatlas_web_kit::cpu::slots())),
        );
        now.register(
            "cpu_running",
            "Heavy computations running now (more wait when all slots are taken)",
            ConstGauge::new(gauge(sozialatlas_web_kit::cpu::busy())),
        );
        let load = &state.snapshot().load;
        now.register(
            "atlas_load_id",
            "The id of the atlas load being served",
            ConstGauge::new(load.id),
        );
        now.register(
            "atlas_loaded_at_seconds",
            "When the atlas load being served was written (Unix time)",
            ConstGauge::new(unix_time(&load.loaded_at).unwrap_or(0)),
        );
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)?;
        prometheus_client::encoding::prometheus_text::encode(&mut out, &now)?;
        Ok(out)
    }
}

fn gauge(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// An RFC 3339 time (as loads are stamped) as Unix seconds.
fn unix_time(rfc3339: &str) -> Option<i64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

/// `/metrics`: the Prometheus text format (version 0.0.4).
async fn metrics(State(state): State<AppState>) -> Response {
    match state.part::<Metrics>().encode(&state) {
        Ok(body) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response(),
        Err(e) => {
            tracing::error!("encoding the metrics: {e}");
            plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "cannot encode the metrics\n".into(),
            )
        }
    }
}

/// The method as a label: the standard ones by name, any other as `other` (a client could
/// send any token).
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The label of a request that matched no route (the 404 page): never the path itself.
const UNMATCHED: &str = "unmatched";

/// Middleware of the server (outermost): counts each request by route template and status,
/// observes its duration, sets `X-Request-Id` and writes one log line (target
/// `sozialatlas::request`, level info) with method, route template, status, duration and the
/// request id — no path, query, cookie or address.
pub(crate) async fn track(
    State(metrics): State<Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED, MatchedPath::as_str)
        .to_string();
    let id = format!("{:016x}", rand::random::<u64>());
    let mut resp = next.run(req).await;
    let elapsed = start.elapsed();
    let status = resp.status();
    metrics.observe(method, &route, status, elapsed.as_secs_f64());
    tracing::info!(
        target: "sozialatlas::request",
        method = %method,
        route = %route,
        status = status.as_u16(),
        duration_ms = (elapsed.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
        request_id = %id,
        "request"
    );
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}
