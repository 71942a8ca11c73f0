//! Regions (Regionalisierung) on the published atlas: SKATER or max-p on the z-values of chosen
//! indicators of one level, queen contiguity from the areas' boundaries, a floor of population
//! or of areas per region (METHODS §4).

use serde::{Deserialize, Serialize};
use sozialatlas_analysis::AnalysisError;
use sozialatlas_analysis::matrix::Matrix;
use sozialatlas_analysis::regions::{
    Ceiling, Floor, MaxPSettings, Method, Regionalisation, cut_off, max_p_bounded, skater_bounded,
};
use sozialatlas_analysis::weights::{Contiguity, contiguity};
use sozialatlas_analysis::zscore::{SdKind, zscore};
use sozialatlas_model::Snapshot;

use crate::{RunArea, RunError, column, indicator_of, level_of, run_areas, year_check, zpolarity};

/// The floor every region reaches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FloorParam {
    /// At least `min` inhabitants: the sum of the published values of `indicator` (a count).
    Population {
        /// The population count indicator.
        indicator: String,
        /// Minimum per region.
        min: f64,
    },
    /// At least `min` areas.
    Areas {
        /// Minimum per region.
        min: usize,
    },
}

/// Parameters of a regions run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionsParams {
    /// Level id of the areas that are grouped.
    pub level: String,
    /// Year of the values.
    pub year: i32,
    /// Indicators (ids), z-standardised and polarity-aligned.
    pub indicators: Vec<String>,
    /// SKATER or max-p.
    pub method: Method,
    /// Number of regions (SKATER only).
    pub regions: Option<usize>,
    /// The floor.
    pub floor: FloorParam,
    /// Seed of max-p's random numbers (recorded for SKATER too, which does not use it).
    pub seed: u64,
    /// At most this many inhabitants per region (the population count of the floor, or the
    /// atlas' population count): SKATER cuts a region over it further, max-p builds none over
    /// it. `None`: no maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_population: Option<f64>,
}

/// A regions run with its result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionsRun {
    /// The parameters.
    pub params: RegionsParams,
    /// The grouped areas, in the order of the result's labels.
    pub areas: Vec<RunArea>,
    /// Areas left out: a value missing or suppressed, or no boundary.
    pub left_out: Vec<RunArea>,
    /// Each region's population (the atlas' population count), where the atlas has one and
    /// it is published for every member; in the order of the result's regions.
    pub population: Option<Vec<f64>>,
    /// The result (regions with members as indices into `areas`, profile as mean aligned z).
    pub result: Regionalisation,
}

