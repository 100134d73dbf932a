-- Consent-based sharing, PostgreSQL. Same meaning as ../sqlite/0003_shares.sql.
--
-- 1. Two more roles. `guardian`: a pupil's family, bound to exactly one pupil of one school
--    (users.pupil_id). `portal`: an admissions portal, bound to no school.
-- 2. `shares`: a share code (stored only as its SHA-256, never in clear) for chosen
--    credentials of one pupil, with a purpose, an expiry, an optional recipient portal, and
--    its single redemption (or withdrawal). `share_credentials`: which credentials, in order.

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users DROP CONSTRAINT users_check;
ALTER TABLE users ADD COLUMN pupil_id TEXT;
-- The authority and portals have no school; teachers, principals and guardians exactly one;
-- a guardian, and only a guardian, is bound to one pupil of that school.
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('teacher', 'principal', 'authority', 'guardian', 'portal'));
ALTER TABLE users ADD CONSTRAINT users_check
    CHECK ((role IN ('authority', 'portal')) = (school_id IS NULL));
ALTER TABLE users ADD CONSTRAINT users_guardian_pupil
    CHECK ((role = 'guardian') = (pupil_id IS NOT NULL));
ALTER TABLE users ADD CONSTRAINT users_pupil_fkey
    FOREIGN KEY (pupil_id, school_id) REFERENCES pupils(id, school_id);
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
    position       BIGINT NOT NULL CHECK (position >= 0),
    credential_id  TEXT NOT NULL REFERENCES credentials(id),
    PRIMARY KEY (share_id, position),
    UNIQUE (share_id, credential_id)
);
