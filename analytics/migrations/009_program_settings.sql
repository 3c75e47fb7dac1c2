-- A director's program settings (analytics/program_settings.py).

-- Every change of a setting, who made it and when, with the value before and after (as text:
-- a number, a category's name, "instrument: cadence"). Never updated or deleted. The minimum group
-- size of a period is read from here: the one in force when the period closed.
CREATE SEQUENCE setting_change_ids START 1;
CREATE TABLE program_setting_changes (
    change_id  INTEGER PRIMARY KEY DEFAULT nextval('setting_change_ids'),
    program_id INTEGER NOT NULL,
    setting    VARCHAR NOT NULL CHECK (setting IN ('period_months', 'min_group_size', 'goal_category', 'instrument_cadence')),
    subject    VARCHAR,              -- which category or instrument; NULL for the program's own numbers
    old_value  VARCHAR,              -- NULL: there was none (a category added)
    new_value  VARCHAR,              -- NULL: there is none now (a category retired)
    changed_by INTEGER NOT NULL,
    changed_at TIMESTAMP NOT NULL
);

-- A retired goal category stays on the goals that have it and is not offered for new goals.
ALTER TABLE goal_categories ADD COLUMN retired_at TIMESTAMP;

-- A program's choice of how often one of its instruments is asked, where the instrument's file
-- allows a choice (`cadence_choices`); without a row, the file's own `cadence`.
CREATE TABLE program_instrument_cadences (
    program_id    INTEGER NOT NULL,
    instrument_id VARCHAR NOT NULL,
    cadence       VARCHAR NOT NULL CHECK (cadence IN ('period', 'yearly', 'once', 'pair-start-end')),
    PRIMARY KEY (program_id, instrument_id)
);
