//! Boundary vintages and crosswalks: a level whose areas changed, its older vintage converted
//! onto the newer one, every figure worked out by hand here.

use super::tests::{area, catalogue_of, ind};
use super::*;
use crate::catalogue::{Text, Variable};
use crate::model::{CrosswalkLink, Level, ShareKind, Vintage, normalise_weights};
use num_rational::BigRational;

fn level(id: &str, parent: Option<usize>, vintage: Option<Vintage>, overlay: bool) -> Level {
    Level {
        id: id.into(),
        name: Text::new(id, id),
        parent,
        overlay,
        shares: overlay.then_some(ShareKind::Area),
        vintage,
    }
}

// Areas: the city, districts A and B, the old vintage (valid 2019–2020) o1, o2 (in A) and o3
// (in B), the new vintage (from 2021) n1, n2 (in A), n3, n4 (in B), and an overlay X over n2
// whole.
const CITY: usize = 0;
const A: usize = 1;
const B: usize = 2;
const O1: usize = 3;
const O2: usize = 4;
const O3: usize = 5;
const N1: usize = 6;
const N2: usize = 7;
const N3: usize = 8;
const N4: usize = 9;
const X: usize = 10;

/// The crosswalk: o1 → n1 whole; o2 → ¼ n1, ¾ n2; o3 → ⅓ n3, ⅔ n4 (as 0.333333 and 0.666667,
/// which sum to 1).
fn tree() -> AreaTree {
    let old = Vintage {
        from: Some(2019),
        until: Some(2020),
        next: Some(4),
        ..Vintage::label("2019")
    };
    let new = Vintage {
        from: Some(2021),
        converted_by: Some(ShareKind::Area),
        ..Vintage::label("2021")
    };
    let link = |old_area, new_area, weight| CrosswalkLink {
        old_area,
        new_area,
        weight,
    };
    AreaTree {
        levels: vec![
            level("city", None, None, false),
            level("district", Some(0), None, false),
            level("plr-2019", Some(1), Some(old), false),
            level("overlay", None, None, true),
            level("plr", Some(1), Some(new), false),
        ],
        areas: vec![
            area("0", 0, None),
            area("A", 1, Some(CITY)),
            area("B", 1, Some(CITY)),
            area("o1", 2, Some(A)),
            area("o2", 2, Some(A)),
            area("o3", 2, Some(B)),
            area("n1", 4, Some(A)),
            area("n2", 4, Some(A)),
            area("n3", 4, Some(B)),
            area("n4", 4, Some(B)),
            area("X", 3, None),
        ],
        memberships: vec![Membership {
            overlay_area: X,
            member_area: N2,
            share: 1.0,
        }],
        crosswalk: vec![
            link(O1, N1, 1.0),
            link(O2, N1, 0.25),
            link(O2, N2, 0.75),
            link(O3, N3, 0.333333),
            link(O3, N4, 0.666667),
        ],
    }
}

const RESIDENTS: usize = 0;
const FOREIGNERS: usize = 1;
const RATE: usize = 2;
const UNDER_18: usize = 3;
const ADULTS: usize = 4;
const YOUNG_AND_OLD: usize = 5;

const SHARE: usize = 0;
const COUNT: usize = 1;
const PUB: usize = 2;
const FOREIGN_COUNT: usize = 3;

fn var(id: &str, kind: VariableKind, sum: &[&str]) -> Variable {
    Variable {
        sum: sum.iter().map(|s| s.to_string()).collect(),
        ..super::tests::var(id, kind, true)
    }
}

fn catalogue() -> Catalogue {
    catalogue_of(
        vec![
            var("residents", VariableKind::Count, &[]),
            var("foreigners", VariableKind::Count, &[]),
            var("rate", VariableKind::Value, &[]),
            var("under_18", VariableKind::Count, &[]),
            var("adults", VariableKind::Count, &[]),
            var(
                "young_and_old",
                VariableKind::Count,
                &["under_18", "adults"],
            ),
        ],
        vec![
            ind(
                "pub",
                Formula::Published {
                    variable: "rate".into(),
                    weight: Some("residents".into()),
                },
            ),
            ind(
                "foreigners",
                Formula::Count {
                    variable: "foreigners".into(),
                },
            ),
        ],
    )
}

