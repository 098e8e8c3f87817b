-- Each report points at its submission (0009); the columns that moved there are gone (see the
-- PostgreSQL file for what a report keeps). DuckDB cannot alter a table and update it in one
-- transaction, so the table is rebuilt, in report_id order, as 0007 did.
CREATE TABLE enterprise_report_0010 (
    report_id     BIGINT NOT NULL,
    credit_code   TEXT NOT NULL,
    period        TEXT NOT NULL,
    version       BIGINT NOT NULL,
    status        TEXT NOT NULL,
    submission_id BIGINT,
    explanation   TEXT,
    return_reason TEXT,
    status_at     TIMESTAMP,
    status_by     TEXT,
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
INSERT INTO enterprise_report_0010 SELECT r.report_id, r.credit_code, r.period, r.version, r.status, s.submission_id,
    r.explanation, r.return_reason, r.status_at, r.status_by, r.rev_m, r.rev_ytd, r.cost_m, r.cost_ytd, r.profit_m,
    r.profit_ytd, r.export_m, r.export_ytd, r.inv_eop, r.ar_eop, r.emp_m, r.orders_m, r.orders_ytd
    FROM enterprise_report r LEFT JOIN enterprise_submission s
    ON s.created_at = r.created_at AND s.created_by = r.created_by AND s.channel IS NOT DISTINCT FROM r.channel
    ORDER BY r.report_id;
DROP TABLE enterprise_report;
ALTER TABLE enterprise_report_0010 RENAME TO enterprise_report;
