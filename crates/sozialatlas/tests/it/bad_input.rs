//! Every kind of bad input gives an error that names the file, the line or feature, the column
//! or field, what was expected and what was found; the exit code is 2; the store is unchanged.

use crate::common::*;
use std::path::Path;
use std::sync::OnceLock;

/// The valid Flensburg example built once for all tests here: the store file's bytes and its
/// data pool export.
fn valid_store() -> &'static (Vec<u8>, String) {
    static STORE: OnceLock<(Vec<u8>, String)> = OnceLock::new();
    STORE.get_or_init(|| {
        let (dir, db) = built("flensburg", "s.db");
        let d = db.to_str().unwrap();
        let export = run(&["export", "--db", d, "--format", "csv", "--out", "-"]);
        assert_eq!(export.code, 0, "{}", export.stderr);
        let bytes = std::fs::read(&db).expect("the store file");
        drop(dir);
        (bytes, export.stdout)
    })
}

/// Puts a store with the valid atlas beside a scratch copy of it, breaks the copy with
/// `breaker`, builds again and returns the failed run; asserts that the store still holds the
/// first load, byte for byte in its export.
fn fails(breaker: impl FnOnce(&Path)) -> Run {
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("s.db");
    let (a, d) = (atlas.to_str().unwrap(), db.to_str().unwrap());
    let (bytes, before) = valid_store();
    std::fs::write(&db, bytes).expect("write the store");
    breaker(&atlas);
    let c = run(&["check", a]);
    assert_eq!(
        c.code, 2,
        "expected exit code 2 from check, stdout: {} stderr: {}",
        c.stdout, c.stderr
    );
    let r = run(&["build", a, "--db", d]);
    assert_eq!(
        c.stderr, r.stderr,
        "check and build report the same problems"
    );
    assert_eq!(
        r.code, 2,
        "expected exit code 2, stdout: {} stderr: {}",
        r.stdout, r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    let after = run(&["export", "--db", d, "--format", "csv", "--out", "-"]).stdout;
    assert!(*before == after, "the store changed after a failed build");
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

/// The migration file as a German spreadsheet writes it: `;`, thousands with `.`.
fn german_migration(a: &Path) {
    let p = a.join(MIG);
    let s = std::fs::read_to_string(&p).unwrap();
    let mut out = String::new();
    for line in s.lines() {
        let cells: Vec<String> = line
            .split(',')
            .map(|c| match c.parse::<u64>() {
                Ok(n) if n >= 10_000 => format!("{}.{:03}", n / 1000, n % 1000),
                Ok(n) if n >= 1000 && c.len() == 4 && !(1800..=2200).contains(&n) => {
                    format!("{}.{:03}", n / 1000, n % 1000)
                }
                _ => c.to_string(),
            })
            .collect();
        out.push_str(&cells.join(";"));
        out.push('\n');
    }
    assert!(out.contains(";1.057;"), "{out}");
    std::fs::write(&p, out).unwrap();
}

#[test]
fn thousands_point_without_setting_is_ambiguous() {
    // `1.057` in a `;` file: 1057 with a thousands point, 1.057 with a decimal point. Nothing in
    // the file decides it (every value is a whole number), so it is refused.
    let r = fails(german_migration);
    has(
        &r,
        &[
            MIG,
            "line 3",
            "column `foreign_citizenship`",
            "expected a number that reads one way",
            "found `1.057`, which is 1.057 with decimal = \".\" but 1057 with thousands = \".\" (or decimal = \",\")",
            "more such values in this column",
        ],
    );
}

#[test]
fn thousands_comma_without_setting_is_ambiguous() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,2,Neustadt,1748,443",
            "2021,2,Neustadt,\"1,748\",443",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 4",
            "column `foreign_citizenship`",
            "found `1,748`, which is 1748 with thousands = \",\" (or decimal = \".\") but 1.748 with decimal = \",\"",
        ],
    );
}

#[test]
fn thousands_setting_reads_german_numbers() {
    // The same file as a German spreadsheet writes it, with `thousands = "."`, gives exactly the
    // figures of the original.
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("s.db");
    let (a, d) = (atlas.to_str().unwrap(), db.to_str().unwrap());
    assert_eq!(run(&["build", a, "--db", d]).code, 0);
    let export = || {
        run(&[
            "export", "--db", d, "--format", "csv", "--locale", "en", "--out", "-",
        ])
        .stdout
    };
    let before = export();
    german_migration(&atlas);
    edit(
        &atlas.join("atlas.toml"),
        "file = \"data/migration_background_by_district.csv\"",
        "file = \"data/migration_background_by_district.csv\"\nthousands = \".\"",
    );
    let r = run(&["build", a, "--db", d]);
    r.says("Loaded");
    let after = export();
    // Altstadt 2022: 1057 foreign + 382 German citizens (`1.057;382` in the German file).
    let line = after
        .lines()
        .find(|l| l.contains("Altstadt,2022,") && l.contains(",1439,3907,"))
        .unwrap_or_else(|| panic!("{after}"));
    let value: f64 = line
        .split("Altstadt,2022,")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!((value - 1439.0 / 3907.0 * 100.0).abs() < 1e-9, "{line}");
    assert_eq!(before, after, "the German file gives other figures");
}

