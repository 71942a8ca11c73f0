//! The analysis routes of the JSON API: the index, the typology and Moran's I computed from the
//! URL's settings (the same settings as the pages), the stored runs, and the action-area sets.
//! Errors are JSON in English, like the rest of the API.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use sozialatlas_core::Locale;
use sozialatlas_runs::MoranParams;

use crate::AppState;
use crate::error::AppError;
use crate::params;

/// The routes, relative to `/api/v1`.
pub const ROUTES: [&str; 6] = [
    "/analysis/index",
    "/analysis/typology",
    "/analysis/moran",
    "/runs",
    "/runs/{run}",
    "/action-areas",
];

/// The router of these routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ROUTES[0], get(index))
        .route(ROUTES[1], get(typology))
        .route(ROUTES[2], get(moran))
        .route(ROUTES[3], get(runs))
        .route(ROUTES[4], get(run))
        .route(ROUTES[5], get(action_areas))
}

const EN: Locale = Locale::En;

fn json_of<T: serde::Serialize>(v: &T) -> Result<Value, AppError> {
    Ok(serde_json::to_value(v)?)
}

/// `GET /api/v1/analysis/index`.
async fn index(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let q = super::index::IndexQuery::parse(&state, &pairs, EN)?;
    let p = q.params(&state, EN)?;
    let run = sozialatlas_runs::run_index(state.snapshot(), &p)
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let mut counts = serde_json::Map::new();
    for r in run.result.areas.iter().flatten() {
        let e = counts.entry(r.combined.code()).or_insert(json!(0));
        *e = json!(e.as_u64().unwrap_or(0) + 1);
    }
    let mut v = json_of(&run)?;
    v["counts"] = Value::Object(counts);
    Ok(Json(v).into_response())
}

/// `GET /api/v1/analysis/typology`.
async fn typology(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let (_, run) = super::typology::compute_off(&state, &pairs, EN).await?;
    Ok(Json(json_of(&run)?).into_response())
}

fn bad(param: &str, value: &str, expected: &str) -> AppError {
    AppError::BadParam {
        param: param.into(),
        value: value.into(),
        expected: expected.into(),
    }
}

/// `GET /api/v1/analysis/moran`.
async fn moran(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let id = params::get(&pairs, "indicator")
        .ok_or_else(|| bad("indicator", "", "an indicator id, e.g. sgb2_quote"))?;
    let ind = crate::view::indicator(&state, id, EN)?;
    let idx = state.index();
    let level = match params::get(&pairs, "level") {
        Some(l) => crate::view::level(&state, l, EN)?,
        None => idx
            .default_level(ind)
            .ok_or_else(|| AppError::NotFound("This indicator has no data.".into()))?,
    };
    let year = match params::get(&pairs, "year") {
        Some(y) => crate::view::year(&state, ind, y, EN)?,
        None => *idx.periods_at(ind, level).last().ok_or_else(|| {
            AppError::NotFound("This indicator has no data on this level.".into())
        })?,
    };
    let permutations = match params::get(&pairs, "permutations") {
        None => super::moran::PERMUTATIONS,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (99..=9999).contains(n))
            .ok_or_else(|| bad("permutations", s, "a whole number from 99 to 9999"))?,
    };
    let seed = match params::get(&pairs, "seed") {
        None => super::moran::SEED,
        Some(s) => s
            .parse::<u64>()
            .map_err(|_| bad("seed", s, "a whole number, 0 or more"))?,
    };
    let alpha = match params::get(&pairs, "alpha") {
        None => super::moran::ALPHA,
        Some(s) => params::parse_number(s)
            .filter(|a| *a > 0.0 && *a < 1.0)
            .ok_or_else(|| bad("alpha", s, "a number between 0 and 1, e.g. 0.05"))?,
    };
    let fdr = match params::get(&pairs, "fdr") {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(s) => return Err(bad("fdr", s, "true or false")),
    };
    let snap = state.snapshot();
    let p = MoranParams {
        indicator: snap.catalogue.indicators[ind].id.clone(),
        level: snap.tree.levels[level].id.clone(),
        year,
        permutations,
        seed,
        alpha,
        fdr,
    };
    let st = state.clone();
    let run = sozialatlas_web_kit::cpu::run(move || super::moran::run(&st, &p))
        .await?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    Ok(Json(json_of(&*run)?).into_response())
}

fn stored_json(r: &sozialatlas_store::StoredRun, with_result: bool) -> Value {
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let mut v = json!({
        "id": r.id,
        "kind": r.kind,
        "created_at": r.created_at,
        "load_id": r.load_id,
        "program_version": r.program_version,
        "params": parse(&r.params_json),
    });
    if with_result {
        v["result"] = parse(&r.result_json);
    }
    v
}

/// `GET /api/v1/runs[?kind=]`: the stored runs, newest first, without results.
async fn runs(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let kind = params::get(&pairs, "kind");
    if let Some(k) = kind
        && !["index", "typology", "moran", "regions"].contains(&k)
    {
        return Err(bad("kind", k, "index, typology, moran or regions"));
    }
    let list = sozialatlas_store::list_runs(state.pool(), kind).await?;
    let v: Vec<Value> = list.iter().map(|r| stored_json(r, false)).collect();
    Ok(super::no_store(Json(json!({ "runs": v })).into_response()))
}

/// `GET /api/v1/runs/{run}`: one stored run with its result.
async fn run(State(state): State<AppState>, Path(raw): Path<String>) -> Result<Response, AppError> {
    let r = super::runs::load(&state, "run", &raw, EN).await?;
    Ok(super::no_store(Json(stored_json(&r, true)).into_response()))
}

