//! Project ideas (Projektideen): writing, submitting, every step of the life cycle, official
//! answers, history, reviewers and their notes, listing with filters and search.
//!
//! Every step goes through one function ([`step`]) that asks the state machine
//! ([`crate::state::may`]), writes the new state and the event (who, when, in which capacity,
//! why) in one transaction, and notifies the author.

use serde::Serialize;
use sozialatlas_accounts::Role;
use sozialatlas_store::{Pool, Snapshot};
use time::OffsetDateTime;

use crate::clock::stamp;
use crate::error::{Conflict, Denied, FieldError, Problem, check_text, parse_euros};
use crate::inbox::{self, MessageKind};
use crate::process::{Permission, Process, get_process};
use crate::state::{self, IdeaState, Party};
use crate::{Actor, Error, RateLimit, audit, next_id};

/// On whose behalf an idea is brought in (no person named: the kind of group).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GroupType {
    /// A group of residents / neighbourhood initiative.
    Residents,
    /// An association (Verein, Verband).
    Association,
    /// A church or religious community.
    Church,
    /// A school or day-care centre.
    School,
    /// A social or public institution.
    Institution,
    /// Local politics (Bezirksvertretung, party).
    Politics,
    /// A business.
    Business,
    /// Something else.
    Other,
}

impl GroupType {
    /// Every type.
    pub const ALL: [GroupType; 8] = [
        GroupType::Residents,
        GroupType::Association,
        GroupType::Church,
        GroupType::School,
        GroupType::Institution,
        GroupType::Politics,
        GroupType::Business,
        GroupType::Other,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupType::Residents => "residents",
            GroupType::Association => "association",
            GroupType::Church => "church",
            GroupType::School => "school",
            GroupType::Institution => "institution",
            GroupType::Politics => "politics",
            GroupType::Business => "business",
            GroupType::Other => "other",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<GroupType> {
        GroupType::ALL.into_iter().find(|g| g.as_str() == s)
    }
}

/// The official answer to an idea.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// Accepted or rejected.
    pub decision: IdeaState,
    /// The text.
    pub body: String,
    /// Who wrote it (user id).
    pub written_by: i64,
    /// When.
    pub written_at: String,
    /// When it was published (None: not yet public).
    pub published_at: Option<String>,
}

/// A project idea.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Idea {
    /// Id.
    pub id: i64,
    /// Process.
    pub process_id: i64,
    /// Reference number, e.g. `AP-2026-0001`.
    pub reference: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Action area.
    pub action_area_id: i64,
    /// Field of action.
    pub field_id: i64,
    /// The participant who wrote it (None: entered by staff for attendees of a meeting).
    pub author_id: Option<i64>,
    /// The staff member who entered it on someone's behalf.
    pub entered_by: Option<i64>,
    /// The kind of group it is brought in for.
    pub group_type: Option<GroupType>,
    /// The group's name.
    pub group_name: Option<String>,
    /// Collected at this area meeting.
    pub meeting_id: Option<i64>,
    /// Location (longitude, latitude, WGS84).
    pub location: Option<(f64, f64)>,
    /// Cost estimate in euros.
    pub cost_estimate: Option<i64>,
    /// Where it is in its life cycle (internal: decisions before their answer is public).
    pub state: IdeaState,
    /// Merged into this idea.
    pub merged_into: Option<i64>,
    /// Assigned reviewer.
    pub reviewer_id: Option<i64>,
    /// Hidden by moderation.
    pub hidden: bool,
    /// Why.
    pub hidden_reason: Option<String>,
    /// Example content.
    pub example: bool,
    /// Created.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// First made public.
    pub published_at: Option<String>,
    /// The official answer.
    pub answer: Option<Answer>,
    /// Number of supports.
    pub supports: i64,
    /// Number of visible comments.
    pub comments: i64,
}

impl Idea {
    /// Whether the official answer is public.
    pub fn answer_published(&self) -> bool {
        self.answer
            .as_ref()
            .is_some_and(|a| a.published_at.is_some())
    }

    /// The state the public sees.
    pub fn public_state(&self) -> IdeaState {
        state::public_state(self.state, self.answer_published())
    }

    /// The answer, if it is public.
    pub fn public_answer(&self) -> Option<&Answer> {
        self.answer.as_ref().filter(|a| a.published_at.is_some())
    }

    /// Public: it has been published and is not hidden.
    pub fn is_public(&self) -> bool {
        self.published_at.is_some() && !self.hidden
    }

    /// Whether `viewer` wrote it.
    pub fn is_own(&self, viewer: &Actor) -> bool {
        self.author_id == Some(viewer.id)
    }

    /// Whether `viewer` (None: anonymous) may see it: the public sees public ideas; the author
    /// sees their own; staff see everything that was handed in.
    pub fn visible_to(&self, viewer: Option<&Actor>) -> bool {
        if self.is_public() {
            return true;
        }
        match viewer {
            None => false,
            Some(v) if self.is_own(v) => true,
            Some(v) => v.is_staff() && self.state != IdeaState::Draft,
        }
    }

    /// Collected at an area meeting, entered by staff.
    pub fn collected_at_meeting(&self) -> bool {
        self.meeting_id.is_some()
    }
}

/// An idea as typed into the form: every field as text, parsed and checked here so that the
/// web form and the CLI give the same errors.
#[derive(Clone, Debug, Default)]
pub struct IdeaInput {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Action area id.
    pub area: String,
    /// Field id.
    pub field: String,
    /// Group type (empty: as a person).
    pub group_type: String,
    /// Group name.
    pub group_name: String,
    /// Latitude (empty: no location).
    pub lat: String,
    /// Longitude.
    pub lon: String,
    /// The place as one of the action areas' member areas (its key), for a form without a map:
    /// the idea is then located at a point inside that area. Latitude and longitude, when
    /// given, are the more exact place and win.
    pub place: String,
    /// Cost estimate in euros.
    pub cost: String,
}

