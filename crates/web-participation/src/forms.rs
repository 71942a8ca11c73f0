//! What participants do: write, edit, submit and withdraw ideas; support; comment and reply;
//! report; read their inbox. Signed-in only; every form carries the CSRF token (checked by the
//! global layer) and the public ones a honeypot field; the rules are the crate's.

use askama::Template;
use axum::extract::MatchedPath;
use axum::extract::Path;
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_participation::idea::{self, IdeaFilter, IdeaInput, Origin, Scope};
use sozialatlas_participation::inbox::{self, MessageKind};
use sozialatlas_participation::moderation::{self, ItemKind, ReportReason};
use sozialatlas_participation::process::Permission;
use sozialatlas_participation::{Error as PError, GroupType, Process, clock, engage};

use super::pages::{IdeaRow, Opt, idea_rows, load_process, opt};
use super::text::group_label;
use super::{Frame, actor, done, end_form, fail, page, when};
use crate::AppState;
use crate::auth::{CurrentUser, FormFields};
use crate::error::AppError;
use sozialatlas_web_kit::{Ctx, FieldErrors, FormPage, form_page, see_other, step_of};

/// The hidden field bots fill in.
pub(crate) const HONEYPOT: &str = "website";

pub(crate) struct AreaOpt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "participation/idea_form.html")]
pub(crate) struct IdeaForm {
    pub l: crate::layout::Layout,
    pub f: Frame,
    pub heading: String,
    pub action: String,
    pub process_title: String,
    pub example: bool,
    pub errors: FieldErrors,
    pub title: String,
    pub description: String,
    pub areas: Vec<AreaOpt>,
    pub fields: Vec<Opt>,
    pub groups: Vec<Opt>,
    pub group_name: String,
    pub lat: String,
    pub lon: String,
    /// The place as a member area, by action area (for a form without the map).
    pub places: Vec<PlaceGroup>,
    /// The map on which a click or tap sets the place (empty without geometries).
    pub pick_map: String,
    /// Which action area each member area belongs to (`key:id;…`), so that a click on the map
    /// also chooses the action area.
    pub area_of: String,
    pub cost: String,
    /// New idea: offer "save draft" and "submit"; edit: "save".
    pub new: bool,
    /// Entered by staff for a meeting.
    pub meeting: String,
    pub reason_field: bool,
    pub moderate_first: bool,
}

