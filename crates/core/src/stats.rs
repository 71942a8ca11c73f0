//! Small statistical formulas used by the indicators: the Wilson interval and changes.

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
}
