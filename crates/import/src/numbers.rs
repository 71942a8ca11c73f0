//! Numbers written as text: which mark is the decimal mark and which separates thousands, decided
//! for a whole file from its values and settings — or refused, never guessed.
//!
//! A file writes its numbers one way: a decimal mark (`.` or `,`) and a thousands separator
//! (none, `.`, `,`, a space — also the no-break and narrow no-break space —, or `'`), the two
//! different. That gives eight ways ([`PAIRS`]). Each value rules out the ways it cannot be read
//! in: `12,5` needs the decimal comma, `1.234.567` the thousands point, `1 234` the space; `1234`
//! reads the same in all eight. The file's way is what every value and the settings
//! (`decimal`, `thousands`) leave possible:
//!
//! - a value that fits none of the ways left is refused together with the earlier value it
//!   contradicts (`1,5` and `1.5` in one file; `1.5` and `1.234.567`);
//! - a value that still reads as two different numbers in the ways left is ambiguous and
//!   refused, naming both readings and the setting that picks each: `1.057` is 1057 with
//!   `thousands = "."` and 1.057 with `decimal = "."`. It is ambiguous only when nothing in the
//!   file decides it — a `12,5` elsewhere in the file (so `.` cannot be the decimal mark), a
//!   `1.234.567` or a setting does.
//!
//! A thousands group has exactly three digits and the first group one to three, without a
//! leading zero (`0.123` is a decimal); a decimal part has at least one digit.

use crate::error::{ImportError, ImportErrors, MAX_ERRORS};
use crate::table::{RawCell, RawTable};
use std::fmt;

/// A thousands separator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sep {
    /// `.` (German).
    Point,
    /// `,` (English).
    Comma,
    /// A space, no-break space (U+00A0), narrow no-break space (U+202F) or thin space (U+2009)
    /// (ISO 80000, French, Nordic).
    Space,
    /// `'` or `’` (Swiss).
    Apostrophe,
}

impl Sep {
    fn matches(self, c: char) -> bool {
        match self {
            Sep::Point => c == '.',
            Sep::Comma => c == ',',
            Sep::Space => matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}'),
            Sep::Apostrophe => matches!(c, '\'' | '’'),
        }
    }

    /// The setting's value as written in `atlas.toml`.
    fn setting(self) -> &'static str {
        match self {
            Sep::Point => ".",
            Sep::Comma => ",",
            Sep::Space => " ",
            Sep::Apostrophe => "'",
        }
    }
}

/// A decimal mark: `.` or `,`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dec {
    /// `.`
    Point,
    /// `,`
    Comma,
}

impl Dec {
    fn char(self) -> char {
        match self {
            Dec::Point => '.',
            Dec::Comma => ',',
        }
    }
}

/// The eight ways of writing numbers: (decimal mark, thousands separator or none).
pub const PAIRS: [(Dec, Option<Sep>); 8] = [
    (Dec::Point, None),
    (Dec::Point, Some(Sep::Comma)),
    (Dec::Point, Some(Sep::Space)),
    (Dec::Point, Some(Sep::Apostrophe)),
    (Dec::Comma, None),
    (Dec::Comma, Some(Sep::Point)),
    (Dec::Comma, Some(Sep::Space)),
    (Dec::Comma, Some(Sep::Apostrophe)),
];

/// A set of [`PAIRS`] (bit i = pair i).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ways(u8);

impl Ways {
    /// All eight.
    #[cfg(test)]
    pub const ALL: Ways = Ways(0xff);

    /// The ways the settings allow: `decimal` is `auto`, `,` or `.`; `thousands` is `auto`,
    /// `none`, `.`, `,`, a space (or `space`, U+00A0, U+202F) or `'`. The error names the setting.
    pub fn from_settings(decimal: &str, thousands: &str) -> Result<Ways, (&'static str, String)> {
        let dec = match decimal {
            "auto" => None,
            "." => Some(Dec::Point),
            "," => Some(Dec::Comma),
            other => return Err(("decimal", format!("`{other}`"))),
        };
        let th = match thousands {
            "auto" => None,
            "none" | "" => Some(None),
            "." => Some(Some(Sep::Point)),
            "," => Some(Some(Sep::Comma)),
            " " | "space" | "\u{a0}" | "\u{202f}" | "\u{2009}" => Some(Some(Sep::Space)),
            "'" | "’" => Some(Some(Sep::Apostrophe)),
            other => return Err(("thousands", format!("`{other}`"))),
        };
        let ways = Ways::filter(|d, t| dec.is_none_or(|x| x == d) && th.is_none_or(|x| x == t));
        if ways.is_empty() {
            return Err((
                "thousands",
                format!("`{thousands}`, the same mark as decimal"),
            ));
        }
        Ok(ways)
    }

