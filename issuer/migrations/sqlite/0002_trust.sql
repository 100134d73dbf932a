-- The authority's trust list life cycle, SQLite. Same meaning as ../postgres/0002_trust.sql.
-- school_keys: every public key of a school with its life cycle (active → retired or
-- compromised; a retired key may later be found compromised). trust_list_versions: every
-- signed trust list ever published, byte for byte; the version only grows (primary key,
-- taken as max + 1 inside a write transaction) and rows are never changed or deleted.

CREATE TABLE school_keys (
    public_key_multibase  TEXT PRIMARY KEY,
    school_id             TEXT NOT NULL REFERENCES schools(id),
    status                TEXT NOT NULL CHECK (status IN ('active', 'retired', 'compromised')),
    valid_from            TEXT NOT NULL,
    retired_at            TEXT,
    compromised_at        TEXT,
    added_by              TEXT REFERENCES users(id),
    added_at              TEXT NOT NULL,
    changed_by            TEXT REFERENCES users(id),
    changed_at            TEXT NOT NULL,
    CHECK (status <> 'retired' OR retired_at IS NOT NULL),
    CHECK (status <> 'active' OR (retired_at IS NULL AND compromised_at IS NULL)),
    CHECK ((status = 'compromised') = (compromised_at IS NOT NULL))
);
CREATE INDEX school_keys_school ON school_keys(school_id);

CREATE TABLE trust_list_versions (
    version      INTEGER PRIMARY KEY CHECK (version > 0),
    made_at      TEXT NOT NULL,
    next_due     TEXT NOT NULL,
    list_json    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    made_by      TEXT REFERENCES users(id),
    source       TEXT NOT NULL CHECK (source IN ('import', 'publish'))
);

CREATE TRIGGER trust_list_versions_no_update BEFORE UPDATE ON trust_list_versions
BEGIN
    SELECT RAISE(ABORT, 'trust_list_versions is append-only');
END;

CREATE TRIGGER trust_list_versions_no_delete BEFORE DELETE ON trust_list_versions
BEGIN
    SELECT RAISE(ABORT, 'trust_list_versions is append-only');
END;
