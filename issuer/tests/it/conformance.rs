//! The conformance mode (`hocba-conformance`): the W3C eddsa-jcs-2022 test vector reproduced
//! and verified by its code, VC-API issue → verify → revoke → verify over its router, the
//! proof rules of the specification (`expires` past and malformed, `created` absent, the
//! `@context` prefix, a tampered document), loopback only, and the product verifier refusing
//! whatever a `did:key` signed.

#![allow(clippy::unwrap_used, missing_docs)]

use axum::Router;
use axum::body::Body;
use axum::http::{Method, StatusCode};
use hocba_issuer::conformance::{Conformance, did_key, sign_document};
use hocba_issuer::keys::KeyPair;
use hocba_schema::multibase::decode_base58btc;
use hocba_schema::proof::SecuredDocument;
use hocba_verifier::danger::dev_authority;
use hocba_verifier::{Reason, verify_credential, verify_proof_at};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use crate::common::http::{Answer, call, example, repo};

fn vector() -> Value {
    serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-jcs-2022/signed.json"
    ))
    .unwrap()
}

/// The vector's key pair (its published test secret: `0x8026` + the 32-byte seed).
fn vector_key() -> KeyPair {
    let key: Value = serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-jcs-2022/key.json"
    ))
    .unwrap();
    let bytes = decode_base58btc(
        "privateKeyMultibase",
        key["privateKeyMultibase"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(&bytes[..2], &[0x80, 0x26]);
    KeyPair::from_seed(&bytes[2..].try_into().unwrap())
}

#[allow(clippy::disallowed_methods)]
fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn unsecured(v: &Value) -> Map<String, Value> {
    let mut doc = v.as_object().unwrap().clone();
    doc.remove("proof");
    doc
}

async fn post(app: &Router, uri: &str, body: &Value) -> Answer {
    call(
        app,
        Method::POST,
        uri,
        None,
        &[("content-type", "application/json")],
        Body::from(body.to_string()),
    )
    .await
}

async fn verify(app: &Router, vc: &Value) -> Answer {
    post(
        app,
        "/credentials/verify",
        &json!({"verifiableCredential": vc}),
    )
    .await
}

/// The vector's document signed by the vector's key, named as its did:key, with `edit`
/// applied to the proof configuration.
fn signed_as_did_key(edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let key = vector_key();
    let did = did_key(&key.verifying_key());
    let vm = format!("{did}#{}", did.trim_start_matches("did:key:"));
    let mut doc = unsecured(&vector());
    doc.insert("issuer".into(), did.into());
    let mut secured = sign_document(&key, &doc, &vm, "2023-02-24T23:36:38Z").unwrap();
    let proof = secured["proof"].as_object_mut().unwrap();
    let mut config = proof.clone();
    config.remove("proofValue");
    edit(&mut config);
    // Re-sign with the edited configuration.
    let signature = {
        let hash = hocba_schema::proof::hash_data(&config, &doc).unwrap();
        key.sign(&hash)
    };
    let mut out = doc;
    hocba_schema::proof::attach_proof(&mut out, config, &signature);
    secured = Value::Object(out);
    secured
}

#[test]
fn the_w3c_vector_is_reproduced_and_verified_by_the_conformance_code() {
    let v = vector();
    let key = vector_key();
    let proof = &v["proof"];
    let signed = sign_document(
        &key,
        &unsecured(&v),
        proof["verificationMethod"].as_str().unwrap(),
        proof["created"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(signed["proof"]["proofValue"], proof["proofValue"]);
    assert_eq!(signed, v);
    let doc = SecuredDocument::from_value(v).unwrap();
    verify_proof_at(&doc, &key.verifying_key(), now()).unwrap();
}

#[tokio::test]
async fn proof_rules_through_the_verify_endpoint() {
    let app = Conformance::new(KeyPair::generate().unwrap(), "http://127.0.0.1:9").router();
    let good = signed_as_did_key(|_| {});
    let answer = verify(&app, &good).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["verified"], true);
    // A proof set of one.
    let mut set = good.clone();
    set["proof"] = json!([good["proof"].clone()]);
    assert_eq!(verify(&app, &set).await.status, StatusCode::OK);
    // Tampered.
    let mut tampered = good.clone();
    tampered["credentialSubject"]["alumniOf"] = json!("Another School");
    let answer = verify(&app, &tampered).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["verified"], false);
    assert!(
        answer.text().contains("signature_mismatch"),
        "{}",
        answer.text()
    );
    // `expires` in the past, malformed; in the future it verifies.
    for (expires, status, needle) in [
        (
            json!("2024-01-01T00:00:00Z"),
            StatusCode::BAD_REQUEST,
            "proof_expired",
        ),
        (json!("soon"), StatusCode::BAD_REQUEST, "malformed_proof"),
        (json!("2999-01-01T00:00:00Z"), StatusCode::OK, "true"),
    ] {
        let vc = signed_as_did_key(|c| {
            c.insert("expires".into(), expires.clone());
        });
        let answer = verify(&app, &vc).await;
        assert_eq!(answer.status, status, "{expires}: {}", answer.text());
        assert!(answer.text().contains(needle), "{}", answer.text());
    }
    // `created` absent: verifies; in the future: refused.
    let vc = signed_as_did_key(|c| {
        c.remove("created");
    });
    assert_eq!(verify(&app, &vc).await.status, StatusCode::OK);
    let vc = signed_as_did_key(|c| {
        c.insert("created".into(), json!("2999-01-01T00:00:00Z"));
    });
    assert!(
        verify(&app, &vc)
            .await
            .text()
            .contains("proof_created_in_future")
    );
    // A proof @context that is a strict prefix of the document's.
    let mut longer = good.clone();
    longer["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://example.org/extra/v1"));
    assert_eq!(verify(&app, &longer).await.status, StatusCode::OK);
    // A key that is not a did:key is not resolved.
    let answer = verify(&app, &vector()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.text().contains("did:key"));
}

