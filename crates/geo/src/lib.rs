//! Boundary files into WGS84 polygons: the geometry intake of Sozialatlas.
//!
//! This crate reads the boundaries of a city's areas (Stadtteile, statistische Bezirke, …)
//! from GeoJSON, Shapefiles (`.shp` + `.dbf` + `.prj`), zipped Shapefiles or GeoJSON, and
//! GeoPackages (`.gpkg`, one feature table chosen by `layer`),
//! reprojects them to WGS84 with [proj4rs](https://docs.rs/proj4rs) (pure Rust), computes
//! geodesic areas, and checks (and on request repairs) their validity.
//!
//! # Invariant
//!
//! **Everything leaves this crate in WGS84 longitude/latitude (EPSG:4326), x = longitude,
//! with RFC 7946 ring orientation (exterior rings counter-clockwise, holes clockwise), and
//! valid**: a reader either returns geometries that pass [`validate`] (repaired, with a
//! warning, when [`ReadOptions::repair`] is set) or an error that names the feature.
//! No other crate needs to know about CRSs.
//!
//! The one exception is asked for by name: [`ReadOptions::target_crs`] returns the geometries in
//! another CRS (oriented and validated there), for exact work in the CRS of other data — the
//! point-in-polygon aggregation of records given in, say, EPSG:25832 keeps the boundaries in the
//! file's own coordinates when the file is in that CRS too (no transform at all, so a point on a
//! border stays exactly on it).
//!
//! # CRS rules
//!
//! 1. [`ReadOptions::crs`] (from `crs = "EPSG:…"` in `atlas.toml`), when given, overrides
//!    whatever the file says: `EPSG:25832`, `25832`, a proj string (`+proj=…`) or WKT.
//! 2. GeoJSON: a legacy `crs` member (`urn:ogc:def:crs:EPSG::25832`, `EPSG:25832`, CRS84) is
//!    honoured; without one the file is WGS84, as RFC 7946 defines, but coordinates outside
//!    ±180/±90 are an error (they are projected metres, and the CRS must be named).
//! 3. Shapefile: the `.prj` WKT. An `AUTHORITY`/`ID` element decides; else the projection and
//!    its parameters are read (transverse Mercator/Gauss-Krüger, Lambert conformal conic, Web
//!    Mercator, geographic) and the usual German CRSs are recognised by their parameters
//!    (EPSG:25832, 25833, 31466–31469, 4647, 32632, 4326, 4258); other parameter sets (e.g.
//!    Cologne's UTM 32N with false easting 2,500,000 m) become a proj string. No `.prj` and no
//!    `crs` setting is an error. GeoPackage: the layer's `gpkg_spatial_ref_sys` entry — its
//!    EPSG code, else its WKT definition; the undefined systems (srs_id 0 and -1) need `crs`.
//! 4. Any EPSG code from the EPSG table of the `crs-definitions` crate works; an unknown code is
//!    an error. Datum shifts are those of the proj strings (PROJ.4 style, `+towgs84`), good to
//!    about a metre for DHDN (Gauss-Krüger) and exact for ETRS89 ≙ WGS84 at this scale.
//!
//! # Example
//!
//! ```
//! use sozialatlas_geo::{read_geojson, geodesic_area_km2, ReadOptions};
//! let json = br#"{"type":"FeatureCollection","features":[{"type":"Feature",
//!   "properties":{"key":"011"},
//!   "geometry":{"type":"Polygon","coordinates":[[[9.0,54.0],[9.01,54.0],[9.01,54.01],[9.0,54.01],[9.0,54.0]]]}}]}"#;
//! let layer = read_geojson(json, "demo.geojson", &ReadOptions::default()).unwrap();
//! assert_eq!(layer.features[0].properties["key"], "011");
//! let km2 = geodesic_area_km2(&layer.features[0].geometry);
//! assert!(km2 > 0.7 && km2 < 0.75, "{km2}");
//! ```

// The agreed API returns `GeoError` by value (public fields the import reads); errors are rare
// and carry their message, so boxing would buy nothing.
#![allow(clippy::result_large_err)]

mod crs;
mod error;
mod geojson;
mod gpkg;
mod shp;
mod valid;

pub use crs::{Crs, Transformer, WGS84, crs_from_wkt, resolve_crs};
pub use error::GeoError;
pub use geojson::read_geojson;
pub use gpkg::read_gpkg;
pub use shp::{read_path, read_shapefile, read_zip};
pub use valid::{repair, validate};

use geo::GeodesicArea;
use geo_types::MultiPolygon;

/// One boundary feature (an area's geometry and attributes), geometry in WGS84 lon/lat
/// (EPSG:4326), RFC 7946 ring orientation.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    /// 0-based record number in the file.
    pub index: usize,
    /// The attributes: GeoJSON `properties`, or the DBF record (numbers as numbers, character
    /// fields as trimmed strings, leading zeros kept).
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// The geometry, WGS84 lon/lat, valid.
    pub geometry: MultiPolygon<f64>,
}

/// The features of one boundary file (a layer, Ebene).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// The features in file order.
    pub features: Vec<Feature>,
    /// The CRS the file was in, e.g. `EPSG:25832`, or a proj string for a non-standard CRS.
    pub source_crs: String,
    /// Things the user should know but that did not stop the import (repairs, CRS caveats).
    pub warnings: Vec<String>,
}

/// How to read a boundary file.
#[derive(Debug, Default, Clone)]
pub struct ReadOptions {
    /// The file's CRS: `EPSG:25832`, `25832`, a proj string or WKT. Overrides the file's own
    /// CRS information and is required where the file has none.
    pub crs: Option<String>,
    /// Repair invalid geometries (with a warning each) instead of failing.
    pub repair: bool,
    /// Name features in messages by this property (the area key), e.g. `bezirk_id`.
    pub key_property: Option<String>,
    /// The CRS of the returned geometries (default, and `None`: WGS84). When it equals the
    /// file's CRS the coordinates are returned exactly as in the file.
    pub target_crs: Option<String>,
}

