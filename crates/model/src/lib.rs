//! The published atlas as plain values: the [`Snapshot`] every output reads, the facts of the
//! load it comes from ([`LoadInfo`], [`Summary`]), what the atlas folder says about the atlas
//! ([`AtlasMeta`], [`Settings`], [`InputFile`], [`Membership`], [`EditorText`]) and action-area
//! sets ([`ActionAreaSet`]), and the address register that finds an address's area
//! ([`AddressRegister`]).
//!
//! Architecture invariant: pure — types and their accessors, no I/O, no SQL, no async. The store
//! (`sozialatlas-store`) writes and reads these; the import (`sozialatlas-import`) makes the
//! metadata; the crates that show an atlas (runs, export, render, report) depend on this crate,
//! not on the store, and so link no database.

pub mod action_areas;
pub mod address;
pub mod meta;
pub mod snapshot;

pub use action_areas::{ActionArea, ActionAreaSet, ActionAreaSource, NewActionArea};
pub use address::{AddressRegister, HouseNumber, StreetAddresses};
pub use meta::{AtlasMeta, EditorText, InputFile, Markers, Membership, Settings};
pub use snapshot::{LoadInfo, Snapshot, Summary};
