//! A valid credential, and every kind of tampering, each with its own reason code.

use hocba_schema::proof::proof_config;
use hocba_verifier::{
    CheckName, MAX_CREDENTIAL_BYTES, Outcome, Reason, VerdictResult, VerifyError, VerifyOptions,
    verify_credential, verify_credential_with, verify_json,
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

#[test]
fn changed_content_breaks_the_signature() {
    let cases: &[(&str, Value)] = &[
        ("/credentialSubject/subjects/1/score", json!(9)),
        (
            "/credentialSubject/student/fullName",
            json!("Nguyễn Thị Ánh Tuyết "),
        ),
        (
            "/credentialSubject/student/dateOfBirth",
            json!("2015-03-03"),
        ),
        ("/credentialSubject/school/name", json!("Trường khác")),
        ("/credentialSubject/className", json!("5B")),
        ("/credentialSubject/conduct", json!("Hoàn thành tốt")),
        ("/issuer/name", json!("Trường Tiểu học Lê Văn Tám 2")),
        ("/validFrom", json!("2026-05-24T08:00:00Z")),
        (
            "/id",
            json!("urn:uuid:22222222-2222-4222-8222-222222222223"),
        ),
        ("/credentialStatus/statusListIndex", json!("4243")),
        ("/type/1", json!("HocBaCredential")), // same value: a control, must stay valid
    ];
    for (pointer, value) in cases {
        let mut v = valid_credential();
        let same = v.pointer(pointer) == Some(value);
        *v.pointer_mut(pointer).unwrap() = value.clone();
        if same {
            assert!(check(&v).is_valid(), "{pointer}");
        } else {
            assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
        }
    }
    // A field added or removed.
    let mut v = valid_credential();
    v["credentialSubject"]["note"] = json!("thêm");
    assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
    let mut v = valid_credential();
    v.as_object_mut().unwrap().remove("credentialStatus");
    assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
}

#[test]
fn changed_school_code_breaks_the_signature_and_the_issuer_check() {
    let mut v = valid_credential();
    v["credentialSubject"]["school"]["code"] = json!("01000502");
    let verdict = assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
    assert_eq!(
        verdict.check(CheckName::Issuer).unwrap().reason,
        Some(Reason::SchoolCodeMismatch)
    );
}

#[test]
fn changed_context_is_named() {
    let mut v = valid_credential();
    v["@context"][1] = json!("https://example.org/other/v1");
    let verdict = assert_invalid(&v, CheckName::Integrity, Reason::ProofContextMismatch);
    assert_eq!(
        verdict.check(CheckName::Format).unwrap().reason,
        Some(Reason::WrongContext)
    );
    // An extra context after the signed ones keeps the prefix but changes the content.
    let mut v = valid_credential();
    v["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://example.org/x"));
    assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
}

#[test]
fn each_proof_field_is_checked() {
    let cases: &[(&str, Value, Reason)] = &[
        (
            "/proof/type",
            json!("Ed25519Signature2020"),
            Reason::WrongProofType,
        ),
        (
            "/proof/cryptosuite",
            json!("eddsa-rdfc-2022"),
            Reason::WrongCryptosuite,
        ),
        (
            "/proof/proofPurpose",
            json!("authentication"),
            Reason::WrongProofPurpose,
        ),
        (
            "/proof/created",
            json!("2026-05-25T08:00:01Z"),
            Reason::SignatureMismatch,
        ),
        ("/proof/created", json!("yesterday"), Reason::MalformedProof),
        (
            "/proof/@context",
            json!(["https://www.w3.org/ns/credentials/v2"]),
            Reason::SignatureMismatch,
        ),
        (
            "/proof/@context/1",
            json!("https://example.org/x"),
            Reason::ProofContextMismatch,
        ),
        ("/proof/proofValue", json!("z3yq"), Reason::MalformedProof),
        ("/proof/proofValue", json!(42), Reason::MalformedProof),
        (
            "/proof/verificationMethod",
            json!(7),
            Reason::MalformedProof,
        ),
    ];
    for (pointer, value, reason) in cases {
        let mut v = valid_credential();
        *v.pointer_mut(pointer).unwrap() = value.clone();
        assert_invalid(&v, CheckName::Integrity, *reason);
    }
    // The verification method swapped for another registered key of the same school.
    let mut v = valid_credential();
    v["proof"]["verificationMethod"] = vm(SCHOOL_A, &retired_key()).into();
    assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
    // One byte of the signature.
    let mut v = valid_credential();
    let mut sig = signature_of(&v);
    sig[5] ^= 1;
    set_signature(&mut v, &sig);
    assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
    // A proof option added, or the proof removed.
    let mut v = valid_credential();
    v["proof"]["nonce"] = json!("abc");
    assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
    let mut v = valid_credential();
    v.as_object_mut().unwrap().remove("proof");
    assert_invalid(&v, CheckName::Integrity, Reason::NotSigned);
    let mut v = valid_credential();
    v["proof"] = json!([v["proof"].clone()]);
    assert_invalid(&v, CheckName::Integrity, Reason::MalformedProof);
}

