//! Participation on the web (Beteiligung): processes, project ideas, supports, comments,
//! reports, moderation, review and official answers, area meetings, measures, the inbox, the
//! public page of each action area, and the exports for the council.
//!
//! Every rule is enforced by `sozialatlas-participation`; the handlers here translate requests
//! into its calls and its errors into pages: a refused step is a 403/409 page, a form with
//! problems comes back with its errors (422), never a 500. Every page here is personal or
//! live, so none is cached.

mod area;
mod example;
mod forms;
mod mail;
mod pages;
mod staff;
mod text;

use std::collections::HashMap;

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sozialatlas_core::Locale;
use sozialatlas_participation::{self as part, Actor, Error as PError, FieldError, Problem};

use sozialatlas_web_kit::{AppState, auth, error, i18n, layout, routes};

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::layout::{Layout, personal_page};
use crate::routes::Routes;
use sozialatlas_web_kit::auth::no_store;
use sozialatlas_web_kit::{FieldErrors, see_other};

pub use example::seed_participation_example;
pub use mail::mail_notifications;
pub use text::{PMsgs, pmsgs};

/// The routes of participation, relative to the language prefix.
pub fn routes() -> Routes {
    Routes::new()
        // public pages
        .get("/participation", pages::overview)
        .get("/participation/processes/{id}", pages::process)
        .get("/participation/processes/{id}/ideas", pages::idea_list)
        .get(
            "/participation/processes/{id}/export.csv",
            pages::export_csv,
        )
        .get(
            "/participation/processes/{id}/export.xlsx",
            pages::export_xlsx,
        )
        .get("/participation/processes/{id}/meetings", pages::meetings)
        .get("/participation/processes/{id}/measures", pages::measures)
        .get("/participation/ideas/{id}", pages::idea)
        .get("/participation/meetings/{id}", pages::meeting)
        .get("/participation/measures/{id}", pages::measure)
        .get("/participation/areas/{id}", area::area_page)
        // participants
        .form(
            "/participation/processes/{id}/ideas/new",
            forms::new_idea,
            forms::create_idea,
        )
        .form(
            "/participation/ideas/{id}/edit",
            forms::edit_idea,
            forms::update_idea,
        )
        .steps(
            "/participation/ideas/{id}",
            &["submit", "withdraw", "support", "unsupport"],
            forms::idea_step,
        )
        .post("/participation/ideas/{id}/comments", forms::comment)
        .post("/participation/ideas/{id}/report", forms::report_idea)
        .form(
            "/participation/comments/{id}/edit",
            forms::edit_comment,
            forms::update_comment,
        )
        .post("/participation/comments/{id}/report", forms::report_comment)
        .get("/participation/inbox", forms::inbox)
        .post("/participation/inbox/read", forms::inbox_read)
        // moderation
        .get("/participation/moderation", staff::moderation)
        .post(
            "/participation/moderation/ideas/{id}/publish",
            staff::publish,
        )
        .steps(
            "/participation/moderation/{kind}/{id}",
            &["hide", "unhide", "dismiss"],
            staff::moderate,
        )
        .post("/participation/moderation/users/{id}/block", staff::block)
        // review and answers
        .get("/participation/review", staff::review_list)
        .get("/participation/ideas/{id}/review", staff::review)
        .steps(
            "/participation/ideas/{id}/review",
            &[
                "start", "reviewer", "note", "decide", "answer", "publish", "reopen", "merge",
            ],
            staff::review_step,
        )
        // processes, meetings, measures (process managers)
        .form(
            "/participation/processes/new",
            staff::new_process,
            staff::create_process,
        )
        .form(
            "/participation/processes/{id}/edit",
            staff::edit_process,
            staff::update_process,
        )
        .form(
            "/participation/processes/{id}/meetings/new",
            staff::new_meeting,
            staff::create_meeting,
        )
        .form(
            "/participation/meetings/{id}/edit",
            staff::edit_meeting,
            staff::update_meeting,
        )
        .form(
            "/participation/meetings/{id}/ideas/new",
            staff::new_meeting_idea,
            staff::create_meeting_idea,
        )
        .form(
            "/participation/processes/{id}/measures/new",
            staff::new_measure,
            staff::create_measure,
        )
        .form(
            "/participation/measures/{id}/edit",
            staff::edit_measure,
            staff::update_measure,
        )
        .steps(
            "/participation/measures/{id}",
            &["updates", "ideas"],
            staff::measure_step,
        )
        .post(
            "/participation/measures/{id}/ideas/{idea}/unlink",
            staff::unlink_idea,
        )
        .get(
            "/participation/processes/{id}/measures/upload",
            staff::upload_form,
        )
        .upload(
            "/participation/processes/{id}/measures/upload",
            staff::upload,
            staff::UPLOAD_BODY_LIMIT,
        )
        .get(
            "/participation/processes/{id}/measures/template.csv",
            staff::template,
        )
}

