//! The analysis pages and their API, in-process, on the embedded Flensburg demo: every route,
//! both languages, bad parameters (400/404 in the page's language, never 500), stored runs
//! shown from their stored result, and suppression (a suppressed value never enters a run).

use crate::common::{fresh_state, get, get_from};
use crate::{auth_support, common};
use axum::http::StatusCode;
use sozialatlas_analysis::pca::PcaSetting;
use sozialatlas_runs::{IndexParams, TypologyParams};
use sozialatlas_store::{ActionAreaSource, NewActionArea, StoredRun};

const HTML: &str = "text/html; charset=utf-8";
const FIVE: &str =
    "indicators=arbeitslosenanteil,sgb2_quote,nef_quote,wohngeld,beschaeftigtenquote";

fn json(r: &common::Got) -> serde_json::Value {
    serde_json::from_slice(&r.body).expect("JSON")
}

#[tokio::test]
async fn overview_lists_methods_in_both_languages() {
    let state = fresh_state().await;
    let r = get_from(&state, "/analysis").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, HTML);
    let t = r.text();
    assert!(t.contains("<h1>Analysen</h1>"));
    assert!(t.contains("href=\"/analysis/index\""));
    assert!(t.contains("href=\"/analysis/typology\""));
    assert!(t.contains("href=\"/analysis/action-areas\""));
    assert!(t.contains("Noch keine gespeicherten Berechnungen."));
    assert!(
        t.contains("aria-current=\"page\">Analysen</a>"),
        "navigation"
    );
    let r = get_from(&state, "/en/analysis").await;
    let t = r.text();
    assert!(t.contains("<h1>Analyses</h1>"));
    assert!(t.contains("href=\"/en/analysis/typology\""));
    assert_eq!(r.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn index_page_has_map_grid_legend_counts_and_table() {
    let r = get("/analysis/index").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("<svg"), "map");
    assert!(
        t.contains("Gebiete je Gruppe (Status × Dynamik)"),
        "2-D legend"
    );
    for label in [
        "hoch",
        "mittel",
        "niedrig",
        "sehr niedrig",
        "positiv",
        "stabil",
        "negativ",
    ] {
        assert!(t.contains(&format!(">{label}<")), "{label}");
    }
    assert!(t.contains("13 von 13 Gebieten einbezogen."));
    // The grid's total is the number of included areas.
    assert!(t.contains("<td class=\"num\">13</td></tr></tfoot>"));
    let neustadt = t
        .split("<tr data-key=")
        .find(|r| r.contains(">Neustadt<"))
        .unwrap();
    assert!(neustadt.contains("sehr niedrig"), "{neustadt}");
    assert!(t.contains("href=\"/analysis/index.csv?level=stadtteil&#38;year=2022&#38;from=2020&#38;sel=1&#38;status="), "CSV link");
    // No auto-submitting form: the settings are applied by the button.
    assert!(!t.contains("data-autosubmit"));
    assert!(t.contains("<button type=\"submit\">Berechnen</button>"));

    let r = get("/en/analysis/index?level=stadtteil&year=2022&from=2020&sel=1&status=sgb2_quote,arbeitslosenanteil&dynamics=sgb2_quote&ws.sgb2_quote=2&t_low=1.4").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("very low") && t.contains("Status index"));
    assert!(t.contains("value=\"2\""), "weight kept in the form");
    assert!(t.contains("value=\"1.4\""), "limit kept in the form");
}

#[tokio::test]
async fn index_csv_in_both_conventions() {
    let r = get("/analysis/index.csv?status=sgb2_quote&sel=1").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "text/csv; charset=utf-8");
    let t = r.text();
    assert!(t.starts_with('\u{feff}'));
    assert!(t.contains("Gebietsschlüssel;Gebiet;Statusindex"));
    assert_eq!(t.lines().count(), 14);
    let r = get("/en/analysis/index.csv?status=sgb2_quote&sel=1").await;
    let t = r.text();
    assert!(t.starts_with("area_key,area,status_index"));
}

