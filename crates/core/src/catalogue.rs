//! The indicator catalogue (Indikatorenkatalog): dimensions, base variables and indicators,
//! defined in TOML by the city, never in code.
//!
//! The catalogue is parsed by `sozialatlas-import`; this module holds the types and the checks
//! that need no file (unknown variables, duplicate ids, cycles among derived variables).

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// A text in German and English. English falls back to German when missing. Other keys are
/// refused, so `{ de = "…", fr = "…" }` is an error, not a silently dropped text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// German text (the default language of the atlas).
    pub de: String,
    /// English text.
    #[serde(default)]
    pub en: String,
}

impl Text {
    /// Creates a text from its German and English versions.
    pub fn new(de: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            de: de.into(),
            en: en.into(),
        }
    }

    /// The text in the given locale (English falls back to German).
    pub fn get(&self, locale: crate::Locale) -> &str {
        match locale {
            crate::Locale::De => &self.de,
            crate::Locale::En if self.en.is_empty() => &self.de,
            crate::Locale::En => &self.en,
        }
    }
}

/// A thematic dimension (Dimension), e.g. Bevölkerung, Arbeitslosigkeit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Stable identifier used in URLs.
    pub id: String,
    /// Display name.
    pub name: Text,
    /// Optional description of the dimension.
    #[serde(default)]
    pub description: Option<Text>,
}

/// What a base variable measures, which decides aggregation and confidentiality.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// A count of persons, households or cases (Fallzahl): summed, subject to suppression.
    #[default]
    Count,
    /// An additive amount that is not a count of persons (euros, m²): summed, not suppressed.
    Amount,
    /// A value as the source published it — a rate, an average, a median — whose base is not
    /// published: never summed to coarser areas or overlays, not suppressed as a count, read by
    /// indicators with `formula = "published"` only.
    Value,
}

/// A base variable (Basisvariable): a count or sum per area and period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variable {
    /// Stable identifier, referenced by data mappings and formulas.
    pub id: String,
    /// Display name.
    pub name: Text,
    /// Count, amount or value.
    #[serde(default)]
    pub kind: VariableKind,
    /// Whether the values of sub-areas add up to the value of the area that contains them.
    /// `false` (e.g. moves into an area across its border, which include moves between its
    /// sub-areas): never summed to coarser levels or overlays; a coarser area without its own
    /// given value is missing. A `value` variable is never additive.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub additive: bool,
    /// A derived variable is the sum of these variables in the same area and period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sum: Vec<String>,
    /// Unit of the variable (Personen, Haushalte, EUR …).
    #[serde(default)]
    pub unit: Option<String>,
    /// Source of the data.
    #[serde(default)]
    pub source: Option<String>,
    /// Reference date (Stichtag), e.g. "31.12.".
    #[serde(default)]
    pub reference_date: Option<String>,
    /// Suppression threshold for this variable; the atlas default applies when absent.
    #[serde(default)]
    pub suppression_threshold: Option<u32>,
}

impl Variable {
    /// Whether values of sub-areas are summed to coarser areas and overlays.
    pub fn is_additive(&self) -> bool {
        self.additive && self.kind != VariableKind::Value
    }
}

/// Whether a higher value means a better or a worse social situation (Polarität).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Higher values mean a worse social situation (SGB II quota).
    HigherIsWorse,
    /// Higher values mean a better social situation (employment rate).
    HigherIsBetter,
    /// No social judgement (population density).
    #[default]
    Neutral,
}

impl Polarity {
    /// +1 when higher is worse, −1 when higher is better, 0 when neutral: multiply a z-value by
    /// this to get "higher = worse".
    pub fn sign(self) -> f64 {
        match self {
            Polarity::HigherIsWorse => 1.0,
            Polarity::HigherIsBetter => -1.0,
            Polarity::Neutral => 0.0,
        }
    }
}

