//! A school's Ed25519 credential key on a token: signs through `CKM_EDDSA` (pure Ed25519, as
//! RFC 8032 defines it), so a token key and the same key in a PEM file give the same bytes.
//!
//! The public key comes from the public-key object with the private key's label and id
//! (`CKA_EC_POINT`, raw or as a DER OCTET STRING). Every signature is checked against it
//! before it is used (about 40 µs): a token that signs with another key than the one its
//! public object names is caught at the first record, not by the verifier later.

use std::sync::Arc;

use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType};
use ed25519_dalek::{Signature, VerifyingKey};

use super::{KeyRef, Token};
use crate::error::IssuerError;
use crate::keys::Ed25519Key;

/// An Ed25519 private key held by a token.
#[derive(Debug)]
pub struct TokenEd25519Key {
    token: Arc<Token>,
    key: KeyRef,
    public: VerifyingKey,
}

impl TokenEd25519Key {
    /// The token's Ed25519 private keys whose label is `school-…`, each with its public half.
    pub fn school_keys(token: &Arc<Token>) -> Result<Vec<Self>, IssuerError> {
        token
            .private_keys(Some(KeyType::EC_EDWARDS))?
            .into_iter()
            .filter(|k| k.label.starts_with("school-"))
            .map(|k| Self::of(token, k))
            .collect()
    }

    /// The Ed25519 private key labelled `label`.
    pub fn by_label(token: &Arc<Token>, label: &str) -> Result<Self, IssuerError> {
        let key = token
            .private_keys(Some(KeyType::EC_EDWARDS))?
            .into_iter()
            .find(|k| k.label == label)
            .ok_or_else(|| IssuerError::Token {
                token: token.name().to_owned(),
                problem: format!("no Ed25519 private key labelled {label:?}"),
            })?;
        Self::of(token, key)
    }

    fn of(token: &Arc<Token>, key: KeyRef) -> Result<Self, IssuerError> {
        let attrs = token.public_attributes(&key, &[AttributeType::EcPoint])?;
        let point = attrs
            .into_iter()
            .find_map(|a| match a {
                Attribute::EcPoint(p) => Some(p),
                _ => None,
            })
            .unwrap_or_default();
        // Raw 32 bytes, or wrapped in a DER OCTET STRING (04 20 …), as modules differ.
        let raw = match point.as_slice() {
            [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest,
            raw => raw,
        };
        let public = <[u8; 32]>::try_from(raw)
            .ok()
            .and_then(|b| VerifyingKey::from_bytes(&b).ok())
            .ok_or_else(|| IssuerError::Token {
                token: token.name().to_owned(),
                problem: format!(
                    "the public key object of {:?} holds no Ed25519 point ({} bytes)",
                    key.label,
                    point.len()
                ),
            })?;
        Ok(Self {
            token: Arc::clone(token),
            key,
            public,
        })
    }

    /// The key's label on the token.
    pub fn label(&self) -> &str {
        &self.key.label
    }

    /// The token it is on.
    pub fn token(&self) -> &Arc<Token> {
        &self.token
    }
}

impl Ed25519Key for TokenEd25519Key {
    fn verifying_key(&self) -> VerifyingKey {
        self.public
    }

    fn try_sign(&self, message: &[u8]) -> Result<[u8; 64], IssuerError> {
        let mechanism = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
        let out = self.token.sign(&self.key, &mechanism, message)?;
        let bad = |problem: String| IssuerError::Token {
            token: self.token.name().to_owned(),
            problem,
        };
        let bytes = <[u8; 64]>::try_from(out.as_slice())
            .map_err(|_| bad(format!("CKM_EDDSA gave {} bytes, not 64", out.len())))?;
        self.public
            .verify_strict(message, &Signature::from_bytes(&bytes))
            .map_err(|_| {
                bad(format!(
                    "the signature of {:?} does not verify with its public key object: the \
                     token's objects do not match",
                    self.key.label
                ))
            })?;
        Ok(bytes)
    }

    fn location(&self) -> String {
        format!("token {}, key {}", self.token.name(), self.key.label)
    }
}
