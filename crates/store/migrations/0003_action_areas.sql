-- Action-area sets (Aktionsräume): one version of "the action areas" of a city, from an
-- imported overlay, a confirmed typology proposal, or drawn up by hand. Sets are never edited
-- in place: saving edits makes a new set; the newest set is current. Members refer to atlas
-- areas by (level, area_key), which survive reloads.
-- Portable SQL: runs on SQLite and PostgreSQL.

CREATE TABLE action_area_set (
    id          BIGINT PRIMARY KEY,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('overlay', 'typology', 'manual')),
    run_id      BIGINT NULL REFERENCES analysis_run (id),
    note        TEXT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NULL
);

CREATE TABLE action_area (
    id      BIGINT PRIMARY KEY,
    set_id  BIGINT NOT NULL REFERENCES action_area_set (id),
    key     TEXT NOT NULL,
    name    TEXT NOT NULL,
    UNIQUE (set_id, key)
);

CREATE TABLE action_area_member (
    action_area_id  BIGINT NOT NULL REFERENCES action_area (id),
    area_key        TEXT NOT NULL,
    PRIMARY KEY (action_area_id, area_key)
);
