//! The rules of participation, end to end on a store: phases, the life cycle of an idea with
//! its answer and history, supports, comments, reports, moderation, the inbox.

use crate::common::*;
use sozialatlas_participation::engage::{self, add_comment, edit_comment, support, unsupport};
use sozialatlas_participation::idea::{
    self, IdeaFilter, Origin, Scope, create_idea, decide, get_idea, history, list_ideas, publish,
    publish_answer, reopen, start_review, submit, withdraw,
};
use sozialatlas_participation::inbox::{self, MessageKind};
use sozialatlas_participation::moderation::{self, ItemKind, ReportReason, report};
use sozialatlas_participation::process::{Permission, update_process};
use sozialatlas_participation::{Actor, Conflict, Denied, Error, IdeaInput, IdeaState, Problem};
use time::Duration;

#[tokio::test]
async fn phases_decide_what_is_open() {
    let f = fixture().await;
    let p = &f.process;
    let day = |s: &str| sozialatlas_participation::clock::parse_date(s).unwrap();
    assert!(!p.allows(Permission::Propose, day("2026-04-15")));
    assert!(p.allows(Permission::Comment, day("2026-04-15")));
    assert!(p.allows(Permission::Propose, day("2026-05-01")));
    assert!(p.allows(Permission::Support, day("2026-05-31")));
    assert!(!p.allows(Permission::Support, day("2026-06-01")));
    assert!(
        !p.allows(Permission::Comment, day("2026-07-01")),
        "after the last phase"
    );
    assert_eq!(
        p.next_opening(Permission::Propose, day("2026-04-15"))
            .map(|ph| ph.title.as_str()),
        Some("Projektideen")
    );

    // Before the proposal phase the server refuses a new idea.
    let early = NOW - Duration::days(20);
    let err = create_idea(
        &f.pool,
        None,
        &alice(),
        p.id,
        &idea_input(&f, "Zu früh eingereicht"),
        Origin::Participant { submit: false },
        early,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::PhaseClosed(Permission::Propose)),
        "{err:?}"
    );
}

#[tokio::test]
async fn process_input_is_checked() {
    let f = fixture().await;
    let mut input = process_input(f.process.set.id);
    input.reference_prefix = "ap 1".into();
    input.phases[1].starts_on = "2026-04-20".into(); // overlaps the information phase
    input.phases[2].ends_on = "31.02.2026".into();
    input.title = "".into();
    let err = update_process(&f.pool, &manager(), f.process.id, &input)
        .await
        .unwrap_err();
    let Error::Invalid(errs) = err else {
        panic!("{err:?}")
    };
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"title"), "{fields:?}");
    assert!(fields.contains(&"reference_prefix"), "{fields:?}");
    assert!(fields.contains(&"phase_1_start"), "{fields:?}");
    assert!(fields.contains(&"phase_2_end"), "{fields:?}");
    // Only process managers create or change processes.
    let err = update_process(
        &f.pool,
        &moderator(),
        f.process.id,
        &process_input(f.process.set.id),
    )
    .await
    .unwrap_err();
    assert!(matches!(
        err,
        Error::Denied(Denied::Role("process-manager"))
    ));
}

#[tokio::test]
async fn references_count_up_per_year() {
    let f = fixture().await;
    let mut refs = Vec::new();
    for i in 0..3 {
        let id = new_idea(
            &f,
            None,
            &alice(),
            &idea_input(&f, &format!("Idee Nummer {i}")),
            false,
            NOW,
        )
        .await
        .unwrap();
        refs.push(get_idea(&f.pool, id).await.unwrap().unwrap().reference);
    }
    assert_eq!(refs, ["AP-2026-0001", "AP-2026-0002", "AP-2026-0003"]);
}

