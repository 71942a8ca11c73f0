//! `sozialatlas regions`: contiguous regions (SKATER, max-p) from the areas of a level, printed,
//! stored as a run with `--db`, and saved into the atlas folder as an `[[overlay]]` on request.

use crate::UsageError;
use crate::analyse::{Common, f, left_out_line};
use sozialatlas_analysis::regions::Method;
use sozialatlas_core::locale::Locale;
use sozialatlas_runs::{FloorParam, RegionsParams, RegionsRun, RunError};
use sozialatlas_store::{Pool, Snapshot, StoredRun};
use std::path::{Path, PathBuf};

/// The method on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// A given number of regions, cut from the minimum spanning tree (deterministic).
    Skater,
    /// As many regions as the floor allows, then the most homogeneous (seeded).
    MaxP,
}

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  sozialatlas regions --db fl.db --level stadtteil --method skater --regions 4 \\\n      --indicators arbeitslosenanteil,sgb2_quote --min-population 8000\n  sozialatlas regions --db fl.db --level stadtteil --method max-p --seed 7 \\\n      --indicators arbeitslosenanteil,sgb2_quote --min-population 15000 \\\n      --save-overlay sozialraum --folder examples/flensburg\n\nWith --save-overlay the regions are written into the atlas folder (geo/ID.geojson with the\nboundaries dissolved from the members', ID_members.csv, an [[overlay]] in atlas.toml): the next\n`sozialatlas build` computes every indicator for them from their members."
)]
pub struct Args {
    #[command(flatten)]
    common: Common,
    /// Indicators (comma-separated ids), z-standardised.
    #[arg(long, value_delimiter = ',', required = true)]
    indicators: Vec<String>,
    /// skater (a given number of regions) or max-p (as many as the floor allows).
    #[arg(long, value_enum)]
    method: MethodArg,
    /// Number of regions (SKATER).
    #[arg(long)]
    regions: Option<usize>,
    /// Floor: at least this many inhabitants per region.
    #[arg(long)]
    min_population: Option<f64>,
    /// Floor: at least this many areas per region.
    #[arg(long)]
    min_areas: Option<usize>,
    /// At most this many inhabitants per region (the --population count, or the atlas'):
    /// SKATER cuts a region over it further (so there may be more than --regions), max-p
    /// builds none over it.
    #[arg(long)]
    max_population: Option<f64>,
    /// The indicator counting the inhabitants (default: the atlas' population count).
    #[arg(long)]
    population: Option<String>,
    /// Seed of max-p's random numbers, stored with the run.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Save the regions as an overlay with this id into the atlas folder given by --folder.
    #[arg(long, value_name = "ID")]
    save_overlay: Option<String>,
    /// The atlas folder the store was built from (with --save-overlay).
    #[arg(long)]
    folder: Option<PathBuf>,
}

impl Args {
    pub fn db(&self) -> Option<&Path> {
        self.common.db.as_deref()
    }
}

/// A refusal of the statistics, named by the option it is about.
fn usage(e: RunError, args: &Args) -> anyhow::Error {
    use sozialatlas_analysis::AnalysisError;
    let floor = if args.min_population.is_some() {
        "--min-population"
    } else {
        "--min-areas"
    };
    let text = match &e {
        RunError::Analysis(AnalysisError::InvalidSetting { name, reason }) => match name.as_str() {
            "k" => format!("--regions: {reason}"),
            "floor" => format!("{floor}: {reason}"),
            "max" => format!("--max-population: {reason}"),
            "neighbours" => format!("--level: {reason}"),
            _ => e.to_string(),
        },
        RunError::Analysis(AnalysisError::OverMaximum { .. }) => format!("--max-population: {e}"),
        _ => e.to_string(),
    };
    UsageError(text).into()
}

