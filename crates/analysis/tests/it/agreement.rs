//! The adjusted Rand index against scikit-learn's `adjusted_rand_score` (fixture made by
//! `tests/fixtures/ari_sklearn_fixture.py`): cuts of the Berlin Ward hierarchy and random
//! labellings.

use serde_json::Value;
use sozialatlas_analysis::agreement::adjusted_rand_index;

#[test]
fn adjusted_rand_index_matches_sklearn() {
    let path = format!(
        "{}/tests/fixtures/ari_sklearn.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json");
    let labels = |x: &Value| -> Vec<usize> {
        x.as_array()
            .expect("labels")
            .iter()
            .map(|l| l.as_u64().expect("label") as usize)
            .collect()
    };
    let cases = v["cases"].as_array().expect("cases");
    assert!(cases.len() >= 30);
    for c in cases {
        let (a, b) = (labels(&c["a"]), labels(&c["b"]));
        let want = c["ari"].as_f64().expect("ari");
        let got = adjusted_rand_index(&a, &b).expect("ari");
        assert!(
            (got - want).abs() < 1e-12,
            "{}: {got} != sklearn {want}",
            c["name"]
        );
        // Symmetric.
        let back = adjusted_rand_index(&b, &a).expect("ari");
        assert!((back - got).abs() < 1e-12, "{}", c["name"]);
    }
}
