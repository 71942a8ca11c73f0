//! Referrals to partner agencies: purpose, the resident's consent (given when, for what,
//! revoked when), and a state with its history. The case owner stays responsible: a referral
//! never moves the case, and closing the case does not end the referral.

use crate::access::{Actor, case_office};
use crate::date::Date;
use crate::{OfficeError, Pool, Result, audit, now_rfc3339, text};
use serde::Serialize;

/// The state of a referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralState {
    /// Sent, no answer yet.
    InProgress,
    /// The agency took it on.
    Accepted,
    /// The agency declined.
    Rejected,
    /// Finished.
    Done,
    /// The resident revoked the consent.
    Revoked,
}

impl ReferralState {
    /// All states.
    pub const ALL: [ReferralState; 5] = [
        ReferralState::InProgress,
        ReferralState::Accepted,
        ReferralState::Rejected,
        ReferralState::Done,
        ReferralState::Revoked,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferralState::InProgress => "in_progress",
            ReferralState::Accepted => "accepted",
            ReferralState::Rejected => "rejected",
            ReferralState::Done => "done",
            ReferralState::Revoked => "revoked",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<ReferralState> {
        ReferralState::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Label.
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (ReferralState::InProgress, false) => "In Bearbeitung",
            (ReferralState::InProgress, true) => "In progress",
            (ReferralState::Accepted, false) => "Angenommen",
            (ReferralState::Accepted, true) => "Accepted",
            (ReferralState::Rejected, false) => "Abgelehnt",
            (ReferralState::Rejected, true) => "Rejected",
            (ReferralState::Done, false) => "Abgeschlossen",
            (ReferralState::Done, true) => "Done",
            (ReferralState::Revoked, false) => "Einwilligung widerrufen",
            (ReferralState::Revoked, true) => "Consent revoked",
        }
    }

    /// The states a referral may move to from this one (revoking goes through
    /// [`revoke_consent`]).
    pub fn next(self) -> &'static [ReferralState] {
        match self {
            ReferralState::InProgress => &[ReferralState::Accepted, ReferralState::Rejected],
            ReferralState::Accepted => &[ReferralState::Done],
            _ => &[],
        }
    }

    /// Whether the consent can still be revoked.
    pub fn revocable(self) -> bool {
        matches!(self, ReferralState::InProgress | ReferralState::Accepted)
    }
}

/// A state change.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ReferralEvent {
    /// When (RFC 3339).
    pub at: String,
    /// Who (display name).
    pub by: String,
    /// The new state.
    pub state: ReferralState,
    /// Why.
    pub note: Option<String>,
}

/// A referral.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Referral {
    /// Id.
    pub id: i64,
    /// Partner agency id.
    pub agency_id: i64,
    /// Partner agency name.
    pub agency: String,
    /// Purpose.
    pub purpose: String,
    /// Consent given on.
    pub consent_given_on: Date,
    /// What the consent covers.
    pub consent_scope: String,
    /// Consent revoked on.
    pub consent_revoked_on: Option<Date>,
    /// State.
    pub state: ReferralState,
    /// History, oldest first.
    pub events: Vec<ReferralEvent>,
}

/// What staff enter for a referral.
#[derive(Clone, Debug, Default)]
pub struct NewReferral {
    /// Partner agency id.
    pub agency_id: i64,
    /// Purpose.
    pub purpose: String,
    /// Consent given on (`YYYY-MM-DD`; empty: today).
    pub consent_given_on: String,
    /// What the consent covers (which data, to whom, for what).
    pub consent_scope: String,
}

