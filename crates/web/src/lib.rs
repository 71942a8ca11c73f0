//! The interactive atlas (the "graphical database"): server-rendered pages, downloads and the
//! JSON API, served from the published [`Snapshot`] held in memory.
//!
//! Architecture invariant: no statistics here (breaks, colours and changes come from
//! `sozialatlas-classify` and `sozialatlas-core`, maps and charts from `sozialatlas-render`),
//! and no value leaves except through [`IndicatorValue::published`](sozialatlas_core::IndicatorValue::published):
//! a suppressed value is never printed, in no format.
//!
//! Every state is in the URL: path segments carry indicator, level and year (so that the same
//! URLs can be written as static files), the query only options. German is the default; the same
//! paths under `/en/` are English. The atlas is read-only after start, so every response is a
//! function of its URL and is cached by it ([`cache`]).

mod analysis;
mod api;
mod assets;
pub mod auth;
mod cache;
mod error;
mod i18n;
pub mod offices;
mod pages;
mod params;
mod participation;
pub mod publish;
pub mod routes;
mod view;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::Method;
use axum::{Extension, Router, middleware};
use sozialatlas_core::{Locale, ValueState};
use sozialatlas_store::{Pool, Snapshot};

pub use auth::{AuthConfig, CurrentUser};
pub use cache::ResponseCache;
pub use participation::seed_participation_example;
pub use routes::{RouteSpec, Routes};

/// Lookups built once from the snapshot, so that a request never scans the atlas.
#[derive(Debug)]
pub(crate) struct Index {
    /// Indicator id → index in the catalogue.
    pub indicator: HashMap<String, usize>,
    /// Level id → index in the tree.
    pub level: HashMap<String, usize>,
    /// (level, key) → area index.
    pub area: HashMap<(usize, String), usize>,
    /// The areas of each level, in input order.
    pub level_areas: Vec<Vec<usize>>,
    /// The city (root area).
    pub root: Option<usize>,
    /// Per indicator: the levels with at least one published value, coarsest first.
    pub levels_with_data: Vec<Vec<usize>>,
    /// Per indicator: the periods with at least one published value.
    pub periods: Vec<Vec<i32>>,
    /// Per indicator and level (`ind * n_levels + level`): periods with a published value.
    pub level_periods: Vec<Vec<i32>>,
}

impl Index {
    fn build(snap: &Snapshot) -> Index {
        let tree = &snap.tree;
        let n_levels = tree.levels.len();
        let n_ind = snap.catalogue.indicators.len();
        let depth = tree
            .level_depths()
            .unwrap_or_else(|_| (0..n_levels).collect());
        let mut level_periods = vec![Vec::new(); n_ind * n_levels];
        for v in &snap.values {
            if v.state == ValueState::Ok
                && let Some(a) = tree.areas.get(v.area)
                && v.indicator < n_ind
            {
                level_periods[v.indicator * n_levels + a.level].push(v.period);
            }
        }
        for p in &mut level_periods {
            p.sort_unstable();
            p.dedup();
        }
        let mut order: Vec<usize> = (0..n_levels).collect();
        order.sort_by_key(|&l| (tree.levels[l].overlay, depth[l]));
        let levels_with_data = (0..n_ind)
            .map(|i| {
                order
                    .iter()
                    .copied()
                    .filter(|&l| !level_periods[i * n_levels + l].is_empty())
                    .collect()
            })
            .collect();
        let periods = (0..n_ind)
            .map(|i| {
                let mut p: Vec<i32> = (0..n_levels)
                    .flat_map(|l| level_periods[i * n_levels + l].iter().copied())
                    .collect();
                p.sort_unstable();
                p.dedup();
                p
            })
            .collect();
        Index {
            indicator: snap
                .catalogue
                .indicators
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.clone(), i))
                .collect(),
            level: tree
                .levels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.id.clone(), i))
                .collect(),
            area: tree
                .areas
                .iter()
                .enumerate()
                .map(|(i, a)| ((a.level, a.key.clone()), i))
                .collect(),
            level_areas: (0..n_levels).map(|l| tree.areas_of_level(l)).collect(),
            root: tree.root(),
            levels_with_data,
            periods,
            level_periods,
        }
    }

    /// Periods with published values of an indicator on a level.
    pub fn periods_at(&self, ind: usize, level: usize) -> &[i32] {
        let n = self.level_areas.len();
        self.level_periods
            .get(ind * n + level)
            .map_or(&[], Vec::as_slice)
    }

    /// The default level of an indicator: the finest (non-overlay) level with data.
    pub fn default_level(&self, ind: usize) -> Option<usize> {
        let levels = self.levels_with_data.get(ind)?;
        levels
            .iter()
            .rev()
            .find(|&&l| self.level_areas[l].len() > 1)
            .or(levels.last())
            .copied()
    }
}

struct Inner {
    snap: Arc<Snapshot>,
    index: Index,
    cache: ResponseCache,
    pool: Pool,
    auth: auth::AuthState,
    office_key: Option<Arc<sozialatlas_offices::OfficeKey>>,
    sessions: auth::session::Store,
    reports: pages::Reports,
}

