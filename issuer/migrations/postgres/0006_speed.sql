-- Storage speed, PostgreSQL. Same number as ../sqlite/0006_speed.sql (which changes nothing).
--
-- The record and credential texts (2–5 KB of JSON each) are compressed by PostgreSQL when
-- stored; its default method (pglz) costs the server several times what storing the row
-- does. lz4 compresses them as well at a fraction of the time. Only values written from now
-- on are affected; both methods are read transparently. A server built without lz4 (or older
-- than PostgreSQL 14) keeps its default: the change is a hint, not a requirement.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE year_records ALTER COLUMN record_json SET COMPRESSION lz4';
    EXECUTE 'ALTER TABLE credentials ALTER COLUMN credential_json SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 compression not available: keeping the default';
END
$$;
