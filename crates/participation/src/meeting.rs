//! Area meetings (Aktionsraumgespräche): date, place, the action area, an accessible
//! description of the venue, minutes and the number of attendees. The ideas collected there
//! are entered by staff on the attendees' behalf ([`crate::idea::Origin::Meeting`]) and count
//! as much as those written online.

use serde::Serialize;
use sozialatlas_accounts::Role;
use sozialatlas_store::Pool;
use time::OffsetDateTime;

use crate::clock::{local_str, parse_date, parse_time, stamp};
use crate::error::{FieldError, Problem, check_text};
use crate::process::get_process;
use crate::{Actor, Error, Query, audit, next_id};

/// An area meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Meeting {
    /// Id.
    pub id: i64,
    /// Process.
    pub process_id: i64,
    /// Action area.
    pub action_area_id: i64,
    /// Title.
    pub title: String,
    /// Start, local `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    /// End, local `YYYY-MM-DDTHH:MM`.
    pub ends_at: Option<String>,
    /// Place (address).
    pub place: String,
    /// How to get there and in: step-free access, hearing loop, interpreters.
    pub accessibility: String,
    /// What it is about.
    pub description: String,
    /// Minutes (after the meeting).
    pub minutes: Option<String>,
    /// Number of attendees (after the meeting).
    pub attendees: Option<i64>,
    /// Example content.
    pub example: bool,
}

/// A meeting as typed into the form.
#[derive(Clone, Debug, Default)]
pub struct MeetingInput {
    /// Action area id.
    pub area: String,
    /// Title.
    pub title: String,
    /// Date.
    pub date: String,
    /// Start time `HH:MM`.
    pub start: String,
    /// End time `HH:MM` (optional).
    pub end: String,
    /// Place.
    pub place: String,
    /// Accessibility.
    pub accessibility: String,
    /// Description.
    pub description: String,
    /// Minutes.
    pub minutes: String,
    /// Attendees.
    pub attendees: String,
}

struct Checked {
    area: i64,
    title: String,
    starts_at: String,
    ends_at: Option<String>,
    place: String,
    accessibility: String,
    description: String,
    minutes: Option<String>,
    attendees: Option<i64>,
}

/// Binds the checked form's columns to `query` in order: action area, title, start, end, place,
/// accessibility, description, minutes, attendees.
fn bind_fields<'q>(c: &'q Checked, query: Query<'q>) -> Query<'q> {
    query
        .bind(c.area)
        .bind(&c.title)
        .bind(&c.starts_at)
        .bind(&c.ends_at)
        .bind(&c.place)
        .bind(&c.accessibility)
        .bind(&c.description)
        .bind(&c.minutes)
        .bind(c.attendees)
}

fn check(process: &crate::Process, input: &MeetingInput) -> Result<Checked, Vec<FieldError>> {
    let mut errs = Vec::new();
    let area = match input.area.trim().parse::<i64>() {
        Ok(a) if process.area(a).is_some() => Some(a),
        _ if input.area.trim().is_empty() => {
            errs.push(FieldError::new("area", Problem::Required));
            None
        }
        _ => {
            errs.push(FieldError::new(
                "area",
                Problem::Unknown(input.area.trim().into()),
            ));
            None
        }
    };
    let title = check_text(&mut errs, "title", &input.title, 3, 200);
    let date = parse_date(&input.date);
    if input.date.trim().is_empty() {
        errs.push(FieldError::new("date", Problem::Required));
    } else if date.is_none() {
        errs.push(FieldError::new(
            "date",
            Problem::NotADate(input.date.trim().into()),
        ));
    }
    let start = parse_time(&input.start);
    if input.start.trim().is_empty() {
        errs.push(FieldError::new("start", Problem::Required));
    } else if start.is_none() {
        errs.push(FieldError::new(
            "start",
            Problem::NotATime(input.start.trim().into()),
        ));
    }
    let end = if input.end.trim().is_empty() {
        None
    } else {
        let e = parse_time(&input.end);
        if e.is_none() {
            errs.push(FieldError::new(
                "end",
                Problem::NotATime(input.end.trim().into()),
            ));
        }
        e
    };
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        errs.push(FieldError::new("end", Problem::EndBeforeStart));
    }
    let place = check_text(&mut errs, "place", &input.place, 3, 500);
    let accessibility = check_text(&mut errs, "accessibility", &input.accessibility, 0, 2000);
    let description = check_text(&mut errs, "description", &input.description, 0, 10_000);
    let minutes = check_text(&mut errs, "minutes", &input.minutes, 0, 50_000);
    let attendees = match input.attendees.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => Some(n),
            Ok(_) => {
                errs.push(FieldError::new(
                    "attendees",
                    Problem::OutOfRange {
                        min: 0,
                        max: 100_000,
                    },
                ));
                None
            }
            Err(_) => {
                errs.push(FieldError::new("attendees", Problem::NotANumber(s.into())));
                None
            }
        },
    };
    match (area, date, start) {
        (Some(area), Some(d), Some(s)) if errs.is_empty() => Ok(Checked {
            area,
            title,
            starts_at: local_str(d, s),
            ends_at: end.map(|e| local_str(d, e)),
            place,
            accessibility,
            description,
            minutes: (!minutes.is_empty()).then_some(minutes),
            attendees,
        }),
        _ => Err(errs),
    }
}

