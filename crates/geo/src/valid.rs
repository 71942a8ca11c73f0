//! Validity checks and repair of polygons (OGC simple-features rules, in plain words).

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::line_intersection::{LineIntersection, line_intersection};
use geo::orient::{Direction, Orient};
use geo::{Area, BoundingRect, Contains, Intersects, MakeValid, MapCoords, unary_union};
use geo_types::{Coord, Line, LineString, MultiPolygon, Point, Polygon};

/// At most this many problems are listed per geometry; the rest are counted.
const MAX_PROBLEMS: usize = 10;

/// One boundary segment with where it comes from.
struct Seg {
    line: Line<f64>,
    part: usize,
    ring: usize,
    /// Index among the ring's non-degenerate segments.
    idx: usize,
    /// Number of non-degenerate segments in the ring.
    n: usize,
}

/// x min, x max, y min, y max.
type BBox = (f64, f64, f64, f64);

/// Pairs of segments whose bounding boxes overlap, by sorting on x and sweeping.
///
/// A plain sweep rather than an R-tree: boundary rings are spread out along x, so few
/// segments overlap in x, and this stays fast even in unoptimised (test) builds, where rstar's
/// generic code is slow.
fn candidate_pairs(segs: &[Seg]) -> Vec<(&Seg, &Seg)> {
    let bbox = |s: &Seg| {
        let (a, b) = (s.line.start, s.line.end);
        (a.x.min(b.x), a.x.max(b.x), a.y.min(b.y), a.y.max(b.y))
    };
    let mut items: Vec<(BBox, &Seg)> = segs.iter().map(|s| (bbox(s), s)).collect();
    items.sort_by(|a, b| a.0.0.total_cmp(&b.0.0));
    let mut out = Vec::new();
    for (i, &((_, x1, y0, y1), s)) in items.iter().enumerate() {
        for &((ox0, _, oy0, oy1), o) in &items[i + 1..] {
            if ox0 > x1 {
                break;
            }
            if oy0 <= y1 && oy1 >= y0 {
                out.push((s, o));
            }
        }
    }
    out
}

/// True when all points lie on one line (the ring encloses nothing).
fn all_collinear(pts: &[Coord<f64>]) -> bool {
    let Some(&p0) = pts.first() else { return true };
    let Some(&p1) = pts.iter().find(|p| **p != p0) else {
        return true;
    };
    pts.iter()
        .all(|&p| RobustKernel::orient2d(p0, p1, p) == Orientation::Collinear)
}

fn ring_name(part: usize, ring: usize, parts: usize) -> String {
    let r = if ring == 0 {
        "exterior ring".to_string()
    } else {
        format!("hole {}", ring - 1)
    };
    if parts > 1 {
        format!("part {part}, {r}")
    } else {
        r
    }
}

fn fmt_xy(c: Coord<f64>) -> String {
    format!("({:.6}, {:.6})", c.x, c.y)
}

