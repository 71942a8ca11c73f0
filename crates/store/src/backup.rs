//! Backup and restore of a SQLite store while other processes use it.
//!
//! [`backup`] writes a consistent snapshot with `VACUUM INTO` (one read transaction: every
//! write committed before it started is in the copy, none after, never a torn page) into a
//! file beside the target, checks it with `PRAGMA integrity_check` and renames it into place.
//! [`restore`] checks that a file is a store of this program (integrity, known migrations),
//! that the store it replaces is not open in another process, and replaces it by a rename.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::{Pool, StoreError};

/// Why a backup or restore was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The file given is not a Sozialatlas store that this version can open (the message says
    /// what was found).
    #[error("{path}: {reason}")]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The store to replace is open in another process (a running server).
    #[error(
        "{0}: the store is in use by another process (stop the server first, e.g. `systemctl stop sozialatlas`)"
    )]
    InUse(PathBuf),
    /// The database said no.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading or writing a file failed.
    #[error("{path}: {err}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        err: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |err| BackupError::Io {
        path: path.to_path_buf(),
        err,
    }
}

fn sql(e: sqlx::Error) -> BackupError {
    BackupError::Store(StoreError::Sql(e))
}

/// `dir/.name.part`: where a file is written before it is renamed to `dir/name`.
fn part_of(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.part"))
}

/// Writes a consistent snapshot of the store behind `pool` to `out` (replacing a file there:
/// the caller decides whether that is allowed). Other connections and processes keep reading
/// and writing meanwhile; the copy holds every write committed before it started. Written
/// beside `out` and renamed, so `out` is never a half-written file; the copy passes
/// `PRAGMA integrity_check` before it is renamed.
/// SQLite only: a PostgreSQL store is backed up with the server's own tools (`pg_dump`).
pub async fn backup(pool: &Pool, out: &Path) -> Result<(), BackupError> {
    if crate::Backend::of(pool) == crate::Backend::Postgres {
        return Err(BackupError::Store(StoreError::Invalid(
            "a PostgreSQL store is backed up with pg_dump (see README, \"Running in production\"), not with this command".into(),
        )));
    }
    let part = part_of(out);
    match std::fs::remove_file(&part) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&part)(e)),
        _ => {}
    }
    let result = async {
        sqlx::query("VACUUM INTO $1")
            .bind(part.to_string_lossy().into_owned())
            .execute(pool)
            .await
            .map_err(sql)?;
        check(&part).await?;
        std::fs::File::open(&part)
            .and_then(|f| f.sync_all())
            .map_err(io(&part))?;
        std::fs::rename(&part, out).map_err(io(out))
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

/// Opens `path` read-only, without creating it or changing it.
async fn open_read_only(path: &Path) -> Result<SqliteConnection, BackupError> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.to_string_lossy()))
        .map_err(sql)?
        .read_only(true)
        .create_if_missing(false);
    SqliteConnection::connect_with(&opts)
        .await
        .map_err(|e| BackupError::NotAStore {
            path: path.to_path_buf(),
            reason: format!("cannot be opened as SQLite: {e}"),
        })
}

/// Checks that `path` is a sound store of this program: `PRAGMA integrity_check` says `ok`,
/// and every migration it records is one this version knows (a store of a newer version is
/// refused). Returns the number of migrations it has.
pub async fn check(path: &Path) -> Result<usize, BackupError> {
    let not = |reason: String| BackupError::NotAStore {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = open_read_only(path).await?;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| not(format!("not a SQLite database ({e})")))?;
    if integrity != ["ok"] {
        return Err(not(format!(
            "the integrity check found: {}",
            integrity.join("; ")
        )));
    }
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .map_err(|_| {
                not(
                    "expected a Sozialatlas store, found a SQLite database without its migrations"
                        .into(),
                )
            })?;
    conn.close().await.map_err(sql)?;
    let known: Vec<i64> = sqlx::migrate!("./migrations")
        .iter()
        .map(|m| m.version)
        .collect();
    if let Some(v) = applied.iter().find(|v| !known.contains(v)) {
        return Err(not(format!(
            "it has migration {v}, which this version does not know (a store of a newer version?)"
        )));
    }
    if applied.is_empty() || known.first() != applied.first() {
        return Err(not(
            "expected a Sozialatlas store, found a SQLite database without its migrations".into(),
        ));
    }
    Ok(applied.len())
}

