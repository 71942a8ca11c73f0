//! The store of Sozialatlas: SQLite now, PostgreSQL for multi-instance deployments later.
//!
//! Architecture invariant: the only crate that speaks SQL for the atlas tables. SQL stays
//! portable (numbered `$n` parameters, standard types). A load is one transaction: either the
//! whole atlas is replaced, or nothing changes. The raw values stay here for authorised staff;
//! everything leaves through [`Snapshot`], whose values carry their disclosure state.

use geo_types::MultiPolygon;
use serde::Serialize;
use sozialatlas_core::compute::{Basis, Computed, IndicatorValue, Unassigned, ValueState};
use sozialatlas_core::model::{CrosswalkLink, Vintage};
use sozialatlas_core::{Area, AreaTree, Catalogue, Level, Text};
use sozialatlas_import::Atlas;
use sozialatlas_model::{AtlasMeta, EditorText, InputFile, Settings};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{QueryBuilder, Row, SqlitePool};
use std::collections::HashMap;
use std::str::FromStr;

pub mod action_areas;
pub mod build;
pub mod clock;

pub use build::{AtlasBuild, BuildError, BuiltAtlas};
pub use sozialatlas_model::{LoadInfo, Snapshot, Summary};

pub use action_areas::{
    ActionArea, ActionAreaSet, ActionAreaSource, NewActionArea, PlacedActionArea,
    action_areas_with_member, current_action_area_set, get_action_area, get_action_area_set,
    list_action_area_sets, placed_action_area, save_action_area_set,
};

/// A store error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database said no.
    #[error("store: {0}")]
    Sql(#[from] sqlx::Error),
    /// A migration failed.
    #[error("store migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Stored JSON did not parse (a store written by another version?).
    #[error("store: unreadable {what}: {err}")]
    Json {
        /// Which column.
        what: &'static str,
        /// The parse error.
        err: serde_json::Error,
    },
    /// What was to be stored is not valid (the message says what and why).
    #[error("{0}")]
    Invalid(String),
    /// The store holds no atlas yet.
    #[error("the store holds no atlas yet: run `sozialatlas build <folder> --db <file>` first")]
    Empty,
}

/// Opens (creating if needed) a SQLite store and brings its schema up to date.
pub async fn open(path: &str) -> Result<SqlitePool, StoreError> {
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
        .create_if_missing(true)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .foreign_keys(true)
        // Deleted rows are overwritten, not just unlinked (erasure of personal data).
        .pragma("secure_delete", "ON");
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(opts)
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Opens a private in-memory store (one connection, so every query sees the same database).
pub async fn open_memory() -> Result<SqlitePool, StoreError> {
    let opts = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect_with(opts)
        .await?;
    migrate(&pool).await?;
    Ok(pool)
}

/// Applies the plain-SQL migrations in `crates/store/migrations`.
pub async fn migrate(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::migrate!("./migrations").run(pool).await?;
    Ok(())
}

/// The next id of `table`, the one way ids are allocated in every crate's tables (portable: no
/// SQLite rowid, no PostgreSQL sequence). Call it inside the writing transaction, so two
/// writers cannot get the same id (SQLite serialises writers; on PostgreSQL the primary key
/// refuses the second). `table` is a name from the code, never from input.
pub async fn next_id(
    conn: &mut sqlx::SqliteConnection,
    table: &'static str,
) -> Result<i64, sqlx::Error> {
    let row = sqlx::query(&format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))
        .fetch_one(&mut *conn)
        .await?;
    row.try_get(0)
}

/// What a load did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadOutcome {
    /// Same inputs and program version as the last load: nothing written.
    Unchanged {
        /// The id of the load that is still current.
        load_id: i64,
    },
    /// The atlas was (re)loaded.
    Loaded {
        /// The new load's id.
        load_id: i64,
        /// Input files new or changed since the previous load (all on a first load).
        changed: Vec<String>,
    },
}

