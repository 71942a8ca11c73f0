//! The printed report of the atlas (Bericht zur sozialen Lage): a PDF typeset by typst (used as a
//! library: the template in `templates/report.typ`, the data as a virtual JSON file, the maps
//! and charts as virtual SVG files, the Noto Sans fonts compiled in) and one self-contained HTML
//! file with the same chapters.
//!
//! Architecture invariant: pure — a Snapshot (and the current action-area set) in, bytes out; no
//! I/O, no SQL. Every number is a published value (`IndicatorValue::published`) formatted by
//! `sozialatlas_core::locale`, never by typst; a suppressed value is `•`, a missing one `–`.
//!
//! The change column compares each indicator with `--compare-year` if given, else with the
//! earliest year for which that indicator has data on the level (the year heads the column).

mod html;
pub mod markdown;
pub mod model;
mod pdf;
pub mod sheet;
pub mod typeset;

pub use model::{Figure, Inputs, Report, default_typology};
pub use sheet::{ProfileSheet, SheetGroup, SheetRow, profile_pdf};
use sozialatlas_core::Locale;

/// What to render.
#[derive(Clone, Debug)]
pub struct Options {
    /// Language of the report.
    pub locale: Locale,
    /// Report year (default: the latest year in which at least half as many indicators have
    /// data on the level as in its best covered year).
    pub year: Option<i32>,
    /// Level id (default: the finest level with data).
    pub level: Option<String>,
    /// The year the change is measured from (default: per indicator, its earliest year).
    pub compare_year: Option<i32>,
}

impl Options {
    /// The defaults in a language.
    pub fn new(locale: Locale) -> Options {
        Options {
            locale,
            year: None,
            level: None,
            compare_year: None,
        }
    }
}

/// The output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// PDF through typst.
    Pdf,
    /// One self-contained HTML file.
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pdf" => Ok(Format::Pdf),
            "html" => Ok(Format::Html),
            other => Err(format!("unknown format `{other}` (expected pdf or html)")),
        }
    }
}

/// Why the report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// An option names something the atlas does not have.
    #[error("{0}")]
    Option(String),
    /// A figure could not be rendered or read (names the indicator or area).
    #[error("{what}: {message}")]
    Figure {
        /// The figure (`the map of indicator `sgb2``).
        what: String,
        /// What went wrong.
        message: String,
    },
    /// The typesetter failed.
    #[error(transparent)]
    Typeset(#[from] typeset::TypesetError),
}

/// Renders the report. `progress(done, total, what)` is called for every step.
pub fn render(
    inputs: &Inputs<'_>,
    opts: &Options,
    format: Format,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<u8>, ReportError> {
    let report = model::build(inputs, opts, progress)?;
    lay_out(&report, format, progress)
}

/// Lays out a gathered report (see [`model::build`]).
pub fn lay_out(
    report: &Report,
    format: Format,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Pdf => pdf::pdf(report, progress),
        Format::Html => Ok(html::html(report).into_bytes()),
    }
}
