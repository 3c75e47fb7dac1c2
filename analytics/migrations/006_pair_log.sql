-- When a pair's creation and its end were recorded (the app's date of the write), not the dates typed
-- for them. A closed period's aggregates take each fellow's mentor domains from the pairs as they were
-- recorded by the period's end, so a pair created or ended later with a back-dated start or end
-- cannot change, and so cannot carve a new group out of, a figure already published.
-- Pairs recorded before this migration have no rows: their typed dates stand in.
-- A new table rather than new columns: ALTER on a table with an index fails in DuckDB.
CREATE TABLE pair_log (
    pair_id     INTEGER NOT NULL,
    event       VARCHAR NOT NULL CHECK (event IN ('created', 'ended')),
    recorded_on DATE NOT NULL,
    PRIMARY KEY (pair_id, event)
);
