//! `sozialatlas build`: loading, idempotence, the figures against the source tables.

use crate::common::*;

#[test]
fn build_is_idempotent_and_reloads_changed_inputs() {
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("fl.db");
    let db = db.to_str().unwrap();
    let a = atlas.to_str().unwrap();
    let r = run(&["build", a, "--db", db]);
    r.says("(load 1)");
    assert!(
        r.stdout.contains("stadt 1, stadtteil 13, bezirk 41"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("2011, 2012, 2017–2022"), "{}", r.stdout);

    let r = run(&["build", a, "--db", db]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.starts_with("No change"), "{}", r.stdout);

    // A load time that is no number of seconds is refused before anything is written.
    run_env(
        &["build", a, "--db", db, "--force"],
        &[("SOURCE_DATE_EPOCH", "gestern")],
    )
    .refused(
        "SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01 (such as 1700000000), found `gestern`",
    );
    let r = run(&["build", a, "--db", db]);
    assert!(r.stdout.starts_with("No change"), "{}", r.stdout);

    edit(
        &atlas.join("data/migration_background_by_district.csv"),
        "2021,1,Altstadt,999,375",
        "2021,1,Altstadt,1000,375",
    );
    let r = run(&["build", a, "--db", db]);
    r.says("(load 2)");
    assert!(
        r.stdout
            .contains("Changed:     data/migration_background_by_district.csv"),
        "{}",
        r.stdout
    );
}

/// Reads a per-district source table of Flensburg: (year, district_id) → value of `column`.
fn source_table(file: &str, column: &str) -> std::collections::HashMap<(String, String), f64> {
    let text = std::fs::read_to_string(
        shared_data()
            .join("flensburg-sozialatlas/tables")
            .join(file),
    )
    .expect("table");
    let (h, rows) = parse_csv(&text, b',');
    let c = h.iter().position(|x| x == column).expect("column");
    rows.into_iter()
        .filter(|r| !r[1].is_empty() && !r[c].trim().is_empty())
        .map(|r| {
            (
                (r[0].clone(), r[1].clone()),
                r[c].trim().parse::<f64>().expect("number"),
            )
        })
        .collect()
}

#[test]
fn sgb2_quota_equals_hand_computation_from_the_source_tables() {
    // SGB II quota = SGB II recipients / residents under 65 × 100, residents under 65 = under 18
    // + 18 to under 65. Taken from the three source tables, not from the wide file the demo reads.
    let sgb2 = source_table("beneficiaries_by_district.csv", "residents");
    let u18 = source_table("children_age_under_18_by_district.csv", "residents");
    let a18 = source_table("residents_age_18_to_under_65_by_district.csv", "residents");
    let k = |d: &str| ("2022".to_string(), d.to_string());
    let neustadt = sgb2[&k("2")] / (u18[&k("2")] + a18[&k("2")]) * 100.0;

    let r = run(&[
        "export",
        "--format",
        "csv",
        "--locale",
        "en",
        "--indicators",
        "sgb2_quote",
        "--period",
        "2022",
        "--out",
        "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (h, rows) = parse_csv(&r.stdout, b',');
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let row = |key: &str, level: &str| {
        rows.iter()
            .find(|r| r[col("area_key")] == key && r[col("level")] == level)
            .expect("row")
            .clone()
    };
    let n = row("2", "District");
    assert_eq!(n[col("area")], "Neustadt");
    // The data pool writes every digit: the value reads back as the hand computation.
    let value: f64 = n[col("value")].parse().unwrap();
    assert!((value - neustadt).abs() < 1e-9, "{value} vs {neustadt}");
    assert_eq!(n[col("numerator")], format!("{}", sgb2[&k("2")]));

    // The city value is Σ numerators / Σ denominators, not the mean of the rates.
    let ids: Vec<String> = (1..=13).map(|i| i.to_string()).collect();
    let num: f64 = ids.iter().map(|d| sgb2[&k(d)]).sum();
    let den: f64 = ids.iter().map(|d| u18[&k(d)] + a18[&k(d)]).sum();
    let city = num / den * 100.0;
    let mean: f64 = ids
        .iter()
        .map(|d| sgb2[&k(d)] / (u18[&k(d)] + a18[&k(d)]) * 100.0)
        .sum::<f64>()
        / 13.0;
    assert!(
        (city - mean).abs() > 0.1,
        "the test needs data where the two differ"
    );
    let c = row("0", "City");
    for written in [&c[col("value")], &n[col("city_value")]] {
        let v: f64 = written.parse().unwrap();
        assert!((v - city).abs() < 1e-9, "{written} vs {city}");
    }
    assert_eq!(c[col("numerator")], format!("{num}"));
    assert_eq!(c[col("denominator")], format!("{den}"));
}

#[test]
fn german_csv_uses_semicolon_and_decimal_comma() {
    let r = run(&[
        "export",
        "--format",
        "csv",
        "--indicators",
        "sgb2_quote",
        "--period",
        "2022",
        "--out",
        "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with('\u{feff}'));
    let (h, rows) = parse_csv(&r.stdout, b';');
    assert_eq!(h[0], "Indikator-ID");
    let v = h.iter().position(|x| x == "Wert").unwrap();
    assert!(
        rows.iter()
            .all(|r| r[v].is_empty() || (r[v].contains(',') && !r[v].contains('.')))
    );
}

#[test]
fn exports_write_xlsx_and_geojson_with_attribution() {
    let dir = tempfile::tempdir().unwrap();
    let x = dir.path().join("dp.xlsx");
    let r = run(&["export", "--format", "xlsx", "--out", x.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    assert_eq!(wb.sheet_names(), vec!["Daten", "Indikatoren", "Quellen"]);
    let src = wb.worksheet_range("Quellen").unwrap();
    let text: Vec<String> = src
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(
        text.iter()
            .any(|t| t.contains("Stadt Flensburg, Sozialatlas")),
        "attribution missing"
    );
    assert!(text.iter().any(|t| t == "31.12.2022"));

    let r = run(&[
        "export",
        "--format",
        "geojson",
        "--level",
        "stadtteil",
        "--out",
        "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let g: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(g["features"].as_array().unwrap().len(), 13);
    assert!(
        g["attribution"][0]
            .as_str()
            .unwrap()
            .contains("OK Lab Flensburg")
    );
    assert_eq!(g["features"][0]["properties"]["year"], 2022);
}

#[test]
fn unknown_selection_is_a_usage_error() {
    let r = run(&[
        "export", "--format", "csv", "--period", "1999", "--out", "-",
    ]);
    r.refused("no data for 1999");
    let r = run(&["export", "--format", "csv", "--level", "kiez", "--out", "-"]);
    r.refused("unknown level `kiez`");
    let r = run(&[
        "export",
        "--db",
        "/nonexistent/x.db",
        "--format",
        "csv",
        "--out",
        "-",
    ]);
    assert_eq!(r.code, 2);
}

/// An area whose name a spreadsheet would run as a formula is written as text in the data
/// pool CSV (prefixed with `'`), in both locales; numbers, negative ones too, stay numbers.
#[test]
fn the_data_pool_csv_writes_no_formula() {
    let (dir, atlas) = scratch("flensburg");
    edit(
        &atlas.join("geo/flensburg_stadtteile.geojson"),
        "\"district_name\":\"Altstadt\"",
        "\"district_name\":\"=HYPERLINK(\\\"http://example.org\\\";\\\"Altstadt\\\")\"",
    );
    let db = dir.path().join("fl.db");
    let d = db.to_str().unwrap();
    build_store(&atlas, &db).says("(load 1)");
    for (locale, delim) in [("de", b';'), ("en", b',')] {
        let r = run(&[
            "export", "--db", d, "--format", "csv", "--locale", locale, "--out", "-",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let (_, rows) = parse_csv(r.stdout.trim_start_matches('\u{feff}'), delim);
        let named: Vec<_> = rows
            .iter()
            .flatten()
            .filter(|c| c.contains("HYPERLINK"))
            .collect();
        assert!(
            !named.is_empty(),
            "{locale}: the area is not in the data pool"
        );
        for c in named {
            assert_eq!(c, "'=HYPERLINK(\"http://example.org\";\"Altstadt\")");
        }
        let risky: Vec<_> = rows
            .iter()
            .flatten()
            .filter(|c| c.starts_with(['=', '+', '@']))
            .collect();
        assert!(risky.is_empty(), "{locale}: {risky:?}");
        assert!(
            rows.iter().flatten().any(|c| c.starts_with('-')
                && c[1..]
                    .chars()
                    .all(|x| x.is_ascii_digit() || x == ',' || x == '.')),
            "{locale}: no negative number (a change) left as a number"
        );
    }
}

/// The same store gives the same data pool workbook, byte for byte, however much later it is
/// written (its creation time is the load's): the static publication and the server serve
/// the same file.
#[test]
fn the_data_pool_workbook_is_the_same_bytes_every_time() {
    let (dir, db) = built("flensburg", "fl.db");
    let mut files = Vec::new();
    for n in 0..2 {
        if n > 0 {
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let out = dir.path().join(format!("pool{n}.xlsx"));
        let r = run(&[
            "export",
            "--db",
            db.to_str().unwrap(),
            "--format",
            "xlsx",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        files.push(std::fs::read(out).unwrap());
    }
    assert!(files[0] == files[1], "the two workbooks differ");
}
