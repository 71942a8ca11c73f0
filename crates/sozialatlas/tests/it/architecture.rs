//! The rules of ARCHITECTURE.md that the dependency graph can hold, read from
//! `cargo metadata`: the pure crates link no database, no async runtime and no web server, the
//! web kit knows no part that serves pages, the test support is no crate's dependency, and each
//! crate's integration tests are one binary; and one rule read from the sources: no SQL row is
//! read by column name or position.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use crate::common::repo;
use serde_json::Value;

/// Crates that are pure (ARCHITECTURE.md): plain data in, plain data out.
const PURE: [&str; 11] = [
    "sozialatlas-core",
    "sozialatlas-classify",
    "sozialatlas-analysis",
    "sozialatlas-model",
    "sozialatlas-render",
    "sozialatlas-report",
    "sozialatlas-runs",
    "sozialatlas-export",
    "sozialatlas-aggregate",
    "sozialatlas-geo",
    "sozialatlas-import",
];

/// What a pure crate must not link.
const IMPURE: [&str; 3] = ["sqlx", "tokio", "axum"];

/// The host's target triple (`rustc -vV`), so that `cargo metadata` resolves for this
/// platform only and needs no crate of another.
fn host() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc).arg("-vV").output().expect("rustc -vV");
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("a host line")
        .to_string()
}

/// `cargo metadata` of the workspace.
fn metadata() -> Value {
    let out = Command::new(env!("CARGO"))
        .current_dir(repo())
        .args(["metadata", "--format-version", "1", "--filter-platform"])
        .arg(host())
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata's JSON")
}

/// The names of the packages a package needs to build (normal dependencies, transitively; not
/// dev- or build-dependencies), each with the chain that brings it in.
fn normal_closure(meta: &Value, package: &str) -> BTreeMap<String, Vec<String>> {
    let names: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let nodes: BTreeMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .expect("resolve")
        .iter()
        .map(|n| (n["id"].as_str().unwrap(), n))
        .collect();
    let root = names
        .iter()
        .find(|(_, n)| **n == package)
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("{package} is not in the workspace"));
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut stack = vec![(root, vec![package.to_string()])];
    let mut visited = BTreeSet::new();
    while let Some((id, chain)) = stack.pop() {
        for dep in nodes[id]["deps"].as_array().expect("deps") {
            let normal = dep["dep_kinds"]
                .as_array()
                .expect("dep_kinds")
                .iter()
                .any(|k| k["kind"].is_null());
            let pkg = dep["pkg"].as_str().unwrap();
            if normal && visited.insert(pkg) {
                let mut c = chain.clone();
                c.push(names[pkg].to_string());
                seen.entry(names[pkg].to_string()).or_insert(c.clone());
                stack.push((pkg, c));
            }
        }
    }
    seen
}

