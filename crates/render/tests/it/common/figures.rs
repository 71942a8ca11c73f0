//! Every figure the golden tests pin, by name, from real Flensburg data.

use std::collections::HashSet;

use sozialatlas_classify::palette::{Rgb, categorical};
use sozialatlas_core::{Locale, Polarity};
use sozialatlas_render::*;

use crate::common;

pub fn all() -> Vec<(&'static str, String)> {
    let mut v = vec![
        ("map_sgb2_de", choropleth(&common::sgb2_map(Locale::De))),
        ("map_sgb2_en", choropleth(&common::sgb2_map(Locale::En))),
        ("map_locator", choropleth(&common::locator_map())),
        ("map_lisa", choropleth(&lisa_map())),
    ];
    v.extend(charts());
    v
}

pub fn charts() -> Vec<(&'static str, String)> {
    vec![
        ("bar_sgb2", bar_chart(&bars(Locale::De))),
        ("line_under18", line_chart(&lines(Locale::De))),
        ("scatter", scatter(&scatter_spec(Locale::De))),
        ("spine_neustadt", spine_row(&spine(Locale::De))),
        ("sparkline_neustadt", sparkline(&spark(Locale::De))),
        (
            "dendrogram",
            dendrogram(&dendro(Locale::De)).expect("valid tree"),
        ),
        ("heat_clusters", heat_table(&heat(Locale::De))),
        ("moran", moran_scatter(&moran(Locale::De))),
    ]
}

fn key(id: &str) -> String {
    format!("STGT{id:0>2}")
}

pub fn bars(locale: Locale) -> BarChartSpec {
    let map = common::sgb2_map(locale);
    let bars = map
        .areas
        .iter()
        .map(|a| Bar {
            note: String::new(),
            key: a.key.clone(),
            name: a.name.clone(),
            value: match a.state {
                AreaState::Class {
                    class,
                    value: Some(v),
                } => BarValue::Value {
                    value: v,
                    colour: map.classes[class].colour,
                },
                AreaState::Suppressed => BarValue::Suppressed,
                _ => BarValue::NoData,
            },
        })
        .collect();
    BarChartSpec {
        id: "bars-sgb2".into(),
        locale,
        width: 640.0,
        title: map.title.clone(),
        subtitle: Some(format!(
            "{}, 2022",
            locale.pick(
                "in % der Einwohner unter 65 Jahren",
                "in % of residents under 65"
            )
        )),
        unit: "%".into(),
        decimals: 1,
        bars,
        city_average: map.city.as_ref().map(|c| c.value),
        highlight: Some("STGT02".into()),
        ..BarChartSpec::default()
    }
}

type Years = Vec<(i32, Option<f64>)>;

fn series_of(column: &str, district: &str) -> (Years, Years) {
    let mut area = Vec::new();
    let mut city = Vec::new();
    for y in 2011..=2022u32 {
        let rows = common::indicator(y, column);
        area.push((
            y as i32,
            rows.iter().find(|r| r.0 == district).and_then(|r| r.2),
        ));
        let kids = common::city_sum(y, "residents_under_18");
        let all = common::city_sum(y, "residents");
        city.push((
            y as i32,
            (kids > 0.0 && all > 0.0).then(|| 100.0 * kids / all),
        ));
    }
    (area, city)
}

pub fn lines(locale: Locale) -> LineChartSpec {
    let (area, city) = series_of("share_under_18_pct_derived", "2");
    LineChartSpec {
        id: "lines-u18".into(),
        locale,
        title: locale
            .pick("Anteil unter 18-Jähriger", "Share of residents under 18")
            .into(),
        subtitle: Some(
            locale
                .pick(
                    "in % der Einwohner; 2012–2016 keine Daten",
                    "in % of residents; no data 2012–2016",
                )
                .into(),
        ),
        unit: "%".into(),
        decimals: 1,
        series: vec![
            Series {
                key: "city".into(),
                name: locale.pick("Stadt Flensburg", "City of Flensburg").into(),
                role: SeriesRole::City,
                values: city,
            },
            Series {
                key: "STGT02".into(),
                name: "Neustadt".into(),
                role: SeriesRole::Area,
                values: area,
            },
        ],
        ..LineChartSpec::default()
    }
}

