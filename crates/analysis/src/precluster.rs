//! Pre-clustering for Ward on many areas: small groups of similar areas (micro-clusters) with
//! their sizes, on which [`crate::ward::ward_weighted`] builds the hierarchy.
//!
//! Ward's nearest-neighbour chain costs `O(n²·d)`: a second at 10,000 areas, minutes at
//! 200,000. Above [`EXACT_WARD_MAX_AREAS`] areas the typology first splits the areas into at
//! most that many groups and runs Ward on the groups, each weighted by its number of areas.
//!
//! **Groups** are the cells of a k-d tree cut by counts: a group of more than `s` areas (with
//! `s = ⌈n / max_groups⌉`) is split along the indicator on which its areas vary most (largest
//! sum of squared deviations; ties to the first indicator), at the value that leaves a multiple
//! of `s` areas on the lower side — `s·⌈⌈g/s⌉/2⌉` of a group of `g` — so that all groups but
//! at most one hold exactly `s` areas and there are `⌈n/s⌉ ≤ max_groups` of them. Equal values
//! are ordered by area index, so the groups depend on the data alone. Groups are numbered by
//! their first area (in input order): with `max_groups ≥ n` every area is a group of its own and
//! group `i` is area `i`, so Ward on the groups is plain Ward. Cost: `O(n·d·log(n/s))`.

use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result};
use crate::matrix::Matrix;

/// Above this number of areas the typology clusters groups of areas, not the areas themselves.
///
/// Ward on 5,000 rows takes a fraction of a second in a release build and `O(n·d)` memory;
/// every level a social monitoring clusters today stays below it (Hamburg's 941 statistical
/// areas, Berlin's 542 planning areas, Dortmund's 170 Sozialräume), so their typologies are
/// exact Ward, and a larger level (Berlin's ~15,000 blocks, a census grid) costs about what 5,000
/// areas cost plus `O(n log n)` for the groups.
pub const EXACT_WARD_MAX_AREAS: usize = 5_000;

/// A pre-clustering: which group each area is in, and the groups' sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    /// Group (0-based, numbered by first area) of each area.
    pub of_area: Vec<usize>,
    /// Number of areas in each group.
    pub sizes: Vec<usize>,
    /// The largest group asked for, `⌈n / max_groups⌉`.
    pub max_size: usize,
}

impl Groups {
    /// Number of groups.
    pub fn len(&self) -> usize {
        self.sizes.len()
    }

    /// True if there are no groups (no areas).
    pub fn is_empty(&self) -> bool {
        self.sizes.is_empty()
    }

    /// The mean of each group's rows of `x` (groups × columns).
    pub fn centroids(&self, x: &Matrix) -> Result<Matrix> {
        let d = x.cols();
        let mut sum = vec![0.0; self.len() * d];
        for (i, &g) in self.of_area.iter().enumerate() {
            for (s, v) in sum[g * d..(g + 1) * d].iter_mut().zip(x.row(i)) {
                *s += v;
            }
        }
        for (g, &size) in self.sizes.iter().enumerate() {
            sum[g * d..(g + 1) * d]
                .iter_mut()
                .for_each(|v| *v /= size as f64);
        }
        Matrix::new(self.len(), d, sum)
    }
}

