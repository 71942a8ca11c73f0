//! `/analysis/typology`: the typology by Ward clustering — settings, cluster map, dendrogram
//! with the cut, Calinski–Harabasz per k, the profile heat table, the membership, and the
//! proposed action areas a process manager can confirm, edit and save.

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::response::Response;
use sozialatlas_analysis::pca::PcaSetting;
use sozialatlas_classify::palette;
use sozialatlas_core::Locale;
use sozialatlas_render as render;
use sozialatlas_runs::{TypologyParams, TypologyRun};

use super::colours::{self, MAX_CLUSTERS};
use super::{Opt, level_opts, num, opt, query, texts, year_opts};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::AMsgs;
use crate::i18n::{Msgs, msgs, prefix};
use crate::layout::Layout;
use crate::params;

/// The typology settings of a URL.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TypologyQuery {
    pub level: usize,
    pub year: i32,
    pub indicators: Vec<usize>,
    pub k: usize,
    pub pca: PcaSetting,
    pub kmeans: Option<usize>,
    pub seed: u64,
}

/// Default k (Dortmund's ZEFIR typology: 5).
const DEFAULT_K: usize = 5;
/// Default number of k-means iterations when refinement is switched on.
pub(crate) const KMEANS_ITERATIONS: usize = 100;

fn bad(param: &str, value: &str, de: String, en: String, locale: Locale) -> AppError {
    super::bad_param(param, value, &de, &en, locale)
}

impl TypologyQuery {
    /// Parses and checks the settings.
    pub fn parse(
        state: &AppState,
        pairs: &[(String, String)],
        locale: Locale,
    ) -> Result<TypologyQuery, AppError> {
        let m = texts(locale);
        let snap = state.snapshot();
        let (level, year) = super::level_and_year(state, pairs, locale)?;
        let mut indicators = super::indicators_param(state, pairs, "indicators", locale)?;
        if indicators.is_empty() && !super::has_selection(pairs) {
            indicators = sozialatlas_runs::default_indicators(state.snapshot(), level, year);
        }
        if indicators.len() < 2 {
            return Err(AppError::BadRequest(m.need_two.to_string()));
        }
        // Areas with a published value of every chosen indicator: the rows of the clustering.
        let complete = state.index().level_areas[level]
            .iter()
            .filter(|&&a| {
                indicators
                    .iter()
                    .all(|&i| snap.value(i, a, year).and_then(|v| v.published()).is_some())
            })
            .count();
        if complete < 3 {
            return Err(AppError::BadRequest(
                m.too_few_complete
                    .replace("{n}", &complete.to_string())
                    .replace("{year}", &year.to_string()),
            ));
        }
        let k_max = MAX_CLUSTERS.min(complete - 1);
        let k = match params::get(pairs, "k") {
            None => DEFAULT_K.min(k_max),
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|k| (2..=k_max).contains(k))
                .ok_or_else(|| {
                    bad(
                        "k",
                        s,
                        format!("eine ganze Zahl von 2 bis {k_max}"),
                        format!("a whole number from 2 to {k_max}"),
                        locale,
                    )
                })?,
        };
        let pca = match params::get(pairs, "pca") {
            None | Some("off") => PcaSetting::Off,
            Some("kaiser") => PcaSetting::Kaiser,
            Some(s) => PcaSetting::Components(
                s.parse::<usize>()
                    .ok()
                    .filter(|&c| c >= 1 && c <= indicators.len())
                    .ok_or_else(|| {
                        bad(
                            "pca",
                            s,
                            format!("off, kaiser oder eine Zahl von 1 bis {}", indicators.len()),
                            format!("off, kaiser or a number from 1 to {}", indicators.len()),
                            locale,
                        )
                    })?,
            ),
        };
        let kmeans = match params::get(pairs, "kmeans") {
            None | Some("off") => None,
            Some(s) => Some(
                s.parse::<usize>()
                    .ok()
                    .filter(|&n| (1..=1000).contains(&n))
                    .ok_or_else(|| {
                        bad(
                            "kmeans",
                            s,
                            "off oder eine Zahl von Durchläufen von 1 bis 1000".into(),
                            "off or a number of iterations from 1 to 1000".into(),
                            locale,
                        )
                    })?,
            ),
        };
        let seed = match params::get(pairs, "seed") {
            None => 1,
            Some(s) => s.parse::<u64>().map_err(|_| {
                bad(
                    "seed",
                    s,
                    "eine ganze Zahl ab 0".into(),
                    "a whole number, 0 or more".into(),
                    locale,
                )
            })?,
        };
        Ok(TypologyQuery {
            level,
            year,
            indicators,
            k,
            pca,
            kmeans,
            seed,
        })
    }

    /// The run's parameters.
    pub fn params(&self, state: &AppState) -> TypologyParams {
        let snap = state.snapshot();
        TypologyParams {
            level: snap.tree.levels[self.level].id.clone(),
            year: self.year,
            indicators: super::ids(snap, &self.indicators),
            k: self.k,
            pca: self.pca,
            kmeans: self.kmeans,
            seed: self.seed,
        }
    }

    /// The canonical query string.
    pub fn query(&self, state: &AppState) -> String {
        query(&params_pairs(&self.params(state)))
    }
}

