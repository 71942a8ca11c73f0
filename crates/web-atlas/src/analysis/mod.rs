//! The analysis pages (issue 4): the overview with the stored runs, the status/dynamics index,
//! the typology with its proposed action areas, the regions (for process managers), stored
//! runs and their comparison, the action-area sets, the Moran section of the indicator page,
//! and their JSON API.
//!
//! Every analysis is computed by `sozialatlas-runs` from the published snapshot (a suppressed
//! value is missing there too); this module only parses the URL, lays out what a run holds and
//! renders it through `sozialatlas-render`. A stored run is shown from its stored result, never
//! recomputed. Every state is in the URL (GET forms with an explicit submit button); the only
//! writes are the POSTs that save confirmed action areas and regions.

mod action_areas;
pub(crate) mod api;
mod auth;
mod colours;
mod index;
mod moran;
mod overview;
mod regions;
mod runs;
mod typology;

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Response};
use sozialatlas_core::Locale;
use sozialatlas_core::locale::format_decimal;
use sozialatlas_runs::RunError;
use sozialatlas_store::Snapshot;

use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::{AMsgs, amsgs};
use crate::i18n::prefix;
use crate::params;
pub(crate) use crate::select::{Opt, level_opts, opt, year_opts};

pub(crate) use moran::indicator_section as moran_section;

/// The analysis pages (mounted at `/` and `/en`).
pub fn page_routes() -> crate::Routes {
    crate::Routes::new()
        .get("/analysis", overview::page)
        .get("/analysis/index", index::page)
        .get("/analysis/index.csv", index::csv)
        .get("/analysis/typology", typology::page)
        .get("/analysis/typology.csv", typology::csv)
        .get("/analysis/regions", regions::page)
        .post("/analysis/regions", regions::save)
        .get("/analysis/runs/compare", runs::compare)
        .get("/analysis/runs/{id}", runs::page)
        .get("/analysis/runs/{id}/regions.geojson", regions::geojson)
        .get("/analysis/runs/{id}/regions.csv", regions::csv)
        .get("/analysis/action-areas", action_areas::page)
        .post("/analysis/action-areas", action_areas::save)
}

/// The analysis routes of the API (relative to `/api/v1`).
pub fn api_router() -> Router<AppState> {
    api::routes()
}

/// A response that no cache may keep: pages whose content changes when runs or sets are saved.
pub(crate) use sozialatlas_web_kit::auth::no_store;

pub(crate) fn html<T: Template>(t: &T) -> Result<Response, AppError> {
    let s = t.render()?;
    Ok(Html(s).into_response())
}

/// A number in the page's language.
pub(crate) fn num(x: f64, decimals: usize, locale: Locale) -> String {
    if x.is_finite() {
        format_decimal(x, decimals, locale)
    } else {
        "–".into()
    }
}

/// A run that cannot be made: 400 with the reason in the page's language.
pub(crate) fn run_error(e: RunError, locale: Locale) -> AppError {
    let m = amsgs(locale);
    AppError::BadRequest(format!("{} {}", m.run_impossible, e))
}

/// The levels an analysis can use: non-overlay and overlay levels with at least four areas.
pub(crate) fn analysis_levels(state: &AppState) -> Vec<usize> {
    let idx = state.index();
    let snap = state.snapshot();
    let depths = snap.tree.level_depths().unwrap_or_default();
    let mut l: Vec<usize> = (0..snap.tree.levels.len())
        .filter(|&l| idx.level_areas[l].len() >= 4 && has_data(state, l))
        .collect();
    l.sort_by_key(|&l| {
        (
            snap.tree.levels[l].overlay,
            depths.get(l).copied().unwrap_or(0),
        )
    });
    l
}

/// Whether any indicator has a published value on the level.
fn has_data(state: &AppState, level: usize) -> bool {
    state
        .index()
        .levels_with_data
        .iter()
        .any(|ls| ls.contains(&level))
}

/// The default level: the finest non-overlay level with published values.
pub(crate) fn default_level(state: &AppState) -> Option<usize> {
    let snap = state.snapshot();
    let levels = analysis_levels(state);
    levels
        .iter()
        .rev()
        .filter(|&&l| !snap.tree.levels[l].overlay)
        .find(|&&l| has_data(state, l))
        .or(levels.first())
        .copied()
}

