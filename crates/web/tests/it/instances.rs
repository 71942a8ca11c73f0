//! Several instances on one store: sessions, sign-in limits and new loads of the atlas live in
//! the database, so that what one instance did holds on the other.

use axum::http::StatusCode;
use sozialatlas_web::{AppState, Live};

use crate::auth_support::{Browser, make_user};

/// Two instances (each its own pool on one store: a SQLite file, or a PostgreSQL database): sign in on A, act on B; failed
/// sign-ins on A count on B; a new load written by A is announced to B on PostgreSQL and served
/// by B after one refresh (which `serve` runs on a notice and every two seconds), while B's
/// requests before it saw the old load.
#[tokio::test]
async fn two_instances_share_sessions_limits_and_new_loads() {
    let (_dir, target, pool_a) = sozialatlas_test_support::shared_store().await;
    let snap = sozialatlas_test_support::computed_example("flensburg")
        .write_and_read(&pool_a)
        .await
        .expect("the demo into the store");
    let pool_b = sozialatlas_store::open(&target)
        .await
        .expect("a second pool on the store");
    let a = Live::new(AppState::new(snap.clone(), pool_a.clone()));
    let b = Live::new(AppState::new(snap, pool_b));
    make_user(
        &a.state(),
        "zwei@example.org",
        "Zwei",
        "zwei instanzen",
        &[],
    )
    .await;

    // Sign in on A, change the name on B, see it on A.
    let mut browser = Browser::new(&a.state(), 5, 1);
    browser.app = a.router();
    browser.login("zwei@example.org", "zwei instanzen").await;
    browser.app = b.router();
    let acc = browser.get("/account").await;
    assert_eq!(acc.status, StatusCode::OK, "the session holds on B");
    let r = browser
        .post("/account/name", &[("display_name", "Auf B geändert")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    browser.app = a.router();
    assert!(
        browser
            .get("/account")
            .await
            .body
            .contains("Auf B geändert")
    );

    // Ten failures from one address on A: the eleventh try, on B, is refused.
    let mut guesser = Browser::new(&a.state(), 5, 2);
    guesser.app = a.router();
    guesser.get("/login").await;
    for i in 0..10 {
        let r = guesser.sign_in("zwei@example.org", "geraten").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
    }
    guesser.app = b.router();
    let r = guesser.sign_in("zwei@example.org", "zwei instanzen").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

    // A new load, written through A's pool (a `build` on another machine): B serves it after
    // its next refresh, and only then.
    let (_scratch, folder) = sozialatlas_test_support::scratch("flensburg");
    let toml = folder.join("atlas.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        text.replace("\"Sozialatlas Flensburg\"", "\"Sozialatlas Flensburg 2\""),
    )
    .unwrap();
    // B listens for announcements of new loads, as `serve` does.
    let mut notices = sozialatlas_store::LoadNotices::listen(b.state().pool())
        .await
        .expect("listening");
    let src = sozialatlas_import::DirSource::new(&folder);
    let new = sozialatlas_test_support::build(&src)
        .compute()
        .expect("the changed atlas")
        .write_and_read(&pool_a)
        .await
        .expect("the new load");
    let mut visitor = Browser::new(&b.state(), 5, 3);
    visitor.app = b.router();
    assert!(
        !visitor
            .get("/")
            .await
            .body
            .contains("Sozialatlas Flensburg 2")
    );
    if sozialatlas_store::Backend::of(b.state().pool()) == sozialatlas_store::Backend::Postgres {
        // PostgreSQL announces the load when it commits (SQLite has no notices: `serve` asks
        // every two seconds there, as here on PostgreSQL too).
        let notice = tokio::time::timeout(std::time::Duration::from_secs(30), notices.next())
            .await
            .expect("a notice of the new load");
        assert_eq!(notice.expect("the listener"), Some(new.load.id));
    }
    assert_eq!(b.refresh().await.expect("refresh"), Some(new.load.id));
    assert_eq!(b.state().snapshot().load.id, new.load.id);
    assert!(
        visitor
            .get("/")
            .await
            .body
            .contains("Sozialatlas Flensburg 2")
    );
    assert_eq!(b.refresh().await.expect("refresh"), None, "nothing newer");
    // The session made on A still holds on B's new load.
    browser.app = b.router();
    assert_eq!(browser.get("/account").await.status, StatusCode::OK);
}