/// The URL pairs of typology parameters (also to repeat a stored run).
pub(crate) fn params_pairs(p: &TypologyParams) -> Vec<(&'static str, String)> {
    let mut q: Vec<(&str, String)> = vec![
        ("level", p.level.clone()),
        ("year", p.year.to_string()),
        ("sel", "1".into()),
    ];
    for id in &p.indicators {
        q.push(("indicators", id.clone()));
    }
    q.push(("k", p.k.to_string()));
    match p.pca {
        PcaSetting::Off => {}
        PcaSetting::Kaiser => q.push(("pca", "kaiser".into())),
        PcaSetting::Components(c) => q.push(("pca", c.to_string())),
    }
    if let Some(n) = p.kmeans {
        q.push(("kmeans", n.to_string()));
    }
    q.push(("seed", p.seed.to_string()));
    q
}

/// One cluster of the result.
pub(crate) struct ClusterRow {
    pub number: usize,
    pub size: usize,
    pub colour: String,
    pub description: String,
    pub candidate: bool,
}

/// One area of the membership table.
pub(crate) struct MemberRow {
    pub key: String,
    pub name: String,
    pub href: String,
    pub cluster: usize,
    pub colour: String,
    pub ward: String,
    pub proposed: bool,
    pub z: Vec<String>,
}

/// One row of the Calinski–Harabasz table.
pub(crate) struct KRow {
    pub k: usize,
    pub ch: String,
    pub within: String,
    pub best: bool,
    pub chosen: bool,
}

/// The result part of a typology page (also shown for a stored run).
#[derive(Template)]
#[template(path = "analysis/typology_result.html")]
pub(crate) struct TypologyResult {
    pub m: &'static Msgs,
    pub a: &'static AMsgs,
    pub caption: String,
    pub map_svg: String,
    pub dendrogram_svg: String,
    pub ch_svg: String,
    pub heat_svg: String,
    pub clusters: Vec<ClusterRow>,
    pub members: Vec<MemberRow>,
    pub indicator_names: Vec<String>,
    pub k_rows: Vec<KRow>,
    pub left_out: Vec<String>,
    pub warnings: Vec<String>,
    pub kmeans_note: String,
    pub pca_note: String,
    pub method_note: String,
    pub any_moved: bool,
}

/// The dendrogram's leaves and the sentence naming the method: the areas (Ward on every area),
/// or the groups of areas Ward ran on (a pre-clustering), each in the Ward cluster of its areas.
struct Leaves {
    labels: Vec<String>,
    keys: Vec<String>,
    /// Ward cluster (1..=k) of each leaf.
    clusters: Vec<usize>,
    method: String,
}

fn leaves(run: &TypologyRun, a: &AMsgs) -> Leaves {
    let t = &run.result;
    let n = run.areas.len().to_string();
    match &t.groups {
        None => Leaves {
            labels: run.areas.iter().map(|r| r.name.clone()).collect(),
            keys: run.areas.iter().map(|r| r.key.clone()).collect(),
            clusters: t.ward_membership.clone(),
            method: a.method_ward.replace("{n}", &n),
        },
        Some(g) => {
            let mut clusters = vec![0; g.len()];
            for (&group, &c) in g.of_area.iter().zip(&t.ward_membership) {
                clusters[group] = c;
            }
            Leaves {
                labels: g
                    .sizes
                    .iter()
                    .enumerate()
                    .map(|(i, size)| {
                        a.group_leaf
                            .replace("{g}", &(i + 1).to_string())
                            .replace("{n}", &size.to_string())
                    })
                    .collect(),
                keys: (1..=g.len()).map(|i| format!("group-{i}")).collect(),
                clusters,
                method: a
                    .method_groups
                    .replace("{size}", &g.max_size.to_string())
                    .replace("{groups}", &g.len().to_string())
                    .replace("{n}", &n),
            }
        }
    }
}

