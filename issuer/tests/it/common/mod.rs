//! Test harness for the storage tests: one test body runs against SQLite (a fresh file in a
//! temporary directory) and against PostgreSQL (a fresh schema, dropped afterwards) when
//! `HOCBA_TEST_POSTGRES` names a server. [`http`] holds what the router tests share.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod http;

use std::future::Future;

use hocba_issuer::store::{
    NewDraft, NewPupil, NewSchool, NewUser, Pupil, Role, School, Store, User, YearRecord,
};
use sqlx::{AssertSqlSafe, Connection};
use time::OffsetDateTime;
use time::macros::{date, datetime};

pub use hocba_test_support::db::POSTGRES_ENV;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// What a test body gets: an open store and the means to open a second, independent pool
/// on the same database (as a second process would).
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub store: Store,
    url: String,
    schema: Option<String>,
}

impl Ctx {
    /// A new pool on the same database (runs the migrations again, which must be a no-op).
    pub async fn another_pool(&self) -> Store {
        match &self.schema {
            Some(schema) => Store::connect_with_schema(&self.url, schema).await.unwrap(),
            None => Store::connect(&self.url).await.unwrap(),
        }
    }
}

/// Runs `body` on `db`; on PostgreSQL without `HOCBA_TEST_POSTGRES` it says so and passes.
/// The PostgreSQL schema is dropped afterwards, also when the body fails.
pub async fn run<F, Fut>(db: Db, body: F)
where
    F: FnOnce(Ctx) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    // The SQLite file's directory lives here, not in `Ctx`: a body that does not use all of
    // its `Ctx` would otherwise drop it early.
    let mut dir = None;
    let ctx = match db {
        Db::Sqlite => {
            let tmp = dir.insert(tempfile::tempdir().unwrap());
            let url = format!("sqlite://{}/sub/dir/hocba.db", tmp.path().display());
            let store = Store::connect(&url).await.unwrap();
            Ctx {
                db,
                store,
                url,
                schema: None,
            }
        }
        Db::Postgres => {
            let Ok(url) = std::env::var(POSTGRES_ENV) else {
                println!("skipped: {POSTGRES_ENV} not set");
                return;
            };
            let schema = hocba_test_support::db::unique_schema("hocba_test");
            let store = Store::connect_with_schema(&url, &schema).await.unwrap();
            Ctx {
                db,
                store,
                url,
                schema: Some(schema),
            }
        }
    };
    let (store, url, schema) = (ctx.store.clone(), ctx.url.clone(), ctx.schema.clone());
    let outcome = tokio::spawn(body(ctx)).await;
    store.close().await;
    if let Some(schema) = schema {
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE")))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
    }
    drop(dir);
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Generates `sqlite` and `postgres` test functions in a module named after the body.
#[macro_export]
macro_rules! both_databases {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn sqlite() {
                    $crate::common::run($crate::common::Db::Sqlite, super::$name).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn postgres() {
                    $crate::common::run($crate::common::Db::Postgres, super::$name).await;
                }
            }
        )*
    };
}

/// The time tests pretend it is.
pub fn now() -> OffsetDateTime {
    datetime!(2025-05-28 08:00:00 UTC)
}

/// A registered school with this code.
pub async fn school(store: &Store, code: &str) -> School {
    store
        .create_school(
            &NewSchool {
                code: code.to_owned(),
                name: format!("Trường Tiểu học {code}"),
                province: "Hòa Bình".to_owned(),
                issuer_id: format!("did:web:hocba.example:schools:{code}"),
            },
            now(),
        )
        .await
        .unwrap()
}

/// A user of `school` with `role`.
pub async fn user(store: &Store, school: &School, role: Role) -> User {
    store
        .create_user(
            &NewUser {
                school_id: Some(school.id.clone()),
                display_name: "Nguyễn Thị Lan".to_owned(),
                role,
            },
            now(),
        )
        .await
        .unwrap()
}

/// A pupil of `school` with this key.
pub async fn pupil(store: &Store, school: &School, key: &str) -> Pupil {
    store
        .upsert_pupil(
            &school.id,
            &NewPupil {
                pupil_key: key.to_owned(),
                full_name: "Trần Văn Đức".to_owned(),
                date_of_birth: date!(2014 - 09 - 05),
            },
            now(),
        )
        .await
        .unwrap()
}

/// A new draft for `pupil` in 2024-2025, class 5A.
pub fn draft(pupil: &Pupil) -> NewDraft {
    NewDraft {
        pupil_id: pupil.id.clone(),
        school_year: "2024-2025".to_owned(),
        grade: 5,
        class_name: "5A".to_owned(),
        record_json: r#"{"hoTen":"Trần Văn Đức","lop":"5A"}"#.to_owned(),
    }
}

/// A validated record for a new pupil `key` of `school`.
pub async fn validated_record(store: &Store, school: &School, key: &str) -> YearRecord {
    let pupil = pupil(store, school, key).await;
    let record = store
        .insert_draft(&school.id, &draft(&pupil), None, now())
        .await
        .unwrap();
    store
        .mark_validated(&school.id, &record.id, record.version, None, now())
        .await
        .unwrap()
}
