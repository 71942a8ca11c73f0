//! Spatially constrained regions (Regionalisierung): SKATER and max-p.
//!
//! Both build *regions*: groups of areas that are contiguous in the contiguity graph
//! ([`crate::weights`]) and homogeneous in the (z-standardised) indicators, every region
//! reaching a **floor**: a minimum sum of a spatially extensive variable (the population) or,
//! with a variable of ones, a minimum number of areas.
//!
//! * [`skater`] (Assunção, Neves, Câmara & da Costa Freitas 2006, as PySAL spopt's
//!   `Skater`/`SpanningForest`): the minimum spanning tree of the contiguity graph, each edge
//!   costing the squared Euclidean distance of its two areas' attributes (Kruskal, ties by the
//!   pair's indices); then, `k − 1` times, the tree edge whose removal leaves the smallest total
//!   within-region sum of squared deviations `SSD = Σ_r Σ_{i∈r} ‖z_i − z̄_r‖²` with both parts
//!   on the floor is removed (ties: the edge with the smallest `(min(i,j), max(i,j))`). The
//!   objective is that SSD; spopt reaches it with `dissimilarity` = squared Euclidean, its mean
//!   centre and sum reduction. Deterministic.
//! * [`max_p`] (Duque, Anselin & Rey 2012; the heuristic of Wei, Rey & Knaap 2020 as spopt's
//!   `MaxPHeuristic`): as many regions as the floor allows, then the least heterogeneity.
//!   Construction: in a random order each unassigned area seeds a region that grows through its
//!   neighbours (breadth first) until it reaches the floor; areas of regions that cannot reach
//!   it are enclaves, each joined to one of the `top_n` neighbouring regions nearest in
//!   attributes; repeated, the partitions with the most regions are kept. Local search on each:
//!   spopt's simulated annealing with a tabu list (moves of one area on a region's edge to a
//!   neighbouring region that stays contiguous and on the floor), several runs, then a steepest
//!   descent over all such moves until none improves. The objective is spopt's: the sum over
//!   regions of the pairwise city-block distances `Σ_r Σ_{i<j∈r} Σ_c |z_ic − z_jc|`. Random
//!   numbers: ChaCha8 seeded by the caller, so a run is repeated from its stored seed.
//!
//! Areas without a neighbour, or a graph in more than one piece, are an error naming the areas
//! that are cut off: a region must be contiguous, and which island belongs to which region is a
//! decision for the city (a bridge as a neighbour in the boundaries, or a larger snap tolerance).

use rand::{Rng, SeedableRng, seq::SliceRandom};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result, check_finite, check_len};
use crate::matrix::Matrix;
use crate::weights::Weights;

/// The regionalisation method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// SKATER: a given number of regions, cut from the minimum spanning tree.
    Skater,
    /// max-p: as many regions as the floor allows.
    MaxP,
}

/// The floor every region must reach: `Σ_{i∈r} values_i ≥ min`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    /// The spatially extensive variable per area (population; 1 per area for a minimum number
    /// of areas). Finite and ≥ 0.
    pub values: Vec<f64>,
    /// The minimum sum of a region.
    pub min: f64,
}

impl Floor {
    /// A minimum number of areas per region.
    pub fn areas(n: usize, min: usize) -> Self {
        Self {
            values: vec![1.0; n],
            min: min as f64,
        }
    }

    fn check(&self, n: usize) -> Result<()> {
        check_len("floor values", n, self.values.len())?;
        check_finite("floor values", &self.values)?;
        if let Some(i) = self.values.iter().position(|&v| v < 0.0) {
            return Err(AnalysisError::InvalidSetting {
                name: "floor".into(),
                reason: format!("the floor variable is negative for area {i}"),
            });
        }
        if !self.min.is_finite() {
            return Err(AnalysisError::InvalidSetting {
                name: "floor".into(),
                reason: "the minimum must be a finite number".into(),
            });
        }
        let total: f64 = self.values.iter().sum();
        if total < self.min {
            return Err(AnalysisError::InvalidSetting {
                name: "floor".into(),
                reason: format!(
                    "expected a floor that all areas together reach ({total}), found {}",
                    self.min
                ),
            });
        }
        Ok(())
    }
}

/// A maximum no region may exceed: `Σ_{i∈r} values_i ≤ max` (the population; it need not be
/// the floor's variable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ceiling {
    /// The spatially extensive variable per area. Finite and ≥ 0.
    pub values: Vec<f64>,
    /// The maximum sum of a region.
    pub max: f64,
}

