-- Crash recovery and abuse limits, SQLite. Same meaning as ../postgres/0004_hardening.sql.
--
-- 1. `batches.worker_id`, `batches.lease_until`: the issuer process working on a batch and
--    until when its lease runs (renewed while it works). NULL lease: nobody holds it (a batch
--    made before this migration, or one that is done or failed).
-- 2. `audit_reads`: one row per (caller, action, subject) with the read window open now and
--    how many reads it collapsed; the audit log itself stays append-only.
-- 3. `attempt_limits`: failed attempts per (scope, key) in the current window, and the lock
--    that follows too many of them.

ALTER TABLE batches ADD COLUMN worker_id TEXT;
ALTER TABLE batches ADD COLUMN lease_until TEXT;

CREATE TABLE audit_reads (
    user_id       TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    audit_id      BIGINT REFERENCES audit_log(id),
    window_start  TEXT NOT NULL,
    window_until  TEXT NOT NULL,
    reads         BIGINT NOT NULL CHECK (reads >= 1),
    last_at       TEXT NOT NULL,
    PRIMARY KEY (user_id, action, subject)
);

CREATE TABLE attempt_limits (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    window_start  TEXT NOT NULL,
    failures      BIGINT NOT NULL CHECK (failures >= 0),
    strikes       BIGINT NOT NULL DEFAULT 0 CHECK (strikes >= 0),
    locked_until  TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX attempt_limits_updated ON attempt_limits(updated_at);
