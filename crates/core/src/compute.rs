//! From base variables to published indicator values (METHODS §2 and §6).
//!
//! The steps, in order:
//! 1. the given observations fill a dense table of cells (area × period × variable);
//! 2. values are aggregated bottom-up through the hierarchy by summing children (never averaging
//!    rates) — the city reference value is this aggregate;
//! 3. derived variables (sums of others) are formed in every area;
//! 4. confidentiality: primary suppression of small counts, then secondary suppression until no
//!    suppressed cell can be recomputed from a published total ([`crate::suppress`]);
//! 5. indicators are evaluated from numerators and denominators in every area and period.

use crate::catalogue::{Catalogue, Formula, VariableKind};
use crate::model::{AreaTree, Obs};
use crate::stats::{Z_95, wilson};
use crate::suppress::{Equation, suppress};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Settings of the computation, stored with every load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComputeSettings {
    /// Counts `0 < n < threshold` are suppressed (METHODS §6; default 3).
    pub suppression_threshold: u32,
    /// The variable that counts the population, for the reliability flag.
    pub population_variable: Option<String>,
    /// Areas with fewer inhabitants are flagged as unreliable (MSS: 300).
    pub min_population: Option<f64>,
}

impl Default for ComputeSettings {
    fn default() -> Self {
        ComputeSettings {
            suppression_threshold: 3,
            population_variable: None,
            min_population: None,
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
    /// Sum of the parts of a derived variable.
    Derived,
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
}

impl Cell {
    const MISSING: Cell = Cell {
        value: None,
        state: CellState::Missing,
        disclosure: Disclosure::Open,
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
        warnings: Vec::new(),
    };
    let var_index: HashMap<&str, usize> = catalogue
        .variables
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.as_str(), i))
        .collect();

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
                disclosure: Disclosure::Open,
            },
            Obs::Missing => Cell::MISSING,
            Obs::Suppressed => Cell {
                value: None,
                state: CellState::SourceSuppressed,
                disclosure: Disclosure::Open,
            },
        };
    }

    // 2. aggregation, finest level first
    let depths = tree
        .level_depths()
        .unwrap_or_else(|_| vec![0; tree.levels.len()]);
    let children = tree.children();
    let mut parents: Vec<usize> = (0..n_areas)
        .filter(|&a| !children[a].is_empty() && !tree.levels[tree.areas[a].level].overlay)
        .collect();
    parents.sort_by_key(|&a| std::cmp::Reverse(depths[tree.areas[a].level]));
    for p in 0..out.periods.len() {
        for &a in &parents {
            for v in 0..n_vars {
                aggregate_cell(&mut out, tree, catalogue, &children[a], p, a, v);
            }
        }
    }

    // 3. derived variables, parts first
    for dv in catalogue.derived_order() {
        let v = var_index[dv.id.as_str()];
        let parts: Vec<usize> = dv
            .sum
            .iter()
            .filter_map(|s| var_index.get(s.as_str()).copied())
            .collect();
        for p in 0..out.periods.len() {
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
    }

    // 4. confidentiality on the count cells that indicators publish
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
        tree,
        catalogue,
        &children,
        &published_var,
        &var_index,
        settings,
    );

    // 5. indicators
    let root = tree.root();
    let pop_var = settings
        .population_variable
        .as_deref()
        .and_then(|id| var_index.get(id).copied());
    for (ii, ind) in catalogue.indicators.iter().enumerate() {
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
                let mut value = evaluate(&out, tree, &var_index, &ind.formula, p, a, reference);
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
        }
    }
    out
}

fn sum_cells(cells: &[Cell], state: CellState) -> Cell {
    if cells.iter().all(|c| c.value.is_some()) && !cells.is_empty() {
        Cell {
            value: Some(cells.iter().filter_map(|c| c.value).sum()),
            state,
            disclosure: Disclosure::Open,
        }
    } else if cells.iter().all(|c| c.state == CellState::Missing) {
        Cell::MISSING
    } else {
        Cell {
            value: None,
            state: CellState::Incomplete,
            disclosure: Disclosure::Open,
        }
    }
}

