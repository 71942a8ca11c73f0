//! `sozialatlas`: the command line. A thin layer: it parses arguments, shows progress and
//! messages, and calls the library crates.
//!
//! Exit codes: 0 success, 1 failure (I/O, store), 2 bad input (the message names the file,
//! line, column, what was expected and what was found).

mod action_areas;
mod aggregate;
mod analyse;
mod backup;
mod clock;
mod config;
mod demo;
mod init;
mod offices;
mod participation;
mod publish;
mod regions;
mod user;

use anyhow::Context;
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use sozialatlas_core::Locale;
use sozialatlas_import::{DirSource, FileSource, ImportErrors};
use sozialatlas_store::{AtlasBuild, BuiltAtlas, LoadOutcome, Snapshot};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Parser)]
#[command(
    name = "sozialatlas",
    version,
    about = "Small-area social reporting for cities: atlas, data pool, report, analysis, participation.",
    after_help = "Examples:\n  sozialatlas build examples/flensburg --db fl.db\n  sozialatlas export --db fl.db --format xlsx --out datenpool.xlsx\n  sozialatlas export --format csv --out -          (the embedded demo)\n  sozialatlas serve                                  (the embedded demo on http://127.0.0.1:8080)\n\nSettings: every flag can also be set as an environment variable (--public-url as\nSOZIALATLAS_PUBLIC_URL, shown as [env: …] with each flag) and in a TOML file given with\n--config FILE or SOZIALATLAS_CONFIG (keys named like the flags: at the top for every command,\nin [serve], [offices.purge], … for one command). Precedence: flag > environment variable >\nDATABASE_URL (for --db) > config file > default."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// A configuration file (TOML) with settings for the commands: keys named like the flags
    /// (`public-url = "…"`), at the top for every command or in a table for one (`[serve]`).
    /// Only read when given here or as SOZIALATLAS_CONFIG.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// How log lines (standard error) are written: `plain` text, or `json`, one object a line
    /// (for a log collector). `RUST_LOG` sets the level (e.g. `RUST_LOG=info`).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Plain)]
    log_format: LogFormat,
}

