-- PostGIS competitor, run by bench/run.sh as one timed psql call:
--   psql -q -v areas_csv=… -v points_csv=… -f postgis_agg.sql > counts.csv
-- Loads the areas (key + hex WKB in EPSG:25832) and builds a GiST index, COPYs the points CSV in,
-- counts the points per area, period and variable with ST_Contains, COPYs the counts out.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP TABLE IF EXISTS pts, areas_raw, areas;
CREATE UNLOGGED TABLE areas_raw (key text, wkb text);
COPY areas_raw FROM :'areas_csv' (FORMAT csv, HEADER true);
CREATE UNLOGGED TABLE areas AS SELECT key, ST_SetSRID(wkb::geometry, 25832) AS geom FROM areas_raw;
CREATE INDEX areas_geom ON areas USING gist (geom);
ANALYZE areas;
CREATE UNLOGGED TABLE pts (id bigint, x double precision, y double precision, period int, variable text);
COPY pts FROM :'points_csv' (FORMAT csv, HEADER true);
ANALYZE pts;
COPY (
  SELECT a.key, p.period, p.variable, count(*) AS count
  FROM pts p
  JOIN areas a ON ST_Contains(a.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 25832))
  GROUP BY 1, 2, 3
) TO STDOUT (FORMAT csv, HEADER true);
