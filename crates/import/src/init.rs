//! `sozialatlas init`: a draft atlas folder from a boundary file and data files as a city has
//! them. Everything is read and decided here; the command line writes the files.
//!
//! What is detected, and how:
//! - **Area key** of the boundaries: a property with a value in every feature, all different;
//!   preferred when its name says so (`id`, `nr`, `key`, `schluessel`, `code` …) and when its
//!   values are digits.
//! - **Area name**: a text property with letters, (almost) all different, not the key; names in
//!   mixed case are preferred to upper-case copies.
//! - **CRS**: from the file (`.prj`, GeoJSON is WGS84); a Shapefile without one is tried in the
//!   CRS German cities use (EPSG:25832, 25833, 31467, 3035) and the first that puts the city in
//!   Germany is proposed, to be checked.
//! - **Data files** (CSV, XLSX): encoding, delimiter and decimal mark as `check` detects them;
//!   the **key column** is the column whose values (padded with zeros where needed: `key_width`)
//!   match the most area keys; rows of other levels in the same file (a level column such as
//!   `ebene`) are left out with `where`, and a level value with one row per year and a key of its
//!   own becomes the city's official row; the **period column** holds years; the **numeric
//!   columns** are counts (whole numbers ≥ 0) or other values (rates, averages: left out with a
//!   note, since they cannot be summed).
//! - **Catalogue**: a variable and a count indicator per count column; where one column contains
//!   the others row by row and its name says population (`einwohner`, `bevoelkerung`,
//!   `population`, `residents`, `insgesamt`, `total`), a share (%) of it for each of them.
//!
//! What cannot be known from the files is written as a `# CHECK:` comment and listed in
//! [`Draft::checks`].

use crate::ImportError;
use crate::table::{self, RawCell, RawTable};
use sozialatlas_geo::{Layer, ReadOptions};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A draft atlas folder: the two TOML files, the inputs to copy, and what to check.
#[derive(Clone, Debug)]
pub struct Draft {
    /// `atlas.toml`.
    pub atlas_toml: String,
    /// `catalogue.toml`.
    pub catalogue_toml: String,
    /// (source path, path inside the new folder) of every input file, sidecars included.
    pub copies: Vec<(PathBuf, String)>,
    /// What the user must check, one line each.
    pub checks: Vec<String>,
}

/// Options of [`draft`].
#[derive(Clone, Debug, Default)]
pub struct InitOptions {
    /// The city's name (default: from the file name).
    pub city: Option<String>,
    /// This year: a data file without any year is drafted for the year before, marked to check.
    pub year: i32,
}

