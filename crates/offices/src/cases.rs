//! Cases: a random pseudonymous id, dates, channel, coded topics, the responsible worker
//! (owner), assigned specialists, contacts, short notes, follow-ups (the due list), and the
//! optional identifying details in their own table. Every function checks that the actor is
//! staff of the case's office ([`crate::access`]); every read is audited before it returns.

use crate::access::{Actor, case_office, clean_id, require_staff_of};
use crate::crypto::{OfficeKey, SCHEME};
use crate::date::Date;
use crate::referrals::{Referral, referrals_of};
use crate::{OfficeError, Pool, Result, audit, now_rfc3339, text};
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// The alphabet of case ids: Crockford's base 32 (no I, L, O, U: nothing to misread).
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new case id: 60 random bits from the operating system's CSPRNG, as `XXXX-XXXX-XXXX`.
/// Not sequential and not derived from anything, so an id says nothing about its case, its
/// office or its time, and guessing one is hopeless (and answered like a wrong id anyway).
pub fn new_case_id() -> String {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the operating system's random source failed");
    let mut v = u64::from_le_bytes(b);
    let mut s = String::with_capacity(14);
    for i in 0..12 {
        if i == 4 || i == 8 {
            s.push('-');
        }
        s.push(ALPHABET[(v & 31) as usize] as char);
        v >>= 5;
    }
    s
}

/// A case id as typed (lower case, spaces, without dashes, O for 0 …) in its canonical form,
/// or `None` when it cannot be one.
pub fn normalize_case_id(input: &str) -> Option<String> {
    let chars: Vec<char> = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if chars.len() != 12 || !chars.iter().all(|c| ALPHABET.contains(&(*c as u8))) {
        return None;
    }
    let s: String = chars.iter().collect();
    Some(format!("{}-{}-{}", &s[0..4], &s[4..8], &s[8..12]))
}

/// How the resident got in touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Came to the office (open consultation hour).
    WalkIn,
    /// Appointment.
    Appointment,
    /// Telephone.
    Phone,
    /// E-mail or letter.
    Written,
    /// Outreach: home visit, street work, event in the area.
    Outreach,
    /// Referred to the office by someone else (school, GP, job centre …).
    ReferredIn,
}

impl Channel {
    /// All channels in form order.
    pub const ALL: [Channel; 6] = [
        Channel::WalkIn,
        Channel::Appointment,
        Channel::Phone,
        Channel::Written,
        Channel::Outreach,
        Channel::ReferredIn,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WalkIn => "walk_in",
            Channel::Appointment => "appointment",
            Channel::Phone => "phone",
            Channel::Written => "written",
            Channel::Outreach => "outreach",
            Channel::ReferredIn => "referred_in",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Label.
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (Channel::WalkIn, false) => "Offene Sprechstunde",
            (Channel::WalkIn, true) => "Walk-in",
            (Channel::Appointment, false) => "Termin",
            (Channel::Appointment, true) => "Appointment",
            (Channel::Phone, false) => "Telefon",
            (Channel::Phone, true) => "Phone",
            (Channel::Written, false) => "E-Mail oder Brief",
            (Channel::Written, true) => "E-mail or letter",
            (Channel::Outreach, false) => "Aufsuchend (Hausbesuch, Stadtteil)",
            (Channel::Outreach, true) => "Outreach (home visit, neighbourhood)",
            (Channel::ReferredIn, false) => "Vermittelt durch Dritte",
            (Channel::ReferredIn, true) => "Referred by others",
        }
    }
}

/// Why a case was closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    /// The matter is settled.
    Resolved,
    /// Handed over to a partner agency (the referral continues there).
    HandedOver,
    /// No further contact.
    NoContact,
    /// Moved away.
    Moved,
    /// Other.
    Other,
}

impl CloseReason {
    /// All reasons in form order.
    pub const ALL: [CloseReason; 5] = [
        CloseReason::Resolved,
        CloseReason::HandedOver,
        CloseReason::NoContact,
        CloseReason::Moved,
        CloseReason::Other,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Resolved => "resolved",
            CloseReason::HandedOver => "handed_over",
            CloseReason::NoContact => "no_contact",
            CloseReason::Moved => "moved",
            CloseReason::Other => "other",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<CloseReason> {
        CloseReason::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Label.
    pub fn label(self, en: bool) -> &'static str {
        match (self, en) {
            (CloseReason::Resolved, false) => "Anliegen geklärt",
            (CloseReason::Resolved, true) => "Resolved",
            (CloseReason::HandedOver, false) => "An Fachstelle übergeben",
            (CloseReason::HandedOver, true) => "Handed over to a partner agency",
            (CloseReason::NoContact, false) => "Kein weiterer Kontakt",
            (CloseReason::NoContact, true) => "No further contact",
            (CloseReason::Moved, false) => "Verzogen",
            (CloseReason::Moved, true) => "Moved away",
            (CloseReason::Other, false) => "Sonstiges",
            (CloseReason::Other, true) => "Other",
        }
    }
}

/// Identifying details: kept only if needed, only for the owning office.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// Name.
    pub name: String,
    /// How to reach the person (phone, e-mail, address).
    pub contact: String,
}

