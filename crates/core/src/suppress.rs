//! Statistical confidentiality (Geheimhaltung, METHODS §6): primary and secondary suppression.
//!
//! Cells are counts; equations say that a total equals the sum of its parts (a Stadtteil is the
//! sum of its statistical districts and of the part not assigned to any of them, the city the
//! sum of its Stadtteile, a derived variable the sum of its parts) or a weighted sum (an overlay
//! area such as an Aktionsraum is `Σ share × member` over the areas it overlaps, with the
//! shares as exact fractions). A reader knows every published cell and every equation.
//!
//! 1. **Primary**: a count `0 < n < threshold` is suppressed.
//! 2. **Secondary**: while some equation has exactly one unknown cell and that cell is
//!    suppressed, it could be recomputed (total minus the other parts), so one more cell of that
//!    equation is suppressed: the smallest published part with a value of at least the threshold,
//!    else the smallest positive part, else the smallest part, else the total.
//! 3. **Exact check**: equations can combine (a table with row and column totals, an overlay
//!    and the areas it overlaps), so the unknowns of each connected group of equations are put in
//!    reduced row echelon form in exact rational arithmetic (no floating-point tolerance); a
//!    suppressed cell is derivable exactly when a row of that form names it alone. Such a cell
//!    gets another partner by rule 2 and the check repeats until no suppressed cell is
//!    derivable. Before the elimination, an equation with an unknown that is not suppressed and
//!    occurs in no other equation is set aside: that unknown can absorb any value, so the
//!    equation tells nothing about the other cells (this is exact, and keeps the systems small).
//!    The elimination is sparse (each equation names a few unknowns; a basis of the rows is
//!    kept reduced, with each pivot cell in its own row only, which names the same derivable
//!    cells as the reduced row echelon form), and a group that no partner changed since the
//!    last check keeps its answer. The dense elimination ([`derivable_cells`]) stays as the
//!    reference the tests hold the sparse one to, cell for cell.
//!
//! Cells whose value is unknown anyway (missing, or not published at all) count as unknowns.

use crate::compute::Disclosure;
use num_bigint::BigInt;
use num_rational::{BigRational, Ratio};
use num_traits::{One, Zero};

/// `cells[total] = Σ cells[parts]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    /// The total cell.
    pub total: usize,
    /// The part cells.
    pub parts: Vec<usize>,
}

/// `cells[total] = Σ coefficient × cells[part]`, with exact coefficients: an overlay area as
/// the sum of the shares of its member areas (`Ratio::new(347, 1000)` for a share of 0.347).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WeightedEquation {
    /// The total cell.
    pub total: usize,
    /// The part cells with their coefficients (non-zero).
    pub parts: Vec<(usize, Ratio<i64>)>,
}

impl From<&Equation> for WeightedEquation {
    fn from(e: &Equation) -> Self {
        WeightedEquation {
            total: e.total,
            parts: e.parts.iter().map(|&p| (p, Ratio::one())).collect(),
        }
    }
}

fn weighted(equations: &[Equation]) -> Vec<WeightedEquation> {
    equations.iter().map(WeightedEquation::from).collect()
}

/// Decides the disclosure of every cell. `values[i]` is `None` when the cell is unknown to a
/// reader anyway; `thresholds[i]` is the primary threshold of the cell (0: never suppressed).
/// Returns `None` for unknown cells.
///
/// ```
/// use sozialatlas_core::suppress::{suppress, Equation};
/// use sozialatlas_core::compute::Disclosure::*;
/// // city = A + B + C, A = 2 is primary; B (the smallest other part ≥ 3) goes with it.
/// let v = [Some(30.0), Some(2.0), Some(5.0), Some(23.0)];
/// let eq = [Equation { total: 0, parts: vec![1, 2, 3] }];
/// let d = suppress(&v, &[3; 4], &eq);
/// assert_eq!(d, vec![Some(Open), Some(Primary), Some(Secondary), Some(Open)]);
/// ```
pub fn suppress(
    values: &[Option<f64>],
    thresholds: &[u32],
    equations: &[Equation],
) -> Vec<Option<Disclosure>> {
    suppress_weighted(values, thresholds, &weighted(equations))
}

/// [`suppress`] with weighted equations (overlays made of shares of areas).
///
/// ```
/// use num_rational::Ratio;
/// use sozialatlas_core::suppress::{suppress_weighted, WeightedEquation};
/// use sozialatlas_core::compute::Disclosure::*;
/// // overlay = A + ½·B; A = 2 is primary: with the overlay and B published, A = overlay − ½·B.
/// let v = [Some(12.0), Some(2.0), Some(20.0)];
/// let eq = [WeightedEquation { total: 0, parts: vec![(1, Ratio::from_integer(1)), (2, Ratio::new(1, 2))] }];
/// let d = suppress_weighted(&v, &[3; 3], &eq);
/// assert_eq!(d, vec![Some(Open), Some(Primary), Some(Secondary)]);
/// ```
pub fn suppress_weighted(
    values: &[Option<f64>],
    thresholds: &[u32],
    equations: &[WeightedEquation],
) -> Vec<Option<Disclosure>> {
    let mut d = primary(values, thresholds);
    if !d.contains(&Some(Disclosure::Primary)) {
        return d;
    }
    let mut solver = SparseSolver::default();
    secondary(values, thresholds, equations, &mut d, &mut |eqs, d| {
        solver.derivable(eqs, d)
    });
    d
}

