//! The store of Sozialatlas: SQLite (the embedded default) or PostgreSQL, through one pool
//! ([`db`]).
//!
//! Architecture invariant: the only crate that speaks SQL for the atlas tables. SQL stays
//! portable (numbered `$n` parameters, standard types). A load is one transaction: either the
//! whole atlas is replaced, or nothing changes. The raw values stay here for authorised staff;
//! everything leaves through [`Snapshot`], whose values carry their disclosure state.

use futures_util::TryStreamExt;
use geo_types::MultiPolygon;
use serde::Serialize;
use sozialatlas_core::compute::{Basis, Computed, IndicatorValue, Unassigned, ValueState};
use sozialatlas_core::model::{CrosswalkLink, Vintage};
use sozialatlas_core::{Area, AreaTree, Catalogue, Level, Text};
use sozialatlas_import::Atlas;
use sozialatlas_model::address::NumberItem;
use sozialatlas_model::{
    AddressRegister, AtlasMeta, EditorText, InputFile, Settings, StreetAddresses,
};
use std::collections::HashMap;

pub mod action_areas;
pub mod backup;
pub mod build;
pub mod clock;
pub mod db;

pub use db::{
    Backend, Conn, LOAD_CHANNEL, LoadNotices, Pool, Tx, begin_write, close, insert_rows, is_busy,
    migrate, next_id, open, open_memory, ping, placeholders,
};

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

