//! From base variables to published indicator values (METHODS §1, §2 and §6).
//!
//! The steps, in order:
//! 1. the given observations fill a dense table of cells (area × period × variable); a value
//!    given for an area is its official value, at every level;
//! 2. an area of the hierarchy without a given value gets the sum of its children (never an
//!    average of rates; never for a non-additive variable); where an area has a given value, the
//!    sum of its children is computed alongside, and a warning names variable, area and period
//!    when the sum is larger, or smaller by more than the tolerance. Of a level with several
//!    boundary vintages only one vintage's areas count in a period: the vintage valid then (or,
//!    where it has no value of the variable, the newest that has);
//!    2b. each older vintage is converted onto the next through the crosswalk, `Σ weight × old
//!    area`, wherever the newer vintage has no given value of the variable in the period (given
//!    values win; the conversion is kept beside them, [`Computed::conversions`]);
//! 3. overlay areas (Aktionsräume) without a given value get `Σ share × member` over their
//!    member areas — an estimate where a member is split (share below 1);
//! 4. derived variables (sums of others) are formed in every area;
//! 5. the part not assigned to an area: for every area and every finer level, the area's value
//!    minus the sum of its areas on that level ([`Computed::residuals`]);
//! 6. confidentiality: primary suppression of small counts (the not-assigned parts and the
//!    overlays' values included), then secondary suppression until no suppressed cell can be
//!    recomputed from the equations `area = Σ finer areas + not assigned`,
//!    `overlay = Σ share × member`, `converted area = Σ weight × old area` and
//!    `derived = Σ parts` ([`crate::suppress`]); small converted counts are withheld like any
//!    count;
//! 7. indicators are evaluated from numerators and denominators in every area and period (with
//!    the official numerator and denominator where both are given), and for the not-assigned
//!    parts ([`Computed::unassigned`]); a published value is taken as it is, and coarser areas
//!    and overlays get the mean weighted by the declared weight, or nothing.

use crate::catalogue::{Catalogue, Formula, VariableKind};
use crate::locale::{Locale, format_trimmed};
use crate::model::{AreaTree, Membership, Obs};
use crate::stats::{Z_95, wilson};
use crate::suppress::{WeightedEquation, suppress_weighted};
use num_rational::Ratio;
use num_traits::One;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Settings of the computation, stored with every load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputeSettings {
    /// Counts `0 < n < threshold` are suppressed (METHODS §6; default 3).
    pub suppression_threshold: u32,
    /// The variable that counts the population, for the reliability flag.
    pub population_variable: Option<String>,
    /// Areas with fewer inhabitants are flagged as unreliable (MSS: 300).
    pub min_population: Option<f64>,
    /// The largest share of an official value that may be not assigned to its sub-areas without
    /// a warning (default 0.01: 1 %). A sum of sub-areas above the official value is always
    /// reported.
    #[serde(default = "default_unassigned_tolerance")]
    pub unassigned_tolerance: f64,
}

/// The default of [`ComputeSettings::unassigned_tolerance`].
pub fn default_unassigned_tolerance() -> f64 {
    0.01
}

impl Default for ComputeSettings {
    fn default() -> Self {
        ComputeSettings {
            suppression_threshold: 3,
            population_variable: None,
            min_population: None,
            unassigned_tolerance: default_unassigned_tolerance(),
        }
    }
}

/// The state of a cell of the variable table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CellState {
    /// From the input.
    Given,
    /// Sum of the children's values.
    Aggregated,
    /// Sum of the parts of a derived variable (or an area's value minus the sum of its finer
    /// areas, for a not-assigned part).
    Derived,
    /// An overlay's `Σ share × member` where some member is split (share below 1): an estimate.
    Estimated,
    /// An area of a newer boundary vintage in a year of an older one: `Σ weight × old area`
    /// over the crosswalk's links into it.
    Converted,
    /// Not available.
    Missing,
    /// Withheld by the source.
    SourceSuppressed,
    /// An aggregate or sum with missing or withheld parts: not computable.
    Incomplete,
}

/// How a cell is published after confidentiality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Published.
    Open,
    /// Primary suppression: `0 < n < threshold`.
    Primary,
    /// Secondary suppression: would let a primary cell be recomputed.
    Secondary,
}

/// One cell: a base or derived variable in one area and period.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The value, when the state carries one.
    pub value: Option<f64>,
    /// Where the value came from.
    pub state: CellState,
    /// Confidentiality.
    pub disclosure: Disclosure,
    /// The value rests on counts converted from an older boundary vintage (the cell's own
    /// conversion, or a sum with a converted part).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub converted: bool,
}

impl Cell {
    const MISSING: Cell = Cell {
        value: None,
        state: CellState::Missing,
        disclosure: Disclosure::Open,
        converted: false,
    };
}

/// The state of an indicator value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueState {
    /// Published.
    Ok,
    /// An input is missing.
    Missing,
    /// An input was withheld by the source.
    SourceSuppressed,
    /// An aggregate had missing or withheld parts.
    Incomplete,
    /// The denominator (or the reference) is zero: not defined.
    Undefined,
    /// Suppressed here for confidentiality (primary or secondary).
    Suppressed,
}

impl ValueState {
    /// The state's name as stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueState::Ok => "ok",
            ValueState::Missing => "missing",
            ValueState::SourceSuppressed => "source_suppressed",
            ValueState::Incomplete => "incomplete",
            ValueState::Undefined => "undefined",
            ValueState::Suppressed => "suppressed",
        }
    }

    /// Parses a stored state name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "ok" => ValueState::Ok,
            "missing" => ValueState::Missing,
            "source_suppressed" => ValueState::SourceSuppressed,
            "incomplete" => ValueState::Incomplete,
            "undefined" => ValueState::Undefined,
            "suppressed" => ValueState::Suppressed,
            _ => return None,
        })
    }

    /// Whether the value is withheld for confidentiality (here or at the source), as opposed to
    /// simply not being available.
    pub fn is_suppressed(self) -> bool {
        matches!(self, ValueState::Suppressed | ValueState::SourceSuppressed)
    }
}

/// Where an indicator value comes from, shown with it in every output.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// From the values given for this area: the official figures (sums of given parts of a
    /// derived variable included).
    #[default]
    Official,
    /// From the sums of the sub-areas (or of an overlay's whole member areas): no value was given
    /// for this area.
    Summed,
    /// An overlay's value from member areas of which some are split: `Σ share × member`, an
    /// estimate.
    Estimated,
    /// From counts of an older boundary vintage converted onto this area through the crosswalk
    /// (`Σ weight × old area`), in a year before its boundaries were valid: an estimate.
    Converted,
    /// A published value taken as it is (`formula = "published"`), not recomputed.
    Published,
    /// The mean of the sub-areas' (or members') published values weighted by the indicator's
    /// weight variable.
    WeightedMean,
}

