//! The Berlin status/dynamics index (Monitoring Soziale Stadtentwicklung, MSS 2021 method).
//!
//! For the included areas (population ≥ minimum, all indicators present, not excluded by hand):
//!
//! 1. every indicator is z-standardised over the included areas (population sd by default) and
//!    aligned so that higher = worse;
//! 2. `status_sum = Σ w_j · z_j` over the status indicators (Berlin: S1, S3, S4 with w = 1);
//! 3. `status_index = status_sum / sd(status_sum)` (the sum has mean 0, so this is a second
//!    z-standardisation);
//! 4. classes by standard deviations (see [`StatusThresholds`], [`BoundaryRule`]);
//! 5. the same for dynamics (changes in percentage points over two years: D1, D3, D4);
//! 6. the combined class is the pair (status class, dynamics class): 4 × 3 = 12 groups.
//!
//! **Rounding.** Berlin computes with unrounded values throughout and rounds only what it prints
//! (2 decimals, half away from zero). The Berlin validation test shows it: the published sums equal
//! the rounded sum of *unrounded* z-values for all 536 status sums, while the sum of the *printed*
//! z-values misses by 0.01 in about a third of the areas. This module therefore never rounds; use
//! [`crate::zscore::round_half_away`] when printing.

use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result, check_len};
use crate::zscore::{Polarity, SdKind, mean_sd, zscore};

/// One indicator in the index: its name (for the record), weight and polarity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexIndicator {
    /// Short name as in the catalogue, e.g. `"s1"`.
    pub name: String,
    /// Weight in the sum (Berlin: 1 for every indicator).
    pub weight: f64,
    /// Direction of the raw values.
    pub polarity: Polarity,
}

impl IndexIndicator {
    /// An indicator with weight 1 where higher raw values are worse (all Berlin indicators).
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            weight: 1.0,
            polarity: Polarity::HigherIsWorse,
        }
    }
}

/// How values exactly on a class boundary are classed.
///
/// The two published wordings differ only for an index of exactly ±1; no Berlin 2021 area lies
/// there, so the validation data cannot tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundaryRule {
    /// METHODS.md §4: hoch `≤ −1`, mittel `(−1, 1]`, niedrig `(1, 1.5]`, sehr niedrig `> 1.5`;
    /// positiv `≤ −1`, stabil `(−1, 1)`, negativ `≥ 1`.
    #[default]
    Methods,
    /// The MSS 2021 method document (pp. 41, 45): hoch `< −1`, mittel `[−1, 1]`, niedrig
    /// `(1, 1.5]`, sehr niedrig `> 1.5`; positiv `< −1`, stabil `[−1, 1]`, negativ `> 1`.
    MssDocument,
}

/// Class limits of the status index, in standard deviations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StatusThresholds {
    /// At or below (see [`BoundaryRule`]): status "hoch" (−1).
    pub high: f64,
    /// Upper limit of "mittel" (1).
    pub middle: f64,
    /// Upper limit of "niedrig" (1.5); above is "sehr niedrig".
    pub low: f64,
}

/// Class limits of the dynamics index, in standard deviations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DynamicsThresholds {
    /// Limit of "positiv" (−1).
    pub positive: f64,
    /// Limit of "negativ" (1).
    pub negative: f64,
}

/// All settings of an index run; serialisable so a run can be stored and repeated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MssSettings {
    /// Status indicators (Berlin 2021: s1, s3, s4).
    pub status: Vec<IndexIndicator>,
    /// Dynamics indicators (Berlin 2021: d1, d3, d4).
    pub dynamics: Vec<IndexIndicator>,
    /// Areas with fewer inhabitants are left out of every mean and sd (Berlin: 300).
    pub min_population: f64,
    /// Standard deviation used for z-values and for the index (Berlin: population).
    pub sd: SdKind,
    /// Status class limits.
    pub status_thresholds: StatusThresholds,
    /// Dynamics class limits.
    pub dynamics_thresholds: DynamicsThresholds,
    /// Which side of a boundary a value exactly on it goes to.
    pub boundary: BoundaryRule,
}

