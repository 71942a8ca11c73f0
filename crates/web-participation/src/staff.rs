//! Staff pages: the moderation queue and its actions, review and official answers, and the
//! process managers' forms for processes, meetings (with the ideas collected there), measures,
//! progress updates and the bulk upload. Each handler checks the role on the server before
//! anything else; the crate checks it again with the rules (own content, life cycle).

use askama::Template;
use axum::extract::MatchedPath;
use axum::extract::{Multipart, OriginalUri, Path};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sozialatlas_accounts::Role;
use sozialatlas_core::Locale;
use sozialatlas_participation::idea::{self, IdeaFilter, IdeaInput, Origin, Scope, Sort};
use sozialatlas_participation::measure::{self, MeasureInput, UpdateInput};
use sozialatlas_participation::meeting::{self, MeetingInput};
use sozialatlas_participation::moderation::{self, ItemKind};
use sozialatlas_participation::process::{self, FieldInput, PhaseInput, PhaseKind, ProcessInput};
use sozialatlas_participation::{Error as PError, IdeaState, Process, clock};

use super::forms::{IdeaForm, idea_form, input_of};
use super::pages::{IdeaRow, Opt, idea_rows, load_process, opt};
use super::text::{phase_kind_label, state_label, status_label};
use super::{Frame, actor, done, end_form, fail, names, page, paragraphs, when};
use crate::AppState;
use crate::auth::{CurrentUser, FormFields};
use crate::error::AppError;
use crate::i18n::prefix;
use sozialatlas_web_kit::{Ctx, FieldErrors, FormPage, form_page, see_other, step_of};

/// The user has one of the roles, as participation sees them (an administrator has every role).
fn require_any(user: &CurrentUser, roles: &[Role]) -> Result<(), AppError> {
    let a = actor(user);
    if roles.iter().any(|r| a.has(*r)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(crate::auth::Denied::Role))
    }
}

// ------------------------------------------------------------------ moderation

struct QueueView {
    kind: &'static str,
    kind_label: &'static str,
    id: i64,
    idea_href: String,
    idea_title: String,
    reference: String,
    body: Vec<Vec<String>>,
    author: String,
    author_id: i64,
    hidden: bool,
    hidden_reason: String,
    reports: Vec<(String, String, String)>,
    own: bool,
}

#[derive(Template)]
#[template(path = "participation/moderation.html")]
struct ModerationPage {
    l: crate::layout::Layout,
    f: Frame,
    submitted: Vec<IdeaRow>,
    submitted_own: Vec<bool>,
    submitted_ids: Vec<i64>,
    reported: Vec<QueueView>,
}

/// `GET /participation/moderation`: submitted ideas and reported items.
pub async fn moderation(Ctx(state, locale, uri, user): Ctx) -> Result<Response, AppError> {
    require_any(&user, &[Role::Moderator, Role::ProcessManager])?;
    let a = actor(&user);
    let q = moderation::queue(state.pool(), &a).await?;
    let processes = process::list_processes(state.pool()).await?;
    let t = super::pmsgs(locale);
    let p = crate::i18n::prefix(locale);
    let ids: Vec<i64> = q.reported.iter().filter_map(|x| x.author_id).collect();
    let names = names(&state, ids).await;
    let reported = q
        .reported
        .iter()
        .map(|x| QueueView {
            kind: x.kind.as_str(),
            kind_label: match x.kind {
                ItemKind::Idea => t.kind_idea,
                ItemKind::Comment => t.kind_comment,
            },
            id: x.id,
            idea_href: format!("{p}/participation/ideas/{}", x.idea.id),
            idea_title: x.idea.title.clone(),
            reference: x.idea.reference.clone(),
            body: match &x.comment_body {
                Some(b) => paragraphs(b),
                None => paragraphs(&x.idea.description),
            },
            author: x
                .author_id
                .and_then(|id| names.get(&id).cloned())
                .unwrap_or_else(|| t.deleted_participant.to_string()),
            author_id: x.author_id.unwrap_or(0),
            hidden: x.hidden,
            hidden_reason: x.hidden_reason.clone().unwrap_or_default(),
            reports: x
                .reports
                .iter()
                .map(|r| {
                    (
                        super::text::reason_label(&r.reason, locale).to_string(),
                        r.note.clone(),
                        when(&r.created_at, locale),
                    )
                })
                .collect(),
            own: x.own,
        })
        .collect();
    let (l, f) = Frame::new(&state, locale, t.moderation_title, &uri, Some(&user));
    page(&ModerationPage {
        l,
        f,
        submitted_own: q.submitted.iter().map(|i| i.is_own(&a)).collect(),
        submitted_ids: q.submitted.iter().map(|i| i.id).collect(),
        submitted: idea_rows(&q.submitted, &processes, locale, true),
        reported,
    })
}

/// The end of a moderator's step: back to the queue, or the notice that says why it was
/// refused.
fn to_queue(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    step: Result<(), PError>,
) -> Response {
    let to = format!("{}/participation/moderation", prefix(locale));
    done(state, locale, uri, &to, step)
}

