//! `sozialatlas init`: a draft atlas folder from the files a city has.

use crate::{UsageError, load_and_compute, progress_bar};
use anyhow::Context;
use sozialatlas_import::init::{InitOptions, draft};
use sozialatlas_import::{ImportErrors, MemorySource};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Arguments of `init`.
#[derive(clap::Args)]
pub struct Args {
    /// The boundary file of the finest level (GeoJSON, Shapefile, zipped Shapefile).
    #[arg(long)]
    boundaries: PathBuf,
    /// A data file (CSV or XLSX) with one row per area (and year); may be given several times.
    #[arg(long)]
    data: Vec<PathBuf>,
    /// The new atlas folder (must be missing or empty).
    #[arg(long)]
    out: PathBuf,
    /// The city's name (default: a guess from the boundary file's name).
    #[arg(long)]
    city: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match std::fs::read_dir(&args.out) {
        Ok(mut d) => {
            if d.next().is_some() {
                return Err(UsageError(format!(
                    "{}: expected a new or empty folder, found one with files (init never overwrites)",
                    args.out.display()
                ))
                .into());
            }
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(UsageError(format!("{}: {e}", args.out.display())).into());
        }
        Err(_) => {}
    }
    let year = crate::clock::now_rfc3339()
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2000);
    let opts = InitOptions {
        city: args.city,
        year,
    };
    let d = draft(&args.boundaries, &args.data, &opts).map_err(ImportErrors::from)?;

    // The draft is checked in memory, exactly as `check` would read the folder, before any
    // file is written.
    let mut files = std::collections::BTreeMap::new();
    files.insert(
        "atlas.toml".to_string(),
        Cow::Owned(d.atlas_toml.clone().into_bytes()),
    );
    files.insert(
        "catalogue.toml".to_string(),
        Cow::Owned(d.catalogue_toml.clone().into_bytes()),
    );
    for (src, dest) in &d.copies {
        let bytes = std::fs::read(src).with_context(|| format!("reading {}", src.display()))?;
        files.insert(dest.clone(), Cow::Owned(bytes));
    }
    let mem = MemorySource {
        name: args.out.display().to_string(),
        files,
    };
    let pb = progress_bar();
    let checked = load_and_compute(&mem, &pb);
    pb.finish_and_clear();
    if let Err(e) = checked {
        eprintln!("error: the draft does not pass `sozialatlas check`; nothing was written:");
        return Err(e);
    }

    let created = !args.out.exists();
    let write = || -> anyhow::Result<()> {
        for (rel, bytes) in &mem.files {
            let path = args.out.join(rel);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).with_context(|| format!("creating {}", p.display()))?;
            }
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        remove_written(&args.out, created, mem.files.keys());
        return Err(e);
    }
    println!(
        "Wrote the draft atlas folder {} ({} files); it passes `sozialatlas check`.",
        args.out.display(),
        mem.files.len()
    );
    println!("\nCheck before you publish:");
    for c in &d.checks {
        println!("  - {c}");
    }
    println!(
        "\nThen: sozialatlas check {0}\n      sozialatlas build {0} --db atlas.db\n      sozialatlas serve --db atlas.db",
        args.out.display()
    );
    Ok(())
}

/// Removes what a failed write left: the whole folder if init created it, else its files.
fn remove_written<'a>(out: &Path, created: bool, rels: impl Iterator<Item = &'a String>) {
    if created {
        let _ = std::fs::remove_dir_all(out);
    } else {
        for rel in rels {
            let _ = std::fs::remove_file(out.join(rel));
        }
        for dir in ["geo", "data"] {
            let _ = std::fs::remove_dir(out.join(dir));
        }
    }
}
