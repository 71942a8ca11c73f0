//! The accounts crate against a real (in-memory SQLite) store.

use std::time::{Duration, Instant};

use sozialatlas_accounts::tokens::{consume_token, issue_token, peek_token};
use sozialatlas_accounts::{
    AccountError, LoginOutcome, NewUser, Registration, Role, Status, TokenPurpose, audit,
    authenticate, list_audit,
};

async fn pool() -> sozialatlas_accounts::Pool {
    sozialatlas_test_support::test_pool().await
}

fn new<'a>(email: &'a str, roles: &'a [Role]) -> NewUser<'a> {
    NewUser {
        email,
        display_name: "Erika Muster",
        password: "ein gutes passwort",
        locale: "de",
        status: Status::Active,
        roles,
    }
}

#[tokio::test]
async fn email_is_unique_case_insensitively() {
    let p = pool().await;
    let id = sozialatlas_accounts::create_user(&p, &new("Erika@Example.org", &[]), None)
        .await
        .unwrap();
    let e = sozialatlas_accounts::create_user(&p, &new(" erika@EXAMPLE.org ", &[]), None)
        .await
        .unwrap_err();
    assert!(matches!(e, AccountError::EmailTaken), "{e}");
    let u = sozialatlas_accounts::find_user_by_email(&p, "ERIKA@example.ORG")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.id, id);
    assert_eq!(
        u.email.as_deref(),
        Some("Erika@Example.org"),
        "kept as given"
    );
    assert_eq!(
        u.roles,
        vec![Role::Participant],
        "active accounts participate"
    );
    // Bad input names the field.
    for (email, field) in [("ohne-at", "email"), ("a@b", "email"), ("", "email")] {
        match sozialatlas_accounts::create_user(&p, &new(email, &[]), None).await {
            Err(AccountError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{email}: {other:?}"),
        }
    }
    let mut n = new("x@example.org", &[]);
    n.display_name = "<";
    assert!(matches!(
        sozialatlas_accounts::create_user(&p, &n, None).await,
        Err(AccountError::Invalid {
            field: "display_name",
            ..
        })
    ));
}

#[tokio::test]
async fn authenticate_says_only_what_it_may() {
    let p = pool().await;
    sozialatlas_accounts::create_user(&p, &new("a@example.org", &[]), None)
        .await
        .unwrap();
    assert!(matches!(
        authenticate(&p, "A@example.org", "ein gutes passwort").await.unwrap(),
        LoginOutcome::Success(u) if u.last_login_at.is_none()
    ));
    let u = sozialatlas_accounts::find_user_by_email(&p, "a@example.org")
        .await
        .unwrap()
        .unwrap();
    assert!(u.last_login_at.is_some(), "sign-in time recorded");
    assert!(matches!(
        authenticate(&p, "a@example.org", "falsch").await.unwrap(),
        LoginOutcome::BadCredentials
    ));
    assert!(matches!(
        authenticate(&p, "niemand@example.org", "egal egal")
            .await
            .unwrap(),
        LoginOutcome::BadCredentials
    ));
    // Self-registration: unconfirmed until confirmed.
    let r =
        sozialatlas_accounts::register(&p, "neu@example.org", "Neu", "ein gutes passwort", "en")
            .await
            .unwrap();
    let Registration::Created(id) = r else {
        panic!("{r:?}")
    };
    assert!(matches!(
        authenticate(&p, "neu@example.org", "ein gutes passwort")
            .await
            .unwrap(),
        LoginOutcome::Unconfirmed(_)
    ));
    assert_eq!(
        sozialatlas_accounts::register(&p, "NEU@example.org", "Neu", "ein gutes passwort", "de")
            .await
            .unwrap(),
        Registration::Exists(id)
    );
    sozialatlas_accounts::confirm_user(&p, id).await.unwrap();
    let u = sozialatlas_accounts::get_user(&p, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.status, Status::Active);
    assert_eq!(u.roles, vec![Role::Participant]);
    assert_eq!(u.locale, "en");
    sozialatlas_accounts::set_blocked(&p, None, id, true)
        .await
        .unwrap();
    assert!(matches!(
        authenticate(&p, "neu@example.org", "ein gutes passwort")
            .await
            .unwrap(),
        LoginOutcome::Blocked
    ));
    assert!(
        matches!(
            authenticate(&p, "neu@example.org", "falsch falsch")
                .await
                .unwrap(),
            LoginOutcome::BadCredentials
        ),
        "a blocked account is not revealed without its password"
    );
}

