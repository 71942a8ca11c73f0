//! Time series (Zeitreihe): one area against the city and optionally its parent area.

use std::fmt::Write as _;

use sozialatlas_core::Locale;

use super::axis::{Scale, nice_ticks, x_grid, y_grid};
use super::{FOCUS, MARGIN, PARENT, chart, extent, heading};
use crate::map::value_text;
use crate::svg::{INK, data_num, escape, id_or, n, size_or, text};
use crate::text::text_width;

/// What a series stands for; sets its colour and dash, so that lines differ without colour too.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SeriesRole {
    /// The area in focus: solid blue, thick, round markers.
    #[default]
    Area,
    /// The city: dashed dark grey, square markers.
    City,
    /// The parent area (district): dotted vermillion, diamond markers.
    Parent,
}

/// One line.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    /// Key (`data-key` of the line and its markers).
    pub key: String,
    /// Name in the legend and tooltips.
    pub name: String,
    /// Style.
    pub role: SeriesRole,
    /// `(year, value)`; `None` or a missing year is a gap, never interpolated.
    pub values: Vec<(i32, Option<f64>)>,
}

/// A line chart over years.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineChartSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of texts and numbers.
    pub locale: Locale,
    /// Width in px (default 640).
    pub width: f64,
    /// Height in px (default 360).
    pub height: f64,
    /// Title.
    pub title: String,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Unit after values.
    pub unit: String,
    /// Decimals of values.
    pub decimals: usize,
    /// The lines, drawn in order (put the area last to draw it on top).
    pub series: Vec<Series>,
}

struct Style {
    colour: &'static str,
    width: f64,
    dash: &'static str,
}

fn style(role: SeriesRole) -> Style {
    match role {
        SeriesRole::Area => Style {
            colour: FOCUS,
            width: 2.5,
            dash: "",
        },
        SeriesRole::City => Style {
            colour: INK,
            width: 1.8,
            dash: " stroke-dasharray=\"6 4\"",
        },
        SeriesRole::Parent => Style {
            colour: PARENT,
            width: 1.8,
            dash: " stroke-dasharray=\"2 3\"",
        },
    }
}

/// A marker shape at (x, y) for the role.
pub(crate) fn marker(
    role: SeriesRole,
    x: f64,
    y: f64,
    colour: &str,
    attrs: &str,
    title: &str,
) -> String {
    match role {
        SeriesRole::Area => format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1\" {attrs}><title>{title}</title></circle>",
            n(x),
            n(y)
        ),
        SeriesRole::City => format!(
            "<rect x=\"{}\" y=\"{}\" width=\"7\" height=\"7\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1\" {attrs}><title>{title}</title></rect>",
            n(x - 3.5),
            n(y - 3.5)
        ),
        SeriesRole::Parent => format!(
            "<path d=\"M{} {}l4.5 4.5-4.5 4.5-4.5-4.5Z\" fill=\"{colour}\" stroke=\"#ffffff\" stroke-width=\"1\" {attrs}><title>{title}</title></path>",
            n(x),
            n(y - 4.5)
        ),
    }
}

