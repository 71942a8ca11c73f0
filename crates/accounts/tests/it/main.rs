//! The integration tests of sozialatlas-accounts: the account functions on a store, and mail over SMTP.
//!
//! One binary for all of them: each former `tests/<name>.rs` is a module here, so the
//! crate and its dependencies are linked once, not once per file.

mod accounts;
mod smtp;