fn kind_of(s: &str) -> Result<ItemKind, AppError> {
    match s {
        "ideas" => Ok(ItemKind::Idea),
        "comments" => Ok(ItemKind::Comment),
        _ => Err(AppError::NotFound(String::new())),
    }
}

/// `POST /participation/moderation/ideas/{id}/publish`.
pub async fn publish(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::Moderator, Role::ProcessManager])?;
    let a = actor(&user);
    let step = idea::publish(state.pool(), &a, id, form.get("reason"), clock::now()).await;
    Ok(to_queue(&state, locale, &uri, step))
}

/// `POST /participation/moderation/{kind}/{id}/hide` (with a reason), `…/unhide` and
/// `…/dismiss` (the reports were unfounded): a moderator's step on an idea or a comment; the
/// step is the route's last segment.
pub async fn moderate(
    route: MatchedPath,
    Path((kind, id)): Path<(String, i64)>,
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::Moderator])?;
    let kind = kind_of(&kind)?;
    let (pool, a, reason, now) = (state.pool(), actor(&user), form.get("reason"), clock::now());
    let step = match step_of(&route) {
        "hide" => moderation::hide(pool, &a, kind, id, reason, now).await,
        "unhide" => moderation::unhide(pool, &a, kind, id, reason, now).await,
        "dismiss" => moderation::dismiss(pool, &a, kind, id, reason, now).await,
        _ => return Err(AppError::NotFound(String::new())),
    };
    Ok(to_queue(&state, locale, &uri, step))
}

/// `POST /participation/moderation/users/{id}/block`: blocks an account.
pub async fn block(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::Moderator])?;
    let a = actor(&user);
    let step = moderation::set_blocked(state.pool(), &a, id, true, form.get("reason")).await;
    Ok(to_queue(&state, locale, &uri, step))
}

// ------------------------------------------------------------------ review

#[derive(Template)]
#[template(path = "participation/review_list.html")]
struct ReviewListPage {
    l: crate::layout::Layout,
    f: Frame,
    groups: Vec<(String, Vec<IdeaRow>)>,
}

/// `GET /participation/review`: ideas waiting for review, under review (for reviewers: those
/// assigned to them), decided with the answer not yet published.
pub async fn review_list(Ctx(state, locale, uri, user): Ctx) -> Result<Response, AppError> {
    require_any(&user, &[Role::ProcessManager, Role::Reviewer])?;
    let a = actor(&user);
    let t = super::pmsgs(locale);
    let processes = process::list_processes(state.pool()).await?;
    let manager = a.has(Role::ProcessManager);
    let mut groups = Vec::new();
    for (st, label) in [
        (IdeaState::Published, t.review_waiting),
        (IdeaState::UnderReview, t.review_running),
        (IdeaState::Accepted, t.review_decided),
        (IdeaState::Rejected, t.review_decided),
    ] {
        let (ideas, _) = idea::list_ideas(
            state.pool(),
            &IdeaFilter {
                state: Some(st),
                sort: Sort::Reference,
                ..Default::default()
            },
            Scope::Staff,
        )
        .await?;
        let ideas: Vec<_> = ideas
            .into_iter()
            .filter(|i| manager || i.reviewer_id == Some(a.id))
            .filter(|i| !st.is_decision() || !i.answer_published())
            .collect();
        if st == IdeaState::Published && !manager {
            continue;
        }
        let rows = idea_rows(&ideas, &processes, locale, true)
            .into_iter()
            .map(|mut r| {
                r.href.push_str("/review");
                r
            })
            .collect::<Vec<_>>();
        if let Some(g) = groups
            .iter_mut()
            .find(|(l, _): &&mut (String, Vec<IdeaRow>)| l == label)
        {
            g.1.extend(rows);
        } else {
            groups.push((label.to_string(), rows));
        }
    }
    let (l, f) = Frame::new(&state, locale, t.review_title, &uri, Some(&user));
    page(&ReviewListPage { l, f, groups })
}

#[derive(Template)]
#[template(path = "participation/review.html")]
struct ReviewPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    reference: String,
    title: String,
    description: Vec<Vec<String>>,
    state: &'static str,
    public_state: &'static str,
    area: String,
    field: String,
    supports: i64,
    comments: i64,
    reviewer: String,
    reviewers: Vec<Opt>,
    notes: Vec<(String, String, Vec<Vec<String>>)>,
    can_start: bool,
    can_decide: bool,
    can_reopen: bool,
    can_merge: bool,
    answer: String,
    answer_decision: &'static str,
    answer_published: String,
    can_publish_answer: bool,
    can_edit_answer: bool,
    own: bool,
    manager: bool,
    example: bool,
}

