//! `eddsa-jcs-2022` proofs made with a school's or the authority's key. The bytes to sign come
//! from `hocba_schema::proof`; this module adds the signature. The key is a PEM [`KeyPair`] or
//! a token's key ([`Ed25519Key`]); a token that cannot sign fails the record, never yields a
//! credential with a made-up signature.

use hocba_schema::credential::{CanonicalUnsigned, IssuerRef, UnsignedCredential, format_time};
use hocba_schema::jcs::Slot;
use hocba_schema::proof::{
    attach_proof, hash_data, proof_config, secure_canonical, secure_canonical_bytes,
};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use std::sync::Arc;

use crate::error::IssuerError;
use crate::keys::{Ed25519Key, KeyPair};

/// A key together with the identity it signs as.
#[derive(Debug)]
pub struct Signer {
    key: Arc<dyn Ed25519Key>,
    issuer: IssuerRef,
    verification_method: String,
}

impl Signer {
    /// Sign as `issuer`, with verification method `<issuer id>#<publicKeyMultibase>`.
    pub fn new(key: KeyPair, issuer: IssuerRef) -> Self {
        Self::with_key(Arc::new(key), issuer)
    }

    /// [`Signer::new`] with a key held anywhere (a PEM file or a token).
    pub fn with_key(key: Arc<dyn Ed25519Key>, issuer: IssuerRef) -> Self {
        let verification_method = format!("{}#{}", issuer.id, key.public_key_multibase());
        Self {
            key,
            issuer,
            verification_method,
        }
    }

    /// The issuer this signer signs as.
    pub fn issuer(&self) -> &IssuerRef {
        &self.issuer
    }

    /// The verification method id written into each proof.
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The key.
    pub fn key(&self) -> &dyn Ed25519Key {
        self.key.as_ref()
    }

    /// Add a proof created at `created` to `unsigned` and return the secured document.
    pub fn sign(
        &self,
        unsigned: UnsignedCredential,
        created: OffsetDateTime,
    ) -> Result<Map<String, Value>, IssuerError> {
        let created = format_time(created)?;
        let mut document = unsigned.into_document();
        let config = proof_config(&document, &self.verification_method, &created);
        let hash = hash_data(&config, &document)?;
        let signature = self.key.try_sign(&hash)?;
        attach_proof(&mut document, config, &signature);
        Ok(document)
    }
}

impl Signer {
    /// Sign `unsigned` and return the secured credential as canonical (JCS) bytes: the form
    /// stored and handed out, made in one pass (see `hocba_schema::proof::secure_canonical`).
    pub fn sign_canonical(
        &self,
        unsigned: &UnsignedCredential,
        created: OffsetDateTime,
    ) -> Result<Vec<u8>, IssuerError> {
        match unsigned.canonical() {
            // Made while the envelope was checked: not serialised again.
            Some((bytes, slot)) => self.secure(unsigned.document(), bytes, slot, created),
            None => {
                let created = format_time(created)?;
                let config = proof_config(unsigned.document(), &self.verification_method, &created);
                self.signing(|sign| secure_canonical(unsigned.document(), config, sign))
            }
        }
    }

    /// [`Signer::sign_canonical`] of a credential made from a canonical record text (no
    /// record parsed: see [`CanonicalUnsigned`]).
    pub fn sign_canonical_record(
        &self,
        unsigned: &CanonicalUnsigned,
        created: OffsetDateTime,
    ) -> Result<Vec<u8>, IssuerError> {
        let (bytes, slot) = unsigned.canonical();
        self.secure(unsigned.envelope(), bytes, slot, created)
    }

    /// The proof over canonical `bytes` (whose envelope, for the proof's `@context`, is
    /// `envelope`), put at `slot`.
    fn secure(
        &self,
        envelope: &Map<String, Value>,
        bytes: &[u8],
        slot: Slot,
        created: OffsetDateTime,
    ) -> Result<Vec<u8>, IssuerError> {
        let created = format_time(created)?;
        let config = proof_config(envelope, &self.verification_method, &created);
        self.signing(|sign| secure_canonical_bytes(bytes, slot, &config, sign))
    }

