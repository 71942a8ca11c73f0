//! A store with one action-area set over Flensburg's districts and a process whose proposal
//! phase contains the fixed test clock.

#![allow(dead_code)]

use sozialatlas_accounts::Role;
use sozialatlas_participation::process::{FieldInput, PhaseInput, ProcessInput, create_process};
use sozialatlas_participation::{Actor, Process};
use sozialatlas_store::{ActionAreaSource, NewActionArea, Pool};
use time::OffsetDateTime;

/// The fixed "now" of the tests: inside the proposal phase.
pub const NOW: OffsetDateTime = time::macros::datetime!(2026-05-04 10:00:00 UTC);

/// The people of the tests, created as accounts in this order (ids 1, 2, …).
const PEOPLE: [(&str, &[Role]); 10] = [
    ("alice", &[]),
    ("bob", &[]),
    ("carol", &[]),
    ("dave", &[]),
    ("erin", &[]),
    ("manager", &[Role::ProcessManager]),
    ("moderator", &[Role::Moderator]),
    ("reviewer", &[Role::Reviewer]),
    ("reviewer2", &[Role::Reviewer]),
    ("moderator2", &[Role::Moderator]),
];

fn person(name: &str) -> Actor {
    let i = PEOPLE
        .iter()
        .position(|p| p.0 == name)
        .expect("a test person");
    let mut roles = vec![Role::Participant];
    roles.extend_from_slice(PEOPLE[i].1);
    Actor {
        id: i as i64 + 1,
        roles,
    }
}

pub fn manager() -> Actor {
    person("manager")
}
pub fn moderator() -> Actor {
    person("moderator")
}
pub fn moderator2() -> Actor {
    person("moderator2")
}
pub fn reviewer() -> Actor {
    person("reviewer")
}
pub fn reviewer2() -> Actor {
    person("reviewer2")
}
pub fn alice() -> Actor {
    person("alice")
}
pub fn bob() -> Actor {
    person("bob")
}
pub fn carol() -> Actor {
    person("carol")
}
pub fn dave() -> Actor {
    person("dave")
}
pub fn erin() -> Actor {
    person("erin")
}

async fn accounts(pool: &Pool) {
    for (i, (name, roles)) in PEOPLE.iter().enumerate() {
        let id = sozialatlas_accounts::create_user(
            pool,
            &sozialatlas_accounts::NewUser {
                email: &format!("{name}@example.org"),
                display_name: name,
                password: "a long test password",
                locale: "de",
                status: sozialatlas_accounts::Status::Active,
                roles,
            },
            None,
        )
        .await
        .expect("account");
        assert_eq!(id, i as i64 + 1);
    }
}

pub struct Fixture {
    pub pool: Pool,
    pub process: Process,
}

impl Fixture {
    pub fn area(&self, key: &str) -> i64 {
        self.process
            .set
            .areas
            .iter()
            .find(|a| a.key == key)
            .expect("area")
            .id
    }
    pub fn field(&self, i: usize) -> i64 {
        self.process.fields[i].id
    }
}

pub fn phases() -> Vec<PhaseInput> {
    vec![
        PhaseInput {
            kind: "information".into(),
            title: "Entwurf des Aktionsplans".into(),
            starts_on: "2026-04-01".into(),
            ends_on: "2026-04-30".into(),
            comment: true,
            ..Default::default()
        },
        PhaseInput {
            kind: "proposals".into(),
            title: "Projektideen".into(),
            starts_on: "2026-05-01".into(),
            ends_on: "2026-05-31".into(),
            propose: true,
            comment: true,
            support: true,
            ..Default::default()
        },
        PhaseInput {
            kind: "review".into(),
            title: "Prüfung".into(),
            starts_on: "2026-06-01".into(),
            ends_on: "2026-06-30".into(),
            comment: true,
            ..Default::default()
        },
    ]
}

pub fn process_input(set_id: i64) -> ProcessInput {
    ProcessInput {
        title: "Aktionsplan Soziale Stadt".into(),
        description: "Projektideen für die Aktionsräume".into(),
        set_id,
        reference_prefix: "AP".into(),
        moderate_first: true,
        hide_after_reports: 3,
        example: false,
        phases: phases(),
        fields: vec![
            FieldInput {
                title: "Arbeitsplätze".into(),
                goals: "Langzeitarbeitslose erreichen\nAusbildung".into(),
                ..Default::default()
            },
            FieldInput {
                title: "Kinder stärken – Armut bekämpfen".into(),
                goals: "Frühe Hilfen".into(),
                ..Default::default()
            },
            FieldInput {
                title: "Zusammenhalt stärken".into(),
                ..Default::default()
            },
        ],
    }
}

pub async fn fixture() -> Fixture {
    let pool = sozialatlas_test_support::test_pool().await;
    accounts(&pool).await;
    let set = sozialatlas_store::save_action_area_set(
        &pool,
        "Aktionsräume (Test)",
        "stadtteil",
        ActionAreaSource::Manual,
        None,
        None,
        None,
        &[
            NewActionArea {
                key: "nord".into(),
                name: "Nordstadt".into(),
                members: vec!["3".into()],
            },
            NewActionArea {
                key: "sued".into(),
                name: "Südstadt".into(),
                members: vec!["7".into()],
            },
        ],
    )
    .await
    .expect("set");
    let id = create_process(&pool, &manager(), &process_input(set), NOW)
        .await
        .expect("process");
    let process = sozialatlas_participation::process::get_process(&pool, id)
        .await
        .expect("read")
        .expect("exists");
    Fixture { pool, process }
}

pub fn idea_input(f: &Fixture, title: &str) -> sozialatlas_participation::IdeaInput {
    sozialatlas_participation::IdeaInput {
        title: title.into(),
        description: "Ein Treffpunkt für Familien im Quartier mit Beratung.".into(),
        area: f.area("nord").to_string(),
        field: f.field(1).to_string(),
        ..Default::default()
    }
}

/// The demo atlas as a snapshot (for location checks).
pub async fn flensburg() -> sozialatlas_store::Snapshot {
    sozialatlas_test_support::example_snapshot("flensburg").await
}

/// The kinds of the newest ten messages in `who`'s inbox, newest first.
pub async fn inbox_kinds(
    f: &Fixture,
    who: &Actor,
) -> Vec<sozialatlas_participation::inbox::MessageKind> {
    sozialatlas_participation::inbox::messages(&f.pool, who, 10)
        .await
        .unwrap()
        .iter()
        .map(|m| m.kind)
        .collect()
}

/// A participant's idea in the fixture's process: a draft, or handed in (`submit`).
pub async fn new_idea(
    f: &Fixture,
    snap: Option<&sozialatlas_store::Snapshot>,
    who: &Actor,
    input: &sozialatlas_participation::IdeaInput,
    submit: bool,
    at: OffsetDateTime,
) -> Result<i64, sozialatlas_participation::Error> {
    let origin = sozialatlas_participation::idea::Origin::Participant { submit };
    sozialatlas_participation::idea::create_idea(
        &f.pool,
        snap,
        who,
        f.process.id,
        input,
        origin,
        at,
    )
    .await
}

/// An idea by alice, submitted and published by the moderator.
pub async fn published_idea(f: &Fixture, title: &str) -> i64 {
    let id = new_idea(f, None, &alice(), &idea_input(f, title), true, NOW)
        .await
        .expect("create");
    sozialatlas_participation::idea::publish(&f.pool, &moderator(), id, "", NOW)
        .await
        .expect("publish");
    id
}
