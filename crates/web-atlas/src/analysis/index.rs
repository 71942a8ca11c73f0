//! `/analysis/index`: the status/dynamics index by the Berlin MSS method — the settings form,
//! the map in 4 × 3 classes with a two-dimensional legend that doubles as the class counts, the
//! table, and the CSV download.

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::response::Response;
use sozialatlas_analysis::mss::{DynamicsThresholds, Exclusion, StatusThresholds};
use sozialatlas_classify::palette::{self, text_colour_on};
use sozialatlas_core::Locale;
use sozialatlas_render as render;
use sozialatlas_runs::{IndexParams, IndexRun};

use super::colours::{self, DYNAMICS, STATUS};
use super::{Opt, level_opts, num, query, texts, year_opts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::AMsgs;
use crate::i18n::{Msgs, msgs, prefix};
use crate::layout::Layout;
use crate::params;

/// The index settings of a URL.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct IndexQuery {
    pub level: usize,
    pub year: i32,
    pub from: Option<i32>,
    pub status: Vec<usize>,
    pub dynamics: Vec<usize>,
    pub status_w: Vec<f64>,
    pub dynamics_w: Vec<f64>,
    pub min_population: f64,
    pub st: StatusThresholds,
    pub dt: DynamicsThresholds,
}

const BERLIN_ST: StatusThresholds = StatusThresholds {
    high: -1.0,
    middle: 1.0,
    low: 1.5,
};
const BERLIN_DT: DynamicsThresholds = DynamicsThresholds {
    positive: -1.0,
    negative: 1.0,
};

fn default_min_population(state: &AppState) -> f64 {
    state.snapshot().settings.min_population.unwrap_or(300.0)
}

/// The default year of an analysis on the level: the latest year in which at least two directed
/// indicators have a published value for every area (a year that only a few indicators reach,
/// such as the action offices' latest completed year, cannot carry an analysis); else the latest
/// year with any published value.
pub(crate) fn latest_year(state: &AppState, level: usize) -> Option<i32> {
    let idx = state.index();
    let mut years: Vec<i32> = (0..state.snapshot().catalogue.indicators.len())
        .flat_map(|i| idx.periods_at(i, level).iter().copied())
        .collect();
    years.sort_unstable();
    years.dedup();
    years
        .iter()
        .rev()
        .find(|&&y| sozialatlas_runs::complete_indicators(state.snapshot(), level, y).len() >= 2)
        .or(years.last())
        .copied()
}

/// A number parameter; `expected` is (German, English).
fn number(
    pairs: &[(String, String)],
    key: &str,
    default: f64,
    ok: impl Fn(f64) -> bool,
    expected: (&str, &str),
    locale: Locale,
) -> Result<f64, AppError> {
    match params::get(pairs, key) {
        None => Ok(default),
        Some(s) => params::parse_number(s)
            .filter(|&x| ok(x))
            .ok_or_else(|| super::bad_param(key, s, expected.0, expected.1, locale)),
    }
}

