//! What the report shows, gathered once from the Snapshot (and the typology run and action-area
//! set) and laid out twice: by the typst template (PDF) and as HTML. Every number here is a
//! published value formatted by `sozialatlas_core::locale`; the maps and charts are SVG from the
//! render crate.

use sozialatlas_core::compute::Basis;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sozialatlas_classify::palette::{self, Rgb, Sequential};
use sozialatlas_classify::{Breaks, Closure, Scheme};
use sozialatlas_core::catalogue::ChangeKind;
use sozialatlas_core::locale::format_decimal;
use sozialatlas_core::{Formula, Locale, Polarity};
use sozialatlas_model::{ActionAreaSet, Snapshot};
use sozialatlas_render as render;
use sozialatlas_runs::{TypologyParams, TypologyRun};

use crate::markdown::{self, Block};
use crate::{Options, ReportError};

/// The sign of a suppressed value in tables (the legend under every table says so).
pub const SUPPRESSED: &str = "•";
/// The sign of a missing value in tables.
pub const MISSING: &str = "–";

/// A published value, or why there is none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shown {
    /// The published value.
    Value(f64),
    /// Missing, incomplete or undefined.
    NoData,
    /// Withheld for confidentiality.
    Suppressed,
}

impl Shown {
    fn of(snap: &Snapshot, ind: usize, area: usize, year: i32) -> Shown {
        match snap.value(ind, area, year) {
            Some(v) => match v.published() {
                Some(x) => Shown::Value(x),
                None if v.state.is_suppressed() => Shown::Suppressed,
                None => Shown::NoData,
            },
            None => Shown::NoData,
        }
    }

    fn value(self) -> Option<f64> {
        match self {
            Shown::Value(x) => Some(x),
            _ => None,
        }
    }

    /// The table text: the number (locale format), `•` or `–`.
    pub fn cell(self, decimals: usize, locale: Locale) -> String {
        match self {
            Shown::Value(x) => format_decimal(x, decimals, locale),
            Shown::NoData => MISSING.into(),
            Shown::Suppressed => SUPPRESSED.into(),
        }
    }

    fn change(kind: ChangeKind, a: Shown, b: Shown) -> Shown {
        match (a, b) {
            (Shown::Value(x0), Shown::Value(x1)) => {
                sozialatlas_core::stats::change(kind, x0, x1).map_or(Shown::NoData, Shown::Value)
            }
            (Shown::Suppressed, _) | (_, Shown::Suppressed) => Shown::Suppressed,
            _ => Shown::NoData,
        }
    }
}

/// A figure: an SVG file of the report with its alternative text.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    /// The virtual path in the typst world (`maps/<id>.svg`).
    pub path: String,
    /// The alternative text.
    pub alt: String,
    /// What it shows, for error messages (`map of indicator sgb2_quote`).
    #[serde(skip)]
    pub what: String,
    /// The SVG.
    #[serde(skip)]
    pub svg: String,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `de` or `en`.
    pub lang: &'static str,
    /// The words of the layout.
    pub labels: Labels,
    /// Title of the report.
    pub title: String,
    /// The atlas name.
    pub atlas: String,
    /// The city.
    pub city: String,
    /// The report year.
    pub year: i32,
    /// The level's name.
    pub level: String,
    /// "Stand" of the data.
    pub stand: String,
    /// Program version and load date.
    pub colophon: String,
    /// The introduction (editors' text), if any.
    pub introduction: Vec<Block>,
    /// Notes on how to read the report (compare year, signs).
    pub reading: Vec<String>,
    /// One chapter per dimension with data.
    pub chapters: Vec<Chapter>,
    /// The typology chapter.
    pub typology: TypologyChapter,
    /// One profile per area of the level.
    pub profiles: Vec<Profile>,
    /// The appendix.
    pub appendix: Appendix,
}

/// A chapter of one dimension.
#[derive(Clone, Debug, Serialize)]
pub struct Chapter {
    /// Anchor id (`kapitel-<dimension>`).
    pub id: String,
    /// The dimension's name.
    pub title: String,
    /// The dimension's description from the catalogue.
    pub description: String,
    /// The editors' text.
    pub text: Vec<Block>,
    /// The indicators.
    pub indicators: Vec<IndicatorSection>,
}

/// An indicator: map and table.
#[derive(Clone, Debug, Serialize)]
pub struct IndicatorSection {
    /// Anchor id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `Stadtteil · 2022 · in %`.
    pub subtitle: String,
    /// Definition in plain words.
    pub definition: String,
    /// The map, if any area has a geometry.
    pub map: Option<Figure>,
    /// Column headings: area, value of the year, value of the compare year, change.
    pub columns: Vec<String>,
    /// The city row.
    pub city: Vec<String>,
    /// One row per area (name order).
    pub rows: Vec<Vec<String>>,
    /// Notes under the table.
    pub notes: Vec<String>,
    /// The year shown.
    #[serde(skip)]
    pub year: Option<i32>,
}

/// The typology chapter.
#[derive(Clone, Debug, Serialize)]
pub struct TypologyChapter {
    /// Anchor id.
    pub id: String,
    /// The editors' text.
    pub text: Vec<Block>,
    /// What was clustered (level, year, indicators, k).
    pub caption: String,
    /// Why there is no typology, if there is none.
    pub missing: Option<String>,
    /// The cluster map.
    pub map: Option<Figure>,
    /// The profile chart (mean z of each cluster on each indicator).
    pub profile: Option<Figure>,
    /// The clusters: number, size, description.
    pub clusters: Vec<Vec<String>>,
    /// The areas proposed as action areas.
    pub proposed: Vec<String>,
    /// The confirmed action-area set of the store: its heading and areas.
    pub confirmed: Option<(String, Vec<String>)>,
}

/// The profile of one area.
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    /// Anchor id.
    pub id: String,
    /// Area name.
    pub name: String,
    /// `Stadtteil 01 · in Flensburg`.
    pub subtitle: String,
    /// Locator map.
    pub locator: Option<Figure>,
    /// Groups by dimension.
    pub groups: Vec<ProfileGroup>,
}

/// The indicators of one dimension in an area profile.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileGroup {
    /// Dimension name.
    pub name: String,
    /// Rows.
    pub rows: Vec<ProfileRow>,
}

