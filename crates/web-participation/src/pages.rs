//! The public pages of participation: overview, process, idea list, idea, meetings, measures,
//! and the exports for the council.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sozialatlas_core::Locale;
use sozialatlas_participation::idea::{self, IdeaFilter, Scope, Sort};
use sozialatlas_participation::measure::{self, Measure};
use sozialatlas_participation::meeting::{self, Meeting};
use sozialatlas_participation::process::{Permission, Phase, get_process, list_processes};
use sozialatlas_participation::{IdeaState, Process, clock, engage, export, moderation};

use super::text::{group_label, phase_kind_label, state_label, status_label};
use super::{Frame, day, euros, fail, local_when, names, page, paragraphs, when};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use sozialatlas_web_kit::Ctx;

/// A link with a label.
pub(crate) struct Link {
    pub href: String,
    pub label: String,
}

/// A phase as shown.
pub(crate) struct PhaseView {
    pub title: String,
    pub kind: String,
    pub dates: String,
    pub current: bool,
    pub past: bool,
    pub permits: Vec<&'static str>,
    pub description: Vec<Vec<String>>,
}

pub(crate) fn phase_views(p: &Process, locale: Locale) -> Vec<PhaseView> {
    let t = super::pmsgs(locale);
    let today = clock::today(clock::now());
    p.phases
        .iter()
        .map(|ph: &Phase| {
            let mut permits = Vec::new();
            if ph.propose {
                permits.push(t.permit_propose);
            }
            if ph.comment {
                permits.push(t.permit_comment);
            }
            if ph.support {
                permits.push(t.permit_support);
            }
            PhaseView {
                title: if ph.title.is_empty() {
                    phase_kind_label(ph.kind, locale).to_string()
                } else {
                    ph.title.clone()
                },
                kind: phase_kind_label(ph.kind, locale).to_string(),
                dates: format!(
                    "{} – {}",
                    day(&clock::date_str(ph.starts_on), locale),
                    day(&clock::date_str(ph.ends_on), locale)
                ),
                current: ph.contains(today),
                past: ph.ends_on < today,
                permits,
                description: paragraphs(&ph.description),
            }
        })
        .collect()
}

/// One idea in a list.
pub(crate) struct IdeaRow {
    pub href: String,
    pub reference: String,
    pub title: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub area: String,
    pub field: String,
    pub supports: i64,
    pub comments: i64,
    pub meeting: bool,
    pub example: bool,
    pub hidden: bool,
}

pub(crate) fn state_class(s: IdeaState) -> &'static str {
    match s {
        IdeaState::Draft => "state-draft",
        IdeaState::Submitted => "state-submitted",
        IdeaState::Published => "state-published",
        IdeaState::UnderReview => "state-review",
        IdeaState::Accepted => "state-accepted",
        IdeaState::Rejected => "state-rejected",
        IdeaState::Merged => "state-merged",
        IdeaState::Withdrawn => "state-withdrawn",
    }
}

/// Rows for ideas; `internal` shows the internal state (staff and the author's own list).
pub(crate) fn idea_rows(
    ideas: &[sozialatlas_participation::Idea],
    processes: &[Process],
    locale: Locale,
    internal: bool,
) -> Vec<IdeaRow> {
    let p = crate::i18n::prefix(locale);
    ideas
        .iter()
        .map(|i| {
            let pr = processes.iter().find(|x| x.id == i.process_id);
            let st = if internal { i.state } else { i.public_state() };
            IdeaRow {
                href: format!("{p}/participation/ideas/{}", i.id),
                reference: i.reference.clone(),
                title: i.title.clone(),
                state: state_label(st, locale),
                state_class: state_class(st),
                area: pr
                    .and_then(|pr| pr.area(i.action_area_id))
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                field: pr
                    .and_then(|pr| pr.field(i.field_id))
                    .map(|f| f.title.clone())
                    .unwrap_or_default(),
                supports: i.supports,
                comments: i.comments,
                meeting: i.collected_at_meeting(),
                example: i.example,
                hidden: i.hidden,
            }
        })
        .collect()
}

// ------------------------------------------------------------------ overview

struct ProcessCard {
    href: String,
    title: String,
    phase: String,
    ideas: i64,
    areas: usize,
    example: bool,
}

#[derive(Template)]
#[template(path = "participation/overview.html")]
struct OverviewPage {
    l: crate::layout::Layout,
    f: Frame,
    processes: Vec<ProcessCard>,
}