impl IndexQuery {
    /// Parses and checks the settings; absent ones get Berlin's defaults and the atlas' latest
    /// year.
    pub fn parse(
        state: &AppState,
        pairs: &[(String, String)],
        locale: Locale,
    ) -> Result<IndexQuery, AppError> {
        let m = texts(locale);
        let snap = state.snapshot();
        let (level, year) = super::level_and_year(state, pairs, locale)?;
        let before: Vec<i32> = snap.periods.iter().copied().filter(|&p| p < year).collect();
        let default_from = if before.contains(&(year - 2)) {
            Some(year - 2)
        } else {
            before.last().copied()
        };
        let from = super::year_param(state, pairs, "from", default_from, locale)?;
        if let Some(f) = from
            && f >= year
        {
            return Err(AppError::BadRequest(
                m.from_after_year
                    .replace("{from}", &f.to_string())
                    .replace("{year}", &year.to_string()),
            ));
        }
        let selected = super::has_selection(pairs);
        let mut status = super::indicators_param(state, pairs, "status", locale)?;
        let mut dynamics = super::indicators_param(state, pairs, "dynamics", locale)?;
        if !selected && status.is_empty() && dynamics.is_empty() {
            status = sozialatlas_runs::default_indicators(state.snapshot(), level, year);
            dynamics = match from {
                Some(f) => {
                    let areas = &state.index().level_areas[level];
                    status
                        .iter()
                        .copied()
                        .filter(|&i| sozialatlas_runs::published_for_all(snap, i, areas, f))
                        .collect()
                }
                None => Vec::new(),
            };
        }
        if status.is_empty() {
            return Err(AppError::BadRequest(m.need_status.to_string()));
        }
        if !dynamics.is_empty() && from.is_none() {
            return Err(AppError::BadRequest(m.need_from.to_string()));
        }
        let weight = |prefix: &str, i: usize| {
            number(
                pairs,
                &format!("{prefix}.{}", snap.catalogue.indicators[i].id),
                1.0,
                |x| x > 0.0 && x <= 100.0,
                ("eine positive Zahl bis 100", "a positive number up to 100"),
                locale,
            )
        };
        let status_w = status
            .iter()
            .map(|&i| weight("ws", i))
            .collect::<Result<Vec<_>, _>>()?;
        let dynamics_w = dynamics
            .iter()
            .map(|&i| weight("wd", i))
            .collect::<Result<Vec<_>, _>>()?;
        let min_population = number(
            pairs,
            "min_population",
            default_min_population(state),
            |x| x >= 0.0,
            (
                "eine Zahl von Einwohner/-innen, 0 oder mehr",
                "a number of inhabitants, 0 or more",
            ),
            locale,
        )?;
        let lim = |k: &str, d: f64| {
            number(
                pairs,
                k,
                d,
                |x| x.abs() <= 10.0,
                ("eine Zahl von -10 bis 10", "a number from -10 to 10"),
                locale,
            )
        };
        let st = StatusThresholds {
            high: lim("t_high", BERLIN_ST.high)?,
            middle: lim("t_middle", BERLIN_ST.middle)?,
            low: lim("t_low", BERLIN_ST.low)?,
        };
        let dt = DynamicsThresholds {
            positive: lim("t_positive", BERLIN_DT.positive)?,
            negative: lim("t_negative", BERLIN_DT.negative)?,
        };
        if !(st.high < st.middle && st.middle < st.low) || dt.positive >= dt.negative {
            return Err(AppError::BadRequest(m.thresholds_ascend.to_string()));
        }
        Ok(IndexQuery {
            level,
            year,
            from,
            status,
            dynamics,
            status_w,
            dynamics_w,
            min_population,
            st,
            dt,
        })
    }

    /// The run's parameters.
    pub fn params(&self, state: &AppState, locale: Locale) -> Result<IndexParams, AppError> {
        let snap = state.snapshot();
        let population = sozialatlas_runs::default_population_indicator(snap)
            .ok_or_else(|| AppError::BadRequest(texts(locale).no_population.to_string()))?;
        let mut p = IndexParams::new(
            snap.tree.levels[self.level].id.clone(),
            self.year,
            super::ids(snap, &self.status),
            super::ids(snap, &self.dynamics),
            self.from.unwrap_or(self.year),
            population,
        );
        p.min_population = self.min_population;
        if self.status_w.iter().any(|&w| w != 1.0) {
            p.status_weights = self.status_w.clone();
        }
        if self.dynamics_w.iter().any(|&w| w != 1.0) {
            p.dynamics_weights = self.dynamics_w.clone();
        }
        if self.st != BERLIN_ST {
            p.status_thresholds = Some(self.st);
        }
        if self.dt != BERLIN_DT {
            p.dynamics_thresholds = Some(self.dt);
        }
        Ok(p)
    }

    /// The canonical query string of these settings.
    pub fn query(&self, state: &AppState) -> String {
        let snap = state.snapshot();
        let mut p = IndexParams::new(
            snap.tree.levels[self.level].id.clone(),
            self.year,
            super::ids(snap, &self.status),
            super::ids(snap, &self.dynamics),
            self.from.unwrap_or(self.year),
            String::new(),
        );
        p.min_population = self.min_population;
        p.status_weights = self.status_w.clone();
        p.dynamics_weights = self.dynamics_w.clone();
        p.status_thresholds = Some(self.st);
        p.dynamics_thresholds = Some(self.dt);
        let mut q = params_query(&p);
        if self.from.is_some() && p.dynamics.is_empty() {
            // Keep the chosen start year even without dynamics indicators.
            q = q.replacen("&sel=1", &format!("&from={}&sel=1", p.from), 1);
        }
        if self.min_population == default_min_population(state) {
            q = q.replace(
                &format!(
                    "&min_population={}",
                    super::plain(p.min_population, Locale::En)
                ),
                "",
            );
        }
        q
    }
}

