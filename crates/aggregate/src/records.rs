//! A byte-level CSV record splitter and number parsers for the hot loop.
//!
//! Why not the `csv` crate here: the aggregation needs two to five fields of each record and splits
//! the input into chunks that are parsed on all cores, so it needs (a) record boundaries it can find
//! in a chunk and (b) no per-record allocation. The splitter follows RFC 4180 (quoted fields with
//! `""` escapes and embedded newlines, CRLF or LF); a quote inside an unquoted field is an ordinary
//! byte, as in the `csv` crate. Records without any quote take a `memchr` fast path.

use memchr::{memchr, memchr_iter};

/// One field of a record: a byte range of the buffer, and whether it holds `""` escapes.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Field {
    pub start: usize,
    pub end: usize,
    pub escaped: bool,
}

impl Field {
    /// The field's bytes, with `""` unescaped into `scratch` when needed.
    pub fn bytes<'a>(&self, buf: &'a [u8], scratch: &'a mut Vec<u8>) -> &'a [u8] {
        let raw = &buf[self.start..self.end];
        if !self.escaped {
            return raw;
        }
        scratch.clear();
        let mut i = 0;
        while i < raw.len() {
            scratch.push(raw[i]);
            i += if raw[i] == b'"' { 2 } else { 1 };
        }
        scratch
    }
}

/// Outcome of splitting one record.
pub(crate) enum Split {
    /// The record ends before `end` (after its newline, or at the end of the buffer); it spans
    /// `newlines` + 1 physical lines when `newlines` counts the newlines inside quoted fields.
    Record { end: usize, newlines: u32 },
    /// The buffer ends inside the record (only reported when the buffer is not final).
    Incomplete,
    /// A quoted field is not closed before the end of the (final) buffer.
    UnclosedQuote,
}

/// Splits the record starting at `pos` into `fields` (all of them, at most `max_fields`).
///
/// `last` says that `buf` ends at the end of the input, so a record without a final newline is
/// complete. An empty line yields a record with no fields.
pub(crate) fn split_record(
    buf: &[u8],
    pos: usize,
    delim: u8,
    last: bool,
    max_fields: usize,
    fields: &mut Vec<Field>,
) -> Split {
    fields.clear();
    let rest = &buf[pos..];
    let (line_len, has_nl) = match memchr(b'\n', rest) {
        Some(n) => (n, true),
        None if last => (rest.len(), false),
        None => (rest.len(), false),
    };
    let line = &rest[..line_len];
    if memchr(b'"', line).is_none() {
        if !has_nl && !last {
            return Split::Incomplete;
        }
        let mut content = line;
        if let [head @ .., b'\r'] = content {
            content = head;
        }
        let end = pos + line_len + usize::from(has_nl);
        if content.is_empty() {
            return Split::Record { end, newlines: 0 };
        }
        let mut start = 0;
        for d in memchr_iter(delim, content) {
            if fields.len() + 1 >= max_fields {
                break;
            }
            fields.push(Field {
                start: pos + start,
                end: pos + d,
                escaped: false,
            });
            start = d + 1;
        }
        if fields.len() < max_fields {
            let stop = memchr(delim, &content[start..]).map_or(content.len(), |d| start + d);
            fields.push(Field {
                start: pos + start,
                end: pos + stop,
                escaped: false,
            });
        }
        return Split::Record { end, newlines: 0 };
    }
    split_quoted(buf, pos, delim, last, max_fields, fields)
}

