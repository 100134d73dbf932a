//! The proof of a status list follows the Data Integrity rules a credential's proof follows:
//! `created` is optional (without it, the key is judged at the time of checking), a proof past
//! its `expires` is not used, and a malformed `created` or `expires` is refused.

use ed25519_dalek::SigningKey;
use hocba_schema::credential::{IssuerRef, UnsignedCredential};
use hocba_schema::proof::proof_config;
use hocba_schema::status_list::{Bitstring, MIN_ENTRIES, StatusListCredential};
use hocba_verifier::{CheckName, Outcome, Reason, Verdict, VerifyOptions, verify_credential_with};
use serde_json::{Map, Value};
use time::macros::datetime;

use crate::status::{INDEX, LIST_URL, lists_of};
use crate::support::*;

/// School A's list with `revoked` set, valid 2026-05-31 .. 2026-06-14, signed by `key` (a key
/// of school A) with the proof options `edit` makes of the usual ones.
fn list_signed(
    key: &SigningKey,
    revoked: &[usize],
    edit: impl FnOnce(&mut Map<String, Value>),
) -> Value {
    let mut bits = Bitstring::new(MIN_ENTRIES);
    for &i in revoked {
        assert!(bits.set(i, true));
    }
    let issuer: IssuerRef = school_a();
    let list = StatusListCredential::revocation(
        LIST_URL,
        issuer,
        datetime!(2026-05-31 00:00 UTC),
        datetime!(2026-06-14 00:00 UTC),
        &bits,
    );
    let doc = UnsignedCredential::from_document(object(serde_json::to_value(&list).unwrap()))
        .unwrap()
        .into_document();
    let mut config = proof_config(&doc, &vm(SCHOOL_A, key), "2026-05-31T00:00:00Z");
    edit(&mut config);
    sign_with_config(doc, key, config)
}

fn verify(list: &Value) -> Verdict {
    verify_credential_with(
        &bytes(&valid_credential()),
        &verified_trust(),
        NOW,
        &VerifyOptions::default().with_status_lists(lists_of(list)),
    )
    .unwrap()
}

#[track_caller]
fn status_fails(list: &Value, reason: Reason) -> String {
    let verdict = verify(list);
    assert!(!verdict.is_valid(), "{verdict:#?}");
    let check = verdict.check(CheckName::Status).unwrap();
    assert_eq!(check.outcome, Outcome::Failed, "{verdict:#?}");
    assert_eq!(check.reason, Some(reason), "{verdict:#?}");
    format!("{check:?}")
}

#[test]
fn a_list_whose_proof_has_no_created_is_read_and_applied() {
    let clear = list_signed(&school_a_key(), &[], |c| {
        c.remove("created");
    });
    assert!(clear["proof"].get("created").is_none());
    let verdict = verify(&clear);
    assert!(verdict.is_valid(), "{verdict:#?}");
    assert_eq!(
        verdict.check(CheckName::Status).unwrap().outcome,
        Outcome::Passed
    );
    // Without `created` the list still says what it says: a set bit revokes.
    let revoked = list_signed(&school_a_key(), &[INDEX], |c| {
        c.remove("created");
    });
    status_fails(&revoked, Reason::Revoked);
    // The signature still covers the document without `created`.
    let mut tampered = clear.clone();
    tampered["validFrom"] = "2026-05-31T00:00:01Z".into();
    status_fails(&tampered, Reason::StatusListSignatureInvalid);
}

#[test]
fn without_created_a_lists_key_is_judged_at_the_time_of_checking() {
    // The retired key was valid until 2025-08-01: dated inside that window its list is
    // usable; undated, it could have been signed now, after the retirement.
    let dated = list_signed(&retired_key(), &[], |c| {
        c.insert("created".into(), "2025-07-01T00:00:00Z".into());
    });
    assert!(verify(&dated).is_valid());
    let undated = list_signed(&retired_key(), &[], |c| {
        c.remove("created");
    });
    let detail = status_fails(&undated, Reason::StatusListKeyNotValid);
    assert!(detail.contains("no proof.created"), "{detail}");
    let undated = list_signed(&compromised_key(), &[], |c| {
        c.remove("created");
    });
    status_fails(&undated, Reason::StatusListKeyNotValid);
}

#[test]
fn a_list_proof_past_its_expires_is_stale_and_before_it_is_used() {
    let expired = list_signed(&school_a_key(), &[], |c| {
        c.insert("expires".into(), "2026-05-31T12:00:00Z".into());
    });
    let detail = status_fails(&expired, Reason::StatusListStale);
    assert!(detail.contains("proof.expires"), "{detail}");
    let current = list_signed(&school_a_key(), &[], |c| {
        c.insert("expires".into(), "2026-06-02T00:00:00Z".into());
    });
    assert!(verify(&current).is_valid());
}

#[test]
fn a_malformed_created_or_expires_in_a_lists_proof_is_refused() {
    for (member, bad) in [
        ("created", Value::from("31/05/2026")),
        ("created", Value::from(20260531)),
        ("expires", Value::from("tomorrow")),
        ("expires", Value::from(true)),
    ] {
        let list = list_signed(&school_a_key(), &[], |c| {
            c.insert(member.into(), bad.clone());
        });
        let detail = status_fails(&list, Reason::StatusListSignatureInvalid);
        assert!(
            detail.contains(&format!("proof.{member}")),
            "{member} {bad}: {detail}"
        );
    }
    // A `created` more than five minutes after the time of checking is refused.
    let future = list_signed(&school_a_key(), &[], |c| {
        c.insert("created".into(), "2026-06-01T00:05:01Z".into());
    });
    let detail = status_fails(&future, Reason::StatusListSignatureInvalid);
    assert!(detail.contains("proof.created"), "{detail}");
}

/// A list is signed when it is fetched, often in the second after the verifier read its clock,
/// by a server whose clock may run a little ahead: a `created` up to five minutes after the
/// time of checking is that, not a forgery, and the list is applied (a set bit still revokes).
#[test]
fn a_list_signed_just_after_the_time_of_checking_is_applied() {
    for created in ["2026-06-01T00:00:01Z", "2026-06-01T00:05:00Z"] {
        let clear = list_signed(&school_a_key(), &[], |c| {
            c.insert("created".into(), created.into());
        });
        assert!(verify(&clear).is_valid(), "{created}");
        let revoked = list_signed(&school_a_key(), &[INDEX], |c| {
            c.insert("created".into(), created.into());
        });
        status_fails(&revoked, Reason::Revoked);
    }
}
