//! Streaming aggregation of a CSV of records into counts or sums per area and group.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use crate::PolygonIndex;
use crate::records::{
    Field, Split, format_weight, parse_f64, parse_weight, split_record, split_unquoted,
};

/// A coordinate transform into the CRS of the index: `None` for a point it cannot map.
pub type Transform<'a> = &'a (dyn Fn(f64, f64) -> Option<(f64, f64)> + Sync);

/// A check of a group value, called with the index of the group column (in
/// [`AggregateOptions::group`]) and the value's bytes the first time a worker meets the value;
/// `Err(reason)` fails the aggregation (or skips the record, with `skip_invalid`) with the line
/// and column of that first record, e.g. `Err("expected a year such as 2022")`.
pub type GroupCheck<'a> = &'a (dyn Fn(usize, &[u8]) -> Result<(), &'static str> + Sync);

/// The field delimiter of the input (`--delimiter auto|;|,|tab`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delimiter {
    /// The most frequent of `;`, `,` and tab in the header line (`,` on a tie).
    #[default]
    Auto,
    /// This byte.
    Byte(u8),
}

impl std::str::FromStr for Delimiter {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(Delimiter::Auto),
            "tab" | "\\t" | "\t" => Ok(Delimiter::Byte(b'\t')),
            _ if s.len() == 1 && s.is_ascii() => Ok(Delimiter::Byte(s.as_bytes()[0])),
            _ => Err(format!(
                "delimiter must be auto, tab or one ASCII character, not '{s}'"
            )),
        }
    }
}

/// What to aggregate and how; the fields mirror the flags of `sozialatlas aggregate`.
#[derive(Clone)]
pub struct AggregateOptions<'a> {
    /// Column with the x coordinate (easting or longitude), `--x`.
    pub x: String,
    /// Column with the y coordinate (northing or latitude), `--y`.
    pub y: String,
    /// Group columns such as period and variable, `--group period,variable`.
    pub group: Vec<String>,
    /// Column to sum instead of counting records, `--weight`.
    pub weight: Option<String>,
    /// Field delimiter, `--delimiter`. With `;` or tab a decimal comma is accepted in numbers.
    pub delimiter: Delimiter,
    /// Count records with an unparsable coordinate or weight as skipped instead of failing.
    pub skip_invalid: bool,
    /// How many outside (and skipped) records to keep as a sample, with line numbers.
    pub sample_size: usize,
    /// Worker threads; 0 means all available cores.
    pub threads: usize,
    /// Bytes per chunk handed to a worker (memory use is about `3 × threads × chunk_size`).
    pub chunk_size: usize,
    /// Maps each point into the CRS of the index before the lookup. Prefer transforming the areas
    /// into the points' CRS once instead (see the crate documentation): it costs nothing per point.
    pub transform: Option<Transform<'a>>,
    /// Validates group values (see [`GroupCheck`]).
    pub check_group: Option<GroupCheck<'a>>,
}

impl std::fmt::Debug for AggregateOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AggregateOptions")
            .field("x", &self.x)
            .field("y", &self.y)
            .field("group", &self.group)
            .field("weight", &self.weight)
            .field("delimiter", &self.delimiter)
            .field("skip_invalid", &self.skip_invalid)
            .field("sample_size", &self.sample_size)
            .field("threads", &self.threads)
            .field("chunk_size", &self.chunk_size)
            .field("transform", &self.transform.is_some())
            .field("check_group", &self.check_group.is_some())
            .finish()
    }
}

impl Default for AggregateOptions<'_> {
    fn default() -> Self {
        AggregateOptions {
            x: "x".into(),
            y: "y".into(),
            group: Vec::new(),
            weight: None,
            delimiter: Delimiter::Auto,
            skip_invalid: false,
            sample_size: 10,
            threads: 0,
            chunk_size: 1 << 20,
            transform: None,
            check_group: None,
        }
    }
}

impl AggregateOptions<'_> {
    /// Options for the coordinate columns `x` and `y`, everything else default.
    pub fn new(x: impl Into<String>, y: impl Into<String>) -> Self {
        AggregateOptions {
            x: x.into(),
            y: y.into(),
            ..Default::default()
        }
    }
}

