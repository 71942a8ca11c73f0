//! Boundary vintages and crosswalks on the real Berlin LOR reform (`examples/berlin`, from
//! `../shared/data/berlin-lor-2019-2021`): 448 Planungsräume until 2020, 542 with new keys from
//! 2021, an area-based crosswalk, and the residents of 31.12.2020 on both vintages. The atlas is
//! built once (about 10 s in a debug build) and shared by the tests of this module; a broken
//! crosswalk or vintage table is refused before anything is computed.

use crate::common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The residents of Berlin on 31.12.2020 (AfS on the 448 old PLR; MSS 2021 on the 542 new
/// ones): the data folder's README gives this total for both vintages.
const TOTAL_2020: i64 = 3_769_962;

/// `examples/berlin` built into a store under the test target's scratch folder, once per test
/// binary (also the address register's tests use it).
pub(crate) fn berlin_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let db = Path::new(env!("CARGO_TARGET_TMPDIR")).join("berlin-vintage.db");
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", db.display()));
        }
        let atlas = repo().join("examples/berlin");
        let r = build_store(&atlas, &db);
        assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
        db
    })
}

fn number(d: &calamine::Data) -> Option<f64> {
    match d {
        calamine::Data::Float(f) => Some(*f),
        calamine::Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// A converted count in millionths: converted counts are `Σ (millionths × count) / 10⁶`, so
/// this is exact, and sums of them can be compared with whole totals without a tolerance.
fn millionths(x: f64) -> i64 {
    (x * 1e6).round() as i64
}

/// A column of a CSV file of the data folder, by key, for the rows of `date`.
fn official(file: &str, date: &str, column: &str) -> BTreeMap<String, f64> {
    let text =
        std::fs::read_to_string(shared_data().join("berlin-lor-2019-2021").join(file)).unwrap();
    let (h, rows) = parse_csv(&text, b',');
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    rows.iter()
        .filter(|r| r[c("date")] == date && !r[c(column)].is_empty())
        .map(|r| (r[c("plr_id")].clone(), r[c(column)].parse().unwrap()))
        .collect()
}

/// The converted counts of 2020 on the 542 new PLR (the numerator and denominator of the share
/// of women: the residents are also given on the new PLR for 2020, so the conversion shows as
/// the base of the shares) sum exactly to the old PLR's totals and to the official total on the
/// new PLR; the unchanged PLR match the official counts on the new boundaries, but for two whose
/// difference the crosswalk explains.
#[test]
fn berlin_converted_counts_add_up_and_match_the_unchanged_areas() {
    let (h, rows) = data_pool_xlsx(berlin_db());
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let of = |ind: &str, level: &str, year: f64| -> BTreeMap<String, &Vec<calamine::Data>> {
        rows.iter()
            .filter(|r| {
                r[c("indicator_id")] == ind
                    && r[c("level")] == level
                    && r[c("year")] == calamine::Data::Float(year)
                    && !r[c("area_key")].to_string().is_empty()
            })
            .map(|r| (r[c("area_key")].to_string(), r))
            .collect()
    };
    let women = of("anteil_frauen", "Planning area", 2020.0);
    assert_eq!(women.len(), 542);
    for (k, r) in &women {
        assert_eq!(
            r[c("value_basis")].to_string(),
            "converted from earlier boundaries (crosswalk by area)",
            "PLR {k}"
        );
    }
    let converted = |col: &str| -> BTreeMap<&str, i64> {
        women
            .iter()
            .map(|(k, r)| (k.as_str(), millionths(number(&r[c(col)]).unwrap())))
            .collect()
    };
    let (ew, female) = (converted("denominator"), converted("numerator"));
    // The official total of 31.12.2020, on both vintages.
    let old_ew = official("population_plr_until2020.csv", "2020-12-31", "ew_total");
    let new_ew = official("population_plr_2021.csv", "2020-12-31", "ew_total");
    assert_eq!((old_ew.len(), new_ew.len()), (448, 542));
    assert_eq!(old_ew.values().sum::<f64>(), TOTAL_2020 as f64);
    assert_eq!(new_ew.values().sum::<f64>(), TOTAL_2020 as f64);
    assert_eq!(ew.values().sum::<i64>(), TOTAL_2020 * 1_000_000);
    // The round trip: the converted women sum to the old PLR's women.
    let old_female = official("population_plr_until2020.csv", "2020-12-31", "ew_female");
    assert_eq!(
        female.values().sum::<i64>(),
        old_female.values().sum::<f64>() as i64 * 1_000_000
    );
    // The official counts on the new PLR are what the atlas shows as their residents of 2020.
    let shown = of("einwohner", "Planning area", 2020.0);
    for (k, x) in &new_ew {
        let r = shown[k];
        assert_eq!(number(&r[c("value")]), Some(*x), "PLR {k}");
        assert_eq!(r[c("value_basis")].to_string(), "official (as given)");
    }
    let city = of("einwohner", "City", 2020.0);
    assert_eq!(
        number(&city["11000000"][c("value")]),
        Some(TOTAL_2020 as f64)
    );

    // The unchanged PLR: every crosswalk row into them is marked `unchanged` (≥ 99 % of the old
    // and of the new area).
    let text = std::fs::read_to_string(
        repo().join("examples/berlin/daten/umschluesselung_plr_2019_2021.csv"),
    )
    .unwrap();
    let (ch, crows) = parse_csv(&text, b',');
    let cc = |n: &str| ch.iter().position(|x| x == n).unwrap();
    let mut all_unchanged: BTreeMap<&str, bool> = BTreeMap::new();
    for r in &crows {
        *all_unchanged.entry(&r[cc("new_plr_id")]).or_insert(true) &= r[cc("unchanged")] == "True";
    }
    let unchanged: BTreeSet<&str> = all_unchanged
        .iter()
        .filter(|e| *e.1)
        .map(|e| *e.0)
        .collect();
    assert_eq!(unchanged.len(), 285);
    let differ: BTreeMap<&str, (f64, f64)> = unchanged
        .iter()
        .filter(|&&k| ew[k] != millionths(new_ew[k]))
        .map(|&k| (k, (ew[k] as f64 / 1e6, new_ew[k])))
        .collect();
    // 283 of 285 agree exactly. The two others, as the data folder's README counts them:
    // - 02200210 Urbanstraße: 0.75 % of the old area (a strip on the Landwehrkanal where nobody
    //   lives) lies in a neighbouring new PLR, so the area weights move 0.75 % of its 12,384
    //   residents out of it;
    // - 04300623 Karl-August-Platz: 0.48 % of the old area lies in the new Hindemithplatz, a piece
    //   below 1 % of both areas that the crosswalk drops as a sliver; the 34 residents living
    //   there are counted in Hindemithplatz on the new boundaries.
    assert_eq!(
        differ.keys().copied().collect::<Vec<_>>(),
        ["02200210", "04300623"],
        "{differ:?}"
    );
    let (urban, official_urban) = differ["02200210"];
    assert_eq!(official_urban, old_ew["02020204"]);
    assert!(
        (urban - 0.99247239 * official_urban).abs() < 0.01,
        "{urban}"
    );
    assert_eq!(differ["04300623"], (old_ew["04030827"], 12_121.0));
    assert_eq!(old_ew["04030827"] - 12_121.0, 34.0);
    assert_eq!(new_ew["04501040"] - old_ew["04030929"], 34.0);

    // The old PLR stay a level of their own, named with their vintage, with the official counts.
    let old = of("einwohner", "Planning area (2019 boundaries)", 2020.0);
    assert_eq!(old.len(), 448);
    for (k, x) in &old_ew {
        assert_eq!(number(&old[k][c("value")]), Some(*x), "old PLR {k}");
    }
    // S3 is published with a weight: a Bezirk whose PLR all have a value gets their mean
    // weighted by the residents (by hand from the MSS table: Mitte); one with a PLR without index
    // values (Pankow) and the city get none; S1 has no weight and no value above the PLR.
    let mss =
        std::fs::read_to_string(repo().join("examples/berlin/daten/mss_2021_plr.csv")).unwrap();
    let (mh, mrows) = parse_csv(&mss, b',');
    let mc = |n: &str| mh.iter().position(|x| x == n).unwrap();
    let (mut sw, mut swx) = (0.0, 0.0);
    for r in mrows.iter().filter(|r| r[mc("bezirk_id")] == "01") {
        let w: f64 = r[mc("ew_2020")].parse().unwrap();
        sw += w;
        swx += w * r[mc("s3")].parse::<f64>().unwrap();
    }
    let s3 = of("mss_s3", "Borough", 2020.0);
    let mitte = number(&s3["01"][c("value")]).unwrap();
    assert!((mitte - swx / sw).abs() < 1e-9, "{mitte} vs {}", swx / sw);
    assert!(
        s3["01"][c("value_basis")]
            .to_string()
            .starts_with("weighted mean")
    );
    assert_eq!(number(&s3["03"][c("value")]), None);
    assert_eq!(
        number(&of("mss_s3", "City", 2020.0)["11000000"][c("value")]),
        None
    );
    assert!(
        of("mss_s1", "Borough", 2020.0)
            .values()
            .all(|r| number(&r[c("value")]).is_none())
    );
    // 2021 is the new vintage's own year: nothing converted.
    let w21 = of("anteil_frauen", "Planning area", 2021.0);
    assert_eq!(w21.len(), 542);
    assert!(
        w21.values()
            .all(|r| !r[c("value_basis")].to_string().starts_with("converted"))
    );
}

/// Converted values are marked in the CSV data pool, the JSON API, the indicator page (table,
/// note, map subtitle and tooltips, change view), its table download and the area profile (the
/// pages through `sozialatlas serve` on the Berlin store). The report (about 50 s for Berlin in a
/// debug build) is tested in `crates/report/tests/report.rs`.
#[test]
fn berlin_converted_values_are_marked_in_every_output() {
    let db = berlin_db().to_str().unwrap();
    // The data pool as German CSV: the basis in words, converted counts whole.
    let e = run(&["export", "--db", db, "--format", "csv", "--out", "-"]);
    assert_eq!(e.code, 0, "{}", e.stderr);
    let (h, rows) = parse_csv(&e.stdout, b';');
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let row = rows
        .iter()
        .find(|r| {
            r[c("Indikator-ID")] == "anteil_frauen"
                && r[c("Gebietsschlüssel")] == "09501737"
                && r[c("Jahr")] == "2020"
        })
        .expect("Alt-Friedrichshagen 2020");
    assert_eq!(
        row[c("Art des Werts")],
        "umgerechnet von früheren Gebietsgrenzen (Umschlüsselung nach Fläche)"
    );
    assert!(
        !row[c("Zähler")].contains(','),
        "a converted count is whole: {}",
        row[c("Zähler")]
    );

    let server = Server::start(&["--db", db]);
    let (status, body) = server.get("/api/v1/indicators/anteil_frauen/plr/2020");
    assert_eq!(status, 200);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    let values = json["values"].as_array().unwrap();
    assert_eq!(values.len(), 542);
    assert!(values.iter().all(|v| v["basis"] == "converted"), "{body}");
    let (_, body) = server.get("/api/v1/indicators/anteil_frauen/plr/2021");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(
        json["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["basis"] != "converted")
    );

    let (status, page) = server.get("/indicators/anteil_frauen/plr/2020");
    assert_eq!(status, 200);
    let label = "umgerechnet von früheren Gebietsgrenzen (Umschlüsselung nach Fläche)";
    // The table's mark with the label as its title, the note under the table, the map's
    // subtitle and each area's tooltip.
    assert!(
        page.contains(&format!("<abbr class=\"flag\" title=\"{label}\">≈</abbr>")),
        "no mark in the table"
    );
    assert!(
        page.contains(&format!("≈ {label}.")),
        "no note under the table"
    );
    assert!(
        page.contains(&format!("Planungsraum · 2020 · ≈ {label}")),
        "no map subtitle"
    );
    assert!(
        page.contains("<title>Alt-Friedrichshagen (umgerechnet): "),
        "no tooltip"
    );
    let (_, page21) = server.get("/indicators/anteil_frauen/plr/2021");
    assert!(!page21.contains("umgerechnet"), "2021 is not converted");
    let (status, table) = server.get("/indicators/anteil_frauen/plr/2020.csv");
    assert_eq!(status, 200);
    assert!(
        table.contains(label),
        "the table download names the conversion"
    );
    // A change across the reform rests on converted values: marked the same.
    let (_, change) = server.get("/indicators/anteil_frauen/plr/2021?compare=2019");
    assert!(
        change.contains(&format!("≈ {label}.")),
        "no note under the change table"
    );
    // The area profile names the converted years in the time series.
    let (_, profile) = server.get("/areas/plr/09501737");
    assert!(
        profile.contains("Anteil Frauen Alt-Friedrichshagen (2019, 2020 umgerechnet)"),
        "no converted years in the profile's time series"
    );
}

/// A crosswalk or vintage table that cannot be right is refused by `check` and `build` with file,
/// line and column or field, exit code 2, and the store keeps its atlas.
#[test]
fn a_bad_crosswalk_is_refused_and_the_store_is_unchanged() {
    const CW: &str = "daten/umschluesselung_plr_2019_2021.csv";
    let first = "01011101,Stülerstraße,01100101,Stülerstraße,366486.8,0.99915986,0.99928799,1.0,";
    let cases: [(&str, &str, String, &[&str]); 5] = [
        // The shares of an old PLR do not sum to 1.
        (
            CW,
            first,
            first.replace(",1.0,", ",0.9,"),
            &[
                CW,
                "line 2",
                "column `weight_old_to_new`",
                "expected shares of each old area that sum to 1",
                "found `01011101`: 0.9 on line 2",
            ],
        ),
        // An old key that is no PLR of the old vintage.
        (
            CW,
            "01011101,Stülerstraße,01100101",
            "01011199,Stülerstraße,01100101".into(),
            &[
                CW,
                "line 2",
                "column `old_plr_id`",
                "expected a key of vintage `2019` of level `plr`",
                "found `01011199`",
            ],
        ),
        // A new key that is no PLR of the 2021 vintage.
        (
            CW,
            "Stülerstraße,01100101,",
            "Stülerstraße,01100199,".into(),
            &[
                CW,
                "line 2",
                "column `new_plr_id`",
                "expected a key of level `plr` (vintage `2021`, valid from 2021)",
                "found `01100199`",
            ],
        ),
        // Two vintages for the same years.
        (
            "atlas.toml",
            "from = 2021",
            "from = 2019".into(),
            &[
                "atlas.toml",
                "level `plr`: vintage: from",
                "expected vintages in the order of their years, each `from` after the one before (2019)",
                "found vintage `2021` from 2019",
            ],
        ),
        // A year no vintage is valid for.
        (
            "atlas.toml",
            "period_value = 2019\nwhere = { date = \"2019-12-31\" }\n[data.variables]",
            "period_value = 2018\nwhere = { date = \"2019-12-31\" }\n[data.variables]".into(),
            &[
                "daten/einwohner_plr_2019.csv",
                "line 2",
                "column `period_value`",
                "expected a year in which a vintage of level `plr` is valid (`2019` 2019–2020, `2021` from 2021; or set `vintage` for this data file)",
                "found 2018",
            ],
        ),
    ];
    let before = std::fs::read(berlin_db()).unwrap();
    for (file, from, to, expected) in cases {
        let (dir, atlas) = scratch("berlin");
        edit(&atlas.join(file), from, &to);
        let db = dir.path().join("berlin.db");
        std::fs::copy(berlin_db(), &db).unwrap();
        let c = run(&["check", atlas.to_str().unwrap()]);
        let r = build_store(&atlas, &db);
        for run in [&c, &r] {
            assert_eq!(run.code, 2, "{to}: {}{}", run.stdout, run.stderr);
            for part in expected {
                assert!(
                    run.stderr.contains(part),
                    "{to}: no {part:?} in {}",
                    run.stderr
                );
            }
        }
        assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
        assert!(
            std::fs::read(&db).unwrap() == before,
            "{to}: the store changed after a failed build"
        );
    }
}