impl Drop for Identity {
    fn drop(&mut self) {
        self.name.zeroize();
        self.contact.zeroize();
    }
}

/// The identifying details of a case as the case page shows them.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum IdentityState {
    /// None kept.
    None,
    /// Kept (decrypted if encrypted).
    Present {
        /// The details.
        identity: Identity,
        /// Encrypted at rest.
        encrypted: bool,
    },
    /// Erased (retention or on request) on this date.
    Erased {
        /// When.
        on: Date,
    },
    /// Kept, but not readable with the configured key (the message says why).
    Unreadable {
        /// Why.
        reason: String,
        /// Why, in German.
        reason_de: String,
    },
}

/// What staff enter to open a case.
#[derive(Clone, Debug, Default)]
pub struct NewCase {
    /// The office (the actor must work there).
    pub office_id: i64,
    /// The action area the resident lives in (one the office serves), if known.
    pub action_area_id: Option<i64>,
    /// Opened on (`YYYY-MM-DD`; empty: today).
    pub opened_on: String,
    /// Channel (stored name).
    pub channel: String,
    /// Topic codes.
    pub topics: Vec<String>,
    /// Owner (default: the actor).
    pub owner_id: Option<i64>,
    /// A first short note (may be empty).
    pub note: String,
    /// Identifying details (both empty: none).
    pub identity: Identity,
    /// A first follow-up: due date (may be empty) and what.
    pub followup_due: String,
    /// What to follow up.
    pub followup_what: String,
    /// Example content (demo).
    pub is_example: bool,
}

/// A case in a list.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CaseSummary {
    /// The pseudonymous id.
    pub id: String,
    /// Office id.
    pub office_id: i64,
    /// Opened on.
    pub opened_on: Date,
    /// Closed on.
    pub closed_on: Option<Date>,
    /// Channel.
    pub channel: Channel,
    /// Topic codes.
    pub topics: Vec<String>,
    /// Owner's account id.
    pub owner_id: i64,
    /// Owner's display name.
    pub owner_name: String,
    /// The earliest open follow-up.
    pub next_due: Option<Date>,
    /// Number of contacts.
    pub contacts: i64,
    /// Example content.
    pub is_example: bool,
}

/// A specialist assigned to a case.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Specialist {
    /// Account id.
    pub user_id: i64,
    /// Display name.
    pub name: String,
    /// Field, e.g. „Fallmanagement Jobcenter“.
    pub field: String,
}

/// A contact.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Contact {
    /// Id.
    pub id: i64,
    /// On.
    pub on: Date,
    /// Channel.
    pub channel: Channel,
}

/// A short note.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, sqlx::FromRow)]
pub struct Note {
    /// Id.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Author's display name.
    pub author: String,
    /// Text.
    pub body: String,
}

/// A follow-up.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Followup {
    /// Id.
    pub id: i64,
    /// Due on.
    pub due_on: Date,
    /// What.
    pub what: String,
    /// Done on.
    pub done_on: Option<Date>,
}

/// Everything about a case.
#[derive(Clone, Debug, Serialize)]
pub struct CaseDetail {
    /// The list fields.
    #[serde(flatten)]
    pub summary: CaseSummary,
    /// Office name.
    pub office_name: String,
    /// The resident's action area (id, name).
    pub action_area: Option<(i64, String)>,
    /// Why it was closed.
    pub close_reason: Option<CloseReason>,
    /// Assigned specialists.
    pub specialists: Vec<Specialist>,
    /// Contacts, oldest first.
    pub contact_log: Vec<Contact>,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// Follow-ups by due date.
    pub followups: Vec<Followup>,
    /// Referrals, oldest first.
    pub referrals: Vec<Referral>,
    /// Identifying details.
    pub identity: IdentityState,
}

fn parse_date(field: &'static str, s: &str, default: Option<Date>) -> Result<Date> {
    match (s.trim(), default) {
        ("", Some(d)) => Ok(d),
        (s, _) => Date::parse(s).map_err(|_| OfficeError::bad_date(field, s)),
    }
}

/// Checks that a user may own or work on a case of an office: office-staff role and assigned.
async fn require_colleague(pool: &Pool, field: &'static str, office: i64, user: i64) -> Result<()> {
    let ok = sqlx::query("SELECT 1 FROM office_staff WHERE office_id = $1 AND user_id = $2")
        .bind(office)
        .bind(user)
        .fetch_optional(pool)
        .await?
        .is_some()
        && sozialatlas_accounts::is_active(
            pool,
            user,
            Some(sozialatlas_accounts::Role::OfficeStaff),
        )
        .await?;
    if ok {
        Ok(())
    } else {
        Err(OfficeError::invalid(
            field,
            format!("expected a staff member of this office, found account {user}"),
            "nur Mitarbeitende dieses Büros können hier eingetragen werden",
        ))
    }
}

