//! `[[data]] kind = "points"`: geocoded records counted per area during the load.
//!
//! The records are streamed through [`sozialatlas_aggregate::aggregate_csv`] (chunked, all cores,
//! bounded memory) against the polygons of the data file's level, read from the level's boundary
//! file straight into the CRS of the points — so when both are in the same CRS no coordinate is
//! transformed and a record exactly on a border stays exactly on it (the border rule of the
//! aggregate crate then gives it to exactly one area). The counts (or sums of `weight`) become
//! observations per area, period and variable, as a long table of counts would give them.

use crate::config::{AtlasConfig, DataConfig};
use crate::error::ImportError;
use crate::{ImportErrors, InputFile, Reader, pad, prop_text, read_boundaries};
use sha2::{Digest, Sha256};
use sozialatlas_aggregate::{
    AggregateError, AggregateOptions, AggregateResult, Delimiter, PolygonIndex, aggregate_csv,
};
use sozialatlas_core::compute::Observations;
use sozialatlas_core::{AreaTree, Catalogue, Obs, VariableKind};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

/// Records outside every area listed in the warning.
const OUTSIDE_SAMPLE: usize = 5;

/// A reader that hashes what passes through it (the input checksum of a streamed file).
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

/// Where a record's variable comes from.
enum Variables {
    /// Every record counts towards this variable (index into the catalogue).
    Fixed(usize),
    /// A column names it: source name → variable index; unmapped names are an error unless
    /// ignored.
    Column {
        names: HashMap<String, usize>,
        ignore_unmapped: bool,
    },
}

/// Text encoding of the group values.
#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    /// UTF-8 where valid, else Windows-1252.
    Auto,
    Utf8,
    Windows1252,
}

impl Encoding {
    fn decode(self, v: &[u8]) -> Option<String> {
        match (self, std::str::from_utf8(v)) {
            (Encoding::Windows1252, _) => {
                Some(encoding_rs::WINDOWS_1252.decode(v).0.trim().to_owned())
            }
            (_, Ok(s)) => Some(s.trim().to_owned()),
            (Encoding::Auto, Err(_)) => {
                Some(encoding_rs::WINDOWS_1252.decode(v).0.trim().to_owned())
            }
            (Encoding::Utf8, Err(_)) => None,
        }
    }
}

fn year(v: &str) -> Option<i32> {
    v.parse::<i32>().ok().filter(|p| (1800..=2200).contains(p))
}

