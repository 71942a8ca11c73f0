//! Small statistical formulas: the Wilson interval and changes of the indicators, and the
//! correlation and least-squares line of the scatter plots.

use crate::catalogue::ChangeKind;

/// The normal quantile for a two-sided 95 % interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Wilson score interval (Wilson 1927) for a proportion `k / n`, as `(low, high)` in [0, 1].
///
/// Better than the normal approximation for small `n` and proportions near 0 or 1, which is
/// exactly the small-area case. Returns `None` for `n <= 0` or `k` outside `[0, n]`.
///
/// ```
/// let (lo, hi) = sozialatlas_core::stats::wilson(10.0, 100.0, sozialatlas_core::stats::Z_95).unwrap();
/// assert!((lo - 0.05523).abs() < 1e-5 && (hi - 0.17437).abs() < 1e-5);
/// ```
pub fn wilson(k: f64, n: f64, z: f64) -> Option<(f64, f64)> {
    if n.is_nan() || n <= 0.0 || !(0.0..=n).contains(&k) {
        return None;
    }
    let p = k / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Whether an area is "not clearly different from the city" (nicht deutlich verschieden vom
/// Stadtwert): its 95 % Wilson interval and the city's overlap, i.e. `low_a ≤ high_c` and
/// `low_c ≤ high_a` (touching counts as overlapping). Intervals that do not overlap mean a
/// difference well beyond chance; overlapping ones do not prove the rates equal, only that the
/// counts cannot tell them apart clearly (METHODS §2.2).
///
/// ```
/// use sozialatlas_core::stats::intervals_overlap;
/// assert!(intervals_overlap((10.0, 14.0), (13.5, 15.0)));
/// assert!(!intervals_overlap((10.0, 13.0), (13.5, 15.0)));
/// ```
pub fn intervals_overlap(area: (f64, f64), city: (f64, f64)) -> bool {
    area.0 <= city.1 && city.0 <= area.1
}

/// An area's rate against the city's by their 95 % Wilson intervals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersusCity {
    /// The intervals overlap: „nicht deutlich verschieden vom Stadtwert“.
    NotClearlyDifferent,
    /// The area's interval lies wholly above the city's.
    ClearlyHigher,
    /// The area's interval lies wholly below the city's.
    ClearlyLower,
}

impl VersusCity {
    /// How the area's interval `area` lies against the city's interval `city`.
    pub fn of(area: (f64, f64), city: (f64, f64)) -> VersusCity {
        if intervals_overlap(area, city) {
            VersusCity::NotClearlyDifferent
        } else if area.0 > city.1 {
            VersusCity::ClearlyHigher
        } else {
            VersusCity::ClearlyLower
        }
    }

    /// The name in the API and the downloads' English header.
    pub fn as_str(self) -> &'static str {
        match self {
            VersusCity::NotClearlyDifferent => "not_clearly_different",
            VersusCity::ClearlyHigher => "clearly_higher",
            VersusCity::ClearlyLower => "clearly_lower",
        }
    }
}

/// The change from `x0` to `x1`: `(x1 − x0) / x0 × 100` for [`ChangeKind::Relative`], `x1 − x0`
/// for [`ChangeKind::Difference`]. `None` when a relative change starts from 0.
///
/// ```
/// use sozialatlas_core::{stats::change, catalogue::ChangeKind};
/// assert_eq!(change(ChangeKind::Relative, 200.0, 250.0), Some(25.0));
/// assert_eq!(change(ChangeKind::Difference, 12.5, 10.0), Some(-2.5));
/// ```
pub fn change(kind: ChangeKind, x0: f64, x1: f64) -> Option<f64> {
    match kind {
        ChangeKind::Relative if x0 == 0.0 => None,
        ChangeKind::Relative => Some((x1 - x0) / x0 * 100.0),
        ChangeKind::Difference => Some(x1 - x0),
    }
}

