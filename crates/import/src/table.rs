//! Reading CSV and XLSX into a plain table of text cells, with encoding, delimiter and
//! decimal-mark detection.
//!
//! German spreadsheets write `;`-separated files with a decimal comma, in Windows-1252 or UTF-8
//! with a byte-order mark; international files use `,` and a decimal point. Detection looks at
//! the file; the atlas.toml can fix each choice.

use crate::error::ImportError;
use std::io::Cursor;

/// A cell as read.
#[derive(Clone, Debug, PartialEq)]
pub enum RawCell {
    /// Text (every CSV cell; XLSX text cells).
    Text(String),
    /// A number stored as a number (XLSX).
    Number(f64),
    /// An empty cell.
    Empty,
}

impl RawCell {
    /// The cell as text, trimmed.
    pub fn text(&self) -> String {
        match self {
            RawCell::Text(s) => s.trim().to_string(),
            RawCell::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    format!("{}", *n as i64)
                } else {
                    n.to_string()
                }
            }
            RawCell::Empty => String::new(),
        }
    }
}

/// A table read from a file: the header and the rows with their 1-based line numbers.
#[derive(Clone, Debug)]
pub struct RawTable {
    /// File name for messages.
    pub file: String,
    /// Column names, trimmed.
    pub header: Vec<String>,
    /// (line number, cells).
    pub rows: Vec<(u64, Vec<RawCell>)>,
    /// The decimal mark in use for text numbers.
    pub decimal: char,
    /// The delimiter that was used (CSV).
    pub delimiter: Option<u8>,
}

impl RawTable {
    /// Index of a column by name, or an error listing the columns there are.
    pub fn column(&self, name: &str, what: &str) -> Result<usize, ImportError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            let mut found = format!("the columns {}", quote_list(&self.header));
            if self.header.len() == 1 {
                let h = &self.header[0];
                for (d, n) in [(';', "`;`"), (',', "`,`"), ('\t', "a tab")] {
                    if h.contains(d) {
                        found.push_str(&format!(" (a single column: is the delimiter {n}?)"));
                        break;
                    }
                }
            }
            ImportError::file(&self.file, format!("a column `{name}` ({what})"), found).at_line(1)
        })
    }
}

fn quote_list(v: &[String]) -> String {
    let shown: Vec<String> = v.iter().take(12).map(|s| format!("`{s}`")).collect();
    let mut s = shown.join(", ");
    if v.len() > 12 {
        s.push_str(&format!(" and {} more", v.len() - 12));
    }
    s
}

/// Decodes bytes to text: UTF-8 (a BOM is dropped) or Windows-1252.
pub fn decode(bytes: &[u8], encoding: &str, file: &str) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match encoding.to_ascii_lowercase().as_str() {
        "auto" => Ok(match std::str::from_utf8(bytes) {
            Ok(s) => s.to_string(),
            Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
        }),
        "utf-8" | "utf8" => std::str::from_utf8(bytes).map(str::to_string).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64
                + 1;
            ImportError::file(
                file,
                "UTF-8 text (encoding = \"utf-8\")",
                "bytes that are not UTF-8 (Windows-1252?)",
            )
            .at_line(line)
        }),
        "windows-1252" | "cp1252" | "latin1" | "iso-8859-1" => {
            Ok(encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned())
        }
        other => Err(ImportError::file(
            file,
            "encoding `auto`, `utf-8` or `windows-1252`",
            format!("`{other}`"),
        )
        .in_column("encoding")),
    }
}

/// Picks the delimiter that splits the first lines into the most, equally many columns.
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize);
    for d in [b';', b',', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first > 0 && counts.iter().all(|&c| c == first) && first > best.1 {
            best = (d, first);
        }
    }
    if best.1 == 0 {
        // Not consistent: take the most frequent in the header.
        let header = lines.first().copied().unwrap_or("");
        let mut m = (b',', 0);
        for d in [b';', b',', b'\t', b'|'] {
            let c = count_outside_quotes(header, d);
            if c > m.1 {
                m = (d, c);
            }
        }
        return m.0;
    }
    best.0
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut inq = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            inq = !inq;
        } else if b == d && !inq {
            n += 1;
        }
    }
    n
}

