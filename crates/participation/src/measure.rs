//! Implementation tracking (Umsetzung): measures of the action plan with status, progress,
//! budget, responsible office and dated updates, linked to the accepted ideas they carry out,
//! organised as parents and parts. Progress can be updated in bulk from a CSV file.
//!
//! ## How a parent's progress rolls up ([`roll_up`])
//!
//! A measure without parts has the progress entered for it (0–100 %). A measure with parts
//! takes its progress from them:
//!
//! * parts that were **stopped** do not count (their work will not be finished, so they would
//!   hold the parent below 100 % forever); if every part is stopped, the parent keeps its own
//!   entered progress;
//! * if every counted part has a **budget** (its own, or for a part with parts of its own the
//!   sum of theirs), the parent's progress is the **budget-weighted mean** of the parts'
//!   progress — a 1 000 000 € building counts more than a 5 000 € flyer;
//! * otherwise it is the **plain mean** of the parts' progress.
//!
//! The rule applies recursively from the leaves up. A parent's effective budget is its own
//! budget if one is entered, else the sum of its parts' effective budgets when all of them have
//! one.

use std::collections::HashMap;

use serde::Serialize;
use sozialatlas_accounts::Role;
use sozialatlas_core::Locale;
use sozialatlas_core::csv::CsvWriter;
use sozialatlas_import::ImportError;
use sozialatlas_store::Pool;
use time::{Date, OffsetDateTime};

use crate::clock::{date_str, parse_date, stamp, today};
use crate::error::{Conflict, FieldError, Problem, check_text, parse_euros};
use crate::idea::get_idea_by_reference;
use crate::process::get_process;
use crate::state::IdeaState;
use crate::{Actor, Error, audit, next_id};

/// The status of a measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Status {
    /// Planned (geplant).
    Planned,
    /// Started (begonnen).
    Started,
    /// Done (abgeschlossen).
    Done,
    /// Stopped (eingestellt).
    Stopped,
}

impl From<String> for Status {
    /// The stored name; a name this version does not know reads as planned.
    fn from(s: String) -> Status {
        Status::parse(&s).unwrap_or(Status::Planned)
    }
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 4] = [
        Status::Planned,
        Status::Started,
        Status::Done,
        Status::Stopped,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Planned => "planned",
            Status::Started => "started",
            Status::Done => "done",
            Status::Stopped => "stopped",
        }
    }

    /// Parses the stored form or the German word (`geplant`, `begonnen`/`laufend`,
    /// `abgeschlossen`/`erledigt`, `eingestellt`/`gestoppt`), ignoring case.
    pub fn parse(s: &str) -> Option<Status> {
        match s.trim().to_lowercase().as_str() {
            "planned" | "geplant" => Some(Status::Planned),
            "started" | "begonnen" | "laufend" | "in umsetzung" => Some(Status::Started),
            "done" | "abgeschlossen" | "erledigt" | "fertig" => Some(Status::Done),
            "stopped" | "eingestellt" | "gestoppt" | "abgebrochen" => Some(Status::Stopped),
            _ => None,
        }
    }
}

/// What the roll-up needs of a measure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// Id.
    pub id: i64,
    /// Parent id.
    pub parent: Option<i64>,
    /// Status.
    pub status: Status,
    /// Entered progress, 0–100.
    pub progress: i64,
    /// Entered budget.
    pub budget: Option<i64>,
}

/// A measure's rolled-up figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rolled {
    /// Progress in %, 0–100 (not rounded).
    pub progress: f64,
    /// Effective budget.
    pub budget: Option<i64>,
    /// Whether it has parts (its progress is computed, not entered).
    pub has_parts: bool,
}

