//! Every route of the atlas, in-process, on the embedded Flensburg demo.

use crate::common;
use crate::common::{fresh_state, get, get_from};
use axum::http::StatusCode;

const HTML: &str = "text/html; charset=utf-8";

/// The city's SGB II quota in 2022, formatted as the atlas prints it.
async fn city_sgb2(locale: sozialatlas_core::Locale) -> String {
    let state = common::state().await;
    let snap = state.snapshot();
    let ind = common::indicator_index(snap, "sgb2_quote");
    let root = snap.tree.root().unwrap();
    let v = snap
        .value(ind, root, 2022)
        .and_then(|v| v.published())
        .unwrap();
    sozialatlas_core::locale::format_decimal(v, 1, locale)
}

#[tokio::test]
async fn start_page_lists_dimensions_and_search() {
    let r = get("/").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, HTML);
    let t = r.text();
    assert!(t.contains("<html lang=\"de\">"));
    assert!(t.contains("Sozialatlas Flensburg"));
    assert!(t.contains("Grundsicherungsleistungen"));
    assert!(t.contains("href=\"/indicators/sgb2_quote\""));
    assert!(t.contains("action=\"/search\""));
    assert!(t.contains("href=\"/en\""), "language switch");
    assert_eq!(t.matches("<h1").count(), 1);
    assert!(t.contains("class=\"skip-link\""));

    let r = get("/en").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("<html lang=\"en\">"));
    assert!(t.contains("Flensburg Social Atlas"));
    assert!(t.contains("href=\"/en/indicators/sgb2_quote\""));
    assert!(t.contains("hreflang=\"de\" lang=\"de\">Deutsch"));
}

/// The navigation marks the page shown (`aria-current="page"`) only on the link that leads to
/// it; on a page within an entry's section (an indicator, a profile, the search) the entry is
/// marked as current (`"true"`), not as the page.
#[tokio::test]
async fn navigation_marks_the_page_only_on_its_own_link() {
    let nav = |t: &str| {
        let start = t.find("class=\"site-nav\"").expect("the navigation");
        let end = start + t[start..].find("</nav>").expect("its end");
        t[start..end].to_string()
    };
    for (path, start_link) in [
        ("/", "<a href=\"/\" aria-current=\"page\">"),
        ("/en", "<a href=\"/en/\" aria-current=\"page\">"),
        (
            "/indicators/sgb2_quote/stadtteil/2022",
            "<a href=\"/\" aria-current=\"true\">",
        ),
        ("/areas/stadtteil/1", "<a href=\"/\" aria-current=\"true\">"),
        ("/search?q=Altstadt", "<a href=\"/\" aria-current=\"true\">"),
    ] {
        let r = get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let n = nav(&r.text());
        assert!(n.contains(start_link), "{path}: {n}");
        assert_eq!(n.matches("aria-current").count(), 1, "{path}: {n}");
    }
    // The action offices are in the navigation.
    let n = nav(&get("/offices").await.text());
    assert!(
        n.contains("<a href=\"/offices\" aria-current=\"page\">Aktionsbüros</a>"),
        "{n}"
    );
    let n = nav(&get("/catalogue").await.text());
    assert!(
        n.contains("<a href=\"/catalogue\" aria-current=\"page\">"),
        "{n}"
    );
    assert!(n.contains("<a href=\"/\">"), "{n}");
}

#[tokio::test]
async fn indicator_redirects_to_default_level_and_latest_year() {
    let r = get("/indicators/sgb2_quote").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers["location"],
        "/indicators/sgb2_quote/stadtteil/2022"
    );
    let r =
        get("/en/indicators/sgb2_quote?level=stadtteil&year=2019&scheme=equal&k=6&compare=").await;
    assert_eq!(
        r.headers["location"],
        "/en/indicators/sgb2_quote/stadtteil/2019?scheme=equal&k=6"
    );
}

/// The form's indicator select changes the indicator (issue 17): its page at the level and year
/// chosen where it has them, else at its latest year; the other options kept.
#[tokio::test]
async fn indicator_redirect_changes_the_indicator() {
    let r = get("/indicators/sgb2_quote?indicator=einwohner&level=stadtteil&year=2022&k=6").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers["location"],
        "/indicators/einwohner/stadtteil/2022?k=6"
    );
    // A year the other indicator lacks: its latest.
    let r = get("/en/indicators/sgb2_quote?indicator=einwohner&level=stadtteil&year=1999").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let to = r.headers["location"].to_str().unwrap();
    assert!(
        to.starts_with("/en/indicators/einwohner/stadtteil/20"),
        "{to}"
    );
    // The same indicator: as before, a year it lacks is an error.
    let r = get("/indicators/sgb2_quote?indicator=sgb2_quote&level=stadtteil&year=1999").await;
    assert!(r.status.is_client_error(), "{}", r.status);
    let r = get("/indicators/sgb2_quote?indicator=nope&level=stadtteil&year=2022").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Figure first (issue 17): title, definition, the control line with the display options
