//! The public page of an action area: why it is an action area (its indicators from the atlas,
//! for each member area in the latest year, against the city) and what is done there (its
//! ideas, meetings and measures), side by side.

use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use sozialatlas_participation::idea::{self, IdeaFilter, Scope, Sort};
use sozialatlas_participation::process::processes_of_area;
use sozialatlas_participation::{measure, meeting};
use sozialatlas_render as render;

use super::pages::{IdeaRow, MeasureRow, MeetingRow, idea_rows, measure_rows, meeting_rows};
use super::{Frame, page};
use crate::auth::CurrentUser;
use crate::error::AppError;
use sozialatlas_web_atlas::view::{self, Shown};
use sozialatlas_web_kit::Ctx;

struct Cell {
    text: String,
    state: &'static str,
}

struct IndicatorRow {
    name: String,
    href: String,
    year: i32,
    cells: Vec<Cell>,
    city: String,
}

struct IndicatorGroup {
    name: String,
    rows: Vec<IndicatorRow>,
}

struct Member {
    name: String,
    href: String,
}

/// A public action office serving the area.
struct OfficeLink {
    href: String,
    name: String,
    address: String,
    hours: Vec<String>,
    example: bool,
}

struct ProcessLink {
    href: String,
    title: String,
    example: bool,
}

#[derive(Template)]
#[template(path = "participation/area.html")]
struct AreaPage {
    l: crate::layout::Layout,
    f: super::Frame,
    name: String,
    set_name: String,
    level_name: String,
    members: Vec<Member>,
    groups: Vec<IndicatorGroup>,
    in_atlas: bool,
    locator: String,
    ideas_map: String,
    processes: Vec<ProcessLink>,
    example: bool,
    ideas: Vec<IdeaRow>,
    ideas_total: i64,
    ideas_href: String,
    meetings: Vec<MeetingRow>,
    measures: Vec<MeasureRow>,
    counts: Vec<(String, i64)>,
    offices: Vec<OfficeLink>,
    offices_title: &'static str,
    opening_hours: &'static str,
}