#[tokio::test]
async fn issue_verify_revoke_and_the_product_refuses_did_key() {
    let service = Conformance::new(KeyPair::generate().unwrap(), "http://127.0.0.1:9");
    let did = service.did().to_owned();
    let app = service.router();
    let mut credential = unsecured(&vector());
    credential.insert("issuer".into(), json!(did));
    let answer = post(
        &app,
        "/credentials/issue",
        &json!({"credential": credential}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let vc = answer.json()["verifiableCredential"].clone();
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert!(
        vc["proof"]["verificationMethod"]
            .as_str()
            .unwrap()
            .starts_with("did:key:z6Mk")
    );
    assert_eq!(
        vc["credentialStatus"]["statusListCredential"],
        "http://127.0.0.1:9/status/1"
    );
    assert_eq!(verify(&app, &vc).await.status, StatusCode::OK);
    // The status list is served, signed by the same did:key, and verifies.
    let list = call(&app, Method::GET, "/status/1", None, &[], Body::empty()).await;
    assert_eq!(list.status, StatusCode::OK);
    let list = list.json();
    assert_eq!(list["type"][1], "BitstringStatusListCredential");
    assert_eq!(verify(&app, &list).await.status, StatusCode::OK);
    // Revoked: the verifier refuses.
    let revoke = post(
        &app,
        "/credentials/status",
        &json!({"credentialId": vc["id"], "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}]}),
    )
    .await;
    assert_eq!(revoke.status, StatusCode::OK, "{}", revoke.text());
    let answer = verify(&app, &vc).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.text().contains("revoked"));
    // Bad credentials are refused with the data model's rule.
    for (member, bad) in [
        ("@context", json!(["https://example.org"])),
        ("issuer", json!("https://elsewhere.example/1")),
        ("type", json!(["AlumniCredential"])),
    ] {
        let mut c = credential.clone();
        c.insert(member.into(), bad);
        let answer = post(&app, "/credentials/issue", &json!({"credential": c})).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{member}");
    }

    // The product's verifier never accepts a did:key: not this credential, and not a học bạ
    // record signed with a did:key either.
    let trust = dev_authority()
        .unwrap()
        .verify_trust_list(&std::fs::read(repo().join("keys/dev/trust-list.json")).unwrap())
        .unwrap();
    let verdict = verify_credential(vc.to_string().as_bytes(), &trust, now()).unwrap();
    assert!(!verdict.is_valid());
    assert!(verdict.verified().is_none());
    // Its signature is never even checked: no trusted key for a did:key.
    let integrity = verdict.check(hocba_verifier::CheckName::Integrity).unwrap();
    assert_eq!(
        integrity.reason,
        Some(Reason::NoTrustedKey),
        "{integrity:?}"
    );
    let key = KeyPair::generate().unwrap();
    let did = did_key(&key.verifying_key());
    let vm = format!("{did}#{}", did.trim_start_matches("did:key:"));
    let mut record = Map::new();
    record.insert(
        "@context".into(),
        json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://w3id.org/hocba/v1"
        ]),
    );
    record.insert(
        "id".into(),
        json!("urn:uuid:33333333-3333-4333-8333-333333333333"),
    );
    record.insert(
        "type".into(),
        json!(["VerifiableCredential", "HocBaCredential"]),
    );
    record.insert(
        "issuer".into(),
        json!({"id": "urn:hocba:school:25000731", "name": "Trường"}),
    );
    record.insert("validFrom".into(), json!("2026-01-01T00:00:00Z"));
    record.insert("credentialSubject".into(), example("primary-grade5.json"));
    let signed = sign_document(&key, &record, &vm, "2026-01-01T00:00:00Z").unwrap();
    let verdict = verify_credential(signed.to_string().as_bytes(), &trust, now()).unwrap();
    assert!(!verdict.is_valid());
    assert_eq!(verdict.reason(), Some(Reason::UnknownKey), "{verdict:?}");
}

#[test]
fn the_binary_binds_loopback_only() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hocba-conformance"))
        .args(["--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("loopback"), "{stderr}");
}
