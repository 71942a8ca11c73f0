//! The data pool (Datenpool): every published indicator value for every area, level and period,
//! with the city reference value, the counts, the unit and the metadata, as CSV, XLSX or GeoJSON.
//!
//! Architecture invariant: reads only a [`Snapshot`] and writes only published values —
//! [`IndicatorValue::published`] and friends — so no export can contain a suppressed value.

use sozialatlas_core::compute::{IndicatorValue, ValueState};
use sozialatlas_core::csv::CsvWriter;
use sozialatlas_core::locale::{Locale, format_exact, format_plain};
use sozialatlas_model::Snapshot;
use std::io::Write;

/// An export error.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing failed.
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    /// CSV writer error.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// XLSX writer error.
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// JSON error.
    #[error("writing GeoJSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A level or period that the atlas does not have.
    #[error("{0}")]
    Selection(String),
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV: `;` and decimal comma in German, `,` and decimal point in English.
    Csv,
    /// XLSX workbook with data, indicator and source sheets.
    Xlsx,
    /// GeoJSON FeatureCollection of the areas with their values.
    GeoJson,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "geojson" | "json" => Ok(Format::GeoJson),
            other => Err(format!(
                "unknown format `{other}` (expected csv, xlsx or geojson)"
            )),
        }
    }
}

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only this level (id); all levels when None.
    pub level: Option<String>,
    /// Only this period; all periods when None (GeoJSON: the latest when None).
    pub period: Option<i32>,
    /// Only these indicators (ids); all when empty.
    pub indicators: Vec<String>,
}

/// One row of the data pool: an indicator in an area and period, as published.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolRow<'a> {
    /// The value as stored (use its `published*` methods).
    pub value: &'a IndicatorValue,
    /// For the part of `value.area` not assigned to its areas on a finer level: that level.
    pub unassigned: Option<usize>,
    /// The city reference value, as published.
    pub city: Option<f64>,
    /// The change since the previous period with a published value: (that period, change).
    pub change: Option<(i32, f64)>,
}

/// The unit of a change: `%` for counts, percentage points for rates in %, else the unit.
pub fn change_unit(ind: &sozialatlas_core::Indicator, locale: Locale) -> String {
    match ind.formula.change_kind() {
        sozialatlas_core::catalogue::ChangeKind::Relative => "%".to_string(),
        sozialatlas_core::catalogue::ChangeKind::Difference if ind.unit == "%" => locale
            .pick("Prozentpunkte", "percentage points")
            .to_string(),
        sozialatlas_core::catalogue::ChangeKind::Difference => ind.unit.clone(),
    }
}

