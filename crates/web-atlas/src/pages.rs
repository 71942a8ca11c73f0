//! The HTML pages. Each handler gathers what its page shows into a plain struct of
//! preformatted texts (numbers through `sozialatlas_core::locale`), and an askama template
//! lays it out. Charts and maps come from `sozialatlas-render` as inline SVG.

use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use sozialatlas_classify::Closure;
use sozialatlas_classify::palette::{self, Diverging, Sequential};
use sozialatlas_core::locale::format_decimal;
use sozialatlas_core::{Locale, Polarity};
use sozialatlas_model::HouseNumber;
use sozialatlas_render as render;

use crate::AppState;
use crate::error::AppError;
use crate::i18n::search::{SMsgs, smsgs};
use crate::i18n::{Msgs, msgs, prefix};
use crate::layout::{Layout, html};
use crate::params::{self, SchemeOpt, ViewOptions};
use crate::search::{Found, Match};
use crate::select::{Opt, level_opts, opt, year_opts};
use crate::view::{self, IndicatorView, Shown};

fn path_of(uri: &OriginalUri) -> String {
    uri.0.path().to_string()
}

// ------------------------------------------------------------------ start and search

struct IndicatorLink {
    name: String,
    href: String,
    unit: String,
}

struct DimensionBlock {
    name: String,
    indicators: Vec<IndicatorLink>,
}

struct AreaOption {
    name: String,
}

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    l: Layout,
    m: &'static Msgs,
    heading: String,
    lead: String,
    dimensions: Vec<DimensionBlock>,
    areas: Vec<AreaOption>,
    search_action: String,
    search_label: &'static str,
    search_hint: String,
    /// The list of all areas.
    areas_href: String,
}

fn area_names(state: &AppState) -> Vec<AreaOption> {
    let snap = state.snapshot();
    let mut names: Vec<String> = snap
        .tree
        .areas
        .iter()
        .filter(|a| !snap.tree.levels[a.level].overlay)
        .map(|a| a.name.clone())
        .collect();
    names.sort();
    names.dedup();
    names.into_iter().map(|name| AreaOption { name }).collect()
}

fn dimension_blocks(state: &AppState, locale: Locale) -> Vec<DimensionBlock> {
    let snap = state.snapshot();
    let p = prefix(locale);
    snap.catalogue
        .dimensions
        .iter()
        .map(|d| DimensionBlock {
            name: d.name.get(locale).to_string(),
            indicators: snap
                .catalogue
                .indicators_of(&d.id)
                .filter(|(i, _)| !state.index().periods[*i].is_empty())
                .map(|(_, ind)| IndicatorLink {
                    name: ind.name.get(locale).to_string(),
                    href: format!("{p}/indicators/{}", ind.id),
                    unit: ind.unit.clone(),
                })
                .collect(),
        })
        .filter(|d| !d.indicators.is_empty())
        .collect()
}

/// `GET /`: the dimensions and their indicators, and the area search.
pub async fn start(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let heading = snap.meta.name.get(locale).to_string();
    let lead = snap
        .meta
        .description
        .as_ref()
        .map(|d| d.get(locale).to_string())
        .unwrap_or_default();
    html(&StartPage {
        l: Layout::new(&state, locale, "", &path_of(&uri), uri.0.query()),
        m: msgs(locale),
        heading,
        lead,
        dimensions: dimension_blocks(&state, locale),
        areas: area_names(&state),
        search_action: format!("{}/search", prefix(locale)),
        search_label: match snap.addresses {
            Some(_) => smsgs(locale).label,
            None => msgs(locale).search_label,
        },
        search_hint: search_hint(&state, locale),
        areas_href: format!("{}/areas", prefix(locale)),
    })
}

/// An area a search hit leads to.
struct AreaLink {
    name: String,
    href: String,
    level: String,
    key: String,
    /// The parent area below the city (`Bezirk Mitte`), empty for none.
    within: String,
    /// Its profile, when the area's own level has no published values (else empty: the area
    /// itself is linked).
    within_href: String,
    /// The number of addresses of the hit in the area (`12 Adressen`), empty for none.
    count: String,
}

/// One search hit: an area found by name or key (`what` empty), or an address, street or
/// postcode (`what`) with the areas it lies in.
struct SearchHit {
    /// `Adresse`, `Straße`, `Postleitzahl`; empty for an area.
    kind: &'static str,
    /// What was found (`Ackerstraße 1B, 10115 Mitte`); empty for an area.
    what: String,
    /// The text before the areas (`verläuft durch 3 Gebiete:`), empty for none.
    lead: String,
    areas: Vec<AreaLink>,
    /// Found by a similar spelling.
    similar: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    m: &'static Msgs,
    s: &'static SMsgs,
    /// The atlas has an address register: the label and the messages say so.
    addresses: bool,
    hint: String,
    q: String,
    hits: Vec<SearchHit>,
    areas: Vec<AreaOption>,
    search_action: String,
    /// The list of all areas.
    areas_href: String,
    searched: bool,
}

/// The hint under the search field: areas only, or with addresses (the example is the first
/// numbered address of the atlas's own register).
fn search_hint(state: &AppState, locale: Locale) -> String {
    let snap = state.snapshot();
    match &snap.addresses {
        None => msgs(locale).search_hint.to_string(),
        Some(register) => {
            let example = (0..register.streets().len())
                .find_map(|i| {
                    let (number, _) = register.numbers(i).find(|(h, _)| h.number.is_some())?;
                    Some(format!("{} {number}", register.streets()[i].name))
                })
                .unwrap_or_default();
            smsgs(locale).hint.replace("{example}", &example)
        }
    }
}

/// `GET /search?q=`: areas by name or key; with an address register also addresses, streets
/// and postcodes, each with the areas it lies in (see [`crate::search`]). A single hit is shown
/// as a result like any other (as GOV.UK's finders do), not followed: the page says what
/// matched.
pub async fn search(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let q = params::get(&pairs, "q").unwrap_or("").to_string();
    if q.chars().count() > 100 {
        return Err(AppError::BadParam {
            param: "q".into(),
            value: q.chars().take(20).collect::<String>() + "…",
            expected: "a search text of at most 100 characters".into(),
        });
    }
    let snap = state.snapshot();
    let p = prefix(locale);
    let sm = smsgs(locale);
    let count = |n: u32| match n {
        1 => sm.one_address.to_string(),
        n => sm
            .addresses
            .replace("{n}", &format_decimal(f64::from(n), 0, locale)),
    };
    let index = state.index();
    let profile = |area: usize| {
        let a = &snap.tree.areas[area];
        format!("{p}/areas/{}/{}", snap.tree.levels[a.level].id, a.key)
    };
    let link = |area: usize, n: Option<u32>| {
        let a = &snap.tree.areas[area];
        let level = &snap.tree.levels[a.level];
        let has_data = index.level_has_data(a.level);
        let parent = a.parent.filter(|&pa| snap.tree.areas[pa].parent.is_some());
        let within = parent
            .map(|pa| {
                let parent = &snap.tree.areas[pa];
                format!(
                    "{} {}",
                    snap.tree.levels[parent.level].name.get(locale),
                    parent.name
                )
            })
            .unwrap_or_default();
        AreaLink {
            name: a.name.clone(),
            // Only a profile with values is linked; an area of a level without published
            // values leads to the area it lies in.
            href: if has_data {
                profile(area)
            } else {
                String::new()
            },
            level: level.name.get(locale).to_string(),
            key: a.key.clone(),
            within,
            within_href: parent
                .filter(|&pa| !has_data && index.level_has_data(snap.tree.areas[pa].level))
                .map(profile)
                .unwrap_or_default(),
            count: n.map(count).unwrap_or_default(),
        }
    };
    let street_text = |street: usize, number: Option<&HouseNumber>| {
        let Some(register) = &snap.addresses else {
            return String::new();
        };
        let s = &register.streets()[street];
        let mut t = s.name.clone();
        if let Some(n) = number {
            t.push_str(&format!(" {n}"));
        }
        let place: Vec<&str> = [s.postcode.as_str(), s.locality.as_str()]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect();
        if !place.is_empty() {
            t.push_str(", ");
            t.push_str(&place.join(" "));
        }
        t
    };
    let many = |text: &str, n: usize| text.replace("{n}", &n.to_string());
    let hits = crate::search::search(snap, &state.index().folded_names, &q, 100)
        .into_iter()
        .map(|h| {
            let similar = h.matched == Match::Similar;
            match h.found {
                Found::Area { area } => SearchHit {
                    kind: "",
                    what: String::new(),
                    lead: String::new(),
                    areas: vec![link(area, None)],
                    similar,
                },
                Found::Address {
                    street,
                    number,
                    area,
                } => SearchHit {
                    kind: sm.address,
                    what: street_text(street, Some(&number)),
                    lead: String::new(),
                    areas: vec![link(area, None)],
                    similar,
                },
                Found::Street {
                    street,
                    areas,
                    missing,
                } => SearchHit {
                    kind: sm.street,
                    what: street_text(street, None),
                    lead: match missing {
                        Some(number) => sm.number_missing.replace("{number}", &number),
                        None if areas.len() > 1 => many(sm.street_areas, areas.len()),
                        None => String::new(),
                    },
                    areas: areas.iter().map(|&(a, n)| link(a, Some(n))).collect(),
                    similar,
                },
                Found::Postcode { code, areas } => SearchHit {
                    kind: sm.postcode,
                    what: code,
                    lead: many(sm.postcode_areas, areas.len()),
                    areas: areas.iter().map(|&(a, n)| link(a, Some(n))).collect(),
                    similar,
                },
            }
        })
        .collect();
    let m = msgs(locale);
    html(&SearchPage {
        l: Layout::new(
            &state,
            locale,
            m.search_title,
            &path_of(&uri),
            uri.0.query(),
        ),
        m,
        s: sm,
        addresses: snap.addresses.is_some(),
        hint: search_hint(&state, locale),
        searched: !q.trim().is_empty(),
        q,
        hits,
        areas: area_names(&state),
        search_action: format!("{p}/search"),
        areas_href: format!("{p}/areas"),
    })
}

// ------------------------------------------------------------------ indicator page

/// `GET /indicators/{id}`: to the default level (finest with data) and the latest year, or to
/// the level and year chosen in the form (`?level=&year=`), keeping the other options. With
/// `?indicator=` another indicator is chosen: its page at the level, year and compare year
/// chosen where it has them, else at its default level and latest year, without them.
pub async fn indicator_redirect(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let switched = params::get(&pairs, "indicator").filter(|&other| other != id);
    let id = switched.unwrap_or(&id);
    let ind = view::indicator(&state, id, locale)?;
    // Breaks typed by hand that cannot be read go on to the page, which says so by the field.
    let (mut opts, manual_error) = ViewOptions::parse_page(&pairs)?;
    let index = state.index();
    let level = match params::get(&pairs, "level") {
        Some(l) if switched.is_none() => view::level(&state, l, locale)?,
        chosen => chosen
            .and_then(|l| view::level(&state, l, locale).ok())
            .filter(|l| index.levels_with_data[ind].contains(l))
            .or_else(|| index.default_level(ind))
            .ok_or_else(|| AppError::NotFound(no_data_text(locale)))?,
    };
    let latest = || {
        index
            .periods_at(ind, level)
            .last()
            .or(index.periods[ind].last())
            .copied()
            .ok_or_else(|| AppError::NotFound(no_data_text(locale)))
    };
    let year = match params::get(&pairs, "year") {
        Some(y) if switched.is_none() => view::year(&state, ind, y, locale)?,
        Some(y) => match view::year(&state, ind, y, locale) {
            Ok(y) if index.periods_at(ind, level).contains(&y) => y,
            _ => latest()?,
        },
        None => latest()?,
    };
    if switched.is_some() {
        // The selected area and a compare year the other indicator lacks are left behind.
        let level_id = params::get(&pairs, "level");
        if level_id != Some(state.snapshot().tree.levels[level].id.as_str()) {
            opts.area = None;
        }
        opts.compare = opts
            .compare
            .filter(|c| *c != year && index.periods[ind].contains(c));
    }
    let level_id = &state.snapshot().tree.levels[level].id;
    let mut query = opts.query(true);
    if let Some(e) = manual_error {
        let mut typed = form_urlencoded::Serializer::new(String::new());
        typed.append_pair("scheme", "manual");
        typed.append_pair("manual", &e.typed);
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&typed.finish());
    }
    Ok(Redirect::to(&format!(
        "{}/indicators/{id}/{level_id}/{year}{}{query}",
        prefix(locale),
        if query.is_empty() { "" } else { "?" },
    ))
    .into_response())
}

