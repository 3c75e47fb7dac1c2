-- A placeholder: number 011 belongs to another branch of this wave (migrations are numbered without
-- gaps, and this branch's is 012). Delete this file when that branch's 011 is merged.
SELECT 1;