struct Checked {
    title: String,
    description: String,
    area: i64,
    field: i64,
    group_type: Option<GroupType>,
    group_name: Option<String>,
    location: Option<(f64, f64)>,
    cost: Option<i64>,
}

/// Title length limits.
pub const TITLE_MAX: usize = 150;
/// Description length limit.
pub const DESCRIPTION_MAX: usize = 5000;

fn check(
    process: &Process,
    snap: Option<&Snapshot>,
    input: &IdeaInput,
) -> Result<Checked, Vec<FieldError>> {
    let mut errs = Vec::new();
    let title = check_text(&mut errs, "title", &input.title, 5, TITLE_MAX);
    let description = check_text(
        &mut errs,
        "description",
        &input.description,
        20,
        DESCRIPTION_MAX,
    );
    let area = chosen(&mut errs, "area", &input.area, |id| {
        process.area(id).is_some()
    });
    let field = chosen(&mut errs, "field", &input.field, |id| {
        process.field(id).is_some()
    });
    let group_type = match input.group_type.trim() {
        "" | "person" => None,
        s => match GroupType::parse(s) {
            Some(g) => Some(g),
            None => {
                errs.push(FieldError::new("group_type", Problem::Unknown(s.into())));
                None
            }
        },
    };
    let group_name = check_text(&mut errs, "group_name", &input.group_name, 0, 200);
    let group_name = (!group_name.is_empty() && group_type.is_some()).then_some(group_name);
    let coord = |field: &str, raw: &str, lim: f64, errs: &mut Vec<FieldError>| {
        let t = raw.trim();
        if t.is_empty() {
            return None;
        }
        match t.replace(',', ".").parse::<f64>() {
            Ok(v) if v.is_finite() && v.abs() <= lim => Some(v),
            Ok(_) => {
                errs.push(FieldError::new(
                    field,
                    Problem::OutOfRange {
                        min: -(lim as i64),
                        max: lim as i64,
                    },
                ));
                None
            }
            Err(_) => {
                errs.push(FieldError::new(field, Problem::NotANumber(t.into())));
                None
            }
        }
    };
    let lat = coord("lat", &input.lat, 90.0, &mut errs);
    let lon = coord("lon", &input.lon, 180.0, &mut errs);
    let location = match (
        lat,
        lon,
        input.lat.trim().is_empty(),
        input.lon.trim().is_empty(),
    ) {
        (Some(la), Some(lo), _, _) => Some((lo, la)),
        (None, None, true, true) => None,
        (_, _, true, false) => {
            errs.push(FieldError::new("lat", Problem::Incomplete));
            None
        }
        (_, _, false, true) => {
            errs.push(FieldError::new("lon", Problem::Incomplete));
            None
        }
        _ => None,
    };
    if let (Some((lo, la)), Some(a), Some(snap)) = (location, area, snap)
        && let Some(aa) = process.area(a)
        && !point_in_area(snap, &process.set.level, &aa.members, lo, la)
    {
        errs.push(FieldError::new("lat", Problem::OutsideArea));
    }
    let place = input.place.trim();
    let location = match (location, place.is_empty()) {
        (None, false) if input.lat.trim().is_empty() && input.lon.trim().is_empty() => {
            if !process
                .set
                .areas
                .iter()
                .any(|a| a.members.iter().any(|m| m == place))
            {
                errs.push(FieldError::new(
                    "place_area",
                    Problem::Unknown(place.into()),
                ));
                None
            } else if let Some(a) = area.and_then(|a| process.area(a))
                && !a.members.iter().any(|m| m == place)
            {
                errs.push(FieldError::new("place_area", Problem::OutsideArea));
                None
            } else {
                snap.and_then(|s| place_point(s, &process.set.level, place))
            }
        }
        (l, _) => l,
    };
    let cost = match parse_euros(&input.cost) {
        Ok(Some(c)) if c > 1_000_000_000 => {
            errs.push(FieldError::new(
                "cost",
                Problem::OutOfRange {
                    min: 0,
                    max: 1_000_000_000,
                },
            ));
            None
        }
        Ok(c) => c,
        Err(p) => {
            errs.push(FieldError::new("cost", p));
            None
        }
    };
    match (area, field) {
        (Some(area), Some(field)) if errs.is_empty() => Ok(Checked {
            title,
            description,
            area,
            field,
            group_type,
            group_name,
            location,
            cost,
        }),
        _ => Err(errs),
    }
}

/// A point inside the area `key` of `level` (WGS84 lon, lat): where an idea placed by choosing
/// the area is shown. `None` without the area's geometry.
pub fn place_point(snap: &Snapshot, level: &str, key: &str) -> Option<(f64, f64)> {
    use geo::InteriorPoint;
    let l = snap.tree.level_index(level)?;
    let i = snap.tree.find(l, key)?;
    let p = snap.geometries.get(i)?.as_ref()?.interior_point()?;
    Some((p.x(), p.y()))
}

/// Whether the point (WGS84) lies in one of the member areas of an action area. When the atlas
/// has no geometry for any member, the point cannot be checked and is refused.
pub fn point_in_area(snap: &Snapshot, level: &str, members: &[String], lon: f64, lat: f64) -> bool {
    use geo::Contains;
    let Some(l) = snap.tree.level_index(level) else {
        return false;
    };
    let p = geo_types::Point::new(lon, lat);
    snap.tree.areas.iter().enumerate().any(|(i, a)| {
        a.level == l
            && members.contains(&a.key)
            && snap
                .geometries
                .get(i)
                .and_then(Option::as_ref)
                .is_some_and(|g| g.contains(&p) || geo::Intersects::intersects(g, &p))
    })
}

