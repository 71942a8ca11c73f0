-- The cell markers of each data file of a load: which texts meant missing and which suppressed
-- (JSON {"missing": [...], "suppressed": [...]}; NULL for files that are no value table), so
-- that the published sources can name what each file's markers mean.
-- Portable SQL: runs on SQLite and PostgreSQL.

ALTER TABLE input_file ADD COLUMN markers_json TEXT;