fn parse_delimiter(s: &str, file: &str) -> Result<Option<u8>, ImportError> {
    Ok(match s {
        "auto" => None,
        ";" => Some(b';'),
        "," => Some(b','),
        "tab" | "\t" => Some(b'\t'),
        "|" => Some(b'|'),
        other => {
            return Err(ImportError::file(
                file,
                "delimiter `auto`, `;`, `,`, `tab` or `|`",
                format!("`{other}`"),
            )
            .in_column("delimiter"));
        }
    })
}

/// Reads a CSV file.
pub fn read_csv(
    bytes: &[u8],
    file: &str,
    encoding: &str,
    delimiter: &str,
) -> Result<RawTable, ImportError> {
    let text = decode(bytes, encoding, file)?;
    let delim = match parse_delimiter(delimiter, file)? {
        Some(d) => d,
        None => detect_delimiter(&text),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(true)
        .flexible(true)
        .from_reader(Cursor::new(text.as_bytes()));
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| ImportError::file(file, "a header line", e.to_string()).at_line(1))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for rec in rdr.records() {
        // The reader's byte position can point at the line terminator before a record (CRLF
        // files): skip terminators, then count the lines before.
        let line_of = |byte: u64| {
            let t = text.as_bytes();
            let mut b = (byte as usize).min(t.len());
            while b < t.len() && (t[b] == b'\r' || t[b] == b'\n') {
                b += 1;
            }
            t[..b].iter().filter(|&&c| c == b'\n').count() as u64 + 1
        };
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| line_of(p.byte()));
            ImportError::file(file, "a well-formed CSV record", e.to_string()).at_line(line)
        })?;
        let line = rec.position().map_or(0, |p| line_of(p.byte()));
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rec.len() != header.len() {
            return Err(ImportError::file(
                file,
                format!(
                    "{} fields like the header (delimiter `{}`)",
                    header.len(),
                    delim as char
                ),
                format!("{} fields", rec.len()),
            )
            .at_line(line));
        }
        rows.push((
            line,
            rec.iter().map(|c| RawCell::Text(c.to_string())).collect(),
        ));
    }
    Ok(RawTable {
        file: file.to_string(),
        header,
        rows,
        decimal: '.',
        delimiter: Some(delim),
    })
}

/// Reads one sheet of an XLSX workbook (the first when `sheet` is None). Row 1 is the header.
pub fn read_xlsx(bytes: &[u8], file: &str, sheet: Option<&str>) -> Result<RawTable, ImportError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec()))
        .map_err(|e| ImportError::file(file, "an XLSX workbook", e.to_string()))?;
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => {
            if !names.iter().any(|n| n == s) {
                return Err(ImportError::file(
                    file,
                    format!("a sheet `{s}`"),
                    format!("the sheets {}", quote_list(&names)),
                )
                .in_column("sheet"));
            }
            s.to_string()
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ImportError::file(file, "at least one sheet", "none"))?,
    };
    let range = wb.worksheet_range(&name).map_err(|e| {
        ImportError::file(file, format!("a readable sheet `{name}`"), e.to_string())
    })?;
    let start_row = range.start().map_or(0, |s| s.0) as u64;
    let mut it = range.rows();
    let header: Vec<String> = it
        .next()
        .ok_or_else(|| ImportError::file(file, "a header row", "an empty sheet"))?
        .iter()
        .map(|c| c.to_string().trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for (i, r) in it.enumerate() {
        let cells: Vec<RawCell> = r
            .iter()
            .map(|c| match c {
                Data::Empty => RawCell::Empty,
                Data::Int(n) => RawCell::Number(*n as f64),
                Data::Float(f) => RawCell::Number(*f),
                Data::String(s) => RawCell::Text(s.clone()),
                Data::Bool(b) => RawCell::Text(b.to_string()),
                other => RawCell::Text(other.to_string()),
            })
            .collect();
        if cells.iter().all(|c| c.text().is_empty()) {
            continue;
        }
        rows.push((start_row + i as u64 + 2, cells));
    }
    Ok(RawTable {
        file: file.to_string(),
        header,
        rows,
        decimal: '.',
        delimiter: None,
    })
}

