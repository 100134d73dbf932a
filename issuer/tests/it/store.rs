//! Storage tests. Every test body runs twice: on SQLite (a temporary file) and on PostgreSQL
//! (its own schema) when `HOCBA_TEST_POSTGRES` is set, e.g.
//! `HOCBA_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test cargo test -p hocba-issuer --test it store::`.
//! Without it the PostgreSQL variants print "skipped: HOCBA_TEST_POSTGRES not set" and pass.

#![allow(clippy::unwrap_used, missing_docs)]

use crate::common;

use std::collections::HashSet;

use common::{Ctx, Db, draft, now, pupil, school, user, validated_record};
use hocba_issuer::store::{
    AuditEntry, Backend, BatchProgress, BatchState, Credential, ImportRow, IssueOutcome, NewBatch,
    NewCredential, NewPupil, NewUser, RecordFilter, RecordState, RecordUpdate, Role,
    STATUS_LIST_SIZE, Scope, Store, StoreError, YearRecord,
};
use sha2::{Digest, Sha256};
use sqlx::Row;
use time::Duration;

both_databases!(
    migrations_are_idempotent,
    tokens_are_hashed_and_refused_when_expired_or_revoked,
    schools_cannot_touch_each_other,
    stale_versions_are_refused,
    issuing_twice_stores_one_credential,
    concurrent_issuing_stores_one_credential,
    revoke_and_replace,
    status_indices_are_distinct_and_scattered,
    status_lists_roll_over_when_full,
    concurrent_allocation_never_repeats,
    audit_log_is_append_only,
    batches_are_idempotent,
    imports_and_batch_signing_report_per_row,
    overlapping_batches_from_two_processes_issue_each_record_once,
    counts_follow_every_change_of_a_record,
    counts_follow_statements_that_change_many_records,
);

/// A fake signed credential for `record`.
fn credential_for(record: &YearRecord, list: &str, index: i64) -> NewCredential {
    let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let json = format!(
        r#"{{"id":"{id}","credentialSubject":{{"record":"{}"}}}}"#,
        record.id
    );
    NewCredential {
        id,
        record_id: record.id.clone(),
        sha256: hex(&Sha256::digest(json.as_bytes())),
        credential_json: json,
        status_list: list.to_owned(),
        status_index: index,
        replaces: None,
    }
}

/// A fake credential for `record`, issued in a newly allocated slot of `school_id`'s lists.
async fn issue_fake(store: &Store, school_id: &str, record: &YearRecord) -> Credential {
    let slot = store.allocate_status_index(school_id, now()).await.unwrap();
    let credential = credential_for(record, &slot.list_id, slot.index);
    store
        .issue_credential(school_id, &credential, None, now())
        .await
        .unwrap()
        .into_credential()
}

/// Fake credentials for `records`, in newly allocated slots of `school_id`'s lists.
async fn fake_credentials(
    store: &Store,
    school_id: &str,
    records: &[YearRecord],
) -> Vec<NewCredential> {
    let slots = store
        .allocate_status_indices(school_id, records.len(), now())
        .await
        .unwrap();
    records
        .iter()
        .zip(&slots)
        .map(|(r, slot)| credential_for(r, &slot.list_id, slot.index))
        .collect()
}

