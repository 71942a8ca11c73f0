//! Administration of the offices (administrators): create and edit offices with their action
//! areas, assign staff, set the retention period.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use sozialatlas_core::Locale;
use sozialatlas_offices::Actor;
use sozialatlas_offices::offices::{self, Office, OfficeInput};

use super::staff::Choice;
use super::text::OfficeMsgs;
use super::{actor, field_errors, office_msgs, page_error};
use crate::AppState;
use crate::auth::{CurrentUser, FormFields};
use crate::error::AppError;
use crate::i18n::prefix;
use crate::layout::Layout;
use sozialatlas_web_kit::{Ctx, FieldErrors, FormPage, end_form, form_page, see_other};

pub struct OfficeRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub public: bool,
    pub example: bool,
    pub areas: String,
}

/// The office form's values.
#[derive(Default)]
pub struct OfficeForm {
    pub slug: String,
    pub name: String,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    pub accessibility: String,
    pub description: String,
    pub opened_on: String,
    pub public: bool,
    pub areas: Vec<Choice>,
}

/// The acting user, if an administrator; 403 for anyone else.
fn admin(user: &CurrentUser) -> Result<Actor, AppError> {
    let a = actor(user);
    a.admin
        .then_some(a)
        .ok_or(AppError::Forbidden(crate::auth::Denied::Role))
}

/// The office form with the action areas to choose from: the user's `input` if there is one,
/// else `fresh` (the form and its action areas).
async fn office_form(
    state: &AppState,
    locale: Locale,
    input: Option<OfficeInput>,
    fresh: impl FnOnce() -> (OfficeForm, Vec<i64>),
) -> Result<OfficeForm, AppError> {
    let (mut form, selected) = match input {
        Some(i) => (form_from(&i), i.action_areas),
        None => fresh(),
    };
    form.areas = area_choices(state, &selected, locale).await?;
    Ok(form)
}

async fn area_choices(
    state: &AppState,
    selected: &[i64],
    locale: Locale,
) -> Result<Vec<Choice>, AppError> {
    let t = office_msgs(locale);
    let mut out: Vec<Choice> = Vec::new();
    let sets = sozialatlas_store::list_action_area_sets(state.pool()).await?;
    for (i, set) in sets.iter().enumerate() {
        for a in &set.areas {
            // The current set, and any older area an office already serves.
            if i == 0 || selected.contains(&a.id) {
                out.push(Choice {
                    value: a.id.to_string(),
                    label: if i == 0 {
                        a.name.clone()
                    } else {
                        format!("{} ({} {})", a.name, t.older_set, set.name)
                    },
                    selected: selected.contains(&a.id),
                });
            }
        }
    }
    Ok(out)
}

fn form_of(o: &Office) -> OfficeForm {
    OfficeForm {
        slug: o.slug.clone(),
        name: o.name.clone(),
        street: o.street.clone(),
        postcode: o.postcode.clone(),
        city: o.city.clone(),
        phone: o.phone.clone().unwrap_or_default(),
        email: o.email.clone().unwrap_or_default(),
        hours: o.opening_hours.clone(),
        accessibility: o.accessibility.clone().unwrap_or_default(),
        description: o.description.clone().unwrap_or_default(),
        opened_on: o.opened_on.map(|d| d.to_string()).unwrap_or_default(),
        public: o.is_public,
        areas: Vec::new(),
    }
}

fn input_of(f: &FormFields) -> OfficeInput {
    OfficeInput {
        slug: f.get("slug").to_string(),
        name: f.get("name").to_string(),
        street: f.get("street").to_string(),
        postcode: f.get("postcode").to_string(),
        city: f.get("city").to_string(),
        phone: f.get("phone").to_string(),
        email: f.get("email").to_string(),
        opening_hours: f.get("opening_hours").to_string(),
        accessibility: f.get("accessibility").to_string(),
        description: f.get("description").to_string(),
        opened_on: f.get("opened_on").to_string(),
        is_public: f.get("is_public") == "1",
        is_example: false,
        action_areas: f
            .0
            .iter()
            .filter(|(k, _)| k == "action_areas")
            .filter_map(|(_, v)| v.parse().ok())
            .collect(),
    }
}