/// A record that fell in no area.
#[derive(Clone, Debug, PartialEq)]
pub struct OutsideRecord {
    /// 1-based line number in the input (the header is line 1).
    pub line: u64,
    /// The x coordinate as read (before any transform).
    pub x: f64,
    /// The y coordinate as read.
    pub y: f64,
}

/// A record skipped because of an invalid value (only with `skip_invalid`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedRecord {
    /// 1-based line number.
    pub line: u64,
    /// Column name.
    pub column: String,
    /// The offending value (lossy UTF-8, at most 100 bytes).
    pub value: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Errors of [`aggregate_csv`].
#[derive(Debug, thiserror::Error)]
pub enum AggregateError {
    /// Reading the input failed.
    #[error("reading the records failed: {0}")]
    Io(#[from] io::Error),
    /// The input has no header line.
    #[error("the records file is empty: expected a header line")]
    Empty,
    /// A requested column is not in the header.
    #[error("column '{name}' is not in the header; columns are: {available}")]
    MissingColumn {
        /// The requested column.
        name: String,
        /// The header's columns, comma-separated.
        available: String,
    },
    /// A value cannot be used.
    #[error("line {line}, column '{column}' (field {field}): {reason}: '{value}'")]
    InvalidValue {
        /// 1-based line number.
        line: u64,
        /// Column name.
        column: String,
        /// 1-based field number.
        field: usize,
        /// The value (lossy UTF-8, at most 100 bytes).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A quoted field is never closed.
    #[error("line {line}: a quoted field is not closed before the end of the file")]
    UnclosedQuote {
        /// 1-based line where the record starts.
        line: u64,
    },
}

/// Counts (or sums) per group and area, plus what could not be assigned.
#[derive(Clone, Debug)]
pub struct AggregateResult {
    /// Area keys in index order.
    pub area_keys: Vec<String>,
    /// Names of the group columns.
    pub group_columns: Vec<String>,
    /// Name of the weight column, if sums were taken.
    pub weight_column: Option<String>,
    /// The distinct group values seen, sorted; one entry per group column each (lossy UTF-8).
    pub groups: Vec<Vec<String>>,
    /// The same values as the bytes of the input (for inputs in another encoding than UTF-8).
    pub raw_groups: Vec<Vec<Vec<u8>>>,
    counts: Vec<u64>,
    sums: Option<Vec<i128>>,
    /// Data records read (blank lines excluded).
    pub records: u64,
    /// Records assigned to an area.
    pub assigned: u64,
    /// Records in no area.
    pub outside: u64,
    /// Records skipped for invalid values (only with `skip_invalid`).
    pub skipped: u64,
    /// The first outside records, by line.
    pub outside_sample: Vec<OutsideRecord>,
    /// The first skipped records, by line.
    pub skipped_sample: Vec<SkippedRecord>,
    /// Bytes read.
    pub bytes: u64,
}

impl AggregateResult {
    fn stride(&self) -> usize {
        self.area_keys.len() + 1
    }

    /// Records of group `group` (index into `groups`) in area `area`.
    pub fn count(&self, group: usize, area: usize) -> u64 {
        self.counts[group * self.stride() + area]
    }

    /// Records of group `group` outside every area.
    pub fn outside_count(&self, group: usize) -> u64 {
        self.counts[group * self.stride() + self.area_keys.len()]
    }

    /// Sum of the weight column for group `group` in area `area` (None when counting).
    pub fn sum(&self, group: usize, area: usize) -> Option<f64> {
        self.sums
            .as_ref()
            .map(|s| s[group * self.stride() + area] as f64 / crate::records::WEIGHT_SCALE as f64)
    }

    /// The same sum as an exact decimal string.
    pub fn sum_decimal(&self, group: usize, area: usize) -> Option<String> {
        self.sums
            .as_ref()
            .map(|s| format_weight(s[group * self.stride() + area]))
    }

    /// Writes the result as CSV: area key, group columns, then `count` or `sum` (the weight
    /// column's name), one row per area and group seen in the input (zeros included), areas in
    /// index order, groups sorted. Decimal point and `,` as delimiter; a key or group value a
    /// spreadsheet would run as a formula is written as text (prefixed with `'`).
    pub fn write_csv<W: Write>(&self, mut out: W, area_column: &str) -> io::Result<()> {
        let mut line = String::new();
        push_field(&mut line, area_column);
        for g in &self.group_columns {
            line.push(',');
            push_field(&mut line, g);
        }
        line.push(',');
        push_field(&mut line, if self.sums.is_some() { "sum" } else { "count" });
        line.push('\n');
        out.write_all(line.as_bytes())?;
        for (a, key) in self.area_keys.iter().enumerate() {
            for (g, values) in self.groups.iter().enumerate() {
                line.clear();
                push_field(&mut line, key);
                for v in values {
                    line.push(',');
                    push_field(&mut line, v);
                }
                line.push(',');
                match self.sum_decimal(g, a) {
                    Some(s) => line.push_str(&s),
                    None => line.push_str(&self.count(g, a).to_string()),
                }
                line.push('\n');
                out.write_all(line.as_bytes())?;
            }
        }
        out.flush()
    }
}

/// One CSV field: quoted when it must be, and never a formula for a spreadsheet
/// ([`sozialatlas_core::csv::safe_cell`]).
fn push_field(line: &mut String, v: &str) {
    let v = &*sozialatlas_core::csv::safe_cell(v);
    if v.contains([',', '"', '\n', '\r']) {
        line.push('"');
        line.push_str(&v.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(v);
    }
}

/// Column positions and parsing settings resolved from the header.
struct Plan {
    delim: u8,
    decimal_comma: bool,
    x: usize,
    y: usize,
    group: Vec<usize>,
    weight: Option<usize>,
    names: Vec<String>,
    /// Fields to split per record: one past the highest needed column.
    max_fields: usize,
}

/// Per-thread accumulator: group ids are local to the thread until the merge.
struct Tally {
    stride: usize,
    group_ids: HashMap<Vec<u8>, u32, foldhash::fast::FixedState>,
    /// The same ids by packed key ([`pack_group`]), for the per-record lookup: group values are
    /// short (a year, a variable name), and four word comparisons are cheaper than hashing and
    /// comparing a byte string.
    packed: PackedGroups,
    counts: Vec<u64>,
    sums: Option<Vec<i128>>,
}

impl Tally {
    fn new(stride: usize, weighted: bool) -> Self {
        Tally {
            stride,
            group_ids: HashMap::default(),
            packed: PackedGroups::default(),
            counts: Vec::new(),
            sums: weighted.then(Vec::new),
        }
    }

    fn group(&mut self, key: &[u8]) -> u32 {
        if let Some(&id) = self.group_ids.get(key) {
            return id;
        }
        let id = self.group_ids.len() as u32;
        self.group_ids.insert(key.to_vec(), id);
        self.counts.resize(self.counts.len() + self.stride, 0);
        if let Some(s) = self.sums.as_mut() {
            s.resize(s.len() + self.stride, 0);
        }
        id
    }
}

/// A record's group values packed into 32 bytes: per group column a length byte, then the value's
/// bytes, zero-padded at the end. Length prefixes make the packing injective (for a fixed number
/// of columns), so equal packed keys mean equal values. `None` when the values need more room or
/// hold `""` escapes; those records take the byte-string path.
#[inline]
fn pack_group(fields: &[Field], group: &[usize], chunk: &[u8]) -> Option<[u64; 4]> {
    let mut buf = [0u8; 32];
    let mut at = 0;
    for &g in group {
        let f = fields.get(g)?;
        let v = &chunk[f.start..f.end];
        if f.escaped || at + 1 + v.len() > buf.len() {
            return None;
        }
        buf[at] = v.len() as u8;
        buf[at + 1..at + 1 + v.len()].copy_from_slice(v);
        at += 1 + v.len();
    }
    let word = |i: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&buf[8 * i..8 * i + 8]);
        u64::from_le_bytes(w)
    };
    Some([word(0), word(1), word(2), word(3)])
}

/// Group ids by packed key: open addressing with linear probing, at most half full.
#[derive(Default)]
struct PackedGroups {
    /// `(key, id)`; `id == u32::MAX` marks a free slot. Empty until the first insert.
    slots: Vec<([u64; 4], u32)>,
    len: usize,
}

impl PackedGroups {
    #[inline]
    fn slot(key: &[u64; 4], mask: usize) -> usize {
        let h = (key[0] ^ key[1].rotate_left(19) ^ key[2].rotate_left(37) ^ key[3].rotate_left(53))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 32) as usize & mask
    }

