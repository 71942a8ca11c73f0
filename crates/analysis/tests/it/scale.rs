//! The analyses at scale (issue 19): contiguity weights, Moran's I, LISA and the typology on
//! square grids of 10,000 to 200,000 cells, timed. Ignored by default (minutes in a debug
//! build); run with
//! `cargo test --workspace --test it -- --ignored analyses_at_scale --nocapture`
//! (`SCALE_SIZES="10000 50000"` for other sizes). Figures in bench/RESULTS.md.

use std::time::Instant;

use geo_types::{MultiPolygon, polygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_analysis::matrix::Matrix;
use sozialatlas_analysis::moran::{local_moran, moran};
use sozialatlas_analysis::typology::{TypologySettings, typology};
use sozialatlas_analysis::weights::{Contiguity, contiguity};
use sozialatlas_analysis::zscore::Polarity;

/// A side × side grid of 100 m squares and six indicators with a spatial pattern (a smooth
/// surface per indicator) and seeded noise.
fn grid(side: usize) -> (Vec<MultiPolygon<f64>>, Matrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(19);
    let n = side * side;
    let mut polys = Vec::with_capacity(n);
    let mut values = Vec::with_capacity(n * 6);
    for i in 0..n {
        let (x, y) = ((i % side) as f64, (i / side) as f64);
        let (x0, y0) = (x * 100.0, y * 100.0);
        polys.push(MultiPolygon(vec![polygon![
            (x: x0, y: y0),
            (x: x0 + 100.0, y: y0),
            (x: x0 + 100.0, y: y0 + 100.0),
            (x: x0, y: y0 + 100.0),
        ]]));
        let (u, v) = (x / side as f64, y / side as f64);
        for j in 0..6 {
            let f = j as f64 + 1.0;
            values.push((u * f * 3.0).sin() + (v * f * 2.0).cos() + rng.random_range(-0.5..0.5));
        }
    }
    (polys, Matrix::new(n, 6, values).expect("matrix"))
}

#[test]
#[ignore = "minutes in a debug build; run on purpose (see the module doc)"]
fn analyses_at_scale() {
    let sizes: Vec<usize> = std::env::var("SCALE_SIZES")
        .unwrap_or_else(|_| "10000 50000 200000".into())
        .split_whitespace()
        .map(|s| s.parse().expect("a size"))
        .collect();
    eprintln!(
        "| cells | queen weights | Moran's I, 999 perm. | LISA, 999 perm. | typology, k = 5 |"
    );
    eprintln!("|---|---|---|---|---|");
    for n in sizes {
        let side = (n as f64).sqrt().round() as usize;
        let (polys, data) = grid(side);
        let t = Instant::now();
        let w = contiguity(&polys, Contiguity::Queen, 0.0)
            .expect("weights")
            .row_standardise();
        let t_w = t.elapsed().as_secs_f64();
        assert!(w.islands().is_empty());
        let y = data.column(0);
        let t = Instant::now();
        let g = moran(&y, &w, 999, 1).expect("moran");
        let t_m = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let l = local_moran(&y, &w, 999, 1).expect("lisa");
        let t_l = t.elapsed().as_secs_f64();
        assert!(g.i > 0.5, "the surface is autocorrelated: I = {}", g.i);
        assert_eq!(l.p_sim.len(), side * side);
        let mut s = TypologySettings::new(
            (0..6)
                .map(|j| {
                    sozialatlas_analysis::typology::TypologyIndicator::new(
                        format!("i{j}"),
                        Polarity::HigherIsWorse,
                    )
                })
                .collect(),
        );
        s.k = 5;
        let t = Instant::now();
        let ty = typology(&data, &s).expect("typology");
        let t_t = t.elapsed().as_secs_f64();
        assert_eq!(ty.membership.len(), side * side);
        eprintln!(
            "| {} | {t_w:.2} s | {t_m:.2} s | {t_l:.2} s | {t_t:.2} s ({}) |",
            side * side,
            match &ty.groups {
                None => "Ward on every area".to_string(),
                Some(g) => format!("Ward on {} groups", g.len()),
            }
        );
    }
}