pub(crate) async fn referrals_of(pool: &Pool, case: &str) -> Result<Vec<Referral>> {
    /// A referral row.
    #[derive(sqlx::FromRow)]
    struct ReferralRow {
        id: i64,
        agency_id: i64,
        agency: String,
        purpose: String,
        consent_given_on: Date,
        consent_scope: String,
        consent_revoked_on: Option<Date>,
        state: String,
    }
    let rows: Vec<ReferralRow> = sqlx::query_as(
        "SELECT r.id, r.agency_id, p.name AS agency, r.purpose, r.consent_given_on, r.consent_scope,
                r.consent_revoked_on, r.state
         FROM referral r JOIN partner_agency p ON p.id = r.agency_id
         WHERE r.case_id = $1 ORDER BY r.id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id;
        let rows = sqlx::query_as::<_, (String, i64, String, Option<String>)>(
            "SELECT at, actor_id, state, note FROM referral_event WHERE referral_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?;
        let actors: Vec<i64> = rows.iter().map(|r| r.1).collect();
        let names = sozialatlas_accounts::display_names(pool, &actors).await?;
        let events = rows
            .into_iter()
            .filter_map(|(at, actor, state, note)| {
                Some(ReferralEvent {
                    at,
                    by: names.get(&actor).cloned().unwrap_or_default(),
                    state: ReferralState::parse(&state)?,
                    note,
                })
            })
            .collect();
        out.push(Referral {
            id,
            agency_id: r.agency_id,
            agency: r.agency,
            purpose: r.purpose,
            consent_given_on: r.consent_given_on,
            consent_scope: r.consent_scope,
            consent_revoked_on: r.consent_revoked_on,
            state: ReferralState::parse(&r.state).unwrap_or(ReferralState::InProgress),
            events,
        });
    }
    Ok(out)
}

async fn event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    referral: i64,
    actor: i64,
    state: ReferralState,
    note: Option<&str>,
) -> Result<()> {
    let id = sozialatlas_store::next_id(tx, "referral_event").await?;
    sqlx::query(
        "INSERT INTO referral_event (id, referral_id, at, actor_id, state, note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(referral)
    .bind(now_rfc3339())
    .bind(actor)
    .bind(state.as_str())
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Refers an open case to a partner agency; needs the resident's consent (date and scope).
pub async fn create_referral(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    input: &NewReferral,
) -> Result<i64> {
    case_office(pool, actor, case).await?;
    let closed: Option<String> =
        sqlx::query_scalar("SELECT closed_on FROM office_case WHERE id = $1")
            .bind(case)
            .fetch_one(pool)
            .await?;
    if let Some(d) = closed {
        return Err(OfficeError::invalid(
            "case",
            format!("the case was closed on {d}; reopen it to refer it"),
            "der Fall ist abgeschlossen; zum Vermitteln bitte wieder öffnen",
        ));
    }
    let active = sqlx::query_scalar::<_, bool>("SELECT active FROM partner_agency WHERE id = $1")
        .bind(input.agency_id)
        .fetch_optional(pool)
        .await?;
    if active != Some(true) {
        return Err(OfficeError::invalid(
            "agency",
            "expected a partner agency from the list",
            "bitte eine Fachstelle aus der Liste wählen",
        ));
    }
    let purpose = text("purpose", &input.purpose, true, 300)?.unwrap_or_default();
    let scope = text("consent_scope", &input.consent_scope, true, 300)?.unwrap_or_default();
    let today = Date::today();
    let given = match input.consent_given_on.trim() {
        "" => today,
        s => Date::parse(s).map_err(|_| OfficeError::bad_date("consent_given_on", s))?,
    };
    if given > today {
        return Err(OfficeError::future_date("consent_given_on", today, given));
    }
    let now = now_rfc3339();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = sozialatlas_store::next_id(&mut tx, "referral").await?;
    sqlx::query(
        "INSERT INTO referral (id, case_id, agency_id, purpose, consent_given_on, consent_scope, state, created_at, created_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7, $8, $7)",
    )
    .bind(id)
    .bind(case)
    .bind(input.agency_id)
    .bind(&purpose)
    .bind(given.to_string())
    .bind(&scope)
    .bind(&now)
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await?;
    event(&mut tx, id, actor.user_id, ReferralState::InProgress, None).await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.referral.create",
        &format!("case:{case}"),
        &format!("referral:{id} partner:{}", input.agency_id),
    )
    .await?;
    Ok(id)
}

async fn referral_state(pool: &Pool, case: &str, referral: i64) -> Result<ReferralState> {
    sqlx::query_scalar::<_, String>("SELECT state FROM referral WHERE id = $1 AND case_id = $2")
        .bind(referral)
        .bind(case)
        .fetch_optional(pool)
        .await?
        .and_then(|s| ReferralState::parse(&s))
        .ok_or_else(|| OfficeError::NotFound(format!("referral {referral}")))
}

/// Moves a referral to its next state (accepted, rejected, done), with an optional note.
pub async fn set_referral_state(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    referral: i64,
    state: &str,
    note: &str,
) -> Result<()> {
    case_office(pool, actor, case).await?;
    let current = referral_state(pool, case, referral).await?;
    let to = ReferralState::parse(state.trim())
        .filter(|s| current.next().contains(s))
        .ok_or_else(|| {
            OfficeError::invalid(
                "state",
                format!(
                    "from „{}“ a referral can move to {}; found „{}“",
                    current.as_str(),
                    if current.next().is_empty() {
                        "no other state".to_string()
                    } else {
                        current
                            .next()
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    crate::access::clean_id(state)
                ),
                "dieser Schritt ist im aktuellen Stand der Vermittlung nicht möglich",
            )
        })?;
    let note = text("note", note, false, 300)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query("UPDATE referral SET state = $2, updated_at = $3 WHERE id = $1")
        .bind(referral)
        .bind(to.as_str())
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
    event(&mut tx, referral, actor.user_id, to, note.as_deref()).await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.referral.state",
        &format!("case:{case}"),
        &format!("referral:{referral} {}", to.as_str()),
    )
    .await
}

/// Records that the resident revoked the consent of a referral (state: revoked).
pub async fn revoke_consent(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    referral: i64,
    on: &str,
) -> Result<()> {
    case_office(pool, actor, case).await?;
    let current = referral_state(pool, case, referral).await?;
    if !current.revocable() {
        return Err(OfficeError::invalid(
            "state",
            format!(
                "the referral is „{}“; consent can be revoked only while it is in progress or accepted",
                current.as_str()
            ),
            "die Einwilligung kann nur widerrufen werden, solange die Vermittlung läuft oder angenommen ist",
        ));
    }
    let today = Date::today();
    let on = match on.trim() {
        "" => today,
        s => Date::parse(s).map_err(|_| OfficeError::bad_date("consent_revoked_on", s))?,
    };
    if on > today {
        return Err(OfficeError::future_date("consent_revoked_on", today, on));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query(
        "UPDATE referral SET state = 'revoked', consent_revoked_on = $2, updated_at = $3 WHERE id = $1",
    )
    .bind(referral)
    .bind(on.to_string())
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    event(
        &mut tx,
        referral,
        actor.user_id,
        ReferralState::Revoked,
        None,
    )
    .await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.referral.revoke",
        &format!("case:{case}"),
        &format!("referral:{referral}"),
    )
    .await
}
