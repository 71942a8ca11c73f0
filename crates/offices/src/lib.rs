//! Action offices (Aktionsbüros): the contact and referral log of the local offices in the
//! action areas, privacy-proper by design (PARTICIPATION.md, "Action offices").
//!
//! Architecture invariant: the access rules live here, not in the web. Every function that
//! touches case data takes the acting user ([`Actor`]) and checks, in SQL, that the user holds
//! the office-staff role *and* is assigned to the case's office; a case of another office is
//! indistinguishable from a case that does not exist. Supervisors get aggregates only, and every
//! aggregate leaves through primary and secondary suppression (threshold 5,
//! [`stats::CASE_THRESHOLD`]). Every read of a case, every search, every export and every
//! erasure is written to the append-only audit log of the accounts crate before data is
//! returned. Identifying details live in their own table, encrypted with XChaCha20-Poly1305
//! when a key is configured ([`crypto::OfficeKey`]); the key never enters the store. This crate
//! holds all SQL on the office tables.

pub mod access;
pub mod atlas;
pub mod cases;
pub mod crypto;
pub mod date;
pub mod demo;
pub mod offices;
pub mod referrals;
pub mod retention;
pub mod stats;

mod audit;

pub use access::Actor;
pub use crypto::{KeyError, OfficeKey};
pub use date::Date;

/// What can go wrong in the office log.
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    /// No such thing in the actor's reach (also: it exists, but belongs to another office).
    #[error("not found: {0}")]
    NotFound(String),
    /// The actor lacks the role or the office assignment; names what is needed.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Bad input in a named field.
    #[error("{field}: {message}")]
    Invalid {
        /// The form field or argument.
        field: &'static str,
        /// What was expected and what was found.
        message: String,
        /// The same in German (for the pages).
        message_de: String,
    },
    /// The office key is missing, wrong or malformed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The store said no.
    #[error("store: {0}")]
    Sql(#[from] sqlx::Error),
    /// The store's own functions said no.
    #[error(transparent)]
    Store(#[from] sozialatlas_store::StoreError),
    /// The audit log could not be written (nothing is returned then).
    #[error("audit log: {0}")]
    Audit(String),
}

impl OfficeError {
    pub(crate) fn invalid(
        field: &'static str,
        message: impl Into<String>,
        message_de: impl Into<String>,
    ) -> Self {
        OfficeError::Invalid {
            field,
            message: message.into(),
            message_de: message_de.into(),
        }
    }

    pub(crate) fn bad_date(field: &'static str, found: &str) -> Self {
        let (en, de) = date::parse_errors(found);
        OfficeError::invalid(field, en, de)
    }

    pub(crate) fn future_date(field: &'static str, today: Date, found: Date) -> Self {
        OfficeError::invalid(
            field,
            format!("expected a date not after today ({today}), found {found}"),
            format!(
                "erwartet wird ein Datum bis heute ({}), angegeben ist der {}",
                today.de(),
                found.de()
            ),
        )
    }
}

/// Result of this crate.
pub type Result<T, E = OfficeError> = std::result::Result<T, E>;

/// The store's pool.
pub use sozialatlas_store::Pool;

/// Now as RFC 3339 (UTC), e.g. `2026-11-25T09:17:07Z` (the store's clock).
pub use sozialatlas_store::clock::now_rfc3339;

/// Checks a short free text: trimmed, non-empty when required, at most `max` characters.
pub(crate) fn text(
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> Result<Option<String>> {
    let v = value.trim();
    if v.is_empty() {
        return if required {
            Err(OfficeError::invalid(
                field,
                "must not be empty",
                "bitte ausfüllen",
            ))
        } else {
            Ok(None)
        };
    }
    let n = v.chars().count();
    if n > max {
        return Err(OfficeError::invalid(
            field,
            format!("at most {max} characters, found {n}"),
            format!("höchstens {max} Zeichen, eingegeben sind {n}"),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(OfficeError::invalid(
            field,
            "contains control characters",
            "enthält Steuerzeichen",
        ));
    }
    Ok(Some(v.to_string()))
}
