//! Official values at every level, the parts not assigned to an area, non-additive variables,
//! published values and overlays: small atlases whose every figure is worked out by hand here.

use super::*;
use crate::catalogue::{Dimension, Indicator, Polarity, Text, Variable};
use crate::model::{Area, Level, ShareKind};

fn level(id: &str, parent: Option<usize>, overlay: bool) -> Level {
    Level {
        id: id.into(),
        name: Text::new(id, id),
        parent,
        overlay,
        shares: overlay.then_some(ShareKind::Area),
        vintage: None,
    }
}

pub(super) fn area(key: &str, level: usize, parent: Option<usize>) -> Area {
    Area {
        key: key.into(),
        name: key.into(),
        level,
        parent,
        area_km2: Some(1.0),
    }
}

/// City 0 ⊃ districts A (1), B (2) ⊃ sub-districts a1 (3), a2 (4) | b1 (5), b2 (6); overlay X
/// (7) = a2 whole + half of b1.
fn tree() -> AreaTree {
    AreaTree {
        levels: vec![
            level("city", None, false),
            level("district", Some(0), false),
            level("sub", Some(1), false),
            level("overlay", None, true),
        ],
        areas: vec![
            area("0", 0, None),
            area("A", 1, Some(0)),
            area("B", 1, Some(0)),
            area("a1", 2, Some(1)),
            area("a2", 2, Some(1)),
            area("b1", 2, Some(2)),
            area("b2", 2, Some(2)),
            area("X", 3, None),
        ],
        memberships: vec![
            Membership {
                overlay_area: 7,
                member_area: 4,
                share: 1.0,
            },
            Membership {
                overlay_area: 7,
                member_area: 5,
                share: 0.5,
            },
        ],
        crosswalk: Vec::new(),
    }
}

pub(super) fn var(id: &str, kind: VariableKind, additive: bool) -> Variable {
    Variable {
        id: id.into(),
        name: Text::new(id, id),
        kind,
        additive,
        sum: Vec::new(),
        unit: None,
        source: None,
        reference_date: None,
        suppression_threshold: None,
    }
}

/// A catalogue of one dimension `d`: `variables`; the indicators `share` (foreigners per 100
/// residents) and `residents`, then `more`.
pub(super) fn catalogue_of(variables: Vec<Variable>, more: Vec<Indicator>) -> Catalogue {
    let mut indicators = vec![
        ind(
            "share",
            Formula::Ratio {
                numerator: "foreigners".into(),
                denominator: "residents".into(),
                factor: 100.0,
                proportion: true,
            },
        ),
        ind(
            "residents",
            Formula::Count {
                variable: "residents".into(),
            },
        ),
    ];
    indicators.extend(more);
    Catalogue {
        version: "t".into(),
        dimensions: vec![Dimension {
            id: "d".into(),
            name: Text::new("d", "d"),
            description: None,
        }],
        variables,
        indicators,
    }
}

pub(super) fn ind(id: &str, formula: Formula) -> Indicator {
    Indicator {
        id: id.into(),
        name: Text::new(id, id),
        dimension: "d".into(),
        unit: "%".into(),
        formula,
        polarity: Polarity::Neutral,
        decimals: None,
        definition: None,
        source: None,
        reference_date: None,
        notes: None,
        in_typology: true,
    }
}

const RESIDENTS: usize = 0;
const FOREIGNERS: usize = 1;
const MOVES: usize = 2;
const RATE: usize = 3;

const SHARE: usize = 0;
const COUNT: usize = 1;
const MOVES_IND: usize = 2;
const PUB_WEIGHTED: usize = 3;
const PUB_PLAIN: usize = 4;

fn catalogue() -> Catalogue {
    catalogue_of(
        vec![
            var("residents", VariableKind::Count, true),
            var("foreigners", VariableKind::Count, true),
            var("moves_in", VariableKind::Count, false),
            var("rate", VariableKind::Value, true),
        ],
        vec![
            ind(
                "moves",
                Formula::Count {
                    variable: "moves_in".into(),
                },
            ),
            ind(
                "pub_weighted",
                Formula::Published {
                    variable: "rate".into(),
                    weight: Some("residents".into()),
                },
            ),
            ind(
                "pub_plain",
                Formula::Published {
                    variable: "rate".into(),
                    weight: None,
                },
            ),
        ],
    )
}

