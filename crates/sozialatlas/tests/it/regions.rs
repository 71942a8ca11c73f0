//! `sozialatlas regions`: SKATER and max-p on Flensburg's Stadtteile, stored as runs, saved as
//! an overlay that the next build computes from the members; bad input names the option.

use crate::common::*;

const INDICATORS: &str = "arbeitslosenanteil,sgb2_quote,nef_quote";

fn value(h: &[String], row: &[String], col: &str) -> String {
    row[h.iter().position(|x| x == col).expect(col)].clone()
}

#[test]
fn skater_and_max_p_print_store_and_save_an_overlay_the_build_computes() {
    let (dir, db) = built("flensburg", "r.db");
    let d = db.to_str().unwrap();
    let atlas = dir.path().join("flensburg");
    assert!(atlas.join("atlas.toml").is_file());

    let max_p = || {
        run(&[
            "regions",
            "--db",
            d,
            "--level",
            "stadtteil",
            "--method",
            "max-p",
            "--indicators",
            INDICATORS,
            "--min-population",
            "15000",
            "--seed",
            "7",
            "--json",
        ])
    };
    let r = max_p();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("stored as regions run 1"), "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["params"]["seed"], 7);
    assert_eq!(j["result"]["max_p"]["seed"], 7);
    let regions = j["result"]["regions"].as_array().unwrap();
    assert!(regions.len() >= 2, "{regions:?}");
    for g in regions {
        assert!(g["floor_total"].as_f64().unwrap() >= 15000.0, "{g}");
    }
    // The same seed gives the same regions.
    let again = max_p();
    let k: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(k["result"], j["result"]);

    let r = run(&[
        "regions",
        "--db",
        d,
        "--level",
        "stadtteil",
        "--method",
        "skater",
        "--regions",
        "3",
        "--indicators",
        INDICATORS,
        "--min-areas",
        "2",
        "--locale",
        "en",
        "--save-overlay",
        "sozialraum",
        "--folder",
        atlas.to_str().unwrap(),
    ]);
    r.says("3 regions from 13 areas of level stadtteil");
    r.says("within-region sum of squares");
    assert!(r.stdout.contains("Region 3 ("), "{}", r.stdout);
    assert!(r.stderr.contains("stored as regions run 3"), "{}", r.stderr);
    assert!(
        r.stderr.contains("saved as overlay `sozialraum`"),
        "{}",
        r.stderr
    );
    let members = std::fs::read_to_string(atlas.join("sozialraum_members.csv")).unwrap();
    assert_eq!(members.lines().count(), 1 + 13, "{members}");

    // The next build has the overlay, its values computed from the members.
    let b = build_store(&atlas, &db);
    assert_eq!(b.code, 0, "{}", b.stderr);
    let (h, rows) = parse_csv(&export_csv(&db), b',');
    let membership: Vec<(String, String)> = members
        .lines()
        .skip(1)
        .map(|l| {
            let (r, m) = l.split_once(',').unwrap();
            (r.to_string(), m.to_string())
        })
        .collect();
    let get = |ind: &str, level: &str, key: &str, year: &str, col: &str| -> Option<f64> {
        rows.iter()
            .find(|r| {
                value(&h, r, "indicator_id") == ind
                    && value(&h, r, "level") == level
                    && value(&h, r, "area_key") == key
                    && value(&h, r, "year") == year
            })
            .and_then(|r| value(&h, r, col).parse().ok())
    };
    let mut checked = 0;
    for key in ["01", "02", "03"] {
        for year in ["2020", "2022"] {
            let own = get("einwohner", "Region (SKATER)", key, year, "value")
                .unwrap_or_else(|| panic!("region {key} {year} has no residents"));
            let sum: f64 = membership
                .iter()
                .filter(|(r, _)| r == key)
                .map(|(_, m)| get("einwohner", "District", m, year, "value").unwrap())
                .sum();
            assert!(
                (own - sum).abs() < 1e-9,
                "region {key} {year}: {own} vs {sum}"
            );
            let num = get("sgb2_quote", "Region (SKATER)", key, year, "numerator");
            let hand: Option<f64> = membership
                .iter()
                .filter(|(r, _)| r == key)
                .map(|(_, m)| get("sgb2_quote", "District", m, year, "numerator"))
                .sum();
            if let (Some(num), Some(hand)) = (num, hand) {
                assert!(
                    (num - hand).abs() < 1e-9,
                    "region {key} {year}: {num} vs {hand}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "only {checked} SGB II numerators checked");
    // The dissolved boundaries: three features whose area is the sum of their members'.
    let layer =
        sozialatlas_geo::read_path(&atlas.join("geo/sozialraum.geojson"), &Default::default())
            .unwrap();
    assert_eq!(layer.features.len(), 3);
    let total: f64 = layer
        .features
        .iter()
        .map(|f| sozialatlas_geo::geodesic_area_km2(&f.geometry))
        .sum();
    let districts = sozialatlas_geo::read_path(
        &atlas.join("geo/flensburg_stadtteile.geojson"),
        &Default::default(),
    )
    .unwrap();
    let parts: f64 = districts
        .features
        .iter()
        .map(|f| sozialatlas_geo::geodesic_area_km2(&f.geometry))
        .sum();
    assert!((total - parts).abs() < 1e-6 * parts, "{total} vs {parts}");

    // Saving again under the same id is refused before anything is overwritten.
    let r = run(&[
        "regions",
        "--db",
        d,
        "--method",
        "skater",
        "--regions",
        "2",
        "--indicators",
        INDICATORS,
        "--save-overlay",
        "sozialraum",
        "--folder",
        atlas.to_str().unwrap(),
    ]);
    r.refused("--save-overlay: overlay id: expected an id unlike every level and overlay");
    assert!(!r.stderr.contains("stored as"), "{}", r.stderr);
}

#[test]
fn bad_input_names_the_option() {
    let base = ["regions", "--indicators", INDICATORS];
    let with = |more: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(more);
        run(&a)
    };
    with(&["--method", "skater"])
        .refused("--regions: expected the number of regions for --method skater, found none");
    with(&["--method", "max-p", "--regions", "3", "--min-areas", "2"])
        .refused("--regions: expected none with --method max-p");
    with(&["--method", "max-p"]).refused("--min-population or --min-areas: expected");
    with(&[
        "--method",
        "max-p",
        "--min-areas",
        "2",
        "--min-population",
        "100",
    ])
    .refused("expected one floor, found both");
    with(&["--method", "kmeans"]).refused("--method");
    with(&["--method", "skater", "--regions", "99"])
        .refused("--regions: expected 1 … 13 (the number of areas), found 99");
    with(&["--method", "skater", "--regions", "2", "--level", "mond"])
        .refused("unknown level `mond`");
    with(&["--method", "max-p", "--min-population", "1e12"])
        .refused("--min-population: expected a floor that all areas together reach");
    with(&[
        "--method",
        "skater",
        "--regions",
        "2",
        "--save-overlay",
        "x",
    ])
    .refused("--save-overlay, --folder: expected both");
}

#[test]
fn a_maximum_population_holds_for_every_region_or_names_the_region_over_it() {
    for (method, more) in [
        (
            "skater",
            &["--regions", "2", "--min-population", "3000"][..],
        ),
        ("max-p", &["--min-population", "8000", "--seed", "3"][..]),
    ] {
        let mut args = vec![
            "regions",
            "--level",
            "stadtteil",
            "--method",
            method,
            "--indicators",
            INDICATORS,
            "--max-population",
            "25000",
            "--json",
        ];
        args.extend_from_slice(more);
        let r = run(&args);
        assert_eq!(r.code, 0, "{method}: {}", r.stderr);
        let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(j["params"]["max_population"], 25000.0);
        let population = j["population"].as_array().unwrap();
        assert!(population.len() >= 2, "{method}: {population:?}");
        for p in population {
            assert!(p.as_f64().unwrap() <= 25000.0, "{method}: {population:?}");
        }
        for g in j["result"]["regions"].as_array().unwrap() {
            assert!(g["floor_total"].as_f64().unwrap() >= 3000.0, "{g}");
        }
    }
    // SKATER, two regions, with a maximum as given.
    let skater = |max: &str| {
        run(&[
            "regions",
            "--method",
            "skater",
            "--regions",
            "2",
            "--indicators",
            INDICATORS,
            max,
        ])
    };
    // The table says the maximum.
    skater("--max-population=25000").says("höchstens 25.000 Einwohner");
    // A maximum under one area's population: refused, naming the area.
    let r = skater("--max-population=100");
    r.refused("--max-population: the region of ");
    assert!(r.stderr.contains("over the maximum 100"), "{}", r.stderr);
    skater("--max-population=-5")
        .refused("--max-population: expected a number of inhabitants > 0, found -5");
}