/// Reads the boundary file and the data files and drafts an atlas folder.
pub fn draft(
    boundaries: &Path,
    data: &[PathBuf],
    opts: &InitOptions,
) -> Result<Draft, ImportError> {
    let mut checks = Vec::new();
    let mut copies = Vec::new();
    let b_name = file_name(boundaries)?;
    let geo_dest = format!("geo/{b_name}");
    let (layer, crs) = read_layer(boundaries, &b_name, &mut checks)?;
    for side in sidecars(boundaries) {
        let n = file_name(&side)?;
        copies.push((side, format!("geo/{n}")));
    }
    copies.insert(0, (boundaries.to_path_buf(), geo_dest.clone()));
    let props = Props::of(&layer);
    // The key: of the properties that can be one, the one the first data file's key column
    // names most areas of (boundaries often carry several ids), else the most keyish.
    let candidates = props.keys();
    let first_table = match data.first() {
        Some(p) => std::fs::read(p)
            .ok()
            .and_then(|b| read_table(&b, &file_name(p).ok()?).ok()),
        None => None,
    };
    let key_prop = candidates
        .iter()
        .enumerate()
        .max_by_key(|(i, k)| {
            let named = first_table.as_ref().map_or(0, |(t, _, _)| {
                key_column(t, &props.values[*k], "").map_or(0, |(_, matched)| matched)
            });
            (named, std::cmp::Reverse(*i))
        })
        .map(|(_, k)| k.clone())
        .ok_or_else(|| {
            ImportError::file(
                &b_name,
                "a property with a different value in every feature (the area key)",
                format!("none among {}", props.names().join(", ")),
            )
        })?;
    let name_prop = props.name(&key_prop);
    let keys: Vec<String> = props.values[&key_prop].clone();
    let names: HashMap<String, String> = match &name_prop {
        Some(np) => keys
            .iter()
            .zip(&props.values[np])
            .map(|(k, n)| (canon(k), n.clone()))
            .collect(),
        None => HashMap::new(),
    };
    if name_prop.is_none() {
        checks.push(format!(
            "{b_name}: no property holds area names; the areas are named by their keys (`{key_prop}`). Set `name_property` if there is one."
        ));
    }

    let stem = boundaries
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("atlas");
    let city = opts.city.clone().unwrap_or_else(|| {
        checks.push(
            "atlas.toml: the city's name is a guess from the file name; set `city` and `name`."
                .into(),
        );
        city_from_stem(stem)
    });
    let level_id = slug(stem.split(['_', '-']).next_back().unwrap_or("gebiet"));
    let level_id = if level_id.is_empty() || level_id == "stadt" {
        "gebiet".to_string()
    } else {
        level_id
    };

    let mut variables: Vec<DraftVariable> = Vec::new();
    let mut data_blocks = Vec::new();
    let mut city_key: Option<String> = None;
    let mut used_ids: HashSet<String> = HashSet::new();
    for (group, path) in data.iter().enumerate() {
        let name = file_name(path)?;
        let dest = format!("data/{name}");
        copies.push((path.clone(), dest.clone()));
        let bytes = std::fs::read(path).map_err(|e| {
            ImportError::file(
                &name,
                "a readable data file",
                format!("{}: {e}", path.display()),
            )
        })?;
        let d = draft_data(&bytes, &name, group, &keys, &names, opts, &mut checks)?;
        if let Some(ck) = &d.city_rows {
            match &city_key {
                Some(k) if k != &ck.key => checks.push(format!(
                    "{name}: its city rows have the key `{}`, another file's `{k}`; only the first is used.",
                    ck.key
                )),
                _ => city_key = Some(ck.key.clone()),
            }
        }
        let mut columns = Vec::new();
        for c in &d.counts {
            let mut id = slug(&c.header);
            if id.is_empty() || id.starts_with(|ch: char| ch.is_ascii_digit()) {
                id = format!("v_{id}");
            }
            let base = id.clone();
            let mut n = 2;
            while !used_ids.insert(id.clone()) {
                id = format!("{base}_{n}");
                n += 1;
            }
            columns.push((id.clone(), c.header.clone()));
            variables.push(DraftVariable {
                id,
                header: c.header.clone(),
                file: name.clone(),
                base: c.base,
                within_base: c.within_base,
                group: d.counts_group,
            });
        }
        data_blocks.push((d, dest, columns));
    }

    let mut atlas = String::new();
    let _ = writeln!(
        atlas,
        "# Draft written by `sozialatlas init` from {}. Lines marked CHECK need a decision;\n# `sozialatlas check .` validates the folder. Every key: docs/ATLAS-FOLDER.md.\n",
        std::iter::once(b_name.as_str())
            .chain(
                data.iter()
                    .filter_map(|p| p.file_name().and_then(|s| s.to_str()))
            )
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(atlas, "[atlas]");
    let _ = writeln!(
        atlas,
        "name = {{ de = {}, en = {} }}",
        q(&format!("Sozialatlas {city}")),
        q(&format!("{city} Social Atlas"))
    );
    let _ = writeln!(atlas, "city = {}", q(&city));
    let _ = writeln!(atlas, "catalogue = \"catalogue.toml\"");
    let _ = writeln!(
        atlas,
        "# CHECK: the date the data are as of, shown under every map and table."
    );
    let stand = data_blocks
        .iter()
        .filter_map(|(d, _, _)| d.last_period)
        .max()
        .map(|y| format!("31.12.{y}"))
        .unwrap_or_else(|| "–".into());
    let _ = writeln!(atlas, "stand = {}", q(&stand));
    let _ = writeln!(
        atlas,
        "# CHECK: the licence of the data and the attribution the source asks for."
    );
    let _ = writeln!(atlas, "attribution = []\n");
    checks.push(
        "atlas.toml: `stand`, `licence` and `attribution` (the source's required attribution line)."
            .into(),
    );

    let _ = writeln!(atlas, "[[level]]\nid = \"stadt\"");
    let _ = writeln!(atlas, "name = {{ de = \"Stadt\", en = \"City\" }}");
    let _ = writeln!(
        atlas,
        "areas = [{{ key = {}, name = {} }}]\n",
        q(city_key.as_deref().unwrap_or("0")),
        q(&city)
    );
    let _ = writeln!(atlas, "[[level]]\nid = {}", q(&level_id));
    let _ = writeln!(
        atlas,
        "# CHECK: the name of one area of this level (Stadtteil, Statistischer Bezirk …)."
    );
    let _ = writeln!(atlas, "name = {{ de = \"Gebiet\", en = \"Area\" }}");
    checks.push(format!(
        "atlas.toml: the level `{level_id}`: its id and name (one area: \"Stadtteil\", \"Statistischer Bezirk\" …)."
    ));
    let _ = writeln!(atlas, "parent = \"stadt\"");
    let _ = writeln!(atlas, "boundaries = {}", q(&geo_dest));
    let _ = writeln!(atlas, "key = {}", q(&key_prop));
    // The data write the keys with leading zeros the boundaries leave out: pad both.
    let level_width = data_blocks
        .iter()
        .filter_map(|(d, _, _)| d.level_width)
        .max();
    if let Some(w) = level_width {
        let _ = writeln!(atlas, "key_width = {w}");
    }
    if let Some(np) = &name_prop {
        let _ = writeln!(atlas, "name_property = {}", q(np));
    }
    if let Some(c) = &crs {
        let _ = writeln!(
            atlas,
            "# CHECK: the file names no CRS; this one puts the areas in Germany."
        );
        let _ = writeln!(atlas, "crs = {}", q(c));
    }
    atlas.push('\n');

    for (d, dest, columns) in &data_blocks {
        for note in &d.notes {
            let _ = writeln!(atlas, "# {note}");
        }
        let _ = writeln!(atlas, "[[data]]");
        let _ = writeln!(atlas, "file = {}", q(dest));
        let _ = writeln!(atlas, "level = {}", q(&level_id));
        write_reading(&mut atlas, d);
        let _ = writeln!(atlas, "area = {}", q(&d.key_header));
        if let Some(w) = level_width.or(d.key_width) {
            let _ = writeln!(atlas, "key_width = {w}");
        }
        write_period(&mut atlas, d);
        if let Some((col, value)) = &d.level_filter {
            let _ = writeln!(atlas, "where = {{ {} = {} }}", bare(col), q(value));
        }
        if columns.is_empty() {
            let _ = writeln!(atlas, "variables = {{}}");
        } else {
            let _ = writeln!(atlas, "[data.variables]");
            for (id, header) in columns {
                let _ = writeln!(atlas, "{} = {}", bare(id), q(header));
            }
        }
        atlas.push('\n');
        if let (Some(ck), Some(key)) = (&d.city_rows, &city_key)
            && &ck.key == key
            && !columns.is_empty()
        {
            let _ = writeln!(
                atlas,
                "# The city's own rows of the same file (official totals, which may include residents of no area)."
            );
            let _ = writeln!(atlas, "[[data]]");
            let _ = writeln!(atlas, "file = {}", q(dest));
            let _ = writeln!(atlas, "level = \"stadt\"");
            write_reading(&mut atlas, d);
            let _ = writeln!(atlas, "area = {}", q(&d.key_header));
            write_period(&mut atlas, d);
            let _ = writeln!(
                atlas,
                "where = {{ {} = {} }}",
                bare(&ck.column),
                q(&ck.value)
            );
            let _ = writeln!(atlas, "[data.variables]");
            for (id, header) in columns {
                let _ = writeln!(atlas, "{} = {}", bare(id), q(header));
            }
            atlas.push('\n');
        }
    }

    let catalogue = catalogue_toml(&variables, &mut checks);
    Ok(Draft {
        atlas_toml: atlas,
        catalogue_toml: catalogue,
        copies,
        checks,
    })
}

fn write_reading(out: &mut String, d: &DataDraft) {
    if let Some(delim) = d.delimiter {
        let _ = writeln!(
            out,
            "delimiter = {}",
            q(match delim {
                b'\t' => "tab",
                b';' => ";",
                b'|' => "|",
                _ => ",",
            })
        );
        let _ = writeln!(out, "encoding = {}", q(&d.encoding));
    }
    if let Some(dec) = d.decimal {
        let _ = writeln!(out, "decimal = {}", q(&dec.to_string()));
    }
    if let Some(th) = d.thousands {
        let _ = writeln!(out, "thousands = {}", q(th));
    }
    if d.declared.contains(".") {
        let _ = writeln!(
            out,
            "# CHECK: `.` means \"unknown or secret\" in German statistics; missing = [\"\", \".\"] if it means not available here."
        );
        let _ = writeln!(out, "suppressed = [\"x\", \"X\", \"*\", \"•\", \".\"]");
    }
    let dashes: Vec<String> = d
        .declared
        .iter()
        .filter(|t| *t != ".")
        .map(|t| q(t))
        .collect();
    if !dashes.is_empty() {
        let _ = writeln!(
            out,
            "# CHECK: a dash means \"nothing, exactly zero\" in German official tables; move it to missing if it means not available here."
        );
        let _ = writeln!(out, "zero = [{}]", dashes.join(", "));
    }
}

fn write_period(out: &mut String, d: &DataDraft) {
    match (&d.period_header, d.last_period) {
        (Some(p), _) => {
            let _ = writeln!(out, "period = {}", q(p));
        }
        (None, Some(y)) => {
            let _ = writeln!(
                out,
                "# CHECK: the file has no year column; {y} is the year in its name or a column's."
            );
            let _ = writeln!(out, "period_value = {y}");
        }
        (None, None) => {
            let _ = writeln!(
                out,
                "# CHECK: the file has no year column: the year of its values."
            );
            let _ = writeln!(out, "period_value = {}", d.year_fallback);
        }
    }
}

struct DraftVariable {
    id: String,
    header: String,
    file: String,
    base: bool,
    within_base: bool,
    group: usize,
}

fn catalogue_toml(vars: &[DraftVariable], checks: &mut Vec<String>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Draft catalogue written by `sozialatlas init`: a variable and a count per count column,\n# and shares of the population base where the file has one. Names are the column names.\n# CHECK: names, units, sources, polarity (higher_is_worse / higher_is_better) and dimensions.\n"
    );
    let _ = writeln!(out, "version = \"draft\"\n");
    let mut files: Vec<&str> = Vec::new();
    for v in vars {
        if !files.contains(&v.file.as_str()) {
            files.push(&v.file);
        }
    }
    for (i, f) in files.iter().enumerate() {
        let _ = writeln!(out, "[[dimension]]\nid = \"daten_{}\"", i + 1);
        let _ = writeln!(out, "name = {{ de = {}, en = {} }}\n", q(f), q(f));
    }
    for v in vars {
        let _ = writeln!(out, "[[variable]]\nid = {}", q(&v.id));
        let _ = writeln!(out, "name = {{ de = {} }}", q(&v.header));
        let _ = writeln!(out, "source = {}\n", q(&v.file));
    }
    let dim = |v: &DraftVariable| {
        format!(
            "daten_{}",
            files.iter().position(|f| *f == v.file).unwrap_or(0) + 1
        )
    };
    let mut shares = 0;
    for v in vars {
        let _ = writeln!(out, "[[indicator]]\nid = {}", q(&v.id));
        let _ = writeln!(out, "name = {{ de = {} }}", q(&v.header));
        let _ = writeln!(out, "dimension = {}", q(&dim(v)));
        let _ = writeln!(out, "unit = \"Personen\"\nformula = \"count\"");
        let _ = writeln!(out, "variable = {}\n", q(&v.id));
    }
    for base in vars.iter().filter(|v| v.base) {
        for v in vars
            .iter()
            .filter(|v| v.group == base.group && v.within_base && v.id != base.id)
        {
            shares += 1;
            let _ = writeln!(
                out,
                "[[indicator]]\nid = {}",
                q(&format!("anteil_{}", v.id))
            );
            let _ = writeln!(
                out,
                "name = {{ de = {} }}",
                q(&format!("Anteil {} an {}", v.header, base.header))
            );
            let _ = writeln!(out, "dimension = {}", q(&dim(v)));
            let _ = writeln!(out, "unit = \"%\"\nformula = \"ratio\"");
            let _ = writeln!(out, "numerator = {}", q(&v.id));
            let _ = writeln!(out, "denominator = {}\n", q(&base.id));
        }
    }
    let counts = vars.len();
    checks.push(format!(
        "catalogue.toml: {counts} count indicators{} drafted from the column names: names, units, polarity, sources.",
        if shares > 0 {
            format!(" and {shares} shares of the population base")
        } else {
            String::new()
        }
    ));
    out
}