/// The parameters from the arguments, or the option that is wrong.
fn params(args: &Args, snap: &Snapshot) -> Result<RegionsParams, UsageError> {
    let method = match args.method {
        MethodArg::Skater => Method::Skater,
        MethodArg::MaxP => Method::MaxP,
    };
    match (method, args.regions) {
        (Method::Skater, None) => {
            return Err(UsageError(
                "--regions: expected the number of regions for --method skater, found none".into(),
            ));
        }
        (Method::MaxP, Some(k)) => {
            return Err(UsageError(format!(
                "--regions: expected none with --method max-p (it finds the number), found {k}"
            )));
        }
        _ => {}
    }
    let floor = match (args.min_population, args.min_areas) {
        (Some(_), Some(_)) => {
            return Err(UsageError(
                "--min-population, --min-areas: expected one floor, found both".into(),
            ));
        }
        (Some(min), None) => {
            if !(min.is_finite() && min >= 0.0) {
                return Err(UsageError(format!(
                    "--min-population: expected a number of inhabitants ≥ 0, found {min}"
                )));
            }
            let indicator = args
                .population
                .clone()
                .or_else(|| sozialatlas_runs::default_population_indicator(snap))
                .ok_or_else(|| {
                    UsageError(
                        "--population: expected the population count indicator (the atlas names none), found none"
                            .into(),
                    )
                })?;
            FloorParam::Population { indicator, min }
        }
        (None, Some(min)) => FloorParam::Areas { min },
        (None, None) if method == Method::Skater => FloorParam::Areas { min: 1 },
        (None, None) => {
            return Err(UsageError(
                "--min-population or --min-areas: expected the floor max-p maximises the number of regions under, found none"
                    .into(),
            ));
        }
    };
    if let Some(max) = args.max_population
        && !(max.is_finite() && max > 0.0)
    {
        return Err(UsageError(format!(
            "--max-population: expected a number of inhabitants > 0, found {max}"
        )));
    }
    if args.save_overlay.is_some() != args.folder.is_some() {
        return Err(UsageError(
            "--save-overlay, --folder: expected both (the overlay id and the atlas folder), found one"
                .into(),
        ));
    }
    Ok(RegionsParams {
        level: args
            .common
            .level
            .clone()
            .unwrap_or_else(|| crate::analyse::default_level(snap)),
        year: args
            .common
            .year
            .or(snap.periods.last().copied())
            .unwrap_or(0),
        indicators: args.indicators.clone(),
        method,
        regions: args.regions,
        floor,
        seed: args.seed,
        max_population: args.max_population,
    })
}

pub async fn run(
    args: Args,
    snap: &Snapshot,
    pool: Option<&Pool>,
    version: &str,
    now: &str,
) -> anyhow::Result<()> {
    let params = params(&args, snap)?;
    if let Some(id) = &args.save_overlay {
        sozialatlas_runs::check_overlay_id(snap, id)
            .map_err(|e| UsageError(format!("--save-overlay: {e}")))?;
    }
    // The folder is checked before the run, so a long run does not end in a refusal.
    if let (Some(id), Some(folder)) = (&args.save_overlay, &args.folder)
        && !folder.join("atlas.toml").is_file()
    {
        return Err(UsageError(format!(
            "--folder: expected an atlas folder with atlas.toml for overlay `{id}`, found {}",
            folder.display()
        ))
        .into());
    }
    let r = sozialatlas_runs::run_regions(snap, &params).map_err(|e| usage(e, &args))?;
    if args.common.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        print!("{}", table(&r, args.common.locale));
    }
    let mut run_id = None;
    if let Some(pool) = pool {
        let id = sozialatlas_store::save_run(
            pool,
            &StoredRun {
                id: 0,
                kind: "regions".into(),
                created_at: now.into(),
                load_id: snap.load.id,
                program_version: version.into(),
                params_json: serde_json::to_string(&r.params)?,
                result_json: serde_json::to_string(&r)?,
            },
        )
        .await?;
        eprintln!("stored as regions run {id}");
        run_id = Some(id);
    }
    if let (Some(id), Some(folder)) = (&args.save_overlay, &args.folder) {
        save_overlay(snap, &r, id, folder, run_id)?;
    }
    Ok(())
}

