//! Every kind of bad input gives an error that names the file, the line or feature, the column
//! or field, what was expected and what was found; the exit code is 2; the store is unchanged.

mod common;
use common::*;
use std::path::Path;

/// Builds the valid atlas into a store, breaks it with `breaker`, builds again and returns the
/// failed run; asserts that the store still holds the first load, byte for byte in its export.
fn fails(breaker: impl FnOnce(&Path)) -> Run {
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("s.db");
    let (a, d) = (atlas.to_str().unwrap(), db.to_str().unwrap());
    assert_eq!(run(&["build", a, "--db", d]).code, 0);
    let before = run(&["export", "--db", d, "--format", "csv", "--out", "-"]).stdout;
    breaker(&atlas);
    let r = run(&["build", a, "--db", d]);
    assert_eq!(
        r.code, 2,
        "expected exit code 2, stdout: {} stderr: {}",
        r.stdout, r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    let after = run(&["export", "--db", d, "--format", "csv", "--out", "-"]).stdout;
    assert!(before == after, "the store changed after a failed build");
    r
}

fn has(r: &Run, parts: &[&str]) {
    for p in parts {
        assert!(r.stderr.contains(p), "missing {p:?} in: {}", r.stderr);
    }
}

const MIG: &str = "data/migration_background_by_district.csv";

#[test]
fn wrong_delimiter() {
    let r = fails(|a| {
        edit(
            &a.join("atlas.toml"),
            "file = \"data/migration_background_by_district.csv\"",
            "file = \"data/migration_background_by_district.csv\"\ndelimiter = \";\"",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 1",
            "expected a column `district_id`",
            "is the delimiter `,`?",
        ],
    );
}

#[test]
fn decimal_comma_in_an_international_file() {
    let r = fails(|a| {
        edit(
            &a.join("atlas.toml"),
            "file = \"data/migration_background_by_district.csv\"",
            "file = \"data/migration_background_by_district.csv\"\ndecimal = \".\"",
        );
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,1,Altstadt,\"999,5\",375",
        );
    });
    has(
        &r,
        &[
            MIG,
            "line 2",
            "column `foreign_citizenship`",
            "expected a number with decimal mark `.`",
            "found `999,5` (a decimal comma?",
        ],
    );
}

#[test]
fn mixed_decimal_marks() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,1,Altstadt,\"999,5\",375.5",
        );
    });
    has(
        &r,
        &[
            MIG,
            "one decimal mark",
            "`999,5`, line 2",
            "`375.5`, line 2",
        ],
    );
}

#[test]
fn unknown_area_key() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,99,Altstadt,999,375",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 2",
            "column `district_id`",
            "expected a key of level `stadtteil`",
            "found `99`",
        ],
    );
}

#[test]
fn duplicate_area_period_variable() {
    let r = fails(|a| {
        let p = a.join(MIG);
        let mut s = std::fs::read_to_string(&p).unwrap();
        if !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str("2021,1,Altstadt,5,5\n");
        std::fs::write(&p, s).unwrap();
    });
    has(
        &r,
        &[
            MIG,
            "column `foreign_citizenship`",
            "one value per area, period and variable",
            "area `1`, 2021",
            "first on line 2",
        ],
    );
}

#[test]
fn text_in_a_number_column() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,1,Altstadt,99a,375",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 2",
            "column `foreign_citizenship`",
            "expected a number",
            "found `99a`",
        ],
    );
}

#[test]
fn negative_count() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,1,Altstadt,-999,375",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 2",
            "column `foreign_citizenship`",
            "expected a count ≥ 0",
            "found `-999`",
        ],
    );
}

#[test]
fn numerator_larger_than_denominator_is_a_warning() {
    let (dir, atlas) = scratch("flensburg");
    edit(
        &atlas.join(MIG),
        "2021,1,Altstadt,999,375",
        "2021,1,Altstadt,99999,375",
    );
    let db = dir.path().join("s.db");
    let r = run(&[
        "build",
        atlas.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Warnings:    2"), "{}", r.stdout); // Altstadt and the city
    assert!(
        r.stdout.contains("indicator `migrationshintergrund`, area `1`, 2021: numerator (100374) is larger than denominator"),
        "{}",
        r.stdout
    );
}

#[test]
fn missing_crs() {
    // The real Flensburg Shapefile in EPSG:25832, without its .prj.
    let r = fails(|a| {
        let zip = std::fs::read(
            shared_data()
                .join("flensburg-sozialatlas/original/flensburg_stadtteile_shp_epsg25832.zip"),
        )
        .unwrap();
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let mut shp_name = None;
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            let name = f.name().rsplit('/').next().unwrap().to_string();
            if name.ends_with(".prj") || f.is_dir() {
                continue;
            }
            let ext = name.rsplit('.').next().unwrap().to_ascii_lowercase();
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
            std::fs::write(a.join("geo").join(format!("stadtteile.{ext}")), bytes).unwrap();
            if ext == "shp" {
                shp_name = Some(name);
            }
        }
        assert!(shp_name.is_some(), "no .shp in the zip");
        edit(
            &a.join("atlas.toml"),
            "boundaries = \"geo/flensburg_stadtteile.geojson\"",
            "boundaries = \"geo/stadtteile.shp\"",
        );
    });
    has(&r, &["geo/stadtteile.shp", "expected", "CRS", "crs ="]);
}

#[test]
fn broken_geometry() {
    let r = fails(|a| {
        let p = a.join("geo/flensburg_stadtteile.geojson");
        let mut g: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        // A bow-tie: the ring crosses itself.
        g["features"][4]["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[[9.40, 54.78], [9.42, 54.80], [9.42, 54.78], [9.40, 54.80], [9.40, 54.78]]]});
        std::fs::write(&p, g.to_string()).unwrap();
    });
    has(
        &r,
        &[
            "geo/flensburg_stadtteile.geojson",
            "feature 5",
            "key 5",
            "self-intersect",
        ],
    );
}

#[test]
fn formula_names_an_unknown_variable() {
    let r = fails(|a| {
        edit(
            &a.join("catalogue.toml"),
            "numerator = \"sgb2_beneficiaries\"",
            "numerator = \"sgb2_beneficiaris\"",
        )
    });
    has(
        &r,
        &[
            "catalogue.toml, line ",
            "indicator `sgb2_quote`: numerator",
            "expected the id of a variable of the catalogue",
            "unknown variable `sgb2_beneficiaris`",
        ],
    );
}

#[test]
fn cycle_in_the_level_hierarchy() {
    let r = fails(|a| {
        edit(
            &a.join("atlas.toml"),
            "id = \"stadt\"\n",
            "id = \"stadt\"\nparent = \"bezirk\"\n",
        )
    });
    has(
        &r,
        &[
            "atlas.toml",
            "level.parent",
            "cycle",
            "stadt → bezirk → stadtteil → stadt",
        ],
    );
}

#[test]
fn unknown_field_in_the_catalogue() {
    let r = fails(|a| {
        edit(
            &a.join("catalogue.toml"),
            "polarity = \"higher_is_worse\"",
            "polarity = \"higher_is_worse\"\nfactr = 100",
        )
    });
    has(&r, &["catalogue.toml, line", "unknown field `factr`"]);
}