/// The format of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Text, with colour codes only on a terminal.
    Plain,
    /// One JSON object a line: `timestamp`, `level`, `target` and the event's fields.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Load a city's atlas folder (atlas.toml, catalogue, boundaries, data) into a store.
    #[command(
        after_help = "Running it again with the same inputs changes nothing and says so.\n\nExample:\n  sozialatlas build examples/flensburg --db /tmp/fl.db"
    )]
    Build {
        /// The atlas folder (with atlas.toml).
        folder: PathBuf,
        /// The store to write: a SQLite file (created if missing) or a `postgres://` URL (the
        /// database must exist).
        #[arg(long)]
        db: PathBuf,
        /// Reload even when nothing changed.
        #[arg(long)]
        force: bool,
    },
    /// Draft an atlas folder from a boundary file and data files as the city has them.
    #[command(
        after_help = "Detects the area key and name in the boundaries, the CRS, and in each data file the key\ncolumn, the year column, the count columns, the delimiter, decimal mark and encoding, and rows\nof other levels (kept out with `where`; the city's own rows become its official values).\nWrites atlas.toml, a draft catalogue (a count per column, shares of a population base) and\ncopies of the files, checked as `check` would before anything is written, then lists what\nyou must check.\n\nExample:\n  sozialatlas init --boundaries stadtteile.geojson --data bevoelkerung.csv --out atlas/"
    )]
    Init(init::Args),
    /// Check an atlas folder without writing anything.
    Check {
        /// The atlas folder (with atlas.toml).
        folder: PathBuf,
    },
    /// Write the data pool (every published indicator value) as CSV, XLSX or GeoJSON.
    #[command(
        after_help = "Without --db the embedded demo (Flensburg) is exported.\n\nExamples:\n  sozialatlas export --db fl.db --format xlsx --out datenpool.xlsx\n  sozialatlas export --format csv --locale en --out -"
    )]
    Export {
        /// The store (default: the embedded demo).
        #[arg(long)]
        db: Option<PathBuf>,
        /// csv, xlsx or geojson.
        #[arg(long, default_value = "csv")]
        format: sozialatlas_export::Format,
        /// Output file, or `-` for standard output.
        #[arg(long)]
        out: String,
        /// de (`;`, decimal comma) or en (`,`, decimal point).
        #[arg(long, default_value = "de")]
        locale: Locale,
        /// Only this level (id).
        #[arg(long)]
        level: Option<String>,
        /// Only this year (GeoJSON: default the latest).
        #[arg(long)]
        period: Option<i32>,
        /// Only these indicators (comma-separated ids).
        #[arg(long, value_delimiter = ',')]
        indicators: Vec<String>,
    },
    /// Write the report on the social situation (Bericht zur sozialen Lage) as PDF or HTML.
    #[command(
        after_help = "Chapters: title page, contents, introduction, one chapter per dimension (map and table of\nevery indicator with the city value and the change since the compare year, and the editors'\ntext), the typology with its proposed and confirmed action areas, one profile page per area,\nand the appendix (definitions, sources, licence, method settings). Without --db the embedded\ndemo (Flensburg) is written. The change compares each indicator with --compare-year, or by\ndefault with the earliest year for which that indicator has data on the level.\n\nExamples:\n  sozialatlas report --out bericht.pdf\n  sozialatlas report --db fl.db --format html --locale en --out report.html\n  sozialatlas report --db fl.db --year 2020 --level stadtteil --compare-year 2015 --out b.pdf"
    )]
    Report {
        /// The store (default: the embedded demo).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Output file, or `-` for standard output.
        #[arg(long)]
        out: String,
        /// pdf or html (one self-contained file).
        #[arg(long, default_value = "pdf")]
        format: sozialatlas_report::Format,
        /// de or en.
        #[arg(long, default_value = "de")]
        locale: Locale,
        /// The report year (default: the latest year in which at least half of the indicators have
        /// data on the level).
        #[arg(long)]
        year: Option<i32>,
        /// The level (id; default: the finest level with data).
        #[arg(long)]
        level: Option<String>,
        /// The year the change is measured from (default: each indicator's earliest year).
        #[arg(long)]
        compare_year: Option<i32>,
    },
    /// Count (or sum) geocoded records per area: point-in-polygon for every record.
    #[command(
        after_help = "Points on a border shared by two areas go to exactly one of them: to the area east of\na north-south border, north of an east-west border (the half-open rule); points on the city\nboundary go to the area they touch. Points outside every area are counted and reported.\nA boundary file in the CRS of the points (--crs) is used as it is, without reprojection, so\npoints exactly on its borders stay exactly on them.\n\nExamples:\n  sozialatlas aggregate --db do.db --areas statistischer_bezirk --points faelle.csv --x x --y y --crs 25832 --out counts.csv\n  sozialatlas aggregate --areas bezirke.geojson --key id --points p.csv --x lon --y lat --crs 4326 --group year --out -"
    )]
    Aggregate(aggregate::Args),
    /// Serve the atlas (pages, downloads, JSON API) over HTTP.
    #[command(
        after_help = "Without --db the embedded demo (Flensburg) is served, with demo accounts (one per role,\npasswords printed at start and shown on the sign-in page; example content only).\n\nExamples:\n  sozialatlas serve\n  sozialatlas serve --db fl.db --listen 0.0.0.0:8080\n  sozialatlas serve --db fl.db --public-url https://atlas.stadt.example --secure-cookies \\\n      --trust-proxy --smtp localhost:25 --mail-from atlas@stadt.example"
    )]
    Serve {
        /// The store (default: the embedded demo).
        #[arg(long)]
        db: Option<PathBuf>,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Mark the session cookie Secure (set when users reach the site over HTTPS).
        #[arg(long)]
        secure_cookies: bool,
        /// The site's address as users reach it, for links in mail (default: http://LISTEN).
        #[arg(long)]
        public_url: Option<String>,
        /// Behind a reverse proxy: take the client address for rate limits from the last
        /// entry of X-Forwarded-For.
        #[arg(long)]
        trust_proxy: bool,
        /// An SMTP relay (host:port, plain SMTP without login, e.g. the local Postfix) that
        /// sends the outbox for real. Without it mail stays in the outbox (/admin/outbox) and
        /// a log line names each one.
        #[arg(long, requires = "mail_from")]
        smtp: Option<String>,
        /// The sender address of mail (with --smtp).
        #[arg(long)]
        mail_from: Option<String>,
        /// File with the key that encrypts the action offices' identifying details (64 hex
        /// characters; default: the environment variable SOZIALATLAS_OFFICE_KEY).
        #[arg(long)]
        office_key_file: Option<PathBuf>,
        /// Serve `/metrics` (Prometheus text format) on this address, e.g. an address of the
        /// internal network or 127.0.0.1:9464; without it there are no metrics. The main
        /// listener never serves `/metrics`.
        #[arg(long)]
        metrics_listen: Option<std::net::SocketAddr>,
        /// Check the settings (flags, environment, configuration file), print the effective
        /// ones and exit without serving.
        #[arg(long)]
        check: bool,
    },
    /// Write the whole public atlas as static files for any static web server or CDN.
    #[command(
        after_help = "Without --db the embedded demo (Flensburg) is published. Links to published pages become\nrelative links to their files; links that need the server (a query, search, compare, sign-in,\nparticipation, offices) go to --server-url, or are dropped (their text kept) without it.\n\nExamples:\n  sozialatlas publish --db fl.db --out site/\n  sozialatlas publish --db fl.db --out site/ --server-url https://atlas.stadt.example --force"
    )]
    Publish(publish::Args),
    /// Action offices: retention run (purge), key generator, offices, staff, partner agencies,
    /// topics, retention period.
    #[command(subcommand)]
    Offices(offices::Command),
    /// Accounts: create (e.g. the first administrator), list, grant and withdraw roles.
    #[command(subcommand)]
    User(user::Command),
    /// Analyses: status/dynamics index, typology by cluster analysis, Moran's I and LISA.
    #[command(subcommand)]
    Analyse(analyse::Command),
    /// Regions (Regionalisierung): contiguous, homogeneous groups of areas by SKATER or max-p,
    /// each reaching a floor of population or areas; saved as an overlay on request.
    Regions(regions::Args),
    /// Action areas (Aktionsräume): list the sets, import an overlay, confirm a typology proposal.
    #[command(subcommand)]
    ActionAreas(action_areas::Command),
    /// Participation: processes, ideas and measures at a glance, the council export, the bulk
    /// progress update of measures from CSV/XLSX.
    #[command(subcommand)]
    Participation(participation::Command),
    /// Write a consistent copy of a SQLite store, also while servers and commands use it.
    #[command(
        after_help = "The copy holds every write committed before it started (SQLite's VACUUM INTO), passes\nPRAGMA integrity_check, and is written beside FILE and renamed. For a PostgreSQL store use\npg_dump (see README, \"Running in production\").\n\nExample:\n  sozialatlas backup --db /var/lib/sozialatlas/store.db --out /var/backups/sozialatlas/store-$(date +%F).db"
    )]
    Backup(backup::BackupArgs),
    /// Replace a SQLite store by a backup (stop the server first).
    #[command(
        after_help = "Checks that FILE is a Sozialatlas store this version can open (integrity check, known\nmigrations) and that no process has the store open, then replaces it in one rename. The next\nstart brings an older backup's schema up to date. For PostgreSQL use pg_restore.\n\nExample:\n  sozialatlas restore --from /var/backups/sozialatlas/store-2026-12-01.db --db /var/lib/sozialatlas/store.db --force"
    )]
    Restore(backup::RestoreArgs),
}