fn aggregate_cell(
    out: &mut Computed,
    tree: &AreaTree,
    catalogue: &Catalogue,
    children: &[usize],
    p: usize,
    a: usize,
    v: usize,
) {
    let cells: Vec<Cell> = children
        .iter()
        .map(|&c| out.cells[out.idx(p, c, v)])
        .collect();
    let agg = sum_cells(&cells, CellState::Aggregated);
    let i = out.idx(p, a, v);
    let given = out.cells[i];
    match (given.state, agg.value) {
        (CellState::Given, Some(sum)) => {
            // The aggregate is the reference (METHODS §2); say so when the source differs.
            if let Some(g) = given.value
                && (g - sum).abs() > 1e-9 * g.abs().max(1.0)
            {
                out.warnings.push(Warning {
                    context: format!(
                        "variable `{}`, area `{}`, {}",
                        catalogue.variables[v].id, tree.areas[a].key, out.periods[p]
                    ),
                    message: format!(
                        "the given value {g} differs from the sum of its {} sub-areas {sum}; the sum is used",
                        children.len()
                    ),
                });
            }
            out.cells[i] = agg;
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

#[allow(clippy::too_many_arguments)]
fn apply_suppression(
    out: &mut Computed,
    tree: &AreaTree,
    catalogue: &Catalogue,
    children: &[Vec<usize>],
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
    // One cell list per period; equations: parent = Σ children and derived = Σ parts.
    for p in 0..n_p {
        let mut values = Vec::new();
        let mut ids = HashMap::new();
        let mut thresholds = Vec::new();
        for &v in &count_vars {
            let t = catalogue.variables[v]
                .suppression_threshold
                .unwrap_or(settings.suppression_threshold);
            for a in 0..out.n_areas {
                let c = out.cells[out.idx(p, a, v)];
                ids.insert((a, v), values.len());
                values.push(c.value);
                thresholds.push(t);
            }
        }
        let mut equations = Vec::new();
        for &v in &count_vars {
            for (a, ch) in children.iter().enumerate() {
                if ch.is_empty() || tree.levels[tree.areas[a].level].overlay {
                    continue;
                }
                equations.push(Equation {
                    total: ids[&(a, v)],
                    parts: ch.iter().map(|&c| ids[&(c, v)]).collect(),
                });
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
                let parts: Vec<usize> = parts
                    .iter()
                    .map(|&q| cell_id(q, &mut values, &mut ids, &mut thresholds))
                    .collect();
                equations.push(Equation { total, parts });
            }
        }
        let result = suppress(&values, &thresholds, &equations);
        for (&(a, v), &id) in &ids {
            if let Some(d) = result.get(id).copied().flatten() {
                let i = out.idx(p, a, v);
                out.cells[i].disclosure = d;
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

fn evaluate(
    out: &Computed,
    tree: &AreaTree,
    var_index: &HashMap<&str, usize>,
    formula: &Formula,
    p: usize,
    a: usize,
    reference: Option<f64>,
) -> IndicatorValue {
    let cell = |var: &str| out.cells[out.idx(p, a, var_index[var])];
    let mut v = IndicatorValue {
        indicator: 0,
        area: a,
        period: 0,
        value: None,
        numerator: None,
        denominator: None,
        state: ValueState::Ok,
        ci: None,
        low_population: false,
    };
    let (num, den) = match formula {
        Formula::Count { variable } => (cell(variable), None),
        Formula::Density { numerator } => (cell(numerator), None),
        f => (cell(f.numerator()), f.denominator().map(cell)),
    };
    v.numerator = num.value;
    v.denominator = den.and_then(|d| d.value);
    if let Some(s) = worst(&[input_state(&num), den.as_ref().and_then(input_state)]) {
        v.state = s;
        return v;
    }
    let n = num.value.unwrap_or(0.0);
    match formula {
        Formula::Count { .. } => v.value = Some(n),
        Formula::Density { .. } => match tree.areas[a].area_km2 {
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
    }
    v
}
