//! Rates for small areas on the indicator page, its API and downloads, and the report: the
//! empirical-Bayes option (`smooth=eb|seb`, marked wherever a smoothed figure is shown, refused
//! in plain words where it has no meaning) and the Wilson interval with the comparison against
//! the city (METHODS §2.1, §2.2).

use crate::common;
use crate::common::{get, table_row as row};
use axum::http::StatusCode;
use serde_json::Value;
use sozialatlas_core::stats::VersusCity;
use sozialatlas_runs::smoothing::{Smoothing, smooth_rates};

const PAGE: &str = "/indicators/sgb2_quote/stadtteil/2022";
const API: &str = "/api/v1/indicators/sgb2_quote/stadtteil/2022";

async fn json(path: &str) -> Value {
    let r = get(path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}");
    serde_json::from_slice(&r.body).expect("json")
}

#[tokio::test]
async fn the_interval_and_the_comparison_with_the_city_in_page_tooltip_and_api() {
    let api = json(API).await;
    let city = &api["city_ci"];
    let (clo, chi) = (
        city["low"].as_f64().unwrap(),
        city["high"].as_f64().unwrap(),
    );
    let page = get(PAGE).await.text();
    assert!(page.contains("95-%-Intervall (%)"), "interval column");
    assert!(page.contains("Gegenüber dem Stadtwert"));
    let mut seen = std::collections::HashSet::new();
    for v in api["values"].as_array().unwrap() {
        let key = v["key"].as_str().unwrap();
        let (lo, hi) = (
            v["ci"]["low"].as_f64().unwrap(),
            v["ci"]["high"].as_f64().unwrap(),
        );
        let x = v["value"].as_f64().unwrap();
        assert!(lo <= x && x <= hi, "{key}: {lo} ≤ {x} ≤ {hi}");
        // The flag is the overlap of the two intervals, as METHODS §2.2 defines it.
        let want = if lo <= chi && clo <= hi {
            VersusCity::NotClearlyDifferent
        } else if lo > chi {
            VersusCity::ClearlyHigher
        } else {
            VersusCity::ClearlyLower
        };
        assert_eq!(v["versus_city"].as_str(), Some(want.as_str()), "{key}");
        seen.insert(want);
        // The page's row says the same in German, with the interval in German numbers.
        let r = row(&page, key);
        let words =
            sozialatlas_core::labels::versus_city_label(want, false, sozialatlas_core::Locale::De);
        assert!(
            r.contains(&format!(
                "<td class=\"versus\" data-col=\"versus\">{words}</td>"
            )),
            "{key}: {r}"
        );
        let interval =
            sozialatlas_core::labels::interval_text((lo, hi), 1, sozialatlas_core::Locale::De);
        assert!(interval.contains(','), "decimal comma: {interval}");
        assert!(r.contains(&interval), "{key}: {interval} in {r}");
    }
    assert!(
        seen.contains(&VersusCity::NotClearlyDifferent),
        "the demo has areas near the city"
    );
    assert!(seen.len() >= 2);
    // The tooltips of map and bars carry interval and flag in full words.
    assert!(page.contains("nicht deutlich verschieden vom Stadtwert"));
    assert!(
        page.matches("; nicht deutlich verschieden vom Stadtwert")
            .count()
            >= 3
    );
    // English.
    let en = get(&format!("/en{PAGE}")).await.text();
    assert!(en.contains("95 % interval (%)") && en.contains("not clearly different from the city"));
    assert!(en.contains(">clearly higher</td>"));
    // The view's CSV has the interval and the flag.
    let csv = get(&format!("{PAGE}.csv")).await.text();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains(";95-%-Intervall unten;95-%-Intervall oben;Gegenüber dem Stadtwert;"),
        "{header}"
    );
    assert!(csv.contains(";nicht deutlich verschieden vom Stadtwert"));
    // A quotient (no proportion) has no interval and no flag.
    let q = get("/indicators/nef_quote/stadtteil/2022").await.text();
    assert!(!q.contains("95-%-Intervall") && !q.contains("Gegenüber dem Stadtwert"));
}