/// `GET /participation`: the processes.
pub async fn overview(
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let t = super::pmsgs(locale);
    let processes = match list_processes(state.pool()).await {
        Ok(p) => p,
        Err(e) => return Ok(fail(&state, locale, &uri, "/", e)),
    };
    let today = clock::today(clock::now());
    let mut cards = Vec::new();
    for pr in &processes {
        let n = public_count(
            &state,
            IdeaFilter {
                process: Some(pr.id),
                ..Default::default()
            },
        )
        .await?;
        cards.push(ProcessCard {
            href: format!(
                "{}/participation/processes/{}",
                crate::i18n::prefix(locale),
                pr.id
            ),
            title: pr.title.clone(),
            phase: pr
                .current_phase(today)
                .map(|ph| {
                    if ph.title.is_empty() {
                        phase_kind_label(ph.kind, locale).to_string()
                    } else {
                        ph.title.clone()
                    }
                })
                .unwrap_or_else(|| t.no_phase.to_string()),
            ideas: n,
            areas: pr.set.areas.len(),
            example: pr.example,
        });
    }
    let (l, f) = Frame::new(&state, locale, t.participation, &uri, user.as_ref());
    page(&OverviewPage {
        l,
        f,
        processes: cards,
    })
}

// ------------------------------------------------------------------ process

struct FieldView {
    title: String,
    description: Vec<Vec<String>>,
    goals: Vec<String>,
    ideas_href: String,
}

struct AreaCard {
    href: String,
    name: String,
    ideas: i64,
}

#[derive(Template)]
#[template(path = "participation/process.html")]
struct ProcessPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    title: String,
    description: Vec<Vec<String>>,
    example: bool,
    phases: Vec<PhaseView>,
    current: String,
    can_propose: bool,
    next_propose: String,
    fields: Vec<FieldView>,
    areas: Vec<AreaCard>,
    moderate_first: bool,
}

/// How many ideas the public sees under `filter` (counted, not loaded).
pub(crate) async fn public_count(state: &AppState, filter: IdeaFilter) -> Result<i64, AppError> {
    let filter = IdeaFilter { limit: 1, ..filter };
    Ok(idea::list_ideas(state.pool(), &filter, Scope::Public)
        .await?
        .1)
}

pub(crate) async fn load_process(state: &AppState, id: i64) -> Result<Process, AppError> {
    get_process(state.pool(), id)
        .await?
        .ok_or_else(|| AppError::NotFound(String::new()))
}

/// `GET /participation/processes/{id}`.
pub async fn process(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let pr = load_process(&state, id).await?;
    let t = super::pmsgs(locale);
    let p = crate::i18n::prefix(locale);
    let today = clock::today(clock::now());
    let mut areas = Vec::new();
    for a in &pr.set.areas {
        let n = public_count(
            &state,
            IdeaFilter {
                process: Some(id),
                area: Some(a.id),
                ..Default::default()
            },
        )
        .await?;
        areas.push(AreaCard {
            href: format!("{p}/participation/areas/{}", a.id),
            name: a.name.clone(),
            ideas: n,
        });
    }
    let (l, f) = Frame::new(&state, locale, &pr.title, &uri, user.as_ref());
    page(&ProcessPage {
        l,
        f,
        id,
        title: pr.title.clone(),
        description: paragraphs(&pr.description),
        example: pr.example,
        phases: phase_views(&pr, locale),
        current: pr
            .current_phase(today)
            .map(|ph| {
                if ph.title.is_empty() {
                    phase_kind_label(ph.kind, locale).to_string()
                } else {
                    ph.title.clone()
                }
            })
            .unwrap_or_else(|| t.no_phase.to_string()),
        can_propose: pr.allows(Permission::Propose, today),
        next_propose: pr
            .next_opening(Permission::Propose, today)
            .map(|ph| day(&clock::date_str(ph.starts_on), locale))
            .unwrap_or_default(),
        fields: pr
            .fields
            .iter()
            .map(|fl| FieldView {
                title: fl.title.clone(),
                description: paragraphs(&fl.description),
                goals: fl.goals.clone(),
                ideas_href: format!("{p}/participation/processes/{id}/ideas?field={}", fl.id),
            })
            .collect(),
        areas,
        moderate_first: pr.moderate_first,
    })
}

// ------------------------------------------------------------------ idea list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    area: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: String,
}

pub(crate) use sozialatlas_web_kit::form::{Opt, opt};

#[derive(Template)]
#[template(path = "participation/ideas.html")]
struct IdeaListPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    title: String,
    example: bool,
    areas: Vec<Opt>,
    fields: Vec<Opt>,
    states: Vec<Opt>,
    sorts: Vec<Opt>,
    q: String,
    rows: Vec<IdeaRow>,
    found: String,
    prev: String,
    next: String,
    page_info: String,
    can_propose: bool,
    csv: String,
    xlsx: String,
}

