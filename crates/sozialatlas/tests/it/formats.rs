//! The same real data in other shapes load to the same figures: a long table in German Excel
//! style (`;`, decimal comma, Windows-1252), and an XLSX workbook.

use crate::common::*;

const BLOCK: &str = "[[data]]\nfile = \"data/migration_background_by_district.csv\"\nlevel = \"stadtteil\"\narea = \"district_id\"\nperiod = \"year\"\n[data.variables]\nmigration_foreign = \"foreign_citizenship\"\nmigration_german = \"german_citizenship\"\n";

fn migration_rows() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(
        repo().join("examples/flensburg/data/migration_background_by_district.csv"),
    )
    .unwrap();
    parse_csv(&text, b',').1
}

/// Writes the migration rows as numbers (name as text) from sheet row `first` (0-based);
/// returns the row after the last.
fn write_migration_rows(ws: &mut rust_xlsxwriter::Worksheet, first: u32) -> u32 {
    let rows = migration_rows();
    for (i, r) in rows.iter().enumerate() {
        let row = first + i as u32;
        for c in [0, 1, 3, 4] {
            ws.write_number(row, c, r[c as usize].parse::<f64>().unwrap())
                .unwrap();
        }
        ws.write_string(row, 2, &r[2]).unwrap();
    }
    first + rows.len() as u32
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
    assert_eq!(build_store(&atlas, &db).code, 0);
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
    let r = build_store(&atlas, &db);
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
    write_migration_rows(ws, 1);
    wb.save(atlas.join("data/migration.xlsx")).unwrap();
    edit(
        &atlas.join("atlas.toml"),
        BLOCK,
        "[[data]]\nfile = \"data/migration.xlsx\"\nsheet = \"Migration\"\nlevel = \"stadtteil\"\narea = \"Stadtteil\"\nperiod = \"Jahr\"\n[data.variables]\nmigration_foreign = \"Ausländer\"\nmigration_german = \"Deutsche mit MH\"\n",
    );
    let db = dir.path().join("x.db");
    let r = build_store(&atlas, &db);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(pool(db.to_str().unwrap()), reference());

    // A sheet that is not there names the sheets that are.
    edit(
        &atlas.join("atlas.toml"),
        "sheet = \"Migration\"",
        "sheet = \"Tabelle1\"",
    );
    let r = build_store(&atlas, &db);
    r.refused("data/migration.xlsx, column `sheet`: expected a sheet `Tabelle1`, found the sheets `Migration`");
}

/// The migration table as a statistics office publishes it: title rows, a two-row header with
/// merged cells, a units row, notes below the table.
fn office_workbook(path: &std::path::Path) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Tabelle 3").unwrap();
    let f = Format::new();
    ws.write_string(
        0,
        0,
        "Bevölkerung mit Migrationshintergrund in den Stadtteilen",
    )
    .unwrap();
    ws.write_string(1, 0, "Stand: jeweils 31.12.").unwrap();
    // Rows 4 and 5 (Excel numbering): the header.
    ws.merge_range(3, 0, 4, 0, "Jahr", &f).unwrap();
    ws.merge_range(3, 1, 4, 1, "Stadt-\nteil", &f).unwrap();
    ws.merge_range(3, 2, 4, 2, "Name", &f).unwrap();
    ws.merge_range(3, 3, 3, 4, "Einwohner mit Migrations-\nhintergrund", &f)
        .unwrap();
    ws.write_string(4, 3, "Ausländer").unwrap();
    ws.write_string(4, 4, "Deutsche mit MH¹").unwrap();
    // Row 6: units.
    ws.write_string(5, 3, "Anzahl").unwrap();
    ws.write_string(5, 4, "Anzahl").unwrap();
    let end = write_migration_rows(ws, 6);
    ws.write_string(
        end + 1,
        0,
        "¹ Deutsche mit Migrationshintergrund: Eingebürgerte, Spätaussiedler, Doppelstaatler.",
    )
    .unwrap();
    ws.write_string(
        end + 2,
        0,
        "Quelle: Stadt Flensburg, Einwohnermelderegister",
    )
    .unwrap();
    wb.save(path).unwrap();
}

const OFFICE_BLOCK: &str = "[[data]]\nfile = \"data/tabelle3.xlsx\"\nsheet = \"Tabelle 3\"\nheader_row = [4, 5]\nskip_rows = [6]\nlevel = \"stadtteil\"\narea = \"Stadt- teil\"\nperiod = \"Jahr\"\n[data.variables]\nmigration_foreign = \"Einwohner mit Migrations- hintergrund / Ausländer\"\nmigration_german = \"Einwohner mit Migrations- hintergrund / Deutsche mit MH¹\"\n";

#[test]
fn xlsx_as_the_statistics_office_publishes_it() {
    let (dir, atlas) = scratch("flensburg");
    office_workbook(&atlas.join("data/tabelle3.xlsx"));
    edit(&atlas.join("atlas.toml"), BLOCK, OFFICE_BLOCK);
    let db = dir.path().join("x.db");
    let (a, d) = (atlas.to_str().unwrap(), db.to_str().unwrap());
    let r = run(&["build", a, "--db", d]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(pool(d), reference());

    // Without skip_rows the units row is a row without an area key.
    edit(&atlas.join("atlas.toml"), "skip_rows = [6]\n", "");
    let r = run(&["check", a]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "data/tabelle3.xlsx, line 6, column `Stadt- teil`: expected a key of level `stadtteil`"
        ),
        "{}",
        r.stderr
    );
    // One header row: the columns are named by row 5 alone, and the error lists them.
    edit(
        &atlas.join("atlas.toml"),
        "header_row = [4, 5]\n",
        "header_row = 5\nskip_rows = [6]\n",
    );
    let r = run(&["check", a]);
    r.refused("data/tabelle3.xlsx, line 5: expected a column `Einwohner mit Migrations- hintergrund / Ausländer` (variable `migration_foreign`), found the columns `Jahr`, `Stadt- teil`, `Name`, `Ausländer`, `Deutsche mit MH¹`");
}
