//! The account flows end to end, in-process: registration with e-mail confirmation, sign-in,
//! sign-out, password reset, the account page (name, password, export, deletion), the
//! administration pages, and the response cache staying out of the way.

use crate::auth_support;
use crate::auth_support::{Browser, link_in, mail_to, make_user};
use axum::http::StatusCode;
use sozialatlas_accounts::Role;

#[tokio::test]
async fn register_confirm_sign_in_and_out() {
    let state = auth_support::state().await;
    let mut b = Browser::new(&state, 1, 1);
    let r = b.get("/register").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("name=\"website\""), "honeypot field");
    assert!(r.body.contains("autocomplete=\"new-password\""));
    assert_eq!(r.headers["cache-control"], "no-store");

    // Form errors on the form, in German, status 422, input kept.
    let r = b
        .post(
            "/register",
            &[
                ("email", "kein-at"),
                ("display_name", "A"),
                ("password", "kurz"),
                ("password2", "kurz"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("gültige E-Mail-Adresse"));
    assert!(r.body.contains("2 bis 60 Zeichen"));
    assert!(r.body.contains("mindestens 10"));
    assert!(r.body.contains("value=\"kein-at\""));
    assert!(r.body.contains("aria-invalid=\"true\""));

    let r = b
        .post(
            "/register",
            &[
                ("email", "Neu.Person@Example.org"),
                ("display_name", "Neue Person"),
                ("password", "ein langes passwort"),
                ("password2", "ein langes passwort"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Bitte bestätigen Sie Ihre E-Mail-Adresse"));

    // Not active yet.
    let r = b
        .sign_in("neu.person@example.org", "ein langes passwort")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("noch nicht bestätigt"));

    let mail = mail_to(&state, "Neu.Person@Example.org")
        .await
        .expect("confirmation mail");
    assert!(mail.subject.contains("bestätigen"));
    let link = link_in(&mail.body, "/confirm/");
    let r = b.get(&link).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Bestätigen"));
    let r = b.post(&link, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?notice=confirmed");
    // A used link is void.
    assert_eq!(b.get(&link).await.status, StatusCode::NOT_FOUND);

    // Case-insensitive e-mail at sign-in; `next` is followed.
    b.get("/login?next=/account").await;
    let r = b
        .post(
            "/login",
            &[
                ("email", "NEU.PERSON@example.ORG"),
                ("password", "ein langes passwort"),
                ("next", "/account"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location(), "/account");
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Neue Person"));
    assert!(r.body.contains("Teilnehmer*in"));

    // Sign-out ends the session.
    let r = b.post("/logout", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = b.get("/account").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?next=%2Faccount");
}

#[tokio::test]
async fn english_pages_and_redirects() {
    let state = auth_support::state().await;
    let mut b = Browser::new(&state, 1, 2);
    let r = b.get("/en/account").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/en/login?next=%2Fen%2Faccount");
    let r = b.get("/en/login").await;
    assert!(r.body.contains("<html lang=\"en\">"));
    assert!(r.body.contains("Sign in"));
    let r = b
        .post(
            "/en/login",
            &[
                ("email", "nobody@example.org"),
                ("password", "whatever it is"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("The e-mail address or the password is wrong.")
    );
}

#[tokio::test]
async fn open_redirects_are_refused() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "redir@example.org",
        "Redir",
        "redirect passwort",
        &[],
    )
    .await;
    for evil in ["//evil.example", "https://evil.example/", "/\\evil.example"] {
        let mut b = Browser::new(&state, 1, 3);
        b.get("/login").await;
        let r = b
            .post(
                "/login",
                &[
                    ("email", "redir@example.org"),
                    ("password", "redirect passwort"),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/account", "next={evil}");
    }
}

#[tokio::test]
async fn password_reset_sets_a_new_password_and_ends_old_sessions() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "reset@example.org",
        "Reset Person",
        "altes passwort 1",
        &[],
    )
    .await;
    let mut old = Browser::new(&state, 1, 4);
    old.login("reset@example.org", "altes passwort 1").await;

    let mut b = Browser::new(&state, 1, 5);
    b.get("/password/forgot").await;
    let r = b
        .post("/password/forgot", &[("email", "RESET@example.org")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let mail = mail_to(&state, "reset@example.org")
        .await
        .expect("reset mail");
    let link = link_in(&mail.body, "/password/reset/");
    let r = b.get(&link).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = b
        .post(
            &link,
            &[
                ("password", "neues passwort 2"),
                ("password2", "anders passwort"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("stimmen nicht überein"));
    let r = b
        .post(
            &link,
            &[
                ("password", "neues passwort 2"),
                ("password2", "neues passwort 2"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/login?notice=reset");
    assert_eq!(
        b.get(&link).await.status,
        StatusCode::NOT_FOUND,
        "used once"
    );
    // The old session has ended; the new password works, the old one not.
    assert_eq!(old.get("/account").await.status, StatusCode::SEE_OTHER);
    let mut c = Browser::new(&state, 1, 6);
    c.get("/login").await;
    let r = c.sign_in("reset@example.org", "altes passwort 1").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    c.login("reset@example.org", "neues passwort 2").await;
    // Audit-logged.
    let (log, _) = sozialatlas_accounts::list_audit(state.pool(), &Default::default(), 1000, 0)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "user.password.reset"));
}

#[tokio::test]
async fn account_export_change_and_delete() {
    let state = auth_support::state().await;
    let id = make_user(
        &state,
        "konto@example.org",
        "Konto Person",
        "konto passwort",
        &[],
    )
    .await;
    let mut b = Browser::new(&state, 1, 7);
    b.login("konto@example.org", "konto passwort").await;

    let r = b
        .post("/account/name", &[("display_name", "K. Person")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        b.get("/account?notice=name")
            .await
            .body
            .contains("K. Person")
    );
    let r = b.post("/account/name", &[("display_name", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    let r = b
        .post(
            "/account/password",
            &[
                ("current_password", "falsch falsch"),
                ("new_password", "neues konto passwort"),
                ("new_password2", "neues konto passwort"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Das Passwort ist falsch."));
    let r = b
        .post(
            "/account/password",
            &[
                ("current_password", "konto passwort"),
                ("new_password", "neues konto passwort"),
                ("new_password2", "neues konto passwort"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        b.get("/account").await.status,
        StatusCode::OK,
        "still signed in"
    );

    let r = b.get("/account/export").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["account"]["email"], "konto@example.org");
    assert_eq!(v["account"]["display_name"], "K. Person");
    assert_eq!(v["roles"][0]["role"], "participant");
    assert!(!r.body.contains("argon2"), "no password hash in the export");

    let r = b
        .post("/account/delete", &[("password", "konto passwort")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "old password");
    let r = b
        .post("/account/delete", &[("password", "neues konto passwort")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Konto gelöscht"));
    assert_eq!(b.get("/account").await.status, StatusCode::SEE_OTHER);
    let u = sozialatlas_accounts::get_user(state.pool(), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.status, sozialatlas_accounts::Status::Deleted);
    assert_eq!(u.email, None);
    assert_eq!(u.display_name, "");
    assert!(u.roles.is_empty());
    // The address is free again.
    make_user(
        &state,
        "konto@example.org",
        "Wieder da",
        "konto passwort",
        &[],
    )
    .await;
}

#[tokio::test]
async fn admin_pages_roles_blocking_and_audit() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "chef@example.org",
        "Chefin",
        "admin passwort",
        &[Role::Admin],
    )
    .await;
    let target = make_user(
        &state,
        "ziel@example.org",
        "Ziel Person",
        "ziel passwort",
        &[],
    )
    .await;
    let mut target_b = Browser::new(&state, 1, 9);
    target_b.login("ziel@example.org", "ziel passwort").await;
    let mut b = Browser::new(&state, 1, 8);
    b.login("chef@example.org", "admin passwort").await;

    let r = b.get("/admin/users").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Ziel Person") && r.body.contains("ziel@example.org"));
    let path = format!("/admin/users/{target}/roles");
    let r = b.post(&path, &[("role", "moderator"), ("op", "add")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/admin/users?notice=role-added"));
    let r = b.post(&path, &[("role", "kaiser"), ("op", "add")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let u = sozialatlas_accounts::get_user(state.pool(), target)
        .await
        .unwrap()
        .unwrap();
    assert!(u.has(Role::Moderator));

    // Blocking ends the target's session at its next request.
    let r = b
        .post(&format!("/admin/users/{target}/status"), &[("op", "block")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(target_b.get("/account").await.status, StatusCode::SEE_OTHER);
    let mut again = Browser::new(&state, 1, 10);
    again.get("/login").await;
    let r = again.sign_in("ziel@example.org", "ziel passwort").await;
    assert!(r.body.contains("gesperrt"));

    // Unknown user: 404.
    let r = b
        .post("/admin/users/999999/status", &[("op", "block")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    let r = b.get("/admin/audit").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("user.role.add") && r.body.contains("user.block"));
    assert!(r.body.contains(&format!("user:{target}")));
    assert!(r.body.contains("Chefin"), "actor by name");

    let r = b.get("/admin/outbox").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = b.get("/admin/audit?page=0").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn signed_in_visitors_bypass_the_cache() {
    let state = auth_support::state().await;
    make_user(
        &state,
        "cache@example.org",
        "Cache Person",
        "cache passwort",
        &[],
    )
    .await;
    let mut anon = Browser::new(&state, 1, 11);
    let r = anon.get("/sources").await;
    assert!(
        r.headers.get("etag").is_some(),
        "anonymous atlas pages are cached"
    );
    assert!(
        r.headers.get("set-cookie").is_none(),
        "atlas pages set no cookie"
    );
    assert!(
        r.body.contains("href=\"/account\""),
        "static account link in the header"
    );
    let mut b = Browser::new(&state, 1, 12);
    b.login("cache@example.org", "cache passwort").await;
    let r = b.get("/sources").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers.get("etag").is_none(),
        "a session bypasses the cache"
    );
    let r = anon.get("/login").await;
    assert!(
        r.headers.get("etag").is_none(),
        "account pages are never cached"
    );
    assert_eq!(r.headers["cache-control"], "no-store");
}
