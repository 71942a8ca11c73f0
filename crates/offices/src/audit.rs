//! Writing to the append-only audit log of the accounts crate. Every call site writes its entry
//! before it returns data, so that a read that cannot be logged does not happen.

use crate::{OfficeError, Pool, Result};

/// Logs one action. `object` names a case by its pseudonymous id only (or an office by id);
/// `detail` never holds identifying details.
pub(crate) async fn log(
    pool: &Pool,
    actor: Option<i64>,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<()> {
    // TEMP until the accounts crate lands: the same row its `audit` writes.
    sqlx::query("INSERT INTO audit_log (id, at, actor_id, action, object, detail) SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3, $4, $5 FROM audit_log")
        .bind(crate::now_rfc3339())
        .bind(actor)
        .bind(action)
        .bind(object)
        .bind(detail)
        .execute(pool)
        .await
        .map_err(|e| OfficeError::Audit(e.to_string()))?;
    Ok(())
}
