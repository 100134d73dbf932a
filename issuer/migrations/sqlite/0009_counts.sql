-- A year's records counted by school and state, kept by triggers in the same transaction as
-- every change of a record's state (insert, update, delete), whatever code or statement makes
-- it. The province page and `GET /metrics` read one row per school instead of counting
-- every record (issuer/src/store/coverage.rs, issuer/src/store/stats.rs). One row per school
-- and year: a change of state is one UPDATE of one row, so on PostgreSQL two writers of one
-- school wait for each other on that row and cannot deadlock over several.
CREATE TABLE year_record_counts (
    school_id    TEXT NOT NULL REFERENCES schools(id),
    school_year  TEXT NOT NULL,
    draft        BIGINT NOT NULL DEFAULT 0,
    validated    BIGINT NOT NULL DEFAULT 0,
    signed       BIGINT NOT NULL DEFAULT 0,
    revoked      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (school_id, school_year)
);

INSERT INTO year_record_counts (school_id, school_year, draft, validated, signed, revoked)
SELECT school_id, school_year,
       SUM(state = 'draft'), SUM(state = 'validated'), SUM(state = 'signed'), SUM(state = 'revoked')
FROM year_records GROUP BY school_id, school_year;

CREATE TRIGGER year_record_counts_insert AFTER INSERT ON year_records
BEGIN
    INSERT INTO year_record_counts (school_id, school_year)
        SELECT NEW.school_id, NEW.school_year WHERE NOT EXISTS (
            SELECT 1 FROM year_record_counts
            WHERE school_id = NEW.school_id AND school_year = NEW.school_year);
    UPDATE year_record_counts SET
        draft = draft + (NEW.state = 'draft'),
        validated = validated + (NEW.state = 'validated'),
        signed = signed + (NEW.state = 'signed'),
        revoked = revoked + (NEW.state = 'revoked')
    WHERE school_id = NEW.school_id AND school_year = NEW.school_year;
END;

CREATE TRIGGER year_record_counts_update AFTER UPDATE OF state, school_id, school_year ON year_records
WHEN OLD.state IS NOT NEW.state OR OLD.school_id IS NOT NEW.school_id
     OR OLD.school_year IS NOT NEW.school_year
BEGIN
    UPDATE year_record_counts SET
        draft = draft - (OLD.state = 'draft'),
        validated = validated - (OLD.state = 'validated'),
        signed = signed - (OLD.state = 'signed'),
        revoked = revoked - (OLD.state = 'revoked')
    WHERE school_id = OLD.school_id AND school_year = OLD.school_year;
    INSERT INTO year_record_counts (school_id, school_year)
        SELECT NEW.school_id, NEW.school_year WHERE NOT EXISTS (
            SELECT 1 FROM year_record_counts
            WHERE school_id = NEW.school_id AND school_year = NEW.school_year);
    UPDATE year_record_counts SET
        draft = draft + (NEW.state = 'draft'),
        validated = validated + (NEW.state = 'validated'),
        signed = signed + (NEW.state = 'signed'),
        revoked = revoked + (NEW.state = 'revoked')
    WHERE school_id = NEW.school_id AND school_year = NEW.school_year;
END;

CREATE TRIGGER year_record_counts_delete AFTER DELETE ON year_records
BEGIN
    UPDATE year_record_counts SET
        draft = draft - (OLD.state = 'draft'),
        validated = validated - (OLD.state = 'validated'),
        signed = signed - (OLD.state = 'signed'),
        revoked = revoked - (OLD.state = 'revoked')
    WHERE school_id = OLD.school_id AND school_year = OLD.school_year;
END;