fn obs(rows: &[(usize, usize, f64)]) -> Observations {
    rows.iter()
        .map(|&(a, v, x)| ((a, 2024, v), Obs::Value(x)))
        .collect()
}

/// Sub-district residents and foreigners; district A given officially with 40 more residents
/// and 30 more foreigners than its sub-districts; the city given as A + B + 5 residents.
fn official() -> Observations {
    obs(&[
        (3, RESIDENTS, 1000.0),
        (4, RESIDENTS, 2000.0),
        (5, RESIDENTS, 1500.0),
        (6, RESIDENTS, 500.0),
        (3, FOREIGNERS, 100.0),
        (4, FOREIGNERS, 300.0),
        (5, FOREIGNERS, 150.0),
        (6, FOREIGNERS, 50.0),
        (1, RESIDENTS, 3040.0),
        (1, FOREIGNERS, 430.0),
        (0, RESIDENTS, 5045.0),
        (0, FOREIGNERS, 630.0),
    ])
}

fn settings() -> ComputeSettings {
    ComputeSettings::default()
}

#[test]
fn official_values_are_kept_at_every_level() {
    let c = compute(&tree(), &catalogue(), &official(), &settings());
    let cell = |a, v| *c.cell(2024, a, v).unwrap();
    assert_eq!(cell(0, RESIDENTS).value, Some(5045.0));
    assert_eq!(cell(0, RESIDENTS).state, CellState::Given);
    assert_eq!(cell(1, RESIDENTS).value, Some(3040.0));
    // B has no given value: the sum of its sub-districts.
    assert_eq!(cell(2, RESIDENTS).value, Some(2000.0));
    assert_eq!(cell(2, RESIDENTS).state, CellState::Aggregated);
    // The city's rate from the official numerator and denominator.
    let v = c.value(SHARE, 0, 2024).unwrap();
    assert_eq!((v.numerator, v.denominator), (Some(630.0), Some(5045.0)));
    assert_eq!(v.value, Some(630.0 / 5045.0 * 100.0));
    assert_eq!(v.basis, Basis::Official);
    assert_eq!(c.value(SHARE, 2, 2024).unwrap().basis, Basis::Summed);
}

#[test]
fn the_difference_is_not_assigned() {
    let c = compute(&tree(), &catalogue(), &official(), &settings());
    let r = |a, l, v| c.residual(a, l, 2024, v).unwrap().value;
    // A: 3040 − (1000 + 2000); the city on the districts: 5045 − (3040 + 2000).
    assert_eq!(r(1, 2, RESIDENTS), Some(40.0));
    assert_eq!(r(0, 1, RESIDENTS), Some(5.0));
    // The city on the sub-districts: both together.
    assert_eq!(r(0, 2, RESIDENTS), Some(45.0));
    // B is a sum: nothing is not assigned.
    assert_eq!(r(2, 2, RESIDENTS), Some(0.0));
    // The rows: the share of the not-assigned part, and no row where nothing is left over.
    let row = |a, l, i| {
        c.unassigned
            .iter()
            .find(|u| u.value.area == a && u.level == l && u.value.indicator == i)
    };
    let a = row(1, 2, SHARE).expect("A has a not-assigned part");
    assert_eq!(
        (a.value.numerator, a.value.denominator),
        (Some(30.0), Some(40.0))
    );
    assert_eq!(a.value.published(), Some(75.0));
    assert_eq!(row(1, 2, COUNT).unwrap().value.published(), Some(40.0));
    assert!(row(2, 2, SHARE).is_none());
    let city = row(0, 2, COUNT).unwrap();
    assert_eq!(city.value.published(), Some(45.0));
}