impl Basis {
    /// The name as stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Official => "official",
            Basis::Summed => "summed",
            Basis::Estimated => "estimated",
            Basis::Converted => "converted",
            Basis::Published => "published",
            Basis::WeightedMean => "weighted_mean",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "official" => Basis::Official,
            "summed" => Basis::Summed,
            "estimated" => Basis::Estimated,
            "converted" => Basis::Converted,
            "published" => Basis::Published,
            "weighted_mean" => Basis::WeightedMean,
            _ => return None,
        })
    }

    /// An estimate (an overlay's value from shares of its members, or a value converted from
    /// an older boundary vintage): its counts have no meaningful fraction and are shown whole.
    pub fn is_estimate(self) -> bool {
        matches!(self, Basis::Estimated | Basis::Converted)
    }

    /// The mark of the basis in tables: `≈` an estimate ([`Basis::is_estimate`]), `Ø` a
    /// weighted mean of published values; none for values as given, summed or published.
    pub fn mark(self) -> Option<&'static str> {
        match self {
            Basis::Estimated | Basis::Converted => Some("≈"),
            Basis::WeightedMean => Some("Ø"),
            _ => None,
        }
    }
}

/// An indicator in one area and period, with its counts. The raw numbers stay here even when
/// suppressed (for authorised staff); [`IndicatorValue::published`] is what outputs show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorValue {
    /// Index into the catalogue's indicators.
    pub indicator: usize,
    /// Index into the tree's areas.
    pub area: usize,
    /// The period (year).
    pub period: i32,
    /// The computed value, if computable.
    pub value: Option<f64>,
    /// The numerator count (or the counted variable).
    pub numerator: Option<f64>,
    /// The denominator count (or the area in km² for densities).
    pub denominator: Option<f64>,
    /// Published, missing, suppressed …
    pub state: ValueState,
    /// 95 % Wilson interval, scaled like the value (proportions only).
    pub ci: Option<(f64, f64)>,
    /// The area has fewer inhabitants than the configured minimum: read with care.
    pub low_population: bool,
    /// Where the value comes from (official, summed, estimated, published …).
    #[serde(default)]
    pub basis: Basis,
}

impl IndicatorValue {
    /// The value as published: `None` unless the state is [`ValueState::Ok`].
    pub fn published(&self) -> Option<f64> {
        if self.state == ValueState::Ok {
            self.value
        } else {
            None
        }
    }

    /// The numerator as published.
    pub fn published_numerator(&self) -> Option<f64> {
        if self.state == ValueState::Ok {
            self.numerator
        } else {
            None
        }
    }

    /// The denominator as published.
    pub fn published_denominator(&self) -> Option<f64> {
        if self.state == ValueState::Ok {
            self.denominator
        } else {
            None
        }
    }
}

/// Given observations, keyed by (area index, period, variable index).
pub type Observations = HashMap<(usize, i32, usize), Obs>;

/// A warning found while computing (not an error: the load goes on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Where (indicator or variable, area key, period).
    pub context: String,
    /// What.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.context, self.message)
    }
}

/// The part of an area's value not assigned to any of its areas on a finer level (official
/// value minus the sum over the finer areas), for every variable and period.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResidualGroup {
    /// The coarser area.
    pub area: usize,
    /// The finer level.
    pub level: usize,
    /// The areas of that level inside the area.
    pub parts: Vec<usize>,
    /// Cells indexed by `[period][variable]`, flattened: the difference (missing when the
    /// area's value or a part is missing) with its disclosure.
    pub cells: Vec<Cell>,
}

/// An indicator evaluated for the part of an area not assigned to its areas on a finer level
/// ("nicht zugeordnet"), where that part is larger than zero.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unassigned {
    /// The finer level: the row goes under the table of that level's areas inside `value.area`.
    pub level: usize,
    /// The value (its `area` is the coarser area).
    pub value: IndicatorValue,
}

/// The result of [`compute`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Computed {
    /// All periods, ascending.
    pub periods: Vec<i32>,
    /// Cells indexed by `[period][area][variable]`, flattened (see [`Computed::cell`]).
    pub cells: Vec<Cell>,
    /// Number of areas (for indexing).
    pub n_areas: usize,
    /// Number of variables (for indexing).
    pub n_vars: usize,
    /// Every indicator in every area and period (for every period of the atlas).
    pub values: Vec<IndicatorValue>,
    /// The parts not assigned to an area, per coarser area and finer level.
    pub residuals: Vec<ResidualGroup>,
    /// Conversions onto a newer boundary vintage where the vintage has given values of the
    /// variable in that period (which win), keyed by (period index, area, variable): a ratio
    /// whose other count is converted takes these, so that both refer to the same people.
    pub conversions: BTreeMap<(usize, usize, usize), Cell>,
    /// Indicators of the parts not assigned to an area, where such a part exists.
    pub unassigned: Vec<Unassigned>,
    /// Warnings.
    pub warnings: Vec<Warning>,
}

impl Computed {
    fn idx(&self, period_idx: usize, area: usize, var: usize) -> usize {
        (period_idx * self.n_areas + area) * self.n_vars + var
    }

    /// The cell of a variable in one area and period.
    pub fn cell(&self, period: i32, area: usize, var: usize) -> Option<&Cell> {
        let p = self.periods.binary_search(&period).ok()?;
        self.cells.get(self.idx(p, area, var))
    }

    /// The value of one indicator in one area and period.
    pub fn value(&self, indicator: usize, area: usize, period: i32) -> Option<&IndicatorValue> {
        self.values
            .iter()
            .find(|v| v.indicator == indicator && v.area == area && v.period == period)
    }

    /// The part of `area`'s value of a variable not assigned to its areas on `level`.
    pub fn residual(&self, area: usize, level: usize, period: i32, var: usize) -> Option<&Cell> {
        let p = self.periods.binary_search(&period).ok()?;
        self.residuals
            .iter()
            .find(|g| g.area == area && g.level == level)
            .and_then(|g| g.cells.get(p * self.n_vars + var))
    }
}

/// The shape of the area tree that the computation walks.
struct Shape {
    children: Vec<Vec<usize>>,
    members: Vec<Vec<Membership>>,
    /// Areas of the hierarchy with children, deepest first.
    parents: Vec<usize>,
    /// (area, finer level, the areas of that level inside the area).
    groups: Vec<(usize, usize, Vec<usize>)>,
}

impl Shape {
    fn new(tree: &AreaTree) -> Self {
        let depths = tree
            .level_depths()
            .unwrap_or_else(|_| vec![0; tree.levels.len()]);
        let children = tree.children();
        let overlay = |a: usize| tree.levels[tree.areas[a].level].overlay;
        let mut parents: Vec<usize> = (0..tree.areas.len())
            .filter(|&a| !children[a].is_empty() && !overlay(a))
            .collect();
        parents.sort_by_key(|&a| std::cmp::Reverse(depths[tree.areas[a].level]));
        let mut groups: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        for d in 0..tree.areas.len() {
            if overlay(d) {
                continue;
            }
            let mut up = tree.areas[d].parent;
            // A checked tree has no cycle; the bound keeps an unchecked one from looping.
            for _ in 0..tree.levels.len() {
                let Some(a) = up else { break };
                groups.entry((a, tree.areas[d].level)).or_default().push(d);
                up = tree.areas[a].parent;
            }
        }
        Shape {
            children,
            members: tree.members(),
            parents,
            groups: groups.into_iter().map(|((a, l), d)| (a, l, d)).collect(),
        }
    }
}

