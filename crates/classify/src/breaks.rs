//! Computing class bounds from values, and assigning values to classes.

use serde::{Deserialize, Serialize};

use crate::ckmeans::ckmeans;
use crate::scheme::{Closure, Scheme, SdKind};

/// What went wrong when breaks could not be computed (the settings or the data do not allow it).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ClassifyError {
    /// No finite value was passed in.
    #[error("no finite values to classify")]
    NoValues,
    /// `k = 0` classes were requested.
    #[error("the number of classes must be at least 1")]
    ZeroClasses,
    /// A break (manual, or a stored bound) is NaN or infinite.
    #[error("break {index} is not a finite number")]
    NonFiniteBreak {
        /// Position of the break, from 0.
        index: usize,
    },
    /// Breaks are not ascending.
    #[error(
        "breaks must be ascending: break {index} ({value}) is smaller than (or, for manual breaks, equal to) the one before"
    )]
    BreaksNotAscending {
        /// Position of the offending break, from 0.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// Stored bounds need at least a lower and an upper bound.
    #[error("class bounds need at least two values (got {0})")]
    TooFewBounds(usize),
    /// Standard-deviation multiples must be finite, strictly ascending and not empty.
    #[error("standard-deviation multiples must be finite, strictly ascending and not empty")]
    InvalidMultiples,
    /// The box-map hinge must be finite and positive.
    #[error("the box-map hinge must be a positive number (got {0})")]
    InvalidHinge(f64),
}

/// Something the classification did differently from what was asked, to be shown to the user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// Non-finite values (NaN, ±∞) were ignored.
    IgnoredNonFinite {
        /// How many.
        count: usize,
    },
    /// All values are equal: one class.
    AllValuesEqual {
        /// The value.
        value: f64,
    },
    /// Natural breaks: fewer distinct values than classes requested, one class per value.
    FewerDistinctValues {
        /// Classes requested.
        requested: usize,
        /// Distinct values (= classes made).
        distinct: usize,
    },
    /// Quantiles: equal quantiles (ties) were merged, so there are fewer classes.
    MergedDuplicateBreaks {
        /// Classes requested.
        requested: usize,
        /// Classes made.
        classes: usize,
    },
}

impl Note {
    /// The note as a sentence for the caption under the map.
    ///
    /// ```
    /// use sozialatlas_classify::Note;
    /// use sozialatlas_core::Locale;
    /// let n = Note::MergedDuplicateBreaks { requested: 5, classes: 4 };
    /// assert_eq!(n.message(Locale::De), "4 statt 5 Klassen: gleiche Quantile zusammengelegt.");
    /// assert_eq!(n.message(Locale::En), "4 classes instead of 5: equal quantiles merged.");
    /// ```
    pub fn message(&self, locale: sozialatlas_core::Locale) -> String {
        use sozialatlas_core::Locale::{De, En};
        match (self, locale) {
            (Note::IgnoredNonFinite { count }, De) => {
                format!("{count} Werte ohne Zahl nicht berücksichtigt.")
            }
            (Note::IgnoredNonFinite { count }, En) => {
                format!("{count} values that are not numbers were ignored.")
            }
            (Note::AllValuesEqual { .. }, De) => "Alle Werte sind gleich: eine Klasse.".into(),
            (Note::AllValuesEqual { .. }, En) => "All values are equal: one class.".into(),
            (
                Note::FewerDistinctValues {
                    requested,
                    distinct,
                },
                De,
            ) => {
                format!("{distinct} statt {requested} Klassen: nur {distinct} verschiedene Werte.")
            }
            (
                Note::FewerDistinctValues {
                    requested,
                    distinct,
                },
                En,
            ) => format!(
                "{distinct} classes instead of {requested}: only {distinct} distinct values."
            ),
            (Note::MergedDuplicateBreaks { requested, classes }, De) => {
                format!("{classes} statt {requested} Klassen: gleiche Quantile zusammengelegt.")
            }
            (Note::MergedDuplicateBreaks { requested, classes }, En) => {
                format!("{classes} classes instead of {requested}: equal quantiles merged.")
            }
        }
    }
}

