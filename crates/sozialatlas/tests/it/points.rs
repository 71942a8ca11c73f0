//! `[[data]] kind = "points"`: records with coordinates counted per area during `build` — the
//! counts against a count by hand, the warning about records outside, and every bad input named by
//! file, line and column.

use crate::common::*;
use sozialatlas_aggregate::PolygonIndex;
use std::collections::BTreeMap;
use std::path::Path;

/// The example's Stadtbezirke in EPSG:25832, read as they are in the file.
fn stadtbezirke(atlas: &Path) -> PolygonIndex {
    let layer = sozialatlas_geo::read_path(
        &atlas.join("geo/dortmund_stadtbezirke_25832.geojson"),
        &sozialatlas_geo::ReadOptions {
            target_crs: Some("EPSG:25832".into()),
            ..Default::default()
        },
    )
    .unwrap();
    PolygonIndex::new(
        layer
            .features
            .into_iter()
            .map(|f| {
                let key = match &f.properties["stadtbezirk_nr"] {
                    serde_json::Value::String(s) => format!("{s:0>2}"),
                    v => format!("{:0>2}", v.to_string()),
                };
                (key, f.geometry)
            })
            .collect(),
    )
    .unwrap()
}

/// (Stadtbezirk key, year, kind) → cases, counted here from the CSV, and the number outside.
fn count_by_hand(atlas: &Path) -> (BTreeMap<(String, i32, String), u64>, u64) {
    let index = stadtbezirke(atlas);
    let text = std::fs::read_to_string(atlas.join("daten/faelle.csv")).unwrap();
    let (header, rows) = parse_csv(&text, b';');
    assert_eq!(header, ["fall_id", "rechtswert", "hochwert", "jahr", "art"]);
    let mut counts = BTreeMap::new();
    let mut outside = 0;
    for r in rows {
        let x: f64 = r[1].replace(',', ".").parse().unwrap();
        let y: f64 = r[2].replace(',', ".").parse().unwrap();
        match index.locate(x, y) {
            Some(a) => {
                *counts
                    .entry((
                        index.key(a).to_string(),
                        r[3].parse().unwrap(),
                        r[4].clone(),
                    ))
                    .or_default() += 1
            }
            None => outside += 1,
        }
    }
    (counts, outside)
}

#[test]
fn points_are_counted_per_area_year_and_variable() {
    let (_dir, atlas) = scratch("punkte");
    let loaded =
        sozialatlas_import::load_atlas(&sozialatlas_import::DirSource::new(&atlas), &|_, _, _| {})
            .expect("the example loads");
    let (expected, outside) = count_by_hand(&atlas);
    assert!(outside > 0 && outside < 100, "{outside}");
    let t = &loaded.tree;
    let level = t.level_index("stadtbezirk").unwrap();
    let var = |id: &str| {
        loaded
            .catalogue
            .variables
            .iter()
            .position(|v| v.id == id)
            .unwrap()
    };
    let kinds = [
        ("HzE", "faelle_hze"),
        ("Eingliederungshilfe", "faelle_eingliederungshilfe"),
        ("Inobhutnahme", "faelle_inobhutnahme"),
    ];
    let mut total = 0.0;
    for a in t.areas_of_level(level) {
        for year in [2022, 2023, 2024] {
            for (kind, id) in kinds {
                let want = expected
                    .get(&(t.areas[a].key.clone(), year, kind.to_string()))
                    .copied()
                    .unwrap_or(0) as f64;
                let got = loaded.observations.get(&(a, year, var(id)));
                // Every area has a value in every year for every kind, 0 included.
                assert_eq!(
                    got,
                    Some(&sozialatlas_core::Obs::Value(want)),
                    "{} {year} {id}",
                    t.areas[a].key
                );
                total += want;
            }
        }
    }
    assert_eq!(total as u64 + outside, 4000);
    // The outside records are a warning with their count and sample lines.
    let w = loaded
        .warnings
        .iter()
        .find(|w| w.starts_with("daten/faelle.csv:"))
        .expect("a warning about records outside");
    assert!(
        w.contains(&format!(
            "{outside} of 4000 records lie outside every area of level `stadtbezirk`"
        )),
        "{w}"
    );
    assert!(w.contains("(e.g. line "), "{w}");
    // The day-care places (WGS84, summed): every Stadtbezirk in 2024, and the sum of all places.
    let places: f64 = t
        .areas_of_level(level)
        .iter()
        .map(
            |&a| match loaded.observations.get(&(a, 2024, var("kita_plaetze"))) {
                Some(sozialatlas_core::Obs::Value(v)) => *v,
                other => panic!("{other:?}"),
            },
        )
        .sum();
    let text = std::fs::read_to_string(atlas.join("daten/kitas.csv")).unwrap();
    let (_, rows) = parse_csv(&text, b',');
    let all: f64 = rows.iter().map(|r| r[3].parse::<f64>().unwrap()).sum();
    assert_eq!(places, all, "every day-care centre lies in the city");
    // Both points files are inputs with checksums (the load is repeatable and detects changes).
    for f in ["daten/faelle.csv", "daten/kitas.csv"] {
        let i = loaded.inputs.iter().find(|i| i.path == f).expect(f);
        assert_eq!(i.bytes, std::fs::metadata(atlas.join(f)).unwrap().len());
        assert_eq!(i.sha256.len(), 64);
    }
}

