//! Hierarchical clustering with Ward's criterion by a nearest-neighbour chain on centroids.
//!
//! Ward's merge cost of clusters A and B is the increase of the within-cluster sum of squares,
//! `Δ(A,B) = n_A·n_B/(n_A+n_B)·‖c_A − c_B‖²`. Ward's criterion is *reducible*
//! (`Δ(A∪B, C) ≥ min(Δ(A,C), Δ(B,C))`), so the nearest-neighbour-chain algorithm finds the same
//! hierarchy as the naive "always merge the globally cheapest pair" algorithm: follow nearest
//! neighbours from any cluster until two clusters are each other's nearest neighbour, merge them,
//! continue from the rest of the chain. Each step costs one scan over the active centroids
//! (`O(n·d)`), there are `O(n)` steps, and the memory is `O(n·d)`: no `n²/2` distance matrix, which
//! for 20,000 areas would be 1.6 GB. SciPy and kodama run the same chain on such a matrix.
//!
//! **Heights** are reported on SciPy's scale, `sqrt(2·Δ)`, which is the Euclidean distance that
//! SciPy's Lance–Williams update for `method="ward"` carries (for two single points it is their
//! distance). **Labels** follow SciPy's `linkage`: merges are sorted by height (stable), leaves are
//! `0..n`, the cluster formed at step `i` is `n + i`, and each merge lists the smaller id first.
//!
//! Ties: when the top of the chain is equally near to its predecessor and to another cluster, the
//! predecessor wins (otherwise the chain could cycle); among other equal candidates the first slot
//! wins. Equal heights may therefore pair up differently from SciPy, as they may between any two
//! implementations; the tests compare leaf sets.

use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result};
use crate::matrix::Matrix;

/// One merge of the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Merge {
    /// The smaller cluster id (leaves are `0..n`, the merge at step `i` makes `n + i`).
    pub left: usize,
    /// The larger cluster id.
    pub right: usize,
    /// Height on SciPy's scale, `sqrt(2·Δ)`.
    pub height: f64,
    /// Number of leaves in the new cluster.
    pub size: usize,
}

/// The whole hierarchy, as data a renderer can draw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dendrogram {
    /// Number of leaves (areas).
    pub n_leaves: usize,
    /// `n − 1` merges in order of non-decreasing height.
    pub merges: Vec<Merge>,
    /// Leaves in drawing order (left child before right child, depth first from the root, as
    /// SciPy's `leaves_list`): drawn in this order, no branches cross.
    pub leaf_order: Vec<usize>,
}

impl Dendrogram {
    /// Cluster labels `0..k` for a cut into `k` clusters (undo the last `k − 1` merges).
    /// Labels are numbered by the first leaf (in input order) of each cluster.
    pub fn cut(&self, k: usize) -> Result<Vec<usize>> {
        let n = self.n_leaves;
        if k == 0 || k > n {
            return Err(AnalysisError::InvalidSetting {
                name: "k".into(),
                reason: format!("must be between 1 and the number of areas ({n})"),
            });
        }
        let mut uf = UnionFind::new(2 * n);
        for (i, m) in self.merges.iter().take(n - k).enumerate() {
            uf.union_into(m.left, n + i);
            uf.union_into(m.right, n + i);
        }
        let mut label_of_root = vec![usize::MAX; 2 * n];
        let mut next = 0;
        Ok((0..n)
            .map(|leaf| {
                let r = uf.find(leaf);
                if label_of_root[r] == usize::MAX {
                    label_of_root[r] = next;
                    next += 1;
                }
                label_of_root[r]
            })
            .collect())
    }
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Makes `root` (a fresh cluster id) the root of `x`'s tree.
    fn union_into(&mut self, x: usize, root: usize) {
        let rx = self.find(x);
        self.parent[rx] = root;
    }
}

/// Ward clustering of the rows of `data` (Euclidean, no standardisation here).
pub fn ward(data: &Matrix) -> Result<Dendrogram> {
    ward_weighted(data, &vec![1.0; data.rows()])
}