/// Builds contiguous regions from the areas of a level.
pub fn run_regions(snap: &Snapshot, params: &RegionsParams) -> Result<RegionsRun, RunError> {
    let level = level_of(snap, &params.level)?;
    year_check(snap, params.year)?;
    if params.indicators.is_empty() {
        return Err(RunError::Parameter(
            "regions need at least one indicator".into(),
        ));
    }
    let all = snap.tree.areas_of_level(level);
    let mut cols = Vec::new();
    let mut polarities = Vec::new();
    for id in &params.indicators {
        let i = indicator_of(snap, id)?;
        polarities.push(zpolarity(snap.catalogue.indicators[i].polarity));
        cols.push(column(snap, i, &all, params.year));
    }
    let floor_col = match &params.floor {
        FloorParam::Population { indicator, .. } => {
            let i = indicator_of(snap, indicator)?;
            column(snap, i, &all, params.year)
        }
        FloorParam::Areas { .. } => vec![1.0; all.len()],
    };
    let population_col = crate::default_population_indicator(snap)
        .and_then(|id| indicator_of(snap, &id).ok())
        .map(|i| column(snap, i, &all, params.year));
    // The maximum counts the floor's population, or the atlas' population count.
    let max_col = match (params.max_population, &params.floor) {
        (None, _) => None,
        (Some(_), FloorParam::Population { .. }) => Some(floor_col.clone()),
        (Some(_), FloorParam::Areas { .. }) => Some(population_col.clone().ok_or_else(|| {
            RunError::Parameter(
                "a maximum population needs the population count, and the atlas names none".into(),
            )
        })?),
    };
    let complete: Vec<usize> = (0..all.len())
        .filter(|&r| {
            snap.geometries[all[r]].is_some()
                && floor_col[r].is_finite()
                && max_col.as_ref().is_none_or(|c| c[r].is_finite())
                && cols.iter().all(|c| c[r].is_finite())
        })
        .collect();
    let left_out: Vec<usize> = (0..all.len())
        .filter(|r| !complete.contains(r))
        .map(|r| all[r])
        .collect();
    if complete.len() < 2 {
        return Err(RunError::Parameter(format!(
            "only {} areas of level `{}` have a boundary and all values in {}: too few for regions",
            complete.len(),
            params.level,
            params.year
        )));
    }
    let areas: Vec<usize> = complete.iter().map(|&r| all[r]).collect();
    let mut z_cols = Vec::new();
    for (c, pol) in cols.iter().zip(&polarities) {
        let kept: Vec<f64> = complete.iter().map(|&r| c[r]).collect();
        z_cols.push(zscore(&kept, *pol, SdKind::Population)?.z);
    }
    let refs: Vec<&[f64]> = z_cols.iter().map(Vec::as_slice).collect();
    let z = Matrix::from_columns(&refs)?;
    let polys: Vec<geo_types::MultiPolygon<f64>> = areas
        .iter()
        .filter_map(|&a| snap.geometries[a].clone())
        .collect();
    // Tolerance in degrees: about 1 m, as for Moran's I.
    let w = contiguity(&polys, Contiguity::Queen, 1e-5)?;
    let cut = cut_off(&w);
    if !cut.is_empty() {
        let names: Vec<String> = cut
            .iter()
            .map(|&i| {
                let a = &snap.tree.areas[areas[i]];
                format!("{} {}", a.key, a.name)
            })
            .collect();
        return Err(RunError::Parameter(format!(
            "level `{}`: expected areas all connected through shared boundaries (a region must \
             be contiguous), found {} without a path to the others: {}",
            params.level,
            names.len(),
            names.join(", ")
        )));
    }
    let floor = Floor {
        values: complete.iter().map(|&r| floor_col[r]).collect(),
        min: match &params.floor {
            FloorParam::Population { min, .. } => *min,
            FloorParam::Areas { min } => *min as f64,
        },
    };
    let ceiling = params.max_population.zip(max_col).map(|(max, c)| Ceiling {
        values: complete.iter().map(|&r| c[r]).collect(),
        max,
    });
    let result = match params.method {
        Method::Skater => {
            let k = params
                .regions
                .ok_or_else(|| RunError::Parameter("SKATER needs the number of regions".into()))?;
            skater_bounded(&z, &w, k, &floor, ceiling.as_ref())
        }
        Method::MaxP => max_p_bounded(
            &z,
            &w,
            &floor,
            ceiling.as_ref(),
            &MaxPSettings::with_seed(params.seed),
        ),
    };
    // A region over the maximum is named by its areas.
    let result = result.map_err(|e| match e {
        AnalysisError::OverMaximum {
            members,
            total,
            max,
            ..
        } => AnalysisError::OverMaximum {
            names: members
                .iter()
                .map(|&i| snap.tree.areas[areas[i]].name.clone())
                .collect(),
            members,
            total,
            max,
        },
        e => e,
    })?;
    let population = population_col.and_then(|p| {
        result
            .regions
            .iter()
            .map(|g| {
                g.members
                    .iter()
                    .map(|&i| Some(p[complete[i]]).filter(|v| v.is_finite()))
                    .sum::<Option<f64>>()
            })
            .collect::<Option<Vec<f64>>>()
    });
    Ok(RegionsRun {
        params: params.clone(),
        areas: run_areas(snap, &areas),
        left_out: run_areas(snap, &left_out),
        population,
        result,
    })
}

/// The files that save a regions run as an `[[overlay]]` of the atlas folder: the regions'
/// boundaries (dissolved from their members'), the membership (every member whole) and the
/// `atlas.toml` tables that name them. The command line writes them.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlayFiles {
    /// `geo/<id>.geojson`: one feature per region, properties `region` (key) and `name`.
    pub geojson_path: String,
    /// Its text.
    pub geojson: String,
    /// `<id>_members.csv`: `region,member`, one row per member area.
    pub membership_path: String,
    /// Its text.
    pub membership: String,
    /// The `[[overlay]]` and `[overlay.membership]` tables to append to `atlas.toml`.
    pub toml: String,
}