/// `GET /participation/ideas/{id}/review`: the review page of an idea.
pub async fn review(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::ProcessManager, Role::Reviewer])?;
    let a = actor(&user);
    let Some(i) = idea::get_idea(state.pool(), id).await? else {
        return Err(AppError::NotFound(String::new()));
    };
    let manager = a.has(Role::ProcessManager);
    let assigned = i.reviewer_id == Some(a.id);
    if !(manager || assigned) || i.state == IdeaState::Draft {
        return Err(if i.visible_to(Some(&a)) {
            AppError::Forbidden(crate::auth::Denied::Role)
        } else {
            AppError::NotFound(String::new())
        });
    }
    let pr = load_process(&state, i.process_id).await?;
    let notes = idea::review_notes(state.pool(), &a, id).await?;
    // Reviewers to choose from: the accounts with the reviewer role.
    let users = sozialatlas_accounts::list_users(state.pool()).await?;
    let t = super::pmsgs(locale);
    let mut reviewers = vec![opt("", t.no_reviewer, i.reviewer_id.is_none())];
    reviewers.extend(
        users
            .iter()
            .filter(|u| u.roles.contains(&Role::Reviewer) && Some(u.id) != i.author_id)
            .map(|u| {
                opt(
                    u.id.to_string(),
                    u.display_name.clone(),
                    i.reviewer_id == Some(u.id),
                )
            }),
    );
    let ids: Vec<i64> = notes
        .iter()
        .map(|n| n.author_id)
        .chain(i.reviewer_id)
        .collect();
    let names = names(&state, ids).await;
    let own = i.is_own(&a);
    let answer_published = i.answer_published();
    let (l, f) = Frame::new(
        &state,
        locale,
        &format!("{}: {}", t.review_title, i.reference),
        &uri,
        Some(&user),
    );
    page(&ReviewPage {
        l,
        f,
        id,
        reference: i.reference.clone(),
        title: i.title.clone(),
        description: paragraphs(&i.description),
        state: state_label(i.state, locale),
        public_state: state_label(i.public_state(), locale),
        area: pr
            .area(i.action_area_id)
            .map(|x| x.name.clone())
            .unwrap_or_default(),
        field: pr
            .field(i.field_id)
            .map(|x| x.title.clone())
            .unwrap_or_default(),
        supports: i.supports,
        comments: i.comments,
        reviewer: i
            .reviewer_id
            .and_then(|r| names.get(&r).cloned())
            .unwrap_or_default(),
        reviewers,
        notes: notes
            .iter()
            .map(|n| {
                (
                    names.get(&n.author_id).cloned().unwrap_or_default(),
                    when(&n.created_at, locale),
                    paragraphs(&n.body),
                )
            })
            .collect(),
        can_start: manager && i.state == IdeaState::Published && !own,
        can_decide: !own
            && (i.state == IdeaState::UnderReview || (manager && i.state == IdeaState::Submitted)),
        can_reopen: manager && !own && i.state.is_decision() && !answer_published,
        can_merge: manager
            && !own
            && matches!(i.state, IdeaState::Published | IdeaState::UnderReview),
        answer: i
            .answer
            .as_ref()
            .map(|x| x.body.clone())
            .unwrap_or_default(),
        answer_decision: i
            .answer
            .as_ref()
            .map(|x| state_label(x.decision, locale))
            .unwrap_or(""),
        answer_published: i
            .answer
            .as_ref()
            .and_then(|x| x.published_at.as_deref())
            .map(|d| when(d, locale))
            .unwrap_or_default(),
        can_publish_answer: manager
            && !own
            && i.state.is_decision()
            && i.answer
                .as_ref()
                .is_some_and(|x| x.published_at.is_none() && x.decision == i.state),
        can_edit_answer: manager
            && !own
            && i.answer.as_ref().is_some_and(|x| x.published_at.is_none()),
        own,
        manager,
        example: i.example,
    })
}

/// The steps of a review, `POST /participation/ideas/{id}/review/…` by the route's last
/// segment: `start` (with a reviewer), `reviewer`, `note` (private), `decide` (accept or reject
/// with the official answer, saved, not yet public), `answer` (edits the unpublished answer),
/// `publish` (the answer), `reopen` (takes a decision back), `merge` (into another idea).
/// Notes and decisions are for process managers and the assigned reviewer, the rest for
/// process managers; the crate checks the rest of the rules.
pub async fn review_step(
    route: MatchedPath,
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let step = step_of(&route);
    if matches!(step, "note" | "decide") {
        require_any(&user, &[Role::ProcessManager, Role::Reviewer])?;
    } else {
        require_any(&user, &[Role::ProcessManager])?;
    }
    let (pool, a, now) = (state.pool(), actor(&user), clock::now());
    let reviewer = || form.get("reviewer").parse::<i64>().ok();
    let (reason, answer) = (form.get("reason"), form.get("answer"));
    let done_step = match step {
        "start" => idea::start_review(pool, &a, id, reviewer(), reason, now).await,
        "reviewer" => idea::assign_reviewer(pool, &a, id, reviewer(), now).await,
        "note" => idea::add_review_note(pool, &a, id, form.get("note"), now).await,
        "decide" => idea::decide(pool, &a, id, decision_of(&form)?, answer, now).await,
        "answer" => idea::edit_answer(pool, &a, id, answer, now).await,
        "publish" => idea::publish_answer(pool, &a, id, now).await,
        "reopen" => idea::reopen(pool, &a, id, reason, now).await,
        "merge" => idea::merge(pool, &a, id, form.get("into"), reason, now).await,
        _ => return Err(AppError::NotFound(String::new())),
    };
    let to = format!("{}/participation/ideas/{id}/review", prefix(locale));
    Ok(done(&state, locale, &uri, &to, done_step))
}

