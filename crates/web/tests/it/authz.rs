//! The authorisation matrix: every route of the application × every role (and anonymous) →
//! the expected HTTP status. Table-driven; a route without a row fails the test, and so does a
//! row without a route.
//!
//! HOW TO ADD ROWS (every helper who adds a route adds its rows here):
//! 1. Register the route through `sozialatlas_web::Routes` (`.get(…)`, `.post(…)`), so that
//!    `sozialatlas_web::route_table()` lists it.
//! 2. Add a `row(method, pattern, sample, expect)` to [`ROWS`]: `pattern` exactly as registered
//!    (`/ideas/{id}`), `sample` a concrete path to request (`/ideas/1`), `expect` the status
//!    for each of [`ROLES`] in order: anonymous, participant, moderator, process-manager,
//!    reviewer, office-staff, office-supervisor, admin. Use the named sets (`PUBLIC`,
//!    `SIGNED_IN`, `ADMIN`, …) or write `[303, 403, 200, …]`.
//! 3. Pages are served in German and English: a row for `/x` covers `/en/x` too (sample
//!    `/en` + sample). Write an explicit `/en/…` row only where English differs.
//!
//! Requests: GET as is; POST/PUT/PATCH/DELETE with a valid CSRF token and no other field, so the
//! expectation of a form route is its answer to an empty form (the role check must come first:
//! 403 before 422). Each role's user holds that role and `participant`; "participant" holds only
//! `participant`. Anonymous requests have a session (they fetched a form first), so they also
//! carry a valid token: what they get is the route's own answer (usually 303 to the sign-in
//! page), not the CSRF refusal (`security.rs` tests that).

use crate::auth_support;
use std::collections::{HashMap, HashSet};

use crate::auth_support::{Browser, make_user};
use axum::http::Method;
use sozialatlas_accounts::Role;

/// The columns of the matrix.
const ROLES: [&str; 8] = [
    "anonymous",
    "participant",
    "moderator",
    "process-manager",
    "reviewer",
    "office-staff",
    "office-supervisor",
    "admin",
];

type Expect = [u16; 8];

/// Anyone, signed in or not.
const PUBLIC: Expect = [200; 8];
/// A redirect for everyone (e.g. to a canonical URL).
const REDIRECT: Expect = [303; 8];
/// Not found for everyone (sample ids that do not exist).
const NOT_FOUND: Expect = [404; 8];
/// A form error (422) for everyone: a public form sent empty.
const FORM_ANYONE: Expect = [422; 8];
/// Signed-in users: 200; anonymous: 303 to the sign-in page.
const SIGNED_IN: Expect = [303, 200, 200, 200, 200, 200, 200, 200];
/// A signed-in form sent empty: 422; anonymous: 303 to the sign-in page.
const SIGNED_IN_FORM: Expect = [303, 422, 422, 422, 422, 422, 422, 422];
/// Pages for anonymous visitors (sign-in, registration): signed-in users are sent on (303).
const ANONYMOUS_PAGE: Expect = [200, 303, 303, 303, 303, 303, 303, 303];
/// Administrators only.
const ADMIN: Expect = [303, 403, 403, 403, 403, 403, 403, 200];
/// An administrators' form sent empty.
const ADMIN_FORM: Expect = [303, 403, 403, 403, 403, 403, 403, 422];
/// A case that does not exist: the same 404 as a case of another office, for every role.
const OFFICE_CASE: Expect = [303, 404, 404, 404, 404, 404, 404, 404];
/// An office that does not exist: refused before the lookup, except for administrators.
const OFFICE_SLUG: Expect = [303, 403, 403, 403, 403, 403, 403, 404];

/// Participation: process managers (and administrators, who count as one).
const P_MANAGER: Expect = [303, 403, 403, 200, 403, 403, 403, 200];
/// A process manager's form sent empty.
const P_MANAGER_FORM: Expect = [303, 403, 403, 422, 403, 403, 403, 422];
/// A process manager's action on an idea that does not exist.
const P_MANAGER_404: Expect = [303, 403, 403, 404, 403, 403, 403, 404];
/// A moderator's action on an item that does not exist.
const P_MODERATOR_404: Expect = [303, 403, 404, 403, 403, 403, 403, 404];
/// A participant's action on an idea that does not exist.
const P_SIGNED_IN_404: Expect = [303, 404, 404, 404, 404, 404, 404, 404];

