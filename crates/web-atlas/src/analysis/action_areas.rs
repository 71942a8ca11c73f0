//! `/analysis/action-areas`: the current set of action areas (Aktionsräume) and the earlier
//! ones, each with its map and member areas.

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::response::{IntoResponse, Response};
use sozialatlas_classify::palette::Rgb;
use sozialatlas_core::Locale;
use sozialatlas_render as render;
use sozialatlas_store::ActionAreaSet;

use super::texts;
use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::AMsgs;
use crate::i18n::prefix;
use crate::layout::Layout;
use crate::params;

/// Fill of the areas outside every action area.
const OUTSIDE: Rgb = Rgb::from_u32(0xf2f2f2);
/// Fill of the member areas when the set has more action areas than categorical colours.
const INSIDE: Rgb = Rgb::from_u32(0xd55e00);

/// The source of a set in words.
pub(crate) fn source_label(s: sozialatlas_store::ActionAreaSource, a: &AMsgs) -> &'static str {
    match s {
        sozialatlas_store::ActionAreaSource::Overlay => a.source_overlay,
        sozialatlas_store::ActionAreaSource::Typology => a.source_typology,
        sozialatlas_store::ActionAreaSource::Manual => a.source_manual,
    }
}

struct SetRow {
    href: String,
    name: String,
    source: &'static str,
    created: String,
    areas: usize,
    current: bool,
    shown: bool,
}

struct AreaRow {
    key: String,
    name: String,
    colour: String,
    members: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "analysis/action_areas.html")]
struct ActionAreasPage {
    l: Layout,
    a: &'static AMsgs,
    p: &'static str,
    sets: Vec<SetRow>,
    shown: Option<ShownSet>,
}