/// The draft of one data file.
struct DataDraft {
    delimiter: Option<u8>,
    encoding: String,
    /// `.` and dashes found among the values, declared as suppressed and zero.
    declared: BTreeSet<String>,
    /// The decimal mark and thousands separator the values decide (none: `auto`).
    decimal: Option<char>,
    thousands: Option<&'static str>,
    key_header: String,
    /// The data keys are padded to this width (`key_width` of the data file).
    key_width: Option<usize>,
    /// The boundaries' keys must be padded to this width (`key_width` of the level).
    level_width: Option<usize>,
    period_header: Option<String>,
    last_period: Option<i32>,
    /// The year written when nothing in the file names one (the year before today's, the
    /// usual latest year of official statistics), marked for checking.
    year_fallback: i32,
    level_filter: Option<(String, String)>,
    city_rows: Option<CityRows>,
    counts: Vec<CountColumn>,
    counts_group: usize,
    notes: Vec<String>,
}

struct CityRows {
    column: String,
    value: String,
    key: String,
}

struct CountColumn {
    header: String,
    base: bool,
    within_base: bool,
}

fn draft_data(
    bytes: &[u8],
    name: &str,
    group: usize,
    keys: &[String],
    names: &HashMap<String, String>,
    opts: &InitOptions,
    checks: &mut Vec<String>,
) -> Result<DataDraft, ImportError> {
    let (table, encoding, xlsx) = read_table(bytes, name)?;
    let (key_col, matched) = key_column(&table, keys, name)?;
    let src = Keyed {
        name,
        table: &table,
        key_col,
        keys: keys.iter().map(|k| canon(k)).collect(),
    };
    src.check_names(names, matched, checks)?;
    let (key_width, level_width) = src.widths(keys)?;
    if matched < keys.len() {
        let missing: Vec<&str> = keys
            .iter()
            .filter(|k| !table.rows.iter().any(|(_, r)| src.key_of(r) == canon(k)))
            .take(5)
            .map(String::as_str)
            .collect();
        checks.push(format!(
            "{name}: {matched} of the {} areas have rows; none for e.g. {}.",
            keys.len(),
            missing.join(", ")
        ));
    }
    let mut notes = Vec::new();
    let levels = src.levels(checks, &mut notes)?;
    let rows: Vec<&Vec<RawCell>> = table
        .rows
        .iter()
        .map(|(_, r)| r)
        .filter(|r| levels.keep(r))
        .collect();
    let (period_col, last_period) = src.period(&rows)?;
    let skip: HashSet<usize> = [Some(key_col), period_col, levels.column]
        .into_iter()
        .flatten()
        .collect();
    let values = src.values(&rows, &skip, checks, &mut notes)?;
    let year_fallback = opts.year.saturating_sub(1);
    if period_col.is_none() {
        checks.push(match last_period {
            Some(y) => format!("{name}: no year column; the year {y} was taken from a name: check `period_value`."),
            None => format!("{name}: no year column and no year in its name: set `period_value` (drafted as {year_fallback})."),
        });
    }
    if values.counts.is_empty() {
        checks.push(format!(
            "{name}: no column of counts was found; describe its variables by hand."
        ));
    }
    Ok(DataDraft {
        delimiter: if xlsx { None } else { table.delimiter },
        encoding,
        decimal: values.decimal,
        declared: values.declared,
        thousands: values.thousands,
        key_header: table.header[key_col].clone(),
        key_width,
        level_width,
        period_header: period_col.map(|c| table.header[c].clone()),
        last_period,
        year_fallback,
        level_filter: levels.filter,
        city_rows: levels.city,
        counts: values.counts,
        counts_group: group,
        notes,
    })
}

