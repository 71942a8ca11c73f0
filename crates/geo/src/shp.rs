//! Shapefiles (`.shp` + `.dbf` + `.prj`), zipped or not, and reading by path.

use crate::{
    GeoError, Layer, RawFeature, ReadOptions, crs_from_wkt, feature_key, finish, read_geojson,
    resolve_crs,
};
use geo::{Area, Contains};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::{Map, Number, Value};
use shapefile::dbase::{self, FieldValue};
use shapefile::record::traits::HasXY;
use shapefile::{PolygonRing, Shape, ShapeReader};
use std::io::{Cursor, Read};
use std::path::Path;

const NO_CRS: &str = "no CRS information: add a .prj file or set crs = \"EPSG:…\" in atlas.toml";

/// Reads a shapefile from memory: `.shp` and `.dbf` bytes and the `.prj` text, if any.
///
/// Polygon, PolygonZ and PolygonM shapes are accepted (Z and M are dropped); rings are
/// classified by orientation (clockwise = exterior, as the shapefile spec says) and holes
/// are assigned to the exterior ring that contains them. The DBF record becomes the
/// properties: numbers as numbers, character fields as trimmed strings (leading zeros kept),
/// dates as `YYYY-MM-DD`. The DBF text encoding is UTF-8 if the records are valid UTF-8, else
/// Windows-1252 (older German files).
pub fn read_shapefile(
    shp: &[u8],
    dbf: &[u8],
    prj: Option<&str>,
    file_name: &str,
    opts: &ReadOptions,
) -> Result<Layer, GeoError> {
    let file = file_name;
    let crs = match (&opts.crs, prj) {
        (Some(c), _) => resolve_crs(c).map_err(|e| e.in_file(file))?,
        (None, Some(p)) if !p.trim().is_empty() => crs_from_wkt(p).map_err(|e| e.in_file(file))?,
        _ => {
            return Err(GeoError::file(
                file,
                Some("crs"),
                "a .prj file or crs = \"EPSG:…\"",
                NO_CRS,
            ));
        }
    };
    let shp_err = |e: shapefile::Error| {
        GeoError::file(file, Some(".shp"), "a readable shapefile", e.to_string())
    };
    let mut shapes = ShapeReader::new(Cursor::new(shp)).map_err(shp_err)?;
    let encoding = if dbf_text_is_utf8(dbf) {
        encoding_rs::UTF_8
    } else {
        encoding_rs::WINDOWS_1252
    };
    let mut records = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding))
        .build(Cursor::new(dbf))
        .map_err(|e| GeoError::file(file, Some(".dbf"), "a readable dBASE file", e.to_string()))?;

    let mut raw = Vec::new();
    let mut rec_iter = records.iter_records();
    for (index, shape) in shapes.iter_shapes().enumerate() {
        let record = match rec_iter.next() {
            Some(r) => r.map_err(|e| {
                GeoError::file(file, Some(".dbf"), "a readable record", e.to_string())
                    .at_feature(index, None)
            })?,
            None => {
                return Err(GeoError::file(
                    file,
                    Some(".dbf"),
                    "one record per shape",
                    format!("no record for shape {index}"),
                ));
            }
        };
        let properties = record_to_json(record);
        let key = feature_key(&properties, opts);
        let at = |e: GeoError| e.at_feature(index, key.as_deref());
        let shape = shape.map_err(|e| at(shp_err(e)))?;
        let rings: Vec<Vec<Coord<f64>>> = match shape {
            Shape::Polygon(p) => p.rings().iter().map(ring_coords).collect(),
            Shape::PolygonM(p) => p.rings().iter().map(ring_coords).collect(),
            Shape::PolygonZ(p) => p.rings().iter().map(ring_coords).collect(),
            Shape::NullShape => {
                return Err(at(GeoError::file(
                    file,
                    Some("geometry"),
                    "a Polygon",
                    "a null shape (no geometry)",
                )));
            }
            other => {
                return Err(at(GeoError::file(
                    file,
                    Some("geometry"),
                    "a Polygon",
                    format!("a {}", other.shapetype()),
                )));
            }
        };
        // Before the rings are classified by their orientation, which needs numbers.
        for (ri, ring) in rings.iter().enumerate() {
            if let Some((k, c)) = ring
                .iter()
                .enumerate()
                .find(|(_, c)| !c.x.is_finite() || !c.y.is_finite())
            {
                return Err(at(GeoError::file(
                    file,
                    Some("geometry"),
                    "coordinates that are numbers",
                    format!(
                        "ring {ri} of the shape: coordinate {k} is ({}, {})",
                        c.x, c.y
                    ),
                )));
            }
        }
        raw.push(RawFeature {
            index,
            properties,
            geometry: assemble(rings),
            problems: Vec::new(),
        });
    }
    finish(raw, &crs, file, opts, Vec::new())
}

