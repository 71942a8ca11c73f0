//! The pure core of Sozialatlas.
//!
//! Architecture invariant: no I/O, no async, no SQL, no HTTP. Plain data in, plain data out.

pub mod locale;

pub use locale::Locale;
