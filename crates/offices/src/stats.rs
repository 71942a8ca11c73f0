//! Statistics of the office log: new cases (all, and per topic) and contacts, by office and by
//! action area, per quarter and year — the only way case data leaves an office.
//!
//! **Suppression** (METHODS §6, threshold 5 for case data): all cells of one measure and year
//! form one system — hidden cells *office × action area* (never shown), office totals (the
//! supervisors' table), action-area totals (the atlas and the public office pages), the cases
//! outside every action area (a published cell of its own, so that `total − Σ areas` gives
//! nothing away) and the grand total, each per quarter and for the year — linked by the
//! equations `office = Σ its areas`, `area = Σ offices`, `outside = Σ offices' cases without an
//! area`, `total = Σ offices = Σ areas + outside`,
//! `year = Σ quarters`. Both published views are suppressed together, so that combining them
//! derives nothing.
//!
//! 1. [`sozialatlas_core::suppress::suppress`]: primary (`0 < n < 5`) and secondary.
//! 2. Exact check by elimination ([`sozialatlas_core::suppress::derivable_cells`]) until no
//!    suppressed cell can be computed from the published ones.
//! 3. **Insiders**: the staff of an office know their own cases. For each office the check is
//!    repeated with that office's own cells counted as known; a suppressed cell that would then
//!    become computable and holds other offices' cases gets one more partner that this office
//!    does not know. So staff of office A cannot work out office B's small numbers from the
//!    published totals and their own counts.
//! 4. A contacts cell is suppressed whenever the cases cell of the same office or area and
//!    period is (few contacts, or contacts of few cases, both point to few people).
//!
//! Values only leave as [`Shown`]; the raw counts never leave this module.

use crate::access::Actor;
use crate::date::Date;
use crate::{OfficeError, Pool, Result, audit};
use serde::Serialize;
use sozialatlas_core::compute::Disclosure;
use sozialatlas_core::suppress::{Equation, derivable_cells, suppress};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The primary suppression threshold for counts of case data (METHODS §6).
pub const CASE_THRESHOLD: u32 = 5;

/// A published count: the value, or "suppressed".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// Published.
    Value(u64),
    /// Withheld (primary or secondary suppression).
    Suppressed,
}

/// What is counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measure {
    /// New cases (opened in the period).
    Cases,
    /// Contacts in the period.
    Contacts,
    /// New cases with a topic (a case may have several).
    Topic {
        /// Topic code.
        code: String,
        /// German label.
        label_de: String,
        /// English label.
        label_en: String,
    },
}

impl Measure {
    /// A short key (`cases`, `contacts`, `topic_housing`).
    pub fn key(&self) -> String {
        match self {
            Measure::Cases => "cases".into(),
            Measure::Contacts => "contacts".into(),
            Measure::Topic { code, .. } => format!("topic_{code}"),
        }
    }
}

/// A row of a table: an office, an action area, or all.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "unit", content = "id", rename_all = "snake_case")]
pub enum Unit {
    /// One office.
    Office(i64),
    /// One action area.
    Area(i64),
    /// All offices (= all action areas and cases from outside them).
    Total,
    /// Cases outside every action area (of all offices): a cell of its own, suppressed like the
    /// others, so that it cannot be worked out as the total minus the action areas.
    Outside,
}

/// A period: a calendar year or one of its quarters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Period {
    /// Year.
    pub year: i32,
    /// Quarter 1–4, or `None` for the whole year.
    pub quarter: Option<u32>,
}

impl Period {
    /// `2024` or `2024-Q2`.
    pub fn label(&self) -> String {
        match self.quarter {
            Some(q) => format!("{}-Q{q}", self.year),
            None => self.year.to_string(),
        }
    }
}

/// A named unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Named {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Example content.
    pub is_example: bool,
}

/// Suppressed statistics.
#[derive(Clone, Debug, Serialize)]
pub struct Statistics {
    /// The threshold applied.
    pub threshold: u32,
    /// Years covered, ascending.
    pub years: Vec<i32>,
    /// The year still running (its figures grow), if covered.
    pub running_year: Option<i32>,
    /// Quarters included.
    pub quarters: bool,
    /// Offices (empty in the public view).
    pub offices: Vec<Named>,
    /// Action areas.
    pub areas: Vec<Named>,
    /// Measures, in order: cases, contacts, topics.
    pub measures: Vec<Measure>,
    #[serde(skip)]
    cells: HashMap<(Unit, Period, usize), Shown>,
}

