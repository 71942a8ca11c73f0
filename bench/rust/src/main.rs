//! `sbench`: seeded input generators and in-process timings for `bench/run.sh`.
//!
//! ```text
//! sbench points OUT.csv N SEED              10 M records in EPSG:25832 inside Dortmund's bbox
//! sbench tessellation OUT.geojson NX NY SEED   NX*NY jittered cells covering the same bbox
//! sbench breaks N REPS VALUES.f64 BINS.txt  natural breaks k = 6 (exact), timed
//! sbench ward N REPS DATA.f64 HEIGHTS.f64   Ward clustering of N x 10, timed
//! sbench http-atlas koeln DIR SHARED_DATA   an atlas folder: Cologne's 86 Stadtteile (real data)
//! sbench http-atlas tessellation DIR NX NY SEED   an atlas folder: NX*NY generated cells
//! sbench ops-writers | ops-check | ops-storm | ops-probe …   the operations benchmark (ops.rs)
//! ```
//!
//! Every timing prints one machine-readable line `RESULT key=value ...` (seconds). The data
//! handed to the Python competitors are written as raw little-endian f64 (`numpy.fromfile`), so
//! both sides compute on the same bits.

use std::io::{BufWriter, Write};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sozialatlas_analysis::matrix::Matrix;
use sozialatlas_analysis::ward::ward;
use sozialatlas_classify::{Breaks, Closure, Scheme};

/// Bounding box of Dortmund's statistical districts in EPSG:25832 (ETRS89 / UTM 32N), metres,
/// rounded outwards: (382191.93, 5697133.65) – (405527.26, 5717740.63) by pyproj.
const BBOX: (f64, f64, f64, f64) = (382_190.0, 5_697_130.0, 405_530.0, 5_717_745.0);

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The SplitMix64 matrix of `crates/analysis/benches/ward.rs` (seed 42 here).
#[path = "../../../crates/analysis/benches/support/splitmix.rs"]
mod splitmix;

mod ops;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| -> Res<&str> {
        args.get(i).map(String::as_str).ok_or_else(|| {
            format!("missing argument {i}; see the doc comment of bench/rust/src/main.rs").into()
        })
    };
    match arg(0)? {
        "points" => points(arg(1)?, arg(2)?.parse()?, arg(3)?.parse()?),
        "tessellation" => tessellation(
            arg(1)?,
            arg(2)?.parse()?,
            arg(3)?.parse()?,
            arg(4)?.parse()?,
        ),
        "breaks" => breaks(arg(1)?.parse()?, arg(2)?.parse()?, arg(3)?, arg(4)?),
        "ward" => ward_cmd(arg(1)?.parse()?, arg(2)?.parse()?, arg(3)?, arg(4)?),
        "http-atlas" => match arg(1)? {
            "koeln" => koeln_atlas(arg(2)?, arg(3)?),
            "tessellation" => tessellation_atlas(
                arg(2)?,
                arg(3)?.parse()?,
                arg(4)?.parse()?,
                arg(5)?.parse()?,
            ),
            other => Err(format!("unknown atlas {other}").into()),
        },
        "ops-writers" => ops::writers(
            arg(1)?,
            arg(2)?.parse()?,
            arg(3)?.parse()?,
            arg(4)?,
            arg(5)?,
        )
        .map_err(|e| e as _),
        "ops-check" => ops::check(arg(1)?, arg(2)?).map_err(|e| e as _),
        "ops-storm" => ops::storm(arg(1)?, arg(2)?.parse()?, arg(3)?.parse()?).map_err(|e| e as _),
        "ops-probe" => ops::probe(arg(1)?, arg(2)?, arg(3)?.parse()?).map_err(|e| e as _),
        other => Err(format!("unknown command {other}").into()),
    }
}

/// Records as a city keeps them: an id, UTM coordinates to the centimetre, a period and a variable.
/// Uniform in the bounding box (about 58 % fall inside the city, the rest are reported outside).
fn points(path: &str, n: u64, seed: u64) -> Res<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "id,x,y,period,variable")?;
    let variables = ["sgb2", "u18", "65plus"];
    let (x0, y0, x1, y1) = BBOX;
    // Whole centimetres, drawn as integers so the text is exact.
    let (cx0, cx1) = ((x0 * 100.0) as i64, (x1 * 100.0) as i64);
    let (cy0, cy1) = ((y0 * 100.0) as i64, (y1 * 100.0) as i64);
    for i in 0..n {
        let x = rng.random_range(cx0..cx1);
        let y = rng.random_range(cy0..cy1);
        let period = 2019 + rng.random_range(0..6u32);
        let v = variables[rng.random_range(0..3usize)];
        writeln!(
            out,
            "{i},{}.{:02},{}.{:02},{period},{v}",
            x / 100,
            x % 100,
            y / 100,
            y % 100
        )?;
    }
    out.flush()?;
    Ok(())
}

