//! Set-up shared by the tests of several crates (a dev-dependency only, never a dependency):
//! the repository's example atlases built into a store the one way the program builds them
//! ([`AtlasBuild`]), the real data beside the repository, and scratch copies of example folders.
//!
//! Every load made here is recorded as program version [`PROGRAM_VERSION`] at [`LOADED_AT`], so
//! that what a test sees does not depend on the day it runs.

use std::path::{Path, PathBuf};

use sozialatlas_import::{DirSource, FileSource};
use sozialatlas_store::{AtlasBuild, BuiltAtlas, Pool, Snapshot};

/// The program version of every load made by the tests.
pub const PROGRAM_VERSION: &str = "test";
/// The time of every load made by the tests.
pub const LOADED_AT: &str = "2026-01-01T00:00:00Z";

/// The five social indicators of the Flensburg example that the typology tests cluster
/// (unemployment, SGB II, SGB XII, housing benefit, employment).
pub const FLENSBURG_SOCIAL: [&str; 5] = [
    "arbeitslosenanteil",
    "sgb2_quote",
    "nef_quote",
    "wohngeld",
    "beschaeftigtenquote",
];

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The example atlas folder `examples/<name>` (`flensburg`, `dortmund`, `punkte`).
pub fn example(name: &str) -> PathBuf {
    repo().join("examples").join(name)
}

/// `shared/data` beside the repository (the real data); a missing folder fails the test.
pub fn shared_data() -> PathBuf {
    let p = repo().join("../shared/data");
    assert!(
        p.is_dir(),
        "the real data folder {} is missing",
        p.display()
    );
    p
}

/// A build of `src` as the tests record it (see [`PROGRAM_VERSION`], [`LOADED_AT`]).
pub fn build(src: &dyn FileSource) -> AtlasBuild<'_> {
    AtlasBuild::new(src)
        .program_version(PROGRAM_VERSION)
        .loaded_at(LOADED_AT)
}

/// The example atlas `name`, read and computed (nothing written); panics if it does not load.
pub fn computed_example(name: &str) -> BuiltAtlas {
    let src = DirSource::new(example(name));
    build(&src)
        .source(&format!("examples/{name}"))
        .compute()
        .unwrap_or_else(|e| panic!("examples/{name} loads: {e}"))
}

/// The environment variable that points the tests at a PostgreSQL server
/// (`postgres://user@host:port/database`): set, every test store is a fresh database there.
pub const TEST_DATABASE_URL: &str = "SOZIALATLAS_TEST_DATABASE_URL";

/// The PostgreSQL server the tests run against, if [`TEST_DATABASE_URL`] names one.
pub fn test_database_url() -> Option<String> {
    std::env::var(TEST_DATABASE_URL)
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A fresh, empty, migrated store for one test: a private SQLite database in memory, or — with
/// [`TEST_DATABASE_URL`] set — a new PostgreSQL database on that server, named
/// `sozialatlas_test_…` (left there: the server of a test run is thrown away with it; drop
/// them with `dropdb` otherwise).
pub async fn test_pool() -> Pool {
    match test_database_url() {
        Some(url) => {
            let target = fresh_postgres_database(&url).await;
            sozialatlas_store::open(&target)
                .await
                .unwrap_or_else(|e| panic!("a new store on {url}: {e}"))
        }
        None => sozialatlas_store::open_memory()
            .await
            .expect("an in-memory store"),
    }
}

/// The target of a store for a test that opens it by name (the command line's `--db`): a new
/// PostgreSQL database with [`TEST_DATABASE_URL`] set, else `file` (a SQLite path).
pub async fn test_target(file: &Path) -> String {
    match test_database_url() {
        Some(url) => fresh_postgres_database(&url).await,
        None => file.to_string_lossy().into_owned(),
    }
}

/// Creates a new database on the server of `url`; returns its URL.
async fn fresh_postgres_database(url: &str) -> String {
    use sqlx::Connection;
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "sozialatlas_test_{}_{}_{nanos}",
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let mut admin = sqlx::postgres::PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL}={url}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    let _ = admin.close().await;
    let mut target = url::Url::parse(url).expect("a URL");
    target.set_path(&name);
    target.to_string()
}

/// The example atlas `name` in a new store ([`test_pool`]): the published atlas and the store.
pub async fn example_store(name: &str) -> (Snapshot, Pool) {
    let pool = test_pool().await;
    let snap = computed_example(name)
        .write_and_read(&pool)
        .await
        .unwrap_or_else(|e| panic!("examples/{name} into a store: {e}"));
    (snap, pool)
}

/// An atlas folder (a scratch copy a test changed) in a new store ([`test_pool`]).
pub async fn folder_store(folder: &Path) -> (Snapshot, Pool) {
    let src = DirSource::new(folder);
    let pool = test_pool().await;
    let snap = build(&src)
        .source(&folder.display().to_string())
        .compute()
        .unwrap_or_else(|e| panic!("{} loads: {e}", folder.display()))
        .write_and_read(&pool)
        .await
        .unwrap_or_else(|e| panic!("{} into a store: {e}", folder.display()));
    (snap, pool)
}