/// [`split_record`] for a buffer known to hold no quote at all (so no record spans lines): the
/// delimiters and the newline are found eight bytes at a time (a word compare that flags the
/// matching bytes), then a `memchr` for the rest of the line once `max_fields` fields are found.
/// Returns the end of the record (after its newline, or the end of `buf`).
#[inline]
pub(crate) fn split_unquoted(
    buf: &[u8],
    pos: usize,
    delim: u8,
    max_fields: usize,
    fields: &mut Vec<Field>,
) -> usize {
    fields.clear();
    let n = buf.len();
    let mut start = pos;
    let mut i = pos;
    let delims = u64::from_ne_bytes([delim; 8]);
    let newlines = u64::from_ne_bytes([b'\n'; 8]);
    while i + 8 <= n {
        let mut w = [0u8; 8];
        w.copy_from_slice(&buf[i..i + 8]);
        let w = u64::from_le_bytes(w);
        let mut hits = zero_bytes(w ^ delims) | zero_bytes(w ^ newlines);
        while hits != 0 {
            let j = i + (hits.trailing_zeros() / 8) as usize;
            hits &= hits - 1;
            if let Some(end) = split_at(buf, pos, j, delim, max_fields, &mut start, fields) {
                return end;
            }
        }
        i += 8;
    }
    while i < n {
        if (buf[i] == b'\n' || buf[i] == delim)
            && let Some(end) = split_at(buf, pos, i, delim, max_fields, &mut start, fields)
        {
            return end;
        }
        i += 1;
    }
    // The last record without a newline.
    let mut end = n;
    if end > start && buf[end - 1] == b'\r' {
        end -= 1;
    }
    if n > pos && !(n == pos + 1 && buf[pos] == b'\r') && fields.len() < max_fields {
        fields.push(Field {
            start,
            end,
            escaped: false,
        });
    }
    n
}

/// One step of [`split_unquoted`]: `buf[i]` is a newline or a delimiter of the record that starts
/// at `pos`, whose current field starts at `start`. Returns the end of the record when it ends
/// here.
#[inline(always)]
fn split_at(
    buf: &[u8],
    pos: usize,
    i: usize,
    delim: u8,
    max_fields: usize,
    start: &mut usize,
    fields: &mut Vec<Field>,
) -> Option<usize> {
    if buf[i] == b'\n' {
        // Empty line (or a lone "\r"): no fields.
        if i == pos || (i == pos + 1 && buf[pos] == b'\r') {
            return Some(i + 1);
        }
        let end = if buf[i - 1] == b'\r' { i - 1 } else { i };
        if fields.len() < max_fields {
            fields.push(Field {
                start: *start,
                end: end.max(*start),
                escaped: false,
            });
        }
        return Some(i + 1);
    }
    debug_assert_eq!(buf[i], delim);
    if fields.len() < max_fields {
        fields.push(Field {
            start: *start,
            end: i,
            escaped: false,
        });
        *start = i + 1;
        if fields.len() == max_fields {
            return Some(memchr(b'\n', &buf[i..]).map_or(buf.len(), |k| i + k + 1));
        }
    }
    None
}

/// Flags the zero bytes of `w`: `0x80` in each byte of the result whose byte in `w` is zero, and
/// nothing else (no carry crosses a byte, so every flag is exact).
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((w & LOW7) + LOW7) | w | LOW7)
}

/// The general state machine, for records that contain a quote.
fn split_quoted(
    buf: &[u8],
    pos: usize,
    delim: u8,
    last: bool,
    max_fields: usize,
    fields: &mut Vec<Field>,
) -> Split {
    let mut i = pos;
    let mut newlines = 0u32;
    let n = buf.len();
    loop {
        // At the start of a field.
        let mut field = Field {
            start: i,
            end: i,
            escaped: false,
        };
        if i < n && buf[i] == b'"' {
            i += 1;
            field.start = i;
            loop {
                match memchr(b'"', &buf[i..]) {
                    None => {
                        return if last {
                            Split::UnclosedQuote
                        } else {
                            Split::Incomplete
                        };
                    }
                    Some(q) => {
                        newlines += memchr_iter(b'\n', &buf[i..i + q]).count() as u32;
                        i += q;
                        if i + 1 < n && buf[i + 1] == b'"' {
                            field.escaped = true;
                            i += 2;
                        } else if i + 1 == n && !last {
                            return Split::Incomplete;
                        } else {
                            field.end = i;
                            i += 1;
                            break;
                        }
                    }
                }
            }
            // Bytes between the closing quote and the delimiter are kept out (lenient, like csv).
            while i < n && buf[i] != delim && buf[i] != b'\n' {
                i += 1;
            }
        } else {
            while i < n && buf[i] != delim && buf[i] != b'\n' {
                i += 1;
            }
            field.end = i;
            if field.end > field.start && buf[field.end - 1] == b'\r' && (i == n || buf[i] == b'\n')
            {
                field.end -= 1;
            }
        }
        if fields.len() < max_fields {
            fields.push(field);
        }
        if i == n {
            return if last {
                Split::Record { end: n, newlines }
            } else {
                Split::Incomplete
            };
        }
        if buf[i] == b'\n' {
            return Split::Record {
                end: i + 1,
                newlines,
            };
        }
        i += 1; // the delimiter
    }
}

