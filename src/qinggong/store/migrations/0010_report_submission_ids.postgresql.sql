-- Each report points at its submission (0009); the columns that moved there are dropped. A
-- report keeps what is its own: its status, and once the status changes, when and by whom
-- (status_at / status_by are NULL until then: read them through the submission, as
-- collect.list_reports does), and a 说明 given for this enterprise alone.
ALTER TABLE enterprise_report ADD COLUMN submission_id BIGINT;
UPDATE enterprise_report SET submission_id = s.submission_id FROM enterprise_submission s
    WHERE s.created_at = enterprise_report.created_at AND s.created_by = enterprise_report.created_by
      AND s.channel IS NOT DISTINCT FROM enterprise_report.channel;
ALTER TABLE enterprise_report DROP COLUMN channel;
ALTER TABLE enterprise_report DROP COLUMN created_at;
ALTER TABLE enterprise_report DROP COLUMN created_by;
ALTER TABLE enterprise_report ALTER COLUMN status_at DROP NOT NULL;
ALTER TABLE enterprise_report ALTER COLUMN status_by DROP NOT NULL;
