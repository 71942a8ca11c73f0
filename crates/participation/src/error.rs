//! What can go wrong, as data: the web turns each case into a page or a form error in the
//! user's language, the CLI into a message and an exit code.

use crate::process::Permission;
use crate::state::{IdeaState, Refusal};
use sozialatlas_import::ImportError;

/// A participation error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database said no.
    #[error("store: {0}")]
    Sql(#[from] sqlx::Error),
    /// The atlas store said no.
    #[error("{0}")]
    Store(#[from] sozialatlas_store::StoreError),
    /// The accounts crate (audit log, blocking) said no.
    #[error("accounts: {0}")]
    Accounts(String),
    /// No such process, idea, comment, meeting or measure (or not visible to the asker).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The asker may not do this.
    #[error("not allowed: {0:?}")]
    Denied(Denied),
    /// The current phase of the process does not permit it.
    #[error("the current phase does not permit {0:?}")]
    PhaseClosed(Permission),
    /// A step the life cycle does not allow.
    #[error("an idea cannot go from {from:?} to {to:?} ({refusal:?})")]
    Transition {
        /// Current state.
        from: IdeaState,
        /// Asked-for state.
        to: IdeaState,
        /// Why not.
        refusal: Refusal,
    },
    /// Form input that does not fit, one entry per field.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The request conflicts with the current state of things.
    #[error("{0:?}")]
    Conflict(Conflict),
    /// Too many posts in a short time.
    #[error("too many {what} in {window_minutes} minutes (at most {limit})")]
    RateLimited {
        /// `ideas`, `comments` or `reports`.
        what: &'static str,
        /// The limit.
        limit: i64,
        /// The window.
        window_minutes: i64,
    },
    /// A bulk upload with problems (nothing was written).
    #[error("{} problem(s) in the upload", .0.len())]
    Upload(Vec<ImportError>),
    /// Writing a spreadsheet failed.
    #[error("xlsx: {0}")]
    Xlsx(String),
}

impl From<sozialatlas_accounts::AccountError> for Error {
    fn from(e: sozialatlas_accounts::AccountError) -> Error {
        Error::Accounts(e.to_string())
    }
}

impl Error {
    /// A single-field input error.
    pub fn field(field: &str, problem: Problem) -> Error {
        Error::Invalid(vec![FieldError::new(field, problem)])
    }
}

/// Why the asker may not do something.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Denied {
    /// It needs a role (its `as_str()` name).
    Role(&'static str),
    /// Staff acting on their own content.
    OwnContent,
    /// Only the author may do this.
    NotAuthor,
    /// The account is blocked from taking part.
    Blocked,
}

/// A request that conflicts with the state of things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// The idea is not open for supports and comments in its state.
    NotOpen,
    /// This person already reported this item.
    AlreadyReported,
    /// One cannot report one's own contribution.
    OwnReport,
    /// Replies are one level deep: no reply to a reply.
    ReplyToReply,
    /// The comment can no longer be edited (its window has passed, or it is hidden).
    EditWindowClosed,
    /// The author can no longer edit the idea (it is answered, merged or withdrawn).
    NotEditable,
    /// Accepting or rejecting needs the official answer first.
    AnswerRequired,
    /// The answer is published already.
    AnswerPublished,
    /// There is no answer to publish.
    NoAnswer,
    /// An idea cannot be merged into itself, into another process' idea, or into one that is
    /// not public and open.
    BadMergeTarget,
    /// The item is already in that moderation state.
    AlreadyThere,
    /// Only accepted ideas can be linked to a measure.
    NotAccepted,
    /// A measure cannot be its own ancestor.
    Cycle,
    /// A measure with parts takes its progress from them.
    HasParts,
}

/// One field's problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name (`title`, `phase_2_start` …).
    pub field: String,
    /// What is wrong.
    pub problem: Problem,
}

impl FieldError {
    /// A field's problem.
    pub fn new(field: &str, problem: Problem) -> FieldError {
        FieldError {
            field: field.to_string(),
            problem,
        }
    }
}

