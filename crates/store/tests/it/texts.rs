//! The editors' texts travel from the atlas folder through the store into the snapshot, and a
//! changed text is a changed input.

use sozialatlas_core::Locale;
use sozialatlas_import::MemorySource;
use sozialatlas_store::{AtlasBuild, LoadOutcome};
use std::borrow::Cow;
use std::path::Path;

fn demo_with(texts: &[(&str, &str)]) -> MemorySource {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/flensburg");
    let mut src = MemorySource {
        name: "test".into(),
        ..Default::default()
    };
    fn walk(dir: &Path, root: &Path, src: &mut MemorySource) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, src);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if !rel.starts_with("texts/") {
                    src.files
                        .insert(rel, Cow::Owned(std::fs::read(&p).unwrap()));
                }
            }
        }
    }
    walk(&root, &root, &mut src);
    for (path, text) in texts {
        src.files
            .insert(path.to_string(), Cow::Owned(text.as_bytes().to_vec()));
    }
    src
}

async fn load(pool: &sozialatlas_store::Pool, src: &MemorySource) -> LoadOutcome {
    AtlasBuild::new(src)
        .program_version("t")
        .loaded_at("2026-01-01T00:00:00Z")
        .compute()
        .unwrap()
        .write(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn texts_round_trip_and_changes_reload() {
    let pool = sozialatlas_test_support::test_pool().await;
    let src = demo_with(&[
        ("texts/wohnen.md", "Wohnen **in Flensburg**."),
        ("texts/introduction.en.md", "Introduction."),
    ]);
    load(&pool, &src).await;
    let snap = sozialatlas_store::read_snapshot(&pool).await.unwrap();
    assert_eq!(snap.texts.len(), 2);
    let t = snap.text("wohnen", Locale::De).unwrap();
    assert_eq!(t.markdown, "Wohnen **in Flensburg**.");
    assert_eq!(t.path, "texts/wohnen.md");
    // English falls back to German; an English-only text has no German version.
    assert_eq!(snap.text("wohnen", Locale::En).unwrap().locale, Locale::De);
    assert_eq!(
        snap.text("introduction", Locale::En).unwrap().markdown,
        "Introduction."
    );
    assert!(snap.text("introduction", Locale::De).is_none());
    assert!(snap.load.inputs.iter().any(|f| f.path == "texts/wohnen.md"));

    // Same inputs: nothing written. A changed text: a new load that replaces the texts.
    assert!(matches!(
        load(&pool, &src).await,
        LoadOutcome::Unchanged { .. }
    ));
    let changed = demo_with(&[("texts/wohnen.md", "Neu.")]);
    match load(&pool, &changed).await {
        LoadOutcome::Loaded { changed, .. } => {
            assert!(
                changed.contains(&"texts/wohnen.md".to_string()),
                "{changed:?}"
            )
        }
        other => panic!("expected a reload, got {other:?}"),
    }
    let snap = sozialatlas_store::read_snapshot(&pool).await.unwrap();
    assert_eq!(snap.texts.len(), 1);
    assert_eq!(snap.text("wohnen", Locale::De).unwrap().markdown, "Neu.");
}

/// Each data file's markers (what its cells for missing and suppressed values are) are stored
/// with the load's input files and come back in the snapshot.
#[tokio::test]
async fn data_file_markers_round_trip() {
    let pool = sozialatlas_test_support::test_pool().await;
    load(&pool, &demo_with(&[])).await;
    let snap = sozialatlas_store::read_snapshot(&pool).await.unwrap();
    let input = |p: &str| snap.load.inputs.iter().find(|f| f.path == p).unwrap();
    let risk = input("data/risk_homelessness_by_district.csv");
    assert_eq!(
        risk.markers,
        Some(sozialatlas_import::Markers {
            missing: vec![],
            suppressed: vec![String::new()],
            zero: vec![],
        })
    );
    let mig = input("data/migration_background_by_district.csv")
        .markers
        .clone()
        .unwrap();
    assert!(!mig.missing.contains(&".".to_string()), "{mig:?}");
    assert_eq!(mig.suppressed, ["x", "X", "*", "•"]);
    assert_eq!(input("catalogue.toml").markers, None);
}
