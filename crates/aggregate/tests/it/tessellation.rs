//! Property tests on tessellations with shared edges and on random simple polygons.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use proptest::prelude::*;
use sozialatlas_aggregate::{IndexOptions, PolygonIndex};

/// A jittered n × n grid of quads over [0, n]², vertices on a 1/16 lattice (so midpoints of edges
/// are exact), cells merged into `k` multipolygon areas, cell (0, 0) with a diamond hole that is
/// itself an extra area.
fn tessellation(
    n: usize,
    jitter: &[(i8, i8)],
    owner: &[usize],
    k: usize,
) -> Vec<(String, MultiPolygon<f64>)> {
    let vertex = |i: usize, j: usize| {
        let (jx, jy) = if i == 0 || j == 0 || i == n || j == n {
            (0, 0)
        } else {
            jitter[(i * (n + 1) + j) % jitter.len()]
        };
        Coord {
            x: i as f64 + f64::from(jx) / 16.0,
            y: j as f64 + f64::from(jy) / 16.0,
        }
    };
    let mut parts: Vec<Vec<Polygon<f64>>> = vec![Vec::new(); k + 1];
    let diamond = LineString::from(vec![
        (0.5, 0.25),
        (0.75, 0.5),
        (0.5, 0.75),
        (0.25, 0.5),
        (0.5, 0.25),
    ]);
    for i in 0..n {
        for j in 0..n {
            let ring = LineString::from(vec![
                vertex(i, j),
                vertex(i + 1, j),
                vertex(i + 1, j + 1),
                vertex(i, j + 1),
                vertex(i, j),
            ]);
            let holes = if i == 0 && j == 0 {
                vec![diamond.clone()]
            } else {
                vec![]
            };
            parts[owner[(i * n + j) % owner.len()] % k].push(Polygon::new(ring, holes));
        }
    }
    parts[k].push(Polygon::new(diamond, vec![]));
    parts
        .into_iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(a, p)| (format!("area{a}"), MultiPolygon(p)))
        .collect()
}

fn test_points(
    n: usize,
    random: &[(i32, i32)],
    areas: &[(String, MultiPolygon<f64>)],
) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = random
        .iter()
        .map(|&(x, y)| (f64::from(x) / 64.0, f64::from(y) / 64.0))
        .collect();
    for (_, mp) in areas {
        for p in &mp.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    pts.push((a.x, a.y));
                    pts.push(((a.x + b.x) / 2.0, (a.y + b.y) / 2.0));
                    pts.push(((3.0 * a.x + b.x) / 4.0, (3.0 * a.y + b.y) / 4.0));
                }
            }
        }
    }
    pts.push((n as f64, n as f64));
    pts.push((0.0, 0.0));
    pts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn tessellation_assigns_every_point_exactly_once(
        n in 1usize..7,
        jitter in prop::collection::vec((-3i8..=3, -3i8..=3), 1..50),
        owner in prop::collection::vec(0usize..100, 1..50),
        k in 1usize..6,
        random in prop::collection::vec((-40i32..500, -40i32..500), 0..300),
        cells_per_edge in prop_oneof![Just(Some(0.01)), Just(Some(1.0)), Just(Some(64.0)), Just(None)],
    ) {
        let areas = tessellation(n, &jitter, &owner, k);
        let options = IndexOptions { cells_per_edge, min_cells: 1, max_cells: 1 << 16 };
        let index = PolygonIndex::with_options(areas.clone(), options).unwrap();
        let nf = n as f64;
        let mut counts = vec![0usize; areas.len()];
        let mut inside_closed = 0;
        for (x, y) in test_points(n, &random, &areas) {
            let owners: Vec<usize> =
                (0..areas.len()).filter(|&a| index.contains_half_open(a, x, y)).collect();
            let interior = x > 0.0 && x < nf && y > 0.0 && y < nf;
            let closed = (0.0..=nf).contains(&x) && (0.0..=nf).contains(&y);
            if interior {
                // The half-open rule alone gives exactly one owner inside a tessellation.
                prop_assert_eq!(owners.len(), 1, "({}, {}) owners {:?}", x, y, owners);
            }
            let located = index.locate(x, y);
            if owners.len() == 1 {
                prop_assert_eq!(located, Some(owners[0]));
            }
            // Closed union: assigned; outside: not.
            prop_assert_eq!(located.is_some(), closed, "({}, {})", x, y);
            if let Some(a) = located {
                prop_assert!(index.contains_closed(a, x, y));
                counts[a] += 1;
            }
            inside_closed += usize::from(closed);
        }
        prop_assert_eq!(counts.iter().sum::<usize>(), inside_closed);
    }

    #[test]
    fn star_polygon_matches_geo(
        radii in prop::collection::vec(1u32..1000, 3..60),
        random in prop::collection::vec((-1100i32..1100, -1100i32..1100), 0..200),
    ) {
        use geo::{Contains, Intersects};
        // A star-shaped polygon around the origin is simple; vertices rounded to integers.
        let m = radii.len();
        let mut ring: Vec<Coord<f64>> = radii
            .iter()
            .enumerate()
            .map(|(i, &r)| {
                let t = i as f64 / m as f64 * std::f64::consts::TAU;
                Coord { x: (f64::from(r) * t.cos()).round(), y: (f64::from(r) * t.sin()).round() }
            })
            .collect();
        ring.dedup();
        prop_assume!(ring.len() >= 3);
        let poly = Polygon::new(LineString::from(ring.clone()), vec![]);
        prop_assume!(geo::Area::unsigned_area(&poly) > 0.0);
        let areas = vec![("star".to_string(), MultiPolygon(vec![poly.clone()]))];
        let index = PolygonIndex::with_options(areas, IndexOptions { cells_per_edge: Some(4.0), min_cells: 1, max_cells: 4096 }).unwrap();
        let mut pts: Vec<(f64, f64)> = random.iter().map(|&(x, y)| (f64::from(x), f64::from(y))).collect();
        pts.extend(ring.iter().map(|c| (c.x, c.y)));
        for w in ring.windows(2) {
            pts.push(((w[0].x + w[1].x) / 2.0, (w[0].y + w[1].y) / 2.0));
        }
        for (x, y) in pts {
            let c = Coord { x, y };
            prop_assert_eq!(index.locate(x, y).is_some(), poly.intersects(&c), "({}, {})", x, y);
            if poly.contains(&c) {
                prop_assert!(index.contains_half_open(0, x, y));
            }
        }
    }
}

#[test]
fn empty_and_degenerate_inputs() {
    let index = PolygonIndex::new(vec![]).unwrap();
    assert!(index.is_empty());
    assert_eq!(index.locate(0.0, 0.0), None);
    let index = PolygonIndex::new(vec![("none".into(), MultiPolygon(vec![]))]).unwrap();
    assert_eq!(index.locate(0.0, 0.0), None);
    let bad = Polygon::new(
        LineString::from(vec![(0.0, 0.0), (f64::NAN, 1.0), (1.0, 0.0)]),
        vec![],
    );
    assert!(PolygonIndex::new(vec![("bad".into(), MultiPolygon(vec![bad]))]).is_err());
    let index = tessellation(2, &[(0, 0)], &[0], 1);
    let index = PolygonIndex::new(index).unwrap();
    assert_eq!(index.locate(f64::NAN, 1.0), None);
    assert_eq!(index.locate(1.0, f64::INFINITY), None);
}