/// The decision of the review form.
fn decision_of(form: &FormFields) -> Result<IdeaState, AppError> {
    match form.get("decision") {
        "accepted" => Ok(IdeaState::Accepted),
        "rejected" => Ok(IdeaState::Rejected),
        other => Err(AppError::BadParam {
            param: "decision".into(),
            value: other.into(),
            expected: "accepted or rejected".into(),
        }),
    }
}

// ------------------------------------------------------------------ processes

struct PhaseRow {
    kind: Vec<Opt>,
    title: String,
    description: String,
    start: String,
    end: String,
    propose: bool,
    comment: bool,
    support: bool,
}

struct FieldRow {
    id: String,
    title: String,
    description: String,
    goals: String,
}

#[derive(Template)]
#[template(path = "participation/process_form.html")]
struct ProcessForm {
    l: crate::layout::Layout,
    f: Frame,
    heading: String,
    action: String,
    errors: FieldErrors,
    title: String,
    description: String,
    sets: Vec<Opt>,
    prefix: String,
    moderate_first: bool,
    hide_after: String,
    example: bool,
    phases: Vec<PhaseRow>,
    fields: Vec<FieldRow>,
    no_sets: bool,
}

impl FormPage for ProcessForm {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

const PHASE_ROWS: usize = 8;
const FIELD_ROWS: usize = 8;

/// The process form: a new process (`this` none) or process `this`, with the input and its
/// errors.
async fn process_form(
    ctx: &Ctx,
    this: Option<i64>,
    input: &ProcessInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = ctx;
    let locale = *locale;
    let t = super::pmsgs(locale);
    let p = prefix(locale);
    let (heading, action) = match this {
        None => (t.new_process, format!("{p}/participation/processes/new")),
        Some(id) => (
            t.edit_process,
            format!("{p}/participation/processes/{id}/edit"),
        ),
    };
    let sets = sozialatlas_store::list_action_area_sets(state.pool()).await?;
    // Blank rows to fill in below the entered ones; a blank phase offers the first kind.
    let blank_phase = PhaseInput {
        kind: PhaseKind::ALL[0].as_str().into(),
        ..Default::default()
    };
    let phases: Vec<PhaseRow> = input
        .phases
        .iter()
        .chain(std::iter::repeat(&blank_phase))
        .take(input.phases.len().max(PHASE_ROWS))
        .map(|ph| PhaseRow {
            kind: PhaseKind::ALL
                .iter()
                .map(|k| {
                    opt(
                        k.as_str(),
                        phase_kind_label(*k, locale),
                        ph.kind == k.as_str(),
                    )
                })
                .collect(),
            title: ph.title.clone(),
            description: ph.description.clone(),
            start: ph.starts_on.clone(),
            end: ph.ends_on.clone(),
            propose: ph.propose,
            comment: ph.comment,
            support: ph.support,
        })
        .collect();
    let blank_field = FieldInput::default();
    let fields: Vec<FieldRow> = input
        .fields
        .iter()
        .chain(std::iter::repeat(&blank_field))
        .take(input.fields.len().max(FIELD_ROWS))
        .map(|x| FieldRow {
            id: x.id.map(|i| i.to_string()).unwrap_or_default(),
            title: x.title.clone(),
            description: x.description.clone(),
            goals: x.goals.clone(),
        })
        .collect();
    let (l, f) = Frame::new(state, locale, heading, uri, Some(user));
    form_page(&ProcessForm {
        l,
        f,
        heading: heading.to_string(),
        action,
        errors,
        title: input.title.clone(),
        description: input.description.clone(),
        no_sets: sets.is_empty(),
        sets: sets
            .iter()
            .map(|s| {
                opt(
                    s.id.to_string(),
                    format!(
                        "{} ({}, {} {})",
                        s.name,
                        s.level,
                        s.areas.len(),
                        t.action_areas_count
                    ),
                    s.id == input.set_id,
                )
            })
            .collect(),
        prefix: input.reference_prefix.clone(),
        moderate_first: input.moderate_first,
        hide_after: input.hide_after_reports.to_string(),
        example: input.example,
        phases,
        fields,
    })
}

fn process_input_of(form: &FormFields) -> ProcessInput {
    let mut phases = Vec::new();
    for i in 0..PHASE_ROWS {
        let g = |s: &str| form.get(&format!("phase_{i}_{s}")).to_string();
        phases.push(PhaseInput {
            kind: g("kind"),
            title: g("title"),
            description: g("description"),
            starts_on: g("start"),
            ends_on: g("end"),
            propose: !g("propose").is_empty(),
            comment: !g("comment").is_empty(),
            support: !g("support").is_empty(),
        });
    }
    let mut fields = Vec::new();
    for i in 0..FIELD_ROWS {
        let g = |s: &str| form.get(&format!("field_{i}_{s}")).to_string();
        fields.push(FieldInput {
            id: g("id").parse().ok(),
            title: g("title"),
            description: g("description"),
            goals: g("goals"),
        });
    }
    ProcessInput {
        title: form.get("title").into(),
        description: form.get("description").into(),
        set_id: form.get("set").parse().unwrap_or(0),
        reference_prefix: form.get("reference_prefix").into(),
        moderate_first: !form.get("moderate_first").is_empty(),
        hide_after_reports: form.get("hide_after_reports").trim().parse().unwrap_or(0),
        example: !form.get("example").is_empty(),
        phases,
        fields,
    }
}

fn input_of_process(pr: &Process) -> ProcessInput {
    ProcessInput {
        title: pr.title.clone(),
        description: pr.description.clone(),
        set_id: pr.set.id,
        reference_prefix: pr.reference_prefix.clone(),
        moderate_first: pr.moderate_first,
        hide_after_reports: pr.hide_after_reports,
        example: pr.example,
        phases: pr
            .phases
            .iter()
            .map(|ph| PhaseInput {
                kind: ph.kind.as_str().into(),
                title: ph.title.clone(),
                description: ph.description.clone(),
                starts_on: clock::date_str(ph.starts_on),
                ends_on: clock::date_str(ph.ends_on),
                propose: ph.propose,
                comment: ph.comment,
                support: ph.support,
            })
            .collect(),
        fields: pr
            .fields
            .iter()
            .map(|x| FieldInput {
                id: Some(x.id),
                title: x.title.clone(),
                description: x.description.clone(),
                goals: x.goals.join("\n"),
            })
            .collect(),
    }
}

/// `GET /participation/processes/new`.
pub async fn new_process(ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, _, _, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let set = sozialatlas_store::current_action_area_set(state.pool()).await?;
    let input = process::template_input(set.map_or(0, |s| s.id), clock::today(clock::now()));
    process_form(&ctx, None, &input, FieldErrors::new()).await
}

/// `POST /participation/processes/new`.
pub async fn create_process(ctx: Ctx, form: FormFields) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let p = prefix(*locale);
    let input = process_input_of(&form);
    let saved = process::create_process(state.pool(), &actor(user), &input, clock::now())
        .await
        .map(|id| format!("{p}/participation/processes/{id}"));
    let back = format!("{p}/participation");
    end_form(state, *locale, uri, &back, saved, async |errors| {
        process_form(&ctx, None, &input, errors).await
    })
    .await
}

