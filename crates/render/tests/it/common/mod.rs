//! Fixtures from the real Flensburg data in `../shared/data/flensburg-sozialatlas/`, shared by the
//! tests and the `gallery` example. A missing file fails loudly.
#![allow(dead_code)]

use std::path::PathBuf;

use geo_types::{Geometry, MultiPolygon};
use sozialatlas_classify::palette::{Polarity, Sequential, sequential};
use sozialatlas_classify::{Closure, Scheme, classify};
use sozialatlas_core::Locale;
use sozialatlas_render::{AreaLabels, AreaState, CityReference, MapArea, MapSpec, legend_classes};

pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/flensburg-sozialatlas")
}

pub const ATTRIBUTION: &str = "Datenquelle: Stadt Flensburg, Sozialatlas (Stabsstelle Statistik); aufbereitet von OK Lab Flensburg (open-social-map, CC0 1.0)";

/// (district_id, name, geometry) of a GeoJSON file with `id_prop` and `name_prop`.
/// `(key, name, boundary)` of each area.
pub type Areas = Vec<(String, String, MultiPolygon<f64>)>;

pub fn read_areas(file: &str, id_prop: &str, name_prop: &str) -> Areas {
    let path = data_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let fc: geojson::FeatureCollection = text.parse().expect("valid GeoJSON");
    fc.features
        .iter()
        .map(|f| {
            let prop = |k: &str| {
                f.property(k)
                    .map(|v| match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_else(|| panic!("feature without `{k}`"))
            };
            let geom = f.geometry.as_ref().expect("geometry");
            let g: Geometry<f64> = geom.value.clone().try_into().expect("geo-types geometry");
            let mp = match g {
                Geometry::Polygon(p) => MultiPolygon(vec![p]),
                Geometry::MultiPolygon(mp) => mp,
                other => panic!("not a polygon: {other:?}"),
            };
            (prop(id_prop), prop(name_prop), mp)
        })
        .collect()
}

/// The wide indicator table: (year, district_id, name, column → value).
pub fn indicator(year: u32, column: &str) -> Vec<(String, String, Option<f64>)> {
    let path = data_dir().join("flensburg_core_indicators_wide.csv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = header.iter().position(|h| *h == column).expect("column");
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[0] == year.to_string())
        .map(|r| {
            (
                r[1].to_string(),
                r[2].to_string(),
                r[col].parse::<f64>().ok(),
            )
        })
        .collect()
}

/// A column summed over all Stadtteile.
pub fn city_sum(year: u32, column: &str) -> f64 {
    indicator(year, column).iter().filter_map(|r| r.2).sum()
}

/// The SGB II map of 2022 (equal interval, 5 classes, YlOrRd, `[a, b)`), with Altstadt marked
/// suppressed and Tarup without data, as in the tests.
pub fn sgb2_map(locale: Locale) -> MapSpec {
    let areas = read_areas(
        "flensburg_stadtteile.geojson",
        "district_id",
        "district_name",
    );
    let values = indicator(2022, "sgb2_pct_of_under_65_derived");
    let shown: Vec<(String, Option<f64>, bool)> = values
        .iter()
        .map(|(id, name, v)| match name.as_str() {
            "Altstadt" => (id.clone(), None, true),
            "Tarup" => (id.clone(), None, false),
            _ => (id.clone(), *v, false),
        })
        .collect();
    let finite: Vec<f64> = shown.iter().filter_map(|s| s.1).collect();
    let (breaks, _) = classify(
        &finite,
        &Scheme::EqualInterval { k: 5 },
        Closure::LeftClosed,
    )
    .expect("breaks");
    let colours =
        sequential(Sequential::YlOrRd, breaks.k(), Polarity::HigherIsWorse).expect("palette");
    let classes = legend_classes(&breaks, &colours, 1, locale).expect("legend");
    let num = city_sum(2022, "sgb2_beneficiaries");
    let den = city_sum(2022, "residents_under_18") + city_sum(2022, "residents_18_to_64");
    let city = 100.0 * num / den;
    let areas = areas
        .into_iter()
        .map(|(id, name, geometry)| {
            let s = shown.iter().find(|s| s.0 == id).expect("value row");
            let state = match (s.1, s.2) {
                (_, true) => AreaState::Suppressed,
                (Some(v), _) => AreaState::Class {
                    class: breaks.class_of(v).expect("finite"),
                    value: Some(v),
                },
                (None, _) => AreaState::NoData,
            };
            MapArea {
                key: format!("STGT{:0>2}", id),
                href: Some(format!("/gebiet/STGT{:0>2}", id)),
                name,
                geometry,
                state,
            }
        })
        .collect();
    MapSpec {
        id: "map-sgb2".into(),
        locale,
        width: 760.0,
        title: locale.pick("SGB-II-Quote", "SGB II rate").into(),
        subtitle: Some(
            locale
                .pick(
                    "Leistungsberechtigte nach SGB II in % der Einwohner unter 65 Jahren",
                    "Recipients of SGB II benefits in % of residents under 65",
                )
                .into(),
        ),
        period: Some("2022".into()),
        unit: "%".into(),
        decimals: 1,
        areas,
        classes,
        legend_title: Some(locale.pick("Anteil in %", "Share in %").into()),
        city: Some(CityReference::in_breaks(city, &breaks)),
        labels: AreaLabels::Names,
        stand: Some("31.12.2022".into()),
        source: Some(
            locale
                .pick(
                    "Stadt Flensburg, Sozialatlas 2023; eigene Berechnung",
                    "City of Flensburg, Sozialatlas 2023; own calculation",
                )
                .into(),
        ),
        attribution: Some(ATTRIBUTION.into()),
        scale_bar: true,
        ..MapSpec::default()
    }
}

/// A profile locator map: the 41 statistical districts in one grey, the Stadtteile borders over
/// them, Fruerlund's district 101 highlighted, no legend.
pub fn locator_map() -> MapSpec {
    use sozialatlas_classify::palette::Rgb;
    use sozialatlas_render::LegendClass;
    let bezirke = read_areas(
        "flensburg_statistische_bezirke.geojson",
        "bezirk_id",
        "bezirk_name",
    );
    let stadtteile = read_areas(
        "flensburg_stadtteile.geojson",
        "district_id",
        "district_name",
    );
    MapSpec {
        id: "locator".into(),
        width: 320.0,
        title: "Blasberg (Fruerlund)".into(),
        areas: bezirke
            .into_iter()
            .map(|(key, name, geometry)| MapArea {
                key,
                name,
                geometry,
                state: AreaState::Class {
                    class: 0,
                    value: None,
                },
                href: None,
            })
            .collect(),
        classes: vec![LegendClass {
            label: "Statistischer Bezirk".into(),
            colour: Rgb::from_u32(0xe8e8e8),
            bounds: None,
        }],
        outlines: stadtteile.into_iter().map(|s| s.2).collect(),
        highlight: Some("101".into()),
        no_legend: true,
        scale_bar: true,
        ..MapSpec::default()
    }
}