impl Ceiling {
    fn check(&self, n: usize) -> Result<()> {
        check_len("maximum values", n, self.values.len())?;
        check_finite("maximum values", &self.values)?;
        if let Some(i) = self.values.iter().position(|&v| v < 0.0) {
            return Err(AnalysisError::InvalidSetting {
                name: "max".into(),
                reason: format!("the variable of the maximum is negative for area {i}"),
            });
        }
        if !(self.max.is_finite() && self.max > 0.0) {
            return Err(AnalysisError::InvalidSetting {
                name: "max".into(),
                reason: format!("expected a maximum > 0, found {}", self.max),
            });
        }
        if let Some(i) = self.values.iter().position(|&v| v > self.max) {
            return Err(AnalysisError::OverMaximum {
                members: vec![i],
                names: Vec::new(),
                total: self.values[i],
                max: self.max,
            });
        }
        Ok(())
    }
}

/// Settings of [`max_p`]; the defaults are spopt's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MaxPSettings {
    /// Seed of the ChaCha8 generator.
    pub seed: u64,
    /// Construction iterations (spopt's `maxp` function: 999; its `MaxPHeuristic` class: 99).
    pub construction_iterations: usize,
    /// Simulated-annealing runs per partition with the most regions (spopt: 10).
    pub annealing_runs: usize,
    /// An enclave joins one of this many nearest neighbouring regions (spopt: 2).
    pub top_n: usize,
    /// Rounds of annealing runs restarted from the best partition, while a round improves it
    /// (not in spopt: 10).
    pub intensification_rounds: usize,
}

impl MaxPSettings {
    /// spopt's defaults with the given seed (the construction iterations of its `maxp`
    /// function, 999: each takes milliseconds here, and more partitions with the most regions
    /// give the local search more starts).
    pub fn with_seed(seed: u64) -> Self {
        Self {
            seed,
            construction_iterations: 999,
            annealing_runs: 10,
            top_n: 2,
            intensification_rounds: 10,
        }
    }
}

/// One region of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Member areas (indices into the input), ascending.
    pub members: Vec<usize>,
    /// Sum of the floor variable over the members.
    pub floor_total: f64,
    /// Within-region sum of squared deviations from the region's mean, `Σ_{i∈r} ‖z_i − z̄_r‖²`.
    pub ssd: f64,
    /// Mean of the members' attributes (the region's profile), one per column.
    pub mean: Vec<f64>,
}

/// A regionalisation: labels, regions and the objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regionalisation {
    /// How it was built.
    pub method: Method,
    /// Region of each area, `0..regions.len()`, numbered by their smallest member.
    pub labels: Vec<usize>,
    /// The regions in label order.
    pub regions: Vec<Region>,
    /// Total sum of squares of all areas around the overall mean, `Σ_i ‖z_i − z̄‖²`; the
    /// regions' SSDs over it are the share of the variation left inside the regions.
    pub total_ss: f64,
    /// Sum of the regions' SSDs.
    pub within_ss: f64,
    /// What the method minimised: `within_ss` for SKATER, the pairwise city-block sum for max-p.
    pub objective: f64,
    /// The settings of a max-p run (with its seed); `None` for SKATER.
    pub max_p: Option<MaxPSettings>,
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn cityblock(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum()
}

/// Within-region sum of squared deviations (two passes).
fn ssd_of(z: &Matrix, members: &[usize]) -> (f64, Vec<f64>) {
    let d = z.cols();
    let mut mean = vec![0.0; d];
    for &i in members {
        for (m, v) in mean.iter_mut().zip(z.row(i)) {
            *m += v;
        }
    }
    let n = members.len().max(1) as f64;
    mean.iter_mut().for_each(|m| *m /= n);
    let ssd = members.iter().map(|&i| sq_dist(z.row(i), &mean)).sum();
    (ssd, mean)
}

/// Sum over regions of the pairwise city-block distances of their members (max-p's objective,
/// spopt's `_calculate_within_region_distance`).
pub fn pairwise_cityblock(z: &Matrix, labels: &[usize]) -> Result<f64> {
    check_len("labels", z.rows(), labels.len())?;
    let mut total = 0.0;
    for i in 0..labels.len() {
        for j in i + 1..labels.len() {
            if labels[i] == labels[j] {
                total += cityblock(z.row(i), z.row(j));
            }
        }
    }
    Ok(total)
}

