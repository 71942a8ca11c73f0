//! The published atlas in memory ([`Snapshot`]) and the facts of the load it comes from.

use std::collections::HashMap;

use geo_types::MultiPolygon;
use serde::{Deserialize, Serialize};
use sozialatlas_core::compute::{IndicatorValue, Unassigned, ValueState};
use sozialatlas_core::model::Area;
use sozialatlas_core::{AreaTree, Catalogue, Locale};

use crate::{AddressRegister, AtlasMeta, EditorText, InputFile, Settings};

/// Counts for the summary a build prints.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// (level id, number of areas), in level order.
    pub areas_per_level: Vec<(String, usize)>,
    /// Number of variables in the catalogue.
    pub variables: usize,
    /// Periods with data.
    pub periods: Vec<i32>,
    /// Number of indicators.
    pub indicators: usize,
    /// Number of given observations.
    pub observations: usize,
    /// Indicator values published / suppressed / not available.
    pub values_published: usize,
    /// Indicator values suppressed (here or at the source).
    pub values_suppressed: usize,
    /// Indicator values missing, incomplete or undefined.
    pub values_unavailable: usize,
    /// Warnings.
    pub warnings: usize,
}

/// Facts about the load a snapshot comes from (for "Stand" and traceability, METHODS §7).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LoadInfo {
    /// Load id.
    pub id: i64,
    /// When (RFC 3339).
    pub loaded_at: String,
    /// Program version that loaded it.
    pub program_version: String,
    /// Catalogue version.
    pub catalogue_version: String,
    /// Combined checksum of the inputs.
    pub fingerprint: String,
    /// The folder it came from.
    pub source: String,
    /// The input files.
    pub inputs: Vec<InputFile>,
    /// Warnings of the load.
    pub warnings: Vec<String>,
    /// The summary.
    pub summary: Summary,
}

/// Where each (indicator, area, period) is in the values.
#[derive(Clone, Debug)]
enum ValueIndex {
    /// One slot per indicator × period × area (`u32::MAX`: none), when that is at most four
    /// slots per value: 4 bytes a value instead of a hash entry of 40 or more.
    Dense { areas: usize, slots: Vec<u32> },
    /// A hash map, for atlases whose values cover few of the combinations.
    Sparse(HashMap<(usize, usize, i32), usize>),
}

impl ValueIndex {
    fn of(values: &[IndicatorValue], periods: &[i32], indicators: usize, areas: usize) -> Self {
        let indicators = indicators.max(values.iter().map(|v| v.indicator + 1).max().unwrap_or(0));
        let areas = areas.max(values.iter().map(|v| v.area + 1).max().unwrap_or(0));
        let slots = indicators
            .saturating_mul(periods.len())
            .saturating_mul(areas);
        if slots <= values.len().saturating_mul(4).max(1 << 16) && values.len() < u32::MAX as usize
        {
            let mut dense = vec![u32::MAX; slots];
            for (i, v) in values.iter().enumerate() {
                if let Ok(p) = periods.binary_search(&v.period) {
                    dense[(v.indicator * periods.len() + p) * areas + v.area] = i as u32;
                }
            }
            ValueIndex::Dense {
                areas,
                slots: dense,
            }
        } else {
            ValueIndex::Sparse(
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| ((v.indicator, v.area, v.period), i))
                    .collect(),
            )
        }
    }

    fn get(&self, periods: &[i32], indicator: usize, area: usize, period: i32) -> Option<usize> {
        match self {
            ValueIndex::Dense { areas, slots } => {
                if area >= *areas {
                    return None;
                }
                let p = periods.binary_search(&period).ok()?;
                let slot = *slots.get((indicator * periods.len() + p) * areas + area)?;
                (slot != u32::MAX).then_some(slot as usize)
            }
            ValueIndex::Sparse(map) => map.get(&(indicator, area, period)).copied(),
        }
    }
}

