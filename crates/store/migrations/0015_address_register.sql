-- The address register (atlas.toml `[addresses]`): each street of a postcode and locality, and
-- the house numbers it has in each area it runs through, as a street directory lists them
-- (`numbers_json`: `[1, 7]` every number from 1 to 7, `9`, `[11, "A"]` 11A, `null` the address
-- without number), with their count. Replaced by every load.
-- Portable SQL: runs on SQLite and PostgreSQL.

CREATE TABLE address_street (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL,
    postcode TEXT NOT NULL,
    locality TEXT NOT NULL
);

CREATE TABLE address_numbers (
    street_id    INTEGER NOT NULL REFERENCES address_street (id),
    area_id      INTEGER NOT NULL REFERENCES area (id),
    addresses    INTEGER NOT NULL,
    numbers_json TEXT NOT NULL,
    PRIMARY KEY (street_id, area_id)
);