/// Lays out a typology run (computed now or stored) for the page.
pub(crate) fn result(
    state: &AppState,
    run: &TypologyRun,
    locale: Locale,
    id: &str,
) -> TypologyResult {
    let m = msgs(locale);
    let a = texts(locale);
    let p = &run.params;
    let t = &run.result;
    let snap = state.snapshot();
    let k = t.clusters.len();
    let fills = colours::clusters(k.max(t.settings.k));
    let fill = |c: usize| {
        fills
            .get(c.wrapping_sub(1))
            .copied()
            .unwrap_or(palette::NO_DATA)
    };
    let level_name = super::level_name(state, &p.level, locale);
    let caption = a
        .typology_caption
        .replace("{level}", &level_name)
        .replace("{year}", &p.year.to_string())
        .replace("{k}", &k.to_string())
        .replace("{n}", &run.areas.len().to_string());
    let names: Vec<String> = p
        .indicators
        .iter()
        .map(|id| super::indicator_name(state, id, locale))
        .collect();

    // Map: clustered areas by cluster, left-out areas as no data.
    let proposed: std::collections::HashSet<usize> =
        t.proposed_action_areas.iter().copied().collect();
    let map_areas = super::run_map_areas(
        state,
        locale,
        &p.level,
        &run.areas,
        &run.left_out,
        |i, ra| {
            (
                ra.name.clone(),
                render::AreaState::Class {
                    class: t.membership[i] - 1,
                    value: None,
                },
            )
        },
    );
    // The map's legend adds the count itself; the heat table's rows carry it.
    let map_labels: Vec<String> = t
        .clusters
        .iter()
        .map(|c| format!("{} {}", a.cluster, c.number))
        .collect();
    let labels: Vec<String> = t
        .clusters
        .iter()
        .map(|c| {
            a.cluster_label
                .replace("{c}", &c.number.to_string())
                .replace("{n}", &c.size.to_string())
        })
        .collect();
    let level_idx = state.index().level.get(&p.level).copied();
    let map_svg = render::choropleth(&render::MapSpec {
        id: format!("{id}-map"),
        locale,
        width: 640.0,
        title: a.cluster_map.to_string(),
        subtitle: Some(caption.clone()),
        areas: map_areas,
        classes: render::legend_categories(&map_labels, &fills[..k.min(fills.len())]),
        outlines: level_idx
            .map(|l| super::parent_outlines(state, l))
            .unwrap_or_default(),
        stand: Some(snap.meta.stand.clone()),
        attribution: snap.meta.attribution.first().cloned(),
        scale_bar: true,
        ..Default::default()
    });

    // Dendrogram with the cut between the merges that leave k and k − 1 clusters.
    let merges = &t.dendrogram.merges;
    let n = t.dendrogram.n_leaves;
    let cut_height = (k >= 2 && n > k).then(|| {
        let lo = merges[n - k - 1].height;
        let hi = merges[n - k].height;
        (lo + hi) / 2.0
    });
    let Leaves {
        labels: leaf_labels,
        keys: leaf_keys,
        clusters: leaf_clusters,
        method: method_note,
    } = leaves(run, a);
    let dendrogram_svg = render::dendrogram(&render::DendrogramSpec {
        id: format!("{id}-dendrogram"),
        locale,
        width: 640.0,
        title: a.dendrogram.to_string(),
        subtitle: Some(a.dendrogram_sub.replace("{k}", &k.to_string())),
        leaf_labels,
        leaf_keys,
        merges: merges
            .iter()
            .map(|m| render::Merge {
                left: m.left,
                right: m.right,
                height: m.height,
            })
            .collect(),
        leaf_order: Some(t.dendrogram.leaf_order.clone()),
        cut_height,
        leaf_colours: Some(leaf_clusters.iter().map(|&c| fill(c)).collect()),
        height_label: None,
    })
    .unwrap_or_default();

    // Calinski–Harabasz per k: table and a small line chart.
    let best = t
        .k_scores
        .iter()
        .filter(|s| s.calinski_harabasz.is_finite())
        .max_by(|a, b| a.calinski_harabasz.total_cmp(&b.calinski_harabasz))
        .map(|s| s.k);
    let k_rows = t
        .k_scores
        .iter()
        .map(|s| KRow {
            k: s.k,
            ch: num(s.calinski_harabasz, 1, locale),
            within: num(s.within_ss, 1, locale),
            best: Some(s.k) == best,
            chosen: s.k == t.settings.k,
        })
        .collect();
    let ch_svg = render::line_chart(&render::LineChartSpec {
        id: format!("{id}-ch"),
        locale,
        width: 420.0,
        height: 260.0,
        title: a.ch_title.to_string(),
        subtitle: Some(a.ch_sub.to_string()),
        unit: String::new(),
        decimals: 1,
        series: vec![render::Series {
            key: "ch".into(),
            name: "Calinski–Harabasz".into(),
            role: render::SeriesRole::Area,
            values: t
                .k_scores
                .iter()
                .map(|s| {
                    (
                        s.k as i32,
                        s.calinski_harabasz
                            .is_finite()
                            .then_some(s.calinski_harabasz),
                    )
                })
                .collect(),
        }],
    });

    // Profiles: mean aligned z per cluster and indicator.
    let heat_svg = render::heat_table(&render::HeatTableSpec {
        id: format!("{id}-heat"),
        locale,
        title: a.profile_title.to_string(),
        subtitle: Some(a.profile_sub.to_string()),
        row_keys: t
            .clusters
            .iter()
            .map(|c| format!("cluster-{}", c.number))
            .collect(),
        row_labels: labels.clone(),
        column_keys: p.indicators.clone(),
        column_labels: names.clone(),
        values: t
            .clusters
            .iter()
            .map(|c| c.centroid.iter().map(|&z| Some(z)).collect())
            .collect(),
        decimals: 2,
        limit: Some(2.0),
        scheme: None,
    });

    let clusters = t
        .clusters
        .iter()
        .map(|c| {
            let f = fill(c.number);
            ClusterRow {
                number: c.number,
                size: c.size,
                colour: f.hex(),
                description: match locale {
                    Locale::De => c.description_de.clone(),
                    Locale::En => c.description_en.clone(),
                },
                candidate: c.action_area_candidate,
            }
        })
        .collect();
    let mut any_moved = false;
    let members = run
        .areas
        .iter()
        .enumerate()
        .map(|(i, ra)| {
            let c = t.membership[i];
            let w = t.ward_membership.get(i).copied().unwrap_or(c);
            any_moved |= w != c;
            MemberRow {
                key: ra.key.clone(),
                name: ra.name.clone(),
                href: super::profile_href(locale, &p.level, &ra.key),
                cluster: c,
                colour: fill(c).hex(),
                ward: if w != c { w.to_string() } else { String::new() },
                proposed: proposed.contains(&i),
                z: (0..t.z.cols())
                    .map(|j| num(t.z.row(i)[j], 2, locale))
                    .collect(),
            }
        })
        .collect();
    let kmeans_note = match t.kmeans_iterations {
        Some(it) => a.kmeans_done.replace("{n}", &it.to_string()),
        None => String::new(),
    };
    let pca_note = match &t.pca {
        Some(pc) => a
            .pca_done
            .replace("{c}", &pc.kept().to_string())
            .replace("{share}", &num(pc.kept_share() * 100.0, 1, locale)),
        None => String::new(),
    };
    TypologyResult {
        m,
        a,
        caption,
        map_svg,
        dendrogram_svg,
        ch_svg,
        heat_svg,
        clusters,
        members,
        indicator_names: names,
        k_rows,
        left_out: run.left_out.iter().map(|r| r.name.clone()).collect(),
        warnings: t.warnings.clone(),
        kmeans_note,
        pca_note,
        method_note,
        any_moved,
    }
}

