//! `/analysis/regions`: contiguous regions (SKATER, max-p) for process managers — the form,
//! the map of the regions with their borders, each region's population, within-region sum of
//! squares and profile, and its areas; saving stores the run (kind `regions`), whose page
//! offers the overlay files for the atlas folder (`runs::overlay_files`, as
//! `sozialatlas regions --save-overlay` writes them).

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::response::Response;
use sozialatlas_analysis::AnalysisError;
use sozialatlas_analysis::regions::Method;
use sozialatlas_classify::palette::Rgb;
use sozialatlas_core::Locale;
use sozialatlas_render as render;
use sozialatlas_runs::{FloorParam, RegionsParams, RegionsRun, RunError};
use sozialatlas_web_kit::{FieldErrors, FormPage};

use super::{Opt, level_opts, num, texts, year_opts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::AMsgs;
use crate::i18n::regions::{RMsgs, rmsgs};
use crate::i18n::{Msgs, msgs, prefix};
use crate::layout::Layout;
use crate::params;

/// The number of regions a fresh form proposes for SKATER.
const DEFAULT_REGIONS: usize = 4;

/// What the form holds, as typed (shown again with its errors).
#[derive(Clone, Debug, Default, PartialEq)]
struct Input {
    level: String,
    year: String,
    indicators: Vec<String>,
    method: String,
    regions: String,
    min_population: String,
    min_areas: String,
    max_population: String,
    seed: String,
}

impl Input {
    fn from_pairs(pairs: &[(String, String)]) -> Input {
        let get = |k: &str| params::get(pairs, k).unwrap_or("").to_string();
        let mut indicators = Vec::new();
        for (k, v) in pairs {
            if k == "indicators" {
                for id in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    if !indicators.iter().any(|x| x == id) {
                        indicators.push(id.to_string());
                    }
                }
            }
        }
        Input {
            level: get("level"),
            year: get("year"),
            indicators,
            method: get("method"),
            regions: get("regions"),
            min_population: get("min_population"),
            min_areas: get("min_areas"),
            max_population: get("max_population"),
            seed: get("seed"),
        }
    }

    /// A fresh form: the default level and its latest year, the typology's default indicators,
    /// SKATER with four regions.
    fn fresh(state: &AppState) -> Input {
        let snap = state.snapshot();
        let level = super::default_level(state);
        let year = level.and_then(|l| super::index::latest_year(state, l));
        let indicators = match (level, year) {
            (Some(l), Some(y)) => {
                super::ids(snap, &sozialatlas_runs::default_indicators(snap, l, y))
            }
            _ => Vec::new(),
        };
        Input {
            level: level
                .map(|l| snap.tree.levels[l].id.clone())
                .unwrap_or_default(),
            year: year.map(|y| y.to_string()).unwrap_or_default(),
            indicators,
            method: "skater".into(),
            regions: DEFAULT_REGIONS.to_string(),
            seed: "1".into(),
            ..Input::default()
        }
    }
}

/// The URL pairs of a run's parameters (the form's fields; also to repeat a stored run).
pub(crate) fn params_pairs(p: &RegionsParams, locale: Locale) -> Vec<(&'static str, String)> {
    let mut q: Vec<(&str, String)> = vec![
        ("sel", "1".into()),
        ("level", p.level.clone()),
        ("year", p.year.to_string()),
    ];
    for id in &p.indicators {
        q.push(("indicators", id.clone()));
    }
    match p.method {
        Method::Skater => {
            q.push(("method", "skater".into()));
            if let Some(k) = p.regions {
                q.push(("regions", k.to_string()));
            }
        }
        Method::MaxP => q.push(("method", "max-p".into())),
    }
    match &p.floor {
        FloorParam::Population { min, .. } => {
            q.push(("min_population", super::plain(*min, locale)))
        }
        FloorParam::Areas { min } => q.push(("min_areas", min.to_string())),
    }
    if let Some(max) = p.max_population {
        q.push(("max_population", super::plain(max, locale)));
    }
    q.push(("seed", p.seed.to_string()));
    q
}

/// A number of inhabitants as typed: digits with the locale's thousands marks or spaces, and
/// a decimal mark (`8.000`, `8 000` and `8000` are eight thousand in German).
fn inhabitants(s: &str, locale: Locale) -> Option<f64> {
    let grouping = match locale {
        Locale::De => '.',
        Locale::En => ',',
    };
    let t: String = s
        .chars()
        .filter(|c| *c != grouping && !c.is_whitespace())
        .collect();
    params::parse_number(&t)
}