/// Reads a points file of `dc` into `obs` (and its outside records into `warnings`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_points(
    r: &mut Reader<'_>,
    dc: &DataConfig,
    levels: &[crate::config::LevelConfig],
    tree: &AreaTree,
    cat: &Catalogue,
    cfg: &AtlasConfig,
    obs: &mut Observations,
    warnings: &mut Vec<String>,
) -> Result<(), ImportErrors> {
    let file = dc.file.as_str();
    let setting = |field: &str, expected: String, found: String| {
        ImportError::file("atlas.toml", expected, found)
            .in_column(format!("data `{file}` (kind = \"points\"): {field}"))
    };
    // A level with vintages: the records are counted in the areas of the vintage named by
    // `vintage`, else in those of the current one.
    let level = *crate::vintage::data_levels(dc, tree)?
        .last()
        .expect("a data file has a level");
    let lc = levels
        .iter()
        .chain(&cfg.overlays)
        .find(|l| l.id == tree.levels[level].id)
        .expect("every level of the tree comes from atlas.toml");
    let boundaries = lc.boundaries.as_deref().ok_or_else(|| {
        setting(
            "level",
            "a level with a boundary file (records are located in its polygons)".into(),
            format!("level `{}` with inline areas and no geometry", dc.level),
        )
    })?;
    // Settings that belong to tables only.
    for (field, given) in [
        ("area", dc.area.is_some()),
        ("variables", !dc.variables.is_empty()),
        ("value_column", dc.value_column.is_some()),
        ("sheet", dc.sheet.is_some()),
        ("key_width", dc.key_width.is_some()),
        ("missing", dc.missing.is_some()),
        ("suppressed", dc.suppressed.is_some()),
        ("where", !dc.filter.is_empty()),
        ("zero", dc.zero.is_some()),
        ("thousands", dc.thousands != "auto"),
        ("header_row", dc.header_row.is_some()),
        ("skip_rows", !dc.skip_rows.is_empty()),
    ] {
        if given {
            return Err(setting(
                field,
                "no such setting for a points file (records are located by their coordinates and counted)".into(),
                format!("`{field}`"),
            )
            .into());
        }
    }
    let lower = file.to_ascii_lowercase();
    if lower.ends_with(".xlsx") || lower.ends_with(".xlsm") {
        return Err(setting(
            "file",
            "a CSV file (points files are streamed; save the sheet as CSV)".into(),
            format!("`{file}`"),
        )
        .into());
    }
    let required = |field: &str, value: &Option<String>, what: &str| {
        value
            .clone()
            .ok_or_else(|| setting(field, format!("`{field} = \"…\"`: {what}"), "none".into()))
    };
    let x = required(
        "x",
        &dc.x,
        "the column with the x coordinate (easting or longitude)",
    )?;
    let y = required(
        "y",
        &dc.y,
        "the column with the y coordinate (northing or latitude)",
    )?;
    let crs = required(
        "crs",
        &dc.crs,
        "the CRS of the coordinates, e.g. \"EPSG:25832\" or \"EPSG:4326\"",
    )?;
    sozialatlas_geo::resolve_crs(&crs).map_err(|e| setting("crs", e.expected, e.found))?;
    let delimiter = dc
        .delimiter
        .parse::<Delimiter>()
        .map_err(|e| setting("delimiter", "auto, tab or one character".into(), e))?;
    let encoding = match dc.encoding.to_ascii_lowercase().as_str() {
        "auto" => Encoding::Auto,
        "utf-8" | "utf8" => Encoding::Utf8,
        "windows-1252" | "cp1252" | "latin1" | "iso-8859-1" => Encoding::Windows1252,
        other => {
            return Err(setting(
                "encoding",
                "`auto`, `utf-8` or `windows-1252`".into(),
                format!("`{other}`"),
            )
            .into());
        }
    };
    let var_idx = |id: &str, field: &str| {
        cat.variables
            .iter()
            .position(|v| v.id == id)
            .ok_or_else(|| {
                setting(
                    field,
                    "the id of a variable of the catalogue".into(),
                    format!("`{id}`"),
                )
            })
    };
    let variables = match (&dc.variable, &dc.variable_column) {
        (Some(v), None) => Variables::Fixed(var_idx(v, "variable")?),
        (None, Some(_)) => {
            let names = crate::variable_name_map(dc, cat, var_idx)?;
            Variables::Column {
                names,
                ignore_unmapped: dc.ignore_unmapped,
            }
        }
        (Some(_), Some(_)) => {
            return Err(setting(
                "variable",
                "either `variable` (one variable for every record) or `variable_column`".into(),
                "both".into(),
            )
            .into());
        }
        (None, None) => {
            return Err(setting(
                "variable",
                "`variable = \"id\"` (one variable for every record) or `variable_column = \"column\"`"
                    .into(),
                "neither".into(),
            )
            .into());
        }
    };
    for &vi in match &variables {
        Variables::Fixed(v) => vec![*v],
        Variables::Column { names, .. } => names.values().copied().collect(),
    }
    .iter()
    {
        let v = &cat.variables[vi];
        if !v.sum.is_empty() {
            return Err(setting(
                "variable",
                "a base variable (a derived variable is computed from its parts)".into(),
                format!("`{}`, the sum of {}", v.id, v.sum.join(", ")),
            )
            .into());
        }
    }
    let period_value = match (&dc.period, dc.period_value) {
        (Some(_), _) => None,
        (None, Some(p)) => Some(p),
        (None, None) => {
            return Err(setting(
                "period",
                "`period = \"column\"` or `period_value = year`".into(),
                "neither".into(),
            )
            .into());
        }
    };
    // Group columns: the period column, then the variable column (each when given).
    let mut group = Vec::new();
    if let Some(p) = &dc.period {
        group.push(p.clone());
    }
    let variable_col = match (&variables, &dc.variable_column) {
        (Variables::Column { .. }, Some(c)) => {
            group.push(c.clone());
            Some(group.len() - 1)
        }
        _ => None,
    };
    let period_col = dc.period.as_ref().map(|_| 0usize);

    // The level's polygons in the points' CRS, by tree area.
    let (index, tree_area) = level_index(r, lc, boundaries, &crs, tree, level)?;

    // Group values are checked when first met, so that an error names the line.
    let check = |col: usize, v: &[u8]| -> Result<(), &'static str> {
        let Some(text) = encoding.decode(v) else {
            return Err("expected UTF-8 text (or set encoding = \"windows-1252\")");
        };
        if Some(col) == period_col {
            return year(&text)
                .map(|_| ())
                .ok_or("expected a year such as 2022");
        }
        if Some(col) == variable_col
            && let Variables::Column {
                names,
                ignore_unmapped: false,
            } = &variables
            && !names.contains_key(&text)
        {
            return Err(
                "expected a variable of the catalogue (or map it in variable_names, or set ignore_unmapped = true)",
            );
        }
        Ok(())
    };
    let opts = AggregateOptions {
        x: x.clone(),
        y: y.clone(),
        group,
        weight: dc.weight.clone(),
        delimiter,
        sample_size: OUTSIDE_SAMPLE,
        check_group: Some(&check),
        ..AggregateOptions::default()
    };
    let stream = r.open(file, "a points file")?;
    let mut hashing = Hashing {
        inner: stream,
        hasher: Sha256::new(),
        bytes: 0,
    };
    let result = aggregate_csv(&mut hashing, &index, &opts, &|_| {})
        .map_err(|e| aggregate_error(file, e))?;
    if result.records == 0 && !dc.optional {
        return Err(ImportError::file(
            file,
            "records below the header (or optional = true for this file in atlas.toml, when it \
             may be empty)",
            "a header and no records",
        )
        .at_line(2)
        .into());
    }
    if !r.inputs.iter().any(|i| i.path == file) {
        r.inputs.push(InputFile {
            path: file.to_string(),
            sha256: hex::encode(hashing.hasher.finalize()),
            bytes: hashing.bytes,
            markers: None,
        });
    }

    // Sum the groups into (period, variable) per area.
    let n = tree_area.len();
    let mut cells: BTreeMap<(i32, usize), Vec<f64>> = BTreeMap::new();
    let mut periods = BTreeSet::new();
    let mut unmapped = 0u64;
    for (g, raw) in result.raw_groups.iter().enumerate() {
        let text = |col: usize| encoding.decode(&raw[col]).unwrap_or_default();
        let period = match period_col {
            Some(c) => year(&text(c)).expect("checked while reading"),
            None => period_value.unwrap_or_default(),
        };
        periods.insert(period);
        let vi = match &variables {
            Variables::Fixed(v) => Some(*v),
            Variables::Column { names, .. } => {
                names.get(&text(variable_col.unwrap_or_default())).copied()
            }
        };
        let Some(vi) = vi else {
            unmapped += (0..n).map(|a| result.count(g, a)).sum::<u64>() + result.outside_count(g);
            continue;
        };
        let row = cells.entry((period, vi)).or_insert_with(|| vec![0.0; n]);
        for (a, v) in row.iter_mut().enumerate() {
            *v += value(&result, g, a);
        }
    }
    // Every variable the file speaks of gets a value in every period it has (0: no record).
    let targets: BTreeSet<usize> = match &variables {
        Variables::Fixed(v) => [*v].into(),
        Variables::Column { names, .. } if !dc.variable_names.is_empty() => {
            names.values().copied().collect()
        }
        Variables::Column { .. } => cells.keys().map(|&(_, v)| v).collect(),
    };
    if period_value.is_some() {
        periods.insert(period_value.unwrap_or_default());
    }
    for &p in &periods {
        for &vi in &targets {
            let row = cells.get(&(p, vi));
            let var = &cat.variables[vi];
            for (i, &a) in tree_area.iter().enumerate() {
                let v = row.map_or(0.0, |r| r[i]);
                if v < 0.0 && var.kind == VariableKind::Count {
                    return Err(ImportError::file(
                        file,
                        format!(
                            "weights whose sum per area is ≥ 0 for the count variable `{}`",
                            var.id
                        ),
                        format!("{v} in area `{}`, {p}", tree.areas[a].key),
                    )
                    .in_column(dc.weight.clone().unwrap_or_default())
                    .into());
                }
                let k = (a, p, vi);
                if obs.contains_key(&k) {
                    return Err(ImportError::file(
                        file,
                        "one value per area, period and variable across all data files",
                        format!(
                            "area `{}`, {p}, variable `{}` is already given by an earlier data file",
                            tree.areas[a].key, var.id
                        ),
                    )
                    .into());
                }
                obs.insert(k, Obs::Value(v));
            }
        }
    }
    if result.outside > 0 {
        let sample: Vec<String> = result
            .outside_sample
            .iter()
            .map(|o| format!("line {}: {x} = {}, {y} = {}", o.line, o.x, o.y))
            .collect();
        warnings.push(format!(
            "{file}: {} of {} records lie outside every area of level `{}` and are not counted \
             (e.g. {}{})",
            result.outside,
            result.records,
            dc.level,
            sample.join("; "),
            if result.outside as usize > sample.len() {
                "; …"
            } else {
                ""
            }
        ));
    }
    if unmapped > 0 {
        warnings.push(format!(
            "{file}: {unmapped} records with a variable not in variable_names are not counted \
             (ignore_unmapped = true)"
        ));
    }
    Ok(())
}