impl FormPage for IdeaForm {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

fn idea_form_options(
    pr: &Process,
    input: &IdeaInput,
    locale: Locale,
    area_optional: bool,
) -> (Vec<AreaOpt>, Vec<Opt>, Vec<Opt>) {
    let t = super::pmsgs(locale);
    let mut areas = vec![AreaOpt {
        value: String::new(),
        label: if area_optional {
            t.meeting_area.to_string()
        } else {
            t.choose.to_string()
        },
        selected: input.area.is_empty(),
    }];
    areas.extend(pr.set.areas.iter().map(|a| AreaOpt {
        value: a.id.to_string(),
        label: a.name.clone(),
        selected: input.area == a.id.to_string(),
    }));
    let mut fields = vec![opt("", t.choose, input.field.is_empty())];
    fields.extend(pr.fields.iter().map(|x| {
        opt(
            x.id.to_string(),
            x.title.clone(),
            input.field == x.id.to_string(),
        )
    }));
    let mut groups = vec![opt(
        "",
        group_label(None, locale),
        input.group_type.is_empty(),
    )];
    groups.extend(GroupType::ALL.iter().map(|g| {
        opt(
            g.as_str(),
            group_label(Some(*g), locale),
            input.group_type == g.as_str(),
        )
    }));
    (areas, fields, groups)
}

/// The member areas of one action area, as an `<optgroup>` of the place.
pub(crate) struct PlaceGroup {
    pub label: String,
    pub options: Vec<Opt>,
}

/// The place choices and the pick map of the idea form: every member area of the process's
/// action areas, and a map of the level with them marked, on which a click sets the place.
fn place_choices(
    state: &AppState,
    pr: &Process,
    input: &IdeaInput,
    locale: Locale,
) -> (Vec<PlaceGroup>, String, String) {
    use sozialatlas_render as render;
    let snap = state.snapshot();
    let t = super::pmsgs(locale);
    let Some(l) = snap.tree.level_index(&pr.set.level) else {
        return (Vec::new(), String::new(), String::new());
    };
    let name_of = |key: &str| {
        snap.tree
            .find(l, key)
            .map_or_else(|| key.to_string(), |i| snap.tree.areas[i].name.clone())
    };
    let places = pr
        .set
        .areas
        .iter()
        .map(|a| PlaceGroup {
            label: a.name.clone(),
            options: a
                .members
                .iter()
                .map(|k| opt(k.clone(), name_of(k), input.place == *k))
                .collect(),
        })
        .collect();
    let area_of = pr
        .set
        .areas
        .iter()
        .flat_map(|a| a.members.iter().map(move |k| format!("{k}:{}", a.id)))
        .collect::<Vec<_>>()
        .join(";");
    let member = |k: &str| {
        pr.set
            .areas
            .iter()
            .any(|a| a.members.iter().any(|m| m == k))
    };
    let areas: Vec<render::MapArea> = snap
        .tree
        .areas
        .iter()
        .enumerate()
        .filter(|(_, a)| a.level == l)
        .filter_map(|(i, a)| {
            let g = snap.geometries.get(i)?.as_ref()?;
            Some(render::locator_area(
                a.key.clone(),
                a.name.clone(),
                g.clone(),
                member(&a.key),
                None,
            ))
        })
        .collect();
    let location = input
        .lon
        .trim()
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .zip(input.lat.trim().replace(',', ".").parse::<f64>().ok());
    let map = if areas.is_empty() {
        String::new()
    } else {
        render::choropleth(&render::MapSpec {
            id: "idea-place".into(),
            locale,
            width: 560.0,
            title: t.place_map_title.to_string(),
            areas,
            classes: render::locator_classes(t.place_map_other.into(), t.action_area.into()),
            points: location
                .map(|(lon, lat)| render::MapPoint {
                    lon,
                    lat,
                    label: t.place_map_point.to_string(),
                    href: None,
                })
                .into_iter()
                .collect(),
            pick: true,
            bare: true,
            ..Default::default()
        })
    };
    (places, map, area_of)
}

pub(crate) fn input_of(form: &FormFields) -> IdeaInput {
    IdeaInput {
        title: form.get("title").to_string(),
        description: form.get("description").to_string(),
        area: form.get("area").to_string(),
        field: form.get("field").to_string(),
        group_type: form.get("group_type").to_string(),
        group_name: form.get("group_name").to_string(),
        lat: form.get("lat").to_string(),
        lon: form.get("lon").to_string(),
        place: form.get("place_area").to_string(),
        cost: form.get("cost").to_string(),
    }
}

/// The idea form of process `pr` with what every use of it shares (no reason field, not new,
/// no meeting); the callers set what differs.
pub(crate) fn idea_form(
    ctx: &Ctx,
    pr: &Process,
    input: &IdeaInput,
    errors: FieldErrors,
    heading: String,
    action: String,
    area_optional: bool,
) -> IdeaForm {
    let Ctx(state, locale, uri, user) = ctx;
    let (areas, fields, groups) = idea_form_options(pr, input, *locale, area_optional);
    let (places, pick_map, area_of) = place_choices(state, pr, input, *locale);
    let (l, f) = Frame::new(state, *locale, &heading, uri, Some(user));
    IdeaForm {
        l,
        f,
        heading,
        action,
        process_title: pr.title.clone(),
        example: pr.example,
        errors,
        title: input.title.clone(),
        description: input.description.clone(),
        areas,
        fields,
        groups,
        group_name: input.group_name.clone(),
        lat: input.lat.clone(),
        lon: input.lon.clone(),
        places,
        pick_map,
        area_of,
        cost: input.cost.clone(),
        new: false,
        meeting: String::new(),
        reason_field: false,
        moderate_first: false,
    }
}

/// A participant's idea form: a new idea of process `pr` (`this` none) or the idea `this`
/// (its id and reference), where a process manager also gives a reason.
fn participant_idea_form(
    ctx: &Ctx,
    pr: &Process,
    this: Option<(i64, &str)>,
    input: &IdeaInput,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let Ctx(_, locale, _, user) = ctx;
    let t = super::pmsgs(*locale);
    let p = crate::i18n::prefix(*locale);
    let (heading, action) = match this {
        None => (
            t.new_idea.to_string(),
            format!("{p}/participation/processes/{}/ideas/new", pr.id),
        ),
        Some((id, reference)) => (
            format!("{}: {reference}", t.edit_idea),
            format!("{p}/participation/ideas/{id}/edit"),
        ),
    };
    form_page(&IdeaForm {
        new: this.is_none(),
        reason_field: this.is_some()
            && user
                .roles
                .contains(&sozialatlas_accounts::Role::ProcessManager),
        moderate_first: pr.moderate_first,
        ..idea_form(ctx, pr, input, errors, heading, action, false)
    })
}

/// `GET /participation/processes/{id}/ideas/new`: the form (only while the phase permits
/// proposing; otherwise the page says when it opens).
pub async fn new_idea(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, _) = &ctx;
    let pr = load_process(state, id).await?;
    let p = crate::i18n::prefix(*locale);
    if let Err(e) = pr.require(Permission::Propose, clock::now()) {
        let back = format!("{p}/participation/processes/{id}");
        return Ok(fail(state, *locale, uri, &back, e));
    }
    let mut input = IdeaInput::default();
    // Preselect the area when coming from an area page.
    if let Some(q) = uri.0.query() {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if k == "area" && pr.set.areas.iter().any(|a| a.id.to_string() == v) {
                input.area = v.into_owned();
            }
        }
    }
    participant_idea_form(&ctx, &pr, None, &input, FieldErrors::new())
}

