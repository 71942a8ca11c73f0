//! Principal components on the correlation matrix, with a cyclic Jacobi eigen-solver.
//!
//! For z-standardised columns (population sd) the covariance matrix `ZᵀZ/n` *is* the correlation
//! matrix. Its eigenvectors `v_k` (loadings, unit length) and eigenvalues `λ_k` (variance of
//! component k) come from Jacobi rotations, which for the ≤ 50 indicators of a social atlas are
//! exact to machine precision and need no external linear-algebra crate. Scores are `Z·v_k`
//! (not rescaled to unit variance), so that keeping all components leaves every Euclidean
//! distance — and so the Ward hierarchy — unchanged. Each eigenvector's sign is fixed so that its
//! largest-magnitude loading is positive, making results reproducible across platforms.

use serde::{Deserialize, Serialize};

use crate::matrix::Matrix;

/// How many principal components to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PcaSetting {
    /// Cluster on the z-values themselves.
    #[default]
    Off,
    /// Keep components with eigenvalue > 1 (Kaiser criterion), at least one.
    Kaiser,
    /// Keep this many components (clamped to the number of indicators).
    Components(usize),
}

impl PcaSetting {
    /// How many components this setting keeps, given all eigenvalues of the correlation matrix
    /// (descending, one per indicator): all of them when off; those above 1, at least one, by
    /// the Kaiser criterion; else the number asked for, clamped to 1 ..= the number of
    /// indicators.
    pub fn components(self, eigenvalues: &[f64]) -> usize {
        let p = eigenvalues.len();
        match self {
            PcaSetting::Off => p,
            PcaSetting::Kaiser => eigenvalues.iter().filter(|&&l| l > 1.0).count().max(1),
            PcaSetting::Components(k) => k.clamp(1, p.max(1)),
        }
    }
}

/// The fitted components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pca {
    /// All eigenvalues of the correlation matrix, descending.
    pub eigenvalues: Vec<f64>,
    /// Share of the total variance per component (`λ_k / Σλ`).
    pub explained: Vec<f64>,
    /// Loadings of the kept components: `loadings[k][j]` = weight of indicator `j` in component `k`.
    pub loadings: Vec<Vec<f64>>,
}

impl Pca {
    /// The number of components kept (those the clustering used).
    pub fn kept(&self) -> usize {
        self.loadings.len()
    }

    /// The share of the total variance the kept components explain, 0–1.
    pub fn kept_share(&self) -> f64 {
        self.explained.iter().take(self.kept()).sum()
    }
}

/// Eigen-decomposition of a symmetric matrix given row-major (`n × n`): returns eigenvalues
/// (descending) and the eigenvectors as rows, in the same order.
pub fn symmetric_eigen(a: &[f64], n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j] * a[i * n + j])
            .sum();
        let total: f64 = a.iter().map(|x| x * x).sum();
        if off <= 1e-30 * total.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[k * n + p], a[k * n + q]);
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[p * n + k], a[q * n + k]);
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[k * n + p], v[k * n + q]);
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]));
    let values = idx.iter().map(|&i| a[i * n + i]).collect();
    let vectors = idx
        .iter()
        .map(|&i| {
            let mut col: Vec<f64> = (0..n).map(|k| v[k * n + i]).collect();
            let big = col
                .iter()
                .fold(0.0f64, |m, &x| if x.abs() > m.abs() { x } else { m });
            if big < 0.0 {
                col.iter_mut().for_each(|x| *x = -*x);
            }
            col
        })
        .collect();
    (values, vectors)
}

/// Fits the components on z-values (columns with mean 0) and returns them with the scores.
pub fn pca(z: &Matrix, setting: PcaSetting) -> (Pca, Matrix) {
    let (n, p) = (z.rows(), z.cols());
    let mut cov = vec![0.0; p * p];
    for i in 0..n {
        let r = z.row(i);
        for a in 0..p {
            for b in a..p {
                cov[a * p + b] += r[a] * r[b];
            }
        }
    }
    for a in 0..p {
        for b in a..p {
            let v = cov[a * p + b] / n.max(1) as f64;
            cov[a * p + b] = v;
            cov[b * p + a] = v;
        }
    }
    let (values, vectors) = symmetric_eigen(&cov, p);
    let keep = setting.components(&values);
    let total: f64 = values.iter().map(|l| l.max(0.0)).sum();
    let explained = values
        .iter()
        .map(|l| if total > 0.0 { l.max(0.0) / total } else { 0.0 })
        .collect();
    let loadings: Vec<Vec<f64>> = vectors.into_iter().take(keep).collect();
    let mut scores = Vec::with_capacity(n * keep);
    for i in 0..n {
        let r = z.row(i);
        for l in &loadings {
            scores.push(r.iter().zip(l).map(|(x, w)| x * w).sum());
        }
    }
    let scores = Matrix::new(n, keep, scores).unwrap_or_else(|_| z.clone());
    (
        Pca {
            eigenvalues: values,
            explained,
            loadings,
        },
        scores,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jacobi_reconstructs() {
        let a = [4.0, 1.0, 2.0, 1.0, 3.0, 0.5, 2.0, 0.5, 5.0];
        let (vals, vecs) = symmetric_eigen(&a, 3);
        assert!(vals[0] >= vals[1] && vals[1] >= vals[2]);
        for (l, v) in vals.iter().zip(&vecs) {
            for i in 0..3 {
                let av: f64 = (0..3).map(|k| a[i * 3 + k] * v[k]).sum();
                assert!((av - l * v[i]).abs() < 1e-12);
            }
        }
        assert!((vals.iter().sum::<f64>() - 12.0).abs() < 1e-12);
    }

    #[test]
    fn components_kept_as_set_and_their_share() {
        let ev = [2.5, 1.2, 0.2, 0.1];
        assert_eq!(PcaSetting::Off.components(&ev), 4);
        assert_eq!(PcaSetting::Kaiser.components(&ev), 2);
        assert_eq!(PcaSetting::Kaiser.components(&[0.9, 0.1]), 1);
        assert_eq!(PcaSetting::Components(0).components(&ev), 1);
        assert_eq!(PcaSetting::Components(3).components(&ev), 3);
        assert_eq!(PcaSetting::Components(9).components(&ev), 4);
        // What the fit keeps is what the setting says, and the share is of those.
        let z = Matrix::new(
            5,
            3,
            vec![
                1.0, 0.9, -0.2, -1.0, -1.1, 0.1, 0.5, 0.4, 1.2, -0.5, -0.3, -1.3, 0.0, 0.1, 0.2,
            ],
        )
        .unwrap();
        for setting in [
            PcaSetting::Kaiser,
            PcaSetting::Components(0),
            PcaSetting::Components(2),
            PcaSetting::Components(7),
        ] {
            let (fit, scores) = pca(&z, setting);
            assert_eq!(fit.kept(), setting.components(&fit.eigenvalues));
            assert_eq!(scores.cols(), fit.kept());
            let share: f64 = fit.explained[..fit.kept()].iter().sum();
            assert!((fit.kept_share() - share).abs() < 1e-15);
        }
        let (all, _) = pca(&z, PcaSetting::Components(3));
        assert!((all.kept_share() - 1.0).abs() < 1e-12);
    }
}