/// `level=`: a level an analysis can use (404 for an unknown one, 400 for one with too few
/// areas), or the default.
pub(crate) fn level_param(
    state: &AppState,
    pairs: &[(String, String)],
    locale: Locale,
) -> Result<usize, AppError> {
    match params::get(pairs, "level") {
        Some(id) => {
            let l = crate::view::level(state, id, locale)?;
            if !analysis_levels(state).contains(&l) {
                let m = amsgs(locale);
                let text = if has_data(state, l) {
                    m.level_too_few
                } else {
                    m.level_no_data
                };
                return Err(AppError::BadRequest(text.replace(
                    "{level}",
                    state.snapshot().tree.levels[l].name.get(locale),
                )));
            }
            Ok(l)
        }
        None => default_level(state)
            .ok_or_else(|| AppError::NotFound(amsgs(locale).no_level.to_string())),
    }
}

/// The level and year of an analysis: the parameters, or the default level and its latest year
/// with data (404 when the level has none).
pub(crate) fn level_and_year(
    state: &AppState,
    pairs: &[(String, String)],
    locale: Locale,
) -> Result<(usize, i32), AppError> {
    let level = level_param(state, pairs, locale)?;
    let year = year_param(
        state,
        pairs,
        "year",
        index::latest_year(state, level),
        locale,
    )?
    .ok_or_else(|| AppError::NotFound(texts(locale).no_level.to_string()))?;
    Ok((level, year))
}

/// A year parameter: one of the atlas' periods.
pub(crate) fn year_param(
    state: &AppState,
    pairs: &[(String, String)],
    key: &str,
    default: Option<i32>,
    locale: Locale,
) -> Result<Option<i32>, AppError> {
    let periods = &state.snapshot().periods;
    let Some(s) = params::get(pairs, key) else {
        return Ok(default);
    };
    let y: i32 = s
        .parse()
        .map_err(|_| bad_param(key, s, "ein Jahr mit Daten", "a year with data", locale))?;
    if !periods.contains(&y) {
        let list: Vec<String> = periods.iter().map(i32::to_string).collect();
        return Err(AppError::NotFound(
            amsgs(locale)
                .no_year
                .replace("{year}", &y.to_string())
                .replace("{years}", &list.join(", ")),
        ));
    }
    Ok(Some(y))
}

