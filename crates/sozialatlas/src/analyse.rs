//! `sozialatlas analyse`: the index, the typology and Moran's I from the command line. With
//! `--db` every run is stored (parameters, load, result) and its id printed.

use crate::UsageError;
use sozialatlas_analysis::pca::PcaSetting;
use sozialatlas_core::locale::{Locale, format_decimal};
use sozialatlas_runs::{IndexParams, MoranParams, RunError, TypologyParams};
use sozialatlas_store::{Pool, Snapshot, StoredRun};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Composite status/dynamics index (Berlin MSS method): z-values, indices, 4 × 3 classes.
    #[command(
        after_help = "Example:\n  sozialatlas analyse index --level stadtteil --year 2022 --from 2020 \\\n      --status arbeitslosenanteil,sgb2_quote,nef_quote --dynamics arbeitslosenanteil,sgb2_quote,nef_quote"
    )]
    Index {
        #[command(flatten)]
        common: Common,
        /// Status indicators (comma-separated ids).
        #[arg(long, value_delimiter = ',', required = true)]
        status: Vec<String>,
        /// Dynamics indicators: their change from --from to --year.
        #[arg(long, value_delimiter = ',')]
        dynamics: Vec<String>,
        /// Start year of the dynamics (default: two years before --year).
        #[arg(long)]
        from: Option<i32>,
        /// Areas with fewer inhabitants are left out.
        #[arg(long, default_value_t = 300.0)]
        min_population: f64,
        /// The indicator counting the inhabitants (default: the atlas' population count).
        #[arg(long)]
        population: Option<String>,
    },
    /// Typology: Ward clustering of polarity-aligned z-values, clusters ordered from best to
    /// worst, proposed action areas.
    #[command(
        after_help = "Example:\n  sozialatlas analyse typology --level stadtteil --year 2022 --k 3 \\\n      --indicators arbeitslosenanteil,sgb2_quote,nef_quote,wohngeld,beschaeftigtenquote"
    )]
    Typology {
        #[command(flatten)]
        common: Common,
        /// Indicators (comma-separated ids).
        #[arg(long, value_delimiter = ',', required = true)]
        indicators: Vec<String>,
        /// Number of clusters.
        #[arg(long, default_value_t = 5)]
        k: usize,
        /// Principal components first: off, kaiser, or a number.
        #[arg(long, default_value = "off")]
        pca: String,
        /// Refine the Ward clusters by k-means (at most this many iterations).
        #[arg(long)]
        kmeans: Option<usize>,
        /// Recorded with the run.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Global Moran's I and local Moran (LISA), queen contiguity, row-standardised.
    Moran {
        #[command(flatten)]
        common: Common,
        /// The indicator.
        #[arg(long)]
        indicator: String,
        /// Permutations.
        #[arg(long, default_value_t = 999)]
        permutations: usize,
        /// Seed of the permutations.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Significance level.
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        /// False-discovery-rate correction.
        #[arg(long)]
        fdr: bool,
    },
}