/// The polygons of tree level `level`, read from its boundary file `boundaries` (of `lc`) into
/// `crs` and indexed for point-in-polygon, with the tree area of each of the index's areas.
pub(crate) fn level_index(
    r: &mut Reader<'_>,
    lc: &crate::config::LevelConfig,
    boundaries: &str,
    crs: &str,
    tree: &AreaTree,
    level: usize,
) -> Result<(PolygonIndex, Vec<usize>), ImportError> {
    let layer = read_boundaries(r, lc, boundaries, Some(crs))?;
    let key_prop = lc.key.as_deref().unwrap_or_default();
    let by_key: HashMap<&str, usize> = tree
        .areas_of_level(level)
        .into_iter()
        .map(|a| (tree.areas[a].key.as_str(), a))
        .collect();
    let mut areas = Vec::with_capacity(layer.features.len());
    let mut tree_area = Vec::with_capacity(layer.features.len());
    for f in layer.features {
        let key = f
            .properties
            .get(key_prop)
            .and_then(prop_text)
            .map(|k| pad(k, lc.key_width))
            .and_then(|k| by_key.get(k.as_str()).map(|&a| (k, a)));
        // The level was read from this file a moment ago, so every key is there.
        let Some((key, a)) = key else { continue };
        tree_area.push(a);
        areas.push((key, f.geometry));
    }
    let index = PolygonIndex::new(areas).map_err(|e| {
        ImportError::file(boundaries, "polygons that can be indexed", e.to_string())
    })?;
    Ok((index, tree_area))
}

