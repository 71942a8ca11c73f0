//! Official values, published values, non-additive variables and overlays through `build` and
//! `export`: on Cologne's real population 2005–2012 (the city and borough rows given as official
//! values, one Stadtteil taken out of the Stadtteile as if its residents had no district
//! address), and on the `punkte` example's Aktionsräume (Dortmund's real boundaries).

use crate::common::*;
use std::path::Path;

/// The Stadtteil whose residents belong to no Stadtteil of the test atlas.
const TAKEN_OUT: &str = "102";

/// The data file of each level (city, boroughs, Stadtteile).
const DATA_FILES: [(&str, &str); 3] = [
    ("stadt.csv", "stadt"),
    ("stadtbezirke.csv", "stadtbezirk"),
    ("stadtteile.csv", "stadtteil"),
];

/// Writes the test atlas from `../shared/data/koeln-stadtteile-bevoelkerung`: three levels, each
/// with its own data file cut from the published wide table.
fn koeln_atlas(dir: &Path) {
    let src = shared_data().join("koeln-stadtteile-bevoelkerung");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        src.join("koeln_stadtbezirke.geojson"),
        dir.join("stadtbezirke.geojson"),
    )
    .unwrap();
    let mut st: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(src.join("koeln_stadtteile.geojson")).unwrap(),
    )
    .unwrap();
    let features = st["features"].as_array_mut().unwrap();
    let before = features.len();
    features.retain(|f| f["properties"]["stadtteil_nr"] != TAKEN_OUT);
    assert_eq!(features.len(), before - 1);
    std::fs::write(dir.join("stadtteile.geojson"), st.to_string()).unwrap();
    let text = std::fs::read_to_string(src.join("koeln_bevoelkerung_wide.csv")).unwrap();
    let (h, rows) = parse_csv(&text, b',');
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut files = [
        String::from("key,jahr,einwohner,auslaender\n"),
        String::from("key,jahr,einwohner,auslaender\n"),
        String::from("key,jahr,einwohner,auslaender\n"),
    ];
    for r in &rows {
        let (i, key) = match r[col("ebene")].as_str() {
            "stadt" => (0, r[col("raum_id")].clone()),
            // Boroughs 001–009 are 1–9 in the boundary file.
            "stadtbezirk" => (1, r[col("raum_id")].trim_start_matches('0').to_string()),
            "stadtteil" if r[col("raum_id")] == TAKEN_OUT => continue,
            "stadtteil" => (2, r[col("raum_id")].clone()),
            other => panic!("unknown level {other}"),
        };
        files[i].push_str(&format!(
            "{key},{},{},{}\n",
            r[col("jahr")],
            r[col("einwohner")],
            r[col("auslaender")]
        ));
    }
    for ((f, _), text) in DATA_FILES.iter().zip(files) {
        std::fs::write(dir.join(f), text).unwrap();
    }
    std::fs::write(
        dir.join("catalogue.toml"),
        r#"version = "test"
[[dimension]]
id = "bevoelkerung"
name = { de = "Bevölkerung", en = "Population" }
[[variable]]
id = "einwohner"
name = { de = "Einwohner", en = "Residents" }
[[variable]]
id = "auslaender"
name = { de = "Ausländer", en = "Foreigners" }
[[indicator]]
id = "einwohner"
name = { de = "Einwohner", en = "Residents" }
dimension = "bevoelkerung"
unit = "Personen"
formula = "count"
variable = "einwohner"
[[indicator]]
id = "auslaenderanteil"
name = { de = "Ausländeranteil", en = "Share of foreigners" }
dimension = "bevoelkerung"
unit = "%"
formula = "ratio"
numerator = "auslaender"
denominator = "einwohner"
"#,
    )
    .unwrap();
    let mut atlas = String::from(
        r#"[atlas]
name = { de = "Köln (Test: amtliche Werte)", en = "Cologne (test: official values)" }
city = "Köln"
stand = "31.12.2012"
attribution = ["Datenquelle: Stadt Köln – Amt für Stadtentwicklung und Statistik, Offene Daten Köln (offenedaten-koeln.de), CC BY"]

[[level]]
id = "stadt"
name = { de = "Stadt", en = "City" }
areas = [{ key = "000", name = "Köln" }]

[[level]]
id = "stadtbezirk"
name = { de = "Stadtbezirk", en = "Borough" }
parent = "stadt"
boundaries = "stadtbezirke.geojson"
key = "stadtbezirk_nr"
name_property = "stadtbezirk"

[[level]]
id = "stadtteil"
name = { de = "Stadtteil", en = "District" }
parent = "stadtbezirk"
boundaries = "stadtteile.geojson"
key = "stadtteil_nr"
name_property = "stadtteil"
parent_key = "stadtbezirk_nr"
"#,
    );
    // One data file per level, as cut above.
    for (file, level) in DATA_FILES {
        atlas.push_str(&format!(
            "\n[[data]]\nfile = \"{file}\"\nlevel = \"{level}\"\narea = \"key\"\nperiod = \"jahr\"\n\
             [data.variables]\neinwohner = \"einwohner\"\nauslaender = \"auslaender\"\n"
        ));
    }
    std::fs::write(dir.join("atlas.toml"), atlas).unwrap();
}

