//! Action areas (Aktionsräume) from the atlas: from an overlay level, or from the proposal of a
//! typology run as a planner edits it. The result is what `store::save_action_area_set` takes;
//! [`check_action_areas`] is the guard every caller runs before saving, since the store cannot
//! know which areas the atlas has.

use crate::{RunError, TypologyRun, level_of};
use sozialatlas_model::{NewActionArea, Snapshot};
use std::collections::HashSet;

/// One action area per area of an overlay level, whose only member is that overlay area
/// (e.g. Dortmund's 15 Aktionsräume).
pub fn action_areas_from_overlay(
    snap: &Snapshot,
    level: &str,
) -> Result<Vec<NewActionArea>, RunError> {
    let l = level_of(snap, level)?;
    if !snap.tree.levels[l].overlay {
        let overlays: Vec<&str> = snap
            .tree
            .levels
            .iter()
            .filter(|l| l.overlay)
            .map(|l| l.id.as_str())
            .collect();
        return Err(RunError::Parameter(format!(
            "level `{level}` is not an overlay ({})",
            if overlays.is_empty() {
                "the atlas has no overlay level".to_string()
            } else {
                format!("overlays: {}", overlays.join(", "))
            }
        )));
    }
    let areas = snap.tree.areas_of_level(l);
    if areas.is_empty() {
        return Err(RunError::Parameter(format!(
            "the overlay `{level}` has no areas"
        )));
    }
    Ok(areas
        .into_iter()
        .map(|a| {
            let area = &snap.tree.areas[a];
            NewActionArea {
                key: area.key.clone(),
                name: area.name.clone(),
                members: vec![area.key.clone()],
            }
        })
        .collect())
}

/// The proposal of a typology run: one action area per area of the clusters worse than the
/// city, in the run's area order.
pub fn proposal(run: &TypologyRun) -> Vec<NewActionArea> {
    run.result
        .proposed_action_areas
        .iter()
        .filter_map(|&i| run.areas.get(i))
        .map(|a| NewActionArea {
            key: a.key.clone(),
            name: a.name.clone(),
            members: vec![a.key.clone()],
        })
        .collect()
}

/// The proposal of a run with areas dropped (`exclude`) and added (`include`, any area of the
/// run's level in the atlas). Refuses an excluded key that is not proposed, an included key
/// that is not an area of the level or is already proposed, and an empty result.
pub fn edit_proposal(
    snap: &Snapshot,
    run: &TypologyRun,
    exclude: &[String],
    include: &[String],
) -> Result<Vec<NewActionArea>, RunError> {
    let mut areas = proposal(run);
    for key in exclude {
        let before = areas.len();
        areas.retain(|a| &a.key != key);
        if areas.len() == before {
            return Err(RunError::Parameter(format!(
                "--exclude: area `{key}` is not among the proposed action areas ({})",
                keys(&proposal(run))
            )));
        }
    }
    let l = level_of(snap, &run.params.level)?;
    for key in include {
        if areas.iter().any(|a| &a.key == key) {
            return Err(RunError::Parameter(format!(
                "--include: area `{key}` is already proposed"
            )));
        }
        let Some(a) = snap
            .tree
            .areas_of_level(l)
            .into_iter()
            .find(|&a| &snap.tree.areas[a].key == key)
        else {
            return Err(unknown_area(snap, l, key));
        };
        areas.push(NewActionArea {
            key: key.clone(),
            name: snap.tree.areas[a].name.clone(),
            members: vec![key.clone()],
        });
    }
    if areas.is_empty() {
        return Err(RunError::Parameter(
            "no action area is left: the set would be empty".into(),
        ));
    }
    Ok(areas)
}

fn keys(areas: &[NewActionArea]) -> String {
    areas
        .iter()
        .map(|a| a.key.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn unknown_area(snap: &Snapshot, level: usize, key: &str) -> RunError {
    let all: Vec<&str> = snap
        .tree
        .areas_of_level(level)
        .into_iter()
        .map(|a| snap.tree.areas[a].key.as_str())
        .collect();
    let shown = if all.len() > 20 {
        format!("{}, … ({} areas)", all[..20].join(", "), all.len())
    } else {
        all.join(", ")
    };
    RunError::Parameter(format!(
        "area `{key}` is not an area of level `{}` (its keys: {shown})",
        snap.tree.levels[level].id
    ))
}

/// Checks that every member of every action area is an area of `level` in the atlas.
pub fn check_action_areas(
    snap: &Snapshot,
    level: &str,
    areas: &[NewActionArea],
) -> Result<(), RunError> {
    let l = level_of(snap, level)?;
    let known: HashSet<&str> = snap
        .tree
        .areas_of_level(l)
        .into_iter()
        .map(|a| snap.tree.areas[a].key.as_str())
        .collect();
    for a in areas {
        for m in &a.members {
            if !known.contains(m.as_str()) {
                return Err(unknown_area(snap, l, m));
            }
        }
    }
    Ok(())
}
