//! The one error type of the crate.

use thiserror::Error;

/// Everything that can go wrong in an analysis run, with enough detail to tell the user what to fix.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AnalysisError {
    /// Columns (or weights and values) of different lengths were given together.
    #[error("length mismatch: {what} has {got} entries, expected {expected}")]
    LengthMismatch {
        /// Which input was too long or too short.
        what: String,
        /// The length that was expected.
        expected: usize,
        /// The length that was found.
        got: usize,
    },
    /// A value that must be finite is NaN or infinite.
    #[error("non-finite value in {what} at row {row}")]
    NonFinite {
        /// Which input.
        what: String,
        /// Row (area) index, 0-based.
        row: usize,
    },
    /// Too few areas for the statistic (e.g. a z-value of one area, k clusters of fewer areas).
    #[error("too few areas: {what} needs at least {needed}, got {got}")]
    TooFewAreas {
        /// Which computation.
        what: String,
        /// Minimum number of areas.
        needed: usize,
        /// Number of areas given.
        got: usize,
    },
    /// A setting is outside its allowed range.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// The setting.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A region stays over the maximum of a regionalisation and cannot be cut with both parts
    /// on the floor.
    #[error(
        "the region of {} keeps {total}, over the maximum {max}, and no cut leaves both parts on the floor",
        region_words(members, names)
    )]
    OverMaximum {
        /// Its member areas (indices into the input).
        members: Vec<usize>,
        /// Their names, when the caller knows them (empty from the pure functions).
        names: Vec<String>,
        /// The region's sum of the maximum's variable.
        total: f64,
        /// The maximum.
        max: f64,
    },
    /// The variable has no variance, so a correlation statistic (Moran's I) is undefined.
    #[error("{what} is constant over all areas: the statistic is undefined")]
    ConstantValues {
        /// Which variable.
        what: String,
    },
}

fn region_words(members: &[usize], names: &[String]) -> String {
    if names.is_empty() {
        let list: Vec<String> = members.iter().map(usize::to_string).collect();
        format!("areas {}", list.join(", "))
    } else {
        names.join(", ")
    }
}

/// Result alias of the crate.
pub type Result<T> = std::result::Result<T, AnalysisError>;

/// Checks that every value is finite; the name goes into the error message.
pub(crate) fn check_finite(what: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(row) => Err(AnalysisError::NonFinite {
            what: what.to_string(),
            row,
        }),
        None => Ok(()),
    }
}

/// Checks that a column has the expected length.
pub(crate) fn check_len(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(AnalysisError::LengthMismatch {
            what: what.to_string(),
            expected,
            got,
        })
    }
}
