//! Reports of abuse and moderation (Moderation): anyone signed in reports an idea or a comment
//! once; after the process' threshold of open reports (default 3) the item is hidden pending
//! review. Moderators hide and unhide with a reason, dismiss reports, publish submitted ideas
//! and block accounts. Nobody moderates their own content; every action goes into the audit
//! log; hidden items stay in the store and are shown as hidden.

use serde::Serialize;
use sozialatlas_accounts::Role;
use sozialatlas_store::Pool;
use time::OffsetDateTime;

use crate::clock::stamp;
use crate::engage::get_comment;
use crate::error::{Conflict, Denied, Problem, check_text};
use crate::idea::{Idea, IdeaFilter, Scope, get_idea, list_ideas, record};
use crate::inbox::{self, MessageKind};
use crate::process::get_process;
use crate::state::{IdeaState, Party};
use crate::{Actor, Error, RateLimit, audit, next_id};

/// What can be reported and moderated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ItemKind {
    /// A project idea.
    Idea,
    /// A comment.
    Comment,
}

impl ItemKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Idea => "idea",
            ItemKind::Comment => "comment",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<ItemKind> {
        match s {
            "idea" => Some(ItemKind::Idea),
            "comment" => Some(ItemKind::Comment),
            _ => None,
        }
    }

    fn table(self) -> &'static str {
        match self {
            ItemKind::Idea => "idea",
            ItemKind::Comment => "idea_comment",
        }
    }
}

/// Why something is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ReportReason {
    /// Advertising, nonsense.
    Spam,
    /// Insulting, discriminating, unlawful.
    Offensive,
    /// Not about the process or the area.
    OffTopic,
    /// Something else (see the note).
    Other,
}

