//! Ed25519 public keys as Multikey (`publicKeyMultibase` = `z` + base58btc(0xed 0x01 ‖ key))
//! and the matching `ed25519-priv` multikey (0x80 0x26 ‖ seed) used by the W3C test vectors.

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use crate::error::{SchemaError, shorten};
use crate::multibase::{decode_base58btc, encode_base58btc};

/// Multicodec varint for `ed25519-pub`.
pub const ED25519_PUB_HEADER: [u8; 2] = [0xed, 0x01];
/// Multicodec varint for `ed25519-priv`.
pub const ED25519_PRIV_HEADER: [u8; 2] = [0x80, 0x26];

/// A verification method of type `Multikey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Multikey {
    /// Verification method id, `<controller>#<publicKeyMultibase>`.
    pub id: String,
    /// Always `"Multikey"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The issuer that controls the key.
    pub controller: String,
    /// `z` + base58btc(0xed 0x01 ‖ 32-byte key).
    pub public_key_multibase: String,
}

impl Multikey {
    /// The Multikey for `key` controlled by `controller`, with id `controller#multibase`.
    pub fn new(controller: &str, key: &VerifyingKey) -> Self {
        let multibase = encode_public_key(key);
        Self {
            id: format!("{controller}#{multibase}"),
            kind: "Multikey".into(),
            controller: controller.into(),
            public_key_multibase: multibase,
        }
    }

    /// The Ed25519 key it carries (checking type and header).
    pub fn verifying_key(&self) -> Result<VerifyingKey, SchemaError> {
        if self.kind != "Multikey" {
            return Err(SchemaError::Field {
                field: "type".into(),
                problem: format!(
                    "verification method type must be \"Multikey\", found {:?}",
                    self.kind
                ),
            });
        }
        decode_public_key(&self.public_key_multibase)
    }
}

/// `z` + base58btc(0xed 0x01 ‖ key).
pub fn encode_public_key(key: &VerifyingKey) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&ED25519_PUB_HEADER);
    bytes.extend_from_slice(key.as_bytes());
    encode_base58btc(&bytes)
}

/// Decode a `publicKeyMultibase`; any header other than 0xed 0x01 is refused, as is a point
/// that is not on the curve.
pub fn decode_public_key(multibase: &str) -> Result<VerifyingKey, SchemaError> {
    let bytes = decode_base58btc("publicKeyMultibase", multibase)?;
    if bytes.len() < 2 || bytes[..2] != ED25519_PUB_HEADER {
        return Err(SchemaError::NotEd25519Multikey {
            header: bytes.iter().take(2).copied().collect(),
        });
    }
    let key: [u8; 32] = bytes[2..].try_into().map_err(|_| SchemaError::Encoding {
        field: "publicKeyMultibase",
        problem: format!("Ed25519 key must be 32 bytes, found {}", bytes.len() - 2),
        value: shorten(multibase),
    })?;
    VerifyingKey::from_bytes(&key).map_err(|_| SchemaError::Encoding {
        field: "publicKeyMultibase",
        problem: "not a valid Ed25519 point".into(),
        value: shorten(multibase),
    })
}

/// Decode a `privateKeyMultibase` (0x80 0x26 ‖ 32-byte seed), as in the W3C test vectors.
pub fn decode_private_key_seed(multibase: &str) -> Result<[u8; 32], SchemaError> {
    let bytes = decode_base58btc("privateKeyMultibase", multibase)?;
    if bytes.len() != 34 || bytes[..2] != ED25519_PRIV_HEADER {
        return Err(SchemaError::Encoding {
            field: "privateKeyMultibase",
            problem: "expected 0x80 0x26 followed by a 32-byte Ed25519 seed".into(),
            value: "(secret, not shown)".into(),
        });
    }
    let mut seed = [0u8; 32];
    seed.copy_from_slice(&bytes[2..]);
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const W3C_PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const W3C_PRIVATE: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

    #[test]
    fn w3c_key_pair_matches() {
        let seed = decode_private_key_seed(W3C_PRIVATE).unwrap();
        let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
        assert_eq!(encode_public_key(&signing.verifying_key()), W3C_PUBLIC);
        assert_eq!(
            decode_public_key(W3C_PUBLIC).unwrap(),
            signing.verifying_key()
        );
    }

    #[test]
    fn other_multicodec_headers_are_refused() {
        let key = decode_public_key(W3C_PUBLIC).unwrap();
        // secp256k1-pub header 0xe7 0x01 with the same 32 bytes plus one.
        let mut bytes = vec![0xe7, 0x01];
        bytes.extend_from_slice(key.as_bytes());
        let err = decode_public_key(&encode_base58btc(&bytes)).unwrap_err();
        assert_eq!(
            err,
            SchemaError::NotEd25519Multikey {
                header: vec![0xe7, 0x01]
            }
        );
        // X25519 (0xec 0x01).
        bytes[0] = 0xec;
        assert!(matches!(
            decode_public_key(&encode_base58btc(&bytes)),
            Err(SchemaError::NotEd25519Multikey { .. })
        ));
        // Right header, wrong length.
        assert!(decode_public_key(&encode_base58btc(&[0xed, 0x01, 1, 2, 3])).is_err());
    }

    #[test]
    fn multikey_document_round_trip() {
        let key = decode_public_key(W3C_PUBLIC).unwrap();
        let mk = Multikey::new("urn:example:school", &key);
        assert_eq!(mk.id, format!("urn:example:school#{W3C_PUBLIC}"));
        assert_eq!(mk.verifying_key().unwrap(), key);
        let mut wrong = mk.clone();
        wrong.kind = "Ed25519VerificationKey2020".into();
        assert!(wrong.verifying_key().is_err());
    }
}
