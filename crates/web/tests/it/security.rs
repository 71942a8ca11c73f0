//! Security properties of the web application, each tested: session cookie flags and expiry,
//! CSRF refusal on every state-changing route, rate limits, the honeypot, no user enumeration,
//! and escaping of user-supplied text on every page that shows it.

use crate::auth_support;
use std::time::Instant;

use crate::auth_support::{Browser, fresh_state, mail_to, make_user};
use axum::http::{Method, StatusCode};
use sozialatlas_accounts::Role;
use sozialatlas_web::AuthConfig;

fn session_cookie(r: &auth_support::Resp) -> String {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sozialatlas_session="))
        .unwrap_or_else(|| panic!("no session cookie in {:?}", r.headers))
        .to_string()
}

#[tokio::test]
async fn session_cookie_is_httponly_lax_expiring_and_secure_when_configured() {
    let state = auth_support::state().await;
    let mut b = Browser::new(&state, 3, 1);
    let c = session_cookie(&b.get("/login").await);
    assert!(c.contains("HttpOnly"), "{c}");
    assert!(c.contains("SameSite=Lax"), "{c}");
    assert!(c.contains("Path=/"), "{c}");
    assert!(c.contains("Max-Age=7200"), "ends after two idle hours: {c}");
    assert!(!c.contains("Secure"), "plain HTTP by default: {c}");

    let secure = fresh_state(AuthConfig {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    let mut b = Browser::new(&secure, 3, 2);
    let c = session_cookie(&b.get("/login").await);
    assert!(c.contains("Secure") && c.contains("HttpOnly"), "{c}");
}

/// Every response carries the security headers: pages in both languages, the API, downloads,
/// static files, error pages and staff pages; HSTS only behind HTTPS (`--secure-cookies`).
#[tokio::test]
async fn every_response_has_the_security_headers() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "csp@example.org",
        "Csp",
        "header passwort",
        &[Role::Admin],
    )
    .await;
    let mut b = Browser::new(&state, 3, 9);
    b.login("csp@example.org", "header passwort").await;
    for path in [
        "/",
        "/en/indicators/sgb2_quote",
        "/api/v1/indicators",
        "/data/datenpool.csv",
        "/static/atlas.css",
        "/no-such-page",
        "/admin/users",
        "/offices",
        "/healthz",
    ] {
        let r = b.get(path).await;
        let h = |name: &str| {
            r.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{path} ({}): no {name}", r.status))
                .to_string()
        };
        let csp = h("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{path}: {csp}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "same-origin", "{path}");
        assert!(
            r.headers.get("strict-transport-security").is_none(),
            "{path}"
        );
    }
    let secure = fresh_state(AuthConfig {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    let r = Browser::new(&secure, 3, 10).get("/").await;
    assert_eq!(r.headers["strict-transport-security"], "max-age=31536000");
}

#[tokio::test]
async fn sign_in_changes_the_session_id_and_sessions_expire() {
    let state = auth_support::state().await;
    make_user(&state, "fix@example.org", "Fix", "fixation passwort", &[]).await;
    let mut b = Browser::new(&state, 3, 3);
    b.get("/login").await;
    let before = b.cookie.clone().unwrap();
    b.login("fix@example.org", "fixation passwort").await;
    assert_ne!(
        b.cookie.clone().unwrap(),
        before,
        "a new session id at sign-in"
    );

    // A session older than the configured maximum ends.
    let short = fresh_state(AuthConfig {
        session_max: time::Duration::ZERO,
        ..Default::default()
    })
    .await;
    make_user(&short, "kurz@example.org", "Kurz", "kurzes leben", &[]).await;
    let mut b = Browser::new(&short, 3, 4);
    b.get("/login").await;
    let r = b.sign_in("kurz@example.org", "kurzes leben").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
}

/// A concrete path for a pattern: every `{param}` becomes `1`.
fn sample(pattern: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for ch in pattern.chars() {
        match ch {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                out.push('1');
            }
            c if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_request_without_the_token() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "csrf@example.org",
        "Csrf Admin",
        "csrf passwort",
        &[Role::Admin],
    )
    .await;
    let mut b = Browser::new(&state, 3, 5);
    b.login("csrf@example.org", "csrf passwort").await;
    let token = b.csrf.clone().unwrap();
    let writes: Vec<_> = sozialatlas_web::route_table()
        .into_iter()
        .filter(|r| r.method != Method::GET)
        .collect();
    assert!(writes.len() >= 20, "{} state-changing routes", writes.len());
    for r in &writes {
        let path = sample(&r.path);
        for body in [
            Some(String::new()),
            Some("_csrf=".into()),
            Some(format!("_csrf={}x", &token[..token.len() - 1])),
            None,
        ] {
            let got = b.send(r.method.clone(), &path, body.clone()).await;
            assert_eq!(
                got.status,
                StatusCode::FORBIDDEN,
                "{} {path} with {body:?}",
                r.method
            );
            let explained = if path.starts_with("/en/") {
                "security token"
            } else {
                "Sicherheitsschlüssel"
            };
            assert!(
                got.body.contains(explained),
                "{path}: explained in its language"
            );
        }
        // The header works as well as the field (scripts), and only with the right token.
        let req = axum::http::Request::builder()
            .method(r.method.clone())
            .uri(&path)
            .header("x-csrf-token", "wrong");
        let resp = b.request(req, axum::body::Body::empty()).await;
        assert_eq!(
            resp.status(),
            StatusCode::FORBIDDEN,
            "{} {path} wrong header",
            r.method
        );
    }
    // Without any session: refused too; in English under /en.
    let mut anon = Browser::new(&state, 3, 6);
    let r = anon
        .post_raw("/en/login", &[("email", "a@b.org"), ("password", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("security token"));
    // A refused request changes nothing: the account is still there.
    let r = b
        .post_raw("/account/delete", &[("password", "csrf passwort")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(b.get("/account").await.status, StatusCode::OK);
    // With the token in the header, the request gets through (to the form check).
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/account/name")
        .header("x-csrf-token", &token)
        .header("content-type", "application/x-www-form-urlencoded");
    let body = axum::body::Body::from("display_name=Header+Name");
    let resp = b.request(req, body).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn too_many_failed_sign_ins_get_429() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "rate@example.org",
        "Rate",
        "richtiges passwort",
        &[],
    )
    .await;
    let mut b = Browser::new(&state, 3, 7);
    b.get("/login").await;
    for i in 0..10 {
        let r = b.sign_in("rate@example.org", "falsch").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
    }
    // The 11th within the minute, even with the right password: 429, in German, Retry-After.
    let r = b.sign_in("rate@example.org", "richtiges passwort").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.body.contains("Zu viele Versuche"), "{}", r.body);
    let wait: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let r = b
        .post(
            "/en/login",
            &[("email", "rate@example.org"), ("password", "x")],
        )
        .await;
    assert!(r.body.contains("Too many attempts"));
    // Another address is not affected.
    let mut other = Browser::new(&state, 3, 8);
    other.login("rate@example.org", "richtiges passwort").await;
}

/// Guessing an account's password from other addresses locks out browsers that never signed
/// in to it, never the browser its owner uses: failures from a known browser count against that
/// browser (the "device cookie" of OWASP). The cookie is HttpOnly, SameSite=Lax, a year long.
#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "owner@example.org",
        "Owner",
        "das richtige passwort",
        &[],
    )
    .await;
    let mut owner = Browser::new(&state, 4, 1);
    owner
        .login("owner@example.org", "das richtige passwort")
        .await;
    let device = owner
        .device
        .clone()
        .expect("a known-browser cookie after sign-in");
    assert_eq!(device.len(), "sa_device=".len() + 64, "{device}");
    owner.post("/logout", &[]).await;
    // A stranger tries 10 passwords from each of two addresses (each address stays within its
    // own limit): 20 failures on the account, its limit for browsers it does not know.
    for a in 2..4 {
        let mut stranger = Browser::new(&state, 4, a);
        stranger.get("/login").await;
        for i in 0..10 {
            let r = stranger.sign_in("owner@example.org", "geraten").await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "address {a}, attempt {i}"
            );
        }
    }
    // A browser the account does not know is refused now, even with the right password…
    let mut new_browser = Browser::new(&state, 4, 9);
    new_browser.get("/login").await;
    let r = new_browser
        .sign_in("owner@example.org", "das richtige passwort")
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // …the owner's browser is not.
    owner.get("/login").await;
    let r = owner
        .sign_in("owner@example.org", "das richtige passwort")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let c = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sa_device="))
        .expect("the cookie is renewed")
        .to_string();
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax"), "{c}");
    assert!(
        c.contains("Max-Age=31536000") && !c.contains("Secure"),
        "{c}"
    );
    assert_eq!(
        owner.device.as_deref(),
        Some(device.as_str()),
        "the same token is kept"
    );
    // A known browser has a limit of its own: 10 failures lock it, not the account's other
    // known browsers.
    owner.get("/account").await;
    owner.post("/logout", &[]).await;
    owner.get("/login").await;
    for i in 0..10 {
        let r = owner.sign_in("owner@example.org", "vertippt").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
    }
    owner.ip = std::net::SocketAddr::from(([10, 0, 4, 10], 40000));
    let r = owner
        .sign_in("owner@example.org", "das richtige passwort")
        .await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "this browser is locked now"
    );
}

/// Bodies are limited per route before they are read: a form route refuses a declared 1 MB
/// body at once (the body is never read: here it would never end), and cuts off one that
/// streams past 256 KB without a declared length. Both answers are the 413 page.
#[tokio::test]
async fn request_bodies_are_limited_before_they_are_read() {
    use futures_util::{StreamExt, stream};
    let state = auth_support::state().await;
    let mut b = Browser::new(&state, 3, 20);
    b.get("/register").await;
    let token = b.csrf.clone().expect("token");
    let send = |body: axum::body::Body, length: Option<usize>| {
        let mut req = axum::http::Request::builder()
            .method(Method::POST)
            .uri("/register")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(n) = length {
            req = req.header("content-length", n);
        }
        let b = &b;
        async move {
            let r = tokio::time::timeout(std::time::Duration::from_secs(20), b.request(req, body))
                .await
                .expect("answered without reading the whole body");
            let status = r.status();
            let body = http_body_util::BodyExt::collect(r.into_body())
                .await
                .unwrap()
                .to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    // A declared megabyte, of which one chunk ever arrives.
    let first = format!("_csrf={token}&email=");
    let endless = stream::once(async move { Ok::<_, std::io::Error>(first.into_bytes()) })
        .chain(stream::pending());
    let (status, page) = send(axum::body::Body::from_stream(endless), Some(1 << 20)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("höchstens 256 KB"), "{page}");
    // No declared length, 300 KB streamed in 10 KB chunks.
    let chunks = (0..30).map(move |i| {
        Ok::<_, std::io::Error>(if i == 0 {
            format!("_csrf={}&email=", "x").into_bytes()
        } else {
            vec![b'a'; 10 * 1024]
        })
    });
    let (status, _) = send(axum::body::Body::from_stream(stream::iter(chunks)), None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // A form of ordinary size still works.
    let r = b
        .post(
            "/register",
            &[
                ("email", "normal@example.org"),
                ("display_name", "Normal"),
                ("password", "ein langes passwort"),
                ("password2", "ein langes passwort"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn registration_is_rate_limited_per_address() {
    let state = auth_support::state().await;
    let mut b = Browser::new(&state, 3, 9);
    b.get("/register").await;
    for i in 0..5 {
        let email = format!("viele{i}@example.org");
        let r = b
            .post(
                "/register",
                &[
                    ("email", &email),
                    ("display_name", "Viele"),
                    ("password", "ein langes passwort"),
                    ("password2", "ein langes passwort"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "registration {i}");
    }
    let r = b.post("/register", &[("email", "sechs@example.org")]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn honeypot_registrations_are_answered_and_dropped() {
    let state = auth_support::state().await;
    let mut b = Browser::new(&state, 3, 10);
    b.get("/register").await;
    let r = b
        .post(
            "/register",
            &[
                ("email", "bot@example.org"),
                ("display_name", "Bot"),
                ("password", "ein langes passwort"),
                ("password2", "ein langes passwort"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("Bitte bestätigen Sie Ihre E-Mail-Adresse"),
        "looks accepted"
    );
    assert!(
        sozialatlas_accounts::find_user_by_email(state.pool(), "bot@example.org")
            .await
            .unwrap()
            .is_none(),
        "no account"
    );
    assert!(
        mail_to(&state, "bot@example.org").await.is_none(),
        "no mail"
    );
    // The field is in the form but hidden from people.
    let page = b.get("/register").await.body;
    assert!(page.contains("class=\"hp-field\" aria-hidden=\"true\""));
    assert!(page.contains("name=\"website\" value=\"\" tabindex=\"-1\""));
}

/// A page with the variable parts (token, echoed address) blanked.
fn normalised(body: &str, email: &str) -> String {
    let mut s = body.replace(email, "EMAIL");
    while let Some(i) = s.find("name=\"_csrf\" value=\"") {
        let start = i + 20;
        let end = start + s[start..].find('"').unwrap();
        s.replace_range(i..end, "CSRF");
    }
    s
}

#[tokio::test]
async fn sign_in_reset_and_registration_do_not_reveal_accounts() {
    let state = auth_support::state().await;
    make_user(&state, "da@example.org", "Da", "vorhanden passwort", &[]).await;
    let mut b = Browser::new(&state, 3, 11);
    b.get("/login").await;
    let known = b.sign_in("da@example.org", "falsches passwort").await;
    let unknown = b.sign_in("weg@example.org", "falsches passwort").await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        normalised(&known.body, "da@example.org"),
        normalised(&unknown.body, "weg@example.org")
    );

    let mut times = (Vec::new(), Vec::new());
    let mut bodies = Vec::new();
    for i in 0..3 {
        let mut c = Browser::new(&state, 4, i);
        c.get("/password/forgot").await;
        let t = Instant::now();
        let k = c
            .post("/password/forgot", &[("email", "da@example.org")])
            .await;
        times.0.push(t.elapsed());
        let t = Instant::now();
        let u = c
            .post("/password/forgot", &[("email", "niemand@example.org")])
            .await;
        times.1.push(t.elapsed());
        assert_eq!(k.status, StatusCode::OK);
        assert_eq!(u.status, StatusCode::OK);
        bodies.push((k.body, u.body));
    }
    for (k, u) in &bodies {
        assert_eq!(k, u, "the same answer for a known and an unknown address");
    }
    times.0.sort();
    times.1.sort();
    let (k, u) = (times.0[1].as_secs_f64(), times.1[1].as_secs_f64());
    assert!(
        (k - u).abs() < 0.05,
        "median answer times differ: known {k:.4}s, unknown {u:.4}s"
    );
    assert!(
        mail_to(&state, "da@example.org").await.is_some(),
        "the owner gets the link"
    );
    assert!(mail_to(&state, "niemand@example.org").await.is_none());

    // Registration with a taken address: the same answer as a new one; the owner gets a mail.
    let mut r1 = Browser::new(&state, 3, 12);
    r1.get("/register").await;
    let fields = |e: &'static str| {
        [
            ("email", e),
            ("display_name", "Jemand"),
            ("password", "ein langes passwort"),
            ("password2", "ein langes passwort"),
        ]
    };
    let taken = r1.post("/register", &fields("da@example.org")).await;
    let fresh = r1.post("/register", &fields("frisch@example.org")).await;
    assert_eq!(taken.status, fresh.status);
    assert_eq!(taken.body, fresh.body);
    let m = mail_to(&state, "da@example.org").await.unwrap();
    assert!(m.body.contains("/password/forgot") || m.body.contains("/password/reset/"));
}

const XSS: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

fn assert_escaped(page: &str, what: &str) {
    assert!(!page.contains("<script>alert(1)"), "raw script on {what}");
    assert!(!page.contains("<img src=x"), "raw img on {what}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.contains("&#60;script&#62;"),
        "escaped payload shown on {what}"
    );
}

#[tokio::test]
async fn user_text_is_escaped_on_every_page_that_shows_it() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "xss-admin@example.org",
        "Admin",
        "admin passwort x",
        &[Role::Admin],
    )
    .await;
    let mut u = Browser::new(&state, 3, 13);
    u.get("/register").await;
    let r = u
        .post(
            "/register",
            &[
                ("email", "xss@example.org"),
                ("display_name", &XSS[..50]),
                ("password", "ein langes passwort"),
                ("password2", "ein langes passwort"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The confirmation mail (shown to admins in the outbox) greets the name.
    let mail = mail_to(&state, "xss@example.org").await.unwrap();
    let link = auth_support::link_in(&mail.body, "/confirm/");
    u.get(&link).await;
    u.post(&link, &[]).await;
    u.login("xss@example.org", "ein langes passwort").await;
    assert_escaped(&u.get("/account").await.body, "/account");
    assert_escaped(&u.get("/en/account").await.body, "/en/account");
    // A form error echoes the input escaped.
    let r = u
        .post("/account/name", &[("display_name", &format!("{XSS}{XSS}"))])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_escaped(&r.body, "/account with errors");
    // The export is JSON, served as a download, never as HTML.
    let r = u.get("/account/export").await;
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["account"]["display_name"], &XSS[..50]);

    let mut a = Browser::new(&state, 3, 14);
    a.login("xss-admin@example.org", "admin passwort x").await;
    let id = sozialatlas_accounts::find_user_by_email(state.pool(), "xss@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    // The user acts, so their name appears in the audit log as actor.
    sozialatlas_accounts::audit(state.pool(), Some(id), "test.act", "thing:1", XSS)
        .await
        .unwrap();
    assert_escaped(&a.get("/admin/users").await.body, "/admin/users");
    assert_escaped(
        &a.get(&format!("/admin/users?q={}", "%3Cscript%3E"))
            .await
            .body,
        "/admin/users?q",
    );
    assert_escaped(&a.get("/admin/audit").await.body, "/admin/audit");
    assert_escaped(&a.get("/admin/outbox").await.body, "/admin/outbox");

    // Reflected input: the sign-in page's `next` and e-mail fields.
    let mut anon = Browser::new(&state, 3, 15);
    let r = anon
        .get("/login?next=/%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
        .await;
    assert!(!r.body.contains("\"><script>"), "next is escaped");
    let r = anon.sign_in(XSS, "egal egal").await;
    assert_escaped(&r.body, "/login with errors");
    let r = anon
        .post("/register", &[("email", XSS), ("display_name", XSS)])
        .await;
    assert_escaped(&r.body, "/register with errors");
}

#[tokio::test]
async fn stored_passwords_are_argon2id() {
    let state = auth_support::state().await;
    let mut b = Browser::new(&state, 3, 16);
    b.get("/register").await;
    b.post(
        "/register",
        &[
            ("email", "hash@example.org"),
            ("display_name", "Hash"),
            ("password", "ein langes passwort"),
            ("password2", "ein langes passwort"),
        ],
    )
    .await;
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM app_user WHERE email_norm = $1")
            .bind("hash@example.org")
            .fetch_one(state.pool())
            .await
            .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains("ein langes passwort"));
}

/// Sign-ins sent at the same time from one address (an office behind one gateway) take turns
/// instead of being refused: 30 people with their right passwords all get in, although the
/// address may fail only 10 times a minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ins_from_one_address_all_pass() {
    let state = auth_support::state().await;
    let mut people = Vec::new();
    for i in 0..30 {
        let email = format!("person{i}@example.org");
        make_user(&state, &email, "Person", "ein gutes passwort", &[]).await;
        let mut b = Browser::new(&state, 7, 1);
        b.get("/login").await;
        people.push((b, email));
    }
    let tasks: Vec<_> = people
        .into_iter()
        .map(|(mut b, email)| {
            tokio::spawn(async move { b.sign_in(&email, "ein gutes passwort").await.status })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("a sign-in"), StatusCode::SEE_OTHER);
    }
}

/// Guesses sent at the same time cannot pass a sign-in limit together: each counts before its
/// password is checked. Of 30 concurrent wrong passwords from one address, exactly the
/// address's limit (10 a minute) are checked; the others wait for those to fail and are then
/// refused (429).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_cannot_pass_the_limit_together() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "ziel@example.org",
        "Ziel",
        "das richtige passwort",
        &[],
    )
    .await;
    let mut guessers = Vec::new();
    for _ in 0..30 {
        let mut b = Browser::new(&state, 6, 1);
        b.get("/login").await;
        guessers.push(b);
    }
    let tasks: Vec<_> = guessers
        .into_iter()
        .enumerate()
        .map(|(i, mut b)| {
            tokio::spawn(async move {
                b.sign_in("ziel@example.org", &format!("geraten {i}"))
                    .await
                    .status
            })
        })
        .collect();
    let mut checked = 0;
    let mut refused = 0;
    for t in tasks {
        match t.await.expect("a guess") {
            StatusCode::UNPROCESSABLE_ENTITY => checked += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            s => panic!("a guess answered {s}"),
        }
    }
    assert_eq!((checked, refused), (10, 20));
    // A successful sign-in does not count: from another address, 9 failures (19 of the
    // account's 20), a sign-in with the right password, and the 20th failure is still checked.
    let mut owner = Browser::new(&state, 6, 2);
    owner.get("/login").await;
    for _ in 0..9 {
        owner.sign_in("ziel@example.org", "vertippt").await;
    }
    owner
        .login("ziel@example.org", "das richtige passwort")
        .await;
    let mut third = Browser::new(&state, 6, 3);
    third.get("/login").await;
    let r = third.sign_in("ziel@example.org", "noch einmal").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the 20th failure"
    );
    let asked = std::time::Instant::now();
    let r = third.sign_in("ziel@example.org", "und noch einmal").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the 21st");
    assert!(
        asked.elapsed() >= sozialatlas_web_kit::auth::TARPIT,
        "a refusal is answered after a second"
    );
}