/// `GET /participation/processes/{id}/edit`.
pub async fn edit_process(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, _, _, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let pr = load_process(state, id).await?;
    process_form(&ctx, Some(id), &input_of_process(&pr), FieldErrors::new()).await
}

/// `POST /participation/processes/{id}/edit`.
pub async fn update_process(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let back = format!("{}/participation/processes/{id}", prefix(*locale));
    let input = process_input_of(&form);
    let saved = process::update_process(state.pool(), &actor(user), id, &input)
        .await
        .map(|()| back.clone());
    end_form(state, *locale, uri, &back, saved, async |errors| {
        process_form(&ctx, Some(id), &input, errors).await
    })
    .await
}

// ------------------------------------------------------------------ meetings and measures

/// The heading and action of the form of a process's meeting or measure: a new one of process
/// `pr` (`this` none, at `/participation/processes/{pr}/{items}/new`) or item `this` (at
/// `/participation/{items}/{this}/edit`).
fn item_form_target(
    locale: Locale,
    pr: &Process,
    this: Option<i64>,
    items: &str,
    (new, edit): (&'static str, &'static str),
) -> (&'static str, String) {
    let p = prefix(locale);
    match this {
        None => (
            new,
            format!("{p}/participation/processes/{}/{items}/new", pr.id),
        ),
        Some(id) => (edit, format!("{p}/participation/{items}/{id}/edit")),
    }
}

/// The options of an action-area field: none (labelled `none`) and the process's action areas,
/// the one `chosen` selected.
fn area_options(pr: &Process, none: &str, chosen: &str) -> Vec<Opt> {
    let mut areas = vec![opt("", none, chosen.is_empty())];
    areas.extend(
        pr.set
            .areas
            .iter()
            .map(|a| opt(a.id.to_string(), a.name.clone(), chosen == a.id.to_string())),
    );
    areas
}

// ------------------------------------------------------------------ meetings

#[derive(Template)]
#[template(path = "participation/meeting_form.html")]
struct MeetingForm {
    l: crate::layout::Layout,
    f: Frame,
    heading: String,
    action: String,
    process_title: String,
    errors: FieldErrors,
    input: MeetingInput,
    areas: Vec<Opt>,
}