/// Lists the problems of a multipolygon in plain words, e.g.
/// `exterior ring: self-intersection at (7.465432, 51.513210)`. Empty means valid.
///
/// Checks, per ring: coordinates that are not numbers, rings that are not closed, rings with
/// fewer than 4 points (3 distinct + the closing one), rings with zero area, self-intersections
/// and spikes (a ring doubling back on itself); between rings of one polygon: crossings and
/// shared segments, holes outside their exterior ring; between parts: crossing or overlapping
/// parts and parts sharing a boundary segment (they should be one polygon).
/// Ring orientation is not checked: the readers orient every ring the RFC 7946 way.
pub fn validate(g: &MultiPolygon<f64>) -> Vec<String> {
    let mut out = Vec::new();
    let parts = g.0.len();
    let mut segs = Vec::new();
    let mut ring_ok = vec![true; parts];
    for (pi, poly) in g.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            let name = ring_name(pi, ri, parts);
            if let Some(k) = ring
                .0
                .iter()
                .position(|c| !c.x.is_finite() || !c.y.is_finite())
            {
                out.push(format!(
                    "{name}: coordinate {k} is not a number (NaN or infinite)"
                ));
                ring_ok[pi] = false;
                continue;
            }
            if ring.0.is_empty() {
                out.push(format!("{name}: empty ring"));
                ring_ok[pi] = false;
                continue;
            }
            if let (Some(first), Some(last)) = (ring.0.first(), ring.0.last())
                && first != last
            {
                out.push(format!(
                    "{name}: not closed (starts at {}, ends at {})",
                    fmt_xy(*first),
                    fmt_xy(*last)
                ));
            }
            let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
            for c in &ring.0 {
                if pts.last() != Some(c) {
                    pts.push(*c);
                }
            }
            if pts.first() != pts.last()
                && let Some(f) = pts.first().copied()
            {
                pts.push(f);
            }
            if pts.len() < 4 {
                out.push(format!(
                    "{name}: too few points ({} distinct; a ring needs at least 3 distinct points and the first repeated at the end)",
                    pts.len().saturating_sub(1)
                ));
                ring_ok[pi] = false;
                continue;
            }
            if all_collinear(&pts) {
                out.push(format!("{name}: zero area (all points on one line)"));
                ring_ok[pi] = false;
                continue;
            }
            let n = pts.len() - 1;
            for (idx, w) in pts.windows(2).enumerate() {
                segs.push(Seg {
                    line: Line::new(w[0], w[1]),
                    part: pi,
                    ring: ri,
                    idx,
                    n,
                });
            }
        }
    }

    let mut crossings: Vec<(usize, usize, usize, usize, String)> = Vec::new();
    for (a, b) in candidate_pairs(&segs) {
        let (a, b) = if (a.part, a.ring, a.idx) < (b.part, b.ring, b.idx) {
            (a, b)
        } else {
            (b, a)
        };
        let Some(x) = line_intersection(a.line, b.line) else {
            continue;
        };
        let msg = if a.part == b.part && a.ring == b.ring {
            let adjacent = b.idx == a.idx + 1 || (a.idx == 0 && b.idx == a.n - 1);
            match x {
                LineIntersection::Collinear { intersection } => format!(
                    "{}: doubles back on itself (spike) at {}",
                    ring_name(a.part, a.ring, parts),
                    fmt_xy(intersection.start)
                ),
                LineIntersection::SinglePoint { .. } if adjacent => continue,
                LineIntersection::SinglePoint { intersection, .. } => format!(
                    "{}: self-intersection at {}",
                    ring_name(a.part, a.ring, parts),
                    fmt_xy(intersection)
                ),
            }
        } else if a.part == b.part {
            match x {
                LineIntersection::Collinear { intersection } => format!(
                    "{} and {} share a segment at {}",
                    ring_name(a.part, a.ring, parts),
                    ring_name(b.part, b.ring, parts),
                    fmt_xy(intersection.start)
                ),
                LineIntersection::SinglePoint {
                    intersection,
                    is_proper: true,
                } => format!(
                    "{} and {} cross at {}",
                    ring_name(a.part, a.ring, parts),
                    ring_name(b.part, b.ring, parts),
                    fmt_xy(intersection)
                ),
                // Rings of a polygon may touch at a point.
                LineIntersection::SinglePoint { .. } => continue,
            }
        } else {
            match x {
                LineIntersection::Collinear { intersection } => format!(
                    "parts {} and {} share a boundary segment at {} (they should be one polygon)",
                    a.part,
                    b.part,
                    fmt_xy(intersection.start)
                ),
                LineIntersection::SinglePoint {
                    intersection,
                    is_proper: true,
                } => format!(
                    "parts {} and {} overlap (their boundaries cross at {})",
                    a.part,
                    b.part,
                    fmt_xy(intersection)
                ),
                LineIntersection::SinglePoint { .. } => continue,
            }
        };
        crossings.push((a.part, a.ring, a.idx, b.idx, msg));
    }
    crossings.sort_by_key(|c| (c.0, c.1, c.2, c.3));
    for c in crossings {
        // A vertex on which several segments meet is found once per pair: say it once.
        if !out.contains(&c.4) {
            out.push(c.4);
        }
    }

    // Holes must lie inside their exterior ring.
    for (pi, poly) in g.0.iter().enumerate() {
        if !ring_ok[pi] {
            continue;
        }
        let shell = Polygon::new(poly.exterior().clone(), vec![]);
        for (hi, hole) in poly.interiors().iter().enumerate() {
            if let Some(c) = hole
                .0
                .iter()
                .find(|c| !shell.exterior().intersects(&Point(**c)))
                && !shell.contains(&Point(*c))
            {
                out.push(format!(
                    "{}: lies outside the exterior ring (at {})",
                    ring_name(pi, hi + 1, parts),
                    fmt_xy(*c)
                ));
            }
        }
    }
    // Parts must not lie inside one another.
    let rects: Vec<_> = g.0.iter().map(|p| p.bounding_rect()).collect();
    for i in 0..parts {
        for j in 0..parts {
            let (Some(ri), Some(rj)) = (rects[i], rects[j]) else {
                continue;
            };
            if i == j || !ring_ok[i] || !ring_ok[j] || !ri.intersects(&rj) {
                continue;
            }
            if let Some(c) = g.0[j]
                .exterior()
                .0
                .iter()
                .find(|c| !g.0[i].exterior().intersects(&Point(**c)))
                && g.0[i].contains(&Point(*c))
            {
                out.push(format!("part {j} lies inside part {i} (at {})", fmt_xy(*c)));
            }
        }
    }
    if out.len() > MAX_PROBLEMS {
        let more = out.len() - MAX_PROBLEMS;
        out.truncate(MAX_PROBLEMS);
        out.push(format!("… and {more} more problems"));
    }
    out
}

