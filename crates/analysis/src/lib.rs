//! # sozialatlas-analysis
//!
//! The pure statistics core of Sozialatlas' analysis (METHODS.md §4): z-standardisation, the
//! Berlin MSS status/dynamics index, a typology by Ward clustering, contiguity weights,
//! Moran's I / LISA and empirical-Bayes rate smoothing. **Architecture invariant:** no I/O, no async, no HTTP, no SQL — plain data in,
//! plain (serde-serialisable) data out, so that every run can be stored with its settings and
//! repeated.
//!
//! ## Conventions
//!
//! * **Aligned z-values are higher = worse.** `z_i = s·(x_i − x̄)/sd` with `s = +1` for indicators
//!   where a high value is a worse social situation and `s = −1` otherwise ([`zscore::Polarity`]).
//!   The sd is the population sd (ddof = 0) unless asked otherwise; it reproduces Berlin's
//!   published values. A constant column gets z = 0 and a flag, never NaN.
//! * Nothing is rounded inside; [`zscore::round_half_away`] is for printing (Berlin rounds only
//!   the published numbers, to 2 decimals, half away from zero).
//!
//! ## Index ([`mss`])
//!
//! `status_sum = Σ w_j z_j`, `status_index = status_sum / sd(status_sum)`; classes hoch ≤ −1,
//! mittel (−1, 1], niedrig (1, 1.5], sehr niedrig > 1.5; dynamics the same with positiv ≤ −1,
//! stabil, negativ ≥ 1; 12 combined groups. Validated on all 536 areas of Berlin's MSS 2021.
//!
//! ## Typology ([`typology`], [`ward`], [`pca`])
//!
//! z-values → optional principal components of the correlation matrix (Jacobi) → Ward:
//! `Δ(A,B) = n_A n_B/(n_A+n_B)·‖c_A − c_B‖²`, merged by a nearest-neighbour chain on centroids
//! (`O(n²d)` time, `O(nd)` memory; above 5,000 areas on as many groups of similar areas, each
//! weighted by its size — [`precluster`]), heights reported as SciPy does, `sqrt(2Δ)` → cut at k
//! (Calinski–Harabasz `[B/(k−1)]/[W/(n−k)]` and within-SS W for k = 2..10) → optional Lloyd
//! k-means from the Ward centroids → clusters numbered 1 (best) … k (worst) by the mean of their
//! aligned centroid, described in German and English; proposed action areas are the areas of
//! clusters worse than the city on most indicators.
//!
//! ## Spatial autocorrelation ([`weights`], [`moran`])
//!
//! Queen/rook contiguity from `MultiPolygon`s with a snap tolerance (R-tree over boundary
//! segments); row-standardisation `w_ij / Σ_j w_ij`. Global
//! `I = n/S0 · Σ_ij w_ij z_i z_j / Σ z_i²`; local `I_i = (n−1) z_i Σ_j w_ij z_j / Σ z_k²`;
//! permutation pseudo p-values `(min(L, P−L) + 1)/(P + 1)` as PySAL's esda, conditional for the
//! local test (each area's k neighbour values drawn in O(k), the areas on all cores), ChaCha8
//! generator seeded by the caller; quadrants HH/LH/LL/HL; significance `p < α`
//! with an optional Benjamini–Hochberg FDR cut-off.
//!
//! ## Regions ([`regions`])
//!
//! Contiguous regions of areas: SKATER (minimum spanning tree on squared Euclidean distances,
//! greedy cuts minimising the within-region SSD, a floor per region) and max-p (the most regions
//! reaching a floor of population, then simulated annealing and steepest descent on spopt's
//! pairwise city-block heterogeneity), validated against PySAL spopt.
//!
//! ## Rates for small areas ([`smoothing`])
//!
//! Excess risk `e_i/(b_i m)` and empirical-Bayes rates (Marshall 1991), global and in each area's
//! contiguity neighbourhood, as esda's `Excess_Risk`, `Empirical_Bayes` and
//! `Spatial_Empirical_Bayes`; a negative prior variance is set to 0 (GeoDa's rule).
//!
//! ```
//! use sozialatlas_analysis::matrix::Matrix;
//! use sozialatlas_analysis::ward::ward;
//!
//! let x = Matrix::new(3, 1, vec![0.0, 1.0, 10.0])?;
//! let d = ward(&x)?;
//! assert_eq!((d.merges[0].left, d.merges[0].right), (0, 1));
//! assert!((d.merges[0].height - 1.0).abs() < 1e-12); // sqrt(2 · ½ · 1²)
//! assert_eq!(d.cut(2)?, vec![0, 0, 1]);
//! # Ok::<(), sozialatlas_analysis::AnalysisError>(())
//! ```

pub mod agreement;
pub mod error;
pub mod matrix;
pub mod moran;
pub mod mss;
pub mod pca;
pub mod precluster;
pub mod regions;
pub mod smoothing;
pub mod typology;
pub mod ward;
pub mod weights;
pub mod zscore;

pub use error::{AnalysisError, Result};
