-- Placeholder on branch h-redcap only: migrations 011 and 012 belong to other branches of this wave.
-- Drop this file at merge (the numbers must run without gaps, so the branch needs it to run alone).
SELECT 1;
