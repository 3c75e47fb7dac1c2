-- The core schema: programs, cohorts, people and roles, pairs, instrument versions and
-- append-only assessments. No foreign keys: DuckDB turns an UPDATE of a referenced row into
-- delete+insert, which foreign keys then refuse; the write functions in analytics/ check instead.

CREATE TABLE schema_version (
    version    INTEGER PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE program_ids START 1;
CREATE TABLE programs (
    program_id     INTEGER PRIMARY KEY DEFAULT nextval('program_ids'),
    name           VARCHAR NOT NULL UNIQUE,
    period_months  INTEGER NOT NULL DEFAULT 3 CHECK (period_months IN (1, 2, 3, 4, 6, 12)),
    min_group_size INTEGER NOT NULL DEFAULT 5 CHECK (min_group_size >= 3),
    created_at     TIMESTAMP NOT NULL
);

CREATE SEQUENCE cohort_ids START 1;
CREATE TABLE cohorts (
    cohort_id  INTEGER PRIMARY KEY DEFAULT nextval('cohort_ids'),
    program_id INTEGER NOT NULL,
    name       VARCHAR NOT NULL,
    start_year INTEGER NOT NULL
);

CREATE SEQUENCE person_ids START 1;
CREATE TABLE people (
    person_id  INTEGER PRIMARY KEY DEFAULT nextval('person_ids'),
    program_id INTEGER NOT NULL,
    full_name  VARCHAR NOT NULL,
    email      VARCHAR NOT NULL UNIQUE,
    cohort_id  INTEGER,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE person_roles (
    person_id INTEGER NOT NULL,
    role      VARCHAR NOT NULL CHECK (role IN ('fellow', 'mentor', 'director')),
    PRIMARY KEY (person_id, role)
);

CREATE SEQUENCE pair_ids START 1;
CREATE TABLE pairs (
    pair_id    INTEGER PRIMARY KEY DEFAULT nextval('pair_ids'),
    program_id INTEGER NOT NULL,
    mentor_id  INTEGER NOT NULL,
    mentee_id  INTEGER NOT NULL,
    domain     VARCHAR NOT NULL CHECK (domain IN ('career', 'research', 'social')),
    started_on DATE NOT NULL,
    ended_on   DATE,
    end_status VARCHAR CHECK (end_status IN ('completed', 'stopped')),
    end_reason VARCHAR,
    CHECK (mentor_id <> mentee_id)
);

-- One row per instrument version the app has ever offered, with its full wording, so old
-- answers can always be shown as they were asked.
CREATE TABLE instrument_versions (
    instrument_id VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    title         VARCHAR NOT NULL,
    about         VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    definition    VARCHAR NOT NULL,
    registered_at TIMESTAMP NOT NULL,
    PRIMARY KEY (instrument_id, version)
);

CREATE SEQUENCE assessment_ids START 1;
CREATE TABLE assessments (
    assessment_id      BIGINT PRIMARY KEY DEFAULT nextval('assessment_ids'),
    instrument_id      VARCHAR NOT NULL,
    instrument_version INTEGER NOT NULL,
    respondent_id      INTEGER NOT NULL,
    subject_id         INTEGER NOT NULL,
    pair_id            INTEGER,
    period_start       DATE NOT NULL,
    submitted_at       TIMESTAMP NOT NULL,
    comment            VARCHAR,
    submission_key     VARCHAR NOT NULL UNIQUE
);

CREATE TABLE responses (
    assessment_id BIGINT NOT NULL,
    item_id       VARCHAR NOT NULL,
    rating        SMALLINT NOT NULL CHECK (rating BETWEEN 0 AND 100)
);

-- The answers that count: the latest submission per respondent, subject, pair, instrument and
-- period. Earlier submissions stay in `assessments` as history.
CREATE VIEW current_assessments AS
SELECT *
FROM assessments
QUALIFY row_number() OVER (
    PARTITION BY respondent_id, subject_id, coalesce(pair_id, 0), instrument_id, period_start
    ORDER BY submitted_at DESC, assessment_id DESC
) = 1;
