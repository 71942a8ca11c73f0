//! What the server tells its operators: `/metrics` (on the metrics listener) counts requests
//! by route template and status — never by the path as requested —, and reports the response
//! cache, the database pool and the loaded atlas; every response carries a request id.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::fresh_state;

async fn send(app: &axum::Router, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app
        .clone()
        .oneshot(Request::builder().uri(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

/// The value of the sample `name{labels}` (exactly as written) in a text exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
}

#[tokio::test]
async fn metrics_count_routes_not_paths_and_report_cache_pool_and_atlas() {
    let state = fresh_state().await;
    let app = sozialatlas_web::server_router(state.clone());
    let metrics = sozialatlas_web::metrics_router(state.clone());
    for _ in 0..2 {
        let (status, headers, _) = send(&app, "/areas/stadt/0?name=Erika+Mustermann").await;
        assert_eq!(status, StatusCode::OK);
        let id = headers["x-request-id"].to_str().unwrap();
        assert!(
            id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
    }
    let (status, _, _) = send(&app, "/secret-path-of-erika").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&app, "/en/login").await;
    assert_eq!(status, StatusCode::OK);

    let (status, headers, text) = send(&metrics, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let area = r#"method="GET",route="/areas/{level}/{key}""#;
    assert_eq!(
        sample(
            &text,
            &format!("sozialatlas_http_requests_total{{{area},status=\"200\"}}")
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"sozialatlas_http_requests_total{method="GET",route="unmatched",status="404"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"sozialatlas_http_requests_total{method="GET",route="/en/login",status="200"}"#
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("sozialatlas_http_request_duration_seconds_bucket{{le=\"+Inf\",{area}}}")
        )
        .or_else(|| sample(
            &text,
            &format!("sozialatlas_http_request_duration_seconds_bucket{{{area},le=\"+Inf\"}}")
        )),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("sozialatlas_http_request_duration_seconds_count{{{area}}}")
        ),
        Some(2.0),
        "{text}"
    );
    // The second request of the area page came from the cache.
    assert_eq!(
        sample(&text, "sozialatlas_response_cache_hits_total"),
        Some(1.0),
        "{text}"
    );
    assert!(sample(&text, "sozialatlas_response_cache_misses_total") >= Some(1.0));
    assert!(sample(&text, "sozialatlas_response_cache_entries") >= Some(1.0));
    assert!(sample(&text, "sozialatlas_db_pool_connections") >= Some(1.0));
    assert!(sample(&text, "sozialatlas_db_pool_idle_connections").is_some());
    assert_eq!(sample(&text, "sozialatlas_atlas_load_id"), Some(1.0));
    let slots = sample(&text, "sozialatlas_cpu_slots").unwrap();
    assert!(slots >= 1.0, "{text}");
    // The slots are the process's: other tests in this binary may hold some right now.
    let running = sample(&text, "sozialatlas_cpu_running").unwrap();
    assert!((0.0..=slots).contains(&running), "{text}");
    // Written in this test run: after 2025, not in the future.
    let loaded = sample(&text, "sozialatlas_atlas_loaded_at_seconds").unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(loaded > 1.735e9 && loaded <= now + 1.0, "{loaded}");
    assert_eq!(
        sample(
            &text,
            &format!(
                "sozialatlas_build_info{{version=\"{}\"}}",
                env!("CARGO_PKG_VERSION")
            )
        ),
        Some(1.0)
    );
    // Nothing as requested: no path, no query.
    for personal in ["Erika", "Mustermann", "secret", "/areas/stadt/0", "name="] {
        assert!(!text.contains(personal), "{personal} in\n{text}");
    }
    // The metrics listener serves nothing else.
    assert_eq!(send(&metrics, "/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(&metrics, "/healthz").await.0, StatusCode::NOT_FOUND);
}
