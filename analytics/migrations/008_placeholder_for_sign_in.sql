-- A placeholder so that 009 applies on this branch: 008 belongs to the cookie sign-in (h-signin).
-- When both branches are merged, this file goes and the sign-in's 008 takes its place.
SELECT 1;
