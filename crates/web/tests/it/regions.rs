//! The regions page for process managers (`/analysis/regions`) on the Flensburg demo: SKATER
//! and max-p from the form, the errors of its fields (422, never 500), saving as a run shown
//! as "Regionen" on the overview and its page, and the overlay files of a stored run.

use crate::auth_support::{self, Browser, make_user};
use axum::http::StatusCode;
use sozialatlas_accounts::Role;

const PASSWORD: &str = "lange-geheime-phrase";
const INDICATORS: &str = "indicators=arbeitslosenanteil&indicators=sgb2_quote&indicators=nef_quote";

/// A signed-in process manager, a signed-in moderator and an anonymous visitor.
async fn browsers() -> (sozialatlas_web::AppState, Browser, Browser, Browser) {
    let state = auth_support::state().await;
    make_user(
        &state,
        "pm@example.org",
        "Paula Planer",
        PASSWORD,
        &[Role::ProcessManager],
    )
    .await;
    make_user(
        &state,
        "mod@example.org",
        "Moritz Moderator",
        PASSWORD,
        &[Role::Moderator],
    )
    .await;
    let mut pm = Browser::new(&state, 1, 3);
    pm.login("pm@example.org", PASSWORD).await;
    let mut moderator = Browser::new(&state, 1, 2);
    moderator.login("mod@example.org", PASSWORD).await;
    let anon = Browser::new(&state, 1, 1);
    (state, pm, moderator, anon)
}

/// The latest year of the demo, and the published population of the Stadtteile in it.
fn year_and_population(state: &sozialatlas_web::AppState) -> (i32, f64) {
    let snap = state.snapshot();
    let year = *snap.periods.last().unwrap();
    let id = sozialatlas_runs::default_population_indicator(snap).expect("a population count");
    let i = snap
        .catalogue
        .indicators
        .iter()
        .position(|x| x.id == id)
        .unwrap();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let total = snap
        .tree
        .areas_of_level(level)
        .iter()
        .map(|&a| {
            snap.value(i, a, year)
                .and_then(|v| v.published())
                .expect("every Stadtteil's population is published")
        })
        .sum();
    (year, total)
}

