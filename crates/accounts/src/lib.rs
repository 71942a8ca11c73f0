//! Accounts of Sozialatlas: users, roles, passwords (Argon2id), one-time e-mail tokens with a
//! mail outbox, the append-only audit log, rate limits and known browsers kept in the database, and the participant's rights
//! (data export, account deletion).
//!
//! Architecture invariants:
//! - the only crate that speaks SQL for the account tables (`app_user`, `app_user_role`,
//!   `email_token`, `mail_outbox`, `audit_log`, `rate_event`, `login_device`; migrations
//!   `0004_accounts.sql` and `0012_shared_limits.sql` in the store);
//! - a password is stored only as an Argon2id PHC string, a token only as its SHA-256;
//! - the audit log is append-only: this crate has an INSERT for it and no UPDATE or DELETE,
//!   and its rows name users by id only;
//! - a deleted account keeps its row (status `deleted`, no e-mail, name or password), so that
//!   contributions stay attributed to "a deleted participant".
//!
//! SQL is portable (`$n` parameters, standard types, `RETURNING`), as in the store.

pub mod audit;
mod clock;
pub mod demo;
pub mod devices;
pub mod mail;
pub mod password;
pub mod ratelimit;
mod role;
pub mod smtp;
pub mod tokens;
mod users;

pub use audit::{AuditEntry, audit, list_audit};
pub use clock::{now, now_millis};
pub use mail::{OutboxMail, queue_mail, queue_mail_in};
pub use ratelimit::Limit;
pub use role::Role;
pub use tokens::TokenPurpose;
pub use users::*;

/// The store's pool type (SQLite or PostgreSQL).
pub type Pool = sozialatlas_store::Pool;

/// An accounts error.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The database said no.
    #[error("accounts store: {0}")]
    Sql(#[from] sqlx::Error),
    /// Input that does not pass the checks; `field` names the form field.
    #[error("{field}: {message}")]
    Invalid {
        /// The field (`email`, `display_name`, `password`, `role`, …).
        field: &'static str,
        /// What was wrong, in English.
        message: String,
    },
    /// An account with this e-mail address exists already.
    #[error("an account with this e-mail address exists already")]
    EmailTaken,
    /// No such user.
    #[error("no user with id {0}")]
    NoSuchUser(i64),
    /// Hashing failed (should not happen).
    #[error("password hashing: {0}")]
    Hash(String),
    /// Sending mail failed.
    #[error("mail: {0}")]
    Mail(String),
}

impl AccountError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AccountError::Invalid {
            field,
            message: message.into(),
        }
    }
}