const PAGE_SIZE: i64 = 20;

/// `GET /participation/processes/{id}/ideas`: filters (area, field, state), search, sorting.
pub async fn idea_list(
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let pr = load_process(&state, id).await?;
    let t = super::pmsgs(locale);
    let p = crate::i18n::prefix(locale);
    let bad = |param: &str, value: &str, expected: &str| AppError::BadParam {
        param: param.into(),
        value: value.into(),
        expected: expected.into(),
    };
    let parse_id =
        |s: &str, param: &str, ok: &dyn Fn(i64) -> bool| -> Result<Option<i64>, AppError> {
            if s.is_empty() {
                return Ok(None);
            }
            s.parse::<i64>()
                .ok()
                .filter(|v| ok(*v))
                .map(Some)
                .ok_or_else(|| bad(param, s, "an id from the list"))
        };
    let area = parse_id(&q.area, "area", &|v| pr.area(v).is_some())?;
    let field = parse_id(&q.field, "field", &|v| pr.field(v).is_some())?;
    let public_states = [
        IdeaState::Published,
        IdeaState::UnderReview,
        IdeaState::Accepted,
        IdeaState::Rejected,
        IdeaState::Merged,
        IdeaState::Withdrawn,
    ];
    let st = match q.state.as_str() {
        "" => None,
        s => Some(
            IdeaState::parse(s)
                .filter(|x| public_states.contains(x))
                .ok_or_else(|| bad("state", s, "a state from the list"))?,
        ),
    };
    let sort = match q.sort.as_str() {
        "" | "newest" => Sort::Newest,
        "supports" => Sort::Supports,
        "reference" => Sort::Reference,
        s => return Err(bad("sort", s, "newest, supports or reference")),
    };
    let page_no = match q.page.as_str() {
        "" => 1,
        s => s
            .parse::<i64>()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| bad("page", s, "a page number"))?,
    };
    let query = q.q.trim().chars().take(200).collect::<String>();
    let (ideas, total) = idea::list_ideas(
        state.pool(),
        &IdeaFilter {
            process: Some(id),
            area,
            field,
            state: st,
            query: query.clone(),
            sort,
            limit: PAGE_SIZE,
            offset: (page_no - 1) * PAGE_SIZE,
            ..Default::default()
        },
        Scope::Public,
    )
    .await?;
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let link = |n: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("area", &q.area),
            ("field", &q.field),
            ("state", &q.state),
            ("q", &query),
            ("sort", &q.sort),
        ] {
            if !v.is_empty() {
                s.append_pair(k, v);
            }
        }
        if n > 1 {
            s.append_pair("page", &n.to_string());
        }
        let qs = s.finish();
        format!(
            "{p}/participation/processes/{id}/ideas{}{}",
            if qs.is_empty() { "" } else { "?" },
            qs
        )
    };
    let processes = vec![pr.clone()];
    let (l, f) = Frame::new(&state, locale, t.ideas_title, &uri, user.as_ref());
    let mut areas = vec![opt("", t.all_areas, area.is_none())];
    areas.extend(
        pr.set
            .areas
            .iter()
            .map(|a| opt(a.id.to_string(), a.name.clone(), area == Some(a.id))),
    );
    let mut fields = vec![opt("", t.all_fields, field.is_none())];
    fields.extend(
        pr.fields
            .iter()
            .map(|x| opt(x.id.to_string(), x.title.clone(), field == Some(x.id))),
    );
    let mut states = vec![opt("", t.all_states, st.is_none())];
    states.extend(
        public_states
            .iter()
            .map(|s| opt(s.as_str(), state_label(*s, locale), st == Some(*s))),
    );
    let sorts = vec![
        opt("newest", t.sort_newest, sort == Sort::Newest),
        opt("supports", t.sort_supports, sort == Sort::Supports),
        opt("reference", t.sort_reference, sort == Sort::Reference),
    ];
    page(&IdeaListPage {
        l,
        f,
        id,
        title: pr.title.clone(),
        example: pr.example,
        areas,
        fields,
        states,
        sorts,
        q: query.clone(),
        rows: idea_rows(&ideas, &processes, locale, false),
        found: if total == 1 {
            t.found_one.to_string()
        } else {
            t.found.replace(
                "{n}",
                &sozialatlas_core::locale::format_decimal(total as f64, 0, locale),
            )
        },
        prev: if page_no > 1 {
            link(page_no - 1)
        } else {
            String::new()
        },
        next: if page_no < pages {
            link(page_no + 1)
        } else {
            String::new()
        },
        page_info: t
            .page_of
            .replace("{n}", &page_no.to_string())
            .replace("{m}", &pages.to_string()),
        can_propose: pr.allows(Permission::Propose, clock::today(clock::now())),
        csv: format!("{p}/participation/processes/{id}/export.csv"),
        xlsx: format!("{p}/participation/processes/{id}/export.xlsx"),
    })
}