/// A jittered grid: `nx * ny` cells over the bounding box (plus 10 m); interior grid vertices moved by up to
/// ±30 % of a cell, and every edge bent at its midpoint by up to ±15 % across, so each cell is an
/// irregular octagon. Neighbours share their vertices exactly (each is computed once and rounded
/// to the millimetre), so the cells tile the box without gaps or overlaps. GeoJSON with the legacy
/// `crs` member naming EPSG:25832; property `id` = "c" + row-major index.
fn tessellation(path: &str, nx: usize, ny: usize, seed: u64) -> Res<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // 10 m beyond the points' box on every side, so that no point lies on the outer boundary
    // (where GeoPandas' `within` and PostGIS' `ST_Contains` count it to no cell, by definition).
    let (x0, y0, x1, y1) = (BBOX.0 - 10.0, BBOX.1 - 10.0, BBOX.2 + 10.0, BBOX.3 + 10.0);
    let (w, h) = ((x1 - x0) / nx as f64, (y1 - y0) / ny as f64);
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;
    let mut jitter = |s: f64| rng.random_range(-s..s);
    // Grid vertices.
    let mut v = vec![(0.0, 0.0); (nx + 1) * (ny + 1)];
    for j in 0..=ny {
        for i in 0..=nx {
            let mut x = x0 + i as f64 * w;
            let mut y = y0 + j as f64 * h;
            if i > 0 && i < nx {
                x += jitter(0.3 * w);
            }
            if j > 0 && j < ny {
                y += jitter(0.3 * h);
            }
            if i == nx {
                x = x1;
            }
            if j == ny {
                y = y1;
            }
            v[j * (nx + 1) + i] = (mm(x), mm(y));
        }
    }
    let vx = |i: usize, j: usize| v[j * (nx + 1) + i];
    // Midpoints of horizontal edges (i, j)-(i+1, j), bent in y; of vertical edges, bent in x.
    let mut mh = vec![(0.0, 0.0); nx * (ny + 1)];
    for j in 0..=ny {
        for i in 0..nx {
            let (a, b) = (vx(i, j), vx(i + 1, j));
            let dy = if j > 0 && j < ny {
                jitter(0.15 * h)
            } else {
                0.0
            };
            mh[j * nx + i] = (mm((a.0 + b.0) / 2.0), mm((a.1 + b.1) / 2.0 + dy));
        }
    }
    let mut mv = vec![(0.0, 0.0); (nx + 1) * ny];
    for j in 0..ny {
        for i in 0..=nx {
            let (a, b) = (vx(i, j), vx(i, j + 1));
            let dx = if i > 0 && i < nx {
                jitter(0.15 * w)
            } else {
                0.0
            };
            mv[j * (nx + 1) + i] = (mm((a.0 + b.0) / 2.0 + dx), mm((a.1 + b.1) / 2.0));
        }
    }
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    write!(
        out,
        "{{\"type\":\"FeatureCollection\",\"name\":\"tessellation\",\"crs\":{{\"type\":\"name\",\
         \"properties\":{{\"name\":\"urn:ogc:def:crs:EPSG::25832\"}}}},\"features\":["
    )?;
    for j in 0..ny {
        for i in 0..nx {
            // Counter-clockwise: bottom, right, top (reversed), left (reversed).
            let ring = [
                vx(i, j),
                mh[j * nx + i],
                vx(i + 1, j),
                mv[j * (nx + 1) + i + 1],
                vx(i + 1, j + 1),
                mh[(j + 1) * nx + i],
                vx(i, j + 1),
                mv[j * (nx + 1) + i],
                vx(i, j),
            ];
            if i + j > 0 {
                write!(out, ",")?;
            }
            write!(
                out,
                "\n{{\"type\":\"Feature\",\"properties\":{{\"id\":\"c{:05}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[",
                j * nx + i
            )?;
            for (k, (x, y)) in ring.iter().enumerate() {
                if k > 0 {
                    write!(out, ",")?;
                }
                write!(out, "[{x:.3},{y:.3}]")?;
            }
            write!(out, "]]}}}}")?;
        }
    }
    writeln!(out, "\n]}}")?;
    out.flush()?;
    Ok(())
}

