//! Typology of areas (the ZEFIR approach used in Dortmund): aligned z-values → optional principal
//! components → Ward → cut at k → optional k-means → clusters ordered and described.
//!
//! **Order and names.** Aligned z-values are higher = worse. Clusters are numbered by the mean of
//! their centroid's aligned z-values, ascending: cluster 1 is the best-off, cluster k the worst-off.
//! Descriptions say of each indicator whether the cluster is better or worse off than the city
//! ("günstiger"/"ungünstiger als der Durchschnitt der Stadt"), never "above" or "below", which
//! reads the wrong way for a rate where higher is worse: the worst cluster reads "markedly worse
//! than the city average on all 6 indicators".
//!
//! **Proposed action areas** (Aktionsräume, to be confirmed by a planner) are the areas of every
//! cluster whose centroid is worse than the city (aligned z > 0) on more than half of the
//! indicators — exactly the clusters whose description begins "worse than the city average".
//!
//! **Choosing k.** For k = 2..=10 the Calinski–Harabasz index
//! `CH = [B/(k−1)] / [W/(n−k)]` (B between-, W within-cluster sum of squares, in the space that was
//! clustered) and W itself (for an elbow plot) are reported for the Ward cut.
//!
//! **Many areas.** Ward's chain costs `O(n²·d)`; above [`EXACT_WARD_MAX_AREAS`] areas Ward runs
//! on at most that many groups of similar areas, each weighted by its size
//! ([`crate::precluster`]): the hierarchy over the groups is exact Ward from those weights, and
//! each area takes its group's cluster. Smaller levels are clustered area by area, as before.
//!
//! **k-means refinement** is Lloyd's algorithm started from the Ward centroids: assign every area
//! to the nearest centroid (ties to the lower cluster), recompute, stop when nothing moves. It has
//! no random start, so it is deterministic; `seed` is stored with the result for the record so a
//! stored run names everything that went in, but no step of the typology draws random numbers.

use serde::{Deserialize, Serialize};

use crate::error::{AnalysisError, Result, check_len};
use crate::matrix::Matrix;
use crate::pca::{Pca, PcaSetting, pca};
use crate::precluster::{EXACT_WARD_MAX_AREAS, Groups, precluster};
use crate::ward::{Dendrogram, ward, ward_weighted};
use crate::zscore::{Polarity, SdKind, zscore};

/// One input column of the typology.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypologyIndicator {
    /// Short name (the indicator id), e.g. `"sgb2_share"`.
    pub name: String,
    /// Direction of the raw values.
    pub polarity: Polarity,
    /// German name used in the cluster descriptions (`name` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_de: Option<String>,
    /// English name used in the cluster descriptions (`name` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_en: Option<String>,
}

impl TypologyIndicator {
    /// An indicator described by its short name.
    pub fn new(name: impl Into<String>, polarity: Polarity) -> Self {
        Self {
            name: name.into(),
            polarity,
            label_de: None,
            label_en: None,
        }
    }

    /// With the names a reader knows, in German and English.
    pub fn with_labels(mut self, de: impl Into<String>, en: impl Into<String>) -> Self {
        self.label_de = Some(de.into());
        self.label_en = Some(en.into());
        self
    }
}

/// Settings of a typology run (stored with the result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypologySettings {
    /// Indicators in column order.
    pub indicators: Vec<TypologyIndicator>,
    /// `Some(kind)`: the input is raw and is z-standardised and aligned here; `None`: the input is
    /// already aligned z-values (polarities are then not applied again).
    pub standardise: Option<SdKind>,
    /// Principal components before clustering.
    pub pca: PcaSetting,
    /// Number of clusters (Dortmund: 5).
    pub k: usize,
    /// Largest k for the Calinski–Harabasz table (from 2).
    pub k_max: usize,
    /// `Some(max_iterations)`: refine the Ward clusters by k-means.
    pub kmeans: Option<usize>,
    /// Recorded for reproducibility (see the module doc).
    pub seed: u64,
}