#[tokio::test]
async fn the_whole_life_cycle_with_answer_history_and_inbox() {
    let f = fixture().await;
    let (a, m, pm) = (alice(), moderator(), manager());
    let id = new_idea(
        &f,
        None,
        &a,
        &idea_input(&f, "Familienzentrum Nordstadt"),
        false,
        NOW,
    )
    .await
    .unwrap();
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert_eq!(i.state, IdeaState::Draft);
    assert!(!i.visible_to(None), "a draft is private");
    assert!(!i.visible_to(Some(&m)), "even from staff");
    assert!(i.visible_to(Some(&a)));

    // Only the author submits; moderators publish; nobody skips a step.
    assert!(matches!(
        submit(&f.pool, &bob(), id, NOW).await.unwrap_err(),
        Error::NotFound("idea")
    ));
    submit(&f.pool, &a, id, NOW).await.unwrap();
    let err = start_review(&f.pool, &pm, id, None, "", NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transition {
                from: IdeaState::Submitted,
                to: IdeaState::UnderReview,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(matches!(
        publish(&f.pool, &a, id, "", NOW).await.unwrap_err(),
        Error::Denied(Denied::Role("moderator"))
    ));
    publish(&f.pool, &m, id, "passt", NOW + Duration::minutes(5))
        .await
        .unwrap();
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert!(i.visible_to(None));
    assert_eq!(i.published_at.as_deref(), Some("2026-05-04T10:05:00Z"));

    // Review and decision: the decision stays internal until the answer is published.
    start_review(&f.pool, &pm, id, Some(reviewer().id), "", NOW)
        .await
        .unwrap();
    let err = decide(&f.pool, &pm, id, IdeaState::Accepted, "   ", NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Conflict(Conflict::AnswerRequired)),
        "{err:?}"
    );
    // The assigned reviewer may decide; another reviewer may not.
    let other = reviewer2();
    assert!(
        decide(&f.pool, &other, id, IdeaState::Accepted, "Ja.", NOW)
            .await
            .is_err()
    );
    decide(&f.pool, &reviewer(), id, IdeaState::Rejected, "Nein.", NOW)
        .await
        .unwrap();
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert_eq!(i.state, IdeaState::Rejected);
    assert_eq!(i.public_state(), IdeaState::UnderReview);
    assert!(i.public_answer().is_none());
    // The manager reopens it (answer unpublished) and accepts with an answer.
    assert!(matches!(
        reopen(&f.pool, &pm, id, " ", NOW).await.unwrap_err(),
        Error::Invalid(_)
    ));
    reopen(&f.pool, &pm, id, "Haushaltsmittel gefunden", NOW)
        .await
        .unwrap();
    decide(
        &f.pool,
        &pm,
        id,
        IdeaState::Accepted,
        "Wird in den Aktionsplan aufgenommen.",
        NOW + Duration::minutes(10),
    )
    .await
    .unwrap();
    assert!(
        inbox::messages(&f.pool, &a, 50)
            .await
            .unwrap()
            .iter()
            .all(|msg| msg.kind != MessageKind::AnswerPublished)
    );
    publish_answer(&f.pool, &pm, id, NOW + Duration::minutes(20))
        .await
        .unwrap();
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert_eq!(i.public_state(), IdeaState::Accepted);
    assert_eq!(
        i.public_answer().map(|a| a.body.as_str()),
        Some("Wird in den Aktionsplan aufgenommen.")
    );
    // Final now.
    assert!(matches!(
        reopen(&f.pool, &pm, id, "doch nicht", NOW)
            .await
            .unwrap_err(),
        Error::Transition { .. }
    ));
    assert!(matches!(
        publish_answer(&f.pool, &pm, id, NOW).await.unwrap_err(),
        Error::Conflict(Conflict::AnswerPublished)
    ));

    // History: every state change with who and why.
    let h = history(&f.pool, id).await.unwrap();
    type Step<'a> = (Option<IdeaState>, Option<IdeaState>, Option<i64>, &'a str);
    let steps: Vec<Step> = h
        .iter()
        .filter(|e| e.kind == "state")
        .map(|e| (e.from, e.to, e.actor_id, e.reason.as_str()))
        .collect();
    use IdeaState::*;
    assert_eq!(
        steps,
        vec![
            (Some(Draft), Some(Submitted), Some(a.id), ""),
            (Some(Submitted), Some(Published), Some(m.id), "passt"),
            (Some(Published), Some(UnderReview), Some(pm.id), ""),
            (
                Some(UnderReview),
                Some(Rejected),
                Some(reviewer().id),
                "Nein."
            ),
            (
                Some(Rejected),
                Some(UnderReview),
                Some(pm.id),
                "Haushaltsmittel gefunden"
            ),
            (
                Some(UnderReview),
                Some(Accepted),
                Some(pm.id),
                "Wird in den Aktionsplan aufgenommen."
            ),
        ]
    );
    // The public history leaves out the internal back and forth.
    let public: Vec<(String, Option<IdeaState>)> = idea::public_history(&h, true)
        .into_iter()
        .map(|e| (e.kind, e.to))
        .collect();
    assert_eq!(
        public,
        vec![
            ("state".to_string(), Some(Submitted)),
            ("state".to_string(), Some(Published)),
            ("state".to_string(), Some(UnderReview)),
            ("state".to_string(), Some(Accepted)),
            ("answer_published".to_string(), None),
        ]
    );
    // Before the answer is published, the decision is not in it.
    assert!(
        idea::public_history(&h[..h.len() - 1], false)
            .iter()
            .all(|e| e.to != Some(Accepted))
    );

    // Inbox: published, under review, answer published; nothing about the internal decision.
    let msgs = inbox::messages(&f.pool, &a, 50).await.unwrap();
    let kinds: Vec<(MessageKind, String)> = msgs
        .iter()
        .rev()
        .map(|m| (m.kind, m.detail.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (MessageKind::StateChanged, "published".into()),
            (MessageKind::StateChanged, "under_review".into()),
            (MessageKind::StateChanged, "under_review".into()),
            (MessageKind::AnswerPublished, "accepted".into()),
        ]
    );
    assert_eq!(inbox::unread(&f.pool, &a).await.unwrap(), 4);
    inbox::mark_all_read(&f.pool, &a, NOW).await.unwrap();
    assert_eq!(inbox::unread(&f.pool, &a).await.unwrap(), 0);
    // The reviewer was told about the assignment.
    assert_eq!(
        inbox::messages(&f.pool, &reviewer(), 10).await.unwrap()[0].kind,
        MessageKind::ReviewAssigned
    );
}