/// The boundary vintages the computation walks (METHODS §1): which vintage of a level sums to
/// the coarser areas in each period, and the crosswalks from each older vintage to the next.
struct Vintages {
    n_periods: usize,
    n_vars: usize,
    /// The family (a level with several vintages) of each level.
    family: Vec<Option<usize>>,
    /// The vintage of each family that sums to the coarser areas, `[family][period][variable]`.
    chosen: Vec<usize>,
    /// Each older vintage's crosswalk onto the next, oldest first within a family.
    conversions: Vec<Conversion>,
    /// (vintage, period, variable) where some area of the vintage has a given value (or one
    /// withheld by the source).
    given: HashSet<(usize, usize, usize)>,
}

/// The crosswalk from one vintage onto the next: the areas of the next vintage with their links
/// (area of the older vintage, weight in millionths).
struct Conversion {
    new_level: usize,
    targets: Vec<(usize, Vec<(usize, i64)>)>,
}

impl Vintages {
    /// The families and crosswalks of `tree`, and from the given observations the vintage that
    /// sums to the coarser areas: in each period and for each variable the vintage valid in the
    /// period if it has given values, else the newest vintage that has (e.g. a published rate
    /// given on the new boundaries for a year of the old ones), else the valid one.
    fn new(tree: &AreaTree, obs: &Observations, periods: &[i32], n_vars: usize) -> Self {
        let mut family = vec![None; tree.levels.len()];
        let mut families: Vec<Vec<usize>> = Vec::new();
        let mut conversions = Vec::new();
        for l in 0..tree.levels.len() {
            if family[l].is_some() {
                continue;
            }
            let chain = tree.vintages_of(l);
            if chain.len() < 2 {
                continue;
            }
            for &v in &chain {
                family[v] = Some(families.len());
            }
            for pair in chain.windows(2) {
                let mut targets: BTreeMap<usize, Vec<(usize, i64)>> = BTreeMap::new();
                for link in &tree.crosswalk {
                    if tree.areas[link.old_area].level == pair[0]
                        && tree.areas[link.new_area].level == pair[1]
                    {
                        targets
                            .entry(link.new_area)
                            .or_default()
                            .push((link.old_area, link.weight_millionths()));
                    }
                }
                conversions.push(Conversion {
                    new_level: pair[1],
                    targets: targets.into_iter().collect(),
                });
            }
            families.push(chain);
        }
        let mut given = HashSet::new();
        if !families.is_empty() {
            for (&(area, period, var), o) in obs {
                let level = tree.areas[area].level;
                if family[level].is_some()
                    && !matches!(o, Obs::Missing)
                    && let Ok(p) = periods.binary_search(&period)
                {
                    given.insert((level, p, var));
                }
            }
        }
        let mut chosen = Vec::with_capacity(families.len() * periods.len() * n_vars);
        for chain in &families {
            for &year in periods {
                let valid = chain
                    .iter()
                    .copied()
                    .find(|&l| tree.levels[l].valid_in(year));
                for v in 0..n_vars {
                    let p = periods.binary_search(&year).unwrap_or(0);
                    let has = |l: usize| given.contains(&(l, p, v));
                    let c = match valid {
                        Some(l) if has(l) => l,
                        _ => chain
                            .iter()
                            .rev()
                            .copied()
                            .find(|&l| has(l))
                            .or(valid)
                            .unwrap_or(chain[chain.len() - 1]),
                    };
                    chosen.push(c);
                }
            }
        }
        Vintages {
            n_periods: periods.len(),
            n_vars,
            family,
            chosen,
            conversions,
            given,
        }
    }

    /// Whether the areas of `level` sum to their coarser areas in period `p` for variable `v`
    /// (always, for a level without vintages).
    fn is_active(&self, level: usize, p: usize, v: usize) -> bool {
        match self.family.get(level).copied().flatten() {
            None => true,
            Some(f) => self.chosen[(f * self.n_periods + p) * self.n_vars + v] == level,
        }
    }

    /// `children` without the areas of vintages that do not sum to the coarser areas in period
    /// `p` for variable `v`.
    fn active<'c>(
        &self,
        tree: &AreaTree,
        children: &'c [usize],
        p: usize,
        v: usize,
    ) -> std::borrow::Cow<'c, [usize]> {
        if self.family.iter().all(Option::is_none) {
            return std::borrow::Cow::Borrowed(children);
        }
        std::borrow::Cow::Owned(
            children
                .iter()
                .copied()
                .filter(|&c| self.is_active(tree.areas[c].level, p, v))
                .collect(),
        )
    }
}

/// Converts the counts of every older boundary vintage onto the next, oldest first, so that a
/// chain of reforms converts through each crosswalk in turn: an area of the newer vintage gets
/// `Σ weight × old area` of every additive variable in every period in which no area of its
/// vintage has a given value of that variable. Where the newer vintage has given values (a
/// source that recomputed an old year on the new boundaries), they win, and the conversion is
/// kept beside them ([`Computed::conversions`]) for ratios whose other count is converted.
fn convert(out: &mut Computed, catalogue: &Catalogue, vintages: &Vintages) {
    for p in 0..out.periods.len() {
        for c in &vintages.conversions {
            for (v, var) in catalogue.variables.iter().enumerate() {
                if !var.is_additive() {
                    continue;
                }
                let given = vintages.given.contains(&(c.new_level, p, v));
                for (new_area, links) in &c.targets {
                    let mut cell = share_sum(out, p, v, links, CellState::Converted);
                    if cell.state == CellState::Missing {
                        continue;
                    }
                    cell.converted = true;
                    if given {
                        out.conversions.insert((p, *new_area, v), cell);
                    } else {
                        let i = out.idx(p, *new_area, v);
                        out.cells[i] = cell;
                    }
                }
            }
        }
    }
}