fn no_data_text(locale: Locale) -> String {
    locale
        .pick(
            "Zu diesem Indikator liegen keine Daten vor.",
            "This indicator has no data.",
        )
        .to_string()
}

/// An area's name over the page's map: placed in per cent of the figure, shown (by a container
/// query of the stylesheet, `lw-…`) from the figure width at which it fits inside its area.
struct MapLabel {
    text: String,
    left: String,
    top: String,
    class: String,
    ink: String,
    halo: String,
}

/// The widths from which labels show, in steps (the stylesheet has one rule per step).
const LABEL_WIDTH_STEP: f64 = 80.0;
const LABEL_WIDTH_MAX: f64 = 1600.0;

impl MapLabel {
    /// `None` for a label that fits only on a figure wider than any page shows.
    fn of(l: &render::HtmlLabel) -> Option<MapLabel> {
        let step = (l.min_width / LABEL_WIDTH_STEP).ceil().max(2.0) * LABEL_WIDTH_STEP;
        (step <= LABEL_WIDTH_MAX && l.min_width.is_finite()).then(|| MapLabel {
            text: l.text.clone(),
            left: format!("{:.2}", l.x * 100.0),
            top: format!("{:.2}", l.y * 100.0),
            class: format!("lw-{step}"),
            ink: l.ink.hex(),
            halo: l.halo.hex(),
        })
    }
}

#[derive(Clone, Default)]
struct TableRow {
    key: String,
    name: String,
    profile_href: String,
    select_href: String,
    rank: String,
    value: String,
    state: &'static str,
    numerator: String,
    denominator: String,
    class_label: String,
    colour: String,
    selected: bool,
    low_population: bool,
    /// A mark for a value that is not as given (≈ estimated, Ø weighted mean), with its words.
    basis_mark: &'static str,
    basis_title: String,
    /// The 95 % Wilson interval, `10,2–12,5` (empty without).
    interval: String,
    /// Against the city by the intervals: „nicht deutlich verschieden“ … (empty without).
    versus: String,
    /// The published value beside its smoothed estimate (empty unless smoothed).
    unsmoothed: String,
}

/// What a tooltip adds after an area's value: the published value beside a smoothed one, the
/// interval and how it lies against the city's.
fn area_note(v: &IndicatorView, r: &view::Row, locale: Locale) -> String {
    let mut parts = Vec::new();
    if let Some(x) = r.unsmoothed {
        parts.push(format!(
            "{} {}",
            locale.pick("veröffentlicht", "published"),
            view::with_unit(format_decimal(x, v.decimals, locale), &v.unit)
        ));
    }
    if let Some(ci) = r.ci {
        parts.push(format!(
            "{} {}",
            sozialatlas_core::labels::interval_heading(locale),
            view::with_unit(
                sozialatlas_core::labels::interval_text(ci, v.decimals, locale),
                &v.unit
            )
        ));
    }
    if let Some(vc) = r.versus_city {
        parts.push(sozialatlas_core::labels::versus_city_label(vc, true, locale).to_string());
    }
    parts.join("; ")
}

/// A row "nicht zugeordnet" under the table of a level's areas.
struct UnassignedTableRow {
    name: String,
    value: String,
    state: &'static str,
    numerator: String,
    denominator: String,
}

/// An estimated or converted count (an overlay's from shares, or from an older boundary
/// vintage), rounded to a whole number and marked `≈` (an estimate has no meaningful fraction);
/// None for other counts.
fn estimated_count(
    basis: Option<sozialatlas_core::compute::Basis>,
    x: Option<f64>,
    locale: Locale,
) -> Option<String> {
    match (basis, x) {
        (Some(b), Some(x)) if b.is_estimate() => Some(format!(
            "≈ {}",
            sozialatlas_core::locale::format_decimal(x, 0, locale)
        )),
        _ => None,
    }
}

/// The mark of a value's basis in tables ([`sozialatlas_core::compute::Basis::mark`]).
fn basis_mark(b: Option<sozialatlas_core::compute::Basis>) -> &'static str {
    b.and_then(|b| b.mark()).unwrap_or("")
}

struct Download {
    label: &'static str,
    href: String,
}

struct MetaItem {
    label: &'static str,
    value: String,
}

