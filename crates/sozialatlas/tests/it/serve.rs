//! The README's main command: `sozialatlas serve` with no files starts the embedded demo (atlas,
//! demo accounts, participation example, example office) and answers on its pages. Catches a
//! demo that fails to start, which no in-process test would.

use crate::common::*;

#[test]
fn serve_without_files_starts_the_demo() {
    let server = Server::start(&[]);
    for (path, needle) in [
        ("/", "Sozialatlas"),
        ("/participation", "Beispiel"),
        ("/offices", "Aktionsbüro"),
        ("/analysis/typology", "Cluster"),
        ("/en/login", "admin@example.org"),
    ] {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "GET {path}");
        assert!(body.contains(needle), "GET {path}: no {needle:?}");
    }
    // The example office serves Neustadt's action area in the offices' set and in the
    // participation example's (current) set; both area pages name the office.
    let (_, office) = server.get("/offices/beispiel");
    let mut areas: Vec<&str> = office
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/participation/areas/"))
        .collect();
    areas.sort();
    areas.dedup();
    assert!(areas.len() >= 2, "office page links {areas:?}");
    for a in areas {
        let (status, body) = server.get(a);
        assert_eq!(status, 200, "GET {a}");
        assert!(
            body.contains("href=\"/offices/beispiel\""),
            "GET {a}: the office is not named"
        );
    }
}

/// What a load balancer and systemd ask: `/healthz` and `/readyz` answer, and SIGTERM stops
/// the server with exit code 0 (stop accepting, finish the requests in flight, close the
/// database).
#[test]
fn health_readiness_and_a_clean_stop_on_sigterm() {
    let (_dir, db) = built("flensburg", "fl.db");
    let server = Server::start(&["--db", db.to_str().unwrap()]);
    assert_eq!(server.get("/healthz"), (200, "ok\n".to_string()));
    assert_eq!(server.get("/readyz"), (200, "ready: load 1\n".to_string()));
    let (status, stderr) = server.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A `build` into the store of a running server: when `build` exits, the store file alone is
/// complete (the write-ahead log is checkpointed into it), so a copy of just that file is a
/// store with the new load.
#[test]
fn the_store_file_is_complete_when_build_exits() {
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("fl.db");
    let a = atlas.to_str().unwrap();
    let d = db.to_str().unwrap();
    build_store(&atlas, &db).says("(load 1)");
    // The server keeps the store open, so SQLite cannot drop its log on the last close.
    let _server = Server::start(&["--db", d]);
    edit(
        &atlas.join("data/migration_background_by_district.csv"),
        "2021,1,Altstadt,999,375",
        "2021,1,Altstadt,1000,375",
    );
    let r = run(&["build", a, "--db", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(load 2)"), "{}", r.stdout);
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).unwrap();
    assert!(export_csv(&copy).contains("Altstadt"));
    let r = run(&["build", a, "--db", copy.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("No change: the inputs of") && r.stdout.contains("load 2"),
        "the copy does not hold load 2: {}",
        r.stdout
    );
}
