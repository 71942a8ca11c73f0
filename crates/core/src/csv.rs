//! CSV as every export of the atlas writes it: the locale's convention (German: `;` and a byte
//! order mark, so that Excel reads the umlauts; English: `,`) and no cell a spreadsheet would run
//! as a formula.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`
//! (the OWASP advice on CSV injection), unless it is a plain number such as `-1,5` or `+2.0`:
//! a number is written as a number.

use std::borrow::Cow;
use std::io::Write;

use crate::Locale;

/// Neutralises a text cell that a spreadsheet would read as a formula (prefixes it with `'`).
pub fn guard_formula(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// A cell as it may stand in a CSV file: a plain number as given, any other text through
/// [`guard_formula`].
pub fn safe_cell(s: &str) -> Cow<'_, str> {
    if is_plain_number(s) {
        s.into()
    } else {
        guard_formula(s)
    }
}

/// A sign, then digits with `.` or `,` (either locale's separators): what a number formatter
/// writes, and nothing a spreadsheet could run.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}

/// A CSV writer in the locale's convention whose every cell goes through [`safe_cell`].
pub struct CsvWriter<W: Write> {
    inner: ::csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Starts the file: the byte order mark for German, then rows with [`row`](Self::row).
    pub fn new(mut out: W, locale: Locale) -> std::io::Result<Self> {
        if locale == Locale::De {
            out.write_all("\u{feff}".as_bytes())?;
        }
        let inner = ::csv::WriterBuilder::new()
            .delimiter(if locale == Locale::De { b';' } else { b',' })
            .from_writer(out);
        Ok(CsvWriter { inner })
    }

    /// Writes one row (the header is a row like any other).
    pub fn row<I, C>(&mut self, cells: I) -> ::csv::Result<()>
    where
        I: IntoIterator<Item = C>,
        C: AsRef<str>,
    {
        for c in cells {
            self.inner.write_field(safe_cell(c.as_ref()).as_bytes())?;
        }
        self.inner.write_record(None::<&[u8]>)
    }

    /// Flushes and gives back the output.
    pub fn finish(self) -> ::csv::Result<W> {
        self.inner
            .into_inner()
            .map_err(|e| ::csv::Error::from(e.into_error()))
    }
}

/// `rows` (the header first) as CSV bytes in the locale's convention.
pub fn to_csv<R, C>(rows: impl IntoIterator<Item = R>, locale: Locale) -> ::csv::Result<Vec<u8>>
where
    R: IntoIterator<Item = C>,
    C: AsRef<str>,
{
    let mut w = CsvWriter::new(Vec::new(), locale)?;
    for r in rows {
        w.row(r)?;
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused() {
        for s in ["=1+1", "+49 231", "-5", "@SUM(A1)", "\tx", "\rx"] {
            assert!(guard_formula(s).starts_with('\''), "{s}");
        }
        for s in ["Spielplatz", "", "1+1", "<script>alert(1)</script>"] {
            assert_eq!(guard_formula(s), s);
        }
    }

    #[test]
    fn numbers_stay_numbers_and_text_is_guarded() {
        for s in ["-5", "-1,5", "+2.0", "-1.234,5", "12", "0,07"] {
            assert_eq!(safe_cell(s), s);
        }
        for s in [
            "=HYPERLINK(\"http://x\";\"y\")",
            "-",
            "+",
            "-1+1",
            "-5 Jahre",
            "@A1",
            "-cmd|' /C calc'!A0",
        ] {
            assert_eq!(safe_cell(s), format!("'{s}"), "{s}");
        }
    }

    #[test]
    fn the_locales_convention_and_guarded_cells() {
        let de = to_csv([["Name", "Wert"], ["=1+1", "-1,5"]], Locale::De).unwrap();
        assert_eq!(
            String::from_utf8(de).unwrap(),
            "\u{feff}Name;Wert\n'=1+1;-1,5\n"
        );
        let en = to_csv([["a;b", "-1.5"]], Locale::En).unwrap();
        assert_eq!(String::from_utf8(en).unwrap(), "a;b,-1.5\n");
    }
}
