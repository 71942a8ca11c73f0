//! Calendar dates (`YYYY-MM-DD`) as the office log keeps them: no time of day, no time zone.
//! Small on purpose: parsing with a clear error, today, adding months (retention), periods.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A date of the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year.
    pub y: i32,
    /// Month 1–12.
    pub m: u32,
    /// Day 1–31.
    pub d: u32,
}

/// Stored as text (`YYYY-MM-DD`), as every date of the office log.
impl<DB: sqlx::Database> sqlx::Type<DB> for Date
where
    String: sqlx::Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <String as sqlx::Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <String as sqlx::Type<DB>>::compatible(ty)
    }
}

/// A stored date that is not one is a decoding error naming it, not a default.
impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for Date
where
    &'r str: sqlx::Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Date, sqlx::error::BoxDynError> {
        Ok(Date::parse(<&str as sqlx::Decode<DB>>::decode(value)?)?)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// A date, if it exists.
    pub fn new(y: i32, m: u32, d: u32) -> Option<Date> {
        ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) && (1900..=9999).contains(&y))
            .then_some(Date { y, m, d })
    }

    /// Parses `YYYY-MM-DD`; the error says what was expected.
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        let bad = || format!("expected a date as YYYY-MM-DD (e.g. 2024-03-15), found „{s}“");
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let y: i32 = s[0..4].parse().map_err(|_| bad())?;
        let m: u32 = s[5..7].parse().map_err(|_| bad())?;
        let d: u32 = s[8..10].parse().map_err(|_| bad())?;
        Date::new(y, m, d).ok_or_else(|| format!("„{s}“ is not a date of the calendar"))
    }

    /// Today (UTC).
    pub fn today() -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()) as i64;
        Date::from_days(secs.div_euclid(86_400))
    }

    /// Days since 1970-01-01 → date ([`sozialatlas_store::clock::civil_from_days`]).
    pub fn from_days(z: i64) -> Date {
        let (y, m, d) = sozialatlas_store::clock::civil_from_days(z);
        Date { y: y as i32, m, d }
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        let y = i64::from(self.y) - i64::from(self.m <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let mp = i64::from((self.m + 9) % 12);
        let doy = (153 * mp + 2) / 5 + i64::from(self.d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `n` days later (earlier for negative `n`).
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.days() + n)
    }

    /// The same day `n` months later (the month's last day when it is shorter).
    pub fn add_months(self, n: i32) -> Date {
        let idx = self.y * 12 + self.m as i32 - 1 + n;
        let (y, m) = (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1);
        Date {
            y,
            m,
            d: self.d.min(days_in_month(y, m)),
        }
    }

    /// The quarter 1–4.
    pub fn quarter(self) -> u32 {
        (self.m - 1) / 3 + 1
    }

    /// German notation `15.03.2024`.
    pub fn de(self) -> String {
        format!("{:02}.{:02}.{:04}", self.d, self.m, self.y)
    }
}

/// The English and German messages for a text that is not a date.
pub fn parse_errors(found: &str) -> (String, String) {
    let f: String = found.trim().chars().take(30).collect();
    (
        Date::parse(found)
            .err()
            .unwrap_or_else(|| format!("expected a date as YYYY-MM-DD, found „{f}“")),
        format!("erwartet wird ein Datum als JJJJ-MM-TT (z. B. 2024-03-15), angegeben ist „{f}“"),
    )
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[tokio::test]
    async fn a_stored_date_is_read_or_refused_by_name() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        let d: Date = sqlx::query_scalar("SELECT '2024-03-15'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(d, Date::new(2024, 3, 15).unwrap());
        let none: Option<Date> = sqlx::query_scalar("SELECT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(none, None);
        let e = sqlx::query_scalar::<_, Date>("SELECT '2024-13-01'")
            .fetch_one(&pool)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("2024-13-01"), "{e}");
    }

    #[test]
    fn round_trip_and_arithmetic() {
        for z in [-1000, 0, 11_016, 20_508, 30_000] {
            assert_eq!(Date::from_days(z).days(), z);
        }
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.add_months(1).to_string(), "2024-02-29");
        assert_eq!(d.add_months(13).to_string(), "2025-02-28");
        assert_eq!(d.add_months(-2).to_string(), "2023-11-30");
        assert_eq!(d.add_days(1).to_string(), "2024-02-01");
        assert_eq!(Date::parse("2024-11-05").unwrap().quarter(), 4);
        assert!(Date::parse("2023-02-29").is_err());
        assert!(
            Date::parse("15.03.2024")
                .unwrap_err()
                .contains("YYYY-MM-DD")
        );
        assert_eq!(Date::parse("2024-03-15").unwrap().de(), "15.03.2024");
    }
}
