//! Spatial weights: queen and rook contiguity from polygons, row-standardisation.
//!
//! Two areas are **queen** neighbours if their boundaries come within `tolerance` of each other
//! (touching in a single corner is enough), **rook** neighbours if they share a piece of boundary
//! longer than `tolerance`. The tolerance is in the polygons' units (metres in EPSG:25832, degrees
//! in EPSG:4326) and absorbs slivers and tiny gaps between digitised neighbours; 0 demands exactly
//! shared coordinates, as libpysal's `Queen.from_dataframe` does.
//!
//! Candidates come from an R-tree (rstar) over all boundary segments, each envelope widened by
//! the tolerance, so the work is about `O(S log S)` for `S` segments instead of comparing every
//! pair of polygons. A pair of segments from different areas counts for queen if their distance
//! is ≤ tolerance; for rook, the contact points (endpoints of either segment within tolerance of
//! the other) must span more than the tolerance, which excludes corners and crossings.

use geo_types::{Coord, MultiPolygon};
use rstar::{AABB, RTree, RTreeObject};
use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result};

/// Contiguity rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contiguity {
    /// A shared point is enough (Dame im Schach: all eight directions).
    #[default]
    Queen,
    /// A shared edge is needed (Turm: four directions).
    Rook,
}

/// Sparse spatial weights: for each area its neighbours and their weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    /// Neighbour indices per area, ascending.
    pub neighbours: Vec<Vec<usize>>,
    /// Weights in the same order as `neighbours`.
    pub weights: Vec<Vec<f64>>,
    /// True once rows sum to 1 (islands keep an empty row).
    pub row_standardised: bool,
}

impl Weights {
    /// Binary weights from neighbour lists; errors on an index out of range or a self-neighbour.
    /// Lists are sorted and de-duplicated.
    pub fn from_neighbours(mut neighbours: Vec<Vec<usize>>) -> Result<Self> {
        let n = neighbours.len();
        for (i, nb) in neighbours.iter_mut().enumerate() {
            nb.sort_unstable();
            nb.dedup();
            if let Some(&j) = nb.iter().find(|&&j| j >= n || j == i) {
                return Err(AnalysisError::InvalidSetting {
                    name: "neighbours".into(),
                    reason: format!("area {i} lists {j} (itself or out of range 0..{n})"),
                });
            }
        }
        let weights = neighbours.iter().map(|nb| vec![1.0; nb.len()]).collect();
        Ok(Self {
            neighbours,
            weights,
            row_standardised: false,
        })
    }

    /// Number of areas.
    pub fn n(&self) -> usize {
        self.neighbours.len()
    }

    /// Areas without any neighbour (islands): a map should flag them, Moran's statistics treat
    /// their spatial lag as 0.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.n())
            .filter(|&i| self.neighbours[i].is_empty())
            .collect()
    }

    /// Divides each row by its sum (row-standardisation, PySAL's `transform = "r"`), so the
    /// spatial lag is the mean of the neighbours.
    pub fn row_standardise(mut self) -> Self {
        for w in &mut self.weights {
            let s: f64 = w.iter().sum();
            if s > 0.0 {
                w.iter_mut().for_each(|x| *x /= s);
            }
        }
        self.row_standardised = true;
        self
    }

    /// Sum of all weights, S0.
    pub fn s0(&self) -> f64 {
        self.weights.iter().flatten().sum()
    }

    /// Spatial lag `Σ_j w_ij x_j` of every area.
    pub fn lag(&self, x: &[f64]) -> Vec<f64> {
        self.neighbours
            .iter()
            .zip(&self.weights)
            .map(|(nb, w)| nb.iter().zip(w).map(|(&j, w)| w * x[j]).sum())
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    a: Coord<f64>,
    b: Coord<f64>,
    owner: usize,
    envelope: AABB<[f64; 2]>,
}

impl RTreeObject for Segment {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.envelope
    }
}

fn point_segment_dist(p: Coord<f64>, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (qx, qy) = (a.x + t * dx - p.x, a.y + t * dy - p.y);
    (qx * qx + qy * qy).sqrt()
}

fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

