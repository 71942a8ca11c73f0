//! The benchmark matrix of `ward.rs`, also included by path from `bench/rust` (so that both, and
//! `ward_scipy.py`, which reimplements it, time the same data).

/// Columns of the matrix.
pub const D: usize = 10;

/// `n` rows of [`D`] SplitMix64 numbers in [0, 1) from `seed`, row `r` shifted by `r % 7` in
/// column `r % D`: rows of clusters that Ward's method has to tell apart. Row-major.
pub fn splitmix_rows(n: usize, seed: u64) -> Vec<f64> {
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
    v
}
