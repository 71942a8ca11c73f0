//! Natural breaks (exact Ckmeans, k = 6) on n = 10⁴ and 10⁶ random values.
//!
//! `CARGO_TARGET_DIR=/work/main/target-classify cargo bench -p sozialatlas-classify`

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_classify::{Breaks, Closure, Scheme};

fn main() {
    divan::main();
}

fn data(n: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(2011);
    // A skewed, rate-like distribution, as indicator values are.
    (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            40.0 * u * u + rng.random::<f64>()
        })
        .collect()
}

#[divan::bench(args = [10_000, 1_000_000], sample_count = 10, sample_size = 1)]
fn natural_breaks_k6(bencher: divan::Bencher, n: usize) {
    let values = data(n);
    let scheme = Scheme::NaturalBreaks { k: 6 };
    bencher.bench(|| {
        Breaks::compute(divan::black_box(&values), &scheme, Closure::RightClosed).map(|b| b.k())
    });
}
