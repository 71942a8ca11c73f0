//! What one indicator view shows — the published values of a level and year (or their change
//! between two years), the city and parent references, the classes and colours — gathered once
//! and used by the page, the downloads and the API alike, so that they cannot disagree.
//!
//! Only published values enter: [`IndicatorValue::published`] and friends. A suppressed value
//! becomes [`Shown::Suppressed`], which carries no number.

use sozialatlas_classify::palette::{self, Diverging, Rgb, Sequential};
use sozialatlas_classify::{Breaks, LegendEntry};
use sozialatlas_core::catalogue::ChangeKind;
use sozialatlas_core::compute::Basis;
use sozialatlas_core::locale::format_decimal;
use sozialatlas_core::stats::VersusCity;
use sozialatlas_core::{Indicator, IndicatorValue, Locale, ValueState};
use sozialatlas_runs::smoothing::{Smoothing, smooth_rates, smoothable};
use sozialatlas_store::Snapshot;

use crate::error::AppError;
use crate::params::{DEFAULT_DIVERGING, DEFAULT_SEQUENTIAL, ViewOptions};
use crate::{AppState, Index};

/// What is shown for one area: a number, or why there is none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shown {
    /// A published value.
    Value(f64),
    /// Not available (missing, incomplete, undefined).
    NoData,
    /// Withheld for confidentiality (here or at the source).
    Suppressed,
}

impl Shown {
    /// The published state of a stored value.
    pub fn of(v: Option<&IndicatorValue>) -> Shown {
        match v {
            Some(v) => match v.published() {
                Some(x) => Shown::Value(x),
                None if v.state.is_suppressed() => Shown::Suppressed,
                None => Shown::NoData,
            },
            None => Shown::NoData,
        }
    }

    /// The number, if published.
    pub fn value(self) -> Option<f64> {
        match self {
            Shown::Value(x) => Some(x),
            _ => None,
        }
    }

    /// The state name used in the API and the downloads.
    pub fn state_name(self) -> &'static str {
        match self {
            Shown::Value(_) => "ok",
            Shown::NoData => "missing",
            Shown::Suppressed => "suppressed",
        }
    }

    /// The state in the page's words, as the downloads' state column has it: published, no
    /// data, suppressed.
    pub fn state_text(self, locale: Locale) -> String {
        let m = crate::i18n::msgs(locale);
        match self {
            Shown::Value(_) => sozialatlas_export::state_label(ValueState::Ok, locale).to_string(),
            Shown::NoData => m.no_data.to_string(),
            Shown::Suppressed => m.suppressed.to_string(),
        }
    }

    /// The source columns of a download row: the indicator's source, the Stand, the licence and
    /// the attribution.
    pub fn source_columns(snap: &Snapshot, def: &Indicator) -> [String; 4] {
        [
            def.source.clone().unwrap_or_default(),
            snap.meta.stand.clone(),
            snap.meta.licence.clone().unwrap_or_default(),
            snap.meta.attribution.join("; "),
        ]
    }

    /// The value as text with unit, or the words for no data / suppressed.
    pub fn text(self, decimals: usize, unit: &str, locale: Locale) -> String {
        let m = crate::i18n::msgs(locale);
        match self {
            Shown::Value(x) => with_unit(format_decimal(x, decimals, locale), unit),
            Shown::NoData => m.no_data.to_string(),
            Shown::Suppressed => m.suppressed.to_string(),
        }
    }

    /// The change from `a` (earlier) to `b` (later): suppressed wins over missing.
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

/// Where the value of `area` comes from, in words (empty without a basis).
pub fn basis_text(
    snap: &Snapshot,
    def: &Indicator,
    area: usize,
    basis: Option<Basis>,
    locale: Locale,
) -> String {
    basis
        .map(|b| {
            sozialatlas_core::labels::basis_label(
                b,
                &snap.catalogue,
                def,
                &snap.tree.levels[snap.tree.areas[area].level],
                locale,
            )
        })
        .unwrap_or_default()
}

/// `23,1 %`, `1.234 Personen`.
pub fn with_unit(s: String, unit: &str) -> String {
    if unit.is_empty() {
        s
    } else {
        format!("{s} {unit}")
    }
}