    fn filter(f: impl Fn(Dec, Option<Sep>) -> bool) -> Ways {
        let mut m = 0u8;
        for (i, &(d, t)) in PAIRS.iter().enumerate() {
            if f(d, t) {
                m |= 1 << i;
            }
        }
        Ways(m)
    }

    /// The ways in which `s` is a number.
    pub fn of(s: &str) -> Ways {
        Ways::filter(|d, t| read(s, d, t).is_some())
    }

    /// No way left.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The ways in both sets.
    pub fn and(self, other: Ways) -> Ways {
        Ways(self.0 & other.0)
    }

    fn pairs(self) -> impl Iterator<Item = (Dec, Option<Sep>)> {
        PAIRS
            .into_iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, p)| p)
    }

    /// The readings of `s` in these ways: each distinct number with the ways that give it.
    pub fn readings(self, s: &str) -> Vec<(f64, Ways)> {
        let mut out: Vec<(f64, Ways)> = Vec::new();
        for (i, &(d, t)) in PAIRS.iter().enumerate() {
            if self.0 & (1 << i) == 0 {
                continue;
            }
            if let Some(v) = read(s, d, t) {
                match out.iter_mut().find(|(x, _)| *x == v) {
                    Some((_, w)) => w.0 |= 1 << i,
                    None => out.push((v, Ways(1 << i))),
                }
            }
        }
        out
    }

    /// The settings that pick exactly these ways among `all`: `thousands = "."`, `decimal = ","`.
    pub fn deciding_settings(self, all: Ways) -> Vec<String> {
        let rest = Ways(all.0 & !self.0);
        let mut out = Vec::new();
        let ts: Vec<Option<Sep>> = self.pairs().map(|p| p.1).collect();
        if let Some(Some(t)) = ts.first()
            && ts.iter().all(|x| *x == Some(*t))
            && rest.pairs().all(|p| p.1 != Some(*t))
        {
            out.push(format!("thousands = \"{}\"", t.setting()));
        }
        let ds: Vec<Dec> = self.pairs().map(|p| p.0).collect();
        if let Some(d) = ds.first()
            && ds.iter().all(|x| x == d)
            && rest.pairs().all(|p| p.0 != *d)
        {
            out.push(format!("decimal = \"{}\"", d.char()));
        }
        out
    }
}

impl Ways {
    /// The decimal mark, when every way left has the same.
    pub fn decimal(self) -> Option<char> {
        let mut ds = self.pairs().map(|p| p.0);
        let first = ds.next()?;
        ds.all(|d| d == first).then_some(first.char())
    }

    /// The thousands separator as `thousands = "…"` writes it, when every way left has the same
    /// one (`None` also when they have none).
    pub fn thousands(self) -> Option<&'static str> {
        let mut ts = self.pairs().map(|p| p.1);
        let first = ts.next()??;
        ts.all(|t| t == Some(first)).then_some(first.setting())
    }
}

impl fmt::Display for Ways {
    /// What every way in the set shares: "decimal `,`, thousands `.`".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let ds: Vec<Dec> = self.pairs().map(|p| p.0).collect();
        if let Some(d) = ds.first()
            && ds.iter().all(|x| x == d)
        {
            parts.push(format!("decimal mark `{}`", d.char()));
        }
        let ts: Vec<Option<Sep>> = self.pairs().map(|p| p.1).collect();
        if let Some(t) = ts.first()
            && ts.iter().all(|x| x == t)
        {
            parts.push(match t {
                None => "no thousands separator".to_string(),
                Some(Sep::Space) => "thousands separated by spaces".to_string(),
                Some(s) => format!("thousands separator `{}`", s.setting()),
            });
        }
        if parts.is_empty() {
            parts.push("a mark".into());
        }
        write!(f, "{}", parts.join(", "))
    }
}

