//! A valid credential, what its verdict reports, the stale trust list, and the fast and general
//! paths agreeing. Every kind of tampering, each with its own reason code, is a case file of
//! `tests/data/cases/` (see `cases`).

use hocba_verifier::{
    CheckName, MAX_CREDENTIAL_BYTES, Outcome, Reason, Verdict, VerdictResult, VerifyError,
    VerifyOptions, verify_credential, verify_credential_with, verify_json,
};
use serde_json::{Value, json};
use time::Duration;
use time::macros::datetime;

use crate::support::*;

#[test]
fn a_valid_credential_verifies_and_reports_what_to_compare() {
    let verdict = check(&valid_credential());
    assert_eq!(verdict.result(), VerdictResult::Valid, "{verdict:#?}");
    assert_eq!(verdict.reason(), None);
    for c in verdict.checks() {
        let expected = match c.name {
            CheckName::Status => Outcome::NotChecked,
            _ => Outcome::Passed,
        };
        assert_eq!(c.outcome, expected, "{c:?}");
    }
    assert_eq!(
        verdict.check(CheckName::Status).unwrap().reason,
        Some(Reason::StatusNotChecked)
    );
    let s = verdict.subject();
    assert_eq!(
        s.credential_id.as_deref(),
        Some("urn:uuid:22222222-2222-4222-8222-222222222222")
    );
    assert_eq!(s.issuer.as_ref().unwrap().id, SCHOOL_A);
    let school = s.school.as_ref().unwrap();
    assert_eq!(
        (school.code.as_str(), school.name.as_str()),
        ("79000701", "Trường Tiểu học Lê Văn Tám")
    );
    assert_eq!(s.key.as_ref().unwrap().id, vm(SCHOOL_A, &school_a_key()));
    assert_eq!(s.pupil.full_name.as_deref(), Some("Nguyễn Thị Ánh Tuyết"));
    assert_eq!(s.pupil.school_year.as_deref(), Some("2025-2026"));
    assert_eq!(s.pupil.grade.as_deref(), Some("5"));
    assert_eq!(s.pupil.class_name.as_deref(), Some("5A"));
    assert_eq!(verdict.trust_list().unwrap().version, 3);

    let verified = verdict.verified().unwrap();
    assert_eq!(verified.credential_subject().unwrap()["className"], "5A");
    assert_eq!(verified.school().code, "79000701");
    assert_eq!(verified.id(), s.credential_id.as_deref());
    assert!(!verified.document().contains_key("proof"));

    // JSON report: camelCase, stable names.
    let json = serde_json::to_value(&verdict).unwrap();
    assert_eq!(json["result"], "valid");
    assert_eq!(json["issuer"]["id"], SCHOOL_A);
    assert_eq!(json["school"]["code"], "79000701");
    assert_eq!(json["key"]["status"], "active");
    assert_eq!(json["pupil"]["fullName"], "Nguyễn Thị Ánh Tuyết");
    assert_eq!(
        json["credentialId"],
        "urn:uuid:22222222-2222-4222-8222-222222222222"
    );
    assert_eq!(json["trustList"]["validUntil"], "2026-06-30T00:00:00Z");
    let names: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "integrity",
            "issuer",
            "key_validity",
            "validity_period",
            "status",
            "format",
            "trust_list"
        ]
    );
    assert!(json["checks"][0]["message"]["vi"].is_string());

    // The one-call API gives the same answer.
    let again = verify_json(&bytes(&valid_credential()), &verified_trust(), NOW).unwrap();
    assert!(again.is_valid());
}

fn signed_with(edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    let mut doc = unsigned(&school_a(), "79000701");
    edit(&mut doc);
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    )
}

