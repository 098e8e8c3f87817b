-- Plan dispatch (调度): plan versions, dispatch rounds and submissions, target registries.
-- Portable between DuckDB and PostgreSQL. Rows are added, not rewritten, wherever history matters:
-- a plan edit is a new plan_version, a resubmission is a new plan_submission revision, a revenue
-- correction is a new plan_cluster_revenue row; the latest row wins on reads.
CREATE SEQUENCE IF NOT EXISTS plan_version_seq;
CREATE TABLE IF NOT EXISTS plan_version (
    version_id   BIGINT PRIMARY KEY DEFAULT nextval('plan_version_seq'),
    plan_id      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    actor        TEXT NOT NULL,
    source       TEXT,
    change_note  TEXT,
    content      TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS plan_round_seq;
CREATE TABLE IF NOT EXISTS plan_round (
    round_id        BIGINT PRIMARY KEY DEFAULT nextval('plan_round_seq'),
    title           TEXT NOT NULL,
    period          TEXT NOT NULL,
    opened_at       TIMESTAMP NOT NULL,
    deadline        TIMESTAMP NOT NULL,
    closed_at       TIMESTAMP,
    round_status    TEXT NOT NULL,
    fields          TEXT NOT NULL,
    kpis            TEXT NOT NULL,
    task_ids        TEXT NOT NULL,
    plan_version_id BIGINT,
    opened_by       TEXT NOT NULL,
    note            TEXT
);
CREATE TABLE IF NOT EXISTS plan_round_reporter (
    round_id      BIGINT NOT NULL,
    reporter_code TEXT NOT NULL,
    reporter_name TEXT NOT NULL,
    reporter_type TEXT NOT NULL,
    PRIMARY KEY (round_id, reporter_code)
);
CREATE SEQUENCE IF NOT EXISTS plan_submission_seq;
CREATE TABLE IF NOT EXISTS plan_submission (
    submission_id BIGINT PRIMARY KEY DEFAULT nextval('plan_submission_seq'),
    round_id      BIGINT NOT NULL,
    reporter_code TEXT NOT NULL,
    task_id       TEXT NOT NULL,
    revision      BIGINT NOT NULL,
    task_status   TEXT,
    narrative     TEXT,
    kpis          TEXT,
    items         TEXT,
    submitted_at  TIMESTAMP NOT NULL,
    submitted_by  TEXT NOT NULL,
    is_late       BOOLEAN NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS plan_review_seq;
CREATE TABLE IF NOT EXISTS plan_review (
    review_id      BIGINT PRIMARY KEY DEFAULT nextval('plan_review_seq'),
    submission_id  BIGINT NOT NULL,
    decision       TEXT NOT NULL,
    review_comment TEXT,
    reviewed_at    TIMESTAMP NOT NULL,
    reviewer       TEXT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS plan_nomination_seq;
CREATE TABLE IF NOT EXISTS plan_nomination (
    nomination_id  BIGINT PRIMARY KEY DEFAULT nextval('plan_nomination_seq'),
    registry       TEXT NOT NULL,
    product_name   TEXT NOT NULL,
    category       TEXT,
    enterprise     TEXT NOT NULL,
    region         TEXT,
    nominator_type TEXT NOT NULL,
    nominator      TEXT NOT NULL,
    batch          TEXT,
    submitted_at   TIMESTAMP NOT NULL,
    submitted_by   TEXT NOT NULL,
    source_file    TEXT
);
CREATE SEQUENCE IF NOT EXISTS plan_nomination_event_seq;
CREATE TABLE IF NOT EXISTS plan_nomination_event (
    event_id       BIGINT PRIMARY KEY DEFAULT nextval('plan_nomination_event_seq'),
    nomination_id  BIGINT NOT NULL,
    nomination_status TEXT NOT NULL,
    listed_in      TEXT,
    event_comment  TEXT,
    event_time     TIMESTAMP NOT NULL,
    actor          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_cluster (
    cluster_id   TEXT PRIMARY KEY,
    cluster_name TEXT NOT NULL,
    region       TEXT NOT NULL,
    sector       TEXT NOT NULL,
    batch        TEXT,
    created_at   TIMESTAMP NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS plan_cluster_revenue_seq;
CREATE TABLE IF NOT EXISTS plan_cluster_revenue (
    revenue_id  BIGINT PRIMARY KEY DEFAULT nextval('plan_cluster_revenue_seq'),
    cluster_id  TEXT NOT NULL,
    ref_year    BIGINT NOT NULL,
    revenue     DOUBLE PRECISION NOT NULL,
    given_value DOUBLE PRECISION,
    given_unit  TEXT,
    source      TEXT,
    recorded_at TIMESTAMP NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS plan_standard (
    standard_id   TEXT PRIMARY KEY,
    standard_name TEXT NOT NULL,
    standard_no   TEXT,
    product       TEXT,
    lead_unit     TEXT,
    created_at    TIMESTAMP NOT NULL,
    created_by    TEXT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS plan_standard_stage_seq;
CREATE TABLE IF NOT EXISTS plan_standard_stage (
    stage_event_id BIGINT PRIMARY KEY DEFAULT nextval('plan_standard_stage_seq'),
    standard_id    TEXT NOT NULL,
    stage          TEXT NOT NULL,
    stage_date     DATE NOT NULL,
    note           TEXT,
    recorded_at    TIMESTAMP NOT NULL,
    recorded_by    TEXT NOT NULL
);
