//! The supervisors' statistics (suppressed tables by office and action area, per quarter and
//! year) and the list of partner agencies.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_offices::Date;
use sozialatlas_offices::offices;
use sozialatlas_offices::stats::{self, Measure, Period, Unit};

use super::public::shown;
use super::staff::Choice;
use super::text::OfficeMsgs;
use super::{actor, field_errors, office_msgs, page_error};
use crate::AppState;
use crate::auth::{CurrentUser, FormFields};
use crate::error::AppError;
use crate::i18n::prefix;
use crate::layout::{Layout, personal_page};
use sozialatlas_web_kit::{Ctx, FieldErrors, FormPage, end_form, form_page, see_other};

pub struct StatRow {
    pub label: String,
    pub example: bool,
    pub group: bool,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "offices/statistics.html")]
struct StatsPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    years: Vec<Choice>,
    measures: Vec<Choice>,
    year: i32,
    running: bool,
    measure_label: String,
    periods: Vec<String>,
    by_period: Vec<StatRow>,
    units: Vec<String>,
    by_measure: Vec<StatRow>,
    threshold: u32,
    empty: bool,
}

fn measure_label(m: &Measure, t: &OfficeMsgs, en: bool) -> String {
    match m {
        Measure::Cases => t.new_cases.into(),
        Measure::Contacts => t.contacts.into(),
        Measure::Topic {
            label_de, label_en, ..
        } => format!(
            "{}: {}",
            t.topic_prefix,
            if en { label_en } else { label_de }
        ),
    }
}

/// `/office/statistics`: supervisors only (the domain checks).
pub async fn page(
    Ctx(state, locale, uri, user): Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let en = locale == Locale::En;
    let today = Date::today();
    let s = stats::statistics(state.pool(), &actor(&user), today)
        .await
        .map_err(|e| page_error(e, locale))?;
    let year = q
        .get("year")
        .and_then(|y| y.parse::<i32>().ok())
        .filter(|y| s.years.contains(y))
        .or_else(|| s.years.iter().rev().find(|&&y| y < today.y).copied())
        .or(s.years.last().copied())
        .unwrap_or(today.y);
    let mi = q
        .get("measure")
        .and_then(|k| s.measures.iter().position(|m| &m.key() == k))
        .unwrap_or(0);
    let year_p = Period {
        year,
        quarter: None,
    };
    let periods: Vec<Period> = (1..=4)
        .map(|q| Period {
            year,
            quarter: Some(q),
        })
        .chain(std::iter::once(year_p))
        .collect();
    let mut units: Vec<(Unit, String, bool, bool)> =
        vec![(Unit::Total, t.all_offices.into(), false, true)];
    units.extend(
        s.offices
            .iter()
            .map(|o| (Unit::Office(o.id), o.name.clone(), o.is_example, false)),
    );
    let mut area_units: Vec<(Unit, String, bool, bool)> = s
        .areas
        .iter()
        .map(|a| {
            (
                Unit::Area(a.id),
                format!("{} {}", t.action_area, a.name),
                false,
                false,
            )
        })
        .collect();
    // Cases outside every action area, where there are any in the year.
    if s.get(Unit::Outside, year_p, mi).is_some() {
        area_units.push((Unit::Outside, t.outside_action_areas.into(), false, false));
    }
    let by_period = units
        .iter()
        .chain(area_units.iter())
        .map(|(u, label, example, group)| StatRow {
            label: label.clone(),
            example: *example,
            group: *group,
            cells: periods
                .iter()
                .map(|p| shown(s.get(*u, *p, mi), t, locale))
                .collect(),
        })
        .collect();
    let by_measure = s
        .measures
        .iter()
        .enumerate()
        .map(|(i, m)| StatRow {
            label: measure_label(m, t, en),
            example: false,
            group: i < 2,
            cells: units
                .iter()
                .map(|(u, ..)| shown(s.get(*u, year_p, i), t, locale))
                .collect(),
        })
        .collect();
    let page = StatsPage {
        l: Layout::new(&state, locale, t.stats_title, uri.0.path(), uri.0.query()),
        t,
        p: prefix(locale),
        years: s
            .years
            .iter()
            .rev()
            .map(|y| Choice {
                value: y.to_string(),
                label: if Some(*y) == s.running_year {
                    format!("{y} ({})", t.running)
                } else {
                    y.to_string()
                },
                selected: *y == year,
            })
            .collect(),
        measures: s
            .measures
            .iter()
            .enumerate()
            .map(|(i, m)| Choice {
                value: m.key(),
                label: measure_label(m, t, en),
                selected: i == mi,
            })
            .collect(),
        year,
        running: Some(year) == s.running_year,
        measure_label: s
            .measures
            .get(mi)
            .map(|m| measure_label(m, t, en))
            .unwrap_or_default(),
        periods: vec![
            "Q1".into(),
            "Q2".into(),
            "Q3".into(),
            "Q4".into(),
            t.year.to_string(),
        ],
        by_period,
        units: units.iter().map(|u| u.1.clone()).collect(),
        by_measure,
        threshold: s.threshold,
        empty: s.years.is_empty(),
    };
    personal_page(&page, StatusCode::OK)
}

pub struct PartnerRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub contact: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "offices/partners.html")]
struct PartnersPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    csrf: String,
    rows: Vec<PartnerRow>,
    manage: bool,
    name: String,
    kind: String,
    contact: String,
    errors: FieldErrors,
}

impl FormPage for PartnersPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

async fn partners_page(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    form: Option<&FormFields>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = actor(user);
    let list = offices::partners(state.pool(), &a)
        .await
        .map_err(|e| page_error(e, locale))?;
    let get = |k: &str| form.map(|f| f.get(k).to_string()).unwrap_or_default();
    let p = prefix(locale);
    let page = PartnersPage {
        l: Layout::new(
            state,
            locale,
            t.partners_title,
            &format!("{p}/office/partners"),
            None,
        ),
        t,
        p,
        csrf: user.csrf.clone(),
        rows: list
            .into_iter()
            .map(|x| PartnerRow {
                id: x.id,
                name: x.name,
                kind: x.kind,
                contact: x.contact.unwrap_or_default(),
                active: x.active,
            })
            .collect(),
        manage: a.admin || a.supervisor,
        name: get("name"),
        kind: get("kind"),
        contact: get("contact"),
        errors,
    };
    form_page(&page)
}

/// `/office/partners`: the partner agencies (staff read; supervisors and admins manage).
pub async fn partners(Ctx(state, locale, _, user): Ctx) -> Result<Response, AppError> {
    partners_page(&state, locale, &user, None, FieldErrors::new()).await
}

/// POST `/office/partners`: add one.
pub async fn add_partner(
    Ctx(state, locale, _, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let saved = offices::add_partner(
        state.pool(),
        &actor(&user),
        form.get("name"),
        form.get("kind"),
        form.get("contact"),
    )
    .await
    .map(|_| format!("{}/office/partners", prefix(locale)));
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| partners_page(&state, locale, &user, Some(&form), errors).await,
    )
    .await
}

/// POST `/office/partners/{id}/active`: retire or reactivate one.
pub async fn partner_active(
    Ctx(state, locale, _, user): Ctx,
    Path(id): Path<i64>,
    form: FormFields,
) -> Result<Response, AppError> {
    offices::set_partner_active(state.pool(), &actor(&user), id, form.get("active") == "1")
        .await
        .map_err(|e| page_error(e, locale))?;
    Ok(see_other(&format!("{}/office/partners", prefix(locale))))
}