#[test]
fn the_malleable_twin_of_a_signature_is_refused() {
    let mut v = valid_credential();
    let sig = malleate(&signature_of(&v));
    set_signature(&mut v, &sig);
    assert_invalid(&v, CheckName::Integrity, Reason::NonCanonicalSignature);
}

#[test]
fn a_properly_signed_other_cryptosuite_is_refused() {
    let doc = unsigned(&school_a(), "79000701");
    let mut config = proof_config(&doc, &vm(SCHOOL_A, &school_a_key()), &time_text(SIGNED_AT));
    config.insert("cryptosuite".into(), "eddsa-rdfc-2022".into());
    let v = sign_with_config(doc, &school_a_key(), config);
    assert_invalid(&v, CheckName::Integrity, Reason::WrongCryptosuite);
}

#[test]
fn text_that_is_not_nfc_is_named_even_when_signed() {
    let mut doc = unsigned(&school_a(), "79000701");
    // "Nguyễn" decomposed (NFD), signed as it is by a careless issuer.
    doc["credentialSubject"]["student"]["fullName"] = json!("Nguye\u{302}\u{303}n Văn An");
    let v = sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    );
    let verdict = assert_invalid(&v, CheckName::Format, Reason::NotNfc);
    let detail = verdict
        .check(CheckName::Format)
        .unwrap()
        .detail
        .clone()
        .unwrap();
    assert!(
        detail.contains("/credentialSubject/student/fullName"),
        "{detail}"
    );
    assert_eq!(
        verdict.check(CheckName::Integrity).unwrap().outcome,
        Outcome::Passed
    );
}

#[test]
fn numbers_beyond_2_pow_53_are_named_even_when_signed() {
    let mut doc = unsigned(&school_a(), "79000701");
    doc["credentialSubject"]["subjects"][0]["score"] = json!(9_007_199_254_740_992u64);
    let v = sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    );
    let verdict = assert_invalid(&v, CheckName::Format, Reason::NumberOutOfRange);
    let detail = verdict
        .check(CheckName::Format)
        .unwrap()
        .detail
        .clone()
        .unwrap();
    assert!(
        detail.contains("/credentialSubject/subjects/0/score"),
        "{detail}"
    );
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
fn envelope_problems_are_format_failures() {
    let v = signed_with(|d| {
        d.insert("type".into(), json!(["VerifiableCredential"]));
    });
    assert_invalid(&v, CheckName::Format, Reason::WrongType);
    let v = signed_with(|d| {
        d.insert(
            "@context".into(),
            json!([
                "https://www.w3.org/ns/credentials/v2",
                "https://example.org/other/v1"
            ]),
        );
    });
    assert_invalid(&v, CheckName::Format, Reason::WrongContext);
    let v = signed_with(|d| {
        d.remove("validFrom");
    });
    assert_invalid(&v, CheckName::Format, Reason::MalformedEnvelope);
    let v = signed_with(|d| {
        d.insert("validFrom".into(), json!("25/05/2026"));
    });
    assert_invalid(&v, CheckName::Format, Reason::MalformedEnvelope);
    let v = signed_with(|d| {
        d.insert("issuer".into(), json!(SCHOOL_A));
    });
    let verdict = assert_invalid(&v, CheckName::Format, Reason::MalformedEnvelope);
    assert_eq!(
        verdict.check(CheckName::Issuer).unwrap().outcome,
        Outcome::NotChecked
    );
}