impl MssSettings {
    /// The MSS 2021 settings: S1, S3, S4 / D1, D3, D4, weight 1, at least 300 inhabitants,
    /// population sd, limits ±1 and 1.5.
    pub fn berlin_2021() -> Self {
        Self {
            status: ["s1", "s3", "s4"].map(IndexIndicator::new).to_vec(),
            dynamics: ["d1", "d3", "d4"].map(IndexIndicator::new).to_vec(),
            min_population: 300.0,
            sd: SdKind::Population,
            status_thresholds: StatusThresholds {
                high: -1.0,
                middle: 1.0,
                low: 1.5,
            },
            dynamics_thresholds: DynamicsThresholds {
                positive: -1.0,
                negative: 1.0,
            },
            boundary: BoundaryRule::Methods,
        }
    }
}

/// Status class (Statusklasse); the number is Berlin's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusClass {
    /// 1 "hoch" (high status, the best).
    High = 1,
    /// 2 "mittel".
    Middle = 2,
    /// 3 "niedrig".
    Low = 3,
    /// 4 "sehr niedrig" (the worst).
    VeryLow = 4,
}

impl StatusClass {
    /// The German label as Berlin publishes it.
    pub fn label_de(self) -> &'static str {
        match self {
            StatusClass::High => "hoch",
            StatusClass::Middle => "mittel",
            StatusClass::Low => "niedrig",
            StatusClass::VeryLow => "sehr niedrig",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            StatusClass::High => "high",
            StatusClass::Middle => "medium",
            StatusClass::Low => "low",
            StatusClass::VeryLow => "very low",
        }
    }
}

/// Dynamics class (Dynamikklasse); the number is Berlin's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DynamicsClass {
    /// 1 "positiv" (improving).
    Positive = 1,
    /// 3 "stabil".
    Stable = 3,
    /// 5 "negativ" (worsening).
    Negative = 5,
}

impl DynamicsClass {
    /// The German label as Berlin publishes it.
    pub fn label_de(self) -> &'static str {
        match self {
            DynamicsClass::Positive => "positiv",
            DynamicsClass::Stable => "stabil",
            DynamicsClass::Negative => "negativ",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            DynamicsClass::Positive => "positive",
            DynamicsClass::Stable => "stable",
            DynamicsClass::Negative => "negative",
        }
    }
}

/// One of the 12 combined groups (Gesamtindex Soziale Ungleichheit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CombinedClass {
    /// Status class.
    pub status: StatusClass,
    /// Dynamics class.
    pub dynamics: DynamicsClass,
}

impl CombinedClass {
    /// Berlin's number `10 × status + dynamics` (11 … 45).
    pub fn number(self) -> u8 {
        10 * self.status as u8 + self.dynamics as u8
    }

    /// Berlin's short code, e.g. `"1+"`, `"2+/-"`, `"4-"`.
    pub fn code(self) -> String {
        let sign = match self.dynamics {
            DynamicsClass::Positive => "+",
            DynamicsClass::Stable => "+/-",
            DynamicsClass::Negative => "-",
        };
        format!("{}{}", self.status as u8, sign)
    }

    /// German label, e.g. "Status mittel, Dynamik negativ".
    pub fn label_de(self) -> String {
        format!(
            "Status {}, Dynamik {}",
            self.status.label_de(),
            self.dynamics.label_de()
        )
    }
}

/// Why an area has no index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// Fewer inhabitants than `min_population` (Berlin: "ungültig (EW unter 300)").
    BelowMinimumPopulation,
    /// An indicator value is missing (NaN) or infinite.
    MissingValue,
    /// Excluded by the caller (Berlin: "ungültig (Ausreißer)").
    Excluded,
}