struct Row {
    method: &'static str,
    pattern: &'static str,
    sample: &'static str,
    expect: Expect,
}

const fn row(
    method: &'static str,
    pattern: &'static str,
    sample: &'static str,
    expect: Expect,
) -> Row {
    Row {
        method,
        pattern,
        sample,
        expect,
    }
}

const GET: &str = "GET";
const POST: &str = "POST";

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // ---------------------------------------------------------------- atlas pages (web)
    row(GET, "/", "/", PUBLIC),
    row(GET, "/healthz", "/healthz", PUBLIC),
    row(GET, "/readyz", "/readyz", PUBLIC),
    row(GET, "/en", "/en", PUBLIC),
    row(GET, "/en/", "/en/", [308; 8]),
    row(GET, "/search", "/search?q=arbeit", PUBLIC),
    row(GET, "/indicators", "/indicators", [308; 8]),
    row(GET, "/indicators/{id}", "/indicators/sgb2_quote", REDIRECT),
    row(GET, "/indicators/{id}/{level}/{year}", "/indicators/sgb2_quote/stadtteil/2022", PUBLIC),
    row(GET, "/areas", "/areas", PUBLIC),
    row(GET, "/areas/{level}/{key}", "/areas/stadt/0", PUBLIC),
    row(
        GET,
        "/areas/{level}/{key}/profile.csv",
        "/areas/stadtteil/1/profile.csv",
        PUBLIC,
    ),
    row(
        GET,
        "/areas/{level}/{key}/profile.pdf",
        "/areas/stadtteil/1/profile.pdf",
        PUBLIC,
    ),
    row(GET, "/compare", "/compare", PUBLIC),
    row(GET, "/data", "/data", PUBLIC),
    row(GET, "/data/{file}", "/data/datenpool.csv", PUBLIC),
    row(GET, "/catalogue", "/catalogue", PUBLIC),
    row(GET, "/sources", "/sources", PUBLIC),
    row(GET, "/static/{file}", "/static/atlas.css", PUBLIC),
    // ---------------------------------------------------------------- atlas API
    row(GET, "/api/v1/catalogue", "/api/v1/catalogue", PUBLIC),
    row(GET, "/api/v1/areas/{level}", "/api/v1/areas/stadtteil", PUBLIC),
    row(GET, "/api/v1/areas/{level}/{key}", "/api/v1/areas/stadt/0", PUBLIC),
    row(GET, "/api/v1/indicators/{id}/{level}/{year}", "/api/v1/indicators/sgb2_quote/stadtteil/2022", PUBLIC),
    row(GET, "/api/v1/openapi.json", "/api/v1/openapi.json", PUBLIC),
    // ---------------------------------------------------------------- analysis (analysis-web)
    row(GET, "/analysis", "/analysis", PUBLIC),
    row(GET, "/analysis/index", "/analysis/index", PUBLIC),
    row(GET, "/analysis/index.csv", "/analysis/index.csv?status=sgb2_quote", PUBLIC),
    row(GET, "/analysis/typology", "/analysis/typology", PUBLIC),
    row(GET, "/analysis/typology.csv", "/analysis/typology.csv", PUBLIC),
    // Regions: process managers and administrators; the form sent empty comes back with its
    // errors, the overlay files of a run that does not exist are 404.
    row(GET, "/analysis/regions", "/analysis/regions", P_MANAGER),
    row(POST, "/analysis/regions", "/analysis/regions", P_MANAGER_FORM),
    row(GET, "/analysis/runs/compare", "/analysis/runs/compare", [400; 8]), // no runs named
    row(GET, "/analysis/runs/{id}", "/analysis/runs/999", NOT_FOUND),
    row(GET, "/analysis/runs/{id}/regions.geojson", "/analysis/runs/999/regions.geojson", P_MANAGER_404),
    row(GET, "/analysis/runs/{id}/regions.csv", "/analysis/runs/999/regions.csv", P_MANAGER_404),
    row(GET, "/analysis/action-areas", "/analysis/action-areas", PUBLIC),
    // Saving a proposal as action areas: process managers and administrators; sent empty, the
    // form comes back with its errors.
    row(POST, "/analysis/action-areas", "/analysis/action-areas", [303, 403, 403, 422, 403, 403, 403, 422]),
    row(GET, "/api/v1/analysis/index", "/api/v1/analysis/index?status=sgb2_quote", PUBLIC),
    row(GET, "/api/v1/analysis/typology", "/api/v1/analysis/typology", PUBLIC),
    row(GET, "/api/v1/analysis/moran", "/api/v1/analysis/moran?indicator=sgb2_quote&permutations=99", PUBLIC),
    row(GET, "/api/v1/runs", "/api/v1/runs", PUBLIC),
    row(GET, "/api/v1/runs/{run}", "/api/v1/runs/999", NOT_FOUND),
    row(GET, "/api/v1/action-areas", "/api/v1/action-areas", PUBLIC),
    // ---------------------------------------------------------------- action offices (offices)
    // The matrix state has no office and no case: every office-staff or supervisor here belongs
    // to none. Which office's staff sees which case is tested in tests/it/offices.rs (staff of
    // office A against office B).
    row(GET, "/offices", "/offices", PUBLIC),
    row(GET, "/offices/{slug}", "/offices/nope", NOT_FOUND),
    row(GET, "/office", "/office", SIGNED_IN),
    row(GET, "/office/statistics", "/office/statistics", [303, 403, 403, 403, 403, 403, 200, 403]),
    row(GET, "/office/partners", "/office/partners", [303, 403, 403, 403, 403, 200, 200, 200]),
    row(POST, "/office/partners", "/office/partners", [303, 403, 403, 403, 403, 403, 422, 422]),
    row(POST, "/office/partners/{id}/active", "/office/partners/999/active", [303, 403, 403, 403, 403, 403, 404, 404]),
    row(GET, "/office/{slug}", "/office/nope", OFFICE_SLUG),
    row(GET, "/office/{slug}/due", "/office/nope/due", OFFICE_SLUG),
    row(GET, "/office/{slug}/new", "/office/nope/new", OFFICE_SLUG),
    row(POST, "/office/{slug}/new", "/office/nope/new", OFFICE_SLUG),
    row(GET, "/office/cases/{id}", "/office/cases/AB12CD34", OFFICE_CASE),
    row(POST, "/office/cases/{id}/topics", "/office/cases/AB12CD34/topics", OFFICE_CASE),
    row(POST, "/office/cases/{id}/owner", "/office/cases/AB12CD34/owner", OFFICE_CASE),
    row(POST, "/office/cases/{id}/specialists", "/office/cases/AB12CD34/specialists", OFFICE_CASE),
    row(POST, "/office/cases/{id}/specialists/{user}/remove", "/office/cases/AB12CD34/specialists/1/remove", OFFICE_CASE),
    row(POST, "/office/cases/{id}/contacts", "/office/cases/AB12CD34/contacts", OFFICE_CASE),
    row(POST, "/office/cases/{id}/notes", "/office/cases/AB12CD34/notes", OFFICE_CASE),
    row(POST, "/office/cases/{id}/followups", "/office/cases/AB12CD34/followups", OFFICE_CASE),
    row(POST, "/office/cases/{id}/followups/{fid}/done", "/office/cases/AB12CD34/followups/1/done", OFFICE_CASE),
    row(POST, "/office/cases/{id}/identity", "/office/cases/AB12CD34/identity", OFFICE_CASE),
    row(GET, "/office/cases/{id}/referral", "/office/cases/AB12CD34/referral", OFFICE_CASE),
    row(POST, "/office/cases/{id}/referral", "/office/cases/AB12CD34/referral", OFFICE_CASE),
    row(POST, "/office/cases/{id}/referrals/{rid}/state", "/office/cases/AB12CD34/referrals/1/state", OFFICE_CASE),
    row(POST, "/office/cases/{id}/referrals/{rid}/revoke", "/office/cases/AB12CD34/referrals/1/revoke", OFFICE_CASE),
    row(GET, "/office/cases/{id}/close", "/office/cases/AB12CD34/close", OFFICE_CASE),
    row(POST, "/office/cases/{id}/close", "/office/cases/AB12CD34/close", OFFICE_CASE),
    row(POST, "/office/cases/{id}/reopen", "/office/cases/AB12CD34/reopen", OFFICE_CASE),
    row(POST, "/office/cases/{id}/export", "/office/cases/AB12CD34/export", OFFICE_CASE),
    row(GET, "/office/cases/{id}/erase", "/office/cases/AB12CD34/erase", OFFICE_CASE),
    row(POST, "/office/cases/{id}/erase", "/office/cases/AB12CD34/erase", OFFICE_CASE),
    row(GET, "/admin/offices", "/admin/offices", ADMIN),
    row(POST, "/admin/offices", "/admin/offices", ADMIN_FORM),
    row(POST, "/admin/offices/retention", "/admin/offices/retention", ADMIN_FORM),
    row(GET, "/admin/offices/{id}", "/admin/offices/999", [303, 403, 403, 403, 403, 403, 403, 404]),
    row(POST, "/admin/offices/{id}", "/admin/offices/999", [303, 403, 403, 403, 403, 403, 403, 404]),
    row(POST, "/admin/offices/{id}/staff", "/admin/offices/999/staff", [303, 403, 403, 403, 403, 403, 403, 404]),
    row(POST, "/admin/offices/{id}/staff/{user}/remove", "/admin/offices/999/staff/1/remove", [303, 403, 403, 403, 403, 403, 403, 404]),
    // ---------------------------------------------------------------- accounts (accounts)
    row(GET, "/login", "/login", ANONYMOUS_PAGE),
    row(POST, "/login", "/login", FORM_ANYONE),
    row(POST, "/logout", "/logout", REDIRECT),
    row(GET, "/register", "/register", ANONYMOUS_PAGE),
    row(POST, "/register", "/register", FORM_ANYONE),
    row(GET, "/confirm/{token}", "/confirm/00ff", NOT_FOUND),
    row(POST, "/confirm/{token}", "/confirm/00ff", NOT_FOUND),
    row(GET, "/password/forgot", "/password/forgot", PUBLIC),
    row(POST, "/password/forgot", "/password/forgot", FORM_ANYONE),
    row(GET, "/password/reset/{token}", "/password/reset/00ff", NOT_FOUND),
    row(POST, "/password/reset/{token}", "/password/reset/00ff", NOT_FOUND),
    row(GET, "/account", "/account", SIGNED_IN),
    row(GET, "/account/export", "/account/export", SIGNED_IN),
    row(POST, "/account/name", "/account/name", SIGNED_IN_FORM),
    // Sent empty it turns the mails off (an unticked box): every signed-in user is sent back
    // to the account page, anonymous visitors to the sign-in page (the accounts tests check
    // where each goes).
    row(POST, "/account/notify", "/account/notify", REDIRECT),
    row(POST, "/account/password", "/account/password", SIGNED_IN_FORM),
    row(POST, "/account/delete", "/account/delete", SIGNED_IN_FORM),
    row(GET, "/admin/users", "/admin/users", ADMIN),
    row(POST, "/admin/users/{id}/roles", "/admin/users/1/roles", ADMIN_FORM),
    row(POST, "/admin/users/{id}/status", "/admin/users/1/status", ADMIN_FORM),
    row(GET, "/admin/audit", "/admin/audit", ADMIN),
    row(GET, "/admin/outbox", "/admin/outbox", ADMIN),
    // ---------------------------------------------------------------- participation (participation)
    // The matrix state holds the demo's participation example (process 1, ideas 1–9, meeting 1,
    // measures 1–3, action areas 1–4, comment 1); POSTs to ideas that do not exist (9999) show
    // the role check before the lookup (403 before 404).
    row(GET, "/participation", "/participation", PUBLIC),
    row(GET, "/participation/processes/{id}", "/participation/processes/1", PUBLIC),
    row(GET, "/participation/processes/{id}/ideas", "/participation/processes/1/ideas?state=accepted", PUBLIC),
    row(GET, "/participation/processes/{id}/export.csv", "/participation/processes/1/export.csv", PUBLIC),
    row(GET, "/participation/processes/{id}/export.xlsx", "/participation/processes/1/export.xlsx", PUBLIC),
    row(GET, "/participation/processes/{id}/meetings", "/participation/processes/1/meetings", PUBLIC),
    row(GET, "/participation/processes/{id}/measures", "/participation/processes/1/measures", PUBLIC),
    row(GET, "/participation/ideas/{id}", "/participation/ideas/1", PUBLIC),
    row(GET, "/participation/meetings/{id}", "/participation/meetings/1", PUBLIC),
    row(GET, "/participation/measures/{id}", "/participation/measures/1", PUBLIC),
    row(GET, "/participation/areas/{id}", "/participation/areas/1", PUBLIC),
    row(GET, "/participation/processes/{id}/ideas/new", "/participation/processes/1/ideas/new", SIGNED_IN),
    row(POST, "/participation/processes/{id}/ideas/new", "/participation/processes/1/ideas/new", SIGNED_IN_FORM),
    row(GET, "/participation/ideas/{id}/edit", "/participation/ideas/4/edit", P_MANAGER), // not the author's
    row(POST, "/participation/ideas/{id}/edit", "/participation/ideas/4/edit", P_MANAGER_FORM),
    row(POST, "/participation/ideas/{id}/submit", "/participation/ideas/9999/submit", P_SIGNED_IN_404),
    row(POST, "/participation/ideas/{id}/withdraw", "/participation/ideas/9999/withdraw", P_SIGNED_IN_404),
    row(POST, "/participation/ideas/{id}/support", "/participation/ideas/9999/support", P_SIGNED_IN_404),
    row(POST, "/participation/ideas/{id}/unsupport", "/participation/ideas/9999/unsupport", P_SIGNED_IN_404),
    row(POST, "/participation/ideas/{id}/comments", "/participation/ideas/9999/comments", P_SIGNED_IN_404),
    row(POST, "/participation/ideas/{id}/report", "/participation/ideas/4/report", [303, 400, 400, 400, 400, 400, 400, 400]), // no reason
    row(GET, "/participation/comments/{id}/edit", "/participation/comments/1/edit", [303, 403, 403, 403, 403, 403, 403, 403]), // not theirs
    row(POST, "/participation/comments/{id}/edit", "/participation/comments/1/edit", [303, 403, 403, 403, 403, 403, 403, 403]),
    row(POST, "/participation/comments/{id}/report", "/participation/comments/9999/report", P_SIGNED_IN_404),
    row(GET, "/participation/inbox", "/participation/inbox", SIGNED_IN),
    row(POST, "/participation/inbox/read", "/participation/inbox/read", REDIRECT),
    row(GET, "/participation/moderation", "/participation/moderation", [303, 403, 200, 200, 403, 403, 403, 200]),
    row(POST, "/participation/moderation/ideas/{id}/publish", "/participation/moderation/ideas/9999/publish", [303, 403, 404, 404, 403, 403, 403, 404]),
    row(POST, "/participation/moderation/{kind}/{id}/hide", "/participation/moderation/ideas/9999/hide", P_MODERATOR_404),
    row(POST, "/participation/moderation/{kind}/{id}/unhide", "/participation/moderation/comments/9999/unhide", P_MODERATOR_404),
    row(POST, "/participation/moderation/{kind}/{id}/dismiss", "/participation/moderation/ideas/9999/dismiss", P_MODERATOR_404),
    row(POST, "/participation/moderation/users/{id}/block", "/participation/moderation/users/9999/block", [303, 403, 422, 403, 403, 403, 403, 422]), // no reason
    row(GET, "/participation/review", "/participation/review", [303, 403, 403, 200, 200, 403, 403, 200]),
    row(GET, "/participation/ideas/{id}/review", "/participation/ideas/2/review", P_MANAGER), // a reviewer sees only ideas assigned to them
    row(POST, "/participation/ideas/{id}/review/start", "/participation/ideas/9999/review/start", P_MANAGER_404),
    row(POST, "/participation/ideas/{id}/review/reviewer", "/participation/ideas/9999/review/reviewer", P_MANAGER_404),
    row(POST, "/participation/ideas/{id}/review/note", "/participation/ideas/9999/review/note", [303, 403, 403, 404, 404, 403, 403, 404]),
    row(POST, "/participation/ideas/{id}/review/decide", "/participation/ideas/9999/review/decide", [303, 403, 403, 400, 400, 403, 403, 400]), // no decision
    row(POST, "/participation/ideas/{id}/review/answer", "/participation/ideas/9999/review/answer", P_MANAGER_404),
    row(POST, "/participation/ideas/{id}/review/publish", "/participation/ideas/9999/review/publish", P_MANAGER_404),
    row(POST, "/participation/ideas/{id}/review/reopen", "/participation/ideas/9999/review/reopen", P_MANAGER_404),
    row(POST, "/participation/ideas/{id}/review/merge", "/participation/ideas/9999/review/merge", P_MANAGER_404),
    row(GET, "/participation/processes/new", "/participation/processes/new", P_MANAGER),
    row(POST, "/participation/processes/new", "/participation/processes/new", P_MANAGER_FORM),
    row(GET, "/participation/processes/{id}/edit", "/participation/processes/1/edit", P_MANAGER),
    row(POST, "/participation/processes/{id}/edit", "/participation/processes/1/edit", P_MANAGER_FORM),
    row(GET, "/participation/processes/{id}/meetings/new", "/participation/processes/1/meetings/new", P_MANAGER),
    row(POST, "/participation/processes/{id}/meetings/new", "/participation/processes/1/meetings/new", P_MANAGER_FORM),
    row(GET, "/participation/meetings/{id}/edit", "/participation/meetings/1/edit", P_MANAGER),
    row(POST, "/participation/meetings/{id}/edit", "/participation/meetings/1/edit", P_MANAGER_FORM),
    row(GET, "/participation/meetings/{id}/ideas/new", "/participation/meetings/1/ideas/new", P_MANAGER),
    row(POST, "/participation/meetings/{id}/ideas/new", "/participation/meetings/1/ideas/new", P_MANAGER_FORM),
    row(GET, "/participation/processes/{id}/measures/new", "/participation/processes/1/measures/new", P_MANAGER),
    row(POST, "/participation/processes/{id}/measures/new", "/participation/processes/1/measures/new", P_MANAGER_FORM),
    row(GET, "/participation/measures/{id}/edit", "/participation/measures/1/edit", P_MANAGER),
    row(POST, "/participation/measures/{id}/edit", "/participation/measures/1/edit", P_MANAGER_FORM),
    row(POST, "/participation/measures/{id}/updates", "/participation/measures/2/updates", P_MANAGER_FORM),
    row(POST, "/participation/measures/{id}/ideas", "/participation/measures/1/ideas", P_MANAGER_FORM),
    row(POST, "/participation/measures/{id}/ideas/{idea}/unlink", "/participation/measures/1/ideas/9999/unlink", [303, 403, 403, 303, 403, 403, 403, 303]),
    row(GET, "/participation/processes/{id}/measures/upload", "/participation/processes/1/measures/upload", P_MANAGER),
    row(POST, "/participation/processes/{id}/measures/upload", "/participation/processes/1/measures/upload", P_MANAGER_FORM), // not a file
    row(GET, "/participation/processes/{id}/measures/template.csv", "/participation/processes/1/measures/template.csv", P_MANAGER),
];

