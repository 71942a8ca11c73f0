//! The words every output uses for where a value comes from (official, summed, estimated from
//! shares, converted from earlier boundaries, published, weighted mean) and for the part not assigned to an area, in German and
//! English: one place, so that pages, API, data pool and report say the same.

use crate::catalogue::{Catalogue, Indicator};
use crate::compute::Basis;
use crate::locale::Locale;
use crate::model::{Level, ShareKind};

/// Where a value comes from, in words; `level` is the level of the value's area. A weighted mean
/// names its weight, an estimate the kind of its shares.
pub fn basis_label(
    basis: Basis,
    catalogue: &Catalogue,
    indicator: &Indicator,
    level: &Level,
    locale: Locale,
) -> String {
    match basis {
        Basis::Official => locale
            .pick("amtlich (gegeben)", "official (as given)")
            .into(),
        Basis::Summed if level.overlay => members_summed_label(locale).into(),
        Basis::Summed => locale
            .pick("Summe der Teilgebiete", "sum of the sub-areas")
            .into(),
        Basis::Estimated => shares_label(level.shares, locale).into(),
        Basis::Converted => {
            converted_label(level.vintage.as_ref().and_then(|v| v.converted_by), locale).into()
        }
        Basis::Published => published_label(locale).into(),
        Basis::WeightedMean => {
            let weight = indicator
                .formula
                .weight()
                .and_then(|w| catalogue.variable(w))
                .map(|w| w.name.get(locale).to_string())
                .unwrap_or_default();
            let of = if level.overlay {
                locale.pick("der Mitgliedsgebiete", "of the member areas")
            } else {
                locale.pick("der Teilgebiete", "of the sub-areas")
            };
            match locale {
                Locale::De => {
                    format!("gewichtetes Mittel {of} (veröffentlichte Werte; Gewicht: {weight})")
                }
                Locale::En => format!("weighted mean {of} (published values; weight: {weight})"),
            }
        }
    }
}

/// A value converted from an older boundary vintage through a crosswalk, with what the
/// crosswalk's weights measure where known.
pub fn converted_label(kind: Option<ShareKind>, locale: Locale) -> &'static str {
    match kind {
        Some(ShareKind::Population) => locale.pick(
            "umgerechnet von früheren Gebietsgrenzen (Umschlüsselung nach Einwohnern)",
            "converted from earlier boundaries (crosswalk by population)",
        ),
        Some(ShareKind::Area) => locale.pick(
            "umgerechnet von früheren Gebietsgrenzen (Umschlüsselung nach Fläche)",
            "converted from earlier boundaries (crosswalk by area)",
        ),
        None => locale.pick(
            "umgerechnet von früheren Gebietsgrenzen",
            "converted from earlier boundaries",
        ),
    }
}

/// An overlay's value from whole members: "Summe der Mitgliedsgebiete".
pub fn members_summed_label(locale: Locale) -> &'static str {
    locale.pick("Summe der Mitgliedsgebiete", "sum of the member areas")
}

/// "veröffentlicht, nicht neu berechnet" / "published, not recomputed".
pub fn published_label(locale: Locale) -> &'static str {
    locale.pick(
        "veröffentlicht, nicht neu berechnet",
        "published, not recomputed",
    )
}

/// A published indicator's formula in words: the variable's name, "published, not recomputed",
/// and the weight of coarser areas' means if there is one.
pub fn published_formula(variable: &str, weight: Option<&str>, locale: Locale) -> String {
    match weight {
        Some(w) => format!(
            "{variable} ({}: {w})",
            locale.pick(
                "veröffentlicht, nicht neu berechnet; gröbere Gebiete gewichtet mit",
                "published, not recomputed; coarser areas weighted by"
            )
        ),
        None => format!("{variable} ({})", published_label(locale)),
    }
}

/// How an overlay's estimates come about: shares of its member areas by area or population.
pub fn shares_label(kind: Option<ShareKind>, locale: Locale) -> &'static str {
    match kind {
        Some(ShareKind::Population) => locale.pick(
            "geschätzt aus Anteilen der Mitgliedsgebiete (nach Einwohnern)",
            "estimated from shares of the member areas (by population)",
        ),
        _ => locale.pick(
            "geschätzt aus Anteilen der Mitgliedsgebiete (nach Fläche)",
            "estimated from shares of the member areas (by area)",
        ),
    }
}

/// "nicht zugeordnet" / "not assigned to an area".
pub fn unassigned_label(locale: Locale) -> &'static str {
    locale.pick("nicht zugeordnet", "not assigned to an area")
}

/// The words for an area against the city by their intervals (METHODS §2.2): short for a table
/// cell under the heading [`versus_city_heading`], long where it stands alone (a tooltip).
pub fn versus_city_label(v: crate::stats::VersusCity, long: bool, locale: Locale) -> &'static str {
    use crate::stats::VersusCity::*;
    match (v, long) {
        (NotClearlyDifferent, false) => {
            locale.pick("nicht deutlich verschieden", "not clearly different")
        }
        (NotClearlyDifferent, true) => locale.pick(
            "nicht deutlich verschieden vom Stadtwert",
            "not clearly different from the city",
        ),
        (ClearlyHigher, false) => locale.pick("deutlich höher", "clearly higher"),
        (ClearlyHigher, true) => locale.pick(
            "deutlich höher als der Stadtwert",
            "clearly higher than the city",
        ),
        (ClearlyLower, false) => locale.pick("deutlich niedriger", "clearly lower"),
        (ClearlyLower, true) => locale.pick(
            "deutlich niedriger als der Stadtwert",
            "clearly lower than the city",
        ),
    }
}

/// The heading of the column of [`versus_city_label`].
pub fn versus_city_heading(locale: Locale) -> &'static str {
    locale.pick("Gegenüber dem Stadtwert", "Against the city")
}

/// The heading of the interval column.
pub fn interval_heading(locale: Locale) -> &'static str {
    locale.pick("95-%-Intervall", "95 % interval")
}

/// An interval as text, `10,2–12,5` (German) or `10.2–12.5`.
pub fn interval_text(ci: (f64, f64), decimals: usize, locale: Locale) -> String {
    format!(
        "{}–{}",
        crate::locale::format_decimal(ci.0, decimals, locale),
        crate::locale::format_decimal(ci.1, decimals, locale)
    )
}

/// What the interval and the comparison with the city mean, in one note under a table.
pub fn interval_note(locale: Locale) -> &'static str {
    locale.pick(
        "95-%-Intervall: Wilson-Intervall des veröffentlichten Werts. „Nicht deutlich verschieden“ \
         vom Stadtwert: Die Intervalle von Gebiet und Stadt überschneiden sich, der Unterschied \
         kann Zufall sein; „deutlich höher/niedriger“: Sie überschneiden sich nicht.",
        "95 % interval: Wilson interval of the published value. “Not clearly different” from the \
         city: the area's and the city's intervals overlap, so the difference may be chance; \
         “clearly higher/lower”: they do not overlap.",
    )
}
