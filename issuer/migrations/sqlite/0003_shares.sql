-- Consent-based sharing, SQLite. Same meaning as ../postgres/0003_shares.sql.
--
-- 1. Two more roles. `guardian`: a pupil's family, bound to exactly one pupil of one school
--    (users.pupil_id). `portal`: an admissions portal, bound to no school. SQLite cannot
--    change a CHECK constraint in place, so `users` is rebuilt: with foreign keys deferred for
--    this transaction, the implicit DELETE of DROP TABLE counts the rows that refer to users
--    (api_tokens, year_records, audit_log, …) as violations and re-inserting every user
--    clears them again before the commit, which fails if any row were lost.
-- 2. `shares`: a share code (stored only as its SHA-256, never in clear) for chosen
--    credentials of one pupil, with a purpose, an expiry, an optional recipient portal, and
--    its single redemption (or withdrawal). `share_credentials`: which credentials, in order.

PRAGMA defer_foreign_keys = ON;

CREATE TABLE users_before_0003 AS SELECT id, school_id, display_name, role, created_at FROM users;
DROP TABLE users;

-- The authority and portals have no school; teachers, principals and guardians exactly one;
-- a guardian, and only a guardian, is bound to one pupil of that school.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    school_id     TEXT REFERENCES schools(id),
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL
                  CHECK (role IN ('teacher', 'principal', 'authority', 'guardian', 'portal')),
    created_at    TEXT NOT NULL,
    pupil_id      TEXT,
    FOREIGN KEY (pupil_id, school_id) REFERENCES pupils(id, school_id),
    CHECK ((role IN ('authority', 'portal')) = (school_id IS NULL)),
    CHECK ((role = 'guardian') = (pupil_id IS NOT NULL))
);
INSERT INTO users (id, school_id, display_name, role, created_at)
    SELECT id, school_id, display_name, role, created_at FROM users_before_0003;
DROP TABLE users_before_0003;
CREATE INDEX users_pupil ON users(pupil_id) WHERE pupil_id IS NOT NULL;

-- redeemed_by/redeemed_at are set together, once (UPDATE … WHERE redeemed_at IS NULL).
CREATE TABLE shares (
    id            TEXT PRIMARY KEY,
    code_sha256   TEXT NOT NULL UNIQUE,
    school_id     TEXT NOT NULL REFERENCES schools(id),
    pupil_id      TEXT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users(id),
    purpose       TEXT NOT NULL,
    recipient     TEXT REFERENCES users(id),
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    withdrawn_at  TEXT,
    redeemed_at   TEXT,
    redeemed_by   TEXT REFERENCES users(id),
    FOREIGN KEY (pupil_id, school_id) REFERENCES pupils(id, school_id),
    CHECK ((redeemed_at IS NULL) = (redeemed_by IS NULL)),
    CHECK (expires_at > created_at)
);
CREATE INDEX shares_pupil ON shares(school_id, pupil_id, created_at);

CREATE TABLE share_credentials (
    share_id       TEXT NOT NULL REFERENCES shares(id),
    position       INTEGER NOT NULL CHECK (position >= 0),
    credential_id  TEXT NOT NULL REFERENCES credentials(id),
    PRIMARY KEY (share_id, position),
    UNIQUE (share_id, credential_id)
);