/// The run's parameters from the form, or the errors of its fields.
fn parse(state: &AppState, input: &Input, locale: Locale) -> Result<RegionsParams, FieldErrors> {
    let r = rmsgs(locale);
    let snap = state.snapshot();
    let idx = state.index();
    let mut e = FieldErrors::new();
    let level = idx
        .level
        .get(&input.level)
        .copied()
        .filter(|l| super::analysis_levels(state).contains(l));
    if level.is_none() {
        e.add("r-level", r.err_level);
    }
    let year = input
        .year
        .parse::<i32>()
        .ok()
        .filter(|y| snap.periods.contains(y));
    if year.is_none() {
        e.add("r-year", r.err_year);
    }
    let offered = level.map(|l| super::offered_indicators(state, l));
    let known = input.indicators.iter().all(|id| {
        idx.indicator
            .get(id)
            .is_some_and(|i| offered.as_ref().is_none_or(|o| o.contains(i)))
    });
    if input.indicators.is_empty() || !known {
        e.add("r-indicators", r.err_indicators);
    }
    let method = match input.method.as_str() {
        "skater" => Some(Method::Skater),
        "max-p" => Some(Method::MaxP),
        _ => {
            e.add("r-method", r.err_method);
            None
        }
    };
    let n = level.map_or(0, |l| idx.level_areas[l].len());
    let regions = match method {
        Some(Method::Skater) => {
            let k = input
                .regions
                .parse::<usize>()
                .ok()
                .filter(|k| (2..=n.max(2)).contains(k));
            if k.is_none() {
                e.add("r-regions", r.err_regions.replace("{n}", &n.to_string()));
            }
            k
        }
        _ => None,
    };
    let population = sozialatlas_runs::default_population_indicator(snap);
    let min_population = (!input.min_population.is_empty()).then(|| {
        let v = inhabitants(&input.min_population, locale).filter(|&x| x >= 0.0);
        if v.is_none() {
            e.add("r-min-population", r.err_min_population);
        }
        v
    });
    let min_areas = (!input.min_areas.is_empty()).then(|| {
        let v = input.min_areas.parse::<usize>().ok().filter(|&x| x >= 1);
        if v.is_none() {
            e.add("r-min-areas", r.err_min_areas);
        }
        v
    });
    let floor = match (min_population, min_areas) {
        (Some(_), Some(_)) => {
            e.add("r-min-population", r.err_floor_both);
            None
        }
        (Some(min), None) => match &population {
            Some(indicator) => min.map(|min| FloorParam::Population {
                indicator: indicator.clone(),
                min,
            }),
            None => {
                e.add("r-min-population", r.err_no_population);
                None
            }
        },
        (None, Some(min)) => min.map(|min| FloorParam::Areas { min }),
        (None, None) if method == Some(Method::MaxP) => {
            e.add("r-min-population", r.err_floor_none);
            None
        }
        (None, None) => Some(FloorParam::Areas { min: 1 }),
    };
    let max_population = if input.max_population.is_empty() {
        None
    } else {
        let v = inhabitants(&input.max_population, locale).filter(|&x| x > 0.0);
        if v.is_none() {
            e.add("r-max-population", r.err_max);
        } else if population.is_none() {
            e.add("r-max-population", r.err_no_population);
        }
        v
    };
    let seed = if input.seed.is_empty() {
        Some(1)
    } else {
        let s = input.seed.parse::<u64>().ok();
        if s.is_none() {
            e.add("r-seed", r.err_seed);
        }
        s
    };
    match (level, year, method, floor, seed) {
        (Some(level), Some(year), Some(method), Some(floor), Some(seed)) if e.is_empty() => {
            Ok(RegionsParams {
                level: snap.tree.levels[level].id.clone(),
                year,
                indicators: input.indicators.clone(),
                method,
                regions,
                floor,
                seed,
                max_population,
            })
        }
        _ => Err(e),
    }
}