/// Renders the time series. Lines are `<path class="sa-line">` with `data-key`; each point is a
/// marker (`class="sa-point"`) with `data-key`, `data-year`, `data-value` and a `<title>`.
pub fn line_chart(spec: &LineChartSpec) -> String {
    let id = id_or(&spec.id, "lines");
    let locale = spec.locale;
    let width = size_or(spec.width, 640.0);
    let height = size_or(spec.height, 360.0);
    let vt = |v: f64| value_text(v, spec.decimals, &spec.unit, locale);

    let mut body = String::new();
    let mut y = heading(
        &mut body,
        MARGIN - 4.0,
        width,
        &spec.title,
        spec.subtitle.as_deref(),
    );
    // Legend: one sample per series.
    let mut lx = MARGIN;
    let _ = write!(body, "<g class=\"sa-key\" font-size=\"12\">");
    for s in &spec.series {
        let st = style(s.role);
        let w = text_width(&s.name, 12.0, false);
        if lx + 40.0 + w > width - MARGIN && lx > MARGIN {
            lx = MARGIN;
            y += 18.0;
        }
        let _ = write!(
            body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>",
            n(lx),
            n(y),
            n(lx + 28.0),
            n(y),
            st.colour,
            st.width,
            st.dash
        );
        body.push_str(&marker(s.role, lx + 14.0, y, st.colour, "", ""));
        text(&mut body, lx + 34.0, y + 4.0, "", &s.name);
        lx += 34.0 + w + 20.0;
    }
    body.push_str("</g>");
    y += 18.0;

    let years: Vec<i32> = spec
        .series
        .iter()
        .flat_map(|s| s.values.iter().map(|v| v.0))
        .collect();
    let (ymin, ymax) = match (years.iter().min(), years.iter().max()) {
        (Some(&a), Some(&b)) => (a, b),
        _ => (0, 1),
    };
    let vals = spec
        .series
        .iter()
        .flat_map(|s| s.values.iter().filter_map(|v| v.1));
    let (lo, hi) = extent(vals).unwrap_or((0.0, 1.0));
    // Zero is the baseline unless the values lie far from it (then the trend would flatten).
    let base = if lo > 0.0 && lo < 0.5 * hi { 0.0 } else { lo };
    let ticks = nice_ticks(base, hi, 5);
    let (t0, t1) = (ticks[0], ticks[ticks.len() - 1]);
    let tick_w = ticks
        .iter()
        .map(|&t| text_width(&crate::format_number(t, locale), 12.0, false))
        .fold(0.0, f64::max);
    let x0 = MARGIN + tick_w + 10.0;
    let x1 = width - MARGIN - 10.0;
    let y0 = y + 6.0;
    let y1 = height - MARGIN - 22.0;
    let ys = Scale::new(t0, t1, y1, y0.min(y1 - 40.0));
    let span = (ymax - ymin).max(1);
    let xs = Scale::new(f64::from(ymin) - 0.3, f64::from(ymax) + 0.3, x0, x1);
    let step = match span {
        0..=12 => 1,
        13..=24 => 2,
        _ => 5,
    };
    let year_ticks: Vec<f64> = (ymin..=ymax)
        .filter(|y| (y - ymin) % step == 0)
        .map(f64::from)
        .collect();
    let year_labels: Vec<String> = year_ticks.iter().map(|y| format!("{y}")).collect();
    y_grid(&mut body, &ys, &ticks, x0, x1, locale);
    x_grid(
        &mut body,
        &xs,
        &year_ticks,
        y1,
        y1,
        locale,
        Some(&year_labels),
    );

    for s in &spec.series {
        let st = style(s.role);
        let mut pts: Vec<(i32, f64)> = s
            .values
            .iter()
            .filter_map(|&(yr, v)| v.filter(|v| v.is_finite()).map(|v| (yr, v)))
            .collect();
        pts.sort_by_key(|p| p.0);
        // A new segment wherever a year is missing.
        let mut d = String::new();
        let mut prev: Option<i32> = None;
        for &(yr, v) in &pts {
            let cmd = if prev == Some(yr - 1) { " " } else { "M" };
            let _ = write!(d, "{cmd}{} {}", n(xs.at(f64::from(yr))), n(ys.at(v)));
            prev = Some(yr);
        }
        let key = escape(&s.key);
        let _ = write!(
            body,
            "<g class=\"sa-series\" data-key=\"{key}\"><path class=\"sa-line\" data-key=\"{key}\" d=\"{d}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"{}><title>{}</title></path>",
            st.colour,
            st.width,
            st.dash,
            escape(&s.name)
        );
        for &(yr, v) in &pts {
            let title = escape(&format!("{}, {yr}: {}", s.name, vt(v)));
            let attrs = format!(
                "class=\"sa-point\" data-key=\"{key}\" data-year=\"{yr}\" data-value=\"{}\"",
                data_num(v)
            );
            body.push_str(&marker(
                s.role,
                xs.at(f64::from(yr)),
                ys.at(v),
                st.colour,
                &attrs,
                &title,
            ));
        }
        body.push_str("</g>");
    }

    let mut desc = format!(
        "{} {ymin}–{ymax}.",
        locale.pick("Liniendiagramm", "Line chart"),
    );
    for s in &spec.series {
        let pts: Vec<(i32, f64)> = s
            .values
            .iter()
            .filter_map(|&(yr, v)| v.filter(|v| v.is_finite()).map(|v| (yr, v)))
            .collect();
        if let (Some(a), Some(b)) = (pts.first(), pts.last()) {
            let _ = write!(
                desc,
                " {}: {} {} ({}) {} {} ({}).",
                s.name,
                locale.pick("von", "from"),
                vt(a.1),
                a.0,
                locale.pick("bis", "to"),
                vt(b.1),
                b.0
            );
        }
    }
    chart(
        &id,
        width,
        height,
        &spec.title,
        &desc,
        "sa-line-chart",
        &body,
    )
}
