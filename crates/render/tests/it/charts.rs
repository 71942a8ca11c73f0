//! Every chart on real Flensburg data: golden SVGs, parsing, accessibility, PNG.

use crate::{check, figures};
use sozialatlas_core::Locale;
use sozialatlas_render::*;

#[test]
fn golden_charts_parse_render_and_are_accessible() {
    for (name, svg) in figures::charts() {
        check::assert_golden(name, &svg);
        check::assert_parses(&svg);
        check::assert_accessible_root(&svg, "img");
        check::assert_glyphs(&svg);
        check::assert_png(&svg, 2.0);
    }
}

#[test]
fn maps_have_glyphs_for_every_text() {
    for (_, svg) in figures::all() {
        check::assert_glyphs(&svg);
    }
    check::assert_golden("map_lisa", &choropleth(&figures::lisa_map()));
}

#[test]
fn bar_chart_marks_gaps_and_city() {
    let svg = bar_chart(&figures::bars(Locale::De));
    assert_eq!(check::assert_marks(&svg, "<rect class=\"sa-bar"), 11);
    assert_eq!(check::assert_marks(&svg, "<text class=\"sa-gap\""), 2);
    assert!(svg.contains("<title>Altstadt: gesperrt (Geheimhaltung)</title>"));
    assert!(svg.contains("<title>Tarup: keine Daten</title>"));
    assert!(svg.contains(">Stadt: 12,4 %<"));
    assert!(svg.contains("class=\"sa-bar sa-highlight\" data-key=\"STGT02\""));
    // Sorted: Neustadt (21,7) comes first.
    let first = svg.find("data-key=\"STGT02\"").expect("Neustadt");
    let second = svg.find("data-key=\"STGT03\"").expect("Nordstadt");
    assert!(first < second);
    let en = bar_chart(&figures::bars(Locale::En));
    assert!(en.contains(">City: 12.4 %<") && en.contains("suppressed (confidentiality)"));
}

#[test]
fn line_chart_leaves_gaps() {
    let svg = line_chart(&figures::lines(Locale::De));
    // Neustadt: 2011 alone, then 2017–2022 (2012–2016 missing): two segments, never bridged.
    let path = svg
        .split("<path class=\"sa-line\" data-key=\"STGT02\"")
        .nth(1)
        .expect("area line");
    let d = &path[path.find("d=\"").expect("d") + 3..];
    let d = &d[..d.find('"').expect("end")];
    assert_eq!(d.matches('M').count(), 2, "{d}");
    assert_eq!(check::assert_marks(&svg, "class=\"sa-point\""), 14);
    assert!(svg.contains("<title>Neustadt, 2022: "));
}

#[test]
fn scatter_reports_r_from_its_points() {
    let spec = figures::scatter_spec(Locale::De);
    let pairs: Vec<(f64, f64)> = spec.points.iter().map(|p| (p.x, p.y)).collect();
    let r = sozialatlas_core::stats::pearson(&pairs).expect("r");
    let svg = scatter(&spec);
    let shown = sozialatlas_core::locale::format_decimal(r, 2, Locale::De);
    assert!(svg.contains(&format!("r = {shown} (n = 13)")), "{shown}");
    assert_eq!(check::assert_marks(&svg, "<circle class=\"sa-point"), 13);
    assert!(svg.contains("class=\"sa-regression\""));
    assert!(svg.contains("(% der 18- bis 64-Jährigen)"));
}

#[test]
fn spine_row_and_sparkline() {
    let svg = spine_row(&figures::spine(Locale::De));
    // Neustadt is above the city on a higher-is-worse indicator: worse, on the left half.
    assert!(svg.contains("sa-spine-dot sa-worse"));
    assert!(svg.contains("schlechter als die Stadt"));
    let mut better = figures::spine(Locale::En);
    better.polarity = sozialatlas_core::Polarity::HigherIsBetter;
    let svg = spine_row(&better);
    assert!(svg.contains("sa-better") && svg.contains("better than the city"));
    let spark = sparkline(&figures::spark(Locale::De));
    assert_eq!(check::assert_marks(&spark, "<circle class=\"sa-point\""), 7);
}