/// Class bounds (Klassengrenzen) computed once, to classify any number of values with.
///
/// `bounds` holds `k + 1` non-decreasing numbers: class `j` runs from `bounds[j]` to
/// `bounds[j + 1]`, closed at one end as [`Closure`] says. `bounds[0]` and `bounds[k]` are the
/// data's minimum and maximum (or a break beyond them). A class may be empty, and for the box map
/// and standard-deviation schemes an outer class may be degenerate (`bounds[j] == bounds[j + 1]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BreaksRepr")]
pub struct Breaks {
    scheme: Scheme,
    closure: Closure,
    bounds: Vec<f64>,
    notes: Vec<Note>,
}

#[derive(Deserialize)]
struct BreaksRepr {
    scheme: Scheme,
    closure: Closure,
    bounds: Vec<f64>,
    #[serde(default)]
    notes: Vec<Note>,
}

impl TryFrom<BreaksRepr> for Breaks {
    type Error = ClassifyError;
    fn try_from(r: BreaksRepr) -> Result<Breaks, ClassifyError> {
        check_bounds(&r.bounds)?;
        Ok(Breaks {
            scheme: r.scheme,
            closure: r.closure,
            bounds: r.bounds,
            notes: r.notes,
        })
    }
}

fn check_bounds(bounds: &[f64]) -> Result<(), ClassifyError> {
    if bounds.len() < 2 {
        return Err(ClassifyError::TooFewBounds(bounds.len()));
    }
    for (index, &b) in bounds.iter().enumerate() {
        if !b.is_finite() {
            return Err(ClassifyError::NonFiniteBreak { index });
        }
        if index > 0 && b < bounds[index - 1] {
            return Err(ClassifyError::BreaksNotAscending { index, value: b });
        }
    }
    Ok(())
}

/// The classes of a set of values: per value its class, and per class its count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    /// Class index (from 0) of each value, in input order; `None` for a non-finite value.
    pub classes: Vec<Option<usize>>,
    /// Number of values in each class.
    pub counts: Vec<usize>,
    /// Values below the lowest bound, counted in the first class (only with fixed breaks).
    pub below: usize,
    /// Values above the highest bound, counted in the last class (only with fixed breaks).
    pub above: usize,
}