/// Ward clustering of groups: row `i` of `data` is the centroid of a group of `sizes[i]` points
/// (a pre-clustering's micro-clusters). The merge cost is Ward's `Δ(A,B)` with the groups'
/// sizes as their initial weights, which is exactly Lance–Williams' Ward update started from
/// those weights: the hierarchy above the groups is the one plain Ward would build on the
/// points if each group had been merged first, and the heights are on the points' scale. With
/// every size 1 it is [`ward`]. The leaves of the result are the groups.
pub fn ward_weighted(data: &Matrix, sizes: &[f64]) -> Result<Dendrogram> {
    let n = data.rows();
    let d = data.cols();
    crate::error::check_len("group sizes", n, sizes.len())?;
    if let Some(s) = sizes.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
        return Err(AnalysisError::InvalidSetting {
            name: "sizes".into(),
            reason: format!("a group size must be a positive number, found {s}"),
        });
    }
    if n < 2 {
        return Err(AnalysisError::TooFewAreas {
            what: "Ward clustering".into(),
            needed: 2,
            got: n,
        });
    }
    // Structure of arrays: one contiguous column per dimension, so the scan over all active
    // centroids is a straight loop the compiler vectorises.
    let mut cols: Vec<Vec<f64>> = (0..d).map(|j| data.column(j)).collect();
    let mut size: Vec<f64> = sizes.to_vec();
    // A leaf of each active cluster: SciPy-style relabelling works on representative leaves.
    let mut rep: Vec<usize> = (0..n).collect();
    let mut m = n;
    let mut chain: Vec<usize> = Vec::with_capacity(n);
    let mut raw: Vec<(usize, usize, f64)> = Vec::with_capacity(n - 1);
    let mut sq = vec![0.0; n];
    let mut x = vec![0.0; d];

    while m > 1 {
        if chain.is_empty() {
            chain.push(0);
        }
        loop {
            let c = chain[chain.len() - 1];
            let prev = (chain.len() >= 2).then(|| chain[chain.len() - 2]);
            for (xk, col) in x.iter_mut().zip(&cols) {
                *xk = col[c];
            }
            let sq = &mut sq[..m];
            sq.fill(0.0);
            for (col, &xk) in cols.iter().zip(&x) {
                for (s, &v) in sq.iter_mut().zip(&col[..m]) {
                    let t = v - xk;
                    *s += t * t;
                }
            }
            let nc = size[c];
            let mut best = usize::MAX;
            let mut best_cost = f64::INFINITY;
            if let Some(p) = prev {
                best = p;
                best_cost = nc * size[p] / (nc + size[p]) * sq[p];
            }
            for (j, (&s, &nj)) in sq.iter().zip(&size[..m]).enumerate() {
                let cost = nc * nj / (nc + nj) * s;
                if cost < best_cost && j != c {
                    best_cost = cost;
                    best = j;
                }
            }
            if Some(best) == prev {
                chain.pop();
                chain.pop();
                raw.push((rep[c], rep[best], best_cost));
                let (lo, hi) = if c < best { (c, best) } else { (best, c) };
                let (nl, nh) = (size[lo], size[hi]);
                let nt = nl + nh;
                for col in cols.iter_mut() {
                    col[lo] = (nl * col[lo] + nh * col[hi]) / nt;
                }
                size[lo] = nt;
                let last = m - 1;
                if hi != last {
                    for col in cols.iter_mut() {
                        col[hi] = col[last];
                    }
                    size[hi] = size[last];
                    rep[hi] = rep[last];
                    if let Some(e) = chain.iter_mut().find(|e| **e == last) {
                        *e = hi;
                    }
                }
                m -= 1;
                break;
            }
            chain.push(best);
        }
    }
    Ok(relabel(n, raw))
}

/// Sorts raw merges by cost and relabels them as SciPy does (`scipy.cluster.hierarchy._hierarchy.label`).
fn relabel(n: usize, mut raw: Vec<(usize, usize, f64)>) -> Dendrogram {
    // Stable sort, like SciPy's mergesort: equal heights keep the order they were found in.
    raw.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut uf = UnionFind::new(2 * n);
    let mut sizes = vec![1usize; 2 * n];
    let merges: Vec<Merge> = raw
        .iter()
        .enumerate()
        .map(|(i, &(a, b, cost))| {
            let (ra, rb) = (uf.find(a), uf.find(b));
            let id = n + i;
            uf.union_into(ra, id);
            uf.union_into(rb, id);
            sizes[id] = sizes[ra] + sizes[rb];
            Merge {
                left: ra.min(rb),
                right: ra.max(rb),
                height: (2.0 * cost.max(0.0)).sqrt(),
                size: sizes[id],
            }
        })
        .collect();
    let leaf_order = leaf_order(n, &merges);
    Dendrogram {
        n_leaves: n,
        merges,
        leaf_order,
    }
}

fn leaf_order(n: usize, merges: &[Merge]) -> Vec<usize> {
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![2 * n - 2];
    while let Some(id) = stack.pop() {
        if id < n {
            order.push(id);
        } else {
            let m = &merges[id - n];
            stack.push(m.right);
            stack.push(m.left);
        }
    }
    order
}

/// Naive `O(n³)` Ward: always merge the globally cheapest pair. The reference in the tests.
#[cfg(test)]
pub(crate) fn ward_naive(data: &Matrix) -> Dendrogram {
    ward_naive_weighted(data, &vec![1.0; data.rows()])
}