/// A row of the action-area form: an area of the run, ticked when proposed.
pub(crate) struct ProposalRow {
    pub key: String,
    pub name: String,
    pub cluster: String,
    pub colour: String,
    pub checked: bool,
    pub group: String,
}

/// The form that saves the (edited) proposal as an action-area set.
#[derive(Template)]
#[template(path = "analysis/proposal_form.html")]
pub(crate) struct ProposalForm {
    pub m: &'static Msgs,
    pub a: &'static AMsgs,
    pub action: String,
    pub csrf: String,
    pub run_id: String,
    pub run_query: String,
    pub name: String,
    pub note: String,
    pub rows: Vec<ProposalRow>,
    pub can_save: bool,
    pub login_href: String,
    pub errors: Vec<(String, String)>,
}

/// A submitted proposal form, shown again with its errors.
pub(crate) struct Edited<'a> {
    pub rows: &'a [ProposalRow],
    pub name: &'a str,
    pub note: &'a str,
    pub errors: Vec<(String, String)>,
}

/// Who may save, as the page needs to know it.
pub(crate) struct Saver {
    /// The CSRF token of the signed-in user allowed to save; `None` if nobody may.
    pub csrf: Option<String>,
}

/// The proposal form of a run: every area of the run, the proposed ones ticked (first).
#[allow(clippy::too_many_arguments)]
pub(crate) fn proposal_form(
    state: &AppState,
    run: &TypologyRun,
    run_id: Option<i64>,
    run_query: &str,
    saver: &Saver,
    locale: Locale,
    return_path: &str,
    edited: Option<Edited<'_>>,
) -> ProposalForm {
    let a = texts(locale);
    let t = &run.result;
    let fills = colours::clusters(t.clusters.len().max(t.settings.k));
    let proposed: std::collections::HashSet<usize> =
        t.proposed_action_areas.iter().copied().collect();
    let mut order: Vec<usize> = (0..run.areas.len()).collect();
    order.sort_by_key(|&i| (!proposed.contains(&i), std::cmp::Reverse(t.membership[i])));
    let default_rows = || {
        order
            .iter()
            .map(|&i| {
                let ra = &run.areas[i];
                ProposalRow {
                    key: ra.key.clone(),
                    name: ra.name.clone(),
                    cluster: t.membership[i].to_string(),
                    colour: fills
                        .get(t.membership[i] - 1)
                        .map(|c| c.hex())
                        .unwrap_or_default(),
                    checked: proposed.contains(&i),
                    group: ra.name.clone(),
                }
            })
            .collect::<Vec<_>>()
    };
    let (rows, name, note, errors) = match edited {
        Some(Edited {
            rows,
            name,
            note,
            errors,
        }) => (
            rows.iter()
                .map(|r| ProposalRow {
                    key: r.key.clone(),
                    name: r.name.clone(),
                    cluster: r.cluster.clone(),
                    colour: r.colour.clone(),
                    checked: r.checked,
                    group: r.group.clone(),
                })
                .collect(),
            name.to_string(),
            note.to_string(),
            errors,
        ),
        None => (
            default_rows(),
            a.default_set_name
                .replace(
                    "{level}",
                    &super::level_name(state, &run.params.level, locale),
                )
                .replace("{year}", &run.params.year.to_string())
                .replace("{k}", &run.params.k.to_string()),
            String::new(),
            Vec::new(),
        ),
    };
    let p = prefix(locale);
    ProposalForm {
        m: msgs(locale),
        a,
        action: format!("{p}/analysis/action-areas"),
        csrf: saver.csrf.clone().unwrap_or_default(),
        run_id: run_id.map(|i| i.to_string()).unwrap_or_default(),
        run_query: run_query.trim_start_matches('?').to_string(),
        name,
        note,
        rows,
        can_save: saver.csrf.is_some(),
        login_href: format!(
            "{p}/login?next={}",
            form_urlencoded::byte_serialize(return_path.as_bytes()).collect::<String>()
        ),
        errors,
    }
}