/// behind a disclosure, the map with its legend in HTML, downloads and source right under it,
/// then table and charts; the analysis after the definition. The map on the page draws no text
/// but its scale; the map file keeps its own legend.
#[tokio::test]
async fn indicator_page_puts_the_figure_first() {
    let t = get("/indicators/sgb2_quote/stadtteil/2022").await.text();
    let at = |s: &str| t.find(s).unwrap_or_else(|| panic!("{s} not on the page"));
    let order = [
        "<h1",
        "class=\"definition-line\"",
        "name=\"indicator\"",
        "name=\"compare\"",
        "<summary>Darstellung anpassen</summary>",
        "name=\"scheme\"",
        " id=\"map\"",
        "<div class=\"legend\">",
        "Quelle: ",
        "2022.csv\"",
        "<table class=\"values\">",
        " id=\"bars\"",
        " id=\"ts\"",
        "id=\"h-about\"",
        "id=\"moran\"",
        "<summary>Methode und Kennzahlen</summary>",
    ];
    for w in order.windows(2) {
        assert!(at(w[0]) < at(w[1]), "{} before {}", w[0], w[1]);
    }
    assert!(t.contains("<option value=\"sgb2_quote\" selected>"));
    // The display options are closed until one differs from the default.
    assert!(t.contains("<details class=\"more-options\">"));
    let open = get("/indicators/sgb2_quote/stadtteil/2022?k=4")
        .await
        .text();
    assert!(open.contains("<details class=\"more-options\" open>"));
    let map = &t[at(" id=\"map\"")..];
    let map = &map[..map.find("</svg>").expect("map end")];
    assert!(!map.contains("sa-legend") && !map.contains("sa-heading") && map.contains("sa-scale"));
    // The legend beside it: the counts add up to the 13 Stadtteile, the city marked.
    let legend = &t[at("<div class=\"legend\">")..];
    let legend = &legend[..legend.find("</div>").expect("legend end")];
    let counts: usize = legend
        .split("<span class=\"count\">(")
        .skip(1)
        .map(|c| {
            c[..c.find(')').expect("count")]
                .parse::<usize>()
                .expect("count")
        })
        .sum();
    assert_eq!(counts, 13, "{legend}");
    assert!(
        legend.contains("class=\"city-mark\" style=\"top:"),
        "{legend}"
    );
    let file = get("/indicators/sgb2_quote/stadtteil/2022.svg")
        .await
        .text();
    assert!(file.contains("sa-legend") && file.contains("sa-heading"));
}

#[tokio::test]
async fn indicator_page_has_map_table_bars_and_city_value() {
    let r = get("/indicators/sgb2_quote/stadtteil/2022").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, HTML);
    let t = r.text();
    let city = city_sgb2(sozialatlas_core::Locale::De).await;
    assert!(city.contains(','), "German decimal comma: {city}");
    assert!(t.contains(&format!("{city} %")), "city value {city} %");
    assert!(t.contains("<svg"), "inline map");
    assert!(t.contains("sa-area"), "map areas");
    assert!(t.contains("sa-bar"), "bar chart");
    assert!(t.contains("<table class=\"values\">"));
    assert!(t.contains("data-key="));
    assert!(t.contains("Stand"));
    assert!(t.contains("href=\"/indicators/sgb2_quote/stadtteil/2022.csv\""));
    assert!(t.contains("<label for=\"f-year\">"));
    assert_eq!(t.matches("<h1").count(), 1);

    let r = get("/en/indicators/sgb2_quote/stadtteil/2022").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    let city = city_sgb2(sozialatlas_core::Locale::En).await;
    assert!(
        t.contains(&format!("{city} %")),
        "English city value {city}"
    );
    assert!(t.contains("SGB II rate"));
}

/// `/areas` lists every area of every level; an area is linked to its profile only where its
/// level has published values, and a level without says so. `/indicators` is the catalogue.
#[tokio::test]
async fn all_areas_by_level_and_the_indicator_list() {
    let state = common::state().await;
    let snap = state.snapshot();
    let index = state.index();
    let r = get("/areas").await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    let mut without = 0;
    for (li, level) in snap.tree.levels.iter().enumerate() {
        let has_data = index.levels_with_data.iter().any(|ls| ls.contains(&li));
        for a in snap.tree.areas_of_level(li) {
            let area = &snap.tree.areas[a];
            let link = format!("<a href=\"/areas/{}/{}\">", level.id, area.key);
            assert_eq!(page.contains(&link), has_data, "{} {}", level.id, area.key);
        }
        without += usize::from(!has_data);
    }
    assert_eq!(
        page.matches("Für diese Ebene sind keine Werte veröffentlicht")
            .count(),
        without
    );
    let r = get("/en/areas").await;
    assert!(r.text().contains("<h1>All areas</h1>"));
    for (path, to) in [
        ("/indicators", "/catalogue"),
        ("/en/indicators", "/en/catalogue"),
    ] {
        let r = get(path).await;
        assert_eq!(r.status, StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(r.headers["location"], to);
    }
}

/// A change map is split at no change: falls and rises never share a colour, and with the
/// SGB II rate (higher is worse) every fall is drawn in the cool arm (blue above red) and every
/// rise in the warm arm, whatever the city's own change; the page says what the colours mean.
#[tokio::test]
async fn change_maps_split_at_no_change_by_polarity() {
    let r = get("/en/indicators/sgb2_quote/stadtteil/2022?compare=2018").await;
    assert_eq!(r.status, StatusCode::OK);
    let page = r.text();
    assert!(page.contains("a fall is favourable here, a rise unfavourable"));
    let tbody = &page[page.find("<tbody>").unwrap()..page.find("</tbody>").unwrap()];
    let (mut falls, mut rises) = (Vec::new(), Vec::new());
    for row in tbody.split("<tr data-key=").skip(1) {
        let Some(at) = row.find("background:#") else {
            continue;
        };
        let hex = &row[at + 12..at + 18];
        let value_cell = row.split("<td class=\"num").nth(2).expect("the value cell");
        let text =
            &value_cell[value_cell.find('>').unwrap() + 1..value_cell.find("</td>").unwrap()];
        let value: f64 = text
            .replace('\u{2212}', "-")
            .replace(['+', ','], "")
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("a change value: {text:?}"));
        let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap();
        let (red, blue) = (channel(0), channel(4));
        if value < 0.0 {
            assert!(blue > red, "a fall ({value}) drawn in #{hex}");
            falls.push(hex.to_string());
        } else if value > 0.0 {
            assert!(red > blue, "a rise ({value}) drawn in #{hex}");
            rises.push(hex.to_string());
        }
    }
    assert!(
        !falls.is_empty() && !rises.is_empty(),
        "falls {falls:?}, rises {rises:?}"
    );
    assert!(falls.iter().all(|f| !rises.contains(f)));
}