/// Index values of one included area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaIndex {
    /// Aligned z-values of the status indicators, in settings order.
    pub status_z: Vec<f64>,
    /// Weighted sum of `status_z`.
    pub status_sum: f64,
    /// `status_sum / sd(status_sum)`.
    pub status_index: f64,
    /// Class of `status_index`.
    pub status_class: StatusClass,
    /// Aligned z-values of the dynamics indicators.
    pub dynamics_z: Vec<f64>,
    /// Weighted sum of `dynamics_z`.
    pub dynamics_sum: f64,
    /// `dynamics_sum / sd(dynamics_sum)`.
    pub dynamics_index: f64,
    /// Class of `dynamics_index`.
    pub dynamics_class: DynamicsClass,
    /// The combined group.
    pub combined: CombinedClass,
}

/// Mean and sd of one indicator over the included areas (to show and to store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorMoments {
    /// Indicator name.
    pub name: String,
    /// Mean of the raw values.
    pub mean: f64,
    /// Standard deviation of the raw values.
    pub sd: f64,
    /// True if the indicator is constant; its z-values are then all 0.
    pub constant: bool,
}

/// The result of an index run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MssResult {
    /// The settings used.
    pub settings: MssSettings,
    /// Per area, in input order: the index or the reason for exclusion.
    pub areas: Vec<std::result::Result<AreaIndex, Exclusion>>,
    /// Moments of the status indicators.
    pub status_moments: Vec<IndicatorMoments>,
    /// Moments of the dynamics indicators.
    pub dynamics_moments: Vec<IndicatorMoments>,
    /// sd of the status sum (the divisor of the status index).
    pub status_sum_sd: f64,
    /// sd of the dynamics sum.
    pub dynamics_sum_sd: f64,
    /// Human-readable warnings (constant indicators, constant sums).
    pub warnings: Vec<String>,
}

impl MssResult {
    /// Number of included areas.
    pub fn included(&self) -> usize {
        self.areas.iter().filter(|a| a.is_ok()).count()
    }
}

/// The data of an index run: columns over all areas, in the same order.
#[derive(Debug, Clone, Copy)]
pub struct MssInput<'a> {
    /// Inhabitants per area.
    pub population: &'a [f64],
    /// One column per status indicator, in settings order; NaN = missing.
    pub status: &'a [&'a [f64]],
    /// One column per dynamics indicator, in settings order; NaN = missing.
    pub dynamics: &'a [&'a [f64]],
    /// Areas to leave out by hand (outliers); `None` = none.
    pub excluded: Option<&'a [bool]>,
}

/// Classes a status index.
pub fn status_class(x: f64, t: &StatusThresholds, rule: BoundaryRule) -> StatusClass {
    let high = match rule {
        BoundaryRule::Methods => x <= t.high,
        BoundaryRule::MssDocument => x < t.high,
    };
    if high {
        StatusClass::High
    } else if x <= t.middle {
        StatusClass::Middle
    } else if x <= t.low {
        StatusClass::Low
    } else {
        StatusClass::VeryLow
    }
}

/// Classes a dynamics index.
pub fn dynamics_class(x: f64, t: &DynamicsThresholds, rule: BoundaryRule) -> DynamicsClass {
    let (pos, neg) = match rule {
        BoundaryRule::Methods => (x <= t.positive, x >= t.negative),
        BoundaryRule::MssDocument => (x < t.positive, x > t.negative),
    };
    if pos {
        DynamicsClass::Positive
    } else if neg {
        DynamicsClass::Negative
    } else {
        DynamicsClass::Stable
    }
}

/// z-values, weighted sum and index of one group of indicators over the included rows.
struct Part {
    z: Vec<Vec<f64>>,
    sum: Vec<f64>,
    index: Vec<f64>,
    moments: Vec<IndicatorMoments>,
    sum_sd: f64,
}

