-- Storage speed, SQLite. Same number as ../postgres/0006_speed.sql, which sets the
-- compression of the record and credential texts; SQLite stores them uncompressed and needs
-- no change. (Its per-connection settings are in src/store/connect.rs.)
SELECT 1;
