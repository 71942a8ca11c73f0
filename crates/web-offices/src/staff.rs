//! Staff pages of one office: the case list with search and filters, the due list, and the
//! form that opens a case.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{OriginalUri, Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_offices::cases::{self, CaseFilter, CaseSummary, Channel, Identity, NewCase};
use sozialatlas_offices::offices::{self, Office, StaffMember, Topic};
use sozialatlas_offices::{Actor, Date};

use super::text::OfficeMsgs;
use super::{actor, field_errors, office_msgs, page_error, show_date};
use crate::auth::{CurrentUser, FormFields};
use crate::error::AppError;
use crate::i18n::prefix;
use crate::layout::{Layout, personal_page};
use crate::{AppState, StateExt};
use sozialatlas_web_kit::{Ctx, FieldErrors, FormPage, end_form, form_page, see_other};

/// The office sub-navigation.
pub struct OfficeNav {
    pub slug: String,
    pub name: String,
    pub example: bool,
    /// `cases`, `due`, `new`.
    pub current: &'static str,
    pub public: bool,
}

pub(crate) fn nav(o: &Office, current: &'static str) -> OfficeNav {
    OfficeNav {
        slug: o.slug.clone(),
        name: o.name.clone(),
        example: o.is_example,
        current,
        public: o.is_public,
    }
}

/// A case in a list.
pub struct CaseRow {
    pub id: String,
    pub opened: String,
    pub closed: String,
    pub topics: String,
    pub owner: String,
    pub next_due: String,
    pub overdue: bool,
    pub contacts: i64,
}

pub(crate) fn topic_labels(codes: &[String], topics: &[Topic], en: bool) -> String {
    codes
        .iter()
        .map(|c| {
            topics
                .iter()
                .find(|t| &t.code == c)
                .map_or(c.as_str(), |t| t.label(en))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn rows(list: &[CaseSummary], topics: &[Topic], locale: Locale) -> Vec<CaseRow> {
    let today = Date::today();
    list.iter()
        .map(|c| CaseRow {
            id: c.id.clone(),
            opened: show_date(c.opened_on, locale),
            closed: c
                .closed_on
                .map(|d| show_date(d, locale))
                .unwrap_or_default(),
            topics: topic_labels(&c.topics, topics, locale == Locale::En),
            owner: c.owner_name.clone(),
            next_due: c.next_due.map(|d| show_date(d, locale)).unwrap_or_default(),
            overdue: c.next_due.is_some_and(|d| d < today) && c.closed_on.is_none(),
            contacts: c.contacts,
        })
        .collect()
}

/// `/office`: the offices the user works in (straight to the case list when it is one).
pub async fn home(Ctx(state, locale, uri, user): Ctx) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = actor(&user);
    let mine = offices::my_offices(state.pool(), &a)
        .await
        .map_err(|e| page_error(e, locale))?;
    let p = prefix(locale);
    if mine.len() == 1 {
        return Ok(see_other(&format!("{p}/office/{}", mine[0].slug)));
    }
    let page = HomePage {
        l: Layout::new(&state, locale, t.staff_title, uri.0.path(), uri.0.query()),
        t,
        p,
        offices: mine
            .iter()
            .map(|o| (o.slug.clone(), o.name.clone()))
            .collect(),
        supervisor: a.supervisor,
        admin: a.admin,
    };
    personal_page(&page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "offices/home.html")]
struct HomePage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    offices: Vec<(String, String)>,
    supervisor: bool,
    admin: bool,
}

/// An option of a select or checkbox list.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "offices/cases.html")]
struct CasesPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    nav: OfficeNav,
    rows: Vec<CaseRow>,
    q: String,
    searched: bool,
    states: Vec<Choice>,
    topics: Vec<Choice>,
    mine: bool,
    errors: FieldErrors,
    notice: &'static str,
}

impl FormPage for CasesPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

async fn my_office(
    state: &AppState,
    a: &Actor,
    slug: &str,
    locale: Locale,
) -> Result<Office, AppError> {
    offices::office_by_slug(state.pool(), a, slug)
        .await
        .map_err(|e| page_error(e, locale))
}