impl Breaks {
    /// Computes the class bounds of `scheme` from `values` (one period, or all periods for breaks
    /// that stay fixed across years). Non-finite values are ignored, and a [`Note`] says so.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure, Scheme};
    /// let v = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0];
    /// let b = Breaks::compute(&v, &Scheme::NaturalBreaks { k: 2 }, Closure::LeftClosed)?;
    /// assert_eq!(b.bounds(), &[1.0, 10.0, 12.0]);
    /// let b = Breaks::compute(&v, &Scheme::NaturalBreaks { k: 2 }, Closure::RightClosed)?;
    /// assert_eq!(b.bounds(), &[1.0, 3.0, 12.0]);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn compute(
        values: &[f64],
        scheme: &Scheme,
        closure: Closure,
    ) -> Result<Breaks, ClassifyError> {
        validate(scheme)?;
        let mut xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let mut notes = Vec::new();
        let ignored = values.len() - xs.len();
        if ignored > 0 {
            notes.push(Note::IgnoredNonFinite { count: ignored });
        }
        let (Some(_), Some(_)) = (xs.first(), xs.last()) else {
            return Err(ClassifyError::NoValues);
        };
        xs.sort_unstable_by(f64::total_cmp);
        let n = xs.len();
        let (min, max) = (xs[0], xs[n - 1]);
        let make = |bounds: Vec<f64>, notes: Vec<Note>| Breaks {
            scheme: scheme.clone(),
            closure,
            bounds,
            notes,
        };
        if min == max && !matches!(scheme, Scheme::Manual { .. }) {
            notes.push(Note::AllValuesEqual { value: min });
            return Ok(make(vec![min, max], notes));
        }
        let inner: Vec<f64> = match scheme {
            Scheme::EqualInterval { k } => {
                let w = (max - min) / *k as f64;
                (1..*k).map(|j| min + j as f64 * w).collect()
            }
            Scheme::Quantiles { k } => {
                let mut bounds = vec![min];
                bounds.extend((1..*k).map(|j| quantile_sorted(&xs, j as f64 / *k as f64)));
                bounds.push(max);
                let bounds = merge_duplicates(bounds, closure);
                if bounds.len() - 1 < *k {
                    notes.push(Note::MergedDuplicateBreaks {
                        requested: *k,
                        classes: bounds.len() - 1,
                    });
                }
                return Ok(make(bounds, notes));
            }
            Scheme::NaturalBreaks { k } => {
                let (ds, ws) = distinct_with_weights(&xs);
                let k_eff = (*k).min(ds.len());
                if k_eff < *k {
                    notes.push(Note::FewerDistinctValues {
                        requested: *k,
                        distinct: ds.len(),
                    });
                }
                let starts = ckmeans(&ds, &ws, k_eff);
                starts[1..]
                    .iter()
                    .map(|&s| match closure {
                        // The smallest value of the upper class / the largest of the lower class:
                        // either reproduces the optimal partition exactly.
                        Closure::LeftClosed => ds[s],
                        Closure::RightClosed => ds[s - 1],
                    })
                    .collect()
            }
            Scheme::StdDev { multiples, sd } => {
                let (mean, s) = mean_sd(&xs, *sd);
                multiples.iter().map(|m| mean + m * s).collect()
            }
            Scheme::BoxMap { hinge } => {
                let q1 = quantile_sorted(&xs, 0.25);
                let q2 = quantile_sorted(&xs, 0.5);
                let q3 = quantile_sorted(&xs, 0.75);
                let iqr = q3 - q1;
                vec![q1 - hinge * iqr, q1, q2, q3, q3 + hinge * iqr]
            }
            Scheme::Manual { breaks } => breaks.clone(),
        };
        let mut bounds = Vec::with_capacity(inner.len() + 2);
        bounds.push(inner.first().map_or(min, |&t| min.min(t)));
        bounds.extend_from_slice(&inner);
        bounds.push(inner.last().map_or(max, |&t| max.max(t)));
        Ok(make(bounds, notes))
    }

    /// Breaks from stored bounds (`k + 1` ascending numbers), e.g. the breaks of a published map.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure};
    /// let b = Breaks::from_bounds(vec![0.0, 10.0, 20.0], Closure::RightClosed)?;
    /// assert_eq!(b.k(), 2);
    /// assert!(Breaks::from_bounds(vec![0.0, 20.0, 10.0], Closure::RightClosed).is_err());
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn from_bounds(bounds: Vec<f64>, closure: Closure) -> Result<Breaks, ClassifyError> {
        check_bounds(&bounds)?;
        Ok(Breaks {
            scheme: Scheme::Manual {
                breaks: bounds[1..bounds.len() - 1].to_vec(),
            },
            closure,
            bounds,
            notes: Vec::new(),
        })
    }

    /// The same breaks with `x` as one more bound when it lies strictly between the lowest and
    /// the highest bound and is not a bound yet (a map of changes splits its classes at no
    /// change, 0, so that no class holds falls and rises); otherwise the breaks unchanged.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure};
    /// let b = Breaks::from_bounds(vec![-3.0, -0.9, 2.2, 5.0], Closure::LeftClosed)?;
    /// assert_eq!(b.split_at(0.0).bounds(), &[-3.0, -0.9, 0.0, 2.2, 5.0]);
    /// assert_eq!(b.split_at(-3.0).bounds(), b.bounds());
    /// assert_eq!(b.split_at(7.0).bounds(), b.bounds());
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn split_at(&self, x: f64) -> Breaks {
        let (lo, hi) = (self.bounds[0], self.bounds[self.k()]);
        if !(lo < x && x < hi) || self.bounds.contains(&x) {
            return self.clone();
        }
        let mut bounds = self.bounds.clone();
        let at = bounds.partition_point(|&b| b < x);
        bounds.insert(at, x);
        Breaks {
            bounds,
            ..self.clone()
        }
    }

    /// The scheme the breaks were computed with.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure, Scheme};
    /// let b = Breaks::compute(&[1.0, 2.0], &Scheme::EqualInterval { k: 2 }, Closure::LeftClosed)?;
    /// assert_eq!(b.scheme(), &Scheme::EqualInterval { k: 2 });
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The class closure.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure};
    /// let b = Breaks::from_bounds(vec![0.0, 1.0], Closure::RightClosed)?;
    /// assert_eq!(b.closure(), Closure::RightClosed);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn closure(&self) -> Closure {
        self.closure
    }

    /// The `k + 1` class bounds, non-decreasing.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure, Scheme};
    /// let b = Breaks::compute(&[0.0, 5.0, 10.0], &Scheme::EqualInterval { k: 2 }, Closure::LeftClosed)?;
    /// assert_eq!(b.bounds(), &[0.0, 5.0, 10.0]);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn bounds(&self) -> &[f64] {
        &self.bounds
    }

    /// The upper bounds of the classes, `bounds()[1..]`: what mapclassify calls `bins`.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure, Scheme};
    /// let b = Breaks::compute(&[0.0, 5.0, 10.0], &Scheme::EqualInterval { k: 2 }, Closure::RightClosed)?;
    /// assert_eq!(b.upper_bounds(), &[5.0, 10.0]);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn upper_bounds(&self) -> &[f64] {
        &self.bounds[1..]
    }

    /// The number of classes `k`.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure, Scheme};
    /// let b = Breaks::compute(&[1.0, 1.0, 1.0], &Scheme::Quantiles { k: 4 }, Closure::LeftClosed)?;
    /// assert_eq!(b.k(), 1); // all values equal
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn k(&self) -> usize {
        self.bounds.len() - 1
    }

    /// What the computation did differently from what was asked (fewer classes, …).
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure, Note, Scheme};
    /// let b = Breaks::compute(&[1.0, 2.0], &Scheme::NaturalBreaks { k: 5 }, Closure::LeftClosed)?;
    /// assert_eq!(b.notes(), &[Note::FewerDistinctValues { requested: 5, distinct: 2 }]);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// The class (from 0) of one value; `None` if it is not finite. Values outside the bounds go
    /// to the first or last class.
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure};
    /// let left = Breaks::from_bounds(vec![0.0, 10.0, 20.0], Closure::LeftClosed)?;
    /// assert_eq!(left.class_of(10.0), Some(1)); // [10, 20]
    /// let right = Breaks::from_bounds(vec![0.0, 10.0, 20.0], Closure::RightClosed)?;
    /// assert_eq!(right.class_of(10.0), Some(0)); // [0, 10]
    /// assert_eq!(right.class_of(f64::NAN), None);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn class_of(&self, x: f64) -> Option<usize> {
        if !x.is_finite() {
            return None;
        }
        let inner = &self.bounds[1..self.bounds.len() - 1];
        Some(match self.closure {
            Closure::LeftClosed => inner.partition_point(|&t| t <= x),
            Closure::RightClosed => inner.partition_point(|&t| t < x),
        })
    }

    /// Classifies values (of the same or, with fixed breaks, another period).
    ///
    /// ```
    /// use sozialatlas_classify::{Breaks, Closure};
    /// let b = Breaks::from_bounds(vec![0.0, 10.0, 20.0], Closure::LeftClosed)?;
    /// let c = b.classify(&[1.0, 10.0, 25.0, f64::NAN]);
    /// assert_eq!(c.classes, vec![Some(0), Some(1), Some(1), None]);
    /// assert_eq!(c.counts, vec![1, 2]);
    /// assert_eq!(c.above, 1);
    /// # Ok::<(), sozialatlas_classify::ClassifyError>(())
    /// ```
    pub fn classify(&self, values: &[f64]) -> Classification {
        let mut counts = vec![0; self.k()];
        let (lo, hi) = (self.bounds[0], self.bounds[self.k()]);
        let (mut below, mut above) = (0, 0);
        let classes = values
            .iter()
            .map(|&x| {
                let c = self.class_of(x)?;
                counts[c] += 1;
                below += usize::from(x < lo);
                above += usize::from(x > hi);
                Some(c)
            })
            .collect();
        Classification {
            classes,
            counts,
            below,
            above,
        }
    }
}