/// The rows of the data pool in a stable order: indicator (catalogue order), level, area, period.
pub fn rows<'a>(snap: &'a Snapshot, sel: &Selection) -> Result<Vec<PoolRow<'a>>, ExportError> {
    let level = match &sel.level {
        Some(l) => Some(snap.tree.level_index(l).ok_or_else(|| {
            ExportError::Selection(format!(
                "unknown level `{l}` (the atlas has {})",
                snap.tree.level_ids()
            ))
        })?),
        None => None,
    };
    if let Some(p) = sel.period
        && !snap.periods.contains(&p)
    {
        return Err(ExportError::Selection(format!(
            "no data for {p} (the atlas has {})",
            snap.periods
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    for id in &sel.indicators {
        if snap.catalogue.indicator(id).is_none() {
            return Err(ExportError::Selection(format!("unknown indicator `{id}`")));
        }
    }
    let root = snap.tree.root();
    // Periods in which an indicator has any value at all: other periods are not part of the
    // pool (absence means "not collected"), while a missing area in a covered period is listed.
    let covered: std::collections::HashSet<(usize, i32)> = snap
        .values
        .iter()
        .filter(|v| v.state != ValueState::Missing)
        .map(|v| (v.indicator, v.period))
        .collect();
    let mut out = Vec::new();
    let mut level_order: Vec<usize> = (0..snap.tree.levels.len()).collect();
    let depths = snap
        .tree
        .level_depths()
        .unwrap_or_else(|_| vec![0; snap.tree.levels.len()]);
    level_order.sort_by_key(|&l| (snap.tree.levels[l].overlay, depths[l]));
    for (ii, ind) in snap.catalogue.indicators.iter().enumerate() {
        if !sel.indicators.is_empty() && !sel.indicators.contains(&ind.id) {
            continue;
        }
        for &l in &level_order {
            if level.is_some_and(|x| x != l) {
                continue;
            }
            for a in snap.tree.areas_of_level(l) {
                for &p in &snap.periods {
                    if sel.period.is_some_and(|x| x != p) {
                        continue;
                    }
                    let Some(v) = snap.value(ii, a, p) else {
                        continue;
                    };
                    if !covered.contains(&(ii, p))
                        || (v.state == ValueState::Missing
                            && v.numerator.is_none()
                            && v.denominator.is_none())
                    {
                        continue;
                    }
                    let city = root
                        .and_then(|r| snap.value(ii, r, p))
                        .and_then(|c| c.published());
                    let change = v.published().and_then(|x1| {
                        snap.periods
                            .iter()
                            .rev()
                            .filter(|&&q| q < p)
                            .find_map(|&q| {
                                snap.value(ii, a, q)
                                    .and_then(|w| w.published())
                                    .map(|x0| (q, x0))
                            })
                            .and_then(|(q, x0)| {
                                sozialatlas_core::stats::change(ind.formula.change_kind(), x0, x1)
                                    .map(|c| (q, c))
                            })
                    });
                    out.push(PoolRow {
                        value: v,
                        unassigned: None,
                        city,
                        change,
                    });
                }
            }
            // The parts of coarser areas not assigned to an area of this level.
            for u in &snap.unassigned {
                if u.level != l
                    || u.value.indicator != ii
                    || sel.period.is_some_and(|x| x != u.value.period)
                {
                    continue;
                }
                out.push(PoolRow {
                    value: &u.value,
                    unassigned: Some(l),
                    city: root
                        .and_then(|r| snap.value(ii, r, u.value.period))
                        .and_then(|c| c.published()),
                    change: None,
                });
            }
        }
    }
    Ok(out)
}

/// Where a value comes from, in words (see [`sozialatlas_core::labels::basis_label`]).
pub fn basis_label(
    snap: &Snapshot,
    ind: &sozialatlas_core::Indicator,
    v: &IndicatorValue,
    locale: Locale,
) -> String {
    let level = &snap.tree.levels[snap.tree.areas[v.area].level];
    sozialatlas_core::labels::basis_label(v.basis, &snap.catalogue, ind, level, locale)
}

/// The localised name of a value state.
pub fn state_label(s: ValueState, locale: Locale) -> &'static str {
    match (s, locale) {
        (ValueState::Ok, Locale::De) => "veröffentlicht",
        (ValueState::Ok, Locale::En) => "published",
        (ValueState::Suppressed, Locale::De) => "gesperrt (Geheimhaltung)",
        (ValueState::Suppressed, Locale::En) => "suppressed (confidentiality)",
        (ValueState::SourceSuppressed, Locale::De) => "von der Quelle gesperrt",
        (ValueState::SourceSuppressed, Locale::En) => "suppressed by the source",
        (ValueState::Missing, Locale::De) => "nicht vorhanden",
        (ValueState::Missing, Locale::En) => "not available",
        (ValueState::Incomplete, Locale::De) => "unvollständig (Teilgebiete fehlen)",
        (ValueState::Incomplete, Locale::En) => "incomplete (sub-areas missing)",
        (ValueState::Undefined, Locale::De) => "nicht definiert (Nenner 0)",
        (ValueState::Undefined, Locale::En) => "undefined (denominator 0)",
    }
}

fn header(locale: Locale) -> [&'static str; 24] {
    match locale {
        Locale::De => [
            "Indikator-ID",
            "Indikator",
            "Dimension",
            "Ebene",
            "Gebietsschlüssel",
            "Gebiet",
            "Jahr",
            "Wert",
            "Einheit",
            "Stadtwert",
            "Zähler",
            "Nenner",
            "KI95 unten",
            "KI95 oben",
            "Status",
            "Geringe Einwohnerzahl",
            "Stand",
            "Vergleichsjahr",
            "Veränderung",
            "Einheit der Veränderung",
            "Quelle",
            "Datennachweis",
            "Art des Werts",
            "Übergeordnetes Gebiet",
        ],
        Locale::En => [
            "indicator_id",
            "indicator",
            "dimension",
            "level",
            "area_key",
            "area",
            "year",
            "value",
            "unit",
            "city_value",
            "numerator",
            "denominator",
            "ci95_low",
            "ci95_high",
            "state",
            "low_population",
            "stand",
            "change_since",
            "change",
            "change_unit",
            "source",
            "attribution",
            "value_basis",
            "parent_key",
        ],
    }
}

/// A new workbook whose creation time is the load's, so that the same atlas always gives the
/// same bytes (the static publication serves exactly what the server does).
pub fn workbook(snap: &Snapshot) -> rust_xlsxwriter::Workbook {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime};
    let mut wb = rust_xlsxwriter::Workbook::new();
    let created = snap
        .load
        .loaded_at
        .get(..19)
        .and_then(|t| ExcelDateTime::parse_from_str(t).ok())
        .or_else(|| ExcelDateTime::from_ymd(2000, 1, 1).ok());
    if let Some(t) = created {
        wb.set_properties(&DocProperties::new().set_creation_datetime(&t));
    }
    wb
}

/// Writes the data pool as CSV: German style (`;`, decimal comma, UTF-8 with BOM so Excel reads
/// the umlauts) or international (`,`, decimal point, UTF-8). One table with one header, so that
/// every tool reads it: the indicator's source and the atlas' attribution are columns of every
/// row, and the change since the previous year with data comes with its unit. Values, the city's
/// value, the interval and the change are written with every digit ([`format_exact`]), so that
/// rounding them to the decimals of the pages gives the pages' figures (three decimals, as
/// before, turned 13.24997 into 13,250 and so 13,3 where the pages say 13,2). No cell is a
/// formula ([`CsvWriter`]): an area named `=HYPERLINK(…)` is written as text.
pub fn write_csv<W: Write>(
    snap: &Snapshot,
    sel: &Selection,
    locale: Locale,
    w: W,
) -> Result<(), ExportError> {
    let rows = rows(snap, sel)?;
    let mut wr = CsvWriter::new(w, locale)?;
    wr.row(header(locale))?;
    let num = |x: Option<f64>, d: usize| x.map(|v| format_plain(v, d, locale)).unwrap_or_default();
    // Values, the city's value, the interval and the change with every digit: rounded by a
    // reader to the decimals of the pages, they give the pages' figures.
    let exact = |x: Option<f64>| x.map(|v| format_exact(v, locale)).unwrap_or_default();
    let attribution = snap.meta.attribution.join(" | ");
    for r in &rows {
        let v = r.value;
        let ind = &snap.catalogue.indicators[v.indicator];
        let place = Place::of(snap, r, locale);
        let dim = snap.catalogue.dimension_name(ind, locale);
        let ci = if v.state == ValueState::Ok {
            v.ci
        } else {
            None
        };
        wr.row([
            ind.id.as_str(),
            ind.name.get(locale),
            dim,
            place.level,
            place.key,
            &place.name,
            &v.period.to_string(),
            &exact(v.published()),
            ind.unit.as_str(),
            &exact(r.city),
            &num(
                v.published_numerator(),
                count_decimals(v, v.published_numerator()),
            ),
            &num(
                v.published_denominator(),
                count_decimals(v, v.published_denominator()),
            ),
            &exact(ci.map(|c| c.0)),
            &exact(ci.map(|c| c.1)),
            state_label(v.state, locale),
            if v.low_population {
                locale.pick("ja", "yes")
            } else {
                ""
            },
            snap.meta.stand.as_str(),
            &r.change.map(|c| c.0.to_string()).unwrap_or_default(),
            &exact(r.change.map(|c| c.1)),
            &if r.change.is_some() {
                change_unit(ind, locale)
            } else {
                String::new()
            },
            ind.source.as_deref().unwrap_or(""),
            &attribution,
            &place.basis,
            place.parent,
        ])?;
    }
    wr.finish()?;
    Ok(())
}

/// Decimals written for a change: two for relative changes in %, else those of the value.
fn change_decimals(ind: &sozialatlas_core::Indicator, value_decimals: usize) -> usize {
    match ind.formula.change_kind() {
        sozialatlas_core::catalogue::ChangeKind::Relative => 2,
        sozialatlas_core::catalogue::ChangeKind::Difference => value_decimals,
    }
}

/// Decimals of the workbook's number formats for values: two more than shown (the cell holds
/// every digit; the format only shows them), none for counts.
fn value_decimals(ind: &sozialatlas_core::Indicator) -> usize {
    match ind.formula {
        sozialatlas_core::Formula::Count { .. } => 0,
        _ => ind.decimals() + 2,
    }
}

/// Decimals for a count or amount: none for whole numbers and for estimated or converted counts
/// (an estimate from shares has no meaningful fraction), three otherwise (km²).
fn count_decimals(v: &IndicatorValue, x: Option<f64>) -> usize {
    match x {
        _ if v.basis.is_estimate() => 0,
        Some(x) if x.fract() != 0.0 => 3,
        _ => 0,
    }
}

/// Where a row of the data pool lies: level, area key and name, parent key, and the basis of
/// its value in words.
struct Place<'a> {
    level: &'a str,
    key: &'a str,
    name: String,
    parent: &'a str,
    basis: String,
}

