//! Axis ticks and the shared parts of charts.

use std::fmt::Write as _;

use sozialatlas_core::Locale;

use crate::svg::{AXIS, GRID, INK_SOFT, n, text};

/// Round tick values (1, 2 or 5 × 10ⁿ apart) covering `[lo, hi]`, about `target` of them.
///
/// ```
/// assert_eq!(sozialatlas_render::nice_ticks(0.0, 23.4, 5), [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]);
/// ```
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !lo.is_finite() || !hi.is_finite() {
        return vec![0.0, 1.0];
    }
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (
            lo - 0.5_f64.max(lo.abs() * 0.1),
            hi + 0.5_f64.max(hi.abs() * 0.1),
        )
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let p = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * p)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * p);
    let start = (lo / step).floor();
    let end = (hi / step).ceil();
    let count = ((end - start) as usize).min(100);
    // Round to the step's decimals to kill float noise (0.6000000000000001).
    let f = 10f64.powi((2.0 - step.log10().floor()).clamp(0.0, 12.0) as i32);
    (0..=count)
        .map(|i| ((start + i as f64) * step * f).round() / f)
        .collect()
}

/// Decimals that show the ticks exactly.
pub(crate) fn tick_decimals(ticks: &[f64]) -> usize {
    let step = match ticks {
        [a, b, ..] => (b - a).abs(),
        _ => 1.0,
    };
    (0..4)
        .find(|&d| {
            let f = 10f64.powi(d as i32);
            ((step * f).round() - step * f).abs() < 1e-9
        })
        .unwrap_or(3)
}

/// A linear scale from data to px.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        let d1 = if d1 == d0 { d0 + 1.0 } else { d1 };
        Scale { d0, d1, r0, r1 }
    }
    pub fn at(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Horizontal grid lines with tick labels left of the plot (y axis).
pub(crate) fn y_grid(
    out: &mut String,
    ys: &Scale,
    ticks: &[f64],
    x0: f64,
    x1: f64,
    locale: Locale,
) {
    let d = tick_decimals(ticks);
    let _ = write!(
        out,
        "<g class=\"sa-axis sa-axis-y\" font-size=\"12\" fill=\"{INK_SOFT}\">"
    );
    for &t in ticks {
        let y = ys.at(t);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
            n(x0),
            n(y),
            n(x1),
            n(y),
            if t == 0.0 { AXIS } else { GRID }
        );
        text(
            out,
            x0 - 6.0,
            y + 4.0,
            "text-anchor=\"end\"",
            &sozialatlas_core::locale::format_decimal(t, d, locale),
        );
    }
    out.push_str("</g>");
}

/// Vertical grid lines with tick labels under the plot (x axis).
pub(crate) fn x_grid(
    out: &mut String,
    xs: &Scale,
    ticks: &[f64],
    y0: f64,
    y1: f64,
    locale: Locale,
    labels: Option<&[String]>,
) {
    let d = tick_decimals(ticks);
    let _ = write!(
        out,
        "<g class=\"sa-axis sa-axis-x\" font-size=\"12\" fill=\"{INK_SOFT}\">"
    );
    for (i, &t) in ticks.iter().enumerate() {
        let x = xs.at(t);
        let _ = write!(
            out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1\"/>",
            n(x),
            n(y0),
            n(x),
            n(y1),
            if t == 0.0 { AXIS } else { GRID }
        );
        let label = labels
            .and_then(|l| l.get(i).cloned())
            .unwrap_or_else(|| sozialatlas_core::locale::format_decimal(t, d, locale));
        text(out, x, y1 + 16.0, "text-anchor=\"middle\"", &label);
    }
    out.push_str("</g>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(-2.3, 2.1, 4), [-4.0, -2.0, 0.0, 2.0, 4.0]);
        assert_eq!(tick_decimals(&[0.0, 0.2]), 1);
        assert_eq!(tick_decimals(&[0.0, 2.5]), 1);
        assert_eq!(tick_decimals(&[0.0, 5.0]), 0);
        let t = nice_ticks(3.0, 3.0, 5);
        assert!(t.len() >= 2 && t[0] <= 3.0 && *t.last().unwrap() >= 3.0);
    }
}