    #[inline]
    fn get(&self, key: &[u64; 4]) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::slot(key, mask);
        loop {
            let (k, id) = &self.slots[i];
            if *id == u32::MAX {
                return None;
            }
            if k == key {
                return Some(*id);
            }
            i = (i + 1) & mask;
        }
    }

    fn insert(&mut self, key: [u64; 4], id: u32) {
        if 2 * (self.len + 1) > self.slots.len() {
            let size = (2 * self.slots.len()).max(64);
            let old = std::mem::replace(&mut self.slots, vec![([0; 4], u32::MAX); size]);
            self.len = 0;
            for (k, v) in old.into_iter().filter(|&(_, v)| v != u32::MAX) {
                self.insert(k, v);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = Self::slot(&key, mask);
        while self.slots[i].1 != u32::MAX {
            if self.slots[i].0 == key {
                self.slots[i].1 = id;
                return;
            }
            i = (i + 1) & mask;
        }
        self.slots[i] = (key, id);
        self.len += 1;
    }
}

/// What one chunk produced besides its tally; line numbers are local to the chunk.
struct ChunkReport {
    index: usize,
    newlines: u64,
    records: u64,
    skipped: u64,
    outside: Vec<OutsideRecord>,
    skipped_sample: Vec<SkippedRecord>,
    error: Option<AggregateError>,
}

impl ChunkReport {
    /// A record with an invalid value in column `col`: with [`AggregateOptions::skip_invalid`]
    /// counted as skipped (and sampled) and `true` returned; otherwise the chunk's error.
    fn invalid_value(
        &mut self,
        opts: &AggregateOptions<'_>,
        line: u64,
        column: &str,
        col: usize,
        value: String,
        reason: &'static str,
    ) -> bool {
        if opts.skip_invalid {
            self.skipped += 1;
            if self.skipped_sample.len() < opts.sample_size {
                self.skipped_sample.push(SkippedRecord {
                    line,
                    column: column.to_string(),
                    value,
                    reason,
                });
            }
            return true;
        }
        self.error = Some(AggregateError::InvalidValue {
            line,
            column: column.to_string(),
            field: col + 1,
            value,
            reason,
        });
        false
    }
}

/// Reads records from `reader`, assigns each to an area of `index` and counts (or sums) them per
/// area and group.
///
/// The input is read in chunks of `opts.chunk_size` bytes on the calling thread and parsed on
/// `opts.threads` workers, so memory stays bounded whatever the input size. `progress` is called on
/// the calling thread with the number of bytes read so far.
///
/// Errors: a missing column, an I/O error, or (unless `opts.skip_invalid`) the first record, by
/// line, with an unparsable coordinate or weight — named by line and column.
pub fn aggregate_csv<R: Read>(
    mut reader: R,
    index: &PolygonIndex,
    opts: &AggregateOptions<'_>,
    progress: &dyn Fn(u64),
) -> Result<AggregateResult, AggregateError> {
    let chunk_size = opts.chunk_size.max(4096);
    let mut bytes_read = 0u64;
    let mut buf: Vec<u8> = Vec::with_capacity(chunk_size);
    let mut eof = false;

    // The header record.
    let mut fields = Vec::new();
    let (header_end, header_lines) = loop {
        let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        if buf.len() > bom {
            let delim = match opts.delimiter {
                Delimiter::Byte(b) => b,
                Delimiter::Auto => sniff_delimiter(&buf[bom..]),
            };
            match split_record(&buf, bom, delim, eof, usize::MAX, &mut fields) {
                Split::Record { end, newlines } => break (end, u64::from(newlines) + 1),
                Split::UnclosedQuote => return Err(AggregateError::UnclosedQuote { line: 1 }),
                Split::Incomplete => {}
            }
        }
        if eof {
            return Err(AggregateError::Empty);
        }
        let n = fill(&mut reader, &mut buf, chunk_size)?;
        eof = n == 0;
        bytes_read += n as u64;
    };
    let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let delim = match opts.delimiter {
        Delimiter::Byte(b) => b,
        Delimiter::Auto => sniff_delimiter(&buf[bom..]),
    };
    let mut scratch = Vec::new();
    let names: Vec<String> = fields
        .iter()
        .map(|f| {
            String::from_utf8_lossy(f.bytes(&buf, &mut scratch))
                .trim()
                .to_owned()
        })
        .collect();
    let plan = make_plan(names, delim, opts)?;
    progress(bytes_read);

    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let stride = index.len() + 1;
    let weighted = plan.weight.is_some();
    let stop = AtomicBool::new(false);
    let (work_tx, work_rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads);
    let work_rx = Mutex::new(work_rx);
    let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
    let max_buffers = 2 * threads + 1;

    let carry: Vec<u8> = buf[header_end..].to_vec();
    let (tallies, mut reports, io_error) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let work_rx = &work_rx;
                let pool_tx = pool_tx.clone();
                let plan = &plan;
                let stop = &stop;
                scope.spawn(move || {
                    let mut tally = Tally::new(stride, weighted);
                    let mut reports = Vec::new();
                    loop {
                        let job = match work_rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => break,
                        };
                        let Ok((chunk_index, chunk)) = job else { break };
                        let report =
                            process_chunk(chunk_index, &chunk, plan, index, opts, &mut tally);
                        if report.error.is_some() {
                            stop.store(true, Ordering::Relaxed);
                        }
                        reports.push(report);
                        // The reader may have finished; a closed pool just drops the buffer.
                        let _ = pool_tx.send(chunk);
                    }
                    (tally, reports)
                })
            })
            .collect();
        drop(pool_tx);

        // The reader loop, on the calling thread.
        let mut io_error = None;
        let mut carry = carry;
        let mut allocated = 1usize;
        let mut next = buf;
        let mut chunk_index = 0usize;
        let mut fields = Vec::new();
        loop {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            next.clear();
            next.extend_from_slice(&carry);
            carry.clear();
            // Fill to a chunk, then cut after the last complete record; a record longer than a
            // chunk grows the buffer.
            let mut target = chunk_size;
            let cut = loop {
                while !eof && next.len() < target {
                    match fill(&mut reader, &mut next, target) {
                        Ok(0) => eof = true,
                        Ok(n) => bytes_read += n as u64,
                        Err(e) => {
                            io_error = Some(e);
                            eof = true;
                        }
                    }
                }
                progress(bytes_read);
                if eof {
                    break next.len();
                }
                match last_record_end(&next, delim, &mut fields) {
                    0 => target = next.len() * 2,
                    cut => break cut,
                }
            };
            carry.extend_from_slice(&next[cut..]);
            next.truncate(cut);
            if !next.is_empty() {
                let chunk = std::mem::take(&mut next);
                if work_tx.send((chunk_index, chunk)).is_err() {
                    break;
                }
                chunk_index += 1;
            }
            if eof || io_error.is_some() {
                break;
            }
            next = match pool_rx.try_recv() {
                Ok(b) => b,
                Err(_) if allocated < max_buffers => {
                    allocated += 1;
                    Vec::with_capacity(chunk_size)
                }
                Err(_) => pool_rx.recv().unwrap_or_default(),
            };
        }
        drop(work_tx);
        let mut tallies = Vec::new();
        let mut reports = Vec::new();
        for w in workers {
            match w.join() {
                Ok((t, r)) => {
                    tallies.push(t);
                    reports.extend(r);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        (tallies, reports, io_error)
    });
    if let Some(e) = io_error {
        return Err(AggregateError::Io(e));
    }

    // Merge reports in input order, turning chunk-local line numbers into file line numbers.
    reports.sort_by_key(|r| r.index);
    let mut result_outside = Vec::new();
    let mut result_skipped = Vec::new();
    let (mut records, mut skipped) = (0u64, 0u64);
    let mut line_base = header_lines; // lines before the chunk
    for r in &mut reports {
        if let Some(mut e) = r.error.take() {
            if let AggregateError::InvalidValue { line, .. }
            | AggregateError::UnclosedQuote { line } = &mut e
            {
                *line += line_base;
            }
            return Err(e);
        }
        records += r.records;
        skipped += r.skipped;
        for o in r.outside.drain(..) {
            if result_outside.len() < opts.sample_size {
                result_outside.push(OutsideRecord {
                    line: o.line + line_base,
                    ..o
                });
            }
        }
        for s in r.skipped_sample.drain(..) {
            if result_skipped.len() < opts.sample_size {
                result_skipped.push(SkippedRecord {
                    line: s.line + line_base,
                    ..s
                });
            }
        }
        line_base += r.newlines;
    }

    // Merge tallies under global, sorted group ids.
    let n_group_cols = plan.group.len();
    let mut keys: Vec<Vec<u8>> = tallies
        .iter()
        .flat_map(|t| t.group_ids.keys().cloned())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let decoded: Vec<Vec<String>> = keys.iter().map(|k| decode_key(k, n_group_cols)).collect();
    // Sort by the decoded values so that "2" < "10" is not attempted but the order is readable.
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| decoded[a].cmp(&decoded[b]));
    let mut global: HashMap<&[u8], usize> = HashMap::new();
    for (g, &k) in order.iter().enumerate() {
        global.insert(&keys[k], g);
    }
    let mut counts = vec![0u64; order.len() * stride];
    let mut sums = weighted.then(|| vec![0i128; order.len() * stride]);
    for t in &tallies {
        for (key, &local) in &t.group_ids {
            let g = global[key.as_slice()];
            let (src, dst) = (local as usize * stride, g * stride);
            for i in 0..stride {
                counts[dst + i] += t.counts[src + i];
            }
            if let (Some(s), Some(ts)) = (sums.as_mut(), t.sums.as_ref()) {
                for i in 0..stride {
                    s[dst + i] += ts[src + i];
                }
            }
        }
    }
    let outside: u64 = (0..order.len())
        .map(|g| counts[g * stride + stride - 1])
        .sum();
    let groups = order.iter().map(|&k| decoded[k].clone()).collect();
    let raw_groups = order
        .iter()
        .map(|&k| {
            split_key(&keys[k], n_group_cols)
                .into_iter()
                .map(<[u8]>::to_vec)
                .collect()
        })
        .collect();
    Ok(AggregateResult {
        area_keys: index.keys().to_vec(),
        group_columns: plan.group.iter().map(|&i| plan.names[i].clone()).collect(),
        weight_column: plan.weight.map(|i| plan.names[i].clone()),
        groups,
        raw_groups,
        counts,
        sums,
        records,
        assigned: records - skipped - outside,
        outside,
        skipped,
        outside_sample: result_outside,
        skipped_sample: result_skipped,
        bytes: bytes_read,
    })
}

