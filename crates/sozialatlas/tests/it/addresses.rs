//! The address register on real data: Berlin's 401,032 addresses with their Planungsraum
//! (`examples/berlin`, `[addresses]`), built once with the atlas of the vintage tests; and a
//! broken register refused by `check` and `build` alike.

use crate::common::*;
use crate::vintage::berlin_db;
use sozialatlas_web_atlas::search::{Found, Hit};
use std::time::Instant;

/// The Berlin atlas as published, read from the store the vintage tests built.
fn berlin() -> sozialatlas_store::Snapshot {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let pool = sozialatlas_store::open(berlin_db().to_str().unwrap())
                .await
                .unwrap();
            let snap = sozialatlas_store::read_snapshot(&pool).await.unwrap();
            pool.close().await;
            snap
        })
}

/// The area names folded, as the server's index keeps them.
fn folded_names(snap: &sozialatlas_store::Snapshot) -> Vec<String> {
    sozialatlas_web_kit::Index::build(snap).folded_names
}

/// The search's hits, with the names folded for this one query.
fn search(snap: &sozialatlas_store::Snapshot, q: &str, limit: usize) -> Vec<Hit> {
    sozialatlas_web_atlas::search::search(snap, &folded_names(snap), q, limit)
}

/// The keys of the areas of the address hits of `q`.
fn address_areas(snap: &sozialatlas_store::Snapshot, q: &str) -> Vec<String> {
    search(snap, q, 100)
        .into_iter()
        .filter_map(|h| match h.found {
            Found::Address { area, .. } => Some(snap.tree.areas[area].key.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn berlin_addresses_find_their_planungsraum() {
    let snap = berlin();
    let register = snap.addresses.as_ref().expect("the Berlin register");
    assert_eq!(register.len(), 401_032);
    assert_eq!(
        snap.tree.levels[register.level()].id,
        "plr",
        "the current PLR (2021)"
    );
    // A PLR boundary runs through the block: 1 and 1A lie in another PLR than 1B.
    for (q, key) in [
        ("Ackerstraße 1B", "01100415"),
        ("ackerstr 1b", "01100415"),
        ("Ackerstraße 1A", "01100309"),
        ("Ackerstr. 1, 10115", "01100309"),
    ] {
        assert_eq!(address_areas(&snap, q), [key], "{q}");
    }
    // Two streets of the name have a number 10: Mitte's and Spandau's (in the PLR named
    // after it).
    assert_eq!(
        address_areas(&snap, "Ackerstrasse 10"),
        ["01100415", "05100315"]
    );
    // A postcode: the PLR its addresses lie in, as the data folder counts them.
    let expected: Vec<(String, u32)> =
        std::fs::read_to_string(shared_data().join("berlin-adressen/plz_plr_adressen.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .filter(|l| l.starts_with("10115,"))
            .map(|l| {
                let c: Vec<&str> = l.split(',').collect();
                (c[1].to_string(), c[2].parse().unwrap())
            })
            .collect();
    let hits = search(&snap, "10115", 100);
    let Some(Found::Postcode { areas, .. }) = hits.first().map(|h| &h.found) else {
        panic!("{hits:?}");
    };
    let mut found: Vec<(String, u32)> = areas
        .iter()
        .map(|&(a, n)| (snap.tree.areas[a].key.clone(), n))
        .collect();
    found.sort();
    let mut expected = expected;
    expected.sort();
    assert!(expected.len() > 1);
    assert_eq!(found, expected);
    // A street through several PLR, and a street's name with a typo.
    let hits = search(&snap, "Ackerstraße", 100);
    assert!(
        hits.iter().any(|h| matches!(&h.found,
            Found::Street { areas, .. } if areas.len() > 1)),
        "{hits:?}"
    );
    assert_eq!(address_areas(&snap, "Akerstraße 1B"), ["01100415"]);
}

/// The search's answer time on the Berlin register in this (debug) build, for the record:
/// `cargo test -p sozialatlas --test it -- --ignored --nocapture berlin_search_time`.
#[test]
#[ignore]
fn berlin_search_time() {
    berlin_db();
    let t = Instant::now();
    let snap = berlin();
    println!("snapshot read: {:?}", t.elapsed());
    let names = folded_names(&snap);
    for q in [
        "Ackerstraße 1B",
        "ackerstr 1b",
        "Ackerstr. 1, 10115",
        "10115",
        "Ackerstraße",
        "Berliner Straße",
        "a",
        "Akerstraße 1B",
        "Murwik",
        "Neukoln",
        "Schloßstraße 1",
    ] {
        let n = 20;
        let t = Instant::now();
        let mut hits = 0;
        for _ in 0..n {
            hits = sozialatlas_web_atlas::search::search(&snap, &names, q, 100).len();
        }
        println!("{q:>22}: {:>8.2?} per query, {hits} hits", t.elapsed() / n);
    }
}

#[test]
fn a_broken_register_is_refused_by_check_and_build() {
    let (dir, atlas) = scratch("flensburg");
    std::fs::write(
        atlas.join("data/adressen.csv"),
        "strasse;nr;bezirk\nHolm;5;011\nHolm;fünf;011\n",
    )
    .unwrap();
    let mut toml = std::fs::read_to_string(atlas.join("atlas.toml")).unwrap();
    toml.push_str(
        "\n[addresses]\nfile = \"data/adressen.csv\"\nlevel = \"bezirk\"\nstreet = \"strasse\"\n\
         number = \"nr\"\narea = \"bezirk\"\n",
    );
    std::fs::write(atlas.join("atlas.toml"), toml).unwrap();
    let db = dir.path().join("s.db");
    let c = run(&["check", atlas.to_str().unwrap()]);
    let b = build_store(&atlas, &db);
    for r in [&c, &b] {
        assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(
                "data/adressen.csv, line 3, column `nr`: expected a house number: digits up to \
                 999999, optionally followed by a suffix (12, 12a), or empty, found `fünf`"
            ),
            "{}",
            r.stderr
        );
    }
    // Fixed, it loads, and the build says how many addresses it holds.
    std::fs::write(
        atlas.join("data/adressen.csv"),
        "strasse;nr;bezirk\nHolm;5;011\nHolm;6;011\n",
    )
    .unwrap();
    let b = build_store(&atlas, &db);
    assert_eq!(b.code, 0, "{}{}", b.stdout, b.stderr);
    assert!(
        b.stdout.contains("Addresses:   2 (level bezirk)"),
        "{}",
        b.stdout
    );
}