/// Whether another connection has the store at `path` open: a connection in WAL mode holds a
/// shared lock on the file as long as it is open, so switching the journal away from WAL is
/// refused then. When nobody has it open, the switch succeeds and removes its `-wal` and
/// `-shm` files (the store is replaced next anyway).
async fn in_use(path: &Path) -> Result<bool, BackupError> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.to_string_lossy()))
        .map_err(sql)?
        .create_if_missing(false)
        .busy_timeout(std::time::Duration::from_millis(500));
    let mut conn =
        SqliteConnection::connect_with(&opts)
            .await
            .map_err(|e| BackupError::NotAStore {
                path: path.to_path_buf(),
                reason: format!("cannot be opened as SQLite: {e}"),
            })?;
    let r = sqlx::query_scalar::<_, String>("PRAGMA journal_mode = DELETE")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    match r {
        Ok(mode) => Ok(mode != "delete"),
        Err(sqlx::Error::Database(e)) if e.message().contains("locked") => Ok(true),
        Err(e) => Err(sql(e)),
    }
}

/// Replaces the store at `db` by the backup `from`, after checking that `from` is a store of
/// this version ([`check`]) and that no other process has `db` open. `db` may be missing.
/// `from` is copied beside `db` and renamed over it: `db` is either the old store or the
/// restored one, never a mixture. Returns the number of migrations of the restored store.
pub async fn restore(from: &Path, db: &Path) -> Result<usize, BackupError> {
    check(from).await?;
    let part = part_of(db);
    std::fs::copy(from, &part).map_err(io(&part))?;
    let result = async {
        let n = check(&part).await?;
        std::fs::File::open(&part)
            .and_then(|f| f.sync_all())
            .map_err(io(&part))?;
        if db.exists() && in_use(db).await? {
            return Err(BackupError::InUse(db.to_path_buf()));
        }
        // The old store's log files would be applied to the new file: none may stay.
        for ext in ["-wal", "-shm"] {
            let f = PathBuf::from(format!("{}{ext}", db.to_string_lossy()));
            match std::fs::remove_file(&f) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&f)(e)),
                _ => {}
            }
        }
        std::fs::rename(&part, db).map_err(io(db))?;
        Ok(n)
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&part);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    async fn store(dir: &Path) -> (PathBuf, Pool) {
        let path = dir.join("store.db");
        let pool = crate::open(&path.to_string_lossy()).await.unwrap();
        sqlx::query("CREATE TABLE backup_probe (n INTEGER PRIMARY KEY, pad TEXT NOT NULL)")
            .execute(&pool)
            .await
            .unwrap();
        (path, pool)
    }

    async fn count(path: &Path) -> (i64, i64) {
        let mut c = open_read_only(path).await.unwrap();
        let r = sqlx::query_as("SELECT COUNT(*), COALESCE(MAX(n), 0) FROM backup_probe")
            .fetch_one(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
        r
    }

    /// Writers keep committing (one row each, on several connections of the pool) while the
    /// backup runs: every row acknowledged before the backup started is in it, the rows are
    /// gapless (no torn transaction), and the copy passes the integrity check.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_backup_during_writes_holds_every_acknowledged_write() {
        let dir = tempfile::tempdir().unwrap();
        let (path, pool) = store(dir.path()).await;
        let acked = Arc::new(AtomicI64::new(0));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut writers = Vec::new();
        for w in 0..3 {
            let (pool, acked, stop) = (pool.clone(), acked.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                let mut mine = 0;
                while !stop.load(Ordering::Relaxed) {
                    // One writer at a time picks the next number, so acknowledged rows are
                    // 1..=acked without gaps.
                    let mut tx = crate::begin_write(&pool).await.unwrap();
                    let n: i64 =
                        sqlx::query_scalar("SELECT COALESCE(MAX(n), 0) + 1 FROM backup_probe")
                            .fetch_one(&mut *tx)
                            .await
                            .unwrap();
                    let r = sqlx::query("INSERT INTO backup_probe (n, pad) VALUES ($1, $2)")
                        .bind(n)
                        .bind("x".repeat(200 + w * 100))
                        .execute(&mut *tx)
                        .await;
                    if r.is_ok() && tx.commit().await.is_ok() {
                        acked.fetch_max(n, Ordering::SeqCst);
                        mine += 1;
                    }
                }
                mine
            }));
        }
        while acked.load(Ordering::SeqCst) < 300 {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let out = dir.path().join("backup.db");
        let before = acked.load(Ordering::SeqCst);
        backup(&pool, &out).await.unwrap();
        let after_backup = acked.load(Ordering::SeqCst);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        stop.store(true, Ordering::Relaxed);
        let mut written = 0;
        for w in writers {
            written += w.await.unwrap();
        }
        assert!(written > 0);
        let (rows, max) = count(&out).await;
        assert!(
            rows >= before,
            "{rows} rows in the backup, {before} acknowledged before"
        );
        assert!(
            rows <= after_backup,
            "{rows} rows, {after_backup} acknowledged after"
        );
        assert_eq!(rows, max, "the rows are 1..={max} without gaps");
        assert!(check(&out).await.unwrap() >= 10);
        assert!(!part_of(&out).exists());
        // The store went on: it has more than the backup.
        crate::close(&pool).await;
        assert!(count(&path).await.0 > rows);
    }

    #[tokio::test]
    async fn restore_round_trip_and_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let (path, pool) = store(dir.path()).await;
        sqlx::query("INSERT INTO backup_probe (n, pad) VALUES (1, 'before')")
            .execute(&pool)
            .await
            .unwrap();
        let out = dir.path().join("backup.db");
        backup(&pool, &out).await.unwrap();
        sqlx::query("INSERT INTO backup_probe (n, pad) VALUES (2, 'after')")
            .execute(&pool)
            .await
            .unwrap();
        // Open in this process's pool: in use.
        match restore(&out, &path).await {
            Err(BackupError::InUse(p)) => assert_eq!(p, path),
            other => panic!("{other:?}"),
        }
        assert_eq!(count(&path).await.0, 2, "the store is unchanged");
        assert!(!part_of(&path).exists());
        crate::close(&pool).await;
        assert_eq!(restore(&out, &path).await.unwrap(), count_migrations());
        assert_eq!(count(&path).await, (1, 1));
        // The restored store opens as a store.
        let pool = crate::open(&path.to_string_lossy()).await.unwrap();
        crate::close(&pool).await;
        // Into a place where there is no store yet.
        let fresh = dir.path().join("new.db");
        restore(&out, &fresh).await.unwrap();
        assert_eq!(count(&fresh).await, (1, 1));

        // Not a store: a text file, an SQLite database without migrations, a damaged store.
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "hello").unwrap();
        let foreign = dir.path().join("foreign.db");
        {
            let opts =
                SqliteConnectOptions::from_str(&format!("sqlite://{}", foreign.to_string_lossy()))
                    .unwrap()
                    .create_if_missing(true);
            let mut c = SqliteConnection::connect_with(&opts).await.unwrap();
            sqlx::query("CREATE TABLE t (x INTEGER)")
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        let damaged = dir.path().join("damaged.db");
        let mut bytes = std::fs::read(&out).unwrap();
        let page = 4096;
        for b in &mut bytes[page + 100..page * 3] {
            *b = 0xA5;
        }
        std::fs::write(&damaged, bytes).unwrap();
        for (file, says) in [
            (&text, "SQLite"),
            (&foreign, "without its migrations"),
            (&damaged, ""),
        ] {
            match restore(file, &fresh).await {
                Err(BackupError::NotAStore { path, reason }) => {
                    assert_eq!(&path, file);
                    assert!(reason.contains(says), "{reason}");
                }
                other => panic!("{}: {other:?}", file.display()),
            }
            assert_eq!(count(&fresh).await, (1, 1), "unchanged");
        }
        // A store of a newer version (a migration this one does not know).
        let newer = dir.path().join("newer.db");
        std::fs::copy(&out, &newer).unwrap();
        {
            let opts =
                SqliteConnectOptions::from_str(&format!("sqlite://{}", newer.to_string_lossy()))
                    .unwrap();
            let mut c = SqliteConnection::connect_with(&opts).await.unwrap();
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
                 VALUES (99990101000000, 'future', TRUE, x'00', 0)",
            )
            .execute(&mut c)
            .await
            .unwrap();
            c.close().await.unwrap();
        }
        match check(&newer).await {
            Err(BackupError::NotAStore { reason, .. }) => {
                assert!(reason.contains("99990101000000"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    fn count_migrations() -> usize {
        sqlx::migrate!("./migrations").iter().count()
    }
}