/// The formula of an indicator (METHODS §2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "formula", rename_all = "snake_case")]
pub enum Formula {
    /// `numerator / denominator × factor`, e.g. SGB II quota (factor 100), births per 1,000.
    Ratio {
        /// Numerator variable.
        numerator: String,
        /// Denominator variable.
        denominator: String,
        /// Scale factor (100 for %, 1000 for ‰).
        #[serde(default = "one_hundred")]
        factor: f64,
        /// The numerator is a subset of the denominator: a Wilson interval applies and a
        /// numerator above the denominator is reported.
        #[serde(default = "yes")]
        proportion: bool,
    },
    /// `a / b × factor` between two groups that do not contain each other, e.g. the
    /// Jugendquotient (< 18 per 18–< 65 × 100).
    Quotient {
        /// Numerator variable.
        numerator: String,
        /// Denominator variable.
        denominator: String,
        /// Scale factor, default 100.
        #[serde(default = "one_hundred")]
        factor: f64,
    },
    /// `x / x_ref × 100` where `x = numerator / denominator` (or the numerator alone) and the
    /// reference is the city (Einkommensindex, Stadt = 100).
    Index {
        /// Numerator variable.
        numerator: String,
        /// Optional denominator variable (x is a per-capita value then).
        #[serde(default)]
        denominator: Option<String>,
    },
    /// `count / area in km²`.
    Density {
        /// The counted variable.
        numerator: String,
    },
    /// The plain value of a variable.
    Count {
        /// The variable shown.
        variable: String,
    },
    /// A value taken as the source published it (a rate, an average, a median whose base is
    /// not published), not recomputed. Coarser areas and overlays without their own given value
    /// get the mean of their parts weighted by `weight` (Σ w·x / Σ w), or nothing when no weight
    /// is declared — never a sum or a plain mean.
    Published {
        /// The variable (kind `value`) holding the published value.
        variable: String,
        /// The weight variable (a count, e.g. the population the rate refers to).
        #[serde(default)]
        weight: Option<String>,
    },
}

fn one_hundred() -> f64 {
    100.0
}
fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}

impl Formula {
    /// The variables the formula reads, numerator first.
    pub fn variables(&self) -> Vec<&str> {
        match self {
            Formula::Ratio {
                numerator,
                denominator,
                ..
            }
            | Formula::Quotient {
                numerator,
                denominator,
                ..
            } => vec![numerator, denominator],
            Formula::Index {
                numerator,
                denominator,
            } => {
                let mut v = vec![numerator.as_str()];
                if let Some(d) = denominator {
                    v.push(d);
                }
                v
            }
            Formula::Density { numerator } => vec![numerator],
            Formula::Count { variable } => vec![variable],
            Formula::Published { variable, weight } => {
                let mut v = vec![variable.as_str()];
                if let Some(w) = weight {
                    v.push(w);
                }
                v
            }
        }
    }

    /// The numerator (or counted) variable.
    pub fn numerator(&self) -> &str {
        self.variables()[0]
    }

    /// The denominator variable, if any (a published value's weight is none).
    pub fn denominator(&self) -> Option<&str> {
        match self {
            Formula::Ratio { denominator, .. } | Formula::Quotient { denominator, .. } => {
                Some(denominator)
            }
            Formula::Index { denominator, .. } => denominator.as_deref(),
            _ => None,
        }
    }

    /// How a change between two periods is expressed (METHODS §2).
    pub fn change_kind(&self) -> ChangeKind {
        match self {
            Formula::Count { .. } | Formula::Density { .. } => ChangeKind::Relative,
            // A published value is a rate, an average or a median: a difference in its unit.
            _ => ChangeKind::Difference,
        }
    }