#[tokio::test]
async fn nobody_moderates_their_own_idea() {
    let f = fixture().await;
    let m = moderator();
    let id = new_idea(
        &f,
        None,
        &m,
        &idea_input(&f, "Idee der Moderatorin"),
        true,
        NOW,
    )
    .await
    .unwrap();
    assert!(matches!(
        publish(&f.pool, &m, id, "", NOW).await.unwrap_err(),
        Error::Denied(Denied::OwnContent)
    ));
    publish(&f.pool, &moderator2(), id, "", NOW).await.unwrap();
    assert!(matches!(
        moderation::hide(&f.pool, &m, ItemKind::Idea, id, "Spam", NOW)
            .await
            .unwrap_err(),
        Error::Denied(Denied::OwnContent)
    ));
    // A process manager cannot decide on their own idea either.
    let pm = manager();
    let own = new_idea(
        &f,
        None,
        &pm,
        &idea_input(&f, "Idee des Prozessleiters"),
        true,
        NOW,
    )
    .await
    .unwrap();
    publish(&f.pool, &m, own, "", NOW).await.unwrap();
    assert!(matches!(
        start_review(&f.pool, &pm, own, None, "", NOW)
            .await
            .unwrap_err(),
        Error::Denied(Denied::OwnContent)
    ));
}

