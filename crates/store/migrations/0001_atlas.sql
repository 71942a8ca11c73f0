-- The atlas tables: what a build loads from a city's atlas folder. Rebuilt as a whole by every
-- load (one transaction). Live data (participation, offices, accounts) lives in other tables
-- and refers to areas by (level_id, area_key), which survive reloads.
-- Portable SQL: runs on SQLite and PostgreSQL.

CREATE TABLE atlas_load (
    id               BIGINT PRIMARY KEY,
    loaded_at        TEXT NOT NULL,
    program_version  TEXT NOT NULL,
    catalogue_version TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    source           TEXT NOT NULL,
    meta_json        TEXT NOT NULL,
    settings_json    TEXT NOT NULL,
    catalogue_json   TEXT NOT NULL,
    warnings_json    TEXT NOT NULL,
    summary_json     TEXT NOT NULL
);

CREATE TABLE input_file (
    load_id  BIGINT NOT NULL REFERENCES atlas_load (id),
    path     TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    bytes    BIGINT NOT NULL,
    PRIMARY KEY (load_id, path)
);

CREATE TABLE level (
    id        TEXT PRIMARY KEY,
    position  INTEGER NOT NULL,
    name_de   TEXT NOT NULL,
    name_en   TEXT NOT NULL,
    parent_id TEXT,
    overlay   BOOLEAN NOT NULL,
    vintage   TEXT
);

CREATE TABLE area (
    id        INTEGER PRIMARY KEY,
    level_id  TEXT NOT NULL REFERENCES level (id),
    area_key  TEXT NOT NULL,
    name      TEXT NOT NULL,
    parent_id INTEGER REFERENCES area (id),
    area_km2  DOUBLE PRECISION,
    geometry  TEXT,
    UNIQUE (level_id, area_key)
);

CREATE TABLE overlay_member (
    overlay_area INTEGER NOT NULL REFERENCES area (id),
    member_area  INTEGER NOT NULL REFERENCES area (id),
    share        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (overlay_area, member_area)
);

-- Base and derived variables per area and period, with the raw value (for authorised staff)
-- and its disclosure state.
CREATE TABLE cell (
    area_id    INTEGER NOT NULL REFERENCES area (id),
    period     INTEGER NOT NULL,
    variable   TEXT NOT NULL,
    value      DOUBLE PRECISION,
    state      TEXT NOT NULL,
    disclosure TEXT NOT NULL,
    PRIMARY KEY (area_id, period, variable)
);

CREATE TABLE indicator_value (
    indicator      TEXT NOT NULL,
    area_id        INTEGER NOT NULL REFERENCES area (id),
    period         INTEGER NOT NULL,
    value          DOUBLE PRECISION,
    numerator      DOUBLE PRECISION,
    denominator    DOUBLE PRECISION,
    state          TEXT NOT NULL,
    ci_low         DOUBLE PRECISION,
    ci_high        DOUBLE PRECISION,
    low_population BOOLEAN NOT NULL,
    PRIMARY KEY (indicator, area_id, period)
);
CREATE INDEX indicator_value_by_area ON indicator_value (area_id, period);
