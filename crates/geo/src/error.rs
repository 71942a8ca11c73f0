//! The one error type of this crate.

use std::fmt;

/// Something in a boundary file (or a CRS given by the user) that this crate cannot use.
///
/// Errors name the file, the feature (0-based index and key when known), the field, what was
/// expected and what was found, so that the message can be shown to a planner as it is:
///
/// `bezirke.geojson: feature 3 (key "011"), geometry: expected Polygon or MultiPolygon, found Point`
#[derive(Debug, Clone, PartialEq)]
pub struct GeoError {
    /// The file as the user named it (empty when no file is involved, e.g. a CRS string).
    pub file: String,
    /// 0-based record number of the feature in the file.
    pub feature: Option<usize>,
    /// The feature's key (the value of `ReadOptions::key_property`), when known.
    pub key: Option<String>,
    /// The member, field or setting concerned, e.g. `geometry`, `crs`, `.prj`.
    pub field: Option<String>,
    /// What was expected, in plain words.
    pub expected: String,
    /// What was found instead.
    pub found: String,
}

impl GeoError {
    /// An error about a whole file (no feature).
    pub(crate) fn file(
        file: &str,
        field: Option<&str>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        GeoError {
            file: file.to_string(),
            feature: None,
            key: None,
            field: field.map(str::to_string),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Sets the file name where it is not yet known (errors from CRS handling).
    pub(crate) fn in_file(mut self, file: &str) -> Self {
        if self.file.is_empty() {
            self.file = file.to_string();
        }
        self
    }

    /// Attaches the feature (index and key) the error is about.
    pub(crate) fn at_feature(mut self, index: usize, key: Option<&str>) -> Self {
        self.feature = Some(index);
        if self.key.is_none() {
            self.key = key.map(str::to_string);
        }
        self
    }
}

impl fmt::Display for GeoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if !self.file.is_empty() {
            write!(f, "{}", self.file)?;
            sep = ": ";
        }
        if let Some(i) = self.feature {
            write!(f, "{sep}feature {i}")?;
            if let Some(k) = &self.key {
                write!(f, " (key {k:?})")?;
            }
            sep = ", ";
        }
        if let Some(field) = &self.field {
            write!(f, "{sep}{field}")?;
            sep = ": ";
        } else if !sep.is_empty() {
            sep = ": ";
        }
        write!(f, "{sep}expected {}, found {}", self.expected, self.found)
    }
}

impl std::error::Error for GeoError {}