/// The URL query of index parameters (to link a view, or to repeat a stored run); Berlin's
/// defaults (weight 1, limits ±1 and 1,5) are left out.
pub(crate) fn params_query(p: &IndexParams) -> String {
    let plain = |x: f64| super::plain(x, Locale::En);
    let mut q: Vec<(&str, String)> = vec![("level", p.level.clone()), ("year", p.year.to_string())];
    if !p.dynamics.is_empty() {
        q.push(("from", p.from.to_string()));
    }
    q.push(("sel", "1".into()));
    for id in &p.status {
        q.push(("status", id.clone()));
    }
    for id in &p.dynamics {
        q.push(("dynamics", id.clone()));
    }
    let mut extra: Vec<(String, String)> = Vec::new();
    for (prefix, ids, ws) in [
        ("ws", &p.status, &p.status_weights),
        ("wd", &p.dynamics, &p.dynamics_weights),
    ] {
        for (id, &w) in ids.iter().zip(ws) {
            if w != 1.0 {
                extra.push((format!("{prefix}.{id}"), plain(w)));
            }
        }
    }
    extra.push(("min_population".into(), plain(p.min_population)));
    let st = p.status_thresholds.unwrap_or(BERLIN_ST);
    let dt = p.dynamics_thresholds.unwrap_or(BERLIN_DT);
    for (k, v, d) in [
        ("t_high", st.high, BERLIN_ST.high),
        ("t_middle", st.middle, BERLIN_ST.middle),
        ("t_low", st.low, BERLIN_ST.low),
        ("t_positive", dt.positive, BERLIN_DT.positive),
        ("t_negative", dt.negative, BERLIN_DT.negative),
    ] {
        if v != d {
            extra.push((k.into(), plain(v)));
        }
    }
    for (k, v) in &extra {
        q.push((k.as_str(), v.clone()));
    }
    query(&q)
}

/// One cell of the 2-D legend.
pub(crate) struct GridCell {
    pub label: String,
    pub code: String,
    pub colour: String,
    pub ink: String,
    pub count: usize,
}

/// One row (a status class) of the 2-D legend.
pub(crate) struct GridRow {
    pub label: String,
    pub cells: Vec<GridCell>,
    pub total: usize,
}

/// One area of the table.
pub(crate) struct IndexRow {
    pub key: String,
    pub name: String,
    pub href: String,
    pub status_index: String,
    pub status_class: String,
    pub dynamics_index: String,
    pub dynamics_class: String,
    pub code: String,
    pub colour: String,
    pub excluded: String,
}

/// An indicator of the run with its weight and moments.
pub(crate) struct UsedIndicator {
    pub role: &'static str,
    pub name: String,
    pub weight: String,
    pub mean: String,
    pub sd: String,
}

/// The result part of an index page (also shown for a stored run).
#[derive(Template)]
#[template(path = "analysis/index_result.html")]
pub(crate) struct IndexResult {
    pub m: &'static Msgs,
    pub a: &'static AMsgs,
    pub caption: String,
    pub map_svg: String,
    pub grid: Vec<GridRow>,
    pub dynamics_labels: Vec<String>,
    pub column_totals: Vec<usize>,
    pub included: usize,
    pub included_text: String,
    pub rows: Vec<IndexRow>,
    pub used: Vec<UsedIndicator>,
    pub warnings: Vec<String>,
    pub has_dynamics: bool,
    pub nodata_swatch: String,
}

fn status_label(s: sozialatlas_analysis::mss::StatusClass, l: Locale) -> &'static str {
    match l {
        Locale::De => s.label_de(),
        Locale::En => s.label_en(),
    }
}

fn dynamics_label(d: sozialatlas_analysis::mss::DynamicsClass, l: Locale) -> &'static str {
    match l {
        Locale::De => d.label_de(),
        Locale::En => d.label_en(),
    }
}

