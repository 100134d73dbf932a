//! Upgrading a database that holds signed records to the latest schema: a database made with
//! the migrations up to 11 (as released before `0012_lighter_writes`), with a school, a pupil, a
//! signed record and its credential, then opened by the store. Its data must come through
//! intact, the index dropped must be gone, and what the dropped foreign keys refused must
//! still be refused (by the keys that imply them). On SQLite and, when `HOCBA_TEST_POSTGRES` is set, on PostgreSQL.

#![allow(clippy::unwrap_used, missing_docs)]

use hocba_issuer::store::{IssueOutcome, NewCredential, RecordState, Store};
use hocba_test_support::db::{SqliteFile, postgres_url, unique_schema};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

use crate::common::now;

/// The migrations of `dir` (`sqlite` or `postgres`) numbered up to `last`, read from the files.
fn migrations_up_to(dir: &str, last: i64) -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    let mut files: Vec<(i64, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".sql"))
        .map(|name| (name[..4].parse().unwrap(), name))
        .filter(|(version, _)| *version <= last)
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    Migrator::with_migrations(
        files
            .into_iter()
            .map(|(version, name)| {
                let sql: &'static str = Box::leak(
                    std::fs::read_to_string(dir.join(&name))
                        .unwrap()
                        .into_boxed_str(),
                );
                Migration::new(
                    version,
                    std::borrow::Cow::Owned(name),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

const AT: &str = "2026-05-29T08:00:00.000000Z";

/// A school with a pupil, a signed record and its credential, and a second school, written
/// as a release of migration 11 would have stored them.
fn old_data() -> String {
    format!(
        "INSERT INTO schools (id, code, name, province, issuer_id, created_at) VALUES \
             ('s1', '79000001', 'Trường A', 'TP. Hồ Chí Minh', 'urn:hocba:school:79000001', '{AT}'), \
             ('s2', '79000002', 'Trường B', 'TP. Hồ Chí Minh', 'urn:hocba:school:79000002', '{AT}'); \
         INSERT INTO pupils (id, school_id, pupil_key, full_name, date_of_birth, created_at, \
             updated_at) VALUES ('p1', 's1', '079200000001', 'Nguyễn Văn An', '2010-01-02', '{AT}', \
             '{AT}'); \
         INSERT INTO year_records (id, school_id, pupil_id, school_year, grade, class_name, state, \
             record_json, version, created_by, created_at, updated_by, updated_at) VALUES \
             ('r1', 's1', 'p1', '2025-2026', 5, '5A', 'signed', '{{\"grade\":5}}', 3, NULL, \
             '{AT}', NULL, '{AT}'), \
             ('r3', 's1', 'p1', '2026-2027', 6, '6A', 'validated', '{{\"grade\":6}}', 2, NULL, \
             '{AT}', NULL, '{AT}'); \
         INSERT INTO status_lists (id, school_id, seq, size, next_counter, permutation_key, \
             created_at) VALUES ('l1', 's1', 1, 131072, 1, '{key}', '{AT}'); \
         INSERT INTO credentials (id, record_id, school_id, credential_json, sha256, status_list, \
             status_index, issued_at) VALUES ('urn:uuid:c1', 'r1', 's1', '{{\"id\":\"c1\"}}', \
             'ab', 'l1', 7, '{AT}');",
        key = "0".repeat(64)
    )
}

/// Builds the old database on `conn`: the migrations up to 11 and [`old_data`].
async fn build_old(mut conn: AnyConnection, backend: &str) {
    migrations_up_to(backend, 11).run(&mut conn).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(old_data()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// Checks the database [`build_old`] made, opened by the store (which ran the migrations
/// after 11).
async fn check_upgraded(store: Store, backend: &str) {
    let record = store.record("s1", "r1").await.unwrap();
    assert_eq!(record.state, RecordState::Signed);
    assert_eq!(record.record_json, r#"{"grade":5}"#);
    assert_eq!(record.version, 3);
    let credential = store.credential_for_record("s1", "r1").await.unwrap();
    assert_eq!(credential.id, "urn:uuid:c1");
    assert_eq!(credential.status_index, 7);
    assert_eq!(credential.credential_json, r#"{"id":"c1"}"#);
    // The counts of migration 9 came through too.
    let signed: i64 = sqlx::query_scalar(
        "SELECT signed FROM year_record_counts WHERE school_id = 's1' AND school_year = '2025-2026'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(signed, 1);

    // The index of migration 5 that the counts replaced is gone; the others are there.
    for (index, expected) in [("year_records_school_state", 0), ("year_records_class", 1)] {
        let sql = if backend == "sqlite" {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = $1"
        } else {
            "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() \
             AND indexname = $1"
        };
        let n: i64 = sqlx::query_scalar(sql)
            .bind(index)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(n, expected, "{backend}: index {index}");
    }

    // A record of a school that does not exist, or whose pupil is another school's, is still
    // refused: the pupil's key names the school.
    for (school, pupil) in [("nope", "p1"), ("s2", "p1")] {
        let insert = sqlx::query(
            "INSERT INTO year_records (id, school_id, pupil_id, school_year, grade, class_name, \
             state, record_json, version, created_at, updated_at) \
             VALUES ('r2', $1, $2, '2026-2027', 6, '6A', 'draft', '{}', 1, $3, $3)",
        )
        .bind(school)
        .bind(pupil)
        .bind(AT)
        .execute(store.pool())
        .await;
        assert!(
            insert.is_err(),
            "{backend}: record of {school} for {pupil} stored"
        );
    }
    // A credential naming a school that does not exist, or another school than its record's,
    // is still refused: the record's key names the school (`r3` has no credential yet, so
    // nothing else stands in the way).
    for school in ["nope", "s2"] {
        let insert = sqlx::query(
            "INSERT INTO credentials (id, record_id, school_id, credential_json, sha256, \
             status_list, status_index, issued_at) \
             VALUES ('urn:uuid:c2', 'r3', $1, '{}', 'ab', 'l1', 8, $2)",
        )
        .bind(school)
        .bind(AT)
        .execute(store.pool())
        .await;
        assert!(
            insert.is_err(),
            "{backend}: credential of r3 stored for {school}"
        );
    }
    // The store still works on the upgraded database.
    let school = store.school("s1").await.unwrap();
    assert_eq!(school.code, "79000001");
    let lists = store.status_lists("s1").await.unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0].used, 1);
    let slot = store.allocate_status_index("s1", now()).await.unwrap();
    let new = NewCredential {
        id: "urn:uuid:c3".into(),
        record_id: "r3".into(),
        credential_json: r#"{"id":"c3"}"#.into(),
        sha256: "0".repeat(64),
        status_list: slot.list_id,
        status_index: slot.index,
        replaces: None,
    };
    let issued = store
        .issue_credential("s1", &new, None, now())
        .await
        .unwrap();
    assert!(matches!(issued, IssueOutcome::Issued(_)), "{issued:?}");
    let signed = store.record("s1", "r3").await.unwrap();
    assert_eq!(signed.state, RecordState::Signed);
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    sqlx::any::install_default_drivers();
    let db = SqliteFile::new();
    let url = format!("{}?mode=rwc", db.url());
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql("PRAGMA foreign_keys = ON")
        .execute(&mut conn)
        .await
        .unwrap();
    build_old(conn, "sqlite").await;
    check_upgraded(Store::connect(&db.url()).await.unwrap(), "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let Some(url) = postgres_url() else {
        println!("skipped: HOCBA_TEST_POSTGRES not set");
        return;
    };
    sqlx::any::install_default_drivers();
    let schema = unique_schema("hocba_upgrade");
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!(
        "CREATE SCHEMA \"{schema}\"; SET search_path TO \"{schema}\""
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    build_old(conn, "postgres").await;
    let outcome = tokio::spawn({
        let (url, schema) = (url.clone(), schema.clone());
        async move {
            let store = Store::connect_with_schema(&url, &schema).await.unwrap();
            check_upgraded(store, "postgres").await;
            // The two checks are gone, and the keys that imply them are there.
            let store = Store::connect_with_schema(&url, &schema).await.unwrap();
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT conname::text FROM pg_constraint c JOIN pg_namespace n \
                 ON n.oid = c.connamespace WHERE n.nspname = $1 AND contype = 'f' \
                 AND conrelid::regclass::text IN ('year_records', 'credentials') ORDER BY 1",
            )
            .bind(&schema)
            .fetch_all(store.pool())
            .await
            .unwrap();
            let has = |name: &str| names.iter().any(|n| n == name);
            assert!(!has("year_records_school_id_fkey"), "{names:?}");
            assert!(!has("credentials_school_id_fkey"), "{names:?}");
            assert!(has("year_records_pupil_id_school_id_fkey"), "{names:?}");
            assert!(has("credentials_record_id_school_id_fkey"), "{names:?}");
            store.close().await;
        }
    })
    .await;
    let mut conn = AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE")))
        .execute(&mut conn)
        .await
        .unwrap();
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}
