-- DuckDB only: a report's status as an ENUM (one byte per report) instead of text.
-- Why: every report carries its status, and a national month-end batch writes 2.9 million of
-- them. DuckDB analyses a text column value by value for its statistics and compression (0.26
-- of the 2.3 CPU-s that storing such a batch took), an ENUM it stores as small integers.
-- Reads turn it back into text (DuckDBBackend.fetch_df), so callers see what PostgreSQL, where
-- the column stays TEXT, gives them. A value outside the list is refused when written.
CREATE TYPE report_status AS ENUM ('DRAFT', 'SUBMITTED', 'APPROVED', 'RETURNED', 'CONFIRMED', 'SUPERSEDED');
ALTER TABLE enterprise_report ALTER status TYPE report_status;
