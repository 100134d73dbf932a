//! A PDF seal or principal key on a token ([`SealKey`]): RSA-2048 PKCS#1 v1.5 with SHA-256
//! (`CKM_SHA256_RSA_PKCS`, the token hashes) or ECDSA P-256 (`CKM_ECDSA` over the SHA-256
//! digest computed here, the token's raw `r ‖ s` DER-encoded as CMS carries it).
//!
//! The key is found by its label (the development token's labels are the PEM file names of
//! `keys/dev/pki/` without `.pem`); its algorithm is read from the token (`CKA_KEY_TYPE`, and
//! for EC keys `CKA_EC_PARAMS` must name P-256).

use std::sync::Arc;

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass};
use sha2::{Digest, Sha256};

use super::{KeyRef, Token};
use crate::error::IssuerError;
use crate::seal_key::{SealAlgorithm, SealKey};

/// DER of the named curve P-256 (OID 1.2.840.10045.3.1.7), as `CKA_EC_PARAMS` holds it.
const P256_PARAMS: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// An RSA or P-256 private key held by a token.
#[derive(Debug)]
pub struct TokenSealKey {
    token: Arc<Token>,
    key: KeyRef,
    algorithm: SealAlgorithm,
}

impl TokenSealKey {
    /// The RSA or P-256 private key labelled `label`.
    pub fn by_label(token: &Arc<Token>, label: &str) -> Result<Self, IssuerError> {
        let bad = |problem: String| IssuerError::Token {
            token: token.name().to_owned(),
            problem,
        };
        let key = token
            .private_keys(None)?
            .into_iter()
            .find(|k| k.label == label)
            .ok_or_else(|| bad(format!("no private key labelled {label:?}")))?;
        let attrs = token.with_key(&key, ObjectClass::PRIVATE_KEY, |s, h| {
            s.get_attributes(h, &[AttributeType::KeyType, AttributeType::EcParams])
        })?;
        let mut key_type = None;
        let mut params = Vec::new();
        for a in attrs {
            match a {
                Attribute::KeyType(t) => key_type = Some(t),
                Attribute::EcParams(p) => params = p,
                _ => {}
            }
        }
        let algorithm = match key_type {
            Some(t) if t == KeyType::RSA => SealAlgorithm::RsaPkcs1Sha256,
            Some(t) if t == KeyType::EC && params == P256_PARAMS => SealAlgorithm::EcdsaP256Sha256,
            Some(t) if t == KeyType::EC => {
                return Err(bad(format!(
                    "{label:?} is an EC key on another curve than P-256: a seal key is RSA-2048 \
                     or ECDSA P-256"
                )));
            }
            other => {
                return Err(bad(format!(
                    "{label:?} is a {} key: a seal key is RSA-2048 or ECDSA P-256",
                    other.map_or_else(|| "?".to_owned(), |t| t.to_string())
                )));
            }
        };
        Ok(Self {
            token: Arc::clone(token),
            key,
            algorithm,
        })
    }

    /// The key's label on the token.
    pub fn label(&self) -> &str {
        &self.key.label
    }
}

impl SealKey for TokenSealKey {
    fn algorithm(&self) -> SealAlgorithm {
        self.algorithm
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, IssuerError> {
        match self.algorithm {
            SealAlgorithm::RsaPkcs1Sha256 => {
                self.token
                    .sign(&self.key, &Mechanism::Sha256RsaPkcs, message)
            }
            SealAlgorithm::EcdsaP256Sha256 => {
                let digest = Sha256::digest(message);
                let raw = self.token.sign(&self.key, &Mechanism::Ecdsa, &digest)?;
                der_signature(&raw).ok_or_else(|| IssuerError::Token {
                    token: self.token.name().to_owned(),
                    problem: format!("CKM_ECDSA gave {} bytes, not r ‖ s of P-256", raw.len()),
                })
            }
        }
    }
}

/// `SEQUENCE { INTEGER r, INTEGER s }` of a raw 64-byte P-256 `r ‖ s`. Written here rather
/// than pulling an ECDSA crate into the issuer for eight lines of DER: each integer is
/// unsigned big-endian, minimal (leading zeros dropped) and gets a 0x00 when its top bit is set.
fn der_signature(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.len() != 64 {
        return None;
    }
    let int = |half: &[u8]| {
        let start = half.iter().position(|&b| b != 0).unwrap_or(half.len() - 1);
        let digits = &half[start..];
        let mut out = vec![0x02];
        let pad = digits[0] & 0x80 != 0;
        out.push((digits.len() + usize::from(pad)) as u8);
        if pad {
            out.push(0);
        }
        out.extend_from_slice(digits);
        out
    };
    let (r, s) = (int(&raw[..32]), int(&raw[32..]));
    let mut out = vec![0x30, (r.len() + s.len()) as u8];
    out.extend_from_slice(&r);
    out.extend_from_slice(&s);
    Some(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn der_integers_are_minimal_and_positive() {
        let mut raw = [0u8; 64];
        raw[31] = 5; // r = 5
        raw[32] = 0x80; // s has its top bit set
        let der = der_signature(&raw).unwrap();
        assert_eq!(&der[..5], &[0x30, 3 + 35, 0x02, 0x01, 0x05]);
        assert_eq!(&der[5..8], &[0x02, 33, 0x00]);
        assert_eq!(der.len(), 2 + 3 + 35);
        assert!(der_signature(&raw[..63]).is_none());
    }
}
