//! `sozialatlas init` on the real sources in `../shared/data` as they are: the draft passes
//! `check` and `build`, and what it detected is what the files hold.

use crate::common::*;
use std::path::Path;

fn init(out: &Path, boundaries: &Path, data: &[&Path], extra: &[&str]) -> Run {
    let mut args = vec![
        "init".to_string(),
        "--boundaries".into(),
        boundaries.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ];
    for d in data {
        args.push("--data".into());
        args.push(d.display().to_string());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&args)
}

/// Runs init, then `check` and `build` on its output; returns the atlas.toml written.
fn drafted(boundaries: &Path, data: &[&Path], extra: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("atlas");
    let r = init(&out, boundaries, data, extra);
    assert_eq!(r.code, 0, "init failed: {}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Check before you publish"),
        "{}",
        r.stdout
    );
    let o = out.to_str().unwrap();
    let c = run(&["check", o]);
    assert_eq!(c.code, 0, "check of the draft failed: {}", c.stderr);
    let db = dir.path().join("a.db");
    let b = run(&["build", o, "--db", db.to_str().unwrap()]);
    assert_eq!(b.code, 0, "build of the draft failed: {}", b.stderr);
    let toml = std::fs::read_to_string(out.join("atlas.toml")).expect("atlas.toml");
    (dir, toml)
}

fn export(dir: &Path) -> String {
    let db = dir.join("a.db");
    export_csv(&db)
}

#[test]
fn flensburg_districts_and_their_core_table() {
    let d = shared_data().join("flensburg-sozialatlas");
    let (dir, toml) = drafted(
        &d.join("flensburg_stadtteile.geojson"),
        &[&d.join("flensburg_core_indicators_wide.csv")],
        &["--city", "Flensburg"],
    );
    for line in [
        "key = \"district_id\"",
        "name_property = \"district_name\"",
        "area = \"district_id\"",
        "period = \"year\"",
        "delimiter = \",\"",
        "decimal = \".\"",
        "residents = \"residents\"",
        "sgb2_beneficiaries = \"sgb2_beneficiaries\"",
    ] {
        assert!(toml.contains(line), "missing `{line}` in\n{toml}");
    }
    // Rates cannot be summed: they are left out, and said so.
    assert!(!toml.contains("birth_rate = "), "{toml}");
    assert!(
        toml.contains("birth_rate"),
        "the left-out rate is named: {toml}"
    );
    // A share of the population base, computed from the counts: Altstadt 2022, under 18.
    let pool = export(dir.path());
    assert!(
        pool.contains("anteil_residents_under_18"),
        "the share is drafted: {}",
        &pool[..pool.len().min(400)]
    );
}

#[test]
fn koeln_one_file_with_three_levels() {
    let d = shared_data().join("koeln-stadtteile-bevoelkerung");
    let (_dir, toml) = drafted(
        &d.join("koeln_stadtteile.geojson"),
        &[&d.join("koeln_bevoelkerung_wide.csv")],
        &[],
    );
    for line in [
        "key = \"stadtteil_nr\"",
        "name_property = \"stadtteil\"",
        "area = \"raum_id\"",
        "period = \"jahr\"",
        // The Stadtteil rows for the level, the city's own rows (key 000) for the city.
        "where = { ebene = \"stadtteil\" }",
        "where = { ebene = \"stadt\" }",
        "areas = [{ key = \"000\"",
        "einwohner_mit_migrationshintergrund = \"einwohner_mit_migrationshintergrund\"",
    ] {
        assert!(toml.contains(line), "missing `{line}` in\n{toml}");
    }
    assert!(toml.contains("ebene = \"stadtbezirk\" (72 rows)"), "{toml}");
    assert!(!toml.contains("auslaenderanteil_pct_derived = "), "{toml}");
}