/// One area's row.
#[derive(Clone, Debug)]
pub struct Row {
    /// Area index.
    pub area: usize,
    /// What is shown.
    pub shown: Shown,
    /// Published numerator (year view only).
    pub numerator: Option<f64>,
    /// Published denominator (year view only).
    pub denominator: Option<f64>,
    /// Class index, when classified.
    pub class: Option<usize>,
    /// Small population: read with care.
    pub low_population: bool,
    /// The parent area (if it is not the city) and what it shows.
    pub parent: Option<(usize, Shown)>,
    /// Where the published value comes from (year view only).
    pub basis: Option<Basis>,
    /// The published value's 95 % Wilson interval, scaled like it (year view, proportions).
    pub ci: Option<(f64, f64)>,
    /// The interval against the city's (year view, both intervals known).
    pub versus_city: Option<VersusCity>,
    /// The published value where `shown` is its smoothed estimate (`smooth=`).
    pub unsmoothed: Option<f64>,
}

/// The part of a coarser area (the city, or an area of a level between) not assigned to any
/// area of the view's level ("nicht zugeordnet"), year view only.
#[derive(Clone, Debug)]
pub struct UnassignedRow {
    /// The coarser area.
    pub area: usize,
    /// What is shown.
    pub shown: Shown,
    /// Published numerator.
    pub numerator: Option<f64>,
    /// Published denominator.
    pub denominator: Option<f64>,
}

/// The whole view.
#[derive(Clone, Debug)]
pub struct IndicatorView {
    /// Indicator index.
    pub ind: usize,
    /// Level index.
    pub level: usize,
    /// The year in the path.
    pub year: i32,
    /// For a change view: (earlier, later).
    pub change: Option<(i32, i32)>,
    /// Rows sorted by value, highest first; no data and suppressed last.
    pub rows: Vec<Row>,
    /// The city's value (or change).
    pub city: Shown,
    /// Where the city's value comes from (year view only).
    pub city_basis: Option<Basis>,
    /// The parts of the city and of coarser areas not assigned to an area of this level, the
    /// city first (year view only).
    pub unassigned: Vec<UnassignedRow>,
    /// The class bounds, if any value could be classified.
    pub breaks: Option<Breaks>,
    /// One colour per class.
    pub colours: Vec<Rgb>,
    /// Legend labels.
    pub legend: Vec<LegendEntry>,
    /// Count of areas per class.
    pub counts: Vec<usize>,
    /// Notes of the classification for the caption.
    pub notes: Vec<String>,
    /// Decimals shown.
    pub decimals: usize,
    /// The unit of the shown values (`%`, `Prozentpunkte` …).
    pub unit: String,
    /// The ColorBrewer palette used.
    pub palette: String,
    /// The city's 95 % Wilson interval (year view, proportions).
    pub city_ci: Option<(f64, f64)>,
    /// The smoothing the values shown went through, if any.
    pub smooth: Option<Smoothing>,
}

/// The words that mark a smoothed figure: „geglättet (empirischer Bayes-Schätzer)“.
pub fn smoothed_label(m: Smoothing, locale: Locale) -> &'static str {
    match m {
        Smoothing::Global => locale.pick(
            "geglättet (empirischer Bayes-Schätzer)",
            "smoothed (empirical Bayes estimate)",
        ),
        Smoothing::Spatial => locale.pick(
            "geglättet (räumlicher empirischer Bayes-Schätzer)",
            "smoothed (spatial empirical Bayes estimate)",
        ),
    }
}

/// Refuses smoothing where it has no meaning, in plain words (400): an indicator that is no
/// rate of counts, or a change between years.
fn check_smoothing(def: &Indicator, change: bool, locale: Locale) -> Result<(), AppError> {
    let name = def.name.get(locale);
    if smoothable(def).is_none() {
        return Err(AppError::BadRequest(match locale {
            Locale::De => format!(
                "„{name}“ ist keine Quote aus Fallzahlen (Zähler je Nenner): Glätten ist nur für \
                 solche Quoten und Anteile möglich. Ohne „smooth=“ in der Adresse zeigt die Seite \
                 die veröffentlichten Werte."
            ),
            Locale::En => format!(
                "“{name}” is not a rate of counts (cases per population): only such rates and \
                 shares can be smoothed. Without “smooth=” in the address the page shows the \
                 published values."
            ),
        }));
    }
    if change {
        return Err(AppError::BadRequest(
            locale
                .pick(
                    "Geglättet werden die Werte eines Jahres, keine Veränderungen zwischen Jahren. \
                     Wählen Sie „kein Vergleich“ oder lassen Sie die Glättung weg.",
                    "Only the values of one year can be smoothed, not changes between years. \
                     Choose no comparison or leave out the smoothing.",
                )
                .to_string(),
        ));
    }
    Ok(())
}