impl FormPage for MeetingForm {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// The meeting form of process `pr`: a new meeting (`this` none) or meeting `this`.
fn meeting_form(
    ctx: &Ctx,
    pr: &Process,
    this: Option<i64>,
    input: MeetingInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = ctx;
    let t = super::pmsgs(*locale);
    let headings = (t.new_meeting, t.edit_meeting);
    let (heading, action) = item_form_target(*locale, pr, this, "meetings", headings);
    let areas = area_options(pr, t.choose, &input.area);
    let (l, f) = Frame::new(state, *locale, heading, uri, Some(user));
    form_page(&MeetingForm {
        l,
        f,
        heading: heading.to_string(),
        action,
        process_title: pr.title.clone(),
        errors,
        input,
        areas,
    })
}

fn meeting_input_of(form: &FormFields) -> MeetingInput {
    MeetingInput {
        area: form.get("area").into(),
        title: form.get("title").into(),
        date: form.get("date").into(),
        start: form.get("start").into(),
        end: form.get("end").into(),
        place: form.get("place").into(),
        accessibility: form.get("accessibility").into(),
        description: form.get("description").into(),
        minutes: form.get("minutes").into(),
        attendees: form.get("attendees").into(),
    }
}

/// Meeting `id` and its process (404 for neither).
async fn load_meeting(state: &AppState, id: i64) -> Result<(meeting::Meeting, Process), AppError> {
    let m = meeting::get_meeting(state.pool(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(String::new()))?;
    let pr = load_process(state, m.process_id).await?;
    Ok((m, pr))
}

/// `GET /participation/processes/{id}/meetings/new`.
pub async fn new_meeting(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, _, _, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let pr = load_process(state, id).await?;
    meeting_form(&ctx, &pr, None, MeetingInput::default(), FieldErrors::new())
}

/// `POST /participation/processes/{id}/meetings/new`.
pub async fn create_meeting(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let pr = load_process(state, id).await?;
    let p = prefix(*locale);
    let input = meeting_input_of(&form);
    let saved = meeting::create_meeting(state.pool(), &actor(user), id, &input, clock::now())
        .await
        .map(|m| format!("{p}/participation/meetings/{m}"));
    let back = format!("{p}/participation/processes/{id}/meetings");
    end_form(state, *locale, uri, &back, saved, async |errors| {
        meeting_form(&ctx, &pr, None, input, errors)
    })
    .await
}

/// `GET /participation/meetings/{id}/edit`: also for minutes and attendees after the meeting.
pub async fn edit_meeting(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, _, _, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let (m, pr) = load_meeting(state, id).await?;
    meeting_form(
        &ctx,
        &pr,
        Some(id),
        meeting::input_of(&m),
        FieldErrors::new(),
    )
}

/// `POST /participation/meetings/{id}/edit`.
pub async fn update_meeting(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let (_, pr) = load_meeting(state, id).await?;
    let back = format!("{}/participation/meetings/{id}", prefix(*locale));
    let input = meeting_input_of(&form);
    let saved = meeting::update_meeting(state.pool(), &actor(user), id, &input, clock::now())
        .await
        .map(|()| back.clone());
    end_form(state, *locale, uri, &back, saved, async |errors| {
        meeting_form(&ctx, &pr, Some(id), input, errors)
    })
    .await
}

/// The form for an idea collected at meeting `m` of process `pr`.
fn meeting_idea_form(
    ctx: &Ctx,
    pr: &Process,
    m: &meeting::Meeting,
    input: &IdeaInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let locale = ctx.1;
    let t = super::pmsgs(locale);
    let heading = format!("{}: {}", t.enter_meeting_idea, m.title);
    let action = format!(
        "{}/participation/meetings/{}/ideas/new",
        prefix(locale),
        m.id
    );
    form_page(&IdeaForm {
        meeting: m.title.clone(),
        ..idea_form(ctx, pr, input, errors, heading, action, true)
    })
}

/// `GET /participation/meetings/{id}/ideas/new`: staff enter an idea collected at the meeting.
pub async fn new_meeting_idea(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, _, _, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let (m, pr) = load_meeting(state, id).await?;
    meeting_idea_form(&ctx, &pr, &m, &IdeaInput::default(), FieldErrors::new())
}

/// `POST /participation/meetings/{id}/ideas/new`.
pub async fn create_meeting_idea(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let (m, pr) = load_meeting(state, id).await?;
    let back = format!("{}/participation/meetings/{id}", prefix(*locale));
    let input = input_of(&form);
    let saved = idea::create_idea(
        state.pool(),
        Some(state.snapshot()),
        &actor(user),
        pr.id,
        &input,
        Origin::Meeting(id),
        clock::now(),
    )
    .await
    .map(|_| back.clone());
    end_form(state, *locale, uri, &back, saved, async |errors| {
        meeting_idea_form(&ctx, &pr, &m, &input, errors)
    })
    .await
}

// ------------------------------------------------------------------ measures

#[derive(Template)]
#[template(path = "participation/measure_form.html")]
struct MeasureForm {
    l: crate::layout::Layout,
    f: Frame,
    heading: String,
    action: String,
    process_title: String,
    errors: FieldErrors,
    input: MeasureInput,
    parents: Vec<Opt>,
    areas: Vec<Opt>,
    fields: Vec<Opt>,
    statuses: Vec<Opt>,
}

impl FormPage for MeasureForm {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// The measure form of process `pr`: a new measure (`this` none) or measure `this`.
async fn measure_form(
    ctx: &Ctx,
    pr: &Process,
    this: Option<i64>,
    input: MeasureInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = ctx;
    let locale = *locale;
    let t = super::pmsgs(locale);
    let headings = (t.new_measure, t.edit_measure);
    let (heading, action) = item_form_target(locale, pr, this, "measures", headings);
    let all = measure::list_measures(state.pool(), Some(pr.id)).await?;
    let mut parents = vec![opt("", t.no_parent, input.parent.is_empty())];
    parents.extend(all.iter().filter(|m| Some(m.id) != this).map(|m| {
        opt(
            m.id.to_string(),
            format!("{} {}", m.code, m.title),
            input.parent == m.id.to_string(),
        )
    }));
    let areas = area_options(pr, t.city_wide, &input.area);
    let mut fields = vec![opt("", t.no_field, input.field.is_empty())];
    fields.extend(pr.fields.iter().map(|x| {
        opt(
            x.id.to_string(),
            x.title.clone(),
            input.field == x.id.to_string(),
        )
    }));
    let statuses = measure::Status::ALL
        .iter()
        .map(|s| {
            opt(
                s.as_str(),
                status_label(*s, locale),
                input.status == s.as_str(),
            )
        })
        .collect();
    let (l, f) = Frame::new(state, locale, heading, uri, Some(user));
    form_page(&MeasureForm {
        l,
        f,
        heading: heading.to_string(),
        action,
        process_title: pr.title.clone(),
        errors,
        input,
        parents,
        areas,
        fields,
        statuses,
    })
}

fn measure_input_of(form: &FormFields) -> MeasureInput {
    MeasureInput {
        code: form.get("code").into(),
        title: form.get("title").into(),
        description: form.get("description").into(),
        parent: form.get("parent").into(),
        area: form.get("area").into(),
        field: form.get("field").into(),
        status: form.get("status").into(),
        progress: form.get("progress").into(),
        budget: form.get("budget").into(),
        office: form.get("office").into(),
    }
}

/// Measure `id` and its process (404 for neither).
async fn load_measure(state: &AppState, id: i64) -> Result<(measure::Measure, Process), AppError> {
    let m = measure::get_measure(state.pool(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(String::new()))?;
    let pr = load_process(state, m.process_id).await?;
    Ok((m, pr))
}

/// `GET /participation/processes/{id}/measures/new`.
pub async fn new_measure(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, _, _, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let pr = load_process(state, id).await?;
    let input = MeasureInput {
        status: "planned".into(),
        progress: "0".into(),
        ..Default::default()
    };
    measure_form(&ctx, &pr, None, input, FieldErrors::new()).await
}

/// `POST /participation/processes/{id}/measures/new`.
pub async fn create_measure(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let pr = load_process(state, id).await?;
    let p = prefix(*locale);
    let input = measure_input_of(&form);
    let saved = measure::create_measure(state.pool(), &actor(user), id, &input, clock::now())
        .await
        .map(|m| format!("{p}/participation/measures/{m}"));
    let back = format!("{p}/participation/processes/{id}/measures");
    end_form(state, *locale, uri, &back, saved, async |errors| {
        measure_form(&ctx, &pr, None, input, errors).await
    })
    .await
}

/// `GET /participation/measures/{id}/edit`.
pub async fn edit_measure(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, _, _, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let (m, pr) = load_measure(state, id).await?;
    measure_form(
        &ctx,
        &pr,
        Some(id),
        measure::input_of(&m),
        FieldErrors::new(),
    )
    .await
}

/// `POST /participation/measures/{id}/edit`.
pub async fn update_measure(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    require_any(user, &[Role::ProcessManager])?;
    let (_, pr) = load_measure(state, id).await?;
    let back = format!("{}/participation/measures/{id}", prefix(*locale));
    let input = measure_input_of(&form);
    let saved = measure::update_measure(state.pool(), &actor(user), id, &input, clock::now())
        .await
        .map(|()| back.clone());
    end_form(state, *locale, uri, &back, saved, async |errors| {
        measure_form(&ctx, &pr, Some(id), input, errors).await
    })
    .await
}

/// `POST /participation/measures/{id}/updates` (a dated update with progress and status) and
/// `…/ideas` (links an accepted idea by its reference), by the route's last segment.
pub async fn measure_step(
    route: MatchedPath,
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::ProcessManager])?;
    let (pool, a) = (state.pool(), actor(&user));
    let step = match step_of(&route) {
        "updates" => {
            let input = UpdateInput {
                date: form.get("date").into(),
                body: form.get("body").into(),
                progress: form.get("progress").into(),
                status: form.get("status").into(),
            };
            measure::add_update(pool, &a, id, &input, clock::now()).await
        }
        "ideas" => measure::link_idea(pool, &a, id, form.get("reference")).await,
        _ => return Err(AppError::NotFound(String::new())),
    };
    let to = format!("{}/participation/measures/{id}", prefix(locale));
    Ok(done(&state, locale, &uri, &to, step))
}

/// `POST /participation/measures/{id}/ideas/{idea}/unlink`.
pub async fn unlink_idea(
    Path((id, idea)): Path<(i64, i64)>,
    Ctx(state, locale, uri, user): Ctx,
    _form: FormFields,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::ProcessManager])?;
    let step = measure::unlink_idea(state.pool(), &actor(&user), id, idea).await;
    let to = format!("{}/participation/measures/{id}", prefix(locale));
    Ok(done(&state, locale, &uri, &to, step))
}

