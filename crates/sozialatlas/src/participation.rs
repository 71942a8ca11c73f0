//! `sozialatlas participation …`: the staff's work on participation from the command line —
//! the processes, their ideas and measures at a glance, the council export, and the bulk
//! progress update of measures from a CSV or XLSX file. Every rule stays in the
//! participation crate: the update acts as the account named with `--as`, which must be a
//! process manager (or administrator), and goes into the audit log under that account.

use crate::UsageError;
use clap::{Subcommand, ValueEnum};
use sozialatlas_core::Locale;
use sozialatlas_import::ImportErrors;
use sozialatlas_participation::idea::{IdeaFilter, Scope, Sort};
use sozialatlas_participation::measure::{self, Measure};
use sozialatlas_participation::{Actor, Error, IdeaState, Process, clock, export, idea, process};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Output format of the council export.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportFormat {
    /// CSV (German: `;` and UTF-8 with BOM; English: `,`).
    Csv,
    /// XLSX workbook.
    Xlsx,
}

/// Language of the export.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Lang {
    /// German.
    De,
    /// English.
    En,
}

impl From<Lang> for Locale {
    fn from(l: Lang) -> Locale {
        match l {
            Lang::De => Locale::De,
            Lang::En => Locale::En,
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// List the participation processes: phase today, ideas by state, measures.
    #[command(after_help = "Example:\n  sozialatlas participation processes --db atlas.db")]
    Processes {
        /// The store.
        #[arg(long)]
        db: PathBuf,
    },
    /// List the ideas of a process (every idea handed in, hidden ones marked; no author data).
    #[command(
        after_help = "States: submitted, published, under_review, accepted, rejected, merged, withdrawn.\n\nExample:\n  sozialatlas participation ideas --db atlas.db --process 1 --state accepted"
    )]
    Ideas {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The process id (see `sozialatlas participation processes`).
        #[arg(long)]
        process: i64,
        /// Only this action area (its id).
        #[arg(long)]
        area: Option<i64>,
        /// Only this field of action (its id).
        #[arg(long)]
        field: Option<i64>,
        /// Only this state.
        #[arg(long)]
        state: Option<String>,
        /// Words to find in reference, title or description.
        #[arg(long, default_value = "")]
        search: String,
    },
    /// The council export: public ideas with state, answer, supports, area and field.
    #[command(
        after_help = "The same file as the download on the process page (no author data).\n\nExample:\n  sozialatlas participation export --db atlas.db --process 1 --format xlsx --out ideen.xlsx"
    )]
    Export {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The process id.
        #[arg(long)]
        process: i64,
        /// csv or xlsx.
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Language of headers and states.
        #[arg(long, value_enum, default_value = "de")]
        locale: Lang,
        /// Output file, or `-` for standard output.
        #[arg(long)]
        out: PathBuf,
    },
    /// List the measures of a process with status, progress (rolled up) and budget.
    #[command(
        after_help = "Example:\n  sozialatlas participation measures --db atlas.db --process 1"
    )]
    Measures {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The process id.
        #[arg(long)]
        process: i64,
    },
    /// Write the progress template: one line per measure without parts, with today's date.
    #[command(
        after_help = "Fill in Fortschritt (0–100), Status and Notiz, then load it with `participation progress`.\n\nExample:\n  sozialatlas participation progress-template --db atlas.db --process 1 --out fortschritt.csv"
    )]
    ProgressTemplate {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The process id.
        #[arg(long)]
        process: i64,
        /// Output file, or `-` for standard output.
        #[arg(long)]
        out: PathBuf,
    },
    /// Update the progress of many measures at once from a CSV or XLSX file: all rows or none.
    #[command(
        after_help = "Columns: Kennung (code), Fortschritt (progress), Status, Datum (date), Notiz (note).\nEvery row is checked first; one bad row changes nothing and every problem is named with line and column.\n\nExample:\n  sozialatlas participation progress --db atlas.db --process 1 --file fortschritt.csv --as pm@stadt.example"
    )]
    Progress {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The process id.
        #[arg(long)]
        process: i64,
        /// The file (CSV with `;` or `,`, UTF-8 or Windows-1252; or XLSX).
        #[arg(long)]
        file: PathBuf,
        /// The e-mail address of the process manager the updates are made as.
        #[arg(long = "as")]
        as_user: String,
        /// Check the file and print what would change, without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

impl Command {
    fn db(&self) -> &Path {
        match self {
            Command::Processes { db }
            | Command::Ideas { db, .. }
            | Command::Export { db, .. }
            | Command::Measures { db, .. }
            | Command::ProgressTemplate { db, .. }
            | Command::Progress { db, .. } => db,
        }
    }
}

/// The participation crate's errors as the CLI reports them: wrong input exits with 2, upload
/// problems are listed one per line with file, line and column.
fn report(e: Error) -> anyhow::Error {
    match e {
        Error::Upload(errs) => ImportErrors(errs).into(),
        Error::NotFound(_)
        | Error::Denied(_)
        | Error::Invalid(_)
        | Error::Transition { .. }
        | Error::Conflict(_)
        | Error::PhaseClosed(_) => UsageError(e.to_string()).into(),
        other => other.into(),
    }
}

async fn the_process(pool: &sozialatlas_store::Pool, id: i64) -> anyhow::Result<Process> {
    process::get_process(pool, id)
        .await
        .map_err(report)?
        .ok_or_else(|| {
            UsageError(format!(
                "--process {id}: no such process (see `sozialatlas participation processes`)"
            ))
            .into()
        })
}

fn write_out(out: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if out == Path::new("-") {
        std::io::stdout().write_all(bytes)?;
        return Ok(());
    }
    // Written next to the target and renamed: a failure leaves no half-written file.
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty());
    let tmp = out.with_extension("part");
    std::fs::write(&tmp, bytes).map_err(|e| {
        UsageError(format!(
            "{}: cannot write ({e}){}",
            out.display(),
            dir.map(|d| format!("; does {} exist?", d.display()))
                .unwrap_or_default()
        ))
    })?;
    std::fs::rename(&tmp, out)?;
    eprintln!("{}: {} bytes", out.display(), bytes.len());
    Ok(())
}