/// The acting person as the participation crate sees them.
pub(crate) fn actor(u: &CurrentUser) -> Actor {
    Actor {
        id: u.id,
        roles: u.roles.clone(),
    }
}

/// What every participation page has besides its content.
pub(crate) struct Frame {
    pub t: &'static PMsgs,
    /// The language prefix (`` or `/en`).
    pub p: &'static str,
    /// The CSRF token for the page's forms (empty when anonymous: no forms then).
    pub csrf: String,
    /// Signed in.
    pub signed_in: bool,
    /// Staff links: moderation queue, review list.
    pub moderator: bool,
    pub manager: bool,
    pub reviewer: bool,
}

impl Frame {
    pub fn new(
        state: &AppState,
        locale: Locale,
        heading: &str,
        uri: &axum::extract::OriginalUri,
        user: Option<&CurrentUser>,
    ) -> (Layout, Frame) {
        let a = user.map(actor);
        let has = |r| a.as_ref().is_some_and(|a| a.has(r));
        use sozialatlas_accounts::Role;
        let l = Layout::new(state, locale, heading, uri.0.path(), uri.0.query());
        let f = Frame {
            t: pmsgs(locale),
            p: crate::i18n::prefix(locale),
            csrf: user.map(|u| u.csrf.clone()).unwrap_or_default(),
            signed_in: user.is_some(),
            moderator: has(Role::Moderator),
            manager: has(Role::ProcessManager),
            reviewer: has(Role::Reviewer),
        };
        (l, f)
    }
}

/// Renders a page; participation pages are never cached.
pub(crate) fn page<T: Template>(t: &T) -> Result<Response, AppError> {
    personal_page(t, StatusCode::OK)
}

/// A page that says why something was refused or went wrong, with a way back.
#[derive(Template)]
#[template(path = "participation/notice.html")]
struct Notice {
    l: Layout,
    t: &'static PMsgs,
    heading: String,
    message: String,
    back: String,
}

/// The end of a form's POST (the kit's form style with participation's refusals): saved → 303
/// to the page `saved` names; invalid → the form page again with the user's input and the
/// errors, as `form` renders it (422 by `form_page`); refused → the notice that says why
/// ([`fail`]), with a way `back`.
pub(crate) async fn end_form(
    state: &AppState,
    locale: Locale,
    uri: &axum::extract::OriginalUri,
    back: &str,
    saved: Result<String, PError>,
    form: impl AsyncFnOnce(FieldErrors) -> Result<Response, AppError>,
) -> Result<Response, AppError> {
    let errors_of = |e| match e {
        PError::Invalid(errs) => Ok(field_errors(&errs, locale)),
        e => Err(Refusal {
            state,
            locale,
            uri,
            back,
            e,
        }),
    };
    sozialatlas_web_kit::end_form(saved, errors_of, form).await
}

