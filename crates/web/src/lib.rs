//! The Sozialatlas web application, composed: the public atlas (`sozialatlas-web-atlas`), the
//! accounts (`sozialatlas-web-kit`), participation (`sozialatlas-web-participation`) and the
//! action offices (`sozialatlas-web-offices`) on one router with the kit's layers and the
//! navigation; the static publication of it ([`publish`]); and the server ([`serve`]).
//!
//! Architecture invariant: no statistics here, and every route is registered through the kit's
//! [`Routes`], so that [`route_table`] lists them all for the authorisation matrix test.

mod ops;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::{Router, middleware};
use sozialatlas_web_atlas::ResponseCache;
use sozialatlas_web_kit::limits::{BodyLimits, body_limit};
use sozialatlas_web_kit::{Nav, NavEntry, error};

pub use sozialatlas_web_atlas::api_routes;
/// Accounts on the web (the kit's).
pub use sozialatlas_web_kit::auth;
pub use sozialatlas_web_kit::{AppState, AuthConfig, CurrentUser, RouteSpec, Routes, routes};
pub use sozialatlas_web_offices::StateExt;
pub use sozialatlas_web_participation::{mail_notifications, seed_participation_example};

/// The static publication ([`sozialatlas_web_publish`]) of the atlas as this application
/// serves it.
pub mod publish {
    use super::*;

    pub use sozialatlas_web_publish::*;

    /// Publishes the atlas of `state` into the folder `out`, every page requested from
    /// [`router`](crate::router) on the same state (see [`sozialatlas_web_publish::publish`]).
    pub async fn publish(
        state: AppState,
        out: &Path,
        opts: &PublishOptions,
        progress: &(dyn Fn(Phase, usize, usize) + Send + Sync),
    ) -> Result<PublishSummary, PublishError> {
        let router = crate::router(state.clone());
        sozialatlas_web_publish::publish(state, router, out, opts, progress).await
    }
}

/// The site's navigation: the atlas's entries, then participation and the action offices.
fn nav() -> Nav {
    let mut entries = sozialatlas_web_atlas::nav();
    entries.push(NavEntry {
        path: "/participation",
        label: |l| sozialatlas_web_participation::pmsgs(l).participation,
        sections: &["participation"],
    });
    entries.push(NavEntry {
        path: "/offices",
        label: |l| sozialatlas_web_offices::office_msgs(l).offices_title,
        sections: &["offices", "office"],
    });
    Nav(entries)
}

/// The pages of the parts other than the atlas, relative to the language prefix.
fn page_routes() -> Routes {
    Routes::new()
        .merge(auth::routes())
        .merge(sozialatlas_web_participation::routes())
        .merge(sozialatlas_web_offices::routes())
}

/// Every route of the application, recorded (see [`routes`]); the atlas's with `cache`.
fn app_routes(cache: Arc<ResponseCache>) -> Routes {
    sozialatlas_web_atlas::routes(cache)
        .merge(Routes::localized(page_routes))
        .merge(ops::routes())
}

/// Every route of the application (method and path pattern), exactly as the router has them:
/// the authorisation matrix test checks that each has a row.
pub fn route_table() -> Vec<RouteSpec> {
    app_routes(Arc::default()).into_parts().1
}

/// Every route of the metrics listener ([`metrics_router`]), for the same test.
pub fn metrics_route_table() -> Vec<RouteSpec> {
    ops::metrics_routes().into_parts().1
}

