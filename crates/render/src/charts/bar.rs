//! Sorted horizontal bar chart of areas (Balkendiagramm) with the city average.

use std::fmt::Write as _;

use sozialatlas_classify::palette::Rgb;
use sozialatlas_core::Locale;

use super::axis::{Scale, nice_ticks, x_grid};
use super::{MARGIN, chart, extent, heading};
use crate::map::value_text;
use crate::svg::{INK_SOFT, data_num, escape, hex, id_or, n, size_or, text};
use crate::text::text_width;

/// The value of one bar.
#[derive(Clone, Debug, PartialEq)]
pub enum BarValue {
    /// A value, drawn in its class colour.
    Value {
        /// The value.
        value: f64,
        /// Fill (the class colour of the map).
        colour: Rgb,
    },
    /// No value: a labelled gap.
    NoData,
    /// Suppressed value: a labelled gap.
    Suppressed,
}

/// One area's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The area's key (`data-key`).
    pub key: String,
    /// The area's name, left of the bar.
    pub name: String,
    /// Value and colour, or why there is none.
    pub value: BarValue,
    /// Added to the bar's tooltip after its value, e.g. the interval (empty: nothing).
    pub note: String,
}

/// A sorted bar chart of areas.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarChartSpec {
    /// Prefix of every id; unique on the page.
    pub id: String,
    /// Language of texts and numbers.
    pub locale: Locale,
    /// Width in px (default 640); the height follows from the number of bars.
    pub width: f64,
    /// Title.
    pub title: String,
    /// Subtitle (unit, year).
    pub subtitle: Option<String>,
    /// Unit after values (`%`).
    pub unit: String,
    /// Decimals of values.
    pub decimals: usize,
    /// The bars, in any order: they are sorted by value, largest on top (gaps last).
    pub bars: Vec<Bar>,
    /// Smallest on top instead.
    pub ascending: bool,
    /// The city average, drawn as a vertical line with a label.
    pub city_average: Option<f64>,
    /// Name of the reference, default `Stadt` / `City`.
    pub city_label: Option<String>,
    /// Key of the bar to highlight.
    pub highlight: Option<String>,
}

const ROW: f64 = 22.0;
const BAR_H: f64 = 15.0;

