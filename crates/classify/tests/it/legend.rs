//! Legends: the seed's SGB II legend (golden, METHODS §3) and the wording of every case.

use sozialatlas_classify::{Breaks, Closure, Scheme, classify};
use sozialatlas_core::Locale;

const GOLDEN_DE: [&str; 6] = [
    "5,23 < 11,17",
    "11,17 < 17,11",
    "17,11 < 23,05",
    "23,05 < 28,99",
    "28,99 < 34,93",
    "34,93 und größer",
];
const GOLDEN_EN: [&str; 6] = [
    "5.23 < 11.17",
    "11.17 < 17.11",
    "17.11 < 23.05",
    "23.05 < 28.99",
    "28.99 < 34.93",
    "34.93 and above",
];

#[test]
fn seed_sgb2_legend_from_values() {
    // Equal interval, k = 6, min 5.23, width 5.94, so max 5.23 + 6 · 5.94 = 40.87.
    let values = [5.23, 7.9, 12.4, 18.0, 22.95, 29.5, 33.3, 35.0, 40.87];
    let b = Breaks::compute(
        &values,
        &Scheme::EqualInterval { k: 6 },
        Closure::LeftClosed,
    )
    .expect("breaks");
    assert_eq!(b.legend(2, Locale::De), GOLDEN_DE);
    assert_eq!(b.legend(2, Locale::En), GOLDEN_EN);
    // The max is in the last class, each break value in the class above it.
    assert_eq!(b.class_of(40.87), Some(5));
    assert_eq!(b.class_of(b.bounds()[1]), Some(1));
}

#[test]
fn seed_sgb2_legend_from_stored_bounds() {
    let bounds: Vec<f64> = (0..=6).map(|j| 5.23 + f64::from(j) * 5.94).collect();
    let b = Breaks::from_bounds(bounds, Closure::LeftClosed).expect("bounds");
    assert_eq!(b.legend(2, Locale::De), GOLDEN_DE);
    assert_eq!(b.legend(2, Locale::En), GOLDEN_EN);
}

#[test]
fn right_closed_wording() {
    let b = Breaks::from_bounds(vec![5.23, 11.17, 17.11, 23.05], Closure::RightClosed).expect("b");
    assert_eq!(
        b.legend(2, Locale::De),
        [
            "5,23 bis 11,17",
            "über 11,17 bis 17,11",
            "über 17,11 bis 23,05"
        ]
    );
    assert_eq!(
        b.legend(2, Locale::En),
        [
            "5.23 to 11.17",
            "over 11.17 to 17.11",
            "over 17.11 to 23.05"
        ]
    );
}

#[test]
fn degenerate_outer_classes_of_the_box_map() {
    // 1..=20: no outliers, so the outlier classes have no width.
    let v: Vec<f64> = (1..=20).map(f64::from).collect();
    let right = Breaks::compute(&v, &Scheme::box_map(), Closure::RightClosed).expect("b");
    let l = right.legend(2, Locale::De);
    assert_eq!(l[0], "bis -8,50");
    assert_eq!(l[1], "über -8,50 bis 5,75");
    assert_eq!(l[5], "über 29,50");
    let left = Breaks::compute(&v, &Scheme::box_map(), Closure::LeftClosed).expect("b");
    let l = left.legend(1, Locale::En);
    assert_eq!(l[0], "below -8.5");
    assert_eq!(l[5], "29.5 and above");
}

#[test]
fn one_class() {
    let (b, c) = classify(
        &[3.0, 3.0],
        &Scheme::Quantiles { k: 4 },
        Closure::LeftClosed,
    )
    .expect("b");
    assert_eq!(b.legend(1, Locale::De), ["3,0"]);
    assert_eq!(c.counts, vec![2]);
    let b = Breaks::compute(
        &[1.0, 2.0],
        &Scheme::NaturalBreaks { k: 1 },
        Closure::LeftClosed,
    )
    .expect("b");
    assert_eq!(b.legend(0, Locale::En), ["1 to 2"]);
}

#[test]
fn thousands_are_grouped() {
    let b = Breaks::from_bounds(vec![950.0, 1234.5, 20000.0], Closure::LeftClosed).expect("b");
    assert_eq!(
        b.legend(1, Locale::De),
        ["950,0 < 1.234,5", "1.234,5 und größer"]
    );
    assert_eq!(
        b.legend(1, Locale::En),
        ["950.0 < 1,234.5", "1,234.5 and above"]
    );
}

#[test]
fn fixed_breaks_across_years() {
    // Köln-like shares for two years: breaks from both years classify each year the same way.
    let y2011 = [10.0, 12.0, 18.0, 25.0, 31.0];
    let y2012 = [11.0, 13.0, 19.0, 27.0, 36.0];
    let all: Vec<f64> = y2011.iter().chain(&y2012).copied().collect();
    let b = Breaks::compute(&all, &Scheme::Quantiles { k: 4 }, Closure::LeftClosed).expect("b");
    let c11 = b.classify(&y2011);
    let c12 = b.classify(&y2012);
    assert_eq!(c11.counts.iter().sum::<usize>(), 5);
    assert_eq!(c12.counts.iter().sum::<usize>(), 5);
    assert_eq!((c11.below, c11.above, c12.below, c12.above), (0, 0, 0, 0));
    // Breaks of 2011 alone put 2012's maximum above the range: counted, and in the last class.
    let b11 = Breaks::compute(&y2011, &Scheme::Quantiles { k: 4 }, Closure::LeftClosed).expect("b");
    let c = b11.classify(&y2012);
    assert_eq!(c.above, 1);
    assert_eq!(c.classes[4], Some(3));
}
