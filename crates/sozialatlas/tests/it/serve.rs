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
    // A link to an indicator page previews its map: absolute, on the public address (here the
    // listening one), and the picture is there.
    let (_, page) = server.get("/indicators/sgb2_quote/stadtteil/2022");
    let image = format!(
        "http://{}/indicators/sgb2_quote/stadtteil/2022.png",
        server.addr
    );
    assert!(
        page.contains(&format!("<meta property=\"og:image\" content=\"{image}\">")),
        "{page}"
    );
    assert!(page.contains("<meta property=\"og:description\" content=\""));
    assert_eq!(
        server.get("/indicators/sgb2_quote/stadtteil/2022.png").0,
        200
    );
    // The example office serves Neustadt's action area in the offices' set and in the
    // participation example's (current) set: one place, listed once (the newer area), whose
    // page names the office.
    let (_, office) = server.get("/offices/beispiel");
    let mut areas: Vec<&str> = office
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with("/participation/areas/"))
        .collect();
    areas.sort();
    areas.dedup();
    assert_eq!(areas.len(), 1, "office page links {areas:?}");
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

/// A `build` into the store of a running server: the server serves the new load within
/// seconds, without a restart; and when `build` exits, the store file alone is complete (the
/// write-ahead log is checkpointed into it), so a copy of just that file is a store with the
/// new load.
#[test]
fn the_store_file_is_complete_when_build_exits() {
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("fl.db");
    let a = atlas.to_str().unwrap();
    let d = db.to_str().unwrap();
    build_store(&atlas, &db).says("(load 1)");
    // The server keeps the store open, so SQLite cannot drop its log on the last close.
    let server = Server::start(&["--db", d]);
    assert_eq!(server.get("/readyz").1, "ready: load 1\n");
    edit(
        &atlas.join("data/migration_background_by_district.csv"),
        "2021,1,Altstadt,999,375",
        "2021,1,Altstadt,1000,375",
    );
    let r = run(&["build", a, "--db", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("(load 2)"), "{}", r.stdout);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while server.get("/readyz").1 != "ready: load 2\n" {
        assert!(
            std::time::Instant::now() < deadline,
            "the server still serves load 1"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
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

/// Two servers on one store (a SQLite file, or a PostgreSQL database in the PostgreSQL pass):
/// a browser signed in on one is signed in on the other and acts there; a `build` from a third
/// process is served by both within seconds, without a restart.
#[test]
fn two_servers_on_one_store_share_sessions_and_serve_a_new_load() {
    let (dir, atlas) = scratch("flensburg");
    let db = store_target(&dir.path().join("fl.db"));
    let a = atlas.to_str().unwrap();
    let r = run(&["build", a, "--db", &db]);
    assert!(r.stdout.contains("(load 1)"), "{} {}", r.stdout, r.stderr);
    let one = Server::start(&["--db", &db]);
    let two = Server::start(&["--db", &db]);
    for server in [&one, &two] {
        assert_eq!(server.get("/readyz").1, "ready: load 1\n");
    }

    // Sign in on one, change the name on two, see it on one; sign out on two ends it on one.
    run_with_stdin(
        &[
            "user",
            "add",
            "--db",
            &db,
            "--email",
            "zwei@example.org",
            "--name",
            "Zwei",
            "--password-stdin",
        ],
        "zwei instanzen\n",
    )
    .says("created account");
    let login = http(&one.addr, "GET", "/login", "", "").expect("the sign-in page");
    let cookie = login
        .cookie("sozialatlas_session")
        .expect("a session cookie");
    let signed_in = http(
        &one.addr,
        "POST",
        "/login",
        &cookie,
        &form(&[
            ("_csrf", &csrf_of(&login.body)),
            ("email", "zwei@example.org"),
            ("password", "zwei instanzen"),
            ("next", "/account"),
        ]),
    )
    .expect("signed in");
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let cookie = signed_in
        .cookie("sozialatlas_session")
        .expect("a new session id at sign-in");
    let account = http(&two.addr, "GET", "/account", &cookie, "").expect("the account page");
    assert_eq!(
        account.status, 200,
        "the session holds on the second server"
    );
    assert!(account.body.contains("zwei@example.org"));
    let renamed = http(
        &two.addr,
        "POST",
        "/account/name",
        &cookie,
        &form(&[
            ("_csrf", &csrf_of(&account.body)),
            ("display_name", "Auf zwei geändert"),
        ]),
    )
    .expect("renamed");
    assert_eq!(renamed.status, 303, "{}", renamed.body);
    let account = http(&one.addr, "GET", "/account", &cookie, "").expect("the account page");
    assert!(account.body.contains("Auf zwei geändert"));
    let out = http(
        &two.addr,
        "POST",
        "/logout",
        &cookie,
        &form(&[("_csrf", &csrf_of(&account.body))]),
    )
    .expect("signed out");
    assert_eq!(out.status, 303, "{}", out.body);
    let after = http(&one.addr, "GET", "/account", &cookie, "").expect("an answer");
    assert_ne!(after.status, 200, "still signed in on the first server");
    edit(
        &atlas.join("data/migration_background_by_district.csv"),
        "2021,1,Altstadt,999,375",
        "2021,1,Altstadt,1000,375",
    );
    let r = run(&["build", a, "--db", &db]);
    assert!(r.stdout.contains("(load 2)"), "{} {}", r.stdout, r.stderr);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    for server in [&one, &two] {
        while server.get("/readyz").1 != "ready: load 2\n" {
            assert!(
                std::time::Instant::now() < deadline,
                "a server still serves load 1"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

/// `--metrics-listen`: `/metrics` on its own address (for the internal network), counting the
/// main listener's requests by route template; the main listener has no `/metrics`. After a
/// new load and a restart, `/readyz` and the metrics name the new load; a load built while the
/// server runs is named there within seconds, and the request counts go on across it.
#[test]
fn metrics_on_their_own_listener() {
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("fl.db");
    build_store(&atlas, &db).says("(load 1)");
    edit(
        &atlas.join("data/migration_background_by_district.csv"),
        "2021,1,Altstadt,999,375",
        "2021,1,Altstadt,1000,375",
    );
    build_store(&atlas, &db).says("(load 2)");
    let metrics = free_addr();
    let server = Server::start(&["--db", db.to_str().unwrap(), "--metrics-listen", &metrics]);
    assert_eq!(server.get("/areas/stadt/0").0, 200);
    assert_eq!(server.get("/readyz").1, "ready: load 2\n");
    assert_eq!(server.get("/metrics").0, 404);
    let (status, text) = get_at(&metrics, "/metrics").expect("the metrics listener answers");
    assert_eq!(status, 200);
    assert!(
        text.contains(
            r#"sozialatlas_http_requests_total{method="GET",route="/areas/{level}/{key}",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("sozialatlas_atlas_load_id 2\n"), "{text}");
    // A new load while the server runs.
    edit(
        &atlas.join("data/migration_background_by_district.csv"),
        "2021,1,Altstadt,1000,375",
        "2021,1,Altstadt,1001,375",
    );
    build_store(&atlas, &db).says("(load 3)");
    let start = std::time::Instant::now();
    while server.get("/readyz").1 != "ready: load 3\n" {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "load 3 not served within 30 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(server.get("/areas/stadt/0").0, 200);
    let (_, text) = get_at(&metrics, "/metrics").expect("the metrics listener answers");
    assert!(text.contains("sozialatlas_atlas_load_id 3\n"), "{text}");
    assert!(
        text.contains(
            r#"sozialatlas_http_requests_total{method="GET",route="/areas/{level}/{key}",status="200"} 2"#
        ),
        "{text}"
    );
    let (status, stderr) = server.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(get_at(&metrics, "/metrics").is_none(), "still listening");
}

/// Sends `GET path` with a cookie and a forwarded address to `addr`; the response's head.
fn get_with_personal_headers(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nCookie: theme=erika-cookie\r\n\
         X-Forwarded-For: 203.0.113.77\r\nUser-Agent: Erika-Browser\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    text.split_once("\r\n\r\n").unwrap().0.to_string()
}

/// The value of a response header (names compared case-insensitively).
fn header_of(head: &str, name: &str) -> String {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no {name} in {head}"))
}

/// One log line per request (`--log-format json`): method, route template, status, duration
/// and the request id the response carries; no path, query, cookie, address or user agent.
#[test]
fn one_json_log_line_per_request_without_personal_data() {
    let (_dir, db) = built("flensburg", "fl.db");
    let server = Server::start(&["--db", db.to_str().unwrap(), "--log-format", "json"]);
    let head = get_with_personal_headers(&server.addr, "/areas/stadt/0?name=Erika+Mustermann");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let id = header_of(&head, "x-request-id");
    let (status, stderr) = server.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let requests: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .filter(|v: &serde_json::Value| v["target"] == "sozialatlas::request")
        .collect();
    let area: Vec<&serde_json::Value> = requests
        .iter()
        .filter(|v| v["route"] == "/areas/{level}/{key}")
        .collect();
    assert_eq!(area.len(), 1, "{stderr}");
    let line = area[0];
    assert_eq!(line["method"], "GET");
    assert_eq!(line["status"], 200);
    assert_eq!(line["request_id"], id.as_str());
    assert_eq!(line["level"], "INFO");
    assert!(
        line["duration_ms"].as_f64().is_some_and(|d| d >= 0.0),
        "{line}"
    );
    assert!(line["timestamp"].is_string(), "{line}");
    let mut keys: Vec<&String> = line.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "duration_ms",
            "level",
            "message",
            "method",
            "request_id",
            "route",
            "status",
            "target",
            "timestamp"
        ],
        "{line}"
    );
    for personal in [
        "Erika",
        "Mustermann",
        "erika-cookie",
        "203.0.113.77",
        "/areas/stadt/0",
    ] {
        assert!(
            !stderr.contains(personal),
            "{personal} in the log:\n{stderr}"
        );
    }
    // The polls of the start page are logged as such: every line is a request of a route.
    assert!(
        requests
            .iter()
            .all(|v| v["route"].is_string() && v["status"].is_u64())
    );
}

/// The plain format (the default): the same fields as `key=value`, one line per request,
/// without colour codes when standard error is not a terminal.
#[test]
fn one_plain_log_line_per_request() {
    let (_dir, db) = built("flensburg", "fl.db");
    let server = Server::start(&["--db", db.to_str().unwrap()]);
    let head = get_with_personal_headers(&server.addr, "/areas/stadt/0?name=Erika");
    let id = header_of(&head, "x-request-id");
    let (_, stderr) = server.terminate();
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("route=/areas/{level}/{key}"))
        .collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    let line = lines[0];
    for field in [
        "INFO",
        "sozialatlas::request",
        "method=GET",
        "status=200",
        "duration_ms=",
        &format!("request_id={id}"),
    ] {
        assert!(line.contains(field), "no {field} in {line}");
    }
    assert!(!stderr.contains('\x1b'), "colour codes in {stderr}");
    assert!(!stderr.contains("Erika"), "{stderr}");
}
