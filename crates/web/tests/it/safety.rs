//! Suppression, errors in both languages, escaping, and the OpenAPI document's coverage.

use crate::common;
use crate::common::{get, table_row as row};
use axum::http::StatusCode;
use sozialatlas_core::ValueState;

/// (indicator id, area key, year, raw value, raw numerator) of suppressed stadtteil values.
async fn suppressed_cells(indicator: &str) -> Vec<(String, String, i32, Option<f64>, Option<f64>)> {
    common::suppressed_stadtteil(&common::state().await, indicator)
        .into_iter()
        .map(|(year, key, value, numerator)| (indicator.to_string(), key, year, value, numerator))
        .collect()
}

fn rdr_find(pool: &str, f: impl Fn(&csv::StringRecord) -> bool) -> Option<csv::StringRecord> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(pool.trim_start_matches('\u{feff}').as_bytes());
    rdr.records().filter_map(Result::ok).find(|r| f(r))
}

#[tokio::test]
async fn suppressed_values_are_never_printed() {
    let cells = suppressed_cells("wohnungslosigkeit").await;
    assert!(
        !cells.is_empty(),
        "the demo has suppressed homelessness-risk cells"
    );
    // Also any value suppressed here (primary/secondary), which has a raw number in the store.
    let state = common::state().await;
    let snap = state.snapshot();
    let mut all = cells.clone();
    for ind in &snap.catalogue.indicators {
        all.extend(
            suppressed_cells(&ind.id)
                .await
                .into_iter()
                .filter(|c| c.3.is_some())
                .take(2),
        );
    }
    for (id, key, year, raw, raw_num) in all.iter().take(12) {
        let def = snap.catalogue.indicator(id).unwrap();
        let page = get(&format!("/indicators/{id}/stadtteil/{year}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        let r = row(&html, key);
        assert!(r.contains("gesperrt"), "{id} {key} {year}: {r}");
        for x in [raw, raw_num].into_iter().flatten() {
            for d in [def.decimals(), 0, 2] {
                let s =
                    sozialatlas_core::locale::format_decimal(*x, d, sozialatlas_core::Locale::De);
                if s != "0" {
                    assert!(
                        !r.contains(&format!(">{s}<")),
                        "{id} {key} {year}: raw {s} printed in {r}"
                    );
                }
            }
        }
        // The map: the area is drawn as suppressed and carries no value.
        let svg = get(&format!("/indicators/{id}/stadtteil/{year}.svg"))
            .await
            .text();
        let at = svg
            .find(&format!("data-key=\"{key}\""))
            .expect("area in the map");
        let tag_end = svg[at..].find('>').unwrap() + at;
        let tag_start = svg[..at].rfind('<').unwrap();
        let tag = &svg[tag_start..tag_end];
        assert!(tag.contains("suppressed"), "{tag}");
        assert!(
            !tag.contains("data-value") || tag.contains("data-value=\"\""),
            "{tag}"
        );
        // CSV: empty value, numerator and denominator.
        let csv = get(&format!("/indicators/{id}/stadtteil/{year}.csv"))
            .await
            .text();
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("{key};")))
            .expect("csv row");
        let f: Vec<&str> = line.split(';').collect();
        assert_eq!((f[2], f[5], f[6]), ("", "", ""), "{line}");
        assert_eq!(f[4], "gesperrt");
        // API: null with state suppressed, no numerator.
        let api = get(&format!("/api/v1/indicators/{id}/stadtteil/{year}")).await;
        let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
        let item = v["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["key"] == key.as_str())
            .unwrap();
        assert!(
            item["value"].is_null() && item["numerator"].is_null() && item["denominator"].is_null(),
            "{item}"
        );
        assert_eq!(item["state"], "suppressed");
    }
    // The data pool keeps them out as well.
    let pool = get("/data/datenpool.csv").await.text();
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(pool.trim_start_matches('\u{feff}').as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (ci, cl, ck, cy, cv, cn, cs) = (
        col("Indikator-ID"),
        col("Ebene"),
        col("Gebietsschlüssel"),
        col("Jahr"),
        col("Wert"),
        col("Zähler"),
        col("Status"),
    );
    for (_, key, year, _, _) in &cells {
        let rec = rdr_find(&pool, |r| {
            r[ci] == *"wohnungslosigkeit"
                && &r[cl] == "Stadtteil"
                && &r[ck] == key
                && r[cy] == year.to_string()
        });
        let rec = rec.expect("pool row");
        assert_eq!((&rec[cv], &rec[cn]), ("", ""), "{rec:?}");
        assert!(rec[cs].contains("gesperrt"), "{rec:?}");
    }
    let _ = ValueState::Ok;
}

#[tokio::test]
async fn change_view_keeps_suppression() {
    let cells = suppressed_cells("wohnungslosigkeit").await;
    let (_, key, year, _, _) = &cells[0];
    let other = if *year == 2022 { 2021 } else { 2022 };
    let page = get(&format!(
        "/indicators/wohnungslosigkeit/stadtteil/{year}?compare={other}"
    ))
    .await;
    if page.status == StatusCode::OK {
        assert!(row(&page.text(), key).contains("gesperrt"));
    }
}

#[tokio::test]
async fn errors_in_both_languages() {
    let cases = [
        (
            "/indicators/gibtsnicht/stadtteil/2022",
            StatusCode::NOT_FOUND,
            "Den Indikator „gibtsnicht“ gibt es nicht",
        ),
        (
            "/indicators/sgb2_quote/ebene/2022",
            StatusCode::NOT_FOUND,
            "Die Ebene „ebene“ gibt es nicht",
        ),
        (
            "/indicators/sgb2_quote/stadtteil/1999",
            StatusCode::NOT_FOUND,
            "Für 1999 liegen",
        ),
        (
            "/indicators/sgb2_quote/stadtteil/zwei",
            StatusCode::BAD_REQUEST,
            "Jahreszahl",
        ),
        (
            "/indicators/sgb2_quote/stadtteil/2022?k=99",
            StatusCode::BAD_REQUEST,
            "Der Parameter „k“",
        ),
        (
            "/indicators/sgb2_quote/stadtteil/2022?scheme=jenks",
            StatusCode::BAD_REQUEST,
            "„scheme“",
        ),
        (
            "/indicators/sgb2_quote/stadtteil/2022?compare=1999",
            StatusCode::BAD_REQUEST,
            "„compare“",
        ),
        (
            "/indicators/sgb2_quote/stadtteil/2022?area=nope",
            StatusCode::NOT_FOUND,
            "Schlüssel „nope“",
        ),
        (
            "/indicators/sgb2_quote/stadtteil/2022.doc",
            StatusCode::NOT_FOUND,
            "Format",
        ),
        (
            "/indicators/gibtsnicht",
            StatusCode::NOT_FOUND,
            "gibtsnicht",
        ),
        ("/areas/stadtteil/nope", StatusCode::NOT_FOUND, "„nope“"),
        ("/areas/nope/01", StatusCode::NOT_FOUND, "Ebene"),
        ("/compare?x=nope", StatusCode::NOT_FOUND, "„nope“"),
        ("/compare?year=abc", StatusCode::BAD_REQUEST, "Jahreszahl"),
        ("/gibtsnicht", StatusCode::NOT_FOUND, "Seite nicht gefunden"),
        (
            "/data/foo.csv",
            StatusCode::NOT_FOUND,
            "Seite nicht gefunden",
        ),
    ];
    for (path, status, text) in cases {
        let r = get(path).await;
        assert_eq!(r.status, status, "{path}");
        assert_eq!(r.ctype, "text/html; charset=utf-8", "{path}");
        let t = r.text();
        assert!(t.contains(text), "{path}: {t}");
        assert!(t.contains("<html lang=\"de\">"), "{path}");
        assert!(t.contains("error-summary"));
        let en = get(&format!("/en{path}")).await;
        assert_eq!(en.status, status, "/en{path}");
        assert!(en.text().contains("<html lang=\"en\">"), "/en{path}");
    }
    let r = get("/en/indicators/gibtsnicht/stadtteil/2022").await;
    assert!(r.text().contains("There is no indicator `gibtsnicht`"));
    let r = get("/en/indicators/sgb2_quote/stadtteil/2022?k=99").await;
    assert!(r.text().contains("The parameter `k` is `99`"));
    let r = get("/en/nothing/here").await;
    assert!(r.text().contains("Page not found"));
}

#[tokio::test]
async fn api_errors_are_json() {
    for (path, status) in [
        (
            "/api/v1/indicators/nope/stadtteil/2022",
            StatusCode::NOT_FOUND,
        ),
        (
            "/api/v1/indicators/sgb2_quote/stadtteil/20x2",
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/v1/indicators/sgb2_quote/stadtteil/2022?closure=up",
            StatusCode::BAD_REQUEST,
        ),
        ("/api/v1/areas/nope", StatusCode::NOT_FOUND),
        ("/api/v1/areas/stadtteil/nope", StatusCode::NOT_FOUND),
        ("/api/v1/nothing", StatusCode::NOT_FOUND),
    ] {
        let r = get(path).await;
        assert_eq!(r.status, status, "{path}");
        assert!(r.ctype.starts_with("application/json"), "{path}");
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["error"]["status"], status.as_u16());
    }
}

#[tokio::test]
async fn html_is_escaped() {
    let r = get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(!t.contains("<script>alert(1)"));
    assert!(t.contains("&#60;script&#62;") || t.contains("&lt;script&gt;"));
    let r = get("/indicators/%3Cb%3Ex/stadtteil/2022").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text().contains("<b>x"));
    let r = get("/areas/stadtteil/%22%3E%3Cimg%20src=x%3E").await;
    assert!(!r.text().contains("<img src=x>"));
    // The language switch keeps the query, escaped.
    let r = get("/search?q=%22%3E%3Ci%3E").await;
    assert!(!r.text().contains("\"><i>"));
}

