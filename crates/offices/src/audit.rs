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
    sozialatlas_accounts::audit(pool, actor, action, object, detail)
        .await
        .map_err(|e| OfficeError::Audit(e.to_string()))
}
