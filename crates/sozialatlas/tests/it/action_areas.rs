//! `sozialatlas action-areas`: Dortmund's Aktionsräume overlay and a confirmed typology proposal
//! become stored sets; bad input is refused with exit code 2 and a message naming it.

use crate::common::*;

#[test]
fn dortmund_overlay_is_saved_as_a_set() {
    let (dir, db) = built("dortmund", "do.db");
    let d = db.to_str().unwrap();

    let r = run(&["action-areas", "list", "--db", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("No action-area sets yet"),
        "{}",
        r.stdout
    );

    let r = run(&[
        "action-areas",
        "from-overlay",
        "aktionsraum",
        "--db",
        d,
        "--note",
        "Aktionsplan Soziale Stadt",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("stored as action-area set 1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout
            .contains("Set 1: Aktionsraum (aktionsraum) (current) — overlay"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("15 action areas"), "{}", r.stdout);

    let r = run(&["action-areas", "list", "--db", d, "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j[0]["source"], "overlay");
    assert_eq!(j[0]["level"], "aktionsraum");
    assert_eq!(j[0]["note"], "Aktionsplan Soziale Stadt");
    assert_eq!(j[0]["areas"].as_array().unwrap().len(), 15);

    let r = run(&["action-areas", "from-overlay", "stadtbezirk", "--db", d]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: level `stadtbezirk` is not an overlay (overlays: aktionsraum)"
    );
    let r = run(&["action-areas", "from-overlay", "ortsteil", "--db", d]);
    r.refused("unknown level `ortsteil`");
    let r = run(&[
        "action-areas",
        "list",
        "--db",
        dir.path().join("nope.db").to_str().unwrap(),
    ]);
    r.refused("no such store");
}

#[test]
fn typology_proposal_is_confirmed_edited_and_checked() {
    let (_dir, db) = built("flensburg", "fl.db");
    let d = db.to_str().unwrap();
    let r = flensburg_typology(d, &["--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let j: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let key = |i: &serde_json::Value| {
        j["areas"][i.as_u64().unwrap() as usize]["key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let proposed: Vec<String> = j["result"]["proposed_action_areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let other: String = j["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap().to_string())
        .find(|k| !proposed.contains(k))
        .unwrap();
    assert_eq!(
        run(&["analyse", "index", "--db", d, "--status", "sgb2_quote"]).code,
        0
    );

    let r = run(&[
        "action-areas",
        "from-run",
        "1",
        "--db",
        d,
        "--exclude",
        &proposed[0],
        "--include",
        &other,
        "--name",
        "Aktionsräume 2023",
    ]);
    r.says("Set 1: Aktionsräume 2023 (current) — typology run 1, level stadtteil");
    let r = run(&["action-areas", "list", "--db", d, "--json"]);
    let sets: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let keys: Vec<&str> = sets[0]["areas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), proposed.len());
    assert!(
        !keys.contains(&proposed[0].as_str()) && keys.contains(&other.as_str()),
        "{keys:?}"
    );
    assert_eq!(sets[0]["run_id"], 1);

    for (args, msg) in [
        (vec!["from-run", "9"], "there is no stored run 9"),
        (vec!["from-run", "2"], "run 2 is a index run"),
        (
            vec!["from-run", "1", "--include", "999"],
            "area `999` is not an area of level `stadtteil`",
        ),
        (
            vec!["from-run", "1", "--exclude", other.as_str()],
            "is not among the proposed action areas",
        ),
    ] {
        let mut a = vec!["action-areas"];
        a.extend(args);
        a.extend(["--db", d]);
        let r = run(&a);
        assert_eq!(r.code, 2, "{a:?}: {}", r.stderr);
        assert!(r.stderr.contains(msg), "{a:?}: {}", r.stderr);
    }
    // Nothing was written by the refused commands.
    let r = run(&["action-areas", "list", "--db", d, "--json"]);
    let sets: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(sets.as_array().unwrap().len(), 1);
}
