//! Locale-aware number formatting (Zahlenformat): German `1.234,5`, English `1,234.5`.
//!
//! Every number a person reads goes through here, so that the atlas, the report and the
//! exports agree to the last digit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The user interface language and number format (Sprache).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    /// German: decimal comma, `.` groups thousands.
    #[default]
    De,
    /// English: decimal point, `,` groups thousands.
    En,
}

impl Locale {
    /// The two-letter language code (`de`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Locale::De => "de",
            Locale::En => "en",
        }
    }

    /// The decimal mark of the locale.
    pub fn decimal_mark(self) -> char {
        match self {
            Locale::De => ',',
            Locale::En => '.',
        }
    }

    /// The thousands separator of the locale.
    pub fn group_separator(self) -> char {
        match self {
            Locale::De => '.',
            Locale::En => ',',
        }
    }

    /// Picks the German or the English text.
    pub fn pick<'a>(self, de: &'a str, en: &'a str) -> &'a str {
        match self {
            Locale::De => de,
            Locale::En => en,
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Locale {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "de" | "de-de" | "deutsch" | "german" => Ok(Locale::De),
            "en" | "en-gb" | "en-us" | "english" | "englisch" => Ok(Locale::En),
            other => Err(format!("unknown locale `{other}` (expected `de` or `en`)")),
        }
    }
}

/// Rounds half away from zero at `decimals` places, the rule of German official statistics
/// (kaufmännisches Runden), working on the decimal representation so that `5.235` → `5.24`
/// even though the binary value is slightly below.
pub fn round_half_away(x: f64, decimals: usize) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let s = format_fixed_abs(x.abs(), decimals);
    let v: f64 = s.parse().unwrap_or(x.abs());
    if x < 0.0 { -v } else { v }
}

/// Formats `|x|` with exactly `decimals` places, rounding half away from zero on the shortest
/// decimal representation of the value (what a person typed), not on its binary expansion.
fn format_fixed_abs(ax: f64, decimals: usize) -> String {
    // `{}` prints the shortest string that round-trips, e.g. 5.235 -> "5.235".
    let repr = format!("{ax}");
    let repr = if repr.contains('e') || repr.contains('E') {
        // Very large or very small numbers: fall back to std formatting with extra digits.
        format!("{ax:.*}", decimals + 6)
    } else {
        repr
    };
    let (int_part, frac_part) = match repr.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (repr.clone(), String::new()),
    };
    let mut digits: Vec<u8> = int_part.bytes().map(|b| b - b'0').collect();
    let int_len = digits.len();
    let frac: Vec<u8> = frac_part.bytes().map(|b| b - b'0').collect();
    for i in 0..decimals {
        digits.push(*frac.get(i).unwrap_or(&0));
    }
    let round_up = frac.get(decimals).is_some_and(|&d| d >= 5);
    if round_up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, 1);
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let int_len = int_len + (digits.len() - int_len - decimals);
    let mut out = String::with_capacity(digits.len() + 1);
    for (i, d) in digits.iter().enumerate() {
        if i == int_len {
            out.push('.');
        }
        out.push((b'0' + d) as char);
    }
    out
}

/// Formats a number with a fixed count of decimals in the locale's format, with thousands
/// grouping: `format_decimal(1234.5, 1, Locale::De)` → `"1.234,5"`.
///
/// Rounding is half away from zero on the decimal representation. Negative zero after rounding
/// prints as `0`. Non-finite values print as `–`.
pub fn format_decimal(x: f64, decimals: usize, locale: Locale) -> String {
    format_with(x, decimals, locale, true)
}

/// Like [`format_decimal`] but without thousands grouping (for machine-readable exports in
/// German spreadsheet style: `1234,5`).
pub fn format_plain(x: f64, decimals: usize, locale: Locale) -> String {
    format_with(x, decimals, locale, false)
}

/// Formats a number with all its precision, without grouping, in the locale's decimal mark:
/// the shortest decimal that reads back as the same `f64` (`13.24997` stays `13,24997`, `13.2`
/// is `13,2`, `1234` is `1234`), so that a reader who rounds it to the decimals shown on the
/// pages gets the pages' figure. Negative zero prints as `0`, non-finite values as `–`.
pub fn format_exact(x: f64, locale: Locale) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let x = if x == 0.0 { 0.0 } else { x };
    let s = format!("{x}");
    if locale.decimal_mark() == '.' {
        s
    } else {
        s.replace('.', &locale.decimal_mark().to_string())
    }
}

