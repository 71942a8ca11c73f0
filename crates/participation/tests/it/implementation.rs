//! Area meetings, measures with roll-up and bulk progress updates, exports for the council.

use crate::common::*;
use sozialatlas_core::Locale;
use sozialatlas_participation::export;
use sozialatlas_participation::idea::{
    Origin, create_idea, decide, get_idea, publish_answer, start_review,
};
use sozialatlas_participation::measure::{
    self, MeasureInput, Status, UpdateInput, add_update, bulk_update, create_measure, get_measure,
    link_idea, list_measures,
};
use sozialatlas_participation::meeting::{
    MeetingInput, create_meeting, get_meeting, update_meeting,
};
use sozialatlas_participation::{Conflict, Error, IdeaState, Problem};

fn meeting_input(f: &Fixture) -> MeetingInput {
    MeetingInput {
        area: f.area("nord").to_string(),
        title: "Aktionsraumgespräch Nordstadt".into(),
        date: "12.05.2026".into(),
        start: "18:00".into(),
        end: "20:00".into(),
        place: "Bürgerhaus, Harrisleer Str. 1".into(),
        accessibility: "Stufenloser Zugang, Induktionsschleife.".into(),
        description: "Wir sammeln Ihre Ideen.".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn meetings_and_the_ideas_collected_there() {
    let f = fixture().await;
    let pm = manager();
    assert!(
        create_meeting(&f.pool, &alice(), f.process.id, &meeting_input(&f), NOW)
            .await
            .is_err()
    );
    let mut bad = meeting_input(&f);
    bad.date = "32.05.2026".into();
    bad.end = "17:00".into();
    bad.attendees = "viele".into();
    let Error::Invalid(errs) = create_meeting(&f.pool, &pm, f.process.id, &bad, NOW)
        .await
        .unwrap_err()
    else {
        panic!()
    };
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["date", "end", "attendees"]);
    let m = create_meeting(&f.pool, &pm, f.process.id, &meeting_input(&f), NOW)
        .await
        .unwrap();
    let got = get_meeting(&f.pool, m).await.unwrap().unwrap();
    assert_eq!(got.starts_at, "2026-05-12T18:00");
    assert_eq!(got.ends_at.as_deref(), Some("2026-05-12T20:00"));
    // After the meeting: minutes and attendees.
    let mut after = sozialatlas_participation::meeting::input_of(&got);
    after.minutes = "35 Personen, 6 Ideen.".into();
    after.attendees = "35".into();
    update_meeting(&f.pool, &pm, m, &after, NOW).await.unwrap();
    assert_eq!(
        get_meeting(&f.pool, m).await.unwrap().unwrap().attendees,
        Some(35)
    );

    // Staff enter an idea on the attendees' behalf: public at once, no author, marked.
    let mut input = idea_input(&f, "Mehr Bänke im Park");
    input.area = String::new(); // the meeting's area
    assert!(
        create_idea(
            &f.pool,
            None,
            &alice(),
            f.process.id,
            &input,
            Origin::Meeting(m),
            NOW
        )
        .await
        .is_err()
    );
    let id = create_idea(
        &f.pool,
        None,
        &pm,
        f.process.id,
        &input,
        Origin::Meeting(m),
        NOW,
    )
    .await
    .unwrap();
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert_eq!(i.state, IdeaState::Published);
    assert_eq!(i.author_id, None);
    assert_eq!(i.entered_by, Some(pm.id));
    assert_eq!(i.action_area_id, f.area("nord"));
    assert!(i.collected_at_meeting() && i.is_public());
    // Collected ideas are entered outside the online proposal phase too.
    create_idea(
        &f.pool,
        None,
        &pm,
        f.process.id,
        &idea_input(&f, "Nach der Frist gesammelt"),
        Origin::Meeting(m),
        NOW + time::Duration::days(60),
    )
    .await
    .unwrap();
}

async fn accepted_idea(f: &Fixture, title: &str) -> (i64, String) {
    let id = published_idea(f, title).await;
    start_review(&f.pool, &manager(), id, None, "", NOW)
        .await
        .unwrap();
    decide(
        &f.pool,
        &manager(),
        id,
        IdeaState::Accepted,
        "Angenommen.",
        NOW,
    )
    .await
    .unwrap();
    publish_answer(&f.pool, &manager(), id, NOW).await.unwrap();
    (id, get_idea(&f.pool, id).await.unwrap().unwrap().reference)
}

/// Creates the measure of `measure_input(code, parent, progress, budget)` as the manager.
async fn add_measure(
    f: &Fixture,
    code: &str,
    parent: Option<i64>,
    progress: &str,
    budget: &str,
) -> Result<i64, Error> {
    let input = measure_input(code, parent, progress, budget);
    create_measure(&f.pool, &manager(), f.process.id, &input, NOW).await
}

fn measure_input(code: &str, parent: Option<i64>, progress: &str, budget: &str) -> MeasureInput {
    MeasureInput {
        code: code.into(),
        title: format!("Maßnahme {code}"),
        parent: parent.map(|p| p.to_string()).unwrap_or_default(),
        status: "started".into(),
        progress: progress.into(),
        budget: budget.into(),
        office: "Jugendamt".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn measures_roll_up_link_ideas_and_take_updates() {
    let f = fixture().await;
    let pm = manager();
    let parent = add_measure(&f, "M-1", None, "0", "").await.unwrap();
    let a = add_measure(&f, "M-1.1", Some(parent), "100", "30.000")
        .await
        .unwrap();
    let b = add_measure(&f, "M-1.2", Some(parent), "20", "10000")
        .await
        .unwrap();
    let p = get_measure(&f.pool, parent).await.unwrap().unwrap();
    // (100·30 000 + 20·10 000) / 40 000 = 80.
    assert_eq!(p.progress_shown(), 80);
    assert_eq!(p.rolled.budget, Some(40_000));
    // Codes are unique; a parent cannot become its own part.
    let err = add_measure(&f, "M-1", None, "0", "").await.unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e[0].problem == Problem::Duplicate("M-1".into())),
        "{err:?}"
    );
    let mut cyc = measure::input_of(&p);
    cyc.parent = a.to_string();
    assert!(matches!(
        measure::update_measure(&f.pool, &pm, parent, &cyc, NOW).await.unwrap_err(),
        Error::Invalid(e) if e[0].field == "parent"
    ));
    // Done means 100 %.
    let mut done = measure_input("M-2", None, "50", "");
    done.status = "done".into();
    assert!(
        create_measure(&f.pool, &pm, f.process.id, &done, NOW)
            .await
            .is_err()
    );
    // Only accepted ideas (answer published) can be linked.
    let (_, reference) = accepted_idea(&f, "Schulsozialarbeit").await;
    link_idea(&f.pool, &pm, b, &reference).await.unwrap();
    let open = new_idea(
        &f,
        None,
        &alice(),
        &idea_input(&f, "Offene Idee"),
        true,
        NOW,
    )
    .await
    .unwrap();
    let open_ref = get_idea(&f.pool, open).await.unwrap().unwrap().reference;
    assert!(matches!(
        link_idea(&f.pool, &pm, b, &open_ref).await.unwrap_err(),
        Error::Conflict(Conflict::NotAccepted)
    ));
    assert_eq!(
        get_measure(&f.pool, b).await.unwrap().unwrap().ideas[0].1,
        reference
    );
    // A dated update sets progress; the parent takes its progress from its parts.
    add_update(
        &f.pool,
        &pm,
        b,
        &UpdateInput {
            date: "2026-05-01".into(),
            body: "Zweite Stelle besetzt".into(),
            progress: "60 %".into(),
            status: String::new(),
        },
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(
        get_measure(&f.pool, parent)
            .await
            .unwrap()
            .unwrap()
            .progress_shown(),
        90
    );
    assert!(matches!(
        add_update(
            &f.pool,
            &pm,
            parent,
            &UpdateInput {
                body: "Eltern".into(),
                progress: "10".into(),
                ..Default::default()
            },
            NOW
        )
        .await
        .unwrap_err(),
        Error::Conflict(Conflict::HasParts)
    ));
    assert!(matches!(
        add_update(
            &f.pool,
            &pm,
            b,
            &UpdateInput {
                date: "2027-01-01".into(),
                body: "Zukunft".into(),
                ..Default::default()
            },
            NOW
        )
        .await
        .unwrap_err(),
        Error::Invalid(_)
    ));
    let ups = measure::updates(&f.pool, b).await.unwrap();
    assert_eq!(ups[0].progress, Some(60));
    assert_eq!(ups[0].on_date, "2026-05-01");
    // Participants do none of this.
    assert!(
        create_measure(
            &f.pool,
            &alice(),
            f.process.id,
            &measure_input("X", None, "0", ""),
            NOW
        )
        .await
        .is_err()
    );
    assert!(
        add_update(
            &f.pool,
            &alice(),
            b,
            &UpdateInput {
                body: "Hallo".into(),
                ..Default::default()
            },
            NOW
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn bulk_update_is_all_or_nothing_with_exact_errors() {
    let f = fixture().await;
    let pm = manager();
    let parent = add_measure(&f, "M-1", None, "0", "").await.unwrap();
    let a = add_measure(&f, "M-1.1", Some(parent), "10", "")
        .await
        .unwrap();
    let b = add_measure(&f, "M-2", None, "10", "").await.unwrap();
    let bad = "Kennung;Fortschritt;Status;Datum;Notiz\n\
               M-1.1;40;begonnen;01.05.2026;gut\n\
               M-9;50;;2026-05-01;\n\
               M-2;120;;2026-05-01;\n\
               M-1;30;;2026-05-01;\n\
               M-2;;vielleicht;gestern;\n\
               M-1.1;90;abgeschlossen;2026-05-01;\n";
    let err = bulk_update(
        &f.pool,
        &pm,
        f.process.id,
        "fortschritt.csv",
        bad.as_bytes(),
        NOW,
    )
    .await
    .unwrap_err();
    let Error::Upload(errs) = err else {
        panic!("{err:?}")
    };
    let got: Vec<(Option<u64>, Option<&str>, &str)> = errs
        .iter()
        .map(|e| (e.line, e.column.as_deref(), e.found.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some(3), Some("Kennung"), "`M-9`"),
            (Some(4), Some("Fortschritt"), "`120`"),
            (Some(5), Some("Fortschritt"), "`30`"),
            (Some(6), Some("Kennung"), "`M-2` again"),
            (Some(6), Some("Status"), "`vielleicht`"),
            (Some(6), Some("Datum"), "`gestern`"),
            (Some(7), Some("Kennung"), "`M-1.1` again"),
            (Some(7), Some("Fortschritt"), "`90`"),
        ]
    );
    assert!(errs.iter().all(|e| e.file == "fortschritt.csv"));
    assert!(
        errs[0]
            .to_string()
            .contains("fortschritt.csv, line 3, column `Kennung`: expected")
    );
    // Nothing was written.
    assert_eq!(get_measure(&f.pool, a).await.unwrap().unwrap().progress, 10);
    assert!(measure::updates(&f.pool, a).await.unwrap().is_empty());

    // A good file (international, comma, English headers, a done status without progress).
    let good = "code,progress,status,date,note\nM-1.1,40,,2026-05-01,Halbzeit\nM-2,,done,2026-05-02,fertig\n";
    let n = bulk_update(&f.pool, &pm, f.process.id, "p.csv", good.as_bytes(), NOW)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(get_measure(&f.pool, a).await.unwrap().unwrap().progress, 40);
    let mb = get_measure(&f.pool, b).await.unwrap().unwrap();
    assert_eq!((mb.progress, mb.status), (100, Status::Done));
    assert_eq!(measure::updates(&f.pool, b).await.unwrap()[0].source, "csv");
    // Missing columns are named.
    let Error::Upload(errs) = bulk_update(
        &f.pool,
        &pm,
        f.process.id,
        "x.csv",
        b"Titel;Wert\nA;1\n",
        NOW,
    )
    .await
    .unwrap_err() else {
        panic!()
    };
    assert!(errs[0].expected.contains("Kennung"), "{errs:?}");
    // The template lists the measures without parts.
    let t = String::from_utf8(
        measure::csv_template(&f.pool, f.process.id, NOW)
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(t.starts_with("\u{feff}Kennung;Fortschritt;Status;Datum;Notiz"));
    assert!(t.contains("M-1.1;40;started;2026-05-04;") && !t.contains("\nM-1;"));
    // Participants may not.
    assert!(
        bulk_update(
            &f.pool,
            &alice(),
            f.process.id,
            "p.csv",
            good.as_bytes(),
            NOW
        )
        .await
        .is_err()
    );
    let _ = list_measures(&f.pool, None).await.unwrap();
}

const XSS: &str = "<script>alert(1)</script><b>fett</b>";

#[tokio::test]
async fn exports_carry_state_answer_supports_and_no_personal_data() {
    let f = fixture().await;
    let (id, reference) = accepted_idea(&f, &format!("=HYPERLINK(\"x\") {XSS}")).await;
    sozialatlas_participation::engage::support(&f.pool, &bob(), id, NOW)
        .await
        .ok();
    let rows = export::rows(&f.pool, f.process.id, Locale::De)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "Angenommen");
    assert_eq!(rows[0].answer, "Angenommen.");
    assert_eq!(rows[0].area, "Nordstadt");
    assert_eq!(rows[0].field, "Kinder stärken – Armut bekämpfen");
    assert_eq!(rows[0].brought_in_by, "Einzelperson");
    let csv = String::from_utf8(export::write_csv(&rows, Locale::De).unwrap()).unwrap();
    assert!(csv.starts_with("\u{feff}Kennziffer;Titel;"));
    // The title is text, never a formula; the markup comes back as the literal characters.
    assert!(
        csv.contains(&format!("\"'=HYPERLINK(\"\"x\"\") {XSS}\"")),
        "{csv}"
    );
    assert!(csv.contains(&reference));
    // No personal data: no user id, no author name anywhere.
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert!(i.author_id.is_some());
    let xlsx = export::write_xlsx(&rows, Locale::En, "Aktionsplan").unwrap();
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let sheet = wb.worksheet_range("Ideas").unwrap();
    let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        cells.contains(&format!("=HYPERLINK(\"x\") {XSS}")),
        "{cells:?}"
    );
    assert!(cells.contains(&"reference".to_string()));
    assert!(
        sheet
            .rows()
            .all(|r| r.iter().all(|c| !matches!(c, calamine::Data::Error(_))))
    );
    // Drafts and submitted ideas are not exported.
    new_idea(
        &f,
        None,
        &alice(),
        &idea_input(&f, "Geheimer Entwurf"),
        true,
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(
        export::rows(&f.pool, f.process.id, Locale::De)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn the_demo_content_obeys_the_rules_and_is_marked() {
    let f = fixture().await;
    let people = sozialatlas_participation::demo::People {
        participant: alice(),
        others: vec![bob(), carol()],
        manager: manager(),
        moderator: moderator(),
        reviewer: reviewer(),
    };
    let now = time::OffsetDateTime::now_utc();
    let pid = sozialatlas_participation::demo::seed(&f.pool, None, f.process.set.id, &people, now)
        .await
        .unwrap();
    let p = sozialatlas_participation::process::get_process(&f.pool, pid)
        .await
        .unwrap()
        .unwrap();
    assert!(p.example);
    assert!(p.allows(
        sozialatlas_participation::Permission::Propose,
        sozialatlas_participation::clock::today(now)
    ));
    let (all, _) = sozialatlas_participation::idea::list_ideas(
        &f.pool,
        &sozialatlas_participation::IdeaFilter {
            process: Some(pid),
            ..Default::default()
        },
        sozialatlas_participation::idea::Scope::Staff,
    )
    .await
    .unwrap();
    assert!(all.iter().all(|i| i.example));
    let mut states: Vec<IdeaState> = all.iter().map(|i| i.public_state()).collect();
    states.sort();
    states.dedup();
    for s in [
        IdeaState::Submitted,
        IdeaState::Published,
        IdeaState::UnderReview,
        IdeaState::Accepted,
        IdeaState::Rejected,
        IdeaState::Merged,
        IdeaState::Withdrawn,
    ] {
        assert!(states.contains(&s), "{s:?} missing in {states:?}");
    }
    assert_eq!(all.iter().filter(|i| i.collected_at_meeting()).count(), 2);
    let ms = list_measures(&f.pool, Some(pid)).await.unwrap();
    let top = ms.iter().find(|m| m.code == "M-01").unwrap();
    assert_eq!(top.progress_shown(), 58);
    assert!(top.example && !top.ideas.is_empty());
    let meetings = sozialatlas_participation::meeting::list_meetings(&f.pool, Some(pid), None)
        .await
        .unwrap();
    assert!(meetings.len() == 1 && meetings[0].example);
    let q = sozialatlas_participation::moderation::queue(&f.pool, &moderator())
        .await
        .unwrap();
    assert_eq!((q.submitted.len(), q.reported.len()), (1, 1));
}