#[tokio::test]
async fn authors_withdraw_and_edit_until_answered() {
    let f = fixture().await;
    let id = published_idea(&f, "Bolzplatz am Hafen").await;
    let mut input = idea_input(&f, "Bolzplatz am Hafen, neu");
    let edit = async |who: Actor, input: &IdeaInput, at| {
        idea::update_idea(&f.pool, None, &who, id, input, "", at).await
    };
    edit(alice(), &input, NOW).await.unwrap();
    assert_eq!(
        get_idea(&f.pool, id).await.unwrap().unwrap().title,
        "Bolzplatz am Hafen, neu"
    );
    // Somebody else may not.
    assert!(matches!(
        edit(bob(), &input, NOW).await.unwrap_err(),
        Error::Denied(Denied::NotAuthor)
    ));
    // Not after the proposal phase.
    assert!(matches!(
        edit(alice(), &input, NOW + Duration::days(40))
            .await
            .unwrap_err(),
        Error::PhaseClosed(Permission::Propose)
    ));
    input.title = "x".into();
    assert!(matches!(
        edit(alice(), &input, NOW).await.unwrap_err(),
        Error::Invalid(e) if e[0].field == "title"
    ));
    withdraw(&f.pool, &alice(), id, "erledigt sich", NOW)
        .await
        .unwrap();
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert_eq!(i.state, IdeaState::Withdrawn);
    assert!(matches!(
        edit(alice(), &idea_input(&f, "Noch mal"), NOW)
            .await
            .unwrap_err(),
        Error::Conflict(Conflict::NotEditable)
    ));
}

#[tokio::test]
async fn merge_into_another_open_idea() {
    let f = fixture().await;
    let a = published_idea(&f, "Spielplatz Nord").await;
    let b = published_idea(&f, "Spielplatz Nordstadt").await;
    let pm = manager();
    let b_ref = get_idea(&f.pool, b).await.unwrap().unwrap().reference;
    assert!(matches!(
        idea::merge(&f.pool, &pm, a, "AP-1999-0001", "doppelt", NOW)
            .await
            .unwrap_err(),
        Error::Invalid(_)
    ));
    assert!(matches!(
        idea::merge(
            &f.pool,
            &pm,
            a,
            &get_idea(&f.pool, a).await.unwrap().unwrap().reference,
            "x",
            NOW
        )
        .await
        .unwrap_err(),
        Error::Conflict(Conflict::BadMergeTarget)
    ));
    idea::merge(&f.pool, &pm, a, &b_ref, "gleiche Idee", NOW)
        .await
        .unwrap();
    let i = get_idea(&f.pool, a).await.unwrap().unwrap();
    assert_eq!(i.state, IdeaState::Merged);
    assert_eq!(i.merged_into, Some(b));
}

#[tokio::test]
async fn supports_one_per_person_withdrawable_in_the_phase() {
    let f = fixture().await;
    let id = published_idea(&f, "Stadtteilcafé").await;
    for who in [bob(), bob(), carol()] {
        support(&f.pool, &who, id, NOW).await.unwrap();
    }
    assert_eq!(get_idea(&f.pool, id).await.unwrap().unwrap().supports, 2);
    assert!(engage::supports(&f.pool, &bob(), id).await.unwrap());
    unsupport(&f.pool, &bob(), id, NOW).await.unwrap();
    assert_eq!(get_idea(&f.pool, id).await.unwrap().unwrap().supports, 1);
    // Not in the review phase, which does not permit supporting.
    let later = NOW + Duration::days(30);
    assert!(matches!(
        support(&f.pool, &bob(), id, later).await.unwrap_err(),
        Error::PhaseClosed(Permission::Support)
    ));
    assert!(matches!(
        unsupport(&f.pool, &carol(), id, later).await.unwrap_err(),
        Error::PhaseClosed(Permission::Support)
    ));
    // Not on a submitted idea.
    let hidden = new_idea(
        &f,
        None,
        &alice(),
        &idea_input(&f, "Noch nicht freigegeben"),
        true,
        NOW,
    )
    .await
    .unwrap();
    assert!(matches!(
        support(&f.pool, &bob(), hidden, NOW).await.unwrap_err(),
        Error::NotFound("idea")
    ));
}