/// Appends up to `target - buf.len()` bytes from `reader`; returns the number read (0 at EOF).
fn fill<R: Read>(reader: &mut R, buf: &mut Vec<u8>, target: usize) -> io::Result<usize> {
    let start = buf.len();
    let want = target.saturating_sub(start).max(4096);
    buf.resize(start + want, 0);
    loop {
        match reader.read(&mut buf[start..]) {
            Ok(n) => {
                buf.truncate(start + n);
                return Ok(n);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                buf.truncate(start);
                return Err(e);
            }
        }
    }
}

/// The end of the last complete record in a non-final buffer (0 if none is complete).
fn last_record_end(buf: &[u8], delim: u8, fields: &mut Vec<Field>) -> usize {
    if memchr::memchr(b'"', buf).is_none() {
        return memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1);
    }
    // With quotes a newline may sit inside a field: walk the records.
    let mut pos = 0;
    while pos < buf.len() {
        match split_record(buf, pos, delim, false, 0, fields) {
            Split::Record { end, .. } => pos = end,
            _ => break,
        }
    }
    pos
}

fn sniff_delimiter(buf: &[u8]) -> u8 {
    let line = &buf[..memchr::memchr(b'\n', buf).unwrap_or(buf.len())];
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    let (semi, comma, tab) = (count(b';'), count(b','), count(b'\t'));
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma && tab > semi {
        b'\t'
    } else {
        b','
    }
}

