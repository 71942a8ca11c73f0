//! Spine chart rows (InstantAtlas style) and sparklines for area profiles.

use std::fmt::Write as _;

use sozialatlas_core::{Locale, Polarity};

use super::{BETTER, WORSE, extent};
use crate::map::value_text;
use crate::svg::{data_num, escape, id_or, n, open, size_or};

/// One indicator's row of an area profile.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpineSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of texts and numbers.
    pub locale: Locale,
    /// Width in px (default 240).
    pub width: f64,
    /// Height in px (default 24).
    pub height: f64,
    /// The indicator's name.
    pub indicator: String,
    /// The area's key (`data-key` of the dot).
    pub area_key: String,
    /// The area's name.
    pub area_name: String,
    /// Unit after values.
    pub unit: String,
    /// Decimals of values.
    pub decimals: usize,
    /// Which end is worse; decides the side (worse left) and the dot's colour.
    pub polarity: Polarity,
    /// The values of all areas of the level (range and quartiles).
    pub values: Vec<f64>,
    /// The area's value (`None`: no dot, the title says why).
    pub area_value: Option<f64>,
    /// The city's value: the centre line.
    pub city_value: f64,
}

/// Type-7 quantile (linear between order statistics, as R's default and NumPy's) of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let l = h.floor() as usize;
    let u = (l + 1).min(sorted.len() - 1);
    sorted[l] + (h - l as f64) * (sorted[u] - sorted[l])
}

/// How an area compares with the city, by polarity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Better,
    Worse,
    Same,
}

fn verdict(v: f64, city: f64, polarity: Polarity) -> Verdict {
    let d = (v - city) * polarity.sign();
    if d > 0.0 {
        Verdict::Worse
    } else if d < 0.0 {
        Verdict::Better
    } else {
        Verdict::Same
    }
}

