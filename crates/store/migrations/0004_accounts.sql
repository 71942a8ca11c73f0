-- Accounts (owner: crates/accounts). Portable SQL: runs on SQLite and PostgreSQL.
-- Times are UTC in RFC 3339 with a fixed width ("2026-11-25T12:00:00Z"), so that text order is
-- time order.

-- A user. `email_norm` is the trimmed, lower-cased address: unique case-insensitively. When an
-- account is deleted its personal data (email, name, password hash) is erased and the row stays
-- with status 'deleted', so that contributions keep a (now anonymous) author.
CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY,
    email         TEXT NULL,
    email_norm    TEXT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NULL,
    status        TEXT NOT NULL CHECK (status IN ('unconfirmed', 'active', 'blocked', 'deleted')),
    locale        TEXT NOT NULL DEFAULT 'de',
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT NULL,
    last_login_at TEXT NULL,
    deleted_at    TEXT NULL,
    -- Unix time in milliseconds of the last password change or reset: sessions signed in before it end.
    credentials_changed_at BIGINT NULL
);

-- Roles held by a user (several per user).
CREATE TABLE app_user_role (
    user_id    INTEGER NOT NULL REFERENCES app_user (id),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'process-manager', 'moderator', 'reviewer',
                                             'office-staff', 'office-supervisor', 'participant')),
    granted_at TEXT NOT NULL,
    granted_by INTEGER NULL REFERENCES app_user (id),
    PRIMARY KEY (user_id, role)
);

-- One-time e-mail tokens (confirmation, password reset). Only the SHA-256 of the token is kept.
CREATE TABLE email_token (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES app_user (id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT NULL
);
CREATE INDEX email_token_user ON email_token (user_id);

-- Mail to send. Without an SMTP relay configured this is where mail stays (administrators can
-- read it at /admin/outbox); with one, a sender marks each row sent or records the error.
CREATE TABLE mail_outbox (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NULL REFERENCES app_user (id),
    to_addr     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NULL
);

-- The audit log: append-only (the code has no UPDATE or DELETE for it). Rows name users by id
-- only, so that erasing an account's personal data leaves the log intact and free of it.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor_id  INTEGER NULL REFERENCES app_user (id),
    action    TEXT NOT NULL,
    object    TEXT NOT NULL,
    detail    TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
