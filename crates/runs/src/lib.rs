//! Analysis runs on the published atlas (METHODS §4): the composite index (Berlin MSS method),
//! the typology by Ward clustering with proposed action areas, Moran's I / LISA, and contiguous
//! regions (SKATER, max-p) with the files that save them as an overlay — each built
//! from a [`Snapshot`], each carrying its parameters, the load it used and its result, so that a
//! run can be stored, shown and repeated.
//!
//! Architecture invariant: the glue between the published atlas and the pure `analysis` crate.
//! It reads only published values (a suppressed value is missing here too), does no SQL itself
//! and no rendering.

use serde::{Deserialize, Serialize};
use sozialatlas_analysis::moran::{
    Correction, GlobalMoran, LocalMoran, Quadrant, local_moran_threads, moran,
};
use sozialatlas_analysis::mss::{
    DynamicsThresholds, IndexIndicator, MssInput, MssResult, MssSettings, StatusThresholds,
};
use sozialatlas_analysis::typology::{Typology, TypologyIndicator, TypologySettings, typology};
use sozialatlas_analysis::weights::{Contiguity, contiguity};
use sozialatlas_analysis::zscore::Polarity as ZPolarity;
use sozialatlas_analysis::{matrix::Matrix, pca::PcaSetting};
use sozialatlas_core::{Polarity, stats::change};
use sozialatlas_model::Snapshot;

mod action_areas;
mod regions;
pub mod smoothing;
pub use action_areas::{action_areas_from_overlay, check_action_areas, edit_proposal, proposal};
pub use regions::{
    FloorParam, OverlayFiles, RegionsParams, RegionsRun, check_overlay_id, overlay_files,
    region_shapes, run_regions,
};

/// A run that cannot be made, in words a planner understands.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A parameter names something the atlas does not have.
    #[error("{0}")]
    Parameter(String),
    /// The statistics refused (too few areas, constant data …).
    #[error("{0}")]
    Analysis(#[from] sozialatlas_analysis::AnalysisError),
}

/// One area of a run, by key and name (indices change between loads; keys do not).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunArea {
    /// Area key.
    pub key: String,
    /// Area name.
    pub name: String,
}

fn level_of(snap: &Snapshot, level: &str) -> Result<usize, RunError> {
    snap.tree.level_index(level).ok_or_else(|| {
        RunError::Parameter(format!(
            "unknown level `{level}` (the atlas has {})",
            snap.tree.level_ids()
        ))
    })
}

