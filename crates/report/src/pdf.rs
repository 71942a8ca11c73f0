//! The PDF: the report as JSON and its figures as SVG files in a virtual typst world, laid out
//! by `templates/report.typ`.

use crate::ReportError;
use crate::model::Report;
use crate::typeset::Job;

/// The template of the report.
const TEMPLATE: &str = include_str!("../templates/report.typ");

/// Checks that every figure is an SVG the typesetter can read, naming the figure if not.
pub(crate) fn check_figures(report: &Report) -> Result<(), ReportError> {
    let options = sozialatlas_render::usvg_options();
    for f in report.figures() {
        resvg::usvg::Tree::from_str(&f.svg, &options).map_err(|e| ReportError::Figure {
            what: f.what.clone(),
            message: format!("the SVG could not be read ({e})"),
        })?;
    }
    Ok(())
}

/// The typst job of a report: the template, `data.json` and the figures.
pub(crate) fn job(report: &Report) -> Result<Job, ReportError> {
    let mut job = Job::new(TEMPLATE, (2000, 1, 1));
    let data = serde_json::to_vec(report).map_err(|e| {
        ReportError::Option(format!("the report data could not be written as JSON: {e}"))
    })?;
    job.add_file("data.json", data);
    for f in report.figures() {
        job.add_file(&f.path, f.svg.clone().into_bytes());
    }
    Ok(job)
}

pub(crate) fn pdf(
    report: &Report,
    progress: &mut dyn FnMut(usize, usize, &str),
) -> Result<Vec<u8>, ReportError> {
    progress(0, 2, "SVG");
    check_figures(report)?;
    progress(1, 2, "typst");
    let bytes = job(report)?.pdf()?;
    progress(2, 2, "PDF");
    Ok(bytes)
}