    /// A short name of the formula type, as written in the catalogue.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Formula::Ratio { .. } => "ratio",
            Formula::Quotient { .. } => "quotient",
            Formula::Index { .. } => "index",
            Formula::Density { .. } => "density",
            Formula::Count { .. } => "count",
            Formula::Published { .. } => "published",
        }
    }

    /// The weight of a published value, if declared.
    pub fn weight(&self) -> Option<&str> {
        match self {
            Formula::Published { weight, .. } => weight.as_deref(),
            _ => None,
        }
    }
}

/// How a change between periods is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// `(x1 − x0) / x0 × 100`, in % (counts, densities).
    Relative,
    /// `x1 − x0` in the indicator's unit: percentage points for rates in %.
    Difference,
}

/// An indicator (Indikator) of the catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawIndicator", into = "RawIndicator")]
pub struct Indicator {
    /// Stable identifier used in URLs.
    pub id: String,
    /// Display name.
    pub name: Text,
    /// The dimension id this indicator belongs to.
    pub dimension: String,
    /// Unit shown with values: `%`, `‰`, `je 1.000`, `Personen`, `je km²` …
    pub unit: String,
    /// The formula.
    pub formula: Formula,
    /// Whether higher is better or worse.
    pub polarity: Polarity,
    /// Decimals shown (default 1, 0 for counts).
    pub decimals: Option<usize>,
    /// Definition in plain words.
    pub definition: Option<Text>,
    /// Source of the data.
    pub source: Option<String>,
    /// Reference date (Stichtag), e.g. "31.12.".
    pub reference_date: Option<String>,
    /// Notes (Hinweise) for readers.
    pub notes: Option<Text>,
    /// Whether the indicator is in the default choice of the typology and the index
    /// (`typology = false` in the catalogue leaves it out, e.g. an income index beside the income
    /// it is computed from, which would count twice); it can still be chosen by hand.
    pub in_typology: bool,
}

/// The catalogue's flat form of an indicator: `formula = "ratio"` with its fields beside it.
/// Unknown fields are refused, so a typo in the catalogue is an error, not a silent default.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    id: String,
    name: Text,
    dimension: String,
    unit: String,
    formula: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    numerator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    denominator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variable: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    factor: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    proportion: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weight: Option<String>,
    #[serde(default)]
    polarity: Polarity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decimals: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    definition: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    notes: Option<Text>,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    typology: bool,
}

impl TryFrom<RawIndicator> for Indicator {
    type Error = String;
    fn try_from(r: RawIndicator) -> Result<Self, String> {
        let need = |v: Option<String>, field: &str| {
            v.ok_or_else(|| {
                format!(
                    "indicator `{}`: formula `{}` needs the field `{field}`",
                    r.id, r.formula
                )
            })
        };
        let refuse = |present: bool, field: &str| {
            if present {
                Err(format!(
                    "indicator `{}`: formula `{}` takes no field `{field}`",
                    r.id, r.formula
                ))
            } else {
                Ok(())
            }
        };
        if r.formula != "published" {
            refuse(r.weight.is_some(), "weight")?;
        }
        let formula = match r.formula.as_str() {
            "ratio" => {
                refuse(r.variable.is_some(), "variable")?;
                Formula::Ratio {
                    numerator: need(r.numerator.clone(), "numerator")?,
                    denominator: need(r.denominator.clone(), "denominator")?,
                    factor: r.factor.unwrap_or(100.0),
                    proportion: r.proportion.unwrap_or(true),
                }
            }
            "quotient" => {
                refuse(r.variable.is_some(), "variable")?;
                refuse(r.proportion.is_some(), "proportion")?;
                Formula::Quotient {
                    numerator: need(r.numerator.clone(), "numerator")?,
                    denominator: need(r.denominator.clone(), "denominator")?,
                    factor: r.factor.unwrap_or(100.0),
                }
            }
            "index" => {
                refuse(r.variable.is_some(), "variable")?;
                refuse(r.factor.is_some(), "factor")?;
                Formula::Index {
                    numerator: need(r.numerator.clone(), "numerator")?,
                    denominator: r.denominator.clone(),
                }
            }
            "density" => {
                refuse(r.denominator.is_some(), "denominator")?;
                refuse(r.factor.is_some(), "factor")?;
                Formula::Density {
                    numerator: need(r.numerator.clone(), "numerator")?,
                }
            }
            "count" => {
                refuse(r.denominator.is_some(), "denominator")?;
                refuse(r.factor.is_some(), "factor")?;
                Formula::Count {
                    variable: need(r.variable.clone().or(r.numerator.clone()), "variable")?,
                }
            }
            "published" => {
                refuse(r.numerator.is_some(), "numerator")?;
                refuse(r.denominator.is_some(), "denominator")?;
                refuse(r.factor.is_some(), "factor")?;
                refuse(r.proportion.is_some(), "proportion")?;
                Formula::Published {
                    variable: need(r.variable.clone(), "variable")?,
                    weight: r.weight.clone(),
                }
            }
            other => {
                return Err(format!(
                    "indicator `{}`: unknown formula `{other}` (expected ratio, quotient, index, density, count or published)",
                    r.id
                ));
            }
        };
        Ok(Indicator {
            id: r.id,
            name: r.name,
            dimension: r.dimension,
            unit: r.unit,
            formula,
            polarity: r.polarity,
            decimals: r.decimals,
            definition: r.definition,
            source: r.source,
            reference_date: r.reference_date,
            notes: r.notes,
            in_typology: r.typology,
        })
    }
}

