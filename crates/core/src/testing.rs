//! Helpers of the unit tests.

use num_rational::BigRational;
use num_traits::Zero;

/// The rank of a matrix, by Gaussian elimination in exact rational arithmetic: the tests' own
/// route to "is a cell determined by the equations", independent of [`crate::suppress`]'s
/// reduced row echelon form.
pub fn rank(mut m: Vec<Vec<BigRational>>) -> usize {
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| !m[i][c].is_zero()) else {
            continue;
        };
        m.swap(r, p);
        let (top, rest) = m.split_at_mut(r + 1);
        let pivot = &top[r];
        for row in rest {
            let f = &row[c] / &pivot[c];
            for (x, p) in row.iter_mut().zip(pivot) {
                *x -= &f * p;
            }
        }
        r += 1;
    }
    r
}