pub fn scatter_spec(locale: Locale) -> ScatterSpec {
    let x = common::indicator(2022, "unemployed_pct_of_18_to_64_derived");
    let y = common::indicator(2022, "sgb2_pct_of_under_65_derived");
    let points = x
        .iter()
        .filter_map(|(id, name, xv)| {
            let yv = y.iter().find(|r| &r.0 == id)?.2?;
            Some(ScatterPoint {
                key: key(id),
                name: name.clone(),
                x: (*xv)?,
                y: yv,
            })
        })
        .collect();
    ScatterSpec {
        id: "scatter".into(),
        locale,
        title: locale
            .pick(
                "Arbeitslosigkeit und SGB II, 2022",
                "Unemployment and SGB II, 2022",
            )
            .into(),
        x_label: locale.pick("Arbeitslose", "Unemployed").into(),
        x_unit: locale
            .pick("% der 18- bis 64-Jährigen", "% of residents aged 18–64")
            .into(),
        x_unit_short: "%".into(),
        x_decimals: 1,
        y_label: locale.pick("SGB-II-Quote", "SGB II rate").into(),
        y_unit: locale
            .pick("% der unter 65-Jährigen", "% of residents under 65")
            .into(),
        y_unit_short: "%".into(),
        y_decimals: 1,
        points,
        highlight: Some("STGT02".into()),
        regression_line: true,
        ..ScatterSpec::default()
    }
}

pub fn spine(locale: Locale) -> SpineSpec {
    let map = common::sgb2_map(locale);
    let values: Vec<f64> = common::indicator(2022, "sgb2_pct_of_under_65_derived")
        .iter()
        .filter_map(|r| r.2)
        .collect();
    let neustadt = common::indicator(2022, "sgb2_pct_of_under_65_derived")
        .iter()
        .find(|r| r.1 == "Neustadt")
        .and_then(|r| r.2);
    SpineSpec {
        id: "spine-sgb2".into(),
        locale,
        indicator: map.title.clone(),
        area_key: "STGT02".into(),
        area_name: "Neustadt".into(),
        unit: "%".into(),
        decimals: 1,
        polarity: Polarity::HigherIsWorse,
        values,
        area_value: neustadt,
        city_value: map.city.as_ref().map(|c| c.value).unwrap_or(f64::NAN),
        ..SpineSpec::default()
    }
}

pub fn spark(locale: Locale) -> SparklineSpec {
    let (area, _) = series_of("share_under_18_pct_derived", "2");
    SparklineSpec {
        id: "spark-u18".into(),
        locale,
        key: "STGT02".into(),
        name: locale
            .pick(
                "Anteil unter 18-Jähriger, Neustadt",
                "Share under 18, Neustadt",
            )
            .into(),
        unit: "%".into(),
        decimals: 1,
        values: area,
        ..SparklineSpec::default()
    }
}

pub struct Ward {
    pub ids: Vec<String>,
    pub columns: Vec<String>,
    pub x: Vec<Vec<f64>>,
    pub merges: Vec<Merge>,
}

pub fn ward() -> Ward {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ward_scipy_flensburg.json");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let strings = |k: &str| {
        v[k].as_array()
            .expect(k)
            .iter()
            .map(|s| s.as_str().expect("str").to_string())
            .collect::<Vec<_>>()
    };
    let x = v["x"]
        .as_array()
        .expect("x")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|f| f.as_f64().expect("num"))
                .collect()
        })
        .collect();
    let merges = v["linkage"]
        .as_array()
        .expect("linkage")
        .iter()
        .map(|r| Merge {
            left: r[0].as_f64().expect("l") as usize,
            right: r[1].as_f64().expect("r") as usize,
            height: r[2].as_f64().expect("h"),
        })
        .collect();
    Ward {
        ids: strings("ids"),
        columns: strings("columns"),
        x,
        merges,
    }
}

