//! The integration tests of sozialatlas-participation: the life cycle of ideas and the implementation (meetings, measures, exports).
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

mod common;

mod implementation;
mod lifecycle;