#[test]
fn dendrogram_checks_its_tree() {
    let spec = figures::dendro(Locale::De);
    let svg = dendrogram(&spec).expect("valid");
    assert_eq!(check::assert_marks(&svg, "<path class=\"sa-link\""), 12);
    assert_eq!(check::assert_marks(&svg, "<text class=\"sa-leaf\""), 13);
    assert!(svg.contains("4 Cluster"));
    let mut bad = spec.clone();
    bad.merges[0].left = 20;
    assert!(dendrogram(&bad).is_err());
    let mut bad = spec;
    bad.leaf_order = Some(vec![0; 13]);
    assert!(dendrogram(&bad).is_err());
}

#[test]
fn heat_table_text_contrasts_with_fill() {
    use sozialatlas_classify::palette::{Rgb, contrast_ratio};
    let svg = heat_table(&figures::heat(Locale::De));
    assert_eq!(check::assert_marks(&svg, "<rect class=\"sa-cell\""), 16);
    // Each cell's number follows its rect: compare the two colours.
    for part in svg.split("<rect class=\"sa-cell\"").skip(1) {
        let attr = |s: &str, a: &str| {
            let i = s.find(&format!("{a}=\"")).expect(a) + a.len() + 2;
            s[i..i + 7].to_string()
        };
        let fill = Rgb::parse(&attr(part, "fill")).expect("fill");
        let text_part = &part[part.find("<text").expect("text")..];
        let ink = Rgb::parse(&attr(text_part, "fill")).expect("ink");
        assert!(contrast_ratio(fill, ink) >= 4.5);
    }
}

#[test]
fn moran_plot_has_quadrants_and_slope() {
    let svg = moran_scatter(&figures::moran(Locale::En));
    for q in [">HH<", ">LL<", ">HL<", ">LH<"] {
        assert!(svg.contains(q));
    }
    assert!(svg.contains("class=\"sa-moran-line\""));
    assert_eq!(check::assert_marks(&svg, "<circle class=\"sa-point"), 13);
}

#[test]
fn charts_escape_text_and_survive_empty_input() {
    let evil = "<script>&\"";
    let bars = bar_chart(&BarChartSpec {
        title: evil.into(),
        bars: vec![Bar {
            note: String::new(),
            key: evil.into(),
            name: evil.into(),
            value: BarValue::NoData,
        }],
        ..BarChartSpec::default()
    });
    let lines = line_chart(&LineChartSpec {
        title: evil.into(),
        series: vec![Series {
            key: evil.into(),
            name: evil.into(),
            ..Series::default()
        }],
        ..LineChartSpec::default()
    });
    let sc = scatter(&ScatterSpec {
        title: evil.into(),
        x_label: evil.into(),
        ..ScatterSpec::default()
    });
    let heat = heat_table(&HeatTableSpec {
        title: evil.into(),
        row_labels: vec![evil.into()],
        column_labels: vec![evil.into()],
        values: vec![vec![None]],
        ..HeatTableSpec::default()
    });
    let mo = moran_scatter(&MoranSpec {
        title: evil.into(),
        moran_i: f64::NAN,
        ..MoranSpec::default()
    });
    let sp = spine_row(&SpineSpec {
        indicator: evil.into(),
        area_name: evil.into(),
        city_value: f64::NAN,
        ..SpineSpec::default()
    });
    let spark = sparkline(&SparklineSpec {
        name: evil.into(),
        ..SparklineSpec::default()
    });
    let dendro = dendrogram(&DendrogramSpec {
        title: evil.into(),
        leaf_labels: vec![evil.into()],
        ..DendrogramSpec::default()
    })
    .expect("one leaf");
    for svg in [bars, lines, sc, heat, mo, sp, spark, dendro] {
        assert!(!svg.contains("<script"), "{svg}");
        check::assert_parses(&svg);
    }
}