/// Repairs what can be repaired: drops coordinates that are not numbers, closes rings, drops
/// repeated points, drops rings with fewer than 3 distinct points or zero area, resolves
/// self-intersections, crossings and overlaps (constrained-triangulation repair, odd-even rule:
/// geo's `MakeValid`), and orients rings the RFC 7946 way (exterior counter-clockwise).
/// The result passes [`validate`]; it may be empty when nothing with an area was left.
pub fn repair(g: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let clean_ring = |ring: &LineString<f64>| -> Option<LineString<f64>> {
        let mut pts: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
        for c in ring.0.iter().filter(|c| c.x.is_finite() && c.y.is_finite()) {
            if pts.last() != Some(c) {
                pts.push(*c);
            }
        }
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.len() < 3 {
            return None;
        }
        if let Some(f) = pts.first().copied() {
            pts.push(f);
        }
        (!all_collinear(&pts)).then_some(LineString(pts))
    };
    let cleaned = MultiPolygon(
        g.0.iter()
            .filter_map(|p| {
                let ext = clean_ring(p.exterior())?;
                Some(Polygon::new(
                    ext,
                    p.interiors().iter().filter_map(clean_ring).collect(),
                ))
            })
            .collect(),
    );
    let mut out = if validate(&cleaned).is_empty() {
        cleaned
    } else {
        // geo's MakeValid snaps points closer than 1e-4 (absolute): in degrees that is metres.
        // Work on coordinates scaled to about 10^6 units across, then scale back.
        let (fwd, back) = scaling(&cleaned);
        let scaled = cleaned.map_coords(&*fwd);
        let fixed = fix_invalid(scaled);
        fixed.map_coords(&*back)
    };
    out.0.retain(|p| p.unsigned_area() > 0.0);
    out.orient(Direction::Default)
}

/// Self-intersections within a polygon: the odd-even rule (a bow-tie becomes two triangles).
/// Overlaps between parts: a union (odd-even would cut the overlap out).
fn fix_invalid(mp: MultiPolygon<f64>) -> MultiPolygon<f64> {
    let parts: Vec<Polygon<f64>> =
        mp.0.iter()
            .flat_map(|p| {
                if validate(&MultiPolygon(vec![p.clone()])).is_empty() {
                    vec![p.clone()]
                } else {
                    p.make_valid()
                        .map(|m| m.0)
                        .unwrap_or_else(|_| vec![p.clone()])
                }
            })
            .collect();
    let mp = MultiPolygon(parts);
    if validate(&mp).is_empty() {
        return mp;
    }
    let u = unary_union(mp.0.iter());
    if validate(&u).is_empty() {
        u
    } else {
        u.make_valid().unwrap_or(u)
    }
}

type CoordMap = Box<dyn Fn(Coord<f64>) -> Coord<f64>>;