/// Computes breaks from `values` and classifies the same values: the one-period map.
///
/// ```
/// use sozialatlas_classify::{classify, Closure, Scheme};
/// let (breaks, c) = classify(&[1.0, 2.0, 3.0, 4.0], &Scheme::Quantiles { k: 2 }, Closure::RightClosed)?;
/// assert_eq!(breaks.bounds(), &[1.0, 2.5, 4.0]);
/// assert_eq!(c.counts, vec![2, 2]);
/// # Ok::<(), sozialatlas_classify::ClassifyError>(())
/// ```
pub fn classify(
    values: &[f64],
    scheme: &Scheme,
    closure: Closure,
) -> Result<(Breaks, Classification), ClassifyError> {
    let breaks = Breaks::compute(values, scheme, closure)?;
    let c = breaks.classify(values);
    Ok((breaks, c))
}

fn validate(scheme: &Scheme) -> Result<(), ClassifyError> {
    match scheme {
        Scheme::EqualInterval { k } | Scheme::Quantiles { k } | Scheme::NaturalBreaks { k } => {
            if *k == 0 {
                return Err(ClassifyError::ZeroClasses);
            }
        }
        Scheme::StdDev { multiples, .. } => {
            let ok = !multiples.is_empty()
                && multiples.iter().all(|m| m.is_finite())
                && multiples.windows(2).all(|w| w[0] < w[1]);
            if !ok {
                return Err(ClassifyError::InvalidMultiples);
            }
        }
        Scheme::BoxMap { hinge } => {
            if !(hinge.is_finite() && *hinge > 0.0) {
                return Err(ClassifyError::InvalidHinge(*hinge));
            }
        }
        Scheme::Manual { breaks } => {
            for (index, &b) in breaks.iter().enumerate() {
                if !b.is_finite() {
                    return Err(ClassifyError::NonFiniteBreak { index });
                }
                if index > 0 && b <= breaks[index - 1] {
                    return Err(ClassifyError::BreaksNotAscending { index, value: b });
                }
            }
        }
    }
    Ok(())
}

