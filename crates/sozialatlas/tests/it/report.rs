//! `sozialatlas report`: the embedded demo and a store with a confirmed action-area set, and
//! options that do not fit the atlas.

use crate::common::*;

#[test]
fn report_of_the_demo_writes_a_pdf_and_html() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("bericht.pdf");
    let r = run(&["report", "--out", pdf.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(r.stderr.contains("wrote"), "{}", r.stderr);
    let r = run(&["report", "--format", "html", "--locale", "en", "--out", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("<!DOCTYPE html>"));
    assert!(r.stdout.contains("<html lang=\"en\">"));
    assert!(r.stdout.contains("Report on the social situation"));
}

#[test]
fn report_shows_the_confirmed_action_areas_of_the_store() {
    let (_dir, db) = built("flensburg", "fl.db");
    let d = db.to_str().unwrap();
    let r = flensburg_typology(d, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&[
        "action-areas",
        "from-run",
        "1",
        "--db",
        d,
        "--name",
        "Aktionsräume Berichtstest",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["report", "--db", d, "--format", "html", "--out", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("„Aktionsräume Berichtstest“"),
        "the confirmed set is not named"
    );
    // Without a set, the report names none.
    let r = run(&["report", "--format", "html", "--out", "-"]);
    assert!(!r.stdout.contains("Beschlossene Aktionsräume"));
}

#[test]
fn report_options_that_do_not_fit_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.pdf");
    let o = out.to_str().unwrap();
    for (args, expected) in [
        (vec!["--year", "1990"], "--year 1990: no published value"),
        (
            vec!["--level", "ortsteil"],
            "--level ortsteil: no such level",
        ),
        (
            vec!["--compare-year", "2030"],
            "--compare-year 2030: must be earlier",
        ),
        (vec!["--format", "docx"], "unknown format `docx`"),
    ] {
        let mut a = vec!["report", "--out", o];
        a.extend(args);
        let r = run(&a);
        assert_eq!(r.code, 2, "{a:?}: {}", r.stderr);
        assert!(r.stderr.contains(expected), "{a:?}: {}", r.stderr);
        assert!(!out.exists(), "nothing is written on error");
    }
}
