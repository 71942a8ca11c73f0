//! Projection of WGS84 areas to pixels, simplification, SVG path data, and label points.

use std::collections::BinaryHeap;
use std::fmt::Write as _;

use geo::{BoundingRect, MapCoords, Simplify};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

use crate::svg::n;

/// Metres per degree of latitude on the mean Earth sphere (R = 6 371 008.8 m, IUGG).
const METRES_PER_DEGREE: f64 = std::f64::consts::PI * 6_371_008.8 / 180.0;

/// A local equirectangular projection (Plattkarte) with the longitude scaled by `cos φ₀` at the
/// centre of the city, fitted into a pixel box with north up. At city scale (≤ 50 km) its
/// distortion of lengths stays below 0.5 %, less than a map's line width.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Projection {
    lon0: f64,
    lat0: f64,
    cos_lat0: f64,
    /// Pixels per projected unit (one degree of latitude).
    scale: f64,
    /// Projected coordinates of the top-left corner of the fitted box.
    x_min: f64,
    y_max: f64,
    /// Pixel offset of the box.
    ox: f64,
    oy: f64,
    /// Size in px of the fitted extent.
    width: f64,
    height: f64,
}

impl Projection {
    /// Fits the bounding box of `areas` into a box `max_width` × `max_height` px at (`ox`,
    /// `oy`), keeping the aspect. `None` without any finite coordinate.
    pub fn fit<'a>(
        areas: impl IntoIterator<Item = &'a MultiPolygon<f64>>,
        ox: f64,
        oy: f64,
        max_width: f64,
        max_height: f64,
    ) -> Option<Projection> {
        let (mut lo_min, mut lo_max, mut la_min, mut la_max) = (
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        );
        for mp in areas {
            if let Some(r) = mp.bounding_rect() {
                let (a, b) = (r.min(), r.max());
                if [a.x, a.y, b.x, b.y].iter().all(|v| v.is_finite()) {
                    lo_min = lo_min.min(a.x);
                    lo_max = lo_max.max(b.x);
                    la_min = la_min.min(a.y);
                    la_max = la_max.max(b.y);
                }
            }
        }
        if !lo_min.is_finite() || !la_min.is_finite() {
            return None;
        }
        let lat0 = (la_min + la_max) / 2.0;
        let lon0 = (lo_min + lo_max) / 2.0;
        let cos_lat0 = lat0.to_radians().cos().max(0.01);
        let dx = ((lo_max - lo_min) * cos_lat0).max(1e-9);
        let dy = (la_max - la_min).max(1e-9);
        let scale = (max_width / dx).min(max_height / dy);
        Some(Projection {
            lon0,
            lat0,
            cos_lat0,
            scale,
            x_min: (lo_min - lon0) * cos_lat0,
            y_max: la_max - lat0,
            ox,
            oy,
            width: dx * scale,
            height: dy * scale,
        })
    }

    /// Pixel position of a lon/lat coordinate.
    pub fn project(&self, c: Coord<f64>) -> Coord<f64> {
        let x = (c.x - self.lon0) * self.cos_lat0;
        let y = c.y - self.lat0;
        Coord {
            x: self.ox + (x - self.x_min) * self.scale,
            y: self.oy + (self.y_max - y) * self.scale,
        }
    }

    /// The longitude/latitude at a pixel position: the inverse of [`project`](Self::project).
    pub fn unproject(&self, px: Coord<f64>) -> Coord<f64> {
        let x = (px.x - self.ox) / self.scale + self.x_min;
        let y = self.y_max - (px.y - self.oy) / self.scale;
        Coord {
            x: x / self.cos_lat0 + self.lon0,
            y: y + self.lat0,
        }
    }

    /// `[lon0, lat0, cos_lat0, x_min, y_max, scale, ox, oy]`: what a script needs to compute
    /// [`unproject`](Self::unproject) (the maps' `data-projection`).
    pub fn params(&self) -> [f64; 8] {
        [
            self.lon0,
            self.lat0,
            self.cos_lat0,
            self.x_min,
            self.y_max,
            self.scale,
            self.ox,
            self.oy,
        ]
    }

    /// Ground metres per pixel.
    pub fn metres_per_px(&self) -> f64 {
        METRES_PER_DEGREE / self.scale
    }

    /// Size in px of the fitted extent.
    pub fn size(&self) -> (f64, f64) {
        (self.width, self.height)
    }
}

