//! The `eddsa-jcs-2022` cryptosuite (W3C Data Integrity EdDSA Cryptosuites v1.0, §3.3):
//!
//! ```text
//! hashData   = SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document without proof))
//! proofValue = "z" + base58btc(Ed25519 signature over hashData)
//! ```
//!
//! Creating a proof copies the document's `@context` into the proof configuration. Verifying
//! hashes the proof exactly as found, minus `proofValue`, and requires the document's `@context`
//! to start with the proof's; when the proof's `@context` is a strict prefix of the document's,
//! the document is hashed with the proof's `@context` in place of its own (vc-di-eddsa §3.3.2
//! step 3: "set unsecuredDocument.@context equal to proofOptions.@context"). A `proof` that is
//! a set of exactly one proof is read as that proof; a set of several is refused (the project
//! never makes proof sets or chains, and a verdict on one proof of several would mislead).
//! This module prepares the bytes; the issuer signs them and the verifier checks the
//! signature, so no key material passes through here.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{SchemaError, shorten};
use crate::jcs::{Slot, canonical_bytes, canonical_object_with_slot, write_canonical_object};
use crate::multibase::{decode_base58btc, decode_base58btc_exact, encode_base58btc};

/// `type` of the proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// `cryptosuite` of the proof.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// `proofPurpose` the project signs and accepts.
pub const PROOF_PURPOSE: &str = "assertionMethod";

/// A JSON object.
pub type Object = Map<String, Value>;

/// The proof configuration for signing `document` with `verification_method` at `created`
/// (an XML Schema dateTime such as `2026-05-25T08:00:00Z`): type, cryptosuite, created,
/// verificationMethod, proofPurpose and, when the document has one, a copy of its `@context`.
pub fn proof_config(document: &Object, verification_method: &str, created: &str) -> Object {
    let mut config = Object::new();
    config.insert("type".into(), PROOF_TYPE.into());
    config.insert("cryptosuite".into(), CRYPTOSUITE.into());
    config.insert("created".into(), created.into());
    config.insert("verificationMethod".into(), verification_method.into());
    config.insert("proofPurpose".into(), PROOF_PURPOSE.into());
    if let Some(context) = document.get("@context") {
        config.insert("@context".into(), context.clone());
    }
    config
}

/// `hashData` = SHA-256(JCS(proof config)) ‖ SHA-256(JCS(unsecured document)).
pub fn hash_data(
    proof_config: &Object,
    unsecured_document: &Object,
) -> Result<[u8; 64], SchemaError> {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&sha256_jcs(proof_config)?);
    out[32..].copy_from_slice(&sha256_jcs(unsecured_document)?);
    Ok(out)
}

/// `hashData` with plain RFC 8785 canonicalisation, without the project's limits on numbers and
/// NFC. A verifier uses it only to say whether a document that breaks the limits was at least
/// signed as it is; signing always goes through [`hash_data`].
pub fn hash_data_unchecked(
    proof_config: &Object,
    unsecured_document: &Object,
) -> Result<[u8; 64], SchemaError> {
    let mut out = [0u8; 64];
    for (half, object) in [(0, proof_config), (32, unsecured_document)] {
        let bytes = crate::jcs::rfc8785_object_bytes(object)?;
        out[half..half + 32].copy_from_slice(&Sha256::digest(&bytes));
    }
    Ok(out)
}

fn sha256_jcs(object: &Object) -> Result<[u8; 32], SchemaError> {
    // JCS of an object; serialising the map directly avoids cloning it into a `Value`.
    let mut bytes = Vec::with_capacity(4096);
    write_canonical_object(object, &mut bytes)?;
    Ok(Sha256::digest(&bytes).into())
}

/// SHA-256 of the JCS form of any JSON value (used for credential digests).
pub fn sha256_canonical(value: &Value) -> Result<[u8; 32], SchemaError> {
    Ok(Sha256::digest(canonical_bytes(value)?).into())
}

/// Sign `document` in one pass and return the secured document as canonical (JCS) bytes:
/// canonicalise document and proof configuration once, hash, call `sign` on `hashData`, and add
/// the proof to the canonical bytes already made. The result is what [`attach_proof`] followed
/// by [`canonical_bytes`] would give, without a second serialisation.
pub fn secure_canonical(
    document: &Object,
    config: Object,
    sign: impl FnOnce(&[u8; 64]) -> [u8; 64],
) -> Result<Vec<u8>, SchemaError> {
    let (doc_bytes, slot) = canonical_object_with_slot(document, "proof")?;
    secure_canonical_bytes(&doc_bytes, slot, &config, sign)
}

