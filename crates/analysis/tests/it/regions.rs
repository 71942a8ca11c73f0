//! SKATER and max-p against PySAL spopt on real data (fixture from
//! `tests/fixtures/regions_spopt_fixture.py`: Columbus, Ohio, and Berlin's 536 Planungsräume of
//! the MSS 2021), and their invariants on random grids.

use crate::properties::partition;
use proptest::prelude::*;
use serde_json::Value;
use sozialatlas_analysis::AnalysisError;
use sozialatlas_analysis::matrix::Matrix;
use sozialatlas_analysis::regions::{
    Ceiling, Floor, MaxPSettings, cut_off, max_p, max_p_bounded, pairwise_cityblock,
    regions_are_contiguous, skater, skater_bounded,
};
use sozialatlas_analysis::weights::Weights;

fn fixture() -> Value {
    let path = format!(
        "{}/tests/fixtures/regions_spopt.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("json")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn indices(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("index") as usize)
        .collect()
}

struct Case {
    name: String,
    w: Weights,
    z: Matrix,
    floor_values: Vec<f64>,
    json: Value,
}

fn cases() -> Vec<Case> {
    let f = fixture();
    f["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            let rows: Vec<Vec<f64>> = c["z"].as_array().expect("z").iter().map(floats).collect();
            let d = rows[0].len();
            let z = Matrix::new(rows.len(), d, rows.concat()).expect("z");
            let nb = c["neighbours"]
                .as_array()
                .expect("neighbours")
                .iter()
                .map(indices)
                .collect();
            Case {
                name: c["name"].as_str().expect("name").to_string(),
                w: Weights::from_neighbours(nb).expect("weights"),
                z,
                floor_values: floats(&c["floor_values"]),
                json: c.clone(),
            }
        })
        .collect()
}

#[test]
fn skater_reaches_spopts_objective_and_partition() {
    for c in cases() {
        let s = &c.json["skater"];
        let k = s["k"].as_u64().expect("k") as usize;
        let min = s["floor_areas"].as_u64().expect("floor") as usize;
        let r = skater(&c.z, &c.w, k, &Floor::areas(c.z.rows(), min)).expect("skater");
        let want = s["objective"].as_f64().expect("objective");
        assert!(
            (r.objective - want).abs() <= 1e-9 * want,
            "{}: SSD {} vs spopt {want}",
            c.name,
            r.objective
        );
        assert_eq!(
            partition(&r.labels),
            partition(&indices(&s["labels"])),
            "{}",
            c.name
        );
        assert_eq!(r.regions.len(), k);
        assert!(regions_are_contiguous(&c.w, &r.labels), "{}", c.name);
        assert!(r.regions.iter().all(|g| g.members.len() >= min));
    }
}

#[test]
fn max_p_is_at_least_as_good_as_spopts_best_run() {
    for c in cases() {
        let m = &c.json["maxp"];
        let threshold = m["threshold"].as_f64().expect("threshold");
        let runs = m["runs"].as_array().expect("runs");
        let p = runs
            .iter()
            .map(|r| r["p"].as_u64().expect("p"))
            .max()
            .expect("a run") as usize;
        let best = runs
            .iter()
            .filter(|r| r["p"].as_u64() == Some(p as u64))
            .map(|r| r["objective"].as_f64().expect("objective"))
            .fold(f64::INFINITY, f64::min);
        // spopt's own labels give the fixture's objective under our definition.
        let first = &runs[0];
        let check = pairwise_cityblock(&c.z, &indices(&first["labels"])).expect("labels");
        let stored = first["objective"].as_f64().expect("objective");
        assert!((check - stored).abs() <= 1e-9 * stored, "{}", c.name);

        let floor = Floor {
            values: c.floor_values.clone(),
            min: threshold,
        };
        let r = max_p(&c.z, &c.w, &floor, &MaxPSettings::with_seed(1)).expect("max-p");
        assert_eq!(r.regions.len(), p, "{}: p", c.name);
        assert!(
            r.objective <= best + 1e-9 * best,
            "{}: objective {} worse than spopt's best {best}",
            c.name,
            r.objective
        );
        let recomputed = pairwise_cityblock(&c.z, &r.labels).expect("labels");
        assert!((recomputed - r.objective).abs() <= 1e-9 * best);
        assert!(regions_are_contiguous(&c.w, &r.labels), "{}", c.name);
        assert!(r.regions.iter().all(|g| g.floor_total >= threshold));
        eprintln!(
            "{}: p = {p}, objective {:.6} (spopt best of {} runs {best:.6})",
            c.name,
            r.objective,
            runs.len()
        );
    }
}