/// The label of a combined class: "Status niedrig, Dynamik negativ".
fn combined_label(c: sozialatlas_analysis::mss::CombinedClass, a: &AMsgs, l: Locale) -> String {
    format!(
        "{} {}, {} {}",
        a.status,
        status_label(c.status, l),
        a.dynamics,
        dynamics_label(c.dynamics, l)
    )
}

fn exclusion_text(e: Exclusion, a: &AMsgs, min_population: f64, l: Locale) -> String {
    match e {
        Exclusion::BelowMinimumPopulation => a
            .excluded_population
            .replace("{n}", &num(min_population, 0, l)),
        Exclusion::MissingValue => a.excluded_missing.to_string(),
        Exclusion::Excluded => a.excluded_other.to_string(),
    }
}

/// Lays out an index run (computed now or stored) for the page.
pub(crate) fn result(state: &AppState, run: &IndexRun, locale: Locale, id: &str) -> IndexResult {
    let m = msgs(locale);
    let a = texts(locale);
    let p = &run.params;
    let has_dynamics = !p.dynamics.is_empty();
    let mut grid: Vec<GridRow> = STATUS
        .iter()
        .map(|&s| GridRow {
            label: status_label(s, locale).to_string(),
            cells: DYNAMICS
                .iter()
                .map(|&d| {
                    let c = colours::index_colour(s, d);
                    GridCell {
                        label: combined_label(
                            sozialatlas_analysis::mss::CombinedClass {
                                status: s,
                                dynamics: d,
                            },
                            a,
                            locale,
                        ),
                        code: sozialatlas_analysis::mss::CombinedClass {
                            status: s,
                            dynamics: d,
                        }
                        .code(),
                        colour: c.hex(),
                        ink: text_colour_on(c).rgb().hex(),
                        count: 0,
                    }
                })
                .collect(),
            total: 0,
        })
        .collect();
    let mut rows = Vec::new();
    let mut map_areas = Vec::new();
    for (ra, res) in run.areas.iter().zip(&run.result.areas) {
        let href = super::profile_href(locale, &p.level, &ra.key);
        let state_on_map = match res {
            Ok(ix) => {
                let (r, c) = (
                    colours::status_row(ix.status_class),
                    colours::dynamics_column(ix.dynamics_class),
                );
                grid[r].cells[c].count += 1;
                grid[r].total += 1;
                let colour = colours::index_colour(ix.status_class, ix.dynamics_class);
                rows.push(IndexRow {
                    key: ra.key.clone(),
                    name: ra.name.clone(),
                    href: href.clone(),
                    status_index: num(ix.status_index, 2, locale),
                    status_class: status_label(ix.status_class, locale).to_string(),
                    dynamics_index: if has_dynamics {
                        num(ix.dynamics_index, 2, locale)
                    } else {
                        String::new()
                    },
                    dynamics_class: dynamics_label(ix.dynamics_class, locale).to_string(),
                    code: ix.combined.code(),
                    colour: colour.hex(),
                    excluded: String::new(),
                });
                render::AreaState::Class {
                    class: colours::index_class(ix.status_class, ix.dynamics_class),
                    value: None,
                }
            }
            Err(e) => {
                rows.push(IndexRow {
                    key: ra.key.clone(),
                    name: ra.name.clone(),
                    href: href.clone(),
                    status_index: String::new(),
                    status_class: String::new(),
                    dynamics_index: String::new(),
                    dynamics_class: String::new(),
                    code: String::new(),
                    colour: String::new(),
                    excluded: exclusion_text(*e, a, p.min_population, locale),
                });
                render::AreaState::NoData
            }
        };
        if let Some(area) = super::area_by_key(state, &p.level, &ra.key)
            && let Some(g) = state.snapshot().geometries[area].clone()
        {
            map_areas.push(render::MapArea {
                key: ra.key.clone(),
                name: ra.name.clone(),
                geometry: g,
                state: state_on_map,
                href: Some(href),
            });
        }
    }
    let mut labels = Vec::new();
    let mut fills = Vec::new();
    for &s in &STATUS {
        for &d in &DYNAMICS {
            labels.push(combined_label(
                sozialatlas_analysis::mss::CombinedClass {
                    status: s,
                    dynamics: d,
                },
                a,
                locale,
            ));
            fills.push(colours::index_colour(s, d));
        }
    }
    let level_idx = state.index().level.get(&p.level).copied();
    let caption = if has_dynamics {
        a.index_caption_dyn
            .replace("{level}", &super::level_name(state, &p.level, locale))
            .replace("{year}", &p.year.to_string())
            .replace("{from}", &p.from.to_string())
    } else {
        a.index_caption
            .replace("{level}", &super::level_name(state, &p.level, locale))
            .replace("{year}", &p.year.to_string())
    };
    let snap = state.snapshot();
    let map_svg = render::choropleth(&render::MapSpec {
        id: id.into(),
        locale,
        width: 640.0,
        title: a.index_title.to_string(),
        subtitle: Some(caption.clone()),
        areas: map_areas,
        classes: render::legend_categories(&labels, &fills),
        outlines: level_idx
            .map(|l| super::parent_outlines(state, l))
            .unwrap_or_default(),
        stand: Some(snap.meta.stand.clone()),
        attribution: snap.meta.attribution.first().cloned(),
        scale_bar: true,
        no_legend: true,
        ..Default::default()
    });
    let mut used = Vec::new();
    let w = |ws: &[f64], i: usize| ws.get(i).copied().unwrap_or(1.0);
    for (role, moments, weights) in [
        (a.status, &run.result.status_moments, &p.status_weights),
        (
            a.dynamics,
            &run.result.dynamics_moments,
            &p.dynamics_weights,
        ),
    ] {
        for (i, mo) in moments.iter().enumerate() {
            used.push(UsedIndicator {
                role,
                name: super::indicator_name(state, &mo.name, locale),
                weight: num(w(weights.as_slice(), i), 2, locale),
                mean: num(mo.mean, 2, locale),
                sd: num(mo.sd, 2, locale),
            });
        }
    }
    let column_totals = (0..3)
        .map(|c| grid.iter().map(|r| r.cells[c].count).sum())
        .collect();
    IndexResult {
        m,
        a,
        caption,
        map_svg,
        dynamics_labels: DYNAMICS
            .iter()
            .map(|&d| dynamics_label(d, locale).to_string())
            .collect(),
        column_totals,
        grid,
        included: run.result.included(),
        included_text: a
            .included_of
            .replace("{n}", &run.result.included().to_string())
            .replace("{total}", &run.areas.len().to_string()),
        rows,
        used,
        warnings: run.result.warnings.clone(),
        has_dynamics,
        nodata_swatch: palette::NO_DATA.hex(),
    }
}

