//! Scatter plot of two indicators (Streudiagramm) with Pearson's r.

use std::fmt::Write as _;

use sozialatlas_core::Locale;
use sozialatlas_core::locale::format_decimal;
use sozialatlas_core::stats::{least_squares, pearson};

use super::axis::{Scale, nice_ticks, x_grid, y_grid};
use super::{FOCUS, MARGIN, chart, extent, heading};
use crate::map::value_text;
use crate::svg::{INK, INK_SOFT, data_num, escape, id_or, n, size_or, text};
use crate::text::text_width;

/// One area's point.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterPoint {
    /// Key (`data-key`).
    pub key: String,
    /// Name in the tooltip.
    pub name: String,
    /// Value on the x axis.
    pub x: f64,
    /// Value on the y axis.
    pub y: f64,
}

/// Two indicators against each other.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScatterSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of texts and numbers.
    pub locale: Locale,
    /// Width in px (default 560).
    pub width: f64,
    /// Height in px (default 440).
    pub height: f64,
    /// Title.
    pub title: String,
    /// Axis title of x, e.g. `Arbeitslose`.
    pub x_label: String,
    /// Unit of x, e.g. `% der 18- bis 64-Jährigen`; shown in the axis title, and `x_unit_short`
    /// after values.
    pub x_unit: String,
    /// Unit after x values in tooltips (`%`).
    pub x_unit_short: String,
    /// Decimals of x.
    pub x_decimals: usize,
    /// Axis title of y.
    pub y_label: String,
    /// Unit of y in the axis title.
    pub y_unit: String,
    /// Unit after y values in tooltips.
    pub y_unit_short: String,
    /// Decimals of y.
    pub y_decimals: usize,
    /// The points; pairs with a non-finite coordinate are left out.
    pub points: Vec<ScatterPoint>,
    /// Key of the point to highlight.
    pub highlight: Option<String>,
    /// Draw the least-squares line of y on x.
    pub regression_line: bool,
}

/// An axis title with its unit: `Arbeitslose (in %)`.
fn axis_title(label: &str, unit: &str) -> String {
    if unit.is_empty() {
        label.to_string()
    } else {
        format!("{label} ({unit})")
    }
}

/// Plot frame shared with the Moran scatter plot: returns the x and y scales.
#[allow(clippy::too_many_arguments)]
pub(crate) fn frame(
    body: &mut String,
    top: f64,
    width: f64,
    height: f64,
    xr: (f64, f64),
    yr: (f64, f64),
    x_title: &str,
    y_title: &str,
    locale: Locale,
) -> (Scale, Scale) {
    let xt = nice_ticks(xr.0, xr.1, 6);
    let yt = nice_ticks(yr.0, yr.1, 6);
    let tick_w = yt
        .iter()
        .map(|&t| {
            text_width(
                &format_decimal(t, super::axis::tick_decimals(&yt), locale),
                12.0,
                false,
            )
        })
        .fold(0.0, f64::max);
    let x0 = MARGIN + 18.0 + tick_w + 8.0;
    let x1 = width - MARGIN - 8.0;
    let y0 = top + 8.0;
    let y1 = height - MARGIN - 40.0;
    let xs = Scale::new(xt[0], xt[xt.len() - 1], x0, x1);
    let ys = Scale::new(yt[0], yt[yt.len() - 1], y1, y0.min(y1 - 40.0));
    y_grid(body, &ys, &yt, x0, x1, locale);
    x_grid(body, &xs, &xt, ys.r1, y1, locale, None);
    text(
        body,
        (x0 + x1) / 2.0,
        height - MARGIN - 4.0,
        &format!("class=\"sa-axis-title\" text-anchor=\"middle\" font-size=\"13\" fill=\"{INK}\""),
        x_title,
    );
    let cy = (ys.r0 + ys.r1) / 2.0;
    let _ = write!(
        body,
        "<text class=\"sa-axis-title\" x=\"{}\" y=\"{}\" transform=\"rotate(-90 {} {})\" text-anchor=\"middle\" font-size=\"13\" fill=\"{INK}\">{}</text>",
        n(MARGIN + 12.0),
        n(cy),
        n(MARGIN + 12.0),
        n(cy),
        escape(y_title)
    );
    (xs, ys)
}