/// True if every region (areas with the same label) is connected in the weights' graph.
pub fn regions_are_contiguous(w: &Weights, labels: &[usize]) -> bool {
    let n = w.n();
    if labels.len() != n {
        return false;
    }
    let mut seen = vec![false; n];
    let mut started = std::collections::HashSet::new();
    for s in 0..n {
        if seen[s] {
            continue;
        }
        if !started.insert(labels[s]) {
            return false; // a second piece of a region already visited
        }
        let mut stack = vec![s];
        seen[s] = true;
        while let Some(i) = stack.pop() {
            for &j in &w.neighbours[i] {
                if !seen[j] && labels[j] == labels[i] {
                    seen[j] = true;
                    stack.push(j);
                }
            }
        }
    }
    true
}

/// Connected components of the graph restricted to `keep`.
fn components(n: usize, adj: &[Vec<usize>]) -> (usize, Vec<usize>) {
    let mut comp = vec![usize::MAX; n];
    let mut c = 0;
    for s in 0..n {
        if comp[s] != usize::MAX {
            continue;
        }
        comp[s] = c;
        let mut stack = vec![s];
        while let Some(i) = stack.pop() {
            for &j in &adj[i] {
                if comp[j] == usize::MAX {
                    comp[j] = c;
                    stack.push(j);
                }
            }
        }
        c += 1;
    }
    (c, comp)
}

/// The areas outside the largest connected piece of the graph (the first of equal size):
/// islands and groups of areas without a path to the rest, ascending; empty when the graph is
/// one piece.
pub fn cut_off(w: &Weights) -> Vec<usize> {
    let n = w.n();
    let (count, comp) = components(n, &w.neighbours);
    let mut size = vec![0usize; count];
    comp.iter().for_each(|&c| size[c] += 1);
    let main = (0..count)
        .max_by_key(|&c| (size[c], usize::MAX - c))
        .unwrap_or(0);
    (0..n).filter(|&i| comp[i] != main).collect()
}

/// Checks the inputs shared by both methods, and that the graph is one piece.
fn check_inputs(z: &Matrix, w: &Weights, floor: &Floor) -> Result<()> {
    let n = z.rows();
    check_len("weights", n, w.n())?;
    if n == 0 {
        return Err(AnalysisError::TooFewAreas {
            what: "regions".into(),
            needed: 1,
            got: 0,
        });
    }
    floor.check(n)?;
    let cut_off: Vec<String> = cut_off(w).iter().map(|i| i.to_string()).collect();
    if !cut_off.is_empty() {
        return Err(AnalysisError::InvalidSetting {
            name: "neighbours".into(),
            reason: format!(
                "the areas are not all connected: {} area(s) have no path to the rest ({}); \
                 a region must be contiguous",
                cut_off.len(),
                cut_off.join(", ")
            ),
        });
    }
    Ok(())
}

/// Numbers regions by their smallest member and summarises them.
fn finish(
    method: Method,
    z: &Matrix,
    floor: &Floor,
    raw: &[usize],
    objective: Option<f64>,
    max_p: Option<MaxPSettings>,
) -> Regionalisation {
    let n = raw.len();
    let mut map = std::collections::HashMap::new();
    let mut labels = vec![0; n];
    for i in 0..n {
        let next = map.len();
        labels[i] = *map.entry(raw[i]).or_insert(next);
    }
    let mut members = vec![Vec::new(); map.len()];
    for (i, &l) in labels.iter().enumerate() {
        members[l].push(i);
    }
    let regions: Vec<Region> = members
        .into_iter()
        .map(|m| {
            let (ssd, mean) = ssd_of(z, &m);
            Region {
                floor_total: m.iter().map(|&i| floor.values[i]).sum(),
                ssd,
                mean,
                members: m,
            }
        })
        .collect();
    let all: Vec<usize> = (0..n).collect();
    let total_ss = ssd_of(z, &all).0;
    let within_ss = regions.iter().map(|r| r.ssd).sum();
    Regionalisation {
        method,
        labels,
        regions,
        total_ss,
        within_ss,
        objective: objective.unwrap_or(within_ss),
        max_p,
    }
}

/// SKATER: `k` contiguous regions, each on the floor, with the least within-region SSD the
/// greedy pruning of the minimum spanning tree finds (see the module documentation).
pub fn skater(z: &Matrix, w: &Weights, k: usize, floor: &Floor) -> Result<Regionalisation> {
    skater_bounded(z, w, k, floor, None)
}

