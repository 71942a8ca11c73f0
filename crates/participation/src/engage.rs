//! Supports (Unterstützungen: one per person and idea, withdrawable) and comments (one level of
//! replies, editable for a short time by their author, hidden — never deleted — by
//! moderation). Both only on public ideas that are open (published or under review), and only
//! while the current phase permits them.

use serde::Serialize;
use sozialatlas_accounts::Role;
use sozialatlas_store::Pool;
use time::OffsetDateTime;

use crate::clock::{parse_stamp, stamp};
use crate::error::{Conflict, Denied, check_text};
use crate::idea::{Idea, get_idea};
use crate::inbox::{self, MessageKind};
use crate::process::{Permission, get_process};
use crate::{Actor, Error, RateLimit, next_id};

/// Minutes during which the author may edit a comment.
pub const EDIT_MINUTES: i64 = 15;
/// Most comments one person may write in [`COMMENT_WINDOW_MINUTES`].
pub const COMMENT_LIMIT: i64 = 10;
/// The window of [`COMMENT_LIMIT`].
pub const COMMENT_WINDOW_MINUTES: i64 = 10;

/// [`COMMENT_LIMIT`] in [`COMMENT_WINDOW_MINUTES`].
const COMMENTS: RateLimit = RateLimit {
    what: "comments",
    limit: COMMENT_LIMIT,
    window_minutes: COMMENT_WINDOW_MINUTES,
    count_sql: "SELECT COUNT(*) FROM idea_comment WHERE author_id = $1 AND created_at >= $2",
};
/// Longest comment.
pub const COMMENT_MAX: usize = 2000;

async fn open_idea(
    pool: &Pool,
    actor: &Actor,
    idea_id: i64,
    perm: Permission,
    now: OffsetDateTime,
) -> Result<Idea, Error> {
    let idea = get_idea(pool, idea_id)
        .await?
        .filter(|i| i.visible_to(Some(actor)))
        .ok_or(Error::NotFound("idea"))?;
    if !idea.is_public() || !idea.public_state().open_for_engagement() {
        return Err(Error::Conflict(Conflict::NotOpen));
    }
    let process = get_process(pool, idea.process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    process.require(perm, now)?;
    Ok(idea)
}

/// Supports an idea (again: no change).
pub async fn support(
    pool: &Pool,
    actor: &Actor,
    idea_id: i64,
    now: OffsetDateTime,
) -> Result<(), Error> {
    open_idea(pool, actor, idea_id, Permission::Support, now).await?;
    sqlx::query(
        "INSERT INTO idea_support (idea_id, user_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (idea_id, user_id) DO NOTHING",
    )
    .bind(idea_id)
    .bind(actor.id)
    .bind(stamp(now))
    .execute(pool)
    .await?;
    Ok(())
}

/// Withdraws one's support (while the phase permits supporting).
pub async fn unsupport(
    pool: &Pool,
    actor: &Actor,
    idea_id: i64,
    now: OffsetDateTime,
) -> Result<(), Error> {
    open_idea(pool, actor, idea_id, Permission::Support, now).await?;
    sqlx::query("DELETE FROM idea_support WHERE idea_id = $1 AND user_id = $2")
        .bind(idea_id)
        .bind(actor.id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether the person supports the idea.
pub async fn supports(pool: &Pool, actor: &Actor, idea_id: i64) -> Result<bool, Error> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM idea_support WHERE idea_id = $1 AND user_id = $2",
    )
    .bind(idea_id)
    .bind(actor.id)
    .fetch_one(pool)
    .await?
        > 0)
}

/// A comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Comment {
    /// Id.
    pub id: i64,
    /// The idea.
    pub idea_id: i64,
    /// The comment it replies to.
    pub parent_id: Option<i64>,
    /// Author (user id).
    pub author_id: i64,
    /// Text (show only when not hidden).
    pub body: String,
    /// Written.
    pub created_at: String,
    /// Last edited.
    pub edited_at: Option<String>,
    /// Hidden by moderation.
    pub hidden: bool,
    /// Why.
    pub hidden_reason: Option<String>,
}

impl Comment {
    /// Whether `actor` may still edit it at `now`.
    pub fn editable_by(&self, actor: &Actor, now: OffsetDateTime) -> bool {
        self.author_id == actor.id
            && !self.hidden
            && parse_stamp(&self.created_at)
                .is_some_and(|t| now - t <= time::Duration::minutes(EDIT_MINUTES))
    }
}