/// One indicator in an area profile.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileRow {
    /// Indicator name with unit.
    pub name: String,
    /// Year.
    pub year: String,
    /// The area's value.
    pub value: String,
    /// The city's value.
    pub city: String,
    /// The spine chart: the area among all areas, the city marked.
    pub spine: Option<Figure>,
}

/// The appendix.
#[derive(Clone, Debug, Serialize)]
pub struct Appendix {
    /// Anchor id.
    pub id: String,
    /// Every indicator's definition: (name, [(label, text)]).
    pub indicators: Vec<(String, Vec<(String, String)>)>,
    /// The sources (distinct, sorted).
    pub sources: Vec<String>,
    /// The licence of the data.
    pub licence: String,
    /// Attribution lines.
    pub attribution: Vec<String>,
    /// Method settings: (label, value).
    pub settings: Vec<(String, String)>,
    /// The input files of the load: (path, checksum start).
    pub inputs: Vec<(String, String)>,
}

/// The words of the layout.
#[derive(Clone, Debug, Serialize)]
pub struct Labels {
    pub contents: &'static str,
    pub introduction: &'static str,
    pub reading: &'static str,
    pub stand: &'static str,
    pub level: &'static str,
    pub year: &'static str,
    pub year_col: &'static str,
    pub page: &'static str,
    pub typology: &'static str,
    pub clusters: &'static str,
    pub cluster: &'static str,
    pub size: &'static str,
    pub description: &'static str,
    pub proposed: &'static str,
    pub none_proposed: &'static str,
    pub profiles: &'static str,
    pub indicator: &'static str,
    pub area: &'static str,
    pub city: &'static str,
    pub position: &'static str,
    pub appendix: &'static str,
    pub definitions: &'static str,
    pub sources: &'static str,
    pub licence: &'static str,
    pub attribution: &'static str,
    pub method: &'static str,
    pub inputs: &'static str,
    pub signs: &'static str,
    pub no_map: &'static str,
}

fn labels(locale: Locale) -> Labels {
    let de = locale == Locale::De;
    let p = |d: &'static str, e: &'static str| if de { d } else { e };
    Labels {
        contents: p("Inhalt", "Contents"),
        introduction: p("Einleitung", "Introduction"),
        reading: p("Zum Lesen dieses Berichts", "How to read this report"),
        stand: p("Stand", "As of"),
        level: p("Gebietsebene", "Level"),
        year: p("Berichtsjahr", "Report year"),
        year_col: p("Jahr", "Year"),
        page: p("Seite", "Page"),
        typology: p("Typologie und Aktionsräume", "Typology and action areas"),
        clusters: p("Cluster", "Clusters"),
        cluster: p("Cluster", "Cluster"),
        size: p("Gebiete", "Areas"),
        description: p("Beschreibung", "Description"),
        proposed: p(
            "Vorgeschlagene Aktionsräume (Gebiete der ungünstigsten Cluster)",
            "Proposed action areas (areas of the worst-off clusters)",
        ),
        none_proposed: p("Kein Gebiet vorgeschlagen.", "No area proposed."),
        profiles: p("Gebietsprofile", "Area profiles"),
        indicator: p("Indikator", "Indicator"),
        area: p("Gebiet", "Area"),
        city: p("Stadt", "City"),
        position: p("Lage unter allen Gebieten", "Position among all areas"),
        appendix: p("Anhang", "Appendix"),
        definitions: p(
            "Definitionen der Indikatoren",
            "Definitions of the indicators",
        ),
        sources: p("Quellen", "Sources"),
        licence: p("Lizenz", "Licence"),
        attribution: p("Namensnennung", "Attribution"),
        method: p("Methodische Einstellungen", "Method settings"),
        inputs: p("Eingangsdateien", "Input files"),
        signs: p(
            "• gesperrt (Geheimhaltung), – keine Daten",
            "• suppressed (confidentiality), – no data",
        ),
        no_map: p("Keine Karte: keine Geometrien.", "No map: no geometries."),
    }
}

/// Years with a published value, per (indicator, level).
struct Coverage {
    years: BTreeMap<(usize, usize), BTreeSet<i32>>,
}

impl Coverage {
    fn of(snap: &Snapshot) -> Coverage {
        let mut years: BTreeMap<(usize, usize), BTreeSet<i32>> = BTreeMap::new();
        for v in &snap.values {
            if v.published().is_some()
                && let Some(a) = snap.tree.areas.get(v.area)
            {
                years
                    .entry((v.indicator, a.level))
                    .or_default()
                    .insert(v.period);
            }
        }
        Coverage { years }
    }

