//! Property tests of the core against naive references and invariants.

use proptest::prelude::*;
use sozialatlas_analysis::AnalysisError;
use sozialatlas_analysis::matrix::Matrix;
use sozialatlas_analysis::moran::{local_moran, moran};
use sozialatlas_analysis::typology::{TypologyIndicator, TypologySettings, typology};
use sozialatlas_analysis::ward::ward;
use sozialatlas_analysis::weights::Weights;
use sozialatlas_analysis::zscore::{Polarity, SdKind, zscore};

fn matrix(max_rows: usize, cols: usize) -> impl Strategy<Value = Matrix> {
    (3..max_rows).prop_flat_map(move |n| {
        // Values on a coarse grid produce ties, which the chain must survive.
        prop::collection::vec((-20i32..20).prop_map(|v| v as f64 * 0.25), n * cols)
            .prop_map(move |v| Matrix::new(n, cols, v).expect("finite"))
    })
}

fn continuous(max_rows: usize, cols: usize) -> impl Strategy<Value = Matrix> {
    (3..max_rows).prop_flat_map(move |n| {
        prop::collection::vec(-10.0f64..10.0, n * cols)
            .prop_map(move |v| Matrix::new(n, cols, v).expect("finite"))
    })
}

/// Partition as a canonical set of sorted member lists (labels do not matter).
pub(crate) fn partition(labels: &[usize]) -> Vec<Vec<usize>> {
    let k = labels.iter().max().map_or(0, |m| m + 1);
    let mut groups = vec![Vec::new(); k];
    for (i, &l) in labels.iter().enumerate() {
        groups[l].push(i);
    }
    groups.retain(|g| !g.is_empty());
    groups.sort();
    groups
}

proptest! {
    #[test]
    fn ward_heights_are_monotone(x in matrix(40, 3)) {
        let d = ward(&x).expect("ward");
        prop_assert_eq!(d.merges.len(), x.rows() - 1);
        for w in d.merges.windows(2) {
            prop_assert!(w[0].height <= w[1].height * (1.0 + 1e-12) + 1e-12);
        }
        prop_assert_eq!(d.merges.last().map(|m| m.size), Some(x.rows()));
        let mut order = d.leaf_order.clone();
        order.sort_unstable();
        prop_assert_eq!(order, (0..x.rows()).collect::<Vec<_>>());
    }

    #[test]
    fn ward_total_height_matches_within_ss(x in continuous(30, 2)) {
        // Σ Δ over all merges = total sum of squares about the grand mean (Ward's identity).
        let d = ward(&x).expect("ward");
        let sum_delta: f64 = d.merges.iter().map(|m| m.height * m.height / 2.0).sum();
        let n = x.rows();
        let mut tss = 0.0;
        for j in 0..x.cols() {
            let c = x.column(j);
            let mean = c.iter().sum::<f64>() / n as f64;
            tss += c.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
        }
        prop_assert!((sum_delta - tss).abs() <= 1e-9 * tss.max(1.0));
    }

    #[test]
    fn clusters_do_not_depend_on_row_order(x in continuous(30, 3), k in 2usize..5, seed in any::<u64>()) {
        let n = x.rows();
        prop_assume!(k < n);
        // A permutation of the rows, from the seed.
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let rows: Vec<f64> = perm.iter().flat_map(|&i| x.row(i).to_vec()).collect();
        let y = Matrix::new(n, x.cols(), rows).expect("matrix");
        let a = ward(&x).expect("ward").cut(k).expect("cut");
        let b = ward(&y).expect("ward").cut(k).expect("cut");
        // Map b back to the original row numbers.
        let mut b_orig = vec![0; n];
        for (pos, &i) in perm.iter().enumerate() {
            b_orig[i] = b[pos];
        }
        prop_assert_eq!(partition(&a), partition(&b_orig));
    }

    #[test]
    fn typology_membership_is_order_invariant(x in continuous(25, 3)) {
        let n = x.rows();
        let ind = (0..3).map(|j| TypologyIndicator::new(format!("i{j}"), Polarity::HigherIsWorse)).collect();
        let mut s = TypologySettings::new(ind);
        s.k = 3.min(n);
        s.kmeans = Some(100);
        let a = typology(&x, &s).expect("typology");
        let rev: Vec<f64> = (0..n).rev().flat_map(|i| x.row(i).to_vec()).collect();
        let b = typology(&Matrix::new(n, 3, rev).expect("m"), &s).expect("typology");
        let b_orig: Vec<usize> = (0..n).map(|i| b.membership[n - 1 - i]).collect();
        prop_assert_eq!(partition(&a.membership.iter().map(|m| m - 1).collect::<Vec<_>>()),
                        partition(&b_orig.iter().map(|m| m - 1).collect::<Vec<_>>()));
    }

    #[test]
    fn constant_columns_give_zero_z(v in -1e6f64..1e6, n in 1usize..50, kind in prop_oneof![Just(SdKind::Population), Just(SdKind::Sample)]) {
        let c = zscore(&vec![v; n], Polarity::HigherIsBetter, kind).expect("z");
        prop_assert!(c.constant);
        prop_assert!(c.z.iter().all(|z| *z == 0.0));
    }

    #[test]
    fn z_values_have_mean_zero_and_unit_sd(v in prop::collection::vec(-1e3f64..1e3, 2..60)) {
        let c = zscore(&v, Polarity::HigherIsWorse, SdKind::Population).expect("z");
        prop_assume!(!c.constant);
        let n = v.len() as f64;
        let mean = c.z.iter().sum::<f64>() / n;
        let var = c.z.iter().map(|z| z * z).sum::<f64>() / n;
        prop_assert!(mean.abs() < 1e-9);
        prop_assert!((var - 1.0).abs() < 1e-9);
    }

    #[test]
    fn moran_of_a_constant_vector_is_reported(v in -1e3f64..1e3, n in 3usize..20) {
        let w = Weights::from_neighbours((0..n).map(|i| vec![(i + 1) % n, (i + n - 1) % n]).collect()).expect("w").row_standardise();
        let y = vec![v; n];
        prop_assert!(
            matches!(moran(&y, &w, 9, 1), Err(AnalysisError::ConstantValues { .. })),
            "global Moran of a constant vector must say so"
        );
        let constant_local = matches!(local_moran(&y, &w, 9, 1), Err(AnalysisError::ConstantValues { .. }));
        prop_assert!(constant_local);
    }

    #[test]
    fn moran_is_reproducible_and_bounded(y in prop::collection::vec(-100.0f64..100.0, 5..30), seed in any::<u64>()) {
        let n = y.len();
        let w = Weights::from_neighbours((0..n).map(|i| vec![(i + 1) % n, (i + n - 1) % n]).collect()).expect("w").row_standardise();
        match moran(&y, &w, 19, seed) {
            Ok(a) => {
                let b = moran(&y, &w, 19, seed).expect("again");
                prop_assert_eq!(&a, &b);
                prop_assert!(a.p_sim > 0.0 && a.p_sim <= 0.5 + 1e-12);
                let l = local_moran(&y, &w, 19, seed).expect("lisa");
                prop_assert_eq!(&l, &local_moran(&y, &w, 19, seed).expect("again"));
            }
            Err(e) => {
                let constant = matches!(e, AnalysisError::ConstantValues { .. });
                prop_assert!(constant);
            }
        }
    }
}