fn obs(rows: &[(usize, i32, usize, f64)]) -> Observations {
    rows.iter()
        .map(|&(a, y, v, x)| ((a, y, v), Obs::Value(x)))
        .collect()
}

/// Residents and foreigners on the old vintage in 2020, on the new one in 2021.
fn data() -> Observations {
    obs(&[
        (O1, 2020, RESIDENTS, 1000.0),
        (O2, 2020, RESIDENTS, 400.0),
        (O3, 2020, RESIDENTS, 301.0),
        (O1, 2020, FOREIGNERS, 100.0),
        (O2, 2020, FOREIGNERS, 40.0),
        (O3, 2020, FOREIGNERS, 30.0),
        (N1, 2021, RESIDENTS, 1110.0),
        (N2, 2021, RESIDENTS, 310.0),
        (N3, 2021, RESIDENTS, 100.0),
        (N4, 2021, RESIDENTS, 205.0),
        (N1, 2021, FOREIGNERS, 111.0),
        (N2, 2021, FOREIGNERS, 31.0),
        (N3, 2021, FOREIGNERS, 10.0),
        (N4, 2021, FOREIGNERS, 20.0),
    ])
}

fn run(o: &Observations) -> Computed {
    compute(&tree(), &catalogue(), o, &ComputeSettings::default())
}

#[test]
fn weights_are_rounded_to_millionths_that_sum_to_one() {
    assert_eq!(
        normalise_weights(&[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]),
        vec![333_334, 333_333, 333_333]
    );
    // Berlin's crosswalk writes its weights to eight decimals; some old areas sum to 0.99999999.
    let w = normalise_weights(&[0.12345678, 0.54321, 0.33333321]);
    assert_eq!(w.iter().sum::<i64>(), 1_000_000);
    assert_eq!(w, vec![123_457, 543_210, 333_333]);
    assert_eq!(normalise_weights(&[1.0]), vec![1_000_000]);
}

#[test]
fn an_old_year_is_converted_onto_the_new_vintage() {
    let c = run(&data());
    let cell = |a, v| *c.cell(2020, a, v).unwrap();
    // n1 = o1 + ¼ o2, n2 = ¾ o2, n3 = 0.333333 o3, n4 = 0.666667 o3.
    assert_eq!(cell(N1, RESIDENTS).value, Some(1100.0));
    assert_eq!(cell(N2, RESIDENTS).value, Some(300.0));
    assert_eq!(cell(N3, RESIDENTS).value, Some(100.333233));
    assert_eq!(cell(N4, RESIDENTS).value, Some(200.666767));
    for n in [N1, N2, N3, N4] {
        assert_eq!(cell(n, RESIDENTS).state, CellState::Converted);
        assert!(cell(n, RESIDENTS).converted);
        assert_eq!(c.value(COUNT, n, 2020).unwrap().basis, Basis::Converted);
    }
    // The new vintage's own year is given; the old vintage has no value after its years.
    assert_eq!(cell(N1, RESIDENTS).state, CellState::Converted);
    assert_eq!(c.cell(2021, N1, RESIDENTS).unwrap().state, CellState::Given);
    assert_eq!(c.cell(2021, O1, RESIDENTS).unwrap().value, None);
    // A rate from converted counts: no Wilson interval (no counted cases).
    let v = c.value(SHARE, N3, 2020).unwrap();
    assert_eq!(v.basis, Basis::Converted);
    assert_eq!(v.ci, None);
    assert!((v.published().unwrap() - 30.0 / 301.0 * 100.0).abs() < 1e-9);
}

#[test]
fn converted_counts_sum_to_the_old_total() {
    // The round trip: Σ over the new vintage of the converted counts = Σ over the old vintage,
    // for every variable, in the city and in each district (the crosswalk stays inside them).
    let c = run(&data());
    for v in [RESIDENTS, FOREIGNERS] {
        let sum = |areas: &[usize]| -> f64 {
            areas
                .iter()
                .map(|&a| c.cell(2020, a, v).unwrap().value.unwrap())
                .sum()
        };
        assert!((sum(&[N1, N2, N3, N4]) - sum(&[O1, O2, O3])).abs() < 1e-9);
        assert!((sum(&[N1, N2]) - sum(&[O1, O2])).abs() < 1e-9);
        assert!((sum(&[N3, N4]) - sum(&[O3])).abs() < 1e-9);
    }
    assert_eq!(
        c.cell(2020, N3, RESIDENTS).unwrap().value.unwrap()
            + c.cell(2020, N4, RESIDENTS).unwrap().value.unwrap(),
        301.0
    );
}

