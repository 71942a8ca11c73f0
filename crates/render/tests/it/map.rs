//! The choropleth on the real Flensburg Stadtteile.

use crate::{check, common};
use geo_types::{MultiPolygon, polygon};
use sozialatlas_classify::palette::Rgb;
use sozialatlas_core::Locale;
use sozialatlas_render::{
    AreaLabels, AreaState, LegendClass, LegendFill, MapArea, MapSpec, choropleth,
    choropleth_with_labels, map_legend, text_width as render_text_width,
};

#[test]
fn flensburg_sgb2_map_golden() {
    for (locale, name) in [(Locale::De, "map_sgb2_de"), (Locale::En, "map_sgb2_en")] {
        let spec = common::sgb2_map(locale);
        let svg = choropleth(&spec);
        check::assert_golden(name, &svg);
        check::assert_parses(&svg);
        check::assert_accessible_root(&svg, "group");
        assert_eq!(check::assert_marks(&svg, "<path class=\"sa-area\""), 13);
    }
}

#[test]
fn flensburg_map_contents() {
    let spec = common::sgb2_map(Locale::De);
    let svg = choropleth(&spec);
    // Legend counts add up to the number of areas (13 Stadtteile, one suppressed, one no data).
    let counts: usize = svg
        .split("<tspan class=\"sa-count\"")
        .skip(1)
        .map(|p| {
            let inner = &p[p.find('>').expect("tag") + 1..p.find("</tspan>").expect("end")];
            inner
                .trim_matches(['(', ')'])
                .parse::<usize>()
                .expect("count")
        })
        .sum();
    assert_eq!(counts, 13);
    assert!(svg.contains("keine Daten"));
    assert!(svg.contains("gesperrt (Geheimhaltung)"));
    assert!(svg.contains("url(#map-sgb2-nodata)") && svg.contains("url(#map-sgb2-suppressed)"));
    // The city mark and the texts.
    assert!(svg.contains("class=\"sa-city-mark\""));
    assert!(
        svg.contains(">Stadt: 12,4 %<"),
        "city average in the legend"
    );
    assert!(svg.contains("<title>Neustadt: 21,7 %</title>"));
    assert!(svg.contains("Stand: 31.12.2022") && svg.contains("Quelle: Stadt Flensburg"));
    assert!(svg.contains("class=\"sa-scale\""));
    // Links to the profiles, with the accessible name on the link.
    assert!(svg.contains("<a href=\"/gebiet/STGT02\" aria-label=\"Neustadt: 21,7 %\">"));
    check::assert_png(&svg, 1.0);

    let en = choropleth(&common::sgb2_map(Locale::En));
    assert!(
        en.contains(">City: 12.4 %<") && en.contains("no data") && en.contains("As of: 31.12.2022")
    );
}

/// A bare map draws no text but the scale bar's, and its legend — the one the full map draws —
/// comes as data for the page to set beside it.
#[test]
fn bare_map_and_its_legend() {
    let full = common::sgb2_map(Locale::De);
    let bare = MapSpec {
        bare: true,
        ..full.clone()
    };
    let svg = choropleth(&bare);
    check::assert_parses(&svg);
    check::assert_accessible_root(&svg, "group");
    assert_eq!(check::assert_marks(&svg, "<path class=\"sa-area\""), 13);
    // Only the scale bar's two labels are drawn text.
    let texts: Vec<&str> = svg.split("<text").skip(1).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(svg.contains("class=\"sa-scale\""));
    assert!(
        !svg.contains("sa-legend") && !svg.contains("sa-heading") && !svg.contains("sa-source")
    );
    // The title still names the figure, and the description names the city's value.
    assert!(svg.contains("<title id=\"map-sgb2-title\">SGB-II-Quote"));
    assert!(svg.contains("Stadt: 12,4 %."));

    let legend = map_legend(&bare);
    assert_eq!(legend, map_legend(&full));
    assert_eq!(legend.rows.iter().map(|r| r.count).sum::<usize>(), 13);
    assert_eq!(legend.city.as_deref(), Some("Stadt: 12,4 %"));
    assert_eq!(
        legend.rows.iter().filter(|r| r.city_mark.is_some()).count(),
        1
    );
    let fills: Vec<&LegendFill> = legend.rows.iter().map(|r| &r.fill).collect();
    assert_eq!(
        fills[fills.len() - 2..],
        [&LegendFill::NoData, &LegendFill::Suppressed]
    );
    // The full map's legend shows the same rows.
    let drawn = choropleth(&full);
    for r in &legend.rows {
        let row = format!(
            ">{}<tspan class=\"sa-count\" dx=\"4\" fill=\"#595959\">({})</tspan>",
            sozialatlas_render::escape(&r.label),
            r.count
        );
        assert!(drawn.contains(&row), "{row}");
    }
}