struct ShownSet {
    heading: String,
    facts: Vec<(&'static str, String, String)>,
    map_svg: String,
    missing_level: String,
    areas: Vec<AreaRow>,
    current: bool,
    saved: bool,
}

/// The map of a set: member areas coloured by action area (one colour for all when there are
/// more than eight), the rest light grey.
fn set_map(state: &AppState, set: &ActionAreaSet, locale: Locale) -> Option<(String, Vec<Rgb>)> {
    let a = texts(locale);
    let snap = state.snapshot();
    let level = *state.index().level.get(&set.level)?;
    let many = set.areas.len() > super::colours::MAX_CLUSTERS;
    let fills: Vec<Rgb> = if many {
        vec![INSIDE; set.areas.len()]
    } else {
        super::colours::clusters(set.areas.len())
    };
    let mut labels: Vec<String> = if many {
        vec![a.in_action_area.to_string()]
    } else {
        set.areas.iter().map(|x| x.name.clone()).collect()
    };
    let mut classes: Vec<Rgb> = if many { vec![INSIDE] } else { fills.clone() };
    labels.push(a.not_in_action_area.to_string());
    classes.push(OUTSIDE);
    let outside = classes.len() - 1;
    let areas = state.index().level_areas[level]
        .iter()
        .filter_map(|&ai| {
            let ar = &snap.tree.areas[ai];
            let g = snap.geometries[ai].clone()?;
            let class = set
                .areas
                .iter()
                .position(|x| x.members.contains(&ar.key))
                .map_or(outside, |i| if many { 0 } else { i });
            let name = match set.areas.iter().find(|x| x.members.contains(&ar.key)) {
                Some(x) if x.name != ar.name => format!("{} ({})", ar.name, x.name),
                _ => ar.name.clone(),
            };
            Some(render::MapArea {
                key: ar.key.clone(),
                name,
                geometry: g,
                state: render::AreaState::Class { class, value: None },
                href: Some(super::profile_href(locale, &set.level, &ar.key)),
            })
        })
        .collect();
    let svg = render::choropleth(&render::MapSpec {
        id: "aa-map".into(),
        locale,
        width: 640.0,
        title: set.name.clone(),
        subtitle: Some(format!(
            "{} · {}",
            super::level_name(state, &set.level, locale),
            a.n_action_areas
                .replace("{n}", &set.areas.len().to_string())
        )),
        areas,
        classes: render::legend_categories(&labels, &classes),
        outlines: super::parent_outlines(state, level),
        stand: Some(snap.meta.stand.clone()),
        attribution: snap.meta.attribution.first().cloned(),
        scale_bar: true,
        ..Default::default()
    });
    Some((svg, fills))
}

/// `GET /analysis/action-areas[?set=]`.
pub async fn page(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    staff: super::auth::MaySave,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let a = texts(locale);
    let p = prefix(locale);
    let pairs = params::pairs(raw.as_deref());
    let all = sozialatlas_store::list_action_area_sets(state.pool()).await?;
    let current = all.first().map(|s| s.id);
    let wanted = match params::get(&pairs, "set") {
        None => current,
        Some(s) => {
            let id: i64 = s.parse().map_err(|_| {
                super::bad_param(
                    "set",
                    s,
                    "die Nummer eines gespeicherten Satzes",
                    "the number of a stored set",
                    locale,
                )
            })?;
            if !all.iter().any(|x| x.id == id) {
                return Err(AppError::NotFound(
                    a.no_such_set.replace("{id}", &id.to_string()),
                ));
            }
            Some(id)
        }
    };
    let shown = wanted
        .and_then(|id| all.iter().find(|s| s.id == id))
        .map(|set| {
            let (map_svg, fills) = set_map(&state, set, locale).unwrap_or_default();
            let missing_level = if state.index().level.contains_key(&set.level) {
                String::new()
            } else {
                a.set_level_missing.replace("{level}", &set.level)
            };
            let member_name = |k: &str| {
                super::area_by_key(&state, &set.level, k)
                    .map(|i| state.snapshot().tree.areas[i].name.clone())
                    .unwrap_or_else(|| format!("{k} ({})", a.not_in_atlas))
            };
            let mut facts = vec![
                (
                    a.source,
                    source_label(set.source, a).to_string(),
                    String::new(),
                ),
                (
                    crate::i18n::msgs(locale).level,
                    super::level_name(&state, &set.level, locale),
                    String::new(),
                ),
                (
                    a.created,
                    super::overview::when(&set.created_at, locale),
                    String::new(),
                ),
            ];
            if let Some(r) = set.run_id {
                facts.push((
                    a.run,
                    format!("{} {r}", a.run),
                    format!("{p}/analysis/runs/{r}"),
                ));
            }
            if let Some(b) = set.created_by.as_ref().filter(|_| staff.0.csrf.is_some()) {
                facts.push((a.created_by, b.clone(), String::new()));
            }
            if let Some(n) = &set.note {
                facts.push((a.note, n.clone(), String::new()));
            }
            ShownSet {
                heading: set.name.clone(),
                facts,
                map_svg,
                missing_level,
                areas: set
                    .areas
                    .iter()
                    .enumerate()
                    .map(|(i, x)| AreaRow {
                        key: x.key.clone(),
                        name: x.name.clone(),
                        colour: fills.get(i).map(|c| c.hex()).unwrap_or_default(),
                        members: x
                            .members
                            .iter()
                            .map(|k| (member_name(k), super::profile_href(locale, &set.level, k)))
                            .collect(),
                    })
                    .collect(),
                current: Some(set.id) == current,
                saved: params::get(&pairs, "saved").is_some(),
            }
        });
    let sets = all
        .iter()
        .map(|s| SetRow {
            href: format!("{p}/analysis/action-areas?set={}", s.id),
            name: s.name.clone(),
            source: source_label(s.source, a),
            created: super::overview::when(&s.created_at, locale),
            areas: s.areas.len(),
            current: Some(s.id) == current,
            shown: Some(s.id) == wanted,
        })
        .collect();
    let page = ActionAreasPage {
        l: Layout::new(
            &state,
            locale,
            a.action_areas_title,
            uri.0.path(),
            uri.0.query(),
        ),
        a,
        p,
        sets,
        shown,
    };
    Ok(super::no_store(super::html(&page)?))
}

/// What a process manager submitted from a proposal form.
pub(crate) struct Submitted {
    pub run: Option<String>,
    pub params: String,
    pub name: String,
    pub note: String,
    pub ticked: Vec<String>,
    pub groups: std::collections::HashMap<String, String>,
}

impl Submitted {
    /// Parses the urlencoded form body (repeated `area`, one `group.<key>` per area).
    pub fn parse(body: &[u8]) -> Submitted {
        let mut s = Submitted {
            run: None,
            params: String::new(),
            name: String::new(),
            note: String::new(),
            ticked: Vec::new(),
            groups: std::collections::HashMap::new(),
        };
        for (k, v) in form_urlencoded::parse(body) {
            let v = v.trim().to_string();
            match k.as_ref() {
                "run" if !v.is_empty() => s.run = Some(v),
                "params" => s.params = v,
                "name" => s.name = v,
                "note" => s.note = v,
                "area" => {
                    if !s.ticked.contains(&v) {
                        s.ticked.push(v);
                    }
                }
                other => {
                    if let Some(key) = other.strip_prefix("group.") {
                        s.groups.insert(key.to_string(), v);
                    }
                }
            }
        }
        s
    }
}

/// Groups the ticked areas into action areas: areas with the same name form one, keyed by its
/// first area's key (unique, since an area is in at most one action area), in run order.
pub(crate) fn group(
    run: &sozialatlas_runs::TypologyRun,
    sub: &Submitted,
) -> Vec<sozialatlas_store::NewActionArea> {
    let mut out: Vec<sozialatlas_store::NewActionArea> = Vec::new();
    for a in &run.areas {
        if !sub.ticked.contains(&a.key) {
            continue;
        }
        let name = sub
            .groups
            .get(&a.key)
            .cloned()
            .unwrap_or_else(|| a.name.clone());
        match out.iter_mut().find(|x| x.name == name) {
            Some(x) => x.members.push(a.key.clone()),
            None => out.push(sozialatlas_store::NewActionArea {
                key: a.key.clone(),
                name,
                members: vec![a.key.clone()],
            }),
        }
    }
    out
}

/// The form errors of a submission: (field id, message).
pub(crate) fn form_errors(
    run: &sozialatlas_runs::TypologyRun,
    sub: &Submitted,
    a: &AMsgs,
) -> Vec<(String, String)> {
    let mut errors = Vec::new();
    if sub.name.is_empty() {
        errors.push(("p-name".to_string(), a.err_name.to_string()));
    }
    if sub.ticked.is_empty() {
        errors.push(("p-areas".to_string(), a.err_no_area.to_string()));
    }
    if sub
        .ticked
        .iter()
        .any(|k| !run.areas.iter().any(|x| &x.key == k))
    {
        errors.push(("p-areas".to_string(), a.err_run_changed.to_string()));
    }
    if let Some(k) = sub
        .ticked
        .iter()
        .find(|k| sub.groups.get(*k).is_some_and(String::is_empty))
    {
        errors.push((format!("pg-{k}"), a.err_group_name.to_string()));
    }
    errors
}

/// `POST /analysis/action-areas`: saves a confirmed (and edited) typology proposal as a new set
/// of action areas, with its run (stored now unless it was stored before). A process manager or
/// an administrator only; the form's errors come back on the typology page (422).
pub async fn save(
    State(state): State<AppState>,
    Extension(locale): Extension<Locale>,
    right: super::auth::SaveRight,
    uri: OriginalUri,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let a = texts(locale);
    let p = prefix(locale);
    let sub = Submitted::parse(&body);
    let params = params::pairs(Some(&sub.params));
    // The run: a stored one, or the typology of the settings the page showed.
    let (stored, run) = match &sub.run {
        Some(id) => {
            let r = super::runs::load(&state, "run", id, locale).await?;
            if r.kind != "typology" {
                return Err(AppError::BadRequest(
                    a.compare_needs_typology
                        .replace("{param}", "run")
                        .replace("{id}", &r.id.to_string()),
                ));
            }
            let t: sozialatlas_runs::TypologyRun = serde_json::from_str(&r.result_json)
                .map_err(|e| AppError::Internal(format!("run {}: {e}", r.id)))?;
            (Some(r.id), t)
        }
        None => (
            None,
            super::typology::compute_off(&state, &params, locale)
                .await?
                .1,
        ),
    };
    let mut errors = form_errors(&run, &sub, a);
    let areas = group(&run, &sub);
    if errors.is_empty()
        && let Err(e) =
            sozialatlas_runs::check_action_areas(state.snapshot(), &run.params.level, &areas)
    {
        errors.push(("p-areas".into(), format!("{} {e}", a.err_run_changed)));
    }
    if !errors.is_empty() {
        let qs = super::query(&super::typology::params_pairs(&run.params));
        let q = super::typology::TypologyQuery::parse(
            &state,
            &params::pairs(Some(qs.trim_start_matches('?'))),
            locale,
        )?;
        let rows: Vec<super::typology::ProposalRow> = super::typology::proposal_form(
            &state,
            &run,
            stored,
            &sub.params,
            &right.saver(),
            locale,
            uri.0.path(),
            None,
        )
        .rows
        .into_iter()
        .map(|mut r| {
            r.checked = sub.ticked.contains(&r.key);
            if let Some(g) = sub.groups.get(&r.key) {
                r.group = g.clone();
            }
            r
        })
        .collect();
        let form = super::typology::proposal_form(
            &state,
            &run,
            stored,
            &sub.params,
            &right.saver(),
            locale,
            uri.0.path(),
            Some(super::typology::Edited {
                rows: &rows,
                name: &sub.name,
                note: &sub.note,
                errors,
            }),
        );
        let mut r = super::typology::render_page(&state, locale, &uri, &q, &run, form)?;
        *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(super::no_store(r));
    }
    let run_id = match stored {
        Some(id) => id,
        None => {
            sozialatlas_store::save_run(
                state.pool(),
                &sozialatlas_store::StoredRun {
                    id: 0,
                    kind: "typology".into(),
                    created_at: sozialatlas_store::clock::now_rfc3339(),
                    load_id: state.snapshot().load.id,
                    program_version: env!("CARGO_PKG_VERSION").into(),
                    params_json: serde_json::to_string(&run.params)?,
                    result_json: serde_json::to_string(&run)?,
                },
            )
            .await?
        }
    };
    let set = sozialatlas_store::save_action_area_set(
        state.pool(),
        &sub.name,
        &run.params.level,
        sozialatlas_store::ActionAreaSource::Typology,
        Some(run_id),
        Some(&sub.note),
        Some(&right.user.display_name),
        &areas,
    )
    .await
    .map_err(|e| match e {
        sozialatlas_store::StoreError::Invalid(m) => AppError::BadRequest(m),
        e => e.into(),
    })?;
    let detail = format!("{} ({} action areas, run {run_id})", sub.name, areas.len());
    sozialatlas_accounts::audit(
        state.pool(),
        Some(right.user.id),
        "action_areas.save",
        &format!("action_area_set:{set}"),
        &detail,
    )
    .await?;
    Ok(
        axum::response::Redirect::to(&format!("{p}/analysis/action-areas?set={set}&saved=1"))
            .into_response(),
    )
}