fn form_from(i: &OfficeInput) -> OfficeForm {
    OfficeForm {
        slug: i.slug.clone(),
        name: i.name.clone(),
        street: i.street.clone(),
        postcode: i.postcode.clone(),
        city: i.city.clone(),
        phone: i.phone.clone(),
        email: i.email.clone(),
        hours: i.opening_hours.clone(),
        accessibility: i.accessibility.clone(),
        description: i.description.clone(),
        opened_on: i.opened_on.clone(),
        public: i.is_public,
        areas: Vec::new(),
    }
}

#[derive(Template)]
#[template(path = "offices/admin_list.html")]
struct ListPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    csrf: String,
    rows: Vec<OfficeRow>,
    f: OfficeForm,
    errors: FieldErrors,
    retention_months: u32,
    notice: &'static str,
}

impl FormPage for ListPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

async fn list_page(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    f: Option<OfficeInput>,
    errors: FieldErrors,
    notice: &'static str,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = admin(user)?;
    let pool = state.pool();
    let all = offices::all_offices(pool, &a)
        .await
        .map_err(|e| page_error(e, locale))?;
    let form = office_form(state, locale, f, || {
        let fresh = OfficeForm {
            public: true,
            ..Default::default()
        };
        (fresh, Vec::new())
    })
    .await?;
    let p = prefix(locale);
    let page = ListPage {
        l: Layout::new(
            state,
            locale,
            t.admin_title,
            &format!("{p}/admin/offices"),
            None,
        ),
        t,
        p,
        csrf: user.csrf.clone(),
        rows: all
            .iter()
            .map(|o| OfficeRow {
                id: o.id,
                slug: o.slug.clone(),
                name: o.name.clone(),
                public: o.is_public,
                example: o.is_example,
                areas: o
                    .areas
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        f: form,
        errors,
        retention_months: offices::retention_months(pool)
            .await
            .map_err(|e| page_error(e, locale))?,
        notice,
    };
    form_page(&page)
}

/// `/admin/offices`.
pub async fn list(
    Ctx(state, locale, _, user): Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let notice = match q.get("notice").map(String::as_str) {
        Some("retention") => t.saved_notice,
        _ => "",
    };
    list_page(&state, locale, &user, None, FieldErrors::new(), notice).await
}

/// POST `/admin/offices`: a new office.
pub async fn create(
    Ctx(state, locale, _, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let input = input_of(&form);
    let saved = offices::create_office(state.pool(), &actor(&user), &input)
        .await
        .map(|id| format!("{}/admin/offices/{id}", prefix(locale)));
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| list_page(&state, locale, &user, Some(input), errors, "").await,
    )
    .await
}

/// POST `/admin/offices/retention`.
pub async fn retention(
    Ctx(state, locale, _, user): Ctx,
    form: FormFields,
) -> Result<Response, AppError> {
    let months: u32 = form.get("retention_months").trim().parse().unwrap_or(0);
    let saved = offices::set_retention_months(state.pool(), Some(&actor(&user)), months)
        .await
        .map(|()| format!("{}/admin/offices?notice=retention", prefix(locale)));
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| list_page(&state, locale, &user, None, errors, "").await,
    )
    .await
}

pub struct StaffRow {
    pub user_id: i64,
    pub name: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "offices/admin_edit.html")]
struct EditPage {
    l: Layout,
    t: &'static OfficeMsgs,
    p: &'static str,
    csrf: String,
    id: i64,
    f: OfficeForm,
    staff: Vec<StaffRow>,
    errors: FieldErrors,
    email: String,
    notice: &'static str,
}

impl FormPage for EditPage {
    fn errors(&self) -> &FieldErrors {
        &self.errors
    }
}