// ------------------------------------------------------------------ idea page

pub(crate) struct CommentView {
    pub id: i64,
    pub author: String,
    pub when: String,
    pub edited: bool,
    pub body: Vec<Vec<String>>,
    pub hidden: bool,
    pub own: bool,
    pub editable: bool,
    pub reported: bool,
    pub replies: Vec<CommentView>,
}

struct EventView {
    when: String,
    text: String,
    who: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "participation/idea.html")]
struct IdeaPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    process_id: i64,
    process_title: String,
    reference: String,
    title: String,
    description: Vec<Vec<String>>,
    state: &'static str,
    state_class: &'static str,
    internal_state: String,
    area: String,
    area_href: String,
    field: String,
    brought_in_by: String,
    author: String,
    meeting: Option<Link>,
    location: String,
    map_href: String,
    cost: String,
    published: String,
    example: bool,
    hidden: bool,
    hidden_reason: String,
    not_public: String,
    merged_into: Option<Link>,
    answer: Option<(String, Vec<Vec<String>>)>,
    measures: Vec<Link>,
    supports: i64,
    supported: bool,
    can_support: bool,
    can_comment: bool,
    comments_closed: &'static str,
    reported: bool,
    own: bool,
    can_edit: bool,
    can_submit: bool,
    can_withdraw: bool,
    comments: Vec<CommentView>,
    history: Vec<EventView>,
    staff_review: bool,
    staff_moderate: bool,
    reasons: Vec<Opt>,
    login_href: String,
}

pub(crate) fn report_reasons(locale: Locale) -> Vec<Opt> {
    let t = super::pmsgs(locale);
    moderation::ReportReason::ALL
        .iter()
        .enumerate()
        .map(|(i, r)| {
            opt(
                r.as_str(),
                match r {
                    moderation::ReportReason::Spam => t.reason_spam,
                    moderation::ReportReason::Offensive => t.reason_offensive,
                    moderation::ReportReason::OffTopic => t.reason_off_topic,
                    moderation::ReportReason::Other => t.reason_other,
                },
                i == 0,
            )
        })
        .collect()
}