/// `/office/{slug}`: the office's cases, filtered, or the hits of a search.
pub async fn cases(
    Ctx(state, locale, uri, user): Ctx,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = actor(&user);
    let o = my_office(&state, &a, &slug, locale).await?;
    let pool = state.pool();
    let topics = offices::topics(pool)
        .await
        .map_err(|e| page_error(e, locale))?;
    let get = |k: &str| q.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let query = get("q");
    let state_f = match get("state").as_str() {
        "" => "open".to_string(),
        s => s.to_string(),
    };
    let topic_f = get("topic");
    let mine = get("mine") == "1";
    let mut errors = FieldErrors::new();
    let list = if query.is_empty() {
        cases::list_cases(
            pool,
            &a,
            o.id,
            &CaseFilter {
                state: state_f.clone(),
                topic: (!topic_f.is_empty()).then(|| topic_f.clone()),
                owner: mine.then_some(a.user_id),
            },
        )
        .await
        .map_err(|e| page_error(e, locale))?
    } else {
        match cases::search_cases(pool, &a, state.office_key().as_deref(), o.id, &query).await {
            Ok(l) => l,
            Err(e) => {
                errors = field_errors(e, locale)?;
                Vec::new()
            }
        }
    };
    let en = locale == Locale::En;
    let notice = match get("notice").as_str() {
        "erased" => t.erased_notice,
        _ => "",
    };
    let page = CasesPage {
        l: Layout::new(&state, locale, &o.name, uri.0.path(), uri.0.query()),
        t,
        p: prefix(locale),
        nav: nav(&o, "cases"),
        rows: rows(&list, &topics, locale),
        searched: !query.is_empty(),
        q: query,
        states: [
            ("open", t.state_open),
            ("closed", t.state_closed),
            ("all", t.state_all),
        ]
        .into_iter()
        .map(|(v, l)| Choice {
            value: v.into(),
            label: l.into(),
            selected: state_f == v,
        })
        .collect(),
        topics: topics
            .iter()
            .map(|tp| Choice {
                value: tp.code.clone(),
                label: tp.label(en).to_string(),
                selected: topic_f == tp.code,
            })
            .collect(),
        mine,
        errors,
        notice,
    };
    form_page(&page)
}

/// A follow-up in the due list.
pub struct DueRow {
    pub case_id: String,
    pub followup_id: i64,
    pub due: String,
    pub what: String,
    pub owner: String,
    pub overdue: bool,
    pub mine: bool,
}

#[derive(Template)]
#[template(path = "offices/due.html")]
struct DuePage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    nav: OfficeNav,
    rows: Vec<DueRow>,
    days: Vec<Choice>,
    csrf: String,
}

/// `/office/{slug}/due`: open follow-ups due within the chosen days, overdue first.
pub async fn due(
    Ctx(state, locale, uri, user): Ctx,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = actor(&user);
    let o = my_office(&state, &a, &slug, locale).await?;
    let days: i64 = match q.get("days").map(String::as_str) {
        Some("14") => 14,
        Some("30") => 30,
        Some("90") => 90,
        _ => 7,
    };
    let list = cases::due_list(state.pool(), &a, o.id, Date::today().add_days(days))
        .await
        .map_err(|e| page_error(e, locale))?;
    let page = DuePage {
        l: Layout::new(&state, locale, t.due_title, uri.0.path(), uri.0.query()),
        t,
        p: prefix(locale),
        nav: nav(&o, "due"),
        rows: list
            .iter()
            .map(|d| DueRow {
                case_id: d.case_id.clone(),
                followup_id: d.followup_id,
                due: show_date(d.due_on, locale),
                what: d.what.clone(),
                owner: d.owner_name.clone(),
                overdue: d.overdue,
                mine: d.owner_id == a.user_id,
            })
            .collect(),
        days: [7, 14, 30, 90]
            .into_iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: t.days_label.replace("{n}", &n.to_string()),
                selected: n == days,
            })
            .collect(),
        csrf: user.csrf.clone(),
    };
    personal_page(&page, StatusCode::OK)
}

/// The values of the new-case form.
#[derive(Default)]
pub struct NewCaseForm {
    pub opened_on: String,
    pub channel: String,
    pub topics: Vec<String>,
    pub area: String,
    pub owner: String,
    pub note: String,
    pub name: String,
    pub contact: String,
    pub followup_due: String,
    pub followup_what: String,
}

#[derive(Template)]
#[template(path = "offices/new.html")]
struct NewPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    nav: OfficeNav,
    csrf: String,
    f: NewCaseForm,
    channels: Vec<Choice>,
    topics: Vec<Choice>,
    areas: Vec<Choice>,
    owners: Vec<Choice>,
    errors: FieldErrors,
    encrypted: bool,
    retention_months: u32,
    today: String,
}

impl FormPage for NewPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

