//! Example content for the embedded demo: a process on the demo city's action areas with ideas
//! in several states, an area meeting with the ideas collected there, and a measure with parts
//! and dated updates. Everything is created through the same functions the web uses (so it obeys
//! the same rules) and is marked as example content (`example = true`), which every page shows.
//! Never run on a real store.

use sozialatlas_store::{Pool, Snapshot};
use time::{Duration, OffsetDateTime};

use crate::idea::{self, IdeaInput, Origin};
use crate::measure::{self, MeasureInput, UpdateInput};
use crate::meeting::{self, MeetingInput};
use crate::moderation::{self, ItemKind, ReportReason};
use crate::process::{self, FieldInput, PhaseInput, ProcessInput};
use crate::{Actor, Error, IdeaState, clock, engage};

/// The people who act in the example (demo accounts).
pub struct People {
    /// Writes most ideas and comments.
    pub participant: Actor,
    /// Further participants (supports, comments).
    pub others: Vec<Actor>,
    /// Runs the process.
    pub manager: Actor,
    /// Publishes ideas.
    pub moderator: Actor,
    /// Reviews ideas.
    pub reviewer: Actor,
}

fn d(now: OffsetDateTime, days: i64) -> String {
    clock::date_str(clock::today(now) + Duration::days(days))
}

