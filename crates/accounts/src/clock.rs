//! Times as fixed-width RFC 3339 UTC text (text order = time order).

use time::OffsetDateTime;
use time::macros::format_description;

/// Formats a time as `2026-11-25T12:00:00Z`.
pub(crate) fn fmt(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// The current time as `2026-11-25T12:00:00Z`.
pub fn now() -> String {
    fmt(OffsetDateTime::now_utc())
}

/// Unix time in milliseconds.
pub fn now_millis() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The time `d` from now, formatted.
pub(crate) fn in_future(d: time::Duration) -> String {
    fmt(OffsetDateTime::now_utc() + d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixed_width() {
        let n = super::now();
        assert_eq!(n.len(), 20, "{n}");
        assert!(n.ends_with('Z'));
        assert!(super::in_future(time::Duration::hours(1)) > n);
    }
}
