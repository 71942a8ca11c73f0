//! What a load balancer, systemd or a container platform asks a running instance: `/healthz`
//! (the process answers) and `/readyz` (the database answers and an atlas is loaded). Plain
//! text, never cached, the same in every language.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::{AppState, Routes};

/// `/healthz` and `/readyz`.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/healthz", healthz)
        .get("/readyz", readyz)
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
