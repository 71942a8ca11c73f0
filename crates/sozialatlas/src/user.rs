//! `sozialatlas user …`: accounts from the command line (the first administrator, roles).

use std::io::BufRead;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use sozialatlas_accounts::{NewUser, Role, Status};

use crate::UsageError;

#[derive(Subcommand)]
pub enum Command {
    /// Create an active account (e.g. the first administrator).
    #[command(
        after_help = "The password is asked for twice (not shown), or read as one line from standard input\nwith --password-stdin. Every account also holds the participant role.\n\nExamples:\n  sozialatlas user add --db fl.db --email admin@stadt.example --name \"Anna Admin\" --role admin\n  echo \"$PW\" | sozialatlas user add --db fl.db --email p@stadt.example --name Planung --role process-manager --password-stdin"
    )]
    Add {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// E-mail address (the sign-in name).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Roles (repeat or separate by commas): admin, process-manager, moderator, reviewer,
        /// office-staff, office-supervisor, participant.
        #[arg(long, value_delimiter = ',')]
        role: Vec<Role>,
        /// Read the password from standard input (one line) instead of asking.
        #[arg(long)]
        password_stdin: bool,
        /// Language of mail to this user: de or en.
        #[arg(long, default_value = "de")]
        locale: String,
    },
    /// List the accounts: id, status, roles, e-mail, name.
    List {
        /// The store.
        #[arg(long)]
        db: PathBuf,
    },
    /// Grant or withdraw a role.
    #[command(subcommand)]
    Role(RoleCommand),
}

#[derive(Subcommand)]
pub enum RoleCommand {
    /// Grant a role.
    #[command(
        after_help = "Example:\n  sozialatlas user role add --db fl.db --email m@stadt.example moderator"
    )]
    Add {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
        /// The role.
        role: Role,
    },
    /// Withdraw a role (the last active administrator keeps theirs).
    #[command(
        after_help = "Example:\n  sozialatlas user role remove --db fl.db --email m@stadt.example moderator"
    )]
    Remove {
        /// The store.
        #[arg(long)]
        db: PathBuf,
        /// The account's e-mail address.
        #[arg(long)]
        email: String,
        /// The role.
        role: Role,
    },
}

async fn open(db: &Path) -> anyhow::Result<sozialatlas_store::Pool> {
    crate::open_store(db).await
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let a = rpassword::prompt_password("Password: ")?;
    let b = rpassword::prompt_password("Password again: ")?;
    if a != b {
        return Err(UsageError("the two passwords differ".into()).into());
    }
    Ok(a)
}

fn usage(e: sozialatlas_accounts::AccountError) -> anyhow::Error {
    use sozialatlas_accounts::AccountError as E;
    match e {
        E::Invalid { field, message } => {
            UsageError(format!("--{}: {message}", field.replace('_', "-"))).into()
        }
        E::EmailTaken => {
            UsageError("--email: an account with this address exists already".into()).into()
        }
        e => e.into(),
    }
}

async fn find(pool: &sozialatlas_store::Pool, email: &str) -> anyhow::Result<i64> {
    match sozialatlas_accounts::find_user_by_email(pool, email).await? {
        Some(u) if u.status != Status::Deleted => Ok(u.id),
        _ => Err(UsageError(format!("--email: no account with the address {email}")).into()),
    }
}

pub async fn run(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Add {
            db,
            email,
            name,
            role,
            password_stdin,
            locale,
        } => {
            if locale != "de" && locale != "en" {
                return Err(
                    UsageError(format!("--locale: expected de or en, found {locale}")).into(),
                );
            }
            let pool = open(&db).await?;
            sozialatlas_accounts::check_email(&email).map_err(usage)?;
            sozialatlas_accounts::check_display_name(&name).map_err(usage)?;
            let password = read_password(password_stdin)?;
            let id = sozialatlas_accounts::create_user(
                &pool,
                &NewUser {
                    email: &email,
                    display_name: &name,
                    password: &password,
                    locale: &locale,
                    status: Status::Active,
                    roles: &role,
                },
                None,
            )
            .await
            .map_err(usage)?;
            let u = sozialatlas_accounts::get_user(&pool, id).await?;
            let roles = u
                .map(|u| {
                    u.roles
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            println!("created account {id} for {email} (roles: {roles})");
            Ok(())
        }
        Command::List { db } => {
            let pool = open(&db).await?;
            let users = sozialatlas_accounts::list_users(&pool).await?;
            println!(
                "{:>5}  {:<12} {:<40} {:<32} name",
                "id", "status", "roles", "e-mail"
            );
            for u in users {
                let roles = u
                    .roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(",");
                println!(
                    "{:>5}  {:<12} {:<40} {:<32} {}",
                    u.id,
                    u.status.as_str(),
                    roles,
                    u.email.as_deref().unwrap_or("-"),
                    u.display_name
                );
            }
            Ok(())
        }
        Command::Role(RoleCommand::Add { db, email, role }) => {
            let pool = open(&db).await?;
            let id = find(&pool, &email).await?;
            if sozialatlas_accounts::add_role(&pool, None, id, role)
                .await
                .map_err(usage)?
            {
                println!("{email}: role {role} granted");
            } else {
                println!("{email}: holds {role} already; nothing changed");
            }
            Ok(())
        }
        Command::Role(RoleCommand::Remove { db, email, role }) => {
            let pool = open(&db).await?;
            let id = find(&pool, &email).await?;
            if sozialatlas_accounts::remove_role(&pool, None, id, role)
                .await
                .map_err(usage)?
            {
                println!("{email}: role {role} withdrawn");
            } else {
                println!("{email}: does not hold {role}; nothing changed");
            }
            Ok(())
        }
    }
}
