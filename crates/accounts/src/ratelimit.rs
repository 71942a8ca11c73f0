//! Rate limits: a sliding window per key (`login-ip:203.0.113.5`, `login-account:a@b.org`,
//! `register-ip:…`, …), kept in the database (table `rate_event`), so that every instance on
//! one database counts the same events and a restart forgets nothing.
//!
//! Only the SHA-256 of a key is stored (keys hold addresses and e-mail addresses), and
//! [`purge`] deletes events older than the longest window.

use std::time::Duration;

use crate::tokens::digest;
use sozialatlas_store::Conn;

use crate::{AccountError, Pool, clock};

/// At most `max` events per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Events allowed in the window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

/// The longest window of any limit: older events are purged.
pub const LONGEST_WINDOW: Duration = Duration::from_secs(60 * 60);

impl Limit {
    /// Failed sign-ins per client address: 10 a minute.
    pub const LOGIN_IP: Limit = Limit::per_minute(10);
    /// Failed sign-ins per account from browsers it has never signed in from: 20 in 15
    /// minutes (slows guessing one account from many addresses). Failures from a browser the
    /// account has signed in from count against [`Limit::LOGIN_DEVICE`] instead, so that a
    /// stranger cannot lock the owner out of their own browsers.
    pub const LOGIN_ACCOUNT: Limit = Limit::minutes(20, 15);
    /// Failed sign-ins per known browser and account: 10 in 15 minutes.
    pub const LOGIN_DEVICE: Limit = Limit::minutes(10, 15);
    /// Registrations per client address: 5 an hour.
    pub const REGISTER_IP: Limit = Limit::minutes(5, 60);
    /// Password-reset requests per client address: 5 in 15 minutes.
    pub const RESET_IP: Limit = Limit::minutes(5, 15);

    /// `max` events a minute.
    pub const fn per_minute(max: u32) -> Limit {
        Limit::minutes(max, 1)
    }

    /// `max` events in `minutes` minutes.
    pub const fn minutes(max: u32, minutes: u64) -> Limit {
        Limit {
            max,
            window: Duration::from_secs(minutes * 60),
        }
    }
}

/// Whether `key` is over `limit` now, without counting: `Some(wait)` says how long until the
/// next event is allowed.
pub async fn over_limit(
    pool: &Pool,
    key: &str,
    limit: Limit,
) -> Result<Option<Duration>, AccountError> {
    over_limit_at(pool, key, limit, clock::now_millis()).await
}

/// Counts an event for `key` (e.g. a failed sign-in).
pub async fn record(pool: &Pool, key: &str) -> Result<(), AccountError> {
    record_at(pool, key, clock::now_millis()).await
}

/// Checks and, if allowed, counts: the usual call for "at most n per window". `Some(wait)`
/// when over the limit (nothing counted then).
pub async fn hit(pool: &Pool, key: &str, limit: Limit) -> Result<Option<Duration>, AccountError> {
    let now = clock::now_millis();
    // Check and count in one writing transaction, so that two instances (or two requests)
    // cannot both pass the last free place.
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if let Some(wait) = wait_at(&mut tx, key, limit, now).await? {
        return Ok(Some(wait));
    }
    insert_at(&mut tx, key, now).await?;
    tx.commit().await?;
    Ok(None)
}

/// An attempt counted in advance by [`reserve`], to be taken back with [`release`] when it
/// turns out not to count (a successful sign-in).
#[derive(Debug)]
#[must_use = "an attempt that does not count must be released"]
pub struct Reservation {
    token: String,
}

/// Counts an attempt against every `(key, limit)` at once, before the work it limits (checking
/// a password): in one writing transaction, so that concurrent attempts cannot all pass the
/// last free place. `Err(wait)` when one of the keys is over its limit (nothing counted then).
pub async fn reserve(
    pool: &Pool,
    keys: &[(&str, Limit)],
) -> Result<Result<Reservation, Duration>, AccountError> {
    let now = clock::now_millis();
    let token = crate::tokens::new_token();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    for &(key, limit) in keys {
        if let Some(wait) = wait_at(&mut tx, key, limit, now).await? {
            return Ok(Err(wait));
        }
    }
    for &(key, _) in keys {
        sqlx::query("INSERT INTO rate_event (key_hash, at_ms, attempt) VALUES ($1, $2, $3)")
            .bind(digest(key))
            .bind(now)
            .bind(&token)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Ok(Reservation { token }))
}

/// Takes back an attempt counted by [`reserve`].
pub async fn release(pool: &Pool, reservation: Reservation) -> Result<(), AccountError> {
    sqlx::query("DELETE FROM rate_event WHERE attempt = $1")
        .bind(&reservation.token)
        .execute(pool)
        .await?;
    Ok(())
}

/// Forgets a key's events (e.g. a browser's failures after it signed in).
pub async fn clear(pool: &Pool, key: &str) -> Result<(), AccountError> {
    sqlx::query("DELETE FROM rate_event WHERE key_hash = $1")
        .bind(digest(key))
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes events older than [`LONGEST_WINDOW`]; returns how many.
pub async fn purge(pool: &Pool) -> Result<u64, AccountError> {
    let cutoff = clock::now_millis() - window_ms(LONGEST_WINDOW);
    let r = sqlx::query("DELETE FROM rate_event WHERE at_ms <= $1")
        .bind(cutoff)
        .execute(pool)
        .await?;
    Ok(r.rows_affected())
}

fn window_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// [`over_limit`] at `now_ms` (Unix milliseconds).
pub async fn over_limit_at(
    pool: &Pool,
    key: &str,
    limit: Limit,
    now_ms: i64,
) -> Result<Option<Duration>, AccountError> {
    wait_at(&mut *pool.acquire().await?, key, limit, now_ms).await
}

/// How long `key` must wait at `now_ms` under `limit`; `None` when it need not.
async fn wait_at(
    conn: &mut Conn,
    key: &str,
    limit: Limit,
    now_ms: i64,
) -> Result<Option<Duration>, AccountError> {
    let since = now_ms - window_ms(limit.window);
    let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at_ms) FROM rate_event WHERE key_hash = $1 AND at_ms > $2",
    )
    .bind(digest(key))
    .bind(since)
    .fetch_one(&mut *conn)
    .await?;
    if count < i64::from(limit.max) {
        return Ok(None);
    }
    let oldest = oldest.unwrap_or(now_ms);
    let wait_ms = window_ms(limit.window) - (now_ms - oldest);
    Ok(Some(Duration::from_millis(
        u64::try_from(wait_ms).unwrap_or(0),
    )))
}

/// [`record`] at `now_ms` (Unix milliseconds).
pub async fn record_at(pool: &Pool, key: &str, now_ms: i64) -> Result<(), AccountError> {
    insert_at(&mut *pool.acquire().await?, key, now_ms).await
}

async fn insert_at(conn: &mut Conn, key: &str, now_ms: i64) -> Result<(), AccountError> {
    sqlx::query("INSERT INTO rate_event (key_hash, at_ms) VALUES ($1, $2)")
        .bind(digest(key))
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