#[test]
fn dortmund_statistical_districts_with_a_file_without_years() {
    let geo =
        shared_data().join("dortmund-gebietsgliederung/dortmund_statistische_bezirke.geojson");
    let data = shared_data()
        .join("zensus-2011-gitter/einwohner2011_dortmund_statistische_bezirke_area_weighted.csv");
    let (_dir, toml) = drafted(&geo, &[&data], &["--city", "Dortmund"]);
    for line in [
        "key = \"source_id\"",
        "name_property = \"name\"",
        "area = \"source_id\"",
        // No year column: the year in the column and file names, to be checked.
        "period_value = 2011",
        "n_cells = \"n_cells\"",
    ] {
        assert!(toml.contains(line), "missing `{line}` in\n{toml}");
    }
    // An estimate with decimals is not a count.
    assert!(!toml.contains("einwohner_2011_area_weighted = "), "{toml}");
}

#[test]
fn a_german_spreadsheet_export() {
    // The Flensburg table as a German office writes it: `;`, decimal comma, Windows-1252,
    // keys with leading zeros.
    let d = shared_data().join("flensburg-sozialatlas");
    let text = std::fs::read_to_string(d.join("flensburg_core_indicators_wide.csv")).unwrap();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cells: Vec<String> = line
            .split(',')
            .enumerate()
            .map(|(j, c)| {
                if i > 0 && j == 1 {
                    format!("{c:0>2}")
                } else {
                    c.replace('.', ",")
                }
            })
            .collect();
        let mut l = cells
            .join(";")
            .replace("district_name", "Stadtteil (Straße)");
        // The marks of official tables: `–` nothing (zero), `.` unknown or secret.
        if i == 1 {
            l = l.replacen(";;", ";–;", 1).replacen(";;", ";.;", 1);
        }
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&l);
        out.extend_from_slice(&bytes);
        out.extend_from_slice(b"\r\n");
    }
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("kernindikatoren.csv");
    std::fs::write(&csv, out).unwrap();
    let (_dir, toml) = drafted(&d.join("flensburg_stadtteile.geojson"), &[&csv], &[]);
    for line in [
        "delimiter = \";\"",
        "decimal = \",\"",
        "encoding = \"windows-1252\"",
        "key_width = 2",
        "zero = [\"–\"]",
        "suppressed = [\"x\", \"X\", \"*\", \"•\", \".\"]",
    ] {
        assert!(toml.contains(line), "missing `{line}` in\n{toml}");
    }
}

#[test]
fn a_shapefile_without_its_crs() {
    // The real Flensburg Shapefile (EPSG:25832) without its .prj.
    let zip = std::fs::read(
        shared_data().join("flensburg-sozialatlas/original/flensburg_stadtteile_shp_epsg25832.zip"),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let name = f.name().rsplit('/').next().unwrap().to_string();
        let ext = name.rsplit('.').next().unwrap().to_ascii_lowercase();
        if f.is_dir() || ext == "prj" {
            continue;
        }
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut bytes).unwrap();
        std::fs::write(tmp.path().join(format!("stadtteile.{ext}")), bytes).unwrap();
    }
    // Its keys (`STGT03`) are not the data's (`3`): the boundaries alone.
    let (_dir, toml) = drafted(&tmp.path().join("stadtteile.shp"), &[], &[]);
    for line in [
        "boundaries = \"geo/stadtteile.shp\"",
        "key = \"AREA_ID\"",
        "# CHECK: the file names no CRS",
        "crs = \"EPSG:25832\"",
    ] {
        assert!(toml.contains(line), "missing `{line}` in\n{toml}");
    }
}

#[test]
fn refuses_a_folder_with_files_and_a_file_without_area_keys() {
    let d = shared_data().join("flensburg-sozialatlas");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("x.txt"), "mine").unwrap();
    let r = init(
        dir.path(),
        &d.join("flensburg_stadtteile.geojson"),
        &[],
        &[],
    );
    r.refused("never overwrites");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("x.txt")).unwrap(),
        "mine"
    );

    let out = dir.path().join("new");
    let other = shared_data().join("koeln-stadtteile-bevoelkerung/koeln_bevoelkerung_wide.csv");
    let r = init(
        &out,
        &d.join("flensburg_stadtteile.geojson"),
        &[&other],
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Köln's Stadtbezirke `001`…`009` have the keys of Flensburg's first Stadtteile, but
    // not their names: refused, naming one.
    assert!(
        r.stderr.contains("koeln_bevoelkerung_wide.csv")
            && r.stderr.contains("other areas under the same keys")
            && r.stderr.contains("in the boundaries"),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "nothing is written on bad input");
}