/// A command whose output goes to a reader that stops reading (`sozialatlas export … | head`)
/// ends at once and quietly, as other Unix tools do, instead of failing on its next line of
/// output. Not for `serve`, which must outlive every client.
fn end_quietly_on_closed_output() {
    #[cfg(unix)]
    // SAFETY: signal(2) only sets the process's disposition of SIGPIPE back to the default
    // (Rust's runtime ignores it); no handler is installed.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cmd = match config::command(<Cli as clap::CommandFactory>::command(), &args) {
        Ok(cmd) => cmd,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&cmd.get_matches_from(args)) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    init_logging(cli.log_format);
    if !matches!(cli.command, Command::Serve { .. }) {
        end_quietly_on_closed_output();
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = rt.block_on(async {
        let r = run(cli).await;
        close_stores().await;
        r
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(ie) = e.downcast_ref::<ImportErrors>() {
                for err in &ie.0 {
                    eprintln!("error: {err}");
                }
                if ie.0.len() >= sozialatlas_import::error::MAX_ERRORS {
                    eprintln!("error: (stopped after {} problems)", ie.0.len());
                }
                eprintln!("nothing was written.");
                ExitCode::from(2)
            } else if let Some(u) = e.downcast_ref::<UsageError>() {
                eprintln!("error: {}", u.0);
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}

/// Log lines go to standard error: warnings, mail and one line per request of the server
/// (target `sozialatlas::request`) unless `RUST_LOG` says otherwise.
fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "warn,sozialatlas::mail=info,sozialatlas::request=info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        // Colour codes only on a terminal, not in log files and journals.
        LogFormat::Plain => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}

/// The stores this process opened, closed by [`close_stores`] when the command ends.
static OPENED: std::sync::Mutex<Vec<sozialatlas_store::Pool>> = std::sync::Mutex::new(Vec::new());

/// Opens (creating if needed) the store at `path` for this command; it is checkpointed and
/// closed when the command ends, so that the store file alone is complete (no `-wal` file
/// needed) once the program exits.
pub(crate) async fn open_tracked(
    path: &std::path::Path,
) -> Result<sozialatlas_store::Pool, sozialatlas_store::StoreError> {
    let pool = sozialatlas_store::open(&path.to_string_lossy()).await?;
    OPENED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(pool.clone());
    Ok(pool)
}

/// Checkpoints and closes every store the command opened (also after an error: what was
/// committed before it stays, in the store file).
async fn close_stores() {
    let pools = std::mem::take(&mut *OPENED.lock().unwrap_or_else(|e| e.into_inner()));
    for pool in pools {
        sozialatlas_store::close(&pool).await;
    }
}

/// A wrong argument (exit code 2).
#[derive(Debug)]
pub(crate) struct UsageError(pub(crate) String);
impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for UsageError {}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Build { folder, db, force } => build(&folder, &db, force).await,
        Command::Init(args) => init::run(args),
        Command::Check { folder } => {
            let src = DirSource::new(&folder);
            let built = load_and_compute(&src, &progress_bar())?;
            println!("{} is valid.", folder.display());
            print_summary(&built);
            Ok(())
        }
        Command::Serve {
            db,
            listen,
            secure_cookies,
            public_url,
            trust_proxy,
            smtp,
            mail_from,
            office_key_file,
            metrics_listen,
            check,
        } => {
            if check {
                let show = |v: Option<String>| v.unwrap_or_else(|| "(not set)".into());
                println!(
                    "db = {}",
                    db.as_ref()
                        .map_or_else(|| "(the embedded demo)".into(), |d| d.display().to_string())
                );
                println!("listen = {listen}");
                println!(
                    "metrics-listen = {}",
                    show(metrics_listen.map(|a| a.to_string()))
                );
                println!("public-url = {}", show(public_url.clone()));
                println!("secure-cookies = {secure_cookies}");
                println!("trust-proxy = {trust_proxy}");
                println!("smtp = {}", show(smtp.clone()));
                println!("mail-from = {}", show(mail_from.clone()));
                println!(
                    "office-key-file = {}",
                    show(office_key_file.as_ref().map(|p| p.display().to_string()))
                );
                println!(
                    "log-format = {}",
                    clap::ValueEnum::to_possible_value(&cli.log_format)
                        .map_or_else(String::new, |v| v.get_name().to_string())
                );
                return Ok(());
            }
            let demo = db.is_none();
            let smtp = match (smtp, mail_from) {
                (Some(relay), Some(from)) => Some(
                    sozialatlas_accounts::smtp::SmtpConfig::parse(&relay, &from)
                        .map_err(UsageError)?,
                ),
                _ => None,
            };
            let office_key =
                sozialatlas_offices::OfficeKey::from_env_or_file(office_key_file.as_deref())
                    .map_err(|e| UsageError(e.to_string()))?;
            let (snap, pool) = match db {
                Some(path) => {
                    let snap = snapshot(Some(&path)).await?;
                    (snap, open_tracked(&path).await?)
                }
                None => demo_store().await?,
            };
            let name = snap.meta.name.de.clone();
            if demo {
                sozialatlas_accounts::demo::create_demo_accounts(&pool).await?;
                eprintln!("demo accounts (example content, this demo only):");
                for a in &sozialatlas_accounts::demo::DEMO_ACCOUNTS {
                    eprintln!("  {:<18} {:<24} {}", a.role.as_str(), a.email, a.password);
                }
                offices::seed_demo(&pool, office_key.as_ref()).await?;
            }
            // Identifying details past their retention go now and then daily.
            let _purge = sozialatlas_offices::retention::spawn_daily_purge(pool.clone());
            let snap = sozialatlas_offices::atlas::extend_snapshot(
                &pool,
                snap,
                sozialatlas_offices::Date::today(),
            )
            .await?;
            let auth = sozialatlas_web::AuthConfig {
                secure_cookies,
                public_url: Some(public_url.unwrap_or_else(|| format!("http://{listen}"))),
                trust_proxy,
                demo_accounts: demo,
                ..Default::default()
            };
            if let Some(cfg) = smtp {
                let pool = pool.clone();
                eprintln!(
                    "mail: sent through {}:{} as {}",
                    cfg.host, cfg.port, cfg.from
                );
                tokio::spawn(async move {
                    let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
                    loop {
                        tick.tick().await;
                        if let Err(e) =
                            sozialatlas_accounts::smtp::deliver_pending(&pool, &cfg).await
                        {
                            tracing::warn!("mail delivery: {e}");
                        }
                    }
                });
            } else {
                eprintln!("mail: no --smtp relay; mail stays in the outbox (/admin/outbox)");
            }
            use sozialatlas_web::StateExt as _;
            let state =
                sozialatlas_web::AppState::with_auth(snap, pool, auth).with_office_key(office_key);
            if demo {
                // Example content of participation on the demo's action areas.
                sozialatlas_web::seed_participation_example(&state)
                    .await
                    .map_err(anyhow::Error::msg)?;
                // The example's set is now current: the example office serves Neustadt's
                // action area in it too, so that the area's page names the office.
                sozialatlas_offices::demo::follow_current_set(state.pool(), ("stadtteil", "2"))
                    .await?;
            }
            eprintln!("{name}: http://{listen}/  (Ctrl-C stops)");
            sozialatlas_web::serve(listen, metrics_listen, state)
                .await
                .with_context(|| format!("serving on {listen}"))?;
            Ok(())
        }
        Command::Publish(args) => publish::run(args).await,
        Command::User(cmd) => user::run(cmd).await,
        Command::Offices(cmd) => offices::run(cmd).await,
        Command::Participation(cmd) => participation::run(cmd).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
        Command::Analyse(cmd) => {
            let db = cmd.db().map(std::path::Path::to_path_buf);
            let snap = snapshot(db.as_deref()).await?;
            let pool = match &db {
                Some(p) => Some(open_tracked(p).await?),
                None => None,
            };
            analyse::run(cmd, &snap, pool.as_ref(), VERSION, &clock::now_rfc3339()).await
        }
        Command::Regions(args) => {
            let db = args.db().map(std::path::Path::to_path_buf);
            let snap = snapshot(db.as_deref()).await?;
            let pool = match &db {
                Some(p) => Some(open_tracked(p).await?),
                None => None,
            };
            regions::run(args, &snap, pool.as_ref(), VERSION, &clock::now_rfc3339()).await
        }
        Command::ActionAreas(cmd) => {
            let db = cmd.db().to_path_buf();
            let snap = snapshot(Some(&db)).await?;
            let pool = open_tracked(&db).await?;
            action_areas::run(cmd, &snap, &pool).await
        }
        Command::Aggregate(args) => {
            let is_file = std::path::Path::new(&args.areas).exists();
            let snap = if is_file {
                None
            } else {
                Some(snapshot(args.db.as_deref()).await?)
            };
            aggregate::run(&args, snap.as_ref())
        }
        Command::Report {
            db,
            out,
            format,
            locale,
            year,
            level,
            compare_year,
        } => {
            let snap = snapshot(db.as_deref()).await?;
            let action_areas = match &db {
                Some(p) => {
                    let pool = open_tracked(p).await?;
                    sozialatlas_store::current_action_area_set(&pool).await?
                }
                None => None,
            };
            let opts = sozialatlas_report::Options {
                locale,
                year,
                level,
                compare_year,
            };
            let pb = progress_bar();
            let inputs = sozialatlas_report::Inputs {
                snapshot: &snap,
                action_areas: action_areas.as_ref(),
            };
            let res = sozialatlas_report::render(&inputs, &opts, format, &mut |done, all, what| {
                pb.set_length(all as u64);
                pb.set_position(done as u64);
                pb.set_message(what.to_string());
            });
            pb.finish_and_clear();
            let buf = match res {
                Err(sozialatlas_report::ReportError::Option(m)) => {
                    return Err(UsageError(m).into());
                }
                other => other.context("writing the report")?,
            };
            write_out(&out, &buf)
        }
        Command::Export {
            db,
            format,
            out,
            locale,
            level,
            period,
            indicators,
        } => {
            let snap = snapshot(db.as_deref()).await?;
            let sel = sozialatlas_export::Selection {
                level,
                period,
                indicators,
            };
            let mut buf: Vec<u8> = Vec::new();
            let res = match format {
                sozialatlas_export::Format::Csv => {
                    sozialatlas_export::write_csv(&snap, &sel, locale, &mut buf)
                }
                sozialatlas_export::Format::GeoJson => {
                    sozialatlas_export::write_geojson(&snap, &sel, locale, &mut buf)
                }
                sozialatlas_export::Format::Xlsx => {
                    sozialatlas_export::write_xlsx(&snap, &sel, locale).map(|b| buf = b)
                }
            };
            match res {
                Err(sozialatlas_export::ExportError::Selection(m)) => {
                    return Err(UsageError(m).into());
                }
                other => other?,
            }
            write_out(&out, &buf)
        }
    }
}