impl ReportReason {
    /// Every reason.
    pub const ALL: [ReportReason; 4] = [
        ReportReason::Spam,
        ReportReason::Offensive,
        ReportReason::OffTopic,
        ReportReason::Other,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Spam => "spam",
            ReportReason::Offensive => "offensive",
            ReportReason::OffTopic => "off_topic",
            ReportReason::Other => "other",
        }
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<ReportReason> {
        ReportReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Most reports one person may file in [`REPORT_WINDOW_MINUTES`].
pub const REPORT_LIMIT: i64 = 20;
/// The window of [`REPORT_LIMIT`].
pub const REPORT_WINDOW_MINUTES: i64 = 60;

/// [`REPORT_LIMIT`] in [`REPORT_WINDOW_MINUTES`].
const REPORTS: RateLimit = RateLimit {
    what: "reports",
    limit: REPORT_LIMIT,
    window_minutes: REPORT_WINDOW_MINUTES,
    count_sql: "SELECT COUNT(*) FROM abuse_report WHERE reporter_id = $1 AND created_at >= $2",
};

/// What moderation needs to know about an item.
struct Item {
    author: Option<i64>,
    idea: Idea,
    hidden: bool,
}

async fn item(pool: &Pool, kind: ItemKind, id: i64) -> Result<Item, Error> {
    match kind {
        ItemKind::Idea => {
            let idea = get_idea(pool, id).await?.ok_or(Error::NotFound("idea"))?;
            Ok(Item {
                author: idea.author_id,
                hidden: idea.hidden,
                idea,
            })
        }
        ItemKind::Comment => {
            let c = get_comment(pool, id)
                .await?
                .ok_or(Error::NotFound("comment"))?;
            let idea = get_idea(pool, c.idea_id)
                .await?
                .ok_or(Error::NotFound("idea"))?;
            Ok(Item {
                author: Some(c.author_id),
                hidden: c.hidden,
                idea,
            })
        }
    }
}

/// Reports an idea or comment. Returns true if this report hid it (threshold reached).
pub async fn report(
    pool: &Pool,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    reason: ReportReason,
    note: &str,
    now: OffsetDateTime,
) -> Result<bool, Error> {
    let it = item(pool, kind, id).await?;
    if !it.idea.is_public() || it.hidden {
        return Err(Error::NotFound(kind.as_str()));
    }
    if it.author == Some(actor.id) {
        return Err(Error::Conflict(Conflict::OwnReport));
    }
    let mut errs = Vec::new();
    let note = check_text(&mut errs, "note", note, 0, 1000);
    if !errs.is_empty() {
        return Err(Error::Invalid(errs));
    }
    let process = get_process(pool, it.idea.process_id)
        .await?
        .ok_or(Error::NotFound("process"))?;
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let already: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM abuse_report WHERE item_kind = $1 AND item_id = $2 AND reporter_id = $3",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(actor.id)
    .fetch_one(&mut *tx)
    .await?;
    if already > 0 {
        return Err(Error::Conflict(Conflict::AlreadyReported));
    }
    REPORTS.check(&mut tx, actor.id, now).await?;
    let rid = next_id(&mut tx, "abuse_report").await?;
    sqlx::query(
        "INSERT INTO abuse_report (id, item_kind, item_id, reporter_id, reason, note, created_at,
             resolved_at, resolved_by, resolution)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, NULL)",
    )
    .bind(rid)
    .bind(kind.as_str())
    .bind(id)
    .bind(actor.id)
    .bind(reason.as_str())
    .bind(&note)
    .bind(stamp(now))
    .execute(&mut *tx)
    .await?;
    let open: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM abuse_report WHERE item_kind = $1 AND item_id = $2 AND resolved_at IS NULL",
    )
    .bind(kind.as_str())
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let hide = open >= process.hide_after_reports;
    if hide {
        let why = format!("{open} reports");
        set_hidden(&mut tx, kind, id, true, Some(&why), None, now).await?;
        if kind == ItemKind::Idea {
            record(&mut tx, id, now, None, Party::System, "hidden", &why).await?;
        }
        if let Some(a) = it.author {
            inbox::notify(
                &mut tx,
                a,
                MessageKind::Hidden,
                Some(it.idea.id),
                kind.as_str(),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(hide)
}

async fn set_hidden(
    conn: &mut sozialatlas_store::Conn,
    kind: ItemKind,
    id: i64,
    hidden: bool,
    reason: Option<&str>,
    by: Option<i64>,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let sql = format!(
        "UPDATE {} SET hidden = $2, hidden_reason = $3, hidden_at = $4, hidden_by = $5 WHERE id = $1",
        kind.table()
    );
    sqlx::query(&sql)
        .bind(id)
        .bind(hidden)
        .bind(reason)
        .bind(hidden.then(|| stamp(now)))
        .bind(by)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn resolve(
    conn: &mut sozialatlas_store::Conn,
    kind: ItemKind,
    id: i64,
    by: i64,
    resolution: &str,
    now: OffsetDateTime,
) -> Result<u64, Error> {
    Ok(sqlx::query(
        "UPDATE abuse_report SET resolved_at = $3, resolved_by = $4, resolution = $5
         WHERE item_kind = $1 AND item_id = $2 AND resolved_at IS NULL",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(stamp(now))
    .bind(by)
    .bind(resolution)
    .execute(&mut *conn)
    .await?
    .rows_affected())
}

async fn moderator_on(pool: &Pool, actor: &Actor, kind: ItemKind, id: i64) -> Result<Item, Error> {
    actor.require(Role::Moderator)?;
    let it = item(pool, kind, id).await?;
    if it.author == Some(actor.id)
        || (kind == ItemKind::Idea && it.idea.entered_by == Some(actor.id))
    {
        return Err(Error::Denied(Denied::OwnContent));
    }
    if kind == ItemKind::Idea && it.idea.state == IdeaState::Draft {
        return Err(Error::NotFound("idea"));
    }
    Ok(it)
}

/// A moderator hides an item with a reason; its open reports are resolved.
pub async fn hide(
    pool: &Pool,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    set_visibility(pool, actor, kind, id, reason, now, true).await
}

/// A moderator makes a hidden item visible again (with a reason); its open reports are
/// resolved as unfounded.
pub async fn unhide(
    pool: &Pool,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    set_visibility(pool, actor, kind, id, reason, now, false).await
}

/// Hides (`hide`) or shows an item: the reason is required, the item must not be in that state
/// already; its open reports are resolved, the idea's history, the author's inbox and the audit
/// log say so.
async fn set_visibility(
    pool: &Pool,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
    hide: bool,
) -> Result<(), Error> {
    let it = moderator_on(pool, actor, kind, id).await?;
    if reason.trim().is_empty() {
        return Err(Error::field("reason", Problem::Required));
    }
    if it.hidden == hide {
        return Err(Error::Conflict(Conflict::AlreadyThere));
    }
    let reason = reason.trim();
    let (event, message, action) = if hide {
        ("hidden", MessageKind::Hidden, "moderation.hide")
    } else {
        ("unhidden", MessageKind::Unhidden, "moderation.unhide")
    };
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    if hide {
        set_hidden(&mut tx, kind, id, true, Some(reason), Some(actor.id), now).await?;
    } else {
        set_hidden(&mut tx, kind, id, false, None, None, now).await?;
    }
    resolve(&mut tx, kind, id, actor.id, event, now).await?;
    if kind == ItemKind::Idea {
        record(
            &mut tx,
            id,
            now,
            Some(actor.id),
            Party::Moderator,
            event,
            reason,
        )
        .await?;
    }
    if let Some(a) = it.author {
        inbox::notify(&mut tx, a, message, Some(it.idea.id), kind.as_str(), now).await?;
    }
    tx.commit().await?;
    audit(
        pool,
        actor,
        action,
        &format!("{}:{id}", kind.as_str()),
        reason,
    )
    .await
}

/// A moderator dismisses the open reports of a visible item (they were unfounded).
pub async fn dismiss(
    pool: &Pool,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
    reason: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let it = moderator_on(pool, actor, kind, id).await?;
    if it.hidden {
        return Err(Error::Conflict(Conflict::AlreadyThere));
    }
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let n = resolve(&mut tx, kind, id, actor.id, "dismissed", now).await?;
    tx.commit().await?;
    if n == 0 {
        return Err(Error::Conflict(Conflict::AlreadyThere));
    }
    audit(
        pool,
        actor,
        "moderation.dismiss",
        &format!("{}:{id}", kind.as_str()),
        reason.trim(),
    )
    .await
}

/// A moderator blocks an account (through the accounts crate: a blocked account cannot sign
/// in, its sessions end), or lifts the block, with a reason. Nobody blocks themselves.
pub async fn set_blocked(
    pool: &Pool,
    actor: &Actor,
    user: i64,
    blocked: bool,
    reason: &str,
) -> Result<(), Error> {
    actor.require(Role::Moderator)?;
    if user == actor.id {
        return Err(Error::Denied(Denied::OwnContent));
    }
    if reason.trim().is_empty() {
        return Err(Error::field("reason", Problem::Required));
    }
    sozialatlas_accounts::get_user(pool, user)
        .await?
        .ok_or(Error::NotFound("user"))?;
    sozialatlas_accounts::set_blocked(pool, Some(actor.id), user, blocked).await?;
    audit(
        pool,
        actor,
        if blocked {
            "moderation.block"
        } else {
            "moderation.unblock"
        },
        &format!("user:{user}"),
        reason.trim(),
    )
    .await
}

/// One report as the moderator sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReportInfo {
    /// Reason.
    pub reason: String,
    /// Note.
    pub note: String,
    /// When.
    pub created_at: String,
}

/// An item in the moderation queue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueItem {
    /// Idea or comment.
    pub kind: ItemKind,
    /// Its id.
    pub id: i64,
    /// The idea (for a comment: the idea it belongs to).
    pub idea: Idea,
    /// The comment's text (comments only).
    pub comment_body: Option<String>,
    /// Its author.
    pub author_id: Option<i64>,
    /// Hidden (automatically or by a moderator).
    pub hidden: bool,
    /// Why it is hidden.
    pub hidden_reason: Option<String>,
    /// Open reports.
    pub reports: Vec<ReportInfo>,
    /// The moderator wrote it (may not act on it).
    pub own: bool,
}

/// The moderation queue: submitted ideas waiting to be published, and reported items with
/// open reports (hidden ones first).
pub struct Queue {
    /// Submitted ideas, oldest first.
    pub submitted: Vec<Idea>,
    /// Reported items.
    pub reported: Vec<QueueItem>,
}

/// The moderation queue (moderators and process managers).
pub async fn queue(pool: &Pool, actor: &Actor) -> Result<Queue, Error> {
    if !(actor.has(Role::Moderator) || actor.has(Role::ProcessManager)) {
        return Err(Error::Denied(Denied::Role(Role::Moderator.as_str())));
    }
    let (mut submitted, _) = list_ideas(
        pool,
        &IdeaFilter {
            state: Some(IdeaState::Submitted),
            ..Default::default()
        },
        Scope::Staff,
    )
    .await?;
    submitted.reverse();
    let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
        "SELECT item_kind, item_id, reason, note, created_at FROM abuse_report
         WHERE resolved_at IS NULL ORDER BY item_kind, item_id, id",
    )
    .fetch_all(pool)
    .await?;
    let mut reported: Vec<QueueItem> = Vec::new();
    for (kind, id, reason, note, created_at) in rows {
        let Some(kind) = ItemKind::parse(&kind) else {
            continue;
        };
        let info = ReportInfo {
            reason,
            note,
            created_at,
        };
        if let Some(q) = reported.iter_mut().find(|q| q.kind == kind && q.id == id) {
            q.reports.push(info);
            continue;
        }
        let it = item(pool, kind, id).await?;
        let (comment_body, hidden_reason) = match kind {
            ItemKind::Idea => (None, it.idea.hidden_reason.clone()),
            ItemKind::Comment => {
                let c = get_comment(pool, id).await?;
                (
                    c.as_ref().map(|c| c.body.clone()),
                    c.and_then(|c| c.hidden_reason),
                )
            }
        };
        reported.push(QueueItem {
            kind,
            id,
            own: it.author == Some(actor.id),
            author_id: it.author,
            hidden: it.hidden,
            hidden_reason,
            idea: it.idea,
            comment_body,
            reports: vec![info],
        });
    }
    // Hidden (waiting for a decision) first, then by number of reports.
    reported.sort_by_key(|q| (!q.hidden, std::cmp::Reverse(q.reports.len())));
    Ok(Queue {
        submitted,
        reported,
    })
}

/// Whether the person has reported the item already.
pub async fn has_reported(
    pool: &Pool,
    actor: &Actor,
    kind: ItemKind,
    id: i64,
) -> Result<bool, Error> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM abuse_report WHERE item_kind = $1 AND item_id = $2 AND reporter_id = $3",
    )
    .bind(kind.as_str())
    .bind(id)
    .bind(actor.id)
    .fetch_one(pool)
    .await?
        > 0)
}