/// The acting account for `--as`: it must exist and be active; the participation crate checks
/// its role.
async fn actor(pool: &sozialatlas_store::Pool, email: &str) -> anyhow::Result<Actor> {
    let user = sozialatlas_accounts::find_user_by_email(pool, email)
        .await?
        .ok_or_else(|| UsageError(format!("--as {email}: no account with this e-mail address")))?;
    if user.status != sozialatlas_accounts::Status::Active {
        return Err(UsageError(format!(
            "--as {email}: the account is {}, not active",
            user.status.as_str()
        ))
        .into());
    }
    Ok(Actor {
        id: user.id,
        roles: user.roles,
    })
}

pub async fn run(cmd: Command) -> anyhow::Result<()> {
    let db = cmd.db().to_path_buf();
    let pool = crate::open_store(&db).await?;
    let now = clock::now();
    match cmd {
        Command::Processes { .. } => {
            let all = process::list_processes(&pool).await.map_err(report)?;
            if all.is_empty() {
                println!("No participation processes yet (create one on /participation/manage).");
            }
            let today = clock::today(now);
            for p in all {
                let phase = p
                    .current_phase(today)
                    .map(|ph| format!("{} (until {})", ph.title, clock::date_str(ph.ends_on)))
                    .unwrap_or_else(|| "no phase today".into());
                let (ideas, _) = idea::list_ideas(
                    &pool,
                    &IdeaFilter {
                        process: Some(p.id),
                        ..Default::default()
                    },
                    Scope::Staff,
                )
                .await
                .map_err(report)?;
                let measures = measure::list_measures(&pool, Some(p.id))
                    .await
                    .map_err(report)?;
                println!(
                    "{:>4}  {}{}\n      action areas: {} ({} areas, set #{})\n      phase today: {}\n      ideas: {}\n      measures: {}",
                    p.id,
                    p.title,
                    if p.example { "  [example content]" } else { "" },
                    p.set.name,
                    p.set.areas.len(),
                    p.set.id,
                    phase,
                    state_counts(&ideas),
                    measures.len()
                );
            }
        }
        Command::Ideas {
            process,
            area,
            field,
            state,
            search,
            ..
        } => {
            let p = the_process(&pool, process).await?;
            let state = match state.as_deref() {
                None => None,
                Some(s) => Some(IdeaState::parse(s).ok_or_else(|| {
                    UsageError(format!(
                        "--state {s}: expected one of {}",
                        IdeaState::ALL
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })?),
            };
            if let Some(a) = area
                && p.area(a).is_none()
            {
                return Err(UsageError(format!(
                    "--area {a}: not an action area of process {process} (ids: {})",
                    p.set
                        .areas
                        .iter()
                        .map(|a| format!("{} {}", a.id, a.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
            if let Some(f) = field
                && p.field(f).is_none()
            {
                return Err(UsageError(format!(
                    "--field {f}: not a field of action of process {process} (ids: {})",
                    p.fields
                        .iter()
                        .map(|f| format!("{} {}", f.id, f.title))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .into());
            }
            let (ideas, total) = idea::list_ideas(
                &pool,
                &IdeaFilter {
                    process: Some(process),
                    area,
                    field,
                    state,
                    query: search,
                    sort: Sort::Reference,
                    ..Default::default()
                },
                Scope::Staff,
            )
            .await
            .map_err(report)?;
            for i in &ideas {
                println!(
                    "{:<14} {:<13} {:>3} supports  {:<22} {}{}",
                    i.reference,
                    i.state.as_str(),
                    i.supports,
                    p.area(i.action_area_id)
                        .map(|a| a.name.as_str())
                        .unwrap_or("?"),
                    i.title,
                    if i.hidden { "  [hidden]" } else { "" }
                );
            }
            println!("{total} idea(s)");
        }
        Command::Export {
            process,
            format,
            locale,
            out,
            ..
        } => {
            let p = the_process(&pool, process).await?;
            let locale = Locale::from(locale);
            let rows = export::rows(&pool, process, locale).await.map_err(report)?;
            let bytes = match format {
                ExportFormat::Csv => export::write_csv(&rows, locale),
                ExportFormat::Xlsx => export::write_xlsx(&rows, locale, &p.title),
            }
            .map_err(report)?;
            write_out(&out, &bytes)?;
            eprintln!("{} idea(s) exported", rows.len());
        }
        Command::Measures { process, .. } => {
            the_process(&pool, process).await?;
            let ms = measure::list_measures(&pool, Some(process))
                .await
                .map_err(report)?;
            if ms.is_empty() {
                println!("No measures in process {process}.");
            }
            for m in &ms {
                println!("{}", measure_line(m, &ms));
            }
        }
        Command::ProgressTemplate { process, out, .. } => {
            the_process(&pool, process).await?;
            let bytes = measure::csv_template(&pool, process, now)
                .await
                .map_err(report)?;
            write_out(&out, &bytes)?;
        }
        Command::Progress {
            process,
            file,
            as_user,
            dry_run,
            ..
        } => {
            the_process(&pool, process).await?;
            let bytes = std::fs::read(&file)
                .map_err(|e| UsageError(format!("{}: cannot read ({e})", file.display())))?;
            let name = file.to_string_lossy();
            let who = actor(&pool, &as_user).await?;
            if dry_run {
                who.require(sozialatlas_accounts::Role::ProcessManager)
                    .map_err(report)?;
                let ups = measure::check_bulk(&pool, process, &name, &bytes, now)
                    .await
                    .map_err(report)?;
                let ms = measure::list_measures(&pool, Some(process))
                    .await
                    .map_err(report)?;
                for u in &ups {
                    let code = ms
                        .iter()
                        .find(|m| m.id == u.measure)
                        .map(|m| m.code.as_str())
                        .unwrap_or("?");
                    println!(
                        "{code:<10} {}  progress {}  status {}  {}",
                        clock::date_str(u.on_date),
                        u.progress
                            .map(|p| format!("{p} %"))
                            .unwrap_or_else(|| "unchanged".into()),
                        u.status.map(|s| s.as_str()).unwrap_or("unchanged"),
                        u.body
                    );
                }
                println!(
                    "{name}: {} measure(s) would be updated; nothing written (--dry-run).",
                    ups.len()
                );
            } else {
                let n = measure::bulk_update(&pool, &who, process, &name, &bytes, now)
                    .await
                    .map_err(report)?;
                println!("{name}: {n} measure(s) updated.");
            }
        }
    }
    Ok(())
}

/// `submitted 3, published 5, …` in life-cycle order, states with ideas only.
fn state_counts(ideas: &[sozialatlas_participation::Idea]) -> String {
    let parts: Vec<String> = IdeaState::ALL
        .iter()
        .filter_map(|s| {
            let n = ideas.iter().filter(|i| i.state == *s).count();
            (n > 0).then(|| format!("{} {n}", s.as_str()))
        })
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// One measure, indented under its parent.
fn measure_line(m: &Measure, all: &[Measure]) -> String {
    let mut depth = 0;
    let mut parent = m.parent_id;
    while let Some(p) = parent {
        depth += 1;
        parent = all.iter().find(|x| x.id == p).and_then(|x| x.parent_id);
        if depth > all.len() {
            break;
        }
    }
    format!(
        "{:indent$}{:<10} {:<10} {:>3} %{}  {}  {}{}",
        "",
        m.code,
        m.status.as_str(),
        m.progress_shown(),
        if m.rolled.has_parts { " (parts)" } else { "" },
        m.rolled
            .budget
            .map(|b| format!(
                "{} €",
                sozialatlas_core::locale::format_decimal(b as f64, 0, Locale::De)
            ))
            .unwrap_or_else(|| "no budget".into()),
        m.title,
        if m.office.is_empty() {
            String::new()
        } else {
            format!("  ({})", m.office)
        },
        indent = depth * 2
    )
}
