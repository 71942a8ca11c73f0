-- Notifications by e-mail (owners: crates/accounts for `app_user`, crates/participation for
-- `inbox_message`). A participant may turn them off (`notify_by_mail`, on by default: they signed
-- up to take part and are told what happens to their ideas).
-- `mail_state` of an inbox message: 'pending' (to be mailed: it tells an author that their idea
-- was published, answered or changed state), 'queued' (its mail is in `mail_outbox`), 'skipped'
-- (its reader turned mail off, or has no confirmed address), 'none' (a kind not mailed). The
-- messages from before this migration were never mailed and are not: 'none'.
-- Portable SQL: runs on SQLite and PostgreSQL.
ALTER TABLE app_user ADD COLUMN notify_by_mail BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE inbox_message ADD COLUMN mail_state TEXT NOT NULL DEFAULT 'none';
CREATE INDEX inbox_message_mail ON inbox_message (mail_state, id);
