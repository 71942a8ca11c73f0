//! The participation example of the embedded demo: action areas from the demo's typology
//! proposal (stored as a typology run and an action-area set, as a planner would confirm it),
//! and on them a sample process with ideas, a meeting and a measure, all marked as example
//! content, acted out by the demo accounts. For the in-memory demo store (and the tests) only.

use sozialatlas_accounts::Role;
use sozialatlas_accounts::demo::DEMO_ACCOUNTS;
use sozialatlas_participation::Actor;
use sozialatlas_runs::TypologyParams;
use sozialatlas_store::{ActionAreaSource, NewActionArea, StoredRun};

use crate::AppState;

/// The indicators the demo's typology clusters on (those of `sozialatlas analyse typology`'s
/// example).
const INDICATORS: [&str; 5] = [
    "arbeitslosenanteil",
    "sgb2_quote",
    "nef_quote",
    "wohngeld",
    "beschaeftigtenquote",
];

/// The latest year in which every indicator of [`INDICATORS`] has published values on `level`.
fn latest_common_year(index: &sozialatlas_web_kit::Index, level: &str) -> Option<i32> {
    let l = *index.level.get(level)?;
    let mut common: Option<Vec<i32>> = None;
    for id in INDICATORS {
        let periods = index.periods_at(*index.indicator.get(id)?, l);
        common = Some(match common {
            None => periods.to_vec(),
            Some(c) => c.into_iter().filter(|p| periods.contains(p)).collect(),
        });
    }
    common?.into_iter().max()
}

/// Seeds the example into the state's store (creating the demo accounts if they are missing);
/// returns the process id.
pub async fn seed_participation_example(state: &AppState) -> Result<i64, String> {
    seed(state)
        .await
        .map_err(|e| format!("participation example: {e}"))
}

async fn seed(state: &AppState) -> Result<i64, Box<dyn std::error::Error + Send + Sync>> {
    let pool = state.pool();
    let snap = state.snapshot();
    let now = sozialatlas_participation::clock::now();
    if sozialatlas_accounts::find_user_by_email(pool, DEMO_ACCOUNTS[0].email)
        .await?
        .is_none()
    {
        sozialatlas_accounts::demo::create_demo_accounts(pool).await?;
    }
    let level = "stadtteil";
    let params = TypologyParams {
        level: level.into(),
        // The latest year of these indicators, not of the whole atlas: later years may hold
        // other indicators only (the action offices' statistics are added at start).
        year: latest_common_year(state.index(), level)
            .or_else(|| snap.periods.last().copied())
            .unwrap_or(0),
        indicators: INDICATORS.iter().map(|s| s.to_string()).collect(),
        k: 3,
        pca: sozialatlas_analysis::pca::PcaSetting::Off,
        kmeans: None,
        seed: 1,
    };
    let run = sozialatlas_runs::run_typology(snap, &params)?;
    let run_id = sozialatlas_store::save_run(
        pool,
        &StoredRun {
            id: 0,
            kind: "typology".into(),
            created_at: sozialatlas_participation::clock::stamp(now),
            load_id: snap.load.id,
            program_version: env!("CARGO_PKG_VERSION").into(),
            params_json: serde_json::to_string(&run.params)?,
            result_json: serde_json::to_string(&run)?,
        },
    )
    .await?;
    let areas: Vec<NewActionArea> = run
        .result
        .proposed_action_areas
        .iter()
        .filter_map(|&i| run.areas.get(i))
        .map(|a| NewActionArea {
            key: a.key.clone(),
            name: a.name.clone(),
            members: vec![a.key.clone()],
        })
        .collect();
    if areas.is_empty() {
        return Err("the demo typology proposes no action areas".into());
    }
    let set = sozialatlas_store::save_action_area_set(
        pool,
        "Aktionsräume (Beispiel, aus der Typologie)",
        level,
        ActionAreaSource::Typology,
        Some(run_id),
        Some("Beispielinhalt: die vorgeschlagenen Aktionsräume der Typologie des Demo-Atlas."),
        Some("demo"),
        &areas,
    )
    .await?;
    // The demo accounts (created by the accounts crate) act in the example.
    let mut actors = Vec::new();
    for role in [
        Role::Participant,
        Role::OfficeStaff,
        Role::OfficeSupervisor,
        Role::ProcessManager,
        Role::Moderator,
        Role::Reviewer,
    ] {
        let email = DEMO_ACCOUNTS
            .iter()
            .find(|a| a.role == role)
            .map(|a| a.email)
            .ok_or_else(|| format!("no demo account for {}", role.as_str()))?;
        let u = sozialatlas_accounts::find_user_by_email(pool, email)
            .await?
            .ok_or_else(|| format!("demo account {email} missing"))?;
        actors.push(Actor {
            id: u.id,
            roles: u.roles,
        });
    }
    let mut it = actors.into_iter();
    let mut next = || it.next().ok_or("demo accounts");
    let people = sozialatlas_participation::demo::People {
        participant: next()?,
        others: vec![next()?, next()?],
        manager: next()?,
        moderator: next()?,
        reviewer: next()?,
    };
    Ok(sozialatlas_participation::demo::seed(pool, Some(snap), set, &people, now).await?)
}
