//! The trust list: only the pinned authority key vouches for it.

use ed25519_dalek::pkcs8::EncodePublicKey;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use hocba_schema::multikey::encode_public_key;
use hocba_schema::proof::proof_config;
use hocba_schema::trust_list::TRUST_LIST_TYPE;
use hocba_verifier::danger::{DEV_AUTHORITY_PUBLIC_PEM, dev_authority, dev_authority_key};
use hocba_verifier::{Reason, TrustedAuthority, VerifyError};
use serde_json::json;
use time::macros::datetime;

use crate::support::*;

#[track_caller]
fn rejected(bytes: &[u8]) -> Reason {
    match authority().verify_trust_list(bytes) {
        Err(VerifyError::TrustListRejected { reason, detail }) => {
            assert!(!detail.is_empty());
            reason
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn the_authority_signed_list_verifies_and_reports_its_dates() {
    let trust = verified_trust();
    assert_eq!(trust.version(), 3);
    assert_eq!(trust.valid_from(), datetime!(2026-05-01 00:00 UTC));
    assert_eq!(trust.valid_until(), datetime!(2026-06-30 00:00 UTC));
    assert_eq!(trust.authority().id, AUTHORITY_ID);
    assert_eq!(trust.school(SCHOOL_B).unwrap().code, "01000502");
    let (school, key) = trust.key(&vm(SCHOOL_A, &retired_key())).unwrap();
    assert_eq!(school.id, SCHOOL_A);
    assert_eq!(key.controller, SCHOOL_A);
    assert!(trust.key("urn:nobody#z6Mk").is_none());
    assert_eq!(trust.list().credential_subject.schools.len(), 2);
}

#[test]
fn a_changed_trust_list_is_rejected() {
    // Someone adds their own key to school A.
    let mut v = signed_trust_list();
    v["credentialSubject"]["schools"][0]["verificationMethods"][0]["publicKeyMultibase"] =
        encode_public_key(&unregistered_key().verifying_key()).into();
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListSignatureInvalid);
    // Or un-compromises a key.
    let mut v = signed_trust_list();
    v["credentialSubject"]["schools"][0]["verificationMethods"][2]["status"] = "active".into();
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListSignatureInvalid);
    // Or makes it last longer.
    let mut v = signed_trust_list();
    v["validUntil"] = "2036-06-30T00:00:00Z".into();
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListSignatureInvalid);
    // The malleable twin of the authority's signature.
    let mut v = signed_trust_list();
    let sig = malleate(&signature_of(&v));
    set_signature(&mut v, &sig);
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListSignatureInvalid);
}

#[test]
fn a_list_signed_by_another_key_is_rejected() {
    // Honestly names its own key.
    let other = unregistered_key();
    let v = signed_trust_list_with(&trust_list(), &other, &vm(AUTHORITY_ID, &other));
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListSignedByOtherKey);
    // Claims the authority's key.
    let v = signed_trust_list_with(&trust_list(), &other, &vm(AUTHORITY_ID, &authority_key()));
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListSignatureInvalid);
    // A school's genuine key cannot sign a trust list either.
    let v = signed_trust_list_with(
        &trust_list(),
        &school_a_key(),
        &vm(SCHOOL_A, &school_a_key()),
    );
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListSignedByOtherKey);
}

#[test]
fn unsigned_or_oddly_signed_lists_are_rejected() {
    let mut v = signed_trust_list();
    v.as_object_mut().unwrap().remove("proof");
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListUnsigned);
    let mut v = signed_trust_list();
    v["proof"]["proofValue"] = "zzz".into();
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListUnsigned);
    // A correct signature, but over another cryptosuite's configuration.
    let doc = object(serde_json::to_value(trust_list()).unwrap());
    let mut config = proof_config(
        &doc,
        &vm(AUTHORITY_ID, &authority_key()),
        "2026-05-01T00:00:00Z",
    );
    config.insert("cryptosuite".into(), "eddsa-rdfc-2022".into());
    let v = sign_with_config(doc, &authority_key(), config);
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListUnsigned);
}

#[test]
fn an_authority_signed_document_that_is_not_a_trust_list_is_rejected() {
    let mut doc = object(serde_json::to_value(trust_list()).unwrap());
    doc["type"] = json!(["VerifiableCredential", "BitstringStatusListCredential"]);
    let v = sign(
        doc,
        &authority_key(),
        &vm(AUTHORITY_ID, &authority_key()),
        "2026-05-01T00:00:00Z",
    );
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListMalformed);
    let mut doc = object(serde_json::to_value(trust_list()).unwrap());
    doc.remove("credentialSubject");
    let v = sign(
        doc,
        &authority_key(),
        &vm(AUTHORITY_ID, &authority_key()),
        "2026-05-01T00:00:00Z",
    );
    assert_eq!(rejected(&bytes(&v)), Reason::TrustListMalformed);
    assert!(TRUST_LIST_TYPE.starts_with("HocBa"));
}

#[test]
fn unreadable_lists_are_errors_not_rejections() {
    let a = authority();
    for input in [&b"nope"[..], b"", b"[1,2]", b"\"x\""] {
        let e = a.verify_trust_list(input).unwrap_err();
        assert!(e.trust_list_rejection().is_none(), "{e}");
    }
}

#[test]
fn authority_keys_are_read_from_pem_or_multibase() {
    let key = authority_key().verifying_key();
    let pem = key.to_public_key_pem(LineEnding::LF).unwrap();
    let multibase = encode_public_key(&key);
    let from_pem = TrustedAuthority::from_key_file_text(&pem).unwrap();
    assert_eq!(from_pem.key(), &key);
    assert_eq!(from_pem.public_key_multibase(), multibase);
    assert_eq!(
        TrustedAuthority::from_key_file_text(&format!("{multibase}\n")).unwrap(),
        from_pem
    );
    // A Multikey document, as in the W3C key.json.
    let doc = json!({"type": "Multikey", "publicKeyMultibase": multibase}).to_string();
    assert_eq!(
        TrustedAuthority::from_key_file_text(&doc).unwrap(),
        from_pem
    );

    let e = TrustedAuthority::from_key_file_text(
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n-----END PRIVATE KEY-----\n",
    )
    .unwrap_err();
    assert!(e.to_string().contains("private key"), "{e}");
    assert!(TrustedAuthority::from_key_file_text("hello").is_err());
    assert!(TrustedAuthority::from_key_file_text(&format!("{multibase} {multibase}")).is_err());
    // A credential mentions keys, but it is not a key file.
    let credential = serde_json::to_string(&valid_credential()).unwrap();
    assert!(TrustedAuthority::from_key_file_text(&credential).is_err());
    // The identity point: a weak key would vouch for anything.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = ed25519_dalek::VerifyingKey::from_bytes(&identity).unwrap();
    assert!(TrustedAuthority::new(weak).is_err());
}

#[test]
fn the_embedded_dev_authority_is_keys_dev_authority_pub_pem() {
    let on_disk = include_str!("../../../keys/dev/authority.pub.pem");
    assert_eq!(DEV_AUTHORITY_PUBLIC_PEM, on_disk);
    let dev = dev_authority().unwrap();
    assert_eq!(dev.key(), &dev_authority_key().unwrap());
    // The test authority is not the dev authority.
    assert_eq!(
        rejected_by(&dev, &bytes(&signed_trust_list())),
        Reason::TrustListSignedByOtherKey
    );
}

fn rejected_by(a: &TrustedAuthority, bytes: &[u8]) -> Reason {
    a.verify_trust_list(bytes)
        .unwrap_err()
        .trust_list_rejection()
        .unwrap()
        .0
}