/// Projects to pixels and simplifies (Douglas–Peucker, `epsilon` px). A ring that would
/// collapse keeps its unsimplified shape, so that no area disappears.
pub(crate) fn to_pixels(mp: &MultiPolygon<f64>, p: &Projection, epsilon: f64) -> MultiPolygon<f64> {
    let px = mp.map_coords(|c| p.project(c));
    let simplify_ring = |r: &LineString<f64>| {
        let s = r.simplify(epsilon);
        if s.0.len() >= 4 { s } else { r.clone() }
    };
    MultiPolygon(
        px.0.iter()
            .filter(|poly| poly.exterior().0.len() >= 4)
            .map(|poly| {
                Polygon::new(
                    simplify_ring(poly.exterior()),
                    poly.interiors()
                        .iter()
                        .filter(|r| r.0.len() >= 4)
                        .map(simplify_ring)
                        .collect(),
                )
            })
            .collect(),
    )
}

/// SVG path data of pixel polygons, coordinates at 0.1 px, repeated points dropped; with
/// `fill-rule="evenodd"` holes stay holes whatever their orientation.
pub(crate) fn path_data(mp: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for poly in &mp.0 {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            let mut last = String::new();
            let mut count = 0;
            let pts = &ring.0;
            // The closing point repeats the first; `Z` closes.
            let open = if pts.len() > 1 && pts.first() == pts.last() {
                &pts[..pts.len() - 1]
            } else {
                &pts[..]
            };
            for c in open {
                let xy = format!("{} {}", n(c.x), n(c.y));
                if xy == last {
                    continue;
                }
                if count == 0 {
                    let _ = write!(d, "M{xy}");
                } else {
                    let _ = write!(d, " {xy}");
                }
                last = xy;
                count += 1;
            }
            if count > 0 {
                d.push('Z');
            }
        }
    }
    d
}

/// Signed area of a ring (shoelace).
fn ring_area(r: &LineString<f64>) -> f64 {
    r.0.windows(2)
        .map(|w| w[0].x * w[1].y - w[1].x * w[0].y)
        .sum::<f64>()
        / 2.0
}

/// Area of a pixel polygon (outer minus holes).
pub(crate) fn polygon_area(p: &Polygon<f64>) -> f64 {
    ring_area(p.exterior()).abs()
        - p.interiors()
            .iter()
            .map(|r| ring_area(r).abs())
            .sum::<f64>()
}

/// Even–odd point in polygon over all rings.
fn inside(p: &Polygon<f64>, x: f64, y: f64) -> bool {
    let mut c = false;
    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
        for w in ring.0.windows(2) {
            let (a, b) = (w[0], w[1]);
            if (a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x {
                c = !c;
            }
        }
    }
    c
}

fn seg_dist2(x: f64, y: f64, a: Coord<f64>, b: Coord<f64>) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let l2 = dx * dx + dy * dy;
    let t = if l2 > 0.0 {
        (((x - a.x) * dx + (y - a.y) * dy) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (px, py) = (a.x + t * dx - x, a.y + t * dy - y);
    px * px + py * py
}

/// Signed distance from a point to the polygon's boundary: positive inside.
fn signed_distance(p: &Polygon<f64>, x: f64, y: f64) -> f64 {
    let mut d2 = f64::INFINITY;
    for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
        for w in ring.0.windows(2) {
            d2 = d2.min(seg_dist2(x, y, w[0], w[1]));
        }
    }
    let d = d2.sqrt();
    if inside(p, x, y) { d } else { -d }
}

struct Cell {
    x: f64,
    y: f64,
    h: f64,
    d: f64,
    max: f64,
}

impl PartialEq for Cell {
    fn eq(&self, o: &Self) -> bool {
        self.max == o.max
    }
}
impl Eq for Cell {}
impl PartialOrd for Cell {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Cell {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.max.total_cmp(&o.max)
    }
}

