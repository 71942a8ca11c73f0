//! Times and dates as the participation tables keep them: timestamps as RFC 3339 text in UTC
//! with whole seconds (`2026-05-04T09:30:00Z`, so that text order is time order in any SQL
//! database), dates as `YYYY-MM-DD`. Every function that depends on "now" takes it as an
//! argument, so that tests can fix the clock.

use time::{Date, Duration, OffsetDateTime, Time, UtcOffset, format_description::FormatItem};

const STAMP: &[FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
const DATE: &[FormatItem<'static>] = time::macros::format_description!("[year]-[month]-[day]");
const DATE_DE: &[FormatItem<'static>] = time::macros::format_description!("[day].[month].[year]");
const HM: &[FormatItem<'static>] = time::macros::format_description!("[hour]:[minute]");

/// The current time in UTC.
pub fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A timestamp as stored: `2026-05-04T09:30:00Z`.
pub fn stamp(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(STAMP)
        .unwrap_or_default()
}

/// The stored timestamp `minutes` before `t`.
pub fn stamp_minus(t: OffsetDateTime, minutes: i64) -> String {
    stamp(t - Duration::minutes(minutes))
}

/// Parses a stored timestamp.
pub fn parse_stamp(s: &str) -> Option<OffsetDateTime> {
    time::PrimitiveDateTime::parse(s, STAMP)
        .ok()
        .map(|p| p.assume_utc())
}

/// A date as stored: `2026-05-04`.
pub fn date_str(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

/// Today's date (UTC) of `t`.
pub fn today(t: OffsetDateTime) -> Date {
    t.to_offset(UtcOffset::UTC).date()
}

/// Parses a date typed by a person: `2026-05-04` or `4.5.2026` / `04.05.2026`.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if let Ok(d) = Date::parse(s, DATE) {
        return Some(d);
    }
    if let Ok(d) = Date::parse(s, DATE_DE) {
        return Some(d);
    }
    // Day and month without leading zeros.
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 4) {
        let d: u8 = parts[0].parse().ok()?;
        let m: u8 = parts[1].parse().ok()?;
        let y: i32 = parts[2].parse().ok()?;
        if parts[2].len() != 4 {
            return None;
        }
        let month = time::Month::try_from(m).ok()?;
        return Date::from_calendar_date(y, month, d).ok();
    }
    None
}

/// Parses a time of day `HH:MM`.
pub fn parse_time(s: &str) -> Option<Time> {
    let s = s.trim();
    Time::parse(s, HM).ok().or_else(|| {
        // 9:30
        let (h, m) = s.split_once(':')?;
        let h: u8 = h.parse().ok()?;
        if m.len() != 2 {
            return None;
        }
        let m: u8 = m.parse().ok()?;
        Time::from_hms(h, m, 0).ok()
    })
}

/// A local date and time of an event, stored as `YYYY-MM-DDTHH:MM` (the city's local time).
pub fn local_str(d: Date, t: Time) -> String {
    format!("{}T{}", date_str(d), t.format(HM).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_people_type_them() {
        let d = Date::from_calendar_date(2026, time::Month::May, 4).unwrap();
        for s in ["2026-05-04", "04.05.2026", "4.5.2026", " 4.05.2026 "] {
            assert_eq!(parse_date(s), Some(d), "{s}");
        }
        for s in [
            "",
            "2026-5-4x",
            "31.02.2026",
            "4.5.26",
            "morgen",
            "2026-13-01",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
        assert_eq!(date_str(d), "2026-05-04");
    }

    #[test]
    fn stamps_sort_as_time() {
        let t = time::macros::datetime!(2026-05-04 09:30:00 UTC);
        assert_eq!(stamp(t), "2026-05-04T09:30:00Z");
        assert_eq!(stamp_minus(t, 600), "2026-05-03T23:30:00Z");
        assert!(stamp_minus(t, 1) < stamp(t));
        assert_eq!(parse_stamp(&stamp(t)), Some(t));
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("18:30"), Time::from_hms(18, 30, 0).ok());
        assert_eq!(parse_time("9:05"), Time::from_hms(9, 5, 0).ok());
        assert_eq!(parse_time("25:00"), None);
        assert_eq!(parse_time("abends"), None);
    }
}
