//! The integration tests of sozialatlas-analysis: against SciPy, scikit-learn, libpysal/esda and the published Berlin MSS.
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

mod agreement;
mod berlin_mss;
mod columbus;
mod geojson;
mod properties;
mod regions;
mod scale;
mod smoothing;
mod ward_scipy;