/// Writes an output to a file (through a temporary file and a rename, so that a failure leaves
/// nothing half-written) or to standard output for `-`.
fn write_out(out: &str, buf: &[u8]) -> anyhow::Result<()> {
    if out == "-" {
        match std::io::stdout().lock().write_all(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other?,
        }
    } else {
        let tmp = format!("{out}.part");
        std::fs::write(&tmp, buf).with_context(|| format!("writing {tmp}"))?;
        std::fs::rename(&tmp, out).with_context(|| format!("writing {out}"))?;
        eprintln!("wrote {out} ({} bytes)", buf.len());
    }
    Ok(())
}

fn progress_bar() -> ProgressBar {
    let pb = ProgressBar::new(1);
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    pb
}

/// Reads an atlas folder and computes its indicators, showing the steps on `pb` (one more
/// step is left for writing).
fn load_and_compute(src: &dyn FileSource, pb: &ProgressBar) -> anyhow::Result<BuiltAtlas> {
    let mut build = AtlasBuild::new(src).program_version(VERSION);
    if let Some(at) = clock::source_date_epoch()? {
        build = build.loaded_at(&at);
    }
    let built = build
        .progress(&|done, all, what| {
            pb.set_length(all as u64 + 1);
            pb.set_position(done as u64);
            pb.set_message(what.to_string());
        })
        .compute()?;
    pb.inc(1);
    Ok(built)
}

