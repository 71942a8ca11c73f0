//! Ward clustering of 2,000 / 10,000 / 20,000 areas × 10 indicators (seeded data), to compare
//! with SciPy's `linkage(X, method="ward")` timed by `benches/ward_scipy.py` on the same data.
//!
//! ```text
//! CARGO_TARGET_DIR=target-analysis cargo bench -p sozialatlas-analysis --bench ward
//! /work/venv/bin/python crates/analysis/benches/ward_scipy.py
//! ```
//!
//! Measured on the 2-core development machine (medians; SciPy 1.17.1 best of 3, one run at 20,000):
//!
//! | n × 10 | this crate | SciPy `linkage` | ratio | kodama 0.3 | fastcluster `linkage_vector` |
//! |---|---|---|---|---|---|
//! | 2,000 | 0.040 s | 0.270 s | 6.7× faster | 0.12 s | 0.047 s |
//! | 10,000 | 1.02 s | 6.85 s | 6.7× faster | 5.4 s | 1.21 s |
//! | 20,000 | 4.2 s | 62.7 s | 15× faster | (1.6 GB matrix, not run) | 5.66 s |

use sozialatlas_analysis::matrix::Matrix;
use sozialatlas_analysis::ward::ward;

#[path = "support/splitmix.rs"]
mod splitmix;
use splitmix::{D, splitmix_rows};

#[path = "../tests/support/kodama.rs"]
mod kodama_input;
use kodama_input::condensed_distances;

/// The SplitMix64 matrix (see `support/splitmix.rs`), which `ward_scipy.py` reimplements, so
/// that both time the same matrix.
fn data(n: usize, seed: u64) -> Matrix {
    Matrix::new(n, D, splitmix_rows(n, seed)).expect("finite data")
}

fn main() {
    // Sum of heights of the first 200 rows: the Python script prints the same number, which
    // shows both sides cluster the same data.
    let check: f64 = ward(&data(200, 42))
        .expect("ward")
        .merges
        .iter()
        .map(|m| m.height)
        .sum();
    println!("checksum: sum of heights {check}");
    divan::main();
}

#[divan::bench(args = [2000, 10000, 20000], sample_count = 3, sample_size = 1)]
fn nn_chain_centroids(bencher: divan::Bencher, n: usize) {
    let x = data(n, 42);
    bencher.bench(|| ward(divan::black_box(&x)).expect("ward"));
}

#[divan::bench(args = [2000, 10000], sample_count = 3, sample_size = 1)]
fn kodama_condensed(bencher: divan::Bencher, n: usize) {
    let x = data(n, 42);
    bencher.bench(|| {
        let mut condensed = condensed_distances(&x);
        kodama::linkage(&mut condensed, n, kodama::Method::Ward)
    });
}
