//! Spatial autocorrelation on the indicator page: global Moran's I with its permutation
//! p-value, the LISA cluster map (HH/LL/HL/LH/not significant) and the Moran scatter plot, with
//! a table for both. Queen contiguity, row-standardised weights, 999 permutations with a fixed
//! seed: the same URL always shows the same figures, and a computed run is kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use askama::Template;
use sozialatlas_analysis::moran::Quadrant;
use sozialatlas_core::Locale;
use sozialatlas_render as render;
use sozialatlas_runs::{MoranParams, MoranRun, RunError};

use super::colours::{self, LISA_ORDER};
use super::{num, texts};
use crate::AppState;
use crate::i18n::analysis::AMsgs;
use crate::i18n::{Msgs, msgs};
use crate::view::{self, Shown};

/// Permutations of the page's test.
pub(crate) const PERMUTATIONS: usize = 999;
/// Seed of the page's permutations (recorded; fixed so that pages are stable).
pub(crate) const SEED: u64 = 1;
/// Significance level of the LISA map.
pub(crate) const ALPHA: f64 = 0.05;

type Key = (String, i64, String, String, i32, usize, u64, u64, bool);

static MEMO: LazyLock<Mutex<HashMap<Key, Arc<MoranRun>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// Computes (or recalls) a Moran run. Runs are kept per load fingerprint and parameters; the
/// memory is emptied when it holds 512 of them.
pub(crate) fn run(state: &AppState, p: &MoranParams) -> Result<Arc<MoranRun>, RunError> {
    let snap = state.snapshot();
    let key: Key = (
        snap.load.fingerprint.clone(),
        snap.load.id,
        p.indicator.clone(),
        p.level.clone(),
        p.year,
        p.permutations,
        p.seed,
        p.alpha.to_bits(),
        p.fdr,
    );
    if let Some(r) = MEMO.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(r);
    }
    // One thread: this runs as a job of the `cpu` pool, which runs at most its own threads.
    let r = Arc::new(sozialatlas_runs::run_moran_with_threads(snap, p, 1)?);
    if let Ok(mut m) = MEMO.lock() {
        if m.len() >= 512 {
            m.clear();
        }
        m.insert(key, r.clone());
    }
    Ok(r)
}

/// The label of a LISA class.
pub(crate) fn lisa_label(q: Option<Quadrant>, a: &AMsgs) -> &'static str {
    match q {
        Some(Quadrant::HH) => a.lisa_hh,
        Some(Quadrant::LL) => a.lisa_ll,
        Some(Quadrant::HL) => a.lisa_hl,
        Some(Quadrant::LH) => a.lisa_lh,
        None => a.lisa_ns,
    }
}

fn lisa_class(q: Option<Quadrant>) -> usize {
    LISA_ORDER.iter().position(|&x| x == q).unwrap_or(4)
}

/// One area of the LISA table.
pub(crate) struct LisaRow {
    pub key: String,
    pub name: String,
    pub href: String,
    pub z: String,
    pub lag: String,
    pub local_i: String,
    pub p: String,
    pub class: &'static str,
    pub colour: String,
}

/// The Moran part of a page (the indicator page, a stored run).
#[derive(Template)]
#[template(path = "analysis/moran_section.html")]
pub(crate) struct MoranSection {
    pub m: &'static Msgs,
    pub a: &'static AMsgs,
    pub error: String,
    pub global: String,
    pub verdict: String,
    pub map_svg: String,
    pub scatter_svg: String,
    pub rows: Vec<LisaRow>,
    pub counts: Vec<(String, String, usize)>,
    pub islands: Vec<String>,
    pub method: String,
    pub api_href: String,
    pub change_note: String,
}