/// The series as an index: each value × 100 / its value in the first year in which every series
/// has a published value other than zero; `None` without such a year.
fn indexed_series(series: &[render::Series]) -> Option<(i32, Vec<render::Series>)> {
    let years: Vec<i32> = series.first()?.values.iter().map(|&(y, _)| y).collect();
    let (at, &base) = years.iter().enumerate().find(|&(i, _)| {
        series
            .iter()
            .all(|s| s.values.get(i).and_then(|v| v.1).is_some_and(|v| v != 0.0))
    })?;
    let indexed = series
        .iter()
        .map(|s| {
            let b = s.values[at].1?;
            Some(render::Series {
                values: s
                    .values
                    .iter()
                    .map(|&(y, v)| (y, v.map(|v| v * 100.0 / b)))
                    .collect(),
                ..s.clone()
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((base, indexed))
}

/// An indicator's definition and sources as label–value rows (those it has): definition,
/// formula, unit, polarity, source, reference date, the atlas's stand (with `stand`) and notes.
fn definition_items(
    snap: &sozialatlas_store::Snapshot,
    def: &sozialatlas_core::Indicator,
    locale: Locale,
    stand: bool,
) -> Vec<MetaItem> {
    let m = msgs(locale);
    [
        (
            m.definition,
            def.definition.as_ref().map(|d| d.get(locale).to_string()),
        ),
        (
            m.formula,
            Some(sozialatlas_export::formula_text(snap, def, locale)),
        ),
        (m.unit, Some(def.unit.clone())),
        (
            m.polarity,
            Some(sozialatlas_export::polarity_label(def.polarity, locale).to_string()),
        ),
        (m.source, def.source.clone()),
        (m.reference_date, def.reference_date.clone()),
        (m.stand, stand.then(|| snap.meta.stand.clone())),
        (
            m.notes,
            def.notes.as_ref().map(|n| n.get(locale).to_string()),
        ),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|value| MetaItem { label, value }))
    .collect()
}

#[derive(Template)]
#[template(path = "indicator.html")]
struct IndicatorPage {
    l: Layout,
    m: &'static Msgs,
    heading: String,
    dimension: String,
    subtitle: String,
    form_action: String,
    /// Why the manual breaks typed could not be used (empty when they could).
    manual_error: String,
    levels: Vec<Opt>,
    years: Vec<Opt>,
    compares: Vec<Opt>,
    schemes: Vec<Opt>,
    ks: Vec<Opt>,
    closures: Vec<Opt>,
    palettes: Vec<Opt>,
    fixed: bool,
    manual: String,
    area_key: String,
    /// The indicators to choose from.
    indicators: Vec<Opt>,
    /// The definition in one line (empty without).
    definition: String,
    /// Source, stand and attribution under the map.
    source_line: String,
    /// Whether the display options (classification, palette) are shown open.
    options_open: bool,
    map_svg: String,
    legend: Option<LegendView>,
    /// The bar chart, wide and for phones.
    bar_svgs: [String; 2],
    rows: Vec<TableRow>,
    map_labels: Vec<MapLabel>,
    /// The selected area's row, shown in the panel under the map (empty and hidden without
    /// one; the script fills it when an area is clicked or tapped).
    selection: TableRow,
    has_selection: bool,
    show_counts: bool,
    /// Whether the table has the interval and the comparison with the city.
    show_ci: bool,
    city_interval: String,
    interval_header: String,
    versus_header: &'static str,
    /// The smoothing selector (empty where the indicator cannot be smoothed).
    smooths: Vec<Opt>,
    /// Whether the values shown are smoothed.
    smoothed: bool,
    smooth_label: &'static str,
    published_header: &'static str,
    /// The plain words over a smoothed map (empty otherwise).
    smooth_note: String,
    /// The method of the smoothing and of the interval, behind „Methode“.
    methods: Vec<&'static str>,
    method_summary: &'static str,
    value_header: String,
    city_text: String,
    city_basis: String,
    unassigned_rows: Vec<UnassignedTableRow>,
    basis_notes: Vec<String>,
    notes: Vec<String>,
    empty: bool,
    /// The time series, wide and for phones.
    ts_svgs: [String; 2],
    ts_heading: String,
    ts_rows: Vec<(String, String, String)>,
    ts_area: String,
    meta: Vec<MetaItem>,
    downloads: Vec<Download>,
    prev_year: Option<(i32, String)>,
    next_year: Option<(i32, String)>,
    change_kind_note: String,
    any_low_population: bool,
    moran: String,
}

/// The view's caption line: `Stadtteil · 2022` or `Stadtteil · Veränderung 2011–2022 in Prozentpunkten`.
fn subtitle(state: &AppState, v: &IndicatorView, locale: Locale) -> String {
    let snap = state.snapshot();
    let level = snap.tree.levels[v.level].name.get(locale);
    let m = msgs(locale);
    let line = match v.change {
        Some((a, b)) => format!("{level} · {} {a}–{b} ({})", m.change_since, v.unit),
        None => format!("{level} · {}", v.year),
    };
    match v.smooth {
        Some(s) => format!("{line} · {}", view::smoothed_label(s, locale)),
        None => line,
    }
}

/// The choropleth of a view, as the downloads and the report show it: heading, legend and
/// source drawn on the map.
pub(crate) fn map_svg(
    state: &AppState,
    v: &IndicatorView,
    opts: &ViewOptions,
    locale: Locale,
) -> String {
    render::choropleth(&map_spec(state, v, opts, locale, false))
}

/// What the choropleth of a view shows; `linked` makes each area a link that selects it.
fn map_spec(
    state: &AppState,
    v: &IndicatorView,
    opts: &ViewOptions,
    locale: Locale,
    linked: bool,
) -> render::MapSpec {
    let snap = state.snapshot();
    let def = &snap.catalogue.indicators[v.ind];
    let p = prefix(locale);
    let level_id = &snap.tree.levels[v.level].id;
    let areas = v
        .rows
        .iter()
        .filter_map(|r| {
            let g = snap.geometries.get(r.area)?.as_ref()?;
            let a = &snap.tree.areas[r.area];
            let state = match (r.shown, r.class) {
                (Shown::Value(x), Some(c)) => render::AreaState::Class {
                    class: c,
                    value: Some(x),
                },
                (Shown::Suppressed, _) => render::AreaState::Suppressed,
                _ => render::AreaState::NoData,
            };
            let href = linked.then(|| {
                let mut o = opts.clone();
                o.area = Some(a.key.clone());
                format!(
                    "{p}/indicators/{}/{level_id}/{}{}#zeitreihe",
                    def.id,
                    v.year,
                    o.query_suffix(true)
                )
            });
            // A value converted from an older boundary vintage says so in its tooltip.
            let name = match r.basis {
                Some(sozialatlas_core::compute::Basis::Converted) => {
                    format!("{} ({})", a.name, locale.pick("umgerechnet", "converted"))
                }
                _ => a.name.clone(),
            };
            // … and the interval, the comparison with the city and a smoothed value's source.
            let note = area_note(v, r, locale);
            let name = if note.is_empty() {
                name
            } else {
                format!("{name} ({note})")
            };
            Some(render::MapArea {
                key: a.key.clone(),
                name,
                geometry: g.clone(),
                state,
                href,
            })
        })
        .collect();
    // … and the map's subtitle names the conversion.
    let converted = v
        .rows
        .iter()
        .find(|r| r.basis == Some(sozialatlas_core::compute::Basis::Converted))
        .map(|r| view::basis_text(snap, def, r.area, r.basis, locale));
    let classes = v
        .breaks
        .as_ref()
        .and_then(|b| render::legend_classes(b, &v.colours, v.decimals, locale))
        .unwrap_or_default();
    let city = match (v.city.value(), &v.breaks) {
        (Some(c), Some(b)) => Some(render::CityReference::in_breaks(c, b)),
        _ => None,
    };
    // Coarser borders over a fine level: the parent level's outlines.
    let outlines = snap.tree.levels[v.level]
        .parent
        .filter(|&pl| state.index().level_areas[pl].len() > 1)
        .map(|pl| {
            state.index().level_areas[pl]
                .iter()
                .filter_map(|&a| snap.geometries.get(a).cloned().flatten())
                .collect()
        })
        .unwrap_or_default();
    render::MapSpec {
        id: "map".into(),
        locale,
        width: 720.0,
        title: def.name.get(locale).to_string(),
        subtitle: Some(match converted {
            Some(c) => format!("{} · ≈ {c}", subtitle(state, v, locale)),
            None => subtitle(state, v, locale),
        }),
        period: None,
        unit: v.unit.clone(),
        decimals: v.decimals,
        areas,
        classes,
        legend_title: Some(match v.smooth {
            Some(_) => format!("in {}, {}", v.unit, locale.pick("geglättet", "smoothed")),
            None => format!("in {}", v.unit),
        }),
        city,
        outlines,
        highlight: opts.area.clone(),
        labels: render::AreaLabels::None,
        stand: Some(snap.meta.stand.clone()),
        source: def.source.clone(),
        attribution: snap.meta.attribution.first().cloned(),
        scale_bar: true,
        no_legend: false,
        bare: false,
        points: Vec::new(),
        pick: false,
    }
}

/// A map's legend set in HTML beside a bare map (`MapSpec::bare`), where its text stays
/// legible at any width (`legend.html`).
pub(crate) struct LegendView {
    pub(crate) title: String,
    pub(crate) rows: Vec<LegendRowView>,
    /// The city mark's line, e.g. `Stadt: 12,3 %` (empty without).
    pub(crate) city: String,
}

/// One row of a [`LegendView`].
pub(crate) struct LegendRowView {
    pub(crate) label: String,
    pub(crate) count: usize,
    /// The swatch's class: `nodata`, `suppressed`, or empty for a colour.
    pub(crate) kind: &'static str,
    /// The class colour (`#rrggbb`; empty for no data and suppressed).
    pub(crate) colour: String,
    /// Where the city mark crosses the swatch, in % from the top (empty in the other rows).
    pub(crate) city_mark: String,
}

impl LegendView {
    /// The legend of the map `spec` describes.
    pub(crate) fn of(spec: &render::MapSpec) -> LegendView {
        let legend = render::map_legend(spec);
        let rows = legend
            .rows
            .into_iter()
            .map(|r| {
                let (kind, colour) = match r.fill {
                    render::LegendFill::Colour(c) => ("", c.hex()),
                    render::LegendFill::NoData => ("nodata", String::new()),
                    render::LegendFill::Suppressed => ("suppressed", String::new()),
                };
                LegendRowView {
                    label: r.label,
                    count: r.count,
                    kind,
                    colour,
                    city_mark: r
                        .city_mark
                        .map_or_else(String::new, |f| format!("{:.0}%", f * 100.0)),
                }
            })
            .collect::<Vec<_>>();
        LegendView {
            title: legend.title.unwrap_or_default(),
            city: legend
                .city
                .filter(|_| rows.iter().any(|r| !r.city_mark.is_empty()))
                .unwrap_or_default(),
            rows,
        }
    }
}

/// The width of the bar chart beside the table: at its natural size or larger there, so that
/// its text stays at 12 px.
const BARS_WIDTH: f64 = 640.0;
/// The width of a chart's variant for phones, shown instead of the wide one (CSS) at about its
/// natural size rather than shrunk to half, where its text could not be read.
const NARROW_WIDTH: f64 = 350.0;

/// The bar chart of a view, `width` px wide, its ids prefixed `id`.
fn bar_svg(
    state: &AppState,
    v: &IndicatorView,
    opts: &ViewOptions,
    locale: Locale,
    (id, width): (&str, f64),
) -> String {
    let snap = state.snapshot();
    let def = &snap.catalogue.indicators[v.ind];
    let m = msgs(locale);
    let bars = v
        .rows
        .iter()
        .map(|r| {
            let a = &snap.tree.areas[r.area];
            render::Bar {
                key: a.key.clone(),
                name: a.name.clone(),
                value: match (r.shown, r.class) {
                    (Shown::Value(x), c) => render::BarValue::Value {
                        value: x,
                        colour: c
                            .and_then(|c| v.colours.get(c).copied())
                            .unwrap_or(palette::NO_DATA),
                    },
                    (Shown::Suppressed, _) => render::BarValue::Suppressed,
                    (Shown::NoData, _) => render::BarValue::NoData,
                },
                note: area_note(v, r, locale),
            }
        })
        .collect();
    render::bar_chart(&render::BarChartSpec {
        id: id.into(),
        locale,
        width,
        title: def.name.get(locale).to_string(),
        subtitle: Some(subtitle(state, v, locale)),
        // Every bar carries its unit: the short form keeps the labels readable.
        unit: if v.change.is_some() && v.unit == m.change_pp {
            m.change_pp_short.to_string()
        } else {
            v.unit.clone()
        },
        decimals: v.decimals,
        bars,
        ascending: false,
        city_average: v.city.value(),
        city_label: Some(m.city_average.to_string()),
        highlight: opts.area.clone(),
    })
}

/// `GET /indicators/{id}/{level}/{year}[.csv|.xlsx|.svg|.png]`.
pub async fn indicator(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path((id, level_id, year_seg)): Path<(String, String, String)>,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let ind = view::indicator(&state, &id, locale)?;
    let level = view::level(&state, &level_id, locale)?;
    let (year_s, ext) = match year_seg.split_once('.') {
        Some((y, e)) => (y, Some(e)),
        None => (year_seg.as_str(), None),
    };
    let year = view::year(&state, ind, year_s, locale)?;
    let pairs = params::pairs(raw.as_deref());
    // The page shows breaks typed by hand that cannot be read as an error by their field;
    // the downloads and the map files refuse them.
    let (opts, manual_error) = match ext {
        None => ViewOptions::parse_page(&pairs)?,
        Some(_) => (ViewOptions::parse(&pairs)?, None),
    };
    let v = view::build(&state, ind, level, year, &opts, locale)?;
    match ext {
        None => {}
        Some("csv") => return crate::api::download_csv(&state, &v, locale),
        Some("xlsx") => return crate::api::download_xlsx(&state, &v, locale),
        Some("geojson") => return crate::api::download_geojson(&state, &v, locale),
        Some("svg") => {
            let svg = map_svg(&state, &v, &opts, locale);
            return Ok(file_response(
                svg.into_bytes(),
                "image/svg+xml; charset=utf-8",
                &format!("{id}_{level_id}_{year}.svg"),
                false,
            ));
        }
        Some("png") => {
            let svg = map_svg(&state, &v, &opts, locale);
            let png =
                sozialatlas_web_kit::cpu::run(move || render::svg_to_png(&svg, 2.0)).await??;
            return Ok(file_response(
                png,
                "image/png",
                &format!("{id}_{level_id}_{year}.png"),
                false,
            ));
        }
        Some(other) => {
            return Err(AppError::NotFound(match locale {
                Locale::De => {
                    format!(
                        "Das Format „{other}“ gibt es nicht (csv, xlsx, geojson, svg oder png)."
                    )
                }
                Locale::En => {
                    format!("There is no format `{other}` (csv, xlsx, geojson, svg or png).")
                }
            }));
        }
    }
    let snap = state.snapshot();
    let index = state.index();
    let def = &snap.catalogue.indicators[ind];
    let m = msgs(locale);
    let p = prefix(locale);
    let base = format!("{p}/indicators/{id}/{level_id}");
    let page_href = |y: i32, o: &ViewOptions| format!("{base}/{y}{}", o.query_suffix(true));

    // Selectors.
    let levels = index.levels_with_data[ind]
        .iter()
        .chain(std::iter::once(&level))
        .copied()
        .fold(Vec::new(), |mut acc: Vec<usize>, l| {
            if !acc.contains(&l) {
                acc.push(l);
            }
            acc
        });
    let levels = level_opts(&snap.tree.levels, levels, level, locale);
    let periods = &index.periods[ind];
    let years = year_opts(periods, Some(year));
    let mut compares = vec![opt("", m.compare_none, opts.compare.is_none())];
    compares.extend(year_opts(
        periods.iter().filter(|&&y| y != year),
        opts.compare,
    ));
    let scheme_label = |s: SchemeOpt| match s {
        SchemeOpt::Equal => m.scheme_equal,
        SchemeOpt::Quantiles => m.scheme_quantiles,
        SchemeOpt::Natural => m.scheme_natural,
        SchemeOpt::StdDev => m.scheme_stddev,
        SchemeOpt::Box => m.scheme_box,
        SchemeOpt::Manual => m.scheme_manual,
    };
    let schemes = SchemeOpt::ALL
        .iter()
        .map(|&s| opt(s.as_str(), scheme_label(s), s == opts.scheme))
        .collect();
    let ks = (2..=9)
        .map(|k| opt(k.to_string(), k.to_string(), k == opts.k))
        .collect();
    let closures = vec![
        opt("left", m.closure_left, opts.closure == Closure::LeftClosed),
        opt(
            "right",
            m.closure_right,
            opts.closure == Closure::RightClosed,
        ),
    ];
    let palettes = if v.change.is_some() {
        Diverging::ALL
            .iter()
            .map(|d| opt(d.name(), d.name(), d.name() == v.palette))
            .collect()
    } else {
        Sequential::ALL
            .iter()
            .map(|s| opt(s.name(), s.name(), s.name() == v.palette))
            .collect()
    };

    // Table.
    let show_counts = v.change.is_none() && def.formula.denominator().is_some();
    let count = |x: Option<f64>| {
        x.map(|x| format_decimal(x, if x.fract() == 0.0 { 0 } else { 2 }, locale))
            .unwrap_or_default()
    };
    let mut rank = 0;
    let rows: Vec<TableRow> = v
        .rows
        .iter()
        .map(|r| {
            let a = &snap.tree.areas[r.area];
            let mut o = opts.clone();
            o.area = Some(a.key.clone());
            let (value, st) = match r.shown {
                Shown::Value(x) => {
                    rank += 1;
                    (format_decimal(x, v.decimals, locale), "")
                }
                Shown::NoData => (m.no_data.to_string(), "nodata"),
                Shown::Suppressed => (m.suppressed.to_string(), "suppressed"),
            };
            TableRow {
                key: a.key.clone(),
                name: a.name.clone(),
                profile_href: format!("{p}/areas/{level_id}/{}", a.key),
                select_href: format!("{}#zeitreihe", page_href(year, &o)),
                rank: if st.is_empty() {
                    rank.to_string()
                } else {
                    String::new()
                },
                value,
                state: st,
                numerator: estimated_count(r.basis, r.numerator, locale)
                    .unwrap_or_else(|| count(r.numerator)),
                denominator: estimated_count(r.basis, r.denominator, locale)
                    .unwrap_or_else(|| count(r.denominator)),
                class_label: r
                    .class
                    .and_then(|c| v.legend.get(c))
                    .map(|e| e.label.clone())
                    .unwrap_or_default(),
                colour: r
                    .class
                    .and_then(|c| v.colours.get(c))
                    .map(|c| c.hex())
                    .unwrap_or_default(),
                selected: opts.area.as_deref() == Some(a.key.as_str()),
                low_population: r.low_population,
                basis_mark: basis_mark(r.basis),
                basis_title: view::basis_text(snap, def, r.area, r.basis, locale),
                interval: r.ci.map_or_else(String::new, |ci| {
                    sozialatlas_core::labels::interval_text(ci, v.decimals, locale)
                }),
                versus: r.versus_city.map_or_else(String::new, |vc| {
                    sozialatlas_core::labels::versus_city_label(vc, false, locale).to_string()
                }),
                unsmoothed: r
                    .unsmoothed
                    .map_or_else(String::new, |x| format_decimal(x, v.decimals, locale)),
            }
        })
        .collect();
    // What the marks and the published values mean, once under the table.
    let mut basis_notes: Vec<String> = Vec::new();
    if matches!(def.formula, sozialatlas_core::Formula::Published { .. }) {
        basis_notes.push(format!(
            "{}.",
            sozialatlas_core::labels::published_label(locale)
        ));
    }
    for r in rows.iter().filter(|r| !r.basis_mark.is_empty()) {
        let note = format!("{} {}.", r.basis_mark, r.basis_title);
        if !basis_notes.contains(&note) {
            basis_notes.push(note);
        }
    }
    let unassigned_rows: Vec<UnassignedTableRow> = v
        .unassigned
        .iter()
        .map(|u| {
            let (value, st) = match u.shown {
                Shown::Value(x) => (format_decimal(x, v.decimals, locale), ""),
                Shown::NoData => (m.no_data.to_string(), "nodata"),
                Shown::Suppressed => (m.suppressed.to_string(), "suppressed"),
            };
            UnassignedTableRow {
                name: format!(
                    "{} ({})",
                    sozialatlas_core::labels::unassigned_label(locale),
                    snap.tree.areas[u.area].name
                ),
                value,
                state: st,
                numerator: count(u.numerator),
                denominator: count(u.denominator),
            }
        })
        .collect();
    let empty = v.breaks.is_none();
    let any_low_population = rows.iter().any(|r| r.low_population);
    let show_ci = rows.iter().any(|r| !r.interval.is_empty());
    // Smoothing is offered for a rate of counts in a year view; the selector keeps the choice.
    let smooths: Vec<Opt> =
        if sozialatlas_runs::smoothing::smoothable(def).is_some() && v.change.is_none() {
            std::iter::once(opt(
                "",
                locale.pick("keine (veröffentlichte Werte)", "none (published values)"),
                opts.smooth.is_none(),
            ))
            .chain(
                sozialatlas_runs::smoothing::Smoothing::ALL
                    .iter()
                    .map(|&s| {
                        let label = match s {
                sozialatlas_runs::smoothing::Smoothing::Global => locale.pick(
                    "zum Durchschnitt aller Gebiete (empirischer Bayes)",
                    "towards all areas (empirical Bayes)",
                ),
                sozialatlas_runs::smoothing::Smoothing::Spatial => locale.pick(
                    "zum Durchschnitt der Nachbargebiete (räumlicher empirischer Bayes)",
                    "towards the neighbouring areas (spatial empirical Bayes)",
                ),
            };
                        opt(s.param(), label, opts.smooth == Some(s))
                    }),
            )
            .collect()
        } else {
            Vec::new()
        };
    // The method behind the smoothing and the comparison with the city, behind a disclosure.
    let mut methods = Vec::new();
    if v.smooth.is_some() {
        methods.push(locale.pick(
            "Glättung: empirischer Bayes-Schätzer nach Marshall (1991), wie GeoDa und PySAL \
             (esda) ihn rechnen. Jede Quote r = Zähler / Nenner wird mit dem Mittel m gemischt: \
             r̂ = w · r + (1 − w) · m mit w = v / (v + m / Nenner). m ist die Summe der Zähler \
             durch die Summe der Nenner aller Gebiete mit veröffentlichtem Wert (räumlich: des \
             Gebiets und seiner Nachbargebiete), v die Streuung der Quoten über die \
             Zufallsschwankung hinaus (ist sie rechnerisch negativ, gilt 0). Geheim gehaltene \
             Gebiete gehen in keinen Durchschnitt ein und erhalten keinen geglätteten Wert.",
            "Smoothing: the empirical Bayes estimate of Marshall (1991), as GeoDa and PySAL \
             (esda) compute it. Each rate r = numerator / denominator is mixed with the mean m: \
             r̂ = w · r + (1 − w) · m with w = v / (v + m / denominator). m is the sum of the \
             numerators over the sum of the denominators of all areas with a published value \
             (spatial: of the area and its neighbours), v the spread of the rates beyond chance \
             (0 where it comes out negative). Withheld areas enter no average and get no \
             smoothed value.",
        ));
    }
    if show_ci {
        methods.push(locale.pick(
            "95-%-Intervall: das Wilson-Intervall der Quote aus Zähler und Nenner, der Bereich, \
             in dem die Quote bei dieser Zahl von Fällen mit 95 % Sicherheit liegt. „Nicht \
             deutlich verschieden vom Stadtwert“: Das Intervall des Gebiets und das der Stadt \
             überschneiden sich, der Unterschied kann Zufall sein. „Deutlich höher“ oder \
             „deutlich niedriger“: Sie überschneiden sich nicht. Das Intervall gehört zum \
             veröffentlichten, nicht zum geglätteten Wert.",
            "95 % interval: the Wilson interval of the rate from numerator and denominator, the \
             range in which the rate lies with 95 % confidence given the number of cases. “Not \
             clearly different from the city”: the area's interval and the city's overlap, so \
             the difference may be chance. “Clearly higher” or “clearly lower”: they do not \
             overlap. The interval belongs to the published value, not to a smoothed one.",
        ));
    }
    let smooth_note = match v.smooth {
        Some(s) => format!(
            "{}: {}",
            view::smoothed_label(s, locale),
            locale.pick(
                "In Gebieten mit wenigen Einwohnerinnen und Einwohnern verändert schon ein Fall \
                 mehr oder weniger eine Quote stark. Karte, Tabelle und Balken zeigen deshalb \
                 Schätzwerte, die jede Quote zum Durchschnitt hin ziehen – umso stärker, je \
                 kleiner das Gebiet ist. Die veröffentlichten Werte stehen in der Tabelle daneben.",
                "In areas with few residents one case more or less changes a rate a lot. The map, \
                 table and bars therefore show estimates that pull each rate towards the average, \
                 the more the smaller the area. The published values are beside them in the table.",
            )
        ),
        None => String::new(),
    };

    // Time series of the selected area against the city (and its parent area).
    let sel = opts
        .area
        .as_ref()
        .and_then(|k| index.area.get(&(level, k.clone())).copied());
    let series_of = |a: usize| -> Vec<(i32, Option<f64>)> {
        periods
            .iter()
            .map(|&y| (y, view::shown(snap, ind, a, y).value()))
            .collect()
    };
    let mut series = Vec::new();
    let mut ts_rows = Vec::new();
    let city_name = m.city.to_string();
    if let Some(root) = index.root {
        series.push(render::Series {
            key: snap.tree.areas[root].key.clone(),
            name: city_name.clone(),
            role: render::SeriesRole::City,
            values: series_of(root),
        });
    }
    if let Some(a) = sel {
        if let Some(pa) = snap.tree.areas[a]
            .parent
            .filter(|&pa| Some(pa) != index.root)
        {
            series.push(render::Series {
                key: snap.tree.areas[pa].key.clone(),
                name: snap.tree.areas[pa].name.clone(),
                role: render::SeriesRole::Parent,
                values: series_of(pa),
            });
        }
        series.push(render::Series {
            key: snap.tree.areas[a].key.clone(),
            name: snap.tree.areas[a].name.clone(),
            role: render::SeriesRole::Area,
            values: series_of(a),
        });
    }
    for &y in periods {
        let city = index
            .root
            .map_or(Shown::NoData, |r| view::shown(snap, ind, r, y));
        let area = sel.map_or(String::new(), |a| {
            view::shown(snap, ind, a, y).text(v.decimals, "", locale)
        });
        ts_rows.push((y.to_string(), area, city.text(v.decimals, "", locale)));
    }
    let ts_area = sel.map_or(String::new(), |a| snap.tree.areas[a].name.clone());
    let ts_heading = if ts_area.is_empty() {
        format!("{}: {}", m.time_series, m.city)
    } else {
        format!("{}: {} – {}", m.time_series, ts_area, m.city)
    };
    // A count of an area and of the whole city differ by orders of magnitude: on one axis the
    // area is a flat line at the bottom. Counts are drawn as an index (their first common year
    // = 100), so that their development compares; the table keeps the counts.
    let (series, ts_unit, ts_decimals, ts_heading) = match (&def.formula, indexed_series(&series)) {
        (sozialatlas_core::Formula::Count { .. }, Some((base, indexed))) if series.len() > 1 => (
            indexed,
            m.index_unit.replace("{year}", &base.to_string()),
            1,
            format!(
                "{ts_heading} · {}",
                m.index_note.replace("{year}", &base.to_string())
            ),
        ),
        _ => (series, def.unit.clone(), def.decimals(), ts_heading),
    };
    // The time series, wide and for phones.
    let ts_svgs =
        [("ts", 720.0, 320.0), ("ts-narrow", NARROW_WIDTH, 260.0)].map(|(id, width, height)| {
            render::line_chart(&render::LineChartSpec {
                id: id.into(),
                locale,
                width,
                height,
                title: def.name.get(locale).to_string(),
                subtitle: Some(ts_heading.clone()),
                unit: ts_unit.clone(),
                decimals: ts_decimals,
                series: series.clone(),
            })
        });

    let meta = definition_items(snap, def, locale, true);

    let q = opts.query_suffix(true);
    let downloads = ["csv", "xlsx", "geojson", "svg", "png"]
        .into_iter()
        .zip([
            locale.pick("Tabelle (CSV)", "Table (CSV)"),
            locale.pick("Tabelle (Excel, XLSX)", "Table (Excel, XLSX)"),
            locale.pick(
                "Gebiete mit Werten (GeoJSON)",
                "Areas with values (GeoJSON)",
            ),
            locale.pick("Karte (SVG)", "Map (SVG)"),
            locale.pick("Karte (PNG)", "Map (PNG)"),
        ])
        .map(|(ext, label)| Download {
            label,
            href: format!("{base}/{year}.{ext}{q}"),
        })
        .collect();
    let pos = periods.iter().position(|&y| y == year);
    let prev_year = pos
        .and_then(|i| i.checked_sub(1))
        .and_then(|i| periods.get(i))
        .map(|&y| (y, page_href(y, &opts)));
    let next_year = pos
        .and_then(|i| periods.get(i + 1))
        .map(|&y| (y, page_href(y, &opts)));
    let change_kind_note = match v.change {
        Some(_) => format!(
            "{} {}",
            change_formula_note(def, &v, locale),
            change_colour_note(def.polarity, locale)
        ),
        None => String::new(),
    };
    let heading = def.name.get(locale).to_string();
    let dimension = snap.catalogue.dimension_name(def, locale).to_string();
    let value_header = match (v.unit.is_empty(), v.smooth) {
        (true, None) => m.value.to_string(),
        (false, None) => format!("{} ({})", m.value, v.unit),
        // Short, so that the value stays in view on a phone; the caption names the method.
        (true, Some(_)) => locale.pick("geglättet", "smoothed").to_string(),
        (false, Some(_)) => format!("{} ({})", locale.pick("geglättet", "smoothed"), v.unit),
    };
    // The map for the page: bare, with its legend in HTML beside it.
    // The areas' names over it where they fit, in HTML so that they keep their size.
    let (map_svg, map_labels, legend) = if empty {
        (String::new(), Vec::new(), None)
    } else {
        let mut spec = map_spec(&state, &v, &opts, locale, true);
        spec.bare = true;
        spec.labels = render::AreaLabels::Names;
        let names: std::collections::HashMap<&str, &str> = v
            .rows
            .iter()
            .map(|r| {
                let a = &snap.tree.areas[r.area];
                (a.key.as_str(), a.name.as_str())
            })
            .collect();
        let (svg, labels) = render::choropleth_with_labels(&spec, render::LABEL_PX, |a| {
            names
                .get(a.key.as_str())
                .map_or_else(|| a.name.clone(), |n| n.to_string())
        });
        (
            svg,
            labels.iter().filter_map(MapLabel::of).collect(),
            Some(LegendView::of(&spec)),
        )
    };
    let source_line = [
        def.source.as_ref().map(|s| format!("{}: {s}", m.source)),
        Some(format!("{}: {}", m.stand, snap.meta.stand)),
        snap.meta.attribution.first().cloned(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    // The indicators with data, to change the indicator of the view.
    let indicators = index
        .periods
        .iter()
        .enumerate()
        .filter(|(_, ps)| !ps.is_empty())
        .map(|(i, _)| {
            let d = &snap.catalogue.indicators[i];
            opt(d.id.clone(), d.name.get(locale), i == ind)
        })
        .collect();
    // The display options stay open when one is not the default (or the breaks typed are wrong).
    let options_open = manual_error.is_some()
        || opts.scheme != ViewOptions::default().scheme
        || opts.k != ViewOptions::default().k
        || opts.closure != ViewOptions::default().closure
        || opts.palette.is_some()
        || opts.fixed
        || opts.smooth.is_some();
    // Moran's I and LISA (999 permutations on a first view): off the async threads.
    let moran = {
        let (st, change) = (state.clone(), opts.compare.is_some());
        sozialatlas_web_kit::cpu::run(move || {
            crate::analysis::moran_section(&st, ind, level, year, change, locale)
        })
        .await?
    };
    // A link to the page previews its map (as PNG) and says what the indicator is.
    let preview = format!(
        "{} – {}",
        subtitle(&state, &v, locale),
        def.definition.as_ref().map_or_else(
            || def.name.get(locale).to_string(),
            |d| d.get(locale).to_string()
        )
    );
    let selection = rows.iter().find(|r| r.selected).cloned();
    let page = IndicatorPage {
        has_selection: selection.is_some(),
        selection: selection.unwrap_or_default(),
        l: Layout::new(
            &state,
            locale,
            &format!("{heading}, {}", subtitle(&state, &v, locale)),
            &path_of(&uri),
            uri.0.query(),
        )
        .with_preview(&state, &format!("{base}/{year}.png{q}"), &preview),
        m,
        subtitle: subtitle(&state, &v, locale),
        dimension,
        form_action: format!("{p}/indicators/{id}"),
        levels,
        years,
        compares,
        schemes,
        ks,
        closures,
        palettes,
        fixed: opts.fixed,
        manual: manual_error
            .as_ref()
            .map_or_else(|| opts.manual_text(), |e| e.typed.clone()),
        manual_error: manual_error
            .as_ref()
            .and_then(|e| e.error.field_message(locale))
            .unwrap_or_default(),
        area_key: opts.area.clone().unwrap_or_default(),
        indicators,
        definition: def
            .definition
            .as_ref()
            .map(|d| d.get(locale).to_string())
            .unwrap_or_default(),
        source_line,
        options_open,
        map_svg,
        map_labels,
        legend,
        bar_svgs: if empty {
            [String::new(), String::new()]
        } else {
            [("bars", BARS_WIDTH), ("bars-narrow", NARROW_WIDTH)]
                .map(|spec| bar_svg(&state, &v, &opts, locale, spec))
        },
        rows,
        show_counts,
        show_ci,
        city_interval: v.city_ci.map_or_else(String::new, |ci| {
            sozialatlas_core::labels::interval_text(ci, v.decimals, locale)
        }),
        interval_header: format!(
            "{} ({})",
            sozialatlas_core::labels::interval_heading(locale),
            v.unit
        ),
        versus_header: sozialatlas_core::labels::versus_city_heading(locale),
        smooths,
        smoothed: v.smooth.is_some(),
        smooth_label: locale.pick("Glättung kleiner Gebiete", "Smoothing of small areas"),
        published_header: locale.pick("veröffentlicht", "published"),
        smooth_note,
        methods,
        method_summary: locale.pick("Methode", "Method"),
        value_header,
        city_text: v.city.text(v.decimals, &v.unit, locale),
        city_basis: index.root.map_or_else(String::new, |r| {
            let b = v
                .city_basis
                .filter(|&b| b != sozialatlas_core::compute::Basis::Summed);
            view::basis_text(snap, def, r, b, locale)
        }),
        unassigned_rows,
        basis_notes,
        notes: v.notes.clone(),
        empty,
        ts_svgs,
        ts_heading,
        ts_rows,
        ts_area,
        meta,
        downloads,
        prev_year,
        next_year,
        change_kind_note,
        any_low_population,
        moran,
        heading,
    };
    let mut r = html(&page)?;
    if manual_error.is_some() {
        *r.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

/// A file download response.
pub(crate) fn file_response(
    body: Vec<u8>,
    ctype: &'static str,
    filename: &str,
    attachment: bool,
) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    let disp = format!(
        "{}; filename=\"{}\"",
        if attachment { "attachment" } else { "inline" },
        filename.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '_' && c != '-',
            "_"
        )
    );
    if let Ok(v) = HeaderValue::from_str(&disp) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

// ------------------------------------------------------------------ area profile

struct ProfileRow {
    /// The indicator (its index in the catalogue).
    indicator: usize,
    name: String,
    href: String,
    year: String,
    area: String,
    area_state: &'static str,
    area_mark: &'static str,
    area_mark_title: String,
    parent: String,
    /// The comparison area's value (empty without one).
    compare: String,
    city: String,
    sentence: String,
    spine: String,
    spark: String,
}

struct ProfileGroup {
    name: String,
    rows: Vec<ProfileRow>,
}

struct LinkItem {
    name: String,
    href: String,
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    l: Layout,
    m: &'static Msgs,
    /// An overlay area: its member areas with their shares, and how its values come about.
    members: Vec<(LinkItem, String)>,
    members_note: String,
    /// Why the profile has no values (its level has none published), else empty.
    no_data: String,
    name: String,
    level_name: String,
    key: String,
    parent: Option<LinkItem>,
    parent_header: String,
    children: Vec<LinkItem>,
    children_level: String,
    locator: String,
    groups: Vec<ProfileGroup>,
    is_root: bool,
    columns: usize,
    /// The year switch: "each indicator's latest year" and every year with values on the level.
    years: Vec<Opt>,
    /// The areas of the level to compare with (the first: none).
    compare_opts: Vec<Opt>,
    /// The comparison area's name, heading its column (empty without one).
    compare_header: String,
    /// The profile as CSV, as shown (year and comparison kept).
    csv_href: String,
    /// The profile as PDF, as shown.
    pdf_href: String,
}

/// What a profile shows: each indicator in its latest year up to `upto` (all years: `None`),
/// and the values of the area `compare` of the same level beside the area's own.
struct ProfileChoice {
    upto: Option<i32>,
    compare: Option<usize>,
}

impl ProfileChoice {
    /// The level, the area and the choice of a profile's URL (`/areas/{level}/{key}?…`).
    fn of_path(
        state: &AppState,
        locale: Locale,
        level_id: &str,
        key: &str,
        raw: Option<String>,
    ) -> Result<(usize, usize, ProfileChoice), AppError> {
        let level = view::level(state, level_id, locale)?;
        let a = view::area(state, level, key, locale)?;
        let choice = ProfileChoice::parse(state, level, a, raw.as_deref())?;
        Ok((level, a, choice))
    }

    /// Reads `year` and `compare` of a profile's query: a year must have values on the level,
    /// an area must be another area of the level (each else a 400 naming it).
    fn parse(
        state: &AppState,
        level: usize,
        area: usize,
        raw: Option<&str>,
    ) -> Result<ProfileChoice, AppError> {
        let snap = state.snapshot();
        let index = state.index();
        let pairs = params::pairs(raw);
        let upto = match params::get(&pairs, "year").filter(|y| !y.is_empty()) {
            None => None,
            Some(y) => {
                let years = profile_years(state, level);
                match y.parse::<i32>() {
                    Ok(y) if years.contains(&y) => Some(y),
                    _ => {
                        return Err(AppError::BadParam {
                            param: "year".into(),
                            value: y.to_string(),
                            expected: format!(
                                "a year with values on this level ({})",
                                years
                                    .iter()
                                    .map(i32::to_string)
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        });
                    }
                }
            }
        };
        let compare = match params::get(&pairs, "compare").filter(|k| !k.is_empty()) {
            None => None,
            Some(k) => match index.area.get(&(level, k.to_string())) {
                Some(&c) if c != area => Some(c),
                _ => {
                    return Err(AppError::BadParam {
                        param: "compare".into(),
                        value: k.to_string(),
                        expected: format!(
                            "the key of another area of the level {}",
                            snap.tree.levels[level].id
                        ),
                    });
                }
            },
        };
        Ok(ProfileChoice { upto, compare })
    }

    /// The year an indicator is shown in: its latest with values on the level, up to `upto`.
    fn year(&self, state: &AppState, ind: usize, level: usize) -> Option<i32> {
        state
            .index()
            .periods_at(ind, level)
            .iter()
            .rev()
            .find(|&&y| self.upto.is_none_or(|u| y <= u))
            .copied()
    }

    /// The query that keeps the choice (`?year=2020&compare=3`, or empty).
    fn query(&self, state: &AppState) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(y) = self.upto {
            q.append_pair("year", &y.to_string());
        }
        if let Some(c) = self.compare {
            q.append_pair("compare", &state.snapshot().tree.areas[c].key);
        }
        let q = q.finish();
        if q.is_empty() { q } else { format!("?{q}") }
    }
}

/// Every year with a published value of some indicator on the level, in order.
fn profile_years(state: &AppState, level: usize) -> Vec<i32> {
    let index = state.index();
    let mut years: Vec<i32> = (0..state.snapshot().catalogue.indicators.len())
        .flat_map(|i| index.periods_at(i, level).iter().copied())
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// The rows of a profile as shown — on the page and in its PDF: each indicator in the year the
/// choice gives, the area beside its parent, the comparison area and the city.
fn profile_groups(
    state: &AppState,
    locale: Locale,
    level: usize,
    level_id: &str,
    a: usize,
    choice: &ProfileChoice,
) -> Vec<ProfileGroup> {
    let snap = state.snapshot();
    let index = state.index();
    let m = msgs(locale);
    let p = prefix(locale);
    let area = &snap.tree.areas[a];
    let is_root = Some(a) == index.root;
    let parent = area.parent.filter(|&pa| Some(pa) != index.root);
    let parent_name = parent.map(|pa| snap.tree.areas[pa].name.as_str());
    let mut groups = Vec::new();
    for d in &snap.catalogue.dimensions {
        let mut rows = Vec::new();
        for (ii, def) in snap.catalogue.indicators_of(&d.id) {
            let Some(year) = choice.year(state, ii, level) else {
                continue;
            };
            let dec = def.decimals();
            let own = view::shown(snap, ii, a, year);
            let own_basis = snap
                .value(ii, a, year)
                .filter(|v| v.state == sozialatlas_core::ValueState::Ok)
                .map(|v| v.basis);
            let city = index
                .root
                .map_or(Shown::NoData, |r| view::shown(snap, ii, r, year));
            let par = parent.map(|pa| view::shown(snap, ii, pa, year));
            let name = def.name.get(locale).to_string();
            let mut sentence = format!("{name} {}", own.text(dec, &def.unit, locale));
            if let Some(pv) = par
                && let Some(pn) = parent_name
            {
                sentence.push_str(&format!(", {pn} {}", pv.text(dec, &def.unit, locale)));
            }
            if !is_root {
                sentence.push_str(&format!(
                    ", {} {}",
                    m.city,
                    city.text(dec, &def.unit, locale)
                ));
            }
            let level_values: Vec<f64> = index.level_areas[level]
                .iter()
                .filter_map(|&x| view::shown(snap, ii, x, year).value())
                .collect();
            // A count's city value is the sum of the areas: no centre line for it.
            let comparable = !matches!(def.formula, sozialatlas_core::Formula::Count { .. });
            let spine = match city.value() {
                Some(cv) if comparable && !is_root && !level_values.is_empty() => {
                    render::spine_row(&render::SpineSpec {
                        id: format!("spine-{}", def.id),
                        locale,
                        width: 220.0,
                        height: 24.0,
                        indicator: name.clone(),
                        area_key: area.key.clone(),
                        area_name: area.name.clone(),
                        unit: def.unit.clone(),
                        decimals: dec,
                        polarity: def.polarity,
                        values: level_values,
                        area_value: own.value(),
                        city_value: cv,
                    })
                }
                _ => String::new(),
            };
            // The years whose values were converted from earlier boundaries, named in the
            // time series' title.
            let converted: Vec<String> = index.periods[ii]
                .iter()
                .filter(|&&y| {
                    snap.value(ii, a, y).is_some_and(|v| {
                        v.state == sozialatlas_core::ValueState::Ok
                            && v.basis == sozialatlas_core::compute::Basis::Converted
                    })
                })
                .map(|y| y.to_string())
                .collect();
            let spark_name = match converted.as_slice() {
                [] => format!("{name} {}", area.name),
                years => format!(
                    "{name} {} ({} {})",
                    area.name,
                    years.join(", "),
                    locale.pick("umgerechnet", "converted")
                ),
            };
            let spark = render::sparkline(&render::SparklineSpec {
                id: format!("spark-{}", def.id),
                locale,
                width: 120.0,
                height: 28.0,
                key: area.key.clone(),
                name: spark_name,
                unit: def.unit.clone(),
                decimals: dec,
                values: index.periods[ii]
                    .iter()
                    .map(|&y| (y, view::shown(snap, ii, a, y).value()))
                    .collect(),
            });
            let verdict = match (
                own.value(),
                city.value().filter(|_| comparable),
                def.polarity,
            ) {
                (Some(x), Some(c), Polarity::HigherIsWorse) if !is_root && x > c => " worse",
                (Some(x), Some(c), Polarity::HigherIsBetter) if !is_root && x < c => " worse",
                (Some(x), Some(c), Polarity::HigherIsWorse) if !is_root && x < c => " better",
                (Some(x), Some(c), Polarity::HigherIsBetter) if !is_root && x > c => " better",
                _ => "",
            };
            if !verdict.is_empty() {
                sentence.push_str(&format!(
                    " ({})",
                    if verdict == " worse" {
                        m.worse_than_city
                    } else {
                        m.better_than_city
                    }
                ));
            }
            rows.push(ProfileRow {
                indicator: ii,
                href: format!(
                    "{p}/indicators/{}/{level_id}/{year}?area={}",
                    def.id,
                    form_encode(&area.key)
                ),
                year: year.to_string(),
                area: own.text(dec, "", locale),
                area_mark: basis_mark(own_basis),
                area_mark_title: view::basis_text(snap, def, a, own_basis, locale),
                area_state: match own {
                    Shown::Value(_) => verdict.trim(),
                    Shown::NoData => "nodata",
                    Shown::Suppressed => "suppressed",
                },
                parent: par.map(|s| s.text(dec, "", locale)).unwrap_or_default(),
                compare: choice
                    .compare
                    .map(|c| view::shown(snap, ii, c, year).text(dec, "", locale))
                    .unwrap_or_default(),
                city: city.text(dec, "", locale),
                sentence,
                spine,
                spark,
                name: format!("{name} ({})", def.unit),
            });
        }
        if !rows.is_empty() {
            groups.push(ProfileGroup {
                name: d.name.get(locale).to_string(),
                rows,
            });
        }
    }

    groups
}

/// The locator map of a profile: every area of the level in one light colour, area `a`
/// outlined; each area links to its profile if `links`. Empty without a geometry of `a`.
fn locator_map(
    state: &AppState,
    locale: Locale,
    level: usize,
    a: usize,
    width: f64,
    links: bool,
) -> String {
    let snap = state.snapshot();
    if !snap.geometries.get(a).is_some_and(Option::is_some) {
        return String::new();
    }
    let m = msgs(locale);
    let p = prefix(locale);
    let level_id = &snap.tree.levels[level].id;
    let area = &snap.tree.areas[a];
    let areas = snap
        .with_geometry(&state.index().level_areas[level])
        .map(|(x, ar, g)| {
            let href = links.then(|| format!("{p}/areas/{level_id}/{}", ar.key));
            render::locator_area(ar.key.clone(), ar.name.clone(), g.clone(), x == a, href)
        })
        .collect();
    render::choropleth(&render::MapSpec {
        id: "locator".into(),
        locale,
        width,
        title: format!("{}: {}", m.locator, area.name),
        areas,
        classes: render::locator_classes(m.area.to_string(), area.name.clone()),
        highlight: Some(area.key.clone()),
        no_legend: true,
        ..Default::default()
    })
}

/// `GET /areas/{level}/{key}`: every indicator of the area against the city and its parent,
/// in each indicator's latest year (or up to `?year=`), beside another area (`?compare=`).
pub async fn area(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path((level_id, key)): Path<(String, String)>,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (level, a, choice) = ProfileChoice::of_path(&state, locale, &level_id, &key, raw)?;
    let snap = state.snapshot();
    let index = state.index();
    let m = msgs(locale);
    let p = prefix(locale);
    let area = &snap.tree.areas[a];
    let is_root = Some(a) == index.root;
    let parent = area.parent.filter(|&pa| Some(pa) != index.root);
    let parent_link = parent.map(|pa| {
        let pa_area = &snap.tree.areas[pa];
        LinkItem {
            name: pa_area.name.clone(),
            href: format!(
                "{p}/areas/{}/{}",
                snap.tree.levels[pa_area.level].id, pa_area.key
            ),
        }
    });
    let children: Vec<LinkItem> = snap
        .tree
        .areas
        .iter()
        .filter(|c| c.parent == Some(a))
        .map(|c| LinkItem {
            name: c.name.clone(),
            // A level without published values has no profiles to link to: its names only.
            href: if index.level_has_data(c.level) {
                format!("{p}/areas/{}/{}", snap.tree.levels[c.level].id, c.key)
            } else {
                String::new()
            },
        })
        .collect();
    let children_level = snap
        .tree
        .areas
        .iter()
        .find(|c| c.parent == Some(a))
        .map(|c| snap.tree.levels[c.level].name.get(locale).to_string())
        .unwrap_or_default();

    let overlay_level = &snap.tree.levels[level];
    let members: Vec<(LinkItem, String)> = snap
        .tree
        .memberships
        .iter()
        .filter(|x| x.overlay_area == a)
        .map(|x| {
            let mem = &snap.tree.areas[x.member_area];
            (
                LinkItem {
                    name: mem.name.clone(),
                    href: format!("{p}/areas/{}/{}", snap.tree.levels[mem.level].id, mem.key),
                },
                format!(
                    "{} %",
                    sozialatlas_core::locale::format_trimmed(x.share_used() * 100.0, 1, locale)
                ),
            )
        })
        .collect();
    let members_note = if !overlay_level.overlay || members.is_empty() {
        String::new()
    } else if snap
        .tree
        .memberships
        .iter()
        .any(|x| x.overlay_area == a && x.share_millionths() < 1_000_000)
    {
        sozialatlas_core::labels::shares_label(overlay_level.shares, locale).to_string()
    } else {
        sozialatlas_core::labels::members_summed_label(locale).to_string()
    };

    let groups = profile_groups(&state, locale, level, &level_id, a, &choice);

    let locator = locator_map(&state, locale, level, a, 340.0, true);
    let level_name = snap.tree.levels[level].name.get(locale).to_string();
    let page = AreaPage {
        l: Layout::new(
            &state,
            locale,
            &format!("{} ({level_name})", area.name),
            &path_of(&uri),
            uri.0.query(),
        ),
        m,
        members,
        members_note,
        name: area.name.clone(),
        level_name,
        key: area.key.clone(),
        parent_header: parent_link
            .as_ref()
            .map(|pl| pl.name.clone())
            .unwrap_or_default(),
        parent: parent_link,
        children,
        children_level,
        locator,
        no_data: if index.level_has_data(level) {
            String::new()
        } else {
            m.profile_no_data
                .replace("{level}", snap.tree.levels[level].name.get(locale))
        },
        groups,
        is_root,
        columns: 4
            + usize::from(parent.is_some())
            + usize::from(choice.compare.is_some())
            + if is_root { 0 } else { 2 },
        years: std::iter::once(opt("", m.profile_latest, choice.upto.is_none()))
            .chain(
                profile_years(&state, level)
                    .into_iter()
                    .rev()
                    .map(|y| opt(y.to_string(), y.to_string(), choice.upto == Some(y))),
            )
            .collect(),
        compare_opts: std::iter::once(opt("", m.profile_compare_none, choice.compare.is_none()))
            .chain(
                index.level_areas[level]
                    .iter()
                    .filter(|&&x| x != a)
                    .map(|&x| {
                        let o = &snap.tree.areas[x];
                        opt(o.key.clone(), o.name.clone(), choice.compare == Some(x))
                    }),
            )
            .collect(),
        compare_header: choice
            .compare
            .map(|c| snap.tree.areas[c].name.clone())
            .unwrap_or_default(),
        csv_href: format!(
            "{p}/areas/{level_id}/{}/profile.csv{}",
            area.key,
            choice.query(&state)
        ),
        pdf_href: format!(
            "{p}/areas/{level_id}/{}/profile.pdf{}",
            area.key,
            choice.query(&state)
        ),
    };
    html(&page)
}

/// `GET /areas/{level}/{key}/profile.pdf`: the profile as shown (`?year=`, `?compare=`) as a
/// PDF of its own — the table with its positions, the locator map, sources and licence —
/// typeset by the report's typesetter. A level without published values has no PDF (404).
pub async fn area_pdf(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path((level_id, key)): Path<(String, String)>,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (level, a, choice) = ProfileChoice::of_path(&state, locale, &level_id, &key, raw)?;
    if !state.index().level_has_data(level) {
        return Err(AppError::NotFound(msgs(locale).profile_no_data.replace(
            "{level}",
            state.snapshot().tree.levels[level].name.get(locale),
        )));
    }
    let sheet = profile_sheet(&state, locale, level, &level_id, a, &choice, &uri);
    let pdf = sozialatlas_web_kit::cpu::run(move || sozialatlas_report::profile_pdf(&sheet))
        .await?
        .map_err(|e| AppError::Internal(format!("the profile PDF: {e}")))?;
    let mut name = format!("profil_{level_id}_{}", state.snapshot().tree.areas[a].key);
    if let Some(y) = choice.upto {
        name.push_str(&format!("_{y}"));
    }
    Ok(file_response(
        pdf,
        "application/pdf",
        &format!("{name}.pdf"),
        true,
    ))
}

/// The PDF sheet of a profile: the rows of the page ([`profile_groups`]), its columns and
/// notes, a locator map without links, and where the values come from.
fn profile_sheet(
    state: &AppState,
    locale: Locale,
    level: usize,
    level_id: &str,
    a: usize,
    choice: &ProfileChoice,
    uri: &OriginalUri,
) -> sozialatlas_report::ProfileSheet {
    use sozialatlas_report::{Figure, ProfileSheet, SheetGroup, SheetRow};
    let snap = state.snapshot();
    let index = state.index();
    let m = msgs(locale);
    let area = &snap.tree.areas[a];
    let is_root = Some(a) == index.root;
    let parent = area.parent.filter(|&pa| Some(pa) != index.root);
    let level_name = snap.tree.levels[level].name.get(locale);
    let groups = profile_groups(state, locale, level, level_id, a, choice);
    let mut columns = vec![area.name.clone()];
    columns.extend(parent.map(|pa| snap.tree.areas[pa].name.clone()));
    columns.extend(choice.compare.map(|c| snap.tree.areas[c].name.clone()));
    if !is_root {
        columns.push(m.city.to_string());
    }
    let mut marks: Vec<(&'static str, String)> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    let sheet_groups = groups
        .into_iter()
        .map(|g| SheetGroup {
            name: g.name,
            rows: g
                .rows
                .into_iter()
                .enumerate()
                .map(|(i, r)| {
                    let def = &snap.catalogue.indicators[r.indicator];
                    if let Some(src) = def.source.as_ref().filter(|s| !sources.contains(s)) {
                        sources.push(src.clone());
                    }
                    let mut own = r.area;
                    if !r.area_mark.is_empty() {
                        own = format!("{} {own}", r.area_mark);
                        if !marks
                            .iter()
                            .any(|(mk, t)| *mk == r.area_mark && *t == r.area_mark_title)
                        {
                            marks.push((r.area_mark, r.area_mark_title));
                        }
                    }
                    let mut values = vec![own];
                    if parent.is_some() {
                        values.push(r.parent);
                    }
                    if choice.compare.is_some() {
                        values.push(r.compare);
                    }
                    if !is_root {
                        values.push(r.city);
                    }
                    SheetRow {
                        spine: (!r.spine.is_empty()).then(|| Figure {
                            path: format!("charts/spine-{i}-{}.svg", r.indicator),
                            alt: format!("{}: {}", m.spine, r.sentence),
                            what: format!("the position of indicator `{}`", def.id),
                            svg: r.spine,
                        }),
                        name: r.name,
                        year: r.year,
                        values,
                    }
                })
                .collect(),
        })
        .collect();
    let svg = locator_map(state, locale, level, a, 260.0, false);
    let locator = (!svg.is_empty()).then(|| Figure {
        path: "maps/locator.svg".into(),
        alt: format!("{}: {}", m.locator, area.name),
        what: format!("the locator map of area `{}`", area.key),
        svg,
    });
    let mut notes: Vec<String> = marks
        .into_iter()
        .map(|(mk, t)| format!("{mk} {t}"))
        .collect();
    if !is_root {
        notes.push(m.spine_hint.to_string());
    }
    let de = locale == Locale::De;
    let mut source_block = vec![(if de { "Quellen" } else { "Sources" }.to_string(), sources)];
    if let Some(l) = &snap.meta.licence {
        source_block.push((
            if de { "Lizenz" } else { "Licence" }.to_string(),
            vec![l.clone()],
        ));
    }
    if !snap.meta.attribution.is_empty() {
        source_block.push((
            if de { "Namensnennung" } else { "Attribution" }.to_string(),
            snap.meta.attribution.clone(),
        ));
    }
    let mut subtitle = format!("{level_name} {}", area.key);
    if let Some(pa) = parent {
        subtitle.push_str(&format!(" · in {}", snap.tree.areas[pa].name));
    }
    let page = uri.0.path().trim_end_matches("/profile.pdf").to_string() + &choice.query(state);
    ProfileSheet {
        lang: locale.pick("de", "en"),
        atlas: snap.meta.name.get(locale).to_string(),
        name: area.name.clone(),
        subtitle,
        stand: format!(
            "{}: {}",
            if de { "Stand" } else { "As of" },
            snap.meta.stand
        ),
        url: sozialatlas_web_kit::public_url(state).unwrap_or_default() + &page,
        indicator_header: m.indicator.to_string(),
        year_header: m.year.to_string(),
        columns,
        position_header: if is_root {
            String::new()
        } else {
            m.spine.to_string()
        },
        groups: sheet_groups,
        locator,
        notes,
        sources: source_block,
        colophon: format!(
            "Sozialatlas {} · {}",
            env!("CARGO_PKG_VERSION"),
            m.profile_of
        ),
    }
}

/// `GET /areas/{level}/{key}/profile.csv`: the profile as shown (`?year=`, `?compare=`), with
/// what each value is — indicator, unit, year, level, state — and where it comes from.
pub async fn area_csv(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path((level_id, key)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let (level, a, choice) = ProfileChoice::of_path(&state, locale, &level_id, &key, raw)?;
    let snap = state.snapshot();
    let index = state.index();
    let m = msgs(locale);
    let area = &snap.tree.areas[a];
    let parent = area.parent.filter(|&pa| Some(pa) != index.root);
    let level_name = snap.tree.levels[level].name.get(locale);
    let de = locale == Locale::De;
    let mut header: Vec<String> = [
        if de { "Gebiet" } else { "Area" },
        if de { "Schlüssel" } else { "Key" },
        if de { "Ebene" } else { "Level" },
        if de { "Bereich" } else { "Topic" },
        if de { "Indikator-ID" } else { "Indicator id" },
        if de { "Indikator" } else { "Indicator" },
        if de { "Einheit" } else { "Unit" },
        m.year,
        if de { "Wert" } else { "Value" },
        if de { "Status" } else { "State" },
    ]
    .map(String::from)
    .to_vec();
    let others: Vec<(usize, String)> = parent
        .into_iter()
        .chain(choice.compare)
        .chain(index.root.filter(|&r| r != a))
        .map(|x| {
            let o = &snap.tree.areas[x];
            (
                x,
                format!(
                    "{} ({})",
                    o.name,
                    snap.tree.levels[o.level].name.get(locale)
                ),
            )
        })
        .collect();
    header.extend(others.iter().map(|(_, h)| h.clone()));
    header.extend(
        [
            if de { "Quelle" } else { "Source" },
            if de { "Stand" } else { "As of" },
            if de { "Lizenz" } else { "Licence" },
            if de { "Namensnennung" } else { "Attribution" },
        ]
        .map(String::from),
    );
    let value = |s: Shown, dec: usize| {
        s.value()
            .map(|v| sozialatlas_core::locale::format_plain(v, dec, locale))
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for d in &snap.catalogue.dimensions {
        for (ii, def) in snap.catalogue.indicators_of(&d.id) {
            let Some(year) = choice.year(&state, ii, level) else {
                continue;
            };
            let dec = def.decimals();
            let own = view::shown(snap, ii, a, year);
            let mut row = vec![
                area.name.clone(),
                area.key.clone(),
                level_name.to_string(),
                d.name.get(locale).to_string(),
                def.id.clone(),
                def.name.get(locale).to_string(),
                def.unit.clone(),
                year.to_string(),
                value(own, dec),
                own.state_text(locale),
            ];
            row.extend(
                others
                    .iter()
                    .map(|&(x, _)| value(view::shown(snap, ii, x, year), dec)),
            );
            row.extend(Shown::source_columns(snap, def));
            rows.push(row);
        }
    }
    let buf = sozialatlas_core::csv::to_csv(std::iter::once(header).chain(rows), locale)?;
    let mut name = format!("profil_{level_id}_{}", area.key);
    if let Some(y) = choice.upto {
        name.push_str(&format!("_{y}"));
    }
    Ok(file_response(
        buf,
        "text/csv; charset=utf-8",
        &format!("{name}.csv"),
        true,
    ))
}

fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

// ------------------------------------------------------------------ compare

#[derive(Template)]
#[template(path = "compare.html")]
struct ComparePage {
    l: Layout,
    m: &'static Msgs,
    form_action: String,
    xs: Vec<Opt>,
    ys: Vec<Opt>,
    levels: Vec<Opt>,
    years: Vec<Opt>,
    areas: Vec<Opt>,
    svg: String,
    r_text: String,
    x_name: String,
    y_name: String,
    rows: Vec<(String, String, String, String, String, bool)>,
    subtitle: String,
}

/// `GET /compare?x=&y=&level=&year=&area=`: two indicators in a scatter plot.
pub async fn compare(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let index = state.index();
    let m = msgs(locale);
    let p = prefix(locale);
    let pairs = params::pairs(raw.as_deref());
    let with_data: Vec<usize> = (0..snap.catalogue.indicators.len())
        .filter(|&i| !index.periods[i].is_empty())
        .collect();
    let pick = |param: &str, fallback: &[&str], skip: Option<usize>| -> Result<usize, AppError> {
        match params::get(&pairs, param) {
            Some(id) => view::indicator(&state, id, locale),
            None => fallback
                .iter()
                .find_map(|id| index.indicator.get(*id).copied())
                .filter(|i| with_data.contains(i))
                .or_else(|| with_data.iter().copied().find(|&i| Some(i) != skip))
                .ok_or_else(|| AppError::NotFound(no_data_text(locale))),
        }
    };
    let x = pick("x", &["arbeitslosenanteil", "arbeitslosenquote"], None)?;
    let y = pick("y", &["sgb2_quote"], Some(x))?;
    // Level: given, or the finest level both have data on.
    let level = match params::get(&pairs, "level") {
        Some(l) => view::level(&state, l, locale)?,
        None => index.levels_with_data[x]
            .iter()
            .rev()
            .copied()
            .find(|l| index.levels_with_data[y].contains(l) && index.level_areas[*l].len() > 1)
            .or_else(|| index.default_level(x))
            .ok_or_else(|| AppError::NotFound(no_data_text(locale)))?,
    };
    let common: Vec<i32> = index
        .periods_at(x, level)
        .iter()
        .copied()
        .filter(|yr| index.periods_at(y, level).contains(yr))
        .collect();
    let year = match params::get(&pairs, "year") {
        Some(s) => {
            let yr = view::year(&state, x, s, locale)?;
            view::check_year(&state, y, yr, locale)?;
            yr
        }
        None => common
            .last()
            .copied()
            .or_else(|| index.periods[x].last().copied())
            .ok_or_else(|| AppError::NotFound(no_data_text(locale)))?,
    };
    let sel = match params::get(&pairs, "area") {
        Some(k) => Some(view::area(&state, level, k, locale)?),
        None => None,
    };
    let (dx, dy) = (&snap.catalogue.indicators[x], &snap.catalogue.indicators[y]);
    let mut points = Vec::new();
    let mut rows = Vec::new();
    for &a in &index.level_areas[level] {
        let ar = &snap.tree.areas[a];
        let (vx, vy) = (view::shown(snap, x, a, year), view::shown(snap, y, a, year));
        if let (Some(px), Some(py)) = (vx.value(), vy.value()) {
            points.push(render::ScatterPoint {
                key: ar.key.clone(),
                name: ar.name.clone(),
                x: px,
                y: py,
            });
        }
        rows.push((
            ar.key.clone(),
            ar.name.clone(),
            format!("{p}/areas/{}/{}", snap.tree.levels[level].id, ar.key),
            vx.text(dx.decimals(), "", locale),
            vy.text(dy.decimals(), "", locale),
            Some(a) == sel,
        ));
    }
    let r =
        sozialatlas_core::stats::pearson(&points.iter().map(|q| (q.x, q.y)).collect::<Vec<_>>());
    let r_text = match r {
        Some(r) => format!(
            "r = {} (n = {})",
            format_decimal(r, 2, locale),
            points.len()
        ),
        None => m.correlation_none.to_string(),
    };
    let level_name = snap.tree.levels[level].name.get(locale).to_string();
    let svg = render::scatter(&render::ScatterSpec {
        id: "scatter".into(),
        locale,
        // Beside the table at its natural size or larger (`.figure-grid`): text at 12 px.
        width: 600.0,
        height: 440.0,
        title: format!("{} – {}", dy.name.get(locale), dx.name.get(locale)),
        x_label: dx.name.get(locale).to_string(),
        x_unit: dx.unit.clone(),
        x_unit_short: dx.unit.clone(),
        x_decimals: dx.decimals(),
        y_label: dy.name.get(locale).to_string(),
        y_unit: dy.unit.clone(),
        y_unit_short: dy.unit.clone(),
        y_decimals: dy.decimals(),
        points,
        highlight: sel.map(|a| snap.tree.areas[a].key.clone()),
        regression_line: true,
    });
    let ind_opts = |chosen: usize| -> Vec<Opt> {
        with_data
            .iter()
            .map(|&i| {
                let d = &snap.catalogue.indicators[i];
                opt(d.id.clone(), d.name.get(locale), i == chosen)
            })
            .collect()
    };
    let mut levels_opts: Vec<usize> = index.levels_with_data[x]
        .iter()
        .copied()
        .filter(|l| index.levels_with_data[y].contains(l))
        .collect();
    if !levels_opts.contains(&level) {
        levels_opts.push(level);
    }
    let mut areas = vec![opt("", m.none_option, sel.is_none())];
    let mut level_areas: Vec<usize> = index.level_areas[level].clone();
    level_areas.sort_by(|a, b| snap.tree.areas[*a].name.cmp(&snap.tree.areas[*b].name));
    areas.extend(level_areas.iter().map(|&a| {
        let ar = &snap.tree.areas[a];
        opt(ar.key.clone(), ar.name.clone(), Some(a) == sel)
    }));
    let page = ComparePage {
        l: Layout::new(
            &state,
            locale,
            m.compare_title,
            &path_of(&uri),
            uri.0.query(),
        ),
        m,
        form_action: format!("{p}/compare"),
        xs: ind_opts(x),
        ys: ind_opts(y),
        levels: level_opts(
            &snap.tree.levels,
            levels_opts.iter().copied(),
            level,
            locale,
        ),
        years: {
            let mut ys: Vec<i32> = common.clone();
            if !ys.contains(&year) {
                ys.push(year);
            }
            year_opts(&ys, Some(year))
        },
        areas,
        svg,
        r_text,
        x_name: format!("{} ({})", dx.name.get(locale), dx.unit),
        y_name: format!("{} ({})", dy.name.get(locale), dy.unit),
        rows,
        subtitle: format!("{level_name} · {year}"),
    };
    html(&page)
}

// ------------------------------------------------------------------ data, catalogue, sources

#[derive(Template)]
#[template(path = "data.html")]
struct DataPage {
    l: Layout,
    m: &'static Msgs,
    files: Vec<(String, String, String)>,
    stand: String,
}

/// `GET /data`: the data pool downloads.
pub async fn data(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let m = msgs(locale);
    let files = vec![
        (
            "CSV".to_string(),
            "/data/datenpool.csv".to_string(),
            "/en/data/datenpool.csv".to_string(),
        ),
        (
            "Excel (XLSX)".to_string(),
            "/data/datenpool.xlsx".to_string(),
            "/en/data/datenpool.xlsx".to_string(),
        ),
        (
            "GeoJSON".to_string(),
            "/data/datenpool.geojson".to_string(),
            "/en/data/datenpool.geojson".to_string(),
        ),
        (
            locale
                .pick(
                    "Bericht zur sozialen Lage (PDF)",
                    "Report on the social situation (PDF)",
                )
                .to_string(),
            "/data/bericht.pdf".to_string(),
            "/en/data/report.pdf".to_string(),
        ),
        (
            locale
                .pick(
                    "Bericht zur sozialen Lage (HTML, eine Datei)",
                    "Report on the social situation (HTML, one file)",
                )
                .to_string(),
            "/data/bericht.html".to_string(),
            "/en/data/report.html".to_string(),
        ),
    ];
    html(&DataPage {
        l: Layout::new(&state, locale, m.data_title, &path_of(&uri), uri.0.query()),
        m,
        files,
        stand: state.snapshot().meta.stand.clone(),
    })
}

/// `GET /data/datenpool.{csv,xlsx,geojson}`: the whole data pool (German under `/`, English
/// under `/en/`).
pub async fn data_file(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let sel = sozialatlas_export::Selection::default();
    let (stem, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), ""));
    if matches!(stem, "bericht" | "report") {
        return report_file(&state, locale, ext).await;
    }
    if !matches!(stem, "datenpool" | "datapool") {
        return Err(AppError::NotFound(String::new()));
    }
    let name = format!("{}.{ext}", locale.pick("datenpool", "datapool"));
    let (body, ctype) = match ext {
        "csv" => {
            let mut buf = Vec::new();
            sozialatlas_export::write_csv(snap, &sel, locale, &mut buf)?;
            (buf, "text/csv; charset=utf-8")
        }
        "xlsx" => (
            sozialatlas_export::write_xlsx(snap, &sel, locale)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "geojson" => {
            let mut buf = Vec::new();
            sozialatlas_export::write_geojson(snap, &sel, locale, &mut buf)?;
            (buf, "application/geo+json")
        }
        _ => return Err(AppError::NotFound(String::new())),
    };
    Ok(file_response(body, ctype, &name, true))
}

/// A rendered report: language, PDF (else HTML), the action-area set it shows.
type ReportKey = (Locale, bool, Option<i64>);

/// The reports of the served atlas, rendered on first request and kept: one per language and
/// format and action-area set (a newly saved set makes a new report).
#[derive(Default)]
pub(crate) struct Reports {
    done: tokio::sync::Mutex<std::collections::HashMap<ReportKey, Arc<Vec<u8>>>>,
}

/// `GET /data/bericht.{pdf,html}` (German), `/en/data/report.{pdf,html}` (English): the report
/// on the social situation of the served atlas. A failure to render is an error page naming
/// the figure or step in the log.
async fn report_file(state: &AppState, locale: Locale, ext: &str) -> Result<Response, AppError> {
    let (format, ctype) = match ext {
        "pdf" => (sozialatlas_report::Format::Pdf, "application/pdf"),
        "html" => (sozialatlas_report::Format::Html, "text/html; charset=utf-8"),
        _ => return Err(AppError::NotFound(String::new())),
    };
    let set = sozialatlas_store::current_action_area_set(state.pool())
        .await
        .map_err(|e| AppError::Internal(format!("reading the action-area sets: {e}")))?;
    let key = (locale, ext == "pdf", set.as_ref().map(|s| s.id));
    let reports = state.part::<Reports>();
    let mut done = reports.done.lock().await;
    let body = match done.get(&key) {
        Some(b) => b.clone(),
        None => {
            let st = state.clone();
            let bytes = sozialatlas_web_kit::cpu::run(move || {
                let inputs = sozialatlas_report::Inputs {
                    snapshot: st.snapshot(),
                    action_areas: set.as_ref(),
                };
                sozialatlas_report::render(
                    &inputs,
                    &sozialatlas_report::Options::new(locale),
                    format,
                    &mut |_, _, _| {},
                )
            })
            .await?
            .map_err(|e| AppError::Internal(format!("the report: {e}")))?;
            let b = Arc::new(bytes);
            done.insert(key, b.clone());
            b
        }
    };
    drop(done);
    let name = format!("{}.{ext}", locale.pick("bericht", "report"));
    Ok(file_response(
        body.as_ref().clone(),
        ctype,
        &name,
        ext == "pdf",
    ))
}

struct CatalogueEntry {
    id: String,
    name: String,
    href: String,
    items: Vec<MetaItem>,
}

struct CatalogueGroup {
    name: String,
    entries: Vec<CatalogueEntry>,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    l: Layout,
    m: &'static Msgs,
    groups: Vec<CatalogueGroup>,
    version: String,
}

/// One level of the list of areas.
struct AreaLevel {
    name: String,
    id: String,
    /// Whether any indicator has published values on the level (else its areas are not linked).
    has_data: bool,
    /// (name, profile link) of each area, by name.
    areas: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "areas.html")]
struct AreasPage {
    l: Layout,
    m: &'static Msgs,
    levels: Vec<AreaLevel>,
}

/// `GET /areas`: every area by level, each linked to its profile where its level has data.
pub async fn areas(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let index = state.index();
    let m = msgs(locale);
    let p = prefix(locale);
    let levels = snap
        .tree
        .levels
        .iter()
        .enumerate()
        .map(|(li, level)| {
            let has_data = index.levels_with_data.iter().any(|ls| ls.contains(&li));
            let mut areas: Vec<(String, String)> = snap
                .tree
                .areas_of_level(li)
                .iter()
                .map(|&a| {
                    let area = &snap.tree.areas[a];
                    (
                        area.name.clone(),
                        format!("{p}/areas/{}/{}", level.id, area.key),
                    )
                })
                .collect();
            areas.sort();
            AreaLevel {
                name: level.name.get(locale).to_string(),
                id: level.id.clone(),
                has_data,
                areas,
            }
        })
        .collect();
    html(&AreasPage {
        l: Layout::new(&state, locale, m.areas_title, &path_of(&uri), uri.0.query()),
        m,
        levels,
    })
}

/// `GET /indicators`: the list of indicators is the catalogue.
pub async fn indicators_redirect(Extension(locale): Extension<Locale>) -> Redirect {
    Redirect::permanent(&format!("{}/catalogue", prefix(locale)))
}

/// `GET /catalogue`: every indicator's definition.
pub async fn catalogue(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let index = state.index();
    let m = msgs(locale);
    let p = prefix(locale);
    let groups = snap
        .catalogue
        .dimensions
        .iter()
        .map(|d| CatalogueGroup {
            name: d.name.get(locale).to_string(),
            entries: snap
                .catalogue
                .indicators_of(&d.id)
                .map(|(ii, def)| {
                    let mut items = definition_items(snap, def, locale, false);
                    let levels: Vec<&str> = index.levels_with_data[ii]
                        .iter()
                        .map(|&l| snap.tree.levels[l].name.get(locale))
                        .collect();
                    if !levels.is_empty() {
                        items.push(MetaItem {
                            label: m.level,
                            value: levels.join(", "),
                        });
                    }
                    if let (Some(a), Some(b)) =
                        (index.periods[ii].first(), index.periods[ii].last())
                    {
                        items.push(MetaItem {
                            label: m.year,
                            value: format!("{a}–{b}"),
                        });
                    }
                    CatalogueEntry {
                        id: def.id.clone(),
                        name: def.name.get(locale).to_string(),
                        href: if index.periods[ii].is_empty() {
                            String::new()
                        } else {
                            format!("{p}/indicators/{}", def.id)
                        },
                        items,
                    }
                })
                .collect(),
        })
        .filter(|g| !g.entries.is_empty())
        .collect();
    html(&CataloguePage {
        l: Layout::new(
            &state,
            locale,
            m.catalogue_title,
            &path_of(&uri),
            uri.0.query(),
        ),
        m,
        groups,
        version: snap.load.catalogue_version.clone(),
    })
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    l: Layout,
    m: &'static Msgs,
    facts: Vec<MetaItem>,
    attribution: Vec<String>,
    inputs: Vec<(String, String, String, String)>,
    confidentiality: String,
}

/// What a data file's markers mean, for the sources page: "fehlend: leere Zelle, „...“;
/// von der Quelle geheim gehalten: „x“; genau null (nichts vorhanden): „–“" (the last part only
/// where the file has zero markers).
fn describe_markers(
    missing: &[String],
    suppressed: &[String],
    zero: &[String],
    m: &Msgs,
) -> String {
    let list = |v: &[String]| {
        if v.is_empty() {
            return m.marker_none.to_string();
        }
        v.iter()
            .map(|t| match (t.is_empty(), m.lang) {
                (true, _) => m.marker_empty.to_string(),
                (false, "de") => format!("„{t}“"),
                (false, _) => format!("“{t}”"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = format!(
        "{}: {}; {}: {}",
        m.marker_missing,
        list(missing),
        m.marker_suppressed,
        list(suppressed)
    );
    if !zero.is_empty() {
        s.push_str(&format!("; {}: {}", m.marker_zero, list(zero)));
    }
    s
}

/// `GET /sources`: sources, licences and the traceability of the published figures. The
/// checksums of value tables are withheld from the public when the atlas suppresses values
/// (see `Snapshot::withholds_values`); administrators see them (a private, uncached page).
pub async fn sources(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    uri: OriginalUri,
    user: Option<sozialatlas_web_kit::CurrentUser>,
) -> Result<Response, AppError> {
    let staff = user
        .as_ref()
        .is_some_and(|u| u.has(sozialatlas_accounts::Role::Admin));
    let snap = state.snapshot();
    let m = msgs(locale);
    let facts = vec![
        MetaItem {
            label: m.stand,
            value: snap.meta.stand.clone(),
        },
        MetaItem {
            label: m.licence,
            value: snap.meta.licence.clone().unwrap_or_default(),
        },
        MetaItem {
            label: m.catalogue_version,
            value: snap.load.catalogue_version.clone(),
        },
        MetaItem {
            label: m.program_version,
            value: format!("Sozialatlas {}", snap.load.program_version),
        },
        MetaItem {
            label: m.loaded_at,
            value: snap.load.loaded_at.clone(),
        },
    ];
    let confidentiality = sozialatlas_export::metadata_lines(snap, locale)
        .into_iter()
        .find(|(k, _)| k == m.confidentiality)
        .map(|(_, v)| v)
        .unwrap_or_default();
    html(&SourcesPage {
        l: Layout::new(
            &state,
            locale,
            m.sources_title,
            &path_of(&uri),
            uri.0.query(),
        ),
        m,
        facts,
        attribution: snap.meta.attribution.clone(),
        inputs: snap
            .load
            .inputs
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    if staff {
                        f.sha256.clone()
                    } else {
                        snap.public_sha256(f)
                            .unwrap_or_else(|| {
                                sozialatlas_store::Snapshot::withheld_checksum(locale)
                            })
                            .to_string()
                    },
                    if staff {
                        Some(f.bytes)
                    } else {
                        snap.public_bytes(f)
                    }
                    .map_or_else(
                        || locale.pick("zurückgehalten", "withheld").to_string(),
                        |b| format_decimal(b as f64, 0, locale),
                    ),
                    f.markers
                        .as_ref()
                        .map(|mk| describe_markers(&mk.missing, &mk.suppressed, &mk.zero, m))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        confidentiality,
    })
    .map(|r| {
        if staff {
            sozialatlas_web_kit::auth::no_store(r)
        } else {
            r
        }
    })
}

/// How a change is computed (per cent or difference, in the view's unit).
fn change_formula_note(
    def: &sozialatlas_core::catalogue::Indicator,
    v: &IndicatorView,
    locale: Locale,
) -> String {
    match def.formula.change_kind() {
            sozialatlas_core::catalogue::ChangeKind::Relative => locale
                .pick(
                    "Veränderung in Prozent: (Wert im späteren Jahr − Wert im früheren Jahr) / Wert im früheren Jahr × 100.",
                    "Change in per cent: (later value − earlier value) / earlier value × 100.",
                )
                .to_string(),
            sozialatlas_core::catalogue::ChangeKind::Difference => format!(
                "{} {}.",
                locale.pick(
                    "Veränderung als Differenz der Werte, in",
                    "Change as the difference of the values, in"
                ),
                v.unit
            ),
        }
}

/// What the colours of a change map are relative to: no change, with the side that is
/// favourable named by the indicator's polarity, and the city's change marked in the legend.
fn change_colour_note(polarity: Polarity, locale: Locale) -> &'static str {
    match polarity {
        Polarity::HigherIsWorse => locale.pick(
            "Die Farben trennen Abnahmen und Zunahmen bei 0 (keine Veränderung): eine Abnahme ist hier günstig, eine Zunahme ungünstig. Der Strich in der Legende zeigt die Veränderung der ganzen Stadt.",
            "The colours separate falls and rises at 0 (no change): a fall is favourable here, a rise unfavourable. The line in the legend shows the change of the whole city.",
        ),
        Polarity::HigherIsBetter => locale.pick(
            "Die Farben trennen Abnahmen und Zunahmen bei 0 (keine Veränderung): eine Zunahme ist hier günstig, eine Abnahme ungünstig. Der Strich in der Legende zeigt die Veränderung der ganzen Stadt.",
            "The colours separate falls and rises at 0 (no change): a rise is favourable here, a fall unfavourable. The line in the legend shows the change of the whole city.",
        ),
        Polarity::Neutral => locale.pick(
            "Die Farben trennen Abnahmen und Zunahmen bei 0 (keine Veränderung). Der Strich in der Legende zeigt die Veränderung der ganzen Stadt.",
            "The colours separate falls and rises at 0 (no change). The line in the legend shows the change of the whole city.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_name_zero_only_where_a_file_has_it() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let de = msgs(Locale::De);
        assert_eq!(
            describe_markers(&v(&[""]), &v(&["x"]), &v(&["–"]), de),
            "fehlend: leere Zelle; von der Quelle geheim gehalten: „x“; genau null (nichts vorhanden): „–“"
        );
        assert_eq!(
            describe_markers(&v(&[]), &v(&["."]), &v(&[]), msgs(Locale::En)),
            "missing: none; suppressed by the source: “.”"
        );
    }
}