#[test]
fn a_difference_beyond_the_tolerance_or_a_larger_sum_is_named() {
    let c = compute(&tree(), &catalogue(), &official(), &settings());
    let w: Vec<String> = c.warnings.iter().map(|w| w.to_string()).collect();
    // A: 40 of 3040 = 1.3 % > 1 %; the city: 5 of 5045 = 0.1 %, within the tolerance.
    assert!(
        w.iter().any(|w| w.starts_with("variable `residents`, area `A`, 2024: the official value (3,040) is larger than the sum of its 2 sub-areas (3,000) by 40 (1.32 % of it, more than the tolerance of 1 %)")),
        "{w:#?}"
    );
    assert!(!w.iter().any(|w| w.contains("area `0`")), "{w:#?}");
    // With a tolerance of 2 % A is quiet too.
    let quiet = compute(
        &tree(),
        &catalogue(),
        &official(),
        &ComputeSettings {
            unassigned_tolerance: 0.02,
            ..settings()
        },
    );
    assert!(
        !quiet
            .warnings
            .iter()
            .any(|w| w.context == "variable `residents`, area `A`, 2024")
    );
    // A sum above the official value is always named.
    let mut o = official();
    o.insert((0, 2024, RESIDENTS), Obs::Value(5000.0));
    let c = compute(&tree(), &catalogue(), &o, &settings());
    assert!(
        c.warnings.iter().any(|w| w.to_string()
            == "variable `residents`, area `0`, 2024: the sum of its 2 sub-areas (5,040) is larger than the official value (5,000) by 40; the official value is used"),
        "{:#?}",
        c.warnings
    );
    // A negative difference is no row.
    assert!(
        !c.unassigned
            .iter()
            .any(|u| u.value.area == 0 && u.level == 1 && u.value.indicator == COUNT)
    );
}

#[test]
fn official_and_summed_inputs_are_not_mixed() {
    // A gives residents officially (40 not assigned) but no foreigners: the share of A takes
    // both as sums of its sub-districts, and says so.
    let mut o = official();
    o.remove(&(1, 2024, FOREIGNERS));
    let c = compute(&tree(), &catalogue(), &o, &settings());
    let v = c.value(SHARE, 1, 2024).unwrap();
    assert_eq!((v.numerator, v.denominator), (Some(400.0), Some(3000.0)));
    assert_eq!(v.basis, Basis::Summed);
    assert!(c.warnings.iter().any(|w| {
        w.context == "indicator `share`, area `A`, 2024"
            && w.message
                .starts_with("`residents` is given (official) and `foreigners` only as the sum")
    }));
    // The count of residents stays official.
    assert_eq!(c.value(COUNT, 1, 2024).unwrap().published(), Some(3040.0));
}

#[test]
fn a_small_not_assigned_part_is_suppressed_and_cannot_be_recomputed() {
    // A's official residents exceed its sub-districts by 2: a count like any other.
    let mut o = official();
    o.insert((1, 2024, RESIDENTS), Obs::Value(3002.0));
    o.insert((0, 2024, RESIDENTS), Obs::Value(5002.0));
    let c = compute(&tree(), &catalogue(), &o, &settings());
    let rest = c.residual(1, 2, 2024, RESIDENTS).unwrap();
    assert_eq!(rest.value, Some(2.0));
    assert_eq!(rest.disclosure, Disclosure::Primary);
    let row = c
        .unassigned
        .iter()
        .find(|u| u.value.area == 1 && u.level == 2 && u.value.indicator == COUNT)
        .unwrap();
    assert_eq!(row.value.state, ValueState::Suppressed);
    assert_eq!(row.value.published(), None);
    // By solving: every published residents figure (areas and not-assigned parts) with the
    // equations area = Σ finer areas + not assigned leaves A's part open.
    let published = published_figures(&c, COUNT);
    assert!(!determined(&c, &published, Unknown::Rest(1, 2)));
    // The same reader would find it if only the part itself were withheld.
    let mut naive = published.clone();
    for v in naive.values_mut() {
        v.get_or_insert(0);
    }
    naive.insert(Unknown::Rest(1, 2), None);
    assert!(determined(&c, &naive, Unknown::Rest(1, 2)));
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Unknown {
    Area(usize),
    Rest(usize, usize),
}

/// What a reader sees of an indicator's numerator: each area (overlay included) and
/// not-assigned part with its published count, doubled so that the overlay's half share stays
/// whole (None when withheld).
fn published_figures(c: &Computed, ind: usize) -> std::collections::BTreeMap<Unknown, Option<i64>> {
    let mut m = std::collections::BTreeMap::new();
    let twice = |x: f64| (2.0 * x) as i64;
    for a in 0..8 {
        let v = c.value(ind, a, 2024).unwrap();
        m.insert(Unknown::Area(a), v.published_numerator().map(twice));
    }
    for g in &c.residuals {
        let shown = c
            .unassigned
            .iter()
            .find(|u| u.value.area == g.area && u.level == g.level && u.value.indicator == ind)
            .map(|u| u.value.published_numerator().map(twice));
        // No row means nothing is left over (0) — a reader knows that too.
        m.insert(Unknown::Rest(g.area, g.level), shown.unwrap_or(Some(0)));
    }
    m
}

/// Whether the equations `area = Σ finer areas + not assigned` and `X = a2 + ½ b1` fix `target`
/// given the published figures: its column must not lie in the span of the other unknowns'
/// columns (rank test, exact).
fn determined(
    c: &Computed,
    published: &std::collections::BTreeMap<Unknown, Option<i64>>,
    target: Unknown,
) -> bool {
    let unknown: Vec<Unknown> = published
        .iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| *k)
        .collect();
    let row = |terms: &[(Unknown, i64)]| {
        let mut r = vec![0; unknown.len()];
        for (k, coef) in terms {
            if let Some(i) = unknown.iter().position(|u| u == k) {
                r[i] += coef;
            }
        }
        r
    };
    let mut rows: Vec<Vec<i64>> = c
        .residuals
        .iter()
        .map(|g| {
            let mut t = vec![
                (Unknown::Area(g.area), 1),
                (Unknown::Rest(g.area, g.level), -1),
            ];
            t.extend(g.parts.iter().map(|&d| (Unknown::Area(d), -1)));
            row(&t)
        })
        .collect();
    // 2X = 2 a2 + b1
    rows.push(row(&[
        (Unknown::Area(7), 2),
        (Unknown::Area(4), -2),
        (Unknown::Area(5), -1),
    ]));
    let t = unknown.iter().position(|u| *u == target).unwrap();
    let without: Vec<Vec<i64>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .filter(|&(i, _)| i != t)
                .map(|(_, x)| *x)
                .collect()
        })
        .collect();
    let exact = |m: Vec<Vec<i64>>| -> Vec<Vec<num_rational::BigRational>> {
        m.into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|x| num_rational::BigRational::from_integer(x.into()))
                    .collect()
            })
            .collect()
    };
    crate::testing::rank(exact(rows)) == crate::testing::rank(exact(without)) + 1
}

