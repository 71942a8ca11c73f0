-- Scheduled work that must run once across every instance on one database (owner: crates/store,
-- `claim_run`): the first instance to insert (job, period) runs it; the others see the row and
-- skip. Portable SQL: runs on SQLite and PostgreSQL.
CREATE TABLE scheduled_run (
    job        TEXT NOT NULL,
    period     TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (job, period)
);
