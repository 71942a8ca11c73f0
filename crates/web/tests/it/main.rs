//! The integration tests of sozialatlas-web: pages, API, accounts, participation, offices, security, publication, on the embedded demo.
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

mod auth_support;
mod common;

mod accounts;
mod analysis;
mod authz;
mod concurrency;
mod instances;
mod offices;
mod ops;
mod participation;
mod publish;
mod regions;
mod routes;
mod safety;
mod security;
mod smoothing;
mod svg_snapshots;
