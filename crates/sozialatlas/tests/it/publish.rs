//! `sozialatlas publish`: the embedded demo as a static site (exit 0 and a summary), a built
//! store with a server URL, and bad input refused with exit code 2 and a message naming it.

use crate::common::*;

fn summary_number(stdout: &str, label: &str) -> u64 {
    stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `{label}` in\n{stdout}"))
}

#[test]
fn publish_writes_the_demo_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = out.to_str().unwrap();
    let r = run(&["publish", "--out", o]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with(&format!("Published the atlas into {o}.")),
        "{}",
        r.stdout
    );
    let pages = summary_number(&r.stdout, "Pages:");
    let bytes = summary_number(&r.stdout, "Bytes:");
    assert!(pages > 100, "{}", r.stdout);
    assert!(r.stdout.contains("Dropped:"), "{}", r.stdout);
    assert!(r.stdout.contains("Time:"), "{}", r.stdout);
    assert!(out.join("index.html").is_file());
    assert!(out.join("en/index.html").is_file());
    assert!(out.join("data/datenpool.xlsx").is_file());
    let mut html = 0;
    let mut total = 0;
    let mut stack = vec![out.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                total += std::fs::metadata(&p).unwrap().len();
                if p.extension().is_some_and(|x| x == "html") {
                    html += 1;
                }
            }
        }
    }
    assert!(html >= pages, "{html} HTML files, {pages} pages");
    assert_eq!(total, bytes);

    // Again into the same folder: refused without --force, nothing changed.
    let r = run(&["publish", "--out", o]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr.trim(),
        format!("error: {o}: the folder is not empty (use --force to replace it)")
    );
    let r = run(&["publish", "--out", o, "--force"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn publish_a_store_with_a_server_url() {
    let (dir, db) = built("flensburg", "fl.db");
    let d = db.to_str().unwrap();
    let out = dir.path().join("site");
    let r = run(&[
        "publish",
        "--db",
        d,
        "--out",
        out.to_str().unwrap(),
        "--server-url",
        "https://atlas.example/",
        "--jobs",
        "2",
    ]);
    r.says("Links to https://atlas.example:");
    let start = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        start.contains("action=\"https://atlas.example/search\""),
        "the search form goes to the server"
    );
    assert!(start.contains("href=\"catalogue/index.html\""));
}

#[test]
fn publish_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let o = out.to_str().unwrap();

    let r = run(&["publish", "--out", o, "--server-url", "atlas.example"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: --server-url: expected an http:// or https:// address, found `atlas.example`"
    );
    let missing = dir.path().join("none.db");
    let r = run(&["publish", "--db", missing.to_str().unwrap(), "--out", o]);
    r.refused("none.db: no such store");
    let deep = dir.path().join("no/such/site");
    let r = run(&["publish", "--out", deep.to_str().unwrap()]);
    r.refused("does not exist");
    let r = run(&["publish", "--out", o, "--jobs", "0"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "error: --jobs: expected at least 1, found 0"
    );
    let r = run(&["publish"]);
    r.refused("--out");
    // Nothing was written anywhere.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