#[tokio::test]
async fn bad_index_settings_are_400_or_404_in_the_users_language() {
    for (url, status, text) in [
        (
            "/analysis/index?status=gibtsnicht",
            404,
            "Den Indikator „gibtsnicht“ gibt es nicht",
        ),
        (
            "/en/analysis/index?status=gibtsnicht",
            404,
            "There is no indicator `gibtsnicht`",
        ),
        ("/analysis/index?level=stadt", 400, "zu wenige Gebiete"),
        (
            "/analysis/index?level=ortsteil",
            404,
            "Die Ebene „ortsteil“ gibt es nicht",
        ),
        (
            "/analysis/index?year=1900",
            404,
            "Für 1900 liegen keine Daten vor",
        ),
        ("/analysis/index?year=abc", 400, "Der Parameter „year“"),
        (
            "/analysis/index?sel=1",
            400,
            "mindestens einen Statusindikator",
        ),
        (
            "/analysis/index?t_high=2",
            400,
            "Klassengrenzen müssen aufsteigen",
        ),
        (
            "/en/analysis/index?ws.sgb2_quote=-1&status=sgb2_quote",
            400,
            "a positive number up to 100",
        ),
        (
            "/analysis/index?from=2022&year=2020",
            400,
            "muss vor dem Statusjahr",
        ),
        ("/analysis/index.csv?status=x", 404, "gibt es nicht"),
    ] {
        let r = get(url).await;
        assert_eq!(r.status.as_u16(), status, "{url}");
        assert!(r.text().contains(text), "{url}: {}", r.text());
    }
}