#[test]
fn coarser_areas_sum_the_vintage_of_the_year_and_never_both() {
    let c = run(&data());
    let cell = |y, a| c.cell(y, a, RESIDENTS).unwrap().value;
    // 2020: the old vintage (o1 + o2), not also the converted new one.
    assert_eq!(cell(2020, A), Some(1400.0));
    assert_eq!(cell(2020, B), Some(301.0));
    assert_eq!(cell(2020, CITY), Some(1701.0));
    assert_eq!(c.value(COUNT, A, 2020).unwrap().basis, Basis::Summed);
    // 2021: the new vintage.
    assert_eq!(cell(2021, A), Some(1420.0));
    assert_eq!(cell(2021, CITY), Some(1725.0));
    // Nothing is "not assigned" to a vintage in a year it does not sum up.
    assert_eq!(c.residual(A, 4, 2020, RESIDENTS).unwrap().value, None);
    assert_eq!(c.residual(A, 2, 2020, RESIDENTS).unwrap().value, Some(0.0));
    assert_eq!(c.residual(A, 4, 2021, RESIDENTS).unwrap().value, Some(0.0));
    assert_eq!(c.residual(A, 2, 2021, RESIDENTS).unwrap().value, None);
}

#[test]
fn values_given_on_the_new_vintage_for_an_old_year_win() {
    // The source recomputed the residents of 2020 on the new boundaries (n1 lies where people
    // live: more than the area shares give it).
    let mut o = data();
    o.extend(obs(&[
        (N1, 2020, RESIDENTS, 1200.0),
        (N2, 2020, RESIDENTS, 200.0),
        (N3, 2020, RESIDENTS, 150.0),
        (N4, 2020, RESIDENTS, 151.0),
    ]));
    let c = run(&o);
    let count = c.value(COUNT, N1, 2020).unwrap();
    assert_eq!(count.published(), Some(1200.0));
    assert_eq!(count.basis, Basis::Official);
    // Foreigners have no given value on the new vintage in 2020: converted. Their share takes
    // the converted residents (1100), not the recomputed ones (1200), so that both count the
    // same people.
    let share = c.value(SHARE, N1, 2020).unwrap();
    assert_eq!(share.numerator, Some(110.0));
    assert_eq!(share.denominator, Some(1100.0));
    assert_eq!(share.basis, Basis::Converted);
    assert_eq!(c.conversions[&(0, N1, RESIDENTS)].value, Some(1100.0));
    // The districts of 2020 still sum the old vintage, the vintage valid then.
    assert_eq!(c.cell(2020, A, RESIDENTS).unwrap().value, Some(1400.0));
}

#[test]
fn a_vintage_with_given_values_only_sums_up_when_the_valid_one_has_none() {
    // A rate published only on the new boundaries for 2020 (the MSS 2021 case): the districts
    // of 2020 take the weighted mean over the new vintage, with its given residents.
    let mut o = data();
    o.extend(obs(&[
        (N1, 2020, RATE, 10.0),
        (N2, 2020, RATE, 20.0),
        (N3, 2020, RATE, 30.0),
        (N4, 2020, RATE, 40.0),
        (N1, 2020, RESIDENTS, 1200.0),
        (N2, 2020, RESIDENTS, 200.0),
        (N3, 2020, RESIDENTS, 150.0),
        (N4, 2020, RESIDENTS, 151.0),
    ]));
    let c = run(&o);
    let a = c.value(PUB, A, 2020).unwrap();
    assert_eq!(a.basis, Basis::WeightedMean);
    let expected = (1200.0 * 10.0 + 200.0 * 20.0) / 1400.0;
    assert!((a.published().unwrap() - expected).abs() < 1e-9);
}

