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
mod cache;
mod i18n;
pub mod offices;
mod pages;
mod params;
mod participation;
pub mod publish;
mod view;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::http::Method;
use axum::{Extension, Router, middleware};
use sozialatlas_core::Locale;
use sozialatlas_web_kit::{Index, Nav, NavEntry, assets, error, layout};

pub use cache::ResponseCache;
pub use participation::seed_participation_example;
pub use sozialatlas_web_kit::{AppState, AuthConfig, CurrentUser, RouteSpec, Routes, auth, routes};

/// The key that encrypts the identifying details of the action offices, kept in the state.
#[derive(Default)]
pub(crate) struct OfficeKeyPart(Option<Arc<sozialatlas_offices::OfficeKey>>);

/// What this crate keeps in the kit's [`AppState`].
pub trait StateExt {
    /// Sets the key that encrypts the identifying details of the action offices.
    fn with_office_key(self, key: Option<sozialatlas_offices::OfficeKey>) -> Self;
    /// The office key, if configured.
    fn office_key(&self) -> Option<Arc<sozialatlas_offices::OfficeKey>>;
}

impl StateExt for AppState {
    fn with_office_key(self, key: Option<sozialatlas_offices::OfficeKey>) -> Self {
        self.set_part(OfficeKeyPart(key.map(Arc::new)));
        self
    }

    fn office_key(&self) -> Option<Arc<sozialatlas_offices::OfficeKey>> {
        self.part::<OfficeKeyPart>().0.clone()
    }
}

/// The site's navigation, in order.
fn nav() -> Nav {
    Nav(vec![
        NavEntry {
            path: "/",
            label: |l| i18n::msgs(l).nav_start,
            sections: &["", "search", "indicators", "areas"],
        },
        NavEntry {
            path: "/compare",
            label: |l| i18n::msgs(l).nav_compare,
            sections: &["compare"],
        },
        NavEntry {
            path: "/analysis",
            label: |l| i18n::analysis::amsgs(l).nav_analysis,
            sections: &["analysis"],
        },
        NavEntry {
            path: "/catalogue",
            label: |l| i18n::msgs(l).nav_catalogue,
            sections: &["catalogue"],
        },
        NavEntry {
            path: "/data",
            label: |l| i18n::msgs(l).nav_data,
            sections: &["data"],
        },
        NavEntry {
            path: "/sources",
            label: |l| i18n::msgs(l).nav_sources,
            sections: &["sources"],
        },
        NavEntry {
            path: "/participation",
            label: |l| participation::pmsgs(l).participation,
            sections: &["participation"],
        },
    ])
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
/// only), compression, sessions, error pages, CSRF check, panic guard.
pub fn router(state: AppState) -> Router {
    state.set_part(nav());
    app_routes()
        .into_parts()
        .0
        .fallback(error::fallback)
        .layer(error::panic_guard())
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