/// Rule 1: the primary cells; the other known cells open.
fn primary(values: &[Option<f64>], thresholds: &[u32]) -> Vec<Option<Disclosure>> {
    values
        .iter()
        .zip(thresholds)
        .map(|(v, &t)| {
            v.map(|x| {
                if t > 0 && x > 0.0 && x < f64::from(t) {
                    Disclosure::Primary
                } else {
                    Disclosure::Open
                }
            })
        })
        .collect()
}

/// A check that lists the derivable suppressed cells.
type Derivable<'a> = dyn FnMut(&[WeightedEquation], &[Option<Disclosure>]) -> Vec<usize> + 'a;

/// Rules 2 and 3 on `d` (primary cells marked): partners until no suppressed cell is
/// derivable, by `derivable` (the sparse solver; the dense [`derivable_cells_weighted`] in the
/// tests, which must give the same cells).
fn secondary(
    values: &[Option<f64>],
    thresholds: &[u32],
    equations: &[WeightedEquation],
    d: &mut [Option<Disclosure>],
    derivable: &mut Derivable<'_>,
) {
    let mut by_cell: Vec<Vec<usize>> = vec![Vec::new(); values.len()];
    for (i, e) in equations.iter().enumerate() {
        by_cell[e.total].push(i);
        for p in &e.parts {
            by_cell[p.0].push(i);
        }
    }
    loop {
        let mut changed = single_unknown_pass(values, thresholds, equations, d);
        if !changed {
            for cell in derivable(equations, d) {
                if let Some(partner) = partner_for(values, thresholds, equations, &by_cell, d, cell)
                {
                    d[partner] = Some(Disclosure::Secondary);
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            return;
        }
    }
}

/// A partner for a derivable cell: from the equations that contain it, else from the equations
/// linked to them through unknown cells (nearest first) — a cell can be derivable through a
/// chain of equations whose own cells are all withheld already.
fn partner_for(
    values: &[Option<f64>],
    thresholds: &[u32],
    equations: &[WeightedEquation],
    by_cell: &[Vec<usize>],
    d: &[Option<Disclosure>],
    cell: usize,
) -> Option<usize> {
    let mut seen = vec![false; equations.len()];
    let mut queue: std::collections::VecDeque<usize> = by_cell[cell].iter().copied().collect();
    for &e in &queue {
        seen[e] = true;
    }
    while let Some(e) = queue.pop_front() {
        let eq = &equations[e];
        if let Some(p) = pick_partner(values, thresholds, eq, d) {
            return Some(p);
        }
        for c in std::iter::once(eq.total).chain(eq.parts.iter().map(|p| p.0)) {
            if is_unknown(d, c) {
                for &next in &by_cell[c] {
                    if !seen[next] {
                        seen[next] = true;
                        queue.push_back(next);
                    }
                }
            }
        }
    }
    None
}

fn is_unknown(d: &[Option<Disclosure>], i: usize) -> bool {
    !matches!(d[i], Some(Disclosure::Open))
}

fn is_suppressed(d: &[Option<Disclosure>], i: usize) -> bool {
    matches!(d[i], Some(Disclosure::Primary | Disclosure::Secondary))
}

fn single_unknown_pass(
    values: &[Option<f64>],
    thresholds: &[u32],
    equations: &[WeightedEquation],
    d: &mut [Option<Disclosure>],
) -> bool {
    let mut changed = false;
    loop {
        let mut round = false;
        for eq in equations {
            let members = std::iter::once(eq.total).chain(eq.parts.iter().map(|p| p.0));
            let unknown: Vec<usize> = members.filter(|&i| is_unknown(d, i)).collect();
            if unknown.len() == 1
                && is_suppressed(d, unknown[0])
                && let Some(p) = pick_partner(values, thresholds, eq, d)
            {
                d[p] = Some(Disclosure::Secondary);
                round = true;
            }
        }
        if !round {
            return changed;
        }
        changed = true;
    }
}

/// The cell of `eq` to suppress next: the smallest published part ≥ its threshold, else the
/// smallest positive part, else the smallest part, else the total.
fn pick_partner(
    values: &[Option<f64>],
    thresholds: &[u32],
    eq: &WeightedEquation,
    d: &[Option<Disclosure>],
) -> Option<usize> {
    let open: Vec<(usize, f64)> = eq
        .parts
        .iter()
        .map(|p| p.0)
        .filter(|&i| d[i] == Some(Disclosure::Open))
        .filter_map(|i| values[i].map(|v| (i, v)))
        .collect();
    let smallest = |f: &dyn Fn(&(usize, f64)) -> bool| {
        open.iter()
            .filter(|c| f(c))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
            .map(|c| c.0)
    };
    smallest(&|c| c.1 >= f64::from(thresholds[c.0].max(1)))
        .or_else(|| smallest(&|c| c.1 > 0.0))
        .or_else(|| smallest(&|_| true))
        .or_else(|| (d[eq.total] == Some(Disclosure::Open)).then_some(eq.total))
}

/// Suppressed cells that a reader could compute exactly from the published cells and the
/// equations (exact Gaussian elimination per connected group of unknowns).
pub fn derivable_cells(equations: &[Equation], d: &[Option<Disclosure>]) -> Vec<usize> {
    derivable_cells_weighted(&weighted(equations), d)
}

/// [`derivable_cells`] for weighted equations: the reference (dense elimination of each group),
/// which the sparse solver of [`suppress_weighted`] is tested against.
pub fn derivable_cells_weighted(
    equations: &[WeightedEquation],
    d: &[Option<Disclosure>],
) -> Vec<usize> {
    let (eq_unknowns, groups) = groups(equations, d);
    let mut out = Vec::new();
    for (eqs, cols) in groups {
        let col_of = |cell: usize| cols.binary_search(&cell).unwrap_or(0);
        let mut rows: Vec<Vec<BigRational>> = eqs
            .iter()
            .map(|&e| {
                let mut r = vec![BigRational::zero(); cols.len()];
                for &(cell, coef) in &eq_unknowns[e] {
                    r[col_of(cell)] += rational(coef);
                }
                r
            })
            .collect();
        rref(&mut rows);
        for r in &rows {
            let mut nz = (0..r.len()).filter(|&j| !r[j].is_zero());
            if let (Some(j), None) = (nz.next(), nz.next())
                && is_suppressed(d, cols[j])
            {
                out.push(cols[j]);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn rational(x: Ratio<i64>) -> BigRational {
    BigRational::new(BigInt::from(*x.numer()), BigInt::from(*x.denom()))
}

/// The unknowns of each equation with their coefficients (total +1, parts −coefficient), and
/// the connected groups of equations (linked by shared unknowns) that hold a suppressed cell:
/// (the group's equations, its unknown cells sorted). Equations with a free unknown (not
/// suppressed, in no other equation) are set aside first, until none is left.
type Groups = (Vec<Vec<(usize, Ratio<i64>)>>, Vec<(Vec<usize>, Vec<usize>)>);

fn groups(equations: &[WeightedEquation], d: &[Option<Disclosure>]) -> Groups {
    let n = d.len();
    // The unknowns of each equation with their coefficients (total +1, parts −coefficient).
    let mut eq_unknowns: Vec<Vec<(usize, Ratio<i64>)>> = equations
        .iter()
        .map(|e| {
            let mut u: Vec<(usize, Ratio<i64>)> = Vec::new();
            if is_unknown(d, e.total) {
                u.push((e.total, Ratio::one()));
            }
            for &(p, c) in &e.parts {
                if is_unknown(d, p) && !c.is_zero() {
                    u.push((p, -c));
                }
            }
            u
        })
        .collect();
    // Set aside equations with a free unknown (not suppressed, in no other equation), until
    // none is left.
    let mut occurrences = vec![0usize; n];
    for u in &eq_unknowns {
        for &(c, _) in u {
            occurrences[c] += 1;
        }
    }
    loop {
        let mut removed = false;
        for u in eq_unknowns.iter_mut() {
            if !u.is_empty()
                && u.iter()
                    .any(|&(c, _)| occurrences[c] == 1 && !is_suppressed(d, c))
            {
                for &(c, _) in u.iter() {
                    occurrences[c] -= 1;
                }
                u.clear();
                removed = true;
            }
        }
        if !removed {
            break;
        }
    }
    // Union-find over unknown cells that share an equation.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for u in &eq_unknowns {
        for w in u.windows(2) {
            let (a, b) = (find(&mut parent, w[0].0), find(&mut parent, w[1].0));
            if a != b {
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    for (ei, u) in eq_unknowns.iter().enumerate() {
        if let Some(&(first, _)) = u.first() {
            let root = find(&mut parent, first);
            groups.entry(root).or_default().push(ei);
        }
    }
    let mut roots: Vec<usize> = groups.keys().copied().collect();
    roots.sort_unstable();
    let mut out = Vec::new();
    for root in roots {
        let eqs = groups.remove(&root).unwrap_or_default();
        let mut cols: Vec<usize> = eqs
            .iter()
            .flat_map(|&e| eq_unknowns[e].iter().map(|c| c.0))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        if cols.iter().any(|&c| is_suppressed(d, c)) {
            out.push((eqs, cols));
        }
    }
    (eq_unknowns, out)
}

/// Exact numbers for the sparse elimination: fractions of `i128` that give up on overflow
/// (the group is then solved again in big rationals), and big rationals.
trait Exact: Clone + Zero {
    fn from_ratio(x: Ratio<i64>) -> Self;
    /// `a − f·b`, or `None` on overflow.
    fn sub_mul(a: &Self, f: &Self, b: &Self) -> Option<Self>;
    /// `a / b` (`b` not zero), or `None` on overflow.
    fn div(a: &Self, b: &Self) -> Option<Self>;
}

impl Exact for Ratio<i128> {
    fn from_ratio(x: Ratio<i64>) -> Self {
        Ratio::new(i128::from(*x.numer()), i128::from(*x.denom()))
    }
    fn sub_mul(a: &Self, f: &Self, b: &Self) -> Option<Self> {
        use num_traits::{CheckedMul, CheckedSub};
        a.checked_sub(&f.checked_mul(b)?)
    }
    fn div(a: &Self, b: &Self) -> Option<Self> {
        use num_traits::CheckedDiv;
        a.checked_div(b)
    }
}

impl Exact for BigRational {
    fn from_ratio(x: Ratio<i64>) -> Self {
        rational(x)
    }
    fn sub_mul(a: &Self, f: &Self, b: &Self) -> Option<Self> {
        Some(a - f * b)
    }
    fn div(a: &Self, b: &Self) -> Option<Self> {
        Some(a / b)
    }
}

/// A sparse row: (cell, coefficient), sorted by cell, no zero coefficients.
type Row<T> = Vec<(usize, T)>;

/// `a − f·b`, or `None` on overflow.
fn sub_multiple<T: Exact>(a: &Row<T>, f: &T, b: &Row<T>) -> Option<Row<T>> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i].0 < b[j].0) {
            out.push(a[i].clone());
            i += 1;
        } else if i == a.len() || b[j].0 < a[i].0 {
            out.push((b[j].0, T::sub_mul(&T::zero(), f, &b[j].1)?));
            j += 1;
        } else {
            let x = T::sub_mul(&a[i].1, f, &b[j].1)?;
            if !x.is_zero() {
                out.push((a[i].0, x));
            }
            i += 1;
            j += 1;
        }
    }
    Some(out)
}

fn coefficient<T>(r: &Row<T>, cell: usize) -> Option<&T> {
    r.binary_search_by_key(&cell, |x| x.0).ok().map(|i| &r[i].1)
}

/// A group as the check sees it: its equations, and its unknown cells with whether each is
/// suppressed.
type GroupKey = (Vec<usize>, Vec<(usize, bool)>);

/// The derivable cells of each group by sparse elimination, each group's answer kept for the
/// next call: a partner changes the group it joins, and the others are not solved again.
#[derive(Default)]
struct SparseSolver {
    /// (the group's equations, its unknown cells and whether each is suppressed) → its
    /// derivable cells; the groups of the last call only.
    known: std::collections::HashMap<GroupKey, Vec<usize>>,
}

impl SparseSolver {
    fn derivable(
        &mut self,
        equations: &[WeightedEquation],
        d: &[Option<Disclosure>],
    ) -> Vec<usize> {
        let (eq_unknowns, groups) = groups(equations, d);
        let mut known = std::collections::HashMap::new();
        let mut out = Vec::new();
        for (eqs, cols) in groups {
            let key = (
                eqs,
                cols.iter().map(|&c| (c, is_suppressed(d, c))).collect(),
            );
            let cells = match self.known.remove(&key) {
                Some(cells) => cells,
                None => sparse_derivable::<Ratio<i128>>(&key.0, &eq_unknowns, d)
                    .or_else(|| sparse_derivable::<BigRational>(&key.0, &eq_unknowns, d))
                    .expect("big rationals do not overflow"),
            };
            out.extend_from_slice(&cells);
            known.insert(key, cells);
        }
        self.known = known;
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The suppressed cells that the equations `eqs` fix alone: a basis of the rows' span is kept
/// reduced (each pivot cell in its own row only); a cell is fixed exactly when a basis row names
/// it alone — the same cells as the rows of the reduced row echelon form, without the dense
/// rows.
fn sparse_derivable<T: Exact>(
    eqs: &[usize],
    eq_unknowns: &[Vec<(usize, Ratio<i64>)>],
    d: &[Option<Disclosure>],
) -> Option<Vec<usize>> {
    use std::collections::HashMap;
    let mut basis: Vec<(usize, Row<T>)> = Vec::new();
    let mut pivot_of: HashMap<usize, usize> = HashMap::new();
    // The basis rows that hold a cell (some may hold it no more).
    let mut holding: HashMap<usize, Vec<usize>> = HashMap::new();
    for &e in eqs {
        let mut r: Row<T> = Vec::new();
        let mut terms = eq_unknowns[e].clone();
        terms.sort_unstable_by_key(|t| t.0);
        for (cell, coef) in terms {
            match r.last_mut() {
                Some(last) if last.0 == cell => {
                    last.1 =
                        T::sub_mul(&last.1, &T::from_ratio(-coef), &T::from_ratio(Ratio::one()))?
                }
                _ => r.push((cell, T::from_ratio(coef))),
            }
        }
        r.retain(|x| !x.1.is_zero());
        let pivots: Vec<usize> = r
            .iter()
            .filter_map(|x| pivot_of.get(&x.0).copied())
            .collect();
        for bi in pivots {
            let (p, row) = &basis[bi];
            if let Some(f) = coefficient(&r, *p).cloned() {
                r = sub_multiple(&r, &f, row)?;
            }
        }
        if r.is_empty() {
            continue;
        }
        // The pivot held by the fewest rows, to keep the rows sparse.
        let p = r
            .iter()
            .map(|x| x.0)
            .min_by_key(|c| (holding.get(c).map_or(0, Vec::len), *c))
            .expect("a non-empty row");
        let pv = coefficient(&r, p).expect("the pivot is in the row").clone();
        for x in r.iter_mut() {
            x.1 = T::div(&x.1, &pv)?;
        }
        for bi in holding.remove(&p).unwrap_or_default() {
            let Some(f) = coefficient(&basis[bi].1, p).cloned() else {
                continue;
            };
            let row = sub_multiple(&basis[bi].1, &f, &r)?;
            for x in &row {
                if coefficient(&basis[bi].1, x.0).is_none() {
                    holding.entry(x.0).or_default().push(bi);
                }
            }
            basis[bi].1 = row;
        }
        let bi = basis.len();
        for x in &r {
            holding.entry(x.0).or_default().push(bi);
        }
        pivot_of.insert(p, bi);
        basis.push((p, r));
    }
    Some(
        basis
            .iter()
            .filter(|(p, r)| r.len() == 1 && is_suppressed(d, *p))
            .map(|(p, _)| *p)
            .collect(),
    )
}

/// Reduced row echelon form in place, in exact rational arithmetic.
fn rref(rows: &mut [Vec<BigRational>]) {
    let (m, n) = (rows.len(), rows.first().map_or(0, Vec::len));
    let mut r = 0;
    for c in 0..n {
        if r == m {
            break;
        }
        let Some(piv) = (r..m).find(|&i| !rows[i][c].is_zero()) else {
            continue;
        };
        rows.swap(r, piv);
        let pv = rows[r][c].clone();
        for x in rows[r].iter_mut() {
            if !x.is_zero() {
                *x /= &pv;
            }
        }
        let (before, rest) = rows.split_at_mut(r);
        let (pivot_row, after) = rest.split_first_mut().expect("row r exists");
        for other in before.iter_mut().chain(after.iter_mut()) {
            if other[c].is_zero() {
                continue;
            }
            let f = other[c].clone();
            for (x, p) in other.iter_mut().zip(pivot_row.iter()) {
                if !p.is_zero() {
                    *x -= &f * p;
                }
            }
        }
        r += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Disclosure::*;

    #[test]
    fn single_primary_gets_a_partner() {
        let v = [Some(30.0), Some(2.0), Some(5.0), Some(23.0)];
        let eq = [Equation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let d = suppress(&v, &[3; 4], &eq);
        assert_eq!(
            d,
            vec![Some(Open), Some(Primary), Some(Secondary), Some(Open)]
        );
    }

    #[test]
    fn zero_is_published_and_not_a_preferred_partner() {
        let v = [Some(10.0), Some(1.0), Some(0.0), Some(9.0)];
        let eq = [Equation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let d = suppress(&v, &[3; 4], &eq);
        assert_eq!(
            d,
            vec![Some(Open), Some(Primary), Some(Open), Some(Secondary)]
        );
    }

    #[test]
    fn missing_part_already_protects() {
        let v = [Some(10.0), Some(1.0), None, Some(9.0)];
        let eq = [Equation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let d = suppress(&v, &[3; 4], &eq);
        assert_eq!(d, vec![Some(Open), Some(Primary), None, Some(Open)]);
    }

    #[test]
    fn two_level_hierarchy_cascades() {
        // city(0) = D1(1) + D2(2); D1 = a(3) + b(4); D2 = c(5) + e(6)
        // a = 1 primary → b secondary; fine at D1. Then nothing else.
        // c = 2 primary → e secondary.
        let v = [
            Some(40.0),
            Some(11.0),
            Some(29.0),
            Some(1.0),
            Some(10.0),
            Some(2.0),
            Some(27.0),
        ];
        let eqs = [
            Equation {
                total: 0,
                parts: vec![1, 2],
            },
            Equation {
                total: 1,
                parts: vec![3, 4],
            },
            Equation {
                total: 2,
                parts: vec![5, 6],
            },
        ];
        let d = suppress(&v, &[3; 7], &eqs);
        assert_eq!(d[3], Some(Primary));
        assert_eq!(d[4], Some(Secondary));
        assert_eq!(d[5], Some(Primary));
        assert_eq!(d[6], Some(Secondary));
        assert!(derivable_cells(&eqs, &d).is_empty());
    }

    #[test]
    fn suppressed_total_protected_by_a_part() {
        // total 2 = 1 + 1 + 0: all small; the total is primary and so are the parts.
        let v = [Some(2.0), Some(1.0), Some(1.0), Some(0.0)];
        let eq = [Equation {
            total: 0,
            parts: vec![1, 2, 3],
        }];
        let d = suppress(&v, &[3; 4], &eq);
        assert_eq!(d[0], Some(Primary));
        assert!(derivable_cells(&eq, &d).is_empty());
    }

    #[test]
    fn two_way_table() {
        // rows r1 = x11 + x12, r2 = x21 + x22; columns c1 = x11 + x21, c2 = x12 + x22
        // cells: 0 r1, 1 r2, 2 c1, 3 c2, 4 x11, 5 x12, 6 x21, 7 x22
        let v = [
            Some(12.0),
            Some(20.0),
            Some(11.0),
            Some(21.0),
            Some(1.0),
            Some(11.0),
            Some(10.0),
            Some(10.0),
        ];
        let eqs = [
            Equation {
                total: 0,
                parts: vec![4, 5],
            },
            Equation {
                total: 1,
                parts: vec![6, 7],
            },
            Equation {
                total: 2,
                parts: vec![4, 6],
            },
            Equation {
                total: 3,
                parts: vec![5, 7],
            },
        ];
        let d = suppress(&v, &[3; 8], &eqs);
        assert_eq!(d[4], Some(Primary));
        assert!(derivable_cells(&eqs, &d).is_empty());
    }

    fn w(total: usize, parts: &[(usize, i64, i64)]) -> WeightedEquation {
        WeightedEquation {
            total,
            parts: parts
                .iter()
                .map(|&(c, n, d)| (c, Ratio::new(n, d)))
                .collect(),
        }
    }

    #[test]
    fn a_split_member_gets_a_partner() {
        // overlay(0) = a(1) + ½ b(2); a = 2 is primary, so the overlay or b must go too.
        let v = [Some(12.0), Some(2.0), Some(20.0)];
        let eqs = [w(0, &[(1, 1, 1), (2, 1, 2)])];
        let d = suppress_weighted(&v, &[3; 3], &eqs);
        assert_eq!(d, vec![Some(Open), Some(Primary), Some(Secondary)]);
        assert!(derivable_cells_weighted(&eqs, &d).is_empty());
    }

    #[test]
    fn exact_thirds() {
        // o1 = ⅓a + ⅔b, o2 = ⅔a + ⅓b (shares to six decimals): with both overlays published, a
        // and b follow (the determinant is −⅓, not zero); with one withheld they do not.
        let third = (333_333, 1_000_000);
        let two = (666_667, 1_000_000);
        let eqs = [
            w(0, &[(2, third.0, third.1), (3, two.0, two.1)]),
            w(1, &[(2, two.0, two.1), (3, third.0, third.1)]),
        ];
        let both = [Some(Open), Some(Open), Some(Primary), Some(Primary)];
        assert_eq!(derivable_cells_weighted(&eqs, &both), vec![2, 3]);
        let one = [Some(Open), Some(Secondary), Some(Primary), Some(Primary)];
        assert!(derivable_cells_weighted(&eqs, &one).is_empty());
        // The same shares twice make the system singular: nothing follows.
        let same = [
            w(0, &[(2, third.0, third.1), (3, two.0, two.1)]),
            w(1, &[(2, third.0, third.1), (3, two.0, two.1)]),
        ];
        assert!(derivable_cells_weighted(&same, &both).is_empty());
    }

    #[test]
    fn a_free_unknown_sets_its_equation_aside() {
        // t(0) = a(1) + m(2), m missing and in no other equation: a (suppressed) stays
        // underivable; with a second equation b(3) = m, m is pinned and a follows.
        let d = [Some(Open), Some(Primary), None, Some(Open)];
        let one = [Equation {
            total: 0,
            parts: vec![1, 2],
        }];
        assert!(derivable_cells(&one, &d).is_empty());
        let two = [
            one[0].clone(),
            Equation {
                total: 3,
                parts: vec![2],
            },
        ];
        assert_eq!(derivable_cells(&two, &d), vec![1]);
    }

    /// Whether `cell` is fixed by the equations and the published cells, by an independent
    /// route: its column does not lie in the span of the other unknowns' columns (rank test).
    fn determined(eqs: &[WeightedEquation], d: &[Option<Disclosure>], cell: usize) -> bool {
        let unknown: Vec<usize> = (0..d.len()).filter(|&i| is_unknown(d, i)).collect();
        let rows = |skip: Option<usize>| -> Vec<Vec<BigRational>> {
            eqs.iter()
                .map(|e| {
                    let cols: Vec<usize> = unknown
                        .iter()
                        .copied()
                        .filter(|&c| Some(c) != skip)
                        .collect();
                    let mut r = vec![BigRational::zero(); cols.len()];
                    let mut add = |c: usize, x: Ratio<i64>| {
                        if let Some(i) = cols.iter().position(|&k| k == c) {
                            r[i] += BigRational::new((*x.numer()).into(), (*x.denom()).into());
                        }
                    };
                    add(e.total, Ratio::one());
                    for &(p, x) in &e.parts {
                        add(p, -x);
                    }
                    r
                })
                .collect()
        };
        crate::testing::rank(rows(None)) == crate::testing::rank(rows(Some(cell))) + 1
    }

    /// [`suppress_weighted`] with the dense elimination as the check (the reference).
    fn suppress_dense(
        values: &[Option<f64>],
        thresholds: &[u32],
        eqs: &[WeightedEquation],
    ) -> Vec<Option<Disclosure>> {
        let mut d = primary(values, thresholds);
        secondary(
            values,
            thresholds,
            eqs,
            &mut d,
            &mut derivable_cells_weighted,
        );
        d
    }

    /// A random city of `blocks` (cells per block, each cell's two counts a and b): cells →
    /// blocks → city for a, b and their sum s = a + b, each total with a part not assigned to a
    /// block or cell when `rest` says so. Returns the values and equations.
    fn hierarchy(
        blocks: &[Vec<(u32, u32)>],
        rest: &[u32],
        missing: &[usize],
    ) -> (Vec<Option<f64>>, Vec<WeightedEquation>) {
        let mut values: Vec<Option<f64>> = Vec::new();
        let mut eqs = Vec::new();
        let cell = |values: &mut Vec<Option<f64>>, x: f64| {
            values.push(Some(x));
            values.len() - 1
        };
        // ids[var][area]: area 0 the city, then per block the block and its cells.
        let mut ids: [Vec<usize>; 3] = Default::default();
        let mut city = [0.0; 3];
        let mut city_parts: [Vec<usize>; 3] = Default::default();
        let mut r = rest.iter().cycle();
        for cells in blocks {
            let mut sums = [0.0; 3];
            let mut parts: [Vec<usize>; 3] = Default::default();
            for &(a, b) in cells {
                for (v, x) in [a, b, a + b].into_iter().enumerate() {
                    let id = cell(&mut values, f64::from(x));
                    ids[v].push(id);
                    parts[v].push(id);
                    sums[v] += f64::from(x);
                }
            }
            // A part not assigned to any cell, of a and of b; the sum's is theirs.
            let (ra, rb) = (*r.next().unwrap_or(&0), *r.next().unwrap_or(&0));
            for (v, extra) in [ra, rb, ra + rb].into_iter().enumerate() {
                let extra = f64::from(extra);
                if extra > 0.0 {
                    parts[v].push(cell(&mut values, extra));
                }
                let total = cell(&mut values, sums[v] + extra);
                ids[v].push(total);
                city_parts[v].push(total);
                city[v] += sums[v] + extra;
                eqs.push(WeightedEquation {
                    total,
                    parts: parts[v].iter().map(|&p| (p, Ratio::one())).collect(),
                });
            }
        }
        for v in 0..3 {
            let total = cell(&mut values, city[v]);
            ids[v].push(total);
            eqs.push(WeightedEquation {
                total,
                parts: city_parts[v].iter().map(|&p| (p, Ratio::one())).collect(),
            });
        }
        // s = a + b for every area (cells, blocks, city): ids are pushed in the same order.
        for ((&s, &a), &b) in ids[2].iter().zip(&ids[0]).zip(&ids[1]) {
            eqs.push(WeightedEquation {
                total: s,
                parts: vec![(a, Ratio::one()), (b, Ratio::one())],
            });
        }
        for &m in missing {
            let i = m % values.len();
            values[i] = None;
        }
        (values, eqs)
    }

    proptest::proptest! {
        /// Random three-level tables (cells, blocks, city) of two counts and their sum, with
        /// parts not assigned and missing cells: the sparse solver's suppression is the dense
        /// one's, cell for cell (so no published cell changes), the dense elimination derives
        /// no suppressed cell from it, and every primary cell stays suppressed.
        #[test]
        fn sparse_solver_matches_the_dense_reference(
            blocks in proptest::collection::vec(
                proptest::collection::vec((0u32..7, 0u32..7), 1..6), 1..5),
            rest in proptest::collection::vec(0u32..3, 1..4),
            missing in proptest::collection::vec(0usize..200, 0..3),
        ) {
            let (values, eqs) = hierarchy(&blocks, &rest, &missing);
            let th = vec![3; values.len()];
            let fast = suppress_weighted(&values, &th, &eqs);
            let dense = suppress_dense(&values, &th, &eqs);
            proptest::prop_assert_eq!(&fast, &dense);
            proptest::prop_assert!(derivable_cells_weighted(&eqs, &fast).is_empty());
            for (i, v) in values.iter().enumerate() {
                if let Some(x) = v && *x > 0.0 && *x < 3.0 {
                    proptest::prop_assert!(matches!(fast[i], Some(Primary)));
                }
            }
        }

        /// The sparse elimination finds the dense one's derivable cells for any marking of
        /// the cells (not only those the loop reaches).
        #[test]
        fn sparse_elimination_finds_the_dense_cells(
            blocks in proptest::collection::vec(
                proptest::collection::vec((0u32..7, 0u32..7), 1..5), 1..4),
            marks in proptest::collection::vec(0u8..4, 1..80),
        ) {
            let (values, eqs) = hierarchy(&blocks, &[1, 0], &[]);
            let d: Vec<Option<Disclosure>> = (0..values.len())
                .map(|i| match marks[i % marks.len()] {
                    0 => Some(Primary),
                    1 => Some(Secondary),
                    2 => None,
                    _ => Some(Open),
                })
                .collect();
            let mut solver = SparseSolver::default();
            proptest::prop_assert_eq!(solver.derivable(&eqs, &d), derivable_cells_weighted(&eqs, &d));
        }

        /// Random two-level hierarchies with two variables linked by a derived sum: no
        /// suppressed cell is ever derivable, and every primary cell stays suppressed.
        #[test]
        fn never_derivable(parts in proptest::collection::vec(proptest::collection::vec(0u32..8, 1..5), 1..5)) {
            // cells: city, districts, leaves
            let mut values = vec![None];
            let mut eqs = Vec::new();
            let mut city_parts = Vec::new();
            let mut city_sum = 0.0;
            for leaves in &parts {
                let di = values.len();
                values.push(None);
                city_parts.push(di);
                let mut ps = Vec::new();
                let mut s = 0.0;
                for &x in leaves {
                    ps.push(values.len());
                    values.push(Some(f64::from(x)));
                    s += f64::from(x);
                }
                values[di] = Some(s);
                city_sum += s;
                eqs.push(Equation { total: di, parts: ps });
            }
            values[0] = Some(city_sum);
            eqs.push(Equation { total: 0, parts: city_parts });
            let th = vec![3; values.len()];
            let d = suppress(&values, &th, &eqs);
            proptest::prop_assert!(derivable_cells(&eqs, &d).is_empty());
            for (i, v) in values.iter().enumerate() {
                if let Some(x) = v && *x > 0.0 && *x < 3.0 {
                    proptest::prop_assert!(matches!(d[i], Some(Primary)));
                }
            }
        }

        /// The same hierarchies with an overlay over some leaves, with shares of ½, ¼, ⅓ (to
        /// six decimals) or 1: no suppressed cell is determined by the equations, checked by a
        /// rank test independent of the elimination above.
        #[test]
        fn overlays_never_reveal(
            parts in proptest::collection::vec(proptest::collection::vec(0u32..8, 1..4), 1..4),
            members in proptest::collection::vec((0usize..12, 0usize..4), 1..5),
        ) {
            const SHARES: [(i64, i64); 4] = [(1, 2), (1, 4), (333_333, 1_000_000), (1, 1)];
            let mut values = vec![None];
            let mut eqs = Vec::new();
            let mut city_parts = Vec::new();
            let mut leaves = Vec::new();
            let mut city_sum = 0.0;
            for ls in &parts {
                let di = values.len();
                values.push(None);
                city_parts.push((di, Ratio::one()));
                let mut ps = Vec::new();
                let mut s = 0.0;
                for &x in ls {
                    leaves.push(values.len());
                    ps.push((values.len(), Ratio::one()));
                    values.push(Some(f64::from(x)));
                    s += f64::from(x);
                }
                values[di] = Some(s);
                city_sum += s;
                eqs.push(WeightedEquation { total: di, parts: ps });
            }
            values[0] = Some(city_sum);
            eqs.push(WeightedEquation { total: 0, parts: city_parts });
            let mut terms: Vec<(usize, Ratio<i64>)> = Vec::new();
            for &(leaf, share) in &members {
                let leaf = leaves[leaf % leaves.len()];
                if terms.iter().any(|t| t.0 == leaf) {
                    continue;
                }
                let (n, d) = SHARES[share];
                terms.push((leaf, Ratio::new(n, d)));
            }
            let overlay: f64 = terms
                .iter()
                .map(|(c, x)| values[*c].unwrap() * (*x.numer() as f64) / (*x.denom() as f64))
                .sum();
            let o = values.len();
            values.push(Some(overlay));
            eqs.push(WeightedEquation { total: o, parts: terms });
            let th = vec![3; values.len()];
            let d = suppress_weighted(&values, &th, &eqs);
            proptest::prop_assert_eq!(&d, &suppress_dense(&values, &th, &eqs));
            for (i, v) in values.iter().enumerate() {
                if let Some(x) = v && *x > 0.0 && *x < 3.0 {
                    proptest::prop_assert!(matches!(d[i], Some(Primary)));
                }
                if is_suppressed(&d, i) {
                    proptest::prop_assert!(!determined(&eqs, &d, i), "cell {} is determined: {:?}", i, d);
                }
            }
            proptest::prop_assert!(derivable_cells_weighted(&eqs, &d).is_empty());
        }
    }
}