/// [`ward_naive`] on groups of the given sizes.
#[cfg(test)]
pub(crate) fn ward_naive_weighted(data: &Matrix, sizes: &[f64]) -> Dendrogram {
    let n = data.rows();
    let mut cent: Vec<Option<(Vec<f64>, f64, usize)>> = (0..n)
        .map(|i| Some((data.row(i).to_vec(), sizes[i], i)))
        .collect();
    let mut raw = Vec::new();
    for _ in 1..n {
        let mut best = (f64::INFINITY, 0, 0);
        for i in 0..n {
            for j in i + 1..n {
                if let (Some(a), Some(b)) = (&cent[i], &cent[j]) {
                    let d2: f64 = a.0.iter().zip(&b.0).map(|(x, y)| (x - y) * (x - y)).sum();
                    let cost = a.1 * b.1 / (a.1 + b.1) * d2;
                    if cost < best.0 {
                        best = (cost, i, j);
                    }
                }
            }
        }
        let (cost, i, j) = best;
        let (Some(a), Some(b)) = (cent[i].take(), cent[j].take()) else {
            unreachable!()
        };
        let nt = a.1 + b.1;
        let c =
            a.0.iter()
                .zip(&b.0)
                .map(|(x, y)| (a.1 * x + b.1 * y) / nt)
                .collect();
        raw.push((a.2, b.2, cost));
        cent[i] = Some((c, nt, a.2));
    }
    relabel(n, raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same merges, heights to 1e-9.
    fn same_merges(a: &Dendrogram, b: &Dendrogram) {
        assert_eq!(a.merges.len(), b.merges.len());
        for (x, y) in a.merges.iter().zip(&b.merges) {
            assert!((x.height - y.height).abs() < 1e-9 * y.height.max(1.0));
            assert_eq!((x.left, x.right, x.size), (y.left, y.right, y.size));
        }
    }

    #[test]
    fn two_points_height_is_distance() {
        let m = Matrix::new(2, 2, vec![0.0, 0.0, 3.0, 4.0]).unwrap();
        let d = ward(&m).unwrap();
        assert_eq!(d.merges.len(), 1);
        assert!((d.merges[0].height - 5.0).abs() < 1e-12);
        assert_eq!(d.merges[0].size, 2);
    }

    #[test]
    fn matches_naive_on_a_small_grid() {
        let v: Vec<f64> = (0..60)
            .map(|i| ((i * 37 % 17) as f64).sin() * 3.0)
            .collect();
        let m = Matrix::new(20, 3, v).unwrap();
        let a = ward(&m).unwrap();
        same_merges(&a, &ward_naive(&m));
        assert_eq!(a.leaf_order.len(), 20);
        let labels = a.cut(4).unwrap();
        assert_eq!(labels.iter().max(), Some(&3));
    }

    #[test]
    fn weighted_matches_naive_weighted() {
        let v: Vec<f64> = (0..75)
            .map(|i| ((i * 53 % 29) as f64).cos() * 2.0)
            .collect();
        let m = Matrix::new(25, 3, v).unwrap();
        let sizes: Vec<f64> = (0..25).map(|i| (1 + i * 7 % 11) as f64).collect();
        same_merges(
            &ward_weighted(&m, &sizes).unwrap(),
            &ward_naive_weighted(&m, &sizes),
        );
        assert!(ward_weighted(&m, &sizes[1..]).is_err());
        let mut zero = sizes.clone();
        zero[3] = 0.0;
        assert!(ward_weighted(&m, &zero).is_err());
    }

    /// Groups of identical points: plain Ward merges each group first at height 0, and the rest
    /// of its hierarchy is Ward on the groups weighted by their sizes, height for height.
    #[test]
    fn weighted_groups_are_plain_ward_on_their_points() {
        let centres = [
            [0.0, 0.0],
            [1.0, 0.2],
            [4.0, 1.0],
            [4.5, 3.0],
            [9.0, -1.0],
            [2.0, 7.0],
        ];
        let sizes = [3usize, 1, 4, 2, 5, 2];
        let mut points = Vec::new();
        for (c, &s) in centres.iter().zip(&sizes) {
            for _ in 0..s {
                points.extend_from_slice(c);
            }
        }
        let n = sizes.iter().sum::<usize>();
        let plain = ward(&Matrix::new(n, 2, points).unwrap()).unwrap();
        let grouped = ward_weighted(
            &Matrix::new(6, 2, centres.concat()).unwrap(),
            &sizes.map(|s| s as f64),
        )
        .unwrap();
        let top: Vec<f64> = plain.merges[n - 6..].iter().map(|m| m.height).collect();
        assert!(plain.merges[..n - 6].iter().all(|m| m.height == 0.0));
        for (a, b) in grouped.merges.iter().zip(&top) {
            assert!((a.height - b).abs() < 1e-9, "{} against {b}", a.height);
        }
        // The same partition: each group's cluster is that of its points.
        let first: Vec<usize> = sizes
            .iter()
            .scan(0, |at, &s| {
                let f = *at;
                *at += s;
                Some(f)
            })
            .collect();
        for k in 1..=6 {
            let by_point = plain.cut(k).unwrap();
            let by_group: Vec<usize> = first.iter().map(|&f| by_point[f]).collect();
            assert_eq!(grouped.cut(k).unwrap(), by_group, "k = {k}");
        }
    }
}