/// Cluster of each leaf when the tree is cut into `k` clusters, numbered by first leaf.
pub fn cut(merges: &[Merge], n: usize, k: usize) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..2 * n - 1).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            i = p[i];
        }
        i
    }
    for (i, m) in merges.iter().take(n - k).enumerate() {
        let (a, b) = (find(&mut parent, m.left), find(&mut parent, m.right));
        parent[a] = n + i;
        parent[b] = n + i;
    }
    let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
    let mut seen: Vec<usize> = Vec::new();
    roots
        .iter()
        .map(|r| match seen.iter().position(|s| s == r) {
            Some(p) => p,
            None => {
                seen.push(*r);
                seen.len() - 1
            }
        })
        .collect()
}

pub fn dendro(locale: Locale) -> DendrogramSpec {
    let w = ward();
    let n = w.ids.len();
    let clusters = cut(&w.merges, n, 4);
    let colours = categorical(4).expect("4 colours");
    DendrogramSpec {
        id: "dendro".into(),
        locale,
        title: locale
            .pick(
                "Typisierung der Stadtteile (Ward)",
                "Typology of the Stadtteile (Ward)",
            )
            .into(),
        subtitle: Some(
            locale
                .pick(
                    "4 Indikatoren, z-standardisiert, 2022",
                    "4 indicators, z-standardised, 2022",
                )
                .into(),
        ),
        leaf_labels: w.ids.clone(),
        leaf_keys: (1..=n).map(|i| key(&i.to_string())).collect(),
        merges: w.merges.clone(),
        cut_height: Some((w.merges[n - 5].height + w.merges[n - 4].height) / 2.0),
        leaf_colours: Some(clusters.iter().map(|&c| colours[c]).collect()),
        ..DendrogramSpec::default()
    }
}

pub fn heat(locale: Locale) -> HeatTableSpec {
    let w = ward();
    let n = w.ids.len();
    let clusters = cut(&w.merges, n, 4);
    let k = 4;
    let names_de = [
        "Arbeitslose in % der 18- bis 64-Jährigen",
        "SGB-II-Quote",
        "Anteil unter 18-Jähriger",
        "Anteil ab 65-Jähriger",
    ];
    let names_en = [
        "Unemployed in % of 18–64",
        "SGB II rate",
        "Share under 18",
        "Share 65 and over",
    ];
    let values = (0..k)
        .map(|c| {
            let members: Vec<usize> = (0..n).filter(|&i| clusters[i] == c).collect();
            (0..w.columns.len())
                .map(|j| {
                    Some(members.iter().map(|&i| w.x[i][j]).sum::<f64>() / members.len() as f64)
                })
                .collect()
        })
        .collect();
    HeatTableSpec {
        id: "heat".into(),
        locale,
        title: locale
            .pick("Profile der Cluster", "Cluster profiles")
            .into(),
        subtitle: Some(
            locale
                .pick(
                    "Mittelwert der z-Werte je Cluster, 2022",
                    "Mean z-value per cluster, 2022",
                )
                .into(),
        ),
        row_keys: (0..k).map(|c| format!("cluster-{}", c + 1)).collect(),
        row_labels: (0..k)
            .map(|c| {
                format!(
                    "Cluster {} (n = {})",
                    c + 1,
                    clusters.iter().filter(|&&x| x == c).count()
                )
            })
            .collect(),
        column_keys: w.columns.clone(),
        column_labels: match locale {
            Locale::De => names_de.iter().map(|s| s.to_string()).collect(),
            Locale::En => names_en.iter().map(|s| s.to_string()).collect(),
        },
        values,
        decimals: 2,
        ..HeatTableSpec::default()
    }
}