fn make_plan(
    names: Vec<String>,
    delim: u8,
    opts: &AggregateOptions<'_>,
) -> Result<Plan, AggregateError> {
    let find = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| AggregateError::MissingColumn {
                name: name.to_owned(),
                available: names.join(", "),
            })
    };
    let x = find(&opts.x)?;
    let y = find(&opts.y)?;
    let group = opts
        .group
        .iter()
        .map(|g| find(g))
        .collect::<Result<Vec<_>, _>>()?;
    let weight = opts.weight.as_deref().map(find).transpose()?;
    let max_fields = group
        .iter()
        .copied()
        .chain([x, y])
        .chain(weight)
        .max()
        .unwrap_or(0)
        + 1;
    Ok(Plan {
        delim,
        decimal_comma: delim != b',',
        x,
        y,
        group,
        weight,
        names,
        max_fields,
    })
}

/// Group keys are the group fields, each prefixed with its length (so no separator can clash).
fn split_key(mut key: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let len = u32::from_le_bytes([key[0], key[1], key[2], key[3]]) as usize;
        out.push(&key[4..4 + len]);
        key = &key[4 + len..];
    }
    out
}

fn decode_key(key: &[u8], n: usize) -> Vec<String> {
    split_key(key, n)
        .into_iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect()
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(100)]).into_owned()
}

