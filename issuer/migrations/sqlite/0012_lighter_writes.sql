-- Same number as ../postgres/0012_lighter_writes.sql. The index `year_records_school_state`
-- (migration 5) served counts of records by school and state, which `year_record_counts`
-- keeps since migration 9; every record stored and every signing wrote an entry into it.
-- Reads of one school's records by state still find the school through the other indexes
-- that begin with `school_id` (`year_records_class`, `year_records_drafts`).
--
-- The two foreign keys PostgreSQL drops here stay: SQLite checks one with an index probe,
-- which costs little, and can drop a constraint only by rebuilding the table.
DROP INDEX IF EXISTS year_records_school_state;
