//! The public pages: the list of offices and one office with address, opening hours, the
//! action areas it serves and its published (suppressed) figures.

use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_offices::offices::{self, Office};
use sozialatlas_offices::stats::{Period, Shown, Unit, public_statistics};
use sozialatlas_offices::{Date, atlas};

use super::text::OfficeMsgs;
use super::{office_msgs, page_error, show_count};
use crate::AppState;
use crate::error::AppError;
use crate::i18n::prefix;
use crate::layout::{Layout, personal_page};
use sozialatlas_web_kit::Ctx;

/// An office as the templates show it.
pub struct OfficeView {
    pub slug: String,
    pub name: String,
    pub street: String,
    pub town: String,
    pub phone: String,
    pub email: String,
    pub hours: Vec<String>,
    pub accessibility: String,
    pub description: String,
    pub example: bool,
    pub areas: Vec<AreaLink>,
}

/// An action area with its public page (indicators, ideas, meetings, measures) and, when it is
/// one area of the atlas, that area's profile (else empty).
pub struct AreaLink {
    pub name: String,
    pub href: String,
    pub profile: String,
}

/// The action areas, each place once: an office that serves the same members in an older and
/// a newer set of action areas (the set was saved again) serves one place; the newest of its
/// areas (the highest id) stands for it. In the order given.
fn each_place_once(areas: &[offices::OfficeArea]) -> Vec<&offices::OfficeArea> {
    areas
        .iter()
        .filter(|a| {
            !areas
                .iter()
                .any(|b| b.id > a.id && b.level == a.level && b.members == a.members)
        })
        .collect()
}

pub(crate) fn view(o: &Office, state: &AppState, locale: Locale) -> OfficeView {
    let p = prefix(locale);
    let snap = state.snapshot();
    OfficeView {
        slug: o.slug.clone(),
        name: o.name.clone(),
        street: o.street.clone(),
        town: format!("{} {}", o.postcode, o.city),
        phone: o.phone.clone().unwrap_or_default(),
        email: o.email.clone().unwrap_or_default(),
        hours: o.hours().into_iter().map(str::to_string).collect(),
        accessibility: o.accessibility.clone().unwrap_or_default(),
        description: o.description.clone().unwrap_or_default(),
        example: o.is_example,
        areas: each_place_once(&o.areas)
            .into_iter()
            .map(|a| AreaLink {
                name: a.name.clone(),
                href: format!("{p}/participation/areas/{}", a.id),
                profile: match a.members.as_slice() {
                    [key]
                        if snap
                            .tree
                            .level_index(&a.level)
                            .and_then(|l| snap.tree.find(l, key))
                            .is_some() =>
                    {
                        format!("{p}/areas/{}/{key}", a.level)
                    }
                    _ => String::new(),
                },
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "offices/list.html")]
struct ListPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    offices: Vec<OfficeView>,
}

/// `/offices`: every public office.
pub async fn list(Ctx(state, locale, uri, _): Ctx<()>) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let all = offices::public_offices(state.pool())
        .await
        .map_err(|e| page_error(e, locale))?;
    let page = ListPage {
        l: Layout::new(&state, locale, t.offices_title, uri.0.path(), uri.0.query()),
        t,
        p: prefix(locale),
        offices: all.iter().map(|o| view(o, &state, locale)).collect(),
    };
    personal_page(&page, StatusCode::OK)
}

/// One row of a figures table.
pub struct FigureRow {
    pub label: String,
    pub cells: Vec<String>,
}

/// A table of published figures for one action area.
pub struct FigureTable {
    pub area: String,
    pub years: Vec<String>,
    pub rows: Vec<FigureRow>,
    pub atlas_href: String,
}

#[derive(Template)]
#[template(path = "offices/office.html")]
struct OfficePage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    o: OfficeView,
    tables: Vec<FigureTable>,
    threshold: u32,
}

pub(crate) fn shown(s: Option<Shown>, t: &OfficeMsgs, locale: Locale) -> String {
    match s {
        Some(Shown::Value(v)) => show_count(v, locale),
        Some(Shown::Suppressed) => t.suppressed_mark.to_string(),
        None => "–".to_string(),
    }
}

/// `/offices/{slug}`: address, opening hours, action areas, the published figures.
pub async fn office(
    Ctx(state, locale, uri, _): Ctx<()>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let pool = state.pool();
    let o = offices::public_office(pool, &slug)
        .await
        .map_err(|e| page_error(e, locale))?
        .ok_or_else(|| AppError::NotFound(t.office_not_found.into()))?;
    let stats = public_statistics(pool, Date::today())
        .await
        .map_err(|e| page_error(e, locale))?;
    let snap = state.snapshot();
    let p = prefix(locale);
    let en = locale == Locale::En;
    let mut tables = Vec::new();
    for a in &o.areas {
        if stats.years.is_empty() {
            break;
        }
        let years: Vec<i32> = stats.years.iter().rev().take(5).rev().copied().collect();
        let rows = stats
            .measures
            .iter()
            .enumerate()
            .map(|(mi, m)| FigureRow {
                label: match m {
                    sozialatlas_offices::stats::Measure::Cases => t.new_cases.to_string(),
                    sozialatlas_offices::stats::Measure::Contacts => t.contacts.to_string(),
                    sozialatlas_offices::stats::Measure::Topic {
                        label_de, label_en, ..
                    } => format!(
                        "{}: {}",
                        t.topic_prefix,
                        if en { label_en } else { label_de }
                    ),
                },
                cells: years
                    .iter()
                    .map(|&y| {
                        shown(
                            stats.get(
                                Unit::Area(a.id),
                                Period {
                                    year: y,
                                    quarter: None,
                                },
                                mi,
                            ),
                            t,
                            locale,
                        )
                    })
                    .collect(),
            })
            .collect();
        let atlas_href = match (
            a.members.as_slice(),
            snap.catalogue.indicator(&atlas::indicator_id(
                &sozialatlas_offices::stats::Measure::Cases,
            )),
            years.last(),
        ) {
            ([key], Some(_), Some(y))
                if snap
                    .tree
                    .level_index(&a.level)
                    .and_then(|l| snap.tree.find(l, key))
                    .is_some() =>
            {
                format!("{p}/indicators/office_cases/{}/{y}", a.level)
            }
            _ => String::new(),
        };
        tables.push(FigureTable {
            area: a.name.clone(),
            years: years.iter().map(i32::to_string).collect(),
            rows,
            atlas_href,
        });
    }
    let page = OfficePage {
        l: Layout::new(&state, locale, &o.name, uri.0.path(), uri.0.query()),
        t,
        p,
        o: view(&o, &state, locale),
        tables,
        threshold: stats.threshold,
    };
    personal_page(&page, StatusCode::OK)
}
