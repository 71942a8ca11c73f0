//! Classification of indicator values for thematic maps (Klassenbildung für Choroplethenkarten):
//! class breaks, the class of each value, legend labels, and colour palettes.
//!
//! Architecture invariant: pure. No I/O, no async, no SQL, no HTTP; plain numbers in, plain data
//! out. Non-finite values are ignored (and a [`Note`] says so); nothing here panics on data.
//!
//! # Breaks and classes
//!
//! From finite values `x₁ … xₙ` with minimum `min` and maximum `max`, a scheme computes inner
//! breaks `t₁ < … < t_{k−1}` (non-decreasing for the box map and standard deviation), and
//! [`Breaks`] stores the `k + 1` bounds `b = [min(min, t₁), t₁, …, t_{k−1}, max(max, t_{k−1})]`.
//! Computing the bounds ([`Breaks::compute`]) is separate from assigning a value to a class
//! ([`Breaks::class_of`], [`Breaks::classify`]), so that breaks computed from all years' values
//! can classify each year the same way (fixed breaks).
//!
//! | [`Scheme`] | inner breaks |
//! |---|---|
//! | equal interval (k) | `w = (max − min)/k`, `t_j = min + j·w` |
//! | quantiles (k) | `t_j = Q(j/k)`, `Q(p) = x₍ₗ₎ + (h − l)(x₍ₗ₊₁₎ − x₍ₗ₎)`, `h = (n − 1)p`, `l = ⌊h⌋` (type 7) |
//! | natural breaks (k) | the partition into k classes minimising `Σ_c Σ_{i∈c} (xᵢ − x̄_c)²` |
//! | standard deviation | `t = mean + m·sd` for each multiple `m`, sd with divisor `n` or `n − 1` |
//! | box map (h) | `Q1 − h·IQR, Q1, Q2, Q3, Q3 + h·IQR`: six classes, outer ones possibly empty |
//! | manual | the user's breaks, strictly ascending |
//!
//! Equal quantiles (ties) merge classes, and so do fewer distinct values than classes for natural
//! breaks; the [`Note`]s of the result say what happened. All values equal gives one class.
//!
//! # Closure
//!
//! [`Closure::LeftClosed`] `[a, b)` is the German official-statistics rule ("von … bis unter"):
//! class `j` holds `b_j ≤ x < b_{j+1}`, the last class also its upper bound (legend "… und
//! größer"). [`Closure::RightClosed`] `(a, b]` is PySAL mapclassify's: class `j` holds
//! `b_j < x ≤ b_{j+1}`, the first class also its lower bound. In both, a value below `b_0` goes to
//! the first class and one above `b_k` to the last. With `(a, b]`, `bounds()[1..]` are
//! mapclassify's `bins`.
//!
//! For natural breaks the break is a data value chosen by the closure so that the optimal
//! partition is reproduced exactly: under `[a, b)` the smallest value of the upper class, under
//! `(a, b]` the largest value of the lower class (as mapclassify's `FisherJenks`).
//!
//! # The natural-breaks algorithm
//!
//! Optimal 1-D k-means has contiguous classes in sorted order (Fisher 1958), so with `D(m, i)` the
//! least within-class sum of squares of the first `i + 1` sorted values in `m + 1` classes,
//!
//! `D(m, i) = min_{m ≤ j ≤ i} D(m − 1, j − 1) + SSE(j, i)`,
//!
//! where `SSE(j, i)` comes in O(1) from prefix sums of weights, values and squares (shifted by the
//! median against cancellation). The minimising `j` does not decrease with `i` (Wang & Song 2011,
//! "Ckmeans.1d.dp"), so each row is filled by divide and conquer in O(n log n): O(k·n·log n) time
//! in all, after an O(n log n) sort; memory O(k·n) for the back-pointers. The dynamic programme
//! runs on the distinct values weighted by their counts, so ties are never split. It is exact: the
//! tests compare it with every contiguous partition (and every set partition for small n).
//!
//! # Legends and colours
//!
//! [`Breaks::legend`] writes the labels with [`sozialatlas_core::locale::format_decimal`]:
//! `5,23 < 11,17` … `34,93 und größer` under `[a, b)`; `5,23 bis 11,17`, `über 11,17 bis 17,11`
//! under `(a, b]`. The [`palette`] module has ColorBrewer schemes ordered so that the darkest
//! colour means the worse situation, diverging schemes centred on the city average, Okabe–Ito
//! for categories, and greys for no data and suppressed values.
//!
//! ```
//! use sozialatlas_classify::{classify, Closure, Scheme};
//! use sozialatlas_core::Locale;
//! let unemployed = [5.37, 9.0, 8.62, 5.12, 4.97, 4.9, 6.59, 5.37, 6.4, 5.56, 5.12, 4.72, 2.32];
//! let (breaks, classes) = classify(&unemployed, &Scheme::NaturalBreaks { k: 3 }, Closure::LeftClosed)?;
//! assert_eq!(breaks.legend(2, Locale::De), ["2,32 < 4,72", "4,72 < 8,62", "8,62 und größer"]);
//! assert_eq!(classes.counts, vec![1, 10, 2]);
//! # Ok::<(), sozialatlas_classify::ClassifyError>(())
//! ```

mod breaks;
mod ckmeans;
mod legend;
pub mod palette;
mod scheme;

pub use breaks::{Breaks, Classification, ClassifyError, Note, classify};
pub use legend::LegendEntry;
pub use scheme::{Closure, Scheme, SdKind, SdStep};