/// Rolls progress and budget up the tree of measures (the rule is in the module docs). Cycles
/// (which the store refuses) are broken by treating a revisited measure as a leaf.
pub fn roll_up(nodes: &[Node]) -> HashMap<i64, Rolled> {
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if let Some(p) = n.parent {
            children.entry(p).or_default().push(i);
        }
    }
    fn visit(
        i: usize,
        nodes: &[Node],
        children: &HashMap<i64, Vec<usize>>,
        out: &mut HashMap<i64, Rolled>,
        on_path: &mut Vec<i64>,
    ) -> Rolled {
        let n = nodes[i];
        if let Some(r) = out.get(&n.id) {
            return *r;
        }
        let leaf = Rolled {
            progress: n.progress as f64,
            budget: n.budget,
            has_parts: false,
        };
        let kids = children.get(&n.id).cloned().unwrap_or_default();
        if kids.is_empty() || on_path.contains(&n.id) {
            out.insert(n.id, leaf);
            return leaf;
        }
        on_path.push(n.id);
        let parts: Vec<(Status, Rolled)> = kids
            .iter()
            .map(|&k| (nodes[k].status, visit(k, nodes, children, out, on_path)))
            .collect();
        on_path.pop();
        let counted: Vec<Rolled> = parts
            .iter()
            .filter(|(s, _)| *s != Status::Stopped)
            .map(|(_, r)| *r)
            .collect();
        let progress = if counted.is_empty() {
            n.progress as f64
        } else if counted.iter().all(|r| r.budget.is_some_and(|b| b > 0)) {
            let total: f64 = counted.iter().map(|r| r.budget.unwrap_or(0) as f64).sum();
            counted
                .iter()
                .map(|r| r.progress * r.budget.unwrap_or(0) as f64)
                .sum::<f64>()
                / total
        } else {
            counted.iter().map(|r| r.progress).sum::<f64>() / counted.len() as f64
        };
        let budget = n
            .budget
            .or_else(|| parts.iter().map(|(_, r)| r.budget).sum::<Option<i64>>());
        let r = Rolled {
            progress,
            budget,
            has_parts: true,
        };
        out.insert(n.id, r);
        r
    }
    let mut out = HashMap::new();
    for i in 0..nodes.len() {
        visit(i, nodes, &children, &mut out, &mut Vec::new());
    }
    out
}

/// A dated update of a measure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Update {
    /// The day it reports on.
    pub on_date: String,
    /// Text.
    pub body: String,
    /// Progress set by it.
    pub progress: Option<i64>,
    /// Status set by it.
    pub status: Option<Status>,
    /// `form` or `csv`.
    pub source: String,
}

/// A measure with its rolled-up figures.
#[derive(Clone, Debug, PartialEq, Serialize, sqlx::FromRow)]
pub struct Measure {
    /// Id.
    pub id: i64,
    /// Process.
    pub process_id: i64,
    /// Parent measure.
    pub parent_id: Option<i64>,
    /// Code, unique in the process (e.g. `M-03`), used by the bulk update.
    pub code: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Action area (None: city-wide).
    pub action_area_id: Option<i64>,
    /// Field of action.
    pub field_id: Option<i64>,
    /// Status.
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// Entered progress (leaves).
    pub progress: i64,
    /// Entered budget in euros.
    pub budget: Option<i64>,
    /// Responsible office.
    pub office: String,
    /// Example content.
    pub example: bool,
    /// Last change.
    pub updated_at: String,
    /// Rolled-up figures.
    #[sqlx(skip)]
    pub rolled: Rolled,
    /// Linked ideas: (id, reference, title).
    #[sqlx(skip)]
    pub ideas: Vec<(i64, String, String)>,
}

impl Measure {
    /// The progress shown, rounded to whole percent.
    pub fn progress_shown(&self) -> i64 {
        self.rolled.progress.round() as i64
    }
}

const COLUMNS: &str = "id, process_id, parent_id, code, title, description, action_area_id,
    field_id, status, progress, budget, office, example, updated_at";

/// Every measure of a process (or of all processes), with roll-up and linked ideas, in code
/// order.
pub async fn list_measures(pool: &Pool, process: Option<i64>) -> Result<Vec<Measure>, Error> {
    let mut ms: Vec<Measure> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM measure WHERE ($1 IS NULL OR process_id = $1) ORDER BY process_id, code, id"
    ))
    .bind(process)
    .fetch_all(pool)
    .await?;
    let nodes: Vec<Node> = ms
        .iter()
        .map(|m| Node {
            id: m.id,
            parent: m.parent_id,
            status: m.status,
            progress: m.progress,
            budget: m.budget,
        })
        .collect();
    let rolled = roll_up(&nodes);
    let links: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT mi.measure_id, i.id, i.reference, i.title FROM measure_idea mi
         JOIN idea i ON i.id = mi.idea_id
         JOIN measure m ON m.id = mi.measure_id
         WHERE ($1 IS NULL OR m.process_id = $1)
         ORDER BY LENGTH(i.reference), i.reference",
    )
    .bind(process)
    .fetch_all(pool)
    .await?;
    for m in &mut ms {
        if let Some(r) = rolled.get(&m.id) {
            m.rolled = *r;
        }
        m.ideas = links
            .iter()
            .filter(|l| l.0 == m.id)
            .map(|(_, id, reference, title)| (*id, reference.clone(), title.clone()))
            .collect();
    }
    Ok(ms)
}

/// One measure with its roll-up.
pub async fn get_measure(pool: &Pool, id: i64) -> Result<Option<Measure>, Error> {
    let process: Option<i64> = sqlx::query_scalar("SELECT process_id FROM measure WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let Some(p) = process else {
        return Ok(None);
    };
    Ok(list_measures(pool, Some(p))
        .await?
        .into_iter()
        .find(|m| m.id == id))
}

