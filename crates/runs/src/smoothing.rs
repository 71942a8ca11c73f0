//! Empirical-Bayes rates of the published atlas (METHODS.md §2): the map option "geglättet" of
//! a rate indicator.
//!
//! Confidentiality first: only published cells enter ([`IndicatorValue::published_numerator`]
//! and friends). A withheld area's counts are in no prior — else a published smoothed value
//! of its neighbour could be solved for them — and it gets no smoothed value; the spatial
//! neighbourhoods are the contiguity among the published areas only, so a withheld area does
//! not even join two of its neighbours.

use serde::{Deserialize, Serialize};
use sozialatlas_analysis::smoothing::{empirical_bayes, spatial_empirical_bayes};
use sozialatlas_analysis::weights::{Contiguity, contiguity};
use sozialatlas_core::{Formula, Indicator, IndicatorValue};
use sozialatlas_model::Snapshot;

use crate::RunError;

/// Which empirical-Bayes estimate a rate map shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Smoothing {
    /// Towards the pooled rate of all published areas of the level (`eb`).
    Global,
    /// Towards the pooled rate of each area's neighbourhood: itself and its contiguity
    /// neighbours (`seb`).
    Spatial,
}

impl Smoothing {
    /// Both, in the order of a selector.
    pub const ALL: [Smoothing; 2] = [Smoothing::Global, Smoothing::Spatial];

    /// The value in a URL (`smooth=eb|seb`).
    pub fn param(self) -> &'static str {
        match self {
            Smoothing::Global => "eb",
            Smoothing::Spatial => "seb",
        }
    }

    /// Parses a URL value.
    pub fn parse(s: &str) -> Option<Smoothing> {
        Smoothing::ALL.into_iter().find(|m| m.param() == s)
    }
}

/// The scale factor of an indicator whose values can be smoothed: a rate or share of counts
/// (`ratio`); `None` for every other formula.
pub fn smoothable(def: &Indicator) -> Option<f64> {
    match def.formula {
        Formula::Ratio { factor, .. } => Some(factor),
        _ => None,
    }
}

/// The counts of a published cell, if it can enter a smoothing: published, with a numerator
/// ≥ 0 and a denominator > 0.
fn published_counts(v: &IndicatorValue) -> Option<(f64, f64)> {
    v.published()?;
    let (e, b) = (v.published_numerator()?, v.published_denominator()?);
    (e.is_finite() && e >= 0.0 && b.is_finite() && b > 0.0).then_some((e, b))
}

