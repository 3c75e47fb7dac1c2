-- A fellow's choice, per mentor, of what that mentor may see of the fellow's own records.
-- Append-only: the latest choice counts; withdrawing is a new row, so the history of choices stays.
CREATE TABLE sharing_choices (
    mentee_id   INTEGER NOT NULL,
    mentor_id   INTEGER NOT NULL,
    record_kind VARCHAR NOT NULL CHECK (record_kind IN ('self_assessments', 'goals', 'outputs')),
    shared      BOOLEAN NOT NULL,
    chosen_at   TIMESTAMP NOT NULL
);

-- A mentee may sign a rating of their mentor: the mentor then sees it with the mentee's name,
-- before enough mentees have rated them for an anonymous average.
CREATE TABLE signed_assessments (
    assessment_id BIGINT PRIMARY KEY,
    signed_at     TIMESTAMP NOT NULL
);
