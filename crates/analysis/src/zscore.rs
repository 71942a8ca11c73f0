//! z-standardisation (z-Standardisierung) with polarity alignment.

use serde::{Deserialize, Serialize};

use crate::error::{Result, check_finite};

/// Which standard deviation divides the centred values.
///
/// Berlin's MSS uses the population sd (divide by n); that is the default because it
/// reproduces the published z-values to the last printed digit, the sample sd does not
/// (see the Berlin validation test).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdKind {
    /// Population sd, ddof = 0: `sqrt(Σ(x − x̄)² / n)`.
    #[default]
    Population,
    /// Sample sd, ddof = 1: `sqrt(Σ(x − x̄)² / (n − 1))`.
    Sample,
}

/// Direction of an indicator (Polarität).
///
/// The crate's one convention: **aligned z-values are higher = worse** (a higher value means a
/// more difficult social situation), as in Berlin's MSS where high unemployment gives a high
/// status sum and the class "sehr niedrig".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// A high raw value is bad (unemployment rate, child poverty): z keeps its sign.
    #[default]
    HigherIsWorse,
    /// A high raw value is good (employment rate, income): z changes sign.
    HigherIsBetter,
}

impl Polarity {
    /// The factor that turns a plain z-value into an aligned (higher = worse) one.
    pub fn sign(self) -> f64 {
        match self {
            Polarity::HigherIsWorse => 1.0,
            Polarity::HigherIsBetter => -1.0,
        }
    }
}

/// One standardised column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZColumn {
    /// Aligned z-values, one per input value (higher = worse).
    pub z: Vec<f64>,
    /// Mean of the raw values.
    pub mean: f64,
    /// Standard deviation of the raw values (of the kind asked for).
    pub sd: f64,
    /// True if all values are equal (sd = 0 up to rounding): then every z is 0 rather than NaN,
    /// because "no area differs from the city" is the honest reading of a column without spread.
    pub constant: bool,
}

/// Mean and standard deviation in two passes (the second pass centres first, which keeps the
/// sum of squares accurate for values far from zero).
pub fn mean_sd(values: &[f64], kind: SdKind) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    let denom = match kind {
        SdKind::Population => n as f64,
        SdKind::Sample => (n as f64 - 1.0).max(1.0),
    };
    (mean, (ss / denom).sqrt())
}

/// Relative size below which an sd counts as zero: a column whose spread is a few ulps of its
/// mean is constant data plus rounding noise, and dividing by that noise would give nonsense.
const CONSTANT_EPS: f64 = 1e-12;

/// z-standardises one column: `z = sign · (x − mean) / sd`.
///
/// Errors on non-finite values (filter missing areas out first, as the MSS does for areas
/// below the minimum population).
pub fn zscore(values: &[f64], polarity: Polarity, kind: SdKind) -> Result<ZColumn> {
    check_finite("values", values)?;
    let (mean, sd) = mean_sd(values, kind);
    let scale = values
        .iter()
        .fold(mean.abs(), |m, v| m.max(v.abs()))
        .max(1.0);
    if values.is_empty() || sd.is_nan() || sd <= CONSTANT_EPS * scale {
        return Ok(ZColumn {
            z: vec![0.0; values.len()],
            mean,
            sd: if values.is_empty() { f64::NAN } else { sd },
            constant: true,
        });
    }
    let s = polarity.sign();
    Ok(ZColumn {
        z: values.iter().map(|v| s * (v - mean) / sd).collect(),
        mean,
        sd,
        constant: false,
    })
}

/// Rounds half away from zero to `decimals` places, the way published German statistical
/// tables (and Berlin's MSS tables) print numbers. Only for presentation and for comparing
/// with published tables: the computation itself never rounds intermediate values.
pub fn round_half_away(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    let y = x * f;
    // Correct for the binary representation of values such as 0.125 or 2.675 that should be
    // ties: nudge by a few ulps before rounding.
    let nudged = y + y.signum() * y.abs() * 4.0 * f64::EPSILON;
    nudged.round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn population_sd_and_sign() {
        let c = zscore(
            &[1.0, 2.0, 3.0],
            Polarity::HigherIsBetter,
            SdKind::Population,
        )
        .unwrap();
        let sd = (2.0f64 / 3.0).sqrt();
        assert!((c.sd - sd).abs() < 1e-15);
        assert!((c.z[0] - 1.0 / sd).abs() < 1e-12);
        assert!(!c.constant);
        let s = zscore(&[1.0, 2.0, 3.0], Polarity::HigherIsWorse, SdKind::Sample).unwrap();
        assert!((s.z[2] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn constant_column_is_zero_and_flagged() {
        let c = zscore(&[0.1 + 0.2; 5], Polarity::HigherIsWorse, SdKind::Population).unwrap();
        assert!(c.constant);
        assert!(c.z.iter().all(|&z| z == 0.0));
    }

    #[test]
    fn non_finite_is_an_error() {
        assert!(
            zscore(
                &[1.0, f64::NAN],
                Polarity::HigherIsWorse,
                SdKind::Population
            )
            .is_err()
        );
    }

    #[test]
    fn rounding_half_away() {
        assert_eq!(round_half_away(0.125, 2), 0.13);
        assert_eq!(round_half_away(-0.125, 2), -0.13);
        assert_eq!(round_half_away(2.675, 2), 2.68);
        assert_eq!(round_half_away(-0.994, 2), -0.99);
    }
}
