//! Rates for small areas: excess risk and empirical-Bayes smoothing (METHODS.md §2).
//!
//! A rate `r_i = e_i / b_i` of an area with few people at risk (`b_i`) swings with a handful of
//! cases. Empirical-Bayes smoothing (Marshall 1991, "Mapping disease and mortality rates using
//! empirical Bayes estimators") pulls each rate towards a prior mean, the more the fewer people
//! the area has and the less the rates vary beyond what chance alone would give:
//!
//! ```text
//! m   = Σ e_j / Σ b_j                                  prior mean (the pooled rate)
//! s²  = Σ b_j (r_j − m)² / Σ b_j                       weighted variance of the rates
//! v   = max(0, s² − m / b̄)          b̄ = Σ b_j / n     prior variance (moment estimator)
//! w_i = v / (v + m / b_i)                              weight of the area's own rate
//! r̂_i = w_i r_i + (1 − w_i) m
//! ```
//!
//! The **spatial** estimator does the same in each area's neighbourhood `N_i ∪ {i}` (the area
//! and its contiguity neighbours, binary weights, as esda's `Spatial_Empirical_Bayes`), with
//! `m_i`, `b̄_i = Σ_{N_i ∪ i} b_j / (|N_i| + 1)` and `v_i` computed there. **Excess risk** is
//! `e_i / (b_i m)`: observed over expected cases at the pooled rate (1 = as the whole).
//!
//! A negative moment estimate of the variance means the rates vary less than chance would make
//! them: the prior variance is then 0 and every rate becomes the prior mean. GeoDa does this for
//! both estimators, esda for the spatial one (its global `Empirical_Bayes` keeps the negative
//! value, which gives weights outside [0, 1]). Where `v = 0` and `m = 0` (no case in the whole
//! neighbourhood), the weight is 0 and the smoothed rate 0, where esda divides 0 by 0.
//!
//! The inputs are exactly the areas to be smoothed: the caller passes only published cells, so
//! no withheld count enters a prior. Verified against esda on the real counts of Flensburg's
//! districts (`tests/fixtures/flensburg_smoothing_fixture.py`).
//!
//! ```
//! use sozialatlas_analysis::smoothing::empirical_bayes;
//! // Two areas of 100 and one of 10 000 people at risk.
//! let eb = empirical_bayes(&[30.0, 2.0, 1000.0], &[100.0, 100.0, 10_000.0])?;
//! assert!((eb.prior_mean - 1032.0 / 10_200.0).abs() < 1e-15);
//! // The small areas move towards the pooled rate, the large one hardly moves.
//! assert!(eb.rates[0] < 0.30 && eb.rates[1] > 0.02);
//! assert!((eb.rates[2] - 0.1).abs() < 1e-3);
//! # Ok::<(), sozialatlas_analysis::AnalysisError>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result};
use crate::weights::Weights;

/// Global empirical-Bayes rates with the prior they were pulled towards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalEb {
    /// Smoothed rates (proportions, `e/b` scale), in the order of the input.
    pub rates: Vec<f64>,
    /// The prior mean `m = Σe / Σb`.
    pub prior_mean: f64,
    /// The prior variance after the negative-variance rule (≥ 0).
    pub prior_variance: f64,
    /// True when the moment estimate was negative and was set to 0.
    pub variance_set_to_zero: bool,
}

fn check(e: &[f64], b: &[f64]) -> Result<()> {
    if e.len() != b.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "populations at risk".into(),
            expected: e.len(),
            got: b.len(),
        });
    }
    if e.is_empty() {
        return Err(AnalysisError::TooFewAreas {
            what: "rate smoothing".into(),
            needed: 1,
            got: 0,
        });
    }
    if let Some(row) = (0..e.len()).find(|&i| !(e[i].is_finite() && e[i] >= 0.0)) {
        return Err(AnalysisError::InvalidSetting {
            name: "event counts".into(),
            reason: format!("area {row} has {} (must be a finite count ≥ 0)", e[row]),
        });
    }
    if let Some(row) = (0..b.len()).find(|&i| !(b[i].is_finite() && b[i] > 0.0)) {
        return Err(AnalysisError::InvalidSetting {
            name: "population at risk".into(),
            reason: format!("area {row} has {} (must be finite and > 0)", b[row]),
        });
    }
    Ok(())
}

/// The shrinkage of one rate towards `mean` with prior variance `variance` (already ≥ 0).
fn shrink(rate: f64, mean: f64, variance: f64, b: f64) -> f64 {
    let denom = variance + mean / b;
    if denom > 0.0 {
        mean + (rate - mean) * (variance / denom)
    } else {
        // v = 0 and m = 0: no case anywhere in the pool, so the rate is 0 as well.
        mean
    }
}

/// Excess risk `e_i / (b_i · Σe/Σb)` (esda's `Excess_Risk`): 1 where an area has as many cases
/// as the pooled rate would give it. Errors on no case at all (the pooled rate is 0).
pub fn excess_risk(e: &[f64], b: &[f64]) -> Result<Vec<f64>> {
    check(e, b)?;
    let m = e.iter().sum::<f64>() / b.iter().sum::<f64>();
    if m <= 0.0 {
        return Err(AnalysisError::InvalidSetting {
            name: "counts".into(),
            reason: "no case in any area: the expected counts are 0".into(),
        });
    }
    Ok(e.iter().zip(b).map(|(e, b)| e / (b * m)).collect())
}