/// A refused step, answered by [`fail`] when it is turned into a response.
struct Refusal<'a> {
    state: &'a AppState,
    locale: Locale,
    uri: &'a axum::extract::OriginalUri,
    back: &'a str,
    e: PError,
}

impl IntoResponse for Refusal<'_> {
    fn into_response(self) -> Response {
        fail(self.state, self.locale, self.uri, self.back, self.e)
    }
}

/// Turns a participation error into a response: 404, 403 with the reason, 409 for a step the
/// life cycle or the phase does not allow, 429 for too many posts; store failures are 500s.
pub(crate) fn fail(
    state: &AppState,
    locale: Locale,
    uri: &axum::extract::OriginalUri,
    back: &str,
    e: PError,
) -> Response {
    let t = pmsgs(locale);
    let (status, heading, message) = match &e {
        PError::NotFound(_) => return AppError::NotFound(String::new()).into_response(),
        PError::Denied(part::Denied::Role(_)) => {
            return AppError::Forbidden(crate::auth::Denied::Role).into_response();
        }
        PError::Denied(d) => (
            StatusCode::FORBIDDEN,
            t.refused_title,
            match d {
                part::Denied::OwnContent => t.denied_own,
                part::Denied::NotAuthor => t.denied_not_author,
                part::Denied::Blocked => t.denied_blocked,
                part::Denied::Role(_) => t.denied_role,
            }
            .to_string(),
        ),
        PError::PhaseClosed(p) => (
            StatusCode::FORBIDDEN,
            t.phase_closed_title,
            match p {
                part::Permission::Propose => t.phase_closed_propose,
                part::Permission::Comment => t.phase_closed_comment,
                part::Permission::Support => t.phase_closed_support,
            }
            .to_string(),
        ),
        PError::Transition { from, to, .. } => (
            StatusCode::CONFLICT,
            t.refused_title,
            t.transition_refused
                .replace("{from}", text::state_label(*from, locale))
                .replace("{to}", text::state_label(*to, locale)),
        ),
        PError::Conflict(c) => (
            StatusCode::CONFLICT,
            t.refused_title,
            text::conflict_message(c, locale).to_string(),
        ),
        PError::RateLimited {
            limit,
            window_minutes,
            ..
        } => {
            let mut r = no_store(
                render_notice(
                    state,
                    locale,
                    uri,
                    t.rate_limited_title,
                    t.rate_limited
                        .replace("{limit}", &limit.to_string())
                        .replace("{minutes}", &window_minutes.to_string()),
                    back,
                )
                .unwrap_or_else(|e| e.into_response()),
            );
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(*window_minutes as u64 * 60),
            );
            return r;
        }
        PError::Invalid(errs) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.invalid_title,
            errs.iter()
                .map(|e| field_message(e, locale))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        PError::Upload(errs) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.invalid_title,
            errs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        PError::Sql(_) | PError::Store(_) | PError::Accounts(_) | PError::Xlsx(_) => {
            return AppError::from(e).into_response();
        }
    };
    let mut r = render_notice(state, locale, uri, heading, message, back)
        .unwrap_or_else(|e| e.into_response());
    *r.status_mut() = status;
    r
}

fn render_notice(
    state: &AppState,
    locale: Locale,
    uri: &axum::extract::OriginalUri,
    heading: &str,
    message: String,
    back: &str,
) -> Result<Response, AppError> {
    page(&Notice {
        l: Layout::new(state, locale, heading, uri.0.path(), uri.0.query()),
        t: pmsgs(locale),
        heading: heading.to_string(),
        message,
        back: back.to_string(),
    })
}

