//! Processes (Beteiligungsverfahren): title, description, the action-area set they are scoped
//! to, phases with dates and what each permits, fields of action (Handlungsfelder) with goals.
//!
//! What a participant may do is a question of the phase that contains today: outside every
//! phase nothing is open. Phases are ordered and do not overlap (checked on saving).

use serde::Serialize;
use sozialatlas_accounts::Role;
use sozialatlas_store::{ActionArea, ActionAreaSet, Pool};
use time::{Date, OffsetDateTime};

use crate::clock::{date_str, parse_date, stamp};
use crate::error::{FieldError, Problem, check_text};
use crate::{Actor, Error, Query, audit, next_id};

/// What a phase may permit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Permission {
    /// Write and submit project ideas.
    Propose,
    /// Comment on ideas.
    Comment,
    /// Support ideas.
    Support,
}

/// The kinds of phase of an action-plan process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum PhaseKind {
    /// The draft plan is published; residents read and ask.
    Information,
    /// Area meetings (Aktionsraumgespräche).
    Meetings,
    /// Ideas are proposed (with the deadline).
    Proposals,
    /// The administration reviews the ideas.
    Review,
    /// The council decides the action plan.
    Decision,
    /// The measures are carried out.
    Implementation,
}

impl PhaseKind {
    /// Every kind, in their usual order.
    pub const ALL: [PhaseKind; 6] = [
        PhaseKind::Information,
        PhaseKind::Meetings,
        PhaseKind::Proposals,
        PhaseKind::Review,
        PhaseKind::Decision,
        PhaseKind::Implementation,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseKind::Information => "information",
            PhaseKind::Meetings => "meetings",
            PhaseKind::Proposals => "proposals",
            PhaseKind::Review => "review",
            PhaseKind::Decision => "decision",
            PhaseKind::Implementation => "implementation",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<PhaseKind> {
        PhaseKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What this kind of phase usually permits (propose, comment, support), the default of the
    /// process form.
    pub fn default_permissions(self) -> (bool, bool, bool) {
        match self {
            PhaseKind::Information => (false, true, false),
            PhaseKind::Meetings => (true, true, true),
            PhaseKind::Proposals => (true, true, true),
            PhaseKind::Review => (false, true, false),
            PhaseKind::Decision | PhaseKind::Implementation => (false, false, false),
        }
    }
}

/// A phase of a process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// Kind.
    pub kind: PhaseKind,
    /// Title shown (empty: the kind's name in the reader's language).
    pub title: String,
    /// What happens in it.
    pub description: String,
    /// First day.
    pub starts_on: Date,
    /// Last day (inclusive).
    pub ends_on: Date,
    /// Ideas may be proposed.
    pub propose: bool,
    /// Ideas may be commented on.
    pub comment: bool,
    /// Ideas may be supported.
    pub support: bool,
}

impl Phase {
    /// Whether `day` lies in the phase.
    pub fn contains(&self, day: Date) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    /// Whether it permits `p`.
    pub fn permits(&self, p: Permission) -> bool {
        match p {
            Permission::Propose => self.propose,
            Permission::Comment => self.comment,
            Permission::Support => self.support,
        }
    }
}

/// A field of action (Handlungsfeld) with its goals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Id.
    pub id: i64,
    /// Title, e.g. "Kinder stärken – Armut bekämpfen".
    pub title: String,
    /// Description.
    pub description: String,
    /// Goals, in order.
    pub goals: Vec<String>,
}

/// A process with its phases, fields and action areas.
#[derive(Clone, Debug, PartialEq)]
pub struct Process {
    /// Id.
    pub id: i64,
    /// Title, e.g. "Aktionsplan Soziale Stadt".
    pub title: String,
    /// Description.
    pub description: String,
    /// The action-area set it is scoped to.
    pub set: ActionAreaSet,
    /// Prefix of the ideas' reference numbers (`AP` → `AP-2026-0001`).
    pub reference_prefix: String,
    /// Submitted ideas wait for a moderator before they are public.
    pub moderate_first: bool,
    /// Reports after which an item is hidden pending review.
    pub hide_after_reports: i64,
    /// Example content (the demo): marked as such wherever it is shown.
    pub example: bool,
    /// When it was created.
    pub created_at: String,
    /// Phases in time order.
    pub phases: Vec<Phase>,
    /// Fields of action in order.
    pub fields: Vec<Field>,
}