/// Region keys `01` … (as wide as the largest number) and names "Region 1" ….
fn region_key(i: usize, count: usize) -> String {
    let width = count.to_string().len().max(2);
    format!("{:0width$}", i + 1)
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn toml_string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Checks an overlay id for [`overlay_files`]: lower-case letters, digits, `_` and `-`, and
/// new to the atlas.
pub fn check_overlay_id(snap: &Snapshot, id: &str) -> Result<(), RunError> {
    let valid_id = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !valid_id {
        return Err(RunError::Parameter(format!(
            "overlay id: expected lower-case letters, digits, `_` or `-`, found `{id}`"
        )));
    }
    if snap.tree.level_index(id).is_some() {
        return Err(RunError::Parameter(format!(
            "overlay id: expected an id unlike every level and overlay of the atlas ({}), found `{id}`",
            snap.tree.level_ids()
        )));
    }
    Ok(())
}

/// The regions' boundaries, dissolved from their members' (in the order of the run's
/// regions); an error names a member the atlas no longer has, or has no boundary of.
pub fn region_shapes(
    snap: &Snapshot,
    run: &RegionsRun,
) -> Result<Vec<geo_types::MultiPolygon<f64>>, RunError> {
    let level = level_of(snap, &run.params.level)?;
    run.result
        .regions
        .iter()
        .map(|region| {
            let mut parts = Vec::new();
            for &m in &region.members {
                let member = &run.areas[m];
                let a = snap.tree.find(level, &member.key).ok_or_else(|| {
                    RunError::Parameter(format!(
                        "area `{}` of the run is not in the atlas any more: run it again",
                        member.key
                    ))
                })?;
                let g = snap.geometries[a].as_ref().ok_or_else(|| {
                    RunError::Parameter(format!("area `{}` has no boundary", member.key))
                })?;
                parts.push(g);
            }
            Ok(sozialatlas_geo::dissolve(&parts))
        })
        .collect()
}

/// The overlay files of a run; `id` is the overlay's id (it must be new to the atlas).
pub fn overlay_files(
    snap: &Snapshot,
    run: &RegionsRun,
    id: &str,
    run_id: Option<i64>,
) -> Result<OverlayFiles, RunError> {
    check_overlay_id(snap, id)?;
    let shapes = region_shapes(snap, run)?;
    let count = run.result.regions.len();
    let mut features = Vec::new();
    let mut membership = String::from("region,member\n");
    for (r, (region, shape)) in run.result.regions.iter().zip(&shapes).enumerate() {
        let key = region_key(r, count);
        for &m in &region.members {
            membership += &format!("{},{}\n", key, csv_cell(&run.areas[m].key));
        }
        features.push(serde_json::json!({
            "type": "Feature",
            "properties": { "region": key, "name": format!("Region {}", r + 1) },
            "geometry": multipolygon_json(shape),
        }));
    }
    let geojson = serde_json::to_string(&serde_json::json!({
        "type": "FeatureCollection",
        "features": features,
    }))
    .map_err(|e| RunError::Parameter(e.to_string()))?;
    let method = match run.params.method {
        Method::Skater => "SKATER",
        Method::MaxP => "max-p",
    };
    let run_note = run_id.map_or(String::new(), |i| format!(", run {i}"));
    let geojson_path = format!("geo/{id}.geojson");
    let membership_path = format!("{id}_members.csv");
    let toml = format!(
        "\n# Regions built by `sozialatlas regions` ({method}{run_note}) from the level `{level}`.\n\
         [[overlay]]\n\
         id = {id_s}\n\
         name = {{ de = {de}, en = {en} }}\n\
         boundaries = {geo}\n\
         key = \"region\"\n\
         name_property = \"name\"\n\
         members = {level_s}\n\
         \n\
         [overlay.membership]\n\
         file = {members}\n\
         overlay = \"region\"\n\
         member = \"member\"\n",
        level = run.params.level,
        id_s = toml_string(id),
        de = toml_string(&format!("Region ({method})")),
        en = toml_string(&format!("Region ({method})")),
        geo = toml_string(&geojson_path),
        level_s = toml_string(&run.params.level),
        members = toml_string(&membership_path),
    );
    Ok(OverlayFiles {
        geojson_path,
        geojson,
        membership_path,
        membership,
        toml,
    })
}

fn multipolygon_json(mp: &geo_types::MultiPolygon<f64>) -> serde_json::Value {
    let ring = |r: &geo_types::LineString<f64>| -> serde_json::Value {
        r.0.iter()
            .map(|c| serde_json::json!([c.x, c.y]))
            .collect::<Vec<_>>()
            .into()
    };
    let polys: Vec<serde_json::Value> =
        mp.0.iter()
            .map(|p| {
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(ring)
                    .collect::<Vec<_>>()
                    .into()
            })
            .collect();
    serde_json::json!({ "type": "MultiPolygon", "coordinates": polys })
}