/// Global empirical-Bayes rates (Marshall 1991; esda's `Empirical_Bayes`, with a negative
/// prior variance set to 0 as GeoDa does).
pub fn empirical_bayes(e: &[f64], b: &[f64]) -> Result<GlobalEb> {
    check(e, b)?;
    let n = e.len() as f64;
    let (e_sum, b_sum) = (e.iter().sum::<f64>(), b.iter().sum::<f64>());
    let m = e_sum / b_sum;
    let left = e
        .iter()
        .zip(b)
        .map(|(e, b)| {
            let d = e / b - m;
            b * d * d
        })
        .sum::<f64>()
        / b_sum;
    let raw = left - m / (b_sum / n);
    let variance = raw.max(0.0);
    Ok(GlobalEb {
        rates: e
            .iter()
            .zip(b)
            .map(|(e, b)| shrink(e / b, m, variance, *b))
            .collect(),
        prior_mean: m,
        prior_variance: variance,
        variance_set_to_zero: raw < 0.0,
    })
}

/// Spatial empirical-Bayes rates (esda's `Spatial_Empirical_Bayes`): each area's prior is
/// estimated in its neighbourhood — the area and its neighbours in `w`, whose weight values are
/// ignored (binary, as esda sets them). An island is its own neighbourhood, so its rate stays.
pub fn spatial_empirical_bayes(e: &[f64], b: &[f64], w: &Weights) -> Result<Vec<f64>> {
    check(e, b)?;
    if w.n() != e.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "weights".into(),
            expected: e.len(),
            got: w.n(),
        });
    }
    let rate: Vec<f64> = e.iter().zip(b).map(|(e, b)| e / b).collect();
    Ok((0..e.len())
        .map(|i| {
            let hood = || w.neighbours[i].iter().copied().chain(std::iter::once(i));
            let (e_i, b_i) = hood().fold((0.0, 0.0), |(se, sb), j| (se + e[j], sb + b[j]));
            let m = e_i / b_i;
            let left = hood()
                .map(|j| {
                    let d = rate[j] - m;
                    d * d * b[j]
                })
                .sum::<f64>()
                / b_i;
            let k = (w.neighbours[i].len() + 1) as f64;
            let variance = (left - m / (b_i / k)).max(0.0);
            shrink(rate[i], m, variance, b[i])
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_that_vary_less_than_chance_become_the_pooled_rate() {
        // 10 of 1000 and 11 of 1000: far less spread than binomial noise.
        let eb = empirical_bayes(&[10.0, 11.0], &[1000.0, 1000.0]).unwrap();
        assert!(eb.variance_set_to_zero);
        assert_eq!(eb.prior_variance, 0.0);
        assert!(eb.rates.iter().all(|r| (r - 0.0105).abs() < 1e-15));
    }

    #[test]
    fn no_case_anywhere_stays_zero() {
        let eb = empirical_bayes(&[0.0, 0.0], &[10.0, 20.0]).unwrap();
        assert_eq!(eb.rates, vec![0.0, 0.0]);
        let w = Weights::from_neighbours(vec![vec![1], vec![0]]).unwrap();
        assert_eq!(
            spatial_empirical_bayes(&[0.0, 0.0], &[10.0, 20.0], &w).unwrap(),
            vec![0.0, 0.0]
        );
        assert!(excess_risk(&[0.0, 0.0], &[10.0, 20.0]).is_err());
    }

    #[test]
    fn refuses_bad_input() {
        assert!(empirical_bayes(&[1.0], &[0.0]).is_err());
        assert!(empirical_bayes(&[1.0, 2.0], &[10.0]).is_err());
        assert!(empirical_bayes(&[f64::NAN], &[10.0]).is_err());
        assert!(empirical_bayes(&[], &[]).is_err());
        let w = Weights::from_neighbours(vec![vec![]]).unwrap();
        assert!(spatial_empirical_bayes(&[1.0, 2.0], &[10.0, 10.0], &w).is_err());
    }

    #[test]
    fn an_island_keeps_its_rate() {
        let w = Weights::from_neighbours(vec![vec![1], vec![0], vec![]]).unwrap();
        let r = spatial_empirical_bayes(&[5.0, 50.0, 7.0], &[100.0, 100.0, 100.0], &w).unwrap();
        // Alone, the neighbourhood's variance is 0 − m/b < 0 → 0: the rate is its own mean.
        assert!((r[2] - 0.07).abs() < 1e-15);
    }

    proptest::proptest! {
        #[test]
        fn smoothed_rates_lie_between_the_rate_and_the_prior_mean(
            cells in proptest::collection::vec((0u32..500, 1u32..5000), 2..30)
        ) {
            let b: Vec<f64> = cells.iter().map(|c| f64::from(c.1) + f64::from(c.0)).collect();
            let e: Vec<f64> = cells.iter().map(|c| f64::from(c.0)).collect();
            let eb = empirical_bayes(&e, &b).unwrap();
            for i in 0..e.len() {
                let (r, m) = (e[i] / b[i], eb.prior_mean);
                let (lo, hi) = (r.min(m), r.max(m));
                proptest::prop_assert!(lo - 1e-12 <= eb.rates[i] && eb.rates[i] <= hi + 1e-12);
            }
        }
    }
}