/// `GET /participation/ideas/{id}`: the idea with its answer, supports, comments and history.
pub async fn idea(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let viewer = user.as_ref().map(super::actor);
    let Some(i) = idea::get_idea(state.pool(), id).await? else {
        return Err(AppError::NotFound(String::new()));
    };
    if !i.visible_to(viewer.as_ref()) {
        return Err(AppError::NotFound(String::new()));
    }
    let pr = load_process(&state, i.process_id).await?;
    let t = super::pmsgs(locale);
    let p = crate::i18n::prefix(locale);
    let now = clock::now();
    let today = clock::today(now);
    let own = viewer.as_ref().is_some_and(|v| i.is_own(v));
    let staff = viewer.as_ref().is_some_and(|v| v.is_staff());
    let threads = engage::threads(state.pool(), id).await?;
    let hist = idea::history(state.pool(), id).await?;
    let mut ids: Vec<i64> = i.author_id.into_iter().collect();
    for th in &threads {
        ids.push(th.comment.author_id);
        ids.extend(th.replies.iter().map(|r| r.author_id));
    }
    ids.extend(hist.iter().filter_map(|e| e.actor_id));
    let names = names(&state, ids).await;
    let deleted = t.deleted_participant.to_string();
    let name = |id: i64| names.get(&id).cloned().unwrap_or_else(|| deleted.clone());
    let mut reported_comments = std::collections::HashSet::new();
    if let Some(v) = &viewer {
        for th in &threads {
            for c in std::iter::once(&th.comment).chain(th.replies.iter()) {
                if moderation::has_reported(state.pool(), v, moderation::ItemKind::Comment, c.id)
                    .await?
                {
                    reported_comments.insert(c.id);
                }
            }
        }
    }
    let view = |c: &engage::Comment, replies: Vec<CommentView>| CommentView {
        id: c.id,
        author: name(c.author_id),
        when: when(&c.created_at, locale),
        edited: c.edited_at.is_some(),
        body: if c.hidden {
            Vec::new()
        } else {
            paragraphs(&c.body)
        },
        hidden: c.hidden,
        own: viewer.as_ref().is_some_and(|v| v.id == c.author_id),
        editable: viewer.as_ref().is_some_and(|v| c.editable_by(v, now)),
        reported: reported_comments.contains(&c.id),
        replies,
    };
    let comments: Vec<CommentView> = threads
        .iter()
        .map(|th| {
            let replies = th.replies.iter().map(|r| view(r, Vec::new())).collect();
            view(&th.comment, replies)
        })
        .collect();
    // The public history; staff and the author see every entry.
    let shown = if staff || own {
        hist.clone()
    } else {
        idea::public_history(&hist, i.answer_published())
    };
    let history = shown
        .iter()
        .map(|e| EventView {
            when: when(&e.at, locale),
            text: super::text::event_text(e, locale),
            who: match e.party.as_str() {
                "author" => t.party_author.to_string(),
                "moderator" => t.party_moderator.to_string(),
                "process-manager" => t.party_manager.to_string(),
                "reviewer" => t.party_reviewer.to_string(),
                _ => t.party_system.to_string(),
            },
            // A decision's reason is its answer, shown above; the other kinds carry none.
            reason: if matches!(
                e.kind.as_str(),
                "answer_saved" | "answer_published" | "reviewer"
            ) || e.to.is_some_and(IdeaState::is_decision)
            {
                String::new()
            } else {
                e.reason.clone()
            },
        })
        .collect();
    let supported = match &viewer {
        Some(v) => engage::supports(state.pool(), v, id).await?,
        None => false,
    };
    let reported = match &viewer {
        Some(v) => {
            moderation::has_reported(state.pool(), v, moderation::ItemKind::Idea, id).await?
        }
        None => false,
    };
    let open = i.is_public() && i.public_state().open_for_engagement();
    let meeting = match i.meeting_id {
        Some(m) => meeting::get_meeting(state.pool(), m).await?.map(|m| Link {
            href: format!("{p}/participation/meetings/{}", m.id),
            label: format!("{} ({})", m.title, local_when(&m.starts_at, locale)),
        }),
        None => None,
    };
    let merged_into = match i.merged_into {
        Some(m) => idea::get_idea(state.pool(), m).await?.map(|x| Link {
            href: format!("{p}/participation/ideas/{}", x.id),
            label: format!("{} {}", x.reference, x.title),
        }),
        None => None,
    };
    let measures = measure::measures_of_idea(state.pool(), id)
        .await?
        .into_iter()
        .map(|(mid, code, title)| Link {
            href: format!("{p}/participation/measures/{mid}"),
            label: format!("{code} {title}"),
        })
        .collect();
    let public_state = i.public_state();
    let (l, f) = Frame::new(&state, locale, &i.title, &uri, user.as_ref());
    let staff_review =
        f.manager || (f.reviewer && viewer.as_ref().is_some_and(|v| i.reviewer_id == Some(v.id)));
    let staff_moderate = f.moderator;
    page(&IdeaPage {
        l,
        id,
        process_id: pr.id,
        process_title: pr.title.clone(),
        reference: i.reference.clone(),
        title: i.title.clone(),
        description: paragraphs(&i.description),
        state: state_label(public_state, locale),
        state_class: state_class(public_state),
        internal_state: if (staff || own) && i.state != public_state {
            t.internal_state
                .replace("{state}", state_label(i.state, locale))
        } else {
            String::new()
        },
        area: pr
            .area(i.action_area_id)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        area_href: format!("{p}/participation/areas/{}", i.action_area_id),
        field: pr
            .field(i.field_id)
            .map(|x| x.title.clone())
            .unwrap_or_default(),
        brought_in_by: match (&i.group_type, &i.group_name) {
            (Some(g), Some(n)) => format!("{} ({n})", group_label(Some(*g), locale)),
            (g, _) => group_label(*g, locale).to_string(),
        },
        author: match (i.author_id, i.meeting_id) {
            (Some(a), _) => name(a),
            (None, Some(_)) => t.collected_by_staff.to_string(),
            (None, None) => String::new(),
        },
        meeting,
        location: i
            .location
            .map(|(lon, lat)| {
                format!(
                    "{}, {}",
                    sozialatlas_core::locale::format_decimal(lat, 5, locale),
                    sozialatlas_core::locale::format_decimal(lon, 5, locale)
                )
            })
            .unwrap_or_default(),
        map_href: i
            .location
            .map(|(lon, lat)| {
                format!("https://www.openstreetmap.org/?mlat={lat:.5}&mlon={lon:.5}#map=17/{lat:.5}/{lon:.5}")
            })
            .unwrap_or_default(),
        cost: i.cost_estimate.map(|c| euros(c, locale)).unwrap_or_default(),
        published: i
            .published_at
            .as_deref()
            .map(|d| day(d, locale))
            .unwrap_or_default(),
        example: i.example,
        hidden: i.hidden,
        hidden_reason: i.hidden_reason.clone().unwrap_or_default(),
        not_public: match i.state {
            IdeaState::Draft => t.draft_notice.to_string(),
            IdeaState::Submitted => t.submitted_notice.to_string(),
            _ => String::new(),
        },
        merged_into,
        answer: i.public_answer().map(|a| {
            (
                a.published_at
                    .as_deref()
                    .map(|d| day(d, locale))
                    .unwrap_or_default(),
                paragraphs(&a.body),
            )
        }),
        measures,
        supports: i.supports,
        supported,
        can_support: open && pr.allows(Permission::Support, today),
        can_comment: open && pr.allows(Permission::Comment, today),
        comments_closed: if open {
            t.comments_closed
        } else {
            t.comments_closed_idea
        },
        reported,
        own,
        can_edit: own && i.state.author_may_edit() && pr.allows(Permission::Propose, today),
        can_submit: own && i.state == IdeaState::Draft && pr.allows(Permission::Propose, today),
        can_withdraw: own && !i.state.is_final(i.answer_published()) && !i.state.is_decision(),
        comments,
        history,
        staff_review,
        staff_moderate,
        reasons: report_reasons(locale),
        login_href: format!(
            "{p}/login?next={}",
            form_urlencoded::byte_serialize(uri.0.path().as_bytes()).collect::<String>()
        ),
        f,
    })
}

