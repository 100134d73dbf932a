//! The Data Integrity rules the W3C suites test, on học bạ credentials: `proof.expires` (past,
//! future, malformed), `proof.created` optional (and what signing time the key check then
//! uses), a proof `@context` that is a strict prefix of the document's (vc-di-eddsa §3.3.2),
//! and a proof set of one. Each case is checked on both reading paths (canonical bytes and
//! pretty-printed bytes) and must give the same verdict on both.

use ed25519_dalek::SigningKey;
use hocba_schema::jcs::canonical_bytes;
use hocba_schema::proof::{SecuredDocument, proof_config};
use hocba_verifier::{CheckName, Outcome, Reason, Verdict, verify_credential, verify_proof};
use serde_json::{Map, Value, json};

use crate::support::*;

/// The verdict on `v`, read from its canonical bytes and from pretty-printed bytes (the fast
/// and the general path), which must agree.
fn verdict(v: &Value) -> Verdict {
    let trust = verified_trust();
    let canonical = verify_credential(&canonical_bytes(v).unwrap(), &trust, NOW).unwrap();
    let pretty = verify_credential(&serde_json::to_vec_pretty(v).unwrap(), &trust, NOW).unwrap();
    assert_eq!(
        serde_json::to_value(&canonical).unwrap(),
        serde_json::to_value(&pretty).unwrap(),
        "the two reading paths disagree"
    );
    canonical
}

#[track_caller]
fn assert_fails(v: &Value, name: CheckName, reason: Reason) -> Verdict {
    let verdict = verdict(v);
    assert!(!verdict.is_valid());
    assert_eq!(verdict.reason(), Some(reason), "{verdict:?}");
    let check = verdict.check(name).unwrap();
    assert_eq!(check.outcome, Outcome::Failed, "{check:?}");
    assert_eq!(check.reason, Some(reason));
    verdict
}

#[track_caller]
fn assert_valid(v: &Value) -> Verdict {
    let verdict = verdict(v);
    assert!(
        verdict.is_valid(),
        "{}",
        serde_json::to_string_pretty(&verdict).unwrap()
    );
    verdict
}

/// School A's record signed with `key` under a proof configuration changed by `edit`.
fn signed_with(key: &SigningKey, edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let doc = unsigned(&school_a(), "79000701");
    let mut config = proof_config(&doc, &vm(SCHOOL_A, key), &time_text(SIGNED_AT));
    edit(&mut config);
    sign_with_config(doc, key, config)
}

#[test]
fn a_proof_past_its_expires_is_rejected() {
    // One second before the time of checking: expired.
    let v = signed_with(&school_a_key(), |c| {
        c.insert("expires".into(), "2026-05-31T23:59:59Z".into());
    });
    let verdict = assert_fails(&v, CheckName::ValidityPeriod, Reason::ProofExpired);
    let detail = verdict.check(CheckName::ValidityPeriod).unwrap();
    assert!(format!("{detail:?}").contains("2026-05-31T23:59:59Z"));
    // The signature itself is sound: only the time makes it fail.
    assert_eq!(
        verdict.check(CheckName::Integrity).unwrap().outcome,
        Outcome::Passed
    );
}

#[test]
fn a_proof_before_its_expires_verifies() {
    let v = signed_with(&school_a_key(), |c| {
        c.insert("expires".into(), "2030-01-01T00:00:00Z".into());
    });
    assert_valid(&v);
}

#[test]
fn a_malformed_expires_makes_the_proof_malformed() {
    for bad in [
        json!("next year"),
        json!("2030-01-01"),
        json!("2030-13-01T00:00:00Z"),
        json!(1893456000),
        json!(null),
    ] {
        let v = signed_with(&school_a_key(), |c| {
            c.insert("expires".into(), bad.clone());
        });
        let verdict = assert_fails(&v, CheckName::Integrity, Reason::MalformedProof);
        let detail = format!("{:?}", verdict.check(CheckName::Integrity).unwrap());
        assert!(detail.contains("proof.expires"), "{bad}: {detail}");
    }
}

#[test]
fn a_malformed_created_makes_the_proof_malformed() {
    for bad in [json!("yesterday"), json!(20260525), json!("2026-05-25")] {
        let v = signed_with(&school_a_key(), |c| {
            c.insert("created".into(), bad.clone());
        });
        let verdict = assert_fails(&v, CheckName::Integrity, Reason::MalformedProof);
        let detail = format!("{:?}", verdict.check(CheckName::Integrity).unwrap());
        assert!(detail.contains("proof.created"), "{bad}: {detail}");
    }
}

