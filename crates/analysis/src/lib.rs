//! sozialatlas-analysis (placeholder crate doc).

pub mod error;
pub mod matrix;
pub mod moran;
pub mod mss;
pub mod pca;
pub mod typology;
pub mod ward;
pub mod weights;
pub mod zscore;

pub use error::{AnalysisError, Result};
