//! `atlas.toml`: the declarative description of a city's atlas.

use serde::{Deserialize, Serialize};
use sozialatlas_core::Text;
use std::collections::BTreeMap;

/// The whole `atlas.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtlasConfig {
    /// Name, city, catalogue file, attribution.
    pub atlas: AtlasMeta,
    /// Computation settings.
    #[serde(default)]
    pub settings: Settings,
    /// Levels of the hierarchy, coarsest first.
    #[serde(rename = "level")]
    pub levels: Vec<LevelConfig>,
    /// Overlay layers (e.g. Aktionsräume).
    #[serde(default, rename = "overlay")]
    pub overlays: Vec<LevelConfig>,
    /// Data files.
    #[serde(default, rename = "data")]
    pub data: Vec<DataConfig>,
    /// The address register, if the atlas has one.
    #[serde(default)]
    pub addresses: Option<AddressConfig>,
}

/// `[addresses]`: the address register (Adressverzeichnis) — a CSV file (or one compressed with
/// gzip, `.csv.gz`) with one row per address, each with the area of `level` it lies in, given by
/// the area's key (`area`) or by coordinates (`x`, `y`, `crs`: located in the level's polygons
/// during the load). The atlas's search then finds an area by address, street or postcode.
///
/// An address whose key is no area of the level, or whose point lies outside every area, is
/// reported as a warning of the load (count and sample lines) and left out; an address given
/// twice with two areas is an error.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressConfig {
    /// Path relative to the folder: `.csv`, or `.csv.gz`.
    pub file: String,
    /// The level whose areas the addresses lie in (of a level with boundary vintages: the
    /// current vintage).
    pub level: String,
    /// The column with the street name.
    pub street: String,
    /// The column with the house number: digits, optionally followed by a suffix (`12`, `12a`,
    /// `12 1/2`); empty for an address without number. Optional: without it the register lists
    /// streets only.
    #[serde(default)]
    pub number: Option<String>,
    /// The column with the house-number suffix (`A` of `12A`), when the file has one of its own.
    #[serde(default)]
    pub suffix: Option<String>,
    /// The column with the postcode.
    #[serde(default)]
    pub postcode: Option<String>,
    /// The column with the locality (Ortsteil, Ort).
    #[serde(default)]
    pub locality: Option<String>,
    /// The column with the key of the area the address lies in (instead of `x`, `y`, `crs`).
    #[serde(default)]
    pub area: Option<String>,
    /// Pad the area keys with leading zeros to this width before matching them to the level's
    /// keys. Integer; default: none.
    #[serde(default)]
    pub key_width: Option<usize>,
    /// The column with the x coordinate (easting, or longitude for EPSG:4326).
    #[serde(default)]
    pub x: Option<String>,
    /// The column with the y coordinate (northing, or latitude).
    #[serde(default)]
    pub y: Option<String>,
    /// The CRS of the coordinates, e.g. "EPSG:25833" or "EPSG:4326".
    #[serde(default)]
    pub crs: Option<String>,
    /// CSV field delimiter: `auto` (default), `;`, `,`, `tab` or `|`.
    #[serde(default = "auto")]
    pub delimiter: String,
    /// `auto` (default), `utf-8`, `windows-1252`.
    #[serde(default = "auto")]
    pub encoding: String,
}

pub use sozialatlas_model::{AtlasMeta, Settings};

/// An area given inline (e.g. the city itself, which has no boundary file).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlineArea {
    /// The key.
    pub key: String,
    /// The name.
    pub name: String,
    /// The parent key, when the level has a parent with more than one area.
    #[serde(default)]
    pub parent: Option<String>,
}

