//! The office statistics in the atlas: a view the atlas reads, not data it stores.
//!
//! When the server starts (and whenever it builds its atlas), [`extend_snapshot`] adds a
//! dimension „Aktionsbüros“ with indicators (new cases, contacts, new cases per topic) to the
//! published atlas, with one value per action area and completed calendar year, and the city
//! value for all offices. The values are those of [`crate::stats::public_statistics`]: already
//! suppressed, and a suppressed value enters the atlas without its number (state
//! `suppressed`, value `None`), so no later step can print it. An action area appears on the
//! map when it is one area of the atlas (its set's level, a single member — the case for
//! overlay sets such as Dortmund's Aktionsräume and for typology sets); an action area made of
//! several atlas areas is shown on its office pages only, never spread over its members.
//!
//! Only completed years are published: a running year's count would change with every new
//! case and so give away single cases by difference.

use crate::date::Date;
use crate::stats::{Measure, Period, Shown, Unit, public_statistics};
use crate::{Pool, Result};
use sozialatlas_core::catalogue::{
    Dimension, Formula, Indicator, Polarity, Variable, VariableKind,
};
use sozialatlas_core::compute::Basis;
use sozialatlas_core::{IndicatorValue, Text, ValueState};
use sozialatlas_store::Snapshot;
use std::collections::HashMap;

/// The dimension id of the office indicators.
pub const DIMENSION: &str = "aktionsbueros";

/// The indicator id of a measure (`office_cases`, `office_contacts`, `office_cases_housing`).
pub fn indicator_id(m: &Measure) -> String {
    match m {
        Measure::Cases => "office_cases".into(),
        Measure::Contacts => "office_contacts".into(),
        Measure::Topic { code, .. } => format!("office_cases_{code}"),
    }
}

/// Where an action area shows in the atlas: the area index, if it is one area of the atlas.
pub async fn atlas_area(pool: &Pool, snap: &Snapshot, action_area: i64) -> Result<Option<usize>> {
    let mut conn = pool.acquire().await?;
    let Some(area) = sozialatlas_store::placed_action_area(&mut conn, action_area).await? else {
        return Ok(None);
    };
    let [key] = area.members.as_slice() else {
        return Ok(None);
    };
    Ok(snap
        .tree
        .level_index(&area.level)
        .and_then(|l| snap.tree.find(l, key)))
}

