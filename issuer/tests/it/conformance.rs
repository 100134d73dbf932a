//! The conformance mode (`hocba-conformance`): the W3C eddsa-jcs-2022 test vector reproduced
//! and verified by its code, VC-API issue → verify → revoke → verify over its router, the
//! proof rules of the specification (`expires` past and malformed, `created` absent, the
//! `@context` prefix, a tampered document), loopback only, and the product verifier refusing
//! whatever a `did:key` signed. Presentations through `POST /presentations/verify` (the data
//! model's rules, the holder's proof, each credential's proof); undefined terms and
//! `relatedResource` digests at issue.
//!
//! The helpers marked `pub(crate)` (the specification's key, requests to the router, a
//! did:key's verification method) serve `conformance_rdfc` too.

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

use crate::common::http::{Answer, call, example, repo, wall_clock as now};

fn vector() -> Value {
    serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-jcs-2022/signed.json"
    ))
    .unwrap()
}

/// The vector's key pair (its published test secret: `0x8026` + the 32-byte seed; the same
/// for both eddsa vectors).
pub(crate) fn vector_key() -> KeyPair {
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

/// `v` without its proof.
pub(crate) fn unsecured(v: &Value) -> Map<String, Value> {
    let mut doc = v.as_object().unwrap().clone();
    doc.remove("proof");
    doc
}

/// `POST uri` with `body` as JSON.
pub(crate) async fn post(app: &Router, uri: &str, body: &Value) -> Answer {
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

/// `POST /credentials/verify` of `vc`.
pub(crate) async fn verify(app: &Router, vc: &Value) -> Answer {
    post(
        app,
        "/credentials/verify",
        &json!({"verifiableCredential": vc}),
    )
    .await
}

/// The verification method of `key`'s did:key (`did:key:z…#z…`).
pub(crate) fn did_key_vm(key: &KeyPair) -> String {
    let did = did_key(&key.verifying_key());
    format!("{did}#{}", did.trim_start_matches("did:key:"))
}

/// A conformance service with a key of its own (status lists under `http://127.0.0.1:9`),
/// and `doc` without its proof, named as issued by the service's did:key.
pub(crate) fn service_issuing(doc: &Value) -> (Conformance, Map<String, Value>) {
    let service = Conformance::new(KeyPair::generate().unwrap(), "http://127.0.0.1:9");
    let mut credential = unsecured(doc);
    credential.insert("issuer".into(), service.did().into());
    (service, credential)
}

/// `POST /credentials/issue` of `credential` by `app`: the credential it issued, after
/// checking the answer is `201 Created`.
async fn issued(app: &Router, credential: &Map<String, Value>) -> Value {
    let answer = post(
        app,
        "/credentials/issue",
        &json!({"credential": credential}),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    answer.json()["verifiableCredential"].clone()
}

/// `answer` is `400 Bad Request` and its first error's message contains `expected`.
#[track_caller]
fn assert_refused(answer: &Answer, case: &str, expected: &str) {
    assert_eq!(
        answer.status,
        StatusCode::BAD_REQUEST,
        "{case}: {}",
        answer.text()
    );
    let body = answer.json();
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(expected), "{case}: {body}");
}

/// The vector's document signed by the vector's key, named as its did:key, with `edit`
/// applied to the proof configuration.
fn signed_as_did_key(edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let key = vector_key();
    let vm = did_key_vm(&key);
    let mut doc = unsecured(&vector());
    doc.insert("issuer".into(), did_key(&key.verifying_key()).into());
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
    // A proof @context that is a strict prefix of the document's (an inline context appended:
    // a context URL not held here is refused, its terms being unknown).
    let mut longer = good.clone();
    longer["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"extra": "https://example.org/#extra"}));
    assert_eq!(verify(&app, &longer).await.status, StatusCode::OK);
    longer["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!("https://example.org/extra/v1"));
    let answer = verify(&app, &longer).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.text().contains("not a context known here"));
    // A key that is not a did:key is not resolved.
    let answer = verify(&app, &vector()).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.text().contains("did:key"));
}

#[tokio::test]
async fn issue_verify_revoke_and_the_product_refuses_did_key() {
    let (service, credential) = service_issuing(&vector());
    let app = service.router();
    let vc = issued(&app, &credential).await;
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
    let vm = did_key_vm(&key);
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

/// `vp` signed by `key` (named as its did:key) for authentication with `challenge` and
/// `domain`, after `edit` of the proof configuration.
fn presented(key: &KeyPair, vp: &Value, edit: impl FnOnce(&mut Map<String, Value>)) -> Value {
    let vm = did_key_vm(key);
    let mut doc = vp.as_object().unwrap().clone();
    let mut config = hocba_schema::proof::proof_config(&doc, &vm, "2026-01-01T00:00:00Z");
    config.insert("proofPurpose".into(), "authentication".into());
    config.insert("challenge".into(), "c-42".into());
    config.insert("domain".into(), "verifier.example".into());
    edit(&mut config);
    let hash = hocba_schema::proof::hash_data(&config, &doc).unwrap();
    hocba_schema::proof::attach_proof(&mut doc, config, &key.sign(&hash));
    Value::Object(doc)
}

async fn verify_vp(app: &Router, vp: &Value) -> Answer {
    post(
        app,
        "/presentations/verify",
        &json!({"verifiablePresentation": vp, "options": {"challenge": "c-42", "domain": "verifier.example"}}),
    )
    .await
}

#[tokio::test]
async fn presentations_are_verified_with_their_rules_and_proofs() {
    let (service, credential) = service_issuing(&vector());
    let app = service.router();
    let vc = issued(&app, &credential).await;
    let holder = KeyPair::from_seed(&[21; 32]);
    let holder_did = did_key(&holder.verifying_key());
    let vp = json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "id": "urn:uuid:9c9a36f8-518f-4976-a934-6649502d0008",
        "holder": holder_did,
        "verifiableCredential": [vc],
    });
    let good = presented(&holder, &vp, |_| {});
    let answer = verify_vp(&app, &good).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(answer.json()["verified"], true);
    // A holder given as an object, and a presentation of no credential, verify too.
    let mut object_holder = vp.clone();
    object_holder["holder"] = json!({"id": holder_did});
    object_holder
        .as_object_mut()
        .unwrap()
        .remove("verifiableCredential");
    let answer = verify_vp(&app, &presented(&holder, &object_holder, |_| {})).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());

    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut vp = vp.clone();
        edit(&mut vp);
        presented(&holder, &vp, |_| {})
    };
    let mut tampered = good.clone();
    tampered["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000".into();
    let mut vc_tampered = vc.clone();
    vc_tampered["credentialSubject"]["id"] = "did:example:someone-else".into();
    let mut vc_unsigned = vc.clone();
    vc_unsigned.as_object_mut().unwrap().remove("proof");
    let stranger = KeyPair::from_seed(&[22; 32]);
    let mut cases: Vec<(&str, Value, &str)> = vec![
        ("tampered after signing", tampered, "proof: "),
        (
            "signed by a key not the holder's",
            presented(&stranger, &vp, |_| {}),
            "not a key of the holder",
        ),
        ("no proof", vp.clone(), "has no proof"),
        (
            "no VerifiablePresentation type",
            edited(&|v| v["type"] = json!(["VerifiableCredential"])),
            "type: must include VerifiablePresentation",
        ),
        (
            "a holder that is not a URL",
            edited(&|v| v["holder"] = json!("z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj")),
            "holder: must be a URL",
        ),
        (
            "a holder object without id",
            edited(&|v| v["holder"] = json!({"name": "Acme"})),
            "holder: must be a URL",
        ),
        (
            "an id that is not a URL",
            edited(&|v| v["id"] = json!("not a url")),
            "id: must be a URL",
        ),
        (
            "an undefined term",
            edited(&|v| v["grade"] = json!(9)),
            "the term \"grade\"",
        ),
        (
            "the base context not first",
            edited(&|v| {
                v["@context"] = json!([
                    "https://www.w3.org/ns/credentials/examples/v2",
                    "https://www.w3.org/ns/credentials/v2"
                ])
            }),
            "@context must start with",
        ),
        (
            "a credential as a string",
            edited(&|v| v["verifiableCredential"] = json!(["eyJhbGciOiJFUzI1NiJ9.e30.sig"])),
            "must be an object",
        ),
        (
            "a credential without VerifiableCredential",
            edited(&|v| v["verifiableCredential"][0]["type"] = json!([])),
            "verifiableCredential[0].",
        ),
        (
            "a tampered credential",
            edited(&|v| v["verifiableCredential"] = json!([vc_tampered])),
            "verifiableCredential[0].proof",
        ),
        (
            "a credential without its proof",
            edited(&|v| v["verifiableCredential"] = json!([vc_unsigned])),
            "no proof of its own",
        ),
        (
            "an enveloped credential that is not a data: URL",
            edited(
                &|v| v["verifiableCredential"] = json!([{"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": "https://example.org/vc.jwt"}]),
            ),
            "data: URL",
        ),
    ];
    // One proof option other than the verifier asks for: (case, option, value, expected).
    for (case, option, value, expected) in [
        ("another challenge", "challenge", "c-41", "proof.challenge"),
        ("another domain", "domain", "other.example", "proof.domain"),
        (
            "an assertion proof",
            "proofPurpose",
            "assertionMethod",
            "proof.proofPurpose",
        ),
        (
            "an expired proof",
            "expires",
            "2026-01-02T00:00:00Z",
            "proof.expires",
        ),
        (
            "an rdfc proof",
            "cryptosuite",
            "eddsa-rdfc-2022",
            // Built with rdfc, the proof is checked as eddsa-rdfc-2022 and its signature
            // (made over JCS) does not match; without, the cryptosuite is refused.
            if cfg!(feature = "rdfc") {
                "signature_mismatch"
            } else {
                "cannot be verified here"
            },
        ),
    ] {
        let signed = presented(&holder, &vp, |c| {
            c.insert(option.into(), value.into());
        });
        cases.push((case, signed, expected));
    }
    for (case, bad, expected) in cases {
        let answer = verify_vp(&app, &bad).await;
        assert_refused(&answer, case, expected);
        assert_eq!(answer.json()["verified"], false, "{case}");
    }
}