#[test]
fn a_published_rate_is_converted_as_a_mean_weighted_by_the_crosswalk_and_the_weight() {
    let mut o = data();
    o.extend(obs(&[
        (O1, 2020, RATE, 10.0),
        (O2, 2020, RATE, 20.0),
        (O3, 2020, RATE, 30.0),
    ]));
    let c = run(&o);
    let n1 = c.value(PUB, N1, 2020).unwrap();
    assert_eq!(n1.basis, Basis::Converted);
    let expected = (1000.0 * 10.0 + 0.25 * 400.0 * 20.0) / (1000.0 + 0.25 * 400.0);
    assert!((n1.published().unwrap() - expected).abs() < 1e-9);
    assert!((c.value(PUB, N2, 2020).unwrap().published().unwrap() - 20.0).abs() < 1e-9);
}

#[test]
fn an_overlay_over_the_new_vintage_is_marked_converted_in_an_old_year() {
    let c = run(&data());
    let x = c.value(COUNT, X, 2020).unwrap();
    assert_eq!(x.published(), Some(300.0));
    assert_eq!(x.basis, Basis::Converted);
    assert_eq!(c.value(COUNT, X, 2021).unwrap().basis, Basis::Summed);
}

#[test]
fn a_derived_variable_does_not_add_given_and_converted_parts() {
    // under_18 given on the new vintage in 2020, adults not: young_and_old on n1 would add a
    // given and a converted part; it is the sum of both conversions instead.
    let mut o = data();
    o.extend(obs(&[
        (O1, 2020, UNDER_18, 200.0),
        (O2, 2020, UNDER_18, 40.0),
        (O3, 2020, UNDER_18, 30.0),
        (O1, 2020, ADULTS, 800.0),
        (O2, 2020, ADULTS, 360.0),
        (O3, 2020, ADULTS, 271.0),
        (N1, 2020, UNDER_18, 250.0),
        (N2, 2020, UNDER_18, 20.0),
        (N3, 2020, UNDER_18, 5.0),
        (N4, 2020, UNDER_18, 5.0),
    ]));
    let c = run(&o);
    // n1: under_18 converted 200 + 10, adults converted 800 + 90.
    assert_eq!(c.conversions[&(0, N1, UNDER_18)].value, Some(210.0));
    let sum = *c.cell(2020, N1, YOUNG_AND_OLD).unwrap();
    assert_eq!(sum.value, Some(1100.0));
    assert!(sum.converted);
    // Where every part is given, the sum of the given parts stands, its conversion beside it.
    o.extend(obs(&[
        (N1, 2020, ADULTS, 900.0),
        (N2, 2020, ADULTS, 300.0),
        (N3, 2020, ADULTS, 95.0),
        (N4, 2020, ADULTS, 180.0),
    ]));
    let c = run(&o);
    assert_eq!(c.cell(2020, N1, YOUNG_AND_OLD).unwrap().value, Some(1150.0));
    assert_eq!(c.conversions[&(0, N1, YOUNG_AND_OLD)].value, Some(1100.0));
}

/// The equations a reader knows in 2020, written out here independently of the computation:
/// the districts and the city as sums of the old vintage (nothing left over), and each new area
/// as its crosswalk's weighted sum of the old ones. Cells: the eleven areas.
fn equations_2020() -> Vec<Vec<(usize, BigRational)>> {
    let r = |n: i64, d: i64| BigRational::new(n.into(), d.into());
    let one = || r(1, 1);
    vec![
        vec![(A, one()), (O1, -one()), (O2, -one())],
        vec![(B, one()), (O3, -one())],
        vec![(CITY, one()), (A, -one()), (B, -one())],
        vec![(N1, one()), (O1, -one()), (O2, -r(1, 4))],
        vec![(N2, one()), (O2, -r(3, 4))],
        vec![(N3, one()), (O3, -r(333_333, 1_000_000))],
        vec![(N4, one()), (O3, -r(666_667, 1_000_000))],
        vec![(X, one()), (N2, -one())],
    ]
}

