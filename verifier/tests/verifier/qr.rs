//! The QR summary path: a summary signed with the fixtures' school keys verifies offline;
//! tampering, another school's key, a compromised or retired key, an unknown school, and a
//! credential that is not the one summarised are each caught; bad payloads are errors.

use ed25519_dalek::{Signer, SigningKey};
use hocba_schema::qr::summary::parse_urn_uuid;
use hocba_schema::qr::{Completion, LevelSummary, Summary, credential_sha256, digits, qr_text};
use hocba_schema::record::{Award, Promotion, Rating};
use hocba_verifier::{CheckName, Reason, VerifyError, check_binding, verify_summary};
use time::macros::{date, datetime};

use crate::support::*;

/// The summary of a credential (the fixtures' subject is not a full record, so the record
/// fields are the plain summary's; id and hash are the credential's).
pub fn summary_of(credential: &serde_json::Value, key: &SigningKey) -> Summary {
    let mut s = plain_summary(key);
    s.credential_id = parse_urn_uuid(credential["id"].as_str().unwrap()).unwrap();
    s.credential_sha256 = credential_sha256(credential).unwrap();
    s
}

fn plain_summary(key: &SigningKey) -> Summary {
    let mut hint = [0u8; 4];
    hint.copy_from_slice(&key.verifying_key().as_bytes()[..4]);
    Summary {
        credential_id: [7; 16],
        status_index: Some(4242),
        credential_sha256: [9; 32],
        key_hint: hint,
        signed_at: SIGNED_AT,
        school_code: "79000701".into(),
        school_year_start: 2025,
        grade: 11,
        class_name: "11A2".into(),
        pupil_name: "Nguyễn Thị Thu Hà".into(),
        date_of_birth: date!(2009 - 03 - 14),
        results: LevelSummary::Secondary {
            learning: Rating::T,
            conduct: Rating::T,
        },
        promotion: Promotion::Promoted.into(),
        award: Some(Award::Excellent),
        completion: Completion::NotStated,
        version: hocba_schema::qr::VERSION,
        record_date: None,
        other_awards: Vec::new(),
        replaces: None,
        summer: None,
    }
}

pub fn text(summary: Summary, key: &SigningKey) -> String {
    let signature = key.sign(&summary.signing_input().unwrap()).to_bytes();
    let signed = summary.with_signature(signature).unwrap();
    qr_text("https://verify.example", &signed).unwrap()
}

#[test]
fn a_signed_summary_verifies_offline() {
    let trust = verified_trust();
    let t = text(plain_summary(&school_a_key()), &school_a_key());
    assert!(t.starts_with("HTTPS://VERIFY.EXAMPLE/V/"));
    let v = verify_summary(&t, &trust, NOW).unwrap();
    assert!(v.is_valid(), "{:?}", v.checks());
    assert_eq!(v.info().pupil_name, "Nguyễn Thị Thu Hà");
    assert_eq!(v.info().school_year, "2025-2026");
    assert_eq!(v.info().date_of_birth, "2009-03-14");
    assert_eq!(v.school_name(), Some("Trường Tiểu học Lê Văn Tám"));
    assert!(v.verified().is_some());
    // Bytes: version 1, id 16, status 2, hash 32, hint 4, time 5, school 1+8, year 2,
    // grade 1, class 1+4, name 1+22, birth 3, results 3, promotion, award, completion 3,
    // (format 2:) no record date 1, no other awards 1, replaces none 1, signature 64.
    let bytes = v.signed_summary().to_bytes();
    assert_eq!(bytes.len(), 176);
    assert_eq!(digits::digit_len(173), 24 * 17 + 13);
    assert_eq!(
        t.len(),
        "HTTPS://VERIFY.EXAMPLE/V/".len() + digits::digit_len(176)
    );
}