/// Looks up an indicator by id (404 when unknown).
pub fn indicator(state: &AppState, id: &str, locale: Locale) -> Result<usize, AppError> {
    state.index().indicator.get(id).copied().ok_or_else(|| {
        AppError::NotFound(match locale {
            Locale::De => format!(
                "Den Indikator „{id}“ gibt es nicht. Alle Indikatoren stehen im Indikatorenkatalog."
            ),
            Locale::En => {
                format!("There is no indicator `{id}`. The indicator catalogue lists them all.")
            }
        })
    })
}

/// Looks up a level by id (404 when unknown).
pub fn level(state: &AppState, id: &str, locale: Locale) -> Result<usize, AppError> {
    state.index().level.get(id).copied().ok_or_else(|| {
        let known = state.snapshot().tree.level_ids();
        AppError::NotFound(match locale {
            Locale::De => format!("Die Ebene „{id}“ gibt es nicht (vorhanden: {}).", known),
            Locale::En => format!("There is no level `{id}` (the atlas has {}).", known),
        })
    })
}

/// Looks up an area by level and key (404 when unknown).
pub fn area(state: &AppState, level: usize, key: &str, locale: Locale) -> Result<usize, AppError> {
    state
        .index()
        .area
        .get(&(level, key.to_string()))
        .copied()
        .ok_or_else(|| {
            AppError::NotFound(match locale {
                Locale::De => {
                    format!("Ein Gebiet mit dem Schlüssel „{key}“ gibt es auf dieser Ebene nicht.")
                }
                Locale::En => format!("There is no area with the key `{key}` on this level."),
            })
        })
}

/// Parses a year of the path: 400 if it is not a year, 404 if the indicator has no data then.
pub fn year(state: &AppState, ind: usize, s: &str, locale: Locale) -> Result<i32, AppError> {
    let y: i32 = s
        .parse()
        .ok()
        .filter(|y| (1000..=9999).contains(y))
        .ok_or_else(|| AppError::BadParam {
            param: locale.pick("Jahr", "year").into(),
            value: s.into(),
            expected: "a year such as 2011".into(),
        })?;
    check_year(state, ind, y, locale)?;
    Ok(y)
}

/// 404 unless the indicator has published data in year `y`.
pub fn check_year(state: &AppState, ind: usize, y: i32, locale: Locale) -> Result<(), AppError> {
    let periods = &state.index().periods[ind];
    if periods.contains(&y) {
        return Ok(());
    }
    let list: Vec<String> = periods.iter().map(i32::to_string).collect();
    Err(AppError::NotFound(match locale {
        Locale::De => format!(
            "Für {y} liegen zu diesem Indikator keine Daten vor (vorhanden: {}).",
            list.join(", ")
        ),
        Locale::En => format!(
            "This indicator has no data for {y} (available: {}).",
            list.join(", ")
        ),
    }))
}

/// The unit of a change of this indicator.
pub fn change_unit(ind: &Indicator, locale: Locale) -> String {
    let m = crate::i18n::msgs(locale);
    match ind.formula.change_kind() {
        ChangeKind::Relative => "%".to_string(),
        ChangeKind::Difference if ind.unit == "%" => m.change_pp.to_string(),
        ChangeKind::Difference => ind.unit.clone(),
    }
}

/// What an area shows for an indicator in a year.
pub fn shown(snap: &Snapshot, ind: usize, area: usize, year: i32) -> Shown {
    Shown::of(snap.value(ind, area, year))
}