/// The latest load's fingerprint and inputs, if any.
pub async fn latest_load(
    pool: &SqlitePool,
) -> Result<Option<(i64, String, String, Vec<InputFile>)>, StoreError> {
    let row = sqlx::query(
        "SELECT id, fingerprint, program_version FROM atlas_load ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let id: i64 = row.get(0);
    let inputs = sqlx::query(
        "SELECT path, sha256, bytes, markers_json FROM input_file WHERE load_id = $1 ORDER BY path",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        let markers = r
            .get::<Option<String>, _>(3)
            .map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(|err| StoreError::Json {
                what: "input markers",
                err,
            })?;
        Ok(InputFile {
            path: r.get(0),
            sha256: r.get(1),
            bytes: r.get::<i64, _>(2) as u64,
            markers,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(Some((id, row.get(1), row.get(2), inputs)))
}

/// Writes a computed atlas, replacing the previous one, in one transaction; does nothing when
/// the inputs and the program version are those of the latest load.
pub async fn write_atlas(
    pool: &SqlitePool,
    atlas: &Atlas,
    computed: &Computed,
    program_version: &str,
    source: &str,
    loaded_at: &str,
) -> Result<LoadOutcome, StoreError> {
    let fingerprint = atlas.fingerprint();
    let previous = latest_load(pool).await?;
    if let Some((id, fp, ver, _)) = &previous
        && *fp == fingerprint
        && ver == program_version
    {
        return Ok(LoadOutcome::Unchanged { load_id: *id });
    }
    let changed: Vec<String> = {
        let old: HashMap<&str, &str> = previous
            .as_ref()
            .map(|p| {
                p.3.iter()
                    .map(|f| (f.path.as_str(), f.sha256.as_str()))
                    .collect()
            })
            .unwrap_or_default();
        let mut c: Vec<String> = atlas
            .inputs
            .iter()
            .filter(|f| old.get(f.path.as_str()) != Some(&f.sha256.as_str()))
            .map(|f| f.path.clone())
            .collect();
        if c.is_empty() && previous.is_some() {
            c.push(format!("(program version {program_version})"));
        }
        c
    };
    let json = |v: &dyn erased::Ser, what: &'static str| {
        v.to_json().map_err(|err| StoreError::Json { what, err })
    };
    let summary = atlas.summary(computed);
    let warnings: Vec<String> = atlas
        .warnings
        .iter()
        .cloned()
        .chain(computed.warnings.iter().map(|w| w.to_string()))
        .collect();

    let mut tx = pool.begin().await?;
    for table in [
        "indicator_value",
        "unassigned_value",
        "cell",
        "overlay_member",
        "crosswalk_link",
        "area",
        "level",
        "editor_text",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *tx)
            .await?;
    }
    let load_id = next_id(&mut tx, "atlas_load").await?;
    sqlx::query(
        "INSERT INTO atlas_load (id, loaded_at, program_version, catalogue_version, fingerprint, source,
             meta_json, settings_json, catalogue_json, warnings_json, summary_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(load_id)
    .bind(loaded_at)
    .bind(program_version)
    .bind(&atlas.catalogue.version)
    .bind(&fingerprint)
    .bind(source)
    .bind(json(&atlas.config.atlas, "meta")?)
    .bind(json(&atlas.config.settings, "settings")?)
    .bind(json(&atlas.catalogue, "catalogue")?)
    .bind(json(&warnings, "warnings")?)
    .bind(json(&summary, "summary")?)
    .execute(&mut *tx)
    .await?;
    for f in &atlas.inputs {
        sqlx::query(
            "INSERT INTO input_file (load_id, path, sha256, bytes, markers_json) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(load_id)
        .bind(&f.path)
        .bind(&f.sha256)
        .bind(f.bytes as i64)
        .bind(match &f.markers {
            Some(m) => Some(json(m, "input markers")?),
            None => None,
        })
        .execute(&mut *tx)
        .await?;
    }
    for (i, l) in atlas.tree.levels.iter().enumerate() {
        sqlx::query(
            "INSERT INTO level (id, position, name_de, name_en, parent_id, overlay, vintage, shares,
                 valid_from, valid_until, next_level, converted_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&l.id)
        .bind(i as i64)
        .bind(&l.name.de)
        .bind(&l.name.en)
        .bind(l.parent.map(|p| atlas.tree.levels[p].id.clone()))
        .bind(l.overlay)
        .bind(l.vintage.as_ref().map(|v| v.label.clone()))
        .bind(l.shares.map(|s| s.as_str()))
        .bind(l.vintage.as_ref().and_then(|v| v.from))
        .bind(l.vintage.as_ref().and_then(|v| v.until))
        .bind(
            l.vintage
                .as_ref()
                .and_then(|v| v.next)
                .map(|n| atlas.tree.levels[n].id.clone()),
        )
        .bind(
            l.vintage
                .as_ref()
                .and_then(|v| v.converted_by)
                .map(|s| s.as_str()),
        )
        .execute(&mut *tx)
        .await?;
    }
    // Areas in index order so that parents exist before children reference them.
    let mut order: Vec<usize> = (0..atlas.tree.areas.len()).collect();
    let depths = atlas.tree.level_depths().unwrap_or_default();
    order.sort_by_key(|&i| depths.get(atlas.tree.areas[i].level).copied().unwrap_or(0));
    for chunk in order.chunks(200) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO area (id, level_id, area_key, name, parent_id, area_km2, geometry) ",
        );
        qb.push_values(chunk, |mut b, &i| {
            let a = &atlas.tree.areas[i];
            b.push_bind(i as i64)
                .push_bind(atlas.tree.levels[a.level].id.clone())
                .push_bind(a.key.clone())
                .push_bind(a.name.clone())
                .push_bind(a.parent.map(|p| p as i64))
                .push_bind(a.area_km2)
                .push_bind(atlas.geometries[i].as_ref().map(geometry_to_json));
        });
        qb.build().execute(&mut *tx).await?;
    }
    for chunk in atlas.tree.memberships.chunks(300) {
        let mut qb =
            QueryBuilder::new("INSERT INTO overlay_member (overlay_area, member_area, share) ");
        qb.push_values(chunk, |mut b, m| {
            b.push_bind(m.overlay_area as i64)
                .push_bind(m.member_area as i64)
                .push_bind(m.share);
        });
        qb.build().execute(&mut *tx).await?;
    }
    for chunk in atlas.tree.crosswalk.chunks(300) {
        let mut qb = QueryBuilder::new("INSERT INTO crosswalk_link (old_area, new_area, weight) ");
        qb.push_values(chunk, |mut b, l| {
            b.push_bind(l.old_area as i64)
                .push_bind(l.new_area as i64)
                .push_bind(l.weight);
        });
        qb.build().execute(&mut *tx).await?;
    }
    let mut cells = Vec::new();
    for (p, &period) in computed.periods.iter().enumerate() {
        for a in 0..computed.n_areas {
            for v in 0..computed.n_vars {
                let c = computed.cells[(p * computed.n_areas + a) * computed.n_vars + v];
                if c.value.is_some() || c.state != sozialatlas_core::compute::CellState::Missing {
                    cells.push((a, period, v, c));
                }
            }
        }
    }
    for chunk in cells.chunks(500) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO cell (area_id, period, variable, value, state, disclosure) ",
        );
        qb.push_values(chunk, |mut b, (a, period, v, c)| {
            b.push_bind(*a as i64)
                .push_bind(*period)
                .push_bind(atlas.catalogue.variables[*v].id.clone())
                .push_bind(c.value)
                .push_bind(enum_name(&c.state))
                .push_bind(enum_name(&c.disclosure));
        });
        qb.build().execute(&mut *tx).await?;
    }
    for chunk in computed.values.chunks(400) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO indicator_value (indicator, area_id, period, value, numerator, denominator, state, ci_low, ci_high, low_population, basis) ",
        );
        qb.push_values(chunk, |mut b, v| {
            b.push_bind(atlas.catalogue.indicators[v.indicator].id.clone())
                .push_bind(v.area as i64)
                .push_bind(v.period)
                .push_bind(v.value)
                .push_bind(v.numerator)
                .push_bind(v.denominator)
                .push_bind(v.state.as_str())
                .push_bind(v.ci.map(|c| c.0))
                .push_bind(v.ci.map(|c| c.1))
                .push_bind(v.low_population)
                .push_bind(v.basis.as_str());
        });
        qb.build().execute(&mut *tx).await?;
    }
    for chunk in computed.unassigned.chunks(400) {
        let mut qb = QueryBuilder::new(
            "INSERT INTO unassigned_value (indicator, area_id, level_id, period, value, numerator, denominator, state, ci_low, ci_high) ",
        );
        qb.push_values(chunk, |mut b, u| {
            let v = &u.value;
            b.push_bind(atlas.catalogue.indicators[v.indicator].id.clone())
                .push_bind(v.area as i64)
                .push_bind(atlas.tree.levels[u.level].id.clone())
                .push_bind(v.period)
                .push_bind(v.value)
                .push_bind(v.numerator)
                .push_bind(v.denominator)
                .push_bind(v.state.as_str())
                .push_bind(v.ci.map(|c| c.0))
                .push_bind(v.ci.map(|c| c.1));
        });
        qb.build().execute(&mut *tx).await?;
    }
    for t in &atlas.texts {
        sqlx::query(
            "INSERT INTO editor_text (name, locale, path, markdown) VALUES ($1, $2, $3, $4)",
        )
        .bind(&t.name)
        .bind(t.locale.code())
        .bind(&t.path)
        .bind(&t.markdown)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(LoadOutcome::Loaded { load_id, changed })
}

fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn geometry_to_json(g: &MultiPolygon<f64>) -> String {
    geojson::Geometry::new(geojson::GeometryValue::from(g)).to_string()
}

fn geometry_from_json(s: &str) -> Option<MultiPolygon<f64>> {
    let g: geojson::Geometry = s.parse().ok()?;
    match geo_types::Geometry::<f64>::try_from(g).ok()? {
        geo_types::Geometry::MultiPolygon(m) => Some(m),
        geo_types::Geometry::Polygon(p) => Some(MultiPolygon(vec![p])),
        _ => None,
    }
}

mod erased {
    /// Object-safe serialisation to a JSON string.
    pub trait Ser {
        fn to_json(&self) -> Result<String, serde_json::Error>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_json(&self) -> Result<String, serde_json::Error> {
            serde_json::to_string(self)
        }
    }
}

/// Reads the current atlas from the store.
pub async fn read_snapshot(pool: &SqlitePool) -> Result<Snapshot, StoreError> {
    let row = sqlx::query(
        "SELECT id, loaded_at, program_version, catalogue_version, fingerprint, source,
                meta_json, settings_json, catalogue_json, warnings_json, summary_json
         FROM atlas_load ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or(StoreError::Empty)?;
    let parse = |i: usize, what: &'static str| -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&row.get::<String, _>(i)).map_err(|err| StoreError::Json { what, err })
    };
    let meta: AtlasMeta = serde_json::from_value(parse(6, "meta")?)
        .map_err(|err| StoreError::Json { what: "meta", err })?;
    let settings: Settings =
        serde_json::from_value(parse(7, "settings")?).map_err(|err| StoreError::Json {
            what: "settings",
            err,
        })?;
    let catalogue: Catalogue =
        serde_json::from_value(parse(8, "catalogue")?).map_err(|err| StoreError::Json {
            what: "catalogue",
            err,
        })?;
    let warnings: Vec<String> =
        serde_json::from_value(parse(9, "warnings")?).map_err(|err| StoreError::Json {
            what: "warnings",
            err,
        })?;
    let summary: Summary =
        serde_json::from_value(parse(10, "summary")?).map_err(|err| StoreError::Json {
            what: "summary",
            err,
        })?;
    let load_id: i64 = row.get(0);
    let inputs = latest_load(pool).await?.map(|l| l.3).unwrap_or_default();
    let load = LoadInfo {
        id: load_id,
        loaded_at: row.get(1),
        program_version: row.get(2),
        catalogue_version: row.get(3),
        fingerprint: row.get(4),
        source: row.get(5),
        inputs,
        warnings,
        summary,
    };

    let mut tree = AreaTree::default();
    let levels = sqlx::query(
        "SELECT id, name_de, name_en, parent_id, overlay, vintage, shares, valid_from, valid_until,
                next_level, converted_by
         FROM level ORDER BY position",
    )
    .fetch_all(pool)
    .await?;
    let mut parent_ids = Vec::new();
    let mut next_ids = Vec::new();
    let share_kind = |s: Option<String>| s.as_deref().and_then(sozialatlas_core::ShareKind::parse);
    for r in &levels {
        tree.levels.push(Level {
            id: r.get(0),
            name: Text::new(r.get::<String, _>(1), r.get::<String, _>(2)),
            parent: None,
            overlay: r.get(4),
            shares: share_kind(r.get(6)),
            vintage: r.get::<Option<String>, _>(5).map(|label| Vintage {
                from: r.get::<Option<i64>, _>(7).map(|y| y as i32),
                until: r.get::<Option<i64>, _>(8).map(|y| y as i32),
                converted_by: share_kind(r.get(10)),
                ..Vintage::label(label)
            }),
        });
        parent_ids.push(r.get::<Option<String>, _>(3));
        next_ids.push(r.get::<Option<String>, _>(9));
    }
    for (i, p) in parent_ids.iter().enumerate() {
        tree.levels[i].parent = p.as_ref().and_then(|p| tree.level_index(p));
        let next = next_ids[i].as_ref().and_then(|n| tree.level_index(n));
        if let Some(v) = tree.levels[i].vintage.as_mut() {
            v.next = next;
        }
    }
    let areas = sqlx::query(
        "SELECT id, level_id, area_key, name, parent_id, area_km2, geometry FROM area ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    let mut geometries = Vec::with_capacity(areas.len());
    for (i, r) in areas.iter().enumerate() {
        debug_assert_eq!(r.get::<i64, _>(0), i as i64);
        let level_id: String = r.get(1);
        tree.areas.push(Area {
            key: r.get(2),
            name: r.get(3),
            level: tree.level_index(&level_id).unwrap_or(0),
            parent: r.get::<Option<i64>, _>(4).map(|p| p as usize),
            area_km2: r.get(5),
        });
        geometries.push(
            r.get::<Option<String>, _>(6)
                .as_deref()
                .and_then(geometry_from_json),
        );
    }
    tree.memberships = sqlx::query("SELECT overlay_area, member_area, share FROM overlay_member ORDER BY overlay_area, member_area")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| sozialatlas_core::Membership {
            overlay_area: r.get::<i64, _>(0) as usize,
            member_area: r.get::<i64, _>(1) as usize,
            share: r.get(2),
        })
        .collect();
    tree.crosswalk = sqlx::query(
        "SELECT old_area, new_area, weight FROM crosswalk_link ORDER BY old_area, new_area",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| CrosswalkLink {
        old_area: r.get::<i64, _>(0) as usize,
        new_area: r.get::<i64, _>(1) as usize,
        weight: r.get(2),
    })
    .collect();
    let ind_index: HashMap<&str, usize> = catalogue
        .indicators
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    let rows = sqlx::query(
        "SELECT indicator, area_id, period, value, numerator, denominator, state, ci_low, ci_high, low_population, basis
         FROM indicator_value",
    )
    .fetch_all(pool)
    .await?;
    let mut values = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(&indicator) = ind_index.get(r.get::<&str, _>(0)) else {
            continue;
        };
        values.push(IndicatorValue {
            low_population: r.get(9),
            basis: Basis::parse(r.get::<&str, _>(10)).unwrap_or_default(),
            ..stored_value(&r, indicator)
        });
    }
    let mut unassigned = Vec::new();
    for r in sqlx::query(
        "SELECT indicator, area_id, period, value, numerator, denominator, state, ci_low, ci_high, level_id
         FROM unassigned_value ORDER BY indicator, period, area_id, level_id",
    )
    .fetch_all(pool)
    .await?
    {
        let (Some(&indicator), Some(level)) = (
            ind_index.get(r.get::<&str, _>(0)),
            tree.level_index(r.get::<&str, _>(9)),
        ) else {
            continue;
        };
        unassigned.push(Unassigned {
            level,
            value: stored_value(&r, indicator),
        });
    }
    values.sort_by_key(|v| (v.indicator, v.period, v.area));
    let texts =
        sqlx::query("SELECT name, locale, path, markdown FROM editor_text ORDER BY name, locale")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| EditorText {
                name: r.get(0),
                locale: r.get::<String, _>(1).parse().unwrap_or_default(),
                path: r.get(2),
                markdown: r.get(3),
            })
            .collect();
    let mut snap = Snapshot::new(load, meta, settings, catalogue, tree, geometries, values);
    snap.texts = texts;
    Ok(snap.with_unassigned(unassigned))
}

