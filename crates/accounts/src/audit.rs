//! The audit log: append-only. This module is the only code that touches `audit_log`, and it
//! has an INSERT and SELECTs only (a test checks that no UPDATE or DELETE of it exists in the
//! crate). Entries name users by id (`user:17`), never by address or name.

use serde::Serialize;

use crate::{AccountError, Pool, clock};

/// One audit entry.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When (UTC).
    pub at: String,
    /// Who (user id), or None for the system or the command line.
    pub actor_id: Option<i64>,
    /// What, as a dotted verb: `user.role.add`, `user.block`, `idea.hide`, `office.case.read`, …
    pub action: String,
    /// On what: `user:17`, `idea:4`, …
    pub object: String,
    /// Details (`role=admin`, a reason, …); no personal data.
    pub detail: String,
}

/// Appends an entry to the audit log. `actor` is the acting user (None: the system or the
/// command line); `action` a dotted verb (`user.block`); `object` what it acted on (`user:17`);
/// `detail` anything else worth keeping (no personal data).
pub async fn audit(
    pool: &Pool,
    actor: Option<i64>,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<(), AccountError> {
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = sozialatlas_store::next_id(&mut tx, "audit_log").await?;
    sqlx::query(
        "INSERT INTO audit_log (id, at, actor_id, action, object, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(clock::now())
    .bind(actor)
    .bind(action)
    .bind(object)
    .bind(detail)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(actor = ?actor, action, object, detail, "audit");
    Ok(())
}

/// A filter for [`list_audit`].
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only entries whose action starts with this (e.g. `user.`).
    pub action_prefix: Option<String>,
    /// Only entries by this actor.
    pub actor_id: Option<i64>,
    /// Only entries on this object (e.g. `user:17`).
    pub object: Option<String>,
}

/// Audit entries, newest first: `limit` entries after skipping `offset`, and the total count.
pub async fn list_audit(
    pool: &Pool,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditEntry>, i64), AccountError> {
    let cond = "($1 IS NULL OR action LIKE $1 || '%') AND ($2 IS NULL OR actor_id = $2) \
                AND ($3 IS NULL OR object = $3)";
    let total: i64 =
        sqlx::query_scalar(&format!("SELECT COUNT(*) AS n FROM audit_log WHERE {cond}"))
            .bind(&filter.action_prefix)
            .bind(filter.actor_id)
            .bind(&filter.object)
            .fetch_one(pool)
            .await?;
    let rows = sqlx::query_as(&format!(
        "SELECT id, at, actor_id, action, object, detail FROM audit_log WHERE {cond} \
         ORDER BY id DESC LIMIT $4 OFFSET $5"
    ))
    .bind(&filter.action_prefix)
    .bind(filter.actor_id)
    .bind(&filter.object)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    Ok((rows, total))
}

/// Entries by or about a user, oldest first (for the data export).
pub(crate) async fn entries_about(
    pool: &Pool,
    user_id: i64,
) -> Result<Vec<AuditEntry>, AccountError> {
    let rows = sqlx::query_as(
        "SELECT id, at, actor_id, action, object, detail FROM audit_log \
         WHERE actor_id = $1 OR object = $2 ORDER BY id",
    )
    .bind(user_id)
    .bind(format!("user:{user_id}"))
    .fetch_all(pool)
    .await?;
    Ok(rows)
}