impl Statistics {
    /// The published count of a unit, period and measure (`None`: not part of the table).
    pub fn get(&self, unit: Unit, period: Period, measure: usize) -> Option<Shown> {
        self.cells.get(&(unit, period, measure)).copied()
    }

    /// Number of cells and of suppressed cells.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.cells.len(),
            self.cells
                .values()
                .filter(|s| **s == Shown::Suppressed)
                .count(),
        )
    }

    /// Every cell as (unit, period, measure key, shown), sorted (for exports and tests).
    pub fn cells(&self) -> Vec<(Unit, Period, String, Shown)> {
        let mut v: Vec<_> = self
            .cells
            .iter()
            .map(|((u, p, m), s)| (*u, *p, self.measures[*m].key(), *s))
            .collect();
        v.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
        v
    }
}

/// Raw counts per (office, area or none, quarter): never leave this module.
#[derive(Default)]
struct Raw {
    /// (measure, office, area, year, quarter) → count
    counts: HashMap<(usize, i64, Option<i64>, i32, u32), u64>,
}

impl Raw {
    fn add(&mut self, m: usize, o: i64, a: Option<i64>, month: &str) {
        let (Some(y), Some(mo)) = (
            month.get(0..4).and_then(|s| s.parse::<i32>().ok()),
            month.get(5..7).and_then(|s| s.parse::<u32>().ok()),
        ) else {
            return;
        };
        if !(1..=12).contains(&mo) {
            return;
        }
        *self
            .counts
            .entry((m, o, a, y, (mo - 1) / 3 + 1))
            .or_default() += 1;
    }
}

struct Layout {
    offices: Vec<Named>,
    areas: Vec<Named>,
    /// office → areas it serves or has cases in
    pairs: BTreeMap<i64, BTreeSet<i64>>,
    measures: Vec<Measure>,
}

async fn load(pool: &Pool) -> Result<(Layout, Raw)> {
    let offices: Vec<Named> =
        sqlx::query_as("SELECT id, name, is_example FROM office ORDER BY name")
            .fetch_all(pool)
            .await?;
    let mut pairs: BTreeMap<i64, BTreeSet<i64>> =
        offices.iter().map(|o| (o.id, BTreeSet::new())).collect();
    for (office, area) in sqlx::query_as::<_, (i64, i64)>(
        "SELECT office_id, action_area_id FROM office_area
         UNION SELECT office_id, action_area_id FROM office_case WHERE action_area_id IS NOT NULL
         UNION SELECT office_id, action_area_id FROM case_residue WHERE action_area_id IS NOT NULL",
    )
    .fetch_all(pool)
    .await?
    {
        pairs.entry(office).or_default().insert(area);
    }
    let area_ids: BTreeSet<i64> = pairs.values().flatten().copied().collect();
    let mut areas = Vec::new();
    {
        let mut conn = pool.acquire().await?;
        for id in area_ids {
            let name = sozialatlas_store::placed_action_area(&mut conn, id)
                .await?
                .map(|a| a.name);
            areas.push(Named {
                id,
                name: name.unwrap_or_else(|| format!("#{id}")),
                is_example: false,
            });
        }
    }
    areas.sort_by(|a, b| a.name.cmp(&b.name));
    let topics = crate::offices::topics(pool).await?;
    let mut measures = vec![Measure::Cases, Measure::Contacts];
    let topic_index: HashMap<String, usize> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.code.clone(), i + 2))
        .collect();
    measures.extend(topics.into_iter().map(|t| Measure::Topic {
        code: t.code,
        label_de: t.label_de,
        label_en: t.label_en,
    }));

    let mut raw = Raw::default();
    let mut case_topics: HashMap<String, Vec<usize>> = HashMap::new();
    for (case, topic) in
        sqlx::query_as::<_, (String, String)>("SELECT case_id, topic_code FROM case_topic")
            .fetch_all(pool)
            .await?
    {
        if let Some(&m) = topic_index.get(&topic) {
            case_topics.entry(case).or_default().push(m);
        }
    }
    for (id, o, a, on) in sqlx::query_as::<_, (String, i64, Option<i64>, String)>(
        "SELECT id, office_id, action_area_id, opened_on FROM office_case",
    )
    .fetch_all(pool)
    .await?
    {
        raw.add(0, o, a, &on);
        for &m in case_topics.get(&id).map_or(&[][..], Vec::as_slice) {
            raw.add(m, o, a, &on);
        }
    }
    for (o, a, on) in sqlx::query_as::<_, (i64, Option<i64>, String)>(
        "SELECT c.office_id, c.action_area_id, k.on_date FROM case_contact k
         JOIN office_case c ON c.id = k.case_id",
    )
    .fetch_all(pool)
    .await?
    {
        raw.add(1, o, a, &on);
    }
    for (o, a, month, topics, contacts) in sqlx::query_as::<
        _,
        (i64, Option<i64>, String, String, String),
    >(
        "SELECT office_id, action_area_id, opened_month, topics, contact_months FROM case_residue",
    )
    .fetch_all(pool)
    .await?
    {
        raw.add(0, o, a, &month);
        for t in topics.split(',').filter(|t| !t.is_empty()) {
            if let Some(&m) = topic_index.get(t) {
                raw.add(m, o, a, &month);
            }
        }
        for c in contacts.split(',').filter(|c| !c.is_empty()) {
            raw.add(1, o, a, c);
        }
    }
    Ok((
        Layout {
            offices,
            areas,
            pairs,
            measures,
        },
        raw,
    ))
}

