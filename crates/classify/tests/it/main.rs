//! The integration tests of sozialatlas-classify: legends, natural breaks, parity with mapclassify.
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

mod legend;
mod mapclassify_parity;
mod natural_breaks;
