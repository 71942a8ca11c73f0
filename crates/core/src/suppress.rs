//! Statistical confidentiality (Geheimhaltung, METHODS §6): primary and secondary suppression.
//!
//! Cells are counts; equations say that a total equals the sum of its parts (a Stadtteil is the
//! sum of its statistical districts, the city the sum of its Stadtteile, a derived variable the
//! sum of its parts). A reader knows every published cell and every equation.
//!
//! 1. **Primary**: a count `0 < n < threshold` is suppressed.
//! 2. **Secondary**: while some equation has exactly one unknown cell and that cell is
//!    suppressed, it could be recomputed (total minus the other parts), so one more cell of that
//!    equation is suppressed: the smallest published part with a value of at least the threshold,
//!    else the smallest positive part, else the smallest part, else the total.
//! 3. **Exact check**: equations can combine (a table with row and column totals), so the
//!    unknowns of each connected group of equations are put in reduced row echelon form; a
//!    suppressed cell is derivable exactly when a row of that form names it alone. Such a cell
//!    gets another partner by rule 2 and the check repeats until no suppressed cell is derivable.
//!
//! Cells whose value is unknown anyway (missing, or not published at all) count as unknowns.

use crate::compute::Disclosure;

/// `cells[total] = Σ cells[parts]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Equation {
    /// The total cell.
    pub total: usize,
    /// The part cells.
    pub parts: Vec<usize>,
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
    let mut d: Vec<Option<Disclosure>> = values
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
        .collect();
    if !d.contains(&Some(Disclosure::Primary)) {
        return d;
    }
    loop {
        let mut changed = single_unknown_pass(values, thresholds, equations, &mut d);
        if !changed {
            for cell in derivable_cells(equations, &d) {
                if let Some(eq) = equations
                    .iter()
                    .find(|e| e.total == cell || e.parts.contains(&cell))
                    && let Some(partner) = pick_partner(values, thresholds, eq, &d)
                {
                    d[partner] = Some(Disclosure::Secondary);
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            return d;
        }
    }
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
    equations: &[Equation],
    d: &mut [Option<Disclosure>],
) -> bool {
    let mut changed = false;
    loop {
        let mut round = false;
        for eq in equations {
            let members = std::iter::once(eq.total).chain(eq.parts.iter().copied());
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
    eq: &Equation,
    d: &[Option<Disclosure>],
) -> Option<usize> {
    let open: Vec<(usize, f64)> = eq
        .parts
        .iter()
        .copied()
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
/// equations (Gaussian elimination per connected group of unknowns).
pub fn derivable_cells(equations: &[Equation], d: &[Option<Disclosure>]) -> Vec<usize> {
    // Union-find over unknown cells that share an equation.
    let n = d.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let eq_unknowns: Vec<Vec<(usize, f64)>> = equations
        .iter()
        .map(|e| {
            let mut u: Vec<(usize, f64)> = Vec::new();
            if is_unknown(d, e.total) {
                u.push((e.total, 1.0));
            }
            for &p in &e.parts {
                if is_unknown(d, p) {
                    u.push((p, -1.0));
                }
            }
            u
        })
        .collect();
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
    let mut out = Vec::new();
    let mut roots: Vec<usize> = groups.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        let eqs = &groups[&root];
        let mut cols: Vec<usize> = eqs
            .iter()
            .flat_map(|&e| eq_unknowns[e].iter().map(|c| c.0))
            .collect();
        cols.sort_unstable();
        cols.dedup();
        if !cols.iter().any(|&c| is_suppressed(d, c)) {
            continue;
        }
        let col_of = |cell: usize| cols.binary_search(&cell).unwrap_or(0);
        let mut rows: Vec<Vec<f64>> = eqs
            .iter()
            .map(|&e| {
                let mut r = vec![0.0; cols.len()];
                for &(cell, coef) in &eq_unknowns[e] {
                    r[col_of(cell)] += coef;
                }
                r
            })
            .collect();
        rref(&mut rows);
        for r in &rows {
            let nz: Vec<usize> = (0..r.len()).filter(|&j| r[j].abs() > 1e-9).collect();
            if nz.len() == 1 && is_suppressed(d, cols[nz[0]]) {
                out.push(cols[nz[0]]);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Reduced row echelon form in place (partial pivoting; the matrices hold small integers).
fn rref(rows: &mut [Vec<f64>]) {
    let (m, n) = (rows.len(), rows.first().map_or(0, Vec::len));
    let mut r = 0;
    for c in 0..n {
        if r == m {
            break;
        }
        let Some(piv) = (r..m).max_by(|&a, &b| rows[a][c].abs().total_cmp(&rows[b][c].abs()))
        else {
            break;
        };
        if rows[piv][c].abs() < 1e-9 {
            continue;
        }
        rows.swap(r, piv);
        let pv = rows[r][c];
        for x in rows[r].iter_mut() {
            *x /= pv;
        }
        for i in 0..m {
            if i != r && rows[i][c].abs() > 1e-12 {
                let f = rows[i][c];
                let (pivot_row, other) = if i < r {
                    let (a, b) = rows.split_at_mut(r);
                    (&b[0], &mut a[i])
                } else {
                    let (a, b) = rows.split_at_mut(i);
                    (&a[r], &mut b[0])
                };
                for (x, p) in other.iter_mut().zip(pivot_row.iter()) {
                    *x -= f * p;
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

    proptest::proptest! {
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
    }
}