// ------------------------------------------------------------------ meetings

pub(crate) struct MeetingRow {
    pub href: String,
    pub title: String,
    pub when: String,
    pub place: String,
    pub area: String,
    pub attendees: String,
    pub ideas: i64,
    pub past: bool,
    pub example: bool,
}

pub(crate) async fn meeting_rows(
    state: &AppState,
    pr: &[Process],
    ms: &[Meeting],
    locale: Locale,
) -> Result<Vec<MeetingRow>, AppError> {
    let p = crate::i18n::prefix(locale);
    let now_local = clock::local_str(clock::today(clock::now()), time::Time::MIDNIGHT);
    let mut out = Vec::new();
    for m in ms {
        let n = public_count(
            state,
            IdeaFilter {
                meeting: Some(m.id),
                ..Default::default()
            },
        )
        .await?;
        out.push(MeetingRow {
            href: format!("{p}/participation/meetings/{}", m.id),
            title: m.title.clone(),
            when: local_when(&m.starts_at, locale),
            place: m.place.clone(),
            area: pr
                .iter()
                .find(|x| x.id == m.process_id)
                .and_then(|x| x.area(m.action_area_id))
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            attendees: m.attendees.map(|a| a.to_string()).unwrap_or_default(),
            ideas: n,
            past: m.starts_at < now_local,
            example: m.example,
        });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "participation/meetings.html")]
struct MeetingsPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    title: String,
    example: bool,
    rows: Vec<MeetingRow>,
}

/// `GET /participation/processes/{id}/meetings`.
pub async fn meetings(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let pr = load_process(&state, id).await?;
    let ms = meeting::list_meetings(state.pool(), Some(id), None).await?;
    let rows = meeting_rows(&state, std::slice::from_ref(&pr), &ms, locale).await?;
    let t = super::pmsgs(locale);
    let (l, f) = Frame::new(&state, locale, t.meetings_title, &uri, user.as_ref());
    page(&MeetingsPage {
        l,
        f,
        id,
        title: pr.title.clone(),
        example: pr.example,
        rows,
    })
}

#[derive(Template)]
#[template(path = "participation/meeting.html")]
struct MeetingPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    process_id: i64,
    process_title: String,
    title: String,
    when: String,
    place: String,
    area: String,
    area_href: String,
    accessibility: Vec<Vec<String>>,
    description: Vec<Vec<String>>,
    minutes: Vec<Vec<String>>,
    attendees: String,
    example: bool,
    ideas: Vec<IdeaRow>,
}

