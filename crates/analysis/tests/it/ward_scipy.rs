//! The Ward hierarchy against SciPy's `linkage(X, method="ward")` on real data
//! (fixtures made by `tests/fixtures/ward_scipy_fixture.py`), and against kodama.

use std::collections::HashMap;

use serde_json::Value;
use sozialatlas_analysis::matrix::Matrix;
use sozialatlas_analysis::ward::{Dendrogram, ward};

#[path = "../support/kodama.rs"]
mod kodama_input;
use kodama_input::condensed_distances;

fn load(name: &str) -> (Matrix, Vec<(usize, usize, f64, usize)>) {
    let path = format!(
        "{}/tests/fixtures/ward_scipy_{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let rows: Vec<Vec<f64>> = v["x"]
        .as_array()
        .expect("x")
        .iter()
        .map(|r| {
            r.as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("num"))
                .collect()
        })
        .collect();
    let d = rows[0].len();
    let m = Matrix::new(rows.len(), d, rows.concat()).expect("matrix");
    let z = v["linkage"]
        .as_array()
        .expect("linkage")
        .iter()
        .map(|r| {
            let u = |i: usize| r[i].as_f64().expect("num");
            (u(0) as usize, u(1) as usize, u(2), u(3) as usize)
        })
        .collect();
    (m, z)
}

/// Leaf set of every cluster formed, as sorted leaf lists, with height and size.
fn leaf_sets(n: usize, merges: &[(usize, usize, f64, usize)]) -> HashMap<Vec<usize>, (f64, usize)> {
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut out = HashMap::new();
    for &(a, b, h, s) in merges {
        let mut m = [members[a].clone(), members[b].clone()].concat();
        m.sort_unstable();
        out.insert(m.clone(), (h, s));
        members.push(m);
    }
    out
}

fn as_rows(d: &Dendrogram) -> Vec<(usize, usize, f64, usize)> {
    d.merges
        .iter()
        .map(|m| (m.left, m.right, m.height, m.size))
        .collect()
}

fn compare(name: &str) {
    let (x, scipy) = load(name);
    let n = x.rows();
    let ours = ward(&x).expect("ward");
    assert_eq!(ours.merges.len(), n - 1);
    let ours_rows = as_rows(&ours);
    let theirs = leaf_sets(n, &scipy);
    let mine = leaf_sets(n, &ours_rows);
    let mut max_rel = 0.0f64;
    for (set, (h, s)) in &mine {
        let (h2, s2) = theirs
            .get(set)
            .unwrap_or_else(|| panic!("{name}: cluster {set:?} not in SciPy"));
        assert_eq!(s, s2);
        let rel = (h - h2).abs() / h2.abs().max(1e-300);
        max_rel = max_rel.max(rel);
        assert!(rel <= 1e-9, "{name}: height {h} vs {h2}");
    }
    // With no ties the SciPy labelling is reproduced row by row.
    let same_rows = ours_rows
        .iter()
        .zip(&scipy)
        .filter(|(a, b)| (a.0, a.1, a.3) == (b.0, b.1, b.3))
        .count();
    eprintln!(
        "{name}: {n} leaves, all clusters match, max rel height diff {max_rel:.2e}, identical rows {same_rows}/{}",
        n - 1
    );
    assert_eq!(same_rows, n - 1);
    for w in ours.merges.windows(2) {
        assert!(w[0].height <= w[1].height);
    }
}

#[test]
fn berlin_matches_scipy() {
    compare("berlin");
}

#[test]
fn flensburg_matches_scipy() {
    compare("flensburg");
}

#[test]
fn kodama_agrees() {
    let (x, _) = load("berlin");
    let n = x.rows();
    let mut condensed = condensed_distances(&x);
    let k = kodama::linkage(&mut condensed, n, kodama::Method::Ward);
    let kod: Vec<(usize, usize, f64, usize)> = k
        .steps()
        .iter()
        .map(|s| (s.cluster1, s.cluster2, s.dissimilarity, s.size))
        .collect();
    let theirs = leaf_sets(n, &kod);
    let ours = ward(&x).expect("ward");
    for (set, (h, s)) in leaf_sets(n, &as_rows(&ours)) {
        let (h2, s2) = theirs[&set];
        assert_eq!(s, s2);
        assert!((h - h2).abs() <= 1e-9 * h2.max(1e-300));
    }
}

#[test]
fn leaf_order_has_no_crossings() {
    let (x, _) = load("berlin");
    let d = ward(&x).expect("ward");
    let n = d.n_leaves;
    let mut pos = vec![0; n];
    for (p, &l) in d.leaf_order.iter().enumerate() {
        pos[l] = p;
    }
    // Every cluster must occupy a contiguous run of positions.
    let mut span: Vec<(usize, usize, usize)> = (0..n).map(|i| (pos[i], pos[i], 1)).collect();
    for m in &d.merges {
        let (a, b) = (span[m.left], span[m.right]);
        let s = (a.0.min(b.0), a.1.max(b.1), a.2 + b.2);
        assert_eq!(s.1 - s.0 + 1, s.2, "cluster not contiguous");
        span.push(s);
    }
}
