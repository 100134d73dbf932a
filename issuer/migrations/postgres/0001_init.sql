-- học bạ số issuer storage, PostgreSQL. Same meaning as ../sqlite/0001_init.sql.
-- Ids are TEXT, timestamps RFC 3339 UTC TEXT with six fractional digits (sortable),
-- JSON is TEXT kept byte for byte. Composite foreign keys (id, school_id) make the database
-- itself refuse a row that mixes two schools.

CREATE TABLE schools (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    province    TEXT NOT NULL,
    issuer_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- The province authority has no school; teachers and principals have exactly one.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    school_id     TEXT REFERENCES schools(id),
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('teacher', 'principal', 'authority')),
    created_at    TEXT NOT NULL,
    CHECK ((role = 'authority') = (school_id IS NULL))
);

-- Only the SHA-256 of a token's secret is stored, never the secret.
CREATE TABLE api_tokens (
    id             TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users(id),
    secret_sha256  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    revoked_at     TEXT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- pupil_key: the personal identification number or the MOET student code.
CREATE TABLE pupils (
    id             TEXT PRIMARY KEY,
    school_id      TEXT NOT NULL REFERENCES schools(id),
    pupil_key      TEXT NOT NULL,
    full_name      TEXT NOT NULL,
    date_of_birth  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (school_id, pupil_key),
    UNIQUE (id, school_id)
);

-- One live record per pupil and school year; a revoked record stays (its credential
-- refers to it) and a corrected record is a new row.
CREATE TABLE year_records (
    id           TEXT PRIMARY KEY,
    school_id    TEXT NOT NULL REFERENCES schools(id),
    pupil_id     TEXT NOT NULL,
    school_year  TEXT NOT NULL,
    grade        BIGINT NOT NULL,
    class_name   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'validated', 'signed', 'revoked')),
    record_json  TEXT NOT NULL,
    version      BIGINT NOT NULL,
    created_by   TEXT REFERENCES users(id),
    created_at   TEXT NOT NULL,
    updated_by   TEXT REFERENCES users(id),
    updated_at   TEXT NOT NULL,
    FOREIGN KEY (pupil_id, school_id) REFERENCES pupils(id, school_id),
    UNIQUE (id, school_id)
);
CREATE UNIQUE INDEX year_records_live
    ON year_records(school_id, pupil_id, school_year) WHERE state <> 'revoked';
CREATE INDEX year_records_class ON year_records(school_id, school_year, class_name);

-- Bitstring status lists: counters are handed out in order and mapped to indices by a
-- keyed permutation of [0, size), so neighbouring records get unrelated indices.
CREATE TABLE status_lists (
    id               TEXT PRIMARY KEY,
    school_id        TEXT NOT NULL REFERENCES schools(id),
    seq              BIGINT NOT NULL,
    size             BIGINT NOT NULL CHECK (size >= 131072),
    next_counter     BIGINT NOT NULL DEFAULT 0 CHECK (next_counter >= 0 AND next_counter <= size),
    permutation_key  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    UNIQUE (school_id, seq),
    UNIQUE (id, school_id)
);

-- A credential exists exactly when its record is signed (or later revoked).
CREATE TABLE credentials (
    id                 TEXT PRIMARY KEY,
    record_id          TEXT NOT NULL UNIQUE,
    school_id          TEXT NOT NULL REFERENCES schools(id),
    credential_json    TEXT NOT NULL,
    sha256             TEXT NOT NULL,
    status_list        TEXT NOT NULL,
    status_index       BIGINT NOT NULL CHECK (status_index >= 0),
    issued_at          TEXT NOT NULL,
    revoked_at         TEXT,
    revocation_reason  TEXT,
    replaces           TEXT REFERENCES credentials(id),
    FOREIGN KEY (record_id, school_id) REFERENCES year_records(id, school_id),
    FOREIGN KEY (status_list, school_id) REFERENCES status_lists(id, school_id),
    UNIQUE (status_list, status_index),
    CHECK ((revoked_at IS NULL) = (revocation_reason IS NULL))
);
CREATE INDEX credentials_school ON credentials(school_id, issued_at);

CREATE TABLE batches (
    id               TEXT PRIMARY KEY,
    school_id        TEXT NOT NULL REFERENCES schools(id),
    idempotency_key  TEXT NOT NULL,
    request_sha256   TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    total            BIGINT NOT NULL CHECK (total >= 0),
    succeeded        BIGINT NOT NULL DEFAULT 0,
    failed           BIGINT NOT NULL DEFAULT 0,
    report_json      TEXT,
    created_by       TEXT REFERENCES users(id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (school_id, idempotency_key)
);

-- Append-only: the triggers below refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            TEXT NOT NULL,
    school_id     TEXT REFERENCES schools(id),
    user_id       TEXT REFERENCES users(id),
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    details_json  TEXT NOT NULL
);
CREATE INDEX audit_log_school ON audit_log(school_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
