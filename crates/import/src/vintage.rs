//! Levels whose boundaries changed: the `[[level.vintage]]` tables of `atlas.toml` become one
//! level of the area tree per vintage (the current one under the level's id, each older one as
//! `{level id}-{vintage id}`), each with the years it is valid for, linked to the next by the
//! crosswalk that converts its counts (METHODS §1).

use crate::config::{AtlasConfig, CrosswalkConfig, DataConfig, LevelConfig, VintageSpec};
use crate::error::{ImportError, ImportErrors};
use sozialatlas_core::AreaTree;
use sozialatlas_core::model::{CrosswalkLink, Vintage, normalise_weights};
use std::collections::{BTreeMap, HashSet};

/// The levels as the area tree has them: every `[[level]]` of `atlas.toml` in its order (a
/// level with vintages with the keys and boundaries of its current vintage), followed by the
/// older vintages as levels of their own.
pub(crate) struct LevelPlan {
    /// One level table per tree level.
    pub levels: Vec<LevelConfig>,
    /// The vintage of each, parallel to `levels` (`next` as an index into `levels`).
    pub vintages: Vec<Option<Vintage>>,
    /// The crosswalks: (older vintage's level, next vintage's level, the crosswalk table).
    pub crosswalks: Vec<(usize, usize, CrosswalkConfig)>,
}

fn config_error(expected: impl Into<String>, found: impl Into<String>) -> ImportError {
    ImportError::file("atlas.toml", expected, found)
}