/// `GET /participation/meetings/{id}`: date, place, accessibility, minutes, the ideas
/// collected there.
pub async fn meeting(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let Some(m) = meeting::get_meeting(state.pool(), id).await? else {
        return Err(AppError::NotFound(String::new()));
    };
    let pr = load_process(&state, m.process_id).await?;
    let (ideas, _) = idea::list_ideas(
        state.pool(),
        &IdeaFilter {
            meeting: Some(id),
            sort: Sort::Reference,
            ..Default::default()
        },
        Scope::Public,
    )
    .await?;
    let p = crate::i18n::prefix(locale);
    let (l, f) = Frame::new(&state, locale, &m.title, &uri, user.as_ref());
    page(&MeetingPage {
        l,
        f,
        id,
        process_id: pr.id,
        process_title: pr.title.clone(),
        title: m.title.clone(),
        when: format!(
            "{}{}",
            local_when(&m.starts_at, locale),
            m.ends_at
                .as_deref()
                .and_then(|e| e.split_once('T'))
                .map(|(_, t)| format!(" – {t}"))
                .unwrap_or_default()
        ),
        place: m.place.clone(),
        area: pr
            .area(m.action_area_id)
            .map(|a| a.name.clone())
            .unwrap_or_default(),
        area_href: format!("{p}/participation/areas/{}", m.action_area_id),
        accessibility: paragraphs(&m.accessibility),
        description: paragraphs(&m.description),
        minutes: paragraphs(m.minutes.as_deref().unwrap_or("")),
        attendees: m.attendees.map(|a| a.to_string()).unwrap_or_default(),
        example: m.example,
        ideas: idea_rows(&ideas, std::slice::from_ref(&pr), locale, false),
    })
}

// ------------------------------------------------------------------ measures

pub(crate) struct MeasureRow {
    pub href: String,
    pub code: String,
    pub title: String,
    pub status: &'static str,
    pub status_class: &'static str,
    pub progress: i64,
    pub computed: bool,
    pub budget: String,
    pub office: String,
    pub area: String,
    pub depth: usize,
    pub example: bool,
}

fn status_class(s: measure::Status) -> &'static str {
    match s {
        measure::Status::Planned => "status-planned",
        measure::Status::Started => "status-started",
        measure::Status::Done => "status-done",
        measure::Status::Stopped => "status-stopped",
    }
}

