-- A placeholder so that 010 applies on this branch: 009 belongs to the program settings (h-settings).
-- When both branches are merged, this file goes and the settings' 009 takes its place.
SELECT 1;
