-- A program's own instruments imported from a REDCap data dictionary (analytics/redcap.py), stored in
-- the database rather than as files so that every app server on one database offers them. One row
-- per confirmed import: the instrument as a program instrument file holds it (JSON), from which file,
-- by whom and when. A new import of the same form is a new version; rows are never updated.
CREATE TABLE program_instruments (
    program_id    INTEGER NOT NULL,
    instrument_id VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    file_name     VARCHAR NOT NULL,
    definition    VARCHAR NOT NULL,
    imported_by   INTEGER NOT NULL,
    imported_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (instrument_id, version)
);