/// Renders one spine row: the range of all areas (light bar), the middle half (25–75 %, darker),
/// the city as the centre line, the area as a dot, a vermillion diamond if worse than the city,
/// a blue circle if better, a white circle otherwise or for neutral indicators. The scale is
/// centred on the city and symmetric; the worse end is on the left (higher values on the left
/// when higher is worse). No visible text: the row sits in a table; `<title>` and `<desc>` say
/// it all.
pub fn spine_row(spec: &SpineSpec) -> String {
    let id = id_or(&spec.id, "spine");
    let locale = spec.locale;
    let width = size_or(spec.width, 240.0);
    let height = size_or(spec.height, 24.0);
    let vt = |v: f64| value_text(v, spec.decimals, &spec.unit, locale);
    let mut sorted: Vec<f64> = spec
        .values
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    sorted.sort_by(f64::total_cmp);
    let city = spec.city_value;
    let (lo, hi) = extent(sorted.iter().copied().chain(spec.area_value)).unwrap_or((city, city));
    let half = (hi - city).abs().max((city - lo).abs());
    let half = if half > 0.0 && half.is_finite() {
        half
    } else {
        1.0
    };
    let dir = if spec.polarity == Polarity::HigherIsWorse {
        -1.0
    } else {
        1.0
    };
    let cx = width / 2.0;
    let reach = width / 2.0 - 8.0;
    let x = |v: f64| cx + dir * (v - city) / half * reach;
    let cy = height / 2.0;
    let city_name = locale.pick("Stadt", "City");

    let mut body = String::new();
    if let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) {
        let (q1, q3) = (quantile(&sorted, 0.25), quantile(&sorted, 0.75));
        // A band from `lo` to `hi` (at least 1 px wide), with its name and range as the title.
        let mut band = |key: &str, fill: &str, name: &str, lo: f64, hi: f64| {
            let (a, b) = (x(lo).min(x(hi)), x(lo).max(x(hi)));
            let _ = write!(
                body,
                "<rect class=\"sa-spine-{key}\" data-key=\"{key}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"><title>{}</title></rect>",
                n(a),
                n(cy - 7.0),
                n((b - a).max(1.0)),
                n(14.0),
                escape(&format!("{name}: {} – {}", vt(lo), vt(hi)))
            );
        };
        band(
            "range",
            "#d9d9d9",
            locale.pick("Spannweite aller Gebiete", "Range of all areas"),
            min,
            max,
        );
        band(
            "iqr",
            "#969696",
            locale.pick("Mittlere Hälfte (25–75 %)", "Middle half (25–75 %)"),
            q1,
            q3,
        );
    }
    let _ = write!(
        body,
        "<line class=\"sa-spine-city\" data-key=\"city\" x1=\"{}\" y1=\"1\" x2=\"{}\" y2=\"{}\" stroke=\"#000000\" stroke-width=\"2\"><title>{}</title></line>",
        n(cx),
        n(cx),
        n(height - 1.0),
        escape(&format!("{city_name}: {}", vt(city)))
    );
    let (verdict_text, dot) = match spec.area_value.filter(|v| v.is_finite()) {
        Some(v) => {
            let vd = if spec.polarity == Polarity::Neutral {
                Verdict::Same
            } else {
                verdict(v, city, spec.polarity)
            };
            let words = match (vd, spec.polarity) {
                (_, Polarity::Neutral) => {
                    if v > city {
                        locale.pick("höher als die Stadt", "higher than the city")
                    } else if v < city {
                        locale.pick("niedriger als die Stadt", "lower than the city")
                    } else {
                        locale.pick("wie die Stadt", "same as the city")
                    }
                }
                (Verdict::Worse, _) => {
                    locale.pick("schlechter als die Stadt", "worse than the city")
                }
                (Verdict::Better, _) => locale.pick("besser als die Stadt", "better than the city"),
                (Verdict::Same, _) => locale.pick("wie die Stadt", "same as the city"),
            };
            let title = escape(&format!(
                "{}: {} ({city_name}: {}), {words}",
                spec.area_name,
                vt(v),
                vt(city)
            ));
            let key = escape(&spec.area_key);
            let px = x(v);
            let dot = match vd {
                Verdict::Worse => format!(
                    "<path class=\"sa-spine-dot sa-worse\" data-key=\"{key}\" data-value=\"{}\" d=\"M{} {}l6.5 6.5-6.5 6.5-6.5-6.5Z\" fill=\"{WORSE}\" stroke=\"#000000\" stroke-width=\"1\"><title>{title}</title></path>",
                    data_num(v),
                    n(px),
                    n(cy - 6.5)
                ),
                Verdict::Better => format!(
                    "<circle class=\"sa-spine-dot sa-better\" data-key=\"{key}\" data-value=\"{}\" cx=\"{}\" cy=\"{}\" r=\"5.5\" fill=\"{BETTER}\" stroke=\"#000000\" stroke-width=\"1\"><title>{title}</title></circle>",
                    data_num(v),
                    n(px),
                    n(cy)
                ),
                Verdict::Same => format!(
                    "<circle class=\"sa-spine-dot\" data-key=\"{key}\" data-value=\"{}\" cx=\"{}\" cy=\"{}\" r=\"5.5\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"1.5\"><title>{title}</title></circle>",
                    data_num(v),
                    n(px),
                    n(cy)
                ),
            };
            (format!("{}, {words}", vt(v)), dot)
        }
        None => (
            locale.pick("kein Wert", "no value").to_string(),
            String::new(),
        ),
    };
    body.push_str(&dot);
    let title = format!("{} – {}", spec.indicator, spec.area_name);
    let mut desc = format!(
        "{}: {verdict_text}. {city_name}: {}.",
        spec.area_name,
        vt(city)
    );
    if let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) {
        let _ = write!(
            desc,
            " {} {} – {}.",
            locale.pick("Spannweite aller Gebiete", "Range of all areas"),
            vt(min),
            vt(max)
        );
    }
    let mut out = String::new();
    open(
        &mut out, &id, width, height, "img", &title, &desc, "sa-spine",
    );
    out.push_str(&body);
    out.push_str("</svg>");
    out
}

