//! `sozialatlas offices …`: administration of the action offices from the command line, the
//! retention run (`purge`), and a key generator. The command line acts as the system: it can
//! administer offices but never sees case data.

use crate::UsageError;
use clap::Subcommand;
use sozialatlas_offices::offices::{self, OfficeInput};
use sozialatlas_offices::{Actor, Date, OfficeError, OfficeKey, retention};
use std::path::{Path, PathBuf};

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum Command {
    /// Erase the identifying details of cases closed longer ago than the retention period.
    #[command(
        after_help = "Run it daily (cron), or let `sozialatlas serve` do it: serve runs it at start and every 24 hours.\nErased details are logged by case id only.\n\nExample:\n  sozialatlas offices purge --db atlas.db"
    )]
    Purge {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// Take this date as today (YYYY-MM-DD), e.g. to check what a later run would erase.
        #[arg(long)]
        today: Option<String>,
    },
    /// Print a new random office key (64 hexadecimal characters).
    #[command(
        after_help = "Keep it outside the store: in SOZIALATLAS_OFFICE_KEY or a file given with --office-key-file.\nIdentifying details written with a key can only be read with the same key.\n\nExample:\n  sozialatlas offices keygen > /etc/sozialatlas/office.key && chmod 600 /etc/sozialatlas/office.key"
    )]
    Keygen,
    /// List the offices.
    List {
        /// The store.
        #[arg(long)]
        db: PathBuf,
    },
    /// Add an office.
    #[command(
        after_help = "Example:\n  sozialatlas offices add --db atlas.db --slug nordstadt --name \"Aktionsbüro Nordstadt\" \\\n    --street \"Mallinckrodtstraße 1\" --postcode 44145 --city Dortmund \\\n    --hours \"Mo 9–12 Uhr\" --hours \"Do 14–18 Uhr\" --area 3 --public"
    )]
    Add {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// URL name (a–z, 0–9, -).
        #[arg(long)]
        slug: String,
        /// Name.
        #[arg(long)]
        name: String,
        /// Street and number.
        #[arg(long)]
        street: String,
        /// Postcode.
        #[arg(long)]
        postcode: String,
        /// City.
        #[arg(long)]
        city: String,
        /// Opening hours, one entry per flag.
        #[arg(long = "hours", required = true)]
        hours: Vec<String>,
        /// Phone.
        #[arg(long, default_value = "")]
        phone: String,
        /// E-mail.
        #[arg(long, default_value = "")]
        email: String,
        /// Accessibility of the office.
        #[arg(long, default_value = "")]
        accessibility: String,
        /// A short description.
        #[arg(long, default_value = "")]
        description: String,
        /// Open since (YYYY-MM-DD).
        #[arg(long, default_value = "")]
        opened_on: String,
        /// Action area ids it serves (see `sozialatlas action-areas list`).
        #[arg(long = "area")]
        areas: Vec<i64>,
        /// Show it on the public pages.
        #[arg(long)]
        public: bool,
    },
    /// Assign an account (by e-mail) to an office, or remove it with --remove.
    #[command(
        after_help = "The account also needs the role office-staff (administration page /admin/users) to see cases.\n\nExample:\n  sozialatlas offices assign --db atlas.db --office nordstadt --user kim@example.org"
    )]
    Assign {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The office's URL name.
        #[arg(long)]
        office: String,
        /// The account's e-mail address.
        #[arg(long)]
        user: String,
        /// Remove the assignment instead.
        #[arg(long)]
        remove: bool,
    },
    /// Add a partner agency to the list cases can be referred to.
    Partner {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// Name.
        #[arg(long)]
        name: String,
        /// Kind (Schuldnerberatung, Wohnen, …).
        #[arg(long)]
        kind: String,
        /// Contact.
        #[arg(long, default_value = "")]
        contact: String,
    },
    /// Add a topic to the coded list, change its labels, or retire it.
    Topic {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// Code (a–z, 0–9, _).
        code: String,
        /// German label.
        #[arg(long)]
        de: String,
        /// English label.
        #[arg(long)]
        en: String,
        /// Retire it (old cases keep it; new cases cannot choose it).
        #[arg(long)]
        retire: bool,
    },
    /// Show or set the retention period (months after closing).
    Retention {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// New value in months.
        months: Option<u32>,
    },
}

impl Command {
    /// The store the command works on.
    pub fn db(&self) -> Option<&Path> {
        match self {
            Command::Keygen => None,
            Command::Purge { db, .. }
            | Command::List { db }
            | Command::Add { db, .. }
            | Command::Assign { db, .. }
            | Command::Partner { db, .. }
            | Command::Topic { db, .. }
            | Command::Retention { db, .. } => Some(db),
        }
    }
}

fn usage(e: OfficeError) -> anyhow::Error {
    match e {
        OfficeError::Invalid { .. } | OfficeError::NotFound(_) | OfficeError::Key(_) => {
            UsageError(e.to_string()).into()
        }
        other => other.into(),
    }
}