/// Computes cells and indicator values. `obs` holds the given data; `tree` and `catalogue` must
/// have passed their checks.
pub fn compute(
    tree: &AreaTree,
    catalogue: &Catalogue,
    obs: &Observations,
    settings: &ComputeSettings,
) -> Computed {
    let mut periods: Vec<i32> = obs.keys().map(|k| k.1).collect();
    periods.sort_unstable();
    periods.dedup();
    let n_areas = tree.areas.len();
    let n_vars = catalogue.variables.len();
    let mut out = Computed {
        cells: vec![Cell::MISSING; periods.len() * n_areas * n_vars],
        periods,
        n_areas,
        n_vars,
        values: Vec::new(),
        residuals: Vec::new(),
        conversions: BTreeMap::new(),
        unassigned: Vec::new(),
        warnings: Vec::new(),
    };
    let var_index: HashMap<&str, usize> = catalogue
        .variables
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), i))
        .collect();
    let shape = Shape::new(tree);
    let vintages = Vintages::new(tree, obs, &out.periods, n_vars);
    let n_p = out.periods.len();

    // 1. given observations
    for (&(area, period, var), o) in obs {
        let Ok(p) = out.periods.binary_search(&period) else {
            continue;
        };
        let i = out.idx(p, area, var);
        out.cells[i] = match *o {
            Obs::Value(v) => Cell {
                value: Some(v),
                state: CellState::Given,
                ..Cell::MISSING
            },
            Obs::Missing => Cell::MISSING,
            Obs::Suppressed => Cell {
                state: CellState::SourceSuppressed,
                ..Cell::MISSING
            },
        };
    }

    // 2. aggregation through the hierarchy, finest level first (of a level with several
    //    boundary vintages, the one that sums to the coarser areas in the period)
    for p in 0..n_p {
        for &a in &shape.parents {
            for v in 0..n_vars {
                let children = vintages.active(tree, &shape.children[a], p, v);
                aggregate_cell(&mut out, tree, catalogue, &children, p, a, v, settings);
            }
        }
    }

    // 2b. older boundary vintages converted onto the newer ones
    convert(&mut out, catalogue, &vintages);

    // 3. overlays from their members
    for p in 0..n_p {
        for (o, members) in shape.members.iter().enumerate() {
            if members.is_empty() {
                continue;
            }
            for v in 0..n_vars {
                overlay_cell(&mut out, catalogue, members, p, o, v);
            }
        }
    }

    // 4. derived variables, parts first
    for dv in catalogue.derived_order() {
        let v = var_index[dv.id.as_str()];
        let parts: Vec<usize> = dv
            .sum
            .iter()
            .filter_map(|s| var_index.get(s.as_str()).copied())
            .collect();
        for p in 0..n_p {
            for a in 0..n_areas {
                let i = out.idx(p, a, v);
                if out.cells[i].value.is_some() {
                    continue;
                }
                let cells: Vec<Cell> = parts
                    .iter()
                    .map(|&pv| out.cells[out.idx(p, a, pv)])
                    .collect();
                out.cells[i] = sum_cells(&cells, CellState::Derived);
            }
        }
        // On a newer vintage in a year of an older one, parts given and parts converted are not
        // added: the sum is that of the conversions (kept beside the given parts); where no part
        // is converted, the sum of the given parts stands and the sum of their conversions is
        // kept beside it.
        let beside: BTreeMap<(usize, usize), ()> = out
            .conversions
            .keys()
            .filter(|k| parts.contains(&k.2))
            .map(|k| ((k.0, k.1), ()))
            .collect();
        for &(p, a) in beside.keys() {
            let i = out.idx(p, a, v);
            if out.cells[i].state == CellState::Given || out.conversions.contains_key(&(p, a, v)) {
                continue;
            }
            let mixed = parts
                .iter()
                .any(|&pv| out.cells[out.idx(p, a, pv)].converted);
            let cells: Vec<Cell> = parts
                .iter()
                .map(|&pv| {
                    out.conversions
                        .get(&(p, a, pv))
                        .copied()
                        .unwrap_or(out.cells[out.idx(p, a, pv)])
                })
                .collect();
            let cell = sum_cells(&cells, CellState::Derived);
            if mixed {
                out.cells[i] = cell;
            } else if cell.value.is_some() {
                out.conversions.insert((p, a, v), cell);
            }
        }
    }

    // 5. the parts not assigned to an area
    out.residuals = shape
        .groups
        .iter()
        .map(|(a, level, parts)| residual_group(&out, catalogue, &vintages, *a, *level, parts))
        .collect();

    // 6. confidentiality on the count cells that indicators publish (or weight by)
    let mut published_var = vec![false; n_vars];
    for ind in &catalogue.indicators {
        for var in ind.formula.variables() {
            if let Some(&v) = var_index.get(var) {
                published_var[v] = true;
            }
        }
    }
    apply_suppression(
        &mut out,
        catalogue,
        &shape,
        &vintages,
        &published_var,
        &var_index,
        settings,
    );

    // 7. indicators
    let root = tree.root();
    let pop_var = settings
        .population_variable
        .as_deref()
        .and_then(|id| var_index.get(id).copied());
    for (ii, ind) in catalogue.indicators.iter().enumerate() {
        let means = match &ind.formula {
            Formula::Published {
                variable,
                weight: Some(w),
            } => Some(weighted_means(
                &out,
                tree,
                &shape,
                &vintages,
                var_index[variable.as_str()],
                var_index[w.as_str()],
            )),
            _ => None,
        };
        for (p, &period) in out.periods.clone().iter().enumerate() {
            let reference = match (&ind.formula, root) {
                (
                    Formula::Index {
                        numerator,
                        denominator,
                    },
                    Some(r),
                ) => index_base(
                    &out,
                    p,
                    r,
                    var_index[numerator.as_str()],
                    denominator.as_deref().map(|d| var_index[d]),
                ),
                _ => None,
            };
            for a in 0..n_areas {
                let mut value = match (&ind.formula, &means) {
                    (_, Some(m)) => m[p * n_areas + a].value(),
                    (Formula::Published { variable, .. }, None) => {
                        published_value(out.cells[out.idx(p, a, var_index[variable.as_str()])])
                    }
                    _ => area_value(
                        &mut out,
                        tree,
                        catalogue,
                        &shape,
                        &vintages,
                        &var_index,
                        (ii, p, a),
                        reference,
                    ),
                };
                value.indicator = ii;
                value.period = period;
                value.area = a;
                if let (Some(pv), Some(min)) = (pop_var, settings.min_population)
                    && let Some(pop) = out.cells[out.idx(p, a, pv)].value
                {
                    value.low_population = pop < min;
                }
                if let Formula::Ratio {
                    proportion: true, ..
                } = ind.formula
                    && let (Some(n), Some(d)) = (value.numerator, value.denominator)
                    && n > d
                {
                    out.warnings.push(Warning {
                        context: format!(
                            "indicator `{}`, area `{}`, {}",
                            ind.id, tree.areas[a].key, period
                        ),
                        message: format!(
                            "numerator ({n}) is larger than denominator ({d}) in a proportion"
                        ),
                    });
                }
                out.values.push(value);
            }
            // the parts not assigned to an area
            if matches!(
                ind.formula,
                Formula::Published { .. } | Formula::Density { .. }
            ) {
                continue;
            }
            let num_var = var_index[ind.formula.numerator()];
            let den_var = ind.formula.denominator().map(|d| var_index[d]);
            for g in &out.residuals {
                let num = g.cells[p * n_vars + num_var];
                let den = den_var.map(|d| g.cells[p * n_vars + d]);
                let known = |c: &Cell| c.value.filter(|&x| x >= 0.0);
                let (Some(n), Some(d)) = (
                    known(&num),
                    match den {
                        Some(c) => known(&c),
                        None => Some(0.0),
                    },
                ) else {
                    continue;
                };
                if n == 0.0 && d == 0.0 {
                    continue;
                }
                let mut value = evaluate(&ind.formula, num, den, None, reference);
                value.indicator = ii;
                value.period = period;
                value.area = g.area;
                out.unassigned.push(Unassigned {
                    level: g.level,
                    value,
                });
            }
        }
    }
    out
}