/// A `[[level]]` or `[[overlay]]` table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelConfig {
    /// Identifier.
    pub id: String,
    /// Name of one area of this level ("Stadtteil").
    pub name: Text,
    /// Parent level id (levels only).
    #[serde(default)]
    pub parent: Option<String>,
    /// Boundary file (GeoJSON, Shapefile, zipped Shapefile, GeoPackage `.gpkg`).
    #[serde(default)]
    pub boundaries: Option<String>,
    /// GeoPackage: the feature table to read, when the file has several. String; default: the
    /// only feature table. Example: `layer = "stadtbezirke"`.
    #[serde(default)]
    pub layer: Option<String>,
    /// Areas given inline, when there is no boundary file.
    #[serde(default)]
    pub areas: Vec<InlineArea>,
    /// The property holding the area key.
    #[serde(default)]
    pub key: Option<String>,
    /// The property holding the area name.
    #[serde(default)]
    pub name_property: Option<String>,
    /// The property holding the parent's key (optional when the parent level has one area).
    #[serde(default)]
    pub parent_key: Option<String>,
    /// Pad keys with leading zeros to this width (keys are strings; "11" → "011").
    #[serde(default)]
    pub key_width: Option<usize>,
    /// CRS of the boundary file when it carries none (e.g. "EPSG:25832").
    #[serde(default)]
    pub crs: Option<String>,
    /// Repair invalid geometries instead of failing.
    #[serde(default)]
    pub repair: bool,
    /// Boundary vintage (Gebietsstand): a label such as `"2023"` for a level whose boundaries
    /// have one vintage, or `[[level.vintage]]` tables for a level whose boundaries changed.
    #[serde(default)]
    pub vintage: Option<VintageSpec>,
    /// Overlays: the level whose areas make up the overlay's areas (by their overlap with the
    /// overlay's boundaries, or as listed in `membership`).
    #[serde(default)]
    pub members: Option<String>,
    /// Overlays: what a member's share measures — `area` (the default: the share of the member's
    /// area inside the overlay area, from the geometries) or `population` (from a membership
    /// file). Shown with the overlay's values.
    #[serde(default)]
    pub shares: Option<sozialatlas_core::ShareKind>,
    /// Overlays: a share from the geometries within this much of 1 counts as whole membership, and
    /// one below it as none (slivers where boundaries were digitised apart); default 0.005.
    #[serde(default)]
    pub share_tolerance: Option<f64>,
    /// Overlays: the members and their shares from a file instead of from the geometries.
    #[serde(default)]
    pub membership: Option<MembershipConfig>,
}

/// A level's `vintage`: one label, or the vintages of a level whose boundaries changed.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum VintageSpec {
    /// `vintage = "2023"`: the boundary vintage of the level's one boundary file, as a label.
    Label(String),
    /// `[[level.vintage]]`: each vintage with its boundaries and years, oldest first.
    Vintages(Vec<VintageConfig>),
}

impl<'de> Deserialize<'de> for VintageSpec {
    /// A string or an array of tables, each deserialised strictly (an unknown key in a
    /// `[[level.vintage]]` table is named with the keys it takes).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = VintageSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a label such as \"2023\", or [[level.vintage]] tables")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<VintageSpec, E> {
                Ok(VintageSpec::Label(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                seq: A,
            ) -> Result<VintageSpec, A::Error> {
                Vec::<VintageConfig>::deserialize(serde::de::value::SeqAccessDeserializer::new(seq))
                    .map(VintageSpec::Vintages)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `[[level.vintage]]`: one boundary vintage of a level whose boundaries changed. The level's
/// keys (`key`, `name_property`, `parent_key` …) hold for every vintage unless the vintage sets
/// its own.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VintageConfig {
    /// The vintage's id and label (`"2021"`): letters, digits, `_`. An older vintage's areas are
    /// the level `{level id}-{vintage id}`.
    pub id: String,
    /// The vintage's boundary file.
    pub boundaries: String,
    /// The first year the boundaries are valid for; required for every vintage but the first.
    /// A vintage is valid until the year before the next one's `from`.
    #[serde(default)]
    pub from: Option<i32>,
    /// GeoPackage: the feature table.
    #[serde(default)]
    pub layer: Option<String>,
    /// The property holding the area key, where it differs from the level's `key`.
    #[serde(default)]
    pub key: Option<String>,
    /// The property holding the area name, where it differs from the level's.
    #[serde(default)]
    pub name_property: Option<String>,
    /// The property holding the parent's key, where it differs from the level's.
    #[serde(default)]
    pub parent_key: Option<String>,
    /// Pad keys with leading zeros to this width, where it differs from the level's.
    #[serde(default)]
    pub key_width: Option<usize>,
    /// CRS of the boundary file when it carries none, where it differs from the level's.
    #[serde(default)]
    pub crs: Option<String>,
    /// Repair invalid geometries of this vintage (as the level's `repair`).
    #[serde(default)]
    pub repair: Option<bool>,
    /// The crosswalk onto the next vintage; none for the last.
    #[serde(default)]
    pub crosswalk: Option<CrosswalkConfig>,
}

/// `crosswalk = { … }` of a `[[level.vintage]]`: a CSV or XLSX file with one row per area of
/// the vintage and area of the next vintage it (partly) lies in, with the share of the old
/// area's count that goes there.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrosswalkConfig {
    /// Path relative to the folder.
    pub file: String,
    /// The column with the key of the area of this (older) vintage.
    pub old: String,
    /// The column with the key of the area of the next vintage.
    pub new: String,
    /// The column with the share of the old area's count that goes to the new area, in (0, 1];
    /// the shares of an old area sum to 1.
    pub share: String,
    /// What the shares measure: `area` or `population`. Required: shown with every converted
    /// value.
    pub shares: sozialatlas_core::ShareKind,
    /// XLSX: the sheet (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
}

/// `[overlay.membership]`: a CSV or XLSX file with one row per overlay area and member area.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipConfig {
    /// Path relative to the folder.
    pub file: String,
    /// The column with the overlay area's key.
    pub overlay: String,
    /// The column with the member area's key (an area of the overlay's `members` level).
    pub member: String,
    /// The column with the member's share inside the overlay area, in (0, 1] (e.g. of its
    /// population); without it every listed member belongs whole.
    #[serde(default)]
    pub share: Option<String>,
    /// XLSX: the sheet (default: the first).
    #[serde(default)]
    pub sheet: Option<String>,
}

