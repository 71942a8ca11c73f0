//! Many writers at once on a store file: every write transaction starts as a writer
//! (`sozialatlas_store::begin_write`) and waits for the one before it, so no request ends in a
//! 500 "database is locked"; one that waits too long is answered 503 with `Retry-After`, and
//! nothing it sent is written. Every acknowledged write is in the store afterwards.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use sozialatlas_accounts::Role;
use sozialatlas_web::{AppState, AuthConfig};

use crate::auth_support::{Browser, make_user, snapshot};

const WRITERS: u8 = 24;
const COMMENTS_EACH: usize = 4;
const PW: &str = "a test password 1";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_get_no_5xx_and_every_acknowledged_write_is_kept() {
    // A SQLite file (the case that failed with "database is locked"), or a PostgreSQL database.
    let (_dir, _target, pool) = sozialatlas_test_support::shared_store().await;
    let state = AppState::with_auth(snapshot(), pool.clone(), AuthConfig::default());
    sozialatlas_web::seed_participation_example(&state)
        .await
        .expect("example");
    // A published idea of the example process, open for comments.
    make_user(&state, "pia@example.org", "Pia", PW, &[]).await;
    make_user(&state, "mo@example.org", "Mo", PW, &[Role::Moderator]).await;
    let mut pia = Browser::new(&state, 8, 1);
    pia.login("pia@example.org", PW).await;
    let r = pia
        .post(
            "/participation/processes/1/ideas/new",
            &[
                ("title", "Ein Treffpunkt für alle"),
                (
                    "description",
                    "Eine Idee, die viele gleichzeitig kommentieren.",
                ),
                ("area", "1"),
                ("field", "1"),
                ("group_type", "association"),
                ("group_name", "Nachbarschaft"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let idea: i64 = r
        .location()
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("the new idea's id");
    let mut mo = Browser::new(&state, 8, 2);
    mo.login("mo@example.org", PW).await;
    let r = mo
        .post(
            &format!("/participation/moderation/ideas/{idea}/publish"),
            &[("reason", "passt")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for n in 0..WRITERS {
        let email = format!("writer{n}@example.org");
        make_user(&state, &email, &format!("Writer {n}"), PW, &[]).await;
    }
    // Every writer signs in and comments at the same time as all the others.
    let mut tasks = Vec::new();
    for n in 0..WRITERS {
        let state = state.clone();
        tasks.push(tokio::spawn(async move {
            let mut b = Browser::new(&state, 9, n + 1);
            b.login(&format!("writer{n}@example.org"), PW).await;
            let mut out = Vec::new();
            for k in 0..COMMENTS_EACH {
                let body = format!("Kommentar {n}-{k} unter Last");
                let r = b
                    .post(
                        &format!("/participation/ideas/{idea}/comments"),
                        &[("body", &body)],
                    )
                    .await;
                let retry = r.headers.get("retry-after").is_some();
                out.push((r.status, retry, body, r.body));
            }
            out
        }));
    }
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut acknowledged = Vec::new();
    for t in tasks {
        for (status, retry, body, page) in t.await.expect("a writer") {
            *by_status.entry(status.as_u16()).or_default() += 1;
            match status {
                StatusCode::SEE_OTHER => acknowledged.push(body),
                StatusCode::SERVICE_UNAVAILABLE => {
                    assert!(retry, "a 503 without Retry-After: {page}")
                }
                s => panic!("comment answered {s}: {page}"),
            }
        }
    }
    eprintln!("answers by status: {by_status:?}");
    // Writers wait for each other instead of failing: with a few milliseconds per write, none
    // comes near the busy timeout, so every comment is written (a transaction that read before
    // it wrote, instead of starting as a writer, fails at once with "database is locked").
    assert_eq!(
        acknowledged.len(),
        usize::from(WRITERS) * COMMENTS_EACH,
        "not every comment was written: {by_status:?}"
    );
    let stored: Vec<String> =
        sqlx::query_scalar("SELECT body FROM idea_comment WHERE body LIKE 'Kommentar %'")
            .fetch_all(&pool)
            .await
            .expect("comments");
    for body in &acknowledged {
        assert!(stored.contains(body), "acknowledged but not stored: {body}");
    }
    assert_eq!(
        stored.len(),
        acknowledged.len(),
        "written without acknowledgement"
    );
}