/// `POST /participation/processes/{id}/ideas/new`: saves a draft or submits.
pub async fn create_idea(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    let pr = load_process(state, id).await?;
    let p = crate::i18n::prefix(*locale);
    let back = format!("{p}/participation/processes/{id}");
    if !form.get(HONEYPOT).is_empty() {
        return Ok(fail(
            state,
            *locale,
            uri,
            &back,
            PError::Conflict(sozialatlas_participation::Conflict::NotOpen),
        ));
    }
    let input = input_of(&form);
    let submit = form.get("action") == "submit";
    let saved = idea::create_idea(
        state.pool(),
        Some(state.snapshot()),
        &actor(user),
        id,
        &input,
        Origin::Participant { submit },
        clock::now(),
    )
    .await
    .map(|new_id| format!("{p}/participation/ideas/{new_id}"));
    end_form(state, *locale, uri, &back, saved, async |errors| {
        participant_idea_form(&ctx, &pr, None, &input, errors)
    })
    .await
}

async fn own_idea(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<sozialatlas_participation::Idea, AppError> {
    let a = actor(user);
    match idea::get_idea(state.pool(), id).await {
        Ok(Some(i)) if i.visible_to(Some(&a)) => Ok(i),
        Ok(_) => Err(AppError::NotFound(String::new())),
        Err(e) => Err(e.into()),
    }
}

fn input_from_idea(i: &sozialatlas_participation::Idea) -> IdeaInput {
    IdeaInput {
        title: i.title.clone(),
        description: i.description.clone(),
        area: i.action_area_id.to_string(),
        field: i.field_id.to_string(),
        group_type: i
            .group_type
            .map(|g| g.as_str().to_string())
            .unwrap_or_default(),
        group_name: i.group_name.clone().unwrap_or_default(),
        lat: i.location.map(|l| l.1.to_string()).unwrap_or_default(),
        lon: i.location.map(|l| l.0.to_string()).unwrap_or_default(),
        place: String::new(),
        cost: i.cost_estimate.map(|c| c.to_string()).unwrap_or_default(),
    }
}

/// `GET /participation/ideas/{id}/edit`: the author (while permitted) or a process manager.
pub async fn edit_idea(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    let i = own_idea(state, user, id).await?;
    let pr = load_process(state, i.process_id).await?;
    let a = actor(user);
    let refused = if !i.is_own(&a) {
        // A process manager edits others' ideas.
        (!a.has(sozialatlas_accounts::Role::ProcessManager))
            .then_some(PError::Denied(sozialatlas_participation::Denied::NotAuthor))
    } else if !i.state.author_may_edit() {
        Some(PError::Conflict(
            sozialatlas_participation::Conflict::NotEditable,
        ))
    } else {
        pr.require(Permission::Propose, clock::now()).err()
    };
    if let Some(e) = refused {
        let back = format!("{}/participation/ideas/{id}", crate::i18n::prefix(*locale));
        return Ok(fail(state, *locale, uri, &back, e));
    }
    participant_idea_form(
        &ctx,
        &pr,
        Some((id, &i.reference)),
        &input_from_idea(&i),
        FieldErrors::new(),
    )
}

/// `POST /participation/ideas/{id}/edit`.
pub async fn update_idea(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    let i = own_idea(state, user, id).await?;
    let pr = load_process(state, i.process_id).await?;
    let back = format!("{}/participation/ideas/{id}", crate::i18n::prefix(*locale));
    let input = input_of(&form);
    let saved = idea::update_idea(
        state.pool(),
        Some(state.snapshot()),
        &actor(user),
        id,
        &input,
        form.get("reason"),
        clock::now(),
    )
    .await
    .map(|()| back.clone());
    end_form(state, *locale, uri, &back, saved, async |errors| {
        participant_idea_form(&ctx, &pr, Some((id, &i.reference)), &input, errors)
    })
    .await
}

/// `POST /participation/ideas/{id}/submit` (the author hands a draft in), `…/withdraw` (the
/// author withdraws the idea, with a reason), `…/support` and `…/unsupport`: a participant's
/// step on an idea, by the route's last segment.
pub async fn idea_step(
    route: MatchedPath,
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let (pool, a, now) = (state.pool(), actor(&user), clock::now());
    let step = match step_of(&route) {
        "submit" => idea::submit(pool, &a, id, now).await,
        "withdraw" => idea::withdraw(pool, &a, id, form.get("reason"), now).await,
        "support" => engage::support(pool, &a, id, now).await,
        "unsupport" => engage::unsupport(pool, &a, id, now).await,
        _ => return Err(AppError::NotFound(String::new())),
    };
    let to = format!("{}/participation/ideas/{id}", crate::i18n::prefix(locale));
    Ok(done(&state, locale, &uri, &to, step))
}

/// `POST /participation/ideas/{id}/comments`: a comment, or a reply (`parent`).
pub async fn comment(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let p = crate::i18n::prefix(locale);
    let back = format!("{p}/participation/ideas/{id}");
    if !form.get(HONEYPOT).is_empty() {
        return Ok(see_other(&back));
    }
    let parent = match form.get("parent") {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => return Err(AppError::NotFound(String::new())),
        },
    };
    match engage::add_comment(
        state.pool(),
        &actor(&user),
        id,
        parent,
        form.get("body"),
        clock::now(),
    )
    .await
    {
        Ok(cid) => Ok(see_other(&format!("{back}#comment-{cid}"))),
        Err(e) => Ok(fail(&state, locale, &uri, &back, e)),
    }
}