/// The id chosen in a required form field, if `exists` knows it; otherwise the field's error.
fn chosen(
    errs: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    exists: impl Fn(i64) -> bool,
) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        errs.push(FieldError::new(field, Problem::Required));
        return None;
    }
    let id = value.parse::<i64>().ok().filter(|&id| exists(id));
    if id.is_none() {
        errs.push(FieldError::new(field, Problem::Unknown(value.into())));
    }
    id
}

/// Most ideas one person may write in [`IDEA_WINDOW_MINUTES`].
pub const IDEA_LIMIT: i64 = 5;
/// The window of [`IDEA_LIMIT`].
pub const IDEA_WINDOW_MINUTES: i64 = 60;

/// [`IDEA_LIMIT`] in [`IDEA_WINDOW_MINUTES`].
const IDEAS: RateLimit = RateLimit {
    what: "ideas",
    limit: IDEA_LIMIT,
    window_minutes: IDEA_WINDOW_MINUTES,
    count_sql: "SELECT COUNT(*) FROM idea WHERE author_id = $1 AND created_at >= $2",
};

async fn next_reference(
    conn: &mut sozialatlas_store::Conn,
    prefix: &str,
    year: i32,
) -> Result<String, Error> {
    let stem = format!("{prefix}-{year}-");
    let last: Option<String> = sqlx::query_scalar(
        "SELECT reference FROM idea WHERE reference LIKE $1
         ORDER BY LENGTH(reference) DESC, reference DESC LIMIT 1",
    )
    .bind(format!("{stem}%"))
    .fetch_optional(&mut *conn)
    .await?;
    let n = last
        .and_then(|r| r.strip_prefix(&stem).and_then(|n| n.parse::<u32>().ok()))
        .unwrap_or(0)
        + 1;
    Ok(format!("{stem}{n:04}"))
}

/// How an idea comes in.
#[derive(Clone, Copy, Debug)]
pub enum Origin {
    /// Written by the acting participant; `submit` hands it in right away.
    Participant {
        /// Submit now (else stays a draft).
        submit: bool,
    },
    /// Entered by staff for the attendees of an area meeting: public at once, marked as
    /// collected at the meeting.
    Meeting(i64),
}

/// Writes a new idea. Participants need a phase that permits proposing; staff entering the
/// ideas of an area meeting need to be process managers.
pub async fn create_idea(
    pool: &Pool,
    snap: Option<&Snapshot>,
    actor: &Actor,
    process_id: i64,
    input: &IdeaInput,
    origin: Origin,
    now: OffsetDateTime,
) -> Result<i64, Error> {
    let process = get_process(pool, process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    // An idea collected at a meeting belongs to the meeting's area unless staff chose another
    // one of the process.
    let mut input = input.clone();
    if let Origin::Meeting(m) = origin {
        actor.require(Role::ProcessManager)?;
        let area: i64 = sqlx::query_scalar(
            "SELECT action_area_id FROM area_meeting WHERE id = $1 AND process_id = $2",
        )
        .bind(m)
        .bind(process_id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound("meeting"))?;
        if input.area.trim().is_empty() {
            input.area = area.to_string();
        }
        if input.group_type.trim().is_empty() {
            input.group_type = GroupType::Residents.as_str().into();
        }
    }
    let c = check(&process, snap, &input).map_err(Error::Invalid)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let meeting = match origin {
        Origin::Participant { .. } => {
            process.require(Permission::Propose, now)?;
            if !actor.has(Role::ProcessManager) {
                IDEAS.check(&mut tx, actor.id, now).await?;
            }
            None
        }
        Origin::Meeting(m) => Some(m),
    };
    let id = next_id(&mut tx, "idea").await?;
    let reference = next_reference(&mut tx, &process.reference_prefix, now.year()).await?;
    let ts = stamp(now);
    let (author, entered_by, initial) = match origin {
        Origin::Participant { .. } => (Some(actor.id), None, IdeaState::Draft),
        Origin::Meeting(_) => (None, Some(actor.id), IdeaState::Published),
    };
    sqlx::query(
        "INSERT INTO idea (id, process_id, reference, title, description, action_area_id,
             field_id, author_id, entered_by, group_type, group_name, meeting_id, lon, lat,
             cost_estimate, state, merged_into, reviewer_id, hidden, hidden_reason, hidden_at,
             hidden_by, example, created_at, updated_at, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL,
             NULL, FALSE, NULL, NULL, NULL, $17, $18, $18, $19)",
    )
    .bind(id)
    .bind(process_id)
    .bind(&reference)
    .bind(&c.title)
    .bind(&c.description)
    .bind(c.area)
    .bind(c.field)
    .bind(author)
    .bind(entered_by)
    .bind(c.group_type.map(GroupType::as_str))
    .bind(&c.group_name)
    .bind(meeting)
    .bind(c.location.map(|l| l.0))
    .bind(c.location.map(|l| l.1))
    .bind(c.cost)
    .bind(initial.as_str())
    .bind(process.example)
    .bind(&ts)
    .bind((initial == IdeaState::Published).then_some(&ts))
    .execute(&mut *tx)
    .await?;
    let party = match origin {
        Origin::Participant { .. } => Party::Author,
        Origin::Meeting(_) => Party::ProcessManager,
    };
    event(
        &mut tx,
        id,
        now,
        Some(actor.id),
        party,
        "created",
        None,
        Some(initial),
        "",
    )
    .await?;
    tx.commit().await?;
    if let Origin::Meeting(m) = origin {
        audit(
            pool,
            actor,
            "idea.enter_for_meeting",
            &format!("idea:{id}"),
            &format!("{reference} collected at meeting {m}"),
        )
        .await?;
    }
    if let Origin::Participant { submit: true } = origin {
        submit(pool, actor, id, now).await?;
    }
    Ok(id)
}

