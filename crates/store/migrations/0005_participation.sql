-- Participation (Beteiligung) in the action areas: processes with phases and fields of action,
-- project ideas with their life cycle and history, official answers, supports, comments,
-- reports of abuse, the inbox, area meetings and measures. The rules live in the
-- sozialatlas-participation crate, which owns all SQL on these tables.
-- People are accounts (`app_user`; a deleted account keeps its row, anonymised, so contributions
-- stay and show as "deleted participant"); timestamps are RFC 3339 text
-- in UTC, dates `YYYY-MM-DD`, meeting times local `YYYY-MM-DDTHH:MM`; amounts whole euros.
-- Portable SQL: runs on SQLite and PostgreSQL.

CREATE TABLE process (
    id                 BIGINT PRIMARY KEY,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    action_area_set_id BIGINT NOT NULL REFERENCES action_area_set (id),
    reference_prefix   TEXT NOT NULL,
    moderate_first     BOOLEAN NOT NULL,
    hide_after_reports INTEGER NOT NULL CHECK (hide_after_reports >= 1),
    example            BOOLEAN NOT NULL,
    created_at         TEXT NOT NULL,
    created_by         BIGINT NULL REFERENCES app_user (id)
);

CREATE TABLE process_phase (
    id             BIGINT PRIMARY KEY,
    process_id     BIGINT NOT NULL REFERENCES process (id),
    position       INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('information', 'meetings', 'proposals', 'review',
                                                 'decision', 'implementation')),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    allows_propose BOOLEAN NOT NULL,
    allows_comment BOOLEAN NOT NULL,
    allows_support BOOLEAN NOT NULL,
    UNIQUE (process_id, position)
);

CREATE TABLE action_field (
    id          BIGINT PRIMARY KEY,
    process_id  BIGINT NOT NULL REFERENCES process (id),
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE action_field_goal (
    id       BIGINT PRIMARY KEY,
    field_id BIGINT NOT NULL REFERENCES action_field (id),
    position INTEGER NOT NULL,
    body     TEXT NOT NULL
);

CREATE TABLE area_meeting (
    id             BIGINT PRIMARY KEY,
    process_id     BIGINT NOT NULL REFERENCES process (id),
    action_area_id BIGINT NOT NULL REFERENCES action_area (id),
    title          TEXT NOT NULL,
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NULL,
    place          TEXT NOT NULL,
    accessibility  TEXT NOT NULL,
    description    TEXT NOT NULL,
    minutes        TEXT NULL,
    attendees      INTEGER NULL CHECK (attendees >= 0),
    example        BOOLEAN NOT NULL,
    created_at     TEXT NOT NULL,
    created_by     BIGINT NULL REFERENCES app_user (id),
    updated_at     TEXT NOT NULL
);
CREATE INDEX area_meeting_by_area ON area_meeting (action_area_id);

CREATE TABLE idea (
    id             BIGINT PRIMARY KEY,
    process_id     BIGINT NOT NULL REFERENCES process (id),
    reference      TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    action_area_id BIGINT NOT NULL REFERENCES action_area (id),
    field_id       BIGINT NOT NULL REFERENCES action_field (id),
    -- The participant who wrote it; NULL when staff entered it for a meeting's attendees.
    author_id      BIGINT NULL REFERENCES app_user (id),
    entered_by     BIGINT NULL REFERENCES app_user (id),
    group_type     TEXT NULL CHECK (group_type IN ('residents', 'association', 'church', 'school',
                                                   'institution', 'politics', 'business', 'other')),
    group_name     TEXT NULL,
    meeting_id     BIGINT NULL REFERENCES area_meeting (id),
    lon            DOUBLE PRECISION NULL,
    lat            DOUBLE PRECISION NULL,
    cost_estimate  BIGINT NULL CHECK (cost_estimate >= 0),
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'published', 'under_review',
                                                  'accepted', 'rejected', 'merged', 'withdrawn')),
    merged_into    BIGINT NULL REFERENCES idea (id),
    reviewer_id    BIGINT NULL REFERENCES app_user (id),
    hidden         BOOLEAN NOT NULL,
    hidden_reason  TEXT NULL,
    hidden_at      TEXT NULL,
    hidden_by      BIGINT NULL REFERENCES app_user (id),
    example        BOOLEAN NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    published_at   TEXT NULL
);
CREATE INDEX idea_by_process ON idea (process_id, state);
CREATE INDEX idea_by_area ON idea (action_area_id);
CREATE INDEX idea_by_author ON idea (author_id, created_at);