#[tokio::test]
async fn comments_one_level_short_edit_window() {
    let f = fixture().await;
    let id = published_idea(&f, "Nachbarschaftsgarten").await;
    let c = add_comment(&f.pool, &bob(), id, None, "Gute Idee!", NOW)
        .await
        .unwrap();
    let r = add_comment(&f.pool, &carol(), id, Some(c), "Finde ich auch.", NOW)
        .await
        .unwrap();
    assert!(matches!(
        add_comment(&f.pool, &alice(), id, Some(r), "Antwort auf Antwort", NOW)
            .await
            .unwrap_err(),
        Error::Conflict(Conflict::ReplyToReply)
    ));
    let t = engage::threads(&f.pool, id).await.unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].replies.len(), 1);
    // Edit within 15 minutes, not after, only by the author.
    edit_comment(
        &f.pool,
        &bob(),
        c,
        "Sehr gute Idee!",
        NOW + Duration::minutes(14),
    )
    .await
    .unwrap();
    assert!(matches!(
        edit_comment(&f.pool, &bob(), c, "zu spät", NOW + Duration::minutes(16))
            .await
            .unwrap_err(),
        Error::Conflict(Conflict::EditWindowClosed)
    ));
    assert!(matches!(
        edit_comment(&f.pool, &carol(), c, "nicht meins", NOW)
            .await
            .unwrap_err(),
        Error::Denied(Denied::NotAuthor)
    ));
    // The author of the idea and of the parent comment were told.
    let kinds = inbox_kinds(&f, &alice()).await;
    assert_eq!(
        kinds.iter().filter(|k| **k == MessageKind::Comment).count(),
        2
    );
    assert_eq!(
        inbox::messages(&f.pool, &bob(), 10).await.unwrap()[0].kind,
        MessageKind::Reply
    );
    // Empty or overlong comments are refused with the field.
    let long = "x".repeat(2001);
    for body in ["", " ", long.as_str()] {
        assert!(matches!(
            add_comment(&f.pool, &bob(), id, None, body, NOW).await.unwrap_err(),
            Error::Invalid(e) if e[0].field == "body"
        ));
    }
}

#[tokio::test]
async fn posting_is_rate_limited() {
    let f = fixture().await;
    for i in 0..5 {
        new_idea(
            &f,
            None,
            &bob(),
            &idea_input(&f, &format!("Idee von Bob {i}")),
            false,
            NOW + Duration::minutes(i),
        )
        .await
        .unwrap();
    }
    let err = new_idea(
        &f,
        None,
        &bob(),
        &idea_input(&f, "Die sechste Idee"),
        false,
        NOW + Duration::minutes(10),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { what: "ideas", .. }),
        "{err:?}"
    );
    // An hour later it is fine again.
    new_idea(
        &f,
        None,
        &bob(),
        &idea_input(&f, "Die sechste Idee"),
        false,
        NOW + Duration::minutes(61),
    )
    .await
    .unwrap();
    let id = published_idea(&f, "Viel diskutiert").await;
    for i in 0..10 {
        add_comment(&f.pool, &carol(), id, None, &format!("Kommentar {i}"), NOW)
            .await
            .unwrap();
    }
    assert!(matches!(
        add_comment(&f.pool, &carol(), id, None, "noch einer", NOW)
            .await
            .unwrap_err(),
        Error::RateLimited {
            what: "comments",
            ..
        }
    ));
}

