//! How far two partitions of the same areas agree (e.g. two typology runs): the cross-tabulation
//! and the adjusted Rand index (Hubert & Arabie 1985), as scikit-learn's `adjusted_rand_score`.
//!
//! With the pair-confusion counts — pairs of areas together in both partitions (`tp`), in only
//! the first (`fn_`), only the second (`fp`), in neither (`tn`) —
//! `ARI = 2(tp·tn − fn·fp) / ((tp + fn)(fn + tn) + (tp + fp)(fp + tn))`; 1 for identical
//! partitions (up to renaming), about 0 for independent ones, negative for less agreement than
//! chance. When every pair is treated alike by both partitions (`fn = fp = 0`, e.g. both put all
//! areas together or each alone) it is 1, as in scikit-learn. Counts are exact integers.

use crate::error::{AnalysisError, Result};

/// The cross-tabulation of two labellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crosstab {
    /// The distinct labels of the first partition, ascending (the rows).
    pub rows: Vec<usize>,
    /// The distinct labels of the second partition, ascending (the columns).
    pub columns: Vec<usize>,
    /// `counts[r][c]`: areas with label `rows[r]` in the first and `columns[c]` in the second.
    pub counts: Vec<Vec<u64>>,
}

/// Cross-tabulates two labellings of the same areas.
pub fn crosstab(a: &[usize], b: &[usize]) -> Result<Crosstab> {
    if a.len() != b.len() {
        return Err(AnalysisError::LengthMismatch {
            what: "second partition".into(),
            expected: a.len(),
            got: b.len(),
        });
    }
    let distinct = |x: &[usize]| {
        let mut v = x.to_vec();
        v.sort_unstable();
        v.dedup();
        v
    };
    let (rows, columns) = (distinct(a), distinct(b));
    let mut counts = vec![vec![0u64; columns.len()]; rows.len()];
    for (x, y) in a.iter().zip(b) {
        // Both searches succeed: the labels come from these very slices.
        if let (Ok(r), Ok(c)) = (rows.binary_search(x), columns.binary_search(y)) {
            counts[r][c] += 1;
        }
    }
    Ok(Crosstab {
        rows,
        columns,
        counts,
    })
}

fn pairs(n: u64) -> i128 {
    let n = n as i128;
    n * (n - 1) / 2
}

impl Crosstab {
    /// The adjusted Rand index of the two partitions.
    pub fn adjusted_rand_index(&self) -> f64 {
        let n: u64 = self.counts.iter().flatten().sum();
        let same_both: i128 = self.counts.iter().flatten().map(|&c| pairs(c)).sum();
        let same_a: i128 = self.counts.iter().map(|r| pairs(r.iter().sum())).sum();
        let same_b: i128 = (0..self.columns.len())
            .map(|c| pairs(self.counts.iter().map(|r| r[c]).sum()))
            .sum();
        let all = pairs(n);
        let tp = same_both;
        let fn_ = same_a - same_both;
        let fp = same_b - same_both;
        let tn = all - tp - fn_ - fp;
        if fn_ == 0 && fp == 0 {
            return 1.0;
        }
        let num = 2 * (tp * tn - fn_ * fp);
        let den = (tp + fn_) * (fn_ + tn) + (tp + fp) * (fp + tn);
        num as f64 / den as f64
    }
}

/// The adjusted Rand index of two labellings of the same areas (label values need not match).
///
/// ```
/// use sozialatlas_analysis::agreement::adjusted_rand_index;
/// assert_eq!(adjusted_rand_index(&[1, 1, 2, 2], &[5, 5, 3, 3])?, 1.0);
/// assert!((adjusted_rand_index(&[0, 0, 1, 1], &[0, 1, 0, 1])? + 0.5).abs() < 1e-12);
/// # Ok::<(), sozialatlas_analysis::AnalysisError>(())
/// ```
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> Result<f64> {
    if a.is_empty() {
        return Err(AnalysisError::TooFewAreas {
            what: "adjusted Rand index".into(),
            needed: 1,
            got: 0,
        });
    }
    Ok(crosstab(a, b)?.adjusted_rand_index())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crosstab_counts_and_edge_cases() {
        let t = crosstab(&[1, 1, 2, 3], &[7, 8, 8, 8]).unwrap();
        assert_eq!(t.rows, [1, 2, 3]);
        assert_eq!(t.columns, [7, 8]);
        assert_eq!(t.counts, [[1, 1], [0, 1], [0, 1]]);
        assert_eq!(adjusted_rand_index(&[0, 0, 0], &[4, 4, 4]).unwrap(), 1.0);
        assert_eq!(adjusted_rand_index(&[0, 1, 2], &[2, 1, 0]).unwrap(), 1.0);
        assert_eq!(adjusted_rand_index(&[3], &[1]).unwrap(), 1.0);
        assert!(adjusted_rand_index(&[], &[]).is_err());
        assert!(adjusted_rand_index(&[1, 2], &[1]).is_err());
    }
}