/// A row of the indicator choice.
struct Choice {
    id: String,
    name: String,
    status: bool,
    dynamics: bool,
    ws: String,
    wd: String,
}

#[derive(Template)]
#[template(path = "analysis/index.html")]
struct IndexPage {
    l: Layout,
    m: &'static Msgs,
    a: &'static AMsgs,
    action: String,
    levels: Vec<Opt>,
    years: Vec<Opt>,
    froms: Vec<Opt>,
    choices: Vec<Choice>,
    min_population: String,
    t_high: String,
    t_middle: String,
    t_low: String,
    t_positive: String,
    t_negative: String,
    result: String,
    csv_href: String,
    api_href: String,
}

/// The index the settings of a URL's query ask for: the settings, the run's parameters and
/// the run.
fn compute(
    state: &AppState,
    raw: Option<&str>,
    locale: Locale,
) -> Result<(IndexQuery, IndexParams, IndexRun), AppError> {
    let q = IndexQuery::parse(state, &params::pairs(raw), locale)?;
    let params = q.params(state, locale)?;
    let run = sozialatlas_runs::run_index(state.snapshot(), &params)
        .map_err(|e| super::run_error(e, locale))?;
    Ok((q, params, run))
}

/// `GET /analysis/index?…`.
pub async fn page(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (q, _, run) = compute(&state, raw.as_deref(), locale)?;
    let snap = state.snapshot();
    let a = texts(locale);
    let m = msgs(locale);
    let p = prefix(locale);
    let plain = |x: f64| super::plain(x, locale);
    let wtext = |ws: &[f64], inds: &[usize], i: usize| {
        inds.iter()
            .position(|&x| x == i)
            .map_or("1".to_string(), |pos| plain(ws[pos]))
    };
    let choices = super::offered_indicators(&state, q.level)
        .into_iter()
        .map(|i| {
            let d = &snap.catalogue.indicators[i];
            Choice {
                id: d.id.clone(),
                name: d.name.get(locale).to_string(),
                status: q.status.contains(&i),
                dynamics: q.dynamics.contains(&i),
                ws: wtext(&q.status_w, &q.status, i),
                wd: wtext(&q.dynamics_w, &q.dynamics, i),
            }
        })
        .collect();
    let levels = level_opts(
        &snap.tree.levels,
        super::analysis_levels(&state),
        q.level,
        locale,
    );
    let years = year_opts(snap.periods.iter().rev(), Some(q.year));
    let froms = year_opts(snap.periods.iter().rev().filter(|&&y| y < q.year), q.from);
    let query = q.query(&state);
    let page = IndexPage {
        l: Layout::new(&state, locale, a.index_title, uri.0.path(), uri.0.query()),
        m,
        a,
        action: format!("{p}/analysis/index"),
        levels,
        years,
        froms,
        choices,
        min_population: plain(q.min_population),
        t_high: plain(q.st.high),
        t_middle: plain(q.st.middle),
        t_low: plain(q.st.low),
        t_positive: plain(q.dt.positive),
        t_negative: plain(q.dt.negative),
        result: result(&state, &run, locale, "index-map").render()?,
        csv_href: format!("{p}/analysis/index.csv{query}"),
        api_href: format!("/api/v1/analysis/index{query}"),
    };
    super::html(&page)
}