/// Queen neighbours of the Stadtteile: areas sharing a vertex (to 6 decimals).
fn neighbours() -> (common::Areas, Vec<Vec<usize>>) {
    let areas = common::read_areas(
        "flensburg_stadtteile.geojson",
        "district_id",
        "district_name",
    );
    let sets: Vec<HashSet<(i64, i64)>> = areas
        .iter()
        .map(|a| {
            a.2.0
                .iter()
                .flat_map(|p| p.exterior().0.iter())
                .map(|c| ((c.x * 1e6).round() as i64, (c.y * 1e6).round() as i64))
                .collect()
        })
        .collect();
    let nb = (0..areas.len())
        .map(|i| {
            (0..areas.len())
                .filter(|&j| j != i && !sets[i].is_disjoint(&sets[j]))
                .collect()
        })
        .collect();
    (areas, nb)
}

pub fn moran(locale: Locale) -> MoranSpec {
    let (areas, nb) = neighbours();
    let vals = common::indicator(2022, "sgb2_pct_of_under_65_derived");
    let x: Vec<f64> = areas
        .iter()
        .map(|a| {
            vals.iter()
                .find(|r| r.0 == a.0)
                .and_then(|r| r.2)
                .expect("value")
        })
        .collect();
    let m = x.iter().sum::<f64>() / x.len() as f64;
    let sd = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
    let z: Vec<f64> = x.iter().map(|v| (v - m) / sd).collect();
    let lag: Vec<f64> = nb
        .iter()
        .map(|ns: &Vec<usize>| ns.iter().map(|&j| z[j]).sum::<f64>() / ns.len().max(1) as f64)
        .collect();
    let i =
        z.iter().zip(&lag).map(|(a, b)| a * b).sum::<f64>() / z.iter().map(|a| a * a).sum::<f64>();
    MoranSpec {
        id: "moran".into(),
        locale,
        title: locale
            .pick(
                "SGB-II-Quote 2022: räumliche Autokorrelation",
                "SGB II rate 2022: spatial autocorrelation",
            )
            .into(),
        points: areas
            .iter()
            .enumerate()
            .map(|(k, a)| MoranPoint {
                key: key(&a.0),
                name: a.1.clone(),
                z: z[k],
                lag: lag[k],
                colour: Some(match (z[k] > 0.0, lag[k] > 0.0) {
                    (true, true) => Rgb::from_u32(0xd7191c),
                    (false, false) => Rgb::from_u32(0x2c7bb6),
                    _ => Rgb::from_u32(0xbdbdbd),
                }),
            })
            .collect(),
        moran_i: i,
        p_value: None,
        highlight: Some("STGT02".into()),
        ..MoranSpec::default()
    }
}

/// A LISA-style categorical map: quadrant of each Stadtteil (no significance test here).
pub fn lisa_map() -> sozialatlas_render::MapSpec {
    let spec = moran(Locale::De);
    let mut map = common::sgb2_map(Locale::De);
    let labels: Vec<String> = ["HH", "LL", "HL", "LH"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let colours = vec![
        Rgb::from_u32(0xd7191c),
        Rgb::from_u32(0x2c7bb6),
        Rgb::from_u32(0xfdae61),
        Rgb::from_u32(0xabd9e9),
    ];
    for a in map.areas.iter_mut() {
        let Some(p) = spec.points.iter().find(|p| p.key == a.key) else {
            continue;
        };
        let class = match (p.z > 0.0, p.lag > 0.0) {
            (true, true) => 0,
            (false, false) => 1,
            (true, false) => 2,
            (false, true) => 3,
        };
        a.state = AreaState::Class { class, value: None };
    }
    MapSpec {
        id: "map-lisa".into(),
        title: "SGB-II-Quote 2022: Quadranten des Moran-Diagramms".into(),
        subtitle: Some("Stadtteil und Nachbarn über (H) oder unter (L) dem Mittel".into()),
        classes: legend_categories(&labels, &colours),
        legend_title: Some("Quadrant".into()),
        city: None,
        ..map
    }
}