/// Lays out a Moran run for a page.
pub(crate) fn section_of(
    state: &AppState,
    r: &MoranRun,
    locale: Locale,
    id: &str,
    title: &str,
) -> MoranSection {
    let a = texts(locale);
    let snap = state.snapshot();
    let p = &r.params;
    let g = &r.global;
    let global = a
        .moran_global
        .replace("{i}", &num(g.i, 3, locale))
        .replace("{e}", &num(g.expected, 3, locale))
        .replace("{p}", &num(g.p_sim, 3, locale))
        .replace("{perm}", &g.permutations.to_string());
    let verdict = if g.p_sim < p.alpha {
        if g.i > g.expected {
            a.moran_positive
        } else {
            a.moran_negative
        }
    } else {
        a.moran_none
    }
    .replace("{alpha}", &num(p.alpha, 2, locale));
    // Map: every area of the level; areas outside the run as no data or suppressed.
    let in_run: HashMap<&str, usize> = r
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.key.as_str(), i))
        .collect();
    let level = state.index().level.get(&p.level).copied();
    let ind = state.index().indicator.get(&p.indicator).copied();
    let mut areas = Vec::new();
    if let Some(l) = level {
        for &ai in &state.index().level_areas[l] {
            let ar = &snap.tree.areas[ai];
            let Some(geom) = snap.geometries[ai].clone() else {
                continue;
            };
            let st = match in_run.get(ar.key.as_str()) {
                Some(&i) => render::AreaState::Class {
                    class: lisa_class(r.clusters[i]),
                    value: None,
                },
                None => match ind.map(|i| view::shown(snap, i, ai, p.year)) {
                    Some(Shown::Suppressed) => render::AreaState::Suppressed,
                    _ => render::AreaState::NoData,
                },
            };
            areas.push(render::MapArea {
                key: ar.key.clone(),
                name: ar.name.clone(),
                geometry: geom,
                state: st,
                href: Some(super::profile_href(locale, &p.level, &ar.key)),
            });
        }
    }
    let labels: Vec<String> = LISA_ORDER
        .iter()
        .map(|&q| lisa_label(q, a).to_string())
        .collect();
    let fills: Vec<_> = LISA_ORDER.iter().map(|&q| colours::lisa(q)).collect();
    let subtitle = format!(
        "{} · {} · {}",
        super::level_name(state, &p.level, locale),
        p.year,
        a.lisa_sub.replace("{alpha}", &num(p.alpha, 2, locale))
    );
    let map_svg = render::choropleth(&render::MapSpec {
        id: format!("{id}-lisa"),
        locale,
        width: 560.0,
        title: format!("{}: {title}", a.lisa_map),
        subtitle: Some(subtitle),
        areas,
        classes: render::legend_categories(&labels, &fills),
        outlines: level
            .map(|l| super::parent_outlines(state, l))
            .unwrap_or_default(),
        stand: Some(snap.meta.stand.clone()),
        attribution: snap.meta.attribution.first().cloned(),
        scale_bar: true,
        ..Default::default()
    });
    let scatter_svg = render::moran_scatter(&render::MoranSpec {
        id: format!("{id}-scatter"),
        locale,
        width: 520.0,
        height: 480.0,
        title: format!("{}: {title}", a.moran_scatter),
        points: r
            .areas
            .iter()
            .enumerate()
            .map(|(i, ar)| render::MoranPoint {
                key: ar.key.clone(),
                name: ar.name.clone(),
                z: r.local.z[i],
                lag: r.local.lag[i],
                colour: Some(colours::lisa(r.clusters[i])),
            })
            .collect(),
        moran_i: g.i,
        p_value: Some(g.p_sim),
        highlight: None,
    });
    let rows = r
        .areas
        .iter()
        .enumerate()
        .map(|(i, ar)| LisaRow {
            key: ar.key.clone(),
            name: ar.name.clone(),
            href: super::profile_href(locale, &p.level, &ar.key),
            z: num(r.local.z[i], 2, locale),
            lag: num(r.local.lag[i], 2, locale),
            local_i: num(r.local.is[i], 3, locale),
            p: num(r.local.p_sim[i], 3, locale),
            class: lisa_label(r.clusters[i], a),
            colour: colours::lisa(r.clusters[i]).hex(),
        })
        .collect();
    let counts = LISA_ORDER
        .iter()
        .map(|&q| {
            (
                lisa_label(q, a).to_string(),
                colours::lisa(q).hex(),
                r.clusters.iter().filter(|&&c| c == q).count(),
            )
        })
        .collect();
    MoranSection {
        m: msgs(locale),
        a,
        error: String::new(),
        global,
        verdict,
        map_svg,
        scatter_svg,
        rows,
        counts,
        islands: r.islands.iter().map(|a| a.name.clone()).collect(),
        method: a
            .moran_method
            .replace("{perm}", &p.permutations.to_string())
            .replace("{seed}", &p.seed.to_string())
            .replace("{alpha}", &num(p.alpha, 2, locale))
            .replace(
                "{fdr}",
                if p.fdr {
                    a.moran_fdr_on
                } else {
                    a.moran_fdr_off
                },
            ),
        api_href: format!(
            "/api/v1/analysis/moran?indicator={}&level={}&year={}",
            p.indicator, p.level, p.year
        ),
        change_note: String::new(),
    }
}

/// The Moran section of the indicator page (an explanation instead of figures where the level
/// has too few areas with a value, or the values do not vary).
pub(crate) fn indicator_section(
    state: &AppState,
    ind: usize,
    level: usize,
    year: i32,
    change: bool,
    locale: Locale,
) -> String {
    let snap = state.snapshot();
    let a = texts(locale);
    let params = MoranParams {
        indicator: snap.catalogue.indicators[ind].id.clone(),
        level: snap.tree.levels[level].id.clone(),
        year,
        permutations: PERMUTATIONS,
        seed: SEED,
        alpha: ALPHA,
        fdr: false,
    };
    let title = snap.catalogue.indicators[ind].name.get(locale).to_string();
    let mut section = match run(state, &params) {
        Ok(r) => section_of(state, &r, locale, "moran", &title),
        Err(e) => MoranSection {
            m: msgs(locale),
            a,
            error: match e {
                RunError::Parameter(_) => a.moran_too_few.to_string(),
                RunError::Analysis(sozialatlas_analysis::AnalysisError::ConstantValues {
                    ..
                }) => a.moran_constant.to_string(),
                RunError::Analysis(other) => format!("{} {other}", a.run_impossible),
            },
            global: String::new(),
            verdict: String::new(),
            map_svg: String::new(),
            scatter_svg: String::new(),
            rows: Vec::new(),
            counts: Vec::new(),
            islands: Vec::new(),
            method: String::new(),
            api_href: String::new(),
            change_note: String::new(),
        },
    };
    if change {
        section.change_note = a.moran_change_note.replace("{year}", &year.to_string());
    }
    section.render().unwrap_or_default()
}
