//! Bulk verification ([`verify_credentials_batch`]): the signatures of a batch are checked
//! together, yet every item's verdict is exactly the one it gets verified alone — for valid
//! credentials and for every way a signature or key can be wrong, including those a batch
//! equation would not see by itself (S + ℓ, small-order R, a non-canonical R, a weak key).

use ed25519_dalek::{Signer, VerifyingKey};
use hocba_schema::multikey::encode_public_key;
use hocba_schema::trust_list::{KeyStatus, TrustedKey};
use hocba_verifier::{
    CheckName, Outcome, Reason, VerifiedTrustList, VerifyError, VerifyOptions,
    verify_credential_with, verify_credentials_batch,
};
use serde_json::{Value, json};
use time::macros::datetime;

use crate::status::{lists_of, status_list};
use crate::support::*;

/// The identity point: a small-order (weak) public key.
const IDENTITY: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b
};

fn weak_vm() -> String {
    format!("{SCHOOL_A}#weak")
}

/// The test trust list with a small-order key added to school A.
fn trust_with_weak_key() -> VerifiedTrustList {
    let mut list = trust_list();
    let weak = VerifyingKey::from_bytes(&IDENTITY).unwrap();
    list.credential_subject.schools[0]
        .verification_methods
        .push(TrustedKey {
            id: weak_vm(),
            kind: "Multikey".into(),
            controller: SCHOOL_A.into(),
            public_key_multibase: encode_public_key(&weak),
            valid_from: datetime!(2025-08-01 00:00 UTC),
            valid_until: None,
            status: KeyStatus::Active,
        });
    let signed =
        signed_trust_list_with(&list, &authority_key(), &vm(AUTHORITY_ID, &authority_key()));
    authority().verify_trust_list(&bytes(&signed)).unwrap()
}

/// A valid credential of school A with status index `index` and a distinct id.
fn valid(index: u64) -> Value {
    let mut doc = unsigned(&school_a(), "79000701");
    doc["id"] = json!(format!("urn:uuid:00000000-0000-4000-8000-{index:012}"));
    doc["credentialStatus"]["statusListIndex"] = json!(index.to_string());
    sign(
        doc,
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
        &time_text(SIGNED_AT),
    )
}

fn with_signature(mut v: Value, sig: [u8; 64]) -> Value {
    set_signature(&mut v, &sig);
    v
}

/// Every item verified alone and in one batch: the same result, item by item.
fn assert_same(
    items: &[Vec<u8>],
    trust: &VerifiedTrustList,
    options: &VerifyOptions,
) -> Vec<Result<hocba_verifier::Verdict, VerifyError>> {
    let refs: Vec<&[u8]> = items.iter().map(Vec::as_slice).collect();
    let batch = verify_credentials_batch(&refs, trust, options, NOW);
    assert_eq!(batch.len(), items.len());
    for (i, (item, in_batch)) in items.iter().zip(&batch).enumerate() {
        let alone = verify_credential_with(item, trust, NOW, options);
        match (&alone, in_batch) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    serde_json::to_value(a).unwrap(),
                    serde_json::to_value(b).unwrap(),
                    "item {i}"
                );
                assert_eq!(a.checks(), b.checks(), "item {i}");
                assert_eq!(a.is_valid(), b.is_valid(), "item {i}");
                assert_eq!(
                    a.verified().map(|c| c.document().clone()),
                    b.verified().map(|c| c.document().clone()),
                    "item {i}"
                );
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "item {i}"),
            _ => panic!("item {i}: alone {alone:?}, in batch {in_batch:?}"),
        }
    }
    batch
}

fn integrity_reason(r: &Result<hocba_verifier::Verdict, VerifyError>) -> Option<Reason> {
    let check = r.as_ref().unwrap().check(CheckName::Integrity).unwrap();
    (check.outcome == Outcome::Failed)
        .then_some(check.reason)
        .flatten()
}

