-- Action offices (Aktionsbüros): a pseudonymous contact and referral log (crate
-- sozialatlas-offices holds all SQL on these tables). Portable SQL: runs on SQLite and PostgreSQL.
-- Ids are assigned by the program (MAX + 1 in the writing transaction), except the case id,
-- which is a random pseudonym (never sequential, never derived from anything).
-- Dates are TEXT 'YYYY-MM-DD', instants TEXT RFC 3339 (UTC).

CREATE TABLE office (
    id             BIGINT PRIMARY KEY,
    slug           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    street         TEXT NOT NULL,
    postcode       TEXT NOT NULL,
    city           TEXT NOT NULL,
    phone          TEXT,
    email          TEXT,
    opening_hours  TEXT NOT NULL,
    accessibility  TEXT,
    description    TEXT,
    opened_on      TEXT,
    is_public      BOOLEAN NOT NULL,
    is_example     BOOLEAN NOT NULL,
    created_at     TEXT NOT NULL
);

-- The action areas an office serves (areas of one or more action-area sets).
CREATE TABLE office_area (
    office_id      BIGINT NOT NULL REFERENCES office (id),
    action_area_id BIGINT NOT NULL REFERENCES action_area (id),
    PRIMARY KEY (office_id, action_area_id)
);

-- Staff assignment: a user (accounts crate) works in an office. Access to cases follows this
-- table together with the office-staff role.
CREATE TABLE office_staff (
    office_id BIGINT NOT NULL REFERENCES office (id),
    user_id   BIGINT NOT NULL REFERENCES app_user (id),
    since     TEXT NOT NULL,
    PRIMARY KEY (office_id, user_id)
);
CREATE INDEX office_staff_by_user ON office_staff (user_id);

-- The configurable list of coded topics.
CREATE TABLE office_topic (
    code      TEXT PRIMARY KEY,
    label_de  TEXT NOT NULL,
    label_en  TEXT NOT NULL,
    position  INTEGER NOT NULL,
    active    BOOLEAN NOT NULL
);
INSERT INTO office_topic (code, label_de, label_en, position, active) VALUES
    ('work',      'Arbeit und Beschäftigung', 'Work and employment', 1, TRUE),
    ('income',    'Einkommen und Leistungen', 'Income and benefits', 2, TRUE),
    ('housing',   'Wohnen',                   'Housing',             3, TRUE),
    ('debt',      'Schulden',                 'Debt',                4, TRUE),
    ('family',    'Familie und Erziehung',    'Family and parenting', 5, TRUE),
    ('health',    'Gesundheit und Pflege',    'Health and care',     6, TRUE),
    ('migration', 'Migration und Sprache',    'Migration and language', 7, TRUE),
    ('education', 'Bildung und Ausbildung',   'Education and training', 8, TRUE);

-- The managed list of partner agencies that cases can be referred to.
CREATE TABLE partner_agency (
    id         BIGINT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    contact    TEXT,
    active     BOOLEAN NOT NULL,
    created_at TEXT NOT NULL
);

-- Settings of the office log (one row).
CREATE TABLE office_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    retention_months INTEGER NOT NULL CHECK (retention_months >= 1)
);
INSERT INTO office_settings (id, retention_months) VALUES (1, 24);

CREATE TABLE office_case (
    id             TEXT PRIMARY KEY,
    office_id      BIGINT NOT NULL REFERENCES office (id),
    action_area_id BIGINT REFERENCES action_area (id),
    opened_on      TEXT NOT NULL,
    closed_on      TEXT,
    close_reason   TEXT,
    identity_erased_on TEXT,
    channel        TEXT NOT NULL,
    owner_id       BIGINT NOT NULL REFERENCES app_user (id),
    is_example     BOOLEAN NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX office_case_by_office ON office_case (office_id, opened_on);

CREATE TABLE case_topic (
    case_id    TEXT NOT NULL REFERENCES office_case (id),
    topic_code TEXT NOT NULL REFERENCES office_topic (code),
    PRIMARY KEY (case_id, topic_code)
);

-- Specialists (staff of the same office) assigned to a case, with their field.
CREATE TABLE case_specialist (
    case_id TEXT NOT NULL REFERENCES office_case (id),
    user_id BIGINT NOT NULL REFERENCES app_user (id),
    field   TEXT NOT NULL,
    PRIMARY KEY (case_id, user_id)
);

CREATE TABLE case_contact (
    id         BIGINT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES office_case (id),
    on_date    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    created_by BIGINT NOT NULL
);
CREATE INDEX case_contact_by_case ON case_contact (case_id);

CREATE TABLE case_note (
    id         BIGINT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES office_case (id),
    created_at TEXT NOT NULL,
    author_id  BIGINT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX case_note_by_case ON case_note (case_id);

CREATE TABLE case_followup (
    id         BIGINT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES office_case (id),
    due_on     TEXT NOT NULL,
    what       TEXT NOT NULL,
    done_on    TEXT,
    created_by BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_followup_by_case ON case_followup (case_id);

-- Identifying details, separate from the case, readable only by the owning office. `data` is
-- JSON (scheme 'plain') or hexadecimal XChaCha20-Poly1305 ciphertext with its nonce and the id
-- of the key (scheme 'xchacha20poly1305'); the key itself is never stored.
CREATE TABLE case_identity (
    case_id    TEXT PRIMARY KEY REFERENCES office_case (id),
    scheme     TEXT NOT NULL CHECK (scheme IN ('plain', 'xchacha20poly1305')),
    key_id     TEXT,
    nonce      TEXT,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE referral (
    id                 BIGINT PRIMARY KEY,
    case_id            TEXT NOT NULL REFERENCES office_case (id),
    agency_id          BIGINT NOT NULL REFERENCES partner_agency (id),
    purpose            TEXT NOT NULL,
    consent_given_on   TEXT NOT NULL,
    consent_scope      TEXT NOT NULL,
    consent_revoked_on TEXT,
    state              TEXT NOT NULL CHECK (state IN ('in_progress', 'accepted', 'rejected', 'done', 'revoked')),
    created_at         TEXT NOT NULL,
    created_by         BIGINT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX referral_by_case ON referral (case_id);

CREATE TABLE referral_event (
    id          BIGINT PRIMARY KEY,
    referral_id BIGINT NOT NULL REFERENCES referral (id),
    at          TEXT NOT NULL,
    actor_id    BIGINT NOT NULL,
    state       TEXT NOT NULL,
    note        TEXT
);

-- What stays of a case erased on request: its statistical contribution only, with no case id,
-- no dates finer than a month and no text, so that published statistics do not change.
CREATE TABLE case_residue (
    id             BIGINT PRIMARY KEY,
    office_id      BIGINT NOT NULL REFERENCES office (id),
    action_area_id BIGINT,
    opened_month   TEXT NOT NULL,
    topics         TEXT NOT NULL,
    contact_months TEXT NOT NULL
);