fn sum_cells(cells: &[Cell], state: CellState) -> Cell {
    let converted = cells.iter().any(|c| c.converted);
    if cells.iter().all(|c| c.value.is_some()) && !cells.is_empty() {
        Cell {
            value: Some(cells.iter().filter_map(|c| c.value).sum()),
            state,
            disclosure: Disclosure::Open,
            converted,
        }
    } else if cells.iter().all(|c| c.state == CellState::Missing) {
        Cell::MISSING
    } else {
        Cell {
            value: None,
            state: CellState::Incomplete,
            disclosure: Disclosure::Open,
            converted,
        }
    }
}

/// `Σ share × cell` of `v` over `(area, share in millionths)`: an overlay area from its members,
/// or an area of a newer boundary vintage from the crosswalk's links into it. Computed as
/// `Σ (millionths × value) / 10⁶`, so that counts stay exact (the products of whole counts are
/// whole numbers below 2⁵³) and converted counts add up to the counts they came from. A part that
/// is missing or withheld makes the result incomplete.
fn share_sum(out: &Computed, p: usize, v: usize, parts: &[(usize, i64)], state: CellState) -> Cell {
    let cells: Vec<Cell> = parts
        .iter()
        .map(|&(a, _)| out.cells[out.idx(p, a, v)])
        .collect();
    let mut c = sum_cells(&cells, state);
    if c.value.is_some() {
        let scaled: f64 = parts
            .iter()
            .zip(&cells)
            .filter_map(|(&(_, m), c)| c.value.map(|x| m as f64 * x))
            .sum();
        c.value = Some(scaled / 1e6);
    }
    c
}

/// A number for a message: whole numbers without decimals, others to three.
fn plain(x: f64) -> String {
    format_trimmed(x, 3, Locale::En)
}

#[allow(clippy::too_many_arguments)]
fn aggregate_cell(
    out: &mut Computed,
    tree: &AreaTree,
    catalogue: &Catalogue,
    children: &[usize],
    p: usize,
    a: usize,
    v: usize,
    settings: &ComputeSettings,
) {
    // A non-additive variable is never summed: the area keeps what was given, else missing.
    if !catalogue.variables[v].is_additive() {
        return;
    }
    let cells: Vec<Cell> = children
        .iter()
        .map(|&c| out.cells[out.idx(p, c, v)])
        .collect();
    let agg = sum_cells(&cells, CellState::Aggregated);
    let i = out.idx(p, a, v);
    let given = out.cells[i];
    match (given.state, agg.value) {
        (CellState::Given, Some(sum)) => {
            // The official value stays; the sum is computed alongside (METHODS §2).
            if let Some(g) = given.value
                && let Some(message) =
                    official_difference(g, sum, children.len(), settings.unassigned_tolerance)
            {
                out.warnings.push(Warning {
                    context: format!(
                        "variable `{}`, area `{}`, {}",
                        catalogue.variables[v].id, tree.areas[a].key, out.periods[p]
                    ),
                    message,
                });
            }
        }
        (CellState::Given, None) | (CellState::SourceSuppressed, None) => {}
        (_, Some(_)) => out.cells[i] = agg,
        (_, None) => {
            if agg.state == CellState::Incomplete {
                out.cells[i] = agg;
            }
        }
    }
}

/// The warning when the sum of `n` sub-areas exceeds the official value, or falls short of it by
/// more than `tolerance` (a share of the official value).
fn official_difference(official: f64, sum: f64, n: usize, tolerance: f64) -> Option<String> {
    let noise = 1e-9 * official.abs().max(1.0);
    let diff = official - sum;
    if diff < -noise {
        Some(format!(
            "the sum of its {n} sub-areas ({}) is larger than the official value ({}) by {}; the official value is used",
            plain(sum),
            plain(official),
            plain(-diff)
        ))
    } else if diff > tolerance * official.abs() + noise {
        Some(format!(
            "the official value ({}) is larger than the sum of its {n} sub-areas ({}) by {} ({} % of it, more than the tolerance of {} %); the official value is used and the difference is shown as not assigned to an area",
            plain(official),
            plain(sum),
            plain(diff),
            format_trimmed(diff / official.abs() * 100.0, 2, Locale::En),
            format_trimmed(tolerance * 100.0, 2, Locale::En)
        ))
    } else {
        None
    }
}

/// An overlay area's cell: `Σ share × member` of an additive variable, unless given.
fn overlay_cell(
    out: &mut Computed,
    catalogue: &Catalogue,
    members: &[Membership],
    p: usize,
    o: usize,
    v: usize,
) {
    let i = out.idx(p, o, v);
    if matches!(
        out.cells[i].state,
        CellState::Given | CellState::SourceSuppressed
    ) || !catalogue.variables[v].is_additive()
    {
        return;
    }
    let parts: Vec<(usize, i64)> = members
        .iter()
        .map(|m| (m.member_area, m.share_millionths()))
        .collect();
    let mut c = share_sum(out, p, v, &parts, CellState::Aggregated);
    if c.value.is_some() && members.iter().any(|m| m.share_millionths() < 1_000_000) {
        c.state = CellState::Estimated;
    }
    out.cells[i] = c;
}

/// The not-assigned part of `area` on `level` for every period and additive variable.
fn residual_group(
    out: &Computed,
    catalogue: &Catalogue,
    vintages: &Vintages,
    area: usize,
    level: usize,
    parts: &[usize],
) -> ResidualGroup {
    let mut cells = vec![Cell::MISSING; out.periods.len() * out.n_vars];
    for p in 0..out.periods.len() {
        for (v, var) in catalogue.variables.iter().enumerate() {
            // A vintage that does not sum to the coarser areas in this period has no part
            // "not assigned" to it.
            if !var.is_additive() || !vintages.is_active(level, p, v) {
                continue;
            }
            let total = out.cells[out.idx(p, area, v)];
            let part_cells: Vec<Cell> =
                parts.iter().map(|&d| out.cells[out.idx(p, d, v)]).collect();
            let sum = sum_cells(&part_cells, CellState::Derived);
            cells[p * out.n_vars + v] = match (total.value, sum.value) {
                (Some(t), Some(s)) => {
                    let r = t - s;
                    // Sums of amounts with decimals carry rounding noise; it is not a part.
                    let r = if r.abs() <= 1e-9 * t.abs().max(1.0) {
                        0.0
                    } else {
                        r
                    };
                    Cell {
                        value: Some(r),
                        state: CellState::Derived,
                        ..sum
                    }
                }
                (None, _) if total.state == CellState::Missing => Cell::MISSING,
                _ => Cell {
                    value: None,
                    state: CellState::Incomplete,
                    ..sum
                },
            };
        }
    }
    ResidualGroup {
        area,
        level,
        parts: parts.to_vec(),
        cells,
    }
}