#[test]
fn a_mixed_batch_gets_the_verdicts_of_single_verification() {
    let trust = trust_with_weak_key();
    let revoked_index = 4243;
    let options = VerifyOptions::default().with_status_lists(lists_of(&status_list(&[4243])));
    let good = valid(10);
    let mut tampered = valid(11);
    tampered["credentialSubject"]["student"]["fullName"] = json!("Nguyễn Văn Khác");
    let wrong_key = {
        let mut doc = unsigned(&school_a(), "79000701");
        doc["credentialStatus"]["statusListIndex"] = json!("12");
        sign(
            doc,
            &unregistered_key(),
            &vm(SCHOOL_A, &school_a_key()),
            &time_text(SIGNED_AT),
        )
    };
    let malleable = {
        let v = valid(13);
        let sig = malleate(&signature_of(&v));
        with_signature(v, sig)
    };
    // R = the identity (small order), S = 0: refused by verify_strict.
    let mut small_r = [0u8; 64];
    small_r[..32].copy_from_slice(&IDENTITY);
    let small_order_r = with_signature(valid(14), small_r);
    // R with y = 2^255 − 1 ≥ p: not a canonical encoding.
    let mut high_r = signature_of(&valid(15));
    high_r[..32].copy_from_slice(&[0xff; 32]);
    high_r[31] = 0x7f;
    let non_canonical_r = with_signature(valid(15), high_r);
    // Signed with "the weak key": anything verifies under it for a non-strict verifier.
    let weak_key = {
        let mut doc = unsigned(&school_a(), "79000701");
        doc["credentialStatus"]["statusListIndex"] = json!("16");
        let v = sign(doc, &school_a_key(), &weak_vm(), &time_text(SIGNED_AT));
        with_signature(v, small_r)
    };
    let unknown_key = {
        let mut doc = unsigned(&school_a(), "79000701");
        doc["credentialStatus"]["statusListIndex"] = json!("17");
        sign(
            doc,
            &unregistered_key(),
            &vm(SCHOOL_A, &unregistered_key()),
            &time_text(SIGNED_AT),
        )
    };
    let revoked = valid(revoked_index);
    let compromised = {
        let mut doc = unsigned(&school_a(), "79000701");
        doc["credentialStatus"]["statusListIndex"] = json!("18");
        sign(
            doc,
            &compromised_key(),
            &vm(SCHOOL_A, &compromised_key()),
            &time_text(SIGNED_AT),
        )
    };
    // Revoked and with a bad signature: both reported.
    let mut revoked_tampered = valid(revoked_index);
    revoked_tampered["validUntil"] = json!("2030-01-01T00:00:00Z");
    let pretty_valid = serde_json::to_vec_pretty(&valid(19)).unwrap();

    let mut items: Vec<Vec<u8>> = vec![
        bytes(&good),
        bytes(&tampered),
        bytes(&wrong_key),
        bytes(&malleable),
        bytes(&small_order_r),
        bytes(&non_canonical_r),
        bytes(&weak_key),
        bytes(&unknown_key),
        bytes(&revoked),
        bytes(&compromised),
        bytes(&revoked_tampered),
        pretty_valid,
        b"not json".to_vec(),
        b"[1]".to_vec(),
    ];
    items.extend((20..30).map(|i| bytes(&valid(i))));
    let batch = assert_same(&items, &trust, &options);

    let reason = |i: usize| batch[i].as_ref().unwrap().reason();
    assert!(batch[0].as_ref().unwrap().is_valid());
    assert_eq!(reason(1), Some(Reason::SignatureMismatch));
    assert_eq!(reason(2), Some(Reason::SignatureMismatch));
    assert_eq!(
        integrity_reason(&batch[3]),
        Some(Reason::NonCanonicalSignature)
    );
    assert_eq!(integrity_reason(&batch[4]), Some(Reason::SignatureMismatch));
    assert_eq!(integrity_reason(&batch[5]), Some(Reason::SignatureMismatch));
    let weak = batch[6].as_ref().unwrap();
    assert!(!weak.is_valid());
    assert!(weak.checks().iter().any(|c| c.outcome == Outcome::Failed
        && matches!(c.reason, Some(Reason::WeakKey | Reason::InvalidTrustedKey))));
    assert_eq!(reason(7), Some(Reason::UnknownKey));
    assert_eq!(reason(8), Some(Reason::Revoked));
    assert_eq!(reason(9), Some(Reason::CompromisedKey));
    assert_eq!(
        integrity_reason(&batch[10]),
        Some(Reason::SignatureMismatch)
    );
    assert!(batch[11].as_ref().unwrap().is_valid());
    assert!(matches!(batch[12], Err(VerifyError::NotJson { .. })));
    assert!(matches!(batch[13], Err(VerifyError::NotAnObject { .. })));
    assert!(batch[14..].iter().all(|r| r.as_ref().unwrap().is_valid()));
}

