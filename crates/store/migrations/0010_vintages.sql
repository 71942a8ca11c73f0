-- Boundary vintages and crosswalks: the years a level's boundaries are valid for, the next
-- vintage an older one is converted onto (a level id), what that crosswalk's weights measure
-- (on the vintage converted onto: area or population), and the crosswalk's links. Converted
-- values are indicator values with basis 'converted'.
-- Portable SQL: runs on SQLite and PostgreSQL.

ALTER TABLE level ADD COLUMN valid_from INTEGER;
ALTER TABLE level ADD COLUMN valid_until INTEGER;
ALTER TABLE level ADD COLUMN next_level TEXT;
ALTER TABLE level ADD COLUMN converted_by TEXT;

CREATE TABLE crosswalk_link (
    old_area INTEGER NOT NULL REFERENCES area (id),
    new_area INTEGER NOT NULL REFERENCES area (id),
    weight   DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (old_area, new_area)
);
