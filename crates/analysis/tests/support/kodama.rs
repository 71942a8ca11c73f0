//! kodama's input, shared by `tests/it/ward_scipy.rs` and `benches/ward.rs` (each includes this
//! file by path), so that the test and the benchmark feed kodama the same way.

use sozialatlas_analysis::matrix::Matrix;

/// The Euclidean distances between the rows of `x`, condensed in SciPy's `pdist` order ((0, 1),
/// (0, 2), …, (1, 2), …): what `kodama::linkage` takes.
pub fn condensed_distances(x: &Matrix) -> Vec<f64> {
    let n = x.rows();
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
    condensed
}