fn segments_cross(p: &Segment, q: &Segment) -> bool {
    let d1 = orient(q.a, q.b, p.a);
    let d2 = orient(q.a, q.b, p.b);
    let d3 = orient(p.a, p.b, q.a);
    let d4 = orient(p.a, p.b, q.b);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

fn segment_dist(p: &Segment, q: &Segment) -> f64 {
    if segments_cross(p, q) {
        return 0.0;
    }
    point_segment_dist(p.a, q.a, q.b)
        .min(point_segment_dist(p.b, q.a, q.b))
        .min(point_segment_dist(q.a, p.a, p.b))
        .min(point_segment_dist(q.b, p.a, p.b))
}

/// Length of the stretch along which the two segments are within `tol` of each other,
/// measured between contact endpoints.
fn contact_extent(p: &Segment, q: &Segment, tol: f64) -> f64 {
    let mut pts: Vec<Coord<f64>> = Vec::with_capacity(4);
    for c in [p.a, p.b] {
        if point_segment_dist(c, q.a, q.b) <= tol {
            pts.push(c);
        }
    }
    for c in [q.a, q.b] {
        if point_segment_dist(c, p.a, p.b) <= tol {
            pts.push(c);
        }
    }
    let mut ext = 0.0f64;
    for i in 0..pts.len() {
        for j in i + 1..pts.len() {
            ext = ext.max((pts[i].x - pts[j].x).hypot(pts[i].y - pts[j].y));
        }
    }
    ext
}

/// Contiguity weights (binary; call [`Weights::row_standardise`] for row-standardised ones).
pub fn contiguity(
    polygons: &[MultiPolygon<f64>],
    rule: Contiguity,
    tolerance: f64,
) -> Result<Weights> {
    if !(tolerance >= 0.0 && tolerance.is_finite()) {
        return Err(AnalysisError::InvalidSetting {
            name: "tolerance".into(),
            reason: "must be finite and ≥ 0".into(),
        });
    }
    let mut segments = Vec::new();
    for (owner, mp) in polygons.iter().enumerate() {
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for line in ring.lines() {
                    let (a, b) = (line.start, line.end);
                    if !(a.x.is_finite() && a.y.is_finite() && b.x.is_finite() && b.y.is_finite()) {
                        return Err(AnalysisError::NonFinite {
                            what: "polygon coordinates".into(),
                            row: owner,
                        });
                    }
                    if a == b {
                        continue;
                    }
                    let envelope = AABB::from_corners(
                        [a.x.min(b.x) - tolerance, a.y.min(b.y) - tolerance],
                        [a.x.max(b.x) + tolerance, a.y.max(b.y) + tolerance],
                    );
                    segments.push(Segment {
                        a,
                        b,
                        owner,
                        envelope,
                    });
                }
            }
        }
    }
    let tree = RTree::bulk_load(segments.clone());
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); polygons.len()];
    for s in &segments {
        for t in tree.locate_in_envelope_intersecting(&s.envelope) {
            // Each unordered pair of areas once per segment pair; skip known neighbours early.
            if t.owner <= s.owner || neighbours[s.owner].last() == Some(&t.owner) {
                continue;
            }
            if neighbours[s.owner].contains(&t.owner) {
                continue;
            }
            let hit = match rule {
                Contiguity::Queen => segment_dist(s, t) <= tolerance,
                Contiguity::Rook => {
                    segment_dist(s, t) <= tolerance && contact_extent(s, t, tolerance) > tolerance
                }
            };
            if hit {
                neighbours[s.owner].push(t.owner);
                neighbours[t.owner].push(s.owner);
            }
        }
    }
    Weights::from_neighbours(neighbours)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{MultiPolygon, polygon};

    fn square(x: f64, y: f64) -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon![(x: x, y: y), (x: x + 1.0, y: y), (x: x + 1.0, y: y + 1.0), (x: x, y: y + 1.0)],
        ])
    }

    #[test]
    fn grid_queen_and_rook() {
        // 3 × 3 grid, row-major; the centre (4) has 8 queen and 4 rook neighbours.
        let p: Vec<_> = (0..9)
            .map(|i| square((i % 3) as f64, (i / 3) as f64))
            .collect();
        let q = contiguity(&p, Contiguity::Queen, 0.0).unwrap();
        let r = contiguity(&p, Contiguity::Rook, 0.0).unwrap();
        assert_eq!(q.neighbours[4], vec![0, 1, 2, 3, 5, 6, 7, 8]);
        assert_eq!(r.neighbours[4], vec![1, 3, 5, 7]);
        assert_eq!(q.neighbours[0], vec![1, 3, 4]);
        assert_eq!(r.neighbours[0], vec![1, 3]);
    }

    #[test]
    fn gaps_need_tolerance_and_islands_are_reported() {
        let p = vec![square(0.0, 0.0), square(1.001, 0.0), square(5.0, 5.0)];
        let strict = contiguity(&p, Contiguity::Rook, 0.0).unwrap();
        assert_eq!(strict.islands(), vec![0, 1, 2]);
        let snapped = contiguity(&p, Contiguity::Rook, 0.01).unwrap();
        assert_eq!(snapped.neighbours[0], vec![1]);
        assert_eq!(snapped.islands(), vec![2]);
        let w = snapped.row_standardise();
        assert_eq!(w.weights[0], vec![1.0]);
        assert!(w.weights[2].is_empty());
    }
}
