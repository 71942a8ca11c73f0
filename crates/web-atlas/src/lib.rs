//! The public atlas (the "graphical database") on the web kit: server-rendered pages, downloads,
//! the JSON API and the analysis pages, served from the published
//! [`Snapshot`](sozialatlas_store::Snapshot) held in memory.
//!
//! Architecture invariant: no statistics here (breaks, colours and changes come from
//! `sozialatlas-classify` and `sozialatlas-core`, maps and charts from `sozialatlas-render`),
//! and no value leaves except through [`IndicatorValue::published`](sozialatlas_core::IndicatorValue::published):
//! a suppressed value is never printed, in no format.
//!
//! Every state is in the URL: path segments carry indicator, level and year (so that the same
//! URLs can be written as static files), the query only options. German is the default; the same
//! paths under `/en/` are English. The atlas is read-only after start, so every response is a
//! function of its URL: the response cache wraps this crate's router ([`routes`]), so it serves
//! these routes and no other.

mod analysis;
mod api;
mod cache;
pub mod i18n;
mod pages;
mod params;
pub mod search;
mod select;
pub mod view;

use std::sync::{Arc, LazyLock};

use axum::http::Method;
use axum::middleware;
use sozialatlas_web_kit::{AppState, Index, NavEntry, Routes, assets, auth, error, layout};

pub use cache::{CacheStats, ResponseCache};

/// The pages, relative to the language prefix (German at `/…`, English at `/en/…`).
fn page_routes() -> Routes {
    Routes::new()
        .get("/", pages::start)
        .get("/search", pages::search)
        .get("/indicators/{id}", pages::indicator_redirect)
        .get("/indicators/{id}/{level}/{year}", pages::indicator)
        .get("/indicators", pages::indicators_redirect)
        .get("/areas", pages::areas)
        .get("/areas/{level}/{key}", pages::area)
        .get("/areas/{level}/{key}/profile.csv", pages::area_csv)
        .get("/areas/{level}/{key}/profile.pdf", pages::area_pdf)
        .get("/compare", pages::compare)
        .get("/data", pages::data)
        .get("/data/{file}", pages::data_file)
        .get("/catalogue", pages::catalogue)
        .get("/sources", pages::sources)
        .merge(analysis::page_routes())
}

/// Every route of the public atlas: its pages in both languages, its API at `/api/v1/`, the
/// static assets at `/static/`, wrapped by the response `cache` (which holds each response
/// compressed, once per encoding) — a route of another part is never cached. The server keeps
/// one cache per atlas (`state.part::<ResponseCache>()`), so routers on the same state share it.
pub fn routes(cache: Arc<ResponseCache>) -> Routes {
    Routes::localized(page_routes)
        .get("/en/", || async {
            axum::response::Redirect::permanent("/en")
        })
        .nest_router(
            "/api/v1",
            api::routes().merge(analysis::api_router()),
            api_routes().iter().map(|p| (Method::GET, *p)),
        )
        .get("/static/{file}", assets::serve)
        .map_router(|r| {
            r.layer(tower_http::compression::CompressionLayer::new())
                .layer(middleware::from_fn_with_state(cache, cache::layer))
        })
}

/// Whether the public atlas serves `path` on GET (a page in either language, the API, a static
/// asset): matched against [`routes`] themselves, so this and the router cannot disagree. The
/// static publication publishes these and no other.
pub fn serves(path: &str) -> bool {
    static GETS: LazyLock<matchit::Router<()>> = LazyLock::new(|| {
        let mut m = matchit::Router::new();
        for r in routes(Arc::default()).table() {
            if r.method == Method::GET {
                m.insert(r.path.clone(), ())
                    .unwrap_or_else(|e| panic!("the atlas route {}: {e}", r.path));
            }
        }
        m
    });
    GETS.at(path).is_ok()
}

/// The API's routes relative to `/api/v1`, exactly as registered; the OpenAPI document at
/// `/api/v1/openapi.json` describes each of them.
pub fn api_routes() -> &'static [&'static str] {
    static ALL: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
        api::ROUTES
            .iter()
            .chain(analysis::api::ROUTES.iter())
            .copied()
            .collect()
    });
    &ALL
}

/// The atlas's entries of the site's navigation, in order.
pub fn nav() -> Vec<NavEntry> {
    vec![
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
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_atlas_paths_are_served() {
        for p in [
            "/",
            "/en",
            "/en/",
            "/indicators/x/y/2020",
            "/en/areas/a/b",
            "/static/atlas.css",
            "/api/v1/catalogue",
            "/api/v1/openapi.json",
        ] {
            assert!(serves(p), "{p}");
        }
        for p in [
            "/login",
            "/en/login",
            "/account",
            "/admin/users",
            "/en/admin/audit",
            "/register",
            "/confirm/abc",
            "/ideas",
            "/english",
            "/api/v1/ideas",
        ] {
            assert!(!serves(p), "{p}");
        }
    }
}
