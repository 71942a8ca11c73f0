//! Participation on the web: the example content, the whole path of an idea through the pages
//! (participant → moderator → process manager → area page), the phase enforced by the server,
//! honeypot and rate limit on posting, and escaping of script and HTML in every text field on
//! every page and in the exports.

use crate::auth_support;
use crate::auth_support::{Browser, make_user};
use axum::http::StatusCode;
use sozialatlas_accounts::Role;
use sozialatlas_web::AppState;

const PW: &str = "a test password 1";

async fn state_with_example() -> AppState {
    let state = auth_support::state().await;
    sozialatlas_web::seed_participation_example(&state)
        .await
        .expect("example");
    state
}

async fn signed_in(state: &AppState, n: u8, email: &str, roles: &[Role]) -> Browser {
    make_user(
        state,
        email,
        email.split('@').next().unwrap_or(email),
        PW,
        roles,
    )
    .await;
    let mut b = Browser::new(state, 7, n);
    b.login(email, PW).await;
    b
}

/// The moderator publishes idea `id` from the queue.
async fn moderator_publishes(state: &AppState, id: i64) {
    let mut m = signed_in(state, 2, "mo@example.org", &[Role::Moderator]).await;
    let r = m
        .post(
            &format!("/participation/moderation/ideas/{id}/publish"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

/// The id in a redirect to `/participation/ideas/{id}`.
fn idea_id(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .and_then(|s| s.split(['#', '?']).next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no idea id in {location}"))
}

#[tokio::test]
async fn the_example_is_marked_on_every_page_that_shows_it() {
    let state = state_with_example().await;
    let mut b = Browser::new(&state, 7, 1);
    for path in [
        "/participation",
        "/participation/processes/1",
        "/participation/processes/1/ideas",
        "/participation/processes/1/meetings",
        "/participation/processes/1/measures",
        "/participation/ideas/1",
        "/participation/meetings/1",
        "/participation/measures/1",
        "/participation/areas/1",
        "/en/participation/ideas/1",
        "/en/participation/areas/1",
    ] {
        let r = b.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            r.body.contains("Beispielinhalt") || r.body.contains("Example content"),
            "{path} does not mark the example"
        );
        assert_eq!(r.headers["cache-control"], "no-store", "{path}");
    }
    // The area page shows the atlas' indicators of its member area next to ideas, meetings and
    // measures (Neustadt is the first proposed action area of the demo typology).
    let area = b.get("/participation/areas/1").await.body;
    for part in [
        "SGB-II-Quote",
        "action-area-locator",
        "href=\"/areas/stadtteil/",
        "href=\"/indicators/sgb2_quote/stadtteil/2022\"",
        "Aktionsraumgespräch",
        "M-01",
        "<progress",
    ] {
        assert!(area.contains(part), "area page lacks {part}");
    }
    // A submitted idea is not public.
    assert_eq!(
        b.get("/participation/ideas/9").await.status,
        StatusCode::NOT_FOUND
    );
    // The list filters by area, field and state and searches.
    let l = b
        .get("/participation/processes/1/ideas?state=accepted")
        .await
        .body;
    assert!(l.contains("Familienzentrum mit offener Sprechstunde"));
    assert!(!l.contains("Jugendtreff am Abend"));
    let l = b
        .get("/participation/processes/1/ideas?q=jugendtreff")
        .await
        .body;
    assert!(l.contains("Jugendtreff am Abend") && !l.contains("Sprachcafé"));
    assert_eq!(
        b.get("/participation/processes/1/ideas?state=draft")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        b.get("/participation/processes/1/ideas?area=999")
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn an_idea_from_submission_to_accepted_on_the_area_page() {
    let state = state_with_example().await;
    let mut p = signed_in(&state, 1, "pia@example.org", &[]).await;
    let form = p.get("/participation/processes/1/ideas/new?area=2").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"_csrf\""));
    // An empty form comes back with its errors, linked from the summary.
    let bad = p
        .post(
            "/participation/processes/1/ideas/new",
            &[("action", "submit")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#title\"") && bad.body.contains("aria-invalid=\"true\""));
    // Each error names its field, in the summary and at the field.
    for name in ["Titel", "Beschreibung"] {
        assert_eq!(
            bad.body
                .matches(&format!("Bitte „{name}“ ausfüllen."))
                .count(),
            2,
            "{name}"
        );
    }
    let r = p
        .post(
            "/participation/processes/1/ideas/new",
            &[
                ("title", "Bücherschrank am Marktplatz"),
                (
                    "description",
                    "Ein offener Bücherschrank zum Tauschen, gepflegt von der Nachbarschaft.",
                ),
                ("area", "2"),
                ("field", "3"),
                ("group_type", ""),
                ("cost", "2.500"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = idea_id(r.location());
    let page = p.get(&format!("/participation/ideas/{id}")).await.body;
    assert!(page.contains("Eingereicht"));
    // Not public yet.
    let mut anon = Browser::new(&state, 7, 9);
    assert_eq!(
        anon.get(&format!("/participation/ideas/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // The moderator publishes it from the queue.
    let mut m = signed_in(&state, 2, "mo@example.org", &[Role::Moderator]).await;
    let q = m.get("/participation/moderation").await;
    assert!(q.body.contains("Bücherschrank am Marktplatz"));
    let r = m
        .post(
            &format!("/participation/moderation/ideas/{id}/publish"),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        anon.get(&format!("/participation/ideas/{id}")).await.status,
        StatusCode::OK
    );
    // The participant is not allowed to review; the manager reviews, decides and publishes.
    assert_eq!(
        p.post(&format!("/participation/ideas/{id}/review/start"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut pm = signed_in(&state, 3, "pm@example.org", &[Role::ProcessManager]).await;
    let r = pm
        .post(
            &format!("/participation/ideas/{id}/review/start"),
            &[("reviewer", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Accepting without an answer is refused.
    let r = pm
        .post(
            &format!("/participation/ideas/{id}/review/decide"),
            &[("decision", "accepted"), ("answer", " ")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = pm
        .post(
            &format!("/participation/ideas/{id}/review/decide"),
            &[
                ("decision", "accepted"),
                ("answer", "Der Bücherschrank wird im Frühjahr aufgestellt."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Decided, but not public until the answer is published.
    let before = anon.get(&format!("/participation/ideas/{id}")).await.body;
    assert!(before.contains("In Prüfung") && !before.contains("Frühjahr"));
    let r = pm
        .post(&format!("/participation/ideas/{id}/review/publish"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = anon.get(&format!("/participation/ideas/{id}")).await.body;
    assert!(after.contains("Angenommen") && after.contains("Frühjahr"));
    let area = anon.get("/participation/areas/2").await.body;
    let card = area
        .split("idea-card")
        .find(|c| c.contains("Bücherschrank am Marktplatz"))
        .expect("the idea on the area page");
    assert!(card.contains("Angenommen"), "{card}");
    // The author was told, in the inbox.
    let inbox = p.get("/participation/inbox").await.body;
    assert!(inbox.contains("Antwort der Verwaltung zu Ihrer Idee ist veröffentlicht"));
    assert!(inbox.contains("Bücherschrank am Marktplatz"));
    // Every step is in the public history, who acted in which capacity.
    assert!(after.contains("Moderation") && after.contains("Prozessleitung"));
}

#[tokio::test]
async fn the_server_enforces_the_phase_and_the_roles() {
    let state = state_with_example().await;
    let mut pm = signed_in(&state, 1, "pm@example.org", &[Role::ProcessManager]).await;
    // Close the proposal phase: move every phase into the past.
    let edit = pm.get("/participation/processes/1/edit").await;
    assert_eq!(edit.status, StatusCode::OK);
    let mut fields: Vec<(String, String)> = vec![
        (
            "title".into(),
            "Aktionsplan Soziale Stadt (Beispiel)".into(),
        ),
        ("description".into(), "Beispiel".into()),
        ("set".into(), "1".into()),
        ("reference_prefix".into(), "AP".into()),
        ("moderate_first".into(), "1".into()),
        ("hide_after_reports".into(), "3".into()),
        ("example".into(), "1".into()),
        ("phase_0_kind".into(), "information".into()),
        ("phase_0_start".into(), "2020-01-01".into()),
        ("phase_0_end".into(), "2020-12-31".into()),
        ("phase_0_comment".into(), "1".into()),
    ];
    for i in 0..3 {
        fields.push((format!("field_{i}_id"), (i + 1).to_string()));
        fields.push((format!("field_{i}_title"), format!("Feld {i}")));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = pm.post("/participation/processes/1/edit", &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut p = signed_in(&state, 2, "pia@example.org", &[]).await;
    // No form, and a POST made without it is refused by the server.
    assert_eq!(
        p.get("/participation/processes/1/ideas/new").await.status,
        StatusCode::FORBIDDEN
    );
    let r = p
        .post(
            "/participation/processes/1/ideas/new",
            &[
                ("title", "Zu spät eingereicht"),
                ("description", "Diese Idee kommt nach dem Ende der Phase."),
                ("area", "1"),
                ("field", "1"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Phase"));
    assert_eq!(
        p.post("/participation/ideas/4/support", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // Staff routes refuse participants whatever the phase.
    for path in [
        "/participation/moderation",
        "/participation/review",
        "/participation/processes/new",
        "/participation/processes/1/measures/upload",
    ] {
        assert_eq!(p.get(path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[tokio::test]
async fn honeypot_and_rate_limit_on_posting() {
    let state = state_with_example().await;
    let mut p = signed_in(&state, 1, "pia@example.org", &[]).await;
    let idea = |i: usize| {
        vec![
            ("title".to_string(), format!("Idee Nummer {i} für den Test")),
            (
                "description".to_string(),
                "Eine Beschreibung, die lang genug ist.".to_string(),
            ),
            ("area".to_string(), "1".to_string()),
            ("field".to_string(), "1".to_string()),
        ]
    };
    let mut bot = idea(0);
    bot.push(("website".into(), "http://spam.example".into()));
    let refs: Vec<(&str, &str)> = bot.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = p.post("/participation/processes/1/ideas/new", &refs).await;
    assert_ne!(r.status, StatusCode::SEE_OTHER);
    let inbox = p.get("/participation/inbox").await.body;
    assert!(!inbox.contains("Idee Nummer 0"), "the bot's idea was saved");
    for i in 1..=5 {
        let f = idea(i);
        let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = p.post("/participation/processes/1/ideas/new", &refs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "idea {i}");
    }
    let f = idea(6);
    let refs: Vec<(&str, &str)> = f.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = p.post("/participation/processes/1/ideas/new", &refs).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.contains_key("retry-after"));
}

const XSS: &str = "<script>alert(1)</script><b onmouseover=\"x()\">fett</b>";

fn assert_escaped(body: &str, what: &str) {
    assert!(
        !body.contains("<script>alert(1)") && !body.contains("<b onmouseover"),
        "raw markup on {what}"
    );
}

#[tokio::test]
async fn script_and_html_in_every_text_field_come_back_escaped() {
    let state = state_with_example().await;
    let mut pm = signed_in(&state, 1, "pm@example.org", &[Role::ProcessManager]).await;
    let mut p = signed_in(&state, 2, "pia@example.org", &[]).await;
    let mut m = signed_in(&state, 3, "mo@example.org", &[Role::Moderator]).await;
    let x = XSS;
    // An idea with markup in every text field (and a formula at the start of the title).
    let title = format!("=HYPERLINK(\"http://x\") {x}");
    let r = p
        .post(
            "/participation/processes/1/ideas/new",
            &[
                ("title", &title),
                ("description", &format!("{x} Beschreibung mit Markup")),
                ("area", "1"),
                ("field", "1"),
                ("group_type", "association"),
                ("group_name", x),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = idea_id(r.location());
    m.post(
        &format!("/participation/moderation/ideas/{id}/publish"),
        &[("reason", x)],
    )
    .await;
    let c = p
        .post(
            &format!("/participation/ideas/{id}/comments"),
            &[("body", x)],
        )
        .await;
    assert_eq!(c.status, StatusCode::SEE_OTHER);
    let r = m
        .post(
            &format!("/participation/ideas/{id}/report"),
            &[("reason", "other"), ("note", x)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    pm.post(
        &format!("/participation/ideas/{id}/review/start"),
        &[("reason", x)],
    )
    .await;
    pm.post(
        &format!("/participation/ideas/{id}/review/note"),
        &[("note", x)],
    )
    .await;
    pm.post(
        &format!("/participation/ideas/{id}/review/decide"),
        &[("decision", "accepted"), ("answer", x)],
    )
    .await;
    pm.post(&format!("/participation/ideas/{id}/review/publish"), &[])
        .await;
    // A meeting and a measure with markup everywhere.
    let r = pm
        .post(
            "/participation/processes/1/meetings/new",
            &[
                ("area", "1"),
                ("title", &format!("Treffen {x}")),
                ("date", "2026-05-12"),
                ("start", "18:00"),
                ("place", x),
                ("accessibility", x),
                ("description", x),
                ("minutes", x),
                ("attendees", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let meeting = r.location().to_string();
    let r = pm
        .post(
            "/participation/processes/1/measures/new",
            &[
                ("code", "X-1"),
                ("title", &format!("Maßnahme {x}")),
                ("description", x),
                ("area", "1"),
                ("status", "started"),
                ("progress", "10"),
                ("office", x),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let measure = r.location().to_string();
    let r = pm
        .post(
            &format!("{measure}/updates"),
            &[("body", x), ("progress", "20")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Form errors echo the input escaped.
    let r = p
        .post(
            "/participation/processes/1/ideas/new",
            &[("title", x), ("description", "kurz"), ("group_name", x)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_escaped(&r.body, "the idea form with errors");
    // askama writes `<` and `>` as numeric references.
    assert!(r.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    // Every page that shows them, for every kind of viewer.
    let pages = [
        format!("/participation/ideas/{id}"),
        format!("/en/participation/ideas/{id}"),
        format!("/participation/ideas/{id}/review"),
        "/participation/processes/1/ideas".to_string(),
        format!("/participation/processes/1/ideas?q={}", "%3Cscript%3E"),
        "/participation/areas/1".to_string(),
        "/participation/processes/1/meetings".to_string(),
        meeting.clone(),
        format!("{meeting}/edit"),
        "/participation/processes/1/measures".to_string(),
        measure.clone(),
        format!("{measure}/edit"),
        "/participation/moderation".to_string(),
        "/participation/review".to_string(),
        "/participation/inbox".to_string(),
    ];
    for (who, b) in [
        ("manager", &mut pm),
        ("participant", &mut p),
        ("moderator", &mut m),
    ] {
        for path in &pages {
            let r = b.get(path).await;
            assert_escaped(&r.body, &format!("{path} as {who}"));
        }
    }
    let page = p.get(&format!("/participation/ideas/{id}")).await.body;
    assert!(
        page.contains("&#60;b onmouseover=&#34;x()&#34;&#62;fett&#60;/b&#62;"),
        "escaped text shown"
    );
    // Exports: the literal text, never markup interpreted, never a formula.
    let mut anon = Browser::new(&state, 7, 9);
    let csv = anon.get("/participation/processes/1/export.csv").await.body;
    assert!(csv.contains("'=HYPERLINK"), "formula defused");
    assert!(
        csv.contains("<script>alert(1)</script>"),
        "literal text in the CSV"
    );
    assert!(!csv.contains("pia@example.org") && !csv.contains(";pia;"));
    let en = anon
        .get("/en/participation/processes/1/export.csv")
        .await
        .body;
    assert!(en.starts_with("reference,title,"));
    let xlsx = anon.get("/participation/processes/1/export.xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
}

#[tokio::test]
async fn bulk_progress_upload_from_the_form() {
    let state = state_with_example().await;
    let mut pm = signed_in(&state, 1, "pm@example.org", &[Role::ProcessManager]).await;
    let template = pm
        .get("/participation/processes/1/measures/template.csv")
        .await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(
        template
            .body
            .contains("Kennung;Fortschritt;Status;Datum;Notiz")
    );
    assert!(template.body.contains("M-01.2;30;started;"));
    let token = pm.csrf.clone().expect("token");
    let upload = |csv: &str| {
        let boundary = "XyZpart";
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"stand.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
        )
    };
    let cookie = pm.cookie.clone().unwrap_or_default();
    let app = pm.app.clone();
    let send = |body: String| {
        let req = axum::http::Request::builder()
            .method("POST")
            .uri("/participation/processes/1/measures/upload")
            .header("cookie", cookie.clone())
            .header("content-type", "multipart/form-data; boundary=XyZpart")
            .body(axum::body::Body::from(body))
            .expect("request");
        let app = app.clone();
        async move {
            use tower::ServiceExt;
            let r = app.oneshot(req).await.expect("response");
            let status = r.status();
            let location = r
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap_or("").to_string())
                .unwrap_or_default();
            let body = http_body_util::BodyExt::collect(r.into_body())
                .await
                .expect("body")
                .to_bytes();
            (
                status,
                location,
                String::from_utf8_lossy(&body).into_owned(),
            )
        }
    };
    let (status, _, body) = send(upload(
        "Kennung;Fortschritt;Status;Datum;Notiz\nM-01.2;70;;01.01.2026;gut\nM-99;10;;01.01.2026;\n",
    ))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("stand.csv, line 3, column `Kennung`"),
        "{body}"
    );
    // Nothing applied.
    assert!(
        pm.get("/participation/measures/3")
            .await
            .body
            .contains("30 %")
    );
    let (status, location, _) = send(upload(
        "Kennung;Fortschritt;Status;Datum;Notiz\nM-01.2;70;;01.01.2026;Sprechstunde läuft\n",
    ))
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.ends_with("upload?done=1"));
    let part = pm.get("/participation/measures/3").await.body;
    assert!(part.contains("70 %") && part.contains("Sprechstunde läuft"));
    // The parent rolls up: (100·40 000 + 70·60 000) / 100 000 = 82 %.
    assert!(
        pm.get("/participation/measures/1")
            .await
            .body
            .contains("82 %")
    );
    // The upload route takes bodies beyond the forms' 256 KB (and axum's default 2 MB): a
    // 3 MB body (the file after a 3 MB field the form does not have) reaches the handler, which
    // applies the file; 7 MB is refused before it is read.
    let padded = format!(
        "--XyZpart\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n\
         --XyZpart\r\nContent-Disposition: form-data; name=\"padding\"\r\n\r\n{}\r\n\
         --XyZpart\r\nContent-Disposition: form-data; name=\"file\"; filename=\"stand.csv\"\r\n\
         Content-Type: text/csv\r\n\r\nKennung;Fortschritt;Status;Datum;Notiz\n\
         M-01.2;75;;02.01.2026;\n\r\n--XyZpart--\r\n",
        "p".repeat(3 << 20)
    );
    let (status, location, _) = send(padded).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "3 MB are taken");
    assert!(location.ends_with("upload?done=1"));
    let (status, _, body) = send(upload(&"x".repeat(7 << 20))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("höchstens 6 MB"), "{body}");
}

/// The mails in the outbox to `to`, oldest first.
async fn mails_to(state: &AppState, to: &str) -> Vec<sozialatlas_accounts::OutboxMail> {
    let (mut all, _) = sozialatlas_accounts::mail::list_outbox(state.pool(), 1000, 0)
        .await
        .expect("outbox");
    all.retain(|m| m.to == to);
    all.reverse();
    all
}

#[tokio::test]
async fn authors_are_told_by_mail_once_and_can_turn_it_off() {
    let state = state_with_example().await;
    // The example's demo people get no mail for the example's ideas.
    assert_eq!(
        sozialatlas_web::mail_notifications(&state)
            .await
            .expect("mail"),
        0
    );
    let mut p = signed_in(&state, 1, "mara@example.org", &[]).await;
    let r = p
        .post(
            "/participation/processes/1/ideas/new",
            &[
                ("title", "Sitzbänke am Spielplatz"),
                (
                    "description",
                    "Zwei Bänke im Schatten für Eltern und Großeltern.",
                ),
                ("area", "2"),
                ("field", "3"),
                ("group_type", ""),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = idea_id(r.location());
    moderator_publishes(&state, id).await;
    // Published: one mail, once, however often the mailer runs.
    assert_eq!(
        sozialatlas_web::mail_notifications(&state)
            .await
            .expect("mail"),
        1
    );
    assert_eq!(
        sozialatlas_web::mail_notifications(&state)
            .await
            .expect("mail"),
        0
    );
    let mails = mails_to(&state, "mara@example.org").await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].subject.contains("Veröffentlicht"),
        "{}",
        mails[0].subject
    );
    assert!(mails[0].subject.contains("Sitzbänke am Spielplatz"));
    assert!(
        mails[0]
            .body
            .contains(&format!("/participation/ideas/{id}"))
            && mails[0].body.contains("/account#notify-title"),
        "{}",
        mails[0].body
    );
    // Turned off: the next state is in the inbox, not in a mail.
    let account = p.get("/account").await.body;
    assert!(account.contains("name=\"notify\" value=\"on\" checked"));
    let r = p.post("/account/notify", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/account?notice=notify-off");
    let account = p.get(r.location()).await.body;
    assert!(account.contains("keine E-Mails mehr") && !account.contains("value=\"on\" checked"));
    // Anonymous: to the sign-in page, nothing changed.
    let r = Browser::new(&state, 7, 8)
        .post("/account/notify", &[])
        .await;
    assert!(
        r.status == StatusCode::SEE_OTHER && r.location().starts_with("/login"),
        "{}",
        r.location()
    );
    let mut pm = signed_in(&state, 3, "pm@example.org", &[Role::ProcessManager]).await;
    let r = pm
        .post(
            &format!("/participation/ideas/{id}/review/start"),
            &[("reviewer", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        sozialatlas_web::mail_notifications(&state)
            .await
            .expect("mail"),
        0
    );
    assert_eq!(mails_to(&state, "mara@example.org").await.len(), 1);
    assert!(
        p.get("/participation/inbox")
            .await
            .body
            .contains("Ihre Idee hat einen neuen Stand: In Prüfung")
    );
    // On again: the published answer is mailed.
    let r = p.post("/account/notify", &[("notify", "on")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        p.post("/account/notify", &[("notify", "yes")]).await.status,
        StatusCode::BAD_REQUEST
    );
    for (path, form) in [
        (
            "decide",
            &[
                ("decision", "accepted"),
                ("answer", "Die Bänke kommen im Mai."),
            ][..],
        ),
        ("publish", &[][..]),
    ] {
        let r = pm
            .post(&format!("/participation/ideas/{id}/review/{path}"), form)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(
        sozialatlas_web::mail_notifications(&state)
            .await
            .expect("mail"),
        1
    );
    let mails = mails_to(&state, "mara@example.org").await;
    assert_eq!(mails.len(), 2);
    assert!(
        mails[1].body.contains("Antwort der Verwaltung"),
        "{}",
        mails[1].body
    );
}

#[tokio::test]
async fn an_idea_is_placed_by_choosing_an_area_and_shown_on_the_area_map() {
    let state = state_with_example().await;
    let pr = sozialatlas_participation::process::get_process(state.pool(), 1)
        .await
        .expect("process")
        .expect("the example process");
    let here = pr.set.areas.iter().find(|a| a.id == 2).expect("area 2");
    let elsewhere = pr
        .set
        .areas
        .iter()
        .find(|a| a.id != 2)
        .expect("another area");
    let mut p = signed_in(&state, 1, "lena@example.org", &[]).await;
    let form = p
        .get("/participation/processes/1/ideas/new?area=2")
        .await
        .body;
    // The map a click sets the place on (with the script), and the choice without it.
    assert!(form.contains("data-place-map") && form.contains("data-projection=\""));
    assert!(form.contains(&format!("<option value=\"{}\">", here.members[0])));
    let idea = |place: &str| {
        vec![
            ("title", "Trinkbrunnen am Platz".to_string()),
            (
                "description",
                "Ein Trinkbrunnen, an dem sich im Sommer alle erfrischen können.".to_string(),
            ),
            ("area", "2".to_string()),
            ("field", "3".to_string()),
            ("group_type", String::new()),
            ("place_area", place.to_string()),
            ("action", "submit".to_string()),
        ]
    };
    // A place in another action area is refused, naming the field.
    let wrong = idea(&elsewhere.members[0]);
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = p.post("/participation/processes/1/ideas/new", &wrong).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("href=\"#place_area\"") && r.body.contains("Gebiet: "),
        "{}",
        r.body
    );
    let right = idea(&here.members[0]);
    let right: Vec<(&str, &str)> = right.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = p.post("/participation/processes/1/ideas/new", &right).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = idea_id(r.location());
    let stored = sozialatlas_participation::idea::get_idea(state.pool(), id)
        .await
        .expect("idea")
        .expect("stored");
    let (lon, lat) = stored.location.expect("placed in the chosen area");
    assert!(sozialatlas_participation::idea::point_in_area(
        state.snapshot(),
        &pr.set.level,
        &here.members,
        lon,
        lat
    ));
    moderator_publishes(&state, id).await;
    let area = Browser::new(&state, 7, 9)
        .get("/participation/areas/2")
        .await
        .body;
    let map = area
        .split("id=\"action-area-ideas\"")
        .nth(1)
        .expect("the map of the area's ideas");
    assert!(
        map.contains(&format!("href=\"/participation/ideas/{id}\"")),
        "{map}"
    );
}