#[test]
fn validity_period_is_judged_at_now() {
    // validFrom after now.
    let v = signed_with(|d| {
        d.insert("validFrom".into(), json!("2026-07-01T00:00:00Z"));
    });
    assert_invalid(&v, CheckName::ValidityPeriod, Reason::NotYetValid);
    // validUntil before now.
    let v = signed_with(|d| {
        d.insert("validUntil".into(), json!("2026-05-31T00:00:00Z"));
    });
    assert_invalid(&v, CheckName::ValidityPeriod, Reason::Expired);
    // …but valid while within it.
    let v = signed_with(|d| {
        d.insert("validUntil".into(), json!("2031-05-31T00:00:00Z"));
    });
    assert!(check(&v).is_valid());
    // A proof dated after now.
    let v = sign(
        unsigned(&school_a(), "79000701"),
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        "2026-06-02T00:00:00Z",
    );
    assert_invalid(&v, CheckName::ValidityPeriod, Reason::ProofCreatedInFuture);
    // The same credential is valid judged later: `now` is a parameter.
    let later = verify_credential(
        &bytes(&v),
        &verified_trust(),
        datetime!(2026-06-03 00:00 UTC),
    )
    .unwrap();
    assert!(later.is_valid(), "{later:#?}");
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

#[test]
fn input_that_cannot_be_checked_is_an_error_not_a_verdict() {
    let trust = verified_trust();
    let e = verify_credential(b"not json", &trust, NOW).unwrap_err();
    assert!(
        matches!(
            e,
            VerifyError::NotJson {
                what: "credential",
                line: 1,
                ..
            }
        ),
        "{e}"
    );
    let e = verify_credential(b"[]", &trust, NOW).unwrap_err();
    assert_eq!(
        e,
        VerifyError::NotAnObject {
            what: "credential",
            found: "array"
        }
    );
    let big = vec![b' '; MAX_CREDENTIAL_BYTES + 1];
    let e = verify_credential(&big, &trust, NOW).unwrap_err();
    assert!(matches!(e, VerifyError::TooLarge { size, .. } if size == MAX_CREDENTIAL_BYTES + 1));
    assert!(e.to_string().contains("limit"), "{e}");
    // A member twice: two parsers could read two different records from it.
    let text = String::from_utf8(bytes(&valid_credential())).unwrap();
    let twice = text.replacen("{", "{\"id\":\"urn:uuid:x\",", 1);
    let e = verify_credential(twice.as_bytes(), &trust, NOW).unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
    // Deep nesting.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(verify_credential(deep.as_bytes(), &trust, NOW).is_err());
}

/// Credentials written as their own canonical (JCS) bytes are verified on the fast path (hashed
/// where they lie, only the checked members parsed); the same credentials pretty-printed take
/// the general path. Both must give the same verdict, check by check, and the same verified
/// document, for valid credentials and for every kind of tampering and wrong key.
#[test]
fn fast_and_general_paths_give_the_same_verdict() {
    use hocba_schema::jcs::canonical_bytes;
    use hocba_schema::jcs::scan::scan_canonical;

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
    ] {
        let mut v = valid_credential();
        *v.pointer_mut(pointer).unwrap() = value.clone();
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
            assert_eq!(
                serde_json::to_value(&a).unwrap(),
                serde_json::to_value(&b).unwrap(),
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
                _ => panic!("{name}: only one path verified"),
            }
        }
    }
    // Most cases are canonical as serialised, so the fast path was taken for them.
    assert!(fast >= cases.len() - 6, "{fast} of {}", cases.len());
}
