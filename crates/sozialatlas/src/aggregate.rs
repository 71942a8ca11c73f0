//! `sozialatlas aggregate`: geocoded records counted per area (METHODS §5).

use crate::UsageError;
use anyhow::Context;
use geo_types::MultiPolygon;
use indicatif::{ProgressBar, ProgressStyle};
use sozialatlas_aggregate::{
    AggregateOptions, Delimiter, IndexOptions, PolygonIndex, aggregate_csv,
};
use sozialatlas_store::Snapshot;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The areas: a level id of the store (or of the embedded demo), or a boundary file
    /// (GeoJSON, Shapefile, zipped Shapefile).
    #[arg(long)]
    pub areas: String,
    /// The store whose level is meant (default: the embedded demo).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// With a boundary file: the property holding the area key.
    #[arg(long)]
    pub key: Option<String>,
    /// With a boundary file without CRS information: its CRS (e.g. 25832).
    #[arg(long)]
    pub areas_crs: Option<String>,
    /// The records: a CSV file with coordinates.
    #[arg(long)]
    pub points: PathBuf,
    /// Column with the x coordinate (easting or longitude).
    #[arg(long)]
    pub x: String,
    /// Column with the y coordinate (northing or latitude).
    #[arg(long)]
    pub y: String,
    /// CRS of the coordinates (EPSG code such as 25832 or 4326).
    #[arg(long, default_value = "4326")]
    pub crs: String,
    /// Group columns (e.g. period,variable), counted separately.
    #[arg(long, value_delimiter = ',')]
    pub group: Vec<String>,
    /// Sum this column instead of counting records.
    #[arg(long)]
    pub weight: Option<String>,
    /// Field delimiter: auto, ";", "," or tab.
    #[arg(long, default_value = "auto")]
    pub delimiter: String,
    /// Skip records with unreadable coordinates (counted and reported) instead of failing.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Output CSV, or `-` for standard output.
    #[arg(long)]
    pub out: String,
    /// Grid cells of the point-in-polygon index per polygon edge. Default: automatic (at least 8
    /// per edge and 256 per average area, at most 4,194,304 cells); more cells answer more
    /// points with one lookup and take more memory.
    #[arg(long, value_name = "N")]
    pub cells_per_edge: Option<f64>,
    /// Worker threads (default: all cores).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
}