/// [`skater`] with an optional maximum: after the `k − 1` cuts, a region over the maximum is
/// cut further (the cut with the least SSD among those that leave both parts on the floor, in
/// any region over the maximum) until every region is at or under it, so the result may have
/// more than `k` regions; a region over the maximum without such a cut is
/// [`AnalysisError::OverMaximum`]. Without a maximum it is [`skater`].
pub fn skater_bounded(
    z: &Matrix,
    w: &Weights,
    k: usize,
    floor: &Floor,
    ceiling: Option<&Ceiling>,
) -> Result<Regionalisation> {
    check_inputs(z, w, floor)?;
    let n = z.rows();
    if let Some(c) = ceiling {
        c.check(n)?;
    }
    if k == 0 || k > n {
        return Err(AnalysisError::InvalidSetting {
            name: "k".into(),
            reason: format!("expected 1 … {n} (the number of areas), found {k}"),
        });
    }
    if floor.values.iter().sum::<f64>() < floor.min * k as f64 {
        return Err(AnalysisError::InvalidSetting {
            name: "k".into(),
            reason: format!(
                "expected at most as many regions as the floor {} fits into the total, found {k}",
                floor.min
            ),
        });
    }
    // Kruskal on the contiguity graph.
    let mut edges: Vec<(f64, usize, usize)> = Vec::new();
    for (i, nb) in w.neighbours.iter().enumerate() {
        for &j in nb.iter().filter(|&&j| j > i) {
            edges.push((sq_dist(z.row(i), z.row(j)), i, j));
        }
    }
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut tree: Vec<(usize, usize)> = Vec::with_capacity(n - 1);
    for &(_, i, j) in &edges {
        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
        if a != b {
            parent[a] = b;
            tree.push((i, j));
        }
    }
    tree.sort_unstable();
    let mut regions = 1;
    while regions < k {
        match best_cut(z, floor, &tree, |_| true) {
            Some(e) => {
                tree.remove(e);
                regions += 1;
            }
            None => {
                return Err(AnalysisError::InvalidSetting {
                    name: "k".into(),
                    reason: format!(
                        "expected at most {regions} regions with the floor {} (no cut is left), \
                         found {k}; ask for fewer regions or a lower floor",
                        floor.min
                    ),
                });
            }
        }
    }
    if let Some(c) = ceiling {
        loop {
            let (count, comp) = components(n, &tree_adjacency(n, &tree));
            let mut total = vec![0.0; count];
            for i in 0..n {
                total[comp[i]] += c.values[i];
            }
            let over: Vec<bool> = total.iter().map(|&t| t > c.max).collect();
            if !over.contains(&true) {
                break;
            }
            match best_cut(z, floor, &tree, |r| over[comp[r]]) {
                Some(e) => {
                    tree.remove(e);
                }
                None => {
                    // The largest region over the maximum is the one named.
                    let worst = (0..count)
                        .filter(|&r| over[r])
                        .max_by(|&a, &b| total[a].total_cmp(&total[b]).then(b.cmp(&a)))
                        .unwrap_or(0);
                    return Err(AnalysisError::OverMaximum {
                        members: (0..n).filter(|&i| comp[i] == worst).collect(),
                        names: Vec::new(),
                        total: total[worst],
                        max: c.max,
                    });
                }
            }
        }
    }
    let (_, labels) = components(n, &tree_adjacency(n, &tree));
    Ok(finish(Method::Skater, z, floor, &labels, None, None))
}

fn tree_adjacency(n: usize, tree: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); n];
    for &(i, j) in tree {
        adj[i].push(j);
        adj[j].push(i);
    }
    adj
}

