//! Mail: every message goes into the `mail_outbox` table first (and a log line says so).
//! Administrators read the outbox at `/admin/outbox`, so that a deployment without mail (and the
//! demo) still works; with an SMTP relay configured, a sender delivers the queued rows.

use serde::Serialize;

use crate::{AccountError, Pool, clock};

/// One queued (or sent) mail.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct OutboxMail {
    /// Id.
    pub id: i64,
    /// The user it concerns, if any.
    pub user_id: Option<i64>,
    /// Recipient.
    #[sqlx(rename = "to_addr")]
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When queued.
    pub created_at: String,
    /// When delivered to the SMTP relay (None: not sent).
    pub sent_at: Option<String>,
    /// Delivery attempts.
    pub attempts: i64,
    /// The last delivery error.
    pub last_error: Option<String>,
}

/// Queues a mail; returns its outbox id.
pub async fn queue_mail(
    pool: &Pool,
    user_id: Option<i64>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<i64, AccountError> {
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = queue_mail_in(&mut tx, user_id, to, subject, body).await?;
    tx.commit().await?;
    Ok(id)
}

/// Queues a mail inside the caller's transaction (so that it is queued exactly when the
/// caller's change is committed); returns its outbox id.
pub async fn queue_mail_in(
    conn: &mut sozialatlas_store::Conn,
    user_id: Option<i64>,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<i64, AccountError> {
    let id = sozialatlas_store::next_id(&mut *conn, "mail_outbox").await?;
    sqlx::query(
        "INSERT INTO mail_outbox (id, user_id, to_addr, subject, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(clock::now())
    .execute(&mut *conn)
    .await?;
    tracing::info!(
        target: "sozialatlas::mail",
        "mail #{id} to {to} queued in the outbox: {subject} (administrators read it at /admin/outbox)"
    );
    Ok(id)
}

const COLS: &str = "id, user_id, to_addr, subject, body, created_at, sent_at, attempts, last_error";

/// The newest `limit` mails after `offset`, newest first, and the total count.
pub async fn list_outbox(
    pool: &Pool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<OutboxMail>, i64), AccountError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) AS n FROM mail_outbox")
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT {COLS} FROM mail_outbox ORDER BY id DESC LIMIT $1 OFFSET $2"
    ))
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

/// Mails not yet sent (oldest first), at most `limit`, skipping those that failed `max_attempts`
/// times.
pub async fn pending_mail(
    pool: &Pool,
    limit: i64,
    max_attempts: i64,
) -> Result<Vec<OutboxMail>, AccountError> {
    let rows = sqlx::query_as(&format!(
        "SELECT {COLS} FROM mail_outbox WHERE sent_at IS NULL AND attempts < $1 ORDER BY id LIMIT $2"
    ))
    .bind(max_attempts)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Records a delivery attempt: sent (error None) or failed.
pub async fn mark_attempt(pool: &Pool, id: i64, error: Option<&str>) -> Result<(), AccountError> {
    match error {
        None => {
            sqlx::query("UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
                .bind(clock::now())
                .bind(id)
                .execute(pool)
                .await?;
        }
        Some(e) => {
            sqlx::query(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2",
            )
            .bind(e)
            .bind(id)
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}
