//! Natural breaks against naive references: every contiguous partition (n ≤ 12, k ≤ 5), every
//! set partition (n ≤ 8, which also checks that optimal classes are contiguous), and property
//! tests against random partitions.

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_classify::{Breaks, Closure, Scheme};

/// Within-class sum of squares, two-pass per class.
fn sse(values: &[f64], classes: &[usize], k: usize) -> f64 {
    let mut total = 0.0;
    for c in 0..k {
        let members: Vec<f64> = values
            .iter()
            .zip(classes)
            .filter(|(_, cl)| **cl == c)
            .map(|(v, _)| *v)
            .collect();
        if members.is_empty() {
            continue;
        }
        let mean = members.iter().sum::<f64>() / members.len() as f64;
        total += members.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    }
    total
}

fn ours(values: &[f64], k: usize, closure: Closure) -> (Breaks, Vec<usize>) {
    let b = Breaks::compute(values, &Scheme::NaturalBreaks { k }, closure).expect("breaks");
    let classes = b
        .classify(values)
        .classes
        .into_iter()
        .map(|c| c.expect("finite"))
        .collect();
    (b, classes)
}

/// Best SSE over all ways to cut the sorted values into `k` non-empty runs.
fn best_contiguous(sorted: &[f64], k: usize) -> f64 {
    fn go(sorted: &[f64], start: usize, k: usize, acc: f64, best: &mut f64) {
        let n = sorted.len();
        if k == 1 {
            let part = &sorted[start..];
            let cl = vec![0; part.len()];
            *best = best.min(acc + sse(part, &cl, 1));
            return;
        }
        for end in start + 1..=n - (k - 1) {
            let part = &sorted[start..end];
            let cl = vec![0; part.len()];
            go(sorted, end, k - 1, acc + sse(part, &cl, 1), best);
        }
    }
    let mut best = f64::INFINITY;
    go(sorted, 0, k, 0.0, &mut best);
    best
}

/// Best SSE over all set partitions into exactly `k` non-empty blocks (restricted growth strings).
fn best_any_partition(values: &[f64], k: usize) -> f64 {
    fn go(values: &[f64], i: usize, used: usize, k: usize, cl: &mut Vec<usize>, best: &mut f64) {
        let n = values.len();
        if i == n {
            if used == k {
                *best = best.min(sse(values, cl, k));
            }
            return;
        }
        if k - used > n - i {
            return;
        }
        for c in 0..=used.min(k - 1) {
            cl.push(c);
            go(values, i + 1, used.max(c + 1), k, cl, best);
            cl.pop();
        }
    }
    let mut best = f64::INFINITY;
    go(values, 0, 0, k, &mut Vec::new(), &mut best);
    best
}

fn tol(values: &[f64]) -> f64 {
    1e-9 * (1.0 + values.iter().map(|v| v * v).sum::<f64>())
}

fn random_values(rng: &mut ChaCha8Rng, n: usize, ties: bool) -> Vec<f64> {
    (0..n)
        .map(|_| {
            if ties {
                f64::from(rng.random_range(0..6u8))
            } else {
                (rng.random::<f64>() * 100.0).powi(2) / 100.0
            }
        })
        .collect()
}

#[test]
fn equals_brute_force_over_contiguous_partitions() {
    let mut rng = ChaCha8Rng::seed_from_u64(1958);
    for round in 0..300 {
        let n = rng.random_range(1..=12usize);
        let values = random_values(&mut rng, n, round % 3 == 0);
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        for k in 1..=5usize {
            for closure in [Closure::LeftClosed, Closure::RightClosed] {
                let (b, classes) = ours(&values, k, closure);
                let k_eff = k.min(sorted.len());
                assert_eq!(b.k(), k_eff);
                // With ties, the reference runs on values with multiplicity.
                let mut all = values.clone();
                all.sort_by(f64::total_cmp);
                let best = best_contiguous(&all, k_eff.min(all.len()));
                let got = sse(&values, &classes, b.k());
                assert!(
                    got <= best + tol(&values),
                    "n={n} k={k} {closure:?}: ours {got} > best {best} for {values:?}"
                );
            }
        }
    }
}

#[test]
fn optimal_over_all_set_partitions_small_n() {
    let mut rng = ChaCha8Rng::seed_from_u64(2011);
    for _ in 0..40 {
        let n = rng.random_range(1..=8usize);
        let values = random_values(&mut rng, n, false);
        for k in 1..=n.min(4) {
            let (b, classes) = ours(&values, k, Closure::RightClosed);
            assert_eq!(b.k(), k);
            let best = best_any_partition(&values, k);
            let got = sse(&values, &classes, k);
            assert!(
                (got - best).abs() <= tol(&values),
                "{values:?} k={k}: {got} vs {best}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_random_partition_beats_it(
        raw in prop::collection::vec(-1000i32..1000, 1..150),
        scale in prop_oneof![Just(1.0), Just(0.01), Just(37.5)],
        k in 1usize..9,
        seed in any::<u64>(),
    ) {
        let values: Vec<f64> = raw.iter().map(|&v| f64::from(v) * scale).collect();
        let mut distinct = values.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        for closure in [Closure::LeftClosed, Closure::RightClosed] {
            let (b, classes) = ours(&values, k, closure);
            // Monotone, and strictly increasing inner breaks for natural breaks.
            prop_assert!(b.bounds().windows(2).all(|w| w[0] <= w[1]));
            prop_assert!(b.bounds()[1..b.k()].windows(2).all(|w| w[0] < w[1]));
            prop_assert_eq!(b.k(), k.min(distinct.len()));
            // Every class non-empty (guaranteed once there are at least k distinct values).
            let counts = b.classify(&values).counts;
            prop_assert!(counts.iter().all(|&c| c > 0), "{:?}", counts);
            // No random partition into the same number of classes has a smaller SSE.
            let got = sse(&values, &classes, b.k());
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            for _ in 0..20 {
                let random: Vec<usize> = values.iter().map(|_| rng.random_range(0..b.k())).collect();
                prop_assert!(got <= sse(&values, &random, b.k()) + tol(&values));
            }
        }
    }

    #[test]
    fn both_closures_give_the_same_partition(
        raw in prop::collection::vec(0u16..500, 1..120),
        k in 1usize..8,
    ) {
        let values: Vec<f64> = raw.iter().map(|&v| f64::from(v) / 10.0).collect();
        let (_, left) = ours(&values, k, Closure::LeftClosed);
        let (_, right) = ours(&values, k, Closure::RightClosed);
        prop_assert_eq!(left, right);
    }
}

#[test]
fn large_input_is_exact_on_separated_clusters() {
    // Six well-separated clusters of 10^5 values each: the optimum is obvious.
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let values: Vec<f64> = (0..600_000)
        .map(|i| (i % 6) as f64 * 100.0 + rng.random::<f64>())
        .collect();
    let (b, _) = ours(&values, 6, Closure::LeftClosed);
    let c = b.classify(&values);
    assert_eq!(c.counts, vec![100_000; 6]);
}
