//! Users: creation, lookup, authentication, roles, status, export and deletion.

use serde::Serialize;
use serde_json::{Value, json};

use crate::password::{burn_verification, check_new_password, hash_password, verify_password};
use crate::{AccountError, Pool, Role, audit, clock};

/// The state of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Registered, e-mail address not yet confirmed: cannot sign in.
    Unconfirmed,
    /// Can sign in.
    Active,
    /// Blocked by an administrator: cannot sign in; existing sessions end.
    Blocked,
    /// Deleted: personal data erased, the row stays for the contributions' sake.
    Deleted,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unconfirmed => "unconfirmed",
            Status::Active => "active",
            Status::Blocked => "blocked",
            Status::Deleted => "deleted",
        }
    }

    /// Parses [`Status::as_str`].
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Unconfirmed,
            Status::Active,
            Status::Blocked,
            Status::Deleted,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

impl From<String> for Status {
    /// The stored name; a name this version does not know reads as blocked (fail closed).
    fn from(s: String) -> Status {
        Status::parse(&s).unwrap_or(Status::Blocked)
    }
}

/// A user as the application sees it (never the password hash).
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct User {
    /// Id.
    pub id: i64,
    /// E-mail address as given (None once deleted).
    pub email: Option<String>,
    /// Name shown with contributions (empty once deleted).
    pub display_name: String,
    /// Account state.
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// Language for mail: `de` or `en`.
    pub locale: String,
    /// Roles, in [`Role::ALL`] order.
    #[sqlx(skip)]
    pub roles: Vec<Role>,
    /// When registered or created.
    pub created_at: String,
    /// When the e-mail address was confirmed.
    pub confirmed_at: Option<String>,
    /// Last successful sign-in.
    pub last_login_at: Option<String>,
    /// Unix time in milliseconds of the last password change: sessions signed in before it are
    /// void.
    pub credentials_changed_at: Option<i64>,
    /// Whether the user is told by e-mail what happens to their ideas (they may turn it off).
    pub notify_by_mail: bool,
}

impl User {
    /// Whether the user holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// What [`create_user`] needs.
#[derive(Clone, Debug)]
pub struct NewUser<'a> {
    /// E-mail address.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Password (checked with [`check_new_password`]).
    pub password: &'a str,
    /// `de` or `en`.
    pub locale: &'a str,
    /// Initial state: [`Status::Active`] for accounts made by an administrator,
    /// [`Status::Unconfirmed`] for self-registration.
    pub status: Status,
    /// Roles to grant (an active account always gets [`Role::Participant`] as well).
    pub roles: &'a [Role],
}

/// Checks an e-mail address and returns it trimmed, with its normalised (lower-case) form.
pub fn check_email(email: &str) -> Result<(String, String), AccountError> {
    let e = email.trim();
    let bad = |m: &str| Err(AccountError::invalid("email", m));
    if e.is_empty() {
        return bad("an e-mail address is needed");
    }
    if e.len() > 254 {
        return bad("an e-mail address has at most 254 characters");
    }
    if e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("an e-mail address contains no spaces");
    }
    let Some((local, domain)) = e.rsplit_once('@') else {
        return bad("an e-mail address looks like name@example.org (the @ is missing)");
    };
    if local.is_empty()
        || domain.is_empty()
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || local.contains('@')
        || e.contains(['<', '>', '"', ',', ';'])
    {
        return bad("an e-mail address looks like name@example.org");
    }
    Ok((e.to_string(), e.to_lowercase()))
}

/// Checks a display name: 2 to 60 characters, no control characters; returns it trimmed.
pub fn check_display_name(name: &str) -> Result<String, AccountError> {
    let n = name.trim();
    let len = n.chars().count();
    if len < 2 {
        return Err(AccountError::invalid(
            "display_name",
            "a name of at least 2 characters is needed",
        ));
    }
    if len > 60 {
        return Err(AccountError::invalid(
            "display_name",
            format!("a name has at most 60 characters, {len} were given"),
        ));
    }
    if n.chars().any(char::is_control) {
        return Err(AccountError::invalid(
            "display_name",
            "a name contains no control characters",
        ));
    }
    Ok(n.to_string())
}

const USER_COLS: &str = "id, email, display_name, status, locale, created_at, confirmed_at, last_login_at, credentials_changed_at, notify_by_mail";

async fn roles_of(pool: &Pool, id: i64) -> Result<Vec<Role>, AccountError> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT role FROM app_user_role WHERE user_id = $1")
        .bind(id)
        .fetch_all(pool)
        .await?;
    let mut roles: Vec<Role> = rows.iter().filter_map(|r| Role::parse(r)).collect();
    roles.sort();
    Ok(roles)
}

