//! The store's integration tests: one binary, a module per topic.

mod addresses;
mod texts;
