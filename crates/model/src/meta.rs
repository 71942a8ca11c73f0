//! What the atlas folder says about the atlas, as the published atlas keeps it: its name and
//! attribution (`[atlas]`), its settings (`[settings]`), the files a load read, the overlay
//! memberships and the editors' texts.

use serde::{Deserialize, Serialize};
use sozialatlas_core::{ComputeSettings, Locale, Text};

/// The `[atlas]` table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtlasMeta {
    /// Title of the atlas.
    pub name: Text,
    /// The city.
    pub city: String,
    /// Path of the catalogue TOML, relative to the folder.
    #[serde(default = "default_catalogue")]
    pub catalogue: String,
    /// "Stand": the date the data are as of, shown under every map and table.
    pub stand: String,
    /// Licence of the data, e.g. "CC0-1.0", "dl-de/by-2.0".
    #[serde(default)]
    pub licence: Option<String>,
    /// Attribution lines, shown wherever the data are shown and put into every export.
    #[serde(default)]
    pub attribution: Vec<String>,
    /// A line saying what the atlas is, for the start page.
    #[serde(default)]
    pub description: Option<Text>,
}

fn default_catalogue() -> String {
    "catalogue.toml".into()
}

/// The `[settings]` table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Primary suppression threshold (default 3).
    #[serde(default = "default_threshold")]
    pub suppression_threshold: u32,
    /// The population variable, for the reliability flag.
    #[serde(default)]
    pub population_variable: Option<String>,
    /// Areas below this population are flagged.
    #[serde(default)]
    pub min_population: Option<f64>,
    /// Cell texts that mean "missing" in every data file that does not set its own `missing`.
    /// List of strings; default: empty, `...`, `NA`, `n/a`. Not `.` and not a dash: in German
    /// official statistics `.` means "unknown or secret" and `–` "nothing, exactly zero", so a
    /// file that uses them must say which. Example: `missing_markers = ["", "-", "..."]`.
    #[serde(default = "default_missing")]
    pub missing_markers: Vec<String>,
    /// Cell texts that mean "suppressed by the source" (geheim gehalten) in every data file that
    /// does not set its own `suppressed`. List of strings; default: `x`, `X`, `*`, `•`.
    /// Example: `suppressed_markers = ["x", "."]`.
    #[serde(default = "default_suppressed")]
    pub suppressed_markers: Vec<String>,
    /// Cell texts that mean "nothing, exactly zero" (nichts vorhanden, the `–` of German official
    /// tables) in every data file that does not set its own `zero`: read as the number 0.
    /// List of strings; default: none. Example: `zero_markers = ["–"]`.
    #[serde(default)]
    pub zero_markers: Vec<String>,
    /// The largest share of a given (official) value that may be not assigned to its sub-areas
    /// before the load warns (default 0.01: 1 %); a sum of sub-areas above the official value is
    /// always reported.
    #[serde(default = "sozialatlas_core::compute::default_unassigned_tolerance")]
    pub unassigned_tolerance: f64,
}

impl Settings {
    /// What the computation needs of these settings.
    pub fn compute_settings(&self) -> ComputeSettings {
        ComputeSettings {
            suppression_threshold: self.suppression_threshold,
            population_variable: self.population_variable.clone(),
            min_population: self.min_population,
            unassigned_tolerance: self.unassigned_tolerance,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            suppression_threshold: default_threshold(),
            population_variable: None,
            min_population: None,
            missing_markers: default_missing(),
            suppressed_markers: default_suppressed(),
            zero_markers: Vec::new(),
            unassigned_tolerance: sozialatlas_core::compute::default_unassigned_tolerance(),
        }
    }
}

fn default_threshold() -> u32 {
    3
}
fn default_missing() -> Vec<String> {
    ["", "...", "NA", "n/a"].map(String::from).to_vec()
}
fn default_suppressed() -> Vec<String> {
    ["x", "X", "*", "•"].map(String::from).to_vec()
}
/// An input file with its checksum, recorded with every load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// Path relative to the atlas folder.
    pub path: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// A data file's cell markers: which texts mean missing and which suppressed there (`None`
    /// for files that are no value table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markers: Option<Markers>,
}

/// The cell texts that a data file uses for missing and for source-suppressed values, as they
/// were in effect for the load (the file's `missing` and `suppressed`, or the settings').
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markers {
    /// Texts that mean "missing" (fehlend).
    pub missing: Vec<String>,
    /// Texts that mean "suppressed by the source" (geheim gehalten).
    pub suppressed: Vec<String>,
    /// Texts that mean "nothing, exactly zero" (nichts vorhanden), read as 0.
    #[serde(default)]
    pub zero: Vec<String>,
}

/// Membership of an area in an overlay area, with its share (part of the area tree in
/// `sozialatlas-core`, which computes the overlays from it).
pub use sozialatlas_core::Membership;

/// One editors' text: Markdown for one chapter in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorText {
    /// `introduction`, `typology` or a dimension id.
    pub name: String,
    /// The language of the text.
    pub locale: Locale,
    /// The file it came from, relative to the atlas folder.
    pub path: String,
    /// The Markdown (CommonMark) source.
    pub markdown: String,
}
