//! Action-area sets (Aktionsräume) as values: where a set comes from, its action areas and
//! their member areas. Stored and read by `sozialatlas_store::action_areas`; checked against a
//! [`Snapshot`](crate::Snapshot) by `sozialatlas_runs::check_action_areas`.

use serde::{Deserialize, Serialize};

/// Where a set comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionAreaSource {
    /// An overlay level of the atlas (e.g. Dortmund's Aktionsräume).
    Overlay,
    /// A confirmed typology proposal (with its run).
    Typology,
    /// Drawn up by hand.
    Manual,
}

impl ActionAreaSource {
    /// `overlay`, `typology` or `manual` (the stored form).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionAreaSource::Overlay => "overlay",
            ActionAreaSource::Typology => "typology",
            ActionAreaSource::Manual => "manual",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "overlay" => Some(ActionAreaSource::Overlay),
            "typology" => Some(ActionAreaSource::Typology),
            "manual" => Some(ActionAreaSource::Manual),
            _ => None,
        }
    }
}

/// An action area to be saved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewActionArea {
    /// Key, unique within the set.
    pub key: String,
    /// Name shown to people.
    pub name: String,
    /// Area keys of the set's level.
    pub members: Vec<String>,
}

/// A stored action area.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionArea {
    /// Id (unique over all sets).
    pub id: i64,
    /// Key, unique within the set.
    pub key: String,
    /// Name.
    pub name: String,
    /// Area keys of the set's level, sorted.
    pub members: Vec<String>,
}

/// A stored set of action areas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionAreaSet {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Level id of every member.
    pub level: String,
    /// Where it comes from.
    pub source: ActionAreaSource,
    /// The typology run it was confirmed from.
    pub run_id: Option<i64>,
    /// A note.
    pub note: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
    /// Who saved it.
    pub created_by: Option<String>,
    /// The action areas, by key.
    pub areas: Vec<ActionArea>,
}
