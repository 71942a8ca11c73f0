//! Global Moran's I and local Moran (LISA), with permutation inference as in PySAL's esda.
//!
//! With `z = y − ȳ` and weights `w_ij` (S0 = Σ w_ij):
//! `I = n / S0 · Σ_i Σ_j w_ij z_i z_j / Σ_i z_i²`, expectation under no autocorrelation
//! `E[I] = −1/(n−1)`. Local: with `z` standardised by the population sd,
//! `I_i = (n−1) · z_i · Σ_j w_ij z_j / Σ_k z_k²` (esda's `Moran_Local`).
//!
//! **Permutation p-values** are esda's "directed/folded" pseudo p-values: with `P` permutations and
//! `L` the number of simulated statistics ≥ the observed one, `L := min(L, P − L)` and
//! `p = (L + 1)/(P + 1)`. The global test permutes all values; the local test is *conditional*:
//! area i keeps its value and its neighbours' values are drawn without replacement from the other
//! `n − 1` areas.
//!
//! **Random numbers**: ChaCha8 (rand_chacha) seeded with the caller's `seed`; each area of the
//! local test has its own stream (`set_stream(i)`), so results do not depend on evaluation order
//! and can be reproduced from (data, weights, permutations, seed). They cannot equal esda's
//! numbers, which use NumPy's generator: p-values agree up to Monte-Carlo error
//! (sd ≈ sqrt(p(1−p)/P)), so areas with p near α can fall on either side.
//!
//! **Significance**: `p < α` (strict, as esda's cluster labels). The FDR option applies esda's
//! `fdr` cut-off (Benjamini–Hochberg; if no p-value passes, the Bonferroni bound `α/n`).
//! Islands get `I_i = 0`, quadrant by their own sign and p = 1 (never significant).

use rand::Rng;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result, check_finite, check_len};
use crate::weights::Weights;

/// Global Moran's I with its inference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlobalMoran {
    /// Moran's I.
    pub i: f64,
    /// Expectation under the null, −1/(n−1).
    pub expected: f64,
    /// z-value under the normality assumption.
    pub z_norm: f64,
    /// Two-sided p-value under normality.
    pub p_norm: f64,
    /// Folded permutation pseudo p-value (see the module doc).
    pub p_sim: f64,
    /// Number of permutations.
    pub permutations: usize,
    /// Seed of the generator.
    pub seed: u64,
}

/// LISA quadrant (Moran scatter plot), esda's numbering 1–4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quadrant {
    /// 1: high value, high neighbours (hot spot).
    HH = 1,
    /// 2: low value, high neighbours.
    LH = 2,
    /// 3: low value, low neighbours (cold spot).
    LL = 3,
    /// 4: high value, low neighbours.
    HL = 4,
}

/// Local Moran statistics of every area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalMoran {
    /// Local statistic `I_i`.
    pub is: Vec<f64>,
    /// Standardised values (population sd).
    pub z: Vec<f64>,
    /// Spatial lag of `z`.
    pub lag: Vec<f64>,
    /// Quadrant of each area.
    pub quadrant: Vec<Quadrant>,
    /// Folded conditional-permutation pseudo p-values.
    pub p_sim: Vec<f64>,
    /// Number of permutations.
    pub permutations: usize,
    /// Seed of the generator.
    pub seed: u64,
}

/// Multiple-testing correction for the LISA map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// Each area at level α.
    #[default]
    None,
    /// False-discovery-rate cut-off (esda's `fdr`).
    Fdr,
}

