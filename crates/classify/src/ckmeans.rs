//! Exact optimal 1-D k-means (Fisher 1958, Jenks natural breaks) by dynamic programming with
//! divide-and-conquer row filling (Wang & Song 2011, Ckmeans.1d.dp): O(k·n·log n) time,
//! O(k·n) memory for the back-pointers, on the *distinct* sorted values with their multiplicities.
//!
//! Working on distinct values with weights keeps ties in one class (an optimal partition never needs
//! to split equal values) and makes "every class non-empty" hold by construction.

/// Prefix sums of weight, weighted value and weighted square, shifted by `shift` so that the
/// `q − s²/w` difference loses as few digits as possible (Ckmeans.1d.dp shifts by the median).
struct Prefix {
    /// `(Σw, Σw·x, Σw·x²)` of the first `i` values at index `i`; one array so that a scan over `j`
    /// reads one stream.
    sums: Vec<[f64; 3]>,
}

impl Prefix {
    fn new(xs: &[f64], ws: &[f64]) -> Prefix {
        let n = xs.len();
        let shift = xs[n / 2];
        let mut sums = Vec::with_capacity(n + 1);
        let mut acc = [0.0f64; 3];
        sums.push(acc);
        for (&x, &wt) in xs.iter().zip(ws) {
            let d = x - shift;
            acc[0] += wt;
            acc[1] += wt * d;
            acc[2] += wt * d * d;
            sums.push(acc);
        }
        Prefix { sums }
    }

    /// Within-class sum of squares of the distinct values `j..=i`.
    #[inline]
    fn cost(&self, j: usize, i: usize) -> f64 {
        let (a, b) = (self.sums[j], self.sums[i + 1]);
        let w = b[0] - a[0];
        let s = b[1] - a[1];
        let q = b[2] - a[2];
        (q - s * s / w).max(0.0)
    }
}

/// Partitions the distinct ascending values `xs` (with positive weights `ws`) into `k` contiguous
/// classes minimising the within-class sum of squares. Returns the index of the first value of
/// each class (`starts[0] == 0`, strictly increasing). Requires `1 ≤ k ≤ xs.len()`.
pub(crate) fn ckmeans(xs: &[f64], ws: &[f64], k: usize) -> Vec<usize> {
    let n = xs.len();
    debug_assert!(k >= 1 && k <= n && ws.len() == n);
    if k == 1 {
        return vec![0];
    }
    if k == n {
        return (0..n).collect();
    }
    let p = Prefix::new(xs, ws);
    // prev[i]: optimal cost of values 0..=i in m classes (row m - 1 while filling row m).
    let mut prev: Vec<f64> = (0..n).map(|i| p.cost(0, i)).collect();
    let mut cur = vec![f64::INFINITY; n];
    // back[(m - 1) * n + i]: first index of the last class in the optimum for 0..=i in m + 1 classes.
    let mut back = vec![0u32; (k - 1) * n];
    let mut prev_ihi = n - 1;
    for m in 1..k {
        // Row m needs i ≥ m (m + 1 non-empty classes); the last row needs only i = n - 1, and the
        // other rows only i ≤ n - 1 - (k - 1 - m) so that the remaining classes fit.
        let (ilo, ihi) = if m == k - 1 {
            (n - 1, n - 1)
        } else {
            (m, n - 1 - (k - 1 - m))
        };
        let (done, rest) = back.split_at_mut((m - 1) * n);
        // The last class only shrinks with one class more: opt(m − 1, i) ≤ opt(m, i).
        let floor = if m >= 2 {
            Floor {
                back: &done[(m - 2) * n..],
                ihi: prev_ihi,
            }
        } else {
            Floor { back: &[], ihi: 0 }
        };
        let mut f = Fill {
            p: &p,
            prev: &prev,
            cur: &mut cur,
            back: &mut rest[..n],
            floor,
            m,
        };
        f.fill(ilo, ihi, m, ihi);
        prev_ihi = ihi;
        std::mem::swap(&mut prev, &mut cur);
    }
    let mut starts = vec![0usize; k];
    let mut i = n - 1;
    for m in (1..k).rev() {
        let j = back[(m - 1) * n + i] as usize;
        starts[m] = j;
        i = j - 1;
    }
    starts
}

/// Lower bounds for the split points of a row: the previous row's split points, known for
/// `i ≤ ihi` (none for the first row).
struct Floor<'a> {
    back: &'a [u32],
    ihi: usize,
}

/// One row of the dynamic programme being filled.
struct Fill<'a> {
    p: &'a Prefix,
    prev: &'a [f64],
    cur: &'a mut [f64],
    back: &'a mut [u32],
    floor: Floor<'a>,
    m: usize,
}

impl Fill<'_> {
    /// Fills `cur[i]` for `i` in `ilo..=ihi` knowing that the optimal split point lies in
    /// `jlo..=jhi` (the optimal split is monotone in `i`, Wang & Song 2011, Theorem 2).
    fn fill(&mut self, ilo: usize, ihi: usize, jlo: usize, jhi: usize) {
        if ilo > ihi {
            return;
        }
        let mid = ilo + (ihi - ilo) / 2;
        let mut lo = jlo.max(self.m);
        if mid <= self.floor.ihi
            && let Some(&f) = self.floor.back.get(mid)
        {
            lo = lo.max(f as usize);
        }
        let hi = jhi.min(mid);
        let lo = lo.min(hi);
        let mut best = f64::INFINITY;
        let mut best_j = lo;
        // p.cost(j, mid) inlined over zipped slices: no bounds checks in the hot loop.
        let top = self.p.sums[mid + 1];
        for (j, (&before, a)) in
            (lo..=hi).zip(self.prev[lo - 1..hi].iter().zip(&self.p.sums[lo..=hi]))
        {
            let w = top[0] - a[0];
            let s = top[1] - a[1];
            let q = top[2] - a[2];
            let c = before + (q - s * s / w).max(0.0);
            if c < best {
                best = c;
                best_j = j;
            }
        }
        self.cur[mid] = best;
        self.back[mid] = best_j as u32;
        if mid > ilo {
            self.fill(ilo, mid - 1, jlo, best_j);
        }
        self.fill(mid + 1, ihi, best_j, jhi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_obvious_groups() {
        let xs = [1.0, 2.0, 3.0, 10.0, 11.0, 12.0, 50.0, 51.0];
        let ws = [1.0; 8];
        assert_eq!(ckmeans(&xs, &ws, 3), vec![0, 3, 6]);
        assert_eq!(ckmeans(&xs, &ws, 1), vec![0]);
        assert_eq!(ckmeans(&xs, &ws, 8), (0..8).collect::<Vec<_>>());
    }

    #[test]
    fn weights_pull_the_split() {
        // A heavy end value gets a class of its own.
        let xs = [0.0, 1.0, 2.0];
        assert_eq!(ckmeans(&xs, &[1.0, 1.0, 100.0], 2), vec![0, 2]);
        assert_eq!(ckmeans(&xs, &[100.0, 1.0, 1.0], 2), vec![0, 1]);
    }
}