#[test]
fn a_stale_trust_list_is_could_not_check_unless_the_user_accepts_it() {
    let trust = verified_trust();
    let late = datetime!(2026-08-01 00:00 UTC);
    // Past its next update: "could not check" (status_unknown), never valid.
    let verdict = verify_credential(&bytes(&valid_credential()), &trust, late).unwrap();
    assert_eq!(
        verdict.result(),
        VerdictResult::StatusUnknown,
        "{verdict:#?}"
    );
    assert_eq!(verdict.reason(), Some(Reason::TrustListStale));
    assert!(!verdict.is_valid());
    assert!(verdict.verified().is_none());
    let check = verdict.check(CheckName::TrustList).unwrap();
    assert_eq!(check.outcome, Outcome::Failed);
    assert!(trust.is_stale(late) && !trust.is_stale(NOW));

    // Opted in: valid with one warning.
    let accepting = VerifyOptions::default().accepting_stale_trust_list();
    let verdict =
        verify_credential_with(&bytes(&valid_credential()), &trust, late, &accepting).unwrap();
    assert!(verdict.is_valid());
    let warning: Vec<_> = verdict.warnings().collect();
    assert_eq!(warning.len(), 1);
    assert_eq!(warning[0].name, CheckName::TrustList);
    assert_eq!(warning[0].reason, Some(Reason::TrustListStale));

    // A maximum age overrides the opt-in.
    let strict = accepting.with_max_trust_list_age(Duration::days(365));
    let verdict =
        verify_credential_with(&bytes(&valid_credential()), &trust, late, &strict).unwrap();
    assert_eq!(verdict.reason(), Some(Reason::TrustListStale));
    assert!(!verdict.is_valid());

    let strict = VerifyOptions::default().with_max_trust_list_age(Duration::days(7));
    let verdict =
        verify_credential_with(&bytes(&valid_credential()), &trust, NOW, &strict).unwrap();
    assert_eq!(verdict.reason(), Some(Reason::TrustListTooOld));
    assert_eq!(verdict.result(), VerdictResult::Invalid);
}

/// Input too large to read is an error, not a verdict (the other unreadable inputs are case
/// files: `tests/data/cases/input-*`).
#[test]
fn input_over_the_size_limit_is_an_error_not_a_verdict() {
    let trust = verified_trust();
    let big = vec![b' '; MAX_CREDENTIAL_BYTES + 1];
    let e = verify_credential(&big, &trust, NOW).unwrap_err();
    assert!(matches!(e, VerifyError::TooLarge { size, .. } if size == MAX_CREDENTIAL_BYTES + 1));
    assert!(e.to_string().contains("limit"), "{e}");
}

/// Credentials written as their own canonical (JCS) bytes are verified on the fast path (hashed
/// where they lie, only the checked members parsed); the same credentials pretty-printed take
/// the general path. Both must give the same verdict, check by check, and the same verified
/// document, for valid credentials and for every kind of tampering and wrong key.
#[test]
fn fast_and_general_paths_give_the_same_verdict() {
    use hocba_schema::jcs::canonical_bytes;
    use hocba_schema::jcs::scan::scan_canonical;

    let cases = tampered_cases();
    let trust = verified_trust();
    let mut fast = 0;
    for (name, v) in &cases {
        let compact = bytes(v);
        let canonical = canonical_bytes(v).is_ok_and(|c| c == compact);
        assert_eq!(scan_canonical(&compact).is_some(), canonical, "{name}");
        fast += usize::from(canonical);
        let pretty = serde_json::to_vec_pretty(v).unwrap();
        assert!(scan_canonical(&pretty).is_none());
        for now in [NOW, datetime!(2026-06-03 00:00 UTC)] {
            let a = verify_credential(&compact, &trust, now).unwrap();
            let b = verify_credential(&pretty, &trust, now).unwrap();
            assert_same_verdict(&a, &b, name);
        }
    }
    // Most cases are canonical as serialised, so the fast path was taken for them.
    assert!(fast >= cases.len() - 6, "{fast} of {}", cases.len());
}

/// A trust list that has checked many signatures of a key keeps a table of it and checks the
/// key's signatures from the table (`verifier/src/proof/cache.rs`): every verdict must be the
/// one of a trust list that never saw the key, for valid credentials and every tampering.
#[test]
fn a_key_checked_from_its_table_gives_the_same_verdicts() {
    let warm = verified_trust();
    let valid = bytes(&valid_credential());
    for _ in 0..64 {
        assert!(verify_credential(&valid, &warm, NOW).unwrap().is_valid());
    }
    for (name, v) in &tampered_cases() {
        for input in [bytes(v), serde_json::to_vec_pretty(v).unwrap()] {
            let cold = verified_trust();
            let a = verify_credential(&input, &cold, NOW).unwrap();
            let b = verify_credential(&input, &warm, NOW).unwrap();
            assert_same_verdict(&a, &b, name);
        }
    }
}