/// The `p` quantile of sorted values by linear interpolation between order statistics at
/// position `(n − 1)·p` (Hyndman & Fan type 7; numpy's and scipy's default, so mapclassify's).
pub(crate) fn quantile_sorted(xs: &[f64], p: f64) -> f64 {
    let n = xs.len();
    let h = (n - 1) as f64 * p;
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    xs[lo] + (xs[hi] - xs[lo]) * frac
}

/// Removes classes made empty by equal bounds: under `(a, b]` classes are named by their upper
/// bounds, under `[a, b)` by their lower bounds, and equal names are one class. (mapclassify:
/// `np.unique` of the upper bounds.)
fn merge_duplicates(bounds: Vec<f64>, closure: Closure) -> Vec<f64> {
    let k = bounds.len() - 1;
    let mut out: Vec<f64> = Vec::with_capacity(bounds.len());
    match closure {
        Closure::RightClosed => {
            out.push(bounds[0]);
            for &b in &bounds[1..] {
                if out.len() == 1 || out.last() != Some(&b) {
                    out.push(b);
                }
            }
        }
        Closure::LeftClosed => {
            for &b in &bounds[..k] {
                if out.last() != Some(&b) {
                    out.push(b);
                }
            }
            out.push(bounds[k]);
        }
    }
    out
}

fn distinct_with_weights(sorted: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut ds: Vec<f64> = Vec::new();
    let mut ws: Vec<f64> = Vec::new();
    for &x in sorted {
        match (ds.last(), ws.last_mut()) {
            (Some(&d), Some(w)) if d == x => *w += 1.0,
            _ => {
                ds.push(x);
                ws.push(1.0);
            }
        }
    }
    (ds, ws)
}

