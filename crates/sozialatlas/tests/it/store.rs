//! The store named by `--db` or `DATABASE_URL`: a SQLite file or a PostgreSQL URL (the tests'
//! PostgreSQL server when `SOZIALATLAS_TEST_DATABASE_URL` names one), the flag before the
//! environment, the embedded demo without either.

use crate::common::*;

use std::process::Command;

/// Runs the binary with `DATABASE_URL` set to `url`.
fn run_with_database_url(url: &str, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
        .env("DATABASE_URL", url)
        .args(args)
        .output()
        .expect("run sozialatlas");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `export --format csv --locale en --out -` with `args`.
fn export<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["export", "--format", "csv", "--locale", "en", "--out", "-"];
    all.extend_from_slice(args);
    all
}

#[test]
fn a_store_by_flag_or_database_url_gives_the_same_atlas_as_a_file() {
    let (dir, atlas) = scratch("flensburg");
    let file = dir.path().join("file.db");
    assert_eq!(build_store(&atlas, &file).code, 0);
    let expected = export_csv(&file);

    // The store of this run (PostgreSQL on the tests' server, or another SQLite file), by flag.
    let db = store_target(&dir.path().join("target.db"));
    // On PostgreSQL with a password in the URL (the tests' server trusts any): never printed.
    let db = db.replacen("postgres://postgres@", "postgres://postgres:pw-s3cret@", 1);
    let r = run(&["build", atlas.to_str().unwrap(), "--db", &db]);
    r.says("Loaded");
    assert!(!r.stdout.contains("pw-s3cret"), "{}", r.stdout);
    if db.contains("pw-s3cret") {
        r.says("postgres://postgres:***@");
    }
    run(&["build", atlas.to_str().unwrap(), "--db", &db]).says("No change");
    let by_flag = run(&export(&["--db", &db]));
    assert_eq!(by_flag.code, 0, "{}", by_flag.stderr);
    assert_eq!(by_flag.stdout, expected);

    // The same store from DATABASE_URL, with no --db.
    let by_env = run_with_database_url(&db, &export(&[]));
    assert_eq!(by_env.code, 0, "{}", by_env.stderr);
    assert_eq!(by_env.stdout, expected);
    run_with_database_url(&db, &["user", "list"]).says("e-mail");

    // --db wins over DATABASE_URL.
    let missing = dir.path().join("missing.db");
    run_with_database_url(&db, &["user", "list", "--db", missing.to_str().unwrap()])
        .refused("no such store");

    // Neither: the embedded demo where a command has one, a usage error where not.
    let demo = run(&export(&[]));
    assert_eq!(demo.code, 0, "{}", demo.stderr);
    assert!(demo.stdout.contains("Flensburg"));
    let r = run(&["user", "list"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--db"), "{}", r.stderr);
}
