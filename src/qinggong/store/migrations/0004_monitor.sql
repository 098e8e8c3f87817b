-- Monitor: alerts with a status workflow and history, and reviewed signal cut-off versions.
-- Portable between DuckDB and PostgreSQL.
CREATE SEQUENCE IF NOT EXISTS alert_seq;
CREATE TABLE IF NOT EXISTS alert (
    alert_id       BIGINT PRIMARY KEY DEFAULT nextval('alert_seq'),
    rule_id        TEXT NOT NULL,
    rule_version   TEXT NOT NULL,
    series_key     TEXT NOT NULL,
    dataflow       TEXT NOT NULL,
    industry_code  TEXT NOT NULL,
    region_code    TEXT NOT NULL,
    indicator      TEXT NOT NULL,
    measure        TEXT NOT NULL,
    severity       TEXT NOT NULL,
    light          TEXT,
    value          DOUBLE PRECISION,
    first_period   TEXT NOT NULL,
    last_period    TEXT NOT NULL,
    streak         BIGINT NOT NULL,
    message        TEXT NOT NULL,
    details        TEXT,
    status         TEXT NOT NULL,
    closed_period  TEXT,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_open_idx ON alert (rule_id, series_key, status);
CREATE SEQUENCE IF NOT EXISTS alert_history_seq;
CREATE TABLE IF NOT EXISTS alert_history (
    history_id     BIGINT PRIMARY KEY DEFAULT nextval('alert_history_seq'),
    alert_id       BIGINT NOT NULL,
    changed_at     TIMESTAMP NOT NULL,
    actor          TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT NOT NULL,
    period         TEXT,
    severity       TEXT,
    comment        TEXT
);
CREATE INDEX IF NOT EXISTS alert_history_idx ON alert_history (alert_id);
CREATE SEQUENCE IF NOT EXISTS signal_cutoff_seq;
CREATE TABLE IF NOT EXISTS signal_cutoff (
    cutoff_id      BIGINT PRIMARY KEY DEFAULT nextval('signal_cutoff_seq'),
    version_label  TEXT NOT NULL,
    method_version TEXT NOT NULL,
    series_key     TEXT NOT NULL,
    basis          TEXT NOT NULL,
    window_end     TEXT NOT NULL,
    c1             DOUBLE PRECISION NOT NULL,
    c2             DOUBLE PRECISION NOT NULL,
    c3             DOUBLE PRECISION NOT NULL,
    c4             DOUBLE PRECISION NOT NULL,
    review_status  TEXT NOT NULL,
    note           TEXT,
    created_at     TIMESTAMP NOT NULL,
    created_by     TEXT NOT NULL,
    reviewed_at    TIMESTAMP,
    reviewed_by    TEXT
);