fn assert_same_verdict(a: &Verdict, b: &Verdict, name: &str) {
    assert_eq!(
        serde_json::to_value(a).unwrap(),
        serde_json::to_value(b).unwrap(),
        "{name}"
    );
    assert_eq!(a.checks(), b.checks(), "{name}");
    assert_eq!(a.is_valid(), b.is_valid(), "{name}");
    match (a.verified(), b.verified()) {
        (Some(x), Some(y)) => {
            assert_eq!(x.document(), y.document(), "{name}");
            assert_eq!(x.secured().proof_options, y.secured().proof_options);
            assert_eq!(x.secured().signature, y.secured().signature);
            assert_eq!(x.id(), y.id());
            assert_eq!(x.school(), y.school());
            assert_eq!(x.clone().into_secured().unsecured, *y.document());
        }
        (None, None) => {}
        _ => panic!("{name}: only one verified"),
    }
}

/// The valid credential and, for each kind of tampering and wrong key, a credential with it.
fn tampered_cases() -> Vec<(String, Value)> {
    let mut cases: Vec<(String, Value)> = vec![("valid".into(), valid_credential())];
    for (pointer, value) in [
        ("/credentialSubject/subjects/1/score", json!(9)),
        ("/credentialSubject/subjects/1/score", json!(9.5)),
        (
            "/credentialSubject/student/fullName",
            json!("Nguyễn Thị Ánh"),
        ),
        (
            "/credentialSubject/student/fullName",
            json!("Nguye\u{302}\u{303}n"),
        ),
        ("/credentialSubject/school/code", json!("01000502")),
        ("/credentialSubject/school/code", json!(79000701)),
        ("/credentialSubject/school/code", json!(null)),
        (
            "/credentialSubject/school",
            json!({"code": "79000701", "name": null, "zone": [1, {"a": "b"}]}),
        ),
        ("/credentialSubject/school", json!("79000701")),
        (
            "/credentialSubject/student",
            json!({"dateOfBirth": "2009-07-08", "gender": "nu"}),
        ),
        ("/credentialSubject/student", json!(["Nguyễn Thị Ánh"])),
        ("/credentialSubject/grade", json!("5")),
        ("/credentialSubject/conduct", json!("a\n\"b\"\\\u{1}")),
        (
            "/credentialSubject/subjects/0/score",
            json!(9_007_199_254_740_992u64),
        ),
        (
            "/credentialSubject/subjects/0/score",
            json!(-9_007_199_254_740_991i64),
        ),
        ("/issuer/name", json!("Trường khác")),
        ("/issuer/id", json!(SCHOOL_B)),
        ("/issuer", json!(SCHOOL_A)),
        ("/validFrom", json!("2026-07-01T00:00:00Z")),
        ("/validFrom", json!("25/05/2026")),
        ("/type", json!(["VerifiableCredential"])),
        ("/@context/1", json!("https://example.org/other/v1")),
        ("/credentialStatus/statusListIndex", json!("4243")),
        ("/credentialStatus", json!(null)),
        ("/proof/type", json!("Ed25519Signature2020")),
        ("/proof/cryptosuite", json!("eddsa-rdfc-2022")),
        ("/proof/proofPurpose", json!("authentication")),
        ("/proof/created", json!("2026-05-25T08:00:01Z")),
        ("/proof/created", json!("2026-06-02T00:00:00Z")),
        ("/proof/created", json!("yesterday")),
        (
            "/proof/@context",
            json!(["https://www.w3.org/ns/credentials/v2"]),
        ),
        ("/proof/proofValue", json!("z3yq")),
        ("/proof/proofValue", json!(42)),
        (
            "/proof/verificationMethod",
            json!(vm(SCHOOL_B, &school_b_key())),
        ),
        (
            "/proof/verificationMethod",
            json!(vm(SCHOOL_A, &unregistered_key())),
        ),
        ("/proof", json!("none")),
        // Values the fast path builds without a parser, and their neighbours it leaves to
        // the parser: arrays that are not all plain strings, escapes, nested objects, numbers
        // that are not small non-negative integers, wrong types.
        ("/type", json!("VerifiableCredential")),
        (
            "/type",
            json!(["VerifiableCredential", "HocBa\"Credential"]),
        ),
        (
            "/type",
            json!(["VerifiableCredential", ["HocBaCredential"]]),
        ),
        (
            "/type",
            json!(["VerifiableCredential", 1, "HocBaCredential"]),
        ),
        ("/type", json!([])),
        (
            "/@context",
            json!({"a": "https://www.w3.org/ns/credentials/v2"}),
        ),
        ("/@context/1", json!("https://w3id.org/hocba/v1\t")),
        ("/issuer/name", json!("Trường \"A\"")),
        (
            "/issuer/extra",
            json!({"nested": {"deeper": [1, "x"]}, "e": {}}),
        ),
        ("/credentialStatus/statusListIndex", json!(4243)),
        ("/credentialStatus/statusListIndex", json!(["4243"])),
        ("/credentialStatus/extra", json!({"a": {"b": {}}})),
        ("/credentialSubject/grade", json!(-11)),
        ("/credentialSubject/grade", json!(11.5)),
        (
            "/credentialSubject/grade",
            json!(123_456_789_012_345_678u64),
        ),
        ("/credentialSubject/schoolYear", json!(["2025", "2026"])),
        ("/credentialSubject/className", json!({"name": "11A1"})),
        (
            "/credentialSubject/student/fullName",
            json!(["Nguyễn", "Ánh"]),
        ),
        ("/credentialSubject/student/fullName", json!({"vi": "Ánh"})),
        ("/credentialSubject/student/fullName", json!("Ánh\\\n")),
        ("/credentialSubject/school/code", json!("79000701\\")),
        ("/credentialSubject/school/code", json!(["79000701"])),
        ("/credentialSubject/school/code", json!({"v": "79000701"})),
        ("/proof/created", json!(["2026-05-25T08:00:00Z"])),
        ("/proof/created", json!({"at": "2026-05-25T08:00:00Z"})),
        ("/proof/expires", json!("2026-05-26T00:00:00Z")),
        ("/proof/expires", json!(1)),
    ] {
        let mut v = valid_credential();
        match v.pointer_mut(pointer) {
            Some(slot) => *slot = value.clone(),
            // A member added to an object.
            None => {
                let (parent, name) = pointer.rsplit_once('/').unwrap();
                v.pointer_mut(parent)
                    .unwrap()
                    .as_object_mut()
                    .unwrap()
                    .insert(name.into(), value.clone());
            }
        }
        cases.push((format!("{pointer} = {value}"), v));
    }
    let mut v = valid_credential();
    v.as_object_mut().unwrap().remove("proof");
    cases.push(("no proof".into(), v));
    let mut v = valid_credential();
    v["replaces"] = json!("urn:uuid:0");
    cases.push(("replaces added".into(), v));
    let mut v = valid_credential();
    let sig = malleate(&signature_of(&v));
    set_signature(&mut v, &sig);
    cases.push(("malleable twin".into(), v));
    for (name, key, controller) in [
        ("retired key", retired_key(), SCHOOL_A),
        ("compromised key", compromised_key(), SCHOOL_A),
        ("school B's key", school_b_key(), SCHOOL_B),
        ("unregistered key", unregistered_key(), SCHOOL_A),
    ] {
        let v = sign(
            unsigned(&school_a(), "79000701"),
            &key,
            &vm(controller, &key),
            &time_text(SIGNED_AT),
        );
        cases.push((name.into(), v));
    }
    for (name, edit) in [
        ("NFD signed as it is", json!("Nguye\u{302}\u{303}n")),
        (
            "big number signed as it is",
            json!(9_007_199_254_740_993u64),
        ),
        ("escapes signed", json!("tab\there \"quoted\" \\ \u{1f}")),
        (
            "high characters signed",
            json!({"\u{e000}": 1, "\u{1f600}": "😀", "z": 0.1}),
        ),
    ] {
        let v = signed_with(|d| {
            d["credentialSubject"]["note"] = edit;
        });
        cases.push((name.into(), v));
    }
    cases
}