/// The table of an index run as CSV rows (header first).
pub(crate) fn csv_rows(state: &AppState, run: &IndexRun, locale: Locale) -> Vec<Vec<String>> {
    let a = texts(locale);
    let p = &run.params;
    let plain = |x: f64| sozialatlas_core::locale::format_plain(x, 4, locale);
    let mut header: Vec<String> = [
        a.csv_key,
        a.csv_area,
        a.csv_status_index,
        a.csv_status_class,
        a.csv_dynamics_index,
        a.csv_dynamics_class,
        a.csv_group,
        a.csv_note,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for id in &p.status {
        header.push(format!(
            "z {} ({})",
            super::indicator_name(state, id, locale),
            a.status
        ));
    }
    for id in &p.dynamics {
        header.push(format!(
            "z {} ({})",
            super::indicator_name(state, id, locale),
            a.dynamics
        ));
    }
    let mut out = vec![header];
    for (ra, res) in run.areas.iter().zip(&run.result.areas) {
        let mut row = vec![ra.key.clone(), ra.name.clone()];
        match res {
            Ok(ix) => {
                row.extend([
                    plain(ix.status_index),
                    status_label(ix.status_class, locale).to_string(),
                    if p.dynamics.is_empty() {
                        String::new()
                    } else {
                        plain(ix.dynamics_index)
                    },
                    dynamics_label(ix.dynamics_class, locale).to_string(),
                    ix.combined.code(),
                    String::new(),
                ]);
                row.extend(ix.status_z.iter().map(|&z| plain(z)));
                row.extend(ix.dynamics_z.iter().map(|&z| plain(z)));
            }
            Err(e) => {
                row.extend(["", "", "", "", ""].map(String::from));
                row.push(exclusion_text(*e, a, p.min_population, locale));
            }
        }
        out.push(row);
    }
    out
}

/// Writes rows as CSV in the locale's convention (German: `;` and a BOM for Excel), no cell a
/// formula.
pub(crate) fn csv_response(
    rows: &[Vec<String>],
    locale: Locale,
    filename: &str,
) -> Result<Response, AppError> {
    let buf = sozialatlas_core::csv::to_csv(rows, locale)?;
    Ok(crate::pages::file_response(
        buf,
        "text/csv; charset=utf-8",
        filename,
        true,
    ))
}

/// `GET /analysis/index.csv?…`: the table of the index.
pub async fn csv(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (_, params, run) = compute(&state, raw.as_deref(), locale)?;
    csv_response(
        &csv_rows(&state, &run, locale),
        locale,
        &format!("index_{}_{}.csv", params.level, params.year),
    )
}
