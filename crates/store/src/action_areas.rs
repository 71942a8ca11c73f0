//! Action-area sets (Aktionsräume): the areas a city concentrates its social-space work on.
//!
//! A set is one version of "the action areas": imported from an overlay of the atlas, confirmed
//! from a typology proposal, or drawn up by hand. Sets are never edited in place — saving edits
//! makes a new set — so that every decision stays traceable; the newest set is current. Members
//! are area keys of the set's level; they refer to the atlas by (level, key), which survive
//! reloads. Whether the keys exist in the atlas is checked by the caller against its
//! `Snapshot` (`sozialatlas_runs::check_action_areas`), since a set outlives any one load.

use crate::{Pool, StoreError};
use serde::Serialize;
pub use sozialatlas_model::action_areas::{
    ActionArea, ActionAreaSet, ActionAreaSource, NewActionArea,
};
use std::collections::HashSet;

fn invalid(msg: String) -> StoreError {
    StoreError::Invalid(msg)
}

/// Saves a new set in one transaction; returns its id. Refuses an empty set, an empty or
/// duplicate key, an action area without members, a member in two action areas, and a run id
/// that is not a stored run.
#[allow(clippy::too_many_arguments)]
pub async fn save_action_area_set(
    pool: &Pool,
    name: &str,
    level: &str,
    source: ActionAreaSource,
    run_id: Option<i64>,
    note: Option<&str>,
    created_by: Option<&str>,
    areas: &[NewActionArea],
) -> Result<i64, StoreError> {
    if name.trim().is_empty() {
        return Err(invalid("the set needs a name".into()));
    }
    if level.trim().is_empty() {
        return Err(invalid("the set needs a level".into()));
    }
    if areas.is_empty() {
        return Err(invalid(
            "a set of action areas needs at least one action area".into(),
        ));
    }
    let mut keys = HashSet::new();
    let mut members = HashSet::new();
    for a in areas {
        if a.key.trim().is_empty() {
            return Err(invalid(format!(
                "action area `{}` has an empty key",
                a.name
            )));
        }
        if !keys.insert(a.key.as_str()) {
            return Err(invalid(format!(
                "the key `{}` is used by two action areas",
                a.key
            )));
        }
        if a.name.trim().is_empty() {
            return Err(invalid(format!("action area `{}` has no name", a.key)));
        }
        if a.members.is_empty() {
            return Err(invalid(format!(
                "action area `{}` has no member areas",
                a.key
            )));
        }
        for m in &a.members {
            if !members.insert(m.as_str()) {
                return Err(invalid(format!(
                    "area `{m}` is a member of two action areas (or listed twice)"
                )));
            }
        }
    }
    let mut tx = crate::begin_write(pool).await?;
    if let Some(run) = run_id {
        let found = sqlx::query("SELECT id FROM analysis_run WHERE id = $1")
            .bind(run)
            .fetch_optional(&mut *tx)
            .await?;
        if found.is_none() {
            return Err(invalid(format!("there is no stored run {run}")));
        }
    }
    let set_id = crate::next_id(&mut tx, "action_area_set").await?;
    sqlx::query(
        "INSERT INTO action_area_set (id, name, level, source, run_id, note, created_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(set_id)
    .bind(name.trim())
    .bind(level)
    .bind(source.as_str())
    .bind(run_id)
    .bind(note.map(str::trim).filter(|n| !n.is_empty()))
    .bind(crate::clock::now_rfc3339())
    .bind(created_by)
    .execute(&mut *tx)
    .await?;
    for a in areas {
        let area_id = crate::next_id(&mut tx, "action_area").await?;
        sqlx::query("INSERT INTO action_area (id, set_id, key, name) VALUES ($1, $2, $3, $4)")
            .bind(area_id)
            .bind(set_id)
            .bind(a.key.trim())
            .bind(a.name.trim())
            .execute(&mut *tx)
            .await?;
        for m in &a.members {
            sqlx::query(
                "INSERT INTO action_area_member (action_area_id, area_key) VALUES ($1, $2)",
            )
            .bind(area_id)
            .bind(m)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(set_id)
}

const SET_COLUMNS: &str =
    "SELECT id, name, level, source, run_id, note, created_at, created_by FROM action_area_set";

/// A set as [`SET_COLUMNS`] reads it.
#[derive(sqlx::FromRow)]
struct SetRow {
    id: i64,
    name: String,
    level: String,
    source: String,
    run_id: Option<i64>,
    note: Option<String>,
    created_at: String,
    created_by: Option<String>,
}

fn set_from_row(r: SetRow) -> Result<ActionAreaSet, StoreError> {
    Ok(ActionAreaSet {
        source: ActionAreaSource::parse(&r.source)
            .ok_or_else(|| invalid(format!("unknown action-area source `{}`", r.source)))?,
        id: r.id,
        name: r.name,
        level: r.level,
        run_id: r.run_id,
        note: r.note,
        created_at: r.created_at,
        created_by: r.created_by,
        areas: Vec::new(),
    })
}

/// Fills in the action areas of the sets (one query for all of them).
async fn with_areas(
    pool: &Pool,
    mut sets: Vec<ActionAreaSet>,
) -> Result<Vec<ActionAreaSet>, StoreError> {
    let rows: Vec<(i64, i64, String, String, Option<String>)> = sqlx::query_as(
        "SELECT a.set_id, a.id, a.key, a.name, m.area_key
         FROM action_area a LEFT JOIN action_area_member m ON m.action_area_id = a.id
         ORDER BY a.set_id, a.id, m.area_key",
    )
    .fetch_all(pool)
    .await?;
    for (set_id, id, key, name, member) in rows {
        let Some(set) = sets.iter_mut().find(|s| s.id == set_id) else {
            continue;
        };
        if set.areas.last().is_none_or(|a| a.id != id) {
            set.areas.push(ActionArea {
                id,
                key,
                name,
                members: Vec::new(),
            });
        }
        if let (Some(a), Some(m)) = (set.areas.last_mut(), member) {
            a.members.push(m);
        }
    }
    Ok(sets)
}

/// Every set with its areas, newest first.
pub async fn list_action_area_sets(pool: &Pool) -> Result<Vec<ActionAreaSet>, StoreError> {
    let rows: Vec<SetRow> = sqlx::query_as(&format!("{SET_COLUMNS} ORDER BY id DESC"))
        .fetch_all(pool)
        .await?;
    let sets = rows
        .into_iter()
        .map(set_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    with_areas(pool, sets).await
}

/// One set with its areas.
pub async fn get_action_area_set(
    pool: &Pool,
    id: i64,
) -> Result<Option<ActionAreaSet>, StoreError> {
    let Some(row) = sqlx::query_as::<_, SetRow>(&format!("{SET_COLUMNS} WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
    else {
        return Ok(None);
    };
    let set = set_from_row(row)?;
    Ok(with_areas(pool, vec![set]).await?.pop())
}

/// The current set: the newest one.
pub async fn current_action_area_set(pool: &Pool) -> Result<Option<ActionAreaSet>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM action_area_set")
        .fetch_one(pool)
        .await?;
    match id {
        Some(id) => get_action_area_set(pool, id).await,
        None => Ok(None),
    }
}

/// One action area with the set it belongs to.
pub async fn get_action_area(
    pool: &Pool,
    id: i64,
) -> Result<Option<(ActionAreaSet, ActionArea)>, StoreError> {
    let set_id: Option<i64> = sqlx::query_scalar("SELECT set_id FROM action_area WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    let Some(set_id) = set_id else {
        return Ok(None);
    };
    let Some(set) = get_action_area_set(pool, set_id).await? else {
        return Ok(None);
    };
    let area = set.areas.iter().find(|a| a.id == id).cloned();
    Ok(area.map(|a| (set, a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(key: &str, members: &[&str]) -> NewActionArea {
        NewActionArea {
            key: key.into(),
            name: format!("Aktionsraum {key}"),
            members: members.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[tokio::test]
    async fn sets_round_trip_newest_is_current() {
        let pool = crate::open_memory().await.unwrap();
        assert!(current_action_area_set(&pool).await.unwrap().is_none());
        assert!(list_action_area_sets(&pool).await.unwrap().is_empty());
        let a = save_action_area_set(
            &pool,
            "Aktionsräume 2007",
            "aktionsraum",
            ActionAreaSource::Overlay,
            None,
            Some("imported"),
            None,
            &[area("1", &["1"]), area("2", &["2"])],
        )
        .await
        .unwrap();
        let b = save_action_area_set(
            &pool,
            "Aktionsräume 2025",
            "stadtteil",
            ActionAreaSource::Manual,
            None,
            None,
            Some("planner@example.org"),
            &[area("nord", &["07", "03"]), area("sued", &["11"])],
        )
        .await
        .unwrap();
        assert!(b > a);
        let cur = current_action_area_set(&pool).await.unwrap().unwrap();
        assert_eq!(cur.id, b);
        assert_eq!(cur.source, ActionAreaSource::Manual);
        assert_eq!(cur.created_by.as_deref(), Some("planner@example.org"));
        assert_eq!(cur.areas.len(), 2);
        assert_eq!(cur.areas[0].key, "nord");
        assert_eq!(cur.areas[0].members, ["03", "07"]);
        assert!(cur.created_at.ends_with('Z'));
        let all = list_action_area_sets(&pool).await.unwrap();
        assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), [b, a]);
        assert_eq!(all[1].note.as_deref(), Some("imported"));
        assert_eq!(all[1].areas[1].members, ["2"]);
        let (set, aa) = get_action_area(&pool, cur.areas[1].id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((set.id, aa.key.as_str()), (b, "sued"));
        assert!(get_action_area(&pool, 999).await.unwrap().is_none());
        assert!(get_action_area_set(&pool, 999).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn bad_sets_are_refused_and_nothing_is_written() {
        let pool = crate::open_memory().await.unwrap();
        let save = |areas: Vec<NewActionArea>, run: Option<i64>| {
            let pool = pool.clone();
            async move {
                save_action_area_set(
                    &pool,
                    "x",
                    "stadtteil",
                    ActionAreaSource::Typology,
                    run,
                    None,
                    None,
                    &areas,
                )
                .await
                .unwrap_err()
                .to_string()
            }
        };
        assert!(save(vec![], None).await.contains("at least one"));
        assert!(
            save(vec![area("1", &["1"]), area("1", &["2"])], None)
                .await
                .contains("key `1` is used by two")
        );
        assert!(
            save(vec![area("1", &["1"]), area("2", &["1"])], None)
                .await
                .contains("area `1` is a member of two")
        );
        assert!(save(vec![area("1", &[])], None).await.contains("no member"));
        assert!(
            save(vec![area("1", &["1"])], Some(7))
                .await
                .contains("no stored run 7")
        );
        assert!(list_action_area_sets(&pool).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_typology_set_refers_to_its_run() {
        let pool = crate::open_memory().await.unwrap();
        let run = crate::save_run(
            &pool,
            &crate::StoredRun {
                id: 0,
                kind: "typology".into(),
                created_at: "2026-01-01T00:00:00Z".into(),
                load_id: 1,
                program_version: "0".into(),
                params_json: "{}".into(),
                result_json: "{}".into(),
            },
        )
        .await
        .unwrap();
        let id = save_action_area_set(
            &pool,
            "Vorschlag",
            "stadtteil",
            ActionAreaSource::Typology,
            Some(run),
            None,
            None,
            &[area("a", &["1", "2"])],
        )
        .await
        .unwrap();
        let s = get_action_area_set(&pool, id).await.unwrap().unwrap();
        assert_eq!(s.run_id, Some(run));
        assert_eq!(s.source.as_str(), "typology");
        assert_eq!(ActionAreaSource::parse("typology"), Some(s.source));
    }
}

/// An action area with the level of its set: what a crate that refers to action areas by id
/// (the action offices) needs to name and place it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlacedActionArea {
    /// Action area id (`action_area.id`).
    pub id: i64,
    /// Its key in its set.
    pub key: String,
    /// Its name.
    pub name: String,
    /// The set's atlas level.
    pub level: String,
    /// The member areas (keys on `level`), sorted.
    pub members: Vec<String>,
}

/// The action area `id` with its set's level and its members, if there is one. Takes a
/// connection, so that it can run inside the caller's transaction.
pub async fn placed_action_area(
    conn: &mut crate::Conn,
    id: i64,
) -> Result<Option<PlacedActionArea>, sqlx::Error> {
    let Some((key, name, level)) = sqlx::query_as::<_, (String, String, String)>(
        "SELECT a.key, a.name, s.level FROM action_area a
         JOIN action_area_set s ON s.id = a.set_id WHERE a.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let members = sqlx::query_scalar::<_, String>(
        "SELECT area_key FROM action_area_member WHERE action_area_id = $1 ORDER BY area_key",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(PlacedActionArea {
        id,
        key,
        name,
        level,
        members,
    }))
}

/// The ids of the action areas, of any set, on `level` that have the area `key` as a member.
pub async fn action_areas_with_member(
    conn: &mut crate::Conn,
    level: &str,
    key: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar::<_, i64>(
        "SELECT a.id FROM action_area a
         JOIN action_area_set s ON s.id = a.set_id
         JOIN action_area_member m ON m.action_area_id = a.id
         WHERE s.level = $1 AND m.area_key = $2 ORDER BY a.id",
    )
    .bind(level)
    .bind(key)
    .fetch_all(&mut *conn)
    .await
}
