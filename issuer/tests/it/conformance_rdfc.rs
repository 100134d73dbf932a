//! `eddsa-rdfc-2022` in the conformance mode (feature `rdfc`): the W3C vc-di-eddsa test vector
//! (its canonical proof configuration, its signature reproduced and verified), what RDF
//! canonicalisation ignores (member order) and what it does not (a changed value, a wrong
//! key, an unknown context, an expired proof), and presentations signed as the W3C
//! vc-data-model-2.0 suite signs them, through `POST /presentations/verify` and
//! `POST /credentials/verify`. Without the feature, such proofs are refused, never passed.

#![allow(clippy::unwrap_used, missing_docs)]

use axum::http::StatusCode;
use hocba_issuer::conformance::rdfc::{self, canonical_nquads, sign_document, verify_proof_at};
use hocba_issuer::conformance::{Conformance, did_key};
use hocba_issuer::keys::KeyPair;
use hocba_schema::proof::SecuredDocument;
use serde_json::{Map, Value, json};

use crate::common::http::wall_clock as now;
use crate::conformance::{did_key_vm, post, service_issuing, unsecured, vector_key, verify};

fn vector() -> Value {
    serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-rdfc-2022/signed.json"
    ))
    .unwrap()
}

fn object(v: &Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn check(v: &Value, key: &KeyPair) -> Result<(), String> {
    let secured = SecuredDocument::from_value(v.clone()).map_err(|e| e.to_string())?;
    verify_proof_at(&secured, &key.verifying_key(), now())
}

#[test]
fn the_w3c_rdfc_vector_is_reproduced_and_verified() {
    if !rdfc::BUILT_IN {
        // Without the JSON-LD processor the proof is refused, saying how to build it in.
        let err = check(&vector(), &vector_key()).unwrap_err();
        assert!(err.contains("--features rdfc"), "{err}");
        return;
    }
    let v = vector();
    // The proof configuration's canonical N-Quads are the specification's, byte for byte.
    let mut config = object(&v["proof"]);
    config.remove("proofValue");
    config.insert("@context".into(), v["@context"].clone());
    assert_eq!(
        canonical_nquads(&config).unwrap(),
        include_str!("../../../schema/tests/vectors/w3c-eddsa-rdfc-2022/proof-canonical.nq")
    );
    // Signing the document again gives the specification's proofValue (Ed25519 is
    // deterministic), so the document's canonical form is the specification's too.
    let key = vector_key();
    let proof = &v["proof"];
    let signed = sign_document(
        &key,
        &unsecured(&v),
        proof["verificationMethod"].as_str().unwrap(),
        proof["created"].as_str().unwrap(),
        "assertionMethod",
        &Map::new(),
    )
    .unwrap();
    assert_eq!(signed["proof"]["proofValue"], proof["proofValue"]);
    assert_eq!(signed, v);
    check(&v, &key).unwrap();
}

/// Needs the JSON-LD processor (without it every rdfc proof is refused, which
/// `the_w3c_rdfc_vector_is_reproduced_and_verified` checks).
#[test]
#[cfg_attr(
    not(feature = "rdfc"),
    ignore = "needs the rdfc feature: cargo test -p hocba-issuer --features rdfc --test it conformance_rdfc"
)]
fn rdfc_proofs_refuse_what_changes_the_statements() {
    let key = vector_key();
    let v = vector();
    // The issuer as a node object with only an id is the same statement: the proof verifies.
    let mut reordered = v.clone();
    reordered["issuer"] = json!({"id": "https://vc.example/issuers/5678"});
    assert_ne!(reordered.to_string(), v.to_string());
    check(&reordered, &key).unwrap();

    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut out = v.clone();
        edit(&mut out);
        out
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "a changed subject",
            edited(&|v| v["credentialSubject"]["alumniOf"] = json!("Another School")),
            "signature_mismatch",
        ),
        (
            "a changed type",
            edited(&|v| v["type"] = json!(["VerifiableCredential"])),
            "signature_mismatch",
        ),
        (
            "a changed proof date",
            edited(&|v| v["proof"]["created"] = json!("2023-02-24T23:36:39Z")),
            "signature_mismatch",
        ),
        (
            "a context not known here",
            edited(&|v| v["@context"][1] = json!("https://example.org/unknown/v1")),
            "https://example.org/unknown/v1",
        ),
        (
            "another cryptosuite",
            edited(&|v| v["proof"]["cryptosuite"] = json!("ecdsa-rdfc-2019")),
            "proof.cryptosuite",
        ),
        (
            "an expired proof",
            edited(&|v| v["proof"]["expires"] = json!("2024-01-01T00:00:00Z")),
            "proof.expires",
        ),
        (
            "a malformed expiry",
            edited(&|v| v["proof"]["expires"] = json!("next year")),
            "proof.expires",
        ),
        (
            "a proof context that is not a prefix",
            edited(&|v| {
                v["proof"]["@context"] = json!(["https://www.w3.org/ns/credentials/examples/v2"])
            }),
            "proof.@context",
        ),
    ];
    for (what, doc, expected) in cases {
        let err = check(&doc, &key).unwrap_err();
        assert!(err.contains(expected), "{what}: {err}");
    }
    let err = check(&v, &KeyPair::from_seed(&[3; 32])).unwrap_err();
    assert!(err.contains("signature_mismatch"), "{err}");
}