/// Powers of ten exactly representable as f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// Parses a finite decimal number; `decimal_comma` also accepts `,` as the decimal separator.
///
/// Plain decimals with at most 15 significant digits (every coordinate in practice) take Clinger's
/// fast path: mantissa and power of ten are both exact in f64, so one division is correctly
/// rounded. Everything else (exponents, long mantissas) goes to the standard library's parser,
/// which is correctly rounded too.
pub(crate) fn parse_f64(field: &[u8], decimal_comma: bool) -> Option<f64> {
    // The common case first: [-]digits[.digits], at most 15 digits, nothing else.
    let (neg, digits) = match field {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, field),
    };
    let mut mantissa: u64 = 0;
    let mut i = 0;
    while i < digits.len() && digits[i].is_ascii_digit() {
        mantissa = mantissa * 10 + u64::from(digits[i] - b'0');
        i += 1;
        if i > 15 {
            return parse_f64_general(field, decimal_comma);
        }
    }
    let int_digits = i;
    let mut frac = 0usize;
    if i < digits.len() && (digits[i] == b'.' || (decimal_comma && digits[i] == b',')) {
        i += 1;
        while i < digits.len() && digits[i].is_ascii_digit() {
            mantissa = mantissa * 10 + u64::from(digits[i] - b'0');
            i += 1;
            frac += 1;
            if int_digits + frac > 15 {
                return parse_f64_general(field, decimal_comma);
            }
        }
    }
    if i == digits.len() && int_digits + frac > 0 {
        // Both exact in f64 (mantissa < 10^15 < 2^53, 10^frac ≤ 10^15): one correctly rounded
        // division (Clinger's fast path).
        let v = mantissa as f64 / POW10[frac];
        return Some(if neg { -v } else { v });
    }
    parse_f64_general(field, decimal_comma)
}

/// [`parse_f64`] for everything beyond the common case (signs, blanks, exponents, long mantissas).
fn parse_f64_general(field: &[u8], decimal_comma: bool) -> Option<f64> {
    let s = trim(field);
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let mut mantissa: u64 = 0;
    let mut n_digits = 0u32;
    let mut frac_digits: Option<u32> = None;
    let mut ok = !digits.is_empty();
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
                if mantissa != 0 {
                    n_digits += 1;
                }
                if let Some(f) = frac_digits.as_mut() {
                    *f += 1;
                }
            }
            b'.' if frac_digits.is_none() => frac_digits = Some(0),
            b',' if decimal_comma && frac_digits.is_none() => frac_digits = Some(0),
            _ => {
                ok = false;
                break;
            }
        }
    }
    let frac = frac_digits.unwrap_or(0);
    if ok && n_digits <= 15 && frac <= 22 && digits.len() > usize::from(frac_digits.is_some()) {
        let v = mantissa as f64 / POW10[frac as usize];
        return Some(if neg { -v } else { v });
    }
    parse_slow(s, decimal_comma)
}

fn parse_slow(s: &[u8], decimal_comma: bool) -> Option<f64> {
    let mut tmp = [0u8; 64];
    if s.is_empty() || s.len() > tmp.len() {
        return None;
    }
    for (t, &b) in tmp.iter_mut().zip(s) {
        *t = if decimal_comma && b == b',' { b'.' } else { b };
    }
    let text = std::str::from_utf8(&tmp[..s.len()]).ok()?;
    // The standard parser also takes "inf" and "NaN": not coordinates nor weights.
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Fixed-point scale of weights: sums are exact in units of 10⁻⁹.
pub(crate) const WEIGHT_SCALE: i128 = 1_000_000_000;

/// Parses a weight into units of 10⁻⁹, exactly for plain decimals with up to nine fractional
/// digits (more are rounded half away from zero); exponent notation goes through f64.
pub(crate) fn parse_weight(field: &[u8], decimal_comma: bool) -> Option<i128> {
    let s = trim(field);
    let (neg, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    let mut int: i128 = 0;
    let mut frac: i128 = 0;
    let mut frac_digits = 0u32;
    let mut round_up = false;
    let mut seen_sep = false;
    let mut any_digit = false;
    let mut plain = true;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                any_digit = true;
                let d = i128::from(b - b'0');
                if !seen_sep {
                    int = int.checked_mul(10)?.checked_add(d)?;
                    if int > i128::MAX / WEIGHT_SCALE / 4 {
                        return None;
                    }
                } else if frac_digits < 9 {
                    frac = frac * 10 + d;
                    frac_digits += 1;
                } else if frac_digits == 9 {
                    round_up = d >= 5;
                    frac_digits += 1;
                }
            }
            b'.' if !seen_sep => seen_sep = true,
            b',' if decimal_comma && !seen_sep => seen_sep = true,
            _ => {
                plain = false;
                break;
            }
        }
    }
    if plain && any_digit {
        let scale = 10i128.pow(9 - frac_digits.min(9));
        let v = int * WEIGHT_SCALE + frac * scale + i128::from(round_up);
        return Some(if neg { -v } else { v });
    }
    let v = parse_slow(s, decimal_comma)?;
    let scaled = (v * WEIGHT_SCALE as f64).round();
    (scaled.abs() < 1e36).then_some(scaled as i128)
}