/// The atlas with the office indicators added (unchanged when no office has published
/// figures yet).
pub async fn extend_snapshot(pool: &Pool, snap: Snapshot, today: Date) -> Result<Snapshot> {
    let stats = public_statistics(pool, today).await?;
    if stats.years.is_empty() || stats.areas.is_empty() {
        return Ok(snap);
    }
    let mut area_index: HashMap<i64, usize> = HashMap::new();
    for a in &stats.areas {
        if let Some(i) = atlas_area(pool, &snap, a.id).await? {
            area_index.insert(a.id, i);
        }
    }
    let example: bool = sqlx::query("SELECT 1 FROM office WHERE is_example")
        .fetch_optional(pool)
        .await?
        .is_some();
    let Snapshot {
        load,
        meta,
        settings,
        mut catalogue,
        tree,
        geometries,
        mut values,
        texts,
        unassigned,
        addresses,
        ..
    } = snap;
    if catalogue.dimension(DIMENSION).is_none() {
        catalogue.dimensions.push(Dimension {
            id: DIMENSION.into(),
            name: Text::new("Aktionsbüros", "Action offices"),
            description: Some(Text::new(
                "Neue Fälle und Kontakte der Aktionsbüros in den Aktionsräumen, je Kalenderjahr; kleine Zahlen sind geheim gehalten.",
                "New cases and contacts of the action offices in the action areas, per calendar year; small numbers are withheld.",
            )),
        });
    }
    let source = "Aktionsbüros: Kontakt- und Vermittlungsdokumentation (Sozialatlas)".to_string();
    let notes = Text::new(
        format!(
            "Zählung je Aktionsraum des Wohnorts; die Stadt umfasst alle Fälle der Aktionsbüros. Werte unter {t} und Werte, aus denen sie sich errechnen ließen, werden nicht veröffentlicht. Nur abgeschlossene Kalenderjahre.{ex}",
            t = stats.threshold,
            ex = if example {
                " Enthält Beispielinhalte: synthetische Fälle des Demo-Aktionsbüros."
            } else {
                ""
            }
        ),
        format!(
            "Counted by the action area of residence; the city covers all cases of the offices. Values below {t}, and values from which they could be computed, are withheld. Completed calendar years only.{ex}",
            t = stats.threshold,
            ex = if example {
                " Contains example content: synthetic cases of the demo office."
            } else {
                ""
            }
        ),
    );
    let root = tree.root();
    for (mi, m) in stats.measures.iter().enumerate() {
        let id = indicator_id(m);
        if catalogue.indicator(&id).is_some() {
            continue;
        }
        let (name, var_name, definition) = match m {
            Measure::Cases => (
                Text::new(
                    "Neue Fälle der Aktionsbüros",
                    "New cases of the action offices",
                ),
                Text::new("Neue Fälle (Aktionsbüros)", "New cases (action offices)"),
                Text::new(
                    "Fälle, die ein Aktionsbüro im Jahr neu aufgenommen hat, nach dem Aktionsraum, in dem die Person wohnt.",
                    "Cases an action office opened in the year, by the action area the person lives in.",
                ),
            ),
            Measure::Contacts => (
                Text::new(
                    "Kontakte der Aktionsbüros",
                    "Contacts of the action offices",
                ),
                Text::new("Kontakte (Aktionsbüros)", "Contacts (action offices)"),
                Text::new(
                    "Kontakte (Sprechstunde, Termin, Telefon, schriftlich, aufsuchend) der Aktionsbüros im Jahr.",
                    "Contacts (walk-in, appointment, phone, written, outreach) of the action offices in the year.",
                ),
            ),
            Measure::Topic {
                label_de, label_en, ..
            } => (
                Text::new(
                    format!("Neue Fälle der Aktionsbüros: {label_de}"),
                    format!("New cases of the action offices: {label_en}"),
                ),
                Text::new(
                    format!("Neue Fälle mit Thema {label_de}"),
                    format!("New cases on {label_en}"),
                ),
                Text::new(
                    format!(
                        "Neu aufgenommene Fälle mit dem Thema „{label_de}“ (ein Fall kann mehrere Themen haben)."
                    ),
                    format!(
                        "Newly opened cases with the topic “{label_en}” (a case may have several topics)."
                    ),
                ),
            ),
        };
        catalogue.variables.push(Variable {
            id: id.clone(),
            name: var_name,
            kind: VariableKind::Count,
            additive: true,
            sum: Vec::new(),
            unit: Some(if matches!(m, Measure::Contacts) {
                "Kontakte".into()
            } else {
                "Fälle".into()
            }),
            source: Some(source.clone()),
            reference_date: Some("Kalenderjahr".into()),
            suppression_threshold: Some(stats.threshold),
        });
        let index = catalogue.indicators.len();
        catalogue.indicators.push(Indicator {
            id: id.clone(),
            name,
            dimension: DIMENSION.into(),
            unit: if matches!(m, Measure::Contacts) {
                "Kontakte".into()
            } else {
                "Fälle".into()
            },
            formula: Formula::Count {
                variable: id.clone(),
            },
            polarity: Polarity::Neutral,
            decimals: Some(0),
            definition: Some(definition),
            source: Some(source.clone()),
            reference_date: Some("Kalenderjahr".into()),
            notes: Some(notes.clone()),
            in_typology: true,
        });
        for &year in &stats.years {
            let period = Period {
                year,
                quarter: None,
            };
            let mut put = |area: usize, shown: Shown| {
                let (value, state) = match shown {
                    Shown::Value(v) => (Some(v as f64), ValueState::Ok),
                    Shown::Suppressed => (None, ValueState::Suppressed),
                };
                values.push(IndicatorValue {
                    indicator: index,
                    area,
                    period: year,
                    value,
                    numerator: value,
                    denominator: None,
                    state,
                    ci: None,
                    low_population: false,
                    // Counted for the action area itself, not summed from its members.
                    basis: Basis::Official,
                });
            };
            for a in &stats.areas {
                if let (Some(&ai), Some(shown)) = (
                    area_index.get(&a.id),
                    stats.get(Unit::Area(a.id), period, mi),
                ) {
                    put(ai, shown);
                }
            }
            if let (Some(r), Some(shown)) = (root, stats.get(Unit::Total, period, mi)) {
                put(r, shown);
            }
        }
    }
    values.sort_by_key(|v| (v.indicator, v.period, v.area));
    let mut snap = Snapshot::new(load, meta, settings, catalogue, tree, geometries, values);
    snap.texts = texts;
    snap.addresses = addresses;
    Ok(snap.with_unassigned(unassigned))
}