#[derive(clap::Args)]
pub struct Common {
    /// The store (default: the embedded demo; runs are stored only with a store).
    #[arg(long)]
    pub(crate) db: Option<PathBuf>,
    /// The level (default: the finest level with data).
    #[arg(long)]
    pub(crate) level: Option<String>,
    /// The year (default: the latest).
    #[arg(long)]
    pub(crate) year: Option<i32>,
    /// Output language.
    #[arg(long, default_value = "de")]
    pub(crate) locale: Locale,
    /// Print the run as JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

impl Command {
    pub fn db(&self) -> Option<&Path> {
        match self {
            Command::Index { common, .. }
            | Command::Typology { common, .. }
            | Command::Moran { common, .. } => common.db.as_deref(),
        }
    }
}

/// The finest non-overlay level that has any published value.
pub(crate) fn default_level(snap: &Snapshot) -> String {
    let depths = snap.tree.level_depths().unwrap_or_default();
    let mut best: Option<(usize, usize)> = None;
    for v in snap.values.iter().filter(|v| v.published().is_some()) {
        let l = snap.tree.areas[v.area].level;
        if snap.tree.levels[l].overlay {
            continue;
        }
        let d = depths.get(l).copied().unwrap_or(0);
        if best.is_none_or(|(bd, _)| d > bd) {
            best = Some((d, l));
        }
    }
    best.map(|(_, l)| snap.tree.levels[l].id.clone())
        .unwrap_or_default()
}

fn usage(e: RunError) -> anyhow::Error {
    UsageError(e.to_string()).into()
}

pub async fn run(
    cmd: Command,
    snap: &Snapshot,
    pool: Option<&Pool>,
    version: &str,
    now: &str,
) -> anyhow::Result<()> {
    let (common, kind, params_json, result_json, text) = match cmd {
        Command::Index {
            common,
            status,
            dynamics,
            from,
            min_population,
            population,
        } => {
            let year = common.year.or(snap.periods.last().copied()).unwrap_or(0);
            let mut params = IndexParams::new(
                common.level.clone().unwrap_or_else(|| default_level(snap)),
                year,
                status,
                dynamics,
                from.unwrap_or(year - 2),
                population
                    .or_else(|| sozialatlas_runs::default_population_indicator(snap))
                    .ok_or_else(|| {
                        UsageError(
                            "--population: the atlas names no population count; give the indicator"
                                .into(),
                        )
                    })?,
            );
            params.min_population = min_population;
            let r = sozialatlas_runs::run_index(snap, &params).map_err(usage)?;
            let text = index_table(&r, common.locale);
            (
                common,
                "index",
                serde_json::to_string(&r.params)?,
                serde_json::to_string(&r)?,
                text,
            )
        }
        Command::Typology {
            common,
            indicators,
            k,
            pca,
            kmeans,
            seed,
        } => {
            let pca = match pca.as_str() {
                "off" => PcaSetting::Off,
                "kaiser" => PcaSetting::Kaiser,
                n => PcaSetting::Components(n.parse().map_err(|_| {
                    UsageError(format!(
                        "--pca: expected off, kaiser or a number, found `{n}`"
                    ))
                })?),
            };
            let params = TypologyParams {
                level: common.level.clone().unwrap_or_else(|| default_level(snap)),
                year: common.year.or(snap.periods.last().copied()).unwrap_or(0),
                indicators,
                k,
                pca,
                kmeans,
                seed,
            };
            let r = sozialatlas_runs::run_typology(snap, &params).map_err(usage)?;
            let text = typology_table(&r, common.locale);
            (
                common,
                "typology",
                serde_json::to_string(&r.params)?,
                serde_json::to_string(&r)?,
                text,
            )
        }
        Command::Moran {
            common,
            indicator,
            permutations,
            seed,
            alpha,
            fdr,
        } => {
            let params = MoranParams {
                indicator,
                level: common.level.clone().unwrap_or_else(|| default_level(snap)),
                year: common.year.or(snap.periods.last().copied()).unwrap_or(0),
                permutations,
                seed,
                alpha,
                fdr,
            };
            let r = sozialatlas_runs::run_moran(snap, &params).map_err(usage)?;
            let text = moran_table(&r, common.locale);
            (
                common,
                "moran",
                serde_json::to_string(&r.params)?,
                serde_json::to_string(&r)?,
                text,
            )
        }
    };
    if common.json {
        println!("{result_json}");
    } else {
        print!("{text}");
    }
    if let Some(pool) = pool {
        let id = sozialatlas_store::save_run(
            pool,
            &StoredRun {
                id: 0,
                kind: kind.into(),
                created_at: now.into(),
                load_id: snap.load.id,
                program_version: version.into(),
                params_json,
                result_json,
            },
        )
        .await?;
        eprintln!("stored as {kind} run {id}");
    }
    Ok(())
}

pub(crate) fn f(x: f64, d: usize, l: Locale) -> String {
    format_decimal(x, d, l)
}

/// The line naming the areas a run left out (`why: names`), or nothing.
pub(crate) fn left_out_line(left_out: &[sozialatlas_runs::RunArea], why: &str) -> String {
    if left_out.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = left_out.iter().map(|a| a.name.as_str()).collect();
    format!("{why}: {}\n", names.join(", "))
}

fn index_table(r: &sozialatlas_runs::IndexRun, l: Locale) -> String {
    let mut out = String::new();
    let p = &r.params;
    // Without dynamics indicators the index is the status alone: no dynamics class and no
    // combined group is claimed.
    let has_dynamics = !p.dynamics.is_empty();
    let dynamics = if has_dynamics {
        format!("{} {}–{}", l.pick("Dynamik", "dynamics"), p.from, p.year)
    } else {
        l.pick(
            "Dynamik nicht verfügbar (keine Dynamik-Indikatoren, --dynamics)",
            "dynamics not available (no dynamics indicators, --dynamics)",
        )
        .to_string()
    };
    out += &format!(
        "{} {} {}, {}: {} {}, {dynamics}\n",
        l.pick("Index für", "Index for"),
        r.areas.len(),
        l.pick("Gebiete der Ebene", "areas of level"),
        p.level,
        l.pick("Status", "status"),
        p.year,
    );
    let row = |key: &str,
               name: &str,
               status: String,
               class: &str,
               dynamics: String,
               dclass: &str,
               group: String| {
        if has_dynamics {
            format!(
                "{key:<8} {name:<28} {status:>8} {class:<14} {dynamics:>8} {dclass:<10} {group}\n"
            )
        } else {
            format!("{key:<8} {name:<28} {status:>8} {class}")
                .trim_end()
                .to_string()
                + "\n"
        }
    };
    out += &row(
        l.pick("Schlüssel", "key"),
        l.pick("Gebiet", "area"),
        "Status".into(),
        "",
        l.pick("Dynamik", "Dynamics").into(),
        "",
        l.pick("Gruppe", "group").into(),
    );
    let mut counts = std::collections::BTreeMap::new();
    for (a, res) in r.areas.iter().zip(&r.result.areas) {
        match res {
            Ok(ix) => {
                let (sl, dl) = match l {
                    Locale::De => (ix.status_class.label_de(), ix.dynamics_class.label_de()),
                    Locale::En => (ix.status_class.label_en(), ix.dynamics_class.label_en()),
                };
                let group = if has_dynamics {
                    ix.combined.code().to_string()
                } else {
                    sl.to_string()
                };
                *counts.entry(group.clone()).or_insert(0) += 1;
                out += &row(
                    &a.key,
                    &a.name,
                    f(ix.status_index, 2, l),
                    sl,
                    f(ix.dynamics_index, 2, l),
                    dl,
                    group,
                );
            }
            Err(e) => {
                out += &format!(
                    "{:<8} {:<28} {}\n",
                    a.key,
                    a.name,
                    l.pick("nicht einbezogen: ", "not included: ").to_string() + &format!("{e:?}")
                );
            }
        }
    }
    out += &format!(
        "{}:",
        if has_dynamics {
            l.pick("Gruppen", "Groups")
        } else {
            l.pick("Statusklassen", "Status classes")
        }
    );
    let mut first = true;
    for (c, n) in counts {
        out += &format!("{} {c} {n}", if has_dynamics || first { "" } else { "," });
        first = false;
    }
    out += "\n";
    for w in &r.result.warnings {
        out += &format!("{}: {w}\n", l.pick("Hinweis", "note"));
    }
    out
}

fn typology_table(r: &sozialatlas_runs::TypologyRun, l: Locale) -> String {
    let t = &r.result;
    let mut out = format!(
        "{} {} {}, {} {}, k = {}\n\n",
        l.pick("Typologie von", "Typology of"),
        r.areas.len(),
        l.pick("Gebieten", "areas"),
        r.params.level,
        r.params.year,
        r.params.k
    );
    out += &match &t.groups {
        None => format!(
            "{}\n\n",
            l.pick(
                "Verfahren: Ward auf allen Gebieten",
                "Method: Ward's method on every area"
            )
        ),
        Some(g) => format!(
            "{} {} {} {} {}\n\n",
            l.pick(
                "Verfahren: Ward auf einer Vorgruppierung,",
                "Method: Ward's method on a pre-clustering,"
            ),
            g.len(),
            l.pick("Gruppen aus je bis zu", "groups of up to"),
            g.max_size,
            l.pick(
                "ähnlichen Gebieten, gewichtet mit ihrer Größe",
                "similar areas, weighted by their sizes"
            )
        ),
    };
    out += &format!(
        "{}\n",
        l.pick(
            "k   Calinski-Harabasz   Quadratsumme innerhalb",
            "k   Calinski-Harabasz   within-cluster SS"
        )
    );
    for s in &t.k_scores {
        out += &format!(
            "{:<3} {:>17} {:>24}\n",
            s.k,
            f(s.calinski_harabasz, 2, l),
            f(s.within_ss, 2, l)
        );
    }
    out += "\n";
    for c in &t.clusters {
        let members: Vec<&str> = t
            .membership
            .iter()
            .enumerate()
            .filter(|(_, m)| **m == c.number)
            .map(|(i, _)| r.areas[i].name.as_str())
            .collect();
        out += &format!(
            "Cluster {} ({} {}): {}{}\n    {}\n",
            c.number,
            c.size,
            l.pick("Gebiete", "areas"),
            l.pick(&c.description_de, &c.description_en),
            if c.action_area_candidate {
                l.pick(
                    " — vorgeschlagen als Aktionsraum",
                    " — proposed as action area",
                )
            } else {
                ""
            },
            members.join(", ")
        );
    }
    let proposed: Vec<&str> = t
        .proposed_action_areas
        .iter()
        .map(|&i| r.areas[i].name.as_str())
        .collect();
    out += &format!(
        "\n{}: {}\n",
        l.pick("Vorgeschlagene Aktionsräume", "Proposed action areas"),
        proposed.join(", ")
    );
    out += &left_out_line(
        &r.left_out,
        l.pick(
            "Nicht einbezogen (fehlende Werte)",
            "Left out (missing values)",
        ),
    );
    for w in &t.warnings {
        out += &format!("{}: {w}\n", l.pick("Hinweis", "note"));
    }
    out
}

fn moran_table(r: &sozialatlas_runs::MoranRun, l: Locale) -> String {
    let g = &r.global;
    let mut out = format!(
        "Moran's I = {} (E[I] = {}, p = {} {} {} {})\n",
        f(g.i, 4, l),
        f(g.expected, 4, l),
        f(g.p_sim, 4, l),
        l.pick("bei", "with"),
        r.params.permutations,
        l.pick("Permutationen", "permutations")
    );
    for (a, c) in r.areas.iter().zip(&r.clusters) {
        let q = c
            .map(|q| format!("{q:?}"))
            .unwrap_or_else(|| l.pick("nicht signifikant", "not significant").into());
        out += &format!("{:<8} {:<28} {}\n", a.key, a.name, q);
    }
    if !r.islands.is_empty() {
        let names: Vec<&str> = r.islands.iter().map(|a| a.name.as_str()).collect();
        out += &format!(
            "{}: {}\n",
            l.pick("Ohne Nachbarn", "Islands"),
            names.join(", ")
        );
    }
    out
}
