-- Reads that PostgreSQL can filter (analytics/postgres.py). Through DuckDB's postgres extension a query
-- copies over the wire every row its scans of PostgreSQL's tables read, and only filters on a table's own
-- columns (column = value, column IN (values), ranges) reach PostgreSQL; a join's condition never does. A
-- person's ratings read as "their assessments JOIN responses" therefore copied every response of every
-- program (500 ms at 1M responses, against 15 ms on the DuckDB file).

-- Each response with the columns of its assessment that readers filter by: a filter on those (the subject,
-- the respondent, the pair, the instrument) reaches PostgreSQL, which finds the few responses through the
-- indexes below. On a DuckDB file it is the same join the readers made before.
CREATE VIEW assessment_responses AS
SELECT r.assessment_id, r.item_id, r.rating,
       a.instrument_id, a.respondent_id, a.subject_id, a.pair_id, a.period_start, a.submitted_at
FROM responses r JOIN assessments a USING (assessment_id);

-- Each pair with its two people's names: a filter on the pair (its mentor, its mentee, its program) reaches
-- PostgreSQL, which looks the two people up by their keys, where a reader's own join to people copied everyone.
CREATE VIEW pair_people AS
SELECT pr.pair_id, pr.program_id, pr.mentor_id, pr.mentee_id, pr.domain, pr.started_on, pr.ended_on, pr.end_status,
       m.full_name AS mentor_name, m.active AS mentor_active,
       f.full_name AS mentee_name, f.active AS mentee_active, f.cohort_id AS mentee_cohort_id
FROM pairs pr JOIN people m ON m.person_id = pr.mentor_id JOIN people f ON f.person_id = pr.mentee_id;

-- Indexes, on PostgreSQL only (a comment to DuckDB): a DuckDB file reads a column at a time and skips row
-- groups by their min/max, and an ART index would hold every key in memory. Each serves a filter the
-- readers hand to PostgreSQL: the records of one person, pair, meeting, action item, goal or program.
--postgresql: CREATE INDEX responses_by_assessment ON responses (assessment_id);
--postgresql: CREATE INDEX assessments_by_subject ON assessments (subject_id);
--postgresql: CREATE INDEX assessments_by_respondent ON assessments (respondent_id);
--postgresql: CREATE INDEX assessments_by_pair ON assessments (pair_id);
--postgresql: CREATE INDEX assessments_by_period ON assessments (period_start);
--postgresql: CREATE INDEX people_by_program ON people (program_id);
--postgresql: CREATE INDEX pairs_by_program ON pairs (program_id);
--postgresql: CREATE INDEX pairs_by_mentor ON pairs (mentor_id);
--postgresql: CREATE INDEX pairs_by_mentee ON pairs (mentee_id);
--postgresql: CREATE INDEX sign_in_sessions_by_person ON sign_in_sessions (person_id);
--postgresql: CREATE INDEX sign_in_failures_by_time ON sign_in_failures (attempted_at);
--postgresql: CREATE INDEX sharing_choices_by_mentee ON sharing_choices (mentee_id);
--postgresql: CREATE INDEX sharing_choices_by_mentor ON sharing_choices (mentor_id);
--postgresql: CREATE INDEX meetings_by_pair ON meetings (pair_id);
--postgresql: CREATE INDEX meeting_agenda_items_by_meeting ON meeting_agenda_items (meeting_id);
--postgresql: CREATE INDEX meeting_notes_by_meeting ON meeting_notes (meeting_id);
--postgresql: CREATE INDEX action_items_by_meeting ON action_items (meeting_id);
--postgresql: CREATE INDEX action_item_changes_by_action ON action_item_changes (action_id);
--postgresql: CREATE INDEX goals_by_owner ON goals (owner_id);
--postgresql: CREATE INDEX goal_milestones_by_goal ON goal_milestones (goal_id);
--postgresql: CREATE INDEX goal_checkins_by_goal ON goal_checkins (goal_id);
--postgresql: CREATE INDEX goal_status_changes_by_goal ON goal_status_changes (goal_id);
--postgresql: CREATE INDEX outputs_by_owner ON outputs (owner_id);
--postgresql: CREATE INDEX network_entries_by_fellow ON network_entries (fellow_id);