fn check(y: &[f64], w: &Weights, permutations: usize) -> Result<()> {
    check_len("values", w.n(), y.len())?;
    check_finite("values", y)?;
    if y.len() < 3 {
        return Err(AnalysisError::TooFewAreas {
            what: "Moran's I".into(),
            needed: 3,
            got: y.len(),
        });
    }
    if permutations == 0 {
        return Err(AnalysisError::InvalidSetting {
            name: "permutations".into(),
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

fn folded_p(larger: usize, permutations: usize) -> f64 {
    let l = larger.min(permutations - larger);
    (l as f64 + 1.0) / (permutations as f64 + 1.0)
}

/// Standard normal upper tail, `1 − Φ(x)`, via `erfc` (Numerical Recipes' Chebyshev fit,
/// relative error < 1.2e−7: ample for a p-value).
fn normal_sf(x: f64) -> f64 {
    let z = x / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z.abs());
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    let erfc = if z >= 0.0 { r } else { 2.0 - r };
    0.5 * erfc
}

/// Global Moran's I of `y` with a permutation test.
pub fn moran(y: &[f64], w: &Weights, permutations: usize, seed: u64) -> Result<GlobalMoran> {
    check(y, w, permutations)?;
    let n = y.len();
    let nf = n as f64;
    let mean = y.iter().sum::<f64>() / nf;
    let mut z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let ss: f64 = z.iter().map(|v| v * v).sum();
    if ss.is_nan() || ss <= 1e-24 * y.iter().map(|v| v * v).sum::<f64>().max(f64::MIN_POSITIVE) {
        return Err(AnalysisError::ConstantValues {
            what: "values".into(),
        });
    }
    let s0 = w.s0();
    let stat = |z: &[f64]| -> f64 {
        let cross: f64 = w.lag(z).iter().zip(z).map(|(l, v)| l * v).sum();
        nf / s0 * cross / ss
    };
    let i = stat(&z);
    // Moments under normality (Cliff & Ord), as esda's Moran.
    let expected = -1.0 / (nf - 1.0);
    let mut col_sum = vec![0.0; n];
    let mut s1 = 0.0;
    for (r, (nb, ws)) in w.neighbours.iter().zip(&w.weights).enumerate() {
        for (&j, &wij) in nb.iter().zip(ws) {
            col_sum[j] += wij;
            let wji = w.neighbours[j]
                .binary_search(&r)
                .map_or(0.0, |k| w.weights[j][k]);
            s1 += (wij + wji) * (wij + wji);
        }
    }
    s1 /= 2.0;
    let s2: f64 = w
        .weights
        .iter()
        .zip(&col_sum)
        .map(|(ws, c)| (ws.iter().sum::<f64>() + c).powi(2))
        .sum();
    let v = (nf * nf * s1 - nf * s2 + 3.0 * s0 * s0) / ((nf * nf - 1.0) * s0 * s0)
        - expected * expected;
    let z_norm = (i - expected) / v.sqrt();
    let p_norm = 2.0 * normal_sf(z_norm.abs());

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut larger = 0;
    for _ in 0..permutations {
        z.shuffle(&mut rng);
        if stat(&z) >= i {
            larger += 1;
        }
    }
    Ok(GlobalMoran {
        i,
        expected,
        z_norm,
        p_norm,
        p_sim: folded_p(larger, permutations),
        permutations,
        seed,
    })
}

/// Local Moran statistics with conditional permutations.
pub fn local_moran(y: &[f64], w: &Weights, permutations: usize, seed: u64) -> Result<LocalMoran> {
    check(y, w, permutations)?;
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n as f64;
    let sd = (y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64).sqrt();
    if sd.is_nan() || sd <= 1e-12 * mean.abs().max(1.0) {
        return Err(AnalysisError::ConstantValues {
            what: "values".into(),
        });
    }
    let z: Vec<f64> = y.iter().map(|v| (v - mean) / sd).collect();
    let den: f64 = z.iter().map(|v| v * v).sum();
    let scale = (n as f64 - 1.0) / den;
    let lag = w.lag(&z);
    let is: Vec<f64> = z.iter().zip(&lag).map(|(a, l)| scale * a * l).collect();
    let quadrant = z
        .iter()
        .zip(&lag)
        .map(|(&a, &l)| match (a > 0.0, l > 0.0) {
            (true, true) => Quadrant::HH,
            (false, true) => Quadrant::LH,
            (false, false) => Quadrant::LL,
            (true, false) => Quadrant::HL,
        })
        .collect();
    let mut pool: Vec<usize> = Vec::with_capacity(n - 1);
    let p_sim = (0..n)
        .map(|i| {
            let (nb, ws) = (&w.neighbours[i], &w.weights[i]);
            if nb.is_empty() {
                return 1.0;
            }
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(i as u64);
            pool.clear();
            pool.extend((0..n).filter(|&j| j != i));
            let k = nb.len().min(pool.len());
            let mut larger = 0;
            for _ in 0..permutations {
                // Partial Fisher–Yates: the first k entries become a uniform draw without
                // replacement; the pool stays a permutation, so no reset is needed.
                let mut l = 0.0;
                for (m, wm) in ws.iter().enumerate().take(k) {
                    let j = rng.random_range(m..pool.len());
                    pool.swap(m, j);
                    l += wm * z[pool[m]];
                }
                if scale * z[i] * l >= is[i] {
                    larger += 1;
                }
            }
            folded_p(larger, permutations)
        })
        .collect();
    Ok(LocalMoran {
        is,
        z,
        lag,
        quadrant,
        p_sim,
        permutations,
        seed,
    })
}

/// esda's `fdr`: the p-value cut-off controlling the false discovery rate at `alpha`.
pub fn fdr_cutoff(p: &[f64], alpha: f64) -> f64 {
    let n = p.len();
    let mut sorted = p.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    for (r, &pv) in sorted.iter().enumerate() {
        let cut = (n - r) as f64 * alpha / n as f64;
        if pv < cut {
            return cut;
        }
    }
    alpha / n.max(1) as f64
}

impl LocalMoran {
    /// The LISA cluster map: the quadrant of each significant area, `None` where not significant.
    pub fn clusters(&self, alpha: f64, correction: Correction) -> Vec<Option<Quadrant>> {
        let cut = match correction {
            Correction::None => alpha,
            Correction::Fdr => fdr_cutoff(&self.p_sim, alpha),
        };
        self.p_sim
            .iter()
            .zip(&self.quadrant)
            .map(|(&p, &q)| (p < cut).then_some(q))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tail() {
        assert!((normal_sf(1.959_963_984_540_054) - 0.025).abs() < 1e-7);
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-7);
    }

    #[test]
    fn fdr_matches_esda_rule() {
        // Sorted descending 0.5, 0.04, 0.03, 0.001 against 4α/4, 3α/4, 2α/4, α/4 (α = 0.05):
        // 0.04 ≥ 0.0375, 0.03 ≥ 0.025, 0.001 < 0.0125 → cut-off 0.0125.
        assert!((fdr_cutoff(&[0.04, 0.5, 0.001, 0.03], 0.05) - 0.0125).abs() < 1e-15);
        assert!((fdr_cutoff(&[0.9, 0.8], 0.05) - 0.025).abs() < 1e-15);
    }

    #[test]
    fn constant_values_are_an_error() {
        let w = Weights::from_neighbours(vec![vec![1], vec![0, 2], vec![1]]).unwrap();
        assert!(matches!(
            moran(&[2.0; 3], &w, 9, 1),
            Err(AnalysisError::ConstantValues { .. })
        ));
        assert!(local_moran(&[2.0; 3], &w, 9, 1).is_err());
    }
}
