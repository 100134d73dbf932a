-- The Department's province page (issuer/src/app/coverage.rs). Same meaning as
-- ../sqlite/0007_coverage.sql.

-- Counting a year's records by school and state reads this index only.
CREATE INDEX year_records_coverage ON year_records(school_year, school_id, state, pupil_id);
-- Drafts are few once a year is signed: finding them does not scan the year.
CREATE INDEX year_records_drafts ON year_records(school_id) WHERE state = 'draft';
-- Revoked records are few too: the pupils waiting for a re-issue are found through these.
CREATE INDEX year_records_revoked ON year_records(school_id, pupil_id) WHERE state = 'revoked';

-- What holds a draft back, computed once per record and version (a later version of the
-- record is checked again): the kind (`identity`: the personal identification number
-- disagrees with the date of birth or gender; `validation`: another rule) and the rule's
-- code; both NULL when nothing does.
CREATE TABLE record_checks (
    record_id   TEXT PRIMARY KEY REFERENCES year_records(id),
    school_id   TEXT NOT NULL REFERENCES schools(id),
    version     BIGINT NOT NULL,
    kind        TEXT CHECK (kind IN ('identity', 'validation')),
    rule        TEXT,
    checked_at  TEXT NOT NULL,
    CHECK ((kind IS NULL) = (rule IS NULL))
);

-- Rows refused at the latest import of each class (school year and class of the rows it
-- stored; empty when it stored none), counted by the rule that refused them. Each import of
-- a class replaces its counts.
CREATE TABLE import_refusals (
    school_id    TEXT NOT NULL REFERENCES schools(id),
    school_year  TEXT NOT NULL,
    class_name   TEXT NOT NULL,
    rule         TEXT NOT NULL,
    row_count    BIGINT NOT NULL CHECK (row_count > 0),
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (school_id, school_year, class_name, rule)
);