#[test]
fn pure_crates_link_no_database_runtime_or_server() {
    let meta = metadata();
    let mut found = Vec::new();
    for package in PURE {
        let closure = normal_closure(&meta, package);
        for bad in IMPURE {
            if let Some(chain) = closure.get(bad) {
                found.push(format!("{package} links {bad}: {}", chain.join(" → ")));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The check sees what it is to find: the store links sqlx, the web all three.
    let store = normal_closure(&meta, "sozialatlas-store");
    assert!(store.contains_key("sqlx"));
    let web = normal_closure(&meta, "sozialatlas-web");
    assert!(IMPURE.iter().all(|b| web.contains_key(*b)));
}

/// The worker pool (`cpu`) is a leaf: std, `tokio::sync` and `libc`, no crate of ours, no
/// database and no server; password hashing and the web kit's heavy work go through it.
#[test]
fn the_worker_pool_is_a_leaf() {
    let meta = metadata();
    let closure = normal_closure(&meta, "sozialatlas-cpu");
    let ours: Vec<_> = closure
        .keys()
        .filter(|k| k.starts_with("sozialatlas") || ["sqlx", "axum"].contains(&k.as_str()))
        .collect();
    assert!(ours.is_empty(), "sozialatlas-cpu links {ours:?}");
    for user in ["sozialatlas-accounts", "sozialatlas-web-kit"] {
        assert!(
            normal_closure(&meta, user).contains_key("sozialatlas-cpu"),
            "{user}"
        );
    }
}

/// The web kit knows no part that serves pages: the atlas, participation and the offices are
/// built on it, never the other way round; the public atlas knows neither participation nor
/// the offices, the offices' pages not the atlas, the static publication only the atlas, and
/// only the composing crate (`web`) knows them all.
#[test]
fn the_web_kit_knows_no_part_that_serves_pages() {
    let meta = metadata();
    let mut found = Vec::new();
    for (package, forbidden) in [
        (
            "sozialatlas-web-kit",
            &[
                "sozialatlas-web",
                "sozialatlas-web-atlas",
                "sozialatlas-participation",
                "sozialatlas-offices",
                "sozialatlas-runs",
                "sozialatlas-report",
            ][..],
        ),
        (
            "sozialatlas-web-atlas",
            &[
                "sozialatlas-web",
                "sozialatlas-participation",
                "sozialatlas-offices",
            ][..],
        ),
        (
            "sozialatlas-web-offices",
            &[
                "sozialatlas-web",
                "sozialatlas-web-atlas",
                "sozialatlas-participation",
            ][..],
        ),
        (
            "sozialatlas-web-participation",
            &["sozialatlas-web", "sozialatlas-web-publish"][..],
        ),
        (
            "sozialatlas-web-publish",
            &[
                "sozialatlas-web",
                "sozialatlas-web-participation",
                "sozialatlas-web-offices",
            ][..],
        ),
    ] {
        let closure = normal_closure(&meta, package);
        found.extend(
            forbidden
                .iter()
                .filter_map(|p| closure.get(*p).map(|chain| chain.join(" → "))),
        );
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The check sees what it is to find: the web depends on every part.
    let web = normal_closure(&meta, "sozialatlas-web");
    for part in [
        "sozialatlas-web-kit",
        "sozialatlas-web-atlas",
        "sozialatlas-web-offices",
        "sozialatlas-web-participation",
        "sozialatlas-web-publish",
        "sozialatlas-participation",
    ] {
        assert!(web.contains_key(part), "{part}");
    }
}

#[test]
fn test_support_is_only_a_dev_dependency() {
    let meta = metadata();
    let mut found = Vec::new();
    for p in meta["packages"].as_array().expect("packages") {
        let name = p["name"].as_str().unwrap();
        if !name.starts_with("sozialatlas") || name == "sozialatlas-test-support" {
            continue;
        }
        if let Some(chain) = normal_closure(&meta, name).get("sozialatlas-test-support") {
            found.push(chain.join(" → "));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn each_crate_has_one_integration_test_binary() {
    let meta = metadata();
    let members: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .expect("workspace_members")
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let mut many = Vec::new();
    for p in meta["packages"].as_array().expect("packages") {
        if !members.contains(p["id"].as_str().unwrap()) {
            continue;
        }
        let tests: Vec<&str> = p["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .filter(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "test"))
            .map(|t| t["src_path"].as_str().unwrap())
            .collect();
        if tests.len() > 1 {
            many.push(format!("{}: {}", p["name"], tests.join(", ")));
        }
    }
    assert!(
        many.is_empty(),
        "more than one test binary (each links the crate and all it depends on; put a new \
         test file into tests/it/ as a module of main.rs):\n{}",
        many.join("\n")
    );
}

/// CI runs the command-line tests a second time on PostgreSQL, but only the modules named in
/// `CLI_PG_MODULES` of `.ci/run`; a module that asks for a store on the tests' server must be
/// one of them, or its PostgreSQL case would never run.
#[test]
fn the_postgresql_pass_runs_every_cli_test_that_uses_the_server() {
    let ci = std::fs::read_to_string(repo().join(".ci/run")).expect(".ci/run");
    let listed: BTreeSet<&str> = ci
        .lines()
        .find_map(|l| l.strip_prefix("CLI_PG_MODULES=\""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("a line CLI_PG_MODULES=\"…\" in .ci/run")
        .split_whitespace()
        .collect();
    let dir = repo().join("crates/sozialatlas/tests/it");
    let mut using = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("tests/it") {
        let path = entry.expect("entry").path();
        let (Some(stem), Some("rs")) = (
            path.file_stem().and_then(|s| s.to_str()),
            path.extension().and_then(|s| s.to_str()),
        ) else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("module");
        // This module names them only to look for them.
        if stem != "architecture"
            && (text.contains("store_target(") || text.contains("TEST_DATABASE_URL"))
        {
            using.insert(stem.to_string());
        }
    }
    assert!(using.contains("store"), "the store module uses the server");
    let missing: Vec<&String> = using
        .iter()
        .filter(|m| !listed.contains(m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "modules that use the tests' PostgreSQL server but are not in CLI_PG_MODULES of \
         .ci/run: {missing:?}"
    );
}

/// Every Rust source file under `crates/*/src`, with the crate's directory name.
fn sources() -> Vec<(String, std::path::PathBuf, String)> {
    let mut out = Vec::new();
    let crates = repo().join("crates");
    let mut dirs: Vec<(String, std::path::PathBuf)> = std::fs::read_dir(&crates)
        .expect("crates/")
        .map(|e| {
            let dir = e.expect("entry").path();
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            (name, dir.join("src"))
        })
        .collect();
    while let Some((name, dir)) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.expect("entry").path();
            if path.is_dir() {
                dirs.push((name.clone(), path));
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                out.push((name.clone(), path, text));
            }
        }
    }
    out
}

/// Rows are read as types (`sqlx::FromRow`, `query_as`, `query_scalar`), never by column name or
/// position through `sqlx::Row`: a schema that drifts is then a decoding error naming the column,
/// not a panic in a handler.
#[test]
fn no_sql_row_is_read_by_column() {
    let mut found = Vec::new();
    for (_, path, text) in sources() {
        for (i, line) in text.lines().enumerate() {
            if line.contains("sqlx::Row")
                || line.contains("SqliteRow")
                || line.contains("PgRow")
                || (line.trim_start().starts_with("use sqlx::{")
                    && (line.contains(" Row") || line.contains("{Row")))
            {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "rows read through sqlx::Row (derive sqlx::FromRow and use query_as instead):\n{}",
        found.join("\n")
    );
}

/// Every transaction starts through `sozialatlas_store::begin_write` (writers take turns on
/// SQLite and PostgreSQL alike, so none fails half-way for a lock another holds, and `next_id`
/// has no races): no other `begin` in any crate's sources than the one in the store's `db`.
#[test]
fn every_transaction_starts_through_begin_write() {
    let mut found = Vec::new();
    for (_, path, text) in sources() {
        if path.ends_with("crates/store/src/db.rs") {
            continue;
        }
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains(".begin()")
                || code.contains("begin_with(")
                || code.contains("Connection::begin")
                || code.contains("\"BEGIN")
            {
                found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "a transaction not started by sozialatlas_store::begin_write:\n{}",
        found.join("\n")
    );
}

/// Each crate owns its tables: SQL on the account tables only in `accounts`, on the action-area
/// tables only in `store`, on the sessions only in `web-kit`; the others call their functions.
#[test]
fn each_crate_owns_its_tables() {
    const OWNED: [(&str, &[&str]); 3] = [
        (
            "accounts",
            &[
                "app_user",
                "app_user_role",
                "email_token",
                "mail_outbox",
                "audit_log",
            ],
        ),
        (
            "store",
            &["action_area_set", "action_area_member", "action_area"],
        ),
        ("web-kit", &["session"]),
    ];
    let mut found = Vec::new();
    for (krate, path, text) in sources() {
        for (owner, tables) in OWNED {
            if krate == owner {
                continue;
            }
            for (i, line) in text.lines().enumerate() {
                for t in tables {
                    for verb in ["FROM ", "JOIN ", "INTO ", "UPDATE "] {
                        let needle = format!("{verb}{t}");
                        let hit = line.match_indices(&needle).any(|(at, _)| {
                            line[at + needle.len()..]
                                .chars()
                                .next()
                                .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                        });
                        if hit {
                            found.push(format!(
                                "{}:{}: `{t}` belongs to {owner}: {}",
                                path.display(),
                                i + 1,
                                line.trim()
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL on another crate's table:\n{}",
        found.join("\n")
    );
}
