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
mod cache;
mod error;
mod i18n;
mod pages;
mod params;
mod view;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::routing::get;
use axum::{Extension, Router, middleware};
use sozialatlas_core::{Locale, ValueState};
use sozialatlas_store::{Pool, Snapshot};

pub use cache::ResponseCache;

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
    #[allow(dead_code)] // for the participation module's routes
    pool: Pool,
}

/// The state of the web application: the published atlas in memory, its lookups, the response
/// cache, and the store's pool (for the modules that write, such as participation).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Builds the state from the atlas snapshot and the store's pool.
    pub fn new(snapshot: Snapshot, pool: Pool) -> Self {
        let index = Index::build(&snapshot);
        AppState(Arc::new(Inner {
            snap: Arc::new(snapshot),
            index,
            cache: ResponseCache::new(4096, 128 * 1024 * 1024),
            pool,
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
}

fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::start))
        .route("/search", get(pages::search))
        .route("/indicators/{id}", get(pages::indicator_redirect))
        .route("/indicators/{id}/{level}/{year}", get(pages::indicator))
        .route("/areas/{level}/{key}", get(pages::area))
        .route("/compare", get(pages::compare))
        .route("/data", get(pages::data))
        .route("/data/{file}", get(pages::data_file))
        .route("/catalogue", get(pages::catalogue))
        .route("/sources", get(pages::sources))
        .merge(analysis::page_routes())
}

/// The whole application: German pages at `/`, English at `/en/`, the API at `/api/v1/`,
/// static assets at `/static/`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(page_routes().layer(Extension(Locale::De)))
        .nest("/en", page_routes().layer(Extension(Locale::En)))
        .route(
            "/en/",
            get(|| async { axum::response::Redirect::permanent("/en") }),
        )
        .nest("/api/v1", api::routes().merge(analysis::api_router()))
        .route("/static/{file}", get(assets::serve))
        .fallback(error::fallback)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(middleware::from_fn_with_state(state.clone(), cache::layer))
        .with_state(state)
}

/// Serves the atlas on `listen` until the process is stopped (Ctrl-C ends it gracefully).
pub async fn serve(listen: SocketAddr, state: AppState) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!("serving the atlas on http://{}", listener.local_addr()?);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
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