/// `GET /api/v1/action-areas`: every set, newest (current) first.
async fn action_areas(State(state): State<AppState>) -> Result<Response, AppError> {
    let sets = sozialatlas_store::list_action_area_sets(state.pool()).await?;
    Ok(super::no_store(
        Json(json!({
            "current": sets.first().map(|s| s.id),
            "sets": json_of(&sets)?,
        }))
        .into_response(),
    ))
}

/// The OpenAPI path items of [`ROUTES`], in order.
pub fn openapi_paths() -> Vec<(&'static str, Value)> {
    let err = json!({ "description": "Error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let ok = |d: &str| json!({ "description": d, "content": { "application/json": { "schema": { "type": "object" } } } });
    let q = |name: &str, d: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "description": d, "schema": schema });
    let level = q(
        "level",
        "Level id (default: the finest level with data)",
        json!({ "type": "string" }),
    );
    let year = q(
        "year",
        "Year (default: the latest with data)",
        json!({ "type": "integer" }),
    );
    let list = |name: &str, d: &str| {
        q(
            name,
            d,
            json!({ "type": "array", "items": { "type": "string" } }),
        )
    };
    vec![
        (
            ROUTES[0],
            json!({ "get": {
                "summary": "Status/dynamics index (Berlin MSS method): z-values, indices, 4 × 3 classes and their counts",
                "parameters": [
                    level.clone(), year.clone(),
                    q("from", "Start year of the dynamics (default: two years before)", json!({ "type": "integer" })),
                    list("status", "Status indicator ids (repeated or comma-separated; default: indicators with a direction and complete data)"),
                    list("dynamics", "Dynamics indicator ids: their change from `from` to `year`"),
                    q("sel", "1: the lists are as given (an empty dynamics list means none)", json!({ "type": "string", "enum": ["1"] })),
                    q("min_population", "Areas with fewer inhabitants are left out", json!({ "type": "number", "default": 300 })),
                    q("t_high", "Status limit of class high", json!({ "type": "number", "default": -1 })),
                    q("t_middle", "Upper status limit of class medium", json!({ "type": "number", "default": 1 })),
                    q("t_low", "Upper status limit of class low", json!({ "type": "number", "default": 1.5 })),
                    q("t_positive", "Dynamics limit of class positive", json!({ "type": "number", "default": -1 })),
                    q("t_negative", "Dynamics limit of class negative", json!({ "type": "number", "default": 1 })),
                ],
                "responses": { "200": ok("The run: parameters, areas, result, counts per group"), "400": err.clone(), "404": err.clone() },
            }}),
        ),
        (
            ROUTES[1],
            json!({ "get": {
                "summary": "Typology by Ward clustering of polarity-aligned z-values: clusters, dendrogram, Calinski–Harabasz per k, proposed action areas",
                "parameters": [
                    level.clone(), year.clone(),
                    list("indicators", "Indicator ids (repeated or comma-separated; default: indicators with a direction and complete data)"),
                    q("k", "Number of clusters", json!({ "type": "integer", "minimum": 2, "maximum": 8, "default": 5 })),
                    q("pca", "Principal components first: off, kaiser or a number", json!({ "type": "string", "default": "off" })),
                    q("kmeans", "Refine by k-means with at most this many iterations", json!({ "type": "integer", "minimum": 1, "maximum": 1000 })),
                    q("seed", "Seed recorded with the run", json!({ "type": "integer", "default": 1 })),
                ],
                "responses": { "200": ok("The run: parameters, areas, left-out areas, result"), "400": err.clone(), "404": err.clone() },
            }}),
        ),
        (
            ROUTES[2],
            json!({ "get": {
                "summary": "Global Moran's I and LISA (queen contiguity, row-standardised weights, conditional permutations)",
                "parameters": [
                    json!({ "name": "indicator", "in": "query", "required": true, "description": "Indicator id", "schema": { "type": "string" }, "example": "sgb2_quote" }),
                    level, year,
                    q("permutations", "Permutations", json!({ "type": "integer", "minimum": 99, "maximum": 9999, "default": 999 })),
                    q("seed", "Seed of the permutations", json!({ "type": "integer", "default": 1 })),
                    q("alpha", "Significance level of the LISA map", json!({ "type": "number", "default": 0.05 })),
                    q("fdr", "False-discovery-rate correction", json!({ "type": "boolean", "default": false })),
                ],
                "responses": { "200": ok("The run: global I with p-value, local statistics, LISA classes, islands"), "400": err.clone(), "404": err.clone() },
            }}),
        ),
        (
            ROUTES[3],
            json!({ "get": {
                "summary": "The stored analysis runs, newest first (parameters, date, load; without results)",
                "parameters": [q("kind", "Only runs of this kind", json!({ "type": "string", "enum": ["index", "typology", "moran", "regions"] }))],
                "responses": { "200": ok("{ runs: [...] }"), "400": err.clone() },
            }}),
        ),
        (
            ROUTES[4],
            json!({ "get": {
                "summary": "One stored run with its stored result",
                "parameters": [json!({ "name": "run", "in": "path", "required": true, "description": "Run id", "schema": { "type": "integer" } })],
                "responses": { "200": ok("The run"), "400": err.clone(), "404": err.clone() },
            }}),
        ),
        (
            ROUTES[5],
            json!({ "get": {
                "summary": "The action-area sets (Aktionsräume), newest first; the newest is current",
                "responses": { "200": ok("{ current, sets: [...] }") },
            }}),
        ),
    ]
}