/// The example atlas `name` as published (built through an in-memory store).
pub async fn example_snapshot(name: &str) -> Snapshot {
    // Only the Snapshot is wanted: always through SQLite in memory, whatever the tests' store.
    computed_example(name)
        .in_memory()
        .await
        .unwrap_or_else(|e| panic!("examples/{name} into a store: {e}"))
        .0
}

/// [`example_snapshot`] for code without a runtime (a `static`'s initialiser): built on a
/// thread with a runtime of its own, which ends with it.
pub fn example_snapshot_blocking(name: &str) -> Snapshot {
    let name = name.to_string();
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(example_snapshot(&name))
    })
    .join()
    .expect("the example atlas")
}

/// A fresh, empty store that a second pool can open too (a second instance of the server):
/// (a temporary directory that must live as long as the store, the store's target, a pool on
/// it). A SQLite file `store.db` in the directory, or — with [`TEST_DATABASE_URL`] set — a
/// new PostgreSQL database. Unlike [`test_pool`]'s in-memory SQLite store, it has more than one
/// connection, so requests can run at once.
pub async fn shared_store() -> (tempfile::TempDir, String, Pool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = test_target(&dir.path().join("store.db")).await;
    let pool = sozialatlas_store::open(&target)
        .await
        .unwrap_or_else(|e| panic!("a new store at {target}: {e}"));
    (dir, target, pool)
}

/// Copies the example atlas folder `name` into a fresh temporary directory: (the directory,
/// the copy). The copy is writable, for tests that change an input.
pub fn scratch(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let dst = dir.path().join(name);
    copy_dir(&example(name), &dst);
    (dir, dst)
}

/// A scratch copy of the Flensburg demo with a small address register by coordinates
/// (`daten/adressen.csv`, **synthetic**: street names of Flensburg at points chosen inside
/// statistical districts, not real addresses), assigned to the level `bezirk`: Norderstraße 1
/// and 2 in 013 Nordertor, Norderstraße 2a and Holm 5 in 011 St. Nikolai, Mürwiker Straße 10 in
/// 111 Sonwik, and Mürwiker Straße 12 at (0, 0), outside the city (a warning of the load).
pub fn flensburg_with_addresses() -> (tempfile::TempDir, PathBuf) {
    let (dir, atlas) = scratch("flensburg");
    std::fs::create_dir_all(atlas.join("daten")).expect("mkdir");
    std::fs::write(
        atlas.join("daten/adressen.csv"),
        "strasse;hausnummer;plz;ort;lon;lat\n\
         Norderstraße;1;24939;Flensburg;9,431791;54,792603\n\
         Norderstraße;2;24939;Flensburg;9,431103;54,795451\n\
         Norderstraße;2a;24939;Flensburg;9,436406;54,782702\n\
         Holm;5;24937;Flensburg;9,435336;54,785012\n\
         Mürwiker Straße;10;24943;Flensburg;9,458825;54,816659\n\
         Mürwiker Straße;12;24943;Flensburg;0;0\n",
    )
    .expect("write the register");
    let toml = atlas.join("atlas.toml");
    let mut text = std::fs::read_to_string(&toml).expect("atlas.toml");
    text.push_str(
        "\n[addresses]\nfile = \"daten/adressen.csv\"\nlevel = \"bezirk\"\nstreet = \"strasse\"\n\
         number = \"hausnummer\"\npostcode = \"plz\"\nlocality = \"ort\"\nx = \"lon\"\ny = \"lat\"\n\
         crs = \"EPSG:4326\"\n",
    );
    std::fs::write(&toml, text).expect("write atlas.toml");
    (dir, atlas)
}

/// Copies the folder `src` into `dst` (created), recursively.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read_dir") {
        let e = e.expect("entry");
        let to = dst.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).expect("copy");
            let mut perm = std::fs::metadata(&to).expect("meta").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perm.set_readonly(false);
            std::fs::set_permissions(&to, perm).expect("chmod");
        }
    }
}

/// Runs `n` jobs of 20 ms each at once through `run` (a bounded runner under test, called with
/// each job); returns the most jobs that ran at the same time.
pub async fn most_at_once<R, Fut>(n: usize, run: R) -> usize
where
    R: Fn(Box<dyn FnOnce() + Send>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let (running, most) = (running.clone(), most.clone());
            tokio::spawn(run(Box::new(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
            })))
        })
        .collect();
    for t in tasks {
        t.await.expect("a job");
    }
    most.load(Ordering::SeqCst)
}

/// The text of a PDF by `pdftotext -layout` (poppler-utils), pages separated by form feeds.
/// Without the program the text checks are skipped (`None`, with a note), except in CI
/// (`CI` set), where it must be installed.
pub fn pdftotext(pdf: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("document.pdf");
    std::fs::write(&path, pdf).expect("the PDF is written");
    match std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "pdftotext failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).expect("pdftotext writes UTF-8"))
        }
        Err(e) => {
            if std::env::var_os("CI").is_some() {
                panic!("pdftotext is needed in CI (apt-get install poppler-utils): {e}");
            }
            eprintln!(
                "note: pdftotext not found ({e}); the PDF text checks are skipped (install poppler-utils)"
            );
            None
        }
    }
}
