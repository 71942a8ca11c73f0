//! Generate a seeded points CSV and time the aggregation into Dortmund's statistical districts.
//!
//! ```text
//! cargo run --release -p sozialatlas-aggregate --example aggregate_10m -- generate /tmp/points_10m.csv 10000000 42
//! cargo run --release -p sozialatlas-aggregate --example aggregate_10m -- run /tmp/points_10m.csv /tmp/counts_rust.csv [threads] [cells_per_edge|auto] [areas.geojson key]
//! cargo run --release -p sozialatlas-aggregate --example aggregate_10m -- csv-crate /tmp/points_10m.csv
//! ```
//!
//! Points are uniform in the bounding box of Dortmund (WGS84 lon/lat, 7 decimals, used as planar
//! coordinates by both Sozialatlas and GeoPandas), with a period and a variable column.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use geo_types::{Geometry, MultiPolygon};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_aggregate::{AggregateOptions, IndexOptions, PolygonIndex, aggregate_csv};

const BBOX: (f64, f64, f64, f64) = (7.302451, 51.41572, 7.638118, 51.600053);

fn districts() -> Vec<(String, MultiPolygon<f64>)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../../shared/data/dortmund-gebietsgliederung/dortmund_statistische_bezirke.geojson",
    );
    areas_file(&path, "source_id")
}

/// The polygons of a GeoJSON file as they are (no reprojection), keyed by `key`.
fn areas_file(path: &std::path::Path, key: &str) -> Vec<(String, MultiPolygon<f64>)> {
    let text = std::fs::read_to_string(path).expect("areas file");
    let geojson::GeoJson::FeatureCollection(fc) = text.parse().expect("GeoJSON") else {
        panic!("expected a FeatureCollection")
    };
    fc.features
        .into_iter()
        .map(|f| {
            let key = f.property(key).expect("key property").to_string();
            let geom = f.geometry.expect("geometry");
            let mp = match Geometry::<f64>::try_from(&geom.value).expect("geometry") {
                Geometry::Polygon(p) => MultiPolygon(vec![p]),
                Geometry::MultiPolygon(mp) => mp,
                other => panic!("unexpected geometry {other:?}"),
            };
            (key, mp)
        })
        .collect()
}

fn generate(path: &str, n: u64, seed: u64) -> std::io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "id,x,y,period,variable")?;
    let variables = ["sgb2", "u18", "65plus"];
    let (x0, y0, x1, y1) = BBOX;
    for i in 0..n {
        let x = rng.random_range(x0..x1);
        let y = rng.random_range(y0..y1);
        let period = 2019 + rng.random_range(0..6u32);
        let v = variables[rng.random_range(0..3usize)];
        writeln!(out, "{i},{x:.7},{y:.7},{period},{v}")?;
    }
    out.flush()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("generate") => {
            let path = args.get(1).map_or("/tmp/points_10m.csv", String::as_str);
            let n = args.get(2).map_or(Ok(10_000_000), |s| s.parse())?;
            let seed = args.get(3).map_or(Ok(42), |s| s.parse())?;
            let t = Instant::now();
            generate(path, n, seed)?;
            println!("wrote {n} points to {path} in {:.2?}", t.elapsed());
        }
        Some("run") => {
            let path = args
                .get(1)
                .ok_or("run <points.csv> [out.csv] [threads] [cells_per_edge|auto] [areas key]")?;
            let out = args.get(2).map_or("/tmp/counts_rust.csv", String::as_str);
            let threads = args.get(3).map_or(Ok(0), |s| s.parse())?;
            let mut index_options = IndexOptions::default();
            match args.get(4).map(String::as_str) {
                None | Some("auto") => {}
                Some(s) => index_options.cells_per_edge = Some(s.parse()?),
            }
            let t0 = Instant::now();
            let areas = match (args.get(5), args.get(6)) {
                (Some(file), Some(key)) => areas_file(std::path::Path::new(file), key),
                _ => districts(),
            };
            let index = PolygonIndex::with_options(areas, index_options)?;
            let t_index = t0.elapsed();
            let opts = AggregateOptions {
                group: vec!["period".into(), "variable".into()],
                threads,
                ..AggregateOptions::new("x", "y")
            };
            let file = std::fs::File::open(path)?;
            let t1 = Instant::now();
            let result = aggregate_csv(file, &index, &opts, &|_| {})?;
            let t_agg = t1.elapsed();
            result.write_csv(BufWriter::new(std::fs::File::create(out)?), "source_id")?;
            let total = t0.elapsed();
            let (nx, ny, direct) = index.grid_stats();
            println!(
                "index {t_index:.2?} (grid {nx}x{ny}, {:.1}% cells direct, {:.1} MB), aggregate {t_agg:.2?} \
                 ({:.1} M records/s, {:.0} MB/s), end-to-end {total:.2?}",
                direct * 100.0,
                index.grid_bytes() as f64 / 1e6,
                result.records as f64 / t_agg.as_secs_f64() / 1e6,
                result.bytes as f64 / t_agg.as_secs_f64() / 1e6
            );
            println!(
                "records {} assigned {} outside {} (first at line {:?}) -> {out}",
                result.records,
                result.assigned,
                result.outside,
                result.outside_sample.first().map(|o| o.line)
            );
        }
        Some("csv-crate") => {
            // Baseline: the csv crate, one thread, same work per record.
            let path = args.get(1).ok_or("csv-crate <points.csv>")?;
            let index = PolygonIndex::new(districts())?;
            let t = Instant::now();
            let mut rdr = csv::Reader::from_path(path)?;
            let mut rec = csv::ByteRecord::new();
            let mut counts = vec![0u64; index.len() + 1];
            while rdr.read_byte_record(&mut rec)? {
                let x: f64 = std::str::from_utf8(&rec[1])?.parse()?;
                let y: f64 = std::str::from_utf8(&rec[2])?.parse()?;
                counts[index.locate(x, y).unwrap_or(index.len())] += 1;
            }
            println!(
                "csv crate, 1 thread: {:.2?} for {} records",
                t.elapsed(),
                counts.iter().sum::<u64>()
            );
        }
        _ => eprintln!("usage: aggregate_10m generate|run|csv-crate ..."),
    }
    Ok(())
}
