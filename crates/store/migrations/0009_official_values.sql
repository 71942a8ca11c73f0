-- Official values at every level, published values and overlays with figures: where each
-- indicator value comes from, what an overlay's membership shares measure, and the indicator
-- values of the parts of an area not assigned to its areas on a finer level.
-- Portable SQL: runs on SQLite and PostgreSQL.

ALTER TABLE level ADD COLUMN shares TEXT;
ALTER TABLE indicator_value ADD COLUMN basis TEXT NOT NULL DEFAULT 'official';

CREATE TABLE unassigned_value (
    indicator   TEXT NOT NULL,
    area_id     INTEGER NOT NULL REFERENCES area (id),
    level_id    TEXT NOT NULL REFERENCES level (id),
    period      INTEGER NOT NULL,
    value       DOUBLE PRECISION,
    numerator   DOUBLE PRECISION,
    denominator DOUBLE PRECISION,
    state       TEXT NOT NULL,
    ci_low      DOUBLE PRECISION,
    ci_high     DOUBLE PRECISION,
    PRIMARY KEY (indicator, area_id, level_id, period)
);
