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

const D: usize = 10;

/// SplitMix64, the generator `ward_scipy.py` reimplements, so both time the same matrix.
fn data(n: usize, seed: u64) -> Matrix {
    let mut state = seed;
    let mut v = Vec::with_capacity(n * D);
    for _ in 0..n * D {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        v.push((z >> 11) as f64 * (1.0 / (1u64 << 53) as f64));
    }
    for r in 0..n {
        v[r * D + r % D] += (r % 7) as f64;
    }
    Matrix::new(n, D, v).expect("finite data")
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
        let mut condensed = Vec::with_capacity(n * (n - 1) / 2);
        for i in 0..n {
            for j in i + 1..n {
                let d2: f64 = x
                    .row(i)
                    .iter()
                    .zip(x.row(j))
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum();
                condensed.push(d2.sqrt());
            }
        }
        kodama::linkage(&mut condensed, n, kodama::Method::Ward)
    });
}