/// The cells of one measure and year, with their equations.
struct System {
    /// (unit or hidden (office, area)), period → cell index
    index: HashMap<(Cellish, Period), usize>,
    values: Vec<Option<f64>>,
    /// Raw values of all cells, hidden ones included (for the insider check).
    raw: Vec<f64>,
    /// Each office's part of a cell (every office that can have cases in it, zeros too).
    parts: Vec<BTreeMap<i64, f64>>,
    equations: Vec<Equation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Cellish {
    Shown(Unit),
    Hidden(i64, Option<i64>),
}

fn periods(year: i32) -> [Period; 5] {
    [
        Period {
            year,
            quarter: Some(1),
        },
        Period {
            year,
            quarter: Some(2),
        },
        Period {
            year,
            quarter: Some(3),
        },
        Period {
            year,
            quarter: Some(4),
        },
        Period {
            year,
            quarter: None,
        },
    ]
}

fn build_system(layout: &Layout, raw: &Raw, measure: usize, year: i32) -> System {
    let mut s = System {
        index: HashMap::new(),
        values: Vec::new(),
        raw: Vec::new(),
        parts: Vec::new(),
        equations: Vec::new(),
    };
    let count = |o: i64, a: Option<i64>, p: Period| -> u64 {
        match p.quarter {
            Some(q) => raw
                .counts
                .get(&(measure, o, a, year, q))
                .copied()
                .unwrap_or(0),
            None => (1..=4)
                .map(|q| {
                    raw.counts
                        .get(&(measure, o, a, year, q))
                        .copied()
                        .unwrap_or(0)
                })
                .sum(),
        }
    };
    // Cases without an action area: a hidden cell only where there are some in the year.
    let with_none: BTreeSet<i64> = layout
        .offices
        .iter()
        .map(|o| o.id)
        .filter(|&o| count(o, None, periods(year)[4]) > 0)
        .collect();
    let add = |s: &mut System, c: Cellish, p: Period, v: Option<f64>, raw: f64, who| {
        let i = s.values.len();
        s.index.insert((c, p), i);
        s.values.push(v);
        s.raw.push(raw);
        s.parts.push(who);
        i
    };
    for p in periods(year) {
        let mut office_cells = Vec::new();
        let mut area_parts: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
        let mut none_cells = Vec::new();
        let mut total = 0u64;
        for o in &layout.offices {
            let mut parts = Vec::new();
            let mut sum = 0u64;
            let areas = layout.pairs.get(&o.id).cloned().unwrap_or_default();
            let area_keys = areas
                .iter()
                .map(|&a| Some(a))
                .chain(with_none.contains(&o.id).then_some(None));
            for a in area_keys {
                let v = count(o.id, a, p);
                sum += v;
                let i = add(
                    &mut s,
                    Cellish::Hidden(o.id, a),
                    p,
                    None,
                    v as f64,
                    BTreeMap::from([(o.id, v as f64)]),
                );
                parts.push(i);
                match a {
                    Some(a) => area_parts.entry(a).or_default().push(i),
                    None => none_cells.push(i),
                }
            }
            total += sum;
            let t = add(
                &mut s,
                Cellish::Shown(Unit::Office(o.id)),
                p,
                Some(sum as f64),
                sum as f64,
                BTreeMap::from([(o.id, sum as f64)]),
            );
            office_cells.push(t);
            if !parts.is_empty() {
                s.equations.push(Equation { total: t, parts });
            }
        }
        let mut area_cells = Vec::new();
        for a in &layout.areas {
            let parts = area_parts.get(&a.id).cloned().unwrap_or_default();
            let (v, who) = s.sum_of(&parts);
            let i = add(&mut s, Cellish::Shown(Unit::Area(a.id)), p, Some(v), v, who);
            area_cells.push(i);
            if !parts.is_empty() {
                s.equations.push(Equation { total: i, parts });
            }
        }
        let all: BTreeMap<i64, f64> = office_cells
            .iter()
            .flat_map(|&i| s.parts[i].iter().map(|(o, x)| (*o, *x)))
            .collect();
        let g = add(
            &mut s,
            Cellish::Shown(Unit::Total),
            p,
            Some(total as f64),
            total as f64,
            all,
        );
        if !office_cells.is_empty() {
            s.equations.push(Equation {
                total: g,
                parts: office_cells,
            });
        }
        let mut by_area = area_cells;
        if !none_cells.is_empty() {
            // The cases outside the action areas: `total = Σ areas + outside` would give them
            // away by subtraction if they were only hidden cells, so they are a published cell
            // (`outside = Σ offices' cases without an area`) under the same suppression.
            let (v, who) = s.sum_of(&none_cells);
            let outside = add(&mut s, Cellish::Shown(Unit::Outside), p, Some(v), v, who);
            s.equations.push(Equation {
                total: outside,
                parts: none_cells,
            });
            by_area.push(outside);
        }
        if !by_area.is_empty() {
            s.equations.push(Equation {
                total: g,
                parts: by_area,
            });
        }
    }
    // year = Σ quarters, for every cell.
    let keys: Vec<Cellish> = s
        .index
        .keys()
        .filter(|(_, p)| p.quarter.is_none())
        .map(|(c, _)| *c)
        .collect();
    for c in keys {
        let ps = periods(year);
        let total = s.index[&(c, ps[4])];
        let parts = ps[..4].iter().map(|p| s.index[&(c, *p)]).collect();
        s.equations.push(Equation { total, parts });
    }
    s
}

impl System {
    /// The sum of the cells `parts` and how much of it each office holds.
    fn sum_of(&self, parts: &[usize]) -> (f64, BTreeMap<i64, f64>) {
        let mut who: BTreeMap<i64, f64> = BTreeMap::new();
        for &i in parts {
            for (o, x) in &self.parts[i] {
                *who.entry(*o).or_default() += x;
            }
        }
        (parts.iter().map(|&i| self.raw[i]).sum(), who)
    }