fn looks_decimal(s: &str, mark: char) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    match s.split_once(mark) {
        Some((a, b)) => {
            !a.is_empty()
                && !b.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

fn looks_grouped_thousands(s: &str, sep: char) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let int = s.split([',', '.']).next().unwrap_or("");
    let _ = int;
    let mut parts = s.split(sep);
    let Some(first) = parts.next() else {
        return false;
    };
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let mut any = false;
    for p in parts {
        any = true;
        let p = p.split([',', '.']).next().unwrap_or(p);
        if p.len() != 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    any
}

/// Decides the decimal mark of the value columns: `,` when some value has a decimal comma and
/// none has a decimal point (apart from German thousands groups like `1.234`), `.` otherwise.
pub fn detect_decimal(
    table: &RawTable,
    columns: &[usize],
    setting: &str,
) -> Result<char, ImportError> {
    match setting {
        "," => return Ok(','),
        "." => return Ok('.'),
        "auto" => {}
        other => {
            return Err(ImportError::file(
                &table.file,
                "decimal `auto`, `,` or `.`",
                format!("`{other}`"),
            )
            .in_column("decimal"));
        }
    }
    let mut comma = None;
    let mut point = None;
    for (line, row) in &table.rows {
        for &c in columns {
            if let Some(RawCell::Text(s)) = row.get(c) {
                let s = s.trim();
                if looks_decimal(s, ',') || (s.contains(',') && looks_grouped_thousands(s, '.')) {
                    comma.get_or_insert((*line, c, s.to_string()));
                } else if looks_decimal(s, '.')
                    && !(table.delimiter == Some(b';') && looks_grouped_thousands(s, '.'))
                {
                    point.get_or_insert((*line, c, s.to_string()));
                }
            }
        }
    }
    match (comma, point) {
        (Some((l1, c1, s1)), Some((l2, c2, s2))) => Err(ImportError::file(
            &table.file,
            "one decimal mark in the whole file (set decimal = \",\" or \".\" in atlas.toml)",
            format!(
                "a decimal comma (`{s1}`, line {l1}, column `{}`) and a decimal point (`{s2}`, line {l2}, column `{}`)",
                table.header[c1], table.header[c2]
            ),
        )),
        (Some(_), None) => Ok(','),
        _ => Ok('.'),
    }
}

/// Parses a text number with the given decimal mark; thousands groups of the other mark are
/// accepted only in their proper form (`1.234,5` with a decimal comma).
pub fn parse_number(s: &str, decimal: char) -> Option<f64> {
    let s = s.trim().replace(['\u{a0}', ' '], "");
    if s.is_empty() {
        return None;
    }
    let group = if decimal == ',' { '.' } else { ',' };
    let cleaned = if s.contains(group) {
        if !looks_grouped_thousands(&s, group) {
            return None;
        }
        s.replace(group, "")
    } else {
        s
    };
    let cleaned = if decimal == ',' {
        cleaned.replace(',', ".")
    } else {
        cleaned
    };
    // Reject forms Rust accepts but people don't write: "inf", "nan", "1e5" stays allowed.
    if cleaned
        .chars()
        .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
    {
        return None;
    }
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1.234,5", ','), Some(1234.5));
        assert_eq!(parse_number("12,5", ','), Some(12.5));
        assert_eq!(parse_number("12.5", '.'), Some(12.5));
        assert_eq!(parse_number("1,234.5", '.'), Some(1234.5));
        assert_eq!(parse_number("12,5", '.'), None);
        assert_eq!(parse_number("12a", '.'), None);
        assert_eq!(parse_number("nan", '.'), None);
        assert_eq!(parse_number("-3", '.'), Some(-3.0));
    }

    #[test]
    fn delimiters() {
        assert_eq!(detect_delimiter("a;b;c\n1;2,5;3\n"), b';');
        assert_eq!(detect_delimiter("a,b,c\n1,2.5,3\n"), b',');
        assert_eq!(detect_delimiter("a\tb\n1\t2\n"), b'\t');
    }

    #[test]
    fn windows_1252_and_bom() {
        let bytes = b"name\nM\xfcrwik\n";
        assert_eq!(decode(bytes, "auto", "f").unwrap(), "name\nMürwik\n");
        let bom = "\u{feff}name\nMürwik\n".as_bytes();
        assert_eq!(decode(bom, "auto", "f").unwrap(), "name\nMürwik\n");
        assert!(decode(bytes, "utf-8", "f").is_err());
    }
}