/// Renders the scatter plot. `r` in the subtitle is `sozialatlas_core::stats::pearson` of the
/// points given (so it always matches what is drawn), the line `least_squares` of them. Points are `<circle class="sa-point">`
/// with `data-key`, `data-x`, `data-y` and a `<title>`.
pub fn scatter(spec: &ScatterSpec) -> String {
    let id = id_or(&spec.id, "scatter");
    let locale = spec.locale;
    let width = size_or(spec.width, 560.0);
    let height = size_or(spec.height, 440.0);
    let pts: Vec<&ScatterPoint> = spec
        .points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    let pairs: Vec<(f64, f64)> = pts.iter().map(|p| (p.x, p.y)).collect();
    let r = pearson(&pairs);
    let subtitle = match r {
        Some(r) => format!(
            "{} r = {} (n = {})",
            locale.pick("Korrelation nach Pearson:", "Pearson correlation:"),
            format_decimal(r, 2, locale),
            pairs.len()
        ),
        None => format!("n = {}", pairs.len()),
    };
    let mut body = String::new();
    let top = heading(&mut body, MARGIN - 4.0, width, &spec.title, Some(&subtitle));
    let xr = extent(pairs.iter().map(|p| p.0)).unwrap_or((0.0, 1.0));
    let yr = extent(pairs.iter().map(|p| p.1)).unwrap_or((0.0, 1.0));
    let (xs, ys) = frame(
        &mut body,
        top,
        width,
        height,
        xr,
        yr,
        &axis_title(&spec.x_label, &spec.x_unit),
        &axis_title(&spec.y_label, &spec.y_unit),
        locale,
    );
    if spec.regression_line
        && let Some((a, b)) = least_squares(&pairs)
    {
        let (u0, u1) = (xs.d0, xs.d1);
        // Clip the line to the plot in y.
        let clip = |u: f64| (a + b * u).clamp(ys.d0.min(ys.d1), ys.d0.max(ys.d1));
        let _ = write!(
            body,
            "<line class=\"sa-regression\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK_SOFT}\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>{}</title></line>",
            n(xs.at(u0)),
            n(ys.at(clip(u0))),
            n(xs.at(u1)),
            n(ys.at(clip(u1))),
            escape(locale.pick(
                "Regressionsgerade (kleinste Quadrate)",
                "Least-squares regression line"
            ))
        );
    }
    let _ = write!(body, "<g class=\"sa-points\">");
    let mut hl_label = String::new();
    for p in &pts {
        let hl = spec.highlight.as_ref() == Some(&p.key);
        let title = escape(&format!(
            "{}: {}, {}",
            p.name,
            value_text(p.x, spec.x_decimals, &spec.x_unit_short, locale),
            value_text(p.y, spec.y_decimals, &spec.y_unit_short, locale)
        ));
        let (cx, cy) = (xs.at(p.x), ys.at(p.y));
        let _ = write!(
            body,
            "<circle class=\"sa-point{}\" data-key=\"{}\" data-x=\"{}\" data-y=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"{}\" stroke-width=\"{}\"><title>{title}</title></circle>",
            if hl { " sa-highlight" } else { "" },
            escape(&p.key),
            data_num(p.x),
            data_num(p.y),
            n(cx),
            n(cy),
            if hl { 6.5 } else { 5.0 },
            if hl { FOCUS } else { "#8c8c8c" },
            if hl { "1" } else { "0.75" },
            if hl { "#000000" } else { "#ffffff" },
            if hl { 2 } else { 1 },
        );
        if hl {
            let w = text_width(&p.name, 12.0, true);
            let right = cx + 10.0 + w < width - MARGIN;
            let lx = if right { cx + 10.0 } else { cx - 10.0 };
            let _ = write!(
                hl_label,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-weight=\"bold\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                n(lx),
                n(cy + 4.0),
                if right { "start" } else { "end" },
                escape(&p.name)
            );
        }
    }
    body.push_str("</g>");
    body.push_str(&hl_label);
    let desc = format!(
        "{}: {} / {}. {subtitle}.",
        locale.pick("Streudiagramm", "Scatter plot"),
        axis_title(&spec.x_label, &spec.x_unit),
        axis_title(&spec.y_label, &spec.y_unit)
    );
    chart(&id, width, height, &spec.title, &desc, "sa-scatter", &body)
}