    /// Runs the schema's one-pass signer, which takes an infallible closure: a token's
    /// failure is kept here and the document made with the placeholder is dropped, never
    /// returned.
    fn signing(
        &self,
        secure: impl FnOnce(
            &mut dyn FnMut(&[u8; 64]) -> [u8; 64],
        ) -> Result<Vec<u8>, hocba_schema::SchemaError>,
    ) -> Result<Vec<u8>, IssuerError> {
        let mut failed = None;
        let mut sign = |hash: &[u8; 64]| match self.key.try_sign(hash) {
            Ok(signature) => signature,
            Err(e) => {
                failed = Some(e);
                [0; 64]
            }
        };
        let bytes = secure(&mut sign)?;
        match failed {
            Some(e) => Err(e),
            None => Ok(bytes),
        }
    }
}

/// Add an `eddsa-jcs-2022` proof to `document` (which must be NFC and within the number
/// limits; [`UnsignedCredential`] ensures both).
pub fn sign_document(
    mut document: Map<String, Value>,
    key: &KeyPair,
    verification_method: &str,
    created: &str,
) -> Result<Map<String, Value>, hocba_schema::SchemaError> {
    let config = proof_config(&document, verification_method, created);
    let hash = hash_data(&config, &document)?;
    let signature = key.sign(&hash);
    attach_proof(&mut document, config, &signature);
    Ok(document)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use hocba_schema::multikey::decode_private_key_seed;

    fn vector() -> Value {
        serde_json::from_str(include_str!(
            "../../schema/tests/vectors/w3c-eddsa-jcs-2022/signed.json"
        ))
        .unwrap()
    }

    #[test]
    fn canonical_signing_equals_signing_then_canonicalising() {
        let signer = Signer::new(
            KeyPair::from_seed(&[5; 32]),
            IssuerRef {
                id: "urn:hocba:school:1".into(),
                name: "Trường".into(),
            },
        );
        let t = time::macros::datetime!(2026-05-25 08:00 UTC);
        let unsigned = UnsignedCredential::new(
            "urn:uuid:1",
            signer.issuer(),
            t,
            serde_json::json!({"school": {"code": "1"}, "n": 8.5}),
            None,
        )
        .unwrap();
        let bytes = signer.sign_canonical(&unsigned, t).unwrap();
        let doc = signer.sign(unsigned, t).unwrap();
        assert_eq!(
            bytes,
            hocba_schema::jcs::canonical_bytes(&Value::Object(doc)).unwrap()
        );
    }

    /// Signing the W3C test vector's document with its key reproduces its proofValue.
    #[test]
    fn reproduces_the_w3c_eddsa_jcs_2022_vector() {
        let key_json: Value = serde_json::from_str(include_str!(
            "../../schema/tests/vectors/w3c-eddsa-jcs-2022/key.json"
        ))
        .unwrap();
        let seed =
            decode_private_key_seed(key_json["privateKeyMultibase"].as_str().unwrap()).unwrap();
        let key = KeyPair::from_seed(&seed);
        assert_eq!(
            key.public_key_multibase(),
            key_json["publicKeyMultibase"].as_str().unwrap()
        );
        let signed = vector();
        let proof = &signed["proof"];
        let mut unsigned = signed.as_object().unwrap().clone();
        unsigned.remove("proof");
        let out = sign_document(
            unsigned,
            &key,
            proof["verificationMethod"].as_str().unwrap(),
            proof["created"].as_str().unwrap(),
        )
        .unwrap();
        assert_eq!(out["proof"]["proofValue"], proof["proofValue"]);
        // Byte for byte: the whole document, key order included.
        assert_eq!(
            serde_json::to_string_pretty(&Value::Object(out)).unwrap(),
            serde_json::to_string_pretty(&signed).unwrap()
        );
    }
}