/// Expands the levels of `config`, checking the vintages: at least one, ids of letters, digits
/// and `_`, each unique; `from` for every vintage but the first, rising; no crosswalk on the
/// last; the level names no boundaries of its own and no level lies below it; no overlay has
/// vintages.
pub(crate) fn plan(config: &AtlasConfig) -> Result<LevelPlan, ImportError> {
    for oc in &config.overlays {
        if let Some(VintageSpec::Vintages(_)) = oc.vintage {
            return Err(config_error(
                "`vintage = \"label\"` for an overlay ([[level.vintage]] tables only in a [[level]])",
                "vintage tables",
            )
            .in_column(format!("overlay `{}`: vintage", oc.id)));
        }
    }
    let mut levels = Vec::new();
    let mut vintages = Vec::new();
    let mut older: Vec<(LevelConfig, Vintage, usize)> = Vec::new();
    let mut crosswalks = Vec::new();
    for (li, lc) in config.levels.iter().enumerate() {
        let list = match &lc.vintage {
            None => {
                levels.push(lc.clone());
                vintages.push(None);
                continue;
            }
            Some(VintageSpec::Label(label)) => {
                levels.push(lc.clone());
                vintages.push(Some(Vintage::label(label.clone())));
                continue;
            }
            Some(VintageSpec::Vintages(list)) => list,
        };
        let at = |key: &str| format!("level `{}`: vintage: {key}", lc.id);
        if list.is_empty() {
            return Err(config_error("at least one [[level.vintage]] table", "none")
                .in_column(at("vintage")));
        }
        for (set, key) in [
            (lc.boundaries.is_some(), "boundaries"),
            (!lc.areas.is_empty(), "areas"),
            (lc.layer.is_some(), "layer"),
        ] {
            if set {
                return Err(config_error(
                    format!(
                        "`{key}` in each [[level.vintage]] of a level with vintages, not in the [[level]]"
                    ),
                    format!("`{key}` in [[level]] `{}`", lc.id),
                )
                .in_column(format!("level `{}`: {key}", lc.id)));
            }
        }
        if let Some(child) = config
            .levels
            .iter()
            .find(|c| c.parent.as_deref() == Some(lc.id.as_str()))
        {
            return Err(config_error(
                "a level with vintages to be the finest level (the areas of a finer level would need a parent in every vintage)",
                format!("level `{}` below it", child.id),
            )
            .in_column(format!("level `{}`: parent", child.id)));
        }
        let mut seen = HashSet::new();
        let mut last_from: Option<i32> = None;
        for (k, vc) in list.iter().enumerate() {
            if vc.id.is_empty() || !vc.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(config_error(
                    "a vintage id of letters, digits and `_` (it is part of the old areas' level id and their URLs)",
                    format!("`{}`", vc.id),
                )
                .in_column(at("id")));
            }
            if !seen.insert(vc.id.as_str()) {
                return Err(
                    config_error("unique vintage ids", format!("`{}` twice", vc.id))
                        .in_column(at("id")),
                );
            }
            match (k, vc.from, last_from) {
                (0, _, _) => {}
                (_, None, _) => {
                    return Err(config_error(
                        "`from = year` (the first year its boundaries are valid for) in every vintage but the first",
                        format!("vintage `{}` without `from`", vc.id),
                    )
                    .in_column(at("from")));
                }
                (_, Some(f), Some(prev)) if f <= prev => {
                    return Err(config_error(
                        format!(
                            "vintages in the order of their years, each `from` after the one before ({prev})"
                        ),
                        format!("vintage `{}` from {f}", vc.id),
                    )
                    .in_column(at("from")));
                }
                _ => {}
            }
            last_from = vc.from.or(last_from);
            let is_last = k + 1 == list.len();
            if is_last && vc.crosswalk.is_some() {
                return Err(config_error(
                    "a crosswalk in each vintage but the last (it converts a vintage onto the next one)",
                    format!("a crosswalk in the last vintage `{}`", vc.id),
                )
                .in_column(at("crosswalk")));
            }
        }
        // The effective level table of each vintage: the level's keys, the vintage's own where
        // it sets them.
        let table = |vc: &crate::config::VintageConfig, id: String| LevelConfig {
            id,
            boundaries: Some(vc.boundaries.clone()),
            layer: vc.layer.clone(),
            key: vc.key.clone().or_else(|| lc.key.clone()),
            name_property: vc
                .name_property
                .clone()
                .or_else(|| lc.name_property.clone()),
            parent_key: vc.parent_key.clone().or_else(|| lc.parent_key.clone()),
            key_width: vc.key_width.or(lc.key_width),
            crs: vc.crs.clone().or_else(|| lc.crs.clone()),
            repair: vc.repair.unwrap_or(lc.repair),
            vintage: None,
            ..lc.clone()
        };
        let until = |k: usize| list.get(k + 1).and_then(|n| n.from).map(|f| f - 1);
        let current = list.len() - 1;
        for (k, vc) in list.iter().enumerate() {
            let vintage = Vintage {
                from: vc.from,
                until: until(k),
                ..Vintage::label(vc.id.clone())
            };
            if k == current {
                levels.push(table(vc, lc.id.clone()));
                vintages.push(Some(vintage));
            } else {
                // An older vintage's name says which boundaries it has: "Planungsraum
                // (Gebietsstand 2019)", so that pages and the data pool tell the two apart.
                let en = if lc.name.en.is_empty() {
                    &lc.name.de
                } else {
                    &lc.name.en
                };
                let name = sozialatlas_core::Text::new(
                    format!("{} (Gebietsstand {})", lc.name.de, vc.id),
                    format!("{en} ({} boundaries)", vc.id),
                );
                let table = LevelConfig {
                    name,
                    ..table(vc, format!("{}-{}", lc.id, vc.id))
                };
                older.push((table, vintage, li));
            }
        }
    }
    // Older vintages after the levels, in the order of their levels and years; each links to the
    // next vintage of its level (the next older one, or the current one under the level's id).
    let n = levels.len();
    for (i, (table, mut vintage, li)) in older.iter().cloned().enumerate() {
        let next = match older.get(i + 1) {
            Some((_, _, l)) if *l == li => n + i + 1,
            _ => li,
        };
        vintage.next = Some(next);
        let Some(VintageSpec::Vintages(list)) = &config.levels[li].vintage else {
            continue;
        };
        if let Some(cc) = list
            .iter()
            .find(|v| v.id == vintage.label)
            .and_then(|v| v.crosswalk.clone())
        {
            crosswalks.push((n + i, next, cc));
        }
        levels.push(table);
        vintages.push(Some(vintage));
    }
    for (i, l) in levels.iter().enumerate() {
        let clash = levels[..i]
            .iter()
            .chain(config.overlays.iter())
            .any(|o| o.id == l.id);
        if clash {
            return Err(config_error(
                "unique level ids (an older vintage's areas are the level `{level id}-{vintage id}`)",
                format!("`{}` twice", l.id),
            )
            .in_column("level.id"));
        }
    }
    for (_, new, cc) in &crosswalks {
        if let Some(v) = vintages[*new].as_mut() {
            v.converted_by = Some(cc.shares);
        }
    }
    Ok(LevelPlan {
        levels,
        vintages,
        crosswalks,
    })
}