fn mean_sd(xs: &[f64], kind: SdKind) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let ss: f64 = xs.iter().map(|x| (x - mean) * (x - mean)).sum();
    let dof = match kind {
        SdKind::Population => n,
        SdKind::Sample => n - 1.0,
    };
    (mean, (ss / dof).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_type7() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&xs, 0.0), 1.0);
        assert_eq!(quantile_sorted(&xs, 0.5), 2.5);
        assert_eq!(quantile_sorted(&xs, 0.25), 1.75);
        assert_eq!(quantile_sorted(&xs, 1.0), 4.0);
        assert_eq!(quantile_sorted(&[7.0], 0.3), 7.0);
    }

    #[test]
    fn merge_by_closure() {
        let b = vec![0.0, 0.0, 3.0, 3.0, 9.0];
        assert_eq!(
            merge_duplicates(b.clone(), Closure::RightClosed),
            vec![0.0, 0.0, 3.0, 9.0]
        );
        assert_eq!(
            merge_duplicates(b, Closure::LeftClosed),
            vec![0.0, 3.0, 9.0]
        );
        let b = vec![0.0, 5.0, 9.0, 9.0];
        assert_eq!(
            merge_duplicates(b.clone(), Closure::RightClosed),
            vec![0.0, 5.0, 9.0]
        );
        assert_eq!(merge_duplicates(b.clone(), Closure::LeftClosed), b);
    }

    #[test]
    fn errors_and_edge_cases() {
        let s = Scheme::EqualInterval { k: 0 };
        assert_eq!(
            Breaks::compute(&[1.0], &s, Closure::LeftClosed),
            Err(ClassifyError::ZeroClasses)
        );
        let s = Scheme::EqualInterval { k: 3 };
        assert_eq!(
            Breaks::compute(&[f64::NAN], &s, Closure::LeftClosed),
            Err(ClassifyError::NoValues)
        );
        assert_eq!(
            Breaks::compute(&[], &s, Closure::LeftClosed),
            Err(ClassifyError::NoValues)
        );
        let b = Breaks::compute(&[2.0, f64::INFINITY, 2.0], &s, Closure::LeftClosed).unwrap();
        assert_eq!(b.bounds(), &[2.0, 2.0]);
        assert_eq!(
            b.notes(),
            &[
                Note::IgnoredNonFinite { count: 1 },
                Note::AllValuesEqual { value: 2.0 }
            ]
        );
        let m = Scheme::Manual {
            breaks: vec![1.0, 1.0],
        };
        assert!(matches!(
            Breaks::compute(&[0.0], &m, Closure::LeftClosed),
            Err(ClassifyError::BreaksNotAscending { index: 1, .. })
        ));
        let sd = Scheme::StdDev {
            multiples: vec![1.0, -1.0],
            sd: SdKind::Sample,
        };
        assert_eq!(
            Breaks::compute(&[0.0, 1.0], &sd, Closure::LeftClosed),
            Err(ClassifyError::InvalidMultiples)
        );
        assert_eq!(
            Breaks::compute(
                &[0.0, 1.0],
                &Scheme::BoxMap { hinge: -1.0 },
                Closure::LeftClosed
            ),
            Err(ClassifyError::InvalidHinge(-1.0))
        );
    }

    #[test]
    fn fewer_values_than_classes() {
        let v = [3.0, 1.0, 2.0];
        let b = Breaks::compute(&v, &Scheme::NaturalBreaks { k: 6 }, Closure::LeftClosed).unwrap();
        assert_eq!(b.k(), 3);
        assert_eq!(b.classify(&v).counts, vec![1, 1, 1]);
        let b = Breaks::compute(&v, &Scheme::Quantiles { k: 6 }, Closure::RightClosed).unwrap();
        assert!(b.k() <= 6);
        let b = Breaks::compute(&v, &Scheme::EqualInterval { k: 6 }, Closure::RightClosed).unwrap();
        assert_eq!(b.k(), 6);
        assert_eq!(b.classify(&v).counts.iter().sum::<usize>(), 3);
        let b = Breaks::compute(&v, &Scheme::NaturalBreaks { k: 1 }, Closure::RightClosed).unwrap();
        assert_eq!(b.bounds(), &[1.0, 3.0]);
    }

    #[test]
    fn box_map_always_six_classes() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        let b = Breaks::compute(&v, &Scheme::box_map(), Closure::RightClosed).unwrap();
        assert_eq!(b.k(), 6);
        let c = b.classify(&v);
        assert_eq!(c.counts[0], 0);
        assert_eq!(c.counts[5], 0);
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let b = Breaks::compute(
            &[1.0, 2.0, 5.0, 9.0],
            &Scheme::NaturalBreaks { k: 2 },
            Closure::LeftClosed,
        )
        .unwrap();
        let s = serde_json::to_string(&b).unwrap();
        assert!(
            s.contains(r#""scheme":{"scheme":"natural_breaks","k":2}"#),
            "{s}"
        );
        let back: Breaks = serde_json::from_str(&s).unwrap();
        assert_eq!(back, b);
        let bad = r#"{"scheme":{"scheme":"manual","breaks":[]},"closure":"left_closed","bounds":[3.0,1.0]}"#;
        assert!(serde_json::from_str::<Breaks>(bad).is_err());
    }
}