/// Reads `s` as a number written with decimal mark `dec` and thousands separator `th`, strictly:
/// an optional sign (`-`, `+`, `−`), digits (in groups of three after the first when `th` is
/// used), an optional decimal part, an optional exponent (`1e5`). `None` when it is not written
/// so, or not finite.
pub fn read(s: &str, dec: Dec, th: Option<Sep>) -> Option<f64> {
    let s = s.trim();
    let (neg, s) = match s.chars().next()? {
        '-' | '−' => (true, &s[s.chars().next()?.len_utf8()..]),
        '+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.find(dec.char()) {
        Some(i) => (&mantissa[..i], Some(&mantissa[i + 1..])),
        None => (mantissa, None),
    };
    let mut digits = String::with_capacity(s.len());
    match th {
        Some(t) if int.chars().any(|c| t.matches(c)) => {
            let groups: Vec<&str> = int.split(|c| t.matches(c)).collect();
            let first = groups[0];
            if first.is_empty()
                || first.len() > 3
                || first.starts_with('0')
                || !first.bytes().all(|b| b.is_ascii_digit())
                || groups[1..]
                    .iter()
                    .any(|g| g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()))
            {
                return None;
            }
            for g in groups {
                digits.push_str(g);
            }
        }
        _ => {
            if !int.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.push_str(int);
        }
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push('.');
        digits.push_str(f);
    }
    if digits.is_empty() || digits == "." {
        return None;
    }
    if let Some(e) = exp {
        let body = e.strip_prefix(['-', '+']).unwrap_or(e);
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.push('e');
        digits.push_str(e);
    }
    let v: f64 = digits.parse().ok()?;
    v.is_finite().then_some(if neg { -v } else { v })
}

