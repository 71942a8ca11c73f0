//! Example content for the embedded demo: one action office in an action area of the demo
//! atlas (public page with address and opening hours, marked as example content), a few partner
//! agencies, and enough clearly synthetic cases over the past years for the statistics to show
//! (most topic cells still end up suppressed, as they would in reality).
//!
//! Never run against a real store: everything it creates is flagged `is_example`, names say
//! „Beispiel“, and it refuses to run when offices exist already.

use crate::cases::{Channel, CloseReason, new_case_id};
use crate::crypto::OfficeKey;
use crate::date::Date;
use crate::{OfficeError, Pool, Result, audit, now_rfc3339};

/// What the demo seeding made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    /// The office's id.
    pub office_id: i64,
    /// Its URL name.
    pub slug: String,
    /// The action area it serves.
    pub action_area_id: i64,
    /// Number of example cases.
    pub cases: usize,
}

/// A small deterministic generator (xorshift64*): the demo is the same on every start.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn weighted<'a, T>(&mut self, items: &'a [(T, u64)]) -> &'a T {
        let total: u64 = items.iter().map(|i| i.1).sum();
        let mut x = self.below(total);
        for (t, w) in items {
            if x < *w {
                return t;
            }
            x -= w;
        }
        &items[0].0
    }
}

/// The action area for the demo office: in the current action-area set, the one containing
/// `prefer` (level, key) if any, else its first; without any set, a set of example action
/// areas on `level` is made from `fallback` (key, name) pairs.
pub async fn demo_action_area(
    pool: &Pool,
    prefer: (&str, &str),
    fallback: &[(&str, &str)],
) -> Result<i64> {
    if let Some(set) = sozialatlas_store::current_action_area_set(pool)
        .await
        .map_err(|e| OfficeError::Audit(e.to_string()))?
    {
        let pick = set
            .areas
            .iter()
            .find(|a| set.level == prefer.0 && a.members.iter().any(|m| m == prefer.1))
            .or(set.areas.first());
        if let Some(a) = pick {
            return Ok(a.id);
        }
    }
    let areas: Vec<sozialatlas_store::NewActionArea> = fallback
        .iter()
        .map(|(key, name)| sozialatlas_store::NewActionArea {
            key: key.to_string(),
            name: name.to_string(),
            members: vec![key.to_string()],
        })
        .collect();
    let set_id = sozialatlas_store::save_action_area_set(
        pool,
        "Aktionsräume (Beispiel)",
        prefer.0,
        sozialatlas_store::ActionAreaSource::Manual,
        None,
        Some("Beispielinhalt: Aktionsräume der Demo"),
        None,
        &areas,
    )
    .await
    .map_err(|e| OfficeError::Audit(e.to_string()))?;
    let set = sozialatlas_store::get_action_area_set(pool, set_id)
        .await
        .map_err(|e| OfficeError::Audit(e.to_string()))?
        .ok_or_else(|| OfficeError::NotFound("the demo action-area set".into()))?;
    set.areas
        .iter()
        .find(|a| a.members.iter().any(|m| m == prefer.1))
        .or(set.areas.first())
        .map(|a| a.id)
        .ok_or_else(|| OfficeError::NotFound("an action area for the demo office".into()))
}

const PARTNERS: [(&str, &str); 6] = [
    (
        "Schuldner- und Insolvenzberatung (Beispiel)",
        "Schuldnerberatung",
    ),
    ("Mieterverein (Beispiel)", "Wohnen"),
    ("Jobcenter – Fallmanagement (Beispiel)", "Arbeit"),
    ("Erziehungs- und Familienberatung (Beispiel)", "Familie"),
    ("Migrationsberatung für Erwachsene (Beispiel)", "Migration"),
    ("Sozialpsychiatrischer Dienst (Beispiel)", "Gesundheit"),
];