impl TypologySettings {
    /// Defaults: standardise with population sd, no PCA, k = 5, CH for 2..=10, no k-means.
    pub fn new(indicators: Vec<TypologyIndicator>) -> Self {
        Self {
            indicators,
            standardise: Some(SdKind::Population),
            pca: PcaSetting::Off,
            k: 5,
            k_max: 10,
            kmeans: None,
            seed: 0,
        }
    }
}

/// Quality of a cut into k clusters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    /// Number of clusters.
    pub k: usize,
    /// Calinski–Harabasz index (higher is better).
    pub calinski_harabasz: f64,
    /// Within-cluster sum of squares (for the elbow).
    pub within_ss: f64,
}

/// How a cluster's social situation compares with the city average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// mean aligned z ≤ −1.
    FarAbove,
    /// −1 < z ≤ −0.25.
    Above,
    /// |z| < 0.25.
    Near,
    /// 0.25 ≤ z < 1.
    Below,
    /// z ≥ 1.
    FarBelow,
}

impl Level {
    /// Level of a mean aligned z-value (higher = worse).
    pub fn of(z: f64) -> Self {
        if z <= -1.0 {
            Level::FarAbove
        } else if z <= -0.25 {
            Level::Above
        } else if z < 0.25 {
            Level::Near
        } else if z < 1.0 {
            Level::Below
        } else {
            Level::FarBelow
        }
    }
}

/// One cluster of the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterProfile {
    /// Cluster number, 1 = best-off … k = worst-off.
    pub number: usize,
    /// Number of areas.
    pub size: usize,
    /// Mean aligned z per indicator (the profile / heat-table row).
    pub centroid: Vec<f64>,
    /// Mean of `centroid` (the ordering key).
    pub mean_z: f64,
    /// Indicators on which the cluster is worse than the city (z > 0).
    pub worse_than_city: usize,
    /// Overall level.
    pub level: Level,
    /// Generated German description.
    pub description_de: String,
    /// Generated English description.
    pub description_en: String,
    /// True if its areas are proposed as action areas.
    pub action_area_candidate: bool,
}

/// A complete, storable typology run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Typology {
    /// Settings used.
    pub settings: TypologySettings,
    /// Aligned z-values (areas × indicators) the profiles are computed on.
    pub z: Matrix,
    /// Principal components, if used.
    pub pca: Option<Pca>,
    /// The Ward hierarchy (heights on SciPy's scale); its leaves are the areas, or the groups
    /// of `groups` when there is one.
    pub dendrogram: Dendrogram,
    /// The pre-clustering Ward ran on when the areas were more than
    /// [`EXACT_WARD_MAX_AREAS`]: groups of similar areas, each weighted by its size (`None`:
    /// Ward on every area, as for every run stored before there was a pre-clustering).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Groups>,
    /// CH index and within-SS for k = 2..=k_max (Ward cut).
    pub k_scores: Vec<KScore>,
    /// Cluster number (1..=k) per area after the Ward cut, in the final numbering.
    pub ward_membership: Vec<usize>,
    /// Cluster number (1..=k) per area, final (after k-means if asked).
    pub membership: Vec<usize>,
    /// k-means iterations until no area moved (`None` without k-means).
    pub kmeans_iterations: Option<usize>,
    /// Profiles, cluster 1 first.
    pub clusters: Vec<ClusterProfile>,
    /// Area indices (0-based, input order) proposed as action areas.
    pub proposed_action_areas: Vec<usize>,
    /// Warnings (constant columns dropped to zero, k-means not converged).
    pub warnings: Vec<String>,
}