#[test]
fn thousands_setting_contradicted_by_a_decimal_point() {
    let r = fails(|a| {
        german_migration(a);
        edit(
            &a.join("atlas.toml"),
            "file = \"data/migration_background_by_district.csv\"",
            "file = \"data/migration_background_by_district.csv\"\nthousands = \".\"",
        );
        edit(
            &a.join(MIG),
            "2021;2;Neustadt;1.748;443",
            "2021;2;Neustadt;1748.5;443",
        );
    });
    has(
        &r,
        &[
            MIG,
            "line 4",
            "column `foreign_citizenship`",
            "expected a number written as declared for this file (thousands = \".\")",
            "found `1748.5`, written with decimal mark `.`",
        ],
    );
}

#[test]
fn point_as_decimal_and_thousands_in_one_file() {
    let r = fails(|a| {
        german_migration(a);
        edit(
            &a.join(MIG),
            "2021;2;Neustadt;1.748;443",
            "2021;2;Neustadt;1.748;443.5",
        );
        edit(
            &a.join(MIG),
            "2021;1;Altstadt;999;375",
            "2021;1;Altstadt;1.000.999;375",
        );
    });
    has(
        &r,
        &[
            MIG,
            "line 4",
            "column `german_citizenship`",
            "expected numbers written one way in the whole file",
            "found `443.5` (decimal mark `.`) here and `1.000.999` (decimal mark `,`, thousands separator `.`) on line 2, column `foreign_citizenship`",
        ],
    );
}

#[test]
fn undeclared_point_marker() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,1,Altstadt,.,375",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 2",
            "column `foreign_citizenship`",
            "\"unknown\" or \"secret\"",
            "missing = [\".\"] or suppressed = [\".\"]",
            "found `.`",
        ],
    );
}

#[test]
fn undeclared_dash() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,1,Altstadt,–,375",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 2",
            "column `foreign_citizenship`",
            "\"nothing, exactly zero\" (nichts vorhanden)",
            "zero = [\"–\"] or missing = [\"–\"]",
            "found `–`",
        ],
    );
}