    /// Whether office `o` knows cell `i` from its own cases alone (it is the only office that
    /// can have cases in it).
    fn known_to(&self, i: usize, o: i64) -> bool {
        self.parts[i].keys().all(|&w| w == o)
    }

    /// The part of cell `i` that is other offices' cases, seen from office `o`.
    fn others_part(&self, i: usize, o: i64) -> f64 {
        self.raw[i] - self.parts[i].get(&o).copied().unwrap_or(0.0)
    }

    fn offices(&self) -> BTreeSet<i64> {
        self.parts.iter().flat_map(|p| p.keys().copied()).collect()
    }
}

/// Small numbers of other offices' cases inside a cell, as an office sees it.
fn small_for_insider(s: &System, i: usize, o: i64) -> bool {
    let x = s.others_part(i, o);
    x > 0.0 && x < f64::from(CASE_THRESHOLD)
}

/// Suppresses one system; `forced` cells (value > 0) are suppressed whatever their size.
fn protect(s: &System, forced: &[bool]) -> Vec<Option<Disclosure>> {
    let offices = s.offices();
    // A cell in which some office would find a small number of the others' cases (its own
    // subtracted) is protected like a small cell.
    let thresholds: Vec<u32> = (0..s.values.len())
        .map(|i| {
            let sensitive = s.values[i].is_some()
                && offices
                    .iter()
                    .any(|&o| s.parts[i].contains_key(&o) && small_for_insider(s, i, o));
            if forced.get(i).copied().unwrap_or(false) || sensitive {
                u32::MAX
            } else {
                CASE_THRESHOLD
            }
        })
        .collect();
    let mut d = suppress(&s.values, &thresholds, &s.equations);
    loop {
        // The public: any suppressed cell computable from the published ones?
        let mut leak: Option<(usize, Option<i64>)> = derivable_cells(&s.equations, &d)
            .into_iter()
            .next()
            .map(|c| (c, None));
        // Insiders: an office that knows its own cells computes a suppressed cell in which
        // the other offices' part is small.
        if leak.is_none() {
            'offices: for &o in &offices {
                let mut known = d.clone();
                for (i, k) in known.iter_mut().enumerate() {
                    if s.known_to(i, o) {
                        *k = Some(Disclosure::Open);
                    }
                }
                for c in derivable_cells(&s.equations, &known) {
                    if !s.known_to(c, o) && small_for_insider(s, c, o) {
                        leak = Some((c, Some(o)));
                        break 'offices;
                    }
                }
            }
        }
        let Some((cell, insider)) = leak else {
            return d;
        };
        // One more partner: an open cell sharing an equation with the leaking cell, unknown to
        // the insider; the smallest at or above the threshold, else the smallest positive,
        // else any.
        let unknown_to_insider = |i: usize| insider.is_none_or(|o| !s.known_to(i, o));
        let mut cands: Vec<usize> = s
            .equations
            .iter()
            .filter(|e| e.total == cell || e.parts.contains(&cell))
            .flat_map(|e| std::iter::once(e.total).chain(e.parts.iter().copied()))
            .filter(|&i| d[i] == Some(Disclosure::Open) && unknown_to_insider(i))
            .collect();
        if cands.is_empty() {
            // Widen to every open cell unknown to the insider.
            cands = (0..d.len())
                .filter(|&i| d[i] == Some(Disclosure::Open) && unknown_to_insider(i))
                .collect();
        }
        cands.sort_unstable();
        cands.dedup();
        let t = f64::from(CASE_THRESHOLD);
        let pick = cands
            .iter()
            .copied()
            .filter(|&i| s.raw[i] >= t)
            .min_by(|&a, &b| s.raw[a].total_cmp(&s.raw[b]))
            .or_else(|| {
                cands
                    .iter()
                    .copied()
                    .filter(|&i| s.raw[i] > 0.0)
                    .min_by(|&a, &b| s.raw[a].total_cmp(&s.raw[b]))
            })
            .or_else(|| cands.first().copied());
        match pick {
            Some(p) => d[p] = Some(Disclosure::Secondary),
            // Nothing left to suppress: withhold the leaking cell's whole system.
            None => {
                for x in d.iter_mut().filter(|x| x.is_some()) {
                    *x = Some(Disclosure::Secondary);
                }
                return d;
            }
        }
    }
}

