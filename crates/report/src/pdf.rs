//! The PDF: the report as JSON and its figures as SVG files in a virtual typst world, laid out
//! by `templates/report.typ`.

use serde::Serialize;

use crate::ReportError;
use crate::model::{Figure, Report};
use crate::typeset::Job;

/// The template of the report.
const TEMPLATE: &str = include_str!("../templates/report.typ");

/// Checks that every figure is an SVG the typesetter can read, naming the figure if not.
fn check_figures<'a>(figures: impl IntoIterator<Item = &'a Figure>) -> Result<(), ReportError> {
    let options = sozialatlas_render::usvg_options();
    for f in figures {
        resvg::usvg::Tree::from_str(&f.svg, &options).map_err(|e| ReportError::Figure {
            what: f.what.clone(),
            message: format!("the SVG could not be read ({e})"),
        })?;
    }
    Ok(())
}

/// Typesets `template` with `data` as `data.json` and the figures as SVG files at their paths,
/// after checking that each figure can be read.
pub(crate) fn typeset<'a, T: Serialize>(
    template: &str,
    data: &T,
    figures: impl IntoIterator<Item = &'a Figure> + Clone,
) -> Result<Vec<u8>, ReportError> {
    check_figures(figures.clone())?;
    let mut job = Job::new(template, (2000, 1, 1));
    let json = serde_json::to_vec(data)
        .map_err(|e| ReportError::Option(format!("the data could not be written as JSON: {e}")))?;
    job.add_file("data.json", json);
    for f in figures {
        job.add_file(&f.path, f.svg.clone().into_bytes());
    }
    Ok(job.pdf()?)
}

pub(crate) fn pdf(
    report: &Report,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<u8>, ReportError> {
    progress(0, 1, "typst");
    let bytes = typeset(TEMPLATE, report, report.figures().iter().copied())?;
    progress(1, 1, "PDF");
    Ok(bytes)
}
