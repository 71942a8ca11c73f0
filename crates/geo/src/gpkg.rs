//! GeoPackage (`.gpkg`): the OGC SQLite format in which GIS departments hand over boundaries.
//!
//! Read through SQLite (rusqlite, the same libsqlite3 as the store's sqlx) opened read-only and
//! immutable, so nothing is ever written next to the file. The feature table is the only one in
//! `gpkg_contents` or the one named by `layer`; its geometry column comes from
//! `gpkg_geometry_columns`; the CRS from `gpkg_spatial_ref_sys` (an EPSG code, else the WKT
//! definition), unless [`ReadOptions::crs`] overrides it. Geometries are GeoPackage binary blobs
//! (a `GP` header before standard WKB), decoded by geozero; the other columns become the
//! properties.

use crate::crs::{Crs, crs_from_wkt, resolve_crs};
use crate::error::GeoError;
use crate::{Layer, RawFeature, ReadOptions, feature_key, finish};
use geo_types::{Geometry, MultiPolygon};
use geozero::ToGeo;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value};
use std::path::Path;

/// Reads one feature table of a GeoPackage on disk (`layer`, or the only one there is).
pub fn read_gpkg(
    path: &Path,
    file: &str,
    layer: Option<&str>,
    opts: &ReadOptions,
) -> Result<Layer, GeoError> {
    let sql = |e: rusqlite::Error| {
        GeoError::file(file, None, "a readable GeoPackage (SQLite)", e.to_string())
    };
    // `immutable=1`: no journal, no lock, nothing written beside a file in a read-only folder.
    let uri = format!("file:{}?immutable=1", uri_path(path));
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    let layers: Vec<String> = conn
        .prepare(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(|e| {
            GeoError::file(
                file,
                Some("gpkg_contents"),
                "a GeoPackage with feature tables",
                e.to_string(),
            )
        })?;
    let list = || {
        layers
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let table = match (layer, layers.as_slice()) {
        (Some(l), _) if layers.iter().any(|x| x == l) => l.to_string(),
        (Some(l), _) => {
            return Err(GeoError::file(
                file,
                Some("layer"),
                format!("a feature table `{l}`"),
                format!("the feature tables {}", list()),
            ));
        }
        (None, [one]) => one.clone(),
        (None, []) => {
            return Err(GeoError::file(
                file,
                Some("gpkg_contents"),
                "a feature table",
                "none",
            ));
        }
        (None, _) => {
            return Err(GeoError::file(
                file,
                Some("layer"),
                "one feature table, or layer = \"…\" naming one",
                format!("the feature tables {}", list()),
            ));
        }
    };
    let (geom_col, srs_id): (String, i64) = conn
        .query_row(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
            [&table],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| {
            GeoError::file(
                file,
                Some("gpkg_geometry_columns"),
                format!("the geometry column of `{table}`"),
                e.to_string(),
            )
        })?;
    let crs = match &opts.crs {
        Some(c) => resolve_crs(c).map_err(|e| e.in_file(file))?,
        None => layer_crs(&conn, srs_id, file)?,
    };

    let mut stmt = conn
        .prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))
        .map_err(sql)?;
    let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let geom_idx = names
        .iter()
        .position(|n| n.eq_ignore_ascii_case(&geom_col))
        .ok_or_else(|| {
            GeoError::file(
                file,
                Some("gpkg_geometry_columns"),
                format!("a column `{geom_col}` in `{table}`"),
                format!("the columns {}", names.join(", ")),
            )
        })?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let mut raw = Vec::new();
    let mut index = 0;
    while let Some(row) = rows.next().map_err(sql)? {
        let mut properties = Map::new();
        let mut blob = None;
        for (i, name) in names.iter().enumerate() {
            let v = row.get_ref(i).map_err(sql)?;
            if i == geom_idx {
                blob = match v {
                    ValueRef::Blob(b) => Some(b.to_vec()),
                    _ => None,
                };
                continue;
            }
            let value = match v {
                ValueRef::Null => Value::Null,
                ValueRef::Integer(n) => Value::from(n),
                ValueRef::Real(x) => {
                    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
                }
                ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).trim().to_string()),
                ValueRef::Blob(_) => continue,
            };
            properties.insert(name.clone(), value);
        }
        let key = feature_key(&properties, opts);
        let at = |e: GeoError| e.at_feature(index, key.as_deref());
        let geometry = match blob {
            None => {
                return Err(at(GeoError::file(
                    file,
                    Some("geometry"),
                    "a Polygon or MultiPolygon",
                    "no geometry (NULL)",
                )));
            }
            Some(b) => polygons(&b).map_err(|found| {
                at(GeoError::file(
                    file,
                    Some("geometry"),
                    "a Polygon or MultiPolygon",
                    found,
                ))
            })?,
        };
        raw.push(RawFeature {
            index,
            properties,
            geometry,
            problems: Vec::new(),
        });
        index += 1;
    }
    finish(raw, &crs, file, opts, Vec::new())
}

/// A path as the path part of an SQLite URI (`%`, `?` and `#` escaped).
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => out.push_str("%25"),
            '?' => out.push_str("%3f"),
            '#' => out.push_str("%23"),
            c => out.push(c),
        }
    }
    out
}

/// The CRS of `srs_id`: its EPSG code, else its WKT definition; the undefined systems (0, -1)
/// are an error that asks for `crs`.
fn layer_crs(conn: &Connection, srs_id: i64, file: &str) -> Result<Crs, GeoError> {
    let (org, code, definition): (String, i64, String) = conn
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(|e| {
            GeoError::file(
                file,
                Some("gpkg_spatial_ref_sys"),
                format!("the spatial reference system {srs_id}"),
                e.to_string(),
            )
        })?;
    if org.eq_ignore_ascii_case("EPSG") && code > 0 {
        resolve_crs(&format!("EPSG:{code}")).map_err(|e| e.in_file(file))
    } else if srs_id > 0 && !definition.trim().is_empty() && definition.trim() != "undefined" {
        crs_from_wkt(&definition).map_err(|e| e.in_file(file))
    } else {
        Err(GeoError::file(
            file,
            Some("crs"),
            "a layer with a defined CRS, or crs = \"EPSG:…\"",
            format!("the undefined spatial reference system {srs_id}"),
        ))
    }
}

/// A GeoPackage geometry blob as polygons; other geometry types and unreadable blobs are
/// described for the error.
fn polygons(blob: &[u8]) -> Result<MultiPolygon<f64>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        return Err("a blob that is no GeoPackage geometry".into());
    }
    // Flags bit 4: an empty geometry.
    if blob[3] & 0b1_0000 != 0 {
        return Err("an empty geometry".into());
    }
    match geozero::wkb::GpkgWkb(blob).to_geo() {
        Ok(Geometry::Polygon(p)) => Ok(MultiPolygon(vec![p])),
        Ok(Geometry::MultiPolygon(m)) => Ok(m),
        Ok(other) => Err(format!("a {}", kind(&other))),
        Err(e) => Err(format!("an unreadable geometry ({e})")),
    }
}

fn kind(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}