#[test]
fn a_proof_without_created_verifies_with_a_key_valid_now() {
    let v = signed_with(&school_a_key(), |c| {
        c.remove("created");
    });
    assert!(v["proof"].get("created").is_none());
    let verdict = assert_valid(&v);
    assert_eq!(verdict.subject().signed_at, None);
    // Changing the signed document still breaks it.
    let mut changed = v.clone();
    changed["credentialSubject"]["grade"] = json!(4);
    assert_fails(&changed, CheckName::Integrity, Reason::SignatureMismatch);
}

#[test]
fn without_created_the_key_is_judged_at_the_time_of_checking() {
    // The retired key was valid until 2025-08-01: with `created` inside that window the key
    // check passes, but without `created` the signing time could be now, after retirement.
    let dated = signed_with(&retired_key(), |c| {
        c.insert("created".into(), "2025-07-01T00:00:00Z".into());
    });
    assert_eq!(
        verdict(&dated)
            .check(CheckName::KeyValidity)
            .unwrap()
            .outcome,
        Outcome::Passed
    );
    let undated = signed_with(&retired_key(), |c| {
        c.remove("created");
    });
    let verdict = assert_fails(
        &undated,
        CheckName::KeyValidity,
        Reason::RetiredKeyAfterRetirement,
    );
    let detail = format!("{:?}", verdict.check(CheckName::KeyValidity).unwrap());
    assert!(detail.contains("no created"), "{detail}");
    // A compromised key stays refused either way.
    let undated = signed_with(&compromised_key(), |c| {
        c.remove("created");
    });
    assert_fails(&undated, CheckName::KeyValidity, Reason::CompromisedKey);
}

#[test]
fn a_proof_context_that_is_a_strict_prefix_is_hashed_in_place_of_the_documents() {
    let mut v = valid_credential();
    let mut context = v["@context"].as_array().unwrap().clone();
    context.push(json!("https://example.org/extra-context/v1"));
    v["@context"] = json!(context);
    assert_ne!(v["@context"], v["proof"]["@context"]);
    assert_valid(&v);
    // Any other change is still caught.
    let mut changed = v.clone();
    changed["validFrom"] = json!("2026-05-24T08:00:00Z");
    assert_fails(&changed, CheckName::Integrity, Reason::SignatureMismatch);
    // A document context that does not start with the proof's is refused.
    let mut swapped = valid_credential();
    let mut context = swapped["@context"].as_array().unwrap().clone();
    context.reverse();
    swapped["@context"] = json!(context);
    let verdict = verdict(&swapped);
    assert!(!verdict.is_valid());
    let integrity = verdict.check(CheckName::Integrity).unwrap();
    assert_eq!(integrity.reason, Some(Reason::ProofContextMismatch));
}

#[test]
fn a_proof_set_of_one_is_accepted_and_of_two_refused() {
    let mut v = valid_credential();
    v["proof"] = json!([v["proof"].clone()]);
    assert_valid(&v);
    let mut two = valid_credential();
    two["proof"] = json!([two["proof"].clone(), two["proof"].clone()]);
    let verdict = assert_fails(&two, CheckName::Integrity, Reason::MalformedProof);
    let detail = format!("{:?}", verdict.check(CheckName::Integrity).unwrap());
    assert!(detail.contains("set of 2"), "{detail}");
    let mut empty = valid_credential();
    empty["proof"] = json!([]);
    assert_fails(&empty, CheckName::Integrity, Reason::MalformedProof);
}

#[test]
fn the_w3c_vector_verifies_as_a_proof_set_of_one_and_with_an_appended_context() {
    let vector: Value = serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-jcs-2022/signed.json"
    ))
    .unwrap();
    let key_file: Value = serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-jcs-2022/key.json"
    ))
    .unwrap();
    let key =
        hocba_schema::multikey::decode_public_key(key_file["publicKeyMultibase"].as_str().unwrap())
            .unwrap();
    let mut set = vector.clone();
    set["proof"] = json!([vector["proof"].clone()]);
    verify_proof(&SecuredDocument::from_value(set).unwrap(), &key).unwrap();
    let mut longer = vector.clone();
    longer["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://example.org/extra-context/v1"));
    verify_proof(&SecuredDocument::from_value(longer).unwrap(), &key).unwrap();
}
