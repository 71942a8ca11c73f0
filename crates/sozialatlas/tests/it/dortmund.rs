//! Dortmund's real boundaries: the 62 statistical districts cover the city's 280.7 km² and nest
//! into the 12 Stadtbezirke; the 15 Aktionsräume are an overlay.

use crate::common::*;
use geo::{Area, BooleanOps};

#[test]
fn districts_add_up_and_nest() {
    let atlas = sozialatlas_import::load_atlas(
        &sozialatlas_import::DirSource::new(repo().join("examples/dortmund")),
        &|_, _, _| {},
    )
    .expect("Dortmund loads");
    let t = &atlas.tree;
    let level = |id: &str| t.level_index(id).unwrap();
    let sb = t.areas_of_level(level("stadtbezirk"));
    let bz = t.areas_of_level(level("statistischer_bezirk"));
    assert_eq!(sb.len(), 12);
    assert_eq!(bz.len(), 62);
    assert_eq!(t.areas_of_level(level("aktionsraum")).len(), 15);
    let total: f64 = bz.iter().map(|&a| t.areas[a].area_km2.unwrap()).sum();
    assert!((total - 280.7).abs() <= 0.5, "total {total} km²");
    // Each district's parent is a Stadtbezirk that contains (almost) all of it.
    for &a in &bz {
        let p = t.areas[a].parent.expect("a parent");
        assert_eq!(t.areas[p].level, level("stadtbezirk"));
        let g = atlas.geometries[a].as_ref().unwrap();
        let pg = atlas.geometries[p].as_ref().unwrap();
        let share = g.intersection(pg).unsigned_area() / g.unsigned_area();
        assert!(
            share > 0.99,
            "{} lies only {share:.3} inside {}",
            t.areas[a].name,
            t.areas[p].name
        );
    }
    // The city is the sum of the Stadtbezirke.
    let city = t.root().unwrap();
    assert!((t.areas[city].area_km2.unwrap() - 280.7).abs() <= 0.5);
    assert!(
        !atlas.tree.memberships.is_empty(),
        "Aktionsräume get members"
    );
    let ts = dir_of_shared();
    assert!(ts.is_dir());
}

fn dir_of_shared() -> std::path::PathBuf {
    shared_data().join("dortmund-gebietsgliederung")
}

/// The Stadtbezirke as a GeoPackage (EPSG:25832, two layers; `crates/geo/tests/fixtures`).
fn with_geopackage(a: &std::path::Path, layer: Option<&str>) {
    std::fs::copy(
        repo().join("crates/geo/tests/fixtures/dortmund_stadtbezirke.gpkg"),
        a.join("geo/stadtbezirke.gpkg"),
    )
    .unwrap();
    edit(
        &a.join("atlas.toml"),
        "boundaries = \"geo/dortmund_stadtbezirke.geojson\"",
        &match layer {
            Some(l) => format!("boundaries = \"geo/stadtbezirke.gpkg\"\nlayer = \"{l}\""),
            None => "boundaries = \"geo/stadtbezirke.gpkg\"".to_string(),
        },
    );
}

#[test]
fn stadtbezirke_from_a_geopackage() {
    let load = |a: &std::path::Path| {
        sozialatlas_import::load_atlas(&sozialatlas_import::DirSource::new(a), &|_, _, _| {})
            .expect("loads")
    };
    let (_dir, a) = scratch("dortmund");
    let reference = load(&a);
    with_geopackage(&a, Some("stadtbezirke"));
    let r = run(&["check", a.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let atlas = load(&a);
    let areas = |x: &sozialatlas_import::Atlas| -> Vec<(String, String, f64)> {
        let l = x.tree.level_index("stadtbezirk").unwrap();
        x.tree
            .areas_of_level(l)
            .into_iter()
            .map(|i| {
                let ar = &x.tree.areas[i];
                (ar.key.clone(), ar.name.clone(), ar.area_km2.unwrap())
            })
            .collect()
    };
    let (got, want) = (areas(&atlas), areas(&reference));
    assert_eq!(got.len(), 12);
    for ((k, n, a), (wk, wn, wa)) in got.iter().zip(&want) {
        assert_eq!((k, n), (wk, wn));
        assert!((a - wa).abs() / wa < 1e-4, "{k} {n}: {a} vs {wa} km²");
    }
    assert!(
        atlas
            .inputs
            .iter()
            .any(|i| i.path == "geo/stadtbezirke.gpkg")
    );
}

#[test]
fn geopackage_with_two_layers_and_no_layer_setting() {
    let (_dir, a) = scratch("dortmund");
    with_geopackage(&a, None);
    let r = run(&["check", a.to_str().unwrap()]);
    r.refused("geo/stadtbezirke.gpkg, column `layer`: expected one feature table, or layer = \"…\" naming one, found the feature tables `mittelpunkte`, `stadtbezirke`");
}

#[test]
fn nan_coordinate_in_a_geopackage() {
    let (dir, a) = scratch("dortmund");
    let db = dir.path().join("s.db");
    let (at, d) = (a.to_str().unwrap(), db.to_str().unwrap());
    assert_eq!(run(&["build", at, "--db", d]).code, 0);
    let before = run(&["export", "--db", d, "--format", "csv", "--out", "-"]).stdout;
    with_geopackage(&a, Some("stadtbezirke"));
    // The first geometry blob: `GP`, version 0, flags, srs_id 25832 (little-endian), an envelope
    // (flags bits 1–3), then WKB: byte order, type, rings, points, the first x.
    let p = a.join("geo/stadtbezirke.gpkg");
    let mut bytes = std::fs::read(&p).unwrap();
    let at_blob = bytes
        .windows(8)
        .position(|w| &w[..3] == b"GP\0" && w[4..8] == 25832u32.to_le_bytes())
        .expect("a geometry blob");
    let envelope = [0, 32, 48, 48, 64][((bytes[at_blob + 3] >> 1) & 0b111) as usize];
    let x = at_blob + 8 + envelope + 1 + 4 + 4 + 4;
    bytes[x..x + 8].copy_from_slice(&f64::NAN.to_le_bytes());
    std::fs::write(&p, bytes).unwrap();
    let r = run(&["build", at, "--db", d]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("geo/stadtbezirke.gpkg, column `feature ")
            && r.stderr.contains(", geometry`: expected coordinates that are numbers, found exterior ring: coordinate 0 is (NaN, "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was written"));
    let c = run(&["check", at]);
    assert_eq!((c.code, &c.stderr), (2, &r.stderr));
    let after = run(&["export", "--db", d, "--format", "csv", "--out", "-"]).stdout;
    assert_eq!(before, after, "the store changed after a failed build");
}