impl Process {
    /// The phase that contains `day`, if any.
    pub fn current_phase(&self, day: Date) -> Option<&Phase> {
        self.phases.iter().find(|p| p.contains(day))
    }

    /// Whether the phase containing `day` permits `p`.
    pub fn allows(&self, p: Permission, day: Date) -> bool {
        self.current_phase(day).is_some_and(|ph| ph.permits(p))
    }

    /// Fails with [`Error::PhaseClosed`] unless the current phase permits `p`.
    pub fn require(&self, p: Permission, now: OffsetDateTime) -> Result<(), Error> {
        if self.allows(p, crate::clock::today(now)) {
            Ok(())
        } else {
            Err(Error::PhaseClosed(p))
        }
    }

    /// One of its action areas.
    pub fn area(&self, id: i64) -> Option<&ActionArea> {
        self.set.areas.iter().find(|a| a.id == id)
    }

    /// One of its fields.
    pub fn field(&self, id: i64) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The next phase that permits `p` after `day`, if any (for "proposals open on …").
    pub fn next_opening(&self, p: Permission, day: Date) -> Option<&Phase> {
        self.phases
            .iter()
            .find(|ph| ph.starts_on > day && ph.permits(p))
    }
}

/// A phase as entered.
#[derive(Clone, Debug, Default)]
pub struct PhaseInput {
    /// Kind (stored name).
    pub kind: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// First day as typed.
    pub starts_on: String,
    /// Last day as typed.
    pub ends_on: String,
    /// Permits proposing.
    pub propose: bool,
    /// Permits commenting.
    pub comment: bool,
    /// Permits supporting.
    pub support: bool,
}

/// A field of action as entered; `id` for an existing one.
#[derive(Clone, Debug, Default)]
pub struct FieldInput {
    /// Existing field's id.
    pub id: Option<i64>,
    /// Title (empty: remove the field).
    pub title: String,
    /// Description.
    pub description: String,
    /// Goals, one per line.
    pub goals: String,
}

/// A process as entered in the form (or built by code).
#[derive(Clone, Debug, Default)]
pub struct ProcessInput {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Action-area set id.
    pub set_id: i64,
    /// Reference prefix.
    pub reference_prefix: String,
    /// Moderate before publishing.
    pub moderate_first: bool,
    /// Auto-hide threshold.
    pub hide_after_reports: i64,
    /// Example content.
    pub example: bool,
    /// Phases; rows with neither dates nor title are ignored.
    pub phases: Vec<PhaseInput>,
    /// Fields of action; rows without a title and id are ignored.
    pub fields: Vec<FieldInput>,
}

/// The default threshold of reports after which an item is hidden pending review.
pub const DEFAULT_HIDE_AFTER_REPORTS: i64 = 3;

struct CheckedPhase(Phase);

/// A checked process form: title, description, prefix, phases, fields.
struct Checked {
    title: String,
    description: String,
    prefix: String,
    phases: Vec<CheckedPhase>,
    fields: Vec<CheckedField>,
}
struct CheckedField {
    id: Option<i64>,
    title: String,
    description: String,
    goals: Vec<String>,
}

/// Binds a process row's columns to `query` (an `INSERT` or `UPDATE` that numbers them alike):
/// `$1` the id, `$2`…`$8` title, description, action-area set, reference prefix, moderation
/// first, hiding threshold, example.
fn bind_row<'q>(id: i64, c: &'q Checked, input: &ProcessInput, query: Query<'q>) -> Query<'q> {
    query
        .bind(id)
        .bind(&c.title)
        .bind(&c.description)
        .bind(input.set_id)
        .bind(&c.prefix)
        .bind(input.moderate_first)
        .bind(input.hide_after_reports)
        .bind(input.example)
}

/// The end of saving a process: its phases and fields, the commit, the audit entry.
async fn finish(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    pool: &Pool,
    actor: &Actor,
    id: i64,
    c: &Checked,
    action: &str,
) -> Result<(), Error> {
    write_phases(&mut tx, id, &c.phases).await?;
    write_fields(&mut tx, id, &c.fields).await?;
    tx.commit().await?;
    audit(pool, actor, action, &format!("process:{id}"), &c.title).await?;
    Ok(())
}