fn format_with(x: f64, decimals: usize, locale: Locale, group: bool) -> String {
    if !x.is_finite() {
        return "–".to_string();
    }
    let fixed = format_fixed_abs(x.abs(), decimals);
    let (int_part, frac_part) = match fixed.split_once('.') {
        Some((i, f)) => (i, f),
        None => (fixed.as_str(), ""),
    };
    let is_zero = fixed.bytes().all(|b| b == b'0' || b == b'.');
    let mut out = String::new();
    if x < 0.0 && !is_zero {
        out.push('-');
    }
    if group && int_part.len() > 3 {
        let first = int_part.len() % 3;
        for (i, ch) in int_part.chars().enumerate() {
            if i > 0 && (i + 3 - first) % 3 == 0 {
                out.push(locale.group_separator());
            }
            out.push(ch);
        }
    } else {
        out.push_str(int_part);
    }
    if !frac_part.is_empty() {
        out.push(locale.decimal_mark());
        out.push_str(frac_part);
    }
    out
}

/// Formats with the fewest decimals up to `max_decimals` that show the value exactly
/// (trailing zeros dropped): `format_trimmed(2.50, 2, De)` → `"2,5"`.
pub fn format_trimmed(x: f64, max_decimals: usize, locale: Locale) -> String {
    let s = format_decimal(x, max_decimals, locale);
    let mark = locale.decimal_mark();
    if s.contains(mark) {
        let t = s.trim_end_matches('0');
        t.trim_end_matches(mark).to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_keeps_every_digit_and_reads_back() {
        assert_eq!(format_exact(13.24997, Locale::De), "13,24997");
        assert_eq!(format_exact(13.24997, Locale::En), "13.24997");
        assert_eq!(format_exact(13.2, Locale::De), "13,2");
        assert_eq!(format_exact(1234.0, Locale::De), "1234");
        assert_eq!(format_exact(-0.0, Locale::De), "0");
        assert_eq!(format_exact(-2.5, Locale::De), "-2,5");
        assert_eq!(format_exact(1e-7, Locale::En), "0.0000001");
        assert_eq!(format_exact(f64::NAN, Locale::De), "–");
        for x in [100.0 / 3.0, 0.1 + 0.2, 13.249999999, 7.0e15 + 1.0] {
            let back: f64 = format_exact(x, Locale::En).parse().unwrap();
            assert_eq!(back, x);
        }
        // Rounded to the page's one decimal, the exact figure gives the page's figure; the
        // three decimals the data pool wrote before re-rounded to another.
        assert_eq!(format_decimal(13.24997, 1, Locale::De), "13,2");
        let exact: f64 = format_exact(13.24997, Locale::En).parse().unwrap();
        assert_eq!(format_decimal(exact, 1, Locale::De), "13,2");
        let three: f64 = format_plain(13.24997, 3, Locale::En).parse().unwrap();
        assert_eq!(format_decimal(three, 1, Locale::De), "13,3");
    }

    #[test]
    fn german_and_english() {
        assert_eq!(format_decimal(5.23, 2, Locale::De), "5,23");
        assert_eq!(format_decimal(1234.5, 1, Locale::De), "1.234,5");
        assert_eq!(format_decimal(1234.5, 1, Locale::En), "1,234.5");
        assert_eq!(format_decimal(1234567.0, 0, Locale::De), "1.234.567");
        assert_eq!(format_decimal(123.0, 0, Locale::De), "123");
        assert_eq!(format_decimal(-1234.5, 2, Locale::En), "-1,234.50");
        assert_eq!(format_plain(1234.5, 1, Locale::De), "1234,5");
    }

    #[test]
    fn rounds_half_away_from_zero_on_decimal_repr() {
        assert_eq!(format_decimal(5.235, 2, Locale::En), "5.24");
        assert_eq!(format_decimal(0.125, 2, Locale::En), "0.13");
        assert_eq!(format_decimal(2.5, 0, Locale::En), "3");
        assert_eq!(format_decimal(-2.5, 0, Locale::En), "-3");
        assert_eq!(format_decimal(9.999, 2, Locale::De), "10,00");
        assert_eq!(format_decimal(999.96, 1, Locale::De), "1.000,0");
        assert_eq!(format_decimal(-0.001, 2, Locale::De), "0,00");
        assert_eq!(round_half_away(11.165, 2), 11.17);
    }

    #[test]
    fn trimmed() {
        assert_eq!(format_trimmed(2.50, 2, Locale::De), "2,5");
        assert_eq!(format_trimmed(3.0, 2, Locale::De), "3");
        assert_eq!(format_trimmed(1000.0, 1, Locale::De), "1.000");
    }

    #[test]
    fn non_finite() {
        assert_eq!(format_decimal(f64::NAN, 1, Locale::De), "–");
    }

    proptest::proptest! {
        #[test]
        fn parses_back(x in -1.0e9f64..1.0e9, d in 0usize..5) {
            let s = format_decimal(x, d, Locale::En).replace(',', "");
            let v: f64 = s.parse().unwrap();
            proptest::prop_assert!((v - x).abs() <= 0.5 * 10f64.powi(-(d as i32)) + 1e-6 * x.abs().max(1.0));
        }
    }
}
