//! `sozialatlas backup` and `sozialatlas restore`: SQLite stores (through
//! `sozialatlas_store::backup`); a PostgreSQL store is backed up with its own tools.

use std::path::{Path, PathBuf};

use sozialatlas_store::backup::BackupError;

use crate::UsageError;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The store (a SQLite file).
    #[arg(long)]
    db: PathBuf,
    /// The backup file to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup file (written by `sozialatlas backup`).
    #[arg(long, value_name = "FILE")]
    from: PathBuf,
    /// The store to replace (a SQLite file; it may be missing).
    #[arg(long)]
    db: PathBuf,
    /// Replace the store if it exists.
    #[arg(long)]
    force: bool,
}

/// A PostgreSQL store: its own tools back it up (exit code 2).
fn refuse_postgres(db: &Path, tool: &str) -> anyhow::Result<()> {
    let s = db.to_string_lossy();
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        return Err(UsageError(format!(
            "--db {s}: a PostgreSQL store is backed up and restored with PostgreSQL's tools: use \
             {tool} (see README, \"Running in production\")"
        ))
        .into());
    }
    Ok(())
}

/// Bad input (exit code 2) for a file that is not a store; other failures as they are.
fn classify(e: BackupError) -> anyhow::Error {
    match e {
        BackupError::NotAStore { .. } => UsageError(e.to_string()).into(),
        other => other.into(),
    }
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    refuse_postgres(&args.db, "pg_dump")?;
    if args.out.exists() && !args.force {
        return Err(UsageError(format!(
            "{}: exists; give --force to replace it",
            args.out.display()
        ))
        .into());
    }
    let pool = crate::open_store(&args.db).await?;
    sozialatlas_store::backup::backup(&pool, &args.out)
        .await
        .map_err(classify)?;
    let size = std::fs::metadata(&args.out).map_or(0, |m| m.len());
    println!(
        "Wrote {} ({size} bytes): a consistent copy of {}, integrity check ok.",
        args.out.display(),
        args.db.display()
    );
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    refuse_postgres(&args.db, "pg_restore")?;
    if !args.from.is_file() {
        return Err(UsageError(format!("{}: no such backup file", args.from.display())).into());
    }
    if args.db.exists() && !args.force {
        return Err(UsageError(format!(
            "{}: a store exists there; give --force to replace it by {}",
            args.db.display(),
            args.from.display()
        ))
        .into());
    }
    let migrations = sozialatlas_store::backup::restore(&args.from, &args.db)
        .await
        .map_err(classify)?;
    println!(
        "Restored {} from {} ({migrations} migrations; the next start brings the schema up to date).",
        args.db.display(),
        args.from.display()
    );
    Ok(())
}