#[derive(Template)]
#[template(path = "analysis/typology.html")]
struct TypologyPage {
    l: Layout,
    m: &'static Msgs,
    a: &'static AMsgs,
    action: String,
    levels: Vec<Opt>,
    years: Vec<Opt>,
    choices: Vec<(String, String, bool)>,
    ks: Vec<Opt>,
    pcas: Vec<Opt>,
    kmeans: bool,
    kmeans_iterations: usize,
    seed: String,
    result: String,
    proposal: String,
    csv_href: String,
    api_href: String,
}

/// Computes the run of a URL's settings.
/// [`compute`] off the async threads (`web_kit::cpu`).
pub(crate) async fn compute_off(
    state: &AppState,
    pairs: &[(String, String)],
    locale: Locale,
) -> Result<(TypologyQuery, TypologyRun), AppError> {
    let (state, pairs) = (state.clone(), pairs.to_vec());
    sozialatlas_web_kit::cpu::run(move || compute(&state, &pairs, locale)).await?
}

pub(crate) fn compute(
    state: &AppState,
    pairs: &[(String, String)],
    locale: Locale,
) -> Result<(TypologyQuery, TypologyRun), AppError> {
    let q = TypologyQuery::parse(state, pairs, locale)?;
    let run = sozialatlas_runs::run_typology(state.snapshot(), &q.params(state))
        .map_err(|e| super::run_error(e, locale))?;
    Ok((q, run))
}

