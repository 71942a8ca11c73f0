//! `sozialatlas participation`: the staff's work from the command line on a store with the
//! example process — listing, the council export (CSV and XLSX), the progress template and the
//! bulk progress update (as a process manager, all rows or none, problems named with line and
//! column, audit-logged), and the refusals (unknown process or state, a participant acting).

use crate::common::*;

use calamine::Reader;
use sozialatlas_core::Locale;
use sozialatlas_participation::{export, measure};

/// A built Flensburg store with the example process; returns the process id.
fn store_with_example(dir: &std::path::Path) -> (std::path::PathBuf, i64) {
    let (_keep, atlas) = scratch("flensburg");
    let db = dir.join("fl.db");
    let r = build_store(&atlas, &db);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let id = rt().block_on(async {
        let pool = sozialatlas_store::open(db.to_str().unwrap()).await.unwrap();
        let snap = sozialatlas_store::read_snapshot(&pool).await.unwrap();
        let state = sozialatlas_web::AppState::new(snap, pool.clone());
        let id = sozialatlas_web::seed_participation_example(&state)
            .await
            .unwrap();
        pool.close().await;
        id
    });
    (db, id)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn measures(db: &std::path::Path, process: i64) -> Vec<measure::Measure> {
    rt().block_on(async {
        let pool = sozialatlas_store::open(db.to_str().unwrap()).await.unwrap();
        let ms = measure::list_measures(&pool, Some(process)).await.unwrap();
        pool.close().await;
        ms
    })
}

#[test]
fn staff_work_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (db, pid) = store_with_example(dir.path());
    let d = db.to_str().unwrap();
    let p = pid.to_string();
    // `sozialatlas participation SUB --db D --process P ARGS…`
    let pc = |sub: &str, args: &[&str]| {
        let mut all = vec!["participation", sub, "--db", d, "--process", &p];
        all.extend_from_slice(args);
        run(&all)
    };
    // `… progress --file FILE --as WHO MORE…`
    let progress = |file: &std::path::Path, who: &str, more: &[&str]| {
        let mut args = vec!["--file", file.to_str().unwrap(), "--as", who];
        args.extend_from_slice(more);
        pc("progress", &args)
    };

    // The processes with the phase of today and the ideas by state.
    let r = run(&["participation", "processes", "--db", d]);
    r.says("Aktionsplan Soziale Stadt (Beispiel)");
    assert!(r.stdout.contains("[example content]"), "{}", r.stdout);
    assert!(r.stdout.contains("phase today: "), "{}", r.stdout);

    // Ideas, filtered by state; the count line agrees with the lines listed.
    let all = pc("ideas", &[]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let listed = all
        .stdout
        .lines()
        .filter(|l| l.contains("supports"))
        .count();
    assert!(listed >= 3, "{}", all.stdout);
    assert!(
        all.stdout.ends_with(&format!("{listed} idea(s)\n")),
        "{}",
        all.stdout
    );
    let acc = pc("ideas", &["--state", "accepted"]);
    assert_eq!(acc.code, 0);
    let n_acc = acc
        .stdout
        .lines()
        .filter(|l| l.contains("supports"))
        .count();
    assert!(n_acc < listed);
    assert!(
        acc.stdout
            .lines()
            .filter(|l| l.contains("supports"))
            .all(|l| l.contains(" accepted "))
    );

    // Bad input: unknown state, process, area.
    let r = pc("ideas", &["--state", "done"]);
    r.refused("--state done: expected one of");
    let r = run(&["participation", "ideas", "--db", d, "--process", "999"]);
    r.refused("--process 999: no such process");
    let r = pc("ideas", &["--area", "99999"]);
    r.refused("--area 99999: not an action area");

    // The council export, CSV: German header, one row per public idea.
    let csv_path = dir.path().join("ideen.csv");
    let r = pc("export", &["--out", csv_path.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let header: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        export::header(Locale::De),
        "the export's German header"
    );
    let rows = rd.records().count();
    assert!(rows >= 1 && rows <= listed, "{rows} rows, {listed} ideas");
    assert!(
        r.stderr.contains(&format!("{rows} idea(s) exported")),
        "{}",
        r.stderr
    );

    // XLSX, English: the same rows.
    let xlsx_path = dir.path().join("ideas.xlsx");
    let r = pc(
        "export",
        &[
            "--format",
            "xlsx",
            "--locale",
            "en",
            "--out",
            xlsx_path.to_str().unwrap(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx_path).unwrap();
    let sheet = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&sheet).unwrap();
    let cells: Vec<String> = range.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        export::header(Locale::En)
            .iter()
            .all(|h| cells.iter().any(|c| c == h)),
        "the English header: {cells:?}"
    );
    assert_eq!(
        range
            .rows()
            .filter(|r| r[0].to_string().contains('-'))
            .count(),
        rows,
        "one row per exported idea"
    );

    // The measures and the progress template.
    let before = measures(&db, pid);
    let leaf = before
        .iter()
        .find(|m| !m.rolled.has_parts && m.status != measure::Status::Done)
        .expect("the example has a measure without parts that is not done");
    let r = pc("measures", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&leaf.code), "{}", r.stdout);
    let r = pc("progress-template", &["--out", "-"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let template = r.stdout.trim_start_matches('\u{feff}').to_string();
    assert!(
        template.starts_with("Kennung;Fortschritt;Status;Datum;Notiz"),
        "{template}"
    );
    let line = template
        .lines()
        .find(|l| l.starts_with(&format!("{};", leaf.code)))
        .expect("the leaf measure is in the template");
    let new_progress = if leaf.progress == 55 { 60 } else { 55 };
    let cols: Vec<&str> = line.split(';').collect();
    let updated = format!(
        "Kennung;Fortschritt;Status;Datum;Notiz\n{};{new_progress};{};{};Baustelle eingerichtet\n",
        cols[0], cols[2], cols[3]
    );

    // A participant may not update; nothing changes.
    let up = dir.path().join("fortschritt.csv");
    std::fs::write(&up, &updated).unwrap();
    let r = progress(&up, "teilnahme@example.org", &[]);
    r.refused("not allowed");

    // A bad row: named with file, line and column; all rows or none.
    let bad_path = dir.path().join("schlecht.csv");
    std::fs::write(
        &bad_path,
        format!("{updated}{};150;{};{};zu viel\n", cols[0], cols[2], cols[3]),
    )
    .unwrap();
    let r = progress(&bad_path, "prozess@example.org", &[]);
    r.refused("schlecht.csv");
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    assert!(r.stderr.contains("Fortschritt"), "{}", r.stderr);
    let unchanged = measures(&db, pid);
    assert_eq!(
        unchanged.iter().find(|m| m.id == leaf.id).unwrap().progress,
        leaf.progress,
        "a file with a bad row changes nothing"
    );

    // Dry run: says what would change, writes nothing.
    let r = progress(&up, "prozess@example.org", &["--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!("progress {new_progress} %")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("1 measure(s) would be updated"),
        "{}",
        r.stdout
    );
    assert_eq!(
        measures(&db, pid)
            .iter()
            .find(|m| m.id == leaf.id)
            .unwrap()
            .progress,
        leaf.progress
    );

    // The process manager's update.
    let r = progress(&up, "prozess@example.org", &[]);
    r.says("1 measure(s) updated");
    let after = measures(&db, pid);
    assert_eq!(
        after.iter().find(|m| m.id == leaf.id).unwrap().progress,
        new_progress
    );
    let notes = rt().block_on(async {
        let pool = sozialatlas_store::open(d).await.unwrap();
        let u = measure::updates(&pool, leaf.id).await.unwrap();
        let (audit, _) = sozialatlas_accounts::list_audit(&pool, &Default::default(), 200, 0)
            .await
            .unwrap();
        pool.close().await;
        (u, audit)
    });
    assert!(notes.0.iter().any(|u| u.body == "Baustelle eingerichtet"));
    assert!(
        notes.1.iter().any(|a| a.action == "measure.bulk_update"),
        "the update is in the audit log"
    );

    // An unknown account.
    let r = progress(&up, "niemand@example.org", &[]);
    r.refused("no account with this e-mail address");
}

#[test]
fn a_missing_store_is_named() {
    let r = run(&["participation", "processes", "--db", "/nonexistent/x.db"]);
    r.refused("/nonexistent/x.db: no such store");
}