/// The rows for every registered route (`/en/x` from the row of `/x`), or the routes without
/// one.
fn plan() -> Result<Vec<(String, String, Expect)>, Vec<String>> {
    let rows: HashMap<(&str, &str), &Row> =
        ROWS.iter().map(|r| ((r.method, r.pattern), r)).collect();
    let mut missing = Vec::new();
    let mut plan = Vec::new();
    for spec in sozialatlas_web::route_table() {
        let m = spec.method.as_str();
        let direct = rows.get(&(m, spec.path.as_str()));
        let english = spec
            .path
            .strip_prefix("/en")
            .filter(|p| p.starts_with('/') && p.len() > 1)
            .and_then(|p| rows.get(&(m, p)));
        match (direct, english) {
            (Some(r), _) => plan.push((m.to_string(), r.sample.to_string(), r.expect)),
            (None, Some(r)) => plan.push((m.to_string(), format!("/en{}", r.sample), r.expect)),
            (None, None) => missing.push(format!("{m} {}", spec.path)),
        }
    }
    if missing.is_empty() {
        Ok(plan)
    } else {
        Err(missing)
    }
}

#[test]
fn every_route_has_a_row_and_every_row_a_route() {
    if let Err(missing) = plan() {
        panic!(
            "routes without a row in tests/it/authz.rs (add one, see the top of the file):\n  {}",
            missing.join("\n  ")
        );
    }
    let routes: HashSet<(String, String)> = sozialatlas_web::route_table()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    let stale: Vec<String> = ROWS
        .iter()
        .filter(|r| !routes.contains(&(r.method.to_string(), r.pattern.to_string())))
        .map(|r| format!("{} {}", r.method, r.pattern))
        .collect();
    assert!(
        stale.is_empty(),
        "rows for routes that do not exist: {stale:?}"
    );
}