/// Computes the suppressed statistics for `years` (with quarters).
async fn compute(
    pool: &Pool,
    years: &[i32],
) -> Result<(Layout, HashMap<(Unit, Period, usize), Shown>)> {
    let (layout, raw) = load(pool).await?;
    let mut cells = HashMap::new();
    for &year in years {
        // Cases first: the contacts of a suppressed cases cell are suppressed too.
        let mut case_disclosure: HashMap<(Cellish, Period), bool> = HashMap::new();
        for m in 0..layout.measures.len() {
            let sys = build_system(&layout, &raw, m, year);
            let forced: Vec<bool> = if m == 1 {
                let mut f = vec![false; sys.values.len()];
                for (k, &i) in &sys.index {
                    f[i] = case_disclosure.get(k).copied().unwrap_or(false);
                }
                f
            } else {
                Vec::new()
            };
            let d = protect(&sys, &forced);
            for (k, &i) in &sys.index {
                let Cellish::Shown(unit) = k.0 else { continue };
                let shown = match d[i] {
                    Some(Disclosure::Open) => Shown::Value(sys.raw[i] as u64),
                    _ => Shown::Suppressed,
                };
                if m == 0 {
                    case_disclosure.insert(*k, shown == Shown::Suppressed);
                }
                cells.insert((unit, k.1, m), shown);
            }
        }
    }
    Ok((layout, cells))
}

async fn first_year(pool: &Pool) -> Result<Option<i32>> {
    let first: Option<String> = sqlx::query_scalar(
        "SELECT MIN(m) FROM (SELECT MIN(opened_on) AS m FROM office_case
                             UNION ALL SELECT MIN(opened_month) FROM case_residue) x",
    )
    .fetch_one(pool)
    .await?;
    Ok(first.and_then(|s| s.get(0..4).and_then(|y| y.parse().ok())))
}

