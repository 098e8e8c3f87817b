-- DuckDB only: the report, product and event tables without their PRIMARY KEY indexes.
-- Why: DuckDB maintains each as an ART index on every insert; at national scale (2.9 million
-- reports, 1 million product rows, 5.8 million events a month-end) they cost about a third of
-- storing the batch, and they guard nothing a DuckDB file can get wrong: report_id and event_id
-- come from sequences, a file has one writing process, and a product appears once per report
-- (checked when the batch is read, and each batch makes new report ids). Point lookups by
-- report_id stay cheap without the index: ids grow with insertion order, so DuckDB's min/max
-- zone maps skip all but one row group. PostgreSQL, with concurrent writers, keeps the keys.
CREATE TABLE enterprise_report_0007 (
    report_id     BIGINT NOT NULL,
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
    orders_ytd    DOUBLE PRECISION
);
INSERT INTO enterprise_report_0007 SELECT report_id, credit_code, period, version, status, explanation, return_reason,
    channel, created_at, created_by, status_at, status_by, rev_m, rev_ytd, cost_m, cost_ytd, profit_m, profit_ytd,
    export_m, export_ytd, inv_eop, ar_eop, emp_m, orders_m, orders_ytd FROM enterprise_report ORDER BY report_id;
DROP TABLE enterprise_report;
ALTER TABLE enterprise_report_0007 RENAME TO enterprise_report;
CREATE TABLE enterprise_report_product_0007 (
    report_id   BIGINT NOT NULL,
    product     TEXT NOT NULL,
    unit        TEXT NOT NULL,
    output_m    DOUBLE PRECISION,
    output_ytd  DOUBLE PRECISION
);
INSERT INTO enterprise_report_product_0007 SELECT report_id, product, unit, output_m, output_ytd
    FROM enterprise_report_product ORDER BY report_id, product;
DROP TABLE enterprise_report_product;
ALTER TABLE enterprise_report_product_0007 RENAME TO enterprise_report_product;
CREATE TABLE enterprise_report_event_0007 (
    event_id     BIGINT NOT NULL DEFAULT nextval('enterprise_report_event_seq'),
    report_id    BIGINT NOT NULL,
    from_status  TEXT,
    to_status    TEXT NOT NULL,
    actor        TEXT NOT NULL,
    event_time   TIMESTAMP NOT NULL,
    reason       TEXT
);
INSERT INTO enterprise_report_event_0007 SELECT event_id, report_id, from_status, to_status, actor, event_time, reason
    FROM enterprise_report_event ORDER BY event_id;
DROP TABLE enterprise_report_event;
ALTER TABLE enterprise_report_event_0007 RENAME TO enterprise_report_event;
