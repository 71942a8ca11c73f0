//! Retention and data-subject rights: identifying details are erased a configurable number of
//! months after a case closes (`sozialatlas offices purge`, and daily inside `serve`); a
//! resident can get everything kept about their case (access export, JSON) and have the case
//! erased. On SQLite, erasures overwrite the freed bytes (`secure_delete`, set on every
//! connection of the store) and checkpoint the write-ahead log, so that the data is gone from
//! the store file, not just unlinked; on PostgreSQL the deleted row versions stay in the
//! table's files until `VACUUM` reclaims them (autovacuum, or `VACUUM` after an erasure; see
//! docs/). They are logged by case id only.

use crate::access::{Actor, case_office};
use crate::cases::{IdentityState, load_case};
use crate::crypto::OfficeKey;
use crate::date::Date;
use crate::offices::retention_months;
use crate::{OfficeError, Pool, Result, audit};
use serde::Serialize;

/// What a purge did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// The retention period applied, in months.
    pub months: u32,
    /// Cases closed on or before this date had their details erased.
    pub closed_on_or_before: String,
    /// The cases whose identifying details were erased (ids only).
    pub erased: Vec<String>,
}

/// Runs the retention rule: erases the identifying details of every case closed at least the
/// configured number of months before `today`. Safe to run any time and as often as wanted.
pub async fn purge(pool: &Pool, today: Date) -> Result<PurgeReport> {
    let months = retention_months(pool).await?;
    let cutoff = today.add_months(-(months as i32));
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let erased: Vec<String> = sqlx::query_scalar(
        "SELECT i.case_id FROM case_identity i JOIN office_case c ON c.id = i.case_id
         WHERE c.closed_on IS NOT NULL AND c.closed_on <= $1 ORDER BY i.case_id",
    )
    .bind(cutoff.to_string())
    .fetch_all(&mut *tx)
    .await?;
    for id in &erased {
        sqlx::query("DELETE FROM case_identity WHERE case_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE office_case SET identity_erased_on = $2 WHERE id = $1")
            .bind(id)
            .bind(today.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if !erased.is_empty() {
        sozialatlas_store::db::checkpoint(pool).await;
    }
    for id in &erased {
        audit::log(
            pool,
            None,
            "office.identity.purge",
            &format!("case:{id}"),
            &format!("retention {months} months after closing"),
        )
        .await?;
    }
    Ok(PurgeReport {
        months,
        closed_on_or_before: cutoff.to_string(),
        erased,
    })
}

/// Everything kept about one case, for the resident (GDPR Art. 15): the case, its topics,
/// contacts, notes, follow-ups, referrals with consent, specialists, and the identifying
/// details. Logged as an export. Fails (rather than leaving something out) when the details
/// cannot be decrypted.
pub async fn export_case(
    pool: &Pool,
    actor: &Actor,
    key: Option<&OfficeKey>,
    case: &str,
) -> Result<serde_json::Value> {
    let d = load_case(pool, actor, key, case).await?;
    if let IdentityState::Unreadable { reason, reason_de } = &d.identity {
        return Err(OfficeError::invalid(
            "identity",
            reason.clone(),
            reason_de.clone(),
        ));
    }
    let (name, street, postcode, city, phone, email) = sqlx::query_as::<
        _,
        (
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
        ),
    >(
        "SELECT o.name, o.street, o.postcode, o.city, o.phone, o.email FROM office o
         JOIN office_case c ON c.office_id = o.id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_one(pool)
    .await?;
    let topics = crate::offices::topics(pool).await?;
    let months = retention_months(pool).await?;
    let value = serde_json::json!({
        "export": "Sozialatlas action office: access export of one case (GDPR Art. 15)",
        "exported_at": crate::now_rfc3339(),
        "controller": {
            "office": name,
            "address": format!("{street}, {postcode} {city}"),
            "phone": phone,
            "email": email,
        },
        "retention": format!("identifying details are erased {months} months after the case is closed"),
        "topic_labels": topics.iter().filter(|t| d.summary.topics.contains(&t.code))
            .map(|t| (t.code.clone(), serde_json::json!({"de": t.label_de, "en": t.label_en})))
            .collect::<serde_json::Map<_, _>>(),
        "case": d,
    });
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.export",
        &format!("case:{}", d.summary.id),
        "access export (GDPR Art. 15)",
    )
    .await?;
    Ok(value)
}

/// The month (`YYYY-MM`) of a stored date (`YYYY-MM-DD`).
fn month_of(date: &str) -> &str {
    date.get(..7).unwrap_or(date)
}

/// Erases a case on the resident's request (GDPR Art. 17): every row of the case goes, with
/// its identifying details, notes, contacts, follow-ups, specialists and referrals. What stays
/// is its anonymous statistical contribution (office, action area, month opened, topics,
/// months of contacts — no id, no text), so that published statistics do not change. Logged by
/// case id.
pub async fn erase_case(pool: &Pool, actor: &Actor, case: &str) -> Result<()> {
    let office = case_office(pool, actor, case).await?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let (action_area, opened_on): (Option<i64>, String) =
        sqlx::query_as("SELECT action_area_id, opened_on FROM office_case WHERE id = $1")
            .bind(case)
            .fetch_one(&mut *tx)
            .await?;
    let topics: Vec<String> = sqlx::query_scalar(
        "SELECT topic_code FROM case_topic WHERE case_id = $1 ORDER BY topic_code",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await?;
    let contact_months: Vec<String> = sqlx::query_scalar::<_, String>(
        "SELECT on_date FROM case_contact WHERE case_id = $1 ORDER BY on_date",
    )
    .bind(case)
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|d| month_of(d).to_string())
    .collect();
    let rid = sozialatlas_store::next_id(&mut tx, "case_residue").await?;
    sqlx::query(
        "INSERT INTO case_residue (id, office_id, action_area_id, opened_month, topics, contact_months)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(rid)
    .bind(office)
    .bind(action_area)
    .bind(month_of(&opened_on))
    .bind(topics.join(","))
    .bind(contact_months.join(","))
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM referral_event WHERE referral_id IN (SELECT id FROM referral WHERE case_id = $1)",
        "DELETE FROM referral WHERE case_id = $1",
        "DELETE FROM case_identity WHERE case_id = $1",
        "DELETE FROM case_note WHERE case_id = $1",
        "DELETE FROM case_followup WHERE case_id = $1",
        "DELETE FROM case_contact WHERE case_id = $1",
        "DELETE FROM case_specialist WHERE case_id = $1",
        "DELETE FROM case_topic WHERE case_id = $1",
        "DELETE FROM office_case WHERE id = $1",
    ] {
        sqlx::query(sql).bind(case).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sozialatlas_store::db::checkpoint(pool).await;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.erase",
        &format!("case:{case}"),
        "on request (GDPR Art. 17)",
    )
    .await
}

/// Runs [`purge`] once a day across every instance on the database: each instance asks now and
/// then every hour, and the first to claim the day ([`sozialatlas_store::claim_run`]) runs it
/// (the schedule inside `sozialatlas serve`). A purge takes every case past its retention, so
/// a day whose run failed is made up by the next day's. Failures are logged.
pub fn spawn_daily_purge(pool: Pool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = purge_once_today(&pool).await {
                tracing::warn!("office retention: {e}");
            }
        }
    })
}

/// The day's purge, if no instance on the database has claimed it yet: `Some` with what it
/// erased when this call ran it, `None` when another call had claimed the day.
pub async fn purge_once_today(pool: &Pool) -> Result<Option<PurgeReport>> {
    let today = Date::today();
    let claimed =
        sozialatlas_store::claim_run(pool, "office-retention", &today.to_string()).await?;
    if !claimed {
        return Ok(None);
    }
    let r = purge(pool, today).await?;
    if !r.erased.is_empty() {
        tracing::info!(
            "office retention: identifying details of {} case(s) erased",
            r.erased.len()
        );
    }
    Ok(Some(r))
}
