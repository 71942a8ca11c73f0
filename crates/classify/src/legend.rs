//! Legend labels (Legende) in German and English.
//!
//! Numbers go through [`sozialatlas_core::locale::format_decimal`], so a bound prints as it does
//! everywhere else in the atlas (rounded half away from zero on its decimal representation).

use serde::{Deserialize, Serialize};
use sozialatlas_core::locale::{Locale, format_decimal};

use crate::breaks::Breaks;
use crate::scheme::Closure;

/// One line of a legend: the class, its bounds and its label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LegendEntry {
    /// Class index, from 0.
    pub class: usize,
    /// Lower bound of the class.
    pub lower: f64,
    /// Upper bound of the class.
    pub upper: f64,
    /// The label, e.g. `5,23 < 11,17`.
    pub label: String,
}

impl Breaks {
    /// The legend labels, one per class, with `decimals` places in the locale's format.
    ///
    /// `[a, b)`: `a < b` ("a bis unter b"), the last class `a und größer` / `a and above`; a first
    /// class without width reads `unter b` / `below b`.
    /// `(a, b]`: the first class `a bis b` / `a to b`, then `über a bis b` / `over a to b`; a first
    /// class without width reads `bis b` / `up to b`, a last one `über a` / `over a`.
    /// One class: `a bis b` / `a to b`, or just `a` if all values are equal.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure};
    /// use sozialatlas_core::Locale;
    /// let b = Breaks::from_bounds(vec![5.23, 11.17, 17.11], Closure::LeftClosed)?;
    /// assert_eq!(b.legend(2, Locale::De), ["5,23 < 11,17", "11,17 und größer"]);
    /// let b = Breaks::from_bounds(vec![5.23, 11.17, 17.11], Closure::RightClosed)?;
    /// assert_eq!(b.legend(1, Locale::En), ["5.2 to 11.2", "over 11.2 to 17.1"]);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn legend(&self, decimals: usize, locale: Locale) -> Vec<String> {
        self.legend_entries(decimals, locale)
            .into_iter()
            .map(|e| e.label)
            .collect()
    }

    /// The legend with each class's bounds next to its label.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure};
    /// use sozialatlas_core::Locale;
    /// let b = Breaks::from_bounds(vec![0.0, 1234.5, 2000.0], Closure::LeftClosed)?;
    /// let e = b.legend_entries(1, Locale::De);
    /// assert_eq!(e[0].label, "0,0 < 1.234,5");
    /// assert_eq!((e[1].lower, e[1].upper), (1234.5, 2000.0));
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn legend_entries(&self, decimals: usize, locale: Locale) -> Vec<LegendEntry> {
        let bounds = self.bounds();
        let k = self.k();
        let f = |x: f64| format_decimal(x, decimals, locale);
        (0..k)
            .map(|j| {
                let (a, b) = (bounds[j], bounds[j + 1]);
                let (fa, fb) = (f(a), f(b));
                let degenerate = a == b;
                let label = if k == 1 {
                    if degenerate {
                        fa
                    } else {
                        format!("{fa} {} {fb}", locale.pick("bis", "to"))
                    }
                } else {
                    match self.closure() {
                        Closure::LeftClosed if j == k - 1 => {
                            format!("{fa} {}", locale.pick("und größer", "and above"))
                        }
                        Closure::LeftClosed if j == 0 && degenerate => {
                            format!("{} {fb}", locale.pick("unter", "below"))
                        }
                        Closure::LeftClosed => format!("{fa} < {fb}"),
                        Closure::RightClosed if j == 0 && degenerate => {
                            format!("{} {fb}", locale.pick("bis", "up to"))
                        }
                        Closure::RightClosed if j == 0 => {
                            format!("{fa} {} {fb}", locale.pick("bis", "to"))
                        }
                        Closure::RightClosed if j == k - 1 && degenerate => {
                            format!("{} {fa}", locale.pick("über", "over"))
                        }
                        Closure::RightClosed => {
                            let (over, to) = match locale {
                                Locale::De => ("über", "bis"),
                                Locale::En => ("over", "to"),
                            };
                            format!("{over} {fa} {to} {fb}")
                        }
                    }
                };
                LegendEntry {
                    class: j,
                    lower: a,
                    upper: b,
                    label,
                }
            })
            .collect()
    }
}
