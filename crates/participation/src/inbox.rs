//! The inbox (Benachrichtigungen): what happened to a person's ideas and comments. Messages are
//! stored as a kind with its detail, so that each reader gets them in their own language.

use serde::Serialize;
use sozialatlas_store::Pool;
use time::OffsetDateTime;

use crate::clock::stamp;
use crate::{Actor, Error, next_id};

/// What a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum MessageKind {
    /// The idea's state changed (detail: the new state).
    StateChanged,
    /// The official answer was published (detail: the decision).
    AnswerPublished,
    /// Someone commented on your idea.
    Comment,
    /// Someone replied to your comment.
    Reply,
    /// Your idea or comment was hidden by moderation (detail: `idea` or `comment`, reason).
    Hidden,
    /// Your idea or comment is visible again.
    Unhidden,
    /// You are asked to review an idea.
    ReviewAssigned,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 7] = [
        MessageKind::StateChanged,
        MessageKind::AnswerPublished,
        MessageKind::Comment,
        MessageKind::Reply,
        MessageKind::Hidden,
        MessageKind::Unhidden,
        MessageKind::ReviewAssigned,
    ];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::StateChanged => "state_changed",
            MessageKind::AnswerPublished => "answer_published",
            MessageKind::Comment => "comment",
            MessageKind::Reply => "reply",
            MessageKind::Hidden => "hidden",
            MessageKind::Unhidden => "unhidden",
            MessageKind::ReviewAssigned => "review_assigned",
        }
    }

    /// Whether the reader is also told by e-mail (unless they turned it off): what happens to
    /// their idea — published, answered, a new state.
    pub fn mailed(self) -> bool {
        matches!(
            self,
            MessageKind::StateChanged | MessageKind::AnswerPublished
        )
    }

    /// The inverse of [`as_str`](Self::as_str).
    pub fn parse(s: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Id.
    pub id: i64,
    /// When.
    pub created_at: String,
    /// What.
    pub kind: MessageKind,
    /// The idea concerned.
    pub idea_id: Option<i64>,
    /// Its reference and title (when the idea exists).
    pub idea: Option<(String, String)>,
    /// Detail (a state, a reason).
    pub detail: String,
    /// Read.
    pub read: bool,
}

/// Puts a message into a person's inbox (inside the caller's transaction).
pub(crate) async fn notify(
    conn: &mut sozialatlas_store::Conn,
    user: i64,
    kind: MessageKind,
    idea: Option<i64>,
    detail: &str,
    now: OffsetDateTime,
) -> Result<(), Error> {
    let id = next_id(conn, "inbox_message").await?;
    sqlx::query(
        "INSERT INTO inbox_message (id, user_id, created_at, kind, idea_id, detail, read_at, mail_state)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7)",
    )
    .bind(id)
    .bind(user)
    .bind(stamp(now))
    .bind(kind.as_str())
    .bind(idea)
    .bind(detail)
    .bind(if kind.mailed() { "pending" } else { "none" })
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A message to be mailed, with what its mail says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailNotice {
    /// What.
    pub kind: MessageKind,
    /// The message's detail (the idea's state).
    pub detail: String,
    /// The idea concerned: id, reference, title.
    pub idea: Option<(i64, String, String)>,
    /// The reader's language (`de` or `en`).
    pub locale: String,
}

/// Mails the messages waiting for it (at most `limit`): each one whose reader takes mail goes
/// into the outbox with the subject and body `compose` gives it, the others are marked skipped —
/// the outbox row and the message's mark in one transaction, so that a message is mailed once,
/// also when the process stops between two messages. Returns how many were queued.
pub async fn mail_pending(
    pool: &Pool,
    limit: i64,
    compose: impl Fn(&MailNotice) -> (String, String),
) -> Result<usize, Error> {
    type PendingRow = (
        i64,
        i64,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        String,
    );
    let mut tx = sozialatlas_store::begin_write(pool).await?;
    let rows: Vec<PendingRow> = sqlx::query_as(
        "SELECT m.id, m.user_id, m.kind, m.idea_id, i.reference, i.title, m.detail
         FROM inbox_message m LEFT JOIN idea i ON i.id = m.idea_id
         WHERE m.mail_state = 'pending' ORDER BY m.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let mut queued = 0;
    for (id, user, kind, idea_id, reference, title, detail) in rows {
        let recipient = sozialatlas_accounts::notification_recipient(&mut tx, user).await?;
        let mail = MessageKind::parse(&kind).zip(recipient);
        // Claimed before it is mailed: another instance that read the same message waits for
        // this transaction and then finds it no longer pending.
        let claimed = sqlx::query(
            "UPDATE inbox_message SET mail_state = $1 WHERE id = $2 AND mail_state = 'pending'",
        )
        .bind(if mail.is_some() { "queued" } else { "skipped" })
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if let (true, Some((kind, to))) = (claimed, mail) {
            let notice = MailNotice {
                kind,
                detail,
                idea: idea_id
                    .zip(reference.zip(title))
                    .map(|(i, (r, t))| (i, r, t)),
                locale: to.locale,
            };
            let (subject, body) = compose(&notice);
            sozialatlas_accounts::queue_mail_in(&mut tx, Some(user), &to.email, &subject, &body)
                .await?;
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(queued)
}

/// A person's messages, newest first (at most `limit`).
pub async fn messages(pool: &Pool, actor: &Actor, limit: i64) -> Result<Vec<Message>, Error> {
    type MessageRow = (
        i64,
        String,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
    );
    Ok(sqlx::query_as::<_, MessageRow>(
        "SELECT m.id, m.created_at, m.kind, m.idea_id, i.reference, i.title, m.detail, m.read_at
         FROM inbox_message m LEFT JOIN idea i ON i.id = m.idea_id
         WHERE m.user_id = $1 ORDER BY m.id DESC LIMIT $2",
    )
    .bind(actor.id)
    .bind(limit)
    .fetch_all(pool)
    .await?
    .into_iter()
    .filter_map(
        |(id, created_at, kind, idea_id, reference, title, detail, read_at)| {
            Some(Message {
                id,
                created_at,
                kind: MessageKind::parse(&kind)?,
                idea_id,
                idea: reference.zip(title),
                detail,
                read: read_at.is_some(),
            })
        },
    )
    .collect())
}

/// How many unread messages a person has.
pub async fn unread(pool: &Pool, actor: &Actor) -> Result<i64, Error> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM inbox_message WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(actor.id)
    .fetch_one(pool)
    .await?)
}

/// Marks all of a person's messages read.
pub async fn mark_all_read(pool: &Pool, actor: &Actor, now: OffsetDateTime) -> Result<(), Error> {
    sqlx::query("UPDATE inbox_message SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
        .bind(actor.id)
        .bind(stamp(now))
        .execute(pool)
        .await?;
    Ok(())
}