/// The tree edge whose removal leaves the least total SSD with both parts on the floor, among
/// the edges of components whose root `allowed` accepts (ties: the first in `tree`'s order).
fn best_cut(
    z: &Matrix,
    floor: &Floor,
    tree: &[(usize, usize)],
    allowed: impl Fn(usize) -> bool,
) -> Option<usize> {
    let n = z.rows();
    let d = z.cols();
    let adj = tree_adjacency(n, tree);
    // Root every component, accumulate subtree sums of z, ‖z‖², count and floor.
    let mut up = vec![usize::MAX; n];
    let mut comp = vec![usize::MAX; n];
    let mut order = Vec::with_capacity(n);
    let mut roots = Vec::new();
    for s in 0..n {
        if comp[s] != usize::MAX {
            continue;
        }
        let c = roots.len();
        roots.push(s);
        comp[s] = c;
        let mut stack = vec![s];
        while let Some(i) = stack.pop() {
            order.push(i);
            for &j in &adj[i] {
                if comp[j] == usize::MAX {
                    comp[j] = c;
                    up[j] = i;
                    stack.push(j);
                }
            }
        }
    }
    let mut sum = vec![0.0; n * d];
    let mut sq = vec![0.0; n];
    let mut cnt = vec![0.0; n];
    let mut fl = vec![0.0; n];
    for &i in order.iter().rev() {
        for c in 0..d {
            sum[i * d + c] += z.get(i, c);
        }
        sq[i] += z.row(i).iter().map(|v| v * v).sum::<f64>();
        cnt[i] += 1.0;
        fl[i] += floor.values[i];
        if up[i] != usize::MAX {
            let p = up[i];
            for c in 0..d {
                sum[p * d + c] += sum[i * d + c];
            }
            sq[p] += sq[i];
            cnt[p] += cnt[i];
            fl[p] += fl[i];
        }
    }
    let ssd = |s: &[f64], q: f64, m: f64| q - s.iter().map(|v| v * v).sum::<f64>() / m;
    let mut best: Option<(f64, usize)> = None;
    for (e, &(i, j)) in tree.iter().enumerate() {
        let child = if up[j] == i { j } else { i };
        let root = roots[comp[child]];
        if !allowed(root) {
            continue;
        }
        let sc = &sum[child * d..(child + 1) * d];
        let rest: Vec<f64> = (0..d).map(|c| sum[root * d + c] - sc[c]).collect();
        let (fc, fr) = (fl[child], fl[root] - fl[child]);
        if fc < floor.min || fr < floor.min {
            continue;
        }
        let before = ssd(&sum[root * d..(root + 1) * d], sq[root], cnt[root]);
        let after = ssd(sc, sq[child], cnt[child])
            + ssd(&rest, sq[root] - sq[child], cnt[root] - cnt[child]);
        let change = after - before;
        if best.is_none_or(|(b, _)| change < b) {
            best = Some((change, e));
        }
    }
    best.map(|(_, e)| e)
}

/// The state of a max-p partition during the local search.
#[derive(Clone)]
struct Partition {
    labels: Vec<usize>,
    members: Vec<Vec<usize>>,
    floor: Vec<f64>,
    /// Each region's sum of the maximum's variable (zeros without a maximum).
    cap: Vec<f64>,
    /// Scratch marks of the contiguity check: `mark[i] == stamp` means seen.
    mark: Vec<u32>,
    stamp: u32,
}

impl Partition {
    /// `Σ_{m∈r} dist(a, m)`.
    fn distance_to(&self, dist: &[f64], n: usize, a: usize, r: usize) -> f64 {
        self.members[r].iter().map(|&m| dist[a * n + m]).sum()
    }

    /// True if region `labels[a]` stays connected and non-empty without `a`.
    fn connected_without(&mut self, w: &Weights, a: usize) -> bool {
        let r = self.labels[a];
        let Some(&start) = self.members[r].iter().find(|&&i| i != a) else {
            return false;
        };
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        let stamp = self.stamp;
        self.mark[a] = stamp;
        self.mark[start] = stamp;
        let mut seen = 2;
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            for &j in &w.neighbours[i] {
                if self.labels[j] == r && self.mark[j] != stamp {
                    self.mark[j] = stamp;
                    seen += 1;
                    stack.push(j);
                }
            }
        }
        seen == self.members[r].len()
    }

    /// Areas that can leave their region: they border another region, and their own keeps
    /// the floor and stays contiguous without them.
    fn movable(&mut self, w: &Weights, floor: &Floor) -> Vec<usize> {
        let mut out = Vec::new();
        for r in 0..self.members.len() {
            for x in 0..self.members[r].len() {
                let a = self.members[r][x];
                if self.floor[r] - floor.values[a] >= floor.min
                    && w.neighbours[a].iter().any(|&j| self.labels[j] != r)
                    && self.connected_without(w, a)
                {
                    out.push(a);
                }
            }
        }
        out
    }

    /// The neighbouring region nearest to `a` that stays at or under the maximum with it:
    /// (lost, added, recipient).
    fn best_move(
        &self,
        w: &Weights,
        ceil: &Ceiling,
        dist: &[f64],
        n: usize,
        a: usize,
    ) -> Option<(f64, f64, usize)> {
        let donor = self.labels[a];
        let lost = self.distance_to(dist, n, a, donor);
        let mut best: Option<(f64, usize)> = None;
        for &j in &w.neighbours[a] {
            let r = self.labels[j];
            if r != donor && self.cap[r] + ceil.values[a] <= ceil.max {
                let added = self.distance_to(dist, n, a, r);
                if best.is_none_or(|(b, _)| added < b) {
                    best = Some((added, r));
                }
            }
        }
        best.map(|(added, r)| (lost, added, r))
    }

    fn apply(&mut self, floor: &Floor, ceil: &Ceiling, a: usize, to: usize) {
        let from = self.labels[a];
        self.members[from].retain(|&m| m != a);
        self.members[to].push(a);
        self.floor[from] -= floor.values[a];
        self.floor[to] += floor.values[a];
        self.cap[from] -= ceil.values[a];
        self.cap[to] += ceil.values[a];
        self.labels[a] = to;
    }

    fn objective(&self, dist: &[f64], n: usize) -> f64 {
        let mut total = 0.0;
        for m in &self.members {
            for (x, &i) in m.iter().enumerate() {
                for &j in &m[x + 1..] {
                    total += dist[i * n + j];
                }
            }
        }
        total
    }
}