/// A list of indicators: the parameter repeated (checkboxes) or comma-separated; unknown ids
/// are 404 with the catalogue named. Order: as in the catalogue, without duplicates.
pub(crate) fn indicators_param(
    state: &AppState,
    pairs: &[(String, String)],
    key: &str,
    locale: Locale,
) -> Result<Vec<usize>, AppError> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        if k != key {
            continue;
        }
        for id in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let i = crate::view::indicator(state, id, locale)?;
            if !out.contains(&i) {
                out.push(i);
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// Whether the URL carries a selection (the form sends `sel=1`), so that an empty list means
/// "none chosen" rather than "the defaults".
pub(crate) fn has_selection(pairs: &[(String, String)]) -> bool {
    params::get(pairs, "sel").is_some()
}

/// The indicators offered in a form: every indicator with a published value on the level.
pub(crate) fn offered_indicators(state: &AppState, level: usize) -> Vec<usize> {
    let idx = state.index();
    (0..state.snapshot().catalogue.indicators.len())
        .filter(|&i| !idx.periods_at(i, level).is_empty())
        .collect()
}

/// Indicator ids, comma-separated (for URLs and the record).
pub(crate) fn ids(snap: &Snapshot, inds: &[usize]) -> Vec<String> {
    inds.iter()
        .map(|&i| snap.catalogue.indicators[i].id.clone())
        .collect()
}

/// An indicator's name in the page's language, by id (the id itself when the catalogue no
/// longer has it: a stored run of an earlier catalogue).
pub(crate) fn indicator_name(state: &AppState, id: &str, locale: Locale) -> String {
    state
        .index()
        .indicator
        .get(id)
        .map(|&i| {
            state.snapshot().catalogue.indicators[i]
                .name
                .get(locale)
                .to_string()
        })
        .unwrap_or_else(|| id.to_string())
}

/// A level's name in the page's language, by id.
pub(crate) fn level_name(state: &AppState, id: &str, locale: Locale) -> String {
    state
        .index()
        .level
        .get(id)
        .map(|&l| state.snapshot().tree.levels[l].name.get(locale).to_string())
        .unwrap_or_else(|| id.to_string())
}

/// The current area of a level by key, if the atlas still has it.
pub(crate) fn area_by_key(state: &AppState, level: &str, key: &str) -> Option<usize> {
    let l = *state.index().level.get(level)?;
    state.index().area.get(&(l, key.to_string())).copied()
}

/// The outlines of the parent level (drawn over a fine level's map).
pub(crate) fn parent_outlines(state: &AppState, level: usize) -> Vec<geo_types::MultiPolygon<f64>> {
    let snap = state.snapshot();
    snap.tree.levels[level]
        .parent
        .filter(|&pl| state.index().level_areas[pl].len() > 1)
        .map(|pl| {
            state.index().level_areas[pl]
                .iter()
                .filter_map(|&a| snap.geometries.get(a).cloned().flatten())
                .collect()
        })
        .unwrap_or_default()
}

/// The map areas of a run: each of its areas, named and drawn as `of` says (by its index), and
/// each area it left out as no data; an area the atlas no longer has, or has no boundary of, is
/// not drawn.
pub(crate) fn run_map_areas(
    state: &AppState,
    locale: Locale,
    level: &str,
    areas: &[sozialatlas_runs::RunArea],
    left_out: &[sozialatlas_runs::RunArea],
    of: impl Fn(usize, &sozialatlas_runs::RunArea) -> (String, sozialatlas_render::AreaState),
) -> Vec<sozialatlas_render::MapArea> {
    let snap = state.snapshot();
    let drawn = areas
        .iter()
        .enumerate()
        .map(|(i, ra)| (ra, of(i, ra)))
        .chain(
            left_out
                .iter()
                .map(|ra| (ra, (ra.name.clone(), sozialatlas_render::AreaState::NoData))),
        );
    drawn
        .filter_map(|(ra, (name, st))| {
            let geometry = snap.geometries[area_by_key(state, level, &ra.key)?].clone()?;
            Some(sozialatlas_render::MapArea {
                key: ra.key.clone(),
                name,
                geometry,
                state: st,
                href: Some(profile_href(locale, level, &ra.key)),
            })
        })
        .collect()
}

/// The link to an area's profile.
pub(crate) fn profile_href(locale: Locale, level: &str, key: &str) -> String {
    format!("{}/areas/{level}/{key}", prefix(locale))
}

/// Texts of the analysis pages.
pub(crate) fn texts(locale: Locale) -> &'static AMsgs {
    amsgs(locale)
}

/// Query string from pairs (values encoded), `?a=1&b=2`, or empty.
pub(crate) fn query(pairs: &[(&str, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let s = ser.finish();
    if s.is_empty() { s } else { format!("?{s}") }
}

/// A note in the page's language on the load a run was computed from.
pub(crate) fn load_note(state: &AppState, load_id: i64, locale: Locale) -> Option<String> {
    let cur = state.snapshot().load.id;
    (load_id != cur).then(|| {
        amsgs(locale)
            .earlier_load
            .replace("{load}", &load_id.to_string())
            .replace("{current}", &cur.to_string())
    })
}

/// A number for a form field or a URL: no thousands grouping (so that it parses back), at most
/// six decimals, trailing zeros dropped.
pub(crate) fn plain(x: f64, locale: Locale) -> String {
    let s = sozialatlas_core::locale::format_plain(x, 6, locale);
    let mark = locale.decimal_mark();
    if s.contains(mark) {
        s.trim_end_matches('0').trim_end_matches(mark).to_string()
    } else {
        s
    }
}

/// A malformed parameter (400), with what is expected in the page's language:
/// `Der Parameter „k“ hat den Wert „9“; erwartet wird: …`.
pub(crate) fn bad_param(param: &str, value: &str, de: &str, en: &str, locale: Locale) -> AppError {
    AppError::BadRequest(match locale {
        Locale::De => {
            format!("Der Parameter „{param}“ hat den Wert „{value}“; erwartet wird: {de}.")
        }
        Locale::En => format!("The parameter `{param}` is `{value}`; expected {en}."),
    })
}