#[derive(Template)]
#[template(path = "participation/upload.html")]
struct UploadPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    process_title: String,
    /// One error at the file field when the file was refused; its problems (by line) below it.
    errors: FieldErrors,
    problems: Vec<String>,
    done: String,
}

impl FormPage for UploadPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// `GET /participation/processes/{id}/measures/upload`: the bulk progress update.
pub async fn upload_form(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::ProcessManager])?;
    let pr = load_process(&state, id).await?;
    let t = super::pmsgs(locale);
    let done = uri
        .0
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "done"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .map(|n| t.upload_done.replace("{n}", &n.to_string()))
        .unwrap_or_default();
    let (l, f) = Frame::new(&state, locale, t.upload_title, &uri, Some(&user));
    form_page(&UploadPage {
        l,
        f,
        id,
        process_title: pr.title.clone(),
        errors: FieldErrors::new(),
        problems: Vec::new(),
        done,
    })
}

/// Largest upload file.
const UPLOAD_LIMIT: usize = 5 * 1024 * 1024;
/// Largest body of the upload route: a file a little over [`UPLOAD_LIMIT`] still gets the form
/// with its error; a body over this is refused (413) before it is read.
pub(crate) const UPLOAD_BODY_LIMIT: usize = UPLOAD_LIMIT + 1024 * 1024;