#[test]
fn a_declared_dash_is_zero_and_is_named_on_the_sources_page() {
    let (dir, a) = scratch("flensburg");
    edit(
        &a.join(MIG),
        "2021,1,Altstadt,999,375",
        "2021,1,Altstadt,–,375",
    );
    edit(
        &a.join("atlas.toml"),
        "file = \"data/migration_background_by_district.csv\"",
        "file = \"data/migration_background_by_district.csv\"\nzero = [\"–\"]",
    );
    let db = dir.path().join("z.db");
    let (a, d) = (a.to_str().unwrap(), db.to_str().unwrap());
    let b = run(&["build", a, "--db", d]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    // Altstadt 2021: 0 foreigners and 375 Germans with a migration background, so the share
    // with a migration background counts 375, where a missing part would leave it unknown.
    let r = run(&[
        "export",
        "--db",
        d,
        "--format",
        "csv",
        "--locale",
        "en",
        "--level",
        "stadtteil",
        "--period",
        "2021",
        "--out",
        "-",
    ]);
    let (header, rows) = parse_csv(&r.stdout, b',');
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let row = rows
        .iter()
        .find(|r| r[col("area_key")] == "1" && r[col("indicator_id")] == "migrationshintergrund")
        .unwrap_or_else(|| {
            panic!(
                "no Altstadt row in {}",
                &r.stdout[..r.stdout.len().min(600)]
            )
        });
    assert_eq!(row[col("numerator")], "375", "{row:?}");
    // A text that means two things is refused.
    edit(
        &std::path::Path::new(a).join("atlas.toml"),
        "zero = [\"–\"]",
        "zero = [\"–\"]\nmissing = [\"\", \"–\"]",
    );
    let r = run(&["check", a]);
    r.refused("a marker that means one thing: missing or zero, not both");
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
            "expected a number written as declared for this file (decimal = \".\")",
            "found `999,5`, written with decimal mark `,`",
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
            "line 2",
            "column `german_citizenship`",
            "expected numbers written one way in the whole file: one decimal mark",
            "found `375.5` (decimal mark `.`) here and `999,5` (decimal mark `,`) on line 2, column `foreign_citizenship`",
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
    let r = build_store(&atlas, &db);
    r.says("Warnings:    2"); // Altstadt and the city
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
        shapefile_level(a, |_| {});
        std::fs::remove_file(a.join("geo/stadtteile.prj")).unwrap();
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

const ROOT_LINE: &str = "root:";

#[test]
fn data_path_with_dots_leaving_the_folder() {
    let r = fails(|a| {
        edit(
            &a.join("atlas.toml"),
            "file = \"data/migration_background_by_district.csv\"",
            "file = \"../../../../../../../../../../etc/passwd\"",
        )
    });
    has(
        &r,
        &[
            "atlas.toml, line ",
            "expected a data file inside the atlas folder",
            "found `../../../../../../../../../../etc/passwd`, a path whose `..` leaves the atlas folder",
        ],
    );
    assert!(!r.stderr.contains(ROOT_LINE), "{}", r.stderr);
}

#[test]
fn absolute_data_path() {
    let r = fails(|a| {
        edit(
            &a.join("atlas.toml"),
            "file = \"data/migration_background_by_district.csv\"",
            "file = \"/etc/passwd\"",
        )
    });
    has(
        &r,
        &[
            "atlas.toml, line ",
            "expected a data file inside the atlas folder",
            "found `/etc/passwd`, an absolute path",
        ],
    );
    assert!(!r.stderr.contains(ROOT_LINE), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn data_file_linked_to_outside() {
    let r = fails(|a| {
        let outside = a.parent().unwrap().join("secret.csv");
        std::fs::write(&outside, "SECRET-HEADER,year\n1,2\n").unwrap();
        std::fs::remove_file(a.join(MIG)).unwrap();
        std::os::unix::fs::symlink(&outside, a.join(MIG)).unwrap();
    });
    has(
        &r,
        &[
            "atlas.toml, line ",
            "expected a data file inside the atlas folder",
            "found `data/migration_background_by_district.csv`, a symbolic link to a place outside the atlas folder",
        ],
    );
    assert!(!r.stderr.contains("SECRET"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn boundary_folder_linked_to_outside() {
    let r = fails(|a| {
        let outside = a.parent().unwrap().join("geo-elsewhere");
        std::fs::rename(a.join("geo"), &outside).unwrap();
        std::os::unix::fs::symlink(&outside, a.join("geo")).unwrap();
    });
    has(
        &r,
        &[
            "atlas.toml, line ",
            "inside the atlas folder",
            "found `geo/flensburg_stadtteile.geojson`, a symbolic link to a place outside the atlas folder",
        ],
    );
}

#[test]
fn catalogue_outside_the_folder() {
    let r = fails(|a| {
        std::fs::copy(a.join("catalogue.toml"), a.parent().unwrap().join("c.toml")).unwrap();
        edit(
            &a.join("atlas.toml"),
            "catalogue = \"catalogue.toml\"",
            "catalogue = \"../c.toml\"",
        );
    });
    has(
        &r,
        &[
            "atlas.toml, line 7",
            "expected the indicator catalogue inside the atlas folder",
            "found `../c.toml`, a path whose `..` leaves the atlas folder",
        ],
    );
}

#[test]
fn data_file_without_rows() {
    let r = fails(|a| {
        std::fs::write(
            a.join(MIG),
            "year,district_id,district_name,foreign_citizenship,german_citizenship\n",
        )
        .unwrap()
    });
    has(
        &r,
        &[
            MIG,
            "line 2",
            "expected rows of data below the header (or optional = true for this file",
            "found a header and no rows",
        ],
    );
}

#[test]
fn optional_data_file_without_rows() {
    let (_dir, atlas) = scratch("flensburg");
    std::fs::write(
        atlas.join(MIG),
        "year,district_id,district_name,foreign_citizenship,german_citizenship\n",
    )
    .unwrap();
    edit(
        &atlas.join("atlas.toml"),
        "file = \"data/migration_background_by_district.csv\"",
        "file = \"data/migration_background_by_district.csv\"\noptional = true",
    );
    let r = run(&["check", atlas.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn key_that_fits_after_padding() {
    // The level's keys have two digits, the data files' one.
    let r = fails(|a| {
        edit(
            &a.join("atlas.toml"),
            "name_property = \"district_name\"\n",
            "name_property = \"district_name\"\nkey_width = 2\n",
        )
    });
    has(
        &r,
        &[
            "data/flensburg_core_indicators_wide.csv, line 2, column `district_id`",
            "`1` matches the area `01` with leading zeros: set key_width = 2 for this data file",
            "found `1`",
        ],
    );
}

#[test]
fn key_with_leading_zeros_the_level_lacks() {
    let r = fails(|a| {
        edit(
            &a.join(MIG),
            "2021,1,Altstadt,999,375",
            "2021,01,Altstadt,999,375",
        )
    });
    has(
        &r,
        &[
            MIG,
            "line 2, column `district_id`",
            "`01` matches the area `1` without its leading zeros: set key_width = 2 for the level `stadtteil`",
        ],
    );
}

/// The real Flensburg Shapefile (EPSG:25832) from its zip into `geo/stadtteile.*`, used by the
/// level instead of the GeoJSON; `patch` may change the .shp bytes.
fn shapefile_level(a: &Path, patch: impl FnOnce(&mut Vec<u8>)) {
    let zip = std::fs::read(
        shared_data().join("flensburg-sozialatlas/original/flensburg_stadtteile_shp_epsg25832.zip"),
    )
    .unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut patch = Some(patch);
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let name = f.name().rsplit('/').next().unwrap().to_string();
        let ext = name.rsplit('.').next().unwrap().to_ascii_lowercase();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        if ext == "shp" {
            (patch.take().unwrap())(&mut bytes);
        }
        std::fs::write(a.join("geo").join(format!("stadtteile.{ext}")), bytes).unwrap();
    }
    assert!(patch.is_none(), "no .shp in the zip");
    edit(
        &a.join("atlas.toml"),
        "boundaries = \"geo/flensburg_stadtteile.geojson\"",
        "boundaries = \"geo/stadtteile.shp\"",
    );
}

#[test]
fn nan_coordinate_in_a_shapefile() {
    // Was a panic (exit 101) in the ring orientation.
    let r = fails(|a| {
        shapefile_level(a, |shp| {
            // First record: 100-byte file header, 8-byte record header, shape type, box (32),
            // number of parts, number of points, the parts, then the points (x, y).
            let parts = u32::from_le_bytes(shp[144..148].try_into().unwrap()) as usize;
            let x = 152 + 4 * parts + 16 * 2;
            shp[x..x + 8].copy_from_slice(&f64::NAN.to_le_bytes());
        })
    });
    has(
        &r,
        &[
            "geo/stadtteile.shp",
            "feature 1",
            "expected coordinates that are numbers",
            "found ring 0 of the shape: coordinate 2 is (NaN, ",
        ],
    );
}

#[test]
fn infinite_coordinate_in_a_shapefile() {
    let r = fails(|a| {
        shapefile_level(a, |shp| {
            let parts = u32::from_le_bytes(shp[144..148].try_into().unwrap()) as usize;
            let y = 152 + 4 * parts + 16 * 3 + 8;
            shp[y..y + 8].copy_from_slice(&f64::INFINITY.to_le_bytes());
        })
    });
    has(
        &r,
        &[
            "geo/stadtteile.shp",
            "feature 1",
            "found ring 0 of the shape: coordinate 3 is (",
            ", inf)",
        ],
    );
}

#[test]
fn degenerate_rings_in_geojson() {
    for (geometry, found) in [
        (
            serde_json::json!({"type": "Polygon", "coordinates": [[]]}),
            "empty",
        ),
        (
            serde_json::json!({"type": "Polygon", "coordinates": [[[9.40, 54.78], [9.42, 54.80], [9.40, 54.78]]]}),
            "too few points",
        ),
        (
            serde_json::json!({"type": "Polygon", "coordinates": [[[9.40, 54.78]]]}),
            "",
        ),
        (
            serde_json::json!({"type": "MultiPolygon", "coordinates": [[]]}),
            "",
        ),
        (
            serde_json::json!({"type": "Polygon", "coordinates": []}),
            "",
        ),
    ] {
        let r = fails(|a| {
            let p = a.join("geo/flensburg_stadtteile.geojson");
            let mut g: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            g["features"][4]["geometry"] = geometry.clone();
            std::fs::write(&p, g.to_string()).unwrap();
        });
        has(
            &r,
            &["geo/flensburg_stadtteile.geojson", "feature 5", found],
        );
    }
}

#[test]
fn infinite_coordinate_in_geojson() {
    let r = fails(|a| {
        let p = a.join("geo/flensburg_stadtteile.geojson");
        let mut g: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        g["features"][4]["geometry"] = serde_json::json!({"type": "Polygon", "coordinates": [[[9.40, 54.78], [9.42, 54.80], [9.42, 54.78], [9.40, 54.78]]]});
        let text = g.to_string().replacen("9.42,54.8]", "9.42,1e999]", 1);
        std::fs::write(&p, text).unwrap();
    });
    has(&r, &["geo/flensburg_stadtteile.geojson", "line 1"]);
}
