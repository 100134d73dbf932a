-- A year's records counted by school and state, kept by a trigger in the same transaction as
-- every change of a record's state. Same meaning as ../sqlite/0009_counts.sql: one row per
-- school and year, so a change of state is one upsert of one row (two writers of one school
-- wait for each other on that row and cannot deadlock over several).
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
       COUNT(*) FILTER (WHERE state = 'draft'), COUNT(*) FILTER (WHERE state = 'validated'),
       COUNT(*) FILTER (WHERE state = 'signed'), COUNT(*) FILTER (WHERE state = 'revoked')
FROM year_records GROUP BY school_id, school_year;

CREATE FUNCTION year_record_counts_change(school TEXT, yr TEXT, st TEXT, delta BIGINT)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO year_record_counts AS c (school_id, school_year, draft, validated, signed, revoked)
    VALUES (school, yr,
            CASE WHEN st = 'draft' THEN delta ELSE 0 END,
            CASE WHEN st = 'validated' THEN delta ELSE 0 END,
            CASE WHEN st = 'signed' THEN delta ELSE 0 END,
            CASE WHEN st = 'revoked' THEN delta ELSE 0 END)
    ON CONFLICT (school_id, school_year) DO UPDATE SET
        draft = c.draft + EXCLUDED.draft,
        validated = c.validated + EXCLUDED.validated,
        signed = c.signed + EXCLUDED.signed,
        revoked = c.revoked + EXCLUDED.revoked;
$$;

CREATE FUNCTION year_record_counts_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM year_record_counts_change(NEW.school_id, NEW.school_year, NEW.state, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM year_record_counts_change(OLD.school_id, OLD.school_year, OLD.state, -1);
    ELSIF OLD.state IS DISTINCT FROM NEW.state OR OLD.school_id IS DISTINCT FROM NEW.school_id
          OR OLD.school_year IS DISTINCT FROM NEW.school_year THEN
        PERFORM year_record_counts_change(OLD.school_id, OLD.school_year, OLD.state, -1);
        PERFORM year_record_counts_change(NEW.school_id, NEW.school_year, NEW.state, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER year_record_counts AFTER INSERT OR UPDATE OR DELETE ON year_records
FOR EACH ROW EXECUTE FUNCTION year_record_counts_trigger();
