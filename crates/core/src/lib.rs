//! The pure core of Sozialatlas: areas and levels, the indicator catalogue, the computation of
//! indicators from base variables (aggregation, derived variables, changes, Wilson intervals),
//! statistical confidentiality, locale-aware number formatting and the CSV convention.
//!
//! Architecture invariant: no I/O (the CSV writer writes into any `Write` it is given), no async,
//! no SQL, no HTTP. Plain data in, plain data out.
//! Every figure the atlas, the report, the exports and the API show is computed here.

pub mod catalogue;
pub mod compute;
pub mod csv;
pub mod labels;
pub mod locale;
pub mod model;
pub mod stats;
pub mod suppress;
#[cfg(test)]
mod testing;

pub use catalogue::{Catalogue, Formula, Indicator, Polarity, Text, Variable, VariableKind};
pub use compute::{ComputeSettings, Computed, IndicatorValue, ValueState, compute};
pub use locale::Locale;
pub use model::{Area, AreaTree, Level, Membership, Obs, ShareKind};