/// Creates a user; `actor` (if any) is recorded in the audit log as the one who created it.
pub async fn create_user(
    pool: &Pool,
    new: &NewUser<'_>,
    actor: Option<i64>,
) -> Result<i64, AccountError> {
    let (email, norm) = check_email(new.email)?;
    let name = check_display_name(new.display_name)?;
    check_new_password(new.password, &email)?;
    let locale = if new.locale == "en" { "en" } else { "de" };
    let hash = hash_password(new.password).await?;
    let now = clock::now();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let exists = sqlx::query("SELECT id FROM app_user WHERE email_norm = $1")
        .bind(&norm)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Err(AccountError::EmailTaken);
    }
    let confirmed = (new.status == Status::Active).then(|| now.clone());
    let id = sozialatlas_store::next_id(&mut tx, "app_user").await?;
    sqlx::query(
        "INSERT INTO app_user (id, email, email_norm, display_name, password_hash, status, locale, \
         created_at, confirmed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(&email)
    .bind(&norm)
    .bind(&name)
    .bind(&hash)
    .bind(new.status.as_str())
    .bind(locale)
    .bind(&now)
    .bind(&confirmed)
    .execute(&mut *tx)
    .await?;
    let mut roles: Vec<Role> = new.roles.to_vec();
    if new.status == Status::Active && !roles.contains(&Role::Participant) {
        roles.push(Role::Participant);
    }
    roles.sort();
    roles.dedup();
    for r in &roles {
        sqlx::query(
            "INSERT INTO app_user_role (user_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(r.as_str())
        .bind(&now)
        .bind(actor)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if actor.is_some() || !new.roles.is_empty() {
        let roles = roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",");
        audit(
            pool,
            actor,
            "user.create",
            &format!("user:{id}"),
            &format!("roles={roles}"),
        )
        .await?;
    }
    Ok(id)
}

/// A user by id.
pub async fn get_user(pool: &Pool, id: i64) -> Result<Option<User>, AccountError> {
    let row: Option<User> =
        sqlx::query_as(&format!("SELECT {USER_COLS} FROM app_user WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    match row {
        Some(mut u) => {
            u.roles = roles_of(pool, id).await?;
            Ok(Some(u))
        }
        None => Ok(None),
    }
}

/// A user by e-mail address (case-insensitive).
pub async fn find_user_by_email(pool: &Pool, email: &str) -> Result<Option<User>, AccountError> {
    let norm = email.trim().to_lowercase();
    let row: Option<User> = sqlx::query_as(&format!(
        "SELECT {USER_COLS} FROM app_user WHERE email_norm = $1"
    ))
    .bind(&norm)
    .fetch_optional(pool)
    .await?;
    match row {
        Some(mut u) => {
            u.roles = roles_of(pool, u.id).await?;
            Ok(Some(u))
        }
        None => Ok(None),
    }
}

/// Every user, in id order, with roles.
pub async fn list_users(pool: &Pool) -> Result<Vec<User>, AccountError> {
    let mut users: Vec<User> =
        sqlx::query_as(&format!("SELECT {USER_COLS} FROM app_user ORDER BY id"))
            .fetch_all(pool)
            .await?;
    let roles: Vec<(i64, String)> = sqlx::query_as("SELECT user_id, role FROM app_user_role")
        .fetch_all(pool)
        .await?;
    let pos: std::collections::HashMap<i64, usize> =
        users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    for (user_id, role) in &roles {
        if let (Some(&i), Some(role)) = (pos.get(user_id), Role::parse(role)) {
            users[i].roles.push(role);
        }
    }
    for u in &mut users {
        u.roles.sort();
    }
    Ok(users)
}

/// The result of a sign-in attempt.
#[derive(Clone, Debug)]
pub enum LoginOutcome {
    /// Signed in.
    Success(User),
    /// Unknown address or wrong password (the caller must not say which).
    BadCredentials,
    /// Right password, e-mail address not yet confirmed.
    Unconfirmed(User),
    /// Right password, account blocked.
    Blocked,
}

/// Checks an e-mail address and password. Takes one Argon2 verification whether or not the
/// address exists (no enumeration through timing). Records the time of a successful sign-in.
pub async fn authenticate(
    pool: &Pool,
    email: &str,
    password: &str,
) -> Result<LoginOutcome, AccountError> {
    /// A user with the stored password hash, read only here.
    #[derive(sqlx::FromRow)]
    struct Credentials {
        #[sqlx(flatten)]
        user: User,
        password_hash: Option<String>,
    }
    let norm = email.trim().to_lowercase();
    let row: Option<Credentials> = sqlx::query_as(&format!(
        "SELECT {USER_COLS}, password_hash FROM app_user WHERE email_norm = $1"
    ))
    .bind(&norm)
    .fetch_optional(pool)
    .await?;
    let Some(Credentials {
        mut user,
        password_hash: hash,
    }) = row
    else {
        burn_verification(password).await?;
        return Ok(LoginOutcome::BadCredentials);
    };
    let ok = match &hash {
        Some(h) => verify_password(h, password).await?,
        None => {
            burn_verification(password).await?;
            false
        }
    };
    if !ok {
        // Action-office staff see case data: their failed sign-ins go into the audit log (the
        // account by id; the password tried is never stored).
        let id = user.id;
        let office = roles_of(pool, id)
            .await?
            .iter()
            .any(|r| matches!(r, Role::OfficeStaff | Role::OfficeSupervisor));
        if office {
            audit(
                pool,
                None,
                "user.login.failed",
                &format!("user:{id}"),
                "wrong password",
            )
            .await?;
        }
        return Ok(LoginOutcome::BadCredentials);
    }
    user.roles = roles_of(pool, user.id).await?;
    match user.status {
        Status::Active => {
            sqlx::query("UPDATE app_user SET last_login_at = $1 WHERE id = $2")
                .bind(clock::now())
                .bind(user.id)
                .execute(pool)
                .await?;
            Ok(LoginOutcome::Success(user))
        }
        Status::Unconfirmed => Ok(LoginOutcome::Unconfirmed(user)),
        Status::Blocked => Ok(LoginOutcome::Blocked),
        Status::Deleted => Ok(LoginOutcome::BadCredentials),
    }
}

/// The display names of accounts by id, for the other crates' lists (a deleted account's name is
/// empty; an unknown id is left out).
pub async fn display_names(
    pool: &Pool,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut names = std::collections::HashMap::new();
    // Within the bound-value limit of both backends.
    for chunk in ids.chunks(1000) {
        let sql = format!(
            "SELECT id, display_name FROM app_user WHERE id IN ({})",
            sozialatlas_store::placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        names.extend(q.fetch_all(pool).await?);
    }
    Ok(names)
}

/// Whether an account is active and, with `role`, holds that role.
pub async fn is_active(pool: &Pool, id: i64, role: Option<Role>) -> Result<bool, sqlx::Error> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM app_user WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    if status.as_deref() != Some(Status::Active.as_str()) {
        return Ok(false);
    }
    let Some(role) = role else { return Ok(true) };
    let held: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM app_user_role WHERE user_id = $1 AND role = $2")
            .bind(id)
            .bind(role.as_str())
            .fetch_one(pool)
            .await?;
    Ok(held > 0)
}

/// Number of active administrators.
pub async fn active_admins(pool: &Pool) -> Result<i64, AccountError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) AS n FROM app_user u JOIN app_user_role r ON r.user_id = u.id \
         WHERE r.role = 'admin' AND u.status = 'active'",
    )
    .fetch_one(pool)
    .await?)
}