#[tokio::test]
async fn unknown_address_takes_as_long_as_a_wrong_password() {
    let p = pool().await;
    sozialatlas_accounts::create_user(&p, &new("t@example.org", &[]), None)
        .await
        .unwrap();
    // Warm up (the dummy hash is made on first use).
    authenticate(&p, "x@example.org", "y").await.unwrap();
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        authenticate(&p, "t@example.org", "falsches passwort")
            .await
            .unwrap();
        known.push(t.elapsed());
        let t = Instant::now();
        authenticate(&p, "u@example.org", "falsches passwort")
            .await
            .unwrap();
        unknown.push(t.elapsed());
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[2].as_secs_f64(), unknown[2].as_secs_f64());
    assert!(
        u > k * 0.4 && u < k * 2.5,
        "median known {k:.4}s vs unknown {u:.4}s"
    );
}

#[tokio::test]
async fn roles_are_audited_and_the_last_admin_stays() {
    let p = pool().await;
    let admin =
        sozialatlas_accounts::create_user(&p, &new("admin@example.org", &[Role::Admin]), None)
            .await
            .unwrap();
    let other = sozialatlas_accounts::create_user(&p, &new("o@example.org", &[]), None)
        .await
        .unwrap();
    assert!(
        sozialatlas_accounts::add_role(&p, Some(admin), other, Role::Moderator)
            .await
            .unwrap()
    );
    assert!(
        !sozialatlas_accounts::add_role(&p, Some(admin), other, Role::Moderator)
            .await
            .unwrap()
    );
    assert!(
        sozialatlas_accounts::remove_role(&p, Some(admin), other, Role::Moderator)
            .await
            .unwrap()
    );
    assert!(matches!(
        sozialatlas_accounts::remove_role(&p, Some(admin), admin, Role::Admin).await,
        Err(AccountError::Invalid { field: "role", .. })
    ));
    assert!(
        sozialatlas_accounts::set_blocked(&p, Some(admin), admin, true)
            .await
            .is_err()
    );
    assert!(
        sozialatlas_accounts::delete_user(&p, Some(admin), admin)
            .await
            .is_err()
    );
    // With a second admin the first may step down.
    sozialatlas_accounts::add_role(&p, Some(admin), other, Role::Admin)
        .await
        .unwrap();
    sozialatlas_accounts::remove_role(&p, Some(other), admin, Role::Admin)
        .await
        .unwrap();
    assert_eq!(sozialatlas_accounts::active_admins(&p).await.unwrap(), 1);

    let (log, total) = list_audit(&p, &Default::default(), 100, 0).await.unwrap();
    assert_eq!(total, log.len() as i64);
    let actions: Vec<&str> = log.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "user.role.add",
            "user.role.remove",
            "user.role.add",
            "user.role.remove"
        ]
    );
    assert!(
        log.iter()
            .all(|e| !e.detail.contains('@') && !e.object.contains('@')),
        "ids only"
    );
    let filtered = sozialatlas_accounts::audit::AuditFilter {
        object: Some(format!("user:{admin}")),
        ..Default::default()
    };
    let (mine, n) = list_audit(&p, &filtered, 100, 0).await.unwrap();
    assert_eq!(n, 2);
    assert!(mine.iter().all(|e| e.object == format!("user:{admin}")));
}