/// What a form field is called on its form, without the "(freiwillig)" of its label, so that
/// an error names the field it is about; `None` for a name no form has.
fn field_label(field: &str, t: &PMsgs) -> Option<String> {
    // The rows of the process form: `phase_2_title`, `field_0_title`.
    let row = |prefix: &str| {
        let rest = field.strip_prefix(prefix)?;
        let (i, name) = rest.split_once('_')?;
        Some((i.parse::<usize>().ok()? + 1, name))
    };
    if let Some((n, name)) = row("phase_") {
        let label = match name {
            "kind" => t.phase_kind,
            "title" => t.phase_title,
            "description" => t.description,
            "start" => t.starts_on,
            "end" => t.ends_on,
            _ => return None,
        };
        return Some(format!("{} {n}, {}", t.phase, bare(label)));
    }
    if let Some((n, _)) = row("field_") {
        return Some(format!("{} {n}, {}", t.field, bare(t.field_title)));
    }
    let label = match field {
        "title" => t.idea_title,
        "description" => t.description,
        "area" => t.action_area,
        "field" => t.field,
        "group_type" => t.on_behalf_of,
        "group_name" => t.group_name,
        "lat" => t.latitude,
        "lon" => t.longitude,
        "cost" => t.cost_estimate_optional,
        "reason" => t.reason,
        "date" => t.date,
        "start" => t.start_time,
        "end" => t.end_time,
        "code" => t.code,
        "budget" => t.budget,
        "progress" => t.progress,
        "attendees" => t.attendees_label,
        "parent" => t.part_of,
        "reference_prefix" => t.reference_prefix,
        "set" => t.action_area_set,
        "body" => t.your_comment,
        "accessibility" => t.accessibility,
        "hide_after_reports" => t.hide_after_reports,
        "minutes" => t.minutes,
        "office" => t.office,
        "place" => t.place,
        "status" => t.status,
        "place_area" => t.place_label,
        _ => return None,
    };
    Some(bare(label).to_string())
}

/// A label without its parenthesis: "Ende (Uhrzeit, freiwillig)" → "Ende".
fn bare(label: &str) -> &str {
    label.split(" (").next().unwrap_or(label).trim()
}

/// A form field's problem in words, naming the field ("Bitte „Titel“ ausfüllen.",
/// "Geschätzte Kosten in Euro: …"), as the error summary lists it and the field shows it.
pub(crate) fn field_message(e: &FieldError, locale: Locale) -> String {
    let t = pmsgs(locale);
    let problem = problem_message(e, locale);
    match (field_label(&e.field, t), &e.problem) {
        (Some(label), Problem::Required) => t.p_required_named.replace("{field}", &label),
        (Some(label), _) => format!("{label}: {problem}"),
        (None, _) => problem,
    }
}

/// A form field's problem in words.
fn problem_message(e: &FieldError, locale: Locale) -> String {
    let t = pmsgs(locale);
    match &e.problem {
        Problem::Required => t.p_required.to_string(),
        Problem::TooShort { min } => t.p_too_short.replace("{n}", &min.to_string()),
        Problem::TooLong { max } => t.p_too_long.replace("{n}", &max.to_string()),
        Problem::Unknown(v) => t.p_unknown.replace("{v}", v),
        Problem::NotANumber(v) => t.p_not_a_number.replace("{v}", v),
        Problem::OutOfRange { min, max } if min == max => {
            t.p_exactly.replace("{n}", &min.to_string())
        }
        Problem::OutOfRange { min, max } => t
            .p_range
            .replace("{min}", &min.to_string())
            .replace("{max}", &max.to_string()),
        Problem::NotADate(v) => t.p_not_a_date.replace("{v}", v),
        Problem::NotATime(v) => t.p_not_a_time.replace("{v}", v),
        Problem::OutsideArea => t.p_outside_area.to_string(),
        Problem::Incomplete => t.p_incomplete.to_string(),
        Problem::EndBeforeStart => t.p_end_before_start.to_string(),
        Problem::Overlap => t.p_overlap.to_string(),
        Problem::InUse => t.p_in_use.to_string(),
        Problem::Duplicate(v) => t.p_duplicate.replace("{v}", v),
    }
}