fn part(
    kind: &str,
    indicators: &[IndexIndicator],
    columns: &[&[f64]],
    rows: &[usize],
    sd: SdKind,
    warnings: &mut Vec<String>,
) -> Result<Part> {
    let mut z = Vec::with_capacity(indicators.len());
    let mut moments = Vec::with_capacity(indicators.len());
    let mut sum = vec![0.0; rows.len()];
    for (ind, col) in indicators.iter().zip(columns) {
        let values: Vec<f64> = rows.iter().map(|&r| col[r]).collect();
        let zc = zscore(&values, ind.polarity, sd)?;
        if zc.constant {
            warnings.push(format!(
                "{kind} indicator {} is constant over the included areas; its z-values are 0",
                ind.name
            ));
        }
        for (s, v) in sum.iter_mut().zip(&zc.z) {
            *s += ind.weight * v;
        }
        moments.push(IndicatorMoments {
            name: ind.name.clone(),
            mean: zc.mean,
            sd: zc.sd,
            constant: zc.constant,
        });
        z.push(zc.z);
    }
    let (_, sum_sd) = mean_sd(&sum, sd);
    let index = if sum_sd > 1e-12 {
        sum.iter().map(|s| s / sum_sd).collect()
    } else {
        // A group without indicators (a status-only index) is not there, not constant.
        if !indicators.is_empty() {
            warnings.push(format!(
                "{kind} sum is constant over the included areas; its index is 0"
            ));
        }
        vec![0.0; sum.len()]
    };
    Ok(Part {
        z,
        sum,
        index,
        moments,
        sum_sd,
    })
}