/// The published wide table: (level, raum_id, year) → (residents, foreigners).
fn official(level: &str, raum: &str, year: &str) -> (f64, f64) {
    let src = shared_data().join("koeln-stadtteile-bevoelkerung/koeln_bevoelkerung_wide.csv");
    let (h, rows) = parse_csv(&std::fs::read_to_string(src).unwrap(), b',');
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let r = rows
        .iter()
        .find(|r| r[col("ebene")] == level && r[col("raum_id")] == raum && r[col("jahr")] == year)
        .unwrap_or_else(|| panic!("no row {level} {raum} {year}"));
    (
        r[col("einwohner")].parse().unwrap(),
        r[col("auslaender")].parse().unwrap(),
    )
}

#[test]
fn official_totals_and_the_part_not_assigned_on_cologne() {
    let dir = tempfile::tempdir().unwrap();
    let atlas = dir.path().join("koeln");
    koeln_atlas(&atlas);
    let (r, (h, rows)) = build_and_export(dir.path(), &atlas, "k");
    // The warning names variable, area and period: Innenstadt (1) lacks Neustadt/Süd's residents.
    let (inn05, _) = official("stadtbezirk", "001", "2005");
    let (nss05, _) = official("stadtteil", TAKEN_OUT, "2005");
    let remaining = std::fs::read_to_string(atlas.join("stadtteile.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('1') && l.contains(",2005,"))
        .count();
    let expected = format!(
        "variable `einwohner`, area `1`, 2005: the official value ({}) is larger than the sum of its {remaining} sub-areas ({}) by {}",
        group(inn05),
        group(inn05 - nss05),
        group(nss05)
    );
    assert!(r.stdout.contains(&expected), "{expected}\n{}", r.stdout);

    let col = |n: &str| {
        h.iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("no column {n}"))
    };
    let find = |ind: &str, level: &str, key: &str, parent: &str, year: &str| {
        rows.iter()
            .find(|r| {
                r[col("indicator_id")] == ind
                    && r[col("level")] == level
                    && r[col("area_key")] == key
                    && r[col("parent_key")] == parent
                    && r[col("year")] == year
            })
            .unwrap_or_else(|| panic!("no row {ind} {level} {key} {parent} {year}"))
    };
    let num = |s: &str| s.parse::<f64>().unwrap();
    for year in ["2005", "2012"] {
        let (city_ew, city_aus) = official("stadt", "000", year);
        let (inn_ew, _) = official("stadtbezirk", "001", year);
        let (nss_ew, nss_aus) = official("stadtteil", TAKEN_OUT, year);
        // The city and Innenstadt show their official rows.
        let city = find("einwohner", "City", "000", "", year);
        assert_eq!(num(&city[col("value")]), city_ew);
        assert_eq!(city[col("value_basis")], "official (as given)");
        let share = find("auslaenderanteil", "City", "000", "", year);
        assert_eq!(
            (
                num(&share[col("numerator")]),
                num(&share[col("denominator")])
            ),
            (city_aus, city_ew)
        );
        let inn = find("einwohner", "Borough", "1", "000", year);
        assert_eq!(num(&inn[col("value")]), inn_ew);
        // Not assigned under Innenstadt: its official value minus its remaining Stadtteile,
        // which is Neustadt/Süd's count because the source adds up.
        let rest = find("einwohner", "District", "", "1", year);
        assert_eq!(rest[col("area")], "not assigned to an area");
        assert_eq!(rest[col("value_basis")], "not assigned to an area");
        let assigned: f64 = rows
            .iter()
            .filter(|r| {
                r[col("indicator_id")] == "einwohner"
                    && r[col("level")] == "District"
                    && r[col("parent_key")] == "1"
                    && !r[col("area_key")].is_empty()
                    && r[col("year")] == year
            })
            .map(|r| num(&r[col("value")]))
            .sum();
        assert_eq!(num(&rest[col("value")]), inn_ew - assigned);
        assert_eq!(num(&rest[col("value")]), nss_ew);
        let rest_share = find("auslaenderanteil", "District", "", "1", year);
        assert_eq!(
            (
                num(&rest_share[col("numerator")]),
                num(&rest_share[col("denominator")])
            ),
            (nss_aus, nss_ew)
        );
        // The city's table of Stadtteile: the same residents are not assigned city-wide.
        let city_rest = find("einwohner", "District", "", "000", year);
        assert_eq!(num(&city_rest[col("value")]), nss_ew);
        // Boroughs add up to the city in the source: nothing is not assigned there.
        assert!(
            !rows.iter().any(|r| r[col("level")] == "Borough"
                && r[col("area_key")].is_empty()
                && r[col("year")] == year),
            "a not-assigned row among the boroughs"
        );
    }
}

/// `1,234,567`.
fn group(x: f64) -> String {
    let s = format!("{}", x as i64);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A published rate (the share of residents 65 and over, given for the Stadtteile and the city)
/// and a non-additive variable (women, flagged `additive = false` here for the test's sake),
/// through `build` and `export`.
#[test]
fn published_values_and_non_additive_variables_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let atlas = dir.path().join("koeln");
    koeln_atlas(&atlas);
    let src = shared_data().join("koeln-stadtteile-bevoelkerung/koeln_bevoelkerung_wide.csv");
    let (h, rows) = parse_csv(&std::fs::read_to_string(src).unwrap(), b',');
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut out = String::from("key,jahr,anteil_65plus,weiblich\n");
    for r in &rows {
        let key = match r[col("ebene")].as_str() {
            "stadt" => r[col("raum_id")].clone(),
            "stadtteil" if r[col("raum_id")] != TAKEN_OUT => r[col("raum_id")].clone(),
            _ => continue,
        };
        out.push_str(&format!(
            "{key},{},{},{}\n",
            r[col("jahr")],
            r[col("anteil_65plus_pct_derived")],
            r[col("weiblich")]
        ));
    }
    let (stadt, rest): (Vec<&str>, Vec<&str>) =
        out.lines().skip(1).partition(|l| l.starts_with("000,"));
    std::fs::write(
        atlas.join("stadt_rate.csv"),
        format!("key,jahr,anteil_65plus,weiblich\n{}\n", stadt.join("\n")),
    )
    .unwrap();
    std::fs::write(
        atlas.join("stadtteile_rate.csv"),
        format!("key,jahr,anteil_65plus,weiblich\n{}\n", rest.join("\n")),
    )
    .unwrap();
    let mut cat = std::fs::read_to_string(atlas.join("catalogue.toml")).unwrap();
    cat.push_str(
        r#"[[variable]]
id = "anteil_65plus"
name = { de = "Anteil 65 und älter (veröffentlicht)", en = "Share 65 and over (published)" }
kind = "value"
[[variable]]
id = "weiblich"
name = { de = "Frauen", en = "Women" }
additive = false
[[indicator]]
id = "anteil_65plus"
name = { de = "Anteil 65 und älter", en = "Share 65 and over" }
dimension = "bevoelkerung"
unit = "%"
formula = "published"
variable = "anteil_65plus"
weight = "einwohner"
[[indicator]]
id = "frauen"
name = { de = "Frauen", en = "Women" }
dimension = "bevoelkerung"
unit = "Personen"
formula = "count"
variable = "weiblich"
"#,
    );
    std::fs::write(atlas.join("catalogue.toml"), cat).unwrap();
    let mut toml = std::fs::read_to_string(atlas.join("atlas.toml")).unwrap();
    for (file, level) in [
        ("stadt_rate.csv", "stadt"),
        ("stadtteile_rate.csv", "stadtteil"),
    ] {
        toml.push_str(&format!(
            "\n[[data]]\nfile = \"{file}\"\nlevel = \"{level}\"\narea = \"key\"\nperiod = \"jahr\"\n[data.variables]\nanteil_65plus = \"anteil_65plus\"\nweiblich = \"weiblich\"\n"
        ));
    }
    std::fs::write(atlas.join("atlas.toml"), toml).unwrap();
    let (_, (eh, erows)) = build_and_export(dir.path(), &atlas, "k");
    let ec = |n: &str| eh.iter().position(|x| x == n).unwrap();
    let find = |ind: &str, level: &str, key: &str| {
        erows
            .iter()
            .find(|r| {
                r[ec("indicator_id")] == ind
                    && r[ec("level")] == level
                    && r[ec("area_key")] == key
                    && r[ec("year")] == "2012"
            })
            .unwrap_or_else(|| panic!("no row {ind} {level} {key}"))
    };
    let num = |s: &str| s.parse::<f64>().unwrap();
    // The city's published rate as it is, marked so.
    let city = find("anteil_65plus", "City", "000");
    let (_, published_city) = {
        let r = rows
            .iter()
            .find(|r| r[col("ebene")] == "stadt" && r[col("jahr")] == "2012")
            .unwrap();
        ((), num(&r[col("anteil_65plus_pct_derived")]))
    };
    assert_eq!(num(&city[ec("value")]), published_city);
    assert_eq!(city[ec("value_basis")], "published, not recomputed");
    assert!(city[ec("numerator")].is_empty() && city[ec("denominator")].is_empty());
    // A Stadtteil: as published.
    let st = find("anteil_65plus", "District", "101");
    assert_eq!(st[ec("value_basis")], "published, not recomputed");
    // A borough (no value of its own): the mean of its Stadtteile weighted by their residents,
    // by hand from the source; the weight is named.
    let (mut sw, mut swx) = (0.0, 0.0);
    for r in rows.iter().filter(|r| {
        r[col("ebene")] == "stadtteil"
            && r[col("jahr")] == "2012"
            && r[col("raum_id")].starts_with('3')
    }) {
        let w = num(&r[col("einwohner")]);
        sw += w;
        swx += w * num(&r[col("anteil_65plus_pct_derived")]);
    }
    let lindenthal = find("anteil_65plus", "Borough", "3");
    assert!(
        (num(&lindenthal[ec("value")]) - swx / sw).abs() < 0.00051,
        "{} vs {}",
        lindenthal[ec("value")],
        swx / sw
    );
    assert_eq!(
        lindenthal[ec("value_basis")],
        "weighted mean of the sub-areas (published values; weight: Residents)"
    );
    // Women (non-additive): the Stadtteile and the city as given, the boroughs missing — not
    // the sum of their Stadtteile.
    assert!(
        !erows.iter().any(|r| r[ec("indicator_id")] == "frauen"
            && r[ec("level")] == "Borough"
            && !r[ec("value")].is_empty()),
        "a borough shows a sum of its Stadtteile' women"
    );
    assert!(!find("frauen", "District", "301")[ec("value")].is_empty());
    assert!(!find("frauen", "City", "000")[ec("value")].is_empty());
}

/// The `punkte` example: Dortmund's 15 Aktionsräume get their figures from the Stadtbezirke
/// they overlap, weighted by the share of each Stadtbezirk's area inside them.
#[test]
fn aktionsraeume_sum_their_members_shares_and_hide_no_suppressed_member() {
    let (dir, atlas) = scratch("punkte");
    let pool = pool_of(dir.path(), &atlas, "as-is");
    let get = |ind: &str, level: &str, key: &str, year: &str| pool.get(ind, level, key, year);
    // The shares by hand from the geometries: each Stadtbezirk's area inside each Aktionsraum.
    let read = |f: &str, key: &str| -> Vec<(String, geo::MultiPolygon<f64>)> {
        sozialatlas_geo::read_path(&atlas.join(f), &Default::default())
            .unwrap()
            .features
            .into_iter()
            .map(|f| {
                let k = match &f.properties[key] {
                    serde_json::Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                (k, f.geometry)
            })
            .collect()
    };
    use geo::{Area, BooleanOps};
    let ars = read("geo/dortmund_aktionsraeume.geojson", "source_id");
    let sbs = read("geo/dortmund_stadtbezirke_25832.geojson", "stadtbezirk_nr");
    assert_eq!(ars.len(), 15);
    let mut shares: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    for (ak, ag) in &ars {
        let mut members = Vec::new();
        for (sk, sg) in &sbs {
            let s = ag.intersection(sg).unsigned_area() / sg.unsigned_area();
            let s = if s >= 0.995 {
                1.0
            } else {
                (s * 1000.0).round() / 1000.0
            };
            if s >= 0.005 {
                members.push((format!("{sk:0>2}"), s));
            }
        }
        assert!(!members.is_empty(), "Aktionsraum {ak} has no member");
        shares.push((ak.clone(), members));
    }
    let mut checked = 0;
    for year in ["2022", "2023", "2024"] {
        for (ak, members) in &shares {
            let Some(overlay) = get("faelle_hze", "Action area", ak, year) else {
                continue;
            };
            let members: Option<f64> = members
                .iter()
                .map(|(k, s)| get("faelle_hze", "City district", k, year).map(|x| s * x))
                .sum();
            if let Some(hand) = members {
                assert!(
                    (overlay - hand).abs() < 1e-9,
                    "Aktionsraum {ak} {year}: {overlay} vs the hand sum {hand}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "only {checked} Aktionsräume checked");
    // Every Aktionsraum row says it is an estimate.
    let ar_rows: Vec<&Vec<calamine::Data>> = pool
        .rows
        .iter()
        .filter(|r| r[pool.col("level")] == "Action area")
        .collect();
    assert!(ar_rows.len() >= 15 * 3);
    for r in &ar_rows {
        assert_eq!(
            r[pool.col("value_basis")].to_string(),
            "estimated from shares of the member areas (by area)"
        );
    }

    // A high threshold, so that Stadtbezirk counts are suppressed and the overlays must not give
    // them away.
    let text = std::fs::read_to_string(atlas.join("atlas.toml")).unwrap();
    std::fs::write(
        atlas.join("atlas.toml"),
        text.replacen(
            "[[level]]",
            "[settings]\nsuppression_threshold = 40\n\n[[level]]",
            1,
        ),
    )
    .unwrap();
    let pool = pool_of(dir.path(), &atlas, "threshold-40");
    let get = |ind: &str, level: &str, key: &str, year: &str| pool.get(ind, level, key, year);

    // Solving: for every withheld Stadtbezirk count, the equations city = Σ Stadtbezirke and
    // Aktionsraum = Σ share × Stadtbezirk with every published figure leave it open.
    let mut withheld = 0;
    for ind in [
        "faelle_hze",
        "faelle_eingliederungshilfe",
        "faelle_inobhutnahme",
    ] {
        for year in ["2022", "2023", "2024"] {
            let sb: Vec<(String, Option<f64>)> = sbs
                .iter()
                .map(|(k, _)| {
                    let k = format!("{k:0>2}");
                    let v = get(ind, "City district", &k, year);
                    (k, v)
                })
                .collect();
            let unknown: Vec<usize> = (0..sb.len()).filter(|&i| sb[i].1.is_none()).collect();
            if unknown.is_empty() {
                continue;
            }
            // Rows over the unknown Stadtbezirke (coefficients in thousandths); a published
            // total gives a row, a withheld total adds nothing.
            let mut m: Vec<Vec<i128>> = Vec::new();
            if get(ind, "City", "05913000", year).is_some() {
                m.push(unknown.iter().map(|_| 1000).collect());
            }
            for (ak, members) in &shares {
                if get(ind, "Action area", ak, year).is_none() {
                    continue;
                }
                m.push(
                    unknown
                        .iter()
                        .map(|&i| {
                            members
                                .iter()
                                .find(|(k, _)| *k == sb[i].0)
                                .map_or(0, |(_, s)| (s * 1000.0).round() as i128)
                        })
                        .collect(),
                );
            }
            for (j, &i) in unknown.iter().enumerate() {
                withheld += 1;
                let without: Vec<Vec<i128>> = m
                    .iter()
                    .map(|r| {
                        r.iter()
                            .enumerate()
                            .filter(|&(q, _)| q != j)
                            .map(|(_, x)| *x)
                            .collect()
                    })
                    .collect();
                assert_eq!(
                    rank(m.clone()),
                    rank(without),
                    "{ind} {year}: the withheld count of Stadtbezirk {} follows from the published figures",
                    sb[i].0
                );
            }
        }
    }
    assert!(withheld > 0, "the test needs withheld Stadtbezirk counts");
}

/// Builds an atlas folder into a fresh store `{name}.db`: the build's output and the data pool
/// as international CSV (header, rows).
fn build_and_export(
    dir: &Path,
    atlas: &Path,
    name: &str,
) -> (Run, (Vec<String>, Vec<Vec<String>>)) {
    let (r, db) = build_into(dir, atlas, name);
    let pool = parse_csv(&export_csv(&db), b',');
    (r, pool)
}

/// The data pool as XLSX (values unrounded).
struct Pool {
    header: Vec<String>,
    rows: Vec<Vec<calamine::Data>>,
}

impl Pool {
    fn col(&self, n: &str) -> usize {
        self.header.iter().position(|h| h == n).unwrap()
    }

    /// The published value of an indicator in an area (by level name and key) and year.
    fn get(&self, ind: &str, level: &str, key: &str, year: &str) -> Option<f64> {
        let c = |n| self.col(n);
        let year = calamine::Data::Float(year.parse().unwrap());
        self.rows
            .iter()
            .find(|r| {
                r[c("indicator_id")] == ind
                    && r[c("level")] == level
                    && r[c("area_key")] == key
                    && r[c("year")] == year
            })
            .and_then(|r| match r[c("value")] {
                calamine::Data::Float(f) => Some(f),
                calamine::Data::Int(i) => Some(i as f64),
                _ => None,
            })
    }
}

/// Builds an atlas folder into a fresh store `{name}.db`: the build's output and the store.
fn build_into(dir: &Path, atlas: &Path, name: &str) -> (Run, std::path::PathBuf) {
    let db = dir.join(format!("{name}.db"));
    let r = build_store(atlas, &db);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    (r, db)
}

/// Builds an atlas folder into a fresh store and reads its data pool.
fn pool_of(dir: &Path, atlas: &Path, name: &str) -> Pool {
    let (_, db) = build_into(dir, atlas, name);
    let (header, rows) = data_pool_xlsx(&db);
    Pool { header, rows }
}

/// The rank of an integer matrix (fraction-free elimination, rows kept small by their gcd).
fn rank(mut m: Vec<Vec<i128>>) -> usize {
    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 { a.abs() } else { gcd(b, a % b) }
    }
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for col in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| m[i][col] != 0) else {
            continue;
        };
        m.swap(r, p);
        let pivot = m[r].clone();
        for row in m.iter_mut().skip(r + 1) {
            let f = row[col];
            if f == 0 {
                continue;
            }
            for (x, y) in row.iter_mut().zip(&pivot) {
                *x = *x * pivot[col] - f * y;
            }
            let g = row.iter().fold(0, |g, &x| gcd(g, x));
            if g > 1 {
                row.iter_mut().for_each(|x| *x /= g);
            }
        }
        r += 1;
    }
    r
}

/// An overlay whose members and population shares come from a membership file: its residents
/// are `Σ share × residents` of the listed Stadtteile, marked as estimated by population; a
/// population share without a membership file is refused.
#[test]
fn an_overlay_from_a_membership_file_with_population_shares() {
    let dir = tempfile::tempdir().unwrap();
    let atlas = dir.path().join("koeln");
    koeln_atlas(&atlas);
    std::fs::write(
        atlas.join("anteile.csv"),
        "gebiet;stadtteil;anteil\nA;101;0,5\nA;103;1\n",
    )
    .unwrap();
    let base = std::fs::read_to_string(atlas.join("atlas.toml")).unwrap();
    let overlay = r#"
[[overlay]]
id = "aktionsraum"
name = { de = "Aktionsraum", en = "Action area" }
areas = [{ key = "A", name = "Testraum" }]
members = "stadtteil"
shares = "population"
[overlay.membership]
file = "anteile.csv"
overlay = "gebiet"
member = "stadtteil"
share = "anteil"
"#;
    // The overlay must come before the data tables in the TOML file.
    let with = |o: &str| base.replacen("[[data]]", &format!("{o}\n[[data]]"), 1);
    std::fs::write(atlas.join("atlas.toml"), with(overlay)).unwrap();
    let (_, (h, rows)) = build_and_export(dir.path(), &atlas, "m");
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let row = rows
        .iter()
        .find(|r| {
            r[c("indicator_id")] == "auslaenderanteil"
                && r[c("level")] == "Action area"
                && r[c("year")] == "2012"
        })
        .expect("the overlay's row");
    let (ew101, aus101) = official("stadtteil", "101", "2012");
    let (ew103, aus103) = official("stadtteil", "103", "2012");
    let (num, den) = (0.5 * aus101 + aus103, 0.5 * ew101 + ew103);
    // Estimated counts are whole in the data pool; the rate comes from the unrounded estimates.
    assert_eq!(row[c("denominator")], format!("{}", den.round()));
    let value: f64 = row[c("value")].parse().unwrap();
    assert!((value - num / den * 100.0).abs() < 1e-9, "{value}");
    assert_eq!(
        row[c("value_basis")],
        "estimated from shares of the member areas (by population)"
    );
    // Population shares need a membership file.
    let geometric = overlay
        .split("[overlay.membership]")
        .next()
        .unwrap()
        .replace(
            "areas = [{ key = \"A\", name = \"Testraum\" }]",
            "boundaries = \"stadtbezirke.geojson\"\nkey = \"stadtbezirk_nr\"",
        );
    std::fs::write(atlas.join("atlas.toml"), with(&geometric)).unwrap();
    let r = run(&["check", atlas.to_str().unwrap()]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("overlay `aktionsraum`: shares")
            && r.stderr
                .contains("shares = \"population\" without a membership file"),
        "{}",
        r.stderr
    );
}