/// Within- and between-cluster sums of squares of `labels` (0..k) on `x`.
fn sums_of_squares(x: &Matrix, labels: &[usize], k: usize) -> (f64, f64) {
    let cents = centroids(x, labels, k);
    let d = x.cols();
    let mut grand = vec![0.0; d];
    for i in 0..x.rows() {
        for (g, v) in grand.iter_mut().zip(x.row(i)) {
            *g += v / x.rows() as f64;
        }
    }
    let mut within = 0.0;
    for (i, &l) in labels.iter().enumerate() {
        within += sq_dist(x.row(i), &cents[l].0);
    }
    let between = cents
        .iter()
        .map(|(c, n)| *n as f64 * sq_dist(c, &grand))
        .sum();
    (within, between)
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn centroids(x: &Matrix, labels: &[usize], k: usize) -> Vec<(Vec<f64>, usize)> {
    let mut c = vec![(vec![0.0; x.cols()], 0usize); k];
    for (i, &l) in labels.iter().enumerate() {
        c[l].1 += 1;
        for (s, v) in c[l].0.iter_mut().zip(x.row(i)) {
            *s += v;
        }
    }
    for (s, n) in c.iter_mut() {
        if *n > 0 {
            s.iter_mut().for_each(|v| *v /= *n as f64);
        }
    }
    c
}

/// Calinski–Harabasz index of a labelling (labels 0..k); NaN if W = 0.
pub fn calinski_harabasz(x: &Matrix, labels: &[usize], k: usize) -> f64 {
    let n = x.rows();
    let (w, b) = sums_of_squares(x, labels, k);
    if k < 2 || n <= k || w <= 0.0 {
        return f64::NAN;
    }
    (b / (k - 1) as f64) / (w / (n - k) as f64)
}

/// Lloyd's k-means from given labels; returns the labels and the iterations used.
pub fn kmeans_from(
    x: &Matrix,
    labels: &[usize],
    k: usize,
    max_iter: usize,
) -> (Vec<usize>, usize, bool) {
    let mut labels = labels.to_vec();
    for it in 1..=max_iter {
        let cents = centroids(x, &labels, k);
        let mut moved = false;
        for (i, l) in labels.iter_mut().enumerate() {
            let r = x.row(i);
            let mut best = *l;
            let mut best_d = sq_dist(r, &cents[*l].0);
            for (c, (cent, size)) in cents.iter().enumerate() {
                if *size == 0 {
                    continue;
                }
                let d = sq_dist(r, cent);
                if d < best_d || (d == best_d && c < best) {
                    best_d = d;
                    best = c;
                }
            }
            if best != *l {
                *l = best;
                moved = true;
            }
        }
        if !moved {
            return (labels, it, true);
        }
    }
    (labels, max_iter, false)
}

/// Runs the typology on `data` (areas × indicators, raw or aligned z as the settings say): Ward
/// on every area up to [`EXACT_WARD_MAX_AREAS`] areas, above that Ward on as many groups of
/// similar areas ([`typology_on_groups`]).
pub fn typology(data: &Matrix, settings: &TypologySettings) -> Result<Typology> {
    let groups = (data.rows() > EXACT_WARD_MAX_AREAS).then_some(EXACT_WARD_MAX_AREAS);
    run(data, settings, groups)
}

/// The typology with Ward on at most `max_groups` groups of similar areas, each weighted by its
/// number of areas ([`crate::precluster`]), whatever the number of areas; the cut at k gives
/// each area its group's cluster, and the Calinski–Harabasz table and the k-means refinement
/// are computed on the areas. With `max_groups` ≥ the number of areas it is plain Ward.
pub fn typology_on_groups(
    data: &Matrix,
    settings: &TypologySettings,
    max_groups: usize,
) -> Result<Typology> {
    run(data, settings, Some(max_groups))
}

fn run(data: &Matrix, settings: &TypologySettings, max_groups: Option<usize>) -> Result<Typology> {
    let (n, p) = (data.rows(), data.cols());
    check_len("indicators", p, settings.indicators.len())?;
    if settings.k < 1 || settings.k > n {
        return Err(AnalysisError::InvalidSetting {
            name: "k".into(),
            reason: format!("must be between 1 and the number of areas ({n})"),
        });
    }
    if n < 2 {
        return Err(AnalysisError::TooFewAreas {
            what: "typology".into(),
            needed: 2,
            got: n,
        });
    }
    let mut warnings = Vec::new();
    let z = match settings.standardise {
        None => data.clone(),
        Some(kind) => {
            let mut cols = Vec::with_capacity(p);
            for (j, ind) in settings.indicators.iter().enumerate() {
                let c = zscore(&data.column(j), ind.polarity, kind)?;
                if c.constant {
                    warnings.push(format!(
                        "indicator {} is constant; its z-values are 0 and it does not separate clusters",
                        ind.name
                    ));
                }
                cols.push(c.z);
            }
            let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
            Matrix::from_columns(&refs)?
        }
    };
    let (pca_result, space) = match settings.pca {
        PcaSetting::Off => (None, z.clone()),
        s => {
            let (fit, scores) = pca(&z, s);
            (Some(fit), scores)
        }
    };
    let (dendrogram, groups) = match max_groups {
        None => (ward(&space)?, None),
        Some(m) => {
            let g = precluster(&space, m)?;
            let sizes: Vec<f64> = g.sizes.iter().map(|&s| s as f64).collect();
            (ward_weighted(&g.centroids(&space)?, &sizes)?, Some(g))
        }
    };
    // The cut at k, per area.
    let cut = |k: usize| -> Result<Vec<usize>> {
        let labels = dendrogram.cut(k)?;
        Ok(match &groups {
            None => labels,
            Some(g) => g.of_area.iter().map(|&a| labels[a]).collect(),
        })
    };
    let k_scores = (2..=settings.k_max.min(dendrogram.n_leaves - 1))
        .map(|k| {
            let labels = cut(k)?;
            let (w, _) = sums_of_squares(&space, &labels, k);
            Ok(KScore {
                k,
                calinski_harabasz: calinski_harabasz(&space, &labels, k),
                within_ss: w,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let k = settings.k;
    let ward_labels = cut(k)?;
    let (labels, kmeans_iterations) = match settings.kmeans {
        None => (ward_labels.clone(), None),
        Some(max_iter) => {
            let (l, it, converged) = kmeans_from(&space, &ward_labels, k, max_iter.max(1));
            if !converged {
                warnings.push(format!("k-means did not converge in {max_iter} iterations"));
            }
            (l, Some(it))
        }
    };

    // Profiles in aligned-z space, ordered best → worst.
    let cents = centroids(&z, &labels, k);
    let mut order: Vec<usize> = (0..k).filter(|&c| cents[c].1 > 0).collect();
    let mean = |c: &[f64]| c.iter().sum::<f64>() / c.len().max(1) as f64;
    order.sort_by(|&a, &b| {
        mean(&cents[a].0)
            .total_cmp(&mean(&cents[b].0))
            .then(a.cmp(&b))
    });
    let mut number = vec![0usize; k];
    for (rank, &c) in order.iter().enumerate() {
        number[c] = rank + 1;
    }
    let names: Vec<(&str, &str)> = settings
        .indicators
        .iter()
        .map(|i| {
            (
                i.label_de.as_deref().unwrap_or(&i.name),
                i.label_en.as_deref().unwrap_or(&i.name),
            )
        })
        .collect();
    let clusters: Vec<ClusterProfile> = order
        .iter()
        .enumerate()
        .map(|(rank, &c)| profile(rank + 1, &cents[c].0, cents[c].1, &names))
        .collect();
    let membership: Vec<usize> = labels.iter().map(|&l| number[l]).collect();
    let ward_membership = {
        let wc = centroids(&z, &ward_labels, k);
        let mut o: Vec<usize> = (0..k).collect();
        o.sort_by(|&a, &b| mean(&wc[a].0).total_cmp(&mean(&wc[b].0)).then(a.cmp(&b)));
        let mut num = vec![0usize; k];
        for (rank, &c) in o.iter().enumerate() {
            num[c] = rank + 1;
        }
        ward_labels.iter().map(|&l| num[l]).collect()
    };
    let proposed_action_areas = membership
        .iter()
        .enumerate()
        .filter(|(_, c)| clusters[**c - 1].action_area_candidate)
        .map(|(i, _)| i)
        .collect();
    Ok(Typology {
        settings: settings.clone(),
        z,
        pca: pca_result,
        dendrogram,
        groups,
        k_scores,
        ward_membership,
        membership,
        kmeans_iterations,
        clusters,
        proposed_action_areas,
        warnings,
    })
}

/// Which way a cluster leans against the city: the count that also decides the proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tendency {
    /// Worse than the city (aligned z > 0) on more than half of the indicators: proposed.
    Worse,
    /// Better than the city (aligned z < 0) on more than half of the indicators.
    Better,
    /// Neither.
    Mixed,
}

/// Builds the profile and the generated texts of one cluster (or of any group of areas, such
/// as a region, from its mean aligned z-values). `names` are (German, English) per indicator.
///
/// The description speaks of each indicator in its own direction ("günstiger"/"ungünstiger"
/// than the city average, from the aligned z-values), never of "above" or "below", which would
/// read the wrong way for a rate where higher is worse. Its first part is decided by the same
/// count as the proposal: a cluster is proposed exactly when its description begins "worse than
/// the city average" (with "markedly" or "slightly" by the mean aligned z).
pub fn profile(
    number: usize,
    centroid: &[f64],
    size: usize,
    names: &[(&str, &str)],
) -> ClusterProfile {
    let m = centroid.len();
    let mean_z = centroid.iter().sum::<f64>() / m.max(1) as f64;
    let worse = centroid.iter().filter(|&&z| z > 0.0).count();
    let better = centroid.iter().filter(|&&z| z < 0.0).count();
    let level = Level::of(mean_z);
    let tendency = if 2 * worse > m {
        Tendency::Worse
    } else if 2 * better > m {
        Tendency::Better
    } else {
        Tendency::Mixed
    };
    // How far the cluster lies on the side it leans to, by the mean aligned z.
    let strength = |toward: f64| -> (&'static str, &'static str) {
        if toward >= 1.0 {
            ("deutlich ", "markedly ")
        } else if toward < 0.25 {
            ("leicht ", "slightly ")
        } else {
            ("", "")
        }
    };
    let scope = |n: usize| -> (String, String) {
        if n == m {
            (
                format!("bei allen {m} Indikatoren"),
                format!("on all {m} indicators"),
            )
        } else {
            (
                format!("bei {n} von {m} Indikatoren"),
                format!("on {n} of {m} indicators"),
            )
        }
    };
    let (mut de, mut en) = match tendency {
        Tendency::Worse => {
            let (s_de, s_en) = strength(mean_z);
            let (c_de, c_en) = scope(worse);
            (
                format!("{s_de}ungünstiger als der Durchschnitt der Stadt {c_de}"),
                format!("{s_en}worse than the city average {c_en}"),
            )
        }
        Tendency::Better => {
            let (s_de, s_en) = strength(-mean_z);
            let (c_de, c_en) = scope(better);
            (
                format!("{s_de}günstiger als der Durchschnitt der Stadt {c_de}"),
                format!("{s_en}better than the city average {c_en}"),
            )
        }
        Tendency::Mixed => (
            format!(
                "teils günstiger, teils ungünstiger als der Durchschnitt der Stadt \
                 (ungünstiger bei {worse}, günstiger bei {better} von {m} Indikatoren)"
            ),
            format!(
                "partly better, partly worse than the city average \
                 (worse on {worse}, better on {better} of {m} indicators)"
            ),
        ),
    };
    // Name the indicators that stand out most (|z| ≥ 1) so the text says *where* a cluster differs.
    let mut strong: Vec<(f64, (&str, &str))> = centroid
        .iter()
        .zip(names)
        .filter(|(z, _)| z.abs() >= 1.0)
        .map(|(z, n)| (*z, *n))
        .collect();
    strong.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    let list = |worse: bool, de: bool| -> String {
        strong
            .iter()
            .filter(|s| (s.0 > 0.0) == worse)
            .map(|s| if de { s.1.0 } else { s.1.1 })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if strong.iter().any(|s| s.0 > 0.0) {
        de += &format!("; deutlich ungünstiger bei {}", list(true, true));
        en += &format!("; markedly worse on {}", list(true, false));
    }
    if strong.iter().any(|s| s.0 < 0.0) {
        de += &format!("; deutlich günstiger bei {}", list(false, true));
        en += &format!("; markedly better on {}", list(false, false));
    }
    ClusterProfile {
        number,
        size,
        centroid: centroid.to_vec(),
        mean_z,
        worse_than_city: worse,
        level,
        description_de: de,
        description_en: en,
        action_area_candidate: tendency == Tendency::Worse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twelve areas in three well separated groups on two indicators: four good, five average,
    /// three bad.
    fn three_groups() -> Matrix {
        let mut rows = Vec::new();
        for (base, count) in [(-2.0, 4), (0.0, 5), (3.0, 3)] {
            for i in 0..count {
                let e = i as f64 * 0.01;
                rows.extend([base + e, base - e]);
            }
        }
        Matrix::new(12, 2, rows).unwrap()
    }

    fn ind(names: &[&str]) -> Vec<TypologyIndicator> {
        names
            .iter()
            .map(|n| TypologyIndicator::new(*n, Polarity::HigherIsWorse))
            .collect()
    }

    #[test]
    fn three_groups_are_found_and_ordered() {
        // Three well separated groups: good, average, bad.
        let m = three_groups();
        let mut s = TypologySettings::new(ind(&["a", "b"]));
        s.k = 3;
        s.kmeans = Some(50);
        let t = typology(&m, &s).unwrap();
        assert_eq!(&t.membership[..4], &[1, 1, 1, 1]);
        assert_eq!(&t.membership[9..], &[3, 3, 3]);
        assert_eq!(t.clusters[2].size, 3);
        assert!(
            t.clusters[2]
                .description_en
                .starts_with("markedly worse than the city average on all 2 indicators")
        );
        assert!(
            t.clusters[0]
                .description_de
                .starts_with("deutlich günstiger als der Durchschnitt der Stadt bei allen 2")
        );
        assert_eq!(t.proposed_action_areas, vec![9, 10, 11]);
        assert_eq!(t.k_scores[0].k, 2);
        assert!(t.k_scores[1].calinski_harabasz > t.k_scores[0].calinski_harabasz);
        assert!(t.k_scores[1].within_ss < t.k_scores[0].within_ss);
        let json = serde_json::to_string(&t).unwrap();
        let back: Typology = serde_json::from_str(&json).unwrap();
        assert_eq!(back.membership, t.membership);
    }

    #[test]
    fn descriptions_use_the_indicator_names_of_each_language() {
        let m = three_groups();
        let inds = vec![
            TypologyIndicator::new("sgb2", Polarity::HigherIsWorse)
                .with_labels("SGB-II-Quote", "SGB II rate"),
            TypologyIndicator::new("unemp", Polarity::HigherIsWorse)
                .with_labels("Arbeitslosenanteil", "Unemployment share"),
        ];
        let mut s = TypologySettings::new(inds);
        s.k = 3;
        let t = typology(&m, &s).unwrap();
        let worst = &t.clusters[2];
        assert!(
            worst
                .description_de
                .contains("ungünstiger bei SGB-II-Quote, Arbeitslosenanteil")
                || worst
                    .description_de
                    .contains("ungünstiger bei Arbeitslosenanteil, SGB-II-Quote"),
            "{}",
            worst.description_de
        );
        assert!(
            worst.description_en.contains("SGB II rate"),
            "{}",
            worst.description_en
        );
        assert!(
            !worst.description_en.contains("sgb2"),
            "{}",
            worst.description_en
        );
        assert!(t.clusters[0].description_en.contains("markedly better on"));
    }

    proptest::proptest! {
        /// The words follow the numbers: over any centroid, a cluster is proposed exactly when its
        /// description begins "worse than the city average", the counts it names are the counts of
        /// aligned z above and below 0, and "markedly"/"slightly" follow the mean.
        #[test]
        fn descriptions_agree_with_the_proposal(
            centroid in proptest::collection::vec(
                proptest::prop_oneof![(-3.0f64..3.0), proptest::strategy::Just(0.0)],
                1..9,
            ),
        ) {
            let m = centroid.len();
            let names: Vec<(&str, &str)> = (0..m).map(|_| ("I", "I")).collect();
            let c = profile(1, &centroid, 3, &names);
            let worse = centroid.iter().filter(|&&z| z > 0.0).count();
            let better = centroid.iter().filter(|&&z| z < 0.0).count();
            let head_de = c.description_de.split(';').next().unwrap();
            let head_en = c.description_en.split(';').next().unwrap();
            let says_worse = head_en
                .trim_start_matches("markedly ")
                .trim_start_matches("slightly ")
                .starts_with("worse than the city average");
            let says_better = head_en
                .trim_start_matches("markedly ")
                .trim_start_matches("slightly ")
                .starts_with("better than the city average");
            proptest::prop_assert_eq!(c.action_area_candidate, says_worse, "{}", head_en);
            proptest::prop_assert_eq!(c.action_area_candidate, 2 * worse > m);
            proptest::prop_assert_eq!(
                c.action_area_candidate,
                head_de.contains("ungünstiger als der Durchschnitt")
                    && !head_de.starts_with("teils"),
                "{}", head_de
            );
            proptest::prop_assert_eq!(says_better, 2 * better > m, "{}", head_en);
            let n = if says_worse { worse } else if says_better { better } else { 0 };
            if says_worse || says_better {
                let scope = if n == m {
                    format!("on all {m} indicators")
                } else {
                    format!("on {n} of {m} indicators")
                };
                proptest::prop_assert!(head_en.ends_with(&scope), "{} / {}", head_en, scope);
                let toward = if says_worse { c.mean_z } else { -c.mean_z };
                proptest::prop_assert_eq!(head_en.starts_with("markedly "), toward >= 1.0);
                proptest::prop_assert_eq!(head_en.starts_with("slightly "), toward < 0.25);
            } else {
                let counts = format!("(worse on {worse}, better on {better} of {m} indicators)");
                proptest::prop_assert!(head_en.ends_with(&counts), "{}", head_en);
            }
            proptest::prop_assert_eq!(c.worse_than_city, worse);
            proptest::prop_assert!(!c.description_de.contains("über dem"));
            proptest::prop_assert!(!c.description_de.contains("unter dem"));
        }
    }

    #[test]
    fn groups_of_one_area_are_plain_ward() {
        let v: Vec<f64> = (0..120)
            .map(|i| ((i * 7919 % 101) as f64 / 9.0).sin() * (1 + i % 4) as f64)
            .collect();
        let m = Matrix::new(40, 3, v).unwrap();
        let mut s = TypologySettings::new(ind(&["a", "b", "c"]));
        s.standardise = Some(SdKind::Population);
        s.k = 4;
        s.kmeans = Some(20);
        let plain = typology(&m, &s).unwrap();
        assert_eq!(plain.groups, None);
        for groups in [40, 41, 500] {
            let mut g = typology_on_groups(&m, &s, groups).unwrap();
            let pre = g.groups.take().expect("groups");
            assert_eq!(pre.of_area, (0..40).collect::<Vec<_>>());
            assert_eq!(g, plain, "{groups} groups");
        }
        // Fewer groups: a different, coarser hierarchy, still a partition of all 40 areas.
        let coarse = typology_on_groups(&m, &s, 10).unwrap();
        assert_eq!(coarse.dendrogram.n_leaves, 10);
        assert_eq!(coarse.membership.len(), 40);
        assert_eq!(coarse.clusters.iter().map(|c| c.size).sum::<usize>(), 40);
    }

    #[test]
    fn pca_with_all_components_keeps_the_hierarchy() {
        let v: Vec<f64> = (0..90)
            .map(|i| ((i * 7919 % 101) as f64 / 13.0).cos())
            .collect();
        let m = Matrix::new(30, 3, v).unwrap();
        let mut s = TypologySettings::new(ind(&["a", "b", "c"]));
        let plain = typology(&m, &s).unwrap();
        s.pca = PcaSetting::Components(3);
        let pc = typology(&m, &s).unwrap();
        for (a, b) in plain.dendrogram.merges.iter().zip(&pc.dendrogram.merges) {
            assert!((a.height - b.height).abs() < 1e-9);
        }
        assert_eq!(plain.membership, pc.membership);
    }
}