/// Writes the overlay's files into the folder and appends its tables to atlas.toml; refuses
/// to overwrite a file.
fn save_overlay(
    snap: &Snapshot,
    r: &RegionsRun,
    id: &str,
    folder: &Path,
    run_id: Option<i64>,
) -> anyhow::Result<()> {
    let files = sozialatlas_runs::overlay_files(snap, r, id, run_id)
        .map_err(|e| UsageError(format!("--save-overlay: {e}")))?;
    let toml_path = folder.join("atlas.toml");
    let text = std::fs::read_to_string(&toml_path)?;
    let doc: toml::Table = text
        .parse()
        .map_err(|e| UsageError(format!("--folder: {}: {e}", toml_path.display())))?;
    let taken = doc
        .get("overlay")
        .and_then(|o| o.as_array())
        .into_iter()
        .flatten()
        .any(|o| o.get("id").and_then(|v| v.as_str()) == Some(id));
    if taken {
        return Err(UsageError(format!(
            "--save-overlay: expected an overlay id new to {}, found `{id}` there",
            toml_path.display()
        ))
        .into());
    }
    for path in [&files.geojson_path, &files.membership_path] {
        if folder.join(path).exists() {
            return Err(UsageError(format!(
                "--save-overlay: expected no file {} yet (it would be overwritten), found one",
                folder.join(path).display()
            ))
            .into());
        }
    }
    if let Some(dir) = folder.join(&files.geojson_path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(folder.join(&files.geojson_path), &files.geojson)?;
    std::fs::write(folder.join(&files.membership_path), &files.membership)?;
    let mut out = text;
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out += &files.toml;
    std::fs::write(&toml_path, out)?;
    eprintln!(
        "saved as overlay `{id}` in {} ({}, {}); `sozialatlas build` loads it",
        toml_path.display(),
        files.geojson_path,
        files.membership_path
    );
    Ok(())
}

fn table(r: &RegionsRun, l: Locale) -> String {
    let p = &r.params;
    let g = &r.result;
    let method = match p.method {
        Method::Skater => "SKATER".to_string(),
        Method::MaxP => format!("max-p, {} {}", l.pick("Startwert", "seed"), p.seed),
    };
    let floor = match &p.floor {
        FloorParam::Population { indicator, min } => format!(
            "{} {} {} ({indicator})",
            l.pick("mindestens", "at least"),
            f(*min, 0, l),
            l.pick("Einwohner", "inhabitants")
        ),
        FloorParam::Areas { min } => format!(
            "{} {min} {}",
            l.pick("mindestens", "at least"),
            l.pick("Gebiete", "areas")
        ),
    } + &p
        .max_population
        .map(|max| {
            format!(
                ", {} {} {}",
                l.pick("höchstens", "at most"),
                f(max, 0, l),
                l.pick("Einwohner", "inhabitants")
            )
        })
        .unwrap_or_default();
    let mut out = format!(
        "{} {} {} {} {}, {} ({method}); {} {}; {}: {}\n",
        g.regions.len(),
        l.pick("Regionen aus", "regions from"),
        r.areas.len(),
        l.pick("Gebieten der Ebene", "areas of level"),
        p.level,
        p.year,
        l.pick("je Region", "per region"),
        floor,
        l.pick("Indikatoren", "indicators"),
        p.indicators.join(", "),
    );
    let share = |ssd: f64| {
        if g.total_ss > 0.0 {
            format!("{} %", f(100.0 * ssd / g.total_ss, 1, l))
        } else {
            "–".into()
        }
    };
    out += &format!(
        "{}: {} ({} {})\n",
        l.pick(
            "Quadratsumme innerhalb der Regionen",
            "within-region sum of squares"
        ),
        f(g.within_ss, 4, l),
        share(g.within_ss),
        l.pick("der Gesamtstreuung", "of the total")
    );
    out += &format!(
        "{}: {}\n\n",
        match p.method {
            Method::Skater => l.pick(
                "Zielfunktion (Quadratsumme innerhalb)",
                "objective (within-region SS)"
            ),
            Method::MaxP => l.pick(
                "Zielfunktion (paarweise City-Block-Distanzen innerhalb)",
                "objective (within-region pairwise city-block distances)"
            ),
        },
        f(g.objective, 4, l)
    );
    for (i, region) in g.regions.iter().enumerate() {
        let population = r
            .population
            .as_ref()
            .map(|p| format!(", {} {}", f(p[i], 0, l), l.pick("Einwohner", "inhabitants")))
            .unwrap_or_default();
        let profile: Vec<String> = p
            .indicators
            .iter()
            .zip(&region.mean)
            .map(|(id, z)| format!("{id} {}", f(*z, 2, l)))
            .collect();
        let members: Vec<&str> = region
            .members
            .iter()
            .map(|&m| r.areas[m].name.as_str())
            .collect();
        out += &format!(
            "Region {} ({} {}{population}; {} {}, {}; z: {})\n    {}\n",
            i + 1,
            region.members.len(),
            l.pick("Gebiete", "areas"),
            l.pick("Quadratsumme", "SS"),
            f(region.ssd, 4, l),
            share(region.ssd),
            profile.join(", "),
            members.join(", ")
        );
    }
    out += &left_out_line(
        &r.left_out,
        l.pick(
            "Nicht einbezogen (fehlende Werte oder Grenzen)",
            "Left out (missing values or boundaries)",
        ),
    );
    out
}