    fn years(&self, ind: usize, level: usize) -> Vec<i32> {
        self.years
            .get(&(ind, level))
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    fn level_has_data(&self, level: usize) -> bool {
        self.years.keys().any(|&(_, l)| l == level)
    }
}

/// The level and year the report is for, from the options or the defaults (the finest level
/// with data; the latest year with data on it).
pub(crate) fn choose(snap: &Snapshot, opts: &Options) -> Result<(usize, i32), ReportError> {
    let cov = Coverage::of(snap);
    let level = match &opts.level {
        Some(id) => {
            let l = snap.tree.level_index(id).ok_or_else(|| {
                ReportError::Option(format!(
                    "--level {id}: no such level (the atlas has {})",
                    snap.tree.level_ids()
                ))
            })?;
            if !cov.level_has_data(l) {
                return Err(ReportError::Option(format!(
                    "--level {id}: the level has no published value"
                )));
            }
            l
        }
        None => {
            let depths = snap.tree.level_depths().unwrap_or_default();
            (0..snap.tree.levels.len())
                .filter(|&l| !snap.tree.levels[l].overlay && cov.level_has_data(l))
                .max_by_key(|&l| (depths.get(l).copied().unwrap_or(0), usize::MAX - l))
                .ok_or_else(|| ReportError::Option("the atlas has no published value".into()))?
        }
    };
    let years: BTreeSet<i32> = (0..snap.catalogue.indicators.len())
        .flat_map(|i| cov.years(i, level))
        .collect();
    let year = match opts.year {
        Some(y) if years.contains(&y) => y,
        Some(y) => {
            return Err(ReportError::Option(format!(
                "--year {y}: no published value on level `{}` that year (it has {})",
                snap.tree.levels[level].id,
                years
                    .iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        // The latest year in which at least half as many indicators have data as in the best
        // covered year: a year that only a few indicators reach (e.g. the action offices'
        // statistics of a completed year) does not become the report year.
        None => {
            let count = |y: i32| {
                (0..snap.catalogue.indicators.len())
                    .filter(|&i| cov.years(i, level).contains(&y))
                    .count()
            };
            let best = years.iter().map(|&y| count(y)).max().unwrap_or(0);
            *years
                .iter()
                .rev()
                .find(|&&y| 2 * count(y) >= best)
                .ok_or_else(|| ReportError::Option("the level has no published value".into()))?
        }
    };
    if let Some(c) = opts.compare_year
        && c >= year
    {
        return Err(ReportError::Option(format!(
            "--compare-year {c}: must be earlier than the report year {year}"
        )));
    }
    Ok((level, year))
}

fn unit_suffix(s: String, unit: &str) -> String {
    if unit.is_empty() {
        s
    } else {
        format!("{s} {unit}")
    }
}

fn change_unit(kind: ChangeKind, unit: &str, locale: Locale) -> String {
    match kind {
        ChangeKind::Relative => "%".into(),
        ChangeKind::Difference if unit == "%" => {
            locale.pick("Prozentpunkte", "percentage points").into()
        }
        ChangeKind::Difference => unit.into(),
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// What the report needs besides the snapshot.
pub struct Inputs<'a> {
    /// The atlas.
    pub snapshot: &'a Snapshot,
    /// The current action-area set of the store, if any.
    pub action_areas: Option<&'a ActionAreaSet>,
}

/// Progress: the step done and the count of steps.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize, &str);

/// Builds the report.
pub fn build(
    inputs: &Inputs<'_>,
    opts: &Options,
    progress: Progress<'_>,
) -> Result<Report, ReportError> {
    let snap = inputs.snapshot;
    let locale = opts.locale;
    let (level, year) = choose(snap, opts)?;
    let cov = Coverage::of(snap);
    let root = snap.tree.root();
    let level_areas: Vec<usize> = {
        let mut a = snap.tree.areas_of_level(level);
        a.sort_by(|&x, &y| snap.tree.areas[x].name.cmp(&snap.tree.areas[y].name));
        a
    };
    let level_name = snap.tree.levels[level].name.get(locale).to_string();
    // Outlines of the parent level over the areas (when it has more than one area).
    let outlines: Vec<_> = snap.tree.levels[level]
        .parent
        .map(|pl| snap.tree.areas_of_level(pl))
        .filter(|a| a.len() > 1)
        .map(|a| {
            a.iter()
                .filter_map(|&x| snap.geometries.get(x).cloned().flatten())
                .collect()
        })
        .unwrap_or_default();
    let n_ind = snap.catalogue.indicators.len();
    let total = n_ind + 1 + level_areas.len();
    let mut step = 0;

    // Chapters.
    let mut chapters = Vec::new();
    for d in &snap.catalogue.dimensions {
        let mut sections = Vec::new();
        for (ii, def) in snap.catalogue.indicators_of(&d.id) {
            step += 1;
            progress(
                step,
                total,
                &format!("{} {}", locale.pick("Indikator", "indicator"), def.id),
            );
            let years = cov.years(ii, level);
            let Some(&iy) = years.iter().rev().find(|&&y| y <= year) else {
                continue;
            };
            let compare = match opts.compare_year {
                Some(c) => Some(c),
                None => years.first().copied().filter(|&c| c < iy),
            };
            sections.push(indicator_section(
                snap,
                ii,
                iy,
                compare,
                &level_areas,
                root,
                &outlines,
                &level_name,
                locale,
            ));
        }
        if sections.is_empty() {
            continue;
        }
        chapters.push(Chapter {
            id: format!("kapitel-{}", slug(&d.id)),
            title: d.name.get(locale).to_string(),
            description: d
                .description
                .as_ref()
                .map(|t| t.get(locale).to_string())
                .unwrap_or_default(),
            text: snap
                .text(&d.id, locale)
                .map(|t| markdown::blocks(&t.markdown))
                .unwrap_or_default(),
            indicators: sections,
        });
    }

    step += 1;
    progress(step, total, locale.pick("Typologie", "typology"));
    let typology = typology_chapter(inputs, level, year, &outlines, locale);

    let mut profiles = Vec::new();
    for &a in &level_areas {
        step += 1;
        progress(
            step,
            total,
            &format!(
                "{} {}",
                locale.pick("Gebiet", "area"),
                snap.tree.areas[a].name
            ),
        );
        profiles.push(profile(snap, &cov, a, level, year, root, locale));
    }

    let reading = {
        let mut r = vec![match opts.compare_year {
            Some(c) => locale
                .pick(
                    "Die Veränderung vergleicht jeden Indikator mit dem Jahr {c}.",
                    "The change compares every indicator with {c}.",
                )
                .replace("{c}", &c.to_string()),
            None => locale
                .pick(
                    "Die Veränderung vergleicht jeden Indikator mit dem frühesten Jahr, für das er auf dieser Ebene Daten hat (das Vergleichsjahr steht über der Spalte).",
                    "The change compares every indicator with the earliest year for which it has data on this level (the year is given above the column).",
                )
                .to_string(),
        }];
        r.push(locale.pick(
            "Bei Quoten ist die Veränderung in Prozentpunkten angegeben, bei anderen Indikatoren in ihrer Einheit oder in Prozent.",
            "For rates the change is given in percentage points, for other indicators in their unit or in per cent.",
        ).to_string());
        r.push(locale.pick(
            "Jeder Wert ist ein veröffentlichter Wert des Atlas. Fallzahlen unter der Geheimhaltungsschwelle sind gesperrt (•), fehlende Werte mit – gekennzeichnet; beides ist nie 0.",
            "Every value is a published value of the atlas. Counts below the confidentiality threshold are suppressed (•), missing values are marked –; neither is ever 0.",
        ).to_string());
        r.push(locale.pick(
            "Der Wert der Stadt ist aus den Summen von Zähler und Nenner berechnet, kein Mittel der Gebiete.",
            "The city's value is computed from the sums of numerator and denominator, not as a mean of the areas.",
        ).to_string());
        r
    };

    Ok(Report {
        lang: locale.code(),
        labels: labels(locale),
        title: locale
            .pick(
                "Bericht zur sozialen Lage",
                "Report on the social situation",
            )
            .to_string(),
        atlas: snap.meta.name.get(locale).to_string(),
        city: snap.meta.city.clone(),
        year,
        level: level_name,
        stand: snap.meta.stand.clone(),
        colophon: format!(
            "{} {} · {} {}",
            locale.pick("Erstellt mit Sozialatlas", "Made with Sozialatlas"),
            snap.load.program_version,
            locale.pick("Datenstand geladen am", "data loaded on"),
            snap.load
                .loaded_at
                .get(..10)
                .unwrap_or(&snap.load.loaded_at)
        ),
        introduction: snap
            .text("introduction", locale)
            .map(|t| markdown::blocks(&t.markdown))
            .unwrap_or_default(),
        reading,
        chapters,
        typology,
        profiles,
        appendix: appendix(snap, locale),
    })
}

#[allow(clippy::too_many_arguments)]
fn indicator_section(
    snap: &Snapshot,
    ii: usize,
    year: i32,
    compare: Option<i32>,
    areas: &[usize],
    root: Option<usize>,
    outlines: &[geo_types::MultiPolygon<f64>],
    level_name: &str,
    locale: Locale,
) -> IndicatorSection {
    let def = &snap.catalogue.indicators[ii];
    let dec = def.decimals();
    let kind = def.formula.change_kind();
    let cunit = change_unit(kind, &def.unit, locale);
    let shown = |a: usize, y: i32| Shown::of(snap, ii, a, y);
    // A value that is an estimate (≈: an overlay's from shares, or converted from an older
    // boundary vintage) or a weighted mean of published values (Ø) is marked; the marks are
    // explained under the table.
    let basis_in = |a: usize, y: i32| {
        snap.value(ii, a, y)
            .filter(|v| v.state == sozialatlas_core::ValueState::Ok)
            .map(|v| v.basis)
    };
    let basis = |a: usize| basis_in(a, year);
    // The comparison year's value is marked too (e.g. converted from earlier boundaries).
    let marked = |a: usize, y: i32| {
        let mark = basis_in(a, y)
            .and_then(Basis::mark)
            .map(|m| format!("{m} "))
            .unwrap_or_default();
        format!("{mark}{}", shown(a, y).cell(dec, locale))
    };
    // The 95 % Wilson interval of a published proportion, and the area against the city by
    // the intervals (METHODS §2.2): two columns where the city has an interval.
    let ci = |a: usize| {
        snap.value(ii, a, year)
            .filter(|v| v.state == sozialatlas_core::ValueState::Ok)
            .and_then(|v| v.ci)
    };
    let city_ci = root.and_then(ci);
    let row = |a: usize, name: String| -> Vec<String> {
        let now = shown(a, year);
        let mut r = vec![name, marked(a, year)];
        if let Some(c) = compare {
            let then = shown(a, c);
            r.push(marked(a, c));
            r.push(Shown::change(kind, then, now).cell(dec, locale));
        }
        if let Some(city) = city_ci {
            let own = ci(a);
            r.push(own.map_or_else(String::new, |c| {
                sozialatlas_core::labels::interval_text(c, dec, locale)
            }));
            r.push(match own {
                Some(c) if Some(a) != root => sozialatlas_core::labels::versus_city_label(
                    sozialatlas_core::stats::VersusCity::of(c, city),
                    false,
                    locale,
                )
                .to_string(),
                _ => String::new(),
            });
        }
        r
    };
    let mut columns = vec![
        level_name.to_string(),
        unit_suffix(year.to_string(), &format!("({})", def.unit)),
    ];
    if let Some(c) = compare {
        columns.push(c.to_string());
        columns.push(format!(
            "{} {c}–{year} ({cunit})",
            locale.pick("Veränderung", "Change")
        ));
    }
    if city_ci.is_some() {
        columns.push(format!(
            "{} {year}",
            sozialatlas_core::labels::interval_heading(locale)
        ));
        columns.push(sozialatlas_core::labels::versus_city_heading(locale).to_string());
    }
    let city_name = root.map_or_else(
        || snap.meta.city.clone(),
        |r| snap.tree.areas[r].name.clone(),
    );
    let city = root.map_or_else(Vec::new, |r| {
        let name = match basis(r) {
            Some(b @ (Basis::Official | Basis::Published | Basis::WeightedMean)) => format!(
                "{city_name} ({})",
                sozialatlas_core::labels::basis_label(
                    b,
                    &snap.catalogue,
                    def,
                    &snap.tree.levels[snap.tree.areas[r].level],
                    locale
                )
            ),
            _ => city_name,
        };
        row(r, name)
    });
    let mut rows: Vec<Vec<String>> = areas
        .iter()
        .map(|&a| row(a, snap.tree.areas[a].name.clone()))
        .collect();
    // The parts of the city and coarser areas not assigned to an area of this level.
    if let Some(&first) = areas.first() {
        let level = snap.tree.areas[first].level;
        let mut parts: Vec<&sozialatlas_core::compute::Unassigned> = snap
            .unassigned
            .iter()
            .filter(|u| u.level == level && u.value.indicator == ii && u.value.period == year)
            .collect();
        parts.sort_by_key(|u| (Some(u.value.area) != root, u.value.area));
        for u in parts {
            let v = &u.value;
            let cell = match (v.published(), v.state.is_suppressed()) {
                (Some(x), _) => Shown::Value(x),
                (None, true) => Shown::Suppressed,
                (None, false) => Shown::NoData,
            };
            let mut r = vec![
                format!(
                    "{} ({})",
                    sozialatlas_core::labels::unassigned_label(locale),
                    snap.tree.areas[v.area].name
                ),
                cell.cell(dec, locale),
            ];
            r.resize(columns.len(), String::new());
            rows.push(r);
        }
    }

    // The map: natural breaks, 5 classes (the atlas' default view).
    let values: Vec<f64> = areas
        .iter()
        .filter_map(|&a| shown(a, year).value())
        .collect();
    let mut notes = Vec::new();
    if city_ci.is_some() {
        notes.push(sozialatlas_core::labels::interval_note(locale).to_string());
    }
    if matches!(def.formula, Formula::Published { .. }) {
        notes.push(format!(
            "{}.",
            sozialatlas_core::labels::published_label(locale)
        ));
    }
    let years: Vec<i32> = std::iter::once(year).chain(compare).collect();
    for b in [Basis::Estimated, Basis::Converted, Basis::WeightedMean] {
        let with_b = areas
            .iter()
            .find(|&&a| years.iter().any(|&y| basis_in(a, y) == Some(b)));
        if let (Some(m), Some(&a)) = (b.mark(), with_b) {
            notes.push(format!(
                "{m} {}.",
                sozialatlas_core::labels::basis_label(
                    b,
                    &snap.catalogue,
                    def,
                    &snap.tree.levels[snap.tree.areas[a].level],
                    locale
                )
            ));
        }
    }
    if let Some(c) = compare
        && !cov_has(snap, ii, areas, c)
    {
        notes.push(
            locale
                .pick(
                    "Keine veröffentlichten Werte im Jahr {c}.",
                    "No published values in {c}.",
                )
                .replace("{c}", &c.to_string()),
        );
    }
    let breaks = (!values.is_empty())
        .then(|| {
            Breaks::compute(
                &values,
                &Scheme::NaturalBreaks { k: 5 },
                Closure::LeftClosed,
            )
            .ok()
        })
        .flatten();
    let city_value = root.and_then(|r| shown(r, year).value());
    let subtitle = format!(
        "{level_name} · {year} · {} {}",
        locale.pick("in", "in"),
        def.unit
    );
    let has_geometry = areas
        .iter()
        .any(|&a| snap.geometries.get(a).is_some_and(Option::is_some));
    let map = has_geometry.then(|| {
        let classes = match &breaks {
            Some(b) => {
                let k = b.k();
                let colours: Vec<Rgb> = palette::sequential(Sequential::YlOrRd, k, def.polarity)
                    .or_else(|_| palette::sequential(Sequential::Greys, k.min(9), def.polarity))
                    .unwrap_or_else(|_| vec![palette::NO_DATA; k]);
                render::legend_classes(b, &colours, dec, locale).unwrap_or_default()
            }
            None => Vec::new(),
        };
        let map_areas = areas
            .iter()
            .filter_map(|&a| {
                let g = snap.geometries.get(a)?.as_ref()?;
                let s = shown(a, year);
                let state = match (
                    s,
                    breaks
                        .as_ref()
                        .and_then(|b| s.value().and_then(|x| b.class_of(x))),
                ) {
                    (Shown::Value(x), Some(c)) => render::AreaState::Class {
                        class: c,
                        value: Some(x),
                    },
                    (Shown::Suppressed, _) => render::AreaState::Suppressed,
                    _ => render::AreaState::NoData,
                };
                Some(render::MapArea {
                    key: snap.tree.areas[a].key.clone(),
                    name: snap.tree.areas[a].name.clone(),
                    geometry: g.clone(),
                    state,
                    href: None,
                })
            })
            .collect();
        let svg = render::choropleth(&render::MapSpec {
            id: format!("map-{}", slug(&def.id)),
            locale,
            width: 720.0,
            title: def.name.get(locale).to_string(),
            subtitle: Some(subtitle.clone()),
            unit: def.unit.clone(),
            decimals: dec,
            areas: map_areas,
            classes,
            legend_title: Some(format!("{} {}", locale.pick("in", "in"), def.unit)),
            city: match (city_value, &breaks) {
                (Some(c), Some(b)) => Some(render::CityReference::in_breaks(c, b)),
                _ => None,
            },
            outlines: outlines.to_vec(),
            labels: if areas.len() <= 30 {
                render::AreaLabels::Names
            } else {
                render::AreaLabels::None
            },
            stand: Some(snap.meta.stand.clone()),
            source: def.source.clone(),
            attribution: snap.meta.attribution.first().cloned(),
            scale_bar: true,
            ..Default::default()
        });
        Figure {
            path: format!("maps/{}.svg", slug(&def.id)),
            alt: format!(
                "{}: {} {} {}, {year}. {}",
                locale.pick("Karte", "Map"),
                def.name.get(locale),
                locale.pick("nach", "by"),
                level_name,
                locale.pick(
                    "Die Werte stehen in der Tabelle.",
                    "The values are in the table."
                )
            ),
            what: format!("the map of indicator `{}`", def.id),
            svg,
        }
    });
    IndicatorSection {
        id: format!("indikator-{}", slug(&def.id)),
        name: def.name.get(locale).to_string(),
        subtitle,
        definition: def
            .definition
            .as_ref()
            .map(|t| t.get(locale).to_string())
            .unwrap_or_default(),
        map,
        columns,
        city,
        rows,
        notes,
        year: Some(year),
    }
}

fn cov_has(snap: &Snapshot, ii: usize, areas: &[usize], year: i32) -> bool {
    areas.iter().any(|&a| {
        snap.value(ii, a, year)
            .and_then(|v| v.published())
            .is_some()
    })
}

fn typology_chapter(
    inputs: &Inputs<'_>,
    level: usize,
    year: i32,
    outlines: &[geo_types::MultiPolygon<f64>],
    locale: Locale,
) -> TypologyChapter {
    let snap = inputs.snapshot;
    let text = snap
        .text("typology", locale)
        .map(|t| markdown::blocks(&t.markdown))
        .unwrap_or_default();
    let confirmed = inputs.action_areas.map(|set| {
        let level_name = snap
            .tree
            .level_index(&set.level)
            .map(|l| snap.tree.levels[l].name.get(locale).to_string())
            .unwrap_or_else(|| set.level.clone());
        (
            format!(
                "{} „{}“ ({level_name}, {} {})",
                locale.pick("Beschlossene Aktionsräume:", "Confirmed action areas:"),
                set.name,
                locale.pick("gespeichert am", "saved on"),
                set.created_at.get(..10).unwrap_or(&set.created_at)
            ),
            set.areas.iter().map(|a| a.name.clone()).collect(),
        )
    });
    let mut chapter = TypologyChapter {
        id: "typologie".into(),
        text,
        caption: String::new(),
        missing: None,
        map: None,
        profile: None,
        clusters: Vec::new(),
        proposed: Vec::new(),
        confirmed,
    };
    let run = match default_typology(snap, level, year) {
        Ok(run) => run,
        Err(why) => {
            chapter.missing = Some(format!(
                "{} {why}",
                locale.pick("Keine Typologie:", "No typology:")
            ));
            return chapter;
        }
    };
    let t = &run.result;
    let k = t.clusters.len();
    let fills = palette::categorical(k.clamp(1, 8)).unwrap_or_default();
    let names: Vec<String> = run
        .params
        .indicators
        .iter()
        .map(|id| {
            snap.catalogue
                .indicator(id)
                .map_or_else(|| id.clone(), |i| i.name.get(locale).to_string())
        })
        .collect();
    let level_name = snap.tree.levels[level].name.get(locale);
    chapter.caption = locale
        .pick(
            "Ward-Clusteranalyse der {n} Gebiete ({level}) im Jahr {year} auf {m} Indikatoren (z-standardisiert, nach Polarität ausgerichtet), {k} Cluster: {list}.",
            "Ward clustering of the {n} areas ({level}) in {year} on {m} indicators (z-standardised, aligned by polarity), {k} clusters: {list}.",
        )
        .replace("{n}", &run.areas.len().to_string())
        .replace("{level}", level_name)
        .replace("{year}", &year.to_string())
        .replace("{m}", &names.len().to_string())
        .replace("{k}", &k.to_string())
        .replace("{list}", &names.join(", "));
    if !run.left_out.is_empty() {
        chapter.caption.push_str(&format!(
            " {} {}.",
            locale.pick(
                "Nicht eingeordnet (Wert fehlt oder gesperrt):",
                "Not clustered (value missing or suppressed):"
            ),
            run.left_out
                .iter()
                .map(|a| a.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut map_areas = Vec::new();
    for (i, ra) in run.areas.iter().enumerate() {
        if let Some(ai) = snap.tree.find(level, &ra.key)
            && let Some(g) = snap.geometries.get(ai).cloned().flatten()
        {
            map_areas.push(render::MapArea {
                key: ra.key.clone(),
                name: ra.name.clone(),
                geometry: g,
                state: render::AreaState::Class {
                    class: t.membership[i] - 1,
                    value: None,
                },
                href: None,
            });
        }
    }
    for ra in &run.left_out {
        if let Some(ai) = snap.tree.find(level, &ra.key)
            && let Some(g) = snap.geometries.get(ai).cloned().flatten()
        {
            map_areas.push(render::MapArea {
                key: ra.key.clone(),
                name: ra.name.clone(),
                geometry: g,
                state: render::AreaState::NoData,
                href: None,
            });
        }
    }
    let cluster_word = locale.pick("Cluster", "Cluster");
    if !map_areas.is_empty() {
        let labels: Vec<String> = t
            .clusters
            .iter()
            .map(|c| format!("{cluster_word} {}", c.number))
            .collect();
        chapter.map = Some(Figure {
            path: "maps/typologie.svg".into(),
            alt: format!(
                "{} {}",
                locale.pick(
                    "Karte der Cluster der Typologie.",
                    "Map of the typology's clusters."
                ),
                locale.pick(
                    "Die Zuordnung steht in den Gebietsprofilen und der Tabelle.",
                    "The clusters are listed in the table."
                )
            ),
            what: "the typology map".into(),
            svg: render::choropleth(&render::MapSpec {
                id: "map-typologie".into(),
                locale,
                width: 720.0,
                title: locale
                    .pick("Cluster der Typologie", "Clusters of the typology")
                    .into(),
                subtitle: Some(format!("{level_name} · {year}")),
                areas: map_areas,
                classes: render::legend_categories(&labels, &fills[..k.min(fills.len())]),
                outlines: outlines.to_vec(),
                labels: if run.areas.len() <= 30 {
                    render::AreaLabels::Names
                } else {
                    render::AreaLabels::None
                },
                stand: Some(snap.meta.stand.clone()),
                attribution: snap.meta.attribution.first().cloned(),
                scale_bar: true,
                ..Default::default()
            }),
        });
    }
    chapter.profile = Some(Figure {
        path: "charts/typologie-profil.svg".into(),
        alt: locale
            .pick(
                "Profil der Cluster: mittlere z-Werte jedes Clusters auf jedem Indikator (positiv = ungünstiger als die Stadt).",
                "Cluster profiles: mean z-score of each cluster on each indicator (positive = worse than the city).",
            )
            .into(),
        what: "the typology's profile chart".into(),
        svg: render::heat_table(&render::HeatTableSpec {
            id: "typologie-profil".into(),
            locale,
            title: locale.pick("Profil der Cluster", "Cluster profiles").into(),
            subtitle: Some(
                locale
                    .pick("Mittlere z-Werte, nach Polarität ausgerichtet (positiv = ungünstiger)", "Mean z-scores aligned by polarity (positive = worse)")
                    .into(),
            ),
            row_keys: t.clusters.iter().map(|c| format!("cluster-{}", c.number)).collect(),
            row_labels: t
                .clusters
                .iter()
                .map(|c| format!("{cluster_word} {} (n = {})", c.number, c.size))
                .collect(),
            column_keys: run.params.indicators.clone(),
            column_labels: names.clone(),
            values: t.clusters.iter().map(|c| c.centroid.iter().map(|&z| Some(z)).collect()).collect(),
            decimals: 2,
            limit: Some(2.0),
            scheme: None,
        }),
    });
    chapter.clusters = t
        .clusters
        .iter()
        .map(|c| {
            vec![
                c.number.to_string(),
                c.size.to_string(),
                match locale {
                    Locale::De => c.description_de.clone(),
                    Locale::En => c.description_en.clone(),
                },
            ]
        })
        .collect();
    chapter.proposed = sozialatlas_runs::proposal(&run)
        .into_iter()
        .map(|a| a.name)
        .collect();
    chapter
}

/// The typology the web shows by default: the directed indicators published for every area of
/// the level in the year (else every directed indicator), five clusters (fewer for few areas).
pub fn default_typology(snap: &Snapshot, level: usize, year: i32) -> Result<TypologyRun, String> {
    let areas = snap.tree.areas_of_level(level);
    if areas.len() < 4 {
        return Err(format!("only {} areas on the level", areas.len()));
    }
    let inds = sozialatlas_runs::default_indicators(snap, level, year);
    if inds.len() < 2 {
        return Err("fewer than two indicators with a direction".into());
    }
    let rows = areas
        .iter()
        .filter(|&&a| {
            inds.iter()
                .all(|&i| snap.value(i, a, year).and_then(|v| v.published()).is_some())
        })
        .count();
    if rows < 3 {
        return Err(format!("only {rows} areas have every indicator in {year}"));
    }
    let params = TypologyParams {
        level: snap.tree.levels[level].id.clone(),
        year,
        indicators: inds
            .iter()
            .map(|&i| snap.catalogue.indicators[i].id.clone())
            .collect(),
        k: 5.min(rows - 1).min(8),
        pca: sozialatlas_analysis::pca::PcaSetting::Off,
        kmeans: None,
        seed: 0,
    };
    sozialatlas_runs::run_typology(snap, &params).map_err(|e| e.to_string())
}

fn profile(
    snap: &Snapshot,
    cov: &Coverage,
    a: usize,
    level: usize,
    year: i32,
    root: Option<usize>,
    locale: Locale,
) -> Profile {
    let area = &snap.tree.areas[a];
    let level_areas = snap.tree.areas_of_level(level);
    let aslug = slug(&area.key);
    let parent = area.parent.filter(|&p| Some(p) != root);
    let mut subtitle = format!("{} {}", snap.tree.levels[level].name.get(locale), area.key);
    if let Some(p) = parent {
        subtitle.push_str(&format!(
            " · {} {}",
            locale.pick("in", "in"),
            snap.tree.areas[p].name
        ));
    }
    let mut groups = Vec::new();
    for d in &snap.catalogue.dimensions {
        let mut rows = Vec::new();
        for (ii, def) in snap.catalogue.indicators_of(&d.id) {
            let years = cov.years(ii, level);
            let Some(&y) = years.iter().rev().find(|&&y| y <= year) else {
                continue;
            };
            let dec = def.decimals();
            let own = Shown::of(snap, ii, a, y);
            let city = root.map_or(Shown::NoData, |r| Shown::of(snap, ii, r, y));
            let comparable = !matches!(def.formula, Formula::Count { .. });
            let values: Vec<f64> = level_areas
                .iter()
                .filter_map(|&x| Shown::of(snap, ii, x, y).value())
                .collect();
            let spine = match city.value() {
                Some(cv) if comparable && !values.is_empty() => Some(Figure {
                    path: format!("charts/spine-{aslug}-{}.svg", slug(&def.id)),
                    alt: format!(
                        "{}: {} {}",
                        def.name.get(locale),
                        area.name,
                        locale.pick(
                            "im Vergleich zu allen Gebieten und der Stadt",
                            "compared with all areas and the city"
                        )
                    ),
                    what: format!(
                        "the profile of area `{}` ({}), indicator `{}`",
                        area.key, area.name, def.id
                    ),
                    svg: render::spine_row(&render::SpineSpec {
                        id: format!("spine-{aslug}-{}", slug(&def.id)),
                        locale,
                        width: 220.0,
                        height: 24.0,
                        indicator: def.name.get(locale).to_string(),
                        area_key: area.key.clone(),
                        area_name: area.name.clone(),
                        unit: def.unit.clone(),
                        decimals: dec,
                        polarity: def.polarity,
                        values,
                        area_value: own.value(),
                        city_value: cv,
                    }),
                }),
                _ => None,
            };
            rows.push(ProfileRow {
                name: unit_suffix(def.name.get(locale).to_string(), &format!("({})", def.unit)),
                year: y.to_string(),
                value: own.cell(dec, locale),
                city: city.cell(dec, locale),
                spine,
            });
        }
        if !rows.is_empty() {
            groups.push(ProfileGroup {
                name: d.name.get(locale).to_string(),
                rows,
            });
        }
    }
    let locator = snap
        .geometries
        .get(a)
        .is_some_and(Option::is_some)
        .then(|| {
            let areas = snap
                .with_geometry(&level_areas)
                .map(|(x, ar, g)| {
                    render::locator_area(ar.key.clone(), ar.name.clone(), g.clone(), x == a, None)
                })
                .collect();
            Figure {
                path: format!("maps/lage-{aslug}.svg"),
                alt: format!(
                    "{}: {}",
                    locale.pick("Lage in der Stadt", "Location in the city"),
                    area.name
                ),
                what: format!("the locator map of area `{}` ({})", area.key, area.name),
                svg: render::choropleth(&render::MapSpec {
                    id: format!("lage-{aslug}"),
                    locale,
                    width: 260.0,
                    title: format!("{}: {}", locale.pick("Lage", "Location"), area.name),
                    areas,
                    classes: render::locator_classes(
                        locale.pick("Gebiet", "Area").to_string(),
                        area.name.clone(),
                    ),
                    highlight: Some(area.key.clone()),
                    no_legend: true,
                    ..Default::default()
                }),
            }
        });
    Profile {
        id: format!("profil-{aslug}"),
        name: area.name.clone(),
        subtitle,
        locator,
        groups,
    }
}

fn appendix(snap: &Snapshot, locale: Locale) -> Appendix {
    let var = |id: &str| {
        snap.catalogue
            .variable(id)
            .map_or_else(|| id.to_string(), |v| v.name.get(locale).to_string())
    };
    let pol = |p: Polarity| match p {
        Polarity::HigherIsWorse => locale.pick("höher ist ungünstiger", "higher is worse"),
        Polarity::HigherIsBetter => locale.pick("höher ist günstiger", "higher is better"),
        Polarity::Neutral => locale.pick("ohne Wertung", "neutral"),
    };
    let num = |x: f64| sozialatlas_core::locale::format_trimmed(x, 3, locale);
    let indicators = snap
        .catalogue
        .indicators
        .iter()
        .map(|i| {
            let formula = match &i.formula {
                Formula::Ratio {
                    numerator,
                    denominator,
                    factor,
                    ..
                }
                | Formula::Quotient {
                    numerator,
                    denominator,
                    factor,
                } => {
                    format!(
                        "{} / {} × {}",
                        var(numerator),
                        var(denominator),
                        num(*factor)
                    )
                }
                Formula::Index {
                    numerator,
                    denominator,
                } => match denominator {
                    Some(d) => format!("{} / {}", var(numerator), var(d)),
                    None => var(numerator),
                },
                Formula::Density { numerator } => {
                    format!(
                        "{} / {}",
                        var(numerator),
                        locale.pick("Fläche in km²", "area in km²")
                    )
                }
                Formula::Count { variable } => var(variable),
                Formula::Published { variable, weight } => {
                    sozialatlas_core::labels::published_formula(
                        &var(variable),
                        weight.as_deref().map(var).as_deref(),
                        locale,
                    )
                }
            };
            let mut rows = Vec::new();
            if let Some(d) = &i.definition {
                rows.push((
                    locale.pick("Definition", "Definition").to_string(),
                    d.get(locale).to_string(),
                ));
            }
            rows.push((
                locale.pick("Berechnung", "Computation").to_string(),
                format!("{formula} ({})", i.formula.kind_name()),
            ));
            rows.push((locale.pick("Einheit", "Unit").to_string(), i.unit.clone()));
            rows.push((
                locale.pick("Polarität", "Polarity").to_string(),
                pol(i.polarity).to_string(),
            ));
            if let Some(s) = &i.source {
                rows.push((locale.pick("Quelle", "Source").to_string(), s.clone()));
            }
            if let Some(r) = &i.reference_date {
                rows.push((
                    locale.pick("Stichtag", "Reference date").to_string(),
                    r.clone(),
                ));
            }
            if let Some(n) = &i.notes {
                rows.push((
                    locale.pick("Hinweise", "Notes").to_string(),
                    n.get(locale).to_string(),
                ));
            }
            (i.name.get(locale).to_string(), rows)
        })
        .collect();
    let sources: BTreeSet<String> = snap
        .catalogue
        .indicators
        .iter()
        .filter_map(|i| i.source.clone())
        .chain(
            snap.catalogue
                .variables
                .iter()
                .filter_map(|v| v.source.clone()),
        )
        .collect();
    let s = &snap.settings;
    let mut settings = vec![
        (
            locale.pick("Klassifikation der Karten", "Classification of the maps").to_string(),
            locale
                .pick(
                    "natürliche Brüche (Jenks, exakt), 5 Klassen, links geschlossen; Farben ColorBrewer YlOrRd nach Polarität",
                    "natural breaks (Jenks, exact), 5 classes, left-closed; colours ColorBrewer YlOrRd by polarity",
                )
                .to_string(),
        ),
        (
            locale.pick("Geheimhaltungsschwelle", "Suppression threshold").to_string(),
            format!(
                "{} {}",
                locale.pick("Fallzahlen unter", "counts below"),
                s.suppression_threshold
            ),
        ),
        (
            locale.pick("Geheimhaltung", "Confidentiality").to_string(),
            locale
                .pick(
                    "primäre und sekundäre Sperrung, geprüft gegen Rückrechnung",
                    "primary and secondary suppression, checked against recalculation",
                )
                .to_string(),
        ),
    ];
    if let Some(p) = &s.population_variable {
        settings.push((
            locale
                .pick("Bevölkerungsvariable", "Population variable")
                .to_string(),
            var(p),
        ));
    }
    if let Some(m) = s.min_population {
        settings.push((
            locale
                .pick(
                    "Mindestbevölkerung (Hinweis „mit Vorsicht lesen“)",
                    "Minimum population (\"read with care\" flag)",
                )
                .to_string(),
            format_decimal(m, 0, locale),
        ));
    }
    settings.push((
        locale
            .pick("Markierungen für fehlend", "Markers for missing")
            .to_string(),
        s.missing_markers
            .iter()
            .map(|m| format!("„{m}“"))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    settings.push((
        locale
            .pick("Markierungen für gesperrt", "Markers for suppressed")
            .to_string(),
        s.suppressed_markers
            .iter()
            .map(|m| format!("„{m}“"))
            .collect::<Vec<_>>()
            .join(", "),
    ));
    settings.push((
        locale.pick("Typologie", "Typology").to_string(),
        locale
            .pick(
                "Ward-Verfahren auf z-Werten der gerichteten Indikatoren, die für alle Gebiete veröffentlicht sind; 5 Cluster (weniger bei wenigen Gebieten)",
                "Ward's method on z-scores of the directed indicators published for every area; 5 clusters (fewer for few areas)",
            )
            .to_string(),
    ));
    settings.push((
        locale
            .pick("Katalogversion", "Catalogue version")
            .to_string(),
        snap.load.catalogue_version.clone(),
    ));
    settings.push((
        locale
            .pick("Prüfsumme der Eingaben", "Checksum of the inputs")
            .to_string(),
        snap.public_fingerprint().map_or_else(
            || Snapshot::withheld_checksum(locale).to_string(),
            |f| f.chars().take(16).collect(),
        ),
    ));
    Appendix {
        id: "anhang".into(),
        indicators,
        sources: sources.into_iter().collect(),
        licence: snap.meta.licence.clone().unwrap_or_else(|| MISSING.into()),
        attribution: snap.meta.attribution.clone(),
        settings,
        inputs: snap
            .load
            .inputs
            .iter()
            .map(|f| {
                let sha = snap.public_sha256(f).map_or_else(
                    || Snapshot::withheld_checksum(locale).to_string(),
                    |h| h.chars().take(12).collect(),
                );
                (f.path.clone(), sha)
            })
            .collect(),
    }
}

impl Report {
    /// Every figure of the report, in order.
    pub fn figures(&self) -> Vec<&Figure> {
        let mut out = Vec::new();
        for c in &self.chapters {
            for i in &c.indicators {
                out.extend(i.map.as_ref());
            }
        }
        out.extend(self.typology.map.as_ref());
        out.extend(self.typology.profile.as_ref());
        for p in &self.profiles {
            out.extend(p.locator.as_ref());
            for g in &p.groups {
                for r in &g.rows {
                    out.extend(r.spine.as_ref());
                }
            }
        }
        out
    }
}
