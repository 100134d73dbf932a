-- Accounts of the web app, SQLite. Same meaning as ../postgres/0005_accounts.sql.
--
-- 1. `users.login` (the sign-in name, lower case, unique when set), `users.password_hash`
--    (an Argon2id PHC string; NULL until the person sets a password through a one-time link),
--    `users.disabled_at` (a disabled account signs in no more; its sessions and tokens stop).
-- 2. `web_sessions`: a signed-in browser. Only the SHA-256 of the cookie's secret is stored;
--    `last_seen_at` drives the idle expiry, `expires_at` the absolute one.
-- 3. `password_links`: one-time links to set a password (the first authority password, a new
--    account's first password). Only the SHA-256 of the link's secret is stored.

ALTER TABLE users ADD COLUMN login TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN created_by TEXT;
CREATE UNIQUE INDEX users_login ON users(login) WHERE login IS NOT NULL;

CREATE TABLE web_sessions (
    id            TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);

CREATE TABLE password_links (
    id            TEXT PRIMARY KEY,
    secret_sha256 TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id),
    created_by    TEXT,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    used_at       TEXT
);
CREATE INDEX password_links_user ON password_links(user_id);

-- 4. Counting records by school and state (the metrics scrape, the pages at a glance) reads
--    this index only.
CREATE INDEX year_records_school_state ON year_records(school_id, state);