/// The state of the web application: the published atlas in memory, its lookups, the response
/// cache, and the store's pool (for the modules that write, such as participation).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Builds the state from the atlas snapshot and the store's pool, with default account
    /// settings.
    pub fn new(snapshot: Snapshot, pool: Pool) -> Self {
        Self::with_auth(snapshot, pool, AuthConfig::default())
    }

    /// Builds the state with account and session settings.
    pub fn with_auth(snapshot: Snapshot, pool: Pool, auth: AuthConfig) -> Self {
        let index = Index::build(&snapshot);
        AppState(Arc::new(Inner {
            snap: Arc::new(snapshot),
            index,
            cache: ResponseCache::new(4096, 128 * 1024 * 1024),
            sessions: auth::session::Store::new(pool.clone()),
            pool,
            auth: auth::AuthState::new(auth),
            office_key: None,
            reports: pages::Reports::default(),
        }))
    }

    /// The atlas.
    pub fn snapshot(&self) -> &Snapshot {
        &self.0.snap
    }

    /// The store's connection pool.
    pub fn pool(&self) -> &Pool {
        &self.0.pool
    }

    pub(crate) fn index(&self) -> &Index {
        &self.0.index
    }

    pub(crate) fn cache(&self) -> &ResponseCache {
        &self.0.cache
    }

    /// The rendered reports (PDF and HTML, German and English), made on first request.
    pub(crate) fn reports(&self) -> &pages::Reports {
        &self.0.reports
    }

    /// Sets the key that encrypts the identifying details of the action offices (before the
    /// state is shared).
    pub fn with_office_key(mut self, key: Option<sozialatlas_offices::OfficeKey>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.0) {
            inner.office_key = key.map(Arc::new);
        }
        self
    }

    /// The office key, if configured.
    pub(crate) fn office_key(&self) -> Option<&sozialatlas_offices::OfficeKey> {
        self.0.office_key.as_deref()
    }

    pub(crate) fn auth(&self) -> &auth::AuthState {
        &self.0.auth
    }

    pub(crate) fn session_store(&self) -> &auth::session::Store {
        &self.0.sessions
    }
}

/// The pages, relative to the language prefix (German at `/…`, English at `/en/…`).
fn page_routes() -> Routes {
    Routes::new()
        .get("/", pages::start)
        .get("/search", pages::search)
        .get("/indicators/{id}", pages::indicator_redirect)
        .get("/indicators/{id}/{level}/{year}", pages::indicator)
        .get("/areas/{level}/{key}", pages::area)
        .get("/compare", pages::compare)
        .get("/data", pages::data)
        .get("/data/{file}", pages::data_file)
        .get("/catalogue", pages::catalogue)
        .get("/sources", pages::sources)
        .merge(analysis::page_routes())
        .merge(auth::routes())
        .merge(participation::routes())
        .merge(offices::routes())
}

/// Every route of the application, recorded (see [`routes`]).
fn app_routes() -> Routes {
    Routes::new()
        .merge(page_routes().map_router(|r| r.layer(Extension(Locale::De))))
        .nest(
            "/en",
            page_routes().map_router(|r| r.layer(Extension(Locale::En))),
        )
        .get("/en/", || async {
            axum::response::Redirect::permanent("/en")
        })
        .nest_router(
            "/api/v1",
            api::routes().merge(analysis::api_router()),
            api::ROUTES
                .iter()
                .chain(analysis::api::ROUTES.iter())
                .map(|p| (Method::GET, *p)),
        )
        .get("/static/{file}", assets::serve)
}

/// Every route of the application (method and path pattern), exactly as the router has them:
/// the authorisation matrix test checks that each has a row.
pub fn route_table() -> Vec<RouteSpec> {
    app_routes().into_parts().1
}

/// The whole application: German pages at `/`, English at `/en/`, the API at `/api/v1/`,
/// static assets at `/static/`. Layers, outermost first: response cache (anonymous atlas GETs
/// only), compression, sessions, error pages, CSRF check.
pub fn router(state: AppState) -> Router {
    app_routes()
        .into_parts()
        .0
        .fallback(error::fallback)
        .layer(middleware::from_fn(auth::csrf_layer))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(auth::session_layer(&state))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), cache::layer))
        .with_state(state)
}

/// Serves the atlas on `listen` until the process is stopped (Ctrl-C ends it gracefully).
/// Expired sessions are deleted every ten minutes.
pub async fn serve(listen: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!("serving the atlas on http://{}", listener.local_addr()?);
    let sessions = state.session_store().clone();
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::warn!("deleting expired sessions: {e}");
            }
        }
    });
    let r = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    sweeper.abort();
    r
}

/// The API's routes relative to `/api/v1`, exactly as registered; the OpenAPI document at
/// `/api/v1/openapi.json` describes each of them.
pub fn api_routes() -> &'static [&'static str] {
    static ALL: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        api::ROUTES
            .iter()
            .chain(analysis::api::ROUTES.iter())
            .copied()
            .collect()
    });
    &ALL
}