#[tokio::test]
async fn smoothed_values_are_the_estimates_and_marked_everywhere() {
    let state = common::state().await;
    let snap = state.snapshot();
    let ind = common::indicator_index(snap, "sgb2_quote");
    let level = snap.tree.level_index("stadtteil").unwrap();
    let areas = snap.tree.areas_of_level(level);
    for (method, label) in [
        (Smoothing::Global, "geglättet (empirischer Bayes-Schätzer)"),
        (
            Smoothing::Spatial,
            "geglättet (räumlicher empirischer Bayes-Schätzer)",
        ),
    ] {
        let q = format!("?smooth={}", method.param());
        let est = smooth_rates(snap, ind, &areas, 2022, method).unwrap();
        let api = json(&format!("{API}{q}")).await;
        assert_eq!(api["smoothing"]["method"], method.param());
        assert_eq!(api["smoothing"]["label"]["de"], label);
        let published = json(API).await;
        for v in api["values"].as_array().unwrap() {
            let key = v["key"].as_str().unwrap();
            let i = areas
                .iter()
                .position(|&a| snap.tree.areas[a].key == key)
                .unwrap();
            // (serde_json reads the last digit of a float back within an ulp or so.)
            let got = v["value"].as_f64().unwrap();
            assert!(
                (got - est[i].unwrap()).abs() < 1e-12,
                "{key}: {got} vs {:?}",
                est[i]
            );
            let orig = published["values"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["key"] == key)
                .unwrap();
            assert_eq!(v["published_value"], orig["value"], "{key}");
            assert_ne!(
                v["value"], orig["value"],
                "{key}: smoothing moves every district a little"
            );
        }
        assert!(published["smoothing"].is_null());

        let page = get(&format!("{PAGE}{q}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let t = page.text();
        // Subtitle, notice, legend, table header, bars: each says so.
        assert!(
            t.contains(&format!("Stadtteil · 2022 · {label}")),
            "subtitle"
        );
        assert!(t.contains("class=\"notice smoothed\""));
        assert!(t.contains("in %, geglättet"), "legend title");
        assert!(t.contains(">geglättet (%)</th>"), "table header");
        assert!(
            t.contains(">veröffentlicht</th>"),
            "the published value beside"
        );
        assert!(
            t.matches(label).count() >= 4,
            "page subtitle, notice, both bar charts"
        );
        assert!(
            t.contains("Marshall (1991)"),
            "the method behind the disclosure"
        );
        assert!(t.contains(&format!("<option value=\"{}\" selected>", method.param())));
        // Links keep the option: the year navigation, the downloads, selecting an area.
        assert!(t.contains(&format!(
            "/indicators/sgb2_quote/stadtteil/2021?smooth={}",
            method.param()
        )));
        assert!(t.contains(&format!(
            "/indicators/sgb2_quote/stadtteil/2022.csv?smooth={}",
            method.param()
        )));
        assert!(t.contains(&format!("?smooth={}&amp;area=", method.param())));
        // The downloads: CSV marked in its header and file name, the map file in its subtitle.
        let csv = get(&format!("{PAGE}.csv{q}")).await;
        assert!(
            csv.text()
                .lines()
                .next()
                .unwrap()
                .contains(&format!("Wert – {label}"))
        );
        let cd = csv
            .headers
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            cd.contains(&format!("_smoothed_{}.csv", method.param())),
            "{cd}"
        );
        let svg = get(&format!("{PAGE}.svg{q}")).await.text();
        assert!(svg.contains(label), "the map file says it is smoothed");
    }
    let en = get(&format!("/en{PAGE}?smooth=seb")).await.text();
    assert!(en.contains("smoothed (spatial empirical Bayes estimate)"));
    // Without the option the page offers it and says nothing of smoothing.
    let plain = get(PAGE).await.text();
    assert!(plain.contains("name=\"smooth\""));
    assert!(!plain.contains("geglättet (") && !plain.contains("notice smoothed"));
}

#[tokio::test]
async fn smoothing_where_it_has_no_meaning_is_refused_in_plain_words() {
    // A quotient of two groups is no rate of counts: no selector, and a URL asking is a 400.
    let page = get("/indicators/nef_quote/stadtteil/2022").await.text();
    assert!(!page.contains("name=\"smooth\""));
    let r = get("/indicators/nef_quote/stadtteil/2022?smooth=eb").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text().contains("ist keine Quote aus Fallzahlen"),
        "{}",
        r.text()
    );
    let r = get("/en/indicators/nef_quote/stadtteil/2022?smooth=seb").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("is not a rate of counts"));
    let r = get("/api/v1/indicators/nef_quote/stadtteil/2022?smooth=eb").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.ctype.starts_with("application/json"));
    assert!(r.text().contains("not a rate of counts"));
    let r = get("/indicators/nef_quote/stadtteil/2022.csv?smooth=eb").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A change between years is not smoothed either, and an unknown method is named.
    let r = get(&format!("{PAGE}?smooth=eb&compare=2018")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("keine Veränderungen zwischen Jahren"));
    let changes = get(&format!("{PAGE}?compare=2018")).await.text();
    assert!(
        !changes.contains("name=\"smooth\""),
        "no selector on a change view"
    );
    let r = get(&format!("{PAGE}?smooth=yes")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("smooth"));
}

#[tokio::test]
async fn the_report_tables_carry_the_interval_and_the_flag() {
    let r = get("/data/bericht.html").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(
        t.contains("95-%-Intervall 2022"),
        "interval column of the SGB II table"
    );
    assert!(t.contains("Gegenüber dem Stadtwert"));
    assert!(t.contains(">nicht deutlich verschieden<"));
    assert!(t.contains("Die Intervalle von Gebiet und Stadt überschneiden sich"));
    let en = get("/en/data/report.html").await.text();
    assert!(en.contains("95 % interval 2022") && en.contains(">not clearly different<"));
}
