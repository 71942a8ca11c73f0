//! Known browsers ("device cookies", as OWASP describes them): after a successful sign-in the
//! browser gets a random token naming the account; only the token's SHA-256 is stored (table
//! `login_device`). A sign-in attempt from a browser known to the account is limited per
//! browser, not per account, so that a stranger who guesses an account's password from
//! elsewhere cannot lock its owner out of the browsers they sign in with.

use crate::tokens::{digest, new_token};
use crate::{AccountError, Pool, clock};

/// How long a browser stays known without signing in again (days).
pub const KNOWN_FOR_DAYS: i64 = 365;

/// Remembers the browser that just signed in to `user_id`; returns the token for its cookie.
/// A browser that shows a token it got for this account keeps it (its last use is updated).
pub async fn remember_device(
    pool: &Pool,
    user_id: i64,
    shown: Option<&str>,
) -> Result<String, AccountError> {
    let now = clock::now();
    if let Some(token) = shown {
        let kept = sqlx::query(
            "UPDATE login_device SET last_used_at = $1 WHERE token_hash = $2 AND user_id = $3",
        )
        .bind(&now)
        .bind(digest(token))
        .bind(user_id)
        .execute(pool)
        .await?;
        if kept.rows_affected() == 1 {
            return Ok(token.to_string());
        }
    }
    let token = new_token();
    sqlx::query(
        "INSERT INTO login_device (token_hash, user_id, created_at, last_used_at) \
         VALUES ($1, $2, $3, $3)",
    )
    .bind(digest(&token))
    .bind(user_id)
    .bind(&now)
    .execute(pool)
    .await?;
    Ok(token)
}

/// Whether the browser holding `token` has signed in to the account with the e-mail address
/// `email` within [`KNOWN_FOR_DAYS`].
pub async fn knows(pool: &Pool, token: &str, email: &str) -> Result<bool, AccountError> {
    let since = clock::in_future(-time::Duration::days(KNOWN_FOR_DAYS));
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT d.user_id FROM login_device d JOIN app_user u ON u.id = d.user_id \
         WHERE d.token_hash = $1 AND u.email_norm = $2 AND d.last_used_at >= $3",
    )
    .bind(digest(token))
    .bind(email.trim().to_lowercase())
    .bind(since)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

/// The key under which failed sign-ins from the browser holding `token` are counted.
pub fn device_key(token: &str) -> String {
    format!("login-device:{}", digest(token))
}