async fn check_topics(pool: &Pool, topics: &[String]) -> Result<Vec<String>> {
    let known: Vec<(String, bool)> = sqlx::query_as("SELECT code, active FROM office_topic")
        .fetch_all(pool)
        .await?;
    let mut out: Vec<String> = Vec::new();
    for t in topics {
        let t = t.trim();
        if t.is_empty() || out.iter().any(|o| o == t) {
            continue;
        }
        if !known.iter().any(|(c, active)| c == t && *active) {
            return Err(OfficeError::invalid(
                "topics",
                format!(
                    "expected topics from the list ({}), found „{}“",
                    known
                        .iter()
                        .filter(|k| k.1)
                        .map(|k| k.0.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    clean_id(t)
                ),
                "bitte Themen aus der Liste wählen",
            ));
        }
        out.push(t.to_string());
    }
    if out.is_empty() {
        return Err(OfficeError::invalid(
            "topics",
            "choose at least one topic",
            "bitte mindestens ein Thema wählen",
        ));
    }
    Ok(out)
}

fn check_identity(i: &Identity) -> Result<Option<Identity>> {
    let name = text("identity_name", &i.name, false, 120)?;
    let contact = text("identity_contact", &i.contact, false, 300)?;
    if name.is_none() && contact.is_none() {
        return Ok(None);
    }
    Ok(Some(Identity {
        name: name.unwrap_or_default(),
        contact: contact.unwrap_or_default(),
    }))
}

/// Opens a case in an office the actor works in; returns its new pseudonymous id.
pub async fn open_case(
    pool: &Pool,
    actor: &Actor,
    key: Option<&OfficeKey>,
    input: &NewCase,
) -> Result<String> {
    require_staff_of(pool, actor, input.office_id).await?;
    let today = Date::today();
    let opened = parse_date("opened_on", &input.opened_on, Some(today))?;
    if opened > today {
        return Err(OfficeError::future_date("opened_on", today, opened));
    }
    let channel = Channel::parse(input.channel.trim()).ok_or_else(|| {
        OfficeError::invalid(
            "channel",
            format!(
                "expected one of {}, found „{}“",
                Channel::ALL.map(Channel::as_str).join(", "),
                clean_id(&input.channel)
            ),
            "bitte einen Kontaktweg aus der Liste wählen",
        )
    })?;
    let topics = check_topics(pool, &input.topics).await?;
    let owner = input.owner_id.unwrap_or(actor.user_id);
    require_colleague(pool, "owner", input.office_id, owner).await?;
    if let Some(a) = input.action_area_id
        && sqlx::query("SELECT 1 FROM office_area WHERE office_id = $1 AND action_area_id = $2")
            .bind(input.office_id)
            .bind(a)
            .fetch_optional(pool)
            .await?
            .is_none()
    {
        return Err(OfficeError::invalid(
            "action_area",
            "expected one of the action areas this office serves",
            "bitte einen Aktionsraum dieses Büros wählen",
        ));
    }
    let note = text("note", &input.note, false, 1000)?;
    let identity = check_identity(&input.identity)?;
    let followup = match (input.followup_due.trim(), input.followup_what.trim()) {
        ("", "") => None,
        (d, w) => Some((
            parse_date("followup_due", d, None)?,
            text("followup_what", w, true, 200)?.unwrap_or_default(),
        )),
    };
    let now = now_rfc3339();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    // A collision of 60 random bits is practically impossible; retry anyway rather than fail.
    let mut id = new_case_id();
    while sqlx::query("SELECT 1 FROM office_case WHERE id = $1")
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?
        .is_some()
    {
        id = new_case_id();
    }
    sqlx::query(
        "INSERT INTO office_case (id, office_id, action_area_id, opened_on, channel, owner_id, is_example, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(input.office_id)
    .bind(input.action_area_id)
    .bind(opened.to_string())
    .bind(channel.as_str())
    .bind(owner)
    .bind(input.is_example)
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    for t in &topics {
        sqlx::query("INSERT INTO case_topic (case_id, topic_code) VALUES ($1, $2)")
            .bind(&id)
            .bind(t)
            .execute(&mut *tx)
            .await?;
    }
    let cid = sozialatlas_store::next_id(&mut tx, "case_contact").await?;
    sqlx::query(
        "INSERT INTO case_contact (id, case_id, on_date, channel, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(cid)
    .bind(&id)
    .bind(opened.to_string())
    .bind(channel.as_str())
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await?;
    if let Some(n) = &note {
        let nid = sozialatlas_store::next_id(&mut tx, "case_note").await?;
        sqlx::query(
            "INSERT INTO case_note (id, case_id, created_at, author_id, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(nid)
        .bind(&id)
        .bind(&now)
        .bind(actor.user_id)
        .bind(n)
        .execute(&mut *tx)
        .await?;
    }
    if let Some((due, what)) = &followup {
        let fid = sozialatlas_store::next_id(&mut tx, "case_followup").await?;
        sqlx::query(
            "INSERT INTO case_followup (id, case_id, due_on, what, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(fid)
        .bind(&id)
        .bind(due.to_string())
        .bind(what)
        .bind(actor.user_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(i) = &identity {
        write_identity(&mut tx, key, &id, i).await?;
    }
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.create",
        &format!("case:{id}"),
        &format!("office:{}", input.office_id),
    )
    .await?;
    Ok(id)
}

async fn write_identity(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    key: Option<&OfficeKey>,
    case: &str,
    identity: &Identity,
) -> Result<()> {
    let mut json = serde_json::to_vec(identity).unwrap_or_default();
    let (scheme, key_id, nonce, data) = match key {
        Some(k) => {
            let (n, c) = k.seal(case, &json);
            (SCHEME, Some(k.id().to_string()), Some(n), c)
        }
        None => (
            "plain",
            None,
            None,
            String::from_utf8_lossy(&json).into_owned(),
        ),
    };
    json.zeroize();
    sqlx::query("DELETE FROM case_identity WHERE case_id = $1")
        .bind(case)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO case_identity (case_id, scheme, key_id, nonce, data, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case)
    .bind(scheme)
    .bind(key_id)
    .bind(nonce)
    .bind(data)
    .bind(now_rfc3339())
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE office_case SET identity_erased_on = NULL WHERE id = $1")
        .bind(case)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Reads and decrypts the identity row of a case (access already checked).
async fn read_identity(
    pool: &Pool,
    key: Option<&OfficeKey>,
    case: &str,
) -> Result<Option<std::result::Result<(Identity, bool), crate::KeyError>>> {
    let Some((scheme, key_id, nonce, data)) =
        sqlx::query_as::<_, (String, Option<String>, Option<String>, String)>(
            "SELECT scheme, key_id, nonce, data FROM case_identity WHERE case_id = $1",
        )
        .bind(case)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    if scheme == "plain" {
        let i: Identity = serde_json::from_str(&data).unwrap_or_default();
        return Ok(Some(Ok((i, false))));
    }
    let key_id = key_id.unwrap_or_default();
    let nonce = nonce.unwrap_or_default();
    let Some(k) = key else {
        return Ok(Some(Err(crate::KeyError::Missing {
            case: case.into(),
            key_id,
        })));
    };
    Ok(Some(match k.open(case, &key_id, &nonce, &data) {
        Ok(mut plain) => {
            let i = serde_json::from_slice::<Identity>(&plain)
                .map_err(|_| crate::KeyError::Tampered { case: case.into() });
            plain.zeroize();
            i.map(|i| (i, true))
        }
        Err(e) => Err(e),
    }))
}

/// Sets (or replaces) the identifying details of a case; both fields empty removes them.
pub async fn set_identity(
    pool: &Pool,
    actor: &Actor,
    key: Option<&OfficeKey>,
    case: &str,
    identity: &Identity,
) -> Result<()> {
    case_office(pool, actor, case).await?;
    let checked = check_identity(identity)?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    match &checked {
        Some(i) => write_identity(&mut tx, key, case, i).await?,
        None => {
            sqlx::query("DELETE FROM case_identity WHERE case_id = $1")
                .bind(case)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        if checked.is_some() {
            "office.identity.set"
        } else {
            "office.identity.remove"
        },
        &format!("case:{case}"),
        "",
    )
    .await
}

/// Filter for the case list.
#[derive(Clone, Debug, Default)]
pub struct CaseFilter {
    /// `open`, `closed` or anything else for all.
    pub state: String,
    /// Only cases with this topic.
    pub topic: Option<String>,
    /// Only cases this user owns.
    pub owner: Option<i64>,
}

const SUMMARY_SELECT: &str =
    "SELECT c.id, c.office_id, c.opened_on, c.closed_on, c.channel, c.owner_id, c.is_example,
        (SELECT MIN(f.due_on) FROM case_followup f WHERE f.case_id = c.id AND f.done_on IS NULL)
            AS next_due,
        (SELECT COUNT(*) FROM case_contact k WHERE k.case_id = c.id) AS contacts
     FROM office_case c";

/// A case as [`SUMMARY_SELECT`] reads it.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    office_id: i64,
    opened_on: Date,
    closed_on: Option<Date>,
    channel: String,
    owner_id: i64,
    is_example: bool,
    next_due: Option<Date>,
    contacts: i64,
}

async fn summaries(pool: &Pool, rows: Vec<SummaryRow>) -> Result<Vec<CaseSummary>> {
    let owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let names = sozialatlas_accounts::display_names(pool, &owners).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id;
        let topics = sqlx::query_scalar(
            "SELECT t.topic_code FROM case_topic t JOIN office_topic o ON o.code = t.topic_code
             WHERE t.case_id = $1 ORDER BY o.position",
        )
        .bind(&id)
        .fetch_all(pool)
        .await?;
        out.push(CaseSummary {
            office_id: r.office_id,
            opened_on: r.opened_on,
            closed_on: r.closed_on,
            channel: Channel::parse(&r.channel).unwrap_or(Channel::WalkIn),
            owner_id: r.owner_id,
            owner_name: names.get(&r.owner_id).cloned().unwrap_or_default(),
            is_example: r.is_example,
            next_due: r.next_due,
            contacts: r.contacts,
            topics,
            id,
        });
    }
    Ok(out)
}

/// The cases of an office the actor works in, newest first.
pub async fn list_cases(
    pool: &Pool,
    actor: &Actor,
    office: i64,
    filter: &CaseFilter,
) -> Result<Vec<CaseSummary>> {
    require_staff_of(pool, actor, office).await?;
    let state = match filter.state.as_str() {
        "open" => "AND c.closed_on IS NULL",
        "closed" => "AND c.closed_on IS NOT NULL",
        _ => "",
    };
    let rows = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE c.office_id = $1 {state}
           AND ($2 IS NULL OR EXISTS (SELECT 1 FROM case_topic t WHERE t.case_id = c.id AND t.topic_code = $2))
           AND ($3 IS NULL OR c.owner_id = $3)
         ORDER BY c.opened_on DESC, c.created_at DESC"
    ))
    .bind(office)
    .bind(filter.topic.as_deref())
    .bind(filter.owner)
    .fetch_all(pool)
    .await?;
    let out = summaries(pool, rows).await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.list",
        &format!("office:{office}"),
        &format!("{} cases", out.len()),
    )
    .await?;
    Ok(out)
}

/// Searches the cases of an office the actor works in: by case id, by words in the notes, and
/// by name or contact in the identifying details (decrypted in memory, never indexed). The
/// query itself is not logged (it may be a name); the search and its number of hits are.
pub async fn search_cases(
    pool: &Pool,
    actor: &Actor,
    key: Option<&OfficeKey>,
    office: i64,
    query: &str,
) -> Result<Vec<CaseSummary>> {
    require_staff_of(pool, actor, office).await?;
    let q = query.trim().to_lowercase();
    if q.chars().count() < 2 {
        return Err(OfficeError::invalid(
            "q",
            "enter at least 2 characters (a case id, a word of a note, or a name)",
            "bitte mindestens 2 Zeichen eingeben (Fallnummer, Wort aus einer Notiz oder Name)",
        ));
    }
    let by_id = normalize_case_id(&q);
    let like = format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let mut ids: Vec<String> = sqlx::query_scalar(
        "SELECT c.id FROM office_case c WHERE c.office_id = $1 AND (
             c.id = $2 OR LOWER(c.id) LIKE $3 ESCAPE '\\'
             OR EXISTS (SELECT 1 FROM case_note n WHERE n.case_id = c.id AND LOWER(n.body) LIKE $3 ESCAPE '\\'))",
    )
    .bind(office)
    .bind(by_id.as_deref())
    .bind(&like)
    .fetch_all(pool)
    .await?;
    let with_identity: Vec<String> = sqlx::query_scalar(
        "SELECT i.case_id FROM case_identity i JOIN office_case c ON c.id = i.case_id WHERE c.office_id = $1",
    )
    .bind(office)
    .fetch_all(pool)
    .await?;
    for cid in with_identity {
        if ids.contains(&cid) {
            continue;
        }
        if let Some(Ok((i, _))) = read_identity(pool, key, &cid).await?
            && (i.name.to_lowercase().contains(&q) || i.contact.to_lowercase().contains(&q))
        {
            ids.push(cid);
        }
    }
    let mut out = Vec::new();
    for cid in &ids {
        let rows = sqlx::query_as(&format!("{SUMMARY_SELECT} WHERE c.id = $1"))
            .bind(cid)
            .fetch_all(pool)
            .await?;
        out.extend(summaries(pool, rows).await?);
    }
    out.sort_by(|a, b| b.opened_on.cmp(&a.opened_on).then(a.id.cmp(&b.id)));
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.search",
        &format!("office:{office}"),
        &format!("{} hits", out.len()),
    )
    .await?;
    Ok(out)
}

/// Reads a whole case (audited as a read of the case).
pub async fn get_case(
    pool: &Pool,
    actor: &Actor,
    key: Option<&OfficeKey>,
    case: &str,
) -> Result<CaseDetail> {
    let detail = load_case(pool, actor, key, case).await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.read",
        &format!("case:{}", detail.summary.id),
        "",
    )
    .await?;
    Ok(detail)
}