pub async fn run(cmd: Command) -> anyhow::Result<()> {
    if let Command::Keygen = cmd {
        let k = OfficeKey::generate()?;
        println!("{}", k.to_hex());
        eprintln!(
            "key id {} (stored with each encrypted row; the key itself never is)",
            k.id()
        );
        return Ok(());
    }
    let db = cmd.db().map(Path::to_path_buf).unwrap_or_default();
    let pool = crate::open_store(&db).await?;
    let system = Actor::system();
    match cmd {
        Command::Keygen => {}
        Command::Purge { today, .. } => {
            let today = match today {
                Some(t) => Date::parse(&t).map_err(|e| UsageError(format!("--today: {e}")))?,
                None => Date::today(),
            };
            let r = retention::purge(&pool, today).await.map_err(usage)?;
            println!(
                "Retention {} months: identifying details of {} case(s) closed on or before {} erased.",
                r.months,
                r.erased.len(),
                r.closed_on_or_before
            );
            for id in &r.erased {
                println!("  {id}");
            }
        }
        Command::List { .. } => {
            let all = offices::all_offices(&pool, &system).await.map_err(usage)?;
            if all.is_empty() {
                println!("No offices yet (add one with `sozialatlas offices add`).");
            }
            for o in all {
                let areas: Vec<String> = o
                    .areas
                    .iter()
                    .map(|a| format!("{} (#{})", a.name, a.id))
                    .collect();
                println!(
                    "{:<16} {}  [{}{}]  {}, {} {}  areas: {}",
                    o.slug,
                    o.name,
                    if o.is_public { "public" } else { "internal" },
                    if o.is_example { ", example" } else { "" },
                    o.street,
                    o.postcode,
                    o.city,
                    if areas.is_empty() {
                        "–".into()
                    } else {
                        areas.join(", ")
                    }
                );
            }
        }
        Command::Add {
            slug,
            name,
            street,
            postcode,
            city,
            hours,
            phone,
            email,
            accessibility,
            description,
            opened_on,
            areas,
            public,
            ..
        } => {
            let id = offices::create_office(
                &pool,
                &system,
                &OfficeInput {
                    slug,
                    name,
                    street,
                    postcode,
                    city,
                    phone,
                    email,
                    opening_hours: hours.join("\n"),
                    accessibility,
                    description,
                    opened_on,
                    is_public: public,
                    is_example: false,
                    action_areas: areas,
                },
            )
            .await
            .map_err(usage)?;
            println!("Office {id} added.");
        }
        Command::Assign {
            office,
            user,
            remove,
            ..
        } => {
            let o = offices::office_by_slug(&pool, &system, &office)
                .await
                .map_err(usage)?;
            let u = sozialatlas_accounts::find_user_by_email(&pool, &user)
                .await?
                .ok_or_else(|| UsageError(format!("--user: no account with the address {user}")))?;
            if remove {
                offices::unassign_staff(&pool, &system, o.id, u.id)
                    .await
                    .map_err(usage)?;
                println!("{} no longer works in {}.", u.display_name, o.name);
            } else {
                offices::assign_staff(&pool, &system, o.id, u.id)
                    .await
                    .map_err(usage)?;
                let staff = u.roles.iter().any(|r| r.as_str() == "office-staff");
                println!(
                    "{} works in {}.{}",
                    u.display_name,
                    o.name,
                    if staff {
                        ""
                    } else {
                        " The account lacks the role office-staff: grant it at /admin/users before it can see cases."
                    }
                );
            }
        }
        Command::Partner {
            name,
            kind,
            contact,
            ..
        } => {
            let id = offices::add_partner(&pool, &system, &name, &kind, &contact)
                .await
                .map_err(usage)?;
            println!("Partner agency {id} added.");
        }
        Command::Topic {
            code,
            de,
            en,
            retire,
            ..
        } => {
            offices::put_topic(&pool, &system, &code, &de, &en, !retire)
                .await
                .map_err(usage)?;
            println!("Topic {code} {}.", if retire { "retired" } else { "saved" });
        }
        Command::Retention { months, .. } => {
            if let Some(m) = months {
                offices::set_retention_months(&pool, Some(&system), m)
                    .await
                    .map_err(usage)?;
            }
            println!(
                "Identifying details are erased {} months after a case is closed.",
                offices::retention_months(&pool).await?
            );
        }
    }
    Ok(())
}

/// The embedded demo's example office: in the action area containing Neustadt (the demo's
/// action-area set, or an example set made here), staffed by the demo office account.
pub async fn seed_demo(
    pool: &sozialatlas_store::Pool,
    key: Option<&OfficeKey>,
) -> anyhow::Result<()> {
    let Some(staff) = sozialatlas_accounts::find_user_by_email(pool, "buero@example.org").await?
    else {
        return Ok(());
    };
    let area = sozialatlas_offices::demo::demo_action_area(
        pool,
        ("stadtteil", "2"),
        &[("2", "Neustadt"), ("3", "Nordstadt"), ("6", "Weiche")],
    )
    .await?;
    let d =
        sozialatlas_offices::demo::seed_demo(pool, Date::today(), area, &[staff.id], key).await?;
    eprintln!(
        "demo action office (example content): /offices/{} with {} example cases",
        d.slug, d.cases
    );
    Ok(())
}