/// A top-level comment with its replies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Thread {
    /// The comment.
    pub comment: Comment,
    /// Replies, oldest first.
    pub replies: Vec<Comment>,
}

const COMMENT_COLUMNS: &str =
    "id, idea_id, parent_id, author_id, body, created_at, edited_at, hidden, hidden_reason";

/// Reads one comment.
pub async fn get_comment(pool: &Pool, id: i64) -> Result<Option<Comment>, Error> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM idea_comment WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// The comments on an idea as threads, oldest first (hidden ones included: show them as
/// hidden, without their text).
pub async fn threads(pool: &Pool, idea_id: i64) -> Result<Vec<Thread>, Error> {
    let all: Vec<Comment> = sqlx::query_as(&format!(
        "SELECT {COMMENT_COLUMNS} FROM idea_comment WHERE idea_id = $1 ORDER BY id"
    ))
    .bind(idea_id)
    .fetch_all(pool)
    .await?;
    let mut out: Vec<Thread> = all
        .iter()
        .filter(|c| c.parent_id.is_none())
        .map(|c| Thread {
            comment: c.clone(),
            replies: Vec::new(),
        })
        .collect();
    for c in all.into_iter().filter(|c| c.parent_id.is_some()) {
        if let Some(t) = out.iter_mut().find(|t| Some(t.comment.id) == c.parent_id) {
            t.replies.push(c);
        }
    }
    Ok(out)
}

/// Writes a comment, or a reply to a top-level comment.
pub async fn add_comment(
    pool: &Pool,
    actor: &Actor,
    idea_id: i64,
    parent: Option<i64>,
    body: &str,
    now: OffsetDateTime,
) -> Result<i64, Error> {
    let idea = open_idea(pool, actor, idea_id, Permission::Comment, now).await?;
    let mut errs = Vec::new();
    let body = check_text(&mut errs, "body", body, 2, COMMENT_MAX);
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let parent_comment = match parent {
        Some(p) => {
            let c = get_comment(pool, p)
                .await?
                .filter(|c| c.idea_id == idea_id && !c.hidden)
                .ok_or(Error::NotFound("comment"))?;
            if c.parent_id.is_some() {
                return Err(Error::Conflict(Conflict::ReplyToReply));
            }
            Some(c)
        }
        None => None,
    };
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if !actor.has(Role::ProcessManager) {
        COMMENTS.check(&mut tx, actor.id, now).await?;
    }
    let id = next_id(&mut tx, "idea_comment").await?;
    sqlx::query(
        "INSERT INTO idea_comment (id, idea_id, parent_id, author_id, body, created_at, edited_at,
             hidden, hidden_reason, hidden_at, hidden_by)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, FALSE, NULL, NULL, NULL)",
    )
    .bind(id)
    .bind(idea_id)
    .bind(parent)
    .bind(actor.id)
    .bind(&body)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    if let Some(pc) = &parent_comment
        && pc.author_id != actor.id
    {
        inbox::notify(
            &mut tx,
            pc.author_id,
            MessageKind::Reply,
            Some(idea_id),
            "",
            now,
        )
        .await?;
    }
    if let Some(author) = idea.author_id
        && author != actor.id
        && parent_comment
            .as_ref()
            .is_none_or(|pc| pc.author_id != author)
    {
        inbox::notify(
            &mut tx,
            author,
            MessageKind::Comment,
            Some(idea_id),
            "",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The author edits their comment within [`EDIT_MINUTES`] of writing it.
pub async fn edit_comment(
    pool: &Pool,
    actor: &Actor,
    id: i64,
    body: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let c = get_comment(pool, id)
        .await?
        .ok_or(Error::NotFound("comment"))?;
    if c.author_id != actor.id {
        return Err(Error::Denied(Denied::NotAuthor));
    }
    if !c.editable_by(actor, now) {
        return Err(Error::Conflict(Conflict::EditWindowClosed));
    }
    let mut errs = Vec::new();
    let body = check_text(&mut errs, "body", body, 2, COMMENT_MAX);
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    sqlx::query("UPDATE idea_comment SET body = $2, edited_at = $3 WHERE id = $1 AND NOT hidden")
        .bind(id)
        .bind(&body)
        .bind(stamp(now))
        .execute(pool)
        .await?;
    Ok(())
}
