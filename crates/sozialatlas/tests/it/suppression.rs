//! Confidentiality on real data: with a high threshold, Flensburg's small counts are
//! suppressed; no export contains a suppressed value, and none can be recomputed from what is
//! published (totals minus the other parts, or a derived sum minus its other parts).

use crate::common::*;
use std::collections::{HashMap, HashSet};

const THRESHOLD: f64 = 150.0;

#[test]
fn no_export_reveals_a_suppressed_value() {
    let (dir, atlas) = scratch("flensburg");
    edit(
        &atlas.join("atlas.toml"),
        "suppression_threshold = 3",
        &format!("suppression_threshold = {THRESHOLD}"),
    );
    let db = dir.path().join("s.db");
    let d = db.to_str().unwrap();
    let r = run(&["build", atlas.to_str().unwrap(), "--db", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let loaded =
        sozialatlas_import::load_atlas(&sozialatlas_import::DirSource::new(&atlas), &|_, _, _| {})
            .unwrap();
    let cat = loaded.catalogue.clone();
    // The cells withheld for confidentiality, by the core's own account; what follows checks
    // independently, from the published CSV alone, that none of them can be recomputed.
    let settings = sozialatlas_core::ComputeSettings {
        suppression_threshold: THRESHOLD as u32,
        population_variable: Some("residents".into()),
        min_population: Some(300.0),
        ..Default::default()
    };
    let computed = sozialatlas_core::compute(&loaded.tree, &cat, &loaded.observations, &settings);
    let mut confidential: HashSet<(String, String, String, String)> = HashSet::new();
    for &period in &computed.periods {
        for (a, area) in loaded.tree.areas.iter().enumerate() {
            let level = if area.level == 0 {
                "City"
            } else if area.level == 1 {
                "District"
            } else {
                continue;
            };
            for (v, var) in cat.variables.iter().enumerate() {
                let c = computed.cell(period, a, v).unwrap();
                if c.disclosure != sozialatlas_core::compute::Disclosure::Open {
                    confidential.insert((
                        var.id.clone(),
                        level.into(),
                        area.key.clone(),
                        period.to_string(),
                    ));
                }
            }
        }
    }
    assert!(!confidential.is_empty());
    let r = run(&[
        "export", "--db", d, "--format", "csv", "--locale", "en", "--out", "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (h, rows) = parse_csv(&r.stdout, b',');
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();

    // 1. Suppressed rows carry no number at all.
    let suppressed_rows: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[col("state")] == "suppressed (confidentiality)")
        .collect();
    assert!(
        suppressed_rows.len() > 10,
        "the test needs suppressed values, found {}",
        suppressed_rows.len()
    );
    for r in &suppressed_rows {
        for c in ["value", "numerator", "denominator", "ci95_low", "ci95_high"] {
            assert!(r[col(c)].is_empty(), "suppressed row shows {c}: {r:?}");
        }
    }

    // 2. Per variable, area and year: what is published, and which cells are withheld.
    // (variable, level, area, year) → Some(value) published / None withheld
    let mut cells: HashMap<(String, String, String, String), Option<f64>> = HashMap::new();
    let mut withheld: HashSet<(String, String, String, String)> = HashSet::new();
    for r in &rows {
        let ind = cat.indicator(&r[col("indicator_id")]).unwrap();
        let vars = ind.formula.variables();
        let key = |v: &str| {
            (
                v.to_string(),
                r[col("level")].clone(),
                r[col("area_key")].clone(),
                r[col("year")].clone(),
            )
        };
        let published = r[col("state")] == "published";
        let num = r[col("numerator")].parse::<f64>().ok();
        let den = r[col("denominator")].parse::<f64>().ok();
        let pairs: Vec<(&str, Option<f64>)> = match ind.formula {
            sozialatlas_core::Formula::Density { .. } | sozialatlas_core::Formula::Count { .. } => {
                vec![(vars[0], num)]
            }
            _ => vars.iter().copied().zip([num, den]).collect(),
        };
        for (v, x) in pairs {
            if published {
                let x = x.unwrap_or_else(|| panic!("published row without counts: {r:?}"));
                if let Some(Some(prev)) = cells.insert(key(v), Some(x)) {
                    assert_eq!(prev, x, "variable {v} published with two values");
                }
            } else if r[col("state")] == "suppressed (confidentiality)" {
                withheld.insert(key(v));
            }
        }
    }
    let known = |k: &(String, String, String, String)| cells.get(k).copied().flatten();
    // A confidential count is withheld everywhere: no indicator publishes it.
    for k in &confidential {
        assert!(
            known(k).is_none(),
            "the confidential cell {k:?} is published"
        );
    }
    // A withheld count is withheld everywhere: no other indicator publishes it.
    let mut really_withheld = 0;
    for k in &withheld {
        if let Some(Some(x)) = cells.get(k) {
            // Published elsewhere: then this cell was not the reason for the suppression; it
            // must not be a small count.
            assert!(
                *x == 0.0 || *x >= THRESHOLD,
                "a small count {x} of {k:?} is published by another indicator"
            );
        } else {
            really_withheld += 1;
        }
    }
    assert!(really_withheld > 0);

    // 3. No withheld cell can be recomputed: equations total = Σ parts over the hierarchy
    // (city = Σ Stadtteile) and over derived variables (residents = three age groups, …).
    let years: HashSet<String> = rows.iter().map(|r| r[col("year")].clone()).collect();
    let districts: Vec<String> = (1..=13).map(|i| i.to_string()).collect();
    let vars: HashSet<String> = cells
        .keys()
        .map(|k| k.0.clone())
        .chain(withheld.iter().map(|k| k.0.clone()))
        .collect();
    let mut equations: Vec<Vec<(String, String, String, String)>> = Vec::new(); // [total, parts…]
    for y in &years {
        for v in &vars {
            let mut eq = vec![(v.clone(), "City".to_string(), "0".to_string(), y.clone())];
            eq.extend(
                districts
                    .iter()
                    .map(|d| (v.clone(), "District".to_string(), d.clone(), y.clone())),
            );
            equations.push(eq);
        }
        for var in &cat.variables {
            if var.sum.is_empty() {
                continue;
            }
            for (level, key) in std::iter::once(("City".to_string(), "0".to_string())).chain(
                districts
                    .iter()
                    .map(|d| ("District".to_string(), d.clone())),
            ) {
                let mut eq = vec![(var.id.clone(), level.clone(), key.clone(), y.clone())];
                eq.extend(
                    var.sum
                        .iter()
                        .map(|p| (p.clone(), level.clone(), key.clone(), y.clone())),
                );
                equations.push(eq);
            }
        }
    }
    for eq in &equations {
        let unknown: Vec<&(String, String, String, String)> =
            eq.iter().filter(|k| known(k).is_none()).collect();
        if unknown.len() == 1 {
            assert!(
                !confidential.contains(unknown[0]),
                "the withheld cell {:?} can be recomputed from {:?}",
                unknown[0],
                eq
            );
        }
    }

    // 4. XLSX and GeoJSON carry the same: no value where the state says suppressed.
    let x = dir.path().join("dp.xlsx");
    assert_eq!(
        run(&[
            "export",
            "--db",
            d,
            "--format",
            "xlsx",
            "--locale",
            "en",
            "--out",
            x.to_str().unwrap()
        ])
        .code,
        0
    );
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    let data = wb.worksheet_range("Data").unwrap();
    let mut n = 0;
    for row in data.rows().skip(1) {
        if row[14] == "suppressed (confidentiality)" {
            n += 1;
            for c in [7, 10, 11, 12, 13] {
                assert!(
                    matches!(row[c], calamine::Data::Empty),
                    "XLSX shows a suppressed value: {row:?}"
                );
            }
        }
    }
    assert_eq!(n, suppressed_rows.len());
    for year in ["2017", "2022"] {
        let g = run(&[
            "export",
            "--db",
            d,
            "--format",
            "geojson",
            "--level",
            "stadtteil",
            "--period",
            year,
            "--out",
            "-",
        ]);
        let g: serde_json::Value = serde_json::from_str(&g.stdout).unwrap();
        let mut listed = 0;
        for f in g["features"].as_array().unwrap() {
            for id in f["properties"]["suppressed"].as_array().unwrap() {
                listed += 1;
                assert!(
                    f["properties"][id.as_str().unwrap()].is_null(),
                    "GeoJSON shows a suppressed value"
                );
            }
        }
        assert!(listed > 0, "no suppressed values in {year}");
    }
}
