//! Reading CSV and XLSX into a plain table of text cells, with encoding and delimiter detection
//! (how numbers are written is decided in `numbers`).
//!
//! German spreadsheets write `;`-separated files, in Windows-1252 or UTF-8 with a byte-order
//! mark; international files use `,`. Detection looks at the file; the atlas.toml can fix each
//! choice.

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
    /// The 1-based line (CSV) or row (XLSX) of the header (the last one, for several rows).
    pub header_line: u64,
    /// The delimiter that was used (CSV).
    pub delimiter: Option<u8>,
}

impl RawTable {
    /// Index of a column by name, or an error listing the columns there are.
    pub fn column(&self, name: &str, what: &str) -> Result<usize, ImportError> {
        let wanted = normalize_name(name);
        self.header
            .iter()
            .position(|h| *h == wanted)
            .ok_or_else(|| {
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
                ImportError::file(&self.file, format!("a column `{name}` ({what})"), found)
                    .at_line(self.header_line)
            })
    }

    /// Drops the notes below the table: from the bottom up, rows whose only non-empty cell is a
    /// text that `is_key` does not take for a key ("1) ohne …", "Quelle: …"). A row with
    /// values stays, so a total row without a key is still seen (and refused unless skipped).
    pub fn drop_notes(&mut self, is_key: impl Fn(&str) -> bool) {
        while let Some((_, last)) = self.rows.last() {
            let filled: Vec<&RawCell> = last.iter().filter(|c| !c.text().is_empty()).collect();
            let note = matches!(filled.as_slice(), [RawCell::Text(t)] if !is_key(t.trim()));
            if !note {
                break;
            }
            self.rows.pop();
        }
    }

    /// CSV: every row has as many fields as the header (else the delimiter is likely wrong).
    pub fn check_widths(&self) -> Result<(), ImportError> {
        let Some(delim) = self.delimiter else {
            return Ok(());
        };
        match self.rows.iter().find(|(_, r)| r.len() != self.header.len()) {
            Some((line, r)) => Err(ImportError::file(
                &self.file,
                format!(
                    "{} fields like the header (delimiter `{}`)",
                    self.header.len(),
                    delim as char
                ),
                format!("{} fields", r.len()),
            )
            .at_line(*line)),
            None => Ok(()),
        }
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

pub(crate) fn parse_delimiter(s: &str, file: &str) -> Result<Option<u8>, ImportError> {
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

/// Where the column names are and which rows to leave out: `header_row` and `skip_rows` of a
/// `[[data]]` table (1-based line or row numbers of the file or sheet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    /// The rows holding the column names, ascending; several are joined per column with ` / `
    /// (merged cells count for every column they span). Rows above them (titles) are ignored.
    pub header_rows: Vec<u64>,
    /// Rows below the header that are no data (a units row, column numbers).
    pub skip_rows: Vec<u64>,
}

impl Default for Shape {
    fn default() -> Self {
        Shape {
            header_rows: vec![1],
            skip_rows: Vec::new(),
        }
    }
}

/// Collapses every run of white space (line breaks in a header cell, no-break spaces) to one
/// space and trims: how column names are compared.
pub fn normalize_name(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A merged cell range of a sheet: 0-based (row, column) of its first and last cell.
type Merged = ((u64, usize), (u64, usize));

/// Builds the table from the file's rows (line number, cells; empty rows may be missing):
/// the header from `shape.header_rows`, the rows below it except `shape.skip_rows` and empty
/// ones. `merged` lists merged cell ranges (0-based (row, col) start and end, inclusive).
fn from_rows(
    file: &str,
    grid: Vec<(u64, Vec<RawCell>)>,
    shape: &Shape,
    merged: &[Merged],
    delimiter: Option<u8>,
) -> Result<RawTable, ImportError> {
    let setting = |expected: String, found: String| {
        ImportError::file("atlas.toml", expected, found)
            .in_column(format!("data `{file}`: header_row"))
    };
    if shape.header_rows.is_empty()
        || shape.header_rows.contains(&0)
        || shape.header_rows.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(setting(
            "header_row = a row number from 1, or ascending row numbers such as [3, 4]".into(),
            format!("{:?}", shape.header_rows),
        ));
    }
    let last_header = *shape.header_rows.last().expect("not empty");
    if let Some(s) = shape.skip_rows.iter().find(|&&s| s <= last_header) {
        return Err(ImportError::file(
            "atlas.toml",
            format!("skip_rows below the header (after row {last_header})"),
            format!("row {s}"),
        )
        .in_column(format!("data `{file}`: skip_rows")));
    }
    let width = grid.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
    // The text of a header cell, a merged range giving its top-left cell's text to all its cells.
    let cell_text = |line: u64, col: usize| -> String {
        let (line, col) = merged
            .iter()
            .find(|((r0, c0), (r1, c1))| {
                (*r0..=*r1).contains(&(line - 1)) && (*c0..=*c1).contains(&col)
            })
            .map_or((line, col), |((r0, c0), _)| (r0 + 1, *c0));
        grid.iter()
            .find(|(l, _)| *l == line)
            .and_then(|(_, r)| r.get(col))
            .map_or(String::new(), |c| normalize_name(&c.text()))
    };
    for &h in &shape.header_rows {
        if !grid
            .iter()
            .any(|(l, r)| *l == h && r.iter().any(|c| !c.text().is_empty()))
        {
            return Err(ImportError::file(
                file,
                format!("column names in row {h} (header_row)"),
                "an empty row or no such row",
            )
            .at_line(h));
        }
    }
    let mut header: Vec<String> = (0..width)
        .map(|c| {
            let mut parts: Vec<String> = Vec::new();
            for &h in &shape.header_rows {
                let t = cell_text(h, c);
                if !t.is_empty() && parts.last() != Some(&t) {
                    parts.push(t);
                }
            }
            parts.join(" / ")
        })
        .collect();
    // Trailing sheet columns without a name and without values (a used range) are dropped.
    while delimiter.is_none()
        && header.last().is_some_and(String::is_empty)
        && grid.iter().all(|(l, r)| {
            *l <= last_header || r.get(header.len() - 1).is_none_or(|c| c.text().is_empty())
        })
    {
        header.pop();
    }
    let rows = grid
        .into_iter()
        .filter(|(l, r)| {
            *l > last_header
                && !shape.skip_rows.contains(l)
                && r.iter().any(|c| !c.text().is_empty())
        })
        .collect();
    Ok(RawTable {
        file: file.to_string(),
        header,
        rows,
        header_line: last_header,
        delimiter,
    })
}

/// The 1-based line of the CSV record the csv reader places at byte `byte` of `text`. The
/// reader's byte position can point at the line terminator before a record (CRLF files): skip
/// terminators, then count the lines before.
fn line_at(text: &[u8], byte: u64) -> u64 {
    let mut b = (byte as usize).min(text.len());
    while b < text.len() && (text[b] == b'\r' || text[b] == b'\n') {
        b += 1;
    }
    text[..b].iter().filter(|&&c| c == b'\n').count() as u64 + 1
}

/// The lines of a CSV text's records, counted as the reader moves forward through the text:
/// records come in order, so each byte is looked at once (a position behind the last one asked
/// for is counted from the start).
pub(crate) struct Lines<'t> {
    text: &'t [u8],
    pos: usize,
    line: u64,
}

impl<'t> Lines<'t> {
    /// A counter at the start of `text`.
    pub(crate) fn new(text: &'t [u8]) -> Self {
        Lines {
            text,
            pos: 0,
            line: 1,
        }
    }