/// One bad signature among 99 good ones: the batch fails, the fallback finds exactly that one.
#[test]
fn one_bad_signature_among_99_good_ones_is_found() {
    let trust = verified_trust();
    let options = VerifyOptions::default().with_status_lists(lists_of(&status_list(&[])));
    for bad in [0, 37, 99] {
        let items: Vec<Vec<u8>> = (0..100)
            .map(|i| {
                let mut v = valid(1_000 + i);
                if i == bad {
                    // A signature by the right key, over other bytes.
                    let other = school_a_key().sign(b"something else");
                    set_signature(&mut v, &other.to_bytes());
                }
                bytes(&v)
            })
            .collect();
        let batch = assert_same(&items, &trust, &options);
        for (i, r) in batch.iter().enumerate() {
            let v = r.as_ref().unwrap();
            assert_eq!(v.is_valid(), i as u64 != bad, "item {i}");
        }
        assert_eq!(
            integrity_reason(&batch[bad as usize]),
            Some(Reason::SignatureMismatch)
        );
    }
    // And all good: all valid, the verified record readable.
    let items: Vec<Vec<u8>> = (0..100).map(|i| bytes(&valid(2_000 + i))).collect();
    let batch = assert_same(&items, &trust, &options);
    for r in &batch {
        let c = r.as_ref().unwrap().verified().unwrap();
        assert_eq!(
            c.credential_subject().unwrap()["school"]["code"],
            "79000701"
        );
    }
}

/// Signatures that satisfy the batch equation but that `verify_strict` refuses, made with the
/// school's own private key: R the identity (small order) with S = k·a. Alone among good
/// signatures the batch would pass them; the checks before the batch keep them out.
#[test]
fn what_verify_strict_refuses_is_refused_even_when_the_batch_equation_holds() {
    use curve25519_dalek::Scalar;
    use hocba_schema::proof::SecuredDocument;
    use sha2::{Digest, Sha512};

    let trust = verified_trust();
    let options = VerifyOptions::default().with_status_lists(lists_of(&status_list(&[])));
    let key = school_a_key();
    let crafted = {
        let v = valid(50);
        let hash = SecuredDocument::from_value(v.clone())
            .unwrap()
            .hash_data()
            .unwrap();
        let mut h = Sha512::new();
        h.update(IDENTITY);
        h.update(key.verifying_key().as_bytes());
        h.update(hash);
        let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
        let s = k * key.to_scalar();
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&IDENTITY);
        sig[32..].copy_from_slice(s.as_bytes());
        // The batch equation alone accepts it.
        let signature = ed25519_dalek::Signature::from_bytes(&sig);
        assert!(
            ed25519_dalek::verify_batch(&[&hash[..]], &[signature], &[key.verifying_key()]).is_ok()
        );
        assert!(
            key.verifying_key()
                .verify_strict(&hash, &signature)
                .is_err()
        );
        with_signature(v, sig)
    };
    let items: Vec<Vec<u8>> = (0..5)
        .map(|i| bytes(&valid(60 + i)))
        .chain([bytes(&crafted)])
        .collect();
    let batch = assert_same(&items, &trust, &options);
    assert_eq!(integrity_reason(&batch[5]), Some(Reason::SignatureMismatch));
    assert!(batch[..5].iter().all(|r| r.as_ref().unwrap().is_valid()));
}
