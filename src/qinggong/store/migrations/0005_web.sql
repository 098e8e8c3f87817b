-- Web accounts: users with roles and scopes, login sessions, API tokens, login attempts (rate limit).
-- Portable between DuckDB and PostgreSQL. Secrets are never stored: passwords as argon2 hashes,
-- session ids and API tokens as SHA-256 digests.
CREATE SEQUENCE IF NOT EXISTS web_user_id_seq;
CREATE TABLE IF NOT EXISTS web_user (
    user_id       BIGINT PRIMARY KEY DEFAULT nextval('web_user_id_seq'),
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    role          TEXT NOT NULL,
    region        TEXT,
    sectors       TEXT,
    enterprise_id TEXT,
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS web_session (
    session_hash TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    client_ip    TEXT
);
CREATE SEQUENCE IF NOT EXISTS api_token_id_seq;
CREATE TABLE IF NOT EXISTS api_token (
    token_id    BIGINT PRIMARY KEY DEFAULT nextval('api_token_id_seq'),
    user_id     BIGINT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    name        TEXT,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP,
    revoked     BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS login_attempt (
    username     TEXT NOT NULL,
    client_ip    TEXT NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    success      BOOLEAN NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempt_user_idx ON login_attempt (username, attempted_at);
CREATE INDEX IF NOT EXISTS login_attempt_ip_idx ON login_attempt (client_ip, attempted_at);
