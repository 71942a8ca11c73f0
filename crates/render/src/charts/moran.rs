//! Moran scatter plot: standardised value against its spatial lag.

use std::fmt::Write as _;

use sozialatlas_classify::palette::Rgb;
use sozialatlas_core::Locale;
use sozialatlas_core::locale::format_decimal;

use super::scatter::frame;
use super::{FOCUS, MARGIN, chart, heading};
use crate::svg::{INK, INK_SOFT, data_num, escape, hex, id_or, n, size_or, text};

/// One area of the Moran scatter plot.
#[derive(Clone, Debug, PartialEq)]
pub struct MoranPoint {
    /// Key (`data-key`).
    pub key: String,
    /// Name in the tooltip.
    pub name: String,
    /// Standardised value z.
    pub z: f64,
    /// Spatial lag of z (the weighted mean of the neighbours' z, row-standardised weights).
    pub lag: f64,
    /// Fill, e.g. the LISA class colour; grey if `None`.
    pub colour: Option<Rgb>,
}

/// The Moran scatter plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MoranSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of texts and numbers.
    pub locale: Locale,
    /// Width in px (default 520).
    pub width: f64,
    /// Height in px (default 480).
    pub height: f64,
    /// Title, e.g. the indicator.
    pub title: String,
    /// The points.
    pub points: Vec<MoranPoint>,
    /// Global Moran's I: the slope of the line through the origin (with row-standardised
    /// weights, the least-squares slope of lag on z). Taken as input, from the analysis crate.
    pub moran_i: f64,
    /// Permutation p-value of I, shown in the subtitle.
    pub p_value: Option<f64>,
    /// Key of the point to highlight.
    pub highlight: Option<String>,
}

/// Renders the Moran scatter plot: axes through the origin, quadrant labels HH (top right), LL
/// (bottom left), HL (bottom right), LH (top left), the line `lag = I · z`. Points are
/// `<circle class="sa-point">` with `data-key` and a `<title>`.
pub fn moran_scatter(spec: &MoranSpec) -> String {
    let id = id_or(&spec.id, "moran");
    let locale = spec.locale;
    let width = size_or(spec.width, 520.0);
    let height = size_or(spec.height, 480.0);
    let pts: Vec<&MoranPoint> = spec
        .points
        .iter()
        .filter(|p| p.z.is_finite() && p.lag.is_finite())
        .collect();
    let m = pts
        .iter()
        .map(|p| p.z.abs().max(p.lag.abs()))
        .fold(1.0, f64::max);
    let mut subtitle = format!("Moran's I = {}", format_decimal(spec.moran_i, 3, locale));
    if let Some(p) = spec.p_value {
        let _ = write!(subtitle, ", p = {}", format_decimal(p, 3, locale));
    }
    let _ = write!(subtitle, " (n = {})", pts.len());
    let mut body = String::new();
    let top = heading(&mut body, MARGIN - 4.0, width, &spec.title, Some(&subtitle));
    let (xs, ys) = frame(
        &mut body,
        top,
        width,
        height,
        (-m, m),
        (-m, m),
        locale.pick("Standardisierter Wert (z)", "Standardised value (z)"),
        locale.pick("Räumlich verzögerter Wert (Lag)", "Spatial lag of z"),
        locale,
    );
    // Axes through the origin.
    let (ox, oy) = (xs.at(0.0), ys.at(0.0));
    let _ = write!(
        body,
        "<g stroke=\"{INK_SOFT}\" stroke-width=\"1.2\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/></g>",
        n(xs.r0),
        n(oy),
        n(xs.r1),
        n(oy),
        n(ox),
        n(ys.r0),
        n(ox),
        n(ys.r1)
    );
    // Quadrant labels in the corners.
    let q = |label: &str, right: bool, upper: bool| {
        let x = if right { xs.r1 - 6.0 } else { xs.r0 + 6.0 };
        let y = if upper { ys.r1 + 18.0 } else { ys.r0 - 8.0 };
        let mut s = String::new();
        text(
            &mut s,
            x,
            y,
            &format!(
                "class=\"sa-quadrant\" font-size=\"14\" font-weight=\"bold\" fill=\"{INK_SOFT}\" text-anchor=\"{}\"",
                if right { "end" } else { "start" }
            ),
            label,
        );
        s
    };
    body.push_str(&q("HH", true, true));
    body.push_str(&q("LH", false, true));
    body.push_str(&q("LL", false, false));
    body.push_str(&q("HL", true, false));
    // The slope line, clipped to the square plot.
    let i = spec.moran_i;
    if i.is_finite() {
        let (u0, u1) = if i.abs() > 1.0 {
            (-m / i.abs(), m / i.abs())
        } else {
            (-m, m)
        };
        let _ = write!(
            body,
            "<line class=\"sa-moran-line\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.8\"><title>{}</title></line>",
            n(xs.at(u0)),
            n(ys.at(i * u0)),
            n(xs.at(u1)),
            n(ys.at(i * u1)),
            escape(&format!(
                "{} I = {}",
                locale.pick("Steigung", "Slope"),
                format_decimal(i, 3, locale)
            ))
        );
    }
    let _ = write!(body, "<g class=\"sa-points\">");
    for p in &pts {
        let hl = spec.highlight.as_ref() == Some(&p.key);
        let fill = p.colour.map(hex).unwrap_or_else(|| "#8c8c8c".into());
        let title = escape(&format!(
            "{}: z = {}, Lag = {}",
            p.name,
            format_decimal(p.z, 2, locale),
            format_decimal(p.lag, 2, locale)
        ));
        let _ = write!(
            body,
            "<circle class=\"sa-point{}\" data-key=\"{}\" data-z=\"{}\" data-lag=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"{}\" stroke-width=\"{}\"><title>{title}</title></circle>",
            if hl { " sa-highlight" } else { "" },
            escape(&p.key),
            data_num(p.z),
            data_num(p.lag),
            n(xs.at(p.z)),
            n(ys.at(p.lag)),
            if hl { 6.5 } else { 5.0 },
            if hl { "#000000" } else { "#4d4d4d" },
            if hl { 2.0 } else { 0.6 },
        );
        if hl {
            let _ = write!(
                body,
                "<circle cx=\"{}\" cy=\"{}\" r=\"10\" fill=\"none\" stroke=\"{FOCUS}\" stroke-width=\"2\"/>",
                n(xs.at(p.z)),
                n(ys.at(p.lag))
            );
        }
    }
    body.push_str("</g>");
    let desc = format!(
        "{} {subtitle}.",
        locale.pick(
            "Moran-Streudiagramm: standardisierter Wert gegen räumlich verzögerten Wert; Quadranten HH, LL, HL, LH.",
            "Moran scatter plot: standardised value against its spatial lag; quadrants HH, LL, HL, LH."
        )
    );
    chart(&id, width, height, &spec.title, &desc, "sa-moran", &body)
}
