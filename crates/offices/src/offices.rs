//! Offices, their action areas and staff, the topic list, the partner agencies, the retention
//! setting. Public reads need no actor; every change needs an administrator (partner agencies:
//! also a supervisor).

use crate::access::Actor;
use crate::date::Date;
use crate::{OfficeError, Pool, Result, audit, now_rfc3339, text};
use serde::Serialize;

/// An office as the public sees it (and staff, with the same fields).
#[derive(Clone, Debug, Serialize, PartialEq, sqlx::FromRow)]
pub struct Office {
    /// Id.
    pub id: i64,
    /// URL name, e.g. `nordstadt`.
    pub slug: String,
    /// Name, e.g. „Aktionsbüro Nordstadt“.
    pub name: String,
    /// Street and number.
    pub street: String,
    /// Postcode.
    pub postcode: String,
    /// City.
    pub city: String,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Opening hours, one entry per line („Mo 9–12 Uhr“).
    pub opening_hours: String,
    /// Access (step-free entrance, lift …).
    pub accessibility: Option<String>,
    /// What the office offers, in a few sentences.
    pub description: Option<String>,
    /// Open since.
    pub opened_on: Option<Date>,
    /// Shown on the public pages.
    pub is_public: bool,
    /// Example content (demo): marked as such everywhere.
    pub is_example: bool,
    /// The action areas it serves.
    #[sqlx(skip)]
    pub areas: Vec<OfficeArea>,
}

