-- Analysis runs (index, typology, Moran): parameters and result as JSON, with the load they
-- were computed from, so that every published analysis can be traced and repeated.
CREATE TABLE analysis_run (
    id          BIGINT PRIMARY KEY,
    kind        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    load_id     BIGINT NOT NULL,
    program_version TEXT NOT NULL,
    params_json TEXT NOT NULL,
    result_json TEXT NOT NULL
);
