-- DuckDB only: observation without its PRIMARY KEY (series_id, period, vintage_id) index.
-- Why: DuckDB keeps the key as an ART index, maintained on every insert and at commit, and it
-- never reads through it (a composite key with a text column: reads by series are scans with
-- zone maps either way). Writing the 354,000 observations of a national 企业直报 publication
-- took 0.45 s with the index and 0.18 s without. The key guards nothing the write path can get
-- wrong: each write is a new vintage (its id from a sequence), and a stage that gives one
-- (series, period) two values is refused before anything is inserted (_reject_conflicting_duplicates).
-- PostgreSQL, with concurrent writers, keeps the key.
CREATE TABLE observation_0012 (
    series_id   BIGINT NOT NULL,
    period      TEXT NOT NULL,
    vintage_id  BIGINT NOT NULL,
    value       DOUBLE PRECISION,
    status      TEXT NOT NULL,
    conf_status TEXT NOT NULL,
    span        SMALLINT NOT NULL,
    note        TEXT
);
INSERT INTO observation_0012 SELECT series_id, period, vintage_id, value, status, conf_status, span, note
    FROM observation ORDER BY vintage_id, series_id, period;
DROP TABLE observation;
ALTER TABLE observation_0012 RENAME TO observation;