fn check_input(input: &ProcessInput) -> Result<Checked, Vec<FieldError>> {
    let mut errs = Vec::new();
    let title = check_text(&mut errs, "title", &input.title, 3, 200);
    let description = check_text(&mut errs, "description", &input.description, 0, 20_000);
    let prefix = input.reference_prefix.trim().to_string();
    if prefix.is_empty() {
        errs.push(FieldError::new("reference_prefix", Problem::Required));
    } else if prefix.len() > 8
        || !prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        errs.push(FieldError::new(
            "reference_prefix",
            Problem::Unknown(prefix.clone()),
        ));
    }
    if !(1..=100).contains(&input.hide_after_reports) {
        errs.push(FieldError::new(
            "hide_after_reports",
            Problem::OutOfRange { min: 1, max: 100 },
        ));
    }
    let mut phases = Vec::new();
    for (i, p) in input.phases.iter().enumerate() {
        let f = |s: &str| format!("phase_{i}_{s}");
        if p.starts_on.trim().is_empty() && p.ends_on.trim().is_empty() && p.title.trim().is_empty()
        {
            continue;
        }
        let Some(kind) = PhaseKind::parse(p.kind.trim()) else {
            errs.push(FieldError::new(
                &f("kind"),
                Problem::Unknown(p.kind.clone()),
            ));
            continue;
        };
        let t = check_text(&mut errs, &f("title"), &p.title, 0, 200);
        let d = check_text(&mut errs, &f("description"), &p.description, 0, 5000);
        let start = parse_date(&p.starts_on);
        let end = parse_date(&p.ends_on);
        for (name, raw, v) in [("start", &p.starts_on, start), ("end", &p.ends_on, end)] {
            if raw.trim().is_empty() {
                errs.push(FieldError::new(&f(name), Problem::Required));
            } else if v.is_none() {
                errs.push(FieldError::new(
                    &f(name),
                    Problem::NotADate(raw.trim().into()),
                ));
            }
        }
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                errs.push(FieldError::new(&f("end"), Problem::EndBeforeStart));
            }
            phases.push((
                i,
                CheckedPhase(Phase {
                    kind,
                    title: t,
                    description: d,
                    starts_on: s,
                    ends_on: e,
                    propose: p.propose,
                    comment: p.comment,
                    support: p.support,
                }),
            ));
        }
    }
    phases.sort_by_key(|(_, p)| p.0.starts_on);
    for w in phases.windows(2) {
        if w[1].1.0.starts_on <= w[0].1.0.ends_on {
            errs.push(FieldError::new(
                &format!("phase_{}_start", w[1].0),
                Problem::Overlap,
            ));
        }
    }
    let mut fields = Vec::new();
    for (i, fi) in input.fields.iter().enumerate() {
        if fi.id.is_none() && fi.title.trim().is_empty() && fi.goals.trim().is_empty() {
            continue;
        }
        let title = if fi.title.trim().is_empty() && fi.id.is_some() {
            String::new() // removal of an existing field
        } else {
            check_text(&mut errs, &format!("field_{i}_title"), &fi.title, 2, 200)
        };
        let description = check_text(
            &mut errs,
            &format!("field_{i}_description"),
            &fi.description,
            0,
            5000,
        );
        let goals: Vec<String> = fi
            .goals
            .lines()
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect();
        if goals.iter().any(|g| g.chars().count() > 500) {
            errs.push(FieldError::new(
                &format!("field_{i}_goals"),
                Problem::TooLong { max: 500 },
            ));
        }
        fields.push(CheckedField {
            id: fi.id,
            title,
            description,
            goals,
        });
    }
    if !fields.iter().any(|f| !f.title.is_empty()) {
        errs.push(FieldError::new("field_0_title", Problem::Required));
    }
    if errs.is_empty() {
        Ok(Checked {
            title,
            description,
            prefix,
            phases: phases.into_iter().map(|(_, p)| p).collect(),
            fields,
        })
    } else {
        Err(errs)
    }
}