impl<'a> Place<'a> {
    fn of(snap: &'a Snapshot, r: &PoolRow<'_>, locale: Locale) -> Self {
        let v = r.value;
        let area = &snap.tree.areas[v.area];
        match r.unassigned {
            Some(l) => Place {
                level: snap.tree.levels[l].name.get(locale),
                key: "",
                name: sozialatlas_core::labels::unassigned_label(locale).to_string(),
                parent: &area.key,
                basis: sozialatlas_core::labels::unassigned_label(locale).to_string(),
            },
            None => Place {
                level: snap.tree.levels[area.level].name.get(locale),
                key: &area.key,
                name: area.name.clone(),
                parent: area
                    .parent
                    .map(|p| snap.tree.areas[p].key.as_str())
                    .unwrap_or(""),
                basis: basis_label(snap, &snap.catalogue.indicators[v.indicator], v, locale),
            },
        }
    }
}

/// The attribution and method text that goes with every export.
pub fn metadata_lines(snap: &Snapshot, locale: Locale) -> Vec<(String, String)> {
    let mut m = vec![
        (
            locale.pick("Atlas", "Atlas").to_string(),
            snap.meta.name.get(locale).to_string(),
        ),
        (
            locale.pick("Stadt", "City").to_string(),
            snap.meta.city.clone(),
        ),
        (
            locale.pick("Stand", "Data as of").to_string(),
            snap.meta.stand.clone(),
        ),
        (
            locale.pick("Lizenz", "Licence").to_string(),
            snap.meta.licence.clone().unwrap_or_default(),
        ),
    ];
    for a in &snap.meta.attribution {
        m.push((locale.pick("Quelle", "Source").to_string(), a.clone()));
    }
    m.push((
        locale.pick("Geheimhaltung", "Confidentiality").to_string(),
        match locale {
            Locale::De => format!(
                "Fallzahlen von 1 bis unter {} sind gesperrt, ebenso Werte, aus denen sie sich errechnen ließen (sekundäre Geheimhaltung).",
                snap.settings.suppression_threshold
            ),
            Locale::En => format!(
                "Counts from 1 to under {} are suppressed, as are values from which they could be recomputed (secondary suppression).",
                snap.settings.suppression_threshold
            ),
        },
    ));
    m.push((
        locale
            .pick("Katalogversion", "Catalogue version")
            .to_string(),
        snap.load.catalogue_version.clone(),
    ));
    m.push((
        locale
            .pick("Programmversion", "Program version")
            .to_string(),
        format!("Sozialatlas {}", snap.load.program_version),
    ));
    m.push((
        locale.pick("Geladen am", "Loaded at").to_string(),
        snap.load.loaded_at.clone(),
    ));
    for f in &snap.load.inputs {
        m.push((
            locale
                .pick("Eingabedatei (SHA-256)", "Input file (SHA-256)")
                .to_string(),
            format!(
                "{} {}",
                f.path,
                snap.public_sha256(f)
                    .unwrap_or_else(|| Snapshot::withheld_checksum(locale))
            ),
        ));
    }
    m
}

