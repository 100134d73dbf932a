//! The store's multi-row statements (`store/values.rs`): imports and the signing step write a
//! hundred rows per statement, and must give the same outcomes as writing them one by one —
//! rows of one pupil and year more than once in a call, one pupil in two years, a call larger
//! than one statement, the same record twice in one signing chunk — on both databases.

use crate::common;

use std::collections::HashSet;

use common::{Ctx, now, school};
use hocba_issuer::store::{ImportRow, IssueOutcome, NewCredential, NewPupil, RecordState, Scope};
use sha2::{Digest, Sha256};
use time::macros::date;

both_databases!(
    import_larger_than_a_statement_with_repeated_rows,
    signing_chunk_larger_than_a_statement_with_a_record_twice,
);

fn row(key: &str, name: &str, year: &str, class: &str, validated: bool) -> ImportRow {
    ImportRow {
        pupil: NewPupil {
            pupil_key: key.to_owned(),
            full_name: name.to_owned(),
            date_of_birth: date!(2014 - 09 - 05),
        },
        school_year: year.to_owned(),
        grade: 5,
        class_name: class.to_owned(),
        record_json: format!(r#"{{"key":"{key}","year":"{year}","class":"{class}"}}"#),
        validated,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

async fn import_larger_than_a_statement_with_repeated_rows(ctx: Ctx) {
    let store = &ctx.store;
    let school = school(store, "31000101").await;
    // 250 pupils (more than one statement), then pupil 7 again for the same year (a second
    // row: it replaces the first) and pupil 8 for another year.
    let mut rows: Vec<ImportRow> = (0..250)
        .map(|i| row(&format!("{i:012}"), "Trần Văn Đức", "2024-2025", "5A", true))
        .collect();
    rows.push(row(
        &format!("{:012}", 7),
        "Trần Văn Đạt",
        "2024-2025",
        "5B",
        false,
    ));
    rows.push(row(
        &format!("{:012}", 8),
        "Trần Văn Đức",
        "2023-2024",
        "4A",
        true,
    ));
    let outcomes = store
        .import_records(&school.id, &rows, None, now())
        .await
        .unwrap();
    assert_eq!(outcomes.len(), rows.len());
    let stored: Vec<_> = outcomes.into_iter().map(Result::unwrap).collect();
    for (r, s) in rows.iter().zip(&stored).take(250) {
        assert_eq!(s.record_json, r.record_json);
    }
    // A record stored from a row marked validated says this process validated its text (so
    // signing need not read it again); a draft does not, nor does the same record read back.
    assert!(stored[0].validated_now.0);
    assert!(
        !stored[250].validated_now.0,
        "pupil 7's second row is a draft"
    );
    let read_back = store.record(&school.id, &stored[0].id).await.unwrap();
    assert!(!read_back.validated_now.0);
    // The repeated row is the same record, one version on, with the later content.
    let (first, again) = (&stored[7], &stored[250]);
    assert_eq!(again.id, first.id);
    assert_eq!((first.version, again.version), (1, 2));
    assert_eq!(again.class_name, "5B");
    assert_eq!(again.state, RecordState::Draft);
    assert_eq!(
        store.record(&school.id, &again.id).await.unwrap(),
        *again,
        "what the import answers is what is stored"
    );
    // One pupil per key, with the name of the last row; two records for pupil 8.
    assert_eq!(stored[8].pupil_id, stored[251].pupil_id);
    assert_ne!(stored[8].id, stored[251].id);
    let pupils: HashSet<_> = stored.iter().map(|r| r.pupil_id.clone()).collect();
    assert_eq!(pupils.len(), 250);
    let seven = store
        .pupil_by_key(&school.id, &format!("{:012}", 7))
        .await
        .unwrap();
    assert_eq!(seven.full_name, "Trần Văn Đạt");
    assert_eq!(
        store
            .list_records(&school.id, &Default::default())
            .await
            .unwrap()
            .len(),
        251
    );
}

async fn signing_chunk_larger_than_a_statement_with_a_record_twice(ctx: Ctx) {
    let store = &ctx.store;
    let school = school(store, "31000102").await;
    let rows: Vec<ImportRow> = (0..230)
        .map(|i| row(&format!("{i:012}"), "Lê Thị Hoa", "2024-2025", "5A", true))
        .collect();
    let records: Vec<_> = store
        .import_records(&school.id, &rows, None, now())
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let allocations = store
        .allocate_status_indices(&school.id, records.len() + 1, now())
        .await
        .unwrap();
    let mut items: Vec<NewCredential> = records
        .iter()
        .zip(&allocations)
        .map(|(r, a)| {
            let id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
            let json = format!(r#"{{"id":"{id}","record":"{}"}}"#, r.id);
            NewCredential {
                id,
                record_id: r.id.clone(),
                sha256: hex(&Sha256::digest(json.as_bytes())),
                credential_json: json,
                status_list: a.list_id.clone(),
                status_index: a.index,
                replaces: None,
            }
        })
        .collect();
    // Record 3 a second time with another credential id and status entry.
    let mut twice = items[3].clone();
    twice.id = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    twice.status_index = allocations[records.len()].index;
    items.push(twice);
    let outcomes = store
        .issue_credentials_in_batch(&school.id, &items, None, Some("batch-1"), now())
        .await
        .unwrap();
    assert_eq!(outcomes.len(), items.len());
    let outcomes: Vec<IssueOutcome> = outcomes.into_iter().map(Result::unwrap).collect();
    for (item, outcome) in items.iter().zip(&outcomes).take(records.len()) {
        let IssueOutcome::Issued(c) = outcome else {
            panic!("{} was not issued: {outcome:?}", item.record_id);
        };
        assert_eq!(c.id, item.id);
        assert_eq!(c.status_index, item.status_index);
    }
    match outcomes.last().unwrap() {
        IssueOutcome::AlreadyIssued(c) => assert_eq!(c.id, items[3].id),
        other => panic!("the second credential of one record was stored: {other:?}"),
    }
    for r in &records {
        let record = store.record(&school.id, &r.id).await.unwrap();
        assert_eq!(record.state, RecordState::Signed);
        assert_eq!(record.version, r.version + 1);
    }
    // One `sign` audit row per credential issued, naming its record and the batch.
    let audit = store
        .list_audit(&Scope::School(school.id.clone()), 1000)
        .await
        .unwrap();
    let signs: Vec<_> = audit.iter().filter(|e| e.action == "sign").collect();
    assert_eq!(signs.len(), records.len());
    let subjects: HashSet<_> = signs.iter().map(|e| e.subject.as_str()).collect();
    let issued: HashSet<_> = items[..records.len()]
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(subjects, issued);
    assert!(
        signs
            .iter()
            .all(|e| e.details_json.contains("\"batch\":\"batch-1\""))
    );
}