/// The distribution of `crates/classify/examples/time_natural_breaks.rs` (skewed, rate-like).
fn breaks_data(n: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(2011);
    (0..n)
        .map(|_| {
            let u: f64 = rng.random();
            40.0 * u * u + rng.random::<f64>()
        })
        .collect()
}

fn write_f64(path: &str, v: &[f64]) -> Res<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for x in v {
        out.write_all(&x.to_le_bytes())?;
    }
    out.flush()?;
    Ok(())
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    let m = t.len() / 2;
    if t.len() % 2 == 1 {
        t[m]
    } else {
        (t[m - 1] + t[m]) / 2.0
    }
}

fn breaks(n: usize, reps: usize, values_path: &str, bins_path: &str) -> Res<()> {
    let values = breaks_data(n);
    write_f64(values_path, &values)?;
    let scheme = Scheme::NaturalBreaks { k: 6 };
    let mut times = Vec::new();
    let mut bins = Vec::new();
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let b = Breaks::compute(std::hint::black_box(&values), &scheme, Closure::RightClosed)?;
        times.push(t.elapsed().as_secs_f64());
        bins = b.upper_bounds().to_vec();
    }
    let mut out = std::fs::File::create(bins_path)?;
    for b in &bins {
        writeln!(out, "{b:?}")?;
    }
    println!(
        "RESULT workload=breaks tool=sozialatlas n={n} first={:.6} median={:.6} reps={}",
        times[0],
        median(times.clone()),
        times.len()
    );
    Ok(())
}

fn ward_cmd(n: usize, reps: usize, data_path: &str, heights_path: &str) -> Res<()> {
    let v = splitmix::splitmix_rows(n, 42);
    write_f64(data_path, &v)?;
    let x = Matrix::new(n, splitmix::D, v)?;
    let mut times = Vec::new();
    let mut heights = Vec::new();
    for _ in 0..reps.max(1) {
        let t = Instant::now();
        let d = ward(std::hint::black_box(&x))?;
        times.push(t.elapsed().as_secs_f64());
        heights = d.merges.iter().map(|m| m.height).collect();
    }
    write_f64(heights_path, &heights)?;
    println!(
        "RESULT workload=ward tool=sozialatlas n={n} first={:.6} median={:.6} reps={}",
        times[0],
        median(times.clone()),
        times.len()
    );
    Ok(())
}

/// The catalogue of both HTTP atlases: residents, foreigners, and the share of foreigners.
const HTTP_CATALOGUE: &str = r#"# Catalogue of the HTTP benchmark atlases (bench/run.sh, workload http).
version = "bench-http-1"

[[dimension]]
id = "bevoelkerung"
name = { de = "Bevölkerung", en = "Population" }

[[variable]]
id = "einwohner"
name = { de = "Einwohner/-innen", en = "Residents" }

[[variable]]
id = "auslaender"
name = { de = "Ausländer/-innen", en = "Foreign nationals" }

[[indicator]]
id = "einwohner"
name = { de = "Einwohner/-innen", en = "Residents" }
dimension = "bevoelkerung"
unit = "Personen"
formula = "count"
variable = "einwohner"
polarity = "neutral"

[[indicator]]
id = "auslaenderanteil"
name = { de = "Ausländeranteil", en = "Share of foreign nationals" }
dimension = "bevoelkerung"
unit = "%"
formula = "ratio"
numerator = "auslaender"
denominator = "einwohner"
factor = 100
polarity = "neutral"
"#;