async fn require_user(pool: &Pool, id: i64) -> Result<User, AccountError> {
    match get_user(pool, id).await? {
        Some(u) if u.status != Status::Deleted => Ok(u),
        _ => Err(AccountError::NoSuchUser(id)),
    }
}

/// Grants a role (audit-logged). Returns false if the user held it already.
pub async fn add_role(
    pool: &Pool,
    actor: Option<i64>,
    user_id: i64,
    role: Role,
) -> Result<bool, AccountError> {
    let u = require_user(pool, user_id).await?;
    if u.has(role) {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO app_user_role (user_id, role, granted_at, granted_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(role.as_str())
    .bind(clock::now())
    .bind(actor)
    .execute(pool)
    .await?;
    audit(
        pool,
        actor,
        "user.role.add",
        &format!("user:{user_id}"),
        &format!("role={role}"),
    )
    .await?;
    Ok(true)
}

/// Withdraws a role (audit-logged). The last active administrator keeps theirs. Returns false
/// if the user did not hold it.
pub async fn remove_role(
    pool: &Pool,
    actor: Option<i64>,
    user_id: i64,
    role: Role,
) -> Result<bool, AccountError> {
    let u = require_user(pool, user_id).await?;
    if !u.has(role) {
        return Ok(false);
    }
    if role == Role::Admin && u.status == Status::Active && active_admins(pool).await? <= 1 {
        return Err(AccountError::invalid(
            "role",
            "the last active administrator keeps the administrator role",
        ));
    }
    sqlx::query("DELETE FROM app_user_role WHERE user_id = $1 AND role = $2")
        .bind(user_id)
        .bind(role.as_str())
        .execute(pool)
        .await?;
    audit(
        pool,
        actor,
        "user.role.remove",
        &format!("user:{user_id}"),
        &format!("role={role}"),
    )
    .await?;
    Ok(true)
}

/// Blocks or unblocks an account (audit-logged). A blocked account cannot sign in and its
/// sessions end at their next request. The last active administrator cannot be blocked.
pub async fn set_blocked(
    pool: &Pool,
    actor: Option<i64>,
    user_id: i64,
    blocked: bool,
) -> Result<(), AccountError> {
    let u = require_user(pool, user_id).await?;
    let new = match (blocked, &u.confirmed_at) {
        (true, _) => Status::Blocked,
        (false, Some(_)) => Status::Active,
        (false, None) => Status::Unconfirmed,
    };
    if new == u.status {
        return Ok(());
    }
    if blocked
        && u.has(Role::Admin)
        && u.status == Status::Active
        && active_admins(pool).await? <= 1
    {
        return Err(AccountError::invalid(
            "status",
            "the last active administrator cannot be blocked",
        ));
    }
    sqlx::query("UPDATE app_user SET status = $1 WHERE id = $2")
        .bind(new.as_str())
        .bind(user_id)
        .execute(pool)
        .await?;
    audit(
        pool,
        actor,
        if blocked {
            "user.block"
        } else {
            "user.unblock"
        },
        &format!("user:{user_id}"),
        "",
    )
    .await?;
    Ok(())
}

/// Marks the e-mail address confirmed: an unconfirmed account becomes active and a participant.
pub async fn confirm_user(pool: &Pool, user_id: i64) -> Result<(), AccountError> {
    let u = require_user(pool, user_id).await?;
    let now = clock::now();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if u.confirmed_at.is_none() {
        sqlx::query("UPDATE app_user SET confirmed_at = $1 WHERE id = $2")
            .bind(&now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    if u.status == Status::Unconfirmed {
        sqlx::query("UPDATE app_user SET status = 'active' WHERE id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
    }
    if !u.has(Role::Participant) {
        sqlx::query(
            "INSERT INTO app_user_role (user_id, role, granted_at, granted_by) VALUES ($1, 'participant', $2, NULL)",
        )
        .bind(user_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Sets a new password (checked against the rules). Sessions signed in before now end.
pub async fn set_password(pool: &Pool, user_id: i64, password: &str) -> Result<(), AccountError> {
    let u = require_user(pool, user_id).await?;
    check_new_password(password, u.email.as_deref().unwrap_or(""))?;
    let hash = hash_password(password).await?;
    let now = crate::clock::now_millis();
    sqlx::query(
        "UPDATE app_user SET password_hash = $1, credentials_changed_at = $2 WHERE id = $3",
    )
    .bind(hash)
    .bind(now)
    .bind(user_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether `password` is the user's current password.
pub async fn check_password(
    pool: &Pool,
    user_id: i64,
    password: &str,
) -> Result<bool, AccountError> {
    let hash: Option<String> = sqlx::query_scalar(
        "SELECT password_hash FROM app_user WHERE id = $1 AND status <> 'deleted'",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await?
    .flatten();
    Ok(match hash {
        Some(h) => verify_password(&h, password).await?,
        None => {
            burn_verification(password).await?;
            false
        }
    })
}

/// Changes the display name.
pub async fn set_display_name(pool: &Pool, user_id: i64, name: &str) -> Result<(), AccountError> {
    require_user(pool, user_id).await?;
    let name = check_display_name(name)?;
    sqlx::query("UPDATE app_user SET display_name = $1 WHERE id = $2")
        .bind(name)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Turns the e-mails about one's ideas on or off.
pub async fn set_notify_by_mail(pool: &Pool, user_id: i64, on: bool) -> Result<(), AccountError> {
    require_user(pool, user_id).await?;
    sqlx::query("UPDATE app_user SET notify_by_mail = $1 WHERE id = $2")
        .bind(on)
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Where and in which language to mail a user a notification: only an active account with a
/// confirmed address that has not turned notifications off.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Recipient {
    /// The address.
    pub email: String,
    /// `de` or `en`.
    pub locale: String,
}

/// The recipient of a notification for `user_id` (see [`Recipient`]), read inside the caller's
/// transaction.
pub async fn notification_recipient(
    conn: &mut sozialatlas_store::Conn,
    user_id: i64,
) -> Result<Option<Recipient>, AccountError> {
    Ok(sqlx::query_as(
        "SELECT email, locale FROM app_user WHERE id = $1 AND status = 'active' \
         AND email IS NOT NULL AND confirmed_at IS NOT NULL AND notify_by_mail",
    )
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The outcome of a self-registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registration {
    /// A new unconfirmed account.
    Created(i64),
    /// The address belongs to an existing account (the caller answers as if created, and mails
    /// the owner instead: no enumeration).
    Exists(i64),
}

/// Self-registration: an unconfirmed account with no roles until the address is confirmed.
pub async fn register(
    pool: &Pool,
    email: &str,
    display_name: &str,
    password: &str,
    locale: &str,
) -> Result<Registration, AccountError> {
    let new = NewUser {
        email,
        display_name,
        password,
        locale,
        status: Status::Unconfirmed,
        roles: &[],
    };
    match create_user(pool, &new, None).await {
        Ok(id) => Ok(Registration::Created(id)),
        Err(AccountError::EmailTaken) => {
            let u = find_user_by_email(pool, email).await?;
            Ok(Registration::Exists(u.map_or(0, |u| u.id)))
        }
        Err(e) => Err(e),
    }
}

/// Everything stored about a user, as JSON (the participant's right of access): the account,
/// roles, e-mail tokens (without the token), mail sent to them, and audit entries by or about
/// them. Other parts of the application add their own sections beside this one.
pub async fn export_user(pool: &Pool, user_id: i64) -> Result<Value, AccountError> {
    let u = get_user(pool, user_id)
        .await?
        .ok_or(AccountError::NoSuchUser(user_id))?;
    /// A role as granted.
    #[derive(Serialize, sqlx::FromRow)]
    struct Grant {
        role: String,
        granted_at: String,
        granted_by: Option<i64>,
    }
    /// An e-mail token without the token.
    #[derive(Serialize, sqlx::FromRow)]
    struct Token {
        purpose: String,
        created_at: String,
        expires_at: String,
        used_at: Option<String>,
    }
    /// A mail sent to the user.
    #[derive(Serialize, sqlx::FromRow)]
    struct Mail {
        #[sqlx(rename = "to_addr")]
        to: String,
        subject: String,
        body: String,
        created_at: String,
        sent_at: Option<String>,
    }
    let roles: Vec<Grant> = sqlx::query_as(
        "SELECT role, granted_at, granted_by FROM app_user_role WHERE user_id = $1 ORDER BY role",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let tokens: Vec<Token> = sqlx::query_as(
        "SELECT purpose, created_at, expires_at, used_at FROM email_token WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let mails: Vec<Mail> = sqlx::query_as(
        "SELECT to_addr, subject, body, created_at, sent_at FROM mail_outbox WHERE user_id = $1 ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    let audit = crate::audit::entries_about(pool, user_id).await?;
    Ok(json!({
        "account": {
            "id": u.id,
            "email": u.email,
            "display_name": u.display_name,
            "status": u.status.as_str(),
            "language": u.locale,
            "created_at": u.created_at,
            "confirmed_at": u.confirmed_at,
            "last_login_at": u.last_login_at,
            "notify_by_mail": u.notify_by_mail,
        },
        "roles": roles,
        "email_tokens": tokens,
        "mails": mails,
        "audit_log": audit,
    }))
}

/// Deletes an account: erases its personal data (e-mail, name, password, tokens, roles, mail)
/// and keeps the row with status `deleted`, so that contributions stay, shown as by "a deleted
/// participant". Audit-logged (by id). The last active administrator cannot be deleted.
pub async fn delete_user(
    pool: &Pool,
    actor: Option<i64>,
    user_id: i64,
) -> Result<(), AccountError> {
    let u = require_user(pool, user_id).await?;
    if u.has(Role::Admin) && u.status == Status::Active && active_admins(pool).await? <= 1 {
        return Err(AccountError::invalid(
            "account",
            "the last active administrator cannot delete their account",
        ));
    }
    let now = clock::now();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query(
        "UPDATE app_user SET email = NULL, email_norm = NULL, display_name = '', \
         password_hash = NULL, status = 'deleted', deleted_at = $1, last_login_at = NULL \
         WHERE id = $2",
    )
    .bind(&now)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM app_user_role WHERE user_id = $1",
        "DELETE FROM email_token WHERE user_id = $1",
        "DELETE FROM mail_outbox WHERE user_id = $1",
        "DELETE FROM login_device WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    audit(pool, actor, "user.delete", &format!("user:{user_id}"), "").await?;
    Ok(())
}
