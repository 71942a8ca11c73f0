//! The JSON API under `/api/v1/` (with its OpenAPI document) and the table downloads of an
//! indicator view. Suppression applies: a withheld value is `null` with `"state":
//! "suppressed"`, and its numerator and denominator are never given.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};
use sozialatlas_core::Locale;
use sozialatlas_core::locale::format_plain;

use crate::AppState;
use crate::error::AppError;
use crate::pages::file_response;
use crate::params::{self, ViewOptions};
use crate::view::{self, IndicatorView, Shown};

/// The API's routes, relative to `/api/v1`. The OpenAPI document lists exactly these.
pub const ROUTES: [&str; 5] = [
    "/catalogue",
    "/areas/{level}",
    "/areas/{level}/{key}",
    "/indicators/{id}/{level}/{year}",
    "/openapi.json",
];

/// The API router.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(ROUTES[0], get(catalogue))
        .route(ROUTES[1], get(areas))
        .route(ROUTES[2], get(area_profile))
        .route(ROUTES[3], get(indicator))
        .route(ROUTES[4], get(openapi))
}

fn num(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite())
        .map_or(Value::Null, |v| json!(v))
}

fn shown_json(s: Shown) -> Value {
    json!({ "value": num(s.value()), "state": s.state_name() })
}

/// One area of a view as the API and the view's GeoJSON give it.
fn row_json(snap: &sozialatlas_store::Snapshot, r: &view::Row) -> Value {
    let a = &snap.tree.areas[r.area];
    json!({
        "key": a.key,
        "name": a.name,
        "value": num(r.shown.value()),
        "state": r.shown.state_name(),
        "numerator": num(r.numerator),
        "denominator": num(r.denominator),
        "class": r.class,
        "low_population": r.low_population,
        "basis": r.basis.map(|b| b.as_str()),
        "ci": r.ci.map(|(lo, hi)| json!({ "low": lo, "high": hi })),
        "versus_city": r.versus_city.map(|vc| vc.as_str()),
        "published_value": num(r.unsmoothed),
        "parent": r.parent.map(|(p, s)| json!({
            "key": snap.tree.areas[p].key,
            "name": snap.tree.areas[p].name,
            "value": num(s.value()),
            "state": s.state_name(),
        })),
    })
}

/// An area's boundary as a GeoJSON geometry (`null` without one).
fn geometry_json(snap: &sozialatlas_store::Snapshot, area: usize) -> Value {
    snap.geometries[area].as_ref().map_or(Value::Null, |g| {
        serde_json::to_value(geojson::Geometry::new(geojson::GeometryValue::from(g)))
            .unwrap_or(Value::Null)
    })
}

/// `GET /api/v1/catalogue`.
async fn catalogue(State(state): State<AppState>) -> Response {
    let snap = state.snapshot();
    let index = state.index();
    let dims: Vec<Value> = snap
        .catalogue
        .dimensions
        .iter()
        .map(|d| json!({ "id": d.id, "name": { "de": d.name.de, "en": d.name.get(Locale::En) } }))
        .collect();
    let inds: Vec<Value> = snap
        .catalogue
        .indicators
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({
                "id": d.id,
                "name": { "de": d.name.de, "en": d.name.get(Locale::En) },
                "dimension": d.dimension,
                "unit": d.unit,
                "formula": d.formula.kind_name(),
                "formula_text": {
                    "de": sozialatlas_export::formula_text(snap, d, Locale::De),
                    "en": sozialatlas_export::formula_text(snap, d, Locale::En),
                },
                "change": match d.formula.change_kind() {
                    sozialatlas_core::catalogue::ChangeKind::Relative => "relative",
                    sozialatlas_core::catalogue::ChangeKind::Difference => "difference",
                },
                "polarity": d.polarity,
                "decimals": d.decimals(),
                "definition": d.definition.as_ref().map(|t| json!({ "de": t.de, "en": t.get(Locale::En) })),
                "source": d.source,
                "reference_date": d.reference_date,
                "notes": d.notes.as_ref().map(|t| json!({ "de": t.de, "en": t.get(Locale::En) })),
                "levels": index.levels_with_data[i].iter().map(|&l| snap.tree.levels[l].id.clone()).collect::<Vec<_>>(),
                "years": index.periods[i],
            })
        })
        .collect();
    let levels: Vec<Value> = snap
        .tree
        .levels
        .iter()
        .map(|l| {
            json!({
                "id": l.id,
                "name": { "de": l.name.de, "en": l.name.get(Locale::En) },
                "parent": l.parent.map(|p| snap.tree.levels[p].id.clone()),
                "overlay": l.overlay,
            })
        })
        .collect();
    Json(json!({
        "version": snap.catalogue.version,
        "stand": snap.meta.stand,
        "licence": snap.meta.licence,
        "attribution": snap.meta.attribution,
        "levels": levels,
        "dimensions": dims,
        "indicators": inds,
    }))
    .into_response()
}

