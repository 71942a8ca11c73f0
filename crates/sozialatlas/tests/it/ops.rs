//! Operations from the command line: settings from flags, environment variables and a
//! configuration file (with their precedence and the refusals of a bad file), the sample
//! configuration and systemd unit in `deploy/`, and backup and restore of a SQLite store.

use crate::common::*;

fn deploy(file: &str) -> String {
    repo()
        .join("deploy")
        .join(file)
        .to_string_lossy()
        .into_owned()
}

/// The value of `key = value` in the output of `serve --check`.
fn setting(out: &str, key: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in {out}"))
        .to_string()
}

#[test]
fn the_sample_configuration_loads() {
    let r = run_env(
        &["--config", &deploy("sozialatlas.toml"), "serve", "--check"],
        &[],
    );
    r.says("listen = 127.0.0.1:8080");
    for (key, value) in [
        ("db", "/var/lib/sozialatlas/store.db"),
        ("metrics-listen", "127.0.0.1:9464"),
        ("public-url", "https://atlas.stadt.example"),
        ("secure-cookies", "true"),
        ("trust-proxy", "true"),
        ("smtp", "localhost:25"),
        ("mail-from", "atlas@stadt.example"),
        ("office-key-file", "/etc/sozialatlas/office.key"),
        ("log-format", "json"),
    ] {
        assert_eq!(setting(&r.stdout, key), value, "{key}");
    }
    // Through the environment variable as well.
    let r = run_env(
        &["serve", "--check"],
        &[("SOZIALATLAS_CONFIG", &deploy("sozialatlas.toml"))],
    );
    r.says("public-url = https://atlas.stadt.example");
}

#[test]
fn flag_over_environment_over_database_url_over_file_over_default() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        "db = \"/from/file.db\"\n[serve]\nlisten = \"127.0.0.1:7001\"\nsecure-cookies = true\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let check = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["serve", "--check"];
        all.extend_from_slice(args);
        let r = run_env(&all, env);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    };
    // Defaults.
    let out = check(&[], &[]);
    assert_eq!(setting(&out, "listen"), "127.0.0.1:8080");
    assert_eq!(setting(&out, "db"), "(the embedded demo)");
    assert_eq!(setting(&out, "secure-cookies"), "false");
    // The file over the defaults.
    let out = check(&["--config", f], &[]);
    assert_eq!(setting(&out, "listen"), "127.0.0.1:7001");
    assert_eq!(setting(&out, "db"), "/from/file.db");
    assert_eq!(setting(&out, "secure-cookies"), "true");
    // DATABASE_URL over the file (for --db only).
    let out = check(
        &["--config", f],
        &[("DATABASE_URL", "/from/database-url.db")],
    );
    assert_eq!(setting(&out, "db"), "/from/database-url.db");
    assert_eq!(setting(&out, "listen"), "127.0.0.1:7001");
    // The environment over DATABASE_URL and the file; a switch turned off there.
    let env = [
        ("DATABASE_URL", "/from/database-url.db"),
        ("SOZIALATLAS_DB", "/from/env.db"),
        ("SOZIALATLAS_LISTEN", "127.0.0.1:7002"),
        ("SOZIALATLAS_SECURE_COOKIES", "false"),
    ];
    let out = check(&["--config", f], &env);
    assert_eq!(setting(&out, "db"), "/from/env.db");
    assert_eq!(setting(&out, "listen"), "127.0.0.1:7002");
    assert_eq!(setting(&out, "secure-cookies"), "false");
    // The flag over everything.
    let out = check(
        &[
            "--config",
            f,
            "--listen",
            "127.0.0.1:7003",
            "--db",
            "/from/flag.db",
        ],
        &env,
    );
    assert_eq!(setting(&out, "listen"), "127.0.0.1:7003");
    assert_eq!(setting(&out, "db"), "/from/flag.db");
    // A file is read only when named: not from the working directory.
    std::fs::write(
        dir.path().join("sozialatlas.toml"),
        "[serve]\nlisten = \"1.2.3.4:5\"\n",
    )
    .unwrap();
    let r = std::process::Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
        .args(["serve", "--check"])
        .current_dir(dir.path())
        .env_remove("SOZIALATLAS_CONFIG")
        .env_remove("SOZIALATLAS_LISTEN")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&r.stdout).contains("listen = 127.0.0.1:8080"));
}

