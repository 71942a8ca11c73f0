-- The editors' texts of the report (texts/<name>[.en].md in the atlas folder): Markdown per
-- chapter (introduction, a dimension id, typology) and language. Replaced by every load.
-- Portable SQL: runs on SQLite and PostgreSQL.

CREATE TABLE editor_text (
    name     TEXT NOT NULL,
    locale   TEXT NOT NULL,
    path     TEXT NOT NULL,
    markdown TEXT NOT NULL,
    PRIMARY KEY (name, locale)
);