/// Writes the data pool as an XLSX workbook: "Daten"/"Data", "Indikatoren"/"Indicators",
/// "Quellen"/"Sources".
pub fn write_xlsx(
    snap: &Snapshot,
    sel: &Selection,
    locale: Locale,
) -> Result<Vec<u8>, ExportError> {
    use rust_xlsxwriter::Format as XFormat;
    let rows = rows(snap, sel)?;
    let mut wb = workbook(snap);
    let bold = XFormat::new().set_bold();
    let data = wb.add_worksheet();
    data.set_name(locale.pick("Daten", "Data"))?;
    for (c, h) in header(locale).iter().enumerate() {
        data.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    data.set_freeze_panes(1, 0)?;
    let fmts: Vec<XFormat> = (0..6)
        .map(|d| {
            XFormat::new().set_num_format(if d == 0 {
                "#,##0".to_string()
            } else {
                format!("#,##0.{}", "0".repeat(d))
            })
        })
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let v = r.value;
        let ind = &snap.catalogue.indicators[v.indicator];
        let place = Place::of(snap, r, locale);
        let d = value_decimals(ind).min(5);
        data.write_string(row, 0, &ind.id)?;
        data.write_string(row, 1, ind.name.get(locale))?;
        data.write_string(row, 2, snap.catalogue.dimension_name(ind, locale))?;
        data.write_string(row, 3, place.level)?;
        data.write_string(row, 4, place.key)?;
        data.write_string(row, 5, &place.name)?;
        data.write_number(row, 6, f64::from(v.period))?;
        let mut num =
            |col: u16, x: Option<f64>, dd: usize| -> Result<(), rust_xlsxwriter::XlsxError> {
                if let Some(x) = x {
                    data.write_number_with_format(row, col, x, &fmts[dd.min(5)])?;
                }
                Ok(())
            };
        num(7, v.published(), d)?;
        num(9, r.city, d)?;
        num(
            10,
            v.published_numerator(),
            count_decimals(v, v.published_numerator()),
        )?;
        num(
            11,
            v.published_denominator(),
            count_decimals(v, v.published_denominator()),
        )?;
        let ci = if v.state == ValueState::Ok {
            v.ci
        } else {
            None
        };
        num(12, ci.map(|c| c.0), d)?;
        num(13, ci.map(|c| c.1), d)?;
        data.write_string(row, 8, &ind.unit)?;
        data.write_string(row, 14, state_label(v.state, locale))?;
        if v.low_population {
            data.write_string(row, 15, locale.pick("ja", "yes"))?;
        }
        data.write_string(row, 16, &snap.meta.stand)?;
        if let Some((q, c)) = r.change {
            data.write_number(row, 17, f64::from(q))?;
            data.write_number_with_format(row, 18, c, &fmts[change_decimals(ind, d).min(5)])?;
            data.write_string(row, 19, change_unit(ind, locale))?;
        }
        data.write_string(row, 20, ind.source.as_deref().unwrap_or(""))?;
        data.write_string(row, 21, snap.meta.attribution.join(" | "))?;
        data.write_string(row, 22, &place.basis)?;
        data.write_string(row, 23, place.parent)?;
    }
    data.autofit();

    let inds = wb.add_worksheet();
    inds.set_name(locale.pick("Indikatoren", "Indicators"))?;
    let h: [&str; 10] = match locale {
        Locale::De => [
            "Indikator-ID",
            "Indikator",
            "Dimension",
            "Einheit",
            "Formel",
            "Polarität",
            "Definition",
            "Quelle",
            "Stichtag",
            "Hinweise",
        ],
        Locale::En => [
            "indicator_id",
            "indicator",
            "dimension",
            "unit",
            "formula",
            "polarity",
            "definition",
            "source",
            "reference date",
            "notes",
        ],
    };
    for (c, t) in h.iter().enumerate() {
        inds.write_string_with_format(0, c as u16, *t, &bold)?;
    }
    for (i, ind) in snap.catalogue.indicators.iter().enumerate() {
        let row = i as u32 + 1;
        inds.write_string(row, 0, &ind.id)?;
        inds.write_string(row, 1, ind.name.get(locale))?;
        inds.write_string(row, 2, snap.catalogue.dimension_name(ind, locale))?;
        inds.write_string(row, 3, &ind.unit)?;
        inds.write_string(row, 4, formula_text(snap, ind, locale))?;
        inds.write_string(row, 5, polarity_label(ind.polarity, locale))?;
        inds.write_string(
            row,
            6,
            ind.definition.as_ref().map(|t| t.get(locale)).unwrap_or(""),
        )?;
        inds.write_string(row, 7, ind.source.as_deref().unwrap_or(""))?;
        inds.write_string(row, 8, ind.reference_date.as_deref().unwrap_or(""))?;
        inds.write_string(
            row,
            9,
            ind.notes.as_ref().map(|t| t.get(locale)).unwrap_or(""),
        )?;
    }
    inds.autofit();

    let src = wb.add_worksheet();
    src.set_name(locale.pick("Quellen", "Sources"))?;
    for (i, (k, v)) in metadata_lines(snap, locale).iter().enumerate() {
        src.write_string_with_format(i as u32, 0, k, &bold)?;
        src.write_string(i as u32, 1, v)?;
    }
    src.set_column_width(0, 28)?;
    src.set_column_width(1, 120)?;
    Ok(wb.save_to_buffer()?)
}