/// A share as an exact fraction.
fn share_ratio(m: &Membership) -> Ratio<i64> {
    Ratio::new(m.share_millionths(), 1_000_000)
}

#[allow(clippy::too_many_arguments)]
fn apply_suppression(
    out: &mut Computed,
    catalogue: &Catalogue,
    shape: &Shape,
    vintages: &Vintages,
    published_var: &[bool],
    var_index: &HashMap<&str, usize>,
    settings: &ComputeSettings,
) {
    let n_p = out.periods.len();
    let count_vars: Vec<usize> = (0..out.n_vars)
        .filter(|&v| published_var[v] && catalogue.variables[v].kind == VariableKind::Count)
        .collect();
    if count_vars.is_empty() {
        return;
    }
    // One cell list per period; equations: area = Σ finer areas + not assigned, overlay =
    // Σ share × member, converted area = Σ weight × old area, derived = Σ parts.
    for p in 0..n_p {
        let mut values = Vec::new();
        let mut ids = HashMap::new();
        let mut thresholds = Vec::new();
        let mut residual_ids = HashMap::new();
        // Conversions kept beside given values (they are published where a ratio uses them).
        let mut side_ids: HashMap<(usize, usize), usize> = HashMap::new();
        for &v in &count_vars {
            let t = catalogue.variables[v]
                .suppression_threshold
                .unwrap_or(settings.suppression_threshold);
            for a in 0..out.n_areas {
                let c = out.cells[out.idx(p, a, v)];
                ids.insert((a, v), values.len());
                values.push(c.value);
                // An overlay's estimate from shares is no count of persons: it is not withheld
                // for being small, only where it would give a suppressed member away.
                thresholds.push(if c.state == CellState::Estimated {
                    0
                } else {
                    t
                });
            }
            for (g, group) in out.residuals.iter().enumerate() {
                residual_ids.insert((g, v), values.len());
                values.push(group.cells[p * out.n_vars + v].value);
                thresholds.push(t);
            }
            for (&(_, a, sv), c) in out.conversions.range((p, 0, 0)..(p + 1, 0, 0)) {
                if sv == v {
                    side_ids.insert((a, v), values.len());
                    values.push(c.value);
                    thresholds.push(t);
                }
            }
        }
        let one = Ratio::<i64>::one;
        let mut equations = Vec::new();
        for &v in &count_vars {
            if !catalogue.variables[v].is_additive() {
                continue;
            }
            for (g, (a, level, parts)) in shape.groups.iter().enumerate() {
                if !vintages.is_active(*level, p, v) {
                    continue;
                }
                let mut terms: Vec<(usize, Ratio<i64>)> =
                    parts.iter().map(|&d| (ids[&(d, v)], one())).collect();
                // A part of nothing not assigned has no row in any output: a reader knows it is
                // 0, so it is no unknown (and no partner that would protect anything).
                if out.residuals[g].cells[p * out.n_vars + v].value != Some(0.0) {
                    terms.push((residual_ids[&(g, v)], one()));
                }
                equations.push(WeightedEquation {
                    total: ids[&(*a, v)],
                    parts: terms,
                });
            }
            for (o, members) in shape.members.iter().enumerate() {
                if members.is_empty() {
                    continue;
                }
                let mut terms: Vec<(usize, Ratio<i64>)> = members
                    .iter()
                    .map(|m| (ids[&(m.member_area, v)], share_ratio(m)))
                    .collect();
                let c = out.cells[out.idx(p, o, v)];
                if matches!(c.state, CellState::Given | CellState::SourceSuppressed) {
                    // A given overlay value need not equal its members' shares: the rest is
                    // taken as known to a reader (the safe assumption), never suppressed itself.
                    let rest = c.value.and_then(|x| {
                        members
                            .iter()
                            .map(|m| {
                                out.cells[out.idx(p, m.member_area, v)]
                                    .value
                                    .map(|y| m.share_used() * y)
                            })
                            .sum::<Option<f64>>()
                            .map(|s| x - s)
                    });
                    terms.push((values.len(), one()));
                    values.push(rest);
                    thresholds.push(0);
                }
                equations.push(WeightedEquation {
                    total: ids[&(o, v)],
                    parts: terms,
                });
            }
            // A converted count (or one kept beside a given value) is a weighted sum of the
            // older vintage's counts, with the crosswalk's weights as exact fractions.
            for c in &vintages.conversions {
                for (new_area, links) in &c.targets {
                    let total = match side_ids.get(&(*new_area, v)) {
                        Some(&id) => id,
                        None if out.cells[out.idx(p, *new_area, v)].state
                            == CellState::Converted =>
                        {
                            ids[&(*new_area, v)]
                        }
                        None => continue,
                    };
                    let parts = links
                        .iter()
                        .map(|&(old, m)| (ids[&(old, v)], Ratio::new(m, 1_000_000)))
                        .collect();
                    equations.push(WeightedEquation { total, parts });
                }
            }
        }
        for dv in &catalogue.variables {
            if dv.sum.is_empty() {
                continue;
            }
            let v = var_index[dv.id.as_str()];
            let parts: Vec<usize> = dv.sum.iter().map(|s| var_index[s.as_str()]).collect();
            if !published_var[v] && !parts.iter().any(|&q| published_var[q]) {
                continue;
            }
            for a in 0..out.n_areas {
                // Unpublished variables are unknown to a reader; model them as unknown cells.
                let cell_id = |var: usize,
                               values: &mut Vec<Option<f64>>,
                               ids: &mut HashMap<(usize, usize), usize>,
                               thresholds: &mut Vec<u32>| {
                    *ids.entry((a, var)).or_insert_with(|| {
                        values.push(None);
                        thresholds.push(0);
                        values.len() - 1
                    })
                };
                let total = cell_id(v, &mut values, &mut ids, &mut thresholds);
                let terms: Vec<(usize, Ratio<i64>)> = parts
                    .iter()
                    .map(|&q| (cell_id(q, &mut values, &mut ids, &mut thresholds), one()))
                    .collect();
                equations.push(WeightedEquation {
                    total,
                    parts: terms,
                });
                // The same sum over the conversions kept beside given values.
                if let Some(&total) = side_ids.get(&(a, v)) {
                    let terms = parts
                        .iter()
                        .map(|&q| {
                            let id = match side_ids.get(&(a, q)) {
                                Some(&id) => id,
                                // Beside a given value but not published: unknown to a reader.
                                None if out.conversions.contains_key(&(p, a, q)) => {
                                    values.push(None);
                                    thresholds.push(0);
                                    values.len() - 1
                                }
                                None => cell_id(q, &mut values, &mut ids, &mut thresholds),
                            };
                            (id, one())
                        })
                        .collect();
                    equations.push(WeightedEquation {
                        total,
                        parts: terms,
                    });
                }
            }
        }
        let result = suppress_weighted(&values, &thresholds, &equations);
        for (&(a, v), &id) in &ids {
            if let Some(d) = result.get(id).copied().flatten() {
                let i = out.idx(p, a, v);
                out.cells[i].disclosure = d;
            }
        }
        for (&(g, v), &id) in &residual_ids {
            if let Some(d) = result.get(id).copied().flatten() {
                out.residuals[g].cells[p * out.n_vars + v].disclosure = d;
            }
        }
        for (&(a, v), &id) in &side_ids {
            if let (Some(d), Some(c)) = (
                result.get(id).copied().flatten(),
                out.conversions.get_mut(&(p, a, v)),
            ) {
                c.disclosure = d;
            }
        }
    }
}

