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
//! or on the number of threads, and can be reproduced from (data, weights, permutations, seed).
//! An area's `k` neighbour values are drawn by rejection (an index uniform over the `n − 1`
//! others, drawn again if this permutation already has it): a permutation costs O(k), not O(n),
//! so the local test is O(P · Σ k) — O(P · n) for contiguity weights — and its areas run on as
//! many threads as the caller allows ([`local_moran_threads`]; [`local_moran`]: all cores).
//! The numbers cannot equal esda's, which uses NumPy's generator: p-values agree up to
//! Monte-Carlo error (sd ≈ sqrt(p(1−p)/P)), so areas with p near α can fall on either side.
//!
//! **Significance**: `p < α` (strict, as esda's cluster labels). The FDR option applies esda's
//! `fdr` cut-off (Benjamini–Hochberg; if no p-value passes, the Bonferroni bound `α/n`).
//! Islands get `I_i = 0`, quadrant by their own sign and p = 1 (never significant).

use std::sync::Mutex;

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
    // Σ_i z_i · lag_i, summed as `w.lag(z)` would be, without a vector per permutation.
    let stat = |z: &[f64]| -> f64 {
        let cross: f64 = w
            .neighbours
            .iter()
            .zip(&w.weights)
            .zip(z)
            .map(|((nb, ws), v)| nb.iter().zip(ws).map(|(&j, w)| w * z[j]).sum::<f64>() * v)
            .sum();
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

/// Local Moran statistics with conditional permutations, on all cores (see
/// [`local_moran_threads`]).
pub fn local_moran(y: &[f64], w: &Weights, permutations: usize, seed: u64) -> Result<LocalMoran> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    local_moran_threads(y, w, permutations, seed, cores)
}

/// Areas per block of work of the local test: a level smaller than this runs on the calling
/// thread alone (no thread is started for the few milliseconds a city's areas take).
const LISA_BLOCK: usize = 512;