/// [`secure_canonical`] of a document already in canonical form: `document` are its canonical
/// bytes and `slot` where `proof` goes in them (as `canonical_object_with_slot` gives them, or
/// [`UnsignedCredential::canonical`](crate::credential::UnsignedCredential::canonical)).
pub fn secure_canonical_bytes(
    document: &[u8],
    slot: Slot,
    config: &Object,
    sign: impl FnOnce(&[u8; 64]) -> [u8; 64],
) -> Result<Vec<u8>, SchemaError> {
    let (config_bytes, value_slot) = canonical_object_with_slot(config, "proofValue")?;
    let mut hash = [0u8; 64];
    hash[..32].copy_from_slice(&Sha256::digest(&config_bytes));
    hash[32..].copy_from_slice(&Sha256::digest(document));
    let signature = sign(&hash);
    // The proof is the configuration with `proofValue` added at its place (a base58 string
    // needs no escaping).
    let mut value = Vec::with_capacity(92);
    value.push(b'"');
    value.extend_from_slice(encode_base58btc(&signature).as_bytes());
    value.push(b'"');
    let proof_bytes = value_slot.insert(&config_bytes, "proofValue", &value);
    Ok(slot.insert(document, "proof", &proof_bytes))
}

/// Put `signature` into `config` as `proofValue` and the result into `document` as `proof`.
pub fn attach_proof(document: &mut Object, mut config: Object, signature: &[u8; 64]) {
    config.insert("proofValue".into(), encode_base58btc(signature).into());
    document.insert("proof".into(), Value::Object(config));
}

/// A secured document split into what was signed: the document without `proof`, the proof
/// options without `proofValue`, and the 64 signature bytes.
#[derive(Debug, Clone)]
pub struct SecuredDocument {
    /// The document without its `proof`.
    pub unsecured: Object,
    /// The proof exactly as found, minus `proofValue`.
    pub proof_options: Object,
    /// The decoded `proofValue`.
    pub signature: [u8; 64],
}

impl SecuredDocument {
    /// Split a secured JSON object. Fails when there is no single proof object or its
    /// `proofValue` is not `z` + base58btc of 64 bytes.
    pub fn from_value(value: Value) -> Result<Self, SchemaError> {
        let Value::Object(mut unsecured) = value else {
            return Err(field("", "a credential must be a JSON object"));
        };
        let proof = match unsecured.remove("proof") {
            Some(Value::Object(proof)) => proof,
            Some(Value::Array(items)) => match single_proof(items) {
                Some(proof) => proof,
                None => {
                    return Err(field(
                        "proof",
                        "a proof set is accepted only with exactly one proof object",
                    ));
                }
            },
            Some(_) => return Err(field("proof", "must be an object")),
            None => return Err(field("proof", "missing: the document is not signed")),
        };
        let mut proof_options = proof;
        let proof_value = match proof_options.remove("proofValue") {
            Some(Value::String(s)) => s,
            Some(_) => return Err(field("proof.proofValue", "must be a string")),
            None => return Err(field("proof.proofValue", "missing")),
        };
        if let Some(signature) = decode_base58btc_exact::<64>(&proof_value) {
            return Ok(Self {
                unsecured,
                proof_options,
                signature,
            });
        }
        let bytes = decode_base58btc("proofValue", &proof_value)?;
        let signature: [u8; 64] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| SchemaError::Encoding {
                field: "proofValue",
                problem: format!("an Ed25519 signature is 64 bytes, found {}", b.len()),
                value: shorten(&proof_value),
            })?;
        Ok(Self {
            unsecured,
            proof_options,
            signature,
        })
    }

    /// A string member of the proof options, if present and a string.
    pub fn proof_str(&self, name: &str) -> Option<&str> {
        self.proof_options.get(name).and_then(Value::as_str)
    }

    /// The document's `hashData` for this proof (with the proof's `@context` in the
    /// document when it is a strict prefix of the document's, see [`Self::hashed_document`]).
    pub fn hash_data(&self) -> Result<[u8; 64], SchemaError> {
        hash_data(&self.proof_options, &self.hashed_document())
    }

    /// [`hash_data_unchecked`] for this proof.
    pub fn hash_data_unchecked(&self) -> Result<[u8; 64], SchemaError> {
        hash_data_unchecked(&self.proof_options, &self.hashed_document())
    }

    /// The document as it is hashed: the unsecured document, its `@context` replaced by the
    /// proof's when that is a strict prefix of it (vc-di-eddsa §3.3.2 step 3). Borrowed in
    /// the usual case where the two are equal or the proof has none.
    pub fn hashed_document(&self) -> std::borrow::Cow<'_, Object> {
        match self.proof_options.get("@context") {
            Some(proof_ctx)
                if self.context_matches() && self.unsecured.get("@context") != Some(proof_ctx) =>
            {
                let mut doc = self.unsecured.clone();
                doc.insert("@context".into(), proof_ctx.clone());
                std::borrow::Cow::Owned(doc)
            }
            _ => std::borrow::Cow::Borrowed(&self.unsecured),
        }
    }

    /// When the proof carries `@context`, the document's `@context` must start with the same
    /// values in the same order (spec §3.3.2 step 3).
    pub fn context_matches(&self) -> bool {
        let Some(proof_ctx) = self.proof_options.get("@context") else {
            return true;
        };
        let Some(doc_ctx) = self.unsecured.get("@context") else {
            return false;
        };
        let (p, d) = (as_slice(proof_ctx), as_slice(doc_ctx));
        p.len() <= d.len() && p.iter().zip(d).all(|(a, b)| a == b)
    }

    /// Put the proof back and return the whole secured document.
    pub fn into_value(self) -> Value {
        let mut doc = self.unsecured;
        attach_proof(&mut doc, self.proof_options, &self.signature);
        Value::Object(doc)
    }
}

