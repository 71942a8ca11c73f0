//! The current time as RFC 3339 (UTC): the store's clock, so that every stored timestamp has
//! one format.

pub use sozialatlas_store::clock::now_rfc3339;

/// The load time a build records: `SOURCE_DATE_EPOCH` (whole seconds since 1970-01-01 UTC, the
/// convention of reproducible builds) when it is set, so that two builds of the same folder
/// publish the same bytes; otherwise `None` (the time the store is written).
pub fn source_date_epoch() -> Result<Option<String>, crate::UsageError> {
    let Some(raw) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let text = raw.to_string_lossy();
    text.trim()
        .parse::<u32>()
        .map(|secs| Some(sozialatlas_store::clock::rfc3339(i64::from(secs))))
        .map_err(|_| {
            crate::UsageError(format!(
                "SOURCE_DATE_EPOCH: expected whole seconds since 1970-01-01 (such as 1700000000), found `{text}`"
            ))
        })
}
