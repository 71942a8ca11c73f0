//! The database: one pool type over SQLite and PostgreSQL (`sqlx::AnyPool`), opened from a
//! SQLite path or a `postgres://` URL, and the one way every crate starts a writing
//! transaction ([`begin_write`]) and allocates an id ([`next_id`]).
//!
//! Writers are serialised on both backends, so that a writer never meets a "database is
//! locked" in the middle of its transaction and `MAX(id) + 1` stays free of races: on SQLite a
//! writing transaction starts as a writer (`BEGIN IMMEDIATE`, waiting up to the busy timeout
//! for the one before it); on PostgreSQL it takes a transaction-scoped advisory lock first.
//! Readers are never blocked on either.

use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::error::DatabaseError;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};

use crate::StoreError;

/// The connection pool of the store, over SQLite or PostgreSQL.
pub type Pool = sqlx::AnyPool;
/// A transaction on the store (from [`begin_write`], or `pool.begin()` for consistent reads).
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// A connection of the store (what `&mut *tx` gives).
pub type Conn = sqlx::AnyConnection;

/// How long a SQLite writer waits for the one before it before giving up with "database is
/// locked" (the web layer answers that with 503 and `Retry-After`).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The key of the PostgreSQL advisory lock every writing transaction holds (any constant
/// works: it only has to be the same in every instance; this one is "SozA" in ASCII).
const WRITE_LOCK: i64 = 0x536F_7A41;

/// The two databases the store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (or an in-memory database in tests).
    Sqlite,
    /// A PostgreSQL database.
    Postgres,
}

impl Backend {
    /// Which database `target` names: a `postgres://` or `postgresql://` URL is PostgreSQL,
    /// anything else a SQLite path (or a `sqlite:` URL).
    pub fn of_target(target: &str) -> Backend {
        if target.starts_with("postgres://") || target.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The backend of an open pool.
    pub fn of(pool: &Pool) -> Backend {
        Backend::of_target(pool.connect_options().database_url.as_str())
    }

    /// The backend of a connection.
    pub fn of_conn(conn: &Conn) -> Backend {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// The target with any password replaced by `***`, for messages and logs.
pub fn redacted(target: &str) -> String {
    match url::Url::parse(target) {
        Ok(mut u) if Backend::of_target(target) == Backend::Postgres => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        _ => target.to_string(),
    }
}

/// Opens (creating if needed) the store at `target` — a SQLite file path or a
/// `postgres://user@host:port/database` URL — and brings its schema up to date.
///
/// SQLite: write-ahead log, foreign keys, `secure_delete` (deleted rows are overwritten, for
/// the erasure of personal data), a busy timeout of [`BUSY_TIMEOUT`]; 8 connections.
/// PostgreSQL: 16 connections; the database must exist.
pub async fn open(target: &str) -> Result<Pool, StoreError> {
    sqlx::any::install_default_drivers();
    let pool = match Backend::of_target(target) {
        Backend::Postgres => {
            AnyPoolOptions::new()
                .max_connections(16)
                .connect(&without_statement_cache(target))
                .await?
        }
        Backend::Sqlite => {
            let path = target
                .strip_prefix("sqlite://")
                .or_else(|| target.strip_prefix("sqlite:"))
                .unwrap_or(target);
            let url = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .to_url_lossy();
            sqlite_pool(8).connect(url.as_str()).await?
        }
    };
    migrate(&pool).await?;
    Ok(pool)
}

/// The PostgreSQL URL with sqlx's per-connection statement cache turned off (unless the URL
/// sets it): through the Any driver a cached statement keeps the parameter types of its first
/// use, and a later use that binds a NULL of another type fails ("incorrect binary data format
/// in bind parameter"; seen writing the demo atlas with a cache of 100).
fn without_statement_cache(target: &str) -> String {
    if target.contains("statement-cache-capacity=") {
        return target.to_string();
    }
    let sep = if target.contains('?') { '&' } else { '?' };
    format!("{target}{sep}statement-cache-capacity=0")
}

/// Opens a private in-memory SQLite store (one connection, so every query sees the same
/// database), migrated.
pub async fn open_memory() -> Result<Pool, StoreError> {
    sqlx::any::install_default_drivers();
    let pool = sqlite_pool(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

/// The pool options of a SQLite store: the per-connection settings the Any driver does not
/// take from the URL (its defaults already give foreign keys on and a 5 s busy timeout; they
/// are set here once more so that the store does not depend on them).
fn sqlite_pool(max: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max)
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    format!(
                        "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
                        BUSY_TIMEOUT.as_millis()
                    )
                    .as_str(),
                )
                .await?;
                // An in-memory database (tests) keeps its own journal mode; a file switches once
                // and stays in WAL mode.
                conn.execute("PRAGMA journal_mode = WAL").await?;
                Ok(())
            })
        })
}