/// What is wrong with a field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Empty, but needed.
    Required,
    /// Shorter than `min` characters.
    TooShort {
        /// Minimum.
        min: usize,
    },
    /// Longer than `max` characters.
    TooLong {
        /// Maximum.
        max: usize,
    },
    /// Not one of the choices offered (found: the value).
    Unknown(String),
    /// Not a number (found: the value).
    NotANumber(String),
    /// A number outside `min..=max`.
    OutOfRange {
        /// Minimum.
        min: i64,
        /// Maximum.
        max: i64,
    },
    /// Not a date `YYYY-MM-DD` or `TT.MM.JJJJ` (found: the value).
    NotADate(String),
    /// Not a time `HH:MM` (found: the value).
    NotATime(String),
    /// A point outside the chosen action area.
    OutsideArea,
    /// Latitude without longitude or the reverse.
    Incomplete,
    /// An end before its start.
    EndBeforeStart,
    /// Two phases overlap in time.
    Overlap,
    /// In use by ideas or measures, so it cannot be removed or changed.
    InUse,
    /// A duplicate of another entry (a code or key that must be unique).
    Duplicate(String),
}

/// Checks a text field: trimmed, between `min` and `max` characters (`min` 0: optional).
/// Pushes a problem and returns the trimmed text either way.
pub(crate) fn check_text(
    errs: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> String {
    let v = value.trim().to_string();
    let n = v.chars().count();
    if n == 0 && min > 0 {
        errs.push(FieldError::new(field, Problem::Required));
    } else if n < min {
        errs.push(FieldError::new(field, Problem::TooShort { min }));
    } else if n > max {
        errs.push(FieldError::new(field, Problem::TooLong { max }));
    }
    v
}

/// Parses an amount in whole euros as people type it: `12500`, `12.500`, `12 500 €`,
/// `12.500,00`. Cents are dropped only when they are zero.
pub fn parse_euros(s: &str) -> Result<Option<i64>, Problem> {
    let t: String = s
        .trim()
        .trim_end_matches('€')
        .trim_end_matches("EUR")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || Problem::NotANumber(s.trim().to_string());
    let (whole, cents) = match t.rsplit_once(',') {
        Some((w, c)) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_digit()) => (w, c),
        Some(_) => return Err(bad()),
        None => (t.as_str(), "00"),
    };
    if cents != "00" {
        return Err(bad());
    }
    // Thousands separators: `.` in groups of three.
    let groups: Vec<&str> = whole.split('.').collect();
    if groups.len() > 1 && groups[1..].iter().any(|g| g.len() != 3) {
        return Err(bad());
    }
    let digits: String = groups.concat();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 12 {
        return Err(bad());
    }
    digits.parse().map(Some).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn euros() {
        for (s, v) in [
            ("12500", 12500),
            ("12.500", 12500),
            ("12 500 €", 12500),
            ("12.500,00", 12500),
            ("1.234.567 EUR", 1234567),
            ("0", 0),
        ] {
            assert_eq!(parse_euros(s), Ok(Some(v)), "{s}");
        }
        assert_eq!(parse_euros("  "), Ok(None));
        for s in ["12,5", "-5", "12.50", "zwölf", "1e5", "12.500,50"] {
            assert!(parse_euros(s).is_err(), "{s}");
        }
    }

    #[test]
    fn texts() {
        let mut e = Vec::new();
        assert_eq!(check_text(&mut e, "t", "  ab ", 0, 10), "ab");
        assert!(e.is_empty());
        check_text(&mut e, "t", " ", 1, 10);
        check_text(&mut e, "u", "ab", 3, 10);
        check_text(&mut e, "v", "äöüäöü", 1, 5);
        assert_eq!(
            e,
            vec![
                FieldError::new("t", Problem::Required),
                FieldError::new("u", Problem::TooShort { min: 3 }),
                FieldError::new("v", Problem::TooLong { max: 5 }),
            ]
        );
    }
}
