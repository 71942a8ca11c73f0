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

/// An attempt counted in advance by [`reserve`]: [`release`] it when it turns out not to count
/// (a successful sign-in), [`settle`] it when it does (a failure).
#[derive(Debug)]
#[must_use = "an attempt must be released or settled"]
pub struct Reservation {
    token: String,
}

/// Why [`reserve`] counted nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A key is over its limit: the next attempt is allowed after this long.
    Over(Duration),
    /// A key's remaining places are held by attempts still being checked: ask again shortly
    /// (each will be released or settled within moments).
    InFlight,
}

/// How long an attempt may be in flight (reserved, neither released nor settled) before it
/// counts as a failure: an instance that stopped while checking leaves its reservations.
pub const IN_FLIGHT_AT_MOST: Duration = Duration::from_secs(30);

/// Counts an attempt against every `(key, limit)` at once, before the work it limits (checking
/// a password): in one writing transaction, so that concurrent attempts cannot all pass the
/// last free place. Refused when a key is over its limit or its last places are held by
/// attempts in flight (nothing counted then); the refusal is seen by a read first, so that a
/// storm of refused attempts takes no write lock.
pub async fn reserve(
    pool: &Pool,
    keys: &[(&str, Limit)],
) -> Result<Result<Reservation, Refused>, AccountError> {
    let now = clock::now_millis();
    {
        let mut conn = pool.acquire().await?;
        for &(key, limit) in keys {
            if let Some(refused) = refused_at(&mut conn, key, limit, now).await? {
                return Ok(Err(refused));
            }
        }
    }
    let token = crate::tokens::new_token();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    for &(key, limit) in keys {
        if let Some(refused) = refused_at(&mut tx, key, limit, now).await? {
            return Ok(Err(refused));
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

/// [`reserve`], asking again every 50 ms while the refusal is [`Refused::InFlight`], for at most
/// `patience`: concurrent sign-ins from one address (an office behind one gateway) take turns
/// instead of being refused, and concurrent guesses still cannot pass the limit together.
/// After `patience`, a key still held in flight is refused as over its limit for a second.
pub async fn reserve_within(
    pool: &Pool,
    keys: &[(&str, Limit)],
    patience: Duration,
) -> Result<Result<Reservation, Duration>, AccountError> {
    let start = std::time::Instant::now();
    loop {
        match reserve(pool, keys).await? {
            Ok(reservation) => return Ok(Ok(reservation)),
            Err(Refused::Over(wait)) => return Ok(Err(wait)),
            Err(Refused::InFlight) if start.elapsed() < patience => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(Refused::InFlight) => return Ok(Err(Duration::from_secs(1))),
        }
    }
}

/// Takes back an attempt counted by [`reserve`]: it does not count.
pub async fn release(pool: &Pool, reservation: Reservation) -> Result<(), AccountError> {
    sqlx::query("DELETE FROM rate_event WHERE attempt = $1")
        .bind(&reservation.token)
        .execute(pool)
        .await?;
    Ok(())
}

/// Keeps an attempt counted by [`reserve`] as an event: it counts (a failed sign-in).
pub async fn settle(pool: &Pool, reservation: Reservation) -> Result<(), AccountError> {
    sqlx::query("UPDATE rate_event SET attempt = NULL WHERE attempt = $1")
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

/// How long `key` must wait at `now_ms` under `limit`; `None` when it need not (places held
/// by attempts in flight count as taken, for a second).
async fn wait_at(
    conn: &mut Conn,
    key: &str,
    limit: Limit,
    now_ms: i64,
) -> Result<Option<Duration>, AccountError> {
    Ok(match refused_at(conn, key, limit, now_ms).await? {
        None => None,
        Some(Refused::Over(wait)) => Some(wait),
        Some(Refused::InFlight) => Some(Duration::from_secs(1)),
    })
}

/// Whether an attempt for `key` at `now_ms` is refused under `limit`: over it by the events
/// in its window, or its last places held by attempts in flight.
async fn refused_at(
    conn: &mut Conn,
    key: &str,
    limit: Limit,
    now_ms: i64,
) -> Result<Option<Refused>, AccountError> {
    let since = now_ms - window_ms(limit.window);
    let in_flight_since = now_ms - window_ms(IN_FLIGHT_AT_MOST);
    let (count, oldest, in_flight): (i64, Option<i64>, i64) = sqlx::query_as(
        "SELECT COUNT(*), MIN(at_ms),
                COALESCE(SUM(CASE WHEN attempt IS NOT NULL AND at_ms > $3 THEN 1 ELSE 0 END), 0)
         FROM rate_event WHERE key_hash = $1 AND at_ms > $2",
    )
    .bind(digest(key))
    .bind(since)
    .bind(in_flight_since)
    .fetch_one(&mut *conn)
    .await?;
    let max = i64::from(limit.max);
    if count < max {
        return Ok(None);
    }
    if count - in_flight < max {
        return Ok(Some(Refused::InFlight));
    }
    let oldest = oldest.unwrap_or(now_ms);
    let wait_ms = window_ms(limit.window) - (now_ms - oldest);
    Ok(Some(Refused::Over(Duration::from_millis(
        u64::try_from(wait_ms).unwrap_or(0),
    ))))
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
