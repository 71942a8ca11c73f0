//! Participation in the action areas (Beteiligung in den Aktionsräumen): processes with phases
//! and fields of action, project ideas with their reviewed life cycle and public official
//! answers, supports, comments, reports of abuse and moderation, area meetings with the ideas
//! collected there, measures with their progress, the inbox, and exports for the council.
//!
//! Architecture invariant: every rule of participation is enforced here, not in the web layer —
//! what the current phase permits, who may take which step of an idea's life cycle
//! ([`state`]), that nobody moderates their own content, that a decision becomes public only
//! with its published answer, that supports are one per person. The web (and the CLI) only
//! translate requests into calls and errors into pages, so that a hidden button is never the
//! only guard. All SQL of the participation tables lives in this crate; every state change is
//! recorded with who, when and why (`idea_event`), every staff and moderation action goes into
//! the accounts' append-only audit log.

pub mod clock;
pub mod demo;
pub mod engage;
pub mod error;
pub mod export;
pub mod idea;
pub mod inbox;
pub mod measure;
pub mod meeting;
pub mod moderation;
pub mod process;
pub mod state;

pub use error::{Conflict, Denied, Error, FieldError, Problem};
pub use idea::{GroupType, Idea, IdeaFilter, IdeaInput};
pub use process::{Permission, Phase, PhaseKind, Process, ProcessInput};
pub use state::{IdeaState, Party};

use sozialatlas_accounts::Role;
use sozialatlas_store::Pool;

/// Someone signed in who acts on participation: their user id and roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// The accounts' user id.
    pub id: i64,
    /// Their roles.
    pub roles: Vec<Role>,
}

impl Actor {
    /// Holds `role`. An administrator counts as process manager, moderator and reviewer.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
            || (self.roles.contains(&Role::Admin)
                && matches!(
                    role,
                    Role::ProcessManager | Role::Moderator | Role::Reviewer
                ))
    }

    /// Process manager, moderator or reviewer: sees ideas that are not (or no longer) public.
    pub fn is_staff(&self) -> bool {
        self.has(Role::ProcessManager) || self.has(Role::Moderator) || self.has(Role::Reviewer)
    }

    /// Fails unless the actor holds `role`.
    pub fn require(&self, role: Role) -> Result<(), Error> {
        if self.has(role) {
            Ok(())
        } else {
            Err(Error::Denied(Denied::Role(role.as_str())))
        }
    }
}

/// Writes one entry of the append-only audit log (through the accounts crate, which owns it).
pub(crate) async fn audit(
    pool: &Pool,
    actor: &Actor,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<(), Error> {
    sozialatlas_accounts::audit(pool, Some(actor.id), action, object, detail).await?;
    Ok(())
}

pub(crate) use sozialatlas_store::next_id;

/// A query on the store with its parameters (what `sqlx::query` returns).
pub(crate) type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// How many contributions of a kind one person may write in a window of time.
pub(crate) struct RateLimit {
    /// `ideas`, `comments` or `reports` (named in the error).
    pub what: &'static str,
    /// Most contributions in the window.
    pub limit: i64,
    /// The window.
    pub window_minutes: i64,
    /// Counts the person's (`$1`) contributions since `$2`.
    pub count_sql: &'static str,
}

impl RateLimit {
    /// Refuses the person's next contribution when they wrote [`RateLimit::limit`] already.
    pub(crate) async fn check(
        &self,
        conn: &mut sozialatlas_store::Conn,
        person: i64,
        now: time::OffsetDateTime,
    ) -> Result<(), Error> {
        let n: i64 = sqlx::query_scalar(self.count_sql)
            .bind(person)
            .bind(clock::stamp_minus(now, self.window_minutes))
            .fetch_one(conn)
            .await?;
        if n >= self.limit {
            return Err(Error::RateLimited {
                what: self.what,
                limit: self.limit,
                window_minutes: self.window_minutes,
            });
        }
        Ok(())
    }
}
