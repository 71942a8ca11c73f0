-- Sign-in limits shared by every instance on one database (owner: crates/accounts).
-- Portable SQL: runs on SQLite and PostgreSQL.

-- Rate-limited events (failed sign-ins, registrations, reset requests). The key names what is
-- limited ("login-ip:203.0.113.5", "login-account:a@b.org"); only its SHA-256 is kept, and rows
-- older than the longest window (an hour) are deleted.
CREATE TABLE rate_event (
    key_hash TEXT NOT NULL,
    at_ms    BIGINT NOT NULL
);
CREATE INDEX rate_event_key ON rate_event (key_hash, at_ms);

-- Browsers an account has signed in from (a "device cookie" holds the token; only its SHA-256
-- is kept). Failed sign-ins from a known browser count against that browser, not against the
-- account: a stranger who guesses passwords cannot lock the owner out of the browsers they use.
CREATE TABLE login_device (
    token_hash   TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES app_user (id),
    created_at   TEXT NOT NULL,
    last_used_at TEXT NOT NULL
);
CREATE INDEX login_device_user ON login_device (user_id);
