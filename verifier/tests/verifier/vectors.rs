//! Published test vectors: RFC 8032 §7.1, Wycheproof-style edge cases, and the W3C
//! eddsa-jcs-2022 credential.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use hocba_schema::multikey::decode_public_key;
use hocba_schema::proof::SecuredDocument;
use hocba_verifier::{Reason, verify_proof, verify_signature};
use serde_json::Value;

use crate::support::unhex;

/// RFC 8032 §7.1: TEST 1, TEST 2, TEST 3 and TEST SHA(abc): (secret key, public key, message,
/// signature).
const RFC8032: &[(&str, &str, &str, &str, &str)] = &[
    (
        "TEST 1",
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "TEST 2",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "TEST 3",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "TEST SHA(abc)",
        "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
];

#[test]
fn rfc8032_section_7_1_vectors_verify_strictly() {
    for (name, secret, public, message, signature) in RFC8032 {
        let secret: [u8; 32] = unhex(secret).try_into().unwrap();
        let public: [u8; 32] = unhex(public).try_into().unwrap();
        let message = unhex(message);
        let signature: [u8; 64] = unhex(signature).try_into().unwrap();
        // The vector is what it says: the secret key gives this public key and signature.
        let signing = SigningKey::from_bytes(&secret);
        assert_eq!(
            signing.verifying_key().to_bytes(),
            public,
            "{name}: public key"
        );
        assert_eq!(
            signing.sign(&message).to_bytes(),
            signature,
            "{name}: signature"
        );
        // Our verification path accepts it…
        let key = VerifyingKey::from_bytes(&public).unwrap();
        verify_signature(&key, &message, &signature).unwrap_or_else(|e| panic!("{name}: {e}"));
        // …and refuses one flipped bit of the message or the signature.
        let mut other = message.clone();
        other.push(0);
        assert_eq!(
            verify_signature(&key, &other, &signature)
                .unwrap_err()
                .reason(),
            Reason::SignatureMismatch,
            "{name}"
        );
        let mut bad = signature;
        bad[10] ^= 0x04;
        assert!(verify_signature(&key, &message, &bad).is_err(), "{name}");
    }
}

/// Wycheproof-style cases (derived by this project, see the file's `source`), one
/// table-driven test: each case states its expected result and reason.
#[test]
fn wycheproof_style_eddsa_cases() {
    let file: Value =
        serde_json::from_str(include_str!("../vectors/wycheproof-eddsa-subset.json")).unwrap();
    let tests = file["tests"].as_array().unwrap();
    assert!(tests.len() >= 15);
    let (mut valid, mut invalid) = (0, 0);
    for case in tests {
        let id = &case["tcId"];
        let comment = case["comment"].as_str().unwrap();
        let public = unhex(case["publicKey"].as_str().unwrap());
        let msg = unhex(case["msg"].as_str().unwrap());
        let sig = unhex(case["sig"].as_str().unwrap());
        let expected_valid = match case["result"].as_str().unwrap() {
            "valid" => true,
            "invalid" => false,
            other => panic!("tc {id}: unknown result {other}"),
        };
        let got: Result<(), String> = (|| {
            let sig: [u8; 64] = sig
                .as_slice()
                .try_into()
                .map_err(|_| "wrong_length".to_owned())?;
            let public: [u8; 32] = public.as_slice().try_into().unwrap();
            let key =
                VerifyingKey::from_bytes(&public).map_err(|_| "invalid_public_key".to_owned())?;
            verify_signature(&key, &msg, &sig).map_err(|e| e.reason().code().to_owned())
        })();
        match (expected_valid, got) {
            (true, Ok(())) => valid += 1,
            (false, Err(reason)) => {
                assert_eq!(
                    reason,
                    case["reason"].as_str().unwrap(),
                    "tc {id}: {comment}"
                );
                invalid += 1;
            }
            (true, Err(e)) => panic!("tc {id} ({comment}) should verify: {e}"),
            (false, Ok(())) => panic!("tc {id} ({comment}) must be rejected"),
        }
    }
    assert!(
        valid >= 3 && invalid >= 12,
        "{valid} valid, {invalid} invalid"
    );
}

fn w3c_vector() -> (Value, VerifyingKey) {
    let signed: Value = serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-jcs-2022/signed.json"
    ))
    .unwrap();
    let key: Value = serde_json::from_str(include_str!(
        "../../../schema/tests/vectors/w3c-eddsa-jcs-2022/key.json"
    ))
    .unwrap();
    let key = decode_public_key(key["publicKeyMultibase"].as_str().unwrap()).unwrap();
    (signed, key)
}

#[test]
fn w3c_eddsa_jcs_2022_vector_verifies() {
    let (signed, key) = w3c_vector();
    let doc = SecuredDocument::from_value(signed).unwrap();
    verify_proof(&doc, &key).unwrap();
}

/// Change one character of every string in the W3C document (outside the proof): each
/// change breaks the signature.
#[test]
fn w3c_vector_fails_when_one_character_changes() {
    let (signed, key) = w3c_vector();
    let doc = SecuredDocument::from_value(signed).unwrap();
    let mut pointers = Vec::new();
    collect_strings(
        &Value::Object(doc.unsecured.clone()),
        String::new(),
        &mut pointers,
    );
    assert!(pointers.len() >= 8, "{pointers:?}");
    for pointer in pointers {
        let mut changed = doc.clone();
        let mut value = Value::Object(changed.unsecured);
        let s = value.pointer_mut(&pointer).unwrap();
        let text = s.as_str().unwrap();
        let last = text.chars().last().unwrap();
        let replacement = if last == 'x' { 'y' } else { 'x' };
        *s = format!("{}{replacement}", &text[..text.len() - last.len_utf8()]).into();
        changed.unsecured = crate::support::object(value);
        let err = verify_proof(&changed, &key).unwrap_err();
        // Changing the document's @context also breaks the proof's copy of it.
        let expected = if pointer.starts_with("/@context") {
            Reason::ProofContextMismatch
        } else {
            Reason::SignatureMismatch
        };
        assert_eq!(err.reason(), expected, "{pointer}");
    }
    // A changed proof option (created) too.
    let mut changed = doc.clone();
    changed
        .proof_options
        .insert("created".into(), "2023-02-24T23:36:39Z".into());
    assert_eq!(
        verify_proof(&changed, &key).unwrap_err().reason(),
        Reason::SignatureMismatch
    );
    // And another key.
    let other = SigningKey::from_bytes(&[9; 32]).verifying_key();
    assert_eq!(
        verify_proof(&doc, &other).unwrap_err().reason(),
        Reason::SignatureMismatch
    );
}

fn collect_strings(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(at),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                collect_strings(
                    item,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        _ => {}
    }
}