impl Office {
    /// The opening hours, one entry per line.
    pub fn hours(&self) -> Vec<&str> {
        self.opening_hours
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// An action area an office serves (read through the store, which owns the action areas).
pub type OfficeArea = sozialatlas_store::PlacedActionArea;

/// What an administrator enters for an office.
#[derive(Clone, Debug, Default)]
pub struct OfficeInput {
    /// URL name: lower-case letters, digits, dashes.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Street and number.
    pub street: String,
    /// Postcode.
    pub postcode: String,
    /// City.
    pub city: String,
    /// Phone.
    pub phone: String,
    /// E-mail.
    pub email: String,
    /// Opening hours, one entry per line.
    pub opening_hours: String,
    /// Accessibility.
    pub accessibility: String,
    /// Description.
    pub description: String,
    /// Open since (`YYYY-MM-DD`, may be empty).
    pub opened_on: String,
    /// Public.
    pub is_public: bool,
    /// Example content.
    pub is_example: bool,
    /// Action area ids it serves.
    pub action_areas: Vec<i64>,
}

struct Checked {
    slug: String,
    name: String,
    street: String,
    postcode: String,
    city: String,
    phone: Option<String>,
    email: Option<String>,
    hours: String,
    accessibility: Option<String>,
    description: Option<String>,
    opened_on: Option<String>,
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds an office row's columns to `query` (an `INSERT` or `UPDATE` that numbers them alike):
/// `$1` the id, `$2`…`$14` the checked fields, public, example.
fn bind_row<'q>(id: i64, c: &'q Checked, input: &OfficeInput, query: Query<'q>) -> Query<'q> {
    query
        .bind(id)
        .bind(&c.slug)
        .bind(&c.name)
        .bind(&c.street)
        .bind(&c.postcode)
        .bind(&c.city)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(&c.hours)
        .bind(&c.accessibility)
        .bind(&c.description)
        .bind(&c.opened_on)
        .bind(input.is_public)
        .bind(input.is_example)
}

/// Whether `s` is a machine name: 1 to `max` characters a–z, 0–9 and `sep`.
fn is_name(s: &str, max: usize, sep: char) -> bool {
    (1..=max).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == sep)
}

fn check(i: &OfficeInput) -> Result<Checked> {
    let slug = i.slug.trim().to_string();
    if !is_name(&slug, 40, '-') {
        return Err(OfficeError::invalid(
            "slug",
            format!(
                "expected 1–40 lower-case letters a–z, digits and dashes (e.g. „nordstadt“), found „{slug}“"
            ),
            format!(
                "erwartet werden 1–40 Kleinbuchstaben a–z, Ziffern und Bindestriche (z. B. „nordstadt“), angegeben ist „{slug}“"
            ),
        ));
    }
    if ["cases", "statistics", "partners", "new"].contains(&slug.as_str()) {
        return Err(OfficeError::invalid(
            "slug",
            format!("„{slug}“ is a reserved word of the office pages; choose another name"),
            format!(
                "„{slug}“ ist für die Seiten der Büros reserviert; bitte einen anderen Namen wählen"
            ),
        ));
    }
    let opened_on = match i.opened_on.trim() {
        "" => None,
        s => Some(
            Date::parse(s)
                .map_err(|_| OfficeError::bad_date("opened_on", s))?
                .to_string(),
        ),
    };
    let hours = text("opening_hours", &i.opening_hours, true, 600)?.unwrap_or_default();
    Ok(Checked {
        slug,
        name: text("name", &i.name, true, 120)?.unwrap_or_default(),
        street: text("street", &i.street, true, 120)?.unwrap_or_default(),
        postcode: text("postcode", &i.postcode, true, 10)?.unwrap_or_default(),
        city: text("city", &i.city, true, 80)?.unwrap_or_default(),
        phone: text("phone", &i.phone, false, 40)?,
        email: text("email", &i.email, false, 120)?,
        hours,
        accessibility: text("accessibility", &i.accessibility, false, 300)?,
        description: text("description", &i.description, false, 1000)?,
        opened_on,
    })
}

/// Whether an office other than `except` has the URL name `slug`.
async fn slug_taken(
    conn: &mut sozialatlas_store::Conn,
    slug: &str,
    except: Option<i64>,
) -> Result<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM office WHERE slug = $1 AND id IS DISTINCT FROM $2")
            .bind(slug)
            .bind(except)
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// Creates an office (administrators); returns its id.
pub async fn create_office(pool: &Pool, actor: &Actor, input: &OfficeInput) -> Result<i64> {
    actor.require_admin()?;
    let c = check(input)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if slug_taken(&mut tx, &c.slug, None).await? {
        return Err(OfficeError::invalid(
            "slug",
            format!("an office named „{}“ exists already", c.slug),
            format!("ein Büro mit dem Kurznamen „{}“ gibt es schon", c.slug),
        ));
    }
    let id = sozialatlas_store::next_id(&mut tx, "office").await?;
    bind_row(
        id,
        &c,
        input,
        sqlx::query(
            "INSERT INTO office (id, slug, name, street, postcode, city, phone, email, opening_hours,
             accessibility, description, opened_on, is_public, is_example, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        ),
    )
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    finish(tx, pool, actor, id, input, &c, "office.create").await?;
    Ok(id)
}

/// Changes an office (administrators).
pub async fn update_office(pool: &Pool, actor: &Actor, id: i64, input: &OfficeInput) -> Result<()> {
    actor.require_admin()?;
    let c = check(input)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if slug_taken(&mut tx, &c.slug, Some(id)).await? {
        return Err(OfficeError::invalid(
            "slug",
            format!("another office is named „{}“", c.slug),
            format!("ein anderes Büro hat den Kurznamen „{}“", c.slug),
        ));
    }
    let n = bind_row(
        id,
        &c,
        input,
        sqlx::query(
            "UPDATE office SET slug = $2, name = $3, street = $4, postcode = $5, city = $6, phone = $7,
             email = $8, opening_hours = $9, accessibility = $10, description = $11, opened_on = $12,
             is_public = $13, is_example = $14
         WHERE id = $1",
        ),
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(OfficeError::NotFound(format!("office {id}")));
    }
    finish(tx, pool, actor, id, input, &c, "office.update").await
}

/// The end of saving an office: its action areas (replacing those it had), the commit, the
/// audit entry.
async fn finish(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    pool: &Pool,
    actor: &Actor,
    id: i64,
    input: &OfficeInput,
    c: &Checked,
    action: &str,
) -> Result<()> {
    set_areas(&mut tx, id, &input.action_areas).await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        action,
        &format!("office:{id}"),
        &c.slug,
    )
    .await
}

/// Replaces the action areas the office serves.
async fn set_areas(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    office: i64,
    areas: &[i64],
) -> Result<()> {
    sqlx::query("DELETE FROM office_area WHERE office_id = $1")
        .bind(office)
        .execute(&mut **tx)
        .await?;
    let mut seen = std::collections::BTreeSet::new();
    for &a in areas {
        if !seen.insert(a) {
            continue;
        }
        if sozialatlas_store::placed_action_area(tx, a)
            .await?
            .is_none()
        {
            return Err(OfficeError::invalid(
                "action_areas",
                format!("expected the id of an action area, found {a}"),
                format!("erwartet wird ein Aktionsraum, angegeben ist {a}"),
            ));
        }
        sqlx::query("INSERT INTO office_area (office_id, action_area_id) VALUES ($1, $2)")
            .bind(office)
            .bind(a)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

const OFFICE_COLS: &str = "id, slug, name, street, postcode, city, phone, email, opening_hours,
    accessibility, description, opened_on, is_public, is_example";

/// Fills in the action areas an office serves.
async fn office_from_row(pool: &Pool, mut office: Office) -> Result<Office> {
    office.areas = office_areas(pool, office.id).await?;
    Ok(office)
}

/// Fills in the action areas of each office.
async fn offices_from_rows(pool: &Pool, rows: Vec<Office>) -> Result<Vec<Office>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(office_from_row(pool, r).await?);
    }
    Ok(out)
}

async fn office_areas(pool: &Pool, office: i64) -> Result<Vec<OfficeArea>> {
    let mut conn = pool.acquire().await?;
    let ids =
        sqlx::query_scalar::<_, i64>("SELECT action_area_id FROM office_area WHERE office_id = $1")
            .bind(office)
            .fetch_all(&mut *conn)
            .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.extend(sozialatlas_store::placed_action_area(&mut conn, id).await?);
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The public offices, by name.
pub async fn public_offices(pool: &Pool) -> Result<Vec<Office>> {
    let rows = sqlx::query_as::<_, Office>(&format!(
        "SELECT {OFFICE_COLS} FROM office WHERE is_public ORDER BY name"
    ))
    .fetch_all(pool)
    .await?;
    offices_from_rows(pool, rows).await
}

/// A public office by its URL name.
pub async fn public_office(pool: &Pool, slug: &str) -> Result<Option<Office>> {
    let Some(r) = sqlx::query_as::<_, Office>(&format!(
        "SELECT {OFFICE_COLS} FROM office WHERE slug = $1 AND is_public"
    ))
    .bind(slug)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(office_from_row(pool, r).await?))
}

/// The public offices serving an area of the atlas: an action area with this member on this
/// level (the hook for the action area's page and the area profile).
pub async fn public_offices_for_area(pool: &Pool, level: &str, key: &str) -> Result<Vec<Office>> {
    let areas = {
        let mut conn = pool.acquire().await?;
        sozialatlas_store::action_areas_with_member(&mut conn, level, key).await?
    };
    let mut out: Vec<Office> = Vec::new();
    for area in areas {
        for o in public_offices_for_action_area(pool, area).await? {
            if !out.iter().any(|x| x.id == o.id) {
                out.push(o);
            }
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The public offices serving an action area (by its id).
pub async fn public_offices_for_action_area(pool: &Pool, action_area: i64) -> Result<Vec<Office>> {
    let rows = sqlx::query_as::<_, Office>(&format!(
        "SELECT {OFFICE_COLS} FROM office WHERE is_public AND id IN (
             SELECT office_id FROM office_area WHERE action_area_id = $1)
         ORDER BY name"
    ))
    .bind(action_area)
    .fetch_all(pool)
    .await?;
    offices_from_rows(pool, rows).await
}

/// Every office, public or not (administrators).
pub async fn all_offices(pool: &Pool, actor: &Actor) -> Result<Vec<Office>> {
    if !actor.admin && !actor.supervisor {
        return Err(OfficeError::Forbidden(
            "the list of all offices needs the administrator or supervisor role".into(),
        ));
    }
    let rows =
        sqlx::query_as::<_, Office>(&format!("SELECT {OFFICE_COLS} FROM office ORDER BY name"))
            .fetch_all(pool)
            .await?;
    offices_from_rows(pool, rows).await
}

/// An office by id, for administrators and its own staff.
pub async fn office(pool: &Pool, actor: &Actor, id: i64) -> Result<Office> {
    if !actor.admin {
        crate::access::require_staff_of(pool, actor, id).await?;
    }
    let r = sqlx::query_as::<_, Office>(&format!("SELECT {OFFICE_COLS} FROM office WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| OfficeError::NotFound(format!("office {id}")))?;
    office_from_row(pool, r).await
}

/// An office by its URL name, for administrators and its own staff (staff of other offices
/// get `Forbidden`, whether or not it exists).
pub async fn office_by_slug(pool: &Pool, actor: &Actor, slug: &str) -> Result<Office> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM office WHERE slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?;
    match id {
        Some(id) => office(pool, actor, id).await,
        None if actor.admin => Err(OfficeError::NotFound(format!("office {slug}"))),
        None => Err(OfficeError::Forbidden(
            "only the staff of this office may see its cases".into(),
        )),
    }
}

/// The offices the actor works in.
pub async fn my_offices(pool: &Pool, actor: &Actor) -> Result<Vec<Office>> {
    let mut out = Vec::new();
    for id in crate::access::staff_offices(pool, actor).await? {
        out.push(office(pool, actor, id).await?);
    }
    Ok(out)
}

/// A staff member of an office.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffMember {
    /// Account id.
    pub user_id: i64,
    /// Display name (from the accounts table).
    pub display_name: String,
    /// Assigned since.
    pub since: String,
}

/// The staff of an office (its own staff and administrators).
pub async fn staff_of(pool: &Pool, actor: &Actor, office: i64) -> Result<Vec<StaffMember>> {
    if !actor.admin {
        crate::access::require_staff_of(pool, actor, office).await?;
    }
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, since FROM office_staff WHERE office_id = $1")
            .bind(office)
            .fetch_all(pool)
            .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut names = sozialatlas_accounts::display_names(pool, &ids).await?;
    let mut staff: Vec<StaffMember> = rows
        .into_iter()
        .map(|(user_id, since)| StaffMember {
            user_id,
            display_name: names.remove(&user_id).unwrap_or_default(),
            since,
        })
        .collect();
    staff.sort_by(|a, b| a.display_name.cmp(&b.display_name));
    Ok(staff)
}

/// Assigns a user to an office (administrators). The user needs the office-staff role to see
/// anything; the assignment alone grants nothing.
pub async fn assign_staff(pool: &Pool, actor: &Actor, office: i64, user: i64) -> Result<()> {
    actor.require_admin()?;
    if sqlx::query("SELECT 1 FROM office WHERE id = $1")
        .bind(office)
        .fetch_optional(pool)
        .await?
        .is_none()
    {
        return Err(OfficeError::NotFound(format!("office {office}")));
    }
    if !sozialatlas_accounts::is_active(pool, user, None).await? {
        return Err(OfficeError::invalid(
            "user",
            format!("expected an active account, found none with id {user}"),
            format!("es gibt kein aktives Konto mit der Nummer {user}"),
        ));
    }
    sqlx::query(
        "INSERT INTO office_staff (office_id, user_id, since) SELECT $1, $2, $3
         WHERE NOT EXISTS (SELECT 1 FROM office_staff WHERE office_id = $1 AND user_id = $2)",
    )
    .bind(office)
    .bind(user)
    .bind(Date::today().to_string())
    .execute(pool)
    .await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.staff.assign",
        &format!("office:{office}"),
        &format!("user:{user}"),
    )
    .await
}

/// Ends an assignment (administrators). Cases the user owns keep their owner until reassigned.
pub async fn unassign_staff(pool: &Pool, actor: &Actor, office: i64, user: i64) -> Result<()> {
    actor.require_admin()?;
    let removed = sqlx::query("DELETE FROM office_staff WHERE office_id = $1 AND user_id = $2")
        .bind(office)
        .bind(user)
        .execute(pool)
        .await?
        .rows_affected();
    if removed == 0 {
        return Err(OfficeError::NotFound(format!(
            "staff member {user} of office {office}"
        )));
    }
    audit::log(
        pool,
        actor.audit_id(),
        "office.staff.unassign",
        &format!("office:{office}"),
        &format!("user:{user}"),
    )
    .await
}

/// A coded topic.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Topic {
    /// Code, e.g. `housing`.
    pub code: String,
    /// German label.
    pub label_de: String,
    /// English label.
    pub label_en: String,
    /// Offered for new cases.
    pub active: bool,
}

impl Topic {
    /// The label in a language (`de` or `en`).
    pub fn label(&self, en: bool) -> &str {
        if en { &self.label_en } else { &self.label_de }
    }
}

/// The topic list, in its order (retired topics too: old cases keep them).
pub async fn topics(pool: &Pool) -> Result<Vec<Topic>> {
    Ok(sqlx::query_as(
        "SELECT code, label_de, label_en, active FROM office_topic ORDER BY position, code",
    )
    .fetch_all(pool)
    .await?)
}

/// Adds a topic or changes its labels; `active = false` retires it (administrators).
pub async fn put_topic(
    pool: &Pool,
    actor: &Actor,
    code: &str,
    label_de: &str,
    label_en: &str,
    active: bool,
) -> Result<()> {
    actor.require_admin()?;
    let code = code.trim();
    if !is_name(code, 30, '_') {
        return Err(OfficeError::invalid(
            "code",
            format!("expected 1–30 characters a–z, 0–9 and _, found „{code}“"),
            format!("erwartet werden 1–30 Zeichen a–z, 0–9 und _, angegeben ist „{code}“"),
        ));
    }
    let de = text("label_de", label_de, true, 80)?.unwrap_or_default();
    let en = text("label_en", label_en, true, 80)?.unwrap_or_default();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let exists = sqlx::query("SELECT 1 FROM office_topic WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
    if exists {
        sqlx::query(
            "UPDATE office_topic SET label_de = $2, label_en = $3, active = $4 WHERE code = $1",
        )
        .bind(code)
        .bind(&de)
        .bind(&en)
        .bind(active)
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(
            "INSERT INTO office_topic (code, label_de, label_en, position, active)
             SELECT $1, $2, $3, COALESCE(MAX(position), 0) + 1, $4 FROM office_topic",
        )
        .bind(code)
        .bind(&de)
        .bind(&en)
        .bind(active)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.topic.put",
        &format!("topic:{code}"),
        if active { "active" } else { "retired" },
    )
    .await
}

/// A partner agency cases can be referred to.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Partner {
    /// Id.
    pub id: i64,
    /// Name, e.g. „Schuldnerberatung der Diakonie“.
    pub name: String,
    /// Kind, e.g. „Schuldnerberatung“.
    pub kind: String,
    /// Contact (address, phone).
    pub contact: Option<String>,
    /// Offered for new referrals.
    pub active: bool,
}

/// The partner agencies (staff, supervisors, administrators).
pub async fn partners(pool: &Pool, actor: &Actor) -> Result<Vec<Partner>> {
    if !(actor.staff || actor.supervisor || actor.admin) {
        return Err(OfficeError::Forbidden(
            "the partner list is for office staff, supervisors and administrators".into(),
        ));
    }
    Ok(sqlx::query_as(
        "SELECT id, name, kind, contact, active FROM partner_agency ORDER BY active DESC, name",
    )
    .fetch_all(pool)
    .await?)
}

/// Adds a partner agency (administrators and supervisors); returns its id.
pub async fn add_partner(
    pool: &Pool,
    actor: &Actor,
    name: &str,
    kind: &str,
    contact: &str,
) -> Result<i64> {
    if !(actor.admin || actor.supervisor) {
        return Err(OfficeError::Forbidden(
            "managing partner agencies needs the administrator or supervisor role".into(),
        ));
    }
    let name = text("name", name, true, 160)?.unwrap_or_default();
    let kind = text("kind", kind, true, 80)?.unwrap_or_default();
    let contact = text("contact", contact, false, 300)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if sqlx::query("SELECT 1 FROM partner_agency WHERE name = $1")
        .bind(&name)
        .fetch_optional(&mut *tx)
        .await?
        .is_some()
    {
        return Err(OfficeError::invalid(
            "name",
            format!("a partner agency „{name}“ exists already"),
            format!("die Fachstelle „{name}“ steht schon in der Liste"),
        ));
    }
    let id = sozialatlas_store::next_id(&mut tx, "partner_agency").await?;
    sqlx::query(
        "INSERT INTO partner_agency (id, name, kind, contact, active, created_at)
         VALUES ($1, $2, $3, $4, TRUE, $5)",
    )
    .bind(id)
    .bind(&name)
    .bind(&kind)
    .bind(&contact)
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.partner.add",
        &format!("partner:{id}"),
        &name,
    )
    .await?;
    Ok(id)
}