/// The updates of a measure, newest first.
pub async fn updates(pool: &Pool, id: i64) -> Result<Vec<Update>, Error> {
    type UpdateRow = (String, String, Option<i64>, Option<String>, String);
    Ok(sqlx::query_as::<_, UpdateRow>(
        "SELECT on_date, body, progress, status, source FROM measure_update
         WHERE measure_id = $1 ORDER BY on_date DESC, id DESC",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(on_date, body, progress, status, source)| Update {
        on_date,
        body,
        progress,
        status: status.as_deref().and_then(Status::parse),
        source,
    })
    .collect())
}

/// The measures an idea is linked to: (id, code, title).
pub async fn measures_of_idea(pool: &Pool, idea: i64) -> Result<Vec<(i64, String, String)>, Error> {
    Ok(sqlx::query_as(
        "SELECT m.id, m.code, m.title FROM measure_idea mi JOIN measure m ON m.id = mi.measure_id
         WHERE mi.idea_id = $1 ORDER BY m.code",
    )
    .bind(idea)
    .fetch_all(pool)
    .await?)
}

/// A measure as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct MeasureInput {
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Parent measure id (empty: none).
    pub parent: String,
    /// Action area id (empty: city-wide).
    pub area: String,
    /// Field id (empty: none).
    pub field: String,
    /// Status.
    pub status: String,
    /// Progress in %.
    pub progress: String,
    /// Budget in euros.
    pub budget: String,
    /// Responsible office.
    pub office: String,
}

struct Checked {
    code: String,
    title: String,
    description: String,
    parent: Option<i64>,
    area: Option<i64>,
    field: Option<i64>,
    status: Status,
    progress: i64,
    budget: Option<i64>,
    office: String,
}

/// Parses a progress in percent: `40`, `40 %`, `40%`.
pub fn parse_progress(s: &str) -> Result<i64, Problem> {
    let t = s.trim().trim_end_matches('%').trim();
    match t.parse::<i64>() {
        Ok(n) if (0..=100).contains(&n) => Ok(n),
        Ok(_) => Err(Problem::OutOfRange { min: 0, max: 100 }),
        Err(_) => Err(Problem::NotANumber(s.trim().to_string())),
    }
}

fn valid_code(c: &str) -> bool {
    !c.is_empty()
        && c.chars().count() <= 20
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
}

async fn check(
    pool: &Pool,
    process: &crate::Process,
    this: Option<i64>,
    input: &MeasureInput,
) -> Result<Checked, Error> {
    let mut errs = Vec::new();
    let code = input.code.trim().to_string();
    if code.is_empty() {
        errs.push(FieldError::new("code", Problem::Required));
    } else if !valid_code(&code) {
        errs.push(FieldError::new("code", Problem::Unknown(code.clone())));
    }
    let title = check_text(&mut errs, "title", &input.title, 3, 200);
    let description = check_text(&mut errs, "description", &input.description, 0, 10_000);
    let office = check_text(&mut errs, "office", &input.office, 2, 200);
    let all = list_measures(pool, Some(process.id)).await?;
    if !code.is_empty() && all.iter().any(|m| m.code == code && Some(m.id) != this) {
        errs.push(FieldError::new("code", Problem::Duplicate(code.clone())));
    }
    let opt_id = |field: &str, raw: &str, ok: &dyn Fn(i64) -> bool, errs: &mut Vec<FieldError>| {
        let t = raw.trim();
        if t.is_empty() {
            return None;
        }
        match t.parse::<i64>() {
            Ok(v) if ok(v) => Some(v),
            _ => {
                errs.push(FieldError::new(field, Problem::Unknown(t.into())));
                None
            }
        }
    };
    let parent = opt_id(
        "parent",
        &input.parent,
        &|v| all.iter().any(|m| m.id == v),
        &mut errs,
    );
    if let (Some(p), Some(me)) = (parent, this) {
        // The new parent must not be this measure or one of its descendants.
        let mut cur = Some(p);
        let mut guard = 0;
        while let Some(c) = cur {
            if c == me {
                errs.push(FieldError::new("parent", Problem::Unknown(p.to_string())));
                break;
            }
            cur = all.iter().find(|m| m.id == c).and_then(|m| m.parent_id);
            guard += 1;
            if guard > all.len() {
                break;
            }
        }
    }
    let area = opt_id(
        "area",
        &input.area,
        &|v| process.area(v).is_some(),
        &mut errs,
    );
    let field = opt_id(
        "field",
        &input.field,
        &|v| process.field(v).is_some(),
        &mut errs,
    );
    let status = match Status::parse(&input.status) {
        Some(s) => s,
        None => {
            errs.push(FieldError::new(
                "status",
                Problem::Unknown(input.status.trim().into()),
            ));
            Status::Planned
        }
    };
    let progress = if input.progress.trim().is_empty() {
        if status == Status::Done { 100 } else { 0 }
    } else {
        match parse_progress(&input.progress) {
            Ok(p) => p,
            Err(e) => {
                errs.push(FieldError::new("progress", e));
                0
            }
        }
    };
    if status == Status::Done && progress != 100 {
        errs.push(FieldError::new(
            "progress",
            Problem::OutOfRange { min: 100, max: 100 },
        ));
    }
    let budget = match parse_euros(&input.budget) {
        Ok(b) => b,
        Err(p) => {
            errs.push(FieldError::new("budget", p));
            None
        }
    };
    if errs.is_empty() {
        Ok(Checked {
            code,
            title,
            description,
            parent,
            area,
            field,
            status,
            progress,
            budget,
            office,
        })
    } else {
        Err(Error::Invalid(errs))
    }
}