/// Claims the run of scheduled `job` for `period` (a day, `2026-12-07`) for this instance:
/// `true` for the first instance on the database to ask, `false` for every other (the job
/// runs once across instances). A claimed run whose instance stops before finishing is not
/// run again for that period: a job claimed this way must catch up on its next period.
pub async fn claim_run(pool: &Pool, job: &str, period: &str) -> Result<bool, StoreError> {
    let r = sqlx::query(
        "INSERT INTO scheduled_run (job, period, claimed_at) VALUES ($1, $2, $3) \
         ON CONFLICT (job, period) DO NOTHING",
    )
    .bind(job)
    .bind(period)
    .bind(clock::now_rfc3339())
    .execute(pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The id of the latest load, if any: the cheap question a serving instance asks every few
/// seconds to notice a new load.
pub async fn latest_load_id(pool: &Pool) -> Result<Option<i64>, StoreError> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM atlas_load")
        .fetch_one(pool)
        .await?;
    Ok(id)
}

/// The latest load's fingerprint and inputs, if any.
pub async fn latest_load(
    pool: &Pool,
) -> Result<Option<(i64, String, String, Vec<InputFile>)>, StoreError> {
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT id, fingerprint, program_version FROM atlas_load ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let Some((id, fingerprint, program_version)) = row else {
        return Ok(None);
    };
    let inputs = sqlx::query_as::<_, (String, String, i64, Option<String>)>(
        "SELECT path, sha256, bytes, markers_json FROM input_file WHERE load_id = $1 ORDER BY path",
    )
    .bind(id)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(path, sha256, bytes, markers)| {
        let markers = markers
            .map(|j| serde_json::from_str(&j))
            .transpose()
            .map_err(|err| StoreError::Json {
                what: "input markers",
                err,
            })?;
        Ok(InputFile {
            path,
            sha256,
            bytes: bytes as u64,
            markers,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(Some((id, fingerprint, program_version, inputs)))
}

/// Writes a computed atlas, replacing the previous one, in one transaction; does nothing when
/// the inputs and the program version are those of the latest load.
pub async fn write_atlas(
    pool: &Pool,
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

    let mut tx = begin_write(pool).await?;
    for table in [
        "address_numbers",
        "address_street",
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
    insert_rows(
        &mut tx,
        "INSERT INTO area (id, level_id, area_key, name, parent_id, area_km2, geometry)",
        7,
        &order,
        |q, &i| {
            let a = &atlas.tree.areas[i];
            q.bind(i as i64)
                .bind(atlas.tree.levels[a.level].id.clone())
                .bind(a.key.clone())
                .bind(a.name.clone())
                .bind(a.parent.map(|p| p as i64))
                .bind(a.area_km2)
                .bind(atlas.geometries[i].as_ref().map(geometry_to_json))
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO overlay_member (overlay_area, member_area, share)",
        3,
        &atlas.tree.memberships,
        |q, m| {
            q.bind(m.overlay_area as i64)
                .bind(m.member_area as i64)
                .bind(m.share)
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO crosswalk_link (old_area, new_area, weight)",
        3,
        &atlas.tree.crosswalk,
        |q, l| {
            q.bind(l.old_area as i64)
                .bind(l.new_area as i64)
                .bind(l.weight)
        },
    )
    .await?;
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
    insert_rows(
        &mut tx,
        "INSERT INTO cell (area_id, period, variable, value, state, disclosure)",
        6,
        &cells,
        |q, (a, period, v, c)| {
            q.bind(*a as i64)
                .bind(*period)
                .bind(atlas.catalogue.variables[*v].id.clone())
                .bind(c.value)
                .bind(enum_name(&c.state))
                .bind(enum_name(&c.disclosure))
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO indicator_value (indicator, area_id, period, value, numerator, denominator, \
         state, ci_low, ci_high, low_population, basis)",
        11,
        &computed.values,
        |q, v| {
            q.bind(atlas.catalogue.indicators[v.indicator].id.clone())
                .bind(v.area as i64)
                .bind(v.period)
                .bind(v.value)
                .bind(v.numerator)
                .bind(v.denominator)
                .bind(v.state.as_str())
                .bind(v.ci.map(|c| c.0))
                .bind(v.ci.map(|c| c.1))
                .bind(v.low_population)
                .bind(v.basis.as_str())
        },
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO unassigned_value (indicator, area_id, level_id, period, value, numerator, \
         denominator, state, ci_low, ci_high)",
        10,
        &computed.unassigned,
        |q, u| {
            let v = &u.value;
            q.bind(atlas.catalogue.indicators[v.indicator].id.clone())
                .bind(v.area as i64)
                .bind(atlas.tree.levels[u.level].id.clone())
                .bind(v.period)
                .bind(v.value)
                .bind(v.numerator)
                .bind(v.denominator)
                .bind(v.state.as_str())
                .bind(v.ci.map(|c| c.0))
                .bind(v.ci.map(|c| c.1))
        },
    )
    .await?;
    if let Some(register) = &atlas.addresses {
        write_addresses(&mut tx, register).await?;
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
    db::announce_load(&mut tx, load_id).await?;
    tx.commit().await?;
    Ok(LoadOutcome::Loaded { load_id, changed })
}

/// Writes the address register: a row per street, and per street and area its house numbers.
async fn write_addresses(conn: &mut Conn, register: &AddressRegister) -> Result<(), StoreError> {
    let streets: Vec<usize> = (0..register.streets().len()).collect();
    insert_rows(
        &mut *conn,
        "INSERT INTO address_street (id, name, postcode, locality)",
        4,
        &streets,
        |q, &i| {
            let s = &register.streets()[i];
            q.bind(i as i64)
                .bind(s.name.clone())
                .bind(s.postcode.clone())
                .bind(s.locality.clone())
        },
    )
    .await?;
    let mut rows = Vec::new();
    for i in streets {
        for (area, count, items) in register.numbers_by_area(i) {
            let json = serde_json::to_string(&items).map_err(|err| StoreError::Json {
                what: "house numbers",
                err,
            })?;
            rows.push((i, area, count, json));
        }
    }
    insert_rows(
        &mut *conn,
        "INSERT INTO address_numbers (street_id, area_id, addresses, numbers_json)",
        4,
        &rows,
        |q, (street, area, count, json)| {
            q.bind(*street as i64)
                .bind(*area as i64)
                .bind(i64::from(*count))
                .bind(json.clone())
        },
    )
    .await?;
    Ok(())
}

/// Reads the address register, if the atlas has one: the streets with their house numbers
/// per area, into the register of the level of their areas.
async fn read_addresses(
    pool: &Pool,
    tree: &AreaTree,
) -> Result<Option<AddressRegister>, StoreError> {
    /// A street's house numbers in one area, as stored.
    #[derive(sqlx::FromRow)]
    struct NumbersRow {
        street_id: i64,
        name: String,
        postcode: String,
        locality: String,
        area_id: i64,
        numbers_json: String,
    }
    let rows: Vec<NumbersRow> = sqlx::query_as(
        "SELECT n.street_id, s.name, s.postcode, s.locality, n.area_id, n.numbers_json
         FROM address_numbers n JOIN address_street s ON s.id = n.street_id
         ORDER BY n.street_id, n.area_id",
    )
    .fetch_all(pool)
    .await?;
    let Some(level) = rows
        .first()
        .and_then(|r| tree.areas.get(r.area_id as usize))
        .map(|a| a.level)
    else {
        return Ok(None);
    };
    let mut streets: Vec<StreetAddresses> = Vec::new();
    let mut last = None;
    for r in rows {
        let items: Vec<NumberItem> =
            serde_json::from_str(&r.numbers_json).map_err(|err| StoreError::Json {
                what: "house numbers",
                err,
            })?;
        if last != Some(r.street_id) {
            last = Some(r.street_id);
            streets.push(StreetAddresses {
                name: r.name,
                postcode: r.postcode,
                locality: r.locality,
                numbers: Vec::new(),
            });
        }
        let street = streets.last_mut().expect("pushed above");
        let area = r.area_id as usize;
        street
            .numbers
            .extend(items.iter().flat_map(NumberItem::expand).map(|h| (h, area)));
    }
    Ok(Some(AddressRegister::new(level, streets)))
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
pub async fn read_snapshot(pool: &Pool) -> Result<Snapshot, StoreError> {
    /// The latest load as stored.
    #[derive(sqlx::FromRow)]
    struct LoadRow {
        id: i64,
        loaded_at: String,
        program_version: String,
        catalogue_version: String,
        fingerprint: String,
        source: String,
        meta_json: String,
        settings_json: String,
        catalogue_json: String,
        warnings_json: String,
        summary_json: String,
    }
    fn json<T: serde::de::DeserializeOwned>(
        text: &str,
        what: &'static str,
    ) -> Result<T, StoreError> {
        serde_json::from_str(text).map_err(|err| StoreError::Json { what, err })
    }
    let row: LoadRow = sqlx::query_as(
        "SELECT id, loaded_at, program_version, catalogue_version, fingerprint, source,
                meta_json, settings_json, catalogue_json, warnings_json, summary_json
         FROM atlas_load ORDER BY id DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or(StoreError::Empty)?;
    let meta: AtlasMeta = json(&row.meta_json, "meta")?;
    let settings: Settings = json(&row.settings_json, "settings")?;
    let catalogue: Catalogue = json(&row.catalogue_json, "catalogue")?;
    let warnings: Vec<String> = json(&row.warnings_json, "warnings")?;
    let summary: Summary = json(&row.summary_json, "summary")?;
    let load_id = row.id;
    let inputs = latest_load(pool).await?.map(|l| l.3).unwrap_or_default();
    let load = LoadInfo {
        id: load_id,
        loaded_at: row.loaded_at,
        program_version: row.program_version,
        catalogue_version: row.catalogue_version,
        fingerprint: row.fingerprint,
        source: row.source,
        inputs,
        warnings,
        summary,
    };

    let mut tree = AreaTree::default();
    /// A level as stored.
    #[derive(sqlx::FromRow)]
    struct LevelRow {
        id: String,
        name_de: String,
        name_en: String,
        parent_id: Option<String>,
        overlay: bool,
        vintage: Option<String>,
        shares: Option<String>,
        valid_from: Option<i64>,
        valid_until: Option<i64>,
        next_level: Option<String>,
        converted_by: Option<String>,
    }
    /// An area as stored.
    #[derive(sqlx::FromRow)]
    struct AreaRow {
        id: i64,
        level_id: String,
        area_key: String,
        name: String,
        parent_id: Option<i64>,
        area_km2: Option<f64>,
        geometry: Option<String>,
    }
    let levels: Vec<LevelRow> = sqlx::query_as(
        "SELECT id, name_de, name_en, parent_id, overlay, vintage, shares, valid_from, valid_until,
                next_level, converted_by
         FROM level ORDER BY position",
    )
    .fetch_all(pool)
    .await?;
    let mut parent_ids = Vec::new();
    let mut next_ids = Vec::new();
    let share_kind = |s: Option<String>| s.as_deref().and_then(sozialatlas_core::ShareKind::parse);
    for r in levels {
        tree.levels.push(Level {
            id: r.id,
            name: Text::new(r.name_de, r.name_en),
            parent: None,
            overlay: r.overlay,
            shares: share_kind(r.shares),
            vintage: r.vintage.map(|label| Vintage {
                from: r.valid_from.map(|y| y as i32),
                until: r.valid_until.map(|y| y as i32),
                converted_by: share_kind(r.converted_by),
                ..Vintage::label(label)
            }),
        });
        parent_ids.push(r.parent_id);
        next_ids.push(r.next_level);
    }
    for (i, p) in parent_ids.iter().enumerate() {
        tree.levels[i].parent = p.as_ref().and_then(|p| tree.level_index(p));
        let next = next_ids[i].as_ref().and_then(|n| tree.level_index(n));
        if let Some(v) = tree.levels[i].vintage.as_mut() {
            v.next = next;
        }
    }
    let mut areas = sqlx::query_as::<_, AreaRow>(
        "SELECT id, level_id, area_key, name, parent_id, area_km2, geometry FROM area ORDER BY id",
    )
    .fetch(pool);
    let mut geometries = Vec::new();
    while let Some(r) = areas.try_next().await? {
        debug_assert_eq!(r.id, tree.areas.len() as i64);
        tree.areas.push(Area {
            key: r.area_key,
            name: r.name,
            level: tree.level_index(&r.level_id).unwrap_or(0),
            parent: r.parent_id.map(|p| p as usize),
            area_km2: r.area_km2,
        });
        geometries.push(r.geometry.as_deref().and_then(geometry_from_json));
    }
    drop(areas);
    tree.memberships = sqlx::query_as::<_, (i64, i64, f64)>(
        "SELECT overlay_area, member_area, share FROM overlay_member ORDER BY overlay_area, member_area",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(overlay_area, member_area, share)| sozialatlas_core::Membership {
        overlay_area: overlay_area as usize,
        member_area: member_area as usize,
        share,
    })
    .collect();
    tree.crosswalk = sqlx::query_as::<_, (i64, i64, f64)>(
        "SELECT old_area, new_area, weight FROM crosswalk_link ORDER BY old_area, new_area",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(old_area, new_area, weight)| CrosswalkLink {
        old_area: old_area as usize,
        new_area: new_area as usize,
        weight,
    })
    .collect();
    let ind_index: HashMap<&str, usize> = catalogue
        .indicators
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), i))
        .collect();
    /// A value of `indicator_value`.
    #[derive(sqlx::FromRow)]
    struct ValueRow {
        #[sqlx(flatten)]
        value: StoredValue,
        low_population: bool,
        basis: String,
    }
    /// A value of `unassigned_value`.
    #[derive(sqlx::FromRow)]
    struct UnassignedRow {
        #[sqlx(flatten)]
        value: StoredValue,
        level_id: String,
    }
    // Row by row: the values are most of a large atlas, and a row as read (with its texts) is
    // several times the size of the value it becomes.
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM indicator_value")
        .fetch_one(pool)
        .await?;
    let mut values = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    let mut rows = sqlx::query_as::<_, ValueRow>(
        "SELECT indicator, area_id, period, value, numerator, denominator, state, ci_low, ci_high, low_population, basis
         FROM indicator_value",
    )
    .fetch(pool);
    while let Some(r) = rows.try_next().await? {
        let Some(&indicator) = ind_index.get(r.value.indicator.as_str()) else {
            continue;
        };
        values.push(IndicatorValue {
            low_population: r.low_population,
            basis: Basis::parse(&r.basis).unwrap_or_default(),
            ..r.value.into_value(indicator)
        });
    }
    drop(rows);
    let mut unassigned = Vec::new();
    for r in sqlx::query_as::<_, UnassignedRow>(
        "SELECT indicator, area_id, period, value, numerator, denominator, state, ci_low, ci_high, level_id
         FROM unassigned_value ORDER BY indicator, period, area_id, level_id",
    )
    .fetch_all(pool)
    .await?
    {
        let (Some(&indicator), Some(level)) = (
            ind_index.get(r.value.indicator.as_str()),
            tree.level_index(&r.level_id),
        ) else {
            continue;
        };
        unassigned.push(Unassigned {
            level,
            value: r.value.into_value(indicator),
        });
    }
    values.sort_by_key(|v| (v.indicator, v.period, v.area));
    let texts = sqlx::query_as::<_, (String, String, String, String)>(
        "SELECT name, locale, path, markdown FROM editor_text ORDER BY name, locale",
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|(name, locale, path, markdown)| EditorText {
        name,
        locale: locale.parse().unwrap_or_default(),
        path,
        markdown,
    })
    .collect();
    let addresses = read_addresses(pool, &tree).await?;
    let mut snap = Snapshot::new(load, meta, settings, catalogue, tree, geometries, values);
    snap.texts = texts;
    snap.addresses = addresses;
    Ok(snap.with_unassigned(unassigned))
}

/// The columns `indicator_value` and `unassigned_value` share (a value as given, not of a small
/// population).
#[derive(sqlx::FromRow)]
struct StoredValue {
    indicator: String,
    area_id: i64,
    period: i64,
    value: Option<f64>,
    numerator: Option<f64>,
    denominator: Option<f64>,
    state: String,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
}

impl StoredValue {
    /// The value of the catalogue's indicator number `indicator`.
    fn into_value(self, indicator: usize) -> IndicatorValue {
        IndicatorValue {
            indicator,
            area: self.area_id as usize,
            period: self.period as i32,
            value: self.value,
            numerator: self.numerator,
            denominator: self.denominator,
            state: ValueState::parse(&self.state).unwrap_or(ValueState::Missing),
            ci: self.ci_low.zip(self.ci_high),
            low_population: false,
            basis: Basis::Official,
        }
    }
}

/// Forgets the fingerprint of the latest load, so that the next [`write_atlas`] reloads even
/// when nothing changed (`build --force`).
pub async fn forget_fingerprint(pool: &Pool) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE atlas_load SET fingerprint = '' WHERE id = (SELECT MAX(id) FROM atlas_load)",
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A stored analysis run.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
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
pub async fn save_run(pool: &Pool, run: &StoredRun) -> Result<i64, StoreError> {
    let mut tx = begin_write(pool).await?;
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
pub async fn list_runs(pool: &Pool, kind: Option<&str>) -> Result<Vec<StoredRun>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, created_at, load_id, program_version, params_json, '' AS result_json
         FROM analysis_run WHERE ($1 IS NULL OR kind = $1) ORDER BY id DESC",
    )
    .bind(kind)
    .fetch_all(pool)
    .await?)
}

/// Reads one stored run with its result.
pub async fn get_run(pool: &Pool, id: i64) -> Result<Option<StoredRun>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, created_at, load_id, program_version, params_json, result_json FROM analysis_run WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}