#[test]
fn locator_map_golden() {
    let svg = choropleth(&common::locator_map());
    check::assert_golden("map_locator", &svg);
    check::assert_parses(&svg);
    assert_eq!(check::assert_marks(&svg, "<path class=\"sa-area\""), 41);
    assert!(svg.contains("<g class=\"sa-highlight\" data-key=\"101\""));
    assert!(svg.contains("class=\"sa-outlines\""));
    assert!(!svg.contains("sa-legend"));
    check::assert_png(&svg, 2.0);
}

fn square(x: f64, y: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![
        (x: x, y: y), (x: x + 0.01, y: y), (x: x + 0.01, y: y + 0.01), (x: x, y: y + 0.01), (x: x, y: y)
    ]])
}

#[test]
fn text_is_escaped_everywhere() {
    let evil = "<script>&\"";
    let spec = MapSpec {
        id: "x\"><script>".into(),
        title: evil.into(),
        subtitle: Some(evil.into()),
        unit: evil.into(),
        areas: vec![MapArea {
            key: evil.into(),
            name: evil.into(),
            geometry: square(9.4, 54.8),
            state: AreaState::Class {
                class: 0,
                value: Some(1.0),
            },
            href: Some("/a?b=1&c=\"2\"".into()),
        }],
        classes: vec![LegendClass {
            label: evil.into(),
            colour: Rgb::from_u32(0xffffb2),
            bounds: None,
        }],
        labels: AreaLabels::Names,
        source: Some(evil.into()),
        attribution: Some(evil.into()),
        ..MapSpec::default()
    };
    let svg = choropleth(&spec);
    assert!(!svg.contains("<script"), "{svg}");
    assert!(svg.contains("&lt;script&gt;&amp;&quot;"));
    assert!(svg.contains("href=\"/a?b=1&amp;c=&quot;2&quot;\""));
    check::assert_parses(&svg);
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let empty = choropleth(&MapSpec::default());
    check::assert_parses(&empty);
    // A class index beyond the legend is drawn as no data; NaN coordinates are skipped.
    let spec = MapSpec {
        areas: vec![
            MapArea {
                key: "a".into(),
                name: "A".into(),
                geometry: square(9.4, 54.8),
                state: AreaState::Class {
                    class: 7,
                    value: Some(f64::NAN),
                },
                href: None,
            },
            MapArea {
                key: "b".into(),
                name: "B".into(),
                geometry: MultiPolygon(vec![]),
                state: AreaState::Suppressed,
                href: None,
            },
        ],
        labels: AreaLabels::Keys,
        scale_bar: true,
        ..MapSpec::default()
    };
    let svg = choropleth(&spec);
    check::assert_parses(&svg);
    assert!(svg.contains("data-class=\"nodata\""));
}

/// The labels a page sets over a bare map: one per area, placed inside the figure, from a
/// narrower figure for a bigger area, and none for a map that draws its own text.
#[test]
fn html_labels_fit_their_areas() {
    let big = MultiPolygon(vec![polygon![
        (x: 9.40, y: 54.80), (x: 9.44, y: 54.80), (x: 9.44, y: 54.82), (x: 9.40, y: 54.82), (x: 9.40, y: 54.80)
    ]]);
    let area = |key: &str, geometry: MultiPolygon<f64>| MapArea {
        key: key.into(),
        name: format!("{key} (with a note for the tooltip)"),
        geometry,
        state: AreaState::NoData,
        href: None,
    };
    let spec = MapSpec {
        width: 600.0,
        bare: true,
        labels: AreaLabels::Names,
        areas: vec![area("Klein", square(9.45, 54.80)), area("Gross", big)],
        ..Default::default()
    };
    let (svg, labels) = choropleth_with_labels(&spec, 12.0, |a| a.key.clone());
    assert!(!svg.contains("sa-label"), "a bare map draws no text labels");
    assert_eq!(labels.len(), 2);
    let (small, large) = (&labels[0], &labels[1]);
    assert_eq!(
        (small.text.as_str(), large.text.as_str()),
        ("Klein", "Gross")
    );
    for l in &labels {
        assert!(
            (0.0..=1.0).contains(&l.x) && (0.0..=1.0).contains(&l.y),
            "{l:?}"
        );
    }
    // At its width, the label's half diagonal (text at 12 px, 2 px halo) equals the room around
    // its point: the small square's half side, scaled from the figure's 600 user units.
    assert!(large.min_width < small.min_width, "{labels:?}");
    let half = (render_text_width("Klein", 12.0, false) / 2.0 + 2.0).hypot(12.0 * 0.6 + 2.0);
    let room = half * 600.0 / small.min_width;
    assert!(room > 5.0 && room < 100.0, "{room}");
    // A map that is not bare sets its labels in the SVG and gives none.
    let drawn = MapSpec {
        bare: false,
        ..spec
    };
    let (svg, labels) = choropleth_with_labels(&drawn, 12.0, |a| a.key.clone());
    assert!(labels.is_empty());
    assert!(svg.contains("sa-label"));
}