/// Reads a case without logging (callers log: read or export).
pub(crate) async fn load_case(
    pool: &Pool,
    actor: &Actor,
    key: Option<&OfficeKey>,
    case: &str,
) -> Result<CaseDetail> {
    case_office(pool, actor, case).await?;
    let rows = sqlx::query_as(&format!("{SUMMARY_SELECT} WHERE c.id = $1"))
        .bind(case)
        .fetch_all(pool)
        .await?;
    let summary = summaries(pool, rows)
        .await?
        .pop()
        .ok_or_else(|| OfficeError::NotFound(format!("case {}", clean_id(case))))?;
    let (office_name, area_id, close_reason, erased_on) =
        sqlx::query_as::<_, (String, Option<i64>, Option<String>, Option<String>)>(
            "SELECT o.name, c.action_area_id, c.close_reason, c.identity_erased_on
             FROM office_case c JOIN office o ON o.id = c.office_id WHERE c.id = $1",
        )
        .bind(case)
        .fetch_one(pool)
        .await?;
    let action_area = match area_id {
        Some(id) => {
            let mut conn = pool.acquire().await?;
            let area = sozialatlas_store::placed_action_area(&mut conn, id).await?;
            Some((id, area.map(|a| a.name).unwrap_or_default()))
        }
        None => None,
    };
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT user_id, field FROM case_specialist WHERE case_id = $1")
            .bind(case)
            .fetch_all(pool)
            .await?;
    let mut specialists: Vec<Specialist> = Vec::with_capacity(rows.len());
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut names = sozialatlas_accounts::display_names(pool, &ids).await?;
    for (user_id, field) in rows {
        let name = names.remove(&user_id).unwrap_or_default();
        specialists.push(Specialist {
            user_id,
            name,
            field,
        });
    }
    specialists.sort_by(|a, b| a.name.cmp(&b.name));
    let contact_log = sqlx::query_as::<_, (i64, Date, String)>(
        "SELECT id, on_date, channel FROM case_contact WHERE case_id = $1 ORDER BY on_date, id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?
    .into_iter()
    .filter_map(|(id, on, channel)| {
        Some(Contact {
            id,
            on,
            channel: Channel::parse(&channel)?,
        })
    })
    .collect();
    let rows: Vec<(i64, String, i64, String)> = sqlx::query_as(
        "SELECT id, created_at, author_id, body FROM case_note WHERE case_id = $1
         ORDER BY created_at, id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?;
    let authors: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let names = sozialatlas_accounts::display_names(pool, &authors).await?;
    let notes = rows
        .into_iter()
        .map(|(id, at, author, body)| Note {
            id,
            at,
            author: names.get(&author).cloned().unwrap_or_default(),
            body,
        })
        .collect();
    let followups = sqlx::query_as::<_, (i64, Date, String, Option<Date>)>(
        "SELECT id, due_on, what, done_on FROM case_followup WHERE case_id = $1 ORDER BY due_on, id",
    )
    .bind(case)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(id, due_on, what, done_on)| Followup {
        id,
        due_on,
        what,
        done_on,
    })
    .collect();
    let identity = match read_identity(pool, key, case).await? {
        None => match erased_on.and_then(|s| Date::parse(&s).ok()) {
            Some(on) => IdentityState::Erased { on },
            None => IdentityState::None,
        },
        Some(Ok((identity, encrypted))) => IdentityState::Present {
            identity,
            encrypted,
        },
        Some(Err(e)) => IdentityState::Unreadable {
            reason: e.to_string(),
            reason_de: e.de(),
        },
    };
    Ok(CaseDetail {
        office_name,
        action_area,
        close_reason: close_reason.and_then(|s| CloseReason::parse(&s)),
        specialists,
        contact_log,
        notes,
        followups,
        referrals: referrals_of(pool, case).await?,
        identity,
        summary,
    })
}

async fn require_open(pool: &Pool, case: &str) -> Result<()> {
    let closed: Option<String> =
        sqlx::query_scalar("SELECT closed_on FROM office_case WHERE id = $1")
            .bind(case)
            .fetch_one(pool)
            .await?;
    match closed {
        Some(d) => Err(OfficeError::invalid(
            "case",
            format!("the case was closed on {d}; reopen it first"),
            format!(
                "der Fall ist seit {} abgeschlossen; bitte zuerst wieder öffnen",
                Date::parse(&d).map_or(d.clone(), Date::de)
            ),
        )),
        None => Ok(()),
    }
}

/// Logs a contact.
pub async fn add_contact(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    on: &str,
    channel: &str,
) -> Result<()> {
    case_office(pool, actor, case).await?;
    require_open(pool, case).await?;
    let today = Date::today();
    let on = parse_date("contact_on", on, Some(today))?;
    if on > today {
        return Err(OfficeError::future_date("contact_on", today, on));
    }
    let channel = Channel::parse(channel.trim()).ok_or_else(|| {
        OfficeError::invalid(
            "channel",
            format!(
                "expected one of {}, found „{}“",
                Channel::ALL.map(Channel::as_str).join(", "),
                clean_id(channel)
            ),
            "bitte einen Kontaktweg aus der Liste wählen",
        )
    })?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = sozialatlas_store::next_id(&mut tx, "case_contact").await?;
    sqlx::query(
        "INSERT INTO case_contact (id, case_id, on_date, channel, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(case)
    .bind(on.to_string())
    .bind(channel.as_str())
    .bind(actor.user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.contact",
        &format!("case:{case}"),
        "",
    )
    .await
}

/// Adds a short note (at most 1,000 characters).
pub async fn add_note(pool: &Pool, actor: &Actor, case: &str, body: &str) -> Result<()> {
    case_office(pool, actor, case).await?;
    let body = text("note", body, true, 1000)?.unwrap_or_default();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = sozialatlas_store::next_id(&mut tx, "case_note").await?;
    sqlx::query(
        "INSERT INTO case_note (id, case_id, created_at, author_id, body) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(case)
    .bind(now_rfc3339())
    .bind(actor.user_id)
    .bind(&body)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.note",
        &format!("case:{case}"),
        "",
    )
    .await
}

/// Adds a follow-up with its due date.
pub async fn add_followup(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    due: &str,
    what: &str,
) -> Result<()> {
    case_office(pool, actor, case).await?;
    require_open(pool, case).await?;
    let due = parse_date("followup_due", due, None)?;
    let what = text("followup_what", what, true, 200)?.unwrap_or_default();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let id = sozialatlas_store::next_id(&mut tx, "case_followup").await?;
    sqlx::query(
        "INSERT INTO case_followup (id, case_id, due_on, what, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(case)
    .bind(due.to_string())
    .bind(&what)
    .bind(actor.user_id)
    .bind(now_rfc3339())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.followup",
        &format!("case:{case}"),
        &format!("due {due}"),
    )
    .await
}

/// Marks a follow-up done today.
pub async fn complete_followup(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    followup: i64,
) -> Result<()> {
    case_office(pool, actor, case).await?;
    let done: Option<Option<String>> =
        sqlx::query_scalar("SELECT done_on FROM case_followup WHERE id = $1 AND case_id = $2")
            .bind(followup)
            .bind(case)
            .fetch_optional(pool)
            .await?;
    match done {
        None => return Err(OfficeError::NotFound(format!("follow-up {followup}"))),
        Some(Some(d)) => {
            return Err(OfficeError::invalid(
                "followup",
                format!("the follow-up was done on {d} already"),
                format!(
                    "die Wiedervorlage ist schon am {} erledigt worden",
                    Date::parse(&d).map_or(d.clone(), Date::de)
                ),
            ));
        }
        Some(None) => {}
    }
    sqlx::query("UPDATE case_followup SET done_on = $3 WHERE id = $1 AND case_id = $2")
        .bind(followup)
        .bind(case)
        .bind(Date::today().to_string())
        .execute(pool)
        .await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.followup_done",
        &format!("case:{case}"),
        &format!("follow-up {followup}"),
    )
    .await
}

/// Replaces the topics of a case.
pub async fn set_topics(pool: &Pool, actor: &Actor, case: &str, topics: &[String]) -> Result<()> {
    case_office(pool, actor, case).await?;
    // Retired topics a case already has may stay.
    let current: Vec<String> =
        sqlx::query_scalar("SELECT topic_code FROM case_topic WHERE case_id = $1")
            .bind(case)
            .fetch_all(pool)
            .await?;
    let new_ones: Vec<String> = topics
        .iter()
        .filter(|t| !current.contains(t))
        .cloned()
        .collect();
    if !new_ones.is_empty() {
        check_topics(pool, &new_ones).await?;
    }
    let keep: Vec<&String> = topics.iter().filter(|t| !t.trim().is_empty()).collect();
    if keep.is_empty() {
        return Err(OfficeError::invalid(
            "topics",
            "choose at least one topic",
            "bitte mindestens ein Thema wählen",
        ));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query("DELETE FROM case_topic WHERE case_id = $1")
        .bind(case)
        .execute(&mut *tx)
        .await?;
    let mut seen = Vec::new();
    for t in keep {
        if seen.contains(&t) {
            continue;
        }
        seen.push(t);
        sqlx::query("INSERT INTO case_topic (case_id, topic_code) VALUES ($1, $2)")
            .bind(case)
            .bind(t.trim())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.topics",
        &format!("case:{case}"),
        "",
    )
    .await
}

/// Hands the responsibility to another staff member of the office.
pub async fn set_owner(pool: &Pool, actor: &Actor, case: &str, owner: i64) -> Result<()> {
    let office = case_office(pool, actor, case).await?;
    require_colleague(pool, "owner", office, owner).await?;
    sqlx::query("UPDATE office_case SET owner_id = $2 WHERE id = $1")
        .bind(case)
        .bind(owner)
        .execute(pool)
        .await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.owner",
        &format!("case:{case}"),
        &format!("user:{owner}"),
    )
    .await
}

/// Assigns a specialist (a staff member of the office) with their field.
pub async fn assign_specialist(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    user: i64,
    field: &str,
) -> Result<()> {
    let office = case_office(pool, actor, case).await?;
    require_colleague(pool, "specialist", office, user).await?;
    let field = text("field", field, true, 80)?.unwrap_or_default();
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query("DELETE FROM case_specialist WHERE case_id = $1 AND user_id = $2")
        .bind(case)
        .bind(user)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO case_specialist (case_id, user_id, field) VALUES ($1, $2, $3)")
        .bind(case)
        .bind(user)
        .bind(&field)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.specialist",
        &format!("case:{case}"),
        &format!("user:{user}"),
    )
    .await
}