/// Applies the plain-SQL migrations in `crates/store/migrations` (one set for both backends).
pub async fn migrate(pool: &Pool) -> Result<(), StoreError> {
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}

/// Closes the pool. SQLite: checkpoints the write-ahead log into the store file first, so that
/// afterwards the store file alone holds every committed write (a copy of it is a complete
/// store), even when another process still has the store open; a failed checkpoint is logged,
/// not an error (the log file keeps the writes). PostgreSQL: closes the connections.
pub async fn close(pool: &Pool) {
    if pool.is_closed() {
        return;
    }
    checkpoint(pool).await;
    pool.close().await;
}

/// SQLite: moves the write-ahead log into the store file and truncates it, so that the file
/// alone is complete and old page images (holding erased bytes) do not stay in the `-wal`
/// file. Best effort: a failure (a busy reader) is logged and only delays it to the next
/// checkpoint. PostgreSQL: nothing (the server manages its own log).
pub async fn checkpoint(pool: &Pool) {
    if Backend::of(pool) == Backend::Sqlite
        && let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(pool)
            .await
    {
        tracing::warn!("checkpointing the store: {e}");
    }
}

/// Whether the database answers (a `SELECT 1`): the readiness check of a running server.
pub async fn ping(pool: &Pool) -> Result<(), StoreError> {
    sqlx::query_scalar::<_, i64>("SELECT 1")
        .fetch_one(pool)
        .await?;
    Ok(())
}

/// Starts a writing transaction: the one way every crate writes more than one statement or
/// allocates an id. SQLite: `BEGIN IMMEDIATE` (the transaction holds the write lock from its
/// start, so it cannot fail half-way for a lock another writer holds; waits up to the busy
/// timeout). PostgreSQL: `BEGIN` and a transaction-scoped advisory lock, so writers take turns
/// as on SQLite and [`next_id`] stays free of races.
pub async fn begin_write(pool: &Pool) -> Result<Tx, sqlx::Error> {
    match Backend::of(pool) {
        Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT 1 FROM pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// The next id of `table`, the one way ids are allocated in every crate's tables (portable: no
/// SQLite rowid, no PostgreSQL sequence). Call it inside a transaction from [`begin_write`],
/// which serialises writers on both backends, so two writers cannot get the same id. `table`
/// is a name from the code, never from input.
pub async fn next_id(conn: &mut Conn, table: &'static str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) FROM {table}"
    ))
    .fetch_one(&mut *conn)
    .await
}

/// The PostgreSQL channel on which a new load of the atlas is announced: `write_atlas` sends
/// the load's id with `pg_notify` in its transaction, so the notice goes out when it commits.
pub const LOAD_CHANNEL: &str = "sozialatlas_load";