/// Creates a meeting (process managers).
pub async fn create_meeting(
    pool: &Pool,
    actor: &Actor,
    process_id: i64,
    input: &MeetingInput,
    now: OffsetDateTime,
) -> Result<i64, Error> {
    actor.require(Role::ProcessManager)?;
    let process = get_process(pool, process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let c = check(&process, input).map_err(Error::Invalid)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = next_id(&mut tx, "area_meeting").await?;
    bind_fields(
        &c,
        sqlx::query(
            "INSERT INTO area_meeting (id, process_id, action_area_id, title, starts_at, ends_at, place,
             accessibility, description, minutes, attendees, example, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $13)",
        )
        .bind(id)
        .bind(process_id),
    )
    .bind(process.example)
    .bind(stamp(now))
    .bind(actor.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    audit(
        pool,
        actor,
        "meeting.create",
        &format!("meeting:{id}"),
        &c.title,
    )
    .await?;
    Ok(id)
}

/// Changes a meeting, e.g. to add minutes and the number of attendees (process managers).
pub async fn update_meeting(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    input: &MeetingInput,
    now: OffsetDateTime,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let m = get_meeting(pool, id)
        .await?
        .ok_or(Error::NotFound("meeting"))?;
    let process = get_process(pool, m.process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let c = check(&process, input).map_err(Error::Invalid)?;
    bind_fields(
        &c,
        sqlx::query(
            "UPDATE area_meeting SET action_area_id = $2, title = $3, starts_at = $4, ends_at = $5,
             place = $6, accessibility = $7, description = $8, minutes = $9, attendees = $10,
             updated_at = $11
         WHERE id = $1",
        )
        .bind(id),
    )
    .bind(stamp(now))
    .execute(pool)
    .await?;
    audit(
        pool,
        actor,
        "meeting.update",
        &format!("meeting:{id}"),
        &c.title,
    )
    .await?;
    Ok(())
}

const COLUMNS: &str = "id, process_id, action_area_id, title, starts_at, ends_at, place,
    accessibility, description, minutes, attendees, example";

/// Reads one meeting.
pub async fn get_meeting(pool: &Pool, id: i64) -> Result<Option<Meeting>, Error> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM area_meeting WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// The meetings of a process, or of one action area, by date.
pub async fn list_meetings(
    pool: &Pool,
    process: Option<i64>,
    area: Option<i64>,
) -> Result<Vec<Meeting>, Error> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM area_meeting
         WHERE ($1 IS NULL OR process_id = $1) AND ($2 IS NULL OR action_area_id = $2)
         ORDER BY starts_at, id"
    ))
    .bind(process)
    .bind(area)
    .fetch_all(pool)
    .await?)
}

/// The form values of a stored meeting (for editing).
pub fn input_of(m: &Meeting) -> MeetingInput {
    let (date, start) = m.starts_at.split_once('T').unwrap_or((&m.starts_at, ""));
    MeetingInput {
        area: m.action_area_id.to_string(),
        title: m.title.clone(),
        date: date.to_string(),
        start: start.to_string(),
        end: m
            .ends_at
            .as_deref()
            .and_then(|e| e.split_once('T'))
            .map(|(_, t)| t.to_string())
            .unwrap_or_default(),
        place: m.place.clone(),
        accessibility: m.accessibility.clone(),
        description: m.description.clone(),
        minutes: m.minutes.clone().unwrap_or_default(),
        attendees: m.attendees.map(|n| n.to_string()).unwrap_or_default(),
    }
}