#[tokio::test]
async fn api_routes() {
    let r = get("/api/v1/catalogue").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert!(
        v["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == "sgb2_quote")
    );

    let r = get("/api/v1/areas/stadtteil").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "application/geo+json");
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let f = &v["features"][0];
    assert!(f["properties"]["key"].is_string() && f["properties"]["name"].is_string());
    assert_eq!(f["properties"]["parent"], "0");

    let r = get("/api/v1/indicators/sgb2_quote/stadtteil/2022?scheme=equal&k=6").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["classification"]["k"], 6);
    assert_eq!(v["city"]["state"], "ok");
    assert!(v["values"][0]["value"].is_number());
    assert!(v["values"][0]["numerator"].is_number());
    assert!(v["values"][0]["class"].is_number());

    let state = common::state().await;
    let snap = state.snapshot();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let a = &snap.tree.areas[snap.tree.areas_of_level(level)[0]];
    let r = get(&format!("/api/v1/areas/stadtteil/{}", a.key)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["name"], a.name.as_str());
    assert!(v["indicators"].as_array().unwrap().len() > 5);
}

#[tokio::test]
async fn openapi_lists_every_api_route() {
    let r = get("/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    // Every documented path answers (with its parameters filled in), and every route that
    // answers under /api/v1 is documented: the routes are probed from the document and the
    // router's list is compared with it.
    // A stored run for `/runs/{run}` (in an application of its own: the shared one's
    // in-memory store does not outlive the test that made it).
    let state = common::fresh_state().await;
    let run = sozialatlas_store::save_run(
        state.pool(),
        &sozialatlas_store::StoredRun {
            id: 0,
            kind: "index".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            load_id: state.snapshot().load.id,
            program_version: "test".into(),
            params_json: "{}".into(),
            result_json: "{}".into(),
        },
    )
    .await
    .unwrap();
    let fill = |p: &str| {
        p.replace("{id}", "sgb2_quote")
            .replace("{level}", "stadtteil")
            .replace("{year}", "2022")
            .replace("{key}", "1")
            .replace("{run}", &run.to_string())
    };
    for p in paths.keys() {
        // Required query parameters get their documented example.
        let required: Vec<String> = paths[p]["get"]["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|q| q["in"] == "query" && q["required"] == true)
                    .map(|q| {
                        format!(
                            "{}={}",
                            q["name"].as_str().unwrap(),
                            q["example"].as_str().unwrap()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let query = if required.is_empty() {
            String::new()
        } else {
            format!("?{}", required.join("&"))
        };
        let r = common::get_from(&state, &format!("/api/v1{}{query}", fill(p))).await;
        assert_eq!(r.status, StatusCode::OK, "{p}");
        assert!(paths[p]["get"]["responses"]["200"].is_object(), "{p}");
    }
    let documented: std::collections::BTreeSet<&str> = paths.keys().map(String::as_str).collect();
    let routed: std::collections::BTreeSet<&str> =
        sozialatlas_web::api_routes().iter().copied().collect();
    assert_eq!(documented, routed);
}