/// Gathers the view. `year` and `level` are checked by the caller; `opts.compare` and
/// `opts.area` are checked here.
pub fn build(
    state: &AppState,
    ind: usize,
    level: usize,
    year: i32,
    opts: &ViewOptions,
    locale: Locale,
) -> Result<IndicatorView, AppError> {
    let snap = state.snapshot();
    let index: &Index = state.index();
    let def = &snap.catalogue.indicators[ind];
    let change = match opts.compare {
        Some(c) if c == year => None,
        Some(c) => {
            check_year(state, ind, c, locale).map_err(|_| AppError::BadParam {
                param: "compare".into(),
                value: c.to_string(),
                expected: "a year with data".into(),
            })?;
            Some((c.min(year), c.max(year)))
        }
        None => None,
    };
    if let Some(key) = &opts.area {
        area(state, level, key, locale)?;
    }
    if opts.smooth.is_some() {
        check_smoothing(def, change.is_some(), locale)?;
    }
    let kind = def.formula.change_kind();
    let show = |a: usize| -> Shown {
        match change {
            Some((y0, y1)) => Shown::change(kind, shown(snap, ind, a, y0), shown(snap, ind, a, y1)),
            None => shown(snap, ind, a, year),
        }
    };
    let root = index.root;
    let mut rows: Vec<Row> = index.level_areas[level]
        .iter()
        .map(|&a| {
            let v = snap.value(ind, a, year);
            let published = change.is_none() && v.is_some_and(|v| v.state == ValueState::Ok);
            let parent = snap.tree.areas[a]
                .parent
                .filter(|&p| Some(p) != root)
                .map(|p| (p, show(p)));
            Row {
                area: a,
                shown: show(a),
                numerator: v
                    .filter(|_| published)
                    .and_then(IndicatorValue::published_numerator),
                denominator: v
                    .filter(|_| published)
                    .and_then(IndicatorValue::published_denominator),
                class: None,
                low_population: v.is_some_and(|v| v.low_population),
                parent,
                ci: v.filter(|_| published).and_then(|v| v.ci),
                versus_city: None,
                unsmoothed: None,
                basis: match change {
                    None => v.filter(|_| published).map(|v| v.basis),
                    // A change from a value converted from earlier boundaries rests on it.
                    Some((y0, y1)) => [y0, y1]
                        .into_iter()
                        .filter_map(|y| snap.value(ind, a, y))
                        .find(|v| v.state == ValueState::Ok && v.basis == Basis::Converted)
                        .map(|v| v.basis),
                },
            }
        })
        .collect();
    let city = root.map_or(Shown::NoData, show);
    let city_basis = root
        .and_then(|r| snap.value(ind, r, year))
        .filter(|v| change.is_none() && v.state == ValueState::Ok)
        .map(|v| v.basis);
    let city_ci = root
        .and_then(|r| snap.value(ind, r, year))
        .filter(|v| change.is_none() && v.state == ValueState::Ok)
        .and_then(|v| v.ci);
    for r in &mut rows {
        r.versus_city = r.ci.zip(city_ci).map(|(a, c)| VersusCity::of(a, c));
    }
    // Smoothing replaces each published value by its estimate, from published cells only.
    let smoothed = |p: i32| -> Result<Vec<Option<f64>>, AppError> {
        let m = opts.smooth.unwrap_or(Smoothing::Global);
        smooth_rates(snap, ind, &index.level_areas[level], p, m)
            .map_err(|e| AppError::BadRequest(e.to_string()))
    };
    if opts.smooth.is_some() {
        // The rows are still in the order of the level's areas.
        for (r, est) in rows.iter_mut().zip(smoothed(year)?) {
            if let Shown::Value(x) = r.shown {
                r.unsmoothed = Some(x);
                r.shown = est.map_or(Shown::NoData, Shown::Value);
            }
        }
    }
    // The not-assigned parts: the city first, then the areas of coarser levels in tree order.
    let mut unassigned: Vec<UnassignedRow> = Vec::new();
    if change.is_none() {
        let mut coarser: Vec<usize> = snap
            .unassigned
            .iter()
            .filter(|u| u.level == level && u.value.indicator == ind && u.value.period == year)
            .map(|u| u.value.area)
            .collect();
        coarser.sort_by_key(|&a| (Some(a) != root, a));
        for a in coarser {
            if let Some(v) = snap.unassigned(ind, a, level, year) {
                let ok = v.state == ValueState::Ok;
                unassigned.push(UnassignedRow {
                    area: a,
                    shown: Shown::of(Some(v)),
                    numerator: v.published_numerator().filter(|_| ok),
                    denominator: v.published_denominator().filter(|_| ok),
                });
            }
        }
    }

    let values: Vec<f64> = rows.iter().filter_map(|r| r.shown.value()).collect();
    let class_values: Vec<f64> = if opts.fixed && change.is_none() && opts.smooth.is_some() {
        // Fixed breaks of a smoothed map: over the smoothed values of every year.
        let mut all = Vec::new();
        for &p in index.periods_at(ind, level) {
            all.extend(smoothed(p)?.into_iter().flatten());
        }
        all
    } else if opts.fixed && change.is_none() {
        index
            .periods_at(ind, level)
            .iter()
            .flat_map(|&p| {
                index.level_areas[level]
                    .iter()
                    .filter_map(move |&a| shown(snap, ind, a, p).value())
            })
            .collect()
    } else {
        values.clone()
    };
    let mut notes = Vec::new();
    let breaks = if class_values.is_empty() {
        None
    } else {
        match Breaks::compute(&class_values, &opts.scheme(), opts.closure) {
            // A map of changes splits its classes at no change, so that no class holds falls
            // and rises.
            Ok(b) if change.is_some() => Some(b.split_at(0.0)),
            Ok(b) => Some(b),
            Err(e) => {
                return Err(AppError::BadParam {
                    param: "scheme".into(),
                    value: opts.scheme.as_str().into(),
                    expected: format!("a classification that fits the data ({e})"),
                });
            }
        }
    };
    let decimals = def.decimals();
    let pol = def.polarity;
    let mut colours = Vec::new();
    let mut legend = Vec::new();
    let mut counts = Vec::new();
    let mut palette_name = String::new();
    if let Some(b) = &breaks {
        for n in b.notes() {
            notes.push(n.message(locale));
        }
        let k = b.k();
        let sequential = |name: Option<&str>| -> (Vec<Rgb>, String) {
            let s = name
                .and_then(|n| Sequential::ALL.iter().copied().find(|p| p.name() == n))
                .unwrap_or(DEFAULT_SEQUENTIAL);
            let c = palette::sequential(s, k, pol)
                .or_else(|_| palette::sequential(Sequential::Greys, k.min(9), pol))
                .unwrap_or_default();
            (c, s.name().to_string())
        };
        (colours, palette_name) = match change {
            // Falls in one arm of a diverging scheme, rises in the other: centred on no change,
            // not on the city's change (which the legend marks).
            Some(_) => {
                let d = opts
                    .palette
                    .as_deref()
                    .and_then(|n| Diverging::ALL.iter().copied().find(|p| p.name() == n))
                    .unwrap_or(DEFAULT_DIVERGING);
                match palette::diverging_split(d, b, 0.0, pol) {
                    Ok(c) => (c, d.name().to_string()),
                    Err(e) => {
                        notes.push(e.to_string());
                        sequential(opts.palette.as_deref())
                    }
                }
            }
            None => sequential(opts.palette.as_deref()),
        };
        if colours.len() != k {
            colours = vec![palette::NO_DATA; k];
        }
        legend = b.legend_entries(decimals, locale);
        counts = vec![0; k];
        for r in &mut rows {
            if let Some(x) = r.shown.value() {
                r.class = b.class_of(x);
                if let Some(c) = r.class {
                    counts[c] += 1;
                }
            }
        }
    }
    rows.sort_by(|a, b| match (a.shown.value(), b.shown.value()) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => snap.tree.areas[a.area]
            .name
            .cmp(&snap.tree.areas[b.area].name),
    });
    let unit = if change.is_some() {
        change_unit(def, locale)
    } else {
        def.unit.clone()
    };
    Ok(IndicatorView {
        ind,
        level,
        year,
        change,
        rows,
        city,
        city_basis,
        unassigned,
        breaks,
        colours,
        legend,
        counts,
        notes,
        decimals,
        unit,
        palette: palette_name,
        city_ci,
        smooth: opts.smooth,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_keeps_suppression() {
        let k = ChangeKind::Difference;
        assert_eq!(
            Shown::change(k, Shown::Value(1.0), Shown::Value(3.5)),
            Shown::Value(2.5)
        );
        assert_eq!(
            Shown::change(k, Shown::Suppressed, Shown::Value(3.5)),
            Shown::Suppressed
        );
        assert_eq!(
            Shown::change(k, Shown::NoData, Shown::Suppressed),
            Shown::Suppressed
        );
        assert_eq!(
            Shown::change(k, Shown::NoData, Shown::Value(1.0)),
            Shown::NoData
        );
        assert_eq!(
            Shown::change(ChangeKind::Relative, Shown::Value(0.0), Shown::Value(1.0)),
            Shown::NoData
        );
    }
}