#[test]
fn tampering_and_wrong_keys_are_caught() {
    let trust = verified_trust();
    // Another pupil name under the same signature.
    let good = plain_summary(&school_a_key());
    let signature = school_a_key()
        .sign(&good.signing_input().unwrap())
        .to_bytes();
    let mut altered = good.clone();
    altered.pupil_name = "Nguyễn Thị Thu Hằng".into();
    let forged = qr_text(
        "https://verify.example",
        &altered.with_signature(signature).unwrap(),
    )
    .unwrap();
    let v = verify_summary(&forged, &trust, NOW).unwrap();
    assert_eq!(v.reason(), Some(Reason::SignatureMismatch));
    assert!(v.verified().is_none());

    // A key nobody registered, claiming school A.
    let v = verify_summary(
        &text(plain_summary(&unregistered_key()), &unregistered_key()),
        &trust,
        NOW,
    )
    .unwrap();
    assert_eq!(v.reason(), Some(Reason::UnknownKey));

    // School B's key with school A's code and B's hint.
    let v = verify_summary(
        &text(plain_summary(&school_b_key()), &school_b_key()),
        &trust,
        NOW,
    )
    .unwrap();
    assert_eq!(v.reason(), Some(Reason::UnknownKey));

    // Compromised key of school A.
    let v = verify_summary(
        &text(plain_summary(&compromised_key()), &compromised_key()),
        &trust,
        NOW,
    )
    .unwrap();
    assert_eq!(v.reason(), Some(Reason::CompromisedKey));

    // Retired key: valid before its retirement, not after.
    let mut before = plain_summary(&retired_key());
    before.signed_at = datetime!(2025-03-01 00:00 UTC);
    assert!(
        verify_summary(&text(before, &retired_key()), &trust, NOW)
            .unwrap()
            .is_valid()
    );
    let v = verify_summary(
        &text(plain_summary(&retired_key()), &retired_key()),
        &trust,
        NOW,
    )
    .unwrap();
    assert_eq!(v.reason(), Some(Reason::RetiredKeyAfterRetirement));

    // A school that is not in the list.
    let mut unknown = plain_summary(&school_a_key());
    unknown.school_code = "99999999".into();
    let v = verify_summary(&text(unknown, &school_a_key()), &trust, NOW).unwrap();
    assert_eq!(v.reason(), Some(Reason::UntrustedIssuer));

    // Signed in the future.
    let mut future = plain_summary(&school_a_key());
    future.signed_at = datetime!(2027-01-01 00:00 UTC);
    let v = verify_summary(&text(future, &school_a_key()), &trust, NOW).unwrap();
    assert_eq!(v.reason(), Some(Reason::ProofCreatedInFuture));
    assert!(
        v.checks()
            .iter()
            .any(|c| c.name == CheckName::ValidityPeriod)
    );
}

#[test]
fn binding_to_the_full_credential() {
    let trust = verified_trust();
    let credential = valid_credential();
    let summary = summary_of(&credential, &school_a_key());
    let t = text(summary, &school_a_key());
    let v = verify_summary(&t, &trust, NOW).unwrap();
    assert!(v.is_valid(), "{:?}", v.checks());
    let summary = v.signed_summary().summary();
    // Pretty printing does not matter: the hash is over the JCS bytes.
    let pretty = serde_json::to_vec_pretty(&credential).unwrap();
    assert!(check_binding(summary, &pretty).unwrap().matches());
    let mut other = credential.clone();
    other["credentialSubject"]["className"] = "5B".into();
    let b = check_binding(summary, &bytes(&other)).unwrap();
    assert!(!b.hash_matches && b.id_matches);
    assert!(matches!(
        check_binding(summary, b"not json"),
        Err(VerifyError::NotJson { .. })
    ));
}

#[test]
fn bad_payloads_are_errors_not_panics() {
    let trust = verified_trust();
    let t = text(plain_summary(&school_a_key()), &school_a_key());
    for cut in 1..40 {
        assert!(verify_summary(&t[..t.len() - cut], &trust, NOW).is_err());
    }
    let long = format!("{t}{}", "0".repeat(3000));
    assert!(matches!(
        verify_summary(&long, &trust, NOW),
        Err(VerifyError::QrPayload(
            hocba_schema::qr::QrError::TooLong { .. }
        ))
    ));
    // Every single-digit corruption: an error or a not-valid verdict.
    let start = t.len() - digits::digit_len(173);
    for i in (start..t.len()).step_by(7) {
        let mut b = t.clone().into_bytes();
        b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
        let corrupted = String::from_utf8(b).unwrap();
        if let Ok(v) = verify_summary(&corrupted, &trust, NOW) {
            assert!(!v.is_valid(), "corruption at {i} accepted");
        }
    }
}
