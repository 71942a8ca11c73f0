//! Charts: each a function from a plain spec to an SVG string with `role="img"`, `<title>`,
//! `<desc>` and `aria-labelledby` on the root, and a `<title>` and `data-key` on every mark.

pub(crate) mod axis;
pub(crate) mod bar;
pub(crate) mod dendrogram;
pub(crate) mod heat;
pub(crate) mod line;
pub(crate) mod moran;
pub(crate) mod scatter;
pub(crate) mod spine;

use crate::svg::{INK_SOFT, open, text};
use crate::text::wrap;

pub(crate) const MARGIN: f64 = 16.0;
/// The colour of the area in focus (Okabe–Ito blue, 5.1:1 on white).
pub(crate) const FOCUS: &str = "#0072b2";
/// The colour of the parent area (Okabe–Ito vermillion, 3.9:1 on white: for lines, not text).
pub(crate) const PARENT: &str = "#d55e00";
/// Colour of "worse than the city" (vermillion) and "better" (blue), told apart also by shape.
pub(crate) const WORSE: &str = "#d55e00";
pub(crate) const BETTER: &str = "#0072b2";

/// A chart's SVG document: the root (`role="img"`) with its title and description, a white
/// background, then `body`.
pub(crate) fn chart(
    id: &str,
    width: f64,
    height: f64,
    title: &str,
    desc: &str,
    class: &str,
    body: &str,
) -> String {
    let mut out = String::new();
    open(&mut out, id, width, height, "img", title, desc, class);
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    out.push_str(body);
    out.push_str("</svg>");
    out
}

/// The visible title (16 px bold) and subtitle (13 px) from `y`; returns the y below them.
pub(crate) fn heading(
    out: &mut String,
    y: f64,
    width: f64,
    title: &str,
    subtitle: Option<&str>,
) -> f64 {
    let mut y = y;
    for line in wrap(title, 16.0, true, width - 2.0 * MARGIN) {
        y += 20.0;
        text(
            out,
            MARGIN,
            y,
            "class=\"sa-heading\" font-size=\"16\" font-weight=\"bold\"",
            &line,
        );
    }
    if let Some(s) = subtitle.filter(|s| !s.is_empty()) {
        for line in wrap(s, 13.0, false, width - 2.0 * MARGIN) {
            y += 18.0;
            text(
                out,
                MARGIN,
                y,
                &format!("class=\"sa-subheading\" font-size=\"13\" fill=\"{INK_SOFT}\""),
                &line,
            );
        }
    }
    y + 12.0
}

/// `(lo, hi)` of the finite values, `None` if there are none.
pub(crate) fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}