/// A sparkline: an area's values over the years.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparklineSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of numbers.
    pub locale: Locale,
    /// Width in px (default 120).
    pub width: f64,
    /// Height in px (default 28).
    pub height: f64,
    /// Key (`data-key`).
    pub key: String,
    /// What is shown, e.g. `SGB-II-Quote Neustadt`.
    pub name: String,
    /// Unit after values.
    pub unit: String,
    /// Decimals of values.
    pub decimals: usize,
    /// `(year, value)`; missing years are gaps.
    pub values: Vec<(i32, Option<f64>)>,
}

/// Renders a sparkline: a thin line with gaps for missing years and a dot on the last value.
/// The line and the dot carry `data-key` and a `<title>`.
pub fn sparkline(spec: &SparklineSpec) -> String {
    let id = id_or(&spec.id, "spark");
    let locale = spec.locale;
    let width = size_or(spec.width, 120.0);
    let height = size_or(spec.height, 28.0);
    let vt = |v: f64| value_text(v, spec.decimals, &spec.unit, locale);
    let mut pts: Vec<(i32, f64)> = spec
        .values
        .iter()
        .filter_map(|&(y, v)| v.filter(|v| v.is_finite()).map(|v| (y, v)))
        .collect();
    pts.sort_by_key(|p| p.0);
    let (y0, y1) = match (pts.first(), pts.last()) {
        (Some(a), Some(b)) => (a.0, b.0),
        _ => (0, 1),
    };
    let (lo, hi) = extent(pts.iter().map(|p| p.1)).unwrap_or((0.0, 1.0));
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let x = |y: i32| 4.0 + f64::from(y - y0) / f64::from((y1 - y0).max(1)) * (width - 8.0);
    let yy = |v: f64| height - 4.0 - (v - lo) / (hi - lo) * (height - 8.0);
    let mut d = String::new();
    let mut prev = None;
    for &(yr, v) in &pts {
        let cmd = if prev == Some(yr - 1) { " " } else { "M" };
        let _ = write!(d, "{cmd}{} {}", n(x(yr)), n(yy(v)));
        prev = Some(yr);
    }
    let summary = match (pts.first(), pts.last()) {
        (Some(a), Some(b)) => format!(
            "{}: {} ({}) {} {} ({})",
            spec.name,
            vt(a.1),
            a.0,
            locale.pick("bis", "to"),
            vt(b.1),
            b.0
        ),
        _ => format!("{}: {}", spec.name, locale.pick("keine Werte", "no values")),
    };
    let key = escape(&spec.key);
    let mut out = String::new();
    open(
        &mut out,
        &id,
        width,
        height,
        "img",
        &summary,
        &summary,
        "sa-sparkline",
    );
    // Single points between gaps would vanish as lines: draw every point as a small dot.
    let _ = write!(
        out,
        "<path class=\"sa-line\" data-key=\"{key}\" d=\"{d}\" fill=\"none\" stroke=\"#222222\" stroke-width=\"1.5\" stroke-linejoin=\"round\"><title>{}</title></path>",
        escape(&summary)
    );
    for &(yr, v) in &pts {
        let last = Some(&(yr, v)) == pts.last();
        let _ = write!(
            out,
            "<circle class=\"sa-point\" data-key=\"{key}\" data-year=\"{yr}\" data-value=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"><title>{}</title></circle>",
            data_num(v),
            n(x(yr)),
            n(yy(v)),
            if last { 2.5 } else { 1.2 },
            if last { "#0072b2" } else { "#222222" },
            escape(&format!("{yr}: {}", vt(v)))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_type7() {
        let s = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&s, 0.25), 1.75);
        assert_eq!(quantile(&s, 0.75), 3.25);
        assert_eq!(quantile(&[5.0], 0.5), 5.0);
    }

    #[test]
    fn verdict_follows_polarity() {
        assert_eq!(verdict(2.0, 1.0, Polarity::HigherIsWorse), Verdict::Worse);
        assert_eq!(verdict(2.0, 1.0, Polarity::HigherIsBetter), Verdict::Better);
        assert_eq!(verdict(1.0, 1.0, Polarity::HigherIsBetter), Verdict::Same);
    }
}
