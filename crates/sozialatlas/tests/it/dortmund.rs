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
    assert!(!atlas.memberships.is_empty(), "Aktionsräume get members");
    let ts = dir_of_shared();
    assert!(ts.is_dir());
}

fn dir_of_shared() -> std::path::PathBuf {
    shared_data().join("dortmund-gebietsgliederung")
}