/// Computes the status/dynamics index.
///
/// Errors if the columns do not match the settings, a weight is not finite, or fewer than two
/// areas remain.
pub fn mss_index(settings: &MssSettings, input: &MssInput<'_>) -> Result<MssResult> {
    let n = input.population.len();
    check_len("status columns", settings.status.len(), input.status.len())?;
    check_len(
        "dynamics columns",
        settings.dynamics.len(),
        input.dynamics.len(),
    )?;
    for col in input.status.iter().chain(input.dynamics) {
        check_len("indicator column", n, col.len())?;
    }
    if let Some(ex) = input.excluded {
        check_len("excluded", n, ex.len())?;
    }
    for ind in settings.status.iter().chain(&settings.dynamics) {
        if !ind.weight.is_finite() {
            return Err(AnalysisError::InvalidSetting {
                name: format!("weight of {}", ind.name),
                reason: "must be finite".into(),
            });
        }
    }
    let t = &settings.status_thresholds;
    if !(t.high < t.middle && t.middle < t.low) {
        return Err(AnalysisError::InvalidSetting {
            name: "status_thresholds".into(),
            reason: "need high < middle < low".into(),
        });
    }
    let dt = &settings.dynamics_thresholds;
    if dt.positive.partial_cmp(&dt.negative) != Some(std::cmp::Ordering::Less) {
        return Err(AnalysisError::InvalidSetting {
            name: "dynamics_thresholds".into(),
            reason: "need positive < negative".into(),
        });
    }

    let mut areas: Vec<std::result::Result<AreaIndex, Exclusion>> = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let excluded = input.excluded.is_some_and(|e| e[i]);
        let pop = input.population[i];
        let state = if excluded {
            Err(Exclusion::Excluded)
        } else if pop.is_nan() || pop < settings.min_population {
            Err(Exclusion::BelowMinimumPopulation)
        } else if input
            .status
            .iter()
            .chain(input.dynamics)
            .any(|c| !c[i].is_finite())
        {
            Err(Exclusion::MissingValue)
        } else {
            rows.push(i);
            Ok(())
        };
        // Placeholder, filled in below once the moments over all included areas are known.
        areas.push(state.map(|()| AreaIndex {
            status_z: Vec::new(),
            status_sum: 0.0,
            status_index: 0.0,
            status_class: StatusClass::Middle,
            dynamics_z: Vec::new(),
            dynamics_sum: 0.0,
            dynamics_index: 0.0,
            dynamics_class: DynamicsClass::Stable,
            combined: CombinedClass {
                status: StatusClass::Middle,
                dynamics: DynamicsClass::Stable,
            },
        }));
    }
    if rows.len() < 2 {
        return Err(AnalysisError::TooFewAreas {
            what: "index".into(),
            needed: 2,
            got: rows.len(),
        });
    }
    let mut warnings = Vec::new();
    let s = part(
        "status",
        &settings.status,
        input.status,
        &rows,
        settings.sd,
        &mut warnings,
    )?;
    let d = part(
        "dynamics",
        &settings.dynamics,
        input.dynamics,
        &rows,
        settings.sd,
        &mut warnings,
    )?;
    for (k, &r) in rows.iter().enumerate() {
        let sc = status_class(s.index[k], t, settings.boundary);
        let dc = dynamics_class(d.index[k], dt, settings.boundary);
        areas[r] = Ok(AreaIndex {
            status_z: s.z.iter().map(|c| c[k]).collect(),
            status_sum: s.sum[k],
            status_index: s.index[k],
            status_class: sc,
            dynamics_z: d.z.iter().map(|c| c[k]).collect(),
            dynamics_sum: d.sum[k],
            dynamics_index: d.index[k],
            dynamics_class: dc,
            combined: CombinedClass {
                status: sc,
                dynamics: dc,
            },
        });
    }
    Ok(MssResult {
        settings: settings.clone(),
        areas,
        status_moments: s.moments,
        dynamics_moments: d.moments,
        status_sum_sd: s.sum_sd,
        dynamics_sum_sd: d.sum_sd,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries() {
        let s = MssSettings::berlin_2021();
        let t = &s.status_thresholds;
        assert_eq!(
            status_class(-1.0, t, BoundaryRule::Methods),
            StatusClass::High
        );
        assert_eq!(
            status_class(-1.0, t, BoundaryRule::MssDocument),
            StatusClass::Middle
        );
        assert_eq!(
            status_class(1.0, t, BoundaryRule::Methods),
            StatusClass::Middle
        );
        assert_eq!(
            status_class(1.5, t, BoundaryRule::Methods),
            StatusClass::Low
        );
        assert_eq!(
            status_class(1.51, t, BoundaryRule::Methods),
            StatusClass::VeryLow
        );
        let d = &s.dynamics_thresholds;
        assert_eq!(
            dynamics_class(1.0, d, BoundaryRule::Methods),
            DynamicsClass::Negative
        );
        assert_eq!(
            dynamics_class(1.0, d, BoundaryRule::MssDocument),
            DynamicsClass::Stable
        );
        assert_eq!(
            dynamics_class(-1.0, d, BoundaryRule::Methods),
            DynamicsClass::Positive
        );
    }

    #[test]
    fn small_areas_and_missing_values_are_left_out() {
        let settings = MssSettings {
            status: vec![IndexIndicator::new("a")],
            dynamics: vec![IndexIndicator::new("b")],
            min_population: 300.0,
            ..MssSettings::berlin_2021()
        };
        let pop = [1000.0, 1000.0, 10.0, 1000.0, 1000.0];
        let a = [1.0, 2.0, 100.0, f64::NAN, 3.0];
        let b = [5.0, 5.0, 5.0, 5.0, 5.0];
        let r = mss_index(
            &settings,
            &MssInput {
                population: &pop,
                status: &[&a],
                dynamics: &[&b],
                excluded: None,
            },
        )
        .unwrap();
        assert_eq!(r.included(), 3);
        assert_eq!(r.areas[2], Err(Exclusion::BelowMinimumPopulation));
        assert_eq!(r.areas[3], Err(Exclusion::MissingValue));
        assert!(r.dynamics_moments[0].constant);
        assert_eq!(r.warnings.len(), 2);
        let a0 = r.areas[0].as_ref().unwrap();
        assert!((a0.status_index + 1.224744871391589).abs() < 1e-12);
        assert_eq!(a0.dynamics_class, DynamicsClass::Stable);
    }
}