async fn build(folder: &std::path::Path, db: &std::path::Path, force: bool) -> anyhow::Result<()> {
    if !folder.join("atlas.toml").is_file() {
        return Err(UsageError(format!(
            "{}: expected an atlas folder with an atlas.toml, found none",
            folder.display()
        ))
        .into());
    }
    let src = DirSource::new(folder);
    let pb = progress_bar();
    let built = load_and_compute(&src, &pb)?;
    pb.set_message("writing the store");
    let shown = sozialatlas_store::db::redacted(&db.to_string_lossy());
    let pool = open_tracked(db)
        .await
        .with_context(|| format!("opening {shown}"))?;
    if force {
        sqlx_force_reload(&pool).await?;
    }
    let outcome = built.write(&pool).await?;
    pb.finish_and_clear();
    match outcome {
        LoadOutcome::Unchanged { load_id } => {
            println!(
                "No change: the inputs of {} are those of load {load_id} in {shown}; nothing written.",
                folder.display(),
            );
        }
        LoadOutcome::Loaded { load_id, changed } => {
            println!("Loaded {} into {shown} (load {load_id}).", folder.display(),);
            if load_id > 1 {
                println!("  Changed:     {}", changed.join(", "));
            }
            print_summary(&built);
        }
    }
    Ok(())
}