/// Creates a measure (process managers).
pub async fn create_measure(
    pool: &Pool,
    actor: &Actor,
    process_id: i64,
    input: &MeasureInput,
    now: OffsetDateTime,
) -> Result<i64, Error> {
    actor.require(Role::ProcessManager)?;
    let process = get_process(pool, process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let c = check(pool, &process, None, input).await?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = next_id(&mut tx, "measure").await?;
    sqlx::query(
        "INSERT INTO measure (id, process_id, parent_id, code, title, description, action_area_id,
             field_id, status, progress, budget, office, example, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
    )
    .bind(id)
    .bind(process_id)
    .bind(c.parent)
    .bind(&c.code)
    .bind(&c.title)
    .bind(&c.description)
    .bind(c.area)
    .bind(c.field)
    .bind(c.status.as_str())
    .bind(c.progress)
    .bind(c.budget)
    .bind(&c.office)
    .bind(process.example)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    audit(
        pool,
        actor,
        "measure.create",
        &format!("measure:{id}"),
        &c.code,
    )
    .await?;
    Ok(id)
}

/// Changes a measure (process managers).
pub async fn update_measure(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    input: &MeasureInput,
    now: OffsetDateTime,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let m = get_measure(pool, id)
        .await?
        .ok_or(Error::NotFound("measure"))?;
    let process = get_process(pool, m.process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let c = check(pool, &process, Some(id), input).await?;
    sqlx::query(
        "UPDATE measure SET parent_id = $2, code = $3, title = $4, description = $5,
             action_area_id = $6, field_id = $7, status = $8, progress = $9, budget = $10,
             office = $11, updated_at = $12
         WHERE id = $1",
    )
    .bind(id)
    .bind(c.parent)
    .bind(&c.code)
    .bind(&c.title)
    .bind(&c.description)
    .bind(c.area)
    .bind(c.field)
    .bind(c.status.as_str())
    .bind(c.progress)
    .bind(c.budget)
    .bind(&c.office)
    .bind(stamp(now))
    .execute(pool)
    .await?;
    audit(
        pool,
        actor,
        "measure.update",
        &format!("measure:{id}"),
        &c.code,
    )
    .await?;
    Ok(())
}

/// The form values of a stored measure.
pub fn input_of(m: &Measure) -> MeasureInput {
    MeasureInput {
        code: m.code.clone(),
        title: m.title.clone(),
        description: m.description.clone(),
        parent: m.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        area: m.action_area_id.map(|p| p.to_string()).unwrap_or_default(),
        field: m.field_id.map(|p| p.to_string()).unwrap_or_default(),
        status: m.status.as_str().into(),
        progress: m.progress.to_string(),
        budget: m.budget.map(|b| b.to_string()).unwrap_or_default(),
        office: m.office.clone(),
    }
}

/// One validated progress update.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressUpdate {
    /// Measure id.
    pub measure: i64,
    /// The day.
    pub on_date: Date,
    /// New progress.
    pub progress: Option<i64>,
    /// New status.
    pub status: Option<Status>,
    /// Note.
    pub body: String,
}

async fn apply(
    conn: &mut sozialatlas_store::Conn,
    u: &ProgressUpdate,
    author: i64,
    source: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let id = next_id(conn, "measure_update").await?;
    sqlx::query(
        "INSERT INTO measure_update (id, measure_id, on_date, body, progress, status, author_id, source, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(u.measure)
    .bind(date_str(u.on_date))
    .bind(&u.body)
    .bind(u.progress)
    .bind(u.status.map(Status::as_str))
    .bind(author)
    .bind(source)
    .bind(stamp(now))
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE measure SET progress = COALESCE($2, progress), status = COALESCE($3, status),
             updated_at = $4
         WHERE id = $1",
    )
    .bind(u.measure)
    .bind(u.progress)
    .bind(u.status.map(Status::as_str))
    .bind(stamp(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A dated update as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct UpdateInput {
    /// Date.
    pub date: String,
    /// Text.
    pub body: String,
    /// New progress (empty: unchanged).
    pub progress: String,
    /// New status (empty: unchanged).
    pub status: String,
}

/// Adds a dated update to a measure, setting its progress and status (process managers).
pub async fn add_update(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    input: &UpdateInput,
    now: OffsetDateTime,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let m = get_measure(pool, id)
        .await?
        .ok_or(Error::NotFound("measure"))?;
    let mut errs = Vec::new();
    let on_date = match parse_date(&input.date) {
        Some(d) if d <= today(now) => Some(d),
        Some(_) => {
            errs.push(FieldError::new(
                "date",
                Problem::NotADate(input.date.trim().into()),
            ));
            None
        }
        None if input.date.trim().is_empty() => Some(today(now)),
        None => {
            errs.push(FieldError::new(
                "date",
                Problem::NotADate(input.date.trim().into()),
            ));
            None
        }
    };
    let body = check_text(&mut errs, "body", &input.body, 3, 5000);
    let progress = if input.progress.trim().is_empty() {
        None
    } else {
        match parse_progress(&input.progress) {
            Ok(p) => Some(p),
            Err(e) => {
                errs.push(FieldError::new("progress", e));
                None
            }
        }
    };
    let status = if input.status.trim().is_empty() {
        None
    } else {
        match Status::parse(&input.status) {
            Some(s) => Some(s),
            None => {
                errs.push(FieldError::new(
                    "status",
                    Problem::Unknown(input.status.trim().into()),
                ));
                None
            }
        }
    };
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    if progress.is_some() && m.rolled.has_parts {
        return Err(Error::Conflict(Conflict::HasParts));
    }
    let progress = match (status, progress) {
        (Some(Status::Done), None) if !m.rolled.has_parts => Some(100),
        (Some(Status::Done), Some(p)) if p != 100 => {
            return Err(Error::field(
                "progress",
                Problem::OutOfRange { min: 100, max: 100 },
            ));
        }
        _ => progress,
    };
    let u = ProgressUpdate {
        measure: id,
        on_date: on_date.unwrap_or(today(now)),
        progress,
        status,
        body,
    };
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    apply(&mut tx, &u, actor.id, "form", now).await?;
    tx.commit().await?;
    audit(
        pool,
        actor,
        "measure.update_progress",
        &format!("measure:{id}"),
        &format!(
            "{} {}",
            u.progress.map(|p| format!("{p} %")).unwrap_or_default(),
            u.status.map(Status::as_str).unwrap_or_default()
        ),
    )
    .await?;
    Ok(())
}

/// Links an accepted idea (with its answer published) to a measure (process managers).
pub async fn link_idea(
    pool: &Pool,
    actor: &Actor,
    measure: i64,
    reference: &str,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let m = get_measure(pool, measure)
        .await?
        .ok_or(Error::NotFound("measure"))?;
    let idea = get_idea_by_reference(pool, reference.trim())
        .await?
        .filter(|i| i.process_id == m.process_id)
        .ok_or_else(|| Error::field("idea", Problem::Unknown(reference.trim().into())))?;
    if idea.public_state() != IdeaState::Accepted {
        return Err(Error::Conflict(Conflict::NotAccepted));
    }
    sqlx::query(
        "INSERT INTO measure_idea (measure_id, idea_id) VALUES ($1, $2)
         ON CONFLICT (measure_id, idea_id) DO NOTHING",
    )
    .bind(measure)
    .bind(idea.id)
    .execute(pool)
    .await?;
    audit(
        pool,
        actor,
        "measure.link_idea",
        &format!("measure:{measure}"),
        &idea.reference,
    )
    .await
}

/// Removes the link between an idea and a measure (process managers).
pub async fn unlink_idea(pool: &Pool, actor: &Actor, measure: i64, idea: i64) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    sqlx::query("DELETE FROM measure_idea WHERE measure_id = $1 AND idea_id = $2")
        .bind(measure)
        .bind(idea)
        .execute(pool)
        .await?;
    audit(
        pool,
        actor,
        "measure.unlink_idea",
        &format!("measure:{measure}"),
        &format!("idea:{idea}"),
    )
    .await
}

/// The header of the bulk-update file, in German (the template) and the English alternative
/// names accepted.
pub const CSV_COLUMNS: [(&str, &str); 5] = [
    ("Kennung", "code"),
    ("Fortschritt", "progress"),
    ("Status", "status"),
    ("Datum", "date"),
    ("Notiz", "note"),
];

/// The bulk-update template for a process: one line per measure without parts, with its current
/// progress and status (German CSV: `;`, UTF-8 with BOM).
pub async fn csv_template(
    pool: &Pool,
    process: i64,
    now: OffsetDateTime,
) -> Result<Vec<u8>, Error> {
    let ms = list_measures(pool, Some(process)).await?;
    let map = |e: csv::Error| Error::Xlsx(e.to_string());
    let mut w = CsvWriter::new(Vec::new(), Locale::De).map_err(|e| map(e.into()))?;
    w.row(CSV_COLUMNS.iter().map(|c| c.0)).map_err(map)?;
    for m in ms.iter().filter(|m| !m.rolled.has_parts) {
        w.row([
            m.code.as_str(),
            &m.progress.to_string(),
            Status::as_str(m.status),
            &date_str(today(now)),
            "",
        ])
        .map_err(map)?;
    }
    w.finish().map_err(map)
}

/// Most problems reported for one file.
pub const MAX_UPLOAD_ERRORS: usize = 50;

/// Checks a bulk-update file (CSV, `;` or `,`, UTF-8 or Windows-1252; or XLSX) against the
/// measures of a process. Every row is checked; the result is every problem with file, line,
/// column, what was expected and what was found — or the updates.
pub async fn check_bulk(
    pool: &Pool,
    process: i64,
    file: &str,
    bytes: &[u8],
    now: OffsetDateTime,
) -> Result<Vec<ProgressUpdate>, Error> {
    use sozialatlas_import::table::{Shape, read_csv, read_xlsx};
    let table = if bytes.starts_with(b"PK") {
        read_xlsx(bytes, file, None, &Shape::default())
    } else {
        read_csv(bytes, file, "auto", "auto", &Shape::default())
    }
    .and_then(|t| t.check_widths().map(|()| t))
    .map_err(|e| Error::Upload(vec![e]))?;
    let measures = list_measures(pool, Some(process)).await?;
    check_rows(&table, &measures, today(now))
}

/// The pure part of [`check_bulk`]: rows against measures.
pub fn check_rows(
    table: &sozialatlas_import::table::RawTable,
    measures: &[Measure],
    today: Date,
) -> Result<Vec<ProgressUpdate>, Error> {
    let mut errs: Vec<ImportError> = Vec::new();
    let col = |de: &str, en: &str| {
        table
            .header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(de) || h.eq_ignore_ascii_case(en))
    };
    let idx: Vec<Option<usize>> = CSV_COLUMNS.iter().map(|(de, en)| col(de, en)).collect();
    let names = |i: usize| format!("`{}` or `{}`", CSV_COLUMNS[i].0, CSV_COLUMNS[i].1);
    for i in [0, 3] {
        if idx[i].is_none() {
            errs.push(
                ImportError::file(
                    &table.file,
                    format!("a column {}", names(i)),
                    format!(
                        "the columns {}",
                        table
                            .header
                            .iter()
                            .map(|h| format!("`{h}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at_line(1),
            );
        }
    }
    if idx[1].is_none() && idx[2].is_none() {
        errs.push(
            ImportError::file(
                &table.file,
                format!("a column {} or {}", names(1), names(2)),
                "neither",
            )
            .at_line(1),
        );
    }
    if !errs.is_empty() {
        return Err(Error::Upload(errs));
    }
    if table.rows.is_empty() {
        return Err(Error::Upload(vec![
            ImportError::file(&table.file, "at least one row below the header", "none").at_line(2),
        ]));
    }
    let cell = |row: &[sozialatlas_import::table::RawCell], i: usize| {
        idx[i]
            .and_then(|c| row.get(c))
            .map(|c| c.text())
            .unwrap_or_default()
    };
    let head = |i: usize| idx[i].map(|c| table.header[c].clone()).unwrap_or_default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut out = Vec::new();
    for (line, row) in &table.rows {
        let e = |col: usize, expected: String, found: String| {
            ImportError::file(&table.file, expected, found)
                .at_line(*line)
                .in_column(head(col))
        };
        let code = cell(row, 0);
        let measure = measures.iter().find(|m| m.code == code);
        let measure = match measure {
            Some(m) => Some(m),
            None => {
                errs.push(e(
                    0,
                    "the code of a measure of this process".into(),
                    if code.is_empty() {
                        "an empty cell".into()
                    } else {
                        format!("`{code}`")
                    },
                ));
                None
            }
        };
        if let Some(first) = seen.get(&code) {
            errs.push(e(
                0,
                format!("each measure once (`{code}` is on line {first} already)"),
                format!("`{code}` again"),
            ));
        } else if !code.is_empty() {
            seen.insert(code.clone(), *line);
        }
        let p_raw = cell(row, 1);
        let progress = if p_raw.is_empty() {
            None
        } else {
            match parse_progress(&p_raw) {
                Ok(p) => Some(p),
                Err(_) => {
                    errs.push(e(
                        1,
                        "a whole number from 0 to 100 (percent)".into(),
                        format!("`{p_raw}`"),
                    ));
                    None
                }
            }
        };
        let s_raw = cell(row, 2);
        let status = if s_raw.is_empty() {
            None
        } else {
            match Status::parse(&s_raw) {
                Some(s) => Some(s),
                None => {
                    errs.push(e(
                        2,
                        "planned, started, done or stopped (geplant, begonnen, abgeschlossen, eingestellt)".into(),
                        format!("`{s_raw}`"),
                    ));
                    None
                }
            }
        };
        if p_raw.is_empty() && s_raw.is_empty() {
            errs.push(e(
                1,
                "a progress or a status (or both)".into(),
                "both empty".into(),
            ));
        }
        if let Some(m) = measure
            && m.rolled.has_parts
            && !p_raw.is_empty()
        {
            errs.push(e(
                1,
                format!(
                    "no progress for `{}`: it has parts, its progress is computed from theirs",
                    m.code
                ),
                format!("`{p_raw}`"),
            ));
        }
        if status == Some(Status::Done) && progress.is_some_and(|p| p != 100) {
            errs.push(e(
                1,
                "100 for a measure that is done".into(),
                format!("`{p_raw}`"),
            ));
        }
        let d_raw = cell(row, 3);
        let date = match parse_date(&d_raw) {
            Some(d) if d <= today => Some(d),
            Some(_) => {
                errs.push(e(
                    3,
                    format!("a date not after today ({})", date_str(today)),
                    format!("`{d_raw}`"),
                ));
                None
            }
            None => {
                errs.push(e(
                    3,
                    "a date as YYYY-MM-DD or DD.MM.YYYY".into(),
                    if d_raw.is_empty() {
                        "an empty cell".into()
                    } else {
                        format!("`{d_raw}`")
                    },
                ));
                None
            }
        };
        let note = cell(row, 4);
        if note.chars().count() > 2000 {
            errs.push(e(
                4,
                "a note of at most 2000 characters".into(),
                format!("{} characters", note.chars().count()),
            ));
        }
        if let (Some(m), Some(d)) = (measure, date) {
            let progress = match (status, progress) {
                (Some(Status::Done), None) if !m.rolled.has_parts => Some(100),
                (_, p) => p,
            };
            out.push(ProgressUpdate {
                measure: m.id,
                on_date: d,
                progress,
                status,
                body: note,
            });
        }
        if errs.len() >= MAX_UPLOAD_ERRORS {
            break;
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(Error::Upload(errs))
    }
}

/// Applies a bulk-update file: all rows or, if any row has a problem, none (process managers).
/// Returns the number of measures updated.
pub async fn bulk_update(
    pool: &Pool,
    actor: &Actor,
    process: i64,
    file: &str,
    bytes: &[u8],
    now: OffsetDateTime,
) -> Result<usize, Error> {
    actor.require(Role::ProcessManager)?;
    get_process(pool, process)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let ups = check_bulk(pool, process, file, bytes, now).await?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    for u in &ups {
        apply(&mut tx, u, actor.id, "csv", now).await?;
    }
    tx.commit().await?;
    audit(
        pool,
        actor,
        "measure.bulk_update",
        &format!("process:{process}"),
        &format!("{file}: {} measures", ups.len()),
    )
    .await?;
    Ok(ups.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(id: i64, parent: Option<i64>, status: Status, progress: i64, budget: Option<i64>) -> Node {
        Node {
            id,
            parent,
            status,
            progress,
            budget,
        }
    }

    #[test]
    fn leaves_keep_their_progress() {
        let r = roll_up(&[n(1, None, Status::Started, 40, None)]);
        assert_eq!(r[&1].progress, 40.0);
        assert!(!r[&1].has_parts);
    }

    #[test]
    fn budget_weighted_when_every_part_has_a_budget() {
        // 100 % of 10 000 € and 0 % of 30 000 €: a quarter done.
        let r = roll_up(&[
            n(1, None, Status::Started, 0, None),
            n(2, Some(1), Status::Done, 100, Some(10_000)),
            n(3, Some(1), Status::Planned, 0, Some(30_000)),
        ]);
        assert_eq!(r[&1].progress, 25.0);
        assert_eq!(r[&1].budget, Some(40_000));
        assert!(r[&1].has_parts);
    }

    #[test]
    fn plain_mean_when_a_budget_is_missing() {
        let r = roll_up(&[
            n(1, None, Status::Started, 0, Some(99)),
            n(2, Some(1), Status::Done, 100, Some(10_000)),
            n(3, Some(1), Status::Started, 50, None),
            n(4, Some(1), Status::Planned, 0, Some(5)),
        ]);
        assert_eq!(r[&1].progress, 50.0);
        // Its own budget wins over the (incomplete) sum of the parts.
        assert_eq!(r[&1].budget, Some(99));
    }

    #[test]
    fn stopped_parts_do_not_count() {
        let r = roll_up(&[
            n(1, None, Status::Started, 0, None),
            n(2, Some(1), Status::Done, 100, None),
            n(3, Some(1), Status::Stopped, 10, None),
        ]);
        assert_eq!(r[&1].progress, 100.0);
        // All parts stopped: the parent's own progress stays.
        let r = roll_up(&[
            n(1, None, Status::Stopped, 30, None),
            n(2, Some(1), Status::Stopped, 10, None),
        ]);
        assert_eq!(r[&1].progress, 30.0);
    }

    #[test]
    fn recursive_with_effective_budgets() {
        // 1 ← 2 (no budget of its own; parts 4: 100 % of 1000, 5: 0 % of 1000) and 3 (50 % of 2000).
        let r = roll_up(&[
            n(1, None, Status::Started, 0, None),
            n(2, Some(1), Status::Started, 0, None),
            n(3, Some(1), Status::Started, 50, Some(2000)),
            n(4, Some(2), Status::Done, 100, Some(1000)),
            n(5, Some(2), Status::Planned, 0, Some(1000)),
        ]);
        assert_eq!(r[&2].progress, 50.0);
        assert_eq!(r[&2].budget, Some(2000));
        assert_eq!(r[&1].progress, 50.0);
        assert_eq!(r[&1].budget, Some(4000));
    }

    #[test]
    fn a_cycle_does_not_hang() {
        let r = roll_up(&[
            n(1, Some(2), Status::Started, 10, None),
            n(2, Some(1), Status::Started, 20, None),
        ]);
        assert_eq!(r.len(), 2);
    }

    /// A naive reference: the rule written as plain recursion over ids.
    fn reference(nodes: &[Node], id: i64) -> (f64, Option<i64>) {
        let me = nodes.iter().find(|x| x.id == id).unwrap();
        let kids: Vec<&Node> = nodes.iter().filter(|x| x.parent == Some(id)).collect();
        if kids.is_empty() {
            return (me.progress as f64, me.budget);
        }
        let parts: Vec<(Status, f64, Option<i64>)> = kids
            .iter()
            .map(|k| {
                let (p, b) = reference(nodes, k.id);
                (k.status, p, b)
            })
            .collect();
        let counted: Vec<&(Status, f64, Option<i64>)> =
            parts.iter().filter(|p| p.0 != Status::Stopped).collect();
        let progress = if counted.is_empty() {
            me.progress as f64
        } else if counted.iter().all(|p| matches!(p.2, Some(b) if b > 0)) {
            let w: f64 = counted.iter().map(|p| p.2.unwrap() as f64).sum();
            counted
                .iter()
                .map(|p| p.1 * p.2.unwrap() as f64)
                .sum::<f64>()
                / w
        } else {
            counted.iter().map(|p| p.1).sum::<f64>() / counted.len() as f64
        };
        let budget = me.budget.or_else(|| {
            if parts.iter().all(|p| p.2.is_some()) {
                Some(parts.iter().map(|p| p.2.unwrap()).sum())
            } else {
                None
            }
        });
        (progress, budget)
    }

    #[test]
    fn matches_the_naive_rule_on_random_trees() {
        // A small deterministic generator (no dependency): trees of up to 12 measures.
        let mut seed: u64 = 0x5eed;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for _ in 0..500 {
            let len = 1 + next(12) as i64;
            let nodes: Vec<Node> = (1..=len)
                .map(|id| Node {
                    id,
                    parent: if id == 1 || next(4) == 0 {
                        None
                    } else {
                        Some(1 + next(id as u64 - 1) as i64)
                    },
                    status: Status::ALL[next(4) as usize],
                    progress: next(101) as i64,
                    budget: if next(3) == 0 {
                        None
                    } else {
                        Some(next(5) as i64 * 1000)
                    },
                })
                .collect();
            let r = roll_up(&nodes);
            for nd in &nodes {
                let (p, b) = reference(&nodes, nd.id);
                assert!((r[&nd.id].progress - p).abs() < 1e-9, "{nodes:?}");
                assert_eq!(r[&nd.id].budget, b, "{nodes:?}");
                assert!((0.0..=100.0).contains(&r[&nd.id].progress));
            }
        }
    }

    #[test]
    fn progress_and_status_as_typed() {
        assert_eq!(parse_progress("40"), Ok(40));
        assert_eq!(parse_progress(" 40 % "), Ok(40));
        assert_eq!(parse_progress("100%"), Ok(100));
        assert!(parse_progress("101").is_err());
        assert!(parse_progress("-1").is_err());
        assert!(parse_progress("40,5").is_err());
        assert_eq!(Status::parse("Abgeschlossen"), Some(Status::Done));
        assert_eq!(Status::parse("laufend"), Some(Status::Started));
        assert_eq!(Status::parse("maybe"), None);
    }
}