#[tokio::test]
async fn tokens_are_single_use_expiring_and_stored_hashed() {
    let p = pool().await;
    let id = sozialatlas_accounts::create_user(&p, &new("tok@example.org", &[]), None)
        .await
        .unwrap();
    let t1 = issue_token(&p, id, TokenPurpose::Reset).await.unwrap();
    assert_eq!(t1.len(), 64);
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM email_token")
        .fetch_all(&p)
        .await
        .unwrap();
    assert!(
        stored.iter().all(|(h,)| h != &t1),
        "only the hash is stored"
    );
    assert_eq!(
        peek_token(&p, &t1, TokenPurpose::Confirm).await.unwrap(),
        None,
        "purpose"
    );
    assert_eq!(
        peek_token(&p, &t1, TokenPurpose::Reset).await.unwrap(),
        Some(id)
    );
    // A new token voids the old one.
    let t2 = issue_token(&p, id, TokenPurpose::Reset).await.unwrap();
    assert_eq!(
        consume_token(&p, &t1, TokenPurpose::Reset).await.unwrap(),
        None
    );
    assert_eq!(
        consume_token(&p, &t2, TokenPurpose::Reset).await.unwrap(),
        Some(id)
    );
    assert_eq!(
        consume_token(&p, &t2, TokenPurpose::Reset).await.unwrap(),
        None,
        "once"
    );
    // Expired.
    let t3 = issue_token(&p, id, TokenPurpose::Confirm).await.unwrap();
    sqlx::query("UPDATE email_token SET expires_at = '2000-01-01T00:00:00Z'")
        .execute(&p)
        .await
        .unwrap();
    assert_eq!(
        peek_token(&p, &t3, TokenPurpose::Confirm).await.unwrap(),
        None
    );
    assert_eq!(
        peek_token(&p, "zz", TokenPurpose::Confirm).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn deletion_erases_personal_data_and_keeps_the_row() {
    let p = pool().await;
    let id =
        sozialatlas_accounts::create_user(&p, &new("weg@example.org", &[Role::Reviewer]), None)
            .await
            .unwrap();
    issue_token(&p, id, TokenPurpose::Reset).await.unwrap();
    sozialatlas_accounts::queue_mail(&p, Some(id), "weg@example.org", "Hallo", "Text")
        .await
        .unwrap();
    audit(&p, Some(id), "idea.create", "idea:1", "")
        .await
        .unwrap();

    let export = sozialatlas_accounts::export_user(&p, id).await.unwrap();
    assert_eq!(export["account"]["email"], "weg@example.org");
    assert_eq!(export["roles"].as_array().unwrap().len(), 2);
    assert_eq!(export["email_tokens"][0]["purpose"], "reset");
    assert_eq!(export["mails"][0]["subject"], "Hallo");
    assert!(
        export["audit_log"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "idea.create")
    );
    assert!(!export.to_string().contains("argon2"));

    sozialatlas_accounts::delete_user(&p, Some(id), id)
        .await
        .unwrap();
    let u = sozialatlas_accounts::get_user(&p, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.status, Status::Deleted);
    assert_eq!(u.email, None);
    assert_eq!(u.display_name, "");
    assert!(u.roles.is_empty());
    let hash: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM app_user WHERE id = $1")
            .bind(id)
            .fetch_one(&p)
            .await
            .unwrap();
    assert_eq!(hash, None);
    for table in ["email_token", "mail_outbox"] {
        let n: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1"))
                .bind(id)
                .fetch_one(&p)
                .await
                .unwrap();
        assert_eq!(n, 0, "{table}");
    }
    // The audit log keeps its rows (by id).
    let (log, _) = list_audit(&p, &Default::default(), 100, 0).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "idea.create" && e.actor_id == Some(id))
    );
    assert!(log.iter().any(|e| e.action == "user.delete"));
    assert!(matches!(
        authenticate(&p, "weg@example.org", "ein gutes passwort")
            .await
            .unwrap(),
        LoginOutcome::BadCredentials
    ));
    // Deleted accounts cannot be changed any more.
    assert!(
        sozialatlas_accounts::add_role(&p, None, id, Role::Admin)
            .await
            .is_err()
    );
}

/// The audit log is append-only: no code in the workspace updates or deletes its rows.
#[test]
fn no_code_updates_or_deletes_the_audit_log() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if p.is_dir() {
                if !name.starts_with('.') && !name.starts_with("target") && name != "tests" {
                    walk(&p, out);
                }
            } else if name.ends_with(".rs") || name.ends_with(".sql") {
                out.push(p);
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    walk(&crates, &mut files);
    assert!(files.len() > 20, "the workspace's sources were found");
    let mut found_insert = false;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap().to_lowercase();
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            !flat.contains("update audit_log"),
            "{} updates audit_log",
            f.display()
        );
        assert!(
            !flat.contains("delete from audit_log"),
            "{} deletes from audit_log",
            f.display()
        );
        assert!(
            !flat.contains("drop table audit_log"),
            "{} drops audit_log",
            f.display()
        );
        found_insert |= flat.contains("insert into audit_log");
    }
    assert!(
        found_insert,
        "the one INSERT was seen, so the scan looked at the right files"
    );
}