#[test]
fn the_route_table_has_no_duplicates() {
    let table = sozialatlas_web::route_table();
    let set: HashSet<_> = table.iter().collect();
    assert_eq!(set.len(), table.len());
    assert!(table.len() > 60, "{} routes", table.len());
}

const PASSWORD: &str = "matrix passwort";

#[tokio::test]
async fn every_route_for_every_role() {
    let plan = plan().unwrap_or_else(|m| panic!("routes without a row: {m:?}"));
    let state = auth_support::state().await;
    sozialatlas_web::seed_participation_example(&state)
        .await
        .expect("participation example");
    let roles: [Option<Role>; 8] = [
        None,
        Some(Role::Participant),
        Some(Role::Moderator),
        Some(Role::ProcessManager),
        Some(Role::Reviewer),
        Some(Role::OfficeStaff),
        Some(Role::OfficeSupervisor),
        Some(Role::Admin),
    ];
    let mut failures = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        let email = format!("{}@matrix.example.org", ROLES[i]);
        if let Some(r) = role {
            make_user(&state, &email, ROLES[i], PASSWORD, &[*r]).await;
        }
        let mut b = Browser::new(&state, 2, i as u8);
        if role.is_some() {
            b.login(&email, PASSWORD).await;
        } else {
            b.get("/login").await;
        }
        for (method, sample, expect) in &plan {
            let got = if method == "GET" {
                b.get(sample).await
            } else {
                let m = Method::from_bytes(method.as_bytes()).unwrap();
                let token = b.csrf.clone().unwrap_or_default();
                let body = auth_support::form(&[("_csrf", &token)]);
                b.send(m, sample, Some(body)).await
            };
            if got.status.as_u16() != expect[i] {
                failures.push(format!(
                    "{:<17} {method} {sample}: expected {}, got {}",
                    ROLES[i],
                    expect[i],
                    got.status.as_u16()
                ));
            }
            // A POST may end the session (sign-out): sign in again.
            if method != "GET" && role.is_some() && b.get("/account").await.status != 200 {
                b.login(&email, PASSWORD).await;
            }
            if method != "GET" && role.is_none() {
                b.get("/login").await;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} checks differ:\n{}",
        failures.len(),
        plan.len() * ROLES.len(),
        failures.join("\n")
    );
}

