//! Action areas from the real atlases: Dortmund's Aktionsräume overlay, and the typology
//! proposal on Flensburg, edited.

use sozialatlas_analysis::pca::PcaSetting;
use sozialatlas_model::NewActionArea;
use sozialatlas_runs::{
    TypologyParams, action_areas_from_overlay, check_action_areas, edit_proposal, proposal,
    run_typology,
};
use sozialatlas_test_support::{FLENSBURG_SOCIAL, example_snapshot};

#[tokio::test]
async fn dortmund_overlay_becomes_fifteen_action_areas() {
    let snap = example_snapshot("dortmund").await;
    let areas = action_areas_from_overlay(&snap, "aktionsraum").unwrap();
    assert_eq!(areas.len(), 15);
    for a in &areas {
        assert_eq!(a.members, vec![a.key.clone()]);
        assert!(!a.name.is_empty());
    }
    check_action_areas(&snap, "aktionsraum", &areas).unwrap();

    let e = action_areas_from_overlay(&snap, "stadtbezirk").unwrap_err();
    assert_eq!(
        e.to_string(),
        "level `stadtbezirk` is not an overlay (overlays: aktionsraum)"
    );
    let e = action_areas_from_overlay(&snap, "ortsteil").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("unknown level `ortsteil` (the atlas has stadt, "),
        "{e}"
    );

    // A member that is not an area of the level is named.
    let bad = [NewActionArea {
        key: "x".into(),
        name: "X".into(),
        members: vec!["99".into()],
    }];
    let e = check_action_areas(&snap, "stadtbezirk", &bad).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("area `99` is not an area of level `stadtbezirk` (its keys: "),
        "{e}"
    );
}

#[tokio::test]
async fn typology_proposal_can_be_edited() {
    let snap = example_snapshot("flensburg").await;
    let run = run_typology(
        &snap,
        &TypologyParams {
            level: "stadtteil".into(),
            year: 2022,
            indicators: FLENSBURG_SOCIAL.map(String::from).to_vec(),
            k: 3,
            pca: PcaSetting::Off,
            kmeans: None,
            seed: 1,
        },
    )
    .unwrap();
    // Cluster descriptions name the indicators as readers know them, not by id.
    let worst = run.result.clusters.last().unwrap();
    assert!(
        !worst.description_de.contains("sgb2_quote"),
        "{}",
        worst.description_de
    );
    let p = proposal(&run);
    assert!(!p.is_empty());
    let keys: Vec<&str> = p.iter().map(|a| a.key.as_str()).collect();
    let names: Vec<&str> = p.iter().map(|a| a.name.as_str()).collect();
    assert!(names.contains(&"Neustadt"), "{names:?}");
    check_action_areas(&snap, "stadtteil", &p).unwrap();

    let not_proposed = run
        .areas
        .iter()
        .find(|a| !keys.contains(&a.key.as_str()))
        .unwrap()
        .key
        .clone();
    let edited = edit_proposal(
        &snap,
        &run,
        &[keys[0].to_string()],
        std::slice::from_ref(&not_proposed),
    )
    .unwrap();
    assert_eq!(edited.len(), p.len());
    assert!(edited.iter().all(|a| a.key != keys[0]));
    assert!(edited.iter().any(|a| a.key == not_proposed));

    let e = edit_proposal(&snap, &run, std::slice::from_ref(&not_proposed), &[]).unwrap_err();
    assert!(
        e.to_string()
            .contains("is not among the proposed action areas"),
        "{e}"
    );
    let e = edit_proposal(&snap, &run, &[], &["999".into()]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("area `999` is not an area of level `stadtteil`"),
        "{e}"
    );
    let e = edit_proposal(&snap, &run, &[], &[keys[0].to_string()]).unwrap_err();
    assert!(e.to_string().contains("already proposed"), "{e}");
    let all: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    let e = edit_proposal(&snap, &run, &all, &[]).unwrap_err();
    assert!(e.to_string().contains("would be empty"), "{e}");
}

/// The default choice of a typology or an index takes the indicators with a direction; one the
/// catalogue marks `typology = false` is left out (it can still be chosen by hand), and the mark
/// survives the catalogue's stored form.
#[tokio::test]
async fn the_catalogue_leaves_an_indicator_out_of_the_default_choice() {
    let mut snap = example_snapshot("flensburg").await;
    let level = snap.tree.level_index("stadtteil").unwrap();
    let before = sozialatlas_runs::default_indicators(&snap, level, 2022);
    let id = |i: &usize| snap.catalogue.indicators[*i].id.clone();
    let ids: Vec<String> = before.iter().map(id).collect();
    assert!(ids.contains(&"sgb2_quote".to_string()), "{ids:?}");
    assert!(
        before
            .iter()
            .all(|&i| snap.catalogue.indicators[i].polarity != sozialatlas_core::Polarity::Neutral),
        "{ids:?}"
    );
    let sgb2 = snap
        .catalogue
        .indicators
        .iter()
        .position(|i| i.id == "sgb2_quote")
        .unwrap();
    snap.catalogue.indicators[sgb2].in_typology = false;
    let stored = serde_json::to_string(&snap.catalogue).unwrap();
    assert!(stored.contains("\"typology\":false"), "{stored}");
    let back: sozialatlas_core::Catalogue = serde_json::from_str(&stored).unwrap();
    assert!(!back.indicators[sgb2].in_typology);
    let after = sozialatlas_runs::default_indicators(&snap, level, 2022);
    let expected: Vec<usize> = before.into_iter().filter(|&i| i != sgb2).collect();
    assert_eq!(after, expected);
}