/// True when the DBF records (after the header) are valid UTF-8.
fn dbf_text_is_utf8(dbf: &[u8]) -> bool {
    let header_len = dbf
        .get(8..10)
        .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize);
    std::str::from_utf8(dbf.get(header_len..).unwrap_or(&[])).is_ok()
}

fn record_to_json(record: dbase::Record) -> Map<String, Value> {
    let mut m = Map::new();
    for (name, value) in record {
        let v = match value {
            FieldValue::Character(Some(s)) => Value::String(s.trim().to_string()),
            FieldValue::Memo(s) => Value::String(s.trim().to_string()),
            FieldValue::Numeric(Some(x)) | FieldValue::Double(x) | FieldValue::Currency(x) => {
                number(x)
            }
            FieldValue::Float(Some(x)) => number(f64::from(x)),
            FieldValue::Integer(i) => Value::Number(i.into()),
            FieldValue::Logical(Some(b)) => Value::Bool(b),
            FieldValue::Date(Some(d)) => {
                Value::String(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
            }
            FieldValue::DateTime(dt) => {
                let (d, t) = (dt.date(), dt.time());
                Value::String(format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                    d.year(),
                    d.month(),
                    d.day(),
                    t.hours(),
                    t.minutes(),
                    t.seconds()
                ))
            }
            _ => Value::Null,
        };
        m.insert(name, v);
    }
    m
}

/// Whole numbers as integers (`3`, not `3.0`), others as floats.
fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::Number((x as i64).into())
    } else {
        Number::from_f64(x).map_or(Value::Null, Value::Number)
    }
}

/// Shapefile rings to polygons: clockwise rings are exteriors, counter-clockwise rings holes,
/// each hole going to the smallest exterior that contains it. A hole in no exterior becomes
/// an exterior itself (as GDAL does), and validation decides whether that is a problem.
fn assemble(rings: Vec<Vec<Coord<f64>>>) -> MultiPolygon<f64> {
    let mut shells: Vec<(Polygon<f64>, Vec<LineString<f64>>, f64)> = Vec::new();
    let mut holes = Vec::new();
    for r in rings {
        let ls = LineString(r);
        let signed = Polygon::new(ls.clone(), vec![]).signed_area();
        if signed <= 0.0 {
            let shell = Polygon::new(ls, vec![]);
            let a = shell.unsigned_area();
            shells.push((shell, Vec::new(), a));
        } else {
            holes.push(ls);
        }
    }
    for h in holes {
        let probe = h.0.first().copied();
        let target = shells
            .iter_mut()
            .filter(|(s, _, _)| {
                probe.is_some_and(|c| s.contains(&Point(c)) || s.exterior().0.contains(&c))
            })
            .min_by(|a, b| a.2.total_cmp(&b.2));
        match target {
            Some((_, hs, _)) => hs.push(h),
            None => shells.push((Polygon::new(h, vec![]), Vec::new(), 0.0)),
        }
    }
    MultiPolygon(
        shells
            .into_iter()
            .map(|(s, hs, _)| Polygon::new(s.into_inner().0, hs))
            .collect(),
    )
}