/// A run the statistics refused, as the error of the field it is about.
fn run_errors(e: &RunError, input: &Input, locale: Locale) -> FieldErrors {
    let r = rmsgs(locale);
    let a = texts(locale);
    let floor_field = if input.min_population.is_empty() && !input.min_areas.is_empty() {
        "r-min-areas"
    } else {
        "r-min-population"
    };
    match e {
        RunError::Analysis(AnalysisError::InvalidSetting { name, .. }) => match name.as_str() {
            "k" => FieldErrors::one("r-regions", r.err_too_many_regions),
            "floor" => FieldErrors::one(floor_field, r.err_floor_too_high),
            "max" => FieldErrors::one("r-max-population", r.err_max_none),
            _ => FieldErrors::one("r-level", format!("{} {e}", a.run_impossible)),
        },
        RunError::Analysis(AnalysisError::OverMaximum {
            names,
            members,
            total,
            max,
        }) => {
            let names = if names.is_empty() {
                members
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            } else {
                names.join(", ")
            };
            FieldErrors::one(
                "r-max-population",
                r.err_over_max
                    .replace("{names}", &names)
                    .replace("{total}", &num(*total, 0, locale))
                    .replace("{max}", &num(*max, 0, locale)),
            )
        }
        RunError::Analysis(_) => {
            FieldErrors::one("r-indicators", format!("{} {e}", a.run_impossible))
        }
        RunError::Parameter(_) => FieldErrors::one("r-level", format!("{} {e}", a.run_impossible)),
    }
}

/// The form's run: its parameters, and the run or the errors that stopped it.
async fn evaluate(
    state: &AppState,
    input: &Input,
    locale: Locale,
) -> Result<(Option<RegionsParams>, Result<RegionsRun, FieldErrors>), AppError> {
    let params = match parse(state, input, locale) {
        Ok(p) => p,
        Err(e) => return Ok((None, Err(e))),
    };
    let (st, p) = (state.clone(), params.clone());
    let run =
        sozialatlas_web_kit::cpu::run(move || sozialatlas_runs::run_regions(st.snapshot(), &p))
            .await?;
    Ok((Some(params), run.map_err(|e| run_errors(&e, input, locale))))
}

/// The fill of region `i` (0-based): the categorical colours, repeated beyond eight regions
/// (the drawn borders and the numbers in the tables tell those apart).
fn fill(colours: &[Rgb], i: usize) -> Rgb {
    colours[i % colours.len()]
}

/// One region of the result.
pub(crate) struct RegionRow {
    pub number: usize,
    pub colour: String,
    pub size: usize,
    pub population: String,
    pub ssd: String,
    pub share: String,
    pub description: String,
    pub members: Vec<(String, String)>,
}

/// The result part of the regions page (also shown for a stored run).
#[derive(Template)]
#[template(path = "analysis/regions_result.html")]
pub(crate) struct RegionsResult {
    pub m: &'static Msgs,
    pub r: &'static RMsgs,
    pub caption: String,
    pub map_svg: String,
    pub heat_svg: String,
    pub homogeneity: String,
    pub objective: String,
    pub max_note: String,
    pub no_population: bool,
    pub rows: Vec<RegionRow>,
    pub left_out: Vec<String>,
}

