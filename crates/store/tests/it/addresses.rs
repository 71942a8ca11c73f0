//! The address register travels from the atlas folder through the store (SQLite, or PostgreSQL
//! with `SOZIALATLAS_TEST_DATABASE_URL`) into the snapshot unchanged, and a load without one
//! leaves none behind.

use sozialatlas_import::DirSource;
use sozialatlas_test_support::{build, flensburg_with_addresses, folder_store};

#[tokio::test]
async fn the_register_round_trips_through_the_store() {
    let (_dir, atlas) = flensburg_with_addresses();
    let src = DirSource::new(&atlas);
    let computed = build(&src).compute().expect("the atlas loads");
    let given = computed.atlas.addresses.clone().expect("a register");
    assert_eq!(given.len(), 5, "one of 6 addresses lies outside");
    assert!(
        computed
            .atlas
            .warnings
            .iter()
            .any(|w| w.contains("1 of 6 addresses lie outside every area of level `bezirk`")),
        "{:?}",
        computed.atlas.warnings
    );

    let (snap, pool) = folder_store(&atlas).await;
    let read = snap.addresses.clone().expect("the register read back");
    assert_eq!(read, given);
    let key = |area: usize| snap.tree.areas[area].key.as_str();
    let norder = read
        .streets()
        .iter()
        .position(|s| s.name == "Norderstraße")
        .unwrap();
    assert_eq!(read.find(norder, 2, "A").map(|(_, a)| key(a)), Some("011"));
    assert_eq!(read.find(norder, 2, "").map(|(_, a)| key(a)), Some("013"));
    let counts: Vec<(&str, u32)> = read
        .postcode("24939")
        .unwrap()
        .iter()
        .map(|&(a, n)| (key(a), n))
        .collect();
    assert_eq!(counts, [("011", 1), ("013", 2)]);

    // The same store loaded from the folder without a register: none is left.
    std::fs::write(
        atlas.join("atlas.toml"),
        std::fs::read_to_string(atlas.join("atlas.toml"))
            .unwrap()
            .split("\n[addresses]")
            .next()
            .unwrap(),
    )
    .unwrap();
    let src = DirSource::new(&atlas);
    let again = build(&src)
        .compute()
        .unwrap()
        .write_and_read(&pool)
        .await
        .unwrap();
    assert!(again.addresses.is_none());
}