#[tokio::test]
async fn presentations_signed_with_rdfc_as_the_w3c_suite_signs_them() {
    let app = Conformance::new(KeyPair::generate().unwrap(), "http://127.0.0.1:9").router();
    // A credential issued and signed elsewhere with eddsa-rdfc-2022 by a did:key.
    let issuer = KeyPair::from_seed(&[31; 32]);
    let mut credential = unsecured(&vector());
    credential.insert("issuer".into(), did_key(&issuer.verifying_key()).into());
    let vc = sign_document(
        &issuer,
        &credential,
        &did_key_vm(&issuer),
        "2025-01-01T00:00:00Z",
        "assertionMethod",
        &Map::new(),
    );
    if !rdfc::BUILT_IN {
        let err = vc.unwrap_err();
        assert!(err.contains("--features rdfc"), "{err}");
        return;
    }
    let vc = vc.unwrap();
    let answer = verify(&app, &vc).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["verified"], true);

    let holder = KeyPair::from_seed(&[32; 32]);
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": did_key(&holder.verifying_key()),
        "verifiableCredential": [vc],
    });
    let mut options = Map::new();
    options.insert("challenge".into(), "c-7".into());
    options.insert("domain".into(), "verifier.example".into());
    let present = |vp: &Value| {
        sign_document(
            &holder,
            &object(vp),
            &did_key_vm(&holder),
            "2025-01-01T00:00:00Z",
            "authentication",
            &options,
        )
        .unwrap()
    };
    let request = |vp: &Value| {
        json!({"verifiablePresentation": vp,
               "options": {"challenge": "c-7", "domain": "verifier.example"}})
    };
    let good = present(&vp);
    let answer = post(&app, "/presentations/verify", &request(&good)).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["verified"], true);

    // The presentation changed after signing, the credential in it changed before the
    // holder signed, another challenge: each refused, naming where.
    let mut tampered = good.clone();
    tampered["id"] = json!("urn:uuid:00000000-0000-4000-8000-000000000000");
    let answer = post(&app, "/presentations/verify", &request(&tampered)).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json()["verified"], false);
    assert!(
        answer.text().contains("proof: signature_mismatch"),
        "{}",
        answer.text()
    );

    let mut bad_vc = vp.clone();
    bad_vc["verifiableCredential"][0]["credentialSubject"]["alumniOf"] = json!("Elsewhere");
    let answer = post(&app, "/presentations/verify", &request(&present(&bad_vc))).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer
            .text()
            .contains("verifiableCredential[0].proof: signature_mismatch"),
        "{}",
        answer.text()
    );

    let other = post(
        &app,
        "/presentations/verify",
        &json!({"verifiablePresentation": good,
                "options": {"challenge": "c-8", "domain": "verifier.example"}}),
    )
    .await;
    assert_eq!(other.status, StatusCode::BAD_REQUEST);
    assert!(other.text().contains("proof.challenge"), "{}", other.text());
}

#[tokio::test]
async fn the_rdfc_issuer_signs_what_the_verifier_checks() {
    let (service, credential) = service_issuing(&vector());
    let did = service.did().to_owned();
    let manifest = hocba_issuer::conformance::manifest("http://127.0.0.1:9", &did);
    // The verifiers claim eddsa-rdfc-2022 when it is built in; the rdfc issuer is not listed.
    assert_eq!(
        manifest.contains("eddsa-rdfc-2022"),
        rdfc::BUILT_IN,
        "{manifest}"
    );
    assert!(!manifest.contains("/rdfc/credentials/issue"), "{manifest}");
    let app = service.router();
    let answer = post(
        &app,
        "/rdfc/credentials/issue",
        &json!({"credential": credential}),
    )
    .await;
    if !rdfc::BUILT_IN {
        assert_eq!(answer.status, StatusCode::BAD_REQUEST);
        assert!(
            answer.text().contains("--features rdfc"),
            "{}",
            answer.text()
        );
        return;
    }
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let vc = answer.json()["verifiableCredential"].clone();
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    assert_eq!(vc["proof"]["proofPurpose"], "assertionMethod");
    assert!(vc["proof"].get("@context").is_none());
    let answer = verify(&app, &vc).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    // A changed name after issuing.
    let mut tampered = vc.clone();
    tampered["name"] = json!("Another name");
    let answer = verify(&app, &tampered).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.text().contains("signature_mismatch"),
        "{}",
        answer.text()
    );
}