/// The routes of the metrics listener (`--metrics-listen`, `sozialatlas_web::metrics_router`):
/// no sessions there, so one answer for every request; the city's IT keeps the address on its
/// internal network.
const METRICS_ROWS: &[(&str, &str, u16)] = &[(GET, "/metrics", 200)];

#[tokio::test]
async fn metrics_only_on_the_metrics_listener() {
    let table: HashSet<(String, String)> = sozialatlas_web::metrics_route_table()
        .into_iter()
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    let rows: HashSet<(String, String)> = METRICS_ROWS
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(table, rows, "the metrics listener's routes and their rows");
    let state = auth_support::state().await;
    make_user(
        &state,
        "metrics-admin@matrix.example.org",
        "admin",
        PASSWORD,
        &[Role::Admin],
    )
    .await;
    for (_, path, expect) in METRICS_ROWS {
        // The metrics listener: anyone who reaches the address.
        let mut m = Browser::new(&state, 2, 200);
        m.app = sozialatlas_web::metrics_router(state.clone());
        assert_eq!(m.get(path).await.status.as_u16(), *expect, "{path}");
        // The main listener: not there, for anonymous visitors and administrators alike.
        let mut anon = Browser::new(&state, 2, 201);
        anon.app = sozialatlas_web::server_router(state.clone());
        assert_eq!(anon.get(path).await.status.as_u16(), 404, "{path}");
        let mut admin = Browser::new(&state, 2, 202);
        admin
            .login("metrics-admin@matrix.example.org", PASSWORD)
            .await;
        admin.app = sozialatlas_web::server_router(state.clone());
        assert_eq!(admin.get(path).await.status.as_u16(), 404, "{path}");
    }
}