-- Every state change and every other event of an idea: who (user and the capacity they acted
-- in), when and why. Append-only.
CREATE TABLE idea_event (
    id         BIGINT PRIMARY KEY,
    idea_id    BIGINT NOT NULL REFERENCES idea (id),
    at         TEXT NOT NULL,
    actor_id   BIGINT NULL REFERENCES app_user (id),
    party      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('created', 'state', 'edited', 'answer_saved',
                                             'answer_published', 'hidden', 'unhidden',
                                             'reviewer')),
    from_state TEXT NULL,
    to_state   TEXT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX idea_event_by_idea ON idea_event (idea_id, id);

-- The official answer: saved with the decision, published separately.
CREATE TABLE idea_answer (
    idea_id      BIGINT PRIMARY KEY REFERENCES idea (id),
    decision     TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    body         TEXT NOT NULL,
    written_by   BIGINT NOT NULL REFERENCES app_user (id),
    written_at   TEXT NOT NULL,
    published_at TEXT NULL,
    published_by BIGINT NULL REFERENCES app_user (id)
);

-- Reviewers' private notes.
CREATE TABLE idea_review_note (
    id         BIGINT PRIMARY KEY,
    idea_id    BIGINT NOT NULL REFERENCES idea (id),
    author_id  BIGINT NOT NULL REFERENCES app_user (id),
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE idea_support (
    idea_id    BIGINT NOT NULL REFERENCES idea (id),
    user_id    BIGINT NOT NULL REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (idea_id, user_id)
);

CREATE TABLE idea_comment (
    id            BIGINT PRIMARY KEY,
    idea_id       BIGINT NOT NULL REFERENCES idea (id),
    parent_id     BIGINT NULL REFERENCES idea_comment (id),
    author_id     BIGINT NOT NULL REFERENCES app_user (id),
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    edited_at     TEXT NULL,
    hidden        BOOLEAN NOT NULL,
    hidden_reason TEXT NULL,
    hidden_at     TEXT NULL,
    hidden_by     BIGINT NULL REFERENCES app_user (id)
);
CREATE INDEX idea_comment_by_idea ON idea_comment (idea_id, id);
CREATE INDEX idea_comment_by_author ON idea_comment (author_id, created_at);

CREATE TABLE abuse_report (
    id          BIGINT PRIMARY KEY,
    item_kind   TEXT NOT NULL CHECK (item_kind IN ('idea', 'comment')),
    item_id     BIGINT NOT NULL,
    reporter_id BIGINT NOT NULL REFERENCES app_user (id),
    reason      TEXT NOT NULL CHECK (reason IN ('spam', 'offensive', 'off_topic', 'other')),
    note        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    resolved_at TEXT NULL,
    resolved_by BIGINT NULL REFERENCES app_user (id),
    resolution  TEXT NULL,
    UNIQUE (item_kind, item_id, reporter_id)
);
CREATE INDEX abuse_report_open ON abuse_report (resolved_at, item_kind, item_id);

CREATE TABLE inbox_message (
    id         BIGINT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES app_user (id),
    created_at TEXT NOT NULL,
    kind       TEXT NOT NULL,
    idea_id    BIGINT NULL REFERENCES idea (id),
    detail     TEXT NOT NULL,
    read_at    TEXT NULL
);
CREATE INDEX inbox_message_by_user ON inbox_message (user_id, id);

CREATE TABLE measure (
    id             BIGINT PRIMARY KEY,
    process_id     BIGINT NOT NULL REFERENCES process (id),
    parent_id      BIGINT NULL REFERENCES measure (id),
    code           TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    action_area_id BIGINT NULL REFERENCES action_area (id),
    field_id       BIGINT NULL REFERENCES action_field (id),
    status         TEXT NOT NULL CHECK (status IN ('planned', 'started', 'done', 'stopped')),
    progress       INTEGER NOT NULL CHECK (progress >= 0 AND progress <= 100),
    budget         BIGINT NULL CHECK (budget >= 0),
    office         TEXT NOT NULL,
    example        BOOLEAN NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (process_id, code)
);

CREATE TABLE measure_update (
    id         BIGINT PRIMARY KEY,
    measure_id BIGINT NOT NULL REFERENCES measure (id),
    on_date    TEXT NOT NULL,
    body       TEXT NOT NULL,
    progress   INTEGER NULL,
    status     TEXT NULL,
    author_id  BIGINT NULL REFERENCES app_user (id),
    source     TEXT NOT NULL CHECK (source IN ('form', 'csv')),
    created_at TEXT NOT NULL
);
CREATE INDEX measure_update_by_measure ON measure_update (measure_id, on_date);

CREATE TABLE measure_idea (
    measure_id BIGINT NOT NULL REFERENCES measure (id),
    idea_id    BIGINT NOT NULL REFERENCES idea (id),
    PRIMARY KEY (measure_id, idea_id)
);