/// `--force`: forget the fingerprint of the latest load so that the next write reloads.
async fn sqlx_force_reload(pool: &sozialatlas_store::Pool) -> anyhow::Result<()> {
    sozialatlas_store::forget_fingerprint(pool).await?;
    Ok(())
}

fn print_summary(built: &BuiltAtlas) {
    let (s, atlas, computed) = (built.summary(), &built.atlas, &built.computed);
    let levels: Vec<String> = s
        .areas_per_level
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect();
    println!("  Areas:       {}", levels.join(", "));
    println!(
        "  Variables:   {} ({} observations)",
        s.variables, s.observations
    );
    println!("  Periods:     {}", periods_text(&s.periods));
    println!(
        "  Indicators:  {} ({} values published, {} suppressed, {} not available)",
        s.indicators, s.values_published, s.values_suppressed, s.values_unavailable
    );
    if let Some(register) = &atlas.addresses {
        println!(
            "  Addresses:   {} (level {})",
            register.len(),
            atlas.tree.levels[register.level()].id
        );
    }
    println!("  Warnings:    {}", s.warnings);
    for w in atlas.warnings.iter().take(10) {
        println!("    {w}");
    }
    for w in computed
        .warnings
        .iter()
        .take(10usize.saturating_sub(atlas.warnings.len()))
    {
        println!("    {w}");
    }
    if s.warnings > 10 {
        println!("    … and {} more (stored with the load)", s.warnings - 10);
    }
}