/// One construction of max-p: regions grown from a random order, enclaves assigned; no region
/// grows over the maximum.
fn construct(
    w: &Weights,
    floor: &Floor,
    ceil: &Ceiling,
    dist: &[f64],
    top_n: usize,
    rng: &mut ChaCha8Rng,
) -> Option<Partition> {
    const FREE: usize = usize::MAX;
    const ENCLAVE: usize = usize::MAX - 1;
    let n = w.n();
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut labels = vec![FREE; n];
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut totals = Vec::new();
    let mut caps = Vec::new();
    let mut enclave = Vec::new();
    for &p in &order {
        if labels[p] != FREE {
            continue;
        }
        let c = members.len();
        labels[p] = c;
        let mut grown = vec![p];
        let mut total = floor.values[p];
        let mut cap = ceil.values[p];
        let mut frontier: Vec<usize> = w.neighbours[p].clone();
        let mut listed: std::collections::HashSet<usize> = frontier.iter().copied().collect();
        let mut x = 0;
        while x < frontier.len() && total < floor.min {
            let q = frontier[x];
            if labels[q] == FREE && cap + ceil.values[q] <= ceil.max {
                labels[q] = c;
                grown.push(q);
                total += floor.values[q];
                cap += ceil.values[q];
                if total < floor.min {
                    for &r in &w.neighbours[q] {
                        if listed.insert(r) {
                            frontier.push(r);
                        }
                    }
                }
            }
            x += 1;
        }
        if total < floor.min {
            for &q in &grown {
                labels[q] = ENCLAVE;
            }
            enclave.extend(grown);
        } else {
            members.push(grown);
            totals.push(total);
            caps.push(cap);
        }
    }
    if members.is_empty() {
        return None;
    }
    let mut part = Partition {
        labels,
        members,
        floor: totals,
        cap: caps,
        mark: vec![0; n],
        stamp: 0,
    };
    let mut x = 0;
    while !enclave.is_empty() {
        if x >= enclave.len() {
            // Without a maximum this cannot happen on a connected graph with at least one
            // region; with one, an enclave whose neighbouring regions are all full is.
            return None;
        }
        let e = enclave[x];
        let mut near: Vec<(f64, usize)> = Vec::new();
        for &j in &w.neighbours[e] {
            let r = part.labels[j];
            if r < ENCLAVE
                && part.cap[r] + ceil.values[e] <= ceil.max
                && !near.iter().any(|&(_, s)| s == r)
            {
                near.push((part.distance_to(dist, n, e, r), r));
            }
        }
        if near.is_empty() {
            x += 1;
            continue;
        }
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let pick = rng.random_range(0..near.len().min(top_n.max(1)));
        let r = near[pick].1;
        part.labels[e] = r;
        part.members[r].push(e);
        part.floor[r] += floor.values[e];
        part.cap[r] += ceil.values[e];
        enclave.remove(x);
        x = 0;
    }
    Some(part)
}