/// Records parsed and waiting for their area, in batches of this many.
const BATCH: usize = 64;

/// A parsed record waiting for its area.
struct Pending {
    /// As read (for the outside sample).
    x: f64,
    y: f64,
    /// In the index's CRS.
    tx: f64,
    ty: f64,
    group: u32,
    /// Weight in units of 10⁻⁹ (0 when counting).
    weight: i128,
    /// Line, relative to the chunk.
    line: u64,
}

/// Locates and tallies a batch of records. The steps run over the whole batch one after the
/// other, so that the cache misses of different records (the grid cell, the counter) overlap
/// instead of waiting for each other: with thousands of areas nearly every record misses the
/// cache twice, and this is what the throughput depends on.
fn flush_batch(
    batch: &mut Vec<Pending>,
    cells: &mut Vec<usize>,
    index: &PolygonIndex,
    opts: &AggregateOptions<'_>,
    tally: &mut Tally,
    report: &mut ChunkReport,
) {
    cells.clear();
    cells.extend(batch.iter().map(|p| index.cell_of(p.tx, p.ty) as usize));
    let mut warm = 0u64;
    for &cell in cells.iter() {
        warm ^= index.warm(cell as u32);
    }
    std::hint::black_box(warm);
    let n_areas = index.len();
    for (p, cell) in batch.iter().zip(cells.iter_mut()) {
        // The cell value, then (below) the record's counter slot.
        let area = match index.resolve(*cell as u32, p.tx, p.ty) {
            Some(a) => a,
            None => {
                if report.outside.len() < opts.sample_size {
                    report.outside.push(OutsideRecord {
                        line: p.line,
                        x: p.x,
                        y: p.y,
                    });
                }
                n_areas
            }
        };
        *cell = p.group as usize * tally.stride + area;
    }
    for &slot in cells.iter() {
        tally.counts[slot] += 1;
    }
    if let Some(sums) = tally.sums.as_mut() {
        for (p, &slot) in batch.iter().zip(cells.iter()) {
            sums[slot] += p.weight;
        }
    }
    batch.clear();
}