fn reason_of(form: &FormFields) -> Result<ReportReason, AppError> {
    ReportReason::parse(form.get("reason")).ok_or_else(|| AppError::BadParam {
        param: "reason".into(),
        value: form.get("reason").into(),
        expected: "spam, offensive, off_topic or other".into(),
    })
}

/// Reports an idea or a comment (the reason and note of the form) and goes back to the idea
/// page `back` with `anchor` (the comment's); a refusal is the notice that says why.
async fn report(
    ctx: &Ctx,
    kind: ItemKind,
    id: i64,
    form: &FormFields,
    back: &str,
    anchor: &str,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = ctx;
    let reason = reason_of(form)?;
    match moderation::report(
        state.pool(),
        &actor(user),
        kind,
        id,
        reason,
        form.get("note"),
        clock::now(),
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("{back}?reported=1{anchor}"))),
        Err(e) => Ok(fail(state, *locale, uri, back, e)),
    }
}

/// `POST /participation/ideas/{id}/report`.
pub async fn report_idea(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(_, locale, _, _) = &ctx;
    let back = format!("{}/participation/ideas/{id}", crate::i18n::prefix(*locale));
    report(&ctx, ItemKind::Idea, id, &form, &back, "").await
}

/// A comment and the address of its idea's page; 404 for a comment that does not exist.
async fn comment_and_back(
    state: &AppState,
    locale: Locale,
    id: i64,
) -> Result<(engage::Comment, String), AppError> {
    let c = engage::get_comment(state.pool(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(String::new()))?;
    let back = format!(
        "{}/participation/ideas/{}",
        crate::i18n::prefix(locale),
        c.idea_id
    );
    Ok((c, back))
}

/// `POST /participation/comments/{id}/report`.
pub async fn report_comment(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, _, _) = &ctx;
    let (_, back) = comment_and_back(state, *locale, id).await?;
    let anchor = format!("#comment-{id}");
    report(&ctx, ItemKind::Comment, id, &form, &back, &anchor).await
}

#[derive(Template)]
#[template(path = "participation/comment_form.html")]
struct CommentForm {
    l: crate::layout::Layout,
    f: Frame,
    action: String,
    back: String,
    body: String,
    errors: FieldErrors,
    until: String,
}

