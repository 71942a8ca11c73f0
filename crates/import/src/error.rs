//! Import errors that say where (file, line, column or field), what was expected and what was
//! found, so a statistician can fix the input without reading code.

use std::fmt;

/// One problem in one input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    /// The file, relative to the atlas folder.
    pub file: String,
    /// 1-based line (CSV) or row (XLSX), when it applies.
    pub line: Option<u64>,
    /// The column (CSV/XLSX header) or the field (TOML key, GeoJSON property).
    pub column: Option<String>,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub found: String,
}

impl ImportError {
    /// An error about a whole file.
    pub fn file(
        file: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        ImportError {
            file: file.into(),
            line: None,
            column: None,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// Sets the line.
    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the column or field.
    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ", line {l}")?;
        }
        if let Some(c) = &self.column {
            write!(f, ", column `{c}`")?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)
    }
}

impl std::error::Error for ImportError {}

/// All problems found in one import (the import stops at the first file that has any, but
/// reports every problem of that file, up to a limit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportErrors(pub Vec<ImportError>);

/// How many problems of one file are reported before giving up.
pub const MAX_ERRORS: usize = 20;

impl fmt::Display for ImportErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        if self.0.len() >= MAX_ERRORS {
            write!(f, "\n(stopped after {MAX_ERRORS} problems)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportErrors {}

impl From<ImportError> for ImportErrors {
    fn from(e: ImportError) -> Self {
        ImportErrors(vec![e])
    }
}
