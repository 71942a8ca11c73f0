//! One-time e-mail tokens: 32 random bytes, sent as 64 hex digits, stored only as their
//! SHA-256, valid once and until they expire. A new token of a purpose voids the user's older
//! unused ones of that purpose.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{AccountError, Pool, clock};

/// What a token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Confirms the e-mail address of a new registration (valid 48 hours).
    Confirm,
    /// Sets a new password (valid 1 hour).
    Reset,
}

impl TokenPurpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Confirm => "confirm",
            TokenPurpose::Reset => "reset",
        }
    }

    /// How long a token stays valid.
    pub fn lifetime(self) -> time::Duration {
        match self {
            TokenPurpose::Confirm => time::Duration::hours(48),
            TokenPurpose::Reset => time::Duration::hours(1),
        }
    }
}

/// The SHA-256 of a token (or of a rate-limit key), hex: what is stored instead of it.
pub(crate) fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// A fresh random token: 32 bytes, hex.
pub(crate) fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

/// Issues a token for `user_id`; returns the token to put in the link (stored only hashed).
pub async fn issue_token(
    pool: &Pool,
    user_id: i64,
    purpose: TokenPurpose,
) -> Result<String, AccountError> {
    let token = new_token();
    let now = clock::now();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query(
        "UPDATE email_token SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
    )
    .bind(&now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(&mut *tx)
    .await?;
    let id = sozialatlas_store::next_id(&mut tx, "email_token").await?;
    sqlx::query(
        "INSERT INTO email_token (id, user_id, purpose, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(digest(&token))
    .bind(&now)
    .bind(clock::in_future(purpose.lifetime()))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The user a valid (unused, unexpired) token belongs to, without using it up.
pub async fn peek_token(
    pool: &Pool,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Option<i64>, AccountError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT t.user_id, t.expires_at, t.used_at FROM email_token t \
         JOIN app_user u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.purpose = $2 AND u.status <> 'deleted'",
    )
    .bind(digest(token))
    .bind(purpose.as_str())
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|(user_id, expires, used)| {
        (used.is_none() && expires > clock::now()).then_some(user_id)
    }))
}

/// Uses a token up: returns its user if it was valid (unused, unexpired, right purpose).
pub async fn consume_token(
    pool: &Pool,
    token: &str,
    purpose: TokenPurpose,
) -> Result<Option<i64>, AccountError> {
    let Some(user) = peek_token(pool, token, purpose).await? else {
        return Ok(None);
    };
    let done = sqlx::query(
        "UPDATE email_token SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
    )
    .bind(clock::now())
    .bind(digest(token))
    .execute(pool)
    .await?;
    // Two requests racing for the same token: only one wins.
    Ok((done.rows_affected() == 1).then_some(user))
}