/// The regions table of a page: (number of areas, population) per region.
fn region_rows(body: &str) -> Vec<(usize, f64)> {
    body.split("<tr data-key=\"region-")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").unwrap()];
            let cells: Vec<&str> = row
                .split("<td class=\"num\">")
                .skip(1)
                .map(|c| &c[..c.find("</td>").unwrap()])
                .collect();
            let population = cells[1].replace('.', "").replace(',', ".");
            (
                cells[0].parse().unwrap(),
                population
                    .parse()
                    .unwrap_or_else(|_| panic!("{}", cells[1])),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_process_manager_builds_saves_and_downloads_regions() {
    let (state, mut pm, mut moderator, mut anon) = browsers().await;
    let (year, total) = year_and_population(&state);

    // Only process managers and administrators: others are refused, anonymous users sent to
    // sign in.
    let r = anon.get("/analysis/regions").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"), "{}", r.location());
    assert_eq!(
        moderator.get("/analysis/regions").await.status,
        StatusCode::FORBIDDEN
    );

    // The fresh form: no result yet.
    let r = pm.get("/analysis/regions").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<h1>Regionen bilden</h1>"));
    assert!(r.body.contains("name=\"indicators\""));
    assert!(r.body.contains("value=\"max-p\""));
    assert!(!r.body.contains("Karte der Regionen"));
    assert_eq!(r.headers["cache-control"], "no-store");
    let r = pm.get("/en/analysis/regions").await;
    assert!(r.body.contains("<h1>Build regions</h1>"), "{}", r.body);

    // SKATER, three regions: the map, and populations that add up to the level's.
    let query = format!(
        "sel=1&level=stadtteil&year={year}&{INDICATORS}&method=skater&regions=3&min_areas=2"
    );
    let r = pm.get(&format!("/analysis/regions?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Karte der Regionen"));
    assert!(r.body.contains("<svg"), "a map");
    let rows = region_rows(&r.body);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(rows.iter().map(|x| x.0).sum::<usize>(), 13);
    assert!(rows.iter().all(|x| x.0 >= 2), "{rows:?}");
    let sum: f64 = rows.iter().map(|x| x.1).sum();
    assert!((sum - total).abs() < 0.5, "{sum} vs {total}");
    assert!(r.body.contains("Innerhalb der Regionen bleiben"));
    assert!(
        r.body.contains("als der Durchschnitt der Stadt"),
        "profile in words"
    );
    assert!(
        r.body.contains("href=\"/areas/stadtteil/"),
        "members linked"
    );
    assert!(r.body.contains("Regionen speichern"));

    // A maximum: every region stays under it (SKATER cuts further).
    let r = pm
        .get(&format!(
            "/analysis/regions?sel=1&level=stadtteil&year={year}&{INDICATORS}&method=skater&regions=2&min_population=3000&max_population=25.000"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = region_rows(&r.body);
    assert!(rows.len() >= 2);
    assert!(rows.iter().all(|x| x.1 <= 25000.0), "{rows:?}");
    assert!(r.body.contains("Höchstens 25.000 Einwohner je Region."));

    // max-p from the form, with its seed.
    let r = pm
        .get(&format!(
            "/analysis/regions?sel=1&level=stadtteil&year={year}&{INDICATORS}&method=max-p&min_population=15000&seed=7"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rows = region_rows(&r.body);
    assert!(
        rows.len() >= 2 && rows.iter().all(|x| x.1 >= 15000.0),
        "{rows:?}"
    );
    assert!(r.body.contains("Startwert 7"));

    // Saving stores the run and shows it as regions.
    let r = pm.post("/analysis/regions", &[("params", &query)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/analysis/runs/1?saved=1");
    let stored = sozialatlas_store::get_run(state.pool(), 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.kind, "regions");
    let r = pm.get("/analysis/runs/1?saved=1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Die Regionen wurden gespeichert."));
    assert!(r.body.contains(": Regionen</h1>"), "{}", r.body);
    assert_eq!(region_rows(&r.body).len(), 3);
    assert!(r.body.contains("geo/regionen_1.geojson"));
    assert!(r.body.contains("regionen_1_members.csv"));
    assert!(r.body.contains("[[overlay]]"));
    assert!(r.body.contains("href=\"/analysis/regions?sel=1&"), "repeat");
    // Anyone sees the stored run, but not the files.
    let r = anon.get("/analysis/runs/1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(": Regionen</h1>"));
    assert!(!r.body.contains("/analysis/runs/1/regions.geojson"));
    let r = anon.get("/analysis").await;
    assert!(r.body.contains("<td>Regionen</td>"), "{}", r.body);
    assert!(!r.body.contains("<td>andere</td>"));
    assert!(r.body.contains("href=\"/analysis/regions\""));
    assert!(
        r.body
            .contains("beim Speichern von Aktionsräumen und Regionen gespeichert")
    );
    let r = anon.get("/en/analysis").await;
    assert!(r.body.contains("<td>Regions</td>"));

    // The overlay files: the dissolved boundaries, one feature per region, and the membership.
    let r = pm.get("/analysis/runs/1/regions.geojson").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers["content-type"], "application/geo+json");
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("regionen_1.geojson")
    );
    let g: serde_json::Value = serde_json::from_str(&r.body).expect("GeoJSON");
    assert_eq!(g["type"], "FeatureCollection");
    let features = g["features"].as_array().unwrap();
    assert_eq!(features.len(), 3);
    for f in features {
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        assert!(!f["geometry"]["coordinates"].as_array().unwrap().is_empty());
    }
    // Rings closed, positions as [lon, lat] in Flensburg.
    for f in features {
        for poly in f["geometry"]["coordinates"].as_array().unwrap() {
            for ring in poly.as_array().unwrap() {
                let ring = ring.as_array().unwrap();
                assert!(ring.len() >= 4);
                assert_eq!(ring.first(), ring.last());
                let lon = ring[0][0].as_f64().unwrap();
                let lat = ring[0][1].as_f64().unwrap();
                assert!(
                    (9.0..10.0).contains(&lon) && (54.0..55.5).contains(&lat),
                    "{lon} {lat}"
                );
            }
        }
    }
    let r = pm.get("/analysis/runs/1/regions.csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("region,member\n"), "{}", r.body);
    assert_eq!(r.body.lines().count(), 1 + 13);
    assert_eq!(
        anon.get("/analysis/runs/1/regions.geojson").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        moderator.get("/analysis/runs/1/regions.csv").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn bad_settings_are_the_errors_of_their_fields() {
    let (state, mut pm, _, _) = browsers().await;
    let (year, _) = year_and_population(&state);
    let base = format!("/analysis/regions?sel=1&level=stadtteil&year={year}");
    for (query, field, words) in [
        (
            format!("{base}&method=skater&regions=3"),
            "r-indicators",
            "Wählen Sie mindestens einen Indikator.",
        ),
        (
            format!("{base}&{INDICATORS}&method=skater&regions=3&min_population=10000000"),
            "r-min-population",
            "höher als alle Gebiete der Ebene zusammen",
        ),
        (
            format!("{base}&{INDICATORS}&method=skater&regions=99"),
            "r-regions",
            "ganze Zahl von 2 bis 13",
        ),
        (
            format!("{base}&{INDICATORS}&method=skater&regions=6&min_areas=3"),
            "r-regions",
            "So viele Regionen lassen sich mit dieser Mindestgröße nicht bilden.",
        ),
        (
            format!("{base}&{INDICATORS}&method=max-p"),
            "r-min-population",
            "max-p braucht eine Mindestgröße",
        ),
        (
            format!("{base}&{INDICATORS}&method=skater&regions=3&min_areas=1&min_population=100"),
            "r-min-population",
            "Füllen Sie nur eine der beiden Mindestgrößen aus",
        ),
        (
            format!("{base}&{INDICATORS}&method=skater&regions=2&max_population=100"),
            "r-max-population",
            "mehr als die Höchstzahl von 100",
        ),
        (
            format!("{base}&{INDICATORS}&method=skater&regions=3&max_population=viele"),
            "r-max-population",
            "Höchstzahl der Einwohner als Zahl über 0",
        ),
        (
            format!("{base}&{INDICATORS}&method=kmeans"),
            "r-method",
            "Wählen Sie ein Verfahren",
        ),
        (
            format!(
                "/analysis/regions?sel=1&level=mond&year={year}&{INDICATORS}&method=skater&regions=3"
            ),
            "r-level",
            "Wählen Sie eine Ebene aus der Liste.",
        ),
    ] {
        let r = pm.get(&query).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
        assert!(
            r.body.contains(&format!("href=\"#{field}\"")),
            "{query}: summary links to {field}"
        );
        assert!(
            r.body.contains(&format!("id=\"{field}-error\"")),
            "{query}: message at {field}"
        );
        assert!(r.body.contains(words), "{query}: {words}");
        assert!(!r.body.contains("Karte der Regionen"), "{query}: no result");
    }
    // In English too.
    let r = pm
        .get(&format!(
            "/en/analysis/regions?sel=1&level=stadtteil&year={year}&method=skater&regions=3"
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Choose at least one indicator."));
    // A save of bad settings stores nothing.
    let r = pm
        .post(
            "/analysis/regions",
            &[("params", "sel=1&level=stadtteil&method=skater")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("href=\"#r-indicators\""));
    assert!(
        sozialatlas_store::list_runs(state.pool(), None)
            .await
            .unwrap()
            .is_empty()
    );
    // Files of a run of another kind: 404.
    let typology = sozialatlas_runs::run_typology(
        state.snapshot(),
        &sozialatlas_runs::TypologyParams {
            level: "stadtteil".into(),
            year,
            indicators: vec!["arbeitslosenanteil".into(), "sgb2_quote".into()],
            k: 3,
            pca: sozialatlas_analysis::pca::PcaSetting::Off,
            kmeans: None,
            seed: 1,
        },
    )
    .unwrap();
    let id = sozialatlas_store::save_run(
        state.pool(),
        &sozialatlas_store::StoredRun {
            id: 0,
            kind: "typology".into(),
            created_at: "2026-12-07T18:00:00Z".into(),
            load_id: state.snapshot().load.id,
            program_version: "test".into(),
            params_json: serde_json::to_string(&typology.params).unwrap(),
            result_json: serde_json::to_string(&typology).unwrap(),
        },
    )
    .await
    .unwrap();
    let r = pm
        .get(&format!("/analysis/runs/{id}/regions.geojson"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