    /// The line of the record at `byte` (as [`line_at`]).
    pub(crate) fn at(&mut self, byte: u64) -> u64 {
        let mut b = (byte as usize).min(self.text.len());
        while b < self.text.len() && (self.text[b] == b'\r' || self.text[b] == b'\n') {
            b += 1;
        }
        if b < self.pos {
            return line_at(self.text, byte);
        }
        self.line += self.text[self.pos..b]
            .iter()
            .filter(|&&c| c == b'\n')
            .count() as u64;
        self.pos = b;
        self.line
    }
}

/// Reads a CSV file: every record with its line; the header and the rows as `shape` says.
pub fn read_csv(
    bytes: &[u8],
    file: &str,
    encoding: &str,
    delimiter: &str,
    shape: &Shape,
) -> Result<RawTable, ImportError> {
    let text = decode(bytes, encoding, file)?;
    let delim = match parse_delimiter(delimiter, file)? {
        Some(d) => d,
        None => {
            // Title lines above the header do not vote.
            let skip = shape.header_rows.first().map_or(0, |h| h.saturating_sub(1)) as usize;
            let from = text
                .split_inclusive('\n')
                .take(skip)
                .map(str::len)
                .sum::<usize>();
            detect_delimiter(&text[from..])
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delim)
        .has_headers(false)
        .flexible(true)
        .from_reader(Cursor::new(text.as_bytes()));
    let mut lines = Lines::new(text.as_bytes());
    let mut grid = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| lines.at(p.byte()));
            ImportError::file(file, "a well-formed CSV record", e.to_string()).at_line(line)
        })?;
        let line = rec.position().map_or(0, |p| lines.at(p.byte()));
        grid.push((
            line,
            rec.iter().map(|c| RawCell::Text(c.to_string())).collect(),
        ));
    }
    if grid.is_empty() {
        return Err(ImportError::file(file, "a header line", "an empty file").at_line(1));
    }
    from_rows(file, grid, shape, &[], Some(delim))
}

/// Reads one sheet of an XLSX workbook (the first when `sheet` is None); the header and the
/// rows as `shape` says (row numbers as Excel shows them).
pub fn read_xlsx(
    bytes: &[u8],
    file: &str,
    sheet: Option<&str>,
    shape: &Shape,
) -> Result<RawTable, ImportError> {
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
    let merged: Vec<Merged> = wb
        .merge_cells_by_sheet_name(&name)
        .map_err(|e| ImportError::file(file, format!("a readable sheet `{name}`"), e.to_string()))?
        .into_iter()
        .map(|d| {
            (
                (u64::from(d.start.0), d.start.1 as usize),
                (u64::from(d.end.0), d.end.1 as usize),
            )
        })
        .collect();
    let Some((row0, col0)) = range.start() else {
        return Err(ImportError::file(
            file,
            "a header row",
            format!("an empty sheet `{name}`"),
        ));
    };
    // Cells left of the used range are empty: columns keep their sheet positions, so merged
    // ranges and row numbers are those of the sheet.
    let grid = range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![RawCell::Empty; col0 as usize];
            cells.extend(r.iter().map(|c| match c {
                Data::Empty => RawCell::Empty,
                Data::Int(n) => RawCell::Number(*n as f64),
                Data::Float(f) => RawCell::Number(*f),
                Data::String(s) => RawCell::Text(s.clone()),
                Data::Bool(b) => RawCell::Text(b.to_string()),
                other => RawCell::Text(other.to_string()),
            }));
            (u64::from(row0) + i as u64 + 1, cells)
        })
        .collect();
    from_rows(file, grid, shape, &merged, None)
}

#[cfg(test)]
mod tests {
    use super::*;

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
