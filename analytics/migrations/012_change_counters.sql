-- Change counters (analytics/changes.py): every write bumps, in its own transaction, the counters of
-- what it touched: ('all', 0), ('program:<group>', program_id) or ('person', person_id). Cached reads
-- key on the counters of what they read, so a write elsewhere leaves a page warm, on every server.
CREATE TABLE change_counters (
    scope   VARCHAR NOT NULL,
    key     BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