/// `2011, 2012, 2017–2022`
fn periods_text(p: &[i32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < p.len() {
        let mut j = i;
        while j + 1 < p.len() && p[j + 1] == p[j] + 1 {
            j += 1;
        }
        out.push(if j >= i + 2 {
            format!("{}–{}", p[i], p[j])
        } else if j == i + 1 {
            format!("{}, {}", p[i], p[j])
        } else {
            p[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// An existing store; a missing file is a usage error that says how to make one.
pub(crate) async fn open_store(path: &std::path::Path) -> anyhow::Result<sozialatlas_store::Pool> {
    let target = path.to_string_lossy();
    if sozialatlas_store::Backend::of_target(&target) == sozialatlas_store::Backend::Postgres {
        return open_tracked(path)
            .await
            .with_context(|| format!("opening {}", sozialatlas_store::db::redacted(&target)));
    }
    if !path.is_file() {
        return Err(UsageError(format!(
            "{}: no such store (create it with `sozialatlas build <folder> --db {}`)",
            path.display(),
            path.display()
        ))
        .into());
    }
    Ok(open_tracked(path).await?)
}

/// The atlas of a store, or the embedded demo when no store is given.
async fn snapshot(db: Option<&std::path::Path>) -> anyhow::Result<Snapshot> {
    match db {
        Some(path) => {
            let pool = open_store(path).await?;
            Ok(sozialatlas_store::read_snapshot(&pool).await?)
        }
        None => demo_snapshot().await,
    }
}

/// Builds the embedded demo into an in-memory store and reads it back.
async fn demo_snapshot() -> anyhow::Result<Snapshot> {
    Ok(demo_store().await?.0)
}

/// The embedded demo in an in-memory store: the snapshot and the store.
async fn demo_store() -> anyhow::Result<(Snapshot, sozialatlas_store::Pool)> {
    let src = demo::source();
    Ok(AtlasBuild::new(&src)
        .program_version(VERSION)
        .source("embedded demo")
        .in_memory()
        .await?)
}
