//! Every schema example: validated and signed by the issuer with its school's development key,
//! then verified by the verifier against the development trust list; changing any signed
//! part afterwards is caught.

use hocba_issuer::issue::{IssueOptions, issue_record};
use hocba_schema::credential::StatusEntry;
use hocba_tests::{dev_signer, dev_trust, examples, school_code};
use hocba_verifier::{CheckName, Reason, verify_json};
use serde_json::Value;
use time::macros::datetime;

const SIGNED_AT: time::OffsetDateTime = datetime!(2026-05-25 08:00 UTC);
const CHECKED_AT: time::OffsetDateTime = datetime!(2026-09-01 08:00 UTC);

fn issue(record: &[u8]) -> Value {
    let trust = dev_trust();
    let code = school_code(record);
    let signer = dev_signer(&trust, &code);
    let issued = issue_record(
        record,
        &signer,
        &code,
        &IssueOptions {
            accept_warnings: false,
            status: Some(StatusEntry::revocation(
                &format!("https://hocba.example/status/{code}/1"),
                70_001,
            )),
            now: SIGNED_AT,
            id: None,
        },
    )
    .expect("every example is valid and signs");
    Value::Object(issued.credential)
}

#[test]
fn every_example_round_trips() {
    let trust = dev_trust();
    let all = examples();
    assert!(all.len() >= 3, "at least grade 5, 9 and 11 examples");
    for (name, record) in all {
        let credential = issue(&record);
        let bytes = serde_json::to_vec_pretty(&credential).unwrap();
        let verdict = verify_json(&bytes, &trust, CHECKED_AT).unwrap();
        assert!(verdict.is_valid(), "{name}: {verdict:?}");
        // What the verifier hands back is the record that was signed.
        let original: Value = serde_json::from_slice(&record).unwrap();
        let verified = verdict.verified().unwrap().credential_subject().unwrap();
        assert_eq!(
            verified["student"]["fullName"], original["student"]["fullName"],
            "{name}"
        );
        assert_eq!(verified["grade"], original["grade"], "{name}");
    }
}

#[test]
fn changing_any_signed_part_of_an_example_is_caught() {
    let trust = dev_trust();
    let (name, record) = examples()
        .into_iter()
        .find(|(n, _)| n.contains("grade11"))
        .expect("grade-11 example");
    let credential = issue(&record);
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "pupil name",
            Box::new(|c| c["credentialSubject"]["student"]["fullName"] = "Võ Ngọc Bảo Trâm".into()),
        ),
        (
            "a year average",
            Box::new(|c| {
                let subjects = c["credentialSubject"]["secondary"]["subjects"]
                    .as_array_mut()
                    .unwrap();
                let scored = subjects
                    .iter_mut()
                    .find(|s| s.get("yearAverage").is_some())
                    .unwrap();
                scored["yearAverage"] = 9.9.into();
            }),
        ),
        (
            "school name in the record",
            Box::new(|c| c["credentialSubject"]["school"]["name"] = "Trường THPT Khác".into()),
        ),
        (
            "validFrom",
            Box::new(|c| c["validFrom"] = "2020-01-01T00:00:00Z".into()),
        ),
        (
            "proof created",
            Box::new(|c| c["proof"]["created"] = "2026-05-25T08:00:01Z".into()),
        ),
        (
            "status index",
            Box::new(|c| c["credentialStatus"]["statusListIndex"] = "70002".into()),
        ),
    ];
    for (what, edit) in edits {
        let mut changed = credential.clone();
        edit(&mut changed);
        let verdict =
            verify_json(&serde_json::to_vec(&changed).unwrap(), &trust, CHECKED_AT).unwrap();
        assert!(
            !verdict.is_valid(),
            "{name}: changing the {what} went unnoticed"
        );
        let integrity = verdict.check(CheckName::Integrity).unwrap();
        assert_eq!(
            integrity.reason,
            Some(Reason::SignatureMismatch),
            "{what}: {verdict:?}"
        );
    }
}

#[test]
fn a_record_signed_with_another_schools_key_is_refused_before_signing() {
    let trust = dev_trust();
    let (_, record) = examples()
        .into_iter()
        .find(|(n, _)| n.contains("grade11"))
        .unwrap();
    let other = dev_signer(&trust, "01001205");
    let err = issue_record(
        &record,
        &other,
        "01001205",
        &IssueOptions {
            accept_warnings: false,
            status: None,
            now: SIGNED_AT,
            id: None,
        },
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("belongs to school 01001205"),
        "{err}"
    );
}