/// Reads a data file as `check` would (encoding, delimiter): the table, the encoding's name
/// and whether it is a workbook.
fn read_table(bytes: &[u8], name: &str) -> Result<(RawTable, String, bool), ImportError> {
    let lower = name.to_ascii_lowercase();
    let xlsx = lower.ends_with(".xlsx") || lower.ends_with(".xlsm");
    let (table, encoding) = if xlsx {
        (
            table::read_xlsx(bytes, name, None, &table::Shape::default())?,
            String::new(),
        )
    } else {
        let enc =
            if std::str::from_utf8(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).is_ok() {
                "utf-8"
            } else {
                "windows-1252"
            };
        let t = table::read_csv(bytes, name, enc, "auto", &table::Shape::default())?;
        t.check_widths()?;
        (t, enc.to_string())
    };
    if table.rows.is_empty() {
        return Err(ImportError::file(
            name,
            "a data file with rows",
            "only a header",
        ));
    }
    Ok((table, encoding, xlsx))
}

fn cell_text(r: &[RawCell], c: usize) -> String {
    r.get(c).map(RawCell::text).unwrap_or_default()
}

/// The key column: the most rows whose value is an area key, of a column that names at least
/// half of the areas. Digit keys are compared without leading zeros (`7`, `07`, `007`); the
/// widths are decided after. Returns the column and the number of areas it names.
fn key_column(
    table: &RawTable,
    keys: &[String],
    name: &str,
) -> Result<(usize, usize), ImportError> {
    let canon_keys: HashSet<String> = keys.iter().map(|k| canon(k)).collect();
    let mut best: Option<(usize, usize, usize)> = None; // (rows matched, distinct, column)
    for c in 0..table.header.len() {
        let mut rows_matched = 0;
        let mut distinct = HashSet::new();
        for (_, r) in &table.rows {
            let k = canon(&cell_text(r, c));
            if canon_keys.contains(&k) {
                rows_matched += 1;
                distinct.insert(k);
            }
        }
        let cand = (rows_matched, distinct.len(), c);
        if distinct.len() * 2 >= keys.len() && best.is_none_or(|b| (cand.0, cand.1) > (b.0, b.1)) {
            best = Some(cand);
        }
    }
    let Some((_, matched, key_col)) = best else {
        let sample: Vec<&str> = keys.iter().take(5).map(String::as_str).collect();
        return Err(ImportError::file(
            name,
            format!(
                "a column holding the area keys of the boundaries (e.g. {})",
                sample.join(", ")
            ),
            format!("no such column among {}", table.header.join(", ")),
        ));
    };
    Ok((key_col, matched))
}

/// A data file with its key column chosen.
struct Keyed<'a> {
    name: &'a str,
    table: &'a RawTable,
    key_col: usize,
    /// The boundaries' keys, compared without leading zeros.
    keys: HashSet<String>,
}

/// The rows of the area level, when the file also has rows of other levels.
struct Levels {
    /// The column that tells the levels apart, and the value of the area rows.
    column: Option<usize>,
    value: String,
    filter: Option<(String, String)>,
    city: Option<CityRows>,
}

impl Levels {
    fn keep(&self, r: &[RawCell]) -> bool {
        self.column.is_none_or(|c| cell_text(r, c) == self.value)
    }
}

/// The value columns: counts, and the marks their numbers are written with.
struct Values {
    /// `.` and dashes found among the values: their meaning is declared in the draft.
    declared: BTreeSet<String>,
    counts: Vec<CountColumn>,
    decimal: Option<char>,
    thousands: Option<&'static str>,
}