#[allow(clippy::too_many_arguments)]
async fn new_page(
    state: &AppState,
    locale: Locale,
    uri: &OriginalUri,
    user: &CurrentUser,
    o: &Office,
    f: NewCaseForm,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = actor(user);
    let pool = state.pool();
    let en = locale == Locale::En;
    let topics = offices::topics(pool)
        .await
        .map_err(|e| page_error(e, locale))?;
    let staff: Vec<StaffMember> = offices::staff_of(pool, &a, o.id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let owner = if f.owner.is_empty() {
        user.id.to_string()
    } else {
        f.owner.clone()
    };
    let page = NewPage {
        l: Layout::new(state, locale, t.new_case_title, uri.0.path(), uri.0.query()),
        t,
        p: prefix(locale),
        nav: nav(o, "new"),
        csrf: user.csrf.clone(),
        channels: Channel::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().into(),
                label: c.label(en).into(),
                selected: f.channel == c.as_str(),
            })
            .collect(),
        topics: topics
            .iter()
            .filter(|tp| tp.active)
            .map(|tp| Choice {
                value: tp.code.clone(),
                label: tp.label(en).into(),
                selected: f.topics.contains(&tp.code),
            })
            .collect(),
        areas: o
            .areas
            .iter()
            .map(|ar| Choice {
                value: ar.id.to_string(),
                label: ar.name.clone(),
                selected: f.area == ar.id.to_string() || (f.area.is_empty() && o.areas.len() == 1),
            })
            .collect(),
        owners: staff
            .iter()
            .map(|s| Choice {
                value: s.user_id.to_string(),
                label: s.display_name.clone(),
                selected: owner == s.user_id.to_string(),
            })
            .collect(),
        errors,
        encrypted: state.office_key().as_deref().is_some(),
        retention_months: offices::retention_months(pool)
            .await
            .map_err(|e| page_error(e, locale))?,
        today: Date::today().to_string(),
        f,
    };
    form_page(&page)
}

/// `/office/{slug}/new`: the form that opens a case.
pub async fn new_form(
    Ctx(state, locale, uri, user): Ctx,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let a = actor(&user);
    let o = my_office(&state, &a, &slug, locale).await?;
    // Only staff of the office get the form (the domain checks again on saving).
    sozialatlas_offices::access::require_staff_of(state.pool(), &a, o.id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let f = NewCaseForm {
        opened_on: Date::today().to_string(),
        channel: "walk_in".into(),
        ..Default::default()
    };
    new_page(&state, locale, &uri, &user, &o, f, FieldErrors::new()).await
}

/// POST `/office/{slug}/new`: opens the case and shows it.
pub async fn create(
    Ctx(state, locale, uri, user): Ctx,
    Path(slug): Path<String>,
    form: FormFields,
) -> Result<Response, AppError> {
    let a = actor(&user);
    let o = my_office(&state, &a, &slug, locale).await?;
    let f = NewCaseForm {
        opened_on: form.get("opened_on").to_string(),
        channel: form.get("channel").to_string(),
        topics: form
            .0
            .iter()
            .filter(|(k, _)| k == "topics")
            .map(|(_, v)| v.clone())
            .collect(),
        area: form.get("action_area").to_string(),
        owner: form.get("owner").to_string(),
        note: form.get("note").to_string(),
        name: form.get("identity_name").to_string(),
        contact: form.get("identity_contact").to_string(),
        followup_due: form.get("followup_due").to_string(),
        followup_what: form.get("followup_what").to_string(),
    };
    let area = match f.area.as_str() {
        "" | "none" => None,
        s => match s.parse::<i64>() {
            Ok(v) => Some(v),
            Err(_) => {
                let t = office_msgs(locale);
                let errors = FieldErrors::one("action_area", t.choose_from_list);
                return new_page(&state, locale, &uri, &user, &o, f, errors).await;
            }
        },
    };
    let owner = f.owner.parse::<i64>().ok();
    let input = NewCase {
        office_id: o.id,
        action_area_id: area,
        opened_on: f.opened_on.clone(),
        channel: f.channel.clone(),
        topics: f.topics.clone(),
        owner_id: owner,
        note: f.note.clone(),
        identity: Identity {
            name: f.name.clone(),
            contact: f.contact.clone(),
        },
        followup_due: f.followup_due.clone(),
        followup_what: f.followup_what.clone(),
        is_example: false,
    };
    let saved = cases::open_case(state.pool(), &a, state.office_key().as_deref(), &input)
        .await
        .map(|id| format!("{}/office/cases/{id}?notice=opened", prefix(locale)));
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| new_page(&state, locale, &uri, &user, &o, f, errors).await,
    )
    .await
}