#[test]
fn build_reports_outside_records_and_reloads_a_changed_points_file() {
    let (dir, atlas) = scratch("punkte");
    let db = dir.path().join("p.db");
    let (a, d) = (atlas.to_str().unwrap(), db.to_str().unwrap());
    let r = run(&["build", a, "--db", d]);
    r.says("stadt 1, stadtbezirk 12");
    assert!(
        r.stdout
            .contains("records lie outside every area of level `stadtbezirk`"),
        "{}",
        r.stdout
    );
    assert!(
        run(&["build", a, "--db", d])
            .stdout
            .starts_with("No change")
    );
    edit(
        &atlas.join("daten/faelle.csv"),
        ";2024;HzE\n",
        ";2023;HzE\n",
    );
    let r = run(&["build", a, "--db", d]);
    r.says("Changed:     daten/faelle.csv");
}

/// Breaks the example with `breaker` and returns the failed build.
fn fails(breaker: impl FnOnce(&Path)) -> Run {
    let (dir, atlas) = scratch("punkte");
    breaker(&atlas);
    let db = dir.path().join("p.db");
    let r = build_store(&atlas, &db);
    assert_eq!(r.code, 2, "stdout: {} stderr: {}", r.stdout, r.stderr);
    r
}

fn has(r: &Run, parts: &[&str]) {
    for p in parts {
        assert!(r.stderr.contains(p), "missing {p:?} in: {}", r.stderr);
    }
}

/// Replaces the `n`-th data line (1-based line `n + 1` of the file) of the cases file.
fn break_case_line(atlas: &Path, n: usize, f: impl Fn(&mut Vec<String>)) {
    let path = atlas.join("daten/faelle.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut fields: Vec<String> = lines[n].split(';').map(str::to_owned).collect();
    f(&mut fields);
    lines[n] = fields.join(";");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn bad_coordinate_names_file_line_and_column() {
    let r = fails(|a| break_case_line(a, 2500, |f| f[2] = "57O8000,5".into()));
    has(
        &r,
        &[
            "daten/faelle.csv, line 2501, column `hochwert`",
            "expected a number",
            "found `57O8000,5`",
        ],
    );
}

#[test]
fn bad_year_and_unknown_kind_name_their_line() {
    let r = fails(|a| break_case_line(a, 3100, |f| f[3] = "20023".into()));
    has(
        &r,
        &[
            "daten/faelle.csv, line 3101, column `jahr`",
            "expected a year such as 2022",
            "found `20023`",
        ],
    );
    let r = fails(|a| break_case_line(a, 17, |f| f[4] = "Jugendarbeit".into()));
    has(
        &r,
        &[
            "daten/faelle.csv, line 18, column `art`",
            "expected a variable of the catalogue (or map it in variable_names",
            "found `Jugendarbeit`",
        ],
    );
    // With ignore_unmapped the record is left out, and the build says so.
    let (dir, atlas) = scratch("punkte");
    break_case_line(&atlas, 17, |f| f[4] = "Jugendarbeit".into());
    edit(
        &atlas.join("atlas.toml"),
        "variable_column = \"art\"",
        "variable_column = \"art\"\nignore_unmapped = true",
    );
    let db = dir.path().join("p.db");
    let r = build_store(&atlas, &db);
    r.says("daten/faelle.csv: 1 records with a variable not in variable_names");
}

#[test]
fn bad_settings_name_the_field_of_atlas_toml() {
    // (text of atlas.toml, replaced by, what the message must say)
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "y = \"hochwert\"",
            "y = \"nordwert\"",
            &[
                "daten/faelle.csv, line 1",
                "expected a column `nordwert` (named in atlas.toml)",
                "rechtswert",
            ],
        ),
        (
            "crs = \"EPSG:25832\"\n",
            "",
            &[
                "atlas.toml, column `data `daten/faelle.csv` (kind = \"points\"): crs`",
                "expected `crs = \"…\"`",
            ],
        ),
        (
            "crs = \"EPSG:25832\"",
            "crs = \"EPSG:25832\"\narea = \"stadtbezirk\"",
            &[
                "kind = \"points\"): area`",
                "no such setting for a points file",
            ],
        ),
        (
            "level = \"stadtbezirk\"\nx = \"lon\"",
            "level = \"stadt\"\nx = \"lon\"",
            &[
                "kind = \"points\"): level`",
                "expected a level with a boundary file",
            ],
        ),
        (
            "variable = \"kita_plaetze\"",
            "variable = \"kitas\"",
            &[
                "kind = \"points\"): variable`",
                "expected the id of a variable of the catalogue, found `kitas`",
            ],
        ),
    ];
    for (from, to, parts) in cases {
        has(&fails(|a| edit(&a.join("atlas.toml"), from, to)), parts);
    }
}
