//! `/analysis/action-areas`: the current set of action areas (Aktionsräume) and the earlier
//! ones, each with its map and member areas.

use askama::Template;
use axum::Extension;
use axum::extract::{OriginalUri, RawQuery, State};
use axum::response::Response;
use sozialatlas_classify::palette::Rgb;
use sozialatlas_core::Locale;
use sozialatlas_render as render;
use sozialatlas_store::ActionAreaSet;

use super::texts;
use crate::AppState;
use crate::error::AppError;
use crate::i18n::analysis::AMsgs;
use crate::i18n::prefix;
use crate::pages::Layout;
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
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let a = texts(locale);
    let p = prefix(locale);
    let pairs = params::pairs(raw.as_deref());
    let all = sozialatlas_store::list_action_area_sets(state.pool())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
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
            if let Some(b) = &set.created_by {
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