#[allow(clippy::too_many_arguments)]
async fn edit_page(
    state: &AppState,
    locale: Locale,
    user: &CurrentUser,
    id: i64,
    f: Option<OfficeInput>,
    errors: FieldErrors,
    email: String,
    notice: &'static str,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = admin(user)?;
    let pool = state.pool();
    let o = offices::office(pool, &a, id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let staff = offices::staff_of(pool, &a, id)
        .await
        .map_err(|e| page_error(e, locale))?;
    let form = office_form(state, locale, f, || {
        (form_of(&o), o.areas.iter().map(|a| a.id).collect())
    })
    .await?;
    let p = prefix(locale);
    let page = EditPage {
        l: Layout::new(
            state,
            locale,
            &o.name,
            &format!("{p}/admin/offices/{id}"),
            None,
        ),
        t,
        p,
        csrf: user.csrf.clone(),
        id,
        f: form,
        staff: staff
            .into_iter()
            .map(|s| StaffRow {
                user_id: s.user_id,
                name: s.display_name,
                since: s.since,
            })
            .collect(),
        errors,
        email,
        notice,
    };
    form_page(&page)
}

/// `/admin/offices/{id}`.
pub async fn edit(
    Ctx(state, locale, _, user): Ctx,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let notice = match q.get("notice").map(String::as_str) {
        Some("saved") => t.saved_notice,
        Some("staff") => t.staff_saved_notice,
        _ => "",
    };
    edit_page(
        &state,
        locale,
        &user,
        id,
        None,
        FieldErrors::new(),
        String::new(),
        notice,
    )
    .await
}

/// POST `/admin/offices/{id}`: save the office.
pub async fn update(
    Ctx(state, locale, _, user): Ctx,
    Path(id): Path<i64>,
    form: FormFields,
) -> Result<Response, AppError> {
    let a = actor(&user);
    let mut input = input_of(&form);
    // The example flag is the demo's; an edit keeps it.
    if let Ok(o) = offices::office(state.pool(), &a, id).await {
        input.is_example = o.is_example;
    }
    let saved = offices::update_office(state.pool(), &a, id, &input)
        .await
        .map(|()| format!("{}/admin/offices/{id}?notice=saved", prefix(locale)));
    end_form(
        saved,
        |e| field_errors(e, locale),
        async |errors| {
            edit_page(
                &state,
                locale,
                &user,
                id,
                Some(input),
                errors,
                String::new(),
                "",
            )
            .await
        },
    )
    .await
}

/// POST `/admin/offices/{id}/staff`: assign an account by its e-mail address.
pub async fn assign(
    Ctx(state, locale, _, user): Ctx,
    Path(id): Path<i64>,
    form: FormFields,
) -> Result<Response, AppError> {
    let t = office_msgs(locale);
    let a = admin(&user)?;
    let email = form.get("staff_email").trim().to_string();
    let found = sozialatlas_accounts::find_user_by_email(state.pool(), &email).await?;
    let Some(u) = found else {
        let errors = FieldErrors::one("staff_email", t.no_such_account);
        return edit_page(&state, locale, &user, id, None, errors, email, "").await;
    };
    let saved = offices::assign_staff(state.pool(), &a, id, u.id)
        .await
        .map(|()| format!("{}/admin/offices/{id}?notice=staff", prefix(locale)));
    // The domain names the account field `user`; the form's field is `staff_email`.
    end_form(
        saved,
        |e| super::field_errors_at(e, locale, Some("staff_email")),
        async |errors| edit_page(&state, locale, &user, id, None, errors, email, "").await,
    )
    .await
}

/// POST `/admin/offices/{id}/staff/{user}/remove`.
pub async fn unassign(
    Ctx(state, locale, _, user): Ctx,
    Path((id, uid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    offices::unassign_staff(state.pool(), &actor(&user), id, uid)
        .await
        .map_err(|e| page_error(e, locale))?;
    Ok(see_other(&format!(
        "{}/admin/offices/{id}?notice=staff",
        prefix(locale)
    )))
}