#[tokio::test]
async fn undefined_terms_and_related_resource_digests() {
    use base64::Engine;
    use sha2::Digest;
    let service = Conformance::new(KeyPair::generate().unwrap(), "http://127.0.0.1:9");
    let did = service.did().to_owned();
    let app = service.router();
    let base = || {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": did,
            "credentialSubject": {"id": "did:example:subject", "name": "An"},
        })
    };
    let issue = |credential: Value| {
        let app = app.clone();
        async move {
            post(
                &app,
                "/credentials/issue",
                &json!({"credential": credential}),
            )
            .await
        }
    };
    assert_eq!(issue(base()).await.status, StatusCode::CREATED);
    // The status-list suite's MALFORMED_VALUE_ERROR fixture: an entry under an undefined term.
    let mut status_entry = base();
    status_entry["statusEntry"] = json!({"type": "BitstringStatusListEntry", "statusListIndex": true, "statusListCredential": "https://example.com"});
    // The data-model suite's unmapped type.
    let mut unmapped = base();
    unmapped["@context"] = json!(["https://www.w3.org/ns/credentials/v2", {"@vocab": null}]);
    unmapped["type"] = json!(["VerifiableCredential", "ExampleTestCredential"]);
    let mut unknown_context = base();
    unknown_context["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://example.com"
    ]);
    for (case, bad, expected) in [
        (
            "statusEntry",
            status_entry,
            "statusEntry: the term \"statusEntry\" is not defined",
        ),
        (
            "unmapped type",
            unmapped,
            "the type \"ExampleTestCredential\" is not defined",
        ),
        (
            "unknown context",
            unknown_context,
            "not a context known here",
        ),
    ] {
        let answer = issue(bad).await;
        assert_refused(&answer, case, expected);
    }
    // With the undefined-terms context the same terms are accepted (a @vocab covers them).
    let mut covered = base();
    covered["@context"] = json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/undefined-terms/v2"
    ]);
    covered["type"] = json!(["VerifiableCredential", "ExampleTestCredential"]);
    covered["statusEntry"] = json!({"note": "x"});
    assert_eq!(issue(covered).await.status, StatusCode::CREATED);

    // relatedResource: the base context is held here, so its digests are checked.
    let context = include_bytes!("../../src/conformance/contexts/credentials-v2.jsonld");
    let sri = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha384::digest(context))
    );
    let mut right = base();
    right["relatedResource"] = json!([{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": sri, "mediaType": "application/ld+json"}]);
    let answer = issue(right).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let mut wrong = base();
    wrong["relatedResource"] = json!([{"id": "https://www.w3.org/ns/credentials/v2", "digestSRI": "sha384-NSOcNpmdIVUxIJGvGUoe22FjTWrXiaXlsZ8q6912LdnR3KraQO2n75Ica4wK4Qeg"}]);
    let answer = issue(wrong).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.text().contains("does not match the resource"),
        "{}",
        answer.text()
    );
    // A resource not held here: issued, and the verifier says its digest was not checked.
    let mut elsewhere = base();
    elsewhere["relatedResource"] =
        json!([{"id": "https://example.org/logo.png", "digestSRI": "sha384-AAAA"}]);
    let answer = issue(elsewhere).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text());
    let vc = answer.json()["verifiableCredential"].clone();
    let answer = verify(&app, &vc).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let warning = answer.json()["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        warning.contains("https://example.org/logo.png") && warning.contains("not checked"),
        "{warning}"
    );
}

