//! The case page and everything done on a case: topics, owner, specialists, contacts, notes,
//! follow-ups, identifying details, referrals, closing, the access export and erasure.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sozialatlas_core::Locale;
use sozialatlas_offices::cases::{self, CaseDetail, Channel, CloseReason, Identity, IdentityState};
use sozialatlas_offices::offices;
use sozialatlas_offices::referrals::{self, NewReferral, ReferralState};
use sozialatlas_offices::{Date, OfficeError, retention};

use super::staff::{Choice, topic_labels};
use super::text::OfficeMsgs;
use super::{actor, field_errors, office_msgs, page_error, show_date};
use crate::auth::{CurrentUser, FormFields};
use crate::error::AppError;
use crate::i18n::prefix;
use crate::layout::Layout;
use crate::{AppState, StateExt};
use axum::extract::MatchedPath;
use sozialatlas_web_kit::{Ctx, FieldErrors, FormPage, end_form, form_page, see_other, step_of};

/// The canonical id from the path, or 404 (a malformed id is a wrong id).
fn case_id(raw: &str, locale: Locale) -> Result<String, AppError> {
    cases::normalize_case_id(raw)
        .ok_or_else(|| AppError::NotFound(office_msgs(locale).not_found.into()))
}

pub struct SpecialistView {
    pub user_id: i64,
    pub name: String,
    pub field: String,
}

pub struct NoteView {
    pub at: String,
    pub author: String,
    pub body: String,
}

pub struct FollowupView {
    pub id: i64,
    pub due: String,
    pub what: String,
    pub done: String,
    pub overdue: bool,
}

pub struct EventView {
    pub at: String,
    pub by: String,
    pub state: String,
    pub note: String,
}

pub struct ReferralView {
    pub id: i64,
    pub agency: String,
    pub purpose: String,
    pub consent_given: String,
    pub scope: String,
    pub revoked: String,
    pub state: &'static str,
    pub state_label: String,
    pub next: Vec<Choice>,
    pub revocable: bool,
    pub events: Vec<EventView>,
}

pub struct IdentityView {
    /// `none`, `present`, `erased`, `unreadable`.
    pub state: &'static str,
    pub name: String,
    pub contact: String,
    pub encrypted: bool,
    pub erased_on: String,
    pub reason: String,
}

pub struct CaseView {
    pub id: String,
    pub office: String,
    pub office_slug: String,
    pub opened: String,
    pub closed: String,
    pub close_reason: String,
    pub channel: String,
    pub area: String,
    pub owner: String,
    pub open: bool,
    pub example: bool,
    pub topics: String,
    pub specialists: Vec<SpecialistView>,
    pub contacts: Vec<(String, String)>,
    pub notes: Vec<NoteView>,
    pub followups: Vec<FollowupView>,
    pub referrals: Vec<ReferralView>,
    pub identity: IdentityView,
}