/// A JSON-LD value as the list of its items (a single value is a list of one).
fn as_slice(v: &Value) -> &[Value] {
    match v {
        Value::Array(items) => items,
        other => std::slice::from_ref(other),
    }
}

/// The one proof object of a proof set of exactly one.
pub fn single_proof(items: Vec<Value>) -> Option<Object> {
    let [Value::Object(proof)] = <[Value; 1]>::try_from(items).ok()? else {
        return None;
    };
    Some(proof)
}

fn field(name: &str, problem: &str) -> SchemaError {
    SchemaError::Field {
        field: name.into(),
        problem: problem.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vector() -> Value {
        serde_json::from_str(include_str!(
            "../../tests/vectors/w3c-eddsa-jcs-2022/signed.json"
        ))
        .unwrap()
    }

    #[test]
    fn splits_the_w3c_vector() {
        let doc = SecuredDocument::from_value(vector()).unwrap();
        assert!(!doc.unsecured.contains_key("proof"));
        assert!(!doc.proof_options.contains_key("proofValue"));
        assert_eq!(doc.proof_str("cryptosuite"), Some(CRYPTOSUITE));
        assert!(doc.context_matches());
        assert_eq!(doc.clone().into_value(), vector());
    }

    #[test]
    fn proof_config_copies_the_context_in_vector_order() {
        let v = vector();
        let doc = SecuredDocument::from_value(v).unwrap();
        let config = proof_config(
            &doc.unsecured,
            doc.proof_str("verificationMethod").unwrap(),
            doc.proof_str("created").unwrap(),
        );
        assert_eq!(
            Value::Object(config),
            Value::Object(doc.proof_options.clone())
        );
    }

    #[test]
    fn secure_canonical_matches_attach_then_canonicalise() {
        let doc = SecuredDocument::from_value(vector()).unwrap();
        let config = doc.proof_options.clone();
        let signature = doc.signature;
        let mut seen = None;
        let bytes = secure_canonical(&doc.unsecured, config, |hash| {
            seen = Some(*hash);
            signature
        })
        .unwrap();
        assert_eq!(seen, Some(doc.hash_data().unwrap()));
        assert_eq!(bytes, canonical_bytes(&vector()).unwrap());
    }

    #[test]
    fn a_proof_set_of_one_is_the_proof() {
        let mut v = vector();
        v["proof"] = json!([v["proof"].clone()]);
        let one = SecuredDocument::from_value(v).unwrap();
        let plain = SecuredDocument::from_value(vector()).unwrap();
        assert_eq!(one.proof_options, plain.proof_options);
        assert_eq!(one.hash_data().unwrap(), plain.hash_data().unwrap());
    }

    #[test]
    fn a_strict_prefix_context_is_hashed_in_the_document() {
        let mut v = vector();
        let ctx = v["@context"].clone();
        let mut longer = ctx.as_array().unwrap().clone();
        longer.push(json!("https://example.org/extra/v1"));
        v["@context"] = json!(longer);
        let doc = SecuredDocument::from_value(v).unwrap();
        assert!(doc.context_matches());
        // Hashed as if the document carried the proof's @context: the vector's own hash.
        let plain = SecuredDocument::from_value(vector()).unwrap();
        assert_eq!(doc.hashed_document().get("@context"), Some(&ctx));
        assert_eq!(doc.hash_data().unwrap(), plain.hash_data().unwrap());
        // Equal contexts hash the document as it is, without a copy.
        assert!(matches!(
            plain.hashed_document(),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn context_mismatch_is_detected() {
        let mut v = vector();
        v["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
        let doc = SecuredDocument::from_value(v).unwrap();
        assert!(!doc.context_matches());
    }

    #[test]
    fn malformed_proofs_are_named() {
        let mut v = vector();
        v["proof"]["proofValue"] = json!("z1111");
        let e = SecuredDocument::from_value(v).unwrap_err();
        assert!(e.to_string().contains("64 bytes"), "{e}");
        let mut v = vector();
        v["proof"] = json!([v["proof"].clone(), v["proof"].clone()]);
        assert!(SecuredDocument::from_value(v).is_err());
        let mut v = vector();
        v["proof"] = json!([]);
        assert!(SecuredDocument::from_value(v).is_err());
        let mut v = vector();
        v["proof"] = json!(["not an object"]);
        assert!(SecuredDocument::from_value(v).is_err());
        let mut v = vector();
        v.as_object_mut().unwrap().remove("proof");
        assert!(
            SecuredDocument::from_value(v)
                .unwrap_err()
                .to_string()
                .contains("not signed")
        );
    }
}
