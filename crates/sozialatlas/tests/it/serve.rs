//! The README's main command: `sozialatlas serve` with no files starts the embedded demo (atlas,
//! demo accounts, participation example, example office) and answers on its pages. Catches a
//! demo that fails to start, which no in-process test would.

use crate::common::Server;

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