/// `GET /participation/areas/{id}`.
pub async fn area_page(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let Some((set, aa)) = sozialatlas_store::get_action_area(state.pool(), id).await? else {
        return Err(AppError::NotFound(String::new()));
    };
    let m = crate::i18n::msgs(locale);
    let p = crate::i18n::prefix(locale);
    let snap = state.snapshot();
    let index = state.index();

    // The indicators of the member areas, latest year with data per indicator and level.
    let level = index.level.get(&set.level).copied();
    let member_idx: Vec<usize> = level
        .map(|l| {
            aa.members
                .iter()
                .filter_map(|k| index.area.get(&(l, k.clone())).copied())
                .collect()
        })
        .unwrap_or_default();
    let mut groups = Vec::new();
    if let Some(l) = level {
        for d in &snap.catalogue.dimensions {
            let mut rows = Vec::new();
            for (ii, def) in snap.catalogue.indicators.iter().enumerate() {
                if def.dimension != d.id {
                    continue;
                }
                let Some(&year) = index.periods_at(ii, l).last() else {
                    continue;
                };
                let dec = def.decimals();
                let cells = member_idx
                    .iter()
                    .map(|&a| {
                        let s = view::shown(snap, ii, a, year);
                        Cell {
                            text: s.text(dec, &def.unit, locale),
                            state: match s {
                                Shown::Value(_) => "",
                                Shown::NoData => "no-data",
                                Shown::Suppressed => "suppressed",
                            },
                        }
                    })
                    .collect();
                let city = index
                    .root
                    .map_or(Shown::NoData, |r| view::shown(snap, ii, r, year));
                rows.push(IndicatorRow {
                    name: def.name.get(locale).to_string(),
                    href: format!("{p}/indicators/{}/{}/{year}", def.id, set.level),
                    year,
                    cells,
                    city: city.text(dec, &def.unit, locale),
                });
            }
            if !rows.is_empty() {
                groups.push(IndicatorGroup {
                    name: d.name.get(locale).to_string(),
                    rows,
                });
            }
        }
    }
    let members: Vec<Member> = match level {
        Some(l) => member_idx
            .iter()
            .map(|&a| Member {
                name: snap.tree.areas[a].name.clone(),
                href: format!(
                    "{p}/areas/{}/{}",
                    snap.tree.levels[l].id, snap.tree.areas[a].key
                ),
            })
            .collect(),
        None => aa
            .members
            .iter()
            .map(|k| Member {
                name: k.clone(),
                href: String::new(),
            })
            .collect(),
    };
    // The public ideas, newest first: the latest listed, those with a place as dots on the
    // map, each a link to its idea.
    let (mut ideas, ideas_total) = idea::list_ideas(
        state.pool(),
        &IdeaFilter {
            area: Some(id),
            sort: Sort::Newest,
            limit: 1000,
            ..Default::default()
        },
        Scope::Public,
    )
    .await?;
    let points: Vec<render::MapPoint> = ideas
        .iter()
        .filter_map(|i| {
            let (lon, lat) = i.location?;
            Some(render::MapPoint {
                lon,
                lat,
                label: format!("{} {}", i.reference, i.title),
                href: Some(format!("{p}/participation/ideas/{}", i.id)),
            })
        })
        .collect();
    // The ideas on a map of the action area's own areas.
    let ideas_map = match level {
        Some(l) if !points.is_empty() => {
            let areas: Vec<render::MapArea> = snap
                .with_geometry(&index.level_areas[l])
                .filter(|(x, _, _)| member_idx.contains(x))
                .map(|(_, ar, g)| {
                    render::locator_area(ar.key.clone(), ar.name.clone(), g.clone(), false, None)
                })
                .collect();
            render::choropleth(&render::MapSpec {
                id: "action-area-ideas".into(),
                locale,
                width: 560.0,
                title: format!("{}: {}", super::pmsgs(locale).ideas_map, aa.name),
                areas,
                classes: render::locator_classes(aa.name.clone(), aa.name.clone()),
                points,
                bare: true,
                ..Default::default()
            })
        }
        _ => String::new(),
    };
    let locator = match level {
        Some(l)
            if member_idx
                .iter()
                .any(|&a| snap.geometries.get(a).is_some_and(Option::is_some)) =>
        {
            let areas = snap
                .with_geometry(&index.level_areas[l])
                .map(|(x, ar, g)| {
                    render::locator_area(
                        ar.key.clone(),
                        ar.name.clone(),
                        g.clone(),
                        member_idx.contains(&x),
                        Some(format!("{p}/areas/{}/{}", set.level, ar.key)),
                    )
                })
                .collect();
            render::choropleth(&render::MapSpec {
                id: "action-area-locator".into(),
                locale,
                width: 340.0,
                title: format!("{}: {}", m.locator, aa.name),
                areas,
                classes: render::locator_classes(m.area.to_string(), aa.name.clone()),
                highlight: None,
                no_legend: false,
                ..Default::default()
            })
        }
        _ => String::new(),
    };

    // What is done there.
    let processes = processes_of_area(state.pool(), id).await?;
    ideas.truncate(12);
    let meetings = meeting::list_meetings(state.pool(), None, Some(id)).await?;
    let mut measures = Vec::new();
    for pr in &processes {
        let all = measure::list_measures(state.pool(), Some(pr.id)).await?;
        // The measures of this area, with their parts even where those name no area.
        let mine: Vec<measure::Measure> = all
            .iter()
            .filter(|x| {
                x.action_area_id == Some(id)
                    || x.parent_id.is_some_and(|pid| {
                        all.iter()
                            .any(|y| y.id == pid && y.action_area_id == Some(id))
                    })
            })
            .cloned()
            .collect();
        measures.extend(measure_rows(&mine, std::slice::from_ref(pr), locale));
    }
    let counts = idea::count_by_state(state.pool(), id)
        .await?
        .into_iter()
        .map(|(s, n)| (super::text::state_label(s, locale).to_string(), n))
        .collect();
    let offices = sozialatlas_offices::offices::public_offices_for_action_area(state.pool(), id)
        .await?
        .into_iter()
        .map(|o| OfficeLink {
            href: format!("{p}/offices/{}", o.slug),
            address: format!("{}, {} {}", o.street, o.postcode, o.city),
            hours: o.hours().into_iter().map(str::to_string).collect(),
            example: o.is_example,
            name: o.name,
        })
        .collect();
    let ot = sozialatlas_web_offices::office_msgs(locale);
    let example = processes.iter().any(|x| x.example);
    let ideas_href = processes
        .first()
        .map(|pr| format!("{p}/participation/processes/{}/ideas?area={id}", pr.id))
        .unwrap_or_default();
    let (l, f) = Frame::new(&state, locale, &aa.name, &uri, user.as_ref());
    page(&AreaPage {
        l,
        name: aa.name.clone(),
        set_name: set.name.clone(),
        level_name: level
            .map(|l| snap.tree.levels[l].name.get(locale).to_string())
            .unwrap_or_else(|| set.level.clone()),
        members,
        groups,
        in_atlas: level.is_some() && !member_idx.is_empty(),
        locator,
        ideas_map,
        processes: processes
            .iter()
            .map(|x| ProcessLink {
                href: format!("{p}/participation/processes/{}", x.id),
                title: x.title.clone(),
                example: x.example,
            })
            .collect(),
        example,
        ideas: idea_rows(&ideas, &processes, locale, false),
        ideas_total,
        ideas_href,
        meetings: meeting_rows(&state, &processes, &meetings, locale).await?,
        measures,
        counts,
        offices,
        offices_title: ot.offices_title,
        opening_hours: ot.opening_hours,
        f,
    })
}