#[tokio::test]
async fn an_enveloped_credential_is_opened_by_the_verify_endpoint() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let app = Conformance::new(KeyPair::generate().unwrap(), "http://127.0.0.1:9").router();
    let signer = KeyPair::from_seed(&[31; 32]);
    let did = did_key(&signer.verifying_key());
    let jws = |payload: &Value| {
        let header = json!({"alg": "EdDSA", "kid": did_key_vm(&signer)});
        let h = URL_SAFE_NO_PAD.encode(header.to_string());
        let p = URL_SAFE_NO_PAD.encode(payload.to_string());
        let s = URL_SAFE_NO_PAD.encode(signer.sign(format!("{h}.{p}").as_bytes()));
        format!("{h}.{p}.{s}")
    };
    let credential = |issuer: &str| {
        json!({"iss": did, "vc": {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": issuer,
            "credentialSubject": {"id": "did:example:alice", "name": "Alice"},
        }})
    };
    let envelope = |token: String| json!({"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential", "id": format!("data:application/vc+jwt,{token}")});
    let good = envelope(jws(&credential(&did)));
    let answer = verify(&app, &good).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    let mut no_context = good.clone();
    no_context["@context"] = json!([]);
    let mut not_data = good.clone();
    not_data["id"] = json!(jws(&credential(&did)));
    let mut tampered_token = jws(&credential(&did));
    tampered_token.replace_range(tampered_token.len() - 4.., "AAAA");
    for (case, bad, expected) in [
        ("no context", no_context, "@context"),
        ("not a data: URL", not_data, "data: URL"),
        (
            "a bad signature",
            envelope(tampered_token),
            "does not verify",
        ),
        (
            "issued by another DID",
            envelope(jws(&credential("did:example:other"))),
            "not the DID that signed",
        ),
    ] {
        let answer = verify(&app, &bad).await;
        assert_refused(&answer, case, expected);
    }
}