/// Table layout of a data file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One row per area and period, one column per variable.
    #[default]
    Wide,
    /// One row per area, period and variable.
    Long,
}

/// What a data file holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DataKind {
    /// Values per area (and period and variable): CSV or XLSX, wide or long.
    #[default]
    Table,
    /// Geocoded records (one row per case, person, facility …) with coordinates: each record is
    /// located in an area of `level` by point-in-polygon and counted (or its `weight` summed) per
    /// area, period and variable, giving the same observations as a long table of counts would.
    Points,
}

/// A `[[data]]` table: one CSV or XLSX file mapped onto variables.
///
/// A points file (`kind = "points"`, CSV only) needs `x`, `y` and `crs`, a period (`period`
/// column or `period_value`) and a variable (`variable`, one variable id for every record, or
/// `variable_column` with optional `variable_names`); `weight` sums a column instead of counting.
/// Every area of the level gets a value for every period and variable, 0 where no record falls;
/// records outside every area are reported as a warning of the load (count and sample lines).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Path relative to the folder.
    pub file: String,
    /// `table` (default) or `points`.
    #[serde(default)]
    pub kind: DataKind,
    /// The level whose keys the area column holds (points: the level whose areas count them).
    pub level: String,
    /// Wide or long.
    #[serde(default)]
    pub layout: Layout,
    /// The column with the area key (tables only).
    #[serde(default)]
    pub area: Option<String>,
    /// Points: the column with the x coordinate (easting, or longitude for EPSG:4326).
    #[serde(default)]
    pub x: Option<String>,
    /// Points: the column with the y coordinate (northing, or latitude).
    #[serde(default)]
    pub y: Option<String>,
    /// Points: the CRS of the coordinates, e.g. "EPSG:25832" or "EPSG:4326".
    #[serde(default)]
    pub crs: Option<String>,
    /// Points: the variable id every record counts towards (instead of `variable_column`).
    #[serde(default)]
    pub variable: Option<String>,
    /// Points: sum this column instead of counting records.
    #[serde(default)]
    pub weight: Option<String>,
    /// The column with the period (year).
    #[serde(default)]
    pub period: Option<String>,
    /// A fixed period for files without a period column.
    #[serde(default)]
    pub period_value: Option<i32>,
    /// Wide: variable id → column name.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Long and points: the column naming the variable.
    #[serde(default)]
    pub variable_column: Option<String>,
    /// Long: the column with the value.
    #[serde(default)]
    pub value_column: Option<String>,
    /// Long and points: source variable name → variable id (names not listed are ignored when
    /// `ignore_unmapped` is set, else an error).
    #[serde(default)]
    pub variable_names: BTreeMap<String, String>,
    /// Long and points: skip rows whose variable is not mapped.
    #[serde(default)]
    pub ignore_unmapped: bool,
    /// Rows whose area column is empty (totals, "nicht zuordenbar") are skipped.
    #[serde(default)]
    pub skip_empty_area: bool,
    /// Only the rows whose columns hold these values are read (tables): `{ ebene = "stadtteil" }`
    /// for a file with the rows of several levels, a list for several values
    /// (`{ ebene = ["stadt", "gesamt"] }`). The other rows are skipped.
    #[serde(default, rename = "where")]
    pub filter: BTreeMap<String, OneOrMany>,
    /// Pad the area keys of this file with leading zeros to this width before matching them to
    /// the level's keys (`101` → `0101` with `key_width = 4`). Integer; default: none (keys as
    /// written). Example: `key_width = 4`.
    #[serde(default)]
    pub key_width: Option<usize>,
    /// For a level with several boundary vintages: the vintage whose keys the file holds (a
    /// vintage id). Default: each row's vintage is the one valid in its year.
    #[serde(default)]
    pub vintage: Option<String>,
    /// The file may hold a header and no rows (e.g. a yearly file not yet filled). Boolean;
    /// default `false`: a data file without rows (a points file without records) is an error.
    /// Example: `optional = true`.
    #[serde(default)]
    pub optional: bool,
    /// CSV field delimiter: `auto` (default: the one that splits the first lines into equally
    /// many fields), `;`, `,`, `tab` or `|`. Example: `delimiter = ";"`.
    #[serde(default = "auto")]
    pub delimiter: String,
    /// Decimal mark of numbers written as text: `auto` (default), `,` or `.`.
    /// Example: `decimal = ","`. With `auto` the marks are decided from the file's values
    /// (see `thousands`).
    #[serde(default = "auto")]
    pub decimal: String,
    /// Thousands separator of numbers written as text: `auto` (default), `none`, `.`, `,`, `" "`
    /// (a space; also matches the no-break and narrow no-break space) or `'`.
    /// Example: `thousands = "."` (German: `1.234.567,8`). With `auto` the file's values decide
    /// both marks: `12,5` makes `,` the decimal mark, `1.234.567` makes `.` the thousands
    /// separator, and a value that still reads two ways — `1.057` with nothing else deciding —
    /// is refused, naming both readings; so are values written in two ways (`1,5` and `1.5`).
    #[serde(default = "auto")]
    pub thousands: String,
    /// `auto`, `utf-8`, `windows-1252`.
    #[serde(default = "auto")]
    pub encoding: String,
    /// XLSX: the sheet by name. String; default: the first sheet. Example: `sheet = "Tabelle 3"`.
    #[serde(default)]
    pub sheet: Option<String>,
    /// The row (XLSX, as Excel numbers it) or line (CSV) with the column names, counted from 1;
    /// or several rows, whose names are joined per column with " / " (a merged cell counts for
    /// every column it spans; equal parts are not repeated). Rows above it (titles) are ignored.
    /// Integer or list of integers; default: 1. Example: `header_row = [4, 5]` gives columns
    /// such as "Einwohner / insgesamt". Below the table, rows holding only a note (one text
    /// cell that is no area key: "1) ohne …", "Quelle: …") and empty rows are ignored.
    #[serde(default)]
    pub header_row: Option<HeaderRows>,
    /// Rows (lines) below the header that hold no data — a units row, column numbers —
    /// counted like `header_row`. List of integers; default: none. Example: `skip_rows = [6]`.
    #[serde(default)]
    pub skip_rows: Vec<u64>,
    /// Cell texts that mean "missing" (fehlend) in this file. List of strings; default: the
    /// settings' `missing_markers`. Example: `missing = ["", "."]`.
    #[serde(default)]
    pub missing: Option<Vec<String>>,
    /// Cell texts that mean "suppressed by the source" (geheim gehalten) in this file. List of
    /// strings; default: the settings' `suppressed_markers`. Example: `suppressed = ["."]`.
    #[serde(default)]
    pub suppressed: Option<Vec<String>>,
    /// Cell texts that mean "nothing, exactly zero" (nichts vorhanden) in this file, read as 0.
    /// List of strings; default: the settings' `zero_markers`. Example: `zero = ["–", "-"]`.
    #[serde(default)]
    pub zero: Option<Vec<String>>,
}

/// One text or a list of texts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One value.
    One(String),
    /// Any of these values.
    Many(Vec<String>),
}

impl OneOrMany {
    /// Whether `text` is the value (or one of the values).
    pub fn matches(&self, text: &str) -> bool {
        match self {
            OneOrMany::One(v) => v == text,
            OneOrMany::Many(vs) => vs.iter().any(|v| v == text),
        }
    }
}

/// `header_row`: one row or several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HeaderRows {
    /// `header_row = 3`
    One(u64),
    /// `header_row = [3, 4]`
    Many(Vec<u64>),
}

impl HeaderRows {
    /// The rows, in the order given.
    pub fn rows(&self) -> Vec<u64> {
        match self {
            HeaderRows::One(r) => vec![*r],
            HeaderRows::Many(v) => v.clone(),
        }
    }
}

fn auto() -> String {
    "auto".into()
}