/// Renders the page; `proposal` is the form part (default or with the errors of a failed save).
pub(crate) fn render_page(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    q: &TypologyQuery,
    run: &TypologyRun,
    proposal: ProposalForm,
) -> Result<Response, AppError> {
    let snap = state.snapshot();
    let a = texts(locale);
    let m = msgs(locale);
    let p = prefix(locale);
    let levels = level_opts(
        &snap.tree.levels,
        super::analysis_levels(state),
        q.level,
        locale,
    );
    let years = year_opts(snap.periods.iter().rev(), Some(q.year));
    let choices = super::offered_indicators(state, q.level)
        .into_iter()
        .map(|i| {
            let d = &snap.catalogue.indicators[i];
            (
                d.id.clone(),
                d.name.get(locale).to_string(),
                q.indicators.contains(&i),
            )
        })
        .collect();
    let ks = (2..=MAX_CLUSTERS)
        .map(|k| opt(k.to_string(), k.to_string(), k == q.k))
        .collect();
    let mut pcas = vec![
        opt("off", a.pca_off, q.pca == PcaSetting::Off),
        opt("kaiser", a.pca_kaiser, q.pca == PcaSetting::Kaiser),
    ];
    for c in 1..=q.indicators.len() {
        pcas.push(opt(
            c.to_string(),
            a.pca_n.replace("{c}", &c.to_string()),
            q.pca == PcaSetting::Components(c),
        ));
    }
    let query = q.query(state);
    let result = result(state, run, locale, "typology").render()?;
    let page = TypologyPage {
        l: Layout::new(state, locale, a.typology_title, uri.0.path(), uri.0.query()),
        m,
        a,
        action: format!("{p}/analysis/typology"),
        levels,
        years,
        choices,
        ks,
        pcas,
        kmeans: q.kmeans.is_some(),
        kmeans_iterations: q.kmeans.unwrap_or(KMEANS_ITERATIONS),
        seed: q.seed.to_string(),
        result,
        proposal: proposal.render()?,
        csv_href: format!("{p}/analysis/typology.csv{query}"),
        api_href: format!("/api/v1/analysis/typology{query}"),
    };
    super::html(&page)
}

/// `GET /analysis/typology?…`.
pub async fn page(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    saver: super::auth::MaySave,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let (q, run) = compute_off(&state, &pairs, locale).await?;
    let query = q.query(&state);
    let return_path = format!("{}{}", uri.0.path(), query);
    let form = proposal_form(
        &state,
        &run,
        None,
        &query,
        &saver.0,
        locale,
        &return_path,
        None,
    );
    let r = render_page(&state, locale, &uri, &q, &run, form)?;
    Ok(if saver.0.csrf.is_some() {
        super::no_store(r)
    } else {
        r
    })
}

