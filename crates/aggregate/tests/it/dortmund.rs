//! The index against naive point-in-polygon on the real Dortmund statistical districts.

use crate::common::{Naive, dortmund};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_aggregate::PolygonIndex;

#[test]
fn random_points_agree_with_naive_crossing_number() {
    let areas = dortmund();
    let index = PolygonIndex::new(areas.clone()).unwrap();
    let naive = Naive::new(&areas);
    let (min_x, min_y, max_x, max_y) = (7.302451, 51.41572, 7.638118, 51.600053);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut inside = 0;
    for _ in 0..100_000 {
        let x = rng.random_range(min_x - 0.01..max_x + 0.01);
        let y = rng.random_range(min_y - 0.01..max_y + 0.01);
        let found = naive.locate_all(x, y);
        // Random points are never on a border, so the naive answer is unambiguous
        // (overlaps, if the data had any, go to the lowest index).
        assert!(
            (0..areas.len()).all(|i| !index.on_boundary(i, x, y)),
            "random point on a border"
        );
        assert_eq!(
            index.locate(x, y),
            found.first().copied(),
            "point ({x}, {y})"
        );
        inside += usize::from(!found.is_empty());
    }
    // The bounding box is about half city.
    assert!(inside > 40_000, "{inside} points inside");
}

/// Every vertex, every edge midpoint, and points 1e-9 off each edge on both sides.
fn adversarial_points(areas: &[(String, geo_types::MultiPolygon<f64>)]) -> Vec<(f64, f64)> {
    let mut pts = Vec::new();
    for (_, mp) in areas {
        for p in &mp.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for w in ring.0.windows(2) {
                    let (a, b) = (w[0], w[1]);
                    pts.push((a.x, a.y));
                    let (mx, my) = ((a.x + b.x) / 2.0, (a.y + b.y) / 2.0);
                    pts.push((mx, my));
                    let (dx, dy) = (b.x - a.x, b.y - a.y);
                    let len = (dx * dx + dy * dy).sqrt();
                    if len > 0.0 {
                        let (nx, ny) = (-dy / len * 1e-9, dx / len * 1e-9);
                        pts.push((mx + nx, my + ny));
                        pts.push((mx - nx, my - ny));
                    }
                }
            }
        }
    }
    pts
}

#[test]
fn adversarial_points_go_to_exactly_one_area() {
    let areas = dortmund();
    let index = PolygonIndex::new(areas.clone()).unwrap();
    let naive = Naive::new(&areas);
    let pts = adversarial_points(&areas);
    let mut by_containers = [0usize; 4];
    let mut shared_single_owner = 0;
    let mut shared_fallback = 0;
    for &(x, y) in &pts {
        let closed = naive.closed_containers(x, y);
        let located = index.locate(x, y);
        // Assigned iff some closed area holds the point, and then to one of those.
        assert_eq!(
            located.is_some(),
            !closed.is_empty(),
            "({x}, {y}): closed {closed:?}"
        );
        if let Some(a) = located {
            assert!(closed.contains(&a), "({x}, {y}) -> {a}, closed {closed:?}");
        }
        // The half-open owners are a subset of the closed containers, and a unique one wins.
        let owners: Vec<usize> = (0..areas.len())
            .filter(|&i| index.contains_half_open(i, x, y))
            .collect();
        assert!(owners.iter().all(|o| closed.contains(o)), "({x}, {y})");
        if owners.len() == 1 {
            assert_eq!(located, Some(owners[0]));
        } else {
            assert_eq!(located, closed.first().copied(), "fallback: lowest closed");
        }
        // A point in one closed area only (interior, or on the outer city boundary) goes there.
        if closed.len() == 1 {
            assert_eq!(located, Some(closed[0]));
        }
        by_containers[closed.len().min(3)] += 1;
        if closed.len() >= 2 {
            if owners.len() == 1 {
                shared_single_owner += 1;
            } else {
                shared_fallback += 1;
            }
        }
    }
    eprintln!(
        "{} adversarial points; closed containers 0/1/2/3+: {by_containers:?}; \
         on shared borders: {shared_single_owner} by the half-open rule, {shared_fallback} by fallback",
        pts.len()
    );
    assert!(
        by_containers[2] + by_containers[3] > 10_000,
        "many shared-border points"
    );
}