/// Creates the example process on the action-area set `set_id`, with phases around `now` (the
/// proposal phase is open). Returns the process id.
pub async fn seed(
    pool: &Pool,
    snap: Option<&Snapshot>,
    set_id: i64,
    people: &People,
    now: OffsetDateTime,
) -> Result<i64, Error> {
    let phase = |kind: &str, title: &str, desc: &str, from: i64, to: i64, p: (bool, bool, bool)| {
        PhaseInput {
            kind: kind.into(),
            title: title.into(),
            description: desc.into(),
            starts_on: d(now, from),
            ends_on: d(now, to),
            propose: p.0,
            comment: p.1,
            support: p.2,
        }
    };
    let input = ProcessInput {
        title: "Aktionsplan Soziale Stadt (Beispiel)".into(),
        description: "Die Stadt hat mit der Typologie des Sozialatlas die Stadtteile gefunden, deren \
            Lage am deutlichsten ungünstiger ist als der Durchschnitt der Stadt, und sie zu Aktionsräumen \
            erklärt. Für sie entsteht ein Aktionsplan: Bewohnerinnen und Bewohner, Vereine, \
            Kirchen, Schulen, Einrichtungen und die lokale Politik bringen Projektideen ein, die \
            Verwaltung prüft sie und beantwortet jede öffentlich, angenommene Ideen werden \
            Maßnahmen des Plans.\n\nDies ist Beispielinhalt zur Vorführung."
            .into(),
        set_id,
        reference_prefix: "AP".into(),
        moderate_first: true,
        hide_after_reports: process::DEFAULT_HIDE_AFTER_REPORTS,
        example: true,
        phases: vec![
            phase(
                "information",
                "Entwurf des Aktionsplans",
                "Der Entwurf liegt aus und steht online; Fragen und Kommentare sind willkommen.",
                -70,
                -41,
                (false, true, false),
            ),
            phase(
                "meetings",
                "Aktionsraumgespräche",
                "In jedem Aktionsraum lädt das Aktionsbüro zu einem Gespräch ein.",
                -40,
                -15,
                (true, true, true),
            ),
            phase(
                "proposals",
                "Projektideen einbringen",
                "Bis zum Ende dieser Phase können Projektideen eingebracht, kommentiert und unterstützt werden.",
                -14,
                30,
                (true, true, true),
            ),
            phase("review", "Prüfung durch die Verwaltung", "", 31, 60, (false, true, false)),
            phase("decision", "Beschluss im Rat", "", 61, 75, (false, false, false)),
            phase("implementation", "Umsetzung", "", 76, 440, (false, false, false)),
        ],
        fields: vec![
            FieldInput {
                id: None,
                title: "Arbeitsplätze".into(),
                description: "Wege in Ausbildung und Arbeit, gerade für Langzeitarbeitslose.".into(),
                goals: "Langzeitarbeitslose erreichen und begleiten\nAusbildungsplätze im Quartier schaffen".into(),
            },
            FieldInput {
                id: None,
                title: "Kinder stärken – Armut bekämpfen".into(),
                description: "Frühe Hilfen, Bildung und Teilhabe für Kinder aus armen Familien.".into(),
                goals: "Frühe Hilfen für Familien\nBildung und Sprache von Anfang an\nTeilhabe an Sport und Kultur".into(),
            },
            FieldInput {
                id: None,
                title: "Zusammenhalt stärken".into(),
                description: "Nachbarschaft, Begegnung, ein gutes Zusammenleben im Quartier.".into(),
                goals: "Orte der Begegnung schaffen\nEhrenamt stärken".into(),
            },
        ],
    };
    let pid =
        process::create_process(pool, &people.manager, &input, now - Duration::days(71)).await?;
    let p = process::get_process(pool, pid)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let area = |i: usize| p.set.areas[i % p.set.areas.len()].id.to_string();
    // The online ideas are placed in their action area's first member area (with a snapshot).
    let place = |i: usize| {
        p.set.areas[i % p.set.areas.len()]
            .members
            .first()
            .cloned()
            .unwrap_or_default()
    };
    let field = |i: usize| p.fields[i].id.to_string();

    // An area meeting in the first action area, with minutes.
    let first = &p.set.areas[0];
    let mid = meeting::create_meeting(
        pool,
        &people.manager,
        pid,
        &MeetingInput {
            area: first.id.to_string(),
            title: format!("Aktionsraumgespräch {}", first.name),
            date: d(now, -20),
            start: "18:00".into(),
            end: "20:30".into(),
            place: "Bürgerhaus, Saal im Erdgeschoss (Beispieladresse)".into(),
            accessibility: "Stufenloser Zugang über den Hof, barrierefreie Toilette, \
                Induktionsschleife im Saal. Kinderbetreuung im Nebenraum. Gebärdensprache auf \
                Anfrage bis eine Woche vorher."
                .into(),
            description: "Das Aktionsbüro stellt den Entwurf des Aktionsplans vor; danach sammeln \
                wir an Thementischen Ihre Ideen."
                .into(),
            minutes: "34 Personen, darunter Vertreterinnen und Vertreter von zwei Kirchengemeinden, \
                der Grundschule und des Sportvereins.\n\nAn den Thementischen wurden neun Ideen \
                gesammelt; die Verwaltung hat sie eingetragen. Am häufigsten genannt: ein Treffpunkt \
                für Familien und mehr Angebote für Jugendliche am Abend."
                .into(),
            attendees: "34".into(),
        },
        now - Duration::days(40),
    )
    .await?;

    let participant = &people.participant;
    let mk = |title: &str, desc: &str, a: usize, f: usize, group: &str, cost: &str| IdeaInput {
        title: title.into(),
        description: desc.into(),
        area: area(a),
        field: field(f),
        group_type: group.into(),
        cost: cost.into(),
        ..Default::default()
    };
    // Ideas collected at the meeting.
    let m1 = idea::create_idea(
        pool,
        None,
        &people.manager,
        pid,
        &mk(
            "Familienzentrum mit offener Sprechstunde",
            "Ein fester Ort im Quartier, an dem Eltern Beratung (Erziehung, Schulden, Behörden) \
             und andere Familien treffen – mit offener Sprechstunde ohne Termin.",
            0,
            1,
            "residents",
            "100.000",
        ),
        Origin::Meeting(mid),
        now - Duration::days(20),
    )
    .await?;
    let m2 = idea::create_idea(
        pool,
        None,
        &people.manager,
        pid,
        &mk(
            "Jugendtreff am Abend",
            "Der Jugendtreff soll auch abends und am Wochenende offen sein, mit Sport in der \
             Schulhalle.",
            0,
            2,
            "association",
            "25.000",
        ),
        Origin::Meeting(mid),
        now - Duration::days(20),
    )
    .await?;

    // Ideas written online by the participant.
    let mut online = Vec::new();
    let specs = [
        (
            "Ausbildungslotsen an der Gesamtschule",
            "Ehrenamtliche aus Betrieben begleiten Schülerinnen und Schüler der Abschlussklassen \
             bei der Suche nach einem Ausbildungsplatz.",
            1,
            0,
            "school",
            "",
        ),
        (
            "Nachbarschaftsgarten auf der Brachfläche",
            "Auf der Brachfläche hinter dem Supermarkt könnte ein Gemeinschaftsgarten entstehen, \
             den Nachbarinnen und Nachbarn gemeinsam pflegen.",
            1,
            2,
            "",
            "8.000",
        ),
        (
            "Sprachcafé für Eltern",
            "Einmal pro Woche ein Sprachcafé in der Kita, in dem Eltern Deutsch üben und \
             einander kennenlernen.",
            0,
            1,
            "church",
            "3.500",
        ),
        (
            "Schwimmkurse für alle Grundschulkinder",
            "Viele Kinder im Stadtteil können nicht schwimmen. Kostenlose Kurse in den Ferien.",
            2,
            1,
            "",
            "12.000",
        ),
        (
            "Treffpunkt für Familien",
            "Ein Ort, an dem Familien sich treffen und beraten lassen können.",
            0,
            1,
            "",
            "",
        ),
        (
            "Reparaturcafé",
            "Einmal im Monat gemeinsam Fahrräder, Lampen und Kleidung reparieren.",
            2,
            2,
            "association",
            "1.500",
        ),
        (
            "Mehr Bänke entlang der Hauptstraße",
            "Für ältere Menschen fehlen Sitzgelegenheiten auf dem Weg zum Markt.",
            1,
            2,
            "",
            "6.000",
        ),
    ];
    for (i, (t, desc, a, f, g, c)) in specs.iter().enumerate() {
        let at = now - Duration::days(12 - i as i64);
        let id = idea::create_idea(
            pool,
            snap,
            participant,
            pid,
            &IdeaInput {
                place: place(*a),
                ..mk(t, desc, *a, *f, g, c)
            },
            Origin::Participant { submit: true },
            at,
        )
        .await?;
        online.push((id, at));
    }
    // Publish all but the last (it waits in the moderation queue).
    for (id, at) in &online[..online.len() - 1] {
        idea::publish(pool, &people.moderator, *id, "", *at + Duration::hours(3)).await?;
    }
    let t = |h: i64| now - Duration::hours(h);

    // Supports and comments.
    for (k, who) in std::iter::once(participant)
        .chain(people.others.iter())
        .enumerate()
    {
        for (j, id) in [m1, m2, online[0].0, online[1].0, online[2].0]
            .iter()
            .enumerate()
        {
            if (k + j) % 3 != 2 {
                engage::support(pool, who, *id, t(30 - (k + j) as i64)).await?;
            }
        }
    }
    let other = people.others.first().unwrap_or(&people.reviewer);
    let c1 = engage::add_comment(
        pool,
        other,
        m1,
        None,
        "Sehr gute Idee! Im Gemeindehaus wären dafür Räume frei.",
        t(50),
    )
    .await?;
    engage::add_comment(
        pool,
        participant,
        m1,
        Some(c1),
        "Danke, das gebe ich an das Aktionsbüro weiter.",
        t(48),
    )
    .await?;
    let c3 = engage::add_comment(
        pool,
        participant,
        online[1].0,
        None,
        "Wer hätte Lust, ein Beet zu übernehmen?",
        t(40),
    )
    .await?;
    let _ = c3;
    let spam = engage::add_comment(
        pool,
        other,
        online[3].0,
        None,
        "Günstige Schwimmbrillen gibt es in meinem Laden!",
        t(20),
    )
    .await?;
    moderation::report(
        pool,
        participant,
        ItemKind::Comment,
        spam,
        ReportReason::Spam,
        "Werbung",
        t(19),
    )
    .await?;

    // Review and decisions.
    let pm = &people.manager;
    for id in [m1, m2, online[0].0, online[3].0] {
        idea::start_review(pool, pm, id, Some(people.reviewer.id), "", t(16)).await?;
    }
    idea::add_review_note(
        pool,
        &people.reviewer,
        m1,
        "Räume im Gemeindehaus angefragt; Träger der Familienhilfe ist interessiert.",
        t(15),
    )
    .await?;
    // The fifth ("Treffpunkt für Familien") is merged into the meeting's family centre.
    let m1_ref = idea::get_idea(pool, m1)
        .await?
        .map(|i| i.reference)
        .unwrap_or_default();
    idea::merge(
        pool,
        pm,
        online[4].0,
        &m1_ref,
        "Gleiche Idee wie das Familienzentrum aus dem Aktionsraumgespräch",
        t(14),
    )
    .await?;
    idea::decide(
        pool,
        pm,
        m1,
        IdeaState::Accepted,
        "Die Idee wird in den Aktionsplan aufgenommen. Das Jugendamt richtet das \
         Familienzentrum gemeinsam mit einem freien Träger in den Räumen des Gemeindehauses ein; \
         die offene Sprechstunde beginnt im Herbst.",
        t(12),
    )
    .await?;
    idea::publish_answer(pool, pm, m1, t(11)).await?;
    idea::decide(
        pool,
        pm,
        online[3].0,
        IdeaState::Rejected,
        "Schwimmkurse für Grundschulkinder bietet die Stadt bereits in allen Stadtteilen \
         kostenlos an (Programm „Jedes Kind schwimmt“). Die Idee wird deshalb nicht als eigene \
         Maßnahme aufgenommen; das Aktionsbüro macht das Angebot im Stadtteil bekannter.",
        t(10),
    )
    .await?;
    idea::publish_answer(pool, pm, online[3].0, t(9)).await?;
    // The sixth is withdrawn by its author.
    idea::withdraw(
        pool,
        participant,
        online[5].0,
        "Das Reparaturcafé gibt es inzwischen im Nachbarstadtteil.",
        t(7),
    )
    .await?;

    // A measure with two parts, linked to the accepted idea.
    let parent = measure::create_measure(
        pool,
        pm,
        pid,
        &MeasureInput {
            code: "M-01".into(),
            title: format!("Familienzentrum {}", first.name),
            description: "Ein Familienzentrum mit offener Sprechstunde, Beratung und \
                Begegnung im Gemeindehaus."
                .into(),
            area: first.id.to_string(),
            field: field(1),
            status: "started".into(),
            progress: "0".into(),
            office: "Jugendamt, Abteilung Familienförderung".into(),
            ..Default::default()
        },
        t(6),
    )
    .await?;
    let part1 = measure::create_measure(
        pool,
        pm,
        pid,
        &MeasureInput {
            code: "M-01.1".into(),
            title: "Räume im Gemeindehaus herrichten".into(),
            parent: parent.to_string(),
            area: first.id.to_string(),
            status: "started".into(),
            progress: "0".into(),
            budget: "40.000".into(),
            office: "Immobilienwirtschaft".into(),
            ..Default::default()
        },
        t(6),
    )
    .await?;
    let part2 = measure::create_measure(
        pool,
        pm,
        pid,
        &MeasureInput {
            code: "M-01.2".into(),
            title: "Beratung und offene Sprechstunde".into(),
            parent: parent.to_string(),
            area: first.id.to_string(),
            status: "planned".into(),
            progress: "0".into(),
            budget: "60.000".into(),
            office: "Jugendamt mit freiem Träger".into(),
            ..Default::default()
        },
        t(6),
    )
    .await?;
    measure::link_idea(pool, pm, parent, &m1_ref).await?;
    measure::add_update(
        pool,
        pm,
        part1,
        &UpdateInput {
            date: d(now, -5),
            body: "Mietvertrag mit der Kirchengemeinde unterschrieben, Malerarbeiten beauftragt."
                .into(),
            progress: "40".into(),
            status: String::new(),
        },
        t(5),
    )
    .await?;
    measure::add_update(
        pool,
        pm,
        part1,
        &UpdateInput {
            date: d(now, -1),
            body: "Räume renoviert und möbliert.".into(),
            progress: String::new(),
            status: "done".into(),
        },
        t(1),
    )
    .await?;
    measure::add_update(
        pool,
        pm,
        part2,
        &UpdateInput {
            date: d(now, -1),
            body: "Träger ausgewählt, zwei Beraterinnen eingestellt.".into(),
            progress: "30".into(),
            status: "started".into(),
        },
        t(1),
    )
    .await?;
    // The example's people are demo accounts: what happened to their ideas stays in their
    // inboxes and is not mailed.
    sqlx::query(
        "UPDATE inbox_message SET mail_state = 'none' WHERE mail_state = 'pending' \
         AND idea_id IN (SELECT id FROM idea WHERE process_id = $1)",
    )
    .bind(pid)
    .execute(pool)
    .await?;
    Ok(pid)
}
