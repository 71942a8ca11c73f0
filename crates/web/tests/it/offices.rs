//! The action offices through the web: a table-driven access test of every office route for
//! every kind of user (anonymous, participant, staff of office A, staff of office B, supervisor,
//! administrator), which fails on an office route without a row; id guessing, search,
//! statistics with small cells and the API cannot reveal office B's cases to office A.

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use sozialatlas_accounts::{NewUser, Role, Status};
use sozialatlas_offices::cases::{self, Identity, NewCase};
use sozialatlas_offices::offices::{self, OfficeInput};
use sozialatlas_offices::{Actor, Date};
use sozialatlas_web::AppState;
use tower::ServiceExt;

struct Got {
    status: StatusCode,
    location: String,
    cookies: Vec<String>,
    body: String,
}

async fn send(
    app: &Router,
    method: Method,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> Got {
    let mut b = Request::builder().method(method.clone()).uri(path);
    if !cookie.is_empty() {
        b = b.header(header::COOKIE, cookie);
    }
    let req = if method == Method::POST {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter())
            .finish();
        b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap()
    } else {
        b.body(Body::empty()).unwrap()
    };
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let cookies = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .collect();
    let body =
        String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Got {
        status,
        location,
        cookies,
        body,
    }
}

fn csrf_of(body: &str) -> String {
    let i = body
        .find("name=\"_csrf\" value=\"")
        .expect("a form with a CSRF field");
    let rest = &body[i + 20..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A signed-in browser: its cookie and CSRF token.
#[derive(Clone, Default)]
struct Session {
    cookie: String,
    csrf: String,
}

async fn login(app: &Router, email: &str, password: &str) -> Session {
    let g = send(app, Method::GET, "/login", "", &[]).await;
    let cookie = g.cookies.first().cloned().unwrap_or_default();
    let csrf = csrf_of(&g.body);
    let r = send(
        app,
        Method::POST,
        "/login",
        &cookie,
        &[
            ("_csrf", &csrf),
            ("email", email),
            ("password", password),
            ("next", "/account"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "login {email}: {}", r.body);
    let cookie = r
        .cookies
        .iter()
        .find(|c| c.starts_with("sozialatlas_session="))
        .cloned()
        .unwrap_or(cookie);
    let page = send(app, Method::GET, "/account", &cookie, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    Session {
        csrf: csrf_of(&page.body),
        cookie,
    }
}

struct World {
    app: Router,
    state: AppState,
    sessions: Vec<(&'static str, Session)>,
    slug_a: String,
    office_a: i64,
    area_a: i64,
    case_a: String,
    case_b: String,
    case_erase: String,
    partner: i64,
    name_b: &'static str,
    _dir: tempfile::TempDir,
}

const PASSWORD: &str = "ein langes Testpasswort 42";

async fn world() -> World {
    let (dir, _target, pool) = sozialatlas_test_support::shared_store().await;
    sozialatlas_test_support::computed_example("flensburg")
        .write(&pool)
        .await
        .unwrap();
    let mut ids = HashMap::new();
    for (who, roles) in [
        ("participant", vec![]),
        ("staff_a", vec![Role::OfficeStaff]),
        ("staff_b", vec![Role::OfficeStaff]),
        ("supervisor", vec![Role::OfficeSupervisor]),
        ("admin", vec![Role::Admin]),
    ] {
        let email = format!("{who}@example.org");
        let id = sozialatlas_accounts::create_user(
            &pool,
            &NewUser {
                email: &email,
                display_name: who,
                password: PASSWORD,
                locale: "de",
                status: Status::Active,
                roles: &roles,
            },
            None,
        )
        .await
        .unwrap();
        ids.insert(who, id);
    }
    let set = sozialatlas_store::save_action_area_set(
        &pool,
        "Test",
        "stadtteil",
        sozialatlas_store::ActionAreaSource::Manual,
        None,
        None,
        None,
        &[
            sozialatlas_store::NewActionArea {
                key: "neustadt".into(),
                name: "Neustadt".into(),
                members: vec!["2".into()],
            },
            sozialatlas_store::NewActionArea {
                key: "nordstadt".into(),
                name: "Nordstadt".into(),
                members: vec!["3".into()],
            },
        ],
    )
    .await
    .unwrap();
    let set = sozialatlas_store::get_action_area_set(&pool, set)
        .await
        .unwrap()
        .unwrap();
    let (area_a, area_b) = (set.areas[0].id, set.areas[1].id);
    let admin = Actor::with_roles(ids["admin"], ["admin"]);
    let office = |slug: &str, area: i64| OfficeInput {
        slug: slug.into(),
        name: format!("Büro {slug}"),
        street: "Weg 1".into(),
        postcode: "24937".into(),
        city: "Flensburg".into(),
        opening_hours: "Mo 9–12 Uhr".into(),
        is_public: true,
        action_areas: vec![area],
        ..Default::default()
    };
    let office_a = offices::create_office(&pool, &admin, &office("neustadt", area_a))
        .await
        .unwrap();
    let office_b = offices::create_office(&pool, &admin, &office("nordstadt", area_b))
        .await
        .unwrap();
    offices::assign_staff(&pool, &admin, office_a, ids["staff_a"])
        .await
        .unwrap();
    offices::assign_staff(&pool, &admin, office_b, ids["staff_b"])
        .await
        .unwrap();
    let partner = offices::add_partner(&pool, &admin, "Schuldnerberatung", "Schulden", "")
        .await
        .unwrap();
    let staff_a = Actor::with_roles(ids["staff_a"], ["office-staff"]);
    let staff_b = Actor::with_roles(ids["staff_b"], ["office-staff"]);
    // Last year: office A 12 cases, office B 2 (small: must never show).
    let last_year = format!("{}-05-10", Date::today().y - 1);
    let mut first_a = String::new();
    for i in 0..12 {
        let id = cases::open_case(
            &pool,
            &staff_a,
            None,
            &NewCase {
                office_id: office_a,
                action_area_id: Some(area_a),
                opened_on: last_year.clone(),
                channel: "walk_in".into(),
                topics: vec!["housing".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
        if i == 0 {
            first_a = id;
        }
    }
    let _ = first_a;
    let name_b = "Bruno Unsichtbar";
    let mut case_b = String::new();
    for i in 0..2 {
        case_b = cases::open_case(
            &pool,
            &staff_b,
            None,
            &NewCase {
                office_id: office_b,
                action_area_id: Some(area_b),
                opened_on: last_year.clone(),
                channel: "phone".into(),
                topics: vec!["debt".into()],
                identity: Identity {
                    name: if i == 1 { name_b.into() } else { String::new() },
                    contact: String::new(),
                },
                note: "Notiz im Büro B".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    let new_a = |note: &str| NewCase {
        office_id: office_a,
        action_area_id: Some(area_a),
        channel: "walk_in".into(),
        topics: vec!["work".into()],
        note: note.into(),
        identity: Identity {
            name: "Anna Sichtbar".into(),
            contact: "0461 1".into(),
        },
        followup_due: Date::today().to_string(),
        followup_what: "Rückruf".into(),
        ..Default::default()
    };
    let case_a = cases::open_case(&pool, &staff_a, None, &new_a("Fall A"))
        .await
        .unwrap();
    let case_erase = cases::open_case(&pool, &staff_a, None, &new_a("Zu löschen"))
        .await
        .unwrap();
    let snap = sozialatlas_store::read_snapshot(&pool).await.unwrap();
    let snap = sozialatlas_offices::atlas::extend_snapshot(&pool, snap, Date::today())
        .await
        .unwrap();
    let state = AppState::new(snap, pool);
    let app = sozialatlas_web::router(state.clone());
    let mut sessions = vec![("anonymous", Session::default())];
    for who in ["participant", "staff_b", "supervisor", "admin", "staff_a"] {
        sessions.push((
            who,
            login(&app, &format!("{who}@example.org"), PASSWORD).await,
        ));
    }
    World {
        app,
        state,
        sessions,
        slug_a: "neustadt".into(),
        office_a,
        area_a,
        case_a,
        case_b,
        case_erase,
        partner,
        name_b,
        _dir: dir,
    }
}

/// What a user may get from a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exp {
    /// Served (2xx), redirected after success (303 not to the sign-in page), or a form with
    /// errors (422).
    Ok,
    /// Redirected to the sign-in page.
    Login,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
}

fn classify(g: &Got) -> Exp {
    match g.status {
        StatusCode::SEE_OTHER | StatusCode::FOUND if g.location.contains("/login") => Exp::Login,
        StatusCode::FORBIDDEN => Exp::Forbidden,
        StatusCode::NOT_FOUND => Exp::NotFound,
        s if s.is_success() || s.is_redirection() || s == StatusCode::UNPROCESSABLE_ENTITY => {
            Exp::Ok
        }
        s => panic!("unexpected status {s}: {}", g.body),
    }
}

use Exp::{Forbidden as F, Login as L, NotFound as N, Ok as O};

/// Every office route × (anonymous, participant, staff B, supervisor, admin, staff A).
/// Paths use `{slug}` (office A), `{case}` (a case of office A), `{erase}` (another case of
/// office A, erased by its staff last), `{partner}`, `{office}` (office A's id).
type AccessRow = (
    Method,
    &'static str,
    &'static str,
    [Exp; 6],
    &'static [(&'static str, &'static str)],
);

fn table() -> Vec<AccessRow> {
    use Method as M;
    vec![
        (M::GET, "/offices", "/offices", [O, O, O, O, O, O], &[]),
        (
            M::GET,
            "/offices/{slug}",
            "/offices/{slug}",
            [O, O, O, O, O, O],
            &[],
        ),
        (M::GET, "/office", "/office", [L, O, O, O, O, O], &[]),
        (
            M::GET,
            "/office/statistics",
            "/office/statistics",
            // Staff see their own office's cases, not the statistics of all offices.
            [L, F, F, O, F, F],
            &[],
        ),
        (
            M::GET,
            "/office/partners",
            "/office/partners",
            [L, F, O, O, O, O],
            &[],
        ),
        (
            M::POST,
            "/office/partners",
            "/office/partners",
            [F, F, F, O, O, F],
            &[("name", "Neue Stelle {n}"), ("kind", "Beratung")],
        ),
        (
            M::POST,
            "/office/partners/{id}/active",
            "/office/partners/{partner}/active",
            [F, F, F, O, O, F],
            &[("active", "1")],
        ),
        (
            M::GET,
            "/office/{slug}",
            "/office/{slug}",
            [L, F, F, F, F, O],
            &[],
        ),
        (
            M::GET,
            "/office/{slug}/due",
            "/office/{slug}/due",
            [L, F, F, F, F, O],
            &[],
        ),
        (
            M::GET,
            "/office/{slug}/new",
            "/office/{slug}/new",
            [L, F, F, F, F, O],
            &[],
        ),
        (
            M::POST,
            "/office/{slug}/new",
            "/office/{slug}/new",
            [F, F, F, F, F, O],
            &[("channel", "walk_in"), ("topics", "work")],
        ),
        (
            M::GET,
            "/office/cases/{id}",
            "/office/cases/{case}",
            [L, N, N, N, N, O],
            &[],
        ),
        (
            M::POST,
            "/office/cases/{id}/topics",
            "/office/cases/{case}/topics",
            [F, N, N, N, N, O],
            &[("topics", "work"), ("topics", "income")],
        ),
        (
            M::POST,
            "/office/cases/{id}/owner",
            "/office/cases/{case}/owner",
            [F, N, N, N, N, O],
            &[("owner", "0")],
        ),
        (
            M::POST,
            "/office/cases/{id}/specialists",
            "/office/cases/{case}/specialists",
            [F, N, N, N, N, O],
            &[("specialist", "0"), ("field", "X")],
        ),
        (
            M::POST,
            "/office/cases/{id}/specialists/{user}/remove",
            "/office/cases/{case}/specialists/1/remove",
            [F, N, N, N, N, O],
            &[],
        ),
        (
            M::POST,
            "/office/cases/{id}/contacts",
            "/office/cases/{case}/contacts",
            [F, N, N, N, N, O],
            &[("channel", "phone")],
        ),
        (
            M::POST,
            "/office/cases/{id}/notes",
            "/office/cases/{case}/notes",
            [F, N, N, N, N, O],
            &[("note", "Notiz")],
        ),
        (
            M::POST,
            "/office/cases/{id}/followups",
            "/office/cases/{case}/followups",
            [F, N, N, N, N, O],
            &[("followup_due", "2099-01-01"), ("followup_what", "X")],
        ),
        (
            M::POST,
            "/office/cases/{id}/followups/{fid}/done",
            "/office/cases/{case}/followups/1/done",
            [F, N, N, N, N, O],
            &[],
        ),
        (
            M::POST,
            "/office/cases/{id}/identity",
            "/office/cases/{case}/identity",
            [F, N, N, N, N, O],
            &[("identity_name", "Anna Sichtbar")],
        ),
        (
            M::GET,
            "/office/cases/{id}/referral",
            "/office/cases/{case}/referral",
            [L, N, N, N, N, O],
            &[],
        ),
        (
            M::POST,
            "/office/cases/{id}/referral",
            "/office/cases/{case}/referral",
            [F, N, N, N, N, O],
            &[
                ("agency", "{partner}"),
                ("purpose", "P"),
                ("consent_scope", "Name"),
            ],
        ),
        (
            M::POST,
            "/office/cases/{id}/referrals/{rid}/state",
            "/office/cases/{case}/referrals/1/state",
            [F, N, N, N, N, O],
            &[("state", "accepted")],
        ),
        (
            M::POST,
            "/office/cases/{id}/referrals/{rid}/revoke",
            "/office/cases/{case}/referrals/1/revoke",
            [F, N, N, N, N, O],
            &[],
        ),
        (
            M::GET,
            "/office/cases/{id}/close",
            "/office/cases/{case}/close",
            [L, N, N, N, N, O],
            &[],
        ),
        (
            M::POST,
            "/office/cases/{id}/close",
            "/office/cases/{case}/close",
            [F, N, N, N, N, O],
            &[("close_reason", "resolved")],
        ),
        (
            M::POST,
            "/office/cases/{id}/reopen",
            "/office/cases/{case}/reopen",
            [F, N, N, N, N, O],
            &[],
        ),
        (
            M::POST,
            "/office/cases/{id}/export",
            "/office/cases/{case}/export",
            [F, N, N, N, N, O],
            &[],
        ),
        (
            M::GET,
            "/office/cases/{id}/erase",
            "/office/cases/{erase}/erase",
            [L, N, N, N, N, O],
            &[],
        ),
        (
            M::POST,
            "/office/cases/{id}/erase",
            "/office/cases/{erase}/erase",
            [F, N, N, N, N, O],
            &[("confirm", "yes")],
        ),
        (
            M::GET,
            "/admin/offices",
            "/admin/offices",
            [L, F, F, F, O, F],
            &[],
        ),
        (
            M::POST,
            "/admin/offices",
            "/admin/offices",
            [F, F, F, F, O, F],
            &[
                ("slug", "neu{n}"),
                ("name", "Neu"),
                ("street", "S"),
                ("postcode", "1"),
                ("city", "C"),
                ("opening_hours", "Mo"),
            ],
        ),
        (
            M::POST,
            "/admin/offices/retention",
            "/admin/offices/retention",
            [F, F, F, F, O, F],
            &[("retention_months", "24")],
        ),
        (
            M::GET,
            "/admin/offices/{id}",
            "/admin/offices/{office}",
            [L, F, F, F, O, F],
            &[],
        ),
        (
            M::POST,
            "/admin/offices/{id}",
            "/admin/offices/{office}",
            [F, F, F, F, O, F],
            &[
                ("slug", "neustadt"),
                ("name", "Büro neustadt"),
                ("street", "Weg 1"),
                ("postcode", "24937"),
                ("city", "Flensburg"),
                ("opening_hours", "Mo 9–12 Uhr"),
                ("is_public", "1"),
            ],
        ),
        (
            M::POST,
            "/admin/offices/{id}/staff",
            "/admin/offices/{office}/staff",
            [F, F, F, F, O, F],
            &[("staff_email", "staff_a@example.org")],
        ),
        (
            M::POST,
            "/admin/offices/{id}/staff/{user}/remove",
            "/admin/offices/{office}/staff/999/remove",
            [F, F, F, F, N, F],
            &[],
        ),
    ]
}

fn is_office_route(path: &str) -> bool {
    let bare = path.strip_prefix("/en").unwrap_or(path);
    bare.starts_with("/office") || bare.starts_with("/admin/offices")
}

#[tokio::test]
async fn office_access_matrix() {
    let w = world().await;
    let rows = table();
    // Every office route of the router has a row (German and English paths alike).
    for r in sozialatlas_web::route_table() {
        if !is_office_route(&r.path) {
            continue;
        }
        let bare = r.path.strip_prefix("/en").unwrap_or(&r.path);
        assert!(
            rows.iter()
                .any(|(m, pattern, ..)| *m == r.method && *pattern == bare),
            "office route {} {} has no row in the access table",
            r.method,
            r.path
        );
    }
    let mut n = 0;
    for (method, pattern, path, expected, form) in &rows {
        for lang in ["", "/en"] {
            for (i, (who, s)) in w.sessions.iter().enumerate() {
                n += 1;
                let fill = |x: &str| {
                    x.replace("{slug}", &w.slug_a)
                        .replace("{case}", &w.case_a)
                        .replace("{erase}", &w.case_erase)
                        .replace("{partner}", &w.partner.to_string())
                        .replace("{office}", &w.office_a.to_string())
                        .replace("{n}", &n.to_string())
                };
                let url = format!("{lang}{}", fill(path));
                let mut fields: Vec<(String, String)> =
                    form.iter().map(|(k, v)| (k.to_string(), fill(v))).collect();
                if !s.csrf.is_empty() {
                    fields.push(("_csrf".into(), s.csrf.clone()));
                }
                let pairs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                // The erasure by staff A runs in German only (the case is gone afterwards).
                let expect = if *pattern == "/office/cases/{id}/erase"
                    && *method == Method::POST
                    && lang == "/en"
                    && *who == "staff_a"
                {
                    Exp::NotFound
                } else {
                    expected[i]
                };
                let got = send(&w.app, method.clone(), &url, &s.cookie, &pairs).await;
                assert_eq!(
                    classify(&got),
                    expect,
                    "{method} {url} as {who}: {}",
                    got.status
                );
            }
        }
    }
}

/// Office A cannot find, open or infer office B's cases: by id (same answer as a made-up id),
/// by search, through the statistics (small cells withheld) or the API.
#[tokio::test]
async fn office_a_learns_nothing_of_office_b() {
    let w = world().await;
    let staff_a = &w.sessions.iter().find(|s| s.0 == "staff_a").unwrap().1;
    let sup = &w.sessions.iter().find(|s| s.0 == "supervisor").unwrap().1;
    // Id guessing: B's real id and a random id answer alike.
    let guess = cases::new_case_id();
    let real = send(
        &w.app,
        Method::GET,
        &format!("/office/cases/{}", w.case_b),
        &staff_a.cookie,
        &[],
    )
    .await;
    let fake = send(
        &w.app,
        Method::GET,
        &format!("/office/cases/{guess}"),
        &staff_a.cookie,
        &[],
    )
    .await;
    assert_eq!(real.status, StatusCode::NOT_FOUND);
    assert_eq!(fake.status, StatusCode::NOT_FOUND);
    assert_eq!(
        real.body.replace(&w.case_b, "ID"),
        fake.body.replace(&guess, "ID"),
        "the 404 for another office's case looks exactly like the 404 for a made-up id"
    );
    assert!(!real.body.contains(w.name_b));
    // Search in office A: B's name, id, note: nothing.
    for q in [w.name_b, w.case_b.as_str(), "Büro B"] {
        let url = format!(
            "/office/{}?q={}",
            w.slug_a,
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        let g = send(&w.app, Method::GET, &url, &staff_a.cookie, &[]).await;
        assert_eq!(g.status, StatusCode::OK);
        // The search box repeats the query; no row links to B's case.
        assert!(
            !g.body.contains(&format!("/office/cases/{}", w.case_b)),
            "search {q} shows B's case"
        );
        assert!(g.body.contains(">0 "), "search {q}: no hits");
    }
    // Office A's list of B: forbidden.
    let g = send(
        &w.app,
        Method::GET,
        "/office/nordstadt",
        &staff_a.cookie,
        &[],
    )
    .await;
    assert_eq!(g.status, StatusCode::FORBIDDEN);
    // Statistics (supervisor): office B's 2 cases never show, nor the total that would give
    // them away to office A (which knows its own 12 + 2).
    let g = send(
        &w.app,
        Method::GET,
        &format!("/office/statistics?year={}", Date::today().y - 1),
        &sup.cookie,
        &[],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK);
    for cell in g.body.split("<td class=\"num\">").skip(1) {
        let v = cell.split('<').next().unwrap_or("");
        assert!(
            !matches!(v, "1" | "2" | "3" | "4"),
            "small cell {v} published"
        );
        assert_ne!(
            v, "14",
            "the total of all offices would reveal office B to office A"
        );
    }
    // The public office page and the atlas API: the same.
    let g = send(&w.app, Method::GET, "/offices/nordstadt", "", &[]).await;
    assert_eq!(g.status, StatusCode::OK);
    for cell in g.body.split("<td class=\"num\">").skip(1) {
        let v = cell.split('<').next().unwrap_or("");
        assert!(
            !matches!(v, "1" | "2" | "3" | "4"),
            "small cell {v} on the public page"
        );
    }
    let g = send(
        &w.app,
        Method::GET,
        &format!(
            "/api/v1/indicators/office_cases/stadtteil/{}",
            Date::today().y - 1
        ),
        "",
        &[],
    )
    .await;
    assert_eq!(g.status, StatusCode::OK, "{}", g.body);
    let json: serde_json::Value = serde_json::from_str(&g.body).unwrap();
    let text = json.to_string();
    assert!(text.contains("suppressed"), "{text}");
    assert!(!text.contains("\"value\":2"), "{text}");
    // And every read was logged.
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'office.case.search'")
            .fetch_one(w.state.pool())
            .await
            .unwrap();
    assert_eq!(n, 3);
}

/// The office page links to the public page of each action area it serves, and that page names
/// the office with its address and opening hours (and only the offices serving it).
#[tokio::test]
async fn office_and_action_area_pages_link_each_other() {
    let w = world().await;
    for lang in ["", "/en"] {
        let office = send(
            &w.app,
            Method::GET,
            &format!("{lang}/offices/{}", w.slug_a),
            "",
            &[],
        )
        .await;
        assert_eq!(office.status, StatusCode::OK);
        assert!(
            office
                .body
                .contains(&format!("href=\"{lang}/participation/areas/{}\"", w.area_a)),
            "office page links to its action area"
        );
        let area = send(
            &w.app,
            Method::GET,
            &format!("{lang}/participation/areas/{}", w.area_a),
            "",
            &[],
        )
        .await;
        assert_eq!(area.status, StatusCode::OK);
        assert!(
            area.body
                .contains(&format!("href=\"{lang}/offices/{}\"", w.slug_a)),
            "action area page links to its office"
        );
        assert!(area.body.contains("Büro neustadt"));
        assert!(area.body.contains("Weg 1, 24937 Flensburg"));
        assert!(area.body.contains("Mo 9–12 Uhr"));
        assert!(
            !area.body.contains("/offices/nordstadt"),
            "only the offices serving it"
        );
    }
}

#[tokio::test]
async fn an_office_page_names_each_place_once() {
    let w = world().await;
    let pool = w.state.pool();
    // The set is saved again (same members): the office serves Neustadt in both sets.
    let again = sozialatlas_store::save_action_area_set(
        pool,
        "Test, neu gespeichert",
        "stadtteil",
        sozialatlas_store::ActionAreaSource::Manual,
        None,
        None,
        None,
        &[sozialatlas_store::NewActionArea {
            key: "neustadt".into(),
            name: "Neustadt".into(),
            members: vec!["2".into()],
        }],
    )
    .await
    .unwrap();
    let again = sozialatlas_store::get_action_area_set(pool, again)
        .await
        .unwrap()
        .unwrap();
    let newer = again.areas[0].id;
    let admin = Actor::with_roles(
        sozialatlas_accounts::find_user_by_email(pool, "admin@example.org")
            .await
            .unwrap()
            .unwrap()
            .id,
        ["admin"],
    );
    offices::update_office(
        pool,
        &admin,
        w.office_a,
        &OfficeInput {
            slug: w.slug_a.clone(),
            name: "Büro neustadt".into(),
            street: "Weg 1".into(),
            postcode: "24937".into(),
            city: "Flensburg".into(),
            opening_hours: "Mo 9–12 Uhr".into(),
            is_public: true,
            action_areas: vec![w.area_a, newer],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let page = send(
        &w.app,
        Method::GET,
        &format!("/offices/{}", w.slug_a),
        "",
        &[],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    let areas = page
        .body
        .split("id=\"areas-title\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the office's action areas");
    assert_eq!(areas.matches("<li>").count(), 1, "{areas}");
    assert!(
        areas.contains(&format!("href=\"/participation/areas/{newer}\"")),
        "the newest of its areas stands for the place: {areas}"
    );
}
