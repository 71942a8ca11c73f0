//! One area's profile as a PDF of its own (a page or two): what the profile page of the atlas
//! shows — the area beside its parent, a comparison area and the city, each indicator's year and
//! its position among all areas — with the locator map, the sources and the licence.
//!
//! The caller gives every text as shown (numbers formatted by `sozialatlas_core::locale`) and
//! every figure as an SVG; this module only lays them out with `templates/profile.typ`.

use serde::Serialize;

use crate::ReportError;
use crate::model::Figure;

/// The template of the profile sheet.
const TEMPLATE: &str = include_str!("../templates/profile.typ");

/// One area's profile, laid out as shown on the page.
#[derive(Clone, Debug, Serialize)]
pub struct ProfileSheet {
    /// `de` or `en`.
    pub lang: &'static str,
    /// The atlas name.
    pub atlas: String,
    /// The area's name (the title).
    pub name: String,
    /// `Stadtteil 01 · in Flensburg`.
    pub subtitle: String,
    /// "Stand" of the data with its label (`Stand: 31.12.2023`).
    pub stand: String,
    /// The address of the profile page, printed in the footer.
    pub url: String,
    /// The heading of the indicator column.
    pub indicator_header: String,
    /// The heading of the year column.
    pub year_header: String,
    /// The headings of the value columns: the area, then parent, comparison area, city.
    pub columns: Vec<String>,
    /// The heading of the position column (empty: no such column).
    pub position_header: String,
    /// The groups of rows (one per dimension).
    pub groups: Vec<SheetGroup>,
    /// The locator map.
    pub locator: Option<Figure>,
    /// The notes under the table (signs, marks).
    pub notes: Vec<String>,
    /// Labels and lines of the sources block: (label, lines).
    pub sources: Vec<(String, Vec<String>)>,
    /// Program and load, in small print.
    pub colophon: String,
}

/// The indicators of one dimension.
#[derive(Clone, Debug, Serialize)]
pub struct SheetGroup {
    /// Dimension name.
    pub name: String,
    /// Rows.
    pub rows: Vec<SheetRow>,
}

/// One indicator.
#[derive(Clone, Debug, Serialize)]
pub struct SheetRow {
    /// Indicator name with unit.
    pub name: String,
    /// Year of the values.
    pub year: String,
    /// The values, one per column of [`ProfileSheet::columns`].
    pub values: Vec<String>,
    /// The position among all areas (spine chart), if shown.
    pub spine: Option<Figure>,
}

impl ProfileSheet {
    fn figures(&self) -> impl Iterator<Item = &Figure> + Clone {
        self.locator.iter().chain(
            self.groups
                .iter()
                .flat_map(|g| g.rows.iter().filter_map(|r| r.spine.as_ref())),
        )
    }
}

/// Typesets the sheet as a tagged PDF. A figure the typesetter cannot read is named in the error.
pub fn profile_pdf(sheet: &ProfileSheet) -> Result<Vec<u8>, ReportError> {
    if let Some(r) = sheet
        .groups
        .iter()
        .flat_map(|g| &g.rows)
        .find(|r| r.values.len() != sheet.columns.len())
    {
        return Err(ReportError::Option(format!(
            "the profile row `{}` has {} values for {} columns",
            r.name,
            r.values.len(),
            sheet.columns.len()
        )));
    }
    crate::pdf::typeset(TEMPLATE, sheet, sheet.figures())
}
