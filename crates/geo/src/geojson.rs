//! GeoJSON (RFC 7946, plus the legacy `crs` member of the 2008 specification).

use crate::{Crs, GeoError, RawFeature, ReadOptions, feature_key, finish, resolve_crs};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value};

/// Reads a GeoJSON FeatureCollection (or a single Feature, or a bare Polygon/MultiPolygon)
/// into a [`Layer`](crate::Layer) in WGS84.
///
/// Every feature must have a Polygon or MultiPolygon geometry. The CRS is `opts.crs`, else the
/// legacy `crs` member, else WGS84 — but coordinates outside ±180/±90 without a `crs` member
/// or `opts.crs` are an error (projected coordinates in a file that does not say so).
pub fn read_geojson(
    bytes: &[u8],
    file_name: &str,
    opts: &ReadOptions,
) -> Result<crate::Layer, GeoError> {
    let file = file_name;
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        GeoError::file(
            file,
            None,
            "GeoJSON (valid JSON)",
            format!("a JSON syntax error: {e}"),
        )
    })?;
    let Some(obj) = root.as_object() else {
        return Err(GeoError::file(
            file,
            None,
            "a GeoJSON object",
            json_kind(&root),
        ));
    };
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");

    // (index, properties, geometry value)
    let mut items: Vec<(usize, Map<String, Value>, &Value)> = Vec::new();
    match ty {
        "FeatureCollection" => {
            let feats = obj
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    GeoError::file(
                        file,
                        Some("features"),
                        "an array of features",
                        obj.get("features").map_or("nothing".into(), json_kind),
                    )
                })?;
            for (i, f) in feats.iter().enumerate() {
                items.push(feature_parts(f, i, file)?);
            }
        }
        "Feature" => items.push(feature_parts(&root, 0, file)?),
        "Polygon" | "MultiPolygon" | "GeometryCollection" => items.push((0, Map::new(), &root)),
        "" => {
            return Err(GeoError::file(
                file,
                Some("type"),
                "a GeoJSON \"type\" (FeatureCollection, Feature, Polygon or MultiPolygon)",
                "no \"type\" member",
            ));
        }
        other => {
            return Err(GeoError::file(
                file,
                Some("type"),
                "FeatureCollection, Feature, Polygon or MultiPolygon",
                format!("{other:?}"),
            ));
        }
    }

    let declared = match obj.get("crs") {
        Some(Value::Null) | None => None,
        Some(c) => Some(crs_member(c).map_err(|found| {
            GeoError::file(file, Some("crs"), "a crs member like {\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::25832\"}}", found)
        })?),
    };
    let crs: Crs = match (&opts.crs, &declared) {
        (Some(c), _) => resolve_crs(c).map_err(|e| e.in_file(file))?,
        (None, Some(c)) => resolve_crs(c).map_err(|e| e.in_file(file))?,
        (None, None) => resolve_crs(crate::WGS84)?,
    };

    let mut raw = Vec::with_capacity(items.len());
    for (index, properties, gv) in items {
        let key = feature_key(&properties, opts);
        let mut problems = Vec::new();
        let geometry = geometry(gv, &mut problems).map_err(|(field, expected, found)| {
            GeoError::file(file, Some(&field), expected, found).at_feature(index, key.as_deref())
        })?;
        if opts.crs.is_none()
            && declared.is_none()
            && let Some(c) = geo::CoordsIter::coords_iter(&geometry)
                .find(|c| c.x.abs() > 180.0 || c.y.abs() > 90.0)
        {
            return Err(GeoError::file(
                file,
                Some("coordinates"),
                "longitude/latitude in degrees (GeoJSON without a \"crs\" member is WGS84), or crs = \"EPSG:…\" in atlas.toml",
                format!("({}, {}), which look like projected coordinates", c.x, c.y),
            )
            .at_feature(index, key.as_deref()));
        }
        raw.push(RawFeature {
            index,
            properties,
            geometry,
            problems,
        });
    }
    finish(raw, &crs, file, opts, Vec::new())
}

fn json_kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("{b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(a) => format!("an array of {}", a.len()),
        Value::Object(o) => match o.get("type").and_then(Value::as_str) {
            Some(t) => format!("a {t} object"),
            None => "an object without \"type\"".into(),
        },
    }
}

fn feature_parts<'a>(
    f: &'a Value,
    i: usize,
    file: &str,
) -> Result<(usize, Map<String, Value>, &'a Value), GeoError> {
    let err = |field: &str, expected: &str, found: String| {
        GeoError::file(file, Some(field), expected, found).at_feature(i, None)
    };
    let Some(o) = f.as_object() else {
        return Err(err("feature", "a Feature object", json_kind(f)));
    };
    match o.get("type").and_then(Value::as_str) {
        Some("Feature") => {}
        Some(t @ ("Polygon" | "MultiPolygon")) => {
            return Err(err(
                "type",
                "a Feature (with the geometry inside)",
                format!("a bare {t}"),
            ));
        }
        _ => {
            return Err(err(
                "type",
                "\"Feature\"",
                o.get("type").map_or("no type".into(), json_kind),
            ));
        }
    }
    let properties = match o.get("properties") {
        Some(Value::Object(p)) => p.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(other) => return Err(err("properties", "an object or null", json_kind(other))),
    };
    static NULL: Value = Value::Null;
    Ok((i, properties, o.get("geometry").unwrap_or(&NULL)))
}

