//! The command-line tests of sozialatlas: each runs the built binary on real atlas folders.
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

mod common;

mod action_areas;
mod addresses;
mod aggregate;
mod analyse;
mod architecture;
mod bad_input;
mod build;
mod disclosure;
mod dortmund;
mod formats;
mod init;
mod official;
mod ops;
mod participation;
mod points;
mod publish;
mod regions;
mod report;
mod serve;
mod store;
mod suppression;
mod user;
mod vintage;