/// A `cols × rows` grid with rook or queen neighbours and some cells missing, so the graph is
/// planar-ish and irregular; only the largest connected piece is kept.
fn grid_graph(cols: usize, rows: usize, holes: &[bool], queen: bool) -> Weights {
    let id = |c: usize, r: usize| r * cols + c;
    let present = |c: usize, r: usize| !holes[id(c, r)];
    let mut nb = vec![Vec::new(); cols * rows];
    for r in 0..rows {
        for c in 0..cols {
            if !present(c, r) {
                continue;
            }
            let mut steps = vec![(1isize, 0isize), (0, 1)];
            if queen {
                steps.extend([(1, 1), (-1, 1)]);
            }
            for (dc, dr) in steps {
                let (c2, r2) = (c as isize + dc, r as isize + dr);
                if c2 < 0 || c2 >= cols as isize || r2 >= rows as isize {
                    continue;
                }
                let (c2, r2) = (c2 as usize, r2 as usize);
                if present(c2, r2) {
                    nb[id(c, r)].push(id(c2, r2));
                    nb[id(c2, r2)].push(id(c, r));
                }
            }
        }
    }
    // Keep the largest connected piece, renumbered (holes are pieces of their own).
    let n = cols * rows;
    let cut = cut_off(&Weights::from_neighbours(nb.clone()).expect("weights"));
    let keep: Vec<usize> = (0..n)
        .filter(|i| !holes[*i] && cut.binary_search(i).is_err())
        .collect();
    let mut new = vec![usize::MAX; n];
    keep.iter().enumerate().for_each(|(k, &i)| new[i] = k);
    Weights::from_neighbours(
        keep.iter()
            .map(|&i| nb[i].iter().map(|&j| new[j]).collect())
            .collect(),
    )
    .expect("weights")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn regions_are_contiguous_and_on_the_floor(
        cols in 2usize..8,
        rows in 2usize..8,
        holes in prop::collection::vec(prop::bool::weighted(0.15), 64),
        queen in any::<bool>(),
        values in prop::collection::vec(-3.0f64..3.0, 128),
        population in prop::collection::vec(0u32..500, 64),
        k in 1usize..6,
        seed in any::<u64>(),
    ) {
        let w = grid_graph(cols, rows, &holes[..cols * rows], queen);
        let n = w.n();
        prop_assume!(n >= 2);
        let z = Matrix::new(n, 2, values[..2 * n].to_vec()).expect("finite");
        let pop: Vec<f64> = population[..n].iter().map(|&p| p as f64).collect();
        let total: f64 = pop.iter().sum();
        let floor = Floor { values: pop, min: (total / 4.0).floor() };

        match skater(&z, &w, k.min(n), &Floor::areas(n, 1)) {
            Ok(r) => {
                prop_assert_eq!(r.regions.len(), k.min(n));
                prop_assert!(regions_are_contiguous(&w, &r.labels));
                prop_assert!((r.within_ss - r.objective).abs() <= 1e-9 * r.total_ss.max(1.0));
                prop_assert!(r.within_ss <= r.total_ss + 1e-9);
            }
            Err(e) => prop_assert!(false, "skater without a floor failed: {e}"),
        }
        if let Ok(r) = skater(&z, &w, k.min(n), &floor) {
            prop_assert!(regions_are_contiguous(&w, &r.labels));
            prop_assert!(r.regions.iter().all(|g| g.floor_total >= floor.min));
        }
        let settings = MaxPSettings { construction_iterations: 5, annealing_runs: 2, ..MaxPSettings::with_seed(seed) };
        let r = max_p(&z, &w, &floor, &settings).expect("max-p");
        prop_assert!(regions_are_contiguous(&w, &r.labels));
        prop_assert!(r.regions.iter().all(|g| g.floor_total >= floor.min));
        prop_assert!(!r.regions.is_empty());
        let recomputed = pairwise_cityblock(&z, &r.labels).expect("labels");
        prop_assert!((recomputed - r.objective).abs() <= 1e-9 * recomputed.max(1.0));
        let mut all: Vec<usize> = r.regions.iter().flat_map(|g| g.members.clone()).collect();
        all.sort_unstable();
        prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
    }
}

