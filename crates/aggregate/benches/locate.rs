//! Throughput of `PolygonIndex::locate` on Dortmund's districts and on a 10,000-polygon
//! tessellation. `cargo bench -p sozialatlas-aggregate --bench locate`

use std::path::PathBuf;

use divan::{Bencher, black_box, counter::ItemsCount};
use geo_types::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_aggregate::PolygonIndex;

fn main() {
    divan::main();
}

const N: usize = 1_000_000;

fn dortmund() -> Vec<(String, MultiPolygon<f64>)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/data/dortmund-gebietsgliederung/dortmund_statistische_bezirke.geojson",
    );
    let text = std::fs::read_to_string(path).expect("Dortmund districts file");
    let geojson::GeoJson::FeatureCollection(fc) = text.parse().expect("GeoJSON") else {
        panic!("expected a FeatureCollection")
    };
    fc.features
        .into_iter()
        .map(|f| {
            let geom = f.geometry.expect("geometry");
            let mp = match Geometry::<f64>::try_from(&geom.value).expect("geometry") {
                Geometry::Polygon(p) => MultiPolygon(vec![p]),
                Geometry::MultiPolygon(mp) => mp,
                other => panic!("unexpected {other:?}"),
            };
            (String::new(), mp)
        })
        .collect()
}

/// A seeded 100 × 100 grid of quads with jittered shared vertices over [0, 10 000]² (metres).
fn tessellation() -> Vec<(String, MultiPolygon<f64>)> {
    let n = 100;
    let mut rng = ChaCha8Rng::seed_from_u64(10_000);
    let mut v = vec![Coord { x: 0.0, y: 0.0 }; (n + 1) * (n + 1)];
    for i in 0..=n {
        for j in 0..=n {
            let inner = i > 0 && j > 0 && i < n && j < n;
            let (jx, jy) = if inner {
                (rng.random_range(-30.0..30.0), rng.random_range(-30.0..30.0))
            } else {
                (0.0, 0.0)
            };
            v[i * (n + 1) + j] = Coord {
                x: i as f64 * 100.0 + jx,
                y: j as f64 * 100.0 + jy,
            };
        }
    }
    let mut areas = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let at = |a: usize, b: usize| v[a * (n + 1) + b];
            let ring = LineString(vec![
                at(i, j),
                at(i + 1, j),
                at(i + 1, j + 1),
                at(i, j + 1),
                at(i, j),
            ]);
            areas.push((
                String::new(),
                MultiPolygon(vec![Polygon::new(ring, vec![])]),
            ));
        }
    }
    areas
}

fn points(bbox: (f64, f64, f64, f64)) -> Vec<(f64, f64)> {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    (0..N)
        .map(|_| {
            (
                rng.random_range(bbox.0..bbox.2),
                rng.random_range(bbox.1..bbox.3),
            )
        })
        .collect()
}

fn run(bencher: Bencher, index: &PolygonIndex, pts: &[(f64, f64)]) {
    bencher.counter(ItemsCount::new(pts.len())).bench(|| {
        let mut found = 0usize;
        for &(x, y) in pts {
            found += usize::from(index.locate(black_box(x), black_box(y)).is_some());
        }
        found
    });
}

#[divan::bench(sample_count = 10)]
fn dortmund_62_districts(bencher: Bencher) {
    let index = PolygonIndex::new(dortmund()).unwrap();
    let pts = points((7.302451, 51.41572, 7.638118, 51.600053));
    run(bencher, &index, &pts);
}

#[divan::bench(sample_count = 10)]
fn tessellation_10000_quads(bencher: Bencher) {
    let index = PolygonIndex::new(tessellation()).unwrap();
    let pts = points((0.0, 0.0, 10_000.0, 10_000.0));
    run(bencher, &index, &pts);
}

#[divan::bench(sample_count = 3)]
fn build_dortmund(bencher: Bencher) {
    let areas = dortmund();
    bencher.bench(|| PolygonIndex::new(areas.clone()).unwrap());
}