fn geojson_response(v: Value) -> Response {
    let mut r = Json(v).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/geo+json"),
    );
    r
}

/// `GET /api/v1/areas/{level}`: the areas as GeoJSON with key, name and parent key.
async fn areas(
    State(state): State<AppState>,
    Path(level_id): Path<String>,
) -> Result<Response, AppError> {
    let level = view::level(&state, &level_id, Locale::En)?;
    let snap = state.snapshot();
    let features: Vec<Value> = state.index().level_areas[level]
        .iter()
        .map(|&a| {
            let ar = &snap.tree.areas[a];
            let geometry = geometry_json(snap, a);
            json!({
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "key": ar.key,
                    "name": ar.name,
                    "level": level_id,
                    "parent": ar.parent.map(|p| snap.tree.areas[p].key.clone()),
                    "area_km2": ar.area_km2,
                },
            })
        })
        .collect();
    Ok(geojson_response(json!({
        "type": "FeatureCollection",
        "features": features,
        "attribution": snap.meta.attribution,
    })))
}

/// `GET /api/v1/indicators/{id}/{level}/{year}`: the values of a view.
async fn indicator(
    State(state): State<AppState>,
    Path((id, level_id, year_s)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let l = Locale::En;
    let ind = view::indicator(&state, &id, l)?;
    let level = view::level(&state, &level_id, l)?;
    let year = view::year(&state, ind, &year_s, l)?;
    let opts = ViewOptions::parse(&params::pairs(raw.as_deref()))?;
    let v = view::build(&state, ind, level, year, &opts, l)?;
    let snap = state.snapshot();
    let def = &snap.catalogue.indicators[ind];
    let values: Vec<Value> = v.rows.iter().map(|r| row_json(snap, r)).collect();
    let classification = v.breaks.as_ref().map(|b| {
        json!({
            "scheme": opts.scheme.as_str(),
            "k": b.k(),
            "closure": match opts.closure { sozialatlas_classify::Closure::LeftClosed => "left", sozialatlas_classify::Closure::RightClosed => "right" },
            "fixed": opts.fixed,
            "bounds": b.bounds(),
            "palette": v.palette,
            "colours": v.colours.iter().map(|c| c.hex()).collect::<Vec<_>>(),
            "legend": {
                "de": b.legend(v.decimals, Locale::De),
                "en": b.legend(v.decimals, Locale::En),
            },
            "counts": v.counts,
            "notes": v.notes,
        })
    });
    Ok(Json(json!({
        "indicator": def.id,
        "name": { "de": def.name.de, "en": def.name.get(Locale::En) },
        "level": level_id,
        "year": year,
        "change": v.change.map(|(a, b)| json!({ "from": a, "to": b, "kind": match def.formula.change_kind() {
            sozialatlas_core::catalogue::ChangeKind::Relative => "relative",
            sozialatlas_core::catalogue::ChangeKind::Difference => "difference",
        } })),
        "unit": v.unit,
        "decimals": v.decimals,
        "polarity": def.polarity,
        "city": shown_json(v.city),
        "city_basis": v.city_basis.map(|b| b.as_str()),
        "city_ci": v.city_ci.map(|(lo, hi)| json!({ "low": lo, "high": hi })),
        "smoothing": v.smooth.map(|s| json!({
            "method": s.param(),
            "label": { "de": view::smoothed_label(s, Locale::De), "en": view::smoothed_label(s, Locale::En) },
        })),
        "unassigned": v.unassigned.iter().map(|u| json!({
            "area_key": snap.tree.areas[u.area].key,
            "area_level": snap.tree.levels[snap.tree.areas[u.area].level].id,
            "name": { "de": format!("{} ({})", sozialatlas_core::labels::unassigned_label(Locale::De), snap.tree.areas[u.area].name), "en": format!("{} ({})", sozialatlas_core::labels::unassigned_label(Locale::En), snap.tree.areas[u.area].name) },
            "value": num(u.shown.value()),
            "state": u.shown.state_name(),
            "numerator": num(u.numerator),
            "denominator": num(u.denominator),
        })).collect::<Vec<_>>(),
        "classification": classification,
        "values": values,
        "stand": snap.meta.stand,
        "source": def.source,
        "attribution": snap.meta.attribution,
    }))
    .into_response())
}

/// `GET /api/v1/areas/{level}/{key}`: the area profile as data.
async fn area_profile(
    State(state): State<AppState>,
    Path((level_id, key)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let l = Locale::En;
    let level = view::level(&state, &level_id, l)?;
    let a = view::area(&state, level, &key, l)?;
    let snap = state.snapshot();
    let index = state.index();
    let ar = &snap.tree.areas[a];
    let parent = ar.parent.filter(|&p| Some(p) != index.root);
    let indicators: Vec<Value> = snap
        .catalogue
        .indicators
        .iter()
        .enumerate()
        .filter(|(i, _)| !index.periods_at(*i, level).is_empty())
        .map(|(i, def)| {
            let series: Vec<Value> = index.periods[i]
                .iter()
                .map(|&y| {
                    let own = view::shown(snap, i, a, y);
                    let city = index.root.map_or(Shown::NoData, |r| view::shown(snap, i, r, y));
                    let basis = snap
                        .value(i, a, y)
                        .filter(|v| v.state == sozialatlas_core::ValueState::Ok)
                        .map(|v| v.basis.as_str());
                    let mut o = json!({ "year": y, "value": num(own.value()), "state": own.state_name(), "basis": basis, "city": shown_json(city) });
                    if let Some(p) = parent {
                        o["parent"] = shown_json(view::shown(snap, i, p, y));
                    }
                    o
                })
                .collect();
            json!({ "id": def.id, "unit": def.unit, "decimals": def.decimals(), "polarity": def.polarity, "series": series })
        })
        .collect();
    Ok(Json(json!({
        "key": ar.key,
        "name": ar.name,
        "level": level_id,
        "parent": parent.map(|p| json!({ "key": snap.tree.areas[p].key, "name": snap.tree.areas[p].name, "level": snap.tree.levels[snap.tree.areas[p].level].id })),
        "shares": snap.tree.levels[level].shares.map(|s| s.as_str()),
        "members": snap.tree.memberships.iter().filter(|m| m.overlay_area == a).map(|m| {
            let mem = &snap.tree.areas[m.member_area];
            json!({ "key": mem.key, "name": mem.name, "level": snap.tree.levels[mem.level].id, "share": m.share_used() })
        }).collect::<Vec<_>>(),
        "indicators": indicators,
        "stand": snap.meta.stand,
        "attribution": snap.meta.attribution,
    }))
    .into_response())
}

/// `GET /api/v1/openapi.json`.
async fn openapi() -> Response {
    let mut r = Json(openapi_document()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// The OpenAPI 3 description of the API, written by hand next to the routes it describes.
pub fn openapi_document() -> Value {
    let p = |name: &str, desc: &str| json!({ "name": name, "in": "path", "required": true, "description": desc, "schema": { "type": "string" } });
    let q = |name: &str, desc: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "description": desc, "schema": schema });
    let err = json!({ "description": "Unknown indicator, level, area or year (404) or a malformed parameter (400)", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
    let ok = |desc: &str, ctype: &str, schema: Value| json!({ "description": desc, "content": { ctype: { "schema": schema } } });
    // One area's value (kept apart: the document is too deep for one `json!`).
    let value_item = json!({ "type": "object", "properties": {
                    "key": { "type": "string" },
                    "name": { "type": "string" },
                    "value": { "type": "number", "nullable": true },
                    "state": { "type": "string", "enum": ["ok", "missing", "suppressed"] },
                    "numerator": { "type": "number", "nullable": true },
                    "denominator": { "type": "number", "nullable": true },
                    "class": { "type": "integer", "nullable": true },
                    "basis": { "$ref": "#/components/schemas/Basis" },
                    "ci": { "$ref": "#/components/schemas/Interval" },
                    "versus_city": { "type": "string", "nullable": true, "enum": ["not_clearly_different", "clearly_higher", "clearly_lower"], "description": "The area's 95 % Wilson interval against the city's: overlapping (not clearly different) or wholly above or below" },
                    "published_value": { "type": "number", "nullable": true, "description": "The published value where value is its smoothed estimate" }
    } });
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Sozialatlas API",
            "version": "1",
            "description": "Published indicator values of the atlas. Suppression applies: a withheld value is null with state \"suppressed\", and its numerator and denominator are never given.",
        },
        "servers": [{ "url": "/api/v1" }],
        "paths": paths([
            json!({ "get": {
                "summary": "The indicator catalogue, the levels and the dimensions",
                "responses": { "200": ok("The catalogue", "application/json", json!({ "type": "object" })) },
            }}),
            json!({ "get": {
                "summary": "The areas of a level as GeoJSON (key, name, parent key)",
                "parameters": [p("level", "Level id, e.g. stadtteil")],
                "responses": { "200": ok("A GeoJSON FeatureCollection", "application/geo+json", json!({ "type": "object" })), "404": err },
            }}),
            json!({ "get": {
                "summary": "The profile of an area: every indicator over the years, with the city and the parent area",
                "parameters": [p("level", "Level id"), p("key", "Area key")],
                "responses": { "200": ok("The profile", "application/json", json!({ "type": "object" })), "404": err },
            }}),
            json!({ "get": {
                "summary": "The values of an indicator on a level in a year, with references and classes",
                "parameters": [
                    p("id", "Indicator id, e.g. sgb2_quote"),
                    p("level", "Level id"),
                    p("year", "Year, e.g. 2022"),
                    q("scheme", "Classification scheme", json!({ "type": "string", "enum": ["equal", "quantiles", "natural", "stddev", "box", "manual"], "default": "natural" })),
                    q("k", "Number of classes", json!({ "type": "integer", "minimum": 2, "maximum": 9, "default": 5 })),
                    q("closure", "Class closure: left [a, b) or right (a, b]", json!({ "type": "string", "enum": ["left", "right"], "default": "left" })),
                    q("palette", "ColorBrewer scheme name", json!({ "type": "string" })),
                    q("breaks", "fixed: breaks over all years", json!({ "type": "string", "enum": ["fixed", "year"] })),
                    q("manual", "Inner breaks of the manual scheme, separated by semicolons", json!({ "type": "string" })),
                    q("compare", "The other year of a change view", json!({ "type": "integer" })),
                    q("area", "Key of the selected area", json!({ "type": "string" })),
                    q("smooth", "Empirical-Bayes smoothing of a rate indicator in a year view: eb towards all areas, seb towards each area's neighbours (400 for other indicators and change views)", json!({ "type": "string", "enum": ["eb", "seb"] })),
                ],
                "responses": { "200": ok("The values", "application/json", json!({ "$ref": "#/components/schemas/IndicatorValues" })), "400": err.clone(), "404": err },
            }}),
            json!({ "get": {
                "summary": "This document",
                "responses": { "200": ok("OpenAPI 3 document", "application/json", json!({ "type": "object" })) },
            }}),
        ]),
        "components": { "schemas": {
            "Error": { "type": "object", "properties": { "error": { "type": "object", "properties": {
                "status": { "type": "integer" }, "message": { "type": "string" } } } } },
            "Shown": { "type": "object", "properties": {
                "value": { "type": "number", "nullable": true },
                "state": { "type": "string", "enum": ["ok", "missing", "suppressed"] } } },
            "IndicatorValues": { "type": "object", "properties": {
                "indicator": { "type": "string" },
                "level": { "type": "string" },
                "year": { "type": "integer" },
                "unit": { "type": "string" },
                "city": { "$ref": "#/components/schemas/Shown" },
                "city_basis": { "$ref": "#/components/schemas/Basis" },
                "city_ci": { "$ref": "#/components/schemas/Interval" },
                "smoothing": { "type": "object", "nullable": true, "description": "Set when the values are empirical-Bayes estimates (query smooth=eb|seb, rate indicators, year view): method and the words that mark them", "properties": {
                    "method": { "type": "string", "enum": ["eb", "seb"] },
                    "label": { "type": "object", "properties": { "de": { "type": "string" }, "en": { "type": "string" } } } } },
                "unassigned": { "type": "array", "description": "The parts of the city and of coarser areas not assigned to an area of this level (official value minus the sum of the areas), year view only", "items": { "type": "object", "properties": {
                    "area_key": { "type": "string" },
                    "area_level": { "type": "string" },
                    "value": { "type": "number", "nullable": true },
                    "state": { "type": "string", "enum": ["ok", "missing", "suppressed"] },
                    "numerator": { "type": "number", "nullable": true },
                    "denominator": { "type": "number", "nullable": true },
                } } },
                "values": { "type": "array", "items": value_item },
            } },
            "Interval": { "type": "object", "nullable": true, "description": "95 % Wilson interval of a published proportion, in the indicator's unit", "properties": {
                "low": { "type": "number" }, "high": { "type": "number" } } },
            "Basis": { "type": "string", "nullable": true, "enum": ["official", "summed", "estimated", "published", "weighted_mean"],
                "description": "Where a published value comes from: given for the area (official), the sum of its sub-areas or whole member areas, an overlay's estimate from shares of its members, a published value not recomputed, or the weighted mean of published values" },
        } },
    })
}

/// The `paths` object: one entry per route in [`ROUTES`], in order.
fn paths(ops: [Value; 5]) -> Value {
    let mut m = serde_json::Map::new();
    for (route, op) in ROUTES.iter().zip(ops) {
        m.insert((*route).to_string(), op);
    }
    for (route, op) in crate::analysis::api::openapi_paths() {
        m.insert(route.to_string(), op);
    }
    Value::Object(m)
}

/// The header and rows of a view's table download.
fn table(state: &AppState, v: &IndicatorView, locale: Locale) -> (Vec<String>, Vec<Vec<String>>) {
    let snap = state.snapshot();
    let def = &snap.catalogue.indicators[v.ind];
    let header: Vec<String> = match locale {
        Locale::De => [
            "Gebietsschlüssel",
            "Gebiet",
            "Wert",
            "Einheit",
            "Status",
            "Zähler",
            "Nenner",
            "Stadtwert",
            "Klasse",
            "Art des Werts",
        ],
        Locale::En => [
            "area_key",
            "area",
            "value",
            "unit",
            "state",
            "numerator",
            "denominator",
            "city_value",
            "class",
            "value_basis",
        ],
    }
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    let mut header = header;
    // A smoothed value says so in its column, with the published value beside it.
    if let Some(s) = v.smooth {
        header[2] = format!("{} – {}", header[2], view::smoothed_label(s, locale));
        header.push(
            locale
                .pick("veröffentlichter Wert", "published_value")
                .into(),
        );
    }
    let with_ci = v.rows.iter().any(|r| r.ci.is_some());
    if with_ci {
        header.extend(
            [
                locale.pick("95-%-Intervall unten", "ci_low"),
                locale.pick("95-%-Intervall oben", "ci_high"),
                locale.pick("Gegenüber dem Stadtwert", "versus_city"),
            ]
            .map(String::from),
        );
    }
    let d = v.decimals;
    let f = |x: Option<f64>, d: usize| x.map(|x| format_plain(x, d, locale)).unwrap_or_default();
    // Estimated and converted counts are whole (an estimate from shares has no meaningful
    // fraction); other fractional counts (km²) get three decimals.
    let count_dec = |basis: Option<sozialatlas_core::compute::Basis>, x: Option<f64>| {
        if !basis.is_some_and(|b| b.is_estimate()) && x.is_some_and(|x| x.fract() != 0.0) {
            3
        } else {
            0
        }
    };
    let mut rows: Vec<Vec<String>> = v
        .rows
        .iter()
        .map(|r| {
            let a = &snap.tree.areas[r.area];
            let mut row = vec![
                a.key.clone(),
                a.name.clone(),
                f(r.shown.value(), d),
                v.unit.clone(),
                r.shown.state_text(locale),
                f(r.numerator, count_dec(r.basis, r.numerator)),
                f(r.denominator, count_dec(r.basis, r.denominator)),
                f(v.city.value(), d),
                r.class
                    .and_then(|c| v.legend.get(c))
                    .map(|e| e.label.clone())
                    .unwrap_or_default(),
                view::basis_text(snap, def, r.area, r.basis, locale),
            ];
            if v.smooth.is_some() {
                row.push(f(r.unsmoothed, d));
            }
            if with_ci {
                row.push(f(r.ci.map(|c| c.0), d));
                row.push(f(r.ci.map(|c| c.1), d));
                row.push(r.versus_city.map_or_else(String::new, |vc| {
                    sozialatlas_core::labels::versus_city_label(vc, true, locale).to_string()
                }));
            }
            row
        })
        .collect();
    // The parts not assigned to an area of this level, under the areas.
    for u in &v.unassigned {
        rows.push(vec![
            String::new(),
            format!(
                "{} ({})",
                sozialatlas_core::labels::unassigned_label(locale),
                snap.tree.areas[u.area].name
            ),
            f(u.shown.value(), d),
            v.unit.clone(),
            u.shown.state_text(locale),
            f(u.numerator, count_dec(None, u.numerator)),
            f(u.denominator, count_dec(None, u.denominator)),
            f(v.city.value(), d),
            String::new(),
            sozialatlas_core::labels::unassigned_label(locale).to_string(),
        ]);
    }
    // Every row as long as the header (the parts not assigned have no interval here).
    for r in &mut rows {
        r.resize(header.len(), String::new());
    }
    (header, rows)
}

fn file_stem(state: &AppState, v: &IndicatorView) -> String {
    let snap = state.snapshot();
    let base = format!(
        "{}_{}_{}",
        snap.catalogue.indicators[v.ind].id, snap.tree.levels[v.level].id, v.year
    );
    match (v.change, v.smooth) {
        (Some((a, b)), _) => format!("{base}_change_{a}_{b}"),
        (None, Some(s)) => format!("{base}_smoothed_{}", s.param()),
        (None, None) => base,
    }
}

/// What a view's every row is: indicator, year (or the years of a change), level, and where the
/// figures come from — source, Stand, licence, attribution — as header and values.
fn view_context(state: &AppState, v: &IndicatorView, locale: Locale) -> (Vec<String>, Vec<String>) {
    let snap = state.snapshot();
    let def = &snap.catalogue.indicators[v.ind];
    let de = locale == Locale::De;
    let header = [
        if de { "Indikator-ID" } else { "indicator_id" },
        if de { "Indikator" } else { "indicator" },
        match (v.change.is_some(), de) {
            (true, true) => "Zeitraum",
            (true, false) => "period",
            (false, true) => "Jahr",
            (false, false) => "year",
        },
        if de { "Ebene" } else { "level" },
        if de { "Quelle" } else { "source" },
        if de { "Stand" } else { "as_of" },
        if de { "Lizenz" } else { "licence" },
        if de { "Namensnennung" } else { "attribution" },
    ]
    .map(String::from)
    .to_vec();
    let mut values = vec![
        def.id.clone(),
        def.name.get(locale).to_string(),
        match v.change {
            Some((a, b)) => format!("{a}–{b}"),
            None => v.year.to_string(),
        },
        snap.tree.levels[v.level].name.get(locale).to_string(),
    ];
    values.extend(Shown::source_columns(snap, def));
    (header, values)
}

/// The view as CSV (German: `;`, decimal comma, BOM; English: `,`, decimal point).
pub fn download_csv(
    state: &AppState,
    v: &IndicatorView,
    locale: Locale,
) -> Result<Response, AppError> {
    let (header, rows) = table(state, v, locale);
    // A CSV travels alone: every row ends with what it is and where it comes from (the
    // workbook has a caption and a sources sheet for this).
    let (context_header, context) = view_context(state, v, locale);
    let header = header.into_iter().chain(context_header).collect();
    let rows = rows.into_iter().map(|r| {
        r.into_iter()
            .chain(context.iter().cloned())
            .collect::<Vec<String>>()
    });
    let buf = sozialatlas_core::csv::to_csv(std::iter::once(header).chain(rows), locale)?;
    Ok(file_response(
        buf,
        "text/csv; charset=utf-8",
        &format!("{}.csv", file_stem(state, v)),
        true,
    ))
}

/// The view as GeoJSON: every area of the level with its boundary, its row as the API gives it
/// (`value` null where nothing is published, with the `state` saying why) and the view's context
/// (indicator, year or period, level, source, Stand, licence, attribution) in every feature, so
/// that a layer that travels alone says what it holds. Property names are the API's; names and
/// texts are in the page's language.
pub fn download_geojson(
    state: &AppState,
    v: &IndicatorView,
    locale: Locale,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let (names, _) = view_context(state, v, Locale::En);
    let (_, context) = view_context(state, v, locale);
    let features: Vec<Value> = v
        .rows
        .iter()
        .map(|r| {
            let mut properties = row_json(snap, r);
            if let Some(p) = properties.as_object_mut() {
                for (k, x) in names.iter().zip(&context) {
                    p.insert(k.clone(), Value::String(x.clone()));
                }
            }
            json!({
                "type": "Feature",
                "geometry": geometry_json(snap, r.area),
                "properties": properties,
            })
        })
        .collect();
    let body = serde_json::to_vec(&json!({
        "type": "FeatureCollection",
        "features": features,
    }))
    .map_err(|e| AppError::Internal(format!("writing the view as GeoJSON: {e}")))?;
    Ok(file_response(
        body,
        "application/geo+json",
        &format!("{}.geojson", file_stem(state, v)),
        true,
    ))
}

/// The view as an XLSX workbook: the table, then the sources.
pub fn download_xlsx(
    state: &AppState,
    v: &IndicatorView,
    locale: Locale,
) -> Result<Response, AppError> {
    use rust_xlsxwriter::Format;
    let snap = state.snapshot();
    let (header, rows) = table(state, v, locale);
    let mut wb = sozialatlas_export::workbook(snap);
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(locale.pick("Daten", "Data"))?;
    let def = &snap.catalogue.indicators[v.ind];
    ws.write_string_with_format(0, 0, def.name.get(locale), &bold)?;
    let caption = match v.change {
        Some((a, b)) => format!(
            "{} · {a}–{b} · {}",
            snap.tree.levels[v.level].name.get(locale),
            v.unit
        ),
        None => format!(
            "{} · {} · {}",
            snap.tree.levels[v.level].name.get(locale),
            v.year,
            v.unit
        ),
    };
    ws.write_string(1, 0, &caption)?;
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, h, &bold)?;
    }
    let numeric = [2usize, 5, 6, 7];
    let pick_num = |r: &crate::view::Row, c: usize| -> Option<f64> {
        match c {
            2 => r.shown.value(),
            5 => r.numerator,
            6 => r.denominator,
            7 => v.city.value(),
            _ => None,
        }
    };
    for (i, (row, r)) in rows.iter().zip(&v.rows).enumerate() {
        let y = i as u32 + 4;
        for (c, cell) in row.iter().enumerate() {
            if numeric.contains(&c) {
                if let Some(x) = pick_num(r, c) {
                    ws.write_number(y, c as u16, x)?;
                }
            } else {
                ws.write_string(y, c as u16, cell)?;
            }
        }
    }
    ws.autofit();
    let src = wb.add_worksheet();
    src.set_name(locale.pick("Quellen", "Sources"))?;
    for (i, (k, val)) in sozialatlas_export::metadata_lines(snap, locale)
        .iter()
        .enumerate()
    {
        src.write_string_with_format(i as u32, 0, k, &bold)?;
        src.write_string(i as u32, 1, val)?;
    }
    let buf = wb.save_to_buffer()?;
    Ok(file_response(
        buf,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("{}.xlsx", file_stem(state, v)),
        true,
    ))
}