/// Geodesic area on the WGS84 ellipsoid in km² (Karney's algorithm, via geo's
/// `GeodesicArea`). Expects WGS84 lon/lat, as everything from this crate is.
pub fn geodesic_area_km2(g: &MultiPolygon<f64>) -> f64 {
    g.geodesic_area_unsigned() / 1e6
}

/// The union of the parts (an overlay area dissolved from its members' boundaries): shared
/// edges vanish, what touches becomes one polygon, holes stay; geo's boolean operations
/// (`unary_union`, i_overlay), RFC 7946 orientation.
pub fn dissolve(parts: &[&MultiPolygon<f64>]) -> MultiPolygon<f64> {
    use geo::orient::{Direction, Orient};
    geo::unary_union(parts.iter().copied()).orient(Direction::Default)
}

/// A raw feature as a reader found it, before reprojection and validation.
pub(crate) struct RawFeature {
    pub index: usize,
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub geometry: MultiPolygon<f64>,
    /// Problems only visible in the file (e.g. unclosed GeoJSON rings, which geo-types closes).
    pub problems: Vec<String>,
}

/// The feature's key for messages: the value of `key_property`, if any.
pub(crate) fn feature_key(
    props: &serde_json::Map<String, serde_json::Value>,
    opts: &ReadOptions,
) -> Option<String> {
    let v = props.get(opts.key_property.as_deref()?)?;
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Common end of every reader: reproject to WGS84, check the result is lon/lat, orient,
/// validate (or repair), and name every problem by file, feature and key.
pub(crate) fn finish(
    raw: Vec<RawFeature>,
    crs: &Crs,
    file: &str,
    opts: &ReadOptions,
    mut warnings: Vec<String>,
) -> Result<Layer, GeoError> {
    let target = match &opts.target_crs {
        Some(t) => resolve_crs(t).map_err(|e| e.in_file(file))?,
        None => resolve_crs(WGS84)?,
    };
    let to_wgs84 = target.proj == resolve_crs(WGS84)?.proj;
    let t = Transformer::from_crs(crs, &target).map_err(|e| e.in_file(file))?;
    if let Some(n) = &crs.note {
        warnings.push(format!("{file}: {n}"));
    }
    let mut features = Vec::with_capacity(raw.len());
    let mut invalid: Vec<(usize, Option<String>, Vec<String>)> = Vec::new();
    for f in raw {
        let key = feature_key(&f.properties, opts);
        let at = |e: GeoError| e.in_file(file).at_feature(f.index, key.as_deref());
        if let Some(found) = valid::non_finite(&f.geometry) {
            return Err(at(GeoError::file(
                file,
                Some("geometry"),
                "coordinates that are numbers",
                found,
            )));
        }
        let g = t.transform_multipolygon(&f.geometry).map_err(at)?;
        if let Some(found) = valid::non_finite(&g) {
            return Err(at(GeoError::file(
                file,
                Some("geometry"),
                format!("coordinates that can be transformed from {}", crs.label),
                format!("{found} after the transformation: is the CRS right?"),
            )));
        }
        if let Some(c) = geo::CoordsIter::coords_iter(&g)
            .find(|c| to_wgs84 && (c.x.abs() > 180.0 || c.y.abs() > 90.0))
        {
            return Err(at(GeoError::file(
                file,
                Some("coordinates"),
                format!("longitude/latitude after transforming from {}", crs.label),
                format!(
                    "({}, {}): is the CRS right? Set crs = \"EPSG:…\" in atlas.toml",
                    c.x, c.y
                ),
            )));
        }
        let g = valid::orient_rfc7946(g);
        let mut problems = f.problems;
        problems.extend(validate(&g));
        let geometry = if problems.is_empty() {
            g
        } else if opts.repair {
            let r = repair(&g);
            let left = validate(&r);
            if r.0.is_empty() || !left.is_empty() {
                return Err(at(GeoError::file(
                    file,
                    Some("geometry"),
                    "a polygon that can be repaired",
                    format!(
                        "{}; after repair: {}",
                        problems.join("; "),
                        if r.0.is_empty() {
                            "nothing with an area is left".to_string()
                        } else {
                            left.join("; ")
                        }
                    ),
                )));
            }
            warnings.push(format!(
                "{}: repaired: {}",
                describe(file, f.index, key.as_deref()),
                problems.join("; ")
            ));
            r
        } else {
            invalid.push((f.index, key.clone(), problems));
            g
        };
        features.push(Feature {
            index: f.index,
            properties: f.properties,
            geometry,
        });
    }
    if let Some((index, key, problems)) = invalid.first() {
        let mut found = problems.join("; ");
        if invalid.len() > 1 {
            let others: Vec<String> = invalid[1..]
                .iter()
                .map(|(i, k, _)| match k {
                    Some(k) => format!("{i} (key {k:?})"),
                    None => i.to_string(),
                })
                .collect();
            found.push_str(&format!(
                "; {} more invalid features: {}",
                others.len(),
                others.join(", ")
            ));
        }
        return Err(GeoError::file(
            file,
            Some("geometry"),
            "a valid polygon (set repair = true to repair it)",
            found,
        )
        .at_feature(*index, key.as_deref()));
    }
    Ok(Layer {
        features,
        source_crs: crs.label.clone(),
        warnings,
    })
}

fn describe(file: &str, index: usize, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("{file}: feature {index} (key {k:?})"),
        None => format!("{file}: feature {index}"),
    }
}