#[tokio::test]
async fn rate_limits_slide_in_the_database() {
    use sozialatlas_accounts::ratelimit::{self, Limit};
    let pool = pool().await;
    let l = Limit::minutes(3, 1);
    let t0 = 1_000_000_000;
    for i in 0..3 {
        assert_eq!(
            ratelimit::over_limit_at(&pool, "k", l, t0 + i * 1000)
                .await
                .unwrap(),
            None
        );
        ratelimit::record_at(&pool, "k", t0 + i * 1000)
            .await
            .unwrap();
    }
    let wait = ratelimit::over_limit_at(&pool, "k", l, t0 + 10_000)
        .await
        .unwrap();
    assert_eq!(wait, Some(Duration::from_secs(50)));
    assert_eq!(
        ratelimit::over_limit_at(&pool, "other", l, t0)
            .await
            .unwrap(),
        None,
        "keys are separate"
    );
    assert_eq!(
        ratelimit::over_limit_at(&pool, "k", l, t0 + 60_000)
            .await
            .unwrap(),
        None,
        "the first event left the window"
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT key_hash FROM rate_event")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 3);
    assert!(
        stored.iter().all(|k| k.len() == 64 && k != "k"),
        "only hashes are kept"
    );
    // Events older than the longest window are purged; newer ones stay.
    ratelimit::record(&pool, "k").await.unwrap();
    assert_eq!(ratelimit::purge(&pool).await.unwrap(), 3);
    ratelimit::clear(&pool, "k").await.unwrap();
    let two = Limit::minutes(2, 1);
    assert_eq!(ratelimit::hit(&pool, "k", two).await.unwrap(), None);
    assert_eq!(ratelimit::hit(&pool, "k", two).await.unwrap(), None);
    assert!(ratelimit::hit(&pool, "k", two).await.unwrap().is_some());
    assert_eq!(ratelimit::hit(&pool, "b", two).await.unwrap(), None);
}

/// Attempts counted in advance: a reservation holds a place while in flight (others are told
/// to wait, not refused), a released one frees it, a settled one counts as an event.
#[tokio::test]
async fn reserved_attempts_hold_places_until_released_or_settled() {
    use sozialatlas_accounts::ratelimit::{self, Limit, Refused};
    let pool = pool().await;
    let two = [("k", Limit::minutes(2, 1))];
    let first = ratelimit::reserve(&pool, &two).await.unwrap().unwrap();
    let second = ratelimit::reserve(&pool, &two).await.unwrap().unwrap();
    assert!(matches!(
        ratelimit::reserve(&pool, &two).await.unwrap(),
        Err(Refused::InFlight)
    ));
    ratelimit::release(&pool, first).await.unwrap();
    let third = ratelimit::reserve(&pool, &two).await.unwrap().unwrap();
    ratelimit::settle(&pool, second).await.unwrap();
    ratelimit::settle(&pool, third).await.unwrap();
    assert!(matches!(
        ratelimit::reserve(&pool, &two).await.unwrap(),
        Err(Refused::Over(_))
    ));
    // Waiting for a turn: a place held in flight and freed meanwhile is taken; one that stays
    // held ends the wait, refused.
    let other = [("o", Limit::minutes(1, 1))];
    let held = ratelimit::reserve(&pool, &other).await.unwrap().unwrap();
    let waiter = tokio::spawn({
        let pool = pool.clone();
        async move {
            ratelimit::reserve_within(
                &pool,
                &[("o", Limit::minutes(1, 1))],
                Duration::from_secs(20),
            )
            .await
            .unwrap()
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "the waiter waits for the place");
    ratelimit::release(&pool, held).await.unwrap();
    let turn = waiter.await.unwrap().expect("the freed place");
    let r = ratelimit::reserve_within(&pool, &other, Duration::from_millis(200))
        .await
        .unwrap();
    assert!(r.is_err(), "the place stays held");
    ratelimit::settle(&pool, turn).await.unwrap();
}

/// A failed sign-in of office staff (who see case data) is audit-logged by account id; that of
/// a participant is not; the password tried is never stored.
#[tokio::test]
async fn failed_sign_ins_of_office_staff_are_audited() {
    let p = pool().await;
    let staff = sozialatlas_accounts::create_user(
        &p,
        &new("buero@example.org", &[Role::OfficeStaff]),
        None,
    )
    .await
    .unwrap();
    let sup = sozialatlas_accounts::create_user(
        &p,
        &new("aufsicht@example.org", &[Role::OfficeSupervisor]),
        None,
    )
    .await
    .unwrap();
    let part = sozialatlas_accounts::create_user(&p, &new("t@example.org", &[]), None)
        .await
        .unwrap();
    for email in ["buero@example.org", "aufsicht@example.org", "t@example.org"] {
        assert!(matches!(
            authenticate(&p, email, "geheimes-falsches-wort")
                .await
                .unwrap(),
            LoginOutcome::BadCredentials
        ));
    }
    let filter = sozialatlas_accounts::audit::AuditFilter {
        action_prefix: Some("user.login.failed".into()),
        ..Default::default()
    };
    let (entries, total) = list_audit(&p, &filter, 10, 0).await.unwrap();
    assert_eq!(total, 2);
    let objects: Vec<&str> = entries.iter().map(|e| e.object.as_str()).collect();
    assert!(objects.contains(&format!("user:{staff}").as_str()));
    assert!(objects.contains(&format!("user:{sup}").as_str()));
    assert!(!objects.contains(&format!("user:{part}").as_str()));
    assert!(entries.iter().all(|e| !e.detail.contains("geheimes")));
    // A right password logs nothing more.
    authenticate(&p, "buero@example.org", "ein gutes passwort")
        .await
        .unwrap();
    assert_eq!(list_audit(&p, &filter, 10, 0).await.unwrap().1, 2);
}