fn not_found<T>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound { .. }))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn migrations_are_idempotent(ctx: Ctx) {
    let expected = match ctx.db {
        Db::Sqlite => Backend::Sqlite,
        Db::Postgres => Backend::Postgres,
    };
    assert_eq!(ctx.store.backend(), expected);
    let a = school(&ctx.store, "HB001").await;
    // A second pool runs the migrations again: nothing to do, data intact.
    let again = ctx.another_pool().await;
    assert_eq!(again.school_by_code("HB001").await.unwrap(), a);
    // One row per migration file of the backend, however often the migrations ran.
    let dir = match ctx.db {
        Db::Sqlite => "sqlite",
        Db::Postgres => "postgres",
    };
    let files = std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert!(files >= 3, "{files} migration files");
    assert_eq!(
        count(&again, "SELECT COUNT(*) FROM _sqlx_migrations").await,
        files as i64
    );
    let third = ctx.another_pool().await;
    assert_eq!(third.list_schools().await.unwrap().len(), 1);
    // A duplicate code is a conflict, not a database error.
    let err = again
        .create_school(
            &hocba_issuer::store::NewSchool {
                code: "HB001".into(),
                name: "x".into(),
                province: "x".into(),
                issuer_id: "x".into(),
            },
            now(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert!(matches!(
        again.school_by_code("NOPE").await,
        Err(StoreError::NotFound { what: "school", .. })
    ));
    again.close().await;
    third.close().await;
}

async fn tokens_are_hashed_and_refused_when_expired_or_revoked(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let principal = user(store, &s, Role::Principal).await;
    let token = store
        .create_token(&principal.id, Duration::hours(1), now())
        .await
        .unwrap();
    let secret = token.secret.expose().to_owned();
    assert!(secret.starts_with(&format!("hb_{}_", token.id)));
    assert!(!format!("{token:?}").contains(&secret[token.id.len() + 4..]));

    // The table holds the hash, never the secret or its random part.
    let rows =
        sqlx::query("SELECT id, user_id, secret_sha256, created_at, expires_at FROM api_tokens")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    let random_part = &secret[token.id.len() + 4..];
    for column in ["id", "user_id", "secret_sha256", "created_at", "expires_at"] {
        let value: String = rows[0].try_get(column).unwrap();
        assert!(!value.contains(random_part), "{column} holds the secret");
    }
    let stored: String = rows[0].try_get("secret_sha256").unwrap();
    assert_eq!(stored, hex(&Sha256::digest(secret.as_bytes())));

    let who = store.authenticate(&secret, now()).await.unwrap().unwrap();
    assert_eq!(who.user_id, principal.id);
    assert_eq!(who.school_id.as_deref(), Some(s.id.as_str()));
    assert_eq!(who.role, Role::Principal);
    assert_eq!(who.scope(), Scope::School(s.id.clone()));

    // A wrong secret with the right id, garbage, and an empty string are all refused.
    let mut wrong = secret.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(store.authenticate(&wrong, now()).await.unwrap(), None);
    assert_eq!(store.authenticate("hb_nope", now()).await.unwrap(), None);
    assert_eq!(store.authenticate("", now()).await.unwrap(), None);

    // Expired.
    let later = now() + Duration::hours(1);
    assert_eq!(store.authenticate(&secret, later).await.unwrap(), None);
    assert!(
        store
            .authenticate(&secret, later - Duration::seconds(1))
            .await
            .unwrap()
            .is_some()
    );

    // Revoked.
    store.revoke_token(&token.id, now()).await.unwrap();
    assert_eq!(store.authenticate(&secret, now()).await.unwrap(), None);
    assert!(matches!(
        store.revoke_token("missing", now()).await,
        Err(StoreError::NotFound { .. })
    ));

    // The authority has no school and sees the province.
    let authority = store
        .create_user(
            &NewUser {
                school_id: None,
                display_name: "Sở GD&ĐT Hòa Bình".into(),
                role: Role::Authority,
            },
            now(),
        )
        .await
        .unwrap();
    let t = store
        .create_token(&authority.id, Duration::days(30), now())
        .await
        .unwrap();
    let who = store
        .authenticate(t.secret.expose(), now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((who.role, who.school_id.clone()), (Role::Authority, None));
    assert_eq!(who.scope(), Scope::Province);
    // A teacher without a school is refused before reaching the database.
    assert!(matches!(
        store
            .create_user(
                &NewUser {
                    school_id: None,
                    display_name: "x".into(),
                    role: Role::Teacher,
                },
                now(),
            )
            .await,
        Err(StoreError::InvalidInput { .. })
    ));
}

async fn schools_cannot_touch_each_other(ctx: Ctx) {
    let store = &ctx.store;
    let a = school(store, "HB001").await;
    let b = school(store, "HB002").await;
    let b_record = validated_record(store, &b, "001090012345").await;
    let b_cred = issue_fake(store, &b.id, &b_record).await;
    let b_pupil = b_record.pupil_id.clone();
    let b_draft = store
        .insert_draft(
            &b.id,
            &common::draft(&pupil(store, &b, "001090099999").await),
            None,
            now(),
        )
        .await
        .unwrap();

    assert!(not_found(store.record(&a.id, &b_record.id).await));
    assert!(not_found(store.pupil(&a.id, &b_pupil).await));
    assert!(not_found(
        store
            .update_draft(
                &a.id,
                &b_draft.id,
                b_draft.version,
                &RecordUpdate {
                    grade: 5,
                    class_name: "5A".into(),
                    record_json: "{}".into(),
                },
                None,
                now(),
            )
            .await
    ));
    assert!(not_found(
        store
            .mark_validated(&a.id, &b_draft.id, b_draft.version, None, now())
            .await
    ));
    // Drafts for another school's pupil.
    let mut foreign = draft(&store.pupil(&b.id, &b_pupil).await.unwrap());
    foreign.school_year = "2025-2026".into();
    assert!(not_found(
        store.insert_draft(&a.id, &foreign, None, now()).await
    ));
    assert!(not_found(
        store.save_draft(&a.id, &foreign, None, now()).await
    ));
    // Signing another school's record, even with a list of one's own.
    let a_list = store.allocate_status_index(&a.id, now()).await.unwrap();
    let b_validated = store
        .mark_validated(&b.id, &b_draft.id, b_draft.version, None, now())
        .await
        .unwrap();
    assert!(not_found(
        store
            .issue_credential(
                &a.id,
                &credential_for(&b_validated, &a_list.list_id, a_list.index),
                None,
                now()
            )
            .await
    ));
    // Signing one's own record into another school's status list.
    let a_record = validated_record(store, &a, "001090055555").await;
    assert!(not_found(
        store
            .issue_credential(
                &a.id,
                &credential_for(&a_record, &b_cred.status_list, 7),
                None,
                now()
            )
            .await
    ));
    assert_eq!(
        store.record(&a.id, &a_record.id).await.unwrap().state,
        RecordState::Validated
    );
    // Credentials.
    assert!(not_found(
        store
            .credential(&Scope::School(a.id.clone()), &b_cred.id)
            .await
    ));
    assert!(not_found(
        store.credential_for_record(&a.id, &b_record.id).await
    ));
    assert!(not_found(
        store
            .revoke_credential(&a.id, &b_cred.id, "wrong marks", None, now())
            .await
    ));
    assert!(
        store
            .credential(&Scope::School(b.id.clone()), &b_cred.id)
            .await
            .unwrap()
            .revoked_at
            .is_none()
    );
    assert_eq!(
        store
            .credential(&Scope::Province, &b_cred.id)
            .await
            .unwrap(),
        b_cred
    );
    assert!(
        store
            .list_class_credentials(&a.id, "2024-2025", "5A")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .list_class_credentials(&b.id, "2024-2025", "5A")
            .await
            .unwrap(),
        vec![b_cred.clone()]
    );
    assert!(
        store
            .revoked_indices(&a.id, &b_cred.status_list)
            .await
            .unwrap()
            .is_empty()
    );
    // Lists.
    let a_records = store
        .list_records(&a.id, &RecordFilter::default())
        .await
        .unwrap();
    assert_eq!(
        a_records.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [a_record.id.as_str()]
    );
    assert_eq!(
        store
            .list_records(&b.id, &RecordFilter::default())
            .await
            .unwrap()
            .len(),
        2
    );
    // Batches and audit.
    let (b_batch, _) = store
        .create_or_get_batch(
            &b.id,
            &NewBatch {
                idempotency_key: "k1".into(),
                request_sha256: "00".repeat(32),
                total: 1,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    assert!(not_found(store.batch(&a.id, &b_batch.id).await));
    assert!(not_found(
        store
            .update_batch(
                &a.id,
                &b_batch.id,
                &BatchProgress {
                    state: BatchState::Done,
                    succeeded: 1,
                    failed: 0,
                    report_json: None,
                },
                now(),
            )
            .await
    ));
    // Another school's key does not open a new batch in the same key space either.
    let (a_batch, created) = store
        .create_or_get_batch(
            &a.id,
            &NewBatch {
                idempotency_key: "k1".into(),
                request_sha256: "11".repeat(32),
                total: 1,
            },
            None,
            now(),
        )
        .await
        .unwrap();
    assert!(created && a_batch.id != b_batch.id);
    store
        .append_audit(&entry(Some(&b.id), "sign"))
        .await
        .unwrap();
    assert!(
        store
            .list_audit(&Scope::School(a.id.clone()), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // The province sees school B's events: the `sign` row of its credential (written with
    // it) and the one appended above.
    let province = store.list_audit(&Scope::Province, 10).await.unwrap();
    assert_eq!(
        province
            .iter()
            .map(|e| (e.school_id.as_deref(), e.action.as_str()))
            .collect::<Vec<_>>(),
        [(Some(b.id.as_str()), "sign"), (Some(b.id.as_str()), "sign")]
    );
    assert_eq!(province[1].subject, b_cred.id);
}

async fn stale_versions_are_refused(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let p = pupil(store, &s, "001090012345").await;
    let v1 = store
        .insert_draft(&s.id, &draft(&p), None, now())
        .await
        .unwrap();
    assert_eq!((v1.version, v1.state), (1, RecordState::Draft));
    // A second live record for the same pupil and year is refused.
    assert!(matches!(
        store.insert_draft(&s.id, &draft(&p), None, now()).await,
        Err(StoreError::Conflict { .. })
    ));
    let edit = |json: &str| RecordUpdate {
        grade: 5,
        class_name: "5A".into(),
        record_json: json.into(),
    };
    let v2 = store
        .update_draft(&s.id, &v1.id, 1, &edit(r#"{"a":1}"#), None, now())
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    // Someone else still holding version 1 loses.
    match store
        .update_draft(&s.id, &v1.id, 1, &edit(r#"{"a":2}"#), None, now())
        .await
    {
        Err(StoreError::StaleVersion {
            expected: 1,
            current: 2,
            ..
        }) => {}
        other => panic!("expected StaleVersion, got {other:?}"),
    }
    assert!(matches!(
        store.mark_validated(&s.id, &v1.id, 1, None, now()).await,
        Err(StoreError::StaleVersion { .. })
    ));
    assert_eq!(
        store.record(&s.id, &v1.id).await.unwrap().record_json,
        r#"{"a":1}"#
    );
    let v3 = store
        .mark_validated(&s.id, &v1.id, 2, None, now())
        .await
        .unwrap();
    assert_eq!((v3.version, v3.state), (3, RecordState::Validated));
    // Editing a validated record makes it a draft again; an import does too, without a version.
    let v4 = store
        .update_draft(&s.id, &v1.id, 3, &edit(r#"{"a":3}"#), None, now())
        .await
        .unwrap();
    assert_eq!((v4.version, v4.state), (4, RecordState::Draft));
    let v5 = store
        .save_draft(&s.id, &draft(&p), None, now())
        .await
        .unwrap();
    assert_eq!((v5.id.as_str(), v5.version), (v1.id.as_str(), 5));
    // Concurrent edits from the same version: exactly one wins.
    let (ex, ey) = (edit(r#"{"who":"x"}"#), edit(r#"{"who":"y"}"#));
    let (x, y) = tokio::join!(
        store.update_draft(&s.id, &v1.id, 5, &ex, None, now()),
        store.update_draft(&s.id, &v1.id, 5, &ey, None, now()),
    );
    assert_eq!(
        [x.is_ok(), y.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{x:?} {y:?}"
    );
    // A signed record cannot be edited at all.
    let v6 = store.record(&s.id, &v1.id).await.unwrap();
    let v7 = store
        .mark_validated(&s.id, &v1.id, v6.version, None, now())
        .await
        .unwrap();
    issue_fake(store, &s.id, &v7).await;
    assert!(matches!(
        store
            .update_draft(&s.id, &v1.id, v7.version + 1, &edit("{}"), None, now())
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store.save_draft(&s.id, &draft(&p), None, now()).await,
        Err(StoreError::Conflict { .. })
    ));
    let filter = RecordFilter {
        school_year: Some("2024-2025".into()),
        class_name: Some("5A".into()),
        state: Some(RecordState::Signed),
    };
    assert_eq!(store.list_records(&s.id, &filter).await.unwrap().len(), 1);
}

async fn issuing_twice_stores_one_credential(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let record = validated_record(store, &s, "001090012345").await;
    let first_slot = store.allocate_status_index(&s.id, now()).await.unwrap();
    let first = credential_for(&record, &first_slot.list_id, first_slot.index);
    let issued = match store
        .issue_credential(&s.id, &first, None, now())
        .await
        .unwrap()
    {
        IssueOutcome::Issued(c) => c,
        other => panic!("{other:?}"),
    };
    assert_eq!(issued.credential_json, first.credential_json);
    assert_eq!(issued.sha256, first.sha256);
    assert_eq!(
        (issued.status_list.as_str(), issued.status_index),
        (first_slot.list_id.as_str(), first_slot.index)
    );
    // A retry (say, after a crash before the answer reached the client) signs anew with a
    // new id and slot; the store keeps the first.
    let second_slot = store.allocate_status_index(&s.id, now()).await.unwrap();
    let second = credential_for(&record, &second_slot.list_id, second_slot.index);
    match store
        .issue_credential(&s.id, &second, None, now())
        .await
        .unwrap()
    {
        IssueOutcome::AlreadyIssued(c) => assert_eq!(c, issued),
        other => panic!("{other:?}"),
    }
    assert_eq!(count(store, "SELECT COUNT(*) FROM credentials").await, 1);
    assert_eq!(
        store.record(&s.id, &record.id).await.unwrap().state,
        RecordState::Signed
    );
    // A draft is not signed; a used status slot is refused and leaves the record unsigned.
    let p = pupil(store, &s, "001090077777").await;
    let d = store
        .insert_draft(&s.id, &draft(&p), None, now())
        .await
        .unwrap();
    assert!(matches!(
        store
            .issue_credential(
                &s.id,
                &credential_for(&d, &second_slot.list_id, second_slot.index),
                None,
                now()
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let v = store
        .mark_validated(&s.id, &d.id, d.version, None, now())
        .await
        .unwrap();
    assert!(matches!(
        store
            .issue_credential(
                &s.id,
                &credential_for(&v, &first_slot.list_id, first_slot.index),
                None,
                now()
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store
            .issue_credential(
                &s.id,
                &credential_for(&v, &first_slot.list_id, STATUS_LIST_SIZE),
                None,
                now()
            )
            .await,
        Err(StoreError::InvalidInput { .. })
    ));
    assert_eq!(
        store.record(&s.id, &v.id).await.unwrap().state,
        RecordState::Validated
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM credentials").await, 1);
    // Invariant: a credential exists exactly when its record is signed or revoked.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM year_records r WHERE (r.state IN ('signed', 'revoked')) <> \
             EXISTS (SELECT 1 FROM credentials c WHERE c.record_id = r.id)"
        )
        .await,
        0
    );
}

async fn concurrent_issuing_stores_one_credential(ctx: Ctx) {
    let other = ctx.another_pool().await;
    let store = ctx.store.clone();
    let s = school(&store, "HB001").await;
    let mut records = Vec::new();
    for i in 0..20 {
        records.push(validated_record(&store, &s, &format!("00109001{i:04}")).await);
    }
    // Two "processes" sign the same 20 records at the same time.
    let work = |store: Store, school_id: String, records: Vec<YearRecord>| async move {
        let mut issued = 0;
        for r in &records {
            let slot = store
                .allocate_status_index(&school_id, now())
                .await
                .unwrap();
            let c = credential_for(r, &slot.list_id, slot.index);
            if let IssueOutcome::Issued(_) = store
                .issue_credential(&school_id, &c, None, now())
                .await
                .unwrap()
            {
                issued += 1;
            }
        }
        issued
    };
    let (x, y) = tokio::join!(
        tokio::spawn(work(store.clone(), s.id.clone(), records.clone())),
        tokio::spawn(work(other.clone(), s.id.clone(), records.clone())),
    );
    assert_eq!(x.unwrap() + y.unwrap(), 20);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM credentials").await, 20);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM year_records WHERE state = 'signed'"
        )
        .await,
        20
    );
    other.close().await;
}

async fn revoke_and_replace(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let record = validated_record(store, &s, "001090012345").await;
    let old = issue_fake(store, &s.id, &record).await;
    assert!(matches!(
        store
            .revoke_credential(&s.id, &old.id, "  ", None, now())
            .await,
        Err(StoreError::InvalidInput { .. })
    ));
    let later = now() + Duration::days(3);
    let revoked = store
        .revoke_credential(&s.id, &old.id, "điểm Toán nhập sai", None, later)
        .await
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(later));
    assert_eq!(
        revoked.revocation_reason.as_deref(),
        Some("điểm Toán nhập sai")
    );
    assert_eq!(
        store.record(&s.id, &record.id).await.unwrap().state,
        RecordState::Revoked
    );
    assert!(matches!(
        store
            .revoke_credential(&s.id, &old.id, "again", None, later)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store
            .revoked_indices(&s.id, &old.status_list)
            .await
            .unwrap(),
        vec![old.status_index]
    );

    // The correction: a new record for the same pupil and year, naming what it replaces.
    let p = store.pupil(&s.id, &record.pupil_id).await.unwrap();
    assert!(
        store
            .live_record(&s.id, &p.id, "2024-2025")
            .await
            .unwrap()
            .is_none()
    );
    let d = store
        .insert_draft(&s.id, &draft(&p), None, later)
        .await
        .unwrap();
    assert_eq!(
        store.live_record(&s.id, &p.id, "2024-2025").await.unwrap(),
        Some(d.clone())
    );
    let v = store
        .mark_validated(&s.id, &d.id, d.version, None, later)
        .await
        .unwrap();
    let to_replace = store
        .credential_to_replace(&s.id, &p.id, "2024-2025")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(to_replace.id, old.id);
    let slot2 = store.allocate_status_index(&s.id, later).await.unwrap();
    let mut new = credential_for(&v, &slot2.list_id, slot2.index);
    new.replaces = Some(old.id.clone());
    let replacement = store
        .issue_credential(&s.id, &new, None, later)
        .await
        .unwrap()
        .into_credential();
    assert_eq!(replacement.replaces.as_deref(), Some(old.id.as_str()));
    assert!(
        store
            .credential_to_replace(&s.id, &p.id, "2024-2025")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .list_class_credentials(&s.id, "2024-2025", "5A")
            .await
            .unwrap()
            .len(),
        2
    );
    // Only a revoked credential can be replaced.
    let other = validated_record(store, &s, "001090066666").await;
    let slot3 = store.allocate_status_index(&s.id, later).await.unwrap();
    let mut bad = credential_for(&other, &slot3.list_id, slot3.index);
    bad.replaces = Some(replacement.id.clone());
    assert!(matches!(
        store.issue_credential(&s.id, &bad, None, later).await,
        Err(StoreError::Conflict { .. })
    ));
}

async fn status_indices_are_distinct_and_scattered(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let mut indices = Vec::new();
    for _ in 0..2000 {
        let a = store.allocate_status_index(&s.id, now()).await.unwrap();
        assert!((0..STATUS_LIST_SIZE).contains(&a.index));
        indices.push(a.index);
    }
    let distinct: HashSet<i64> = indices.iter().copied().collect();
    assert_eq!(distinct.len(), 2000);
    let close = indices
        .windows(2)
        .filter(|w| (w[0] - w[1]).abs() <= 1)
        .count();
    assert!(close < 20, "{close} of 1999 neighbours are adjacent");
    let ascending = indices.windows(2).filter(|w| w[1] > w[0]).count();
    assert!(
        (700..1300).contains(&ascending),
        "{ascending} of 1999 steps go up"
    );
    // Blocks continue the same sequence without repeats.
    let block = store
        .allocate_status_indices(&s.id, 3000, now())
        .await
        .unwrap();
    assert_eq!(block.len(), 3000);
    let all: HashSet<i64> = indices
        .iter()
        .copied()
        .chain(block.iter().map(|a| a.index))
        .collect();
    assert_eq!(all.len(), 5000);
    let lists = store.status_lists(&s.id).await.unwrap();
    assert_eq!(lists.len(), 1);
    assert_eq!(
        (lists[0].seq, lists[0].size, lists[0].used),
        (1, STATUS_LIST_SIZE, 5000)
    );
    // Another school has its own list with its own key.
    let t = school(store, "HB002").await;
    let other: Vec<i64> = store
        .allocate_status_indices(&t.id, 100, now())
        .await
        .unwrap()
        .iter()
        .map(|a| a.index)
        .collect();
    let same = other.iter().zip(&indices).filter(|(a, b)| a == b).count();
    assert!(same < 3);
}

async fn status_lists_roll_over_when_full(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let size = usize::try_from(STATUS_LIST_SIZE).unwrap();
    let head = store
        .allocate_status_indices(&s.id, 100, now())
        .await
        .unwrap();
    // Fills the rest of the first list (with blocks that shrink to fit) and spills over.
    let rest = store
        .allocate_status_indices(&s.id, size, now())
        .await
        .unwrap();
    assert_eq!(rest.len(), size);
    let lists = store.status_lists(&s.id).await.unwrap();
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0].used, STATUS_LIST_SIZE);
    assert_eq!(lists[1].used, 100);
    let first: HashSet<i64> = head
        .iter()
        .chain(&rest)
        .filter(|a| a.list_id == lists[0].id)
        .map(|a| a.index)
        .collect();
    assert_eq!(
        first.len(),
        size,
        "every index of the full list used exactly once"
    );
    let second: HashSet<i64> = rest
        .iter()
        .filter(|a| a.list_id == lists[1].id)
        .map(|a| a.index)
        .collect();
    assert_eq!(second.len(), 100);
    assert!(second.iter().all(|i| (0..STATUS_LIST_SIZE).contains(i)));
}

async fn concurrent_allocation_never_repeats(ctx: Ctx) {
    let store = ctx.store.clone();
    let s = school(&store, "HB001").await;
    let second_pool = ctx.another_pool().await;
    let take = |store: Store, school_id: String| async move {
        let mut got = Vec::with_capacity(500);
        for _ in 0..500 {
            let a = store
                .allocate_status_index(&school_id, now())
                .await
                .unwrap();
            got.push((a.list_id, a.index));
        }
        got
    };
    // Two tasks on one pool, and two on a second pool as a second process would have.
    let tasks = [
        tokio::spawn(take(store.clone(), s.id.clone())),
        tokio::spawn(take(store.clone(), s.id.clone())),
        tokio::spawn(take(second_pool.clone(), s.id.clone())),
        tokio::spawn(take(second_pool.clone(), s.id.clone())),
    ];
    let mut all = HashSet::new();
    for t in tasks {
        for slot in t.await.unwrap() {
            assert!(all.insert(slot), "an index was handed out twice");
        }
    }
    assert_eq!(all.len(), 2000);
    // A block allocation racing with single ones.
    let (block, single) = tokio::join!(
        second_pool.allocate_status_indices(&s.id, 700, now()),
        take(store.clone(), s.id.clone()),
    );
    for a in block.unwrap() {
        assert!(all.insert((a.list_id, a.index)));
    }
    for slot in single {
        assert!(all.insert(slot));
    }
    assert_eq!(all.len(), 3200);
    second_pool.close().await;
}

fn entry(school_id: Option<&str>, action: &str) -> AuditEntry {
    AuditEntry {
        at: now(),
        school_id: school_id.map(str::to_owned),
        user_id: None,
        action: action.to_owned(),
        subject: "urn:uuid:0".to_owned(),
        details_json: r#"{"n":1}"#.to_owned(),
    }
}

async fn audit_log_is_append_only(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let first = store
        .append_audit(&entry(Some(&s.id), "import"))
        .await
        .unwrap();
    let second = store
        .append_audit(&entry(Some(&s.id), "sign"))
        .await
        .unwrap();
    assert!(second > first);
    assert!(matches!(
        store
            .append_audit(&AuditEntry {
                details_json: "{not json".into(),
                ..entry(None, "x")
            })
            .await,
        Err(StoreError::InvalidInput { .. })
    ));
    let events = store
        .list_audit(&Scope::School(s.id.clone()), 10)
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["sign", "import"]
    );
    assert_eq!(
        store
            .list_audit(&Scope::School(s.id.clone()), 1)
            .await
            .unwrap()
            .len(),
        1
    );

    // The database itself refuses to change or remove history.
    let update = sqlx::query("UPDATE audit_log SET action = 'nothing'")
        .execute(store.pool())
        .await;
    assert!(update.is_err(), "UPDATE was allowed");
    assert!(format!("{:?}", update.unwrap_err()).contains("append-only"));
    let delete = sqlx::query("DELETE FROM audit_log")
        .execute(store.pool())
        .await;
    assert!(delete.is_err(), "DELETE was allowed");
    if ctx.db == Db::Postgres {
        let truncate = sqlx::query("TRUNCATE audit_log")
            .execute(store.pool())
            .await;
        assert!(truncate.is_err(), "TRUNCATE was allowed");
    }
    let again = store.list_audit(&Scope::Province, 10).await.unwrap();
    assert_eq!(again, events);
}

async fn batches_are_idempotent(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let principal = user(store, &s, Role::Principal).await;
    let new = NewBatch {
        idempotency_key: "lop-5A-2025".into(),
        request_sha256: "ab".repeat(32),
        total: 35,
    };
    let (batch, created) = store
        .create_or_get_batch(&s.id, &new, Some(&principal.id), now())
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        (batch.state, batch.total, batch.succeeded),
        (BatchState::Queued, 35, 0)
    );
    let (again, created) = store
        .create_or_get_batch(&s.id, &new, Some(&principal.id), now())
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again, batch);
    let reused = NewBatch {
        request_sha256: "cd".repeat(32),
        ..new.clone()
    };
    assert!(matches!(
        store.create_or_get_batch(&s.id, &reused, None, now()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(store.unfinished_batches().await.unwrap().len(), 1);
    let progress = BatchProgress {
        state: BatchState::Running,
        succeeded: 10,
        failed: 1,
        report_json: Some(r#"[{"row":3,"error":"điểm"}]"#.into()),
    };
    let running = store
        .update_batch(&s.id, &batch.id, &progress, now())
        .await
        .unwrap();
    assert_eq!(
        (running.state, running.succeeded, running.failed),
        (BatchState::Running, 10, 1)
    );
    let done = store
        .update_batch(
            &s.id,
            &batch.id,
            &BatchProgress {
                state: BatchState::Done,
                succeeded: 34,
                failed: 1,
                report_json: None,
            },
            now() + Duration::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!(done.report_json, progress.report_json);
    assert_eq!(store.batch(&s.id, &batch.id).await.unwrap(), done);
    assert!(store.unfinished_batches().await.unwrap().is_empty());
    // Two requests racing with the same key end up in one batch.
    let race = NewBatch {
        idempotency_key: "race".into(),
        ..new.clone()
    };
    let (x, y) = tokio::join!(
        store.create_or_get_batch(&s.id, &race, None, now()),
        store.create_or_get_batch(&s.id, &race, None, now()),
    );
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.0.id, y.0.id);
    assert!(x.1 ^ y.1);
}

#[tokio::test]
async fn sqlite_urls_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    // A missing parent directory is created; mode=rwc is implied.
    let url = format!("sqlite:{}/a/b/c.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    assert!(dir.path().join("a/b/c.db").exists());
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    store.close().await;
    // In memory works (one connection).
    let memory = Store::connect("sqlite::memory:").await.unwrap();
    school(&memory, "HB001").await;
    assert_eq!(memory.list_schools().await.unwrap().len(), 1);
    assert!(format!("{memory:?}").contains("Sqlite"));
    // Refusals.
    assert!(matches!(
        Store::connect("mysql://x").await,
        Err(StoreError::InvalidInput { .. })
    ));
    assert!(matches!(
        Store::connect_with_schema("postgres://127.0.0.1/x", "Robert'); DROP").await,
        Err(StoreError::InvalidInput { .. })
    ));
    assert!(matches!(
        Store::connect_with_schema("sqlite::memory:", "abc").await,
        Err(StoreError::InvalidInput { .. })
    ));
}

#[tokio::test]
async fn unreachable_postgres_fails_fast() {
    // Nothing listens on port 1: the store reports the database as unavailable, promptly.
    let started = std::time::Instant::now();
    let err = Store::connect("postgres://postgres@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    assert!(
        matches!(err, StoreError::Unavailable(_) | StoreError::Database(_)),
        "{err:?}"
    );
}

fn import_row(key: &str, class_name: &str, validated: bool) -> ImportRow {
    ImportRow {
        pupil: NewPupil {
            pupil_key: key.to_owned(),
            full_name: format!("Học sinh {key}"),
            date_of_birth: time::macros::date!(2014 - 01 - 31),
        },
        school_year: "2024-2025".to_owned(),
        grade: 5,
        class_name: class_name.to_owned(),
        record_json: format!(r#"{{"pupil":"{key}"}}"#),
        validated,
    }
}

async fn imports_and_batch_signing_report_per_row(ctx: Ctx) {
    let store = &ctx.store;
    let s = school(store, "HB001").await;
    let rows: Vec<ImportRow> = (0..30)
        .map(|i| import_row(&format!("0010900{i:05}"), "5B", i % 3 != 0))
        .collect();
    let imported: Vec<YearRecord> = store
        .import_records(&s.id, &rows, None, now())
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for (row, record) in rows.iter().zip(&imported) {
        assert_eq!(
            record.record_json, row.record_json,
            "outcomes are in input order"
        );
        let expected = if row.validated {
            RecordState::Validated
        } else {
            RecordState::Draft
        };
        assert_eq!((record.state, record.version), (expected, 1));
    }
    // Validate the drafts in one go; one of them with a stale version.
    let drafts: Vec<(String, i64)> = imported
        .iter()
        .filter(|r| r.state == RecordState::Draft)
        .enumerate()
        .map(|(n, r)| (r.id.clone(), if n == 0 { 99 } else { r.version }))
        .collect();
    let validated = store
        .mark_validated_many(&s.id, &drafts, None, now())
        .await
        .unwrap();
    assert!(matches!(
        validated[0],
        Err(StoreError::StaleVersion { current: 1, .. })
    ));
    assert!(
        validated[1..]
            .iter()
            .all(|r| r.as_ref().unwrap().state == RecordState::Validated)
    );
    // Sign the class in one chunk: the stale draft is refused, the rest are issued.
    let chunk = fake_credentials(store, &s.id, &imported).await;
    let outcomes = store
        .issue_credentials(&s.id, &chunk, None, now())
        .await
        .unwrap();
    let stale_draft = imported.iter().position(|r| r.id == drafts[0].0).unwrap();
    for (i, outcome) in outcomes.iter().enumerate() {
        if i == stale_draft {
            assert!(
                matches!(outcome, Err(StoreError::Conflict { .. })),
                "{outcome:?}"
            );
        } else {
            let issued = outcome.as_ref().unwrap();
            assert!(matches!(issued, IssueOutcome::Issued(_)));
            assert_eq!(issued.credential().record_id, imported[i].id);
            assert_eq!(
                &store
                    .credential(&Scope::School(s.id.clone()), &chunk[i].id)
                    .await
                    .unwrap(),
                issued.credential()
            );
        }
    }
    assert_eq!(
        store
            .list_class_credentials(&s.id, "2024-2025", "5B")
            .await
            .unwrap()
            .len(),
        29
    );
    // Re-running the batch (as after a crash) issues nothing twice.
    let again = fake_credentials(store, &s.id, &imported).await;
    let outcomes = store
        .issue_credentials(&s.id, &again, None, now())
        .await
        .unwrap();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Ok(IssueOutcome::AlreadyIssued(_))))
            .count(),
        29
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM credentials").await, 29);
    // A reused status index sinks the whole chunk: nothing of it is written.
    let late = store
        .mark_validated(&s.id, &drafts[0].0, 1, None, now())
        .await
        .unwrap();
    let extra = validated_record(store, &s, "001090099999").await;
    let reuse = vec![
        credential_for(&late, &again[0].status_list, again[0].status_index),
        credential_for(&extra, &chunk[1].status_list, chunk[1].status_index),
    ];
    assert!(matches!(
        store.issue_credentials(&s.id, &reuse, None, now()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store.record(&s.id, &late.id).await.unwrap().state,
        RecordState::Validated
    );
    assert_eq!(
        store.record(&s.id, &extra.id).await.unwrap().state,
        RecordState::Validated
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM credentials").await, 29);
    // Re-importing the class: unsigned rows are updated, signed ones refused row by row.
    let mut rows_again = rows.clone();
    rows_again[0].record_json = r#"{"corrected":true}"#.into();
    let reimport = store
        .import_records(&s.id, &rows_again, None, now())
        .await
        .unwrap();
    assert_eq!(
        reimport[0].as_ref().unwrap().record_json,
        r#"{"corrected":true}"#
    );
    assert!(matches!(reimport[1], Err(StoreError::Conflict { .. })));
    // Importing into another school's id is refused as a whole.
    assert!(matches!(
        store
            .import_records("no-such-school", &rows, None, now())
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn overlapping_batches_from_two_processes_issue_each_record_once(ctx: Ctx) {
    let store = ctx.store.clone();
    let other = ctx.another_pool().await;
    let s = school(&store, "HB001").await;
    let rows: Vec<ImportRow> = (0..120)
        .map(|i| import_row(&format!("0010901{i:05}"), "5C", true))
        .collect();
    let records: Vec<YearRecord> = store
        .import_records(&s.id, &rows, None, now())
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    // Two processes sign the same class in chunks, in opposite orders.
    let sign = |store: Store, school_id: String, mut records: Vec<YearRecord>, reverse: bool| async move {
        if reverse {
            records.reverse();
        }
        let mut issued = 0;
        for chunk in records.chunks(25) {
            let creds = fake_credentials(&store, &school_id, chunk).await;
            for outcome in store
                .issue_credentials(&school_id, &creds, None, now())
                .await
                .unwrap()
            {
                if let IssueOutcome::Issued(_) = outcome.unwrap() {
                    issued += 1;
                }
            }
        }
        issued
    };
    let (a, b) = tokio::join!(
        tokio::spawn(sign(store.clone(), s.id.clone(), records.clone(), false)),
        tokio::spawn(sign(other.clone(), s.id.clone(), records.clone(), true)),
    );
    assert_eq!(a.unwrap() + b.unwrap(), 120);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM credentials").await, 120);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM year_records WHERE state = 'signed'"
        )
        .await,
        120
    );
    other.close().await;
}

/// The counts per school, year and state, as `year_records` has them now.
async fn counted(store: &Store) -> Vec<(String, String, String, i64)> {
    let rows = sqlx::query(
        "SELECT school_id, school_year, state, COUNT(*) AS n FROM year_records \
         GROUP BY school_id, school_year, state ORDER BY school_id, school_year, state",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            (
                r.get("school_id"),
                r.get("school_year"),
                r.get("state"),
                r.get("n"),
            )
        })
        .collect()
}

/// The counts the triggers kept (migration 9), in the same form, zeros left out.
async fn kept(store: &Store) -> Vec<(String, String, String, i64)> {
    let rows = sqlx::query(
        "SELECT school_id, school_year, draft, validated, signed, revoked \
         FROM year_record_counts ORDER BY school_id, school_year",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut out = Vec::new();
    for r in &rows {
        for state in ["draft", "signed", "revoked", "validated"] {
            let n: i64 = r.get(state);
            assert!(n >= 0, "a negative count of {state}");
            if n > 0 {
                out.push((
                    r.get("school_id"),
                    r.get("school_year"),
                    state.to_owned(),
                    n,
                ));
            }
        }
    }
    out.sort();
    out
}

/// The province page and the metrics read counts that triggers keep as records change: they
/// agree with counting the records after each kind of change (import, validation, signing,
/// revocation, a correction's new draft, an edit, a change of year and a deletion made by
/// plain SQL), on either database.
async fn counts_follow_every_change_of_a_record(ctx: Ctx) {
    let store = &ctx.store;
    let a = school(store, "HB101").await;
    let b = school(store, "HB102").await;
    let check = |step: &'static str| async move {
        assert_eq!(kept(store).await, counted(store).await, "after {step}");
    };
    let r1 = validated_record(store, &a, "101000000001").await;
    let r2 = validated_record(store, &a, "101000000002").await;
    let r3 = validated_record(store, &a, "101000000003").await;
    let p4 = pupil(store, &a, "101000000004").await;
    let r4 = store
        .insert_draft(&a.id, &draft(&p4), None, now())
        .await
        .unwrap();
    validated_record(store, &b, "102000000001").await;
    check("imports and validation").await;
    // An import's upsert over a validated record: a draft again.
    let r5 = validated_record(store, &a, "101000000005").await;
    let p5 = store.pupil(&a.id, &r5.pupil_id).await.unwrap();
    store
        .save_draft(&a.id, &draft(&p5), None, now())
        .await
        .unwrap();
    check("an import over a validated record").await;

    let signed = issue_fake(store, &a.id, &r1).await;
    issue_fake(store, &a.id, &r2).await;
    check("signing").await;
    store
        .revoke_credential(&a.id, &signed.id, "điểm Toán nhập sai", None, now())
        .await
        .unwrap();
    let p1 = store.pupil(&a.id, &r1.pupil_id).await.unwrap();
    store
        .insert_draft(&a.id, &draft(&p1), None, now())
        .await
        .unwrap();
    check("a revocation and its correction's draft").await;
    let edit = RecordUpdate {
        grade: 5,
        class_name: "5A".into(),
        record_json: "{}".into(),
    };
    store
        .update_draft(&a.id, &r3.id, r3.version, &edit, None, now())
        .await
        .unwrap();
    check("an edit of a validated record (a draft again)").await;
    sqlx::query("UPDATE year_records SET school_year = '2025-2026' WHERE id = $1")
        .bind(&r3.id)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM year_records WHERE id = $1")
        .bind(&r4.id)
        .execute(store.pool())
        .await
        .unwrap();
    check("a change of year and a deletion").await;

    let year = store.coverage_counts("2024-2025").await.unwrap();
    let of_a = year.iter().find(|c| c.school_id == a.id).unwrap();
    assert_eq!(
        (
            of_a.draft,
            of_a.validated,
            of_a.signed,
            of_a.revoked,
            of_a.expected
        ),
        (2, 0, 1, 1, 3),
        "the correction's draft, the re-imported draft, the signed record, the revoked one"
    );
    let metrics = store.record_counts().await.unwrap();
    let of = |code: &str, state: RecordState| {
        metrics
            .iter()
            .find(|c| c.school_code == code && c.state == Some(state))
            .map_or(0, |c| c.count)
    };
    assert_eq!(
        (
            of("HB101", RecordState::Draft),
            of("HB101", RecordState::Validated),
            of("HB101", RecordState::Signed),
            of("HB101", RecordState::Revoked),
            of("HB102", RecordState::Validated),
        ),
        (3, 0, 1, 1, 1),
        "every year together: the edited record moved to 2025-2026 is a draft"
    );
}

/// The counts stay exact when one statement changes many records of several schools and
/// states at once (PostgreSQL sums each statement's changes, SQLite counts row by row): an
/// import whose statement both inserts records and overwrites validated ones, a signing
/// chunk, one `UPDATE` that moves records of two schools to another year while another
/// changes no state, and one `DELETE` of records in several states and schools.
async fn counts_follow_statements_that_change_many_records(ctx: Ctx) {
    let store = &ctx.store;
    let a = school(store, "HB201").await;
    let b = school(store, "HB202").await;
    let check = |step: &'static str| async move {
        assert_eq!(kept(store).await, counted(store).await, "after {step}");
    };
    let rows: Vec<ImportRow> = (0..12)
        .map(|i| import_row(&format!("2010000000{i:02}"), "5A", i % 3 != 0))
        .collect();
    let first = store
        .import_records(&a.id, &rows, None, now())
        .await
        .unwrap();
    let first: Vec<YearRecord> = first.into_iter().map(Result::unwrap).collect();
    check("a first import of drafts and validated records").await;
    // The same pupils again, now all drafts, and six new ones: one statement's upsert
    // inserts some rows and turns validated ones back into drafts.
    let again: Vec<ImportRow> = (0..18)
        .map(|i| import_row(&format!("2010000000{i:02}"), "5B", false))
        .collect();
    store
        .import_records(&a.id, &again, None, now())
        .await
        .unwrap();
    check("an import over earlier rows").await;
    let more: Vec<ImportRow> = (0..10)
        .map(|i| import_row(&format!("2020000000{i:02}"), "5A", true))
        .collect();
    let of_b: Vec<YearRecord> = store
        .import_records(&b.id, &more, None, now())
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let credentials = fake_credentials(store, &b.id, &of_b[..7]).await;
    let issued = store
        .issue_credentials(&b.id, &credentials, None, now())
        .await
        .unwrap();
    assert!(issued.iter().all(Result::is_ok));
    check("a signing chunk").await;
    assert_eq!(
        kept(store)
            .await
            .into_iter()
            .filter(|(s, _, state, _)| s == &b.id && state == "signed")
            .map(|(_, _, _, n)| n)
            .sum::<i64>(),
        7
    );
    sqlx::query("UPDATE year_records SET class_name = '5C' WHERE school_id = $1")
        .bind(&a.id)
        .execute(store.pool())
        .await
        .unwrap();
    check("an update that changes no state").await;
    sqlx::query(
        "UPDATE year_records SET school_year = '2025-2026' WHERE class_name = '5C' OR state = 'signed'",
    )
    .execute(store.pool())
    .await
    .unwrap();
    check("a change of year of records of two schools").await;
    let doomed: Vec<&str> = of_b[7..]
        .iter()
        .chain(&first[..4])
        .map(|r| r.id.as_str())
        .collect();
    sqlx::query("DELETE FROM year_records WHERE id IN ($1, $2, $3, $4, $5, $6, $7)")
        .bind(doomed[0])
        .bind(doomed[1])
        .bind(doomed[2])
        .bind(doomed[3])
        .bind(doomed[4])
        .bind(doomed[5])
        .bind(doomed[6])
        .execute(store.pool())
        .await
        .unwrap();
    check("a deletion of drafts and validated records of two schools").await;
    sqlx::query(
        "UPDATE year_records SET state = 'validated' WHERE school_id = $1 AND state = 'draft'",
    )
    .bind(&a.id)
    .execute(store.pool())
    .await
    .unwrap();
    check("many records validated by one statement").await;
}
