//! The integration tests of sozialatlas-render: maps and charts on real Flensburg data (golden SVGs, parsing, accessibility, PNG).
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

#[path = "common/check.rs"]
mod check;
mod common;
#[path = "common/figures.rs"]
mod figures;

mod charts;
mod map;