/// The whole application: German pages at `/`, English at `/en/`, the API at `/api/v1/`,
/// static assets at `/static/`. Layers, outermost first: compression, security headers,
/// sessions, error pages, body limit, CSRF check, panic guard (the atlas's routes have the
/// response cache inside these).
pub fn router(state: AppState) -> Router {
    state.set_part(nav());
    let (routes, table) = app_routes(state.part::<ResponseCache>()).into_parts();
    routes
        .fallback(error::fallback)
        .layer(error::panic_guard())
        .layer(middleware::from_fn(auth::csrf_layer))
        .layer(middleware::from_fn_with_state(
            BodyLimits::new(&table),
            body_limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(auth::session_layer(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            sozialatlas_web_kit::headers::security_headers,
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// The application as the server runs it: [`router`] with each request counted for
/// `/metrics` and logged in one line (target `sozialatlas::request`; route template, status,
/// duration, request id — nothing personal), and an `X-Request-Id` on every response. The
/// counters are kept across new loads of the atlas.
pub fn server_router(state: AppState) -> Router {
    let metrics = state.keep_part::<ops::Metrics>();
    router(state).layer(middleware::from_fn_with_state(metrics, ops::track))
}

/// The metrics listener's application: `GET /metrics` (Prometheus text format) and nothing
/// else. It is served on its own address (`--metrics-listen`), for the monitoring on the
/// city's internal network; the main listener has no `/metrics`.
pub fn metrics_router(state: AppState) -> Router {
    ops::metrics_routes()
        .into_parts()
        .0
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        .with_state(state)
}

/// How often a serving instance puts the notifications waiting for a mail into the outbox.
pub const NOTIFY_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// How often a serving instance asks the store whether a new load of the atlas has landed.
pub const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// The application as served: the [`server_router`] of the current load of the atlas. A new
/// load in the store (a `build` while the server runs, on this instance's machine or
/// another's) is taken up by [`Live::refresh`], which [`serve`] calls every [`RELOAD_EVERY`];
/// requests in flight finish on the load they started with.
#[derive(Clone)]
pub struct Live {
    current: Arc<std::sync::RwLock<Served>>,
}

/// One load as served: its state, its application and its metrics endpoint.
struct Served {
    state: AppState,
    app: Router,
    metrics: Router,
}

impl Served {
    fn new(state: AppState) -> Served {
        Served {
            app: server_router(state.clone()),
            metrics: metrics_router(state.clone()),
            state,
        }
    }
}

impl Live {
    /// Serves `state`'s atlas until a newer load lands.
    pub fn new(state: AppState) -> Live {
        Live {
            current: Arc::new(std::sync::RwLock::new(Served::new(state))),
        }
    }

    fn read<T>(&self, pick: impl FnOnce(&Served) -> T) -> T {
        pick(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The state of the load being served.
    pub fn state(&self) -> AppState {
        self.read(|s| s.state.clone())
    }

    /// A router that hands every request to the current load's router.
    pub fn router(&self) -> Router {
        self.forward(|s| s.app.clone())
    }

    /// The [`metrics_router`] of the load being served, whichever it is when asked.
    pub fn metrics_router(&self) -> Router {
        self.forward(|s| s.metrics.clone())
    }

    /// A router that hands every request to the router `pick` takes from the current load.
    fn forward(&self, pick: fn(&Served) -> Router) -> Router {
        let live = self.clone();
        Router::new().fallback_service(tower::service_fn(move |req: axum::extract::Request| {
            let r = live.read(pick);
            async move { tower::ServiceExt::oneshot(r, req).await }
        }))
    }

    /// Asks the store for its latest load; when it is not the one served, reads it (with the
    /// offices' statistics, as at start) and serves it from now on. Returns the new load's id.
    pub async fn refresh(&self) -> Result<Option<i64>, Box<dyn std::error::Error + Send + Sync>> {
        let state = self.state();
        let pool = state.pool().clone();
        let latest = sozialatlas_store::latest_load_id(&pool).await?;
        if latest.is_none_or(|id| id == state.snapshot().load.id) {
            return Ok(None);
        }
        let snap = sozialatlas_store::read_snapshot(&pool).await?;
        let snap = sozialatlas_offices::atlas::extend_snapshot(
            &pool,
            snap,
            sozialatlas_offices::Date::today(),
        )
        .await?;
        let id = snap.load.id;
        let next = Served::new(state.with_snapshot(snap));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = next;
        Ok(Some(id))
    }
}

/// Serves the atlas on `listen` (and `/metrics` on `metrics`, if given) until SIGINT (Ctrl-C)
/// or SIGTERM: then it stops accepting, finishes the requests in flight, closes the database
/// and returns `Ok`. A new load of the atlas in the store is served as soon as PostgreSQL
/// announces it, and on SQLite within [`RELOAD_EVERY`] (see [`Live`]). Expired sessions and rate-limit events older than an hour are deleted every
/// ten minutes.
pub async fn serve(
    listen: SocketAddr,
    metrics: Option<SocketAddr>,
    state: AppState,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!("serving the atlas on http://{}", listener.local_addr()?);
    let live = Live::new(state.clone());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let metrics_server = match metrics {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!("serving /metrics on http://{}", l.local_addr()?);
            let app = live.metrics_router();
            let mut stopped = stopped.clone();
            Some(tokio::spawn(async move {
                axum::serve(l, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|s| *s).await;
                    })
                    .await
            }))
        }
        None => None,
    };
    let watcher = {
        let live = live.clone();
        let pool = state.pool().clone();
        tokio::spawn(async move {
            // PostgreSQL announces a new load when it commits: swap at once. Ask every
            // RELOAD_EVERY as well (SQLite has no notices; on PostgreSQL it covers notices sent
            // while the listening connection was down).
            let mut notices = sozialatlas_store::LoadNotices::listen(&pool)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!("listening for new loads of the atlas (asking every {RELOAD_EVERY:?} instead): {e}");
                    sozialatlas_store::LoadNotices::none()
                });
            let mut tick = tokio::time::interval(RELOAD_EVERY);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    notice = notices.next() => {
                        if let Err(e) = notice {
                            tracing::warn!("listening for new loads of the atlas: {e}");
                            tokio::time::sleep(RELOAD_EVERY).await;
                        }
                    }
                }
                match live.refresh().await {
                    Ok(Some(id)) => tracing::info!("serving the new load {id} of the atlas"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!("checking for a new load of the atlas: {e}"),
                }
            }
        })
    };
    let sessions = state.session_store().clone();
    let pool = state.pool().clone();
    let purge_pool = pool.clone();
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Err(e) = sessions.delete_expired().await {
                tracing::warn!("deleting expired sessions: {e}");
            }
            if let Err(e) = sozialatlas_accounts::ratelimit::purge(&purge_pool).await {
                tracing::warn!("deleting old rate-limit events: {e}");
            }
        }
    });
    // Authors are told by e-mail what happens to their ideas: the messages waiting for it go
    // into the outbox within NOTIFY_EVERY (mailed on from there with `--smtp`).
    let mailer = {
        let state = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(NOTIFY_EVERY);
            loop {
                tick.tick().await;
                if let Err(e) = mail_notifications(&state).await {
                    tracing::warn!("mailing notifications: {e}");
                }
            }
        })
    };
    let r = axum::serve(
        listener,
        live.router()
            .into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    })
    .await;
    sweeper.abort();
    watcher.abort();
    mailer.abort();
    if let Some(m) = metrics_server
        && let Ok(Err(e)) = m.await
    {
        tracing::warn!("the metrics listener: {e}");
    }
    tracing::info!("stopped: in-flight requests finished, closing the database");
    sozialatlas_store::close(&pool).await;
    r
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (systemd, container platforms), whichever comes
/// first: the server then stops accepting and finishes the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