/// The index reference `x_ref` of the city.
fn index_base(
    out: &Computed,
    p: usize,
    root: usize,
    num: usize,
    den: Option<usize>,
) -> Option<f64> {
    let n = out.cells[out.idx(p, root, num)].value?;
    match den {
        Some(d) => {
            let d = out.cells[out.idx(p, root, d)].value?;
            (d != 0.0).then(|| n / d)
        }
        None => Some(n),
    }
}

fn input_state(c: &Cell) -> Option<ValueState> {
    if c.disclosure != Disclosure::Open {
        return Some(ValueState::Suppressed);
    }
    match c.state {
        CellState::Missing => Some(ValueState::Missing),
        CellState::SourceSuppressed => Some(ValueState::SourceSuppressed),
        CellState::Incomplete => Some(ValueState::Incomplete),
        _ => None,
    }
}

/// The worst state among the inputs, in the order suppressed > source suppressed > incomplete >
/// missing: a value that is suppressed must never look merely missing.
fn worst(states: &[Option<ValueState>]) -> Option<ValueState> {
    let rank = |s: &ValueState| match s {
        ValueState::Suppressed => 4,
        ValueState::SourceSuppressed => 3,
        ValueState::Incomplete => 2,
        ValueState::Missing => 1,
        _ => 0,
    };
    states.iter().flatten().copied().max_by_key(rank)
}

/// Where a cell's value comes from: given here, summed from sub-areas (or whole members),
/// estimated from split members, or converted from an older boundary vintage (also when only a
/// part of a sum was); a derived cell as its least direct part.
fn basis_of(
    out: &Computed,
    catalogue: &Catalogue,
    var_index: &HashMap<&str, usize>,
    p: usize,
    a: usize,
    v: usize,
) -> Basis {
    let cell = out.cells[out.idx(p, a, v)];
    if cell.converted {
        return Basis::Converted;
    }
    match cell.state {
        CellState::Aggregated => Basis::Summed,
        CellState::Estimated => Basis::Estimated,
        CellState::Derived => catalogue.variables[v]
            .sum
            .iter()
            .filter_map(|s| var_index.get(s.as_str()))
            .map(|&q| basis_of(out, catalogue, var_index, p, a, q))
            .max()
            .unwrap_or(Basis::Official),
        _ => Basis::Official,
    }
}

/// An indicator (not a published value) in one area and period: the official numerator and
/// denominator where both are given; where one is official and differs from the sum of the
/// sub-areas while the other is that sum, both are taken as sums (so that they count the same
/// people), with a warning.
#[allow(clippy::too_many_arguments)]
fn area_value(
    out: &mut Computed,
    tree: &AreaTree,
    catalogue: &Catalogue,
    shape: &Shape,
    vintages: &Vintages,
    var_index: &HashMap<&str, usize>,
    (ii, p, a): (usize, usize, usize),
    reference: Option<f64>,
) -> IndicatorValue {
    let ind = &catalogue.indicators[ii];
    let nv = var_index[ind.formula.numerator()];
    let dv = ind.formula.denominator().map(|d| var_index[d]);
    let mut num = out.cells[out.idx(p, a, nv)];
    let mut den = dv.map(|d| out.cells[out.idx(p, a, d)]);
    // On a newer boundary vintage in a year of an older one, a ratio whose one count is
    // converted and the other given takes the conversion of the given one too: both counts then
    // refer to the same people (a recomputed total over area-weighted parts would not).
    if let (Some(d), Some(dc)) = (dv, den)
        && (num.converted || dc.converted)
    {
        if let Some(c) = out.conversions.get(&(p, a, d)) {
            den = Some(*c);
        }
        if let Some(c) = out.conversions.get(&(p, a, nv)) {
            num = *c;
        }
    }
    let basis_of_cell = |c: &Cell, v: usize| {
        if c.converted {
            Basis::Converted
        } else {
            basis_of(out, catalogue, var_index, p, a, v)
        }
    };
    let basis_n = basis_of_cell(&num, nv);
    let mut basis = basis_n;
    if let (Some(d), Some(dc)) = (dv, den) {
        let basis_d = basis_of_cell(&dc, d);
        basis = basis.max(basis_d);
        let mixed = match (basis_n, basis_d) {
            (Basis::Official, Basis::Summed) => Some(nv),
            (Basis::Summed, Basis::Official) => Some(d),
            _ => None,
        };
        let children = match mixed {
            Some(official) => vintages.active(tree, &shape.children[a], p, official),
            None => std::borrow::Cow::Borrowed(&[][..]),
        };
        if let Some(official) = mixed
            && !children.is_empty()
        {
            let cells: Vec<Cell> = children
                .iter()
                .map(|&c| out.cells[out.idx(p, c, official)])
                .collect();
            let sum = sum_cells(&cells, CellState::Aggregated);
            let given = out.cells[out.idx(p, a, official)];
            let differs = match (given.value, sum.value) {
                (Some(g), Some(s)) => (g - s).abs() > 1e-9 * g.abs().max(1.0),
                _ => true,
            };
            if differs && given.value.is_some() {
                // The sum gives away the not-assigned part (official − sum): it is withheld
                // with that part, as with the official value.
                let child_level = tree.areas[children[0]].level;
                let rest = out
                    .residuals
                    .iter()
                    .find(|g| g.area == a && g.level == child_level)
                    .map(|g| g.cells[p * out.n_vars + official].disclosure)
                    .unwrap_or(Disclosure::Open);
                let disclosure = if rest == Disclosure::Open {
                    given.disclosure
                } else {
                    Disclosure::Secondary
                };
                let replaced = Cell { disclosure, ..sum };
                if official == nv {
                    num = replaced;
                } else {
                    den = Some(replaced);
                }
                out.warnings.push(Warning {
                    context: format!(
                        "indicator `{}`, area `{}`, {}",
                        ind.id, tree.areas[a].key, out.periods[p]
                    ),
                    message: format!(
                        "`{}` is given (official) and `{}` only as the sum of the sub-areas; both are taken as sums of the sub-areas so that they refer to the same people",
                        catalogue.variables[official].id,
                        catalogue.variables[if official == nv { d } else { nv }].id
                    ),
                });
            }
        }
    }
    let km2 = tree.areas[a].area_km2;
    let mut v = evaluate(&ind.formula, num, den, km2, reference);
    v.basis = basis;
    if matches!(basis, Basis::Estimated | Basis::Converted) {
        // A Wilson interval assumes counted cases, not estimates from shares.
        v.ci = None;
    }
    v
}