#[tokio::test]
async fn three_reports_hide_until_a_moderator_decides() {
    let f = fixture().await;
    let id = published_idea(&f, "Werbung für einen Laden").await;
    let c = add_comment(&f.pool, &bob(), id, None, "Kauft bei mir!", NOW)
        .await
        .unwrap();
    let report_comment = async |who: Actor, reason: ReportReason, note: &str| {
        report(&f.pool, &who, ItemKind::Comment, c, reason, note, NOW).await
    };
    // The author cannot report their own comment; a reporter only once.
    assert!(matches!(
        report_comment(bob(), ReportReason::Spam, "")
            .await
            .unwrap_err(),
        Error::Conflict(Conflict::OwnReport)
    ));
    assert!(
        !report_comment(alice(), ReportReason::Spam, "")
            .await
            .unwrap()
    );
    assert!(matches!(
        report_comment(alice(), ReportReason::Spam, "")
            .await
            .unwrap_err(),
        Error::Conflict(Conflict::AlreadyReported)
    ));
    assert!(
        !report_comment(carol(), ReportReason::Offensive, "")
            .await
            .unwrap()
    );
    let q = moderation::queue(&f.pool, &moderator()).await.unwrap();
    assert_eq!(q.reported.len(), 1);
    assert!(!q.reported[0].hidden);
    assert!(
        report_comment(dave(), ReportReason::Spam, "Werbung")
            .await
            .unwrap()
    );
    let cm = engage::get_comment(&f.pool, c).await.unwrap().unwrap();
    assert!(cm.hidden);
    assert_eq!(get_idea(&f.pool, id).await.unwrap().unwrap().comments, 0);
    // A hidden comment cannot be reported further or edited.
    assert!(
        report_comment(erin(), ReportReason::Spam, "")
            .await
            .is_err()
    );
    assert!(
        edit_comment(&f.pool, &bob(), c, "harmlos", NOW)
            .await
            .is_err()
    );
    let q = moderation::queue(&f.pool, &moderator()).await.unwrap();
    assert_eq!(q.reported[0].reports.len(), 3);
    assert!(q.reported[0].hidden);
    // Participants have no queue.
    assert!(moderation::queue(&f.pool, &alice()).await.is_err());
    // The moderator unhides it with a reason; the reports are resolved.
    assert!(matches!(
        moderation::unhide(&f.pool, &moderator(), ItemKind::Comment, c, "", NOW)
            .await
            .unwrap_err(),
        Error::Invalid(e) if e[0].problem == Problem::Required
    ));
    moderation::unhide(
        &f.pool,
        &moderator(),
        ItemKind::Comment,
        c,
        "Kein Spam",
        NOW,
    )
    .await
    .unwrap();
    assert!(
        !engage::get_comment(&f.pool, c)
            .await
            .unwrap()
            .unwrap()
            .hidden
    );
    assert!(
        moderation::queue(&f.pool, &moderator())
            .await
            .unwrap()
            .reported
            .is_empty()
    );
    // …and hides the idea itself with a reason: it leaves the public list, stays in the store.
    moderation::hide(&f.pool, &moderator(), ItemKind::Idea, id, "Werbung", NOW)
        .await
        .unwrap();
    let i = get_idea(&f.pool, id).await.unwrap().unwrap();
    assert!(i.hidden && !i.visible_to(None) && i.visible_to(Some(&alice())));
    let (public, _) = list_ideas(&f.pool, &IdeaFilter::default(), Scope::Public)
        .await
        .unwrap();
    assert!(public.iter().all(|x| x.id != id));
    assert!(matches!(
        moderation::hide(&f.pool, &moderator(), ItemKind::Idea, id, "nochmal", NOW)
            .await
            .unwrap_err(),
        Error::Conflict(Conflict::AlreadyThere)
    ));
    let kinds = inbox_kinds(&f, &bob()).await;
    assert!(kinds.contains(&MessageKind::Hidden) && kinds.contains(&MessageKind::Unhidden));
}

