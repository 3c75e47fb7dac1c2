-- SMART goals: besides what (the title), the measure and the target date, a goal says why it matters
-- (relevant) and how it will be measured in words (measurable), and may be marked a stretch goal.
-- Nullable: a goal set before this migration has none of them (read as not a stretch goal).
ALTER TABLE goals ADD COLUMN why_it_matters VARCHAR;
ALTER TABLE goals ADD COLUMN how_measured VARCHAR;
ALTER TABLE goals ADD COLUMN stretch BOOLEAN;