/// The membership of a run as CSV rows (header first).
pub(crate) fn csv_rows(state: &AppState, run: &TypologyRun, locale: Locale) -> Vec<Vec<String>> {
    let a = texts(locale);
    let t = &run.result;
    let plain = |x: f64| sozialatlas_core::locale::format_plain(x, 4, locale);
    let mut header: Vec<String> = [
        a.csv_key,
        a.csv_area,
        a.csv_cluster,
        a.csv_description,
        a.csv_proposed,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for id in &run.params.indicators {
        header.push(format!("z {}", super::indicator_name(state, id, locale)));
    }
    let mut out = vec![header];
    for (i, ra) in run.areas.iter().enumerate() {
        let c = t.membership[i];
        let cl = t.clusters.iter().find(|x| x.number == c);
        let mut row = vec![
            ra.key.clone(),
            ra.name.clone(),
            c.to_string(),
            cl.map(|x| match locale {
                Locale::De => x.description_de.clone(),
                Locale::En => x.description_en.clone(),
            })
            .unwrap_or_default(),
            if t.proposed_action_areas.contains(&i) {
                a.yes
            } else {
                a.no
            }
            .to_string(),
        ];
        row.extend(t.z.row(i).iter().map(|&z| plain(z)));
        out.push(row);
    }
    for ra in &run.left_out {
        out.push(vec![
            ra.key.clone(),
            ra.name.clone(),
            String::new(),
            a.left_out_missing.to_string(),
            a.no.to_string(),
        ]);
    }
    out
}

/// `GET /analysis/typology.csv?…`: the membership table.
pub async fn csv(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let pairs = params::pairs(raw.as_deref());
    let (_, run) = compute_off(&state, &pairs, locale).await?;
    super::index::csv_response(
        &csv_rows(&state, &run, locale),
        locale,
        &format!(
            "typology_{}_{}_k{}.csv",
            run.params.level, run.params.year, run.params.k
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use sozialatlas_analysis::matrix::Matrix;
    use sozialatlas_analysis::typology::{
        TypologyIndicator, TypologySettings, typology, typology_on_groups,
    };
    use sozialatlas_analysis::zscore::Polarity;
    use sozialatlas_runs::RunArea;

    fn run(groups: Option<usize>) -> TypologyRun {
        let n = 30;
        let v: Vec<f64> = (0..n * 2)
            .map(|i| ((i * 7919 % 101) as f64 / 7.0).sin())
            .collect();
        let m = Matrix::new(n, 2, v).unwrap();
        let mut s = TypologySettings::new(vec![
            TypologyIndicator::new("a", Polarity::HigherIsWorse),
            TypologyIndicator::new("b", Polarity::HigherIsWorse),
        ]);
        s.k = 3;
        let result = match groups {
            None => typology(&m, &s),
            Some(g) => typology_on_groups(&m, &s, g),
        }
        .unwrap();
        TypologyRun {
            params: TypologyParams {
                level: "l".into(),
                year: 2022,
                indicators: vec!["a".into(), "b".into()],
                k: 3,
                pca: PcaSetting::Off,
                kmeans: None,
                seed: 1,
            },
            areas: (0..n)
                .map(|i| RunArea {
                    key: format!("k{i}"),
                    name: format!("Area {i}"),
                })
                .collect(),
            left_out: Vec::new(),
            result,
        }
    }

    #[test]
    fn the_page_names_the_method_and_draws_its_leaves() {
        let en = texts(Locale::En);
        let de = texts(Locale::De);
        let exact = run(None);
        let l = leaves(&exact, en);
        assert_eq!(l.labels[4], "Area 4");
        assert_eq!(l.clusters, exact.result.ward_membership);
        assert!(
            l.method.contains("Ward's method on all 30 areas"),
            "{}",
            l.method
        );
        assert!(
            leaves(&exact, de)
                .method
                .contains("Ward-Verfahren auf allen 30 Gebieten")
        );

        let grouped = run(Some(10));
        let l = leaves(&grouped, en);
        assert_eq!(l.labels.len(), 10);
        assert_eq!(l.labels[0], "Group 1 (3 areas)");
        assert_eq!(l.keys[9], "group-10");
        assert!(
            l.method
                .contains("up to 3 similar areas were first put together into 10 small groups"),
            "{}",
            l.method
        );
        let g = grouped.result.groups.as_ref().unwrap();
        for (area, &group) in g.of_area.iter().enumerate() {
            assert_eq!(l.clusters[group], grouped.result.ward_membership[area]);
        }
        let d = leaves(&grouped, de).method;
        assert!(
            d.contains("zu 10 kleinen Gruppen") && d.contains("Vorgruppierung der 30 Gebiete"),
            "{d}"
        );
    }
}