/// Checks a crosswalk's links (read by [`crate::read_links`]) and makes them the tree's: every
/// area of the older vintage is distributed whole (its shares sum to 1, to within 10⁻⁴, and are
/// then rounded to millionths that sum to exactly 1, so that converted counts add up to the
/// counts they came from); an area of the newer vintage that no old area reaches gets no
/// converted values (a warning).
pub(crate) fn crosswalk_links(
    cc: &CrosswalkConfig,
    tree: &AreaTree,
    (old_level, new_level): (usize, usize),
    links: Vec<(usize, usize, f64, u64)>,
    warnings: &mut Vec<String>,
) -> Result<Vec<CrosswalkLink>, ImportErrors> {
    let file = cc.file.as_str();
    let mut by_old: BTreeMap<usize, Vec<(usize, f64, u64)>> = BTreeMap::new();
    for (old, new, share, line) in links {
        by_old.entry(old).or_default().push((new, share, line));
    }
    let mut errors = Vec::new();
    let missing: Vec<&str> = tree
        .areas_of_level(old_level)
        .into_iter()
        .filter(|a| !by_old.contains_key(a))
        .map(|a| tree.areas[a].key.as_str())
        .collect();
    if !missing.is_empty() {
        errors.push(
            ImportError::file(
                file,
                format!(
                    "a row for every area of level `{}` (the counts of an area without one would be lost)",
                    tree.levels[old_level].id
                ),
                format!(
                    "no row for {} area(s): {}",
                    missing.len(),
                    missing.iter().take(8).copied().collect::<Vec<_>>().join(", ")
                ),
            )
            .in_column(&cc.old),
        );
    }
    let mut out = Vec::new();
    for (old, rows) in &by_old {
        let sum: f64 = rows.iter().map(|r| r.1).sum();
        if (sum - 1.0).abs() > 1e-4 {
            errors.push(
                ImportError::file(
                    file,
                    format!(
                        "shares of each old area that sum to 1 (the whole of its count goes to the areas of level `{}`)",
                        tree.levels[new_level].id
                    ),
                    format!(
                        "`{}`: {} on line{} {}",
                        tree.areas[*old].key,
                        sozialatlas_core::locale::format_trimmed(
                            sum,
                            8,
                            sozialatlas_core::Locale::En
                        ),
                        if rows.len() > 1 { "s" } else { "" },
                        rows.iter()
                            .map(|r| r.2.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at_line(rows[0].2)
                .in_column(&cc.share),
            );
            continue;
        }
        let shares: Vec<f64> = rows.iter().map(|r| r.1).collect();
        for (&(new, _, _), m) in rows.iter().zip(normalise_weights(&shares)) {
            if m > 0 {
                out.push(CrosswalkLink {
                    old_area: *old,
                    new_area: new,
                    weight: m as f64 / 1e6,
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.truncate(crate::error::MAX_ERRORS);
        return Err(ImportErrors(errors));
    }
    let reached: HashSet<usize> = out.iter().map(|l| l.new_area).collect();
    let unreached: Vec<&str> = tree
        .areas_of_level(new_level)
        .into_iter()
        .filter(|a| !reached.contains(a))
        .map(|a| tree.areas[a].key.as_str())
        .collect();
    if !unreached.is_empty() {
        warnings.push(format!(
            "{file}: {} area(s) of level `{}` get no converted values (no area of `{}` lies in them): {}",
            unreached.len(),
            tree.levels[new_level].id,
            tree.levels[old_level].id,
            unreached.iter().take(8).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(out)
}

/// How messages name a level: "level `plr`", or "vintage `2019` of level `plr` (level
/// `plr-2019`)" for an older vintage.
pub(crate) fn describe(tree: &AreaTree, level: usize) -> String {
    let l = &tree.levels[level];
    match &l.vintage {
        Some(v) if v.from.is_some() || v.until.is_some() || v.next.is_some() => {
            let current = tree.vintages_of(level).last().copied().unwrap_or(level);
            let years = v
                .years(sozialatlas_core::Locale::En)
                .map(|y| format!(", valid {y}"))
                .unwrap_or_default();
            if current == level {
                format!("level `{}` (vintage `{}`{years})", l.id, v.label)
            } else {
                format!(
                    "vintage `{}` of level `{}` (level `{}`{years})",
                    v.label, tree.levels[current].id, l.id
                )
            }
        }
        _ => format!("level `{}`", l.id),
    }
}

/// The levels whose keys a data file may hold: its `level`; for a level with vintages the vintage
/// named by `vintage`, or without it every vintage (each row's year chooses, [`level_in`]).
pub(crate) fn data_levels(dc: &DataConfig, tree: &AreaTree) -> Result<Vec<usize>, ImportError> {
    let at = |field: &str| format!("data `{}`: {field}", dc.file);
    let level = tree.level_index(&dc.level).ok_or_else(|| {
        ImportError::file(
            "atlas.toml",
            "the id of a level or overlay",
            format!("`{}`", dc.level),
        )
        .in_column(at("level"))
    })?;
    let chain = tree.vintages_of(level);
    if tree.levels[level].is_older_vintage() {
        let current = &tree.levels[chain[chain.len() - 1]];
        let label = tree.levels[level]
            .vintage
            .as_ref()
            .map_or("", |v| v.label.as_str());
        return Err(ImportError::file(
            "atlas.toml",
            format!(
                "the level as atlas.toml names it, and the vintage: level = \"{}\" and vintage = \"{label}\"",
                current.id
            ),
            format!("`{}`, the areas of an older vintage", dc.level),
        )
        .in_column(at("level")));
    }
    match &dc.vintage {
        None if chain.len() > 1 => Ok(chain),
        None => Ok(vec![level]),
        Some(v) => {
            if chain.len() < 2 {
                return Err(ImportError::file(
                    "atlas.toml",
                    format!(
                        "no `vintage` for level `{}`, which has one vintage ([[level.vintage]] tables give a level several)",
                        dc.level
                    ),
                    format!("vintage = \"{v}\""),
                )
                .in_column(at("vintage")));
            }
            chain
                .iter()
                .copied()
                .find(|&l| {
                    tree.levels[l]
                        .vintage
                        .as_ref()
                        .is_some_and(|x| &x.label == v)
                })
                .map(|l| vec![l])
                .ok_or_else(|| {
                    let ids: Vec<String> = chain
                        .iter()
                        .filter_map(|&l| tree.levels[l].vintage.as_ref())
                        .map(|x| format!("`{}`", x.label))
                        .collect();
                    ImportError::file(
                        "atlas.toml",
                        format!(
                            "the id of a vintage of level `{}` (one of {})",
                            dc.level,
                            ids.join(", ")
                        ),
                        format!("`{v}`"),
                    )
                    .in_column(at("vintage"))
                })
        }
    }
}

/// The level a row of the year `period` belongs to: the one level of the file, or of several
/// vintages the one valid in that year; `Err` holds what was expected.
pub(crate) fn level_in(tree: &AreaTree, levels: &[usize], period: i32) -> Result<usize, String> {
    if let [one] = levels {
        return Ok(*one);
    }
    levels
        .iter()
        .copied()
        .find(|&l| tree.levels[l].valid_in(period))
        .ok_or_else(|| {
            let years: Vec<String> = levels
                .iter()
                .filter_map(|&l| tree.levels[l].vintage.as_ref())
                .map(|v| {
                    format!(
                        "`{}` {}",
                        v.label,
                        v.years(sozialatlas_core::Locale::En).unwrap_or_default()
                    )
                })
                .collect();
            format!(
                "a year in which a vintage of level `{}` is valid ({}; or set `vintage` for this data file)",
                tree.levels[levels[levels.len() - 1]].id,
                years.join(", ")
            )
        })
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::{Atlas, ImportErrors, MemorySource, load_atlas};
    use std::borrow::Cow;

    /// A GeoJSON file of unit squares side by side: (key, parent key) each.
    fn squares(areas: &[(&str, &str)]) -> String {
        let features: Vec<String> = areas
            .iter()
            .enumerate()
            .map(|(i, (key, parent))| {
                let x = i as f64 * 0.01;
                format!(
                    r#"{{"type":"Feature","properties":{{"id":"{key}","bez":"{parent}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},50],[{x1},50],[{x1},50.01],[{x},50.01],[{x},50]]]}}}}"#,
                    x1 = x + 0.01
                )
            })
            .collect();
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
    }

    /// A catalogue of one count (the import's tests share it).
    pub(crate) const CATALOGUE: &str = r#"
version = "1"
[[dimension]]
id = "d"
name = { de = "D" }
[[variable]]
id = "ew"
name = { de = "Einwohner" }
[[indicator]]
id = "ew"
name = { de = "Einwohner" }
dimension = "d"
unit = "Personen"
formula = "count"
variable = "ew"
"#;

    /// City 0 ⊃ districts A, B ⊃ planning areas: until 2020 o1, o2 (A) and o3 (B), from 2021
    /// n1, n2 (A) and n3 (B); o2 splits into n1 and n2.
    const ATLAS: &str = r#"
[atlas]
name = { de = "Test" }
city = "Test"
stand = "2021"

[[level]]
id = "stadt"
name = { de = "Stadt" }
areas = [{ key = "0", name = "Test" }]

[[level]]
id = "bezirk"
name = { de = "Bezirk" }
parent = "stadt"
areas = [{ key = "A", name = "A" }, { key = "B", name = "B" }]

[[level]]
id = "plr"
name = { de = "Planungsraum" }
parent = "bezirk"
key = "id"
parent_key = "bez"

[[level.vintage]]
id = "alt"
boundaries = "alt.geojson"
from = 2019
crosswalk = { file = "cw.csv", old = "old", new = "new", share = "w", shares = "area" }

[[level.vintage]]
id = "neu"
boundaries = "neu.geojson"
from = 2021

[[data]]
file = "ew.csv"
level = "plr"
area = "plr"
period = "year"
variables = { ew = "ew" }
"#;

    const CROSSWALK: &str = "old,new,w\no1,n1,1\no2,n1,0.3333333\no2,n2,0.6666667\no3,n3,1\n";
    const DATA: &str =
        "plr,year,ew\no1,2020,100\no2,2020,30\no3,2020,50\nn1,2021,111\nn2,2021,20\nn3,2021,52\n";

    fn source(edit: impl FnOnce(&mut Vec<(&'static str, String)>)) -> MemorySource {
        let mut files = vec![
            ("atlas.toml", ATLAS.to_string()),
            ("catalogue.toml", CATALOGUE.to_string()),
            (
                "alt.geojson",
                squares(&[("o1", "A"), ("o2", "A"), ("o3", "B")]),
            ),
            (
                "neu.geojson",
                squares(&[("n1", "A"), ("n2", "A"), ("n3", "B")]),
            ),
            ("cw.csv", CROSSWALK.to_string()),
            ("ew.csv", DATA.to_string()),
        ];
        edit(&mut files);
        MemorySource {
            name: "test".into(),
            files: files
                .into_iter()
                .map(|(k, v)| (k.to_string(), Cow::Owned(v.into_bytes())))
                .collect(),
        }
    }

    fn load(edit: impl FnOnce(&mut Vec<(&'static str, String)>)) -> Result<Atlas, ImportErrors> {
        load_atlas(&source(edit), &|_, _, _| {})
    }

    fn replace(files: &mut [(&'static str, String)], file: &str, from: &str, to: &str) {
        let f = files.iter_mut().find(|f| f.0 == file).unwrap();
        assert!(f.1.contains(from), "{file} has {from:?}");
        f.1 = f.1.replace(from, to);
    }

    fn error(edit: impl FnOnce(&mut Vec<(&'static str, String)>)) -> String {
        load(edit).expect_err("refused").to_string()
    }

    #[test]
    fn each_vintage_is_a_level_linked_to_the_next() {
        let a = load(|_| {}).unwrap();
        let t = &a.tree;
        let ids: Vec<&str> = t.levels.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["stadt", "bezirk", "plr", "plr-alt"]);
        let old = t.levels[3].vintage.as_ref().unwrap();
        assert_eq!(
            (old.from, old.until, old.next),
            (Some(2019), Some(2020), Some(2))
        );
        let new = t.levels[2].vintage.as_ref().unwrap();
        assert_eq!((new.from, new.until, new.next), (Some(2021), None, None));
        assert_eq!(new.converted_by, Some(sozialatlas_core::ShareKind::Area));
        assert_eq!(t.vintages_of(3), vec![3, 2]);
        assert_eq!(t.shown_levels(), vec![0, 1, 2]);
        // The weights of o2 (0.3333333 + 0.6666667) become millionths summing to 1.
        let o2 = t.find(3, "o2").unwrap();
        let w: Vec<i64> = t
            .crosswalk
            .iter()
            .filter(|l| l.old_area == o2)
            .map(|l| l.weight_millionths())
            .collect();
        assert_eq!(w, vec![333_333, 666_667]);
        // Each row went to the vintage valid in its year.
        let obs = |level, key, year| a.observations.get(&(t.find(level, key).unwrap(), year, 0));
        assert_eq!(
            obs(3, "o2", 2020),
            Some(&sozialatlas_core::Obs::Value(30.0))
        );
        assert_eq!(
            obs(2, "n2", 2021),
            Some(&sozialatlas_core::Obs::Value(20.0))
        );
        // The districts' areas count the current vintage only.
        assert!(
            (t.areas[t.find(1, "A").unwrap()].area_km2.unwrap()
                - 2.0 * t.areas[t.find(2, "n1").unwrap()].area_km2.unwrap())
            .abs()
                < 1e-6
        );
    }

    #[test]
    fn a_data_file_may_name_its_vintage() {
        let a = load(|f| {
            f.push((
                "ew2020.csv",
                "plr,ew\nn1,120\nn2,10\nn3,50\n".to_string(),
            ));
            replace(
                f,
                "atlas.toml",
                "[[data]]",
                "[[data]]\nfile = \"ew2020.csv\"\nlevel = \"plr\"\nvintage = \"neu\"\narea = \"plr\"\nperiod_value = 2020\nvariables = { ew = \"ew\" }\n\n[[data]]",
            );
        })
        .unwrap();
        let n1 = a.tree.find(2, "n1").unwrap();
        assert_eq!(
            a.observations.get(&(n1, 2020, 0)),
            Some(&sozialatlas_core::Obs::Value(120.0))
        );
    }

    #[test]
    fn a_crosswalk_must_distribute_every_old_area_whole() {
        let e = error(|f| replace(f, "cw.csv", "o2,n2,0.6666667", "o2,n2,0.6"));
        assert!(
            e.contains(
                "cw.csv, line 3, column `w`: expected shares of each old area that sum to 1"
            ) && e.contains("found `o2`: 0.9333333 on lines 3, 4"),
            "{e}"
        );
        let e = error(|f| replace(f, "cw.csv", "o3,n3,1\n", ""));
        assert!(
            e.contains("cw.csv, column `old`: expected a row for every area of level `plr-alt`")
                && e.contains("found no row for 1 area(s): o3"),
            "{e}"
        );
        let e = error(|f| replace(f, "cw.csv", "o3,n3,1", "o4,n3,1"));
        assert!(
            e.contains("cw.csv, line 5, column `old`: expected a key of vintage `alt` of level `plr` (level `plr-alt`, valid 2019–2020)"),
            "{e}"
        );
        let e = error(|f| replace(f, "cw.csv", "o3,n3,1", "o3,n3,1.5"));
        assert!(
            e.contains("expected a share greater than 0 and at most 1"),
            "{e}"
        );
        let e = error(|f| replace(f, "atlas.toml", "shares = \"area\" }", "}"));
        assert!(e.contains("missing field `shares`"), "{e}");
    }

    #[test]
    fn a_new_area_no_old_one_reaches_is_a_warning() {
        let a = load(|f| {
            let g = squares(&[("n1", "A"), ("n2", "A"), ("n3", "B"), ("n4", "B")]);
            f.iter_mut().find(|x| x.0 == "neu.geojson").unwrap().1 = g;
        })
        .unwrap();
        assert!(
            a.warnings.iter().any(|w| w
                == "cw.csv: 1 area(s) of level `plr` get no converted values (no area of `plr-alt` lies in them): n4"),
            "{:?}",
            a.warnings
        );
    }

    #[test]
    fn the_vintages_are_checked() {
        let cases: [(&str, &str, &str); 8] = [
            (
                "id = \"alt\"",
                "id = \"a-lt\"",
                "expected a vintage id of letters, digits and `_`",
            ),
            (
                "id = \"neu\"",
                "id = \"alt\"",
                "expected unique vintage ids, found `alt` twice",
            ),
            (
                "from = 2021\n",
                "\n",
                "expected `from = year` (the first year its boundaries are valid for) in every vintage but the first, found vintage `neu` without `from`",
            ),
            (
                "from = 2021",
                "from = 2019",
                "expected vintages in the order of their years, each `from` after the one before (2019), found vintage `neu` from 2019",
            ),
            (
                "boundaries = \"neu.geojson\"",
                "boundaries = \"neu.geojson\"\ncrosswalk = { file = \"cw.csv\", old = \"old\", new = \"new\", share = \"w\", shares = \"area\" }",
                "expected a crosswalk in each vintage but the last",
            ),
            (
                "key = \"id\"\n",
                "key = \"id\"\nboundaries = \"neu.geojson\"\n",
                "column `level `plr`: boundaries`: expected `boundaries` in each [[level.vintage]] of a level with vintages, not in the [[level]]",
            ),
            (
                "[[data]]",
                "[[level]]\nid = \"block\"\nname = { de = \"Block\" }\nparent = \"plr\"\nareas = [{ key = \"x\", name = \"x\" }]\n\n[[data]]",
                "column `level `block`: parent`: expected a level with vintages to be the finest level",
            ),
            (
                "[[data]]",
                "[[level]]\nid = \"plr-alt\"\nname = { de = \"X\" }\nparent = \"stadt\"\nareas = [{ key = \"x\", name = \"x\" }]\n\n[[data]]",
                "expected unique level ids (an older vintage's areas are the level `{level id}-{vintage id}`), found `plr-alt` twice",
            ),
        ];
        for (from, to, expected) in cases {
            let e = error(|f| replace(f, "atlas.toml", from, to));
            assert!(
                e.starts_with("atlas.toml") && e.contains(expected),
                "{to}: {e}"
            );
        }
    }

    #[test]
    fn a_data_file_names_a_vintage_of_its_level() {
        let data = |extra: &str| {
            let extra = extra.to_string();
            move |f: &mut Vec<(&'static str, String)>| {
                replace(
                    f,
                    "atlas.toml",
                    "area = \"plr\"",
                    &format!("area = \"plr\"\n{extra}"),
                )
            }
        };
        let e = error(data("vintage = \"2019\""));
        assert!(e.contains("column `data `ew.csv`: vintage`: expected the id of a vintage of level `plr` (one of `alt`, `neu`), found `2019`"), "{e}");
        let e = error(|f| {
            replace(
                f,
                "atlas.toml",
                "level = \"plr\"\narea",
                "level = \"plr-alt\"\narea",
            );
        });
        assert!(e.contains("expected the level as atlas.toml names it, and the vintage: level = \"plr\" and vintage = \"alt\", found `plr-alt`"), "{e}");
        let e = error(|f| {
            replace(
                f,
                "atlas.toml",
                "level = \"plr\"\narea",
                "level = \"bezirk\"\nvintage = \"alt\"\narea",
            );
        });
        assert!(
            e.contains("expected no `vintage` for level `bezirk`"),
            "{e}"
        );
        // A row of a year before the first vintage.
        let e = error(|f| replace(f, "ew.csv", "o1,2020", "o1,2018"));
        assert!(e.contains("ew.csv, line 2, column `year`: expected a year in which a vintage of level `plr` is valid (`alt` 2019–2020, `neu` from 2021; or set `vintage` for this data file), found 2018"), "{e}");
        // A key of the other vintage in a year of this one.
        let e = error(|f| replace(f, "ew.csv", "n1,2021", "o1,2021"));
        assert!(e.contains("ew.csv, line 5, column `plr`: expected a key of level `plr` (vintage `neu`, valid from 2021) (e.g. n1, n2, n3), found `o1`"), "{e}");
        // An overlay has no vintage tables.
        let e = error(|f| {
            replace(
                f,
                "atlas.toml",
                "[[data]]",
                "[[overlay]]\nid = \"o\"\nname = { de = \"O\" }\n[[overlay.vintage]]\nid = \"x\"\nboundaries = \"neu.geojson\"\n\n[[data]]",
            );
        });
        assert!(e.contains("column `overlay `o`: vintage`"), "{e}");
    }
}
