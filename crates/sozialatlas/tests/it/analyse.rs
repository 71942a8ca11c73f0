//! `sozialatlas analyse` on the demo: the index, the typology with proposed action areas, and
//! Moran's I; with `--db` the run is stored and can be read back.

use crate::common::*;

#[test]
fn index_typology_and_moran_run_and_are_stored() {
    let r = run(&[
        "analyse",
        "index",
        "--year",
        "2022",
        "--status",
        "arbeitslosenanteil,sgb2_quote,nef_quote",
        "--dynamics",
        "arbeitslosenanteil,sgb2_quote,nef_quote",
    ]);
    r.says("Status 2022, Dynamik 2020–2022");
    // Neustadt has the highest SGB II quota of Flensburg: the lowest status class.
    let neustadt = r.stdout.lines().find(|l| l.contains("Neustadt")).unwrap();
    assert!(neustadt.contains("sehr niedrig"), "{neustadt}");

    let (_dir, db) = built("flensburg", "a.db");
    let d = db.to_str().unwrap();
    let r = flensburg_typology(d, &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("stored as typology run 1"),
        "{}",
        r.stderr
    );
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let names: Vec<&str> = j["result"]["proposed_action_areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            j["areas"][i.as_u64().unwrap() as usize]["name"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        names.contains(&"Neustadt") && names.contains(&"Nordstadt"),
        "{names:?}"
    );
    assert_eq!(j["result"]["clusters"].as_array().unwrap().len(), 3);

    let r = run(&[
        "analyse",
        "moran",
        "--indicator",
        "sgb2_quote",
        "--locale",
        "en",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Moran's I = "), "{}", r.stdout);

    let r = run(&[
        "analyse",
        "typology",
        "--indicators",
        "sgb2_quote,gibtsnicht",
    ]);
    r.refused("unknown indicator `gibtsnicht`");
}

/// A status-only index (no `--dynamics`) needs only its own year: on the demo's first year of
/// the unemployment share (2017; there is no 2015) it runs, says that the dynamics are not
/// available and claims no dynamics class or group. An indicator without values in the year is
/// named.
#[test]
fn a_status_only_index_runs_on_a_single_year() {
    let status_only =
        |status: &str| run(&["analyse", "index", "--year", "2017", "--status", status]);
    let r = status_only("arbeitslosenanteil");
    r.says("Status 2017, Dynamik nicht verfügbar");
    assert!(!r.stdout.contains("2015"), "{}", r.stdout);
    assert!(!r.stdout.contains("stabil"), "{}", r.stdout);
    assert!(r.stdout.contains("Statusklassen:"), "{}", r.stdout);
    let neustadt = r.stdout.lines().find(|l| l.contains("Neustadt")).unwrap();
    assert!(neustadt.trim_end().ends_with("niedrig"), "{neustadt}");

    let r = status_only("sgb2_quote");
    r.refused("sgb2_quote: no published value on level stadtteil in 2017");
}
