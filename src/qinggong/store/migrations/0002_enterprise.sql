-- Enterprise direct reporting (企业直报): registry, report versions with workflow status,
-- report values (one row per report version, one column per form item), product output,
-- workflow events and edit-rule findings. Portable between DuckDB and PostgreSQL.
CREATE TABLE IF NOT EXISTS enterprise (
    credit_code     TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    industry        TEXT NOT NULL,
    region          TEXT NOT NULL,
    size_class      TEXT NOT NULL,
    above_scale     BOOLEAN NOT NULL,
    key_enterprise  BOOLEAN NOT NULL,
    entry_date      DATE NOT NULL,
    exit_date       DATE,
    generated       BOOLEAN NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    updated_by      TEXT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS enterprise_report_seq;
CREATE TABLE IF NOT EXISTS enterprise_report (
    report_id     BIGINT PRIMARY KEY,
    credit_code   TEXT NOT NULL,
    period        TEXT NOT NULL,
    version       BIGINT NOT NULL,
    status        TEXT NOT NULL,
    explanation   TEXT,
    return_reason TEXT,
    channel       TEXT,
    created_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL,
    status_at     TIMESTAMP NOT NULL,
    status_by     TEXT NOT NULL,
    rev_m         DOUBLE PRECISION,
    rev_ytd       DOUBLE PRECISION,
    cost_m        DOUBLE PRECISION,
    cost_ytd      DOUBLE PRECISION,
    profit_m      DOUBLE PRECISION,
    profit_ytd    DOUBLE PRECISION,
    export_m      DOUBLE PRECISION,
    export_ytd    DOUBLE PRECISION,
    inv_eop       DOUBLE PRECISION,
    ar_eop        DOUBLE PRECISION,
    emp_m         DOUBLE PRECISION,
    orders_m      DOUBLE PRECISION,
    orders_ytd    DOUBLE PRECISION,
    UNIQUE (credit_code, period, version)
);
CREATE TABLE IF NOT EXISTS enterprise_report_product (
    report_id   BIGINT NOT NULL,
    product     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    output_m    DOUBLE PRECISION,
    output_ytd  DOUBLE PRECISION,
    PRIMARY KEY (report_id, product)
);
CREATE SEQUENCE IF NOT EXISTS enterprise_report_event_seq;
CREATE TABLE IF NOT EXISTS enterprise_report_event (
    event_id     BIGINT PRIMARY KEY DEFAULT nextval('enterprise_report_event_seq'),
    report_id    BIGINT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    event_time   TIMESTAMP NOT NULL,
    reason       TEXT
);
CREATE TABLE IF NOT EXISTS enterprise_report_check (
    report_id  BIGINT NOT NULL,
    rule_id    TEXT NOT NULL,
    severity   TEXT NOT NULL,
    field      TEXT,
    message    TEXT NOT NULL
);