#[test]
fn non_additive_variables_are_never_summed() {
    let mut o = official();
    for (a, x) in [(3, 10.0), (4, 20.0), (5, 30.0), (6, 40.0)] {
        o.insert((a, 2024, MOVES), Obs::Value(x));
    }
    // B gives its own (smaller) figure: moves between b1 and b2 are not moves into B.
    o.insert((2, 2024, MOVES), Obs::Value(55.0));
    let c = compute(&tree(), &catalogue(), &o, &settings());
    let v = |a| c.value(MOVES_IND, a, 2024).unwrap();
    assert_eq!(v(2).published(), Some(55.0));
    // A and the city have no value of their own: missing, not incomplete, not a sum.
    for a in [0, 1, 7] {
        assert_eq!(v(a).state, ValueState::Missing, "area {a}");
        assert_eq!(v(a).value, None);
        assert_eq!(c.cell(2024, a, MOVES).unwrap().state, CellState::Missing);
    }
    // No not-assigned part either.
    assert!(!c.unassigned.iter().any(|u| u.value.indicator == MOVES_IND));
    // Different from the sum: no warning about B's figure.
    assert!(!c.warnings.iter().any(|w| w.context.contains("moves_in")));
}

#[test]
fn published_values_are_taken_as_they_are() {
    let mut o = official();
    for (a, x) in [(3, 10.0), (4, 20.0), (5, 30.0), (6, 40.0)] {
        o.insert((a, 2024, RATE), Obs::Value(x));
    }
    // A publishes its own rate (not the mean of a1 and a2).
    o.insert((1, 2024, RATE), Obs::Value(17.5));
    let c = compute(&tree(), &catalogue(), &o, &settings());
    let w = |a| c.value(PUB_WEIGHTED, a, 2024).unwrap().clone();
    let p = |a| c.value(PUB_PLAIN, a, 2024).unwrap().clone();
    assert_eq!(w(3).published(), Some(10.0));
    assert_eq!(w(3).basis, Basis::Published);
    assert_eq!(w(1).published(), Some(17.5));
    assert_eq!(w(1).basis, Basis::Published);
    // B: weighted by the residents 1500 and 500.
    assert_eq!(
        w(2).published(),
        Some((1500.0 * 30.0 + 500.0 * 40.0) / 2000.0)
    );
    assert_eq!(w(2).basis, Basis::WeightedMean);
    // The city: A's published 17.5 with A's official 3040 residents, B's mean with 2000.
    let b = (1500.0 * 30.0 + 500.0 * 40.0) / 2000.0;
    assert_eq!(
        w(0).published(),
        Some((3040.0 * 17.5 + 2000.0 * b) / 5040.0)
    );
    // The overlay: a2 whole and half of b1, weighted by their residents in it.
    assert_eq!(
        w(7).published(),
        Some((2000.0 * 20.0 + 0.5 * 1500.0 * 30.0) / (2000.0 + 0.5 * 1500.0))
    );
    // No numerator or denominator is invented for a published value.
    assert_eq!((w(2).numerator, w(2).denominator), (None, None));
    // Without a weight, coarser areas and overlays need their own value: else missing.
    assert_eq!(p(1).published(), Some(17.5));
    for a in [0, 2, 7] {
        assert_eq!(p(a).state, ValueState::Missing, "area {a}");
    }
    assert_eq!(c.cell(2024, 2, RATE).unwrap().state, CellState::Missing);
}