/// Creates a process (process managers). Returns its id.
pub async fn create_process(
    pool: &Pool,
    actor: &Actor,
    input: &ProcessInput,
    now: OffsetDateTime,
) -> Result<i64, Error> {
    actor.require(Role::ProcessManager)?;
    let c = check_input(input).map_err(Error::Invalid)?;
    if sozialatlas_store::get_action_area_set(pool, input.set_id)
        .await?
        .is_none()
    {
        return Err(Error::field(
            "set",
            Problem::Unknown(input.set_id.to_string()),
        ));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = next_id(&mut tx, "process").await?;
    bind_row(
        id,
        &c,
        input,
        sqlx::query(
            "INSERT INTO process (id, title, description, action_area_set_id, reference_prefix,
             moderate_first, hide_after_reports, example, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        ),
    )
    .bind(stamp(now))
    .bind(actor.id)
    .execute(&mut *tx)
    .await?;
    finish(tx, pool, actor, id, &c, "process.create").await?;
    Ok(id)
}

/// Changes a process (process managers). The action-area set cannot change once ideas or
/// meetings refer to its areas; a field of action cannot be removed once in use.
pub async fn update_process(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    input: &ProcessInput,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let old = get_process(pool, id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let c = check_input(input).map_err(Error::Invalid)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if input.set_id != old.set.id {
        let used: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM idea WHERE process_id = $1)
                  + (SELECT COUNT(*) FROM area_meeting WHERE process_id = $1)
                  + (SELECT COUNT(*) FROM measure WHERE process_id = $1 AND action_area_id IS NOT NULL)",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        if used > 0 {
            return Err(Error::field("set", Problem::InUse));
        }
        if sozialatlas_store::get_action_area_set(pool, input.set_id)
            .await?
            .is_none()
        {
            return Err(Error::field(
                "set",
                Problem::Unknown(input.set_id.to_string()),
            ));
        }
    }
    for (i, f) in c.fields.iter().enumerate() {
        if let Some(fid) = f.id {
            if old.field(fid).is_none() {
                return Err(Error::field(
                    &format!("field_{i}_title"),
                    Problem::Unknown(fid.to_string()),
                ));
            }
            if f.title.is_empty() {
                let used: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM idea WHERE field_id = $1)
                          + (SELECT COUNT(*) FROM measure WHERE field_id = $1)",
                )
                .bind(fid)
                .fetch_one(&mut *tx)
                .await?;
                if used > 0 {
                    return Err(Error::field(&format!("field_{i}_title"), Problem::InUse));
                }
            }
        }
    }
    bind_row(
        id,
        &c,
        input,
        sqlx::query(
            "UPDATE process SET title = $2, description = $3, action_area_set_id = $4,
             reference_prefix = $5, moderate_first = $6, hide_after_reports = $7, example = $8
         WHERE id = $1",
        ),
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM process_phase WHERE process_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    finish(tx, pool, actor, id, &c, "process.update").await?;
    Ok(())
}