#[tokio::test]
async fn the_threshold_is_configurable() {
    let f = fixture().await;
    let mut input = process_input(f.process.set.id);
    input.hide_after_reports = 1;
    update_process(&f.pool, &manager(), f.process.id, &input)
        .await
        .unwrap();
    let id = published_idea(&f, "Eine Idee").await;
    assert!(
        report(
            &f.pool,
            &bob(),
            ItemKind::Idea,
            id,
            ReportReason::OffTopic,
            "",
            NOW
        )
        .await
        .unwrap()
    );
    assert!(get_idea(&f.pool, id).await.unwrap().unwrap().hidden);
}

#[tokio::test]
async fn lists_filter_and_search() {
    let f = fixture().await;
    let a = published_idea(&f, "Familienzentrum am Markt").await;
    let b = published_idea(&f, "Sprachkurse für Eltern").await;
    let mut input = idea_input(&f, "Repair-Café Süd");
    input.area = f.area("sued").to_string();
    input.field = f.field(2).to_string();
    let c = new_idea(&f, None, &bob(), &input, true, NOW).await.unwrap();
    publish(&f.pool, &moderator(), c, "", NOW).await.unwrap();
    let _draft = new_idea(
        &f,
        None,
        &bob(),
        &idea_input(&f, "Bobs Entwurf"),
        false,
        NOW,
    )
    .await
    .unwrap();
    start_review(&f.pool, &manager(), b, None, "", NOW)
        .await
        .unwrap();
    decide(&f.pool, &manager(), b, IdeaState::Accepted, "Ja", NOW)
        .await
        .unwrap();
    let ids = |v: Vec<sozialatlas_participation::Idea>| {
        let mut x: Vec<i64> = v.iter().map(|i| i.id).collect();
        x.sort();
        x
    };
    let list = |flt: IdeaFilter, scope| {
        let pool = f.pool.clone();
        async move { list_ideas(&pool, &flt, scope).await.unwrap() }
    };
    let (all, n) = list(IdeaFilter::default(), Scope::Public).await;
    assert_eq!((ids(all), n), (vec![a, b, c], 3));
    // (filter, scope, the ideas listed)
    let cases = [
        (
            IdeaFilter {
                area: Some(f.area("sued")),
                ..Default::default()
            },
            Scope::Public,
            vec![c],
        ),
        (
            IdeaFilter {
                field: Some(f.field(1)),
                ..Default::default()
            },
            Scope::Public,
            vec![a, b],
        ),
        // The public state: b's decision is not public yet.
        (
            IdeaFilter {
                state: Some(IdeaState::UnderReview),
                ..Default::default()
            },
            Scope::Public,
            vec![b],
        ),
        (
            IdeaFilter {
                state: Some(IdeaState::Accepted),
                ..Default::default()
            },
            Scope::Public,
            vec![],
        ),
        (
            IdeaFilter {
                state: Some(IdeaState::Accepted),
                ..Default::default()
            },
            Scope::Staff,
            vec![b],
        ),
        // Search: every word, case-insensitive, in title, description or reference; % is
        // literal.
        (
            IdeaFilter {
                query: "familienZENTRUM markt".into(),
                ..Default::default()
            },
            Scope::Public,
            vec![a],
        ),
        (
            IdeaFilter {
                query: "%".into(),
                ..Default::default()
            },
            Scope::Public,
            vec![],
        ),
    ];
    for (flt, scope, want) in cases {
        let (v, _) = list(flt.clone(), scope).await;
        assert_eq!(ids(v), want, "{flt:?} {scope:?}");
    }
    let (v, _) = list(
        IdeaFilter {
            query: "AP-2026-0003".into(),
            ..Default::default()
        },
        Scope::Public,
    )
    .await;
    assert_eq!(v.len(), 1);
    // Paging.
    let (v, n) = list(
        IdeaFilter {
            limit: 2,
            offset: 2,
            ..Default::default()
        },
        Scope::Public,
    )
    .await;
    assert_eq!((v.len(), n), (1, 3));
    // The author sees their draft in their own list.
    let (v, _) = list(IdeaFilter::default(), Scope::Author(bob().id)).await;
    assert_eq!(v.len(), 2);
}