fn indicator_of(snap: &Snapshot, id: &str) -> Result<usize, RunError> {
    snap.catalogue
        .indicators
        .iter()
        .position(|i| i.id == id)
        .ok_or_else(|| {
            RunError::Parameter(format!(
                "unknown indicator `{id}` (the catalogue has {})",
                snap.catalogue
                    .indicators
                    .iter()
                    .map(|i| i.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

fn year_check(snap: &Snapshot, year: i32) -> Result<(), RunError> {
    if snap.periods.contains(&year) {
        Ok(())
    } else {
        Err(RunError::Parameter(format!(
            "no data for {year} (the atlas has {})",
            snap.periods
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// Published values of one indicator for the areas, NaN where not published.
fn column(snap: &Snapshot, ind: usize, areas: &[usize], year: i32) -> Vec<f64> {
    areas
        .iter()
        .map(|&a| {
            snap.value(ind, a, year)
                .and_then(|v| v.published())
                .unwrap_or(f64::NAN)
        })
        .collect()
}

/// `col` of indicator `id` at `year`, or an error saying that it has no published value there
/// (rather than every area left out for it, later and without the reason).
fn with_values(col: Vec<f64>, id: &str, level: &str, year: i32) -> Result<Vec<f64>, RunError> {
    if col.iter().all(|v| v.is_nan()) {
        Err(RunError::Parameter(format!(
            "{id}: no published value on level {level} in {year}"
        )))
    } else {
        Ok(col)
    }
}

fn zpolarity(p: Polarity) -> ZPolarity {
    match p {
        Polarity::HigherIsBetter => ZPolarity::HigherIsBetter,
        // Neutral indicators enter as they are (higher = "worse" by convention, stated).
        _ => ZPolarity::HigherIsWorse,
    }
}

fn run_areas(snap: &Snapshot, areas: &[usize]) -> Vec<RunArea> {
    areas
        .iter()
        .map(|&a| RunArea {
            key: snap.tree.areas[a].key.clone(),
            name: snap.tree.areas[a].name.clone(),
        })
        .collect()
}

/// Parameters of an index run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexParams {
    /// Level id.
    pub level: String,
    /// Year of the status.
    pub year: i32,
    /// Status indicators (ids).
    pub status: Vec<String>,
    /// Dynamics indicators (ids): their change from `from` to `year`.
    pub dynamics: Vec<String>,
    /// Start year of the dynamics (Berlin: two years before).
    pub from: i32,
    /// Areas with fewer inhabitants are left out (Berlin: 300).
    pub min_population: f64,
    /// The indicator counting the inhabitants.
    pub population: String,
    /// Weights of the status indicators, in their order; empty = all 1 (Berlin).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub status_weights: Vec<f64>,
    /// Weights of the dynamics indicators; empty = all 1.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dynamics_weights: Vec<f64>,
    /// Class limits of the status index; `None` = Berlin's −1, 1, 1.5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_thresholds: Option<StatusThresholds>,
    /// Class limits of the dynamics index; `None` = Berlin's −1, 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dynamics_thresholds: Option<DynamicsThresholds>,
}

impl IndexParams {
    /// Berlin's settings (weights 1, limits ±1 and 1.5) for the given indicators.
    pub fn new(
        level: impl Into<String>,
        year: i32,
        status: Vec<String>,
        dynamics: Vec<String>,
        from: i32,
        population: impl Into<String>,
    ) -> Self {
        IndexParams {
            level: level.into(),
            year,
            status,
            dynamics,
            from,
            min_population: 300.0,
            population: population.into(),
            status_weights: Vec::new(),
            dynamics_weights: Vec::new(),
            status_thresholds: None,
            dynamics_thresholds: None,
        }
    }
}

/// Checks weights against their indicators: empty, or one finite positive weight each.
fn weights(w: &[f64], n: usize, what: &str) -> Result<Vec<f64>, RunError> {
    if w.is_empty() {
        return Ok(vec![1.0; n]);
    }
    if w.len() != n {
        return Err(RunError::Parameter(format!(
            "{what} weights: {} given for {n} indicators",
            w.len()
        )));
    }
    if let Some(x) = w.iter().find(|x| !(x.is_finite() && **x > 0.0)) {
        return Err(RunError::Parameter(format!(
            "{what} weights must be positive numbers, found {x}"
        )));
    }
    Ok(w.to_vec())
}

/// An index run with its result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexRun {
    /// The parameters.
    pub params: IndexParams,
    /// The areas, in the order of `result.areas`.
    pub areas: Vec<RunArea>,
    /// The result of the pure computation (settings included).
    pub result: MssResult,
}

/// The indicators with a direction (better or worse) that the catalogue leaves in the default
/// choice (not `typology = false`), in catalogue order.
fn directed(snap: &Snapshot) -> Vec<usize> {
    (0..snap.catalogue.indicators.len())
        .filter(|&i| {
            let ind = &snap.catalogue.indicators[i];
            ind.polarity != Polarity::Neutral && ind.in_typology
        })
        .collect()
}

/// Whether indicator `ind` has a published value for each of `areas` in `year`.
pub fn published_for_all(snap: &Snapshot, ind: usize, areas: &[usize], year: i32) -> bool {
    areas.iter().all(|&a| {
        snap.value(ind, a, year)
            .and_then(|v| v.published())
            .is_some()
    })
}

/// Of the [`default_indicators`] candidates, those with a published value for every area of
/// `level` in `year`.
pub fn complete_indicators(snap: &Snapshot, level: usize, year: i32) -> Vec<usize> {
    let areas = snap.tree.areas_of_level(level);
    directed(snap)
        .into_iter()
        .filter(|&i| published_for_all(snap, i, &areas, year))
        .collect()
}

/// The indicators a typology or an index takes when none are chosen: those with a direction
/// and not left out by the catalogue (`typology = false`, e.g. an index computed from an
/// indicator already in), in catalogue order — only the complete ones (a published value for
/// every area of `level` in `year`) when at least two are complete, else all of them (areas
/// with a gap are then left out of the run).
pub fn default_indicators(snap: &Snapshot, level: usize, year: i32) -> Vec<usize> {
    let full = complete_indicators(snap, level, year);
    if full.len() >= 2 {
        full
    } else {
        directed(snap)
    }
}

/// The population indicator the atlas settings point to (a count of the population variable).
pub fn default_population_indicator(snap: &Snapshot) -> Option<String> {
    let var = snap.settings.population_variable.as_deref()?;
    snap.catalogue
        .indicators
        .iter()
        .find(|i| matches!(&i.formula, sozialatlas_core::Formula::Count { variable } if variable == var))
        .map(|i| i.id.clone())
}

/// Computes the status/dynamics index.
pub fn run_index(snap: &Snapshot, params: &IndexParams) -> Result<IndexRun, RunError> {
    let level = level_of(snap, &params.level)?;
    year_check(snap, params.year)?;
    // The start year matters only for the dynamics: a status-only index runs on a single year.
    if !params.dynamics.is_empty() {
        year_check(snap, params.from)?;
    }
    if params.status.is_empty() {
        return Err(RunError::Parameter(
            "the index needs at least one status indicator".into(),
        ));
    }
    let areas = snap.tree.areas_of_level(level);
    let pop = column(
        snap,
        indicator_of(snap, &params.population)?,
        &areas,
        params.year,
    );
    let mut settings = MssSettings::berlin_2021();
    settings.min_population = params.min_population;
    if let Some(t) = params.status_thresholds {
        let finite = [t.high, t.middle, t.low].iter().all(|x| x.is_finite());
        if !finite || t.high >= t.middle || t.middle >= t.low {
            return Err(RunError::Parameter(format!(
                "status class limits must ascend: {} < {} < {}",
                t.high, t.middle, t.low
            )));
        }
        settings.status_thresholds = t;
    }
    if let Some(t) = params.dynamics_thresholds {
        let finite = t.positive.is_finite() && t.negative.is_finite();
        if !finite || t.positive >= t.negative {
            return Err(RunError::Parameter(format!(
                "dynamics class limits must ascend: {} < {}",
                t.positive, t.negative
            )));
        }
        settings.dynamics_thresholds = t;
    }
    let sw = weights(&params.status_weights, params.status.len(), "status")?;
    let dw = weights(&params.dynamics_weights, params.dynamics.len(), "dynamics")?;
    let mut status_cols = Vec::new();
    settings.status.clear();
    for (id, &weight) in params.status.iter().zip(&sw) {
        let i = indicator_of(snap, id)?;
        settings.status.push(IndexIndicator {
            name: id.clone(),
            weight,
            polarity: zpolarity(snap.catalogue.indicators[i].polarity),
        });
        status_cols.push(with_values(
            column(snap, i, &areas, params.year),
            id,
            &params.level,
            params.year,
        )?);
    }
    let mut dyn_cols = Vec::new();
    settings.dynamics.clear();
    for (id, &weight) in params.dynamics.iter().zip(&dw) {
        let i = indicator_of(snap, id)?;
        let ind = &snap.catalogue.indicators[i];
        settings.dynamics.push(IndexIndicator {
            name: id.clone(),
            weight,
            polarity: zpolarity(ind.polarity),
        });
        let x0 = with_values(
            column(snap, i, &areas, params.from),
            id,
            &params.level,
            params.from,
        )?;
        let x1 = with_values(
            column(snap, i, &areas, params.year),
            id,
            &params.level,
            params.year,
        )?;
        let kind = ind.formula.change_kind();
        dyn_cols.push(
            x0.iter()
                .zip(&x1)
                .map(|(&a, &b)| {
                    if a.is_nan() || b.is_nan() {
                        f64::NAN
                    } else {
                        change(kind, a, b).unwrap_or(f64::NAN)
                    }
                })
                .collect::<Vec<f64>>(),
        );
    }
    let s: Vec<&[f64]> = status_cols.iter().map(Vec::as_slice).collect();
    let d: Vec<&[f64]> = dyn_cols.iter().map(Vec::as_slice).collect();
    let result = sozialatlas_analysis::mss::mss_index(
        &settings,
        &MssInput {
            population: &pop,
            status: &s,
            dynamics: &d,
            excluded: None,
        },
    )?;
    Ok(IndexRun {
        params: params.clone(),
        areas: run_areas(snap, &areas),
        result,
    })
}

/// Parameters of a typology run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypologyParams {
    /// Level id.
    pub level: String,
    /// Year.
    pub year: i32,
    /// Indicators (ids), polarity-aligned from the catalogue.
    pub indicators: Vec<String>,
    /// Number of clusters.
    pub k: usize,
    /// Principal components first.
    pub pca: PcaSetting,
    /// Refine by k-means (max iterations).
    pub kmeans: Option<usize>,
    /// Recorded seed.
    pub seed: u64,
}

/// A typology run with its result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TypologyRun {
    /// The parameters.
    pub params: TypologyParams,
    /// The clustered areas (complete rows), in the order of the result's rows.
    pub areas: Vec<RunArea>,
    /// Areas left out because a value is missing or suppressed.
    pub left_out: Vec<RunArea>,
    /// The result.
    pub result: Typology,
}

/// Clusters the areas of a level on the chosen indicators.
pub fn run_typology(snap: &Snapshot, params: &TypologyParams) -> Result<TypologyRun, RunError> {
    let level = level_of(snap, &params.level)?;
    year_check(snap, params.year)?;
    if params.indicators.len() < 2 {
        return Err(RunError::Parameter(
            "the typology needs at least two indicators".into(),
        ));
    }
    let all = snap.tree.areas_of_level(level);
    let mut cols = Vec::new();
    let mut inds = Vec::new();
    for id in &params.indicators {
        let i = indicator_of(snap, id)?;
        let ind = &snap.catalogue.indicators[i];
        inds.push(
            TypologyIndicator::new(id.clone(), zpolarity(ind.polarity)).with_labels(
                ind.name.get(sozialatlas_core::Locale::De),
                ind.name.get(sozialatlas_core::Locale::En),
            ),
        );
        cols.push(column(snap, i, &all, params.year));
    }
    let (complete, left_out): (Vec<usize>, Vec<usize>) =
        (0..all.len()).partition(|&r| cols.iter().all(|c| c[r].is_finite()));
    let left_out: Vec<usize> = left_out.into_iter().map(|r| all[r]).collect();
    if complete.len() < params.k.max(2) {
        return Err(RunError::Parameter(format!(
            "only {} areas of level `{}` have all {} indicators in {}: too few for {} clusters",
            complete.len(),
            params.level,
            params.indicators.len(),
            params.year,
            params.k
        )));
    }
    let kept: Vec<Vec<f64>> = cols
        .iter()
        .map(|c| complete.iter().map(|&r| c[r]).collect())
        .collect();
    let refs: Vec<&[f64]> = kept.iter().map(Vec::as_slice).collect();
    let m = Matrix::from_columns(&refs)?;
    let mut settings = TypologySettings::new(inds);
    settings.k = params.k;
    settings.k_max = 10.min(complete.len() - 1).max(2);
    settings.pca = params.pca;
    settings.kmeans = params.kmeans;
    settings.seed = params.seed;
    let result = typology(&m, &settings)?;
    let areas: Vec<usize> = complete.iter().map(|&r| all[r]).collect();
    Ok(TypologyRun {
        params: params.clone(),
        areas: run_areas(snap, &areas),
        left_out: run_areas(snap, &left_out),
        result,
    })
}

/// Parameters of a spatial autocorrelation run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoranParams {
    /// Indicator id.
    pub indicator: String,
    /// Level id.
    pub level: String,
    /// Year.
    pub year: i32,
    /// Permutations (999).
    pub permutations: usize,
    /// Seed of the permutations.
    pub seed: u64,
    /// Significance level (0.05).
    pub alpha: f64,
    /// False-discovery-rate correction.
    pub fdr: bool,
}

/// Moran's I and LISA of one indicator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MoranRun {
    /// The parameters.
    pub params: MoranParams,
    /// The areas with a published value, in the order of the results.
    pub areas: Vec<RunArea>,
    /// Areas without neighbours among them.
    pub islands: Vec<RunArea>,
    /// Global Moran's I.
    pub global: GlobalMoran,
    /// Local Moran.
    pub local: LocalMoran,
    /// HH/LL/HL/LH where significant.
    pub clusters: Vec<Option<Quadrant>>,
}

/// Global and local Moran's I with queen contiguity and row-standardised weights, the local
/// test on all cores.
pub fn run_moran(snap: &Snapshot, params: &MoranParams) -> Result<MoranRun, RunError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    run_moran_with_threads(snap, params, cores)
}

/// [`run_moran`] with the local test on at most `threads` threads (the calling one included),
/// for a caller that keeps to a number of threads of its own; the result is the same for any.
pub fn run_moran_with_threads(
    snap: &Snapshot,
    params: &MoranParams,
    threads: usize,
) -> Result<MoranRun, RunError> {
    let level = level_of(snap, &params.level)?;
    year_check(snap, params.year)?;
    let ind = indicator_of(snap, &params.indicator)?;
    let all = snap.tree.areas_of_level(level);
    let areas: Vec<usize> = all
        .into_iter()
        .filter(|&a| {
            snap.geometries[a].is_some()
                && snap
                    .value(ind, a, params.year)
                    .and_then(|v| v.published())
                    .is_some()
        })
        .collect();
    if areas.len() < 4 {
        return Err(RunError::Parameter(format!(
            "only {} areas have a published value and a geometry: too few for Moran's I",
            areas.len()
        )));
    }
    let polys: Vec<geo_types::MultiPolygon<f64>> = areas
        .iter()
        .filter_map(|&a| snap.geometries[a].clone())
        .collect();
    let y = column(snap, ind, &areas, params.year);
    // Tolerance in degrees: about 1 m, so neighbours with tiny gaps still touch.
    let w = contiguity(&polys, Contiguity::Queen, 1e-5)?;
    let islands: Vec<usize> = w.islands();
    let w = w.row_standardise();
    let global = moran(&y, &w, params.permutations, params.seed)?;
    let local = local_moran_threads(&y, &w, params.permutations, params.seed, threads)?;
    let clusters = local.clusters(
        params.alpha,
        if params.fdr {
            Correction::Fdr
        } else {
            Correction::None
        },
    );
    Ok(MoranRun {
        params: params.clone(),
        islands: islands
            .iter()
            .map(|&i| RunArea {
                key: snap.tree.areas[areas[i]].key.clone(),
                name: snap.tree.areas[areas[i]].name.clone(),
            })
            .collect(),
        areas: run_areas(snap, &areas),
        global,
        local,
        clusters,
    })
}