/// Local Moran statistics with conditional permutations on at most `threads` threads (the
/// calling one included). The result depends on (data, weights, permutations, seed) only, never
/// on `threads`.
pub fn local_moran_threads(
    y: &[f64],
    w: &Weights,
    permutations: usize,
    seed: u64,
    threads: usize,
) -> Result<LocalMoran> {
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
    let mut p_sim = vec![1.0; n];
    let blocks = Mutex::new(p_sim.chunks_mut(LISA_BLOCK).enumerate());
    // Each worker takes the next block of areas until none is left; an area's draws depend on
    // (seed, area) only, so the result is the same for any number of workers.
    let work = || {
        let mut draw = Draw::new(n);
        loop {
            let next = blocks.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some((b, out)) = next else { break };
            for (o, p) in out.iter_mut().enumerate() {
                let i = b * LISA_BLOCK + o;
                let ws = &w.weights[i];
                if ws.is_empty() {
                    continue;
                }
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(i as u64);
                let mut larger = 0;
                for _ in 0..permutations {
                    draw.start();
                    let l: f64 = ws.iter().map(|wm| wm * z[draw.other(&mut rng, i)]).sum();
                    if scale * z[i] * l >= is[i] {
                        larger += 1;
                    }
                }
                *p = folded_p(larger, permutations);
            }
        }
    };
    let workers = threads.clamp(1, n.div_ceil(LISA_BLOCK));
    if workers == 1 {
        work();
    } else {
        std::thread::scope(|s| {
            for _ in 1..workers {
                s.spawn(work);
            }
            work();
        });
    }
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

/// Draws of distinct areas for one conditional permutation, each in O(1) expected time, so a
/// permutation of an area with k neighbours costs O(k) whatever the number of areas n: an index
/// is drawn uniformly from the n − 1 areas other than i and drawn again while it was already
/// drawn in this permutation (rejection sampling). Each accepted index is uniform over those
/// not yet drawn, so the k indices are a uniform ordered draw without replacement, as a partial
/// Fisher–Yates shuffle of the n − 1 others would give. "Already drawn" is a mark per area
/// holding the number of the permutation that drew it, so starting a permutation clears nothing.
struct Draw {
    mark: Vec<u32>,
    round: u32,
}

impl Draw {
    fn new(n: usize) -> Self {
        Draw {
            mark: vec![0; n],
            round: 0,
        }
    }

    /// Starts a new permutation: nothing is drawn.
    fn start(&mut self) {
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.mark.fill(0);
            self.round = 1;
        }
    }

    /// An area other than `i` not yet drawn in this permutation, uniformly. At most n − 1 draws
    /// per permutation (the caller draws each neighbour's value once).
    fn other(&mut self, rng: &mut ChaCha8Rng, i: usize) -> usize {
        let others = self.mark.len() - 1;
        loop {
            let t = rng.random_range(0..others);
            let j = if t >= i { t + 1 } else { t };
            if self.mark[j] != self.round {
                self.mark[j] = self.round;
                return j;
            }
        }
    }
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

    /// The draw is a uniform ordered sample without replacement of the areas other than i: with
    /// n = 7, i = 2 and k = 3, each of the 6·5·4 = 120 ordered triples of the six others comes
    /// up about equally often (Pearson's chi-square over 120,000 draws, 119 degrees of freedom;
    /// its 0.999 quantile is 173.6), and no triple holds i or an index twice.
    #[test]
    fn draws_are_uniform_ordered_samples_without_replacement() {
        let (n, i, k, rounds) = (7usize, 2usize, 3usize, 120_000usize);
        let mut draw = Draw::new(n);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut count = std::collections::HashMap::new();
        for _ in 0..rounds {
            draw.start();
            let t: Vec<usize> = (0..k).map(|_| draw.other(&mut rng, i)).collect();
            assert!(!t.contains(&i), "{t:?}");
            assert!(t[0] != t[1] && t[0] != t[2] && t[1] != t[2], "{t:?}");
            *count.entry(t).or_insert(0usize) += 1;
        }
        assert_eq!(count.len(), 120);
        let expected = rounds as f64 / 120.0;
        let chi2: f64 = count
            .values()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum();
        assert!(
            chi2 < 173.6,
            "chi-square {chi2:.1} over 119 degrees of freedom"
        );
        // Every area is drawn, once, when all n − 1 others are asked for.
        draw.start();
        let mut all: Vec<usize> = (0..n - 1).map(|_| draw.other(&mut rng, i)).collect();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 3, 4, 5, 6]);
    }

    /// A ring of 11 areas with one chord, so that neighbour counts differ (2 and 3).
    fn ring() -> (Vec<f64>, Weights) {
        let n = 11;
        let mut nb: Vec<Vec<usize>> = (0..n).map(|i| vec![(i + 1) % n, (i + n - 1) % n]).collect();
        nb[0].push(5);
        nb[5].push(0);
        let y = (0..n)
            .map(|i| ((i * 7 % 11) as f64).sin() * 10.0 + i as f64)
            .collect();
        (y, Weights::from_neighbours(nb).unwrap().row_standardise())
    }

    /// The pseudo p-values against the exact conditional ones: the share of all ordered draws
    /// of an area's neighbours from the others (enumerated) whose statistic reaches the observed,
    /// folded as the permutation test folds. Each simulated share lies within 4.5 Monte-Carlo
    /// standard deviations of the exact one.
    #[test]
    fn pseudo_p_values_match_the_enumerated_conditional_test() {
        let (y, w) = ring();
        let n = y.len();
        let perms = 4999;
        let lm = local_moran_threads(&y, &w, perms, 42, 1).unwrap();
        let den: f64 = lm.z.iter().map(|v| v * v).sum();
        let scale = (n as f64 - 1.0) / den;
        for i in 0..n {
            let ws = &w.weights[i];
            let others: Vec<usize> = (0..n).filter(|&j| j != i).collect();
            let (mut reach, mut total) = (0usize, 0usize);
            let mut visit = |t: &[usize]| {
                let l: f64 = ws.iter().zip(t).map(|(wm, &j)| wm * lm.z[j]).sum();
                total += 1;
                if scale * lm.z[i] * l >= lm.is[i] {
                    reach += 1;
                }
            };
            for &a in &others {
                for &b in others.iter().filter(|&&b| b != a) {
                    if ws.len() == 2 {
                        visit(&[a, b]);
                        continue;
                    }
                    for &c in others.iter().filter(|&&c| c != a && c != b) {
                        visit(&[a, b, c]);
                    }
                }
            }
            let q = reach as f64 / total as f64;
            let exact = q.min(1.0 - q);
            let sim = lm.p_sim[i] - 1.0 / (perms as f64 + 1.0);
            let sd = (exact * (1.0 - exact) / perms as f64)
                .sqrt()
                .max(1.0 / perms as f64);
            assert!(
                (sim * (perms as f64 + 1.0) / perms as f64 - exact).abs() < 4.5 * sd,
                "area {i}: p_sim {} against exact {exact}",
                lm.p_sim[i]
            );
        }
    }

    #[test]
    fn the_local_test_does_not_depend_on_the_number_of_threads() {
        // 1,500 areas in a rook lattice of 30 × 50: three blocks of work.
        let (rows, cols) = (30usize, 50usize);
        let nb: Vec<Vec<usize>> = (0..rows * cols)
            .map(|i| {
                let (r, c) = (i / cols, i % cols);
                let mut v = Vec::new();
                if r > 0 {
                    v.push(i - cols);
                }
                if r + 1 < rows {
                    v.push(i + cols);
                }
                if c > 0 {
                    v.push(i - 1);
                }
                if c + 1 < cols {
                    v.push(i + 1);
                }
                v
            })
            .collect();
        let w = Weights::from_neighbours(nb).unwrap().row_standardise();
        let y: Vec<f64> = (0..rows * cols)
            .map(|i| ((i * 2_654_435_761usize) % 1000) as f64 + (i / cols) as f64 * 5.0)
            .collect();
        let one = local_moran_threads(&y, &w, 99, 3, 1).unwrap();
        for threads in [2, 3, 8] {
            assert_eq!(one, local_moran_threads(&y, &w, 99, 3, threads).unwrap());
        }
        assert_eq!(one, local_moran(&y, &w, 99, 3).unwrap());
        assert_ne!(
            one.p_sim,
            local_moran_threads(&y, &w, 99, 4, 2).unwrap().p_sim
        );
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