/// Seeds the example office with its cases. `staff` are the office's staff accounts (the
/// first owns most cases); `key` encrypts the few example identities when configured.
pub async fn seed_demo(
    pool: &Pool,
    today: Date,
    action_area: i64,
    staff: &[i64],
    key: Option<&OfficeKey>,
) -> Result<DemoSummary> {
    if sqlx::query("SELECT 1 FROM office")
        .fetch_optional(pool)
        .await?
        .is_some()
    {
        return Err(OfficeError::invalid(
            "demo",
            "the store has offices already; example content goes only into an empty store",
            "es gibt schon Büros; Beispielinhalte nur in einen leeren Speicher",
        ));
    }
    let Some(&owner) = staff.first() else {
        return Err(OfficeError::invalid(
            "demo",
            "no staff account for the demo office",
            "kein Konto für das Beispielbüro",
        ));
    };
    let area_name = {
        let mut conn = pool.acquire().await?;
        sozialatlas_store::placed_action_area(&mut conn, action_area)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?
            .name
    };
    let now = now_rfc3339();
    let first = Date::new(today.y - 3, 1, 1).unwrap_or(today);
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let slug = "beispiel";
    sqlx::query(
        "INSERT INTO office (id, slug, name, street, postcode, city, phone, email, opening_hours,
             accessibility, description, opened_on, is_public, is_example, created_at)
         VALUES (1, $1, $2, 'Beispielweg 1', '24939', 'Flensburg', '0461 000000 (Beispiel)',
             'aktionsbuero@example.org', $3, $4, $5, $6, TRUE, TRUE, $7)",
    )
    .bind(slug)
    .bind(format!("Aktionsbüro {area_name} (Beispiel)"))
    .bind("Montag 9–12 Uhr: offene Sprechstunde\nDienstag 14–17 Uhr\nDonnerstag 9–12 und 14–18 Uhr\nFreitag nach Vereinbarung")
    .bind("Stufenloser Eingang, barrierefreie Toilette; Beratung auch auf Englisch, Türkisch und Arabisch (Beispiel)")
    .bind(format!(
        "Beispielinhalt: ein erfundenes Aktionsbüro im Aktionsraum {area_name}. Aktionsbüros helfen allen Bewohnerinnen und Bewohnern unabhängig vom Einkommen, vermitteln die Hilfe von Fachstellen und bleiben Ansprechpartner."
    ))
    .bind(first.to_string())
    .bind(&now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO office_area (office_id, action_area_id) VALUES (1, $1)")
        .bind(action_area)
        .execute(&mut *tx)
        .await?;
    for &u in staff {
        sqlx::query("INSERT INTO office_staff (office_id, user_id, since) VALUES (1, $1, $2)")
            .bind(u)
            .bind(first.to_string())
            .execute(&mut *tx)
            .await?;
    }
    for (i, (name, kind)) in PARTNERS.iter().enumerate() {
        let known = sqlx::query("SELECT 1 FROM partner_agency WHERE name = $1")
            .bind(*name)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if known {
            continue;
        }
        let id = sozialatlas_store::next_id(&mut tx, "partner_agency").await?;
        sqlx::query(
            "INSERT INTO partner_agency (id, name, kind, contact, active, created_at)
             VALUES ($1, $2, $3, $4, TRUE, $5)",
        )
        .bind(id)
        .bind(*name)
        .bind(*kind)
        .bind(format!("Beispielstraße {}, 24937 Flensburg", i + 2))
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    let partner_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM partner_agency ORDER BY id")
        .fetch_all(&mut *tx)
        .await?;

    let topics: [(&str, u64); 8] = [
        ("income", 30),
        ("work", 22),
        ("housing", 20),
        ("debt", 14),
        ("family", 12),
        ("health", 9),
        ("migration", 8),
        ("education", 5),
    ];
    let channels: [(Channel, u64); 6] = [
        (Channel::WalkIn, 40),
        (Channel::Appointment, 20),
        (Channel::Phone, 18),
        (Channel::Written, 6),
        (Channel::Outreach, 9),
        (Channel::ReferredIn, 7),
    ];
    let reasons: [(CloseReason, u64); 5] = [
        (CloseReason::Resolved, 50),
        (CloseReason::HandedOver, 25),
        (CloseReason::NoContact, 15),
        (CloseReason::Moved, 5),
        (CloseReason::Other, 5),
    ];
    let notes = [
        "Beispielfall (synthetisch): Fragen zum Bürgergeld-Antrag, Unterlagen besprochen.",
        "Beispielfall (synthetisch): Mietrückstand, Kontakt zum Vermieter vereinbart.",
        "Beispielfall (synthetisch): sucht Arbeit in Teilzeit, Termin beim Fallmanagement.",
        "Beispielfall (synthetisch): Stromsperre angedroht, Ratenzahlung vorbereitet.",
        "Beispielfall (synthetisch): Kita-Platz gesucht, Kontakt zur Familienberatung.",
        "Beispielfall (synthetisch): Anerkennung eines Berufsabschlusses, Migrationsberatung.",
    ];
    let mut rng = Rng(0x5EED_0FF1_CE00_2024);
    let days = (today.days() - first.days()).max(1) as u64;
    let mut n_cases = 0usize;
    let (mut next_contact, mut next_note, mut next_follow, mut next_ref, mut next_event) =
        (1i64, 1i64, 1i64, 1i64, 1i64);
    // About 6 new cases a month.
    let total = (days / 5) as usize;
    for _ in 0..total {
        let opened = first.add_days(rng.below(days) as i64);
        let id = new_case_id();
        let channel = *rng.weighted(&channels);
        let age = today.days() - opened.days();
        let closed = (age > 45 && rng.chance(88))
            .then(|| opened.add_days(10 + rng.below(age.clamp(11, 160) as u64 - 10) as i64))
            .filter(|c| *c <= today);
        let in_area = rng.chance(85);
        let own = if staff.len() > 1 && rng.chance(30) {
            staff[1]
        } else {
            owner
        };
        sqlx::query(
            "INSERT INTO office_case (id, office_id, action_area_id, opened_on, closed_on, close_reason,
                 channel, owner_id, is_example, created_at)
             VALUES ($1, 1, $2, $3, $4, $5, $6, $7, TRUE, $8)",
        )
        .bind(&id)
        .bind(in_area.then_some(action_area))
        .bind(opened.to_string())
        .bind(closed.map(|c| c.to_string()))
        .bind(closed.map(|_| rng.weighted(&reasons).as_str()))
        .bind(channel.as_str())
        .bind(own)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let k = 1 + rng.below(3) as usize;
        let mut chosen: Vec<&str> = Vec::new();
        while chosen.len() < k {
            let t = *rng.weighted(&topics);
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for t in &chosen {
            sqlx::query("INSERT INTO case_topic (case_id, topic_code) VALUES ($1, $2)")
                .bind(&id)
                .bind(*t)
                .execute(&mut *tx)
                .await?;
        }
        let end = closed.unwrap_or(today);
        let span = (end.days() - opened.days()).max(0) as u64;
        let mut contact_days = vec![0u64];
        for _ in 0..rng.below(5) {
            contact_days.push(rng.below(span + 1));
        }
        contact_days.sort_unstable();
        for d in contact_days {
            let ch = if d == 0 {
                channel
            } else {
                *rng.weighted(&channels)
            };
            sqlx::query(
                "INSERT INTO case_contact (id, case_id, on_date, channel, created_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(next_contact)
            .bind(&id)
            .bind(opened.add_days(d as i64).to_string())
            .bind(ch.as_str())
            .bind(own)
            .execute(&mut *tx)
            .await?;
            next_contact += 1;
        }
        sqlx::query(
            "INSERT INTO case_note (id, case_id, created_at, author_id, body) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(next_note)
        .bind(&id)
        .bind(format!("{opened}T10:00:00Z"))
        .bind(own)
        .bind(notes[rng.below(notes.len() as u64) as usize])
        .execute(&mut *tx)
        .await?;
        next_note += 1;
        if closed.is_none() {
            let due = today.add_days(rng.below(28) as i64 - 7);
            sqlx::query(
                "INSERT INTO case_followup (id, case_id, due_on, what, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(next_follow)
            .bind(&id)
            .bind(due.to_string())
            .bind("Beispiel: Rückmeldung einholen")
            .bind(own)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            next_follow += 1;
        }
        if rng.chance(22) && !partner_ids.is_empty() {
            let partner = partner_ids[rng.below(partner_ids.len() as u64) as usize];
            let state = if closed.is_some() {
                *rng.weighted(&[
                    ("done", 60),
                    ("rejected", 15),
                    ("revoked", 5),
                    ("accepted", 20),
                ])
            } else {
                *rng.weighted(&[("in_progress", 60), ("accepted", 40)])
            };
            sqlx::query(
                "INSERT INTO referral (id, case_id, agency_id, purpose, consent_given_on, consent_scope,
                     consent_revoked_on, state, created_at, created_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)",
            )
            .bind(next_ref)
            .bind(&id)
            .bind(partner)
            .bind("Beispiel: Beratung durch die Fachstelle")
            .bind(opened.to_string())
            .bind("Beispiel: Name und Telefonnummer an die Fachstelle")
            .bind((state == "revoked").then(|| end.to_string()))
            .bind(state)
            .bind(format!("{opened}T11:00:00Z"))
            .bind(own)
            .execute(&mut *tx)
            .await?;
            for s in std::iter::once("in_progress").chain((state != "in_progress").then_some(state))
            {
                sqlx::query(
                    "INSERT INTO referral_event (id, referral_id, at, actor_id, state) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(next_event)
                .bind(next_ref)
                .bind(format!("{opened}T11:00:00Z"))
                .bind(own)
                .bind(s)
                .execute(&mut *tx)
                .await?;
                next_event += 1;
            }
            next_ref += 1;
        }
        // A few recent open cases keep (synthetic) identifying details.
        if closed.is_none() && age < 60 && rng.chance(50) {
            let identity = crate::cases::Identity {
                name: format!("Beispielperson {}", n_cases + 1),
                contact: "0461 000000 (synthetisch)".into(),
            };
            let json = serde_json::to_string(&identity).unwrap_or_default();
            let (scheme, key_id, nonce, data) = match key {
                Some(k) => {
                    let (n, c) = k.seal(&id, json.as_bytes());
                    (crate::crypto::SCHEME, Some(k.id().to_string()), Some(n), c)
                }
                None => ("plain", None, None, json),
            };
            sqlx::query(
                "INSERT INTO case_identity (case_id, scheme, key_id, nonce, data, updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(scheme)
            .bind(key_id)
            .bind(nonce)
            .bind(data)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        n_cases += 1;
    }
    tx.commit().await?;
    audit::log(
        pool,
        None,
        "office.demo.seed",
        "office:1",
        &format!("{n_cases} example cases"),
    )
    .await?;
    Ok(DemoSummary {
        office_id: 1,
        slug: slug.into(),
        action_area_id: action_area,
        cases: n_cases,
    })
}

/// After the demo's participation example has made a newer action-area set current, the
/// example office also serves that set's action area containing `prefer` (level, key), so that
/// the area's participation page names the office too. Returns the action area added, or
/// `None` when there is no example office, no current set, no such area, or it is served already.
pub async fn follow_current_set(pool: &Pool, prefer: (&str, &str)) -> Result<Option<i64>> {
    let Some(set) = sozialatlas_store::current_action_area_set(pool)
        .await
        .map_err(|e| OfficeError::Audit(e.to_string()))?
    else {
        return Ok(None);
    };
    let Some(area) = set
        .areas
        .iter()
        .find(|a| set.level == prefer.0 && a.members.iter().any(|m| m == prefer.1))
    else {
        return Ok(None);
    };
    let added = sqlx::query(
        "INSERT INTO office_area (office_id, action_area_id)
         SELECT o.id, $1 FROM office o
         WHERE o.is_example AND NOT EXISTS
             (SELECT 1 FROM office_area x WHERE x.office_id = o.id AND x.action_area_id = $1)",
    )
    .bind(area.id)
    .execute(pool)
    .await?
    .rows_affected();
    Ok((added > 0).then_some(area.id))
}
