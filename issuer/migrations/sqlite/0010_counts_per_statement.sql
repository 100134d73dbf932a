-- The triggers of 0009_counts.sql, rewritten to cost one statement per record changed
-- instead of two or three. SQLite has no statement-level triggers (on PostgreSQL this
-- migration sums each statement's changes instead: ../postgres/0010_counts_per_statement.sql).
-- Same table, same meaning.
--
-- * A new record is one upsert of its school's row (was: an insert if missing, then an
--   update).
-- * A change of state within the same school and year (validation, signing, revocation, an
--   edit making a draft again) is one update of a row that exists, since the record was
--   counted in it (was: an update, an insert if missing, an update).
-- * A record moved to another school or year, and a deletion, keep the general form.
DROP TRIGGER year_record_counts_insert;
DROP TRIGGER year_record_counts_update;
DROP TRIGGER year_record_counts_delete;

CREATE TRIGGER year_record_counts_insert AFTER INSERT ON year_records
BEGIN
    INSERT INTO year_record_counts (school_id, school_year, draft, validated, signed, revoked)
    VALUES (NEW.school_id, NEW.school_year, (NEW.state = 'draft'), (NEW.state = 'validated'),
            (NEW.state = 'signed'), (NEW.state = 'revoked'))
    ON CONFLICT (school_id, school_year) DO UPDATE SET
        draft = draft + excluded.draft,
        validated = validated + excluded.validated,
        signed = signed + excluded.signed,
        revoked = revoked + excluded.revoked;
END;

CREATE TRIGGER year_record_counts_state AFTER UPDATE OF state, school_id, school_year ON year_records
WHEN OLD.state IS NOT NEW.state AND OLD.school_id IS NEW.school_id
     AND OLD.school_year IS NEW.school_year
BEGIN
    UPDATE year_record_counts SET
        draft = draft - (OLD.state = 'draft') + (NEW.state = 'draft'),
        validated = validated - (OLD.state = 'validated') + (NEW.state = 'validated'),
        signed = signed - (OLD.state = 'signed') + (NEW.state = 'signed'),
        revoked = revoked - (OLD.state = 'revoked') + (NEW.state = 'revoked')
    WHERE school_id = NEW.school_id AND school_year = NEW.school_year;
END;

CREATE TRIGGER year_record_counts_move AFTER UPDATE OF school_id, school_year ON year_records
WHEN OLD.school_id IS NOT NEW.school_id OR OLD.school_year IS NOT NEW.school_year
BEGIN
    INSERT INTO year_record_counts (school_id, school_year, draft, validated, signed, revoked)
    VALUES (OLD.school_id, OLD.school_year, -(OLD.state = 'draft'), -(OLD.state = 'validated'),
            -(OLD.state = 'signed'), -(OLD.state = 'revoked'))
    ON CONFLICT (school_id, school_year) DO UPDATE SET
        draft = draft + excluded.draft,
        validated = validated + excluded.validated,
        signed = signed + excluded.signed,
        revoked = revoked + excluded.revoked;
    INSERT INTO year_record_counts (school_id, school_year, draft, validated, signed, revoked)
    VALUES (NEW.school_id, NEW.school_year, (NEW.state = 'draft'), (NEW.state = 'validated'),
            (NEW.state = 'signed'), (NEW.state = 'revoked'))
    ON CONFLICT (school_id, school_year) DO UPDATE SET
        draft = draft + excluded.draft,
        validated = validated + excluded.validated,
        signed = signed + excluded.signed,
        revoked = revoked + excluded.revoked;
END;

CREATE TRIGGER year_record_counts_delete AFTER DELETE ON year_records
BEGIN
    INSERT INTO year_record_counts (school_id, school_year, draft, validated, signed, revoked)
    VALUES (OLD.school_id, OLD.school_year, -(OLD.state = 'draft'), -(OLD.state = 'validated'),
            -(OLD.state = 'signed'), -(OLD.state = 'revoked'))
    ON CONFLICT (school_id, school_year) DO UPDATE SET
        draft = draft + excluded.draft,
        validated = validated + excluded.validated,
        signed = signed + excluded.signed,
        revoked = revoked + excluded.revoked;
END;