/// Whether a withheld `target` follows from the published values of `v` in 2020 (rank test).
fn determined(c: &Computed, v: usize, target: usize) -> bool {
    let unknown: Vec<usize> = (0..11)
        .filter(|&a| {
            let cell = c.cell(2020, a, v).unwrap();
            cell.value.is_none() || cell.disclosure != Disclosure::Open
        })
        .collect();
    let matrix = |skip: Option<usize>| -> Vec<Vec<BigRational>> {
        equations_2020()
            .into_iter()
            .map(|eq| {
                let cols: Vec<usize> = unknown
                    .iter()
                    .copied()
                    .filter(|&u| Some(u) != skip)
                    .collect();
                let mut row = vec![BigRational::from_integer(0.into()); cols.len()];
                for (a, coef) in eq {
                    if let Some(i) = cols.iter().position(|&u| u == a) {
                        row[i] += coef;
                    }
                }
                row
            })
            .collect()
    };
    crate::testing::rank(matrix(None)) == crate::testing::rank(matrix(Some(target))) + 1
}

#[test]
fn a_suppressed_old_count_cannot_be_recovered_through_the_conversion() {
    // o2 has 2 foreigners: withheld. n1 = o1 + ¼ o2 would give it away with o1 published
    // (102.5 − 100 = ¼ × 2 · 4 …), so a second cell goes with it; n2 = ¾ o2 = 1.5 is small and
    // withheld itself.
    let mut o = data();
    o.insert((O2, 2020, FOREIGNERS), Obs::Value(2.0));
    let c = run(&o);
    let d = |a| c.cell(2020, a, FOREIGNERS).unwrap().disclosure;
    assert_eq!(d(O2), Disclosure::Primary);
    assert_eq!(d(N2), Disclosure::Primary);
    assert_eq!(c.cell(2020, N2, FOREIGNERS).unwrap().value, Some(1.5));
    for a in 0..11 {
        if d(a) != Disclosure::Open {
            assert!(!determined(&c, FOREIGNERS, a), "area {a} follows");
        }
    }
    assert!((0..11).any(|a| d(a) == Disclosure::Secondary));
    // The indicators show none of the withheld cells.
    assert_eq!(c.value(FOREIGN_COUNT, N2, 2020).unwrap().published(), None);
    assert_eq!(c.value(FOREIGN_COUNT, O2, 2020).unwrap().published(), None);
}

#[test]
fn small_converted_counts_are_suppressed_like_any_count() {
    // o3 has 4 foreigners; converted, n3 gets 1.33 and n4 2.67, both below 3: withheld. As
    // n3 = 0.333333 × o3, o3 cannot stay published either (nor B, which equals it).
    let mut o = data();
    o.insert((O3, 2020, FOREIGNERS), Obs::Value(4.0));
    let c = run(&o);
    let cell = |a| *c.cell(2020, a, FOREIGNERS).unwrap();
    assert_eq!(cell(N3).disclosure, Disclosure::Primary);
    assert_eq!(cell(N4).disclosure, Disclosure::Primary);
    assert_eq!(cell(O3).disclosure, Disclosure::Secondary);
    assert_eq!(
        c.value(FOREIGN_COUNT, N3, 2020).unwrap().state,
        ValueState::Suppressed
    );
    for a in 0..11 {
        if cell(a).disclosure != Disclosure::Open {
            assert!(!determined(&c, FOREIGNERS, a), "area {a} follows");
        }
    }
}

#[test]
fn a_conversion_kept_beside_a_given_value_is_checked_too() {
    // Residents recomputed on the new vintage for 2020 (given), foreigners converted: the share
    // publishes the converted residents as its denominator, so they are cells of the check. o3
    // has 2 residents and 1 foreigner: the converted residents of n3 and n4 are small.
    let mut o = data();
    o.insert((O3, 2020, RESIDENTS), Obs::Value(2.0));
    o.insert((O3, 2020, FOREIGNERS), Obs::Value(1.0));
    o.extend(obs(&[
        (N1, 2020, RESIDENTS, 1200.0),
        (N2, 2020, RESIDENTS, 200.0),
        (N3, 2020, RESIDENTS, 1.0),
        (N4, 2020, RESIDENTS, 1.0),
    ]));
    let c = run(&o);
    let side = c.conversions[&(0, N3, RESIDENTS)];
    assert!((side.value.unwrap() - 0.666666).abs() < 1e-9);
    assert_eq!(side.disclosure, Disclosure::Primary);
    let share = c.value(SHARE, N3, 2020).unwrap();
    assert_eq!(share.state, ValueState::Suppressed);
    assert_eq!(share.published_denominator(), None);
}
