-- Relationship health (analytics/relationship_health.py): a program may change the thresholds of its
-- signals on its settings page. Each change is a row of program_setting_changes with setting
-- 'health_threshold' and the threshold's key as its subject; the latest per key counts, the
-- defaults otherwise. DuckDB cannot change a CHECK constraint in place, so the table is rebuilt with
-- every row it had (its ids kept, its sequence continuing).
CREATE TABLE program_setting_changes_new (
    change_id  INTEGER PRIMARY KEY DEFAULT nextval('setting_change_ids'),
    program_id INTEGER NOT NULL,
    setting    VARCHAR NOT NULL CHECK (setting IN ('period_months', 'min_group_size', 'goal_category', 'instrument_cadence', 'health_threshold')),
    subject    VARCHAR,
    old_value  VARCHAR,
    new_value  VARCHAR,
    changed_by INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
INSERT INTO program_setting_changes_new
SELECT change_id, program_id, setting, subject, old_value, new_value, changed_by, changed_at FROM program_setting_changes;
DROP TABLE program_setting_changes;
ALTER TABLE program_setting_changes_new RENAME TO program_setting_changes;
