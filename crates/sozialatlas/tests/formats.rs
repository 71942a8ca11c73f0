//! The same real data in other shapes load to the same figures: a long table in German Excel
//! style (`;`, decimal comma, Windows-1252), and an XLSX workbook.

mod common;
use common::*;

const BLOCK: &str = "[[data]]\nfile = \"data/migration_background_by_district.csv\"\nlevel = \"stadtteil\"\narea = \"district_id\"\nperiod = \"year\"\n[data.variables]\nmigration_foreign = \"foreign_citizenship\"\nmigration_german = \"german_citizenship\"\n";

fn migration_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(
        repo().join("examples/flensburg/data/migration_background_by_district.csv"),
    )
    .unwrap();
    parse_csv(&text, b',').1
}

fn pool(db: &str) -> String {
    let r = run(&[
        "export",
        "--db",
        db,
        "--format",
        "csv",
        "--indicators",
        "migrationshintergrund",
        "--out",
        "-",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

fn reference() -> String {
    let (dir, atlas) = scratch("flensburg");
    let db = dir.path().join("ref.db");
    assert_eq!(
        run(&[
            "build",
            atlas.to_str().unwrap(),
            "--db",
            db.to_str().unwrap()
        ])
        .code,
        0
    );
    pool(db.to_str().unwrap())
}

#[test]
fn long_german_windows_1252_table() {
    let (dir, atlas) = scratch("flensburg");
    // Long layout: Jahr;Stadtteil;Name;Merkmal;Wert, names in Windows-1252, values with a
    // decimal comma (",0" keeps them whole numbers).
    let mut text = String::from("Jahr;Stadtteil;Name;Merkmal;Wert\r\n");
    for r in migration_rows() {
        text += &format!("{};{};{};Ausländer;{},0\r\n", r[0], r[1], r[2], r[3]);
        text += &format!("{};{};{};Deutsche mit MH;{},0\r\n", r[0], r[1], r[2], r[4]);
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(
        bytes.contains(&0xfc),
        "the file must really be Windows-1252 (ü)"
    );
    std::fs::write(atlas.join("data/migration_long.csv"), &bytes).unwrap();
    edit(
        &atlas.join("atlas.toml"),
        BLOCK,
        "[[data]]\nfile = \"data/migration_long.csv\"\nlevel = \"stadtteil\"\nlayout = \"long\"\narea = \"Stadtteil\"\nperiod = \"Jahr\"\nvariable_column = \"Merkmal\"\nvalue_column = \"Wert\"\n[data.variable_names]\n\"Ausländer\" = \"migration_foreign\"\n\"Deutsche mit MH\" = \"migration_german\"\n",
    );
    let db = dir.path().join("long.db");
    let r = run(&[
        "build",
        atlas.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(pool(db.to_str().unwrap()), reference());
}

#[test]
fn xlsx_workbook() {
    let (dir, atlas) = scratch("flensburg");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Migration").unwrap();
    for (c, h) in ["Jahr", "Stadtteil", "Name", "Ausländer", "Deutsche mit MH"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, r) in migration_rows().iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, r[0].parse::<f64>().unwrap())
            .unwrap();
        ws.write_number(row, 1, r[1].parse::<f64>().unwrap())
            .unwrap();
        ws.write_string(row, 2, &r[2]).unwrap();
        ws.write_number(row, 3, r[3].parse::<f64>().unwrap())
            .unwrap();
        ws.write_number(row, 4, r[4].parse::<f64>().unwrap())
            .unwrap();
    }
    wb.save(atlas.join("data/migration.xlsx")).unwrap();
    edit(
        &atlas.join("atlas.toml"),
        BLOCK,
        "[[data]]\nfile = \"data/migration.xlsx\"\nsheet = \"Migration\"\nlevel = \"stadtteil\"\narea = \"Stadtteil\"\nperiod = \"Jahr\"\n[data.variables]\nmigration_foreign = \"Ausländer\"\nmigration_german = \"Deutsche mit MH\"\n",
    );
    let db = dir.path().join("x.db");
    let r = run(&[
        "build",
        atlas.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(pool(db.to_str().unwrap()), reference());

    // A sheet that is not there names the sheets that are.
    edit(
        &atlas.join("atlas.toml"),
        "sheet = \"Migration\"",
        "sheet = \"Tabelle1\"",
    );
    let r = run(&[
        "build",
        atlas.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("data/migration.xlsx, column `sheet`: expected a sheet `Tabelle1`, found the sheets `Migration`"), "{}", r.stderr);
}
