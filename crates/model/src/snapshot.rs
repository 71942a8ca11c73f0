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
    index: HashMap<(usize, usize, i32), usize>,
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
        let index = values
            .iter()
            .enumerate()
            .map(|(i, v)| ((v.indicator, v.area, v.period), i))
            .collect();
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
            .get(&(indicator, area, period))
            .map(|&i| &self.values[i])
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