#[tokio::test]
async fn location_must_lie_in_the_area() {
    let f = fixture().await;
    let snap = flensburg().await;
    let mut input = idea_input(&f, "Bank am Wasser");
    input.lat = "54,8104".into();
    input.lon = "9.4183".into();
    let id = new_idea(&f, Some(&snap), &alice(), &input, false, NOW)
        .await
        .unwrap();
    assert_eq!(
        get_idea(&f.pool, id).await.unwrap().unwrap().location,
        Some((9.4183, 54.8104))
    );
    input.area = f.area("sued").to_string();
    let err = new_idea(&f, Some(&snap), &alice(), &input, false, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e[0].problem == Problem::OutsideArea),
        "{err:?}"
    );
    input.lon = "".into();
    let err = new_idea(&f, Some(&snap), &alice(), &input, false, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Invalid(ref e) if e[0].problem == Problem::Incomplete),
        "{err:?}"
    );
    // Every bad field at once.
    let bad = sozialatlas_participation::IdeaInput {
        title: "Hi".into(),
        description: "".into(),
        area: "999".into(),
        field: "abc".into(),
        group_type: "club".into(),
        cost: "viel".into(),
        ..Default::default()
    };
    let Error::Invalid(errs) = new_idea(&f, None, &alice(), &bad, false, NOW)
        .await
        .unwrap_err()
    else {
        panic!()
    };
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "title",
            "description",
            "area",
            "field",
            "group_type",
            "cost"
        ]
    );
}

#[tokio::test]
async fn moderation_is_audited() {
    let f = fixture().await;
    let id = published_idea(&f, "Prüfbare Idee").await;
    moderation::hide(
        &f.pool,
        &moderator(),
        ItemKind::Idea,
        id,
        "Beleidigend",
        NOW,
    )
    .await
    .unwrap();
    moderation::unhide(
        &f.pool,
        &moderator(),
        ItemKind::Idea,
        id,
        "Missverständnis",
        NOW,
    )
    .await
    .unwrap();
    let (log, _) = sozialatlas_accounts::list_audit(&f.pool, &Default::default(), 100, 0)
        .await
        .unwrap();
    let actions: Vec<String> = log.iter().map(|e| e.action.clone()).collect();
    for a in [
        "process.create",
        "idea.publish",
        "moderation.hide",
        "moderation.unhide",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} missing in {actions:?}");
    }
}

#[tokio::test]
async fn blocking_goes_through_the_accounts_and_is_audited() {
    let f = fixture().await;
    // Nobody blocks themselves; participants block nobody; a reason is needed.
    assert!(matches!(
        moderation::set_blocked(&f.pool, &moderator(), moderator().id, true, "x")
            .await
            .unwrap_err(),
        Error::Denied(Denied::OwnContent)
    ));
    assert!(
        moderation::set_blocked(&f.pool, &alice(), bob().id, true, "x")
            .await
            .is_err()
    );
    assert!(
        moderation::set_blocked(&f.pool, &moderator(), bob().id, true, " ")
            .await
            .is_err()
    );
    moderation::set_blocked(
        &f.pool,
        &moderator(),
        bob().id,
        true,
        "Werbung trotz Hinweis",
    )
    .await
    .unwrap();
    let u = sozialatlas_accounts::get_user(&f.pool, bob().id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.status, sozialatlas_accounts::Status::Blocked);
    let (log, _) = sozialatlas_accounts::list_audit(&f.pool, &Default::default(), 100, 0)
        .await
        .unwrap();
    assert!(log.iter().any(|e| e.action == "moderation.block"
        && e.object == format!("user:{}", bob().id)
        && e.detail == "Werbung trotz Hinweis"
        && e.actor_id == Some(moderator().id)));
    assert!(
        moderation::set_blocked(&f.pool, &moderator(), 999, true, "x")
            .await
            .is_err()
    );
}