/// Cologne's 86 Stadtteile in 9 Stadtbezirken with residents and foreigners 2005–2012, from the
/// shared real data (only the Stadtteil rows: the atlas sums the rest itself).
fn koeln_atlas(dir: &str, shared: &str) -> Res<()> {
    let dir = std::path::Path::new(dir);
    let shared = std::path::Path::new(shared);
    std::fs::create_dir_all(dir)?;
    for f in ["koeln_stadtteile.geojson", "koeln_stadtbezirke.geojson"] {
        std::fs::copy(shared.join(f), dir.join(f))?;
    }
    let wide = std::fs::read_to_string(shared.join("koeln_bevoelkerung_wide.csv"))?;
    let mut lines = wide.lines();
    let header: Vec<&str> = lines.next().ok_or("empty table")?.split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .ok_or(format!("no column {name}"))
    };
    let (jahr, ebene, raum, ew, aus) = (
        col("jahr")?,
        col("ebene")?,
        col("raum_id")?,
        col("einwohner")?,
        col("auslaender")?,
    );
    let mut out = String::from("jahr,raum_id,einwohner,auslaender\n");
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        if f[ebene] == "stadtteil" {
            out.push_str(&format!("{},{},{},{}\n", f[jahr], f[raum], f[ew], f[aus]));
        }
    }
    std::fs::write(dir.join("stadtteile.csv"), out)?;
    std::fs::write(dir.join("catalogue.toml"), HTTP_CATALOGUE)?;
    std::fs::write(
        dir.join("atlas.toml"),
        r#"# Cologne for the HTTP benchmark (written by `sozialatlas-bench http-atlas koeln`).
[atlas]
name = { de = "Sozialatlas Köln (Benchmark)", en = "Cologne social atlas (benchmark)" }
city = "Köln"
stand = "31.12.2012"
licence = "CC BY 3.0 DE"
attribution = ["Datenquelle: Stadt Köln – Amt für Stadtentwicklung und Statistik, Offene Daten Köln (offenedaten-koeln.de), CC BY"]

[[level]]
id = "stadt"
name = { de = "Stadt", en = "City" }
areas = [{ key = "000", name = "Köln" }]

[[level]]
id = "stadtbezirk"
name = { de = "Stadtbezirk", en = "Borough" }
parent = "stadt"
boundaries = "koeln_stadtbezirke.geojson"
key = "stadtbezirk_nr"
name_property = "stadtbezirk"

[[level]]
id = "stadtteil"
name = { de = "Stadtteil", en = "District" }
parent = "stadtbezirk"
boundaries = "koeln_stadtteile.geojson"
key = "stadtteil_nr"
name_property = "stadtteil"
parent_key = "stadtbezirk_nr"

[[data]]
file = "stadtteile.csv"
level = "stadtteil"
area = "raum_id"
period = "jahr"
[data.variables]
einwohner = "einwohner"
auslaender = "auslaender"
"#,
    )?;
    Ok(())
}

/// NX*NY generated cells (the tessellation of the aggregation workload, over Dortmund's box) with
/// seeded residents and foreigners for 2022.
fn tessellation_atlas(dir: &str, nx: usize, ny: usize, seed: u64) -> Res<()> {
    let d = std::path::Path::new(dir);
    std::fs::create_dir_all(d)?;
    tessellation(&d.join("zellen.geojson").to_string_lossy(), nx, ny, seed)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed + 1);
    let mut out = String::from("zelle,jahr,einwohner,auslaender\n");
    for i in 0..nx * ny {
        let ew: u32 = rng.random_range(20..4000);
        let share: f64 = rng.random_range(0.02..0.45);
        out.push_str(&format!(
            "c{i:05},2022,{ew},{}\n",
            (f64::from(ew) * share).round()
        ));
    }
    std::fs::write(d.join("zellen.csv"), out)?;
    std::fs::write(d.join("catalogue.toml"), HTTP_CATALOGUE)?;
    std::fs::write(
        d.join("atlas.toml"),
        format!(
            r#"# {n} generated cells for the HTTP benchmark (`sozialatlas-bench http-atlas tessellation`).
[atlas]
name = {{ de = "Zellen (Benchmark)", en = "Cells (benchmark)" }}
city = "Benchmark"
stand = "31.12.2022"

[[level]]
id = "stadt"
name = {{ de = "Stadt", en = "City" }}
areas = [{{ key = "0", name = "Benchmark" }}]

[[level]]
id = "zelle"
name = {{ de = "Zelle", en = "Cell" }}
parent = "stadt"
boundaries = "zellen.geojson"
key = "id"

[[data]]
file = "zellen.csv"
level = "zelle"
area = "zelle"
period = "jahr"
[data.variables]
einwohner = "einwohner"
auslaender = "auslaender"
"#,
            n = nx * ny
        ),
    )?;
    Ok(())
}
