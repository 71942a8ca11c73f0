//! The state every handler shares: the published atlas in memory with its lookups, the store's
//! pool, the accounts' settings and sessions, and the parts that the crates serving pages keep
//! in it (the atlas's response cache, the offices' key, the navigation), each by its type.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sozialatlas_core::ValueState;
use sozialatlas_store::{Pool, Snapshot};

use crate::auth::{self, AuthConfig};

/// Lookups built once from the snapshot, so that a request never scans the atlas.
#[derive(Debug)]
pub struct Index {
    /// Indicator id → index in the catalogue.
    pub indicator: HashMap<String, usize>,
    /// Level id → index in the tree.
    pub level: HashMap<String, usize>,
    /// (level, key) → area index.
    pub area: HashMap<(usize, String), usize>,
    /// The areas of each level, in input order.
    pub level_areas: Vec<Vec<usize>>,
    /// The city (root area).
    pub root: Option<usize>,
    /// Per indicator: the levels with at least one published value, coarsest first.
    pub levels_with_data: Vec<Vec<usize>>,
    /// Per indicator: the periods with at least one published value.
    pub periods: Vec<Vec<i32>>,
    /// Per indicator and level (`ind * n_levels + level`): periods with a published value.
    pub level_periods: Vec<Vec<i32>>,
    /// Each area's name [folded](sozialatlas_model::address::fold), as the search compares
    /// names.
    pub folded_names: Vec<String>,
}

impl Index {
    pub fn build(snap: &Snapshot) -> Index {
        let tree = &snap.tree;
        let n_levels = tree.levels.len();
        let n_ind = snap.catalogue.indicators.len();
        let depth = tree
            .level_depths()
            .unwrap_or_else(|_| (0..n_levels).collect());
        let mut level_periods = vec![Vec::new(); n_ind * n_levels];
        for v in &snap.values {
            if v.state == ValueState::Ok
                && let Some(a) = tree.areas.get(v.area)
                && v.indicator < n_ind
            {
                level_periods[v.indicator * n_levels + a.level].push(v.period);
            }
        }
        for p in &mut level_periods {
            p.sort_unstable();
            p.dedup();
        }
        let mut order: Vec<usize> = (0..n_levels).collect();
        order.sort_by_key(|&l| (tree.levels[l].overlay, depth[l]));
        let levels_with_data = (0..n_ind)
            .map(|i| {
                order
                    .iter()
                    .copied()
                    .filter(|&l| !level_periods[i * n_levels + l].is_empty())
                    .collect()
            })
            .collect();
        let periods = (0..n_ind)
            .map(|i| {
                let mut p: Vec<i32> = (0..n_levels)
                    .flat_map(|l| level_periods[i * n_levels + l].iter().copied())
                    .collect();
                p.sort_unstable();
                p.dedup();
                p
            })
            .collect();
        Index {
            folded_names: tree
                .areas
                .iter()
                .map(|a| sozialatlas_model::address::fold(&a.name))
                .collect(),
            indicator: snap
                .catalogue
                .indicators
                .iter()
                .enumerate()
                .map(|(i, d)| (d.id.clone(), i))
                .collect(),
            level: tree
                .levels
                .iter()
                .enumerate()
                .map(|(i, l)| (l.id.clone(), i))
                .collect(),
            area: tree
                .areas
                .iter()
                .enumerate()
                .map(|(i, a)| ((a.level, a.key.clone()), i))
                .collect(),
            level_areas: (0..n_levels).map(|l| tree.areas_of_level(l)).collect(),
            root: tree.root(),
            levels_with_data,
            periods,
            level_periods,
        }
    }

    /// Whether any indicator has a published value on the level: the areas of a level
    /// without have no profile to link to.
    pub fn level_has_data(&self, level: usize) -> bool {
        self.levels_with_data.iter().any(|ls| ls.contains(&level))
    }

    /// Periods with published values of an indicator on a level.
    pub fn periods_at(&self, ind: usize, level: usize) -> &[i32] {
        let n = self.level_areas.len();
        self.level_periods
            .get(ind * n + level)
            .map_or(&[], Vec::as_slice)
    }

    /// The default level of an indicator: the finest (non-overlay) level with data.
    pub fn default_level(&self, ind: usize) -> Option<usize> {
        let levels = self.levels_with_data.get(ind)?;
        levels
            .iter()
            .rev()
            .find(|&&l| self.level_areas[l].len() > 1)
            .or(levels.last())
            .copied()
    }
}

struct Inner {
    snap: Arc<Snapshot>,
    index: Index,
    pool: Pool,
    auth: auth::AuthState,
    sessions: auth::session::Store,
    /// The parts kept by the crates that serve pages, by type (see [`AppState::part`]).
    parts: Mutex<HashMap<TypeId, Part>>,
}

/// A part and whether it was set ([`AppState::set_part`]: configuration, kept for a new load)
/// or made on first use (a cache of this atlas, made afresh for a new load).
#[derive(Clone)]
struct Part {
    value: Arc<dyn Any + Send + Sync>,
    set: bool,
}