/// Lays out a regions run (computed now or stored) for the page.
pub(crate) fn result(
    state: &AppState,
    run: &RegionsRun,
    locale: Locale,
    id: &str,
) -> RegionsResult {
    let r = rmsgs(locale);
    let p = &run.params;
    let g = &run.result;
    let snap = state.snapshot();
    let k = g.regions.len();
    let colours = super::colours::clusters(k.clamp(1, super::colours::MAX_CLUSTERS));
    let method = match p.method {
        Method::Skater => "SKATER",
        Method::MaxP => "max-p",
    };
    let caption = r
        .caption
        .replace("{n}", &k.to_string())
        .replace("{areas}", &run.areas.len().to_string())
        .replace("{level}", &super::level_name(state, &p.level, locale))
        .replace("{year}", &p.year.to_string())
        .replace("{method}", method);
    let names: Vec<String> = p
        .indicators
        .iter()
        .map(|id| super::indicator_name(state, id, locale))
        .collect();
    // The words of a profile come from the typology's description in both languages.
    let bilingual: Vec<(String, String)> = p
        .indicators
        .iter()
        .map(|id| {
            (
                super::indicator_name(state, id, Locale::De),
                super::indicator_name(state, id, Locale::En),
            )
        })
        .collect();
    let pairs: Vec<(&str, &str)> = bilingual
        .iter()
        .map(|(de, en)| (de.as_str(), en.as_str()))
        .collect();

    let map_areas = super::run_map_areas(
        state,
        locale,
        &p.level,
        &run.areas,
        &run.left_out,
        |i, ra| {
            (
                format!("{} ({} {})", ra.name, r.region, g.labels[i] + 1),
                render::AreaState::Class {
                    class: g.labels[i],
                    value: None,
                },
            )
        },
    );
    let labels: Vec<String> = (1..=k).map(|i| format!("{} {i}", r.region)).collect();
    let fills: Vec<Rgb> = (0..k).map(|i| fill(&colours, i)).collect();
    // The regions' own borders, dissolved from their areas', drawn over the areas.
    let outlines = sozialatlas_runs::region_shapes(snap, run).unwrap_or_default();
    let map_svg = render::choropleth(&render::MapSpec {
        id: format!("{id}-map"),
        locale,
        width: 640.0,
        title: r.map_title.to_string(),
        subtitle: Some(caption.clone()),
        areas: map_areas,
        classes: render::legend_categories(&labels, &fills),
        outlines,
        stand: Some(snap.meta.stand.clone()),
        attribution: snap.meta.attribution.first().cloned(),
        scale_bar: true,
        ..Default::default()
    });
    let heat_svg = render::heat_table(&render::HeatTableSpec {
        id: format!("{id}-heat"),
        locale,
        title: r.profile_title.to_string(),
        subtitle: Some(r.profile_sub.to_string()),
        row_keys: (1..=k).map(|i| format!("region-{i}")).collect(),
        row_labels: g
            .regions
            .iter()
            .enumerate()
            .map(|(i, x)| format!("{} {} ({})", r.region, i + 1, x.members.len()))
            .collect(),
        column_keys: p.indicators.clone(),
        column_labels: names,
        values: g
            .regions
            .iter()
            .map(|x| x.mean.iter().map(|&z| Some(z)).collect())
            .collect(),
        decimals: 2,
        limit: Some(2.0),
        scheme: None,
    });
    let share = |ssd: f64| {
        if g.total_ss > 0.0 {
            num(100.0 * ssd / g.total_ss, 1, locale)
        } else {
            "–".into()
        }
    };
    let rows = g
        .regions
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let words =
                sozialatlas_analysis::typology::profile(i + 1, &x.mean, x.members.len(), &pairs);
            RegionRow {
                number: i + 1,
                colour: fill(&colours, i).hex(),
                size: x.members.len(),
                population: run
                    .population
                    .as_ref()
                    .and_then(|pop| pop.get(i))
                    .map_or_else(|| "–".into(), |v| num(*v, 0, locale)),
                ssd: num(x.ssd, 2, locale),
                share: share(x.ssd),
                description: match locale {
                    Locale::De => words.description_de,
                    Locale::En => words.description_en,
                },
                members: x
                    .members
                    .iter()
                    .map(|&m| {
                        let ra = &run.areas[m];
                        (
                            ra.name.clone(),
                            super::profile_href(locale, &p.level, &ra.key),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let homogeneity = r
        .homogeneity
        .replace("{share}", &share(g.within_ss))
        .replace("{within}", &num(g.within_ss, 2, locale))
        .replace("{total}", &num(g.total_ss, 2, locale));
    let objective = match p.method {
        Method::Skater => r
            .objective_skater
            .replace("{value}", &num(g.objective, 4, locale)),
        Method::MaxP => r
            .objective_max_p
            .replace("{value}", &num(g.objective, 4, locale))
            .replace("{seed}", &p.seed.to_string()),
    };
    RegionsResult {
        m: msgs(locale),
        r,
        caption,
        map_svg,
        heat_svg,
        homogeneity,
        objective,
        max_note: p
            .max_population
            .map(|max| r.max_note.replace("{max}", &num(max, 0, locale)))
            .unwrap_or_default(),
        no_population: run.population.is_none(),
        rows,
        left_out: run.left_out.iter().map(|x| x.name.clone()).collect(),
    }
}

#[derive(Template)]
#[template(path = "analysis/regions.html")]
struct RegionsPage {
    l: Layout,
    m: &'static Msgs,
    a: &'static AMsgs,
    r: &'static RMsgs,
    action: String,
    errors: FieldErrors,
    levels: Vec<Opt>,
    years: Vec<Opt>,
    choices: Vec<(String, String, bool)>,
    input: Input,
    result: String,
    csrf: String,
    save_params: String,
}

impl FormPage for RegionsPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// Renders the page: the form as typed with its errors (422), and the result when there is one.
fn render_page(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    right: &super::auth::SaveRight,
    input: Input,
    params: Option<&RegionsParams>,
    outcome: Result<Option<RegionsRun>, FieldErrors>,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let r = rmsgs(locale);
    let idx = state.index();
    let levels = super::analysis_levels(state);
    let level = idx
        .level
        .get(&input.level)
        .copied()
        .filter(|l| levels.contains(l))
        .or_else(|| super::default_level(state));
    let year = input.year.parse::<i32>().ok();
    let choices = level
        .map(|l| super::offered_indicators(state, l))
        .unwrap_or_default()
        .into_iter()
        .map(|i| {
            let d = &snap.catalogue.indicators[i];
            (
                d.id.clone(),
                d.name.get(locale).to_string(),
                input.indicators.contains(&d.id),
            )
        })
        .collect();
    let (errors, result, save_params) = match outcome {
        Err(e) => (e, String::new(), String::new()),
        Ok(None) => (FieldErrors::new(), String::new(), String::new()),
        Ok(Some(run)) => (
            FieldErrors::new(),
            result(state, &run, locale, "regions").render()?,
            params
                .map(|p| {
                    super::query(&params_pairs(p, locale))
                        .trim_start_matches('?')
                        .to_string()
                })
                .unwrap_or_default(),
        ),
    };
    let page = RegionsPage {
        l: Layout::new(state, locale, r.title, uri.0.path(), uri.0.query()),
        m: msgs(locale),
        a: texts(locale),
        r,
        action: format!("{}/analysis/regions", prefix(locale)),
        errors,
        levels: level
            .map(|l| level_opts(&snap.tree.levels, levels.iter().copied(), l, locale))
            .unwrap_or_default(),
        years: year_opts(snap.periods.iter().rev(), year),
        choices,
        input,
        result,
        csrf: right.user.csrf.clone(),
        save_params,
    };
    sozialatlas_web_kit::form_page(&page)
}

/// `GET /analysis/regions[?sel=1&…]`: the form; with `sel=1` (the form was sent) also the
/// regions or the errors of its fields. Process managers and administrators only.
pub async fn page(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    right: super::auth::SaveRight,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    if !super::has_selection(&pairs) {
        return render_page(
            &state,
            locale,
            &uri,
            &right,
            Input::fresh(&state),
            None,
            Ok(None),
        );
    }
    let input = Input::from_pairs(&pairs);
    let (params, run) = evaluate(&state, &input, locale).await?;
    render_page(
        &state,
        locale,
        &uri,
        &right,
        input,
        params.as_ref(),
        run.map(Some),
    )
}

/// `POST /analysis/regions`: computes the regions of the settings the page showed (`params`,
/// its query) again and stores them as a run; 303 to the run's page. The form's errors come
/// back on the page (422).
pub async fn save(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    right: super::auth::SaveRight,
    uri: OriginalUri,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let sent = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "params")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let input = Input::from_pairs(&params::pairs(Some(&sent)));
    let (params, run) = evaluate(&state, &input, locale).await?;
    let (params, run) = match (params, run) {
        (Some(p), Ok(run)) => (p, run),
        (p, Err(e)) => {
            return render_page(&state, locale, &uri, &right, input, p.as_ref(), Err(e));
        }
        (None, Ok(_)) => {
            return Err(AppError::Internal(
                "regions: a run without parameters".into(),
            ));
        }
    };
    let id = sozialatlas_store::save_run(
        state.pool(),
        &sozialatlas_store::StoredRun {
            id: 0,
            kind: "regions".into(),
            created_at: sozialatlas_store::clock::now_rfc3339(),
            load_id: state.snapshot().load.id,
            program_version: env!("CARGO_PKG_VERSION").into(),
            params_json: serde_json::to_string(&params)?,
            result_json: serde_json::to_string(&run)?,
        },
    )
    .await?;
    Ok(sozialatlas_web_kit::see_other(&format!(
        "{}/analysis/runs/{id}?saved=1",
        prefix(locale)
    )))
}

/// The overlay id a stored run's files are offered under.
fn overlay_id(run_id: i64) -> String {
    format!("regionen_{run_id}")
}

/// The overlay section of a stored run's page: the two files and the lines for atlas.toml
/// (for a user who may save; a note for everyone else).
#[derive(Template)]
#[template(path = "analysis/regions_overlay.html")]
pub(crate) struct OverlaySection {
    r: &'static RMsgs,
    staff: bool,
    lead: String,
    taken: String,
    geojson_href: String,
    csv_href: String,
    toml: String,
}

/// The overlay section of a stored regions run.
pub(crate) fn overlay_section(
    state: &AppState,
    run: &RegionsRun,
    run_id: i64,
    staff: bool,
    locale: Locale,
) -> OverlaySection {
    let r = rmsgs(locale);
    let p = prefix(locale);
    let id = overlay_id(run_id);
    let files = sozialatlas_runs::overlay_files(state.snapshot(), run, &id, Some(run_id));
    let (lead, taken, toml) = match &files {
        Ok(f) => (
            r.overlay_lead
                .replace("{id}", &id)
                .replace("{geo}", &f.geojson_path)
                .replace("{csv}", &f.membership_path),
            String::new(),
            f.toml.trim_start().to_string(),
        ),
        Err(_) => (
            String::new(),
            r.overlay_taken.replace("{id}", &id),
            String::new(),
        ),
    };
    OverlaySection {
        r,
        staff,
        lead,
        taken,
        geojson_href: format!("{p}/analysis/runs/{run_id}/regions.geojson"),
        csv_href: format!("{p}/analysis/runs/{run_id}/regions.csv"),
        toml,
    }
}

/// The overlay files of a stored regions run (404 for another kind of run).
async fn overlay_files_of(
    state: &AppState,
    raw: &str,
    locale: Locale,
) -> Result<sozialatlas_runs::OverlayFiles, AppError> {
    let stored = super::runs::load(state, "id", raw, locale).await?;
    if stored.kind != "regions" {
        return Err(AppError::NotFound(
            texts(locale)
                .no_such_run
                .replace("{id}", &stored.id.to_string()),
        ));
    }
    let run: RegionsRun = serde_json::from_str(&stored.result_json)
        .map_err(|e| AppError::Internal(format!("run {}: {e}", stored.id)))?;
    sozialatlas_runs::overlay_files(
        state.snapshot(),
        &run,
        &overlay_id(stored.id),
        Some(stored.id),
    )
    .map_err(|e| super::run_error(e, locale))
}

/// The file name of a path in the atlas folder (`geo/x.geojson` → `x.geojson`).
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `GET /analysis/runs/{id}/regions.geojson`: the regions' boundaries, dissolved from their
/// areas', as `sozialatlas regions --save-overlay` writes them.
pub async fn geojson(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    _right: super::auth::SaveRight,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    download(&state, &raw, locale, true).await
}

/// `GET /analysis/runs/{id}/regions.csv`: the areas of each region (`region,member`).
pub async fn csv(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    _right: super::auth::SaveRight,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    download(&state, &raw, locale, false).await
}

/// One of a stored run's overlay files as a download: the boundaries or the membership.
async fn download(
    state: &AppState,
    raw: &str,
    locale: Locale,
    boundaries: bool,
) -> Result<Response, AppError> {
    let f = overlay_files_of(state, raw, locale).await?;
    let (body, ctype, path) = if boundaries {
        (f.geojson, "application/geo+json", f.geojson_path)
    } else {
        (f.membership, "text/csv; charset=utf-8", f.membership_path)
    };
    Ok(super::no_store(crate::pages::file_response(
        body.into_bytes(),
        ctype,
        file_name(&path),
        true,
    )))
}

/// The parameters of a stored regions run in one line.
pub(crate) fn summary(state: &AppState, p: &RegionsParams, locale: Locale) -> String {
    let r = rmsgs(locale);
    let method = match (p.method, p.regions) {
        (Method::Skater, Some(k)) => format!(
            "SKATER, {}",
            r.summary_regions.replace("{n}", &k.to_string())
        ),
        (Method::Skater, None) => "SKATER".to_string(),
        (Method::MaxP, _) => format!("max-p, {} {}", r.seed_used, p.seed),
    };
    let mut parts = vec![
        format!("{} {}", super::level_name(state, &p.level, locale), p.year),
        method,
        match &p.floor {
            FloorParam::Population { min, .. } => r
                .summary_at_least_population
                .replace("{n}", &num(*min, 0, locale)),
            FloorParam::Areas { min } => r.summary_at_least_areas.replace("{n}", &min.to_string()),
        },
    ];
    if let Some(max) = p.max_population {
        parts.push(r.summary_at_most.replace("{n}", &num(max, 0, locale)));
    }
    parts.push(
        p.indicators
            .iter()
            .map(|id| super::indicator_name(state, id, locale))
            .collect::<Vec<_>>()
            .join(", "),
    );
    parts.join(" · ")
}