/// Renders the bar chart. Bars are `<rect class="sa-bar">` with `data-key`, `data-value` and a
/// `<title>`; gaps are `<text class="sa-gap">` with `data-key` and a `<title>`.
pub fn bar_chart(spec: &BarChartSpec) -> String {
    let id = id_or(&spec.id, "bars");
    let locale = spec.locale;
    let width = size_or(spec.width, 640.0);
    let mut bars: Vec<&Bar> = spec.bars.iter().collect();
    let key = |b: &Bar| match b.value {
        BarValue::Value { value, .. } if value.is_finite() => (0, value),
        BarValue::Value { .. } | BarValue::NoData => (2, 0.0),
        BarValue::Suppressed => (1, 0.0),
    };
    bars.sort_by(|a, b| {
        let (ka, va) = key(a);
        let (kb, vb) = key(b);
        ka.cmp(&kb).then(if spec.ascending {
            va.total_cmp(&vb)
        } else {
            vb.total_cmp(&va)
        })
    });
    let city_name = spec
        .city_label
        .clone()
        .unwrap_or_else(|| locale.pick("Stadt", "City").to_string());
    let vt = |v: f64| value_text(v, spec.decimals, &spec.unit, locale);

    let mut body = String::new();
    let mut y = heading(
        &mut body,
        MARGIN - 4.0,
        width,
        &spec.title,
        spec.subtitle.as_deref(),
    );
    let name_w = bars
        .iter()
        .map(|b| text_width(&b.name, 12.0, true))
        .fold(40.0, f64::max)
        .min(width * 0.35);
    let values: Vec<f64> = bars
        .iter()
        .filter_map(|b| match b.value {
            BarValue::Value { value, .. } => Some(value),
            _ => None,
        })
        .chain(spec.city_average)
        .collect();
    let (lo, hi) = extent(values.iter().copied()).unwrap_or((0.0, 1.0));
    let ticks = nice_ticks(lo.min(0.0), hi.max(0.0), 5);
    let (t0, t1) = (ticks[0], ticks[ticks.len() - 1]);
    let value_w = values
        .iter()
        .map(|&v| text_width(&vt(v), 12.0, false))
        .fold(30.0, f64::max)
        + 8.0;
    let x0 = MARGIN + name_w + 10.0;
    let x1 = width - MARGIN - value_w;
    let xs = Scale::new(t0, t1, x0, x1.max(x0 + 50.0));
    // Room for the city label above the rows.
    if spec.city_average.is_some() {
        y += 18.0;
    }
    let top = y;
    let bottom = top + ROW * bars.len() as f64;
    x_grid(
        &mut body,
        &xs,
        &ticks,
        top - 4.0,
        bottom + 2.0,
        locale,
        None,
    );

    let mut values_layer = String::new();
    let _ = write!(body, "<g class=\"sa-bars\" font-size=\"12\">");
    let (no_data, suppressed) = (
        locale.pick("keine Daten", "no data"),
        locale.pick("gesperrt (Geheimhaltung)", "suppressed (confidentiality)"),
    );
    for (i, b) in bars.iter().enumerate() {
        let ry = top + ROW * i as f64;
        let hl = spec.highlight.as_ref() == Some(&b.key);
        text(
            &mut body,
            x0 - 8.0,
            ry + ROW / 2.0 + 4.0,
            if hl {
                "class=\"sa-name\" text-anchor=\"end\" font-weight=\"bold\""
            } else {
                "class=\"sa-name\" text-anchor=\"end\""
            },
            &b.name,
        );
        let by = ry + (ROW - BAR_H) / 2.0;
        match b.value {
            BarValue::Value { value, colour } if value.is_finite() => {
                let (a, z) = (xs.at(value.min(0.0)), xs.at(value.max(0.0)));
                let label = if b.note.is_empty() {
                    escape(&format!("{}: {}", b.name, vt(value)))
                } else {
                    escape(&format!("{}: {} ({})", b.name, vt(value), b.note))
                };
                let _ = write!(
                    body,
                    "<rect class=\"sa-bar{}\" data-key=\"{}\" data-value=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{BAR_H}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{}\"><title>{label}</title></rect>",
                    if hl { " sa-highlight" } else { "" },
                    escape(&b.key),
                    data_num(value),
                    n(a),
                    n(by),
                    n((z - a).max(0.5)),
                    hex(colour),
                    if hl { "#000000" } else { "#666666" },
                    if hl { "2" } else { "0.5" },
                );
                let (tx, anchor) = if value < 0.0 {
                    (a - 4.0, "end")
                } else {
                    (z + 4.0, "start")
                };
                // A white ground under the value, so that the city line never runs through it.
                let tw = text_width(&vt(value), 12.0, hl) + 4.0;
                let _ = write!(
                    values_layer,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
                    n(if value < 0.0 { tx - tw + 2.0 } else { tx - 2.0 }),
                    n(by),
                    n(tw),
                    n(BAR_H)
                );
                text(
                    &mut values_layer,
                    tx,
                    ry + ROW / 2.0 + 4.0,
                    &format!(
                        "class=\"sa-value\" text-anchor=\"{anchor}\"{}",
                        if hl { " font-weight=\"bold\"" } else { "" }
                    ),
                    &vt(value),
                );
            }
            _ => {
                let why = if b.value == BarValue::Suppressed {
                    suppressed
                } else {
                    no_data
                };
                let _ = write!(
                    body,
                    "<text class=\"sa-gap\" data-key=\"{}\" x=\"{}\" y=\"{}\" fill=\"{INK_SOFT}\" font-style=\"italic\"><title>{}</title>{}</text>",
                    escape(&b.key),
                    n(xs.at(0.0_f64.clamp(t0, t1)) + 4.0),
                    n(ry + ROW / 2.0 + 4.0),
                    escape(&format!("{}: {why}", b.name)),
                    escape(why)
                );
            }
        }
    }
    body.push_str("</g>");
    // The city line over the bars, the values (on white) over the line.
    if let Some(c) = spec.city_average.filter(|c| c.is_finite()) {
        let cx = xs.at(c);
        let label = format!("{city_name}: {}", vt(c));
        let lw = text_width(&label, 12.0, true);
        // Keep the label inside the figure.
        let (lx, anchor) = if cx + lw / 2.0 > width - MARGIN {
            (cx + 3.0, "end")
        } else if cx - lw / 2.0 < MARGIN {
            (cx - 3.0, "start")
        } else {
            (cx, "middle")
        };
        let _ = write!(
            body,
            "<g class=\"sa-city\" data-key=\"city\"><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#000000\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"><title>{}</title></line>",
            n(cx),
            n(top - 6.0),
            n(cx),
            n(bottom + 2.0),
            escape(&label)
        );
        text(
            &mut body,
            lx,
            top - 10.0,
            &format!("text-anchor=\"{anchor}\" font-weight=\"bold\""),
            &label,
        );
        body.push_str("</g>");
    }
    let _ = write!(
        body,
        "<g class=\"sa-values\" font-size=\"12\">{values_layer}</g>"
    );
    let height = bottom + 30.0 + MARGIN;

    let n_values = bars
        .iter()
        .filter(|b| matches!(b.value, BarValue::Value { .. }))
        .count();
    let mut desc = format!(
        "{} {} {}.",
        locale.pick("Balkendiagramm,", "Bar chart,"),
        bars.len(),
        locale.pick("Gebiete nach Wert sortiert", "areas sorted by value"),
    );
    if let (Some(first), true) = (bars.first(), n_values > 0)
        && let BarValue::Value { value, .. } = first.value
    {
        let _ = write!(
            desc,
            " {}: {} {}.",
            if spec.ascending {
                locale.pick("Niedrigster Wert", "Lowest value")
            } else {
                locale.pick("Höchster Wert", "Highest value")
            },
            first.name,
            vt(value)
        );
    }
    if let Some(c) = spec.city_average {
        let _ = write!(desc, " {city_name}: {}.", vt(c));
    }
    chart(
        &id,
        width,
        height.ceil(),
        &spec.title,
        &desc,
        "sa-bar-chart",
        &body,
    )
}
