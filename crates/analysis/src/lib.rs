//! sozialatlas-analysis: the pure statistics core (placeholder doc, replaced below).

pub mod error;
pub mod mss;
pub mod zscore;

pub use error::{AnalysisError, Result};
