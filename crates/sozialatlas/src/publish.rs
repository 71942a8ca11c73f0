//! `sozialatlas publish`: the whole public atlas as static files (`sozialatlas_web::publish`).

use std::path::PathBuf;

use sozialatlas_web::publish::{Phase, PublishError, PublishOptions, parse_server_url};

use crate::UsageError;

/// The arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The store (default: the embedded demo).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// The folder to write the site into (must be missing or empty, see --force).
    #[arg(long)]
    pub out: PathBuf,
    /// The live server (https://atlas.stadt.example): links that need it (search, compare,
    /// options with a query, sign-in, participation, offices) point there. Without it they
    /// are dropped and their text kept, and forms are removed.
    #[arg(long)]
    pub server_url: Option<String>,
    /// Replace the folder if it is not empty.
    #[arg(long)]
    pub force: bool,
    /// Requests in flight at once (default: twice the cores).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// Publishes the atlas of `args.db` (or the demo) into `args.out`.
pub async fn run(args: Args) -> anyhow::Result<()> {
    let server_url = args
        .server_url
        .as_deref()
        .map(parse_server_url)
        .transpose()
        .map_err(UsageError)?;
    if args.jobs == Some(0) {
        return Err(UsageError("--jobs: expected at least 1, found 0".into()).into());
    }
    let (snap, pool) = match &args.db {
        Some(path) => {
            let pool = crate::open_store(path).await?;
            (sozialatlas_store::read_snapshot(&pool).await?, pool)
        }
        None => crate::demo_store().await?,
    };
    // The atlas as the server shows it: with the action offices' statistics, if any.
    let snap = sozialatlas_offices::atlas::extend_snapshot(
        &pool,
        snap,
        sozialatlas_offices::Date::today(),
    )
    .await?;
    let state = sozialatlas_web::AppState::new(snap, pool);
    let mut opts = PublishOptions {
        server_url,
        force: args.force,
        ..PublishOptions::default()
    };
    if let Some(j) = args.jobs {
        opts.concurrency = j;
    }
    let pb = crate::progress_bar();
    let progress = |phase: Phase, done: usize, all: usize| {
        pb.set_length(all as u64);
        pb.set_position(done as u64);
        pb.set_message(match phase {
            Phase::Fetch => "pages",
            Phase::Rewrite => "links",
        });
    };
    let result = sozialatlas_web::publish::publish(state, &args.out, &opts, &progress).await;
    pb.finish_and_clear();
    let s = match result {
        Ok(s) => s,
        Err(PublishError::Usage(m)) => return Err(UsageError(m).into()),
        Err(e) => return Err(anyhow::Error::new(e).context("nothing was written")),
    };
    println!("Published the atlas into {}.", args.out.display());
    println!("  Pages:       {}", s.pages);
    println!(
        "  Files:       {} (downloads, stylesheet, script, JSON)",
        s.files
    );
    if s.redirects > 0 {
        println!("  Redirects:   {}", s.redirects);
    }
    println!(
        "  Bytes:       {} ({:.1} MB)",
        s.bytes,
        s.bytes as f64 / 1e6
    );
    match &opts.server_url {
        Some(url) => println!("  Links to {url}: {}", s.server_links),
        None => println!(
            "  Dropped:     {} links and forms that need the server (see --server-url)",
            s.dropped_links
        ),
    }
    println!("  Time:        {:.1} s", s.elapsed.as_secs_f64());
    for b in s.broken.iter().take(10) {
        eprintln!(
            "warning: {} answers {} on the server (linked from {})",
            b.url,
            b.status,
            if b.from.is_empty() { "-" } else { &b.from }
        );
    }
    if s.broken.len() > 10 {
        eprintln!("warning: … and {} more broken links", s.broken.len() - 10);
    }
    Ok(())
}
