-- Sessions of the web server (owner: crates/web-kit, `auth::session`), in the store so that
-- several instances on one database share them. `data` is the session record as JSON,
-- `expiry_date` its expiry in Unix seconds.
CREATE TABLE session (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expiry_date BIGINT NOT NULL
);
CREATE INDEX session_expiry ON session (expiry_date);

-- The table of the session store used before (tower-sessions-sqlx-store on SQLite only): its
-- sessions end with the upgrade (everyone signs in once more).
DROP TABLE IF EXISTS tower_sessions;