/// An indicator value from the columns `indicator, area_id, period, value, numerator,
/// denominator, state, ci_low, ci_high` of a row (as given, not a small population).
fn stored_value(r: &sqlx::sqlite::SqliteRow, indicator: usize) -> IndicatorValue {
    let lo: Option<f64> = r.get(7);
    let hi: Option<f64> = r.get(8);
    IndicatorValue {
        indicator,
        area: r.get::<i64, _>(1) as usize,
        period: r.get::<i64, _>(2) as i32,
        value: r.get(3),
        numerator: r.get(4),
        denominator: r.get(5),
        state: ValueState::parse(r.get::<&str, _>(6)).unwrap_or(ValueState::Missing),
        ci: lo.zip(hi),
        low_population: false,
        basis: Basis::Official,
    }
}

/// The connection pool type of the store.
pub type Pool = SqlitePool;

/// Forgets the fingerprint of the latest load, so that the next [`write_atlas`] reloads even
/// when nothing changed (`build --force`).
pub async fn forget_fingerprint(pool: &SqlitePool) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE atlas_load SET fingerprint = '' WHERE id = (SELECT MAX(id) FROM atlas_load)",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A stored analysis run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRun {
    /// Run id.
    pub id: i64,
    /// `index`, `typology` or `moran`.
    pub kind: String,
    /// When (RFC 3339).
    pub created_at: String,
    /// The atlas load it was computed from.
    pub load_id: i64,
    /// Program version.
    pub program_version: String,
    /// Parameters (JSON).
    pub params_json: String,
    /// Result (JSON).
    pub result_json: String,
}