impl From<Indicator> for RawIndicator {
    fn from(i: Indicator) -> Self {
        let mut weight = None;
        let (formula, numerator, denominator, variable, factor, proportion) = match i.formula {
            Formula::Ratio {
                numerator,
                denominator,
                factor,
                proportion,
            } => (
                "ratio",
                Some(numerator),
                Some(denominator),
                None,
                Some(factor),
                Some(proportion),
            ),
            Formula::Quotient {
                numerator,
                denominator,
                factor,
            } => (
                "quotient",
                Some(numerator),
                Some(denominator),
                None,
                Some(factor),
                None,
            ),
            Formula::Index {
                numerator,
                denominator,
            } => ("index", Some(numerator), denominator, None, None, None),
            Formula::Density { numerator } => ("density", Some(numerator), None, None, None, None),
            Formula::Count { variable } => ("count", None, None, Some(variable), None, None),
            Formula::Published {
                variable,
                weight: w,
            } => {
                weight = w;
                ("published", None, None, Some(variable), None, None)
            }
        };
        RawIndicator {
            id: i.id,
            name: i.name,
            dimension: i.dimension,
            unit: i.unit,
            formula: formula.to_string(),
            numerator,
            denominator,
            variable,
            factor,
            proportion,
            weight,
            polarity: i.polarity,
            decimals: i.decimals,
            definition: i.definition,
            source: i.source,
            reference_date: i.reference_date,
            notes: i.notes,
            typology: i.in_typology,
        }
    }
}

impl Indicator {
    /// Decimals to show: as set, else 0 for counts and 1 otherwise.
    pub fn decimals(&self) -> usize {
        self.decimals.unwrap_or(match self.formula {
            Formula::Count { .. } => 0,
            _ => 1,
        })
    }
}

/// The whole catalogue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Version label of the catalogue, stored with every load.
    pub version: String,
    /// Dimensions, in display order.
    #[serde(default, rename = "dimension")]
    pub dimensions: Vec<Dimension>,
    /// Base and derived variables.
    #[serde(default, rename = "variable")]
    pub variables: Vec<Variable>,
    /// Indicators, in display order within their dimension.
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<Indicator>,
}

/// A problem in the catalogue, naming the item and field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueProblem {
    /// `indicator`, `variable` or `dimension`.
    pub item_kind: &'static str,
    /// The id of the item.
    pub item: String,
    /// The field with the problem.
    pub field: String,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub found: String,
}