/// Announces a new load on [`LOAD_CHANNEL`] when `tx` commits (PostgreSQL; nothing on SQLite,
/// which has no notices: servers ask for the latest load every few seconds instead).
pub(crate) async fn announce_load(tx: &mut Tx, load_id: i64) -> Result<(), sqlx::Error> {
    if Backend::of_conn(tx) == Backend::Postgres {
        sqlx::query("SELECT 1 FROM (SELECT pg_notify($1, $2)) AS sent")
            .bind(LOAD_CHANNEL)
            .bind(load_id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Notices of new loads, for a server to swap to a new load at once: on PostgreSQL a `LISTEN`
/// on [`LOAD_CHANNEL`] over a connection of its own (outside the pool); on SQLite none.
pub struct LoadNotices(Option<sqlx::postgres::PgListener>);

impl LoadNotices {
    /// Starts listening on the store of `pool`.
    pub async fn listen(pool: &Pool) -> Result<LoadNotices, sqlx::Error> {
        if Backend::of(pool) != Backend::Postgres {
            return Ok(LoadNotices(None));
        }
        let url = pool.connect_options().database_url.to_string();
        let mut listener = sqlx::postgres::PgListener::connect(&url).await?;
        listener.listen(LOAD_CHANNEL).await?;
        Ok(LoadNotices(Some(listener)))
    }

    /// No notices (SQLite, or when listening failed): [`LoadNotices::next`] never returns.
    pub fn none() -> LoadNotices {
        LoadNotices(None)
    }

    /// Waits for the next notice; returns the announced load's id. Never returns without a
    /// listener. A lost connection is opened again within the call (notices sent meanwhile are
    /// lost: servers still ask for the latest load every few seconds); an error means that
    /// failed, and the next call tries again.
    pub async fn next(&mut self) -> Result<Option<i64>, sqlx::Error> {
        match &mut self.0 {
            Some(listener) => Ok(listener.recv().await?.payload().parse().ok()),
            None => std::future::pending().await,
        }
    }
}

/// A query on the store's pool (what `sqlx::query` gives), for [`insert_rows`]'s binder.
pub type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// At most this many bound values in one statement (SQLite allows 32,766, PostgreSQL 65,535).
/// Kept small: binding a value to a SQLite statement looks its `$n` up among all of the
/// statement's parameter names (sqlx calls `sqlite3_bind_parameter_name`, a linear search), so a
/// statement with k values costs k² — at 4,096 that search took three quarters of the build of a
/// 1,000-cell grid (issue 19).
const MAX_BOUND: usize = 512;

/// `n` numbered placeholders from `$first` on, separated by commas: `$3, $4, $5`. Both
/// backends read `$n` (sqlx's `QueryBuilder` writes `?` through the Any driver, which
/// PostgreSQL refuses).
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts `rows` with as few statements as the bound-value limit allows:
/// `{head} VALUES ($1, …, $columns), (…), …`, each row's values bound by `bind` in the order
/// of `head`'s columns. `head` is SQL from the code (`INSERT INTO t (a, b)`), never input.
pub async fn insert_rows<T>(
    conn: &mut Conn,
    head: &str,
    columns: usize,
    rows: &[T],
    bind: impl for<'q> Fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
) -> Result<(), sqlx::Error> {
    let per_statement = (MAX_BOUND / columns.max(1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let values = (0..chunk.len())
            .map(|r| format!("({})", placeholders(r * columns + 1, columns)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!("{head} VALUES {values}");
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = bind(query, row);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Whether `e` says the database was busy (SQLite: "database is locked", codes 5 and 6 with
/// their extended codes): a conflict to answer with "try again", not an internal error.
pub fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            if let Some(e) = d.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                // The extended result code; the primary code is its low byte.
                return e
                    .code()
                    .and_then(|c| c.parse::<i64>().ok())
                    .is_some_and(|c| matches!(c & 0xff, 5 | 6));
            }
            // PostgreSQL: lock_not_available, serialization_failure, deadlock_detected.
            matches!(d.code().as_deref(), Some("55P03" | "40001" | "40P01"))
        }
        sqlx::Error::PoolTimedOut => true,
        _ => false,
    }
}