/// `POST /participation/processes/{id}/measures/upload` (multipart): all rows or none.
pub async fn upload(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::ProcessManager])?;
    let pr = load_process(&state, id).await?;
    let t = super::pmsgs(locale);
    let p = crate::i18n::prefix(locale);
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut problem = String::new();
    match multipart {
        Ok(mut mp) => loop {
            match mp.next_field().await {
                Ok(Some(field)) if field.name() == Some("file") => {
                    let name = field.file_name().unwrap_or("upload.csv").to_string();
                    match field.bytes().await {
                        Ok(b) if b.len() > UPLOAD_LIMIT => {
                            problem = t.upload_too_large.to_string();
                            break;
                        }
                        Ok(b) if !b.is_empty() => file = Some((name, b.to_vec())),
                        Ok(_) => {}
                        Err(_) => {
                            problem = t.upload_unreadable.to_string();
                            break;
                        }
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    problem = t.upload_unreadable.to_string();
                    break;
                }
            }
        },
        Err(_) => problem = t.upload_unreadable.to_string(),
    }
    let problems = match (file, problem.is_empty()) {
        (Some((name, bytes)), true) => {
            let name: String = name
                .chars()
                .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
                .take(100)
                .collect();
            match measure::bulk_update(state.pool(), &actor(&user), id, &name, &bytes, clock::now())
                .await
            {
                Ok(n) => {
                    return Ok(see_other(&format!(
                        "{p}/participation/processes/{id}/measures/upload?done={n}"
                    )));
                }
                Err(PError::Upload(errs)) => errs.iter().map(ToString::to_string).collect(),
                Err(e) => {
                    return Ok(fail(
                        &state,
                        locale,
                        &uri,
                        &format!("{p}/participation/processes/{id}/measures"),
                        e,
                    ));
                }
            }
        }
        (None, true) => vec![t.upload_missing.to_string()],
        (_, false) => vec![problem],
    };
    let (l, f) = Frame::new(&state, locale, t.upload_title, &uri, Some(&user));
    form_page(&UploadPage {
        l,
        f,
        id,
        process_title: pr.title.clone(),
        errors: FieldErrors::one("file", t.upload_failed),
        problems,
        done: String::new(),
    })
}

/// `GET /participation/processes/{id}/measures/template.csv`: the file to fill in.
pub async fn template(
    Path(id): Path<i64>,
    Ctx(state, _, _, user): Ctx,
) -> Result<Response, AppError> {
    require_any(&user, &[Role::ProcessManager])?;
    let pr = load_process(&state, id).await?;
    let bytes = measure::csv_template(state.pool(), pr.id, clock::now()).await?;
    let mut r = bytes.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"fortschritt-{id}.csv\""))
    {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}