#[tokio::test]
async fn indicator_options_change_view_and_selected_area() {
    let r = get("/indicators/sgb2_quote/stadtteil/2022?scheme=equal&k=6&closure=right&palette=Blues&breaks=fixed").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("über "), "right-closed legend");
    let r = get("/indicators/sgb2_quote/stadtteil/2022?compare=2018").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Prozentpunkte"));
    let r = get("/indicators/einwohner/stadtteil/2022?compare=2011").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Veränderung 2011–2022 (%)"));
    let state = common::state().await;
    let snap = state.snapshot();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let a = &snap.tree.areas[snap.tree.areas_of_level(level)[0]];
    let r = get(&format!(
        "/indicators/sgb2_quote/stadtteil/2022?area={}",
        a.key
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains(&format!("Zeitreihe: {} – Stadt", a.name)));
    // The panel under the map shows the selected area (the script fills it on a click).
    assert!(
        t.contains(&format!(
            "<div class=\"selection\" data-selection aria-live=\"polite\">\n<h3 data-sel=\"name\">{}</h3>",
            a.name
        )),
        "{t}"
    );
    assert!(t.contains(&format!(
        "<a data-sel=\"profile\" href=\"/areas/stadtteil/{}\">",
        a.key
    )));
    let t = get("/indicators/sgb2_quote/stadtteil/2022").await.text();
    assert!(t.contains("<div class=\"selection\" data-selection aria-live=\"polite\" hidden>"));
    // The areas' names over the map, each with the width from which it fits (a rule of the
    // stylesheet for each step); Mürwik, a large Stadtteil, fits on a phone.
    let labels: Vec<&str> = t.split("<span class=\"map-label ").skip(1).collect();
    assert_eq!(labels.len(), 13, "{t}");
    let css = get("/static/atlas.css").await.text();
    for l in &labels {
        let class = l.split('"').next().unwrap();
        let w = class.strip_prefix("lw-").unwrap();
        assert!(
            css.contains(&format!(
                "@container (min-width: {w}px) {{ .lw-{w} {{ display: block; }} }}"
            )),
            "{class}"
        );
    }
    let murwik = labels
        .iter()
        .find(|l| l.contains(">Mürwik</span>"))
        .unwrap();
    let w: f64 = murwik[3..].split('"').next().unwrap().parse().unwrap();
    assert!(w <= 320.0, "{murwik}");
    let r = get("/indicators/sgb2_quote/stadtteil/2022?scheme=manual&manual=10%3B20").await;
    assert_eq!(r.status, StatusCode::OK);
    // Breaks that cannot be read: the page with its form, the error by the field and in the
    // summary, what was typed kept, the map drawn with the default scheme.
    let r = get("/indicators/sgb2_quote/stadtteil/2022?k=4&scheme=manual&manual=20%3B+1O").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let t = r.text();
    assert!(t.contains("class=\"error-summary\""), "{t}");
    assert!(t.contains("<a href=\"#f-manual\">"), "{t}");
    assert!(
        t.contains(
            "<p class=\"error-message\" id=\"f-manual-error\">„20; 1O“ kann nicht gelesen werden; \
             erwartet werden: Zahlen, durch Semikolon getrennt, z. B. 10; 15; 20.</p>"
        ),
        "{t}"
    );
    assert!(t.contains(
        "value=\"20; 1O\" aria-describedby=\"f-manual-hint f-manual-error\" aria-invalid=\"true\""
    ));
    assert!(t.contains("<svg"), "the map");
    assert!(
        t.contains("<option value=\"4\" selected>"),
        "the other options as chosen: {t}"
    );
    let r = get("/en/indicators/sgb2_quote/stadtteil/2022?scheme=manual").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.text()
            .contains("Nothing given here: expected class breaks for the manual scheme")
    );
    // The form goes through the level-and-year redirect, which passes the breaks on as typed.
    let r = get("/indicators/sgb2_quote?level=stadtteil&year=2022&scheme=manual&manual=abc").await;
    assert!(r.status.is_redirection(), "{}", r.status);
    let to = r.headers["location"].to_str().unwrap();
    assert!(
        to.starts_with("/indicators/sgb2_quote/stadtteil/2022?")
            && to.ends_with("scheme=manual&manual=abc"),
        "{to}"
    );
    // The map file and the downloads refuse them.
    let r = get("/indicators/sgb2_quote/stadtteil/2022.svg?scheme=manual&manual=abc").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    for s in ["quantiles", "stddev", "box"] {
        let r = get(&format!("/indicators/sgb2_quote/stadtteil/2022?scheme={s}")).await;
        assert_eq!(r.status, StatusCode::OK, "{s}");
    }
}

