//! The integration tests of sozialatlas-aggregate: real Dortmund boundaries, streaming, tessellations.
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

mod common;

mod dortmund;
mod stream;
mod tessellation;