/// Splits the rows of `x` into at most `max_groups` groups of similar rows (see the module doc).
pub fn precluster(x: &Matrix, max_groups: usize) -> Result<Groups> {
    let (n, d) = (x.rows(), x.cols());
    if max_groups == 0 {
        return Err(AnalysisError::InvalidSetting {
            name: "max_groups".into(),
            reason: "must be at least 1".into(),
        });
    }
    let s = n.div_ceil(max_groups).max(1);
    let mut order: Vec<usize> = (0..n).collect();
    // Ranges of `order` still to split; each finished range is one group.
    let mut todo = vec![(0usize, n)];
    let mut done: Vec<(usize, usize)> = Vec::with_capacity(n.div_ceil(s));
    while let Some((lo, hi)) = todo.pop() {
        let g = hi - lo;
        if g <= s {
            if g > 0 {
                done.push((lo, hi));
            }
            continue;
        }
        let part = &mut order[lo..hi];
        let mut mean = vec![0.0; d];
        for &i in part.iter() {
            for (m, v) in mean.iter_mut().zip(x.row(i)) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= g as f64);
        let mut ss = vec![0.0; d];
        for &i in part.iter() {
            for ((q, v), m) in ss.iter_mut().zip(x.row(i)).zip(&mean) {
                *q += (v - m) * (v - m);
            }
        }
        let axis = (0..d).fold(0, |best, j| if ss[j] > ss[best] { j } else { best });
        let lower = s * g.div_ceil(s).div_ceil(2);
        part.select_nth_unstable_by(lower - 1, |&a, &b| {
            x.row(a)[axis].total_cmp(&x.row(b)[axis]).then(a.cmp(&b))
        });
        todo.push((lo + lower, hi));
        todo.push((lo, lo + lower));
    }
    // Number the groups by their first area.
    let mut firsts: Vec<(usize, usize, usize)> = done
        .iter()
        .map(|&(lo, hi)| (order[lo..hi].iter().copied().min().unwrap_or(0), lo, hi))
        .collect();
    firsts.sort_unstable();
    let mut of_area = vec![0usize; n];
    let mut sizes = Vec::with_capacity(firsts.len());
    for (g, &(_, lo, hi)) in firsts.iter().enumerate() {
        for &i in &order[lo..hi] {
            of_area[i] = g;
        }
        sizes.push(hi - lo);
    }
    Ok(Groups {
        of_area,
        sizes,
        max_size: s,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Matrix {
        let v: Vec<f64> = (0..n * 3)
            .map(|i| ((i * 7919 % 1009) as f64 / 17.0).sin() * (1 + i % 3) as f64)
            .collect();
        Matrix::new(n, 3, v).unwrap()
    }

    #[test]
    fn groups_have_the_asked_size_and_cover_every_area_once() {
        let x = data(1003);
        let g = precluster(&x, 100).unwrap();
        assert_eq!(g.max_size, 11);
        assert_eq!(g.len(), 1003usize.div_ceil(11));
        assert!(g.len() <= 100);
        assert_eq!(g.sizes.iter().sum::<usize>(), 1003);
        assert!(g.sizes.iter().filter(|&&s| s != 11).count() <= 1);
        let mut count = vec![0usize; g.len()];
        for &a in &g.of_area {
            count[a] += 1;
        }
        assert_eq!(count, g.sizes);
        // Numbered by first area.
        let mut seen = 0;
        for &a in &g.of_area {
            assert!(a <= seen);
            if a == seen {
                seen += 1;
            }
        }
        let c = g.centroids(&x).unwrap();
        assert_eq!((c.rows(), c.cols()), (g.len(), 3));
    }

    #[test]
    fn groups_are_tighter_than_chance() {
        // The within-group sum of squares of the k-d groups against that of groups of
        // consecutive areas (which ignore the values).
        let x = data(2000);
        let g = precluster(&x, 100).unwrap();
        let within = |of: &[usize], k: usize| {
            let groups = Groups {
                of_area: of.to_vec(),
                sizes: (0..k)
                    .map(|c| of.iter().filter(|&&a| a == c).count())
                    .collect(),
                max_size: 0,
            };
            let c = groups.centroids(&x).unwrap();
            (0..x.rows())
                .map(|i| {
                    x.row(i)
                        .iter()
                        .zip(c.row(of[i]))
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f64>()
                })
                .sum::<f64>()
        };
        let kd = within(&g.of_area, g.len());
        let blocks: Vec<usize> = (0..2000).map(|i| i / 20).collect();
        let chance = within(&blocks, 100);
        assert!(
            kd < 0.5 * chance,
            "k-d groups {kd:.1}, consecutive {chance:.1}"
        );
    }

    #[test]
    fn enough_groups_leave_every_area_alone() {
        let x = data(37);
        for m in [37, 38, 1000] {
            let g = precluster(&x, m).unwrap();
            assert_eq!(g.of_area, (0..37).collect::<Vec<_>>());
            assert_eq!(g.sizes, vec![1; 37]);
        }
        assert!(precluster(&x, 0).is_err());
    }
}