#[tokio::test]
async fn downloads_of_the_view() {
    let r = get("/indicators/sgb2_quote/stadtteil/2022.csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "text/csv; charset=utf-8");
    let t = r.text();
    assert!(t.starts_with('\u{feff}'));
    assert!(t.contains("Gebietsschlüssel;Gebiet;Wert"));
    // Every row ends with its context: indicator, year, level, source, Stand, licence.
    let header = t.lines().next().unwrap();
    assert!(
        header.ends_with(";Indikator-ID;Indikator;Jahr;Ebene;Quelle;Stand;Lizenz;Namensnennung"),
        "{header}"
    );
    let row = t.lines().nth(1).unwrap();
    assert!(
        row.contains(";sgb2_quote;SGB-II-Quote;2022;Stadtteil;"),
        "{row}"
    );
    assert!(row.contains(";31.12.2022;CC0-1.0;"), "{row}");
    let r = get("/en/indicators/sgb2_quote/stadtteil/2022.csv").await;
    let t = r.text();
    assert!(t.starts_with("area_key,area,value"), "{t}");
    assert!(
        t.lines()
            .next()
            .unwrap()
            .ends_with(",indicator_id,indicator,year,level,source,as_of,licence,attribution"),
        "{t}"
    );
    // A change view names its years.
    let t = get("/indicators/sgb2_quote/stadtteil/2022.csv?compare=2018")
        .await
        .text();
    assert!(t.lines().next().unwrap().contains(";Zeitraum;"), "{t}");
    assert!(t.lines().nth(1).unwrap().contains(";2018–2022;"), "{t}");
    let r = get("/indicators/sgb2_quote/stadtteil/2022.xlsx").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with(b"PK"));
    // GeoJSON: every Stadtteil with its boundary, its values as the API gives them and the
    // view's context; the same values as the CSV, nothing where nothing is published.
    let r = get("/indicators/sgb2_quote/stadtteil/2022.geojson").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "application/geo+json");
    let g: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let features = g["features"].as_array().unwrap();
    assert_eq!(features.len(), 13);
    let api: serde_json::Value = serde_json::from_slice(
        &get("/api/v1/indicators/sgb2_quote/stadtteil/2022")
            .await
            .body,
    )
    .unwrap();
    for (f, row) in features.iter().zip(api["values"].as_array().unwrap()) {
        assert!(
            matches!(
                f["geometry"]["type"].as_str(),
                Some("Polygon" | "MultiPolygon")
            ),
            "{f}"
        );
        let p = &f["properties"];
        for k in [
            "key",
            "name",
            "value",
            "state",
            "numerator",
            "denominator",
            "ci",
        ] {
            assert_eq!(p[k], row[k], "{k}");
        }
        assert_eq!(p["indicator_id"], "sgb2_quote");
        assert_eq!(p["indicator"], "SGB-II-Quote");
        assert_eq!(p["year"], "2022");
        assert_eq!(p["level"], "Stadtteil");
        assert_eq!(p["licence"], "CC0-1.0");
    }
    let t = get("/indicators/sgb2_quote/stadtteil/2022").await.text();
    assert!(
        t.contains("href=\"/indicators/sgb2_quote/stadtteil/2022.geojson\">Gebiete mit Werten (GeoJSON)</a>"),
        "the page links the GeoJSON"
    );
    let r = get("/indicators/sgb2_quote/stadtteil/2022.shp").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("(csv, xlsx, geojson, svg oder png)"));
    let r = get("/indicators/sgb2_quote/stadtteil/2022.svg").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.ctype.starts_with("image/svg+xml"));
    assert!(r.text().contains("<svg"));
    let r = get("/indicators/sgb2_quote/stadtteil/2022.png").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "image/png");
    assert!(r.body.starts_with(b"\x89PNG"));
}