/// spopt's simulated annealing with a tabu list (`_perform_sa`), on a copy.
fn anneal(
    start: &Partition,
    w: &Weights,
    floor: &Floor,
    ceil: &Ceiling,
    dist: &[f64],
    rng: &mut ChaCha8Rng,
) -> Partition {
    const ALPHA: f64 = 0.998;
    const TABU: usize = 10;
    let n = w.n();
    let mut p = start.clone();
    let mut t = 1.0;
    let mut idle = 0;
    let mut tabu: std::collections::VecDeque<(usize, usize, usize)> = Default::default();
    let mut candidates: Vec<usize> = Vec::new();
    while idle <= n {
        if candidates.is_empty() {
            candidates = p.movable(w, floor);
        }
        if candidates.is_empty() {
            break;
        }
        let x = rng.random_range(0..candidates.len());
        let a = candidates[x];
        let Some((lost, added, to)) = p.best_move(w, ceil, dist, n, a) else {
            // Every neighbouring region is full (only under a maximum): no move, as an idle
            // step, so that the search ends when no area can move.
            candidates.swap_remove(x);
            idle += 1;
            continue;
        };
        let from = p.labels[a];
        let diff = lost - added;
        let make = if diff > 0.0 {
            if !tabu.contains(&(a, to, from)) {
                if tabu.len() == TABU {
                    tabu.pop_front();
                }
                tabu.push_back((a, to, from));
            }
            idle = 0;
            true
        } else {
            idle += 1;
            let prob = (diff / t).exp();
            prob > rng.random::<f64>() && !tabu.contains(&(a, from, to))
        };
        candidates.swap_remove(x);
        if make {
            p.apply(floor, ceil, a, to);
            candidates.retain(|&c| p.labels[c] != to && p.labels[c] != from);
        }
        t *= ALPHA;
    }
    p
}

/// Steepest descent: the best improving single move until none is left.
fn descend(p: &mut Partition, w: &Weights, floor: &Floor, ceil: &Ceiling, dist: &[f64]) {
    let n = w.n();
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for a in p.movable(w, floor) {
            if let Some((lost, added, to)) = p.best_move(w, ceil, dist, n, a) {
                let gain = lost - added;
                // A relative margin keeps rounding from cycling between equal partitions.
                if gain > 1e-12 * lost.abs().max(1.0) && best.is_none_or(|(g, _, _)| gain > g) {
                    best = Some((gain, a, to));
                }
            }
        }
        match best {
            Some((_, a, to)) => p.apply(floor, ceil, a, to),
            None => return,
        }
    }
}

/// max-p: the most regions that reach the floor, then the least heterogeneity (see the module
/// documentation). Repeatable from `settings.seed`.
pub fn max_p(
    z: &Matrix,
    w: &Weights,
    floor: &Floor,
    settings: &MaxPSettings,
) -> Result<Regionalisation> {
    max_p_bounded(z, w, floor, None, settings)
}