/// The state of the web application: the published atlas in memory, its lookups, the store's
/// pool (for the modules that write, such as participation), the accounts' settings and
/// sessions, and the parts of the crates that serve pages.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// Builds the state from the atlas snapshot and the store's pool, with default account
    /// settings.
    pub fn new(snapshot: Snapshot, pool: Pool) -> Self {
        Self::with_auth(snapshot, pool, AuthConfig::default())
    }

    /// Builds the state with account and session settings.
    pub fn with_auth(snapshot: Snapshot, pool: Pool, auth: AuthConfig) -> Self {
        let index = Index::build(&snapshot);
        AppState(Arc::new(Inner {
            snap: Arc::new(snapshot),
            index,
            sessions: auth::session::Store::new(pool.clone()),
            pool,
            auth: auth::AuthState::new(auth),
            parts: Mutex::new(HashMap::new()),
        }))
    }

    /// The atlas.
    pub fn snapshot(&self) -> &Snapshot {
        &self.0.snap
    }

    /// The store's connection pool.
    pub fn pool(&self) -> &Pool {
        &self.0.pool
    }

    /// The lookups of the atlas.
    pub fn index(&self) -> &Index {
        &self.0.index
    }

    /// The state for a new load of the atlas: the same pool, account settings and sessions,
    /// and the parts set with [`set_part`](Self::set_part) (configuration: the navigation, the
    /// offices' key); the parts made on first use (the caches of the old atlas) start afresh.
    /// Requests in flight keep the state they started with.
    pub fn with_snapshot(&self, snapshot: Snapshot) -> AppState {
        let index = Index::build(&snapshot);
        let parts = self.0.parts.lock().unwrap_or_else(|e| e.into_inner());
        let kept = parts
            .iter()
            .filter(|(_, p)| p.set)
            .map(|(k, p)| (*k, p.clone()))
            .collect();
        drop(parts);
        AppState(Arc::new(Inner {
            snap: Arc::new(snapshot),
            index,
            pool: self.0.pool.clone(),
            auth: auth::AuthState::new(self.0.auth.config.clone()),
            sessions: self.0.sessions.clone(),
            parts: Mutex::new(kept),
        }))
    }

    /// The accounts' settings.
    pub fn auth(&self) -> &auth::AuthState {
        &self.0.auth
    }

    /// The session store.
    pub fn session_store(&self) -> &auth::session::Store {
        &self.0.sessions
    }

    /// The part of type `T` that a crate serving pages keeps here: the one set by
    /// [`set_part`](Self::set_part), else `T::default()` (made on first use and kept).
    pub fn part<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let mut parts = self.0.parts.lock().unwrap_or_else(|e| e.into_inner());
        let any = parts
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Part {
                value: Arc::new(T::default()),
                set: false,
            })
            .value
            .clone();
        drop(parts);
        any.downcast::<T>()
            .unwrap_or_else(|_| unreachable!("parts are stored under their own type"))
    }

    /// The part of type `T` as [`part`](Self::part) gives it, marked to be kept for a new load
    /// like a part that was set (counters that must survive a new load of the atlas).
    pub fn keep_part<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let value = self.part::<T>();
        let mut parts = self.0.parts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = parts.get_mut(&TypeId::of::<T>()) {
            p.set = true;
        }
        value
    }

    /// Sets the part of type `T` (replacing one set or made before).
    pub fn set_part<T: Send + Sync + 'static>(&self, value: T) {
        let mut parts = self.0.parts.lock().unwrap_or_else(|e| e.into_inner());
        parts.insert(
            TypeId::of::<T>(),
            Part {
                value: Arc::new(value),
                set: true,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Counter(std::sync::atomic::AtomicUsize);

    #[tokio::test]
    async fn a_part_is_made_once_and_kept_until_set() {
        let (snap, pool) = sozialatlas_test_support::example_store("flensburg").await;
        let state = AppState::new(snap, pool);
        state
            .part::<Counter>()
            .0
            .fetch_add(2, std::sync::atomic::Ordering::Relaxed);
        let again = state.clone().part::<Counter>();
        assert_eq!(again.0.load(std::sync::atomic::Ordering::Relaxed), 2);
        state.set_part(Counter(std::sync::atomic::AtomicUsize::new(7)));
        assert_eq!(
            state
                .part::<Counter>()
                .0
                .load(std::sync::atomic::Ordering::Relaxed),
            7
        );
    }

    #[derive(Default)]
    struct Cache(std::sync::atomic::AtomicUsize);

    /// A new load keeps the parts set or marked with `keep_part` and makes the other parts
    /// (caches) afresh; the old state is unchanged.
    #[tokio::test]
    async fn a_new_load_keeps_configuration_and_drops_caches() {
        let (snap, pool) = sozialatlas_test_support::example_store("flensburg").await;
        let state = AppState::new(snap.clone(), pool);
        state.set_part(Counter(std::sync::atomic::AtomicUsize::new(7)));
        state
            .part::<Cache>()
            .0
            .fetch_add(3, std::sync::atomic::Ordering::Relaxed);
        let mut next = snap;
        next.load.id += 1;
        let kept = state.keep_part::<Cache>();
        drop(kept);
        #[derive(Default)]
        struct Made(std::sync::atomic::AtomicUsize);
        state
            .part::<Made>()
            .0
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let new = state.with_snapshot(next);
        assert_eq!(new.snapshot().load.id, state.snapshot().load.id + 1);
        let load =
            |c: &std::sync::atomic::AtomicUsize| c.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(load(&new.part::<Counter>().0), 7);
        assert_eq!(load(&new.part::<Cache>().0), 3, "kept with keep_part");
        assert_eq!(load(&new.part::<Made>().0), 0, "made afresh");
        assert_eq!(load(&state.part::<Made>().0), 1);
    }
}