#[tokio::test]
async fn typology_page_has_every_part_and_names_indicators() {
    let r = get(&format!("/analysis/typology?k=3&{FIVE}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    for part in [
        "Clusterkarte",
        "Dendrogramm",
        "Calinski-Harabasz-Index",
        "Clusterprofile",
        "Zuordnung der Gebiete",
        "Vorgeschlagene Aktionsräume",
        "sa-link", // dendrogram branches
        "sa-cell", // heat table
    ] {
        assert!(t.contains(part), "{part}");
    }
    // Cluster descriptions use the indicator names, not ids.
    let clusters = t
        .split("Cluster mit Größe und Beschreibung")
        .nth(1)
        .unwrap();
    let clusters = clusters.split("</table>").next().unwrap();
    assert!(
        clusters.contains("ungünstiger als der Durchschnitt der Stadt"),
        "{clusters}"
    );
    assert!(!clusters.contains("sgb2_quote"), "{clusters}");
    // The worst cluster's areas are ticked in the proposal; saving needs a signed-in role.
    let form = t.split("id=\"proposal\"").nth(1).unwrap();
    assert!(form.contains("name=\"area\" value=\""));
    assert!(form.contains(" checked"));
    assert!(form.contains("Prozessverantwortliche"));
    assert!(t.contains("Cluster 3"));
    // The method is named: a city's areas are clustered one by one.
    assert!(t.contains("(Ward-Verfahren auf allen "), "method");

    let r = get(&format!(
        "/en/analysis/typology?k=4&pca=kaiser&kmeans=100&seed=7&{FIVE}"
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("Cluster map") && t.contains("principal components"));
    assert!(t.contains("method on all "), "method");
    assert!(t.contains("worse than the city average"));

    let r = get(&format!("/analysis/typology.csv?k=3&{FIVE}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text()
            .contains("Gebietsschlüssel;Gebiet;Cluster;Beschreibung")
    );
}

#[tokio::test]
async fn bad_typology_settings_are_refused() {
    for (url, status, text) in [
        ("/analysis/typology?k=9", 400, "eine ganze Zahl von 2 bis"),
        ("/analysis/typology?k=1", 400, "„k“"),
        (
            "/en/analysis/typology?k=x",
            400,
            "a whole number from 2 to 8",
        ),
        (
            "/analysis/typology?indicators=sgb2_quote&sel=1",
            400,
            "mindestens zwei Indikatoren",
        ),
        ("/analysis/typology?indicators=sgb2_quote,nix", 404, "„nix“"),
        ("/analysis/typology?pca=99", 400, "„pca“"),
        ("/analysis/typology?kmeans=0", 400, "„kmeans“"),
        ("/analysis/typology?seed=-1", 400, "„seed“"),
        (
            "/analysis/typology?level=bezirk&indicators=sgb2_quote,nef_quote",
            400,
            "keine veröffentlichten Werte",
        ),
        (
            "/analysis/typology?year=2011&indicators=sgb2_quote,wohnungslosigkeit",
            400,
            "Nur 0 Gebiete",
        ),
    ] {
        let r = get(url).await;
        assert_eq!(r.status.as_u16(), status, "{url}");
        assert!(r.text().contains(text), "{url}: {}", r.text());
    }
}

#[tokio::test]
async fn indicator_page_has_moran_with_map_scatter_and_table() {
    let r = get("/indicators/sgb2_quote/stadtteil/2022").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    let m = t.split("id=\"moran\"").nth(1).expect("Moran section");
    assert!(m.contains("Moran&#39;s I = "));
    assert!(m.contains("1000 Permutationen") || m.contains("999 Permutationen"));
    assert!(m.contains("LISA-Clusterkarte"));
    assert!(m.contains("Moran-Streudiagramm"));
    assert!(
        m.contains("Lokales Moran&#39;s I je Gebiet"),
        "table alternative"
    );
    assert!(m.contains("nicht signifikant"));
    // Same URL, same figures (seeded).
    let again = get("/indicators/sgb2_quote/stadtteil/2022?scheme=equal")
        .await
        .text();
    let p1 = m
        .split("Moran&#39;s I = ")
        .nth(1)
        .unwrap()
        .split(')')
        .next()
        .unwrap();
    assert!(again.contains(p1));
    // A level without enough areas with values says so.
    let r = get("/indicators/sgb2_quote/stadt/2022").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text()
            .contains("zu wenige Gebiete einen veröffentlichten Wert")
    );
    let r = get("/en/indicators/sgb2_quote/stadtteil/2022?compare=2018").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("computed for the values of 2022"));
}

/// Areas whose value of an indicator in a year is suppressed, at the Stadtteil level.
fn suppressed(state: &sozialatlas_web::AppState, id: &str) -> Vec<(i32, String)> {
    common::suppressed_stadtteil(state, id)
        .into_iter()
        .map(|(year, key, _, _)| (year, key))
        .collect()
}

#[tokio::test]
async fn suppressed_values_never_enter_an_analysis() {
    let state = common::state().await;
    let sup = suppressed(&state, "wohnungslosigkeit");
    assert!(!sup.is_empty(), "the demo has suppressed values");
    let years: std::collections::BTreeSet<i32> = sup.iter().map(|s| s.0).collect();
    for year in years {
        let keys: Vec<&str> = sup
            .iter()
            .filter(|s| s.0 == year)
            .map(|s| s.1.as_str())
            .collect();
        let r = get(&format!(
            "/api/v1/analysis/moran?indicator=wohnungslosigkeit&level=stadtteil&year={year}"
        ))
        .await;
        if r.status == StatusCode::OK {
            let v = json(&r);
            for a in v["areas"].as_array().unwrap() {
                assert!(!keys.contains(&a["key"].as_str().unwrap()), "{year} {a}");
            }
        }
        let r = get(&format!(
            "/api/v1/analysis/typology?year={year}&k=2&indicators=wohnungslosigkeit,sgb2_quote"
        ))
        .await;
        if r.status == StatusCode::OK {
            let v = json(&r);
            let left: Vec<&str> = v["left_out"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["key"].as_str().unwrap())
                .collect();
            for k in &keys {
                assert!(left.contains(k), "{year}: {k} must be left out");
            }
        }
        // The page: a suppressed area appears in the LISA map as suppressed, never in the table.
        let page = get(&format!("/indicators/wohnungslosigkeit/stadtteil/{year}"))
            .await
            .text();
        if let Some(m) = page.split("id=\"moran\"").nth(1) {
            let table = m
                .split("Lokales Moran&#39;s I je Gebiet")
                .nth(1)
                .unwrap_or("");
            for k in &keys {
                assert!(!table.contains(&format!("data-key=\"{k}\"")), "{year} {k}");
            }
        }
    }
}

fn typology_params(k: usize) -> TypologyParams {
    TypologyParams {
        level: "stadtteil".into(),
        year: 2022,
        indicators: sozialatlas_test_support::FLENSBURG_SOCIAL
            .map(String::from)
            .to_vec(),
        k,
        pca: PcaSetting::Off,
        kmeans: None,
        seed: 1,
    }
}

async fn store<T: serde::Serialize, P: serde::Serialize>(
    state: &sozialatlas_web::AppState,
    kind: &str,
    params: &P,
    run: &T,
) -> i64 {
    sozialatlas_store::save_run(
        state.pool(),
        &StoredRun {
            id: 0,
            kind: kind.into(),
            created_at: "2026-02-01T10:00:00Z".into(),
            load_id: state.snapshot().load.id,
            program_version: "test".into(),
            params_json: serde_json::to_string(params).unwrap(),
            result_json: serde_json::to_string(run).unwrap(),
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn stored_runs_are_shown_as_stored_and_compared() {
    let state = fresh_state().await;
    let snap = state.snapshot();
    let t3 = sozialatlas_runs::run_typology(snap, &typology_params(3)).unwrap();
    let a = store(&state, "typology", &t3.params, &t3).await;
    let t5 = sozialatlas_runs::run_typology(snap, &typology_params(5)).unwrap();
    let b = store(&state, "typology", &t5.params, &t5).await;
    let ip = IndexParams::new(
        "stadtteil",
        2022,
        vec!["sgb2_quote".into()],
        vec![],
        2020,
        "einwohner",
    );
    let ix = sozialatlas_runs::run_index(snap, &ip).unwrap();
    let c = store(&state, "index", &ip, &ix).await;
    let mp = sozialatlas_runs::MoranParams {
        indicator: "sgb2_quote".into(),
        level: "stadtteil".into(),
        year: 2022,
        permutations: 99,
        seed: 3,
        alpha: 0.05,
        fdr: true,
    };
    let mo = sozialatlas_runs::run_moran(snap, &mp).unwrap();
    let d = store(&state, "moran", &mp, &mo).await;

    let t = get_from(&state, "/analysis").await.text();
    assert!(t.contains(&format!("href=\"/analysis/runs/{a}\"")));
    assert!(t.contains("k = 5"));
    assert!(t.contains("Zwei Typisierungen vergleichen"));

    // A stored run is shown from its stored result: tamper with a description to prove it.
    let mut tampered = t3.clone();
    tampered.result.clusters[0].description_de = "GESPEICHERTE BESCHREIBUNG".into();
    let e = store(&state, "typology", &tampered.params, &tampered).await;
    let r = get_from(&state, &format!("/analysis/runs/{e}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("GESPEICHERTE BESCHREIBUNG"));
    assert!(t.contains("Gespeichertes Ergebnis, nicht neu berechnet."));
    assert!(t.contains("href=\"/analysis/typology?level=stadtteil&#38;year=2022&#38;sel=1&#38;indicators=arbeitslosenanteil"), "repeat link");
    for id in [c, d] {
        let r = get_from(&state, &format!("/en/analysis/runs/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{id}");
    }
    assert!(
        get_from(&state, &format!("/analysis/runs/{d}"))
            .await
            .text()
            .contains("mit FDR-Korrektur")
    );

    let r = get_from(&state, &format!("/analysis/runs/compare?a={a}&b={b}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("Bereinigter Rand-Index"));
    let ari = sozialatlas_analysis::agreement::adjusted_rand_index(
        &t3.result.membership,
        &t5.result.membership,
    )
    .unwrap();
    assert!(t.contains(&sozialatlas_core::locale::format_decimal(
        ari,
        3,
        sozialatlas_core::Locale::De
    )));
    assert!(
        t.contains("<td class=\"num\">13</td></tr></tfoot>"),
        "13 common areas"
    );
    let r = get_from(&state, &format!("/analysis/runs/compare?a={a}&b={a}")).await;
    assert!(r.text().contains("<strong>1,000</strong>"));

    for (url, status, text) in [
        (
            format!("/analysis/runs/compare?a={a}&b={c}"),
            400,
            "ist keine",
        ),
        (format!("/analysis/runs/compare?a={a}"), 400, "„b“"),
        (
            "/analysis/runs/999".to_string(),
            404,
            "Nr. 999 gibt es nicht",
        ),
        ("/analysis/runs/abc".to_string(), 400, "„id“"),
        ("/en/analysis/runs/0".to_string(), 400, "`id`"),
    ] {
        let r = get_from(&state, &url).await;
        assert_eq!(r.status.as_u16(), status, "{url}");
        assert!(r.text().contains(text), "{url}: {}", r.text());
    }

    let r = get_from(&state, "/api/v1/runs").await;
    let v = json(&r);
    assert_eq!(v["runs"].as_array().unwrap().len(), 5);
    assert_eq!(v["runs"][0]["id"], e);
    assert!(v["runs"][0].get("result").is_none());
    let v = json(&get_from(&state, &format!("/api/v1/runs/{b}")).await);
    assert_eq!(v["params"]["k"], 5);
    assert_eq!(
        v["result"]["result"]["clusters"].as_array().unwrap().len(),
        5
    );
    assert_eq!(
        get_from(&state, "/api/v1/runs/77").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_from(&state, "/api/v1/runs?kind=x").await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        json(&get_from(&state, "/api/v1/runs?kind=index").await)["runs"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn action_area_sets_are_listed_with_map_and_members() {
    let state = fresh_state().await;
    let r = get_from(&state, "/analysis/action-areas").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Noch keine Aktionsräume gespeichert."));
    let snap = state.snapshot();
    let t = sozialatlas_runs::run_typology(snap, &typology_params(3)).unwrap();
    let run = store(&state, "typology", &t.params, &t).await;
    let areas = sozialatlas_runs::proposal(&t);
    let first = sozialatlas_store::save_action_area_set(
        state.pool(),
        "Erster Stand",
        "stadtteil",
        ActionAreaSource::Typology,
        Some(run),
        None,
        None,
        &areas,
    )
    .await
    .unwrap();
    let grouped = [NewActionArea {
        key: "nord".into(),
        name: "Nord".into(),
        members: areas.iter().map(|a| a.key.clone()).collect(),
    }];
    let second = sozialatlas_store::save_action_area_set(
        state.pool(),
        "Zweiter Stand",
        "stadtteil",
        ActionAreaSource::Manual,
        None,
        Some("Ratsbeschluss"),
        Some("pm@example.org"),
        &grouped,
    )
    .await
    .unwrap();
    let r = get_from(&state, "/analysis/action-areas").await;
    let t = r.text();
    assert!(t.contains("<h2 id=\"h-set\">Zweiter Stand <span class=\"tag\">gültig</span>"));
    assert!(t.contains("Ratsbeschluss"));
    assert!(
        !t.contains("pm@example.org"),
        "who saved a set is shown to staff only"
    );
    assert!(t.contains("<svg") && t.contains("kein Aktionsraum"));
    assert!(t.contains("href=\"/areas/stadtteil/"));
    assert!(t.contains(&format!("href=\"/analysis/action-areas?set={first}\"")));
    let r = get_from(&state, &format!("/en/analysis/action-areas?set={first}")).await;
    let t = r.text();
    assert!(t.contains("First") || t.contains("Erster Stand"));
    assert!(t.contains("confirmed typology"));
    assert!(t.contains(&format!("href=\"/en/analysis/runs/{run}\"")));
    assert_eq!(
        get_from(&state, "/analysis/action-areas?set=99")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get_from(&state, "/analysis/action-areas?set=x")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    let v = json(&get_from(&state, "/api/v1/action-areas").await);
    assert_eq!(v["current"], second);
    assert_eq!(v["sets"][1]["run_id"], run);
    assert_eq!(
        v["sets"][0]["areas"][0]["members"]
            .as_array()
            .unwrap()
            .len(),
        areas.len()
    );
}

#[tokio::test]
async fn analysis_api_computes_from_the_url() {
    let r = get("/api/v1/analysis/index?status=sgb2_quote,arbeitslosenanteil&dynamics=sgb2_quote")
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let v = json(&r);
    assert_eq!(v["params"]["status"][0], "arbeitslosenanteil");
    let total: u64 = v["counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(total, 13);
    let r = get(&format!("/api/v1/analysis/typology?k=3&{FIVE}")).await;
    assert_eq!(json(&r)["result"]["clusters"].as_array().unwrap().len(), 3);
    let r =
        get("/api/v1/analysis/moran?indicator=sgb2_quote&permutations=99&seed=2&fdr=true").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = json(&r);
    assert_eq!(v["params"]["level"], "stadtteil");
    assert_eq!(v["global"]["permutations"], 99);
    for (url, status, text) in [
        ("/api/v1/analysis/moran", 400, "`indicator`"),
        (
            "/api/v1/analysis/moran?indicator=sgb2_quote&level=stadt",
            400,
            "too few",
        ),
        (
            "/api/v1/analysis/moran?indicator=sgb2_quote&alpha=2",
            400,
            "`alpha`",
        ),
        ("/api/v1/analysis/typology?k=12", 400, "`k`"),
        (
            "/api/v1/analysis/index?status=nope",
            404,
            "no indicator `nope`",
        ),
    ] {
        let r = get(url).await;
        assert_eq!(r.status.as_u16(), status, "{url}");
        assert_eq!(r.ctype, "application/json", "{url}");
        assert!(r.text().contains(text), "{url}: {}", r.text());
    }
}

/// WCAG 3.2.2 (On Input): no form changes the page when an option is chosen; every form has a
/// submit button, and the script submits nothing.
#[tokio::test]
async fn forms_change_nothing_until_submitted() {
    for url in [
        "/indicators/sgb2_quote/stadtteil/2022",
        "/compare",
        "/analysis/index",
        "/analysis/typology",
        "/en/analysis",
    ] {
        let t = get(url).await.text();
        assert!(!t.contains("data-autosubmit"), "{url}");
        for form in t.split("<form").skip(1) {
            let form = form.split("</form>").next().unwrap();
            assert!(
                form.contains("type=\"submit\""),
                "{url}: a form without a button"
            );
        }
    }
    let js = get("/static/atlas.js").await.text();
    assert!(
        !js.contains(".submit()"),
        "the script must not submit forms"
    );
}

/// The keys of the areas a k = 3 typology proposes, and one it does not.
async fn proposal_keys(state: &sozialatlas_web::AppState) -> (Vec<String>, String) {
    let t = sozialatlas_runs::run_typology(state.snapshot(), &typology_params(3)).unwrap();
    let proposed: Vec<String> = sozialatlas_runs::proposal(&t)
        .into_iter()
        .map(|a| a.key)
        .collect();
    let other = t
        .areas
        .iter()
        .find(|a| !proposed.contains(&a.key))
        .unwrap()
        .key
        .clone();
    (proposed, other)
}

#[tokio::test]
async fn a_process_manager_confirms_edits_and_saves_the_proposal() {
    use auth_support::{Browser, make_user};
    use sozialatlas_accounts::Role;
    let state = auth_support::state().await;
    make_user(
        &state,
        "pm@example.org",
        "Paula Planer",
        "lange-geheime-phrase",
        &[Role::ProcessManager],
    )
    .await;
    make_user(
        &state,
        "mod@example.org",
        "Moritz Moderator",
        "lange-geheime-phrase",
        &[Role::Moderator],
    )
    .await;
    let (proposed, other) = proposal_keys(&state).await;
    let page = format!("/analysis/typology?k=3&{FIVE}");
    let params = "level=stadtteil&year=2022&sel=1&indicators=arbeitslosenanteil&indicators=sgb2_quote&indicators=nef_quote&indicators=wohngeld&indicators=beschaeftigtenquote&k=3&seed=1"
        .to_string();

    // Anonymous: the proposal is shown, saving asks to sign in; a POST goes to the sign-in page.
    let mut anon = Browser::new(&state, 1, 1);
    let r = anon.get(&page).await;
    assert!(r.body.contains("/login?next="), "sign-in link");
    assert!(
        !r.body
            .contains("method=\"post\" action=\"/analysis/action-areas\"")
    );
    let r = anon
        .post(
            "/analysis/action-areas",
            &[("params", &params), ("name", "x"), ("area", &proposed[0])],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"), "{}", r.location());

    // Another role: 403.
    let mut moderator = Browser::new(&state, 1, 2);
    moderator
        .login("mod@example.org", "lange-geheime-phrase")
        .await;
    let r = moderator
        .post(
            "/analysis/action-areas",
            &[("params", &params), ("name", "x"), ("area", &proposed[0])],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let mut pm = Browser::new(&state, 1, 3);
    pm.login("pm@example.org", "lange-geheime-phrase").await;
    let r = pm.get(&page).await;
    assert!(
        r.body
            .contains("method=\"post\" action=\"/analysis/action-areas\"")
    );
    assert!(r.body.contains("Als Aktionsräume speichern"));
    // Without the CSRF token: refused.
    let r = pm
        .post_raw(
            "/analysis/action-areas",
            &[("params", &params), ("name", "x"), ("area", &proposed[0])],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Form errors come back on the page (422), nothing is saved.
    let r = pm
        .post(
            "/analysis/action-areas",
            &[("params", &params), ("name", ""), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Kreuzen Sie mindestens ein Gebiet an."));
    assert!(r.body.contains("Geben Sie dem Satz einen Namen."));
    assert!(
        r.body.contains("href=\"#p-name\""),
        "the summary links to the field"
    );
    assert!(
        sozialatlas_store::list_action_area_sets(state.pool())
            .await
            .unwrap()
            .is_empty()
    );

    // Drop the first proposed area, add another, group the rest into one named action area.
    let mut fields: Vec<(String, String)> = vec![
        ("params".into(), params.clone()),
        ("name".into(), "Aktionsräume 2023".into()),
        ("note".into(), "Beschluss vom 1. März".into()),
    ];
    for k in &proposed[1..] {
        fields.push(("area".into(), k.clone()));
        fields.push((format!("group.{k}"), "Nord".into()));
    }
    fields.push(("area".into(), other.clone()));
    fields.push((format!("group.{other}"), "Einzeln".into()));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = pm.post("/analysis/action-areas", &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/analysis/action-areas?set=1&saved=1");
    let r = pm.get(r.location()).await;
    assert!(r.body.contains("Die Aktionsräume wurden gespeichert."));
    assert!(r.body.contains("Aktionsräume 2023") && r.body.contains("Paula Planer"));
    // The public page does not name who saved it.
    assert!(
        !anon
            .get("/analysis/action-areas")
            .await
            .body
            .contains("Paula Planer")
    );

    let set = sozialatlas_store::current_action_area_set(state.pool())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(set.source, ActionAreaSource::Typology);
    assert_eq!(set.note.as_deref(), Some("Beschluss vom 1. März"));
    let names: Vec<&str> = set.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names.len(),
        if proposed.len() > 1 { 2 } else { 1 },
        "{names:?}"
    );
    let nord = set.areas.iter().find(|a| a.name == "Nord");
    if proposed.len() > 1 {
        assert_eq!(nord.unwrap().members.len(), proposed.len() - 1);
    }
    assert!(set.areas.iter().any(|a| a.members == vec![other.clone()]));
    assert!(set.areas.iter().all(|a| !a.members.contains(&proposed[0])));
    let run = sozialatlas_store::get_run(state.pool(), set.run_id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.kind, "typology");
    let (audit, _) = sozialatlas_accounts::list_audit(
        state.pool(),
        &sozialatlas_accounts::audit::AuditFilter {
            action_prefix: Some("action_areas.".into()),
            ..Default::default()
        },
        10,
        0,
    )
    .await
    .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].object, "action_area_set:1");

    // Confirming from the stored run's page reuses that run.
    let r = pm.get(&format!("/analysis/runs/{}", run.id)).await;
    assert!(
        r.body
            .contains(&format!("name=\"run\" value=\"{}\"", run.id))
    );
    let r = pm
        .post(
            "/analysis/action-areas",
            &[
                ("run", &run.id.to_string()),
                ("params", &params),
                ("name", "Zweiter Stand"),
                ("area", &proposed[0]),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        sozialatlas_store::list_runs(state.pool(), None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        sozialatlas_store::list_action_area_sets(state.pool())
            .await
            .unwrap()
            .len(),
        2
    );
    // An area of another run's level, or a run that is not a typology, is refused.
    let r = pm
        .post(
            "/analysis/action-areas",
            &[("params", &params), ("name", "x"), ("area", "999")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("passt nicht mehr"));
}
