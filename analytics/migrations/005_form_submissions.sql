-- Submission keys for the forms that store a new record without one: a new goal, a goal check-in,
-- a planned meeting, a meeting's notes and a version of an agreement. Each filled-in form carries a
-- key; a double-clicked or resubmitted form finds its key here and stores nothing new (assessments
-- keep theirs in assessments.submission_key).
-- A new table rather than a new column: ALTER on a table with an index fails in DuckDB.
CREATE TABLE form_submissions (
    submission_key VARCHAR PRIMARY KEY,
    kind           VARCHAR NOT NULL CHECK (kind IN ('goal', 'checkin', 'meeting', 'notes', 'agreement')),
    record_id      INTEGER NOT NULL,   -- the goal (for a check-in: its goal), the meeting, or the agreement
    person_id      INTEGER NOT NULL,
    submitted_at   TIMESTAMP NOT NULL
);
