//! The embedded Flensburg demo as a web application, built once per test binary.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use sozialatlas_web::AppState;
use tokio::sync::OnceCell;
use tower::ServiceExt;

static STATE: OnceCell<AppState> = OnceCell::const_new();
/// On PostgreSQL: the demo's database (its URL) and its atlas, written once.
static POSTGRES_DEMO: OnceCell<(String, sozialatlas_store::Snapshot)> = OnceCell::const_new();

/// The demo atlas, loaded, computed, written to a store and read back; one store for the whole
/// test binary.
///
/// SQLite: one application over an in-memory store (see [`lasting_memory_store`]).
/// PostgreSQL (with `SOZIALATLAS_TEST_DATABASE_URL`): one database, but an application with a
/// pool of its own for every call. A PostgreSQL connection is driven by the runtime that opened
/// it, and every `#[tokio::test]` has a runtime of its own: a pool shared between tests would
/// hand one test a connection whose runtime another test is busy with or has shut down.
pub async fn state() -> AppState {
    if sozialatlas_test_support::test_database_url().is_some() {
        let (url, snap) = POSTGRES_DEMO
            .get_or_init(|| async {
                let url = sozialatlas_test_support::test_target(std::path::Path::new("")).await;
                let pool = sozialatlas_store::open(&url)
                    .await
                    .expect("the demo's store");
                let snap = sozialatlas_test_support::computed_example("flensburg")
                    .write_and_read(&pool)
                    .await
                    .expect("the demo atlas in the store");
                pool.close().await;
                (url, snap)
            })
            .await;
        let pool = sozialatlas_store::open(url)
            .await
            .expect("the demo's store");
        return AppState::new(snap.clone(), pool);
    }
    STATE
        .get_or_init(|| async { demo_state(lasting_memory_store().await).await })
        .await
        .clone()
}

/// An in-memory store that outlives the runtime it was made on. Every `#[tokio::test]` has a
/// runtime of its own, and sqlx hands a used connection back to its pool in a task on the
/// current runtime: a test that ends first takes the connection with it, and an in-memory
/// database lives only as long as a connection to it. So one more connection to the same
/// database (sqlx names it, with a shared cache) is kept open for the life of the process.
async fn lasting_memory_store() -> sozialatlas_store::Pool {
    use sqlx::Connection;
    static KEEP: std::sync::OnceLock<std::sync::Mutex<sqlx::AnyConnection>> =
        std::sync::OnceLock::new();
    sqlx::any::install_default_drivers();
    // A named in-memory database with a shared cache (one per test binary: one process).
    let url = "sqlite:file:sozialatlas-web-tests?mode=memory&cache=shared";
    let keep = sqlx::AnyConnection::connect(url)
        .await
        .expect("memory store");
    assert!(
        KEEP.set(std::sync::Mutex::new(keep)).is_ok(),
        "one lasting store per test binary"
    );
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect(url)
        .await
        .expect("memory store");
    sozialatlas_store::migrate(&pool).await.expect("migrations");
    pool
}

/// The demo atlas written into `pool` and read back, as an application.
async fn demo_state(pool: sozialatlas_store::Pool) -> AppState {
    let snap = sozialatlas_test_support::computed_example("flensburg")
        .write_and_read(&pool)
        .await
        .expect("the demo atlas in the store");
    AppState::new(snap, pool)
}

/// The router over the demo.
pub async fn app() -> Router {
    sozialatlas_web::router(state().await)
}

/// A response: status, content type, body.
pub struct Got {
    pub status: StatusCode,
    pub ctype: String,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Got {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// GET a path.
pub async fn get(path: &str) -> Got {
    get_from(&state().await, path).await
}

/// A fresh demo application with its own store (for tests that write: stored runs, sets).
pub async fn fresh_state() -> AppState {
    let (snap, pool) = sozialatlas_test_support::example_store("flensburg").await;
    AppState::new(snap, pool)
}

/// The application of an atlas folder, built into its own in-memory store.
pub async fn state_of(folder: &std::path::Path) -> AppState {
    let (snap, pool) = sozialatlas_test_support::folder_store(folder).await;
    AppState::new(snap, pool)
}

/// GET a path from a given application.
pub async fn get_from(state: &AppState, path: &str) -> Got {
    let resp = sozialatlas_web::router(state.clone())
        .oneshot(
            Request::builder()
                .uri(path)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let ctype = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = resp
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Got {
        status,
        ctype,
        headers,
        body,
    }
}

/// The suppressed values of the indicator `id` on the Stadtteil level: (year, area key, raw
/// value, raw numerator).
pub fn suppressed_stadtteil(
    state: &AppState,
    id: &str,
) -> Vec<(i32, String, Option<f64>, Option<f64>)> {
    let snap = state.snapshot();
    let ind = snap
        .catalogue
        .indicators
        .iter()
        .position(|i| i.id == id)
        .unwrap();
    let level = snap.tree.level_index("stadtteil").unwrap();
    snap.values
        .iter()
        .filter(|v| {
            v.indicator == ind && snap.tree.areas[v.area].level == level && v.state.is_suppressed()
        })
        .map(|v| {
            let key = snap.tree.areas[v.area].key.clone();
            (v.period, key, v.value, v.numerator)
        })
        .collect()
}

/// The index of the indicator `id` in the catalogue.
pub fn indicator_index(snap: &sozialatlas_store::Snapshot, id: &str) -> usize {
    snap.catalogue
        .indicators
        .iter()
        .position(|i| i.id == id)
        .unwrap_or_else(|| panic!("no indicator {id}"))
}

/// The table row of an area on an indicator page.
pub fn table_row<'a>(html: &'a str, key: &str) -> &'a str {
    let start = html
        .find(&format!("<tr data-key=\"{key}\""))
        .expect("table row of the area");
    let end = html[start..].find("</tr>").expect("row end") + start;
    &html[start..end]
}