/// The polarity in words.
pub fn polarity_label(p: sozialatlas_core::Polarity, locale: Locale) -> &'static str {
    use sozialatlas_core::Polarity::*;
    match (p, locale) {
        (HigherIsWorse, Locale::De) => "höher = ungünstiger",
        (HigherIsWorse, Locale::En) => "higher = worse",
        (HigherIsBetter, Locale::De) => "höher = günstiger",
        (HigherIsBetter, Locale::En) => "higher = better",
        (Neutral, Locale::De) => "neutral",
        (Neutral, Locale::En) => "neutral",
    }
}

/// The formula in words, with the variables' names.
pub fn formula_text(snap: &Snapshot, ind: &sozialatlas_core::Indicator, locale: Locale) -> String {
    use sozialatlas_core::Formula::*;
    let name = |id: &str| {
        snap.catalogue
            .variable(id)
            .map(|v| v.name.get(locale).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let fac = |f: f64| sozialatlas_core::locale::format_trimmed(f, 3, locale);
    match &ind.formula {
        Ratio {
            numerator,
            denominator,
            factor,
            ..
        }
        | Quotient {
            numerator,
            denominator,
            factor,
        } => {
            format!(
                "{} / {} × {}",
                name(numerator),
                name(denominator),
                fac(*factor)
            )
        }
        Index {
            numerator,
            denominator,
        } => match denominator {
            Some(d) => format!(
                "({} / {}) / {} × 100",
                name(numerator),
                name(d),
                locale.pick("Wert der Stadt", "city value")
            ),
            None => format!(
                "{} / {} × 100",
                name(numerator),
                locale.pick("Wert der Stadt", "city value")
            ),
        },
        Density { numerator } => format!("{} / km²", name(numerator)),
        Count { variable } => name(variable),
        Published { variable, weight } => sozialatlas_core::labels::published_formula(
            &name(variable),
            weight.as_deref().map(name).as_deref(),
            locale,
        ),
    }
}

/// Writes a GeoJSON FeatureCollection: one feature per area of the selected levels (all
/// non-overlay levels with geometry by default) with its published values of one period (the
/// latest when none is chosen) as properties `<indicator id>`; withheld values are `null` and
/// listed in `suppressed`.
pub fn write_geojson<W: Write>(
    snap: &Snapshot,
    sel: &Selection,
    locale: Locale,
    mut w: W,
) -> Result<(), ExportError> {
    let _ = rows(snap, sel)?; // validates the selection
    let period = sel
        .period
        .or_else(|| snap.periods.last().copied())
        .unwrap_or(0);
    let level = sel.level.as_ref().and_then(|l| snap.tree.level_index(l));
    let mut features = Vec::new();
    for (a, area) in snap.tree.areas.iter().enumerate() {
        if level.is_some_and(|l| l != area.level) {
            continue;
        }
        let Some(g) = &snap.geometries[a] else {
            continue;
        };
        let mut props = serde_json::Map::new();
        props.insert("key".into(), area.key.clone().into());
        props.insert("name".into(), area.name.clone().into());
        props.insert(
            "level".into(),
            snap.tree.levels[area.level].id.clone().into(),
        );
        props.insert("year".into(), period.into());
        if let Some(km2) = area.area_km2 {
            props.insert(
                "area_km2".into(),
                serde_json::json!((km2 * 1000.0).round() / 1000.0),
            );
        }
        let mut suppressed = Vec::new();
        let mut basis = serde_json::Map::new();
        for (ii, ind) in snap.catalogue.indicators.iter().enumerate() {
            if !sel.indicators.is_empty() && !sel.indicators.contains(&ind.id) {
                continue;
            }
            let v = snap.value(ii, a, period);
            let published = v.and_then(|v| v.published());
            if v.is_some_and(|v| v.state.is_suppressed()) {
                suppressed.push(serde_json::Value::from(ind.id.clone()));
            }
            if let Some(v) = v.filter(|v| {
                v.state == ValueState::Ok && v.basis != sozialatlas_core::compute::Basis::Official
            }) {
                basis.insert(ind.id.clone(), v.basis.as_str().into());
            }
            props.insert(
                ind.id.clone(),
                published.map_or(serde_json::Value::Null, |x| serde_json::json!(x)),
            );
        }
        props.insert("suppressed".into(), suppressed.into());
        // Values that are not as given: summed, estimated, published or a weighted mean.
        props.insert("basis".into(), basis.into());
        features.push(geojson::Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::new(geojson::GeometryValue::from(g))),
            id: None,
            properties: Some(props),
            foreign_members: None,
        });
    }
    let mut fm = serde_json::Map::new();
    fm.insert("name".into(), snap.meta.name.get(locale).into());
    fm.insert("stand".into(), snap.meta.stand.clone().into());
    fm.insert(
        "licence".into(),
        snap.meta.licence.clone().unwrap_or_default().into(),
    );
    fm.insert("attribution".into(), snap.meta.attribution.clone().into());
    let fc = geojson::FeatureCollection {
        bbox: None,
        features,
        foreign_members: Some(fm),
    };
    serde_json::to_writer(&mut w, &fc)?;
    w.flush()?;
    Ok(())
}