/// Retires or reactivates a partner agency (existing referrals keep it).
pub async fn set_partner_active(pool: &Pool, actor: &Actor, id: i64, active: bool) -> Result<()> {
    if !(actor.admin || actor.supervisor) {
        return Err(OfficeError::Forbidden(
            "managing partner agencies needs the administrator or supervisor role".into(),
        ));
    }
    let n = sqlx::query("UPDATE partner_agency SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(active)
        .execute(pool)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(OfficeError::NotFound(format!("partner agency {id}")));
    }
    audit::log(
        pool,
        actor.audit_id(),
        "office.partner.active",
        &format!("partner:{id}"),
        if active { "active" } else { "retired" },
    )
    .await
}

/// Months after a case closes when its identifying details are erased.
pub async fn retention_months(pool: &Pool) -> Result<u32> {
    let n: i64 = sqlx::query_scalar("SELECT retention_months FROM office_settings WHERE id = 1")
        .fetch_one(pool)
        .await?;
    Ok(n.clamp(1, 1200) as u32)
}

/// Sets the retention period in months (administrators; system: `actor = None`, the CLI).
pub async fn set_retention_months(pool: &Pool, actor: Option<&Actor>, months: u32) -> Result<()> {
    if let Some(a) = actor {
        a.require_admin()?;
    }
    if !(1..=1200).contains(&months) {
        return Err(OfficeError::invalid(
            "retention_months",
            format!("expected a number of months from 1 to 1200, found {months}"),
            format!("erwartet wird eine Zahl von Monaten von 1 bis 1200, angegeben ist {months}"),
        ));
    }
    sqlx::query("UPDATE office_settings SET retention_months = $1 WHERE id = 1")
        .bind(i64::from(months))
        .execute(pool)
        .await?;
    audit::log(
        pool,
        actor.and_then(Actor::audit_id),
        "office.retention.set",
        "office_settings",
        &format!("{months} months"),
    )
    .await
}
