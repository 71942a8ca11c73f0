//! `sozialatlas aggregate` end to end: the same records in WGS84 and in EPSG:25832 give the
//! same counts per Stadtteil; records outside are reported.

mod common;
use common::*;

#[test]
fn counts_agree_across_crs_and_outside_points_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let tr = sozialatlas_geo::Transformer::new("EPSG:4326", "EPSG:25832").unwrap();
    let (mut wgs, mut utm) = (
        String::from("id;lon;lat;jahr\n"),
        String::from("id,x,y,jahr\n"),
    );
    // A deterministic scatter over Flensburg and a bit beyond.
    let mut s: u64 = 42;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..3000 {
        let (lon, lat) = (9.36 + 0.16 * next(), 54.75 + 0.09 * next());
        let year = if i % 3 == 0 { 2021 } else { 2022 };
        // German style: `;` and decimal comma.
        wgs.push_str(&format!(
            "{i};{};{};{year}\n",
            format!("{lon:.7}").replace('.', ","),
            format!("{lat:.7}").replace('.', ",")
        ));
        let (x, y) = tr.transform_point(lon, lat).unwrap();
        utm.push_str(&format!("{i},{x:.4},{y:.4},{year}\n"));
    }
    let (pw, pu) = (dir.path().join("wgs.csv"), dir.path().join("utm.csv"));
    std::fs::write(&pw, wgs).unwrap();
    std::fs::write(&pu, utm).unwrap();
    let a = run(&[
        "aggregate",
        "--areas",
        "stadtteil",
        "--points",
        pw.to_str().unwrap(),
        "--x",
        "lon",
        "--y",
        "lat",
        "--crs",
        "4326",
        "--group",
        "jahr",
        "--out",
        "-",
    ]);
    assert_eq!(a.code, 0, "{}", a.stderr);
    let b = run(&[
        "aggregate",
        "--areas",
        "stadtteil",
        "--points",
        pu.to_str().unwrap(),
        "--x",
        "x",
        "--y",
        "y",
        "--crs",
        "25832",
        "--group",
        "jahr",
        "--out",
        "-",
    ]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert_eq!(a.stdout, b.stdout);
    let (h, rows) = parse_csv(&a.stdout, b',');
    assert_eq!(h, vec!["stadtteil", "jahr", "count"]);
    assert_eq!(rows.len(), 26);
    let inside: u64 = rows.iter().map(|r| r[2].parse::<u64>().unwrap()).sum();
    assert!(
        a.stderr.contains(&format!(
            "3000 records: {inside} assigned to 13 areas, {} outside every area",
            3000 - inside
        )),
        "{}",
        a.stderr
    );
    assert!(inside > 500 && inside < 3000);
    assert!(
        a.stderr.contains("outside every area (first"),
        "{}",
        a.stderr
    );

    let bad = run(&[
        "aggregate",
        "--areas",
        "kiez",
        "--points",
        pw.to_str().unwrap(),
        "--x",
        "lon",
        "--y",
        "lat",
        "--out",
        "-",
    ]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("expected a boundary file or a level of the atlas"),
        "{}",
        bad.stderr
    );
    let bad = run(&[
        "aggregate",
        "--areas",
        "stadtteil",
        "--points",
        pw.to_str().unwrap(),
        "--x",
        "lon",
        "--y",
        "breite",
        "--out",
        "-",
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("breite"), "{}", bad.stderr);
}
