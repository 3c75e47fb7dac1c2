-- Goals with check-ins, meetings with agendas and action items, mentoring agreements, the
-- mentoring network and research outputs. Append-only where a person's history matters: a status
-- change, a check-in, a note, an agreement version or an acknowledgement is a new row.

-- A program's own goal categories; with none, the defaults (career, research, clinical, personal).
CREATE TABLE goal_categories (
    program_id INTEGER NOT NULL,
    category   VARCHAR NOT NULL,
    PRIMARY KEY (program_id, category)
);

CREATE SEQUENCE goal_ids START 1;
CREATE TABLE goals (
    goal_id          INTEGER PRIMARY KEY DEFAULT nextval('goal_ids'),
    owner_id         INTEGER NOT NULL,
    title            VARCHAR NOT NULL,
    category         VARCHAR NOT NULL,
    measure          VARCHAR NOT NULL CHECK (measure IN ('percent', 'count')),
    target_value     DOUBLE NOT NULL CHECK (target_value > 0),
    unit             VARCHAR,              -- for counts: "abstracts", "papers"
    start_value      DOUBLE NOT NULL DEFAULT 0,
    started_on       DATE NOT NULL,
    target_date      DATE NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    from_action_id   INTEGER               -- the meeting action item it grew from, if any
);

CREATE TABLE goal_milestones (
    goal_id  INTEGER NOT NULL,
    position INTEGER NOT NULL,
    title    VARCHAR NOT NULL,
    due_on   DATE
);

CREATE TABLE goal_checkins (
    goal_id     INTEGER NOT NULL,
    checked_on  DATE NOT NULL,
    value       DOUBLE NOT NULL,
    note        VARCHAR,
    recorded_at TIMESTAMP NOT NULL
);

-- The latest change is the goal's status; a goal with none is active.
CREATE TABLE goal_status_changes (
    goal_id     INTEGER NOT NULL,
    status      VARCHAR NOT NULL CHECK (status IN ('active', 'completed', 'paused', 'dropped')),
    note        VARCHAR,
    changed_on  DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);

-- Meetings belong to a pair: a joint record both members always see.
CREATE SEQUENCE meeting_ids START 1;
CREATE TABLE meetings (
    meeting_id  INTEGER PRIMARY KEY DEFAULT nextval('meeting_ids'),
    pair_id     INTEGER NOT NULL,
    meeting_on  DATE NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

CREATE TABLE meeting_agenda_items (
    meeting_id INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    text       VARCHAR NOT NULL
);

-- Notes after the meeting; the latest row counts, earlier ones stay. held = false: did not take place.
CREATE TABLE meeting_notes (
    meeting_id  INTEGER NOT NULL,
    held        BOOLEAN NOT NULL,
    notes       VARCHAR,
    written_by  INTEGER NOT NULL,
    written_at  TIMESTAMP NOT NULL
);

CREATE SEQUENCE action_ids START 1;
CREATE TABLE action_items (
    action_id   INTEGER PRIMARY KEY DEFAULT nextval('action_ids'),
    meeting_id  INTEGER NOT NULL,
    text        VARCHAR NOT NULL,
    owner_id    INTEGER NOT NULL,
    due_on      DATE,
    created_at  TIMESTAMP NOT NULL
);

-- The latest change counts: open (none), done, or turned into a goal.
CREATE TABLE action_item_changes (
    action_id  INTEGER NOT NULL,
    status     VARCHAR NOT NULL CHECK (status IN ('open', 'done', 'goal')),
    goal_id    INTEGER,
    changed_by INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- The guidance's "setting ground rules and mutual expectations", per pair, versioned.
CREATE SEQUENCE agreement_ids START 1;
CREATE TABLE agreements (
    agreement_id      INTEGER PRIMARY KEY DEFAULT nextval('agreement_ids'),
    pair_id           INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    meet_every_weeks  INTEGER NOT NULL CHECK (meet_every_weeks BETWEEN 1 AND 26),
    contact           VARCHAR NOT NULL,    -- how they reach each other
    response_time     VARCHAR NOT NULL,    -- how fast they answer
    mentee_expects    VARCHAR NOT NULL,
    mentor_expects    VARCHAR NOT NULL,
    confidential      VARCHAR NOT NULL,    -- what stays between them
    review_on         DATE NOT NULL,
    written_by        INTEGER NOT NULL,
    written_at        TIMESTAMP NOT NULL,
    UNIQUE (pair_id, version)
);

CREATE TABLE agreement_acknowledgements (
    agreement_id    INTEGER NOT NULL,
    person_id       INTEGER NOT NULL,
    acknowledged_at TIMESTAMP NOT NULL,
    PRIMARY KEY (agreement_id, person_id)
);

-- A fellow's mentoring network by domain: program mentors or people outside the program.
CREATE SEQUENCE network_ids START 1;
CREATE TABLE network_entries (
    entry_id         INTEGER PRIMARY KEY DEFAULT nextval('network_ids'),
    fellow_id        INTEGER NOT NULL,
    mentor_person_id INTEGER,              -- a person of the program, or NULL for someone outside it
    mentor_name      VARCHAR NOT NULL,
    domain           VARCHAR NOT NULL CHECK (domain IN ('career', 'research', 'social')),
    added_at         TIMESTAMP NOT NULL,
    removed_at       TIMESTAMP
);

CREATE SEQUENCE output_ids START 1;
CREATE TABLE outputs (
    output_id       INTEGER PRIMARY KEY DEFAULT nextval('output_ids'),
    owner_id        INTEGER NOT NULL,
    kind            VARCHAR NOT NULL CHECK (kind IN ('publication', 'abstract', 'grant', 'award', 'presentation')),
    title           VARCHAR NOT NULL,
    happened_on     DATE NOT NULL,
    identifier_kind VARCHAR CHECK (identifier_kind IN ('doi', 'pmid', 'grant')),
    identifier      VARCHAR,
    recorded_at     TIMESTAMP NOT NULL
);
