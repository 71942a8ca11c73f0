//! Shared fixtures: the real Dortmund statistical districts and a naive point-in-polygon.
#![allow(dead_code)]

use geo_types::{Geometry, MultiPolygon};
use std::path::PathBuf;

/// Path of the Dortmund statistical districts (WGS84 lon/lat, treated as planar here).
pub fn dortmund_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/data/dortmund-gebietsgliederung/dortmund_statistische_bezirke.geojson",
    )
}

/// The 62 statistical districts keyed by `source_id`; panics (fails the test) when the file is
/// missing or malformed.
pub fn dortmund() -> Vec<(String, MultiPolygon<f64>)> {
    let path = dortmund_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} is missing: {e}", path.display()));
    let gj: geojson::GeoJson = text.parse().expect("valid GeoJSON");
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        panic!("expected a FeatureCollection")
    };
    let areas: Vec<_> = fc
        .features
        .into_iter()
        .map(|f| {
            let key = f.property("source_id").expect("source_id").to_string();
            let geom = f.geometry.expect("geometry");
            let mp = match Geometry::<f64>::try_from(&geom.value).expect("geometry converts") {
                Geometry::Polygon(p) => MultiPolygon(vec![p]),
                Geometry::MultiPolygon(mp) => mp,
                other => panic!("unexpected geometry {other:?}"),
            };
            (key, mp)
        })
        .collect();
    assert_eq!(areas.len(), 62, "62 statistical districts");
    areas
}

/// Plain crossing-number test in floating point (W. R. Franklin's PNPOLY), all rings, even-odd.
pub fn naive_contains(mp: &MultiPolygon<f64>, x: f64, y: f64) -> bool {
    let mut inside = false;
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            let pts = &ring.0;
            for w in pts.windows(2) {
                let (a, b) = (w[0], w[1]);
                if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
                    inside = !inside;
                }
            }
        }
    }
    inside
}

/// Naive lookups over all areas. Bounding boxes only skip areas that cannot contain the point,
/// to keep the debug-mode tests fast.
pub struct Naive {
    pub areas: Vec<(String, MultiPolygon<f64>)>,
    rects: Vec<geo_types::Rect<f64>>,
}

impl Naive {
    pub fn new(areas: &[(String, MultiPolygon<f64>)]) -> Self {
        use geo::BoundingRect;
        let rects = areas
            .iter()
            .map(|(_, mp)| mp.bounding_rect().expect("non-empty area"))
            .collect();
        Naive {
            areas: areas.to_vec(),
            rects,
        }
    }

    fn in_bbox(&self, i: usize, x: f64, y: f64) -> bool {
        let r = self.rects[i];
        x >= r.min().x && x <= r.max().x && y >= r.min().y && y <= r.max().y
    }

    /// Every area whose (float) crossing number says inside.
    pub fn locate_all(&self, x: f64, y: f64) -> Vec<usize> {
        (0..self.areas.len())
            .filter(|&i| self.in_bbox(i, x, y) && naive_contains(&self.areas[i].1, x, y))
            .collect()
    }

    /// Closed-set inclusion by `geo` (exact predicates): every area whose closure holds the point.
    pub fn closed_containers(&self, x: f64, y: f64) -> Vec<usize> {
        use geo::Intersects;
        let c = geo_types::Coord { x, y };
        (0..self.areas.len())
            .filter(|&i| self.in_bbox(i, x, y) && self.areas[i].1.intersects(&c))
            .collect()
    }
}