/// Removes a specialist from a case.
pub async fn remove_specialist(pool: &Pool, actor: &Actor, case: &str, user: i64) -> Result<()> {
    case_office(pool, actor, case).await?;
    sqlx::query("DELETE FROM case_specialist WHERE case_id = $1 AND user_id = $2")
        .bind(case)
        .bind(user)
        .execute(pool)
        .await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.specialist_removed",
        &format!("case:{case}"),
        &format!("user:{user}"),
    )
    .await
}

/// Closes a case. Referrals keep running at the partner agency; the owner stays responsible
/// for following them up. Open follow-ups are closed with it.
pub async fn close_case(
    pool: &Pool,
    actor: &Actor,
    case: &str,
    closed_on: &str,
    reason: &str,
) -> Result<()> {
    case_office(pool, actor, case).await?;
    require_open(pool, case).await?;
    let today = Date::today();
    let on = parse_date("closed_on", closed_on, Some(today))?;
    let opened: String = sqlx::query_scalar("SELECT opened_on FROM office_case WHERE id = $1")
        .bind(case)
        .fetch_one(pool)
        .await?;
    if on > today || on.to_string() < opened {
        return Err(OfficeError::invalid(
            "closed_on",
            format!("expected a date from {opened} to {today}, found {on}"),
            format!(
                "erwartet wird ein Datum vom {} bis heute ({}), angegeben ist der {}",
                Date::parse(&opened).map_or(opened.clone(), Date::de),
                today.de(),
                on.de()
            ),
        ));
    }
    let reason = CloseReason::parse(reason.trim()).ok_or_else(|| {
        OfficeError::invalid(
            "close_reason",
            format!(
                "expected one of {}, found „{}“",
                CloseReason::ALL.map(CloseReason::as_str).join(", "),
                clean_id(reason)
            ),
            "bitte einen Grund aus der Liste wählen",
        )
    })?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    sqlx::query("UPDATE office_case SET closed_on = $2, close_reason = $3 WHERE id = $1")
        .bind(case)
        .bind(on.to_string())
        .bind(reason.as_str())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE case_followup SET done_on = $2 WHERE case_id = $1 AND done_on IS NULL")
        .bind(case)
        .bind(on.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.close",
        &format!("case:{case}"),
        reason.as_str(),
    )
    .await
}