/// The smoothed values of `areas` in `period`, in the indicator's unit (× its factor), in the
/// order of `areas`: `None` for an area without a published rate. The prior is estimated from
/// the published areas among `areas` only (the areas of one level).
pub fn smooth_rates(
    snap: &Snapshot,
    ind: usize,
    areas: &[usize],
    period: i32,
    method: Smoothing,
) -> Result<Vec<Option<f64>>, RunError> {
    let def = snap.catalogue.indicators.get(ind).ok_or_else(|| {
        RunError::Parameter(format!("no indicator with index {ind} in the catalogue"))
    })?;
    let factor = smoothable(def).ok_or_else(|| {
        RunError::Parameter(format!(
            "`{}` is not a rate of counts: only `ratio` indicators can be smoothed",
            def.id
        ))
    })?;
    let used: Vec<(usize, (f64, f64))> = areas
        .iter()
        .enumerate()
        .filter_map(|(i, &a)| {
            let v = snap.value(ind, a, period)?;
            published_counts(v).map(|c| (i, c))
        })
        .collect();
    let mut out = vec![None; areas.len()];
    if used.is_empty() {
        return Ok(out);
    }
    let e: Vec<f64> = used.iter().map(|(_, c)| c.0).collect();
    let b: Vec<f64> = used.iter().map(|(_, c)| c.1).collect();
    let rates = match method {
        Smoothing::Global => empirical_bayes(&e, &b)?.rates,
        Smoothing::Spatial => {
            let polys: Option<Vec<geo_types::MultiPolygon<f64>>> = used
                .iter()
                .map(|&(i, _)| snap.geometries.get(areas[i]).cloned().flatten())
                .collect();
            let polys = polys.ok_or_else(|| {
                RunError::Parameter(
                    "spatial smoothing needs the boundaries of every area with a value".into(),
                )
            })?;
            // The tolerance of Moran's I: about 1 m in degrees.
            let w = contiguity(&polys, Contiguity::Queen, 1e-5)?;
            spatial_empirical_bayes(&e, &b, &w)?
        }
    };
    for ((i, _), r) in used.iter().zip(rates) {
        out[*i] = Some(r * factor);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sozialatlas_core::ValueState;

    fn snapshot() -> Snapshot {
        sozialatlas_test_support::example_snapshot_blocking("flensburg")
    }

    /// The districts of Flensburg and the SGB II rate of 2022.
    fn setting(snap: &Snapshot) -> (usize, Vec<usize>, i32) {
        let ind = snap
            .catalogue
            .indicators
            .iter()
            .position(|i| i.id == "sgb2_quote")
            .expect("sgb2_quote");
        let level = snap.tree.level_index("stadtteil").expect("stadtteil");
        (ind, snap.tree.areas_of_level(level), 2022)
    }

    fn cell(snap: &mut Snapshot, ind: usize, area: usize, year: i32) -> &mut IndicatorValue {
        snap.values
            .iter_mut()
            .find(|v| v.indicator == ind && v.area == area && v.period == year)
            .expect("a value")
    }

    #[test]
    fn a_withheld_cell_changes_no_published_smoothed_value() {
        let mut snap = snapshot();
        let (ind, areas, year) = setting(&snap);
        // Nordstadt (a district in the middle, with many neighbours) withheld, as the
        // suppression would withhold it.
        let nordstadt = *areas
            .iter()
            .find(|&&a| snap.tree.areas[a].name == "Nordstadt")
            .expect("Nordstadt");
        let pos = areas.iter().position(|&a| a == nordstadt).expect("pos");
        let published = smooth_rates(&snap, ind, &areas, year, Smoothing::Spatial).unwrap();
        cell(&mut snap, ind, nordstadt, year).state = ValueState::Suppressed;
        for method in Smoothing::ALL {
            let before = smooth_rates(&snap, ind, &areas, year, method).unwrap();
            assert_eq!(
                before[pos], None,
                "{method:?}: a withheld area has no smoothed value"
            );
            assert_eq!(
                before.iter().filter(|x| x.is_some()).count(),
                areas.len() - 1
            );
            // Whatever its counts were, every published smoothed value stays the same.
            for (num, den) in [(0.0, 1.0), (5000.0, 6000.0), (1.0, 1e6)] {
                let c = cell(&mut snap, ind, nordstadt, year);
                (c.numerator, c.denominator, c.value) = (Some(num), Some(den), Some(num / den));
                let after = smooth_rates(&snap, ind, &areas, year, method).unwrap();
                assert_eq!(
                    after, before,
                    "{method:?} with the withheld counts {num}/{den}"
                );
            }
        }
        // The same cell published does move its neighbours' values: the test can fail.
        let c = cell(&mut snap, ind, nordstadt, year);
        c.state = ValueState::Ok;
        let moved = smooth_rates(&snap, ind, &areas, year, Smoothing::Spatial).unwrap();
        assert_ne!(moved, published);
    }

    #[test]
    fn smoothed_rates_are_in_the_indicators_unit_and_between_rate_and_city() {
        let snap = snapshot();
        let (ind, areas, year) = setting(&snap);
        let eb = smooth_rates(&snap, ind, &areas, year, Smoothing::Global).unwrap();
        let (mut e, mut b) = (0.0, 0.0);
        for &a in &areas {
            let v = snap.value(ind, a, year).unwrap();
            e += v.numerator.unwrap();
            b += v.denominator.unwrap();
        }
        let pooled = e / b * 100.0;
        for (i, &a) in areas.iter().enumerate() {
            let raw = snap.value(ind, a, year).unwrap().published().unwrap();
            let s = eb[i].unwrap();
            assert!(raw.min(pooled) - 1e-9 <= s && s <= raw.max(pooled) + 1e-9);
        }
    }

    #[test]
    fn only_rates_of_counts_are_smoothed() {
        let snap = snapshot();
        let (_, areas, year) = setting(&snap);
        let quotient = snap
            .catalogue
            .indicators
            .iter()
            .position(|i| !matches!(i.formula, Formula::Ratio { .. }))
            .expect("a non-ratio indicator");
        let e = smooth_rates(&snap, quotient, &areas, year, Smoothing::Global).unwrap_err();
        assert!(e.to_string().contains("not a rate of counts"), "{e}");
        assert_eq!(Smoothing::parse("seb"), Some(Smoothing::Spatial));
        assert_eq!(Smoothing::parse("ebx"), None);
    }
}