fn view(d: &CaseDetail, slug: &str, topics: &[offices::Topic], locale: Locale) -> CaseView {
    let en = locale == Locale::En;
    let t = office_msgs(locale);
    let today = Date::today();
    let s = &d.summary;
    CaseView {
        id: s.id.clone(),
        office: d.office_name.clone(),
        office_slug: slug.to_string(),
        opened: show_date(s.opened_on, locale),
        closed: s
            .closed_on
            .map(|x| show_date(x, locale))
            .unwrap_or_default(),
        close_reason: d
            .close_reason
            .map(|r| r.label(en).to_string())
            .unwrap_or_default(),
        channel: s.channel.label(en).into(),
        area: d
            .action_area
            .as_ref()
            .map_or_else(|| t.area_none.to_string(), |a| a.1.clone()),
        owner: s.owner_name.clone(),
        open: s.closed_on.is_none(),
        example: s.is_example,
        topics: topic_labels(&s.topics, topics, en),
        specialists: d
            .specialists
            .iter()
            .map(|x| SpecialistView {
                user_id: x.user_id,
                name: x.name.clone(),
                field: x.field.clone(),
            })
            .collect(),
        contacts: d
            .contact_log
            .iter()
            .map(|c| (show_date(c.on, locale), c.channel.label(en).to_string()))
            .collect(),
        notes: d
            .notes
            .iter()
            .map(|n| NoteView {
                at: match locale {
                    Locale::De => {
                        Date::parse(n.at.get(0..10).unwrap_or("")).map_or(n.at.clone(), |x| x.de())
                    }
                    Locale::En => n.at.get(0..10).unwrap_or("").to_string(),
                },
                author: n.author.clone(),
                body: n.body.clone(),
            })
            .collect(),
        followups: d
            .followups
            .iter()
            .map(|f| FollowupView {
                id: f.id,
                due: show_date(f.due_on, locale),
                what: f.what.clone(),
                done: f.done_on.map(|x| show_date(x, locale)).unwrap_or_default(),
                overdue: f.done_on.is_none() && f.due_on < today,
            })
            .collect(),
        referrals: d
            .referrals
            .iter()
            .map(|r| ReferralView {
                id: r.id,
                agency: r.agency.clone(),
                purpose: r.purpose.clone(),
                consent_given: show_date(r.consent_given_on, locale),
                scope: r.consent_scope.clone(),
                revoked: r
                    .consent_revoked_on
                    .map(|x| show_date(x, locale))
                    .unwrap_or_default(),
                state: r.state.as_str(),
                state_label: r.state.label(en).into(),
                next: r
                    .state
                    .next()
                    .iter()
                    .map(|n| Choice {
                        value: n.as_str().into(),
                        label: n.label(en).into(),
                        selected: false,
                    })
                    .collect(),
                revocable: r.state.revocable(),
                events: r
                    .events
                    .iter()
                    .map(|e| EventView {
                        at: e.at.get(0..10).map_or(e.at.clone(), |x| {
                            Date::parse(x).map_or(x.to_string(), |dd| show_date(dd, locale))
                        }),
                        by: e.by.clone(),
                        state: e.state.label(en).into(),
                        note: e.note.clone().unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect(),
        identity: match &d.identity {
            IdentityState::None => IdentityView {
                state: "none",
                name: String::new(),
                contact: String::new(),
                encrypted: false,
                erased_on: String::new(),
                reason: String::new(),
            },
            IdentityState::Present {
                identity,
                encrypted,
            } => IdentityView {
                state: "present",
                name: identity.name.clone(),
                contact: identity.contact.clone(),
                encrypted: *encrypted,
                erased_on: String::new(),
                reason: String::new(),
            },
            IdentityState::Erased { on } => IdentityView {
                state: "erased",
                name: String::new(),
                contact: String::new(),
                encrypted: false,
                erased_on: show_date(*on, locale),
                reason: String::new(),
            },
            IdentityState::Unreadable { reason, reason_de } => IdentityView {
                state: "unreadable",
                name: String::new(),
                contact: String::new(),
                encrypted: true,
                erased_on: String::new(),
                reason: if en {
                    reason.clone()
                } else {
                    reason_de.clone()
                },
            },
        },
    }
}

#[derive(Template)]
#[template(path = "offices/case.html")]
struct CasePage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    csrf: String,
    c: CaseView,
    topic_choices: Vec<Choice>,
    staff: Vec<Choice>,
    channels: Vec<Choice>,
    errors: FieldErrors,
    values: HashMap<String, String>,
    notice: &'static str,
    today: String,
    retention_months: u32,
}

impl FormPage for CasePage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

impl CasePage {
    /// A submitted value to show again after an error.
    fn val(&self, k: &str) -> &str {
        self.values.get(k).map_or("", String::as_str)
    }
}

/// Renders the case page (a read of the case, logged by the domain).
#[allow(clippy::too_many_arguments)]
async fn case_page(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: &str,
    errors: FieldErrors,
    values: HashMap<String, String>,
    notice: &'static str,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = actor(user);
    let pool = state.pool();
    let d = cases::get_case(pool, &a, state.office_key().as_deref(), id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let office = offices::office(pool, &a, d.summary.office_id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let topics = offices::topics(pool)
        .await
        .map_err(|e| page_error(e, locale))?;
    let staff = offices::staff_of(pool, &a, d.summary.office_id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let en = locale == Locale::En;
    let selected_topics: Vec<String> = if values.contains_key("topics_sent") {
        values
            .get("topics")
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    } else {
        d.summary.topics.clone()
    };
    let p = prefix(locale);
    let path = format!("{p}/office/cases/{id}");
    let page = CasePage {
        l: Layout::new(
            state,
            locale,
            &format!("{} {}", t.case, d.summary.id),
            &path,
            None,
        ),
        t,
        p,
        csrf: user.csrf.clone(),
        topic_choices: topics
            .iter()
            .filter(|tp| tp.active || d.summary.topics.contains(&tp.code))
            .map(|tp| Choice {
                value: tp.code.clone(),
                label: tp.label(en).into(),
                selected: selected_topics.contains(&tp.code),
            })
            .collect(),
        staff: staff
            .iter()
            .map(|s| Choice {
                value: s.user_id.to_string(),
                label: s.display_name.clone(),
                selected: s.user_id == d.summary.owner_id,
            })
            .collect(),
        channels: Channel::ALL
            .iter()
            .map(|c| Choice {
                value: c.as_str().into(),
                label: c.label(en).into(),
                selected: values.get("channel").map(String::as_str) == Some(c.as_str()),
            })
            .collect(),
        c: view(&d, &office.slug, &topics, locale),
        errors,
        values,
        notice,
        today: Date::today().to_string(),
        retention_months: offices::retention_months(pool)
            .await
            .map_err(|e| page_error(e, locale))?,
    };
    form_page(&page)
}

/// `/office/cases/{id}`.
pub async fn page(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    let t = office_msgs(locale);
    let notice = match q.get("notice").map(String::as_str) {
        Some("opened") => t.opened_notice,
        Some("saved") => t.saved_notice,
        Some("closed") => t.closed_notice,
        Some("referred") => t.referred_notice,
        _ => "",
    };
    case_page(
        &state,
        locale,
        &user,
        &id,
        FieldErrors::new(),
        HashMap::new(),
        notice,
    )
    .await
}

/// After a change: back to the case (at `anchor`), or the case page with the error.
async fn done(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: &str,
    r: Result<(), OfficeError>,
    anchor: &str,
    form: &FormFields,
) -> Result<Response, AppError> {
    let saved = r.map(|()| format!("{}/office/cases/{id}?notice=saved#{anchor}", prefix(locale)));
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| {
            let mut values: HashMap<String, String> = HashMap::new();
            for (k, v) in &form.0 {
                if k == "_csrf" {
                    continue;
                }
                values
                    .entry(k.clone())
                    .and_modify(|x| {
                        x.push(',');
                        x.push_str(v);
                    })
                    .or_insert_with(|| v.clone());
            }
            case_page(state, locale, user, id, errors, values, "").await
        },
    )
    .await
}

fn int(s: &str) -> i64 {
    s.trim().parse().unwrap_or(-1)
}

/// POST `/office/cases/{id}/…`, a change on the case page by the route's last segment:
/// `topics`, `owner`, `specialists` (assign one), `contacts` (log one), `notes` (add one),
/// `followups` (add one), `identity` (set or remove the encrypted identifying details),
/// `reopen` (a closed case). Back to the case at the section changed, or the case page with the
/// error (422).
pub async fn case_step(
    route: MatchedPath,
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
    mut form: FormFields,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    let (pool, a) = (state.pool(), actor(&user));
    let (r, section) = match step_of(&route) {
        "topics" => {
            let chosen: Vec<String> = form
                .0
                .iter()
                .filter(|(k, _)| k == "topics")
                .map(|(_, v)| v.clone())
                .collect();
            form.0.push(("topics_sent".into(), "1".into()));
            (cases::set_topics(pool, &a, &id, &chosen).await, "topics")
        }
        "owner" => (
            cases::set_owner(pool, &a, &id, int(form.get("owner"))).await,
            "people",
        ),
        "specialists" => {
            let (who, field) = (int(form.get("specialist")), form.get("field"));
            let r = cases::assign_specialist(pool, &a, &id, who, field).await;
            (r, "people")
        }
        "contacts" => {
            let (on, channel) = (form.get("contact_on"), form.get("channel"));
            (
                cases::add_contact(pool, &a, &id, on, channel).await,
                "contacts",
            )
        }
        "notes" => (
            cases::add_note(pool, &a, &id, form.get("note")).await,
            "notes",
        ),
        "followups" => {
            let (due, what) = (form.get("followup_due"), form.get("followup_what"));
            (
                cases::add_followup(pool, &a, &id, due, what).await,
                "followups",
            )
        }
        "identity" => {
            let identity = if form.get("remove") == "1" {
                Identity::default()
            } else {
                Identity {
                    name: form.get("identity_name").to_string(),
                    contact: form.get("identity_contact").to_string(),
                }
            };
            let key = state.office_key();
            let r = cases::set_identity(pool, &a, key.as_deref(), &id, &identity).await;
            (r, "identity")
        }
        "reopen" => (cases::reopen_case(pool, &a, &id).await, "status"),
        _ => return Err(AppError::NotFound(String::new())),
    };
    done(&state, locale, &user, &id, r, section, &form).await
}

/// POST `/office/cases/{id}/specialists/{user}/remove`, `/office/cases/{id}/referrals/{rid}/state`
/// (move a referral on) and `…/revoke` (the resident revoked the consent): a change to an item
/// of the case, by the route's last segment.
pub async fn case_item_step(
    route: MatchedPath,
    Ctx(state, locale, _, user): Ctx,
    Path((raw, item)): Path<(String, i64)>,
    form: FormFields,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    let (pool, a) = (state.pool(), actor(&user));
    let (r, section) = match step_of(&route) {
        "remove" => (
            cases::remove_specialist(pool, &a, &id, item).await,
            "people".to_string(),
        ),
        "state" => {
            let (to, note) = (form.get("state"), form.get("note"));
            let r = referrals::set_referral_state(pool, &a, &id, item, to, note).await;
            (r, format!("referral-{item}"))
        }
        "revoke" => {
            let on = form.get("consent_revoked_on");
            let r = referrals::revoke_consent(pool, &a, &id, item, on).await;
            (r, format!("referral-{item}"))
        }
        _ => return Err(AppError::NotFound(String::new())),
    };
    done(&state, locale, &user, &id, r, &section, &form).await
}

/// POST: a follow-up is done (from the case page or the due list: `back=due`).
pub async fn followup_done(
    Ctx(state, locale, _, user): Ctx,
    Path((raw, fid)): Path<(String, i64)>,
    form: FormFields,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    let a = actor(&user);
    let r = cases::complete_followup(state.pool(), &a, &id, fid).await;
    let back = form.get("back");
    if r.is_ok() && !back.is_empty() {
        // Back to the due list of the office the case belongs to.
        if let Some(o) = offices::my_offices(state.pool(), &a)
            .await
            .map_err(|e| page_error(e, locale))?
            .into_iter()
            .find(|o| o.slug == back)
        {
            return Ok(see_other(&format!(
                "{}/office/{}/due",
                prefix(locale),
                o.slug
            )));
        }
    }
    done(&state, locale, &user, &id, r, "followups", &form).await
}

// ------------------------------------------------------------------ forms on their own page

/// What the forms on their own page share: the case, read as the user (which checks access
/// and is logged as a read), and the frame of the page `/office/cases/{id}/{form}`.
async fn case_form(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: &str,
    title: &str,
    form: &str,
) -> Result<(CaseDetail, Layout), AppError> {
    let d = cases::get_case(
        state.pool(),
        &actor(user),
        state.office_key().as_deref(),
        id,
    )
    .await
    .map_err(|e| page_error(e, locale))?;
    let path = format!("{}/office/cases/{id}/{form}", prefix(locale));
    Ok((d, Layout::new(state, locale, title, &path, None)))
}

#[derive(Template)]
#[template(path = "offices/referral.html")]
struct ReferralPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    csrf: String,
    id: String,
    owner: String,
    partners: Vec<Choice>,
    purpose: String,
    given: String,
    scope: String,
    errors: FieldErrors,
}

impl FormPage for ReferralPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

async fn referral_page(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: &str,
    form: Option<&FormFields>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let (d, l) = case_form(state, locale, user, id, t.referral_title, "referral").await?;
    let partners = offices::partners(state.pool(), &actor(user))
        .await
        .map_err(|e| page_error(e, locale))?;
    let get = |k: &str| form.map(|f| f.get(k).to_string()).unwrap_or_default();
    let chosen = get("agency");
    let page = ReferralPage {
        l,
        t,
        p: prefix(locale),
        csrf: user.csrf.clone(),
        id: d.summary.id.clone(),
        owner: d.summary.owner_name.clone(),
        partners: partners
            .iter()
            .filter(|x| x.active)
            .map(|x| Choice {
                value: x.id.to_string(),
                label: format!("{} ({})", x.name, x.kind),
                selected: chosen == x.id.to_string(),
            })
            .collect(),
        purpose: get("purpose"),
        given: form.map_or_else(
            || Date::today().to_string(),
            |f| f.get("consent_given_on").to_string(),
        ),
        scope: get("consent_scope"),
        errors,
    };
    form_page(&page)
}

/// `/office/cases/{id}/referral`: the referral form.
pub async fn referral_form(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    referral_page(&state, locale, &user, &id, None, FieldErrors::new()).await
}

/// POST `/office/cases/{id}/referral`.
pub async fn referral(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
    form: FormFields,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    let input = NewReferral {
        agency_id: int(form.get("agency")),
        purpose: form.get("purpose").to_string(),
        consent_given_on: form.get("consent_given_on").to_string(),
        consent_scope: form.get("consent_scope").to_string(),
    };
    let saved = referrals::create_referral(state.pool(), &actor(&user), &id, &input)
        .await
        .map(|rid| {
            format!(
                "{}/office/cases/{id}?notice=referred#referral-{rid}",
                prefix(locale)
            )
        });
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| referral_page(&state, locale, &user, &id, Some(&form), errors).await,
    )
    .await
}

#[derive(Template)]
#[template(path = "offices/close.html")]
struct ClosePage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    csrf: String,
    id: String,
    closed_on: String,
    reasons: Vec<Choice>,
    open_referrals: usize,
    retention_months: u32,
    errors: FieldErrors,
}

impl FormPage for ClosePage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

async fn close_page(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: &str,
    form: Option<&FormFields>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let (d, l) = case_form(state, locale, user, id, t.close_title, "close").await?;
    let en = locale == Locale::En;
    let chosen = form
        .map(|f| f.get("close_reason").to_string())
        .unwrap_or_default();
    let page = ClosePage {
        l,
        t,
        p: prefix(locale),
        csrf: user.csrf.clone(),
        id: d.summary.id.clone(),
        closed_on: form.map_or_else(
            || Date::today().to_string(),
            |f| f.get("closed_on").to_string(),
        ),
        reasons: CloseReason::ALL
            .iter()
            .map(|r| Choice {
                value: r.as_str().into(),
                label: r.label(en).into(),
                selected: chosen == r.as_str(),
            })
            .collect(),
        open_referrals: d
            .referrals
            .iter()
            .filter(|r| matches!(r.state, ReferralState::InProgress | ReferralState::Accepted))
            .count(),
        retention_months: offices::retention_months(state.pool())
            .await
            .map_err(|e| page_error(e, locale))?,
        errors,
    };
    form_page(&page)
}

/// `/office/cases/{id}/close`: the closing form.
pub async fn close_form(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    close_page(&state, locale, &user, &id, None, FieldErrors::new()).await
}

/// POST `/office/cases/{id}/close`.
pub async fn close(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
    form: FormFields,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    let saved = cases::close_case(
        state.pool(),
        &actor(&user),
        &id,
        form.get("closed_on"),
        form.get("close_reason"),
    )
    .await
    .map(|()| format!("{}/office/cases/{id}?notice=closed", prefix(locale)));
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| close_page(&state, locale, &user, &id, Some(&form), errors).await,
    )
    .await
}

/// POST `/office/cases/{id}/export`: everything about the case as a JSON download (logged).
pub async fn export(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
    form: FormFields,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    match retention::export_case(
        state.pool(),
        &actor(&user),
        state.office_key().as_deref(),
        &id,
    )
    .await
    {
        Ok(json) => {
            let body = serde_json::to_string_pretty(&json)?;
            let mut r = body.into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            if let Ok(v) =
                HeaderValue::from_str(&format!("attachment; filename=\"auskunft-{id}.json\""))
            {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
        Err(e) => done(&state, locale, &user, &id, Err(e), "privacy", &form).await,
    }
}

#[derive(Template)]
#[template(path = "offices/erase.html")]
struct ErasePage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    csrf: String,
    id: String,
    errors: FieldErrors,
}

impl FormPage for ErasePage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

async fn erase_page(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: &str,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let (d, l) = case_form(state, locale, user, id, t.erase_title, "erase").await?;
    let page = ErasePage {
        l,
        t,
        p: prefix(locale),
        csrf: user.csrf.clone(),
        id: d.summary.id.clone(),
        errors,
    };
    form_page(&page)
}

/// `/office/cases/{id}/erase`: what erasure does, and the confirmation.
pub async fn erase_form(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    erase_page(&state, locale, &user, &id, FieldErrors::new()).await
}

/// POST `/office/cases/{id}/erase`: erases the case (needs the confirmation box).
pub async fn erase(
    Ctx(state, locale, _, user): Ctx,
    Path(raw): Path<String>,
    form: FormFields,
) -> Result<Response, AppError> {
    let id = case_id(&raw, locale)?;
    let t = office_msgs(locale);
    if form.get("confirm") != "yes" {
        let errors = FieldErrors::one("confirm", t.erase_confirm_missing);
        return erase_page(&state, locale, &user, &id, errors).await;
    }
    let a = actor(&user);
    // The office, for the way back, before the case is gone.
    let office = cases::get_case(state.pool(), &a, None, &id)
        .await
        .map_err(|e| page_error(e, locale))?
        .summary
        .office_id;
    retention::erase_case(state.pool(), &a, &id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let slug = offices::office(state.pool(), &a, office)
        .await
        .map(|o| o.slug)
        .unwrap_or_default();
    Ok(see_other(&format!(
        "{}/office/{slug}?notice=erased",
        prefix(locale)
    )))
}