#[test]
fn a_mean_over_a_suppressed_weight_is_suppressed() {
    let mut o = official();
    for (a, x) in [(3, 10.0), (4, 20.0), (5, 30.0), (6, 40.0)] {
        o.insert((a, 2024, RATE), Obs::Value(x));
    }
    o.insert((6, 2024, RESIDENTS), Obs::Value(2.0));
    o.remove(&(0, 2024, RESIDENTS));
    o.remove(&(0, 2024, FOREIGNERS));
    let c = compute(&tree(), &catalogue(), &o, &settings());
    assert_eq!(
        c.cell(2024, 6, RESIDENTS).unwrap().disclosure,
        Disclosure::Primary
    );
    let v = c.value(PUB_WEIGHTED, 2, 2024).unwrap();
    assert_eq!(v.state, ValueState::Suppressed);
    assert_eq!(v.published(), None);
    // b2's own published rate stays (it is the source's).
    assert_eq!(
        c.value(PUB_WEIGHTED, 6, 2024).unwrap().published(),
        Some(40.0)
    );
}

#[test]
fn overlays_get_their_members_shares() {
    let c = compute(&tree(), &catalogue(), &official(), &settings());
    // X = a2 + ½ b1.
    let cell = c.cell(2024, 7, RESIDENTS).unwrap();
    assert_eq!(cell.value, Some(2000.0 + 0.5 * 1500.0));
    assert_eq!(cell.state, CellState::Estimated);
    let v = c.value(SHARE, 7, 2024).unwrap();
    assert_eq!((v.numerator, v.denominator), (Some(375.0), Some(2750.0)));
    assert_eq!(v.basis, Basis::Estimated);
    assert_eq!(v.ci, None, "no Wilson interval for an estimate");
    // Whole members only: a sum, with its interval.
    let mut t = tree();
    t.memberships[1].share = 1.0;
    let c = compute(&t, &catalogue(), &official(), &settings());
    let v = c.value(SHARE, 7, 2024).unwrap();
    assert_eq!(v.denominator, Some(3500.0));
    assert_eq!(v.basis, Basis::Summed);
    assert!(v.ci.is_some());
}

#[test]
fn an_overlay_cannot_give_a_suppressed_member_away() {
    // a2 has 2 foreigners: suppressed. X = a2 + ½ b1 is published unless that would let a
    // reader compute a2 = X − ½ b1.
    let mut o = official();
    o.insert((4, 2024, FOREIGNERS), Obs::Value(2.0));
    o.remove(&(1, 2024, FOREIGNERS));
    o.remove(&(0, 2024, FOREIGNERS));
    let c = compute(&tree(), &catalogue(), &o, &settings());
    assert_eq!(
        c.cell(2024, 4, FOREIGNERS).unwrap().disclosure,
        Disclosure::Primary
    );
    assert_eq!(c.value(SHARE, 4, 2024).unwrap().published_numerator(), None);
    // Solve: every figure a reader has, with the hierarchy's and the overlay's equations.
    let published = published_figures(&c, SHARE);
    assert!(!determined(&c, &published, Unknown::Area(4)));
    // Had only a2 been withheld, the overlay would give it away.
    let mut naive = published.clone();
    for (k, v) in naive.iter_mut() {
        if *k != Unknown::Area(4) {
            v.get_or_insert(0);
        }
    }
    assert!(determined(&c, &naive, Unknown::Area(4)));
}