/// Count, or sum of the weight, of group `g` in area `a`.
fn value(result: &AggregateResult, g: usize, a: usize) -> f64 {
    result
        .sum(g, a)
        .unwrap_or_else(|| result.count(g, a) as f64)
}

fn aggregate_error(file: &str, e: AggregateError) -> ImportErrors {
    let err = match e {
        AggregateError::Io(e) => ImportError::file(file, "a readable file", e.to_string()),
        AggregateError::Empty => ImportError::file(file, "a header line", "an empty file"),
        AggregateError::MissingColumn { name, available } => ImportError::file(
            file,
            format!("a column `{name}` (named in atlas.toml)"),
            format!("the columns {available}"),
        )
        .at_line(1),
        AggregateError::InvalidValue {
            line,
            column,
            value,
            reason,
            ..
        } => {
            let expected = match reason {
                "not a number" => "a number (decimal comma with `;` or tab as delimiter)",
                "the record has no such field" => "a value in this column",
                r => r.strip_prefix("expected ").unwrap_or(r),
            };
            let found = if value.is_empty() && reason == "the record has no such field" {
                "a record with fewer fields".to_string()
            } else {
                format!("`{value}`")
            };
            ImportError::file(file, expected, found)
                .at_line(line)
                .in_column(column)
        }
        AggregateError::UnclosedQuote { line } => {
            ImportError::file(file, "a closing quote", "the end of the file").at_line(line)
        }
    };
    err.into()
}