/// Measures in tree order (parents before their parts), with their depth.
pub(crate) fn measure_rows(ms: &[Measure], pr: &[Process], locale: Locale) -> Vec<MeasureRow> {
    let p = crate::i18n::prefix(locale);
    let mut out = Vec::new();
    fn walk(
        ms: &[Measure],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<(usize, usize)>,
        seen: &mut Vec<i64>,
    ) {
        for (i, m) in ms.iter().enumerate() {
            let is_root_here = match parent {
                None => m.parent_id.is_none() || !ms.iter().any(|x| Some(x.id) == m.parent_id),
                Some(pid) => m.parent_id == Some(pid),
            };
            if is_root_here && !seen.contains(&m.id) {
                seen.push(m.id);
                out.push((i, depth));
                walk(ms, Some(m.id), depth + 1, out, seen);
            }
        }
    }
    let mut order = Vec::new();
    walk(ms, None, 0, &mut order, &mut Vec::new());
    for (i, depth) in order {
        let m = &ms[i];
        out.push(MeasureRow {
            href: format!("{p}/participation/measures/{}", m.id),
            code: m.code.clone(),
            title: m.title.clone(),
            status: status_label(m.status, locale),
            status_class: status_class(m.status),
            progress: m.progress_shown(),
            computed: m.rolled.has_parts,
            budget: m
                .rolled
                .budget
                .map(|b| euros(b, locale))
                .unwrap_or_default(),
            office: m.office.clone(),
            area: m
                .action_area_id
                .and_then(|a| pr.iter().find_map(|x| x.area(a)))
                .map(|a| a.name.clone())
                .unwrap_or_default(),
            depth,
            example: m.example,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "participation/measures.html")]
struct MeasuresPage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    title: String,
    example: bool,
    rows: Vec<MeasureRow>,
}

/// `GET /participation/processes/{id}/measures`: the measures with progress bars.
pub async fn measures(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let pr = load_process(&state, id).await?;
    let ms = measure::list_measures(state.pool(), Some(id)).await?;
    let t = super::pmsgs(locale);
    let (l, f) = Frame::new(&state, locale, t.measures_title, &uri, user.as_ref());
    page(&MeasuresPage {
        l,
        f,
        id,
        title: pr.title.clone(),
        example: pr.example,
        rows: measure_rows(&ms, std::slice::from_ref(&pr), locale),
    })
}

struct UpdateView {
    date: String,
    body: Vec<Vec<String>>,
    change: String,
    csv: bool,
}

#[derive(Template)]
#[template(path = "participation/measure.html")]
struct MeasurePage {
    l: crate::layout::Layout,
    f: Frame,
    id: i64,
    process_id: i64,
    process_title: String,
    row: MeasureRow,
    description: Vec<Vec<String>>,
    field: String,
    parent: Option<Link>,
    parts: Vec<MeasureRow>,
    ideas: Vec<(i64, Link)>,
    updates: Vec<UpdateView>,
    rule: &'static str,
    statuses: Vec<Opt>,
    today: String,
}

/// `GET /participation/measures/{id}`: status, progress, budget, office, dated updates, the
/// ideas it carries out, its parts.
pub async fn measure(
    Path(id): Path<i64>,
    Ctx(state, locale, uri, user): Ctx<Option<CurrentUser>>,
) -> Result<Response, AppError> {
    let Some(m) = measure::get_measure(state.pool(), id).await? else {
        return Err(AppError::NotFound(String::new()));
    };
    let pr = load_process(&state, m.process_id).await?;
    let all = measure::list_measures(state.pool(), Some(pr.id)).await?;
    let ups = measure::updates(state.pool(), id).await?;
    let t = super::pmsgs(locale);
    let p = crate::i18n::prefix(locale);
    let prs = std::slice::from_ref(&pr);
    let mut rows = measure_rows(&all, prs, locale);
    let row_i = rows.iter().position(|r| r.code == m.code).unwrap_or(0);
    let mut row = rows.remove(row_i.min(rows.len().saturating_sub(1)));
    row.depth = 0;
    let parts_src: Vec<Measure> = all
        .iter()
        .filter(|x| x.parent_id == Some(id))
        .cloned()
        .collect();
    let (l, f) = Frame::new(&state, locale, &m.title, &uri, user.as_ref());
    page(&MeasurePage {
        l,
        f,
        id,
        process_id: pr.id,
        process_title: pr.title.clone(),
        description: paragraphs(&m.description),
        field: m
            .field_id
            .and_then(|x| pr.field(x))
            .map(|x| x.title.clone())
            .unwrap_or_default(),
        parent: m
            .parent_id
            .and_then(|pid| all.iter().find(|x| x.id == pid))
            .map(|x| Link {
                href: format!("{p}/participation/measures/{}", x.id),
                label: format!("{} {}", x.code, x.title),
            }),
        parts: measure_rows(&parts_src, prs, locale),
        ideas: m
            .ideas
            .iter()
            .map(|(iid, r, title)| {
                (
                    *iid,
                    Link {
                        href: format!("{p}/participation/ideas/{iid}"),
                        label: format!("{r} {title}"),
                    },
                )
            })
            .collect(),
        updates: ups
            .iter()
            .map(|u| UpdateView {
                date: day(&u.on_date, locale),
                body: paragraphs(&u.body),
                change: [
                    u.progress.map(|p| format!("{p} %")),
                    u.status.map(|s| status_label(s, locale).to_string()),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
                csv: u.source == "csv",
            })
            .collect(),
        rule: t.rollup_rule,
        statuses: std::iter::once(opt("", t.unchanged, true))
            .chain(
                measure::Status::ALL
                    .iter()
                    .map(|s| opt(s.as_str(), status_label(*s, locale), false)),
            )
            .collect(),
        today: clock::date_str(clock::today(clock::now())),
        row: {
            row.depth = 0;
            row
        },
    })
}

// ------------------------------------------------------------------ exports

fn attachment(bytes: Vec<u8>, ctype: &'static str, name: &str) -> Response {
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /participation/processes/{id}/export.csv`: the public ideas for the council.
pub async fn export_csv(
    Ctx(state, locale, _, _): Ctx<()>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let pr = load_process(&state, id).await?;
    let rows = export::rows(state.pool(), pr.id, locale).await?;
    let bytes = export::write_csv(&rows, locale)?;
    Ok(attachment(
        bytes,
        "text/csv; charset=utf-8",
        &format!("projektideen-{id}.csv"),
    ))
}

/// `GET /participation/processes/{id}/export.xlsx`.
pub async fn export_xlsx(
    Ctx(state, locale, _, _): Ctx<()>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let pr = load_process(&state, id).await?;
    let rows = export::rows(state.pool(), pr.id, locale).await?;
    let bytes = export::write_xlsx(&rows, locale, &pr.title)?;
    Ok(attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("projektideen-{id}.xlsx"),
    ))
}
