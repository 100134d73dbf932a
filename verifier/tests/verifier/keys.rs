//! Which key signed: unknown, another school's, wrong, retired before / after retirement,
//! compromised, not yet valid.

use ed25519_dalek::SigningKey;
use hocba_schema::credential::IssuerRef;
use hocba_verifier::{CheckName, Outcome, Reason};
use serde_json::Value;

use crate::support::*;

fn signed(issuer: &IssuerRef, code: &str, key: &SigningKey, vm: &str, created: &str) -> Value {
    sign(unsigned(issuer, code), key, vm, created)
}

#[test]
fn signed_by_a_key_nobody_registered() {
    let k = unregistered_key();
    let v = signed(
        &school_a(),
        "79000701",
        &k,
        &vm(SCHOOL_A, &k),
        "2026-05-25T08:00:00Z",
    );
    let verdict = assert_invalid(&v, CheckName::Issuer, Reason::UnknownKey);
    let integrity = verdict.check(CheckName::Integrity).unwrap();
    assert_eq!(integrity.outcome, Outcome::NotChecked);
    assert_eq!(integrity.reason, Some(Reason::NoTrustedKey));
}

#[test]
fn signed_by_a_school_nobody_registered() {
    let k = unregistered_key();
    let issuer = IssuerRef {
        id: "urn:hocba:school:99999999".into(),
        name: "Trường Ma".into(),
    };
    let v = signed(
        &issuer,
        "99999999",
        &k,
        &vm(&issuer.id, &k),
        "2026-05-25T08:00:00Z",
    );
    assert_invalid(&v, CheckName::Issuer, Reason::UntrustedIssuer);
}

#[test]
fn signed_with_another_key_than_the_one_named() {
    // Claims school A's active key, signed with an unregistered one.
    let v = signed(
        &school_a(),
        "79000701",
        &unregistered_key(),
        &vm(SCHOOL_A, &school_a_key()),
        "2026-05-25T08:00:00Z",
    );
    assert_invalid(&v, CheckName::Integrity, Reason::SignatureMismatch);
}

#[test]
fn signed_by_another_schools_key() {
    // School B's genuine key signs a record that says school A issued it.
    let b = school_b_key();
    let v = signed(
        &school_a(),
        "79000701",
        &b,
        &vm(SCHOOL_B, &b),
        "2026-05-25T08:00:00Z",
    );
    let verdict = assert_invalid(&v, CheckName::Issuer, Reason::KeyOfAnotherSchool);
    assert_eq!(
        verdict.check(CheckName::Integrity).unwrap().outcome,
        Outcome::Passed
    );
    // School B's key named under school A's id is simply not in the list.
    let v = signed(
        &school_a(),
        "79000701",
        &b,
        &vm(SCHOOL_A, &b),
        "2026-05-25T08:00:00Z",
    );
    assert_invalid(&v, CheckName::Issuer, Reason::UnknownKey);
}

#[test]
fn the_record_names_another_school_code() {
    let a = school_a_key();
    let v = signed(
        &school_a(),
        "01000502",
        &a,
        &vm(SCHOOL_A, &a),
        "2026-05-25T08:00:00Z",
    );
    assert_invalid(&v, CheckName::Issuer, Reason::SchoolCodeMismatch);
    // A record with no school code at all.
    let mut doc = unsigned(&school_a(), "79000701");
    doc["credentialSubject"]["school"]
        .as_object_mut()
        .unwrap()
        .remove("code");
    let v = sign(doc, &a, &vm(SCHOOL_A, &a), "2026-05-25T08:00:00Z");
    assert_invalid(&v, CheckName::Issuer, Reason::SchoolCodeMismatch);
}

#[test]
fn a_retired_key_counts_only_before_its_retirement() {
    // Retired key: valid 2024-08-01 .. 2025-08-01.
    let r = retired_key();
    let mut doc = unsigned(&school_a(), "79000701");
    doc["validFrom"] = "2025-06-01T00:00:00Z".into();
    let before = sign(doc.clone(), &r, &vm(SCHOOL_A, &r), "2025-06-01T00:00:00Z");
    let verdict = check(&before);
    assert!(verdict.is_valid(), "{verdict:#?}");
    let kv = verdict.check(CheckName::KeyValidity).unwrap();
    assert!(kv.detail.as_deref().unwrap().contains("retired"), "{kv:?}");

    let mut doc = unsigned(&school_a(), "79000701");
    doc["validFrom"] = "2025-09-01T00:00:00Z".into();
    let after = sign(doc, &r, &vm(SCHOOL_A, &r), "2025-09-01T00:00:00Z");
    assert_invalid(
        &after,
        CheckName::KeyValidity,
        Reason::RetiredKeyAfterRetirement,
    );
    // Exactly at the retirement instant is after.
    let at = sign(
        unsigned(&school_a(), "79000701"),
        &r,
        &vm(SCHOOL_A, &r),
        "2025-08-01T00:00:00Z",
    );
    assert_invalid(
        &at,
        CheckName::KeyValidity,
        Reason::RetiredKeyAfterRetirement,
    );
}

#[test]
fn a_compromised_key_invalidates_everything_it_signed() {
    let c = compromised_key();
    let v = signed(
        &school_a(),
        "79000701",
        &c,
        &vm(SCHOOL_A, &c),
        "2025-06-01T00:00:00Z",
    );
    let verdict = assert_invalid(&v, CheckName::KeyValidity, Reason::CompromisedKey);
    // The signature itself is fine: it is the key that cannot be trusted.
    assert_eq!(
        verdict.check(CheckName::Integrity).unwrap().outcome,
        Outcome::Passed
    );
    assert!(verdict.message().en.contains("compromised"));
    assert!(verdict.message().vi.contains("bị lộ"));
}

#[test]
fn signed_before_the_key_was_valid() {
    // School A's active key is valid from 2025-08-01.
    let a = school_a_key();
    let v = signed(
        &school_a(),
        "79000701",
        &a,
        &vm(SCHOOL_A, &a),
        "2025-07-01T00:00:00Z",
    );
    assert_invalid(&v, CheckName::KeyValidity, Reason::SignedBeforeKeyValid);
}