async fn write_phases(
    tx: &mut sozialatlas_store::Conn,
    process: i64,
    phases: &[CheckedPhase],
) -> Result<(), Error> {
    for (pos, CheckedPhase(p)) in phases.iter().enumerate() {
        let pid = next_id(tx, "process_phase").await?;
        sqlx::query(
            "INSERT INTO process_phase (id, process_id, position, kind, title, description,
                 starts_on, ends_on, allows_propose, allows_comment, allows_support)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(pid)
        .bind(process)
        .bind(pos as i64)
        .bind(p.kind.as_str())
        .bind(&p.title)
        .bind(&p.description)
        .bind(date_str(p.starts_on))
        .bind(date_str(p.ends_on))
        .bind(p.propose)
        .bind(p.comment)
        .bind(p.support)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

async fn write_fields(
    tx: &mut sozialatlas_store::Conn,
    process: i64,
    fields: &[CheckedField],
) -> Result<(), Error> {
    for (pos, f) in fields.iter().enumerate() {
        let fid = match f.id {
            Some(fid) => {
                sqlx::query("DELETE FROM action_field_goal WHERE field_id = $1")
                    .bind(fid)
                    .execute(&mut *tx)
                    .await?;
                if f.title.is_empty() {
                    sqlx::query("DELETE FROM action_field WHERE id = $1 AND process_id = $2")
                        .bind(fid)
                        .bind(process)
                        .execute(&mut *tx)
                        .await?;
                    continue;
                }
                sqlx::query(
                    "UPDATE action_field SET position = $3, title = $4, description = $5
                     WHERE id = $1 AND process_id = $2",
                )
                .bind(fid)
                .bind(process)
                .bind(pos as i64)
                .bind(&f.title)
                .bind(&f.description)
                .execute(&mut *tx)
                .await?;
                fid
            }
            None => {
                let fid = next_id(tx, "action_field").await?;
                sqlx::query(
                    "INSERT INTO action_field (id, process_id, position, title, description)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(fid)
                .bind(process)
                .bind(pos as i64)
                .bind(&f.title)
                .bind(&f.description)
                .execute(&mut *tx)
                .await?;
                fid
            }
        };
        for (gpos, g) in f.goals.iter().enumerate() {
            let gid = next_id(tx, "action_field_goal").await?;
            sqlx::query(
                "INSERT INTO action_field_goal (id, field_id, position, body) VALUES ($1, $2, $3, $4)",
            )
            .bind(gid)
            .bind(fid)
            .bind(gpos as i64)
            .bind(g)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

/// Reads one process with its set, phases and fields.
pub async fn get_process(pool: &Pool, id: i64) -> Result<Option<Process>, Error> {
    /// A process row.
    #[derive(sqlx::FromRow)]
    struct ProcessRow {
        id: i64,
        title: String,
        description: String,
        action_area_set_id: i64,
        reference_prefix: String,
        moderate_first: bool,
        hide_after_reports: i64,
        example: bool,
        created_at: String,
    }
    /// A phase row.
    #[derive(sqlx::FromRow)]
    struct PhaseRow {
        kind: String,
        title: String,
        description: String,
        starts_on: String,
        ends_on: String,
        allows_propose: bool,
        allows_comment: bool,
        allows_support: bool,
    }
    let Some(r): Option<ProcessRow> = sqlx::query_as(
        "SELECT id, title, description, action_area_set_id, reference_prefix, moderate_first,
                hide_after_reports, example, created_at
         FROM process WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let set = sozialatlas_store::get_action_area_set(pool, r.action_area_set_id)
        .await?
        .ok_or(Error::NotFound("action-area set"))?;
    let phases = sqlx::query_as::<_, PhaseRow>(
        "SELECT kind, title, description, starts_on, ends_on, allows_propose, allows_comment,
                allows_support
         FROM process_phase WHERE process_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .filter_map(|p| {
        Some(Phase {
            kind: PhaseKind::parse(&p.kind)?,
            starts_on: parse_date(&p.starts_on)?,
            ends_on: parse_date(&p.ends_on)?,
            title: p.title,
            description: p.description,
            propose: p.allows_propose,
            comment: p.allows_comment,
            support: p.allows_support,
        })
    })
    .collect();
    let mut fields: Vec<Field> = sqlx::query_as::<_, (i64, String, String)>(
        "SELECT id, title, description FROM action_field WHERE process_id = $1 ORDER BY position, id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(id, title, description)| Field {
        id,
        title,
        description,
        goals: Vec::new(),
    })
    .collect();
    let goals: Vec<(i64, String)> = sqlx::query_as(
        "SELECT g.field_id, g.body FROM action_field_goal g
         JOIN action_field f ON f.id = g.field_id
         WHERE f.process_id = $1 ORDER BY g.field_id, g.position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    for (fid, goal) in goals {
        if let Some(f) = fields.iter_mut().find(|f| f.id == fid) {
            f.goals.push(goal);
        }
    }
    Ok(Some(Process {
        id: r.id,
        title: r.title,
        description: r.description,
        set,
        reference_prefix: r.reference_prefix,
        moderate_first: r.moderate_first,
        hide_after_reports: r.hide_after_reports,
        example: r.example,
        created_at: r.created_at,
        phases,
        fields,
    }))
}

/// Every process, newest first.
pub async fn list_processes(pool: &Pool) -> Result<Vec<Process>, Error> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM process ORDER BY id DESC")
        .fetch_all(pool)
        .await?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(p) = get_process(pool, id).await? {
            out.push(p);
        }
    }
    Ok(out)
}

/// The processes whose set contains the action area `area_id`.
pub async fn processes_of_area(pool: &Pool, area_id: i64) -> Result<Vec<Process>, Error> {
    Ok(list_processes(pool)
        .await?
        .into_iter()
        .filter(|p| p.area(area_id).is_some())
        .collect())
}

/// A process form prefilled with the usual phases (from `start`, 30 days each) and no fields.
pub fn template_input(set_id: i64, start: Date) -> ProcessInput {
    let mut phases = Vec::new();
    let mut s = start;
    for kind in PhaseKind::ALL {
        let e = s + time::Duration::days(29);
        let (propose, comment, support) = kind.default_permissions();
        phases.push(PhaseInput {
            kind: kind.as_str().into(),
            title: String::new(),
            description: String::new(),
            starts_on: date_str(s),
            ends_on: date_str(e),
            propose,
            comment,
            support,
        });
        s = e + time::Duration::days(1);
    }
    ProcessInput {
        set_id,
        reference_prefix: "AP".into(),
        moderate_first: true,
        hide_after_reports: DEFAULT_HIDE_AFTER_REPORTS,
        phases,
        ..Default::default()
    }
}