/// Reopens a closed case (the retention clock stops; erased details stay erased).
pub async fn reopen_case(pool: &Pool, actor: &Actor, case: &str) -> Result<()> {
    case_office(pool, actor, case).await?;
    sqlx::query("UPDATE office_case SET closed_on = NULL, close_reason = NULL WHERE id = $1")
        .bind(case)
        .execute(pool)
        .await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.reopen",
        &format!("case:{case}"),
        "",
    )
    .await
}

/// An open follow-up in the due list.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DueItem {
    /// Case id.
    pub case_id: String,
    /// Follow-up id.
    pub followup_id: i64,
    /// Due on.
    pub due_on: Date,
    /// What.
    pub what: String,
    /// The case owner's name.
    pub owner_name: String,
    /// The owner's account id.
    pub owner_id: i64,
    /// Overdue (due before today).
    pub overdue: bool,
}

/// Open follow-ups of open cases in an office the actor works in, due on or before `until`,
/// earliest first.
pub async fn due_list(
    pool: &Pool,
    actor: &Actor,
    office: i64,
    until: Date,
) -> Result<Vec<DueItem>> {
    require_staff_of(pool, actor, office).await?;
    let today = Date::today();
    let rows = sqlx::query_as::<_, (String, i64, Date, String, i64)>(
        "SELECT f.case_id, f.id, f.due_on, f.what, c.owner_id
         FROM case_followup f JOIN office_case c ON c.id = f.case_id
         WHERE c.office_id = $1 AND c.closed_on IS NULL AND f.done_on IS NULL AND f.due_on <= $2
         ORDER BY f.due_on, f.case_id",
    )
    .bind(office)
    .bind(until.to_string())
    .fetch_all(pool)
    .await?;
    let owners: Vec<i64> = rows.iter().map(|r| r.4).collect();
    let names = sozialatlas_accounts::display_names(pool, &owners).await?;
    let out: Vec<DueItem> = rows
        .into_iter()
        .map(|(case_id, followup_id, due_on, what, owner_id)| DueItem {
            case_id,
            followup_id,
            due_on,
            what,
            owner_name: names.get(&owner_id).cloned().unwrap_or_default(),
            owner_id,
            overdue: due_on < today,
        })
        .collect();
    audit::log(
        pool,
        actor.audit_id(),
        "office.case.due_list",
        &format!("office:{office}"),
        &format!("{} due", out.len()),
    )
    .await?;
    Ok(out)
}