/// The pole of inaccessibility of the largest polygon (the inside point farthest from the
/// boundary, Mapbox's polylabel: quadtree cells in a priority queue by the best distance they
/// could hold), to `precision` px, with the distance to the boundary. Labels sit there because a
/// centroid can fall outside a crescent-shaped district.
pub(crate) fn label_point(mp: &MultiPolygon<f64>, precision: f64) -> Option<(Coord<f64>, f64)> {
    let poly =
        mp.0.iter()
            .max_by(|a, b| polygon_area(a).total_cmp(&polygon_area(b)))?;
    let r = poly.exterior().bounding_rect()?;
    let (w, h) = (r.width(), r.height());
    let size = w.min(h);
    if size <= 0.0 {
        return Some((r.min(), 0.0));
    }
    let cell = |x: f64, y: f64, h: f64| {
        let d = signed_distance(poly, x, y);
        Cell {
            x,
            y,
            h,
            d,
            max: d + h * std::f64::consts::SQRT_2,
        }
    };
    let mut queue = BinaryHeap::new();
    let half = size / 2.0;
    let mut x = r.min().x;
    while x < r.max().x {
        let mut y = r.min().y;
        while y < r.max().y {
            queue.push(cell(x + half, y + half, half));
            y += size;
        }
        x += size;
    }
    // Start from the centroid of the ring's vertices and the box centre.
    let c = r.center();
    let mut best = cell(c.x, c.y, 0.0);
    let pts = &poly.exterior().0;
    if !pts.is_empty() {
        let k = pts.len() as f64;
        let (sx, sy) = pts.iter().fold((0.0, 0.0), |(a, b), p| (a + p.x, b + p.y));
        let v = cell(sx / k, sy / k, 0.0);
        if v.d > best.d {
            best = v;
        }
    }
    let mut steps = 0;
    while let Some(c) = queue.pop() {
        if c.d > best.d {
            best = Cell { ..c };
        }
        steps += 1;
        if c.max - best.d <= precision || steps > 20_000 {
            continue;
        }
        let h = c.h / 2.0;
        for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
            queue.push(cell(c.x + dx, c.y + dy, h));
        }
    }
    Some((
        Coord {
            x: best.x,
            y: best.y,
        },
        best.d.max(0.0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn unproject_inverts_project() {
        let square = geo_types::MultiPolygon(vec![geo_types::Polygon::new(
            geo_types::LineString::from(vec![
                (9.40, 54.75),
                (9.50, 54.75),
                (9.50, 54.82),
                (9.40, 54.82),
                (9.40, 54.75),
            ]),
            vec![],
        )]);
        let p = Projection::fit([&square], 12.0, 30.0, 500.0, 600.0).expect("fits");
        for c in [(9.40, 54.75), (9.4567, 54.7891), (9.50, 54.82)] {
            let c = Coord { x: c.0, y: c.1 };
            let back = p.unproject(p.project(c));
            assert!((back.x - c.x).abs() < 1e-12 && (back.y - c.y).abs() < 1e-12);
        }
        // The script's formula from the parameters, as atlas.js computes it.
        let [lon0, lat0, cos, x_min, y_max, scale, ox, oy] = p.params();
        let px = p.project(Coord { x: 9.43, y: 54.80 });
        let lon = ((px.x - ox) / scale + x_min) / cos + lon0;
        let lat = y_max - (px.y - oy) / scale + lat0;
        assert!((lon - 9.43).abs() < 1e-12 && (lat - 54.80).abs() < 1e-12);
    }

    #[test]
    fn projection_keeps_aspect_and_north_up() {
        let sq: MultiPolygon<f64> = MultiPolygon(vec![polygon![
            (x: 9.0, y: 54.0), (x: 9.1, y: 54.0), (x: 9.1, y: 54.1), (x: 9.0, y: 54.1), (x: 9.0, y: 54.0)
        ]]);
        let p = Projection::fit([&sq], 0.0, 0.0, 400.0, 400.0).unwrap();
        let (w, h) = p.size();
        // 0.1° of longitude at 54.05° N is cos(54.05°) of 0.1° of latitude.
        assert!((w / h - 54.05f64.to_radians().cos()).abs() < 1e-9);
        assert!(p.project(Coord { x: 9.0, y: 54.1 }).y < p.project(Coord { x: 9.0, y: 54.0 }).y);
        // 0.1° latitude ≈ 11.12 km over h px.
        assert!((p.metres_per_px() * h - 11_119.5).abs() < 1.0);
    }

    #[test]
    fn label_point_of_a_u_shape_is_inside() {
        let u = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 30.0, y: 0.0), (x: 30.0, y: 30.0), (x: 20.0, y: 30.0),
            (x: 20.0, y: 10.0), (x: 10.0, y: 10.0), (x: 10.0, y: 30.0), (x: 0.0, y: 30.0), (x: 0.0, y: 0.0)
        ]]);
        let (c, d) = label_point(&u, 0.5).unwrap();
        assert!(inside(&u.0[0], c.x, c.y));
        assert!(d >= 4.5, "{d}");
    }
}
