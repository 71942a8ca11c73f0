//! Times natural breaks (k = 6) once on n random values: `cargo run --release -p
//! sozialatlas-classify --example time_natural_breaks -- 1000000`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_classify::{Breaks, Closure, Scheme};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = ChaCha8Rng::seed_from_u64(2011);
    let values: Vec<f64> = (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            40.0 * u * u + rng.random::<f64>()
        })
        .collect();
    for _ in 0..3 {
        let (t, cpu) = (Instant::now(), cpu_ns());
        let b = Breaks::compute(
            &values,
            &Scheme::NaturalBreaks { k: 6 },
            Closure::RightClosed,
        );
        let cpu = cpu_ns().zip(cpu).map(|(b, a)| (b - a) as f64 / 1e6);
        println!(
            "n = {n}, k = 6: wall {:?}, on-CPU {cpu:?} ms ({:?} classes)",
            t.elapsed(),
            b.map(|b| b.k())
        );
    }
}

/// Time this thread spent on a CPU (Linux schedstat), so that a busy machine does not count.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}