/// A published value as given (coarser areas and overlays without a weight get nothing).
fn published_value(c: Cell) -> IndicatorValue {
    let mut v = IndicatorValue {
        indicator: 0,
        area: 0,
        period: 0,
        value: None,
        numerator: None,
        denominator: None,
        state: ValueState::Ok,
        ci: None,
        low_population: false,
        basis: Basis::Published,
    };
    match (c.state, c.value) {
        (CellState::Given, Some(x)) => v.value = Some(x),
        (CellState::SourceSuppressed, _) => v.state = ValueState::SourceSuppressed,
        _ => v.state = ValueState::Missing,
    }
    v
}

/// A published indicator with a weight, in one area and period.
#[derive(Clone, Copy)]
struct Mean {
    value: Option<f64>,
    state: ValueState,
    basis: Basis,
}

impl Mean {
    fn value(self) -> IndicatorValue {
        let mut v = published_value(Cell::MISSING);
        v.value = self.value;
        v.state = self.state;
        v.basis = self.basis;
        v
    }
}

/// The published values of `var` where given, and elsewhere the mean of the parts weighted by
/// `weight` (Σ w·x / Σ w; overlays and areas of a newer boundary vintage in a year of an older
/// one: Σ s·w·x / Σ s·w with the members' shares or the crosswalk's weights), bottom-up; indexed
/// `[period][area]`. A mean that rests on a suppressed weight is suppressed (it would give the
/// weight away).
fn weighted_means(
    out: &Computed,
    tree: &AreaTree,
    shape: &Shape,
    vintages: &Vintages,
    var: usize,
    weight: usize,
) -> Vec<Mean> {
    let n = out.n_areas;
    let mut m = Vec::with_capacity(out.periods.len() * n);
    for p in 0..out.periods.len() {
        for a in 0..n {
            let v = published_value(out.cells[out.idx(p, a, var)]);
            m.push(Mean {
                value: v.value,
                state: v.state,
                basis: v.basis,
            });
        }
    }
    let mean = |m: &[Mean], p: usize, parts: &[(usize, f64)]| -> Mean {
        let mut states = Vec::new();
        let (mut sw, mut swx) = (0.0, 0.0);
        for &(c, share) in parts {
            let x = m[p * n + c];
            let w = out.cells[out.idx(p, c, weight)];
            states.push((x.state != ValueState::Ok).then_some(x.state));
            states.push(input_state(&w));
            if let (Some(x), Some(w)) = (x.value, w.value) {
                sw += share * w;
                swx += share * w * x;
            }
        }
        let all_missing = states.chunks(2).all(|s| s[0] == Some(ValueState::Missing));
        let state = match worst(&states) {
            _ if all_missing => Some(ValueState::Missing),
            Some(ValueState::Missing) => Some(ValueState::Incomplete),
            s => s,
        };
        match state {
            Some(s) => Mean {
                value: None,
                state: s,
                basis: Basis::WeightedMean,
            },
            None if sw == 0.0 => Mean {
                value: None,
                state: ValueState::Undefined,
                basis: Basis::WeightedMean,
            },
            None => Mean {
                value: Some(swx / sw),
                state: ValueState::Ok,
                basis: Basis::WeightedMean,
            },
        }
    };
    let given = |m: &Mean| m.state != ValueState::Missing;
    for p in 0..out.periods.len() {
        for c in &vintages.conversions {
            if vintages.given.contains(&(c.new_level, p, var)) {
                continue;
            }
            for (new_area, links) in &c.targets {
                let parts: Vec<(usize, f64)> = links
                    .iter()
                    .map(|&(old, w)| (old, w as f64 / 1e6))
                    .collect();
                let x = mean(&m, p, &parts);
                if x.state != ValueState::Missing {
                    m[p * n + new_area] = Mean {
                        basis: Basis::Converted,
                        ..x
                    };
                }
            }
        }
        for &a in &shape.parents {
            if given(&m[p * n + a]) {
                continue;
            }
            let parts: Vec<(usize, f64)> = vintages
                .active(tree, &shape.children[a], p, var)
                .iter()
                .map(|&c| (c, 1.0))
                .collect();
            m[p * n + a] = mean(&m, p, &parts);
        }
        for (o, members) in shape.members.iter().enumerate() {
            if members.is_empty() || given(&m[p * n + o]) {
                continue;
            }
            let parts: Vec<(usize, f64)> = members
                .iter()
                .map(|x| (x.member_area, x.share_used()))
                .collect();
            m[p * n + o] = mean(&m, p, &parts);
        }
    }
    m
}

/// Evaluates a formula from its numerator and denominator cells (and the area in km² for a
/// density).
fn evaluate(
    formula: &Formula,
    num: Cell,
    den: Option<Cell>,
    km2: Option<f64>,
    reference: Option<f64>,
) -> IndicatorValue {
    let mut v = IndicatorValue {
        indicator: 0,
        area: 0,
        period: 0,
        value: None,
        numerator: num.value,
        denominator: den.and_then(|d| d.value),
        state: ValueState::Ok,
        ci: None,
        low_population: false,
        basis: Basis::Official,
    };
    if let Some(s) = worst(&[input_state(&num), den.as_ref().and_then(input_state)]) {
        v.state = s;
        return v;
    }
    let n = num.value.unwrap_or(0.0);
    match formula {
        Formula::Count { .. } => v.value = Some(n),
        Formula::Density { .. } => match km2 {
            Some(km2) if km2 > 0.0 => {
                v.denominator = Some(km2);
                v.value = Some(n / km2);
            }
            _ => v.state = ValueState::Undefined,
        },
        Formula::Ratio {
            factor, proportion, ..
        } => {
            let d = v.denominator.unwrap_or(0.0);
            if d == 0.0 {
                v.state = ValueState::Undefined;
            } else {
                v.value = Some(n / d * factor);
                if *proportion {
                    v.ci = wilson(n, d, Z_95).map(|(lo, hi)| (lo * factor, hi * factor));
                }
            }
        }
        Formula::Quotient { factor, .. } => {
            let d = v.denominator.unwrap_or(0.0);
            if d == 0.0 {
                v.state = ValueState::Undefined;
            } else {
                v.value = Some(n / d * factor);
            }
        }
        Formula::Index { denominator, .. } => {
            let x = match denominator {
                Some(_) => {
                    let d = v.denominator.unwrap_or(0.0);
                    if d == 0.0 {
                        v.state = ValueState::Undefined;
                        return v;
                    }
                    n / d
                }
                None => n,
            };
            match reference {
                Some(r) if r != 0.0 => v.value = Some(x / r * 100.0),
                Some(_) => v.state = ValueState::Undefined,
                None => v.state = ValueState::Missing,
            }
        }
        Formula::Published { .. } => v.value = Some(n),
    }
    v
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vintage_tests;