pub fn run(args: &Args, snap: Option<&Snapshot>) -> anyhow::Result<()> {
    if let Some(c) = args.cells_per_edge
        && !(c.is_finite() && c > 0.0)
    {
        return Err(UsageError(format!(
            "--cells-per-edge: expected a positive number, found {c}"
        ))
        .into());
    }
    let points_crs =
        sozialatlas_geo::resolve_crs(&args.crs).map_err(|e| UsageError(format!("--crs: {e}")))?;
    // The areas in the points' CRS. A level of the store is kept in WGS84 and is projected once; a
    // boundary file is read straight into the points' CRS, so when the file is already in it the
    // coordinates stay exactly as in the file (points on a border stay on it).
    let (areas, key_column): (Vec<(String, MultiPolygon<f64>)>, String) =
        match snap {
            Some(snap) => {
                let level = snap.tree.level_index(&args.areas).ok_or_else(|| {
                UsageError(format!(
                    "--areas: expected a boundary file or a level of the atlas ({}), found `{}`",
                    snap.tree.levels.iter().map(|l| l.id.as_str()).collect::<Vec<_>>().join(", "),
                    args.areas
                ))
            })?;
                let areas = snap
                    .tree
                    .areas_of_level(level)
                    .into_iter()
                    .filter_map(|a| {
                        snap.geometries[a]
                            .clone()
                            .map(|g| (snap.tree.areas[a].key.clone(), g))
                    })
                    .collect::<Vec<_>>();
                let tr = sozialatlas_geo::Transformer::from_crs(
                    &sozialatlas_geo::resolve_crs(sozialatlas_geo::WGS84)
                        .map_err(|e| UsageError(e.to_string()))?,
                    &points_crs,
                )
                .map_err(|e| UsageError(format!("--crs: {e}")))?;
                let mut projected = Vec::with_capacity(areas.len());
                for (k, g) in areas {
                    projected.push((
                        k,
                        tr.transform_multipolygon(&g)
                            .map_err(|e| UsageError(e.to_string()))?,
                    ));
                }
                (projected, snap.tree.levels[level].id.clone())
            }
            None => {
                let key = args.key.clone().ok_or_else(|| {
                    UsageError(
                        "--key: expected the property holding the area key of the boundary file"
                            .into(),
                    )
                })?;
                let opts = sozialatlas_geo::ReadOptions {
                    crs: args.areas_crs.clone(),
                    repair: false,
                    key_property: Some(key.clone()),
                    target_crs: Some(args.crs.clone()),
                };
                let layer = sozialatlas_geo::read_path(std::path::Path::new(&args.areas), &opts)
                    .map_err(|e| UsageError(e.to_string()))?;
                let mut areas = Vec::new();
                for f in layer.features {
                    let k = match f.properties.get(&key) {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(serde_json::Value::Number(n)) => n.to_string(),
                        _ => {
                            return Err(UsageError(format!(
                                "{}: feature {}: expected a property `{key}`, found none",
                                args.areas,
                                f.index + 1
                            ))
                            .into());
                        }
                    };
                    areas.push((k, f.geometry));
                }
                (areas, key)
            }
        };
    if areas.is_empty() {
        return Err(UsageError(format!(
            "--areas `{}`: no areas with a geometry",
            args.areas
        ))
        .into());
    }
    // The points are never transformed: the polygons went into their CRS once, above.
    let index_options = IndexOptions {
        cells_per_edge: args.cells_per_edge,
        ..IndexOptions::default()
    };
    let index = PolygonIndex::with_options(areas, index_options)
        .map_err(|e| UsageError(format!("--areas: {e}")))?;

    let file = std::fs::File::open(&args.points)
        .with_context(|| format!("opening {}", args.points.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let pb = ProgressBar::new(size);
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let mut opts = AggregateOptions::new(&args.x, &args.y);
    opts.group = args.group.clone();
    opts.weight = args.weight.clone();
    opts.skip_invalid = args.skip_invalid;
    opts.threads = args.threads;
    opts.delimiter = args
        .delimiter
        .parse::<Delimiter>()
        .map_err(|e| UsageError(format!("--delimiter: {e}")))?;
    let result = aggregate_csv(
        std::io::BufReader::with_capacity(1 << 20, file),
        &index,
        &opts,
        &|b| pb.set_position(b),
    )
    .map_err(|e| UsageError(format!("{}: {e}", args.points.display())))?;
    pb.finish_and_clear();

    let mut buf = Vec::new();
    result.write_csv(&mut buf, &key_column)?;
    if args.out == "-" {
        match std::io::stdout().lock().write_all(&buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    } else {
        let tmp = format!("{}.part", args.out);
        std::fs::write(&tmp, &buf).with_context(|| format!("writing {tmp}"))?;
        std::fs::rename(&tmp, &args.out).with_context(|| format!("writing {}", args.out))?;
    }
    eprintln!(
        "{} records: {} assigned to {} areas, {} outside every area, {} skipped.",
        result.records,
        result.assigned,
        index.len(),
        result.outside,
        result.skipped
    );
    if !result.outside_sample.is_empty() {
        eprintln!(
            "outside every area (first {}):",
            result.outside_sample.len()
        );
        for o in &result.outside_sample {
            eprintln!("  line {}: x = {}, y = {}", o.line, o.x, o.y);
        }
    }
    for s in &result.skipped_sample {
        eprintln!(
            "  skipped line {}, column `{}`: {} (`{}`)",
            s.line, s.column, s.reason, s.value
        );
    }
    Ok(())
}
