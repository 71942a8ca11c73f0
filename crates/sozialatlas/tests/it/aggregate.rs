//! `sozialatlas aggregate` end to end: the same records in WGS84 and in EPSG:25832 give the
//! same counts per Stadtteil; records outside are reported.

use crate::common::*;
use std::path::Path;

/// Runs `sozialatlas aggregate --areas AREAS --points POINTS --x X --y Y`, then `more`, writing
/// to standard output.
fn aggregate(areas: &str, points: &Path, x: &str, y: &str, more: &[&str]) -> Run {
    let points = points.to_str().unwrap();
    let mut args = vec![
        "aggregate",
        "--areas",
        areas,
        "--points",
        points,
        "--x",
        x,
        "--y",
        y,
    ];
    args.extend_from_slice(more);
    args.extend(["--out", "-"]);
    run(&args)
}

#[test]
fn counts_agree_across_crs_and_outside_points_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let tr = sozialatlas_geo::Transformer::new("EPSG:4326", "EPSG:25832").unwrap();
    let (mut wgs, mut utm) = (
        String::from("id;lon;lat;jahr\n"),
        String::from("id,x,y,jahr\n"),
    );
    // A deterministic scatter over Flensburg and a bit beyond.
    let mut s: u64 = 42;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..3000 {
        let (lon, lat) = (9.36 + 0.16 * next(), 54.75 + 0.09 * next());
        let year = if i % 3 == 0 { 2021 } else { 2022 };
        // German style: `;` and decimal comma.
        wgs.push_str(&format!(
            "{i};{};{};{year}\n",
            format!("{lon:.7}").replace('.', ","),
            format!("{lat:.7}").replace('.', ",")
        ));
        let (x, y) = tr.transform_point(lon, lat).unwrap();
        utm.push_str(&format!("{i},{x:.4},{y:.4},{year}\n"));
    }
    let (pw, pu) = (dir.path().join("wgs.csv"), dir.path().join("utm.csv"));
    std::fs::write(&pw, wgs).unwrap();
    std::fs::write(&pu, utm).unwrap();
    let a = aggregate(
        "stadtteil",
        &pw,
        "lon",
        "lat",
        &["--crs", "4326", "--group", "jahr"],
    );
    assert_eq!(a.code, 0, "{}", a.stderr);
    let b = aggregate(
        "stadtteil",
        &pu,
        "x",
        "y",
        &["--crs", "25832", "--group", "jahr"],
    );
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert_eq!(a.stdout, b.stdout);
    let (h, rows) = parse_csv(&a.stdout, b',');
    assert_eq!(h, vec!["stadtteil", "jahr", "count"]);
    assert_eq!(rows.len(), 26);
    let inside: u64 = rows.iter().map(|r| r[2].parse::<u64>().unwrap()).sum();
    assert!(
        a.stderr.contains(&format!(
            "3000 records: {inside} assigned to 13 areas, {} outside every area",
            3000 - inside
        )),
        "{}",
        a.stderr
    );
    assert!(inside > 500 && inside < 3000);
    assert!(
        a.stderr.contains("outside every area (first"),
        "{}",
        a.stderr
    );

    let bad = aggregate("kiez", &pw, "lon", "lat", &[]);
    bad.refused("expected a boundary file or a level of the atlas");
    let bad = aggregate("stadtteil", &pw, "lon", "breite", &[]);
    bad.refused("breite");
}