#[tokio::test]
async fn area_profile() {
    let state = common::state().await;
    let snap = state.snapshot();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let a = &snap.tree.areas[snap.tree.areas_of_level(level)[0]];
    let r = get(&format!("/areas/stadtteil/{}", a.key)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, HTML);
    let t = r.text();
    assert!(t.contains(&format!("<h1>{}</h1>", a.name)));
    // The print button works only with the script, which shows it: without, nothing to press.
    assert!(t.contains("<p class=\"no-print\" data-print-row hidden><button"));
    let city = city_sgb2(sozialatlas_core::Locale::De).await;
    assert!(
        t.contains(&format!("Stadt {city} %")),
        "sentence with the city value"
    );
    assert!(t.contains("SGB-II-Quote "));
    assert!(t.contains("Lage im Stadtgebiet"));
    let r = get(&format!("/en/areas/stadtteil/{}", a.key)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Location in the city"));
    // The city itself has a profile too.
    let r = get("/areas/stadt/0").await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn profiles_link_only_to_levels_with_published_values() {
    let state = common::state().await;
    let snap = state.snapshot();
    let bezirk = snap
        .tree
        .level_index("bezirk")
        .expect("the statistical districts");
    assert!(!state.index().level_has_data(bezirk));
    let d = &snap.tree.areas[snap.tree.areas_of_level(bezirk)[0]];
    let parent = &snap.tree.areas[d.parent.expect("a Stadtteil")];
    // The Stadtteil names its districts without linking their empty profiles.
    let t = get(&format!("/areas/stadtteil/{}", parent.key))
        .await
        .text();
    assert!(
        t.contains("Teilgebiete (Statistischer Bezirk):") && t.contains(&d.name),
        "{t}"
    );
    assert!(!t.contains("href=\"/areas/bezirk/"), "{t}");
    // A district's profile, opened anyway, says why it shows no values.
    let r = get(&format!("/areas/bezirk/{}", d.key)).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("veröffentlicht der Atlas keine Werte"), "{t}");
    assert!(!t.contains("<table class=\"values profile\">"), "{t}");
    assert!(
        t.contains(&format!("href=\"/areas/stadtteil/{}\"", parent.key)),
        "the parent's profile is linked: {t}"
    );
    let t = get(&format!("/en/areas/bezirk/{}", d.key)).await.text();
    assert!(
        t.contains("publishes no values for areas of the level"),
        "{t}"
    );
}

#[tokio::test]
async fn a_profile_switches_year_compares_and_downloads_as_shown() {
    let state = common::state().await;
    let snap = state.snapshot();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let ind = state.index().indicator["sgb2_quote"];
    let years = state.index().periods_at(ind, level).to_vec();
    let (first, last) = (years[0], *years.last().unwrap());
    assert!(first < last);
    let areas = &state.index().level_areas[level];
    let (a, b) = (&snap.tree.areas[areas[0]], &snap.tree.areas[areas[1]]);
    let value = |area: usize, year: i32| {
        sozialatlas_web_atlas::view::shown(snap, ind, area, year).text(
            1,
            "",
            sozialatlas_core::Locale::De,
        )
    };
    // Latest by default; an earlier year on request, with another area beside it.
    let t = get(&format!("/areas/stadtteil/{}", a.key)).await.text();
    assert!(
        t.contains(&format!("{last}")) && t.contains("name=\"compare\""),
        "{t}"
    );
    let t = get(&format!(
        "/areas/stadtteil/{}?year={first}&compare={}",
        a.key, b.key
    ))
    .await
    .text();
    let row = t
        .split("<tr>")
        .find(|r| r.contains("/indicators/sgb2_quote/"))
        .expect("the SGB II row");
    assert!(row.contains(&format!(">{first}</td>")), "{row}");
    assert!(row.contains(&value(areas[0], first)), "{row}");
    assert!(
        row.contains(&format!(
            "data-label=\"{}\">{}</td>",
            b.name,
            value(areas[1], first)
        )),
        "{row}"
    );
    assert!(t.contains(&format!(
        "href=\"/areas/stadtteil/{}/profile.csv?year={first}&#38;compare={}\"",
        a.key, b.key
    )));
    // The download is the same choice, with its context in columns.
    let r = get(&format!(
        "/areas/stadtteil/{}/profile.csv?year={first}&compare={}",
        a.key, b.key
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let csv = r.text();
    let header = csv.lines().next().unwrap();
    for column in [
        "Indikator-ID",
        "Einheit",
        "Jahr",
        "Status",
        "Quelle",
        "Stand",
        "Lizenz",
    ] {
        assert!(header.contains(column), "{header}");
    }
    assert!(
        header.contains(&format!("{} (Stadtteil)", b.name)),
        "{header}"
    );
    let line = csv
        .lines()
        .find(|l| l.contains(";sgb2_quote;"))
        .expect("the SGB II line");
    assert!(line.contains(&format!(";{first};")), "{line}");
    // A year without values and an area of another level are refused, naming the parameter.
    for q in ["year=1900", "compare=nowhere"] {
        let r = get(&format!("/areas/stadtteil/{}?{q}", a.key)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}");
    }
}

#[tokio::test]
async fn a_profile_as_pdf_is_the_profile_as_shown() {
    let state = common::state().await;
    let snap = state.snapshot();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let ind = state.index().indicator["sgb2_quote"];
    let first = state.index().periods_at(ind, level)[0];
    let areas = &state.index().level_areas[level];
    let (a, b) = (&snap.tree.areas[areas[0]], &snap.tree.areas[areas[1]]);
    // The page links the PDF of what it shows.
    let t = get(&format!(
        "/areas/stadtteil/{}?year={first}&compare={}",
        a.key, b.key
    ))
    .await
    .text();
    assert!(
        t.contains(&format!(
            "href=\"/areas/stadtteil/{}/profile.pdf?year={first}&#38;compare={}\"",
            a.key, b.key
        )),
        "{t}"
    );
    let r = get(&format!(
        "/areas/stadtteil/{}/profile.pdf?year={first}&compare={}",
        a.key, b.key
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("profil_stadtteil_{}_{first}.pdf", a.key)),
        "{:?}",
        r.headers
    );
    assert!(r.body.starts_with(b"%PDF-"));
    let Some(text) = sozialatlas_test_support::pdftotext(&r.body) else {
        return;
    };
    // Title, the comparison area's column, the city, the year and the row's values as the page
    // shows them (pdftotext may break a long name, so the values are looked for on the row).
    for s in [
        a.name.as_str(),
        b.name.as_str(),
        "Stadt",
        "Einordnung",
        "Quellen",
    ] {
        assert!(text.contains(s), "`{s}` in {text}");
    }
    let shown = |area: usize| {
        sozialatlas_web_atlas::view::shown(snap, ind, area, first).text(
            1,
            "",
            sozialatlas_core::Locale::De,
        )
    };
    let row = text
        .lines()
        .find(|l| l.contains("SGB") && l.contains(&first.to_string()))
        .unwrap_or_else(|| panic!("the SGB II row of {first} in {text}"));
    for v in [shown(areas[0]), shown(areas[1])] {
        assert!(row.contains(&v), "`{v}` in `{row}`");
    }
    // In English, and the same refusals as the page.
    let r = get(&format!("/en/areas/stadtteil/{}/profile.pdf", a.key)).await;
    assert_eq!(r.status, StatusCode::OK);
    if let Some(text) = sozialatlas_test_support::pdftotext(&r.body) {
        assert!(
            text.contains("Position") && text.contains("Sources"),
            "{text}"
        );
    }
    let r = get(&format!("/areas/stadtteil/{}/profile.pdf?year=1900", a.key)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let bezirk = snap.tree.level_index("bezirk").unwrap();
    let d = &snap.tree.areas[snap.tree.areas_of_level(bezirk)[0]];
    let r = get(&format!("/areas/bezirk/{}/profile.pdf", d.key)).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_count_s_time_series_is_an_index_so_area_and_city_compare() {
    let state = common::state().await;
    let snap = state.snapshot();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let ind = state.index().indicator["einwohner"];
    let years = state.index().periods_at(ind, level).to_vec();
    let last = *years.last().unwrap();
    let a = &snap.tree.areas[state.index().level_areas[level][0]];
    let t = get(&format!(
        "/indicators/einwohner/stadtteil/{last}?area={}",
        a.key
    ))
    .await
    .text();
    let base = years[0];
    assert!(
        t.contains(&format!(
            "als Index, {base} = 100, damit Gebiet und Stadt vergleichbar sind"
        )),
        "{t}"
    );
    // In the base year both lines stand at 100; the table keeps the counts.
    let ts = t.split("id=\"ts\"").nth(1).expect("the time series");
    let ts = ts.split("</svg>").next().unwrap();
    assert!(ts.contains(&format!("100,0 ({base} = 100)")), "{ts}");
    let city = sozialatlas_web_atlas::view::shown(snap, ind, state.index().root.unwrap(), last)
        .text(0, "", sozialatlas_core::Locale::De);
    assert!(t.contains(&city), "the city's count {city} in the table");
    // A rate keeps its own scale.
    let t = get(&format!(
        "/indicators/sgb2_quote/stadtteil/{last}?area={}",
        a.key
    ))
    .await
    .text();
    assert!(!t.contains("= 100, damit"), "{t}");
}

#[tokio::test]
async fn compare_page() {
    let r = get("/compare").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("Korrelationskoeffizient"));
    assert!(t.contains("r = "));
    let r = get("/en/compare?x=sgb2_quote&y=wohngeld&level=stadtteil&year=2020").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Pearson correlation coefficient"));
}

#[tokio::test]
async fn search() {
    let state = common::state().await;
    let snap = state.snapshot();
    let level = snap.tree.level_index("stadtteil").unwrap();
    let a = &snap.tree.areas[snap.tree.areas_of_level(level)[0]];
    let r = get(&format!(
        "/search?q={}",
        a.name.to_lowercase().replace(' ', "+")
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.text()
            .contains(&format!("href=\"/areas/stadtteil/{}\"", a.key))
    );
    let r = get("/search?q=gibtesnicht").await;
    assert!(r.text().contains("Kein Gebiet gefunden"));
    let r = get("/en/search").await;
    assert!(r.text().contains("Enter the name of an area."));
}

/// Without an address register, a name typed with one letter wrong or left out finds the
/// area, marked as a similar spelling; a short name must match as typed.
#[tokio::test]
async fn search_tolerates_typos_in_area_names() {
    for (q, key) in [("Murwik", "11"), ("Neustat", "2"), ("juergensby", "9")] {
        let r = get(&format!("/search?q={q}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let t = r.text();
        assert!(
            t.contains(&format!("href=\"/areas/stadtteil/{key}\"")),
            "{q}: {t}"
        );
    }
    let t = get("/search?q=Murwik").await.text();
    assert!(t.contains("ähnliche Schreibweise"), "{t}");
    let t = get("/en/search?q=Murwik").await.text();
    assert!(t.contains("similar spelling"), "{t}");
    // "Juergensby" is Jürgensby as typed, folded: no similar spelling.
    assert!(
        !get("/search?q=juergensby")
            .await
            .text()
            .contains("ähnliche")
    );
    assert!(
        get("/search?q=Wech")
            .await
            .text()
            .contains("Kein Gebiet gefunden")
    );
}

/// An atlas with an address register: an address finds the area it lies in, a street the areas
/// it runs through, a postcode the areas of its addresses, each linking to the area's profile;
/// a house number the street does not have says so; the form works without JavaScript (a GET).
#[tokio::test]
async fn search_finds_addresses_streets_and_postcodes() {
    let (_dir, atlas) = sozialatlas_test_support::flensburg_with_addresses();
    let state = common::state_of(&atlas).await;
    let page = |q: &str| {
        let state = state.clone();
        let q = q.to_string();
        async move {
            let r = get_from(&state, &format!("/search?q={q}")).await;
            assert_eq!(r.status, StatusCode::OK, "{q}");
            r.text()
        }
    };
    let t = page("Norderstr.+2a").await;
    assert!(
        t.contains("Adresse: <strong>Norderstraße 2a, 24939 Flensburg</strong>"),
        "{t}"
    );
    // The statistical districts have no published values in this atlas: their names are not
    // linked, the Stadtteil they lie in is.
    assert!(
        t.contains("St. Nikolai <span class=\"unit\">(Statistischer Bezirk, 011; <a href=\"/areas/stadtteil/1\">Stadtteil Altstadt</a>)"),
        "{t}"
    );
    assert!(!t.contains("href=\"/areas/bezirk/"), "{t}");
    assert!(t.contains("Treffer: 1"), "{t}");
    for q in ["norderstrasse+2", "Norderstraße+2,+24939", "NORDERSTR+2"] {
        let t = page(q).await;
        assert!(t.contains("Norderstraße 2, 24939 Flensburg"), "{q}: {t}");
        assert!(
            t.contains("(Statistischer Bezirk, 013; <a href=\"/areas/stadtteil/1\">"),
            "{q}: {t}"
        );
    }
    // The street runs through two statistical districts.
    let t = page("Norderstra%C3%9Fe").await;
    assert!(
        t.contains("Straße: <strong>Norderstraße, 24939 Flensburg</strong>"),
        "{t}"
    );
    assert!(t.contains("verläuft durch 2 Gebiete:"), "{t}");
    assert!(t.contains("(Statistischer Bezirk, 011;"), "{t}");
    assert!(
        t.contains("(Statistischer Bezirk, 013; <a href=\"/areas/stadtteil/1\">Stadtteil Altstadt</a>; 2 Adressen)"),
        "{t}"
    );
    // A postcode: the areas of its addresses with their counts.
    let t = page("24939").await;
    assert!(t.contains("Postleitzahl: <strong>24939</strong>"), "{t}");
    assert!(t.contains("liegt in 2 Gebieten:"), "{t}");
    assert!(t.contains("1 Adresse)"), "{t}");
    // A house number the street does not have.
    let t = page("Norderstra%C3%9Fe+99").await;
    assert!(
        t.contains("Die Hausnummer 99 steht nicht im Adressverzeichnis."),
        "{t}"
    );
    // A typo in the street name.
    let t = page("Nordestraße+1").await;
    assert!(t.contains("Norderstraße 1, 24939 Flensburg"), "{t}");
    assert!(t.contains("ähnliche Schreibweise"), "{t}");
    // An address outside every area was left out.
    let t = page("M%C3%BCrwiker+Str.+12").await;
    assert!(
        t.contains("Die Hausnummer 12 steht nicht im Adressverzeichnis."),
        "{t}"
    );
    // English, and everything escaped.
    let r = get_from(&state, "/en/search?q=Holm+5").await;
    let t = r.text();
    assert!(
        t.contains("Address: <strong>Holm 5, 24937 Flensburg</strong>"),
        "{t}"
    );
    assert!(t.contains("href=\"/en/areas/stadtteil/1\""), "{t}");
    assert!(t.contains("Search for an area or address"), "{t}");
    let t = get_from(&state, "/search?q=%3Cb%3ENorderstr").await.text();
    assert!(!t.contains("<b>Norderstr"), "{t}");
    let t = get_from(&state, "/search").await.text();
    assert!(t.contains("z. B. Holm 5"), "{t}");
}

#[tokio::test]
async fn data_catalogue_sources() {
    let r = get("/data").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    for f in [
        "/data/datenpool.csv",
        "/data/datenpool.xlsx",
        "/data/datenpool.geojson",
        "/en/data/datenpool.csv",
    ] {
        assert!(t.contains(&format!("href=\"{f}\"")), "{f}");
    }
    let r = get("/data/datenpool.csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Indikator-ID;Indikator"));
    let r = get("/en/data/datenpool.csv").await;
    assert!(r.text().starts_with("indicator_id,indicator"));
    let r = get("/data/datenpool.xlsx").await;
    assert!(r.body.starts_with(b"PK"));
    let r = get("/data/datenpool.geojson").await;
    assert_eq!(r.ctype, "application/geo+json");
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["type"], "FeatureCollection");

    let r = get("/catalogue").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains(
        "Regelleistungsberechtigte nach SGB II je 100 Einwohner/-innen unter 65 Jahren."
    ));
    assert!(t.contains("höher = ungünstiger"));
    let r = get("/en/catalogue").await;
    assert!(r.text().contains("higher = worse"));

    let r = get("/sources").await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.contains("OK Lab Flensburg"));
    assert!(t.contains("catalogue.toml"));
    assert!(t.contains("2024.1"));
    // Each data file's markers, as the load used them: the homelessness file's empty cells are
    // suppressed by the source, the other files use the settings' defaults.
    let row = |t: &str, file: &str| {
        let i = t
            .find(&format!("<th scope=\"row\">{file}</th>"))
            .expect(file);
        t[i..i + t[i..].find("</tr>").unwrap()].to_string()
    };
    let risk = row(&t, "data/risk_homelessness_by_district.csv");
    assert!(
        risk.contains("<td>fehlend: keine; von der Quelle geheim gehalten: leere Zelle</td>"),
        "{risk}"
    );
    let mig = row(&t, "data/migration_background_by_district.csv");
    assert!(
        mig.contains("fehlend: leere Zelle, „...“, „NA“, „n/a“; von der Quelle geheim gehalten: „x“, „X“, „*“, „•“</td>"),
        "{mig}"
    );
    assert!(row(&t, "catalogue.toml").contains("<td></td>"));
    let t = get("/en/sources").await.text();
    assert!(
        row(&t, "data/risk_homelessness_by_district.csv")
            .contains("<td>missing: none; suppressed by the source: empty cell</td>")
    );
}

#[tokio::test]
async fn static_assets_with_cache_headers() {
    let r = get("/static/atlas.css").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "text/css; charset=utf-8");
    assert!(
        r.headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    assert!(r.headers.contains_key("etag"));
    let r = get("/static/atlas.js").await;
    assert_eq!(r.ctype, "text/javascript; charset=utf-8");
    let r = get("/static/nothing.js").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn etag_gives_not_modified() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let r = get("/catalogue").await;
    let etag = r.headers["etag"].clone();
    let resp = common::app()
        .await
        .oneshot(
            Request::builder()
                .uri("/catalogue")
                .header("if-none-match", etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_MODIFIED);
}

#[tokio::test]
async fn compressed_responses_are_cached_per_encoding() {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;
    let app = common::app().await;
    let req = |enc: &str| {
        Request::builder()
            .uri("/indicators/sgb2_quote/stadtteil/2021")
            .header("accept-encoding", enc)
            .body(Body::empty())
            .unwrap()
    };
    let a = app.clone().oneshot(req("gzip, deflate")).await.unwrap();
    assert_eq!(a.headers()["content-encoding"], "gzip");
    let b = app.clone().oneshot(req("gzip")).await.unwrap();
    assert_eq!(a.headers()["etag"], b.headers()["etag"]);
    let c = app.clone().oneshot(req("identity")).await.unwrap();
    assert!(c.headers().get("content-encoding").is_none());
    assert_ne!(a.headers()["etag"], c.headers()["etag"]);
    let d = app.oneshot(req("gzip, br")).await.unwrap();
    assert_eq!(d.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn report_downloads_are_listed_rendered_once_and_kept() {
    let state = fresh_state().await;
    let r = get_from(&state, "/data").await;
    let t = r.text();
    for f in [
        "/data/bericht.pdf",
        "/data/bericht.html",
        "/en/data/report.pdf",
        "/en/data/report.html",
    ] {
        assert!(t.contains(&format!("href=\"{f}\"")), "{f} is not listed");
    }
    let r = get_from(&state, "/data/bericht.html").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "text/html; charset=utf-8");
    let html = r.text();
    assert!(html.contains("<html lang=\"de\">") && html.contains("Bericht zur sozialen Lage"));
    let started = std::time::Instant::now();
    let again = get_from(&state, "/data/bericht.html").await;
    assert_eq!(again.body, r.body, "the kept report is served again");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "not kept: rendered again"
    );
    let r = get_from(&state, "/en/data/report.pdf").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.ctype, "application/pdf");
    assert!(r.body.starts_with(b"%PDF-"));
    let r = get_from(&state, "/data/bericht.docx").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

/// Flensburg with an official city figure of residents 65 and over in 2022 (50 more than its
/// Stadtteile): the table of Stadtteile shows the 50 as not assigned, under the areas.
#[tokio::test]
async fn the_part_not_assigned_is_a_row_of_the_table() {
    let (_dir, atlas) = sozialatlas_test_support::scratch("flensburg");
    std::fs::write(
        atlas.join("data/stadt.csv"),
        "key;year;residents_65_plus\n0;2022;19533\n",
    )
    .unwrap();
    let toml = std::fs::read_to_string(atlas.join("atlas.toml")).unwrap();
    std::fs::write(
        atlas.join("atlas.toml"),
        format!("{toml}\n[[data]]\nfile = \"data/stadt.csv\"\nlevel = \"stadt\"\narea = \"key\"\nperiod = \"year\"\n[data.variables]\nresidents_65_plus = \"residents_65_plus\"\n"),
    )
    .unwrap();
    let state = common::state_of(&atlas).await;
    let r = get_from(&state, "/indicators/anteil_65plus/stadtteil/2022").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    // The 19,483 residents 65+ of the Stadtteile and the city's official 19,533: 50 not assigned.
    let row = html
        .split("<tr class=\"unassigned\">")
        .nth(1)
        .expect("a not-assigned row")
        .split("</tr>")
        .next()
        .unwrap()
        .to_string();
    assert!(row.contains("nicht zugeordnet (Flensburg)"), "{row}");
    assert!(row.contains(">50<"), "{row}");
    let api = get_from(&state, "/api/v1/indicators/anteil_65plus/stadtteil/2022").await;
    let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert_eq!(v["unassigned"][0]["area_key"], "0");
    assert_eq!(v["unassigned"][0]["numerator"], 50.0);
    // The demo itself has no official coarser values: no such row.
    let demo = get("/indicators/anteil_65plus/stadtteil/2022").await.text();
    assert!(!demo.contains("class=\"unassigned\""));
}

/// The `punkte` example: its 15 Aktionsräume show figures — estimates from the Stadtbezirke
/// they overlap, marked as such — on the indicator page, the area profile and in the API.
#[tokio::test]
async fn aktionsraeume_show_their_estimates() {
    let state = common::state_of(&sozialatlas_test_support::example("punkte")).await;
    let r = get_from(&state, "/indicators/faelle_hze/aktionsraum/2024").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    let table = html
        .split("<table class=\"values\">")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    let rows: Vec<&str> = table.split("<tr data-key=").skip(1).collect();
    assert_eq!(rows.len(), 15);
    for row in &rows {
        let row = row.split("</tr>").next().unwrap();
        assert!(
            !row.contains("keine Daten"),
            "an Aktionsraum without a value: {row}"
        );
        assert!(row.contains("≈"), "not marked as an estimate: {row}");
    }
    assert!(html.contains("geschätzt aus Anteilen der Mitgliedsgebiete (nach Fläche)"));
    let api = get_from(&state, "/api/v1/indicators/faelle_hze/aktionsraum/2024").await;
    let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    let values = v["values"].as_array().unwrap();
    assert_eq!(values.len(), 15);
    assert!(
        values
            .iter()
            .all(|x| x["state"] == "ok" && x["basis"] == "estimated")
    );
    let profile = get_from(&state, "/areas/aktionsraum/021").await.text();
    assert!(
        profile.contains("Mitgliedsgebiete mit ihren Anteilen"),
        "{profile}"
    );
    assert!(profile.contains("Innenstadt-Nord"), "{profile}");
    let api = get_from(&state, "/api/v1/areas/aktionsraum/021").await;
    let v: serde_json::Value = serde_json::from_slice(&api.body).unwrap();
    assert_eq!(v["shares"], "area");
    let share = v["members"][0]["share"].as_f64().unwrap();
    assert!(share > 0.0 && share < 1.0, "{share}");
}

/// When the atlas suppresses values (Flensburg with a threshold of 5), the public sees no
/// checksum of a value table (with the published figures it would let a reader confirm guesses
/// of the suppressed cells) and no combined checksum; the other files keep theirs, and an
/// administrator sees them all, on a page no cache keeps.
#[tokio::test]
async fn value_table_checksums_are_withheld_when_values_are_suppressed() {
    use crate::auth_support::{Browser, make_user};
    let state = common::state().await;
    assert!(
        !state.snapshot().withholds_values(),
        "the demo (threshold 3) suppresses nothing"
    );
    let t = get("/sources").await.text();
    for f in &state.snapshot().load.inputs {
        assert!(t.contains(&f.sha256), "{}", f.path);
    }

    let (_dir, folder) = sozialatlas_test_support::scratch("flensburg");
    let toml = folder.join("atlas.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("suppression_threshold = 3"));
    std::fs::write(
        &toml,
        text.replace("suppression_threshold = 3", "suppression_threshold = 5"),
    )
    .unwrap();
    let state = common::state_of(&folder).await;
    let snap = state.snapshot();
    assert!(snap.withholds_values(), "threshold 5 suppresses values");
    assert_eq!(snap.public_fingerprint(), None);
    let row = |t: &str, file: &str| {
        let i = t
            .find(&format!("<th scope=\"row\">{file}</th>"))
            .expect(file);
        t[i..i + t[i..].find("</tr>").unwrap()].to_string()
    };
    let t = get_from(&state, "/sources").await.text();
    let mut withheld = 0;
    for f in &snap.load.inputs {
        let r = row(&t, &f.path);
        assert_eq!(
            r.contains(&f.sha256),
            f.markers.is_none(),
            "{}: {r}",
            f.path
        );
        if f.markers.is_some() {
            assert!(r.contains("zurückgehalten"), "{r}");
            withheld += 1;
        }
    }
    assert!(withheld >= 3, "{withheld} value tables");
    let lines = sozialatlas_export::metadata_lines(snap, sozialatlas_core::Locale::De);
    for f in snap.load.inputs.iter().filter(|f| f.markers.is_some()) {
        assert!(
            !lines.iter().any(|(_, v)| v.contains(&f.sha256)),
            "the data pool's sources name the checksum of {}",
            f.path
        );
    }
    make_user(
        &state,
        "admin-src@example.org",
        "Admin",
        "admin passwort",
        &[sozialatlas_accounts::Role::Admin],
    )
    .await;
    let mut admin = Browser::new(&state, 1, 13);
    admin.login("admin-src@example.org", "admin passwort").await;
    let r = admin.get("/sources").await;
    for f in &snap.load.inputs {
        assert!(r.body.contains(&f.sha256), "{}", f.path);
    }
    assert_eq!(r.headers["cache-control"], "no-store");
}