/// Stores an analysis run; returns its id.
pub async fn save_run(pool: &SqlitePool, run: &StoredRun) -> Result<i64, StoreError> {
    let mut tx = pool.begin().await?;
    let id = next_id(&mut tx, "analysis_run").await?;
    sqlx::query(
        "INSERT INTO analysis_run (id, kind, created_at, load_id, program_version, params_json, result_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(&run.kind)
    .bind(&run.created_at)
    .bind(run.load_id)
    .bind(&run.program_version)
    .bind(&run.params_json)
    .bind(&run.result_json)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Lists stored runs of one kind (all kinds when None), newest first, without their results.
pub async fn list_runs(
    pool: &SqlitePool,
    kind: Option<&str>,
) -> Result<Vec<StoredRun>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, kind, created_at, load_id, program_version, params_json FROM analysis_run
         WHERE ($1 IS NULL OR kind = $1) ORDER BY id DESC",
    )
    .bind(kind)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StoredRun {
            id: r.get(0),
            kind: r.get(1),
            created_at: r.get(2),
            load_id: r.get(3),
            program_version: r.get(4),
            params_json: r.get(5),
            result_json: String::new(),
        })
        .collect())
}

/// Reads one stored run with its result.
pub async fn get_run(pool: &SqlitePool, id: i64) -> Result<Option<StoredRun>, StoreError> {
    let r = sqlx::query(
        "SELECT id, kind, created_at, load_id, program_version, params_json, result_json FROM analysis_run WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(r.map(|r| StoredRun {
        id: r.get(0),
        kind: r.get(1),
        created_at: r.get(2),
        load_id: r.get(3),
        program_version: r.get(4),
        params_json: r.get(5),
        result_json: r.get(6),
    }))
}