impl FormPage for CommentForm {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

/// The form that edits comment `id` (its idea's page is `back`): its `body`, the errors, and
/// until when it may be edited.
fn comment_form(
    ctx: &Ctx,
    id: i64,
    back: String,
    body: String,
    errors: FieldErrors,
    until: String,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = ctx;
    let t = super::pmsgs(*locale);
    let (l, f) = Frame::new(state, *locale, t.edit_comment, uri, Some(user));
    form_page(&CommentForm {
        l,
        f,
        action: format!(
            "{}/participation/comments/{id}/edit",
            crate::i18n::prefix(*locale)
        ),
        back,
        body,
        errors,
        until,
    })
}

/// `GET /participation/comments/{id}/edit`: the author, within the edit window.
pub async fn edit_comment(Path(id): Path<i64>, ctx: Ctx) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    let (c, back) = comment_and_back(state, *locale, id).await?;
    let a = actor(user);
    let refused = if c.author_id != a.id {
        Some(PError::Denied(sozialatlas_participation::Denied::NotAuthor))
    } else if !c.editable_by(&a, clock::now()) {
        Some(PError::Conflict(
            sozialatlas_participation::Conflict::EditWindowClosed,
        ))
    } else {
        None
    };
    if let Some(e) = refused {
        return Ok(fail(state, *locale, uri, &back, e));
    }
    let until = clock::parse_stamp(&c.created_at)
        .map(|t| clock::stamp(t + time::Duration::minutes(engage::EDIT_MINUTES)))
        .map(|s| when(&s, *locale))
        .unwrap_or_default();
    comment_form(&ctx, id, back, c.body, FieldErrors::new(), until)
}

/// `POST /participation/comments/{id}/edit`.
pub async fn update_comment(
    Path(id): Path<i64>,
    ctx: Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let Ctx(state, locale, uri, user) = &ctx;
    let (_, back) = comment_and_back(state, *locale, id).await?;
    let saved = engage::edit_comment(
        state.pool(),
        &actor(user),
        id,
        form.get("body"),
        clock::now(),
    )
    .await
    .map(|()| format!("{back}#comment-{id}"));
    end_form(state, *locale, uri, &back, saved, async |errors| {
        let body = form.get("body").to_string();
        comment_form(&ctx, id, back.clone(), body, errors, String::new())
    })
    .await
}

struct MessageView {
    when: String,
    text: String,
    href: String,
    idea: String,
    read: bool,
}

#[derive(Template)]
#[template(path = "participation/inbox.html")]
struct InboxPage {
    l: crate::layout::Layout,
    f: Frame,
    messages: Vec<MessageView>,
    unread: i64,
    mine: Vec<IdeaRow>,
}

/// `GET /participation/inbox`: messages about one's ideas and comments, and one's own ideas
/// (drafts included).
pub async fn inbox(Ctx(state, locale, uri, user): Ctx) -> Result<Response, AppError> {
    let a = actor(&user);
    let p = crate::i18n::prefix(locale);
    let msgs = inbox::messages(state.pool(), &a, 200).await?;
    let unread = inbox::unread(state.pool(), &a).await?;
    let (mine, _) =
        idea::list_ideas(state.pool(), &IdeaFilter::default(), Scope::Author(a.id)).await?;
    let processes = sozialatlas_participation::process::list_processes(state.pool()).await?;
    let t = super::pmsgs(locale);
    let messages = msgs
        .iter()
        .map(|m| MessageView {
            when: when(&m.created_at, locale),
            text: super::text::message_text(m.kind, &m.detail, locale),
            href: m
                .idea_id
                .map(|i| {
                    if m.kind == MessageKind::ReviewAssigned {
                        format!("{p}/participation/ideas/{i}/review")
                    } else {
                        format!("{p}/participation/ideas/{i}")
                    }
                })
                .unwrap_or_default(),
            idea: m
                .idea
                .as_ref()
                .map(|(r, title)| format!("{r} {title}"))
                .unwrap_or_default(),
            read: m.read,
        })
        .collect();
    let (l, f) = Frame::new(&state, locale, t.inbox_title, &uri, Some(&user));
    page(&InboxPage {
        l,
        f,
        messages,
        unread,
        mine: idea_rows(&mine, &processes, locale, true),
    })
}

/// `POST /participation/inbox/read`: marks every message read.
pub async fn inbox_read(
    Ctx(state, locale, uri, user): Ctx,
    _form: FormFields,
) -> Result<Response, AppError> {
    let p = crate::i18n::prefix(locale);
    let back = format!("{p}/participation/inbox");
    match inbox::mark_all_read(state.pool(), &actor(&user), clock::now()).await {
        Ok(()) => Ok(see_other(&back)),
        Err(e) => Ok(fail(&state, locale, &uri, &back, e)),
    }
}