/// Dortmund's 62 statistical districts in EPSG:25832 (projected once, millimetres), written as a
/// GeoJSON with a `crs` member, and every one of their vertices as a record: each point lies
/// exactly on a border (most on a border shared by two or three districts, the rest on the city
/// boundary). `sozialatlas aggregate --crs 25832` must use the file's coordinates as they are —
/// a round trip through WGS84 moves vertices by nanometres, and points exactly on the city
/// boundary then fall outside, or points on a shared border into the wrong neighbour.
#[test]
fn points_on_real_dortmund_vertices_in_the_files_own_crs() {
    use sozialatlas_aggregate::PolygonIndex;
    let dir = tempfile::tempdir().unwrap();
    let src =
        shared_data().join("dortmund-gebietsgliederung/dortmund_statistische_bezirke.geojson");
    let layer = sozialatlas_geo::read_path(
        &src,
        &sozialatlas_geo::ReadOptions {
            key_property: Some("source_id".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let tr = sozialatlas_geo::Transformer::new("EPSG:4326", "EPSG:25832").unwrap();
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;
    let mut features = Vec::new();
    let mut areas = Vec::new();
    for f in &layer.features {
        let key = f.properties["source_id"].to_string();
        let g = tr.transform_multipolygon(&f.geometry).unwrap();
        let g = geo_types::MultiPolygon(
            g.0.iter()
                .map(|p| {
                    let ring = |r: &geo_types::LineString<f64>| {
                        geo_types::LineString(
                            r.0.iter()
                                .map(|c| geo_types::coord! { x: mm(c.x), y: mm(c.y) })
                                .collect(),
                        )
                    };
                    geo_types::Polygon::new(
                        ring(p.exterior()),
                        p.interiors().iter().map(ring).collect(),
                    )
                })
                .collect(),
        );
        let coords: Vec<String> =
            g.0.iter()
                .map(|p| {
                    let rings: Vec<String> = std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(|r| {
                            let pts: Vec<String> =
                                r.0.iter().map(|c| format!("[{},{}]", c.x, c.y)).collect();
                            format!("[{}]", pts.join(","))
                        })
                        .collect();
                    format!("[{}]", rings.join(","))
                })
                .collect();
        features.push(format!(
            r#"{{"type":"Feature","properties":{{"source_id":{key}}},"geometry":{{"type":"MultiPolygon","coordinates":[{}]}}}}"#,
            coords.join(",")
        ));
        areas.push((key, g));
    }
    let file = dir.path().join("bezirke_25832.geojson");
    std::fs::write(
        &file,
        format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::25832"}}}},"features":[{}]}}"#,
            features.join(",\n")
        ),
    )
    .unwrap();
    // Every vertex once (shared vertices of neighbours are one point).
    let mut pts: Vec<(f64, f64)> = areas
        .iter()
        .flat_map(|(_, g)| g.0.iter().flat_map(|p| p.exterior().0.iter()))
        .map(|c| (c.x, c.y))
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    pts.dedup();
    let mut csv = String::from("x,y\n");
    for (x, y) in &pts {
        csv.push_str(&format!("{x},{y}\n"));
    }
    let points = dir.path().join("vertices.csv");
    std::fs::write(&points, csv).unwrap();

    // What the documented rule gives on the exact coordinates.
    let index = PolygonIndex::new(areas.clone()).unwrap();
    let mut expected = std::collections::BTreeMap::<String, u64>::new();
    for &(x, y) in &pts {
        let a = index
            .locate(x, y)
            .expect("every vertex is in the closed union");
        *expected.entry(index.key(a).to_string()).or_default() += 1;
    }
    // The round trip through WGS84 does move vertices (which is why the CLI must not do it).
    let back = sozialatlas_geo::Transformer::new("EPSG:25832", "EPSG:4326").unwrap();
    let moved = pts
        .iter()
        .filter(|&&(x, y)| {
            let (lon, lat) = back.transform_point(x, y).unwrap();
            tr.transform_point(lon, lat).unwrap() != (x, y)
        })
        .count();
    assert!(moved > 0, "the round trip should move some vertex");
    // The points counted per district (`source_id`), in EPSG:25832, with `more` options.
    let districts = |more: &[&str]| {
        let mut args = vec!["--key", "source_id"];
        args.extend_from_slice(more);
        aggregate(file.to_str().unwrap(), &points, "x", "y", &args)
    };

    let out = districts(&["--crs", "25832"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "{n} records: {n} assigned to 62 areas, 0 outside every area",
            n = pts.len()
        )),
        "{}",
        out.stderr
    );
    let (h, rows) = parse_csv(&out.stdout, b',');
    assert_eq!(h, vec!["source_id", "count"]);
    let got: std::collections::BTreeMap<String, u64> = rows
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(got, expected);

    // The grid size can be chosen; the counts do not depend on it.
    let out2 = districts(&[
        "--crs",
        "EPSG:25832",
        "--cells-per-edge",
        "0.5",
        "--threads",
        "1",
    ]);
    assert_eq!(out2.code, 0, "{}", out2.stderr);
    assert_eq!(out.stdout, out2.stdout);
    let bad = districts(&["--crs", "25832", "--cells-per-edge", "0"]);
    bad.refused("--cells-per-edge: expected a positive number");
}