/// The errors of a form in words, by field (the first problem of each field).
pub(crate) fn field_errors(errs: &[FieldError], locale: Locale) -> FieldErrors {
    errs.iter()
        .map(|e| (e.field.as_str(), field_message(e, locale)))
        .collect()
}

/// The end of a POST that asks participation for a step: done → 303 to `to`; refused or
/// invalid → the notice that says why ([`fail`]), with a way back to `to`.
pub(crate) fn done(
    state: &AppState,
    locale: Locale,
    uri: &axum::extract::OriginalUri,
    to: &str,
    step: Result<(), PError>,
) -> Response {
    match step {
        Ok(()) => see_other(to),
        Err(e) => fail(state, locale, uri, to, e),
    }
}

/// Display names of users by id (a deleted account has none: "deleted participant").
pub(crate) async fn names(
    state: &AppState,
    ids: impl IntoIterator<Item = i64>,
) -> HashMap<i64, String> {
    let mut out = HashMap::new();
    for id in ids {
        if out.contains_key(&id) {
            continue;
        }
        // A deleted account keeps its row with an empty name: shown as "deleted participant".
        if let Ok(Some(u)) = sozialatlas_accounts::get_user(state.pool(), id).await
            && !u.display_name.is_empty()
        {
            out.insert(id, u.display_name);
        }
    }
    out
}

/// Text as paragraphs (blank lines separate them); single line breaks are kept as separate
/// lines within a paragraph by the template.
pub(crate) fn paragraphs(s: &str) -> Vec<Vec<String>> {
    s.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(|l| l.trim_end().to_string())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The offset of German time (CET/CEST) from UTC at a moment: +2 h from the last Sunday of
/// March 01:00 UTC to the last Sunday of October 01:00 UTC, else +1 h.
fn berlin_offset(t: time::OffsetDateTime) -> time::UtcOffset {
    use time::{Date, Month, Time};
    let last_sunday = |y: i32, m: Month| {
        let mut d = Date::from_calendar_date(y, m, 31).unwrap_or(Date::MIN);
        while d.weekday() != time::Weekday::Sunday {
            d = d.previous_day().unwrap_or(d);
        }
        d.with_time(Time::from_hms(1, 0, 0).unwrap_or(Time::MIDNIGHT))
            .assume_utc()
    };
    let y = t.year();
    let summer = t >= last_sunday(y, Month::March) && t < last_sunday(y, Month::October);
    time::UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).unwrap_or(time::UtcOffset::UTC)
}

/// A stored timestamp as local date and time for readers (`04.05.2026, 12:00`).
pub(crate) fn when(stamp: &str, locale: Locale) -> String {
    let Some(t) = part::clock::parse_stamp(stamp) else {
        return stamp.to_string();
    };
    let l = t.to_offset(berlin_offset(t));
    match locale {
        Locale::De => format!(
            "{:02}.{:02}.{}, {:02}:{:02} Uhr",
            l.day(),
            l.month() as u8,
            l.year(),
            l.hour(),
            l.minute()
        ),
        Locale::En => format!(
            "{} {} {}, {:02}:{:02}",
            l.day(),
            month_en(l.month()),
            l.year(),
            l.hour(),
            l.minute()
        ),
    }
}

fn month_en(m: time::Month) -> &'static str {
    use time::Month::*;
    match m {
        January => "Jan",
        February => "Feb",
        March => "Mar",
        April => "Apr",
        May => "May",
        June => "Jun",
        July => "Jul",
        August => "Aug",
        September => "Sep",
        October => "Oct",
        November => "Nov",
        December => "Dec",
    }
}

/// A date `YYYY-MM-DD` (or the date part of a stamp / a local `…THH:MM`) for readers.
pub(crate) fn day(s: &str, locale: Locale) -> String {
    let d = s.get(..10).unwrap_or(s);
    let Some(date) = part::clock::parse_date(d) else {
        return s.to_string();
    };
    match locale {
        Locale::De => format!(
            "{:02}.{:02}.{}",
            date.day(),
            date.month() as u8,
            date.year()
        ),
        Locale::En => format!("{} {} {}", date.day(), month_en(date.month()), date.year()),
    }
}

