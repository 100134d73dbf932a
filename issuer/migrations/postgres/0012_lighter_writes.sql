-- Less work for the server on every record stored and signed (PostgreSQL): two foreign keys
-- that checked what another one already guarantees, and an index that no query needs since
-- migration 9, are dropped. Same number as ../sqlite/0012_lighter_writes.sql.
--
-- Foreign keys. PostgreSQL checks one with a query per row inserted (a trigger, once per row
-- even when every row names the same parent). Measured with EXPLAIN ANALYZE on 6,000 rows of
-- one school: each check of `school_id` against `schools` took 14-15 µs per row, about a
-- tenth of what storing the row costs the server.
--
-- * `year_records.school_id → schools`: a record's `(pupil_id, school_id)` must name a pupil
--   of that school (`year_records_pupil_id_school_id_fkey`), and a pupil's `school_id` must
--   name a school (`pupils_school_id_fkey`). So the school of every record exists.
-- * `credentials.school_id → schools`: a credential's `(record_id, school_id)` must name a
--   record of that school (`credentials_record_id_school_id_fkey`), whose school exists by
--   the rule above.
--
-- Nothing that was refused before is accepted now: a row naming a school that does not
-- exist still fails, on the composite key; a school cannot be deleted while it has pupils.
--
-- The index `year_records_school_state (school_id, state)` (migration 5) served counts of
-- records by school and state, which `year_record_counts` keeps since migration 9. Every
-- record stored and every change of state (each signing) wrote an entry into it: measured on
-- the same 6,000 records, one WAL record in nine per record inserted, one in eight per record
-- signed. Reads of one school's records by state still find the school through the other
-- indexes that begin with `school_id` (`year_records_class`, `year_records_drafts`).
ALTER TABLE year_records DROP CONSTRAINT IF EXISTS year_records_school_id_fkey;
ALTER TABLE credentials DROP CONSTRAINT IF EXISTS credentials_school_id_fkey;
DROP INDEX IF EXISTS year_records_school_state;