/// Decides how a file writes its numbers, from the settings and the text cells of its value
/// `columns` (cells for which `skip` holds — markers — and cells that are no number in any way
/// are left to the reader). Errors: a setting that is not one, a value that contradicts the
/// settings, a value that contradicts an earlier one.
pub(crate) fn decide(
    table: &RawTable,
    columns: &[usize],
    decimal: &str,
    thousands: &str,
    skip: &dyn Fn(&str) -> bool,
) -> Result<Ways, ImportErrors> {
    let file = table.file.as_str();
    let declared = Ways::from_settings(decimal, thousands).map_err(|(key, found)| {
        ImportError::file(
            "atlas.toml",
            match key {
                "decimal" => "decimal = \"auto\", \",\" or \".\"",
                _ => "thousands = \"auto\", \"none\", \".\", \",\", \" \" or \"'\" (a mark other than the decimal mark)",
            },
            found,
        )
        .in_column(format!("data `{file}`: {key}"))
    })?;
    let settings: Vec<String> = [("decimal", decimal), ("thousands", thousands)]
        .iter()
        .filter(|(_, v)| *v != "auto")
        .map(|(k, v)| format!("{k} = \"{v}\""))
        .collect();
    let mut ways = declared;
    // The values that narrowed the ways, in order: (their ways, line, column, text).
    let mut deciders: Vec<(Ways, u64, usize, String)> = Vec::new();
    let mut errors = Vec::new();
    for (line, row) in &table.rows {
        for &c in columns {
            let Some(RawCell::Text(t)) = row.get(c) else {
                continue;
            };
            let t = t.trim();
            if t.is_empty() || skip(t) {
                continue;
            }
            let w = Ways::of(t);
            if w.is_empty() {
                continue;
            }
            let err = |expected: String, found: String| {
                ImportError::file(file, expected, found)
                    .at_line(*line)
                    .in_column(&table.header[c])
            };
            if declared.and(w).is_empty() {
                errors.push(err(
                    format!(
                        "a number written as declared for this file ({})",
                        settings.join(", ")
                    ),
                    format!("`{t}`, written with {w}"),
                ));
            } else if ways.and(w).is_empty() {
                let (dw, dl, dc, dt) = deciders
                    .iter()
                    .find(|d| declared.and(d.0).and(w).is_empty())
                    .or(deciders.last())
                    .expect("ways were narrowed by an earlier value");
                errors.push(err(
                    "numbers written one way in the whole file: one decimal mark and one thousands \
                     separator (or set decimal and thousands for this file in atlas.toml)"
                        .into(),
                    format!(
                        "`{t}` ({w}) here and `{dt}` ({dw}) on line {dl}, column `{}`",
                        table.header[*dc]
                    ),
                ));
            } else if ways.and(w) != ways {
                ways = ways.and(w);
                deciders.push((w, *line, c, t.to_string()));
            }
            if errors.len() >= MAX_ERRORS {
                return Err(ImportErrors(errors));
            }
        }
    }
    if errors.is_empty() {
        Ok(ways)
    } else {
        Err(ImportErrors(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str, d: Dec, t: Option<Sep>) -> Option<f64> {
        read(s, d, t)
    }

    #[test]
    fn strict_reading() {
        use Dec::*;
        assert_eq!(r("1.234,5", Comma, Some(Sep::Point)), Some(1234.5));
        assert_eq!(r("1.234.567,8", Comma, Some(Sep::Point)), Some(1234567.8));
        assert_eq!(r("12,5", Comma, None), Some(12.5));
        assert_eq!(r("12.5", Point, None), Some(12.5));
        assert_eq!(r("1,234.5", Point, Some(Sep::Comma)), Some(1234.5));
        assert_eq!(r("1 234,5", Comma, Some(Sep::Space)), Some(1234.5));
        assert_eq!(r("1\u{202f}234,5", Comma, Some(Sep::Space)), Some(1234.5));
        assert_eq!(r("1'234.5", Point, Some(Sep::Apostrophe)), Some(1234.5));
        assert_eq!(r("−3", Point, None), Some(-3.0));
        assert_eq!(r("-3", Point, None), Some(-3.0));
        assert_eq!(r("+3", Point, None), Some(3.0));
        assert_eq!(r("1e5", Point, None), Some(1e5));
        assert_eq!(r("1,5e-3", Comma, None), Some(1.5e-3));
        assert_eq!(r(".5", Point, None), Some(0.5));
        // Not written so.
        assert_eq!(r("12,5", Point, None), None);
        assert_eq!(r("1.2.3", Comma, Some(Sep::Point)), None);
        assert_eq!(r("12.34", Comma, Some(Sep::Point)), None);
        assert_eq!(r("0.123", Comma, Some(Sep::Point)), None);
        assert_eq!(r("1234.567", Comma, Some(Sep::Point)), None);
        assert_eq!(r("5.", Point, None), None);
        assert_eq!(r(".", Point, None), None);
        assert_eq!(r("-", Point, None), None);
        assert_eq!(r("", Point, None), None);
        assert_eq!(r("12a", Point, None), None);
        assert_eq!(r("nan", Point, None), None);
        assert_eq!(r("inf", Point, None), None);
        assert_eq!(r("1e400", Point, None), None);
        assert_eq!(r("1 234", Comma, None), None);
    }

    #[test]
    fn ways_and_readings() {
        // 1.057: decimal point or German thousands — two readings.
        let rd = Ways::ALL.readings("1.057");
        assert_eq!(rd.len(), 2);
        assert_eq!(rd[0].0, 1.057);
        assert_eq!(rd[1].0, 1057.0);
        let all = Ways::of("1.057");
        assert_eq!(
            rd[0].1.deciding_settings(all),
            vec!["decimal = \".\"".to_string()]
        );
        assert_eq!(
            rd[1].1.deciding_settings(all),
            vec![
                "thousands = \".\"".to_string(),
                "decimal = \",\"".to_string()
            ]
        );
        // A comma elsewhere decides it.
        let w = Ways::ALL.and(Ways::of("12,5"));
        assert_eq!(w.readings("1.057").len(), 1);
        assert_eq!(w.readings("1.057")[0].0, 1057.0);
        // So does a value with two points, or a setting.
        let w = Ways::ALL.and(Ways::of("1.234.567"));
        assert_eq!(w.readings("1.057")[0].0, 1057.0);
        let w = Ways::from_settings("auto", ".").unwrap();
        assert_eq!(w.readings("1.057"), vec![(1057.0, w)]);
        let w = Ways::from_settings(".", "auto").unwrap();
        assert_eq!(w.readings("1.057")[0].0, 1.057);
        // 1.5 is a decimal in every way it reads.
        assert_eq!(Ways::ALL.readings("1.5").len(), 1);
        // Contradictions leave nothing.
        assert!(Ways::of("1,5").and(Ways::of("1.5")).is_empty());
        assert!(Ways::of("1.5").and(Ways::of("1.234.567")).is_empty());
        assert_eq!(Ways::of("1,5").to_string(), "decimal mark `,`");
        assert_eq!(
            Ways::of("1.234.567").to_string(),
            "decimal mark `,`, thousands separator `.`"
        );
    }

    #[test]
    fn settings() {
        assert!(Ways::from_settings(",", ",").is_err());
        assert_eq!(Ways::from_settings("x", "auto").unwrap_err().0, "decimal");
        assert_eq!(Ways::from_settings("auto", "_").unwrap_err().0, "thousands");
        assert_eq!(
            Ways::from_settings(",", "none").unwrap(),
            Ways::filter(|d, t| d == Dec::Comma && t.is_none())
        );
        let sp = Ways::from_settings("auto", "\u{202f}").unwrap();
        assert_eq!(sp.readings("1 234,5")[0].0, 1234.5);
    }
}
