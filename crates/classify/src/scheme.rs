//! The settings of a classification: scheme (Klassifizierungsverfahren) and class closure.

use serde::{Deserialize, Serialize};

/// Which end of a class interval belongs to the class (Klassengrenzen).
///
/// Values beyond the outer bounds (possible only with manual breaks or breaks fixed from other
/// years) go to the first or last class, so the outer classes are open in effect: the legend says
/// "… und größer" for the last class under [`Closure::LeftClosed`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closure {
    /// `[a, b)`: "von … bis unter", German official statistics; the last class is `[a, max]`.
    #[default]
    LeftClosed,
    /// `(a, b]`: "über … bis", PySAL mapclassify; the first class is `[min, b]`.
    RightClosed,
}

/// Which standard deviation the standard-deviation scheme uses (Standardabweichung).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdKind {
    /// Divide by `n` (the areas are the whole population of areas, not a sample).
    #[default]
    Population,
    /// Divide by `n − 1` (what mapclassify's `StdMean` uses).
    Sample,
}

/// The step between standard-deviation breaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdStep {
    /// Breaks at `mean + m·sd`, m ∈ {−2, −1, 0, 1, 2}: six classes.
    #[default]
    One,
    /// Breaks at `mean + m·sd`, m ∈ {−2, −1.5, …, 1.5, 2}: ten classes.
    Half,
}

impl SdStep {
    /// The multiples of the standard deviation at which this step puts breaks.
    ///
    /// ```
    /// use sozialatlas_classify::SdStep;
    /// assert_eq!(SdStep::One.multiples(), vec![-2.0, -1.0, 0.0, 1.0, 2.0]);
    /// assert_eq!(SdStep::Half.multiples().len(), 9);
    /// ```
    pub fn multiples(self) -> Vec<f64> {
        match self {
            SdStep::One => vec![-2.0, -1.0, 0.0, 1.0, 2.0],
            SdStep::Half => (-4..=4).map(|i| f64::from(i) * 0.5).collect(),
        }
    }
}

/// A classification scheme (Klassifizierungsverfahren); see the crate docs for the definitions.
///
/// Serialised with a `scheme` tag, e.g. `{"scheme":"natural_breaks","k":5}`, so that it can be
/// stored with an indicator and put into a permalink.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum Scheme {
    /// Equal interval (gleiche Klassenbreite): `w = (max − min)/k`, breaks `min + j·w`.
    EqualInterval {
        /// Number of classes.
        k: usize,
    },
    /// Quantiles (Quantile): breaks at the `j/k` quantiles (linear interpolation, type 7).
    Quantiles {
        /// Number of classes requested; duplicate breaks merge classes.
        k: usize,
    },
    /// Natural breaks (natürliche Unterbrechungen, Jenks): exact optimal 1-D k-means.
    NaturalBreaks {
        /// Number of classes requested; fewer if there are fewer distinct values.
        k: usize,
    },
    /// Standard deviation (Standardabweichung): breaks at `mean + m·sd` for each multiple `m`.
    StdDev {
        /// The multiples of sd, strictly ascending; see [`SdStep::multiples`].
        multiples: Vec<f64>,
        /// Population or sample standard deviation.
        sd: SdKind,
    },
    /// Box map (Boxplot-Karte): breaks at `Q1 − h·IQR, Q1, Q2, Q3, Q3 + h·IQR`; always six classes.
    BoxMap {
        /// The hinge `h`, usually 1.5 (or 3 for extreme outliers only).
        hinge: f64,
    },
    /// Manual breaks (manuelle Klassengrenzen): the `k − 1` inner breaks, strictly ascending.
    Manual {
        /// The inner breaks; the outer bounds are the data's minimum and maximum.
        breaks: Vec<f64>,
    },
}

impl Scheme {
    /// The standard-deviation scheme with breaks every `step` standard deviations up to ±2 sd.
    ///
    /// ```
    /// use sozialatlas_classify::{Scheme, SdKind, SdStep};
    /// let s = Scheme::std_dev(SdStep::One, SdKind::Population);
    /// assert_eq!(s, Scheme::StdDev { multiples: vec![-2.0, -1.0, 0.0, 1.0, 2.0], sd: SdKind::Population });
    /// ```
    pub fn std_dev(step: SdStep, sd: SdKind) -> Scheme {
        Scheme::StdDev {
            multiples: step.multiples(),
            sd,
        }
    }

    /// The box map with the usual hinge 1.5.
    ///
    /// ```
    /// use sozialatlas_classify::Scheme;
    /// assert_eq!(Scheme::box_map(), Scheme::BoxMap { hinge: 1.5 });
    /// ```
    pub fn box_map() -> Scheme {
        Scheme::BoxMap { hinge: 1.5 }
    }

    /// A short English name of the scheme for captions ("natural breaks (Jenks)").
    ///
    /// ```
    /// use sozialatlas_classify::Scheme;
    /// use sozialatlas_core::Locale;
    /// assert_eq!(Scheme::Quantiles { k: 5 }.name(Locale::De), "Quantile");
    /// assert_eq!(Scheme::NaturalBreaks { k: 5 }.name(Locale::En), "natural breaks (Jenks)");
    /// ```
    pub fn name(&self, locale: sozialatlas_core::Locale) -> &'static str {
        match self {
            Scheme::EqualInterval { .. } => locale.pick("gleiche Klassenbreite", "equal interval"),
            Scheme::Quantiles { .. } => locale.pick("Quantile", "quantiles"),
            Scheme::NaturalBreaks { .. } => locale.pick(
                "natürliche Unterbrechungen (Jenks)",
                "natural breaks (Jenks)",
            ),
            Scheme::StdDev { .. } => locale.pick("Standardabweichung", "standard deviation"),
            Scheme::BoxMap { .. } => locale.pick("Boxplot-Karte", "box map"),
            Scheme::Manual { .. } => locale.pick("manuelle Klassengrenzen", "manual breaks"),
        }
    }
}