/// A translation and power-of-two scaling that maps the geometry's bounding box to about
/// 10^6 units across, and its inverse.
fn scaling(g: &MultiPolygon<f64>) -> (CoordMap, CoordMap) {
    let Some(r) = g.bounding_rect() else {
        return (Box::new(|c| c), Box::new(|c| c));
    };
    let extent = r.width().max(r.height());
    if !(extent > 0.0 && extent.is_finite()) {
        return (Box::new(|c| c), Box::new(|c| c));
    }
    let scale = 2f64.powi((1e6 / extent).log2().floor() as i32);
    let o = r.min();
    (
        Box::new(move |c| Coord {
            x: (c.x - o.x) * scale,
            y: (c.y - o.y) * scale,
        }),
        Box::new(move |c| Coord {
            x: c.x / scale + o.x,
            y: c.y / scale + o.y,
        }),
    )
}

/// The first coordinate that is not a finite number, named by part, ring and position:
/// `part 2, hole 0: coordinate 3 is NaN`. Every reader refuses such a geometry (repair would have
/// to guess where the point was).
pub(crate) fn non_finite(g: &MultiPolygon<f64>) -> Option<String> {
    let parts = g.0.len();
    for (pi, poly) in g.0.iter().enumerate() {
        for (ri, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            if let Some((k, c)) = ring
                .0
                .iter()
                .enumerate()
                .find(|(_, c)| !c.x.is_finite() || !c.y.is_finite())
            {
                return Some(format!(
                    "{}: coordinate {k} is ({}, {})",
                    ring_name(pi, ri, parts),
                    c.x,
                    c.y
                ));
            }
        }
    }
    None
}

/// Orients rings the RFC 7946 way: exterior counter-clockwise, holes clockwise.
pub(crate) fn orient_rfc7946(g: MultiPolygon<f64>) -> MultiPolygon<f64> {
    g.orient(Direction::Default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    fn bowtie() -> MultiPolygon<f64> {
        MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: 1., y: 1.), (x: 1., y: 0.), (x: 0., y: 1.), (x: 0., y: 0.)],
        ])
    }

    #[test]
    fn square_is_valid() {
        let sq = MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)],
        ]);
        assert_eq!(validate(&sq), Vec::<String>::new());
    }

    #[test]
    fn bowtie_is_reported_and_repaired() {
        let p = validate(&bowtie());
        assert_eq!(
            p,
            vec!["exterior ring: self-intersection at (0.500000, 0.500000)".to_string()]
        );
        let r = repair(&bowtie());
        assert_eq!(validate(&r), Vec::<String>::new());
        assert_eq!(r.0.len(), 2);
        assert!((r.unsigned_area() - 0.5).abs() < 1e-12);
        assert!(
            r.0.iter().all(|p| p.signed_area() > 0.0),
            "exterior rings counter-clockwise"
        );
    }

    #[test]
    fn too_few_points_nan_and_hole_outside() {
        let line = MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(0., 0.), (1., 1.), (0., 0.)]),
            vec![],
        )]);
        assert!(
            validate(&line)[0].contains("too few points"),
            "{:?}",
            validate(&line)
        );
        let nan = MultiPolygon(vec![
            polygon![(x: 0., y: 0.), (x: f64::NAN, y: 0.), (x: 1., y: 1.), (x: 0., y: 1.)],
        ]);
        assert!(validate(&nan)[0].contains("not a number"));
        let sq = LineString::from(vec![(0., 0.), (1., 0.), (1., 1.), (0., 1.), (0., 0.)]);
        let far = LineString::from(vec![(5., 5.), (6., 5.), (6., 6.), (5., 5.)]);
        let holed = MultiPolygon(vec![Polygon::new(sq, vec![far])]);
        assert!(
            validate(&holed)[0].contains("hole 0: lies outside"),
            "{:?}",
            validate(&holed)
        );
        assert!(validate(&repair(&nan)).is_empty());
        assert!(repair(&line).0.is_empty());
    }

    #[test]
    fn overlapping_parts() {
        let a = polygon![(x: 0., y: 0.), (x: 2., y: 0.), (x: 2., y: 2.), (x: 0., y: 2.)];
        let b = polygon![(x: 1., y: 1.), (x: 3., y: 1.), (x: 3., y: 3.), (x: 1., y: 3.)];
        let mp = MultiPolygon(vec![a, b]);
        assert!(
            validate(&mp)
                .iter()
                .any(|m| m.contains("parts 0 and 1 overlap"))
        );
        let r = repair(&mp);
        assert!(validate(&r).is_empty(), "{:?}", validate(&r));
        assert!(
            (r.unsigned_area() - 7.0).abs() < 1e-9,
            "union, not symmetric difference"
        );
    }
}