/// The population of each region of a result under the maximum's variable.
fn region_totals(labels: &[usize], values: &[f64]) -> Vec<f64> {
    let count = labels.iter().max().map_or(0, |&m| m + 1);
    let mut out = vec![0.0; count];
    for (&l, &v) in labels.iter().zip(values) {
        out[l] += v;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn with_a_maximum_regions_stay_under_it_contiguous_and_on_the_floor(
        cols in 2usize..8,
        rows in 2usize..8,
        holes in prop::collection::vec(prop::bool::weighted(0.15), 64),
        queen in any::<bool>(),
        values in prop::collection::vec(-3.0f64..3.0, 128),
        population in prop::collection::vec(1u32..500, 64),
        k in 1usize..6,
        share in 0.2f64..0.9,
        seed in any::<u64>(),
    ) {
        let w = grid_graph(cols, rows, &holes[..cols * rows], queen);
        let n = w.n();
        prop_assume!(n >= 2);
        let z = Matrix::new(n, 2, values[..2 * n].to_vec()).expect("finite");
        let pop: Vec<f64> = population[..n].iter().map(|&p| p as f64).collect();
        let total: f64 = pop.iter().sum();
        let largest = pop.iter().copied().fold(0.0, f64::max);
        // A maximum between the largest area and the total; a floor well under it.
        let max = largest.max((total * share).floor());
        let ceiling = Ceiling { values: pop.clone(), max };
        let floor = Floor { values: pop.clone(), min: (largest / 2.0).floor() };
        let check = |r: &sozialatlas_analysis::regions::Regionalisation| -> Result<(), TestCaseError> {
            prop_assert!(regions_are_contiguous(&w, &r.labels));
            prop_assert!(r.regions.iter().all(|g| g.floor_total >= floor.min));
            for t in region_totals(&r.labels, &pop) {
                prop_assert!(t <= max, "a region has {} over the maximum {}", t, max);
            }
            Ok(())
        };
        match skater_bounded(&z, &w, k.min(n), &floor, Some(&ceiling)) {
            Ok(r) => {
                check(&r)?;
                prop_assert!(r.regions.len() >= k.min(n));
            }
            // Refused only for a region over the maximum that no cut on the floor splits.
            Err(AnalysisError::OverMaximum { total: t, max: m, .. }) => prop_assert!(t > m),
            Err(AnalysisError::InvalidSetting { name, .. }) => prop_assert_eq!(name, "k"),
            Err(e) => prop_assert!(false, "skater with a maximum: {e}"),
        }
        let settings = MaxPSettings { construction_iterations: 5, annealing_runs: 2, ..MaxPSettings::with_seed(seed) };
        match max_p_bounded(&z, &w, &floor, Some(&ceiling), &settings) {
            Ok(r) => check(&r)?,
            Err(AnalysisError::InvalidSetting { name, .. }) => prop_assert_eq!(name, "max"),
            Err(e) => prop_assert!(false, "max-p with a maximum: {e}"),
        }
        // A maximum of the whole total is no maximum: the result is the unbounded one.
        let none = Ceiling { values: pop.clone(), max: total };
        prop_assert_eq!(
            max_p_bounded(&z, &w, &floor, Some(&none), &settings).ok(),
            max_p(&z, &w, &floor, &settings).ok()
        );
    }
}

#[test]
fn a_maximum_cuts_skater_further_and_names_a_region_it_cannot_cut() {
    // A path of six areas of 10 inhabitants: two regions of 30, or more under a maximum of 20.
    let nb = (0..6)
        .map(|i: usize| {
            [i.checked_sub(1), (i + 1 < 6).then_some(i + 1)]
                .into_iter()
                .flatten()
                .collect()
        })
        .collect();
    let w = Weights::from_neighbours(nb).expect("weights");
    let z = Matrix::new(6, 1, vec![0.0, 0.1, 0.2, 5.0, 5.1, 5.2]).expect("finite");
    let pop = vec![10.0; 6];
    let floor = Floor {
        values: pop.clone(),
        min: 10.0,
    };
    let plain = skater(&z, &w, 2, &floor).expect("skater");
    assert_eq!(plain.labels, vec![0, 0, 0, 1, 1, 1]);
    let ceiling = Ceiling {
        values: pop.clone(),
        max: 20.0,
    };
    let r = skater_bounded(&z, &w, 2, &floor, Some(&ceiling)).expect("bounded");
    assert!(r.regions.len() >= 4, "{:?}", r.labels);
    assert!(r.regions.iter().all(|g| g.floor_total <= 20.0));
    // A floor of 20 leaves no cut in a region of 30: refused, naming that region's areas.
    let floor = Floor {
        values: pop.clone(),
        min: 20.0,
    };
    let e = skater_bounded(&z, &w, 2, &floor, Some(&ceiling)).unwrap_err();
    match &e {
        AnalysisError::OverMaximum { members, total, .. } => {
            assert_eq!(*total, 30.0);
            assert_eq!(members.len(), 3);
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("over the maximum 20"), "{e}");
    // max-p under the same maximum: regions of exactly 20.
    let r =
        max_p_bounded(&z, &w, &floor, Some(&ceiling), &MaxPSettings::with_seed(3)).expect("max-p");
    assert_eq!(r.regions.len(), 3);
    assert!(r.regions.iter().all(|g| g.floor_total == 20.0));
}