/// Pearson's correlation coefficient of the finite pairs; `None` with fewer than 3 pairs or no
/// variance. Two-pass (means first) to avoid cancellation.
///
/// ```
/// let r = sozialatlas_core::stats::pearson(&[(1.0, 2.0), (2.0, 4.1), (3.0, 5.9)]).unwrap();
/// assert!((r - 0.99902).abs() < 1e-5); // 3.9 / sqrt(2 · 7.62)
/// ```
pub fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let p: Vec<(f64, f64)> = pairs
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if p.len() < 3 {
        return None;
    }
    let k = p.len() as f64;
    let mx = p.iter().map(|q| q.0).sum::<f64>() / k;
    let my = p.iter().map(|q| q.1).sum::<f64>() / k;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &p {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// The least-squares line of y on x through the pairs as given: `(intercept, slope)`; `None`
/// with fewer than 2 pairs or no variance in x.
pub fn least_squares(pairs: &[(f64, f64)]) -> Option<(f64, f64)> {
    let k = pairs.len() as f64;
    if pairs.len() < 2 {
        return None;
    }
    let mx = pairs.iter().map(|q| q.0).sum::<f64>() / k;
    let my = pairs.iter().map(|q| q.1).sum::<f64>() / k;
    let sxx: f64 = pairs.iter().map(|q| (q.0 - mx).powi(2)).sum();
    let sxy: f64 = pairs.iter().map(|q| (q.0 - mx) * (q.1 - my)).sum();
    (sxx > 0.0).then(|| (my - sxy / sxx * mx, sxy / sxx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_reference_values() {
        // Reference: statsmodels proportion_confint(10, 100, method="wilson")
        // = (0.05522913706067509, 0.17436566150491348); (0, 20) → (0.0, 0.1611251580528194)
        let (lo, hi) = wilson(10.0, 100.0, Z_95).unwrap();
        assert!((lo - 0.055_229_137_060_675_09).abs() < 1e-12);
        assert!((hi - 0.174_365_661_504_913_48).abs() < 1e-12);
        // k = 0: lower bound 0, upper bound z²/(n+z²)
        let (lo, hi) = wilson(0.0, 20.0, Z_95).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.161_125_158_052_819_4).abs() < 1e-12);
        assert!(wilson(5.0, 0.0, Z_95).is_none());
        assert!(wilson(6.0, 5.0, Z_95).is_none());
    }

    #[test]
    fn overlap_is_symmetric_and_counts_touching() {
        assert!(intervals_overlap((1.0, 2.0), (2.0, 3.0)));
        assert!(intervals_overlap((2.0, 3.0), (1.0, 2.0)));
        assert!(intervals_overlap((0.0, 10.0), (4.0, 5.0)));
        assert!(intervals_overlap((4.0, 5.0), (0.0, 10.0)));
        assert!(!intervals_overlap((1.0, 1.9), (2.0, 3.0)));
        assert!(!intervals_overlap((3.1, 4.0), (2.0, 3.0)));
        // Real counts: 30 of 100 against a city of 1 000 of 10 000 is clearly different;
        // 12 of 100 is not.
        let city = wilson(1000.0, 10_000.0, Z_95).unwrap();
        assert!(!intervals_overlap(wilson(30.0, 100.0, Z_95).unwrap(), city));
        assert!(intervals_overlap(wilson(12.0, 100.0, Z_95).unwrap(), city));
        assert_eq!(
            VersusCity::of(wilson(30.0, 100.0, Z_95).unwrap(), city),
            VersusCity::ClearlyHigher
        );
        assert_eq!(
            VersusCity::of(wilson(2.0, 100.0, Z_95).unwrap(), city),
            VersusCity::ClearlyLower
        );
        assert_eq!(
            VersusCity::of(wilson(12.0, 100.0, Z_95).unwrap(), city),
            VersusCity::NotClearlyDifferent
        );
    }

    proptest::proptest! {
        #[test]
        fn wilson_contains_p(k in 0u32..1000, extra in 0u32..1000) {
            let n = (k + extra).max(1) as f64;
            let k = (k as f64).min(n);
            let (lo, hi) = wilson(k, n, Z_95).unwrap();
            let p = k / n;
            proptest::prop_assert!(lo <= p + 1e-12 && p <= hi + 1e-12 && 0.0 <= lo && hi <= 1.0);
        }
    }

    #[test]
    fn pearson_and_least_squares_against_hand_computation() {
        // x = 1..5, y = 2, 4, 5, 4, 5: Sxy = 6, Sxx = 10, Syy = 6, r = 6 / sqrt(60).
        let p: Vec<(f64, f64)> = [2.0, 4.0, 5.0, 4.0, 5.0]
            .iter()
            .enumerate()
            .map(|(i, &y)| (i as f64 + 1.0, y))
            .collect();
        let r = pearson(&p).unwrap();
        assert!((r - 6.0 / 60f64.sqrt()).abs() < 1e-12);
        assert_eq!(pearson(&[(1.0, 1.0), (1.0, 2.0), (1.0, 3.0)]), None);
        assert_eq!(pearson(&[(1.0, 1.0), (f64::NAN, 2.0)]), None);
        let (a, b) = least_squares(&p).unwrap();
        assert!((b - 0.6).abs() < 1e-12 && (a - 2.2).abs() < 1e-12);
        assert_eq!(least_squares(&[(1.0, 1.0), (1.0, 2.0)]), None);
    }

    #[test]
    fn pearson_and_least_squares_against_scipy() {
        // Flensburg's 13 Stadtteile in 2022 (examples/flensburg/data/
        // flensburg_core_indicators_wide.csv): unemployed_pct_of_18_to_64_derived (x) and
        // sgb2_pct_of_under_65_derived (y). Reference, SciPy 1.17.1:
        //   scipy.stats.pearsonr(x, y).statistic = 0.9601168402995034
        //   scipy.stats.linregress(x, y): intercept = -1.756324844431374,
        //                                 slope = 2.4677588843857396
        let x = [
            5.37, 9.0, 8.62, 5.12, 4.97, 4.9, 6.59, 5.37, 6.4, 5.56, 5.12, 4.72, 2.32,
        ];
        let y = [
            11.62, 21.66, 18.16, 10.98, 10.49, 8.63, 15.47, 10.02, 12.69, 14.06, 10.7, 11.5, 3.95,
        ];
        let p: Vec<(f64, f64)> = x.into_iter().zip(y).collect();
        let r = pearson(&p).unwrap();
        assert!((r - 0.960_116_840_299_503_4).abs() < 1e-12, "{r}");
        let (a, b) = least_squares(&p).unwrap();
        assert!((a - -1.756_324_844_431_374).abs() < 1e-12, "{a}");
        assert!((b - 2.467_758_884_385_739_6).abs() < 1e-12, "{b}");
        // A pair with a missing value is left out of r, as the page and the chart leave it out.
        let mut with_gap = p.clone();
        with_gap.push((f64::NAN, 7.0));
        assert_eq!(pearson(&with_gap), Some(r));
    }
}