/// A local meeting time `YYYY-MM-DDTHH:MM` for readers.
pub(crate) fn local_when(s: &str, locale: Locale) -> String {
    let time = s.split_once('T').map(|(_, t)| t).unwrap_or("");
    match locale {
        Locale::De if !time.is_empty() => format!("{}, {time} Uhr", day(s, locale)),
        _ if !time.is_empty() => format!("{}, {time}", day(s, locale)),
        _ => day(s, locale),
    }
}

/// Whole euros for readers (`12.500 €`, `€12,500`).
pub(crate) fn euros(n: i64, locale: Locale) -> String {
    let s = sozialatlas_core::locale::format_decimal(n as f64, 0, locale);
    match locale {
        Locale::De => format!("{s} €"),
        Locale::En => format!("€{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_a_form_shows_an_error_at_is_named_in_its_message() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/participation");
        let mut fields = Vec::new();
        for entry in std::fs::read_dir(dir).expect("templates") {
            let text = std::fs::read_to_string(entry.expect("entry").path()).expect("template");
            for part in text.split("errors.message(\"").skip(1) {
                fields.extend(part.split('"').next().map(str::to_string));
            }
        }
        assert!(fields.len() > 20, "{fields:?}");
        fields
            .extend(["phase_0_title", "phase_2_end", "field_1_title", "reason"].map(String::from));
        for locale in [Locale::De, Locale::En] {
            for f in &fields {
                let e = FieldError::new(f, Problem::Required);
                let m = field_message(&e, locale);
                assert!(
                    m != pmsgs(locale).p_required && !m.contains('(') && m.len() > 15,
                    "{f}: {m}"
                );
            }
        }
        let t = |f: &str, p| field_message(&FieldError::new(f, p), Locale::De);
        assert_eq!(t("title", Problem::Required), "Bitte „Titel“ ausfüllen.");
        assert_eq!(
            t("phase_1_end", Problem::Required),
            "Bitte „Phase 2, Ende“ ausfüllen."
        );
        assert!(
            t("cost", Problem::NotANumber("zwölf".into()))
                .starts_with("Geschätzte Kosten in Euro: ")
        );
    }

    #[test]
    fn german_time() {
        // Winter: +1, summer: +2, switching at 01:00 UTC on the last Sundays.
        assert_eq!(
            when("2026-01-15T11:00:00Z", Locale::De),
            "15.01.2026, 12:00 Uhr"
        );
        assert_eq!(
            when("2026-05-04T10:00:00Z", Locale::De),
            "04.05.2026, 12:00 Uhr"
        );
        assert_eq!(
            when("2026-03-29T00:59:00Z", Locale::De),
            "29.03.2026, 01:59 Uhr"
        );
        assert_eq!(
            when("2026-03-29T01:00:00Z", Locale::De),
            "29.03.2026, 03:00 Uhr"
        );
        assert_eq!(
            when("2026-10-25T00:59:00Z", Locale::En),
            "25 Oct 2026, 02:59"
        );
        assert_eq!(
            when("2026-10-25T01:00:00Z", Locale::En),
            "25 Oct 2026, 02:00"
        );
        assert_eq!(day("2026-05-04", Locale::De), "04.05.2026");
        assert_eq!(
            local_when("2026-05-12T18:00", Locale::De),
            "12.05.2026, 18:00 Uhr"
        );
        assert_eq!(euros(12500, Locale::De), "12.500 €");
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            paragraphs("a\r\nb\n\n\nc\n"),
            vec![
                vec!["a".to_string(), "b".to_string()],
                vec!["c".to_string()]
            ]
        );
    }
}
