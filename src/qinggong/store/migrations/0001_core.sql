-- Core store: series, vintages, observations, audit log. Portable between DuckDB and PostgreSQL.
CREATE SEQUENCE IF NOT EXISTS series_id_seq;
CREATE TABLE IF NOT EXISTS series (
    series_id   BIGINT PRIMARY KEY DEFAULT nextval('series_id_seq'),
    series_key  TEXT NOT NULL UNIQUE,
    dataflow    TEXT NOT NULL,
    freq        TEXT NOT NULL,
    indicator   TEXT NOT NULL,
    industry    TEXT NOT NULL,
    region      TEXT NOT NULL,
    product     TEXT NOT NULL,
    measure     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    source_name TEXT,
    method      TEXT,
    inputs      TEXT,
    created_at  TIMESTAMP NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS vintage_id_seq;
CREATE TABLE IF NOT EXISTS vintage (
    vintage_id  BIGINT PRIMARY KEY DEFAULT nextval('vintage_id_seq'),
    created_at  TIMESTAMP NOT NULL,
    source      TEXT,
    label       TEXT,
    audit_id    BIGINT
);
CREATE TABLE IF NOT EXISTS observation (
    series_id   BIGINT NOT NULL,
    period      TEXT NOT NULL,
    vintage_id  BIGINT NOT NULL,
    value       DOUBLE PRECISION,
    status      TEXT NOT NULL,
    conf_status TEXT NOT NULL,
    span        SMALLINT NOT NULL,
    note        TEXT,
    PRIMARY KEY (series_id, period, vintage_id)
);
CREATE SEQUENCE IF NOT EXISTS audit_id_seq;
CREATE TABLE IF NOT EXISTS audit_log (
    audit_id       BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    at_time        TIMESTAMP NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    object_type    TEXT,
    object_id      TEXT,
    file_name      TEXT,
    checksum       TEXT,
    rows_in        BIGINT,
    rows_new       BIGINT,
    rows_revised   BIGINT,
    rows_unchanged BIGINT,
    details        TEXT
);