/// Formats units of 10⁻⁹ as a decimal without trailing zeros ("12", "0.5", "-3.25").
pub(crate) fn format_weight(v: i128) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let scale = WEIGHT_SCALE as u128;
    let (int, frac) = (a / scale, a % scale);
    if frac == 0 {
        format!("{sign}{int}")
    } else {
        let f = format!("{frac:09}");
        format!("{sign}{int}.{}", f.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(data: &[u8], delim: u8) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut fields = Vec::new();
        let mut pos = 0;
        let mut scratch = Vec::new();
        while pos < data.len() {
            match split_record(data, pos, delim, true, 100, &mut fields) {
                Split::Record { end, .. } => {
                    out.push(
                        fields
                            .iter()
                            .map(|f| {
                                String::from_utf8_lossy(f.bytes(data, &mut scratch)).into_owned()
                            })
                            .collect(),
                    );
                    pos = end;
                }
                _ => panic!("bad split"),
            }
        }
        out
    }

    #[test]
    fn splits_plain_quoted_and_crlf() {
        let data = b"a,b,c\r\n1,\"x,y\",\"he said \"\"hi\"\"\"\n\n\"multi\nline\",2,\r\n3,4,5";
        let got = split_all(data, b',');
        assert_eq!(
            got,
            vec![
                vec!["a", "b", "c"],
                vec!["1", "x,y", "he said \"hi\""],
                vec![],
                vec!["multi\nline", "2", ""],
                vec!["3", "4", "5"],
            ]
        );
    }

    #[test]
    fn unquoted_split_agrees_with_general_split() {
        let data: &[u8] = b"a,b,c\r\n1,2,3\n\n\r\n,,\n4,5\n6\r\n7,8,9,10,11\nlast,x";
        for max_fields in 1..6 {
            let (mut pos, mut fa, mut fb) = (0, Vec::new(), Vec::new());
            while pos < data.len() {
                let Split::Record { end, .. } =
                    split_record(data, pos, b',', true, max_fields, &mut fa)
                else {
                    panic!("bad split")
                };
                let end_b = split_unquoted(data, pos, b',', max_fields, &mut fb);
                assert_eq!(end, end_b, "record at {pos}, max {max_fields}");
                let a: Vec<_> = fa.iter().map(|f| &data[f.start..f.end]).collect();
                let b: Vec<_> = fb.iter().map(|f| &data[f.start..f.end]).collect();
                assert_eq!(a, b, "record at {pos}, max {max_fields}");
                pos = end;
            }
        }
    }

    #[test]
    fn word_splitter_agrees_with_general_split_on_random_records() {
        // Long and short fields, empty lines, CR, blanks, every delimiter, and the buffer's end
        // inside a word: the word-at-a-time splitter must give split_record's fields and ends.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for round in 0..400 {
            let delim = [b',', b';', b'\t'][round % 3];
            let alphabet = [
                b'a', b'7', b'.', b' ', b',', b';', b'\t', b'\n', b'\r', b'x',
            ];
            let len = (next() % 300) as usize;
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    if next() % 3 == 0 {
                        alphabet[(next() % alphabet.len() as u64) as usize]
                    } else {
                        b'0' + (next() % 10) as u8
                    }
                })
                .collect();
            for max_fields in 1..8 {
                let (mut pos, mut fa, mut fb) = (0, Vec::new(), Vec::new());
                while pos < data.len() {
                    let Split::Record { end, .. } =
                        split_record(&data, pos, delim, true, max_fields, &mut fa)
                    else {
                        panic!("bad split")
                    };
                    let end_b = split_unquoted(&data, pos, delim, max_fields, &mut fb);
                    let a: Vec<_> = fa.iter().map(|f| &data[f.start..f.end]).collect();
                    let b: Vec<_> = fb.iter().map(|f| &data[f.start..f.end]).collect();
                    assert_eq!(
                        (end, a),
                        (end_b, b),
                        "record at {pos}, max {max_fields}, {:?}",
                        String::from_utf8_lossy(&data)
                    );
                    pos = end;
                }
            }
        }
    }

    #[test]
    fn reports_incomplete_and_unclosed() {
        let mut f = Vec::new();
        assert!(matches!(
            split_record(b"1,2", 0, b',', false, 9, &mut f),
            Split::Incomplete
        ));
        assert!(matches!(
            split_record(b"1,\"2\n", 0, b',', false, 9, &mut f),
            Split::Incomplete
        ));
        assert!(matches!(
            split_record(b"1,\"2\n", 0, b',', true, 9, &mut f),
            Split::UnclosedQuote
        ));
    }

    #[test]
    fn agrees_with_csv_crate_on_fields() {
        let data = b"x;y;g\n1,5;2;\"a;b\"\n\"3\";4,25;\"q\"\"\"\n";
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(&data[..]);
        let expected: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(split_all(data, b';'), expected);
    }

    #[test]
    fn parses_numbers_exactly() {
        for s in [
            "0",
            "-0.5",
            "394512.37",
            "5712345.81",
            "7.4512345",
            "51.5",
            "1e3",
            "-2.5E-3",
            "123456789012345678",
            "0.1",
            "  42 ",
            "+1.",
        ] {
            let expected: f64 = s.trim().parse().unwrap();
            assert_eq!(parse_f64(s.as_bytes(), false), Some(expected), "{s}");
        }
        assert_eq!(parse_f64(b"7,25", true), Some(7.25));
        assert_eq!(parse_f64(b"7,25", false), None);
        for bad in [
            "", "-", ".", "1.2.3", "1,2,3", "abc", "inf", "NaN", "1e400", "1 2",
        ] {
            assert_eq!(parse_f64(bad.as_bytes(), true), None, "{bad}");
        }
    }

    #[test]
    fn fast_path_agrees_with_std_parse() {
        // Seeded LCG: decimals of every length around the 15-digit fast-path limit.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state >> 11
        };
        for _ in 0..100_000 {
            let int = next() % 10u64.pow((next() % 12) as u32);
            let frac_digits = (next() % 10) as usize;
            let frac = next() % 10u64.pow(frac_digits as u32);
            let sign = if next() % 3 == 0 { "-" } else { "" };
            let s = if frac_digits == 0 {
                format!("{sign}{int}")
            } else {
                format!("{sign}{int}.{frac:0frac_digits$}")
            };
            let expected: f64 = s.parse().unwrap();
            assert_eq!(parse_f64(s.as_bytes(), false), Some(expected), "{s}");
            let comma = s.replace('.', ",");
            assert_eq!(parse_f64(comma.as_bytes(), true), Some(expected), "{comma}");
        }
    }

    #[test]
    fn parses_weights_as_exact_decimals() {
        assert_eq!(parse_weight(b"0,1", true), Some(100_000_000));
        assert_eq!(parse_weight(b"-12.5", false), Some(-12_500_000_000));
        assert_eq!(parse_weight(b"1.0000000005", false), Some(1_000_000_001));
        assert_eq!(parse_weight(b"2e3", false), Some(2_000 * WEIGHT_SCALE));
        assert_eq!(parse_weight(b"x", false), None);
        assert_eq!(parse_weight(b"", false), None);
        assert_eq!(format_weight(300_000_000), "0.3");
        assert_eq!(format_weight(-12_500_000_000), "-12.5");
        assert_eq!(format_weight(7 * WEIGHT_SCALE), "7");
    }
}
