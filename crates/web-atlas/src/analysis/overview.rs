//! `/analysis`: what each method does, and the stored runs with their parameters.

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, State};
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_runs::{IndexParams, MoranParams, TypologyParams};
use sozialatlas_store::StoredRun;

use super::{Opt, opt, texts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::AMsgs;
use crate::i18n::prefix;
use crate::layout::Layout;

/// A stored run in a list.
pub(crate) struct RunRow {
    pub id: i64,
    pub href: String,
    pub kind: &'static str,
    pub summary: String,
    pub created: String,
    pub load: String,
}

/// The kind of a run in words.
pub(crate) fn kind_label(kind: &str, a: &AMsgs) -> &'static str {
    match kind {
        "index" => a.kind_index,
        "typology" => a.kind_typology,
        "moran" => a.kind_moran,
        "regions" => a.kind_regions,
        _ => a.kind_other,
    }
}

fn names(state: &AppState, ids: &[String], locale: Locale) -> String {
    ids.iter()
        .map(|id| super::indicator_name(state, id, locale))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parameters of a stored run in one line.
pub(crate) fn summary(state: &AppState, run: &StoredRun, locale: Locale) -> String {
    let a = texts(locale);
    match run.kind.as_str() {
        "index" => match serde_json::from_str::<IndexParams>(&run.params_json) {
            Ok(p) => {
                let mut s = format!(
                    "{} {} · {}: {}",
                    super::level_name(state, &p.level, locale),
                    p.year,
                    a.status,
                    names(state, &p.status, locale)
                );
                if !p.dynamics.is_empty() {
                    s += &format!(
                        " · {} {}–{}: {}",
                        a.dynamics,
                        p.from,
                        p.year,
                        names(state, &p.dynamics, locale)
                    );
                }
                s
            }
            Err(_) => run.params_json.clone(),
        },
        "typology" => match serde_json::from_str::<TypologyParams>(&run.params_json) {
            Ok(p) => format!(
                "{} {} · k = {} · {}",
                super::level_name(state, &p.level, locale),
                p.year,
                p.k,
                names(state, &p.indicators, locale)
            ),
            Err(_) => run.params_json.clone(),
        },
        "moran" => match serde_json::from_str::<MoranParams>(&run.params_json) {
            Ok(p) => format!(
                "{} · {} {}",
                super::indicator_name(state, &p.indicator, locale),
                super::level_name(state, &p.level, locale),
                p.year
            ),
            Err(_) => run.params_json.clone(),
        },
        "regions" => {
            match serde_json::from_str::<sozialatlas_runs::RegionsParams>(&run.params_json) {
                Ok(p) => super::regions::summary(state, &p, locale),
                Err(_) => run.params_json.clone(),
            }
        }
        _ => run.params_json.clone(),
    }
}

/// The date of a stored timestamp as the page prints it (`2026-11-25T09:17:07Z` →
/// `25.11.2026, 09:17 UTC` / `2026-11-25 09:17 UTC`).
pub(crate) fn when(ts: &str, locale: Locale) -> String {
    let (date, time) = ts.split_once('T').unwrap_or((ts, ""));
    let hm: String = time.chars().take(5).collect();
    let parts: Vec<&str> = date.split('-').collect();
    match (locale, parts.as_slice()) {
        (Locale::De, [y, m, d]) => format!("{d}.{m}.{y}, {hm} UTC"),
        (_, _) if !hm.is_empty() => format!("{date} {hm} UTC"),
        _ => ts.to_string(),
    }
}

pub(crate) fn run_rows(state: &AppState, runs: &[StoredRun], locale: Locale) -> Vec<RunRow> {
    let a = texts(locale);
    let p = prefix(locale);
    let current = state.snapshot().load.id;
    runs.iter()
        .map(|r| RunRow {
            id: r.id,
            href: format!("{p}/analysis/runs/{}", r.id),
            kind: kind_label(&r.kind, a),
            summary: summary(state, r, locale),
            created: when(&r.created_at, locale),
            load: if r.load_id == current {
                a.load_current.replace("{load}", &r.load_id.to_string())
            } else {
                a.load_earlier.replace("{load}", &r.load_id.to_string())
            },
        })
        .collect()
}

#[derive(Template)]
#[template(path = "analysis/overview.html")]
struct OverviewPage {
    l: Layout,
    a: &'static AMsgs,
    r: &'static crate::i18n::regions::RMsgs,
    p: &'static str,
    runs: Vec<RunRow>,
    compare_a: Vec<Opt>,
    compare_b: Vec<Opt>,
    sets_text: String,
    example_indicator: String,
}

/// `GET /analysis`.
pub async fn page(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let a = texts(locale);
    let runs = sozialatlas_store::list_runs(state.pool(), None).await?;
    let sets = sozialatlas_store::list_action_area_sets(state.pool())
        .await?
        .len();
    let rows = run_rows(&state, &runs, locale);
    let typologies: Vec<&RunRow> = rows
        .iter()
        .zip(&runs)
        .filter(|(_, r)| r.kind == "typology")
        .map(|(row, _)| row)
        .collect();
    let choice = |skip: usize| {
        typologies
            .iter()
            .enumerate()
            .map(|(i, r)| {
                opt(
                    r.id.to_string(),
                    format!("{} {}: {}", a.run, r.id, r.summary),
                    i == skip,
                )
            })
            .collect::<Vec<_>>()
    };
    // An indicator for the Moran link: the first with a direction and data.
    let snap = state.snapshot();
    let example_indicator = super::default_level(&state)
        .and_then(|l| {
            sozialatlas_runs::default_indicators(snap, l, *snap.periods.last()?)
                .first()
                .copied()
        })
        .map(|i| snap.catalogue.indicators[i].id.clone())
        .unwrap_or_default();
    let page = OverviewPage {
        l: Layout::new(&state, locale, a.nav_analysis, uri.0.path(), uri.0.query()),
        a,
        r: crate::i18n::regions::rmsgs(locale),
        p: prefix(locale),
        compare_a: choice(1),
        compare_b: choice(0),
        runs: rows,
        sets_text: a.sets_stored.replace("{n}", &sets.to_string()),
        example_indicator,
    };
    Ok(super::no_store(super::html(&page)?))
}