/// Changes the text of an idea: its author until it is answered (in a phase that permits
/// proposing), or a process manager (to correct it; recorded in the history).
pub async fn update_idea(
    pool: &Pool,
    snap: Option<&Snapshot>,
    actor: &Actor,
    id: i64,
    input: &IdeaInput,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let idea = get_idea(pool, id).await?.ok_or(Error::NotFound("idea"))?;
    let process = get_process(pool, idea.process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let party = if idea.is_own(actor) {
        if !idea.state.author_may_edit() {
            return Err(Error::Conflict(Conflict::NotEditable));
        }
        process.require(Permission::Propose, now)?;
        Party::Author
    } else if actor.has(Role::ProcessManager) && idea.state != IdeaState::Draft {
        if idea.state.is_final(idea.answer_published()) {
            return Err(Error::Conflict(Conflict::NotEditable));
        }
        Party::ProcessManager
    } else {
        return Err(if idea.visible_to(Some(actor)) {
            Error::Denied(Denied::NotAuthor)
        } else {
            Error::NotFound("idea")
        });
    };
    let c = check(&process, snap, input).map_err(Error::Invalid)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query(
        "UPDATE idea SET title = $2, description = $3, action_area_id = $4, field_id = $5,
             group_type = $6, group_name = $7, lon = $8, lat = $9, cost_estimate = $10,
             updated_at = $11
         WHERE id = $1",
    )
    .bind(id)
    .bind(&c.title)
    .bind(&c.description)
    .bind(c.area)
    .bind(c.field)
    .bind(c.group_type.map(GroupType::as_str))
    .bind(&c.group_name)
    .bind(c.location.map(|l| l.0))
    .bind(c.location.map(|l| l.1))
    .bind(c.cost)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    event(
        &mut tx,
        id,
        now,
        Some(actor.id),
        party,
        "edited",
        None,
        None,
        reason.trim(),
    )
    .await?;
    tx.commit().await?;
    if party == Party::ProcessManager {
        audit(
            pool,
            actor,
            "idea.edit",
            &format!("idea:{id}"),
            reason.trim(),
        )
        .await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn event(
    conn: &mut sozialatlas_store::Conn,
    idea: i64,
    now: OffsetDateTime,
    actor: Option<i64>,
    party: Party,
    kind: &str,
    from: Option<IdeaState>,
    to: Option<IdeaState>,
    reason: &str,
) -> Result<(), Error> {
    let id = next_id(conn, "idea_event").await?;
    sqlx::query(
        "INSERT INTO idea_event (id, idea_id, at, actor_id, party, kind, from_state, to_state, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(idea)
    .bind(stamp(now))
    .bind(actor)
    .bind(party.as_str())
    .bind(kind)
    .bind(from.map(IdeaState::as_str))
    .bind(to.map(IdeaState::as_str))
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records an event of an idea that is not a state change (moderation, reviewer assignment).
pub(crate) async fn record(
    conn: &mut sozialatlas_store::Conn,
    idea: i64,
    now: OffsetDateTime,
    actor: Option<i64>,
    party: Party,
    kind: &str,
    reason: &str,
) -> Result<(), Error> {
    event(conn, idea, now, actor, party, kind, None, None, reason).await
}

/// The one way to change an idea's state: checks the life cycle, writes state and event,
/// notifies the author (decisions: only when their answer is published).
async fn step(
    conn: &mut sozialatlas_store::Conn,
    idea: &Idea,
    to: IdeaState,
    party: Party,
    actor: Option<&Actor>,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let own = actor.is_some_and(|a| idea.is_own(a));
    state::may(idea.state, to, party, own, idea.answer_published()).map_err(|refusal| {
        if refusal == state::Refusal::OwnContent {
            Error::Denied(Denied::OwnContent)
        } else {
            Error::Transition {
                from: idea.state,
                to,
                refusal,
            }
        }
    })?;
    let ts = stamp(now);
    // Guard against a concurrent step: the row must still be in the state we checked.
    let changed = sqlx::query(
        "UPDATE idea SET state = $2, updated_at = $3,
             published_at = CASE WHEN $2 = 'published' AND published_at IS NULL THEN $3 ELSE published_at END
         WHERE id = $1 AND state = $4",
    )
    .bind(idea.id)
    .bind(to.as_str())
    .bind(&ts)
    .bind(idea.state.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed != 1 {
        return Err(Error::Transition {
            from: idea.state,
            to,
            refusal: state::Refusal::NoSuchStep,
        });
    }
    event(
        conn,
        idea.id,
        now,
        actor.map(|a| a.id),
        party,
        "state",
        Some(idea.state),
        Some(to),
        reason.trim(),
    )
    .await?;
    if let Some(author) = idea.author_id
        && !own
        && !to.is_decision()
        && idea.state != IdeaState::Draft
    {
        inbox::notify(
            conn,
            author,
            MessageKind::StateChanged,
            Some(idea.id),
            to.as_str(),
            now,
        )
        .await?;
    }
    Ok(())
}

/// One step by `actor` in a transaction of its own.
async fn step_alone(
    pool: &Pool,
    idea: &Idea,
    to: IdeaState,
    party: Party,
    actor: &Actor,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    step(&mut tx, idea, to, party, Some(actor), reason, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn load(pool: &Pool, id: i64) -> Result<Idea, Error> {
    get_idea(pool, id).await?.ok_or(Error::NotFound("idea"))
}

fn hide_unless_visible(idea: &Idea, actor: &Actor) -> Result<(), Error> {
    if idea.visible_to(Some(actor)) {
        Ok(())
    } else {
        Err(Error::NotFound("idea"))
    }
}

/// The author hands a draft in (in a phase that permits proposing). Without moderation first,
/// the idea is published at once.
pub async fn submit(pool: &Pool, actor: &Actor, id: i64, now: OffsetDateTime) -> Result<(), Error> {
    let idea = load(pool, id).await?;
    hide_unless_visible(&idea, actor)?;
    if !idea.is_own(actor) {
        return Err(Error::Denied(Denied::NotAuthor));
    }
    let process = get_process(pool, idea.process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    process.require(Permission::Propose, now)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    step(
        &mut tx,
        &idea,
        IdeaState::Submitted,
        Party::Author,
        Some(actor),
        "",
        now,
    )
    .await?;
    if !process.moderate_first {
        let idea = Idea {
            state: IdeaState::Submitted,
            ..idea
        };
        step(
            &mut tx,
            &idea,
            IdeaState::Published,
            Party::System,
            None,
            "",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The author withdraws their idea (any time until it is answered).
pub async fn withdraw(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let idea = load(pool, id).await?;
    hide_unless_visible(&idea, actor)?;
    if !idea.is_own(actor) {
        return Err(Error::Denied(Denied::NotAuthor));
    }
    step_alone(
        pool,
        &idea,
        IdeaState::Withdrawn,
        Party::Author,
        actor,
        reason,
        now,
    )
    .await?;
    Ok(())
}

/// A moderator (or process manager) publishes a submitted idea.
pub async fn publish(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let idea = load(pool, id).await?;
    hide_unless_visible(&idea, actor)?;
    let party = if actor.has(Role::Moderator) {
        Party::Moderator
    } else if actor.has(Role::ProcessManager) {
        Party::ProcessManager
    } else {
        return Err(Error::Denied(Denied::Role(Role::Moderator.as_str())));
    };
    step_alone(pool, &idea, IdeaState::Published, party, actor, reason, now).await?;
    audit(pool, actor, "idea.publish", &format!("idea:{id}"), reason).await?;
    Ok(())
}

/// A process manager puts a published idea under review, optionally assigning a reviewer.
pub async fn start_review(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    reviewer: Option<i64>,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let idea = load(pool, id).await?;
    hide_unless_visible(&idea, actor)?;
    actor.require(Role::ProcessManager)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    step(
        &mut tx,
        &idea,
        IdeaState::UnderReview,
        Party::ProcessManager,
        Some(actor),
        reason,
        now,
    )
    .await?;
    if let Some(r) = reviewer {
        set_reviewer(&mut tx, id, Some(r), actor, now).await?;
    }
    tx.commit().await?;
    audit(pool, actor, "idea.review", &format!("idea:{id}"), reason).await?;
    Ok(())
}

async fn set_reviewer(
    conn: &mut sozialatlas_store::Conn,
    id: i64,
    reviewer: Option<i64>,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<(), Error> {
    sqlx::query("UPDATE idea SET reviewer_id = $2 WHERE id = $1")
        .bind(id)
        .bind(reviewer)
        .execute(&mut *conn)
        .await?;
    record(
        conn,
        id,
        now,
        Some(actor.id),
        Party::ProcessManager,
        "reviewer",
        &reviewer.map(|r| r.to_string()).unwrap_or_default(),
    )
    .await?;
    if let Some(r) = reviewer {
        inbox::notify(conn, r, MessageKind::ReviewAssigned, Some(id), "", now).await?;
    }
    Ok(())
}

/// A process manager assigns (or clears) the reviewer of an idea. The reviewer must not be its
/// author.
pub async fn assign_reviewer(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    reviewer: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let idea = load(pool, id).await?;
    hide_unless_visible(&idea, actor)?;
    if idea.is_own(actor) {
        return Err(Error::Denied(Denied::OwnContent));
    }
    if reviewer.is_some() && reviewer == idea.author_id {
        return Err(Error::Denied(Denied::OwnContent));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    set_reviewer(&mut tx, id, reviewer, actor, now).await?;
    tx.commit().await?;
    audit(
        pool,
        actor,
        "idea.assign_reviewer",
        &format!("idea:{id}"),
        &reviewer.map(|r| format!("user:{r}")).unwrap_or_default(),
    )
    .await?;
    Ok(())
}

/// Accepts or rejects an idea with its official answer (saved, not yet public). A process
/// manager decides any idea under review (and may reject a submitted one); a reviewer decides
/// the ideas assigned to them.
pub async fn decide(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    decision: IdeaState,
    answer: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    if !decision.is_decision() {
        return Err(Error::field(
            "decision",
            Problem::Unknown(decision.as_str().into()),
        ));
    }
    let idea = load(pool, id).await?;
    hide_unless_visible(&idea, actor)?;
    let party = if actor.has(Role::ProcessManager) {
        Party::ProcessManager
    } else if actor.has(Role::Reviewer) && idea.reviewer_id == Some(actor.id) {
        Party::AssignedReviewer
    } else {
        return Err(Error::Denied(Denied::Role(Role::ProcessManager.as_str())));
    };
    let mut errs = Vec::new();
    let body = check_text(&mut errs, "answer", answer, 1, 10_000);
    if !errs.is_empty() {
        return Err(if answer.trim().is_empty() {
            Error::Conflict(Conflict::AnswerRequired)
        } else {
            Error::Invalid(errs)
        });
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    step(&mut tx, &idea, decision, party, Some(actor), &body, now).await?;
    sqlx::query("DELETE FROM idea_answer WHERE idea_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO idea_answer (idea_id, decision, body, written_by, written_at, published_at, published_by)
         VALUES ($1, $2, $3, $4, $5, NULL, NULL)",
    )
    .bind(id)
    .bind(decision.as_str())
    .bind(&body)
    .bind(actor.id)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    record(&mut tx, id, now, Some(actor.id), party, "answer_saved", "").await?;
    tx.commit().await?;
    audit(
        pool,
        actor,
        "idea.decide",
        &format!("idea:{id}"),
        decision.as_str(),
    )
    .await?;
    Ok(())
}

/// An idea whose saved answer a process manager may still change or publish: not their own,
/// with an answer saved and not yet public.
async fn with_saved_answer(pool: &Pool, actor: &Actor, id: i64) -> Result<(Idea, Answer), Error> {
    actor.require(Role::ProcessManager)?;
    let idea = load(pool, id).await?;
    if idea.is_own(actor) {
        return Err(Error::Denied(Denied::OwnContent));
    }
    let Some(a) = idea.answer.clone() else {
        return Err(Error::Conflict(Conflict::NoAnswer));
    };
    if a.published_at.is_some() {
        return Err(Error::Conflict(Conflict::AnswerPublished));
    }
    Ok((idea, a))
}

/// Edits the saved, unpublished answer of a decided idea.
pub async fn edit_answer(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    answer: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    with_saved_answer(pool, actor, id).await?;
    let mut errs = Vec::new();
    let body = check_text(&mut errs, "answer", answer, 1, 10_000);
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query(
        "UPDATE idea_answer SET body = $2, written_by = $3, written_at = $4 WHERE idea_id = $1",
    )
    .bind(id)
    .bind(&body)
    .bind(actor.id)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        id,
        now,
        Some(actor.id),
        Party::ProcessManager,
        "answer_saved",
        "",
    )
    .await?;
    tx.commit().await?;
    audit(pool, actor, "idea.edit_answer", &format!("idea:{id}"), "").await?;
    Ok(())
}

/// A process manager publishes the official answer: the decision becomes public, the author is
/// notified.
pub async fn publish_answer(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let (idea, a) = with_saved_answer(pool, actor, id).await?;
    if a.decision != idea.state {
        return Err(Error::Conflict(Conflict::NoAnswer));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query(
        "UPDATE idea_answer SET published_at = $2, published_by = $3 WHERE idea_id = $1 AND published_at IS NULL",
    )
    .bind(id)
    .bind(stamp(now))
    .bind(actor.id)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE idea SET updated_at = $2 WHERE id = $1")
        .bind(id)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        id,
        now,
        Some(actor.id),
        Party::ProcessManager,
        "answer_published",
        idea.state.as_str(),
    )
    .await?;
    if let Some(author) = idea.author_id {
        inbox::notify(
            &mut tx,
            author,
            MessageKind::AnswerPublished,
            Some(id),
            idea.state.as_str(),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    audit(
        pool,
        actor,
        "idea.publish_answer",
        &format!("idea:{id}"),
        idea.state.as_str(),
    )
    .await?;
    Ok(())
}

/// A process manager takes a decision back under review (only while its answer is not
/// public). The saved answer stays as a draft of the next one.
pub async fn reopen(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let idea = load(pool, id).await?;
    if reason.trim().is_empty() {
        return Err(Error::field("reason", Problem::Required));
    }
    step_alone(
        pool,
        &idea,
        IdeaState::UnderReview,
        Party::ProcessManager,
        actor,
        reason,
        now,
    )
    .await?;
    audit(pool, actor, "idea.reopen", &format!("idea:{id}"), reason).await?;
    Ok(())
}

/// A process manager merges an idea into another public, open idea of the same process.
pub async fn merge(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    into_reference: &str,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    actor.require(Role::ProcessManager)?;
    let idea = load(pool, id).await?;
    hide_unless_visible(&idea, actor)?;
    let target_id: Option<i64> = sqlx::query_scalar("SELECT id FROM idea WHERE reference = $1")
        .bind(into_reference.trim())
        .fetch_optional(pool)
        .await?;
    let Some(target_id) = target_id else {
        return Err(Error::field(
            "into",
            Problem::Unknown(into_reference.trim().into()),
        ));
    };
    let target = load(pool, target_id).await?;
    if target.id == idea.id
        || target.process_id != idea.process_id
        || !target.is_public()
        || !matches!(target.state, IdeaState::Published | IdeaState::UnderReview)
    {
        return Err(Error::Conflict(Conflict::BadMergeTarget));
    }
    if reason.trim().is_empty() {
        return Err(Error::field("reason", Problem::Required));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    step(
        &mut tx,
        &idea,
        IdeaState::Merged,
        Party::ProcessManager,
        Some(actor),
        reason,
        now,
    )
    .await?;
    sqlx::query("UPDATE idea SET merged_into = $2 WHERE id = $1")
        .bind(id)
        .bind(target.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    audit(
        pool,
        actor,
        "idea.merge",
        &format!("idea:{id}"),
        &format!("into {}: {}", target.reference, reason.trim()),
    )
    .await?;
    Ok(())
}

/// A reviewer's private note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ReviewNote {
    /// Author (user id).
    pub author_id: i64,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: String,
}

/// Adds a private note (process managers, and the reviewer assigned to the idea).
pub async fn add_review_note(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    body: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let idea = load(pool, id).await?;
    if !(actor.has(Role::ProcessManager)
        || (actor.has(Role::Reviewer) && idea.reviewer_id == Some(actor.id)))
    {
        return Err(Error::Denied(Denied::Role(Role::Reviewer.as_str())));
    }
    if idea.is_own(actor) {
        return Err(Error::Denied(Denied::OwnContent));
    }
    let mut errs = Vec::new();
    let body = check_text(&mut errs, "note", body, 1, 5000);
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let nid = next_id(&mut tx, "idea_review_note").await?;
    sqlx::query(
        "INSERT INTO idea_review_note (id, idea_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(nid)
    .bind(id)
    .bind(actor.id)
    .bind(&body)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The private notes on an idea (process managers and its reviewer only).
pub async fn review_notes(pool: &Pool, actor: &Actor, id: i64) -> Result<Vec<ReviewNote>, Error> {
    let idea = load(pool, id).await?;
    if !(actor.has(Role::ProcessManager)
        || (actor.has(Role::Reviewer) && idea.reviewer_id == Some(actor.id)))
    {
        return Err(Error::Denied(Denied::Role(Role::Reviewer.as_str())));
    }
    Ok(sqlx::query_as(
        "SELECT author_id, body, created_at FROM idea_review_note WHERE idea_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?)
}

/// One entry of an idea's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// When.
    pub at: String,
    /// Who (user id; None: the system).
    pub actor_id: Option<i64>,
    /// In which capacity.
    pub party: String,
    /// `created`, `state`, `edited`, `answer_saved`, `answer_published`, `hidden`,
    /// `unhidden`, `reviewer`.
    pub kind: String,
    /// Previous state (state changes).
    pub from: Option<IdeaState>,
    /// New state.
    pub to: Option<IdeaState>,
    /// Why.
    pub reason: String,
}

/// The entries of an idea's history the public may see: no internal review steps (reviewer
/// assignment, saved answers), no decision that was taken back, and the final decision only
/// once its answer is published.
pub fn public_history(events: &[Event], answer_published: bool) -> Vec<Event> {
    let last_decision = events
        .iter()
        .rposition(|e| e.kind == "state" && e.to.is_some_and(IdeaState::is_decision));
    events
        .iter()
        .enumerate()
        .filter(|(i, e)| match e.kind.as_str() {
            "reviewer" | "answer_saved" => false,
            "created" => e.to == Some(IdeaState::Published),
            "state" => match (e.from, e.to) {
                (_, Some(t)) if t.is_decision() => answer_published && Some(*i) == last_decision,
                (Some(f), _) if f.is_decision() => false,
                _ => true,
            },
            _ => true,
        })
        .map(|(_, e)| e.clone())
        .collect()
}

/// The whole history of an idea, oldest first.
pub async fn history(pool: &Pool, id: i64) -> Result<Vec<Event>, Error> {
    type EventRow = (
        String,
        Option<i64>,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
    );
    Ok(sqlx::query_as::<_, EventRow>(
        "SELECT at, actor_id, party, kind, from_state, to_state, reason
         FROM idea_event WHERE idea_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(at, actor_id, party, kind, from, to, reason)| Event {
        at,
        actor_id,
        party,
        kind,
        from: from.as_deref().and_then(IdeaState::parse),
        to: to.as_deref().and_then(IdeaState::parse),
        reason,
    })
    .collect())
}

const IDEA_COLUMNS: &str = "i.id, i.process_id, i.reference, i.title, i.description,
    i.action_area_id, i.field_id, i.author_id, i.entered_by, i.group_type, i.group_name,
    i.meeting_id, i.lon, i.lat, i.cost_estimate, i.state, i.merged_into, i.reviewer_id, i.hidden,
    i.hidden_reason, i.example, i.created_at, i.updated_at, i.published_at,
    a.decision, a.body AS answer_body, a.written_by AS answer_written_by,
    a.written_at AS answer_written_at, a.published_at AS answer_published_at,
    (SELECT COUNT(*) FROM idea_support s WHERE s.idea_id = i.id) AS supports,
    (SELECT COUNT(*) FROM idea_comment c WHERE c.idea_id = i.id AND NOT c.hidden) AS comments";

/// The public state as SQL over `i` (idea) and `a` (its answer).
const PUBLIC_STATE_SQL: &str = "CASE WHEN i.state IN ('accepted', 'rejected')
    AND (a.published_at IS NULL) THEN 'under_review' ELSE i.state END";

/// An idea as [`IDEA_COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct IdeaRow {
    id: i64,
    process_id: i64,
    reference: String,
    title: String,
    description: String,
    action_area_id: i64,
    field_id: i64,
    author_id: Option<i64>,
    entered_by: Option<i64>,
    group_type: Option<String>,
    group_name: Option<String>,
    meeting_id: Option<i64>,
    lon: Option<f64>,
    lat: Option<f64>,
    cost_estimate: Option<i64>,
    state: String,
    merged_into: Option<i64>,
    reviewer_id: Option<i64>,
    hidden: bool,
    hidden_reason: Option<String>,
    example: bool,
    created_at: String,
    updated_at: String,
    published_at: Option<String>,
    decision: Option<String>,
    answer_body: Option<String>,
    answer_written_by: Option<i64>,
    answer_written_at: Option<String>,
    answer_published_at: Option<String>,
    supports: i64,
    comments: i64,
}

impl From<IdeaRow> for Idea {
    fn from(r: IdeaRow) -> Idea {
        // The answer's columns come from a LEFT JOIN: all there or all NULL.
        let answer = match (
            r.decision.as_deref().and_then(IdeaState::parse),
            r.answer_body,
            r.answer_written_by,
            r.answer_written_at,
        ) {
            (Some(decision), Some(body), Some(written_by), Some(written_at)) => Some(Answer {
                decision,
                body,
                written_by,
                written_at,
                published_at: r.answer_published_at,
            }),
            _ => None,
        };
        Idea {
            id: r.id,
            process_id: r.process_id,
            reference: r.reference,
            title: r.title,
            description: r.description,
            action_area_id: r.action_area_id,
            field_id: r.field_id,
            author_id: r.author_id,
            entered_by: r.entered_by,
            group_type: r.group_type.as_deref().and_then(GroupType::parse),
            group_name: r.group_name,
            meeting_id: r.meeting_id,
            location: r.lon.zip(r.lat),
            cost_estimate: r.cost_estimate,
            state: IdeaState::parse(&r.state).unwrap_or(IdeaState::Draft),
            merged_into: r.merged_into,
            reviewer_id: r.reviewer_id,
            hidden: r.hidden,
            hidden_reason: r.hidden_reason,
            example: r.example,
            created_at: r.created_at,
            updated_at: r.updated_at,
            published_at: r.published_at,
            answer,
            supports: r.supports,
            comments: r.comments,
        }
    }
}

/// Reads one idea (whatever its state; check [`Idea::visible_to`] before showing it).
pub async fn get_idea(pool: &Pool, id: i64) -> Result<Option<Idea>, Error> {
    let sql = format!(
        "SELECT {IDEA_COLUMNS} FROM idea i LEFT JOIN idea_answer a ON a.idea_id = i.id WHERE i.id = $1"
    );
    Ok(sqlx::query_as::<_, IdeaRow>(&sql)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .map(Idea::from))
}

/// Reads one idea by its reference number.
pub async fn get_idea_by_reference(pool: &Pool, reference: &str) -> Result<Option<Idea>, Error> {
    let sql = format!(
        "SELECT {IDEA_COLUMNS} FROM idea i LEFT JOIN idea_answer a ON a.idea_id = i.id WHERE i.reference = $1"
    );
    Ok(sqlx::query_as::<_, IdeaRow>(&sql)
        .bind(reference)
        .fetch_optional(pool)
        .await?
        .map(Idea::from))
}

/// How a list of ideas is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Newest first.
    #[default]
    Newest,
    /// Most supports first.
    Supports,
    /// By reference number.
    Reference,
}

/// Which ideas to list.
#[derive(Clone, Debug, Default)]
pub struct IdeaFilter {
    /// Process.
    pub process: Option<i64>,
    /// Action area.
    pub area: Option<i64>,
    /// Field.
    pub field: Option<i64>,
    /// Public state.
    pub state: Option<IdeaState>,
    /// Collected at this meeting.
    pub meeting: Option<i64>,
    /// Words to find in reference, title or description.
    pub query: String,
    /// Sorting.
    pub sort: Sort,
    /// Page size (0: all).
    pub limit: i64,
    /// Offset.
    pub offset: i64,
}

/// What the viewer may list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Public ideas only (anonymous visitors, participants, the area pages).
    Public,
    /// Everything handed in, hidden ones too (staff queues).
    Staff,
    /// One person's own ideas, drafts included.
    Author(i64),
}

/// Lists ideas with filters, search and paging; returns the page and the total count.
pub async fn list_ideas(
    pool: &Pool,
    filter: &IdeaFilter,
    scope: Scope,
) -> Result<(Vec<Idea>, i64), Error> {
    let mut cond = vec![match scope {
        Scope::Public => "i.published_at IS NOT NULL AND NOT i.hidden".to_string(),
        Scope::Staff => "i.state <> 'draft'".to_string(),
        Scope::Author(_) => "1 = 1".to_string(),
    }];
    cond.push("($1 IS NULL OR i.process_id = $1)".into());
    cond.push("($2 IS NULL OR i.action_area_id = $2)".into());
    cond.push("($3 IS NULL OR i.field_id = $3)".into());
    cond.push(match scope {
        Scope::Public => format!("($4 IS NULL OR {PUBLIC_STATE_SQL} = $4)"),
        _ => "($4 IS NULL OR i.state = $4)".into(),
    });
    cond.push("($5 IS NULL OR i.meeting_id = $5)".into());
    cond.push("($6 IS NULL OR i.author_id = $6)".into());
    // Every word must occur in reference, title or description (LIKE ignores ASCII case).
    let words: Vec<String> = filter
        .query
        .split_whitespace()
        .take(8)
        .map(|w| {
            format!(
                "%{}%",
                w.to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )
        })
        .collect();
    for k in 0..words.len() {
        let p = 7 + k;
        cond.push(format!(
            "(LOWER(i.title) LIKE ${p} ESCAPE '\\' OR LOWER(i.description) LIKE ${p} ESCAPE '\\' \
             OR LOWER(i.reference) LIKE ${p} ESCAPE '\\')"
        ));
    }
    let order = match filter.sort {
        Sort::Newest => "COALESCE(i.published_at, i.created_at) DESC, i.id DESC",
        Sort::Supports => {
            "(SELECT COUNT(*) FROM idea_support s WHERE s.idea_id = i.id) DESC, i.id DESC"
        }
        Sort::Reference => "LENGTH(i.reference), i.reference",
    };
    let where_ = cond.join(" AND ");
    let count_sql = format!(
        "SELECT COUNT(*) FROM idea i LEFT JOIN idea_answer a ON a.idea_id = i.id WHERE {where_}"
    );
    let list_sql = format!(
        "SELECT {IDEA_COLUMNS} FROM idea i LEFT JOIN idea_answer a ON a.idea_id = i.id
         WHERE {where_} ORDER BY {order} LIMIT ${} OFFSET ${}",
        7 + words.len(),
        8 + words.len()
    );
    let author = match scope {
        Scope::Author(a) => Some(a),
        _ => None,
    };
    let state = filter.state.map(IdeaState::as_str);
    macro_rules! bind_all {
        ($q:expr) => {{
            let mut q = $q
                .bind(filter.process)
                .bind(filter.area)
                .bind(filter.field)
                .bind(state)
                .bind(filter.meeting)
                .bind(author);
            for w in &words {
                q = q.bind(w);
            }
            q
        }};
    }
    let total: i64 = bind_all!(sqlx::query_scalar(&count_sql))
        .fetch_one(pool)
        .await?;
    let rows: Vec<IdeaRow> = bind_all!(sqlx::query_as(&list_sql))
        // No limit: the largest one (PostgreSQL refuses SQLite's `LIMIT -1`).
        .bind(if filter.limit > 0 {
            filter.limit
        } else {
            i64::MAX
        })
        .bind(filter.offset.max(0))
        .fetch_all(pool)
        .await?;
    Ok((rows.into_iter().map(Idea::from).collect(), total))
}

/// Public ideas per public state of one action area (for the area page's summary).
pub async fn count_by_state(pool: &Pool, area: i64) -> Result<Vec<(IdeaState, i64)>, Error> {
    let sql = format!(
        "SELECT {PUBLIC_STATE_SQL} AS st, COUNT(*) FROM idea i
         LEFT JOIN idea_answer a ON a.idea_id = i.id
         WHERE i.action_area_id = $1 AND i.published_at IS NOT NULL AND NOT i.hidden
         GROUP BY st"
    );
    let mut out: Vec<(IdeaState, i64)> = sqlx::query_as::<_, (String, i64)>(&sql)
        .bind(area)
        .fetch_all(pool)
        .await?
        .into_iter()
        .filter_map(|(state, n)| Some((IdeaState::parse(&state)?, n)))
        .collect();
    out.sort();
    Ok(out)
}
