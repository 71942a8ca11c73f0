//! `sozialatlas action-areas`: the sets of action areas (Aktionsräume) in a store — list them,
//! import an overlay level as a set, or confirm the proposal of a stored typology run.

use crate::UsageError;
use sozialatlas_runs::{RunError, TypologyRun};
use sozialatlas_store::{ActionAreaSet, ActionAreaSource, NewActionArea, Pool, Snapshot};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand)]
pub enum Command {
    /// List the stored sets, newest (current) first, with their action areas.
    #[command(after_help = "Example:\n  sozialatlas action-areas list --db do.db")]
    List {
        #[command(flatten)]
        common: Common,
        /// Print the sets as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Save an overlay level of the atlas as a new set: one action area per overlay area.
    #[command(
        after_help = "Example:\n  sozialatlas action-areas from-overlay aktionsraum --db do.db"
    )]
    FromOverlay {
        /// The overlay level (id).
        level: String,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        set: SetArgs,
    },
    /// Save the proposed action areas of a stored typology run as a new set, optionally
    /// dropping (--exclude) or adding (--include) areas by key.
    #[command(
        after_help = "Example:\n  sozialatlas analyse typology --db fl.db --k 3 --indicators sgb2_quote,nef_quote,wohngeld\n  sozialatlas action-areas from-run 1 --db fl.db --exclude 07 --include 12"
    )]
    FromRun {
        /// The id of a stored typology run (`sozialatlas analyse typology --db …` prints it).
        run: i64,
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        set: SetArgs,
        /// Keys of proposed areas to leave out.
        #[arg(long, value_delimiter = ',')]
        exclude: Vec<String>,
        /// Keys of further areas of the run's level to add.
        #[arg(long, value_delimiter = ',')]
        include: Vec<String>,
    },
}

#[derive(clap::Args)]
pub struct Common {
    /// The store.
    #[arg(long)]
    db: PathBuf,
}

#[derive(clap::Args)]
pub struct SetArgs {
    /// The set's name (default: says where it comes from).
    #[arg(long)]
    name: Option<String>,
    /// A note kept with the set.
    #[arg(long)]
    note: Option<String>,
}

impl Command {
    pub fn db(&self) -> &Path {
        match self {
            Command::List { common, .. }
            | Command::FromOverlay { common, .. }
            | Command::FromRun { common, .. } => &common.db,
        }
    }
}

fn usage(e: RunError) -> anyhow::Error {
    UsageError(e.to_string()).into()
}

pub async fn run(cmd: Command, snap: &Snapshot, pool: &Pool) -> anyhow::Result<()> {
    let (name, level, source, run_id, note, areas) = match cmd {
        Command::List { json, .. } => {
            let sets = sozialatlas_store::list_action_area_sets(pool).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&sets)?);
            } else if sets.is_empty() {
                println!(
                    "No action-area sets yet (save one with `action-areas from-overlay` or `from-run`)."
                );
            } else {
                for (i, s) in sets.iter().enumerate() {
                    print!("{}", describe(s, snap, i == 0));
                }
            }
            return Ok(());
        }
        Command::FromOverlay { level, set, .. } => {
            let areas = sozialatlas_runs::action_areas_from_overlay(snap, &level).map_err(usage)?;
            let name = set
                .name
                .unwrap_or_else(|| format!("{} ({level})", level_name(snap, &level)));
            (
                name,
                level,
                ActionAreaSource::Overlay,
                None,
                set.note,
                areas,
            )
        }
        Command::FromRun {
            run,
            set,
            exclude,
            include,
            ..
        } => {
            let stored = sozialatlas_store::get_run(pool, run).await?.ok_or_else(|| {
                UsageError(format!(
                    "there is no stored run {run} (`sozialatlas analyse typology --db …` stores one and prints its id)"
                ))
            })?;
            if stored.kind != "typology" {
                return Err(UsageError(format!(
                    "run {run} is a {} run; action areas come from a typology run",
                    stored.kind
                ))
                .into());
            }
            let t: TypologyRun = serde_json::from_str(&stored.result_json)
                .map_err(|e| anyhow::anyhow!("run {run}: its stored result is unreadable ({e})"))?;
            let areas =
                sozialatlas_runs::edit_proposal(snap, &t, &exclude, &include).map_err(usage)?;
            let name = set.name.unwrap_or_else(|| {
                format!("Typology run {run} (k = {}, {})", t.params.k, t.params.year)
            });
            (
                name,
                t.params.level.clone(),
                ActionAreaSource::Typology,
                Some(run),
                set.note,
                areas,
            )
        }
    };
    sozialatlas_runs::check_action_areas(snap, &level, &areas).map_err(usage)?;
    let id = save(pool, &name, &level, source, run_id, note.as_deref(), &areas).await?;
    let set = sozialatlas_store::get_action_area_set(pool, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("set {id} vanished after saving"))?;
    print!("{}", describe(&set, snap, true));
    eprintln!("stored as action-area set {id}");
    Ok(())
}

async fn save(
    pool: &Pool,
    name: &str,
    level: &str,
    source: ActionAreaSource,
    run_id: Option<i64>,
    note: Option<&str>,
    areas: &[NewActionArea],
) -> anyhow::Result<i64> {
    match sozialatlas_store::save_action_area_set(
        pool, name, level, source, run_id, note, None, areas,
    )
    .await
    {
        Err(sozialatlas_store::StoreError::Invalid(m)) => Err(UsageError(m).into()),
        other => Ok(other?),
    }
}

fn level_name(snap: &Snapshot, level: &str) -> String {
    snap.tree
        .level_index(level)
        .map(|l| snap.tree.levels[l].name.de.clone())
        .unwrap_or_else(|| level.to_string())
}

/// Area names of a level by key, for readable member lists.
fn area_name<'a>(snap: &'a Snapshot, level: &str, key: &'a str) -> &'a str {
    snap.tree
        .level_index(level)
        .and_then(|l| {
            snap.tree
                .areas
                .iter()
                .find(|a| a.level == l && a.key == key)
        })
        .map_or(key, |a| a.name.as_str())
}

fn describe(s: &ActionAreaSet, snap: &Snapshot, current: bool) -> String {
    let mut out = format!(
        "Set {}: {}{} — {} {}, level {}, {} action areas, {}\n",
        s.id,
        s.name,
        if current { " (current)" } else { "" },
        s.source.as_str(),
        s.run_id.map(|r| format!("run {r}")).unwrap_or_default(),
        s.level,
        s.areas.len(),
        s.created_at
    );
    if let Some(n) = &s.note {
        out += &format!("  note: {n}\n");
    }
    for a in &s.areas {
        let members: Vec<String> = a
            .members
            .iter()
            .map(|m| format!("{m} {}", area_name(snap, &s.level, m)))
            .collect();
        out += &format!("  {:<6} {:<30} {}\n", a.key, a.name, members.join(", "));
    }
    out
}