impl Keyed<'_> {
    fn key_of(&self, r: &[RawCell]) -> String {
        canon(&cell_text(r, self.key_col))
    }

    fn is_area(&self, r: &[RawCell]) -> bool {
        self.keys.contains(&self.key_of(r))
    }

    /// Keys can match by chance (`1`…`13` are keys of many cities): where the file names its
    /// areas, the names must be the boundaries' names.
    fn check_names(
        &self,
        names: &HashMap<String, String>,
        matched: usize,
        checks: &mut Vec<String>,
    ) -> Result<(), ImportError> {
        let (name, table, key_col) = (self.name, self.table, self.key_col);
        let text = cell_text;
        let key_of = |r: &[RawCell]| self.key_of(r);
        if names.is_empty() {
            return Ok(());
        }
        let mut best_agree = (0usize, 0usize, None); // (agree, of, column)
        let mut name_like = false;
        for c in (0..table.header.len()).filter(|&c| c != key_col) {
            let pairs: Vec<(String, &String)> = table
                .rows
                .iter()
                .filter_map(|(_, r)| names.get(&key_of(r)).map(|n| (text(r, c), n)))
                .collect();
            let distinct: HashSet<&String> = pairs.iter().map(|p| &p.0).collect();
            if pairs.is_empty()
                || !pairs.iter().all(|p| p.0.chars().any(char::is_alphabetic))
                || distinct.len() * 2 < matched
            {
                continue;
            }
            name_like = true;
            let agree = pairs.iter().filter(|(a, b)| same_name(a, b)).count();
            if agree * best_agree.1 >= best_agree.0 * pairs.len() {
                best_agree = (agree, pairs.len(), Some(c));
            }
        }
        if name_like && best_agree.0 * 2 < best_agree.1 {
            let example = table
                .rows
                .iter()
                .find_map(|(_, r)| {
                    let n = names.get(&key_of(r))?;
                    let c = best_agree.2?;
                    (!same_name(&text(r, c), n)).then(|| (text(r, key_col), text(r, c), n.clone()))
                })
                .unwrap_or_default();
            return Err(ImportError::file(
                name,
                format!(
                    "rows of the same areas as the boundaries (key column `{}`)",
                    table.header[key_col]
                ),
                format!(
                    "other areas under the same keys: key `{}` is `{}` here but `{}` in the boundaries",
                    example.0, example.1, example.2
                ),
            ));
        }
        if !name_like {
            checks.push(format!(
                "{name}: the file does not name its areas; check that column `{}` holds the boundaries' keys.",
                table.header[key_col]
            ));
        }
        Ok(())
    }

    /// Widths: as they are when the file writes the boundaries' keys; else the data keys
    /// padded to the boundaries' one width; else both padded to the data's one width.
    /// Returns (`key_width` of the data file, `key_width` of the level).
    fn widths(&self, keys: &[String]) -> Result<(Option<usize>, Option<usize>), ImportError> {
        let (name, table, key_col) = (self.name, self.table, self.key_col);
        let raw_keys: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let matched_raw: Vec<String> = table
            .rows
            .iter()
            .filter(|(_, r)| self.is_area(r))
            .map(|(_, r)| cell_text(r, key_col))
            .collect();
        let uniform = |ks: &mut dyn Iterator<Item = &str>| -> Option<usize> {
            let mut w = BTreeSet::new();
            for k in ks {
                if !k.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                w.insert(k.len());
            }
            (w.len() == 1).then(|| *w.iter().next().unwrap_or(&0))
        };
        Ok(
            if matched_raw.iter().all(|k| raw_keys.contains(k.as_str())) {
                (None, None)
            } else if let Some(w) = uniform(&mut keys.iter().map(String::as_str)) {
                (Some(w), None)
            } else if let Some(w) = uniform(&mut matched_raw.iter().map(String::as_str)) {
                (Some(w), Some(w))
            } else {
                return Err(ImportError::file(
                    name,
                    format!(
                        "the area keys of the boundaries in column `{}`, written alike (e.g. {})",
                        table.header[key_col],
                        keys.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
                    ),
                    format!(
                        "keys of several forms, e.g. {}",
                        matched_raw
                            .iter()
                            .take(3)
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            },
        )
    }

    /// Rows of other levels: a column whose value separates the area rows from the others; a
    /// level value with a single key is the city's own rows.
    fn levels(
        &self,
        checks: &mut Vec<String>,
        notes: &mut Vec<String>,
    ) -> Result<Levels, ImportError> {
        let (name, table, key_col) = (self.name, self.table, self.key_col);
        let text = cell_text;
        let unmatched = table.rows.iter().filter(|(_, r)| !self.is_area(r)).count();
        let mut levels = Levels {
            column: None,
            value: String::new(),
            filter: None,
            city: None,
        };
        if unmatched == 0 {
            return Ok(levels);
        }
        let mut found = None;
        for c in (0..table.header.len()).filter(|&c| c != key_col) {
            let mut by_value: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            for (_, r) in &table.rows {
                let e = by_value.entry(text(r, c)).or_default();
                e.0 += 1;
                if self.is_area(r) {
                    e.1 += 1;
                }
            }
            if by_value.len() > 12 {
                continue;
            }
            if let Some((v, _)) = by_value.iter().find(|(_, (n, m))| *n == *m && *m > 0)
                && by_value.values().filter(|(_, m)| *m > 0).count() == 1
            {
                found = Some((c, v.clone(), by_value));
                break;
            }
        }
        match found {
            Some((c, v, by_value)) => {
                let col = table.header[c].clone();
                let others: Vec<String> = by_value
                    .iter()
                    .filter(|(k, _)| **k != v)
                    .map(|(k, (n, _))| format!("{col} = {k:?} ({n} rows)"))
                    .collect();
                notes.push(format!(
                "The file also has rows of other levels ({}); only `{col} = {v:?}` is read here.",
                others.join(", ")
            ));
                // A level value with a single key: the city's own rows.
                for (other, _) in by_value.iter().filter(|(k, _)| **k != v) {
                    let ks: BTreeSet<String> = table
                        .rows
                        .iter()
                        .filter(|(_, r)| &text(r, c) == other)
                        .map(|(_, r)| text(r, key_col))
                        .collect();
                    if ks.len() == 1 {
                        levels.city = Some(CityRows {
                            column: col.clone(),
                            value: other.clone(),
                            key: ks.into_iter().next().unwrap_or_default(),
                        });
                        break;
                    }
                }
                if levels.city.is_none() {
                    checks.push(format!(
                    "{name}: rows of other levels are not read ({}); add a level for them if you need them.",
                    others.join(", ")
                ));
                }
                levels.column = Some(c);
                levels.value = v.clone();
                levels.filter = Some((col, v));
            }
            None => {
                return Err(ImportError::file(
                    name,
                    format!(
                        "area keys of the boundaries in every row of column `{}` (or a column that tells the other rows apart)",
                        table.header[key_col]
                    ),
                    format!(
                        "{unmatched} rows with other keys, e.g. `{}`",
                        table
                            .rows
                            .iter()
                            .map(|(_, r)| text(r, key_col))
                            .find(|t| !self.keys.contains(&canon(t)))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(levels)
    }

    /// The period: a column of years, else a year in the file's or a column's name
    /// (`einwohner_2011`). One row per area and period, else it is not a wide table.
    fn period(&self, rows: &[&Vec<RawCell>]) -> Result<(Option<usize>, Option<i32>), ImportError> {
        let (name, table, key_col) = (self.name, self.table, self.key_col);
        let text = cell_text;
        let cols = table.header.len();
        let key_of = |r: &[RawCell]| self.key_of(r);
        let is_year =
            |t: &str| t.len() == 4 && t.parse::<i32>().is_ok_and(|y| (1900..=2100).contains(&y));
        let period_col = (0..cols)
            .filter(|&c| c != key_col)
            .filter(|&c| rows.iter().all(|r| is_year(&text(r, c))))
            .max_by_key(|&c| {
                let h = table.header[c].to_lowercase();
                (["jahr", "year", "periode", "period", "berichtsjahr"]
                    .iter()
                    .any(|w| h.contains(w))) as u8
            });
        let last_period = match period_col {
            Some(c) => rows
                .iter()
                .filter_map(|r| text(r, c).parse::<i32>().ok())
                .max(),
            None => std::iter::once(name)
                .chain(table.header.iter().map(String::as_str))
                .flat_map(|t| {
                    t.split(|c: char| !c.is_ascii_digit())
                        .filter(|w| is_year(w))
                        .filter_map(|w| w.parse::<i32>().ok())
                        .collect::<Vec<_>>()
                })
                .max(),
        };
        let mut seen = HashSet::new();
        let mut dup = None;
        for r in rows {
            let k = (key_of(r), period_col.map(|c| text(r, c)));
            if !seen.insert(k.clone()) {
                dup = Some(k);
                break;
            }
        }
        if let Some((k, p)) = dup {
            return Err(ImportError::file(
                name,
                "one row per area and year (a wide table; a long table with a variable column must be described by hand, see docs/ATLAS-FOLDER.md)",
                format!(
                    "two rows for area `{k}`{}",
                    p.map(|p| format!(", year {p}")).unwrap_or_default()
                ),
            ));
        }
        Ok((period_col, last_period))
    }

    /// The value columns: the marks their numbers are written with (as `check` decides them),
    /// then each column's kind: counts (whole numbers ≥ 0, not named as a rate) are drafted,
    /// the others named; the population base and the counts within it.
    fn values(
        &self,
        rows: &[&Vec<RawCell>],
        skip: &HashSet<usize>,
        checks: &mut Vec<String>,
        notes: &mut Vec<String>,
    ) -> Result<Values, ImportError> {
        let (name, table) = (self.name, self.table);
        let text = cell_text;
        let cols = table.header.len();
        let markers = [
            "", "-", "–", "—", "...", "x", "X", "*", "•", "NA", "n/a", ".",
        ];
        let candidate: Vec<usize> = (0..cols)
            .filter(|c| !skip.contains(c))
            .filter(|&c| {
                rows.iter().any(|r| !markers.contains(&text(r, c).as_str()))
                    && rows.iter().all(|r| {
                        let t = text(r, c);
                        markers.contains(&t.as_str()) || looks_numeric(&t)
                    })
            })
            .collect();
        // The markers that need a meaning declared: `.` and the dashes (see `values` of the
        // draft's [[data]]).
        let declared: BTreeSet<String> = candidate
            .iter()
            .flat_map(|&c| rows.iter().map(move |r| text(r, c)))
            .filter(|t| [".", "-", "–", "—"].contains(&t.as_str()))
            .collect();
        if !declared.is_empty() {
            checks.push(format!(
                "{name}: the markers {} are declared as German official tables use them (`.` \
                 unknown or secret: suppressed; a dash: exactly zero); change `suppressed`/`zero` \
                 to `missing` where they mean \"not available\".",
                declared
                    .iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let filtered = RawTable {
            file: table.file.clone(),
            header: table.header.clone(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 2, (*r).clone()))
                .collect(),
            header_line: table.header_line,
            delimiter: table.delimiter,
        };
        let ways = crate::numbers::decide(&filtered, &candidate, "auto", "auto", &|t| {
            markers.contains(&t)
        })
        .map_err(|e| {
            e.0.into_iter()
                .next()
                .unwrap_or_else(|| ImportError::file(name, "numbers written one way", "others"))
        })?;
        let mut ambiguous = Vec::new();
        let mut counts = Vec::new();
        let mut values: HashMap<usize, Vec<Option<f64>>> = HashMap::new();
        let mut other = Vec::new();
        for &c in &candidate {
            let v: Vec<Option<f64>> = rows
                .iter()
                .map(|r| match r.get(c) {
                    Some(RawCell::Number(n)) => Some(*n),
                    Some(cell) => match ways.readings(&cell.text()).as_slice() {
                        [(x, _)] => Some(*x),
                        [] => None,
                        _ => {
                            if !ambiguous.contains(&table.header[c]) {
                                ambiguous.push(table.header[c].clone());
                            }
                            None
                        }
                    },
                    None => None,
                })
                .collect();
            let texts_ok = rows
                .iter()
                .zip(&v)
                .all(|(r, x)| x.is_some() || markers.contains(&text(r, c).as_str()));
            if !texts_ok {
                other.push(table.header[c].clone());
                continue;
            }
            let rate_name = rate_name(&table.header[c]);
            if !rate_name && v.iter().flatten().all(|x| *x >= 0.0 && x.fract() == 0.0) {
                values.insert(c, v);
                counts.push(c);
            } else {
                other.push(table.header[c].clone());
            }
        }
        if !ambiguous.is_empty() {
            checks.push(format!(
                "{name}: numbers such as `1.057` in {} read two ways (decimal or thousands); set \
                 `thousands` or `decimal` for the file and describe these columns by hand.",
                ambiguous.join(", ")
            ));
        }
        if !other.is_empty() {
            notes.push(format!(
                "Not drafted (not counts: decimals, negative values or a rate's name; a rate cannot be summed): {}.",
                other.join(", ")
            ));
            checks.push(format!(
                "{name}: {} columns are not counts and were left out ({}); recompute them from their counts, or take them as published values.",
                other.len(),
                other.join(", ")
            ));
        }
        // The population base: named so, and at least every other count in every row.
        let base_words = [
            "einwohner",
            "bevoelkerung",
            "bevölkerung",
            "population",
            "residents",
            "insgesamt",
            "total",
            "gesamt",
        ];
        let base = counts
            .iter()
            .copied()
            .filter(|&c| {
                let h = table.header[c].to_lowercase();
                base_words.iter().any(|w| h.contains(w))
            })
            .max_by(|&a, &b| {
                let s = |c: usize| values[&c].iter().flatten().sum::<f64>();
                s(a).total_cmp(&s(b))
            });
        let within = |c: usize| -> bool {
            let Some(b) = base else { return false };
            values[&c]
                .iter()
                .zip(&values[&b])
                .all(|(x, y)| match (x, y) {
                    (Some(x), Some(y)) => x <= y,
                    _ => true,
                })
        };
        let count_cols: Vec<CountColumn> = counts
            .iter()
            .map(|&c| CountColumn {
                header: table.header[c].clone(),
                base: Some(c) == base,
                within_base: within(c),
            })
            .collect();
        Ok(Values {
            declared,
            counts: count_cols,
            decimal: ways.decimal(),
            thousands: ways.thousands(),
        })
    }
}

/// Whether a column name says rate, share, average or index: a word of it (or the end of a
/// German compound, `Arbeitslosenquote`) is one of these.
fn rate_name(header: &str) -> bool {
    const ENDS: [&str; 14] = [
        "pct",
        "prozent",
        "anteil",
        "quote",
        "rate",
        "ratio",
        "index",
        "dichte",
        "durchschnitt",
        "mittelwert",
        "median",
        "quotient",
        "share",
        "percent",
    ];
    slug(header).split('_').any(|w| {
        ENDS.iter().any(|e| w.ends_with(e)) || w.starts_with("anteil") || w == "mean" || w == "avg"
    })
}

fn looks_numeric(t: &str) -> bool {
    let t = t.trim().trim_start_matches(['-', '+']);
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit() || matches!(c, '.' | ',' | ' ' | '\u{a0}' | 'e' | 'E' | '-' | '+')
        })
}

/// Whether two area names are the same name (case, umlauts, punctuation and a leading
/// number aside: `Mürwik` = `MUERWIK`, `01 Altstadt` = `Altstadt`).
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        slug(s)
            .split('_')
            .filter(|w| !w.is_empty() && !w.bytes().all(|c| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join("")
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && (a == b || a.contains(&b) || b.contains(&a))
}

/// A key for comparison: digit keys without leading zeros.
fn canon(t: &str) -> String {
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let s = t.trim_start_matches('0');
        if s.is_empty() { "0".into() } else { s.into() }
    } else {
        t.to_string()
    }
}

/// The properties of a layer as text, by name, in file order.
struct Props {
    order: Vec<String>,
    values: HashMap<String, Vec<String>>,
    complete: HashSet<String>,
}

impl Props {
    fn of(layer: &Layer) -> Props {
        let mut order: Vec<String> = Vec::new();
        for f in &layer.features {
            for k in f.properties.keys() {
                if !order.contains(k) {
                    order.push(k.clone());
                }
            }
        }
        let mut values = HashMap::new();
        let mut complete = HashSet::new();
        for k in &order {
            let v: Vec<Option<String>> = layer
                .features
                .iter()
                .map(|f| match f.properties.get(k) {
                    Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                        Some(s.trim().to_string())
                    }
                    Some(serde_json::Value::Number(n)) => Some(match n.as_i64() {
                        Some(i) => i.to_string(),
                        None => n.to_string(),
                    }),
                    _ => None,
                })
                .collect();
            if v.iter().all(Option::is_some) {
                complete.insert(k.clone());
            }
            values.insert(
                k.clone(),
                v.into_iter().map(Option::unwrap_or_default).collect(),
            );
        }
        Props {
            order,
            values,
            complete,
        }
    }

    fn names(&self) -> Vec<String> {
        self.order.iter().map(|k| format!("`{k}`")).collect()
    }

    fn unique(&self, k: &str) -> bool {
        let v = &self.values[k];
        v.iter().collect::<HashSet<_>>().len() == v.len()
    }

    /// The candidates for the key property, best first: complete, unique, and keyish.
    fn keys(&self) -> Vec<String> {
        let hint = |k: &str| {
            let k = k.to_lowercase();
            [
                "id",
                "nr",
                "key",
                "schluessel",
                "schlüssel",
                "code",
                "kennung",
                "nummer",
                "no",
            ]
            .iter()
            .any(|w| k == *w || k.ends_with(&format!("_{w}")) || k.starts_with(&format!("{w}_")))
        };
        let mut candidates: Vec<String> = self
            .order
            .iter()
            .filter(|k| self.complete.contains(*k) && self.unique(k))
            .filter(|k| {
                // Not a measurement (areas, lengths): keys have no fraction.
                self.values[*k]
                    .iter()
                    .all(|v| !v.contains('.') || !v.chars().all(|c| c.is_ascii_digit() || c == '.'))
            })
            .cloned()
            .collect();
        candidates.sort_by_key(|k| {
            let digits = self.values[k]
                .iter()
                .all(|v| v.bytes().all(|b| b.is_ascii_digit()));
            let letters = self.values[k]
                .iter()
                .any(|v| v.chars().any(char::is_alphabetic));
            let len: usize =
                self.values[k].iter().map(String::len).sum::<usize>() / self.values[k].len().max(1);
            std::cmp::Reverse((
                hint(k) as u8 * 4 + digits as u8 * 2 + !letters as u8,
                std::cmp::Reverse(len),
            ))
        });
        candidates
    }

    /// The name property: text with letters, nearly unique, not the key.
    fn name(&self, key: &str) -> Option<String> {
        let hint = |k: &str| {
            let k = k.to_lowercase();
            [
                "name",
                "bezeichnung",
                "stadtteil",
                "bezirk",
                "raum",
                "ortsteil",
                "gebiet",
            ]
            .iter()
            .any(|w| k.contains(w))
        };
        self.order
            .iter()
            .filter(|k| k.as_str() != key && self.complete.contains(*k))
            .filter(|k| {
                let v = &self.values[*k];
                let distinct = v.iter().collect::<HashSet<_>>().len();
                distinct * 10 >= v.len() * 9 && v.iter().all(|s| s.chars().any(char::is_alphabetic))
            })
            .max_by_key(|k| {
                let mixed = self.values[*k]
                    .iter()
                    .any(|s| s.chars().any(char::is_lowercase));
                (mixed as u8 * 2 + hint(k) as u8, self.unique(k) as u8)
            })
            .cloned()
    }
}

/// Reads the boundary file; a Shapefile without a CRS is tried in the CRS German cities use.
fn read_layer(
    path: &Path,
    name: &str,
    checks: &mut Vec<String>,
) -> Result<(Layer, Option<String>), ImportError> {
    let read = |crs: Option<&str>| {
        let opts = ReadOptions {
            crs: crs.map(str::to_owned),
            repair: false,
            key_property: None,
            target_crs: None,
        };
        sozialatlas_geo::read_path(path, &opts).map_err(Box::new)
    };
    let err = |e: Box<sozialatlas_geo::GeoError>| {
        ImportError::file(name, e.expected.clone(), e.found.clone())
    };
    match read(None) {
        Ok(l) => Ok((l, None)),
        Err(first) => {
            let lower = name.to_ascii_lowercase();
            if !(lower.ends_with(".shp") || lower.ends_with(".zip")) {
                return Err(err(first));
            }
            // The CRS German cities use, in order of use; every one that puts all areas in
            // Germany is named, the first is proposed.
            let fits: Vec<(&str, Layer)> = ["EPSG:25832", "EPSG:25833", "EPSG:31467", "EPSG:3035"]
                .into_iter()
                .filter_map(|crs| {
                    let l = read(Some(crs)).ok()?;
                    l.features
                        .iter()
                        .all(|f| {
                            geo::CoordsIter::coords_iter(&f.geometry).all(|c| {
                                (5.5..=15.5).contains(&c.x) && (47.0..=55.5).contains(&c.y)
                            })
                        })
                        .then_some((crs, l))
                })
                .collect();
            let others: Vec<&str> = fits.iter().skip(1).map(|f| f.0).collect();
            if let Some((crs, l)) = fits.into_iter().next() {
                checks.push(format!(
                    "{name}: the file names no CRS; {crs} puts the areas in Germany{}. Check `crs` in atlas.toml.",
                    if others.is_empty() {
                        String::new()
                    } else {
                        format!(" (so would {})", others.join(", "))
                    }
                ));
                return Ok((l, Some(crs.to_string())));
            }
            Err(err(first))
        }
    }
}

/// The files that belong to a Shapefile (.dbf, .shx, .prj, .cpg), where they exist.
fn sidecars(path: &Path) -> Vec<PathBuf> {
    let is_shp = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    if !is_shp {
        return Vec::new();
    }
    ["dbf", "shx", "prj", "cpg"]
        .iter()
        .map(|e| path.with_extension(e))
        .filter(|p| p.is_file())
        .collect()
}

fn file_name(p: &Path) -> Result<String, ImportError> {
    p.file_name()
        .and_then(|s| s.to_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            ImportError::file(
                p.display().to_string(),
                "a file name in UTF-8",
                p.display().to_string(),
            )
        })
}

fn city_from_stem(stem: &str) -> String {
    let first = stem.split(['_', '-', ' ']).next().unwrap_or(stem);
    let mut c = first.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Stadt".into(),
    }
}

/// An identifier from a column name: lower case, umlauts spelled out, `_` between words.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for ch in s.to_lowercase().chars() {
        match ch {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('_') {
                    out.push('_');
                }
            }
        }
    }
    out.trim_matches('_').to_string()
}

/// A TOML string.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML key: bare when it can be, quoted otherwise.
fn bare(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        q(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Einwohner mit Migrationshintergrund"),
            "einwohner_mit_migrationshintergrund"
        );
        assert_eq!(slug("Bevölkerung (Größe)"), "bevoelkerung_groesse");
        assert_eq!(slug("alter_00_lt03"), "alter_00_lt03");
    }

    #[test]
    fn names() {
        assert!(same_name("Mürwik", "MUERWIK"));
        assert!(same_name("01 Altstadt", "Altstadt"));
        assert!(same_name("Köln-Innenstadt", "Innenstadt"));
        assert!(!same_name("Innenstadt", "Altstadt"));
    }

    #[test]
    fn rate_names() {
        assert!(rate_name("Arbeitslosenquote"));
        assert!(rate_name("anteil_unter_18_pct_derived"));
        assert!(rate_name("birth_rate"));
        assert!(rate_name("Einkommensindex"));
        assert!(!rate_name("einwohner_mit_migrationshintergrund"));
        assert!(!rate_name("residents_under_18"));
    }

    #[test]
    fn numeric_texts() {
        assert!(looks_numeric("1.234,5"));
        assert!(looks_numeric("-3"));
        assert!(!looks_numeric("Altstadt"));
        assert!(!looks_numeric("2019-12-31x"));
        assert_eq!(canon("0101"), "101");
        assert_eq!(canon("000"), "0");
        assert_eq!(canon("A01"), "A01");
    }
}