/// Parses and assigns the records of one chunk (which holds whole records only).
fn process_chunk(
    index_of_chunk: usize,
    chunk: &[u8],
    plan: &Plan,
    index: &PolygonIndex,
    opts: &AggregateOptions<'_>,
    tally: &mut Tally,
) -> ChunkReport {
    let mut report = ChunkReport {
        index: index_of_chunk,
        newlines: 0,
        records: 0,
        skipped: 0,
        outside: Vec::new(),
        skipped_sample: Vec::new(),
        error: None,
    };
    let mut fields: Vec<Field> = Vec::with_capacity(plan.max_fields);
    let mut scratch = Vec::new();
    let mut key: Vec<u8> = Vec::new();
    let mut last_key: Vec<u8> = Vec::new();
    let mut last_group = if plan.group.is_empty() {
        Some(tally.group(&[]))
    } else {
        None
    };
    // Without a quote in the chunk no record spans lines: the fast splitter applies.
    let quoted = memchr::memchr(b'"', chunk).is_some();
    let mut batch: Vec<Pending> = Vec::with_capacity(BATCH);
    let mut cells: Vec<usize> = Vec::with_capacity(BATCH);
    let mut pos = 0;
    // Line (0-based, relative to the chunk) where the current record starts.
    let mut line = 0u64;
    while pos < chunk.len() {
        let (end, newlines) = if quoted {
            match split_record(chunk, pos, plan.delim, true, plan.max_fields, &mut fields) {
                Split::Record { end, newlines } => (end, u64::from(newlines)),
                Split::UnclosedQuote | Split::Incomplete => {
                    report.error = Some(AggregateError::UnclosedQuote { line: line + 1 });
                    return report;
                }
            }
        } else {
            (
                split_unquoted(chunk, pos, plan.delim, plan.max_fields, &mut fields),
                0,
            )
        };
        let record_line = line + 1;
        line += newlines + u64::from(chunk[end - 1] == b'\n');
        pos = end;
        if fields.is_empty() {
            continue; // blank line
        }
        report.records += 1;

        // Validate and parse; the first problem either fails the chunk or skips the record.
        let problem = |col: usize, value: &[u8], reason: &'static str| (col, lossy(value), reason);
        let parsed = (|| {
            let get = |col: usize| {
                fields.get(col).map(|f| &chunk[f.start..f.end]).ok_or((
                    col,
                    String::new(),
                    "the record has no such field",
                ))
            };
            let xs = get(plan.x)?;
            let x = parse_f64(xs, plan.decimal_comma)
                .ok_or_else(|| problem(plan.x, xs, "not a number"))?;
            let ys = get(plan.y)?;
            let y = parse_f64(ys, plan.decimal_comma)
                .ok_or_else(|| problem(plan.y, ys, "not a number"))?;
            let w = match plan.weight {
                Some(c) => {
                    let ws = get(c)?;
                    Some(
                        parse_weight(ws, plan.decimal_comma)
                            .ok_or_else(|| problem(c, ws, "not a number"))?,
                    )
                }
                None => None,
            };
            let (tx, ty) = match opts.transform {
                Some(t) => t(x, y).ok_or_else(|| {
                    problem(plan.x, xs, "the coordinate transform cannot map this point")
                })?,
                None => (x, y),
            };
            for &g in &plan.group {
                if g >= fields.len() {
                    return Err((g, String::new(), "the record has no such field"));
                }
            }
            Ok((x, y, tx, ty, w))
        })();
        let (x, y, tx, ty, w) = match parsed {
            Ok(v) => v,
            Err((col, value, reason)) => {
                if report.invalid_value(opts, record_line, &plan.names[col], col, value, reason) {
                    continue;
                }
                return report;
            }
        };

        let packed = if plan.group.is_empty() {
            None
        } else {
            pack_group(&fields, &plan.group, chunk)
        };
        let group = match (last_group, packed.and_then(|p| tally.packed.get(&p))) {
            (Some(g), _) if plan.group.is_empty() => g,
            (_, Some(g)) => g,
            _ => {
                key.clear();
                for &g in &plan.group {
                    let v = fields[g].bytes(chunk, &mut scratch);
                    key.extend_from_slice(&(v.len() as u32).to_le_bytes());
                    key.extend_from_slice(v);
                }
                match last_group {
                    Some(g) if key == last_key => g,
                    _ => {
                        let known = tally.group_ids.len();
                        let g = tally.group(&key);
                        if let Some(check) = opts.check_group
                            && tally.group_ids.len() > known
                        {
                            let bad = split_key(&key, plan.group.len())
                                .into_iter()
                                .enumerate()
                                .find_map(|(i, v)| check(i, v).err().map(|r| (i, lossy(v), r)));
                            if let Some((i, value, reason)) = bad {
                                // Forget the value, so that its next record is checked too.
                                tally.group_ids.remove(key.as_slice());
                                tally.counts.truncate(tally.counts.len() - tally.stride);
                                if let Some(s) = tally.sums.as_mut() {
                                    s.truncate(s.len() - tally.stride);
                                }
                                last_group = None;
                                let col = plan.group[i];
                                if report.invalid_value(
                                    opts,
                                    record_line,
                                    &plan.names[col],
                                    col,
                                    value,
                                    reason,
                                ) {
                                    continue;
                                }
                                return report;
                            }
                        }
                        if let Some(p) = packed {
                            tally.packed.insert(p, g);
                        }
                        std::mem::swap(&mut key, &mut last_key);
                        last_group = Some(g);
                        g
                    }
                }
            }
        };
        batch.push(Pending {
            x,
            y,
            tx,
            ty,
            group,
            weight: w.unwrap_or(0),
            line: record_line,
        });
        if batch.len() == BATCH {
            flush_batch(&mut batch, &mut cells, index, opts, tally, &mut report);
        }
    }
    flush_batch(&mut batch, &mut cells, index, opts, tally, &mut report);
    report.newlines = line;
    report
}
