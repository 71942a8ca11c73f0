//! Reading the reference fixtures: JSON files, their number lists, and the polygons of a
//! GeoJSON file in feature order.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

/// A JSON file.
pub fn read_json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

/// A list of lists of indices (neighbour lists).
pub fn lists(v: &Value) -> Vec<Vec<usize>> {
    v.as_array()
        .expect("lists")
        .iter()
        .map(|l| {
            l.as_array()
                .expect("list")
                .iter()
                .map(|x| x.as_u64().expect("id") as usize)
                .collect()
        })
        .collect()
}

/// A list of numbers.
pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("floats")
        .iter()
        .map(|x| x.as_f64().expect("f"))
        .collect()
}

fn ring(v: &Value) -> LineString<f64> {
    LineString(
        v.as_array()
            .expect("ring")
            .iter()
            .map(|c| Coord {
                x: c[0].as_f64().expect("x"),
                y: c[1].as_f64().expect("y"),
            })
            .collect(),
    )
}

fn polygon(v: &Value) -> Polygon<f64> {
    let rings = v.as_array().expect("polygon");
    Polygon::new(ring(&rings[0]), rings[1..].iter().map(ring).collect())
}

/// The features of a GeoJSON file: properties and (multi)polygon, in file order.
pub fn features(path: &str) -> Vec<(Value, MultiPolygon<f64>)> {
    let g = read_json(path);
    g["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let geom = &f["geometry"];
            let mp = match geom["type"].as_str() {
                Some("Polygon") => MultiPolygon(vec![polygon(&geom["coordinates"])]),
                Some("MultiPolygon") => MultiPolygon(
                    geom["coordinates"]
                        .as_array()
                        .expect("mp")
                        .iter()
                        .map(polygon)
                        .collect(),
                ),
                t => panic!("unexpected geometry {t:?}"),
            };
            (f["properties"].clone(), mp)
        })
        .collect()
}