impl std::fmt::Display for CatalogueProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} `{}`, field `{}`: expected {}, found {}",
            self.item_kind, self.item, self.field, self.expected, self.found
        )
    }
}

impl Catalogue {
    /// Finds a variable by id.
    pub fn variable(&self, id: &str) -> Option<&Variable> {
        self.variables.iter().find(|v| v.id == id)
    }

    /// Finds an indicator by id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|v| v.id == id)
    }

    /// Finds a dimension by id.
    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|v| v.id == id)
    }

    /// The indicators of the dimension `dimension` (its id), each with its index, in catalogue
    /// order.
    pub fn indicators_of<'a>(
        &'a self,
        dimension: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Indicator)> + 'a {
        self.indicators
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.dimension == dimension)
    }

    /// The name in `locale` of the dimension an indicator belongs to (empty if the catalogue
    /// has no such dimension).
    pub fn dimension_name(&self, ind: &Indicator, locale: crate::Locale) -> &str {
        self.dimension(&ind.dimension)
            .map_or("", |d| d.name.get(locale))
    }

    /// Checks references and cycles; returns every problem found.
    pub fn check(&self) -> Vec<CatalogueProblem> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for d in &self.dimensions {
            if !seen.insert(("dimension", d.id.as_str())) {
                problems.push(problem(
                    "dimension",
                    &d.id,
                    "id",
                    "a unique id",
                    "a duplicate",
                ));
            }
        }
        for v in &self.variables {
            if !seen.insert(("variable", v.id.as_str())) {
                problems.push(problem(
                    "variable",
                    &v.id,
                    "id",
                    "a unique id",
                    "a duplicate",
                ));
            }
            if v.kind == VariableKind::Value && !v.sum.is_empty() {
                problems.push(problem(
                    "variable",
                    &v.id,
                    "sum",
                    "no sum for a variable of kind `value` (published values are not added up)",
                    "a sum",
                ));
            }
            for part in &v.sum {
                match self.variable(part) {
                    None => problems.push(problem(
                        "variable",
                        &v.id,
                        "sum",
                        "the id of a variable of the catalogue",
                        &format!("unknown variable `{part}`"),
                    )),
                    Some(p) if p.kind == VariableKind::Value => problems.push(problem(
                        "variable",
                        &v.id,
                        "sum",
                        "parts that are counts or amounts",
                        &format!("`{part}` of kind `value` (published values are not added up)"),
                    )),
                    Some(_) => {}
                }
            }
        }
        if let Some(cycle) = self.derived_cycle() {
            problems.push(problem(
                "variable",
                &cycle[0],
                "sum",
                "derived variables without a cycle",
                &format!("the cycle {}", cycle.join(" → ")),
            ));
        }
        for ind in &self.indicators {
            if !seen.insert(("indicator", ind.id.as_str())) {
                problems.push(problem(
                    "indicator",
                    &ind.id,
                    "id",
                    "a unique id",
                    "a duplicate",
                ));
            }
            if self.dimension(&ind.dimension).is_none() {
                problems.push(problem(
                    "indicator",
                    &ind.id,
                    "dimension",
                    "the id of a dimension of the catalogue",
                    &format!("unknown dimension `{}`", ind.dimension),
                ));
            }
            let fields: &[&str] = match ind.formula {
                Formula::Count { .. } => &["variable"],
                Formula::Density { .. } => &["numerator"],
                Formula::Published { .. } => &["variable", "weight"],
                _ => &["numerator", "denominator"],
            };
            let published = matches!(ind.formula, Formula::Published { .. });
            for (i, var) in ind.formula.variables().into_iter().enumerate() {
                let field = fields.get(i).copied().unwrap_or("denominator");
                let Some(v) = self.variable(var) else {
                    problems.push(problem(
                        "indicator",
                        &ind.id,
                        field,
                        "the id of a variable of the catalogue",
                        &format!("unknown variable `{var}`"),
                    ));
                    continue;
                };
                let is_value = v.kind == VariableKind::Value;
                if published && i == 0 && !is_value {
                    problems.push(problem(
                        "indicator",
                        &ind.id,
                        field,
                        "a variable of kind `value` (the published rate, average or median)",
                        &format!("`{var}` of kind `{}`", kind_name(v.kind)),
                    ));
                } else if (!published || i > 0) && is_value {
                    problems.push(problem(
                        "indicator",
                        &ind.id,
                        field,
                        if published {
                            "a count or amount as the weight"
                        } else {
                            "a count or amount (a published value is shown with formula = \"published\")"
                        },
                        &format!("`{var}` of kind `value`"),
                    ));
                }
            }
            if let Formula::Ratio { factor, .. } | Formula::Quotient { factor, .. } = ind.formula
                && !(factor.is_finite() && factor > 0.0)
            {
                problems.push(problem(
                    "indicator",
                    &ind.id,
                    "factor",
                    "a positive number",
                    &factor.to_string(),
                ));
            }
        }
        problems
    }

    /// Returns a cycle among derived variables, if there is one.
    fn derived_cycle(&self) -> Option<Vec<String>> {
        let graph: HashMap<&str, &[String]> = self
            .variables
            .iter()
            .map(|v| (v.id.as_str(), v.sum.as_slice()))
            .collect();
        // 0 = unvisited, 1 = on stack, 2 = done
        let mut state: HashMap<&str, u8> = HashMap::new();
        fn visit<'a>(
            n: &'a str,
            graph: &HashMap<&'a str, &'a [String]>,
            state: &mut HashMap<&'a str, u8>,
            stack: &mut Vec<&'a str>,
        ) -> Option<Vec<String>> {
            match state.get(n) {
                Some(2) => return None,
                Some(1) => {
                    let start = stack.iter().position(|s| *s == n).unwrap_or(0);
                    let mut c: Vec<String> = stack[start..].iter().map(|s| s.to_string()).collect();
                    c.push(n.to_string());
                    return Some(c);
                }
                _ => {}
            }
            state.insert(n, 1);
            stack.push(n);
            if let Some(parts) = graph.get(n) {
                for p in parts.iter() {
                    if let Some(c) = visit(p.as_str(), graph, state, stack) {
                        return Some(c);
                    }
                }
            }
            stack.pop();
            state.insert(n, 2);
            None
        }
        for v in &self.variables {
            let mut stack = Vec::new();
            if let Some(c) = visit(v.id.as_str(), &graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
        None
    }

    /// Derived variables in an order where parts come before their sums.
    pub fn derived_order(&self) -> Vec<&Variable> {
        let mut done: HashSet<&str> = self
            .variables
            .iter()
            .filter(|v| v.sum.is_empty())
            .map(|v| v.id.as_str())
            .collect();
        let mut out = Vec::new();
        let mut pending: Vec<&Variable> = self
            .variables
            .iter()
            .filter(|v| !v.sum.is_empty())
            .collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|v| {
                if v.sum.iter().all(|p| done.contains(p.as_str())) {
                    done.insert(v.id.as_str());
                    out.push(*v);
                    false
                } else {
                    true
                }
            });
            if pending.len() == before {
                break; // a cycle; reported by `check`
            }
        }
        out
    }
}

fn kind_name(k: VariableKind) -> &'static str {
    match k {
        VariableKind::Count => "count",
        VariableKind::Amount => "amount",
        VariableKind::Value => "value",
    }
}

fn problem(
    kind: &'static str,
    item: &str,
    field: &str,
    expected: &str,
    found: &str,
) -> CatalogueProblem {
    CatalogueProblem {
        item_kind: kind,
        item: item.to_string(),
        field: field.to_string(),
        expected: expected.to_string(),
        found: found.to_string(),
    }
}