/// The CRS name in a legacy `crs` member.
fn crs_member(c: &Value) -> Result<String, String> {
    let props = c.get("properties");
    match c.get("type").and_then(Value::as_str) {
        Some("name") => props
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| "a \"name\" crs without properties.name".to_string()),
        Some("EPSG") => props
            .and_then(|p| p.get("code"))
            .and_then(|v| {
                v.as_u64()
                    .map(|n| n.to_string())
                    .or_else(|| v.as_str().map(str::to_string))
            })
            .map(|code| format!("EPSG:{code}"))
            .ok_or_else(|| "an \"EPSG\" crs without properties.code".to_string()),
        _ => Err(json_kind(c)),
    }
}

type GeomErr = (String, String, String);

fn geometry(g: &Value, problems: &mut Vec<String>) -> Result<MultiPolygon<f64>, GeomErr> {
    let expected = "a Polygon or MultiPolygon geometry";
    let ty = match g {
        Value::Null => {
            return Err((
                "geometry".into(),
                expected.into(),
                "null (no geometry)".into(),
            ));
        }
        Value::Object(o) => o.get("type").and_then(Value::as_str).unwrap_or(""),
        other => return Err(("geometry".into(), expected.into(), json_kind(other))),
    };
    let coords = || {
        g.get("coordinates").ok_or_else(|| {
            (
                "geometry.coordinates".to_string(),
                "coordinates".to_string(),
                "no \"coordinates\" member".to_string(),
            )
        })
    };
    match ty {
        "Polygon" => Ok(MultiPolygon(vec![polygon(
            coords()?,
            "geometry.coordinates",
            problems,
        )?])),
        "MultiPolygon" => {
            let parts = coords()?.as_array().ok_or_else(|| {
                (
                    "geometry.coordinates".to_string(),
                    "an array of polygons".to_string(),
                    json_kind(g),
                )
            })?;
            parts
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(p, &format!("geometry.coordinates[{i}]"), problems))
                .collect::<Result<Vec<_>, _>>()
                .map(MultiPolygon)
        }
        "GeometryCollection" => {
            let geoms = g
                .get("geometries")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    (
                        "geometry.geometries".to_string(),
                        "an array of geometries".to_string(),
                        "none".to_string(),
                    )
                })?;
            let mut out = Vec::new();
            for (i, sub) in geoms.iter().enumerate() {
                let mp = geometry(sub, problems).map_err(|(f, e, found)| {
                    (
                        f.replacen("geometry", &format!("geometry.geometries[{i}]"), 1),
                        e,
                        found,
                    )
                })?;
                out.extend(mp.0);
            }
            Ok(MultiPolygon(out))
        }
        "" => Err((
            "geometry.type".into(),
            expected.into(),
            "no \"type\"".into(),
        )),
        other => Err((
            "geometry.type".into(),
            expected.into(),
            format!("a {other}"),
        )),
    }
}

fn polygon(v: &Value, path: &str, problems: &mut Vec<String>) -> Result<Polygon<f64>, GeomErr> {
    let rings = v.as_array().ok_or_else(|| {
        (
            path.to_string(),
            "an array of rings".to_string(),
            json_kind(v),
        )
    })?;
    if rings.is_empty() {
        return Err((
            path.to_string(),
            "at least one ring".to_string(),
            "an empty polygon".to_string(),
        ));
    }
    let mut out = Vec::with_capacity(rings.len());
    for (ri, r) in rings.iter().enumerate() {
        let rpath = format!("{path}[{ri}]");
        let pts = r.as_array().ok_or_else(|| {
            (
                rpath.clone(),
                "an array of positions".to_string(),
                json_kind(r),
            )
        })?;
        let mut ls = Vec::with_capacity(pts.len());
        for (k, p) in pts.iter().enumerate() {
            let xy = p.as_array().and_then(|a| match (a.first(), a.get(1)) {
                (Some(x), Some(y)) => Some((x.as_f64()?, y.as_f64()?)),
                _ => None,
            });
            let Some((x, y)) = xy else {
                return Err((
                    format!("{rpath}[{k}]"),
                    "a position [x, y]".to_string(),
                    json_kind(p),
                ));
            };
            ls.push(Coord { x, y });
        }
        if let (Some(f), Some(l)) = (ls.first(), ls.last())
            && f != l
        {
            let name = if ri == 0 {
                "exterior ring".to_string()
            } else {
                format!("hole {}", ri - 1)
            };
            problems.push(format!(
                "{name} at {rpath}: not closed (the last position must repeat the first)"
            ));
        }
        out.push(LineString(ls));
    }
    let mut it = out.into_iter();
    let ext = it.next().unwrap_or_else(|| LineString(vec![]));
    Ok(Polygon::new(ext, it.collect()))
}