/// The published atlas, read whole into memory: what the web, the exports and the report show.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The load.
    pub load: LoadInfo,
    /// Name, city, Stand, attribution.
    pub meta: AtlasMeta,
    /// Settings in use.
    pub settings: Settings,
    /// The catalogue.
    pub catalogue: Catalogue,
    /// Levels and areas.
    pub tree: AreaTree,
    /// Geometries, parallel to `tree.areas`.
    pub geometries: Vec<Option<MultiPolygon<f64>>>,
    /// Periods with data, ascending.
    pub periods: Vec<i32>,
    /// Every indicator value (raw; use [`IndicatorValue::published`]).
    pub values: Vec<IndicatorValue>,
    /// The editors' texts of the report (empty for an atlas without `texts/`).
    pub texts: Vec<EditorText>,
    /// Indicators of the parts of areas not assigned to their areas on a finer level (see
    /// [`Snapshot::unassigned`]).
    pub unassigned: Vec<Unassigned>,
    /// The address register (`[addresses]` of atlas.toml), if the atlas has one.
    pub addresses: Option<AddressRegister>,
    index: ValueIndex,
    unassigned_index: HashMap<(usize, usize, usize, i32), usize>,
}

impl Snapshot {
    /// Builds a snapshot from its parts (also used for in-memory atlases).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        load: LoadInfo,
        meta: AtlasMeta,
        settings: Settings,
        catalogue: Catalogue,
        tree: AreaTree,
        geometries: Vec<Option<MultiPolygon<f64>>>,
        values: Vec<IndicatorValue>,
    ) -> Self {
        let mut periods: Vec<i32> = values.iter().map(|v| v.period).collect();
        periods.sort_unstable();
        periods.dedup();
        let index = ValueIndex::of(
            &values,
            &periods,
            catalogue.indicators.len(),
            tree.areas.len(),
        );
        Snapshot {
            load,
            meta,
            settings,
            catalogue,
            tree,
            geometries,
            periods,
            values,
            texts: Vec::new(),
            unassigned: Vec::new(),
            addresses: None,
            index,
            unassigned_index: HashMap::new(),
        }
    }

    /// The snapshot with the indicators of the parts not assigned to an area.
    pub fn with_unassigned(mut self, unassigned: Vec<Unassigned>) -> Self {
        self.unassigned_index = unassigned
            .iter()
            .enumerate()
            .map(|(i, u)| {
                (
                    (u.value.indicator, u.value.area, u.level, u.value.period),
                    i,
                )
            })
            .collect();
        self.unassigned = unassigned;
        self
    }

    /// The part of `area` not assigned to its areas on `level` ("nicht zugeordnet"), for an
    /// indicator in a period, where there is one.
    pub fn unassigned(
        &self,
        indicator: usize,
        area: usize,
        level: usize,
        period: i32,
    ) -> Option<&IndicatorValue> {
        self.unassigned_index
            .get(&(indicator, area, level, period))
            .map(|&i| &self.unassigned[i].value)
    }

    /// The editors' text `name` (`introduction`, `typology` or a dimension id) in `locale`,
    /// else in German (the atlas's default language), if the atlas folder has one.
    pub fn text(&self, name: &str, locale: Locale) -> Option<&EditorText> {
        let find = |l: Locale| self.texts.iter().find(|t| t.name == name && t.locale == l);
        find(locale).or_else(|| find(Locale::De))
    }

    /// Whether the atlas withholds values for confidentiality (any indicator value suppressed
    /// here). Then the checksums of its value tables are not public: with the published
    /// figures, a reader could try candidate files until one matches the checksum and so
    /// recover the suppressed cells.
    pub fn withholds_values(&self) -> bool {
        self.values
            .iter()
            .any(|v| v.state == ValueState::Suppressed)
            || self
                .unassigned
                .iter()
                .any(|u| u.value.state == ValueState::Suppressed)
    }

    /// The SHA-256 of `file` as the public may see it: `None` for a value table (a file with
    /// cell markers) of an atlas that [withholds values](Snapshot::withholds_values); staff
    /// see `file.sha256`.
    pub fn public_sha256<'a>(&self, file: &'a InputFile) -> Option<&'a str> {
        if file.markers.is_some() && self.withholds_values() {
            None
        } else {
            Some(&file.sha256)
        }
    }

    /// The size of `file` in bytes as the public may see it: withheld with the checksum, since
    /// a count withheld in the file changes its size when it gains or loses a digit.
    pub fn public_bytes(&self, file: &InputFile) -> Option<u64> {
        self.public_sha256(file).map(|_| file.bytes)
    }

    /// What the public sees instead of a withheld checksum.
    pub fn withheld_checksum(locale: Locale) -> &'static str {
        locale.pick(
            "zurückgehalten: die Datei enthält Werte, die nicht veröffentlicht werden",
            "withheld: the file holds values that are not published",
        )
    }

    /// The combined checksum of the inputs as the public may see it: `None` when any value
    /// table's checksum is withheld (the combined one would confirm a guess just as well).
    pub fn public_fingerprint(&self) -> Option<&str> {
        if self
            .load
            .inputs
            .iter()
            .any(|f| self.public_sha256(f).is_none())
        {
            None
        } else {
            Some(&self.load.fingerprint)
        }
    }

    /// The areas among `areas` (indices into `tree.areas`) that have a geometry, each with its
    /// index and geometry, in the order given.
    pub fn with_geometry<'a>(
        &'a self,
        areas: &'a [usize],
    ) -> impl Iterator<Item = (usize, &'a Area, &'a MultiPolygon<f64>)> + 'a {
        areas.iter().filter_map(|&a| {
            let g = self.geometries.get(a)?.as_ref()?;
            Some((a, &self.tree.areas[a], g))
        })
    }

    /// The value of an indicator in an area and period.
    pub fn value(&self, indicator: usize, area: usize, period: i32) -> Option<&IndicatorValue> {
        self.index
            .get(&self.periods, indicator, area, period)
            .map(|i| &self.values[i])
    }

    /// Periods in which an indicator has at least one published value.
    pub fn periods_of(&self, indicator: usize) -> Vec<i32> {
        let mut p: Vec<i32> = self
            .values
            .iter()
            .filter(|v| v.indicator == indicator && v.state == ValueState::Ok)
            .map(|v| v.period)
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(indicator: usize, area: usize, period: i32) -> IndicatorValue {
        IndicatorValue {
            indicator,
            area,
            period,
            value: Some((indicator * 1000 + area) as f64 + f64::from(period) / 10_000.0),
            numerator: None,
            denominator: None,
            state: ValueState::Ok,
            ci: None,
            low_population: false,
            basis: Default::default(),
        }
    }

    /// Both forms of the index find exactly the values a search of the list finds, and nothing
    /// for an indicator, area or period outside them.
    #[test]
    fn the_dense_and_the_sparse_index_find_what_a_search_finds() {
        // Dense: most combinations of 3 indicators × 50 areas × 4 periods. Sparse: a few values
        // spread over many periods and areas.
        let dense: Vec<IndicatorValue> = (0..3)
            .flat_map(|i| (0..50).flat_map(move |a| [2019, 2020, 2022, 2023].map(|p| (i, a, p))))
            .filter(|&(i, a, p)| !(i + a + p as usize).is_multiple_of(7))
            .map(|(i, a, p)| value(i, a, p))
            .collect();
        let sparse: Vec<IndicatorValue> = (0..40)
            .map(|k| value(k % 3, k * 997 % 30_000, 1900 + (k as i32) * 3))
            .collect();
        for (values, dense_expected) in [(dense, true), (sparse, false)] {
            let mut periods: Vec<i32> = values.iter().map(|v| v.period).collect();
            periods.sort_unstable();
            periods.dedup();
            let index = ValueIndex::of(&values, &periods, 3, 50);
            assert_eq!(matches!(index, ValueIndex::Dense { .. }), dense_expected);
            for i in 0..4 {
                for a in (0..60).chain([29_000, 29_910]) {
                    for p in periods.iter().copied().chain([1800, 2021, 2100]) {
                        let found = index.get(&periods, i, a, p).map(|k| &values[k]);
                        let searched = values
                            .iter()
                            .find(|v| v.indicator == i && v.area == a && v.period == p);
                        assert_eq!(found, searched, "indicator {i}, area {a}, period {p}");
                    }
                }
            }
        }
    }
}