/// Reads a zip archive holding one shapefile (`.shp`, `.dbf`, optionally `.prj`) or one
/// GeoJSON file (`.geojson`/`.json`). Entries in `__MACOSX/` are ignored.
pub fn read_zip(bytes: &[u8], file_name: &str, opts: &ReadOptions) -> Result<Layer, GeoError> {
    let file = file_name;
    let zerr = |e: zip::result::ZipError| {
        GeoError::file(file, None, "a readable zip archive", e.to_string())
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zerr)?;
    let names: Vec<String> = zip
        .file_names()
        .filter(|n| !n.starts_with("__MACOSX/") && !n.ends_with('/'))
        .map(str::to_string)
        .collect();
    let with_ext = |ext: &str| -> Vec<&String> {
        names
            .iter()
            .filter(|n| n.to_ascii_lowercase().ends_with(ext))
            .collect()
    };
    let mut read_entry = |name: &str| -> Result<Vec<u8>, GeoError> {
        let mut f = zip.by_name(name).map_err(zerr)?;
        let mut buf = Vec::new();
        f.read_to_end(&mut buf)
            .map_err(|e| GeoError::file(file, Some(name), "a readable zip entry", e.to_string()))?;
        Ok(buf)
    };
    let shps = with_ext(".shp");
    match shps.as_slice() {
        [shp] => {
            let stem = &shp[..shp.len() - 4];
            let sibling = |ext: &str| {
                names
                    .iter()
                    .find(|n| {
                        n.len() == stem.len() + 4
                            && n.starts_with(stem)
                            && n[stem.len()..].eq_ignore_ascii_case(ext)
                    })
                    .cloned()
            };
            let inner = format!("{file}/{shp}");
            let dbf_name = sibling(".dbf").ok_or_else(|| {
                GeoError::file(
                    &inner,
                    Some(".dbf"),
                    "a .dbf file next to the .shp (the attributes)",
                    "none in the archive",
                )
            })?;
            let prj_name = sibling(".prj");
            let shp_bytes = read_entry(shp)?;
            let dbf_bytes = read_entry(&dbf_name)?;
            let prj = match prj_name {
                Some(p) => Some(String::from_utf8_lossy(&read_entry(&p)?).into_owned()),
                None => None,
            };
            read_shapefile(&shp_bytes, &dbf_bytes, prj.as_deref(), &inner, opts)
        }
        [] => {
            let mut js = with_ext(".geojson");
            if js.is_empty() {
                js = with_ext(".json");
            }
            match js.as_slice() {
                [j] => {
                    let inner = format!("{file}/{j}");
                    let j = (*j).clone();
                    read_geojson(&read_entry(&j)?, &inner, opts)
                }
                [] => Err(GeoError::file(
                    file,
                    None,
                    "a .shp (with .dbf and .prj) or a .geojson file in the archive",
                    format!("{names:?}"),
                )),
                many => Err(GeoError::file(
                    file,
                    None,
                    "one GeoJSON file in the archive",
                    format!("{many:?}"),
                )),
            }
        }
        many => Err(GeoError::file(
            file,
            None,
            "one shapefile in the archive",
            format!("{} shapefiles: {many:?}", many.len()),
        )),
    }
}

/// Reads a boundary file by its extension: `.geojson`/`.json`, `.shp` (with the sibling
/// `.dbf` and, if present, `.prj`), or `.zip`.
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<Layer, GeoError> {
    let file = path.display().to_string();
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| {
            GeoError::file(
                &p.display().to_string(),
                None,
                "a readable file",
                e.to_string(),
            )
        })
    };
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "geojson" | "json" => read_geojson(&read(path)?, &file, opts),
        "zip" => read_zip(&read(path)?, &file, opts),
        "shp" => {
            let sibling = |want: &str| {
                [want.to_string(), want.to_ascii_uppercase()]
                    .into_iter()
                    .map(|e| path.with_extension(e))
                    .find(|p| p.exists())
            };
            let dbf = sibling("dbf").ok_or_else(|| {
                GeoError::file(
                    &file,
                    Some(".dbf"),
                    "a .dbf file next to the .shp (the attributes)",
                    "none",
                )
            })?;
            let prj = match sibling("prj") {
                Some(p) => Some(String::from_utf8_lossy(&read(&p)?).into_owned()),
                None => None,
            };
            read_shapefile(&read(path)?, &read(&dbf)?, prj.as_deref(), &file, opts)
        }
        other => Err(GeoError::file(
            &file,
            None,
            "a .geojson, .json, .shp or .zip file",
            format!("the extension {other:?}"),
        )),
    }
}

/// A ring's points as coordinates, whichever dimensions the Shapefile's polygon type has.
fn ring_coords<P: HasXY>(ring: &PolygonRing<P>) -> Vec<Coord<f64>> {
    ring.points()
        .iter()
        .map(|q| Coord { x: q.x(), y: q.y() })
        .collect()
}