/// The statistics for supervisors: every office and action area, per year and quarter, from
/// the first case to the running year (`today`'s). Logged.
pub async fn statistics(pool: &Pool, actor: &Actor, today: Date) -> Result<Statistics> {
    if !actor.sees_all_aggregates() {
        return Err(OfficeError::Forbidden(
            "the statistics of the offices need the supervisor role".into(),
        ));
    }
    let years: Vec<i32> = match first_year(pool).await? {
        Some(f) => (f.min(today.y)..=today.y).collect(),
        None => Vec::new(),
    };
    let (layout, cells) = compute(pool, &years).await?;
    audit::log(
        pool,
        actor.audit_id(),
        "office.stats.view",
        "offices",
        &format!("{} years", years.len()),
    )
    .await?;
    Ok(Statistics {
        threshold: CASE_THRESHOLD,
        running_year: years.contains(&today.y).then_some(today.y),
        years,
        quarters: true,
        offices: layout.offices,
        areas: layout.areas,
        measures: layout.measures,
        cells,
    })
}

/// The public statistics: per action area and all offices, per completed calendar year only
/// (a running year's figures would change with each new case and so give away single cases).
pub async fn public_statistics(pool: &Pool, today: Date) -> Result<Statistics> {
    let years: Vec<i32> = match first_year(pool).await? {
        Some(f) if f < today.y => (f..today.y).collect(),
        _ => Vec::new(),
    };
    let (layout, mut cells) = compute(pool, &years).await?;
    cells.retain(|(u, p, _), _| !matches!(u, Unit::Office(_)) && p.quarter.is_none());
    Ok(Statistics {
        threshold: CASE_THRESHOLD,
        years,
        running_year: None,
        quarters: false,
        offices: Vec::new(),
        areas: layout.areas,
        measures: layout.measures,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(offices: &[(i64, &[i64])]) -> Layout {
        let mut areas: BTreeSet<i64> = BTreeSet::new();
        let mut pairs = BTreeMap::new();
        for (o, a) in offices {
            pairs.insert(*o, a.iter().copied().collect::<BTreeSet<i64>>());
            areas.extend(a.iter());
        }
        Layout {
            offices: offices
                .iter()
                .map(|(o, _)| Named {
                    id: *o,
                    name: format!("O{o}"),
                    is_example: false,
                })
                .collect(),
            areas: areas
                .into_iter()
                .map(|a| Named {
                    id: a,
                    name: format!("A{a}"),
                    is_example: false,
                })
                .collect(),
            pairs,
            measures: vec![Measure::Cases],
        }
    }

    fn raw(entries: &[(i64, Option<i64>, u32, u64)]) -> Raw {
        let mut r = Raw::default();
        for &(o, a, q, n) in entries {
            r.counts.insert((0, o, a, 2024, q), n);
        }
        r
    }

    fn shown(s: &System, d: &[Option<Disclosure>], c: Cellish, quarter: Option<u32>) -> Shown {
        let i = s.index[&(
            c,
            Period {
                year: 2024,
                quarter,
            },
        )];
        match d[i] {
            Some(Disclosure::Open) => Shown::Value(s.raw[i] as u64),
            _ => Shown::Suppressed,
        }
    }

    /// No published combination (public or insider) derives a suppressed cell with other
    /// offices' cases in it.
    fn assert_safe(s: &System, d: &[Option<Disclosure>]) {
        assert!(derivable_cells(&s.equations, d).is_empty());
        for o in s.offices() {
            let mut known = d.to_vec();
            for (i, k) in known.iter_mut().enumerate() {
                if s.known_to(i, o) {
                    *k = Some(Disclosure::Open);
                }
            }
            // Published cells: no small number of the others' cases inside.
            for (i, di) in d.iter().enumerate() {
                if *di == Some(Disclosure::Open) && !s.known_to(i, o) {
                    assert!(!small_for_insider(s, i, o), "office {o} reads cell {i}");
                }
            }
            for c in derivable_cells(&s.equations, &known) {
                assert!(
                    s.known_to(c, o) || !small_for_insider(s, c, o),
                    "office {o} can compute cell {c}"
                );
            }
        }
    }

    #[test]
    fn small_office_is_protected_from_the_other_office() {
        // Office 1 in area 10 has 20 cases in Q1, office 2 in area 20 has 3 in Q1.
        let l = layout(&[(1, &[10]), (2, &[20])]);
        let r = raw(&[(1, Some(10), 1, 20), (2, Some(20), 1, 3)]);
        let s = build_system(&l, &r, 0, 2024);
        let d = protect(&s, &[]);
        assert_safe(&s, &d);
        // Office 2's count is suppressed (primary) everywhere it shows.
        assert_eq!(
            shown(&s, &d, Cellish::Shown(Unit::Office(2)), Some(1)),
            Shown::Suppressed
        );
        assert_eq!(
            shown(&s, &d, Cellish::Shown(Unit::Area(20)), None),
            Shown::Suppressed
        );
        // Office 1 knows its 20; with the total published it would know office 2's 3: so the
        // total is withheld (or office 1's figure is, which does not help office 1).
        let total = shown(&s, &d, Cellish::Shown(Unit::Total), None);
        assert_eq!(total, Shown::Suppressed);
    }

    #[test]
    fn big_cells_stay_published() {
        let l = layout(&[(1, &[10]), (2, &[20]), (3, &[30])]);
        let r = raw(&[
            (1, Some(10), 1, 20),
            (2, Some(20), 1, 9),
            (3, Some(30), 1, 12),
        ]);
        let s = build_system(&l, &r, 0, 2024);
        let d = protect(&s, &[]);
        assert_safe(&s, &d);
        assert_eq!(
            shown(&s, &d, Cellish::Shown(Unit::Total), None),
            Shown::Value(41)
        );
        assert_eq!(
            shown(&s, &d, Cellish::Shown(Unit::Area(20)), Some(1)),
            Shown::Value(9)
        );
        // Q2–Q4 are zeros: published (zero is never suppressed).
        assert_eq!(
            shown(&s, &d, Cellish::Shown(Unit::Area(20)), Some(2)),
            Shown::Value(0)
        );
    }

    #[test]
    fn quarters_and_shared_areas() {
        // Two offices share area 10; office 2 also serves 20; some cases without area.
        let l = layout(&[(1, &[10]), (2, &[10, 20])]);
        let r = raw(&[
            (1, Some(10), 1, 7),
            (1, Some(10), 2, 2),
            (2, Some(10), 1, 1),
            (2, Some(20), 3, 11),
            (2, None, 4, 2),
            (1, None, 2, 6),
        ]);
        let s = build_system(&l, &r, 0, 2024);
        let d = protect(&s, &[]);
        assert_safe(&s, &d);
        for c in [
            Cellish::Shown(Unit::Office(1)),
            Cellish::Shown(Unit::Area(10)),
        ] {
            // Q2 of office 1 (2+6 = 8) is fine, but area 10's Q2 (2) is primary.
            let _ = shown(&s, &d, c, Some(2));
        }
        assert_eq!(
            shown(&s, &d, Cellish::Shown(Unit::Area(10)), Some(2)),
            Shown::Suppressed
        );
    }

    #[test]
    fn randomised_tables_are_always_safe() {
        // A small deterministic generator: many layouts and counts, every result checked.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for _ in 0..150 {
            let n_off = 1 + next(4) as i64;
            let offices: Vec<(i64, Vec<i64>)> = (1..=n_off)
                .map(|o| {
                    let k = 1 + next(2) as i64;
                    (o, (0..k).map(|j| 10 + (o + j) % 4).collect())
                })
                .collect();
            let refs: Vec<(i64, &[i64])> =
                offices.iter().map(|(o, a)| (*o, a.as_slice())).collect();
            let l = layout(&refs);
            let mut entries = Vec::new();
            for (o, areas) in &offices {
                for q in 1..=4 {
                    for a in areas {
                        entries.push((*o, Some(*a), q, next(12)));
                    }
                    if next(3) == 0 {
                        entries.push((*o, None, q, next(4)));
                    }
                }
            }
            let r = raw(&entries);
            let s = build_system(&l, &r, 0, 2024);
            let d = protect(&s, &[]);
            assert_safe(&s, &d);
            for (i, v) in s.values.iter().enumerate() {
                if let Some(v) = v
                    && *v > 0.0
                    && *v < 5.0
                {
                    assert_ne!(d[i], Some(Disclosure::Open), "primary cell {i} published");
                }
            }
        }
    }
}