/// [`max_p`] with an optional maximum: no construction grows a region over it, an enclave
/// joins only a neighbouring region with room for it, and no move of the local search fills a
/// region over it. When no construction succeeds it is an error (`max`). Without a maximum it
/// is [`max_p`].
pub fn max_p_bounded(
    z: &Matrix,
    w: &Weights,
    floor: &Floor,
    ceiling: Option<&Ceiling>,
    settings: &MaxPSettings,
) -> Result<Regionalisation> {
    check_inputs(z, w, floor)?;
    let unbounded = Ceiling {
        values: vec![0.0; z.rows()],
        max: f64::INFINITY,
    };
    let ceil = match ceiling {
        Some(c) => {
            c.check(z.rows())?;
            c
        }
        None => &unbounded,
    };
    if settings.construction_iterations == 0 {
        return Err(AnalysisError::InvalidSetting {
            name: "construction_iterations".into(),
            reason: "must be at least 1".into(),
        });
    }
    let n = z.rows();
    let mut dist = vec![0.0; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let v = cityblock(z.row(i), z.row(j));
            dist[i * n + j] = v;
            dist[j * n + i] = v;
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let mut kept: Vec<Partition> = Vec::new();
    for _ in 0..settings.construction_iterations {
        let Some(part) = construct(w, floor, ceil, &dist, settings.top_n, &mut rng) else {
            continue;
        };
        let p = part.members.len();
        match kept.first().map(|k| k.members.len()) {
            Some(q) if p < q => {}
            Some(q) if p > q => kept = vec![part],
            _ => kept.push(part),
        }
    }
    let mut best: Option<(f64, Partition)> = None;
    for start in &kept {
        for _ in 0..settings.annealing_runs.max(1) {
            let mut p = if settings.annealing_runs == 0 {
                start.clone()
            } else {
                anneal(start, w, floor, ceil, &dist, &mut rng)
            };
            descend(&mut p, w, floor, ceil, &dist);
            let obj = p.objective(&dist, n);
            if best.as_ref().is_none_or(|(b, _)| obj < *b) {
                best = Some((obj, p));
            }
        }
    }
    let Some((mut objective, mut part)) = best else {
        return Err(match ceiling {
            Some(c) => AnalysisError::InvalidSetting {
                name: "max".into(),
                reason: format!(
                    "no partition found in which every region reaches the floor {} and stays \
                     at or under the maximum {}; raise the maximum or lower the floor",
                    floor.min, c.max
                ),
            },
            None => AnalysisError::InvalidSetting {
                name: "floor".into(),
                reason: "no region reaches the floor".into(),
            },
        });
    };
    // Iterated local search: annealing restarted from the best partition (its hot start is the
    // perturbation), as long as a round of runs improves it.
    for _ in 0..settings.intensification_rounds {
        let mut improved = false;
        for _ in 0..settings.annealing_runs {
            let mut p = anneal(&part, w, floor, ceil, &dist, &mut rng);
            descend(&mut p, w, floor, ceil, &dist);
            let obj = p.objective(&dist, n);
            if obj < objective - 1e-12 * objective.abs().max(1.0) {
                (objective, part) = (obj, p);
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    Ok(finish(
        Method::MaxP,
        z,
        floor,
        &part.labels,
        Some(objective),
        Some(*settings),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(cols: usize, rows: usize) -> Weights {
        let mut nb = vec![Vec::new(); cols * rows];
        for r in 0..rows {
            for c in 0..cols {
                let i = r * cols + c;
                if c + 1 < cols {
                    nb[i].push(i + 1);
                    nb[i + 1].push(i);
                }
                if r + 1 < rows {
                    nb[i].push(i + cols);
                    nb[i + cols].push(i);
                }
            }
        }
        Weights::from_neighbours(nb).unwrap()
    }

    #[test]
    fn skater_splits_two_obvious_blocks() {
        // 4 × 2 grid: the left half low, the right half high.
        let w = grid(4, 2);
        let z = Matrix::new(8, 1, vec![0.0, 0.1, 5.0, 5.1, 0.2, 0.0, 5.2, 5.0]).unwrap();
        let r = skater(&z, &w, 2, &Floor::areas(8, 1)).unwrap();
        assert_eq!(r.labels, vec![0, 0, 1, 1, 0, 0, 1, 1]);
        assert!(regions_are_contiguous(&w, &r.labels));
        assert!((r.objective - r.within_ss).abs() < 1e-15);
        assert!(r.within_ss < 0.1 * r.total_ss);
    }

    #[test]
    fn skater_respects_the_floor() {
        let w = grid(4, 1);
        let z = Matrix::new(4, 1, vec![0.0, 9.0, 9.0, 9.0]).unwrap();
        // Without a floor the outlier area 0 would be cut off alone.
        let r = skater(&z, &w, 2, &Floor::areas(4, 2)).unwrap();
        assert_eq!(r.labels, vec![0, 0, 1, 1]);
        let err = skater(&z, &w, 3, &Floor::areas(4, 2)).unwrap_err();
        assert!(matches!(err, AnalysisError::InvalidSetting { ref name, .. } if name == "k"));
    }

    #[test]
    fn islands_are_an_error_naming_them() {
        let w = Weights::from_neighbours(vec![vec![1], vec![0], vec![]]).unwrap();
        let z = Matrix::new(3, 1, vec![0.0, 1.0, 2.0]).unwrap();
        let err = skater(&z, &w, 2, &Floor::areas(3, 1)).unwrap_err();
        assert!(err.to_string().contains("(2)"), "{err}");
        let err = max_p(&z, &w, &Floor::areas(3, 1), &MaxPSettings::with_seed(1)).unwrap_err();
        assert!(err.to_string().contains("not all connected"), "{err}");
    }

    #[test]
    fn max_p_finds_the_most_regions_and_is_repeatable() {
        // 6 × 1 path with population 1 each, floor 2: at most 3 regions.
        let w = grid(6, 1);
        let z = Matrix::new(6, 1, vec![0.0, 0.0, 1.0, 1.0, 5.0, 5.0]).unwrap();
        let s = MaxPSettings::with_seed(7);
        let r = max_p(&z, &w, &Floor::areas(6, 2), &s).unwrap();
        assert_eq!(r.regions.len(), 3);
        assert_eq!(r.labels, vec![0, 0, 1, 1, 2, 2]);
        assert_eq!(r.objective, 0.0);
        assert_eq!(r.max_p, Some(s));
        assert_eq!(max_p(&z, &w, &Floor::areas(6, 2), &s).unwrap(), r);
    }

    #[test]
    fn floor_above_the_total_is_an_error() {
        let w = grid(2, 1);
        let z = Matrix::new(2, 1, vec![0.0, 1.0]).unwrap();
        let f = Floor {
            values: vec![10.0, 20.0],
            min: 31.0,
        };
        assert!(max_p(&z, &w, &f, &MaxPSettings::with_seed(1)).is_err());
        assert!(skater(&z, &w, 1, &f).is_err());
    }
}
