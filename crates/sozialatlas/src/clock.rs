//! The current time as RFC 3339 (UTC): the store's clock, so that every stored timestamp has
//! one format.

pub use sozialatlas_store::clock::now_rfc3339;