#[test]
fn help_names_the_environment_variables_and_the_precedence() {
    let r = run_env(&["--help"], &[]);
    r.says("Precedence: flag > environment variable >");
    r.says("--config <FILE>");
    let r = run_env(&["serve", "--help"], &[]);
    for var in [
        "[env: SOZIALATLAS_DB]",
        "[env: SOZIALATLAS_LISTEN]",
        "[env: SOZIALATLAS_PUBLIC_URL]",
        "[env: SOZIALATLAS_METRICS_LISTEN]",
        "[env: SOZIALATLAS_LOG_FORMAT]",
    ] {
        r.says(var);
    }
    // Every flag of every command has one.
    let r = run_env(&["offices", "purge", "--help"], &[]);
    r.says("[env: SOZIALATLAS_DB]");
    // Never with its value: a database URL holds a password.
    let secret = "postgres://atlas:geheim@db/atlas";
    for env in [("SOZIALATLAS_DB", secret), ("DATABASE_URL", secret)] {
        let r = run_env(&["serve", "--help"], &[env]);
        r.says("[env: SOZIALATLAS_DB]");
        assert!(!r.stdout.contains("geheim"), "{}", r.stdout);
    }
}

#[test]
fn a_bad_configuration_file_is_refused_with_file_line_key_expected_and_found() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    let f = file.to_str().unwrap();
    for (text, says) in [
        (
            "db = \"x.db\"\n[serve]\nlisten = \"127.0.0.1:1\"\nlisen = \"127.0.0.1:2\"\n",
            ":4:1: [serve] `lisen`: expected a flag of `sozialatlas serve`",
        ),
        (
            "nonsense = 1\n",
            ":1:1: `nonsense`: expected a flag of some command",
        ),
        (
            "[serve]\nsecure-cookies = \"yes\"\n",
            ":2:18: [serve] `secure-cookies`: expected true or false, found the string \"yes\"",
        ),
        (
            "[serve]\nlisten = \"nowhere\"\n",
            ":2:10: [serve] `listen`: expected a valid value of --listen, found the string \"nowhere\"",
        ),
        (
            "[serve]\nlisten = true\n",
            "expected a string (the value of --listen), found the boolean true",
        ),
        (
            "[export]\nformat = \"pdf\"\n",
            "[export] `format`: expected a valid value of --format, found the string \"pdf\"",
        ),
        (
            "[serv]\nlisten = \"127.0.0.1:1\"\n",
            ":1:2: [serv]: expected a command (",
        ),
        ("[serve\n", ":1:"),
    ] {
        std::fs::write(&file, text).unwrap();
        let r = run_env(&["--config", f, "serve", "--check"], &[]);
        r.refused(f);
        assert!(r.stderr.contains(says), "{text:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    // A missing file.
    let r = run_env(&["--config", "/no/such/file.toml", "serve", "--check"], &[]);
    r.refused("/no/such/file.toml: cannot read the configuration file");
}

/// The systemd unit's command line is one this program accepts (its `ExecStart` parsed by
/// the program itself, with `serve --check`), with the sample configuration.
#[test]
fn the_systemd_unit_starts_a_command_that_exists() {
    let unit = std::fs::read_to_string(deploy("sozialatlas.service")).unwrap();
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart");
    let mut words: Vec<&str> = exec.split_whitespace().collect();
    assert_eq!(words.remove(0), "/usr/local/bin/sozialatlas");
    let config = deploy("sozialatlas.toml");
    for w in &mut words {
        if *w == "/etc/sozialatlas/sozialatlas.toml" {
            *w = &config;
        }
    }
    words.push("--check");
    let r = run_env(&words, &[]);
    r.says("listen = 127.0.0.1:8080");
    for line in [
        "User=sozialatlas",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
        "NoNewPrivileges=true",
        "ProtectSystem=strict",
        "PrivateTmp=true",
        "ReadWritePaths=/var/lib/sozialatlas",
        "TimeoutStopSec=30s",
        "CapabilityBoundingSet=",
        "SystemCallFilter=@system-service",
    ] {
        assert!(unit.lines().any(|l| l == line), "no {line} in the unit");
    }
    assert!(unit.contains(
        "ExecStart=/usr/local/bin/sozialatlas --config /etc/sozialatlas/sozialatlas.toml serve"
    ));
}

/// The Containerfile: a Rust build stage and a slim runtime stage, a non-root user, the store
/// in a volume, a health check on `/healthz` at the port the server listens on, and settings
/// (its `ENV`) that the program accepts.
#[test]
fn the_containerfile_runs_the_server_as_configured() {
    let text = std::fs::read_to_string(deploy("Containerfile")).unwrap();
    // Instructions, with continuation lines joined.
    let joined = text.replace("\\\n", " ");
    let lines: Vec<&str> = joined
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let froms: Vec<&&str> = lines.iter().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms.len(), 2, "{froms:?}");
    assert!(froms[0].contains("rust:") && froms[0].ends_with(" AS build"));
    assert!(froms[1].contains("-slim"));
    assert!(lines.contains(&"USER sozialatlas"));
    assert!(lines.contains(&"VOLUME /var/lib/sozialatlas"));
    assert!(lines.contains(&"STOPSIGNAL SIGTERM"));
    assert!(lines.contains(&r#"CMD ["serve"]"#));
    let env: Vec<(String, String)> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("ENV "))
        .flat_map(|l| l.split_whitespace())
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert!(env.len() >= 3, "{env:?}");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = run_env(&["serve", "--check"], &env);
    r.says("db = /var/lib/sozialatlas/store.db");
    let listen = setting(&r.stdout, "listen");
    let port = listen.rsplit(':').next().unwrap();
    let health = lines
        .iter()
        .find(|l| l.starts_with("HEALTHCHECK "))
        .expect("HEALTHCHECK");
    assert!(
        health.contains(&format!("http://127.0.0.1:{port}/healthz")),
        "{health}"
    );
    assert!(lines.contains(&format!("EXPOSE {port}").as_str()));
}

#[test]
fn backup_of_a_store_in_use_and_restore() {
    let (dir, db) = built("flensburg", "fl.db");
    let d = db.to_str().unwrap();
    let before = export_csv(&db);
    // A server has the store open meanwhile.
    let server = Server::start(&["--db", d]);
    let out = dir.path().join("backup.db");
    let o = out.to_str().unwrap();
    run_env(&["backup", "--db", d, "--out", o], &[]).says("integrity check ok");
    // Not over an existing file without --force.
    let r = run_env(&["backup", "--db", d, "--out", o], &[]);
    r.refused("exists; give --force");
    run_env(&["backup", "--db", d, "--out", o, "--force"], &[]).says("Wrote");
    // Not over the store of a running server.
    let r = run_env(&["restore", "--from", o, "--db", d, "--force"], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("in use by another process"),
        "{}",
        r.stderr
    );
    // Not over an existing store without --force.
    run_env(&["restore", "--from", o, "--db", d], &[]).refused("give --force");
    let (status, stderr) = server.terminate();
    assert_eq!(status.code(), Some(0), "{stderr}");
    // Into a new place, and over the stopped store.
    let copy = dir.path().join("restored.db");
    run_env(
        &["restore", "--from", o, "--db", copy.to_str().unwrap()],
        &[],
    )
    .says("Restored");
    assert_eq!(export_csv(&copy), before);
    run_env(&["restore", "--from", o, "--db", d, "--force"], &[]).says("Restored");
    assert_eq!(export_csv(&db), before);
    // Not a store: refused, the store unchanged.
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a store").unwrap();
    run_env(
        &[
            "restore",
            "--from",
            text.to_str().unwrap(),
            "--db",
            d,
            "--force",
        ],
        &[],
    )
    .refused("notes.db");
    assert_eq!(export_csv(&db), before);
    // PostgreSQL: its own tools.
    run_env(
        &[
            "backup",
            "--db",
            "postgres://atlas@db/atlas",
            "--out",
            "x.db",
        ],
        &[],
    )
    .refused("pg_dump");
    run_env(
        &[
            "restore",
            "--from",
            o,
            "--db",
            "postgresql://atlas@db/atlas",
        ],
        &[],
    )
    .refused("pg_restore");
}

/// `sozialatlas build … | head -1`: when the reader of the output goes away, the command ends
/// as other Unix tools do (SIGPIPE), not with a panic; the load it wrote before is kept.
#[cfg(unix)]
#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("fl.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sozialatlas"))
        .args([
            "build",
            repo().join("examples/flensburg").to_str().unwrap(),
            "--db",
        ])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sozialatlas");
    // The reader is gone before the first line.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.signal(), Some(13), "SIGPIPE: {stderr}");
    let list = run(&[
        "export",
        "--format",
        "csv",
        "--out",
        "-",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    assert!(list.stdout.contains("Flensburg"));
}
